//! The mock ERP over HTTP: wiremock stands in for the gateway on the
//! outgoing side, and signed Qimen callbacks go to the ERP's own app.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset, Utc};
use wiremock::matchers::{method, path};
use wiremock::{Match, Mock, MockServer, Request, ResponseTemplate};

use mocks::behaviour::{ErpBehaviour, RetryPolicy};
use mocks::config::Config;
use mocks::domain::{
    Confirm, ConfirmLine, ConfirmType, InventoryType, Item, ItemCode, Order, OrderLine, OrderType,
    Package,
};
use mocks::erp::http::Erp;
use mocks::erp::{Answer, OrderState};
use mocks::ledger::Balance;
use mocks::link::Link;
use mocks::observe::{EventKind, Exchange, Hop, Observer, PartyEvent};
use mocks::qimen::envelope::gmt8;
use mocks::qimen::messages::{self, Message};
use mocks::qimen::{self, Credentials, Response, SignMethod};

const ROUTER: &str = "/router/qimen/service";

#[derive(Default)]
struct Recorder {
    events: Mutex<Vec<PartyEvent>>,
}

impl Observer for Recorder {
    fn exchange(&self, _exchange: &Exchange) {}

    fn event(&self, event: &PartyEvent) {
        self.events.lock().unwrap().push(event.clone());
    }
}

impl Recorder {
    fn kinds_for(&self, order_code: &str) -> Vec<EventKind> {
        let events = self.events.lock().unwrap();
        events
            .iter()
            .filter(|e| e.order_code == order_code)
            .map(|e| e.kind.clone())
            .collect()
    }

    fn anomalies(&self) -> Vec<String> {
        let events = self.events.lock().unwrap();
        events
            .iter()
            .filter(|e| e.kind == EventKind::Anomaly)
            .map(|e| e.detail.clone().unwrap_or_default())
            .collect()
    }
}

/// Matches a request signed with `secret` for Qimen method `name`.
struct SignedFor {
    secret: String,
    method: &'static str,
}

impl Match for SignedFor {
    fn matches(&self, request: &Request) -> bool {
        let query = request.url.query().unwrap_or("");
        let received = qimen::Request::new(query, request.body.clone());
        match received.verify(&self.secret, now(), chrono::Duration::minutes(10)) {
            Ok(m) => m.as_str() == self.method,
            Err(_) => false,
        }
    }
}

fn signed_for(method: &'static str) -> SignedFor {
    SignedFor {
        secret: Config::default().qimen.secret,
        method,
    }
}

fn now() -> DateTime<FixedOffset> {
    Utc::now().with_timezone(&gmt8())
}

fn answer(response: Response) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_string(response.to_xml().unwrap())
}

struct Harness {
    erp: Erp,
    gateway: MockServer,
    recorder: Arc<Recorder>,
    callback: String,
}

async fn harness(behaviour: ErpBehaviour) -> Harness {
    let gateway = MockServer::start().await;
    let recorder = Arc::new(Recorder::default());
    let url = format!("{}{ROUTER}", gateway.uri());
    let link = Link::new(
        Hop::ErpToGateway,
        &url,
        recorder.clone(),
        Duration::from_secs(5),
    );
    let erp = Erp::new(&Config::default(), behaviour, link, recorder.clone());

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let app = erp.app();
    tokio::spawn(async move { axum::serve(listener, app).await });
    Harness {
        erp,
        gateway,
        recorder,
        callback: format!("http://{address}/qimen/callback"),
    }
}

fn fast_retry() -> ErpBehaviour {
    ErpBehaviour {
        retry: RetryPolicy {
            max_attempts: 3,
            base_backoff_ms: 1,
            honour_ban: true,
        },
        ..ErpBehaviour::default()
    }
}

fn items() -> Vec<Item> {
    ["DM1001", "LH3001"]
        .iter()
        .map(|code| Item {
            item_code: ItemCode::from(*code),
            item_name: "东北大米 5kg".into(),
            bar_codes: vec!["2000000000015".into()],
            ..Item::default()
        })
        .collect()
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
        receiver: None,
        supplier_code: None,
        remark: None,
        lines: lines
            .iter()
            .enumerate()
            .map(|(i, (item, qty))| OrderLine {
                line_no: (i + 1).to_string(),
                item_code: ItemCode::from(*item),
                item_name: Some("东北大米 5kg".into()),
                plan_qty: *qty,
                ..OrderLine::default()
            })
            .collect(),
    }
}

