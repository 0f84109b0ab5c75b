//! Non-sales outbound: `stockout.create` (ERP → WMS) and
//! `stockout.confirm` (WMS → ERP), plus the confirm parts that
//! `deliveryorder.confirm` shares with `stockout.confirm`.
//!
//! Packages (FC-09): each `package` becomes a domain [`Package`]; a
//! package without carrier or tracking number takes the header's. A
//! confirm with no `packages` but a header `expressCode` gets one package
//! holding every confirmed line. An empty `deliveryOrderId` reads as
//! absent.

use serde::{Deserialize, Serialize};

use super::{
    batchs_of, confirm_lines, group_confirm_lines, order_type_letter, order_type_of, parse_scaled,
    Address, Batch, Batchs, ConfirmedLine, ExtendProps, Invoices, Message, OrderLines,
    Package as WirePackage, PackageItem, Packages, PlannedLine, RelatedOrder, RelatedOrders,
    SnList,
};
use crate::domain::{Confirm, ConfirmLine, ConfirmType, ItemCode, Lot, Order, Package};
use crate::mapping::QimenFamily;
use crate::qimen::{Error, Method};

/// `pickerInfo` of an owner pick-up.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PickerInfo {
    pub company: Option<String>,
    pub name: Option<String>,
    pub tel: Option<String>,
    pub mobile: Option<String>,
    pub id: Option<String>,
    pub car_no: Option<String>,
}

/// Header of `stockout.create`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StockOutHeader {
    pub delivery_order_code: String,
    pub order_type: String,
    pub warehouse_code: String,
    pub create_time: String,
    pub total_order_lines: Option<u32>,
    #[serde(default, skip_serializing_if = "RelatedOrders::is_empty")]
    pub related_orders: RelatedOrders<RelatedOrder>,
    pub schedule_date: Option<String>,
    pub logistics_code: Option<String>,
    pub logistics_name: Option<String>,
    pub supplier_code: Option<String>,
    pub supplier_name: Option<String>,
    pub transport_mode: Option<String>,
    pub picker_info: Option<PickerInfo>,
    pub sender_info: Option<Address>,
    pub receiver_info: Option<Address>,
    pub remark: Option<String>,
    pub order_source_type: Option<String>,
    pub receiving_time: Option<String>,
    pub shipping_time: Option<String>,
    pub target_warehouse_code: Option<String>,
    pub target_warehouse_name: Option<String>,
    pub target_entry_order_code: Option<String>,
    pub warehouse_name: Option<String>,
}

/// A planned outbound line of `stockout.create`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StockOutLine {
    pub out_biz_code: Option<String>,
    pub order_line_no: Option<String>,
    pub owner_code: String,
    pub item_code: String,
    pub item_id: Option<String>,
    pub inventory_type: Option<String>,
    pub item_name: Option<String>,
    pub plan_qty: u32,
    pub batch_code: Option<String>,
    pub product_date: Option<String>,
    pub expire_date: Option<String>,
    pub produce_code: Option<String>,
    pub platform_code: Option<String>,
    pub unit: Option<String>,
}

/// `taobao.qimen.stockout.create`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StockOutCreate {
    pub delivery_order: StockOutHeader,
    #[serde(default, skip_serializing_if = "OrderLines::is_empty")]
    pub order_lines: OrderLines<StockOutLine>,
    #[serde(default, skip_serializing_if = "ExtendProps::is_empty")]
    pub extend_props: ExtendProps,
}

impl Message for StockOutCreate {
    const METHOD: Method = Method::StockOutCreate;
}

