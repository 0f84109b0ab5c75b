//! `WMS_STOCK_IN_ORDER_NOTIFY` and `WMS_STOCK_OUT_ORDER_NOTIFY`: orders
//! Cainiao pushes to the WMS, and the blocks they share with the consign
//! notify (lines, parties, driver, cases).
//!
//! In the domain an order is keyed on the ERP's code (`erpOrderCode`);
//! Cainiao's own code (`orderCode`, `LBX…`) stays on the wire type and is
//! passed in when building one from the domain.

use serde::{Deserialize, Serialize};

use super::{inventory_type, lists, order_type_in, require, Payload};
use crate::cainiao::{Error, MsgType};
use crate::domain::{Address, ItemCode, Lot, Order, OrderLine};
use crate::mapping::CainiaoFamily;

/// A planned line of a notify (`orderItemList/orderItem`).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NotifyItem {
    pub order_item_id: String,
    pub order_source_code: Option<String>,
    pub sub_source_code: Option<String>,
    pub user_id: Option<String>,
    pub user_name: Option<String>,
    pub owner_user_id: Option<String>,
    pub owner_user_name: Option<String>,
    pub item_id: Option<String>,
    pub item_name: Option<String>,
    pub item_code: Option<String>,
    pub bar_code: Option<String>,
    pub inventory_type: Option<u16>,
    pub item_quantity: u32,
    /// Fen.
    pub item_price: Option<String>,
    /// Fen.
    pub actual_price: Option<String>,
    pub purchase_order_code: Option<String>,
    /// Fen.
    pub purchase_price: Option<String>,
    pub tax_rate: Option<String>,
    pub item_version: Option<String>,
    pub batch_code: Option<String>,
    pub produce_code: Option<String>,
    pub produce_date: Option<String>,
    pub due_date: Option<String>,
    pub batch_remark: Option<String>,
    pub extend_fields: Option<String>,
}

/// `receiverInfo` (`receiveTown` sic).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReceiverInfo {
    pub receiver_code: Option<String>,
    pub receiver_name: Option<String>,
    pub receiver_mobile: Option<String>,
    pub receiver_phone: Option<String>,
    pub receiver_province: Option<String>,
    pub receiver_city: Option<String>,
    pub receiver_area: Option<String>,
    pub receive_town: Option<String>,
    pub receiver_address: Option<String>,
    pub receiver_zip_code: Option<String>,
    pub receiver_country: Option<String>,
    pub receiver_division_id: Option<String>,
}

/// `senderInfo`, the same pattern with `sender` names.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SenderInfo {
    pub sender_code: Option<String>,
    pub sender_name: Option<String>,
    pub sender_mobile: Option<String>,
    pub sender_phone: Option<String>,
    pub sender_province: Option<String>,
    pub sender_city: Option<String>,
    pub sender_area: Option<String>,
    pub sender_town: Option<String>,
    pub sender_address: Option<String>,
    pub sender_zip_code: Option<String>,
    pub sender_country: Option<String>,
    pub sender_division_id: Option<String>,
}

#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DriverInfo {
    pub driver_name: Option<String>,
    pub driver_phone: Option<String>,
    pub driver_identity_id: Option<String>,
    pub license_plate: Option<String>,
    pub vehicle_type: Option<String>,
    pub vehicle_load: Option<String>,
}

/// `batchSendCtrlParam`: an order split over several notifies.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchSendCtrlParam {
    pub total_order_item_count: Option<u32>,
    pub distribute_type: Option<String>,
}

/// `caseInfoList/wmsStockInCaseInfo` (`palletNumebr` sic).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CaseInfo {
    pub case_number: Option<String>,
    pub case_sequence: Option<u32>,
    pub pallet_numebr: Option<String>,
    pub container_number: Option<String>,
    pub weight: Option<u32>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    #[serde(
        rename = "caseItemList",
        with = "lists::case_item",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub case_items: Vec<CaseItem>,
}

#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CaseItem {
    pub item_id: Option<String>,
    pub item_code: Option<String>,
    pub item_name: Option<String>,
    pub bar_code: Option<String>,
    /// Name assumed.
    pub quantity: Option<u32>,
}

/// `WMS_STOCK_IN_ORDER_NOTIFY`: purchase, return, transfer and other
/// inbound orders.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StockInOrderNotify {
    pub owner_user_id: Option<String>,
    pub owner_user_name: Option<String>,
    pub store_code: Option<String>,
    /// Cainiao's order code.
    pub order_code: String,
    /// The ERP's order code.
    pub erp_order_code: Option<String>,
    pub order_type: u16,
    pub inbound_type_desc: Option<String>,
    pub order_flag: Option<String>,
    pub order_source: Option<String>,
    pub order_create_time: Option<String>,
    pub supplier_code: Option<String>,
    pub supplier_name: Option<String>,
    pub tms_service_code: Option<String>,
    pub tms_service_name: Option<String>,
    pub tms_order_code: Option<String>,
    pub prev_order_code: Option<String>,
    pub prev_erp_order_code: Option<String>,
    pub return_reason: Option<String>,
    pub buyer_nick: Option<String>,
    pub expect_start_time: Option<String>,
    pub expect_end_time: Option<String>,
    pub remark: Option<String>,
    pub extend_fields: Option<String>,
    pub batch_send_ctrl_param: Option<BatchSendCtrlParam>,
    pub sender_info: Option<SenderInfo>,
    pub driver_info: Option<DriverInfo>,
    #[serde(
        rename = "orderItemList",
        with = "lists::order_item",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub order_items: Vec<NotifyItem>,
    #[serde(
        rename = "caseInfoList",
        with = "lists::case_info",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub cases: Vec<CaseInfo>,
}

