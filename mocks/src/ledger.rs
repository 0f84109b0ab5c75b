//! A party's stock ledger: quantities per item, inventory type and batch,
//! changed only by movements that name the message which caused them.
//!
//! Both the mock ERP and the mock WMS keep one. A [`Movement`] carries a
//! [`MovementKey`] (message kind, order code, `outBizCode`); applying the
//! same key a second time changes nothing and answers
//! [`Applied::Duplicate`], so a confirm delivered three times moves stock
//! once (FC-12) without the caller keeping its own de-duplication table.
//! The lines of one movement apply together or not at all.
//!
//! Every applied movement is kept as a [`LedgerEntry`] with its cause and a
//! sequence number. Ledgers that share a [`SequenceClock`] number their
//! entries on one scale, so a checker can merge two ledgers' histories and
//! find the first message after which they disagreed.
//!
//! The module also holds the quantity arithmetic confirms need: turning a
//! reported quantity into a movement under either convention (FC-13,
//! [`movement_qty`]).
//!
//! # Memory
//! Balances grow with the number of distinct (item, inventory type, batch)
//! keys; the set of applied movement keys grows with the number of
//! movements, and so does the entry history unless it is capped with
//! [`Ledger::with_entry_cap`]. A capped ledger keeps the newest entries and
//! counts the dropped ones ([`Ledger::dropped_entries`]); a divergence that
//! began before the kept window can then no longer be named.
//!
//! # Known gaps
//! Serial numbers are not ledger quantities; they are checked from the
//! confirms the driver sees, not from here.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::behaviour::QuantityConvention;
use crate::domain::{InventoryType, ItemCode};

/// Where a quantity lives: item, inventory type and (optionally) batch.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StockKey {
    pub item_code: ItemCode,
    pub inventory_type: InventoryType,
    pub batch_code: Option<String>,
}

impl StockKey {
    /// A key without a batch.
    pub fn new(item_code: impl Into<String>, inventory_type: InventoryType) -> StockKey {
        StockKey {
            item_code: ItemCode(item_code.into()),
            inventory_type,
            batch_code: None,
        }
    }

    /// The same key in a batch.
    pub fn in_batch(mut self, batch_code: impl Into<String>) -> StockKey {
        self.batch_code = Some(batch_code.into());
        self
    }
}

impl fmt::Display for StockKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.item_code, self.inventory_type)?;
        if let Some(batch) = &self.batch_code {
            write!(f, "/{batch}")?;
        }
        Ok(())
    }
}

/// Quantities at one key. `available = on_hand - locked`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Balance {
    pub on_hand: i64,
    /// Reserved for outbound orders not yet shipped.
    pub locked: i64,
}

impl Balance {
    pub fn available(&self) -> i64 {
        self.on_hand - self.locked
    }

    fn add(&mut self, other: Balance) {
        self.on_hand += other.on_hand;
        self.locked += other.locked;
    }
}

/// The identity of a movement: the same key applied twice moves stock once.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MovementKey {
    /// Message kind, e.g. `deliveryorder.confirm` or `WMS_STOCK_IN_ORDER_CONFIRM`.
    pub message: String,
    pub order_code: String,
    /// `outBizCode` of the confirm; for creates and cancels, any value that
    /// is unique per distinct message (often the order code again).
    pub out_biz_code: String,
}

/// Why a movement happened, kept with every entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cause {
    pub order_code: String,
    pub out_biz_code: String,
    /// Message name as it travelled.
    pub message: String,
    /// The party or hop that applied it, e.g. `erp`, `wms`, `gateway->erp`.
    pub party: String,
}

impl Cause {
    /// The cause of a movement with this key, applied by `party`.
    pub fn of(key: &MovementKey, party: impl Into<String>) -> Cause {
        Cause {
            order_code: key.order_code.clone(),
            out_biz_code: key.out_biz_code.clone(),
            message: key.message.clone(),
            party: party.into(),
        }
    }
}

