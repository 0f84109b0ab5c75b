//! Scenario driver, measurement and reports for liantiao.

pub mod logging;
pub mod sign;
