//! `POST /router/qimen/service`: Qimen calls from the ERP.
//!
//! Each call is checked in this order, every failure answered with its own
//! Qimen code: method known, `customerId` present and registered (its
//! account holds the secret), timestamp fresh (before the sign, FC-07),
//! sign, then the seeded throttle and failure decisions. The body then goes
//! Qimen wire → domain → Cainiao wire, signed with the WMS's secret.
//!
//! Creates are forwarded synchronously: the ERP hears the WMS's verdict.
//! When the WMS gives none (transport failure, timeout, HTTP error,
//! throttling) the push is queued for background retries with bounded
//! back-off and the ERP gets success, as a real gateway that accepted the
//! message would answer; a later give-up is reported as a `GaveUp` event.
//! `order.cancel`, `inventory.query` and item synchronisation are answered
//! with the WMS's verdict, without retries.
//!
//! An injected failure answers `TOP60`, the code a real Qimen gateway was
//! seen using for internal errors; the Qimen codec has no variant for it,
//! and callers read it as a non-retryable failure.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap};
use bytes::Bytes;
use md5::{Digest, Md5};

use super::core::{BookError, Decision, OrderRecord, Registration, RouteError, WmsRoute};
use super::http::{deliver, deliver_or_queue, judge_cainiao, Delivery, Gateway, Inner};
use crate::behaviour::RetryPolicy;
use crate::cainiao::messages::inventory::InventoryCriteria;
use crate::cainiao::messages::{
    ConsignOrderNotify, InventoryQueryResponse, OrderCancelNotify, SkuInfoNotify as SkuInfo,
    StockInOrderNotify, StockOutOrderNotify,
};
use crate::cainiao::{self, MsgType, Payload};
use crate::domain::{Cancel, InventoryType, Item, Order};
use crate::link::Outgoing;
use crate::mapping::{route_of, CainiaoFamily};
use crate::observe::{EventKind, Hop};
use crate::qimen::envelope::{self, QueryParams};
use crate::qimen::messages::{self as qm, Message};
use crate::qimen::response::ResponseItem;
use crate::qimen::{self, Charset, FailureCode, Method, Response};

/// Content type of LINK form posts.
pub(crate) const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded; charset=UTF-8";

