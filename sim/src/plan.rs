//! The plan of a run: which items to synchronise and which documents to
//! send when, computed from a scenario and a seed by a pure function.
//!
//! Same scenario and seed, same plan, byte for byte: one ChaCha8 stream is
//! drawn from in a fixed order (flows in file order for arrival times, then
//! documents in time order for their contents). Offsets are intended send
//! times from the run's start (open model): the driver sends at these times
//! whatever the parties' latency, and measures latency from them.
//!
//! # Stock rule
//! The plan keeps a planned good stock per item: the WMS's opening good
//! stock (its `physical` count when a cutover aligns the books), plus every
//! uncancelled inbound, return and count gain planned earlier, minus every
//! uncancelled outbound and count loss planned earlier. "Earlier" means an
//! earlier send offset, not an earlier confirm: scenarios give outbound
//! flows a later `start_s` so that receipts are confirmed first. An outbound
//! or count-loss line only takes an item with planned stock, and never more
//! than that stock; when no item has stock, the order is drawn from the
//! whole selection and marked [`Outcome::ExpectedShort`].
//!
//! # Known gaps
//! Serial numbers are not planned: the WMS captures them on receipt, so
//! order lines carry none. Batch codes are left to the WMS likewise.

use std::collections::BTreeMap;
use std::time::Duration;

use mocks::domain::{
    Address, AdjustmentLine, Cancel, Direction, InventoryType, Item, ItemCode, Lot, Order,
    OrderLine, OrderType,
};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::scenario::{CutoverStep, Flow, Scenario};

/// What the plan expects of a created order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Confirmed in full.
    Complete,
    /// Cancelled before the warehouse acts; a cancel follows.
    Cancelled,
    /// Planned beyond the stock the plan expects; short or rejected.
    ExpectedShort,
    /// A return with no earlier delivery to refer to (flagged, FC-16).
    Orphan,
}

/// A count in the warehouse with a planned result (701 loss, 702 gain).
#[derive(Debug, Clone, PartialEq)]
pub struct CountRequest {
    pub adjustment_code: String,
    pub order_type: OrderType,
    /// Signed changes: positive for 702, negative for 701.
    pub lines: Vec<AdjustmentLine>,
}

/// One document of the plan.
#[derive(Debug, Clone, PartialEq)]
pub enum Document {
    Create { order: Box<Order>, outcome: Outcome },
    Cancel(Cancel),
    Count(CountRequest),
}

/// A document and its intended send time.
#[derive(Debug, Clone, PartialEq)]
pub struct Planned {
    /// From the run's start.
    pub offset: Duration,
    pub document: Document,
}

/// Everything a run sends.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub seed: u64,
    /// Items to synchronise before any order (empty if the scenario says not).
    pub items: Vec<Item>,
    /// Documents in send order.
    pub documents: Vec<Planned>,
    /// Planned good stock per item at the end, by the stock rule.
    pub planned_stock: BTreeMap<ItemCode, i64>,
}

impl Plan {
    /// Created orders of one type.
    pub fn orders(&self, order_type: OrderType) -> impl Iterator<Item = (&Order, Outcome)> {
        self.documents
            .iter()
            .filter_map(move |p| match &p.document {
                Document::Create { order, outcome } if order.order_type == order_type => {
                    Some((order.as_ref(), *outcome))
                }
                _ => None,
            })
    }
}

/// Build the plan of `scenario` with `seed`.
pub fn plan(scenario: &Scenario, seed: u64) -> Plan {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let arrivals = draw_arrivals(&scenario.flows, &mut rng);
    let mut planner = Planner::new(scenario, seed, rng);
    for (offset, flow) in arrivals {
        planner.plan_document(offset, flow);
    }
    planner.documents.sort_by_key(|p| p.offset);

    let syncs = scenario.sync_items || scenario.cutover.contains(&CutoverStep::SyncItems);
    Plan {
        seed,
        items: if syncs {
            scenario.items.clone()
        } else {
            Vec::new()
        },
        documents: planner.documents,
        planned_stock: planner.stock,
    }
}

// Poisson arrivals per flow, merged in time order (ties: flow order).
fn draw_arrivals<'a>(flows: &'a [Flow], rng: &mut ChaCha8Rng) -> Vec<(Duration, &'a Flow)> {
    let mut arrivals = Vec::new();
    for flow in flows {
        let mut t = flow.start_s;
        for _ in 0..flow.count {
            let u: f64 = rng.gen();
            t += -(1.0 - u).ln() / flow.rate_per_s;
            arrivals.push((Duration::from_secs_f64(t), flow));
        }
    }
    arrivals.sort_by_key(|a| a.0);
    arrivals
}

