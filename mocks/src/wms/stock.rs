//! The mock WMS's stock: item master, ledger, lots and serial numbers.
//!
//! [`Stock`] wraps the [`Ledger`] (quantities per item, inventory type and
//! batch) with what a warehouse knows beyond quantities: the dates of every
//! batch, which serial numbers sit under which stock key, and which were
//! ever received or shipped. It answers first-expiry-first-out questions
//! for outbound orders and applies the warehouse's own stock changes:
//! opening stock, counts (701/702) and moves between inventory types.
//! Orders live in [`super::core`].
//!
//! # Known gaps
//! Serial numbers of count losses are dropped lowest first, not the ones
//! actually missing: the driver names quantities, not serials.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use super::core::WmsError;
use crate::domain::{
    AdjustmentLine, InventoryType, Item, ItemCode, Lot, OrderType, StockAdjustment,
};
use crate::ledger::{
    Applied, Balance, Cause, Ledger, LineOp, Movement, MovementKey, MovementLine, StockKey,
};

/// The party name written into ledger causes.
const PARTY: &str = "wms";
/// Ledger message name for stock loaded before a run.
const OPENING: &str = "OPENING_STOCK";
/// Ledger message name for counts.
const COUNT: &str = "WMS_INVENTORY_COUNT";
/// Ledger message name for inventory-type moves.
const MOVE: &str = "WMS_INVENTORY_ADJUST_UPLOAD";

/// Stock present before a run, per item, inventory type and lot.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OpeningStock {
    pub item_code: ItemCode,
    pub inventory_type: InventoryType,
    pub lot: Lot,
    pub qty: u32,
}

/// The warehouse's stock; see the module docs.
#[derive(Debug, Clone, Default)]
pub struct Stock {
    pub(super) items: HashMap<ItemCode, Item>,
    pub(super) ledger: Ledger,
    /// Dates of every batch seen, by batch code.
    pub(super) lots: HashMap<String, Lot>,
    /// Serial numbers in stock and not reserved, per stock key.
    pub(super) serials_held: BTreeMap<StockKey, BTreeSet<String>>,
    /// Every serial number ever seen, so generated ones never repeat.
    pub(super) serials_ever: HashSet<String>,
    pub(super) serials_received: Vec<String>,
    pub(super) serials_shipped: Vec<String>,
    /// Adjustments raised so far; numbers their codes.
    adjustments: u32,
}

impl Stock {
    /// An empty warehouse whose ledger is `ledger` (for one numbering its
    /// entries on a clock shared with another party's ledger).
    pub fn with_ledger(ledger: Ledger) -> Stock {
        Stock {
            ledger,
            ..Stock::default()
        }
    }

    /// Adds or replaces an item in the master (`WMS_SKU_INFO_NOTIFY`).
    pub fn upsert_item(&mut self, item: Item) {
        self.items.insert(item.item_code.clone(), item);
    }

    pub fn item(&self, item_code: &ItemCode) -> Option<&Item> {
        self.items.get(item_code)
    }

    /// Loads stock present before the run; SN items get generated serials.
    pub fn set_opening_stock(&mut self, stock: &[OpeningStock]) -> Result<(), WmsError> {
        let code = format!("OPEN{:06}", self.next_adjustment());
        let mut lines = Vec::new();
        let mut serials = Vec::new();
        for (index, s) in stock.iter().enumerate() {
            let key = self.key_for(&s.item_code, s.inventory_type, &s.lot);
            lines.push(MovementLine::new(key.clone(), LineOp::Receive(s.qty)));
            if self.is_sn(&s.item_code) {
                serials.push((key, self.new_serials(&s.item_code, &code, index, s.qty)));
            }
        }
        if lines.is_empty() {
            return Ok(());
        }

        self.apply(OPENING, &code, &code, lines)?;
        for s in stock {
            self.remember_lot(&s.lot);
        }
        for (key, list) in serials {
            self.hold_serials(&key, list, true);
        }
        Ok(())
    }

    /// Applies counted differences found by a stock take: positive deltas
    /// as gains (702), negative as losses (701). Returns the adjustments to
    /// report, gains first; none when every delta is zero.
    pub fn count(
        &mut self,
        lines: &[AdjustmentLine],
        now: &str,
    ) -> Result<Vec<StockAdjustment>, WmsError> {
        let code = format!("PD{:06}", self.next_adjustment());
        self.count_as(&code, lines, now)
    }

