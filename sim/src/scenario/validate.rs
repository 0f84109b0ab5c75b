//! Stage two: check every value of a [`RawScenario`] and give it its type.
//!
//! Each check names the key it refused by path; the path is turned into a
//! line of the file only when an error is reported.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use mocks::behaviour::BehaviourError;
use mocks::domain::{Direction, InventoryType, ItemCode, OrderType};

use super::locate::{line_of, KeyPath};
use super::raw::{RawExpect, RawFlow, RawOpening, RawRange, RawScenario};
use super::{
    Credentials, CutoverStep, Expectations, Flow, Listen, OpeningQty, OpeningStock, Parties,
    PartyLocation, ScenarioError, ValidScenario,
};

/// Stage two: check `raw`, read from `text` at `path`.
pub fn validate(path: &Path, text: &str, raw: RawScenario) -> Result<ValidScenario, ScenarioError> {
    let fail = |key: KeyPath, message: String| ScenarioError::Invalid {
        path: path.to_owned(),
        line: line_of(text, &key),
        key: key.to_string(),
        message,
    };
    check(raw, path, text).map_err(|(key, message)| fail(key, message))
}

type Checked<T> = Result<T, (KeyPath, String)>;

fn at(key: &str) -> KeyPath {
    KeyPath::default().key(key)
}

fn check(raw: RawScenario, path: &Path, text: &str) -> Checked<ValidScenario> {
    let name = if raw.name.trim().is_empty() {
        path.file_stem()
            .map_or("scenario".into(), |s| s.to_string_lossy().into_owned())
    } else {
        raw.name.trim().to_owned()
    };
    if !(raw.scale.is_finite() && raw.scale > 0.0) {
        return Err((
            at("scale"),
            format!("{} is not a positive number", raw.scale),
        ));
    }
    if raw.deadline_s == 0 {
        return Err((at("deadline_s"), "must be above 0".into()));
    }
    let base = path.parent().unwrap_or(Path::new("."));
    let catalog_path = base.join(&raw.catalog);

    let items = check_items(&raw.items)?;
    let parties = check_parties(&raw.parties)?;
    let credentials = check_credentials(raw.credentials)?;
    let opening = check_opening(&raw.opening)?;
    let flows = check_flows(&raw.flow)?;
    let cutover = check_cutover(raw.cutover.as_ref().map(|c| c.steps.as_slice()))?;
    raw.wms.validate().map_err(|e| behaviour_error("wms", e))?;
    raw.erp.validate().map_err(|e| behaviour_error("erp", e))?;
    raw.gateway
        .validate()
        .map_err(|e| behaviour_error("gateway", e))?;
    let expect = check_expect(&raw.expect, &flows)?;
    if flows.is_empty() && cutover.is_empty() {
        let message = "no [[flow]] and no [cutover]: nothing to run".to_owned();
        return Err((at("flow"), message));
    }
    check_runnable(&parties, &flows, &cutover)?;

    Ok(ValidScenario {
        name,
        description: raw.description,
        seed: raw.seed,
        scale: raw.scale,
        catalog_path,
        items,
        sync_items: raw.sync_items,
        deadline_s: raw.deadline_s,
        settle_timeout_s: raw.settle_timeout_s,
        parties,
        credentials,
        opening,
        flows,
        cutover,
        wms: raw.wms,
        erp: raw.erp,
        gateway: raw.gateway,
        expect,
        source_path: path.to_owned(),
        source_text: text.to_owned(),
    })
}

// What the driver needs embedded: the ERP, since it sends orders as the
// ERP; the WMS for counts, since a count happens inside the warehouse.
fn check_runnable(parties: &Parties, flows: &[Flow], cutover: &[CutoverStep]) -> Checked<()> {
    if parties.erp != PartyLocation::Embedded {
        let message = "must be \"embedded\": the driver sends orders as the ERP; \
                       to test a real ERP, run `liantiao serve gateway` and `liantiao serve wms`";
        return Err((at("parties").key("erp"), message.into()));
    }
    if parties.wms == PartyLocation::Embedded {
        return Ok(());
    }
    let needs_wms = "a count happens inside the warehouse, so it needs parties.wms = \"embedded\"";
    if let Some(index) = flows
        .iter()
        .position(|f| f.order_type.direction() == Direction::Count)
    {
        let key = at("flow").index(index).key("order_type");
        return Err((key, needs_wms.into()));
    }
    if let Some(index) = cutover.iter().position(|s| *s == CutoverStep::CountAlign) {
        return Err((at("cutover").key("steps").index(index), needs_wms.into()));
    }
    Ok(())
}

fn behaviour_error(table: &str, e: BehaviourError) -> (KeyPath, String) {
    (at(table).join(KeyPath::dotted(&e.path)), e.reason)
}