fn confirm(
    code: &str,
    order_type: OrderType,
    biz: &str,
    confirm_type: ConfirmType,
    lines: &[(&str, InventoryType, u32)],
) -> Confirm {
    Confirm {
        order_code: code.to_owned(),
        order_type,
        wms_order_id: Some(format!("W-{code}")),
        out_biz_code: biz.to_owned(),
        confirm_type,
        confirmed_at: "2024-03-18 15:00:00".into(),
        lines: lines
            .iter()
            .enumerate()
            .map(|(i, (item, kind, qty))| ConfirmLine {
                line_no: Some((i + 1).to_string()),
                item_code: ItemCode::from(*item),
                inventory_type: *kind,
                actual_qty: *qty,
                ..ConfirmLine::default()
            })
            .collect(),
        packages: Vec::new(),
    }
}

fn credentials() -> Credentials {
    let config = Config::default();
    Credentials {
        app_key: config.qimen.app_key,
        secret: config.qimen.secret,
        customer_id: config.qimen.customer_id,
        sign_method: SignMethod::Md5,
    }
}

/// Posts a signed callback and reads the ERP's answer.
async fn post_signed<M: Message>(callback: &str, message: &M) -> Response {
    post_signed_at(callback, message, now()).await
}

async fn post_signed_at<M: Message>(
    callback: &str,
    message: &M,
    timestamp: DateTime<FixedOffset>,
) -> Response {
    let signed = qimen::sign_request(&credentials(), message, timestamp).unwrap();
    post_raw(callback, &signed.query, signed.body.into_bytes()).await
}

async fn post_raw(callback: &str, query: &str, body: Vec<u8>) -> Response {
    let reply = reqwest::Client::new()
        .post(format!("{callback}?{query}"))
        .header("content-type", "text/xml;charset=utf-8")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
    Response::parse(&reply.bytes().await.unwrap()).unwrap()
}

fn delivery_confirm(c: &Confirm) -> messages::DeliveryOrderConfirm {
    messages::DeliveryOrderConfirm::from_domain(c, "SLMY001", "WH_HZ01")
}

/// Mounts a success answer for `method`, for exactly `times` calls.
async fn accept(h: &Harness, method_name: &'static str, times: u64) {
    Mock::given(method("POST"))
        .and(path(ROUTER))
        .and(signed_for(method_name))
        .respond_with(answer(Response::success()))
        .up_to_n_times(times)
        .expect(times)
        .named(method_name)
        .mount(&h.gateway)
        .await;
}

/// Items synchronised, purchase CGRK1 of 10 DM1001 received, sales order
/// SO1 of 5 DM1001 created.
async fn stocked_with_sale(h: &Harness) {
    accept(h, "taobao.qimen.items.synchronize", 1).await;
    accept(h, "taobao.qimen.entryorder.create", 1).await;
    accept(h, "taobao.qimen.deliveryorder.create", 1).await;
    assert_eq!(h.erp.sync_items(&items()).await.unwrap(), Answer::Accepted);
    let purchase = order("CGRK1", OrderType::Purchase, &[("DM1001", 10)]);
    h.erp.create_order(&purchase).await.unwrap();
    let receipt = confirm(
        "CGRK1",
        OrderType::Purchase,
        "IN-1",
        ConfirmType::Final,
        &[("DM1001", InventoryType::Good, 10)],
    );
    let entry = messages::EntryOrderConfirm::from_domain(&receipt, "SLMY001", "WH_HZ01");
    assert!(post_signed(&h.callback, &entry).await.is_success());
    let sale = order("SO1", OrderType::SalesDelivery, &[("DM1001", 5)]);
    assert_eq!(h.erp.create_order(&sale).await.unwrap(), Answer::Accepted);
}

fn dm_good(h: &Harness) -> Balance {
    h.erp.ledger_snapshot()[&(ItemCode::from("DM1001"), InventoryType::Good)]
}

