//! Item master messages: `singleitem.synchronize`, `items.synchronize`,
//! `combineitem.synchronize` (ERP → WMS).
//!
//! Conversion to [`domain::Item`] turns Qimen units into the domain's:
//! kg → g, cm → mm, yuan → fen, `shelfLife` hours → days.

use serde::{Deserialize, Serialize};

use super::{format_scaled, non_empty, parse_scaled, ExtendProps, Items, Message};
use crate::domain::{self, ItemCode};
use crate::qimen::{Error, Method};

/// One SKU as the ERP describes it.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemRecord {
    pub item_code: String,
    pub item_id: Option<String>,
    pub goods_code: Option<String>,
    pub item_name: String,
    /// One or more barcodes joined with `;`.
    pub bar_code: Option<String>,
    pub sku_property: Option<String>,
    pub stock_unit: Option<String>,
    pub length: Option<String>,
    pub width: Option<String>,
    pub height: Option<String>,
    pub volume: Option<String>,
    pub gross_weight: Option<String>,
    pub net_weight: Option<String>,
    pub color: Option<String>,
    pub size: Option<String>,
    pub category_id: Option<String>,
    pub category_name: Option<String>,
    pub safety_stock: Option<String>,
    pub item_type: Option<String>,
    pub tag_price: Option<String>,
    pub retail_price: Option<String>,
    pub cost_price: Option<String>,
    pub purchase_price: Option<String>,
    pub brand_code: Option<String>,
    pub brand_name: Option<String>,
    #[serde(rename = "isSNMgmt")]
    pub is_sn_mgmt: Option<String>,
    pub is_shelf_life_mgmt: Option<String>,
    /// Shelf life in hours.
    pub shelf_life: Option<String>,
    pub is_batch_mgmt: Option<String>,
    pub pcs: Option<String>,
    pub is_fragile: Option<String>,
    pub is_hazardous: Option<String>,
    pub is_valid: Option<String>,
    pub remark: Option<String>,
}

fn flag(value: &Option<String>) -> bool {
    value
        .as_deref()
        .is_some_and(|v| v.eq_ignore_ascii_case("Y"))
}

fn yes_no(value: bool) -> Option<String> {
    Some(if value { "Y" } else { "N" }.to_owned())
}

fn scaled(field: &str, value: &Option<String>, scale: u32) -> Result<Option<u64>, Error> {
    value
        .as_deref()
        .map(|v| parse_scaled(field, v, scale))
        .transpose()
}

fn to_u32(field: &str, value: Option<u64>) -> Result<Option<u32>, Error> {
    value
        .map(|v| {
            u32::try_from(v).map_err(|_| Error::InvalidField {
                field: field.to_owned(),
                value: v.to_string(),
                reason: "too large".to_owned(),
            })
        })
        .transpose()
}

impl ItemRecord {
    /// The domain item; `field` locates the record in errors.
    pub fn to_domain(&self, field: &str) -> Result<domain::Item, Error> {
        let at = |name: &str| format!("{field}.{name}");
        // Lengths are cm with one decimal → mm; weights kg → g.
        let length_mm = to_u32(&at("length"), scaled(&at("length"), &self.length, 1)?)?;
        let width_mm = to_u32(&at("width"), scaled(&at("width"), &self.width, 1)?)?;
        let height_mm = to_u32(&at("height"), scaled(&at("height"), &self.height, 1)?)?;
        let gross = scaled(&at("grossWeight"), &self.gross_weight, 3)?;
        let shelf_life_hours = scaled(&at("shelfLife"), &self.shelf_life, 0)?;

        Ok(domain::Item {
            item_code: ItemCode::from(self.item_code.as_str()),
            item_name: self.item_name.clone(),
            bar_codes: self
                .bar_code
                .as_deref()
                .map(|b| b.split(';').map(|s| s.trim().to_owned()).collect())
                .unwrap_or_default(),
            unit: self.stock_unit.clone(),
            gross_weight_g: to_u32(&at("grossWeight"), gross)?,
            length_mm,
            width_mm,
            height_mm,
            shelf_life_days: to_u32(&at("shelfLife"), shelf_life_hours.map(|h| h / 24))?,
            batch_managed: flag(&self.is_batch_mgmt),
            sn_managed: flag(&self.is_sn_mgmt),
            retail_price_fen: scaled(&at("retailPrice"), &self.retail_price, 2)?,
        })
    }

