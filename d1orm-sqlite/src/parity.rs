//! Making the bundled SQLite the SQLite D1 runs, on every connection the backend opens
//! (so it holds for any crate that depends on this one, whatever its build settings):
//! D1's SQL math functions, which the bundled SQLite leaves out, and only the virtual
//! table modules D1 has (no `dbstat`, no FTS3/4). D1's refusal of some functions is
//! the authorizer's (`auth.rs`).

use std::f64::consts::PI;
use std::ffi::CStr;

use rusqlite::functions::{Context, FunctionFlags};
use rusqlite::types::{Value, ValueRef};
use rusqlite::{Connection, Error, Result};

/// Virtual table modules D1 keeps; the bundled SQLite registers others (`dbstat`,
/// `fts3`, `fts4`, ...), which D1 does not know.
const MODULES: [&CStr; 6] = [
    c"fts5",
    c"fts5vocab",
    c"rtree",
    c"rtree_i32",
    c"json_each",
    c"json_tree",
];

/// Applies D1's SQLite to `conn`.
pub(crate) fn apply(conn: &Connection) -> Result<()> {
    drop_modules(conn)?;
    math_functions(conn)
}

fn drop_modules(conn: &Connection) -> Result<()> {
    let mut list: Vec<*const std::ffi::c_char> = MODULES.iter().map(|m| m.as_ptr()).collect();
    list.push(std::ptr::null());
    // SAFETY: the handle is the open connection's; the list is NULL-terminated and its
    // strings are static, and the call only reads them.
    let rc = unsafe { rusqlite::ffi::sqlite3_drop_modules(conn.handle(), list.as_mut_ptr()) };
    if rc == rusqlite::ffi::SQLITE_OK {
        Ok(())
    } else {
        Err(Error::SqliteFailure(rusqlite::ffi::Error::new(rc), None))
    }
}

/// A number, as SQLite's numeric affinity makes one of a value: TEXT that reads as a
/// number counts; anything else (NULL, BLOB, other TEXT) makes the function's result
/// NULL.
#[derive(Clone, Copy)]
enum Number {
    Integer(i64),
    Real(f64),
}

impl Number {
    fn of(value: ValueRef<'_>) -> Option<Number> {
        match value {
            ValueRef::Integer(i) => Some(Number::Integer(i)),
            ValueRef::Real(f) => Some(Number::Real(f)),
            ValueRef::Text(t) => std::str::from_utf8(t).ok().and_then(Number::parse),
            ValueRef::Null | ValueRef::Blob(_) => None,
        }
    }

    /// Text as SQLite's `sqlite3_value_numeric_type` reads it: an integer or a real in
    /// decimal notation, white space around it allowed.
    fn parse(text: &str) -> Option<Number> {
        let text = text.trim_matches([' ', '\t', '\n', '\x0c', '\r']);
        let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
        if digits.is_empty() || !digits.bytes().any(|b| b.is_ascii_digit()) {
            return None;
        }
        if digits.bytes().all(|b| b.is_ascii_digit())
            && let Ok(i) = text.parse::<i64>()
        {
            return Some(Number::Integer(i));
        }
        // Rust reads `inf` and `NaN` too; SQLite does not.
        if !digits
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'))
        {
            return None;
        }
        text.parse::<f64>().ok().map(Number::Real)
    }

    fn real(self) -> f64 {
        match self {
            Number::Integer(i) => i as f64,
            Number::Real(f) => f,
        }
    }
}

fn number(ctx: &Context<'_>, index: usize) -> Result<Option<Number>> {
    Ok(Number::of(ctx.get_raw(index)))
}

/// A result as SQLite gives a double: NaN is NULL.
fn real(f: f64) -> Option<f64> {
    (!f.is_nan()).then_some(f)
}

const FLAGS: FunctionFlags = FunctionFlags::SQLITE_UTF8
    .union(FunctionFlags::SQLITE_DETERMINISTIC)
    .union(FunctionFlags::SQLITE_INNOCUOUS);

fn one(conn: &Connection, name: &str, f: fn(f64) -> f64) -> Result<()> {
    conn.create_scalar_function(name, 1, FLAGS, move |ctx| {
        Ok(number(ctx, 0)?.and_then(|x| real(f(x.real()))))
    })
}