impl Payload for StockInOrderNotify {
    const MSG_TYPE: MsgType = MsgType::StockInOrderNotify;

    fn validate(&self) -> Result<(), Error> {
        order_type_in(self.order_type, Self::MSG_TYPE, CainiaoFamily::StockIn).map(|_| ())
    }
}

/// `WMS_STOCK_OUT_ORDER_NOTIFY`: non-trade outbound orders.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StockOutOrderNotify {
    pub owner_user_id: Option<String>,
    pub owner_user_name: Option<String>,
    pub store_code: Option<String>,
    /// Cainiao's order code.
    pub order_code: String,
    /// The ERP's order code.
    pub erp_order_code: Option<String>,
    pub order_type: u16,
    pub outbound_type_desc: Option<String>,
    pub order_flag: Option<String>,
    pub order_source: Option<String>,
    pub order_create_time: Option<String>,
    pub send_time: Option<String>,
    pub transport_mode: Option<String>,
    pub carriers_name: Option<String>,
    pub car_no: Option<String>,
    pub pick_name: Option<String>,
    pub pick_tel: Option<String>,
    pub pick_call: Option<String>,
    pub pick_id: Option<String>,
    pub pick_company: Option<String>,
    pub supplier_code: Option<String>,
    pub supplier_name: Option<String>,
    pub tms_service_code: Option<String>,
    pub tms_service_name: Option<String>,
    pub tms_order_code: Option<String>,
    pub remark: Option<String>,
    pub extend_fields: Option<String>,
    pub batch_send_ctrl_param: Option<BatchSendCtrlParam>,
    pub receiver_info: Option<ReceiverInfo>,
    pub sender_info: Option<SenderInfo>,
    #[serde(
        rename = "orderItemList",
        with = "lists::order_item",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub order_items: Vec<NotifyItem>,
}

impl Payload for StockOutOrderNotify {
    const MSG_TYPE: MsgType = MsgType::StockOutOrderNotify;

    fn validate(&self) -> Result<(), Error> {
        order_type_in(self.order_type, Self::MSG_TYPE, CainiaoFamily::StockOut).map(|_| ())
    }
}

/// The header fields every order notify shares, for building a domain
/// order.
pub(super) struct OrderHeader<'a> {
    pub msg_type: MsgType,
    pub order_type: u16,
    pub family: CainiaoFamily,
    pub erp_order_code: &'a Option<String>,
    pub owner_user_id: &'a Option<String>,
    pub store_code: &'a Option<String>,
    pub order_create_time: &'a Option<String>,
    pub prev_erp_order_code: &'a Option<String>,
    pub tms_service_code: &'a Option<String>,
    pub receiver_info: Option<&'a ReceiverInfo>,
    pub supplier_code: &'a Option<String>,
    pub remark: &'a Option<String>,
    pub order_items: &'a [NotifyItem],
}

impl OrderHeader<'_> {
    pub fn to_order(&self) -> Result<Order, Error> {
        let msg_type = self.msg_type;
        let lines = self
            .order_items
            .iter()
            .map(|line| order_line(line, msg_type))
            .collect::<Result<_, _>>()?;
        Ok(Order {
            order_code: require(self.erp_order_code, msg_type, "erpOrderCode")?.to_owned(),
            order_type: order_type_in(self.order_type, msg_type, self.family)?,
            owner_code: require(self.owner_user_id, msg_type, "ownerUserId")?.to_owned(),
            warehouse_code: require(self.store_code, msg_type, "storeCode")?.to_owned(),
            created_at: self.order_create_time.clone().unwrap_or_default(),
            prev_order_code: self.prev_erp_order_code.clone(),
            logistics_code: self.tms_service_code.clone(),
            receiver: self.receiver_info.map(address_of),
            supplier_code: self.supplier_code.clone(),
            remark: self.remark.clone(),
            lines,
        })
    }
}

fn order_line(line: &NotifyItem, msg_type: MsgType) -> Result<OrderLine, Error> {
    Ok(OrderLine {
        line_no: line.order_item_id.clone(),
        item_code: ItemCode(require(&line.item_code, msg_type, "itemCode")?.to_owned()),
        item_name: line.item_name.clone(),
        inventory_type: inventory_type(line.inventory_type)?,
        plan_qty: line.item_quantity,
        lot: Lot {
            batch_code: line.batch_code.clone(),
            product_date: line.produce_date.clone(),
            expire_date: line.due_date.clone(),
            produce_code: line.produce_code.clone(),
        },
        serials: Vec::new(),
    })
}

