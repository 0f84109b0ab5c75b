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

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::Duration;

use chrono::NaiveDate;
use rand::Rng;

use super::plan::{self, PlannedStep};
pub use super::stock::OpeningStock;
use super::stock::Stock;
use crate::behaviour::{ShortageBehaviour, WmsBehaviour};
use crate::domain::{
    AdjustmentLine, Cancel, Confirm, ConfirmLine, ConfirmType, Direction, InventoryType, Item,
    ItemCode, Lot, Order, OrderStatus, OrderType, Package, StatusReport, StockAdjustment,
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
struct Pick {
    line_index: usize,
    key: StockKey,
    qty: u32,
    serials: Vec<String>,
}

#[derive(Debug, Clone)]
struct OrderRecord {
    order: Order,
    phase: Phase,
    status: Option<OrderStatus>,
    steps: VecDeque<PlannedStep>,
    picks: Vec<Pick>,
    /// Outbound lines not fully reserved: (line index, units short).
    lack: Vec<(usize, u32)>,
}

/// The warehouse: see the module docs.
#[derive(Debug, Clone)]
pub struct WmsCore {
    seed: u64,
    behaviour: WmsBehaviour,
    stock: Stock,
    orders: HashMap<String, OrderRecord>,
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

    /// Reserves each line's quantity FEFO, or says why the order is refused.
    fn reserve(&mut self, record: &mut OrderRecord) -> Result<(), String> {
        let mut picks = Vec::new();
        let mut lack = Vec::new();
        // Work on a copy of what is available so lines of the same item in
        // one order do not reserve the same units twice.
        let mut available: HashMap<StockKey, u32> = HashMap::new();
        for (index, line) in record.order.lines.iter().enumerate() {
            let mut wanted = line.plan_qty;
            for key in self.stock.fefo_keys(&line.item_code, line.inventory_type) {
                let left = *available
                    .entry(key.clone())
                    .or_insert_with(|| self.stock.available_units(&key));
                let qty = wanted.min(left);
                if qty == 0 {
                    continue;
                }
                available.insert(key.clone(), left - qty);
                picks.push(Pick {
                    line_index: index,
                    key,
                    qty,
                    serials: Vec::new(),
                });
                wanted -= qty;
            }
            if wanted > 0 {
                lack.push((index, wanted));
            }
        }

        let shipped: u32 = picks.iter().map(|p| p.qty).sum();
        if shipped == 0 {
            return Err(format!(
                "no stock for any line: {}",
                lack_remark(&record.order, &lack)
            ));
        }
        if !lack.is_empty() && self.behaviour.shortage == ShortageBehaviour::Reject {
            return Err(format!("short: {}", lack_remark(&record.order, &lack)));
        }
        let code = record.order.order_code.clone();
        let message = notify_message(record.order.order_type);
        let lock = picks
            .iter()
            .map(|p| MovementLine::new(p.key.clone(), LineOp::Lock(p.qty)))
            .collect();
        self.stock
            .apply(message, &code, &code, lock)
            .map_err(|e| e.to_string())?;
        for pick in &mut picks {
            pick.serials = self.stock.release_serials(&pick.key, pick.qty as usize);
        }
        record.picks = picks;
        record.lack = lack;
        Ok(())
    }

    /// Ships the reserved stock and builds the confirm.
    fn ship(&mut self, order_code: &str, now: &str) -> Result<Confirm, WmsError> {
        let record = &self.orders[order_code];
        let order = record.order.clone();
        let picks = record.picks.clone();
        let route = mapping::route_of(order.order_type);
        let message = route.cainiao.confirm_msg_type();
        let out_biz_code = format!("{order_code}-1");

        let movement = picks
            .iter()
            .map(|p| MovementLine::new(p.key.clone(), LineOp::ShipLocked(p.qty)))
            .collect();
        self.stock
            .apply(message, order_code, &out_biz_code, movement)?;
        for pick in &picks {
            self.stock
                .serials_shipped
                .extend(pick.serials.iter().cloned());
        }

        let mut lines = Vec::new();
        for (index, line) in order.lines.iter().enumerate() {
            let mut line_picks = picks.iter().filter(|p| p.line_index == index).peekable();
            if line_picks.peek().is_none() {
                lines.push(ConfirmLine {
                    line_no: Some(line.line_no.clone()),
                    item_code: line.item_code.clone(),
                    inventory_type: line.inventory_type,
                    plan_qty: Some(line.plan_qty),
                    actual_qty: 0,
                    lot: Lot::default(),
                    serials: Vec::new(),
                });
            }
            for pick in line_picks {
                lines.push(ConfirmLine {
                    line_no: Some(line.line_no.clone()),
                    item_code: line.item_code.clone(),
                    inventory_type: line.inventory_type,
                    plan_qty: Some(line.plan_qty),
                    actual_qty: pick.qty,
                    lot: self.stock.lot_of(&pick.key),
                    serials: pick.serials.clone(),
                });
            }
        }
        Ok(Confirm {
            order_code: order_code.to_owned(),
            order_type: order.order_type,
            wms_order_id: Some(wms_order_id(order_code)),
            out_biz_code,
            confirm_type: ConfirmType::Final,
            confirmed_at: now.to_owned(),
            packages: self.pack(&order, &picks),
            lines,
        })
    }

    /// Splits shipped units over the parcels the behaviour draws; every
    /// parcel gets units, and the parcels' units sum to the lines'.
    fn pack(&self, order: &Order, picks: &[Pick]) -> Vec<Package> {
        let mut per_item: BTreeMap<ItemCode, u32> = BTreeMap::new();
        for pick in picks {
            *per_item.entry(pick.key.item_code.clone()).or_default() += pick.qty;
        }
        let units: u32 = per_item.values().sum();
        let labels = plan::draw_parcels(&self.behaviour, self.seed, &order.order_code, units);

        // Deal units out one at a time, in item order, so that n parcels
        // each get at least one unit whenever units >= n.
        let mut contents: Vec<BTreeMap<ItemCode, u32>> = vec![BTreeMap::new(); labels.len()];
        let mut next = 0;
        for (item, qty) in &per_item {
            for _ in 0..*qty {
                *contents[next].entry(item.clone()).or_default() += 1;
                next = (next + 1) % labels.len();
            }
        }
        labels
            .into_iter()
            .zip(contents)
            .enumerate()
            .map(|(index, (label, items))| Package {
                logistics_code: label.carrier,
                express_code: label.tracking_number,
                package_code: Some(format!("{}-P{}", order.order_code, index + 1)),
                weight_g: self.weigh(&items),
                items: items.into_iter().collect(),
            })
            .collect()
    }

    fn weigh(&self, items: &BTreeMap<ItemCode, u32>) -> Option<u32> {
        let mut total = 0u32;
        for (code, qty) in items {
            let grams = self.stock.items.get(code).and_then(|i| i.gross_weight_g)?;
            total = total.saturating_add(grams.saturating_mul(*qty));
        }
        Some(total)
    }

    /// Receives an inbound order's goods and builds its confirms: the
    /// partial ones (incremental quantities, own outBizCode) then the final.
    fn receive(&mut self, order_code: &str, now: &str) -> Result<Vec<Confirm>, WmsError> {
        let order = self.orders[order_code].order.clone();
        let planned: Vec<u32> = order.lines.iter().map(|l| l.plan_qty).collect();
        let receipts = plan::draw_receipts(&self.behaviour, self.seed, order_code, &planned);
        let parts = plan::draw_confirm_count(&self.behaviour, self.seed, order_code);
        let lots: Vec<Lot> = order
            .lines
            .iter()
            .map(|line| self.receipt_lot(&order, line.line_no.as_str(), line, now))
            .collect();

        // TODO: partial confirms leave together after `WMS_ONSALE`, because
        // one put-away step is modelled; receivers see no time between them.
        let mut confirms = Vec::new();
        let mut serial_cursor = vec![0usize; order.lines.len()];
        for part in 0..parts {
            let final_part = part + 1 == parts;
            let mut lines = Vec::new();
            for (index, line) in order.lines.iter().enumerate() {
                let receipt = receipts[index];
                let buckets = [
                    (line.inventory_type, receipt.good),
                    (InventoryType::Defective, receipt.defective),
                ];
                for (inventory_type, total) in buckets {
                    let qty = plan::split_evenly(total, parts)[part as usize];
                    if qty == 0 {
                        continue;
                    }
                    let serials = if self.stock.is_sn(&line.item_code) {
                        let from = serial_cursor[index];
                        serial_cursor[index] += qty as usize;
                        self.receipt_serials(&order, index, from, qty)
                    } else {
                        Vec::new()
                    };
                    lines.push(ConfirmLine {
                        line_no: Some(line.line_no.clone()),
                        item_code: line.item_code.clone(),
                        inventory_type,
                        plan_qty: Some(line.plan_qty),
                        actual_qty: qty,
                        lot: lots[index].clone(),
                        serials,
                    });
                }
            }
            if lines.is_empty() && !final_part {
                continue;
            }
            let confirm_type = if final_part {
                ConfirmType::Final
            } else {
                ConfirmType::Partial
            };
            let out_biz_code = format!("{order_code}-{}", confirms.len() + 1);
            self.store_receipt(&order, &out_biz_code, &lines)?;
            confirms.push(Confirm {
                order_code: order_code.to_owned(),
                order_type: order.order_type,
                wms_order_id: Some(wms_order_id(order_code)),
                out_biz_code,
                confirm_type,
                confirmed_at: now.to_owned(),
                lines,
                packages: Vec::new(),
            });
        }
        Ok(confirms)
    }

    fn store_receipt(
        &mut self,
        order: &Order,
        out_biz_code: &str,
        lines: &[ConfirmLine],
    ) -> Result<(), WmsError> {
        if lines.is_empty() {
            return Ok(());
        }
        let message = mapping::route_of(order.order_type)
            .cainiao
            .confirm_msg_type();
        let keyed: Vec<(StockKey, &ConfirmLine)> = lines
            .iter()
            .map(|l| {
                (
                    self.stock.key_for(&l.item_code, l.inventory_type, &l.lot),
                    l,
                )
            })
            .collect();
        let movement = keyed
            .iter()
            .map(|(key, l)| MovementLine::new(key.clone(), LineOp::Receive(l.actual_qty)))
            .collect();
        self.stock
            .apply(message, &order.order_code, out_biz_code, movement)?;
        for (key, line) in keyed {
            self.stock.remember_lot(&line.lot);
            self.stock.hold_serials(&key, line.serials.clone(), true);
        }
        Ok(())
    }

    /// The lot a received line goes into: the one the order names, else a
    /// new batch for batch-managed or shelf-life items, with a production
    /// date up to 30 days before the receipt and expiry = production +
    /// shelf life.
    fn receipt_lot(
        &self,
        order: &Order,
        line_no: &str,
        line: &crate::domain::OrderLine,
        now: &str,
    ) -> Lot {
        if line.lot.batch_code.is_some() {
            return line.lot.clone();
        }
        // TODO: an item never synchronised is received without a batch,
        // because the WMS takes orders for unknown items instead of refusing
        // them; such stock carries no lot and no serial numbers.
        let Some(item) = self.stock.items.get(&line.item_code) else {
            return Lot::default();
        };
        let shelf_life = item.shelf_life_days.filter(|d| *d > 0);
        if !item.batch_managed && shelf_life.is_none() {
            return Lot::default();
        }
        let mut rng = plan::decision_rng(self.seed, &order.order_code, &format!("lot-{line_no}"));
        let today = now
            .get(..10)
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
        let produced = today.map(|d| d - chrono::Days::new(rng.gen_range(0..=30)));
        let expires = produced
            .zip(shelf_life)
            .map(|(p, days)| p + chrono::Days::new(u64::from(days)));
        let batch = format!("B{}-{}", order.order_code, line_no);
        Lot {
            produce_code: Some(batch.clone()),
            batch_code: Some(batch),
            product_date: produced.map(|d| d.format("%Y-%m-%d").to_string()),
            expire_date: expires.map(|d| d.format("%Y-%m-%d").to_string()),
        }
    }

    /// Serial numbers for `qty` units of a received line starting at
    /// position `from`: those the order announces (returns), then
    /// generated ones, never one already in stock.
    fn receipt_serials(
        &mut self,
        order: &Order,
        index: usize,
        from: usize,
        qty: u32,
    ) -> Vec<String> {
        let line = &order.lines[index];
        let mut serials = Vec::new();
        for position in from..from + qty as usize {
            let announced = line
                .serials
                .get(position)
                .filter(|s| !self.stock.is_held(s))
                .cloned();
            let serial = announced.unwrap_or_else(|| {
                self.stock
                    .fresh_serial(&line.item_code, &order.order_code, index, position)
            });
            self.stock.serials_ever.insert(serial.clone());
            serials.push(serial);
        }
        serials
    }
}

/// The notify message an order type arrives with.
fn notify_message(order_type: OrderType) -> &'static str {
    mapping::route_of(order_type)
        .cainiao
        .notify_msg_type()
        .unwrap_or("WMS_INVENTORY_COUNT")
}

