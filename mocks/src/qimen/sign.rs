//! The Qimen signature (spec §2).
//!
//! `md5`: MD5 over `secret + sorted(name value) + body + secret`;
//! `hmac`: HMAC-MD5 keyed by the secret over `sorted(name value) + body`.
//! Both are written as 32 upper-case hex digits.
//!
//! Rules that decide whether two parties agree:
//! - names are sorted by byte order (`customerId` sorts before `format`);
//! - values are the decoded ones; `sign` itself is left out;
//! - parameters with an empty value are left out on both sides, `0` is kept
//!   (FC-02);
//! - the body is hashed exactly as received, never re-encoded or
//!   re-indented (FC-01);
//! - text is hashed in the declared charset: UTF-8 by default, GBK when the
//!   Content-Type says so (FC-04). The body bytes are taken as they are.

use std::fmt;
use std::str::FromStr;

use hmac::{Hmac, Mac};
use md5::{Digest, Md5};

use super::envelope::QueryParams;
use super::Error;

/// How the sign is computed (`sign_method`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SignMethod {
    #[default]
    Md5,
    Hmac,
}

impl SignMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            SignMethod::Md5 => "md5",
            SignMethod::Hmac => "hmac",
        }
    }
}

impl FromStr for SignMethod {
    type Err = Error;

    fn from_str(s: &str) -> Result<SignMethod, Error> {
        match s.trim().to_ascii_lowercase().as_str() {
            "md5" => Ok(SignMethod::Md5),
            "hmac" => Ok(SignMethod::Hmac),
            _ => Err(Error::UnsupportedSignMethod {
                method: s.to_owned(),
            }),
        }
    }
}

impl fmt::Display for SignMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The charset text is hashed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Charset {
    #[default]
    Utf8,
    Gbk,
}

impl Charset {
    /// Reads the `charset=` of a Content-Type; UTF-8 when none is given.
    pub fn from_content_type(content_type: &str) -> Result<Charset, Error> {
        let declared = content_type
            .split(';')
            .filter_map(|part| part.trim().split_once('='))
            .find(|(k, _)| k.trim().eq_ignore_ascii_case("charset"))
            .map(|(_, v)| v.trim().trim_matches('"'));
        match declared {
            None => Ok(Charset::Utf8),
            Some(name) => name.parse(),
        }
    }

    /// Encodes text in this charset.
    pub fn encode(self, text: &str) -> Result<Vec<u8>, Error> {
        match self {
            Charset::Utf8 => Ok(text.as_bytes().to_vec()),
            Charset::Gbk => {
                let (bytes, _, unmappable) = encoding_rs::GBK.encode(text);
                if unmappable {
                    return Err(Error::Unencodable {
                        charset: "GBK".to_owned(),
                        text: text.to_owned(),
                    });
                }
                Ok(bytes.into_owned())
            }
        }
    }
}

impl FromStr for Charset {
    type Err = Error;

    fn from_str(s: &str) -> Result<Charset, Error> {
        match s.trim().to_ascii_lowercase().as_str() {
            "utf-8" | "utf8" => Ok(Charset::Utf8),
            "gbk" | "gb2312" | "gb18030" => Ok(Charset::Gbk),
            _ => Err(Error::UnsupportedCharset {
                charset: s.to_owned(),
            }),
        }
    }
}

/// The parameters that go into the sign: `sign` and empty values left
/// out, sorted by name in byte order.
pub fn signed_params(params: &QueryParams) -> Vec<(&str, &str)> {
    let mut pairs: Vec<(&str, &str)> = params
        .pairs()
        .iter()
        .filter(|(k, v)| k != "sign" && !v.is_empty())
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    pairs.sort();
    pairs
}

/// `name1value1name2value2…` over [`signed_params`].
pub fn sorted_kv(params: &QueryParams) -> String {
    signed_params(params)
        .into_iter()
        .flat_map(|(k, v)| [k, v])
        .collect()
}

/// Computes the sign over `kv` and `body` with the given method.
pub fn sign_kv(
    secret: &str,
    kv: &str,
    body: &[u8],
    method: SignMethod,
    charset: Charset,
) -> Result<String, Error> {
    let secret_bytes = charset.encode(secret)?;
    let kv_bytes = charset.encode(kv)?;
    let digest = match method {
        SignMethod::Md5 => {
            let mut md5 = Md5::new();
            md5.update(&secret_bytes);
            md5.update(&kv_bytes);
            md5.update(body);
            md5.update(&secret_bytes);
            md5.finalize().to_vec()
        }
        SignMethod::Hmac => {
            let mut mac = Hmac::<Md5>::new_from_slice(&secret_bytes)
                .expect("HMAC accepts keys of any length");
            mac.update(&kv_bytes);
            mac.update(body);
            mac.finalize().into_bytes().to_vec()
        }
    };
    Ok(hex::encode_upper(digest))
}

/// Computes the sign of a call.
pub fn sign(
    secret: &str,
    params: &QueryParams,
    body: &[u8],
    method: SignMethod,
    charset: Charset,
) -> Result<String, Error> {
    sign_kv(secret, &sorted_kv(params), body, method, charset)
}

/// Checks the `sign` parameter against the one computed with `secret`,
/// using the call's own `sign_method`.
pub fn verify(
    secret: &str,
    params: &QueryParams,
    body: &[u8],
    charset: Charset,
) -> Result<(), Error> {
    let received = params.require("sign")?.trim().to_ascii_uppercase();
    let method = params.sign_method()?;
    let kv = sorted_kv(params);
    let expected = sign_kv(secret, &kv, body, method, charset)?;
    if expected == received {
        return Ok(());
    }

    let params = signed_params(params)
        .into_iter()
        .map(|(k, _)| k.to_owned())
        .collect();
    Err(Error::SignatureMismatch {
        expected,
        received,
        canonical_masked: canonical_masked(secret, &kv, body, method),
        params,
    })
}

