//! The three parties wired together on loopback, or any of them replaced by
//! an external system's URL.
//!
//! [`Stack::start`] binds a listener for every embedded party first, so that
//! each party is built knowing the others' URLs, then serves each party's
//! app on its listener. `liantiao serve`, the scenario driver and the
//! end-to-end tests all start parties this way.
//!
//! URLs of external systems: for the ERP, the full callback URL; for the
//! WMS, the full URL it receives Cainiao pushes on; for the gateway, its
//! base URL, to which the fixed paths `/router/qimen/service` (Qimen) and
//! `/gateway/link.do` (Cainiao) are appended.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::behaviour::{ErpBehaviour, GatewayBehaviour, WmsBehaviour};
use crate::config::{Config, PartyEndpoint};
use crate::erp::{Erp, ErpCore};
use crate::gateway::core::RoutingTable;
use crate::gateway::{Gateway, GatewaySettings};
use crate::ledger::{Ledger, SequenceClock};
use crate::link::Link;
use crate::observe::{Hop, Observer, Party};
use crate::wms::{Wms, WmsSettings};

/// Path of the gateway's Qimen entry.
pub const QIMEN_PATH: &str = "/router/qimen/service";
/// Path of the ERP's Qimen callback.
pub const ERP_CALLBACK_PATH: &str = "/qimen/callback";
/// Path of the WMS's Cainiao receiver.
pub const WMS_PUSH_PATH: &str = "/cainiao";

/// Everything needed to start the parties.
#[derive(Clone)]
pub struct StackSettings {
    pub config: Config,
    pub seed: u64,
    pub erp: ErpBehaviour,
    pub gateway: GatewayBehaviour,
    pub wms: WmsBehaviour,
    pub observer: Arc<dyn Observer>,
    /// Which parties to run in-process; the others must be external.
    pub run: Vec<Party>,
    /// Numbers the entries of the embedded ERP's and WMS's ledgers, so
    /// that their histories merge in the order things happened.
    pub clock: SequenceClock,
}

/// The URL each party receives on.
#[derive(Debug, Clone, PartialEq)]
pub struct PartyUrls {
    pub erp_callback: String,
    pub gateway_base: String,
    pub wms_push: String,
}

impl PartyUrls {
    pub fn gateway_qimen(&self) -> String {
        format!("{}{QIMEN_PATH}", self.gateway_base)
    }

    /// The URL a party listens on, as `liantiao serve` prints it.
    pub fn of(&self, party: Party) -> String {
        match party {
            Party::Erp => self.erp_callback.clone(),
            Party::Gateway => self.gateway_base.clone(),
            Party::Wms => self.wms_push.clone(),
        }
    }
}

/// Running parties. Dropping it without [`Stack::shutdown`] aborts them.
pub struct Stack {
    pub erp: Option<Erp>,
    pub gateway: Option<Gateway>,
    pub wms: Option<Wms>,
    pub urls: PartyUrls,
    stop: watch::Sender<bool>,
    servers: Vec<JoinHandle<std::io::Result<()>>>,
}

/// A bound listener or an external URL, per party.
enum Place {
    Bound(TcpListener, String),
    External(String),
}

impl Place {
    async fn open(
        party: Party,
        endpoint: &PartyEndpoint,
        run: bool,
        path: &str,
    ) -> std::io::Result<Place> {
        match endpoint {
            PartyEndpoint::External { url } => Ok(Place::External(url.clone())),
            PartyEndpoint::Embedded { listen } if run => {
                let listener = TcpListener::bind(listen).await.map_err(|e| {
                    let message = format!("{party} cannot listen on {listen}: {e}");
                    std::io::Error::new(e.kind(), message)
                })?;
                let addr: SocketAddr = listener.local_addr()?;
                Ok(Place::Bound(listener, format!("http://{addr}{path}")))
            }
            PartyEndpoint::Embedded { listen } => Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!(
                    "no URL for the {party}, which is neither run here nor external \
                     (it would listen on {listen}); give [parties.{party}] url"
                ),
            )),
        }
    }

    fn url(&self) -> &str {
        match self {
            Place::Bound(_, url) | Place::External(url) => url,
        }
    }
}

