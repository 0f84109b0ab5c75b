//! Typed `logistics_interface` payloads, one file per message family.
//!
//! Structs keep Cainiao's element names (serde renames) and hold money,
//! dates and descriptive fields as the strings that travel; quantities,
//! codes and dimensions are numbers. Each payload reads with
//! [`Payload::parse`] and writes with [`Payload::to_xml`], and converts to
//! and from [`crate::domain`] in its own file.
//!
//! Reading rules, the same for every payload:
//! - the body must be UTF-8, well-formed, with root `<request>` (query
//!   replies: `<response>`);
//! - an empty element (`<remark/>`, `<size></size>`, blanks only) means
//!   absent, also for a list wrapper;
//! - lists are a wrapper plus repeated items, one or many;
//! - `orderType` must be a code [`OrderType::from_code`] knows and one the
//!   message carries; other codes are read when converting to the domain.
//!
//! Writing replaces characters XML 1.0 forbids with U+FFFD and logs a
//! warning (FC-11); `&`, `<`, `>` and 4-byte characters are escaped or
//! kept as they are.
//!
//! # Known gaps
//! JSON payloads are not read: Cainiao's JSON form sends scalars as
//! strings and single list items as objects, which these serde types do not
//! accept. Replies ([`super::response`]) are read in both formats.

use std::borrow::Cow;

use quick_xml::events::{BytesCData, BytesText, Event};
use quick_xml::{Reader, Writer};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::{Error, MsgType};
use crate::domain::{InventoryType, OrderType};
use crate::mapping::{route_of, CainiaoFamily};
use crate::xml;

pub mod cancel;
pub mod confirm;
pub mod consign;
pub mod inventory;
pub mod item;
pub mod notify;
pub mod status;

pub use cancel::OrderCancelNotify;
pub use confirm::{ConsignOrderConfirm, StockInOrderConfirm, StockOutOrderConfirm};
pub use consign::ConsignOrderNotify;
pub use inventory::{
    InventoryAdjustUpload, InventoryCount, InventoryQuery, InventoryQueryResponse,
};
pub use item::{ItemQuery, ItemQueryResponse, SkuInfoNotify};
pub use notify::{StockInOrderNotify, StockOutOrderNotify};
pub use status::OrderStatusUpload;

/// A typed payload of one `msg_type`.
pub trait Payload: Sized + Serialize + DeserializeOwned {
    /// The message this payload travels as.
    const MSG_TYPE: MsgType;
    /// The root element: `request`, or `response` for query replies.
    const ROOT: &'static str = "request";

    /// Checks what serde cannot: codes that must be known.
    fn validate(&self) -> Result<(), Error> {
        Ok(())
    }

    /// Reads the payload from the bytes of `logistics_interface`.
    fn parse(bytes: &[u8]) -> Result<Self, Error> {
        let payload = read_payload(bytes, Self::ROOT, Self::MSG_TYPE.as_str())?;
        Self::validate(&payload)?;
        Ok(payload)
    }

    /// Writes the payload; see [`write_payload`].
    fn to_xml(&self) -> Result<String, Error> {
        let (body, replaced) = write_payload(self, Self::ROOT, Self::MSG_TYPE.as_str())?;
        if replaced {
            tracing::warn!(
                msg_type = Self::MSG_TYPE.as_str(),
                "replaced characters XML forbids with U+FFFD"
            );
        }
        Ok(body)
    }
}

/// Reads a payload: well-formedness first, so a broken body is named by
/// line and column, then empty elements are dropped and serde reads the
/// rest.
pub fn read_payload<T: DeserializeOwned>(
    bytes: &[u8],
    root: &str,
    message: &str,
) -> Result<T, Error> {
    let text = xml::check_document(bytes, root)?;
    let cleaned = drop_empty_elements(text);
    Ok(xml::from_xml(cleaned.as_bytes(), root, message)?)
}

