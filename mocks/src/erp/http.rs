//! The mock ERP on the wire: Qimen calls to the gateway and the Qimen
//! callback the gateway pushes confirms and reports to.
//!
//! [`Erp`] wraps an [`ErpCore`] behind a mutex (never held across an
//! `.await`). Outgoing calls are signed with the ERP's Qimen secret and a
//! fresh GMT+8 timestamp on every attempt, and go through the ERP →
//! gateway [`Link`]. Throttling answers (code 7, "ban will last N
//! seconds") are waited out and retried without limit (FC-21); transport
//! errors are retried up to [`RetryPolicy::max_attempts`], then given up.
//!
//! `POST /qimen/callback` verifies timestamp and sign, decodes the body,
//! applies it through the core and answers `success`, or `failure` with a
//! code; a failure is logged once at warn level and changes nothing.
//!
//! # Known gaps
//! `order.sn.report`, `wavenum.report` and `order.pending` are answered
//! `invalid-method`: no flow liantiao drives sends them to the ERP.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, FixedOffset, Utc};

use super::core::{Answer, Document, ErpCore, ErpError};
use crate::behaviour::{ErpBehaviour, RetryPolicy};
use crate::config::Config;
use crate::domain::{Confirm, InventoryType, Item, ItemCode, Order};
use crate::ledger::Balance;
use crate::link::{Link, Outgoing};
use crate::mapping::{route_of, QimenFamily};
use crate::observe::{EventKind, Observer, Party, PartyEvent};
use crate::qimen::envelope::gmt8;
use crate::qimen::messages::{self, Message};
use crate::qimen::{self, Charset, Credentials, FailureCode, Method, Response, SignMethod};

/// Items per `items.synchronize` call.
pub const ITEM_BATCH: usize = 50;

/// What went wrong on the ERP's side of a call. A gateway's refusal is
/// not one of these: it comes back as [`Answer::Refused`].
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// The ERP itself refused (unknown item, not enough stock, ...).
    #[error(transparent)]
    Rejected(#[from] ErpError),
    /// The message could not be written.
    #[error("writing {method}: {source}")]
    Encode {
        method: &'static str,
        source: qimen::Error,
    },
    /// The gateway refused an inventory query.
    #[error("{method} refused: {reason}")]
    Refused {
        method: &'static str,
        reason: String,
    },
    /// No answer after the last retry.
    #[error("{method} given up: {reason}")]
    GaveUp {
        method: &'static str,
        reason: String,
    },
}

/// One row of an `inventory.query` answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockRow {
    pub item_code: ItemCode,
    pub inventory_type: InventoryType,
    /// Unlocked quantity.
    pub quantity: i64,
    pub lock_quantity: i64,
}

/// The mock ERP. Cheap to clone; clones share state.
#[derive(Clone)]
pub struct Erp {
    inner: Arc<Inner>,
}

struct Inner {
    core: Mutex<ErpCore>,
    gateway: Link,
    observer: Arc<dyn Observer>,
    credentials: Credentials,
    owner_code: String,
    warehouse_code: String,
    tolerance: chrono::Duration,
    retry: RetryPolicy,
}

impl Erp {
    /// An ERP with the onboarding values of `config`, calling the gateway
    /// through `gateway` (hop ERP → gateway, URL ending in
    /// `/router/qimen/service`).
    pub fn new(
        config: &Config,
        behaviour: ErpBehaviour,
        gateway: Link,
        observer: Arc<dyn Observer>,
    ) -> Erp {
        Erp::with_core(config, ErpCore::new(behaviour), gateway, observer)
    }

    /// As [`Erp::new`], with a core built by the caller (shared ledger
    /// clock, items already known).
    pub fn with_core(
        config: &Config,
        core: ErpCore,
        gateway: Link,
        observer: Arc<dyn Observer>,
    ) -> Erp {
        let tolerance = chrono::Duration::from_std(config.timestamp_tolerance)
            .unwrap_or_else(|_| chrono::Duration::minutes(10));
        let retry = core.behaviour().retry.clone();
        let inner = Inner {
            core: Mutex::new(core),
            gateway,
            observer,
            credentials: Credentials {
                app_key: config.qimen.app_key.clone(),
                secret: config.qimen.secret.clone(),
                customer_id: config.qimen.customer_id.clone(),
                sign_method: SignMethod::Md5,
            },
            owner_code: config.owner_code.clone(),
            warehouse_code: config.warehouse_code.clone(),
            tolerance,
            retry,
        };
        Erp {
            inner: Arc::new(inner),
        }
    }

