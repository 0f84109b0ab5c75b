//! Scenario files: what a run does and what it expects, in TOML.
//!
//! Read in three stages, each its own type:
//! 1. [`raw::RawScenario`]: the file as serde reads it; unknown keys are
//!    refused with the file, line and table named.
//! 2. [`ValidScenario`]: every value checked and typed (order types, inventory
//!    types, cutover steps, behaviours), errors naming file, line and key.
//! 3. [`Scenario`]: resolved against the file system: the catalog read and
//!    narrowed to the selected items, opening stock expanded per item, flow
//!    counts multiplied by the scale factor.
//!
//! `scenarios/README.md` documents every key with its default.

pub mod locate;
pub mod raw;
mod validate;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use mocks::behaviour::{ErpBehaviour, GatewayBehaviour, WmsBehaviour};
use mocks::domain::{InventoryType, Item, ItemCode, OrderType};

use crate::catalog::{Catalog, CatalogError};
use locate::KeyPath;
use raw::RawScenario;

pub use validate::validate;

/// Why a scenario could not be read. Displays as `file:line: what`.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// TOML syntax, a wrong type or an unknown key.
    #[error("{path}:{line}: {message}")]
    Syntax {
        path: PathBuf,
        line: usize,
        message: String,
    },
    /// A value out of range or inconsistent with another.
    #[error("{path}:{line}: {key}: {message}")]
    Invalid {
        path: PathBuf,
        line: usize,
        key: String,
        message: String,
    },
    /// The catalog the scenario names could not be read.
    #[error("{scenario}: catalog {source}")]
    Catalog {
        scenario: PathBuf,
        source: CatalogError,
    },
}

/// Where a party runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PartyLocation {
    /// In this process, started by the driver.
    Embedded,
    /// An external system at this base URL.
    External(String),
}

/// Where each of the three parties runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parties {
    pub erp: PartyLocation,
    pub gateway: PartyLocation,
    pub wms: PartyLocation,
    /// Fixed listen addresses of embedded parties; `None`: a free port.
    pub listen: Listen,
}

/// Where embedded parties listen, when a real system must reach them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Listen {
    pub erp: Option<std::net::SocketAddr>,
    pub gateway: Option<std::net::SocketAddr>,
    pub wms: Option<std::net::SocketAddr>,
}

/// Identities and secrets on both protocols.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub qimen_app_key: String,
    pub qimen_secret: String,
    pub customer_id: String,
    pub owner_code: String,
    pub warehouse_code: String,
    pub cainiao_provider_id: String,
    pub cainiao_secret: String,
    pub cainiao_owner_id: String,
    pub cainiao_store_code: String,
}

/// Opening stock of one (item, inventory type), per party.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OpeningQty {
    pub erp: u32,
    pub wms: u32,
    /// What a physical count finds (cutover); defaults to `wms`.
    pub physical: u32,
}

/// One validated `[[opening]]` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpeningStock {
    /// `None`: every selected item.
    pub item_code: Option<ItemCode>,
    pub inventory_type: InventoryType,
    pub qty: OpeningQty,
    /// Position in the file, for errors found while resolving.
    pub index: usize,
}

/// One validated `[[flow]]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Flow {
    pub order_type: OrderType,
    /// Orders to plan (after scaling, in a resolved [`Scenario`]).
    pub count: u32,
    /// Mean arrivals per second (Poisson arrivals).
    pub rate_per_s: f64,
    /// Offset of the flow's first possible arrival.
    pub start_s: f64,
    /// Lines per order, inclusive.
    pub lines: (u32, u32),
    /// Quantity per line, inclusive.
    pub qty: (u32, u32),
    /// Share of orders cancelled after creation.
    pub cancel_share: f64,
    /// Delay of a planned cancel after its create, in ms, inclusive.
    pub cancel_after_ms: (u32, u32),
}

/// Go-live steps for a customer already in the warehouse, in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CutoverStep {
    /// Business stops: no new orders until `live_orders`.
    StopBusiness,
    /// Compare ERP and WMS stock per item and inventory type.
    Reconcile,
    /// Count the differing items in the warehouse; raise 701/702 to align.
    CountAlign,
    /// Send the item master from the ERP to the WMS.
    SyncItems,
    /// Import the WMS's current stock into the ERP through the gateway.
    ImportStock,
    /// Run the scenario's flows as real orders.
    LiveOrders,
}

impl CutoverStep {
    pub const ALL: [CutoverStep; 6] = [
        CutoverStep::StopBusiness,
        CutoverStep::Reconcile,
        CutoverStep::CountAlign,
        CutoverStep::SyncItems,
        CutoverStep::ImportStock,
        CutoverStep::LiveOrders,
    ];

