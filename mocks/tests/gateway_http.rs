//! The gateway over HTTP: wiremock stands in for the WMS and the ERP's
//! callback; ERP calls are built with the Qimen codec and WMS uploads with
//! the Cainiao codec, both signed with the configured secrets.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset};
use mocks::behaviour::{GatewayBehaviour, RetryPolicy, SecondsRange};
use mocks::cainiao::messages::StockInOrderConfirm;
use mocks::cainiao::{self, Form, MsgType, Payload};
use mocks::config::Config;
use mocks::domain::{
    Confirm, ConfirmLine, ConfirmType, InventoryType, ItemCode, Order, OrderLine, OrderType,
};
use mocks::gateway::{Gateway, GatewaySettings, RoutingTable};
use mocks::observe::LogObserver;
use mocks::qimen::envelope::gmt8;
use mocks::qimen::messages::{EntryOrderConfirm, EntryOrderCreate, Message};
use mocks::qimen::{self, Credentials, QueryParams, SignMethod};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const WMS_OK: &str = "<response><success>true</success></response>";
const ERP_OK: &str = "<?xml version=\"1.0\" encoding=\"utf-8\"?><response><flag>success</flag>\
<code>0</code><message>ok</message></response>";

struct Harness {
    gateway: Gateway,
    url: String,
    wms: MockServer,
    erp: MockServer,
    client: reqwest::Client,
}

async fn start(behaviour: GatewayBehaviour) -> Harness {
    let wms = MockServer::start().await;
    let erp = MockServer::start().await;
    let config = Config::default();
    let table = RoutingTable::from_config(
        &config,
        &format!("{}/qimen/callback", erp.uri()),
        &format!("{}/cainiao", wms.uri()),
    );
    let behaviour = GatewayBehaviour {
        push_retry: RetryPolicy {
            max_attempts: 3,
            base_backoff_ms: 1,
            honour_ban: false,
        },
        ..behaviour
    };
    let mut settings = GatewaySettings::from_config(&config, behaviour, 42);
    settings.push_timeout = Duration::from_secs(2);
    let gateway = Gateway::new(table, settings, Arc::new(LogObserver));

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let app = gateway.app();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Harness {
        gateway,
        url,
        wms,
        erp,
        client: reqwest::Client::new(),
    }
}

fn erp_credentials(customer_id: &str, secret: &str) -> Credentials {
    Credentials {
        app_key: "12345678".into(),
        secret: secret.into(),
        customer_id: customer_id.into(),
        sign_method: SignMethod::Md5,
    }
}

fn now() -> DateTime<FixedOffset> {
    chrono::Utc::now().with_timezone(&gmt8())
}

fn purchase(code: &str) -> Order {
    Order {
        order_code: code.into(),
        order_type: OrderType::Purchase,
        owner_code: "SLMY001".into(),
        warehouse_code: "WH_HZ01".into(),
        created_at: "2024-01-02 03:04:05".into(),
        prev_order_code: None,
        logistics_code: None,
        receiver: None,
        supplier_code: Some("SUP1".into()),
        remark: Some("紧急 & <快>".into()),
        lines: vec![OrderLine {
            line_no: "1".into(),
            item_code: ItemCode::from("SKU1"),
            inventory_type: InventoryType::Good,
            plan_qty: 5,
            ..OrderLine::default()
        }],
    }
}

impl Harness {
    /// Posts a signed Qimen call, returns the parsed answer.
    async fn call_qimen<M: Message>(
        &self,
        credentials: &Credentials,
        message: &M,
        at: DateTime<FixedOffset>,
    ) -> qimen::Response {
        let signed = qimen::sign_request(credentials, message, at).unwrap();
        self.post_qimen(&signed.query, signed.body).await
    }

    async fn post_qimen(&self, query: &str, body: String) -> qimen::Response {
        let url = format!("{}/router/qimen/service?{}", self.url, query);
        let reply = self
            .client
            .post(url)
            .header("content-type", "text/xml;charset=utf-8")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(reply.status(), 200);
        qimen::Response::parse(&reply.bytes().await.unwrap()).unwrap()
    }

    async fn post_link(&self, form: &Form) -> cainiao::Response {
        let reply = self
            .client
            .post(format!("{}/gateway/link.do", self.url))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form.to_body())
            .send()
            .await
            .unwrap();
        assert_eq!(reply.status(), 200);
        cainiao::Response::parse(&reply.bytes().await.unwrap()).unwrap()
    }

    /// Waits, bounded, until nothing is queued or being sent.
    async fn settle(&self) {
        let deadline = Instant::now() + Duration::from_secs(5);
        while self.gateway.in_flight() > 0 {
            assert!(Instant::now() < deadline, "gateway did not settle");
            tokio::task::yield_now().await;
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }
}

