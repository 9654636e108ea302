//! The local-d1 protocol (tests/local-d1/README.md) run through d1orm's D1 layer: one
//! request in, one response out, as tests/local-d1/worker.mjs answers it through D1's
//! JavaScript API.
//!
//! Each JavaScript call has its d1orm counterpart: `all()` → [`all`], `run()` → [`run`],
//! `first()` → [`first`], `first(column)` → [`first_column`], `raw()` → [`raw`],
//! `raw({columnNames})` → [`raw_with_columns`], `batch()` → [`Database::batch`] of
//! prepared statements, `exec()`, `dump()`, `withSession()` → [`Database::with_session`]
//! and `getBookmark()` → [`Session::bookmark`]. Results are d1orm's own ([`D1Result`],
//! [`Meta`](d1orm::Meta), [`ExecResult`](d1orm::ExecResult)), serialized to D1's JSON.
//!
//! [`all`]: d1orm::PreparedStatement::all
//! [`run`]: d1orm::PreparedStatement::run
//! [`first`]: d1orm::PreparedStatement::first
//! [`first_column`]: d1orm::PreparedStatement::first_column
//! [`raw`]: d1orm::PreparedStatement::raw
//! [`raw_with_columns`]: d1orm::PreparedStatement::raw_with_columns

use d1orm::{
    Backend, Bookmarked, BoxFuture, D1Result, Database, DumpBackend, Error, JsonRow, Prefix,
    PreparedStatement, QueryBackend, Session, SessionBackend, Value,
};
use serde_json::{Map, Value as Json};

/// What stopped a request: D1's error (through d1orm), or the harness's own.
pub enum Failure {
    D1(Error),
    Harness(String),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::D1(e)
    }
}

pub type Outcome = Result<Json, Failure>;

/// The text where a harness problem starts, as worker.mjs words it, for the problems both
/// harnesses share (an unknown op or binding).
const LOCAL_D1: &str = "local-d1 harness:";

/// The text where a problem of this harness alone starts (what d1orm cannot express).
pub const HARNESS: &str = "d1orm-worker harness:";

/// What a backend serves beyond statements, `exec` and chains: D1's `dump` and
/// sessions. Durable Object storage has neither (d1orm's `DurableObjectBackend` lacks
/// them by type); a request for them gets this harness's error, which the suite
/// declares as that backend's divergence.
pub trait Served: Backend + Sized {
    /// The `dump` op.
    fn dump(db: &Database<Self>) -> BoxFuture<'_, Outcome>;
    /// The `session` op.
    fn session<'a>(db: &'a Database<Self>, request: &'a Json) -> BoxFuture<'a, Outcome>;
}

/// `Served` for a D1 backend: both ops through d1orm. (Used by the wasm32 entry point and
/// the native tests; the `allow`s are for native builds without tests.)
#[allow(unused_macros)]
macro_rules! served_as_d1 {
    ($backend:ty) => {
        impl $crate::protocol::Served for $backend {
            fn dump(db: &d1orm::Database<Self>) -> d1orm::BoxFuture<'_, $crate::protocol::Outcome> {
                Box::pin($crate::protocol::dump(db))
            }
            fn session<'a>(
                db: &'a d1orm::Database<Self>,
                request: &'a serde_json::Value,
            ) -> d1orm::BoxFuture<'a, $crate::protocol::Outcome> {
                Box::pin($crate::protocol::session(db, request))
            }
        }
    };
}
#[allow(unused_imports)]
pub(crate) use served_as_d1;

/// `Served` for a backend without `dump` and sessions.
#[allow(unused_macros)]
macro_rules! served_without_d1_calls {
    ($backend:ty, $what:literal) => {
        impl $crate::protocol::Served for $backend {
            fn dump(
                _db: &d1orm::Database<Self>,
            ) -> d1orm::BoxFuture<'_, $crate::protocol::Outcome> {
                Box::pin(async { Err($crate::protocol::absent(concat!($what, " has no dump"))) })
            }
            fn session<'a>(
                _db: &'a d1orm::Database<Self>,
                _request: &'a serde_json::Value,
            ) -> d1orm::BoxFuture<'a, $crate::protocol::Outcome> {
                Box::pin(async {
                    Err($crate::protocol::absent(concat!($what, " has no sessions")))
                })
            }
        }
    };
}
#[allow(unused_imports)]
pub(crate) use served_without_d1_calls;

/// The harness's answer to an op the backend has no call for.
pub fn absent(what: &str) -> Failure {
    Failure::Harness(format!("{HARNESS} {what}"))
}

