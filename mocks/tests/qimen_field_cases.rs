//! Field cases on the Qimen side: each test names the case it covers.

use std::path::PathBuf;

use chrono::{DateTime, Duration, FixedOffset};
use mocks::qimen::envelope::parse_timestamp;
use mocks::qimen::messages::delivery::DeliveryOrderLine;
use mocks::qimen::messages::stockout::{OutboundConfirmHeader, OutboundConfirmLine};
use mocks::qimen::messages::*;
use mocks::qimen::sign::{self, Charset, SignMethod};
use mocks::qimen::{sign_request, Credentials, Error, FailureCode, QueryParams, Request, Response};

const SECRET: &str = "testsecret";

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/qimen")
        .join(name);
    std::fs::read(path).unwrap()
}

fn at(text: &str) -> DateTime<FixedOffset> {
    parse_timestamp(text).unwrap()
}

fn credentials() -> Credentials {
    Credentials {
        app_key: "12345678".into(),
        secret: SECRET.into(),
        customer_id: "SLMY001".into(),
        sign_method: SignMethod::Md5,
    }
}

/// Signs `body` as a deliveryorder.confirm sent at `timestamp`.
fn signed_query(body: &[u8], timestamp: &str) -> String {
    let mut params = QueryParams::from_pairs([
        ("method", "taobao.qimen.deliveryorder.confirm"),
        ("timestamp", timestamp),
        ("format", "xml"),
        ("app_key", "12345678"),
        ("v", "2.0"),
        ("sign_method", "md5"),
        ("customerId", "SLMY001"),
    ]);
    let sign = sign::sign(SECRET, &params, body, SignMethod::Md5, Charset::Utf8).unwrap();
    params.set("sign", &sign);
    params.to_query_string()
}

fn verify(query: &str, body: &[u8], now: &str) -> Result<(), Error> {
    Request::new(query, body.to_vec())
        .verify(SECRET, at(now), Duration::minutes(10))
        .map(|_| ())
}

#[test]
fn body_is_verified_as_received_not_re_encoded() {
    // FC-01: (a) identical bytes pass; (b) re-indented and (c) \u-escaped
    // Chinese fail with sign-check-failure.
    let body = fixture("deliveryorder.confirm.xml");
    let query = signed_query(&body, "2024-03-18 17:27:00");
    let text = String::from_utf8(body.clone()).unwrap();
    let reindented = text.replace("\n  ", "\n    ");
    let escaped: String = text
        .chars()
        .map(|c| {
            if c.is_ascii() {
                c.to_string()
            } else {
                format!("\\u{:04x}", c as u32)
            }
        })
        .collect();

    let identical = verify(&query, &body, "2024-03-18 17:27:30");
    let reindented = verify(&query, reindented.as_bytes(), "2024-03-18 17:27:30").unwrap_err();
    let escaped = verify(&query, escaped.as_bytes(), "2024-03-18 17:27:30").unwrap_err();

    assert_eq!(identical, Ok(()));
    assert_eq!(reindented.failure_code(), FailureCode::SignCheckFailure);
    assert_eq!(escaped.failure_code(), FailureCode::SignCheckFailure);
}

#[test]
fn empty_params_are_dropped_zero_kept_and_late_params_break_the_sign() {
    // FC-02
    let body = b"<request><orderCode>A</orderCode></request>";
    let base = QueryParams::from_pairs([("method", "taobao.qimen.order.cancel"), ("v", "2.0")]);
    let mut with_empty = base.clone();
    with_empty.set("customerId", "");
    let mut with_zero = base.clone();
    with_zero.set("retry", "0");
    let sign_of = |p: &QueryParams| sign::sign(SECRET, p, body, SignMethod::Md5, Charset::Utf8);

    let base_sign = sign_of(&base).unwrap();
    let mut late = with_zero.clone();
    late.set("sign", &sign_of(&with_zero).unwrap());
    late.set("partner_id", "added-later");
    let late_err = sign::verify(SECRET, &late, body, Charset::Utf8).unwrap_err();

    assert_eq!(sign_of(&with_empty).unwrap(), base_sign);
    assert_ne!(sign_of(&with_zero).unwrap(), base_sign);
    assert_eq!(
        sign::sorted_kv(&with_zero),
        "methodtaobao.qimen.order.cancelretry0v2.0"
    );
    match late_err {
        Error::SignatureMismatch { params, .. } => {
            assert_eq!(params, ["method", "partner_id", "retry", "v"]);
        }
        other => panic!("expected SignatureMismatch, got {other:?}"),
    }
}

