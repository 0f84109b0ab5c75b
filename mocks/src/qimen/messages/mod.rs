//! Typed Qimen bodies, one file per method family, and what they share.
//!
//! Every message is a serde struct named after its method with the wire's
//! element names. Reading goes through three steps:
//! 1. [`xml::check_document`] rejects a broken body with line, column and
//!    element;
//! 2. empty elements (`<tel/>`, `<size></size>`, `<x> </x>`) are removed,
//!    so every field reads an empty element as absent, numbers included;
//! 3. quick-xml fills the struct. Unknown elements are ignored.
//!
//! Lists accept one child or many; `orderLines` accepts `orderLine` and
//! `order_line` children. Writing escapes text, replaces characters XML
//! forbids with U+FFFD and reports that it did (FC-11).
//!
//! Money, weights and dimensions stay strings on the wire types, as sent;
//! conversion to [`crate::domain`] turns them into integers where the
//! domain needs them.
//!
//! # Known gaps
//! - Text is trimmed when read, so leading or trailing blanks in a value do
//!   not survive a round trip (the sign still covers the bytes sent).
//! - `extendProps` values are flat strings; a nested element inside
//!   `extendProps` is a content error.

pub mod cancel;
pub mod delivery;
pub mod entry;
pub mod inventory;
pub mod item;
pub mod process;
pub mod report;
pub mod returns;
pub mod stockout;

use std::collections::BTreeMap;

use quick_xml::events::Event;
use quick_xml::Reader;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::envelope::Method;
use super::Error;
use crate::domain::{ConfirmLine, InventoryType, ItemCode, Lot, OrderLine, OrderType};
use crate::mapping::{self, QimenFamily};
use crate::xml::{self, XmlError};

pub use cancel::{OrderCancel, OrderPending};
pub use delivery::{DeliveryOrderBatchConfirm, DeliveryOrderConfirm, DeliveryOrderCreate};
pub use entry::{EntryOrderConfirm, EntryOrderCreate};
pub use inventory::{InventoryQuery, InventoryReport, StockChangeReport, StockQuery};
pub use item::{CombineItemSynchronize, ItemsSynchronize, SingleItemSynchronize};
pub use process::OrderProcessReport;
pub use report::{ItemLackReport, OrderSnReport, SnReport, WavenumReport};
pub use returns::{ReturnOrderConfirm, ReturnOrderCreate};
pub use stockout::{StockOutConfirm, StockOutCreate};

/// Free key/value pairs under `extendProps`.
pub type ExtendProps = BTreeMap<String, String>;

/// A written body and whether characters had to be replaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub xml: String,
    /// True when characters XML forbids were replaced with U+FFFD.
    pub sanitized: bool,
}

/// A Qimen request body with its method.
pub trait Message: Serialize + DeserializeOwned + Sized {
    const METHOD: Method;

    /// Reads the body of a `METHOD` call.
    fn parse(bytes: &[u8]) -> Result<Self, Error> {
        read(bytes, "request", Self::METHOD.as_str())
    }

    /// Writes the body with the UTF-8 prolog; replaced characters are
    /// logged as a warning.
    fn to_xml(&self) -> Result<String, Error> {
        self.to_xml_checked().map(|w| w.xml)
    }

    /// Writes the body and says whether characters were replaced.
    fn to_xml_checked(&self) -> Result<Written, Error> {
        write(self, "request", Self::METHOD.as_str())
    }
}

/// Reads a typed body under `root`; `method` names it in errors.
pub fn read<T: DeserializeOwned>(bytes: &[u8], root: &str, method: &str) -> Result<T, Error> {
    let malformed = |source| Error::MalformedXml {
        method: method.to_owned(),
        source,
    };
    let text = xml::check_document(bytes, root).map_err(malformed)?;
    let cleaned = drop_empty_elements(text).map_err(malformed)?;

    // TODO: keep leading and trailing blanks of text values, because the
    // quick-xml reader trims them; a value such as an address ending in a
    // space does not survive a round trip (the sign is unaffected).
    quick_xml::de::from_str(&cleaned).map_err(|e| Error::InvalidContent {
        method: method.to_owned(),
        source: XmlError::Content {
            message: method.to_owned(),
            reason: e.to_string(),
        },
    })
}