/// The `dump` op: the file, in base64.
pub async fn dump<B: DumpBackend>(db: &Database<B>) -> Outcome {
    Ok(Json::String(base64(&db.dump().await?)))
}

/// Answers one request line: `{"ok":true,"result":R}` or `{"ok":false,"error":{...}}`.
/// `binding` gives the database a binding name stands for, if there is one.
pub async fn respond<B: Served>(
    body: &str,
    binding: impl FnOnce(&str) -> Option<Database<B>>,
) -> String {
    let outcome = match serde_json::from_str::<Json>(body) {
        Ok(request) => handle(&request, binding).await,
        Err(e) => Err(Failure::Harness(format!(
            "{LOCAL_D1} malformed request: {e}"
        ))),
    };
    response(outcome).to_string()
}

fn response(outcome: Outcome) -> Json {
    let mut map = Map::new();
    match outcome {
        Ok(result) => {
            map.insert("ok".into(), Json::Bool(true));
            map.insert("result".into(), as_javascript_writes(result));
        }
        Err(failure) => {
            map.insert("ok".into(), Json::Bool(false));
            map.insert("error".into(), error_json(&failure));
        }
    }
    Json::Object(map)
}

async fn handle<B: Served>(
    request: &Json,
    binding: impl FnOnce(&str) -> Option<Database<B>>,
) -> Outcome {
    let name = request.get("db");
    let db = match name.and_then(Json::as_str).and_then(binding) {
        Some(db) => db,
        None => {
            return Err(Failure::Harness(format!(
                "{LOCAL_D1} no D1 binding named {}",
                name.map_or_else(|| "undefined".to_owned(), Json::to_string)
            )));
        }
    };
    match request.get("op").and_then(Json::as_str) {
        Some("exec") => {
            let sql = string_field(request, "sql")?;
            Ok(to_json(&db.exec(sql).await?))
        }
        Some("dump") => B::dump(&db).await,
        Some("session") => B::session(&db, request).await,
        Some("chain") => chain(&db, request).await,
        _ => run_op(&db, request).await,
    }
}

/// A `chain` request (this harness's own op): the conformance suite's typed chain
/// `name` (tests/conformance: chains.rs, batches.rs, migrations.rs) run on the binding's
/// database; the result is the chain's observation, as the suite compares it.
async fn chain<B: Backend>(db: &Database<B>, request: &Json) -> Outcome {
    use crate::{
        batches, chains, column_types, json_paths, migrations, queries, relations, team_notes,
    };
    Ok(match string_field(request, "name")? {
        "reads" => chains::reads(db).await,
        "writes_with_returning" => chains::writes_with_returning(db).await,
        "json_paths" => chains::json_paths(db).await,
        "multi_row_insert_past_100_parameters" => {
            chains::multi_row_insert_past_100_parameters(db).await
        }
        "upserts" => batches::upserts(db).await,
        "typed_batches" => batches::typed_batches(db).await,
        "failing_batches" => batches::failing_batches(db).await,
        "migrations" => migrations::migrations(db).await,
        "text_matching" => queries::text_matching(db).await,
        "dynamic_filters" => queries::dynamic_filters(db).await,
        "aggregates" => queries::aggregates(db).await,
        "relations" => relations::relations(db).await,
        "joins" => relations::joins(db).await,
        "team_notes" => team_notes::team_notes(db).await,
        "keysets_pages_and_subqueries" => team_notes::keysets_pages_and_subqueries(db).await,
        "json_collections" => queries::json_collections(db).await,
        "typed_json_paths" => json_paths::typed_json_paths(db).await,
        "typed_json_path_writes" => json_paths::typed_json_path_writes(db).await,
        "sql_fragments" => queries::sql_fragments(db).await,
        "null_comparisons" => queries::null_comparisons(db).await,
        "time_and_uuid_columns" => column_types::time_and_uuid_columns(db).await,
        other => {
            return Err(Failure::Harness(format!(
                "{HARNESS} unknown chain {other:?}"
            )));
        }
    })
}

