//! The LINK form envelope and the catalogue of message names.
//!
//! A LINK message is an `application/x-www-form-urlencoded` body whose
//! fields are `msg_type`, `logistics_interface` (the payload), `data_digest`
//! and a few routing fields. The body is decoded exactly once: `+` means a
//! space, `%2B` a plus, so a properly encoded base64 digest keeps its `+`
//! and the payload keeps every character (FC-05). Building encodes every
//! field value.
//!
//! A receiver requires `msg_type`, `data_digest` and `logistics_interface`;
//! pushes (Cainiao → WMS) also need `msg_id`, and uploads (WMS → Cainiao)
//! `logistic_provider_id`, the caller identity used to find the secret.
//! Unknown fields are ignored; when a field repeats, the first wins.

use std::fmt;

use percent_encoding::percent_decode;

use super::Error;

/// Who sends a message: Cainiao pushes to the WMS, or the WMS uploads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Cainiao → WMS.
    Push,
    /// WMS → Cainiao.
    Upload,
}

/// Every `msg_type` of the catalogue (spec §3), plus the assumed inventory
/// query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MsgType {
    SubscriptionNotify,
    SkuInfoNotify,
    ItemQuery,
    ConsignOrderNotify,
    StockInOrderNotify,
    StockOutOrderNotify,
    OrderCancelNotify,
    OrderStatusUpload,
    ConsignOrderConfirm,
    StockInOrderConfirm,
    StockOutOrderConfirm,
    InventoryCount,
    InventoryAdjustUpload,
    DefectiveTransferConfirm,
    StockInTallyOrderUpload,
    SkuInfoConfirm,
    /// Name assumed: no public source confirms it.
    InventoryQuery,
}

impl MsgType {
    pub const ALL: [MsgType; 17] = [
        MsgType::SubscriptionNotify,
        MsgType::SkuInfoNotify,
        MsgType::ItemQuery,
        MsgType::ConsignOrderNotify,
        MsgType::StockInOrderNotify,
        MsgType::StockOutOrderNotify,
        MsgType::OrderCancelNotify,
        MsgType::OrderStatusUpload,
        MsgType::ConsignOrderConfirm,
        MsgType::StockInOrderConfirm,
        MsgType::StockOutOrderConfirm,
        MsgType::InventoryCount,
        MsgType::InventoryAdjustUpload,
        MsgType::DefectiveTransferConfirm,
        MsgType::StockInTallyOrderUpload,
        MsgType::SkuInfoConfirm,
        MsgType::InventoryQuery,
    ];

    /// The wire name, exact and case-sensitive.
    pub fn as_str(self) -> &'static str {
        match self {
            MsgType::SubscriptionNotify => "WMS_SUBSCRIPTION_NOTIFY",
            MsgType::SkuInfoNotify => "WMS_SKU_INFO_NOTIFY",
            MsgType::ItemQuery => "WMS_ITEM_QUERY",
            MsgType::ConsignOrderNotify => "WMS_CONSIGN_ORDER_NOTIFY",
            MsgType::StockInOrderNotify => "WMS_STOCK_IN_ORDER_NOTIFY",
            MsgType::StockOutOrderNotify => "WMS_STOCK_OUT_ORDER_NOTIFY",
            MsgType::OrderCancelNotify => "WMS_ORDER_CANCEL_NOTIFY",
            MsgType::OrderStatusUpload => "WMS_ORDER_STATUS_UPLOAD",
            MsgType::ConsignOrderConfirm => "WMS_CONSIGN_ORDER_CONFIRM",
            MsgType::StockInOrderConfirm => "WMS_STOCK_IN_ORDER_CONFIRM",
            MsgType::StockOutOrderConfirm => "WMS_STOCK_OUT_ORDER_CONFIRM",
            MsgType::InventoryCount => "WMS_INVENTORY_COUNT",
            MsgType::InventoryAdjustUpload => "WMS_INVENTORY_ADJUST_UPLOAD",
            MsgType::DefectiveTransferConfirm => "WMS_DEFECTIVE_TRANSFER_CONFIRM",
            MsgType::StockInTallyOrderUpload => "WMS_STOCK_IN_TALLY_ORDER_UPLOAD",
            MsgType::SkuInfoConfirm => "WMS_SKU_INFO_CONFIRM",
            MsgType::InventoryQuery => "WMS_INVENTORY_QUERY",
        }
    }

    /// Reads a wire name; an unknown name is an error naming it.
    pub fn parse(name: &str) -> Result<MsgType, Error> {
        MsgType::ALL
            .into_iter()
            .find(|t| t.as_str() == name)
            .ok_or_else(|| Error::UnknownMsgType {
                name: name.to_owned(),
            })
    }

    /// Who sends this message.
    pub fn direction(self) -> Direction {
        match self {
            MsgType::SubscriptionNotify
            | MsgType::SkuInfoNotify
            | MsgType::ConsignOrderNotify
            | MsgType::StockInOrderNotify
            | MsgType::StockOutOrderNotify
            | MsgType::OrderCancelNotify
            | MsgType::InventoryQuery => Direction::Push,
            _ => Direction::Upload,
        }
    }
}

