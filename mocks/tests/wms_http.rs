//! The mock WMS over HTTP: pushes in on `POST /cainiao`, uploads out to a
//! wiremock gateway, each checked for its signature and counted.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use mocks::behaviour::WmsBehaviour;
use mocks::cainiao::messages::{
    ConsignOrderConfirm, ConsignOrderNotify, InventoryAdjustUpload, InventoryCount,
    InventoryQueryResponse, OrderStatusUpload, StockInOrderConfirm, StockInOrderNotify,
};
use mocks::cainiao::{Form, Message, MsgType, Payload, Response, ResponseCode};
use mocks::config::Config;
use mocks::domain::{AdjustmentLine, InventoryType, Lot, OrderStatus};
use mocks::link::Backoff;
use mocks::observe::{EventKind, Exchange, LogObserver, Observer, PartyEvent};
use mocks::wms::{OpeningStock, Wms, WmsSettings};
use wiremock::matchers::{method, path};
use wiremock::{Match, Mock, MockServer, Request, ResponseTemplate};

const PURCHASE: &str = "WMS_STOCK_IN_ORDER_NOTIFY.601.xml";
const DELIVERY: &str = "WMS_CONSIGN_ORDER_NOTIFY.201.xml";
const SKU: &str = "WMS_SKU_INFO_NOTIFY.xml";

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/cainiao/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

fn secret() -> String {
    Config::default().cainiao.secret
}

/// Matches a LINK upload of `msg_type` whose digest verifies, and whose
/// payload contains `contains` when given.
struct SignedUpload {
    msg_type: MsgType,
    contains: Option<String>,
}

fn upload(msg_type: MsgType) -> SignedUpload {
    SignedUpload {
        msg_type,
        contains: None,
    }
}

fn status_upload(status: &str) -> SignedUpload {
    SignedUpload {
        msg_type: MsgType::OrderStatusUpload,
        contains: Some(format!("<status>{status}</status>")),
    }
}

impl Match for SignedUpload {
    fn matches(&self, request: &Request) -> bool {
        let Ok(form) = Form::parse(&request.body) else {
            return false;
        };
        form.msg_type == self.msg_type
            && form.verify(&secret()).is_ok()
            && form.logistic_provider_id.as_deref() == Some("SANDBOX026991")
            && self
                .contains
                .as_ref()
                .is_none_or(|c| form.logistics_interface.contains(c))
    }
}

fn link_ok() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_string("<response><success>true</success></response>")
}

async fn expect_upload(gateway: &MockServer, matcher: SignedUpload, times: u64) {
    Mock::given(method("POST"))
        .and(path("/gateway/link.do"))
        .and(matcher)
        .respond_with(link_ok())
        .expect(times)
        .mount(gateway)
        .await;
}

/// Keeps the party events the WMS reports.
#[derive(Default)]
struct Recorder(Mutex<Vec<PartyEvent>>);

impl Observer for Recorder {
    fn exchange(&self, _: &Exchange) {}

    fn event(&self, event: &PartyEvent) {
        self.0.lock().unwrap().push(event.clone());
    }
}

impl Recorder {
    fn kinds_of(&self, order_code: &str) -> Vec<EventKind> {
        let events = self.0.lock().unwrap();
        events
            .iter()
            .filter(|e| e.order_code == order_code)
            .map(|e| e.kind.clone())
            .collect()
    }
}

/// A WMS serving on a free loopback port, uploading to `gateway`.
async fn start_wms(gateway: &MockServer, behaviour: WmsBehaviour) -> (Wms, String) {
    start_observed(gateway, behaviour, Arc::new(LogObserver)).await
}

