//! Making the bundled SQLite the SQLite D1 runs, on every connection the backend opens
//! (so it holds for any crate that depends on this one, whatever its build settings):
//! D1's SQL math functions, which the bundled SQLite leaves out, only the virtual
//! table modules D1 has (no `dbstat`, no FTS3/4), and D1's cap on `printf` widths and
//! precisions. D1's refusal of some functions is the authorizer's (`auth.rs`).

use std::f64::consts::PI;
use std::ffi::CStr;
use std::sync::{Arc, Mutex};

use rusqlite::functions::{Context, FunctionFlags};
use rusqlite::limits::Limit;
use rusqlite::types::{ToSql, ToSqlOutput, Value, ValueRef};
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

/// SQLite's optimization flag for STAT4 statistics (`SQLITE_Stat4` in sqlite3.c).
const STAT4_OPTIMIZATION: u32 = 0x0000_0800;

/// Applies D1's SQLite to `conn`.
pub(crate) fn apply(conn: &Connection) -> Result<()> {
    drop_modules(conn)?;
    without_stat4(conn);
    math_functions(conn)?;
    printf_functions(conn)
}

/// D1's SQLite is built without STAT4, the bundled one with it. With STAT4 switched off
/// on the connection, `ANALYZE` writes `sqlite_stat1` alone (no `sqlite_stat4` table, nor
/// its rows in `rows_written`) and the planner reads no samples, as on D1.
fn without_stat4(conn: &Connection) {
    // SAFETY: the handle is the open connection's; SQLITE_TESTCTRL_OPTIMIZATIONS takes
    // the connection and a u32 mask of optimizations to disable, and only stores it.
    unsafe {
        rusqlite::ffi::sqlite3_test_control(
            rusqlite::ffi::SQLITE_TESTCTRL_OPTIMIZATIONS,
            conn.handle(),
            STAT4_OPTIMIZATION,
        );
    }
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

/// D1's SQLite is built with `SQLITE_PRINTF_PRECISION_LIMIT=100000`: `printf` and
/// `format` silently lower any width or precision above it to it. The bundled SQLite
/// has no such cap, and compile options cannot reach it from a crate that depends on
/// this one.
const PRINTF_LIMIT: u32 = 100_000;

/// `printf` and `format` as D1 has them. A built-in function cannot be called once a
/// function of the same name shadows it on the connection, so the format and its
/// arguments, with every width and precision above the cap lowered to it, go to the
/// built-in on a private in-memory connection (opened on first use): SQLite's own
/// formatting, with D1's cap.
fn printf_functions(conn: &Connection) -> Result<()> {
    let helper: Arc<Mutex<Option<Connection>>> = Arc::default();
    for name in ["printf", "format"] {
        let helper = Arc::clone(&helper);
        conn.create_scalar_function(name, -1, FLAGS, move |ctx| {
            if ctx.is_empty() {
                return Ok(None);
            }
            let format = match ctx.get_raw(0) {
                ValueRef::Null => return Ok(None),
                ValueRef::Text(t) | ValueRef::Blob(t) => t,
                // A number's text has no `%`: nothing to cap.
                ValueRef::Integer(_) | ValueRef::Real(_) => &[],
            };
            let args: Vec<ValueRef<'_>> = (1..ctx.len()).map(|i| ctx.get_raw(i)).collect();
            let capped = cap_printf(format, &args);
            // SAFETY: the connection is only read (its length limit) during the call.
            let length = unsafe { ctx.get_connection() }?.limit(Limit::SQLITE_LIMIT_LENGTH)?;
            let mut slot = helper.lock().unwrap_or_else(|e| e.into_inner());
            let helper = match &mut *slot {
                Some(helper) => helper,
                empty => empty.insert(Connection::open_in_memory()?),
            };
            helper.set_limit(Limit::SQLITE_LIMIT_LENGTH, length)?;
            let format = match &capped.format {
                Some(f) => ValueRef::Text(f),
                None => ctx.get_raw(0),
            };
            builtin_printf(helper, format, &args, &capped.args).map_err(|e| match e {
                // The code alone, so SQLite reports it with its own text, as the
                // built-in does (`string or blob too big`: SQLITE_TOOBIG).
                Error::SqliteFailure(e, _) => Error::SqliteFailure(e, None),
                e => e,
            })
        })?;
    }
    Ok(())
}

/// SQLite's own `printf` of `format` and `args` (those at the indexes of `replaced`
/// replaced by the integers given) on `helper`, a connection that does not shadow it.
fn builtin_printf(
    helper: &Connection,
    format: ValueRef<'_>,
    args: &[ValueRef<'_>],
    replaced: &[(usize, i64)],
) -> Result<Option<Text>> {
    let mut stmt = helper.prepare_cached(&printf_sql(args.len() + 1))?;
    stmt.raw_bind_parameter(1, ToSqlOutput::Borrowed(format))?;
    for (i, arg) in args.iter().enumerate() {
        let arg = match replaced.iter().find(|(at, _)| *at == i) {
            Some(&(_, value)) => ValueRef::Integer(value),
            None => *arg,
        };
        stmt.raw_bind_parameter(i + 2, ToSqlOutput::Borrowed(arg))?;
    }
    let mut rows = stmt.raw_query();
    let row = rows.next()?.ok_or(Error::QueryReturnedNoRows)?;
    Ok(match row.get_ref(0)? {
        ValueRef::Text(t) => Some(Text(t.to_vec())),
        _ => None,
    })
}

fn printf_sql(args: usize) -> String {
    let mut sql = String::from("SELECT printf(?1");
    for i in 2..=args {
        sql.push_str(&format!(", ?{i}"));
    }
    sql.push(')');
    sql
}

/// Text as SQLite returns it from `printf`: bytes, not always UTF-8 (`%.1s` of `é`
/// cuts a character).
struct Text(Vec<u8>);

impl ToSql for Text {
    fn to_sql(&self) -> Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(ValueRef::Text(&self.0)))
    }
}