impl fmt::Display for MsgType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The form fields of one LINK message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    pub msg_type: MsgType,
    /// The payload exactly as signed.
    pub logistics_interface: String,
    pub data_digest: String,
    pub logistic_provider_id: Option<String>,
    pub to_code: Option<String>,
    pub from_code: Option<String>,
    pub msg_id: Option<String>,
    pub partner_code: Option<String>,
    pub format: Option<String>,
}

/// The fields of a decoded body, before any is required.
#[derive(Debug, Default)]
struct RawFields(Vec<(String, Vec<u8>)>);

impl RawFields {
    fn decode(body: &[u8]) -> RawFields {
        let mut fields = Vec::new();
        for pair in body.split(|b| *b == b'&').filter(|p| !p.is_empty()) {
            let mut halves = pair.splitn(2, |b| *b == b'=');
            let name = decode_component(halves.next().unwrap_or_default());
            let value = decode_component(halves.next().unwrap_or_default());
            fields.push((String::from_utf8_lossy(&name).into_owned(), value));
        }
        RawFields(fields)
    }

    /// The first value of a field, if present.
    fn bytes(&self, name: &str) -> Option<&[u8]> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_slice())
    }

    fn text(&self, name: &str) -> Result<Option<String>, Error> {
        let Some(bytes) = self.bytes(name) else {
            return Ok(None);
        };
        let text = std::str::from_utf8(bytes).map_err(|e| Error::NotUtf8 {
            field: name.to_owned(),
            offset: e.valid_up_to(),
        })?;
        Ok(Some(text.to_owned()).filter(|t| !t.is_empty()))
    }

    fn required(&self, name: &str) -> Result<String, Error> {
        self.text(name)?
            .filter(|t| !t.trim().is_empty())
            .ok_or_else(|| Error::missing("form", name))
    }
}

/// One form component: `+` is a space, then `%XX` escapes are decoded.
fn decode_component(raw: &[u8]) -> Vec<u8> {
    let spaced: Vec<u8> = raw
        .iter()
        .map(|b| if *b == b'+' { b' ' } else { *b })
        .collect();
    percent_decode(&spaced).collect()
}

impl Form {
    /// Reads a form body, decoding it once, and checks the fields a
    /// receiver requires.
    pub fn parse(body: &[u8]) -> Result<Form, Error> {
        let fields = RawFields::decode(body);
        let msg_type = MsgType::parse(&fields.required("msg_type")?)?;
        let form = Form {
            msg_type,
            logistics_interface: fields.required("logistics_interface")?,
            data_digest: fields.required("data_digest")?,
            logistic_provider_id: fields.text("logistic_provider_id")?,
            to_code: fields.text("to_code")?,
            from_code: fields.text("from_code")?,
            msg_id: fields.text("msg_id")?,
            partner_code: fields.text("partner_code")?,
            format: fields.text("format")?,
        };

        match msg_type.direction() {
            Direction::Push if form.msg_id.is_none() => Err(Error::missing("form", "msg_id")),
            Direction::Upload if form.logistic_provider_id.is_none() => {
                Err(Error::missing("form", "logistic_provider_id"))
            }
            _ => Ok(form),
        }
    }

    /// The form body with every field value encoded; absent fields are
    /// left out.
    pub fn to_body(&self) -> String {
        let mut body = form_urlencoded::Serializer::new(String::new());
        body.append_pair("msg_type", self.msg_type.as_str());
        body.append_pair("logistics_interface", &self.logistics_interface);
        body.append_pair("data_digest", &self.data_digest);
        let optional = [
            ("logistic_provider_id", &self.logistic_provider_id),
            ("to_code", &self.to_code),
            ("from_code", &self.from_code),
            ("msg_id", &self.msg_id),
            ("partner_code", &self.partner_code),
            ("format", &self.format),
        ];
        for (name, value) in optional {
            if let Some(value) = value {
                body.append_pair(name, value);
            }
        }
        body.finish()
    }

