//! Inbound (entry) orders: `entryorder.create` (ERP → WMS) and
//! `entryorder.confirm` (WMS → ERP).
//!
//! Confirm quantities are increments per call; `totalOrders` on a final
//! confirm carries cumulative quantities and is kept on the wire type only.

use serde::{Deserialize, Serialize};

use super::{
    batchs_of, confirm_lines, group_confirm_lines, order_type_letter, order_type_of, Address,
    Batch, Batchs, ConfirmedLine, ExtendProps, Message, OrderLines, PlannedLine, RelatedOrder,
    RelatedOrders, SnList, TotalOrders,
};
use crate::domain::{self, Confirm, ConfirmType, Lot, Order};
use crate::mapping::QimenFamily;
use crate::qimen::{Error, Method};

/// Header of `entryorder.create`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EntryOrderHeader {
    pub entry_order_code: String,
    pub owner_code: String,
    pub purchase_order_code: Option<String>,
    pub warehouse_code: String,
    pub order_create_time: Option<String>,
    pub order_type: Option<String>,
    #[serde(default, skip_serializing_if = "RelatedOrders::is_empty")]
    pub related_orders: RelatedOrders<RelatedOrder>,
    pub expect_start_time: Option<String>,
    pub expect_end_time: Option<String>,
    pub logistics_code: Option<String>,
    pub logistics_name: Option<String>,
    pub express_code: Option<String>,
    pub supplier_code: Option<String>,
    pub supplier_name: Option<String>,
    pub operator_code: Option<String>,
    pub operator_name: Option<String>,
    pub operate_time: Option<String>,
    pub sender_info: Option<Address>,
    pub receiver_info: Option<Address>,
    pub remark: Option<String>,
    pub warehouse_name: Option<String>,
    pub source_warehouse_code: Option<String>,
    pub source_warehouse_name: Option<String>,
}

/// A planned inbound line.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EntryOrderLine {
    pub out_biz_code: Option<String>,
    pub order_line_no: Option<String>,
    pub owner_code: String,
    pub item_code: String,
    pub item_id: Option<String>,
    pub item_name: Option<String>,
    pub plan_qty: u32,
    pub sku_property: Option<String>,
    pub purchase_price: Option<String>,
    pub retail_price: Option<String>,
    pub inventory_type: Option<String>,
    pub batch_code: Option<String>,
    pub product_date: Option<String>,
    pub expire_date: Option<String>,
    pub produce_code: Option<String>,
    pub unit: Option<String>,
    #[serde(default, skip_serializing_if = "SnList::is_empty")]
    pub sn_list: SnList<String>,
    pub remark: Option<String>,
}

/// `taobao.qimen.entryorder.create`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EntryOrderCreate {
    pub entry_order: EntryOrderHeader,
    #[serde(default, skip_serializing_if = "OrderLines::is_empty")]
    pub order_lines: OrderLines<EntryOrderLine>,
    #[serde(default, skip_serializing_if = "ExtendProps::is_empty")]
    pub extend_props: ExtendProps,
}

impl Message for EntryOrderCreate {
    const METHOD: Method = Method::EntryOrderCreate;
}

impl EntryOrderCreate {
    /// The domain order. `orderType` is required here: liantiao does not
    /// guess the kind of an inbound.
    pub fn to_domain(&self) -> Result<Order, Error> {
        let header = &self.entry_order;
        let order_type = order_type_of(
            QimenFamily::EntryOrder,
            "entryOrder.orderType",
            header.order_type.as_deref(),
        )?;
        let lines = super::planned_lines(self.order_lines.list.iter().map(|l| PlannedLine {
            order_line_no: l.order_line_no.as_ref(),
            item_code: &l.item_code,
            item_name: l.item_name.as_ref(),
            inventory_type: l.inventory_type.as_deref(),
            plan_qty: Some(l.plan_qty),
            lot: super::lot_of(
                &l.batch_code,
                &l.product_date,
                &l.expire_date,
                &l.produce_code,
            ),
            serials: &l.sn_list.list,
        }))?;

        Ok(Order {
            order_code: header.entry_order_code.clone(),
            order_type,
            owner_code: header.owner_code.clone(),
            warehouse_code: header.warehouse_code.clone(),
            created_at: header.order_create_time.clone().unwrap_or_default(),
            prev_order_code: None,
            logistics_code: header.logistics_code.clone(),
            receiver: header.receiver_info.as_ref().map(Address::to_domain),
            supplier_code: header.supplier_code.clone(),
            remark: header.remark.clone(),
            lines,
        })
    }

