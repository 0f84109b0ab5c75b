//! Stock counts, inventory-type moves and the inventory query:
//! `WMS_INVENTORY_COUNT`, `WMS_INVENTORY_ADJUST_UPLOAD` and the assumed
//! `WMS_INVENTORY_QUERY`.
//!
//! Counts send positive quantities and take the sign from the order type:
//! 701 (loss) becomes a negative delta, 702 (gain) a positive one. An
//! adjust upload moves `quantity` from the source inventory type to the
//! target one: a delta of −n on the source and +n on the target.
//!
//! # Known gaps
//! The inventory query's element names are assumed (no public source);
//! it is kept minimal: criteria by item, answer by item and inventory type.

use serde::{Deserialize, Serialize};

use super::{inventory_type, lists, order_type_in, require, Payload};
use crate::cainiao::{Error, MsgType};
use crate::domain::{AdjustmentLine, InventoryType, ItemCode, Lot, OrderType, StockAdjustment};
use crate::mapping::CainiaoFamily;

/// A counted item (`itemList/item`, item name assumed).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CountItem {
    pub item_id: Option<String>,
    pub item_code: Option<String>,
    pub detail_out_biz_code: Option<String>,
    pub inventory_type: Option<u16>,
    /// Positive; the sign comes from the order type.
    pub quantity: u32,
    pub batch_code: Option<String>,
    pub produce_code: Option<String>,
    pub produce_date: Option<String>,
    pub due_date: Option<String>,
    pub sn_code: Option<String>,
    pub remark: Option<String>,
}

/// `WMS_INVENTORY_COUNT`: a count gain (702) or loss (701).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InventoryCount {
    pub owner_user_id: Option<String>,
    pub store_code: Option<String>,
    pub order_type: u16,
    pub out_biz_code: String,
    pub imbalance_order_code: Option<String>,
    pub adjust_reason_type: Option<String>,
    pub adjust_biz_key: Option<String>,
    pub responsibility_code: Option<String>,
    pub operate_time: Option<String>,
    pub remark: Option<String>,
    #[serde(
        rename = "itemList",
        with = "lists::item",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub items: Vec<CountItem>,
}

impl Payload for InventoryCount {
    const MSG_TYPE: MsgType = MsgType::InventoryCount;

    fn validate(&self) -> Result<(), Error> {
        let family = CainiaoFamily::InventoryCount;
        order_type_in(self.order_type, Self::MSG_TYPE, family).map(|_| ())
    }
}

impl InventoryCount {
    /// The domain adjustment; a loss gives negative deltas.
    pub fn to_adjustment(&self) -> Result<StockAdjustment, Error> {
        let family = CainiaoFamily::InventoryCount;
        let order_type = order_type_in(self.order_type, Self::MSG_TYPE, family)?;
        let sign = if order_type == OrderType::CountLoss {
            -1
        } else {
            1
        };
        let lines = self
            .items
            .iter()
            .map(|item| {
                Ok(AdjustmentLine {
                    item_code: ItemCode(
                        require(&item.item_code, Self::MSG_TYPE, "itemCode")?.to_owned(),
                    ),
                    inventory_type: inventory_type(item.inventory_type)?,
                    delta: sign * i64::from(item.quantity),
                    lot: Lot {
                        batch_code: item.batch_code.clone(),
                        product_date: item.produce_date.clone(),
                        expire_date: item.due_date.clone(),
                        produce_code: item.produce_code.clone(),
                    },
                })
            })
            .collect::<Result<_, Error>>()?;
        Ok(StockAdjustment {
            adjustment_code: self
                .imbalance_order_code
                .clone()
                .unwrap_or_else(|| self.out_biz_code.clone()),
            order_type: Some(order_type),
            out_biz_code: self.out_biz_code.clone(),
            adjusted_at: self.operate_time.clone().unwrap_or_default(),
            lines,
        })
    }