#[test]
fn gbk_declared_charset_is_hashed_on_both_sides() {
    // FC-04: Chinese item name and address signed over GBK bytes.
    let text = "<request><itemName>五常大米</itemName><city>杭州市</city></request>";
    let gbk_body = Charset::Gbk.encode(text).unwrap();
    let mut params = QueryParams::from_pairs([("method", "taobao.qimen.items.synchronize")]);
    let gbk_sign = sign::sign(SECRET, &params, &gbk_body, SignMethod::Md5, Charset::Gbk).unwrap();
    params.set("sign", &gbk_sign);

    let as_gbk = sign::verify(SECRET, &params, &gbk_body, Charset::Gbk);
    let utf8_body_gbk_sign = sign::verify(SECRET, &params, text.as_bytes(), Charset::Utf8);

    assert_eq!(as_gbk, Ok(()));
    assert_eq!(
        gbk_body.len(),
        text.len() - 7 * 3 + 7 * 2,
        "GBK uses 2 bytes per Han"
    );
    assert!(matches!(
        utf8_body_gbk_sign,
        Err(Error::SignatureMismatch { .. })
    ));
}

#[test]
fn plus_ampersand_and_percent_survive_one_decode() {
    // FC-05: body text and a parameter value with `+`, `&`, `%`.
    let mut cancel = OrderCancel::parse(&fixture("order.cancel.xml")).unwrap();
    cancel.cancel_reason = Some("a+b & 100% =x".into());
    let signed = sign_request(&credentials(), &cancel, at("2024-03-19 10:00:00")).unwrap();
    let mut query = QueryParams::parse(&signed.query);
    query.set("partner_id", "top+sdk&x=%41");
    let raw = query.to_query_string();

    let request = Request::new(&raw, signed.body.clone().into_bytes());
    let read = OrderCancel::parse(&request.body).unwrap();

    assert_eq!(request.query.get("partner_id"), Some("top+sdk&x=%41"));
    assert_eq!(read.cancel_reason.as_deref(), Some("a+b & 100% =x"));
    assert!(signed.body.contains("a+b &amp; 100% =x"));
    let err = request.verify(SECRET, at("2024-03-19 10:00:30"), Duration::minutes(10));
    assert!(
        matches!(err, Err(Error::SignatureMismatch { .. })),
        "partner_id was added"
    );
}

#[test]
fn utc_sender_clock_is_a_timestamp_error_not_a_sign_error() {
    // FC-07: test clock at 02:15 GMT+8; a UTC sender writes 18:15 the day
    // before. Its sign is correct, so only the timestamp may fail.
    let body = fixture("deliveryorder.confirm.xml");
    let utc_query = signed_query(&body, "2024-03-18 18:15:00");
    let good_query = signed_query(&body, "2024-03-19 02:15:00");

    let err = verify(&utc_query, &body, "2024-03-19 02:15:00").unwrap_err();
    let good = verify(&good_query, &body, "2024-03-19 02:15:00");

    assert_eq!(err.failure_code(), FailureCode::InvalidTimestamp);
    assert!(err.to_string().contains("8h00m00s behind"), "{err}");
    assert!(
        err.to_string()
            .contains("8 hours behind: sender clock in UTC?"),
        "{err}"
    );
    assert_eq!(good, Ok(()));
}

#[test]
fn timestamp_space_as_plus_or_percent_20_verifies() {
    // FC-07
    let body = b"<request/>";
    let query = signed_query(body, "2024-03-19 07:59:00");
    let with_plus = query.clone();
    let with_pct = query.replace("2024-03-19+07", "2024-03-19%2007");

    assert!(with_plus.contains("timestamp=2024-03-19+07%3A59%3A00"));
    assert_eq!(verify(&with_plus, body, "2024-03-19 08:00:00"), Ok(()));
    assert_eq!(verify(&with_pct, body, "2024-03-19 08:00:00"), Ok(()));
}

