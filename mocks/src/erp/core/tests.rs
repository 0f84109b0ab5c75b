//! Unit tests of the ERP's rules, with quantities computed by hand in the
//! comments next to each assertion.

use super::*;
use crate::behaviour::QuantityConvention;
use crate::domain::{AdjustmentLine, ConfirmLine, OrderLine, OrderType, Package};

fn item(code: &str) -> Item {
    Item {
        item_code: ItemCode::from(code),
        item_name: format!("示例 {code}"),
        ..Item::default()
    }
}

fn erp(behaviour: ErpBehaviour) -> ErpCore {
    let mut core = ErpCore::new(behaviour);
    core.register_items(&[item("DM1001"), item("LH3001"), item("ZL2003")]);
    core
}

fn order(code: &str, order_type: OrderType, lines: &[(&str, u32)]) -> Order {
    Order {
        order_code: code.to_owned(),
        order_type,
        owner_code: "SLMY001".into(),
        warehouse_code: "WH_HZ01".into(),
        created_at: "2024-03-18 10:00:00".into(),
        prev_order_code: None,
        logistics_code: None,
        receiver: None,
        supplier_code: None,
        remark: None,
        lines: lines
            .iter()
            .enumerate()
            .map(|(i, (item, qty))| OrderLine {
                line_no: (i + 1).to_string(),
                item_code: ItemCode::from(*item),
                plan_qty: *qty,
                ..OrderLine::default()
            })
            .collect(),
    }
}

fn confirm_line(line_no: &str, item: &str, kind: InventoryType, qty: u32) -> ConfirmLine {
    ConfirmLine {
        line_no: Some(line_no.to_owned()),
        item_code: ItemCode::from(item),
        inventory_type: kind,
        actual_qty: qty,
        ..ConfirmLine::default()
    }
}

fn confirm(code: &str, biz: &str, confirm_type: ConfirmType, lines: Vec<ConfirmLine>) -> Confirm {
    Confirm {
        order_code: code.to_owned(),
        order_type: OrderType::SalesDelivery,
        wms_order_id: None,
        out_biz_code: biz.to_owned(),
        confirm_type,
        confirmed_at: "2024-03-18 15:00:00".into(),
        lines,
        packages: Vec::new(),
    }
}

fn good(item: &str, qty: u32) -> Vec<ConfirmLine> {
    vec![confirm_line("1", item, InventoryType::Good, qty)]
}

fn balance(core: &ErpCore, item: &str, kind: InventoryType) -> Balance {
    core.ledger().total(&ItemCode::from(item), kind)
}

fn kinds(events: &[PartyEvent]) -> Vec<EventKind> {
    events.iter().map(|e| e.kind.clone()).collect()
}

fn anomalies(events: &[PartyEvent]) -> Vec<String> {
    events
        .iter()
        .filter(|e| e.kind == EventKind::Anomaly)
        .map(|e| e.detail.clone().unwrap_or_default())
        .collect()
}

/// An ERP holding `qty` good DM1001 received on purchase CGRK0.
fn stocked(behaviour: ErpBehaviour, qty: u32) -> ErpCore {
    let mut core = erp(behaviour);
    let purchase = order("CGRK0", OrderType::Purchase, &[("DM1001", qty)]);
    core.open_order(&purchase).unwrap();
    core.record_create("CGRK0", &Answer::Accepted).unwrap();
    let receipt = confirm("CGRK0", "IN-0", ConfirmType::Final, good("DM1001", qty));
    core.apply_confirm(&receipt).unwrap();
    core
}

/// `stocked` with 10 units and sales order SO1 for 5, accepted.
fn with_sales_order(behaviour: ErpBehaviour) -> ErpCore {
    let mut core = stocked(behaviour, 10);
    let sale = order("SO1", OrderType::SalesDelivery, &[("DM1001", 5)]);
    core.open_order(&sale).unwrap();
    core.record_create("SO1", &Answer::Accepted).unwrap();
    core
}

