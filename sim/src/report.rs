//! The run folder and its CSV files, plus the terminal summary.
//!
//! A run writes into `reports/<scenario>-<timestamp>/` (or the folder given
//! with `--out`): `scenario.toml` (a copy), `seed.txt`, and these
//! CSV files, columns in this order:
//!
//! | file | columns |
//! |---|---|
//! | summary.csv | flow, order_type, started, completed, failed, throughput_per_s, |
//! |             | p50_ms, p95_ms, p99_ms, max_ms |
//! | latency.csv | hop, message, count, p50_ms, p95_ms, p99_ms, max_ms |
//! | stock.csv | item_code, inventory_type, erp_qty, wms_qty, expected_qty, diff, |
//! |           | first_divergence |
//! | checks.csv | check, passed, detail |
//! | messages.csv | time, hop, message, order_code, outcome, latency_ms |
//! | reconcile.csv | item_code, inventory_type, erp_qty, wms_qty, physical_qty, |
//! |               | count_delta (cutover runs only) |
//! | failures.csv | code, reason |
//!
//! `messages.csv` is streamed row by row while the run goes, through a
//! cloneable [`MessageLog`]; the others are written once at the end.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use mocks::domain::OrderType;
use serde::Serialize;

use crate::run::books::ReconcileRow;

/// Why a report file could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("cannot write the report {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write the report {path}: {source}")]
    Csv { path: PathBuf, source: csv::Error },
}

/// One flow's line of `summary.csv`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SummaryRow {
    /// Flow name, e.g. `sales_delivery`.
    pub flow: String,
    /// Cainiao code.
    pub order_type: u16,
    pub started: u64,
    pub completed: u64,
    pub failed: u64,
    pub throughput_per_s: f64,
    /// End-to-end latency of confirmed orders; empty when none was.
    pub p50_ms: Option<f64>,
    pub p95_ms: Option<f64>,
    pub p99_ms: Option<f64>,
    pub max_ms: Option<f64>,
}

/// One (hop, message) line of `latency.csv`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LatencyRow {
    pub hop: String,
    pub message: String,
    pub count: u64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

/// One (item, inventory type) line of `stock.csv`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StockRow {
    pub item_code: String,
    /// Qimen letter.
    pub inventory_type: String,
    pub erp_qty: i64,
    pub wms_qty: i64,
    pub expected_qty: i64,
    /// `erp_qty - wms_qty`.
    pub diff: i64,
    /// `order_code message` of the first entry after which ERP and WMS
    /// disagreed for good; empty when they agree.
    pub first_divergence: String,
}

/// One line of `checks.csv`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckRow {
    pub check: String,
    pub passed: bool,
    pub detail: String,
}

/// One line of `messages.csv`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MessageRow {
    /// Wall-clock time, RFC 3339.
    pub time: String,
    pub hop: String,
    pub message: String,
    pub order_code: String,
    /// e.g. `success`, `failure:<code>`, `timeout`.
    pub outcome: String,
    pub latency_ms: f64,
}

/// The folder of one run.
#[derive(Debug, Clone)]
pub struct RunFolder {
    pub path: PathBuf,
    /// The run made the folder (it did not exist before).
    created: bool,
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> ReportError + '_ {
    move |source| ReportError::Io {
        path: path.to_owned(),
        source,
    }
}

fn csv_error(path: &Path) -> impl Fn(csv::Error) -> ReportError + '_ {
    move |source| ReportError::Csv {
        path: path.to_owned(),
        source,
    }
}

impl RunFolder {
    /// `out`, or `reports/<scenario>-<timestamp>`; creates it and writes the
    /// scenario copy and the seed.
    pub fn create(
        out: Option<&Path>,
        scenario_name: &str,
        timestamp: &str,
        scenario_text: &str,
        seed: u64,
    ) -> Result<RunFolder, ReportError> {
        let path = match out {
            Some(out) => out.to_owned(),
            None => {
                fresh_folder(&Path::new("reports").join(format!("{scenario_name}-{timestamp}")))
            }
        };
        let created = !path.exists();
        std::fs::create_dir_all(&path).map_err(io_error(&path))?;
        // A folder reused with --out must not mix two runs' files.
        for name in REPORT_FILES {
            let stale = path.join(name);
            if stale.exists() {
                std::fs::remove_file(&stale).map_err(io_error(&stale))?;
            }
        }
        let copy = path.join("scenario.toml");
        std::fs::write(&copy, scenario_text).map_err(io_error(&copy))?;
        let seed_file = path.join("seed.txt");
        std::fs::write(&seed_file, format!("{seed}\n")).map_err(io_error(&seed_file))?;
        Ok(RunFolder { path, created })
    }

