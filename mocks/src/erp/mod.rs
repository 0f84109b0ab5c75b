//! The mock ERP: the merchant's system that creates documents and books
//! what the warehouse reports back.
//!
//! [`core`] holds the rules on domain values and no IO.
//!
//! # Known gaps
//! See [`core`]: the ERP books stock per item and inventory type, not per
//! batch.

pub mod core;

pub use self::core::{Answer, Document, ErpCore, ErpError, LineProgress, OrderState};
