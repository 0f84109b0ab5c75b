//! `liantiao run`: a scenario carried through the three parties, checked,
//! measured and reported.
//!
//! A run goes through these steps, in order:
//! 1. plan the documents from the scenario and the seed ([`crate::plan`]);
//! 2. create the run folder and start the parties ([`mocks::stack`]), the
//!    embedded ones on loopback, with one [`Tracker`] observing all;
//! 3. set up the books: opening stock, then the cutover steps the scenario
//!    lists (or item synchronisation alone when it lists none);
//! 4. send every planned document at its intended time (open model: a slow
//!    party does not slow the sender) and follow each to its end, with a
//!    progress bar on a terminal;
//! 5. settle: wait until no party has work, then fail what is still open;
//! 6. check both books against each other and the driver's expectation,
//!    and write the reports.
//!
//! The ERP is always the embedded mock: the driver sends orders as the
//! merchant's ERP. The gateway and the WMS may be external systems; with
//! an external WMS the WMS's figures come from an `inventory.query`, and
//! counts (which happen inside the warehouse) cannot be driven.
//!
//! # Known gaps
//! Memory grows with the number of orders: the plan is held whole, and
//! every party keeps each order and every ledger entry until the run ends
//! (about 20 KB per order in a load run of 10,800 orders). Bounded memory
//! for long load runs needs parties that forget finished orders and a
//! divergence replay that streams ledger entries.

pub mod books;
pub mod track;
pub mod watch;

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mocks::config::{CainiaoCredentials, Config, PartyEndpoint, QimenCredentials};
use mocks::domain::{OrderType, StockAdjustment};
use mocks::erp::{Answer, Erp};
use mocks::ledger::SequenceClock;
use mocks::observe::Party;
use mocks::stack::{Stack, StackSettings, WMS_PUSH_PATH};
use mocks::wms::Wms;

use crate::check::{self, RunFacts};
use crate::measure::{self, Measurements};
use crate::plan::{self, Document, Plan, Planned};
use crate::report::{
    self, CheckRow, FailureRow, LatencyRow, ReportError, RunFolder, StockRow, SummaryRow,
};
use crate::scenario::{CutoverStep, PartyLocation, Scenario};
use books::{ReconcileRow, SetupError};
use track::{Ending, Tracker};
use watch::{DriftSeen, Watcher};

/// How a run is asked for, besides the scenario.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Overrides the scenario's seed.
    pub seed: Option<u64>,
    /// The run folder; default `reports/<scenario>-<timestamp>`.
    pub out: Option<PathBuf>,
    /// Draw a progress bar (only shown on a terminal).
    pub progress: bool,
}

/// Why a run could not be carried out at all.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Report(#[from] ReportError),
    #[error("cannot start the parties: {0}")]
    Start(std::io::Error),
    #[error("{0}")]
    Unsupported(String),
}

/// What a run found: the rows of every report, and where they are.
#[derive(Debug, Clone)]
pub struct RunReport {
    pub folder: PathBuf,
    pub seed: u64,
    pub flows: Vec<SummaryRow>,
    pub latency: Vec<LatencyRow>,
    pub stock: Vec<StockRow>,
    pub checks: Vec<CheckRow>,
    pub reconcile: Vec<ReconcileRow>,
    /// Anomalies the ERP flagged, `order_code: detail`.
    pub anomalies: Vec<String>,
    /// Drifts the watcher saw while orders were running.
    pub drift_seen: Vec<DriftSeen>,
    /// Documents that failed, `code: why`.
    pub failures: Vec<String>,
    /// Orders the warehouse cancelled, and planned cancels it refused
    /// because it had already acted.
    pub cancelled: usize,
    pub cancels_too_late: usize,
    /// Time from the first planned document to the end of settling.
    pub elapsed: Duration,
}

impl RunReport {
    /// Every expectation held.
    pub fn passed(&self) -> bool {
        self.checks.iter().all(|c| c.passed)
    }