    /// Removes the folder of a run that could not start, if the run made
    /// it; a folder given with `--out` that existed before is left.
    pub fn discard(self) {
        if self.created {
            if let Err(e) = std::fs::remove_dir_all(&self.path) {
                tracing::warn!(folder = %self.path.display(), error = %e, "cannot remove");
            }
        }
    }

    fn write_rows<T: Serialize>(&self, name: &str, rows: &[T]) -> Result<(), ReportError> {
        let path = self.path.join(name);
        let mut writer = csv::Writer::from_path(&path).map_err(csv_error(&path))?;
        for row in rows {
            writer.serialize(row).map_err(csv_error(&path))?;
        }
        writer.flush().map_err(io_error(&path))
    }

    pub fn write_summary(&self, rows: &[SummaryRow]) -> Result<(), ReportError> {
        self.write_header_if_empty::<SummaryRow>("summary.csv", rows, SUMMARY_HEADER)
    }

    pub fn write_latency(&self, rows: &[LatencyRow]) -> Result<(), ReportError> {
        self.write_header_if_empty::<LatencyRow>("latency.csv", rows, LATENCY_HEADER)
    }

    pub fn write_stock(&self, rows: &[StockRow]) -> Result<(), ReportError> {
        self.write_header_if_empty::<StockRow>("stock.csv", rows, STOCK_HEADER)
    }

    pub fn write_checks(&self, rows: &[CheckRow]) -> Result<(), ReportError> {
        self.write_header_if_empty::<CheckRow>("checks.csv", rows, CHECKS_HEADER)
    }

    // serde writes the header with the first row; an empty file still gets it.
    fn write_header_if_empty<T: Serialize>(
        &self,
        name: &str,
        rows: &[T],
        header: &[&str],
    ) -> Result<(), ReportError> {
        if !rows.is_empty() {
            return self.write_rows(name, rows);
        }
        let path = self.path.join(name);
        let mut writer = csv::Writer::from_path(&path).map_err(csv_error(&path))?;
        writer.write_record(header).map_err(csv_error(&path))?;
        writer.flush().map_err(io_error(&path))
    }

    /// `reconcile.csv`, written by runs with a cutover `reconcile` step.
    pub fn write_reconcile(&self, rows: &[ReconcileRow]) -> Result<(), ReportError> {
        self.write_header_if_empty::<ReconcileRow>("reconcile.csv", rows, RECONCILE_HEADER)
    }

    /// `failures.csv`: every planned document that failed, and why.
    pub fn write_failures(&self, rows: &[FailureRow]) -> Result<(), ReportError> {
        self.write_header_if_empty::<FailureRow>("failures.csv", rows, FAILURES_HEADER)
    }

    /// Open `messages.csv` for streaming.
    pub fn message_log(&self) -> Result<MessageLog, ReportError> {
        let path = self.path.join("messages.csv");
        let file = File::create(&path).map_err(io_error(&path))?;
        let mut writer = csv::WriterBuilder::new()
            .has_headers(false)
            .from_writer(file);
        writer
            .write_record(MESSAGES_HEADER)
            .map_err(csv_error(&path))?;
        Ok(MessageLog {
            path,
            writer: Arc::new(Mutex::new(writer)),
        })
    }
}

/// Every file a run may write, removed from a reused folder first.
pub const REPORT_FILES: &[&str] = &[
    "summary.csv",
    "latency.csv",
    "stock.csv",
    "checks.csv",
    "messages.csv",
    "reconcile.csv",
    "failures.csv",
];

