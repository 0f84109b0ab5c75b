//! Following every planned document to its end, from what the parties
//! report.
//!
//! [`Tracker`] is the run's [`Observer`]: each exchange becomes a hop
//! latency and a `messages.csv` row; the ERP's events end orders. An order
//! ends when the ERP applies its final confirm or its cancel, or when the
//! create is refused; a count ends when the ERP applies the count report.
//! Events can arrive before the driver registers the document they end
//! (the ERP may apply a count report before the WMS's `count` call
//! returns), so endings of unknown codes are kept until registration.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mocks::domain::OrderType;
use mocks::erp::core::INVENTORY_REPORT;
use mocks::ledger::SequenceClock;
use mocks::observe::{EventKind, Exchange, LogObserver, Observer, Outcome, Party, PartyEvent};

use crate::check::Receipt;
use crate::measure::Measurements;
use crate::plan;
use crate::report::{MessageLog, MessageRow};

/// How a document ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ending {
    /// The ERP applied the final confirm (or the count report).
    Confirmed,
    /// The ERP recorded an accepted cancel.
    Cancelled,
    /// The create was refused or given up; the text says why.
    Refused(String),
}

/// What the driver expects of a document and when it was due.
#[derive(Debug, Clone)]
struct Tracked {
    flow: OrderType,
    due: Instant,
    expect: plan::Outcome,
    ended: bool,
}

#[derive(Default)]
struct State {
    open: HashMap<String, Tracked>,
    /// Endings of codes not registered yet.
    early: HashMap<String, (Ending, Instant)>,
    registered: usize,
    ended: usize,
    /// Anomalies the ERP flagged: `order_code: detail`.
    anomalies: Vec<String>,
    /// Why a document failed, per code.
    failures: Vec<String>,
    /// Messages the ERP received about each order, on the ledgers' clock.
    receipts: Vec<Receipt>,
    /// Planned cancels the warehouse accepted.
    cancelled: usize,
    /// Planned cancels that lost the race to the warehouse's consignment.
    cancels_too_late: usize,
}

/// The run's observer and order book. Share it behind an `Arc`.
pub struct Tracker {
    state: Mutex<State>,
    measurements: Arc<Measurements>,
    log: Option<MessageLog>,
    clock: SequenceClock,
}

