//! Stage one: the scenario file exactly as written, read by serde.
//!
//! Every table refuses unknown keys and every key has a default, so the
//! smallest valid file is one `[[flow]]`. Values are not checked here beyond
//! their TOML type; [`super::validate`] does that with the file's positions
//! at hand. `scenarios/README.md` documents every key.

use std::collections::BTreeMap;

use mocks::behaviour::{ErpBehaviour, GatewayBehaviour, WmsBehaviour};
use serde::{Deserialize, Serialize};

/// The whole file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawScenario {
    pub name: String,
    pub description: String,
    pub seed: u64,
    pub scale: f64,
    pub catalog: String,
    /// Item subset; empty means the whole catalog.
    pub items: Vec<String>,
    pub sync_items: bool,
    pub deadline_s: u64,
    pub settle_timeout_s: u64,
    pub parties: RawParties,
    pub credentials: RawCredentials,
    pub opening: Vec<RawOpening>,
    pub flow: Vec<RawFlow>,
    pub cutover: Option<RawCutover>,
    pub wms: WmsBehaviour,
    pub erp: ErpBehaviour,
    pub gateway: GatewayBehaviour,
    pub expect: RawExpect,
}

impl Default for RawScenario {
    fn default() -> Self {
        RawScenario {
            name: String::new(),
            description: String::new(),
            seed: 1,
            scale: 1.0,
            catalog: "catalog.csv".into(),
            items: Vec::new(),
            sync_items: true,
            deadline_s: 600,
            settle_timeout_s: 30,
            parties: RawParties::default(),
            credentials: RawCredentials::default(),
            opening: Vec::new(),
            flow: Vec::new(),
            cutover: None,
            wms: WmsBehaviour::default(),
            erp: ErpBehaviour::default(),
            gateway: GatewayBehaviour::default(),
            expect: RawExpect::default(),
        }
    }
}

/// `[parties]`: `"embedded"` or an `http(s)://` URL for each party.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawParties {
    pub erp: String,
    pub gateway: String,
    pub wms: String,
    /// Where embedded parties listen (`host:port`); absent: a free loopback port.
    pub listen: RawListen,
}

/// `[parties.listen]`: fixed addresses for embedded parties.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct RawListen {
    pub erp: Option<String>,
    pub gateway: Option<String>,
    pub wms: Option<String>,
}

impl Default for RawParties {
    fn default() -> Self {
        RawParties {
            erp: "embedded".into(),
            gateway: "embedded".into(),
            wms: "embedded".into(),
            listen: RawListen::default(),
        }
    }
}

/// `[credentials]`: the identities of the sample merchant by default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawCredentials {
    pub qimen_app_key: String,
    pub qimen_secret: String,
    pub customer_id: String,
    pub owner_code: String,
    pub warehouse_code: String,
    pub cainiao_provider_id: String,
    pub cainiao_secret: String,
    pub cainiao_owner_id: String,
    pub cainiao_store_code: String,
}

impl Default for RawCredentials {
    fn default() -> Self {
        RawCredentials {
            qimen_app_key: "12345678".into(),
            qimen_secret: "testsecret".into(),
            customer_id: "C_TEST_001".into(),
            owner_code: "SLMY001".into(),
            warehouse_code: "WH_HZ01".into(),
            cainiao_provider_id: "SANDBOX026991".into(),
            cainiao_secret: "testSecret123".into(),
            cainiao_owner_id: "2000000001".into(),
            cainiao_store_code: "STORE_90000001".into(),
        }
    }
}

/// One `[[opening]]` entry: stock before the run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct RawOpening {
    /// Absent: every selected item.
    pub item_code: Option<String>,
    /// Qimen letter; absent: `ZP`.
    pub inventory_type: Option<String>,
    /// Both parties, unless `erp` / `wms` say otherwise.
    pub qty: Option<u32>,
    pub erp: Option<u32>,
    pub wms: Option<u32>,
    /// What a count in the warehouse finds; absent: the WMS quantity.
    pub physical: Option<u32>,
}

/// An inclusive whole-number range, `{ min = 1, max = 3 }`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRange {
    pub min: u32,
    pub max: u32,
}

/// One `[[flow]]`: a stream of orders of one type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawFlow {
    /// Cainiao code, e.g. 201.
    pub order_type: u16,
    pub count: Option<u32>,
    pub duration_s: Option<f64>,
    pub rate_per_s: f64,
    pub start_s: f64,
    pub lines: RawRange,
    pub qty: RawRange,
    pub cancel_share: f64,
    /// Delay of a planned cancel after its create, in ms.
    pub cancel_after_ms: RawRange,
}

impl Default for RawFlow {
    fn default() -> Self {
        RawFlow {
            order_type: 0,
            count: None,
            duration_s: None,
            rate_per_s: 1.0,
            start_s: 0.0,
            lines: RawRange { min: 1, max: 3 },
            qty: RawRange { min: 1, max: 5 },
            cancel_share: 0.0,
            cancel_after_ms: RawRange { min: 10, max: 100 },
        }
    }
}

/// `[cutover]`: the go-live steps for a customer already in the warehouse.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct RawCutover {
    pub steps: Vec<String>,
}

/// `[expect]`: what must hold at the end of the run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawExpect {
    pub all_flows_complete: bool,
    /// Absent: true, unless drift is expected.
    pub stock_consistent: Option<bool>,
    pub drift_detected: bool,
    pub drift_items: Option<Vec<String>>,
    pub serials_consistent: bool,
    pub max_failed: Option<u64>,
    /// Order type code (as a string key) to p99 limit in ms.
    pub max_p99_ms: BTreeMap<String, u64>,
}

impl Default for RawExpect {
    fn default() -> Self {
        RawExpect {
            all_flows_complete: true,
            stock_consistent: None,
            drift_detected: false,
            drift_items: None,
            serials_consistent: false,
            max_failed: None,
            max_p99_ms: BTreeMap::new(),
        }
    }
}
