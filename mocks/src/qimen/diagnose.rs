//! Explains a Qimen signature mismatch.
//!
//! Given the secret, the raw query string, the body bytes and the sign a
//! peer computed, [`diagnose`] computes the canonical sign and, when it
//! differs, recomputes the sign the ways senders commonly get wrong: body
//! re-indented or stripped, body in GBK, Chinese escaped as `\uXXXX`,
//! secret only on one side, the other sign method, `body` sorted in as a
//! parameter, the timestamp left URL-encoded, empty parameters kept, and
//! lower-case hex. The report says which variants reproduce the peer's
//! sign. `liantiao sign qimen` prints it.

use std::fmt;

use md5::{Digest, Md5};
use quick_xml::events::Event;
use quick_xml::{Reader, Writer};

use super::envelope::QueryParams;
use super::sign::{self, Charset, SignMethod};
use super::Error;

/// One way of computing the sign and what it gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variant {
    pub name: &'static str,
    pub sign: String,
    /// Whether this sign equals the expected one.
    pub matches: bool,
}

/// The outcome of [`diagnose`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnosis {
    /// Names of the parameters signed, sorted.
    pub params: Vec<String>,
    /// The string hashed, secret masked.
    pub canonical_masked: String,
    pub sign_method: SignMethod,
    /// Our sign, computed by the spec.
    pub sign: String,
    /// The sign the peer sent or computed, if known.
    pub expected: Option<String>,
    /// Variants tried; empty when our sign already matches.
    pub variants: Vec<Variant>,
}

impl Diagnosis {
    /// Whether our canonical sign equals the expected one.
    pub fn matches(&self) -> bool {
        self.expected
            .as_deref()
            .is_some_and(|e| e.eq_ignore_ascii_case(&self.sign))
    }

    /// Names of the variants that reproduce the expected sign.
    pub fn explanations(&self) -> Vec<&'static str> {
        self.variants
            .iter()
            .filter(|v| v.matches)
            .map(|v| v.name)
            .collect()
    }
}

impl fmt::Display for Diagnosis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "sign_method:  {}", self.sign_method)?;
        writeln!(f, "signed params: {}", self.params.join(", "))?;
        writeln!(f, "canonical:    {}", self.canonical_masked)?;
        if let Some(expected) = &self.expected {
            let verdict = if self.matches() { "match" } else { "MISMATCH" };
            writeln!(f, "expected:     {expected}")?;
            writeln!(f, "ours:         {} ({verdict})", self.sign)?;
        }
        if !self.variants.is_empty() {
            let explanations = self.explanations();
            if explanations.is_empty() {
                writeln!(f, "no known variant reproduces the expected sign")?;
            } else {
                writeln!(f, "reproduced by: {}", explanations.join("; "))?;
            }
            for v in &self.variants {
                let mark = if v.matches { "=" } else { " " };
                writeln!(f, "  {mark} {:<40} {}", v.name, v.sign)?;
            }
        }
        write!(f, "{}", self.sign)
    }
}

/// Computes our sign for a call and, if `expected` (or else the query's
/// own `sign`) differs, which common mistakes reproduce it.
pub fn diagnose(
    secret: &str,
    raw_query: &str,
    body: &[u8],
    expected: Option<&str>,
) -> Result<Diagnosis, Error> {
    let params = QueryParams::parse(raw_query);
    let method = params.sign_method()?;
    let kv = sign::sorted_kv(&params);
    let ours = sign::sign_kv(secret, &kv, body, method, Charset::Utf8)?;
    let expected = expected
        .or_else(|| params.get("sign"))
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty());

    let mut diagnosis = Diagnosis {
        params: sign::signed_params(&params)
            .into_iter()
            .map(|(k, _)| k.to_owned())
            .collect(),
        canonical_masked: sign::canonical_masked(secret, &kv, body, method),
        sign_method: method,
        sign: ours,
        expected,
        variants: Vec::new(),
    };
    if let Some(expected) = diagnosis.expected.clone() {
        if !diagnosis.matches() {
            diagnosis.variants =
                variants(secret, &params, body, method, &expected, &diagnosis.sign);
        }
    }
    Ok(diagnosis)
}

