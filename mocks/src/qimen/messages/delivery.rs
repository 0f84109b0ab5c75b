//! Sales shipments: `deliveryorder.create` (ERP → WMS),
//! `deliveryorder.confirm` and `deliveryorder.batchconfirm` (WMS → ERP).
//!
//! Confirms share their header, packages and lines with
//! `stockout.confirm` (see [`super::stockout`]), including the package
//! rules of FC-09. Invoices and amounts stay strings on the wire types;
//! the domain order does not carry them.

use serde::{Deserialize, Serialize};

use super::stockout::OutboundConfirmLine;
use super::stockout::{outbound_from_domain, outbound_to_domain, OutboundConfirmHeader};
use super::{
    order_type_letter, order_type_of, Address, ExtendProps, Invoices, Items, Message, OrderLines,
    Orders, Package, Packages, PlannedLine,
};
use crate::domain::{Confirm, Order};
use crate::mapping::QimenFamily;
use crate::qimen::{Error, Method};

/// `deliveryRequirements`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryRequirements {
    pub schedule_type: Option<String>,
    pub schedule_day: Option<String>,
    pub schedule_start_time: Option<String>,
    pub schedule_end_time: Option<String>,
    pub delivery_type: Option<String>,
}

/// A line of an invoice's detail.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvoiceItem {
    pub item_name: Option<String>,
    pub unit: Option<String>,
    pub price: Option<String>,
    pub quantity: Option<String>,
    pub amount: Option<String>,
}

/// `detail` of an invoice.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct InvoiceDetail {
    #[serde(default, skip_serializing_if = "Items::is_empty")]
    pub items: Items<InvoiceItem>,
}

/// `invoices/invoice`; amounts kept as sent.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Invoice {
    #[serde(rename = "type")]
    pub invoice_type: Option<String>,
    pub header: Option<String>,
    pub amount: Option<String>,
    pub content: Option<String>,
    pub detail: Option<InvoiceDetail>,
    pub tax_number: Option<String>,
    pub code: Option<String>,
    pub number: Option<String>,
}

/// `insurance`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Insurance {
    #[serde(rename = "type")]
    pub insurance_type: Option<String>,
    pub amount: Option<String>,
}

/// Header of `deliveryorder.create`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryOrderHeader {
    pub delivery_order_code: String,
    pub pre_delivery_order_code: Option<String>,
    pub pre_delivery_order_id: Option<String>,
    pub order_type: String,
    pub warehouse_code: String,
    pub order_flag: Option<String>,
    pub source_platform_code: Option<String>,
    pub source_platform_name: Option<String>,
    pub create_time: String,
    pub place_order_time: Option<String>,
    pub pay_time: Option<String>,
    pub pay_no: Option<String>,
    pub operator_code: Option<String>,
    pub operator_name: Option<String>,
    pub operate_time: Option<String>,
    pub shop_nick: Option<String>,
    pub seller_nick: Option<String>,
    pub buyer_nick: Option<String>,
    pub total_amount: Option<String>,
    pub item_amount: Option<String>,
    pub discount_amount: Option<String>,
    pub freight: Option<String>,
    pub ar_amount: Option<String>,
    pub got_amount: Option<String>,
    pub service_fee: Option<String>,
    pub logistics_code: Option<String>,
    pub logistics_name: Option<String>,
    pub express_code: Option<String>,
    pub logistics_area_code: Option<String>,
    pub delivery_requirements: Option<DeliveryRequirements>,
    pub sender_info: Option<Address>,
    pub receiver_info: Option<Address>,
    pub is_urgency: Option<String>,
    pub invoice_flag: Option<String>,
    #[serde(default, skip_serializing_if = "Invoices::is_empty")]
    pub invoices: Invoices<Invoice>,
    pub insurance_flag: Option<String>,
    pub insurance: Option<Insurance>,
    pub buyer_message: Option<String>,
    pub seller_message: Option<String>,
    pub remark: Option<String>,
    pub service_code: Option<String>,
    pub owner_code: Option<String>,
    pub latest_collection_time: Option<String>,
    pub latest_delivery_time: Option<String>,
}

/// A line of `deliveryorder.create`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryOrderLine {
    pub order_line_no: Option<String>,
    pub source_order_code: Option<String>,
    pub sub_source_order_code: Option<String>,
    pub pay_no: Option<String>,
    pub owner_code: String,
    pub item_code: String,
    pub item_id: Option<String>,
    pub inventory_type: Option<String>,
    pub item_name: Option<String>,
    pub ext_code: Option<String>,
    pub plan_qty: u32,
    pub retail_price: Option<String>,
    pub actual_price: Option<String>,
    pub discount_amount: Option<String>,
    pub batch_code: Option<String>,
    pub product_date: Option<String>,
    pub expire_date: Option<String>,
    pub produce_code: Option<String>,
}

/// `taobao.qimen.deliveryorder.create`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryOrderCreate {
    pub delivery_order: DeliveryOrderHeader,
    #[serde(default, skip_serializing_if = "OrderLines::is_empty")]
    pub order_lines: OrderLines<DeliveryOrderLine>,
    #[serde(default, skip_serializing_if = "ExtendProps::is_empty")]
    pub extend_props: ExtendProps,
}

impl Message for DeliveryOrderCreate {
    const METHOD: Method = Method::DeliveryOrderCreate;
}

