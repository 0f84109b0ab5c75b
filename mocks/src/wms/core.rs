//! The mock WMS's warehouse logic on domain values, without IO.
//!
//! [`WmsCore`] holds the item master, the stock [`Ledger`] (per item,
//! inventory type and batch), the lots and serial numbers in stock, and
//! every order it was sent. It takes domain values in ([`Order`],
//! [`Cancel`], count lines) and hands back [`WmsMessage`]s: the status
//! uploads, confirms and stock adjustments the HTTP side must send. Time
//! passes outside: the caller asks [`WmsCore::next_delay`] how long the
//! next step of an order takes, waits, then calls [`WmsCore::advance`].
//!
//! Warehouse rules modelled here:
//! - outbound orders reserve stock on intake, batch by batch, first expiry
//!   first out (FEFO), and reserve serial numbers held for SN items; on a
//!   shortage they ship what there is and report `WMS_LACK`, or are
//!   rejected, as the behaviour says;
//! - inbound orders receive short or defective quantities when the
//!   behaviour draws so, assign batches with production and expiry dates,
//!   capture serial numbers, and may confirm in several partial confirms;
//! - a cancel is honoured until the goods leave (outbound: before
//!   `WMS_CONSIGN`) or arrive (inbound: before `WMS_RECEIVED`).
//!
//! # Known gaps
//! Orders split over several notifies (`batchSendCtrlParam`) and kitting
//! are not modelled. Items never synchronised are handled as plain items:
//! no batches, no serial numbers, no shelf life.
//!
//! Every order is kept whole for the run, finished or not, so re-pushes
//! and late cancels are answered right; memory grows with the number of
//! orders a run sends.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::Duration;

use super::plan::{self, PlannedStep};
pub use super::stock::OpeningStock;
use super::stock::Stock;
use crate::behaviour::WmsBehaviour;
use crate::domain::{
    AdjustmentLine, Cancel, Confirm, Direction, InventoryType, Item, ItemCode, Order, OrderStatus,
    OrderType, StatusReport, StockAdjustment,
};
use crate::ledger::{Balance, Ledger, LedgerError, LineOp, MovementLine, StockKey};
use crate::mapping;

/// Ledger message name for releasing a cancelled order's reservation.
const CANCEL: &str = "WMS_ORDER_CANCEL_NOTIFY";

/// What the WMS must send to the gateway.
#[derive(Debug, Clone, PartialEq)]
pub enum WmsMessage {
    /// `WMS_ORDER_STATUS_UPLOAD`.
    Status(StatusReport),
    /// `WMS_STOCK_IN_ORDER_CONFIRM`, `WMS_STOCK_OUT_ORDER_CONFIRM` or
    /// `WMS_CONSIGN_ORDER_CONFIRM`, after the order type.
    Confirm(Confirm),
    /// `WMS_INVENTORY_COUNT` when it has an order type (701/702),
    /// `WMS_INVENTORY_ADJUST_UPLOAD` otherwise.
    Adjustment(StockAdjustment),
}

/// How the WMS took a notified order.
#[derive(Debug, Clone, PartialEq)]
pub enum Intake {
    /// The order is new and its steps are planned; drive it with
    /// [`WmsCore::next_delay`] and [`WmsCore::advance`].
    Accepted,
    /// The order code is known already; nothing changed.
    Duplicate,
    /// The order is refused; send `report` (`WMS_REJECT`).
    Rejected {
        reason: String,
        report: StatusReport,
    },
}

/// The answer to a cancel request.
#[derive(Debug, Clone, PartialEq)]
pub enum CancelOutcome {
    /// Stopped; reservations freed. Send `report` (`WMS_CANCEL`).
    Cancelled { report: StatusReport },
    /// Cancelled before; nothing changed.
    AlreadyCancelled,
    /// The goods already moved; the order was at `status`.
    TooLate { status: OrderStatus },
    /// No order with this code was notified.
    Unknown,
}

/// Where an order stands in the warehouse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Working,
    Done,
    Cancelled,
    Rejected,
}

/// An order's state as the driver and tests read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderState {
    pub phase: Phase,
    /// The last status reported, if any.
    pub status: Option<OrderStatus>,
}

