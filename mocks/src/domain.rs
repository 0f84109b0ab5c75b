//! The protocol-neutral model of what flows between ERP, gateway and WMS.
//!
//! Both wire protocols convert into and out of these types in their own
//! codec modules, so parties, ledgers and the scenario driver never look at
//! Qimen letters or Cainiao numbers. Order types are keyed on the Cainiao
//! numeric code, which is the one the onboarding document uses.
//!
//! # Known gaps
//! Invoices, amounts, receiver addresses beyond what a shipment needs and
//! kitting (CNJG / 1102) are not modelled: no flow liantiao drives depends
//! on them, and the codecs keep them on the wire types.

use std::fmt;

/// Merchant SKU code (`itemCode` on both protocols).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ItemCode(pub String);

impl fmt::Display for ItemCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for ItemCode {
    fn from(code: &str) -> Self {
        ItemCode(code.to_owned())
    }
}

/// Which way stock moves for an order type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    Inbound,
    Outbound,
    /// Stock counts: the sign comes from the order type (gain or loss).
    Count,
}

/// Order types, each carrying its Cainiao numeric code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum OrderType {
    /// 201 sales delivery (Qimen JYCK).
    SalesDelivery,
    /// 202 B2B trade outbound.
    B2bDelivery,
    /// 502 exchange outbound (Qimen HHCK).
    ExchangeDelivery,
    /// 503 re-send outbound (Qimen BFCK).
    ResendDelivery,
    /// 301 transfer outbound (Qimen DBCK).
    TransferOut,
    /// 303 requisition outbound.
    RequisitionOut,
    /// 305 B2B outbound (Qimen B2BCK).
    B2bOut,
    /// 901 ordinary outbound: return to supplier, owner pick-up (Qimen PTCK).
    OtherOut,
    /// 903 other outbound (Qimen QTCK).
    MiscOut,
    /// 601 purchase inbound (Qimen CGRK).
    Purchase,
    /// 501 sales return inbound (Qimen returnorder THRK).
    SalesReturn,
    /// 504 exchange return inbound (Qimen returnorder HHRK).
    ExchangeReturn,
    /// 302 transfer inbound (Qimen DBRK).
    TransferIn,
    /// 304 give-back inbound.
    GiveBackIn,
    /// 306 B2B inbound (Qimen B2BRK).
    B2bIn,
    /// 904 other inbound (Qimen QTRK).
    OtherIn,
    /// 701 stock count loss.
    CountLoss,
    /// 702 stock count gain.
    CountGain,
}

impl OrderType {
    /// Every order type, in code order.
    pub const ALL: [OrderType; 18] = [
        OrderType::SalesDelivery,
        OrderType::B2bDelivery,
        OrderType::TransferOut,
        OrderType::TransferIn,
        OrderType::RequisitionOut,
        OrderType::GiveBackIn,
        OrderType::B2bOut,
        OrderType::B2bIn,
        OrderType::SalesReturn,
        OrderType::ExchangeDelivery,
        OrderType::ResendDelivery,
        OrderType::ExchangeReturn,
        OrderType::Purchase,
        OrderType::CountLoss,
        OrderType::CountGain,
        OrderType::OtherOut,
        OrderType::MiscOut,
        OrderType::OtherIn,
    ];

    /// The Cainiao numeric code.
    pub fn code(self) -> u16 {
        match self {
            OrderType::SalesDelivery => 201,
            OrderType::B2bDelivery => 202,
            OrderType::TransferOut => 301,
            OrderType::TransferIn => 302,
            OrderType::RequisitionOut => 303,
            OrderType::GiveBackIn => 304,
            OrderType::B2bOut => 305,
            OrderType::B2bIn => 306,
            OrderType::SalesReturn => 501,
            OrderType::ExchangeDelivery => 502,
            OrderType::ResendDelivery => 503,
            OrderType::ExchangeReturn => 504,
            OrderType::Purchase => 601,
            OrderType::CountLoss => 701,
            OrderType::CountGain => 702,
            OrderType::OtherOut => 901,
            OrderType::MiscOut => 903,
            OrderType::OtherIn => 904,
        }
    }

    /// The order type for a Cainiao numeric code, if liantiao knows it.
    pub fn from_code(code: u16) -> Option<OrderType> {
        OrderType::ALL.into_iter().find(|t| t.code() == code)
    }

    pub fn direction(self) -> Direction {
        match self.code() {
            701 | 702 => Direction::Count,
            201 | 202 | 301 | 303 | 305 | 502 | 503 | 901 | 903 => Direction::Outbound,
            _ => Direction::Inbound,
        }
    }

    /// Returns and exchange returns travel as Qimen `returnorder.*`.
    pub fn is_return(self) -> bool {
        matches!(self, OrderType::SalesReturn | OrderType::ExchangeReturn)
    }

    /// Trade deliveries travel as Qimen `deliveryorder.*` and Cainiao
    /// `WMS_CONSIGN_ORDER_*`; other outbound types as `stockout.*`.
    pub fn is_consign(self) -> bool {
        matches!(
            self,
            OrderType::SalesDelivery
                | OrderType::B2bDelivery
                | OrderType::ExchangeDelivery
                | OrderType::ResendDelivery
        )
    }
}