    /// The server side: `POST /qimen/callback` and `GET /health`.
    pub fn app(&self) -> Router {
        Router::new()
            .route("/qimen/callback", post(callback))
            .route("/health", get(|| async { "ok" }))
            .with_state(self.clone())
    }

    /// Stock per item and inventory type, as the ERP books it.
    pub fn ledger_snapshot(
        &self,
    ) -> std::collections::BTreeMap<(ItemCode, InventoryType), Balance> {
        self.core().ledger_snapshot()
    }

    /// A copy of the ERP's ledger: balances and the entries that made them.
    pub fn ledger(&self) -> crate::ledger::Ledger {
        self.core().ledger().clone()
    }

    /// A copy of an order's document, if the ERP created it.
    pub fn order_state(&self, order_code: &str) -> Option<Document> {
        self.core().document(order_code).cloned()
    }

    /// Sets the ERP's books for the listed (item, inventory type) to the
    /// given figures (opening stock, a stock import at go-live); see
    /// [`ErpCore::set_books`]. Nothing is sent.
    pub fn set_books(
        &self,
        code: &str,
        message: &str,
        figures: &[(ItemCode, InventoryType, i64)],
    ) -> Result<(), ErpError> {
        let events = self.core().set_books(code, message, figures)?;
        self.report(&events);
        Ok(())
    }

    /// Adds the items to the item master and synchronises them to the
    /// warehouse: one `singleitem.synchronize` for a single item, else
    /// `items.synchronize` in batches of [`ITEM_BATCH`]. Stops at the
    /// first batch not accepted and returns its answer.
    pub async fn sync_items(&self, items: &[Item]) -> Result<Answer, CallError> {
        self.core().register_items(items);
        let (owner, warehouse) = (&self.inner.owner_code, &self.inner.warehouse_code);
        if let [item] = items {
            let message =
                messages::SingleItemSynchronize::from_domain(item, "add", owner, warehouse);
            return self.call(&message, None).await.map(|r| answer_of(&r));
        }
        for batch in items.chunks(ITEM_BATCH) {
            let message = messages::ItemsSynchronize::from_domain(batch, "add", owner, warehouse);
            let answer = self.call(&message, None).await.map(|r| items_answer(&r))?;
            if answer != Answer::Accepted {
                return Ok(answer);
            }
        }
        Ok(Answer::Accepted)
    }

    /// Creates an order: records it (locking stock for outbound types),
    /// sends the create its type routes to, and records the answer.
    pub async fn create_order(&self, order: &Order) -> Result<Answer, CallError> {
        let events = self.core().open_order(order)?;
        self.report(&events);

        let code = Some(order.order_code.as_str());
        let answer = match route_of(order.order_type).qimen {
            QimenFamily::EntryOrder => {
                self.send(&messages::EntryOrderCreate::from_domain(order), code)
                    .await
            }
            QimenFamily::ReturnOrder => {
                self.send(&messages::ReturnOrderCreate::from_domain(order), code)
                    .await
            }
            QimenFamily::StockOut => {
                self.send(&messages::StockOutCreate::from_domain(order), code)
                    .await
            }
            QimenFamily::DeliveryOrder => {
                self.send(&messages::DeliveryOrderCreate::from_domain(order), code)
                    .await
            }
            QimenFamily::InventoryReport => Err(CallError::Rejected(ErpError::NotCreatable {
                order_code: order.order_code.clone(),
                order_type: order.order_type,
            })),
        };

        let answer = match answer {
            Ok(answer) => answer,
            Err(error) => {
                // Nothing was sent: undo the record as if refused.
                let why = Answer::Refused(error.to_string());
                self.record(|core| core.record_create(&order.order_code, &why));
                return Err(error);
            }
        };
        self.record(|core| core.record_create(&order.order_code, &answer));
        Ok(answer)
    }

    /// Asks the warehouse to cancel an order. Accepted: the order closes
    /// and its locks are released. Refused or given up: it stays open.
    pub async fn cancel_order(&self, order_code: &str) -> Result<Answer, CallError> {
        let cancel = self.core().begin_cancel(order_code)?;
        let message = messages::OrderCancel::from_domain(&cancel);

        let answer = self.send(&message, Some(order_code)).await?;

        self.record(|core| core.record_cancel(order_code, &answer));
        Ok(answer)
    }