/// What went wrong applying a driver request or advancing an order.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum WmsError {
    #[error("order {order_code} was never notified")]
    UnknownOrder { order_code: String },
    #[error("order {order_code} has no step left ({phase:?})")]
    OrderClosed { order_code: String, phase: Phase },
    #[error("{what}: {source}")]
    Ledger {
        what: String,
        #[source]
        source: LedgerError,
    },
    #[error("{item_code}/{inventory_type}: {requested} requested, {available} available")]
    InsufficientStock {
        item_code: ItemCode,
        inventory_type: InventoryType,
        requested: u64,
        available: u64,
    },
    #[error("moving {item_code} from {inventory_type} to the same inventory type")]
    MoveToSameType {
        item_code: ItemCode,
        inventory_type: InventoryType,
    },
}

/// Stock reserved for one outbound line in one batch.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Pick {
    pub(super) line_index: usize,
    pub(super) key: StockKey,
    pub(super) qty: u32,
    pub(super) serials: Vec<String>,
}

#[derive(Debug, Clone)]
pub(super) struct OrderRecord {
    pub(super) order: Order,
    pub(super) phase: Phase,
    pub(super) status: Option<OrderStatus>,
    pub(super) steps: VecDeque<PlannedStep>,
    pub(super) picks: Vec<Pick>,
    /// Outbound lines not fully reserved: (line index, units short).
    pub(super) lack: Vec<(usize, u32)>,
}

/// The warehouse: see the module docs.
#[derive(Debug, Clone)]
pub struct WmsCore {
    pub(super) seed: u64,
    pub(super) behaviour: WmsBehaviour,
    pub(super) stock: Stock,
    pub(super) orders: HashMap<String, OrderRecord>,
}

impl WmsCore {
    /// An empty warehouse deciding with `behaviour`, seeded by `seed`.
    pub fn new(seed: u64, behaviour: WmsBehaviour) -> WmsCore {
        WmsCore {
            seed,
            behaviour,
            stock: Stock::default(),
            orders: HashMap::new(),
        }
    }

    /// As [`WmsCore::new`], booking stock in `ledger` (for example one on
    /// a sequence clock shared with the ERP's ledger).
    pub fn with_ledger(seed: u64, behaviour: WmsBehaviour, ledger: Ledger) -> WmsCore {
        WmsCore {
            stock: Stock::with_ledger(ledger),
            ..WmsCore::new(seed, behaviour)
        }
    }

    /// Adds or replaces an item in the master (`WMS_SKU_INFO_NOTIFY`).
    pub fn upsert_item(&mut self, item: Item) {
        self.stock.upsert_item(item);
    }

    pub fn item(&self, item_code: &ItemCode) -> Option<&Item> {
        self.stock.item(item_code)
    }

    /// The stock: ledger, lots, serial numbers.
    pub fn stock(&self) -> &Stock {
        &self.stock
    }

    /// Loads stock present before the run; see [`Stock::set_opening_stock`].
    pub fn set_opening_stock(&mut self, stock: &[OpeningStock]) -> Result<(), WmsError> {
        self.stock.set_opening_stock(stock)
    }

    /// Applies counted differences; see [`Stock::count`].
    pub fn count(
        &mut self,
        lines: &[AdjustmentLine],
        now: &str,
    ) -> Result<Vec<StockAdjustment>, WmsError> {
        self.stock.count(lines, now)
    }

    /// Applies counted differences under a chosen code; see
    /// [`Stock::count_as`].
    pub fn count_as(
        &mut self,
        code: &str,
        lines: &[AdjustmentLine],
        now: &str,
    ) -> Result<Vec<StockAdjustment>, WmsError> {
        self.stock.count_as(code, lines, now)
    }

    /// Moves stock between inventory types; see
    /// [`Stock::move_inventory_type`].
    pub fn move_inventory_type(
        &mut self,
        item_code: &ItemCode,
        from: InventoryType,
        to: InventoryType,
        qty: u32,
        now: &str,
    ) -> Result<StockAdjustment, WmsError> {
        self.stock
            .move_inventory_type(item_code, from, to, qty, now)
    }

    /// Totals per (item, inventory type), summed over batches.
    pub fn ledger_snapshot(&self) -> BTreeMap<(ItemCode, InventoryType), Balance> {
        self.stock.ledger_snapshot()
    }