    /// The terminal summary: flows, checks, and what went wrong.
    pub fn summary(&self) -> String {
        let mut out = report::format_summary(&self.flows, &self.checks);
        out.push_str(&format!(
            "cancelled {}, cancels too late {}, elapsed {:.1} s, seed {}\n",
            self.cancelled,
            self.cancels_too_late,
            self.elapsed.as_secs_f64(),
            self.seed
        ));
        let drifts: Vec<String> = self.drift_seen.iter().map(DriftSeen::describe).collect();
        let lists = [
            ("failed", &self.failures),
            ("anomalies", &self.anomalies),
            ("drift seen during the run", &drifts),
        ];
        for (title, list) in lists {
            if list.is_empty() {
                continue;
            }
            out.push_str(&format!("{title} ({}):\n", list.len()));
            for line in list.iter().take(10) {
                out.push_str(&format!("  {line}\n"));
            }
            if list.len() > 10 {
                out.push_str(&format!("  ... {} more\n", list.len() - 10));
            }
        }
        out.push_str(&format!("reports: {}\n", self.folder.display()));
        out
    }
}

/// The onboarding configuration of a scenario: its credentials, and where
/// each party runs (embedded parties listen on a free loopback port).
pub fn config_of(scenario: &Scenario) -> Config {
    let c = &scenario.credentials;
    let loopback: SocketAddr = ([127, 0, 0, 1], 0).into();
    let endpoint = |location: &PartyLocation, listen: Option<SocketAddr>| match location {
        PartyLocation::Embedded => PartyEndpoint::Embedded {
            listen: listen.unwrap_or(loopback),
        },
        PartyLocation::External(url) => PartyEndpoint::External { url: url.clone() },
    };
    let listen = scenario.parties.listen;
    Config {
        qimen: QimenCredentials {
            app_key: c.qimen_app_key.clone(),
            secret: c.qimen_secret.clone(),
            customer_id: c.customer_id.clone(),
        },
        cainiao: CainiaoCredentials {
            provider_id: c.cainiao_provider_id.clone(),
            secret: c.cainiao_secret.clone(),
            owner_user_id: c.cainiao_owner_id.clone(),
            store_code: c.cainiao_store_code.clone(),
        },
        owner_code: c.owner_code.clone(),
        warehouse_code: c.warehouse_code.clone(),
        erp: endpoint(&scenario.parties.erp, listen.erp),
        gateway: endpoint(&scenario.parties.gateway, listen.gateway),
        wms: endpoint(&scenario.parties.wms, listen.wms),
        ..Config::default()
    }
}

/// The steps a scenario runs: its `[cutover]` steps, or item
/// synchronisation (when asked) then the orders.
pub fn steps_of(scenario: &Scenario) -> Vec<CutoverStep> {
    if !scenario.cutover.is_empty() {
        return scenario.cutover.clone();
    }
    let mut steps = Vec::new();
    if scenario.sync_items {
        steps.push(CutoverStep::SyncItems);
    }
    steps.push(CutoverStep::LiveOrders);
    steps
}

/// Runs `scenario` and writes its reports.
pub async fn run(scenario: &Scenario, options: &RunOptions) -> Result<RunReport, RunError> {
    if scenario.parties.erp != PartyLocation::Embedded {
        return Err(RunError::Unsupported(
            "the driver sends orders as the ERP, so `parties.erp` must be \"embedded\"; \
             to test a real ERP, run `liantiao serve gateway` and `liantiao serve wms`"
                .into(),
        ));
    }
    let seed = options.seed.unwrap_or(scenario.seed);
    let plan = plan::plan(scenario, seed);
    let folder = RunFolder::create(
        options.out.as_deref(),
        &scenario.name,
        &chrono::Local::now().format("%Y%m%d-%H%M%S").to_string(),
        &scenario.source_text,
        seed,
    )?;
    let log = folder.message_log()?;
    let measurements = Arc::new(Measurements::new());
    let clock = SequenceClock::new();
    let tracker = Arc::new(Tracker::new(
        measurements.clone(),
        Some(log.clone()),
        clock.clone(),
    ));

    let mut run = vec![Party::Erp];
    if scenario.parties.gateway == PartyLocation::Embedded {
        run.push(Party::Gateway);
    }
    if scenario.parties.wms == PartyLocation::Embedded {
        run.push(Party::Wms);
    }
    let mut config = config_of(scenario);
    if let PartyEndpoint::External { url } = &config.wms {
        // The scenario gives the WMS's base URL; pushes go to its receiver.
        if !url.ends_with(WMS_PUSH_PATH) {
            config.wms = PartyEndpoint::External {
                url: format!("{url}{WMS_PUSH_PATH}"),
            };
        }
    }
    let settings = StackSettings {
        config,
        seed,
        erp: scenario.erp.clone(),
        gateway: scenario.gateway.clone(),
        wms: scenario.wms.clone(),
        observer: tracker.clone(),
        run,
        clock,
    };
    let stack = match Stack::start(settings).await {
        Ok(stack) => stack,
        Err(e) => {
            folder.discard();
            return Err(RunError::Start(e));
        }
    };
    let urls = &stack.urls;
    tracing::info!(
        erp = %urls.erp_callback,
        gateway = %urls.gateway_base,
        wms = %urls.wms_push,
        "parties"
    );
    let external = |l: &PartyLocation| *l != PartyLocation::Embedded;
    if external(&scenario.parties.gateway) || external(&scenario.parties.wms) {
        // A real system must know where the embedded parties receive.
        eprintln!("erp callback  {}", urls.erp_callback);
        eprintln!("gateway       {}", urls.gateway_base);
        eprintln!("wms receiver  {}", urls.wms_push);
    }

    let mut driver = Driver {
        scenario,
        plan: &plan,
        stack: &stack,
        tracker: tracker.clone(),
        measurements: measurements.clone(),
        progress: options.progress,
        counts: Arc::new(Mutex::new(Vec::new())),
        reconcile: Vec::new(),
        drift_seen: Vec::new(),
        interrupted: false,
        setup_failures: Vec::new(),
        elapsed: Duration::ZERO,
    };
    driver.go().await;
    let report = driver.finish(&folder, seed).await;
    log.flush()?;
    stack.shutdown().await;
    let report = report?;
    tracing::info!(
        folder = %report.folder.display(),
        passed = report.passed(),
        "run finished"
    );
    Ok(report)
}

