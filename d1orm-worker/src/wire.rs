//! D1's wire format between the binding and the database service: the JSON body the
//! binding posts to `http://d1/query?resultsFormat=ROWS_AND_COLUMNS`, and the answer,
//! whose every statement result carries its column names (in SQL order, duplicates
//! kept, even with no row), its rows as arrays, and its meta. Pure Rust, on every
//! target, so it is tested natively.
//!
//! The shapes, as workerd's `src/cloudflare/internal/d1-api.ts` sends and reads them:
//!
//! - request: `{"sql": "...", "params": [...]}` for one statement (`all`, `first`,
//!   `raw`), an array of those for a batch;
//! - answer: an array of `{"success": true, "meta": {...}, "results": {"columns":
//!   [...], "rows": [[...], ...]}}`, one per statement, or `{"success": false, "error":
//!   "..."}` when the call failed (the binding throws `D1_ERROR: <error>`).

use d1orm::{
    DatabaseError, DynRowSink, Error, Meta, Prefix, Row, Statement, Timings, Value, ValueRef,
};
use serde::Serialize;
use serde::ser::{SerializeMap, SerializeSeq, Serializer};

/// Where the binding posts its queries, asking for column names and rows as arrays.
pub(crate) const QUERY_URL: &str = "http://d1/query?resultsFormat=ROWS_AND_COLUMNS";

/// The largest integer a JavaScript number holds exactly: 2^53 - 1.
pub(crate) const MAX_SAFE_INTEGER: i64 = (1 << 53) - 1;

// ---------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------

/// The body for one statement (`{"sql", "params"}`), as the binding's `all()` sends it.
///
/// # Failure
/// A value D1 cannot carry exactly (`D1_TYPE_ERROR`), before anything is sent.
pub(crate) fn query_body(statement: &Statement) -> d1orm::Result<String> {
    check_params(&statement.params)?;
    to_json(&Query(statement))
}

/// The body for a batch: an array of statements, as the binding's `batch()` sends it.
///
/// # Failure
/// A value D1 cannot carry exactly, as the failure of its statement in the batch.
pub(crate) fn batch_body<'a>(
    statements: impl ExactSizeIterator<Item = &'a Statement> + Clone,
) -> d1orm::Result<String> {
    let count = statements.len();
    for (index, statement) in statements.clone().enumerate() {
        check_params(&statement.params).map_err(|e| e.in_batch(index, count))?;
    }
    to_json(&Batch(statements))
}

fn to_json(body: &impl Serialize) -> d1orm::Result<String> {
    // Statements and values always serialize; a failure would be a bug, reported as D1
    // reports a request it cannot read rather than a panic.
    serde_json::to_string(body).map_err(|e| Error::d1(Prefix::Error, e.to_string()))
}

/// Refuses, before sending, what D1 would store differently from what was bound: an
/// integer beyond ±(2^53 − 1), which JavaScript rounds, and a NaN or infinite float,
/// which D1 turns into NULL.
fn check_params(params: &[Value]) -> d1orm::Result<()> {
    for value in params {
        match *value {
            Value::Integer(i) if i.unsigned_abs() > MAX_SAFE_INTEGER as u64 => {
                return Err(unsafe_integer(i));
            }
            Value::Real(f) if !f.is_finite() => return Err(Error::unsupported_type("f64", f)),
            _ => {}
        }
    }
    Ok(())
}

/// The reference backend's words for the same refusal (`set_js_safe_integers`).
#[cold]
fn unsafe_integer(i: i64) -> Error {
    Error::d1(
        Prefix::TypeError,
        format!(
            "Type 'i64' not supported for value '{i}': beyond ±(2^53 - 1), D1 cannot carry it exactly"
        ),
    )
}

struct Query<'a>(&'a Statement);

impl Serialize for Query<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry("sql", &*self.0.sql)?;
        map.serialize_entry("params", &Params(&self.0.params))?;
        map.end()
    }
}

struct Batch<I>(I);

impl<'a, I: ExactSizeIterator<Item = &'a Statement> + Clone> Serialize for Batch<I> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for statement in self.0.clone() {
            seq.serialize_element(&Query(statement))?;
        }
        seq.end()
    }
}

struct Params<'a>(&'a [Value]);

impl Serialize for Params<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(Param))
    }
}

/// One bound value as the binding sends it: a number, a string, `null`, or a BLOB as
/// an array of byte values (the binding turns an `ArrayBuffer` or a typed array into
/// one, and D1 stores it as a BLOB).
struct Param<'a>(&'a Value);

impl Serialize for Param<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Value::Null => s.serialize_unit(),
            Value::Integer(i) => s.serialize_i64(*i),
            // `JSON.stringify` writes an integral number without a fraction: so does
            // this, so the bytes are the binding's.
            Value::Real(f) if f.fract() == 0.0 && f.abs() <= MAX_SAFE_INTEGER as f64 => {
                s.serialize_i64(*f as i64)
            }
            Value::Real(f) => s.serialize_f64(*f),
            Value::Text(t) => s.serialize_str(t),
            Value::Blob(b) => s.collect_seq(b),
        }
    }
}

// ---------------------------------------------------------------------------------
// Answers
// ---------------------------------------------------------------------------------

/// One statement's result: column names in SQL order (duplicates kept), the rows'
/// values one row after another, and D1's meta.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Outcome {
    pub(crate) columns: Vec<String>,
    values: Vec<Value>,
    rows: usize,
    pub(crate) meta: Meta,
}

impl Outcome {
    /// Hands the result to a sink: the column names once (even with no row), then each
    /// row by position. Rows go as `&dyn Row`, as a batch's sinks take them: a decoder
    /// is then compiled once for every call, not once more for `[Value]` rows.
    ///
    /// # Failure
    /// The sink's own error (a row that does not decode).
    pub(crate) fn feed(&self, sink: &mut (dyn DynRowSink + Send)) -> d1orm::Result<()> {
        sink.columns_dyn(&self.columns)?;
        let width = self.columns.len();
        for row in 0..self.rows {
            sink.row_dyn(&Cells(&self.values[row * width..(row + 1) * width]))?;
        }
        Ok(())
    }