impl fmt::Display for OrderType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.code())
    }
}

/// Inventory types: Qimen letters and Cainiao numbers for the same bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum InventoryType {
    /// ZP / 1: good, sellable.
    #[default]
    Good,
    /// CC / 101: defective.
    Defective,
    /// JS / 102: machine-damaged.
    MachineDamaged,
    /// XS / 103: box-damaged.
    BoxDamaged,
    /// 201: frozen. Qimen has no letter for it; liantiao writes `DJ`.
    Frozen,
    /// ZT / 301: in transit.
    InTransit,
}

impl InventoryType {
    pub const ALL: [InventoryType; 6] = [
        InventoryType::Good,
        InventoryType::Defective,
        InventoryType::MachineDamaged,
        InventoryType::BoxDamaged,
        InventoryType::Frozen,
        InventoryType::InTransit,
    ];

    /// The Qimen letter code.
    pub fn qimen_code(self) -> &'static str {
        match self {
            InventoryType::Good => "ZP",
            InventoryType::Defective => "CC",
            InventoryType::MachineDamaged => "JS",
            InventoryType::BoxDamaged => "XS",
            InventoryType::Frozen => "DJ",
            InventoryType::InTransit => "ZT",
        }
    }

    /// The Cainiao numeric code.
    pub fn cainiao_code(self) -> u16 {
        match self {
            InventoryType::Good => 1,
            InventoryType::Defective => 101,
            InventoryType::MachineDamaged => 102,
            InventoryType::BoxDamaged => 103,
            InventoryType::Frozen => 201,
            InventoryType::InTransit => 301,
        }
    }

    pub fn from_qimen(code: &str) -> Option<InventoryType> {
        InventoryType::ALL
            .into_iter()
            .find(|t| t.qimen_code().eq_ignore_ascii_case(code.trim()))
    }

    pub fn from_cainiao(code: u16) -> Option<InventoryType> {
        InventoryType::ALL
            .into_iter()
            .find(|t| t.cainiao_code() == code)
    }
}

impl fmt::Display for InventoryType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.qimen_code())
    }
}

/// Batch (lot) attributes of a quantity. Dates are `YYYY-MM-DD` strings as
/// they travel; liantiao compares them, never computes with them.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Lot {
    pub batch_code: Option<String>,
    pub product_date: Option<String>,
    pub expire_date: Option<String>,
    pub produce_code: Option<String>,
}

impl Lot {
    pub fn is_empty(&self) -> bool {
        self.batch_code.is_none()
            && self.product_date.is_none()
            && self.expire_date.is_none()
            && self.produce_code.is_none()
    }
}

/// Item master record, as the ERP synchronises it to the WMS.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Item {
    pub item_code: ItemCode,
    pub item_name: String,
    /// One or more barcodes (Qimen joins them with `;`).
    pub bar_codes: Vec<String>,
    pub unit: Option<String>,
    pub gross_weight_g: Option<u32>,
    pub length_mm: Option<u32>,
    pub width_mm: Option<u32>,
    pub height_mm: Option<u32>,
    pub shelf_life_days: Option<u32>,
    pub batch_managed: bool,
    pub sn_managed: bool,
    /// Retail price in fen, to keep money exact.
    pub retail_price_fen: Option<u64>,
}

impl Default for ItemCode {
    fn default() -> Self {
        ItemCode(String::new())
    }
}

/// One planned line of an order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OrderLine {
    /// Line number as the ERP numbers it (`orderLineNo`).
    pub line_no: String,
    pub item_code: ItemCode,
    pub item_name: Option<String>,
    pub inventory_type: InventoryType,
    pub plan_qty: u32,
    pub lot: Lot,
    /// Serial numbers announced on the order (returns list what comes back).
    pub serials: Vec<String>,
}

/// A shipping or return party's address, reduced to what a shipment needs.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Address {
    pub name: String,
    pub mobile: Option<String>,
    pub province: Option<String>,
    pub city: Option<String>,
    pub area: Option<String>,
    pub detail: String,
}

/// An order as the ERP creates it: inbound, outbound or return.
#[derive(Debug, Clone, PartialEq)]
pub struct Order {
    /// The ERP's code: `entryOrderCode`, `deliveryOrderCode`,
    /// `returnOrderCode` on Qimen, `erpOrderCode` on Cainiao.
    pub order_code: String,
    pub order_type: OrderType,
    pub owner_code: String,
    pub warehouse_code: String,
    /// Creation time, `YYYY-MM-DD HH:MM:SS` in GMT+8.
    pub created_at: String,
    /// For returns and exchanges: the original delivery order's code.
    pub prev_order_code: Option<String>,
    pub logistics_code: Option<String>,
    pub receiver: Option<Address>,
    pub supplier_code: Option<String>,
    pub remark: Option<String>,
    pub lines: Vec<OrderLine>,
}