    /// Asks the warehouse for the stock of `items` (`inventory.query`).
    pub async fn query_inventory(&self, items: &[ItemCode]) -> Result<Vec<StockRow>, CallError> {
        let criteria: Vec<messages::inventory::Criteria> = items
            .iter()
            .map(|item| messages::inventory::Criteria {
                warehouse_code: Some(self.inner.warehouse_code.clone()),
                owner_code: Some(self.inner.owner_code.clone()),
                item_code: item.0.clone(),
                ..Default::default()
            })
            .collect();
        let message = messages::InventoryQuery {
            criteria_list: criteria.into(),
            ..Default::default()
        };
        let method = Method::InventoryQuery.as_str();

        let response = self.call(&message, None).await?;

        if !response.is_success() {
            let reason = format!("{} {}", response.code, response.message);
            return Err(CallError::Refused { method, reason });
        }
        Ok(response.items.list.iter().map(stock_row).collect())
    }

    /// Sends a message and reads the gateway's verdict; a give-up is an
    /// answer here, not an error.
    async fn send<M: Message>(&self, message: &M, code: Option<&str>) -> Result<Answer, CallError> {
        match self.call(message, code).await {
            Ok(response) => Ok(answer_of(&response)),
            Err(CallError::GaveUp { reason, .. }) => Ok(Answer::GaveUp(reason)),
            Err(other) => Err(other),
        }
    }

    /// Signs and posts `message`, retrying per the module rules, and
    /// returns the gateway's response.
    async fn call<M: Message>(
        &self,
        message: &M,
        order_code: Option<&str>,
    ) -> Result<Response, CallError> {
        let method = M::METHOD.as_str();
        let short = short_name(M::METHOD);
        let mut attempt = 0u32;
        let mut failures = 0u32;
        loop {
            attempt += 1;
            let signed = qimen::sign_request(&self.inner.credentials, message, now_gmt8())
                .map_err(|source| CallError::Encode { method, source })?;
            let outgoing = Outgoing {
                message: short.to_owned(),
                order_code: order_code.map(str::to_owned),
                query: Some(signed.query),
                content_type: "text/xml;charset=utf-8",
                body: signed.body.into_bytes(),
            };

            let reason = match self.inner.gateway.post(&outgoing, attempt).await {
                Ok(reply) => match Response::parse(&reply.body) {
                    Ok(response) => match response.ban_seconds() {
                        Some(seconds) => {
                            self.wait_out_ban(short, order_code, &response, seconds, attempt)
                                .await;
                            continue;
                        }
                        None => return Ok(response),
                    },
                    Err(e) => format!("HTTP {} with unreadable body: {e}", reply.status),
                },
                Err(e) => e.reason,
            };

            failures += 1;
            if failures >= self.inner.retry.max_attempts {
                return Err(CallError::GaveUp { method, reason });
            }
            let wait = self.inner.retry.backoff(failures, None);
            tracing::warn!(
                party = %Party::Erp,
                msg_type = short,
                order_code = order_code.unwrap_or(""),
                attempt,
                wait_ms = wait.as_millis() as u64,
                reason = %reason,
                "gateway call failed, retrying"
            );
            tokio::time::sleep(wait).await;
        }
    }

    /// FC-21: a throttle is never final; wait at least the ban, longer as
    /// throttles repeat, and keep the gateway's words in the log.
    async fn wait_out_ban(
        &self,
        short: &str,
        order_code: Option<&str>,
        response: &Response,
        seconds: u32,
        attempt: u32,
    ) {
        let ban = Duration::from_secs(u64::from(seconds));
        let wait = self.inner.retry.backoff(1, Some(ban)).max(ban);
        tracing::warn!(
            party = %Party::Erp,
            msg_type = short,
            order_code = order_code.unwrap_or(""),
            attempt,
            code = %response.code,
            gateway_message = %response.message,
            wait_ms = wait.as_millis() as u64,
            "gateway throttled the call, waiting out the ban"
        );
        tokio::time::sleep(wait).await;
    }

    fn core(&self) -> MutexGuard<'_, ErpCore> {
        // A panic while holding the lock is a bug elsewhere; the state it
        // guards is still the last consistent one, since the core changes
        // state only after every check passed.
        self.inner
            .core
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs a core update and reports its events; an error is logged.
    fn record(&self, update: impl FnOnce(&mut ErpCore) -> Result<Vec<PartyEvent>, ErpError>) {
        let result = update(&mut self.core());
        match result {
            Ok(events) => self.report(&events),
            Err(error) => tracing::error!(
                party = %Party::Erp,
                order_code = error.order_code(),
                error = %error,
                "recording an answer failed"
            ),
        }
    }

    fn report(&self, events: &[PartyEvent]) {
        for event in events {
            self.inner.observer.event(event);
        }
    }
}

fn now_gmt8() -> DateTime<FixedOffset> {
    Utc::now().with_timezone(&gmt8())
}

