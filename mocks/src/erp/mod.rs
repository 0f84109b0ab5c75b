//! The mock ERP: the merchant's system that creates documents, books what
//! the warehouse reports back, and talks Qimen to the gateway.
//!
//! - [`core`]: the rules on domain values, no IO: item master, documents,
//!   stock locks, confirms applied once, anomalies.
//! - [`document`]: what the ERP records per order.
//! - [`http`]: [`Erp`], the HTTP party: signed calls to the gateway with
//!   retries, and the `POST /qimen/callback` receiver.
//!
//! # Known gaps
//! The ERP books stock per item and inventory type, not per batch; see
//! [`core`].

pub mod core;
pub mod document;
pub mod http;

pub use self::core::{Answer, Document, ErpCore, ErpError, LineProgress, OrderState};
pub use self::http::{CallError, Erp, StockRow};
