//! The gateway's state and decisions, without IO.
//!
//! Everything the gateway remembers or decides lives here, on domain types
//! and plain strings, so it can be tested without HTTP:
//!
//! - [`RoutingTable`]: which ERP account a `customerId` belongs to, and
//!   which WMS serves a (customer, warehouse) pair, with the Cainiao owner
//!   and store codes that stand for the Qimen ones.
//! - [`OrderBook`]: per order, the ERP code and the Cainiao `orderCode`
//!   (`LBX…`) the gateway assigned, the Qimen letter and Cainiao number of
//!   its type, owner and warehouse; confirms map back through it
//!   (cainiao.md §6).
//! - [`Dedupe`]: WMS uploads seen, keyed on (order, `outBizCode`).
//! - [`Pending`]: messages queued or being sent, per hop and per order.
//! - [`Decider`]: the seeded throttle and failure decisions of
//!   [`GatewayBehaviour`].
//!
//! Codes are derived, not counted: an `orderCode` is a hash of customer
//! and ERP code, and a decision a hash of seed, message and how often the
//! gateway has seen that message, so the same run gives the same values
//! whatever order requests arrive in.

use std::collections::HashMap;
use std::time::Duration;

use md5::{Digest, Md5};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::behaviour::GatewayBehaviour;
use crate::config::Config;
use crate::domain::{Order, OrderType};
use crate::observe::Hop;

/// A lookup that found no route.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RouteError {
    #[error("customerId `{customer_id}` is not registered at the gateway")]
    UnknownCustomer { customer_id: String },
    #[error("customerId `{customer_id}` has no warehouse `{warehouse_code}`")]
    UnknownWarehouse {
        customer_id: String,
        warehouse_code: String,
    },
    #[error("logistic_provider_id `{provider_id}` is not registered at the gateway")]
    UnknownProvider { provider_id: String },
    #[error("no route for ownerUserId `{owner_user_id}` and storeCode `{store_code}`")]
    UnknownStore {
        owner_user_id: String,
        store_code: String,
    },
}

/// An ERP's Qimen account: how the gateway checks its calls and calls it
/// back.
#[derive(Debug, Clone, PartialEq)]
pub struct ErpAccount {
    pub customer_id: String,
    pub app_key: String,
    /// Qimen secret: verifies the ERP's calls and signs callbacks.
    pub secret: String,
    /// Where confirms and reports go (`.../qimen/callback`).
    pub callback_url: String,
}

/// One warehouse of one customer, served by one WMS.
#[derive(Debug, Clone, PartialEq)]
pub struct WmsRoute {
    pub customer_id: String,
    /// Qimen `ownerCode`.
    pub owner_code: String,
    /// Qimen `warehouseCode`.
    pub warehouse_code: String,
    /// Cainiao `ownerUserId` standing for `owner_code`.
    pub owner_user_id: String,
    /// Cainiao `storeCode` standing for `warehouse_code`.
    pub store_code: String,
    /// The WMS's `logistic_provider_id`.
    pub provider_id: String,
    /// The WMS's Cainiao secret for `data_digest`, both ways.
    pub secret: String,
    /// Where notifies go (`.../cainiao`).
    pub wms_url: String,
}

/// Customers and warehouses the gateway routes. The onboarding
/// configuration gives one of each; the table holds any number.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RoutingTable {
    erps: Vec<ErpAccount>,
    routes: Vec<WmsRoute>,
}

impl RoutingTable {
    /// The one ERP and one WMS of the onboarding configuration, at the
    /// given URLs (embedded parties only know theirs once bound).
    pub fn from_config(config: &Config, erp_callback_url: &str, wms_url: &str) -> RoutingTable {
        let mut table = RoutingTable::default();
        table.add_erp(ErpAccount {
            customer_id: config.qimen.customer_id.clone(),
            app_key: config.qimen.app_key.clone(),
            secret: config.qimen.secret.clone(),
            callback_url: erp_callback_url.to_owned(),
        });
        table.add_route(WmsRoute {
            customer_id: config.qimen.customer_id.clone(),
            owner_code: config.owner_code.clone(),
            warehouse_code: config.warehouse_code.clone(),
            owner_user_id: config.cainiao.owner_user_id.clone(),
            store_code: config.cainiao.store_code.clone(),
            provider_id: config.cainiao.provider_id.clone(),
            secret: config.cainiao.secret.clone(),
            wms_url: wms_url.to_owned(),
        });
        table
    }