/// The WMS's own order number (`storeOrderCode`).
fn wms_order_id(order_code: &str) -> String {
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
fn lack_remark(order: &Order, lack: &[(usize, u32)]) -> String {
    lack.iter()
        .map(|(index, short)| format!("{} short {short}", order.lines[*index].item_code))
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::domain::OrderLine;

    const NOW: &str = "2024-03-16 06:40:00";

    fn item(code: &str, sn: bool) -> Item {
        Item {
            item_code: code.into(),
            item_name: code.to_owned(),
            gross_weight_g: Some(500),
            shelf_life_days: Some(365),
            batch_managed: true,
            sn_managed: sn,
            ..Item::default()
        }
    }

    fn line(no: &str, item: &str, qty: u32) -> OrderLine {
        OrderLine {
            line_no: no.to_owned(),
            item_code: item.into(),
            plan_qty: qty,
            ..OrderLine::default()
        }
    }

    fn order(code: &str, order_type: OrderType, lines: Vec<OrderLine>) -> Order {
        Order {
            order_code: code.to_owned(),
            order_type,
            owner_code: "2000000001".into(),
            warehouse_code: "STORE_90000001".into(),
            created_at: NOW.into(),
            prev_order_code: None,
            logistics_code: None,
            receiver: None,
            supplier_code: None,
            remark: None,
            lines,
        }
    }

    fn lot(batch: &str, expire: &str) -> Lot {
        Lot {
            batch_code: Some(batch.into()),
            expire_date: Some(expire.into()),
            ..Lot::default()
        }
    }

    fn opening(item: &str, lot: Lot, qty: u32) -> OpeningStock {
        OpeningStock {
            item_code: item.into(),
            inventory_type: InventoryType::Good,
            lot,
            qty,
        }
    }

    fn core_with(behaviour: WmsBehaviour) -> WmsCore {
        let mut core = WmsCore::new(42, behaviour);
        core.upsert_item(item("DM1001", false));
        core.upsert_item(item("LH3001", true));
        core
    }

    /// Advances an order through every step; returns all messages.
    fn run(core: &mut WmsCore, code: &str) -> Vec<WmsMessage> {
        let mut out = Vec::new();
        while core.next_delay(code).is_some() {
            out.extend(core.advance(code, NOW).unwrap());
        }
        out
    }

    fn statuses(messages: &[WmsMessage]) -> Vec<OrderStatus> {
        messages
            .iter()
            .filter_map(|m| match m {
                WmsMessage::Status(s) => Some(s.status),
                _ => None,
            })
            .collect()
    }

    fn confirms(messages: &[WmsMessage]) -> Vec<Confirm> {
        messages
            .iter()
            .filter_map(|m| match m {
                WmsMessage::Confirm(c) => Some(c.clone()),
                _ => None,
            })
            .collect()
    }

    fn on_hand(core: &WmsCore, item: &str, inventory_type: InventoryType) -> i64 {
        core.ledger().total(&item.into(), inventory_type).on_hand
    }

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
    fn partial_confirms_are_incremental_with_distinct_out_biz_codes_and_end_final() {
        let behaviour = WmsBehaviour {
            partial_confirm_rate: 1.0,
            partial_confirms: 3,
            ..WmsBehaviour::default()
        };
        let mut core = core_with(behaviour);
        let purchase = order("CGRK2", OrderType::Purchase, vec![line("1", "DM1001", 10)]);
        core.receive_order(purchase, NOW);

        let confirms = confirms(&run(&mut core, "CGRK2"));

        let types: Vec<_> = confirms.iter().map(|c| c.confirm_type).collect();
        assert_eq!(
            types,
            vec![
                ConfirmType::Partial,
                ConfirmType::Partial,
                ConfirmType::Final
            ]
        );
        let quantities: Vec<u32> = confirms.iter().map(|c| c.lines[0].actual_qty).collect();
        assert_eq!(quantities, vec![4, 3, 3]);
        let mut codes: Vec<_> = confirms.iter().map(|c| c.out_biz_code.clone()).collect();
        codes.dedup();
        assert_eq!(codes, vec!["CGRK2-1", "CGRK2-2", "CGRK2-3"]);
        assert_eq!(on_hand(&core, "DM1001", InventoryType::Good), 10);
    }

    #[test]
    fn short_and_defective_receipts_land_in_their_buckets() {
        let behaviour = WmsBehaviour {
            short_receipt_rate: 1.0,
            defective_receipt_rate: 1.0,
            ..WmsBehaviour::default()
        };
        let mut core = core_with(behaviour);
        let purchase = order("CGRK3", OrderType::Purchase, vec![line("1", "DM1001", 50)]);
        core.receive_order(purchase, NOW);

        let confirm = confirms(&run(&mut core, "CGRK3")).remove(0);

        let qty_of = |t| {
            confirm
                .lines
                .iter()
                .filter(|l| l.inventory_type == t)
                .map(|l| l.actual_qty)
                .sum::<u32>()
        };
        let good = qty_of(InventoryType::Good);
        let defective = qty_of(InventoryType::Defective);
        assert!(
            good + defective < 50 && good + defective >= 40,
            "{good}+{defective}"
        );
        assert!(defective >= 1);
        assert_eq!(
            on_hand(&core, "DM1001", InventoryType::Good),
            i64::from(good)
        );
        assert_eq!(
            on_hand(&core, "DM1001", InventoryType::Defective),
            i64::from(defective)
        );
    }

    #[test]
    fn sn_items_get_unique_serials_on_receipt_and_ship_each_once() {
        let mut core = core_with(WmsBehaviour::default());
        for code in ["CGRK4", "CGRK5"] {
            core.receive_order(
                order(code, OrderType::Purchase, vec![line("1", "LH3001", 6)]),
                NOW,
            );
            run(&mut core, code);
        }

        for code in ["SO1", "SO2", "SO3"] {
            core.receive_order(
                order(code, OrderType::SalesDelivery, vec![line("1", "LH3001", 4)]),
                NOW,
            );
            run(&mut core, code);
        }

        let received = core.serials_received().to_vec();
        let unique: BTreeSet<_> = received.iter().collect();
        assert_eq!(received.len(), 12);
        assert_eq!(unique.len(), 12);
        let shipped = core.serials_shipped().to_vec();
        let shipped_unique: BTreeSet<_> = shipped.iter().collect();
        assert_eq!(shipped.len(), 12);
        assert_eq!(shipped_unique, unique);
        assert_eq!(on_hand(&core, "LH3001", InventoryType::Good), 0);
    }

    #[test]
    fn outbound_ships_first_expiring_batch_first_with_lot_on_the_confirm() {
        let mut core = core_with(WmsBehaviour::default());
        core.set_opening_stock(&[
            opening("DM1001", lot("LATE", "2025-06-01"), 5),
            opening("DM1001", lot("EARLY", "2024-09-01"), 3),
        ])
        .unwrap();
        core.receive_order(
            order(
                "SO1",
                OrderType::SalesDelivery,
                vec![line("1", "DM1001", 4)],
            ),
            NOW,
        );

        let out = run(&mut core, "SO1");

        assert_eq!(
            statuses(&out),
            vec![
                OrderStatus::Accept,
                OrderStatus::Print,
                OrderStatus::Pick,
                OrderStatus::Check,
                OrderStatus::Package,
                OrderStatus::Consign
            ]
        );
        let confirm = confirms(&out).remove(0);
        let shipped: Vec<_> = confirm
            .lines
            .iter()
            .map(|l| (l.lot.batch_code.clone().unwrap(), l.actual_qty))
            .collect();
        assert_eq!(
            shipped,
            vec![("EARLY".to_owned(), 3), ("LATE".to_owned(), 1)]
        );
        assert_eq!(
            confirm.lines[0].lot.expire_date.as_deref(),
            Some("2024-09-01")
        );
        let late = StockKey::new("DM1001", InventoryType::Good).in_batch("LATE");
        assert_eq!(core.ledger().balance(&late).on_hand, 4);
    }

    #[test]
    fn split_packages_hold_every_shipped_unit_with_own_tracking_numbers() {
        let behaviour = WmsBehaviour {
            split_package_rate: 1.0,
            max_packages: 3,
            ..WmsBehaviour::default()
        };
        let mut core = core_with(behaviour);
        core.set_opening_stock(&[opening("DM1001", Lot::default(), 10)])
            .unwrap();
        core.receive_order(
            order(
                "SO1",
                OrderType::SalesDelivery,
                vec![line("1", "DM1001", 7)],
            ),
            NOW,
        );

        let confirm = confirms(&run(&mut core, "SO1")).remove(0);

        assert!(confirm.packages.len() >= 2, "{:?}", confirm.packages);
        let packed: u32 = confirm
            .packages
            .iter()
            .flat_map(|p| &p.items)
            .map(|(_, q)| q)
            .sum();
        let shipped: u32 = confirm.lines.iter().map(|l| l.actual_qty).sum();
        assert_eq!((packed, shipped), (7, 7));
        let tracking: BTreeSet<_> = confirm.packages.iter().map(|p| &p.express_code).collect();
        assert_eq!(tracking.len(), confirm.packages.len());
        assert!(confirm
            .packages
            .iter()
            .all(|p| p.items.iter().all(|(_, q)| *q > 0)));
    }

    #[test]
    fn shortage_ships_what_there_is_and_reports_lack() {
        let mut core = core_with(WmsBehaviour::default());
        core.set_opening_stock(&[opening("DM1001", Lot::default(), 3)])
            .unwrap();
        core.receive_order(
            order(
                "SO9",
                OrderType::SalesDelivery,
                vec![line("1", "DM1001", 5)],
            ),
            NOW,
        );

        let out = run(&mut core, "SO9");

        let lack = out.iter().find_map(|m| match m {
            WmsMessage::Status(s) if s.status == OrderStatus::Lack => s.remark.clone(),
            _ => None,
        });
        assert_eq!(lack.as_deref(), Some("DM1001 short 2"));
        let confirm = confirms(&out).remove(0);
        assert_eq!(confirm.lines[0].actual_qty, 3);
        assert_eq!(confirm.lines[0].plan_qty, Some(5));
        assert_eq!(on_hand(&core, "DM1001", InventoryType::Good), 0);
    }

    #[test]
    fn shortage_rejects_the_order_when_the_behaviour_says_so() {
        let behaviour = WmsBehaviour {
            shortage: ShortageBehaviour::Reject,
            ..WmsBehaviour::default()
        };
        let mut core = core_with(behaviour);
        core.set_opening_stock(&[opening("DM1001", Lot::default(), 3)])
            .unwrap();

        let intake = core.receive_order(
            order(
                "SO9",
                OrderType::SalesDelivery,
                vec![line("1", "DM1001", 5)],
            ),
            NOW,
        );

        let Intake::Rejected { report, .. } = intake else {
            panic!("expected a rejection, got {intake:?}");
        };
        assert_eq!(report.status, OrderStatus::Reject);
        assert_eq!(core.next_delay("SO9"), None);
        let key = StockKey::new("DM1001", InventoryType::Good);
        assert_eq!(core.ledger().balance(&key).locked, 0);
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
