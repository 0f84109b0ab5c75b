//! The end-of-run checks: ERP ledger against WMS ledger against the stock
//! the driver expects, and the scenario's expectations as check rows.
//!
//! First divergence: both ledgers' entries are replayed merged by sequence
//! number (so both ledgers must share one `SequenceClock`). A WMS entry is
//! in flight until the ERP has received the message that carries it: it
//! takes effect at the ERP's next receipt for the same order code (a
//! confirm or count report applied, whether or not the ERP booked stock
//! for it), or at its own place if the ERP never received one (a lost
//! confirm). For each (item, inventory type) the replay finds the last
//! point at which ERP and WMS held the same quantity on hand; the first
//! entry touching that key after it is the message after which they
//! disagreed for good. Transient differences do not count.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};

use mocks::domain::{InventoryType, ItemCode, OrderType};
use mocks::ledger::{Cause, Ledger, LedgerEntry};

use crate::measure::FlowStats;
use crate::report::{CheckRow, StockRow};
use crate::scenario::Expectations;

type StockSlot = (ItemCode, InventoryType);

/// Expected stock, accumulated by the driver from the confirms it saw:
/// opening + receipts − shipments ± adjustments.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expectation {
    stock: BTreeMap<StockSlot, i64>,
}

impl Expectation {
    pub fn new() -> Expectation {
        Expectation::default()
    }

    fn slot(&mut self, item: &ItemCode, inventory_type: InventoryType) -> &mut i64 {
        self.stock
            .entry((item.clone(), inventory_type))
            .or_insert(0)
    }

    pub fn set_opening(&mut self, item: &ItemCode, inventory_type: InventoryType, qty: u32) {
        *self.slot(item, inventory_type) = i64::from(qty);
    }

    pub fn receive(&mut self, item: &ItemCode, inventory_type: InventoryType, qty: u32) {
        *self.slot(item, inventory_type) += i64::from(qty);
    }

    pub fn ship(&mut self, item: &ItemCode, inventory_type: InventoryType, qty: u32) {
        *self.slot(item, inventory_type) -= i64::from(qty);
    }

    pub fn adjust(&mut self, item: &ItemCode, inventory_type: InventoryType, delta: i64) {
        *self.slot(item, inventory_type) += delta;
    }

    pub fn expected(&self, item: &ItemCode, inventory_type: InventoryType) -> i64 {
        self.stock
            .get(&(item.clone(), inventory_type))
            .copied()
            .unwrap_or(0)
    }
}

/// The entry after which two ledgers disagreed for good.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Divergence {
    pub sequence: u64,
    pub cause: Cause,
}

impl Divergence {
    /// `order_code message`, as `stock.csv` shows it.
    pub fn describe(&self) -> String {
        format!("{} {}", self.cause.order_code, self.cause.message)
    }
}

/// The ERP received a message about `order_code` at `sequence` (on the
/// clock the ledgers share).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub sequence: u64,
    pub order_code: String,
}