    /// Adds or replaces the account of `erp.customer_id`.
    pub fn add_erp(&mut self, erp: ErpAccount) {
        self.erps.retain(|e| e.customer_id != erp.customer_id);
        self.erps.push(erp);
    }

    /// Adds or replaces the route of (customer, warehouse).
    pub fn add_route(&mut self, route: WmsRoute) {
        self.routes.retain(|r| {
            r.customer_id != route.customer_id || r.warehouse_code != route.warehouse_code
        });
        self.routes.push(route);
    }

    pub fn erp(&self, customer_id: &str) -> Result<&ErpAccount, RouteError> {
        self.erps
            .iter()
            .find(|e| e.customer_id == customer_id)
            .ok_or_else(|| RouteError::UnknownCustomer {
                customer_id: customer_id.to_owned(),
            })
    }

    /// The WMS serving `warehouse_code` for `customer_id`.
    pub fn route(&self, customer_id: &str, warehouse_code: &str) -> Result<&WmsRoute, RouteError> {
        self.erp(customer_id)?;
        self.routes
            .iter()
            .find(|r| r.customer_id == customer_id && r.warehouse_code == warehouse_code.trim())
            .ok_or_else(|| RouteError::UnknownWarehouse {
                customer_id: customer_id.to_owned(),
                warehouse_code: warehouse_code.to_owned(),
            })
    }

    /// The route of a call that may name no warehouse: the named one, or
    /// the customer's only warehouse.
    pub fn route_for(
        &self,
        customer_id: &str,
        warehouse_code: Option<&str>,
    ) -> Result<&WmsRoute, RouteError> {
        if let Some(code) = warehouse_code {
            return self.route(customer_id, code);
        }
        self.erp(customer_id)?;
        let mut found = self.routes.iter().filter(|r| r.customer_id == customer_id);
        match (found.next(), found.next()) {
            (Some(route), None) => Ok(route),
            _ => Err(RouteError::UnknownWarehouse {
                customer_id: customer_id.to_owned(),
                warehouse_code: String::new(),
            }),
        }
    }

    /// Every WMS URL, once.
    pub fn wms_urls(&self) -> Vec<String> {
        let mut urls: Vec<String> = self.routes.iter().map(|r| r.wms_url.clone()).collect();
        urls.sort();
        urls.dedup();
        urls
    }

    /// Every ERP callback URL, once.
    pub fn erp_urls(&self) -> Vec<String> {
        let mut urls: Vec<String> = self.erps.iter().map(|e| e.callback_url.clone()).collect();
        urls.sort();
        urls.dedup();
        urls
    }

    /// The Cainiao secret of a WMS calling in, by its provider id.
    pub fn provider_secret(&self, provider_id: &str) -> Result<&str, RouteError> {
        self.routes
            .iter()
            .find(|r| r.provider_id == provider_id)
            .map(|r| r.secret.as_str())
            .ok_or_else(|| RouteError::UnknownProvider {
                provider_id: provider_id.to_owned(),
            })
    }

    /// The route of an upload that names no order (counts, moves), by
    /// provider and Cainiao owner and store. Absent codes match the
    /// provider's only route.
    pub fn route_by_store(
        &self,
        provider_id: &str,
        owner_user_id: Option<&str>,
        store_code: Option<&str>,
    ) -> Result<&WmsRoute, RouteError> {
        let fits = |r: &&WmsRoute| {
            r.provider_id == provider_id
                && owner_user_id.is_none_or(|o| o == r.owner_user_id)
                && store_code.is_none_or(|s| s == r.store_code)
        };
        let mut found = self.routes.iter().filter(fits);
        match (found.next(), found.next()) {
            (Some(route), None) => Ok(route),
            _ => Err(RouteError::UnknownStore {
                owner_user_id: owner_user_id.unwrap_or_default().to_owned(),
                store_code: store_code.unwrap_or_default().to_owned(),
            }),
        }
    }
}

