//! `liantiao sign`: the support engineer's first tool when a go-live fails
//! on signatures.
//!
//! Both commands print what was signed (secret masked) and, as the last
//! line, the sign. With an expected value that differs, they list the
//! usual mistakes tried and which one reproduces it. Exit status: 0 when
//! the expected value matches or none was given, 1 on a mismatch.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use mocks::{cainiao, qimen};

/// Qimen `sign` over the query string and the body file.
pub fn qimen(
    secret: &str,
    raw_query: &str,
    body: &Path,
    expect: Option<&str>,
) -> anyhow::Result<ExitCode> {
    let body = read(body)?;

    let diagnosis = qimen::diagnose::diagnose(secret, raw_query, &body, expect)
        .with_context(|| format!("cannot sign query `{raw_query}`"))?;

    println!("{diagnosis}");
    Ok(verdict(diagnosis.expected.is_none() || diagnosis.matches()))
}

/// Cainiao `data_digest` over the content file.
pub fn cainiao(secret: &str, content: &Path, expect: Option<&str>) -> anyhow::Result<ExitCode> {
    let content = read(content)?;

    match expect {
        Some(expected) => {
            let diagnosis = cainiao::diagnose::diagnose(secret, &content, expected);
            println!("{diagnosis}");
            Ok(verdict(diagnosis.matches()))
        }
        None => {
            println!(
                "signed: logistics_interface ({} bytes) + secret {}",
                content.len(),
                cainiao::digest::mask_secret(secret)
            );
            println!(
                "{}",
                cainiao::digest::digest_bytes(&content, secret.as_bytes())
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn read(path: &Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))
}

fn verdict(matches: bool) -> ExitCode {
    if matches {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
