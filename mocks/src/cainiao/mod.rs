//! The Cainiao LINK protocol, spoken between the gateway and the WMS.
//!
//! A message is a form post ([`envelope`]) whose `logistics_interface`
//! field holds an XML payload ([`messages`]) signed by `data_digest`
//! ([`digest`]); the receiver answers with a [`response::Response`]. Every
//! failure is an [`Error`] that maps to one protocol code
//! ([`ResponseCode`]), so a parse error never looks like a digest error.
//! [`diagnose`] explains a digest that does not match, for the
//! `liantiao sign cainiao` command.
//!
//! Identifiers: Cainiao's `orderCode` (`LBX…`) is Cainiao's own number; the
//! ERP's number is `erpOrderCode`, and that is the domain `order_code`.
//! Confirms, status uploads and cancels carry only `orderCode`, so their
//! domain conversions take the ERP code as an argument; the gateway keeps
//! the pair from the notify.
//!
//! What this module leaves out: HTTP, retries and de-duplication (the
//! parties own them), and JSON payloads (see [`messages`]).

pub mod diagnose;
pub mod digest;
pub mod envelope;
pub mod error;
pub mod messages;
pub mod response;

pub use envelope::{Direction, Form, MsgType};
pub use error::Error;
pub use messages::Payload;
pub use response::{Response, ResponseCode};

/// Builds a signed LINK form.
///
/// ```
/// use mocks::cainiao::{Form, Message, MsgType};
///
/// let form = Message::new(MsgType::OrderStatusUpload, "<request/>")
///     .provider_id("SANDBOX026991")
///     .sign("secret");
/// let received = Form::parse(form.to_body().as_bytes()).unwrap();
/// assert!(received.verify("secret").is_ok());
/// ```
#[derive(Debug, Clone)]
pub struct Message {
    msg_type: MsgType,
    payload: String,
    provider_id: Option<String>,
    msg_id: Option<String>,
    to_code: Option<String>,
    from_code: Option<String>,
    partner_code: Option<String>,
}

impl Message {
    pub fn new(msg_type: MsgType, payload: impl Into<String>) -> Message {
        Message {
            msg_type,
            payload: payload.into(),
            provider_id: None,
            msg_id: None,
            to_code: None,
            from_code: None,
            partner_code: None,
        }
    }

    /// A message for a typed payload, written as XML.
    pub fn from_payload<P: Payload>(payload: &P) -> Result<Message, Error> {
        Ok(Message::new(P::MSG_TYPE, payload.to_xml()?))
    }

    /// `logistic_provider_id`: the caller's app key.
    pub fn provider_id(mut self, id: impl Into<String>) -> Message {
        self.provider_id = Some(id.into());
        self
    }

    pub fn msg_id(mut self, id: impl Into<String>) -> Message {
        self.msg_id = Some(id.into());
        self
    }

    pub fn to_code(mut self, code: impl Into<String>) -> Message {
        self.to_code = Some(code.into());
        self
    }

    pub fn from_code(mut self, code: impl Into<String>) -> Message {
        self.from_code = Some(code.into());
        self
    }

    pub fn partner_code(mut self, code: impl Into<String>) -> Message {
        self.partner_code = Some(code.into());
        self
    }

    /// The form with `data_digest` over the payload exactly as it is sent.
    pub fn sign(self, secret: &str) -> Form {
        Form {
            msg_type: self.msg_type,
            data_digest: digest::digest(&self.payload, secret),
            logistics_interface: self.payload,
            logistic_provider_id: self.provider_id,
            to_code: self.to_code,
            from_code: self.from_code,
            msg_id: self.msg_id,
            partner_code: self.partner_code,
            format: None,
        }
    }

    /// Reads a received body and checks its digest: the whole receiving
    /// side short of reading the payload.
    pub fn receive(body: &[u8], secret: &str) -> Result<Form, Error> {
        let form = Form::parse(body)?;
        form.verify(secret)?;
        Ok(form)
    }
}
