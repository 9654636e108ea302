//! `time`: `OffsetDateTime` as UTC `datetime('now')` text, `Date` as `YYYY-MM-DD`,
//! `UnixSeconds<OffsetDateTime>` as INTEGER.

use time::{Date, Month, OffsetDateTime};

use super::{
    UnixSeconds, decode_date, decode_instant, decode_unix, encode_instant, format_date,
    whole_seconds,
};
use crate::error::{DecodeError, Result};
use crate::table::ColumnType;
use crate::value::{Value, ValueRef};

fn instant(seconds: i64, nanosecond: u32) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp_nanos(
        i128::from(seconds) * 1_000_000_000 + i128::from(nanosecond),
    )
    .ok()
}

impl ColumnType for OffsetDateTime {
    const SQL_TYPE: &'static str = "TEXT";
    fn to_value(&self) -> Result<Value> {
        encode_instant(self.unix_timestamp(), self.nanosecond())
    }
    fn from_value(value: ValueRef<'_>) -> Result<Self, DecodeError> {
        decode_instant(value, instant)
    }
}

impl ColumnType for Date {
    const SQL_TYPE: &'static str = "TEXT";
    fn to_value(&self) -> Result<Value> {
        Ok(Value::Text(format_date(
            self.year(),
            self.month() as u8,
            self.day(),
        )))
    }
    fn from_value(value: ValueRef<'_>) -> Result<Self, DecodeError> {
        decode_date(value, |y, m, d| {
            Date::from_calendar_date(y, Month::try_from(m).ok()?, d).ok()
        })
    }
}

impl ColumnType for UnixSeconds<OffsetDateTime> {
    const SQL_TYPE: &'static str = "INTEGER";
    fn to_value(&self) -> Result<Value> {
        whole_seconds(self.0.unix_timestamp(), self.0.nanosecond())
    }
    fn from_value(value: ValueRef<'_>) -> Result<Self, DecodeError> {
        decode_unix(value, |s| instant(s, 0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_in_utc() {
        let t = OffsetDateTime::from_unix_timestamp_nanos(1_796_064_470_250_000_000)
            .unwrap()
            .to_offset(time::UtcOffset::from_hms(2, 0, 0).unwrap());
        let v = t.to_value().unwrap();
        assert_eq!(v, Value::Text("2026-11-30 18:47:50.25".into()));
        let Value::Text(s) = &v else { unreachable!() };
        assert_eq!(OffsetDateTime::from_value(ValueRef::Text(s)).unwrap(), t);
        let d = Date::from_value(ValueRef::Text("2024-02-29")).unwrap();
        assert_eq!(d.to_value().unwrap(), Value::Text("2024-02-29".into()));
        assert!(Date::from_value(ValueRef::Text("2023-02-29")).is_err());
        assert!(UnixSeconds(t).to_value().is_err());
    }
}