/// What the gateway remembers of one notified order.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderRecord {
    pub customer_id: String,
    /// The ERP's code (`entryOrderCode`, `deliveryOrderCode`, ...).
    pub erp_order_code: String,
    /// Cainiao's `orderCode`, assigned by the gateway.
    pub cainiao_order_code: String,
    pub order_type: OrderType,
    /// The Qimen letter exactly as the ERP wrote it (`THRK`, `XTRK`).
    pub letter: String,
    /// Qimen codes, as the ERP sent them.
    pub owner_code: String,
    pub warehouse_code: String,
    /// Cainiao codes the notify carried.
    pub owner_user_id: String,
    pub store_code: String,
    pub cancelled: bool,
    fingerprint: [u8; 16],
}

impl OrderRecord {
    /// The Cainiao numeric order type (cainiao.md §6: confirms carry it).
    pub fn cainiao_type(&self) -> u16 {
        self.order_type.code()
    }
}

/// The outcome of registering a create.
#[derive(Debug, Clone, PartialEq)]
pub enum Registration {
    /// First time: the order now has this record.
    New(OrderRecord),
    /// The same order again: the record made the first time.
    Repeated(OrderRecord),
}

impl Registration {
    pub fn record(&self) -> &OrderRecord {
        match self {
            Registration::New(r) | Registration::Repeated(r) => r,
        }
    }
}

/// A create the order book refuses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BookError {
    #[error("order `{order_code}` exists with different content")]
    OrderExist { order_code: String },
}

/// ERP code ⇄ Cainiao `orderCode`, and what each order was notified with.
#[derive(Debug, Default)]
pub struct OrderBook {
    by_cainiao: HashMap<String, OrderRecord>,
    /// (customer, ERP code) → Cainiao code.
    by_erp: HashMap<(String, String), String>,
}

impl OrderBook {
    /// Registers a create: a new order gets an `LBX` code; the identical
    /// order again gets its first record; a different order under a known
    /// code is refused.
    pub fn register(
        &mut self,
        customer_id: &str,
        order: &Order,
        letter: &str,
        route: &WmsRoute,
    ) -> Result<Registration, BookError> {
        let fingerprint = fingerprint(&format!("{order:?}"));
        let key = (customer_id.to_owned(), order.order_code.clone());
        if let Some(code) = self.by_erp.get(&key) {
            let record = &self.by_cainiao[code];
            if record.fingerprint != fingerprint {
                return Err(BookError::OrderExist {
                    order_code: order.order_code.clone(),
                });
            }
            return Ok(Registration::Repeated(record.clone()));
        }

        let code = self.free_code(customer_id, &order.order_code);
        let record = OrderRecord {
            customer_id: customer_id.to_owned(),
            erp_order_code: order.order_code.clone(),
            cainiao_order_code: code.clone(),
            order_type: order.order_type,
            letter: letter.to_owned(),
            owner_code: order.owner_code.clone(),
            warehouse_code: order.warehouse_code.clone(),
            owner_user_id: route.owner_user_id.clone(),
            store_code: route.store_code.clone(),
            cancelled: false,
            fingerprint,
        };
        self.by_erp.insert(key, code.clone());
        self.by_cainiao.insert(code, record.clone());
        Ok(Registration::New(record))
    }

    /// Forgets an order the WMS refused, so the ERP may create it again.
    pub fn forget(&mut self, cainiao_order_code: &str) -> Option<OrderRecord> {
        let record = self.by_cainiao.remove(cainiao_order_code)?;
        self.by_erp
            .remove(&(record.customer_id.clone(), record.erp_order_code.clone()));
        Some(record)
    }

    pub fn by_cainiao(&self, cainiao_order_code: &str) -> Option<&OrderRecord> {
        self.by_cainiao.get(cainiao_order_code.trim())
    }

    pub fn by_erp(&self, customer_id: &str, erp_order_code: &str) -> Option<&OrderRecord> {
        let key = (customer_id.to_owned(), erp_order_code.trim().to_owned());
        self.by_erp.get(&key).and_then(|c| self.by_cainiao.get(c))
    }

    /// Marks an order cancelled; returns false for an unknown code.
    pub fn mark_cancelled(&mut self, cainiao_order_code: &str) -> bool {
        match self.by_cainiao.get_mut(cainiao_order_code) {
            Some(record) => {
                record.cancelled = true;
                true
            }
            None => false,
        }
    }

