//! Scenarios as data, and running one on each side into an observation.
//!
//! - The SQLite side goes through d1orm's D1 layer:
//!   `d1orm::Database<d1orm_sqlite::SqliteBackend>` on a fresh in-memory database.
//! - The D1 side sends the same calls to real local D1 (tests/local-d1), so D1's own
//!   JavaScript API produces what it observes.
//!
//! An observation is ordered JSON ([`J`]): one entry per step, holding what a user can
//! see (rows, values, columns, error text, and a subset of `meta`). Objects compare
//! order-insensitively and numbers numerically (JavaScript cannot tell 1 from 1.0);
//! arrays compare in order. A scenario flagged `key_order` also records the key order
//! of row objects, which is how JavaScript shows them.

use std::fmt;

use d1orm::{D1Result, Database, IntoValue, Meta, PreparedStatement, QueryBackend, Value};
use d1orm_sqlite::SqliteBackend;
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

use crate::local_d1::LocalD1;

// ---------------------------------------------------------------------------------
// Ordered JSON
// ---------------------------------------------------------------------------------

/// JSON that keeps the order of object keys (the D1 side's keys arrive in JavaScript's
/// order; d1orm hands rows to a decoder in the order it means to show them).
#[derive(Debug, Clone)]
pub enum J {
    Null,
    Bool(bool),
    Num(serde_json::Number),
    Str(String),
    Arr(Vec<J>),
    Obj(Vec<(String, J)>),
}

impl J {
    pub fn obj(entries: Vec<(&str, J)>) -> J {
        J::Obj(
            entries
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect(),
        )
    }

    pub fn str(s: impl Into<String>) -> J {
        J::Str(s.into())
    }

    pub fn int(i: i64) -> J {
        J::Num(i.into())
    }