impl StockOutCreate {
    /// The domain order; the owner is taken from the first line.
    pub fn to_domain(&self) -> Result<Order, Error> {
        let header = &self.delivery_order;
        let order_type = order_type_of(
            QimenFamily::StockOut,
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

        Ok(Order {
            order_code: header.delivery_order_code.clone(),
            order_type,
            owner_code: self
                .order_lines
                .list
                .first()
                .map(|l| l.owner_code.clone())
                .unwrap_or_default(),
            warehouse_code: header.warehouse_code.clone(),
            created_at: header.create_time.clone(),
            prev_order_code: None,
            logistics_code: header.logistics_code.clone(),
            receiver: header.receiver_info.as_ref().map(Address::to_domain),
            supplier_code: header.supplier_code.clone(),
            remark: header.remark.clone(),
            lines,
        })
    }

    pub fn from_domain(order: &Order) -> StockOutCreate {
        let lines = order
            .lines
            .iter()
            .map(|line| StockOutLine {
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
                ..StockOutLine::default()
            })
            .collect::<Vec<_>>();
        StockOutCreate {
            delivery_order: StockOutHeader {
                delivery_order_code: order.order_code.clone(),
                order_type: order_type_letter(order.order_type),
                warehouse_code: order.warehouse_code.clone(),
                create_time: order.created_at.clone(),
                total_order_lines: Some(lines.len() as u32),
                logistics_code: order.logistics_code.clone(),
                supplier_code: order.supplier_code.clone(),
                receiver_info: order.receiver.as_ref().map(Address::from_domain),
                remark: order.remark.clone(),
                ..StockOutHeader::default()
            },
            order_lines: lines.into(),
            extend_props: ExtendProps::new(),
        }
    }
}

/// Header of an outbound confirm (`stockout.confirm`,
/// `deliveryorder.confirm`): the union of both methods' fields.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboundConfirmHeader {
    pub delivery_order_code: String,
    pub delivery_order_id: Option<String>,
    pub warehouse_code: String,
    pub order_type: String,
    pub status: Option<String>,
    pub out_biz_code: Option<String>,
    pub confirm_type: Option<u8>,
    pub total_order_lines: Option<u32>,
    pub logistics_code: Option<String>,
    pub logistics_name: Option<String>,
    pub express_code: Option<String>,
    pub order_confirm_time: Option<String>,
    pub operator_code: Option<String>,
    pub operator_name: Option<String>,
    pub operate_time: Option<String>,
    pub storage_fee: Option<String>,
    pub sub_order_type: Option<String>,
    pub responsible_department: Option<String>,
    #[serde(default, skip_serializing_if = "Invoices::is_empty")]
    pub invoices: Invoices<super::delivery::Invoice>,
}

/// A shipped line of an outbound confirm.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboundConfirmLine {
    pub out_biz_code: Option<String>,
    pub order_line_no: Option<String>,
    pub order_source_code: Option<String>,
    pub sub_source_code: Option<String>,
    pub item_code: String,
    pub item_id: Option<String>,
    pub inventory_type: Option<String>,
    pub owner_code: Option<String>,
    pub item_name: Option<String>,
    pub ext_code: Option<String>,
    pub plan_qty: Option<u32>,
    pub actual_qty: Option<u32>,
    pub batch_code: Option<String>,
    pub product_date: Option<String>,
    pub expire_date: Option<String>,
    pub produce_code: Option<String>,
    #[serde(default, skip_serializing_if = "Batchs::is_empty")]
    pub batchs: Batchs<Batch>,
    pub qr_code: Option<String>,
    pub sn_code: Option<String>,
    #[serde(default, skip_serializing_if = "SnList::is_empty")]
    pub sn_list: SnList<String>,
    pub supplier_code: Option<String>,
    pub supplier_name: Option<String>,
    pub unit: Option<String>,
    pub sub_delivery_order_id: Option<String>,
}

