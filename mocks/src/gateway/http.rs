//! The gateway as an HTTP service: its state, its routes and its outgoing
//! deliveries.
//!
//! [`Gateway`] holds the [`core`](super::core) state behind one std
//! `Mutex` (never held across an `.await`), one [`Link`] per WMS and per
//! ERP, and the observer. [`Gateway::app`] serves:
//! - `POST /router/qimen/service`: ERP calls ([`super::erp_side`]);
//! - `POST /gateway/link.do`: WMS uploads ([`super::wms_side`]);
//! - `GET /health`.
//!
//! Outgoing messages are counted in [`Pending`] from the moment they are
//! queued until they are delivered, refused or given up, so
//! [`Gateway::pending_for`] tells "not yet arrived" from "lost".
//!
//! # Known gaps
//! - Background retries of one order run as independent tasks, so two
//!   messages of the same order that both need retries may reach the peer
//!   out of order.
//! - A queued Qimen callback is signed once, at queue time; a retry after
//!   a ban longer than the receiver's timestamp window would be refused.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::routing::{get, post};
use axum::Router;

use super::core::{Decider, Dedupe, OrderBook, Pending, RoutingTable, Ticket};
use crate::behaviour::{GatewayBehaviour, RetryPolicy};
use crate::cainiao;
use crate::config::Config;
use crate::link::{Link, Outgoing, Reply};
use crate::observe::{EventKind, Hop, Observer, Party, PartyEvent};
use crate::qimen;

/// Settings of a gateway besides its routes.
#[derive(Debug, Clone, PartialEq)]
pub struct GatewaySettings {
    /// Allowed skew of Qimen timestamps. Default: the configuration's.
    pub timestamp_tolerance: Duration,
    /// How long a push waits for the peer's answer. Default 10 s.
    pub push_timeout: Duration,
    pub behaviour: GatewayBehaviour,
    /// Run seed for throttle and failure decisions.
    pub seed: u64,
}

impl GatewaySettings {
    pub fn from_config(config: &Config, behaviour: GatewayBehaviour, seed: u64) -> Self {
        GatewaySettings {
            timestamp_tolerance: config.timestamp_tolerance,
            push_timeout: Duration::from_secs(10),
            behaviour,
            seed,
        }
    }
}

/// What the gateway remembers, behind one lock.
#[derive(Debug)]
pub(crate) struct State {
    pub book: OrderBook,
    pub dedupe: Dedupe,
    pub pending: Pending,
    pub decider: Decider,
}

pub(crate) struct Inner {
    pub table: RoutingTable,
    pub settings: GatewaySettings,
    pub state: Mutex<State>,
    pub observer: Arc<dyn Observer>,
    /// By URL: one link per WMS and one per ERP callback.
    links: HashMap<(Hop, String), Link>,
    msg_seq: AtomicU64,
}

/// The mock gateway. Cloning is cheap and shares the state.
#[derive(Clone)]
pub struct Gateway {
    pub(crate) inner: Arc<Inner>,
}

/// How a peer's answer to one push reads.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Verdict {
    Accepted,
    /// A business or protocol refusal: retrying will not help.
    Refused {
        code: String,
        message: String,
    },
    /// No verdict (transport, HTTP error, unreadable, throttled): retry,
    /// waiting at least `ban` if the peer named one.
    Retry {
        reason: String,
        ban: Option<Duration>,
    },
}

/// The end of a delivery.
#[derive(Debug, Clone)]
pub(crate) enum Delivery {
    Delivered(Reply),
    Refused { code: String, message: String },
    GaveUp { reason: String },
}

impl Gateway {
    /// A gateway serving `table` and reporting to `observer`.
    pub fn new(
        table: RoutingTable,
        settings: GatewaySettings,
        observer: Arc<dyn Observer>,
    ) -> Gateway {
        let mut links = HashMap::new();
        for url in table.wms_urls() {
            let link = Link::new(
                Hop::GatewayToWms,
                &url,
                observer.clone(),
                settings.push_timeout,
            );
            links.insert((Hop::GatewayToWms, url), link);
        }
        for url in table.erp_urls() {
            let link = Link::new(
                Hop::GatewayToErp,
                &url,
                observer.clone(),
                settings.push_timeout,
            );
            links.insert((Hop::GatewayToErp, url), link);
        }
        let state = State {
            book: OrderBook::default(),
            dedupe: Dedupe::default(),
            pending: Pending::default(),
            decider: Decider::new(settings.seed, settings.behaviour.clone()),
        };
        Gateway {
            inner: Arc::new(Inner {
                table,
                settings,
                state: Mutex::new(state),
                observer,
                links,
                msg_seq: AtomicU64::new(0),
            }),
        }
    }