    /// The count for a domain adjustment of type 701 or 702 whose deltas
    /// all carry that type's sign.
    pub fn from_adjustment(adjustment: &StockAdjustment) -> Result<InventoryCount, Error> {
        let invalid = |reason: String| Error::InvalidValue {
            message: Self::MSG_TYPE.as_str().into(),
            reason,
        };
        let order_type = adjustment
            .order_type
            .filter(|t| matches!(t, OrderType::CountLoss | OrderType::CountGain))
            .ok_or_else(|| invalid("a count needs order type 701 or 702".into()))?;
        let loss = order_type == OrderType::CountLoss;
        let mut items = Vec::new();
        for line in &adjustment.lines {
            if line.delta == 0 || (line.delta < 0) != loss {
                let reason = format!(
                    "delta {} of {} does not fit {order_type}",
                    line.delta, line.item_code
                );
                return Err(invalid(reason));
            }
            items.push(CountItem {
                item_code: Some(line.item_code.0.clone()),
                inventory_type: Some(line.inventory_type.cainiao_code()),
                quantity: u32::try_from(line.delta.unsigned_abs())
                    .map_err(|_| invalid(format!("delta {} is too large", line.delta)))?,
                batch_code: line.lot.batch_code.clone(),
                produce_code: line.lot.produce_code.clone(),
                produce_date: line.lot.product_date.clone(),
                due_date: line.lot.expire_date.clone(),
                ..CountItem::default()
            });
        }
        Ok(InventoryCount {
            order_type: order_type.code(),
            out_biz_code: adjustment.out_biz_code.clone(),
            imbalance_order_code: Some(adjustment.adjustment_code.clone()),
            operate_time: Some(adjustment.adjusted_at.clone()).filter(|t| !t.is_empty()),
            items,
            ..InventoryCount::default()
        })
    }
}

/// `source` / `target` of an adjust item.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InventoryRef {
    pub inventory_type: Option<u16>,
}

/// A moved item (`itemList/orderItem`, item name assumed).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AdjustItem {
    pub item_id: Option<String>,
    /// Not in the spec's field list; read and written when present.
    pub item_code: Option<String>,
    pub quantity: u32,
    pub source: Option<InventoryRef>,
    pub target: Option<InventoryRef>,
}

/// `WMS_INVENTORY_ADJUST_UPLOAD`: stock moved between inventory types.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InventoryAdjustUpload {
    pub owner_user_id: Option<String>,
    pub store_code: Option<String>,
    pub out_biz_code: String,
    pub operate_time: Option<String>,
    pub confirm_type: Option<String>,
    pub init_batch_order_code: Option<String>,
    pub imbalance_order_code: Option<String>,
    pub adjust_reason_type: Option<String>,
    pub adjust_biz_key: Option<String>,
    pub responsibility_code: Option<String>,
    #[serde(
        rename = "itemList",
        with = "lists::order_item",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub items: Vec<AdjustItem>,
}

impl Payload for InventoryAdjustUpload {
    const MSG_TYPE: MsgType = MsgType::InventoryAdjustUpload;
}

impl InventoryAdjustUpload {
    /// The domain adjustment: per item, −quantity on the source type and
    /// +quantity on the target type, in that order.
    pub fn to_adjustment(&self) -> Result<StockAdjustment, Error> {
        let mut lines = Vec::new();
        for item in &self.items {
            // TODO: map itemId to itemCode through the item master, because
            // the spec's adjust item carries only itemId; until then the
            // domain line holds itemId when itemCode is absent.
            let code = item
                .item_code
                .clone()
                .or_else(|| item.item_id.clone())
                .ok_or_else(|| Error::missing(Self::MSG_TYPE.as_str(), "itemId"))?;
            let side = |r: &Option<InventoryRef>, field: &str| match r {
                Some(r) if r.inventory_type.is_some() => inventory_type(r.inventory_type),
                _ => Err(Error::missing(Self::MSG_TYPE.as_str(), field)),
            };
            let quantity = i64::from(item.quantity);
            lines.push(AdjustmentLine {
                item_code: ItemCode(code.clone()),
                inventory_type: side(&item.source, "source")?,
                delta: -quantity,
                lot: Lot::default(),
            });
            lines.push(AdjustmentLine {
                item_code: ItemCode(code),
                inventory_type: side(&item.target, "target")?,
                delta: quantity,
                lot: Lot::default(),
            });
        }
        Ok(StockAdjustment {
            adjustment_code: self
                .imbalance_order_code
                .clone()
                .unwrap_or_else(|| self.out_biz_code.clone()),
            order_type: None,
            out_biz_code: self.out_biz_code.clone(),
            adjusted_at: self.operate_time.clone().unwrap_or_default(),
            lines,
        })
    }

