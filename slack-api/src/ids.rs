//! Newtype IDs and [`Ts`], Slack's message timestamp.
//!
//! Each ID is a transparent wrapper around Slack's string: it serializes and
//! deserializes as that string and never validates it, so a new ID prefix
//! from Slack never fails a decode.

use std::cmp::Ordering;
use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::de::{Lenient, Scalar, Shape};

mod short;

use short::ShortStr;

macro_rules! id_type {
    ($($(#[$meta:meta])* $name:ident;)*) => {$(
        $(#[$meta])*
        #[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(ShortStr);

        impl $name {
            /// Wraps an ID string as is.
            pub fn new(id: impl Into<String>) -> Self {
                Self(ShortStr::from_string(id.into()))
            }

            /// The ID as Slack sends it.
            pub fn as_str(&self) -> &str {
                self.0.as_str()
            }

            /// The ID string, consuming the wrapper.
            pub fn into_string(self) -> String {
                self.0.into_string()
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self(ShortStr::new(s))
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                Self(ShortStr::from_string(s))
            }
        }

        impl From<&$name> for $name {
            fn from(id: &$name) -> Self {
                id.clone()
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0.into_string()
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                self.0.as_str()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.0.as_str())
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0.as_bytes() == other.as_bytes()
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0.as_bytes() == other.as_bytes()
            }
        }

        impl Lenient for $name {
            const SHAPE: Shape = Shape::String;

            fn coerce(value: Scalar<'_>) -> Option<Self> {
                // Some payloads carry numeric IDs; keep their text.
                value.number_text().map(Self::from)
            }

            fn from_text(text: &str) -> Option<Self> {
                Some(Self::from(text))
            }
        }
    )*};
}

id_type! {
    /// A conversation ID: public or private channel, DM or group DM (`C…`, `G…`, `D…`).
    ChannelId;
    /// A user ID (`U…` or `W…`).
    UserId;
    /// A workspace ID (`T…`).
    TeamId;
    /// A bot ID (`B…`).
    BotId;
    /// An app ID (`A…`).
    AppId;
    /// A file ID (`F…`).
    FileId;
    /// An Enterprise Grid organization ID (`E…`).
    EnterpriseId;
    /// A user group ID (`S…`).
    UserGroupId;
}

/// A Slack timestamp such as `"1700000000.000100"`: identifies a message
/// within its conversation and tells when it was posted.
///
/// The exact string is kept (Slack compares timestamps as strings when you
/// pass them back), while ordering compares the numeric value: whole seconds
/// first, then the fraction.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Ts(ShortStr);

impl Ts {
    /// Wraps a timestamp string as is.
    pub fn new(ts: impl Into<String>) -> Self {
        Self(ShortStr::from_string(ts.into()))
    }

    /// The timestamp exactly as Slack sent it.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The timestamp string, consuming the wrapper.
    pub fn into_string(self) -> String {
        self.0.into_string()
    }

    /// Whole seconds since the Unix epoch, if the string is a timestamp.
    pub fn seconds(&self) -> Option<u64> {
        self.parts().map(|(s, _)| s)
    }

    /// Microseconds after [`seconds`](Self::seconds), if the string is a timestamp.
    pub fn micros(&self) -> Option<u32> {
        self.parts().map(|(_, m)| m)
    }

    /// The point in time, if the string is a timestamp.
    pub fn to_system_time(&self) -> Option<SystemTime> {
        let (secs, micros) = self.parts()?;
        UNIX_EPOCH.checked_add(Duration::from_secs(secs) + Duration::from_micros(micros.into()))
    }

    /// The timestamp for a point in time, with microsecond precision
    /// (`"1700000000.000100"`). Times before the epoch give `"0.000000"`.
    pub fn from_system_time(t: SystemTime) -> Self {
        let d = t.duration_since(UNIX_EPOCH).unwrap_or_default();
        Self(ShortStr::from_string(format!(
            "{}.{:06}",
            d.as_secs(),
            d.subsec_micros()
        )))
    }

    /// Splits into (seconds, microseconds); `None` when not of the form `digits[.digits]`.
    fn parts(&self) -> Option<(u64, u32)> {
        let text = self.as_str();
        let (secs, frac) = match text.split_once('.') {
            Some((s, f)) => (s, f),
            None => (text, ""),
        };
        if secs.is_empty() || !secs.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if !frac.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let secs = secs.parse().ok()?;
        // Normalise the fraction to six digits, dropping anything finer.
        let mut micros = 0u32;
        for i in 0..6 {
            let digit = frac.as_bytes().get(i).map_or(0, |b| u32::from(b - b'0'));
            micros = micros * 10 + digit;
        }
        Some((secs, micros))
    }

    /// Numeric ordering key; strings that are not timestamps sort after all
    /// timestamps, by their text.
    fn order_key(&self) -> (u8, u64, u128, &str) {
        let text = self.as_str();
        match text.split_once('.').unwrap_or((text, "")) {
            (s, f)
                if !s.is_empty()
                    && s.bytes().all(|b| b.is_ascii_digit())
                    && f.bytes().all(|b| b.is_ascii_digit()) =>
            {
                let secs = s.parse().unwrap_or(u64::MAX);
                // Compare fractions of any length: pad to 38 digits (u128 capacity).
                let mut frac = 0u128;
                for i in 0..38 {
                    let digit = f.as_bytes().get(i).map_or(0, |b| u128::from(b - b'0'));
                    frac = frac * 10 + digit;
                }
                (0, secs, frac, "")
            }
            _ => (1, 0, 0, text),
        }
    }
}

impl Ord for Ts {
    fn cmp(&self, other: &Self) -> Ordering {
        self.order_key()
            .cmp(&other.order_key())
            // Equal values spelled differently ("1.5" and "1.50") still differ.
            .then_with(|| self.0.cmp(&other.0))
    }
}

impl PartialOrd for Ts {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl From<&str> for Ts {
    fn from(s: &str) -> Self {
        Self(ShortStr::new(s))
    }
}

impl From<String> for Ts {
    fn from(s: String) -> Self {
        Self(ShortStr::from_string(s))
    }
}

impl From<&Ts> for Ts {
    fn from(ts: &Ts) -> Self {
        ts.clone()
    }
}

impl From<Ts> for String {
    fn from(ts: Ts) -> String {
        ts.0.into_string()
    }
}

impl AsRef<str> for Ts {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Display for Ts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<str> for Ts {
    fn eq(&self, other: &str) -> bool {
        self.0.as_bytes() == other.as_bytes()
    }
}

impl PartialEq<&str> for Ts {
    fn eq(&self, other: &&str) -> bool {
        self.0.as_bytes() == other.as_bytes()
    }
}

impl Serialize for Ts {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Ts {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Ts;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a Slack timestamp as a string or number")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Ts, E> {
                Ok(Ts::from(v))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Ts, E> {
                Ok(Ts::from(v))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Ts, E> {
                Ok(Ts::from(v.to_string()))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Ts, E> {
                Ok(Ts::from(v.to_string()))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Ts, E> {
                Ok(Ts::from(format_f64_ts(v)))
            }
        }
        d.deserialize_any(V)
    }
}

/// Attachments send `ts` as a JSON number; render it with microseconds.
fn format_f64_ts(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.6}")
    }
}

impl Lenient for Ts {
    const SHAPE: Shape = Shape::String;

    fn coerce(value: Scalar<'_>) -> Option<Self> {
        match value {
            Scalar::F64(v) => Some(Ts::from(format_f64_ts(v))),
            other => other.number_text().map(Ts::from),
        }
    }

    fn from_text(text: &str) -> Option<Self> {
        Some(Ts::from(text))
    }
}

/// A moment as whole seconds since the Unix epoch, as Slack sends
/// `created`, `updated`, `date_*` and the like (a JSON integer).
///
/// Converts to [`SystemTime`], and with features `chrono`, `jiff` or
/// `time` to their date-time types (as does [`Ts`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnixTime(i64);

impl UnixTime {
    /// The moment `secs` seconds after the epoch (before it when negative).
    pub const fn from_secs(secs: i64) -> Self {
        Self(secs)
    }

    /// Seconds since the epoch, as Slack sent them.
    pub const fn secs(self) -> i64 {
        self.0
    }

    /// The point in time, if `SystemTime` can hold it.
    pub fn to_system_time(self) -> Option<SystemTime> {
        let d = Duration::from_secs(self.0.unsigned_abs());
        if self.0 >= 0 {
            UNIX_EPOCH.checked_add(d)
        } else {
            UNIX_EPOCH.checked_sub(d)
        }
    }

    /// The whole second of a point in time (rounded toward the past).
    pub fn from_system_time(t: SystemTime) -> Self {
        let secs = match t.duration_since(UNIX_EPOCH) {
            Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
            Err(e) => {
                let d = e.duration();
                let whole = i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
                -whole - i64::from(d.subsec_nanos() > 0)
            }
        };
        Self(secs)
    }
}

impl fmt::Display for UnixTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl From<i64> for UnixTime {
    fn from(secs: i64) -> Self {
        Self(secs)
    }
}

impl From<UnixTime> for i64 {
    fn from(t: UnixTime) -> Self {
        t.0
    }
}

impl Serialize for UnixTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(self.0)
    }
}

impl<'de> Deserialize<'de> for UnixTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        i64::deserialize(d).map(Self)
    }
}