/// A `session` request: `{"results": [per-step response], "bookmarks": [before the
/// first step, after each step]}`; a failing step ends it.
pub async fn session<B: SessionBackend>(db: &Database<B>, request: &Json) -> Outcome {
    let constraint = match request.get("constraint") {
        // `withSession()` and `withSession(null)` open a `first-unconstrained` session.
        None | Some(Json::Null) => "first-unconstrained",
        Some(Json::String(s)) => s,
        Some(other) => {
            return Err(Failure::Harness(format!(
                "{HARNESS} unsupported session constraint {other}: d1orm takes a string"
            )));
        }
    };
    let session = db.with_session(constraint)?;
    let bookmark = |s: &Session<B::Session>| s.bookmark().map_or(Json::Null, Json::String);
    let mut results = Vec::new();
    let mut bookmarks = vec![bookmark(&session)];
    let no_steps = Vec::new();
    let steps = match request.get("steps") {
        None | Some(Json::Null) => &no_steps,
        Some(Json::Array(steps)) => steps,
        Some(other) => {
            return Err(Failure::Harness(format!(
                "{HARNESS} steps must be an array, not {other}"
            )));
        }
    };
    for step in steps {
        let outcome = run_op(&session, step).await;
        let failed = outcome.is_err();
        results.push(response(outcome));
        bookmarks.push(bookmark(&session));
        if failed {
            break;
        }
    }
    let mut map = Map::new();
    map.insert("results".into(), Json::Array(results));
    map.insert("bookmarks".into(), Json::Array(bookmarks));
    Ok(Json::Object(map))
}

/// Where statements run: a database or one of its sessions.
trait Target {
    type Backend: QueryBackend;
    fn prepare(&self, sql: String) -> PreparedStatement<'_, Self::Backend>;
    fn batch<'s>(
        &'s self,
        statements: Vec<PreparedStatement<'s, Self::Backend>>,
    ) -> BoxFuture<'s, d1orm::Result<Vec<D1Result<JsonRow>>>>;
}

impl<B: Backend> Target for Database<B> {
    type Backend = B;
    fn prepare(&self, sql: String) -> PreparedStatement<'_, B> {
        Database::prepare(self, sql)
    }
    fn batch<'s>(
        &'s self,
        statements: Vec<PreparedStatement<'s, B>>,
    ) -> BoxFuture<'s, d1orm::Result<Vec<D1Result<JsonRow>>>> {
        Database::batch(self, statements)
    }
}

impl<S: QueryBackend + Bookmarked> Target for Session<S> {
    type Backend = S;
    fn prepare(&self, sql: String) -> PreparedStatement<'_, S> {
        Session::prepare(self, sql)
    }
    fn batch<'s>(
        &'s self,
        statements: Vec<PreparedStatement<'s, S>>,
    ) -> BoxFuture<'s, d1orm::Result<Vec<D1Result<JsonRow>>>> {
        Session::batch(self, statements)
    }
}

/// The statement ops (all, run, first, raw, batch), on a database or in a session.
async fn run_op<T: Target>(target: &T, request: &Json) -> Outcome {
    let op = request.get("op");
    match op.and_then(Json::as_str) {
        Some("all") => Ok(to_json(
            &statement(target, request)?.all::<JsonRow>().await?,
        )),
        Some("run") => Ok(to_json(&statement(target, request)?.run().await?)),
        Some("first") => {
            let statement = statement(target, request)?;
            match request.get("column") {
                None => Ok(to_json(&statement.first::<JsonRow>().await?)),
                Some(column) => {
                    let column = property_key(column)?;
                    let value = statement.first_column::<Json>(&column).await?;
                    Ok(value.unwrap_or(Json::Null))
                }
            }
        }
        Some("raw") => {
            let statement = statement(target, request)?;
            match request.get("columnNames") {
                None => Ok(to_json(&statement.raw::<Vec<Json>>().await?)),
                Some(names) => {
                    let (columns, rows) = statement.raw_with_columns::<Vec<Json>>().await?;
                    let mut out = Vec::with_capacity(rows.len() + 1);
                    if truthy(names) {
                        out.push(to_json(&columns));
                    }
                    out.extend(rows.into_iter().map(Json::Array));
                    Ok(Json::Array(out))
                }
            }
        }
        Some("batch") => {
            let statements = match request.get("statements") {
                None | Some(Json::Null) => Vec::new(),
                Some(Json::Array(list)) => list
                    .iter()
                    .map(|s| statement(target, s))
                    .collect::<Result<_, _>>()?,
                Some(other) => {
                    return Err(Failure::Harness(format!(
                        "{HARNESS} statements must be an array, not {other}"
                    )));
                }
            };
            // D1's batch error names no statement: its text is the root error's (the
            // position d1orm finds is left out, as D1's JavaScript API gives none).
            let results = target
                .batch(statements)
                .await
                .map_err(|e| e.root().clone())?;
            Ok(to_json(&results))
        }
        _ => Err(Failure::Harness(format!(
            "{LOCAL_D1} unknown op {}",
            op.map_or_else(|| "undefined".to_owned(), Json::to_string)
        ))),
    }
}