fn confirm_header(delivery_order_id: Option<&str>, express: Option<&str>) -> OutboundConfirmHeader {
    OutboundConfirmHeader {
        delivery_order_code: "SO1".into(),
        delivery_order_id: delivery_order_id.map(Into::into),
        warehouse_code: "WH_HZ01".into(),
        order_type: "JYCK".into(),
        out_biz_code: Some("CK-SO1-01".into()),
        confirm_type: Some(0),
        logistics_code: Some("SF".into()),
        express_code: express.map(Into::into),
        order_confirm_time: Some("2024-03-18 17:26:40".into()),
        ..OutboundConfirmHeader::default()
    }
}

fn confirm_line(no: &str, item: &str, qty: u32) -> OutboundConfirmLine {
    OutboundConfirmLine {
        order_line_no: Some(no.into()),
        item_code: item.into(),
        inventory_type: Some("ZP".into()),
        actual_qty: Some(qty),
        ..OutboundConfirmLine::default()
    }
}

#[test]
fn confirm_shapes_normalise_to_the_same_domain_model() {
    // FC-09: one line and one package; no <packages> but a flat
    // expressCode; the same with an empty <deliveryOrderId/>.
    let one_package = r#"<request><deliveryOrder><deliveryOrderCode>SO1</deliveryOrderCode>
<warehouseCode>WH_HZ01</warehouseCode><orderType>JYCK</orderType>
<outBizCode>CK-SO1-01</outBizCode><confirmType>0</confirmType>
<orderConfirmTime>2024-03-18 17:26:40</orderConfirmTime></deliveryOrder>
<packages><package><logisticsCode>SF</logisticsCode><expressCode>SF1</expressCode>
<items><item><itemCode>DM1001</itemCode><quantity>3</quantity></item></items></package></packages>
<orderLines><orderLine><orderLineNo>1</orderLineNo><itemCode>DM1001</itemCode>
<inventoryType>ZP</inventoryType><actualQty>3</actualQty></orderLine></orderLines></request>"#;
    let flat = DeliveryOrderConfirm {
        delivery_order: confirm_header(None, Some("SF1")),
        order_lines: vec![confirm_line("1", "DM1001", 3)].into(),
        ..DeliveryOrderConfirm::default()
    };
    let flat_xml = flat.to_xml().unwrap();
    let empty_id = flat_xml.replace(
        "<deliveryOrderCode>SO1</deliveryOrderCode>",
        "<deliveryOrderCode>SO1</deliveryOrderCode><deliveryOrderId/>",
    );
    let snake = one_package.replace("orderLine>", "order_line>");

    let a = DeliveryOrderConfirm::parse(one_package.as_bytes())
        .unwrap()
        .to_domain()
        .unwrap();
    let b = DeliveryOrderConfirm::parse(flat_xml.as_bytes())
        .unwrap()
        .to_domain()
        .unwrap();
    let c = DeliveryOrderConfirm::parse(empty_id.as_bytes())
        .unwrap()
        .to_domain()
        .unwrap();
    let d = DeliveryOrderConfirm::parse(snake.as_bytes())
        .unwrap()
        .to_domain()
        .unwrap();

    assert!(empty_id.contains("<deliveryOrderId/>"));
    assert_eq!(a, b);
    assert_eq!(b, c);
    assert_eq!(c, d);
    assert_eq!(a.wms_order_id, None);
    assert_eq!(a.packages.len(), 1);
    assert_eq!(a.packages[0].items, [("DM1001".into(), 3)]);
}

#[test]
fn two_lines_and_two_packages_keep_every_tracking_number() {
    // FC-09: two of each.
    let package = |express: &str, item: &str, qty: u32| Package {
        logistics_code: Some("SF".into()),
        express_code: Some(express.into()),
        items: vec![PackageItem {
            item_code: item.into(),
            quantity: qty,
            ..Default::default()
        }]
        .into(),
        ..Package::default()
    };
    let confirm = DeliveryOrderConfirm {
        delivery_order: confirm_header(Some("DO1"), None),
        packages: vec![package("SF1", "DM1001", 3), package("SF2", "LH3001", 1)].into(),
        order_lines: vec![
            confirm_line("1", "DM1001", 3),
            confirm_line("2", "LH3001", 1),
        ]
        .into(),
        ..DeliveryOrderConfirm::default()
    };

    let xml = confirm.to_xml().unwrap();
    let domain = DeliveryOrderConfirm::parse(xml.as_bytes())
        .unwrap()
        .to_domain()
        .unwrap();

    assert_eq!(domain.lines.len(), 2);
    let tracking: Vec<&str> = domain
        .packages
        .iter()
        .map(|p| p.express_code.as_str())
        .collect();
    assert_eq!(tracking, ["SF1", "SF2"]);
    let packed: u32 = domain
        .packages
        .iter()
        .flat_map(|p| &p.items)
        .map(|i| i.1)
        .sum();
    let shipped: u32 = domain.lines.iter().map(|l| l.actual_qty).sum();
    assert_eq!(packed, shipped);
}

