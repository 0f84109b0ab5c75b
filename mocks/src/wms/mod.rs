//! The mock WMS: a 3PL warehouse speaking Cainiao LINK with the gateway.
//!
//! - [`core`]: warehouse logic on domain values (stock, lots, serials,
//!   order lifecycles), without IO.
//! - [`plan`]: the seeded random decisions the warehouse takes per order.
//! - [`http`]: the [`Wms`] party: Cainiao receiver, order workers, signed
//!   uploads to the gateway.

pub mod core;
pub mod http;
pub mod plan;

pub use self::core::{
    CancelOutcome, Intake, OpeningStock, OrderState, Phase, WmsCore, WmsError, WmsMessage,
};
pub use self::http::{Wms, WmsSettings};
