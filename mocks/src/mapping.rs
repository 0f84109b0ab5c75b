//! The Qimen ⇄ Cainiao mapping: one table for order types and message
//! families, one for statuses, one for message names.
//!
//! The gateway reads these tables in both directions; the codecs use them to
//! turn wire codes into [`OrderType`] and [`OrderStatus`]. Every reading the
//! protocol references leave open is decided here and nowhere else:
//!
//! - 501 sales return travels as `returnorder.*` with letter `THRK`; the
//!   relay reading `XTRK` is accepted on input as the same type.
//! - 303 requisition outbound is written `LYCK`, so that `B2BCK` under
//!   `stockout.*` always means 305 and the table stays reversible.
//! - 304 give-back inbound shares `QTRK` with 904; `QTRK` reads as 904.
//! - 202 B2B trade delivery travels as `deliveryorder.*` with `B2BCK`;
//!   under `stockout.*` the same letters mean 305.
//! - `WMS_INVENTORY_ADJUST_UPLOAD` (a move between inventory types) maps to
//!   `stockchange.report`; counts (701/702) map to `inventory.report`.
//! - `WMS_ORDER_STATUS_UPLOAD` maps to `orderprocess.report`; a `WMS_LACK`
//!   status additionally becomes `itemlack.report`.
//! - Serial numbers travel to the WMS inside confirm lines (`snCode`) and
//!   the gateway reports them to the ERP as `sn.report`.
//! - Inventory queries go to the WMS as `WMS_INVENTORY_QUERY`, a name no
//!   public source confirms.

use crate::domain::{OrderStatus, OrderType};

/// Which Qimen method family carries an order type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QimenFamily {
    EntryOrder,
    ReturnOrder,
    StockOut,
    DeliveryOrder,
    /// Counts travel as `inventory.report`, no order letter.
    InventoryReport,
}

impl QimenFamily {
    /// The create method, for families the ERP creates.
    pub fn create_method(self) -> Option<&'static str> {
        match self {
            QimenFamily::EntryOrder => Some("taobao.qimen.entryorder.create"),
            QimenFamily::ReturnOrder => Some("taobao.qimen.returnorder.create"),
            QimenFamily::StockOut => Some("taobao.qimen.stockout.create"),
            QimenFamily::DeliveryOrder => Some("taobao.qimen.deliveryorder.create"),
            QimenFamily::InventoryReport => None,
        }
    }

    /// The confirm or report method the WMS side answers with.
    pub fn confirm_method(self) -> &'static str {
        match self {
            QimenFamily::EntryOrder => "taobao.qimen.entryorder.confirm",
            QimenFamily::ReturnOrder => "taobao.qimen.returnorder.confirm",
            QimenFamily::StockOut => "taobao.qimen.stockout.confirm",
            QimenFamily::DeliveryOrder => "taobao.qimen.deliveryorder.confirm",
            QimenFamily::InventoryReport => "taobao.qimen.inventory.report",
        }
    }
}

/// Which Cainiao message family carries an order type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CainiaoFamily {
    StockIn,
    StockOut,
    Consign,
    InventoryCount,
}

impl CainiaoFamily {
    /// The notify pushed to the WMS, for families that have one.
    pub fn notify_msg_type(self) -> Option<&'static str> {
        match self {
            CainiaoFamily::StockIn => Some("WMS_STOCK_IN_ORDER_NOTIFY"),
            CainiaoFamily::StockOut => Some("WMS_STOCK_OUT_ORDER_NOTIFY"),
            CainiaoFamily::Consign => Some("WMS_CONSIGN_ORDER_NOTIFY"),
            CainiaoFamily::InventoryCount => None,
        }
    }

    /// The confirm the WMS sends back.
    pub fn confirm_msg_type(self) -> &'static str {
        match self {
            CainiaoFamily::StockIn => "WMS_STOCK_IN_ORDER_CONFIRM",
            CainiaoFamily::StockOut => "WMS_STOCK_OUT_ORDER_CONFIRM",
            CainiaoFamily::Consign => "WMS_CONSIGN_ORDER_CONFIRM",
            CainiaoFamily::InventoryCount => "WMS_INVENTORY_COUNT",
        }
    }
}

/// One row of the order-type table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    pub order_type: OrderType,
    pub qimen: QimenFamily,
    /// The letter code written on Qimen (`""` for counts).
    pub letter: &'static str,
    pub cainiao: CainiaoFamily,
}

const fn route(
    order_type: OrderType,
    qimen: QimenFamily,
    letter: &'static str,
    cainiao: CainiaoFamily,
) -> Route {
    Route {
        order_type,
        qimen,
        letter,
        cainiao,
    }
}

use CainiaoFamily as C;
use OrderType as T;
use QimenFamily as Q;

