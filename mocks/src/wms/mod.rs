//! The mock WMS: a 3PL warehouse speaking Cainiao LINK with the gateway.
//!
//! - [`core`]: warehouse logic on domain values (stock, lots, serials,
//!   order lifecycles), without IO.
//! - [`inbound`], [`outbound`]: receiving and shipping, on [`WmsCore`].
//! - [`stock`]: item master, ledger, lots and serial numbers; counts and
//!   inventory-type moves.
//! - [`plan`]: the seeded random decisions the warehouse takes per order.
//! - [`http`]: the [`Wms`] party: Cainiao receiver, order workers, signed
//!   uploads to the gateway.

pub mod core;
pub mod http;
pub mod inbound;
pub mod outbound;
pub mod plan;
pub mod stock;
#[cfg(test)]
mod testkit;

pub use self::core::{CancelOutcome, Intake, OrderState, Phase, WmsCore, WmsError, WmsMessage};
pub use self::http::{Wms, WmsSettings};
pub use self::stock::{OpeningStock, Stock};