struct Planner<'a> {
    scenario: &'a Scenario,
    tag: String,
    rng: ChaCha8Rng,
    stock: BTreeMap<ItemCode, i64>,
    /// Uncancelled sales deliveries so far: code and lines.
    deliveries: Vec<(String, Vec<OrderLine>)>,
    next_number: u32,
    documents: Vec<Planned>,
}

impl<'a> Planner<'a> {
    fn new(scenario: &'a Scenario, seed: u64, rng: ChaCha8Rng) -> Planner<'a> {
        let aligned = scenario.cutover.contains(&CutoverStep::CountAlign);
        let mut stock = BTreeMap::new();
        for ((item, inventory_type), qty) in &scenario.opening {
            if *inventory_type == InventoryType::Good {
                let on_hand = if aligned { qty.physical } else { qty.wms };
                stock.insert(item.clone(), i64::from(on_hand));
            }
        }
        Planner {
            scenario,
            tag: format!("{:04X}", seed % 0x10000),
            rng,
            stock,
            deliveries: Vec::new(),
            next_number: 0,
            documents: Vec::new(),
        }
    }

    fn next_code(&mut self, order_type: OrderType) -> String {
        self.next_number += 1;
        format!("LT{}{}{:05}", order_type.code(), self.tag, self.next_number)
    }

    fn plan_document(&mut self, offset: Duration, flow: &Flow) {
        let code = self.next_code(flow.order_type);
        if flow.order_type.direction() == Direction::Count {
            let request = self.plan_count(code, flow);
            self.push(offset, Document::Count(request));
            return;
        }

        let cancelled = self.rng.gen_bool(flow.cancel_share);
        let (lines, prev, mut outcome) = match flow.order_type.direction() {
            _ if flow.order_type.is_return() => self.return_lines(flow),
            Direction::Outbound => self.outbound_lines(flow, cancelled),
            _ => (self.inbound_lines(flow, cancelled), None, Outcome::Complete),
        };
        if cancelled {
            outcome = Outcome::Cancelled;
        } else if flow.order_type.is_return() {
            for line in &lines {
                *self.stock.entry(line.item_code.clone()).or_insert(0) += i64::from(line.plan_qty);
            }
        }
        if flow.order_type == OrderType::SalesDelivery && !cancelled {
            self.deliveries.push((code.clone(), lines.clone()));
        }

        let order = self.order(code, flow.order_type, offset, prev, lines);
        if cancelled {
            let (min, max) = flow.cancel_after_ms;
            let delay = Duration::from_millis(self.rng.gen_range(min..=max).into());
            let cancel = Cancel {
                order_code: order.order_code.clone(),
                order_type: order.order_type,
                warehouse_code: order.warehouse_code.clone(),
                owner_code: order.owner_code.clone(),
                reason: Some("买家取消 (联调测试)".into()),
            };
            self.push(offset + delay, Document::Cancel(cancel));
        }
        let order = Box::new(order);
        self.push(offset, Document::Create { order, outcome });
    }

    fn push(&mut self, offset: Duration, document: Document) {
        self.documents.push(Planned { offset, document });
    }

    fn sample(&mut self, range: (u32, u32)) -> u32 {
        self.rng.gen_range(range.0..=range.1)
    }

    fn pick_items(&mut self, n: u32, candidates: Vec<ItemCode>) -> Vec<ItemCode> {
        let n = (n as usize).min(candidates.len());
        let mut picked: Vec<ItemCode> = candidates
            .choose_multiple(&mut self.rng, n)
            .cloned()
            .collect();
        picked.sort();
        picked
    }

    fn all_items(&self) -> Vec<ItemCode> {
        self.scenario
            .items
            .iter()
            .map(|i| i.item_code.clone())
            .collect()
    }

    fn line(&self, no: usize, item_code: ItemCode, qty: u32) -> OrderLine {
        let item_name = self
            .scenario
            .items
            .iter()
            .find(|i| i.item_code == item_code)
            .map(|i| i.item_name.clone());
        OrderLine {
            line_no: (no + 1).to_string(),
            item_code,
            item_name,
            inventory_type: InventoryType::Good,
            plan_qty: qty,
            lot: Lot::default(),
            serials: Vec::new(),
        }
    }

    fn inbound_lines(&mut self, flow: &Flow, cancelled: bool) -> Vec<OrderLine> {
        let n = self.sample(flow.lines);
        let items = self.pick_items(n, self.all_items());
        let mut lines = Vec::new();
        for (no, item) in items.into_iter().enumerate() {
            let qty = self.sample(flow.qty);
            if !cancelled {
                *self.stock.entry(item.clone()).or_insert(0) += i64::from(qty);
            }
            lines.push(self.line(no, item, qty));
        }
        lines
    }

    fn in_stock(&self, min: u32) -> Vec<ItemCode> {
        self.all_items()
            .into_iter()
            .filter(|i| self.stock.get(i).copied().unwrap_or(0) >= i64::from(min))
            .collect()
    }

    // Lines within planned stock; short if no item has stock.
    fn outbound_lines(
        &mut self,
        flow: &Flow,
        cancelled: bool,
    ) -> (Vec<OrderLine>, Option<String>, Outcome) {
        let prev = if flow.order_type == OrderType::ExchangeDelivery && !self.deliveries.is_empty()
        {
            let i = self.rng.gen_range(0..self.deliveries.len());
            Some(self.deliveries[i].0.clone())
        } else {
            None
        };
        let n = self.sample(flow.lines);
        let candidates = self.in_stock(flow.qty.0);
        if candidates.is_empty() {
            let items = self.pick_items(n, self.all_items());
            let lines = items
                .into_iter()
                .enumerate()
                .map(|(no, item)| {
                    let qty = self.sample(flow.qty);
                    self.line(no, item, qty)
                })
                .collect();
            return (lines, prev, Outcome::ExpectedShort);
        }

        let items = self.pick_items(n, candidates);
        let mut lines = Vec::new();
        for (no, item) in items.into_iter().enumerate() {
            let have = self.stock[&item];
            let qty = i64::from(self.sample(flow.qty)).min(have) as u32;
            if !cancelled {
                *self.stock.get_mut(&item).expect("picked items have stock") -= i64::from(qty);
            }
            lines.push(self.line(no, item, qty));
        }
        (lines, prev, Outcome::Complete)
    }

    // A return takes lines of an earlier delivery, never more than shipped.
    fn return_lines(&mut self, flow: &Flow) -> (Vec<OrderLine>, Option<String>, Outcome) {
        if self.deliveries.is_empty() {
            let items = self.pick_items(1, self.all_items());
            let lines = items
                .into_iter()
                .map(|item| self.line(0, item, flow.qty.0))
                .collect();
            return (lines, None, Outcome::Orphan);
        }
        let i = self.rng.gen_range(0..self.deliveries.len());
        let (code, shipped) = self.deliveries[i].clone();
        let n = (self.sample(flow.lines) as usize).min(shipped.len());
        let mut chosen: Vec<OrderLine> =
            shipped.choose_multiple(&mut self.rng, n).cloned().collect();
        chosen.sort_by(|a, b| a.item_code.cmp(&b.item_code));
        let lines = chosen
            .into_iter()
            .enumerate()
            .map(|(no, line)| {
                let qty = self.sample(flow.qty).min(line.plan_qty);
                self.line(no, line.item_code, qty)
            })
            .collect();
        (lines, Some(code), Outcome::Complete)
    }

    fn plan_count(&mut self, code: String, flow: &Flow) -> CountRequest {
        let gain = flow.order_type == OrderType::CountGain;
        let n = self.sample(flow.lines);
        let candidates = if gain {
            self.all_items()
        } else {
            self.in_stock(flow.qty.0)
        };
        let items = self.pick_items(n, candidates);
        let mut lines = Vec::new();
        for item in items {
            let qty = i64::from(self.sample(flow.qty));
            let have = self.stock.get(&item).copied().unwrap_or(0);
            let delta = if gain { qty } else { -qty.min(have) };
            *self.stock.entry(item.clone()).or_insert(0) += delta;
            lines.push(AdjustmentLine {
                item_code: item,
                inventory_type: InventoryType::Good,
                delta,
                lot: Lot::default(),
            });
        }
        CountRequest {
            adjustment_code: code,
            order_type: flow.order_type,
            lines,
        }
    }

    fn order(
        &mut self,
        order_code: String,
        order_type: OrderType,
        offset: Duration,
        prev_order_code: Option<String>,
        lines: Vec<OrderLine>,
    ) -> Order {
        let credentials = &self.scenario.credentials;
        let n = self.next_number;
        let outbound = order_type.direction() == Direction::Outbound;
        let receiver = outbound.then(|| Address {
            name: ["张三", "李四", "王五", "赵六"][n as usize % 4].into(),
            mobile: Some(format!("1380000000{}", n % 7)),
            province: Some("浙江省".into()),
            city: Some("杭州市".into()),
            area: Some("西湖区".into()),
            detail: format!("示例街道示例路{n}号 \"东门\" & <快递柜>"),
        });
        Order {
            order_code,
            order_type,
            owner_code: credentials.owner_code.clone(),
            warehouse_code: credentials.warehouse_code.clone(),
            created_at: created_at(offset),
            prev_order_code,
            logistics_code: outbound.then(|| "SF".to_owned()),
            receiver,
            supplier_code: (order_type == OrderType::Purchase).then(|| "示例供应商001".to_owned()),
            remark: Some(format!("联调测试单 {n} 🌾 <备注> & “引号”")),
            lines,
        }
    }
}

// Creation time: a fixed base plus the offset, so plans stay reproducible.
fn created_at(offset: Duration) -> String {
    let base = chrono::NaiveDate::from_ymd_opt(2024, 3, 18)
        .and_then(|d| d.and_hms_opt(9, 0, 0))
        .expect("2024-03-18 09:00:00 is a valid time");
    let at = base + chrono::Duration::milliseconds(offset.as_millis() as i64);
    at.format("%Y-%m-%d %H:%M:%S").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario;
    use std::path::Path;

    fn golive() -> Scenario {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/golive.toml");
        scenario::load(&path).unwrap()
    }

    #[test]
    fn same_scenario_and_seed_give_the_same_plan() {
        let scenario = golive();

        let first = plan(&scenario, 42);
        let second = plan(&scenario, 42);

        assert_eq!(first, second);
    }

    #[test]
    fn different_seeds_give_different_plans() {
        let scenario = golive();

        let first = plan(&scenario, 42);
        let second = plan(&scenario, 43);

        assert_ne!(first.documents, second.documents);
    }

    #[test]
    fn plan_has_every_flow_count_and_unique_codes() {
        let scenario = golive();

        let plan = plan(&scenario, 7);

        for flow in &scenario.flows {
            let planned = plan
                .documents
                .iter()
                .filter(|p| match &p.document {
                    Document::Create { order, .. } => order.order_type == flow.order_type,
                    Document::Count(c) => c.order_type == flow.order_type,
                    Document::Cancel(_) => false,
                })
                .count();
            assert_eq!(planned as u32, flow.count, "{}", flow.order_type);
        }
        let mut codes: Vec<&str> = plan
            .documents
            .iter()
            .filter_map(|p| match &p.document {
                Document::Create { order, .. } => Some(order.order_code.as_str()),
                Document::Count(c) => Some(c.adjustment_code.as_str()),
                Document::Cancel(_) => None,
            })
            .collect();
        let total = codes.len();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), total);
        assert_eq!(plan.items.len(), 60);
    }

    #[test]
    fn documents_are_in_send_order_and_cancels_follow_their_create() {
        let plan = plan(&golive(), 9);

        assert!(plan
            .documents
            .windows(2)
            .all(|w| w[0].offset <= w[1].offset));
        for (i, p) in plan.documents.iter().enumerate() {
            if let Document::Cancel(cancel) = &p.document {
                let created = plan.documents[..i].iter().any(|q| {
                    matches!(&q.document, Document::Create { order, outcome: Outcome::Cancelled }
                        if order.order_code == cancel.order_code)
                });
                assert!(created, "{}", cancel.order_code);
            }
        }
    }

    #[test]
    fn outbound_never_plans_more_than_planned_stock() {
        let scenario = golive();
        let plan = plan(&scenario, 11);

        // Replay the stock rule independently over the documents.
        let mut stock: BTreeMap<ItemCode, i64> = BTreeMap::new();
        for p in &plan.documents {
            match &p.document {
                Document::Create {
                    order,
                    outcome: Outcome::Complete,
                } => {
                    let sign = match order.order_type.direction() {
                        Direction::Outbound => -1,
                        _ => 1,
                    };
                    for line in &order.lines {
                        let slot = stock.entry(line.item_code.clone()).or_insert(0);
                        *slot += sign * i64::from(line.plan_qty);
                        assert!(*slot >= 0, "{} {}", order.order_code, line.item_code);
                    }
                }
                Document::Count(count) => {
                    for line in &count.lines {
                        let slot = stock.entry(line.item_code.clone()).or_insert(0);
                        *slot += line.delta;
                        assert!(*slot >= 0);
                    }
                }
                _ => {}
            }
        }
        stock.retain(|_, q| *q != 0);
        let mut planned = plan.planned_stock.clone();
        planned.retain(|_, q| *q != 0);
        assert_eq!(stock, planned);
    }

    #[test]
    fn returns_refer_to_earlier_deliveries_and_carry_non_ascii_text() {
        let plan = plan(&golive(), 5);

        let deliveries: Vec<&str> = plan
            .orders(OrderType::SalesDelivery)
            .map(|(o, _)| o.order_code.as_str())
            .collect();
        let returns: Vec<&Order> = plan
            .orders(OrderType::SalesReturn)
            .map(|(o, _)| o)
            .collect();
        assert!(!returns.is_empty());
        for ret in returns {
            let prev = ret.prev_order_code.as_deref().unwrap();
            assert!(deliveries.contains(&prev));
            assert!(ret.remark.as_deref().unwrap().contains('🌾'));
        }
    }
}
