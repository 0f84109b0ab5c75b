//! The Qimen envelope: system query parameters, methods and timestamps.
//!
//! Parameters arrive form-encoded in the query string (`+` for space,
//! `%3A` for `:`). [`QueryParams::parse`] decodes them exactly once and
//! keeps every parameter in arrival order, known or not, because every
//! parameter present is signed. [`QueryParams::to_query_string`] encodes
//! them the same way for sending.
//!
//! Timestamps are `yyyy-MM-dd HH:mm:ss` in GMT+8, whatever the clock of the
//! machine reading them.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Duration, FixedOffset, NaiveDateTime, TimeZone};

use super::sign::SignMethod;
use super::Error;

/// The wire format of Qimen timestamps.
pub const TIMESTAMP_FORMAT: &str = "%Y-%m-%d %H:%M:%S";

/// Default freshness window either side of now.
pub const DEFAULT_TOLERANCE_MINUTES: i64 = 10;

/// How close to eight hours a skew must be to suggest a UTC clock.
const UTC_HINT_MARGIN_SECONDS: i64 = 15 * 60;

/// The GMT+8 offset every Qimen time is written in.
pub fn gmt8() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("+08:00 is a valid offset")
}

/// Writes a time as a Qimen timestamp in GMT+8.
pub fn format_timestamp<Tz: TimeZone>(time: &DateTime<Tz>) -> String {
    time.with_timezone(&gmt8())
        .format(TIMESTAMP_FORMAT)
        .to_string()
}

/// Reads a Qimen timestamp as a GMT+8 time.
pub fn parse_timestamp(value: &str) -> Result<DateTime<FixedOffset>, Error> {
    let naive = NaiveDateTime::parse_from_str(value, TIMESTAMP_FORMAT).map_err(|e| {
        Error::BadTimestamp {
            value: value.to_owned(),
            reason: e.to_string(),
        }
    })?;
    gmt8()
        .from_local_datetime(&naive)
        .single()
        .ok_or_else(|| Error::BadTimestamp {
            value: value.to_owned(),
            reason: "not a single instant in GMT+8".to_owned(),
        })
}

/// Checks that `value` is a timestamp within `tolerance` of `now`.
///
/// A sender about eight hours behind gets a hint that its clock is in UTC
/// (FC-07).
pub fn check_timestamp(
    value: &str,
    now: DateTime<FixedOffset>,
    tolerance: Duration,
) -> Result<DateTime<FixedOffset>, Error> {
    let timestamp = parse_timestamp(value)?;
    let skew = (timestamp - now).num_seconds();
    let tolerance_seconds = tolerance.num_seconds().abs();
    if skew.abs() <= tolerance_seconds {
        return Ok(timestamp);
    }

    let eight_hours_behind = (skew + 8 * 3600).abs() <= UTC_HINT_MARGIN_SECONDS;
    Err(Error::TimestampSkew {
        timestamp: value.to_owned(),
        skew_seconds: skew,
        tolerance_seconds,
        hint: eight_hours_behind.then_some("8 hours behind: sender clock in UTC?"),
    })
}

macro_rules! methods {
    ($($variant:ident => $name:literal,)*) => {
        /// A Qimen method, written `taobao.qimen.<family>.<action>`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Method {
            $(#[doc = concat!("`taobao.qimen.", $name, "`")] $variant,)*
        }

        impl Method {
            /// Every method this codec knows.
            pub const ALL: &'static [Method] = &[$(Method::$variant,)*];

            /// The full wire name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Method::$variant => concat!("taobao.qimen.", $name),)*
                }
            }
        }
    };
}

