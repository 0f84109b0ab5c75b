//! Codec benchmarks: sign and verify, parse and serialise.
//!
//! Each group also times a raw MD5 of the same bytes, so the figures can be
//! read as a ratio to the cheapest thing a signer must do anyway; ratios
//! taken from one run survive a noisy shared machine better than absolute
//! times.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use md5::{Digest, Md5};
use mocks::cainiao;
use mocks::qimen::envelope::QueryParams;
use mocks::qimen::messages::{DeliveryOrderConfirm, DeliveryOrderCreate, Message};
use mocks::qimen::sign::{self, Charset, SignMethod};

const DELIVERY_CREATE: &str =
    include_str!("../../mocks/tests/fixtures/qimen/deliveryorder.create.xml");
const DELIVERY_CONFIRM: &str =
    include_str!("../../mocks/tests/fixtures/qimen/deliveryorder.confirm.xml");
const CONSIGN_CONFIRM: &str =
    include_str!("../../mocks/tests/fixtures/cainiao/WMS_CONSIGN_ORDER_CONFIRM.xml");

const SECRET: &str = "testsecret";

/// The sample delivery order with its lines repeated up to `lines` lines.
fn delivery_order_with_lines(lines: usize) -> String {
    let start = DELIVERY_CREATE
        .find("<orderLine>")
        .expect("sample has order lines");
    let end = DELIVERY_CREATE
        .rfind("</orderLine>")
        .expect("sample has order lines")
        + "</orderLine>".len();
    let sample_lines = &DELIVERY_CREATE[start..end];
    let blocks: Vec<&str> = sample_lines
        .split_inclusive("</orderLine>")
        .map(str::trim)
        .filter(|b| !b.is_empty())
        .collect();
    let mut body = String::new();
    for n in 0..lines {
        let block = blocks[n % blocks.len()];
        let numbered = replace_line_no(block, n + 1);
        body.push_str(&numbered);
        body.push('\n');
    }
    format!(
        "{}{}{}",
        &DELIVERY_CREATE[..start],
        body,
        &DELIVERY_CREATE[end..]
    )
}

fn replace_line_no(block: &str, n: usize) -> String {
    match (block.find("<orderLineNo>"), block.find("</orderLineNo>")) {
        (Some(open), Some(close)) => {
            format!("{}<orderLineNo>{n}{}", &block[..open], &block[close..])
        }
        _ => block.to_owned(),
    }
}

fn signed_query(body: &[u8]) -> QueryParams {
    let mut query = QueryParams::parse(
        "method=taobao.qimen.deliveryorder.create&timestamp=2024-03-18+10%3A00%3A00\
         &format=xml&app_key=12345678&v=2.0&sign_method=md5&customerId=C_TEST_001",
    );
    let sign =
        sign::sign(SECRET, &query, body, SignMethod::Md5, Charset::Utf8).expect("UTF-8 body signs");
    query.set("sign", &sign);
    query
}

fn bench_sign(c: &mut Criterion) {
    let body = delivery_order_with_lines(20);
    let bytes = body.as_bytes();
    let query = signed_query(bytes);
    let mut group = c.benchmark_group("qimen_sign_20_lines");
    group.throughput(Throughput::Bytes(bytes.len() as u64));

    group.bench_function("raw_md5", |b| b.iter(|| Md5::digest(black_box(bytes))));
    group.bench_function("sign", |b| {
        b.iter(|| {
            sign::sign(
                SECRET,
                black_box(&query),
                bytes,
                SignMethod::Md5,
                Charset::Utf8,
            )
        })
    });
    group.bench_function("verify", |b| {
        b.iter(|| sign::verify(SECRET, black_box(&query), bytes, Charset::Utf8))
    });
    group.finish();

    let content = CONSIGN_CONFIRM.as_bytes();
    let digest = cainiao::digest::digest_bytes(content, b"testSecret123");
    let mut group = c.benchmark_group("cainiao_digest_consign_confirm");
    group.throughput(Throughput::Bytes(content.len() as u64));
    group.bench_function("raw_md5", |b| b.iter(|| Md5::digest(black_box(content))));
    group.bench_function("digest", |b| {
        b.iter(|| cainiao::digest::digest_bytes(black_box(content), b"testSecret123"))
    });
    group.bench_function("verify", |b| {
        b.iter(|| cainiao::digest::verify(black_box(content), "testSecret123", &digest))
    });
    group.finish();
}

fn bench_codec(c: &mut Criterion) {
    let create = delivery_order_with_lines(20);
    let parsed_create = DeliveryOrderCreate::parse(create.as_bytes()).expect("bench body parses");
    assert_eq!(
        parsed_create.order_lines.list.len(),
        20,
        "bench body has 20 lines"
    );
    let parsed_confirm =
        DeliveryOrderConfirm::parse(DELIVERY_CONFIRM.as_bytes()).expect("sample parses");

    let mut group = c.benchmark_group("qimen_deliveryorder_create_20_lines");
    group.throughput(Throughput::Bytes(create.len() as u64));
    group.bench_function("raw_md5", |b| {
        b.iter(|| Md5::digest(black_box(create.as_bytes())))
    });
    group.bench_function("parse", |b| {
        b.iter(|| DeliveryOrderCreate::parse(black_box(create.as_bytes())))
    });
    group.bench_function("serialise", |b| {
        b.iter_batched(
            || parsed_create.clone(),
            |m| m.to_xml(),
            BatchSize::SmallInput,
        )
    });
    group.finish();

    let mut group = c.benchmark_group("qimen_deliveryorder_confirm_packages");
    group.throughput(Throughput::Bytes(DELIVERY_CONFIRM.len() as u64));
    group.bench_function("raw_md5", |b| {
        b.iter(|| Md5::digest(black_box(DELIVERY_CONFIRM.as_bytes())))
    });
    group.bench_function("parse", |b| {
        b.iter(|| DeliveryOrderConfirm::parse(black_box(DELIVERY_CONFIRM.as_bytes())))
    });
    group.bench_function("serialise", |b| {
        b.iter_batched(
            || parsed_confirm.clone(),
            |m| m.to_xml(),
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

criterion_group!(benches, bench_sign, bench_codec);
criterion_main!(benches);