    pub fn get(&self, key: &str) -> Option<&J> {
        match self {
            J::Obj(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            J::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Adds (or replaces) a key of an object.
    pub fn with(mut self, key: &str, value: J) -> J {
        if let J::Obj(entries) = &mut self {
            match entries.iter_mut().find(|(k, _)| k == key) {
                Some(entry) => entry.1 = value,
                None => entries.push((key.to_owned(), value)),
            }
        }
        self
    }

    fn is_error(&self) -> bool {
        self.get("error").is_some()
    }

    /// One line per step (for an observation, which is an array of steps).
    pub fn compact_steps(&self) -> String {
        let line = |j: &J| serde_json::to_string(&Abbrev(j)).unwrap_or_else(|e| format!("<{e}>"));
        match self {
            J::Arr(steps) => steps.iter().map(|s| format!("    {}\n", line(s))).collect(),
            other => line(other),
        }
    }

    pub fn pretty(&self) -> String {
        serde_json::to_string_pretty(&Abbrev(self)).unwrap_or_else(|e| format!("<{e}>"))
    }
}

impl From<&serde_json::Value> for J {
    fn from(v: &serde_json::Value) -> J {
        match v {
            serde_json::Value::Null => J::Null,
            serde_json::Value::Bool(b) => J::Bool(*b),
            serde_json::Value::Number(n) => J::Num(n.clone()),
            serde_json::Value::String(s) => J::Str(s.clone()),
            serde_json::Value::Array(a) => J::Arr(a.iter().map(J::from).collect()),
            serde_json::Value::Object(o) => {
                J::Obj(o.iter().map(|(k, v)| (k.clone(), J::from(v))).collect())
            }
        }
    }
}

/// Equality as users can observe it: numbers numerically (integers exactly when both
/// are integers), objects whatever their key order, arrays in order.
pub fn same(a: &J, b: &J) -> bool {
    match (a, b) {
        (J::Null, J::Null) => true,
        (J::Bool(x), J::Bool(y)) => x == y,
        (J::Str(x), J::Str(y)) => x == y,
        (J::Num(x), J::Num(y)) => {
            let int = |n: &serde_json::Number| {
                n.as_i64()
                    .map(i128::from)
                    .or_else(|| n.as_u64().map(i128::from))
            };
            match (int(x), int(y)) {
                (Some(x), Some(y)) => x == y,
                _ => x.as_f64() == y.as_f64(),
            }
        }
        (J::Arr(x), J::Arr(y)) => x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y)),
        (J::Obj(x), J::Obj(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.iter().any(|(k2, v2)| k == k2 && same(v, v2)))
        }
        _ => false,
    }
}

impl Serialize for J {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            J::Null => s.serialize_unit(),
            J::Bool(b) => s.serialize_bool(*b),
            J::Num(n) => n.serialize(s),
            J::Str(x) => s.serialize_str(x),
            J::Arr(a) => {
                let mut seq = s.serialize_seq(Some(a.len()))?;
                for v in a {
                    seq.serialize_element(v)?;
                }
                seq.end()
            }
            J::Obj(o) => {
                let mut map = s.serialize_map(Some(o.len()))?;
                for (k, v) in o {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

/// Prints long strings and arrays shortened, so a failure stays readable.
struct Abbrev<'a>(&'a J);

impl Serialize for Abbrev<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            J::Str(x) if x.len() > 300 => {
                let cut = (0..=200)
                    .rev()
                    .find(|&i| x.is_char_boundary(i))
                    .unwrap_or(0);
                s.serialize_str(&format!("{}… ({} bytes)", &x[..cut], x.len()))
            }
            J::Arr(a) if a.len() > 64 => {
                let mut seq = s.serialize_seq(Some(65))?;
                for v in &a[..64] {
                    seq.serialize_element(&Abbrev(v))?;
                }
                seq.serialize_element(&format!("… ({} elements)", a.len()))?;
                seq.end()
            }
            J::Arr(a) => {
                let mut seq = s.serialize_seq(Some(a.len()))?;
                for v in a {
                    seq.serialize_element(&Abbrev(v))?;
                }
                seq.end()
            }
            J::Obj(o) => {
                let mut map = s.serialize_map(Some(o.len()))?;
                for (k, v) in o {
                    map.serialize_entry(k, &Abbrev(v))?;
                }
                map.end()
            }
            other => other.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for J {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<J, D::Error> {
        d.deserialize_any(JVisitor)
    }
}

struct JVisitor;

impl<'de> Visitor<'de> for JVisitor {
    type Value = J;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON-like value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<J, E> {
        Ok(J::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<J, E> {
        Ok(J::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<J, D::Error> {
        J::deserialize(d)
    }
    fn visit_bool<E: de::Error>(self, b: bool) -> Result<J, E> {
        Ok(J::Bool(b))
    }
    fn visit_i64<E: de::Error>(self, i: i64) -> Result<J, E> {
        Ok(J::Num(i.into()))
    }
    fn visit_u64<E: de::Error>(self, u: u64) -> Result<J, E> {
        Ok(J::Num(u.into()))
    }
    fn visit_f64<E: de::Error>(self, f: f64) -> Result<J, E> {
        // Shown as the local-d1 harness shows a non-finite number D1 gives, so that
        // one given on one side only is seen.
        Ok(serde_json::Number::from_f64(f).map_or_else(
            || {
                let name = if f.is_nan() {
                    "NaN"
                } else if f > 0.0 {
                    "Infinity"
                } else {
                    "-Infinity"
                };
                J::obj(vec![("nonfinite", J::str(name))])
            },
            J::Num,
        ))
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<J, E> {
        Ok(J::Str(s.to_owned()))
    }
    fn visit_string<E: de::Error>(self, s: String) -> Result<J, E> {
        Ok(J::Str(s))
    }
    fn visit_bytes<E: de::Error>(self, b: &[u8]) -> Result<J, E> {
        Ok(J::Arr(b.iter().map(|&x| J::Num(x.into())).collect()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<J, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element::<J>()? {
            out.push(v);
        }
        Ok(J::Arr(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<J, A::Error> {
        let mut out: Vec<(String, J)> = Vec::new();
        while let Some((k, v)) = map.next_entry::<String, J>()? {
            // As in JavaScript: a repeated key keeps its place and takes the last value.
            match out.iter_mut().find(|(k2, _)| *k2 == k) {
                Some(entry) => entry.1 = v,
                None => out.push((k, v)),
            }
        }
        Ok(J::Obj(out))
    }
}

// ---------------------------------------------------------------------------------
// Scenarios as data
// ---------------------------------------------------------------------------------

/// A bound parameter. Everything but `Bool` is a `d1orm::Value`; `Bool` binds through
/// d1orm's own conversion (`true.into_value()`) on the SQLite side and as a JavaScript
/// boolean on the D1 side.
#[derive(Debug, Clone, PartialEq)]
pub enum P {
    V(Value),
    Bool(bool),
}

/// SQL NULL, as a parameter.
pub const NULL: P = P::V(Value::Null);

impl From<i32> for P {
    fn from(i: i32) -> P {
        P::V(Value::Integer(i.into()))
    }
}
impl From<i64> for P {
    fn from(i: i64) -> P {
        P::V(Value::Integer(i))
    }
}
impl From<f64> for P {
    fn from(f: f64) -> P {
        P::V(Value::Real(f))
    }
}
impl From<&str> for P {
    fn from(s: &str) -> P {
        P::V(Value::Text(s.to_owned()))
    }
}
impl From<String> for P {
    fn from(s: String) -> P {
        P::V(Value::Text(s))
    }
}
impl From<bool> for P {
    fn from(b: bool) -> P {
        P::Bool(b)
    }
}
impl From<Vec<u8>> for P {
    fn from(b: Vec<u8>) -> P {
        P::V(Value::Blob(b))
    }
}

/// A BLOB parameter.
pub fn blob(bytes: &[u8]) -> P {
    P::V(Value::Blob(bytes.to_vec()))
}

/// Parameters: `p![1, "x", 1.5, NULL, true, blob(&[1])]` (`#[macro_use] mod runner;`).
macro_rules! p {
    ($($e:expr),* $(,)?) => { vec![$($crate::runner::P::from($e)),*] };
}

impl P {
    fn to_value(&self) -> Value {
        match self {
            P::V(v) => v.clone(),
            P::Bool(b) => b.into_value().expect("a bool always binds"),
        }
    }

    fn to_json(&self) -> serde_json::Value {
        use serde_json::json;
        match self {
            P::V(Value::Null) => json!(null),
            P::V(Value::Integer(i)) => json!(i),
            P::V(Value::Real(f)) => serde_json::Number::from_f64(*f)
                .map(serde_json::Value::Number)
                .expect("scenarios bind finite reals only"),
            P::V(Value::Text(s)) => json!(s),
            P::V(Value::Blob(b)) => json!({ "blob": b }),
            P::Bool(b) => json!(b),
        }
    }
}

/// SQL text and, when `bind` is called, its parameters.
#[derive(Debug, Clone)]
pub struct Stmt {
    pub sql: String,
    pub params: Option<Vec<P>>,
}

impl Stmt {
    pub fn bind(mut self, params: Vec<P>) -> Stmt {
        self.params = Some(params);
        self
    }
}

/// A statement for a batch.
pub fn stmt(sql: impl Into<String>) -> Stmt {
    Stmt {
        sql: sql.into(),
        params: None,
    }
}

#[derive(Debug, Clone)]
pub enum Kind {
    All(Stmt),
    Run(Stmt),
    First(Stmt),
    FirstColumn(Stmt, String),
    Raw(Stmt),
    RawWithColumns(Stmt),
    Batch(Vec<Stmt>),
    Exec(String),
    Dump,
    Session {
        constraint: Option<String>,
        steps: Vec<Step>,
    },
}

/// One call, and which meta fields beyond the default ones it compares.
#[derive(Debug, Clone)]
pub struct Step {
    pub kind: Kind,
    /// Compare `size_after`.
    pub size: bool,
    /// Compare `last_row_id` (off inside sessions, see [`session`]).
    pub last_row_id: bool,
}

impl Step {
    fn new(kind: Kind) -> Step {
        Step {
            kind,
            size: false,
            last_row_id: true,
        }
    }

    /// Binds parameters to the step's statement.
    pub fn bind(mut self, params: Vec<P>) -> Step {
        match &mut self.kind {
            Kind::All(s)
            | Kind::Run(s)
            | Kind::First(s)
            | Kind::FirstColumn(s, _)
            | Kind::Raw(s)
            | Kind::RawWithColumns(s) => s.params = Some(params),
            other => panic!("bind() on a step without a statement: {other:?}"),
        }
        self
    }

    /// Compares `size_after`.
    pub fn size(mut self) -> Step {
        self.size = true;
        self
    }
}

pub fn all(sql: impl Into<String>) -> Step {
    Step::new(Kind::All(stmt(sql)))
}
pub fn run(sql: impl Into<String>) -> Step {
    Step::new(Kind::Run(stmt(sql)))
}
pub fn first(sql: impl Into<String>) -> Step {
    Step::new(Kind::First(stmt(sql)))
}
pub fn first_col(sql: impl Into<String>, column: &str) -> Step {
    Step::new(Kind::FirstColumn(stmt(sql), column.to_owned()))
}
pub fn raw(sql: impl Into<String>) -> Step {
    Step::new(Kind::Raw(stmt(sql)))
}
pub fn raw_cols(sql: impl Into<String>) -> Step {
    Step::new(Kind::RawWithColumns(stmt(sql)))
}
pub fn batch(statements: Vec<Stmt>) -> Step {
    Step::new(Kind::Batch(statements))
}
pub fn exec(sql: impl Into<String>) -> Step {
    Step::new(Kind::Exec(sql.into()))
}
pub fn dump() -> Step {
    Step::new(Kind::Dump)
}
/// A session; `None` calls `withSession()` without an argument (SQLite side:
/// `"first-unconstrained"`, the default).
///
/// Steps in a session do not compare `last_row_id`: local D1 records each session
/// query's bookmark with an internal write (`getCurrentBookmark()`) that moves
/// `last_insert_rowid()` (a `SELECT` in a session reports `last_row_id` 2 on an empty
/// database), bookkeeping that is not D1 semantics to reproduce.
pub fn session(constraint: Option<&str>, steps: Vec<Step>) -> Step {
    let steps = steps
        .into_iter()
        .map(|mut s| {
            s.last_row_id = false;
            s
        })
        .collect();
    Step::new(Kind::Session {
        constraint: constraint.map(str::to_owned),
        steps,
    })
}

/// A checked divergence: each side must produce exactly its expected observation.
#[derive(Debug, Clone)]
pub struct Divergence {
    pub reason: &'static str,
    pub sqlite: serde_json::Value,
    pub d1: serde_json::Value,
}

/// A declared divergence of `rows_read`/`rows_written` alone, on some steps.
#[derive(Debug, Clone)]
pub struct RowsDivergence {
    pub steps: Vec<usize>,
    pub reason: &'static str,
}

#[derive(Debug, Clone)]
pub struct Scenario {
    pub name: String,
    pub steps: Vec<Step>,
    /// Record the key order of row objects too.
    pub key_order: bool,
    pub divergence: Option<Divergence>,
    /// The steps whose row counters the reference backend cannot make D1's.
    pub rows_divergence: Option<RowsDivergence>,
    /// Why d1orm inside a Worker (`d1orm_worker::D1Backend` on the same D1) answers
    /// otherwise than D1's JavaScript API, when it does by design.
    pub worker_divergence: Option<&'static str>,
    /// Why d1orm over Durable Object SQLite storage (`d1orm_worker::DurableObjectBackend`,
    /// in the same workerd) answers otherwise than D1's JavaScript API.
    pub object_divergence: Option<&'static str>,
}

pub fn sc(name: impl Into<String>, steps: Vec<Step>) -> Scenario {
    Scenario {
        name: name.into(),
        steps,
        key_order: false,
        divergence: None,
        rows_divergence: None,
        worker_divergence: None,
        object_divergence: None,
    }
}

impl Scenario {
    /// d1orm inside a Worker answers otherwise than D1's JavaScript API, by design
    /// (`reason`): a value d1orm refuses before sending, for one.
    pub fn worker_diverges(mut self, reason: &'static str) -> Scenario {
        self.worker_divergence = Some(reason);
        self
    }

    /// d1orm over Durable Object storage answers otherwise than D1, by design
    /// (`reason`): a call D1 has and the storage has not, for one.
    pub fn object_diverges(mut self, reason: &'static str) -> Scenario {
        self.object_divergence = Some(reason);
        self
    }

    /// Why d1orm over Durable Object storage cannot answer this scenario as D1 does:
    /// the reason declared on it, or, when a step calls `dump` or opens a session, that
    /// the storage has neither (`DurableObjectBackend` lacks them by type).
    pub fn object_divergence(&self) -> Option<&'static str> {
        let d1_only = self
            .steps
            .iter()
            .any(|s| matches!(s.kind, Kind::Dump | Kind::Session { .. }));
        self.object_divergence.or(d1_only.then_some(
            "Durable Object storage has no dump and no sessions: DurableObjectBackend lacks \
             both by type, and the harness answers those steps with its own error",
        ))
    }

    pub fn key_order(mut self) -> Scenario {
        self.key_order = true;
        self
    }

    /// `rows_read`/`rows_written` of the reference backend differ from D1's on these
    /// (0-based) steps, for `reason`: every other meta field of theirs is still compared,
    /// and each listed step must differ, so a declaration outlives no fix.
    pub fn rows_differ(&mut self, steps: &[usize], reason: &'static str) {
        self.rows_divergence = Some(RowsDivergence {
            steps: steps.to_vec(),
            reason,
        });
    }

    /// A declared divergence; both observations are asserted exactly.
    pub fn diverges(
        mut self,
        reason: &'static str,
        sqlite: serde_json::Value,
        d1: serde_json::Value,
    ) -> Scenario {
        self.divergence = Some(Divergence { reason, sqlite, d1 });
        self
    }
}

// ---------------------------------------------------------------------------------
// Observations
// ---------------------------------------------------------------------------------

/// The fields of `meta` a step compares.
struct MetaFields {
    /// The names of the fields present, sorted, and `timings`' own.
    shape: J,
    served_by_primary: J,
    total_attempts: J,
    changes: J,
    last_row_id: J,
    changed_db: J,
    size_after: J,
    rows_read: J,
    rows_written: J,
}

fn meta_obs(m: MetaFields, step: &Step) -> J {
    let mut out = J::obj(vec![
        ("fields", m.shape),
        ("served_by_primary", m.served_by_primary),
        ("total_attempts", m.total_attempts),
        ("changes", m.changes),
    ]);
    if step.last_row_id {
        out = out.with("last_row_id", m.last_row_id);
    }
    out = out
        .with("changed_db", m.changed_db)
        .with("rows_read", m.rows_read)
        .with("rows_written", m.rows_written);
    if step.size {
        out = out.with("size_after", m.size_after);
    }
    out
}

/// The names of a meta's fields, and of its `timings`' fields, sorted.
fn meta_shape(meta: &serde_json::Value) -> J {
    let names = |v: Option<&serde_json::Value>| {
        let mut names: Vec<String> = v
            .and_then(|v| v.as_object())
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default();
        names.sort();
        J::Arr(names.into_iter().map(J::str).collect())
    };
    J::obj(vec![
        ("meta", names(Some(meta))),
        ("timings", names(meta.get("timings"))),
    ])
}

fn sqlite_meta(m: &Meta, step: &Step) -> J {
    let json = serde_json::to_value(m).expect("a meta serializes");
    meta_obs(
        MetaFields {
            shape: meta_shape(&json),
            served_by_primary: m.served_by_primary.map_or(J::str("<missing>"), J::Bool),
            total_attempts: m
                .total_attempts
                .map_or(J::str("<missing>"), |n| J::Num(n.into())),
            changes: J::Num(m.changes.into()),
            last_row_id: J::int(m.last_row_id),
            changed_db: J::Bool(m.changed_db),
            size_after: J::Num(m.size_after.into()),
            rows_read: J::Num(m.rows_read.into()),
            rows_written: J::Num(m.rows_written.into()),
        },
        step,
    )
}

fn d1_meta(m: Option<&J>, step: &Step) -> J {
    let field = |k: &str| {
        m.and_then(|m| m.get(k))
            .cloned()
            .unwrap_or(J::str("<missing>"))
    };
    let shape = match m {
        Some(m) => meta_shape(&serde_json::to_value(m).expect("a J serializes")),
        None => J::str("<missing>"),
    };
    meta_obs(
        MetaFields {
            shape,
            served_by_primary: field("served_by_primary"),
            total_attempts: field("total_attempts"),
            changes: field("changes"),
            last_row_id: field("last_row_id"),
            changed_db: field("changed_db"),
            size_after: field("size_after"),
            rows_read: field("rows_read"),
            rows_written: field("rows_written"),
        },
        step,
    )
}

/// The key order of each row object.
fn keys(rows: &J) -> J {
    match rows {
        J::Arr(rows) => J::Arr(rows.iter().map(keys).collect()),
        J::Obj(o) => J::Arr(o.iter().map(|(k, _)| J::str(k.clone())).collect()),
        _ => J::Null,
    }
}

/// `{results, meta[, keys]}` for `all`/`run` and each result of a batch.
fn result_obs(results: J, meta: J, key_order: bool) -> J {
    let mut out = J::obj(vec![("results", results.clone()), ("meta", meta)]);
    if key_order {
        out = out.with("keys", keys(&results));
    }
    out
}

fn first_obs(row: J, key_order: bool) -> J {
    let mut out = J::obj(vec![("row", row.clone())]);
    if key_order {
        out = out.with("keys", keys(&row));
    }
    out
}

/// D1's `internal error; reference = <random id>` differs on every call.
fn normalize_error(text: &str) -> String {
    match text.find("reference = ") {
        Some(i) => format!("{}reference = *", &text[..i]),
        None => text.to_owned(),
    }
}

fn error_obs(text: &str) -> J {
    J::obj(vec![("error", J::str(normalize_error(text)))])
}

fn dump_obs(bytes: &[u8]) -> J {
    let header: String = bytes.iter().take(16).map(|&b| b as char).collect();
    J::obj(vec![(
        "dump",
        J::obj(vec![
            ("header", J::str(header)),
            ("empty", J::Bool(bytes.is_empty())),
        ]),
    )])
}

// ---------------------------------------------------------------------------------
// The SQLite side: d1orm's D1 layer over the reference backend
// ---------------------------------------------------------------------------------

fn bound<'a, B: QueryBackend>(p: PreparedStatement<'a, B>, s: &Stmt) -> PreparedStatement<'a, B> {
    match &s.params {
        Some(params) => p.bind(params.iter().map(P::to_value).collect::<Vec<Value>>()),
        None => p,
    }
}

fn sqlite_result(r: &D1Result<J>, step: &Step, key_order: bool) -> J {
    result_obs(
        J::Arr(r.results.clone()),
        sqlite_meta(&r.meta, step),
        key_order,
    )
}

fn sqlite_batch(r: d1orm::Result<Vec<D1Result<J>>>, step: &Step, key_order: bool) -> J {
    match r {
        Ok(results) => J::obj(vec![(
            "batch",
            J::Arr(
                results
                    .iter()
                    .map(|r| sqlite_result(r, step, key_order))
                    .collect(),
            ),
        )]),
        // D1's batch error names no statement: the D1 text is compared here, and the
        // position d1orm adds is checked by the chain scenarios on both backends.
        Err(e) => error_obs(&e.root().to_string()),
    }
}

/// A result of JSON object rows, its rows as observed (keys in the map's order).
fn json_rows(r: D1Result<d1orm::JsonRow>) -> D1Result<J> {
    D1Result {
        success: r.success,
        meta: r.meta,
        results: r
            .results
            .into_iter()
            .map(|row| J::from(&serde_json::Value::Object(row)))
            .collect(),
    }
}

/// Runs a statement step (all/run/first/first(column)/raw) on a prepared statement.
async fn sqlite_statement<B: QueryBackend>(
    p: PreparedStatement<'_, B>,
    step: &Step,
    ko: bool,
) -> J {
    let out = match &step.kind {
        Kind::All(_) => p.all::<J>().await.map(|r| sqlite_result(&r, step, ko)),
        Kind::Run(_) => p
            .run()
            .await
            .map(|r| sqlite_result(&json_rows(r), step, ko)),
        Kind::First(_) => p
            .first::<J>()
            .await
            .map(|row| first_obs(row.unwrap_or(J::Null), ko)),
        Kind::FirstColumn(_, column) => p
            .first_column::<J>(column)
            .await
            .map(|v| J::obj(vec![("value", v.unwrap_or(J::Null))])),
        Kind::Raw(_) => p
            .raw::<J>()
            .await
            .map(|rows| J::obj(vec![("rows", J::Arr(rows))])),
        Kind::RawWithColumns(_) => p.raw_with_columns::<J>().await.map(|(columns, rows)| {
            J::obj(vec![
                ("columns", J::Arr(columns.into_iter().map(J::Str).collect())),
                ("rows", J::Arr(rows)),
            ])
        }),
        other => panic!("not a statement step: {other:?}"),
    };
    out.unwrap_or_else(|e| error_obs(&e.to_string()))
}

fn statement_of(kind: &Kind) -> Option<&Stmt> {
    match kind {
        Kind::All(s)
        | Kind::Run(s)
        | Kind::First(s)
        | Kind::FirstColumn(s, _)
        | Kind::Raw(s)
        | Kind::RawWithColumns(s) => Some(s),
        _ => None,
    }
}

async fn sqlite_step(db: &Database<SqliteBackend>, step: &Step, ko: bool) -> J {
    match &step.kind {
        Kind::Batch(stmts) => {
            // Statements given to a batch as they are: rows come back as JSON objects,
            // which must keep D1's key order too.
            let r = db
                .batch(
                    stmts
                        .iter()
                        .map(|s| bound(db.prepare(s.sql.clone()), s))
                        .collect::<Vec<_>>(),
                )
                .await
                .map(|results| results.into_iter().map(json_rows).collect());
            sqlite_batch(r, step, ko)
        }
        Kind::Exec(sql) => match db.exec(sql).await {
            Ok(r) => J::obj(vec![("count", J::Num(r.count.into()))]),
            Err(e) => error_obs(&e.to_string()),
        },
        Kind::Dump => match db.dump().await {
            Ok(bytes) => dump_obs(&bytes),
            Err(e) => error_obs(&e.to_string()),
        },
        Kind::Session { constraint, steps } => {
            let constraint = constraint.as_deref().unwrap_or("first-unconstrained");
            let session = match db.with_session(constraint) {
                Ok(s) => s,
                Err(e) => return error_obs(&e.to_string()),
            };
            let bookmark = |b: Option<String>| b.map_or(J::Null, J::Str);
            let before = bookmark(session.bookmark());
            let mut out = Vec::new();
            for s in steps {
                let o = match &s.kind {
                    Kind::Batch(stmts) => {
                        let r = session
                            .batch(
                                stmts
                                    .iter()
                                    .map(|st| bound(session.prepare(st.sql.clone()), st).all::<J>())
                                    .collect::<Vec<_>>(),
                            )
                            .await;
                        sqlite_batch(r, s, ko)
                    }
                    kind => {
                        let st = statement_of(kind).expect("sessions hold statement steps");
                        sqlite_statement(bound(session.prepare(st.sql.clone()), st), s, ko).await
                    }
                };
                let failed = o.is_error();
                out.push(o.with("bookmark", bookmark(session.bookmark())));
                // The D1 harness ends a session at its first failing step.
                if failed {
                    break;
                }
            }
            J::obj(vec![("bookmark_before", before), ("steps", J::Arr(out))])
        }
        kind => {
            let st = statement_of(kind).expect("a statement step");
            sqlite_statement(bound(db.prepare(st.sql.clone()), st), step, ko).await
        }
    }
}

/// Runs a scenario on a fresh in-memory reference backend.
pub async fn run_sqlite(scenario: &Scenario) -> J {
    let backend = match SqliteBackend::open_in_memory() {
        Ok(b) => b,
        Err(e) => return J::Arr(vec![error_obs(&format!("open_in_memory failed: {e}"))]),
    };
    let db = Database::new(backend);
    let mut out = Vec::new();
    for step in &scenario.steps {
        out.push(sqlite_step(&db, step, scenario.key_order).await);
    }
    J::Arr(out)
}

// ---------------------------------------------------------------------------------
// The D1 side: real local D1 through the stdio protocol
// ---------------------------------------------------------------------------------

fn d1_statement_request(op: &str, s: &Stmt) -> serde_json::Map<String, serde_json::Value> {
    let mut req = serde_json::Map::new();
    req.insert("op".into(), op.into());
    req.insert("sql".into(), s.sql.clone().into());
    if let Some(params) = &s.params {
        req.insert(
            "params".into(),
            serde_json::Value::Array(params.iter().map(P::to_json).collect()),
        );
    }
    req
}

fn d1_request(kind: &Kind) -> serde_json::Map<String, serde_json::Value> {
    use serde_json::Value as V;
    match kind {
        Kind::All(s) => d1_statement_request("all", s),
        Kind::Run(s) => d1_statement_request("run", s),
        Kind::First(s) => d1_statement_request("first", s),
        Kind::FirstColumn(s, column) => {
            let mut req = d1_statement_request("first", s);
            req.insert("column".into(), V::String(column.clone()));
            req
        }
        Kind::Raw(s) => d1_statement_request("raw", s),
        Kind::RawWithColumns(s) => {
            let mut req = d1_statement_request("raw", s);
            req.insert("columnNames".into(), V::Bool(true));
            req
        }
        Kind::Batch(stmts) => {
            let mut req = serde_json::Map::new();
            req.insert("op".into(), "batch".into());
            let statements = stmts
                .iter()
                .map(|s| {
                    let mut st = d1_statement_request("", s);
                    st.remove("op");
                    V::Object(st)
                })
                .collect();
            req.insert("statements".into(), V::Array(statements));
            req
        }
        Kind::Exec(sql) => {
            let mut req = serde_json::Map::new();
            req.insert("op".into(), "exec".into());
            req.insert("sql".into(), V::String(sql.clone()));
            req
        }
        Kind::Dump => {
            let mut req = serde_json::Map::new();
            req.insert("op".into(), "dump".into());
            req
        }
        Kind::Session { constraint, steps } => {
            let mut req = serde_json::Map::new();
            req.insert("op".into(), "session".into());
            if let Some(c) = constraint {
                req.insert("constraint".into(), V::String(c.clone()));
            }
            let steps = steps
                .iter()
                .map(|s| V::Object(d1_request(&s.kind)))
                .collect();
            req.insert("steps".into(), V::Array(steps));
            req
        }
    }
}

fn d1_result(r: &J, step: &Step, ko: bool) -> J {
    result_obs(
        r.get("results").cloned().unwrap_or(J::str("<missing>")),
        d1_meta(r.get("meta"), step),
        ko,
    )
}

/// The observation of one response `{"ok", "result" | "error"}`.
fn d1_response(resp: &J, step: &Step, ko: bool) -> J {
    if !matches!(resp.get("ok"), Some(J::Bool(true))) {
        let message = resp
            .get("error")
            .and_then(|e| e.get("message"))
            .and_then(J::as_str)
            .map_or_else(
                || format!("<unexpected response {}>", resp.pretty()),
                str::to_owned,
            );
        return error_obs(&message);
    }
    let result = resp.get("result").cloned().unwrap_or(J::Null);
    match &step.kind {
        Kind::All(_) => d1_result(&result, step, ko),
        Kind::Run(_) => d1_result(&result, step, ko),
        Kind::First(_) => first_obs(result, ko),
        Kind::FirstColumn(..) => J::obj(vec![("value", result)]),
        Kind::Raw(_) => J::obj(vec![("rows", result)]),
        Kind::RawWithColumns(_) => {
            let (columns, rows) = match result {
                J::Arr(mut a) if !a.is_empty() => {
                    let columns = a.remove(0);
                    (columns, J::Arr(a))
                }
                other => (J::Null, other),
            };
            J::obj(vec![("columns", columns), ("rows", rows)])
        }
        Kind::Batch(_) => match result {
            J::Arr(results) => J::obj(vec![(
                "batch",
                J::Arr(results.iter().map(|r| d1_result(r, step, ko)).collect()),
            )]),
            other => J::obj(vec![("batch", other)]),
        },
        Kind::Exec(_) => J::obj(vec![(
            "count",
            result.get("count").cloned().unwrap_or(J::str("<missing>")),
        )]),
        Kind::Dump => match result.as_str().and_then(base64_decode) {
            Some(bytes) => dump_obs(&bytes),
            None => J::obj(vec![("dump", result)]),
        },
        Kind::Session { steps, .. } => {
            let responses = match result.get("results") {
                Some(J::Arr(r)) => r.clone(),
                _ => Vec::new(),
            };
            let bookmarks = match result.get("bookmarks") {
                Some(J::Arr(b)) => b.clone(),
                _ => Vec::new(),
            };
            let out = responses
                .iter()
                .zip(steps)
                .enumerate()
                .map(|(i, (r, s))| {
                    d1_response(r, s, ko)
                        .with("bookmark", bookmarks.get(i + 1).cloned().unwrap_or(J::Null))
                })
                .collect();
            J::obj(vec![
                (
                    "bookmark_before",
                    bookmarks.first().cloned().unwrap_or(J::Null),
                ),
                ("steps", J::Arr(out)),
            ])
        }
    }
}

/// Runs a scenario on a fresh local D1 database.
pub fn run_d1(d1: &mut LocalD1, scenario: &Scenario) -> J {
    let db = d1.fresh_db();
    run_d1_on(d1, scenario, db)
}

/// The scenario on database `db` of the server (a D1 binding, or `DO:<name>`, a Durable
/// Object of the test Worker).
pub fn run_d1_on(d1: &mut LocalD1, scenario: &Scenario, db: String) -> J {
    let mut out = Vec::new();
    for step in &scenario.steps {
        let mut req = d1_request(&step.kind);
        req.insert("db".into(), serde_json::Value::String(db.clone()));
        let line = serde_json::Value::Object(req).to_string();
        let obs = match d1.request_line(&line) {
            Ok(resp) => match serde_json::from_str::<J>(&resp) {
                Ok(resp) => d1_response(&resp, step, scenario.key_order),
                Err(e) => error_obs(&format!("<local D1 answered invalid JSON: {e}>")),
            },
            Err(e) => error_obs(&format!("<local D1 failed: {e}>")),
        };
        out.push(obs);
    }
    J::Arr(out)
}

fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let bytes: Vec<u8> = text.bytes().filter(|&c| c != b'=').collect();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut acc = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            acc |= value(c)? << (18 - 6 * i);
        }
        let n = chunk.len().saturating_sub(1);
        out.extend_from_slice(&acc.to_be_bytes()[1..1 + n]);
    }
    Some(out)
}

// ---------------------------------------------------------------------------------
// Verdicts
// ---------------------------------------------------------------------------------

pub enum Verdict {
    Identical,
    Diverges(&'static str),
    Fail(String),
}

pub fn judge(scenario: &Scenario, sqlite: &J, d1: &J) -> Verdict {
    // The row counters are judged step by step on their own, so that a declared
    // divergence of theirs leaves every other field of the step compared.
    let rows_failure = judge_rows(scenario, sqlite, d1);
    let verdict = judge_without_rows(scenario, &without_rows(sqlite), &without_rows(d1));
    match (verdict, rows_failure, &scenario.rows_divergence) {
        (Verdict::Fail(text), Some(rows), _) => Verdict::Fail(format!("{text}\n{rows}")),
        (_, Some(rows), _) => Verdict::Fail(rows),
        (Verdict::Identical, None, Some(declared)) => Verdict::Diverges(declared.reason),
        (verdict, None, _) => verdict,
    }
}

/// Why the row counters fail the scenario: a step whose counters differ from D1's
/// without a declaration, or a declared step whose counters are D1's after all.
fn judge_rows(scenario: &Scenario, sqlite: &J, d1: &J) -> Option<String> {
    let (mut metas, mut diffs) = (0, Vec::new());
    walk_metas(sqlite, d1, &mut String::new(), &mut metas, &mut diffs);
    let declared: &[usize] = scenario
        .rows_divergence
        .as_ref()
        .map_or(&[], |d| d.steps.as_slice());
    let mut text = String::new();
    for diff in &diffs {
        if !step_of(diff).is_some_and(|i| declared.contains(&i)) {
            text += &format!(
                "  rows_read/rows_written differ at {diff}  -- {}\n",
                diff_sql(scenario, diff)
            );
        }
    }
    for &i in declared {
        if !diffs.iter().any(|d| step_of(d) == Some(i)) {
            text += &format!(
                "  step {i} is declared to count rows otherwise than D1, but counts as D1 does: \
                 take it out of rows_differ\n"
            );
        }
    }
    (!text.is_empty()).then(|| text.trim_end().to_owned())
}

/// The step a difference found by [`walk_metas`] is at (its path starts `[i]`).
fn step_of(diff: &str) -> Option<usize> {
    diff.strip_prefix('[')?.split(']').next()?.parse().ok()
}

/// The SQL of the step a difference found by [`walk_metas`] is at.
fn diff_sql(scenario: &Scenario, diff: &str) -> String {
    step_of(diff)
        .and_then(|i| scenario.steps.get(i))
        .map(step_sql)
        .unwrap_or_default()
}

/// The observation without `rows_read` and `rows_written` in any meta.
fn without_rows(obs: &J) -> J {
    match obs {
        J::Arr(items) => J::Arr(items.iter().map(without_rows).collect()),
        J::Obj(entries) => J::Obj(
            entries
                .iter()
                .map(|(k, v)| match v {
                    J::Obj(fields) if k == "meta" => (
                        k.clone(),
                        J::Obj(
                            fields
                                .iter()
                                .filter(|(f, _)| f != "rows_read" && f != "rows_written")
                                .cloned()
                                .collect(),
                        ),
                    ),
                    _ => (k.clone(), without_rows(v)),
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

fn judge_without_rows(scenario: &Scenario, sqlite: &J, d1: &J) -> Verdict {
    match &scenario.divergence {
        None if same(sqlite, d1) => Verdict::Identical,
        None => Verdict::Fail(format!(
            "  differs at step{}\n  sqlite (d1orm-sqlite):\n{}\n  d1 (local D1):\n{}",
            differing_steps(sqlite, d1),
            indent(&sqlite.pretty()),
            indent(&d1.pretty())
        )),
        Some(div) => {
            // A declared divergence lists the meta fields it is about; the fields every
            // meta carries are compared between the two sides instead.
            let (sqlite, sqlite_common) = without_common_meta(sqlite);
            let (d1, d1_common) = without_common_meta(d1);
            let (sqlite, d1) = (&sqlite, &d1);
            let want_sqlite = J::from(&div.sqlite);
            let want_d1 = J::from(&div.d1);
            let mut text = String::new();
            if !sqlite_common.is_empty()
                && !d1_common.is_empty()
                && !same(&J::Arr(sqlite_common.clone()), &J::Arr(d1_common.clone()))
            {
                text += &format!(
                    "  the fields every meta carries differ:\n  sqlite:\n{}\n  d1:\n{}\n",
                    indent(&J::Arr(sqlite_common).pretty()),
                    indent(&J::Arr(d1_common).pretty())
                );
            }
            if !same(sqlite, &want_sqlite) {
                text += &format!(
                    "  sqlite (d1orm-sqlite), expected:\n{}\n  sqlite, observed:\n{}\n",
                    indent(&want_sqlite.pretty()),
                    indent(&sqlite.pretty())
                );
            }
            if !same(d1, &want_d1) {
                text += &format!(
                    "  d1 (local D1), expected:\n{}\n  d1, observed:\n{}\n",
                    indent(&want_d1.pretty()),
                    indent(&d1.pretty())
                );
            }
            if text.is_empty() {
                Verdict::Diverges(div.reason)
            } else {
                Verdict::Fail(format!(
                    "  declared divergence ({}) not as expected:\n{}",
                    div.reason,
                    text.trim_end()
                ))
            }
        }
    }
}

/// Whether two observations are the same once the meta fields of [`COMMON_META`] are
/// left out: D1's production fields (`served_by_primary`, `total_attempts`, `timings`),
/// which Durable Object storage does not have.
pub fn same_without_common_meta(a: &J, b: &J) -> bool {
    same(&without_common_meta(a).0, &without_common_meta(b).0)
}

/// The meta fields that every D1 meta carries whatever the statement did.
const COMMON_META: [&str; 3] = ["fields", "served_by_primary", "total_attempts"];

/// The observation without the fields of [`COMMON_META`], and the distinct sets of
/// those fields it held.
fn without_common_meta(obs: &J) -> (J, Vec<J>) {
    fn strip(j: &J, common: &mut Vec<J>) -> J {
        match j {
            J::Arr(items) => J::Arr(items.iter().map(|i| strip(i, common)).collect()),
            J::Obj(entries) => J::Obj(
                entries
                    .iter()
                    .map(|(k, v)| match v {
                        J::Obj(fields) if k == "meta" => {
                            let (taken, kept): (Vec<_>, Vec<_>) = fields
                                .iter()
                                .cloned()
                                .partition(|(f, _)| COMMON_META.contains(&f.as_str()));
                            let taken = J::Obj(taken);
                            if !common.iter().any(|c| same(c, &taken)) {
                                common.push(taken);
                            }
                            (k.clone(), J::Obj(kept))
                        }
                        _ => (k.clone(), strip(v, common)),
                    })
                    .collect(),
            ),
            other => other.clone(),
        }
    }
    let mut common = Vec::new();
    let stripped = strip(obs, &mut common);
    (stripped, common)
}

/// The (0-based) steps whose observations differ, as ` 2, 5`.
fn differing_steps(a: &J, b: &J) -> String {
    match (a, b) {
        (J::Arr(x), J::Arr(y)) => (0..x.len().max(y.len()))
            .filter(|&i| match (x.get(i), y.get(i)) {
                (Some(p), Some(q)) => !same(p, q),
                _ => true,
            })
            .map(|i| format!(" {i}"))
            .collect::<Vec<_>>()
            .join(","),
        _ => " (whole observation)".to_owned(),
    }
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("    {l}\n"))
        .collect::<String>()
        .trim_end()
        .to_owned()
}

// ---------------------------------------------------------------------------------
// The row counters' tally
// ---------------------------------------------------------------------------------

/// How often the reference backend's `rows_read` and `rows_written` are D1's: each
/// meta counts (a batch's results each count), and a scenario counts when every meta
/// of it does. `CONFORMANCE_ROWS=verbose` lists each difference with its step's SQL.
pub struct RowsTally {
    verbose: bool,
    identical: usize,
    total: usize,
    scenarios_identical: usize,
    scenarios_total: usize,
}

impl RowsTally {
    pub fn new() -> RowsTally {
        RowsTally {
            verbose: std::env::var("CONFORMANCE_ROWS").is_ok_and(|v| v == "verbose"),
            identical: 0,
            total: 0,
            scenarios_identical: 0,
            scenarios_total: 0,
        }
    }

    /// Tallies the metas of one scenario's two observations.
    pub fn add(&mut self, scenario: &Scenario, sqlite: &J, d1: &J) {
        let (mut total, mut diffs) = (0, Vec::new());
        walk_metas(sqlite, d1, &mut String::new(), &mut total, &mut diffs);
        self.total += total;
        self.identical += total - diffs.len();
        if total > 0 {
            self.scenarios_total += 1;
            if diffs.is_empty() {
                self.scenarios_identical += 1;
            }
        }
        if self.verbose {
            for d in diffs {
                println!("rows {}{d}  -- {}", scenario.name, diff_sql(scenario, &d));
            }
        }
    }

    pub fn report(&self) -> String {
        let pct = |a: usize, b: usize| {
            if b == 0 {
                0.0
            } else {
                100.0 * a as f64 / b as f64
            }
        };
        format!(
            "rows_read/rows_written identical to D1's on {} of {} steps ({:.2}%); \
             every step identical in {} of {} scenarios ({:.2}%)",
            self.identical,
            self.total,
            pct(self.identical, self.total),
            self.scenarios_identical,
            self.scenarios_total,
            pct(self.scenarios_identical, self.scenarios_total)
        )
    }
}

/// The SQL a step runs, statements of a batch or session joined by ` ;; `.
fn step_sql(step: &Step) -> String {
    match &step.kind {
        Kind::All(s)
        | Kind::Run(s)
        | Kind::First(s)
        | Kind::FirstColumn(s, _)
        | Kind::Raw(s)
        | Kind::RawWithColumns(s) => s.sql.clone(),
        Kind::Batch(statements) => statements
            .iter()
            .map(|s| s.sql.as_str())
            .collect::<Vec<_>>()
            .join(" ;; "),
        Kind::Exec(sql) => sql.clone(),
        Kind::Dump => String::new(),
        Kind::Session { steps, .. } => steps.iter().map(step_sql).collect::<Vec<_>>().join(" ;; "),
    }
}

/// Pairs the `meta` objects found at the same place in both observations; each pair
/// counts, and one whose counters differ is listed as `path: sqlite (r, w), d1 (r, w)`.
fn walk_metas(a: &J, b: &J, path: &mut String, total: &mut usize, diffs: &mut Vec<String>) {
    match (a, b) {
        (J::Arr(x), J::Arr(y)) => {
            for (i, (x, y)) in x.iter().zip(y).enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                walk_metas(x, y, path, total, diffs);
                path.truncate(len);
            }
        }
        (J::Obj(x), J::Obj(_)) => {
            for (k, v) in x {
                let Some(w) = b.get(k) else { continue };
                if k == "meta" {
                    let counters = |m: &J| {
                        (
                            m.get("rows_read").cloned().unwrap_or(J::Null),
                            m.get("rows_written").cloned().unwrap_or(J::Null),
                        )
                    };
                    let ((r1, w1), (r2, w2)) = (counters(v), counters(w));
                    *total += 1;
                    if !(same(&r1, &r2) && same(&w1, &w2)) {
                        let show = |j: &J| serde_json::to_string(j).unwrap_or_default();
                        diffs.push(format!(
                            "{path}: sqlite ({}, {}), d1 ({}, {})",
                            show(&r1),
                            show(&w1),
                            show(&r2),
                            show(&w2)
                        ));
                    }
                } else if k != "results" {
                    let len = path.len();
                    path.push_str(&format!(".{k}"));
                    walk_metas(v, w, path, total, diffs);
                    path.truncate(len);
                }
            }
        }
        _ => {}
    }
}

// ---------------------------------------------------------------------------------
// Unit checks (the SQLite side only)
// ---------------------------------------------------------------------------------

/// Binding NaN or ±Infinity: D1 would store NULL; d1orm refuses the value at bind time
/// with `D1_TYPE_ERROR`. The D1 side cannot receive such a value through `Value`, so
/// this is checked here rather than as a scenario. Returns (name, failure) pairs.
pub async fn unit_checks() -> Vec<(&'static str, Option<String>)> {
    let mut out = Vec::new();
    let db = match SqliteBackend::open_in_memory() {
        Ok(b) => Database::new(b),
        Err(e) => return vec![("unit/open_in_memory", Some(e.to_string()))],
    };
    let cases: [(&'static str, f64, &str); 3] = [
        (
            "unit/bind_nan_refused",
            f64::NAN,
            "D1_TYPE_ERROR: Type 'f64' not supported for value 'NaN'",
        ),
        (
            "unit/bind_infinity_refused",
            f64::INFINITY,
            "D1_TYPE_ERROR: Type 'f64' not supported for value 'inf'",
        ),
        (
            "unit/bind_neg_infinity_refused",
            f64::NEG_INFINITY,
            "D1_TYPE_ERROR: Type 'f64' not supported for value '-inf'",
        ),
    ];
    for (name, f, want) in cases {
        let p = db.prepare("SELECT ? AS v").bind(vec![Value::Real(f)]);
        let got = match p.clone().all::<J>().await {
            Ok(r) => format!("Ok({})", J::Arr(r.results).pretty()),
            Err(e) => e.to_string(),
        };
        // A batch holding the statement fails the same way, before running anything.
        let in_batch = match db
            .batch([db.prepare("CREATE TABLE never(a)"), p.clone()])
            .await
        {
            Ok(_) => "Ok".to_owned(),
            Err(e) => e.to_string(),
        };
        let table = db
            .prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'never'")
            .first_column::<i64>("n")
            .await;
        let failure = if got != want {
            Some(format!("all(): expected {want:?}, got {got:?}"))
        } else if in_batch != format!("{want} (statement 2 of 2 in the batch)") {
            Some(format!("batch(): expected {want:?}, got {in_batch:?}"))
        } else if table != Ok(Some(0)) {
            Some(format!("the batch ran its first statement: {table:?}"))
        } else {
            None
        };
        out.push((name, failure));
    }
    out
}
