//! `orderprocess.report` (WMS → ERP): one step of an order in the
//! warehouse. Statuses are read through [`crate::mapping`]; a
//! `processStatus` the table does not know is an error naming it.

use serde::{Deserialize, Serialize};

use super::{any_order_type_of, order_type_letter, ExtendProps, Message};
use crate::domain::StatusReport;
use crate::mapping;
use crate::qimen::{Error, Method};

/// `order` of a process report.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProcessOrder {
    pub order_code: String,
    pub order_id: Option<String>,
    pub order_type: Option<String>,
    pub warehouse_code: Option<String>,
    pub remark: Option<String>,
}

/// `process` of a process report.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Process {
    pub process_status: String,
    pub operator_code: Option<String>,
    pub operator_name: Option<String>,
    pub operate_time: Option<String>,
    pub operate_info: Option<String>,
    pub remark: Option<String>,
    pub express_code: Option<String>,
}

/// `taobao.qimen.orderprocess.report`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderProcessReport {
    pub order: ProcessOrder,
    pub process: Process,
    #[serde(default, skip_serializing_if = "ExtendProps::is_empty")]
    pub extend_props: ExtendProps,
}

impl Message for OrderProcessReport {
    const METHOD: Method = Method::OrderProcessReport;
}

impl OrderProcessReport {
    /// Whether the status is one the spec lists but the domain has no
    /// status for (WEIGH, SIGN, OTHER, ...): valid, with nothing to record.
    pub fn is_informational(&self) -> bool {
        let code = &self.process.process_status;
        mapping::status_from_qimen(code).is_none() && mapping::is_listed_qimen_status(code)
    }

    /// The report as a domain value. A status the spec does not list is an
    /// error naming it; so is a listed one with no domain status (check
    /// [`OrderProcessReport::is_informational`] first).
    pub fn to_domain(&self) -> Result<StatusReport, Error> {
        let code = &self.process.process_status;
        let status = mapping::status_from_qimen(code).ok_or_else(|| Error::InvalidField {
            field: "process.processStatus".to_owned(),
            value: code.clone(),
            reason: "no domain status for this processStatus".to_owned(),
        })?;
        Ok(StatusReport {
            order_code: self.order.order_code.clone(),
            order_type: any_order_type_of("order.orderType", self.order.order_type.as_deref())?,
            status,
            operated_at: self.process.operate_time.clone().unwrap_or_default(),
            remark: self.process.remark.clone(),
        })
    }

    pub fn from_domain(report: &StatusReport, warehouse_code: &str) -> OrderProcessReport {
        OrderProcessReport {
            order: ProcessOrder {
                order_code: report.order_code.clone(),
                order_type: Some(order_type_letter(report.order_type)),
                warehouse_code: super::non_empty(warehouse_code),
                ..ProcessOrder::default()
            },
            process: Process {
                process_status: mapping::status_qimen_code(report.status).to_owned(),
                operate_time: super::non_empty(&report.operated_at),
                remark: report.remark.clone(),
                ..Process::default()
            },
            extend_props: ExtendProps::new(),
        }
    }
}