fn check_items(items: &[String]) -> Checked<Vec<ItemCode>> {
    let mut seen = HashSet::new();
    for (i, code) in items.iter().enumerate() {
        if code.trim().is_empty() || !seen.insert(code.trim()) {
            let why = if code.trim().is_empty() {
                "empty item code"
            } else {
                "listed twice"
            };
            return Err((at("items").index(i), format!("{code:?}: {why}")));
        }
    }
    Ok(items.iter().map(|c| ItemCode::from(c.trim())).collect())
}

fn check_party(key: &str, value: &str) -> Checked<PartyLocation> {
    let value = value.trim();
    if value == "embedded" {
        return Ok(PartyLocation::Embedded);
    }
    if value.starts_with("http://") || value.starts_with("https://") {
        return Ok(PartyLocation::External(
            value.trim_end_matches('/').to_owned(),
        ));
    }
    let message = format!("{value:?} is neither \"embedded\" nor an http(s) URL");
    Err((at("parties").key(key), message))
}

fn check_parties(raw: &super::raw::RawParties) -> Checked<Parties> {
    let listen = |key: &str, value: &Option<String>| -> Checked<Option<std::net::SocketAddr>> {
        let Some(value) = value else { return Ok(None) };
        value.trim().parse().map(Some).map_err(|_| {
            let path = at("parties").key("listen").key(key);
            (
                path,
                format!("{value:?} is not a host:port address like \"0.0.0.0:9001\""),
            )
        })
    };
    Ok(Parties {
        erp: check_party("erp", &raw.erp)?,
        gateway: check_party("gateway", &raw.gateway)?,
        wms: check_party("wms", &raw.wms)?,
        listen: Listen {
            erp: listen("erp", &raw.listen.erp)?,
            gateway: listen("gateway", &raw.listen.gateway)?,
            wms: listen("wms", &raw.listen.wms)?,
        },
    })
}

fn check_credentials(raw: super::raw::RawCredentials) -> Checked<Credentials> {
    let fields = [
        ("qimen_app_key", &raw.qimen_app_key),
        ("qimen_secret", &raw.qimen_secret),
        ("customer_id", &raw.customer_id),
        ("owner_code", &raw.owner_code),
        ("warehouse_code", &raw.warehouse_code),
        ("cainiao_provider_id", &raw.cainiao_provider_id),
        ("cainiao_secret", &raw.cainiao_secret),
        ("cainiao_owner_id", &raw.cainiao_owner_id),
        ("cainiao_store_code", &raw.cainiao_store_code),
    ];
    if let Some((key, _)) = fields.iter().find(|(_, v)| v.trim().is_empty()) {
        return Err((at("credentials").key(key), "must not be empty".into()));
    }
    Ok(Credentials {
        qimen_app_key: raw.qimen_app_key,
        qimen_secret: raw.qimen_secret,
        customer_id: raw.customer_id,
        owner_code: raw.owner_code,
        warehouse_code: raw.warehouse_code,
        cainiao_provider_id: raw.cainiao_provider_id,
        cainiao_secret: raw.cainiao_secret,
        cainiao_owner_id: raw.cainiao_owner_id,
        cainiao_store_code: raw.cainiao_store_code,
    })
}

fn check_opening(raw: &[RawOpening]) -> Checked<Vec<OpeningStock>> {
    let mut opening = Vec::new();
    for (index, entry) in raw.iter().enumerate() {
        let key = |k: &str| at("opening").index(index).key(k);
        let inventory_type = match &entry.inventory_type {
            None => InventoryType::Good,
            Some(letter) => InventoryType::from_qimen(letter).ok_or_else(|| {
                let message =
                    format!("unknown inventory type {letter:?}; expected ZP, CC, JS, XS, DJ or ZT");
                (key("inventory_type"), message)
            })?,
        };
        if entry.qty.is_some() && (entry.erp.is_some() || entry.wms.is_some()) {
            return Err((key("qty"), "give qty, or erp and wms, not both".into()));
        }
        let both = entry.qty.unwrap_or(0);
        let erp = entry.erp.unwrap_or(both);
        let wms = entry.wms.unwrap_or(both);
        opening.push(OpeningStock {
            item_code: entry.item_code.as_deref().map(|c| ItemCode::from(c.trim())),
            inventory_type,
            qty: OpeningQty {
                erp,
                wms,
                physical: entry.physical.unwrap_or(wms),
            },
            index,
        });
    }
    Ok(opening)
}

fn check_range(key: KeyPath, range: RawRange) -> Checked<(u32, u32)> {
    if range.min == 0 {
        return Err((key.key("min"), "must be at least 1".into()));
    }
    if range.min > range.max {
        let message = format!("min {} > max {}", range.min, range.max);
        return Err((key.key("max"), message));
    }
    Ok((range.min, range.max))
}