/// The string that was hashed, with the secret masked, for logs.
pub fn canonical_masked(secret: &str, kv: &str, body: &[u8], method: SignMethod) -> String {
    let body = String::from_utf8_lossy(body);
    let masked = mask_secret(secret);
    match method {
        SignMethod::Md5 => format!("{masked}{kv}{body}{masked}"),
        SignMethod::Hmac => format!("hmac-md5[key {masked}]({kv}{body})"),
    }
}

/// Keeps the first and last two characters of a secret, stars the rest:
/// `testsecret` → `te******et`. Short secrets are starred entirely.
pub fn mask_secret(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    if chars.len() <= 4 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..2].iter().collect();
    let tail: String = chars[chars.len() - 2..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 4))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The §2 test vector body, 226 bytes.
    const BODY: &str = "<?xml version=\"1.0\" encoding=\"utf-8\"?><request>\
<warehouseCode>WH01</warehouseCode><ownerCode>OWNER01</ownerCode>\
<orderCode>SO20240102001</orderCode><orderType>JYCK</orderType>\
<cancelReason>buyer cancel</cancelReason></request>";

    fn vector_params(sign_method: &str) -> QueryParams {
        QueryParams::from_pairs([
            ("method", "taobao.qimen.order.cancel"),
            ("timestamp", "2024-01-02 03:04:05"),
            ("format", "xml"),
            ("app_key", "12345678"),
            ("v", "2.0"),
            ("sign_method", sign_method),
            ("customerId", "C_TEST_001"),
        ])
    }

    #[test]
    fn spec_vector_sorted_kv_and_body_length() {
        assert_eq!(BODY.len(), 226);
        assert_eq!(
            sorted_kv(&vector_params("md5")),
            "app_key12345678customerIdC_TEST_001formatxmlmethodtaobao.qimen.order.cancel\
sign_methodmd5timestamp2024-01-02 03:04:05v2.0"
        );
    }

    #[test]
    fn spec_vector_md5() {
        let sign = sign(
            "testsecret",
            &vector_params("md5"),
            BODY.as_bytes(),
            SignMethod::Md5,
            Charset::Utf8,
        );

        assert_eq!(sign.unwrap(), "8453984CEBC66011835EFB481BEE1CB1");
    }

    #[test]
    fn spec_vector_hmac() {
        let sign = sign(
            "testsecret",
            &vector_params("hmac"),
            BODY.as_bytes(),
            SignMethod::Hmac,
            Charset::Utf8,
        );

        assert_eq!(sign.unwrap(), "F485B66201581B578FB7002E96393C15");
    }

    #[test]
    fn spec_vector_utf8_body() {
        let body = BODY.replace("buyer cancel", "买家取消");

        let sign = sign(
            "testsecret",
            &vector_params("md5"),
            body.as_bytes(),
            SignMethod::Md5,
            Charset::Utf8,
        );

        assert_eq!(sign.unwrap(), "DC21DE2EE63B8AB5FFF36CC74FB87120");
    }

    #[test]
    fn spec_vector_query_string_verifies() {
        let raw = "method=taobao.qimen.order.cancel&timestamp=2024-01-02+03%3A04%3A05\
&format=xml&app_key=12345678&v=2.0&sign_method=md5&customerId=C_TEST_001\
&sign=8453984CEBC66011835EFB481BEE1CB1";
        let mut built = vector_params("md5");
        built.set("sign", "8453984CEBC66011835EFB481BEE1CB1");

        let parsed = QueryParams::parse(raw);

        assert_eq!(built.to_query_string(), raw);
        assert_eq!(
            verify("testsecret", &parsed, BODY.as_bytes(), Charset::Utf8),
            Ok(())
        );
    }

    #[test]
    fn lower_case_incoming_sign_is_accepted() {
        let mut params = vector_params("md5");
        params.set("sign", "8453984cebc66011835efb481bee1cb1");

        assert!(verify("testsecret", &params, BODY.as_bytes(), Charset::Utf8).is_ok());
    }

    #[test]
    fn mismatch_carries_both_signs_masked_canonical_and_param_names() {
        let mut params = vector_params("md5");
        params.set("sign", "00000000000000000000000000000000");

        let err = verify("testsecret", &params, BODY.as_bytes(), Charset::Utf8).unwrap_err();

        match err {
            Error::SignatureMismatch {
                expected,
                received,
                canonical_masked,
                params,
            } => {
                assert_eq!(expected, "8453984CEBC66011835EFB481BEE1CB1");
                assert_eq!(received, "00000000000000000000000000000000");
                assert!(canonical_masked.starts_with("te******etapp_key12345678"));
                assert!(canonical_masked.ends_with("</request>te******et"));
                assert!(!canonical_masked.contains("testsecret"));
                assert_eq!(params[0], "app_key");
                assert_eq!(params.len(), 7);
            }
            other => panic!("expected SignatureMismatch, got {other:?}"),
        }
    }

    #[test]
    fn secret_mask_keeps_two_characters_each_side() {
        assert_eq!(mask_secret("testsecret"), "te******et");
        assert_eq!(mask_secret("abcd"), "****");
    }

    #[test]
    fn charset_is_read_from_content_type() {
        assert_eq!(
            Charset::from_content_type("text/xml;charset=GBK").unwrap(),
            Charset::Gbk
        );
        assert_eq!(
            Charset::from_content_type("application/xml").unwrap(),
            Charset::Utf8
        );
        assert!(Charset::from_content_type("text/xml; charset=latin1").is_err());
    }
}
