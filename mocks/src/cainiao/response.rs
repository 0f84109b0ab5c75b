//! The LINK reply envelope and the one table of error codes.
//!
//! Every Cainiao reply is HTTP 200 with a body in the request's format:
//! `<response><success>true</success></response>` or, on failure, with
//! `errorCode` and `errorMsg`; the JSON form is `{"success":"true"}` (some
//! gateway errors send a JSON boolean instead of the string).
//!
//! # Error codes
//! The codes are decided here and nowhere else ([`ResponseCode`]). Codes the
//! public sources document keep their meaning; the others are liantiao's
//! choice, picked so that every kind of failure is told apart (FC-23):
//!
//! | code | meaning | source |
//! |---|---|---|
//! | `S02` | `data_digest` check failed | Cainiao gateway |
//! | `S002` | unknown `msg_type` (no handler) | relay code for "handler missing" |
//! | `S003` | a required system or payload field is missing | relay code |
//! | `S006` | payload is not well-formed XML (or not UTF-8, wrong root) | chosen |
//! | `S008` | a field holds a value that cannot be read (not a number) | chosen |
//! | `S009` | unknown or disallowed `orderType` | chosen |
//! | `S010` | unknown code: inventory type, status | chosen |
//! | `S0005` | duplicate `outBizCode` with different content | ASCP idempotency code |
//! | `S007` | downstream failure | relay code |
//! | `S012` | business refusal, e.g. cancel after the waybill was printed | chosen |
//! | `S013` | throttled; retry after a pause | chosen |

use serde::{Deserialize, Serialize};

use super::Error;
use crate::xml;

/// Protocol error codes, each with its wire spelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResponseCode {
    DigestMismatch,
    UnknownMsgType,
    MissingField,
    MalformedXml,
    InvalidValue,
    UnknownOrderType,
    UnknownCode,
    DuplicateOutBizCode,
    Downstream,
    BusinessRefusal,
    Throttled,
}

impl ResponseCode {
    pub const ALL: [ResponseCode; 11] = [
        ResponseCode::DigestMismatch,
        ResponseCode::UnknownMsgType,
        ResponseCode::MissingField,
        ResponseCode::MalformedXml,
        ResponseCode::InvalidValue,
        ResponseCode::UnknownOrderType,
        ResponseCode::UnknownCode,
        ResponseCode::DuplicateOutBizCode,
        ResponseCode::Downstream,
        ResponseCode::BusinessRefusal,
        ResponseCode::Throttled,
    ];

    /// The code as written in `errorCode`.
    pub fn as_str(self) -> &'static str {
        match self {
            ResponseCode::DigestMismatch => "S02",
            ResponseCode::UnknownMsgType => "S002",
            ResponseCode::MissingField => "S003",
            ResponseCode::MalformedXml => "S006",
            ResponseCode::InvalidValue => "S008",
            ResponseCode::UnknownOrderType => "S009",
            ResponseCode::UnknownCode => "S010",
            ResponseCode::DuplicateOutBizCode => "S0005",
            ResponseCode::Downstream => "S007",
            ResponseCode::BusinessRefusal => "S012",
            ResponseCode::Throttled => "S013",
        }
    }

    /// Reads a wire code; `None` for codes this table does not hold.
    pub fn from_code(code: &str) -> Option<ResponseCode> {
        ResponseCode::ALL
            .into_iter()
            .find(|c| c.as_str() == code.trim())
    }

    /// Whether a caller should send the same message again later.
    pub fn is_retryable(self) -> bool {
        matches!(self, ResponseCode::Throttled | ResponseCode::Downstream)
    }
}

/// A LINK reply: success, or failure with a code and a message.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Response {
    pub success: bool,
    pub error_code: Option<String>,
    pub error_msg: Option<String>,
}

/// The XML shape, with `success` kept as the wire string.
#[serde_with::skip_serializing_none]
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireResponse {
    success: String,
    #[serde(default, deserialize_with = "xml::empty_as_none")]
    error_code: Option<String>,
    #[serde(default, deserialize_with = "xml::empty_as_none")]
    error_msg: Option<String>,
}

/// The JSON shape: `success` is a string or a boolean.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct JsonResponse {
    success: JsonFlag,
    #[serde(default)]
    error_code: Option<String>,
    #[serde(default)]
    error_msg: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum JsonFlag {
    Bool(bool),
    Text(String),
}

impl Response {
    pub fn ok() -> Response {
        Response {
            success: true,
            ..Response::default()
        }
    }

    /// A failure reply with one of the codes of [`ResponseCode`].
    pub fn failure(code: ResponseCode, message: impl Into<String>) -> Response {
        Response {
            success: false,
            error_code: Some(code.as_str().to_owned()),
            error_msg: Some(message.into()),
        }
    }