/// Writes a typed body under `root` with the UTF-8 prolog.
pub fn write<T: Serialize>(value: &T, root: &str, method: &str) -> Result<Written, Error> {
    let xml = xml::to_xml(value, root, method, true).map_err(|source| Error::Write {
        method: method.to_owned(),
        source,
    })?;

    // Element names are ours and valid, so anything XML forbids in the
    // output came from a text value.
    let (clean, sanitized) = xml::sanitize_text(&xml);
    if sanitized {
        tracing::warn!(
            msg_type = method,
            "replaced characters XML forbids with U+FFFD"
        );
    }
    Ok(Written {
        xml: clean.into_owned(),
        sanitized,
    })
}

/// One open element while removing empty ones.
struct Frame {
    out: Vec<u8>,
    has_content: bool,
}

/// Rewrites a well-formed document without its empty elements, so that
/// an element with no text and no (non-empty) children reads as absent.
/// The root element is always kept. Prolog, comments and processing
/// instructions are dropped.
pub fn drop_empty_elements(text: &str) -> Result<String, XmlError> {
    let mut reader = Reader::from_str(text);
    let mut stack = vec![Frame {
        out: Vec::with_capacity(text.len()),
        has_content: false,
    }];
    loop {
        let event = reader.read_event().map_err(|e| {
            let (line, column) = xml::line_column(text, reader.error_position() as usize);
            XmlError::Malformed {
                line,
                column,
                element: None,
                reason: e.to_string(),
            }
        })?;
        match event {
            Event::Start(start) => {
                let mut out = Vec::new();
                out.push(b'<');
                out.extend_from_slice(&start);
                out.push(b'>');
                stack.push(Frame {
                    out,
                    has_content: false,
                });
            }
            Event::End(end) => {
                let frame = stack
                    .pop()
                    .expect("a well-formed document opens before it closes");
                let is_root = stack.len() == 1;
                if frame.has_content || is_root {
                    let parent = stack.last_mut().expect("the document frame stays");
                    parent.out.extend_from_slice(&frame.out);
                    parent.out.extend_from_slice(b"</");
                    parent.out.extend_from_slice(end.name().as_ref());
                    parent.out.push(b'>');
                    parent.has_content = true;
                }
            }
            Event::Empty(start) if stack.len() == 1 => {
                let name = start.name();
                let top = stack.last_mut().expect("the document frame stays");
                top.out.push(b'<');
                top.out.extend_from_slice(name.as_ref());
                top.out.extend_from_slice(b"></");
                top.out.extend_from_slice(name.as_ref());
                top.out.push(b'>');
            }
            Event::Text(t) if stack.len() > 1 && !t.iter().all(u8::is_ascii_whitespace) => {
                let top = stack.last_mut().expect("inside an element");
                top.out.extend_from_slice(&t);
                top.has_content = true;
            }
            Event::CData(c) if stack.len() > 1 && !c.iter().all(u8::is_ascii_whitespace) => {
                let top = stack.last_mut().expect("inside an element");
                top.out.extend_from_slice(b"<![CDATA[");
                top.out.extend_from_slice(&c);
                top.out.extend_from_slice(b"]]>");
                top.has_content = true;
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let document = stack.swap_remove(0).out;
    // The input was a &str and only whole events were copied.
    Ok(String::from_utf8(document).expect("copied UTF-8 slices stay UTF-8"))
}

/// Declares a list wrapper: `<wrapper><child/>…</wrapper>`.
macro_rules! wire_list {
    ($(#[$meta:meta])* $name:ident, $child:literal $(, $alias:literal)*) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        pub struct $name<T> {
            #[serde(rename = $child, $(alias = $alias,)* default = "Vec::new")]
            pub list: Vec<T>,
        }

        impl<T> Default for $name<T> {
            fn default() -> Self {
                $name { list: Vec::new() }
            }
        }

        impl<T> $name<T> {
            pub fn is_empty(&self) -> bool {
                self.list.is_empty()
            }
        }

        impl<T> From<Vec<T>> for $name<T> {
            fn from(list: Vec<T>) -> Self {
                $name { list }
            }
        }
    };
}

wire_list!(
    /// `orderLines/orderLine` (also `order_line`).
    OrderLines,
    "orderLine",
    "order_line"
);
wire_list!(
    /// `items/item`.
    Items,
    "item"
);
wire_list!(
    /// `packages/package`.
    Packages,
    "package"
);
wire_list!(
    /// `batchs/batch`.
    Batchs,
    "batch"
);
wire_list!(
    /// `snList/sn`.
    SnList,
    "sn"
);
wire_list!(
    /// `relatedOrders/relatedOrder`.
    RelatedOrders,
    "relatedOrder"
);
wire_list!(
    /// `invoices/invoice`.
    Invoices,
    "invoice"
);
wire_list!(
    /// `criteriaList/criteria`.
    CriteriaList,
    "criteria"
);
wire_list!(
    /// `totalOrders/totalOrder`.
    TotalOrders,
    "totalOrder"
);
wire_list!(
    /// `packageMaterialList/packageMaterial` (child name assumed).
    PackageMaterials,
    "packageMaterial"
);
wire_list!(
    /// `orders/order`.
    Orders,
    "order"
);
wire_list!(
    /// `subSourceOrders/subSourceOrder`.
    SubSourceOrders,
    "subSourceOrder"
);

/// `ADDR`: sender, receiver or picker address.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    pub company: Option<String>,
    pub name: Option<String>,
    pub zip_code: Option<String>,
    pub tel: Option<String>,
    pub mobile: Option<String>,
    pub email: Option<String>,
    pub country_code: Option<String>,
    pub province: Option<String>,
    pub city: Option<String>,
    pub area: Option<String>,
    pub town: Option<String>,
    pub detail_address: Option<String>,
    pub id_type: Option<String>,
    pub id_number: Option<String>,
    pub oaid: Option<String>,
}

impl Address {
    pub fn to_domain(&self) -> crate::domain::Address {
        crate::domain::Address {
            name: self.name.clone().unwrap_or_default(),
            mobile: self.mobile.clone(),
            province: self.province.clone(),
            city: self.city.clone(),
            area: self.area.clone(),
            detail: self.detail_address.clone().unwrap_or_default(),
        }
    }

    pub fn from_domain(address: &crate::domain::Address) -> Address {
        Address {
            name: non_empty(&address.name),
            mobile: address.mobile.clone(),
            province: address.province.clone(),
            city: address.city.clone(),
            area: address.area.clone(),
            detail_address: non_empty(&address.detail),
            ..Address::default()
        }
    }
}

/// `relatedOrders/relatedOrder`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RelatedOrder {
    pub order_type: Option<String>,
    pub order_code: Option<String>,
}

/// `batchs/batch`: one lot of a confirmed or changed line.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Batch {
    pub batch_code: Option<String>,
    pub product_date: Option<String>,
    pub expire_date: Option<String>,
    pub produce_code: Option<String>,
    pub inventory_type: Option<String>,
    /// Confirms: quantity of this lot.
    pub actual_qty: Option<u32>,
    /// stockchange.report: signed quantity of this lot.
    pub quantity: Option<i64>,
    pub sn_code: Option<String>,
}