    /// The rows, one slice of values each.
    #[cfg(test)]
    pub(crate) fn rows(&self) -> Vec<&[Value]> {
        let width = self.columns.len();
        (0..self.rows)
            .map(|row| &self.values[row * width..(row + 1) * width])
            .collect()
    }
}

/// One row's values, sized so that it can be passed as `&dyn Row`.
struct Cells<'a>(&'a [Value]);

impl Row for Cells<'_> {
    fn column_count(&self) -> usize {
        self.0.column_count()
    }
    fn value(&self, index: usize) -> d1orm::Result<ValueRef<'_>> {
        self.0.value(index)
    }
}

/// Reads D1's answer: one outcome per statement, in order.
///
/// The text is read as a whole into a [`Json`] tree, which is then taken apart here:
/// one small serde visitor, where a visitor per shape (answer, reply, results, row,
/// cell, meta) would each compile its own copy of serde_json's parsing code into the
/// Worker.
///
/// # Failure
/// D1's error when a result failed, as the binding throws it (`D1_ERROR: <error>`,
/// read back into prefix, message and SQLite codes); text that is not D1's answer
/// (`D1_ERROR: Failed to parse body as JSON, got: ...`, the binding's words).
pub(crate) fn parse_answer(text: &str) -> d1orm::Result<Vec<Outcome>> {
    let json = Json::parse(text).ok_or_else(|| {
        Error::d1(
            Prefix::Error,
            format!("Failed to parse body as JSON, got: {text}"),
        )
    })?;
    let unexpected = |why: String| {
        Error::d1(
            Prefix::Error,
            format!("unexpected answer from D1 ({why}): {text}"),
        )
    };
    // An array of replies, or one reply (a failure, or an older D1's answer to a single
    // statement). Every reply is read before any error is reported.
    let replies = match json {
        object @ Json::Object(_) => vec![object],
        other => other
            .items()
            .ok_or_else(|| unexpected("not an array of results, nor one result".into()))?,
    };
    // Plain loops here and below: each iterator adaptor would compile code of its own.
    let mut outcomes = Vec::with_capacity(replies.len());
    let mut failure = None;
    for json in replies {
        let (error, outcome) = reply(json).map_err(unexpected)?;
        if failure.is_none() {
            failure = error;
        }
        outcomes.push(outcome);
    }
    match failure {
        Some(error) => Err(reply_error(&error)),
        None => Ok(outcomes),
    }
}

/// The error of a failed answer, as the binding throws it: `D1_ERROR: <error>`.
pub(crate) fn reply_error(error: &str) -> Error {
    Error::Database(DatabaseError::parse(&format!("D1_ERROR: {error}")))
}

/// The error of a JavaScript exception, from its `message`: D1's text when it starts
/// with one of D1's prefixes (`D1_EXEC_ERROR: ...`), anything else as a `D1_ERROR`.
pub(crate) fn exception(message: &str) -> Error {
    // D1's binding throws its errors with a D1 prefix; what the runtime throws (its
    // fetch failing) passes through the binding as it is.
    let parsed = DatabaseError::parse(message);
    if message.starts_with(parsed.prefix.as_str()) {
        Error::Database(parsed)
    } else {
        Error::Runtime {
            message: message.to_owned(),
        }
    }
}

/// A batch's outcomes matched with its statements. Local D1 leaves statements holding
/// only `--` comments and blank lines out of its answer; such a statement gets no rows
/// and an empty meta.
///
/// # Failure
/// An answer whose length matches neither every statement nor the statements D1 runs.
pub(crate) fn align<'a>(
    sql: impl ExactSizeIterator<Item = &'a str> + Clone,
    outcomes: Vec<Outcome>,
) -> d1orm::Result<Vec<Option<Outcome>>> {
    let count = sql.len();
    let run = if outcomes.len() == count {
        count
    } else {
        sql.clone().filter(|s| !only_line_comments(s)).count()
    };
    if outcomes.len() != run {
        return Err(Error::d1(
            Prefix::Error,
            format!(
                "D1 answered {} results to a batch of {count} statements",
                outcomes.len()
            ),
        ));
    }
    let every = run == count;
    let mut outcomes = outcomes.into_iter();
    let mut aligned = Vec::with_capacity(count);
    for s in sql {
        aligned.push(if every || !only_line_comments(s) {
            outcomes.next()
        } else {
            None
        });
    }
    Ok(aligned)
}

/// Whether local D1 drops the statement from a batch: nothing left once lines starting
/// with `--` are taken out (its filter, `sql.replace(/^\s*--.*/gm, "").trim()`).
pub(crate) fn only_line_comments(sql: &str) -> bool {
    sql.split(['\n', '\r', '\u{2028}', '\u{2029}'])
        .all(|line| line.trim().is_empty() || line.trim_start().starts_with("--"))
}

/// One statement's reply, `{"error"?, "meta"?, "results"?}`: D1's error, or its result.
///
/// # Failure
/// Why the reply is not D1's (a message for the error).
fn reply(json: Json) -> Result<(Option<String>, Outcome), String> {
    let Json::Object(fields) = json else {
        return Err("a result that is not an object".into());
    };
    let mut error = None;
    let mut outcome = Outcome {
        columns: Vec::new(),
        values: Vec::new(),
        rows: 0,
        meta: Meta::default(),
    };
    // `width`: the length every row had, when there was a row.
    let mut width = None;
    // A repeated field counts last, as `JSON.parse` reads it.
    for (name, value) in fields {
        match name.as_str() {
            "error" => error = value.text().ok_or("an error that is not a string")?,
            "meta" => outcome.meta = meta(value)?,
            "results" => {
                (outcome.columns, outcome.values, outcome.rows) = (Vec::new(), Vec::new(), 0);
                width = results(value, &mut outcome)?;
            }
            _ => {}
        }
    }
    if let Some(width) = width
        && width != outcome.columns.len()
    {
        return Err(format!(
            "rows of {width} values for {} columns",
            outcome.columns.len()
        ));
    }
    Ok((error, outcome))
}

