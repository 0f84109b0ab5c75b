//! Customer returns: `returnorder.create` (ERP → WMS) and
//! `returnorder.confirm` (WMS → ERP).
//!
//! A create without `orderType` is read as THRK, the plain sales return.
//! A confirm without `outBizCode` uses the return order code as its
//! de-duplication key, so a replayed confirm is still recognised.

use serde::{Deserialize, Serialize};

use super::{
    batchs_of, confirm_lines, group_confirm_lines, order_type_letter, order_type_of, Address,
    Batch, Batchs, ConfirmedLine, ExtendProps, Message, OrderLines, PlannedLine, SnList,
};
use crate::domain::{Confirm, ConfirmLine, ConfirmType, Lot, Order};
use crate::mapping::QimenFamily;
use crate::qimen::{Error, Method};

/// Header of `returnorder.create`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReturnOrderHeader {
    pub return_order_code: String,
    pub warehouse_code: String,
    pub order_type: Option<String>,
    pub order_flag: Option<String>,
    pub pre_delivery_order_code: String,
    pub pre_delivery_order_id: Option<String>,
    pub logistics_code: Option<String>,
    pub logistics_name: Option<String>,
    pub express_code: Option<String>,
    pub return_reason: Option<String>,
    pub buyer_nick: Option<String>,
    pub sender_info: Option<Address>,
    pub remark: Option<String>,
    pub source_platform_code: Option<String>,
    pub source_platform_name: Option<String>,
    pub shop_nick: Option<String>,
    pub seller_nick: Option<String>,
}

/// A line of a return, planned or received.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReturnOrderLine {
    pub order_line_no: Option<String>,
    pub source_order_code: Option<String>,
    pub sub_source_order_code: Option<String>,
    pub owner_code: String,
    pub item_code: String,
    pub item_id: Option<String>,
    pub inventory_type: Option<String>,
    pub plan_qty: Option<u32>,
    pub actual_qty: Option<u32>,
    pub batch_code: Option<String>,
    pub product_date: Option<String>,
    pub expire_date: Option<String>,
    pub produce_code: Option<String>,
    #[serde(default, skip_serializing_if = "Batchs::is_empty")]
    pub batchs: Batchs<Batch>,
    pub qr_code: Option<String>,
    #[serde(default, skip_serializing_if = "SnList::is_empty")]
    pub sn_list: SnList<String>,
    pub remark: Option<String>,
}

impl ReturnOrderLine {
    fn lot(&self) -> Lot {
        super::lot_of(
            &self.batch_code,
            &self.product_date,
            &self.expire_date,
            &self.produce_code,
        )
    }
}

/// `taobao.qimen.returnorder.create`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReturnOrderCreate {
    pub return_order: ReturnOrderHeader,
    #[serde(default, skip_serializing_if = "OrderLines::is_empty")]
    pub order_lines: OrderLines<ReturnOrderLine>,
    #[serde(default, skip_serializing_if = "ExtendProps::is_empty")]
    pub extend_props: ExtendProps,
}

impl Message for ReturnOrderCreate {
    const METHOD: Method = Method::ReturnOrderCreate;
}

impl ReturnOrderCreate {
    /// The domain order. The owner is taken from the first line, since the
    /// return header carries none.
    pub fn to_domain(&self) -> Result<Order, Error> {
        let header = &self.return_order;
        let letter = header.order_type.as_deref().unwrap_or("THRK");
        let order_type = order_type_of(
            QimenFamily::ReturnOrder,
            "returnOrder.orderType",
            Some(letter),
        )?;
        let lines = super::planned_lines(self.order_lines.list.iter().map(|l| PlannedLine {
            order_line_no: l.order_line_no.as_ref(),
            item_code: &l.item_code,
            item_name: None,
            inventory_type: l.inventory_type.as_deref(),
            plan_qty: l.plan_qty,
            lot: l.lot(),
            serials: &l.sn_list.list,
        }))?;

        Ok(Order {
            order_code: header.return_order_code.clone(),
            order_type,
            owner_code: self
                .order_lines
                .list
                .first()
                .map(|l| l.owner_code.clone())
                .unwrap_or_default(),
            warehouse_code: header.warehouse_code.clone(),
            created_at: String::new(),
            prev_order_code: Some(header.pre_delivery_order_code.clone()),
            logistics_code: header.logistics_code.clone(),
            receiver: None,
            supplier_code: None,
            remark: header.remark.clone(),
            lines,
        })
    }

    pub fn from_domain(order: &Order) -> ReturnOrderCreate {
        let lines = order
            .lines
            .iter()
            .map(|line| ReturnOrderLine {
                order_line_no: Some(line.line_no.clone()),
                owner_code: order.owner_code.clone(),
                item_code: line.item_code.0.clone(),
                inventory_type: Some(line.inventory_type.qimen_code().to_owned()),
                plan_qty: Some(line.plan_qty),
                batch_code: line.lot.batch_code.clone(),
                product_date: line.lot.product_date.clone(),
                expire_date: line.lot.expire_date.clone(),
                produce_code: line.lot.produce_code.clone(),
                sn_list: line.serials.clone().into(),
                ..ReturnOrderLine::default()
            })
            .collect::<Vec<_>>();
        ReturnOrderCreate {
            return_order: ReturnOrderHeader {
                return_order_code: order.order_code.clone(),
                warehouse_code: order.warehouse_code.clone(),
                order_type: Some(order_type_letter(order.order_type)),
                pre_delivery_order_code: order.prev_order_code.clone().unwrap_or_default(),
                logistics_code: order.logistics_code.clone(),
                remark: order.remark.clone(),
                ..ReturnOrderHeader::default()
            },
            order_lines: lines.into(),
            extend_props: ExtendProps::new(),
        }
    }
}

