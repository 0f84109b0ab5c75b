//! The three order confirms the WMS uploads: `WMS_CONSIGN_ORDER_CONFIRM`,
//! `WMS_STOCK_IN_ORDER_CONFIRM` and `WMS_STOCK_OUT_ORDER_CONFIRM`.
//!
//! A confirm carries only Cainiao's `orderCode`; the ERP's code is not on
//! the wire. [`to_confirm`](ConsignOrderConfirm::to_confirm) therefore
//! takes the ERP code, which the gateway looks up from the `orderCode` it
//! stored at notify time, and `order_code` stays readable on the wire type.
//!
//! Lines: the consign confirm gives one domain line per `item` entry (lot
//! and `snCode` as sent). Stock-in and stock-out confirms send one `item`
//! per serial number with quantity 1; entries of one line with the same
//! inventory type and lot merge into one domain line whose `serials` list
//! them. Writing expands serials back to one entry each.
//!
//! # Known gaps
//! `checkItems` (cumulative totals) and `invoinceConfirms` have no domain
//! counterpart; `checkItems` stay on the wire type and are not written from
//! a domain confirm. Item dimensions required by one sandbox on stock-in
//! lines are not in the domain either and are left out when writing.

use serde::{Deserialize, Serialize};

use super::{inventory_type, lists, order_type_in, require, Payload};
use crate::cainiao::{Error, MsgType};
use crate::domain::{Confirm, ConfirmLine, ConfirmType, ItemCode, Lot, Package};
use crate::mapping::CainiaoFamily;

/// A confirmed line (`orderItems/orderItem`).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfirmItem {
    pub order_item_id: Option<String>,
    pub item_code: Option<String>,
    pub item_id: Option<String>,
    /// Grams.
    pub weight: Option<u32>,
    /// Cubic centimetres.
    pub volume: Option<u32>,
    pub length: Option<u32>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    #[serde(with = "lists::item", default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<ConfirmEntry>,
}

/// One quantity of a confirmed line (`items/item`).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfirmEntry {
    pub inventory_type: Option<u16>,
    pub quantity: u32,
    pub batch_code: Option<String>,
    pub produce_code: Option<String>,
    pub produce_date: Option<String>,
    pub due_date: Option<String>,
    pub sn_code: Option<String>,
    /// Stock-out confirms only.
    pub package_code: Option<String>,
}

/// A cumulative total per line (`checkItems/checkItem`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckItem {
    pub order_item_id: String,
    pub quantity: u32,
}

/// A parcel of a consign confirm (`tmsOrders/tmsOrder`).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TmsOrder {
    pub tms_code: Option<String>,
    pub tms_order_code: Option<String>,
    pub package_code: Option<String>,
    pub package_weight: Option<u32>,
    pub package_length: Option<u32>,
    pub package_width: Option<u32>,
    pub package_height: Option<u32>,
    pub package_volume: Option<u32>,
    #[serde(
        rename = "packageMaterialList",
        with = "lists::package_material",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub package_materials: Vec<PackageMaterial>,
    #[serde(
        rename = "tmsItems",
        with = "lists::tms_item",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub tms_items: Vec<TmsItem>,
}

#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PackageMaterial {
    /// The packing material's item code.
    pub material_type: Option<String>,
    pub material_quantity: Option<u32>,
}

#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TmsItem {
    pub order_item_id: Option<String>,
    pub item_id: Option<String>,
    pub item_code: Option<String>,
    pub item_quantity: u32,
    pub batch_code: Option<String>,
    pub produce_code: Option<String>,
    pub product_date: Option<String>,
    pub due_date: Option<String>,
}

/// A parcel of a stock-out confirm (`packageInfos/packageInfo`,
/// `packageVolumn` sic).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PackageInfo {
    pub tms_code: Option<String>,
    pub tms_order_code: Option<String>,
    pub tms_service_name: Option<String>,
    pub package_code: Option<String>,
    pub package_weight: Option<u32>,
    pub package_length: Option<u32>,
    pub package_width: Option<u32>,
    pub package_height: Option<u32>,
    pub package_volumn: Option<u32>,
    #[serde(
        rename = "packageItemItems",
        with = "lists::package_item",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub package_items: Vec<PackageItem>,
}

#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PackageItem {
    pub item_id: Option<String>,
    pub item_code: Option<String>,
    pub item_quantity: u32,
}

/// `WMS_CONSIGN_ORDER_CONFIRM`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsignOrderConfirm {
    /// Cainiao's order code.
    pub order_code: String,
    pub order_type: u16,
    pub store_order_code: Option<String>,
    pub out_biz_code: String,
    /// `0` final, `1` partial; anything else reads as final.
    pub confirm_type: Option<String>,
    pub order_confirm_time: Option<String>,
    pub time_zone: Option<String>,
    pub order_join: Option<String>,
    #[serde(
        with = "lists::order_item",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub order_items: Vec<ConfirmItem>,
    #[serde(
        with = "lists::tms_order",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub tms_orders: Vec<TmsOrder>,
}

