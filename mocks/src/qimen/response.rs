//! The Qimen response envelope and the one table of failure codes.
//!
//! Every answer is HTTP 200 with
//! `<response><flag/><code/><message/>[extra]</response>`. Callers judge
//! success by `flag` alone; liantiao writes `code` `0` on success and one
//! of [`FailureCode`] on failure, so a broken body, a bad sign and a
//! business refusal are told apart (FC-23).
//!
//! # Known gaps
//! The split-shipment answer of `deliveryorder.create`
//! (`deliveryOrders/deliveryOrder[]`) and the `stock.query` paging totals
//! are not modelled; no flow liantiao drives reads them yet.

use serde::{Deserialize, Serialize};

use super::messages::{self, Items};
use super::Error;

/// Code written with `flag=success`.
pub const SUCCESS_CODE: &str = "0";

/// Protocol and business failure codes, in one place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FailureCode {
    /// Wrong signature; the message Qimen's acceptance check expects is
    /// `Illegal request`.
    SignCheckFailure,
    /// The body is not well-formed XML.
    MalformedXml,
    /// A required field or parameter is absent.
    MissingField,
    /// A field or parameter holds a value that cannot be used.
    InvalidField,
    /// `method` names no method the receiver serves.
    UnknownMethod,
    /// The timestamp is unreadable or outside the window.
    InvalidTimestamp,
    /// `customerId` is not known to the receiver.
    UnknownCustomer,
    /// Rate limit; the message says how long the ban lasts.
    Throttled,
    /// Business: the order does not exist.
    OrderNotExist,
    /// Business: the order exists already with different content.
    OrderExist,
    /// Business: the order is too far along to cancel.
    OrderCannotCancel,
    /// Business: a parameter is valid XML but not acceptable.
    InvalidParam,
}

impl FailureCode {
    pub const ALL: [FailureCode; 12] = [
        FailureCode::SignCheckFailure,
        FailureCode::MalformedXml,
        FailureCode::MissingField,
        FailureCode::InvalidField,
        FailureCode::UnknownMethod,
        FailureCode::InvalidTimestamp,
        FailureCode::UnknownCustomer,
        FailureCode::Throttled,
        FailureCode::OrderNotExist,
        FailureCode::OrderExist,
        FailureCode::OrderCannotCancel,
        FailureCode::InvalidParam,
    ];

    /// The `code` written on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            FailureCode::SignCheckFailure => "sign-check-failure",
            FailureCode::MalformedXml => "malformed-xml",
            FailureCode::MissingField => "missing-field",
            FailureCode::InvalidField => "invalid-field",
            FailureCode::UnknownMethod => "invalid-method",
            FailureCode::InvalidTimestamp => "invalid-timestamp",
            FailureCode::UnknownCustomer => "invalid-customer",
            FailureCode::Throttled => "7",
            FailureCode::OrderNotExist => "order-not-exist",
            FailureCode::OrderExist => "order-exist",
            FailureCode::OrderCannotCancel => "order-cannot-cancel",
            FailureCode::InvalidParam => "invalid-param",
        }
    }

    /// Reads a wire code.
    pub fn from_code(code: &str) -> Option<FailureCode> {
        FailureCode::ALL
            .into_iter()
            .find(|c| c.as_str() == code.trim())
    }

    /// The message written when the caller has nothing more precise.
    pub fn default_message(self) -> &'static str {
        match self {
            FailureCode::SignCheckFailure => "Illegal request",
            FailureCode::MalformedXml => "body is not well-formed XML",
            FailureCode::MissingField => "required field missing",
            FailureCode::InvalidField => "invalid field value",
            FailureCode::UnknownMethod => "unknown method",
            FailureCode::InvalidTimestamp => "invalid or expired timestamp",
            FailureCode::UnknownCustomer => "unknown customerId",
            FailureCode::Throttled => "ban will last 1 seconds",
            FailureCode::OrderNotExist => "order does not exist",
            FailureCode::OrderExist => "order exists with different content",
            FailureCode::OrderCannotCancel => "order can no longer be cancelled",
            FailureCode::InvalidParam => "invalid parameter",
        }
    }

    /// Whether a caller should retry later rather than give up.
    pub fn is_retryable(self) -> bool {
        self == FailureCode::Throttled
    }
}

/// One row of `items`: a failed item of `items.synchronize`, or a stock
/// row of an `inventory.query` answer.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResponseItem {
    pub warehouse_code: Option<String>,
    pub item_code: Option<String>,
    pub item_id: Option<String>,
    pub inventory_type: Option<String>,
    /// Unlocked quantity.
    pub quantity: Option<i64>,
    pub lock_quantity: Option<i64>,
    pub batch_code: Option<String>,
    pub product_date: Option<String>,
    pub expire_date: Option<String>,
    pub produce_code: Option<String>,
    /// Why this item failed.
    pub message: Option<String>,
}

