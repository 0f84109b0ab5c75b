//! Stock messages: `inventory.query` and `stock.query` (ERP → WMS),
//! `inventory.report` (counts) and `stockchange.report` (moves) from the
//! WMS.
//!
//! Conversion rules:
//! - `inventory.report` becomes one [`StockAdjustment`] keyed by
//!   `checkOrderCode`; its order type is 702 when every delta is a gain,
//!   701 when every delta is a loss, and none when the page mixes both.
//! - `stockchange.report` becomes one [`StockAdjustment`] per `orderCode`,
//!   in order of first appearance, keyed by the first item's `outBizCode`;
//!   an item with `batchs` gives one line per batch (signed batch
//!   quantity).

use serde::{Deserialize, Serialize};

use super::{inventory_type_of, Batch, Batchs, CriteriaList, ExtendProps, Items, Message};
use crate::domain::{AdjustmentLine, ItemCode, Lot, OrderType, StockAdjustment};
use crate::qimen::{Error, Method};

/// One item asked about in `inventory.query`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Criteria {
    pub warehouse_code: Option<String>,
    pub owner_code: Option<String>,
    pub item_code: String,
    pub item_id: Option<String>,
    pub inventory_type: Option<String>,
    pub remark: Option<String>,
}

/// `taobao.qimen.inventory.query`; the answer is a
/// [`crate::qimen::Response`] with `items`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InventoryQuery {
    #[serde(default, skip_serializing_if = "CriteriaList::is_empty")]
    pub criteria_list: CriteriaList<Criteria>,
    #[serde(default, skip_serializing_if = "ExtendProps::is_empty")]
    pub extend_props: ExtendProps,
}

impl Message for InventoryQuery {
    const METHOD: Method = Method::InventoryQuery;
}

/// `taobao.qimen.stock.query`: one item, paged.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StockQuery {
    pub warehouse_code: Option<String>,
    pub owner_code: Option<String>,
    pub item_code: String,
    pub item_id: Option<String>,
    pub inventory_type: Option<String>,
    pub batch_code: Option<String>,
    pub product_date: Option<String>,
    pub expire_date: Option<String>,
    pub page: u32,
    pub page_size: u32,
}

impl Message for StockQuery {
    const METHOD: Method = Method::StockQuery;
}

/// A counted item: signed `quantity` delta and resulting `totalQty`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CountItem {
    pub item_code: String,
    pub item_id: Option<String>,
    pub inventory_type: Option<String>,
    pub quantity: i64,
    pub batch_code: Option<String>,
    pub product_date: Option<String>,
    pub expire_date: Option<String>,
    pub produce_code: Option<String>,
    pub sn_code: Option<String>,
    pub total_qty: Option<i64>,
    pub remark: Option<String>,
}

/// `taobao.qimen.inventory.report`: one page of a count or adjustment.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InventoryReport {
    pub total_page: u32,
    pub current_page: u32,
    pub page_size: u32,
    pub warehouse_code: String,
    pub check_order_code: String,
    pub check_order_id: Option<String>,
    pub owner_code: String,
    pub check_time: Option<String>,
    pub out_biz_code: String,
    pub adjust_type: String,
    pub remark: Option<String>,
    #[serde(default, skip_serializing_if = "Items::is_empty")]
    pub items: Items<CountItem>,
    #[serde(default, skip_serializing_if = "ExtendProps::is_empty")]
    pub extend_props: ExtendProps,
}

impl Message for InventoryReport {
    const METHOD: Method = Method::InventoryReport;
}

impl InventoryReport {
    pub fn to_domain(&self) -> Result<StockAdjustment, Error> {
        let mut lines = Vec::new();
        for (i, item) in self.items.list.iter().enumerate() {
            let field = format!("items[{i}].inventoryType");
            lines.push(AdjustmentLine {
                item_code: ItemCode::from(item.item_code.as_str()),
                inventory_type: inventory_type_of(&field, item.inventory_type.as_deref())?,
                delta: item.quantity,
                lot: Lot {
                    batch_code: item.batch_code.clone(),
                    product_date: item.product_date.clone(),
                    expire_date: item.expire_date.clone(),
                    produce_code: item.produce_code.clone(),
                },
            });
        }
        let order_type = if !lines.is_empty() && lines.iter().all(|l| l.delta > 0) {
            Some(OrderType::CountGain)
        } else if !lines.is_empty() && lines.iter().all(|l| l.delta < 0) {
            Some(OrderType::CountLoss)
        } else {
            None
        };

        Ok(StockAdjustment {
            adjustment_code: self.check_order_code.clone(),
            order_type,
            out_biz_code: self.out_biz_code.clone(),
            adjusted_at: self.check_time.clone().unwrap_or_default(),
            lines,
        })
    }