/// `WMS_STOCK_IN_ORDER_CONFIRM`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StockInOrderConfirm {
    /// Cainiao's order code.
    pub order_code: String,
    pub order_type: u16,
    pub store_order_code: Option<String>,
    pub out_biz_code: String,
    pub confirm_type: Option<String>,
    pub order_confirm_time: Option<String>,
    pub time_zone: Option<String>,
    pub tms_service_code: Option<String>,
    pub tms_service_name: Option<String>,
    pub tms_order_code: Option<String>,
    pub return_reason: Option<String>,
    #[serde(
        with = "lists::order_item",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub order_items: Vec<ConfirmItem>,
    #[serde(
        with = "lists::check_item",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub check_items: Vec<CheckItem>,
}

/// `WMS_STOCK_OUT_ORDER_CONFIRM`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StockOutOrderConfirm {
    /// Cainiao's order code.
    pub order_code: String,
    pub order_type: u16,
    pub store_order_code: Option<String>,
    pub out_biz_code: String,
    pub confirm_type: Option<String>,
    pub order_confirm_time: Option<String>,
    pub time_zone: Option<String>,
    pub tms_service_code: Option<String>,
    pub tms_service_name: Option<String>,
    pub tms_order_code: Option<String>,
    #[serde(
        with = "lists::order_item",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub order_items: Vec<ConfirmItem>,
    #[serde(
        with = "lists::check_item",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub check_items: Vec<CheckItem>,
    #[serde(
        with = "lists::package_info",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub package_infos: Vec<PackageInfo>,
}

impl Payload for ConsignOrderConfirm {
    const MSG_TYPE: MsgType = MsgType::ConsignOrderConfirm;

    fn validate(&self) -> Result<(), Error> {
        order_type_in(self.order_type, Self::MSG_TYPE, CainiaoFamily::Consign).map(|_| ())
    }
}

impl Payload for StockInOrderConfirm {
    const MSG_TYPE: MsgType = MsgType::StockInOrderConfirm;

    fn validate(&self) -> Result<(), Error> {
        order_type_in(self.order_type, Self::MSG_TYPE, CainiaoFamily::StockIn).map(|_| ())
    }
}

impl Payload for StockOutOrderConfirm {
    const MSG_TYPE: MsgType = MsgType::StockOutOrderConfirm;

    fn validate(&self) -> Result<(), Error> {
        order_type_in(self.order_type, Self::MSG_TYPE, CainiaoFamily::StockOut).map(|_| ())
    }
}

/// The header every confirm shares, for building a domain confirm.
struct Header<'a> {
    msg_type: MsgType,
    family: CainiaoFamily,
    order_type: u16,
    store_order_code: &'a Option<String>,
    out_biz_code: &'a str,
    confirm_type: &'a Option<String>,
    order_confirm_time: &'a Option<String>,
}

impl Header<'_> {
    fn to_confirm(
        &self,
        erp_order_code: &str,
        lines: Vec<ConfirmLine>,
        packages: Vec<Package>,
    ) -> Result<Confirm, Error> {
        Ok(Confirm {
            order_code: erp_order_code.to_owned(),
            order_type: order_type_in(self.order_type, self.msg_type, self.family)?,
            wms_order_id: self.store_order_code.clone(),
            out_biz_code: self.out_biz_code.to_owned(),
            confirm_type: ConfirmType::from_code(self.confirm_type.as_deref().unwrap_or("0")),
            confirmed_at: self.order_confirm_time.clone().unwrap_or_default(),
            lines,
            packages,
        })
    }
}

/// One domain line per `item` entry.
fn lines_per_entry(items: &[ConfirmItem], msg_type: MsgType) -> Result<Vec<ConfirmLine>, Error> {
    let mut lines = Vec::new();
    for item in items {
        let item_code = ItemCode(require(&item.item_code, msg_type, "itemCode")?.to_owned());
        for entry in &item.items {
            lines.push(ConfirmLine {
                line_no: item.order_item_id.clone(),
                item_code: item_code.clone(),
                inventory_type: inventory_type(entry.inventory_type)?,
                plan_qty: None,
                actual_qty: entry.quantity,
                lot: lot_of(entry),
                serials: entry.sn_code.iter().cloned().collect(),
            });
        }
    }
    Ok(lines)
}

