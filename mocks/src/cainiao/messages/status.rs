//! `WMS_ORDER_STATUS_UPLOAD`: the WMS reports an order's progress.
//!
//! Reading accepts every status of the spec's table (§5); converting to
//! the domain uses [`crate::mapping::status_from_cainiao`], and a status
//! the domain has no counterpart for (`WMS_TALLING`, `WMS_UNKNOWN`, …) is
//! an [`Error::UnknownStatus`] there.

use serde::{Deserialize, Serialize};

use super::{order_type, Payload};
use crate::cainiao::{Error, MsgType};
use crate::domain::StatusReport;
use crate::mapping;

/// Every status the WMS may send (spec §5).
pub const WIRE_STATUSES: &[&str] = &[
    "WMS_ACCEPT",
    "WMS_REJECT",
    "WMS_ARRIVE",
    "WMS_TALLING",
    "WMS_TALLIED",
    "WMS_RECEIVED",
    "WMS_ONSALE",
    "WMS_PRINT",
    "WMS_PICK",
    "WMS_CHECK",
    "WMS_PACKAGE",
    "WMS_CONSIGN",
    "WMS_LACK",
    "WMS_FAILED",
    "WMS_CANCEL",
    "WMS_CONFIRMED",
    "WMS_UNKNOWN",
];

/// `WMS_ORDER_STATUS_UPLOAD`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderStatusUpload {
    /// Cainiao's order code.
    pub order_code: String,
    pub order_type: u16,
    pub store_order_code: Option<String>,
    pub status: String,
    pub operator: Option<String>,
    pub operator_contact: Option<String>,
    pub operate_date: Option<String>,
    pub time_zone: Option<String>,
    pub content: Option<String>,
    pub remark: Option<String>,
    pub features: Option<String>,
}

impl Payload for OrderStatusUpload {
    const MSG_TYPE: MsgType = MsgType::OrderStatusUpload;

    fn validate(&self) -> Result<(), Error> {
        order_type(self.order_type)?;
        if !WIRE_STATUSES.contains(&self.status.trim()) {
            return Err(Error::UnknownStatus {
                code: self.status.clone(),
            });
        }
        Ok(())
    }
}

impl OrderStatusUpload {
    /// The domain report for the order the ERP knows as `erp_order_code`.
    /// The remark is `remark`, or `content` when there is no remark.
    pub fn to_status_report(&self, erp_order_code: &str) -> Result<StatusReport, Error> {
        let status =
            mapping::status_from_cainiao(&self.status).ok_or_else(|| Error::UnknownStatus {
                code: self.status.clone(),
            })?;
        Ok(StatusReport {
            order_code: erp_order_code.to_owned(),
            order_type: order_type(self.order_type)?,
            status,
            operated_at: self.operate_date.clone().unwrap_or_default(),
            remark: self.remark.clone().or_else(|| self.content.clone()),
        })
    }

    /// The upload for a domain report under Cainiao's `order_code`.
    pub fn from_status_report(report: &StatusReport, order_code: &str) -> OrderStatusUpload {
        OrderStatusUpload {
            order_code: order_code.to_owned(),
            order_type: report.order_type.code(),
            status: mapping::status_cainiao_code(report.status).to_owned(),
            operate_date: Some(report.operated_at.clone()).filter(|t| !t.is_empty()),
            remark: report.remark.clone(),
            ..OrderStatusUpload::default()
        }
    }
}