/// The order-type table: one row per order type liantiao knows.
pub const ROUTES: &[Route] = &[
    route(T::Purchase, Q::EntryOrder, "CGRK", C::StockIn),
    route(T::TransferIn, Q::EntryOrder, "DBRK", C::StockIn),
    route(T::OtherIn, Q::EntryOrder, "QTRK", C::StockIn),
    route(T::GiveBackIn, Q::EntryOrder, "QTRK", C::StockIn),
    route(T::B2bIn, Q::EntryOrder, "B2BRK", C::StockIn),
    route(T::SalesReturn, Q::ReturnOrder, "THRK", C::StockIn),
    route(T::ExchangeReturn, Q::ReturnOrder, "HHRK", C::StockIn),
    route(T::SalesDelivery, Q::DeliveryOrder, "JYCK", C::Consign),
    route(T::B2bDelivery, Q::DeliveryOrder, "B2BCK", C::Consign),
    route(T::ExchangeDelivery, Q::DeliveryOrder, "HHCK", C::Consign),
    route(T::ResendDelivery, Q::DeliveryOrder, "BFCK", C::Consign),
    route(T::TransferOut, Q::StockOut, "DBCK", C::StockOut),
    route(T::RequisitionOut, Q::StockOut, "LYCK", C::StockOut),
    route(T::B2bOut, Q::StockOut, "B2BCK", C::StockOut),
    route(T::OtherOut, Q::StockOut, "PTCK", C::StockOut),
    route(T::MiscOut, Q::StockOut, "QTCK", C::StockOut),
    route(T::CountLoss, Q::InventoryReport, "", C::InventoryCount),
    route(T::CountGain, Q::InventoryReport, "", C::InventoryCount),
];

/// Letters read on input that the table does not write.
const QIMEN_ALIASES: &[(QimenFamily, &str, OrderType)] = &[
    (Q::ReturnOrder, "XTRK", T::SalesReturn),
    (Q::DeliveryOrder, "QTCK", T::SalesDelivery),
];

/// The table row for an order type.
pub fn route_of(order_type: OrderType) -> Route {
    ROUTES
        .iter()
        .copied()
        .find(|r| r.order_type == order_type)
        .expect("ROUTES has a row for every OrderType (checked by a test)")
}

/// Reads a Qimen letter code within a method family. The first matching
/// row wins, so a shared letter (`QTRK`) reads as its first order type.
pub fn order_type_from_qimen(family: QimenFamily, letter: &str) -> Option<OrderType> {
    let letter = letter.trim();
    ROUTES
        .iter()
        .find(|r| r.qimen == family && r.letter.eq_ignore_ascii_case(letter))
        .map(|r| r.order_type)
        .or_else(|| {
            QIMEN_ALIASES
                .iter()
                .find(|(f, l, _)| *f == family && l.eq_ignore_ascii_case(letter))
                .map(|(_, _, t)| *t)
        })
}

/// Reads a Qimen letter in a generic `orderType` field (order.cancel,
/// orderprocess.report, ...), where the method family is not known.
pub fn order_type_from_any_qimen(letter: &str) -> Option<OrderType> {
    [Q::EntryOrder, Q::ReturnOrder, Q::DeliveryOrder, Q::StockOut]
        .into_iter()
        .find_map(|family| order_type_from_qimen(family, letter))
}

/// One row of the status table: the Cainiao status code and the Qimen
/// `processStatus` it becomes.
pub const STATUSES: &[(OrderStatus, &str, &str)] = &[
    (OrderStatus::Accept, "WMS_ACCEPT", "ACCEPT"),
    (OrderStatus::Reject, "WMS_REJECT", "REJECT"),
    (OrderStatus::Arrive, "WMS_ARRIVE", "OTHER"),
    (OrderStatus::Received, "WMS_RECEIVED", "PARTFULFILLED"),
    (OrderStatus::OnSale, "WMS_ONSALE", "FULFILLED"),
    (OrderStatus::Print, "WMS_PRINT", "PRINT"),
    (OrderStatus::Pick, "WMS_PICK", "PICK"),
    (OrderStatus::Check, "WMS_CHECK", "CHECK"),
    (OrderStatus::Package, "WMS_PACKAGE", "PACKAGE"),
    (OrderStatus::Consign, "WMS_CONSIGN", "DELIVERED"),
    (OrderStatus::Lack, "WMS_LACK", "EXCEPTION"),
    (OrderStatus::Cancel, "WMS_CANCEL", "CANCELED"),
];

pub fn status_from_cainiao(code: &str) -> Option<OrderStatus> {
    STATUSES
        .iter()
        .find(|(_, c, _)| *c == code.trim())
        .map(|(s, _, _)| *s)
}

pub fn status_cainiao_code(status: OrderStatus) -> &'static str {
    STATUSES
        .iter()
        .find(|(s, _, _)| *s == status)
        .map(|(_, c, _)| *c)
        .expect("STATUSES has a row for every OrderStatus")
}