/// What one line of a movement does at its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineOp {
    /// Goods in: `on_hand += qty`.
    Receive(u32),
    /// Goods out of available stock: `on_hand -= qty`; needs `available >= qty`.
    Ship(u32),
    /// Goods out of stock reserved earlier: `on_hand -= qty`, `locked -= qty`;
    /// needs `locked >= qty`.
    ShipLocked(u32),
    /// Reserve for an outbound order: `locked += qty`; needs `available >= qty`.
    Lock(u32),
    /// Release a reservation: `locked -= qty`; needs `locked >= qty`.
    Unlock(u32),
    /// Count gain (positive) or loss (negative); a loss needs enough available.
    Adjust(i64),
    /// Move available stock to another inventory type, same item and batch.
    MoveTo {
        inventory_type: InventoryType,
        qty: u32,
    },
}

/// One line of a movement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MovementLine {
    pub key: StockKey,
    pub op: LineOp,
}

impl MovementLine {
    pub fn new(key: StockKey, op: LineOp) -> MovementLine {
        MovementLine { key, op }
    }
}

/// A set of lines applied together under one key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Movement {
    pub key: MovementKey,
    pub cause: Cause,
    pub lines: Vec<MovementLine>,
}

/// One applied movement, as the history keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerEntry {
    /// Position on the ledger's [`SequenceClock`].
    pub sequence: u64,
    pub cause: Cause,
    pub lines: Vec<MovementLine>,
}

impl LedgerEntry {
    /// Change of `on_hand` this entry made, per (item, inventory type).
    pub fn on_hand_deltas(&self) -> BTreeMap<(ItemCode, InventoryType), i64> {
        let mut deltas = BTreeMap::new();
        for line in &self.lines {
            let item = line.key.item_code.clone();
            let here = (item.clone(), line.key.inventory_type);
            match line.op {
                LineOp::Receive(q) => *deltas.entry(here).or_insert(0) += i64::from(q),
                LineOp::Ship(q) | LineOp::ShipLocked(q) => {
                    *deltas.entry(here).or_insert(0) -= i64::from(q)
                }
                LineOp::Lock(_) | LineOp::Unlock(_) => {
                    deltas.entry(here).or_insert(0);
                }
                LineOp::Adjust(d) => *deltas.entry(here).or_insert(0) += d,
                LineOp::MoveTo {
                    inventory_type,
                    qty,
                } => {
                    *deltas.entry(here).or_insert(0) -= i64::from(qty);
                    *deltas.entry((item, inventory_type)).or_insert(0) += i64::from(qty);
                }
            }
        }
        deltas
    }
}

/// Result of applying a movement that was not refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// Stock moved; the entry got this sequence number.
    Moved { sequence: u64 },
    /// A movement with the same key was applied before; nothing changed.
    Duplicate,
}

/// Why a movement was refused. A refused movement changes nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LedgerError {
    #[error("line {line}: {key} has {available} available, {requested} requested")]
    InsufficientAvailable {
        line: usize,
        key: StockKey,
        requested: i64,
        available: i64,
    },
    #[error("line {line}: {key} has {locked} locked, {requested} to release or ship")]
    InsufficientLocked {
        line: usize,
        key: StockKey,
        requested: u32,
        locked: i64,
    },
    #[error("line {line}: moving {key} to the same inventory type")]
    MoveToSameType { line: usize, key: StockKey },
    #[error("movement {order_code}/{message} has no lines")]
    EmptyMovement { order_code: String, message: String },
    #[error("reported cumulative quantity {reported} is below the {applied} already applied")]
    CumulativeWentBack { applied: u32, reported: u32 },
    #[error("{total} confirmed would exceed the {planned} planned")]
    OverPlan { planned: u32, total: u32 },
}

/// A sequence shared by ledgers whose histories are compared.
#[derive(Debug, Clone, Default)]
pub struct SequenceClock(Arc<AtomicU64>);

impl SequenceClock {
    pub fn new() -> SequenceClock {
        SequenceClock::default()
    }

    /// The next number: 1, 2, 3, ...
    pub fn tick(&self) -> u64 {
        self.0.fetch_add(1, Ordering::SeqCst) + 1
    }
}

/// Stock of one party. See the module docs.
#[derive(Debug, Clone, Default)]
pub struct Ledger {
    balances: BTreeMap<StockKey, Balance>,
    applied: HashSet<MovementKey>,
    entries: VecDeque<LedgerEntry>,
    entry_cap: Option<usize>,
    dropped_entries: u64,
    clock: SequenceClock,
}