fn cumulative() -> ErpBehaviour {
    ErpBehaviour {
        quantity_convention: QuantityConvention::Cumulative,
        ..ErpBehaviour::default()
    }
}

#[test]
fn purchase_confirm_receives_stock_and_completes_the_order() {
    let core = stocked(ErpBehaviour::default(), 12);

    let document = core.document("CGRK0").unwrap();

    assert_eq!(
        balance(&core, "DM1001", InventoryType::Good),
        Balance {
            on_hand: 12,
            locked: 0
        }
    );
    assert_eq!(document.state, OrderState::Completed);
    assert!(document.shortfall().is_empty());
}

#[test]
fn outbound_create_locks_planned_stock() {
    let core = with_sales_order(ErpBehaviour::default());

    let dm = balance(&core, "DM1001", InventoryType::Good);

    // 10 on hand, 5 locked by SO1: 5 available.
    assert_eq!(
        dm,
        Balance {
            on_hand: 10,
            locked: 5
        }
    );
    assert_eq!(dm.available(), 5);
    assert_eq!(core.document("SO1").unwrap().state, OrderState::Open);
}

#[test]
fn outbound_create_beyond_available_is_refused_and_records_nothing() {
    let mut core = with_sales_order(ErpBehaviour::default());
    let too_big = order("SO2", OrderType::SalesDelivery, &[("DM1001", 6)]);

    let refused = core.open_order(&too_big).unwrap_err();

    assert!(matches!(
        refused,
        ErpError::Ledger {
            source: LedgerError::InsufficientAvailable {
                requested: 6,
                available: 5,
                ..
            },
            ..
        }
    ));
    assert!(core.document("SO2").is_none());
    assert_eq!(balance(&core, "DM1001", InventoryType::Good).locked, 5);
}

#[test]
fn order_with_item_missing_from_master_is_refused() {
    let mut core = erp(ErpBehaviour::default());
    let unknown = order("CGRK9", OrderType::Purchase, &[("DM1001", 1), ("XX9", 2)]);

    let refused = core.open_order(&unknown).unwrap_err();

    assert_eq!(
        refused.to_string(),
        "order CGRK9 line 2: item XX9 is not in the item master"
    );
    assert!(core.document("CGRK9").is_none());
}

#[test]
fn second_order_with_the_same_code_is_refused() {
    let mut core = with_sales_order(ErpBehaviour::default());
    let again = order("SO1", OrderType::SalesDelivery, &[("DM1001", 1)]);

    let refused = core.open_order(&again).unwrap_err();

    assert_eq!(
        refused,
        ErpError::DuplicateOrder {
            order_code: "SO1".into()
        }
    );
    assert_eq!(balance(&core, "DM1001", InventoryType::Good).locked, 5);
}

#[test]
fn refused_create_releases_the_lock() {
    let mut core = stocked(ErpBehaviour::default(), 10);
    let sale = order("SO1", OrderType::SalesDelivery, &[("DM1001", 4)]);
    core.open_order(&sale).unwrap();

    let events = core
        .record_create("SO1", &Answer::Refused("invalid-param".into()))
        .unwrap();

    assert_eq!(kinds(&events), vec![EventKind::Refused]);
    assert_eq!(balance(&core, "DM1001", InventoryType::Good).locked, 0);
    assert_eq!(core.document("SO1").unwrap().state, OrderState::Refused);
}

#[test]
fn accepted_cancel_unlocks_and_closes_the_order() {
    let mut core = with_sales_order(ErpBehaviour::default());
    let cancel = core.begin_cancel("SO1").unwrap();

    let events = core.record_cancel("SO1", &Answer::Accepted).unwrap();

    assert_eq!(cancel.order_type, OrderType::SalesDelivery);
    assert_eq!(cancel.warehouse_code, "WH_HZ01");
    assert_eq!(kinds(&events), vec![EventKind::Cancelled]);
    assert_eq!(
        balance(&core, "DM1001", InventoryType::Good),
        Balance {
            on_hand: 10,
            locked: 0
        }
    );
    assert_eq!(core.document("SO1").unwrap().state, OrderState::Cancelled);
}