/// What `cap_printf` changes: the format, when a width or precision written in it is
/// over the cap, and the `*` arguments over it (by index among the arguments after
/// the format).
#[derive(Debug, Default, PartialEq)]
struct Capped {
    format: Option<Vec<u8>>,
    args: Vec<(usize, i64)>,
}

/// Reads a format as SQLite's `sqlite3_str_vappendf` does for the SQL function (the
/// same flags, digits and `*` arguments, the same wrapping of long digit runs, the
/// same stops), and lowers what D1's SQLite would lower.
fn cap_printf(format: &[u8], args: &[ValueRef<'_>]) -> Capped {
    let limit = PRINTF_LIMIT;
    // SQLite reads the format as a C string.
    let format = &format[..memchr::memchr(0, format).unwrap_or(format.len())];
    let at = |i: usize| format.get(i).copied().unwrap_or(0);
    let mut capped = Capped::default();
    // Digit runs to replace by the cap, as byte ranges of the format.
    let mut runs: Vec<(usize, usize)> = Vec::new();
    let mut used = 0;
    // SQLite's `(int)getIntArg()`: 0 once the arguments are used up.
    let int_arg = |used: &mut usize| -> Option<(usize, i32)> {
        let index = *used;
        let value = args.get(index)?;
        *used += 1;
        let v = match *value {
            ValueRef::Integer(i) => i,
            // SQLite's `sqlite3RealToI64` saturates as `as` does.
            ValueRef::Real(f) => f as i64,
            ValueRef::Text(t) | ValueRef::Blob(t) => text_to_int(t),
            ValueRef::Null => 0,
        };
        Some((index, v as i32))
    };
    let mut i = 0;
    while let Some(percent) = memchr::memchr(b'%', &format[i..]) {
        i += percent + 1;
        let mut c = at(i);
        if c == 0 {
            break;
        }
        loop {
            let mut done = false;
            match c {
                b'-' | b'+' | b' ' | b'#' | b'!' | b'0' | b',' => {}
                b'l' => {
                    i += 1;
                    c = at(i);
                    if c == b'l' {
                        i += 1;
                        c = at(i);
                    }
                    done = true;
                }
                b'1'..=b'9' => {
                    let start = i;
                    let mut wx = u32::from(c - b'0');
                    loop {
                        i += 1;
                        c = at(i);
                        if !c.is_ascii_digit() {
                            break;
                        }
                        wx = wx.wrapping_mul(10).wrapping_add(u32::from(c - b'0'));
                    }
                    if wx & 0x7fff_ffff > limit {
                        runs.push((start, i));
                    }
                    if c != b'.' && c != b'l' {
                        done = true;
                    } else {
                        i -= 1;
                    }
                }
                b'*' => {
                    // A negative width left-justifies; its size is capped alike (the
                    // most negative `int` is a width of 0).
                    if let Some((index, w)) = int_arg(&mut used)
                        && w.unsigned_abs() > limit
                        && w != i32::MIN
                    {
                        let cap = i64::from(limit);
                        capped.args.push((index, if w < 0 { -cap } else { cap }));
                    }
                    let next = at(i + 1);
                    if next != b'.' && next != b'l' {
                        i += 1;
                        c = at(i);
                        done = true;
                    }
                }
                b'.' => {
                    i += 1;
                    c = at(i);
                    if c == b'*' {
                        if let Some((index, p)) = int_arg(&mut used)
                            && p.unsigned_abs() > limit
                            && p != i32::MIN
                        {
                            capped.args.push((index, i64::from(limit)));
                        }
                        i += 1;
                        c = at(i);
                    } else {
                        let start = i;
                        let mut px: u32 = 0;
                        while c.is_ascii_digit() {
                            px = px.wrapping_mul(10).wrapping_add(u32::from(c - b'0'));
                            i += 1;
                            c = at(i);
                        }
                        if px & 0x7fff_ffff > limit {
                            runs.push((start, i));
                        }
                    }
                    if c == b'l' {
                        i -= 1;
                    } else {
                        done = true;
                    }
                }
                _ => done = true,
            }
            if done {
                break;
            }
            i += 1;
            c = at(i);
            if c == 0 {
                break;
            }
        }
        match c {
            // No argument: the size (ignored by the SQL function) and `%%`.
            b'n' | b'%' => {}
            b'd' | b'i' | b'u' | b'e' | b'E' | b'f' | b'g' | b'G' | b'j' | b'J' | b'q' | b'Q'
            | b'w' | b'p' | b'o' | b'x' | b'X' | b'r' | b's' | b'z' | b'c' => {
                if used < args.len() {
                    used += 1;
                }
            }
            // `%T`, `%S` (internal to SQLite), an unknown conversion or the format's
            // end: SQLite stops there.
            _ => break,
        }
        i += 1;
    }
    if !runs.is_empty() {
        let mut out = Vec::with_capacity(format.len());
        let mut from = 0;
        for (start, end) in runs {
            out.extend_from_slice(&format[from..start]);
            out.extend_from_slice(limit.to_string().as_bytes());
            from = end;
        }
        out.extend_from_slice(&format[from..]);
        capped.format = Some(out);
    }
    capped
}

/// `sqlite3_value_int64` of text, as SQLite's `sqlite3Atoi64` reads it: white space,
/// a sign, then the leading digits (saturating), whatever follows; 0 without digits.
fn text_to_int(text: &[u8]) -> i64 {
    let mut rest = text;
    while let [b' ' | b'\t'..=b'\r', tail @ ..] = rest {
        rest = tail;
    }
    let negative = rest.first() == Some(&b'-');
    if matches!(rest.first(), Some(b'-' | b'+')) {
        rest = &rest[1..];
    }
    let mut magnitude: u128 = 0;
    for &b in rest.iter().take_while(|b| b.is_ascii_digit()) {
        magnitude = (magnitude * 10 + u128::from(b - b'0')).min(u128::from(u64::MAX));
    }
    match i64::try_from(magnitude) {
        Ok(v) if negative => -v,
        Ok(v) => v,
        Err(_) if negative => i64::MIN,
        Err(_) => i64::MAX,
    }
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

    #[test]
    fn printf_widths_and_precisions_over_the_cap_are_lowered() {
        let cap = |format: &str, args: &[ValueRef<'_>]| {
            let c = cap_printf(format.as_bytes(), args);
            (
                c.format.map(|f| String::from_utf8(f).expect("utf-8")),
                c.args,
            )
        };
        let none = (None, vec![]);
        assert_eq!(cap("%100000d %.100000f %s", &[]), none);
        assert_eq!(
            cap("a%100001db%-0200000.150000fc", &[]),
            (Some("a%100000db%-0100000.100000fc".to_owned()), vec![])
        );
        // Digit runs wrap as SQLite's `unsigned` does, then lose the sign bit.
        assert_eq!(cap("%4294967296d %2147483648d", &[]), none);
        assert_eq!(
            cap("%4295067297d", &[]),
            (Some("%100000d".to_owned()), vec![])
        );
        // `*` takes the next argument, as an `int`; a negative width left-justifies.
        let args = [
            ValueRef::Integer(-150_000),
            ValueRef::Text(b" 200000x"),
            ValueRef::Integer(7),
            ValueRef::Text(b"s"),
            ValueRef::Real(1e9),
        ];
        assert_eq!(
            cap("%*.*d|%s|%.*s", &args),
            (None, vec![(0, -100_000), (1, 100_000), (4, 100_000)])
        );
        assert_eq!(
            cap("%*d", &[ValueRef::Integer((1 << 32) + 150_000)]),
            (None, vec![(0, 100_000)])
        );
        assert_eq!(cap("%*d", &[ValueRef::Integer(i64::from(i32::MIN))]), none);
        // No argument left: SQLite takes 0 and moves on.
        assert_eq!(cap("%d%*d", &[ValueRef::Integer(1)]), none);
        // `%%` and `%n` take no argument; SQLite stops at `%T`, an unknown conversion
        // and a NUL.
        assert_eq!(
            cap("%%%n%*d", &[ValueRef::Integer(200_000)]),
            (None, vec![(0, 100_000)])
        );
        assert_eq!(cap("%T%200000d", &[]), none);
        assert_eq!(cap("%y%200000d", &[]), none);
        assert_eq!(cap("%d\0%200000d", &[]), none);
        // Length modifiers after the precision; after `l` comes the conversion.
        assert_eq!(
            cap("%200000.200000lld", &[]),
            (Some("%100000.100000lld".to_owned()), vec![])
        );
        assert_eq!(
            cap("%200000l.200000d", &[]),
            (Some("%100000l.200000d".to_owned()), vec![])
        );
    }

    #[test]
    fn text_reads_as_an_integer_as_sqlite_reads_it() {
        for (text, int) in [
            ("42", 42),
            (" \t-7x", -7),
            ("+0012", 12),
            ("1.5e6", 1),
            ("", 0),
            ("x1", 0),
            ("99999999999999999999", i64::MAX),
            ("-9223372036854775808", i64::MIN),
            ("-99999999999999999999", i64::MIN),
        ] {
            assert_eq!(text_to_int(text.as_bytes()), int, "{text:?}");
        }
    }

    /// What a query's single value is, or its error, as bytes and codes.
    fn answer(conn: &Connection, sql: &str) -> String {
        conn.query_row(sql, [], |r| {
            Ok(match r.get_ref(0)? {
                ValueRef::Text(t) => format!("text {t:?}"),
                other => format!("{other:?}"),
            })
        })
        .unwrap_or_else(|e| format!("error {e:?}"))
    }

    #[test]
    fn printf_answers_as_the_built_in_below_the_cap() {
        let builtin = Connection::open_in_memory().expect("memory");
        let d1 = Connection::open_in_memory().expect("memory");
        apply(&d1).expect("parity");
        for conn in [&builtin, &d1] {
            conn.set_limit(Limit::SQLITE_LIMIT_LENGTH, 300_000)
                .expect("limit");
        }
        for sql in [
            "SELECT printf('%d %i %u|%5.2f|%-6s|%c|%q|%Q|%w|%,d|%!.3g|%#x|%o|%e|%G|%+d', 42, -7, 3, \
             3.14159, 'ab', 'xyz', 'it''s', NULL, 'a\"b', 1234567, 1.0, 255, 8, 12345.678, 1e-10, 5)",
            "SELECT printf('%s %T %d', 'a', 1)",
            "SELECT printf('%.1s', 'é')",
            "SELECT format('%*.*d|', -8, 3, 5)",
            "SELECT printf()",
            "SELECT printf(NULL, 1)",
            "SELECT printf(x'25640025', 5)",
            "SELECT printf(12)",
            "SELECT printf(1.5)",
            "SELECT printf('%.*c|%3c', 3, 'é', 'x')",
            "SELECT printf('%j %J %J', 'a\"', NULL, 'b')",
            "SELECT printf('%p %r %n %% %5%', 255, 3)",
            "SELECT printf('%s %s', 'only one')",
            "SELECT printf('%lld %ld %llx', 9007199254740993, -1, -1)",
            "SELECT printf('%d %s %f', '12abc', 7, '2.5')",
            "SELECT length(printf('%100000d%.100000f', 1, 2.5))",
            // Over the length limit: the same error, SQLITE_TOOBIG.
            "SELECT printf('%100000d%100000d%100000d', 1, 2, 3)",
            "SELECT printf('%y %d', 1)",
            "SELECT printf('%', 1)",
        ] {
            assert_eq!(answer(&d1, sql), answer(&builtin, sql), "{sql}");
        }
        // Over the cap, the answer is the capped one.
        assert_eq!(
            answer(
                &d1,
                "SELECT printf('%*d|%.150000s', 150001, 1, 'x') = printf('%100000d|x', 1)"
            ),
            "Integer(1)"
        );
        assert_eq!(
            answer(&builtin, "SELECT length(printf('%*d', 150001, 1))"),
            "Integer(150001)"
        );
    }
}
