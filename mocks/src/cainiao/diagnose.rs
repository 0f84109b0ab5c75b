//! Explains a `data_digest` that does not match.
//!
//! Given the secret, the content bytes and the digest a peer expects or
//! sent, [`diagnose`] computes our digest and the digests of the mistakes
//! integrations make, and says which of them reproduce the expected value:
//! hex instead of base64 (lower or upper case), GBK bytes, `+` turned into a
//! space by a second form decode, content re-indented or stripped of
//! whitespace between tags, the secret prepended instead of appended, and
//! base64 with a trailing newline (Python `encodebytes`).
//!
//! The `liantiao sign cainiao` command prints the [`Diagnosis`]; its last
//! line is our digest, so scripts can take it with `tail -1`.

use std::fmt;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use quick_xml::events::Event;
use quick_xml::{Reader, Writer};

use super::digest::{self, Charset};

/// A wrong way of computing the digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Variant {
    /// Hex of the MD5, lower case, instead of base64.
    HexLower,
    /// Hex of the MD5, upper case.
    HexUpper,
    /// Content and secret hashed as GBK bytes.
    Gbk,
    /// Our digest with `+` turned into a space by a double form decode.
    PlusAsSpace,
    /// Content with the whitespace between tags removed.
    WhitespaceStripped,
    /// Content re-indented with this many spaces per level.
    Reindented { width: usize },
    /// The secret before the content.
    SecretPrepended,
    /// Base64 followed by a newline.
    TrailingNewline,
}

impl fmt::Display for Variant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Variant::HexLower => f.write_str("hex MD5, lower case, instead of base64"),
            Variant::HexUpper => f.write_str("hex MD5, upper case, instead of base64"),
            Variant::Gbk => f.write_str("content and secret as GBK bytes"),
            Variant::PlusAsSpace => f.write_str("'+' decoded to a space (form decoded twice)"),
            Variant::WhitespaceStripped => f.write_str("whitespace between tags stripped"),
            Variant::Reindented { width } => write!(f, "content re-indented by {width}"),
            Variant::SecretPrepended => f.write_str("secret prepended instead of appended"),
            Variant::TrailingNewline => f.write_str("base64 with a trailing newline"),
        }
    }
}

/// One variant's digest and whether it equals the expected one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub variant: Variant,
    /// `None` when the variant does not apply (GBK cannot encode the text,
    /// the content is not XML, the variant changes nothing).
    pub digest: Option<String>,
    pub reproduces: bool,
}

/// What [`diagnose`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnosis {
    pub content_len: usize,
    pub secret_hint: String,
    pub expected: String,
    /// base64(md5(content + secret)) over the bytes given.
    pub ours: String,
    pub candidates: Vec<Candidate>,
}

impl Diagnosis {
    /// Whether the expected digest is the correct one.
    pub fn matches(&self) -> bool {
        self.ours == self.expected
    }

    /// The variants that reproduce the expected digest.
    pub fn explanations(&self) -> Vec<Variant> {
        self.candidates
            .iter()
            .filter(|c| c.reproduces)
            .map(|c| c.variant)
            .collect()
    }
}

/// Compares `expected` with our digest of `content` and the wrong variants.
pub fn diagnose(secret: &str, content: &[u8], expected: &str) -> Diagnosis {
    let md5 = digest::md5_raw(content, secret.as_bytes());
    let ours = STANDARD.encode(md5);
    let text = std::str::from_utf8(content).ok();
    let whole = |bytes: &[u8]| Some(digest::digest_bytes(bytes, secret.as_bytes()));

    let variants: Vec<(Variant, Option<String>)> = vec![
        (Variant::HexLower, Some(hex::encode(md5))),
        (Variant::HexUpper, Some(hex::encode_upper(md5))),
        (
            Variant::Gbk,
            text.and_then(|t| digest::digest_in(t, secret, Charset::Gbk).ok()),
        ),
        (Variant::PlusAsSpace, Some(ours.replace('+', " "))),
        (
            Variant::WhitespaceStripped,
            text.and_then(|t| reformat(t, None))
                .and_then(|c| whole(c.as_bytes())),
        ),
        (
            Variant::Reindented { width: 2 },
            text.and_then(|t| reformat(t, Some(2)))
                .and_then(|c| whole(c.as_bytes())),
        ),
        (
            Variant::Reindented { width: 4 },
            text.and_then(|t| reformat(t, Some(4)))
                .and_then(|c| whole(c.as_bytes())),
        ),
        (Variant::SecretPrepended, whole_prepended(secret, content)),
        (Variant::TrailingNewline, Some(format!("{ours}\n"))),
    ];

    let candidates = variants
        .into_iter()
        .map(|(variant, digest)| {
            // A variant equal to our digest explains nothing.
            let digest = digest.filter(|d| *d != ours);
            let reproduces = digest.as_deref() == Some(expected);
            Candidate {
                variant,
                digest,
                reproduces,
            }
        })
        .collect();
    Diagnosis {
        content_len: content.len(),
        secret_hint: digest::mask_secret(secret),
        expected: expected.to_owned(),
        ours,
        candidates,
    }
}

fn whole_prepended(secret: &str, content: &[u8]) -> Option<String> {
    Some(digest::digest_bytes(secret.as_bytes(), content))
}