impl Ledger {
    /// An empty ledger with its own sequence clock and no entry cap.
    pub fn new() -> Ledger {
        Ledger::default()
    }

    /// An empty ledger numbering entries on a shared clock.
    pub fn with_clock(clock: SequenceClock) -> Ledger {
        Ledger {
            clock,
            ..Ledger::default()
        }
    }

    /// Keep at most `cap` entries, dropping the oldest.
    pub fn with_entry_cap(mut self, cap: usize) -> Ledger {
        self.entry_cap = Some(cap);
        self.trim_entries();
        self
    }

    /// Apply a movement: all lines or none.
    ///
    /// ```
    /// use mocks::domain::InventoryType;
    /// use mocks::ledger::*;
    ///
    /// let mut ledger = Ledger::new();
    /// let key = MovementKey {
    ///     message: "entryorder.confirm".into(),
    ///     order_code: "CGRK1".into(),
    ///     out_biz_code: "OB1".into(),
    /// };
    /// let stock = StockKey::new("DM1001", InventoryType::Good);
    /// let movement = Movement {
    ///     cause: Cause::of(&key, "erp"),
    ///     key,
    ///     lines: vec![MovementLine::new(stock.clone(), LineOp::Receive(5))],
    /// };
    /// ledger.apply(movement.clone()).unwrap();
    /// assert_eq!(ledger.apply(movement).unwrap(), Applied::Duplicate);
    /// assert_eq!(ledger.balance(&stock).on_hand, 5);
    /// ```
    pub fn apply(&mut self, movement: Movement) -> Result<Applied, LedgerError> {
        if self.applied.contains(&movement.key) {
            return Ok(Applied::Duplicate);
        }
        if movement.lines.is_empty() {
            return Err(LedgerError::EmptyMovement {
                order_code: movement.key.order_code,
                message: movement.key.message,
            });
        }

        // Work on copies of the touched balances so a refused line leaves
        // the ledger as it was.
        let mut scratch: HashMap<StockKey, Balance> = HashMap::new();
        for (index, line) in movement.lines.iter().enumerate() {
            self.apply_line(&mut scratch, index + 1, line)?;
        }

        self.balances.extend(scratch);
        self.applied.insert(movement.key);
        let sequence = self.clock.tick();
        self.entries.push_back(LedgerEntry {
            sequence,
            cause: movement.cause,
            lines: movement.lines,
        });
        self.trim_entries();
        Ok(Applied::Moved { sequence })
    }

    fn apply_line(
        &self,
        scratch: &mut HashMap<StockKey, Balance>,
        line_no: usize,
        line: &MovementLine,
    ) -> Result<(), LedgerError> {
        let key = &line.key;
        let mut here = self.scratch_balance(scratch, key);
        let need_available = |requested: i64, b: &Balance| {
            if b.available() < requested {
                return Err(LedgerError::InsufficientAvailable {
                    line: line_no,
                    key: key.clone(),
                    requested,
                    available: b.available(),
                });
            }
            Ok(())
        };
        let need_locked = |requested: u32, b: &Balance| {
            if b.locked < i64::from(requested) {
                return Err(LedgerError::InsufficientLocked {
                    line: line_no,
                    key: key.clone(),
                    requested,
                    locked: b.locked,
                });
            }
            Ok(())
        };

        match line.op {
            LineOp::Receive(q) => here.on_hand += i64::from(q),
            LineOp::Ship(q) => {
                need_available(i64::from(q), &here)?;
                here.on_hand -= i64::from(q);
            }
            LineOp::ShipLocked(q) => {
                need_locked(q, &here)?;
                here.on_hand -= i64::from(q);
                here.locked -= i64::from(q);
            }
            LineOp::Lock(q) => {
                need_available(i64::from(q), &here)?;
                here.locked += i64::from(q);
            }
            LineOp::Unlock(q) => {
                need_locked(q, &here)?;
                here.locked -= i64::from(q);
            }
            LineOp::Adjust(delta) => {
                if delta < 0 {
                    need_available(-delta, &here)?;
                }
                here.on_hand += delta;
            }
            LineOp::MoveTo {
                inventory_type,
                qty,
            } => {
                if inventory_type == key.inventory_type {
                    return Err(LedgerError::MoveToSameType {
                        line: line_no,
                        key: key.clone(),
                    });
                }
                need_available(i64::from(qty), &here)?;
                here.on_hand -= i64::from(qty);
                let target = StockKey {
                    inventory_type,
                    ..key.clone()
                };
                let mut there = self.scratch_balance(scratch, &target);
                there.on_hand += i64::from(qty);
                scratch.insert(target, there);
            }
        }
        scratch.insert(key.clone(), here);
        Ok(())
    }