#[test]
fn refused_cancel_leaves_the_order_open_and_locked() {
    let mut core = with_sales_order(ErpBehaviour::default());

    let events = core
        .record_cancel("SO1", &Answer::Refused("order-cannot-cancel".into()))
        .unwrap();

    assert_eq!(kinds(&events), vec![EventKind::Refused]);
    assert_eq!(balance(&core, "DM1001", InventoryType::Good).locked, 5);
    assert_eq!(core.document("SO1").unwrap().state, OrderState::Open);
}

#[test]
fn completed_order_cannot_be_cancelled() {
    let core = stocked(ErpBehaviour::default(), 3);

    let refused = core.begin_cancel("CGRK0").unwrap_err();

    assert!(matches!(
        refused,
        ErpError::WrongState {
            state: OrderState::Completed,
            ..
        }
    ));
}

#[test]
fn confirm_after_cancel_is_refused_and_moves_nothing() {
    let mut core = with_sales_order(ErpBehaviour::default());
    core.record_cancel("SO1", &Answer::Accepted).unwrap();
    let late = confirm("SO1", "OUT-1", ConfirmType::Final, good("DM1001", 5));

    let refused = core.apply_confirm(&late).unwrap_err();

    assert!(matches!(refused, ErpError::WrongState { .. }));
    assert_eq!(balance(&core, "DM1001", InventoryType::Good).on_hand, 10);
}

#[test]
fn confirm_for_unknown_order_is_refused() {
    let mut core = erp(ErpBehaviour::default());
    let stray = confirm("SO404", "X", ConfirmType::Final, good("DM1001", 1));

    let refused = core.apply_confirm(&stray).unwrap_err();

    assert_eq!(refused.order_code(), "SO404");
    assert!(core.ledger_snapshot().is_empty());
}

#[test]
fn fc12_same_confirm_three_times_moves_stock_once() {
    let mut core = with_sales_order(ErpBehaviour::default());
    let shipped = confirm("SO1", "OUT-1", ConfirmType::Final, good("DM1001", 5));

    let first = core.apply_confirm(&shipped).unwrap();
    let second = core.apply_confirm(&shipped).unwrap();
    let third = core.apply_confirm(&shipped).unwrap();

    assert_eq!(
        kinds(&first),
        vec![EventKind::ConfirmApplied {
            final_confirm: true
        }]
    );
    assert_eq!(kinds(&second), vec![EventKind::Duplicate]);
    assert_eq!(kinds(&third), vec![EventKind::Duplicate]);
    // 10 received, 5 shipped once.
    assert_eq!(
        balance(&core, "DM1001", InventoryType::Good),
        Balance {
            on_hand: 5,
            locked: 0
        }
    );
    assert_eq!(core.document("SO1").unwrap().confirms, vec!["OUT-1"]);
}

#[test]
fn fc13_incremental_partial_shipments_close_only_on_final() {
    let mut core = with_sales_order(ErpBehaviour::default());
    let a = confirm("SO1", "OUT-A", ConfirmType::Partial, good("DM1001", 2));
    let b = confirm("SO1", "OUT-B", ConfirmType::Partial, good("DM1001", 2));
    let c = confirm("SO1", "OUT-C", ConfirmType::Final, good("DM1001", 1));

    core.apply_confirm(&a).unwrap();
    core.apply_confirm(&b).unwrap();
    let after_b = core.document("SO1").unwrap().clone();
    let dm_after_b = balance(&core, "DM1001", InventoryType::Good);
    let last = core.apply_confirm(&c).unwrap();

    // After A and B: 4 of 5 shipped, 1 still locked, on hand 10 - 4 = 6.
    assert_eq!(after_b.state, OrderState::PartiallyConfirmed);
    assert_eq!(after_b.lines[0].confirmed_total(), 4);
    assert_eq!(
        dm_after_b,
        Balance {
            on_hand: 6,
            locked: 1
        }
    );
    assert_eq!(
        kinds(&last),
        vec![EventKind::ConfirmApplied {
            final_confirm: true
        }]
    );
    assert_eq!(core.document("SO1").unwrap().state, OrderState::Completed);
    assert_eq!(
        balance(&core, "DM1001", InventoryType::Good),
        Balance {
            on_hand: 5,
            locked: 0
        }
    );
}

