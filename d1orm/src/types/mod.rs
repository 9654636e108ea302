//! Column types from the crates applications already use, each behind a Cargo feature of
//! d1orm: `chrono`, `time`, `jiff` and `uuid`.
//!
//! Timestamps are stored as the TEXT SQLite's `datetime('now')` and `CURRENT_TIMESTAMP`
//! write, in UTC: `2026-11-30 18:39:28`, with a fraction of a second only when there is
//! one (`2026-11-30 18:39:28.5`). So a column with that SQL default decodes, text order is
//! time order (filters and `order_by` work on it), and D1's date functions read it.
//! Reading also takes an ISO 8601 `T`, a trailing `Z` or a `±HH:MM` offset (converted to
//! UTC where the type is an instant). Dates are `2026-11-30`. A value that does not parse
//! is a typed error naming table and column.
//!
//! [`UnixSeconds`] stores an instant as INTEGER seconds since the Unix epoch instead (as
//! `unixepoch()` gives); a value with a fraction of a second is refused when bound rather
//! than truncated. UUIDs are TEXT, lowercase and hyphenated; `UuidBlob` (feature `uuid`)
//! stores one as a 16-byte BLOB.

// The shared text and epoch helpers serve the features; with none on they are unused.
#![cfg_attr(
    not(any(feature = "chrono", feature = "time", feature = "jiff")),
    allow(dead_code)
)]

#[cfg(feature = "chrono")]
mod chrono_columns;
#[cfg(feature = "jiff")]
mod jiff_columns;
#[cfg(feature = "time")]
mod time_columns;
#[cfg(feature = "uuid")]
mod uuid_columns;
#[cfg(feature = "uuid")]
pub use uuid_columns::UuidBlob;

// The crates themselves, so that an application names the same versions d1orm
// implements `ColumnType` for (as sqlx's `types` module does).
#[cfg(feature = "chrono")]
pub use ::chrono;
#[cfg(feature = "jiff")]
pub use ::jiff;
#[cfg(feature = "time")]
pub use ::time;
#[cfg(feature = "uuid")]
pub use ::uuid;

use crate::error::{DecodeError, Error, Prefix, Result};
use crate::value::{Value, ValueRef};

/// An instant stored as INTEGER seconds since the Unix epoch:
/// `#[d1orm(default = "(unixepoch())")] created: UnixSeconds<DateTime<Utc>>`.
///
/// ```
/// # #[cfg(feature = "chrono")] {
/// use d1orm::{ColumnType, Value, types::{UnixSeconds, chrono::DateTime}};
/// let t = UnixSeconds(DateTime::from_timestamp(1_700_000_000, 0).unwrap());
/// assert_eq!(t.to_value().unwrap(), Value::Integer(1_700_000_000));
/// // A fraction of a second is refused rather than truncated.
/// assert!(UnixSeconds(DateTime::from_timestamp(1, 5).unwrap()).to_value().is_err());
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct UnixSeconds<T>(pub T);

/// A calendar date and a time of day, as parsed from or written to SQLite's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Parts {
    pub year: i32,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
    pub nanosecond: u32,
    /// Seconds east of UTC the text gave (0 without an offset or with `Z`).
    pub offset: i32,
    /// Whether the text gave an offset or `Z`.
    pub zoned: bool,
}

fn digits(s: &str, at: usize, n: usize) -> Option<u32> {
    let part = s.get(at..at + n)?;
    if !part.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    part.parse().ok()
}

