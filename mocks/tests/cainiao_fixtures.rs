//! Every Cainiao sample payload: parse, write, parse again, and the values
//! and domain conversions the samples' story fixes.

use std::path::PathBuf;

use mocks::cainiao::messages::*;
use mocks::cainiao::{Error, Payload};
use mocks::domain::{ConfirmType, InventoryType, ItemCode, OrderStatus, OrderType};

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/cainiao")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Parses a fixture, writes it, parses the output, and checks both reads
/// are equal.
fn round_trip<P: Payload + PartialEq + std::fmt::Debug>(name: &str) -> P {
    let first = P::parse(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let written = first.to_xml().unwrap();
    let second = P::parse(written.as_bytes()).unwrap_or_else(|e| panic!("{name} rewritten: {e}"));
    assert_eq!(first, second, "{name}");
    first
}

#[test]
fn every_fixture_round_trips() {
    round_trip::<SkuInfoNotify>("WMS_SKU_INFO_NOTIFY.xml");
    round_trip::<StockInOrderNotify>("WMS_STOCK_IN_ORDER_NOTIFY.601.xml");
    round_trip::<StockInOrderNotify>("WMS_STOCK_IN_ORDER_NOTIFY.501.xml");
    round_trip::<StockInOrderConfirm>("WMS_STOCK_IN_ORDER_CONFIRM.xml");
    round_trip::<StockInOrderConfirm>("WMS_STOCK_IN_ORDER_CONFIRM.final.xml");
    round_trip::<ConsignOrderNotify>("WMS_CONSIGN_ORDER_NOTIFY.201.xml");
    round_trip::<ConsignOrderConfirm>("WMS_CONSIGN_ORDER_CONFIRM.xml");
    round_trip::<StockOutOrderNotify>("WMS_STOCK_OUT_ORDER_NOTIFY.901.xml");
    round_trip::<StockOutOrderConfirm>("WMS_STOCK_OUT_ORDER_CONFIRM.xml");
    round_trip::<OrderCancelNotify>("WMS_ORDER_CANCEL_NOTIFY.xml");
    round_trip::<OrderStatusUpload>("WMS_ORDER_STATUS_UPLOAD.xml");
    round_trip::<InventoryCount>("WMS_INVENTORY_COUNT.701.xml");
    round_trip::<InventoryCount>("WMS_INVENTORY_COUNT.702.xml");
    round_trip::<InventoryAdjustUpload>("WMS_INVENTORY_ADJUST_UPLOAD.xml");
    round_trip::<ItemQuery>("WMS_ITEM_QUERY.xml");
}

#[test]
fn fixture_directory_holds_exactly_the_tested_samples() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cainiao");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();

    assert_eq!(names.len(), 15, "{names:?}");
}

#[test]
fn sku_notify_reads_flags_barcodes_and_emoji_free_name() {
    let sku = round_trip::<SkuInfoNotify>("WMS_SKU_INFO_NOTIFY.xml");

    let item = sku.to_item();

    assert_eq!(item.item_code, ItemCode::from("LH3001"));
    assert_eq!(item.item_name, "五常稻花香大米礼盒 5kg");
    assert_eq!(item.bar_codes, ["2026031000459", "2026031001456"]);
    assert!(item.sn_managed && item.batch_managed);
    assert_eq!(item.gross_weight_g, Some(5600));
    assert_eq!(
        (item.length_mm, item.width_mm, item.height_mm),
        (Some(420), Some(300), Some(150))
    );
    assert_eq!(sku.is_danger.as_deref(), Some("false"));
    assert_eq!(sku.item_type.as_deref(), Some("NORMAL"));
}

#[test]
fn purchase_notify_becomes_a_domain_order_keyed_on_the_erp_code() {
    let notify = round_trip::<StockInOrderNotify>("WMS_STOCK_IN_ORDER_NOTIFY.601.xml");

    let order = notify.to_order().unwrap();

    assert_eq!(notify.order_code, "LBX0240312000601");
    assert_eq!(order.order_code, "CGRK20240312001");
    assert_eq!(order.order_type, OrderType::Purchase);
    assert_eq!(order.warehouse_code, "STORE_90000001");
    assert_eq!(order.supplier_code.as_deref(), Some("GYS003"));
    let plans: Vec<u32> = order.lines.iter().map(|l| l.plan_qty).collect();
    assert_eq!(plans, [400, 200, 300, 12]);
    assert_eq!(order.lines[3].lot.batch_code.as_deref(), Some("LH240306"));
    assert_eq!(
        order.lines[3].lot.expire_date.as_deref(),
        Some("2025-03-06")
    );
    assert_eq!(notify.cases.len(), 2);
    let per_case: Vec<Option<u32>> = notify
        .cases
        .iter()
        .map(|c| c.case_items[0].quantity)
        .collect();
    assert_eq!(per_case, [Some(6), Some(6)]);
}

