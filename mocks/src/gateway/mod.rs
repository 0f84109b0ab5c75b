//! The mock gateway: Qimen towards the ERP, Cainiao LINK towards the WMS.
//!
//! [`core`] holds the gateway's state and decisions without IO.

pub mod core;
mod erp_side;
pub mod http;
mod wms_side;

pub use self::core::{ErpAccount, RoutingTable, WmsRoute};
pub use erp_side::ErpCallError;
pub use http::{Gateway, GatewaySettings};