    fn scratch_balance(&self, scratch: &HashMap<StockKey, Balance>, key: &StockKey) -> Balance {
        scratch
            .get(key)
            .or_else(|| self.balances.get(key))
            .copied()
            .unwrap_or_default()
    }

    fn trim_entries(&mut self) {
        let Some(cap) = self.entry_cap else { return };
        while self.entries.len() > cap {
            self.entries.pop_front();
            self.dropped_entries += 1;
        }
    }

    /// Whether a movement with this key was applied.
    pub fn has_applied(&self, key: &MovementKey) -> bool {
        self.applied.contains(key)
    }

    /// Quantities at one exact key (zero if never touched).
    pub fn balance(&self, key: &StockKey) -> Balance {
        self.balances.get(key).copied().unwrap_or_default()
    }

    /// Quantities at every key touched so far, batches kept apart.
    pub fn balances(&self) -> &BTreeMap<StockKey, Balance> {
        &self.balances
    }

    /// Totals per (item, inventory type), summed over batches.
    pub fn snapshot(&self) -> BTreeMap<(ItemCode, InventoryType), Balance> {
        let mut totals: BTreeMap<(ItemCode, InventoryType), Balance> = BTreeMap::new();
        for (key, balance) in &self.balances {
            let slot = (key.item_code.clone(), key.inventory_type);
            totals.entry(slot).or_default().add(*balance);
        }
        totals
    }

    /// Total of one (item, inventory type) over batches.
    pub fn total(&self, item_code: &ItemCode, inventory_type: InventoryType) -> Balance {
        let mut total = Balance::default();
        for (key, balance) in &self.balances {
            if &key.item_code == item_code && key.inventory_type == inventory_type {
                total.add(*balance);
            }
        }
        total
    }

    /// The kept history, oldest first.
    pub fn entries(&self) -> impl Iterator<Item = &LedgerEntry> {
        self.entries.iter()
    }

    /// How many of the oldest entries the cap dropped.
    pub fn dropped_entries(&self) -> u64 {
        self.dropped_entries
    }
}

/// The movement quantity for a confirm that reports `reported`, when
/// `applied` was already moved for the same order line by earlier confirms.
///
/// Incremental: each confirm reports what it moved, so the movement is
/// `reported`. Cumulative: each confirm reports the running total, so the
/// movement is `reported - applied`, and a total that went back is an error.
pub fn movement_qty(
    convention: QuantityConvention,
    applied: u32,
    reported: u32,
) -> Result<u32, LedgerError> {
    match convention {
        QuantityConvention::Incremental => Ok(reported),
        QuantityConvention::Cumulative => reported
            .checked_sub(applied)
            .ok_or(LedgerError::CumulativeWentBack { applied, reported }),
    }
}