    /// A single-page report (`CHECK`) of the adjustment.
    pub fn from_domain(
        adjustment: &StockAdjustment,
        owner_code: &str,
        warehouse_code: &str,
    ) -> InventoryReport {
        let items = adjustment
            .lines
            .iter()
            .map(|line| CountItem {
                item_code: line.item_code.0.clone(),
                inventory_type: Some(line.inventory_type.qimen_code().to_owned()),
                quantity: line.delta,
                batch_code: line.lot.batch_code.clone(),
                product_date: line.lot.product_date.clone(),
                expire_date: line.lot.expire_date.clone(),
                produce_code: line.lot.produce_code.clone(),
                ..CountItem::default()
            })
            .collect::<Vec<_>>();
        InventoryReport {
            total_page: 1,
            current_page: 1,
            page_size: items.len().max(1) as u32,
            warehouse_code: warehouse_code.to_owned(),
            check_order_code: adjustment.adjustment_code.clone(),
            owner_code: owner_code.to_owned(),
            check_time: super::non_empty(&adjustment.adjusted_at),
            out_biz_code: adjustment.out_biz_code.clone(),
            adjust_type: "CHECK".to_owned(),
            items: items.into(),
            ..InventoryReport::default()
        }
    }
}

/// One stock movement of `stockchange.report`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StockChangeItem {
    pub owner_code: String,
    pub warehouse_code: String,
    pub order_code: String,
    pub order_type: Option<String>,
    pub out_biz_code: String,
    pub item_code: String,
    pub item_id: Option<String>,
    pub inventory_type: Option<String>,
    pub quantity: i64,
    pub batch_code: Option<String>,
    pub product_date: Option<String>,
    pub expire_date: Option<String>,
    pub produce_code: Option<String>,
    pub change_time: Option<String>,
    #[serde(default, skip_serializing_if = "Batchs::is_empty")]
    pub batchs: Batchs<Batch>,
    pub is_locked: Option<String>,
    pub remark: Option<String>,
}

/// `taobao.qimen.stockchange.report`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StockChangeReport {
    #[serde(default, skip_serializing_if = "Items::is_empty")]
    pub items: Items<StockChangeItem>,
    #[serde(default, skip_serializing_if = "ExtendProps::is_empty")]
    pub extend_props: ExtendProps,
}

impl Message for StockChangeReport {
    const METHOD: Method = Method::StockChangeReport;
}

impl StockChangeReport {
    pub fn to_domain(&self) -> Result<Vec<StockAdjustment>, Error> {
        let mut out: Vec<StockAdjustment> = Vec::new();
        for (i, item) in self.items.list.iter().enumerate() {
            let lines = change_lines(&format!("items[{i}]"), item)?;
            match out
                .iter_mut()
                .find(|a| a.adjustment_code == item.order_code)
            {
                Some(adjustment) => adjustment.lines.extend(lines),
                None => out.push(StockAdjustment {
                    adjustment_code: item.order_code.clone(),
                    order_type: None,
                    out_biz_code: item.out_biz_code.clone(),
                    adjusted_at: item.change_time.clone().unwrap_or_default(),
                    lines,
                }),
            }
        }
        Ok(out)
    }
}

fn change_lines(field: &str, item: &StockChangeItem) -> Result<Vec<AdjustmentLine>, Error> {
    let item_type = inventory_type_of(
        &format!("{field}.inventoryType"),
        item.inventory_type.as_deref(),
    )?;
    if item.batchs.is_empty() {
        return Ok(vec![AdjustmentLine {
            item_code: ItemCode::from(item.item_code.as_str()),
            inventory_type: item_type,
            delta: item.quantity,
            lot: Lot {
                batch_code: item.batch_code.clone(),
                product_date: item.product_date.clone(),
                expire_date: item.expire_date.clone(),
                produce_code: item.produce_code.clone(),
            },
        }]);
    }
    item.batchs
        .list
        .iter()
        .enumerate()
        .map(|(j, batch)| {
            let batch_field = format!("{field}.batchs[{j}]");
            let inventory_type = match &batch.inventory_type {
                Some(code) => {
                    inventory_type_of(&format!("{batch_field}.inventoryType"), Some(code))?
                }
                None => item_type,
            };
            let delta = batch.quantity.ok_or_else(|| Error::MissingField {
                field: format!("{batch_field}.quantity"),
            })?;
            Ok(AdjustmentLine {
                item_code: ItemCode::from(item.item_code.as_str()),
                inventory_type,
                delta,
                lot: batch.lot(),
            })
        })
        .collect()
}