fn variants(
    secret: &str,
    params: &QueryParams,
    body: &[u8],
    method: SignMethod,
    expected: &str,
    ours: &str,
) -> Vec<Variant> {
    let kv = sign::sorted_kv(params);
    let text = String::from_utf8_lossy(body);
    let with =
        |kv: &str, body: &[u8], method| sign::sign_kv(secret, kv, body, method, Charset::Utf8).ok();
    let other_method = match method {
        SignMethod::Md5 => SignMethod::Hmac,
        SignMethod::Hmac => SignMethod::Md5,
    };

    // Each candidate is (name, sign); a variant that cannot be computed
    // for this input (a body that is not XML, text GBK cannot hold) is
    // left out.
    let candidates: Vec<(&'static str, Option<String>)> = vec![
        (
            "body re-indented",
            reformat(&text, true).and_then(|b| with(&kv, b.as_bytes(), method)),
        ),
        (
            "body whitespace-stripped",
            reformat(&text, false).and_then(|b| with(&kv, b.as_bytes(), method)),
        ),
        (
            "body re-encoded as GBK",
            Charset::Gbk
                .encode(&text)
                .ok()
                .and_then(|b| with(&kv, &b, method)),
        ),
        (
            "Chinese escaped as \\uXXXX",
            with(&kv, escape_non_ascii(&text).as_bytes(), method),
        ),
        (
            "secret only at start",
            Some(md5_hex(&[secret.as_bytes(), kv.as_bytes(), body])),
        ),
        (
            "secret only at end",
            Some(md5_hex(&[kv.as_bytes(), body, secret.as_bytes()])),
        ),
        (
            if method == SignMethod::Md5 {
                "hmac instead of md5"
            } else {
                "md5 instead of hmac"
            },
            with(&kv, body, other_method),
        ),
        ("body sorted in as a parameter", {
            let mut with_body = params.clone();
            with_body.set("body", &text);
            with(&sign::sorted_kv(&with_body), b"", method)
        }),
        ("timestamp left URL-encoded", {
            let mut encoded = params.clone();
            let raw: String =
                form_urlencoded::byte_serialize(params.get("timestamp").unwrap_or("").as_bytes())
                    .collect();
            encoded.set("timestamp", &raw);
            with(&sign::sorted_kv(&encoded), body, method)
        }),
        (
            "empty params included as bare names",
            with(&kv_with_empty(params), body, method),
        ),
        ("lower-case hex", Some(ours.to_ascii_lowercase())),
    ];

    candidates
        .into_iter()
        .filter_map(|(name, sign)| sign.map(|sign| (name, sign)))
        .map(|(name, sign)| {
            // Lower-case hex is only a finding when the case differs;
            // every other variant compares without case.
            let matches = if name == "lower-case hex" {
                sign == expected
            } else {
                sign.eq_ignore_ascii_case(expected)
            };
            Variant {
                name,
                sign,
                matches,
            }
        })
        .collect()
}

fn md5_hex(parts: &[&[u8]]) -> String {
    let mut md5 = Md5::new();
    for part in parts {
        md5.update(part);
    }
    hex::encode_upper(md5.finalize())
}

/// Sorted kv where present-but-empty parameters appear as bare names.
fn kv_with_empty(params: &QueryParams) -> String {
    let mut pairs: Vec<(&str, &str)> = params
        .pairs()
        .iter()
        .filter(|(k, _)| k != "sign")
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    pairs.sort();
    pairs.into_iter().flat_map(|(k, v)| [k, v]).collect()
}

/// Every non-ASCII character as `\uXXXX` (UTF-16 units), as some JSON-
/// minded serialisers write it.
fn escape_non_ascii(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    out
}