#[test]
fn fc13_cumulative_totals_apply_their_differences() {
    let mut core = with_sales_order(cumulative());
    let totals = [
        ("OUT-A", ConfirmType::Partial, 2),
        ("OUT-B", ConfirmType::Partial, 4),
        ("OUT-C", ConfirmType::Final, 5),
    ];

    let mut all = Vec::new();
    for (biz, confirm_type, total) in totals {
        let c = confirm("SO1", biz, confirm_type, good("DM1001", total));
        all.extend(core.apply_confirm(&c).unwrap());
    }

    // Movements 2, 2, 1: five shipped, as many as planned.
    assert!(anomalies(&all).is_empty(), "{all:?}");
    assert_eq!(core.document("SO1").unwrap().lines[0].confirmed_total(), 5);
    assert_eq!(
        balance(&core, "DM1001", InventoryType::Good),
        Balance {
            on_hand: 5,
            locked: 0
        }
    );
}

#[test]
fn fc13_totals_read_as_increments_are_flagged_as_double_counting() {
    let mut core = with_sales_order(ErpBehaviour::default());
    let a = confirm("SO1", "OUT-A", ConfirmType::Partial, good("DM1001", 2));
    let b = confirm("SO1", "OUT-B", ConfirmType::Partial, good("DM1001", 4));

    core.apply_confirm(&a).unwrap();
    let events = core.apply_confirm(&b).unwrap();

    // 2 + 4 = 6 would pass the 5 planned: only 3 more ship.
    let flagged = anomalies(&events);
    assert_eq!(flagged.len(), 1);
    assert!(flagged[0].starts_with("double counting? line 1 item DM1001"));
    assert!(flagged[0].contains("6 confirmed would exceed the 5 planned"));
    assert_eq!(core.document("SO1").unwrap().lines[0].confirmed_total(), 5);
    assert_eq!(
        balance(&core, "DM1001", InventoryType::Good),
        Balance {
            on_hand: 5,
            locked: 0
        }
    );
}

#[test]
fn fc13_cumulative_total_that_goes_back_is_flagged_and_moves_nothing() {
    let mut core = with_sales_order(cumulative());
    let a = confirm("SO1", "OUT-A", ConfirmType::Partial, good("DM1001", 3));
    let b = confirm("SO1", "OUT-B", ConfirmType::Partial, good("DM1001", 1));

    core.apply_confirm(&a).unwrap();
    let events = core.apply_confirm(&b).unwrap();

    assert_eq!(
        anomalies(&events),
        vec!["line 1: reported cumulative quantity 1 is below the 3 already applied"]
    );
    assert_eq!(balance(&core, "DM1001", InventoryType::Good).on_hand, 7);
}

#[test]
fn short_final_confirm_releases_the_rest_and_records_the_shortfall() {
    let mut core = with_sales_order(ErpBehaviour::default());
    let short = confirm("SO1", "OUT-1", ConfirmType::Final, good("DM1001", 3));

    core.apply_confirm(&short).unwrap();

    // 3 of 5 shipped: 7 on hand, nothing locked, 2 short on line 1.
    let document = core.document("SO1").unwrap();
    assert_eq!(
        balance(&core, "DM1001", InventoryType::Good),
        Balance {
            on_hand: 7,
            locked: 0
        }
    );
    assert_eq!(document.shortfall(), BTreeMap::from([("1".to_owned(), 2)]));
    assert_eq!(document.lines[0].locked, 0);
}

