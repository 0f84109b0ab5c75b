//! Latency and counters of a run, recorded from many tasks at once.
//!
//! End-to-end latency per flow (order type) is measured from a document's
//! intended send time, so a slow party cannot hide its delay by slowing the
//! sender (coordinated omission). Hop latency is per (hop, message).
//! Histograms are HDR with 3 significant digits, 1 µs to 1 hour; values
//! above the hour are clamped. Memory stays bounded: aggregates only.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use hdrhistogram::Histogram;
use mocks::domain::OrderType;

const MAX_MICROS: u64 = 3_600_000_000;

/// Percentiles of one histogram, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Percentiles {
    pub count: u64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

/// Counters and percentiles of one flow.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct FlowStats {
    pub started: u64,
    pub completed: u64,
    pub failed: u64,
    pub latency: Percentiles,
}

#[derive(Default)]
struct FlowRecord {
    started: u64,
    completed: u64,
    failed: u64,
    latency: Option<Histogram<u64>>,
}

#[derive(Default)]
struct Inner {
    flows: BTreeMap<OrderType, FlowRecord>,
    hops: BTreeMap<(String, String), Histogram<u64>>,
}

/// All measurements of a run. Share it behind an `Arc`.
#[derive(Default)]
pub struct Measurements {
    inner: Mutex<Inner>,
}

fn new_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, MAX_MICROS, 3).expect("1 µs..1 h at 3 digits is a valid range")
}

fn micros(latency: Duration) -> u64 {
    (latency.as_micros() as u64).clamp(1, MAX_MICROS)
}

fn percentiles(h: &Histogram<u64>) -> Percentiles {
    let ms = |v: u64| v as f64 / 1000.0;
    Percentiles {
        count: h.len(),
        p50_ms: ms(h.value_at_quantile(0.50)),
        p95_ms: ms(h.value_at_quantile(0.95)),
        p99_ms: ms(h.value_at_quantile(0.99)),
        max_ms: ms(h.max()),
    }
}

impl Measurements {
    pub fn new() -> Measurements {
        Measurements::default()
    }

    fn with<T>(&self, f: impl FnOnce(&mut Inner) -> T) -> T {
        // A panic while holding the lock leaves plain counters, still usable.
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut inner)
    }

    /// An order of this flow was sent.
    pub fn start_order(&self, flow: OrderType) {
        self.with(|i| i.flows.entry(flow).or_default().started += 1);
    }

    /// An order reached its final state; `latency` from its intended send time.
    pub fn complete_order(&self, flow: OrderType, latency: Duration) {
        self.with(|i| {
            let record = i.flows.entry(flow).or_default();
            record.completed += 1;
            let h = record.latency.get_or_insert_with(new_histogram);
            h.saturating_record(micros(latency));
        });
    }

    /// An order reached its final state with no latency to record (a
    /// planned cancel, an expected refusal).
    pub fn complete_order_untimed(&self, flow: OrderType) {
        self.with(|i| i.flows.entry(flow).or_default().completed += 1);
    }

    /// An order failed finally (deadline, rejection, retries exhausted).
    pub fn fail_order(&self, flow: OrderType) {
        self.with(|i| i.flows.entry(flow).or_default().failed += 1);
    }

    /// One exchange on a hop took `latency`.
    pub fn record_hop(&self, hop: &str, message: &str, latency: Duration) {
        self.with(|i| {
            let key = (hop.to_owned(), message.to_owned());
            let h = i.hops.entry(key).or_insert_with(new_histogram);
            h.saturating_record(micros(latency));
        });
    }

    /// Counters and percentiles per flow.
    pub fn flows(&self) -> BTreeMap<OrderType, FlowStats> {
        self.with(|i| {
            i.flows
                .iter()
                .map(|(t, r)| {
                    let latency = r.latency.as_ref().map(percentiles).unwrap_or_default();
                    let stats = FlowStats {
                        started: r.started,
                        completed: r.completed,
                        failed: r.failed,
                        latency,
                    };
                    (*t, stats)
                })
                .collect()
        })
    }

    /// Percentiles per (hop, message).
    pub fn hops(&self) -> BTreeMap<(String, String), Percentiles> {
        self.with(|i| {
            i.hops
                .iter()
                .map(|(k, h)| (k.clone(), percentiles(h)))
                .collect()
        })
    }
}

/// Completed orders per second over `elapsed`.
pub fn throughput_per_s(completed: u64, elapsed: Duration) -> f64 {
    let secs = elapsed.as_secs_f64();
    if secs <= 0.0 {
        0.0
    } else {
        completed as f64 / secs
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn percentiles_of_one_to_a_hundred_ms() {
        let m = Measurements::new();

        for ms in 1..=100 {
            m.start_order(OrderType::SalesDelivery);
            m.complete_order(OrderType::SalesDelivery, Duration::from_millis(ms));
        }
        m.fail_order(OrderType::SalesDelivery);

        let stats = m.flows()[&OrderType::SalesDelivery];
        assert_eq!(
            (stats.started, stats.completed, stats.failed),
            (100, 100, 1)
        );
        // 3 significant digits: 50 ms is exact to within 0.1%.
        assert!(
            (stats.latency.p50_ms - 50.0).abs() <= 0.05,
            "{:?}",
            stats.latency
        );
        assert!((stats.latency.p95_ms - 95.0).abs() <= 0.1);
        assert!((stats.latency.p99_ms - 99.0).abs() <= 0.1);
        assert!((stats.latency.max_ms - 100.0).abs() <= 0.1);
    }

    #[test]
    fn recording_from_many_threads_loses_nothing() {
        let m = Arc::new(Measurements::new());

        let handles: Vec<_> = (0..8)
            .map(|_| {
                let m = Arc::clone(&m);
                std::thread::spawn(move || {
                    for _ in 0..1000 {
                        m.record_hop(
                            "erp->gateway",
                            "entryorder.create",
                            Duration::from_millis(3),
                        );
                    }
                })
            })
            .collect();
        handles.into_iter().for_each(|h| h.join().unwrap());

        let hops = m.hops();
        let key = ("erp->gateway".to_owned(), "entryorder.create".to_owned());
        assert_eq!(hops[&key].count, 8000);
    }

    #[test]
    fn throughput_divides_by_elapsed_seconds() {
        assert_eq!(throughput_per_s(30, Duration::from_secs(12)), 2.5);
        assert_eq!(throughput_per_s(5, Duration::ZERO), 0.0);
    }
}