impl Tracker {
    /// `clock` is the one the parties' ledgers share: ERP receipts are
    /// stamped on it, so the checks can tell messages in flight.
    pub fn new(
        measurements: Arc<Measurements>,
        log: Option<MessageLog>,
        clock: SequenceClock,
    ) -> Tracker {
        Tracker {
            state: Mutex::new(State::default()),
            measurements,
            log,
            clock,
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // Counters only: a panic elsewhere leaves them usable.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A document of `flow` is being sent; it was due at `due`.
    pub fn register(&self, code: &str, flow: OrderType, due: Instant, expect: plan::Outcome) {
        self.measurements.start_order(flow);
        let mut state = self.state();
        state.registered += 1;
        let tracked = Tracked {
            flow,
            due,
            expect,
            ended: false,
        };
        state.open.insert(code.to_owned(), tracked);
        if let Some((ending, at)) = state.early.remove(code) {
            self.end(&mut state, code, ending, at);
        }
    }

    /// The driver learned how a document ended (a refused create).
    pub fn finish(&self, code: &str, ending: Ending) {
        let mut state = self.state();
        self.end(&mut state, code, ending, Instant::now());
    }

    fn end(&self, state: &mut State, code: &str, ending: Ending, at: Instant) {
        let Some(tracked) = state.open.get_mut(code) else {
            state.early.entry(code.to_owned()).or_insert((ending, at));
            return;
        };
        if tracked.ended {
            return;
        }
        tracked.ended = true;
        let (flow, due, expect) = (tracked.flow, tracked.due, tracked.expect);
        state.ended += 1;
        let latency = at.saturating_duration_since(due);
        use plan::Outcome as Plan;
        match (&ending, expect) {
            (Ending::Confirmed, _) => self.measurements.complete_order(flow, latency),
            (Ending::Cancelled, Plan::Cancelled | Plan::ExpectedShort) => {
                self.measurements.complete_order_untimed(flow)
            }
            (Ending::Refused(_), Plan::ExpectedShort | Plan::Orphan) => {
                self.measurements.complete_order_untimed(flow)
            }
            (Ending::Cancelled, _) => {
                self.measurements.fail_order(flow);
                state
                    .failures
                    .push(format!("{code}: cancelled, not planned so"));
            }
            (Ending::Refused(why), _) => {
                self.measurements.fail_order(flow);
                state.failures.push(format!("{code}: {why}"));
            }
        }
        match (&ending, expect) {
            (Ending::Confirmed, Plan::Cancelled) => state.cancels_too_late += 1,
            (Ending::Cancelled, _) => state.cancelled += 1,
            _ => {}
        }
    }

    /// Documents registered and ended so far.
    pub fn progress(&self) -> (usize, usize) {
        let state = self.state();
        (state.ended, state.registered)
    }

    /// Marks every document still open as failed: it did not end in time.
    pub fn fail_open(&self, why: &str) -> usize {
        let mut state = self.state();
        let open: Vec<(String, OrderType)> = state
            .open
            .iter()
            .filter(|(_, t)| !t.ended)
            .map(|(code, t)| (code.clone(), t.flow))
            .collect();
        for (code, flow) in &open {
            self.measurements.fail_order(*flow);
            state.failures.push(format!("{code}: {why}"));
            if let Some(t) = state.open.get_mut(code) {
                t.ended = true;
            }
        }
        state.ended += open.len();
        open.len()
    }

    /// What the ERP received, for [`crate::check::first_divergences`].
    pub fn receipts(&self) -> Vec<Receipt> {
        self.state().receipts.clone()
    }

    pub fn anomalies(&self) -> Vec<String> {
        self.state().anomalies.clone()
    }

    /// Why documents failed, sorted by code.
    pub fn failures(&self) -> Vec<String> {
        let mut failures = self.state().failures.clone();
        failures.sort();
        failures
    }

    pub fn cancelled(&self) -> usize {
        self.state().cancelled
    }

    pub fn cancels_too_late(&self) -> usize {
        self.state().cancels_too_late
    }
}

impl Observer for Tracker {
    fn exchange(&self, e: &Exchange) {
        let hop = e.hop.as_str();
        self.measurements.record_hop(hop, &e.message, e.latency);
        let outcome = match &e.outcome {
            Outcome::Answered {
                status: 200,
                verdict,
            } => verdict.clone(),
            Outcome::Answered { status, verdict } => format!("http {status} {verdict}"),
            Outcome::Transport { reason } if reason.contains("timed out") => "timeout".to_owned(),
            Outcome::Transport { reason } => format!("transport: {reason}"),
        };
        tracing::debug!(
            hop,
            msg_type = %e.message,
            order_code = e.order_code.as_deref().unwrap_or(""),
            attempt = e.attempt,
            outcome = %outcome,
            "exchange"
        );
        let Some(log) = &self.log else { return };
        let row = MessageRow {
            time: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            hop: hop.to_owned(),
            message: e.message.clone(),
            order_code: e.order_code.clone().unwrap_or_default(),
            outcome,
            latency_ms: round_ms(e.latency),
        };
        if let Err(error) = log.record(&row) {
            tracing::error!(%error, "cannot append to messages.csv");
        }
    }

    fn event(&self, e: &PartyEvent) {
        LogObserver.event(e);
        if e.party != Party::Erp {
            return;
        }
        if matches!(
            e.kind,
            EventKind::ConfirmApplied { .. } | EventKind::Adjusted
        ) {
            let receipt = Receipt {
                sequence: self.clock.tick(),
                order_code: e.order_code.clone(),
            };
            self.state().receipts.push(receipt);
        }
        let ending = match &e.kind {
            EventKind::ConfirmApplied {
                final_confirm: true,
            } => Ending::Confirmed,
            EventKind::Adjusted if e.message == INVENTORY_REPORT => Ending::Confirmed,
            EventKind::Cancelled => Ending::Cancelled,
            EventKind::Anomaly => {
                let detail = e.detail.as_deref().unwrap_or(&e.message);
                tracing::warn!(party = "erp", order_code = %e.order_code, detail, "anomaly");
                let line = format!("{}: {detail}", e.order_code);
                self.state().anomalies.push(line);
                return;
            }
            _ => return,
        };
        let mut state = self.state();
        self.end(&mut state, &e.order_code, ending, Instant::now());
    }
}

/// Milliseconds with microsecond resolution.
fn round_ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1_000_000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn erp_event(code: &str, kind: EventKind, message: &str) -> PartyEvent {
        PartyEvent {
            party: Party::Erp,
            order_code: code.into(),
            kind,
            message: message.into(),
            detail: None,
        }
    }

    #[test]
    fn an_ending_before_registration_is_kept_and_counted_once() {
        let m = Arc::new(Measurements::new());
        let tracker = Tracker::new(m.clone(), None, SequenceClock::new());
        let due = Instant::now();

        tracker.event(&erp_event("PD1", EventKind::Adjusted, INVENTORY_REPORT));
        tracker.register("PD1", OrderType::CountGain, due, plan::Outcome::Complete);
        tracker.event(&erp_event("PD1", EventKind::Adjusted, INVENTORY_REPORT));

        let stats = m.flows()[&OrderType::CountGain];
        assert_eq!((stats.started, stats.completed, stats.failed), (1, 1, 0));
        assert_eq!(tracker.progress(), (1, 1));
    }

    #[test]
    fn endings_count_against_what_the_plan_expected() {
        let m = Arc::new(Measurements::new());
        let tracker = Tracker::new(m.clone(), None, SequenceClock::new());
        let due = Instant::now();
        let confirm = EventKind::ConfirmApplied {
            final_confirm: true,
        };
        let partial = EventKind::ConfirmApplied {
            final_confirm: false,
        };
        use plan::Outcome as P;
        tracker.register("A", OrderType::SalesDelivery, due, P::Complete);
        tracker.register("B", OrderType::SalesDelivery, due, P::Cancelled);
        tracker.register("C", OrderType::SalesDelivery, due, P::Cancelled);
        tracker.register("D", OrderType::SalesDelivery, due, P::Complete);
        tracker.register("E", OrderType::SalesDelivery, due, P::Complete);

        tracker.event(&erp_event("A", partial, "deliveryorder.confirm"));
        tracker.event(&erp_event("A", confirm.clone(), "deliveryorder.confirm"));
        tracker.event(&erp_event("B", EventKind::Cancelled, "order.cancel"));
        tracker.event(&erp_event("C", confirm, "deliveryorder.confirm"));
        tracker.finish("D", Ending::Refused("item unknown".into()));
        let timed_out = tracker.fail_open("not finished by the deadline");

        let stats = m.flows()[&OrderType::SalesDelivery];
        assert_eq!((stats.started, stats.completed, stats.failed), (5, 3, 2));
        assert_eq!(stats.latency.count, 2, "only confirmed orders are timed");
        assert_eq!(timed_out, 1);
        assert_eq!(tracker.cancels_too_late(), 1);
        assert_eq!(tracker.cancelled(), 1);
        assert_eq!(
            tracker.failures(),
            vec![
                "D: item unknown".to_owned(),
                "E: not finished by the deadline".to_owned()
            ]
        );
    }
}
