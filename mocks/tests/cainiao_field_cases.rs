//! Field cases on the Cainiao side: FC-05, FC-06, FC-09, FC-11, FC-23.

use mocks::cainiao::messages::notify::ReceiverInfo;
use mocks::cainiao::messages::*;
use mocks::cainiao::{digest, Error, Form, Message, MsgType, Payload, Response, ResponseCode};

const SECRET: &str = "testSecret123";

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/cainiao/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

#[test]
fn fc05_form_encoded_digests_with_plus_and_slash_verify_after_one_decode() {
    let mut seen_plus = 0;
    let mut seen_slash = 0;

    for n in 0..200 {
        let remark = "A&amp;B+50% 🙏 a+b=c";
        let payload = format!("<request><n>{n}</n><remark>{remark}</remark></request>");
        let body = Message::new(MsgType::OrderStatusUpload, payload.clone())
            .provider_id("198831")
            .sign(SECRET)
            .to_body();

        let form = Message::receive(body.as_bytes(), SECRET).unwrap();

        seen_plus += usize::from(form.data_digest.contains('+'));
        seen_slash += usize::from(form.data_digest.contains('/'));
        assert_eq!(
            form.logistics_interface, payload,
            "payload {n} changed in transit"
        );
    }

    assert!(
        seen_plus > 0 && seen_slash > 0,
        "+: {seen_plus}, /: {seen_slash}"
    );
}

#[test]
fn fc05_digest_sent_without_encoding_loses_its_plus_and_fails_s02() {
    let payload = String::from_utf8(fixture("WMS_ORDER_STATUS_UPLOAD.xml")).unwrap();
    let signed = digest::digest(&payload, SECRET);
    let plus_digest = (0..)
        .map(|n| format!("{payload}<!-- {n} -->"))
        .find(|p| digest::digest(p, SECRET).contains('+'))
        .unwrap();
    let raw_digest = digest::digest(&plus_digest, SECRET);
    let mut body = form_body_without_digest(&plus_digest);
    body.push_str(&format!("&data_digest={raw_digest}"));

    let err = Message::receive(body.as_bytes(), SECRET).unwrap_err();

    assert_ne!(signed, raw_digest);
    assert_eq!(err.error_code(), ResponseCode::DigestMismatch);
    match err {
        Error::DigestMismatch {
            received, expected, ..
        } => {
            assert_eq!(received, raw_digest.replace('+', " "));
            assert_eq!(expected, raw_digest);
        }
        other => panic!("expected DigestMismatch, got {other:?}"),
    }
}

fn form_body_without_digest(payload: &str) -> String {
    form_urlencoded::Serializer::new(String::new())
        .append_pair("msg_type", "WMS_ORDER_STATUS_UPLOAD")
        .append_pair("logistics_interface", payload)
        .append_pair("logistic_provider_id", "198831")
        .finish()
}

#[test]
fn fc06_hex_digest_fails_with_s02() {
    let payload = String::from_utf8(fixture("WMS_STOCK_IN_ORDER_CONFIRM.xml")).unwrap();
    let mut form = Message::new(MsgType::StockInOrderConfirm, payload.clone())
        .provider_id("198831")
        .sign(SECRET);
    form.data_digest = hex::encode(digest::md5_raw(payload.as_bytes(), SECRET.as_bytes()));

    let err = Message::receive(form.to_body().as_bytes(), SECRET).unwrap_err();

    assert_eq!(err.error_code().as_str(), "S02");
    assert_eq!(
        Response::from_error(&err).error_code.as_deref(),
        Some("S02")
    );
}

#[test]
fn fc06_digest_over_reserialised_content_fails_with_s02() {
    let raw = fixture("WMS_STOCK_IN_ORDER_CONFIRM.final.xml");
    let reserialised = StockInOrderConfirm::parse(&raw).unwrap().to_xml().unwrap();
    let form = Form {
        msg_type: MsgType::StockInOrderConfirm,
        logistics_interface: String::from_utf8(raw).unwrap(),
        data_digest: digest::digest(&reserialised, SECRET),
        logistic_provider_id: Some("198831".into()),
        to_code: None,
        from_code: None,
        msg_id: None,
        partner_code: None,
        format: None,
    };

    let err = Message::receive(form.to_body().as_bytes(), SECRET).unwrap_err();

    assert_eq!(err.error_code(), ResponseCode::DigestMismatch);
    // The verifier hashed the bytes received: its digest is the sender's
    // over the original bytes.
    let original = digest::digest(&form.logistics_interface, SECRET);
    assert!(matches!(err, Error::DigestMismatch { expected, .. } if expected == original));
}

