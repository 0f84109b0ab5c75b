//! What parties report while they work: exchanges over hops and events in
//! an order's life.
//!
//! Parties report to an [`Observer`]; the scenario driver implements it to
//! measure latency, stream `messages.csv` and track orders to completion.
//! A party running alone under `liantiao serve` gets [`LogObserver`], which
//! only writes debug logs.

use std::fmt;
use std::time::Duration;

/// The four hops every message travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Hop {
    ErpToGateway,
    GatewayToWms,
    WmsToGateway,
    GatewayToErp,
}

impl Hop {
    pub const ALL: [Hop; 4] = [
        Hop::ErpToGateway,
        Hop::GatewayToWms,
        Hop::WmsToGateway,
        Hop::GatewayToErp,
    ];

    /// The name used in reports and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Hop::ErpToGateway => "erp-gateway",
            Hop::GatewayToWms => "gateway-wms",
            Hop::WmsToGateway => "wms-gateway",
            Hop::GatewayToErp => "gateway-erp",
        }
    }
}

impl fmt::Display for Hop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How an exchange ended, below the protocol's own verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The peer answered with this HTTP status; `verdict` is the
    /// protocol's own answer in the body: `success`, `failure:<code>` or
    /// `unreadable`.
    Answered { status: u16, verdict: String },
    /// No answer: connection refused, timeout, reset.
    Transport { reason: String },
}

/// One request over a hop and its answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Exchange {
    pub hop: Hop,
    pub message: String,
    pub order_code: Option<String>,
    pub outcome: Outcome,
    /// 1 for the first try, more for retries.
    pub attempt: u32,
    pub latency: Duration,
}

/// Which party reports an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Party {
    Erp,
    Gateway,
    Wms,
}

impl Party {
    pub fn as_str(self) -> &'static str {
        match self {
            Party::Erp => "erp",
            Party::Gateway => "gateway",
            Party::Wms => "wms",
        }
    }
}

impl fmt::Display for Party {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Something that happened to an order inside a party.
#[derive(Debug, Clone, PartialEq)]
pub struct PartyEvent {
    pub party: Party,
    pub order_code: String,
    pub kind: EventKind,
    /// Message that caused it (`deliveryorder.confirm`, ...).
    pub message: String,
    pub detail: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventKind {
    /// A create reached the party and was accepted.
    Accepted,
    /// A create or message was refused (detail says why).
    Refused,
    /// A confirm was applied to the party's ledger.
    ConfirmApplied { final_confirm: bool },
    /// A confirm arrived again and changed nothing.
    Duplicate,
    /// The order was cancelled.
    Cancelled,
    /// A stock adjustment (count, inventory-type move) was applied.
    Adjusted,
    /// A message was given up after its last retry.
    GaveUp,
    /// Something the checks should flag: over-shipment, tracking number
    /// changed, orphan return, double counting.
    Anomaly,
}

/// Receives what parties report. Implementations must be cheap and must
/// not block: they are called on the request path.
pub trait Observer: Send + Sync {
    fn exchange(&self, exchange: &Exchange);
    fn event(&self, event: &PartyEvent);
}

/// An observer that writes debug-level logs and nothing else.
#[derive(Debug, Default, Clone, Copy)]
pub struct LogObserver;

impl Observer for LogObserver {
    fn exchange(&self, e: &Exchange) {
        tracing::debug!(
            hop = %e.hop,
            msg_type = %e.message,
            order_code = e.order_code.as_deref().unwrap_or(""),
            attempt = e.attempt,
            latency_ms = e.latency.as_secs_f64() * 1000.0,
            outcome = ?e.outcome,
            "exchange"
        );
    }

    fn event(&self, e: &PartyEvent) {
        tracing::debug!(
            party = %e.party,
            order_code = %e.order_code,
            msg_type = %e.message,
            kind = ?e.kind,
            detail = e.detail.as_deref().unwrap_or(""),
            "event"
        );
    }
}