/// The domain confirm of an outbound confirm's three parts.
pub(crate) fn outbound_to_domain(
    family: QimenFamily,
    header: &OutboundConfirmHeader,
    packages: &[WirePackage],
    order_lines: &[OutboundConfirmLine],
) -> Result<Confirm, Error> {
    let order_type = order_type_of(family, "deliveryOrder.orderType", Some(&header.order_type))?;
    let mut lines = Vec::new();
    for (i, line) in order_lines.iter().enumerate() {
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
    let packages = packages_to_domain(header, packages, &lines)?;

    Ok(Confirm {
        order_code: header.delivery_order_code.clone(),
        order_type,
        wms_order_id: header.delivery_order_id.clone(),
        // A single confirm may omit outBizCode; the order code keys it then.
        out_biz_code: header
            .out_biz_code
            .clone()
            .unwrap_or_else(|| header.delivery_order_code.clone()),
        confirm_type: ConfirmType::from_code(&header.confirm_type.unwrap_or_default().to_string()),
        confirmed_at: header
            .order_confirm_time
            .clone()
            .or_else(|| header.operate_time.clone())
            .unwrap_or_default(),
        lines,
        packages,
    })
}

fn packages_to_domain(
    header: &OutboundConfirmHeader,
    packages: &[WirePackage],
    lines: &[ConfirmLine],
) -> Result<Vec<Package>, Error> {
    if packages.is_empty() {
        let Some(express_code) = header.express_code.clone() else {
            return Ok(Vec::new());
        };
        let mut items: Vec<(ItemCode, u32)> = Vec::new();
        for line in lines {
            match items.iter_mut().find(|(code, _)| *code == line.item_code) {
                Some((_, qty)) => *qty += line.actual_qty,
                None => items.push((line.item_code.clone(), line.actual_qty)),
            }
        }
        return Ok(vec![Package {
            logistics_code: header.logistics_code.clone().unwrap_or_default(),
            express_code,
            package_code: None,
            weight_g: None,
            items,
        }]);
    }

    packages
        .iter()
        .enumerate()
        .map(|(i, package)| {
            let weight_g = package
                .weight
                .as_deref()
                .map(|w| parse_scaled(&format!("packages[{i}].weight"), w, 3))
                .transpose()?
                .map(|g| g.min(u64::from(u32::MAX)) as u32);
            Ok(Package {
                logistics_code: package
                    .logistics_code
                    .clone()
                    .or_else(|| header.logistics_code.clone())
                    .unwrap_or_default(),
                express_code: package
                    .express_code
                    .clone()
                    .or_else(|| header.express_code.clone())
                    .unwrap_or_default(),
                package_code: package.package_code.clone(),
                weight_g,
                items: package
                    .items
                    .list
                    .iter()
                    .map(|item| (ItemCode::from(item.item_code.as_str()), item.quantity))
                    .collect(),
            })
        })
        .collect()
}

/// The three wire parts of an outbound confirm from a domain confirm.
pub(crate) fn outbound_from_domain(
    confirm: &Confirm,
    owner_code: &str,
    warehouse_code: &str,
) -> (
    OutboundConfirmHeader,
    Vec<WirePackage>,
    Vec<OutboundConfirmLine>,
) {
    let lines: Vec<OutboundConfirmLine> = group_confirm_lines(&confirm.lines)
        .into_iter()
        .map(|group| outbound_line(group, owner_code))
        .collect();
    let status = match confirm.confirm_type {
        ConfirmType::Final => "DELIVERED",
        ConfirmType::Partial => "PARTDELIVERED",
    };
    let header = OutboundConfirmHeader {
        delivery_order_code: confirm.order_code.clone(),
        delivery_order_id: confirm.wms_order_id.clone(),
        warehouse_code: warehouse_code.to_owned(),
        order_type: order_type_letter(confirm.order_type),
        status: Some(status.to_owned()),
        out_biz_code: Some(confirm.out_biz_code.clone()),
        confirm_type: Some(confirm.confirm_type.code()),
        order_confirm_time: super::non_empty(&confirm.confirmed_at),
        ..OutboundConfirmHeader::default()
    };
    let packages = confirm
        .packages
        .iter()
        .map(|package| WirePackage {
            logistics_code: super::non_empty(&package.logistics_code),
            express_code: super::non_empty(&package.express_code),
            package_code: package.package_code.clone(),
            weight: package.weight_g.map(|g| super::format_scaled(g.into(), 3)),
            items: package
                .items
                .iter()
                .map(|(code, quantity)| PackageItem {
                    item_code: code.0.clone(),
                    quantity: *quantity,
                    ..PackageItem::default()
                })
                .collect::<Vec<_>>()
                .into(),
            ..WirePackage::default()
        })
        .collect();
    (header, packages, lines)
}

fn outbound_line(group: &[ConfirmLine], owner_code: &str) -> OutboundConfirmLine {
    let first = &group[0];
    let batchs = batchs_of(group);
    let lot = if batchs.is_empty() {
        first.lot.clone()
    } else {
        Lot::default()
    };
    OutboundConfirmLine {
        order_line_no: first.line_no.clone(),
        item_code: first.item_code.0.clone(),
        inventory_type: Some(first.inventory_type.qimen_code().to_owned()),
        owner_code: super::non_empty(owner_code),
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
        ..OutboundConfirmLine::default()
    }
}

/// `taobao.qimen.stockout.confirm`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StockOutConfirm {
    pub delivery_order: OutboundConfirmHeader,
    #[serde(default, skip_serializing_if = "Packages::is_empty")]
    pub packages: Packages<WirePackage>,
    #[serde(default, skip_serializing_if = "OrderLines::is_empty")]
    pub order_lines: OrderLines<OutboundConfirmLine>,
    #[serde(default, skip_serializing_if = "ExtendProps::is_empty")]
    pub extend_props: ExtendProps,
}

impl Message for StockOutConfirm {
    const METHOD: Method = Method::StockOutConfirm;
}

impl StockOutConfirm {
    pub fn to_domain(&self) -> Result<Confirm, Error> {
        outbound_to_domain(
            QimenFamily::StockOut,
            &self.delivery_order,
            &self.packages.list,
            &self.order_lines.list,
        )
    }

    pub fn from_domain(confirm: &Confirm, owner_code: &str, warehouse_code: &str) -> Self {
        let (header, packages, lines) = outbound_from_domain(confirm, owner_code, warehouse_code);
        StockOutConfirm {
            delivery_order: OutboundConfirmHeader {
                total_order_lines: Some(lines.len() as u32),
                ..header
            },
            packages: packages.into(),
            order_lines: lines.into(),
            extend_props: ExtendProps::new(),
        }
    }
}