/// Matches a LINK push of `msg_type` whose digest verifies with the WMS
/// secret and whose payload reads as `P`.
fn signed_push<P: Payload>(msg_type: MsgType) -> impl Fn(&Request) -> bool + Send + Sync {
    move |request: &Request| {
        let Ok(form) = Form::parse(&request.body) else {
            return false;
        };
        form.msg_type == msg_type
            && form.msg_id.is_some()
            && form.verify("testSecret123").is_ok()
            && P::parse(form.logistics_interface.as_bytes()).is_ok()
    }
}

/// Matches a Qimen call whose sign verifies with the ERP secret.
fn signed_qimen<M: Message>() -> impl Fn(&Request) -> bool + Send + Sync {
    move |request: &Request| {
        let query = request.url.query().unwrap_or("");
        let call = qimen::Request::new(query, request.body.clone());
        let tolerance = chrono::Duration::minutes(10);
        call.verify("testsecret", now(), tolerance).ok() == Some(M::METHOD)
            && QueryParams::parse(query).customer_id() == Some("C_TEST_001")
            && M::parse(&request.body).is_ok()
    }
}

async fn expect_notify(harness: &Harness, times: u64) {
    type Notify = cainiao::messages::StockInOrderNotify;
    Mock::given(method("POST"))
        .and(path("/cainiao"))
        .and(signed_push::<Notify>(MsgType::StockInOrderNotify))
        .respond_with(ResponseTemplate::new(200).set_body_string(WMS_OK))
        .expect(times)
        .mount(&harness.wms)
        .await;
}

#[tokio::test]
async fn entry_order_create_is_pushed_signed_and_answered_with_the_cainiao_code() {
    let harness = start(GatewayBehaviour::default()).await;
    expect_notify(&harness, 1).await;
    let message = EntryOrderCreate::from_domain(&purchase("PO-1"));

    let answer = harness
        .call_qimen(
            &erp_credentials("C_TEST_001", "testsecret"),
            &message,
            now(),
        )
        .await;

    assert!(answer.is_success(), "{answer:?}");
    let code = harness
        .gateway
        .cainiao_order_code("C_TEST_001", "PO-1")
        .unwrap();
    assert_eq!(answer.entry_order_id.as_deref(), Some(code.as_str()));
    let pushed = &harness.wms.received_requests().await.unwrap()[0];
    let form = Form::parse(&pushed.body).unwrap();
    let notify =
        cainiao::messages::StockInOrderNotify::parse(form.logistics_interface.as_bytes()).unwrap();
    assert_eq!(notify.order_code, code);
    assert_eq!(notify.order_type, 601);
    assert_eq!(notify.erp_order_code.as_deref(), Some("PO-1"));
    assert_eq!(notify.owner_user_id.as_deref(), Some("2000000001"));
    assert_eq!(notify.store_code.as_deref(), Some("STORE_90000001"));
    assert_eq!(notify.remark.as_deref(), Some("紧急 & <快>"));
    assert_eq!(harness.gateway.in_flight(), 0);
}

#[tokio::test]
async fn bad_sign_gets_sign_check_failure_and_nothing_is_pushed() {
    let harness = start(GatewayBehaviour::default()).await;
    expect_notify(&harness, 0).await;
    let message = EntryOrderCreate::from_domain(&purchase("PO-2"));

    let answer = harness
        .call_qimen(
            &erp_credentials("C_TEST_001", "wrongsecret"),
            &message,
            now(),
        )
        .await;

    assert_eq!(answer.flag, "failure");
    assert_eq!(answer.code, "sign-check-failure");
    assert_eq!(answer.message, "Illegal request");
    assert_eq!(
        harness.gateway.cainiao_order_code("C_TEST_001", "PO-2"),
        None
    );
}

#[tokio::test]
async fn unknown_customer_id_is_refused_with_its_own_code() {
    let harness = start(GatewayBehaviour::default()).await;
    expect_notify(&harness, 0).await;
    let message = EntryOrderCreate::from_domain(&purchase("PO-3"));

    let answer = harness
        .call_qimen(&erp_credentials("C_OTHER", "testsecret"), &message, now())
        .await;

    assert_eq!(answer.code, "invalid-customer");
    assert!(answer.message.contains("C_OTHER"), "{}", answer.message);
}

