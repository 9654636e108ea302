//! `chrono`: `DateTime<Utc>` and `NaiveDateTime` as `datetime('now')` text, `NaiveDate`
//! as `YYYY-MM-DD`, `UnixSeconds<DateTime<Utc>>` as INTEGER.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Timelike, Utc};

use super::{
    Parts, UnixSeconds, decode_date, decode_instant, decode_unix, encode_instant, format_date,
    format_datetime, parse, text, unparsable, whole_seconds,
};
use crate::error::{DecodeError, Result};
use crate::table::ColumnType;
use crate::value::{Value, ValueRef};

/// What a local date and time's text must be, for errors.
const DATETIME: &str =
    "a date and time without an offset (YYYY-MM-DD HH:MM:SS[.fff], as datetime('now') writes)";

fn parts(t: &NaiveDateTime) -> Parts {
    Parts {
        year: t.year(),
        month: t.month() as u8,
        day: t.day() as u8,
        hour: t.hour() as u8,
        minute: t.minute() as u8,
        second: t.second() as u8,
        // A leap second (nanosecond ≥ 10^9) has no place in SQLite's text: it is read
        // back as the second's last nanosecond.
        nanosecond: t.nanosecond().min(999_999_999),
        offset: 0,
        zoned: false,
    }
}

fn naive(p: &Parts) -> Option<NaiveDateTime> {
    NaiveDate::from_ymd_opt(p.year, p.month.into(), p.day.into())?.and_hms_nano_opt(
        p.hour.into(),
        p.minute.into(),
        p.second.into(),
        p.nanosecond,
    )
}

impl ColumnType for DateTime<Utc> {
    const SQL_TYPE: &'static str = "TEXT";
    fn to_value(&self) -> Result<Value> {
        // A leap second (nanosecond ≥ 10^9) is written as the second's last nanosecond.
        encode_instant(
            self.timestamp(),
            self.timestamp_subsec_nanos().min(999_999_999),
        )
    }
    fn from_value(value: ValueRef<'_>) -> Result<Self, DecodeError> {
        decode_instant(value, DateTime::from_timestamp)
    }
}

impl ColumnType for NaiveDateTime {
    const SQL_TYPE: &'static str = "TEXT";
    fn to_value(&self) -> Result<Value> {
        Ok(Value::Text(format_datetime(&parts(self))))
    }
    fn from_value(value: ValueRef<'_>) -> Result<Self, DecodeError> {
        let s = text(value, "a date and time")?;
        match parse(s) {
            // An offset would be dropped: a naive time cannot say which one it had.
            Some(p) if p.offset == 0 => naive(&p).ok_or_else(|| unparsable(DATETIME, s)),
            _ => Err(unparsable(DATETIME, s)),
        }
    }
}

impl ColumnType for NaiveDate {
    const SQL_TYPE: &'static str = "TEXT";
    fn to_value(&self) -> Result<Value> {
        Ok(Value::Text(format_date(
            self.year(),
            self.month() as u8,
            self.day() as u8,
        )))
    }
    fn from_value(value: ValueRef<'_>) -> Result<Self, DecodeError> {
        decode_date(value, |y, m, d| {
            NaiveDate::from_ymd_opt(y, m.into(), d.into())
        })
    }
}

impl ColumnType for UnixSeconds<DateTime<Utc>> {
    const SQL_TYPE: &'static str = "INTEGER";
    fn to_value(&self) -> Result<Value> {
        whole_seconds(self.0.timestamp(), self.0.timestamp_subsec_nanos())
    }
    fn from_value(value: ValueRef<'_>) -> Result<Self, DecodeError> {
        decode_unix(value, |s| DateTime::from_timestamp(s, 0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_reads_offsets_as_utc() {
        let t = DateTime::from_timestamp(1_796_064_470, 123_000_000).unwrap();
        let v = t.to_value().unwrap();
        assert_eq!(v, Value::Text("2026-11-30 18:47:50.123".into()));
        let Value::Text(s) = &v else { unreachable!() };
        assert_eq!(DateTime::<Utc>::from_value(ValueRef::Text(s)).unwrap(), t);
        let t2 =
            DateTime::<Utc>::from_value(ValueRef::Text("2026-11-30T19:47:50.123+01:00")).unwrap();
        assert_eq!(t2, t);
        assert!(DateTime::<Utc>::from_value(ValueRef::Text("2026-02-30 00:00:00")).is_err());
        assert!(NaiveDateTime::from_value(ValueRef::Text("2026-11-30 18:00:00+01:00")).is_err());
        let d = NaiveDate::from_value(ValueRef::Text("2026-11-30")).unwrap();
        assert_eq!(d.to_value().unwrap(), Value::Text("2026-11-30".into()));
        assert!(NaiveDate::from_value(ValueRef::Text("2026-11-30 00:00:00")).is_err());
        assert!(UnixSeconds(t).to_value().is_err());
        let whole = UnixSeconds(DateTime::from_timestamp(1_796_064_470, 0).unwrap());
        assert_eq!(whole.to_value().unwrap(), Value::Integer(1_796_064_470));
        assert_eq!(
            UnixSeconds::<DateTime<Utc>>::from_value(ValueRef::Real(1_796_064_470.0)).unwrap(),
            whole
        );
    }
}