    pub fn from_domain(order: &Order) -> EntryOrderCreate {
        let lines = order
            .lines
            .iter()
            .map(|line| EntryOrderLine {
                order_line_no: Some(line.line_no.clone()),
                owner_code: order.owner_code.clone(),
                item_code: line.item_code.0.clone(),
                item_name: line.item_name.clone(),
                plan_qty: line.plan_qty,
                inventory_type: Some(line.inventory_type.qimen_code().to_owned()),
                batch_code: line.lot.batch_code.clone(),
                product_date: line.lot.product_date.clone(),
                expire_date: line.lot.expire_date.clone(),
                produce_code: line.lot.produce_code.clone(),
                sn_list: line.serials.clone().into(),
                ..EntryOrderLine::default()
            })
            .collect::<Vec<_>>();
        EntryOrderCreate {
            entry_order: EntryOrderHeader {
                entry_order_code: order.order_code.clone(),
                owner_code: order.owner_code.clone(),
                warehouse_code: order.warehouse_code.clone(),
                order_create_time: super::non_empty(&order.created_at),
                order_type: Some(order_type_letter(order.order_type)),
                logistics_code: order.logistics_code.clone(),
                supplier_code: order.supplier_code.clone(),
                receiver_info: order.receiver.as_ref().map(Address::from_domain),
                remark: order.remark.clone(),
                ..EntryOrderHeader::default()
            },
            order_lines: lines.into(),
            extend_props: ExtendProps::new(),
        }
    }
}

/// Header of `entryorder.confirm`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EntryConfirmHeader {
    pub entry_order_code: String,
    pub owner_code: String,
    pub warehouse_code: String,
    pub entry_order_id: Option<String>,
    pub entry_order_type: Option<String>,
    pub purchase_order_code: Option<String>,
    pub out_biz_code: String,
    pub confirm_type: Option<u8>,
    pub status: String,
    pub operate_time: Option<String>,
    pub total_order_lines: Option<u32>,
    pub remark: Option<String>,
    pub freight: Option<String>,
    pub sub_order_type: Option<String>,
    pub responsible_department: Option<String>,
    pub shop_nick: Option<String>,
    pub shop_code: Option<String>,
    pub order_code: Option<String>,
    pub order_id: Option<String>,
    pub order_type: Option<String>,
    pub warehouse_name: Option<String>,
}

/// A received inbound line.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EntryConfirmLine {
    pub out_biz_code: Option<String>,
    pub order_line_no: Option<String>,
    pub owner_code: String,
    pub item_code: String,
    pub item_id: Option<String>,
    pub item_name: Option<String>,
    pub plan_qty: Option<u32>,
    pub inventory_type: Option<String>,
    pub actual_qty: Option<u32>,
    pub batch_code: Option<String>,
    pub product_date: Option<String>,
    pub expire_date: Option<String>,
    pub produce_code: Option<String>,
    #[serde(default, skip_serializing_if = "Batchs::is_empty")]
    pub batchs: Batchs<Batch>,
    pub unit: Option<String>,
    #[serde(default, skip_serializing_if = "SnList::is_empty")]
    pub sn_list: SnList<String>,
    pub remark: Option<String>,
}

/// A cumulative line of a final confirm (`totalOrders/totalOrder`).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TotalOrder {
    pub order_line_no: Option<String>,
    pub owner_code: Option<String>,
    pub item_code: Option<String>,
    pub item_id: Option<String>,
    pub item_name: Option<String>,
    pub actual_qty: Option<u32>,
    pub remark: Option<String>,
}

/// `taobao.qimen.entryorder.confirm`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EntryOrderConfirm {
    pub entry_order: EntryConfirmHeader,
    #[serde(default, skip_serializing_if = "OrderLines::is_empty")]
    pub order_lines: OrderLines<EntryConfirmLine>,
    #[serde(default, skip_serializing_if = "TotalOrders::is_empty")]
    pub total_orders: TotalOrders<TotalOrder>,
    #[serde(default, skip_serializing_if = "ExtendProps::is_empty")]
    pub extend_props: ExtendProps,
}

