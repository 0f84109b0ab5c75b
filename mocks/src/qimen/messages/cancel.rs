//! `order.cancel` and `order.pending` (ERP → WMS): flat bodies naming any
//! document by its code and generic order type.

use serde::{Deserialize, Serialize};

use super::{any_order_type_of, order_type_letter, ExtendProps, Message, SubSourceOrders};
use crate::domain::Cancel;
use crate::qimen::{Error, Method};

/// A platform sub-order of a cancel.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubSourceOrder {
    pub sub_source_order_code: Option<String>,
}

/// `taobao.qimen.order.cancel`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderCancel {
    pub warehouse_code: String,
    pub owner_code: Option<String>,
    pub order_code: String,
    pub order_id: Option<String>,
    pub order_type: Option<String>,
    pub cancel_reason: Option<String>,
    #[serde(default, skip_serializing_if = "ExtendProps::is_empty")]
    pub extend_props: ExtendProps,
    #[serde(default, skip_serializing_if = "SubSourceOrders::is_empty")]
    pub sub_source_orders: SubSourceOrders<SubSourceOrder>,
}

impl Message for OrderCancel {
    const METHOD: Method = Method::OrderCancel;
}

impl OrderCancel {
    /// The domain cancel; `orderType` is required to find the document.
    pub fn to_domain(&self) -> Result<Cancel, Error> {
        Ok(Cancel {
            order_code: self.order_code.clone(),
            order_type: any_order_type_of("orderType", self.order_type.as_deref())?,
            warehouse_code: self.warehouse_code.clone(),
            owner_code: self.owner_code.clone().unwrap_or_default(),
            reason: self.cancel_reason.clone(),
        })
    }

    pub fn from_domain(cancel: &Cancel) -> OrderCancel {
        OrderCancel {
            warehouse_code: cancel.warehouse_code.clone(),
            owner_code: super::non_empty(&cancel.owner_code),
            order_code: cancel.order_code.clone(),
            order_type: Some(order_type_letter(cancel.order_type)),
            cancel_reason: cancel.reason.clone(),
            ..OrderCancel::default()
        }
    }
}

/// `taobao.qimen.order.pending`: hold (`pending`) or release (`restore`).
/// Holding is not in the domain model, so there is no conversion.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderPending {
    pub action_type: String,
    pub warehouse_code: String,
    pub owner_code: Option<String>,
    pub order_code: String,
    pub order_id: Option<String>,
    pub order_type: Option<String>,
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "ExtendProps::is_empty")]
    pub extend_props: ExtendProps,
}

impl Message for OrderPending {
    const METHOD: Method = Method::OrderPending;
}