/// A result's rows into `outcome`: `{"columns": [...], "rows": [[...]]}`, or an older
/// D1's array of row objects (names then come from the first row's keys, as the
/// binding's `raw()` takes them). Gives the rows' width, when there was a row.
fn results(json: Json, outcome: &mut Outcome) -> Result<Option<usize>, String> {
    let mut width = None;
    let mut row_done = |outcome: &mut Outcome, n: usize| match width {
        Some(w) if w != n => Err(format!("rows of {w} and of {n} values in one result")),
        _ => {
            width = Some(n);
            outcome.rows += 1;
            Ok(())
        }
    };
    match json {
        Json::Null => {}
        Json::Object(fields) => {
            for (name, value) in fields {
                match name.as_str() {
                    "columns" => {
                        let names = value.items().ok_or("columns that are not an array")?;
                        outcome.columns = Vec::with_capacity(names.len());
                        for name in names {
                            let name = name.text().flatten();
                            outcome
                                .columns
                                .push(name.ok_or("a column name that is not a string")?);
                        }
                    }
                    "rows" => {
                        (outcome.values, outcome.rows) = (Vec::new(), 0);
                        for row in value.items().ok_or("rows that are not an array")? {
                            let row = row.items().ok_or("a row that is not an array")?;
                            let n = row.len();
                            for cell in row {
                                outcome.values.push(cell.value()?);
                            }
                            row_done(outcome, n)?;
                        }
                    }
                    _ => {}
                }
            }
        }
        other => {
            for row in other
                .items()
                .ok_or("results that are neither rows nor columns")?
            {
                let Json::Object(cells) = row else {
                    return Err("a row that is not an object".into());
                };
                let (first, n) = (outcome.rows == 0, cells.len());
                for (name, cell) in cells {
                    if first {
                        outcome.columns.push(name);
                    }
                    outcome.values.push(cell.value()?);
                }
                row_done(outcome, n)?;
            }
        }
    }
    Ok(width)
}

/// The value of a number as D1 hands it to JavaScript: every number is a double, so an
/// integral one within ±(2^53 − 1) is an INTEGER; anything else (a fraction, or a
/// double beyond, which may be an integer D1 rounded) is a REAL, which d1orm refuses
/// to read as an integer.
pub(crate) fn number(f: f64) -> Value {
    if f.fract() == 0.0 && f.abs() <= MAX_SAFE_INTEGER as f64 {
        Value::Integer(f as i64)
    } else {
        Value::Real(f)
    }
}

/// An integer in the answer's text, read as the double JavaScript would read it.
fn integer(i: i128) -> Value {
    if i.unsigned_abs() <= MAX_SAFE_INTEGER as u128 {
        Value::Integer(i as i64)
    } else {
        Value::Real(i as f64)
    }
}

/// D1's meta as it comes: an object whose every field is optional, counts as numbers
/// of any form, `null` for none; `null` for no meta.
fn meta(json: Json) -> Result<Meta, String> {
    let mut meta = Meta::default();
    match json {
        Json::Null => {}
        Json::Object(fields) => {
            // Unknown fields are ignored; a repeated one counts last, as `JSON.parse`
            // reads it.
            for (name, value) in fields {
                if set(&mut meta, &name, value).is_none() {
                    return Err(format!("D1's meta has a `{name}` of the wrong type"));
                }
            }
        }
        _ => return Err("D1's meta is not an object".into()),
    }
    Ok(meta)
}

/// The fields of D1's meta, in [`set`]'s order.
const FIELDS: [&str; 13] = [
    "served_by",
    "served_by_region",
    "served_by_primary",
    "served_by_colo",
    "duration",
    "changes",
    "last_row_id",
    "changed_db",
    "size_after",
    "rows_read",
    "rows_written",
    "total_attempts",
    "timings",
];

/// Sets the meta's field `name`; `None` when the value has the wrong type. The name is
/// found in [`FIELDS`] first: a `match` on the strings compiles to much more code.
fn set(meta: &mut Meta, name: &str, value: Json) -> Option<()> {
    let Some(field) = FIELDS.iter().position(|f| *f == name) else {
        return Some(());
    };
    match field {
        0 => meta.served_by = value.text()?.unwrap_or_default().into(),
        1 => meta.served_by_region = value.text()?,
        2 => meta.served_by_primary = value.boolean()?,
        3 => meta.served_by_colo = value.text()?,
        4 => meta.duration = value.number()?.unwrap_or_default(),
        5 => meta.changes = unsigned(value.count()?),
        6 => meta.last_row_id = value.count()?,
        7 => meta.changed_db = value.boolean()?.unwrap_or_default(),
        8 => meta.size_after = unsigned(value.count()?),
        9 => meta.rows_read = unsigned(value.count()?),
        10 => meta.rows_written = unsigned(value.count()?),
        11 => {
            meta.total_attempts = match value {
                Json::Null => None,
                count => Some(unsigned(count.count()?)),
            }
        }
        _ => {
            meta.timings = match value {
                Json::Null => None,
                Json::Object(fields) => {
                    let mut timings = Timings::default();
                    for (name, value) in fields {
                        if name == "sql_duration_ms" {
                            timings.sql_duration_ms = value.number()?.unwrap_or_default();
                        }
                    }
                    Some(timings)
                }
                _ => return None,
            }
        }
    }
    Some(())
}

/// A count as a `u64`: a negative one is 0.
fn unsigned(count: i64) -> u64 {
    u64::try_from(count).unwrap_or(0)
}

/// A JSON value of D1's answer. Numbers are kept as the text gives them: an integer
/// exact (a row id may pass 2^53), read as JavaScript would where it must be (a row's
/// value); any other number as the double `JSON.parse` reads.
enum Json {
    Null,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
    Text(String),
    /// An array of integers from 0 to 255 only (a BLOB, a row of small integers, or an
    /// empty array), kept compact: a BLOB of a megabyte is a megabyte.
    Bytes(Vec<u8>),
    /// Any other array.
    Array(Vec<Json>),
    /// An object's fields, in order.
    Object(Vec<(String, Json)>),
}

