//! The backend over a Durable Object's SQLite storage (`ctx.storage.sql`).
//!
//! Local D1 is itself a Durable Object serving D1's query protocol over this storage,
//! so the backend answers that protocol in-process, in a few lines of JavaScript
//! (below): it takes the request body the D1 backend would post and returns D1's
//! answer. Everything after that (values, column order, meta, errors, batches) is the
//! D1 backend's own code ([`engine`], [`wire`]). Storage calls are synchronous, so a
//! call costs no round trip.

use std::fmt;

use d1orm::{
    Backend, BatchEntry, Error, ExecResult, Meta, Prefix, QueryBackend, RowSink, Statement,
};
use wasm_bindgen::JsValue;
use wasm_bindgen::prelude::wasm_bindgen;

use crate::binding::exception;
use crate::engine::{self, Transport};

/// A d1orm backend over a Durable Object's SQLite storage.
///
/// ```ignore
/// #[durable_object]
/// pub struct Counter { db: d1orm::Database<DurableObjectBackend> }
///
/// impl DurableObject for Counter {
///     fn new(state: State, _env: Env) -> Self {
///         Counter { db: d1orm::Database::new(DurableObjectBackend::new(&state.storage())) }
///     }
///     // ...
/// }
/// ```
///
/// The same chains, prepared statements, typed batches and migrations as on D1, with
/// D1's semantics, since local D1 runs on this storage:
/// - each call runs in one storage transaction (`transactionSync`): a statement, a
///   multi-statement text or a batch is applied whole or not at all;
/// - `meta` is computed as D1 computes it over the same storage: `changes` (the
///   difference of `total_changes()`), `last_row_id`, `changed_db`, `size_after`
///   (`databaseSize`), and the cursor's `rows_read` and `rows_written`;
///   `served_by` is `"durable-object"`, and D1's production-only fields are absent;
/// - values and errors as on D1: SQLite's error text under d1orm's D1 categories
///   (`D1_ERROR: UNIQUE constraint failed: ...: SQLITE_CONSTRAINT`), so code written
///   for D1 handles them unchanged; `exec` runs its text line by line, as D1's does.
///
/// D1's own calls are absent by type: there is no `dump` (storage has no such call)
/// and no session (one Durable Object is one consistent database).
#[derive(Clone)]
pub struct DurableObjectBackend {
    storage: JsValue,
}

impl fmt::Debug for DurableObjectBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DurableObjectBackend")
            .finish_non_exhaustive()
    }
}

impl DurableObjectBackend {
    /// The backend over a Durable Object's storage, as workers-rs gives it
    /// (`state.storage()`).
    pub fn new(storage: &worker::Storage) -> Self {
        let storage: &JsValue = storage.as_raw().as_ref();
        Self::from_js(storage.clone())
    }

    /// The backend over the storage's JavaScript object (`ctx.storage`). An object
    /// without SQL storage is reported by every call, as an error.
    pub fn from_js(storage: JsValue) -> Self {
        DurableObjectBackend { storage }
    }

    /// The storage's JavaScript object, for what d1orm has no call for.
    pub fn storage(&self) -> &JsValue {
        &self.storage
    }
}

impl From<worker::Storage> for DurableObjectBackend {
    fn from(storage: worker::Storage) -> Self {
        DurableObjectBackend::new(&storage)
    }
}

/// Hands a request body to the storage, in-process.
struct InProcess<'a>(&'a JsValue);

impl Transport for InProcess<'_> {
    async fn post(&self, body: String) -> d1orm::Result<String> {
        serve(self.0, &body).map_err(exception)
    }
}

impl QueryBackend for DurableObjectBackend {
    async fn query<S: RowSink + Send + ?Sized>(
        &self,
        statement: &Statement,
        sink: &mut S,
    ) -> d1orm::Result<Meta> {
        engine::query(&InProcess(&self.storage), statement, sink).await
    }