/// Column names, in file order.
pub const SUMMARY_HEADER: &[&str] = &[
    "flow",
    "order_type",
    "started",
    "completed",
    "failed",
    "throughput_per_s",
    "p50_ms",
    "p95_ms",
    "p99_ms",
    "max_ms",
];
pub const LATENCY_HEADER: &[&str] = &[
    "hop", "message", "count", "p50_ms", "p95_ms", "p99_ms", "max_ms",
];
pub const STOCK_HEADER: &[&str] = &[
    "item_code",
    "inventory_type",
    "erp_qty",
    "wms_qty",
    "expected_qty",
    "diff",
    "first_divergence",
];
pub const CHECKS_HEADER: &[&str] = &["check", "passed", "detail"];
pub const MESSAGES_HEADER: &[&str] = &[
    "time",
    "hop",
    "message",
    "order_code",
    "outcome",
    "latency_ms",
];

pub const FAILURES_HEADER: &[&str] = &["code", "reason"];

/// One line of `failures.csv`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailureRow {
    /// Order code, or count code for 701/702.
    pub code: String,
    pub reason: String,
}

pub const RECONCILE_HEADER: &[&str] = &[
    "item_code",
    "inventory_type",
    "erp_qty",
    "wms_qty",
    "physical_qty",
    "count_delta",
];

/// A folder path that does not exist yet: `base`, else `base-2`, `base-3`...
fn fresh_folder(base: &Path) -> PathBuf {
    if !base.exists() {
        return base.to_owned();
    }
    (2u32..)
        .map(|n| PathBuf::from(format!("{}-{n}", base.display())))
        .find(|p| !p.exists())
        .unwrap_or_else(|| base.to_owned())
}

/// The flow name of an order type in reports: `purchase`, `sales_delivery`...
pub fn flow_name(order_type: OrderType) -> &'static str {
    match order_type {
        OrderType::SalesDelivery => "sales_delivery",
        OrderType::B2bDelivery => "b2b_delivery",
        OrderType::TransferOut => "transfer_out",
        OrderType::RequisitionOut => "requisition_out",
        OrderType::B2bOut => "b2b_out",
        OrderType::ExchangeDelivery => "exchange_delivery",
        OrderType::ResendDelivery => "resend_delivery",
        OrderType::OtherOut => "other_out",
        OrderType::MiscOut => "misc_out",
        OrderType::Purchase => "purchase",
        OrderType::SalesReturn => "sales_return",
        OrderType::ExchangeReturn => "exchange_return",
        OrderType::TransferIn => "transfer_in",
        OrderType::GiveBackIn => "give_back_in",
        OrderType::B2bIn => "b2b_in",
        OrderType::OtherIn => "other_in",
        OrderType::CountLoss => "count_loss",
        OrderType::CountGain => "count_gain",
    }
}

/// A cloneable handle that appends rows to `messages.csv`.
#[derive(Clone)]
pub struct MessageLog {
    path: PathBuf,
    writer: Arc<Mutex<csv::Writer<File>>>,
}

impl MessageLog {
    /// Append one row (buffered; [`MessageLog::flush`] at the end).
    pub fn record(&self, row: &MessageRow) -> Result<(), ReportError> {
        let mut writer = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        writer.serialize(row).map_err(csv_error(&self.path))
    }

    pub fn flush(&self) -> Result<(), ReportError> {
        let mut writer = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        writer.flush().map_err(io_error(&self.path))
    }
}

fn ms_or_dash(ms: Option<f64>) -> String {
    ms.map_or_else(|| "-".to_owned(), |ms| format!("{ms:.1}"))
}