impl Stack {
    /// Binds, builds and serves the parties in `settings.run`.
    pub async fn start(settings: StackSettings) -> std::io::Result<Stack> {
        let config = &settings.config;
        let runs = |p: Party| settings.run.contains(&p);
        let erp_place =
            Place::open(Party::Erp, &config.erp, runs(Party::Erp), ERP_CALLBACK_PATH).await?;
        let gateway_place =
            Place::open(Party::Gateway, &config.gateway, runs(Party::Gateway), "").await?;
        let wms_place =
            Place::open(Party::Wms, &config.wms, runs(Party::Wms), WMS_PUSH_PATH).await?;
        let urls = PartyUrls {
            erp_callback: erp_place.url().to_owned(),
            gateway_base: gateway_place.url().trim_end_matches('/').to_owned(),
            wms_push: wms_place.url().to_owned(),
        };

        let erp = runs(Party::Erp).then(|| {
            let link = Link::new(
                Hop::ErpToGateway,
                &urls.gateway_qimen(),
                settings.observer.clone(),
                Duration::from_secs(30),
            );
            let ledger = Ledger::with_clock(settings.clock.clone());
            let core = ErpCore::with_ledger(settings.erp.clone(), ledger);
            Erp::with_core(config, core, link, settings.observer.clone())
        });
        let gateway = runs(Party::Gateway).then(|| {
            let table = RoutingTable::from_config(config, &urls.erp_callback, &urls.wms_push);
            let gateway_settings =
                GatewaySettings::from_config(config, settings.gateway.clone(), settings.seed);
            Gateway::new(table, gateway_settings, settings.observer.clone())
        });
        let wms = runs(Party::Wms).then(|| {
            let wms_settings = WmsSettings {
                clock: settings.clock.clone(),
                ..WmsSettings::from_config(
                    config,
                    settings.seed,
                    settings.wms.clone(),
                    &urls.gateway_base,
                    settings.observer.clone(),
                )
            };
            Wms::new(wms_settings)
        });

        let (stop, stopped) = watch::channel(false);
        let mut servers = Vec::new();
        let apps = [
            (erp_place, erp.as_ref().map(Erp::app)),
            (gateway_place, gateway.as_ref().map(Gateway::app)),
            (wms_place, wms.as_ref().map(Wms::app)),
        ];
        for (place, app) in apps {
            if let (Place::Bound(listener, _), Some(app)) = (place, app) {
                servers.push(tokio::spawn(serve(listener, app, stopped.clone())));
            }
        }
        Ok(Stack {
            erp,
            gateway,
            wms,
            urls,
            stop,
            servers,
        })
    }

    /// Whether any embedded party still has work: requests being sent by
    /// the gateway or orders the WMS is still working.
    pub fn busy(&self) -> bool {
        let gateway = self.gateway.as_ref().is_some_and(|g| g.in_flight() > 0);
        let wms = self.wms.as_ref().is_some_and(|w| w.busy() > 0);
        gateway || wms
    }

    /// Waits until no party is busy, for at most `limit`. Returns whether
    /// the parties became idle.
    pub async fn drain(&self, limit: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + limit;
        while self.busy() {
            if tokio::time::Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        true
    }

    /// Stops accepting requests, lets those in progress finish, and waits
    /// for the servers to end.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        for server in self.servers {
            match server.await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => tracing::warn!(error = %e, "party server ended with an error"),
                Err(e) => tracing::warn!(error = %e, "party server task failed"),
            }
        }
    }
}

async fn serve(
    listener: TcpListener,
    app: axum::Router,
    mut stopped: watch::Receiver<bool>,
) -> std::io::Result<()> {
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            let _ = stopped.wait_for(|stop| *stop).await;
        })
        .await
}
