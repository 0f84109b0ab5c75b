//! Generated Qimen messages round-trip; arbitrary input never panics.

use chrono::Duration;
use mocks::qimen::envelope::parse_timestamp;
use mocks::qimen::messages::entry::{EntryOrderHeader, EntryOrderLine};
use mocks::qimen::messages::stockout::{OutboundConfirmHeader, OutboundConfirmLine};
use mocks::qimen::messages::*;
use mocks::qimen::{diagnose::diagnose, Request, Response};
use proptest::prelude::*;

/// Text as the reader returns it: XML characters only, no surrounding
/// XML blanks (the reader trims), never empty (empty reads as absent).
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9&<>\"' ]{1,16}",
        "[买家取消示例路号🙏🌾&<>]{1,8}",
        any::<String>(),
    ]
    .prop_map(|s| {
        let kept: String = s.chars().filter(|c| mocks::xml::is_xml_char(*c)).collect();
        kept.trim_matches([' ', '\t', '\n', '\r']).to_owned()
    })
    .prop_filter("non-empty", |s| !s.is_empty())
}

fn opt_text() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(text())
}

fn delivery_confirm() -> impl Strategy<Value = DeliveryOrderConfirm> {
    let line = (text(), text(), opt_text(), any::<u32>()).prop_map(|(no, item, name, qty)| {
        OutboundConfirmLine {
            order_line_no: Some(no),
            item_code: item,
            item_name: name,
            actual_qty: Some(qty),
            ..OutboundConfirmLine::default()
        }
    });
    let package = (opt_text(), text(), any::<u32>()).prop_map(|(express, item, qty)| Package {
        express_code: express,
        items: vec![PackageItem {
            item_code: item,
            quantity: qty,
            ..PackageItem::default()
        }]
        .into(),
        ..Package::default()
    });
    (
        text(),
        opt_text(),
        text(),
        prop::collection::vec(package, 0..3),
        prop::collection::vec(line, 0..4),
    )
        .prop_map(
            |(code, id, remark_like, packages, lines)| DeliveryOrderConfirm {
                delivery_order: OutboundConfirmHeader {
                    delivery_order_code: code,
                    delivery_order_id: id,
                    warehouse_code: remark_like,
                    order_type: "JYCK".into(),
                    ..OutboundConfirmHeader::default()
                },
                packages: packages.into(),
                order_lines: lines.into(),
                ..DeliveryOrderConfirm::default()
            },
        )
}

fn entry_create() -> impl Strategy<Value = EntryOrderCreate> {
    let line = (text(), text(), opt_text(), any::<u32>()).prop_map(|(owner, item, name, qty)| {
        EntryOrderLine {
            owner_code: owner,
            item_code: item,
            item_name: name,
            plan_qty: qty,
            ..EntryOrderLine::default()
        }
    });
    (
        text(),
        text(),
        opt_text(),
        prop::collection::vec(line, 1..4),
        prop::collection::btree_map("[a-z][a-zA-Z0-9]{0,8}", text(), 0..3),
    )
        .prop_map(|(code, owner, remark, lines, props)| EntryOrderCreate {
            entry_order: EntryOrderHeader {
                entry_order_code: code,
                owner_code: owner,
                warehouse_code: "WH_HZ01".into(),
                remark,
                ..EntryOrderHeader::default()
            },
            order_lines: lines.into(),
            extend_props: props,
        })
}

proptest! {
    #[test]
    fn generated_delivery_confirms_round_trip(message in delivery_confirm()) {
        let written = message.to_xml_checked().unwrap();

        let back = DeliveryOrderConfirm::parse(written.xml.as_bytes()).unwrap();

        prop_assert!(!written.sanitized);
        prop_assert_eq!(back, message);
    }

    #[test]
    fn generated_entry_creates_round_trip(message in entry_create()) {
        let xml = message.to_xml().unwrap();

        let back = EntryOrderCreate::parse(xml.as_bytes()).unwrap();

        prop_assert_eq!(back, message);
    }

    #[test]
    fn control_characters_are_replaced_and_the_result_is_stable(raw in any::<String>()) {
        let mut message = OrderCancel {
            warehouse_code: "WH".into(),
            order_code: "SO1".into(),
            ..OrderCancel::default()
        };
        message.cancel_reason = Some(format!("x{raw}x"));
        let has_illegal = !raw.chars().all(mocks::xml::is_xml_char);

        let written = message.to_xml_checked().unwrap();
        let once = OrderCancel::parse(written.xml.as_bytes()).unwrap();
        let twice = OrderCancel::parse(once.to_xml().unwrap().as_bytes()).unwrap();

        prop_assert_eq!(written.sanitized, has_illegal);
        prop_assert_eq!(&once, &twice);
    }

    #[test]
    fn arbitrary_bytes_never_panic_a_parser(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = DeliveryOrderConfirm::parse(&bytes);
        let _ = EntryOrderCreate::parse(&bytes);
        let _ = StockChangeReport::parse(&bytes);
        let _ = OrderCancel::parse(&bytes);
        let _ = Response::parse(&bytes);
    }

    #[test]
    fn arbitrary_xml_like_text_never_panics_a_parser(
        body in "(<[a-zA-Z]{1,6}/?>|</[a-zA-Z]{1,6}>|[a-z0-9&;<>]{0,4}){0,20}"
    ) {
        let _ = DeliveryOrderConfirm::parse(body.as_bytes());
        let _ = InventoryReport::parse(body.as_bytes());
        let _ = drop_empty_elements(&body);
    }

    #[test]
    fn arbitrary_query_and_body_never_panic_verify_or_diagnose(
        query in any::<String>(),
        body in prop::collection::vec(any::<u8>(), 0..128),
    ) {
        let now = parse_timestamp("2024-03-19 02:15:00").unwrap();
        let request = Request::new(&query, body.clone());

        let _ = request.verify("testsecret", now, Duration::minutes(10));
        let _ = diagnose("testsecret", &query, &body, Some("ABC"));
    }
}
