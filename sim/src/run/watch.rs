//! Watching the two books while a run goes, so that a drift is reported
//! when it happens, not only at the end.
//!
//! Once a second the watcher replays both ledgers with the ERP's receipts
//! ([`check::first_divergences`]). A WMS change whose confirm is still
//! travelling shows as a difference until the ERP has it, so a divergence
//! counts only when the order it started at has nothing left to send in
//! the WMS or the gateway, at two checks in a row (or at the last check,
//! made once the run settled).
//! Each slot is reported once, with the time into the run it was seen.
//!
//! # Known gaps
//! Each check copies both ledgers, which grows with the run; for long load
//! runs the watcher stops checking past [`MAX_ENTRIES`] entries.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use mocks::domain::{InventoryType, ItemCode};
use mocks::erp::Erp;
use mocks::gateway::Gateway;
use mocks::wms::Wms;
use tokio::sync::watch;

use crate::check;

use super::track::Tracker;

/// Ledger entries past which the watcher stops copying the books.
pub const MAX_ENTRIES: usize = 200_000;

const PERIOD: Duration = Duration::from_secs(1);

/// A drift seen during the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DriftSeen {
    pub item_code: ItemCode,
    pub inventory_type: InventoryType,
    /// From the start of the orders.
    pub at: Duration,
    /// `order_code message` it diverged since.
    pub since: String,
}

impl DriftSeen {
    pub fn describe(&self) -> String {
        format!(
            "{}/{} at {:.1} s, since {}",
            self.item_code,
            self.inventory_type.qimen_code(),
            self.at.as_secs_f64(),
            self.since
        )
    }
}

/// A running watcher; [`Watcher::stop`] returns what it saw.
pub struct Watcher {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<Vec<DriftSeen>>,
}

impl Watcher {
    /// `gateway` is `None` when the gateway is an external system: its
    /// queue is then unknown, and only the two-checks rule applies.
    pub fn start(
        erp: Erp,
        wms: Wms,
        gateway: Option<Gateway>,
        tracker: Arc<Tracker>,
        start: Instant,
    ) -> Watcher {
        let (stop, mut stopped) = watch::channel(false);
        let task = tokio::spawn(async move {
            let mut last: BTreeMap<(ItemCode, InventoryType), String> = BTreeMap::new();
            let mut seen: BTreeMap<(ItemCode, InventoryType), DriftSeen> = BTreeMap::new();
            let mut settled = false;
            while !settled {
                tokio::select! {
                    _ = tokio::time::sleep(PERIOD) => {}
                    // The run settled: nothing is in flight, one last look.
                    _ = stopped.wait_for(|s| *s) => settled = true,
                }
                let (erp_books, wms_books) = (erp.ledger(), wms.ledger());
                if erp_books.entries().count() + wms_books.entries().count() > MAX_ENTRIES {
                    tracing::info!("books too large to watch during the run; checked at the end");
                    break;
                }
                let in_flight = |code: &str| {
                    let at_gateway = gateway.as_ref().is_some_and(|g| g.pending_for(code) > 0);
                    at_gateway || wms.uploading_for(code) > 0
                };
                let now: BTreeMap<_, String> =
                    check::first_divergences(&erp_books, &wms_books, &tracker.receipts())
                        .into_iter()
                        .filter(|(_, d)| settled || !in_flight(&d.cause.order_code))
                        .map(|(slot, d)| (slot, d.describe()))
                        .collect();
                for (slot, since) in &now {
                    let repeated = settled || last.get(slot) == Some(since);
                    if repeated && !seen.contains_key(slot) {
                        let drift = DriftSeen {
                            item_code: slot.0.clone(),
                            inventory_type: slot.1,
                            at: start.elapsed(),
                            since: since.clone(),
                        };
                        tracing::warn!(drift = %drift.describe(), "ERP and WMS books diverged");
                        seen.insert(slot.clone(), drift);
                    }
                }
                last = now;
            }
            seen.into_values().collect()
        });
        Watcher { stop, task }
    }

    pub async fn stop(self) -> Vec<DriftSeen> {
        let _ = self.stop.send(true);
        self.task.await.unwrap_or_default()
    }
}