/// Header of `returnorder.confirm`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReturnConfirmHeader {
    pub return_order_code: String,
    pub return_order_id: Option<String>,
    pub warehouse_code: String,
    pub out_biz_code: Option<String>,
    pub order_type: Option<String>,
    pub order_confirm_time: Option<String>,
    pub logistics_code: Option<String>,
    pub logistics_name: Option<String>,
    pub express_code: Option<String>,
    pub return_reason: Option<String>,
    pub remark: Option<String>,
    pub sender_info: Option<Address>,
    pub confirm_type: Option<u8>,
}

/// `taobao.qimen.returnorder.confirm`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReturnOrderConfirm {
    pub return_order: ReturnConfirmHeader,
    #[serde(default, skip_serializing_if = "OrderLines::is_empty")]
    pub order_lines: OrderLines<ReturnOrderLine>,
    #[serde(default, skip_serializing_if = "ExtendProps::is_empty")]
    pub extend_props: ExtendProps,
}

impl Message for ReturnOrderConfirm {
    const METHOD: Method = Method::ReturnOrderConfirm;
}

impl ReturnOrderConfirm {
    pub fn to_domain(&self) -> Result<Confirm, Error> {
        let header = &self.return_order;
        let letter = header.order_type.as_deref().unwrap_or("THRK");
        let order_type = order_type_of(
            QimenFamily::ReturnOrder,
            "returnOrder.orderType",
            Some(letter),
        )?;
        let mut lines = Vec::new();
        for (i, line) in self.order_lines.list.iter().enumerate() {
            lines.extend(confirm_lines(ConfirmedLine {
                field: format!("orderLines[{i}]"),
                line_no: line.order_line_no.as_ref(),
                item_code: &line.item_code,
                inventory_type: line.inventory_type.as_deref(),
                plan_qty: line.plan_qty,
                actual_qty: line.actual_qty,
                lot: line.lot(),
                batchs: &line.batchs.list,
                serials: line.sn_list.list.clone(),
            })?);
        }

        Ok(Confirm {
            order_code: header.return_order_code.clone(),
            order_type,
            wms_order_id: header.return_order_id.clone(),
            out_biz_code: header
                .out_biz_code
                .clone()
                .unwrap_or_else(|| header.return_order_code.clone()),
            confirm_type: ConfirmType::from_code(
                &header.confirm_type.unwrap_or_default().to_string(),
            ),
            confirmed_at: header.order_confirm_time.clone().unwrap_or_default(),
            lines,
            packages: Vec::new(),
        })
    }

    pub fn from_domain(confirm: &Confirm, owner_code: &str, warehouse_code: &str) -> Self {
        let lines = group_confirm_lines(&confirm.lines)
            .into_iter()
            .map(|group| return_confirm_line(group, owner_code))
            .collect::<Vec<_>>();
        ReturnOrderConfirm {
            return_order: ReturnConfirmHeader {
                return_order_code: confirm.order_code.clone(),
                return_order_id: confirm.wms_order_id.clone(),
                warehouse_code: warehouse_code.to_owned(),
                out_biz_code: Some(confirm.out_biz_code.clone()),
                order_type: Some(order_type_letter(confirm.order_type)),
                order_confirm_time: super::non_empty(&confirm.confirmed_at),
                confirm_type: Some(confirm.confirm_type.code()),
                ..ReturnConfirmHeader::default()
            },
            order_lines: lines.into(),
            extend_props: ExtendProps::new(),
        }
    }
}

fn return_confirm_line(group: &[ConfirmLine], owner_code: &str) -> ReturnOrderLine {
    let first = &group[0];
    let batchs = batchs_of(group);
    let lot = if batchs.is_empty() {
        first.lot.clone()
    } else {
        Lot::default()
    };
    ReturnOrderLine {
        order_line_no: first.line_no.clone(),
        owner_code: owner_code.to_owned(),
        item_code: first.item_code.0.clone(),
        inventory_type: Some(first.inventory_type.qimen_code().to_owned()),
        plan_qty: first.plan_qty,
        actual_qty: Some(group.iter().map(|l| l.actual_qty).sum()),
        batch_code: lot.batch_code,
        product_date: lot.product_date,
        expire_date: lot.expire_date,
        produce_code: lot.produce_code,
        batchs,
        sn_list: group
            .iter()
            .flat_map(|l| l.serials.iter().cloned())
            .collect::<Vec<_>>()
            .into(),
        ..ReturnOrderLine::default()
    }
}