#[test]
fn return_notify_keeps_the_original_erp_order() {
    let notify = round_trip::<StockInOrderNotify>("WMS_STOCK_IN_ORDER_NOTIFY.501.xml");

    let order = notify.to_order().unwrap();

    assert_eq!(order.order_type, OrderType::SalesReturn);
    assert_eq!(order.prev_order_code.as_deref(), Some("SO202403180123"));
    assert_eq!(notify.prev_order_code.as_deref(), Some("LBX0240318000201"));
    assert_eq!(order.lines.len(), 2);
}

#[test]
fn consign_notify_keeps_emoji_ampersand_and_fen_amounts() {
    let notify = round_trip::<ConsignOrderNotify>("WMS_CONSIGN_ORDER_NOTIFY.201.xml");

    let order = notify.to_order().unwrap();

    assert_eq!(
        notify.buyer_message.as_deref(),
        Some("放门口快递柜&到了打电话，谢谢🙏")
    );
    assert_eq!(notify.order_amount.as_deref(), Some("51570"));
    let town = notify
        .receiver_info
        .as_ref()
        .unwrap()
        .receive_town
        .as_deref();
    assert_eq!(town, Some("示例街道"));
    assert_eq!(order.order_code, "SO202403180123");
    assert_eq!(order.order_type, OrderType::SalesDelivery);
    assert_eq!(order.receiver.as_ref().unwrap().name, "张三");
    let plans: Vec<u32> = order.lines.iter().map(|l| l.plan_qty).collect();
    assert_eq!(plans, [3, 2]);
}

#[test]
fn stock_out_notify_reads_pick_up_fields_and_receiver_code() {
    let notify = round_trip::<StockOutOrderNotify>("WMS_STOCK_OUT_ORDER_NOTIFY.901.xml");

    let order = notify.to_order().unwrap();

    assert_eq!(order.order_type, OrderType::OtherOut);
    assert_eq!(notify.pick_name.as_deref(), Some("孙七"));
    let code = notify
        .receiver_info
        .as_ref()
        .unwrap()
        .receiver_code
        .as_deref();
    assert_eq!(code, Some("SLMY-HQ"));
    assert_eq!(order.lines.iter().map(|l| l.plan_qty).sum::<u32>(), 32);
}

#[test]
fn consign_confirm_has_two_parcels_and_one_line_per_item_entry() {
    let wire = round_trip::<ConsignOrderConfirm>("WMS_CONSIGN_ORDER_CONFIRM.xml");

    let confirm = wire.to_confirm("SO202403180123").unwrap();

    assert_eq!(wire.order_code, "LBX0240318000201");
    assert_eq!(confirm.order_code, "SO202403180123");
    assert_eq!(confirm.confirm_type, ConfirmType::Final);
    assert_eq!(confirm.wms_order_id.as_deref(), Some("DO24031800456"));
    assert_eq!(confirm.packages.len(), 2);
    let waybills: Vec<&str> = confirm
        .packages
        .iter()
        .map(|p| p.express_code.as_str())
        .collect();
    assert_eq!(waybills, ["SF1000000000001", "SF1000000000002"]);
    assert_eq!(confirm.packages[0].weight_g, Some(16400));
    assert_eq!(confirm.lines.len(), 4);
    let serials: Vec<&str> = confirm
        .lines
        .iter()
        .flat_map(|l| &l.serials)
        .map(|s| s.as_str())
        .collect();
    assert_eq!(serials, ["WCLH2403000101", "WCLH2403000102"]);
    // Shipped per item equals the sum over both parcels.
    for code in ["DM1001", "LH3001"] {
        let lines: u32 = confirm
            .lines
            .iter()
            .filter(|l| l.item_code.0 == code)
            .map(|l| l.actual_qty)
            .sum();
        let parcels: u32 = confirm
            .packages
            .iter()
            .flat_map(|p| &p.items)
            .filter(|(c, _)| c.0 == code)
            .map(|(_, q)| q)
            .sum();
        assert_eq!(lines, parcels, "{code}");
    }
}

#[test]
fn stock_in_final_confirm_merges_serials_and_keeps_check_totals() {
    let wire = round_trip::<StockInOrderConfirm>("WMS_STOCK_IN_ORDER_CONFIRM.final.xml");

    let confirm = wire.to_confirm("CGRK20240312001").unwrap();

    let checks: Vec<u32> = wire.check_items.iter().map(|c| c.quantity).collect();
    assert_eq!(checks, [400, 200, 290, 12]);
    assert_eq!(confirm.confirm_type, ConfirmType::Final);
    let gift = confirm
        .lines
        .iter()
        .find(|l| l.item_code.0 == "LH3001")
        .unwrap();
    assert_eq!(gift.actual_qty, 12);
    assert_eq!(gift.serials.len(), 12);
    assert_eq!(gift.serials[0], "WCLH2403000101");
    assert_eq!(gift.serials[11], "WCLH2403000112");
    assert_eq!(confirm.lines.len(), 4);
}