#[tokio::test]
async fn create_order_sends_one_signed_create_and_locks_stock() {
    let h = harness(ErpBehaviour::default()).await;

    stocked_with_sale(&h).await;

    // 10 received, 5 locked by SO1.
    assert_eq!(
        dm_good(&h),
        Balance {
            on_hand: 10,
            locked: 5
        }
    );
    assert_eq!(h.erp.order_state("SO1").unwrap().state, OrderState::Open);
    assert_eq!(h.recorder.kinds_for("SO1"), vec![EventKind::Accepted]);
}

#[tokio::test]
async fn fc21_throttled_create_waits_out_the_ban_and_succeeds() {
    let h = harness(fast_retry()).await;
    accept(&h, "taobao.qimen.singleitem.synchronize", 1).await;
    Mock::given(method("POST"))
        .and(path(ROUTER))
        .and(signed_for("taobao.qimen.entryorder.create"))
        .respond_with(answer(Response::throttled(1)))
        .up_to_n_times(1)
        .expect(1)
        .mount(&h.gateway)
        .await;
    accept(&h, "taobao.qimen.entryorder.create", 1).await;
    h.erp.sync_items(&items()[..1]).await.unwrap();
    let purchase = order("CGRK1", OrderType::Purchase, &[("DM1001", 10)]);

    let started = Instant::now();
    let answer = h.erp.create_order(&purchase).await.unwrap();
    let waited = started.elapsed();

    assert_eq!(answer, Answer::Accepted);
    assert!(waited >= Duration::from_secs(1), "waited {waited:?}");
    assert_eq!(h.recorder.kinds_for("CGRK1"), vec![EventKind::Accepted]);
}

#[tokio::test]
async fn unreachable_gateway_is_given_up_after_the_last_attempt() {
    let h = harness(fast_retry()).await;
    accept(&h, "taobao.qimen.singleitem.synchronize", 1).await;
    h.erp.sync_items(&items()[..1]).await.unwrap();
    Mock::given(method("POST"))
        .and(path(ROUTER))
        .respond_with(ResponseTemplate::new(502).set_body_string("bad gateway"))
        .expect(3)
        .mount(&h.gateway)
        .await;
    let purchase = order("CGRK1", OrderType::Purchase, &[("DM1001", 10)]);

    let answer = h.erp.create_order(&purchase).await.unwrap();

    assert!(matches!(answer, Answer::GaveUp(ref why) if why.contains("HTTP 502")));
    assert_eq!(h.recorder.kinds_for("CGRK1"), vec![EventKind::GaveUp]);
    assert_eq!(
        h.erp.order_state("CGRK1").unwrap().state,
        OrderState::Refused
    );
}

#[tokio::test]
async fn refused_create_releases_the_lock_and_reports_refused() {
    let h = harness(ErpBehaviour::default()).await;
    stocked_with_sale(&h).await;
    Mock::given(method("POST"))
        .and(path(ROUTER))
        .and(signed_for("taobao.qimen.stockout.create"))
        .respond_with(answer(Response::failure(qimen::FailureCode::InvalidParam)))
        .expect(1)
        .mount(&h.gateway)
        .await;
    let pick_up = order("CK1", OrderType::OtherOut, &[("DM1001", 2)]);

    let answer = h.erp.create_order(&pick_up).await.unwrap();

    assert!(matches!(answer, Answer::Refused(ref why) if why.starts_with("invalid-param")));
    assert_eq!(h.recorder.kinds_for("CK1"), vec![EventKind::Refused]);
    // Only SO1's 5 stay locked.
    assert_eq!(dm_good(&h).locked, 5);
}

