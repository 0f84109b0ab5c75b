//! How the mock parties behave: plain data read from the scenario file.
//!
//! Each struct reads with `deny_unknown_fields`, and every field has a
//! default (documented on the field), so a scenario names only what differs
//! from an ideal, fast, honest party. The defaults are the correct
//! behaviour: no shortages, no splits, no faults, credit on confirm.
//!
//! Durations are [`Distribution`]s in milliseconds. Shares and rates are
//! fractions in `0.0..=1.0`; [`WmsBehaviour::validate`] and friends name the
//! first value out of range by its key path.
//!
//! The parties read these values; they never parse files themselves.

use std::time::Duration;

use rand::Rng;
use serde::{Deserialize, Serialize};

/// A random duration in milliseconds.
///
/// In TOML: `{ kind = "fixed", ms = 20 }`,
/// `{ kind = "uniform", min_ms = 10, max_ms = 50 }` or
/// `{ kind = "exponential", mean_ms = 30 }`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Distribution {
    /// Always `ms`.
    Fixed { ms: u64 },
    /// Uniform over `min_ms..=max_ms`.
    Uniform { min_ms: u64, max_ms: u64 },
    /// Exponential with mean `mean_ms` (memoryless waits, e.g. arrivals).
    Exponential { mean_ms: f64 },
}

impl Default for Distribution {
    /// No wait: `fixed`, 0 ms.
    fn default() -> Self {
        Distribution::Fixed { ms: 0 }
    }
}

impl Distribution {
    /// Draw one duration.
    pub fn sample(&self, rng: &mut impl Rng) -> Duration {
        match *self {
            Distribution::Fixed { ms } => Duration::from_millis(ms),
            Distribution::Uniform { min_ms, max_ms } => {
                Duration::from_millis(rng.gen_range(min_ms..=max_ms.max(min_ms)))
            }
            Distribution::Exponential { mean_ms } => {
                // Inverse transform: -mean * ln(1 - u), u in [0, 1).
                let u: f64 = rng.gen();
                let ms = -mean_ms.max(0.0) * (1.0 - u).ln();
                Duration::from_secs_f64(ms / 1000.0)
            }
        }
    }

    /// The mean duration.
    pub fn mean(&self) -> Duration {
        match *self {
            Distribution::Fixed { ms } => Duration::from_millis(ms),
            Distribution::Uniform { min_ms, max_ms } => {
                Duration::from_secs_f64((min_ms + max_ms) as f64 / 2000.0)
            }
            Distribution::Exponential { mean_ms } => Duration::from_secs_f64(mean_ms / 1000.0),
        }
    }

    fn validate(&self, path: &str) -> Result<(), BehaviourError> {
        match *self {
            Distribution::Uniform { min_ms, max_ms } if min_ms > max_ms => Err(
                BehaviourError::new(path, format!("min_ms {min_ms} > max_ms {max_ms}")),
            ),
            Distribution::Exponential { mean_ms } if !(mean_ms >= 0.0 && mean_ms.is_finite()) => {
                Err(BehaviourError::new(
                    path,
                    format!("mean_ms {mean_ms} is not >= 0"),
                ))
            }
            _ => Ok(()),
        }
    }
}

/// A value out of range, named by its key path (e.g. `wms.short_receipt_rate`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {reason}")]
pub struct BehaviourError {
    /// Dotted key path below the behaviour table.
    pub path: String,
    pub reason: String,
}

impl BehaviourError {
    fn new(path: &str, reason: String) -> BehaviourError {
        BehaviourError {
            path: path.to_owned(),
            reason,
        }
    }
}

fn check_share(path: &str, value: f64) -> Result<(), BehaviourError> {
    if (0.0..=1.0).contains(&value) {
        Ok(())
    } else {
        Err(BehaviourError::new(
            path,
            format!("{value} is not within 0.0..=1.0"),
        ))
    }
}

/// Time the warehouse takes for each inbound step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct InboundSteps {
    /// Order accepted until the truck arrives. Default: 0 ms.
    pub arrive: Distribution,
    /// Arrival until goods are counted in. Default: 0 ms.
    pub receive: Distribution,
    /// Receipt until goods are on the shelf and confirmed. Default: 0 ms.
    pub putaway: Distribution,
}

/// Time the warehouse takes for each outbound step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct OutboundSteps {
    /// Default: 0 ms for every step.
    pub accept: Distribution,
    pub print: Distribution,
    pub pick: Distribution,
    pub check: Distribution,
    pub package: Distribution,
    pub consign: Distribution,
}

/// What the warehouse does when an outbound order asks for more than it has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ShortageBehaviour {
    /// Ship what is there, report the rest short (`WMS_LACK`), confirm final.
    #[default]
    PartialFulfil,
    /// Refuse the whole order (`WMS_REJECT`); nothing ships.
    Reject,
}

