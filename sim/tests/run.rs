//! Scenarios run through the three embedded parties, checked against stock
//! computed by hand from the plan; and the `liantiao run` command's exit
//! codes and report folder.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use mocks::domain::{Direction, OrderType};
use sim::plan::{self, Document, Outcome};
use sim::run::{self, RunOptions, RunReport};
use sim::scenario::{self, Scenario};

fn scenarios_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios")
}

fn temp_dir(name: &str) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("liantiao-run-{}-{name}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn shipped_at_scale(name: &str, scale: f64) -> Scenario {
    let mut valid = scenario::load_valid(&scenarios_dir().join(name)).unwrap();
    valid.scale = scale;
    scenario::resolve(valid).unwrap()
}

/// Writes a scenario next to nothing else; its catalog is the shipped one.
fn scenario_file(dir: &Path, body: &str) -> PathBuf {
    let catalog = scenarios_dir().join("catalog.csv");
    let text = format!("catalog = {:?}\n{body}", catalog.display().to_string());
    let path = dir.join("x.toml");
    std::fs::write(&path, text).unwrap();
    path
}

async fn run_in(scenario: &Scenario, out: &Path) -> RunReport {
    let options = RunOptions {
        seed: None,
        out: Some(out.to_owned()),
        progress: false,
    };
    run::run(scenario, &options).await.unwrap()
}

fn good_stock(report: &RunReport) -> BTreeMap<String, (i64, i64)> {
    report
        .stock
        .iter()
        .filter(|r| r.inventory_type == "ZP")
        .map(|r| (r.item_code.clone(), (r.erp_qty, r.wms_qty)))
        .collect()
}