impl Batch {
    pub fn lot(&self) -> Lot {
        Lot {
            batch_code: self.batch_code.clone(),
            product_date: self.product_date.clone(),
            expire_date: self.expire_date.clone(),
            produce_code: self.produce_code.clone(),
        }
    }
}

/// `packageMaterialList/packageMaterial`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PackageMaterial {
    #[serde(rename = "type")]
    pub material_type: Option<String>,
    pub quantity: Option<u32>,
}

/// An item inside a package.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PackageItem {
    pub item_code: String,
    pub item_id: Option<String>,
    pub quantity: u32,
    pub order_line_no: Option<String>,
}

/// `packages/package` of stockout and delivery confirms. Dimensions in cm,
/// weights in kg, volume in litres, as strings.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Package {
    pub logistics_code: Option<String>,
    pub logistics_name: Option<String>,
    pub express_code: Option<String>,
    pub package_code: Option<String>,
    pub length: Option<String>,
    pub width: Option<String>,
    pub height: Option<String>,
    pub theoretical_weight: Option<String>,
    pub weight: Option<String>,
    pub volume: Option<String>,
    pub invoice_no: Option<String>,
    #[serde(default, skip_serializing_if = "PackageMaterials::is_empty")]
    pub package_material_list: PackageMaterials<PackageMaterial>,
    #[serde(default, skip_serializing_if = "Items::is_empty")]
    pub items: Items<PackageItem>,
}