impl Message for EntryOrderConfirm {
    const METHOD: Method = Method::EntryOrderConfirm;
}

impl EntryOrderConfirm {
    /// The domain confirm; lines with `batchs` split per lot (see
    /// [`super::confirm_lines`]).
    pub fn to_domain(&self) -> Result<Confirm, Error> {
        let header = &self.entry_order;
        let letter = header
            .entry_order_type
            .as_deref()
            .or(header.order_type.as_deref());
        let order_type =
            order_type_of(QimenFamily::EntryOrder, "entryOrder.entryOrderType", letter)?;
        let mut lines = Vec::new();
        for (i, line) in self.order_lines.list.iter().enumerate() {
            lines.extend(confirm_lines(ConfirmedLine {
                field: format!("orderLines[{i}]"),
                line_no: line.order_line_no.as_ref(),
                item_code: &line.item_code,
                inventory_type: line.inventory_type.as_deref(),
                plan_qty: line.plan_qty,
                actual_qty: line.actual_qty,
                lot: Lot {
                    batch_code: line.batch_code.clone(),
                    product_date: line.product_date.clone(),
                    expire_date: line.expire_date.clone(),
                    produce_code: line.produce_code.clone(),
                },
                batchs: &line.batchs.list,
                serials: line.sn_list.list.clone(),
            })?);
        }

        Ok(Confirm {
            order_code: header.entry_order_code.clone(),
            order_type,
            wms_order_id: header.entry_order_id.clone(),
            out_biz_code: header.out_biz_code.clone(),
            confirm_type: ConfirmType::from_code(
                &header.confirm_type.unwrap_or_default().to_string(),
            ),
            confirmed_at: header.operate_time.clone().unwrap_or_default(),
            lines,
            packages: Vec::new(),
        })
    }

    /// The wire confirm; status follows `confirmType` (FULFILLED for a
    /// final confirm, PARTFULFILLED otherwise).
    pub fn from_domain(confirm: &Confirm, owner_code: &str, warehouse_code: &str) -> Self {
        let lines = group_confirm_lines(&confirm.lines)
            .into_iter()
            .map(|group| entry_confirm_line(group, owner_code))
            .collect::<Vec<_>>();
        let status = match confirm.confirm_type {
            ConfirmType::Final => "FULFILLED",
            ConfirmType::Partial => "PARTFULFILLED",
        };
        EntryOrderConfirm {
            entry_order: EntryConfirmHeader {
                entry_order_code: confirm.order_code.clone(),
                owner_code: owner_code.to_owned(),
                warehouse_code: warehouse_code.to_owned(),
                entry_order_id: confirm.wms_order_id.clone(),
                entry_order_type: Some(order_type_letter(confirm.order_type)),
                out_biz_code: confirm.out_biz_code.clone(),
                confirm_type: Some(confirm.confirm_type.code()),
                status: status.to_owned(),
                operate_time: super::non_empty(&confirm.confirmed_at),
                total_order_lines: Some(lines.len() as u32),
                ..EntryConfirmHeader::default()
            },
            order_lines: lines.into(),
            ..EntryOrderConfirm::default()
        }
    }
}

fn entry_confirm_line(group: &[domain::ConfirmLine], owner_code: &str) -> EntryConfirmLine {
    let first = &group[0];
    let batchs = batchs_of(group);
    let flat_lot = if batchs.is_empty() {
        first.lot.clone()
    } else {
        Lot::default()
    };
    EntryConfirmLine {
        order_line_no: first.line_no.clone(),
        owner_code: owner_code.to_owned(),
        item_code: first.item_code.0.clone(),
        plan_qty: first.plan_qty,
        inventory_type: Some(first.inventory_type.qimen_code().to_owned()),
        actual_qty: Some(group.iter().map(|l| l.actual_qty).sum()),
        batch_code: flat_lot.batch_code,
        product_date: flat_lot.product_date,
        expire_date: flat_lot.expire_date,
        produce_code: flat_lot.produce_code,
        batchs,
        sn_list: group
            .iter()
            .flat_map(|l| l.serials.iter().cloned())
            .collect::<Vec<_>>()
            .into(),
        ..EntryConfirmLine::default()
    }
}