fn check_flows(raw: &[RawFlow]) -> Checked<Vec<Flow>> {
    let mut flows: Vec<Flow> = Vec::new();
    for (index, flow) in raw.iter().enumerate() {
        let key = |k: &str| at("flow").index(index).key(k);
        let order_type = OrderType::from_code(flow.order_type).ok_or_else(|| {
            (
                key("order_type"),
                format!("unknown Cainiao order type {}", flow.order_type),
            )
        })?;
        if flows.iter().any(|f| f.order_type == order_type) {
            return Err((
                key("order_type"),
                format!("a flow for {order_type} comes earlier"),
            ));
        }
        if !(flow.rate_per_s.is_finite() && flow.rate_per_s > 0.0) {
            return Err((
                key("rate_per_s"),
                format!("{} is not above 0", flow.rate_per_s),
            ));
        }
        if !(flow.start_s.is_finite() && flow.start_s >= 0.0) {
            return Err((key("start_s"), format!("{} is not >= 0", flow.start_s)));
        }
        if !(0.0..=1.0).contains(&flow.cancel_share) {
            let message = format!("{} is not within 0.0..=1.0", flow.cancel_share);
            return Err((key("cancel_share"), message));
        }
        let count = match (flow.count, flow.duration_s) {
            (Some(count), None) => count,
            (None, Some(d)) if d.is_finite() && d > 0.0 => (d * flow.rate_per_s).round() as u32,
            (None, Some(d)) => return Err((key("duration_s"), format!("{d} is not above 0"))),
            (Some(_), Some(_)) => {
                return Err((
                    key("duration_s"),
                    "give count or duration_s, not both".into(),
                ))
            }
            (None, None) => {
                return Err((at("flow").index(index), "needs count or duration_s".into()))
            }
        };
        let lines = check_range(key("lines"), flow.lines)?;
        let qty = check_range(key("qty"), flow.qty)?;
        let cancel_after_ms = check_range(key("cancel_after_ms"), flow.cancel_after_ms)?;
        flows.push(Flow {
            order_type,
            count,
            rate_per_s: flow.rate_per_s,
            start_s: flow.start_s,
            lines,
            qty,
            cancel_share: flow.cancel_share,
            cancel_after_ms,
        });
    }

    // Returns and exchanges point at an earlier sales delivery.
    for (index, flow) in flows.iter().enumerate() {
        let needs_delivery =
            flow.order_type.is_return() || flow.order_type == OrderType::ExchangeDelivery;
        let has_delivery = flows
            .iter()
            .any(|f| f.order_type == OrderType::SalesDelivery);
        if needs_delivery && !has_delivery && flow.count > 0 {
            let message = format!(
                "order type {} needs a 201 flow to refer to",
                flow.order_type
            );
            return Err((at("flow").index(index).key("order_type"), message));
        }
        if flow.order_type.direction() == Direction::Count && flow.cancel_share > 0.0 {
            let message = "counts (701/702) cannot be cancelled".into();
            return Err((at("flow").index(index).key("cancel_share"), message));
        }
    }
    Ok(flows)
}

fn check_cutover(steps: Option<&[String]>) -> Checked<Vec<CutoverStep>> {
    let mut checked: Vec<CutoverStep> = Vec::new();
    for (i, name) in steps.unwrap_or(&[]).iter().enumerate() {
        let key = at("cutover").key("steps").index(i);
        let step = CutoverStep::from_name(name).ok_or_else(|| {
            let known: Vec<&str> = CutoverStep::ALL.iter().map(|s| s.name()).collect();
            (
                key.clone(),
                format!(
                    "unknown step {name:?}; expected one of {}",
                    known.join(", ")
                ),
            )
        })?;
        if checked.last().is_some_and(|last| *last >= step) {
            let message = format!(
                "{name} is repeated or out of order; the order is stop_business, \
                 reconcile, count_align, sync_items, import_stock, live_orders"
            );
            return Err((key, message));
        }
        checked.push(step);
    }
    Ok(checked)
}

fn check_expect(raw: &RawExpect, flows: &[Flow]) -> Checked<Expectations> {
    let key = |k: &str| at("expect").key(k);
    if raw.drift_items.is_some() && !raw.drift_detected {
        return Err((key("drift_items"), "needs drift_detected = true".into()));
    }
    let stock_consistent = raw.stock_consistent.unwrap_or(!raw.drift_detected);
    if raw.drift_detected && stock_consistent {
        let message = "cannot expect both drift_detected and stock_consistent".into();
        return Err((key("drift_detected"), message));
    }
    let mut max_p99_ms = BTreeMap::new();
    for (code, limit) in &raw.max_p99_ms {
        let order_type = code
            .parse()
            .ok()
            .and_then(OrderType::from_code)
            .filter(|t| flows.iter().any(|f| f.order_type == *t))
            .ok_or_else(|| {
                (
                    key("max_p99_ms").key(code),
                    format!("{code:?} is not the order type of a flow"),
                )
            })?;
        max_p99_ms.insert(order_type, *limit);
    }
    let drift_detected = raw.drift_detected.then(|| {
        raw.drift_items
            .as_ref()
            .map(|items| items.iter().map(|c| ItemCode::from(c.trim())).collect())
    });
    Ok(Expectations {
        all_flows_complete: raw.all_flows_complete,
        stock_consistent,
        drift_detected,
        serials_consistent: raw.serials_consistent,
        max_failed: raw.max_failed,
        max_p99_ms,
    })
}
