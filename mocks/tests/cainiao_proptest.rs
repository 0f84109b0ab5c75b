//! Generated payloads round-trip; arbitrary input never panics.

use mocks::cainiao::messages::confirm::{ConfirmEntry, ConfirmItem, TmsItem, TmsOrder};
use mocks::cainiao::messages::*;
use mocks::cainiao::{diagnose, Form, Message, MsgType, Payload, Response};
use mocks::xml::is_xml_char;
use proptest::prelude::*;

/// Text XML can carry that is not blank: any Unicode (emoji, `&<>"'`,
/// CJK) without the characters XML 1.0 forbids.
fn text() -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        any::<char>().prop_map(|c| c.to_string()),
        Just("&".to_owned()),
        Just("<gift>".to_owned()),
        Just("]]>".to_owned()),
        Just("🙏".to_owned()),
        Just("示例".to_owned()),
        Just(" ".to_owned()),
    ];
    proptest::collection::vec(pieces, 1..12)
        .prop_map(|p| {
            p.concat()
                .chars()
                .filter(|c| is_xml_char(*c) && *c != '\r')
                .collect()
        })
        .prop_filter("blank reads as absent", |s: &String| !s.trim().is_empty())
}

fn opt_text() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(text())
}

fn entry() -> impl Strategy<Value = ConfirmEntry> {
    (
        proptest::option::of(prop_oneof![Just(1u16), Just(101u16)]),
        any::<u32>(),
        opt_text(),
        opt_text(),
        opt_text(),
    )
        .prop_map(
            |(inventory_type, quantity, batch_code, due_date, sn_code)| ConfirmEntry {
                inventory_type,
                quantity,
                batch_code,
                due_date,
                sn_code,
                ..ConfirmEntry::default()
            },
        )
}

fn confirm_item() -> impl Strategy<Value = ConfirmItem> {
    (opt_text(), text(), proptest::collection::vec(entry(), 0..4)).prop_map(
        |(order_item_id, item_code, items)| ConfirmItem {
            order_item_id,
            item_code: Some(item_code),
            items,
            ..ConfirmItem::default()
        },
    )
}

/// A parcel always has its waybill: an element with nothing in it reads
/// as absent, so an all-empty parcel cannot round-trip by design.
fn tms_order() -> impl Strategy<Value = TmsOrder> {
    (
        opt_text(),
        text().prop_map(Some),
        proptest::option::of(any::<u32>()),
        proptest::collection::vec((text(), any::<u32>()), 0..3),
    )
        .prop_map(
            |(tms_code, tms_order_code, package_weight, items)| TmsOrder {
                tms_code,
                tms_order_code,
                package_weight,
                tms_items: items
                    .into_iter()
                    .map(|(code, item_quantity)| TmsItem {
                        item_code: Some(code),
                        item_quantity,
                        ..TmsItem::default()
                    })
                    .collect(),
                ..TmsOrder::default()
            },
        )
}

fn consign_confirm() -> impl Strategy<Value = ConsignOrderConfirm> {
    (
        text(),
        prop_oneof![Just(201u16), Just(202), Just(502), Just(503)],
        text(),
        opt_text(),
        proptest::collection::vec(confirm_item(), 0..4),
        proptest::collection::vec(tms_order(), 0..3),
    )
        .prop_map(
            |(order_code, order_type, out_biz_code, store_order_code, order_items, tms_orders)| {
                ConsignOrderConfirm {
                    order_code,
                    order_type,
                    out_biz_code,
                    store_order_code,
                    confirm_type: Some("1".into()),
                    order_items,
                    tms_orders,
                    ..ConsignOrderConfirm::default()
                }
            },
        )
}