/// `Some(text)` unless the text is empty.
pub(crate) fn non_empty(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| text.to_owned())
}

/// Reads an order-type letter of a method family; `field` names it in
/// errors.
pub(crate) fn order_type_of(
    family: QimenFamily,
    field: &str,
    code: Option<&str>,
) -> Result<OrderType, Error> {
    let code = code.ok_or_else(|| Error::MissingField {
        field: field.to_owned(),
    })?;
    mapping::order_type_from_qimen(family, code).ok_or_else(|| Error::UnknownOrderType {
        field: field.to_owned(),
        code: code.to_owned(),
    })
}

/// Reads an order-type letter whose family is not known (order.cancel,
/// orderprocess.report, stockchange.report).
pub(crate) fn any_order_type_of(field: &str, code: Option<&str>) -> Result<OrderType, Error> {
    let code = code.ok_or_else(|| Error::MissingField {
        field: field.to_owned(),
    })?;
    mapping::order_type_from_any_qimen(code).ok_or_else(|| Error::UnknownOrderType {
        field: field.to_owned(),
        code: code.to_owned(),
    })
}

/// The letter written for an order type.
pub(crate) fn order_type_letter(order_type: OrderType) -> String {
    mapping::route_of(order_type).letter.to_owned()
}

/// Reads an inventory type; absent means good stock (ZP).
pub(crate) fn inventory_type_of(field: &str, code: Option<&str>) -> Result<InventoryType, Error> {
    match code {
        None => Ok(InventoryType::Good),
        Some(code) => InventoryType::from_qimen(code).ok_or_else(|| Error::UnknownInventoryType {
            field: field.to_owned(),
            code: code.to_owned(),
        }),
    }
}

/// Reads a decimal string as an integer count of `10^-scale` units:
/// `"5.600"` kg at scale 3 is 5600 g. Extra digits beyond the scale must be
/// zeros, so no value is silently rounded.
pub(crate) fn parse_scaled(field: &str, value: &str, scale: u32) -> Result<u64, Error> {
    let invalid = |reason: &str| Error::InvalidField {
        field: field.to_owned(),
        value: value.to_owned(),
        reason: reason.to_owned(),
    };
    let text = value.trim();
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(fraction) {
        return Err(invalid("not a non-negative decimal"));
    }
    let (kept, dropped) = fraction.split_at(fraction.len().min(scale as usize));
    if dropped.chars().any(|c| c != '0') {
        return Err(invalid("more decimals than liantiao keeps"));
    }
    let padded = format!("{whole}{kept:0<width$}", width = scale as usize);
    padded.parse().map_err(|_| invalid("too large"))
}

/// Writes an integer count of `10^-scale` units as a decimal string.
pub(crate) fn format_scaled(units: u64, scale: u32) -> String {
    if scale == 0 {
        return units.to_string();
    }
    let factor = 10u64.pow(scale);
    format!(
        "{}.{:0width$}",
        units / factor,
        units % factor,
        width = scale as usize
    )
}

/// The parts of a planned line (a create's `orderLine`) the domain keeps.
pub(crate) struct PlannedLine<'a> {
    pub order_line_no: Option<&'a String>,
    pub item_code: &'a str,
    pub item_name: Option<&'a String>,
    pub inventory_type: Option<&'a str>,
    /// `None` where the wire makes `planQty` optional (returns).
    pub plan_qty: Option<u32>,
    pub lot: Lot,
    pub serials: &'a [String],
}