    pub fn len(&self) -> usize {
        self.by_cainiao.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_cainiao.is_empty()
    }

    /// `LBX` and 13 digits from a hash of customer and ERP code; on the
    /// rare collision the next free number.
    fn free_code(&self, customer_id: &str, erp_order_code: &str) -> String {
        let hash = fingerprint(&format!("{customer_id}\u{0}{erp_order_code}"));
        let high = u64::from_be_bytes(hash[..8].try_into().expect("an MD5 has 16 bytes"));
        let mut number = high % 10_000_000_000_000;
        loop {
            let code = format!("LBX{number:013}");
            if !self.by_cainiao.contains_key(&code) {
                return code;
            }
            number = (number + 1) % 10_000_000_000_000;
        }
    }
}

fn fingerprint(text: &str) -> [u8; 16] {
    Md5::digest(text.as_bytes()).into()
}

/// What to do with an upload carrying an `outBizCode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DedupeVerdict {
    /// First time: forward it.
    New,
    /// Seen with the same content: answer success, forward nothing.
    Duplicate,
    /// Seen with different content: refuse, forward nothing.
    Conflict,
}

/// WMS uploads seen, keyed on (msg_type, order or count code,
/// `outBizCode`), remembering a fingerprint of the content (FC-12).
#[derive(Debug, Default)]
pub struct Dedupe {
    seen: HashMap<(String, String, String), [u8; 16]>,
}

impl Dedupe {
    /// Records the upload if new. `content` is the decoded domain value,
    /// so a re-serialised copy of the same confirm still matches.
    pub fn check(
        &mut self,
        msg_type: &str,
        order_code: &str,
        out_biz_code: &str,
        content: &str,
    ) -> DedupeVerdict {
        let key = (
            msg_type.to_owned(),
            order_code.trim().to_owned(),
            out_biz_code.trim().to_owned(),
        );
        let print = fingerprint(content);
        match self.seen.get(&key) {
            None => {
                self.seen.insert(key, print);
                DedupeVerdict::New
            }
            Some(seen) if *seen == print => DedupeVerdict::Duplicate,
            Some(_) => DedupeVerdict::Conflict,
        }
    }

    /// Forgets an upload, so that a copy is accepted again: used when the
    /// message could not even be queued.
    pub fn forget(&mut self, msg_type: &str, order_code: &str, out_biz_code: &str) {
        let key = (
            msg_type.to_owned(),
            order_code.trim().to_owned(),
            out_biz_code.trim().to_owned(),
        );
        self.seen.remove(&key);
    }
}

/// One message counted by [`Pending`] until it is done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticket {
    pub hop: Hop,
    /// The ERP order code, when the message concerns one.
    pub order_code: Option<String>,
}

/// Messages queued or being sent, per hop and per ERP order code, so a
/// checker can tell "not yet arrived" from "lost".
#[derive(Debug, Default)]
pub struct Pending {
    by_hop: HashMap<Hop, u64>,
    by_order: HashMap<String, u64>,
}

impl Pending {
    /// Counts a message from the moment it is queued.
    pub fn begin(&mut self, hop: Hop, order_code: Option<&str>) -> Ticket {
        *self.by_hop.entry(hop).or_default() += 1;
        if let Some(code) = order_code {
            *self.by_order.entry(code.to_owned()).or_default() += 1;
        }
        Ticket {
            hop,
            order_code: order_code.map(str::to_owned),
        }
    }

    /// Stops counting a message: delivered, refused or given up.
    pub fn end(&mut self, ticket: &Ticket) {
        if let Some(n) = self.by_hop.get_mut(&ticket.hop) {
            *n = n.saturating_sub(1);
        }
        if let Some(code) = &ticket.order_code {
            if let Some(n) = self.by_order.get_mut(code) {
                *n -= 1;
                if *n == 0 {
                    self.by_order.remove(code);
                }
            }
        }
    }

    /// Messages pending on every hop.
    pub fn total(&self) -> u64 {
        self.by_hop.values().sum()
    }

    pub fn on_hop(&self, hop: Hop) -> u64 {
        self.by_hop.get(&hop).copied().unwrap_or(0)
    }

    pub fn for_order(&self, order_code: &str) -> u64 {
        self.by_order.get(order_code).copied().unwrap_or(0)
    }
}

