//! The onboarding configuration shared by the three parties.
//!
//! Onboarding hands out the same few values to every party: the Qimen app
//! key and secret, the customerId the gateway routes on, the owner id
//! (货主id), the warehouse code (仓编码), the Cainiao provider id and secret,
//! and each party's URL. One TOML file holds them all; every key has a
//! default, so an empty file runs all three parties on loopback.
//!
//! Configuration goes through two stages: [`RawConfig`] is what the file
//! says (every field optional, unknown keys refused), [`Config`] is the
//! resolved value the parties use.
//!
//! ```toml
//! [qimen]
//! app_key = "12345678"
//! secret = "testsecret"
//! customer_id = "C_TEST_001"
//!
//! [parties.wms]
//! url = "http://10.0.0.5:8080/cainiao"   # a real WMS instead of the mock
//! ```

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use serde::Deserialize;

/// What was wrong with a configuration file.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}:{line}: {message}")]
    Invalid {
        path: String,
        line: usize,
        message: String,
    },
}

/// The values onboarding hands out; see the field docs for defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub qimen: QimenCredentials,
    pub cainiao: CainiaoCredentials,
    /// Owner id (货主id, Qimen `ownerCode`). Default `SLMY001`.
    pub owner_code: String,
    /// Warehouse code (仓编码, Qimen `warehouseCode`). Default `WH_HZ01`.
    pub warehouse_code: String,
    pub erp: PartyEndpoint,
    pub gateway: PartyEndpoint,
    pub wms: PartyEndpoint,
    /// Allowed clock skew for Qimen timestamps. Default 600 s.
    pub timestamp_tolerance: Duration,
}

/// Qimen credentials of the ERP's app.
#[derive(Debug, Clone, PartialEq)]
pub struct QimenCredentials {
    /// Default `12345678`.
    pub app_key: String,
    /// Default `testsecret`.
    pub secret: String,
    /// Routing key the gateway looks up. Default `C_TEST_001`.
    pub customer_id: String,
}

/// Cainiao LINK credentials of the warehouse.
#[derive(Debug, Clone, PartialEq)]
pub struct CainiaoCredentials {
    /// `logistic_provider_id`. Default `SANDBOX026991`.
    pub provider_id: String,
    /// Secret for `data_digest`. Default `testSecret123`.
    pub secret: String,
    /// Cainiao owner id (`ownerUserId`). Default `2000000001`.
    pub owner_user_id: String,
    /// Cainiao warehouse code (`storeCode`). Default `STORE_90000001`.
    pub store_code: String,
}

/// Where a party listens, or the URL of a real system standing in for it.
#[derive(Debug, Clone, PartialEq)]
pub enum PartyEndpoint {
    /// Run the mock in-process, listening on this address (port 0 picks a
    /// free one). Default `127.0.0.1:0`.
    Embedded { listen: SocketAddr },
    /// Use the system at this URL instead of the mock.
    External { url: String },
}

impl Default for Config {
    fn default() -> Self {
        RawConfig::default()
            .resolve("<defaults>")
            .expect("the defaults are valid")
    }
}

impl Config {
    /// Reads and resolves a configuration file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: name.clone(),
            source,
        })?;
        Config::parse(&text, &name)
    }

    /// Parses configuration text; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Config, ConfigError> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| ConfigError::Invalid {
            path: origin.to_owned(),
            line: e
                .span()
                .map(|s| crate::xml::line_column(text, s.start).0)
                .unwrap_or(1),
            message: e.message().to_owned(),
        })?;
        raw.resolve(origin)
    }
}