    /// The upload for a domain move: lines must come in pairs, −n of an
    /// item then +n of the same item in another inventory type.
    pub fn from_adjustment(adjustment: &StockAdjustment) -> Result<InventoryAdjustUpload, Error> {
        let mut items = Vec::new();
        for pair in adjustment.lines.chunks(2) {
            let [from, to] = pair else {
                return Err(unpaired(&pair[0]));
            };
            if from.delta >= 0 || to.delta != -from.delta || from.item_code != to.item_code {
                return Err(unpaired(from));
            }
            items.push(AdjustItem {
                item_code: Some(from.item_code.0.clone()),
                quantity: u32::try_from(to.delta).map_err(|_| unpaired(to))?,
                source: Some(InventoryRef {
                    inventory_type: Some(from.inventory_type.cainiao_code()),
                }),
                target: Some(InventoryRef {
                    inventory_type: Some(to.inventory_type.cainiao_code()),
                }),
                ..AdjustItem::default()
            });
        }
        Ok(InventoryAdjustUpload {
            out_biz_code: adjustment.out_biz_code.clone(),
            imbalance_order_code: Some(adjustment.adjustment_code.clone()),
            operate_time: Some(adjustment.adjusted_at.clone()).filter(|t| !t.is_empty()),
            items,
            ..InventoryAdjustUpload::default()
        })
    }
}

fn unpaired(line: &AdjustmentLine) -> Error {
    Error::InvalidValue {
        message: MsgType::InventoryAdjustUpload.as_str().into(),
        reason: format!(
            "line {} {} is not half of a −n/+n move between inventory types",
            line.item_code, line.delta
        ),
    }
}

/// One criterion of an inventory query (names assumed).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InventoryCriteria {
    pub item_code: Option<String>,
    pub item_id: Option<String>,
    pub inventory_type: Option<u16>,
}

/// `WMS_INVENTORY_QUERY` request (assumed name and fields).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InventoryQuery {
    pub owner_user_id: Option<String>,
    pub store_code: Option<String>,
    #[serde(
        rename = "criteriaList",
        with = "lists::criteria",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub criteria: Vec<InventoryCriteria>,
}

impl Payload for InventoryQuery {
    const MSG_TYPE: MsgType = MsgType::InventoryQuery;
}

/// Stock of one item and inventory type in an inventory query reply.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InventoryLevel {
    pub item_code: Option<String>,
    pub item_id: Option<String>,
    pub inventory_type: Option<u16>,
    pub quantity: u32,
    pub lock_quantity: Option<u32>,
    pub batch_code: Option<String>,
}

impl InventoryLevel {
    pub fn inventory_type(&self) -> Result<InventoryType, Error> {
        inventory_type(self.inventory_type)
    }
}

/// `WMS_INVENTORY_QUERY` reply, root `<response>` (assumed fields).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InventoryQueryResponse {
    pub success: String,
    pub error_code: Option<String>,
    pub error_msg: Option<String>,
    #[serde(
        rename = "itemList",
        with = "lists::item",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub items: Vec<InventoryLevel>,
}

impl Payload for InventoryQueryResponse {
    const MSG_TYPE: MsgType = MsgType::InventoryQuery;
    const ROOT: &'static str = "response";
}
