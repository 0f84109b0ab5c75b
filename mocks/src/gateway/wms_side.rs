//! `POST /gateway/link.do`: LINK uploads from the WMS.
//!
//! Each upload is read once from the form, its `data_digest` checked with
//! the secret of its `logistic_provider_id`, its payload decoded, then:
//! - confirms name an `orderCode` the gateway notified, or are refused;
//!   they are de-duplicated on (order, `outBizCode`) and translated with
//!   the order type stored at notify time (cainiao.md §6): STOCK_IN →
//!   `entryorder.confirm` or `returnorder.confirm`, CONSIGN →
//!   `deliveryorder.confirm` (+ `sn.report` when lines carry serials),
//!   STOCK_OUT → `stockout.confirm`;
//! - status uploads become `orderprocess.report`, plus `itemlack.report`
//!   on `WMS_LACK`;
//! - counts become `inventory.report` (CHECK) and inventory-type moves
//!   `stockchange.report`, routed by owner and store, de-duplicated on
//!   (count code, `outBizCode`).
//!
//! The Qimen calls are signed with the ERP's secret and queued for the
//! ERP's callback with retries; the WMS is answered once they are queued.
//! A copy of an upload already seen is answered with success and forwarded
//! no further; a different upload under a seen `outBizCode` gets `S0005`.

use std::sync::Arc;

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use bytes::Bytes;

use super::core::{DedupeVerdict, ErpAccount, OrderRecord, RouteError, WmsRoute};
use super::http::{judge_qimen, queue, Gateway, Inner};
use crate::cainiao::messages::{
    ConsignOrderConfirm, InventoryAdjustUpload, InventoryCount, OrderStatusUpload,
    StockInOrderConfirm, StockOutOrderConfirm,
};
use crate::cainiao::{self, Form, MsgType, Payload, Response, ResponseCode};
use crate::domain::{Confirm, OrderStatus, StockAdjustment};
use crate::link::Outgoing;
use crate::observe::{EventKind, Hop};
use crate::qimen::envelope::gmt8;
use crate::qimen::messages::{self as qm, Message};
use crate::qimen::{self, Credentials, SignMethod};