/// First divergences of every (item, inventory type) on which the two
/// ledgers end unequal; `receipts` are the ERP's, in any order.
pub fn first_divergences(
    erp: &Ledger,
    wms: &Ledger,
    receipts: &[Receipt],
) -> BTreeMap<StockSlot, Divergence> {
    let mut pending: HashMap<&str, VecDeque<u64>> = HashMap::new();
    let mut sorted: Vec<&Receipt> = receipts.iter().collect();
    sorted.sort_by_key(|r| r.sequence);
    for r in sorted {
        pending
            .entry(&r.order_code)
            .or_default()
            .push_back(r.sequence);
    }
    // (effective sequence, own sequence, is ERP, entry). The ERP books a
    // confirm or report just before its receipt: both sides of one message
    // take effect together, at the receipt.
    let receipt_after = |order_code: &str, sequence: u64| {
        let queue = pending.get(order_code)?;
        queue.iter().copied().find(|s| *s > sequence)
    };
    let mut merged: Vec<(u64, u64, bool, &LedgerEntry)> = erp
        .entries()
        .map(|e| {
            let message = e.cause.message.as_str();
            let received = message.ends_with(".confirm") || message.ends_with(".report");
            let effective = received
                .then(|| receipt_after(&e.cause.order_code, e.sequence))
                .flatten()
                .unwrap_or(e.sequence);
            (effective, e.sequence, true, e)
        })
        .collect();
    // Only entries that move stock on hand are carried by a message to the
    // ERP; a reservation at order intake is not, and takes no receipt.
    let mut wms_entries: Vec<&LedgerEntry> = wms
        .entries()
        .filter(|e| e.on_hand_deltas().values().any(|d| *d != 0))
        .collect();
    wms_entries.sort_by_key(|e| e.sequence);
    for entry in wms_entries {
        let queue = pending.get_mut(entry.cause.order_code.as_str());
        let effective = queue
            .and_then(|q| {
                while q.front().is_some_and(|s| *s < entry.sequence) {
                    q.pop_front();
                }
                q.pop_front()
            })
            .unwrap_or(entry.sequence);
        merged.push((effective, entry.sequence, false, entry));
    }
    merged.sort_by_key(|(effective, own, _, _)| (*effective, *own));

    // Entries with the same effective sequence apply together; then each
    // slot they touched is compared.
    let mut held: BTreeMap<StockSlot, (i64, i64)> = BTreeMap::new();
    let mut since_equal: BTreeMap<StockSlot, Option<Divergence>> = BTreeMap::new();
    for group in merged.chunk_by(|a, b| a.0 == b.0) {
        let mut touched: BTreeMap<StockSlot, &LedgerEntry> = BTreeMap::new();
        for (_, _, is_erp, entry) in group {
            for (slot, delta) in entry.on_hand_deltas() {
                let (e, w) = held.entry(slot.clone()).or_insert((0, 0));
                if *is_erp {
                    *e += delta;
                } else {
                    *w += delta;
                }
                touched.entry(slot).or_insert(entry);
            }
        }
        for (slot, entry) in touched {
            let (e, w) = held[&slot];
            let mark = since_equal.entry(slot).or_insert(None);
            if e == w {
                *mark = None;
            } else if mark.is_none() {
                *mark = Some(Divergence {
                    sequence: entry.sequence,
                    cause: entry.cause.clone(),
                });
            }
        }
    }
    since_equal
        .into_iter()
        .filter_map(|(slot, d)| d.map(|d| (slot, d)))
        .collect()
}

/// One row per (item, inventory type) any of the three sources knows.
pub fn stock_rows(
    erp: &Ledger,
    wms: &Ledger,
    receipts: &[Receipt],
    expected: &Expectation,
) -> Vec<StockRow> {
    let erp_totals = erp.snapshot();
    let wms_totals = wms.snapshot();
    let divergences = first_divergences(erp, wms, receipts);
    let slots: BTreeSet<&StockSlot> = erp_totals
        .keys()
        .chain(wms_totals.keys())
        .chain(expected.stock.keys())
        .collect();

    slots
        .into_iter()
        .map(|slot| {
            let erp_qty = erp_totals.get(slot).map_or(0, |b| b.on_hand);
            let wms_qty = wms_totals.get(slot).map_or(0, |b| b.on_hand);
            StockRow {
                item_code: slot.0.to_string(),
                inventory_type: slot.1.qimen_code().to_owned(),
                erp_qty,
                wms_qty,
                expected_qty: expected.expected(&slot.0, slot.1),
                diff: erp_qty - wms_qty,
                first_divergence: divergences
                    .get(slot)
                    .map(Divergence::describe)
                    .unwrap_or_default(),
            }
        })
        .collect()
}

/// Serial numbers seen on receipts, shipments and returns.
#[derive(Debug, Clone, Default)]
pub struct SerialAudit {
    received: HashSet<String>,
    /// Shipped and not brought back.
    out: HashSet<String>,
    problems: Vec<String>,
}