#[tokio::test]
async fn accepted_cancel_unlocks_and_refused_cancel_keeps_the_order_open() {
    let h = harness(ErpBehaviour::default()).await;
    stocked_with_sale(&h).await;
    accept(&h, "taobao.qimen.deliveryorder.create", 1).await;
    let sale2 = order("SO2", OrderType::SalesDelivery, &[("DM1001", 3)]);
    h.erp.create_order(&sale2).await.unwrap();
    Mock::given(method("POST"))
        .and(path(ROUTER))
        .and(signed_for("taobao.qimen.order.cancel"))
        .respond_with(answer(Response::failure(
            qimen::FailureCode::OrderCannotCancel,
        )))
        .up_to_n_times(1)
        .expect(1)
        .mount(&h.gateway)
        .await;
    accept(&h, "taobao.qimen.order.cancel", 1).await;

    let refused = h.erp.cancel_order("SO1").await.unwrap();
    let accepted = h.erp.cancel_order("SO2").await.unwrap();

    assert!(matches!(refused, Answer::Refused(_)));
    assert_eq!(accepted, Answer::Accepted);
    assert_eq!(h.erp.order_state("SO1").unwrap().state, OrderState::Open);
    assert_eq!(
        h.erp.order_state("SO2").unwrap().state,
        OrderState::Cancelled
    );
    // SO1 keeps its 5 locked, SO2's 3 are released.
    assert_eq!(dm_good(&h).locked, 5);
}

#[tokio::test]
async fn fc12_same_confirm_resigned_and_concurrent_moves_stock_once() {
    let h = harness(ErpBehaviour::default()).await;
    stocked_with_sale(&h).await;
    let shipped = confirm(
        "SO1",
        OrderType::SalesDelivery,
        "OUT-1",
        ConfirmType::Final,
        &[("DM1001", InventoryType::Good, 5)],
    );
    let message = delivery_confirm(&shipped);

    // The first copy is signed a minute earlier, so the copies differ in
    // timestamp and sign but not in outBizCode.
    let earlier = now() - chrono::Duration::seconds(60);
    let first = post_signed_at(&h.callback, &message, earlier).await;
    let (second, third) = tokio::join!(
        post_signed(&h.callback, &message),
        post_signed(&h.callback, &message)
    );

    assert!(first.is_success() && second.is_success() && third.is_success());
    // 10 - 5 shipped once, lock gone.
    assert_eq!(
        dm_good(&h),
        Balance {
            on_hand: 5,
            locked: 0
        }
    );
    let kinds = h.recorder.kinds_for("SO1");
    let applied = EventKind::ConfirmApplied {
        final_confirm: true,
    };
    assert_eq!(kinds.iter().filter(|k| **k == applied).count(), 1);
    assert_eq!(
        kinds.iter().filter(|k| **k == EventKind::Duplicate).count(),
        2
    );
}

#[tokio::test]
async fn fc13_partial_shipments_close_the_order_only_on_the_final_confirm() {
    let h = harness(ErpBehaviour::default()).await;
    stocked_with_sale(&h).await;
    let parts = [
        ("OUT-A", ConfirmType::Partial, 2),
        ("OUT-B", ConfirmType::Partial, 2),
        ("OUT-C", ConfirmType::Final, 1),
    ];

    let mut states = Vec::new();
    for (biz, confirm_type, qty) in parts {
        let part = confirm(
            "SO1",
            OrderType::SalesDelivery,
            biz,
            confirm_type,
            &[("DM1001", InventoryType::Good, qty)],
        );
        assert!(post_signed(&h.callback, &delivery_confirm(&part))
            .await
            .is_success());
        states.push(h.erp.order_state("SO1").unwrap().state);
    }

    assert_eq!(
        states,
        vec![
            OrderState::PartiallyConfirmed,
            OrderState::PartiallyConfirmed,
            OrderState::Completed
        ]
    );
    // 2 + 2 + 1 = 5 shipped of 10.
    assert_eq!(
        dm_good(&h),
        Balance {
            on_hand: 5,
            locked: 0
        }
    );
    assert!(h.recorder.anomalies().is_empty());
}