#[test]
fn partial_confirm_after_the_final_still_ships_from_available() {
    let mut core = with_sales_order(ErpBehaviour::default());
    let last = confirm("SO1", "OUT-2", ConfirmType::Final, good("DM1001", 3));
    let late = confirm("SO1", "OUT-1", ConfirmType::Partial, good("DM1001", 2));

    core.apply_confirm(&last).unwrap();
    core.apply_confirm(&late).unwrap();

    // 3 + 2 = 5 shipped in all; the lock went with the final confirm.
    assert_eq!(core.document("SO1").unwrap().state, OrderState::Completed);
    assert_eq!(
        balance(&core, "DM1001", InventoryType::Good),
        Balance {
            on_hand: 5,
            locked: 0
        }
    );
}

#[test]
fn confirm_line_for_an_item_not_on_the_order_is_flagged() {
    let mut core = with_sales_order(ErpBehaviour::default());
    let mut lines = good("DM1001", 5);
    lines.push(confirm_line("9", "LH3001", InventoryType::Good, 1));
    let odd = confirm("SO1", "OUT-1", ConfirmType::Final, lines);

    let events = core.apply_confirm(&odd).unwrap();

    assert_eq!(anomalies(&events), vec!["item LH3001 is not on the order"]);
    assert_eq!(balance(&core, "DM1001", InventoryType::Good).on_hand, 5);
    assert_eq!(balance(&core, "LH3001", InventoryType::Good).on_hand, 0);
}

fn package(code: &str, express: &str, items: &[(&str, u32)]) -> Package {
    Package {
        logistics_code: "SF".into(),
        express_code: express.into(),
        package_code: Some(code.into()),
        weight_g: None,
        items: items
            .iter()
            .map(|(i, q)| (ItemCode::from(*i), *q))
            .collect(),
    }
}

fn two_parcel_shipment(core: &mut ErpCore) -> Vec<PartyEvent> {
    let sale = order("SO3", OrderType::SalesDelivery, &[("DM1001", 3)]);
    core.open_order(&sale).unwrap();
    let mut shipped = confirm("SO3", "OUT-3", ConfirmType::Final, good("DM1001", 3));
    shipped.packages = vec![
        package("P1", "SF1000000000001", &[("DM1001", 2)]),
        package("P2", "SF1000000000002", &[("DM1001", 1)]),
    ];
    core.apply_confirm(&shipped).unwrap()
}

#[test]
fn fc14_two_packages_keep_both_tracking_numbers() {
    let mut core = stocked(ErpBehaviour::default(), 10);

    let events = two_parcel_shipment(&mut core);

    // Packages 2 + 1 = line 3: consistent, nothing flagged.
    let document = core.document("SO3").unwrap();
    assert!(anomalies(&events).is_empty(), "{events:?}");
    assert_eq!(
        document.tracking_numbers,
        vec!["SF1000000000001", "SF1000000000002"]
    );
    assert_eq!(balance(&core, "DM1001", InventoryType::Good).on_hand, 7);
}

#[test]
fn fc14_reconfirm_with_changed_tracking_number_is_a_conflict() {
    let mut core = stocked(ErpBehaviour::default(), 10);
    two_parcel_shipment(&mut core);
    let mut again = confirm("SO3", "OUT-3", ConfirmType::Final, good("DM1001", 3));
    again.packages = vec![
        package("P1", "SF1000000000009", &[("DM1001", 2)]),
        package("P2", "SF1000000000002", &[("DM1001", 1)]),
    ];

    let events = core.apply_confirm(&again).unwrap();

    assert_eq!(
        anomalies(&events),
        vec![
            "tracking number conflict on package P1: recorded SF1000000000001, now SF1000000000009"
        ]
    );
    assert!(kinds(&events).contains(&EventKind::Duplicate));
    let document = core.document("SO3").unwrap();
    assert_eq!(document.packages["P1"].express_code, "SF1000000000001");
    assert_eq!(balance(&core, "DM1001", InventoryType::Good).on_hand, 7);
}

#[test]
fn fc14_packages_that_do_not_add_up_to_the_lines_are_flagged() {
    let mut core = stocked(ErpBehaviour::default(), 10);
    let sale = order("SO3", OrderType::SalesDelivery, &[("DM1001", 3)]);
    core.open_order(&sale).unwrap();
    let mut shipped = confirm("SO3", "OUT-3", ConfirmType::Final, good("DM1001", 3));
    shipped.packages = vec![package("P1", "SF1", &[("DM1001", 2)])];

    let events = core.apply_confirm(&shipped).unwrap();

    let flagged = anomalies(&events);
    assert_eq!(flagged.len(), 1);
    assert!(flagged[0].starts_with("packages carry 2 units, lines 3"));
}