pub fn status_qimen_code(status: OrderStatus) -> &'static str {
    STATUSES
        .iter()
        .find(|(s, _, _)| *s == status)
        .map(|(_, _, q)| *q)
        .expect("STATUSES has a row for every OrderStatus")
}

/// Every `processStatus` the Qimen spec lists for `orderprocess.report`.
/// Those without a row in [`STATUSES`] (WEIGH, SIGN, OTHER, ...) are
/// valid on the wire but carry no domain status: a receiver accepts them
/// and has nothing to record.
pub const QIMEN_PROCESS_STATUSES: &[&str] = &[
    "ACCEPT",
    "PARTFULFILLED",
    "FULFILLED",
    "PRINT",
    "PICK",
    "CHECK",
    "PACKAGE",
    "WEIGH",
    "READY",
    "DELIVERED",
    "REFUSE",
    "EXCEPTION",
    "CLOSED",
    "CANCELED",
    "REJECT",
    "SIGN",
    "TMSCANCELED",
    "TMSCANCELFAILED",
    "PARTDELIVERED",
    "OTHER",
    "NEW",
    "CANCELEDFAIL",
];

/// Whether a Qimen `processStatus` is one the spec lists.
pub fn is_listed_qimen_status(code: &str) -> bool {
    QIMEN_PROCESS_STATUSES.contains(&code.trim())
}

/// Reads a Qimen `processStatus`; `OTHER` and unknown values give `None`.
pub fn status_from_qimen(code: &str) -> Option<OrderStatus> {
    STATUSES
        .iter()
        .find(|(_, _, q)| *q == code.trim() && *q != "OTHER")
        .map(|(s, _, _)| *s)
}

/// Message names: the Cainiao message the gateway turns a Qimen method
/// into (ERP → WMS), or back (WMS → ERP). Order-typed methods are routed by
/// [`ROUTES`]; this lists the rest.
pub const MESSAGES: &[(&str, &str)] = &[
    ("taobao.qimen.singleitem.synchronize", "WMS_SKU_INFO_NOTIFY"),
    ("taobao.qimen.items.synchronize", "WMS_SKU_INFO_NOTIFY"),
    ("taobao.qimen.order.cancel", "WMS_ORDER_CANCEL_NOTIFY"),
    ("taobao.qimen.inventory.query", "WMS_INVENTORY_QUERY"),
    (
        "taobao.qimen.orderprocess.report",
        "WMS_ORDER_STATUS_UPLOAD",
    ),
    (
        "taobao.qimen.stockchange.report",
        "WMS_INVENTORY_ADJUST_UPLOAD",
    ),
    ("taobao.qimen.inventory.report", "WMS_INVENTORY_COUNT"),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::OrderType;

    #[test]
    fn every_order_type_has_exactly_one_route() {
        for t in OrderType::ALL {
            assert_eq!(
                ROUTES.iter().filter(|r| r.order_type == t).count(),
                1,
                "{t:?}"
            );
        }
    }

    #[test]
    fn written_letters_read_back_to_the_same_type_except_documented_sharing() {
        for r in ROUTES.iter().filter(|r| !r.letter.is_empty()) {
            let back = order_type_from_qimen(r.qimen, r.letter).unwrap();
            if r.order_type == OrderType::GiveBackIn {
                assert_eq!(back, OrderType::OtherIn);
            } else {
                assert_eq!(back, r.order_type, "{r:?}");
            }
        }
    }

    #[test]
    fn b2bck_depends_on_the_method_family() {
        assert_eq!(order_type_from_qimen(Q::StockOut, "B2BCK"), Some(T::B2bOut));
        assert_eq!(
            order_type_from_qimen(Q::DeliveryOrder, "B2BCK"),
            Some(T::B2bDelivery)
        );
        assert_eq!(
            order_type_from_qimen(Q::ReturnOrder, "xtrk"),
            Some(T::SalesReturn)
        );
        assert_eq!(order_type_from_qimen(Q::EntryOrder, "JYCK"), None);
    }

    #[test]
    fn go_live_types_route_as_the_spec_table_says() {
        assert_eq!(route_of(T::Purchase).letter, "CGRK");
        assert_eq!(route_of(T::OtherOut).letter, "PTCK");
        assert_eq!(route_of(T::ExchangeDelivery).cainiao, C::Consign);
        assert_eq!(route_of(T::SalesReturn).qimen, Q::ReturnOrder);
        assert_eq!(
            route_of(T::CountGain).qimen.confirm_method(),
            "taobao.qimen.inventory.report"
        );
    }

    #[test]
    fn statuses_map_both_ways() {
        assert_eq!(status_from_cainiao("WMS_PICK"), Some(OrderStatus::Pick));
        assert_eq!(status_qimen_code(OrderStatus::Cancel), "CANCELED");
        assert_eq!(status_from_qimen("OTHER"), None);
        assert_eq!(status_cainiao_code(OrderStatus::Consign), "WMS_CONSIGN");
    }
}