#[tokio::test]
async fn fc14_two_packages_keep_both_numbers_and_a_changed_number_is_a_conflict() {
    let h = harness(ErpBehaviour::default()).await;
    stocked_with_sale(&h).await;
    let mut shipped = confirm(
        "SO1",
        OrderType::SalesDelivery,
        "OUT-1",
        ConfirmType::Final,
        &[("DM1001", InventoryType::Good, 3)],
    );
    let parcel = |code: &str, express: &str, qty| Package {
        logistics_code: "SF".into(),
        express_code: express.into(),
        package_code: Some(code.into()),
        weight_g: None,
        items: vec![(ItemCode::from("DM1001"), qty)],
    };
    shipped.packages = vec![
        parcel("P1", "SF1000000000001", 2),
        parcel("P2", "SF1000000000002", 1),
    ];
    let mut changed = shipped.clone();
    changed.packages[0].express_code = "SF1000000000009".into();

    let first = post_signed(&h.callback, &delivery_confirm(&shipped)).await;
    let before_conflict = h.recorder.anomalies();
    let second = post_signed(&h.callback, &delivery_confirm(&changed)).await;

    assert!(first.is_success() && second.is_success());
    assert!(before_conflict.is_empty(), "{before_conflict:?}");
    let document = h.erp.order_state("SO1").unwrap();
    assert_eq!(
        document.tracking_numbers,
        vec!["SF1000000000001", "SF1000000000002"]
    );
    assert_eq!(
        h.recorder.anomalies(),
        vec![
            "tracking number conflict on package P1: recorded SF1000000000001, \
             now SF1000000000009"
        ]
    );
    // 3 shipped once.
    assert_eq!(dm_good(&h).on_hand, 7);
}

#[tokio::test]
async fn fc16_return_confirm_twice_credits_good_and_defective_once() {
    let h = harness(ErpBehaviour::default()).await;
    stocked_with_sale(&h).await;
    accept(&h, "taobao.qimen.returnorder.create", 1).await;
    let shipped = confirm(
        "SO1",
        OrderType::SalesDelivery,
        "OUT-1",
        ConfirmType::Final,
        &[("DM1001", InventoryType::Good, 5)],
    );
    post_signed(&h.callback, &delivery_confirm(&shipped)).await;
    let mut rt = order("RT1", OrderType::SalesReturn, &[("DM1001", 3)]);
    rt.prev_order_code = Some("SO1".into());
    h.erp.create_order(&rt).await.unwrap();
    let received = confirm(
        "RT1",
        OrderType::SalesReturn,
        "RET-1",
        ConfirmType::Final,
        &[
            ("DM1001", InventoryType::Good, 1),
            ("DM1001", InventoryType::Defective, 1),
        ],
    );
    let message = messages::ReturnOrderConfirm::from_domain(&received, "SLMY001", "WH_HZ01");

    let first = post_signed(&h.callback, &message).await;
    let second = post_signed(&h.callback, &message).await;

    assert!(first.is_success() && second.is_success());
    // Good: 10 - 5 + 1 = 6; defective 1; plan 3, received 2: 1 short.
    let snapshot = h.erp.ledger_snapshot();
    assert_eq!(dm_good(&h).on_hand, 6);
    let defective = (ItemCode::from("DM1001"), InventoryType::Defective);
    assert_eq!(snapshot[&defective].on_hand, 1);
    let document = h.erp.order_state("RT1").unwrap();
    assert_eq!(document.shortfall().get("1"), Some(&1));
    assert!(h.recorder.kinds_for("RT1").contains(&EventKind::Duplicate));
}

#[tokio::test]
async fn badly_signed_confirm_gets_sign_failure_and_changes_nothing() {
    let h = harness(ErpBehaviour::default()).await;
    stocked_with_sale(&h).await;
    let shipped = confirm(
        "SO1",
        OrderType::SalesDelivery,
        "OUT-1",
        ConfirmType::Final,
        &[("DM1001", InventoryType::Good, 5)],
    );
    let signed = qimen::sign_request(&credentials(), &delivery_confirm(&shipped), now()).unwrap();
    let tampered = signed
        .body
        .replace("<actualQty>5</actualQty>", "<actualQty>4</actualQty>");
    assert_ne!(tampered, signed.body);

    let response = post_raw(&h.callback, &signed.query, tampered.into_bytes()).await;

    assert!(!response.is_success());
    assert_eq!(response.code, "sign-check-failure");
    assert_eq!(response.message, "Illegal request");
    assert_eq!(dm_good(&h).on_hand, 10);
}

