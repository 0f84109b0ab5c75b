//! Every Qimen sample in `fixtures/qimen` parses, writes and parses back to
//! the same message, and converts to the domain model with the values the
//! samples README describes.

use std::fmt::Debug;
use std::path::PathBuf;

use mocks::domain::{ConfirmType, InventoryType, OrderType};
use mocks::qimen::messages::*;

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/qimen")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn round_trip<M: Message + PartialEq + Debug>(name: &str) -> M {
    let parsed = M::parse(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"));

    let written = parsed.to_xml_checked().unwrap();
    let back = M::parse(written.xml.as_bytes()).unwrap_or_else(|e| panic!("{name} again: {e}"));

    assert_eq!(back, parsed, "{name} changed in a round trip");
    assert!(!written.sanitized, "{name} needed sanitising");
    assert!(written
        .xml
        .starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?><request>"));
    parsed
}

#[test]
fn every_fixture_round_trips_through_its_message_type() {
    round_trip::<CombineItemSynchronize>("combineitem.synchronize.xml");
    round_trip::<DeliveryOrderConfirm>("deliveryorder.confirm.xml");
    round_trip::<DeliveryOrderCreate>("deliveryorder.create.xml");
    round_trip::<EntryOrderConfirm>("entryorder.confirm.final.xml");
    round_trip::<EntryOrderConfirm>("entryorder.confirm.xml");
    round_trip::<EntryOrderCreate>("entryorder.create.xml");
    round_trip::<InventoryQuery>("inventory.query.xml");
    round_trip::<InventoryReport>("inventory.report.xml");
    round_trip::<ItemLackReport>("itemlack.report.xml");
    round_trip::<ItemsSynchronize>("items.synchronize.xml");
    round_trip::<OrderCancel>("order.cancel.xml");
    round_trip::<OrderPending>("order.pending.xml");
    round_trip::<OrderSnReport>("order.sn.report.xml");
    round_trip::<OrderProcessReport>("orderprocess.report.xml");
    round_trip::<ReturnOrderConfirm>("returnorder.confirm.xml");
    round_trip::<ReturnOrderCreate>("returnorder.create.xml");
    round_trip::<SingleItemSynchronize>("singleitem.synchronize.xml");
    round_trip::<SnReport>("sn.report.xml");
    round_trip::<StockQuery>("stock.query.xml");
    round_trip::<StockChangeReport>("stockchange.report.xml");
    round_trip::<StockOutConfirm>("stockout.confirm.xml");
    round_trip::<StockOutCreate>("stockout.create.b2b.xml");
    round_trip::<StockOutCreate>("stockout.create.xml");
    round_trip::<WavenumReport>("wavenum.report.xml");
}

#[test]
fn every_fixture_file_is_covered_by_the_round_trip_test() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/qimen");
    let source = include_str!("qimen_fixtures.rs");

    let names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();

    assert_eq!(names.len(), 24);
    for name in names {
        assert!(
            source.contains(&format!("(\"{name}\")")),
            "{name} not round-tripped"
        );
    }
}

#[test]
fn delivery_confirm_has_two_sf_packages_and_splits_batches_per_lot() {
    let confirm = round_trip::<DeliveryOrderConfirm>("deliveryorder.confirm.xml");

    let domain = confirm.to_domain().unwrap();

    let tracking: Vec<&str> = domain
        .packages
        .iter()
        .map(|p| p.express_code.as_str())
        .collect();
    assert_eq!(tracking, ["SF1000000000001", "SF1000000000002"]);
    assert_eq!(domain.packages[0].weight_g, Some(16_400));
    assert_eq!(domain.order_type, OrderType::SalesDelivery);
    assert_eq!(domain.wms_order_id.as_deref(), Some("DO24031800456"));
    // Line 1 has two batches (2 + 1), line 2 one batch: three domain lines.
    let quantities: Vec<u32> = domain.lines.iter().map(|l| l.actual_qty).collect();
    assert_eq!(quantities, [2, 1, 2]);
    assert_eq!(domain.lines[0].plan_qty, Some(3));
    assert_eq!(domain.lines[1].plan_qty, None);
    assert_eq!(
        domain.lines[2].serials,
        ["WCLH2403000101", "WCLH2403000102"]
    );
    // Package items add up to the shipped quantity: 2+1 DM1001, 1+1 LH3001.
    let packed: u32 = domain
        .packages
        .iter()
        .flat_map(|p| &p.items)
        .map(|i| i.1)
        .sum();
    assert_eq!(packed, 5);
}

#[test]
fn return_confirm_line_two_is_defective_and_line_one_short() {
    let confirm = round_trip::<ReturnOrderConfirm>("returnorder.confirm.xml");

    let domain = confirm.to_domain().unwrap();

    assert_eq!(
        confirm.order_lines.list[1].inventory_type.as_deref(),
        Some("CC")
    );
    assert_eq!(domain.lines[1].inventory_type, InventoryType::Defective);
    assert_eq!(domain.lines[0].plan_qty, Some(2));
    assert_eq!(domain.lines[0].actual_qty, 1);
    assert_eq!(domain.lines[0].lot.batch_code.as_deref(), Some("WC240301"));
    assert_eq!(domain.confirm_type, ConfirmType::Final);
}

