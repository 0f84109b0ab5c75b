//! Builders and runners shared by the mock WMS's unit tests.

use super::core::{WmsCore, WmsMessage};
use super::stock::OpeningStock;
use crate::behaviour::WmsBehaviour;
use crate::domain::{Confirm, InventoryType, Item, Lot, Order, OrderLine, OrderStatus, OrderType};

/// The clock every unit test reads: the morning of the story's final receipt.
pub const NOW: &str = "2024-03-16 06:40:00";

pub fn item(code: &str, sn: bool) -> Item {
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

pub fn line(no: &str, item: &str, qty: u32) -> OrderLine {
    OrderLine {
        line_no: no.to_owned(),
        item_code: item.into(),
        plan_qty: qty,
        ..OrderLine::default()
    }
}

pub fn order(code: &str, order_type: OrderType, lines: Vec<OrderLine>) -> Order {
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

pub fn lot(batch: &str, expire: &str) -> Lot {
    Lot {
        batch_code: Some(batch.into()),
        expire_date: Some(expire.into()),
        ..Lot::default()
    }
}

pub fn opening(item: &str, lot: Lot, qty: u32) -> OpeningStock {
    OpeningStock {
        item_code: item.into(),
        inventory_type: InventoryType::Good,
        lot,
        qty,
    }
}

pub fn core_with(behaviour: WmsBehaviour) -> WmsCore {
    let mut core = WmsCore::new(42, behaviour);
    core.upsert_item(item("DM1001", false));
    core.upsert_item(item("LH3001", true));
    core
}

/// Advances an order through every step; returns all messages.
pub fn run(core: &mut WmsCore, code: &str) -> Vec<WmsMessage> {
    let mut out = Vec::new();
    while core.next_delay(code).is_some() {
        out.extend(core.advance(code, NOW).unwrap());
    }
    out
}

pub fn statuses(messages: &[WmsMessage]) -> Vec<OrderStatus> {
    messages
        .iter()
        .filter_map(|m| match m {
            WmsMessage::Status(s) => Some(s.status),
            _ => None,
        })
        .collect()
}

pub fn confirms(messages: &[WmsMessage]) -> Vec<Confirm> {
    messages
        .iter()
        .filter_map(|m| match m {
            WmsMessage::Confirm(c) => Some(c.clone()),
            _ => None,
        })
        .collect()
}

pub fn on_hand(core: &WmsCore, item: &str, inventory_type: InventoryType) -> i64 {
    core.ledger().total(&item.into(), inventory_type).on_hand
}