/// A request's statement: `prepare(sql)`, bound to `params` when present.
fn statement<'t, T: Target>(
    target: &'t T,
    request: &Json,
) -> Result<PreparedStatement<'t, T::Backend>, Failure> {
    let prepared = target.prepare(string_field(request, "sql")?.to_owned());
    match request.get("params") {
        None => Ok(prepared),
        Some(Json::Array(params)) => {
            let values = params.iter().map(param).collect::<Result<Vec<_>, _>>()?;
            Ok(prepared.bind(values))
        }
        Some(other) => Err(Failure::Harness(format!(
            "{HARNESS} params must be an array, not {other}"
        ))),
    }
}

fn string_field<'r>(request: &'r Json, name: &str) -> Result<&'r str, Failure> {
    request.get(name).and_then(Json::as_str).ok_or_else(|| {
        Failure::Harness(format!(
            "{HARNESS} `{name}` must be a string, not {}",
            request
                .get(name)
                .map_or_else(|| "undefined".to_owned(), Json::to_string)
        ))
    })
}

/// A parameter as d1orm binds it, decoded from the protocol's encoding as worker.mjs
/// decodes it, then bound as D1's `bind()` takes the JavaScript value: a boolean as 1 or
/// 0, a number, a string, null, an array of bytes or an ArrayBuffer as a BLOB. A JSON
/// integer is an `i64` (d1orm refuses one beyond ±(2^53 − 1) before sending, where
/// JavaScript would round it); any other number an `f64`.
///
/// # Failure
/// What d1orm cannot express: a BigInt, `undefined`, an object, an array that is not of
/// bytes (0 to 255), an integer beyond `i64`.
fn param(p: &Json) -> Result<Value, Failure> {
    match p {
        Json::Null => Ok(Value::Null),
        Json::Bool(b) => Ok(Value::Integer(i64::from(*b))),
        Json::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => Ok(Value::Integer(i)),
            (None, Some(_), _) => Err(unsupported(p, "an integer beyond i64")),
            (None, None, Some(f)) => Ok(Value::Real(f)),
            (None, None, None) => Err(unsupported(p, "a number that is no f64")),
        },
        Json::String(s) => Ok(Value::Text(s.clone())),
        Json::Array(items) => bytes(items).ok_or_else(|| unsupported(p, "an array not of bytes")),
        Json::Object(o) => {
            if let Some(blob) = o.get("blob") {
                blob.as_array()
                    .and_then(|items| bytes(items))
                    .ok_or_else(|| unsupported(p, "a blob not of bytes"))
            } else if o.contains_key("bigint") {
                Err(unsupported(p, "a BigInt"))
            } else if o.contains_key("undefined") {
                Err(unsupported(p, "undefined"))
            } else {
                // `{"object": {...}}`, or any other object, which worker.mjs binds as it is.
                Err(unsupported(p, "an object"))
            }
        }
    }
}

fn bytes(items: &[Json]) -> Option<Value> {
    items
        .iter()
        .map(|b| b.as_u64().and_then(|b| u8::try_from(b).ok()))
        .collect::<Option<Vec<u8>>>()
        .map(Value::Blob)
}

#[cold]
fn unsupported(p: &Json, what: &str) -> Failure {
    Failure::Harness(format!(
        "{HARNESS} unsupported parameter {p} ({what}): d1orm binds null, integers, reals, \
         text and blobs"
    ))
}

/// The property name JavaScript looks `first(column)` up by: a string as it is, a
/// number, a boolean or null as `String()` writes it.
fn property_key(column: &Json) -> Result<String, Failure> {
    match column {
        Json::String(s) => Ok(s.clone()),
        Json::Null | Json::Bool(_) => Ok(column.to_string()),
        Json::Number(n) if n.is_i64() || n.is_u64() => Ok(n.to_string()),
        other => Err(Failure::Harness(format!(
            "{HARNESS} unsupported column {other}: d1orm names a column by a string"
        ))),
    }
}

/// JavaScript's truthiness of a JSON value.
fn truthy(v: &Json) -> bool {
    match v {
        Json::Null => false,
        Json::Bool(b) => *b,
        Json::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Json::String(s) => !s.is_empty(),
        Json::Array(_) | Json::Object(_) => true,
    }
}

