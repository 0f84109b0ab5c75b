//! Scenario driver, measurement and reports for liantiao.