/// The configuration file as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    #[serde(default)]
    pub qimen: RawQimen,
    #[serde(default)]
    pub cainiao: RawCainiao,
    pub owner_code: Option<String>,
    pub warehouse_code: Option<String>,
    pub timestamp_tolerance_secs: Option<u64>,
    #[serde(default)]
    pub parties: RawParties,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawQimen {
    pub app_key: Option<String>,
    pub secret: Option<String>,
    pub customer_id: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCainiao {
    pub provider_id: Option<String>,
    pub secret: Option<String>,
    pub owner_user_id: Option<String>,
    pub store_code: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawParties {
    #[serde(default)]
    pub erp: RawEndpoint,
    #[serde(default)]
    pub gateway: RawEndpoint,
    #[serde(default)]
    pub wms: RawEndpoint,
}

/// `listen` for an embedded mock, or `url` for an external system.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEndpoint {
    pub listen: Option<String>,
    pub url: Option<String>,
}

impl RawConfig {
    /// Fills defaults and checks values; `origin` names the file in errors.
    pub fn resolve(self, origin: &str) -> Result<Config, ConfigError> {
        let or = |v: Option<String>, d: &str| v.unwrap_or_else(|| d.to_owned());
        Ok(Config {
            qimen: QimenCredentials {
                app_key: or(self.qimen.app_key, "12345678"),
                secret: or(self.qimen.secret, "testsecret"),
                customer_id: or(self.qimen.customer_id, "C_TEST_001"),
            },
            cainiao: CainiaoCredentials {
                provider_id: or(self.cainiao.provider_id, "SANDBOX026991"),
                secret: or(self.cainiao.secret, "testSecret123"),
                owner_user_id: or(self.cainiao.owner_user_id, "2000000001"),
                store_code: or(self.cainiao.store_code, "STORE_90000001"),
            },
            owner_code: or(self.owner_code, "SLMY001"),
            warehouse_code: or(self.warehouse_code, "WH_HZ01"),
            erp: self.parties.erp.resolve(origin, "parties.erp")?,
            gateway: self.parties.gateway.resolve(origin, "parties.gateway")?,
            wms: self.parties.wms.resolve(origin, "parties.wms")?,
            timestamp_tolerance: Duration::from_secs(self.timestamp_tolerance_secs.unwrap_or(600)),
        })
    }
}

impl RawEndpoint {
    fn resolve(self, origin: &str, key: &str) -> Result<PartyEndpoint, ConfigError> {
        let invalid = |message: String| ConfigError::Invalid {
            path: origin.to_owned(),
            line: 0,
            message,
        };
        match (self.listen, self.url) {
            (Some(_), Some(_)) => Err(invalid(format!(
                "[{key}] has both `listen` and `url`; give `listen` for the mock or `url` \
                 for an external system"
            ))),
            (None, Some(url)) => {
                if !(url.starts_with("http://") || url.starts_with("https://")) {
                    return Err(invalid(format!(
                        "[{key}] url `{url}` must start with http://"
                    )));
                }
                Ok(PartyEndpoint::External { url })
            }
            (listen, None) => {
                let listen = listen.as_deref().unwrap_or("127.0.0.1:0");
                let listen = listen.parse().map_err(|e| {
                    invalid(format!("[{key}] listen `{listen}` is not an address: {e}"))
                })?;
                Ok(PartyEndpoint::Embedded { listen })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_file_gives_documented_defaults() {
        let config = Config::parse("", "empty.toml").unwrap();

        assert_eq!(config.qimen.secret, "testsecret");
        assert_eq!(config.warehouse_code, "WH_HZ01");
        assert_eq!(config.timestamp_tolerance, Duration::from_secs(600));
        assert!(matches!(config.wms, PartyEndpoint::Embedded { .. }));
    }

    #[test]
    fn external_party_is_taken_by_url() {
        let text = "[parties.wms]\nurl = \"http://127.0.0.1:9000/cainiao\"\n";

        let config = Config::parse(text, "c.toml").unwrap();

        assert_eq!(
            config.wms,
            PartyEndpoint::External {
                url: "http://127.0.0.1:9000/cainiao".into()
            }
        );
    }

    #[test]
    fn typo_names_file_line_and_key() {
        let text = "[qimen]\napp_key = \"1\"\nsecrte = \"x\"\n";

        let err = Config::parse(text, "c.toml").unwrap_err().to_string();

        assert!(err.starts_with("c.toml:3:"), "{err}");
        assert!(err.contains("secrte"), "{err}");
    }

    #[test]
    fn listen_and_url_together_are_refused() {
        let text = "[parties.erp]\nlisten = \"127.0.0.1:0\"\nurl = \"http://x\"\n";

        let err = Config::parse(text, "c.toml").unwrap_err().to_string();

        assert!(err.contains("both `listen` and `url`"), "{err}");
    }
}