fn to_json<T: serde::Serialize + ?Sized>(value: &T) -> Json {
    // d1orm's results and JSON values always serialize.
    serde_json::to_value(value).unwrap_or_else(|e| Json::String(format!("{HARNESS} {e}")))
}

/// Numbers as `JSON.stringify` writes them: an integral double within ±(2^53 − 1) without
/// a fraction (`2`, not `2.0`), so that answers read as worker.mjs writes them.
fn as_javascript_writes(value: Json) -> Json {
    const MAX_SAFE: f64 = 9_007_199_254_740_991.0;
    match value {
        Json::Number(n) if n.is_f64() => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() <= MAX_SAFE => Json::from(f as i64),
            _ => Json::Number(n),
        },
        Json::Array(items) => Json::Array(items.into_iter().map(as_javascript_writes).collect()),
        Json::Object(map) => Json::Object(
            map.into_iter()
                .map(|(k, v)| (k, as_javascript_writes(v)))
                .collect(),
        ),
        other => other,
    }
}

/// The error object worker.mjs writes for what D1's JavaScript API throws: `message` is
/// D1's text, `name` `Error`, `cause` the message of the error D1 gives as `cause`.
fn error_json(failure: &Failure) -> Json {
    let (message, cause) = match failure {
        Failure::Harness(message) => (message.clone(), Json::Null),
        Failure::D1(e) => {
            let message = e.to_string();
            (message, cause(e))
        }
    };
    let mut map = Map::new();
    map.insert("message".into(), Json::String(message));
    map.insert("name".into(), Json::String("Error".into()));
    map.insert("cause".into(), cause);
    Json::Object(map)
}

/// The cause D1's binding attaches (workerd's `d1-api`): the message without its prefix,
/// except `Column not found` for `D1_COLUMN_NOTFOUND`, `Status N` for the dump's
/// `Status + N`, and none for `D1_SESSION_ERROR`.
fn cause(e: &Error) -> Json {
    let Some(db) = e.as_database() else {
        return Json::Null;
    };
    let text = e.root().to_string();
    let rest = text
        .strip_prefix(db.prefix.as_str())
        .and_then(|r| r.strip_prefix(": "))
        .unwrap_or(&text);
    match db.prefix {
        Prefix::ColumnNotFound => Json::String("Column not found".into()),
        Prefix::SessionError => Json::Null,
        Prefix::DumpError => match rest.strip_prefix("Status + ") {
            Some(status) => Json::String(format!("Status {status}")),
            None => Json::String(rest.to_owned()),
        },
        _ => Json::String(rest.to_owned()),
    }
}