/// SO1 shipped in full (5 DM1001), then return RT1 of 2 DM1001 + 1 LH3001.
fn with_return(behaviour: ErpBehaviour) -> (ErpCore, Vec<PartyEvent>) {
    let mut core = with_sales_order(behaviour);
    let shipped = confirm("SO1", "OUT-1", ConfirmType::Final, good("DM1001", 5));
    core.apply_confirm(&shipped).unwrap();
    let mut rt = order(
        "RT1",
        OrderType::SalesReturn,
        &[("DM1001", 2), ("LH3001", 1)],
    );
    rt.prev_order_code = Some("SO1".into());
    let mut events = core.open_order(&rt).unwrap();
    events.extend(core.record_create("RT1", &Answer::Accepted).unwrap());
    (core, events)
}

fn return_confirm() -> Confirm {
    confirm(
        "RT1",
        "RET-1",
        ConfirmType::Final,
        vec![
            confirm_line("1", "DM1001", InventoryType::Good, 1),
            confirm_line("2", "LH3001", InventoryType::Defective, 1),
        ],
    )
}

#[test]
fn fc16_return_credits_good_and_defective_apart_and_once() {
    let (mut core, created) = with_return(ErpBehaviour::default());

    let first = core.apply_confirm(&return_confirm()).unwrap();
    let second = core.apply_confirm(&return_confirm()).unwrap();

    // 10 - 5 shipped + 1 back good = 6; LH3001 gets 1 defective, 0 good.
    assert!(anomalies(&created).is_empty());
    assert!(anomalies(&first).is_empty());
    assert_eq!(kinds(&second), vec![EventKind::Duplicate]);
    assert_eq!(balance(&core, "DM1001", InventoryType::Good).on_hand, 6);
    assert_eq!(
        balance(&core, "LH3001", InventoryType::Defective).on_hand,
        1
    );
    assert_eq!(balance(&core, "LH3001", InventoryType::Good).on_hand, 0);
    let document = core.document("RT1").unwrap();
    assert_eq!(document.shortfall(), BTreeMap::from([("1".to_owned(), 1)]));
    assert_eq!(
        document.confirmed(&ItemCode::from("LH3001"), InventoryType::Defective),
        1
    );
}

#[test]
fn fc16_return_against_an_order_that_never_shipped_is_an_orphan() {
    let mut core = with_sales_order(ErpBehaviour::default());
    let mut unshipped = order("RT2", OrderType::SalesReturn, &[("DM1001", 1)]);
    unshipped.prev_order_code = Some("SO1".into());
    let mut unknown = order("RT3", OrderType::SalesReturn, &[("DM1001", 1)]);
    unknown.prev_order_code = Some("SO404".into());

    let on_unshipped = core.open_order(&unshipped).unwrap();
    let on_unknown = core.open_order(&unknown).unwrap();

    assert_eq!(
        anomalies(&on_unshipped),
        vec!["orphan return: original order SO1 never shipped"]
    );
    assert_eq!(
        anomalies(&on_unknown),
        vec!["orphan return: original order SO404 is unknown"]
    );
}

#[test]
fn fc16_credit_planned_on_create_credits_plan_as_good_and_ignores_confirm() {
    let misaligned = ErpBehaviour {
        return_policy: ReturnPolicy::CreditPlannedOnCreate,
        ..ErpBehaviour::default()
    };
    let (mut core, _) = with_return(misaligned);
    let after_create = (
        balance(&core, "DM1001", InventoryType::Good).on_hand,
        balance(&core, "LH3001", InventoryType::Good).on_hand,
    );

    core.apply_confirm(&return_confirm()).unwrap();

    // Plan credited as good at creation: DM1001 5 + 2 = 7, LH3001 0 + 1.
    assert_eq!(after_create, (7, 1));
    assert_eq!(balance(&core, "DM1001", InventoryType::Good).on_hand, 7);
    assert_eq!(balance(&core, "LH3001", InventoryType::Good).on_hand, 1);
    assert_eq!(
        balance(&core, "LH3001", InventoryType::Defective).on_hand,
        0
    );
    assert_eq!(core.document("RT1").unwrap().state, OrderState::Completed);
}