    /// The server side: Qimen entry, LINK entry and health.
    pub fn app(&self) -> Router {
        Router::new()
            .route("/router/qimen/service", post(super::erp_side::handle))
            .route("/gateway/link.do", post(super::wms_side::handle))
            .route("/health", get(|| async { "ok" }))
            .with_state(self.clone())
    }

    /// Messages queued or being sent, on every hop.
    pub fn in_flight(&self) -> u64 {
        self.inner.lock().pending.total()
    }

    /// Messages queued or being sent on one hop.
    pub fn in_flight_on(&self, hop: Hop) -> u64 {
        self.inner.lock().pending.on_hop(hop)
    }

    /// Messages queued or being sent for an ERP order code (or a count
    /// code, for counts and moves).
    pub fn pending_for(&self, order_code: &str) -> u64 {
        self.inner.lock().pending.for_order(order_code)
    }

    /// The Cainiao `orderCode` the gateway gave an ERP order, if notified.
    pub fn cainiao_order_code(&self, customer_id: &str, erp_order_code: &str) -> Option<String> {
        let state = self.inner.lock();
        let record = state.book.by_erp(customer_id, erp_order_code)?;
        Some(record.cainiao_order_code.clone())
    }
}

impl Inner {
    pub fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock is a bug in this module; the state
        // is still the best there is, so keep serving it.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn link(&self, hop: Hop, url: &str) -> &Link {
        self.links
            .get(&(hop, url.to_owned()))
            .expect("Gateway::new builds a link for every URL of the routing table")
    }

    /// A message id unique within this gateway's life.
    pub fn next_msg_id(&self) -> String {
        let n = self.msg_seq.fetch_add(1, Ordering::SeqCst) + 1;
        format!("GW{n:012}")
    }

    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.settings.behaviour.push_retry
    }

    pub fn event(&self, order_code: &str, kind: EventKind, message: &str, detail: Option<String>) {
        self.observer.event(&PartyEvent {
            party: Party::Gateway,
            order_code: order_code.to_owned(),
            kind,
            message: message.to_owned(),
            detail,
        });
    }

    /// Counts a message from now until its ticket is ended.
    pub fn begin(&self, hop: Hop, order_code: Option<&str>) -> Ticket {
        self.lock().pending.begin(hop, order_code)
    }

    pub fn end(&self, ticket: &Ticket) {
        self.lock().pending.end(ticket);
    }
}

/// Sends `outgoing` until the peer gives a verdict or the policy runs
/// out, starting at try `first_attempt`.
pub(crate) async fn deliver(
    link: &Link,
    outgoing: &Outgoing,
    policy: &RetryPolicy,
    first_attempt: u32,
    judge: fn(&Reply) -> Verdict,
) -> Delivery {
    let mut attempt = first_attempt;
    loop {
        let (reason, ban) = match link.post(outgoing, attempt).await {
            Ok(reply) => match judge(&reply) {
                Verdict::Accepted => return Delivery::Delivered(reply),
                Verdict::Refused { code, message } => {
                    return Delivery::Refused { code, message };
                }
                Verdict::Retry { reason, ban } => (reason, ban),
            },
            Err(e) => (e.reason, None),
        };

        if attempt >= policy.max_attempts {
            return Delivery::GaveUp { reason };
        }
        let wait = policy.backoff(attempt, ban);
        tracing::warn!(
            party = "gateway",
            hop = %link.hop(),
            msg_type = %outgoing.message,
            order_code = outgoing.order_code.as_deref().unwrap_or(""),
            attempt,
            wait_ms = wait.as_millis() as u64,
            reason = %reason,
            "push failed, retrying"
        );
        tokio::time::sleep(wait).await;
        attempt += 1;
    }
}