    async fn batch(&self, entries: &mut [BatchEntry<'_>]) -> d1orm::Result<Vec<Meta>> {
        engine::batch(&InProcess(&self.storage), entries).await
    }
}

impl Backend for DurableObjectBackend {
    /// D1's `exec`: each line of the trimmed text one statement, all in one
    /// transaction; a failure is `D1_EXEC_ERROR: Error in line 1: <first line>: ...`,
    /// as D1 words it (its service reports only the first error).
    async fn exec(&self, sql: &str) -> d1orm::Result<ExecResult> {
        let answer = exec_lines(&self.storage, sql).map_err(exception)?;
        let answer: serde_json::Value = serde_json::from_str(&answer)
            .map_err(|e| Error::d1(Prefix::ExecError, format!("unreadable answer: {e}")))?;
        if let Some(error) = answer.get("error").and_then(|e| e.as_str()) {
            return Err(Error::Database(d1orm::DatabaseError::parse(&format!(
                "D1_EXEC_ERROR: {error}"
            ))));
        }
        Ok(ExecResult {
            count: answer.get("count").and_then(|c| c.as_u64()).unwrap_or(0),
            duration: answer
                .get("duration")
                .and_then(|d| d.as_f64())
                .unwrap_or(0.0),
        })
    }
}

#[wasm_bindgen(inline_js = r#"
// D1's query protocol answered over a Durable Object's SQL storage. A body is one query
// `{sql, params}` or an array of them (a batch); a BLOB parameter is an array of byte
// values. The answer is D1's text: an array with, per query, `{success, results:
// {columns, rows}, meta}`, or `{success: false, error}` when any query failed, in which
// case the storage transaction rolled every query back.
const onlyComments = (sql) => sql.replace(/^\s*--.*$/gm, "").trim() === "";

function counters(sql) {
  const [changes, rowid] = sql.exec("SELECT total_changes(), last_insert_rowid()").raw().next().value;
  return { changes, rowid };
}

function runOne(storage, query) {
  const sql = storage.sql;
  const sizeBefore = sql.databaseSize;
  const before = counters(sql);
  const params = (query.params ?? []).map((p) => (Array.isArray(p) ? new Uint8Array(p).buffer : p));
  const started = performance.now();
  const cursor = sql.exec(query.sql, ...params);
  const columns = cursor.columnNames;
  const rows = [];
  for (const row of cursor.raw()) {
    rows.push(row.map((v) => (v instanceof ArrayBuffer ? Array.from(new Uint8Array(v)) : v)));
  }
  const duration = performance.now() - started;
  const after = counters(sql);
  const sizeAfter = sql.databaseSize;
  const changes = after.changes - before.changes;
  return {
    success: true,
    results: { columns, rows },
    meta: {
      served_by: "durable-object",
      duration,
      changes,
      last_row_id: after.rowid,
      changed_db: changes !== 0 || after.rowid !== before.rowid || sizeAfter !== sizeBefore,
      size_after: sizeAfter,
      rows_read: cursor.rowsRead,
      rows_written: cursor.rowsWritten,
    },
  };
}

function runAll(storage, queries) {
  queries = queries.filter((q) => !onlyComments(String(q.sql)));
  if (queries.length === 0) throw new Error("No SQL statements detected.");
  return storage.transactionSync(() => queries.map((q) => runOne(storage, q)));
}

const failure = (e) => ({ success: false, error: String(e?.message ?? e) });

export function serve(storage, body) {
  const request = JSON.parse(body);
  try {
    return JSON.stringify(runAll(storage, Array.isArray(request) ? request : [request]));
  } catch (e) {
    return JSON.stringify(failure(e));
  }
}

export function execLines(storage, text) {
  const lines = text.trim().split("\n");
  try {
    const results = runAll(storage, lines.map((sql) => ({ sql })));
    const duration = results.reduce((sum, r) => sum + r.meta.duration, 0);
    return JSON.stringify({ count: results.length, duration });
  } catch (e) {
    return JSON.stringify({ error: `Error in line 1: ${lines[0]}: ${failure(e).error}` });
  }
}
"#)]
extern "C" {
    /// D1's answer to a request body, computed over the storage (see above).
    #[wasm_bindgen(catch)]
    fn serve(storage: &JsValue, body: &str) -> Result<String, JsValue>;

    /// `{count, duration}` or `{error}` for SQL text run as D1's `exec` runs it.
    #[wasm_bindgen(catch, js_name = execLines)]
    fn exec_lines(storage: &JsValue, text: &str) -> Result<String, JsValue>;
}