impl DeliveryOrderCreate {
    /// The domain order; the owner is the header's `ownerCode`, else the
    /// first line's.
    pub fn to_domain(&self) -> Result<Order, Error> {
        let header = &self.delivery_order;
        let order_type = order_type_of(
            QimenFamily::DeliveryOrder,
            "deliveryOrder.orderType",
            Some(&header.order_type),
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
            serials: &[],
        }))?;
        let owner_code = header
            .owner_code
            .clone()
            .or_else(|| self.order_lines.list.first().map(|l| l.owner_code.clone()))
            .unwrap_or_default();

        Ok(Order {
            order_code: header.delivery_order_code.clone(),
            order_type,
            owner_code,
            warehouse_code: header.warehouse_code.clone(),
            created_at: header.create_time.clone(),
            prev_order_code: header.pre_delivery_order_code.clone(),
            logistics_code: header.logistics_code.clone(),
            receiver: header.receiver_info.as_ref().map(Address::to_domain),
            supplier_code: None,
            remark: header.remark.clone(),
            lines,
        })
    }

    pub fn from_domain(order: &Order) -> DeliveryOrderCreate {
        let lines = order
            .lines
            .iter()
            .map(|line| DeliveryOrderLine {
                order_line_no: Some(line.line_no.clone()),
                owner_code: order.owner_code.clone(),
                item_code: line.item_code.0.clone(),
                inventory_type: Some(line.inventory_type.qimen_code().to_owned()),
                item_name: line.item_name.clone(),
                plan_qty: line.plan_qty,
                batch_code: line.lot.batch_code.clone(),
                product_date: line.lot.product_date.clone(),
                expire_date: line.lot.expire_date.clone(),
                produce_code: line.lot.produce_code.clone(),
                ..DeliveryOrderLine::default()
            })
            .collect::<Vec<_>>();
        DeliveryOrderCreate {
            delivery_order: DeliveryOrderHeader {
                delivery_order_code: order.order_code.clone(),
                pre_delivery_order_code: order.prev_order_code.clone(),
                order_type: order_type_letter(order.order_type),
                warehouse_code: order.warehouse_code.clone(),
                create_time: order.created_at.clone(),
                logistics_code: order.logistics_code.clone(),
                receiver_info: order.receiver.as_ref().map(Address::from_domain),
                remark: order.remark.clone(),
                owner_code: super::non_empty(&order.owner_code),
                ..DeliveryOrderHeader::default()
            },
            order_lines: lines.into(),
            extend_props: ExtendProps::new(),
        }
    }
}

/// `taobao.qimen.deliveryorder.confirm`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryOrderConfirm {
    pub delivery_order: OutboundConfirmHeader,
    #[serde(default, skip_serializing_if = "Packages::is_empty")]
    pub packages: Packages<Package>,
    #[serde(default, skip_serializing_if = "OrderLines::is_empty")]
    pub order_lines: OrderLines<OutboundConfirmLine>,
    #[serde(default, skip_serializing_if = "ExtendProps::is_empty")]
    pub extend_props: ExtendProps,
}

impl Message for DeliveryOrderConfirm {
    const METHOD: Method = Method::DeliveryOrderConfirm;
}

impl DeliveryOrderConfirm {
    pub fn to_domain(&self) -> Result<Confirm, Error> {
        outbound_to_domain(
            QimenFamily::DeliveryOrder,
            &self.delivery_order,
            &self.packages.list,
            &self.order_lines.list,
        )
    }

    pub fn from_domain(confirm: &Confirm, owner_code: &str, warehouse_code: &str) -> Self {
        let (header, packages, lines) = outbound_from_domain(confirm, owner_code, warehouse_code);
        DeliveryOrderConfirm {
            delivery_order: header,
            packages: packages.into(),
            order_lines: lines.into(),
            extend_props: ExtendProps::new(),
        }
    }
}

/// One order of a batch confirm.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchConfirmOrder {
    pub delivery_order: OutboundConfirmHeader,
    #[serde(default, skip_serializing_if = "Packages::is_empty")]
    pub packages: Packages<Package>,
    #[serde(default, skip_serializing_if = "OrderLines::is_empty")]
    pub order_lines: OrderLines<OutboundConfirmLine>,
}

/// `taobao.qimen.deliveryorder.batchconfirm`: several confirms at once.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryOrderBatchConfirm {
    #[serde(default, skip_serializing_if = "Orders::is_empty")]
    pub orders: Orders<BatchConfirmOrder>,
    #[serde(default, skip_serializing_if = "ExtendProps::is_empty")]
    pub extend_props: ExtendProps,
}

impl Message for DeliveryOrderBatchConfirm {
    const METHOD: Method = Method::DeliveryOrderBatchConfirm;
}

impl DeliveryOrderBatchConfirm {
    /// One domain confirm per order, in order.
    pub fn to_domain(&self) -> Result<Vec<Confirm>, Error> {
        self.orders
            .list
            .iter()
            .map(|order| {
                outbound_to_domain(
                    QimenFamily::DeliveryOrder,
                    &order.delivery_order,
                    &order.packages.list,
                    &order.order_lines.list,
                )
            })
            .collect()
    }

    pub fn from_domain(confirms: &[Confirm], owner_code: &str, warehouse_code: &str) -> Self {
        let orders = confirms
            .iter()
            .map(|confirm| {
                let (header, packages, lines) =
                    outbound_from_domain(confirm, owner_code, warehouse_code);
                BatchConfirmOrder {
                    delivery_order: header,
                    packages: packages.into(),
                    order_lines: lines.into(),
                }
            })
            .collect::<Vec<_>>();
        DeliveryOrderBatchConfirm {
            orders: orders.into(),
            extend_props: ExtendProps::new(),
        }
    }
}