    /// As [`Stock::count`], under an adjustment code the caller chose (a
    /// count sheet number, or the scenario driver's planned code).
    pub fn count_as(
        &mut self,
        code: &str,
        lines: &[AdjustmentLine],
        now: &str,
    ) -> Result<Vec<StockAdjustment>, WmsError> {
        let code = code.to_owned();
        let mut movement = Vec::new();
        let mut gains = Vec::new();
        let mut losses = Vec::new();
        for line in lines.iter().filter(|l| l.delta != 0) {
            for (key, delta) in self.place_count_delta(line)? {
                movement.push(MovementLine::new(key.clone(), LineOp::Adjust(delta)));
                let reported = AdjustmentLine {
                    item_code: key.item_code.clone(),
                    inventory_type: key.inventory_type,
                    delta,
                    lot: self.lot_of(&key),
                };
                if delta > 0 { &mut gains } else { &mut losses }.push(reported);
            }
        }
        if movement.is_empty() {
            return Ok(Vec::new());
        }

        self.apply(COUNT, &code, &code, movement)?;
        self.count_serials(&code, &gains, &losses);
        let mut out = Vec::new();
        for (order_type, lines) in [
            (OrderType::CountGain, gains),
            (OrderType::CountLoss, losses),
        ] {
            if !lines.is_empty() {
                out.push(StockAdjustment {
                    adjustment_code: code.clone(),
                    order_type: Some(order_type),
                    out_biz_code: format!("{code}-{}", order_type.code()),
                    adjusted_at: now.to_owned(),
                    lines,
                });
            }
        }
        Ok(out)
    }

    /// Moves `qty` of an item from one inventory type to another (for
    /// example good to defective), batches first-expiry first. Returns the
    /// adjustment to report: a negative line in `from` and a positive one
    /// in `to` per batch touched.
    pub fn move_inventory_type(
        &mut self,
        item_code: &ItemCode,
        from: InventoryType,
        to: InventoryType,
        qty: u32,
        now: &str,
    ) -> Result<StockAdjustment, WmsError> {
        if from == to {
            return Err(WmsError::MoveToSameType {
                item_code: item_code.clone(),
                inventory_type: from,
            });
        }
        let code = format!("TZ{:06}", self.next_adjustment());
        let taken = self.take_fefo(item_code, from, qty)?;

        let movement = taken
            .iter()
            .map(|(key, q)| {
                let op = LineOp::MoveTo {
                    inventory_type: to,
                    qty: *q,
                };
                MovementLine::new(key.clone(), op)
            })
            .collect();
        self.apply(MOVE, &code, &code, movement)?;

        let mut lines = Vec::new();
        for (key, q) in taken {
            let target = StockKey {
                inventory_type: to,
                ..key.clone()
            };
            let serials = self.release_serials(&key, q as usize);
            self.hold_serials(&target, serials, false);
            let lot = self.lot_of(&key);
            for (inventory_type, delta) in [(from, -i64::from(q)), (to, i64::from(q))] {
                lines.push(AdjustmentLine {
                    item_code: item_code.clone(),
                    inventory_type,
                    delta,
                    lot: lot.clone(),
                });
            }
        }
        Ok(StockAdjustment {
            adjustment_code: code.clone(),
            order_type: None,
            out_biz_code: code,
            adjusted_at: now.to_owned(),
            lines,
        })
    }

    /// Totals per (item, inventory type), summed over batches.
    pub fn ledger_snapshot(&self) -> BTreeMap<(ItemCode, InventoryType), Balance> {
        self.ledger.snapshot()
    }

    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    /// Every serial number received, in order of receipt (a returned serial
    /// appears again).
    pub fn serials_received(&self) -> &[String] {
        &self.serials_received
    }

    /// Every serial number shipped, in order of shipment.
    pub fn serials_shipped(&self) -> &[String] {
        &self.serials_shipped
    }

    /// Units of a key that can be reserved: available stock, and for SN
    /// items no more than the serial numbers held.
    pub(super) fn available_units(&self, key: &StockKey) -> u32 {
        let stock = self.ledger.balance(key).available().max(0);
        let stock = u32::try_from(stock).unwrap_or(u32::MAX);
        if self.is_sn(&key.item_code) {
            let held = self.serials_held.get(key).map_or(0, BTreeSet::len);
            stock.min(u32::try_from(held).unwrap_or(u32::MAX))
        } else {
            stock
        }
    }