/// Why a WMS upload was refused.
#[derive(Debug, thiserror::Error)]
pub enum WmsCallError {
    #[error(transparent)]
    Cainiao(#[from] cainiao::Error),
    #[error(transparent)]
    Route(#[from] RouteError),
    #[error("orderCode `{order_code}` was never notified by the gateway")]
    NeverNotified { order_code: String },
    #[error("order `{order_code}` was cancelled")]
    Cancelled { order_code: String },
    #[error("outBizCode `{out_biz_code}` was already used with different content")]
    Conflict { out_biz_code: String },
    #[error("{msg_type} is not accepted at the gateway")]
    NotAccepted { msg_type: String },
    #[error("cannot write the Qimen call: {0}")]
    Qimen(#[from] qimen::Error),
}

impl WmsCallError {
    /// The LINK answer for this error.
    pub fn response(&self) -> Response {
        let message = self.to_string();
        match self {
            WmsCallError::Cainiao(e) => Response::from_error(e),
            WmsCallError::Route(RouteError::UnknownProvider { .. }) => {
                Response::failure(ResponseCode::DigestMismatch, message)
            }
            WmsCallError::Route(_) => Response::failure(ResponseCode::MissingField, message),
            WmsCallError::NeverNotified { .. } | WmsCallError::Cancelled { .. } => {
                Response::failure(ResponseCode::BusinessRefusal, message)
            }
            WmsCallError::Conflict { .. } => {
                Response::failure(ResponseCode::DuplicateOutBizCode, message)
            }
            WmsCallError::NotAccepted { .. } => {
                Response::failure(ResponseCode::UnknownMsgType, message)
            }
            WmsCallError::Qimen(_) => Response::failure(ResponseCode::Downstream, message),
        }
    }
}

type Refusal = Box<(String, String, WmsCallError)>;

/// The axum handler.
pub(crate) async fn handle(
    State(gateway): State<Gateway>,
    body: Bytes,
) -> axum::response::Response {
    let answer = match serve(&gateway.inner, &body) {
        Ok(()) => Response::ok(),
        Err(refusal) => {
            let (msg_type, order_code, error) = *refusal;
            tracing::warn!(
                party = "gateway",
                msg_type = %msg_type,
                order_code = %order_code,
                error = %error,
                "refused a WMS upload"
            );
            error.response()
        }
    };
    let xml = answer.to_xml().unwrap_or_else(|_| {
        "<response><success>false</success><errorCode>S008</errorCode></response>".into()
    });
    ([(header::CONTENT_TYPE, "text/xml;charset=utf-8")], xml).into_response()
}

fn serve(inner: &Arc<Inner>, body: &[u8]) -> Result<(), Refusal> {
    let form = Form::parse(body).map_err(|e| Box::new((String::new(), String::new(), e.into())))?;
    let msg_type = form.msg_type;
    let fail =
        |code: &str, e: WmsCallError| Box::new((msg_type.as_str().to_owned(), code.to_owned(), e));
    let provider = form.logistic_provider_id.clone().unwrap_or_default();
    let secret = inner
        .table
        .provider_secret(&provider)
        .map_err(|e| fail("", e.into()))?;
    form.verify(secret).map_err(|e| fail("", e.into()))?;

    let payload = form.logistics_interface.as_bytes();
    match msg_type {
        MsgType::StockInOrderConfirm => {
            let wire = StockInOrderConfirm::parse(payload).map_err(|e| fail("", e.into()))?;
            let record = notified(inner, &wire.order_code).map_err(|e| fail("", e))?;
            let confirm = wire.to_confirm(&record.erp_order_code);
            let confirm = confirm.map_err(|e| fail(&record.erp_order_code, e.into()))?;
            forward_confirm(inner, msg_type, &record, confirm)
                .map_err(|e| fail(&record.erp_order_code, e))
        }
        MsgType::StockOutOrderConfirm => {
            let wire = StockOutOrderConfirm::parse(payload).map_err(|e| fail("", e.into()))?;
            let record = notified(inner, &wire.order_code).map_err(|e| fail("", e))?;
            let confirm = wire.to_confirm(&record.erp_order_code);
            let confirm = confirm.map_err(|e| fail(&record.erp_order_code, e.into()))?;
            forward_confirm(inner, msg_type, &record, confirm)
                .map_err(|e| fail(&record.erp_order_code, e))
        }
        MsgType::ConsignOrderConfirm => {
            let wire = ConsignOrderConfirm::parse(payload).map_err(|e| fail("", e.into()))?;
            let record = notified(inner, &wire.order_code).map_err(|e| fail("", e))?;
            let confirm = wire.to_confirm(&record.erp_order_code);
            let confirm = confirm.map_err(|e| fail(&record.erp_order_code, e.into()))?;
            forward_confirm(inner, msg_type, &record, confirm)
                .map_err(|e| fail(&record.erp_order_code, e))
        }
        MsgType::OrderStatusUpload => {
            let wire = OrderStatusUpload::parse(payload).map_err(|e| fail("", e.into()))?;
            let record = notified(inner, &wire.order_code).map_err(|e| fail("", e))?;
            forward_status(inner, &record, &wire).map_err(|e| fail(&record.erp_order_code, e))
        }
        MsgType::InventoryCount => {
            let wire = InventoryCount::parse(payload).map_err(|e| fail("", e.into()))?;
            let route = inner
                .table
                .route_by_store(
                    &provider,
                    wire.owner_user_id.as_deref(),
                    wire.store_code.as_deref(),
                )
                .map_err(|e| fail("", e.into()))?
                .clone();
            let adjustment = wire.to_adjustment().map_err(|e| fail("", e.into()))?;
            forward_adjustment(inner, msg_type, &route, adjustment).map_err(|e| fail("", e))
        }
        MsgType::InventoryAdjustUpload => {
            let wire = InventoryAdjustUpload::parse(payload).map_err(|e| fail("", e.into()))?;
            let route = inner
                .table
                .route_by_store(
                    &provider,
                    wire.owner_user_id.as_deref(),
                    wire.store_code.as_deref(),
                )
                .map_err(|e| fail("", e.into()))?
                .clone();
            let adjustment = wire.to_adjustment().map_err(|e| fail("", e.into()))?;
            forward_adjustment(inner, msg_type, &route, adjustment).map_err(|e| fail("", e))
        }
        other => Err(fail(
            "",
            WmsCallError::NotAccepted {
                msg_type: other.as_str().to_owned(),
            },
        )),
    }
}

/// The record of a notified order, by Cainiao `orderCode`.
fn notified(inner: &Inner, cainiao_order_code: &str) -> Result<OrderRecord, WmsCallError> {
    let record = inner.lock().book.by_cainiao(cainiao_order_code).cloned();
    record.ok_or_else(|| WmsCallError::NeverNotified {
        order_code: cainiao_order_code.to_owned(),
    })
}

/// De-duplicates a confirm, then queues its Qimen calls.
fn forward_confirm(
    inner: &Arc<Inner>,
    msg_type: MsgType,
    record: &OrderRecord,
    mut confirm: Confirm,
) -> Result<(), WmsCallError> {
    if record.cancelled {
        return Err(WmsCallError::Cancelled {
            order_code: record.erp_order_code.clone(),
        });
    }
    if confirm.order_type != record.order_type {
        tracing::warn!(
            party = "gateway",
            msg_type = msg_type.as_str(),
            order_code = %record.erp_order_code,
            sent = confirm.order_type.code(),
            stored = record.order_type.code(),
            "confirm orderType differs from the notify; using the notified type"
        );
        confirm.order_type = record.order_type;
    }
    let erp = inner.table.erp(&record.customer_id)?.clone();
    let calls = qimen_confirm_calls(&erp, record, &confirm)?;

    let content = format!("{confirm:?}");
    let code = &record.cainiao_order_code;
    let verdict =
        inner
            .lock()
            .dedupe
            .check(msg_type.as_str(), code, &confirm.out_biz_code, &content);
    match verdict {
        DedupeVerdict::New => {
            for call in calls {
                send_to_erp(inner, &erp, call);
            }
            Ok(())
        }
        DedupeVerdict::Duplicate => {
            let detail = Some(format!("outBizCode {}", confirm.out_biz_code));
            inner.event(
                &record.erp_order_code,
                EventKind::Duplicate,
                msg_type.as_str(),
                detail,
            );
            Ok(())
        }
        DedupeVerdict::Conflict => Err(WmsCallError::Conflict {
            out_biz_code: confirm.out_biz_code.clone(),
        }),
    }
}

/// The signed Qimen calls a confirm becomes, with the ERP's own letter.
fn qimen_confirm_calls(
    erp: &ErpAccount,
    record: &OrderRecord,
    confirm: &Confirm,
) -> Result<Vec<Outgoing>, WmsCallError> {
    let (owner, warehouse) = (record.owner_code.as_str(), record.warehouse_code.as_str());
    let order_code = Some(record.erp_order_code.as_str());
    let letter = record.letter.clone();
    let family = crate::mapping::route_of(record.order_type).qimen;
    use crate::mapping::QimenFamily as F;
    let mut calls = Vec::new();
    match family {
        F::EntryOrder => {
            let mut wire = qm::EntryOrderConfirm::from_domain(confirm, owner, warehouse);
            wire.entry_order.entry_order_type = Some(letter);
            calls.push(qimen_outgoing(erp, &wire, order_code)?);
        }
        F::ReturnOrder => {
            let mut wire = qm::ReturnOrderConfirm::from_domain(confirm, owner, warehouse);
            wire.return_order.order_type = Some(letter);
            calls.push(qimen_outgoing(erp, &wire, order_code)?);
        }
        F::StockOut => {
            let mut wire = qm::StockOutConfirm::from_domain(confirm, owner, warehouse);
            wire.delivery_order.order_type = letter;
            calls.push(qimen_outgoing(erp, &wire, order_code)?);
        }
        F::DeliveryOrder => {
            let mut wire = qm::DeliveryOrderConfirm::from_domain(confirm, owner, warehouse);
            wire.delivery_order.order_type = letter.clone();
            calls.push(qimen_outgoing(erp, &wire, order_code)?);
            if let Some(report) = sn_report(record, confirm) {
                calls.push(qimen_outgoing(erp, &report, order_code)?);
            }
        }
        F::InventoryReport => {}
    }
    Ok(calls)
}

/// `sn.report` for the serials a shipment's lines carry, if any.
fn sn_report(record: &OrderRecord, confirm: &Confirm) -> Option<qm::SnReport> {
    let items: Vec<qm::report::SnItem> = confirm
        .lines
        .iter()
        .flat_map(|line| {
            line.serials.iter().map(|sn| qm::report::SnItem {
                item_code: line.item_code.0.clone(),
                item_id: None,
                sn: sn.clone(),
            })
        })
        .collect();
    if items.is_empty() {
        return None;
    }
    Some(qm::SnReport {
        total_page: 1,
        current_page: 1,
        page_size: items.len() as u32,
        delivery_order: qm::report::SnDeliveryOrder {
            delivery_order_code: record.erp_order_code.clone(),
            delivery_order_id: Some(record.cainiao_order_code.clone()),
            warehouse_code: record.warehouse_code.clone(),
            owner_code: Some(record.owner_code.clone()),
            order_type: record.letter.clone(),
            out_biz_code: Some(confirm.out_biz_code.clone()),
        },
        items: items.into(),
        ..qm::SnReport::default()
    })
}

/// `orderprocess.report`, and `itemlack.report` on a shortage.
fn forward_status(
    inner: &Arc<Inner>,
    record: &OrderRecord,
    wire: &OrderStatusUpload,
) -> Result<(), WmsCallError> {
    let mut report = wire.to_status_report(&record.erp_order_code)?;
    report.order_type = record.order_type;
    let erp = inner.table.erp(&record.customer_id)?.clone();
    let order_code = Some(record.erp_order_code.as_str());

    let mut process = qm::OrderProcessReport::from_domain(&report, &record.warehouse_code);
    process.order.order_type = Some(record.letter.clone());
    process.order.order_id = Some(record.cainiao_order_code.clone());
    let mut calls = vec![qimen_outgoing(&erp, &process, order_code)?];
    if report.status == OrderStatus::Lack {
        // TODO: name the short items and quantities, because a status
        // upload carries no item list; the ERP learns which order is short.
        let lack = qm::ItemLackReport {
            warehouse_code: record.warehouse_code.clone(),
            delivery_order_code: record.erp_order_code.clone(),
            delivery_order_id: Some(record.cainiao_order_code.clone()),
            create_time: report.operated_at.clone(),
            out_biz_code: format!("{}-LACK-{}", record.cainiao_order_code, report.operated_at),
            ..qm::ItemLackReport::default()
        };
        calls.push(qimen_outgoing(&erp, &lack, order_code)?);
    }

    for call in calls {
        send_to_erp(inner, &erp, call);
    }
    Ok(())
}

/// `inventory.report` for a count, `stockchange.report` for a move.
fn forward_adjustment(
    inner: &Arc<Inner>,
    msg_type: MsgType,
    route: &WmsRoute,
    adjustment: StockAdjustment,
) -> Result<(), WmsCallError> {
    let erp = inner.table.erp(&route.customer_id)?.clone();
    let code = adjustment.adjustment_code.clone();
    let call = if adjustment.order_type.is_some() {
        let report =
            qm::InventoryReport::from_domain(&adjustment, &route.owner_code, &route.warehouse_code);
        qimen_outgoing(&erp, &report, Some(&code))?
    } else {
        qimen_outgoing(&erp, &stock_change(&adjustment, route), Some(&code))?
    };

    let content = format!("{adjustment:?}");
    let verdict =
        inner
            .lock()
            .dedupe
            .check(msg_type.as_str(), &code, &adjustment.out_biz_code, &content);
    match verdict {
        DedupeVerdict::New => {
            send_to_erp(inner, &erp, call);
            Ok(())
        }
        DedupeVerdict::Duplicate => {
            let detail = Some(format!("outBizCode {}", adjustment.out_biz_code));
            inner.event(&code, EventKind::Duplicate, msg_type.as_str(), detail);
            Ok(())
        }
        DedupeVerdict::Conflict => Err(WmsCallError::Conflict {
            out_biz_code: adjustment.out_biz_code,
        }),
    }
}

/// One `stockchange.report` item per line; every item carries the move's
/// code and `outBizCode`, so the report reads back as one adjustment.
fn stock_change(adjustment: &StockAdjustment, route: &WmsRoute) -> qm::StockChangeReport {
    let items: Vec<qm::inventory::StockChangeItem> = adjustment
        .lines
        .iter()
        .map(|line| qm::inventory::StockChangeItem {
            owner_code: route.owner_code.clone(),
            warehouse_code: route.warehouse_code.clone(),
            order_code: adjustment.adjustment_code.clone(),
            out_biz_code: adjustment.out_biz_code.clone(),
            item_code: line.item_code.0.clone(),
            inventory_type: Some(line.inventory_type.qimen_code().to_owned()),
            quantity: line.delta,
            batch_code: line.lot.batch_code.clone(),
            product_date: line.lot.product_date.clone(),
            expire_date: line.lot.expire_date.clone(),
            produce_code: line.lot.produce_code.clone(),
            change_time: Some(adjustment.adjusted_at.clone()).filter(|t| !t.is_empty()),
            ..Default::default()
        })
        .collect();
    qm::StockChangeReport {
        items: items.into(),
        ..qm::StockChangeReport::default()
    }
}

/// A Qimen call to the ERP's callback, signed with the ERP's secret now.
fn qimen_outgoing<M: Message>(
    erp: &ErpAccount,
    message: &M,
    order_code: Option<&str>,
) -> Result<Outgoing, qimen::Error> {
    let credentials = Credentials {
        app_key: erp.app_key.clone(),
        secret: erp.secret.clone(),
        customer_id: erp.customer_id.clone(),
        sign_method: SignMethod::Md5,
    };
    let now = chrono::Utc::now().with_timezone(&gmt8());
    let signed = qimen::sign_request(&credentials, message, now)?;
    let name = M::METHOD.as_str();
    Ok(Outgoing {
        message: name.trim_start_matches("taobao.qimen.").to_owned(),
        order_code: order_code.map(str::to_owned),
        query: Some(signed.query),
        content_type: "text/xml;charset=utf-8",
        body: signed.body.into_bytes(),
    })
}

/// Queues a call for the ERP's callback; counted until delivered.
fn send_to_erp(inner: &Arc<Inner>, erp: &ErpAccount, call: Outgoing) {
    let ticket = inner.begin(Hop::GatewayToErp, call.order_code.as_deref());
    let link = inner.link(Hop::GatewayToErp, &erp.callback_url).clone();
    queue(inner, link, call, ticket, 1, judge_qimen);
}
