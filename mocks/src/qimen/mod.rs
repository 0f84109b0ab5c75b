//! The Qimen (奇门) warehouse protocol spoken between ERP and gateway.
//!
//! A Qimen call is a `POST` whose system parameters travel in the query
//! string and whose business payload is the raw XML body. This module owns
//! every piece of that wire format:
//!
//! - [`envelope`]: system query parameters, [`Method`], GMT+8 timestamps and
//!   the freshness check.
//! - [`sign`]: the MD5 / HMAC-MD5 signature over sorted parameters plus the
//!   raw body, in UTF-8 or a declared GBK charset.
//! - [`diagnose`]: explains a signature mismatch by trying the variants
//!   senders commonly get wrong.
//! - [`response`]: the `<response>` envelope and the one table of failure
//!   codes ([`FailureCode`]).
//! - [`messages`]: typed bodies, one file per method family, with
//!   conversion to and from [`crate::domain`].
//!
//! [`Request`] ties envelope, body and signature together for a receiver;
//! [`sign_request`] builds a signed outgoing call for a sender.
//!
//! Parties, routing and de-duplication live elsewhere; this module only
//! reads and writes the wire.

pub mod diagnose;
pub mod envelope;
pub mod messages;
pub mod response;
pub mod sign;

use bytes::Bytes;
use chrono::{DateTime, Duration, FixedOffset};

use crate::xml::XmlError;

pub use envelope::{Method, QueryParams};
pub use response::{FailureCode, Response};
pub use sign::{Charset, SignMethod};

/// Everything that can go wrong reading, checking or writing a Qimen call.
///
/// Each variant maps to one protocol failure code through
/// [`Error::failure_code`], so a server answers a broken body differently
/// from a bad signature.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// The body is not well-formed XML, or not UTF-8, or has the wrong root.
    #[error("{method}: {source}")]
    MalformedXml {
        method: String,
        #[source]
        source: XmlError,
    },
    /// Well-formed XML whose content does not fit the message (a required
    /// element missing, a number that is not one).
    #[error("{method}: {source}")]
    InvalidContent {
        method: String,
        #[source]
        source: XmlError,
    },
    /// A required system query parameter is absent or empty.
    #[error("missing query parameter `{name}`")]
    MissingParam { name: String },
    /// A system query parameter has a value the protocol does not allow.
    #[error("query parameter `{name}` = `{value}`: {reason}")]
    InvalidParam {
        name: String,
        value: String,
        reason: String,
    },
    /// The `method` parameter names no method liantiao speaks.
    #[error("unknown method `{method}`")]
    UnknownMethod { method: String },
    /// An order-type letter that is not valid for the field's family.
    #[error("unknown order type `{code}` in `{field}`")]
    UnknownOrderType { field: String, code: String },
    /// An inventory-type letter that is not one of ZP, CC, JS, XS, ZT, DJ.
    #[error("unknown inventory type `{code}` in `{field}`")]
    UnknownInventoryType { field: String, code: String },
    /// A field the domain model needs is absent from the message.
    #[error("missing field `{field}`")]
    MissingField { field: String },
    /// A field is present but its value cannot be used.
    #[error("field `{field}` = `{value}`: {reason}")]
    InvalidField {
        field: String,
        value: String,
        reason: String,
    },
    /// The received signature does not match the one computed here.
    #[error(
        "signature mismatch: expected {expected}, received {received}; \
         signed parameters [{}]; canonical string {canonical_masked}",
        params.join(", ")
    )]
    SignatureMismatch {
        expected: String,
        received: String,
        canonical_masked: String,
        /// Names of the parameters that went into the sign, sorted.
        params: Vec<String>,
    },
    /// `sign_method` other than `md5` or `hmac`.
    #[error("unsupported sign_method `{method}`")]
    UnsupportedSignMethod { method: String },
    /// A declared charset other than UTF-8 or GBK.
    #[error("unsupported charset `{charset}`")]
    UnsupportedCharset { charset: String },
    /// Text that the declared charset cannot represent.
    #[error("`{text}` cannot be encoded as {charset}")]
    Unencodable { charset: String, text: String },
    /// The timestamp is not `yyyy-MM-dd HH:mm:ss`.
    #[error("timestamp `{value}` is not `yyyy-MM-dd HH:mm:ss`: {reason}")]
    BadTimestamp { value: String, reason: String },
    /// The timestamp is outside the accepted window around now.
    #[error(
        "timestamp `{timestamp}` is {} off (allowed ±{}){}",
        describe_skew(*skew_seconds),
        describe_seconds(*tolerance_seconds),
        hint.map(|h| format!("; {h}")).unwrap_or_default()
    )]
    TimestampSkew {
        timestamp: String,
        /// Timestamp minus now: negative when the sender is behind.
        skew_seconds: i64,
        tolerance_seconds: i64,
        hint: Option<&'static str>,
    },
    /// A typed message could not be written as XML.
    #[error("{method}: {source}")]
    Write {
        method: String,
        #[source]
        source: XmlError,
    },
}