// Each reader gives `None` for a value of another type, `Some(None)` for `null`.
impl Json {
    /// The elements of an array.
    fn items(self) -> Option<Vec<Json>> {
        match self {
            Json::Bytes(bytes) => {
                let mut items = Vec::with_capacity(bytes.len());
                for byte in bytes {
                    items.push(Json::UInt(byte.into()));
                }
                Some(items)
            }
            Json::Array(items) => Some(items),
            _ => None,
        }
    }

    fn byte(&self) -> Option<u8> {
        match *self {
            Json::Int(i) => u8::try_from(i).ok(),
            Json::UInt(u) => u8::try_from(u).ok(),
            _ => None,
        }
    }

    fn text(self) -> Option<Option<String>> {
        match self {
            Json::Null => Some(None),
            Json::Text(t) => Some(Some(t)),
            _ => None,
        }
    }

    fn boolean(self) -> Option<Option<bool>> {
        match self {
            Json::Null => Some(None),
            Json::Bool(b) => Some(Some(b)),
            _ => None,
        }
    }

    fn number(self) -> Option<Option<f64>> {
        match self {
            Json::Null => Some(None),
            Json::Int(i) => Some(Some(i as f64)),
            Json::UInt(u) => Some(Some(u as f64)),
            Json::Float(f) => Some(Some(f)),
            _ => None,
        }
    }

    /// A count or a row id: an integer (beyond `i64`, saturated), a number written as
    /// a double (`as` saturates, and takes NaN to 0), or `null` for 0.
    fn count(self) -> Option<i64> {
        match self {
            Json::Null => Some(0),
            Json::Int(i) => Some(i),
            Json::UInt(u) => Some(i64::try_from(u).unwrap_or(i64::MAX)),
            Json::Float(f) => Some(f as i64),
            _ => None,
        }
    }

    /// One value of a row: `null`, a number, a string, or a BLOB as an array of bytes.
    /// A boolean (which D1 does not send) reads as 0 or 1.
    fn value(self) -> Result<Value, String> {
        Ok(match self {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Integer(i64::from(b)),
            Json::Int(i) => integer(i128::from(i)),
            Json::UInt(u) => integer(i128::from(u)),
            Json::Float(f) => number(f),
            Json::Text(t) => Value::Text(t),
            Json::Bytes(bytes) => Value::Blob(bytes),
            Json::Array(_) | Json::Object(_) => {
                return Err(
                    "a value that is not null, a number, a string or an array of bytes".into(),
                );
            }
        })
    }
}

/// Reads JSON text into a [`Json`] tree, as `JSON.parse` reads it (and `None` where it
/// throws), with two refusals of its own, as serde_json's: a number beyond the doubles
/// (`1e400`, which `JSON.stringify` never writes) and a lone surrogate escape (D1's
/// text is UTF-8). A few lines rather than serde_json's parser: in a Worker that parser
/// and the visitor it drives cost several times as much code, for this one reader.
struct Parser<'a> {
    text: &'a str,
    at: usize,
}

/// How many arrays and objects may nest, as many as serde_json reads.
const MAX_DEPTH: u32 = 127;

