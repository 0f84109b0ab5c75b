//! Wire protocols and the three mock parties of liantiao.
//!
//! Everything that crosses a hop is defined here: the Qimen protocol spoken
//! between ERP and gateway, the Cainiao LINK protocol spoken between gateway
//! and WMS, the mapping between the two, and the protocol-neutral domain
//! model that the parties and the scenario driver reason about.
//!
//! # Map
//! - [`domain`]: order types, inventory types, documents, confirms and
//!   adjustments, independent of either wire protocol.
//! - [`xml`]: shared XML reading and writing helpers (positions in errors,
//!   empty elements read as absent, control characters).
//! - [`qimen`]: Qimen envelope, signatures, responses and typed messages.
//! - [`cainiao`]: Cainiao LINK form envelope, `data_digest`, responses and
//!   typed payloads.
//! - [`mapping`]: the Qimen ⇄ Cainiao method and code table.
//! - [`config`]: the onboarding values shared by the parties (TOML).
//! - [`link`]: the HTTP client every party uses for each hop; timing and
//!   in-flight counts live there.
//! - [`observe`]: exchanges and party events reported to the driver.
//! - [`erp`], [`gateway`], [`wms`]: the three mock parties, each a sans-IO
//!   core plus an HTTP app built by a constructor.
//! - [`ledger`]: a party's stock ledger with idempotent movements.
//! - [`behaviour`]: how the mock parties behave, as scenario data.

pub mod behaviour;
pub mod cainiao;
pub mod config;
pub mod domain;
pub mod erp;
pub mod gateway;
pub mod ledger;
pub mod link;
pub mod mapping;
pub mod observe;
pub mod qimen;
pub mod stack;
pub mod wms;
pub mod xml;