    pub(super) fn fresh_serial(
        &self,
        item: &ItemCode,
        source: &str,
        index: usize,
        position: usize,
    ) -> String {
        let mut attempt = 0;
        loop {
            let serial = match attempt {
                0 => format!("{item}-{source}-{}-{position:04}", index + 1),
                n => format!("{item}-{source}-{}-{position:04}-{n}", index + 1),
            };
            if !self.serials_ever.contains(&serial) {
                return serial;
            }
            attempt += 1;
        }
    }

    fn new_serials(
        &mut self,
        item: &ItemCode,
        source: &str,
        index: usize,
        qty: u32,
    ) -> Vec<String> {
        (0..qty as usize)
            .map(|position| {
                let serial = self.fresh_serial(item, source, index, position);
                self.serials_ever.insert(serial.clone());
                serial
            })
            .collect()
    }

    pub(super) fn is_held(&self, serial: &String) -> bool {
        self.serials_held.values().any(|set| set.contains(serial))
    }

    pub(super) fn hold_serials(&mut self, key: &StockKey, serials: Vec<String>, received: bool) {
        if serials.is_empty() {
            return;
        }
        if received {
            self.serials_received.extend(serials.iter().cloned());
        }
        self.serials_ever.extend(serials.iter().cloned());
        self.serials_held
            .entry(key.clone())
            .or_default()
            .extend(serials);
    }

    /// Takes up to `n` serials held under `key`, lowest first.
    pub(super) fn release_serials(&mut self, key: &StockKey, n: usize) -> Vec<String> {
        let Some(set) = self.serials_held.get_mut(key) else {
            return Vec::new();
        };
        let taken: Vec<String> = set.iter().take(n).cloned().collect();
        for serial in &taken {
            set.remove(serial);
        }
        taken
    }

    /// Gains of SN items get generated serials; losses drop held ones.
    fn count_serials(&mut self, code: &str, gains: &[AdjustmentLine], losses: &[AdjustmentLine]) {
        for (index, line) in gains.iter().enumerate() {
            if self.is_sn(&line.item_code) {
                let key = self.key_for(&line.item_code, line.inventory_type, &line.lot);
                let qty = u32::try_from(line.delta).unwrap_or(0);
                let serials = self.new_serials(&line.item_code, code, index, qty);
                self.hold_serials(&key, serials, false);
            }
        }
        for line in losses {
            let key = self.key_for(&line.item_code, line.inventory_type, &line.lot);
            let lost = usize::try_from(line.delta.unsigned_abs()).unwrap_or(usize::MAX);
            self.release_serials(&key, lost);
        }
    }

    /// Where a counted delta lands: the line's batch if it names one, else
    /// gains to the latest-expiring batch held and losses FEFO.
    fn place_count_delta(&self, line: &AdjustmentLine) -> Result<Vec<(StockKey, i64)>, WmsError> {
        if line.lot.batch_code.is_some() {
            let key = self.key_for(&line.item_code, line.inventory_type, &line.lot);
            return Ok(vec![(key, line.delta)]);
        }
        if line.delta > 0 {
            let key = self
                .fefo_keys(&line.item_code, line.inventory_type)
                .pop()
                .unwrap_or_else(|| StockKey {
                    item_code: line.item_code.clone(),
                    inventory_type: line.inventory_type,
                    batch_code: None,
                });
            return Ok(vec![(key, line.delta)]);
        }
        let lost = u32::try_from(line.delta.unsigned_abs()).unwrap_or(u32::MAX);
        let taken = self.take_fefo(&line.item_code, line.inventory_type, lost)?;
        Ok(taken.into_iter().map(|(k, q)| (k, -i64::from(q))).collect())
    }

    /// Plans taking `qty` available units, batches first-expiry first.
    pub(super) fn take_fefo(
        &self,
        item_code: &ItemCode,
        inventory_type: InventoryType,
        qty: u32,
    ) -> Result<Vec<(StockKey, u32)>, WmsError> {
        let mut wanted = qty;
        let mut taken = Vec::new();
        for key in self.fefo_keys(item_code, inventory_type) {
            let here = u32::try_from(self.ledger.balance(&key).available().max(0)).unwrap_or(0);
            let q = wanted.min(here);
            if q > 0 {
                taken.push((key, q));
                wanted -= q;
            }
        }
        if wanted > 0 {
            return Err(WmsError::InsufficientStock {
                item_code: item_code.clone(),
                inventory_type,
                requested: u64::from(qty),
                available: u64::from(qty - wanted),
            });
        }
        Ok(taken)
    }

