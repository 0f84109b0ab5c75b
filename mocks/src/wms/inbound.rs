//! Inbound orders in the mock WMS: what arrives, in which batch and
//! with which serial numbers, and the confirms that report it.
//!
//! Receipts are drawn per order from the behaviour ([`super::plan`]):
//! short lines, defective units, several partial confirms with
//! incremental quantities and a new `outBizCode` each.

use chrono::NaiveDate;
use rand::Rng;

use super::core::{wms_order_id, WmsCore, WmsError};
use super::plan;
use crate::domain::{Confirm, ConfirmLine, ConfirmType, InventoryType, Lot, Order, OrderLine};
use crate::ledger::{LineOp, MovementLine, StockKey};
use crate::mapping;

impl WmsCore {
    /// Receives an inbound order's goods and builds its confirms: the
    /// partial ones (incremental quantities, own outBizCode) then the final.
    pub(super) fn receive(
        &mut self,
        order_code: &str,
        now: &str,
    ) -> Result<Vec<Confirm>, WmsError> {
        let order = self.orders[order_code].order.clone();
        let planned: Vec<u32> = order.lines.iter().map(|l| l.plan_qty).collect();
        let receipts = plan::draw_receipts(&self.behaviour, self.seed, order_code, &planned);
        let parts = plan::draw_confirm_count(&self.behaviour, self.seed, order_code);
        let lots: Vec<Lot> = order
            .lines
            .iter()
            .map(|line| self.receipt_lot(&order, line.line_no.as_str(), line, now))
            .collect();

        // TODO: partial confirms leave together after `WMS_ONSALE`, because
        // one put-away step is modelled; receivers see no time between them.
        let mut confirms = Vec::new();
        let mut serial_cursor = vec![0usize; order.lines.len()];
        for part in 0..parts {
            let final_part = part + 1 == parts;
            let mut lines = Vec::new();
            for (index, line) in order.lines.iter().enumerate() {
                let receipt = receipts[index];
                let buckets = [
                    (line.inventory_type, receipt.good),
                    (InventoryType::Defective, receipt.defective),
                ];
                for (inventory_type, total) in buckets {
                    let qty = plan::split_evenly(total, parts)[part as usize];
                    if qty == 0 {
                        continue;
                    }
                    let serials = if self.stock.is_sn(&line.item_code) {
                        let from = serial_cursor[index];
                        serial_cursor[index] += qty as usize;
                        self.receipt_serials(&order, index, from, qty)
                    } else {
                        Vec::new()
                    };
                    lines.push(ConfirmLine {
                        line_no: Some(line.line_no.clone()),
                        item_code: line.item_code.clone(),
                        inventory_type,
                        plan_qty: Some(line.plan_qty),
                        actual_qty: qty,
                        lot: lots[index].clone(),
                        serials,
                    });
                }
            }
            if lines.is_empty() && !final_part {
                continue;
            }
            let confirm_type = if final_part {
                ConfirmType::Final
            } else {
                ConfirmType::Partial
            };
            let out_biz_code = format!("{order_code}-{}", confirms.len() + 1);
            self.store_receipt(&order, &out_biz_code, &lines)?;
            confirms.push(Confirm {
                order_code: order_code.to_owned(),
                order_type: order.order_type,
                wms_order_id: Some(wms_order_id(order_code)),
                out_biz_code,
                confirm_type,
                confirmed_at: now.to_owned(),
                lines,
                packages: Vec::new(),
            });
        }
        Ok(confirms)
    }

    fn store_receipt(
        &mut self,
        order: &Order,
        out_biz_code: &str,
        lines: &[ConfirmLine],
    ) -> Result<(), WmsError> {
        if lines.is_empty() {
            return Ok(());
        }
        let message = mapping::route_of(order.order_type)
            .cainiao
            .confirm_msg_type();
        let keyed: Vec<(StockKey, &ConfirmLine)> = lines
            .iter()
            .map(|l| {
                (
                    self.stock.key_for(&l.item_code, l.inventory_type, &l.lot),
                    l,
                )
            })
            .collect();
        let movement = keyed
            .iter()
            .map(|(key, l)| MovementLine::new(key.clone(), LineOp::Receive(l.actual_qty)))
            .collect();
        self.stock
            .apply(message, &order.order_code, out_biz_code, movement)?;
        for (key, line) in keyed {
            self.stock.remember_lot(&line.lot);
            self.stock.hold_serials(&key, line.serials.clone(), true);
        }
        Ok(())
    }

    /// The lot a received line goes into: the one the order names, else a
    /// new batch for batch-managed or shelf-life items, with a production
    /// date up to 30 days before the receipt and expiry = production +
    /// shelf life.
    fn receipt_lot(&self, order: &Order, line_no: &str, line: &OrderLine, now: &str) -> Lot {
        if line.lot.batch_code.is_some() {
            return line.lot.clone();
        }
        // TODO: an item never synchronised is received without a batch,
        // because the WMS takes orders for unknown items instead of refusing
        // them; such stock carries no lot and no serial numbers.
        let Some(item) = self.stock.items.get(&line.item_code) else {
            return Lot::default();
        };
        let shelf_life = item.shelf_life_days.filter(|d| *d > 0);
        if !item.batch_managed && shelf_life.is_none() {
            return Lot::default();
        }
        let mut rng = plan::decision_rng(self.seed, &order.order_code, &format!("lot-{line_no}"));
        let today = now
            .get(..10)
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
        let produced = today.map(|d| d - chrono::Days::new(rng.gen_range(0..=30)));
        let expires = produced
            .zip(shelf_life)
            .map(|(p, days)| p + chrono::Days::new(u64::from(days)));
        let batch = format!("B{}-{}", order.order_code, line_no);
        Lot {
            produce_code: Some(batch.clone()),
            batch_code: Some(batch),
            product_date: produced.map(|d| d.format("%Y-%m-%d").to_string()),
            expire_date: expires.map(|d| d.format("%Y-%m-%d").to_string()),
        }
    }

