//! Every shipped scenario parses, validates and resolves; mistakes in a
//! scenario file are reported with file, line and key.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use mocks::behaviour::ReturnPolicy;
use mocks::domain::{InventoryType, ItemCode, OrderType};
use sim::scenario::{self, CutoverStep, OpeningQty, ScenarioError};

fn scenarios_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios")
}

fn shipped(name: &str) -> scenario::Scenario {
    let path = scenarios_dir().join(name);
    scenario::load(&path).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn every_shipped_scenario_loads() {
    let mut names: Vec<String> = std::fs::read_dir(scenarios_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".toml"))
        .collect();
    names.sort();

    for name in &names {
        shipped(name);
    }

    assert_eq!(
        names,
        vec![
            "cutover.toml",
            "golive.toml",
            "load.toml",
            "return-mismatch.toml",
            "sn-tracking.toml"
        ]
    );
}

#[test]
fn golive_covers_every_go_live_flow_with_ten_orders_and_the_whole_catalog() {
    let golive = shipped("golive.toml");

    for code in [601, 201, 702, 701, 501, 302, 904, 502, 901] {
        let order_type = OrderType::from_code(code).unwrap();
        let flow = golive
            .flow(order_type)
            .unwrap_or_else(|| panic!("no {code} flow"));
        assert!(flow.count >= 10, "{code}: {}", flow.count);
    }
    assert!(golive.flows.iter().any(|f| f.cancel_share > 0.0));
    assert_eq!(golive.items.len(), 60);
    assert!(golive.sync_items);
    assert!(golive.expect.all_flows_complete && golive.expect.stock_consistent);
}

#[test]
fn cutover_starts_with_different_books_and_runs_every_step() {
    let cutover = shipped("cutover.toml");

    assert_eq!(cutover.cutover, CutoverStep::ALL.to_vec());
    let dm1001 = cutover.opening[&(ItemCode::from("DM1001"), InventoryType::Good)];
    let zl2016 = cutover.opening[&(ItemCode::from("ZL2016"), InventoryType::Good)];
    let dm1002 = cutover.opening[&(ItemCode::from("DM1002"), InventoryType::Good)];
    assert_eq!(
        dm1001,
        OpeningQty {
            erp: 120,
            wms: 100,
            physical: 100
        }
    );
    assert_eq!(
        zl2016,
        OpeningQty {
            erp: 40,
            wms: 44,
            physical: 42
        }
    );
    assert_eq!(
        dm1002,
        OpeningQty {
            erp: 100,
            wms: 100,
            physical: 100
        }
    );
    assert!(cutover.expect.stock_consistent);
}

#[test]
fn sn_tracking_uses_serial_managed_items_and_checks_serials() {
    let sn = shipped("sn-tracking.toml");

    assert!(sn.items.iter().filter(|i| i.sn_managed).count() >= 4);
    assert!(sn.expect.serials_consistent);
}

#[test]
fn return_mismatch_expects_drift_on_named_items() {
    let scenario = shipped("return-mismatch.toml");

    assert_eq!(
        scenario.erp.return_policy,
        ReturnPolicy::CreditPlannedOnCreate
    );
    let items = scenario.expect.drift_detected.clone().unwrap().unwrap();
    assert_eq!(items.len(), 3);
    assert!(!scenario.expect.stock_consistent);
}

fn load_text(text: &str) -> Result<scenario::Scenario, ScenarioError> {
    let dir = std::env::temp_dir().join(format!("liantiao-scn-{}", std::process::id()));
    // Tests run in parallel: one folder each, the file always named x.toml.
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = dir.join(NEXT.fetch_add(1, Ordering::SeqCst).to_string());
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(scenarios_dir().join("catalog.csv"), dir.join("catalog.csv")).unwrap();
    let path = dir.join("x.toml");
    std::fs::write(&path, text).unwrap();
    scenario::load(&path)
}

#[test]
fn misspelt_key_in_flow_names_file_line_table_and_expected_keys() {
    let text = "name = \"x\"\n\n[[flow]]\norder_type = 201\nordrs = 3\n";

    let err = load_text(text).unwrap_err().to_string();

    assert!(
        err.contains("x.toml:5: unknown key \"ordrs\" in [[flow]]"),
        "{err}"
    );
    assert!(err.contains("expected one of order_type, count"), "{err}");
}

#[test]
fn misspelt_behaviour_key_names_its_table() {
    let text = "[[flow]]\norder_type = 601\ncount = 1\n\n[wms]\nshort_reciept_rate = 0.1\n";

    let err = load_text(text).unwrap_err().to_string();

    assert!(
        err.contains("x.toml:6: unknown key \"short_reciept_rate\" in [wms]"),
        "{err}"
    );
}

#[test]
fn out_of_range_value_names_line_and_key() {
    let text = "[[flow]]\norder_type = 601\ncount = 1\n\n[[flow]]\norder_type = 201\n\
                count = 4\nqty = { min = 5, max = 2 }\n";

    let err = load_text(text).unwrap_err().to_string();

    assert!(
        err.ends_with("x.toml:8: flow[1].qty.max: min 5 > max 2"),
        "{err}"
    );
}