/// How counts (stock takes) turn out in the warehouse.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CountBehaviour {
    /// Share of counted lines found above the book (702). Default 0.0.
    pub gain_rate: f64,
    /// Share of counted lines found below the book (701). Default 0.0.
    pub loss_rate: f64,
    /// Largest difference found on one line, in units. Default 3.
    pub max_delta: u32,
}

impl Default for CountBehaviour {
    fn default() -> Self {
        CountBehaviour {
            gain_rate: 0.0,
            loss_rate: 0.0,
            max_delta: 3,
        }
    }
}

/// The mock WMS's behaviour. Defaults: instant, exact, one package, one
/// final confirm per order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WmsBehaviour {
    /// Inbound step times. Default: all 0 ms.
    pub inbound: InboundSteps,
    /// Outbound step times. Default: all 0 ms.
    pub outbound: OutboundSteps,
    /// Share of inbound lines received short. Default 0.0.
    pub short_receipt_rate: f64,
    /// Largest shortfall as a fraction of the planned quantity. Default 0.2.
    pub max_short_fraction: f64,
    /// Share of inbound and return lines where part arrives defective (`CC`).
    /// Default 0.0.
    pub defective_receipt_rate: f64,
    /// Share of shipments split into more than one package. Default 0.0.
    pub split_package_rate: f64,
    /// Most packages per split shipment. Default 2.
    pub max_packages: u32,
    /// Share of orders confirmed in several partial confirms. Default 0.0.
    pub partial_confirm_rate: f64,
    /// Confirms per partially confirmed order, the last one final. Default 2.
    pub partial_confirms: u32,
    /// What to do when stock is short. Default `partial_fulfil`.
    pub shortage: ShortageBehaviour,
    /// How counts come out. See [`CountBehaviour`].
    pub count: CountBehaviour,
    /// Carrier codes used on packages, drawn uniformly.
    /// Default `["SF", "YTO", "ZTO"]`.
    pub carriers: Vec<String>,
}

impl Default for WmsBehaviour {
    fn default() -> Self {
        WmsBehaviour {
            inbound: InboundSteps::default(),
            outbound: OutboundSteps::default(),
            short_receipt_rate: 0.0,
            max_short_fraction: 0.2,
            defective_receipt_rate: 0.0,
            split_package_rate: 0.0,
            max_packages: 2,
            partial_confirm_rate: 0.0,
            partial_confirms: 2,
            shortage: ShortageBehaviour::default(),
            count: CountBehaviour::default(),
            carriers: vec!["SF".into(), "YTO".into(), "ZTO".into()],
        }
    }
}

impl WmsBehaviour {
    /// Check ranges; the error names the key below `[wms]`.
    pub fn validate(&self) -> Result<(), BehaviourError> {
        let steps = [
            ("inbound.arrive", &self.inbound.arrive),
            ("inbound.receive", &self.inbound.receive),
            ("inbound.putaway", &self.inbound.putaway),
            ("outbound.accept", &self.outbound.accept),
            ("outbound.print", &self.outbound.print),
            ("outbound.pick", &self.outbound.pick),
            ("outbound.check", &self.outbound.check),
            ("outbound.package", &self.outbound.package),
            ("outbound.consign", &self.outbound.consign),
        ];
        for (path, step) in steps {
            step.validate(path)?;
        }

        check_share("short_receipt_rate", self.short_receipt_rate)?;
        check_share("max_short_fraction", self.max_short_fraction)?;
        check_share("defective_receipt_rate", self.defective_receipt_rate)?;
        check_share("split_package_rate", self.split_package_rate)?;
        check_share("partial_confirm_rate", self.partial_confirm_rate)?;
        check_share("count.gain_rate", self.count.gain_rate)?;
        check_share("count.loss_rate", self.count.loss_rate)?;
        check_share(
            "count.gain_rate",
            self.count.gain_rate + self.count.loss_rate,
        )
        .map_err(|e| BehaviourError::new(&e.path, "gain_rate + loss_rate > 1.0".into()))?;

        if self.max_packages < 1 {
            return Err(BehaviourError::new(
                "max_packages",
                "must be at least 1".into(),
            ));
        }
        if self.partial_confirms < 2 {
            let reason = "must be at least 2 (partial confirms, then the final)";
            return Err(BehaviourError::new("partial_confirms", reason.into()));
        }
        if self.carriers.is_empty() || self.carriers.iter().any(|c| c.trim().is_empty()) {
            let reason = "needs at least one non-empty carrier code";
            return Err(BehaviourError::new("carriers", reason.into()));
        }
        Ok(())
    }
}