    pub fn ledger(&self) -> &Ledger {
        self.stock.ledger()
    }

    /// Every serial number received, in order of receipt.
    pub fn serials_received(&self) -> &[String] {
        self.stock.serials_received()
    }

    /// Every serial number shipped, in order of shipment.
    pub fn serials_shipped(&self) -> &[String] {
        self.stock.serials_shipped()
    }

    /// Takes a notified order. A known order code is a re-push: it changes
    /// nothing. Outbound orders reserve their stock here.
    pub fn receive_order(&mut self, order: Order, now: &str) -> Intake {
        if self.orders.contains_key(&order.order_code) {
            return Intake::Duplicate;
        }
        let direction = order.order_type.direction();
        let steps = plan::plan_steps(
            &self.behaviour,
            self.seed,
            &order.order_code,
            order.order_type,
        );
        let mut record = OrderRecord {
            order,
            phase: Phase::Working,
            status: None,
            steps: steps.into(),
            picks: Vec::new(),
            lack: Vec::new(),
        };

        let refusal = match direction {
            Direction::Count => Some("counts are raised by the warehouse, not notified".to_owned()),
            Direction::Inbound => None,
            Direction::Outbound => self.reserve(&mut record).err(),
        };
        let code = record.order.order_code.clone();
        if let Some(reason) = refusal {
            let report = status_report(&record.order, OrderStatus::Reject, now, Some(&reason));
            record.phase = Phase::Rejected;
            record.status = Some(OrderStatus::Reject);
            record.steps.clear();
            self.orders.insert(code, record);
            return Intake::Rejected { reason, report };
        }
        self.orders.insert(code, record);
        Intake::Accepted
    }

    /// How long the order's next step takes, or `None` when it has none
    /// left (done, cancelled, rejected, unknown).
    pub fn next_delay(&self, order_code: &str) -> Option<Duration> {
        let record = self.orders.get(order_code)?;
        if record.phase != Phase::Working {
            return None;
        }
        record.steps.front().map(|s| s.delay)
    }

    /// Performs the order's next step and returns what to send: its status
    /// upload and, after the last step, the confirm(s).
    pub fn advance(&mut self, order_code: &str, now: &str) -> Result<Vec<WmsMessage>, WmsError> {
        let record = self
            .orders
            .get_mut(order_code)
            .ok_or_else(|| WmsError::UnknownOrder {
                order_code: order_code.to_owned(),
            })?;
        let step = match (record.phase, record.steps.front()) {
            (Phase::Working, Some(step)) => *step,
            (phase, _) => {
                return Err(WmsError::OrderClosed {
                    order_code: order_code.to_owned(),
                    phase,
                })
            }
        };

        let mut out = vec![WmsMessage::Status(status_report(
            &record.order,
            step.status,
            now,
            None,
        ))];
        if step.status == OrderStatus::Accept && !record.lack.is_empty() {
            let remark = lack_remark(&record.order, &record.lack);
            let lack = status_report(&record.order, OrderStatus::Lack, now, Some(&remark));
            out.push(WmsMessage::Status(lack));
        }
        let last = record.steps.len() == 1;
        if last {
            let confirms = match record.order.order_type.direction() {
                Direction::Outbound => vec![self.ship(order_code, now)?],
                _ => self.receive(order_code, now)?,
            };
            out.extend(confirms.into_iter().map(WmsMessage::Confirm));
        }

        let record = self
            .orders
            .get_mut(order_code)
            .expect("the order was found above and orders are never removed");
        record.steps.pop_front();
        record.status = Some(step.status);
        if last {
            record.phase = Phase::Done;
        }
        Ok(out)
    }

