//! The mock ERP's decisions on domain values, without IO.
//!
//! [`ErpCore`] holds the item master, the documents the ERP created with
//! their progress, and the stock ledger per item and inventory type. The
//! HTTP side decodes a message, calls one method here under a lock, and
//! turns the result into a Qimen answer and [`PartyEvent`]s.
//!
//! Rules kept here:
//! - outbound orders lock their planned stock when created; a confirm ships
//!   from the lock, the final confirm releases what was not shipped, an
//!   accepted cancel releases everything still locked;
//! - each confirm moves stock once, keyed on (confirm method, order code,
//!   `outBizCode`) in the ledger (FC-12);
//! - confirmed quantities never pass the plan; under the cumulative
//!   convention only the difference to what was applied moves (FC-13);
//! - packages must add up to the lines, and a package's tracking number is
//!   never overwritten (FC-14);
//! - returns credit what arrived, in the inventory type it arrived in, or
//!   the plan at creation under the misaligned policy (FC-16).
//!
//! # Known gaps
//! The ERP's ledger does not keep batches apart: lots travel on the
//! documents, but stock is booked per item and inventory type only.

use std::collections::{BTreeMap, HashMap};

pub use super::document::{Document, LineProgress, OrderState, TrackedPackage};

use crate::behaviour::{ErpBehaviour, ReturnPolicy};
use crate::domain::{
    Cancel, Confirm, ConfirmType, Direction, InventoryType, Item, ItemCode, Order, OrderStatus,
    OrderType, StockAdjustment,
};
use crate::ledger::{
    self, Applied, Balance, Cause, Ledger, LedgerError, LineOp, Movement, MovementKey,
    MovementLine, StockKey,
};
use crate::mapping::route_of;
use crate::observe::{EventKind, Party, PartyEvent};

/// Message names used in movement keys and events.
pub const CREATE_RETURN: &str = "returnorder.create";
pub const ORDER_CANCEL: &str = "order.cancel";
pub const INVENTORY_REPORT: &str = "inventory.report";
pub const STOCKCHANGE_REPORT: &str = "stockchange.report";

/// Why the ERP refused to do something. State is unchanged after any of
/// these.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ErpError {
    #[error("order {order_code} is not an order this ERP created")]
    UnknownOrder { order_code: String },
    #[error("order {order_code} already exists")]
    DuplicateOrder { order_code: String },
    #[error("order {order_code} line {line_no}: item {item_code} is not in the item master")]
    UnknownItem {
        order_code: String,
        line_no: String,
        item_code: ItemCode,
    },
    #[error("order {order_code} has type {order_type}, which the ERP does not create")]
    NotCreatable {
        order_code: String,
        order_type: OrderType,
    },
    #[error("order {order_code} has no lines")]
    EmptyOrder { order_code: String },
    #[error("order {order_code} is {state:?} and cannot take {message}")]
    WrongState {
        order_code: String,
        state: OrderState,
        message: String,
    },
    #[error("order {order_code}: {source}")]
    Ledger {
        order_code: String,
        source: LedgerError,
    },
}

impl ErpError {
    /// The order (or count) code the error is about.
    pub fn order_code(&self) -> &str {
        match self {
            ErpError::UnknownOrder { order_code }
            | ErpError::DuplicateOrder { order_code }
            | ErpError::UnknownItem { order_code, .. }
            | ErpError::NotCreatable { order_code, .. }
            | ErpError::EmptyOrder { order_code }
            | ErpError::WrongState { order_code, .. }
            | ErpError::Ledger { order_code, .. } => order_code,
        }
    }
}

/// How the gateway answered a create or cancel, as the HTTP side read it.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    Accepted,
    /// A protocol refusal; the text says why.
    Refused(String),
    /// No answer after the last retry.
    GaveUp(String),
}

/// The mock ERP's state. See the module docs.
#[derive(Debug, Clone, Default)]
pub struct ErpCore {
    behaviour: ErpBehaviour,
    items: BTreeMap<ItemCode, Item>,
    documents: HashMap<String, Document>,
    ledger: Ledger,
}

/// What a change of quantities on one line does, before it is applied.
struct LineChange {
    index: usize,
    inventory_type: InventoryType,
    qty: u32,
}

impl ErpCore {
    pub fn new(behaviour: ErpBehaviour) -> ErpCore {
        ErpCore {
            behaviour,
            ..ErpCore::default()
        }
    }

