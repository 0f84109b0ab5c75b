//! `liantiao sign` as a support engineer runs it: spec test vectors, and a
//! mismatch explained by the variant that reproduces it.

use std::path::PathBuf;
use std::process::{Command, Output};

const CANCEL_BODY: &str = "<?xml version=\"1.0\" encoding=\"utf-8\"?><request>\
<warehouseCode>WH01</warehouseCode><ownerCode>OWNER01</ownerCode>\
<orderCode>SO20240102001</orderCode><orderType>JYCK</orderType>\
<cancelReason>buyer cancel</cancelReason></request>";

const CANCEL_QUERY: &str = "method=taobao.qimen.order.cancel\
&timestamp=2024-01-02+03%3A04%3A05&format=xml&app_key=12345678&v=2.0\
&sign_method=md5&customerId=C_TEST_001";

fn write_temp(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("liantiao-sign-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir is writable");
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("temp file is writable");
    path
}

fn liantiao(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_liantiao"))
        .args(args)
        .output()
        .expect("the liantiao binary runs")
}

fn last_line(output: &Output) -> String {
    let stdout = String::from_utf8_lossy(&output.stdout);
    stdout.lines().last().unwrap_or_default().to_owned()
}

#[test]
fn qimen_sign_prints_the_spec_vector_as_its_last_line() {
    let body = write_temp("cancel.xml", CANCEL_BODY.as_bytes());

    let output = liantiao(&[
        "sign",
        "qimen",
        "--secret",
        "testsecret",
        "--query",
        CANCEL_QUERY,
        "--body",
        body.to_str().unwrap(),
        "--expect",
        "8453984CEBC66011835EFB481BEE1CB1",
    ]);

    assert!(output.status.success(), "{output:?}");
    assert_eq!(last_line(&output), "8453984CEBC66011835EFB481BEE1CB1");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        !stdout.contains("testsecret"),
        "secret must be masked: {stdout}"
    );
}

#[test]
fn qimen_mismatch_names_the_variant_that_reproduces_it() {
    // The sign a sender gets when it puts the secret only in front.
    let body = write_temp("cancel2.xml", CANCEL_BODY.as_bytes());
    let kv = "app_key12345678customerIdC_TEST_001formatxmlmethodtaobao.qimen.order.cancel\
              sign_methodmd5timestamp2024-01-02 03:04:05v2.0";
    let input = format!("testsecret{kv}{CANCEL_BODY}");
    let wrong = format!("{:X}", md5_of(input.as_bytes()));

    let output = liantiao(&[
        "sign",
        "qimen",
        "--secret",
        "testsecret",
        "--query",
        CANCEL_QUERY,
        "--body",
        body.to_str().unwrap(),
        "--expect",
        &wrong,
    ]);

    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("secret only at start"), "{stdout}");
    assert_eq!(last_line(&output), "8453984CEBC66011835EFB481BEE1CB1");
}

#[test]
fn cainiao_digest_prints_the_faq_vector() {
    let content = write_temp("hello.txt", b"hello1234");

    let output = liantiao(&[
        "sign",
        "cainiao",
        "--secret",
        "key123",
        "--content",
        content.to_str().unwrap(),
    ]);

    assert!(output.status.success(), "{output:?}");
    assert_eq!(last_line(&output), "ufYU7rvXhHY3IDyZgyt6SA==");
}

#[test]
fn cainiao_hex_digest_is_explained_as_hex() {
    let content = write_temp("hello2.txt", b"hello1234");
    let hex = format!("{:x}", md5_of(b"hello1234key123"));

    let output = liantiao(&[
        "sign",
        "cainiao",
        "--secret",
        "key123",
        "--content",
        content.to_str().unwrap(),
        "--expect",
        &hex,
    ]);

    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stdout = String::from_utf8_lossy(&output.stdout).to_lowercase();
    assert!(stdout.contains("hex"), "{stdout}");
    assert_eq!(last_line(&output), "ufYU7rvXhHY3IDyZgyt6SA==");
}

#[test]
fn missing_body_file_is_a_usage_error_naming_the_file() {
    let output = liantiao(&[
        "sign",
        "qimen",
        "--secret",
        "s",
        "--query",
        CANCEL_QUERY,
        "--body",
        "/nonexistent/body.xml",
    ]);

    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("/nonexistent/body.xml"));
}

/// An independent MD5, so the test does not trust the code under test.
fn md5_of(bytes: &[u8]) -> u128 {
    use md5::{Digest, Md5};
    u128::from_be_bytes(Md5::digest(bytes).into())
}