/// Rewrites XML indented by two spaces, or with blanks between tags
/// removed. `None` when the body is not readable XML.
fn reformat(text: &str, indent: bool) -> Option<String> {
    let mut reader = Reader::from_str(text);
    reader.config_mut().trim_text(true);
    let mut writer = if indent {
        Writer::new_with_indent(Vec::new(), b' ', 2)
    } else {
        Writer::new(Vec::new())
    };
    loop {
        match reader.read_event().ok()? {
            Event::Eof => break,
            event => writer.write_event(event).ok()?,
        }
    }
    String::from_utf8(writer.into_inner()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &str = "<?xml version=\"1.0\" encoding=\"utf-8\"?><request>\
<warehouseCode>WH01</warehouseCode><ownerCode>OWNER01</ownerCode>\
<orderCode>SO20240102001</orderCode><orderType>JYCK</orderType>\
<cancelReason>买家取消</cancelReason></request>";
    const QUERY: &str = "method=taobao.qimen.order.cancel&timestamp=2024-01-02+03%3A04%3A05\
&format=xml&app_key=12345678&v=2.0&sign_method=md5&customerId=C_TEST_001";

    fn expected_from(secret: &str, query: &str, body: &[u8]) -> String {
        let params = QueryParams::parse(query);
        sign::sign(secret, &params, body, SignMethod::Md5, Charset::Utf8).unwrap()
    }

    #[test]
    fn matching_sign_reports_no_variants_and_ends_with_the_sign() {
        let report = diagnose("testsecret", QUERY, BODY.as_bytes(), None).unwrap();

        assert_eq!(report.sign, "DC21DE2EE63B8AB5FFF36CC74FB87120");
        assert!(report.variants.is_empty());
        assert_eq!(
            report.to_string().lines().last(),
            Some(report.sign.as_str())
        );
    }

    #[test]
    fn secret_only_at_start_is_named() {
        let kv = sign::sorted_kv(&QueryParams::parse(QUERY));
        let peer = md5_hex(&[b"testsecret", kv.as_bytes(), BODY.as_bytes()]);

        let report = diagnose("testsecret", QUERY, BODY.as_bytes(), Some(&peer)).unwrap();

        assert!(!report.matches());
        assert_eq!(report.explanations(), ["secret only at start"]);
        assert!(report
            .to_string()
            .contains("reproduced by: secret only at start"));
        assert!(!report.to_string().contains("testsecret"));
    }

    #[test]
    fn escaped_chinese_and_gbk_bodies_are_named() {
        // FC-01 (c) and FC-04: the peer hashed other bytes than those sent.
        let escaped = expected_from("testsecret", QUERY, escape_non_ascii(BODY).as_bytes());
        let gbk = Charset::Gbk.encode(BODY).unwrap();
        let gbk_sign = expected_from("testsecret", QUERY, &gbk);

        let by_escape = diagnose("testsecret", QUERY, BODY.as_bytes(), Some(&escaped)).unwrap();
        let by_gbk = diagnose("testsecret", QUERY, BODY.as_bytes(), Some(&gbk_sign)).unwrap();

        assert_eq!(by_escape.explanations(), ["Chinese escaped as \\uXXXX"]);
        assert_eq!(by_gbk.explanations(), ["body re-encoded as GBK"]);
    }

    #[test]
    fn reindented_body_and_encoded_timestamp_are_named() {
        let pretty = reformat(BODY, true).unwrap();
        let peer_pretty = expected_from("testsecret", QUERY, pretty.as_bytes());
        let encoded_ts = QUERY.replace(
            "timestamp=2024-01-02+03%3A04%3A05",
            "timestamp=2024-01-02%2B03%253A04%253A05",
        );
        let peer_ts = expected_from("testsecret", &encoded_ts, BODY.as_bytes());

        let a = diagnose("testsecret", QUERY, BODY.as_bytes(), Some(&peer_pretty)).unwrap();
        let b = diagnose("testsecret", QUERY, BODY.as_bytes(), Some(&peer_ts)).unwrap();

        assert!(pretty.contains("\n  <warehouseCode>"));
        assert_eq!(a.explanations(), ["body re-indented"]);
        assert_eq!(b.explanations(), ["timestamp left URL-encoded"]);
    }

    #[test]
    fn empty_param_kept_hmac_and_lower_case_are_named() {
        let query = format!("{QUERY}&session=");
        let with_empty = {
            let kv = kv_with_empty(&QueryParams::parse(&query));
            sign::sign_kv(
                "testsecret",
                &kv,
                BODY.as_bytes(),
                SignMethod::Md5,
                Charset::Utf8,
            )
            .unwrap()
        };
        let hmac = {
            let kv = sign::sorted_kv(&QueryParams::parse(QUERY));
            sign::sign_kv(
                "testsecret",
                &kv,
                BODY.as_bytes(),
                SignMethod::Hmac,
                Charset::Utf8,
            )
            .unwrap()
        };
        let lower = "dc21de2ee63b8ab5fff36cc74fb87120";

        let a = diagnose("testsecret", &query, BODY.as_bytes(), Some(&with_empty)).unwrap();
        let b = diagnose("testsecret", QUERY, BODY.as_bytes(), Some(&hmac)).unwrap();
        let c = diagnose("testsecret", QUERY, BODY.as_bytes(), Some(lower)).unwrap();

        assert_eq!(a.explanations(), ["empty params included as bare names"]);
        assert_eq!(b.explanations(), ["hmac instead of md5"]);
        assert!(c.matches(), "lower-case hex is accepted");
    }

    #[test]
    fn body_as_parameter_is_named() {
        let mut params = QueryParams::parse(QUERY);
        params.set("body", BODY);
        let peer = sign::sign("testsecret", &params, b"", SignMethod::Md5, Charset::Utf8).unwrap();

        let report = diagnose("testsecret", QUERY, BODY.as_bytes(), Some(&peer)).unwrap();

        assert_eq!(report.explanations(), ["body sorted in as a parameter"]);
    }
}
