//! The documents the mock ERP created, as it records them: state, planned
//! against confirmed quantities, locks, packages, serials and shortages.
//!
//! [`super::core::ErpCore`] changes them; the driver reads copies through
//! [`super::Erp::order_state`].

use std::collections::{BTreeMap, BTreeSet};

use crate::domain::{InventoryType, ItemCode, Order, OrderStatus};

/// Where an order is in its life, as the ERP sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrderState {
    /// Created and sent; the gateway has not answered yet.
    Pending,
    /// Accepted by the gateway; nothing confirmed yet.
    Open,
    /// At least one intermediate confirm applied, no final one.
    PartiallyConfirmed,
    /// The final confirm arrived.
    Completed,
    /// A cancel was accepted.
    Cancelled,
    /// The create was refused or given up; nothing is locked.
    Refused,
}

/// Progress of one planned line.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LineProgress {
    /// Confirmed quantity per inventory type, over all applied confirms.
    pub confirmed: BTreeMap<InventoryType, u32>,
    /// Stock still locked for this line (outbound only).
    pub locked: u32,
}

impl LineProgress {
    /// Confirmed over all inventory types.
    pub fn confirmed_total(&self) -> u32 {
        self.confirmed.values().sum()
    }
}

/// A package as the ERP recorded it.
#[derive(Debug, Clone, PartialEq)]
pub struct TrackedPackage {
    pub logistics_code: String,
    pub express_code: String,
}

/// A document the ERP created and what happened to it.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub order: Order,
    pub state: OrderState,
    /// One entry per planned line, same order as `order.lines`.
    pub lines: Vec<LineProgress>,
    /// `outBizCode`s of the confirms applied, in arrival order.
    pub confirms: Vec<String>,
    /// Packages by package code (or `outBizCode#index` when it has none).
    pub packages: BTreeMap<String, TrackedPackage>,
    /// Every tracking number seen, first-seen order, no repeats.
    pub tracking_numbers: Vec<String>,
    /// Serial numbers shipped (outbound) or received (returns).
    pub serials: BTreeSet<String>,
    /// The last status the warehouse reported.
    pub last_status: Option<OrderStatus>,
    /// Shortages the warehouse reported: item and quantity lacking.
    pub lacks: Vec<(ItemCode, u32)>,
}

impl Document {
    pub(super) fn new(order: &Order) -> Document {
        Document {
            order: order.clone(),
            state: OrderState::Pending,
            lines: vec![LineProgress::default(); order.lines.len()],
            confirms: Vec::new(),
            packages: BTreeMap::new(),
            tracking_numbers: Vec::new(),
            serials: BTreeSet::new(),
            last_status: None,
            lacks: Vec::new(),
        }
    }

    /// Planned minus confirmed, per line number; lines confirmed in full
    /// are left out.
    pub fn shortfall(&self) -> BTreeMap<String, u32> {
        self.order
            .lines
            .iter()
            .zip(&self.lines)
            .filter_map(|(plan, done)| {
                let short = plan.plan_qty.saturating_sub(done.confirmed_total());
                (short > 0).then(|| (plan.line_no.clone(), short))
            })
            .collect()
    }

    /// Confirmed quantity of an item in one inventory type.
    pub fn confirmed(&self, item_code: &ItemCode, inventory_type: InventoryType) -> u32 {
        self.order
            .lines
            .iter()
            .zip(&self.lines)
            .filter(|(plan, _)| &plan.item_code == item_code)
            .filter_map(|(_, done)| done.confirmed.get(&inventory_type))
            .sum()
    }

    pub(super) fn is_closed(&self) -> bool {
        matches!(
            self.state,
            OrderState::Completed | OrderState::Cancelled | OrderState::Refused
        )
    }
}