    /// The name used in scenario files.
    pub fn name(self) -> &'static str {
        match self {
            CutoverStep::StopBusiness => "stop_business",
            CutoverStep::Reconcile => "reconcile",
            CutoverStep::CountAlign => "count_align",
            CutoverStep::SyncItems => "sync_items",
            CutoverStep::ImportStock => "import_stock",
            CutoverStep::LiveOrders => "live_orders",
        }
    }

    pub fn from_name(name: &str) -> Option<CutoverStep> {
        CutoverStep::ALL.into_iter().find(|s| s.name() == name)
    }
}

/// What must hold at the end of a run.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Expectations {
    /// Every planned, uncancelled order reached its final confirm.
    pub all_flows_complete: bool,
    /// ERP, WMS and the expected stock agree per item and inventory type.
    pub stock_consistent: bool,
    /// ERP and WMS must disagree; `Some(items)`: exactly on these items.
    pub drift_detected: Option<Option<Vec<ItemCode>>>,
    /// Shipped serials were received before, none twice, count = quantity.
    pub serials_consistent: bool,
    /// Largest number of failed orders tolerated; `None`: not checked.
    pub max_failed: Option<u64>,
    /// p99 end-to-end latency limit per flow, in ms.
    pub max_p99_ms: BTreeMap<OrderType, u64>,
}

/// A scenario with every value checked, not yet resolved against files.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidScenario {
    pub name: String,
    pub description: String,
    pub seed: u64,
    pub scale: f64,
    /// Catalog path, relative to the scenario file's folder resolved.
    pub catalog_path: PathBuf,
    /// Item subset; empty: the whole catalog.
    pub items: Vec<ItemCode>,
    pub sync_items: bool,
    pub deadline_s: u64,
    pub settle_timeout_s: u64,
    pub parties: Parties,
    pub credentials: Credentials,
    pub opening: Vec<OpeningStock>,
    pub flows: Vec<Flow>,
    pub cutover: Vec<CutoverStep>,
    pub wms: WmsBehaviour,
    pub erp: ErpBehaviour,
    pub gateway: GatewayBehaviour,
    pub expect: Expectations,
    /// The file as read, for error positions and the run folder's copy.
    pub source_path: PathBuf,
    pub source_text: String,
}

/// A scenario ready to plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    pub seed: u64,
    pub scale: f64,
    /// The selected items, in catalog order.
    pub items: Vec<Item>,
    pub sync_items: bool,
    pub deadline_s: u64,
    pub settle_timeout_s: u64,
    pub parties: Parties,
    pub credentials: Credentials,
    /// Opening stock per (item, inventory type); absent keys are zero.
    pub opening: BTreeMap<(ItemCode, InventoryType), OpeningQty>,
    /// Flows with counts scaled.
    pub flows: Vec<Flow>,
    pub cutover: Vec<CutoverStep>,
    pub wms: WmsBehaviour,
    pub erp: ErpBehaviour,
    pub gateway: GatewayBehaviour,
    pub expect: Expectations,
    pub source_path: PathBuf,
    pub source_text: String,
}

/// Read, validate and resolve a scenario file. To run a scenario at
/// another scale, [`load_valid`], set `scale`, then [`resolve`].
pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
    let valid = load_valid(path)?;
    resolve(valid)
}

/// Read and validate a scenario file without touching the catalog.
pub fn load_valid(path: &Path) -> Result<ValidScenario, ScenarioError> {
    let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Io {
        path: path.to_owned(),
        source,
    })?;
    let raw = parse_raw(path, &text)?;
    validate(path, &text, raw)
}

/// Stage one: TOML text to [`RawScenario`]; `path` names the file in errors.
pub fn parse_raw(path: &Path, text: &str) -> Result<RawScenario, ScenarioError> {
    toml::from_str(text).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        ScenarioError::Syntax {
            path: path.to_owned(),
            line: locate::line_at(text, offset),
            message: describe_toml_error(text, offset, e.message()),
        }
    })
}

