//! Links: the one client type every party uses to call another party.
//!
//! Four hops carry every message (ERP→gateway, gateway→WMS, WMS→gateway,
//! gateway→ERP). A party never calls another party's code; it posts bytes
//! over HTTP through a [`Link`], which is the single place that times the
//! exchange, counts it in flight and reports it to the [`Observer`]. Fault
//! injection will live here too.
//!
//! Retrying is the caller's business: only the party can read its
//! protocol's reply and tell a throttle from a refusal. [`Backoff`] gives
//! callers one bounded schedule.
//!
//! # Known gaps
//! No fault injection yet (delay, drop, duplicate, reorder, corrupt sign):
//! the hook point is [`Link::post`], where every exchange passes.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;

use crate::observe::{Exchange, Hop, Observer, Outcome};

/// An HTTP request a party sends over a hop.
#[derive(Debug, Clone)]
pub struct Outgoing {
    /// Message name as it appears in reports (`deliveryorder.create`,
    /// `WMS_CONSIGN_ORDER_NOTIFY`).
    pub message: String,
    /// The ERP order code the message concerns, if any.
    pub order_code: Option<String>,
    /// Query string appended to the URL (Qimen system parameters).
    pub query: Option<String>,
    pub content_type: &'static str,
    pub body: Vec<u8>,
}

/// The peer's HTTP answer. A protocol-level refusal is data here.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub body: Bytes,
}

/// The exchange failed below the protocol: no HTTP answer was read.
#[derive(Debug, thiserror::Error)]
#[error("{hop} {message}: {reason}")]
pub struct TransportError {
    pub hop: Hop,
    pub message: String,
    pub reason: String,
}

/// The protocol's own verdict in a reply, as reports show it: `success`,
/// `failure:<code>`, or `unreadable` when the body is neither protocol's
/// response. Qimen on the ERP hops, Cainiao on the WMS hops.
fn verdict(hop: Hop, reply: &Reply) -> String {
    let failure = |code: &str| {
        if code.is_empty() {
            "failure".to_owned()
        } else {
            format!("failure:{code}")
        }
    };
    match hop {
        Hop::ErpToGateway | Hop::GatewayToErp => match crate::qimen::Response::parse(&reply.body) {
            Ok(r) if r.is_success() => "success".to_owned(),
            Ok(r) => failure(&r.code),
            Err(_) => "unreadable".to_owned(),
        },
        Hop::GatewayToWms | Hop::WmsToGateway => {
            match crate::cainiao::Response::parse(&reply.body) {
                Ok(r) if r.success => "success".to_owned(),
                Ok(r) => failure(r.error_code.as_deref().unwrap_or("")),
                Err(_) => "unreadable".to_owned(),
            }
        }
    }
}

/// Requests one link has open at once; more wait their turn. Parties that
/// share a process share its file descriptors, and an overloaded run would
/// otherwise open connections until it has none left.
pub const MAX_CONNECTIONS: usize = 128;

/// A party's client for one hop.
#[derive(Clone)]
pub struct Link {
    hop: Hop,
    url: String,
    client: reqwest::Client,
    observer: Arc<dyn Observer>,
    in_flight: Arc<AtomicI64>,
    connections: Arc<tokio::sync::Semaphore>,
}