    /// Cancels an order if its goods have not moved yet; frees what it
    /// reserved.
    pub fn cancel(&mut self, cancel: &Cancel, now: &str) -> CancelOutcome {
        let Some(record) = self.orders.get(&cancel.order_code) else {
            return CancelOutcome::Unknown;
        };
        match record.phase {
            Phase::Cancelled => return CancelOutcome::AlreadyCancelled,
            Phase::Done | Phase::Rejected => {
                return CancelOutcome::TooLate {
                    status: record.status.unwrap_or(OrderStatus::Reject),
                }
            }
            Phase::Working => {}
        }
        if let Some(status @ (OrderStatus::Received | OrderStatus::OnSale)) = record.status {
            return CancelOutcome::TooLate { status };
        }

        let picks = record.picks.clone();
        let code = cancel.order_code.clone();
        let unlock: Vec<_> = picks
            .iter()
            .map(|p| MovementLine::new(p.key.clone(), LineOp::Unlock(p.qty)))
            .collect();
        if !unlock.is_empty() {
            self.stock
                .apply(CANCEL, &code, &code, unlock)
                .expect("a reservation made on intake can be released");
        }
        for pick in picks {
            self.stock.hold_serials(&pick.key, pick.serials, false);
        }
        let record = self.orders.get_mut(&code).expect("looked up above");
        record.phase = Phase::Cancelled;
        record.status = Some(OrderStatus::Cancel);
        record.steps.clear();
        record.picks.clear();
        let report = status_report(
            &record.order,
            OrderStatus::Cancel,
            now,
            cancel.reason.as_deref(),
        );
        CancelOutcome::Cancelled { report }
    }

    pub fn order_state(&self, order_code: &str) -> Option<OrderState> {
        self.orders.get(order_code).map(|r| OrderState {
            phase: r.phase,
            status: r.status,
        })
    }

    /// The last status reported for an order.
    pub fn order_status(&self, order_code: &str) -> Option<OrderStatus> {
        self.orders.get(order_code).and_then(|r| r.status)
    }

    pub fn order(&self, order_code: &str) -> Option<&Order> {
        self.orders.get(order_code).map(|r| &r.order)
    }
}

/// The notify message an order type arrives with.
pub(super) fn notify_message(order_type: OrderType) -> &'static str {
    mapping::route_of(order_type)
        .cainiao
        .notify_msg_type()
        .unwrap_or("WMS_INVENTORY_COUNT")
}

/// The WMS's own order number (`storeOrderCode`).
pub(super) fn wms_order_id(order_code: &str) -> String {
    format!("W{order_code}")
}

fn status_report(
    order: &Order,
    status: OrderStatus,
    now: &str,
    remark: Option<&str>,
) -> StatusReport {
    StatusReport {
        order_code: order.order_code.clone(),
        order_type: order.order_type,
        status,
        operated_at: now.to_owned(),
        remark: remark.map(str::to_owned),
    }
}