/// Entries of one line with the same inventory type and lot merge into one
/// domain line; their serial numbers are collected in order.
fn lines_merged(items: &[ConfirmItem], msg_type: MsgType) -> Result<Vec<ConfirmLine>, Error> {
    let mut merged: Vec<ConfirmLine> = Vec::new();
    for line in lines_per_entry(items, msg_type)? {
        let same = merged.iter_mut().find(|m| {
            m.line_no == line.line_no
                && m.item_code == line.item_code
                && m.inventory_type == line.inventory_type
                && m.lot == line.lot
        });
        match same {
            Some(existing) => {
                existing.actual_qty += line.actual_qty;
                existing.serials.extend(line.serials);
            }
            None => merged.push(line),
        }
    }
    Ok(merged)
}

fn lot_of(entry: &ConfirmEntry) -> Lot {
    Lot {
        batch_code: entry.batch_code.clone(),
        product_date: entry.produce_date.clone(),
        expire_date: entry.due_date.clone(),
        produce_code: entry.produce_code.clone(),
    }
}

/// Groups domain lines by line number, expanding serials into one entry of
/// quantity 1 each.
fn confirm_items(lines: &[ConfirmLine]) -> Vec<ConfirmItem> {
    let mut items: Vec<ConfirmItem> = Vec::new();
    for line in lines {
        let position = items.iter().position(|i| {
            i.order_item_id == line.line_no && i.item_code.as_deref() == Some(&line.item_code.0)
        });
        let index = position.unwrap_or_else(|| {
            items.push(ConfirmItem {
                order_item_id: line.line_no.clone(),
                item_code: Some(line.item_code.0.clone()),
                ..ConfirmItem::default()
            });
            items.len() - 1
        });
        items[index].items.extend(entries_of(line));
    }
    items
}

fn entries_of(line: &ConfirmLine) -> Vec<ConfirmEntry> {
    let entry = |quantity: u32, sn_code: Option<&String>| ConfirmEntry {
        inventory_type: Some(line.inventory_type.cainiao_code()),
        quantity,
        batch_code: line.lot.batch_code.clone(),
        produce_code: line.lot.produce_code.clone(),
        produce_date: line.lot.product_date.clone(),
        due_date: line.lot.expire_date.clone(),
        sn_code: sn_code.cloned(),
        package_code: None,
    };
    let mut entries: Vec<ConfirmEntry> = line.serials.iter().map(|sn| entry(1, Some(sn))).collect();
    let without_serial = line.actual_qty.saturating_sub(line.serials.len() as u32);
    if without_serial > 0 || entries.is_empty() {
        entries.push(entry(without_serial, None));
    }
    entries
}

fn item_code_of(code: &Option<String>, msg_type: MsgType) -> Result<ItemCode, Error> {
    Ok(ItemCode(require(code, msg_type, "itemCode")?.to_owned()))
}

impl ConsignOrderConfirm {
    /// The domain confirm for the order the ERP knows as `erp_order_code`.
    pub fn to_confirm(&self, erp_order_code: &str) -> Result<Confirm, Error> {
        let msg_type = Self::MSG_TYPE;
        let packages = self
            .tms_orders
            .iter()
            .map(|parcel| {
                let items = parcel
                    .tms_items
                    .iter()
                    .map(|i| Ok((item_code_of(&i.item_code, msg_type)?, i.item_quantity)))
                    .collect::<Result<_, Error>>()?;
                Ok(Package {
                    logistics_code: parcel.tms_code.clone().unwrap_or_default(),
                    express_code: parcel.tms_order_code.clone().unwrap_or_default(),
                    package_code: parcel.package_code.clone(),
                    weight_g: parcel.package_weight,
                    items,
                })
            })
            .collect::<Result<_, Error>>()?;
        self.header().to_confirm(
            erp_order_code,
            lines_per_entry(&self.order_items, msg_type)?,
            packages,
        )
    }

    fn header(&self) -> Header<'_> {
        Header {
            msg_type: Self::MSG_TYPE,
            family: CainiaoFamily::Consign,
            order_type: self.order_type,
            store_order_code: &self.store_order_code,
            out_biz_code: &self.out_biz_code,
            confirm_type: &self.confirm_type,
            order_confirm_time: &self.order_confirm_time,
        }
    }

    /// The confirm for a domain confirm under Cainiao's `order_code`.
    pub fn from_confirm(confirm: &Confirm, order_code: &str) -> ConsignOrderConfirm {
        let tms_orders = confirm
            .packages
            .iter()
            .map(|package| TmsOrder {
                tms_code: text(&package.logistics_code),
                tms_order_code: text(&package.express_code),
                package_code: package.package_code.clone(),
                package_weight: package.weight_g,
                tms_items: package
                    .items
                    .iter()
                    .map(|(code, quantity)| TmsItem {
                        item_code: Some(code.0.clone()),
                        item_quantity: *quantity,
                        ..TmsItem::default()
                    })
                    .collect(),
                ..TmsOrder::default()
            })
            .collect();
        ConsignOrderConfirm {
            order_code: order_code.to_owned(),
            order_type: confirm.order_type.code(),
            store_order_code: confirm.wms_order_id.clone(),
            out_biz_code: confirm.out_biz_code.clone(),
            confirm_type: Some(confirm.confirm_type.code().to_string()),
            order_confirm_time: text(&confirm.confirmed_at),
            order_items: confirm_items(&confirm.lines),
            tms_orders,
            ..ConsignOrderConfirm::default()
        }
    }
}