struct Driver<'a> {
    scenario: &'a Scenario,
    plan: &'a Plan,
    stack: &'a Stack,
    tracker: Arc<Tracker>,
    measurements: Arc<Measurements>,
    progress: bool,
    /// Adjustments the WMS reported for planned counts.
    counts: Arc<Mutex<Vec<StockAdjustment>>>,
    reconcile: Vec<ReconcileRow>,
    drift_seen: Vec<DriftSeen>,
    /// Ctrl-C stopped the run; what was done is still reported.
    interrupted: bool,
    /// Setup steps a party refused: `step: why`.
    setup_failures: Vec<String>,
    elapsed: Duration,
}

impl Driver<'_> {
    fn erp(&self) -> &Erp {
        self.stack
            .erp
            .as_ref()
            .expect("the ERP always runs embedded; checked before starting")
    }

    fn wms(&self) -> Option<&Wms> {
        self.stack.wms.as_ref()
    }

    /// Sets up the books and runs the steps; a refused step stops the run
    /// before any order and is reported as a failed check.
    async fn go(&mut self) {
        if let Some(wms) = self.wms() {
            if !self.scenario.opening.is_empty() {
                // Stock already in the warehouse is of items it knows.
                wms.load_items(&self.scenario.items);
            }
        }
        if let Err(e) = books::load_opening(self.scenario, self.erp(), self.wms()) {
            self.setup_failures.push(format!("opening stock: {e}"));
            self.fail_unsent(0, "not sent: the opening stock was refused");
            return;
        }
        for step in steps_of(self.scenario) {
            tracing::info!(step = step.name(), "step");
            if let Err(e) = self.step(step).await {
                self.setup_failures.push(format!("{}: {e}", step.name()));
                let why = format!("not sent: the {} step failed", step.name());
                self.fail_unsent(0, &why);
                return;
            }
        }
    }

    /// Counts the planned documents from `from` on that were never sent
    /// as failed, so that no planned order goes missing from the counts.
    fn fail_unsent(&self, from: usize, why: &str) {
        let now = Instant::now();
        for planned in &self.plan.documents[from..] {
            if let Some((code, flow, expect)) = tracked(planned) {
                self.tracker.register(&code, flow, now, expect);
                self.tracker.finish(&code, Ending::Refused(why.to_owned()));
            }
        }
    }

    async fn step(&mut self, step: CutoverStep) -> Result<(), SetupError> {
        let settle = Duration::from_secs(self.scenario.settle_timeout_s);
        match step {
            // Nothing is sent until `live_orders`.
            CutoverStep::StopBusiness => {}
            CutoverStep::Reconcile => {
                let wms_books = match self.wms() {
                    Some(wms) => wms.ledger(),
                    None => books::queried_books(self.scenario, self.erp()).await?,
                };
                self.reconcile = books::reconcile(self.scenario, self.erp(), &wms_books);
            }
            CutoverStep::CountAlign => {
                let wms = self
                    .wms()
                    .ok_or_else(|| SetupError::Refused("a count needs the embedded WMS".into()))?;
                books::count_align(&self.reconcile, wms).await?;
                self.stack.drain(settle).await;
            }
            CutoverStep::SyncItems => {
                let items = &self.scenario.items;
                match self.erp().sync_items(items).await {
                    Ok(Answer::Accepted) => {}
                    Ok(Answer::Refused(why) | Answer::GaveUp(why)) => {
                        return Err(SetupError::Refused(format!("items.synchronize: {why}")))
                    }
                    Err(e) => return Err(SetupError::Refused(e.to_string())),
                }
                self.stack.drain(settle).await;
            }
            CutoverStep::ImportStock => {
                books::import_stock(self.scenario, self.erp()).await?;
            }
            CutoverStep::LiveOrders => self.live_orders().await,
        }
        Ok(())
    }

    /// Sends every planned document at its time and waits for them to end.
    async fn live_orders(&mut self) {
        let total = self
            .plan
            .documents
            .iter()
            .filter(|p| tracked(p).is_some())
            .count();
        let bar = progress_bar(self.progress, total as u64);
        let start = Instant::now();
        let deadline = start + Duration::from_secs(self.scenario.deadline_s);

        // A cancel goes out from its order's task, once the create is
        // answered: sent earlier, the ERP would have nothing to cancel.
        let cancels: HashMap<String, Instant> = self
            .plan
            .documents
            .iter()
            .filter_map(|p| match &p.document {
                Document::Cancel(c) => Some((c.order_code.clone(), start + p.offset)),
                _ => None,
            })
            .collect();
        let watcher = self.wms().map(|wms| {
            let gateway = self.stack.gateway.clone();
            Watcher::start(
                self.erp().clone(),
                wms.clone(),
                gateway,
                self.tracker.clone(),
                start,
            )
        });
        let mut sends = tokio::task::JoinSet::new();
        let mut interrupt = std::pin::pin!(interrupted());
        let mut stopped_at = None;
        for (index, planned) in self.plan.documents.iter().enumerate() {
            let due = start + planned.offset;
            if due >= deadline {
                stopped_at = Some((index, "not sent: its time is past deadline_s"));
                break;
            }
            tokio::select! {
                _ = tokio::time::sleep_until(due.into()) => {}
                _ = &mut interrupt => {
                    self.interrupted = true;
                    stopped_at = Some((index, "not sent: the run was interrupted"));
                    break;
                }
            }
            let Some((code, flow, expect)) = tracked(planned) else {
                continue;
            };
            // Registered before the task starts: an aborted task still
            // leaves its order to be counted as failed.
            self.tracker.register(&code, flow, due, expect);
            let cancel_at = cancels.get(&code).copied();
            sends.spawn(self.send(planned.clone(), cancel_at));
            bar.set_position(self.tracker.progress().0 as u64);
        }
        if let Some((index, why)) = stopped_at {
            self.fail_unsent(index, why);
        }
        while !self.interrupted {
            let (ended, _) = self.tracker.progress();
            bar.set_position(ended as u64);
            if ended >= total || Instant::now() >= deadline {
                break;
            }
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_millis(50)) => {}
                _ = &mut interrupt => self.interrupted = true,
            }
        }
        let settle = match self.interrupted {
            true => Duration::ZERO,
            false => Duration::from_secs(self.scenario.settle_timeout_s),
        };
        if !self.stack.drain(settle).await && !self.interrupted {
            tracing::warn!(
                settle_timeout_s = self.scenario.settle_timeout_s,
                "parties still busy after the settle timeout"
            );
        }
        sends.abort_all();
        while sends.join_next().await.is_some() {}
        if let Some(watcher) = watcher {
            self.drift_seen = watcher.stop().await;
        }
        let why = match self.interrupted {
            true => "not finished: the run was interrupted".to_owned(),
            false => format!(
                "not finished within deadline_s = {} and settle_timeout_s = {}",
                self.scenario.deadline_s, self.scenario.settle_timeout_s
            ),
        };
        self.tracker.fail_open(&why);
        bar.finish_and_clear();
        self.elapsed = start.elapsed();
    }

    /// One document's send, as a task of its own.
    fn send(
        &self,
        planned: Planned,
        cancel_at: Option<Instant>,
    ) -> impl std::future::Future<Output = ()> {
        let erp = self.erp().clone();
        let wms = self.wms().cloned();
        let tracker = self.tracker.clone();
        let counts = self.counts.clone();
        async move {
            match planned.document {
                Document::Create { order, .. } => {
                    let code = order.order_code.clone();
                    let ending = match erp.create_order(&order).await {
                        Ok(Answer::Accepted) => {
                            if let Some(at) = cancel_at {
                                tokio::time::sleep_until(at.into()).await;
                                cancel(&erp, &code).await;
                            }
                            None
                        }
                        Ok(Answer::Refused(why)) => Some(format!("create refused: {why}")),
                        Ok(Answer::GaveUp(why)) => Some(format!("create given up: {why}")),
                        Err(e) => Some(format!("create not sent: {e}")),
                    };
                    if let Some(why) = ending {
                        tracing::warn!(order_code = %code, why, "create failed");
                        tracker.finish(&code, Ending::Refused(why));
                    }
                }
                Document::Cancel(c) => cancel(&erp, &c.order_code).await,
                Document::Count(count) => {
                    let code = count.adjustment_code.clone();
                    let Some(wms) = wms else {
                        let why = "a count needs the embedded WMS".to_owned();
                        tracker.finish(&code, Ending::Refused(why));
                        return;
                    };
                    match wms.count_as(&code, &count.lines).await {
                        Ok(adjustments) if adjustments.is_empty() => {
                            let why = "the count found nothing to adjust".to_owned();
                            tracker.finish(&code, Ending::Refused(why));
                        }
                        Ok(adjustments) => counts
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .extend(adjustments),
                        Err(e) => tracker.finish(&code, Ending::Refused(e.to_string())),
                    }
                }
            }
        }
    }

    /// Checks and reports.
    async fn finish(&self, folder: &RunFolder, seed: u64) -> Result<RunReport, RunError> {
        let erp = self.erp();
        let erp_books = erp.ledger();
        let wms_books = match self.wms() {
            Some(wms) => Ok(wms.ledger()),
            None => books::queried_books(self.scenario, erp).await,
        };
        let counts = self
            .counts
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let expected = books::expectation(self.scenario, self.plan, erp, &counts);

        let mut checks = Vec::new();
        if !self.setup_failures.is_empty() {
            checks.push(CheckRow {
                check: "setup".into(),
                passed: false,
                detail: self.setup_failures.join("; "),
            });
        }
        let stock = match &wms_books {
            Ok(wms_books) => {
                let receipts = self.tracker.receipts();
                check::stock_rows(&erp_books, wms_books, &receipts, &expected)
            }
            Err(e) => {
                checks.push(CheckRow {
                    check: "wms_stock_read".into(),
                    passed: false,
                    detail: e.to_string(),
                });
                Vec::new()
            }
        };
        let received = self.wms().map(Wms::serials_received).unwrap_or_default();
        let facts = RunFacts {
            planned: planned_per_flow(self.plan),
            flows: self.measurements.flows(),
            serials: if self.scenario.expect.serials_consistent {
                books::serial_audit(self.scenario, self.plan, erp, &received)
            } else {
                check::SerialAudit::default()
            },
        };
        checks.extend(check::evaluate(&self.scenario.expect, &stock, &facts));
        if wms_books.is_err() {
            // No rows to compare is not agreement.
            for row in checks.iter_mut().filter(|c| c.check == "stock_consistent") {
                row.passed = false;
                row.detail = "not checked: the WMS's stock could not be read".into();
            }
        }

        if self.interrupted {
            checks.push(CheckRow {
                check: "run_completed".into(),
                passed: false,
                detail: "interrupted (Ctrl-C or SIGTERM); open orders counted as failed".into(),
            });
        }
        let flows = summary_rows(self.scenario, &facts.flows, self.elapsed);
        let latency = latency_rows(&self.measurements);
        folder.write_summary(&flows)?;
        folder.write_latency(&latency)?;
        folder.write_stock(&stock)?;
        folder.write_checks(&checks)?;
        let failures: Vec<FailureRow> = self
            .tracker
            .failures()
            .into_iter()
            .map(|line| match line.split_once(": ") {
                Some((code, reason)) => FailureRow {
                    code: code.to_owned(),
                    reason: reason.to_owned(),
                },
                None => FailureRow {
                    code: String::new(),
                    reason: line,
                },
            })
            .collect();
        folder.write_failures(&failures)?;
        if !self.reconcile.is_empty() || self.scenario.cutover.contains(&CutoverStep::Reconcile) {
            folder.write_reconcile(&self.reconcile)?;
        }
        Ok(RunReport {
            folder: folder.path.clone(),
            seed,
            flows,
            latency,
            stock,
            checks,
            reconcile: self.reconcile.clone(),
            anomalies: self.tracker.anomalies(),
            drift_seen: self.drift_seen.clone(),
            failures: self.tracker.failures(),
            cancelled: self.tracker.cancelled(),
            cancels_too_late: self.tracker.cancels_too_late(),
            elapsed: self.elapsed,
        })
    }
}