    /// An ERP whose ledger numbers entries on a clock shared with others.
    pub fn with_ledger(behaviour: ErpBehaviour, ledger: Ledger) -> ErpCore {
        ErpCore {
            behaviour,
            ledger,
            ..ErpCore::default()
        }
    }

    pub fn behaviour(&self) -> &ErpBehaviour {
        &self.behaviour
    }

    /// Adds or replaces items in the item master.
    pub fn register_items(&mut self, items: &[Item]) {
        for item in items {
            self.items.insert(item.item_code.clone(), item.clone());
        }
    }

    pub fn item(&self, item_code: &ItemCode) -> Option<&Item> {
        self.items.get(item_code)
    }

    pub fn document(&self, order_code: &str) -> Option<&Document> {
        self.documents.get(order_code)
    }

    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    /// Totals per item and inventory type.
    pub fn ledger_snapshot(&self) -> BTreeMap<(ItemCode, InventoryType), Balance> {
        self.ledger.snapshot()
    }

    /// Records a new order before it is sent: checks it, and for outbound
    /// orders locks its planned stock. Returns events to report (an orphan
    /// return is flagged here).
    pub fn open_order(&mut self, order: &Order) -> Result<Vec<PartyEvent>, ErpError> {
        self.check_new_order(order)?;

        let mut events = Vec::new();
        let mut document = Document::new(order);
        if order.order_type.direction() == Direction::Outbound {
            let lines = order
                .lines
                .iter()
                .filter(|l| l.plan_qty > 0)
                .map(|l| {
                    MovementLine::new(
                        erp_key(&l.item_code, l.inventory_type),
                        LineOp::Lock(l.plan_qty),
                    )
                })
                .collect();
            let create = format!("{}.create", family_name(order));
            self.apply_movement(&order.order_code, &create, &order.order_code, lines)?;
            for (progress, line) in document.lines.iter_mut().zip(&order.lines) {
                progress.locked = line.plan_qty;
            }
        }
        if order.order_type.is_return() {
            events.extend(self.check_return_origin(order));
        }

        self.documents.insert(order.order_code.clone(), document);
        Ok(events)
    }

    fn check_new_order(&self, order: &Order) -> Result<(), ErpError> {
        let order_code = order.order_code.clone();
        if self.documents.contains_key(&order.order_code) {
            return Err(ErpError::DuplicateOrder { order_code });
        }
        if order.order_type.direction() == Direction::Count {
            let order_type = order.order_type;
            return Err(ErpError::NotCreatable {
                order_code,
                order_type,
            });
        }
        if order.lines.is_empty() {
            return Err(ErpError::EmptyOrder { order_code });
        }
        match order
            .lines
            .iter()
            .find(|l| !self.items.contains_key(&l.item_code))
        {
            Some(line) => Err(ErpError::UnknownItem {
                order_code,
                line_no: line.line_no.clone(),
                item_code: line.item_code.clone(),
            }),
            None => Ok(()),
        }
    }

    /// An orphan return: its original order is unknown or shipped nothing.
    // TODO: check again when the return is confirmed, because the original's
    // confirm may still be in flight at creation; a return created that
    // early is flagged although its original ships later.
    fn check_return_origin(&self, order: &Order) -> Option<PartyEvent> {
        let detail = match order.prev_order_code.as_deref() {
            None => "orphan return: no original delivery order".to_owned(),
            Some(prev) => match self.documents.get(prev) {
                None => format!("orphan return: original order {prev} is unknown"),
                Some(d) if d.lines.iter().all(|l| l.confirmed_total() == 0) => {
                    format!("orphan return: original order {prev} never shipped")
                }
                Some(_) => return None,
            },
        };
        let message = CREATE_RETURN;
        Some(event(
            &order.order_code,
            EventKind::Anomaly,
            message,
            Some(detail),
        ))
    }

