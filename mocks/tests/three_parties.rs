//! Every go-live order type carried through ERP, gateway and WMS over real
//! HTTP on loopback; both ledgers checked against hand-computed stock.

use std::sync::Arc;
use std::time::Duration;

use mocks::behaviour::{Distribution, WmsBehaviour};
use mocks::config::Config;
use mocks::domain::{
    Address, AdjustmentLine, InventoryType, Item, ItemCode, Lot, Order, OrderLine, OrderType,
};
use mocks::erp::{Answer, OrderState};
use mocks::observe::{LogObserver, Party};
use mocks::stack::{Stack, StackSettings};

const RICE: &str = "DM1001";
const PEARL: &str = "DM1004";

fn item(code: &str, name: &str) -> Item {
    Item {
        item_code: ItemCode::from(code),
        item_name: name.to_owned(),
        bar_codes: vec!["2026031000015".into()],
        unit: Some("袋".into()),
        shelf_life_days: Some(365),
        batch_managed: true,
        ..Item::default()
    }
}

fn order(code: &str, order_type: OrderType, lines: &[(&str, u32)]) -> Order {
    Order {
        order_code: code.to_owned(),
        order_type,
        owner_code: "SLMY001".into(),
        warehouse_code: "WH_HZ01".into(),
        created_at: "2024-03-18 10:00:00".into(),
        prev_order_code: None,
        logistics_code: Some("SF".into()),
        receiver: Some(Address {
            name: "张三".into(),
            mobile: Some("13800000000".into()),
            province: Some("浙江省".into()),
            city: Some("杭州市".into()),
            area: Some("西湖区".into()),
            detail: "示例路1号 A&B <东门>".into(),
        }),
        supplier_code: Some("SUP01".into()),
        remark: Some("联调 🌾".into()),
        lines: lines
            .iter()
            .enumerate()
            .map(|(n, (code, qty))| OrderLine {
                line_no: (n + 1).to_string(),
                item_code: ItemCode::from(*code),
                item_name: None,
                inventory_type: InventoryType::Good,
                plan_qty: *qty,
                lot: Lot::default(),
                serials: Vec::new(),
            })
            .collect(),
    }
}

async fn start() -> Stack {
    // Outbound steps take a little time so that a cancel sent right after
    // the create arrives before the order is consigned.
    let mut wms = WmsBehaviour::default();
    wms.outbound.accept = Distribution::Fixed { ms: 100 };
    let settings = StackSettings {
        config: Config::default(),
        seed: 7,
        erp: Default::default(),
        gateway: Default::default(),
        wms,
        observer: Arc::new(LogObserver),
        run: vec![Party::Erp, Party::Gateway, Party::Wms],
        clock: Default::default(),
    };
    Stack::start(settings)
        .await
        .expect("loopback parties start")
}

async fn wait_for_state(stack: &Stack, code: &str, want: OrderState) {
    let erp = stack.erp.as_ref().expect("ERP runs in-process");
    for _ in 0..1000 {
        if erp.order_state(code).map(|d| d.state) == Some(want) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("{code} never reached {want:?}: {:?}", erp.order_state(code));
}

async fn run_to_completion(stack: &Stack, order: &Order) {
    let erp = stack.erp.as_ref().expect("ERP runs in-process");
    let answer = erp.create_order(order).await.expect("ERP sends the create");
    assert_eq!(answer, Answer::Accepted, "{}", order.order_code);
    wait_for_state(stack, &order.order_code, OrderState::Completed).await;
}

fn on_hand(
    snapshot: &std::collections::BTreeMap<(ItemCode, InventoryType), mocks::ledger::Balance>,
    code: &str,
) -> (i64, i64) {
    let balance = snapshot
        .get(&(ItemCode::from(code), InventoryType::Good))
        .copied()
        .unwrap_or_default();
    (balance.on_hand, balance.locked)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_order_type_flows_through_three_parties_and_ledgers_agree() {
    let stack = start().await;
    let erp = stack.erp.clone().expect("ERP runs in-process");
    let wms = stack.wms.clone().expect("WMS runs in-process");
    let items = [
        item(RICE, "五常大米 5kg袋装"),
        item(PEARL, "东北珍珠米 10kg"),
    ];
    assert_eq!(erp.sync_items(&items).await.unwrap(), Answer::Accepted);

    // Inbound: purchase, transfer, other.
    run_to_completion(
        &stack,
        &order("CG001", OrderType::Purchase, &[(RICE, 100), (PEARL, 50)]),
    )
    .await;
    run_to_completion(
        &stack,
        &order("DB001", OrderType::TransferIn, &[(RICE, 10)]),
    )
    .await;
    run_to_completion(&stack, &order("QT001", OrderType::OtherIn, &[(PEARL, 5)])).await;

    // Outbound: sales, exchange, B2B/other.
    run_to_completion(
        &stack,
        &order("SO001", OrderType::SalesDelivery, &[(RICE, 3), (PEARL, 2)]),
    )
    .await;
    let mut exchange = order("HH001", OrderType::ExchangeDelivery, &[(RICE, 1)]);
    exchange.prev_order_code = Some("SO001".into());
    run_to_completion(&stack, &exchange).await;
    run_to_completion(&stack, &order("PT001", OrderType::OtherOut, &[(PEARL, 4)])).await;

    // Sales return of SO001's rice, received in full as good stock.
    let mut sales_return = order("TH001", OrderType::SalesReturn, &[(RICE, 3)]);
    sales_return.prev_order_code = Some("SO001".into());
    run_to_completion(&stack, &sales_return).await;

    // A sales order cancelled before the warehouse ships it.
    let cancelled = order("SO002", OrderType::SalesDelivery, &[(RICE, 5)]);
    assert_eq!(
        erp.create_order(&cancelled).await.unwrap(),
        Answer::Accepted
    );
    assert_eq!(erp.cancel_order("SO002").await.unwrap(), Answer::Accepted);
    wait_for_state(&stack, "SO002", OrderState::Cancelled).await;

    // Stock counts: a gain of 2 rice (702) and a loss of 1 pearl rice (701).
    let count = |code: &str, delta| AdjustmentLine {
        item_code: ItemCode::from(code),
        inventory_type: InventoryType::Good,
        delta,
        lot: Lot::default(),
    };
    wms.count(&[count(RICE, 2), count(PEARL, -1)])
        .await
        .expect("WMS counts");
    assert!(stack.drain(Duration::from_secs(10)).await, "parties settle");

    // rice: 100 + 10 − 3 − 1 + 3 + 2 = 111; pearl: 50 + 5 − 2 − 4 − 1 = 48.
    let expected = [(RICE, (111, 0)), (PEARL, (48, 0))];
    let mut erp_stock = Vec::new();
    for _ in 0..500 {
        let snapshot = erp.ledger_snapshot();
        erp_stock = expected
            .iter()
            .map(|(c, _)| (*c, on_hand(&snapshot, c)))
            .collect();
        if erp_stock.iter().zip(&expected).all(|(a, b)| a.1 == b.1) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let wms_snapshot = wms.ledger_snapshot();
    let wms_stock: Vec<_> = expected
        .iter()
        .map(|(c, _)| (*c, on_hand(&wms_snapshot, c)))
        .collect();
    assert_eq!(erp_stock, expected.to_vec(), "ERP ledger");
    assert_eq!(wms_stock, expected.to_vec(), "WMS ledger");

    stack.shutdown().await;
}