/// What the gateway does with one ERP call before handling it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Pass,
    /// Answer code 7, "ban will last N seconds".
    Throttle {
        ban: Duration,
    },
    /// Answer a non-retryable failure.
    Fail,
}

/// Seeded throttle and failure decisions. A decision depends on the run
/// seed, the message key and how many times that key was seen before, so
/// a retried call gets a fresh, but reproducible, draw.
#[derive(Debug)]
pub struct Decider {
    seed: u64,
    behaviour: GatewayBehaviour,
    seen: HashMap<String, u32>,
}

impl Decider {
    pub fn new(seed: u64, behaviour: GatewayBehaviour) -> Decider {
        Decider {
            seed,
            behaviour,
            seen: HashMap::new(),
        }
    }

    pub fn behaviour(&self) -> &GatewayBehaviour {
        &self.behaviour
    }

    /// Decides for the next arrival of `message_key` (method and order
    /// code, or method and a body hash).
    pub fn decide(&mut self, message_key: &str) -> Decision {
        let arrival = self.seen.entry(message_key.to_owned()).or_default();
        *arrival += 1;
        let mut rng = rng_for(self.seed, message_key, *arrival);

        let draw: f64 = rng.gen();
        if draw < self.behaviour.throttle_share {
            let ban = self.behaviour.ban_seconds.sample(&mut rng);
            Decision::Throttle { ban }
        } else if draw < self.behaviour.throttle_share + self.behaviour.fail_share {
            Decision::Fail
        } else {
            Decision::Pass
        }
    }
}