#[tokio::test]
async fn well_signed_malformed_confirm_gets_a_parse_failure() {
    let h = harness(ErpBehaviour::default()).await;
    let body = "<?xml version=\"1.0\" encoding=\"utf-8\"?><request><deliveryOrder>";
    let mut query = qimen::QueryParams::system(
        qimen::Method::DeliveryOrderConfirm,
        now(),
        "12345678",
        "C_TEST_001",
        SignMethod::Md5,
    );
    let sign = qimen::sign::sign(
        "testsecret",
        &query,
        body.as_bytes(),
        SignMethod::Md5,
        qimen::Charset::Utf8,
    )
    .unwrap();
    query.set("sign", &sign);

    let response = post_raw(&h.callback, &query.to_query_string(), body.into()).await;

    assert!(!response.is_success());
    assert_eq!(response.code, "malformed-xml");
}

#[tokio::test]
async fn confirm_for_an_unknown_order_gets_order_not_exist() {
    let h = harness(ErpBehaviour::default()).await;
    let stray = confirm(
        "SO404",
        OrderType::SalesDelivery,
        "OUT-9",
        ConfirmType::Final,
        &[("DM1001", InventoryType::Good, 1)],
    );

    let response = post_signed(&h.callback, &delivery_confirm(&stray)).await;

    assert_eq!(response.code, "order-not-exist");
    assert!(h.erp.ledger_snapshot().is_empty());
}

#[tokio::test]
async fn health_answers_ok() {
    let h = harness(ErpBehaviour::default()).await;
    let url = h.callback.replace("/qimen/callback", "/health");

    let reply = reqwest::get(url).await.unwrap();

    assert_eq!(reply.status(), 200);
    assert_eq!(reply.text().await.unwrap(), "ok");
}

#[tokio::test]
async fn count_page_applies_its_deltas_once() {
    let h = harness(ErpBehaviour::default()).await;
    stocked_with_sale(&h).await;
    let count = mocks::domain::StockAdjustment {
        adjustment_code: "PD1".into(),
        order_type: Some(OrderType::CountLoss),
        out_biz_code: "CNT-1".into(),
        adjusted_at: "2024-03-26 18:00:00".into(),
        lines: vec![mocks::domain::AdjustmentLine {
            item_code: ItemCode::from("DM1001"),
            inventory_type: InventoryType::Good,
            delta: -2,
            ..Default::default()
        }],
    };
    let report = messages::InventoryReport::from_domain(&count, "SLMY001", "WH_HZ01");

    let first = post_signed(&h.callback, &report).await;
    let second = post_signed(&h.callback, &report).await;

    assert!(first.is_success() && second.is_success());
    // 10 - 2 once; SO1's 5 stay locked.
    assert_eq!(
        dm_good(&h),
        Balance {
            on_hand: 8,
            locked: 5
        }
    );
    assert_eq!(
        h.recorder.kinds_for("PD1"),
        vec![EventKind::Adjusted, EventKind::Duplicate]
    );
}

fn process_report(code: &str, status: &str) -> messages::OrderProcessReport {
    let mut report = messages::OrderProcessReport::default();
    report.order.order_code = code.into();
    report.order.order_type = Some("CGRK".into());
    report.process.process_status = status.into();
    report
}

#[tokio::test]
async fn every_listed_process_status_is_accepted_and_an_unlisted_one_is_named() {
    let h = harness(ErpBehaviour::default()).await;
    stocked_with_sale(&h).await;

    // WMS_ARRIVE travels as OTHER; WEIGH and SIGN have no domain status.
    for status in ["OTHER", "WEIGH", "SIGN", "PARTFULFILLED"] {
        let response = post_signed(&h.callback, &process_report("CGRK1", status)).await;
        assert!(response.is_success(), "{status}: {response:?}");
    }
    let bogus = post_signed(&h.callback, &process_report("CGRK1", "ARRIVED")).await;

    assert_eq!(bogus.code, "invalid-field");
    assert!(bogus.message.contains("ARRIVED"), "{}", bogus.message);
    let last = h.erp.order_state("CGRK1").unwrap().last_status;
    assert_eq!(last, Some(mocks::domain::OrderStatus::Received));
}