async fn start_observed(
    gateway: &MockServer,
    behaviour: WmsBehaviour,
    observer: Arc<dyn Observer>,
) -> (Wms, String) {
    let wms = Wms::new(WmsSettings {
        seed: 7,
        behaviour,
        credentials: Config::default().cainiao,
        gateway_url: gateway.uri(),
        observer,
        backoff: Backoff {
            attempts: 3,
            base: Duration::from_millis(5),
            max: Duration::from_millis(20),
        },
        timeout: Duration::from_secs(5),
        clock: Default::default(),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/cainiao", listener.local_addr().unwrap());
    let app = wms.app();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (wms, url)
}

async fn post_body(url: &str, body: String) -> Response {
    let reply = reqwest::Client::new()
        .post(url)
        .header(
            "content-type",
            "application/x-www-form-urlencoded; charset=UTF-8",
        )
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
    Response::parse(&reply.bytes().await.unwrap()).unwrap()
}

async fn push(url: &str, msg_type: MsgType, payload: &str) -> Response {
    let form = Message::new(msg_type, payload)
        .msg_id("1001")
        .sign(&secret());
    post_body(url, form.to_body()).await
}

/// Polls until `done` holds, or fails after five seconds.
async fn wait_for(what: &str, done: impl Fn() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while !done() {
        assert!(tokio::time::Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Waits until the WMS has no worker left and `done` holds.
async fn settle(wms: &Wms, done: impl Fn(&Wms) -> bool) {
    wait_for("WMS settled", || wms.busy() == 0 && done(wms)).await;
}

async fn uploads_of<P: Payload>(gateway: &MockServer) -> Vec<P> {
    gateway
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter_map(|r| Form::parse(&r.body).ok())
        .filter(|f| f.msg_type == P::MSG_TYPE)
        .map(|f| P::parse(f.logistics_interface.as_bytes()).unwrap())
        .collect()
}

#[tokio::test]
async fn purchase_notify_gets_four_statuses_and_one_confirm_of_everything_planned() {
    let gateway = MockServer::start().await;
    for status in ["WMS_ACCEPT", "WMS_ARRIVE", "WMS_RECEIVED", "WMS_ONSALE"] {
        expect_upload(&gateway, status_upload(status), 1).await;
    }
    expect_upload(&gateway, upload(MsgType::StockInOrderConfirm), 1).await;
    let (wms, url) = start_wms(&gateway, WmsBehaviour::default()).await;
    let notify = StockInOrderNotify::parse(fixture(PURCHASE).as_bytes()).unwrap();
    let planned: u32 = notify
        .to_order()
        .unwrap()
        .lines
        .iter()
        .map(|l| l.plan_qty)
        .sum();

    assert!(
        push(&url, MsgType::SkuInfoNotify, &fixture(SKU))
            .await
            .success
    );
    let reply = push(&url, MsgType::StockInOrderNotify, &fixture(PURCHASE)).await;
    settle(&wms, |w| {
        w.order_status("CGRK20240312001") == Some(OrderStatus::OnSale)
    })
    .await;

    assert!(reply.success, "{reply:?}");
    gateway.verify().await;
    let confirms = uploads_of::<StockInOrderConfirm>(&gateway).await;
    assert_eq!(confirms[0].order_code, notify.order_code);
    let received: u32 = confirms[0]
        .order_items
        .iter()
        .flat_map(|i| &i.items)
        .map(|e| e.quantity)
        .sum();
    assert_eq!((planned, received), (912, 912));
    let serials = wms.serials_received();
    let mut unique = serials.clone();
    unique.sort();
    unique.dedup();
    assert_eq!((serials.len(), unique.len()), (12, 12));
}

#[tokio::test]
async fn delivery_walks_six_statuses_and_ships_in_packages_that_sum_to_the_lines() {
    let gateway = MockServer::start().await;
    for status in [
        "WMS_ACCEPT",
        "WMS_PRINT",
        "WMS_PICK",
        "WMS_CHECK",
        "WMS_PACKAGE",
        "WMS_CONSIGN",
    ] {
        expect_upload(&gateway, status_upload(status), 1).await;
    }
    expect_upload(&gateway, upload(MsgType::ConsignOrderConfirm), 1).await;
    let behaviour = WmsBehaviour {
        split_package_rate: 1.0,
        ..WmsBehaviour::default()
    };
    let (wms, url) = start_wms(&gateway, behaviour).await;
    let stock = |item: &str, qty| OpeningStock {
        item_code: item.into(),
        inventory_type: InventoryType::Good,
        lot: Lot::default(),
        qty,
    };
    wms.set_opening_stock(&[stock("DM1001", 10), stock("LH3001", 5)])
        .unwrap();
    let notify = ConsignOrderNotify::parse(fixture(DELIVERY).as_bytes()).unwrap();

    let reply = push(&url, MsgType::ConsignOrderNotify, &fixture(DELIVERY)).await;
    settle(&wms, |w| {
        w.order_status("SO202403180123") == Some(OrderStatus::Consign)
    })
    .await;

    assert!(reply.success, "{reply:?}");
    gateway.verify().await;
    let confirm = uploads_of::<ConsignOrderConfirm>(&gateway).await.remove(0);
    assert_eq!(confirm.order_code, notify.order_code);
    let shipped: u32 = confirm
        .order_items
        .iter()
        .flat_map(|i| &i.items)
        .map(|e| e.quantity)
        .sum();
    let packed: u32 = confirm
        .tms_orders
        .iter()
        .flat_map(|t| &t.tms_items)
        .map(|i| i.item_quantity)
        .sum();
    assert_eq!((shipped, packed), (5, 5));
    assert_eq!(confirm.tms_orders.len(), 2);
    let snapshot = wms.ledger_snapshot();
    assert_eq!(snapshot[&("DM1001".into(), InventoryType::Good)].on_hand, 7);
}

#[tokio::test]
async fn re_pushed_notify_is_acknowledged_and_worked_once() {
    let gateway = MockServer::start().await;
    expect_upload(&gateway, upload(MsgType::OrderStatusUpload), 4).await;
    expect_upload(&gateway, upload(MsgType::StockInOrderConfirm), 1).await;
    let (wms, url) = start_wms(&gateway, WmsBehaviour::default()).await;

    let first = push(&url, MsgType::StockInOrderNotify, &fixture(PURCHASE)).await;
    let second = push(&url, MsgType::StockInOrderNotify, &fixture(PURCHASE)).await;
    settle(&wms, |w| {
        w.order_status("CGRK20240312001") == Some(OrderStatus::OnSale)
    })
    .await;

    assert!(first.success && second.success);
    gateway.verify().await;
    let snapshot = wms.ledger_snapshot();
    assert_eq!(
        snapshot[&("DM1001".into(), InventoryType::Good)].on_hand,
        400
    );
}

#[tokio::test]
async fn bad_digest_gets_s02_and_changes_nothing() {
    let gateway = MockServer::start().await;
    expect_upload(&gateway, upload(MsgType::OrderStatusUpload), 0).await;
    let (wms, url) = start_wms(&gateway, WmsBehaviour::default()).await;
    let mut form = Message::new(MsgType::StockInOrderNotify, fixture(PURCHASE))
        .msg_id("1")
        .sign(&secret());
    form.data_digest = Message::new(MsgType::StockInOrderNotify, fixture(PURCHASE))
        .sign("wrongSecret")
        .data_digest;

    let reply = post_body(&url, form.to_body()).await;

    assert!(!reply.success);
    assert_eq!(reply.error_code.as_deref(), Some("S02"));
    assert_eq!(wms.order_status("CGRK20240312001"), None);
    assert!(wms.ledger_snapshot().is_empty());
    assert_eq!(wms.busy(), 0);
}

#[tokio::test]
async fn well_signed_malformed_xml_gets_the_malformed_code_not_the_digest_code() {
    let gateway = MockServer::start().await;
    let (wms, url) = start_wms(&gateway, WmsBehaviour::default()).await;
    let broken = "<request><orderCode>LBX1</orderCode><orderType>601</request>";

    let reply = push(&url, MsgType::StockInOrderNotify, broken).await;

    assert!(!reply.success);
    assert_eq!(reply.code(), Some(ResponseCode::MalformedXml));
    assert_ne!(reply.error_code.as_deref(), Some("S02"));
    assert_eq!(wms.busy(), 0);
    assert!(gateway.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn unknown_msg_type_gets_the_unknown_message_code() {
    let gateway = MockServer::start().await;
    let (_wms, url) = start_wms(&gateway, WmsBehaviour::default()).await;
    let payload = "<request/>";
    let digest = Message::new(MsgType::StockInOrderNotify, payload)
        .sign(&secret())
        .data_digest;
    let body = form_urlencoded::Serializer::new(String::new())
        .append_pair("msg_type", "WMS_TELEPORT_NOTIFY")
        .append_pair("logistics_interface", payload)
        .append_pair("data_digest", &digest)
        .append_pair("msg_id", "9")
        .finish();

    let reply = post_body(&url, body).await;

    assert!(!reply.success);
    assert_eq!(reply.code(), Some(ResponseCode::UnknownMsgType));
}

fn cancel_payload(order_code: &str) -> String {
    format!(
        "<request><ownerUserId>2000000001</ownerUserId><orderCode>{order_code}</orderCode>\
         <storeCode>STORE_90000001</storeCode><orderType>201</orderType></request>"
    )
}

#[tokio::test]
async fn cancel_before_consign_is_honoured_and_reported_as_wms_cancel() {
    let gateway = MockServer::start().await;
    expect_upload(&gateway, status_upload("WMS_ACCEPT"), 1).await;
    expect_upload(&gateway, status_upload("WMS_CANCEL"), 1).await;
    expect_upload(&gateway, upload(MsgType::ConsignOrderConfirm), 0).await;
    let mut behaviour = WmsBehaviour::default();
    behaviour.outbound.print = mocks::behaviour::Distribution::Fixed { ms: 60_000 };
    let (wms, url) = start_wms(&gateway, behaviour).await;
    let stock = OpeningStock {
        item_code: "DM1001".into(),
        qty: 10,
        ..OpeningStock::default()
    };
    let sn_stock = OpeningStock {
        item_code: "LH3001".into(),
        ..stock.clone()
    };
    wms.set_opening_stock(&[stock, sn_stock]).unwrap();
    push(&url, MsgType::ConsignOrderNotify, &fixture(DELIVERY)).await;
    wait_for("order accepted", || {
        wms.order_status("SO202403180123") == Some(OrderStatus::Accept)
    })
    .await;

    let reply = push(
        &url,
        MsgType::OrderCancelNotify,
        &cancel_payload("LBX0240318000201"),
    )
    .await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while gateway.received_requests().await.unwrap().len() < 2 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "no WMS_CANCEL upload"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }

    assert!(reply.success, "{reply:?}");
    assert_eq!(
        wms.order_status("SO202403180123"),
        Some(OrderStatus::Cancel)
    );
    let snapshot = wms.ledger_snapshot();
    assert_eq!(snapshot[&("DM1001".into(), InventoryType::Good)].locked, 0);
    gateway.verify().await;
}

#[tokio::test]
async fn cancel_after_consign_is_refused_with_the_business_code() {
    let gateway = MockServer::start().await;
    expect_upload(&gateway, upload(MsgType::OrderStatusUpload), 6).await;
    expect_upload(&gateway, upload(MsgType::ConsignOrderConfirm), 1).await;
    let (wms, url) = start_wms(&gateway, WmsBehaviour::default()).await;
    let stock = OpeningStock {
        item_code: "DM1001".into(),
        qty: 10,
        ..OpeningStock::default()
    };
    let sn_stock = OpeningStock {
        item_code: "LH3001".into(),
        ..stock.clone()
    };
    wms.set_opening_stock(&[stock, sn_stock]).unwrap();
    push(&url, MsgType::ConsignOrderNotify, &fixture(DELIVERY)).await;
    settle(&wms, |w| {
        w.order_status("SO202403180123") == Some(OrderStatus::Consign)
    })
    .await;

    let reply = push(
        &url,
        MsgType::OrderCancelNotify,
        &cancel_payload("LBX0240318000201"),
    )
    .await;

    assert!(!reply.success);
    assert_eq!(reply.code(), Some(ResponseCode::BusinessRefusal));
    assert_eq!(
        wms.order_status("SO202403180123"),
        Some(OrderStatus::Consign)
    );
    gateway.verify().await;
}

#[tokio::test]
async fn upload_answered_503_is_sent_again_until_taken() {
    let gateway = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(1)
        .expect(1)
        .mount(&gateway)
        .await;
    expect_upload(&gateway, upload(MsgType::OrderStatusUpload), 4).await;
    expect_upload(&gateway, upload(MsgType::StockInOrderConfirm), 1).await;
    let (wms, url) = start_wms(&gateway, WmsBehaviour::default()).await;

    push(&url, MsgType::StockInOrderNotify, &fixture(PURCHASE)).await;
    settle(&wms, |w| {
        w.order_status("CGRK20240312001") == Some(OrderStatus::OnSale)
    })
    .await;

    gateway.verify().await;
    let statuses = uploads_of::<OrderStatusUpload>(&gateway).await;
    assert_eq!(statuses[0].status, "WMS_ACCEPT");
    assert_eq!(statuses[1].status, "WMS_ACCEPT");
}

#[tokio::test]
async fn health_answers_ok() {
    let gateway = MockServer::start().await;
    let (_wms, url) = start_wms(&gateway, WmsBehaviour::default()).await;

    let health = url.replace("/cainiao", "/health");
    let body = reqwest::get(&health).await.unwrap().text().await.unwrap();

    assert_eq!(body, "ok");
}

fn opening(item: &str, qty: u32) -> OpeningStock {
    OpeningStock {
        item_code: item.into(),
        qty,
        ..OpeningStock::default()
    }
}

#[tokio::test]
async fn shortage_ships_what_there_is_and_uploads_wms_lack() {
    let gateway = MockServer::start().await;
    expect_upload(&gateway, status_upload("WMS_LACK"), 1).await;
    expect_upload(&gateway, upload(MsgType::OrderStatusUpload), 6).await;
    expect_upload(&gateway, upload(MsgType::ConsignOrderConfirm), 1).await;
    let recorder = Arc::new(Recorder::default());
    let (wms, url) = start_observed(&gateway, WmsBehaviour::default(), recorder.clone()).await;
    assert!(
        push(&url, MsgType::SkuInfoNotify, &fixture(SKU))
            .await
            .success
    );
    wms.set_opening_stock(&[opening("DM1001", 1), opening("LH3001", 2)])
        .unwrap();

    push(&url, MsgType::ConsignOrderNotify, &fixture(DELIVERY)).await;
    settle(&wms, |w| {
        w.order_status("SO202403180123") == Some(OrderStatus::Consign)
    })
    .await;

    gateway.verify().await;
    let confirm = uploads_of::<ConsignOrderConfirm>(&gateway).await.remove(0);
    let shipped: u32 = confirm
        .order_items
        .iter()
        .flat_map(|i| &i.items)
        .map(|e| e.quantity)
        .sum();
    assert_eq!(shipped, 1 + 2);
    assert_eq!(wms.serials_shipped().len(), 2);
    assert_eq!(
        recorder.kinds_of("SO202403180123"),
        vec![EventKind::Accepted]
    );
}

#[tokio::test]
async fn order_without_any_stock_is_refused_with_wms_reject() {
    let gateway = MockServer::start().await;
    expect_upload(&gateway, status_upload("WMS_REJECT"), 1).await;
    expect_upload(&gateway, upload(MsgType::ConsignOrderConfirm), 0).await;
    let recorder = Arc::new(Recorder::default());
    let (wms, url) = start_observed(&gateway, WmsBehaviour::default(), recorder.clone()).await;

    let reply = push(&url, MsgType::ConsignOrderNotify, &fixture(DELIVERY)).await;
    settle(&wms, |w| {
        w.order_status("SO202403180123") == Some(OrderStatus::Reject)
    })
    .await;

    assert!(
        reply.success,
        "refusals travel as WMS_REJECT, not as a failed reply"
    );
    gateway.verify().await;
    assert_eq!(
        recorder.kinds_of("SO202403180123"),
        vec![EventKind::Refused]
    );
}

#[tokio::test]
async fn count_uploads_a_gain_and_a_loss_and_move_uploads_an_adjust() {
    let gateway = MockServer::start().await;
    expect_upload(&gateway, upload(MsgType::InventoryCount), 2).await;
    expect_upload(&gateway, upload(MsgType::InventoryAdjustUpload), 1).await;
    let recorder = Arc::new(Recorder::default());
    let (wms, _url) = start_observed(&gateway, WmsBehaviour::default(), recorder.clone()).await;
    wms.set_opening_stock(&[opening("DM1001", 10), opening("ZL2003", 4)])
        .unwrap();
    let found = [
        AdjustmentLine {
            item_code: "DM1001".into(),
            delta: 2,
            ..AdjustmentLine::default()
        },
        AdjustmentLine {
            item_code: "ZL2003".into(),
            delta: -1,
            ..AdjustmentLine::default()
        },
    ];

    let counted = wms.count(&found).await.unwrap();
    let moved = wms
        .move_inventory_type(
            &"DM1001".into(),
            InventoryType::Good,
            InventoryType::Defective,
            1,
        )
        .await
        .unwrap();

    gateway.verify().await;
    let mut counts = uploads_of::<InventoryCount>(&gateway).await;
    counts.sort_by_key(|c| c.order_type);
    let types: Vec<u16> = counts.iter().map(|c| c.order_type).collect();
    assert_eq!(types, vec![701, 702]);
    assert_eq!(counts[0].items[0].item_code.as_deref(), Some("ZL2003"));
    assert_eq!(counts[0].items[0].quantity, 1);
    assert_eq!(counts[1].items[0].quantity, 2);
    assert_eq!(counts[0].owner_user_id.as_deref(), Some("2000000001"));
    let adjust = uploads_of::<InventoryAdjustUpload>(&gateway)
        .await
        .remove(0);
    assert_eq!(adjust.out_biz_code, moved.out_biz_code);
    let snapshot = wms.ledger_snapshot();
    assert_eq!(
        snapshot[&("DM1001".into(), InventoryType::Good)].on_hand,
        10 + 2 - 1
    );
    assert_eq!(
        snapshot[&("DM1001".into(), InventoryType::Defective)].on_hand,
        1
    );
    assert_eq!(snapshot[&("ZL2003".into(), InventoryType::Good)].on_hand, 3);
    assert_eq!(counted.len(), 2);
    assert_eq!(
        recorder.kinds_of(&moved.adjustment_code),
        vec![EventKind::Adjusted]
    );
}

#[tokio::test]
async fn inventory_query_answers_unreserved_and_reserved_stock() {
    let gateway = MockServer::start().await;
    let mut behaviour = WmsBehaviour::default();
    behaviour.outbound.print = mocks::behaviour::Distribution::Fixed { ms: 60_000 };
    let (wms, url) = start_wms(&gateway, behaviour).await;
    wms.set_opening_stock(&[opening("DM1001", 10), opening("LH3001", 5)])
        .unwrap();
    push(&url, MsgType::ConsignOrderNotify, &fixture(DELIVERY)).await;
    let query = "<request><criteriaList><criteria><itemCode>DM1001</itemCode>\
                 </criteria></criteriaList></request>";

    let form = Message::new(MsgType::InventoryQuery, query)
        .msg_id("7")
        .sign(&secret());
    let reply = reqwest::Client::new()
        .post(&url)
        .body(form.to_body())
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();

    let answer = InventoryQueryResponse::parse(&reply).unwrap();
    assert_eq!(answer.success, "true");
    assert_eq!(answer.items.len(), 1);
    assert_eq!(answer.items[0].item_code.as_deref(), Some("DM1001"));
    assert_eq!(
        (answer.items[0].quantity, answer.items[0].lock_quantity),
        (7, Some(3))
    );
}

#[tokio::test]
async fn concurrent_re_pushes_of_one_order_are_worked_once() {
    let gateway = MockServer::start().await;
    expect_upload(&gateway, upload(MsgType::OrderStatusUpload), 4).await;
    expect_upload(&gateway, upload(MsgType::StockInOrderConfirm), 1).await;
    let (wms, url) = start_wms(&gateway, WmsBehaviour::default()).await;
    let payload = fixture(PURCHASE);

    let pushes = (0..8).map(|_| {
        let (url, payload) = (url.clone(), payload.clone());
        async move { push(&url, MsgType::StockInOrderNotify, &payload).await }
    });
    let replies = futures_join_all(pushes).await;
    settle(&wms, |w| {
        w.order_status("CGRK20240312001") == Some(OrderStatus::OnSale)
    })
    .await;

    assert!(replies.iter().all(|r| r.success), "{replies:?}");
    gateway.verify().await;
    let snapshot = wms.ledger_snapshot();
    assert_eq!(
        snapshot[&("DM1001".into(), InventoryType::Good)].on_hand,
        400
    );
}

/// Runs the futures concurrently on the test's runtime and collects their
/// outputs in order.
async fn futures_join_all<F>(futures: impl Iterator<Item = F>) -> Vec<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut outputs = Vec::new();
    for handle in handles {
        outputs.push(handle.await.unwrap());
    }
    outputs
}
