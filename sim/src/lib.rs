//! Scenario driver, measurement and reports for liantiao.
//!
//! # Map
//! - [`catalog`]: the item master read from a CSV file.

pub mod catalog;