#[tokio::test]
async fn stale_timestamp_gets_the_timestamp_code_not_the_sign_code() {
    let harness = start(GatewayBehaviour::default()).await;
    expect_notify(&harness, 0).await;
    let message = EntryOrderCreate::from_domain(&purchase("PO-4"));
    let eight_hours_behind = now() - chrono::Duration::hours(8);

    let answer = harness
        .call_qimen(
            &erp_credentials("C_TEST_001", "testsecret"),
            &message,
            eight_hours_behind,
        )
        .await;

    assert_eq!(answer.code, "invalid-timestamp");
    assert!(answer.message.contains("behind"), "{}", answer.message);
}

#[tokio::test]
async fn throttled_call_answers_code_7_with_the_ban_and_pushes_nothing() {
    let behaviour = GatewayBehaviour {
        throttle_share: 1.0,
        ban_seconds: SecondsRange { min: 2, max: 2 },
        ..GatewayBehaviour::default()
    };
    let harness = start(behaviour).await;
    expect_notify(&harness, 0).await;
    let message = EntryOrderCreate::from_domain(&purchase("PO-5"));

    let answer = harness
        .call_qimen(
            &erp_credentials("C_TEST_001", "testsecret"),
            &message,
            now(),
        )
        .await;

    assert_eq!(answer.code, "7");
    assert_eq!(answer.message, "ban will last 2 seconds");
    assert_eq!(answer.ban_seconds(), Some(2));
}