/// When the ERP credits stock for a sales return.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ReturnPolicy {
    /// Credit what the WMS confirms, in the inventory type it confirms.
    /// Correct; the default.
    #[default]
    CreditOnConfirm,
    /// Credit the planned quantity as good stock when the return is created
    /// and ignore the confirm's quantities. Drifts from the WMS whenever
    /// less, or defective, stock comes back.
    CreditPlannedOnCreate,
}

/// How confirm quantities are read across partial confirms (FC-13).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum QuantityConvention {
    /// Each confirm carries what it moved. Default.
    #[default]
    Incremental,
    /// Each confirm carries the running total for the order.
    Cumulative,
}

/// How a caller retries a failed or throttled call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RetryPolicy {
    /// Attempts in total, the first included. Default 5.
    pub max_attempts: u32,
    /// First back-off; doubles on every retry. Default 200 ms.
    pub base_backoff_ms: u64,
    /// Wait at least the ban time a throttling answer names (FC-21).
    /// Default true.
    pub honour_ban: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 5,
            base_backoff_ms: 200,
            honour_ban: true,
        }
    }
}

impl RetryPolicy {
    /// Wait before retry number `retry` (1 for the first retry), at least
    /// `ban` if the policy honours ban times.
    pub fn backoff(&self, retry: u32, ban: Option<Duration>) -> Duration {
        let doublings = retry.saturating_sub(1).min(16);
        let backoff = Duration::from_millis(self.base_backoff_ms.saturating_mul(1 << doublings));
        match ban {
            Some(ban) if self.honour_ban => backoff.max(ban),
            _ => backoff,
        }
    }

    fn validate(&self, path: &str) -> Result<(), BehaviourError> {
        if self.max_attempts < 1 {
            let path = format!("{path}.max_attempts");
            return Err(BehaviourError::new(&path, "must be at least 1".into()));
        }
        Ok(())
    }
}

/// The mock ERP's behaviour.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct ErpBehaviour {
    /// Default `credit_on_confirm`.
    pub return_policy: ReturnPolicy,
    /// Default `incremental`.
    pub quantity_convention: QuantityConvention,
    /// Retries of calls to the gateway. See [`RetryPolicy`].
    pub retry: RetryPolicy,
}

impl ErpBehaviour {
    /// Check ranges; the error names the key below `[erp]`.
    pub fn validate(&self) -> Result<(), BehaviourError> {
        self.retry.validate("retry")
    }
}

/// An inclusive range of whole seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecondsRange {
    pub min: u32,
    pub max: u32,
}

impl SecondsRange {
    /// Draw a whole number of seconds in the range.
    pub fn sample(&self, rng: &mut impl Rng) -> Duration {
        Duration::from_secs(u64::from(rng.gen_range(self.min..=self.max.max(self.min))))
    }
}

/// The mock gateway's behaviour.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GatewayBehaviour {
    /// Share of calls answered with a non-retryable failure. Default 0.0.
    pub fail_share: f64,
    /// Share of calls answered with the rate-limit error (code 7). Default 0.0.
    pub throttle_share: f64,
    /// Ban time named in a throttling answer. Default `{ min = 1, max = 3 }`.
    pub ban_seconds: SecondsRange,
    /// Retries of pushes to the WMS and the ERP. See [`RetryPolicy`].
    pub push_retry: RetryPolicy,
}

impl Default for GatewayBehaviour {
    fn default() -> Self {
        GatewayBehaviour {
            fail_share: 0.0,
            throttle_share: 0.0,
            ban_seconds: SecondsRange { min: 1, max: 3 },
            push_retry: RetryPolicy::default(),
        }
    }
}