/// A fixed-width table of the flows and checks for the terminal.
pub fn format_summary(flows: &[SummaryRow], checks: &[CheckRow]) -> String {
    let mut out = format!(
        "{:<20} {:>5} {:>8} {:>9} {:>6} {:>8} {:>9} {:>9}\n",
        "flow", "type", "started", "completed", "failed", "per_s", "p99_ms", "max_ms"
    );
    for r in flows {
        out.push_str(&format!(
            "{:<20} {:>5} {:>8} {:>9} {:>6} {:>8.2} {:>9} {:>9}\n",
            r.flow,
            r.order_type,
            r.started,
            r.completed,
            r.failed,
            r.throughput_per_s,
            ms_or_dash(r.p99_ms),
            ms_or_dash(r.max_ms)
        ));
    }
    for c in checks {
        let mark = if c.passed { "PASS" } else { "FAIL" };
        out.push_str(&format!("{mark} {}", c.check));
        if !c.detail.is_empty() {
            out.push_str(&format!(": {}", c.detail));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_folder(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("liantiao-report-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    fn first_line(path: &Path) -> String {
        std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .to_owned()
    }

    #[test]
    fn every_file_has_exactly_the_documented_header() {
        let out = temp_folder("headers");
        let run = RunFolder::create(Some(&out), "golive", "t", "name = \"golive\"\n", 42).unwrap();

        run.write_summary(&[SummaryRow {
            flow: "sales_delivery".into(),
            order_type: 201,
            started: 3,
            completed: 2,
            failed: 1,
            throughput_per_s: 0.5,
            p50_ms: Some(1.0),
            p95_ms: Some(2.0),
            p99_ms: Some(3.0),
            max_ms: None,
        }])
        .unwrap();
        run.write_latency(&[]).unwrap();
        run.write_stock(&[StockRow {
            item_code: "DM1001".into(),
            inventory_type: "ZP".into(),
            erp_qty: 5,
            wms_qty: 4,
            expected_qty: 4,
            diff: 1,
            first_divergence: "THRK1 returnorder.create".into(),
        }])
        .unwrap();
        run.write_checks(&[]).unwrap();
        let log = run.message_log().unwrap();
        log.record(&MessageRow {
            time: "2024-03-18T09:00:00+08:00".into(),
            hop: "erp->gateway".into(),
            message: "deliveryorder.create".into(),
            order_code: "SO1".into(),
            outcome: "success".into(),
            latency_ms: 1.5,
        })
        .unwrap();
        log.flush().unwrap();

        let headers = [
            ("summary.csv", SUMMARY_HEADER),
            ("latency.csv", LATENCY_HEADER),
            ("stock.csv", STOCK_HEADER),
            ("checks.csv", CHECKS_HEADER),
            ("messages.csv", MESSAGES_HEADER),
        ];
        for (file, header) in headers {
            assert_eq!(first_line(&out.join(file)), header.join(","), "{file}");
        }
        assert_eq!(
            first_line(&out.join("summary.csv")),
            "flow,order_type,started,completed,failed,throughput_per_s,p50_ms,p95_ms,p99_ms,max_ms"
        );
        let messages = std::fs::read_to_string(out.join("messages.csv")).unwrap();
        assert_eq!(messages.lines().count(), 2);
        assert!(messages.contains("SO1,success,1.5"));
        assert_eq!(
            std::fs::read_to_string(out.join("seed.txt")).unwrap(),
            "42\n"
        );
        assert!(out.join("scenario.toml").exists());
    }

    #[test]
    fn a_reused_folder_keeps_no_file_of_the_earlier_run() {
        let out = temp_folder("reused");
        let first = RunFolder::create(Some(&out), "cutover", "t", "", 1).unwrap();
        first.write_reconcile(&[]).unwrap();
        std::fs::write(out.join("notes.txt"), "mine").unwrap();

        RunFolder::create(Some(&out), "golive", "t", "", 2).unwrap();

        assert!(!out.join("reconcile.csv").exists());
        assert!(out.join("notes.txt").exists(), "files not ours are left");
        assert_eq!(
            std::fs::read_to_string(out.join("seed.txt")).unwrap(),
            "2\n"
        );
    }

    #[test]
    fn terminal_summary_lists_flows_and_failing_checks() {
        let checks = vec![CheckRow {
            check: "stock_consistent".into(),
            passed: false,
            detail: "DM1001/ZP erp 5 wms 4".into(),
        }];

        let text = format_summary(&[], &checks);

        assert!(text.starts_with("flow"));
        assert!(text.contains("FAIL stock_consistent: DM1001/ZP erp 5 wms 4"));
    }
}
