//! `WMS_ORDER_CANCEL_NOTIFY`: Cainiao asks the WMS to cancel an order.
//!
//! The notify names the order by Cainiao's `orderCode` only, so
//! [`OrderCancelNotify::to_cancel`] takes the ERP's code. Any known order
//! type may be cancelled; codes the domain lacks (711, 1102) are refused as
//! unknown. A WMS that can no longer cancel answers `success=false` with
//! [`ResponseCode::BusinessRefusal`](crate::cainiao::ResponseCode).

use serde::{Deserialize, Serialize};

use super::{order_type, Payload};
use crate::cainiao::{Error, MsgType};
use crate::domain::Cancel;

/// `WMS_ORDER_CANCEL_NOTIFY`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderCancelNotify {
    pub owner_user_id: Option<String>,
    /// Cainiao's order code.
    pub order_code: String,
    pub store_code: Option<String>,
    pub order_type: u16,
    /// Name assumed.
    pub cancel_reason: Option<String>,
}

impl Payload for OrderCancelNotify {
    const MSG_TYPE: MsgType = MsgType::OrderCancelNotify;

    fn validate(&self) -> Result<(), Error> {
        order_type(self.order_type).map(|_| ())
    }
}

impl OrderCancelNotify {
    /// The domain cancel for the order the ERP knows as `erp_order_code`.
    pub fn to_cancel(&self, erp_order_code: &str) -> Result<Cancel, Error> {
        Ok(Cancel {
            order_code: erp_order_code.to_owned(),
            order_type: order_type(self.order_type)?,
            warehouse_code: self.store_code.clone().unwrap_or_default(),
            owner_code: self.owner_user_id.clone().unwrap_or_default(),
            reason: self.cancel_reason.clone(),
        })
    }

    /// The notify for a domain cancel under Cainiao's `order_code`.
    pub fn from_cancel(cancel: &Cancel, order_code: &str) -> OrderCancelNotify {
        let text = |s: &str| Some(s.to_owned()).filter(|s| !s.is_empty());
        OrderCancelNotify {
            owner_user_id: text(&cancel.owner_code),
            order_code: order_code.to_owned(),
            store_code: text(&cancel.warehouse_code),
            order_type: cancel.order_type.code(),
            cancel_reason: cancel.reason.clone(),
        }
    }
}