    /// The failure reply a receiver sends for one of our errors.
    pub fn from_error(error: &Error) -> Response {
        Response::failure(error.error_code(), error.to_string())
    }

    /// The error code as a known [`ResponseCode`], if it is one.
    pub fn code(&self) -> Option<ResponseCode> {
        self.error_code.as_deref().and_then(ResponseCode::from_code)
    }

    pub fn to_xml(&self) -> Result<String, Error> {
        let wire = WireResponse {
            success: self.success.to_string(),
            error_code: self.error_code.as_deref().map(sanitized),
            error_msg: self.error_msg.as_deref().map(sanitized),
        };
        Ok(xml::to_xml(&wire, "response", "response", false)?)
    }

    pub fn to_json(&self) -> String {
        let mut object = serde_json::Map::new();
        object.insert("success".into(), self.success.to_string().into());
        if let Some(code) = &self.error_code {
            object.insert("errorCode".into(), code.clone().into());
        }
        if let Some(message) = &self.error_msg {
            object.insert("errorMsg".into(), message.clone().into());
        }
        serde_json::Value::Object(object).to_string()
    }

    /// Reads an XML or JSON reply, choosing by the first non-blank byte.
    pub fn parse(body: &[u8]) -> Result<Response, Error> {
        match body.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'{') => Response::parse_json(body),
            _ => Response::parse_xml(body),
        }
    }

    pub fn parse_xml(body: &[u8]) -> Result<Response, Error> {
        let wire: WireResponse = xml::from_xml(body, "response", "response")?;
        Ok(Response {
            success: read_flag(&wire.success)?,
            error_code: wire.error_code,
            error_msg: wire.error_msg,
        })
    }

    pub fn parse_json(body: &[u8]) -> Result<Response, Error> {
        let wire: JsonResponse =
            serde_json::from_slice(body).map_err(|e| Error::MalformedJson {
                line: e.line(),
                column: e.column(),
                reason: e.to_string(),
            })?;
        let success = match wire.success {
            JsonFlag::Bool(flag) => flag,
            JsonFlag::Text(text) => read_flag(&text)?,
        };
        Ok(Response {
            success,
            error_code: wire.error_code.filter(|c| !c.trim().is_empty()),
            error_msg: wire.error_msg.filter(|m| !m.trim().is_empty()),
        })
    }
}

fn sanitized(text: &str) -> String {
    xml::sanitize_text(text).0.into_owned()
}

fn read_flag(text: &str) -> Result<bool, Error> {
    match text.trim() {
        "true" => Ok(true),
        "false" => Ok(false),
        other => Err(Error::InvalidValue {
            message: "response".into(),
            reason: format!("success is `{other}`, expected true or false"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_distinct_and_read_back() {
        let mut codes: Vec<&str> = ResponseCode::ALL.iter().map(|c| c.as_str()).collect();
        for code in ResponseCode::ALL {
            assert_eq!(ResponseCode::from_code(code.as_str()), Some(code));
        }
        codes.sort();
        codes.dedup();

        assert_eq!(codes.len(), ResponseCode::ALL.len());
        assert_eq!(ResponseCode::DigestMismatch.as_str(), "S02");
        assert_eq!(ResponseCode::MissingField.as_str(), "S003");
    }

    #[test]
    fn success_reply_has_the_documented_shape() {
        let xml = Response::ok().to_xml().unwrap();

        assert_eq!(xml, "<response><success>true</success></response>");
        assert_eq!(Response::ok().to_json(), r#"{"success":"true"}"#);
    }

    #[test]
    fn failure_reply_round_trips_in_xml_and_json() {
        let reply = Response::failure(ResponseCode::MissingField, "orderCode missing <&>");

        let from_xml = Response::parse(reply.to_xml().unwrap().as_bytes()).unwrap();
        let from_json = Response::parse(reply.to_json().as_bytes()).unwrap();

        assert_eq!(from_xml, reply);
        assert_eq!(from_json, reply);
        assert_eq!(from_xml.code(), Some(ResponseCode::MissingField));
    }

    #[test]
    fn gateway_json_with_boolean_success_is_read() {
        let body = r#"{"success":false,"errorCode":"S02","errorMsg":"验签或加密失败"}"#;

        let reply = Response::parse(body.as_bytes()).unwrap();

        assert!(!reply.success);
        assert_eq!(reply.code(), Some(ResponseCode::DigestMismatch));
    }

    #[test]
    fn success_other_than_true_or_false_is_an_invalid_value() {
        let err = Response::parse(b"<response><success>yes</success></response>").unwrap_err();

        assert_eq!(err.error_code(), ResponseCode::InvalidValue);
        assert!(err.to_string().contains("`yes`"), "{err}");
    }
}