#[test]
fn stock_in_partial_and_final_add_up_to_the_check_totals() {
    let partial = round_trip::<StockInOrderConfirm>("WMS_STOCK_IN_ORDER_CONFIRM.xml");
    let last = round_trip::<StockInOrderConfirm>("WMS_STOCK_IN_ORDER_CONFIRM.final.xml");

    let first = partial.to_confirm("CGRK20240312001").unwrap();
    let second = last.to_confirm("CGRK20240312001").unwrap();

    assert_eq!(first.confirm_type, ConfirmType::Partial);
    assert_ne!(first.out_biz_code, second.out_biz_code);
    for check in &last.check_items {
        let line = Some(check.order_item_id.clone());
        let received: u32 = first
            .lines
            .iter()
            .chain(&second.lines)
            .filter(|l| l.line_no == line)
            .map(|l| l.actual_qty)
            .sum();
        assert_eq!(received, check.quantity, "line {}", check.order_item_id);
    }
}

#[test]
fn stock_out_confirm_reads_packages_with_volumn_spelling() {
    let wire = round_trip::<StockOutOrderConfirm>("WMS_STOCK_OUT_ORDER_CONFIRM.xml");

    let confirm = wire.to_confirm("CK20240319002").unwrap();

    assert_eq!(wire.package_infos[0].package_volumn, Some(660000));
    assert_eq!(confirm.packages.len(), 2);
    assert_eq!(confirm.packages[1].items.len(), 2);
    let gift = confirm
        .lines
        .iter()
        .find(|l| l.item_code.0 == "LH3001")
        .unwrap();
    assert_eq!(gift.serials, ["WCLH2403000103", "WCLH2403000104"]);
    assert_eq!(gift.actual_qty, 2);
}

#[test]
fn cancel_notify_reads_reason_and_takes_the_erp_code() {
    let wire = round_trip::<OrderCancelNotify>("WMS_ORDER_CANCEL_NOTIFY.xml");

    let cancel = wire.to_cancel("SO202403190045").unwrap();

    assert_eq!(wire.order_code, "LBX0240319000245");
    assert_eq!(cancel.order_code, "SO202403190045");
    assert_eq!(cancel.order_type, OrderType::SalesDelivery);
    assert_eq!(cancel.reason.as_deref(), Some("买家申请退款，未发货取消"));
}

#[test]
fn status_upload_maps_accept_through_the_mapping_table() {
    let wire = round_trip::<OrderStatusUpload>("WMS_ORDER_STATUS_UPLOAD.xml");

    let report = wire.to_status_report("SO202403180123").unwrap();

    assert_eq!(report.status, OrderStatus::Accept);
    assert_eq!(report.operated_at, "2024-03-18 10:05:40");
    assert_eq!(report.remark.as_deref(), Some("已分配波次 BC240318-015"));
}

#[test]
fn count_loss_is_negative_and_gain_positive() {
    let loss = round_trip::<InventoryCount>("WMS_INVENTORY_COUNT.701.xml");
    let gain = round_trip::<InventoryCount>("WMS_INVENTORY_COUNT.702.xml");

    let loss = loss.to_adjustment().unwrap();
    let gain = gain.to_adjustment().unwrap();

    assert_eq!(loss.order_type, Some(OrderType::CountLoss));
    assert_eq!(loss.lines[0].item_code, ItemCode::from("DM1004"));
    assert_eq!(loss.lines[0].delta, -1);
    assert_eq!(gain.lines[0].delta, 2);
    assert_eq!(loss.adjustment_code, "PD20240326001");
}

#[test]
fn adjust_upload_moves_one_from_good_to_defective() {
    let wire = round_trip::<InventoryAdjustUpload>("WMS_INVENTORY_ADJUST_UPLOAD.xml");

    let adjustment = wire.to_adjustment().unwrap();

    let moves: Vec<(InventoryType, i64)> = adjustment
        .lines
        .iter()
        .map(|l| (l.inventory_type, l.delta))
        .collect();
    assert_eq!(
        moves,
        [(InventoryType::Good, -1), (InventoryType::Defective, 1)]
    );
    assert_eq!(adjustment.lines.iter().map(|l| l.delta).sum::<i64>(), 0);
    assert_eq!(adjustment.order_type, None);
}

#[test]
fn item_query_lists_ids() {
    let query = round_trip::<ItemQuery>("WMS_ITEM_QUERY.xml");

    assert_eq!(query.provider_tp_id, "2000000001");
    assert_eq!(query.item_ids, ["500000003001", "500000003003"]);
    assert!(query.item_codes.is_empty());
}