/// Why an ERP call was refused.
#[derive(Debug, thiserror::Error)]
pub enum ErpCallError {
    #[error(transparent)]
    Qimen(#[from] qimen::Error),
    #[error(transparent)]
    Route(#[from] RouteError),
    #[error(transparent)]
    Book(#[from] BookError),
    #[error("order `{order_code}` was never created at the gateway")]
    OrderNotExist { order_code: String },
    #[error("throttled: ban will last {seconds} seconds")]
    Throttled { seconds: u32 },
    #[error("injected failure")]
    InjectedFailure,
    #[error("method `{method}` is not served by the gateway")]
    MethodNotServed { method: String },
    #[error("WMS refused: {code} {message}")]
    WmsRefused { code: String, message: String },
    #[error("WMS could not cancel: {reason}")]
    CannotCancel { reason: String },
    #[error("cannot write the Cainiao message: {0}")]
    Cainiao(#[from] cainiao::Error),
}

impl ErpCallError {
    /// The Qimen answer for this error.
    pub fn response(&self) -> Response {
        let message = self.to_string();
        match self {
            ErpCallError::Qimen(e) => Response::from_error(e),
            ErpCallError::Route(RouteError::UnknownCustomer { .. }) => {
                Response::failure_with(FailureCode::UnknownCustomer, &message)
            }
            ErpCallError::Route(_) => Response::failure_with(FailureCode::InvalidParam, &message),
            ErpCallError::Book(_) => Response::failure_with(FailureCode::OrderExist, &message),
            ErpCallError::OrderNotExist { .. } => {
                Response::failure_with(FailureCode::OrderNotExist, &message)
            }
            ErpCallError::Throttled { seconds } => Response::throttled(*seconds),
            ErpCallError::InjectedFailure => Response {
                flag: "failure".into(),
                code: "TOP60".into(),
                message: "qimen inernal error | injected failure".into(),
                ..Response::default()
            },
            ErpCallError::MethodNotServed { .. } => {
                Response::failure_with(FailureCode::UnknownMethod, &message)
            }
            ErpCallError::WmsRefused { .. } => {
                Response::failure_with(FailureCode::InvalidParam, &message)
            }
            ErpCallError::CannotCancel { .. } => {
                Response::failure_with(FailureCode::OrderCannotCancel, &message)
            }
            ErpCallError::Cainiao(_) => Response::failure_with(FailureCode::InvalidField, &message),
        }
    }
}

/// The axum handler.
pub(crate) async fn handle(
    State(gateway): State<Gateway>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> axum::response::Response {
    let query = QueryParams::parse(query.as_deref().unwrap_or(""));
    let method = query.get("method").unwrap_or("").to_owned();

    let answer = match serve(&gateway.inner, query, &headers, body).await {
        Ok(response) => response,
        Err((order_code, error)) => {
            tracing::warn!(
                party = "gateway",
                msg_type = %method,
                order_code = %order_code,
                error = %error,
                "refused an ERP call"
            );
            error.response()
        }
    };
    qimen_reply(&answer)
}

/// Writes a Qimen answer as an HTTP 200 XML response.
pub(crate) fn qimen_reply(answer: &Response) -> axum::response::Response {
    let xml = answer.to_xml().unwrap_or_else(|_| {
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><response><flag>failure</flag>\
         <code>invalid-field</code><message>unwritable answer</message></response>"
            .to_owned()
    });
    ([(header::CONTENT_TYPE, "text/xml;charset=utf-8")], xml).into_response()
}

use axum::response::IntoResponse;

type Refusal = (String, ErpCallError);

fn refusal(order_code: &str) -> impl Fn(ErpCallError) -> Refusal + '_ {
    move |e| (order_code.to_owned(), e)
}

async fn serve(
    inner: &Arc<Inner>,
    query: QueryParams,
    headers: &HeaderMap,
    body: Bytes,
) -> Result<Response, Refusal> {
    let method = authenticate(inner, &query, headers, &body).map_err(refusal(""))?;
    let customer_id = query.customer_id().unwrap_or_default().to_owned();

    match method {
        Method::EntryOrderCreate => {
            let wire = qm::EntryOrderCreate::parse(&body).map_err(into_refusal(""))?;
            let letter = wire.entry_order.order_type.clone();
            let order = wire.to_domain().map_err(into_refusal(""))?;
            create(inner, &customer_id, order, letter, method).await
        }
        Method::ReturnOrderCreate => {
            let wire = qm::ReturnOrderCreate::parse(&body).map_err(into_refusal(""))?;
            let letter = wire.return_order.order_type.clone();
            let order = wire.to_domain().map_err(into_refusal(""))?;
            create(inner, &customer_id, order, letter, method).await
        }
        Method::StockOutCreate => {
            let wire = qm::StockOutCreate::parse(&body).map_err(into_refusal(""))?;
            let letter = Some(wire.delivery_order.order_type.clone());
            let order = wire.to_domain().map_err(into_refusal(""))?;
            create(inner, &customer_id, order, letter, method).await
        }
        Method::DeliveryOrderCreate => {
            let wire = qm::DeliveryOrderCreate::parse(&body).map_err(into_refusal(""))?;
            let letter = Some(wire.delivery_order.order_type.clone());
            let order = wire.to_domain().map_err(into_refusal(""))?;
            create(inner, &customer_id, order, letter, method).await
        }
        Method::OrderCancel => {
            let wire = qm::OrderCancel::parse(&body).map_err(into_refusal(""))?;
            let code = wire.order_code.clone();
            cancel(inner, &customer_id, &wire)
                .await
                .map_err(refusal(&code))
        }
        Method::InventoryQuery => {
            let wire = qm::InventoryQuery::parse(&body).map_err(into_refusal(""))?;
            query_inventory(inner, &customer_id, &wire)
                .await
                .map_err(refusal(""))
        }
        Method::SingleItemSynchronize => {
            let wire = qm::SingleItemSynchronize::parse(&body).map_err(into_refusal(""))?;
            let item = wire.to_domain().map_err(into_refusal(""))?;
            let route = inner
                .table
                .route(&customer_id, &wire.warehouse_code)
                .map_err(|e| (String::new(), e.into()))?
                .clone();
            sync_items(inner, &route, &[item])
                .await
                .map_err(refusal(""))
        }
        Method::ItemsSynchronize => {
            let wire = qm::ItemsSynchronize::parse(&body).map_err(into_refusal(""))?;
            let items = wire.to_domain().map_err(into_refusal(""))?;
            let route = inner
                .table
                .route(&customer_id, &wire.warehouse_code)
                .map_err(|e| (String::new(), e.into()))?
                .clone();
            sync_items(inner, &route, &items).await.map_err(refusal(""))
        }
        other => Err((
            String::new(),
            ErpCallError::MethodNotServed {
                method: other.as_str().to_owned(),
            },
        )),
    }
}

fn into_refusal<E: Into<ErpCallError>>(order_code: &str) -> impl Fn(E) -> Refusal + '_ {
    move |e| (order_code.to_owned(), e.into())
}

/// Checks method, customer, timestamp and sign, then draws the seeded
/// throttle and failure decision.
fn authenticate(
    inner: &Inner,
    query: &QueryParams,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<Method, ErpCallError> {
    let method = query.method()?;
    let customer_id = query.customer_id().filter(|c| !c.trim().is_empty());
    let customer_id = customer_id.ok_or_else(|| qimen::Error::MissingParam {
        name: "customerId".into(),
    })?;
    let erp = inner.table.erp(customer_id)?;

    let charset = match headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    {
        Some(content_type) => Charset::from_content_type(content_type)?,
        None => Charset::Utf8,
    };
    let request = qimen::Request {
        query: query.clone(),
        body: body.clone(),
        charset,
    };
    let now = chrono::Utc::now().with_timezone(&envelope::gmt8());
    let tolerance = chrono::Duration::from_std(inner.settings.timestamp_tolerance)
        .unwrap_or_else(|_| chrono::Duration::minutes(envelope::DEFAULT_TOLERANCE_MINUTES));
    request.verify(&erp.secret, now, tolerance)?;

    let key = format!("{}:{}", method.as_str(), hex::encode(Md5::digest(body)));
    match inner.lock().decider.decide(&key) {
        Decision::Pass => Ok(method),
        Decision::Throttle { ban } => Err(ErpCallError::Throttled {
            seconds: ban.as_secs() as u32,
        }),
        Decision::Fail => Err(ErpCallError::InjectedFailure),
    }
}

/// Registers a create, pushes the notify and answers with the WMS's
/// verdict, or with success once a push without verdict is queued.
async fn create(
    inner: &Arc<Inner>,
    customer_id: &str,
    order: Order,
    letter: Option<String>,
    method: Method,
) -> Result<Response, Refusal> {
    let code = order.order_code.clone();
    let route = inner
        .table
        .route(customer_id, &order.warehouse_code)
        .map_err(into_refusal(&code))?
        .clone();
    let letter = letter
        .filter(|l| !l.trim().is_empty())
        .unwrap_or_else(|| route_of(order.order_type).letter.to_owned());
    let registration = inner
        .lock()
        .book
        .register(customer_id, &order, letter.trim(), &route)
        .map_err(into_refusal(&code))?;
    let record = registration.record().clone();

    let (msg_type, xml) = notify_payload(&order, &record, &route).map_err(into_refusal(&code))?;
    let outgoing = wms_outgoing(inner, &route, msg_type, xml, Some(&code));
    let ticket = inner.begin(Hop::GatewayToWms, Some(&code));
    let link = inner.link(Hop::GatewayToWms, &route.wms_url).clone();
    let delivery = deliver_or_queue(inner, link, outgoing, ticket, judge_cainiao).await;

    let message = method.as_str();
    match delivery {
        None | Some(Delivery::Delivered(_)) => {
            inner.event(&code, EventKind::Accepted, message, None);
            Ok(create_response(method, &record, &route))
        }
        Some(Delivery::Refused {
            code: c,
            message: m,
        }) => refuse_create(inner, &registration, method, c, m),
        Some(Delivery::GaveUp { reason }) => {
            refuse_create(inner, &registration, method, "no-verdict".into(), reason)
        }
    }
}

/// The WMS refused a create: forget a new order so the ERP may fix and
/// send it again.
fn refuse_create(
    inner: &Inner,
    registration: &Registration,
    method: Method,
    code: String,
    message: String,
) -> Result<Response, Refusal> {
    let record = registration.record();
    if let Registration::New(_) = registration {
        inner.lock().book.forget(&record.cainiao_order_code);
    }
    let detail = Some(format!("{code}: {message}"));
    let order_code = &record.erp_order_code;
    inner.event(order_code, EventKind::Refused, method.as_str(), detail);
    Err((
        order_code.clone(),
        ErpCallError::WmsRefused { code, message },
    ))
}

/// The Cainiao notify for an order, with the Cainiao owner and store codes
/// standing for the Qimen ones.
fn notify_payload(
    order: &Order,
    record: &OrderRecord,
    route: &WmsRoute,
) -> Result<(MsgType, String), cainiao::Error> {
    let cainiao_order = Order {
        owner_code: route.owner_user_id.clone(),
        warehouse_code: route.store_code.clone(),
        ..order.clone()
    };
    let code = &record.cainiao_order_code;
    match route_of(order.order_type).cainiao {
        CainiaoFamily::StockIn => {
            let payload = StockInOrderNotify::from_order(&cainiao_order, code);
            Ok((MsgType::StockInOrderNotify, payload.to_xml()?))
        }
        CainiaoFamily::StockOut => {
            let payload = StockOutOrderNotify::from_order(&cainiao_order, code);
            Ok((MsgType::StockOutOrderNotify, payload.to_xml()?))
        }
        CainiaoFamily::Consign => {
            let payload = ConsignOrderNotify::from_order(&cainiao_order, code);
            Ok((MsgType::ConsignOrderNotify, payload.to_xml()?))
        }
        CainiaoFamily::InventoryCount => Err(cainiao::Error::OrderTypeNotAllowed {
            msg_type: "notify".into(),
            code: order.order_type.code(),
        }),
    }
}

/// A signed LINK push to the route's WMS with a fresh `msg_id`.
pub(crate) fn wms_outgoing(
    inner: &Inner,
    route: &WmsRoute,
    msg_type: MsgType,
    xml: String,
    order_code: Option<&str>,
) -> Outgoing {
    let form = cainiao::Message::new(msg_type, xml)
        .msg_id(inner.next_msg_id())
        .provider_id(route.provider_id.clone())
        .partner_code(route.owner_user_id.clone())
        .sign(&route.secret);
    Outgoing {
        message: msg_type.as_str().to_owned(),
        order_code: order_code.map(str::to_owned),
        query: None,
        content_type: FORM_CONTENT_TYPE,
        body: form.to_body().into_bytes(),
    }
}

/// Success with the ids a create answer carries; the Cainiao `orderCode`
/// stands as the warehouse's id.
fn create_response(method: Method, record: &OrderRecord, route: &WmsRoute) -> Response {
    let id = Some(record.cainiao_order_code.clone());
    let mut response = Response::success();
    match method {
        Method::EntryOrderCreate => response.entry_order_id = id,
        Method::ReturnOrderCreate => response.return_order_id = id,
        _ => {
            response.delivery_order_id = id;
            response.warehouse_code = Some(route.warehouse_code.clone());
        }
    }
    response
}

/// Pushes once and waits for the verdict; the message is counted while
/// it is out.
async fn push_now(
    inner: &Arc<Inner>,
    route: &WmsRoute,
    msg_type: MsgType,
    xml: String,
    order_code: Option<&str>,
) -> Delivery {
    let outgoing = wms_outgoing(inner, route, msg_type, xml, order_code);
    let ticket = inner.begin(Hop::GatewayToWms, order_code);
    let once = RetryPolicy {
        max_attempts: 1,
        ..inner.retry_policy().clone()
    };
    let link = inner.link(Hop::GatewayToWms, &route.wms_url);

    let delivery = deliver(link, &outgoing, &once, 1, judge_cainiao).await;

    inner.end(&ticket);
    delivery
}

/// `order.cancel`: answered with the WMS's verdict.
async fn cancel(
    inner: &Arc<Inner>,
    customer_id: &str,
    wire: &qm::OrderCancel,
) -> Result<Response, ErpCallError> {
    let cancel = wire.to_domain()?;
    let record = inner
        .lock()
        .book
        .by_erp(customer_id, &cancel.order_code)
        .cloned();
    let record = record.ok_or_else(|| ErpCallError::OrderNotExist {
        order_code: cancel.order_code.clone(),
    })?;
    let route = inner
        .table
        .route(customer_id, &record.warehouse_code)?
        .clone();
    let notify = OrderCancelNotify::from_cancel(
        &Cancel {
            order_type: record.order_type,
            owner_code: record.owner_user_id.clone(),
            warehouse_code: record.store_code.clone(),
            ..cancel
        },
        &record.cainiao_order_code,
    );

    let code = record.erp_order_code.as_str();
    let xml = notify.to_xml()?;
    let delivery = push_now(inner, &route, MsgType::OrderCancelNotify, xml, Some(code)).await;

    let message = Method::OrderCancel.as_str();
    match delivery {
        Delivery::Delivered(_) => {
            inner.lock().book.mark_cancelled(&record.cainiao_order_code);
            inner.event(code, EventKind::Cancelled, message, None);
            Ok(Response::success())
        }
        Delivery::Refused {
            code: c,
            message: m,
        } => Err(ErpCallError::CannotCancel {
            reason: format!("{c}: {m}"),
        }),
        Delivery::GaveUp { reason } => Err(ErpCallError::CannotCancel {
            reason: format!("the WMS gave no verdict: {reason}"),
        }),
    }
}

/// `inventory.query`: forwarded as `WMS_INVENTORY_QUERY`, answered from
/// the WMS's reply.
async fn query_inventory(
    inner: &Arc<Inner>,
    customer_id: &str,
    wire: &qm::InventoryQuery,
) -> Result<Response, ErpCallError> {
    let criteria = &wire.criteria_list.list;
    let warehouse = criteria.iter().find_map(|c| c.warehouse_code.as_deref());
    let route = inner.table.route_for(customer_id, warehouse)?.clone();
    let mut wanted = Vec::new();
    for c in criteria {
        let inventory_type = match c.inventory_type.as_deref() {
            Some(letter) => Some(InventoryType::from_qimen(letter).ok_or_else(|| {
                qimen::Error::UnknownInventoryType {
                    field: "criteria.inventoryType".into(),
                    code: letter.to_owned(),
                }
            })?),
            None => None,
        };
        wanted.push(InventoryCriteria {
            item_code: Some(c.item_code.clone()),
            item_id: c.item_id.clone(),
            inventory_type: inventory_type.map(InventoryType::cainiao_code),
        });
    }
    let payload = cainiao::messages::InventoryQuery {
        owner_user_id: Some(route.owner_user_id.clone()),
        store_code: Some(route.store_code.clone()),
        criteria: wanted,
    };

    let xml = payload.to_xml()?;
    let delivery = push_now(inner, &route, MsgType::InventoryQuery, xml, None).await;

    let reply = match delivery {
        Delivery::Delivered(reply) => reply,
        Delivery::Refused { code, message } => {
            return Err(ErpCallError::WmsRefused { code, message })
        }
        Delivery::GaveUp { reason } => {
            return Err(ErpCallError::WmsRefused {
                code: "no-verdict".into(),
                message: reason,
            })
        }
    };
    let levels = InventoryQueryResponse::parse(&reply.body)?;
    inventory_answer(&levels, &route)
}

fn inventory_answer(
    levels: &InventoryQueryResponse,
    route: &WmsRoute,
) -> Result<Response, ErpCallError> {
    let mut response = Response::success();
    for level in &levels.items {
        let inventory_type = level.inventory_type()?;
        response.items.list.push(ResponseItem {
            warehouse_code: Some(route.warehouse_code.clone()),
            item_code: level.item_code.clone(),
            item_id: level.item_id.clone(),
            inventory_type: Some(inventory_type.qimen_code().to_owned()),
            quantity: Some(i64::from(level.quantity)),
            lock_quantity: level.lock_quantity.map(i64::from),
            batch_code: level.batch_code.clone(),
            ..ResponseItem::default()
        });
    }
    Ok(response)
}

/// Item synchronisation: one `WMS_SKU_INFO_NOTIFY` per item; the answer
/// lists the items the WMS refused, as `items.synchronize` does.
async fn sync_items(
    inner: &Arc<Inner>,
    route: &WmsRoute,
    items: &[Item],
) -> Result<Response, ErpCallError> {
    let mut response = Response::success();
    for item in items {
        let xml = SkuInfo::from_item(item, &route.owner_user_id).to_xml()?;
        let delivery = push_now(inner, route, MsgType::SkuInfoNotify, xml, None).await;
        let failure = match delivery {
            Delivery::Delivered(_) => continue,
            Delivery::Refused { code, message } => format!("{code}: {message}"),
            Delivery::GaveUp { reason } => reason,
        };
        response.items.list.push(ResponseItem {
            item_code: Some(item.item_code.0.clone()),
            message: Some(failure),
            ..ResponseItem::default()
        });
    }
    if items.len() == 1 && !response.items.list.is_empty() {
        let message = response.items.list[0].message.clone().unwrap_or_default();
        return Err(ErpCallError::WmsRefused {
            code: "item".into(),
            message,
        });
    }
    Ok(response)
}
