//! `WMS_CONSIGN_ORDER_NOTIFY`: a trade delivery (201, 202, 502, 503)
//! pushed to the WMS. Amounts are fen, kept as strings.
//!
//! # Known gaps
//! `invoiceInfoList` and `packageRequirements` are not typed: the samples
//! carry none and no flow reads them, so they are dropped on reading.

use serde::{Deserialize, Serialize};

use super::notify::{
    notify_item, receiver_info, NotifyItem, OrderHeader, ReceiverInfo, SenderInfo,
};
use super::{lists, order_type_in, Payload};
use crate::cainiao::{Error, MsgType};
use crate::domain::Order;
use crate::mapping::CainiaoFamily;

#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliverRequirements {
    pub schedule_type: Option<String>,
    pub schedule_day: Option<String>,
    pub schedule_start: Option<String>,
    pub schedule_end: Option<String>,
    pub schedule_arrive_time: Option<String>,
    pub delivery_type: Option<String>,
}

#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OperationRequireTime {
    pub schedule_stock_out_time: Option<String>,
}

/// `WMS_CONSIGN_ORDER_NOTIFY`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsignOrderNotify {
    pub owner_user_id: Option<String>,
    pub owner_user_name: Option<String>,
    pub store_code: Option<String>,
    /// Cainiao's order code.
    pub order_code: String,
    /// The ERP's order code.
    pub erp_order_code: Option<String>,
    pub order_type: u16,
    pub user_id: Option<String>,
    pub user_name: Option<String>,
    pub order_flag: Option<String>,
    pub order_source: Option<String>,
    pub order_source_type: Option<String>,
    pub order_create_time: Option<String>,
    pub order_shop_create_time: Option<String>,
    pub order_pay_time: Option<String>,
    pub order_examination_time: Option<String>,
    pub order_amount: Option<String>,
    pub discount_amount: Option<String>,
    pub ar_amount: Option<String>,
    pub got_amount: Option<String>,
    pub postfee: Option<String>,
    pub service_fee: Option<String>,
    pub currency: Option<String>,
    pub time_zone: Option<String>,
    pub tms_service_code: Option<String>,
    pub tms_service_name: Option<String>,
    pub tms_order_code: Option<String>,
    pub prev_order_code: Option<String>,
    pub prev_erp_order_code: Option<String>,
    pub buyer_message: Option<String>,
    pub seller_message: Option<String>,
    pub remark: Option<String>,
    pub extend_fields: Option<String>,
    pub biz_type: Option<String>,
    pub deliver_requirements: Option<DeliverRequirements>,
    pub operation_require_time: Option<OperationRequireTime>,
    pub batch_send_ctrl_param: Option<super::notify::BatchSendCtrlParam>,
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

impl Payload for ConsignOrderNotify {
    const MSG_TYPE: MsgType = MsgType::ConsignOrderNotify;

    fn validate(&self) -> Result<(), Error> {
        order_type_in(self.order_type, Self::MSG_TYPE, CainiaoFamily::Consign).map(|_| ())
    }
}

impl ConsignOrderNotify {
    /// The domain order; `order_code` is the ERP's code.
    pub fn to_order(&self) -> Result<Order, Error> {
        OrderHeader {
            msg_type: Self::MSG_TYPE,
            order_type: self.order_type,
            family: CainiaoFamily::Consign,
            erp_order_code: &self.erp_order_code,
            owner_user_id: &self.owner_user_id,
            store_code: &self.store_code,
            order_create_time: &self.order_create_time,
            prev_erp_order_code: &self.prev_erp_order_code,
            tms_service_code: &self.tms_service_code,
            receiver_info: self.receiver_info.as_ref(),
            supplier_code: &None,
            remark: &self.remark,
            order_items: &self.order_items,
        }
        .to_order()
    }

    /// The notify for a domain order under Cainiao's `order_code`.
    pub fn from_order(order: &Order, order_code: &str) -> ConsignOrderNotify {
        ConsignOrderNotify {
            owner_user_id: Some(order.owner_code.clone()),
            store_code: Some(order.warehouse_code.clone()),
            order_code: order_code.to_owned(),
            erp_order_code: Some(order.order_code.clone()),
            order_type: order.order_type.code(),
            order_create_time: Some(order.created_at.clone()).filter(|t| !t.is_empty()),
            tms_service_code: order.logistics_code.clone(),
            prev_erp_order_code: order.prev_order_code.clone(),
            remark: order.remark.clone(),
            receiver_info: order.receiver.as_ref().map(receiver_info),
            order_items: order.lines.iter().map(notify_item).collect(),
            ..ConsignOrderNotify::default()
        }
    }
}