/// Reads `YYYY-MM-DD[( |T)HH:MM[:SS[.fff…]]][Z|±HH:MM]`.
pub(crate) fn parse(text: &str) -> Option<Parts> {
    let s = text.trim();
    // `get`, not indexing: stored text may hold any character, and must not panic.
    let date_ok = s.get(4..5) == Some("-") && s.get(7..8) == Some("-");
    if !date_ok {
        return None;
    }
    let mut p = Parts {
        year: digits(s, 0, 4)? as i32,
        month: digits(s, 5, 2)? as u8,
        day: digits(s, 8, 2)? as u8,
        hour: 0,
        minute: 0,
        second: 0,
        nanosecond: 0,
        offset: 0,
        zoned: false,
    };
    let mut rest = &s[10..];
    if let Some(time) = rest.strip_prefix(' ').or_else(|| rest.strip_prefix('T')) {
        p.hour = digits(time, 0, 2)? as u8;
        if time.get(2..3)? != ":" {
            return None;
        }
        p.minute = digits(time, 3, 2)? as u8;
        rest = &time[5..];
        if let Some(sec) = rest.strip_prefix(':') {
            p.second = digits(sec, 0, 2)? as u8;
            rest = &sec[2..];
            if let Some(frac) = rest.strip_prefix('.') {
                let n = frac.bytes().take_while(u8::is_ascii_digit).count();
                if n == 0 || n > 9 {
                    return None;
                }
                p.nanosecond = digits(frac, 0, n)? * 10u32.pow(9 - n as u32);
                rest = &frac[n..];
            }
        }
    }
    match rest {
        "" => {}
        "Z" | "z" => p.zoned = true,
        offset if offset.len() == 6 && (offset.starts_with('+') || offset.starts_with('-')) => {
            if offset.get(3..4) != Some(":") {
                return None;
            }
            let seconds = (digits(offset, 1, 2)? * 3600 + digits(offset, 4, 2)? * 60) as i32;
            p.offset = if offset.starts_with('-') {
                -seconds
            } else {
                seconds
            };
            p.zoned = true;
        }
        _ => return None,
    }
    Some(p)
}

/// `YYYY-MM-DD HH:MM:SS[.f…]`, the fraction without trailing zeros.
pub(crate) fn format_datetime(p: &Parts) -> String {
    let mut s = format!(
        "{} {:02}:{:02}:{:02}",
        format_date(p.year, p.month, p.day),
        p.hour,
        p.minute,
        p.second
    );
    if p.nanosecond != 0 {
        let frac = format!("{:09}", p.nanosecond);
        s.push('.');
        s.push_str(frac.trim_end_matches('0'));
    }
    s
}