/// Resolves on Ctrl-C, or on SIGTERM (a CI timeout, `docker stop`).
async fn interrupted() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// The code, flow and planned ending of a document the tracker follows
/// (creates and counts; cancels belong to their order).
fn tracked(planned: &Planned) -> Option<(String, OrderType, plan::Outcome)> {
    match &planned.document {
        Document::Create { order, outcome } => {
            Some((order.order_code.clone(), order.order_type, *outcome))
        }
        Document::Count(c) => Some((
            c.adjustment_code.clone(),
            c.order_type,
            plan::Outcome::Complete,
        )),
        Document::Cancel(_) => None,
    }
}

/// Sends a planned cancel. Not accepted (the warehouse acted first) is a
/// normal outcome: the order then completes.
async fn cancel(erp: &Erp, code: &str) {
    match erp.cancel_order(code).await {
        Ok(Answer::Accepted) => {}
        Ok(answer) => tracing::info!(order_code = %code, ?answer, "cancel not accepted"),
        Err(e) => tracing::info!(order_code = %code, error = %e, "cancel not sent"),
    }
}

fn progress_bar(show: bool, total: u64) -> indicatif::ProgressBar {
    if !show {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(total);
    let style = indicatif::ProgressStyle::with_template(
        "{spinner} {elapsed_precise} [{bar:40}] {pos}/{len} documents ended",
    )
    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    bar.set_style(style.progress_chars("=> "));
    bar
}

/// Planned documents (creates and counts) per flow.
fn planned_per_flow(plan: &Plan) -> BTreeMap<OrderType, u64> {
    let mut planned = BTreeMap::new();
    for p in &plan.documents {
        let flow = match &p.document {
            Document::Create { order, .. } => order.order_type,
            Document::Count(count) => count.order_type,
            Document::Cancel(_) => continue,
        };
        *planned.entry(flow).or_insert(0) += 1;
    }
    planned
}

/// One row per flow of the scenario, in file order, even one that
/// started nothing.
fn summary_rows(
    scenario: &Scenario,
    flows: &BTreeMap<OrderType, measure::FlowStats>,
    elapsed: Duration,
) -> Vec<SummaryRow> {
    scenario
        .flows
        .iter()
        .map(|f| {
            (
                f.order_type,
                flows.get(&f.order_type).copied().unwrap_or_default(),
            )
        })
        .map(|(t, s)| (t, s, s.latency.count > 0))
        .map(|(t, s, timed)| SummaryRow {
            flow: report::flow_name(t).to_owned(),
            order_type: t.code(),
            started: s.started,
            completed: s.completed,
            failed: s.failed,
            throughput_per_s: round3(measure::throughput_per_s(s.completed, elapsed)),
            p50_ms: timed.then_some(s.latency.p50_ms),
            p95_ms: timed.then_some(s.latency.p95_ms),
            p99_ms: timed.then_some(s.latency.p99_ms),
            max_ms: timed.then_some(s.latency.max_ms),
        })
        .collect()
}

fn latency_rows(measurements: &Measurements) -> Vec<LatencyRow> {
    measurements
        .hops()
        .into_iter()
        .map(|((hop, message), p)| LatencyRow {
            hop,
            message,
            count: p.count,
            p50_ms: p.p50_ms,
            p95_ms: p.p95_ms,
            p99_ms: p.p99_ms,
            max_ms: p.max_ms,
        })
        .collect()
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}