impl Error {
    /// The protocol failure code a server answers this error with.
    pub fn failure_code(&self) -> FailureCode {
        match self {
            Error::MalformedXml { .. } => FailureCode::MalformedXml,
            Error::InvalidContent { .. }
            | Error::UnknownOrderType { .. }
            | Error::UnknownInventoryType { .. }
            | Error::InvalidField { .. }
            | Error::Unencodable { .. }
            | Error::Write { .. } => FailureCode::InvalidField,
            Error::MissingField { .. } | Error::MissingParam { .. } => FailureCode::MissingField,
            Error::InvalidParam { .. }
            | Error::UnsupportedSignMethod { .. }
            | Error::UnsupportedCharset { .. } => FailureCode::InvalidParam,
            Error::UnknownMethod { .. } => FailureCode::UnknownMethod,
            Error::SignatureMismatch { .. } => FailureCode::SignCheckFailure,
            Error::BadTimestamp { .. } | Error::TimestampSkew { .. } => {
                FailureCode::InvalidTimestamp
            }
        }
    }
}

fn describe_skew(seconds: i64) -> String {
    let direction = if seconds < 0 { "behind" } else { "ahead" };
    format!("{} {direction}", describe_seconds(seconds.abs()))
}

fn describe_seconds(seconds: i64) -> String {
    let (h, m, s) = (seconds / 3600, seconds % 3600 / 60, seconds % 60);
    match (h, m, s) {
        (0, 0, s) => format!("{s}s"),
        (0, m, s) => format!("{m}m{s:02}s"),
        (h, m, s) => format!("{h}h{m:02}m{s:02}s"),
    }
}

/// One received Qimen call: query parameters and the body exactly as it
/// arrived.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub query: QueryParams,
    pub body: Bytes,
    /// Charset declared in the Content-Type; UTF-8 when none was declared.
    pub charset: Charset,
}

impl Request {
    /// Reads a raw query string and body; the charset defaults to UTF-8.
    pub fn new(raw_query: &str, body: impl Into<Bytes>) -> Request {
        Request {
            query: QueryParams::parse(raw_query),
            body: body.into(),
            charset: Charset::Utf8,
        }
    }

    /// The method named by the `method` parameter.
    pub fn method(&self) -> Result<Method, Error> {
        self.query.method()
    }

    /// Checks the envelope the way a receiver must: the method is known,
    /// the timestamp is fresh, then the signature matches `secret`.
    ///
    /// The timestamp is checked before the signature so that a sender
    /// whose clock runs in UTC hears about its clock, not about its sign
    /// (FC-07).
    pub fn verify(
        &self,
        secret: &str,
        now: DateTime<FixedOffset>,
        tolerance: Duration,
    ) -> Result<Method, Error> {
        let method = self.method()?;
        let timestamp = self.query.require("timestamp")?;
        envelope::check_timestamp(timestamp, now, tolerance)?;
        sign::verify(secret, &self.query, &self.body, self.charset)?;
        Ok(method)
    }
}

/// A signed outgoing call: the query string to append to the router URL
/// and the body bytes to send. The sign covers exactly these bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct SignedRequest {
    pub query: String,
    pub body: String,
    /// Whether characters XML forbids were replaced while writing the body.
    pub sanitized: bool,
}

/// What a sender needs besides the message to sign a call.
#[derive(Debug, Clone, PartialEq)]
pub struct Credentials {
    pub app_key: String,
    pub secret: String,
    pub customer_id: String,
    pub sign_method: SignMethod,
}

/// Writes `message` and signs it for `method` at `timestamp`.
pub fn sign_request<M: messages::Message>(
    credentials: &Credentials,
    message: &M,
    timestamp: DateTime<FixedOffset>,
) -> Result<SignedRequest, Error> {
    let written = message.to_xml_checked()?;
    let mut query = QueryParams::system(
        M::METHOD,
        timestamp,
        &credentials.app_key,
        &credentials.customer_id,
        credentials.sign_method,
    );
    let sign = sign::sign(
        &credentials.secret,
        &query,
        written.xml.as_bytes(),
        credentials.sign_method,
        Charset::Utf8,
    )?;
    query.set("sign", &sign);
    Ok(SignedRequest {
        query: query.to_query_string(),
        body: written.xml,
        sanitized: written.sanitized,
    })
}
