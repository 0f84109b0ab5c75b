//! The mock gateway: Qimen towards the ERP, Cainiao LINK towards the WMS.
//!
//! [`core`] holds the gateway's state and decisions without IO.

pub mod core;