#[test]
fn domain_values_survive_a_trip_through_the_wire_types() {
    let order = StockInOrderNotify::parse(&fixture("WMS_STOCK_IN_ORDER_NOTIFY.601.xml"))
        .unwrap()
        .to_order()
        .unwrap();
    let consign = ConsignOrderConfirm::parse(&fixture("WMS_CONSIGN_ORDER_CONFIRM.xml"))
        .unwrap()
        .to_confirm("SO1")
        .unwrap();
    let stock_in = StockInOrderConfirm::parse(&fixture("WMS_STOCK_IN_ORDER_CONFIRM.final.xml"))
        .unwrap()
        .to_confirm("CG1")
        .unwrap();
    let stock_out = StockOutOrderConfirm::parse(&fixture("WMS_STOCK_OUT_ORDER_CONFIRM.xml"))
        .unwrap()
        .to_confirm("CK1")
        .unwrap();
    let count = InventoryCount::parse(&fixture("WMS_INVENTORY_COUNT.701.xml"))
        .unwrap()
        .to_adjustment()
        .unwrap();
    let moved = InventoryAdjustUpload::parse(&fixture("WMS_INVENTORY_ADJUST_UPLOAD.xml"))
        .unwrap()
        .to_adjustment()
        .unwrap();

    let order_back = StockInOrderNotify::from_order(&order, "LBX1")
        .to_order()
        .unwrap();
    let consign_back = ConsignOrderConfirm::from_confirm(&consign, "LBX1")
        .to_confirm("SO1")
        .unwrap();
    let stock_in_back = StockInOrderConfirm::from_confirm(&stock_in, "LBX1")
        .to_confirm("CG1")
        .unwrap();
    let stock_out_back = StockOutOrderConfirm::from_confirm(&stock_out, "LBX1")
        .to_confirm("CK1")
        .unwrap();
    let count_back = InventoryCount::from_adjustment(&count)
        .unwrap()
        .to_adjustment()
        .unwrap();
    let moved_back = InventoryAdjustUpload::from_adjustment(&moved)
        .unwrap()
        .to_adjustment()
        .unwrap();

    assert_eq!(order_back, order);
    assert_eq!(consign_back, consign);
    assert_eq!(stock_in_back, stock_in);
    assert_eq!(stock_out_back, stock_out);
    assert_eq!(count_back, count);
    assert_eq!(moved_back, moved);
}

#[test]
fn count_with_a_delivery_order_type_is_refused_naming_the_code() {
    let body = String::from_utf8(fixture("WMS_INVENTORY_COUNT.701.xml"))
        .unwrap()
        .replace("<orderType>701</orderType>", "<orderType>201</orderType>");

    let err = InventoryCount::parse(body.as_bytes()).unwrap_err();

    assert_eq!(
        err,
        Error::OrderTypeNotAllowed {
            msg_type: "WMS_INVENTORY_COUNT".into(),
            code: 201
        }
    );
}

#[test]
fn item_cancel_status_and_consign_order_survive_a_trip_through_the_wire_types() {
    let item = SkuInfoNotify::parse(&fixture("WMS_SKU_INFO_NOTIFY.xml"))
        .unwrap()
        .to_item();
    let order = ConsignOrderNotify::parse(&fixture("WMS_CONSIGN_ORDER_NOTIFY.201.xml"))
        .unwrap()
        .to_order()
        .unwrap();
    let out = StockOutOrderNotify::parse(&fixture("WMS_STOCK_OUT_ORDER_NOTIFY.901.xml"))
        .unwrap()
        .to_order()
        .unwrap();
    let cancel = OrderCancelNotify::parse(&fixture("WMS_ORDER_CANCEL_NOTIFY.xml"))
        .unwrap()
        .to_cancel("SO9")
        .unwrap();
    let report = OrderStatusUpload::parse(&fixture("WMS_ORDER_STATUS_UPLOAD.xml"))
        .unwrap()
        .to_status_report("SO1")
        .unwrap();

    let item_back = SkuInfoNotify::from_item(&item, "2000000001").to_item();
    let order_back = ConsignOrderNotify::from_order(&order, "LBX1")
        .to_order()
        .unwrap();
    let out_back = StockOutOrderNotify::from_order(&out, "LBX2")
        .to_order()
        .unwrap();
    let cancel_back = OrderCancelNotify::from_cancel(&cancel, "LBX3")
        .to_cancel("SO9")
        .unwrap();
    let report_back = OrderStatusUpload::from_status_report(&report, "LBX4")
        .to_status_report("SO1")
        .unwrap();

    assert_eq!(item_back, item);
    assert_eq!(order_back, order);
    assert_eq!(out_back, out);
    assert_eq!(cancel_back, cancel);
    assert_eq!(report_back, report);
}