fn two(conn: &Connection, name: &str, f: fn(f64, f64) -> f64) -> Result<()> {
    conn.create_scalar_function(name, 2, FLAGS, move |ctx| {
        Ok(match (number(ctx, 0)?, number(ctx, 1)?) {
            (Some(x), Some(y)) => real(f(x.real(), y.real())),
            _ => None,
        })
    })
}

/// `ceil`, `floor`, `trunc`: an integer stays the integer it is, a real is rounded.
fn rounding(conn: &Connection, name: &str, f: fn(f64) -> f64) -> Result<()> {
    conn.create_scalar_function(name, 1, FLAGS, move |ctx| {
        Ok(match number(ctx, 0)? {
            Some(Number::Integer(i)) => Value::Integer(i),
            Some(Number::Real(x)) => real(f(x)).map_or(Value::Null, Value::Real),
            None => Value::Null,
        })
    })
}

/// `ln`, `log`, `log10`, `log2` of one argument; a number that is not positive has none.
fn logarithm(conn: &Connection, name: &str, f: fn(f64) -> f64) -> Result<()> {
    conn.create_scalar_function(name, 1, FLAGS, move |ctx| {
        Ok(number(ctx, 0)?
            .map(Number::real)
            .filter(|x| *x > 0.0)
            .and_then(|x| real(f(x))))
    })
}

/// SQLite's math functions as D1 has them (`ceiling`, `power` and `log10` are there
/// for D1's authorizer to refuse by name, as D1 does).
fn math_functions(conn: &Connection) -> Result<()> {
    for (name, f) in [
        ("acos", f64::acos as fn(f64) -> f64),
        ("acosh", f64::acosh),
        ("asin", f64::asin),
        ("asinh", f64::asinh),
        ("atan", f64::atan),
        ("atanh", f64::atanh),
        ("cos", f64::cos),
        ("cosh", f64::cosh),
        ("sin", f64::sin),
        ("sinh", f64::sinh),
        ("tan", f64::tan),
        ("tanh", f64::tanh),
        ("exp", f64::exp),
        ("sqrt", f64::sqrt),
        ("degrees", |x| x * (180.0 / PI)),
        ("radians", |x| x * (PI / 180.0)),
    ] {
        one(conn, name, f)?;
    }
    for (name, f) in [
        ("atan2", f64::atan2 as fn(f64, f64) -> f64),
        ("pow", f64::powf),
        ("power", f64::powf),
        ("mod", |x, y| x % y),
    ] {
        two(conn, name, f)?;
    }
    for (name, f) in [
        ("ceil", f64::ceil as fn(f64) -> f64),
        ("ceiling", f64::ceil),
        ("floor", f64::floor),
        ("trunc", f64::trunc),
    ] {
        rounding(conn, name, f)?;
    }
    for (name, f) in [
        ("ln", f64::ln as fn(f64) -> f64),
        ("log", f64::log10),
        ("log10", f64::log10),
        ("log2", f64::log2),
    ] {
        logarithm(conn, name, f)?;
    }
    // log(B, X): the logarithm of X in base B; a base of 1 or less, or an X that is not
    // positive, has none.
    conn.create_scalar_function("log", 2, FLAGS, |ctx| {
        Ok(match (number(ctx, 0)?, number(ctx, 1)?) {
            (Some(b), Some(x)) => {
                let (b, x) = (b.real(), x.real());
                let ln_b = if b > 0.0 { b.ln() } else { f64::NAN };
                (ln_b > 0.0 && x > 0.0)
                    .then(|| x.ln() / ln_b)
                    .and_then(real)
            }
            _ => None,
        })
    })?;
    conn.create_scalar_function("pi", 0, FLAGS, |_| Ok(PI))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_reads_as_a_number_as_sqlite_reads_it() {
        let read = |t: &str| match Number::parse(t) {
            Some(Number::Integer(i)) => format!("int {i}"),
            Some(Number::Real(f)) => format!("real {f}"),
            None => "none".to_owned(),
        };
        assert_eq!(read(" 4 "), "int 4");
        assert_eq!(read("-7"), "int -7");
        assert_eq!(read("1e2"), "real 100");
        assert_eq!(read(".5"), "real 0.5");
        assert_eq!(read("99999999999999999999"), "real 100000000000000000000");
        for t in ["", "x", "4x", "inf", "NaN", "1e", "-", "."] {
            assert_eq!(read(t), "none", "{t:?}");
        }
    }
}