/// `deliveryorder.create` for `taobao.qimen.deliveryorder.create`.
fn short_name(method: Method) -> &'static str {
    method.as_str().trim_start_matches("taobao.qimen.")
}

fn answer_of(response: &Response) -> Answer {
    if response.is_success() {
        Answer::Accepted
    } else {
        Answer::Refused(format!("{} {}", response.code, response.message))
    }
}

/// `items.synchronize` lists failed items even under `success`.
fn items_answer(response: &Response) -> Answer {
    let failed: Vec<String> = response
        .items
        .list
        .iter()
        .map(|i| {
            let code = i.item_code.as_deref().unwrap_or("?");
            format!("{code}: {}", i.message.as_deref().unwrap_or(""))
        })
        .collect();
    match answer_of(response) {
        Answer::Accepted if !failed.is_empty() => Answer::Refused(failed.join("; ")),
        answer => answer,
    }
}

fn stock_row(item: &qimen::response::ResponseItem) -> StockRow {
    let kind = item.inventory_type.as_deref().unwrap_or("ZP");
    StockRow {
        item_code: ItemCode::from(item.item_code.as_deref().unwrap_or("")),
        inventory_type: InventoryType::from_qimen(kind).unwrap_or_default(),
        quantity: item.quantity.unwrap_or(0),
        lock_quantity: item.lock_quantity.unwrap_or(0),
    }
}

/// Why a callback was answered with `failure`.
struct Failure {
    code: FailureCode,
    message: String,
    order_code: String,
}

impl Failure {
    fn protocol(error: &qimen::Error) -> Failure {
        let response = Response::from_error(error);
        Failure {
            code: error.failure_code(),
            message: response.message,
            order_code: String::new(),
        }
    }

    fn business(error: &ErpError) -> Failure {
        let code = match error {
            ErpError::UnknownOrder { .. } => FailureCode::OrderNotExist,
            _ => FailureCode::InvalidParam,
        };
        Failure {
            code,
            message: error.to_string(),
            order_code: error.order_code().to_owned(),
        }
    }
}

