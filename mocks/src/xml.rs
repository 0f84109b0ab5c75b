//! XML reading and writing shared by the Qimen and Cainiao codecs.
//!
//! Typed messages are plain serde structs read and written with quick-xml.
//! This module adds what serde alone does not give an operator:
//! - a well-formedness pass that reports line, column and the innermost open
//!   element before any typed reading starts, so a broken body is named
//!   precisely ([`XmlError::Malformed`]);
//! - field helpers that read an empty element (`<color/>`,
//!   `<size></size>`) as absent and numbers with surrounding blanks;
//! - [`sanitize_text`], which replaces characters XML 1.0 forbids (such as
//!   U+0001) before a sender writes them.
//!
//! Nothing here panics on any input.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use quick_xml::events::Event;
use quick_xml::Reader;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};

/// What was wrong with an XML body, with enough to find it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XmlError {
    /// The bytes are not UTF-8 (the declared charset of both protocols).
    #[error("body is not valid UTF-8 at byte {offset}")]
    NotUtf8 { offset: usize },
    /// The body is not well-formed XML.
    #[error(
        "malformed XML at line {line}, column {column}{}: {reason}",
        in_element(element)
    )]
    Malformed {
        line: usize,
        column: usize,
        element: Option<String>,
        reason: String,
    },
    /// The root element is not the one the protocol requires.
    #[error("root element is <{found}>, expected <{expected}>")]
    WrongRoot { expected: String, found: String },
    /// Well-formed XML whose content does not fit the message: a missing
    /// required field, an unknown code, a number that is not one.
    #[error("{message}: {reason}")]
    Content { message: String, reason: String },
    /// A value could not be written as XML.
    #[error("cannot write {message} as XML: {reason}")]
    Write { message: String, reason: String },
}

fn in_element(element: &Option<String>) -> String {
    match element {
        Some(name) => format!(" in <{name}>"),
        None => String::new(),
    }
}

/// Line and column (both from 1, column in characters) of a byte offset.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let mut end = offset;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let before = &text[..end];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// Checks that `bytes` are UTF-8, well-formed XML with the given root
/// element, and returns the text.
pub fn check_document<'a>(bytes: &'a [u8], root: &str) -> Result<&'a str, XmlError> {
    let text = std::str::from_utf8(bytes).map_err(|e| XmlError::NotUtf8 {
        offset: e.valid_up_to(),
    })?;
    let found_root = check_well_formed(text)?;
    if found_root != root {
        return Err(XmlError::WrongRoot {
            expected: root.to_owned(),
            found: found_root,
        });
    }
    Ok(text)
}