/// Writes a payload with a UTF-8 prolog; the flag says whether characters
/// XML forbids were replaced.
pub fn write_payload<T: Serialize>(
    value: &T,
    root: &str,
    message: &str,
) -> Result<(String, bool), Error> {
    let body = xml::to_xml(value, root, message, true)?;
    // Tags and escapes never hold a forbidden character, so sanitising the
    // whole document touches text content only.
    let (clean, replaced) = xml::sanitize_text(&body);
    Ok((clean.into_owned(), replaced))
}

/// Removes empty elements (`<a/>`, `<a></a>`, `<a>  </a>`) until none is
/// left, so that serde sees them as absent, and protects blanks at the
/// edges of a value from serde's trimming. The input is well-formed.
pub fn drop_empty_elements(text: &str) -> Cow<'_, str> {
    let mut current = Cow::Borrowed(text);
    loop {
        let next = drop_empty_once(&current);
        if next == *current {
            return current;
        }
        current = Cow::Owned(next);
    }
}

fn drop_empty_once(text: &str) -> String {
    let mut reader = Reader::from_str(text);
    let mut writer = Writer::new(Vec::with_capacity(text.len()));
    // A start tag waits for its next event; blank text after it waits too.
    let mut pending: Vec<Event<'_>> = Vec::new();
    while let Ok(event) = reader.read_event() {
        match event {
            Event::Eof => break,
            Event::Empty(_) => {
                flush(&mut writer, &mut pending);
            }
            Event::Start(_) => {
                flush(&mut writer, &mut pending);
                pending.push(event);
            }
            Event::Text(ref t) if !pending.is_empty() && is_blank(t) => {
                pending.push(event);
            }
            Event::End(_) if !pending.is_empty() => pending.clear(),
            Event::Text(ref t) if !is_blank(t) && has_edge_space(t) => {
                flush(&mut writer, &mut pending);
                write_as_cdata(&mut writer, t);
            }
            other => {
                flush(&mut writer, &mut pending);
                let _ = writer.write_event(other);
            }
        }
    }
    flush(&mut writer, &mut pending);
    String::from_utf8(writer.into_inner()).unwrap_or_else(|_| text.to_owned())
}

fn is_blank(text: &BytesText<'_>) -> bool {
    text.iter().all(|b| b.is_ascii_whitespace())
}

fn has_edge_space(text: &BytesText<'_>) -> bool {
    let edge = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_whitespace());
    edge(text.first()) || edge(text.last())
}

/// The serde reader trims text but keeps CDATA as it is, so a value with
/// leading or trailing blanks travels to it as CDATA (split around `]]>`).
fn write_as_cdata(writer: &mut Writer<Vec<u8>>, text: &BytesText<'_>) {
    let Ok(value) = text.unescape() else {
        let _ = writer.write_event(Event::Text(text.clone()));
        return;
    };
    let segments: Vec<&str> = value.split("]]>").collect();
    for (i, segment) in segments.iter().enumerate() {
        let head = if i > 0 { ">" } else { "" };
        let tail = if i + 1 < segments.len() { "]]" } else { "" };
        let piece = format!("{head}{segment}{tail}");
        let _ = writer.write_event(Event::CData(BytesCData::new(piece)));
    }
}

fn flush(writer: &mut Writer<Vec<u8>>, pending: &mut Vec<Event<'_>>) {
    for event in pending.drain(..) {
        let _ = writer.write_event(event);
    }
}

/// Reads an `orderType` code into a known order type.
pub fn order_type(code: u16) -> Result<OrderType, Error> {
    OrderType::from_code(code).ok_or(Error::UnknownOrderType { code })
}

/// Reads an `orderType` that must belong to the message's family in
/// [`crate::mapping::ROUTES`].
pub fn order_type_in(
    code: u16,
    msg_type: MsgType,
    family: CainiaoFamily,
) -> Result<OrderType, Error> {
    let order_type = order_type(code)?;
    if route_of(order_type).cainiao != family {
        return Err(Error::OrderTypeNotAllowed {
            msg_type: msg_type.as_str().to_owned(),
            code,
        });
    }
    Ok(order_type)
}