impl Link {
    /// A link posting to `url` over `hop`, timing out after `timeout`.
    pub fn new(hop: Hop, url: &str, observer: Arc<dyn Observer>, timeout: Duration) -> Link {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .pool_max_idle_per_host(64)
            .build()
            .expect("a TLS-capable reqwest client builds with default settings");
        Link {
            hop,
            url: url.to_owned(),
            client,
            observer,
            in_flight: Arc::new(AtomicI64::new(0)),
            connections: Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS)),
        }
    }

    pub fn hop(&self) -> Hop {
        self.hop
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// Requests sent over this link and not yet answered.
    pub fn in_flight(&self) -> i64 {
        self.in_flight.load(Ordering::SeqCst)
    }

    /// Posts one message and reports the exchange, whatever its outcome.
    /// `attempt` counts from 1 and is reported with the exchange. The
    /// latency includes any wait for one of the link's
    /// [`MAX_CONNECTIONS`], as a client with a bounded pool sees it.
    pub async fn post(&self, outgoing: &Outgoing, attempt: u32) -> Result<Reply, TransportError> {
        let url = match &outgoing.query {
            Some(query) => format!("{}?{}", self.url, query),
            None => self.url.clone(),
        };
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        let started = Instant::now();

        let result = match self.connections.acquire().await {
            Ok(_permit) => self.send(&url, outgoing).await,
            Err(_) => Err(TransportError {
                hop: self.hop,
                message: outgoing.message.clone(),
                reason: "link closed".to_owned(),
            }),
        };

        let latency = started.elapsed();
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
        let outcome = match &result {
            Ok(reply) => Outcome::Answered {
                status: reply.status,
                verdict: verdict(self.hop, reply),
            },
            Err(e) => Outcome::Transport {
                reason: e.reason.clone(),
            },
        };
        self.observer.exchange(&Exchange {
            hop: self.hop,
            message: outgoing.message.clone(),
            order_code: outgoing.order_code.clone(),
            outcome,
            attempt,
            latency,
        });
        result
    }

    async fn send(&self, url: &str, outgoing: &Outgoing) -> Result<Reply, TransportError> {
        let failed = |reason: String| TransportError {
            hop: self.hop,
            message: outgoing.message.clone(),
            reason,
        };
        let response = self
            .client
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, outgoing.content_type)
            .body(outgoing.body.clone())
            .send()
            .await
            .map_err(|e| failed(transport_reason(&e)))?;
        let status = response.status().as_u16();
        let body = response
            .bytes()
            .await
            .map_err(|e| failed(transport_reason(&e)))?;
        Ok(Reply { status, body })
    }
}

/// Why an exchange got no answer, in a few words: `timed out`,
/// `connection refused`, ... The URL (with its signed query) is left out;
/// the hop and message already say where it went.
fn transport_reason(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        return "timed out".to_owned();
    }
    let mut innermost: &dyn std::error::Error = error;
    while let Some(source) = innermost.source() {
        innermost = source;
    }
    let reason = innermost.to_string();
    if error.is_connect() && !reason.contains("connect") {
        format!("cannot connect: {reason}")
    } else {
        reason
    }
}

/// A bounded exponential back-off: `base`, 2×`base`, 4×`base`, ... capped
/// at `max`, for at most `attempts` tries in all.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backoff {
    pub attempts: u32,
    pub base: Duration,
    pub max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            attempts: 5,
            base: Duration::from_millis(50),
            max: Duration::from_secs(5),
        }
    }
}

impl Backoff {
    /// The wait before try number `attempt + 1` (attempts count from 1),
    /// or `None` when no try is left.
    pub fn delay_after(&self, attempt: u32) -> Option<Duration> {
        if attempt >= self.attempts {
            return None;
        }
        let factor = 1u32
            .checked_shl(attempt.saturating_sub(1))
            .unwrap_or(u32::MAX);
        Some(self.base.saturating_mul(factor).min(self.max))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap_and_stops() {
        let backoff = Backoff {
            attempts: 5,
            base: Duration::from_millis(100),
            max: Duration::from_millis(300),
        };

        let delays: Vec<_> = (1..=5).map(|a| backoff.delay_after(a)).collect();

        assert_eq!(
            delays,
            vec![
                Some(Duration::from_millis(100)),
                Some(Duration::from_millis(200)),
                Some(Duration::from_millis(300)),
                Some(Duration::from_millis(300)),
                None,
            ]
        );
    }

    #[test]
    fn backoff_survives_huge_attempt_numbers() {
        let backoff = Backoff {
            attempts: u32::MAX,
            ..Backoff::default()
        };
        assert_eq!(backoff.delay_after(4000), Some(backoff.max));
    }
}
