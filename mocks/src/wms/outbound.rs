//! Outbound orders in the mock WMS: reservation first-expiry first out,
//! shortages, shipping, and the parcels a shipment leaves in.

use std::collections::{BTreeMap, HashMap};

use super::core::{
    lack_remark, notify_message, wms_order_id, OrderRecord, Pick, WmsCore, WmsError,
};
use super::plan;
use crate::behaviour::ShortageBehaviour;
use crate::domain::{Confirm, ConfirmLine, ConfirmType, ItemCode, Lot, Order, Package};
use crate::ledger::{LineOp, MovementLine, StockKey};
use crate::mapping;

impl WmsCore {
    /// Reserves each line's quantity FEFO, or says why the order is refused.
    pub(super) fn reserve(&mut self, record: &mut OrderRecord) -> Result<(), String> {
        let mut picks = Vec::new();
        let mut lack = Vec::new();
        // Work on a copy of what is available so lines of the same item in
        // one order do not reserve the same units twice.
        let mut available: HashMap<StockKey, u32> = HashMap::new();
        for (index, line) in record.order.lines.iter().enumerate() {
            let mut wanted = line.plan_qty;
            for key in self.stock.fefo_keys(&line.item_code, line.inventory_type) {
                let left = *available
                    .entry(key.clone())
                    .or_insert_with(|| self.stock.available_units(&key));
                let qty = wanted.min(left);
                if qty == 0 {
                    continue;
                }
                available.insert(key.clone(), left - qty);
                picks.push(Pick {
                    line_index: index,
                    key,
                    qty,
                    serials: Vec::new(),
                });
                wanted -= qty;
            }
            if wanted > 0 {
                lack.push((index, wanted));
            }
        }

        let shipped: u32 = picks.iter().map(|p| p.qty).sum();
        if shipped == 0 {
            return Err(format!(
                "no stock for any line: {}",
                lack_remark(&record.order, &lack)
            ));
        }
        if !lack.is_empty() && self.behaviour.shortage == ShortageBehaviour::Reject {
            return Err(format!("short: {}", lack_remark(&record.order, &lack)));
        }
        let code = record.order.order_code.clone();
        let message = notify_message(record.order.order_type);
        let lock = picks
            .iter()
            .map(|p| MovementLine::new(p.key.clone(), LineOp::Lock(p.qty)))
            .collect();
        self.stock
            .apply(message, &code, &code, lock)
            .map_err(|e| e.to_string())?;
        for pick in &mut picks {
            pick.serials = self.stock.release_serials(&pick.key, pick.qty as usize);
        }
        record.picks = picks;
        record.lack = lack;
        Ok(())
    }

    /// Ships the reserved stock and builds the confirm.
    pub(super) fn ship(&mut self, order_code: &str, now: &str) -> Result<Confirm, WmsError> {
        let record = &self.orders[order_code];
        let order = record.order.clone();
        let picks = record.picks.clone();
        let route = mapping::route_of(order.order_type);
        let message = route.cainiao.confirm_msg_type();
        let out_biz_code = format!("{order_code}-1");

        let movement = picks
            .iter()
            .map(|p| MovementLine::new(p.key.clone(), LineOp::ShipLocked(p.qty)))
            .collect();
        self.stock
            .apply(message, order_code, &out_biz_code, movement)?;
        for pick in &picks {
            self.stock
                .serials_shipped
                .extend(pick.serials.iter().cloned());
        }

        let mut lines = Vec::new();
        for (index, line) in order.lines.iter().enumerate() {
            let mut line_picks = picks.iter().filter(|p| p.line_index == index).peekable();
            if line_picks.peek().is_none() {
                lines.push(ConfirmLine {
                    line_no: Some(line.line_no.clone()),
                    item_code: line.item_code.clone(),
                    inventory_type: line.inventory_type,
                    plan_qty: Some(line.plan_qty),
                    actual_qty: 0,
                    lot: Lot::default(),
                    serials: Vec::new(),
                });
            }
            for pick in line_picks {
                lines.push(ConfirmLine {
                    line_no: Some(line.line_no.clone()),
                    item_code: line.item_code.clone(),
                    inventory_type: line.inventory_type,
                    plan_qty: Some(line.plan_qty),
                    actual_qty: pick.qty,
                    lot: self.stock.lot_of(&pick.key),
                    serials: pick.serials.clone(),
                });
            }
        }
        Ok(Confirm {
            order_code: order_code.to_owned(),
            order_type: order.order_type,
            wms_order_id: Some(wms_order_id(order_code)),
            out_biz_code,
            confirm_type: ConfirmType::Final,
            confirmed_at: now.to_owned(),
            packages: self.pack(&order, &picks),
            lines,
        })
    }

    /// Splits shipped units over the parcels the behaviour draws; every
    /// parcel gets units, and the parcels' units sum to the lines'.
    fn pack(&self, order: &Order, picks: &[Pick]) -> Vec<Package> {
        let mut per_item: BTreeMap<ItemCode, u32> = BTreeMap::new();
        for pick in picks {
            *per_item.entry(pick.key.item_code.clone()).or_default() += pick.qty;
        }
        let units: u32 = per_item.values().sum();
        let labels = plan::draw_parcels(&self.behaviour, self.seed, &order.order_code, units);

        // Deal units out one at a time, in item order, so that n parcels
        // each get at least one unit whenever units >= n.
        let mut contents: Vec<BTreeMap<ItemCode, u32>> = vec![BTreeMap::new(); labels.len()];
        let mut next = 0;
        for (item, qty) in &per_item {
            for _ in 0..*qty {
                *contents[next].entry(item.clone()).or_default() += 1;
                next = (next + 1) % labels.len();
            }
        }
        labels
            .into_iter()
            .zip(contents)
            .enumerate()
            .map(|(index, (label, items))| Package {
                logistics_code: label.carrier,
                express_code: label.tracking_number,
                package_code: Some(format!("{}-P{}", order.order_code, index + 1)),
                weight_g: self.weigh(&items),
                items: items.into_iter().collect(),
            })
            .collect()
    }

