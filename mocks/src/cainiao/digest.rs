//! `data_digest`: base64 of the raw MD5 of `logistics_interface + secret`.
//!
//! The digest covers the payload exactly as sent, before form encoding; no
//! other field is signed. UTF-8 is the charset liantiao uses; GBK is
//! available for senders that declare it. Verification compares the
//! received digest with ours byte for byte: a hex digest, a digest over
//! re-serialised content or one whose `+` became a space all fail (FC-06).

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use md5::{Digest, Md5};

use super::Error;

/// The charset the content and secret are hashed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Charset {
    #[default]
    Utf8,
    Gbk,
}

impl Charset {
    pub fn as_str(self) -> &'static str {
        match self {
            Charset::Utf8 => "UTF-8",
            Charset::Gbk => "GBK",
        }
    }
}

/// The raw MD5 of `content` followed by `secret`.
pub fn md5_raw(content: &[u8], secret: &[u8]) -> [u8; 16] {
    let mut hasher = Md5::new();
    hasher.update(content);
    hasher.update(secret);
    hasher.finalize().into()
}

/// The digest over raw bytes: base64(md5(content ++ secret)).
pub fn digest_bytes(content: &[u8], secret: &[u8]) -> String {
    STANDARD.encode(md5_raw(content, secret))
}

/// The digest over UTF-8 text, the default charset.
///
/// ```
/// use mocks::cainiao::digest;
/// assert_eq!(digest::digest("hello1234", "key123"), "ufYU7rvXhHY3IDyZgyt6SA==");
/// ```
pub fn digest(content: &str, secret: &str) -> String {
    digest_bytes(content.as_bytes(), secret.as_bytes())
}

/// Encodes text in the given charset; GBK fails on characters it lacks.
pub fn encode(text: &str, charset: Charset) -> Result<Vec<u8>, Error> {
    match charset {
        Charset::Utf8 => Ok(text.as_bytes().to_vec()),
        Charset::Gbk => {
            let (bytes, _, unmappable) = encoding_rs::GBK.encode(text);
            if unmappable {
                return Err(Error::Unencodable {
                    charset: charset.as_str().into(),
                });
            }
            Ok(bytes.into_owned())
        }
    }
}

/// The digest with content and secret encoded in `charset`.
pub fn digest_in(content: &str, secret: &str, charset: Charset) -> Result<String, Error> {
    let content = encode(content, charset)?;
    let secret = encode(secret, charset)?;
    Ok(digest_bytes(&content, &secret))
}

/// Checks a received digest against the content bytes as received.
pub fn verify(content: &[u8], secret: &str, received: &str) -> Result<(), Error> {
    let expected = digest_bytes(content, secret.as_bytes());
    if expected == received {
        return Ok(());
    }
    Err(Error::DigestMismatch {
        expected,
        received: received.to_owned(),
        content_len: content.len(),
        secret_hint: mask_secret(secret),
    })
}

/// The secret with everything but two characters at each end masked; short
/// secrets are masked completely.
pub fn mask_secret(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    if chars.len() <= 6 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..2].iter().collect();
    let tail: String = chars[chars.len() - 2..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 4))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// §1.5 vector 2 content: 184 bytes of UTF-8 with Chinese.
    const OWN: &str = "<request><orderCode>LBX0000000001</orderCode><orderType>201</orderType>\
<status>WMS_ACCEPT</status><operator>仓管员</operator>\
<operateDate>2024-01-02 03:04:05</operateDate></request>";

    #[test]
    fn faq_vector_reproduces() {
        assert_eq!(digest("hello1234", "key123"), "ufYU7rvXhHY3IDyZgyt6SA==");
    }

    #[test]
    fn own_utf8_vector_has_the_spec_md5_and_digest() {
        assert_eq!(OWN.len(), 184);

        let raw = md5_raw(OWN.as_bytes(), b"testSecret123");

        assert_eq!(hex::encode(raw), "b73483e255717fa07f59490e1be294f1");
        assert_eq!(digest(OWN, "testSecret123"), "tzSD4lVxf6B/WUkOG+KU8Q==");
    }

    #[test]
    fn gbk_bytes_give_the_spec_gbk_digest() {
        let gbk = digest_in(OWN, "testSecret123", Charset::Gbk).unwrap();

        assert_eq!(gbk, "keqG64FNEdHPfOry2/ye2w==");
        assert_ne!(gbk, digest(OWN, "testSecret123"));
    }

    #[test]
    fn json_vector_reproduces() {
        let json = r#"{"orderCode":"LBX0000000001","orderType":"201","status":"WMS_ACCEPT"}"#;

        assert_eq!(digest(json, "testSecret123"), "sO/Mj+Q5xngrNznaYbVHRQ==");
    }

    #[test]
    fn gbk_cannot_encode_emoji() {
        let err = digest_in("礼盒🌾", "s", Charset::Gbk).unwrap_err();

        assert_eq!(
            err,
            Error::Unencodable {
                charset: "GBK".into()
            }
        );
    }

    #[test]
    fn verify_accepts_exact_digest_only() {
        assert!(verify(OWN.as_bytes(), "testSecret123", "tzSD4lVxf6B/WUkOG+KU8Q==").is_ok());

        let err = verify(OWN.as_bytes(), "testSecret123", "tzSD4lVxf6B/WUkOG KU8Q==").unwrap_err();

        assert_eq!(
            err,
            Error::DigestMismatch {
                expected: "tzSD4lVxf6B/WUkOG+KU8Q==".into(),
                received: "tzSD4lVxf6B/WUkOG KU8Q==".into(),
                content_len: 184,
                secret_hint: "te*********23".into(),
            }
        );
    }

    #[test]
    fn hex_digest_fails_with_s02() {
        let hex_digest = "b73483e255717fa07f59490e1be294f1";

        let err = verify(OWN.as_bytes(), "testSecret123", hex_digest).unwrap_err();

        assert_eq!(err.error_code().as_str(), "S02");
    }

    #[test]
    fn short_secrets_are_fully_masked() {
        assert_eq!(mask_secret("key123"), "******");
        assert_eq!(mask_secret(""), "");
    }
}