#[tokio::test]
async fn wms_failure_is_retried_in_the_background_and_the_erp_hears_success() {
    let harness = start(GatewayBehaviour::default()).await;
    Mock::given(method("POST"))
        .and(path("/cainiao"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .expect(1)
        .mount(&harness.wms)
        .await;
    expect_notify(&harness, 1).await;
    let message = EntryOrderCreate::from_domain(&purchase("PO-6"));

    let answer = harness
        .call_qimen(
            &erp_credentials("C_TEST_001", "testsecret"),
            &message,
            now(),
        )
        .await;
    harness.settle().await;

    assert!(answer.is_success(), "{answer:?}");
    assert_eq!(harness.gateway.pending_for("PO-6"), 0);
}

fn receipt(order_code: &str, out_biz_code: &str, qty: u32) -> Confirm {
    Confirm {
        order_code: order_code.into(),
        order_type: OrderType::Purchase,
        wms_order_id: None,
        out_biz_code: out_biz_code.into(),
        confirm_type: ConfirmType::Final,
        confirmed_at: "2024-01-02 10:00:00".into(),
        lines: vec![ConfirmLine {
            line_no: Some("1".into()),
            item_code: ItemCode::from("SKU1"),
            inventory_type: InventoryType::Good,
            plan_qty: Some(5),
            actual_qty: qty,
            ..ConfirmLine::default()
        }],
        packages: Vec::new(),
    }
}

fn confirm_form(confirm: &Confirm, cainiao_code: &str) -> Form {
    let payload = StockInOrderConfirm::from_confirm(confirm, cainiao_code);
    cainiao::Message::from_payload(&payload)
        .unwrap()
        .provider_id("SANDBOX026991")
        .sign("testSecret123")
}

#[tokio::test]
async fn duplicate_wms_confirm_is_forwarded_to_the_erp_once() {
    let harness = start(GatewayBehaviour::default()).await;
    expect_notify(&harness, 1).await;
    Mock::given(method("POST"))
        .and(path("/qimen/callback"))
        .and(query_param("method", "taobao.qimen.entryorder.confirm"))
        .and(signed_qimen::<EntryOrderConfirm>())
        .respond_with(ResponseTemplate::new(200).set_body_string(ERP_OK))
        .expect(1)
        .mount(&harness.erp)
        .await;
    let create = EntryOrderCreate::from_domain(&purchase("PO-7"));
    let credentials = erp_credentials("C_TEST_001", "testsecret");
    assert!(harness
        .call_qimen(&credentials, &create, now())
        .await
        .is_success());
    let code = harness
        .gateway
        .cainiao_order_code("C_TEST_001", "PO-7")
        .unwrap();
    let form = confirm_form(&receipt(&code, "OB-7-1", 5), &code);

    let first = harness.post_link(&form).await;
    let second = harness.post_link(&form).await;
    harness.settle().await;

    assert!(first.success, "{first:?}");
    assert!(second.success, "{second:?}");
    let calls = harness.erp.received_requests().await.unwrap();
    let confirm = EntryOrderConfirm::parse(&calls[0].body).unwrap();
    assert_eq!(confirm.entry_order.entry_order_code, "PO-7");
    assert_eq!(
        confirm.entry_order.entry_order_type.as_deref(),
        Some("CGRK")
    );
    assert_eq!(confirm.entry_order.owner_code, "SLMY001");
    assert_eq!(confirm.entry_order.warehouse_code, "WH_HZ01");
    assert_eq!(confirm.order_lines.list[0].actual_qty, Some(5));
}

#[tokio::test]
async fn confirm_with_new_content_under_a_used_out_biz_code_gets_s0005() {
    let harness = start(GatewayBehaviour::default()).await;
    expect_notify(&harness, 1).await;
    Mock::given(method("POST"))
        .and(path("/qimen/callback"))
        .respond_with(ResponseTemplate::new(200).set_body_string(ERP_OK))
        .expect(1)
        .mount(&harness.erp)
        .await;
    let create = EntryOrderCreate::from_domain(&purchase("PO-8"));
    let credentials = erp_credentials("C_TEST_001", "testsecret");
    assert!(harness
        .call_qimen(&credentials, &create, now())
        .await
        .is_success());
    let code = harness
        .gateway
        .cainiao_order_code("C_TEST_001", "PO-8")
        .unwrap();

    let first = harness
        .post_link(&confirm_form(&receipt(&code, "OB-8", 5), &code))
        .await;
    let changed = harness
        .post_link(&confirm_form(&receipt(&code, "OB-8", 4), &code))
        .await;
    harness.settle().await;

    assert!(first.success);
    assert!(!changed.success);
    assert_eq!(changed.error_code.as_deref(), Some("S0005"));
}

#[tokio::test]
async fn confirm_for_a_never_notified_order_is_refused_and_not_forwarded() {
    let harness = start(GatewayBehaviour::default()).await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_string(ERP_OK))
        .expect(0)
        .mount(&harness.erp)
        .await;
    let form = confirm_form(&receipt("LBX9999999999999", "OB-9", 5), "LBX9999999999999");

    let answer = harness.post_link(&form).await;

    assert!(!answer.success);
    assert_eq!(answer.error_code.as_deref(), Some("S012"));
    assert!(answer.error_msg.unwrap().contains("LBX9999999999999"));
}

#[tokio::test]
async fn wms_upload_with_a_bad_digest_gets_s02() {
    let harness = start(GatewayBehaviour::default()).await;
    let mut form = confirm_form(&receipt("LBX1", "OB-10", 5), "LBX1");
    form.data_digest = "AAAAAAAAAAAAAAAAAAAAAA==".into();

    let answer = harness.post_link(&form).await;

    assert_eq!(answer.error_code.as_deref(), Some("S02"));
}

#[tokio::test]
async fn cancel_refused_by_the_wms_answers_order_cannot_cancel() {
    let harness = start(GatewayBehaviour::default()).await;
    expect_notify(&harness, 1).await;
    let refusal = "<response><success>false</success><errorCode>S012</errorCode>\
<errorMsg>waybill printed</errorMsg></response>";
    type CancelNotify = cainiao::messages::OrderCancelNotify;
    Mock::given(method("POST"))
        .and(path("/cainiao"))
        .and(signed_push::<CancelNotify>(MsgType::OrderCancelNotify))
        .respond_with(ResponseTemplate::new(200).set_body_string(refusal))
        .expect(1)
        .mount(&harness.wms)
        .await;
    let credentials = erp_credentials("C_TEST_001", "testsecret");
    let create = EntryOrderCreate::from_domain(&purchase("PO-11"));
    assert!(harness
        .call_qimen(&credentials, &create, now())
        .await
        .is_success());
    let cancel = mocks::qimen::messages::OrderCancel::from_domain(&mocks::domain::Cancel {
        order_code: "PO-11".into(),
        order_type: OrderType::Purchase,
        warehouse_code: "WH_HZ01".into(),
        owner_code: "SLMY001".into(),
        reason: None,
    });

    let answer = harness.call_qimen(&credentials, &cancel, now()).await;

    assert_eq!(answer.code, "order-cannot-cancel");
    assert!(
        answer.message.contains("waybill printed"),
        "{}",
        answer.message
    );
    assert_eq!(harness.gateway.in_flight(), 0);
}

#[tokio::test]
async fn cancel_of_an_unknown_order_answers_order_not_exist() {
    let harness = start(GatewayBehaviour::default()).await;
    expect_notify(&harness, 0).await;
    let cancel = mocks::qimen::messages::OrderCancel::from_domain(&mocks::domain::Cancel {
        order_code: "PO-NONE".into(),
        order_type: OrderType::Purchase,
        warehouse_code: "WH_HZ01".into(),
        owner_code: "SLMY001".into(),
        reason: None,
    });

    let answer = harness
        .call_qimen(&erp_credentials("C_TEST_001", "testsecret"), &cancel, now())
        .await;

    assert_eq!(answer.code, "order-not-exist");
}