    fn weigh(&self, items: &BTreeMap<ItemCode, u32>) -> Option<u32> {
        let mut total = 0u32;
        for (code, qty) in items {
            let grams = self.stock.items.get(code).and_then(|i| i.gross_weight_g)?;
            total = total.saturating_add(grams.saturating_mul(*qty));
        }
        Some(total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    use crate::behaviour::WmsBehaviour;
    use crate::domain::{InventoryType, OrderStatus, OrderType};
    use crate::wms::core::{Intake, WmsMessage};
    use crate::wms::testkit::*;

    #[test]
    fn outbound_ships_first_expiring_batch_first_with_lot_on_the_confirm() {
        let mut core = core_with(WmsBehaviour::default());
        core.set_opening_stock(&[
            opening("DM1001", lot("LATE", "2025-06-01"), 5),
            opening("DM1001", lot("EARLY", "2024-09-01"), 3),
        ])
        .unwrap();
        core.receive_order(
            order(
                "SO1",
                OrderType::SalesDelivery,
                vec![line("1", "DM1001", 4)],
            ),
            NOW,
        );

        let out = run(&mut core, "SO1");

        assert_eq!(
            statuses(&out),
            vec![
                OrderStatus::Accept,
                OrderStatus::Print,
                OrderStatus::Pick,
                OrderStatus::Check,
                OrderStatus::Package,
                OrderStatus::Consign
            ]
        );
        let confirm = confirms(&out).remove(0);
        let shipped: Vec<_> = confirm
            .lines
            .iter()
            .map(|l| (l.lot.batch_code.clone().unwrap(), l.actual_qty))
            .collect();
        assert_eq!(
            shipped,
            vec![("EARLY".to_owned(), 3), ("LATE".to_owned(), 1)]
        );
        assert_eq!(
            confirm.lines[0].lot.expire_date.as_deref(),
            Some("2024-09-01")
        );
        let late = StockKey::new("DM1001", InventoryType::Good).in_batch("LATE");
        assert_eq!(core.ledger().balance(&late).on_hand, 4);
    }

    #[test]
    fn split_packages_hold_every_shipped_unit_with_own_tracking_numbers() {
        let behaviour = WmsBehaviour {
            split_package_rate: 1.0,
            max_packages: 3,
            ..WmsBehaviour::default()
        };
        let mut core = core_with(behaviour);
        core.set_opening_stock(&[opening("DM1001", Lot::default(), 10)])
            .unwrap();
        core.receive_order(
            order(
                "SO1",
                OrderType::SalesDelivery,
                vec![line("1", "DM1001", 7)],
            ),
            NOW,
        );

        let confirm = confirms(&run(&mut core, "SO1")).remove(0);

        assert!(confirm.packages.len() >= 2, "{:?}", confirm.packages);
        let packed: u32 = confirm
            .packages
            .iter()
            .flat_map(|p| &p.items)
            .map(|(_, q)| q)
            .sum();
        let shipped: u32 = confirm.lines.iter().map(|l| l.actual_qty).sum();
        assert_eq!((packed, shipped), (7, 7));
        let tracking: BTreeSet<_> = confirm.packages.iter().map(|p| &p.express_code).collect();
        assert_eq!(tracking.len(), confirm.packages.len());
        assert!(confirm
            .packages
            .iter()
            .all(|p| p.items.iter().all(|(_, q)| *q > 0)));
    }

    #[test]
    fn shortage_ships_what_there_is_and_reports_lack() {
        let mut core = core_with(WmsBehaviour::default());
        core.set_opening_stock(&[opening("DM1001", Lot::default(), 3)])
            .unwrap();
        core.receive_order(
            order(
                "SO9",
                OrderType::SalesDelivery,
                vec![line("1", "DM1001", 5)],
            ),
            NOW,
        );

        let out = run(&mut core, "SO9");

        let lack = out.iter().find_map(|m| match m {
            WmsMessage::Status(s) if s.status == OrderStatus::Lack => s.remark.clone(),
            _ => None,
        });
        assert_eq!(lack.as_deref(), Some("DM1001 short 2"));
        let confirm = confirms(&out).remove(0);
        assert_eq!(confirm.lines[0].actual_qty, 3);
        assert_eq!(confirm.lines[0].plan_qty, Some(5));
        assert_eq!(on_hand(&core, "DM1001", InventoryType::Good), 0);
    }

    #[test]
    fn shortage_rejects_the_order_when_the_behaviour_says_so() {
        let behaviour = WmsBehaviour {
            shortage: ShortageBehaviour::Reject,
            ..WmsBehaviour::default()
        };
        let mut core = core_with(behaviour);
        core.set_opening_stock(&[opening("DM1001", Lot::default(), 3)])
            .unwrap();

        let intake = core.receive_order(
            order(
                "SO9",
                OrderType::SalesDelivery,
                vec![line("1", "DM1001", 5)],
            ),
            NOW,
        );

        let Intake::Rejected { report, .. } = intake else {
            panic!("expected a rejection, got {intake:?}");
        };
        assert_eq!(report.status, OrderStatus::Reject);
        assert_eq!(core.next_delay("SO9"), None);
        let key = StockKey::new("DM1001", InventoryType::Good);
        assert_eq!(core.ledger().balance(&key).locked, 0);
    }
}