#[test]
fn unknown_order_type_and_behaviour_share_are_refused_at_their_line() {
    let bad_type = "[[flow]]\norder_type = 999\ncount = 1\n";
    let bad_share = "[[flow]]\norder_type = 601\ncount = 1\n[gateway]\n\nthrottle_share = 1.5\n";

    let type_err = load_text(bad_type).unwrap_err().to_string();
    let share_err = load_text(bad_share).unwrap_err().to_string();

    assert!(type_err.ends_with("x.toml:2: flow[0].order_type: unknown Cainiao order type 999"));
    assert!(
        share_err.contains("x.toml:6: gateway.throttle_share:"),
        "{share_err}"
    );
}

#[test]
fn item_missing_from_catalog_is_named() {
    let text = "items = [\"DM1001\", \"NOPE\"]\n[[flow]]\norder_type = 601\ncount = 1\n";

    let err = load_text(text).unwrap_err().to_string();

    assert!(
        err.contains("x.toml:1: items[1]: item NOPE is not in"),
        "{err}"
    );
}

#[test]
fn scale_shrinks_counts_but_keeps_at_least_one_order() {
    let path = scenarios_dir().join("golive.toml");
    let mut valid = scenario::load_valid(&path).unwrap();
    valid.scale = 0.01;

    let small = scenario::resolve(valid).unwrap();

    assert!(small.flows.iter().all(|f| f.count == 1));
    assert_eq!(scenario::scale_count(30, 0.5), 15);
    assert_eq!(scenario::scale_count(7, 0.5), 4);
    assert_eq!(scenario::scale_count(0, 0.5), 0);
}

#[test]
fn external_erp_and_counts_against_an_external_wms_are_refused_at_their_key() {
    let erp =
        "[parties]\nerp = \"http://10.0.0.5:8080\"\n\n[[flow]]\norder_type = 601\ncount = 1\n";
    let count = "[parties]\nwms = \"http://10.0.0.6/cainiao\"\n\n[[flow]]\norder_type = 601\n\
                 count = 1\n\n[[flow]]\norder_type = 702\ncount = 1\n";
    let gateway_only = "[parties]\ngateway = \"https://gw.example.com\"\n\n[[flow]]\n\
                        order_type = 601\ncount = 1\n";

    let erp_err = load_text(erp).unwrap_err().to_string();
    let count_err = load_text(count).unwrap_err().to_string();

    assert!(
        erp_err.contains("x.toml:2: parties.erp: must be \"embedded\""),
        "{erp_err}"
    );
    assert!(
        count_err.contains("x.toml:9: flow[1].order_type: a count happens inside the warehouse"),
        "{count_err}"
    );
    let loaded = load_text(gateway_only).unwrap();
    assert_eq!(
        loaded.parties.gateway,
        scenario::PartyLocation::External("https://gw.example.com".into())
    );
}

#[test]
fn wrong_value_types_name_the_key_and_a_misspelt_table_its_parent() {
    let wrong_type = "[[flow]]\norder_type = 601\ncount = \"two\"\n";
    let misspelt_table = "[[flow]]\norder_type = 601\ncount = 1\n\n[expct]\nmax_failed = 0\n";
    let empty = "# nothing yet\n";

    let type_err = load_text(wrong_type).unwrap_err().to_string();
    let table_err = load_text(misspelt_table).unwrap_err().to_string();
    let empty_err = load_text(empty).unwrap_err().to_string();

    assert!(
        type_err.contains("x.toml:3: count: invalid type: string \"two\", expected a whole number"),
        "{type_err}"
    );
    assert!(
        table_err.contains("x.toml:5: unknown key \"expct\" in the top level; expected one of"),
        "{table_err}"
    );
    assert!(empty_err.contains("nothing to run"), "{empty_err}");
}

#[test]
fn fixed_listen_addresses_are_read_and_a_bad_one_is_named() {
    let good = "[parties]\nwms = \"http://10.0.0.7:8080\"\n\n[parties.listen]\n\
                gateway = \"0.0.0.0:9002\"\n\n[[flow]]\norder_type = 601\ncount = 1\n";
    let bad = "[parties.listen]\nerp = \"localhost\"\n\n[[flow]]\norder_type = 601\ncount = 1\n";

    let loaded = load_text(good).unwrap();
    let err = load_text(bad).unwrap_err().to_string();

    assert_eq!(
        loaded.parties.listen.gateway,
        Some("0.0.0.0:9002".parse().unwrap())
    );
    assert_eq!(loaded.parties.listen.erp, None);
    assert!(
        err.contains("x.toml:2: parties.listen.erp: \"localhost\" is not a host:port address"),
        "{err}"
    );
}

#[test]
fn a_scale_beyond_what_a_run_can_hold_is_refused_before_planning() {
    let mut valid = scenario::load_valid(&scenarios_dir().join("golive.toml")).unwrap();
    valid.scale = 1e9;

    let err = scenario::resolve(valid).unwrap_err().to_string();

    assert!(err.contains("golive.toml:1: scale: "), "{err}");
    assert!(err.contains("a run holds at most 2000000"), "{err}");
}
