//! Scenario driver, measurement and reports for liantiao.
//!
//! # Map
//! - [`catalog`]: the item master read from a CSV file.
//! - [`scenario`]: scenario files, read in three stages.
//! - [`plan`]: scenario and seed to the documents of a run.
//! - [`measure`]: latency histograms and counters per flow and hop.
//! - [`report`]: the run folder, its CSV files and the terminal summary.
//! - [`check`]: ledgers against each other and the expectation; check rows.
//! - [`run`]: `liantiao run`, the scenario driven through the three parties.
//! - [`sign`]: the `liantiao sign` signature debugger.
//! - [`serve`]: `liantiao serve`, parties on loopback until Ctrl-C.
//! - [`logging`]: operator logs, quiet by default.

pub mod catalog;
pub mod check;
pub mod logging;
pub mod measure;
pub mod plan;
pub mod report;
pub mod run;
pub mod scenario;
pub mod serve;
pub mod sign;