methods! {
    SingleItemSynchronize => "singleitem.synchronize",
    ItemsSynchronize => "items.synchronize",
    CombineItemSynchronize => "combineitem.synchronize",
    EntryOrderCreate => "entryorder.create",
    EntryOrderConfirm => "entryorder.confirm",
    ReturnOrderCreate => "returnorder.create",
    ReturnOrderConfirm => "returnorder.confirm",
    StockOutCreate => "stockout.create",
    StockOutConfirm => "stockout.confirm",
    DeliveryOrderCreate => "deliveryorder.create",
    DeliveryOrderConfirm => "deliveryorder.confirm",
    DeliveryOrderBatchConfirm => "deliveryorder.batchconfirm",
    OrderCancel => "order.cancel",
    OrderPending => "order.pending",
    OrderProcessReport => "orderprocess.report",
    InventoryQuery => "inventory.query",
    StockQuery => "stock.query",
    InventoryReport => "inventory.report",
    StockChangeReport => "stockchange.report",
    SnReport => "sn.report",
    OrderSnReport => "order.sn.report",
    ItemLackReport => "itemlack.report",
    WavenumReport => "wavenum.report",
}

impl FromStr for Method {
    type Err = Error;

    fn from_str(s: &str) -> Result<Method, Error> {
        let name = s.trim();
        Method::ALL
            .iter()
            .copied()
            .find(|m| m.as_str().eq_ignore_ascii_case(name))
            .ok_or_else(|| Error::UnknownMethod {
                method: s.to_owned(),
            })
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Query parameters in arrival order, values decoded once.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct QueryParams {
    pairs: Vec<(String, String)>,
}

impl QueryParams {
    /// Decodes a raw query string, form style (`+` is a space), once.
    /// A leading `?` is ignored.
    pub fn parse(raw: &str) -> QueryParams {
        let raw = raw.strip_prefix('?').unwrap_or(raw);
        let pairs = form_urlencoded::parse(raw.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        QueryParams { pairs }
    }

    /// Parameters from already decoded pairs.
    pub fn from_pairs<K: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> QueryParams {
        let pairs = pairs
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        QueryParams { pairs }
    }

    /// The system parameters of an outgoing call, without `sign`.
    pub fn system(
        method: Method,
        timestamp: DateTime<FixedOffset>,
        app_key: &str,
        customer_id: &str,
        sign_method: SignMethod,
    ) -> QueryParams {
        QueryParams::from_pairs([
            ("method", method.as_str().to_owned()),
            ("timestamp", format_timestamp(&timestamp)),
            ("format", "xml".to_owned()),
            ("app_key", app_key.to_owned()),
            ("v", "2.0".to_owned()),
            ("sign_method", sign_method.as_str().to_owned()),
            ("customerId", customer_id.to_owned()),
        ])
    }

    /// All pairs in arrival order.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }

    /// The first value of `name`, if present.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The value of a parameter that must be present and non-empty.
    pub fn require(&self, name: &str) -> Result<&str, Error> {
        match self.get(name) {
            Some(v) if !v.is_empty() => Ok(v),
            _ => Err(Error::MissingParam {
                name: name.to_owned(),
            }),
        }
    }

    /// Replaces the value of `name`, or appends it.
    pub fn set(&mut self, name: &str, value: &str) {
        match self.pairs.iter_mut().find(|(k, _)| k == name) {
            Some(pair) => pair.1 = value.to_owned(),
            None => self.pairs.push((name.to_owned(), value.to_owned())),
        }
    }

    /// Removes every value of `name`.
    pub fn remove(&mut self, name: &str) {
        self.pairs.retain(|(k, _)| k != name);
    }

    /// The method named by the `method` parameter.
    pub fn method(&self) -> Result<Method, Error> {
        self.require("method")?.parse()
    }

    /// `customerId`, the routing key.
    pub fn customer_id(&self) -> Option<&str> {
        self.get("customerId").filter(|v| !v.is_empty())
    }

    /// `sign_method`, `md5` when absent.
    pub fn sign_method(&self) -> Result<SignMethod, Error> {
        match self.get("sign_method") {
            None | Some("") => Ok(SignMethod::Md5),
            Some(v) => v.parse(),
        }
    }

    /// Encodes the parameters form style, in their order.
    pub fn to_query_string(&self) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &self.pairs {
            out.append_pair(k, v);
        }
        out.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<FixedOffset> {
        parse_timestamp(text).unwrap()
    }

    #[test]
    fn method_names_round_trip_through_as_str() {
        for method in Method::ALL {
            assert_eq!(method.as_str().parse::<Method>().unwrap(), *method);
        }
        assert_eq!(
            Method::DeliveryOrderBatchConfirm.as_str(),
            "taobao.qimen.deliveryorder.batchconfirm"
        );
    }

    #[test]
    fn unknown_method_error_names_the_method() {
        let err = "taobao.qimen.order.explode".parse::<Method>().unwrap_err();

        assert_eq!(
            err.to_string(),
            "unknown method `taobao.qimen.order.explode`"
        );
    }

    #[test]
    fn query_is_decoded_once_with_plus_as_space() {
        // FC-05, FC-07: `+` and `%20` both mean space; `%2B` is a plus.
        let raw = "timestamp=2024-01-02+03%3A04%3A05&a=1%202&b=x%2By&c=%2541";

        let query = QueryParams::parse(raw);

        assert_eq!(query.get("timestamp"), Some("2024-01-02 03:04:05"));
        assert_eq!(query.get("a"), Some("1 2"));
        assert_eq!(query.get("b"), Some("x+y"));
        assert_eq!(query.get("c"), Some("%41"));
    }

    #[test]
    fn built_query_matches_the_spec_encoding() {
        let query = QueryParams::from_pairs([
            ("timestamp", "2024-01-02 03:04:05"),
            ("v", "2.0"),
            ("x", "a&b=c%"),
        ]);

        let text = query.to_query_string();

        assert_eq!(
            text,
            "timestamp=2024-01-02+03%3A04%3A05&v=2.0&x=a%26b%3Dc%25"
        );
        assert_eq!(QueryParams::parse(&text), query);
    }

    #[test]
    fn timestamp_within_tolerance_is_accepted() {
        let now = at("2024-03-18 10:00:00");

        let checked = check_timestamp("2024-03-18 10:09:59", now, Duration::minutes(10));

        assert!(checked.is_ok());
    }

    #[test]
    fn utc_clock_between_midnight_and_eight_gets_the_utc_hint() {
        // FC-07: at 03:30 GMT+8 a UTC clock writes the previous day.
        let now = at("2024-03-18 03:30:00");

        let err = check_timestamp("2024-03-17 19:30:05", now, Duration::minutes(10)).unwrap_err();

        match &err {
            Error::TimestampSkew {
                skew_seconds, hint, ..
            } => {
                assert_eq!(*skew_seconds, -(8 * 3600) + 5);
                assert!(hint.is_some());
            }
            other => panic!("expected TimestampSkew, got {other:?}"),
        }
        assert!(err.to_string().contains("7h59m55s behind"), "{err}");
        assert!(err.to_string().contains("sender clock in UTC?"), "{err}");
    }

    #[test]
    fn skew_of_one_hour_has_no_utc_hint() {
        let now = at("2024-03-18 12:00:00");

        let err = check_timestamp("2024-03-18 13:00:00", now, Duration::minutes(10)).unwrap_err();

        assert!(matches!(
            err,
            Error::TimestampSkew {
                hint: None,
                skew_seconds: 3600,
                ..
            }
        ));
    }

    #[test]
    fn timestamp_with_literal_plus_is_a_bad_timestamp() {
        // FC-07: a `+` that survived decoding (double encoding) is not a space.
        let err = check_timestamp(
            "2024-01-02+03:04:05",
            at("2024-01-02 03:04:05"),
            Duration::minutes(10),
        )
        .unwrap_err();

        assert!(matches!(err, Error::BadTimestamp { .. }), "{err:?}");
    }
}