fn csv_rows(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .map(str::to_owned)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn golive_at_small_scale_completes_every_flow_with_books_equal_to_hand_arithmetic() {
    let scenario = shipped_at_scale("golive.toml", 0.2);
    let plan = plan::plan(&scenario, scenario.seed);
    let out = temp_dir("golive");

    let report = run_in(&scenario, &out).await;

    assert!(report.passed(), "{}", report.summary());
    assert_eq!(report.cancels_too_late, 0, "{}", report.summary());
    for flow in &scenario.flows {
        let row = report
            .flows
            .iter()
            .find(|r| r.order_type == flow.order_type.code())
            .unwrap_or_else(|| panic!("no summary row for {}", flow.order_type));
        let counts = (row.started, row.completed, row.failed);
        assert_eq!(
            counts,
            (flow.count.into(), flow.count.into(), 0),
            "{}",
            row.flow
        );
    }
    // By hand: every create planned complete moves its planned quantities,
    // planned cancels move nothing, counts move their planned deltas.
    let mut by_hand: BTreeMap<String, i64> = BTreeMap::new();
    let mut cancels = 0;
    for planned in &plan.documents {
        match &planned.document {
            Document::Create { order, outcome } => {
                assert_ne!(*outcome, Outcome::ExpectedShort, "{}", order.order_code);
                if *outcome == Outcome::Cancelled {
                    cancels += 1;
                    continue;
                }
                let sign = match order.order_type.direction() {
                    Direction::Outbound => -1,
                    _ => 1,
                };
                for line in &order.lines {
                    *by_hand.entry(line.item_code.to_string()).or_insert(0) +=
                        sign * i64::from(line.plan_qty);
                }
            }
            Document::Count(count) => {
                for line in &count.lines {
                    *by_hand.entry(line.item_code.to_string()).or_insert(0) += line.delta;
                }
            }
            Document::Cancel(_) => {}
        }
    }
    by_hand.retain(|_, q| *q != 0);
    let mut books = good_stock(&report);
    books.retain(|_, (erp, wms)| *erp != 0 || *wms != 0);
    let erp: BTreeMap<String, i64> = books.iter().map(|(k, (e, _))| (k.clone(), *e)).collect();
    let wms: BTreeMap<String, i64> = books.iter().map(|(k, (_, w))| (k.clone(), *w)).collect();
    assert_eq!(erp, by_hand);
    assert_eq!(wms, by_hand);
    assert_eq!(report.cancelled, cancels);

    // The folder holds the scenario, the seed and the five reports.
    assert_eq!(
        std::fs::read_to_string(out.join("seed.txt")).unwrap(),
        format!("{}\n", scenario.seed)
    );
    assert_eq!(
        std::fs::read_to_string(out.join("scenario.toml")).unwrap(),
        scenario.source_text
    );
    let summary = csv_rows(&out.join("summary.csv"));
    assert_eq!(summary.len(), 1 + scenario.flows.len());
    let stock = csv_rows(&out.join("stock.csv"));
    assert_eq!(stock.len(), 1 + report.stock.len());
    let checks = csv_rows(&out.join("checks.csv"));
    assert_eq!(
        checks[1..],
        [
            "all_flows_complete,true,",
            "stock_consistent,true,",
            "max_failed,true,"
        ]
    );
    let messages = csv_rows(&out.join("messages.csv"));
    let exchanges: u64 = report.latency.iter().map(|r| r.count).sum();
    assert_eq!(messages.len() as u64, 1 + exchanges);
    let creates = messages
        .iter()
        .filter(|m| m.contains(",erp-gateway,deliveryorder.create,"))
        .count();
    let deliveries = plan.orders(OrderType::SalesDelivery).count()
        + plan.orders(OrderType::ExchangeDelivery).count();
    assert_eq!(creates, deliveries);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn return_mismatch_names_the_drifting_items_and_the_return_that_started_each() {
    let mut valid = scenario::load_valid(&scenarios_dir().join("return-mismatch.toml")).unwrap();
    valid.scale = 0.4;
    // At this scale fewer items are returned: expect drift, on any items.
    valid.expect.drift_detected = Some(None);
    let scenario = scenario::resolve(valid).unwrap();
    let plan = plan::plan(&scenario, scenario.seed);
    let out = temp_dir("drift");

    let report = run_in(&scenario, &out).await;

    assert!(report.passed(), "{}", report.summary());
    // The ERP books the plan: opening 200, minus deliveries, plus every
    // planned return line as good stock at creation.
    let mut erp_by_hand: BTreeMap<String, i64> = scenario
        .items
        .iter()
        .map(|i| (i.item_code.to_string(), 200))
        .collect();
    let mut returns_of: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (order, _) in plan.orders(OrderType::SalesDelivery) {
        for line in &order.lines {
            *erp_by_hand.get_mut(line.item_code.0.as_str()).unwrap() -= i64::from(line.plan_qty);
        }
    }
    for (order, _) in plan.orders(OrderType::SalesReturn) {
        for line in &order.lines {
            *erp_by_hand.get_mut(line.item_code.0.as_str()).unwrap() += i64::from(line.plan_qty);
            returns_of
                .entry(line.item_code.to_string())
                .or_default()
                .insert(order.order_code.clone());
        }
    }
    let books = good_stock(&report);
    for (item, qty) in &erp_by_hand {
        assert_eq!(books[item].0, *qty, "ERP good stock of {item}");
    }
    // Every returned line came back short or partly defective: exactly
    // the returned items drift, each since a return that carried it.
    let drifting: BTreeSet<String> = report
        .stock
        .iter()
        .filter(|r| r.diff != 0)
        .map(|r| r.item_code.clone())
        .collect();
    assert_eq!(drifting, returns_of.keys().cloned().collect());
    for row in report.stock.iter().filter(|r| r.diff != 0) {
        let (code, message) = row.first_divergence.split_once(' ').unwrap();
        assert!(returns_of[&row.item_code].contains(code), "{row:?}");
        let want = if row.inventory_type == "ZP" {
            "returnorder.create"
        } else {
            "WMS_STOCK_IN_ORDER_CONFIRM"
        };
        assert_eq!(message, want, "{row:?}");
        assert_eq!(row.wms_qty, row.expected_qty, "{row:?}");
    }
    // The watcher reported each drift as it happened, since the same message.
    let seen: BTreeMap<(String, String), String> = report
        .drift_seen
        .iter()
        .map(|d| {
            let slot = (
                d.item_code.to_string(),
                d.inventory_type.qimen_code().to_owned(),
            );
            (slot, d.since.clone())
        })
        .collect();
    let at_end: BTreeMap<(String, String), String> = report
        .stock
        .iter()
        .filter(|r| r.diff != 0)
        .map(|r| {
            (
                (r.item_code.clone(), r.inventory_type.clone()),
                r.first_divergence.clone(),
            )
        })
        .collect();
    assert_eq!(seen, at_end);
}

const SMALL: &str = r#"
name = "small"
seed = 77
items = ["DM1001", "DM1002", "ZL2018", "LH3001"]
deadline_s = 60
settle_timeout_s = 10

[[flow]]
order_type = 601
count = 4
rate_per_s = 20.0
qty = { min = 5, max = 10 }

[[flow]]
order_type = 201
count = 6
rate_per_s = 20.0
start_s = 1.0
qty = { min = 1, max = 3 }
cancel_share = 0.4

[[flow]]
order_type = 701
count = 2
rate_per_s = 20.0
start_s = 1.5

[wms]
split_package_rate = 0.5
partial_confirm_rate = 0.5

[wms.outbound]
accept = { kind = "uniform", min_ms = 400, max_ms = 500 }

[expect]
all_flows_complete = true
stock_consistent = true
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn same_scenario_and_seed_end_with_the_same_stock() {
    let dir = temp_dir("same");
    let scenario = scenario::load(&scenario_file(&dir, SMALL)).unwrap();

    let first = run_in(&scenario, &dir.join("first")).await;
    let second = run_in(&scenario, &dir.join("second")).await;

    assert!(first.passed(), "{}", first.summary());
    assert_eq!(first.stock, second.stock);
    assert!(first.stock.iter().any(|r| r.erp_qty > 0));
    let counts = |r: &RunReport| -> Vec<(u16, u64, u64, u64)> {
        r.flows
            .iter()
            .map(|f| (f.order_type, f.started, f.completed, f.failed))
            .collect()
    };
    assert_eq!(counts(&first), counts(&second));
    assert_eq!(first.cancelled, second.cancelled);
}

fn liantiao(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_liantiao"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn a_scenario_with_a_typo_exits_2_naming_file_line_and_key() {
    let dir = temp_dir("typo");
    let path = scenario_file(&dir, "[[flow]]\norder_type = 601\ncout = 3\n");

    let output = liantiao(&["run", path.to_str().unwrap(), "-q"]);

    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("x.toml:4: unknown key \"cout\" in [[flow]]"),
        "{stderr}"
    );
    assert!(!dir.join("reports").exists());
}

#[test]
fn a_failed_expectation_exits_1_and_names_it_in_the_summary() {
    let dir = temp_dir("fail");
    // Returns credited as planned while the warehouse receives short: the
    // books cannot stay equal.
    let body = r#"
items = ["DM1001"]
[[opening]]
qty = 50
[[flow]]
order_type = 201
count = 2
rate_per_s = 20.0
qty = { min = 4, max = 4 }
[[flow]]
order_type = 501
count = 1
start_s = 0.5
qty = { min = 4, max = 4 }
[wms]
short_receipt_rate = 1.0
max_short_fraction = 0.5
[erp]
return_policy = "credit_planned_on_create"
[expect]
stock_consistent = true
"#;
    let path = scenario_file(&dir, body);
    let out = dir.join("out");

    let output = liantiao(&[
        "run",
        path.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "-q",
    ]);

    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("FAIL stock_consistent: DM1001/ZP erp "),
        "{stdout}"
    );
    let checks = csv_rows(&out.join("checks.csv"));
    let row = checks.iter().find(|c| c.starts_with("stock_consistent,"));
    assert!(
        row.is_some_and(|r| r.starts_with("stock_consistent,false,DM1001/ZP erp 46 wms ")),
        "{checks:?}"
    );
    assert!(
        row.is_some_and(|r| r.ends_with(" returnorder.create")),
        "{checks:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documents_due_after_the_deadline_are_counted_as_failed_not_lost() {
    let dir = temp_dir("deadline");
    let body = "deadline_s = 1\nsettle_timeout_s = 1\n[[flow]]\norder_type = 601\ncount = 10\n\
                rate_per_s = 5.0\n";
    let scenario = scenario::load(&scenario_file(&dir, body)).unwrap();
    let plan = plan::plan(&scenario, scenario.seed);
    let in_time = plan
        .documents
        .iter()
        .filter(|p| p.offset < std::time::Duration::from_secs(1))
        .count() as u64;

    let report = run_in(&scenario, &dir.join("out")).await;

    let row = &report.flows[0];
    assert_eq!((row.started, row.completed + row.failed), (10, 10));
    assert_eq!(row.failed, 10 - in_time, "{}", report.summary());
    assert!(!report.passed());
    assert!(report
        .failures
        .iter()
        .any(|f| f.ends_with("not sent: its time is past deadline_s")));
    let failures = csv_rows(&dir.join("out").join("failures.csv"));
    assert_eq!(failures.len() as u64, 1 + row.failed);
    assert_eq!(failures[0], "code,reason");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_gateway_fails_setup_and_every_planned_order() {
    let dir = temp_dir("unreachable");
    let body = "[parties]\ngateway = \"http://127.0.0.1:1\"\n[[flow]]\norder_type = 601\n\
                count = 2\n";
    let scenario = scenario::load(&scenario_file(&dir, body)).unwrap();

    let report = run_in(&scenario, &dir.join("out")).await;

    let setup = &report.checks[0];
    assert_eq!((setup.check.as_str(), setup.passed), ("setup", false));
    assert!(setup.detail.starts_with("sync_items: "), "{}", setup.detail);
    let row = &report.flows[0];
    assert_eq!((row.started, row.completed, row.failed), (2, 0, 2));
    assert!(!report.passed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cutover_reconciles_counts_imports_and_ends_with_equal_books() {
    let scenario = shipped_at_scale("cutover.toml", 0.3);
    let out = temp_dir("cutover");

    let report = run_in(&scenario, &out).await;

    assert!(report.passed(), "{}", report.summary());
    // The books as the scenario file opens them, and what the count finds.
    let reconcile: Vec<(&str, &str, i64, i64, i64, i64)> = report
        .reconcile
        .iter()
        .map(|r| {
            let (item, t) = (r.item_code.as_str(), r.inventory_type.as_str());
            (item, t, r.erp_qty, r.wms_qty, r.physical_qty, r.count_delta)
        })
        .collect();
    assert_eq!(
        reconcile,
        vec![
            ("DM1001", "ZP", 120, 100, 100, 0),
            ("DM1003", "ZP", 80, 95, 95, 0),
            ("LH3001", "CC", 0, 3, 3, 0),
            ("ZL2016", "ZP", 40, 44, 42, -2),
        ]
    );
    assert_eq!(csv_rows(&out.join("reconcile.csv")).len(), 5);
    for row in &report.stock {
        assert_eq!((row.erp_qty, row.diff), (row.expected_qty, 0), "{row:?}");
    }
    let defective = report
        .stock
        .iter()
        .find(|r| r.item_code == "LH3001" && r.inventory_type == "CC")
        .unwrap();
    assert_eq!(defective.erp_qty, 3, "imported from the warehouse");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sn_tracking_ships_only_received_serials_one_per_unit() {
    let scenario = shipped_at_scale("sn-tracking.toml", 0.3);
    let out = temp_dir("sn");

    let report = run_in(&scenario, &out).await;

    assert!(report.passed(), "{}", report.summary());
    let serials = report
        .checks
        .iter()
        .find(|c| c.check == "serials_consistent")
        .unwrap();
    assert!(serials.passed, "{}", serials.detail);
    let shipped = csv_rows(&out.join("messages.csv"))
        .iter()
        .filter(|m| m.contains(",gateway-erp,sn.report,"))
        .count();
    assert!(shipped > 0, "no sn.report reached the ERP");
}