proptest! {
    #[test]
    fn generated_consign_confirms_round_trip(confirm in consign_confirm()) {
        let written = confirm.to_xml().unwrap();

        let back = ConsignOrderConfirm::parse(written.as_bytes()).unwrap();

        prop_assert_eq!(back, confirm);
    }

    #[test]
    fn generated_status_uploads_round_trip_through_a_signed_form(
        order_code in text(),
        remark in opt_text(),
        content in opt_text(),
        secret in text(),
    ) {
        let upload = OrderStatusUpload {
            order_code,
            order_type: 201,
            status: "WMS_PICK".into(),
            remark,
            content,
            ..OrderStatusUpload::default()
        };
        let body = Message::from_payload(&upload).unwrap().provider_id("1").sign(&secret).to_body();

        let form = Message::receive(body.as_bytes(), &secret).unwrap();
        let back = OrderStatusUpload::parse(form.logistics_interface.as_bytes()).unwrap();

        prop_assert_eq!(back, upload);
    }

    #[test]
    fn forbidden_characters_are_replaced_on_write(name in any::<String>()) {
        let mut item = SkuInfoNotify { item_code: "LH3001".into(), ..SkuInfoNotify::default() };
        let clean: String =
            name.chars().map(|c| if is_xml_char(c) { c } else { '\u{FFFD}' }).collect();
        item.name = Some(name);

        let back = SkuInfoNotify::parse(item.to_xml().unwrap().as_bytes()).unwrap();

        let expected = Some(clean).filter(|n| !n.trim().is_empty());
        // Carriage returns are not kept by every reader; compare without them.
        let strip = |s: Option<String>| s.map(|s| s.replace('\r', ""));
        prop_assert_eq!(strip(back.name), strip(expected));
    }

    #[test]
    fn arbitrary_bytes_never_panic_any_reader(
        bytes in proptest::collection::vec(any::<u8>(), 0..400),
    ) {
        let _ = ConsignOrderNotify::parse(&bytes);
        let _ = ConsignOrderConfirm::parse(&bytes);
        let _ = StockInOrderConfirm::parse(&bytes);
        let _ = InventoryCount::parse(&bytes);
        let _ = ItemQueryResponse::parse(&bytes);
        let _ = Response::parse(&bytes);
        let _ = Form::parse(&bytes);
        let _ = diagnose::diagnose("s", &bytes, "x").to_string();
    }

    #[test]
    fn arbitrary_xml_like_text_never_panics(
        parts in proptest::collection::vec(
            prop_oneof![
                Just("<request>"), Just("</request>"), Just("<orderItems>"), Just("</orderItems>"),
                Just("<orderItem>"), Just("</orderItem>"), Just("<quantity>"), Just("</quantity>"),
                Just("<orderCode>"), Just("</orderCode>"), Just("<orderType>201</orderType>"),
                Just("<a/>"), Just("&amp;"), Just("&bogus;"), Just("]]>"), Just("<![CDATA[x"),
                Just("12"), Just("-1"), Just(" "), Just("🙏"),
            ],
            0..30,
        )
    ) {
        let body = parts.concat();

        let _ = ConsignOrderConfirm::parse(body.as_bytes());
        let _ = StockOutOrderConfirm::parse(body.as_bytes());
        let _ = diagnose::diagnose("s", body.as_bytes(), "x");
    }

    #[test]
    fn arbitrary_form_bodies_never_panic(
        pairs in proptest::collection::vec(
            (
                prop_oneof![
                    Just("msg_type".to_owned()), Just("logistics_interface".to_owned()),
                    Just("data_digest".to_owned()), Just("msg_id".to_owned()),
                    Just("logistic_provider_id".to_owned()), any::<String>(),
                ],
                prop_oneof![
                    Just(MsgType::ConsignOrderNotify.as_str().to_owned()),
                    Just("%".to_owned()), Just("%zz".to_owned()), Just("%E4%B8".to_owned()),
                    Just("+".to_owned()), any::<String>(),
                ],
            ),
            0..8,
        )
    ) {
        let body: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();

        let _ = Message::receive(body.join("&").as_bytes(), "secret");
    }
}