    /// Records the gateway's answer to a create. A refusal or a give-up
    /// releases the locked stock. Under [`ReturnPolicy::CreditPlannedOnCreate`]
    /// an accepted return credits its planned quantity as good stock.
    pub fn record_create(
        &mut self,
        order_code: &str,
        answer: &Answer,
    ) -> Result<Vec<PartyEvent>, ErpError> {
        let document = self.documents.get(order_code).ok_or(unknown(order_code))?;
        let message = format!("{}.create", family_name(&document.order));
        let state = document.state;
        match answer {
            Answer::Accepted => {
                self.credit_planned_return(order_code)?;
                let document = self.document_mut(order_code)?;
                if state == OrderState::Pending {
                    document.state = OrderState::Open;
                }
                Ok(vec![event(order_code, EventKind::Accepted, &message, None)])
            }
            Answer::Refused(why) | Answer::GaveUp(why) => {
                if state == OrderState::Pending {
                    self.release_locks(order_code, &message)?;
                    self.document_mut(order_code)?.state = OrderState::Refused;
                }
                let kind = match answer {
                    Answer::GaveUp(_) => EventKind::GaveUp,
                    _ => EventKind::Refused,
                };
                Ok(vec![event(order_code, kind, &message, Some(why.clone()))])
            }
        }
    }

    fn credit_planned_return(&mut self, order_code: &str) -> Result<(), ErpError> {
        let document = self.documents.get(order_code).ok_or(unknown(order_code))?;
        let policy = self.behaviour.return_policy;
        if !document.order.order_type.is_return() || policy != ReturnPolicy::CreditPlannedOnCreate {
            return Ok(());
        }
        let lines = document
            .order
            .lines
            .iter()
            .filter(|l| l.plan_qty > 0)
            .map(|l| {
                let key = erp_key(&l.item_code, InventoryType::Good);
                MovementLine::new(key, LineOp::Receive(l.plan_qty))
            })
            .collect();
        self.apply_movement(order_code, CREATE_RETURN, order_code, lines)
            .map(|_| ())
    }

    /// The cancel to send for an order that is still open.
    pub fn begin_cancel(&self, order_code: &str) -> Result<Cancel, ErpError> {
        let document = self.documents.get(order_code).ok_or(unknown(order_code))?;
        if document.is_closed() {
            return Err(ErpError::WrongState {
                order_code: order_code.to_owned(),
                state: document.state,
                message: ORDER_CANCEL.to_owned(),
            });
        }
        let order = &document.order;
        Ok(Cancel {
            order_code: order.order_code.clone(),
            order_type: order.order_type,
            warehouse_code: order.warehouse_code.clone(),
            owner_code: order.owner_code.clone(),
            reason: None,
        })
    }

    /// Records the answer to a cancel: accepted releases the locks and
    /// closes the order; refused or given up leaves it open.
    pub fn record_cancel(
        &mut self,
        order_code: &str,
        answer: &Answer,
    ) -> Result<Vec<PartyEvent>, ErpError> {
        let document = self.documents.get(order_code).ok_or(unknown(order_code))?;
        if document.state == OrderState::Cancelled {
            return Ok(vec![event(
                order_code,
                EventKind::Duplicate,
                ORDER_CANCEL,
                None,
            )]);
        }
        match answer {
            Answer::Accepted => {
                self.release_locks(order_code, ORDER_CANCEL)?;
                self.document_mut(order_code)?.state = OrderState::Cancelled;
                Ok(vec![event(
                    order_code,
                    EventKind::Cancelled,
                    ORDER_CANCEL,
                    None,
                )])
            }
            Answer::Refused(why) => {
                let detail = Some(format!("cancel refused, order stays open: {why}"));
                Ok(vec![event(
                    order_code,
                    EventKind::Refused,
                    ORDER_CANCEL,
                    detail,
                )])
            }
            Answer::GaveUp(why) => {
                let detail = Some(format!("cancel not delivered, order stays open: {why}"));
                Ok(vec![event(
                    order_code,
                    EventKind::GaveUp,
                    ORDER_CANCEL,
                    detail,
                )])
            }
        }
    }

    /// Unlocks what every line still holds, in one movement.
    fn release_locks(&mut self, order_code: &str, message: &str) -> Result<(), ErpError> {
        let document = self.documents.get(order_code).ok_or(unknown(order_code))?;
        let lines: Vec<MovementLine> = document
            .order
            .lines
            .iter()
            .zip(&document.lines)
            .filter(|(_, p)| p.locked > 0)
            .map(|(l, p)| {
                let key = erp_key(&l.item_code, l.inventory_type);
                MovementLine::new(key, LineOp::Unlock(p.locked))
            })
            .collect();
        if lines.is_empty() {
            return Ok(());
        }
        // The create locked under the order code; the release needs its
        // own key or the ledger would take it for that lock again.
        let release = format!("{order_code}#release");
        self.apply_movement(order_code, message, &release, lines)?;
        for progress in &mut self.document_mut(order_code)?.lines {
            progress.locked = 0;
        }
        Ok(())
    }