impl GatewayBehaviour {
    /// Check ranges; the error names the key below `[gateway]`.
    pub fn validate(&self) -> Result<(), BehaviourError> {
        check_share("fail_share", self.fail_share)?;
        check_share("throttle_share", self.throttle_share)?;
        if self.fail_share + self.throttle_share > 1.0 {
            let reason = "fail_share + throttle_share > 1.0";
            return Err(BehaviourError::new("throttle_share", reason.into()));
        }
        if self.ban_seconds.min > self.ban_seconds.max {
            let reason = format!(
                "min {} > max {}",
                self.ban_seconds.min, self.ban_seconds.max
            );
            return Err(BehaviourError::new("ban_seconds", reason));
        }
        self.push_retry.validate("push_retry")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn empty_table_reads_as_the_documented_defaults() {
        let wms: WmsBehaviour = toml::from_str("").unwrap();
        let erp: ErpBehaviour = toml::from_str("").unwrap();
        let gateway: GatewayBehaviour = toml::from_str("").unwrap();

        assert_eq!(wms, WmsBehaviour::default());
        assert_eq!(wms.max_packages, 2);
        assert_eq!(wms.carriers, vec!["SF", "YTO", "ZTO"]);
        assert_eq!(erp.return_policy, ReturnPolicy::CreditOnConfirm);
        assert_eq!(erp.quantity_convention, QuantityConvention::Incremental);
        assert_eq!(erp.retry.max_attempts, 5);
        assert_eq!(gateway.ban_seconds, SecondsRange { min: 1, max: 3 });
    }

    #[test]
    fn distributions_read_from_toml_tables() {
        let text = r#"
            short_receipt_rate = 0.1
            shortage = "reject"
            [inbound]
            arrive = { kind = "uniform", min_ms = 10, max_ms = 50 }
            [outbound]
            pick = { kind = "exponential", mean_ms = 30.0 }
            consign = { kind = "fixed", ms = 5 }
        "#;

        let wms: WmsBehaviour = toml::from_str(text).unwrap();

        assert_eq!(
            wms.inbound.arrive,
            Distribution::Uniform {
                min_ms: 10,
                max_ms: 50
            }
        );
        assert_eq!(
            wms.outbound.pick,
            Distribution::Exponential { mean_ms: 30.0 }
        );
        assert_eq!(wms.outbound.consign, Distribution::Fixed { ms: 5 });
        assert_eq!(wms.shortage, ShortageBehaviour::Reject);
        assert_eq!(wms.short_receipt_rate, 0.1);
    }

    #[test]
    fn unknown_keys_are_refused() {
        let typo = toml::from_str::<WmsBehaviour>("short_reciept_rate = 0.1");
        let bad_kind = toml::from_str::<WmsBehaviour>(
            "[inbound]\narrive = { kind = \"fixed\", ms = 1, max_ms = 2 }",
        );

        assert!(typo.unwrap_err().to_string().contains("short_reciept_rate"));
        assert!(bad_kind.is_err());
    }

    #[test]
    fn uniform_samples_stay_in_range_and_fixed_is_exact() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let uniform = Distribution::Uniform {
            min_ms: 10,
            max_ms: 20,
        };

        let samples: Vec<Duration> = (0..200).map(|_| uniform.sample(&mut rng)).collect();

        assert!(samples.iter().all(|d| (10..=20).contains(&d.as_millis())));
        assert!(samples
            .iter()
            .any(|d| d.as_millis() != samples[0].as_millis()));
        assert_eq!(
            Distribution::Fixed { ms: 42 }.sample(&mut rng),
            Duration::from_millis(42)
        );
    }

    #[test]
    fn exponential_sample_mean_is_near_the_configured_mean() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let exp = Distribution::Exponential { mean_ms: 100.0 };

        let n = 20_000;
        let total: f64 = (0..n)
            .map(|_| exp.sample(&mut rng).as_secs_f64() * 1000.0)
            .sum();

        // Standard error of the mean is 100 / sqrt(20000) ≈ 0.71 ms.
        let mean = total / n as f64;
        assert!((mean - 100.0).abs() < 4.0, "mean {mean}");
    }

    #[test]
    fn out_of_range_values_name_their_key() {
        let wms = WmsBehaviour {
            defective_receipt_rate: 1.5,
            ..WmsBehaviour::default()
        };
        let steps = WmsBehaviour {
            inbound: InboundSteps {
                receive: Distribution::Uniform {
                    min_ms: 9,
                    max_ms: 3,
                },
                ..InboundSteps::default()
            },
            ..WmsBehaviour::default()
        };
        let gateway = GatewayBehaviour {
            ban_seconds: SecondsRange { min: 5, max: 2 },
            ..GatewayBehaviour::default()
        };

        assert_eq!(wms.validate().unwrap_err().path, "defective_receipt_rate");
        assert_eq!(steps.validate().unwrap_err().path, "inbound.receive");
        assert_eq!(gateway.validate().unwrap_err().path, "ban_seconds");
        assert!(WmsBehaviour::default().validate().is_ok());
        assert!(GatewayBehaviour::default().validate().is_ok());
    }

    #[test]
    fn backoff_doubles_and_honours_ban_time() {
        let policy = RetryPolicy {
            max_attempts: 5,
            base_backoff_ms: 100,
            honour_ban: true,
        };
        let ignoring = RetryPolicy {
            honour_ban: false,
            ..policy.clone()
        };
        let ban = Some(Duration::from_secs(2));

        assert_eq!(policy.backoff(1, None), Duration::from_millis(100));
        assert_eq!(policy.backoff(3, None), Duration::from_millis(400));
        assert_eq!(policy.backoff(1, ban), Duration::from_secs(2));
        assert_eq!(ignoring.backoff(1, ban), Duration::from_millis(100));
    }
}