    /// The item's stock keys of one inventory type with stock available,
    /// earliest expiry first; batches without dates after dated ones, and
    /// unbatched stock last.
    pub(super) fn fefo_keys(
        &self,
        item_code: &ItemCode,
        inventory_type: InventoryType,
    ) -> Vec<StockKey> {
        let mut keys: Vec<StockKey> = self
            .ledger
            .balances()
            .iter()
            .filter(|(k, b)| {
                &k.item_code == item_code && k.inventory_type == inventory_type && b.available() > 0
            })
            .map(|(k, _)| k.clone())
            .collect();
        keys.sort_by_cached_key(|k| {
            let expiry = k
                .batch_code
                .as_ref()
                .and_then(|b| self.lots.get(b))
                .and_then(|l| l.expire_date.clone());
            (
                k.batch_code.is_none(),
                expiry.is_none(),
                expiry,
                k.batch_code.clone(),
            )
        });
        keys
    }

    pub(super) fn key_for(
        &self,
        item_code: &ItemCode,
        inventory_type: InventoryType,
        lot: &Lot,
    ) -> StockKey {
        StockKey {
            item_code: item_code.clone(),
            inventory_type,
            batch_code: lot.batch_code.clone(),
        }
    }

    pub(super) fn lot_of(&self, key: &StockKey) -> Lot {
        key.batch_code
            .as_ref()
            .and_then(|b| self.lots.get(b).cloned())
            .unwrap_or_else(|| Lot {
                batch_code: key.batch_code.clone(),
                ..Lot::default()
            })
    }

    pub(super) fn remember_lot(&mut self, lot: &Lot) {
        if let Some(batch) = &lot.batch_code {
            self.lots
                .entry(batch.clone())
                .or_insert_with(|| lot.clone());
        }
    }

    pub(super) fn is_sn(&self, item_code: &ItemCode) -> bool {
        self.items.get(item_code).is_some_and(|i| i.sn_managed)
    }

    fn next_adjustment(&mut self) -> u32 {
        self.adjustments += 1;
        self.adjustments
    }