/// The lot fields every Qimen line carries.
pub(crate) fn lot_of(
    batch_code: &Option<String>,
    product_date: &Option<String>,
    expire_date: &Option<String>,
    produce_code: &Option<String>,
) -> Lot {
    Lot {
        batch_code: batch_code.clone(),
        product_date: product_date.clone(),
        expire_date: expire_date.clone(),
        produce_code: produce_code.clone(),
    }
}

/// The domain lines of a create, numbered from 1 where the wire gives no
/// `orderLineNo`; errors name `orderLines[i]` and the field.
pub(crate) fn planned_lines<'a>(
    lines: impl IntoIterator<Item = PlannedLine<'a>>,
) -> Result<Vec<OrderLine>, Error> {
    lines
        .into_iter()
        .enumerate()
        .map(|(i, line)| {
            let field = |name: &str| format!("orderLines[{i}].{name}");
            let plan_qty = line.plan_qty.ok_or_else(|| Error::MissingField {
                field: field("planQty"),
            })?;
            Ok(OrderLine {
                line_no: line
                    .order_line_no
                    .cloned()
                    .unwrap_or_else(|| (i + 1).to_string()),
                item_code: ItemCode::from(line.item_code),
                item_name: line.item_name.cloned(),
                inventory_type: inventory_type_of(&field("inventoryType"), line.inventory_type)?,
                plan_qty,
                lot: line.lot,
                serials: line.serials.to_vec(),
            })
        })
        .collect()
}

/// The parts of a confirmed line needed to build domain confirm lines.
pub(crate) struct ConfirmedLine<'a> {
    /// Where the line sits, for error messages (`orderLines[2]`).
    pub field: String,
    pub line_no: Option<&'a String>,
    pub item_code: &'a str,
    pub inventory_type: Option<&'a str>,
    pub plan_qty: Option<u32>,
    pub actual_qty: Option<u32>,
    pub lot: Lot,
    pub batchs: &'a [Batch],
    pub serials: Vec<String>,
}

/// Turns one wire line into domain confirm lines.
///
/// Rule for lots: a line with `batchs` becomes one [`ConfirmLine`] per
/// batch (quantity, lot and inventory type of the batch, the line's type
/// when the batch has none); the plan quantity and the serial numbers stay
/// on the first of them so sums over lines are not inflated. A line
/// without `batchs` becomes one [`ConfirmLine`] carrying the line's own
/// lot fields.
pub(crate) fn confirm_lines(line: ConfirmedLine<'_>) -> Result<Vec<ConfirmLine>, Error> {
    let field = &line.field;
    let line_type = inventory_type_of(&format!("{field}.inventoryType"), line.inventory_type)?;
    if line.batchs.is_empty() {
        let actual_qty = line.actual_qty.ok_or_else(|| Error::MissingField {
            field: format!("{field}.actualQty"),
        })?;
        return Ok(vec![ConfirmLine {
            line_no: line.line_no.cloned(),
            item_code: ItemCode::from(line.item_code),
            inventory_type: line_type,
            plan_qty: line.plan_qty,
            actual_qty,
            lot: line.lot,
            serials: line.serials,
        }]);
    }

    let mut out = Vec::with_capacity(line.batchs.len());
    for (i, batch) in line.batchs.iter().enumerate() {
        let batch_field = format!("{field}.batchs[{i}]");
        let inventory_type = match &batch.inventory_type {
            Some(code) => inventory_type_of(&format!("{batch_field}.inventoryType"), Some(code))?,
            None => line_type,
        };
        let actual_qty = batch.actual_qty.ok_or_else(|| Error::MissingField {
            field: format!("{batch_field}.actualQty"),
        })?;
        let first = i == 0;
        out.push(ConfirmLine {
            line_no: line.line_no.cloned(),
            item_code: ItemCode::from(line.item_code),
            inventory_type,
            plan_qty: if first { line.plan_qty } else { None },
            actual_qty,
            lot: batch.lot(),
            serials: if first {
                line.serials.clone()
            } else {
                Vec::new()
            },
        });
    }
    Ok(out)
}