fn count(code: &str, biz: &str, lines: &[(&str, InventoryType, i64)]) -> StockAdjustment {
    StockAdjustment {
        adjustment_code: code.into(),
        order_type: None,
        out_biz_code: biz.into(),
        adjusted_at: "2024-03-26 18:00:00".into(),
        lines: lines
            .iter()
            .map(|(item, kind, delta)| AdjustmentLine {
                item_code: ItemCode::from(*item),
                inventory_type: *kind,
                delta: *delta,
                ..AdjustmentLine::default()
            })
            .collect(),
    }
}

#[test]
fn count_pages_apply_their_signed_deltas_once_each() {
    let mut core = stocked(ErpBehaviour::default(), 10);
    let page1 = count("PD1", "CNT-1", &[("DM1001", InventoryType::Good, -2)]);
    let page2 = count("PD1", "CNT-1", &[("LH3001", InventoryType::Good, 3)]);

    let first = core.apply_count(&page1, 1).unwrap();
    let again = core.apply_count(&page1, 1).unwrap();
    core.apply_count(&page2, 2).unwrap();

    // DM1001 10 - 2 = 8 (once), LH3001 0 + 3.
    assert_eq!(kinds(&first), vec![EventKind::Adjusted]);
    assert_eq!(kinds(&again), vec![EventKind::Duplicate]);
    assert_eq!(balance(&core, "DM1001", InventoryType::Good).on_hand, 8);
    assert_eq!(balance(&core, "LH3001", InventoryType::Good).on_hand, 3);
}

#[test]
fn stock_change_moves_good_to_defective_once() {
    let mut core = stocked(ErpBehaviour::default(), 10);
    let torn = count(
        "ADJ1",
        "CHG-1",
        &[
            ("DM1001", InventoryType::Good, -1),
            ("DM1001", InventoryType::Defective, 1),
        ],
    );

    core.apply_stock_change(&torn).unwrap();
    let again = core.apply_stock_change(&torn).unwrap();

    assert_eq!(kinds(&again), vec![EventKind::Duplicate]);
    assert_eq!(balance(&core, "DM1001", InventoryType::Good).on_hand, 9);
    assert_eq!(
        balance(&core, "DM1001", InventoryType::Defective).on_hand,
        1
    );
}

#[test]
fn count_loss_beyond_available_is_refused_and_changes_nothing() {
    let mut core = with_sales_order(ErpBehaviour::default());
    let loss = count("PD2", "CNT-2", &[("DM1001", InventoryType::Good, -6)]);

    let refused = core.apply_count(&loss, 1).unwrap_err();

    // 10 on hand, 5 locked: only 5 available to lose.
    assert!(matches!(refused, ErpError::Ledger { .. }));
    assert_eq!(balance(&core, "DM1001", InventoryType::Good).on_hand, 10);
}

#[test]
fn reports_are_recorded_on_the_document() {
    let mut core = with_sales_order(ErpBehaviour::default());

    core.record_status("SO1", OrderStatus::Pick).unwrap();
    core.record_serials("SO1", &["WCLH2403000101".into()])
        .unwrap();
    core.record_lack("SO1", &ItemCode::from("DM1001"), 2)
        .unwrap();
    let unknown = core.record_status("SO404", OrderStatus::Pick);

    let document = core.document("SO1").unwrap();
    assert_eq!(document.last_status, Some(OrderStatus::Pick));
    assert!(document.serials.contains("WCLH2403000101"));
    assert_eq!(document.lacks, vec![(ItemCode::from("DM1001"), 2)]);
    assert!(unknown.is_err());
}