/// Tries once; on no verdict, hands the rest of the tries to a background
/// task and returns `None`. `ticket` ends when the delivery does.
pub(crate) async fn deliver_or_queue(
    inner: &Arc<Inner>,
    link: Link,
    outgoing: Outgoing,
    ticket: Ticket,
    judge: fn(&Reply) -> Verdict,
) -> Option<Delivery> {
    let policy = RetryPolicy {
        max_attempts: 1,
        ..inner.retry_policy().clone()
    };
    match deliver(&link, &outgoing, &policy, 1, judge).await {
        Delivery::GaveUp { .. } if inner.retry_policy().max_attempts > 1 => {
            queue(inner, link, outgoing, ticket, 2, judge);
            None
        }
        delivery => {
            inner.end(&ticket);
            Some(delivery)
        }
    }
}

/// Delivers in the background from try `first_attempt`; reports a refusal
/// or a give-up as an event.
pub(crate) fn queue(
    inner: &Arc<Inner>,
    link: Link,
    outgoing: Outgoing,
    ticket: Ticket,
    first_attempt: u32,
    judge: fn(&Reply) -> Verdict,
) {
    let inner = inner.clone();
    spawn(async move {
        let policy = inner.retry_policy().clone();
        let delivery = deliver(&link, &outgoing, &policy, first_attempt, judge).await;
        inner.end(&ticket);

        let order_code = outgoing.order_code.as_deref().unwrap_or("");
        match delivery {
            Delivery::Delivered(_) => {}
            Delivery::Refused { code, message } => {
                tracing::warn!(
                    party = "gateway",
                    msg_type = %outgoing.message,
                    order_code,
                    code = %code,
                    "peer refused a queued message: {message}"
                );
                let detail = Some(format!("{code}: {message}"));
                inner.event(order_code, EventKind::Refused, &outgoing.message, detail);
            }
            Delivery::GaveUp { reason } => {
                tracing::warn!(
                    party = "gateway",
                    msg_type = %outgoing.message,
                    order_code,
                    "gave up after the last retry: {reason}"
                );
                inner.event(
                    order_code,
                    EventKind::GaveUp,
                    &outgoing.message,
                    Some(reason),
                );
            }
        }
    });
}

fn spawn(task: impl Future<Output = ()> + Send + 'static) {
    tokio::spawn(task);
}

/// Reads a Cainiao reply: success, a retryable code, or a refusal.
pub(crate) fn judge_cainiao(reply: &Reply) -> Verdict {
    if reply.status != 200 {
        return Verdict::Retry {
            reason: format!("HTTP {}", reply.status),
            ban: None,
        };
    }
    match cainiao::Response::parse(&reply.body) {
        Ok(r) if r.success => Verdict::Accepted,
        Ok(r) if r.code().is_some_and(|c| c.is_retryable()) => Verdict::Retry {
            reason: format!(
                "{}: {}",
                r.error_code.unwrap_or_default(),
                r.error_msg.unwrap_or_default()
            ),
            ban: None,
        },
        Ok(r) => Verdict::Refused {
            code: r.error_code.unwrap_or_default(),
            message: r.error_msg.unwrap_or_default(),
        },
        Err(e) => Verdict::Retry {
            reason: format!("unreadable reply: {e}"),
            ban: None,
        },
    }
}

/// Reads a Qimen reply: success, throttled (with its ban), or a refusal.
pub(crate) fn judge_qimen(reply: &Reply) -> Verdict {
    if reply.status != 200 {
        return Verdict::Retry {
            reason: format!("HTTP {}", reply.status),
            ban: None,
        };
    }
    match qimen::Response::parse(&reply.body) {
        Ok(r) if r.is_success() => Verdict::Accepted,
        Ok(r) if r.failure_code().is_some_and(|c| c.is_retryable()) => Verdict::Retry {
            ban: r.ban_seconds().map(|s| Duration::from_secs(u64::from(s))),
            reason: format!("{}: {}", r.code, r.message),
        },
        Ok(r) => Verdict::Refused {
            code: r.code,
            message: r.message,
        },
        Err(e) => Verdict::Retry {
            reason: format!("unreadable reply: {e}"),
            ban: None,
        },
    }
}