    /// Applies a confirm (entry, return, stockout or delivery order) once.
    /// A copy of a confirm already applied changes nothing and reports
    /// [`EventKind::Duplicate`]; anomalies come back as events alongside.
    pub fn apply_confirm(&mut self, confirm: &Confirm) -> Result<Vec<PartyEvent>, ErpError> {
        let order_code = confirm.order_code.as_str();
        let document = self.documents.get(order_code).ok_or(unknown(order_code))?;
        let message = confirm_name(&document.order);
        if matches!(document.state, OrderState::Cancelled | OrderState::Refused) {
            return Err(ErpError::WrongState {
                order_code: order_code.to_owned(),
                state: document.state,
                message,
            });
        }

        let mut events = self.check_packages(document, confirm, &message);
        let key = movement_key(&message, order_code, &confirm.out_biz_code);
        if self.ledger.has_applied(&key) || document.confirms.contains(&confirm.out_biz_code) {
            events.push(event(order_code, EventKind::Duplicate, &message, None));
            return Ok(events);
        }

        let (changes, anomalies) = self.plan_changes(document, confirm, &message);
        events.extend(anomalies);
        let mut lines = self.movement_lines(document, &changes);
        if confirm.confirm_type == ConfirmType::Final {
            lines.extend(remaining_unlocks(document, &changes));
        }
        if !lines.is_empty() {
            self.apply_movement(order_code, &message, &confirm.out_biz_code, lines)?;
        }

        self.record_confirm(confirm, &changes)?;
        let final_confirm = confirm.confirm_type == ConfirmType::Final;
        let kind = EventKind::ConfirmApplied { final_confirm };
        events.push(event(order_code, kind, &message, None));
        Ok(events)
    }

    /// Reads the confirm's quantities into changes per planned line, capped
    /// at the plan, with anomalies for what could not be applied.
    fn plan_changes(
        &self,
        document: &Document,
        confirm: &Confirm,
        message: &str,
    ) -> (Vec<LineChange>, Vec<PartyEvent>) {
        let code = &confirm.order_code;
        let mut anomalies = Vec::new();
        let mut reported: BTreeMap<(usize, InventoryType), u32> = BTreeMap::new();
        for line in &confirm.lines {
            match match_line(&document.order, line) {
                Some(index) => {
                    *reported.entry((index, line.inventory_type)).or_insert(0) += line.actual_qty
                }
                None => {
                    let detail = format!("item {} is not on the order", line.item_code);
                    anomalies.push(event(code, EventKind::Anomaly, message, Some(detail)));
                }
            }
        }

        let convention = self.behaviour.quantity_convention;
        let mut added: Vec<u32> = vec![0; document.lines.len()];
        let mut changes = Vec::new();
        for ((index, inventory_type), qty) in reported {
            let progress = &document.lines[index];
            let plan = &document.order.lines[index];
            let before = progress
                .confirmed
                .get(&inventory_type)
                .copied()
                .unwrap_or(0);
            let moved = match ledger::movement_qty(convention, before, qty) {
                Ok(moved) => moved,
                Err(e) => {
                    let detail = format!("line {}: {e}", plan.line_no);
                    anomalies.push(event(code, EventKind::Anomaly, message, Some(detail)));
                    continue;
                }
            };
            let so_far = progress.confirmed_total() + added[index];
            let moved = match ledger::add_within_plan(plan.plan_qty, so_far, moved) {
                Ok(_) => moved,
                Err(e) => {
                    let detail = format!(
                        "double counting? line {} item {}: {e}",
                        plan.line_no, plan.item_code
                    );
                    anomalies.push(event(code, EventKind::Anomaly, message, Some(detail)));
                    plan.plan_qty.saturating_sub(so_far)
                }
            };
            added[index] += moved;
            if moved > 0 {
                changes.push(LineChange {
                    index,
                    inventory_type,
                    qty: moved,
                });
            }
        }
        (changes, anomalies)
    }