/// A Qimen `<response>`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Response {
    /// `success` or `failure`.
    pub flag: String,
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub message: String,
    pub entry_order_id: Option<String>,
    pub return_order_id: Option<String>,
    pub delivery_order_id: Option<String>,
    pub create_time: Option<String>,
    pub warehouse_code: Option<String>,
    pub logistics_code: Option<String>,
    pub item_id: Option<String>,
    #[serde(default, skip_serializing_if = "Items::is_empty")]
    pub items: Items<ResponseItem>,
}

impl Response {
    /// `flag=success`, `code=0`.
    pub fn success() -> Response {
        Response {
            flag: "success".to_owned(),
            code: SUCCESS_CODE.to_owned(),
            message: "success".to_owned(),
            ..Response::default()
        }
    }

    /// `flag=failure` with the code's default message.
    pub fn failure(code: FailureCode) -> Response {
        Response::failure_with(code, code.default_message())
    }

    /// `flag=failure` with a specific message.
    pub fn failure_with(code: FailureCode, message: &str) -> Response {
        Response {
            flag: "failure".to_owned(),
            code: code.as_str().to_owned(),
            message: message.to_owned(),
            ..Response::default()
        }
    }

    /// The rate-limit answer: code `7`, "ban will last N seconds".
    pub fn throttled(seconds: u32) -> Response {
        let message = format!("ban will last {seconds} seconds");
        Response::failure_with(FailureCode::Throttled, &message)
    }

    /// The answer to an error. A bad sign gets the fixed message Qimen
    /// expects; other errors say what was wrong.
    pub fn from_error(error: &Error) -> Response {
        match error.failure_code() {
            FailureCode::SignCheckFailure => Response::failure(FailureCode::SignCheckFailure),
            code => Response::failure_with(code, &error.to_string()),
        }
    }

    /// Success is judged by `flag` alone, as the SDKs do.
    pub fn is_success(&self) -> bool {
        self.flag.trim() == "success"
    }

    /// The failure code, when it is one liantiao knows.
    pub fn failure_code(&self) -> Option<FailureCode> {
        if self.is_success() {
            return None;
        }
        FailureCode::from_code(&self.code)
    }

    /// For a throttled answer, how many seconds the ban lasts.
    pub fn ban_seconds(&self) -> Option<u32> {
        if self.failure_code() != Some(FailureCode::Throttled) {
            return None;
        }
        let rest = self.message.split("ban will last").nth(1)?;
        rest.split_whitespace().next()?.parse().ok()
    }

    /// Reads a `<response>` body.
    pub fn parse(bytes: &[u8]) -> Result<Response, Error> {
        messages::read(bytes, "response", "response")
    }

    /// Writes the response with the UTF-8 prolog.
    pub fn to_xml(&self) -> Result<String, Error> {
        messages::write(self, "response", "response").map(|w| w.xml)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_failure_answers_illegal_request() {
        let response = Response::failure(FailureCode::SignCheckFailure);

        let xml = response.to_xml().unwrap();

        assert_eq!(
            xml,
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><response><flag>failure</flag>\
<code>sign-check-failure</code><message>Illegal request</message></response>"
        );
    }

    #[test]
    fn every_failure_code_is_distinct_and_reads_back() {
        let mut codes: Vec<&str> = FailureCode::ALL.iter().map(|c| c.as_str()).collect();
        codes.sort();
        codes.dedup();

        assert_eq!(codes.len(), FailureCode::ALL.len());
        for code in FailureCode::ALL {
            assert_eq!(FailureCode::from_code(code.as_str()), Some(code));
        }
    }

    #[test]
    fn throttled_response_round_trips_with_ban_seconds() {
        let xml = Response::throttled(3).to_xml().unwrap();

        let back = Response::parse(xml.as_bytes()).unwrap();

        assert_eq!(back.code, "7");
        assert_eq!(back.message, "ban will last 3 seconds");
        assert_eq!(back.ban_seconds(), Some(3));
        assert!(back.failure_code().unwrap().is_retryable());
    }

    #[test]
    fn success_with_inventory_items_round_trips() {
        let mut response = Response::success();
        response.items.list.push(ResponseItem {
            item_code: Some("DM1001".into()),
            inventory_type: Some("ZP".into()),
            quantity: Some(378),
            lock_quantity: Some(3),
            ..ResponseItem::default()
        });

        let back = Response::parse(response.to_xml().unwrap().as_bytes()).unwrap();

        assert_eq!(back, response);
        assert!(back.is_success());
    }

    #[test]
    fn success_is_judged_by_flag_only() {
        let body = b"<response><flag>success</flag><code>0000</code><message/></response>";

        let response = Response::parse(body).unwrap();

        assert!(response.is_success());
        assert_eq!(response.message, "");
    }
}