#[test]
fn entry_confirms_convert_with_increment_quantities() {
    let partial = round_trip::<EntryOrderConfirm>("entryorder.confirm.xml");
    let last = round_trip::<EntryOrderConfirm>("entryorder.confirm.final.xml");

    let partial = partial.to_domain().unwrap();
    let last_domain = last.to_domain().unwrap();

    assert_eq!(partial.confirm_type, ConfirmType::Partial);
    assert_eq!(partial.order_type, OrderType::Purchase);
    let received: u32 = partial.lines.iter().map(|l| l.actual_qty).sum();
    assert_eq!(received, 240 + 200 + 120);
    assert_eq!(last_domain.confirm_type, ConfirmType::Final);
    let cumulative: Vec<u32> = last
        .total_orders
        .list
        .iter()
        .filter_map(|t| t.actual_qty)
        .collect();
    assert_eq!(cumulative, [400, 200, 290, 12]);
    let serials: usize = last_domain.lines.iter().map(|l| l.serials.len()).sum();
    assert_eq!(serials, 12);
}

#[test]
fn creates_convert_to_domain_orders_and_back() {
    let entry = round_trip::<EntryOrderCreate>("entryorder.create.xml")
        .to_domain()
        .unwrap();
    let delivery = round_trip::<DeliveryOrderCreate>("deliveryorder.create.xml")
        .to_domain()
        .unwrap();
    let stockout = round_trip::<StockOutCreate>("stockout.create.b2b.xml")
        .to_domain()
        .unwrap();
    let ret = round_trip::<ReturnOrderCreate>("returnorder.create.xml")
        .to_domain()
        .unwrap();

    assert_eq!(
        entry.lines.iter().map(|l| l.plan_qty).sum::<u32>(),
        400 + 200 + 300 + 12
    );
    assert_eq!(delivery.receiver.as_ref().unwrap().name, "张三");
    assert_eq!(stockout.order_type, OrderType::B2bOut);
    assert_eq!(stockout.lines.len(), 8);
    assert_eq!(
        stockout.lines[4].item_name.as_deref(),
        Some("五常大米&东北珍珠米 组合装 5kg×2")
    );
    assert_eq!(
        stockout.lines[7].item_name.as_deref(),
        Some("杂粮礼盒 A&B <送礼>款 2kg")
    );
    assert_eq!(ret.prev_order_code.as_deref(), Some("SO202403180123"));
    assert_eq!(ret.owner_code, "SLMY001");
    for order in [&entry, &delivery, &stockout] {
        let back = match order.order_type {
            OrderType::Purchase => EntryOrderCreate::from_domain(order).to_domain(),
            OrderType::SalesDelivery => DeliveryOrderCreate::from_domain(order).to_domain(),
            _ => StockOutCreate::from_domain(order).to_domain(),
        };
        let back = back.unwrap();
        assert_eq!(back.lines, order.lines);
        assert_eq!(back.order_code, order.order_code);
    }
}

#[test]
fn confirms_survive_domain_round_trip() {
    let confirm = round_trip::<DeliveryOrderConfirm>("deliveryorder.confirm.xml");
    let domain = confirm.to_domain().unwrap();

    let wire = DeliveryOrderConfirm::from_domain(&domain, "SLMY001", "WH_HZ01");
    let xml = wire.to_xml().unwrap();
    let again = DeliveryOrderConfirm::parse(xml.as_bytes())
        .unwrap()
        .to_domain()
        .unwrap();

    assert_eq!(again, domain);
}

#[test]
fn item_sync_converts_units_to_the_domain() {
    let item = round_trip::<SingleItemSynchronize>("singleitem.synchronize.xml")
        .to_domain()
        .unwrap();

    assert_eq!(item.bar_codes, ["2026031000459", "2026031001456"]);
    assert_eq!(item.gross_weight_g, Some(5_600));
    assert_eq!(item.length_mm, Some(420));
    assert_eq!(item.shelf_life_days, Some(365));
    assert_eq!(item.retail_price_fen, Some(19_800));
    assert!(item.sn_managed && item.batch_managed);
    let back = SingleItemSynchronize::from_domain(&item, "add", "SLMY001", "WH_HZ01");
    assert_eq!(back.to_domain().unwrap(), item);
}

#[test]
fn reports_convert_to_adjustments_and_status() {
    let count = round_trip::<InventoryReport>("inventory.report.xml")
        .to_domain()
        .unwrap();
    let moves = round_trip::<StockChangeReport>("stockchange.report.xml")
        .to_domain()
        .unwrap();
    let status = round_trip::<OrderProcessReport>("orderprocess.report.xml")
        .to_domain()
        .unwrap();
    let cancel = round_trip::<OrderCancel>("order.cancel.xml")
        .to_domain()
        .unwrap();

    assert_eq!(
        count.lines.iter().map(|l| l.delta).collect::<Vec<_>>(),
        [2, -1]
    );
    assert_eq!(
        count.order_type, None,
        "a page mixing gain and loss has no single type"
    );
    assert_eq!(moves.len(), 1);
    assert_eq!(moves[0].lines.iter().map(|l| l.delta).sum::<i64>(), 0);
    assert_eq!(moves[0].lines[1].inventory_type, InventoryType::Defective);
    assert_eq!(status.status, mocks::domain::OrderStatus::Package);
    assert_eq!(cancel.reason.as_deref(), Some("买家申请退款，未发货取消"));
    assert_eq!(cancel.order_type, OrderType::SalesDelivery);
}