/// Groups domain confirm lines back into wire lines: consecutive lines
/// with the same line number and item form one wire line; a group of more
/// than one becomes `batchs`. Lines without a number are never grouped.
pub(crate) fn group_confirm_lines(lines: &[ConfirmLine]) -> Vec<&[ConfirmLine]> {
    let mut groups = Vec::new();
    let mut start = 0;
    for i in 1..=lines.len() {
        let split = i == lines.len() || {
            let (a, b) = (&lines[i - 1], &lines[i]);
            a.line_no.is_none() || a.line_no != b.line_no || a.item_code != b.item_code
        };
        if split {
            groups.push(&lines[start..i]);
            start = i;
        }
    }
    groups
}

/// The batches of a group of more than one domain line; empty otherwise.
pub(crate) fn batchs_of(group: &[ConfirmLine]) -> Batchs<Batch> {
    if group.len() < 2 {
        return Batchs::default();
    }
    group
        .iter()
        .map(|line| Batch {
            batch_code: line.lot.batch_code.clone(),
            product_date: line.lot.product_date.clone(),
            expire_date: line.lot.expire_date.clone(),
            produce_code: line.lot.produce_code.clone(),
            inventory_type: Some(line.inventory_type.qimen_code().to_owned()),
            actual_qty: Some(line.actual_qty),
            ..Batch::default()
        })
        .collect::<Vec<_>>()
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_elements_are_removed_recursively_but_root_stays() {
        let text = "<?xml version=\"1.0\"?><request><a/><b> </b><c><d></d></c>\
<e>x</e><f><![CDATA[<&>]]></f></request>";

        let cleaned = drop_empty_elements(text).unwrap();

        assert_eq!(cleaned, "<request><e>x</e><f><![CDATA[<&>]]></f></request>");
        assert_eq!(
            drop_empty_elements("<request/>").unwrap(),
            "<request></request>"
        );
    }

    #[test]
    fn scaled_decimals_are_exact() {
        assert_eq!(parse_scaled("w", "5.600", 3).unwrap(), 5600);
        assert_eq!(parse_scaled("w", "16.4", 3).unwrap(), 16400);
        assert_eq!(parse_scaled("p", "198", 2).unwrap(), 19800);
        assert!(parse_scaled("p", "1.005", 2).is_err());
        assert!(parse_scaled("p", "-1", 2).is_err());
        assert_eq!(format_scaled(5600, 3), "5.600");
        assert_eq!(format_scaled(19800, 2), "198.00");
    }

    #[test]
    fn planned_lines_number_missing_line_numbers_and_name_the_bad_field() {
        let (one, two) = ("L1".to_owned(), "DM1002".to_owned());
        let line = |order_line_no, item_code, inventory_type, plan_qty| PlannedLine {
            order_line_no,
            item_code,
            item_name: None,
            inventory_type,
            plan_qty,
            lot: Lot::default(),
            serials: &[],
        };

        let lines = planned_lines([
            line(Some(&one), "DM1001", None, Some(3)),
            line(None, &two, Some("CC"), Some(1)),
        ])
        .unwrap();
        let no_qty = planned_lines([
            line(None, "DM1001", None, Some(1)),
            line(None, "X", None, None),
        ]);
        let bad_type = planned_lines([line(None, "DM1001", Some("ZZ"), Some(1))]);

        let numbered: Vec<(&str, InventoryType, u32)> = lines
            .iter()
            .map(|l| (l.line_no.as_str(), l.inventory_type, l.plan_qty))
            .collect();
        assert_eq!(
            numbered,
            vec![
                ("L1", InventoryType::Good, 3),
                ("2", InventoryType::Defective, 1)
            ]
        );
        assert!(no_qty
            .unwrap_err()
            .to_string()
            .contains("orderLines[1].planQty"));
        assert!(bad_type
            .unwrap_err()
            .to_string()
            .contains("orderLines[0].inventoryType"));
    }
}