/// A notify line for a domain order line.
pub(super) fn notify_item(line: &OrderLine) -> NotifyItem {
    NotifyItem {
        order_item_id: line.line_no.clone(),
        item_name: line.item_name.clone(),
        item_code: Some(line.item_code.0.clone()),
        inventory_type: Some(line.inventory_type.cainiao_code()),
        item_quantity: line.plan_qty,
        batch_code: line.lot.batch_code.clone(),
        produce_code: line.lot.produce_code.clone(),
        produce_date: line.lot.product_date.clone(),
        due_date: line.lot.expire_date.clone(),
        ..NotifyItem::default()
    }
}

pub(super) fn address_of(info: &ReceiverInfo) -> Address {
    Address {
        name: info.receiver_name.clone().unwrap_or_default(),
        mobile: info.receiver_mobile.clone(),
        province: info.receiver_province.clone(),
        city: info.receiver_city.clone(),
        area: info.receiver_area.clone(),
        detail: info.receiver_address.clone().unwrap_or_default(),
    }
}

pub(super) fn receiver_info(address: &Address) -> ReceiverInfo {
    let text = |s: &str| Some(s.to_owned()).filter(|s| !s.is_empty());
    ReceiverInfo {
        receiver_name: text(&address.name),
        receiver_mobile: address.mobile.clone(),
        receiver_province: address.province.clone(),
        receiver_city: address.city.clone(),
        receiver_area: address.area.clone(),
        receiver_address: text(&address.detail),
        ..ReceiverInfo::default()
    }
}

impl StockInOrderNotify {
    /// The domain order; `order_code` is the ERP's code.
    pub fn to_order(&self) -> Result<Order, Error> {
        OrderHeader {
            msg_type: Self::MSG_TYPE,
            order_type: self.order_type,
            family: CainiaoFamily::StockIn,
            erp_order_code: &self.erp_order_code,
            owner_user_id: &self.owner_user_id,
            store_code: &self.store_code,
            order_create_time: &self.order_create_time,
            prev_erp_order_code: &self.prev_erp_order_code,
            tms_service_code: &self.tms_service_code,
            receiver_info: None,
            supplier_code: &self.supplier_code,
            remark: &self.remark,
            order_items: &self.order_items,
        }
        .to_order()
    }

    /// The notify for a domain order under Cainiao's `order_code`.
    pub fn from_order(order: &Order, order_code: &str) -> StockInOrderNotify {
        StockInOrderNotify {
            owner_user_id: Some(order.owner_code.clone()),
            store_code: Some(order.warehouse_code.clone()),
            order_code: order_code.to_owned(),
            erp_order_code: Some(order.order_code.clone()),
            order_type: order.order_type.code(),
            order_create_time: Some(order.created_at.clone()).filter(|t| !t.is_empty()),
            supplier_code: order.supplier_code.clone(),
            tms_service_code: order.logistics_code.clone(),
            prev_erp_order_code: order.prev_order_code.clone(),
            remark: order.remark.clone(),
            order_items: order.lines.iter().map(notify_item).collect(),
            ..StockInOrderNotify::default()
        }
    }
}

impl StockOutOrderNotify {
    /// The domain order; `order_code` is the ERP's code.
    pub fn to_order(&self) -> Result<Order, Error> {
        OrderHeader {
            msg_type: Self::MSG_TYPE,
            order_type: self.order_type,
            family: CainiaoFamily::StockOut,
            erp_order_code: &self.erp_order_code,
            owner_user_id: &self.owner_user_id,
            store_code: &self.store_code,
            order_create_time: &self.order_create_time,
            prev_erp_order_code: &None,
            tms_service_code: &self.tms_service_code,
            receiver_info: self.receiver_info.as_ref(),
            supplier_code: &self.supplier_code,
            remark: &self.remark,
            order_items: &self.order_items,
        }
        .to_order()
    }

    /// The notify for a domain order under Cainiao's `order_code`.
    pub fn from_order(order: &Order, order_code: &str) -> StockOutOrderNotify {
        StockOutOrderNotify {
            owner_user_id: Some(order.owner_code.clone()),
            store_code: Some(order.warehouse_code.clone()),
            order_code: order_code.to_owned(),
            erp_order_code: Some(order.order_code.clone()),
            order_type: order.order_type.code(),
            order_create_time: Some(order.created_at.clone()).filter(|t| !t.is_empty()),
            supplier_code: order.supplier_code.clone(),
            tms_service_code: order.logistics_code.clone(),
            remark: order.remark.clone(),
            receiver_info: order.receiver.as_ref().map(receiver_info),
            order_items: order.lines.iter().map(notify_item).collect(),
            ..StockOutOrderNotify::default()
        }
    }
}
