//! The mock gateway: Qimen towards the ERP, Cainiao LINK towards the WMS.
//!
//! - [`core`]: routing table, order book (ERP code ⇄ `LBX` code), upload
//!   de-duplication, pending counts and seeded decisions, without IO.
//! - [`http`]: [`Gateway`], its axum app and outgoing deliveries with
//!   bounded retries.
//! - `erp_side`: `POST /router/qimen/service`, Qimen → domain → Cainiao.
//! - `wms_side`: `POST /gateway/link.do`, Cainiao → domain → Qimen.
//!
//! ```no_run
//! # use std::sync::Arc;
//! # use mocks::config::Config;
//! # use mocks::gateway::{Gateway, GatewaySettings, RoutingTable};
//! let config = Config::default();
//! let (erp, wms) = ("http://erp/qimen/callback", "http://wms/cainiao");
//! let table = RoutingTable::from_config(&config, erp, wms);
//! let settings = GatewaySettings::from_config(&config, Default::default(), 7);
//! let gateway = Gateway::new(table, settings, Arc::new(mocks::observe::LogObserver));
//! let app = gateway.app(); // serve with axum
//! ```
//!
//! # Known gaps
//! - Throttling and injected failures apply to ERP calls only; WMS uploads
//!   are never throttled.
//! - `deliveryorder.batchcreate`, `order.pending`, `stock.query` and the
//!   query methods are answered `invalid-method`.

pub mod core;
mod erp_side;
pub mod http;
mod wms_side;

pub use self::core::{ErpAccount, RoutingTable, WmsRoute};
pub use erp_side::ErpCallError;
pub use http::{Gateway, GatewaySettings};
