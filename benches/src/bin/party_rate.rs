//! Load run: requests per second one mock party serves on one core.
//!
//! Starts the mock ERP alone, its server on a single-threaded runtime (one
//! core), and posts signed `orderprocess.report` callbacks to it from a
//! separate runtime with a fixed number of connections. Every request runs
//! the full receive path: envelope, timestamp, sign verification, XML
//! parse, domain conversion and the protocol's answer. The run is bounded
//! in count, sends only to 127.0.0.1, and prints its figures.
//!
//! `cargo run --release -p liantiao-benches --bin party_rate [REQUESTS]`

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use mocks::config::Config;
use mocks::link::Link;
use mocks::observe::{Hop, LogObserver};
use mocks::qimen::envelope::gmt8;
use mocks::qimen::messages::{Message, OrderProcessReport};
use mocks::qimen::sign::SignMethod;
use mocks::qimen::{sign_request, Credentials};

const REPORT: &str = include_str!("../../../mocks/tests/fixtures/qimen/orderprocess.report.xml");
const CONNECTIONS: usize = 16;

fn main() -> anyhow::Result<()> {
    let requests: usize = std::env::args()
        .nth(1)
        .map(|n| n.parse())
        .transpose()?
        .unwrap_or(20_000);
    let config = Config::default();

    // The party under test, on one core.
    let (addr_tx, addr_rx) = std::sync::mpsc::channel();
    let server_config = config.clone();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        runtime.block_on(async move {
            let observer = Arc::new(LogObserver);
            let gateway = Link::new(
                Hop::ErpToGateway,
                "http://127.0.0.1:9/",
                observer.clone(),
                Duration::from_secs(1),
            );
            let erp = mocks::erp::Erp::new(&server_config, Default::default(), gateway, observer);
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
            addr_tx.send(listener.local_addr()?).ok();
            axum::serve(listener, erp.app()).await
        })
    });
    let addr = addr_rx
        .recv_timeout(Duration::from_secs(10))
        .context("ERP did not start")?;
    let url = format!("http://{addr}/qimen/callback");

    let report = OrderProcessReport::parse(REPORT.as_bytes()).context("fixture parses")?;
    let credentials = Credentials {
        app_key: config.qimen.app_key.clone(),
        secret: config.qimen.secret.clone(),
        customer_id: config.qimen.customer_id.clone(),
        sign_method: SignMethod::Md5,
    };
    let signed = sign_request(
        &credentials,
        &report,
        chrono::Utc::now().with_timezone(&gmt8()),
    )?;
    let target = format!("{url}?{}", signed.query);

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let (elapsed, answered) = runtime.block_on(async move {
        let client = reqwest::Client::new();
        let started = Instant::now();
        let mut tasks = Vec::new();
        for worker in 0..CONNECTIONS {
            let (client, target, body) = (client.clone(), target.clone(), signed.body.clone());
            let share = requests / CONNECTIONS + usize::from(worker < requests % CONNECTIONS);
            tasks.push(tokio::spawn(async move {
                let mut ok = 0usize;
                for _ in 0..share {
                    let response = client
                        .post(&target)
                        .header("content-type", "text/xml")
                        .body(body.clone())
                        .send()
                        .await;
                    if let Ok(r) = response {
                        ok += usize::from(r.status().is_success() && r.bytes().await.is_ok());
                    }
                }
                ok
            }));
        }
        let mut answered = 0;
        for task in tasks {
            answered += task.await.unwrap_or(0);
        }
        (started.elapsed(), answered)
    });

    println!("party: erp (callback, one core)");
    println!("requests: {requests}, answered: {answered}, connections: {CONNECTIONS}");
    println!("elapsed: {:.3} s", elapsed.as_secs_f64());
    println!(
        "rate: {:.0} requests/s",
        answered as f64 / elapsed.as_secs_f64()
    );
    Ok(())
}