impl SerialAudit {
    pub fn receive(&mut self, serial: &str) {
        self.received.insert(serial.to_owned());
    }

    /// One order's shipment: `qty` units of serial-managed items went out
    /// with these serials.
    pub fn ship(&mut self, order_code: &str, qty: u32, serials: &[String]) {
        if serials.len() != qty as usize {
            let n = serials.len();
            self.problems
                .push(format!("{order_code}: {n} serials for {qty} shipped"));
        }
        for serial in serials {
            if !self.received.contains(serial) {
                self.problems
                    .push(format!("{order_code}: {serial} never received"));
            }
            if !self.out.insert(serial.clone()) {
                self.problems
                    .push(format!("{order_code}: {serial} shipped twice"));
            }
        }
    }

    /// Serials a return brought back: they may ship again.
    pub fn bring_back(&mut self, serials: &[String]) {
        for serial in serials {
            self.out.remove(serial);
            self.received.insert(serial.clone());
        }
    }

    pub fn problems(&self) -> &[String] {
        &self.problems
    }
}

/// What the checks need besides the stock rows.
#[derive(Debug, Clone, Default)]
pub struct RunFacts {
    /// Uncancelled planned orders per flow.
    pub planned: BTreeMap<OrderType, u64>,
    pub flows: BTreeMap<OrderType, FlowStats>,
    pub serials: SerialAudit,
}

/// Evaluate the scenario's expectations.
pub fn evaluate(expect: &Expectations, stock: &[StockRow], facts: &RunFacts) -> Vec<CheckRow> {
    let mut rows = Vec::new();
    let row = |check: &str, problems: Vec<String>| CheckRow {
        check: check.to_owned(),
        passed: problems.is_empty(),
        detail: problems.join("; "),
    };

    if expect.all_flows_complete {
        let problems = facts
            .planned
            .iter()
            .filter_map(|(t, planned)| {
                let stats = facts.flows.get(t).copied().unwrap_or_default();
                (stats.completed < *planned || stats.failed > 0).then(|| {
                    let (done, failed) = (stats.completed, stats.failed);
                    format!("{t}: {done} of {planned} complete, {failed} failed")
                })
            })
            .collect();
        rows.push(row("all_flows_complete", problems));
    }
    if expect.stock_consistent {
        let problems = stock
            .iter()
            .filter(|r| r.erp_qty != r.wms_qty || r.wms_qty != r.expected_qty)
            .map(|r| {
                let at = &r.first_divergence;
                format!(
                    "{}/{} erp {} wms {} expected {}{}",
                    r.item_code,
                    r.inventory_type,
                    r.erp_qty,
                    r.wms_qty,
                    r.expected_qty,
                    if at.is_empty() {
                        String::new()
                    } else {
                        format!(" since {at}")
                    }
                )
            })
            .collect();
        rows.push(row("stock_consistent", problems));
    }
    if let Some(items) = &expect.drift_detected {
        rows.push(drift_check(items.as_deref(), stock));
    }
    if expect.serials_consistent {
        rows.push(row("serials_consistent", facts.serials.problems().to_vec()));
    }
    if let Some(max) = expect.max_failed {
        let failed: u64 = facts.flows.values().map(|s| s.failed).sum();
        let problems = (failed > max)
            .then(|| format!("{failed} failed, at most {max} allowed"))
            .into_iter()
            .collect();
        rows.push(row("max_failed", problems));
    }
    for (t, limit) in &expect.max_p99_ms {
        let p99 = facts.flows.get(t).map_or(0.0, |s| s.latency.p99_ms);
        let problems = (p99 > *limit as f64)
            .then(|| format!("p99 {p99:.1} ms above {limit} ms"))
            .into_iter()
            .collect();
        rows.push(row(&format!("max_p99_ms {t}"), problems));
    }
    rows
}

