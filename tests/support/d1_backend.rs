//! A d1orm `Backend` on real local D1 (tests/local-d1 over stdio), so that the same
//! table chains run on the reference backend and on D1 itself.
//!
//! Statements run through D1's own JavaScript API (`all`, `batch`, `exec`); rows come
//! back as objects whose keys keep D1's order, which for the SQL the ORM generates is
//! the column order.

use std::fmt;
use std::sync::{Mutex, PoisonError};

use d1orm::{
    Backend, BatchEntry, Columns, DatabaseError, DumpBackend, Error, ExecResult, Meta, Prefix,
    QueryBackend, Row, RowSink, Statement, Value, ValueRef,
};
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::json;

use crate::local_d1::LocalD1;

/// One fresh database of a running local D1.
pub struct LocalD1Backend<'a> {
    d1: &'a Mutex<LocalD1>,
    db: String,
}

impl<'a> LocalD1Backend<'a> {
    /// A backend on a database no one has used yet.
    pub fn fresh(d1: &'a Mutex<LocalD1>) -> Self {
        let db = d1.lock().unwrap_or_else(PoisonError::into_inner).fresh_db();
        LocalD1Backend { d1, db }
    }

    fn call<T: serde::de::DeserializeOwned>(&self, request: serde_json::Value) -> Result<T, Error> {
        let line = self
            .d1
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .request_line(&request.to_string())
            .map_err(|e| Error::d1(Prefix::Error, e))?;
        let reply: Reply<T> = serde_json::from_str(&line)
            .map_err(|e| Error::d1(Prefix::Error, format!("bad reply {e}: {line}")))?;
        match (reply.ok, reply.result) {
            (true, Some(result)) => Ok(result),
            _ => {
                let message = reply.error.map(|e| e.message).unwrap_or(line);
                Err(Error::Database(DatabaseError::parse(&message)))
            }
        }
    }
}

#[derive(serde::Deserialize)]
struct Reply<T> {
    ok: bool,
    result: Option<T>,
    error: Option<ReplyError>,
}

#[derive(serde::Deserialize)]
struct ReplyError {
    message: String,
}

/// The JSON D1 takes for a value; integers beyond 2^53 cannot be numbers there.
fn param(value: &Value) -> Result<serde_json::Value, Error> {
    Ok(match value {
        Value::Null => serde_json::Value::Null,
        Value::Integer(i) if i.unsigned_abs() > (1u64 << 53) - 1 => {
            return Err(Error::unsupported_type("i64", i));
        }
        Value::Integer(i) => json!(i),
        Value::Real(f) => json!(f),
        Value::Text(s) => json!(s),
        Value::Blob(b) => json!({ "blob": b }),
    })
}

fn statement_json(statement: &Statement) -> Result<serde_json::Value, Error> {
    let params: Result<Vec<_>, _> = statement.params.iter().map(param).collect();
    Ok(json!({ "sql": &*statement.sql, "params": params? }))
}

/// A D1Result whose rows keep their keys' order.
#[derive(serde::Deserialize)]
struct OrderedResult {
    meta: Meta,
    results: Vec<OrderedRow>,
}

struct OrderedRow(Vec<(String, Value)>);

impl<'de> Deserialize<'de> for OrderedRow {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = OrderedRow;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a row object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<OrderedRow, A::Error> {
                let mut fields = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, serde_json::Value>()? {
                    fields.push((k, value(v)));
                }
                Ok(OrderedRow(fields))
            }
        }
        d.deserialize_map(V)
    }
}

/// D1's JSON for a value back into an SQLite value (BLOBs come as arrays of bytes).
fn value(v: serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Integer(i64::from(b)),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => Value::Integer(i),
            None => Value::Real(n.as_f64().unwrap_or(f64::NAN)),
        },
        serde_json::Value::String(s) => Value::Text(s),
        serde_json::Value::Array(items) => {
            let bytes: Option<Vec<u8>> = items
                .iter()
                .map(|i| i.as_u64().and_then(|b| u8::try_from(b).ok()))
                .collect();
            match bytes {
                Some(b) => Value::Blob(b),
                None => Value::Text(serde_json::Value::Array(items).to_string()),
            }
        }
        other => Value::Text(other.to_string()),
    }
}

struct Names<'a>(&'a [(String, Value)]);

impl Columns for Names<'_> {
    fn count(&self) -> usize {
        self.0.len()
    }
    fn name(&self, index: usize) -> &str {
        &self.0[index].0
    }
}

struct Fields<'a>(&'a [(String, Value)]);

impl Row for Fields<'_> {
    fn column_count(&self) -> usize {
        self.0.len()
    }
    fn value(&self, index: usize) -> d1orm::Result<ValueRef<'_>> {
        self.0
            .get(index)
            .map(|(_, v)| v.as_ref())
            .ok_or_else(|| Error::Decode(d1orm::DecodeError::new("no such column")))
    }
}

fn feed<S: RowSink + ?Sized>(result: OrderedResult, sink: &mut S) -> d1orm::Result<Meta> {
    let first = result
        .results
        .first()
        .map(|r| r.0.as_slice())
        .unwrap_or(&[]);
    sink.columns(&Names(first))?;
    for row in &result.results {
        sink.row(&Fields(&row.0))?;
    }
    Ok(result.meta)
}

impl QueryBackend for LocalD1Backend<'_> {
    async fn query<S: RowSink + Send + ?Sized>(
        &self,
        statement: &Statement,
        sink: &mut S,
    ) -> d1orm::Result<Meta> {
        let mut request = statement_json(statement)?;
        request["db"] = json!(self.db);
        request["op"] = json!("all");
        let result: OrderedResult = self.call(request)?;
        feed(result, sink)
    }

    async fn batch(&self, entries: &mut [BatchEntry<'_>]) -> d1orm::Result<Vec<Meta>> {
        let statements: Result<Vec<_>, _> = entries
            .iter()
            .map(|e| statement_json(e.statement))
            .collect();
        let results: Vec<OrderedResult> =
            self.call(json!({ "db": self.db, "op": "batch", "statements": statements? }))?;
        entries
            .iter_mut()
            .zip(results)
            .map(|(entry, result)| feed(result, entry.sink))
            .collect()
    }
}

impl Backend for LocalD1Backend<'_> {
    async fn exec(&self, sql: &str) -> d1orm::Result<ExecResult> {
        self.call(json!({ "db": self.db, "op": "exec", "sql": sql }))
    }
}

impl DumpBackend for LocalD1Backend<'_> {
    async fn dump(&self) -> d1orm::Result<Vec<u8>> {
        let _: serde_json::Value = self.call(json!({ "db": self.db, "op": "dump" }))?;
        Err(Error::d1(Prefix::DumpError, "local D1 returns no dump"))
    }
}
