//! The stock side of a run: opening books, the cutover steps that align
//! them, and reading both books and the driver's own expectation at the
//! end.

use std::collections::BTreeMap;

use mocks::domain::{AdjustmentLine, Direction, InventoryType, ItemCode, Lot, StockAdjustment};
use mocks::erp::{Erp, ErpError, OrderState};
use mocks::ledger::{Cause, Ledger, LineOp, Movement, MovementKey, MovementLine, StockKey};
use mocks::wms::{OpeningStock, Wms, WmsError};
use serde::Serialize;

use crate::check::{Expectation, SerialAudit};
use crate::plan::{Document, Plan};
use crate::scenario::Scenario;

/// Code and message under which opening stock is booked.
pub const OPENING_CODE: &str = "OPENING";
pub const OPENING_MESSAGE: &str = "opening";
/// Code and message under which the ERP books the warehouse's figures.
pub const IMPORT_CODE: &str = "IMPORT";
pub const IMPORT_MESSAGE: &str = "inventory.import";
/// Adjustment code of the cutover's count.
pub const CUTOVER_COUNT_CODE: &str = "CUTOVER-COUNT";

/// A setup step a party refused.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("ERP books: {0}")]
    Erp(#[from] ErpError),
    #[error("WMS stock: {0}")]
    Wms(#[from] WmsError),
    #[error("{0}")]
    Refused(String),
}

/// Loads the opening stock into both books: the ERP's `erp` figures and
/// the WMS's `wms` figures of every `[[opening]]` entry.
pub fn load_opening(scenario: &Scenario, erp: &Erp, wms: Option<&Wms>) -> Result<(), SetupError> {
    let figures: Vec<(ItemCode, InventoryType, i64)> = scenario
        .opening
        .iter()
        .map(|((item, t), q)| (item.clone(), *t, i64::from(q.erp)))
        .collect();
    erp.set_books(OPENING_CODE, OPENING_MESSAGE, &figures)?;
    if let Some(wms) = wms {
        let stock: Vec<OpeningStock> = scenario
            .opening
            .iter()
            .filter(|(_, q)| q.wms > 0)
            .map(|((item, t), q)| OpeningStock {
                item_code: item.clone(),
                inventory_type: *t,
                lot: Lot::default(),
                qty: q.wms,
            })
            .collect();
        wms.set_opening_stock(&stock)?;
    }
    Ok(())
}

/// One line of `reconcile.csv`: the two books and the count before cutover.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReconcileRow {
    pub item_code: String,
    pub inventory_type: String,
    pub erp_qty: i64,
    pub wms_qty: i64,
    pub physical_qty: i64,
    /// What the count changes in the WMS (`physical - wms`).
    pub count_delta: i64,
}

/// Compares the two books slot by slot, with what a count would find.
/// Only slots where any of the three figures differ are listed.
pub fn reconcile(scenario: &Scenario, erp: &Erp, wms_books: &Ledger) -> Vec<ReconcileRow> {
    let erp_books = erp.ledger_snapshot();
    let wms_books = wms_books.snapshot();
    let mut slots: Vec<&(ItemCode, InventoryType)> = erp_books
        .keys()
        .chain(wms_books.keys())
        .chain(scenario.opening.keys())
        .collect();
    slots.sort();
    slots.dedup();
    slots
        .into_iter()
        .filter_map(|slot| {
            let erp_qty = erp_books.get(slot).map_or(0, |b| b.on_hand);
            let wms_qty = wms_books.get(slot).map_or(0, |b| b.on_hand);
            let physical_qty = scenario
                .opening
                .get(slot)
                .map_or(wms_qty, |q| i64::from(q.physical));
            let differs = erp_qty != wms_qty || wms_qty != physical_qty;
            differs.then(|| ReconcileRow {
                item_code: slot.0.to_string(),
                inventory_type: slot.1.qimen_code().to_owned(),
                erp_qty,
                wms_qty,
                physical_qty,
                count_delta: physical_qty - wms_qty,
            })
        })
        .collect()
}

/// Counts the slots the reconciliation found off in the warehouse, so the
/// WMS holds the physical count and reports 702/701 to the ERP.
pub async fn count_align(rows: &[ReconcileRow], wms: &Wms) -> Result<usize, SetupError> {
    let lines: Vec<AdjustmentLine> = rows
        .iter()
        .filter(|r| r.count_delta != 0)
        .filter_map(|r| {
            let inventory_type = InventoryType::from_qimen(&r.inventory_type)?;
            Some(AdjustmentLine {
                item_code: ItemCode::from(r.item_code.as_str()),
                inventory_type,
                delta: r.count_delta,
                lot: Lot::default(),
            })
        })
        .collect();
    if lines.is_empty() {
        return Ok(0);
    }
    let adjustments = wms.count_as(CUTOVER_COUNT_CODE, &lines).await?;
    Ok(adjustments.len())
}