/// A generator seeded by (seed, key, step), independent of arrival order.
pub fn rng_for(seed: u64, key: &str, step: u32) -> ChaCha8Rng {
    let mut hasher = Md5::new();
    hasher.update(seed.to_be_bytes());
    hasher.update(key.as_bytes());
    hasher.update(step.to_be_bytes());
    let digest: [u8; 16] = hasher.finalize().into();
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..16].copy_from_slice(&digest);
    seed_bytes[16..].copy_from_slice(&digest);
    ChaCha8Rng::from_seed(seed_bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::behaviour::SecondsRange;
    use crate::domain::{InventoryType, ItemCode, OrderLine};

    fn table() -> RoutingTable {
        RoutingTable::from_config(&Config::default(), "http://erp/cb", "http://wms/cainiao")
    }

    fn purchase(code: &str, qty: u32) -> Order {
        Order {
            order_code: code.to_owned(),
            order_type: OrderType::Purchase,
            owner_code: "SLMY001".into(),
            warehouse_code: "WH_HZ01".into(),
            created_at: "2024-01-02 03:04:05".into(),
            prev_order_code: None,
            logistics_code: None,
            receiver: None,
            supplier_code: None,
            remark: None,
            lines: vec![OrderLine {
                line_no: "1".into(),
                item_code: ItemCode::from("SKU1"),
                inventory_type: InventoryType::Good,
                plan_qty: qty,
                ..OrderLine::default()
            }],
        }
    }

    fn route() -> WmsRoute {
        table().route("C_TEST_001", "WH_HZ01").unwrap().clone()
    }

    #[test]
    fn configured_customer_and_warehouse_route_to_the_configured_wms() {
        let table = table();

        let route = table.route("C_TEST_001", "WH_HZ01").unwrap();

        assert_eq!(route.wms_url, "http://wms/cainiao");
        assert_eq!(route.store_code, "STORE_90000001");
        assert_eq!(route.owner_user_id, "2000000001");
        assert_eq!(table.erp("C_TEST_001").unwrap().secret, "testsecret");
    }

    #[test]
    fn unknown_customer_and_unknown_warehouse_are_told_apart() {
        let table = table();

        let customer = table.route("NOBODY", "WH_HZ01").unwrap_err();
        let warehouse = table.route("C_TEST_001", "WH_XX").unwrap_err();

        assert!(matches!(customer, RouteError::UnknownCustomer { .. }));
        assert!(matches!(warehouse, RouteError::UnknownWarehouse { .. }));
        assert!(warehouse.to_string().contains("WH_XX"));
    }

    #[test]
    fn routing_table_holds_several_warehouses_per_customer() {
        let mut table = table();
        let mut second = route();
        second.warehouse_code = "WH_SH02".into();
        second.wms_url = "http://wms2/cainiao".into();
        second.provider_id = "P2".into();
        second.store_code = "STORE_2".into();

        table.add_route(second);

        assert_eq!(
            table.route("C_TEST_001", "WH_SH02").unwrap().wms_url,
            "http://wms2/cainiao"
        );
        assert_eq!(
            table.route("C_TEST_001", "WH_HZ01").unwrap().wms_url,
            "http://wms/cainiao"
        );
        assert_eq!(
            table.route_by_store("P2", None, None).unwrap().store_code,
            "STORE_2"
        );
        assert!(table.provider_secret("P3").is_err());
    }

    #[test]
    fn uploads_without_an_order_route_by_owner_and_store() {
        let table = table();

        let found =
            table.route_by_store("SANDBOX026991", Some("2000000001"), Some("STORE_90000001"));
        let wrong = table.route_by_store("SANDBOX026991", Some("2000000001"), Some("STORE_X"));

        assert_eq!(found.unwrap().warehouse_code, "WH_HZ01");
        assert!(matches!(wrong, Err(RouteError::UnknownStore { .. })));
    }

    #[test]
    fn new_order_gets_an_lbx_code_that_maps_both_ways() {
        let mut book = OrderBook::default();

        let registration = book
            .register("C_TEST_001", &purchase("PO1", 5), "CGRK", &route())
            .unwrap();

        let record = registration.record().clone();
        assert!(matches!(registration, Registration::New(_)));
        assert!(record.cainiao_order_code.starts_with("LBX"));
        assert_eq!(record.cainiao_order_code.len(), 16);
        assert_eq!(record.cainiao_type(), 601);
        assert_eq!(record.letter, "CGRK");
        assert_eq!(record.store_code, "STORE_90000001");
        assert_eq!(
            book.by_cainiao(&record.cainiao_order_code)
                .unwrap()
                .erp_order_code,
            "PO1"
        );
        assert_eq!(
            book.by_erp("C_TEST_001", "PO1").unwrap().cainiao_order_code,
            record.cainiao_order_code
        );
    }

    #[test]
    fn order_code_depends_on_customer_and_code_not_arrival_order() {
        let mut first = OrderBook::default();
        let mut second = OrderBook::default();

        let a1 = first
            .register("C", &purchase("A", 1), "CGRK", &route())
            .unwrap();
        first
            .register("C", &purchase("B", 1), "CGRK", &route())
            .unwrap();
        second
            .register("C", &purchase("B", 1), "CGRK", &route())
            .unwrap();
        let a2 = second
            .register("C", &purchase("A", 1), "CGRK", &route())
            .unwrap();

        assert_eq!(
            a1.record().cainiao_order_code,
            a2.record().cainiao_order_code
        );
        assert_ne!(
            first.by_erp("C", "A").unwrap().cainiao_order_code,
            first.by_erp("C", "B").unwrap().cainiao_order_code
        );
    }

    #[test]
    fn identical_re_create_repeats_and_different_content_is_refused() {
        let mut book = OrderBook::default();
        let first = book
            .register("C", &purchase("PO1", 5), "CGRK", &route())
            .unwrap();

        let again = book
            .register("C", &purchase("PO1", 5), "CGRK", &route())
            .unwrap();
        let changed = book.register("C", &purchase("PO1", 6), "CGRK", &route());

        assert_eq!(again, Registration::Repeated(first.record().clone()));
        assert_eq!(
            changed,
            Err(BookError::OrderExist {
                order_code: "PO1".into()
            })
        );
        assert_eq!(book.len(), 1);
    }

    #[test]
    fn forgotten_order_can_be_created_again_with_other_content() {
        let mut book = OrderBook::default();
        let first = book
            .register("C", &purchase("PO1", 5), "CGRK", &route())
            .unwrap();

        book.forget(&first.record().cainiao_order_code);
        let again = book.register("C", &purchase("PO1", 6), "CGRK", &route());

        assert!(matches!(again, Ok(Registration::New(_))));
    }

    #[test]
    fn dedupe_forwards_once_and_flags_a_changed_copy() {
        let mut dedupe = Dedupe::default();

        let first = dedupe.check("WMS_STOCK_IN_ORDER_CONFIRM", "LBX1", "OB-1", "qty 5");
        let replay = dedupe.check("WMS_STOCK_IN_ORDER_CONFIRM", "LBX1", "OB-1", "qty 5");
        let changed = dedupe.check("WMS_STOCK_IN_ORDER_CONFIRM", "LBX1", "OB-1", "qty 4");
        let next = dedupe.check("WMS_STOCK_IN_ORDER_CONFIRM", "LBX1", "OB-2", "qty 4");
        let other_order = dedupe.check("WMS_STOCK_IN_ORDER_CONFIRM", "LBX2", "OB-1", "qty 4");

        assert_eq!(first, DedupeVerdict::New);
        assert_eq!(replay, DedupeVerdict::Duplicate);
        assert_eq!(changed, DedupeVerdict::Conflict);
        assert_eq!(next, DedupeVerdict::New);
        assert_eq!(other_order, DedupeVerdict::New);
    }

    #[test]
    fn pending_counts_per_hop_and_per_order_until_each_message_ends() {
        let mut pending = Pending::default();

        let a = pending.begin(Hop::GatewayToWms, Some("PO1"));
        let b = pending.begin(Hop::GatewayToErp, Some("PO1"));
        let c = pending.begin(Hop::GatewayToErp, None);
        pending.end(&a);

        assert_eq!(pending.total(), 2);
        assert_eq!(pending.on_hop(Hop::GatewayToWms), 0);
        assert_eq!(pending.on_hop(Hop::GatewayToErp), 2);
        assert_eq!(pending.for_order("PO1"), 1);
        pending.end(&b);
        pending.end(&c);
        assert_eq!(pending.total(), 0);
        assert_eq!(pending.for_order("PO1"), 0);
    }

    fn throttling(share: f64) -> GatewayBehaviour {
        GatewayBehaviour {
            throttle_share: share,
            ban_seconds: SecondsRange { min: 1, max: 3 },
            ..GatewayBehaviour::default()
        }
    }

    #[test]
    fn same_seed_gives_the_same_decisions_whatever_the_arrival_order() {
        let keys: Vec<String> = (0..200)
            .map(|i| format!("entryorder.create:PO{i}"))
            .collect();
        let mut forward = Decider::new(42, throttling(0.3));
        let mut backward = Decider::new(42, throttling(0.3));

        let a: Vec<Decision> = keys.iter().map(|k| forward.decide(k)).collect();
        let mut b: Vec<Decision> = keys.iter().rev().map(|k| backward.decide(k)).collect();
        b.reverse();

        assert_eq!(a, b);
    }

    #[test]
    fn throttle_share_is_met_and_bans_stay_in_range() {
        let mut decider = Decider::new(7, throttling(0.25));

        let decisions: Vec<Decision> = (0..4000)
            .map(|i| decider.decide(&format!("k{i}")))
            .collect();

        let throttled: Vec<Duration> = decisions
            .iter()
            .filter_map(|d| match d {
                Decision::Throttle { ban } => Some(*ban),
                _ => None,
            })
            .collect();
        // Binomial(4000, 0.25): sd ≈ 27, so ±150 is over five sd.
        assert!(
            (850..=1150).contains(&throttled.len()),
            "{}",
            throttled.len()
        );
        assert!(throttled.iter().all(|b| (1..=3).contains(&b.as_secs())));
        assert!(!decisions.contains(&Decision::Fail));
    }

    #[test]
    fn a_retried_message_gets_a_fresh_draw() {
        let mut decider = Decider::new(1, throttling(0.5));

        let draws: Vec<Decision> = (0..64).map(|_| decider.decide("same-key")).collect();

        assert!(draws.contains(&Decision::Pass));
        assert!(draws.iter().any(|d| matches!(d, Decision::Throttle { .. })));
    }

    #[test]
    fn fail_share_one_fails_every_call() {
        let behaviour = GatewayBehaviour {
            fail_share: 1.0,
            ..GatewayBehaviour::default()
        };
        let mut decider = Decider::new(3, behaviour);

        let decisions: Vec<Decision> = (0..50).map(|i| decider.decide(&i.to_string())).collect();

        assert!(decisions.iter().all(|d| *d == Decision::Fail));
    }
}
