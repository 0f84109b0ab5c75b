//! The one error type of the Cainiao codec.
//!
//! Every variant names what went wrong and where, and maps to exactly one
//! protocol code ([`Error::error_code`]), so a receiver answers a parse
//! error differently from a digest error (FC-23).

use crate::xml::XmlError;

use super::response::ResponseCode;

/// What went wrong reading, checking or writing a Cainiao message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The payload is not well-formed XML.
    #[error(
        "malformed XML at line {line}, column {column}{}: {reason}",
        in_element(element)
    )]
    MalformedXml {
        line: usize,
        column: usize,
        element: Option<String>,
        reason: String,
    },
    /// A JSON reply or payload that is not valid JSON.
    #[error("malformed JSON at line {line}, column {column}: {reason}")]
    MalformedJson {
        line: usize,
        column: usize,
        reason: String,
    },
    /// Bytes that are not UTF-8 where UTF-8 is required.
    #[error("{field} is not valid UTF-8 at byte {offset}")]
    NotUtf8 { field: String, offset: usize },
    /// The payload's root element is not the expected one.
    #[error("root element is <{found}>, expected <{expected}>")]
    WrongRoot { expected: String, found: String },
    /// A required form field or payload element is absent or empty.
    #[error("{message}: required field `{field}` is missing or empty")]
    MissingField { message: String, field: String },
    /// A field whose value cannot be read (a number that is not one).
    #[error("{message}: {reason}")]
    InvalidValue { message: String, reason: String },
    /// A `msg_type` that is not in the catalogue.
    #[error("unknown msg_type `{name}`")]
    UnknownMsgType { name: String },
    /// An `orderType` liantiao does not know.
    #[error("unknown orderType {code}")]
    UnknownOrderType { code: u16 },
    /// A known `orderType` that the message does not carry.
    #[error("{msg_type} does not carry orderType {code}")]
    OrderTypeNotAllowed { msg_type: String, code: u16 },
    /// An `inventoryType` liantiao does not know.
    #[error("unknown inventoryType {code}")]
    UnknownInventoryType { code: u16 },
    /// A `status` outside the status table, or one the domain has no
    /// counterpart for.
    #[error("unknown status `{code}`")]
    UnknownStatus { code: String },
    /// `data_digest` differs from base64(md5(content + secret)).
    #[error(
        "data_digest mismatch: expected {expected}, received {received} \
         (content {content_len} bytes, secret {secret_hint})"
    )]
    DigestMismatch {
        expected: String,
        received: String,
        content_len: usize,
        /// The secret with all but its ends masked.
        secret_hint: String,
    },
    /// Text that the chosen charset cannot represent.
    #[error("content cannot be encoded as {charset}")]
    Unencodable { charset: String },
    /// A value that could not be written.
    #[error("cannot write {message}: {reason}")]
    Write { message: String, reason: String },
}

fn in_element(element: &Option<String>) -> String {
    match element {
        Some(name) => format!(" in <{name}>"),
        None => String::new(),
    }
}

impl Error {
    /// The protocol code a receiver answers this error with.
    pub fn error_code(&self) -> ResponseCode {
        match self {
            Error::MalformedXml { .. }
            | Error::MalformedJson { .. }
            | Error::NotUtf8 { .. }
            | Error::WrongRoot { .. } => ResponseCode::MalformedXml,
            Error::MissingField { .. } => ResponseCode::MissingField,
            Error::InvalidValue { .. } | Error::Unencodable { .. } | Error::Write { .. } => {
                ResponseCode::InvalidValue
            }
            Error::UnknownMsgType { .. } => ResponseCode::UnknownMsgType,
            Error::UnknownOrderType { .. } | Error::OrderTypeNotAllowed { .. } => {
                ResponseCode::UnknownOrderType
            }
            Error::UnknownInventoryType { .. } | Error::UnknownStatus { .. } => {
                ResponseCode::UnknownCode
            }
            Error::DigestMismatch { .. } => ResponseCode::DigestMismatch,
        }
    }

    pub(crate) fn missing(message: &str, field: &str) -> Error {
        Error::MissingField {
            message: message.to_owned(),
            field: field.to_owned(),
        }
    }
}

impl From<XmlError> for Error {
    fn from(error: XmlError) -> Self {
        match error {
            XmlError::NotUtf8 { offset } => Error::NotUtf8 {
                field: "logistics_interface".into(),
                offset,
            },
            XmlError::Malformed {
                line,
                column,
                element,
                reason,
            } => Error::MalformedXml {
                line,
                column,
                element,
                reason,
            },
            XmlError::WrongRoot { expected, found } => Error::WrongRoot { expected, found },
            XmlError::Content { message, reason } => match missing_field_name(&reason) {
                Some(field) => Error::MissingField { message, field },
                None => Error::InvalidValue { message, reason },
            },
            XmlError::Write { message, reason } => Error::Write { message, reason },
        }
    }
}

/// serde reports an absent required field as "missing field `name`".
fn missing_field_name(reason: &str) -> Option<String> {
    let rest = reason.split("missing field `").nth(1)?;
    rest.split('`').next().map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_missing_field_becomes_missing_field() {
        let content = XmlError::Content {
            message: "WMS_ORDER_CANCEL_NOTIFY".into(),
            reason: "missing field `orderCode`".into(),
        };

        let error = Error::from(content);

        assert_eq!(
            error,
            Error::missing("WMS_ORDER_CANCEL_NOTIFY", "orderCode")
        );
        assert_eq!(error.error_code(), ResponseCode::MissingField);
    }

    #[test]
    fn parse_and_digest_errors_have_different_codes() {
        let malformed = Error::MalformedXml {
            line: 1,
            column: 2,
            element: None,
            reason: "x".into(),
        };
        let digest = Error::DigestMismatch {
            expected: "a".into(),
            received: "b".into(),
            content_len: 1,
            secret_hint: "*".into(),
        };

        assert_ne!(malformed.error_code(), digest.error_code());
        assert_eq!(digest.error_code().as_str(), "S02");
    }
}