/// The XML with blank text between tags removed and, with `indent`, laid
/// out again with that many spaces per level. `None` if it is not XML.
fn reformat(text: &str, indent: Option<usize>) -> Option<String> {
    let mut reader = Reader::from_str(text);
    let mut writer = match indent {
        Some(width) => Writer::new_with_indent(Vec::new(), b' ', width),
        None => Writer::new(Vec::new()),
    };
    loop {
        match reader.read_event().ok()? {
            Event::Eof => break,
            Event::Text(t) if t.iter().all(|b| b.is_ascii_whitespace()) => {}
            event => writer.write_event(event).ok()?,
        }
    }
    let mut out = String::from_utf8(writer.into_inner()).ok()?;
    if text.ends_with('\n') && indent.is_some() {
        out.push('\n');
    }
    Some(out)
}

impl fmt::Display for Diagnosis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "content {} bytes, secret {}",
            self.content_len, self.secret_hint
        )?;
        writeln!(f, "expected  {}", printable(&self.expected))?;
        let verdict = if self.matches() { "matches" } else { "differs" };
        writeln!(f, "ours      {} ({verdict})", self.ours)?;
        for candidate in &self.candidates {
            let digest = candidate.digest.as_deref().map(printable);
            let mark = if candidate.reproduces {
                "  <= expected"
            } else {
                ""
            };
            writeln!(
                f,
                "  {:<46} {}{mark}",
                candidate.variant.to_string(),
                digest.as_deref().unwrap_or("-"),
            )?;
        }
        match (self.matches(), self.explanations().as_slice()) {
            (true, _) => writeln!(f, "the expected digest is correct")?,
            (false, []) => writeln!(
                f,
                "no known mistake reproduces it: check the secret and the exact bytes"
            )?,
            (false, found) => {
                let names: Vec<String> = found.iter().map(Variant::to_string).collect();
                writeln!(f, "the peer computed it with: {}", names.join("; "))?;
            }
        }
        write!(f, "{}", self.ours)
    }
}

/// Shows a trailing newline or spaces so the reader sees them.
fn printable(digest: &str) -> String {
    digest.replace('\n', "\\n").replace(' ', "\u{2423}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const OWN: &str = "<request><orderCode>LBX0000000001</orderCode><orderType>201</orderType>\
<status>WMS_ACCEPT</status><operator>仓管员</operator>\
<operateDate>2024-01-02 03:04:05</operateDate></request>";

    fn explained(expected: &str) -> Vec<Variant> {
        diagnose("testSecret123", OWN.as_bytes(), expected).explanations()
    }

    #[test]
    fn correct_digest_matches_and_is_the_last_line() {
        let diagnosis = diagnose("testSecret123", OWN.as_bytes(), "tzSD4lVxf6B/WUkOG+KU8Q==");

        assert!(diagnosis.matches());
        assert!(diagnosis.explanations().is_empty());
        let shown = diagnosis.to_string();
        assert_eq!(shown.lines().last(), Some("tzSD4lVxf6B/WUkOG+KU8Q=="));
    }

    #[test]
    fn hex_digests_are_recognised() {
        assert_eq!(
            explained("b73483e255717fa07f59490e1be294f1"),
            [Variant::HexLower]
        );
        assert_eq!(
            explained("B73483E255717FA07F59490E1BE294F1"),
            [Variant::HexUpper]
        );
    }

    #[test]
    fn gbk_digest_is_recognised() {
        assert_eq!(explained("keqG64FNEdHPfOry2/ye2w=="), [Variant::Gbk]);
    }

    #[test]
    fn plus_turned_into_space_is_recognised() {
        assert_eq!(
            explained("tzSD4lVxf6B/WUkOG KU8Q=="),
            [Variant::PlusAsSpace]
        );
    }

    #[test]
    fn trailing_newline_and_prepended_secret_are_recognised() {
        assert_eq!(
            explained("tzSD4lVxf6B/WUkOG+KU8Q==\n"),
            [Variant::TrailingNewline]
        );
        let prepended = digest::digest(&format!("testSecret123{OWN}"), "");

        assert_eq!(explained(&prepended), [Variant::SecretPrepended]);
    }

    #[test]
    fn reindented_and_stripped_content_are_recognised() {
        let pretty = "<request>\n  <a>1</a>\n  <b>x y</b>\n</request>\n";
        let stripped = "<request><a>1</a><b>x y</b></request>";
        let four = "<request>\n    <a>1</a>\n    <b>x y</b>\n</request>\n";

        let from_stripped = diagnose("k", pretty.as_bytes(), &digest::digest(stripped, "k"));
        let from_four = diagnose("k", pretty.as_bytes(), &digest::digest(four, "k"));

        assert_eq!(from_stripped.explanations(), [Variant::WhitespaceStripped]);
        assert_eq!(from_four.explanations(), [Variant::Reindented { width: 4 }]);
    }

    #[test]
    fn unknown_digest_is_reported_as_unexplained() {
        let diagnosis = diagnose("testSecret123", OWN.as_bytes(), "AAAAAAAAAAAAAAAAAAAAAA==");

        assert!(diagnosis.explanations().is_empty());
        assert!(diagnosis.to_string().contains("no known mistake"));
    }
}