async fn callback(
    State(erp): State<Erp>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> impl IntoResponse {
    let mut request = qimen::Request::new(query.as_deref().unwrap_or(""), body);
    let method_name = request.query.get("method").unwrap_or("").to_owned();

    let verdict = erp.handle(&mut request, &headers);

    let response = match verdict {
        Ok(()) => Response::success(),
        Err(failure) => {
            tracing::warn!(
                party = %Party::Erp,
                msg_type = %method_name,
                order_code = %failure.order_code,
                code = failure.code.as_str(),
                reason = %failure.message,
                "callback answered with failure"
            );
            Response::failure_with(failure.code, &failure.message)
        }
    };
    let xml = response.to_xml().unwrap_or_else(|_| {
        // A response has only plain fields; writing it cannot fail, but
        // the answer must go out whatever happens.
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><response><flag>failure</flag>\
         <code>invalid-param</code><message>response not written</message></response>"
            .to_owned()
    });
    ([(header::CONTENT_TYPE, "text/xml;charset=utf-8")], xml)
}

impl Erp {
    /// Checks, decodes and applies one callback; synchronous, so the core
    /// lock is never held across an `.await`.
    fn handle(&self, request: &mut qimen::Request, headers: &HeaderMap) -> Result<(), Failure> {
        if let Some(content_type) = headers.get(header::CONTENT_TYPE) {
            let content_type = content_type.to_str().unwrap_or("");
            request.charset =
                Charset::from_content_type(content_type).map_err(|e| Failure::protocol(&e))?;
        }
        let secret = &self.inner.credentials.secret;
        let method = request
            .verify(secret, now_gmt8(), self.inner.tolerance)
            .map_err(|e| Failure::protocol(&e))?;

        let body = &request.body[..];
        let events = self.apply(method, body)?;
        self.report(&events);
        Ok(())
    }

    fn apply(&self, method: Method, body: &[u8]) -> Result<Vec<PartyEvent>, Failure> {
        let decode = |e: qimen::Error| Failure::protocol(&e);
        match method {
            Method::EntryOrderConfirm => {
                let confirm = messages::EntryOrderConfirm::parse(body)
                    .and_then(|m| m.to_domain())
                    .map_err(decode)?;
                self.apply_confirms(&[confirm])
            }
            Method::ReturnOrderConfirm => {
                let confirm = messages::ReturnOrderConfirm::parse(body)
                    .and_then(|m| m.to_domain())
                    .map_err(decode)?;
                self.apply_confirms(&[confirm])
            }
            Method::StockOutConfirm => {
                let confirm = messages::StockOutConfirm::parse(body)
                    .and_then(|m| m.to_domain())
                    .map_err(decode)?;
                self.apply_confirms(&[confirm])
            }
            Method::DeliveryOrderConfirm => {
                let confirm = messages::DeliveryOrderConfirm::parse(body)
                    .and_then(|m| m.to_domain())
                    .map_err(decode)?;
                self.apply_confirms(&[confirm])
            }
            Method::DeliveryOrderBatchConfirm => {
                let confirms = messages::DeliveryOrderBatchConfirm::parse(body)
                    .and_then(|m| m.to_domain())
                    .map_err(decode)?;
                self.apply_confirms(&confirms)
            }
            Method::InventoryReport => {
                let report = messages::InventoryReport::parse(body).map_err(decode)?;
                let adjustment = report.to_domain().map_err(decode)?;
                let page = report.current_page;
                self.guarded("inventory.report", |core| {
                    core.apply_count(&adjustment, page)
                })
            }
            Method::StockChangeReport => {
                let changes = messages::StockChangeReport::parse(body)
                    .and_then(|m| m.to_domain())
                    .map_err(decode)?;
                let mut events = Vec::new();
                for change in &changes {
                    let applied =
                        self.guarded("stockchange.report", |core| core.apply_stock_change(change));
                    match applied {
                        Ok(more) => events.extend(more),
                        Err(failure) => {
                            self.report(&events);
                            return Err(failure);
                        }
                    }
                }
                Ok(events)
            }
            other => self.apply_report(other, body),
        }
    }

    /// Reports that only annotate documents: statuses, serials, shortages.
    fn apply_report(&self, method: Method, body: &[u8]) -> Result<Vec<PartyEvent>, Failure> {
        let decode = |e: qimen::Error| Failure::protocol(&e);
        match method {
            Method::OrderProcessReport => {
                let message = messages::OrderProcessReport::parse(body).map_err(decode)?;
                if message.is_informational() {
                    // A listed status the ERP keeps no record of.
                    return Ok(Vec::new());
                }
                let report = message.to_domain().map_err(decode)?;
                self.guarded("orderprocess.report", |core| {
                    core.record_status(&report.order_code, report.status)
                        .map(|_| Vec::new())
                })
            }
            Method::SnReport => {
                let report = messages::SnReport::parse(body).map_err(decode)?;
                let code = report.delivery_order.delivery_order_code.clone();
                let serials: Vec<String> = report.items.list.iter().map(|i| i.sn.clone()).collect();
                self.guarded("sn.report", |core| {
                    core.record_serials(&code, &serials).map(|_| Vec::new())
                })
            }
            Method::ItemLackReport => {
                let report = messages::ItemLackReport::parse(body).map_err(decode)?;
                let code = report.delivery_order_code.clone();
                self.guarded("itemlack.report", |core| {
                    for item in &report.items.list {
                        let item_code = ItemCode::from(item.item_code.as_str());
                        core.record_lack(&code, &item_code, item.lack_qty)?;
                    }
                    Ok(Vec::new())
                })
            }
            other => Err(Failure {
                code: FailureCode::UnknownMethod,
                message: format!("the ERP does not take {}", other.as_str()),
                order_code: String::new(),
            }),
        }
    }

    fn apply_confirms(&self, confirms: &[Confirm]) -> Result<Vec<PartyEvent>, Failure> {
        let mut events = Vec::new();
        for confirm in confirms {
            let message = super::core::confirm_name_of(confirm.order_type);
            match self.guarded(&message, |core| core.apply_confirm(confirm)) {
                Ok(more) => events.extend(more),
                Err(failure) => {
                    // Earlier confirms of a batch stay applied; report them.
                    self.report(&events);
                    return Err(failure);
                }
            }
        }
        Ok(events)
    }

    /// Runs a core change under the lock. A ledger refusal is also reported
    /// as an anomaly: the warehouse did something the ERP cannot book.
    ///
    fn guarded(
        &self,
        message: &str,
        change: impl FnOnce(&mut ErpCore) -> Result<Vec<PartyEvent>, ErpError>,
    ) -> Result<Vec<PartyEvent>, Failure> {
        let result = change(&mut self.core());
        result.map_err(|error| {
            if let ErpError::Ledger { .. } = &error {
                self.report(&[PartyEvent {
                    party: Party::Erp,
                    order_code: error.order_code().to_owned(),
                    kind: EventKind::Anomaly,
                    message: message.to_owned(),
                    detail: Some(error.to_string()),
                }]);
            }
            Failure::business(&error)
        })
    }
}
