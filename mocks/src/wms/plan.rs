//! The mock WMS's random decisions, each drawn from its own seeded stream.
//!
//! Every decision about an order (step durations, short or defective
//! receipts, partial confirms, package splits, carriers, tracking numbers)
//! comes from an RNG seeded by the run seed, the order code and the name of
//! the decision. Two runs with the same seed therefore decide the same way
//! whatever order requests arrive in, and one decision never shifts another.
//!
//! Nothing here touches stock: the functions take quantities and return
//! quantities, and [`super::core`] applies them to the ledger.

use std::time::Duration;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::behaviour::WmsBehaviour;
use crate::domain::{Direction, OrderStatus, OrderType};

/// An RNG for one decision about one order: seeded by FNV-1a over the run
/// seed, the order code and the decision's name, so the stream is the same
/// on every platform and Rust version.
pub fn decision_rng(seed: u64, order_code: &str, decision: &str) -> ChaCha8Rng {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut hash = OFFSET;
    let bytes = seed
        .to_le_bytes()
        .into_iter()
        .chain(order_code.bytes())
        .chain([0xff])
        .chain(decision.bytes());
    for byte in bytes {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(PRIME);
    }
    ChaCha8Rng::seed_from_u64(hash)
}

/// One step of an order's life in the warehouse: wait `delay`, then report
/// `status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlannedStep {
    pub status: OrderStatus,
    pub delay: Duration,
}

/// The steps an order goes through, with their durations drawn from the
/// behaviour. The last step is the one after which the confirm is sent.
pub fn plan_steps(
    behaviour: &WmsBehaviour,
    seed: u64,
    order_code: &str,
    order_type: OrderType,
) -> Vec<PlannedStep> {
    let mut rng = decision_rng(seed, order_code, "steps");
    let mut step = |status, distribution: &crate::behaviour::Distribution| PlannedStep {
        status,
        delay: distribution.sample(&mut rng),
    };
    match order_type.direction() {
        Direction::Outbound => {
            let o = &behaviour.outbound;
            vec![
                step(OrderStatus::Accept, &o.accept),
                step(OrderStatus::Print, &o.print),
                step(OrderStatus::Pick, &o.pick),
                step(OrderStatus::Check, &o.check),
                step(OrderStatus::Package, &o.package),
                step(OrderStatus::Consign, &o.consign),
            ]
        }
        Direction::Inbound | Direction::Count => {
            let i = &behaviour.inbound;
            vec![
                PlannedStep {
                    status: OrderStatus::Accept,
                    delay: Duration::ZERO,
                },
                step(OrderStatus::Arrive, &i.arrive),
                step(OrderStatus::Received, &i.receive),
                step(OrderStatus::OnSale, &i.putaway),
            ]
        }
    }
}

/// How one inbound line turns out: units received in the line's inventory
/// type and units received defective. `good + defective <= planned`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineReceipt {
    pub good: u32,
    pub defective: u32,
}

/// Draws the receipt of each planned quantity: some lines short by up to
/// `max_short_fraction` of the plan (at least one unit), some with part of
/// what arrived defective (at least one unit, at most a fifth rounded up).
pub fn draw_receipts(
    behaviour: &WmsBehaviour,
    seed: u64,
    order_code: &str,
    planned: &[u32],
) -> Vec<LineReceipt> {
    let mut rng = decision_rng(seed, order_code, "receipt");
    planned
        .iter()
        .map(|&plan| {
            let mut arrived = plan;
            if plan > 0 && chance(&mut rng, behaviour.short_receipt_rate) {
                let most = ((f64::from(plan) * behaviour.max_short_fraction) as u32).max(1);
                arrived -= rng.gen_range(1..=most.min(plan));
            }
            let mut defective = 0;
            if arrived > 0 && chance(&mut rng, behaviour.defective_receipt_rate) {
                defective = rng.gen_range(1..=arrived.div_ceil(5));
            }
            LineReceipt {
                good: arrived - defective,
                defective,
            }
        })
        .collect()
}

/// How many confirms an inbound order is reported in (1 = one final
/// confirm).
pub fn draw_confirm_count(behaviour: &WmsBehaviour, seed: u64, order_code: &str) -> u32 {
    let mut rng = decision_rng(seed, order_code, "confirms");
    if behaviour.partial_confirms > 1 && chance(&mut rng, behaviour.partial_confirm_rate) {
        behaviour.partial_confirms
    } else {
        1
    }
}

/// Splits `qty` into `parts` increments that sum to it, larger ones first:
/// 7 over 3 is 3, 2, 2.
pub fn split_evenly(qty: u32, parts: u32) -> Vec<u32> {
    let parts = parts.max(1);
    (0..parts)
        .map(|i| qty / parts + u32::from(i < qty % parts))
        .collect()
}

/// A parcel as the WMS plans it: carrier, tracking number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParcelLabel {
    pub carrier: String,
    pub tracking_number: String,
}

/// Draws how many parcels a shipment of `units` goes in (never more than
/// units, at least one) and labels each with a carrier and a tracking
/// number. Tracking numbers are the carrier code, then 12 digits derived
/// from the order code and the parcel's position, so they differ between
/// parcels and orders and repeat across runs with the same seed.
pub fn draw_parcels(
    behaviour: &WmsBehaviour,
    seed: u64,
    order_code: &str,
    units: u32,
) -> Vec<ParcelLabel> {
    let mut rng = decision_rng(seed, order_code, "parcels");
    let mut count = 1;
    if units > 1 && behaviour.max_packages > 1 && chance(&mut rng, behaviour.split_package_rate) {
        count = rng.gen_range(2..=behaviour.max_packages.min(units));
    }
    (0..count)
        .map(|index| {
            let carrier = pick_carrier(&behaviour.carriers, &mut rng);
            let digits = decision_rng(seed, order_code, &format!("tracking-{index}"))
                .gen_range(0..1_000_000_000_000u64);
            ParcelLabel {
                tracking_number: format!("{carrier}{digits:012}"),
                carrier,
            }
        })
        .collect()
}