    /// Ledger lines for the changes: outbound ships from its lock first,
    /// inbound receives; a return under the misaligned policy moves nothing
    /// (its stock was credited at creation).
    fn movement_lines(&self, document: &Document, changes: &[LineChange]) -> Vec<MovementLine> {
        let order = &document.order;
        if order.order_type.is_return()
            && self.behaviour.return_policy == ReturnPolicy::CreditPlannedOnCreate
        {
            return Vec::new();
        }
        let outbound = order.order_type.direction() == Direction::Outbound;
        let mut locked: Vec<u32> = document.lines.iter().map(|p| p.locked).collect();
        let mut lines = Vec::new();
        for change in changes {
            let plan = &order.lines[change.index];
            let key = erp_key(&plan.item_code, change.inventory_type);
            if !outbound {
                lines.push(MovementLine::new(key, LineOp::Receive(change.qty)));
                continue;
            }
            let from_lock = if change.inventory_type == plan.inventory_type {
                change.qty.min(locked[change.index])
            } else {
                0
            };
            locked[change.index] -= from_lock;
            if from_lock > 0 {
                lines.push(MovementLine::new(
                    key.clone(),
                    LineOp::ShipLocked(from_lock),
                ));
            }
            if change.qty > from_lock {
                lines.push(MovementLine::new(key, LineOp::Ship(change.qty - from_lock)));
            }
        }
        lines
    }

    /// Writes an applied confirm into its document.
    fn record_confirm(
        &mut self,
        confirm: &Confirm,
        changes: &[LineChange],
    ) -> Result<(), ErpError> {
        let document = self.document_mut(&confirm.order_code)?;
        let outbound = document.order.order_type.direction() == Direction::Outbound;
        for change in changes {
            let progress = &mut document.lines[change.index];
            *progress.confirmed.entry(change.inventory_type).or_insert(0) += change.qty;
            let plan_type = document.order.lines[change.index].inventory_type;
            if outbound && change.inventory_type == plan_type {
                progress.locked = progress.locked.saturating_sub(change.qty);
            }
        }
        if confirm.confirm_type == ConfirmType::Final {
            for progress in &mut document.lines {
                progress.locked = 0;
            }
        }

        document.confirms.push(confirm.out_biz_code.clone());
        for line in &confirm.lines {
            document.serials.extend(line.serials.iter().cloned());
        }
        record_packages(document, confirm);
        document.state = match (document.state, confirm.confirm_type) {
            (_, ConfirmType::Final) | (OrderState::Completed, _) => OrderState::Completed,
            _ => OrderState::PartiallyConfirmed,
        };
        Ok(())
    }

    /// FC-14 checks: packages add up to the lines per item, and a package
    /// already recorded keeps its tracking number.
    fn check_packages(
        &self,
        document: &Document,
        confirm: &Confirm,
        message: &str,
    ) -> Vec<PartyEvent> {
        let code = &confirm.order_code;
        let mut anomalies = Vec::new();
        for (index, package) in confirm.packages.iter().enumerate() {
            let id = package_id(confirm, index);
            if let Some(known) = document.packages.get(&id) {
                if known.express_code != package.express_code {
                    let detail = format!(
                        "tracking number conflict on package {id}: recorded {}, now {}",
                        known.express_code, package.express_code
                    );
                    anomalies.push(event(code, EventKind::Anomaly, message, Some(detail)));
                }
            }
        }

        let mut in_packages: BTreeMap<&ItemCode, u64> = BTreeMap::new();
        for (item, qty) in confirm.packages.iter().flat_map(|p| &p.items) {
            *in_packages.entry(item).or_insert(0) += u64::from(*qty);
        }
        if in_packages.is_empty() {
            return anomalies;
        }
        let mut in_lines: BTreeMap<&ItemCode, u64> = BTreeMap::new();
        for line in &confirm.lines {
            *in_lines.entry(&line.item_code).or_insert(0) += u64::from(line.actual_qty);
        }
        if in_packages != in_lines {
            let detail = format!(
                "packages carry {} units, lines {}: per item {:?} vs {:?}",
                in_packages.values().sum::<u64>(),
                in_lines.values().sum::<u64>(),
                in_packages,
                in_lines
            );
            anomalies.push(event(code, EventKind::Anomaly, message, Some(detail)));
        }
        anomalies
    }

