//! WMS reports without a domain counterpart: `sn.report`,
//! `order.sn.report`, `itemlack.report`, `wavenum.report`. They are read
//! and written as typed messages only.

use serde::{Deserialize, Serialize};

use super::{ExtendProps, Items, Message, Orders};
use crate::qimen::Method;

/// One serial number of a shipped item.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SnItem {
    pub item_code: String,
    pub item_id: Option<String>,
    pub sn: String,
}

/// `deliveryOrder` of `sn.report`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SnDeliveryOrder {
    pub delivery_order_code: String,
    pub delivery_order_id: Option<String>,
    pub warehouse_code: String,
    pub owner_code: Option<String>,
    pub order_type: String,
    pub out_biz_code: Option<String>,
}

/// `taobao.qimen.sn.report`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SnReport {
    pub total_page: u32,
    pub current_page: u32,
    pub page_size: u32,
    pub delivery_order: SnDeliveryOrder,
    #[serde(default, skip_serializing_if = "Items::is_empty")]
    pub items: Items<SnItem>,
    #[serde(default, skip_serializing_if = "ExtendProps::is_empty")]
    pub extend_props: ExtendProps,
}

impl Message for SnReport {
    const METHOD: Method = Method::SnReport;
}

/// `order` of `order.sn.report`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SnOrder {
    pub order_code: String,
    pub warehouse_code: String,
    pub owner_code: Option<String>,
    pub order_type: String,
    pub out_biz_code: Option<String>,
}

/// `taobao.qimen.order.sn.report`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderSnReport {
    pub total_page: u32,
    pub current_page: u32,
    pub page_size: u32,
    pub order: SnOrder,
    #[serde(default, skip_serializing_if = "Items::is_empty")]
    pub items: Items<SnItem>,
    #[serde(default, skip_serializing_if = "ExtendProps::is_empty")]
    pub extend_props: ExtendProps,
}

impl Message for OrderSnReport {
    const METHOD: Method = Method::OrderSnReport;
}

/// A short item of `itemlack.report`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LackItem {
    pub item_code: String,
    pub item_id: Option<String>,
    pub inventory_type: Option<String>,
    pub batch_code: Option<String>,
    pub product_date: Option<String>,
    pub expire_date: Option<String>,
    pub produce_code: Option<String>,
    pub plan_qty: u32,
    pub lack_qty: u32,
    /// 实物报缺 (physical) or 系统报缺 (system), as sent.
    pub reason: Option<String>,
    pub remark: Option<String>,
}

/// `taobao.qimen.itemlack.report`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemLackReport {
    pub warehouse_code: String,
    pub delivery_order_code: String,
    pub delivery_order_id: Option<String>,
    pub create_time: String,
    pub out_biz_code: String,
    #[serde(default, skip_serializing_if = "Items::is_empty")]
    pub items: Items<LackItem>,
    #[serde(default, skip_serializing_if = "ExtendProps::is_empty")]
    pub extend_props: ExtendProps,
}

impl Message for ItemLackReport {
    const METHOD: Method = Method::ItemLackReport;
}

/// One order of a wave.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WaveOrder {
    pub delivery_order_code: String,
    pub delivery_order_id: Option<String>,
    pub num: Option<u32>,
}

/// `taobao.qimen.wavenum.report`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WavenumReport {
    pub wave_num: String,
    #[serde(default, skip_serializing_if = "Orders::is_empty")]
    pub orders: Orders<WaveOrder>,
    #[serde(default, skip_serializing_if = "ExtendProps::is_empty")]
    pub extend_props: ExtendProps,
}

impl Message for WavenumReport {
    const METHOD: Method = Method::WavenumReport;
}