    /// Checks `data_digest` against the payload as received.
    pub fn verify(&self, secret: &str) -> Result<(), Error> {
        super::digest::verify(
            self.logistics_interface.as_bytes(),
            secret,
            &self.data_digest,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn upload(payload: &str, digest: &str) -> Form {
        Form {
            msg_type: MsgType::OrderStatusUpload,
            logistics_interface: payload.into(),
            data_digest: digest.into(),
            logistic_provider_id: Some("SANDBOX026991".into()),
            to_code: None,
            from_code: None,
            msg_id: None,
            partner_code: None,
            format: None,
        }
    }

    #[test]
    fn msg_type_names_read_back_and_unknown_is_named() {
        for t in MsgType::ALL {
            assert_eq!(MsgType::parse(t.as_str()).unwrap(), t);
        }

        let err = MsgType::parse("wms_consign_order_notify").unwrap_err();

        assert_eq!(
            err.to_string(),
            "unknown msg_type `wms_consign_order_notify`"
        );
    }

    #[test]
    fn encoded_digest_keeps_plus_slash_and_padding() {
        let form = upload("<request/>", "tzSD4lVxf6B/WUkOG+KU8Q==");

        let body = form.to_body();

        assert!(
            body.contains("data_digest=tzSD4lVxf6B%2FWUkOG%2BKU8Q%3D%3D"),
            "{body}"
        );
        assert_eq!(Form::parse(body.as_bytes()).unwrap(), form);
    }

    #[test]
    fn spec_form_digest_decodes_to_the_base64_digest() {
        let body = "msg_type=WMS_ORDER_STATUS_UPLOAD&logistics_interface=%3Crequest%2F%3E\
&data_digest=tzSD4lVxf6B%2FWUkOG%2BKU8Q%3D%3D&logistic_provider_id=198831";

        let form = Form::parse(body.as_bytes()).unwrap();

        assert_eq!(form.data_digest, "tzSD4lVxf6B/WUkOG+KU8Q==");
        assert_eq!(form.logistics_interface, "<request/>");
    }

    #[test]
    fn unencoded_plus_arrives_as_space() {
        let body = "msg_type=WMS_ORDER_STATUS_UPLOAD&logistics_interface=x\
&data_digest=a+b==&logistic_provider_id=1";

        let form = Form::parse(body.as_bytes()).unwrap();

        assert_eq!(form.data_digest, "a b==");
    }

    #[test]
    fn missing_required_fields_are_named() {
        let cases = [
            ("logistics_interface=x&data_digest=d", "msg_type"),
            (
                "msg_type=WMS_ORDER_STATUS_UPLOAD&data_digest=d",
                "logistics_interface",
            ),
            (
                "msg_type=WMS_ORDER_STATUS_UPLOAD&logistics_interface=x",
                "data_digest",
            ),
            (
                "msg_type=WMS_ORDER_STATUS_UPLOAD&logistics_interface=x&data_digest=d",
                "logistic_provider_id",
            ),
            (
                "msg_type=WMS_ORDER_CANCEL_NOTIFY&logistics_interface=x&data_digest=d",
                "msg_id",
            ),
        ];

        for (body, field) in cases {
            let err = Form::parse(body.as_bytes()).unwrap_err();
            assert_eq!(err, Error::missing("form", field), "{body}");
        }
    }

    #[test]
    fn unknown_msg_type_in_a_form_is_named() {
        let body = "msg_type=WMS_FOO&logistics_interface=x&data_digest=d&msg_id=1";

        let err = Form::parse(body.as_bytes()).unwrap_err();

        assert_eq!(
            err,
            Error::UnknownMsgType {
                name: "WMS_FOO".into()
            }
        );
    }

    #[test]
    fn payload_with_ampersand_percent_and_plus_survives_one_decode() {
        let form = upload("<a>A&amp;B 50%+1 🙏</a>", "d");

        let back = Form::parse(form.to_body().as_bytes()).unwrap();

        assert_eq!(back.logistics_interface, "<a>A&amp;B 50%+1 🙏</a>");
    }
}