    pub fn from_domain(item: &domain::Item) -> ItemRecord {
        let shelf_life_days = item.shelf_life_days.filter(|d| *d > 0);
        ItemRecord {
            item_code: item.item_code.0.clone(),
            item_name: item.item_name.clone(),
            bar_code: non_empty(&item.bar_codes.join(";")),
            stock_unit: item.unit.clone(),
            length: item.length_mm.map(|v| format_scaled(v.into(), 1)),
            width: item.width_mm.map(|v| format_scaled(v.into(), 1)),
            height: item.height_mm.map(|v| format_scaled(v.into(), 1)),
            gross_weight: item.gross_weight_g.map(|v| format_scaled(v.into(), 3)),
            item_type: Some("ZC".to_owned()),
            retail_price: item.retail_price_fen.map(|v| format_scaled(v, 2)),
            is_sn_mgmt: yes_no(item.sn_managed),
            is_shelf_life_mgmt: yes_no(shelf_life_days.is_some()),
            shelf_life: shelf_life_days.map(|d| (u64::from(d) * 24).to_string()),
            is_batch_mgmt: yes_no(item.batch_managed),
            ..ItemRecord::default()
        }
    }
}

/// `taobao.qimen.singleitem.synchronize`: one SKU, `add` or `update`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SingleItemSynchronize {
    pub action_type: String,
    pub warehouse_code: String,
    pub owner_code: String,
    pub supplier_code: Option<String>,
    pub supplier_name: Option<String>,
    pub item: ItemRecord,
    #[serde(default, skip_serializing_if = "ExtendProps::is_empty")]
    pub extend_props: ExtendProps,
}

impl Message for SingleItemSynchronize {
    const METHOD: Method = Method::SingleItemSynchronize;
}

impl SingleItemSynchronize {
    pub fn to_domain(&self) -> Result<domain::Item, Error> {
        self.item.to_domain("item")
    }

    pub fn from_domain(
        item: &domain::Item,
        action_type: &str,
        owner_code: &str,
        warehouse_code: &str,
    ) -> SingleItemSynchronize {
        SingleItemSynchronize {
            action_type: action_type.to_owned(),
            warehouse_code: warehouse_code.to_owned(),
            owner_code: owner_code.to_owned(),
            item: ItemRecord::from_domain(item),
            ..SingleItemSynchronize::default()
        }
    }
}

/// `taobao.qimen.items.synchronize`: several SKUs.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemsSynchronize {
    pub action_type: String,
    pub warehouse_code: String,
    pub owner_code: String,
    pub supplier_code: Option<String>,
    pub supplier_name: Option<String>,
    #[serde(default, skip_serializing_if = "Items::is_empty")]
    pub items: Items<ItemRecord>,
    #[serde(default, skip_serializing_if = "ExtendProps::is_empty")]
    pub extend_props: ExtendProps,
}

impl Message for ItemsSynchronize {
    const METHOD: Method = Method::ItemsSynchronize;
}

impl ItemsSynchronize {
    pub fn to_domain(&self) -> Result<Vec<domain::Item>, Error> {
        self.items
            .list
            .iter()
            .enumerate()
            .map(|(i, item)| item.to_domain(&format!("items[{i}]")))
            .collect()
    }

    pub fn from_domain(
        items: &[domain::Item],
        action_type: &str,
        owner_code: &str,
        warehouse_code: &str,
    ) -> ItemsSynchronize {
        ItemsSynchronize {
            action_type: action_type.to_owned(),
            warehouse_code: warehouse_code.to_owned(),
            owner_code: owner_code.to_owned(),
            items: items
                .iter()
                .map(ItemRecord::from_domain)
                .collect::<Vec<_>>()
                .into(),
            ..ItemsSynchronize::default()
        }
    }
}

/// A component of a kit.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KitComponent {
    pub item_code: String,
    pub item_id: Option<String>,
    pub quantity: u32,
}

/// `taobao.qimen.combineitem.synchronize`: a kit and its components.
/// Kits are not in the domain model, so there is no conversion.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CombineItemSynchronize {
    pub item_code: String,
    pub owner_code: String,
    pub warehouse_code: Option<String>,
    #[serde(default, skip_serializing_if = "Items::is_empty")]
    pub items: Items<KitComponent>,
    #[serde(default, skip_serializing_if = "ExtendProps::is_empty")]
    pub extend_props: ExtendProps,
}

impl Message for CombineItemSynchronize {
    const METHOD: Method = Method::CombineItemSynchronize;
}