fn drift_check(items: Option<&[ItemCode]>, stock: &[StockRow]) -> CheckRow {
    let drifting: Vec<&StockRow> = stock.iter().filter(|r| r.diff != 0).collect();
    let names: BTreeSet<&str> = drifting.iter().map(|r| r.item_code.as_str()).collect();
    let found = drifting
        .iter()
        .map(|r| {
            format!(
                "{}/{} diff {} since {}",
                r.item_code, r.inventory_type, r.diff, r.first_divergence
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    let passed = match items {
        None => !drifting.is_empty(),
        Some(expected) => {
            let expected: BTreeSet<&str> = expected.iter().map(|c| c.0.as_str()).collect();
            !drifting.is_empty() && expected == names
        }
    };
    let detail = match (passed, items) {
        (true, _) => found,
        (false, Some(expected)) => {
            let expected: Vec<&str> = expected.iter().map(|c| c.0.as_str()).collect();
            format!(
                "expected drift on {}; found: {}",
                expected.join(", "),
                found
            )
        }
        (false, None) => "no drift found".to_owned(),
    };
    CheckRow {
        check: "drift_detected".to_owned(),
        passed,
        detail,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mocks::ledger::{LineOp, Movement, MovementKey, MovementLine, SequenceClock, StockKey};

    fn apply(ledger: &mut Ledger, party: &str, message: &str, order: &str, op: LineOp) {
        let key = MovementKey {
            message: message.into(),
            order_code: order.into(),
            out_biz_code: format!("{order}-{message}"),
        };
        let line = MovementLine::new(StockKey::new("DM1001", InventoryType::Good), op);
        ledger
            .apply(Movement {
                cause: Cause::of(&key, party),
                key,
                lines: vec![line],
            })
            .unwrap();
    }

    // ERP credits a planned return of 4 at creation; the WMS receives 3.
    fn drifted_ledgers() -> (Ledger, Ledger) {
        let clock = SequenceClock::new();
        let mut erp = Ledger::with_clock(clock.clone());
        let mut wms = Ledger::with_clock(clock);
        apply(&mut wms, "wms", "opening", "OPEN", LineOp::Receive(10));
        apply(&mut erp, "erp", "opening", "OPEN", LineOp::Receive(10));
        apply(
            &mut wms,
            "wms",
            "deliveryorder.confirm",
            "SO1",
            LineOp::Ship(2),
        );
        apply(
            &mut erp,
            "erp",
            "deliveryorder.confirm",
            "SO1",
            LineOp::Ship(2),
        );
        apply(
            &mut erp,
            "erp",
            "returnorder.create",
            "TH1",
            LineOp::Receive(4),
        );
        apply(
            &mut wms,
            "wms",
            "returnorder.confirm",
            "TH1",
            LineOp::Receive(3),
        );
        (erp, wms)
    }

    #[test]
    fn transient_difference_is_not_a_divergence() {
        let (erp, wms) = {
            let clock = SequenceClock::new();
            let mut erp = Ledger::with_clock(clock.clone());
            let mut wms = Ledger::with_clock(clock);
            apply(
                &mut wms,
                "wms",
                "entryorder.confirm",
                "CG1",
                LineOp::Receive(5),
            );
            apply(
                &mut erp,
                "erp",
                "entryorder.confirm",
                "CG1",
                LineOp::Receive(5),
            );
            (erp, wms)
        };

        assert!(first_divergences(&erp, &wms, &[]).is_empty());
    }

    #[test]
    fn divergence_names_the_return_created_before_the_short_receipt() {
        let (erp, wms) = drifted_ledgers();

        let divergences = first_divergences(&erp, &wms, &[]);

        let d = &divergences[&(ItemCode::from("DM1001"), InventoryType::Good)];
        assert_eq!(d.describe(), "TH1 returnorder.create");
        assert_eq!(d.cause.party, "erp");
    }

    /// Two books on one clock, and the ERP's receipts, written in the
    /// order things happen.
    struct Books {
        clock: SequenceClock,
        erp: Ledger,
        wms: Ledger,
        receipts: Vec<Receipt>,
    }

    impl Books {
        /// Both books open with 10 DM1001.
        fn opened() -> Books {
            let clock = SequenceClock::new();
            let mut books = Books {
                erp: Ledger::with_clock(clock.clone()),
                wms: Ledger::with_clock(clock.clone()),
                clock,
                receipts: Vec::new(),
            };
            books.wms("opening", "OPEN", LineOp::Receive(10));
            books.erp("opening", "OPEN", LineOp::Receive(10));
            books
        }

        fn wms(&mut self, message: &str, order: &str, op: LineOp) -> &mut Books {
            apply(&mut self.wms, "wms", message, order, op);
            self
        }

        fn erp(&mut self, message: &str, order: &str, op: LineOp) -> &mut Books {
            apply(&mut self.erp, "erp", message, order, op);
            self
        }

        fn erp_receives(&mut self, order: &str) -> &mut Books {
            let sequence = self.clock.tick();
            let order_code = order.into();
            self.receipts.push(Receipt {
                sequence,
                order_code,
            });
            self
        }

        fn divergence(&self, receipts: &[Receipt]) -> Option<String> {
            let slot = (ItemCode::from("DM1001"), InventoryType::Good);
            first_divergences(&self.erp, &self.wms, receipts)
                .get(&slot)
                .map(Divergence::describe)
        }
    }

    #[test]
    fn a_receipt_in_flight_is_not_blamed_for_a_credit_booked_after_it() {
        // The WMS books the short receipt before the ERP books its credit
        // for the accepted create; the ERP receives the confirm last.
        let mut books = Books::opened();
        books
            .wms("WMS_STOCK_IN_ORDER_CONFIRM", "TH1", LineOp::Receive(3))
            .erp("returnorder.create", "TH1", LineOp::Receive(4))
            .erp_receives("TH1");

        let in_flight = books.divergence(&books.receipts);
        let as_booked = books.divergence(&[]);

        assert_eq!(in_flight.as_deref(), Some("TH1 returnorder.create"));
        assert_eq!(as_booked.as_deref(), Some("TH1 WMS_STOCK_IN_ORDER_CONFIRM"));
    }

    #[test]
    fn a_confirm_the_erp_never_received_is_named() {
        let mut books = Books::opened();
        books
            .wms("WMS_CONSIGN_ORDER_CONFIRM", "SO1", LineOp::Ship(2))
            .erp_receives("SO1")
            .erp("deliveryorder.confirm", "SO1", LineOp::Ship(2))
            .wms("WMS_CONSIGN_ORDER_CONFIRM", "SO2", LineOp::Ship(1))
            .wms("WMS_CONSIGN_ORDER_CONFIRM", "SO3", LineOp::Ship(1))
            .erp_receives("SO3")
            .erp("deliveryorder.confirm", "SO3", LineOp::Ship(1));
        books.receipts.reverse();

        let divergence = books.divergence(&books.receipts);

        assert_eq!(divergence.as_deref(), Some("SO2 WMS_CONSIGN_ORDER_CONFIRM"));
    }

    #[test]
    fn a_reservation_does_not_take_the_receipt_of_its_shipment() {
        // Two orders of the same item shipped by the WMS; the ERP got only
        // the first confirm. Reservations at intake move nothing on hand.
        let mut books = Books::opened();
        books
            .wms("WMS_CONSIGN_ORDER_NOTIFY", "SO1", LineOp::Lock(2))
            .wms("WMS_CONSIGN_ORDER_NOTIFY", "SO2", LineOp::Lock(1))
            .wms("WMS_CONSIGN_ORDER_CONFIRM", "SO1", LineOp::ShipLocked(2))
            .wms("WMS_CONSIGN_ORDER_CONFIRM", "SO2", LineOp::ShipLocked(1))
            .erp("deliveryorder.confirm", "SO1", LineOp::Ship(2))
            .erp_receives("SO1");

        let divergence = books.divergence(&books.receipts);

        assert_eq!(divergence.as_deref(), Some("SO2 WMS_CONSIGN_ORDER_CONFIRM"));
    }

    #[test]
    fn stock_rows_show_each_book_and_the_expectation() {
        let (erp, wms) = drifted_ledgers();
        let item = ItemCode::from("DM1001");
        let mut expected = Expectation::new();
        expected.set_opening(&item, InventoryType::Good, 10);
        expected.ship(&item, InventoryType::Good, 2);
        expected.receive(&item, InventoryType::Good, 3);

        let rows = stock_rows(&erp, &wms, &[], &expected);

        assert_eq!(
            rows,
            vec![StockRow {
                item_code: "DM1001".into(),
                inventory_type: "ZP".into(),
                erp_qty: 10 - 2 + 4,
                wms_qty: 10 - 2 + 3,
                expected_qty: 11,
                diff: 1,
                first_divergence: "TH1 returnorder.create".into(),
            }]
        );
    }

    #[test]
    fn checks_pass_and_fail_with_the_failing_items_named() {
        let (erp, wms) = drifted_ledgers();
        let rows = stock_rows(&erp, &wms, &[], &Expectation::new());
        let consistent = Expectations {
            stock_consistent: true,
            ..Expectations::default()
        };
        let drift = Expectations {
            drift_detected: Some(Some(vec![ItemCode::from("DM1001")])),
            ..Expectations::default()
        };
        let wrong_drift = Expectations {
            drift_detected: Some(Some(vec![ItemCode::from("ZL2018")])),
            ..Expectations::default()
        };

        let consistent = evaluate(&consistent, &rows, &RunFacts::default());
        let drift = evaluate(&drift, &rows, &RunFacts::default());
        let wrong = evaluate(&wrong_drift, &rows, &RunFacts::default());

        assert!(!consistent[0].passed);
        assert!(consistent[0]
            .detail
            .starts_with("DM1001/ZP erp 12 wms 11 expected 0"));
        assert!(drift[0].passed, "{:?}", drift[0]);
        assert!(drift[0].detail.contains("since TH1 returnorder.create"));
        assert!(!wrong[0].passed);
        assert!(wrong[0].detail.starts_with("expected drift on ZL2018"));
    }

    #[test]
    fn incomplete_flows_and_serial_problems_are_reported() {
        let mut facts = RunFacts::default();
        facts.planned.insert(OrderType::SalesDelivery, 3);
        facts.flows.insert(
            OrderType::SalesDelivery,
            FlowStats {
                started: 3,
                completed: 2,
                failed: 1,
                ..FlowStats::default()
            },
        );
        facts.serials.receive("SN1");
        facts.serials.receive("SN2");
        facts.serials.ship("SO1", 2, &["SN1".into(), "SN9".into()]);
        facts.serials.ship("SO2", 1, &["SN1".into()]);
        // Returned, then shipped again: not a double shipment.
        facts.serials.ship("SO3", 2, &["SN2".into()]);
        facts.serials.bring_back(&["SN2".into()]);
        facts.serials.ship("SO4", 1, &["SN2".into()]);
        let expect = Expectations {
            all_flows_complete: true,
            serials_consistent: true,
            max_failed: Some(0),
            ..Expectations::default()
        };

        let rows = evaluate(&expect, &[], &facts);

        assert_eq!(rows[0].detail, "201: 2 of 3 complete, 1 failed");
        assert_eq!(
            rows[1].detail,
            "SO1: SN9 never received; SO2: SN1 shipped twice; SO3: 1 serials for 2 shipped"
        );
        assert_eq!(rows[2].detail, "1 failed, at most 0 allowed");
        assert!(rows.iter().all(|r| !r.passed));
    }
}