// Serde says "unknown field `ordrs`, expected one of `a`, `b`"; users read
// "unknown key "ordrs" in [[flow]]; expected one of a, b".
fn describe_toml_error(text: &str, offset: usize, message: &str) -> String {
    let offset = offset.min(text.len());
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = text[line_start..].lines().next().unwrap_or("").trim();
    let Some(rest) = message.strip_prefix("unknown field `") else {
        return describe_value_error(line, message.trim());
    };
    let (key, expected) = rest.split_once('`').unwrap_or((rest, ""));
    let table = if line.starts_with('[') {
        // The unknown key is a table name: `[expct]` is a key of its parent.
        let name = line.trim_matches(|c| c == '[' || c == ']').trim();
        match name.rsplit_once('.') {
            Some((parent, _)) => format!("[{parent}]"),
            None => "the top level".to_owned(),
        }
    } else {
        locate::header_before(text, offset)
            .unwrap_or("the top level")
            .to_owned()
    };
    let expected = expected
        .trim_start_matches(", ")
        .replace('`', "")
        .replace("there are no fields", "no keys are allowed here");
    format!("unknown key \"{key}\" in {table}; {expected}")
}

// A wrong value: name the key of the line and say what fits in words, not
// in Rust types.
fn describe_value_error(line: &str, message: &str) -> String {
    let message = message
        .replace(
            "expected u32",
            "expected a whole number from 0 to 4294967295",
        )
        .replace("expected u64", "expected a whole number of 0 or more")
        .replace("expected u16", "expected a whole number from 0 to 65535")
        .replace("expected f64", "expected a number")
        .replace("expected a boolean", "expected true or false");
    match line.split_once('=') {
        Some((key, _)) if !line.starts_with('[') => format!("{}: {message}", key.trim()),
        _ => message,
    }
}

/// Stage three: read the catalog, select items, expand opening stock and
/// scale flow counts.
pub fn resolve(valid: ValidScenario) -> Result<Scenario, ScenarioError> {
    let catalog = Catalog::read(&valid.catalog_path).map_err(|source| ScenarioError::Catalog {
        scenario: valid.source_path.clone(),
        source,
    })?;
    let invalid = |path: KeyPath, message: String| ScenarioError::Invalid {
        path: valid.source_path.clone(),
        line: locate::line_of(&valid.source_text, &path),
        key: path.to_string(),
        message,
    };

    let mut items = Vec::new();
    if valid.items.is_empty() {
        items = catalog.items.clone();
    }
    for (i, code) in valid.items.iter().enumerate() {
        let item = catalog.item(code).ok_or_else(|| {
            let message = format!("item {code} is not in {}", valid.catalog_path.display());
            invalid(KeyPath::default().key("items").index(i), message)
        })?;
        items.push(item.clone());
    }

    let mut opening = BTreeMap::new();
    for entry in &valid.opening {
        let targets: Vec<ItemCode> = match &entry.item_code {
            Some(code) if items.iter().any(|i| &i.item_code == code) => vec![code.clone()],
            Some(code) => {
                let path = KeyPath::default()
                    .key("opening")
                    .index(entry.index)
                    .key("item_code");
                return Err(invalid(path, format!("item {code} is not a selected item")));
            }
            None => items.iter().map(|i| i.item_code.clone()).collect(),
        };
        for code in targets {
            opening.insert((code, entry.inventory_type), entry.qty);
        }
    }

    let flows: Vec<Flow> = valid
        .flows
        .iter()
        .map(|f| Flow {
            count: scale_count(f.count, valid.scale),
            ..f.clone()
        })
        .collect();
    let total: u64 = flows.iter().map(|f| u64::from(f.count)).sum();
    if total > MAX_ORDERS {
        let message = format!(
            "{total} orders at scale {}; a run holds at most {MAX_ORDERS} \
             (every order stays in memory until the run ends)",
            valid.scale
        );
        return Err(invalid(KeyPath::default().key("scale"), message));
    }

    Ok(Scenario {
        name: valid.name,
        description: valid.description,
        seed: valid.seed,
        scale: valid.scale,
        items,
        sync_items: valid.sync_items,
        deadline_s: valid.deadline_s,
        settle_timeout_s: valid.settle_timeout_s,
        parties: valid.parties,
        credentials: valid.credentials,
        opening,
        flows,
        cutover: valid.cutover,
        wms: valid.wms,
        erp: valid.erp,
        gateway: valid.gateway,
        expect: valid.expect,
        source_path: valid.source_path,
        source_text: valid.source_text,
    })
}

/// Most orders one run may plan, over all flows after scaling.
pub const MAX_ORDERS: u64 = 2_000_000;

/// `count × scale`, rounded up, and at least 1 when `count` is not 0.
pub fn scale_count(count: u32, scale: f64) -> u32 {
    if count == 0 {
        return 0;
    }
    let scaled = (f64::from(count) * scale).ceil();
    (scaled.min(f64::from(u32::MAX)) as u32).max(1)
}

impl Scenario {
    /// The flow of an order type, if the scenario has one.
    pub fn flow(&self, order_type: OrderType) -> Option<&Flow> {
        self.flows.iter().find(|f| f.order_type == order_type)
    }
}