    pub(super) fn apply(
        &mut self,
        message: &str,
        order_code: &str,
        out_biz_code: &str,
        lines: Vec<MovementLine>,
    ) -> Result<Applied, WmsError> {
        let key = MovementKey {
            message: message.to_owned(),
            order_code: order_code.to_owned(),
            out_biz_code: out_biz_code.to_owned(),
        };
        let movement = Movement {
            cause: Cause::of(&key, PARTY),
            key,
            lines,
        };
        self.ledger
            .apply(movement)
            .map_err(|source| WmsError::Ledger {
                what: format!("{message} {order_code}/{out_biz_code}"),
                source,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: &str = "2024-03-26 18:00:00";

    fn stock_with_items() -> Stock {
        let mut stock = Stock::default();
        for (code, sn) in [("DM1001", false), ("LH3001", true)] {
            stock.upsert_item(Item {
                item_code: code.into(),
                batch_managed: true,
                sn_managed: sn,
                ..Item::default()
            });
        }
        stock
    }

    fn opening(item: &str, lot: Lot, qty: u32) -> OpeningStock {
        OpeningStock {
            item_code: item.into(),
            inventory_type: InventoryType::Good,
            lot,
            qty,
        }
    }

    fn lot(batch: &str, expire: &str) -> Lot {
        Lot {
            batch_code: Some(batch.into()),
            expire_date: Some(expire.into()),
            ..Lot::default()
        }
    }

    fn on_hand(stock: &Stock, item: &str, inventory_type: InventoryType) -> i64 {
        stock.ledger().total(&item.into(), inventory_type).on_hand
    }

    #[test]
    fn opening_stock_of_sn_items_gets_one_distinct_serial_per_unit() {
        let mut stock = stock_with_items();

        stock
            .set_opening_stock(&[opening("LH3001", Lot::default(), 3)])
            .unwrap();

        let held: BTreeSet<_> = stock.serials_received().iter().collect();
        assert_eq!(held.len(), 3);
        assert_eq!(on_hand(&stock, "LH3001", InventoryType::Good), 3);
    }

    #[test]
    fn fefo_orders_dated_batches_by_expiry_then_undated_then_unbatched() {
        let mut stock = stock_with_items();
        stock
            .set_opening_stock(&[
                opening("DM1001", Lot::default(), 1),
                opening(
                    "DM1001",
                    Lot {
                        batch_code: Some("NODATE".into()),
                        ..Lot::default()
                    },
                    1,
                ),
                opening("DM1001", lot("LATE", "2025-01-01"), 1),
                opening("DM1001", lot("EARLY", "2024-06-01"), 1),
            ])
            .unwrap();

        let keys = stock.fefo_keys(&"DM1001".into(), InventoryType::Good);

        let batches: Vec<_> = keys.iter().map(|k| k.batch_code.as_deref()).collect();
        assert_eq!(
            batches,
            vec![Some("EARLY"), Some("LATE"), Some("NODATE"), None]
        );
    }

    #[test]
    fn count_reports_gains_as_702_and_losses_as_701_and_moves_stock() {
        let mut stock = stock_with_items();
        stock
            .set_opening_stock(&[
                opening("DM1001", Lot::default(), 10),
                opening("LH3001", Lot::default(), 2),
            ])
            .unwrap();
        let lines = [
            AdjustmentLine {
                item_code: "DM1001".into(),
                delta: 2,
                ..AdjustmentLine::default()
            },
            AdjustmentLine {
                item_code: "LH3001".into(),
                delta: -1,
                ..AdjustmentLine::default()
            },
        ];

        let adjustments = stock.count(&lines, NOW).unwrap();

        let types: Vec<_> = adjustments.iter().map(|a| a.order_type).collect();
        assert_eq!(
            types,
            vec![Some(OrderType::CountGain), Some(OrderType::CountLoss)]
        );
        assert_eq!(adjustments[0].lines[0].delta, 2);
        assert_eq!(adjustments[1].lines[0].delta, -1);
        assert_ne!(adjustments[0].out_biz_code, adjustments[1].out_biz_code);
        assert_eq!(on_hand(&stock, "DM1001", InventoryType::Good), 12);
        assert_eq!(on_hand(&stock, "LH3001", InventoryType::Good), 1);
        assert_eq!(
            stock
                .serials_held
                .values()
                .map(BTreeSet::len)
                .sum::<usize>(),
            1
        );
    }

    #[test]
    fn count_loss_beyond_stock_is_refused_without_change() {
        let mut stock = stock_with_items();
        stock
            .set_opening_stock(&[opening("DM1001", Lot::default(), 1)])
            .unwrap();
        let lines = [AdjustmentLine {
            item_code: "DM1001".into(),
            delta: -3,
            ..AdjustmentLine::default()
        }];

        let err = stock.count(&lines, NOW).unwrap_err();

        assert_eq!(
            err,
            WmsError::InsufficientStock {
                item_code: "DM1001".into(),
                inventory_type: InventoryType::Good,
                requested: 3,
                available: 1
            }
        );
        assert_eq!(on_hand(&stock, "DM1001", InventoryType::Good), 1);
    }

    #[test]
    fn inventory_type_move_reports_minus_from_and_plus_to() {
        let mut stock = stock_with_items();
        stock
            .set_opening_stock(&[opening("DM1001", lot("B1", "2025-01-01"), 5)])
            .unwrap();

        let adjustment = stock
            .move_inventory_type(
                &"DM1001".into(),
                InventoryType::Good,
                InventoryType::Defective,
                1,
                NOW,
            )
            .unwrap();

        let deltas: Vec<_> = adjustment
            .lines
            .iter()
            .map(|l| (l.inventory_type, l.delta))
            .collect();
        assert_eq!(
            deltas,
            vec![(InventoryType::Good, -1), (InventoryType::Defective, 1)]
        );
        assert_eq!(adjustment.order_type, None);
        assert_eq!(adjustment.lines[0].lot.batch_code.as_deref(), Some("B1"));
        assert_eq!(on_hand(&stock, "DM1001", InventoryType::Good), 4);
        assert_eq!(on_hand(&stock, "DM1001", InventoryType::Defective), 1);
    }
}