/// The running total after adding `movement` to `applied`, refused when it
/// would pass `planned` (double counting shows up here, FC-13).
pub fn add_within_plan(planned: u32, applied: u32, movement: u32) -> Result<u32, LedgerError> {
    let total = applied.saturating_add(movement);
    if total > planned {
        return Err(LedgerError::OverPlan { planned, total });
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn movement(message: &str, order: &str, biz: &str, lines: Vec<MovementLine>) -> Movement {
        let key = MovementKey {
            message: message.into(),
            order_code: order.into(),
            out_biz_code: biz.into(),
        };
        Movement {
            cause: Cause::of(&key, "wms"),
            key,
            lines,
        }
    }

    fn good(item: &str) -> StockKey {
        StockKey::new(item, InventoryType::Good)
    }

    fn line(key: StockKey, op: LineOp) -> MovementLine {
        MovementLine::new(key, op)
    }

    #[test]
    fn same_confirm_applied_three_times_moves_stock_once() {
        let mut ledger = Ledger::new();
        let confirm = movement(
            "entryorder.confirm",
            "CGRK1",
            "OB-1",
            vec![line(good("DM1001"), LineOp::Receive(7))],
        );

        let first = ledger.apply(confirm.clone()).unwrap();
        let second = ledger.apply(confirm.clone()).unwrap();
        let third = ledger.apply(confirm).unwrap();

        assert_eq!(first, Applied::Moved { sequence: 1 });
        assert_eq!(second, Applied::Duplicate);
        assert_eq!(third, Applied::Duplicate);
        assert_eq!(ledger.balance(&good("DM1001")).on_hand, 7);
        assert_eq!(ledger.entries().count(), 1);
    }

    #[test]
    fn new_out_biz_code_for_same_order_is_a_new_movement() {
        let mut ledger = Ledger::new();
        let a = movement("c", "CGRK1", "A", vec![line(good("X"), LineOp::Receive(2))]);
        let b = movement("c", "CGRK1", "B", vec![line(good("X"), LineOp::Receive(3))]);

        ledger.apply(a).unwrap();
        ledger.apply(b).unwrap();

        assert_eq!(ledger.balance(&good("X")).on_hand, 5);
    }

    #[test]
    fn shipping_more_than_available_is_refused_and_changes_nothing() {
        let mut ledger = Ledger::new();
        ledger
            .apply(movement(
                "in",
                "P1",
                "1",
                vec![
                    line(good("A"), LineOp::Receive(10)),
                    line(good("B"), LineOp::Receive(3)),
                ],
            ))
            .unwrap();
        let ship = movement(
            "out",
            "S1",
            "1",
            vec![
                line(good("A"), LineOp::Ship(4)),
                line(good("B"), LineOp::Ship(5)),
            ],
        );

        let refused = ledger.apply(ship.clone());

        assert_eq!(
            refused,
            Err(LedgerError::InsufficientAvailable {
                line: 2,
                key: good("B"),
                requested: 5,
                available: 3,
            })
        );
        assert_eq!(ledger.balance(&good("A")).on_hand, 10);
        assert_eq!(ledger.balance(&good("B")).on_hand, 3);
        assert!(!ledger.has_applied(&ship.key));
    }

    #[test]
    fn lines_on_the_same_key_apply_in_order_within_one_movement() {
        let mut ledger = Ledger::new();
        let m = movement(
            "x",
            "O",
            "1",
            vec![
                line(good("A"), LineOp::Receive(3)),
                line(good("A"), LineOp::Ship(2)),
                line(good("A"), LineOp::Ship(2)),
            ],
        );

        let refused = ledger.apply(m);

        // 3 in, 2 out leaves 1, so the third line asks 2 of 1.
        assert!(matches!(
            refused,
            Err(LedgerError::InsufficientAvailable {
                line: 3,
                available: 1,
                ..
            })
        ));
        assert_eq!(ledger.balance(&good("A")), Balance::default());
    }

    #[test]
    fn erp_lock_ship_and_unlock_keep_available_right() {
        let mut ledger = Ledger::new();
        ledger
            .apply(movement(
                "open",
                "O",
                "0",
                vec![line(good("A"), LineOp::Receive(20))],
            ))
            .unwrap();

        ledger
            .apply(movement(
                "create",
                "S1",
                "S1",
                vec![line(good("A"), LineOp::Lock(8))],
            ))
            .unwrap();
        let after_lock = ledger.balance(&good("A"));
        ledger
            .apply(movement(
                "confirm",
                "S1",
                "B1",
                vec![line(good("A"), LineOp::ShipLocked(5))],
            ))
            .unwrap();
        ledger
            .apply(movement(
                "close",
                "S1",
                "B1",
                vec![line(good("A"), LineOp::Unlock(3))],
            ))
            .unwrap();

        assert_eq!(
            after_lock,
            Balance {
                on_hand: 20,
                locked: 8
            }
        );
        assert_eq!(after_lock.available(), 12);
        assert_eq!(
            ledger.balance(&good("A")),
            Balance {
                on_hand: 15,
                locked: 0
            }
        );
    }

    #[test]
    fn locked_stock_cannot_be_shipped_as_available() {
        let mut ledger = Ledger::new();
        ledger
            .apply(movement(
                "open",
                "O",
                "0",
                vec![
                    line(good("A"), LineOp::Receive(10)),
                    line(good("A"), LineOp::Lock(7)),
                ],
            ))
            .unwrap();

        let refused = ledger.apply(movement(
            "out",
            "S2",
            "1",
            vec![line(good("A"), LineOp::Ship(4))],
        ));
        let unlock_too_much = ledger.apply(movement(
            "u",
            "S2",
            "2",
            vec![line(good("A"), LineOp::Unlock(8))],
        ));

        assert!(matches!(
            refused,
            Err(LedgerError::InsufficientAvailable {
                available: 3,
                requested: 4,
                ..
            })
        ));
        assert!(matches!(
            unlock_too_much,
            Err(LedgerError::InsufficientLocked {
                locked: 7,
                requested: 8,
                ..
            })
        ));
    }

    #[test]
    fn count_gain_and_loss_adjust_on_hand() {
        let mut ledger = Ledger::new();
        ledger
            .apply(movement(
                "open",
                "O",
                "0",
                vec![line(good("A"), LineOp::Receive(10))],
            ))
            .unwrap();

        ledger
            .apply(movement(
                "702",
                "PY1",
                "1",
                vec![line(good("A"), LineOp::Adjust(4))],
            ))
            .unwrap();
        ledger
            .apply(movement(
                "701",
                "PK1",
                "1",
                vec![line(good("A"), LineOp::Adjust(-6))],
            ))
            .unwrap();
        let too_much = ledger.apply(movement(
            "701",
            "PK2",
            "1",
            vec![line(good("A"), LineOp::Adjust(-9))],
        ));

        assert_eq!(ledger.balance(&good("A")).on_hand, 10 + 4 - 6);
        assert!(too_much.is_err());
    }

    #[test]
    fn return_puts_good_and_defective_in_their_own_buckets() {
        let mut ledger = Ledger::new();
        let defective = StockKey::new("LH3001", InventoryType::Defective);
        let ret = movement(
            "returnorder.confirm",
            "THRK1",
            "R1",
            vec![
                line(good("LH3001"), LineOp::Receive(2)),
                line(defective.clone(), LineOp::Receive(1)),
            ],
        );

        ledger.apply(ret.clone()).unwrap();
        ledger.apply(ret).unwrap();

        let snapshot = ledger.snapshot();
        let code = ItemCode::from("LH3001");
        assert_eq!(snapshot[&(code.clone(), InventoryType::Good)].on_hand, 2);
        assert_eq!(snapshot[&(code, InventoryType::Defective)].on_hand, 1);
    }

    #[test]
    fn move_between_inventory_types_keeps_the_item_total() {
        let mut ledger = Ledger::new();
        let batch_good = good("A").in_batch("B1");
        ledger
            .apply(movement(
                "in",
                "P",
                "1",
                vec![line(batch_good.clone(), LineOp::Receive(9))],
            ))
            .unwrap();

        ledger
            .apply(movement(
                "adj",
                "M1",
                "1",
                vec![line(
                    batch_good.clone(),
                    LineOp::MoveTo {
                        inventory_type: InventoryType::Defective,
                        qty: 4,
                    },
                )],
            ))
            .unwrap();

        let batch_bad = StockKey::new("A", InventoryType::Defective).in_batch("B1");
        assert_eq!(ledger.balance(&batch_good).on_hand, 5);
        assert_eq!(ledger.balance(&batch_bad).on_hand, 4);
    }

    #[test]
    fn snapshot_sums_batches_per_item_and_type() {
        let mut ledger = Ledger::new();
        ledger
            .apply(movement(
                "in",
                "P",
                "1",
                vec![
                    line(good("A").in_batch("B1"), LineOp::Receive(3)),
                    line(good("A").in_batch("B2"), LineOp::Receive(4)),
                    line(good("A"), LineOp::Receive(5)),
                    line(good("A").in_batch("B2"), LineOp::Lock(2)),
                ],
            ))
            .unwrap();

        let total = ledger.total(&ItemCode::from("A"), InventoryType::Good);

        assert_eq!(
            total,
            Balance {
                on_hand: 12,
                locked: 2
            }
        );
        assert_eq!(ledger.snapshot().len(), 1);
    }

    #[test]
    fn entries_record_cause_and_shared_sequence() {
        let clock = SequenceClock::new();
        let mut erp = Ledger::with_clock(clock.clone());
        let mut wms = Ledger::with_clock(clock);

        wms.apply(movement(
            "c",
            "S1",
            "1",
            vec![line(good("A"), LineOp::Receive(1))],
        ))
        .unwrap();
        erp.apply(movement(
            "c",
            "S1",
            "1",
            vec![line(good("A"), LineOp::Receive(1))],
        ))
        .unwrap();

        let erp_entry = erp.entries().next().unwrap();
        assert_eq!(wms.entries().next().unwrap().sequence, 1);
        assert_eq!(erp_entry.sequence, 2);
        assert_eq!(erp_entry.cause.order_code, "S1");
        assert_eq!(erp_entry.cause.party, "wms");
    }

    #[test]
    fn entry_cap_keeps_the_newest_and_counts_dropped() {
        let mut ledger = Ledger::new().with_entry_cap(2);

        for i in 0..5 {
            let m = movement(
                "in",
                &format!("P{i}"),
                "1",
                vec![line(good("A"), LineOp::Receive(1))],
            );
            ledger.apply(m).unwrap();
        }

        let kept: Vec<u64> = ledger.entries().map(|e| e.sequence).collect();
        assert_eq!(kept, vec![4, 5]);
        assert_eq!(ledger.dropped_entries(), 3);
        assert_eq!(ledger.balance(&good("A")).on_hand, 5);
    }

    #[test]
    fn entry_deltas_count_moves_on_both_types() {
        let entry = LedgerEntry {
            sequence: 1,
            cause: Cause::of(
                &MovementKey {
                    message: "m".into(),
                    order_code: "o".into(),
                    out_biz_code: "b".into(),
                },
                "wms",
            ),
            lines: vec![
                line(good("A"), LineOp::Receive(5)),
                line(
                    good("A"),
                    LineOp::MoveTo {
                        inventory_type: InventoryType::Defective,
                        qty: 2,
                    },
                ),
            ],
        };

        let deltas = entry.on_hand_deltas();

        assert_eq!(deltas[&(ItemCode::from("A"), InventoryType::Good)], 3);
        assert_eq!(deltas[&(ItemCode::from("A"), InventoryType::Defective)], 2);
    }

    #[test]
    fn partial_confirms_give_the_same_movements_under_both_conventions() {
        // FC-13: 5 planned, shipped 2 + 2 + 1 over three confirms.
        let incremental_reports = [2, 2, 1];
        let cumulative_reports = [2, 4, 5];
        let mut inc_applied = 0;
        let mut cum_applied = 0;
        let mut inc_moves = vec![];
        let mut cum_moves = vec![];

        for (inc, cum) in incremental_reports.iter().zip(cumulative_reports) {
            let m = movement_qty(QuantityConvention::Incremental, inc_applied, *inc).unwrap();
            inc_applied = add_within_plan(5, inc_applied, m).unwrap();
            inc_moves.push(m);
            let m = movement_qty(QuantityConvention::Cumulative, cum_applied, cum).unwrap();
            cum_applied = add_within_plan(5, cum_applied, m).unwrap();
            cum_moves.push(m);
        }

        assert_eq!(inc_moves, vec![2, 2, 1]);
        assert_eq!(cum_moves, vec![2, 2, 1]);
        assert_eq!((inc_applied, cum_applied), (5, 5));
    }

    #[test]
    fn cumulative_reports_read_as_incremental_are_flagged_over_plan() {
        // Reports 2, 4, 5 taken as increments sum to 11 > 5 after the third.
        let after_two = add_within_plan(5, 2, 4);
        let went_back = movement_qty(QuantityConvention::Cumulative, 4, 3);

        assert_eq!(
            after_two,
            Err(LedgerError::OverPlan {
                planned: 5,
                total: 6
            })
        );
        assert_eq!(
            went_back,
            Err(LedgerError::CumulativeWentBack {
                applied: 4,
                reported: 3
            })
        );
    }

    #[test]
    fn empty_movement_is_refused() {
        let mut ledger = Ledger::new();

        let refused = ledger.apply(movement("m", "O", "1", vec![]));

        assert!(matches!(refused, Err(LedgerError::EmptyMovement { .. })));
    }
}
