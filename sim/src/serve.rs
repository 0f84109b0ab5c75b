//! `liantiao serve`: run mock parties on loopback until Ctrl-C.
//!
//! Prints one line per party, its name and the URL it receives on. On
//! Ctrl-C the servers stop accepting, requests in progress finish, and work
//! the parties already accepted (WMS orders, gateway retries) is drained
//! for up to 30 seconds before exiting.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use mocks::config::Config;
use mocks::observe::{LogObserver, Party};
use mocks::stack::{Stack, StackSettings};

/// How long Ctrl-C waits for accepted work to finish.
const DRAIN_LIMIT: Duration = Duration::from_secs(30);

/// Runs `parties` with the configuration at `config` (defaults if none).
pub async fn serve(parties: &[Party], config: Option<&Path>, seed: u64) -> anyhow::Result<()> {
    let config = match config {
        Some(path) => Config::load(path)?,
        None => Config::default(),
    };
    let settings = StackSettings {
        config,
        seed,
        erp: Default::default(),
        gateway: Default::default(),
        wms: Default::default(),
        observer: Arc::new(LogObserver),
        run: parties.to_vec(),
        clock: Default::default(),
    };

    let stack = Stack::start(settings)
        .await
        .context("cannot start the parties")?;
    for party in parties {
        println!("{:<8} {}", party.as_str(), stack.urls.of(*party));
    }

    tokio::signal::ctrl_c()
        .await
        .context("cannot wait for Ctrl-C")?;
    eprintln!("stopping: draining accepted work");
    if !stack.drain(DRAIN_LIMIT).await {
        eprintln!(
            "some work was still in progress after {}s",
            DRAIN_LIMIT.as_secs()
        );
    }
    stack.shutdown().await;
    Ok(())
}