/// Reads the whole document once; returns the root element's name.
pub fn check_well_formed(text: &str) -> Result<String, XmlError> {
    let mut reader = Reader::from_str(text);
    let mut open: Vec<String> = Vec::new();
    let mut root: Option<String> = None;
    loop {
        let position = reader.buffer_position() as usize;
        let event = match reader.read_event() {
            Ok(event) => event,
            Err(e) => {
                let at = reader.error_position() as usize;
                return Err(malformed(text, at, &open, e.to_string()));
            }
        };
        match event {
            Event::Start(start) => {
                let name = String::from_utf8_lossy(start.name().as_ref()).into_owned();
                check_attributes(text, position, &open, &start)?;
                if open.is_empty() && root.is_some() {
                    return Err(malformed(
                        text,
                        position,
                        &open,
                        "second root element".into(),
                    ));
                }
                root.get_or_insert_with(|| name.clone());
                open.push(name);
            }
            Event::Empty(start) => {
                let name = String::from_utf8_lossy(start.name().as_ref()).into_owned();
                check_attributes(text, position, &open, &start)?;
                if open.is_empty() && root.is_some() {
                    return Err(malformed(
                        text,
                        position,
                        &open,
                        "second root element".into(),
                    ));
                }
                root.get_or_insert(name);
            }
            Event::End(_) => {
                open.pop();
            }
            Event::Text(t) => {
                if let Err(e) = t.unescape() {
                    return Err(malformed(text, position, &open, e.to_string()));
                }
                let blank = t.iter().all(|b| b.is_ascii_whitespace());
                if open.is_empty() && !blank {
                    let reason = "text outside the root element".to_owned();
                    return Err(malformed(text, position, &open, reason));
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if let Some(name) = open.last() {
        let reason = format!("document ends before </{name}>");
        return Err(malformed(text, text.len(), &open, reason));
    }
    root.ok_or_else(|| malformed(text, text.len(), &open, "no root element".into()))
}

fn check_attributes(
    text: &str,
    position: usize,
    open: &[String],
    start: &quick_xml::events::BytesStart<'_>,
) -> Result<(), XmlError> {
    for attribute in start.attributes() {
        let attribute = attribute.map_err(|e| malformed(text, position, open, e.to_string()))?;
        if let Err(e) = attribute.unescape_value() {
            return Err(malformed(text, position, open, e.to_string()));
        }
    }
    Ok(())
}

fn malformed(text: &str, offset: usize, open: &[String], reason: String) -> XmlError {
    let (line, column) = line_column(text, offset);
    XmlError::Malformed {
        line,
        column,
        element: open.last().cloned(),
        reason,
    }
}

/// Reads a typed message from a body whose root must be `root`.
///
/// `message` names the message in errors (`deliveryorder.confirm`,
/// `WMS_CONSIGN_ORDER_CONFIRM`).
pub fn from_xml<T: DeserializeOwned>(
    bytes: &[u8],
    root: &str,
    message: &str,
) -> Result<T, XmlError> {
    let text = check_document(bytes, root)?;
    quick_xml::de::from_str(text).map_err(|e| XmlError::Content {
        message: message.to_owned(),
        reason: e.to_string(),
    })
}

/// Writes a typed message under `root`, with the usual UTF-8 prolog when
/// `prolog` is set. Text is escaped; characters XML forbids must already
/// have been replaced by the sender (see [`sanitize_text`]).
pub fn to_xml<T: Serialize>(
    value: &T,
    root: &str,
    message: &str,
    prolog: bool,
) -> Result<String, XmlError> {
    let body = quick_xml::se::to_string_with_root(root, value).map_err(|e| XmlError::Write {
        message: message.to_owned(),
        reason: e.to_string(),
    })?;
    if prolog {
        Ok(format!("<?xml version=\"1.0\" encoding=\"utf-8\"?>{body}"))
    } else {
        Ok(body)
    }
}

/// Whether XML 1.0 allows the character in text.
pub fn is_xml_char(c: char) -> bool {
    matches!(c,
        '\u{9}' | '\u{A}' | '\u{D}'
        | '\u{20}'..='\u{D7FF}'
        | '\u{E000}'..='\u{FFFD}'
        | '\u{10000}'..='\u{10FFFF}')
}

/// Replaces characters XML 1.0 forbids with U+FFFD. The flag tells the
/// caller to log a warning naming the field.
pub fn sanitize_text(text: &str) -> (Cow<'_, str>, bool) {
    if text.chars().all(is_xml_char) {
        return (Cow::Borrowed(text), false);
    }
    let cleaned = text
        .chars()
        .map(|c| if is_xml_char(c) { c } else { '\u{FFFD}' })
        .collect();
    (Cow::Owned(cleaned), true)
}

/// serde helper: an absent, empty or all-blank element reads as `None`.
///
/// Use with `#[serde(default, deserialize_with = "xml::empty_as_none")]`.
pub fn empty_as_none<'de, D>(deserializer: D) -> Result<Option<String>, D::Error>
where
    D: Deserializer<'de>,
{
    let value: Option<String> = Option::deserialize(deserializer)?;
    Ok(value.filter(|s| !s.trim().is_empty()))
}

/// serde helper: an optional number; empty reads as `None`, blanks around
/// the digits are ignored, anything else is an error naming the value.
pub fn opt_number<'de, D, N>(deserializer: D) -> Result<Option<N>, D::Error>
where
    D: Deserializer<'de>,
    N: FromStr,
    N::Err: fmt::Display,
{
    match empty_as_none(deserializer)? {
        None => Ok(None),
        Some(s) => s
            .trim()
            .parse()
            .map(Some)
            .map_err(|e| serde::de::Error::custom(format!("`{s}` is not a number: {e}"))),
    }
}

/// serde helper: a required number, blanks ignored.
pub fn number<'de, D, N>(deserializer: D) -> Result<N, D::Error>
where
    D: Deserializer<'de>,
    N: FromStr,
    N::Err: fmt::Display,
{
    let s = String::deserialize(deserializer)?;
    s.trim()
        .parse()
        .map_err(|e| serde::de::Error::custom(format!("`{s}` is not a number: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize, Serialize, PartialEq)]
    struct Probe {
        #[serde(default, deserialize_with = "empty_as_none")]
        #[serde(skip_serializing_if = "Option::is_none")]
        color: Option<String>,
        #[serde(default, deserialize_with = "opt_number")]
        #[serde(skip_serializing_if = "Option::is_none")]
        qty: Option<u32>,
    }

    #[test]
    fn malformed_xml_names_line_column_and_element() {
        let body = "<request>\n  <orderCode>A</orderCod>\n</request>";

        let err = check_document(body.as_bytes(), "request").unwrap_err();

        match err {
            XmlError::Malformed { line, element, .. } => {
                assert_eq!(line, 2);
                assert_eq!(element.as_deref(), Some("orderCode"));
            }
            other => panic!("expected Malformed, got {other:?}"),
        }
    }

    #[test]
    fn truncated_document_is_malformed_not_accepted() {
        let err = check_document(b"<request><a>1</a>", "request").unwrap_err();
        assert!(matches!(err, XmlError::Malformed { .. }), "{err:?}");
    }

    #[test]
    fn wrong_root_is_named() {
        let err = check_document(b"<response/>", "request").unwrap_err();
        assert_eq!(
            err.to_string(),
            "root element is <response>, expected <request>"
        );
    }

    #[test]
    fn empty_elements_read_as_absent() {
        let probe: Probe =
            from_xml(b"<request><color/><qty> 7 </qty></request>", "request", "t").unwrap();
        assert_eq!(
            probe,
            Probe {
                color: None,
                qty: Some(7)
            }
        );

        let probe: Probe = from_xml(b"<request><qty></qty></request>", "request", "t").unwrap();
        assert_eq!(
            probe,
            Probe {
                color: None,
                qty: None
            }
        );
    }

    #[test]
    fn bad_number_is_a_content_error_naming_the_value() {
        let err =
            from_xml::<Probe>(b"<request><qty>x7</qty></request>", "request", "probe").unwrap_err();
        assert!(err.to_string().contains("`x7` is not a number"), "{err}");
    }

    #[test]
    fn control_characters_are_replaced_and_flagged() {
        let (clean, changed) = sanitize_text("a\u{1}b 🙏 ");
        assert_eq!(clean, "a\u{FFFD}b 🙏 ");
        assert!(changed);
        assert!(!sanitize_text("示例路1号").1);
    }

    #[test]
    fn line_column_counts_characters_not_bytes() {
        assert_eq!(line_column("买家\n取消x", 13), (2, 3));
    }
}