/// Reads an `inventoryType`; absent means good stock.
pub fn inventory_type(code: Option<u16>) -> Result<InventoryType, Error> {
    match code {
        None => Ok(InventoryType::Good),
        Some(code) => InventoryType::from_cainiao(code).ok_or(Error::UnknownInventoryType { code }),
    }
}

/// Reads an optional `true|false` flag; anything else is false.
pub fn flag(value: &Option<String>) -> bool {
    value.as_deref().map(str::trim) == Some("true")
}

/// A required value for the domain, absent on the wire.
pub fn require<'a>(
    value: &'a Option<String>,
    msg_type: MsgType,
    field: &str,
) -> Result<&'a str, Error> {
    value
        .as_deref()
        .ok_or_else(|| Error::missing(msg_type.as_str(), field))
}

/// Defines a serde `with` module for a list wrapper: the field holds the
/// items, the wrapper element is the field's name and `$item` names each
/// item. An absent wrapper reads as an empty list.
macro_rules! xml_list {
    ($module:ident, $item:literal) => {
        pub mod $module {
            use serde::{Deserialize, Deserializer, Serialize, Serializer};

            #[derive(Deserialize)]
            struct Wrapper<T> {
                #[serde(rename = $item, default = "Vec::new")]
                items: Vec<T>,
            }

            #[derive(Serialize)]
            struct WrapperRef<'a, T> {
                #[serde(rename = $item)]
                items: &'a [T],
            }

            pub fn deserialize<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
            where
                D: Deserializer<'de>,
                T: Deserialize<'de>,
            {
                let wrapper = Option::<Wrapper<T>>::deserialize(deserializer)?;
                Ok(wrapper.map(|w| w.items).unwrap_or_default())
            }

            pub fn serialize<S, T>(items: &[T], serializer: S) -> Result<S::Ok, S::Error>
            where
                S: Serializer,
                T: Serialize,
            {
                WrapperRef { items }.serialize(serializer)
            }
        }
    };
}

/// The list wrappers the payloads use, by item element name.
pub mod lists {
    xml_list!(order_item, "orderItem");
    xml_list!(item, "item");
    xml_list!(check_item, "checkItem");
    xml_list!(tms_order, "tmsOrder");
    xml_list!(tms_item, "tmsItem");
    xml_list!(package_material, "packageMaterial");
    xml_list!(package_info, "packageInfo");
    xml_list!(package_item, "packageItem");
    xml_list!(case_info, "wmsStockInCaseInfo");
    xml_list!(case_item, "wmsStockInCaseItem");
    xml_list!(item_id, "itemId");
    xml_list!(item_code, "itemCode");
    xml_list!(criteria, "criteria");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_elements_and_emptied_wrappers_are_dropped() {
        let text = "<request><a/><b></b><c>\n  </c><d>x</d><e>\n  <f/>\n</e></request>";

        let cleaned = drop_empty_elements(text);

        assert_eq!(cleaned, "<request><d>x</d></request>");
    }

    #[test]
    fn escapes_and_cdata_pass_through_unchanged() {
        let text = "<request><a>A&amp;B &lt;x&gt; 🙏</a><b><![CDATA[<c>]]></b></request>";

        assert_eq!(drop_empty_elements(text), text);
    }

    #[test]
    fn edge_blanks_of_a_value_survive_as_cdata() {
        let text = "<request><a> x &amp; ]]&gt; </a><b>y</b></request>";

        let cleaned = drop_empty_elements(text);

        let expected = "<request><a><![CDATA[ x & ]]]]><![CDATA[> ]]></a><b>y</b></request>";
        assert_eq!(cleaned, expected);
    }

    #[test]
    fn order_type_errors_name_the_code() {
        assert_eq!(
            order_type(999).unwrap_err(),
            Error::UnknownOrderType { code: 999 }
        );

        let err =
            order_type_in(601, MsgType::ConsignOrderNotify, CainiaoFamily::Consign).unwrap_err();

        assert_eq!(
            err.to_string(),
            "WMS_CONSIGN_ORDER_NOTIFY does not carry orderType 601"
        );
    }
}