    /// Applies one page of a count (`inventory.report`): signed deltas,
    /// each page once.
    pub fn apply_count(
        &mut self,
        adjustment: &StockAdjustment,
        page: u32,
    ) -> Result<Vec<PartyEvent>, ErpError> {
        let out_biz_code = format!("{}#page{page}", adjustment.out_biz_code);
        self.apply_adjustment(adjustment, INVENTORY_REPORT, &out_biz_code)
    }

    /// Applies a stock change (`stockchange.report`) once per `outBizCode`.
    pub fn apply_stock_change(
        &mut self,
        adjustment: &StockAdjustment,
    ) -> Result<Vec<PartyEvent>, ErpError> {
        let out_biz_code = adjustment.out_biz_code.clone();
        self.apply_adjustment(adjustment, STOCKCHANGE_REPORT, &out_biz_code)
    }

    fn apply_adjustment(
        &mut self,
        adjustment: &StockAdjustment,
        message: &str,
        out_biz_code: &str,
    ) -> Result<Vec<PartyEvent>, ErpError> {
        let code = adjustment.adjustment_code.as_str();
        let lines: Vec<MovementLine> = adjustment
            .lines
            .iter()
            .filter(|l| l.delta != 0)
            .map(|l| {
                let key = erp_key(&l.item_code, l.inventory_type);
                MovementLine::new(key, LineOp::Adjust(l.delta))
            })
            .collect();
        if lines.is_empty() {
            let detail = Some("no quantity changed".to_owned());
            return Ok(vec![event(code, EventKind::Adjusted, message, detail)]);
        }

        // TODO: book a loss that reaches into locked stock, because a real
        // ERP records what the count found; today the ledger refuses it and
        // the report is answered failure, so the sender keeps resending.
        let kind = match self.apply_movement(code, message, out_biz_code, lines)? {
            Applied::Moved { .. } => EventKind::Adjusted,
            Applied::Duplicate => EventKind::Duplicate,
        };
        Ok(vec![event(code, kind, message, None)])
    }

    /// Sets the books of the listed (item, inventory type) to the given
    /// quantities, as a merchant does when it loads opening stock or
    /// imports the warehouse's figures at go-live. Each slot moves by the
    /// difference to what is booked; the movement is recorded once under
    /// (`message`, `code`). Locked stock is left alone.
    pub fn set_books(
        &mut self,
        code: &str,
        message: &str,
        figures: &[(ItemCode, InventoryType, i64)],
    ) -> Result<Vec<PartyEvent>, ErpError> {
        let lines: Vec<MovementLine> = figures
            .iter()
            .filter_map(|(item, inventory_type, target)| {
                let key = erp_key(item, *inventory_type);
                let delta = target - self.ledger.balance(&key).on_hand;
                (delta != 0).then(|| MovementLine::new(key, LineOp::Adjust(delta)))
            })
            .collect();
        if lines.is_empty() {
            let detail = Some("books already at these figures".to_owned());
            return Ok(vec![event(code, EventKind::Adjusted, message, detail)]);
        }
        let kind = match self.apply_movement(code, message, code, lines)? {
            Applied::Moved { .. } => EventKind::Adjusted,
            Applied::Duplicate => EventKind::Duplicate,
        };
        Ok(vec![event(code, kind, message, None)])
    }

    /// Records a status the warehouse reported (`orderprocess.report`).
    pub fn record_status(&mut self, order_code: &str, status: OrderStatus) -> Result<(), ErpError> {
        self.document_mut(order_code)?.last_status = Some(status);
        Ok(())
    }

    /// Records serial numbers the warehouse reported (`sn.report`).
    pub fn record_serials(&mut self, order_code: &str, serials: &[String]) -> Result<(), ErpError> {
        let document = self.document_mut(order_code)?;
        document.serials.extend(serials.iter().cloned());
        Ok(())
    }

    /// Records a shortage the warehouse reported (`itemlack.report`).
    pub fn record_lack(
        &mut self,
        order_code: &str,
        item_code: &ItemCode,
        lack_qty: u32,
    ) -> Result<(), ErpError> {
        let document = self.document_mut(order_code)?;
        document.lacks.push((item_code.clone(), lack_qty));
        Ok(())
    }

    fn document_mut(&mut self, order_code: &str) -> Result<&mut Document, ErpError> {
        self.documents
            .get_mut(order_code)
            .ok_or(unknown(order_code))
    }