impl Lenient for UnixTime {
    const SHAPE: Shape = Shape::Number;

    fn coerce(value: Scalar<'_>) -> Option<Self> {
        i64::coerce(value).map(Self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ts_orders_numerically() {
        let mut v: Vec<Ts> = ["10.5", "9.000001", "10.000100", "abc", "10.05"]
            .into_iter()
            .map(Ts::from)
            .collect();
        v.sort();
        let s: Vec<&str> = v.iter().map(Ts::as_str).collect();
        assert_eq!(s, ["9.000001", "10.000100", "10.05", "10.5", "abc"]);
    }

    #[test]
    fn ts_time_roundtrip() {
        let ts = Ts::from("1700000000.000100");
        assert_eq!(ts.seconds(), Some(1_700_000_000));
        assert_eq!(ts.micros(), Some(100));
        let t = ts.to_system_time().unwrap();
        assert_eq!(Ts::from_system_time(t), ts);
        assert_eq!(Ts::from("x").to_system_time(), None);
    }

    #[test]
    fn ts_from_number_or_string() {
        let v: Vec<Ts> = serde_json::from_str(r#"["1.000200", 1700000000, 1.5]"#).unwrap();
        assert_eq!(
            v,
            [
                Ts::from("1.000200"),
                Ts::from("1700000000"),
                Ts::from("1.500000")
            ]
        );
        assert_eq!(serde_json::to_string(&v[0]).unwrap(), r#""1.000200""#);
    }

    #[test]
    fn ids_are_transparent() {
        let c: ChannelId = serde_json::from_str(r#""C1""#).unwrap();
        assert_eq!(c, "C1");
        assert_eq!(serde_json::to_string(&c).unwrap(), r#""C1""#);
        assert_eq!(String::from(c), "C1");
    }

    #[test]
    fn unix_time_decodes_leniently_and_converts() {
        #[derive(serde::Deserialize)]
        struct Row {
            #[serde(deserialize_with = "crate::de::req")]
            created: UnixTime,
        }
        let text = r#"{"created": 1700000000}"#;
        let row: Row = crate::de::from_str(text).unwrap();
        assert_eq!(row.created.secs(), 1_700_000_000);
        let quoted: Row = crate::de::from_str(r#"{"created": "1700000000"}"#).unwrap();
        assert_eq!(quoted.created, row.created);
        let t = row.created.to_system_time().unwrap();
        assert_eq!(UnixTime::from_system_time(t), row.created);
        let before = UNIX_EPOCH - Duration::from_millis(1500);
        assert_eq!(UnixTime::from_system_time(before).secs(), -2);
        assert_eq!(
            UnixTime::from_secs(-2).to_system_time(),
            Some(UNIX_EPOCH - Duration::from_secs(2))
        );
        assert_eq!(serde_json::to_string(&row.created).unwrap(), "1700000000");
        assert!(crate::de::from_str::<Row>(r#"{"created": "soon"}"#).is_err());
    }
}