/// The warehouse's stock per slot, from an `inventory.query` through the
/// gateway: on hand = available + locked, summed over batches.
async fn warehouse_figures(
    scenario: &Scenario,
    erp: &Erp,
) -> Result<BTreeMap<(ItemCode, InventoryType), i64>, SetupError> {
    let items: Vec<ItemCode> = scenario.items.iter().map(|i| i.item_code.clone()).collect();
    let rows = erp
        .query_inventory(&items)
        .await
        .map_err(|e| SetupError::Refused(format!("inventory.query: {e}")))?;
    let mut figures = BTreeMap::new();
    for row in rows {
        let slot = (row.item_code, row.inventory_type);
        *figures.entry(slot).or_insert(0) += row.quantity + row.lock_quantity;
    }
    Ok(figures)
}

/// Books the warehouse's figures in the ERP (`import_stock`).
pub async fn import_stock(scenario: &Scenario, erp: &Erp) -> Result<usize, SetupError> {
    let mut figures = warehouse_figures(scenario, erp).await?;
    // A slot the ERP books but the warehouse did not list holds nothing.
    for slot in erp.ledger_snapshot().into_keys() {
        figures.entry(slot).or_insert(0);
    }
    let figures: Vec<(ItemCode, InventoryType, i64)> = figures
        .into_iter()
        .map(|((item, t), qty)| (item, t, qty))
        .collect();
    erp.set_books(IMPORT_CODE, IMPORT_MESSAGE, &figures)?;
    Ok(figures.len())
}

/// The WMS's books when the WMS is an external system: what it answers
/// to an `inventory.query`, as a ledger of one entry. Its first divergence
/// can only name that query.
pub async fn queried_books(scenario: &Scenario, erp: &Erp) -> Result<Ledger, SetupError> {
    let figures = warehouse_figures(scenario, erp).await?;
    let mut ledger = Ledger::new();
    let lines: Vec<MovementLine> = figures
        .into_iter()
        .filter(|(_, qty)| *qty != 0)
        .map(|((item, t), qty)| MovementLine::new(StockKey::new(item.0, t), LineOp::Adjust(qty)))
        .collect();
    if !lines.is_empty() {
        let key = MovementKey {
            message: "inventory.query".into(),
            order_code: "QUERY".into(),
            out_biz_code: "QUERY".into(),
        };
        let movement = Movement {
            cause: Cause::of(&key, "wms"),
            key,
            lines,
        };
        ledger
            .apply(movement)
            .map_err(|e| SetupError::Refused(format!("the WMS's figures: {e}")))?;
    }
    Ok(ledger)
}

/// The driver's expectation: opening stock as counted, plus every
/// confirmed receipt, minus every confirmed shipment, plus the counts the
/// warehouse reported. Confirmed quantities come from the confirms the
/// ERP received (its documents), not from how it booked them.
pub fn expectation(
    scenario: &Scenario,
    plan: &Plan,
    erp: &Erp,
    counts: &[StockAdjustment],
) -> Expectation {
    let mut expected = Expectation::new();
    for ((item, t), q) in &scenario.opening {
        expected.set_opening(item, *t, q.physical);
    }
    for planned in &plan.documents {
        let Document::Create { order, .. } = &planned.document else {
            continue;
        };
        let Some(document) = erp.order_state(&order.order_code) else {
            continue;
        };
        for (line, progress) in document.order.lines.iter().zip(&document.lines) {
            for (t, qty) in &progress.confirmed {
                match order.order_type.direction() {
                    Direction::Outbound => expected.ship(&line.item_code, *t, *qty),
                    _ => expected.receive(&line.item_code, *t, *qty),
                }
            }
        }
    }
    for adjustment in counts {
        for line in &adjustment.lines {
            expected.adjust(&line.item_code, line.inventory_type, line.delta);
        }
    }
    expected
}

/// Serial numbers: every serial the warehouse received (on receipt or in
/// opening stock), then each order's serials in send order as the ERP
/// recorded them: shipments take them out, returns bring them back.
pub fn serial_audit(
    scenario: &Scenario,
    plan: &Plan,
    erp: &Erp,
    received: &[String],
) -> SerialAudit {
    let mut audit = SerialAudit::default();
    for serial in received {
        audit.receive(serial);
    }
    let sn_items: Vec<&ItemCode> = scenario
        .items
        .iter()
        .filter(|i| i.sn_managed)
        .map(|i| &i.item_code)
        .collect();
    for planned in &plan.documents {
        let Document::Create { order, .. } = &planned.document else {
            continue;
        };
        let Some(document) = erp.order_state(&order.order_code) else {
            continue;
        };
        if document.state == OrderState::Refused {
            continue;
        }
        let serials: Vec<String> = document.serials.iter().cloned().collect();
        if order.order_type.is_return() {
            audit.bring_back(&serials);
            continue;
        }
        if order.order_type.direction() != Direction::Outbound {
            continue;
        }
        let shipped: u32 = document
            .order
            .lines
            .iter()
            .zip(&document.lines)
            .filter(|(line, _)| sn_items.contains(&&line.item_code))
            .map(|(_, progress)| progress.confirmed_total())
            .sum();
        audit.ship(&order.order_code, shipped, &serials);
    }
    audit
}
