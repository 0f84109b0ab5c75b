//! Item master messages: `WMS_SKU_INFO_NOTIFY` (Cainiao pushes an item)
//! and `WMS_ITEM_QUERY` (the WMS pulls items by id or code).
//!
//! Weights are grams and lengths millimetres, as in the domain. Flags
//! (`isSnMgt`, …) are the strings `true|false`; anything but `true` reads
//! as false.
//!
//! # Known gaps
//! The retail price has no field in the spec's item list and is not
//! carried; `lifecycle` (shelf life in days) is an assumed name. The
//! query reply's item element name (`itemList/item`) is assumed.

use serde::{Deserialize, Serialize};

use super::{flag, lists, Payload};
use crate::cainiao::MsgType;
use crate::domain::{Item, ItemCode};

/// The item attributes of §3.1: the flat `WMS_SKU_INFO_NOTIFY` request and
/// each item of a `WMS_ITEM_QUERY` reply.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SkuInfo {
    pub owner_user_id: Option<String>,
    pub item_id: Option<String>,
    pub item_code: String,
    pub name: Option<String>,
    /// One or more barcodes joined by `;`.
    pub bar_code: Option<String>,
    pub goods_no: Option<String>,
    /// `ADD`, `MODIFY` or `DELETE`.
    pub action_type: Option<String>,
    pub item_version: Option<String>,
    /// `NORMAL`, `PACKING_MATERIALS`, `CONSUMPTIVE_MATERIALS`, `GIFT`.
    #[serde(rename = "type")]
    pub item_type: Option<String>,
    pub category: Option<String>,
    pub category_name: Option<String>,
    pub brand: Option<String>,
    pub brand_name: Option<String>,
    pub specification: Option<String>,
    pub color: Option<String>,
    pub size: Option<String>,
    pub gross_weight: Option<u32>,
    pub net_weight: Option<u32>,
    pub length: Option<u32>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// Cubic centimetres.
    pub volume: Option<u32>,
    pub pcs: Option<u32>,
    pub unit: Option<String>,
    pub is_shelflife: Option<String>,
    /// Shelf life in days (name assumed).
    pub lifecycle: Option<u32>,
    pub is_sn_mgt: Option<String>,
    pub is_batch_mgt: Option<String>,
    pub is_danger: Option<String>,
    pub extend_fields: Option<String>,
    pub tags: Option<String>,
}

/// `WMS_SKU_INFO_NOTIFY` is a flat [`SkuInfo`].
pub type SkuInfoNotify = SkuInfo;

impl Payload for SkuInfo {
    const MSG_TYPE: MsgType = MsgType::SkuInfoNotify;
}

impl SkuInfo {
    /// The domain item.
    pub fn to_item(&self) -> Item {
        let bar_codes = self
            .bar_code
            .iter()
            .flat_map(|codes| codes.split(';'))
            .map(str::trim)
            .filter(|code| !code.is_empty())
            .map(str::to_owned)
            .collect();
        Item {
            item_code: ItemCode(self.item_code.clone()),
            item_name: self.name.clone().unwrap_or_default(),
            bar_codes,
            unit: self.unit.clone(),
            gross_weight_g: self.gross_weight,
            length_mm: self.length,
            width_mm: self.width,
            height_mm: self.height,
            shelf_life_days: self.lifecycle,
            batch_managed: flag(&self.is_batch_mgt),
            sn_managed: flag(&self.is_sn_mgt),
            retail_price_fen: None,
        }
    }

    /// The notify for a domain item of `owner_user_id`, as an `ADD`.
    pub fn from_item(item: &Item, owner_user_id: &str) -> SkuInfo {
        let bool_text = |b: bool| Some(b.to_string());
        SkuInfo {
            owner_user_id: Some(owner_user_id.to_owned()),
            item_code: item.item_code.0.clone(),
            name: Some(item.item_name.clone()).filter(|n| !n.is_empty()),
            bar_code: Some(item.bar_codes.join(";")).filter(|b| !b.is_empty()),
            action_type: Some("ADD".into()),
            gross_weight: item.gross_weight_g,
            length: item.length_mm,
            width: item.width_mm,
            height: item.height_mm,
            unit: item.unit.clone(),
            is_shelflife: bool_text(item.shelf_life_days.is_some()),
            lifecycle: item.shelf_life_days,
            is_sn_mgt: bool_text(item.sn_managed),
            is_batch_mgt: bool_text(item.batch_managed),
            ..SkuInfo::default()
        }
    }
}

/// `WMS_ITEM_QUERY` request: items of an owner by Cainiao id or code.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemQuery {
    /// The owner's id.
    pub provider_tp_id: String,
    #[serde(
        with = "lists::item_id",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub item_ids: Vec<String>,
    #[serde(
        with = "lists::item_code",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub item_codes: Vec<String>,
}

impl Payload for ItemQuery {
    const MSG_TYPE: MsgType = MsgType::ItemQuery;
}

/// `WMS_ITEM_QUERY` reply, root `<response>`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemQueryResponse {
    pub success: String,
    pub error_code: Option<String>,
    pub error_msg: Option<String>,
    #[serde(
        rename = "itemList",
        with = "lists::item",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub items: Vec<SkuInfo>,
}

impl Payload for ItemQueryResponse {
    const MSG_TYPE: MsgType = MsgType::ItemQuery;
    const ROOT: &'static str = "response";
}
