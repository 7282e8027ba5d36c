//! [`Ts`] and [`UnixTime`] as the date-time types of `chrono`, `jiff` and
//! `time`, each behind the feature of the same name. The conversions go
//! through seconds and nanoseconds since the epoch, so each is exact
//! (`Ts` carries microseconds) and `None` only outside the crate's range.

#[cfg(any(feature = "chrono", feature = "jiff", feature = "time"))]
use crate::ids::{Ts, UnixTime};

/// Seconds and nanoseconds since the epoch.
#[cfg(any(feature = "chrono", feature = "jiff", feature = "time"))]
trait EpochParts {
    fn epoch_parts(&self) -> Option<(i64, u32)>;
}

#[cfg(any(feature = "chrono", feature = "jiff", feature = "time"))]
impl EpochParts for Ts {
    fn epoch_parts(&self) -> Option<(i64, u32)> {
        let secs = i64::try_from(self.seconds()?).ok()?;
        Some((secs, self.micros()? * 1_000))
    }
}

#[cfg(any(feature = "chrono", feature = "jiff", feature = "time"))]
impl EpochParts for UnixTime {
    fn epoch_parts(&self) -> Option<(i64, u32)> {
        Some((self.secs(), 0))
    }
}

macro_rules! conversions {
    ($feature:literal, $method:ident, $target:ty, $doc:literal, |$s:ident, $n:ident| $make:expr) => {
        #[cfg(feature = $feature)]
        impl Ts {
            #[doc = concat!("The timestamp as ", $doc, " (feature `", $feature, "`); `None` if it is not a timestamp.")]
            pub fn $method(&self) -> Option<$target> {
                let ($s, $n) = self.epoch_parts()?;
                $make
            }
        }

        #[cfg(feature = $feature)]
        impl UnixTime {
            #[doc = concat!("The moment as ", $doc, " (feature `", $feature, "`); `None` outside its range.")]
            pub fn $method(&self) -> Option<$target> {
                let ($s, $n) = self.epoch_parts()?;
                $make
            }
        }
    };
}

conversions!(
    "chrono",
    to_chrono,
    chrono::DateTime<chrono::Utc>,
    "a `chrono::DateTime<Utc>`",
    |secs, nanos| chrono::DateTime::from_timestamp(secs, nanos)
);

conversions!(
    "jiff",
    to_jiff,
    jiff::Timestamp,
    "a `jiff::Timestamp`",
    |secs, nanos| jiff::Timestamp::new(secs, i32::try_from(nanos).ok()?).ok()
);

conversions!(
    "time",
    to_offset_date_time,
    time::OffsetDateTime,
    "a `time::OffsetDateTime` in UTC",
    |secs, nanos| {
        let total = i128::from(secs) * 1_000_000_000 + i128::from(nanos);
        time::OffsetDateTime::from_unix_timestamp_nanos(total).ok()
    }
);

#[cfg(test)]
mod tests {
    #[allow(unused_imports)]
    use crate::ids::{Ts, UnixTime};

    #[cfg(feature = "chrono")]
    #[test]
    fn chrono() {
        let t = Ts::new("1700000000.000100").to_chrono().unwrap();
        assert_eq!(t.to_rfc3339(), "2023-11-14T22:13:20.000100+00:00");
        let u = UnixTime::from_secs(-1).to_chrono().unwrap();
        assert_eq!(u.to_rfc3339(), "1969-12-31T23:59:59+00:00");
        assert!(Ts::new("not a ts").to_chrono().is_none());
    }

    #[cfg(feature = "jiff")]
    #[test]
    fn jiff() {
        let t = Ts::new("1700000000.000100").to_jiff().unwrap();
        assert_eq!(t.to_string(), "2023-11-14T22:13:20.0001Z");
        assert_eq!(UnixTime::from_secs(0).to_jiff().unwrap().as_second(), 0);
        assert!(
            UnixTime::from_secs(i64::MAX).to_jiff().is_none(),
            "out of range"
        );
    }

    #[cfg(feature = "time")]
    #[test]
    fn time() {
        let t = Ts::new("1700000000.000100").to_offset_date_time().unwrap();
        assert_eq!(t.unix_timestamp(), 1_700_000_000);
        assert_eq!(t.microsecond(), 100);
        let u = UnixTime::from_secs(1_700_000_000)
            .to_offset_date_time()
            .unwrap();
        assert_eq!(u.unix_timestamp(), 1_700_000_000);
    }
}
