//! `jiff`: `Timestamp` as UTC `datetime('now')` text, `civil::Date` as `YYYY-MM-DD`,
//! `UnixSeconds<Timestamp>` as INTEGER.

use jiff::Timestamp;
use jiff::civil::Date;

use super::{
    UnixSeconds, decode_date, decode_instant, decode_unix, encode_instant, format_date,
    whole_seconds,
};
use crate::error::{DecodeError, Result};
use crate::table::ColumnType;
use crate::value::{Value, ValueRef};

/// Seconds and a non-negative nanosecond: jiff gives a negative fraction before 1970.
fn split(t: &Timestamp) -> (i64, u32) {
    let (mut secs, mut nanos) = (t.as_second(), t.subsec_nanosecond());
    if nanos < 0 {
        secs -= 1;
        nanos += 1_000_000_000;
    }
    (secs, nanos as u32)
}

fn instant(seconds: i64, nanosecond: u32) -> Option<Timestamp> {
    Timestamp::new(seconds, nanosecond as i32).ok()
}

impl ColumnType for Timestamp {
    const SQL_TYPE: &'static str = "TEXT";
    fn to_value(&self) -> Result<Value> {
        let (secs, nanos) = split(self);
        encode_instant(secs, nanos)
    }
    fn from_value(value: ValueRef<'_>) -> Result<Self, DecodeError> {
        decode_instant(value, instant)
    }
}

impl ColumnType for Date {
    const SQL_TYPE: &'static str = "TEXT";
    fn to_value(&self) -> Result<Value> {
        Ok(Value::Text(format_date(
            self.year().into(),
            self.month() as u8,
            self.day() as u8,
        )))
    }
    fn from_value(value: ValueRef<'_>) -> Result<Self, DecodeError> {
        decode_date(value, |y, m, d| {
            Date::new(i16::try_from(y).ok()?, m as i8, d as i8).ok()
        })
    }
}

impl ColumnType for UnixSeconds<Timestamp> {
    const SQL_TYPE: &'static str = "INTEGER";
    fn to_value(&self) -> Result<Value> {
        let (secs, nanos) = split(&self.0);
        whole_seconds(secs, nanos)
    }
    fn from_value(value: ValueRef<'_>) -> Result<Self, DecodeError> {
        decode_unix(value, |s| instant(s, 0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_before_and_after_1970() {
        for (secs, nanos, text) in [
            (1_796_064_470, 1, "2026-11-30 18:47:50.000000001"),
            (-1, 500_000_000, "1969-12-31 23:59:59.5"),
        ] {
            let t = Timestamp::new(secs, nanos).unwrap();
            assert_eq!(t.to_value().unwrap(), Value::Text(text.into()));
            assert_eq!(Timestamp::from_value(ValueRef::Text(text)).unwrap(), t);
        }
        let d = Date::from_value(ValueRef::Text("2026-11-30")).unwrap();
        assert_eq!(d.to_value().unwrap(), Value::Text("2026-11-30".into()));
        assert!(Timestamp::from_value(ValueRef::Integer(3)).is_err());
    }
}