/// Whether a confirm closes the order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ConfirmType {
    /// `confirmType` 0: the last confirm; the order is complete.
    #[default]
    Final,
    /// `confirmType` 1: more confirms follow.
    Partial,
}

impl ConfirmType {
    pub fn code(self) -> u8 {
        match self {
            ConfirmType::Final => 0,
            ConfirmType::Partial => 1,
        }
    }

    /// Cainiao reads any value other than 1 as final; so does liantiao.
    pub fn from_code(code: &str) -> ConfirmType {
        if code.trim() == "1" {
            ConfirmType::Partial
        } else {
            ConfirmType::Final
        }
    }
}

/// A quantity confirmed on one line, in one inventory type and lot.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ConfirmLine {
    pub line_no: Option<String>,
    pub item_code: ItemCode,
    pub inventory_type: InventoryType,
    pub plan_qty: Option<u32>,
    pub actual_qty: u32,
    pub lot: Lot,
    pub serials: Vec<String>,
}

/// A parcel of a shipment with its carrier and tracking number.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Package {
    pub logistics_code: String,
    pub express_code: String,
    pub package_code: Option<String>,
    pub weight_g: Option<u32>,
    /// Items in the parcel: item code, quantity.
    pub items: Vec<(ItemCode, u32)>,
}

/// The WMS's report of what it received or shipped for one order.
#[derive(Debug, Clone, PartialEq)]
pub struct Confirm {
    /// The ERP's order code.
    pub order_code: String,
    pub order_type: OrderType,
    /// The WMS's own number for the order, if it sends one.
    pub wms_order_id: Option<String>,
    /// De-duplication key: one value per distinct confirmation.
    pub out_biz_code: String,
    pub confirm_type: ConfirmType,
    pub confirmed_at: String,
    pub lines: Vec<ConfirmLine>,
    pub packages: Vec<Package>,
}

/// Progress of an order in the warehouse (status uploads and
/// `orderprocess.report`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrderStatus {
    Accept,
    Reject,
    Arrive,
    Received,
    OnSale,
    Print,
    Pick,
    Check,
    Package,
    Consign,
    Lack,
    Cancel,
}

/// One status change of an order.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusReport {
    pub order_code: String,
    pub order_type: OrderType,
    pub status: OrderStatus,
    pub operated_at: String,
    pub remark: Option<String>,
}

/// One item's change in a stock count or adjustment; `delta` is signed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AdjustmentLine {
    pub item_code: ItemCode,
    pub inventory_type: InventoryType,
    pub delta: i64,
    pub lot: Lot,
}

/// A count gain (702) or loss (701), or a move between inventory types,
/// raised by the WMS.
#[derive(Debug, Clone, PartialEq)]
pub struct StockAdjustment {
    /// Count order code (`checkOrderCode` / `imbalanceOrderCode`).
    pub adjustment_code: String,
    /// 701 or 702 for counts; `None` for an inventory-type move.
    pub order_type: Option<OrderType>,
    pub out_biz_code: String,
    pub adjusted_at: String,
    pub lines: Vec<AdjustmentLine>,
}

/// A request to cancel an order before the warehouse ships or receives it.
#[derive(Debug, Clone, PartialEq)]
pub struct Cancel {
    pub order_code: String,
    pub order_type: OrderType,
    pub warehouse_code: String,
    pub owner_code: String,
    pub reason: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_type_codes_round_trip_and_are_unique() {
        let mut codes: Vec<u16> = OrderType::ALL.iter().map(|t| t.code()).collect();
        for t in OrderType::ALL {
            assert_eq!(OrderType::from_code(t.code()), Some(t));
        }
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), OrderType::ALL.len());
        assert_eq!(OrderType::from_code(999), None);
    }

    #[test]
    fn go_live_types_have_the_documented_directions() {
        assert_eq!(OrderType::Purchase.code(), 601);
        assert_eq!(OrderType::Purchase.direction(), Direction::Inbound);
        assert_eq!(OrderType::SalesDelivery.direction(), Direction::Outbound);
        assert_eq!(OrderType::OtherOut.direction(), Direction::Outbound);
        assert_eq!(OrderType::CountGain.direction(), Direction::Count);
        assert!(OrderType::SalesReturn.is_return());
        assert!(OrderType::ExchangeDelivery.is_consign());
        assert!(!OrderType::OtherOut.is_consign());
    }

    #[test]
    fn inventory_types_read_both_codes() {
        assert_eq!(
            InventoryType::from_qimen("cc"),
            Some(InventoryType::Defective)
        );
        assert_eq!(
            InventoryType::from_cainiao(101),
            Some(InventoryType::Defective)
        );
        assert_eq!(InventoryType::from_cainiao(7), None);
    }

    #[test]
    fn confirm_type_reads_anything_but_one_as_final() {
        assert_eq!(ConfirmType::from_code("1"), ConfirmType::Partial);
        assert_eq!(ConfirmType::from_code("0"), ConfirmType::Final);
        assert_eq!(ConfirmType::from_code("7"), ConfirmType::Final);
    }
}
