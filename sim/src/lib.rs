//! Scenario driver, measurement and reports for liantiao.
//!
//! # Map
//! - [`catalog`]: the item master read from a CSV file.
//! - [`scenario`]: scenario files, read in three stages.

pub mod catalog;
pub mod scenario;