    fn apply_movement(
        &mut self,
        order_code: &str,
        message: &str,
        out_biz_code: &str,
        lines: Vec<MovementLine>,
    ) -> Result<Applied, ErpError> {
        let key = movement_key(message, order_code, out_biz_code);
        let movement = Movement {
            cause: Cause::of(&key, Party::Erp.as_str()),
            key,
            lines,
        };
        self.ledger
            .apply(movement)
            .map_err(|source| ErpError::Ledger {
                order_code: order_code.to_owned(),
                source,
            })
    }
}

/// Unlocks for what the final confirm leaves locked on each line.
fn remaining_unlocks(document: &Document, changes: &[LineChange]) -> Vec<MovementLine> {
    let order = &document.order;
    let mut locked: Vec<u32> = document.lines.iter().map(|p| p.locked).collect();
    for change in changes {
        if change.inventory_type == order.lines[change.index].inventory_type {
            locked[change.index] = locked[change.index].saturating_sub(change.qty);
        }
    }
    order
        .lines
        .iter()
        .zip(locked)
        .filter(|(_, left)| *left > 0)
        .map(|(line, left)| {
            let key = erp_key(&line.item_code, line.inventory_type);
            MovementLine::new(key, LineOp::Unlock(left))
        })
        .collect()
}

fn record_packages(document: &mut Document, confirm: &Confirm) {
    for (index, package) in confirm.packages.iter().enumerate() {
        let id = package_id(confirm, index);
        document
            .packages
            .entry(id)
            .or_insert_with(|| TrackedPackage {
                logistics_code: package.logistics_code.clone(),
                express_code: package.express_code.clone(),
            });
        let number = &package.express_code;
        if !number.is_empty() && !document.tracking_numbers.contains(number) {
            document.tracking_numbers.push(number.clone());
        }
    }
}

/// A package's identity: its package code, or its place in the confirm.
fn package_id(confirm: &Confirm, index: usize) -> String {
    match confirm.packages[index].package_code.as_deref() {
        Some(code) if !code.trim().is_empty() => code.to_owned(),
        _ => format!("{}#{}", confirm.out_biz_code, index + 1),
    }
}

/// The planned line a confirm line belongs to: same line number, else same
/// item and inventory type, else same item.
fn match_line(order: &Order, line: &crate::domain::ConfirmLine) -> Option<usize> {
    let lines = &order.lines;
    let by_number = line
        .line_no
        .as_deref()
        .and_then(|no| lines.iter().position(|l| l.line_no == no))
        .filter(|&i| lines[i].item_code == line.item_code);
    by_number
        .or_else(|| {
            lines.iter().position(|l| {
                l.item_code == line.item_code && l.inventory_type == line.inventory_type
            })
        })
        .or_else(|| lines.iter().position(|l| l.item_code == line.item_code))
}

fn erp_key(item_code: &ItemCode, inventory_type: InventoryType) -> StockKey {
    StockKey {
        item_code: item_code.clone(),
        inventory_type,
        batch_code: None,
    }
}

fn movement_key(message: &str, order_code: &str, out_biz_code: &str) -> MovementKey {
    MovementKey {
        message: message.to_owned(),
        order_code: order_code.to_owned(),
        out_biz_code: out_biz_code.to_owned(),
    }
}

/// `entryorder`, `returnorder`, `stockout` or `deliveryorder`.
fn family_name(order: &Order) -> &'static str {
    family_of(order.order_type)
}

fn family_of(order_type: OrderType) -> &'static str {
    let confirm = route_of(order_type).qimen.confirm_method();
    let short = confirm.trim_start_matches("taobao.qimen.");
    short.split('.').next().unwrap_or(short)
}

/// The confirm method of an order's family, without the `taobao.qimen.`
/// prefix: the name movement keys and events use.
pub fn confirm_name(order: &Order) -> String {
    confirm_name_of(order.order_type)
}

/// As [`confirm_name`], from the order type alone.
pub fn confirm_name_of(order_type: OrderType) -> String {
    format!("{}.confirm", family_of(order_type))
}

fn unknown(order_code: &str) -> ErpError {
    ErpError::UnknownOrder {
        order_code: order_code.to_owned(),
    }
}

fn event(order_code: &str, kind: EventKind, message: &str, detail: Option<String>) -> PartyEvent {
    PartyEvent {
        party: Party::Erp,
        order_code: order_code.to_owned(),
        kind,
        message: message.to_owned(),
        detail,
    }
}

#[cfg(test)]
mod tests;