#[test]
fn hostile_text_is_escaped_sanitised_and_signed_as_sent() {
    // FC-11
    let mut order = DeliveryOrderCreate::parse(&fixture("deliveryorder.create.xml")).unwrap();
    let receiver = order.delivery_order.receiver_info.as_mut().unwrap();
    receiver.detail_address = Some("示例路1号 A&B <3号> 🙏\u{1}x ".into());
    order.order_lines.list[0] = DeliveryOrderLine {
        item_name: Some("A&B <gift>".into()),
        ..order.order_lines.list[0].clone()
    };

    let signed = sign_request(&credentials(), &order, at("2024-03-18 10:05:30")).unwrap();
    let request = Request::new(&signed.query, signed.body.clone().into_bytes());
    let read = DeliveryOrderCreate::parse(&request.body).unwrap();

    assert!(signed.sanitized);
    assert!(signed.body.contains("A&amp;B &lt;gift"));
    assert!(!signed.body.contains('\u{1}'));
    assert_eq!(
        request
            .verify(SECRET, at("2024-03-18 10:06:00"), Duration::minutes(10))
            .ok(),
        Some(mocks::qimen::Method::DeliveryOrderCreate)
    );
    let address = read
        .delivery_order
        .receiver_info
        .unwrap()
        .detail_address
        .unwrap();
    // TODO: the trailing space is lost, because the reader trims text;
    // the sign is unaffected since it covers the bytes sent.
    assert_eq!(address, "示例路1号 A&B <3号> 🙏\u{FFFD}x");
    assert_eq!(
        read.order_lines.list[0].item_name.as_deref(),
        Some("A&B <gift>")
    );
}

#[test]
fn parse_errors_and_sign_errors_get_distinct_codes() {
    // FC-23: well-signed malformed XML vs badly signed well-formed XML.
    let broken = b"<request><orderCode>A</orderCod></request>".to_vec();
    let good = fixture("order.cancel.xml");
    let query = signed_query(&broken, "2024-03-19 10:00:00");
    let bad_sign_query = signed_query(b"other bytes", "2024-03-19 10:00:00");

    let sign_ok = verify(&query, &broken, "2024-03-19 10:00:00");
    let parse_err = OrderCancel::parse(&broken).unwrap_err();
    let sign_err = verify(&bad_sign_query, &good, "2024-03-19 10:00:00").unwrap_err();
    let parse_answer = Response::from_error(&parse_err);
    let sign_answer = Response::from_error(&sign_err);

    assert_eq!(sign_ok, Ok(()));
    assert_eq!(parse_err.failure_code(), FailureCode::MalformedXml);
    assert!(parse_err.to_string().contains("line 1"), "{parse_err}");
    assert_eq!(sign_err.failure_code(), FailureCode::SignCheckFailure);
    assert_ne!(parse_answer.code, sign_answer.code);
    assert_eq!(sign_answer.message, "Illegal request");
    assert!(!parse_answer.is_success() && !sign_answer.is_success());
}

#[test]
fn unknown_order_type_names_code_and_field() {
    let body = String::from_utf8(fixture("deliveryorder.confirm.xml"))
        .unwrap()
        .replace("<orderType>JYCK</orderType>", "<orderType>ZZCK</orderType>");

    let err = DeliveryOrderConfirm::parse(body.as_bytes())
        .unwrap()
        .to_domain()
        .unwrap_err();

    assert_eq!(
        err.to_string(),
        "unknown order type `ZZCK` in `deliveryOrder.orderType`"
    );
    assert_eq!(err.failure_code(), FailureCode::InvalidField);
}

#[test]
fn missing_required_element_is_a_content_error_naming_it() {
    let err =
        OrderCancel::parse(b"<request><warehouseCode>W</warehouseCode></request>").unwrap_err();

    assert!(err.to_string().contains("orderCode"), "{err}");
    assert_eq!(err.failure_code(), FailureCode::InvalidField);
}