const ONE_OF_EACH: &str = "<request><orderCode>LBX1</orderCode><orderType>201</orderType>\
<outBizCode>OB1</outBizCode><confirmType>0</confirmType>\
<orderItems><orderItem><orderItemId>1</orderItemId><itemCode>DM1001</itemCode>\
<items><item><inventoryType>1</inventoryType><quantity>2</quantity></item></items>\
</orderItem></orderItems>\
<tmsOrders><tmsOrder><tmsCode>SF</tmsCode><tmsOrderCode>SF1</tmsOrderCode>\
<tmsItems><tmsItem><itemCode>DM1001</itemCode><itemQuantity>2</itemQuantity></tmsItem></tmsItems>\
</tmsOrder></tmsOrders></request>";

#[test]
fn fc09_empty_elements_read_as_absent_and_give_the_same_confirm() {
    let with_empties = ONE_OF_EACH
        .replace(
            "<confirmType>0</confirmType>",
            "<confirmType>0</confirmType><storeOrderCode/>",
        )
        .replace(
            "<tmsCode>SF</tmsCode>",
            "<tmsCode>SF</tmsCode><packageCode></packageCode>",
        )
        .replace(
            "<quantity>2</quantity>",
            "<quantity>2</quantity><batchCode> </batchCode>",
        )
        .replace("</tmsOrders>", "</tmsOrders><invoinceConfirms/>");

    let plain = ConsignOrderConfirm::parse(ONE_OF_EACH.as_bytes()).unwrap();
    let empties = ConsignOrderConfirm::parse(with_empties.as_bytes()).unwrap();

    assert_eq!(plain, empties);
    assert_eq!(empties.store_order_code, None);
    let confirm = empties.to_confirm("SO1").unwrap();
    assert_eq!(confirm.lines.len(), 1);
    assert_eq!(confirm.packages.len(), 1);
    assert_eq!(confirm.lines[0].lot.batch_code, None);
}

#[test]
fn fc09_one_and_two_lines_and_parcels_parse_to_lists_of_that_length() {
    let second_line = "</orderItem><orderItem><orderItemId>2</orderItemId>\
<itemCode>ZL2003</itemCode><items><item><quantity>1</quantity></item></items>\
</orderItem></orderItems>";
    let second_parcel = "</tmsOrder><tmsOrder><tmsCode>SF</tmsCode>\
<tmsOrderCode>SF2</tmsOrderCode><tmsItems><tmsItem><itemCode>ZL2003</itemCode>\
<itemQuantity>1</itemQuantity></tmsItem></tmsItems></tmsOrder></tmsOrders>";
    let two = ONE_OF_EACH
        .replace("</orderItem></orderItems>", second_line)
        .replace("</tmsOrder></tmsOrders>", second_parcel);

    let one = ConsignOrderConfirm::parse(ONE_OF_EACH.as_bytes())
        .unwrap()
        .to_confirm("SO1")
        .unwrap();
    let two = ConsignOrderConfirm::parse(two.as_bytes())
        .unwrap()
        .to_confirm("SO1")
        .unwrap();

    assert_eq!((one.lines.len(), one.packages.len()), (1, 1));
    assert_eq!((two.lines.len(), two.packages.len()), (2, 2));
    assert_eq!(two.lines[0], one.lines[0]);
    assert_eq!(two.packages[0], one.packages[0]);
    assert_eq!(two.packages[1].express_code, "SF2");
}

#[test]
fn fc09_confirm_without_parcels_has_no_packages() {
    let start = ONE_OF_EACH.find("<tmsOrders>").unwrap();
    let end = ONE_OF_EACH.find("</request>").unwrap();
    let no_parcels = format!("{}{}", &ONE_OF_EACH[..start], &ONE_OF_EACH[end..]);

    let confirm = ConsignOrderConfirm::parse(no_parcels.as_bytes())
        .unwrap()
        .to_confirm("SO1")
        .unwrap();

    assert!(confirm.packages.is_empty());
    assert_eq!(confirm.lines[0].actual_qty, 2);
}