/// `item_code short n` for each short line, `;`-separated.
pub(super) fn lack_remark(order: &Order, lack: &[(usize, u32)]) -> String {
    lack.iter()
        .map(|(index, short)| format!("{} short {short}", order.lines[*index].item_code))
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::domain::{ConfirmType, Lot};
    use crate::wms::testkit::*;

    #[test]
    fn purchase_walks_inbound_steps_then_confirms_and_stocks_a_dated_batch() {
        let mut core = core_with(WmsBehaviour::default());
        let purchase = order("CGRK1", OrderType::Purchase, vec![line("1", "DM1001", 40)]);

        let intake = core.receive_order(purchase, NOW);
        let out = run(&mut core, "CGRK1");

        assert_eq!(intake, Intake::Accepted);
        assert_eq!(
            statuses(&out),
            vec![
                OrderStatus::Accept,
                OrderStatus::Arrive,
                OrderStatus::Received,
                OrderStatus::OnSale
            ]
        );
        let confirms = confirms(&out);
        assert_eq!(confirms.len(), 1);
        assert_eq!(confirms[0].confirm_type, ConfirmType::Final);
        let received = &confirms[0].lines[0];
        assert_eq!(received.actual_qty, 40);
        let produced =
            NaiveDate::parse_from_str(received.lot.product_date.as_ref().unwrap(), "%Y-%m-%d")
                .unwrap();
        let expires =
            NaiveDate::parse_from_str(received.lot.expire_date.as_ref().unwrap(), "%Y-%m-%d")
                .unwrap();
        assert_eq!((expires - produced).num_days(), 365);
        assert!(produced <= NaiveDate::from_ymd_opt(2024, 3, 16).unwrap());
        assert_eq!(on_hand(&core, "DM1001", InventoryType::Good), 40);
        assert_eq!(core.order_state("CGRK1").unwrap().phase, Phase::Done);
    }

    #[test]
    fn re_pushed_order_is_a_duplicate_and_changes_nothing() {
        let mut core = core_with(WmsBehaviour::default());
        let purchase = order("CGRK1", OrderType::Purchase, vec![line("1", "DM1001", 5)]);
        core.receive_order(purchase.clone(), NOW);
        run(&mut core, "CGRK1");

        let again = core.receive_order(purchase, NOW);

        assert_eq!(again, Intake::Duplicate);
        assert_eq!(core.next_delay("CGRK1"), None);
        assert_eq!(on_hand(&core, "DM1001", InventoryType::Good), 5);
    }

    #[test]
    fn cancel_before_consign_frees_the_reservation() {
        let mut core = core_with(WmsBehaviour::default());
        core.set_opening_stock(&[opening("DM1001", Lot::default(), 5)])
            .unwrap();
        let delivery = order(
            "SO1",
            OrderType::SalesDelivery,
            vec![line("1", "DM1001", 4)],
        );
        core.receive_order(delivery.clone(), NOW);
        core.advance("SO1", NOW).unwrap();
        let key = StockKey::new("DM1001", InventoryType::Good);
        assert_eq!(core.ledger().balance(&key).locked, 4);

        let outcome = core.cancel(&cancel_of(&delivery), NOW);
        let repeated = core.cancel(&cancel_of(&delivery), NOW);

        let CancelOutcome::Cancelled { report } = outcome else {
            panic!("expected the cancel to be honoured, got {outcome:?}");
        };
        assert_eq!(report.status, OrderStatus::Cancel);
        assert_eq!(repeated, CancelOutcome::AlreadyCancelled);
        assert_eq!(core.ledger().balance(&key).locked, 0);
        assert_eq!(core.ledger().balance(&key).on_hand, 5);
        assert_eq!(core.next_delay("SO1"), None);
        assert!(core.advance("SO1", NOW).is_err());
    }

    #[test]
    fn cancel_after_consign_is_too_late_and_changes_nothing() {
        let mut core = core_with(WmsBehaviour::default());
        core.set_opening_stock(&[opening("DM1001", Lot::default(), 5)])
            .unwrap();
        let delivery = order(
            "SO1",
            OrderType::SalesDelivery,
            vec![line("1", "DM1001", 4)],
        );
        core.receive_order(delivery.clone(), NOW);
        run(&mut core, "SO1");

        let outcome = core.cancel(&cancel_of(&delivery), NOW);

        assert_eq!(
            outcome,
            CancelOutcome::TooLate {
                status: OrderStatus::Consign
            }
        );
        assert_eq!(on_hand(&core, "DM1001", InventoryType::Good), 1);
        assert_eq!(
            core.cancel(
                &Cancel {
                    order_code: "NOPE".into(),
                    ..cancel_of(&delivery)
                },
                NOW
            ),
            CancelOutcome::Unknown
        );
    }

    fn cancel_of(order: &Order) -> Cancel {
        Cancel {
            order_code: order.order_code.clone(),
            order_type: order.order_type,
            warehouse_code: order.warehouse_code.clone(),
            owner_code: order.owner_code.clone(),
            reason: None,
        }
    }

    #[test]
    fn same_seed_gives_same_decisions_whatever_the_arrival_order() {
        let behaviour = WmsBehaviour {
            short_receipt_rate: 0.5,
            defective_receipt_rate: 0.5,
            partial_confirm_rate: 0.5,
            ..WmsBehaviour::default()
        };
        let codes = ["CGRK1", "CGRK2", "CGRK3", "CGRK4"];
        let mut forward = core_with(behaviour.clone());
        let mut backward = core_with(behaviour);

        let mut results = Vec::new();
        for (core, order_of) in [
            (&mut forward, codes.to_vec()),
            (&mut backward, codes.iter().rev().copied().collect()),
        ] {
            for code in &order_of {
                core.receive_order(
                    order(code, OrderType::Purchase, vec![line("1", "DM1001", 30)]),
                    NOW,
                );
            }
            let mut by_code = BTreeMap::new();
            for code in order_of {
                by_code.insert(code, confirms(&run(core, code)));
            }
            results.push(by_code);
        }

        assert_eq!(results[0], results[1]);
        assert_eq!(forward.ledger_snapshot(), backward.ledger_snapshot());
    }
}