    /// Serial numbers for `qty` units of a received line starting at
    /// position `from`: those the order announces (returns), then
    /// generated ones, never one already in stock.
    fn receipt_serials(
        &mut self,
        order: &Order,
        index: usize,
        from: usize,
        qty: u32,
    ) -> Vec<String> {
        let line = &order.lines[index];
        let mut serials = Vec::new();
        for position in from..from + qty as usize {
            let announced = line
                .serials
                .get(position)
                .filter(|s| !self.stock.is_held(s))
                .cloned();
            let serial = announced.unwrap_or_else(|| {
                self.stock
                    .fresh_serial(&line.item_code, &order.order_code, index, position)
            });
            self.stock.serials_ever.insert(serial.clone());
            serials.push(serial);
        }
        serials
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    use crate::behaviour::WmsBehaviour;
    use crate::domain::OrderType;
    use crate::wms::testkit::*;

    #[test]
    fn partial_confirms_are_incremental_with_distinct_out_biz_codes_and_end_final() {
        let behaviour = WmsBehaviour {
            partial_confirm_rate: 1.0,
            partial_confirms: 3,
            ..WmsBehaviour::default()
        };
        let mut core = core_with(behaviour);
        let purchase = order("CGRK2", OrderType::Purchase, vec![line("1", "DM1001", 10)]);
        core.receive_order(purchase, NOW);

        let confirms = confirms(&run(&mut core, "CGRK2"));

        let types: Vec<_> = confirms.iter().map(|c| c.confirm_type).collect();
        assert_eq!(
            types,
            vec![
                ConfirmType::Partial,
                ConfirmType::Partial,
                ConfirmType::Final
            ]
        );
        let quantities: Vec<u32> = confirms.iter().map(|c| c.lines[0].actual_qty).collect();
        assert_eq!(quantities, vec![4, 3, 3]);
        let mut codes: Vec<_> = confirms.iter().map(|c| c.out_biz_code.clone()).collect();
        codes.dedup();
        assert_eq!(codes, vec!["CGRK2-1", "CGRK2-2", "CGRK2-3"]);
        assert_eq!(on_hand(&core, "DM1001", InventoryType::Good), 10);
    }

    #[test]
    fn short_and_defective_receipts_land_in_their_buckets() {
        let behaviour = WmsBehaviour {
            short_receipt_rate: 1.0,
            defective_receipt_rate: 1.0,
            ..WmsBehaviour::default()
        };
        let mut core = core_with(behaviour);
        let purchase = order("CGRK3", OrderType::Purchase, vec![line("1", "DM1001", 50)]);
        core.receive_order(purchase, NOW);

        let confirm = confirms(&run(&mut core, "CGRK3")).remove(0);

        let qty_of = |t| {
            confirm
                .lines
                .iter()
                .filter(|l| l.inventory_type == t)
                .map(|l| l.actual_qty)
                .sum::<u32>()
        };
        let good = qty_of(InventoryType::Good);
        let defective = qty_of(InventoryType::Defective);
        assert!(
            good + defective < 50 && good + defective >= 40,
            "{good}+{defective}"
        );
        assert!(defective >= 1);
        assert_eq!(
            on_hand(&core, "DM1001", InventoryType::Good),
            i64::from(good)
        );
        assert_eq!(
            on_hand(&core, "DM1001", InventoryType::Defective),
            i64::from(defective)
        );
    }

    #[test]
    fn sn_items_get_unique_serials_on_receipt_and_ship_each_once() {
        let mut core = core_with(WmsBehaviour::default());
        for code in ["CGRK4", "CGRK5"] {
            core.receive_order(
                order(code, OrderType::Purchase, vec![line("1", "LH3001", 6)]),
                NOW,
            );
            run(&mut core, code);
        }

        for code in ["SO1", "SO2", "SO3"] {
            core.receive_order(
                order(code, OrderType::SalesDelivery, vec![line("1", "LH3001", 4)]),
                NOW,
            );
            run(&mut core, code);
        }

        let received = core.serials_received().to_vec();
        let unique: BTreeSet<_> = received.iter().collect();
        assert_eq!(received.len(), 12);
        assert_eq!(unique.len(), 12);
        let shipped = core.serials_shipped().to_vec();
        let shipped_unique: BTreeSet<_> = shipped.iter().collect();
        assert_eq!(shipped.len(), 12);
        assert_eq!(shipped_unique, unique);
        assert_eq!(on_hand(&core, "LH3001", InventoryType::Good), 0);
    }
}