impl Json {
    fn parse(text: &str) -> Option<Json> {
        let mut parser = Parser { text, at: 0 };
        let json = parser.value(0)?;
        parser.space();
        (parser.at == text.len()).then_some(json)
    }
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let byte = self.peek()?;
        self.at += 1;
        Some(byte)
    }

    /// Takes `byte` if it comes next.
    fn eat(&mut self, byte: u8) -> bool {
        let next = self.peek() == Some(byte);
        self.at += usize::from(next);
        next
    }

    fn space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.at;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.at += 1;
        }
        self.at - start
    }

    fn value(&mut self, depth: u32) -> Option<Json> {
        self.space();
        let word = |parser: &mut Self, word: &str, json: Json| {
            let found = parser.text[parser.at..].starts_with(word);
            parser.at += word.len();
            found.then_some(json)
        };
        match self.peek()? {
            b'n' => word(self, "null", Json::Null),
            b't' => word(self, "true", Json::Bool(true)),
            b'f' => word(self, "false", Json::Bool(false)),
            b'"' => self.string().map(Json::Text),
            b'-' | b'0'..=b'9' => self.number(),
            b'[' if depth < MAX_DEPTH => self.array(depth + 1),
            b'{' if depth < MAX_DEPTH => self.object(depth + 1),
            _ => None,
        }
    }

    /// Bytes while every element is one; the first that is not turns the array into a
    /// list of values.
    fn array(&mut self, depth: u32) -> Option<Json> {
        self.at += 1;
        let mut bytes = Vec::new();
        let mut items: Option<Vec<Json>> = None;
        self.space();
        if self.eat(b']') {
            return Some(Json::Bytes(bytes));
        }
        loop {
            let item = self.value(depth)?;
            match (&mut items, item.byte()) {
                (Some(items), _) => items.push(item),
                (None, Some(byte)) => bytes.push(byte),
                (None, None) => {
                    let mut list = Vec::with_capacity(bytes.len() + 1);
                    for &byte in &bytes {
                        list.push(Json::UInt(byte.into()));
                    }
                    list.push(item);
                    items = Some(list);
                }
            }
            self.space();
            match self.next()? {
                b',' => {}
                b']' => break,
                _ => return None,
            }
        }
        Some(match items {
            Some(items) => Json::Array(items),
            None => Json::Bytes(bytes),
        })
    }

    fn object(&mut self, depth: u32) -> Option<Json> {
        self.at += 1;
        let mut fields = Vec::new();
        self.space();
        if self.eat(b'}') {
            return Some(Json::Object(fields));
        }
        loop {
            self.space();
            if self.peek()? != b'"' {
                return None;
            }
            let name = self.string()?;
            self.space();
            if self.next()? != b':' {
                return None;
            }
            fields.push((name, self.value(depth)?));
            self.space();
            match self.next()? {
                b',' => {}
                b'}' => break,
                _ => return None,
            }
        }
        Some(Json::Object(fields))
    }

    /// A string, from its opening quote. Control characters must be escaped.
    fn string(&mut self) -> Option<String> {
        self.at += 1;
        let mut out = String::new();
        loop {
            let start = self.at;
            while self
                .peek()
                .is_some_and(|b| b != b'"' && b != b'\\' && b >= 0x20)
            {
                self.at += 1;
            }
            // The run ends at an ASCII byte: a boundary of the UTF-8 text.
            out.push_str(&self.text[start..self.at]);
            match self.next()? {
                b'"' => return Some(out),
                b'\\' => {}
                _ => return None,
            }
            let escaped = match self.next()? {
                b'"' => '"',
                b'\\' => '\\',
                b'/' => '/',
                b'b' => '\u{8}',
                b'f' => '\u{c}',
                b'n' => '\n',
                b'r' => '\r',
                b't' => '\t',
                b'u' => {
                    let unit = self.hex4()?;
                    let code = match unit {
                        0xD800..=0xDBFF => {
                            if !(self.eat(b'\\') && self.eat(b'u')) {
                                return None;
                            }
                            let low = self.hex4()?;
                            if !(0xDC00..=0xDFFF).contains(&low) {
                                return None;
                            }
                            0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                        }
                        unit => unit,
                    };
                    // A lone trailing surrogate is no `char`.
                    char::from_u32(code)?
                }
                _ => return None,
            };
            out.push(escaped);
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let mut unit = 0;
        for _ in 0..4 {
            unit = unit * 16 + char::from(self.next()?).to_digit(16)?;
        }
        Some(unit)
    }

    /// A number: an integer kept exact when it fits 64 bits (a negative one as `Int`,
    /// `-0` as the double), anything else as the double nearest to it.
    fn number(&mut self) -> Option<Json> {
        let start = self.at;
        let negative = self.eat(b'-');
        let integer = self.at;
        match self.next()? {
            b'0' => {}
            b'1'..=b'9' => {
                self.digits();
            }
            _ => return None,
        }
        let digits = &self.text[integer..self.at];
        let mut float = false;
        if self.eat(b'.') {
            float = true;
            if self.digits() == 0 {
                return None;
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            float = true;
            self.at += 1;
            if !self.eat(b'+') {
                self.eat(b'-');
            }
            if self.digits() == 0 {
                return None;
            }
        }
        if !float && let Ok(magnitude) = digits.parse::<u64>() {
            if !negative {
                return Some(Json::UInt(magnitude));
            }
            let value = (magnitude as i64).wrapping_neg();
            // `-0`, or below `i64::MIN`: the double.
            return Some(if value >= 0 {
                Json::Float(-(magnitude as f64))
            } else {
                Json::Int(value)
            });
        }
        let value = double(&self.text[start..self.at]);
        value.is_finite().then_some(Json::Float(value))
    }
}

/// The double nearest to a JSON number's text, as `JSON.parse` reads it. A number of
/// at most 15 digits times a power of ten up to 10^22 is one exact operation on exact
/// doubles (0.1, 2.5, 1e21: the numbers D1 sends, mostly); any other is parsed by
/// JavaScript in a Worker (Rust's parser would add its tables to the Worker), by Rust
/// elsewhere: both round correctly.
fn double(text: &str) -> f64 {
    if let Some(exact) = exact_double(text) {
        return exact;
    }
    #[cfg(target_arch = "wasm32")]
    {
        js_sys::parse_float(text)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        text.parse().unwrap_or(f64::NAN)
    }
}

/// The fast path of [`double`]: `None` when the number needs more than it.
fn exact_double(text: &str) -> Option<f64> {
    const POWERS: [f64; 23] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
        1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];
    let (negative, text) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (number, exponent) = match text.find(['e', 'E']) {
        Some(e) => (&text[..e], text[e + 1..].parse::<i32>().ok()?),
        None => (text, 0),
    };
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    let mut mantissa: u64 = 0;
    let mut significant = 0;
    for digit in whole.bytes().chain(fraction.bytes()) {
        if mantissa == 0 && digit == b'0' {
            continue;
        }
        significant += 1;
        if significant > 15 {
            return None;
        }
        mantissa = mantissa * 10 + u64::from(digit - b'0');
    }
    let exponent = exponent.checked_sub(i32::try_from(fraction.len()).ok()?)?;
    let power = *POWERS.get(usize::try_from(exponent.unsigned_abs()).ok()?)?;
    let magnitude = if exponent < 0 {
        mantissa as f64 / power
    } else {
        mantissa as f64 * power
    };
    Some(if negative { -magnitude } else { magnitude })
}

#[cfg(test)]
mod tests {
    use super::*;
    use d1orm::SqliteCode;

    fn statement(sql: &'static str, params: Vec<Value>) -> Statement {
        Statement::with_params(sql, params)
    }