/// `YYYY-MM-DD` (years outside 0..=9999 are written with a sign, as ISO 8601's expanded
/// form; SQLite's own functions only read four-digit years).
pub(crate) fn format_date(year: i32, month: u8, day: u8) -> String {
    if (0..=9999).contains(&year) {
        format!("{year:04}-{month:02}-{day:02}")
    } else {
        format!("{year:+05}-{month:02}-{day:02}")
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`).
pub(crate) fn days_from_civil(year: i32, month: u8, day: u8) -> i64 {
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count since 1970-01-01 (`civil_from_days`).
pub(crate) fn civil_from_days(days: i64) -> (i64, u8, u8) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

/// Whether the parts name a real day and time (the day exists in its month).
fn valid(p: &Parts) -> bool {
    let (y, m, d) = civil_from_days(days_from_civil(p.year, p.month, p.day));
    (1..=12).contains(&p.month)
        && y == i64::from(p.year)
        && m == p.month
        && d == p.day
        && p.hour < 24
        && p.minute < 60
        && p.second < 60
}

/// An instant's text as UTC: seconds since the Unix epoch and nanoseconds.
pub(crate) fn to_unix(p: &Parts) -> Option<(i64, u32)> {
    if !valid(p) {
        return None;
    }
    let seconds = days_from_civil(p.year, p.month, p.day) * 86_400
        + i64::from(p.hour) * 3600
        + i64::from(p.minute) * 60
        + i64::from(p.second)
        - i64::from(p.offset);
    Some((seconds, p.nanosecond))
}

/// The UTC text parts of an instant.
pub(crate) fn from_unix(seconds: i64, nanosecond: u32) -> Option<Parts> {
    let days = seconds.div_euclid(86_400);
    let rest = seconds.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    Some(Parts {
        year: i32::try_from(year).ok()?,
        month,
        day,
        hour: (rest / 3600) as u8,
        minute: (rest % 3600 / 60) as u8,
        second: (rest % 60) as u8,
        nanosecond,
        offset: 0,
        zoned: false,
    })
}

/// A date's parts from its text: `YYYY-MM-DD` only.
pub(crate) fn parse_date(text: &str) -> Option<(i32, u8, u8)> {
    let p = parse(text).filter(|_| text.trim().len() == 10)?;
    valid(&p).then_some((p.year, p.month, p.day))
}

/// An instant's text, from seconds since the Unix epoch and nanoseconds.
///
/// # Failure
/// A year beyond `i32` (no crate here makes one; refused rather than assumed).
pub(crate) fn encode_instant(seconds: i64, nanosecond: u32) -> Result<Value> {
    from_unix(seconds, nanosecond)
        .map(|p| Value::Text(format_datetime(&p)))
        .ok_or_else(|| {
            Error::d1(
                Prefix::TypeError,
                format!("{seconds} seconds since the Unix epoch is beyond the years SQLite reads"),
            )
        })
}

/// A stored instant (timestamp text) made into `T` by `make`, from seconds since the
/// Unix epoch and nanoseconds.
pub(crate) fn decode_instant<T>(
    value: ValueRef<'_>,
    make: impl FnOnce(i64, u32) -> Option<T>,
) -> Result<T, DecodeError> {
    let s = text(value, "a timestamp")?;
    parse(s)
        .and_then(|p| to_unix(&p))
        .and_then(|(seconds, nanosecond)| make(seconds, nanosecond))
        .ok_or_else(|| unparsable(TIMESTAMP, s))
}

/// A stored date (`YYYY-MM-DD`) made into `T` by `make`.
pub(crate) fn decode_date<T>(
    value: ValueRef<'_>,
    make: impl FnOnce(i32, u8, u8) -> Option<T>,
) -> Result<T, DecodeError> {
    let s = text(value, "a date")?;
    parse_date(s)
        .and_then(|(y, m, d)| make(y, m, d))
        .ok_or_else(|| unparsable("a date (YYYY-MM-DD)", s))
}

/// Stored INTEGER seconds made into `UnixSeconds<T>` by `make`.
pub(crate) fn decode_unix<T>(
    value: ValueRef<'_>,
    make: impl FnOnce(i64) -> Option<T>,
) -> Result<UnixSeconds<T>, DecodeError> {
    let s = unix_seconds(value)?;
    make(s).map(UnixSeconds).ok_or_else(|| {
        DecodeError::new(format!("{s} seconds since the Unix epoch is out of range"))
    })
}

/// The text of a stored timestamp or date, or a decode error.
pub(crate) fn text<'a>(value: ValueRef<'a>, what: &str) -> Result<&'a str, DecodeError> {
    match value {
        ValueRef::Text(s) => Ok(s),
        other => Err(DecodeError::new(format!(
            "expected {what} as text, found {} value",
            other.type_name()
        ))),
    }
}

/// What a timestamp's text must be, for errors.
pub(crate) const TIMESTAMP: &str = "a timestamp (YYYY-MM-DD HH:MM:SS[.fff], as datetime('now') writes, or ISO 8601 with Z or ±HH:MM)";

#[cold]
pub(crate) fn unparsable(what: &str, text: &str) -> DecodeError {
    DecodeError::new(format!("{text:?} is not {what}"))
}

/// Seconds since the Unix epoch from a stored INTEGER (an integral REAL too: D1 hands
/// numbers over as doubles).
pub(crate) fn unix_seconds(value: ValueRef<'_>) -> Result<i64, DecodeError> {
    match value {
        ValueRef::Integer(i) => Ok(i),
        ValueRef::Real(f) => crate::value::exact_integer(f)
            .ok_or_else(|| DecodeError::new("expected whole seconds since the Unix epoch")),
        other => Err(DecodeError::new(format!(
            "expected seconds since the Unix epoch, found {} value",
            other.type_name()
        ))),
    }
}

/// The INTEGER of an instant with no fraction of a second; a fraction is refused, never
/// truncated.
pub(crate) fn whole_seconds(seconds: i64, nanosecond: u32) -> Result<Value> {
    if nanosecond != 0 {
        return Err(Error::d1(
            Prefix::TypeError,
            format!(
                "UnixSeconds cannot hold a fraction of a second ({seconds}s + {nanosecond}ns): \
                 round the value, or store it as text"
            ),
        ));
    }
    Ok(Value::Integer(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_sqlite_and_iso_8601_write() {
        let p = parse("2026-11-30 18:39:28").unwrap();
        assert_eq!(
            (p.year, p.month, p.day, p.hour, p.minute, p.second),
            (2026, 11, 30, 18, 39, 28)
        );
        assert_eq!((p.nanosecond, p.offset, p.zoned), (0, 0, false));
        let p = parse("2026-11-30T18:39:28.123Z").unwrap();
        assert_eq!((p.nanosecond, p.zoned), (123_000_000, true));
        let p = parse("2026-11-30T18:39:28.000000001-05:30").unwrap();
        assert_eq!((p.nanosecond, p.offset), (1, -(5 * 3600 + 30 * 60)));
        let p = parse("2026-11-30 18:39").unwrap();
        assert_eq!((p.hour, p.minute, p.second), (18, 39, 0));
        assert_eq!(parse("2026-11-30").unwrap().hour, 0);
        for bad in [
            "",
            "2026-11",
            "2026/11/30",
            "2026-11-30 1:00",
            "2026-11-30 18:39:28.",
            "2026-11-30 18:39:28.1234567890",
            "2026-11-30 18:39:28+0100",
            "2026-11-30 18:39:28 UTC",
            "２０２６-11-30",
        ] {
            assert!(parse(bad).is_none(), "{bad:?} parsed");
        }
    }

    #[test]
    fn writes_datetime_now_form_keeping_every_fraction_digit() {
        let mut p = parse("2026-01-02 03:04:05").unwrap();
        assert_eq!(format_datetime(&p), "2026-01-02 03:04:05");
        p.nanosecond = 500_000_000;
        assert_eq!(format_datetime(&p), "2026-01-02 03:04:05.5");
        p.nanosecond = 1;
        assert_eq!(format_datetime(&p), "2026-01-02 03:04:05.000000001");
        assert_eq!(format_date(-1, 1, 1), "-0001-01-01");
        assert_eq!(format_date(10000, 1, 1), "+10000-01-01");
    }

    #[test]
    fn unix_days_round_trip_across_eras() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        for days in [-800_000, -1, 0, 1, 59, 60, 11_016, 20_000, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y as i32, m, d), days);
        }
        let p = parse("2026-11-30 18:47:50.5+01:00").unwrap();
        assert_eq!(to_unix(&p), Some((1_796_064_470 - 3600, 500_000_000)));
        assert_eq!(
            format_datetime(&from_unix(1_796_064_470, 0).unwrap()),
            "2026-11-30 18:47:50"
        );
        assert!(to_unix(&parse("2026-02-29 00:00:00").unwrap()).is_none());
        assert!(to_unix(&parse("2024-02-29 24:00:00").unwrap()).is_none());
        assert_eq!(parse_date("2024-02-29"), Some((2024, 2, 29)));
        assert_eq!(parse_date("2023-02-29"), None);
    }

    #[test]
    fn unix_seconds_refuse_fractions() {
        assert_eq!(whole_seconds(5, 0).unwrap(), Value::Integer(5));
        let e = whole_seconds(5, 1).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("D1_TYPE_ERROR: UnixSeconds cannot hold"),
            "{e}"
        );
    }
}