#[test]
fn fc11_sender_escapes_replaces_control_characters_and_keeps_emoji() {
    let address = "示例路1号 A&B <3号楼> 🏠\u{1} ";
    let mut notify =
        ConsignOrderNotify::parse(&fixture("WMS_CONSIGN_ORDER_NOTIFY.201.xml")).unwrap();
    notify.receiver_info = Some(ReceiverInfo {
        receiver_address: Some(address.into()),
        ..ReceiverInfo::default()
    });
    notify.order_items[0].item_name = Some("A&B <gift>".into());

    let (body, replaced) = write_payload(&notify, "request", "t").unwrap();
    let form = Message::from_payload(&notify)
        .unwrap()
        .msg_id("1")
        .sign(SECRET);
    let received = Message::receive(form.to_body().as_bytes(), SECRET).unwrap();
    let back = ConsignOrderNotify::parse(received.logistics_interface.as_bytes()).unwrap();

    assert!(replaced);
    assert!(body.contains("A&amp;B &lt;gift&gt;"), "{body}");
    assert!(!body.contains('\u{1}'));
    assert_eq!(received.logistics_interface, body);
    let got = back.receiver_info.unwrap().receiver_address.unwrap();
    assert_eq!(got, "示例路1号 A&B <3号楼> 🏠\u{FFFD} ");
    assert_eq!(back.order_items[0].item_name.as_deref(), Some("A&B <gift>"));
}

#[test]
fn fc23_malformed_but_well_signed_is_a_parse_error_not_a_sign_error() {
    let broken = "<request><orderCode>LBX1</orderCode>\n<orderType>201</orderTyp></request>";
    let body = Message::new(MsgType::OrderStatusUpload, broken)
        .provider_id("198831")
        .sign(SECRET)
        .to_body();

    let form = Message::receive(body.as_bytes(), SECRET).unwrap();
    let err = OrderStatusUpload::parse(form.logistics_interface.as_bytes()).unwrap_err();

    assert_eq!(err.error_code(), ResponseCode::MalformedXml);
    match err {
        Error::MalformedXml { line, element, .. } => {
            assert_eq!(line, 2);
            assert_eq!(element.as_deref(), Some("orderType"));
        }
        other => panic!("expected MalformedXml, got {other:?}"),
    }
}

#[test]
fn fc23_well_formed_but_badly_signed_is_a_sign_error() {
    let payload = String::from_utf8(fixture("WMS_ORDER_STATUS_UPLOAD.xml")).unwrap();
    let body = Message::new(MsgType::OrderStatusUpload, payload)
        .provider_id("198831")
        .sign("another-secret")
        .to_body();

    let err = Message::receive(body.as_bytes(), SECRET).unwrap_err();

    assert_eq!(err.error_code(), ResponseCode::DigestMismatch);
}

#[test]
fn fc23_each_failure_kind_answers_with_its_own_code() {
    let missing = OrderStatusUpload::parse(b"<request><orderType>201</orderType></request>");
    let unknown_type = OrderCancelNotify::parse(
        b"<request><orderCode>LBX1</orderCode><orderType>999</orderType></request>",
    );
    let bad_number = OrderCancelNotify::parse(
        b"<request><orderCode>LBX1</orderCode><orderType>x</orderType></request>",
    );
    let unknown_msg = Form::parse(b"msg_type=WMS_NOPE&logistics_interface=x&data_digest=d");
    let malformed = OrderCancelNotify::parse(b"<request><orderCode>");

    let errors = [
        missing.unwrap_err(),
        unknown_type.unwrap_err(),
        bad_number.unwrap_err(),
        malformed.unwrap_err(),
        unknown_msg.unwrap_err(),
    ];
    let codes: Vec<&str> = errors.iter().map(|e| e.error_code().as_str()).collect();

    assert_eq!(codes, ["S003", "S009", "S008", "S006", "S002"]);
    let reply = Response::failure(ResponseCode::BusinessRefusal, "already printed");
    assert_eq!(
        Response::parse(reply.to_xml().unwrap().as_bytes()).unwrap(),
        reply
    );
}

#[test]
fn missing_payload_field_is_named() {
    let err =
        OrderStatusUpload::parse(b"<request><orderType>201</orderType></request>").unwrap_err();

    assert_eq!(
        err,
        Error::MissingField {
            message: "WMS_ORDER_STATUS_UPLOAD".into(),
            field: "orderCode".into()
        }
    );
}

#[test]
fn unknown_status_is_named() {
    let body = "<request><orderCode>L</orderCode><orderType>201</orderType>\
<status>WMS_DANCING</status></request>";

    let err = OrderStatusUpload::parse(body.as_bytes()).unwrap_err();

    assert_eq!(
        err,
        Error::UnknownStatus {
            code: "WMS_DANCING".into()
        }
    );
}