impl StockInOrderConfirm {
    /// The domain confirm for the order the ERP knows as `erp_order_code`.
    pub fn to_confirm(&self, erp_order_code: &str) -> Result<Confirm, Error> {
        let header = Header {
            msg_type: Self::MSG_TYPE,
            family: CainiaoFamily::StockIn,
            order_type: self.order_type,
            store_order_code: &self.store_order_code,
            out_biz_code: &self.out_biz_code,
            confirm_type: &self.confirm_type,
            order_confirm_time: &self.order_confirm_time,
        };
        let lines = lines_merged(&self.order_items, Self::MSG_TYPE)?;
        header.to_confirm(erp_order_code, lines, Vec::new())
    }

    /// The confirm for a domain confirm under Cainiao's `order_code`.
    pub fn from_confirm(confirm: &Confirm, order_code: &str) -> StockInOrderConfirm {
        StockInOrderConfirm {
            order_code: order_code.to_owned(),
            order_type: confirm.order_type.code(),
            store_order_code: confirm.wms_order_id.clone(),
            out_biz_code: confirm.out_biz_code.clone(),
            confirm_type: Some(confirm.confirm_type.code().to_string()),
            order_confirm_time: text(&confirm.confirmed_at),
            order_items: confirm_items(&confirm.lines),
            ..StockInOrderConfirm::default()
        }
    }
}

impl StockOutOrderConfirm {
    /// The domain confirm for the order the ERP knows as `erp_order_code`.
    pub fn to_confirm(&self, erp_order_code: &str) -> Result<Confirm, Error> {
        let msg_type = Self::MSG_TYPE;
        let header = Header {
            msg_type,
            family: CainiaoFamily::StockOut,
            order_type: self.order_type,
            store_order_code: &self.store_order_code,
            out_biz_code: &self.out_biz_code,
            confirm_type: &self.confirm_type,
            order_confirm_time: &self.order_confirm_time,
        };
        let packages = self
            .package_infos
            .iter()
            .map(|parcel| {
                let items = parcel
                    .package_items
                    .iter()
                    .map(|i| Ok((item_code_of(&i.item_code, msg_type)?, i.item_quantity)))
                    .collect::<Result<_, Error>>()?;
                Ok(Package {
                    logistics_code: parcel.tms_code.clone().unwrap_or_default(),
                    express_code: parcel.tms_order_code.clone().unwrap_or_default(),
                    package_code: parcel.package_code.clone(),
                    weight_g: parcel.package_weight,
                    items,
                })
            })
            .collect::<Result<_, Error>>()?;
        let lines = lines_merged(&self.order_items, msg_type)?;
        header.to_confirm(erp_order_code, lines, packages)
    }

    /// The confirm for a domain confirm under Cainiao's `order_code`.
    pub fn from_confirm(confirm: &Confirm, order_code: &str) -> StockOutOrderConfirm {
        let package_infos = confirm
            .packages
            .iter()
            .map(|package| PackageInfo {
                tms_code: text(&package.logistics_code),
                tms_order_code: text(&package.express_code),
                package_code: package.package_code.clone(),
                package_weight: package.weight_g,
                package_items: package
                    .items
                    .iter()
                    .map(|(code, quantity)| PackageItem {
                        item_id: None,
                        item_code: Some(code.0.clone()),
                        item_quantity: *quantity,
                    })
                    .collect(),
                ..PackageInfo::default()
            })
            .collect();
        StockOutOrderConfirm {
            order_code: order_code.to_owned(),
            order_type: confirm.order_type.code(),
            store_order_code: confirm.wms_order_id.clone(),
            out_biz_code: confirm.out_biz_code.clone(),
            confirm_type: Some(confirm.confirm_type.code().to_string()),
            order_confirm_time: text(&confirm.confirmed_at),
            order_items: confirm_items(&confirm.lines),
            package_infos,
            ..StockOutOrderConfirm::default()
        }
    }
}

/// An empty domain string is absent on the wire.
fn text(value: &str) -> Option<String> {
    Some(value.to_owned()).filter(|v| !v.is_empty())
}