/// Standard base64 with padding, as `btoa` writes it.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    //! The protocol over the reference backend: the same requests the Worker serves.

    use d1orm_sqlite::SqliteBackend;
    use serde_json::json;

    use super::*;

    served_as_d1!(SqliteBackend);

    fn serve(db: &Database<SqliteBackend>, request: Json) -> Json {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let text = runtime.block_on(respond(&request.to_string(), |name| {
            (name == "DB0").then(|| db.clone())
        }));
        serde_json::from_str(&text).unwrap()
    }

    fn db() -> Database<SqliteBackend> {
        Database::new(SqliteBackend::open_in_memory().unwrap())
    }

    #[test]
    fn statements_params_and_results() {
        let db = db();
        let ok = serve(
            &db,
            json!({"db":"DB0","op":"exec","sql":"CREATE TABLE t (a UNIQUE, b)"}),
        );
        assert_eq!(ok["ok"], true, "{ok}");
        assert_eq!(ok["result"]["count"], 1);
        let ins = serve(
            &db,
            json!({"db":"DB0","op":"run","sql":"INSERT INTO t VALUES (?, ?), (?, ?)",
                "params":[9007199254740991i64, {"blob":[0,1,255]}, true, [7]]}),
        );
        assert_eq!(ins["result"]["meta"]["changes"], 2, "{ins}");
        let all = serve(
            &db,
            json!({"db":"DB0","op":"all","sql":"SELECT a, b FROM t"}),
        );
        assert_eq!(
            all["result"]["results"],
            json!([{"a":9007199254740991i64,"b":[0,1,255]},{"a":1,"b":[7]}])
        );
        let raw = serve(
            &db,
            json!({"db":"DB0","op":"raw","columnNames":true,
                "sql":"SELECT 'x' AS b, 'y' AS a, 'z' AS a, 'w' AS \"1\""}),
        );
        assert_eq!(
            raw["result"],
            json!([["b", "a", "a", "1"], ["x", "y", "z", "w"]])
        );
        let first = serve(
            &db,
            json!({"db":"DB0","op":"first","sql":"SELECT 'x' AS b, 'y' AS a, 'z' AS a, 'w' AS \"1\""}),
        );
        let keys: Vec<&String> = first["result"].as_object().unwrap().keys().collect();
        assert_eq!(keys, ["1", "b", "a"]);
        let column = serve(
            &db,
            json!({"db":"DB0","op":"first","sql":"SELECT 2.0 AS n","column":"n"}),
        );
        assert_eq!(column.to_string(), r#"{"ok":true,"result":2}"#);
    }

    #[test]
    fn errors_read_as_worker_mjs_writes_them() {
        let db = db();
        serve(
            &db,
            json!({"db":"DB0","op":"exec","sql":"CREATE TABLE t (a UNIQUE)"}),
        );
        let batch = serve(
            &db,
            json!({"db":"DB0","op":"batch","statements":[
                {"sql":"INSERT INTO t VALUES (1)"},
                {"sql":"INSERT INTO t VALUES (?)","params":[1]}]}),
        );
        assert_eq!(
            batch["error"],
            json!({
                "message": "D1_ERROR: UNIQUE constraint failed: t.a: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_UNIQUE)",
                "name": "Error",
                "cause": "UNIQUE constraint failed: t.a: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_UNIQUE)"
            })
        );
        let count = serve(
            &db,
            json!({"db":"DB0","op":"first","sql":"SELECT count(*) AS n FROM t","column":"n"}),
        );
        assert_eq!(count["result"], 0);
        let missing = serve(
            &db,
            json!({"db":"DB0","op":"first","sql":"SELECT 1 AS n","column":"m"}),
        );
        assert_eq!(
            missing["error"],
            json!({"message":"D1_COLUMN_NOTFOUND: Column not found (m)","name":"Error","cause":"Column not found"})
        );
        for p in [
            json!({"bigint":"10"}),
            json!({"undefined":true}),
            json!({"object":{}}),
        ] {
            let e = serve(
                &db,
                json!({"db":"DB0","op":"all","sql":"SELECT ?","params":[p]}),
            );
            let message = e["error"]["message"].as_str().unwrap();
            assert!(
                message.starts_with("d1orm-worker harness: unsupported parameter"),
                "{message}"
            );
        }
        let e = serve(&db, json!({"db":"DB9","op":"all","sql":"SELECT 1"}));
        assert_eq!(
            e["error"]["message"],
            "local-d1 harness: no D1 binding named \"DB9\""
        );
        let e = serve(&db, json!({"db":"DB0","op":"nope"}));
        assert_eq!(
            e["error"]["message"],
            "local-d1 harness: unknown op \"nope\""
        );
    }

    #[test]
    fn sessions_give_bookmarks_and_stop_at_a_failure() {
        let db = db();
        let s = serve(
            &db,
            json!({"db":"DB0","op":"session","constraint":"first-primary","steps":[
                {"op":"run","sql":"CREATE TABLE t (a)"},
                {"op":"all","sql":"SELECT nope FROM t"},
                {"op":"all","sql":"SELECT 1"}]}),
        );
        let result = &s["result"];
        assert_eq!(result["results"].as_array().unwrap().len(), 2, "{s}");
        assert_eq!(result["results"][1]["ok"], false);
        let bookmarks = result["bookmarks"].as_array().unwrap();
        assert_eq!(bookmarks.len(), 3);
        assert_eq!(bookmarks[0], Json::Null);
        assert!(d1orm::is_bookmark(bookmarks[1].as_str().unwrap()), "{s}");
    }

    #[test]
    fn chains_answer_their_observation() {
        let e = serve(&db(), json!({"db":"DB0","op":"chain","name":"nope"}));
        assert_eq!(
            e["error"]["message"],
            "d1orm-worker harness: unknown chain \"nope\""
        );
        let reads = serve(&db(), json!({"db":"DB0","op":"chain","name":"reads"}));
        assert_eq!(reads["ok"], true, "{reads}");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let direct = runtime.block_on(crate::chains::reads(&db()));
        assert_eq!(reads["result"], as_javascript_writes(direct));
    }

    #[test]
    fn base64_is_btoa() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(&[0xff, 0xfe, 0xfd, 0]), "//79AA==");
    }
}