/// A draw that comes out true with probability `rate`. Rates outside
/// `0.0..=1.0` (which [`WmsBehaviour::validate`] refuses) are clamped, and
/// NaN reads as 0, so a bad setting never panics a worker.
fn chance(rng: &mut ChaCha8Rng, rate: f64) -> bool {
    let rate = if rate.is_nan() {
        0.0
    } else {
        rate.clamp(0.0, 1.0)
    };
    rng.gen_bool(rate)
}

fn pick_carrier(carriers: &[String], rng: &mut ChaCha8Rng) -> String {
    match carriers.len() {
        0 => "OTHER".to_owned(),
        n => carriers[rng.gen_range(0..n)].clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decision_streams_differ_by_order_and_decision_but_repeat_by_seed() {
        let first: u64 = decision_rng(7, "SO1", "steps").gen();
        let again: u64 = decision_rng(7, "SO1", "steps").gen();
        let other_order: u64 = decision_rng(7, "SO2", "steps").gen();
        let other_decision: u64 = decision_rng(7, "SO1", "parcels").gen();
        let other_seed: u64 = decision_rng(8, "SO1", "steps").gen();

        assert_eq!(first, again);
        assert_ne!(first, other_order);
        assert_ne!(first, other_decision);
        assert_ne!(first, other_seed);
    }

    #[test]
    fn rates_out_of_range_are_clamped_instead_of_panicking() {
        let behaviour = WmsBehaviour {
            short_receipt_rate: f64::NAN,
            defective_receipt_rate: 7.0,
            ..WmsBehaviour::default()
        };

        let receipts = draw_receipts(&behaviour, 1, "CGRK1", &[10]);

        assert_eq!(receipts[0].good + receipts[0].defective, 10);
        assert!(receipts[0].defective >= 1);
    }

    #[test]
    fn split_evenly_sums_to_the_quantity_largest_first() {
        assert_eq!(split_evenly(7, 3), vec![3, 2, 2]);
        assert_eq!(split_evenly(2, 3), vec![1, 1, 0]);
        assert_eq!(split_evenly(5, 0), vec![5]);
    }

    #[test]
    fn receipts_stay_within_plan_and_the_short_fraction() {
        let behaviour = WmsBehaviour {
            short_receipt_rate: 1.0,
            max_short_fraction: 0.2,
            defective_receipt_rate: 1.0,
            ..WmsBehaviour::default()
        };
        let planned = [100, 10, 1];

        let receipts = draw_receipts(&behaviour, 3, "CGRK1", &planned);

        for (r, plan) in receipts.iter().zip(planned) {
            let arrived = r.good + r.defective;
            let most_short = ((f64::from(plan) * 0.2) as u32).max(1);
            assert!(
                arrived < plan && plan - arrived <= most_short,
                "{r:?} of {plan}"
            );
            if arrived > 0 {
                assert!(
                    r.defective >= 1 && r.defective <= arrived.div_ceil(5),
                    "{r:?}"
                );
            }
        }
    }

    #[test]
    fn exact_behaviour_receives_everything_good() {
        let receipts = draw_receipts(&WmsBehaviour::default(), 1, "CGRK1", &[4, 9]);

        assert_eq!(
            receipts,
            vec![
                LineReceipt {
                    good: 4,
                    defective: 0
                },
                LineReceipt {
                    good: 9,
                    defective: 0
                }
            ]
        );
    }

    #[test]
    fn parcels_never_outnumber_units_and_have_distinct_tracking_numbers() {
        let behaviour = WmsBehaviour {
            split_package_rate: 1.0,
            max_packages: 5,
            ..WmsBehaviour::default()
        };

        let three_units = draw_parcels(&behaviour, 9, "SO1", 3);
        let one_unit = draw_parcels(&behaviour, 9, "SO1", 1);

        assert!((2..=3).contains(&three_units.len()), "{three_units:?}");
        assert_eq!(one_unit.len(), 1);
        let mut numbers: Vec<_> = three_units.iter().map(|p| &p.tracking_number).collect();
        numbers.sort();
        numbers.dedup();
        assert_eq!(numbers.len(), three_units.len());
        for parcel in &three_units {
            assert!(parcel.tracking_number.starts_with(&parcel.carrier));
            assert_eq!(parcel.tracking_number.len(), parcel.carrier.len() + 12);
        }
    }

    #[test]
    fn outbound_orders_walk_the_six_outbound_steps() {
        let steps = plan_steps(&WmsBehaviour::default(), 1, "SO1", OrderType::SalesDelivery);

        let statuses: Vec<_> = steps.iter().map(|s| s.status).collect();
        assert_eq!(
            statuses,
            vec![
                OrderStatus::Accept,
                OrderStatus::Print,
                OrderStatus::Pick,
                OrderStatus::Check,
                OrderStatus::Package,
                OrderStatus::Consign
            ]
        );
        assert!(steps.iter().all(|s| s.delay == Duration::ZERO));
    }
}