    #[test]
    fn values_are_sent_as_the_binding_sends_them() {
        let body = query_body(&statement(
            "INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            vec![
                Value::Integer(9_007_199_254_740_991),
                Value::Integer(-9_007_199_254_740_991),
                Value::Real(2.0),
                Value::Real(0.1),
                Value::Real(1e300),
                Value::Text("it's \"q\"\n🦀".into()),
                Value::Blob(vec![0, 1, 255]),
                Value::Null,
            ],
        ))
        .unwrap();
        assert_eq!(
            body,
            r#"{"sql":"INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?, ?)","params":[9007199254740991,-9007199254740991,2,0.1,1e+300,"it's \"q\"\n🦀",[0,1,255],null]}"#
        );
        let empty = query_body(&Statement::new("SELECT 1")).unwrap();
        assert_eq!(empty, r#"{"sql":"SELECT 1","params":[]}"#);
        let blob = query_body(&statement("SELECT ?", vec![Value::Blob(vec![])])).unwrap();
        assert_eq!(blob, r#"{"sql":"SELECT ?","params":[[]]}"#);
    }

    #[test]
    fn integers_beyond_2_53_are_type_errors_before_sending() {
        for i in [
            9_007_199_254_740_992,
            -9_007_199_254_740_992,
            i64::MAX,
            i64::MIN,
        ] {
            let e = query_body(&statement("SELECT ?", vec![Value::Integer(i)])).unwrap_err();
            assert_eq!(e.prefix(), Some(Prefix::TypeError), "{e}");
            assert_eq!(
                e.to_string(),
                format!(
                    "D1_TYPE_ERROR: Type 'i64' not supported for value '{i}': beyond ±(2^53 - 1), D1 cannot carry it exactly"
                )
            );
        }
        let e = query_body(&statement("SELECT ?", vec![Value::Real(f64::NAN)])).unwrap_err();
        assert_eq!(
            e.to_string(),
            "D1_TYPE_ERROR: Type 'f64' not supported for value 'NaN'"
        );
        // In a batch, the failing statement is named.
        let statements = [
            Statement::new("SELECT 1"),
            statement("SELECT ?", vec![Value::Integer(1 << 60)]),
        ];
        let e = batch_body(statements.iter()).unwrap_err();
        assert_eq!(e.batch_index(), Some(1));
        assert!(
            e.to_string().ends_with("(statement 2 of 2 in the batch)"),
            "{e}"
        );
    }

    #[test]
    fn a_batch_is_an_array_of_statements() {
        let statements = [
            Statement::new("CREATE TABLE t (a)"),
            statement("INSERT INTO t VALUES (?)", vec![Value::Integer(1)]),
        ];
        assert_eq!(
            batch_body(statements.iter()).unwrap(),
            r#"[{"sql":"CREATE TABLE t (a)","params":[]},{"sql":"INSERT INTO t VALUES (?)","params":[1]}]"#
        );
    }

    #[test]
    fn numbers_read_as_javascript_holds_them() {
        let answer = r#"[{"success":true,"meta":{},"results":{"columns":["a","b","c","d","e","f","g","h"],
            "rows":[[2,2.5,9007199254740991,9007199254740992,-9007199254740992,1e+21,9223372036854776000,-0]]}}]"#;
        let outcome = parse_answer(answer).unwrap().remove(0);
        assert_eq!(
            outcome.rows(),
            [&[
                Value::Integer(2),
                Value::Real(2.5),
                Value::Integer(9_007_199_254_740_991),
                Value::Real(9_007_199_254_740_992.0),
                Value::Real(-9_007_199_254_740_992.0),
                Value::Real(1e21),
                Value::Real(9_223_372_036_854_775_808.0),
                Value::Integer(0),
            ][..]]
        );
        assert_eq!(number(3.0), Value::Integer(3));
        assert_eq!(number(-0.5), Value::Real(-0.5));
    }

    #[test]
    fn columns_keep_sql_order_duplicates_and_names_of_an_empty_result() {
        let answer = r#"[{"success":true,"meta":{"served_by":"miniflare.db"},
            "results":{"columns":["b","a","a","1"],"rows":[["x","y","z","w"],["x2",null,[1,2],3.5]]}},
            {"success":true,"meta":{},"results":{"columns":["id","name"],"rows":[]}}]"#;
        let outcomes = parse_answer(answer).unwrap();
        assert_eq!(outcomes[0].columns, ["b", "a", "a", "1"]);
        assert_eq!(
            outcomes[0].rows()[1],
            [
                Value::Text("x2".into()),
                Value::Null,
                Value::Blob(vec![1, 2]),
                Value::Real(3.5)
            ]
        );
        assert_eq!(outcomes[1].columns, ["id", "name"]);
        assert!(outcomes[1].rows().is_empty());
        // "rows" before "columns" reads the same.
        let swapped = r#"[{"results":{"rows":[[1,2]],"columns":["a","b"]}}]"#;
        assert_eq!(
            parse_answer(swapped).unwrap()[0].rows(),
            [&[Value::Integer(1), Value::Integer(2)][..]]
        );
    }

    #[test]
    fn rows_of_the_wrong_width_are_refused() {
        for answer in [
            r#"[{"results":{"columns":["a","b"],"rows":[[1]]}}]"#,
            r#"[{"results":{"columns":["a"],"rows":[[1],[1,2]]}}]"#,
            r#"[{"results":{"columns":["a"],"rows":[[{"x":1}]]}}]"#,
            r#"[{"results":{"columns":["a"],"rows":[[[1,256]]]}}]"#,
        ] {
            let e = parse_answer(answer).unwrap_err();
            assert!(
                e.to_string()
                    .starts_with("D1_ERROR: unexpected answer from D1"),
                "{e}"
            );
        }
    }

    #[test]
    fn every_meta_field_is_kept_as_64_bit_counts() {
        let answer = r#"[{"success":true,"results":{"columns":[],"rows":[]},"meta":{
            "served_by":"v3-prod","served_by_region":"WEUR","served_by_primary":false,
            "served_by_colo":"AMS","timings":{"sql_duration_ms":0.25},"duration":1.5,
            "changes":5000000000,"last_row_id":9007199254740993,"changed_db":true,
            "size_after":12288000000,"rows_read":4294967296,"rows_written":7,"total_attempts":2}}]"#;
        let meta = parse_answer(answer).unwrap().remove(0).meta;
        assert_eq!(
            meta,
            Meta {
                served_by: "v3-prod".into(),
                served_by_region: Some("WEUR".into()),
                served_by_primary: Some(false),
                served_by_colo: Some("AMS".into()),
                duration: 1.5,
                changes: 5_000_000_000,
                last_row_id: 9_007_199_254_740_993,
                changed_db: true,
                size_after: 12_288_000_000,
                rows_read: 4_294_967_296,
                rows_written: 7,
                timings: Some(Timings {
                    sql_duration_ms: 0.25
                }),
                total_attempts: Some(2),
            }
        );
        // Local D1's meta, and counts written as doubles.
        let local = r#"[{"success":true,"results":{"columns":[],"rows":[]},"meta":{"served_by":"miniflare.db",
            "served_by_primary":true,"total_attempts":1,"timings":{"sql_duration_ms":0.1},"duration":0.1,
            "changes":1.0,"last_row_id":3,"changed_db":true,"size_after":8192,"rows_read":0,"rows_written":1}}]"#;
        let meta = parse_answer(local).unwrap().remove(0).meta;
        assert_eq!(
            (meta.changes, meta.last_row_id, meta.size_after),
            (1, 3, 8192)
        );
        assert_eq!(meta.served_by_region, None);
        assert_eq!(meta.total_attempts, Some(1));
        // `null` is a field's absence; a meta of `null` is an empty one; unknown fields,
        // whatever they hold, are ignored; a value of the wrong type is refused.
        let nulls = r#"[{"meta":{"served_by":null,"changes":null,"total_attempts":null,"timings":null,
            "new":[1,{"a":[]}],"duration":2},"results":{"columns":[],"rows":[]}},{"meta":null}]"#;
        let outcomes = parse_answer(nulls).unwrap();
        assert_eq!(
            outcomes[0].meta,
            Meta {
                duration: 2.0,
                ..Meta::default()
            }
        );
        assert_eq!(outcomes[1].meta, Meta::default());
        for wrong in [
            r#"{"served_by":1}"#,
            r#"{"changes":"1"}"#,
            r#"{"changed_db":0}"#,
            r#"{"timings":1}"#,
            r#"{"timings":{"sql_duration_ms":true}}"#,
            "[]",
        ] {
            let e = parse_answer(&format!(r#"[{{"meta":{wrong}}}]"#)).unwrap_err();
            assert!(
                e.to_string()
                    .starts_with("D1_ERROR: unexpected answer from D1"),
                "{wrong}: {e}"
            );
        }
    }

    #[test]
    fn failures_read_as_on_the_reference_backend() {
        let answer = r#"{"success":false,"error":"UNIQUE constraint failed: t.name: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_UNIQUE)"}"#;
        let e = parse_answer(answer).unwrap_err();
        assert_eq!(
            e.to_string(),
            "D1_ERROR: UNIQUE constraint failed: t.name: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_UNIQUE)"
        );
        assert!(e.is_unique_violation());
        assert_eq!(e.code(), Some(SqliteCode::CONSTRAINT));

        let e = parse_answer(
            r#"{"success":false,"error":"near \"SELEC\": syntax error at offset 0: SQLITE_ERROR"}"#,
        )
        .unwrap_err();
        let db = e.as_database().unwrap();
        assert_eq!((db.offset, db.code), (Some(0), Some(SqliteCode::ERROR)));
        assert_eq!(db.message, "near \"SELEC\": syntax error");

        // A failed element of an array answer fails the call.
        let e = parse_answer(r#"[{"success":true,"meta":{},"results":{"columns":[],"rows":[]}},{"success":false,"error":"No SQL statements detected."}]"#).unwrap_err();
        assert_eq!(e.to_string(), "D1_ERROR: No SQL statements detected.");

        let e = parse_answer("<html>502</html>").unwrap_err();
        assert_eq!(
            e.to_string(),
            "D1_ERROR: Failed to parse body as JSON, got: <html>502</html>"
        );
    }

    /// The answer's JSON reader against what `JSON.parse` (and serde_json) make of the
    /// same text.
    #[test]
    fn json_text_reads_as_json_parse_reads_it() {
        let cell = |json: &str| {
            let answer = format!(r#"[{{"results":{{"columns":["v"],"rows":[[{json}]]}}}}]"#);
            parse_answer(&answer).map(|mut o| o.remove(0).values.remove(0))
        };
        let text = |t: &str| Value::Text(t.into());
        let cases = [
            (
                r#""a\"b\\c\/d\b\f\n\r\t\u00e9\u00E9\ud83e\udd80 ü""#,
                text("a\"b\\c/d\u{8}\u{c}\n\r\téé🦀 ü"),
            ),
            (r#""""#, text("")),
            (
                "18446744073709551615",
                Value::Real(18_446_744_073_709_551_615.0),
            ),
            (
                "-9223372036854775808",
                Value::Real(-9_223_372_036_854_775_808.0),
            ),
            ("-9007199254740991", Value::Integer(-9_007_199_254_740_991)),
            ("0", Value::Integer(0)),
            ("-0.0", Value::Integer(0)),
            ("1E2", Value::Integer(100)),
            ("0.30000000000000004", Value::Real(0.300_000_000_000_000_04)),
            ("1e-400", Value::Integer(0)),
            ("true", Value::Integer(1)),
            (" null ", Value::Null),
        ];
        for (json, value) in cases {
            assert_eq!(cell(json).unwrap(), value, "{json}");
        }
        for bad in [
            r#""\ud800""#,
            r#""\udc00""#,
            r#""\ud800\u0041""#,
            "\"a\u{1}\"",
            r#""\x""#,
            r#""\u12G4""#,
            r#""\u+123""#,
            r#""abc"#,
            "01",
            "1.",
            ".5",
            "1e",
            "1e+",
            "-",
            "+1",
            "tru",
            "nul",
            "1e400",
            "-1e400",
            "[1,]",
            "[1 2]",
            "NaN",
        ] {
            let e = cell(bad).unwrap_err();
            assert!(e.to_string().contains("Failed to parse body"), "{bad}: {e}");
        }
        for bad in [r#"{"a" 1}"#, r#"{"a":1,}"#, "{a:1}", "[]]", "[] x", ""] {
            assert!(parse_answer(bad).is_err(), "{bad}");
        }
        // Nesting: as deep as serde_json reads, and no deeper.
        let nested = |n: usize| format!("[{}{}]", "[".repeat(n - 1), "]".repeat(n - 1));
        assert!(Json::parse(&nested(127)).is_some());
        assert!(Json::parse(&nested(128)).is_none());
        // Integers stay exact where D1's meta counts them.
        let meta = parse_answer(r#"[{"meta":{"last_row_id":9007199254740993,"changes":-0}}]"#)
            .unwrap()
            .remove(0)
            .meta;
        assert_eq!(meta.last_row_id, 9_007_199_254_740_993);
        assert_eq!(meta.changes, 0);
    }

    /// The exact fast path gives the correctly rounded double, as Rust's parser (and
    /// JavaScript's) do, or leaves the number to them.
    #[test]
    fn numbers_read_as_the_nearest_double() {
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        let mut fast = 0;
        for _ in 0..200_000 {
            let digits: String = (0..1 + next(18))
                .map(|_| char::from(b'0' + next(10) as u8))
                .collect();
            let point = next(digits.len() as u64 + 1) as usize;
            let mut text = String::new();
            if next(2) == 0 {
                text.push('-');
            }
            text.push_str(&digits[..point.max(1)]);
            if point.max(1) < digits.len() {
                text.push('.');
                text.push_str(&digits[point.max(1)..]);
            }
            if next(2) == 0 {
                text.push_str(&format!("e{}", next(60) as i64 - 30));
            }
            let expected: f64 = text.parse().unwrap();
            fast += usize::from(exact_double(&text).is_some());
            assert_eq!(double(&text).to_bits(), expected.to_bits(), "{text}");
        }
        assert!(fast > 20_000, "the fast path took {fast} numbers");
        for text in [
            "0.1",
            "2.5",
            "1e22",
            "1e23",
            "123456789012345",
            "5e-324",
            "1.7976931348623157e308",
        ] {
            assert_eq!(
                double(text).to_bits(),
                text.parse::<f64>().unwrap().to_bits(),
                "{text}"
            );
        }
    }

    #[test]
    fn exceptions_keep_d1_prefixes() {
        let e =
            exception("D1_EXEC_ERROR: Error in line 1: SELECT x: no such column: x: SQLITE_ERROR");
        assert_eq!(e.prefix(), Some(Prefix::ExecError));
        assert_eq!(e.code(), Some(SqliteCode::ERROR));
        assert_eq!(
            e.to_string(),
            "D1_EXEC_ERROR: Error in line 1: SELECT x: no such column: x: SQLITE_ERROR"
        );
        let e = exception("D1_DUMP_ERROR: Status + 404");
        assert_eq!(e.prefix(), Some(Prefix::DumpError));
        // A runtime's own exception passes through the binding as it is.
        let e = exception("internal error; reference = abc");
        assert_eq!(e.to_string(), "internal error; reference = abc");
        assert!(matches!(e, Error::Runtime { .. }));
    }

    #[test]
    fn arrays_of_small_integers_are_rows_or_blobs_by_place() {
        // Arrays whose every element is a byte are kept as bytes while read: as a row
        // they are still integers, as a value a BLOB; empty arrays are empty lists.
        let answer = r#"[{"results":{"columns":["a","b","c"],"rows":[[1,2,255],[0,[],[7,8]],[256,-1,[0]]]}},
            {"results":{"columns":[],"rows":[]}}]"#;
        let outcomes = parse_answer(answer).unwrap();
        assert_eq!(
            outcomes[0].rows(),
            [
                &[Value::Integer(1), Value::Integer(2), Value::Integer(255)][..],
                &[
                    Value::Integer(0),
                    Value::Blob(vec![]),
                    Value::Blob(vec![7, 8])
                ][..],
                &[
                    Value::Integer(256),
                    Value::Integer(-1),
                    Value::Blob(vec![0])
                ][..],
            ]
        );
        assert!(outcomes[1].columns.is_empty() && outcomes[1].rows().is_empty());
        assert!(parse_answer("[]").unwrap().is_empty());
        // A BLOB of a megabyte reads back whole.
        let blob: Vec<u8> = (0..1 << 20).map(|i| (i % 251) as u8).collect();
        let text = format!(
            r#"[{{"results":{{"columns":["b"],"rows":[[{}]]}}}}]"#,
            serde_json::to_string(&blob).unwrap()
        );
        assert_eq!(
            parse_answer(&text).unwrap()[0].rows(),
            [&[Value::Blob(blob)][..]]
        );
        // Anything but an array or an object as the answer is not D1's.
        for answer in [r#""x""#, "1", "null", r#"[{"results":"x"}]"#, r#"[1]"#] {
            let e = parse_answer(answer).unwrap_err();
            assert!(
                e.to_string()
                    .starts_with("D1_ERROR: unexpected answer from D1"),
                "{answer}: {e}"
            );
        }
    }

    #[test]
    fn older_answers_with_object_rows_still_read() {
        let answer = r#"{"success":true,"meta":{"changes":0},"results":[{"id":1,"name":"a"},{"id":2,"name":"b"}]}"#;
        let outcome = parse_answer(answer).unwrap().remove(0);
        assert_eq!(outcome.columns, ["id", "name"]);
        assert_eq!(
            outcome.rows()[1],
            [Value::Integer(2), Value::Text("b".into())]
        );
        // No results at all: no columns, no rows.
        let none = parse_answer(r#"[{"success":true,"meta":{}}]"#).unwrap();
        assert!(none[0].columns.is_empty() && none[0].rows().is_empty());
    }

    #[test]
    fn batches_align_with_statements_local_d1_drops() {
        let ok = |n: usize| {
            let rows = format!(r#"{{"results":{{"columns":["n"],"rows":[[{n}]]}}}}"#);
            parse_answer(&format!("[{rows}]")).unwrap().remove(0)
        };
        let sql = [
            "SELECT 1",
            "-- only a comment\n  -- and another",
            "SELECT 2",
        ];
        let aligned = align(sql.iter().copied(), vec![ok(1), ok(2)]).unwrap();
        assert_eq!(aligned[0].as_ref().unwrap().rows()[0], [Value::Integer(1)]);
        assert!(aligned[1].is_none());
        assert_eq!(aligned[2].as_ref().unwrap().rows()[0], [Value::Integer(2)]);
        assert!(align(sql.iter().copied(), vec![ok(1)]).is_err());
        assert!(only_line_comments("  \n\t-- x\r\n"));
        assert!(!only_line_comments("-- x\nSELECT 1"));
        assert!(!only_line_comments("/* c */"));
    }
}
