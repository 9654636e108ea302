//! The backend over a Worker's D1 binding (the JavaScript object), reached through
//! `js_sys` so that nothing can throw past it or abort the Worker.

use std::fmt;

use d1orm::{
    Backend, BatchEntry, Bookmarked, DumpBackend, Error, ExecResult, Meta, Prefix, QueryBackend,
    RowSink, SessionBackend, SessionConstraint, Statement,
};
use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::engine::{self, Transport};
use crate::wire;

/// A d1orm backend over a Worker's D1 binding.
///
/// ```ignore
/// let db = d1orm::Database::new(d1orm_worker::D1Backend::new(env.d1("DB")?));
/// ```
///
/// Statements and batches go to D1 as the binding sends them, in one round trip each,
/// and come back with their columns in SQL order and every meta field D1 returns (see
/// the crate's documentation). Each call takes the binding's own route, served by the
/// primary, as its `prepare(...)` and `batch(...)` are. Cheap to clone: clones share
/// the binding.
#[derive(Clone)]
pub struct D1Backend {
    db: JsValue,
    /// The binding's own route (its always-primary session), when it could be reached;
    /// otherwise each call opens a `"first-primary"` session.
    primary: Option<Fetch>,
}

impl fmt::Debug for D1Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("D1Backend").finish_non_exhaustive()
    }
}

impl D1Backend {
    /// The backend over a binding, as workers-rs gives it (`env.d1("DB")?`).
    pub fn new(db: worker::D1Database) -> Self {
        Self::from_js(db.into())
    }

    /// The backend over the binding's JavaScript object (`env.DB`). A binding that is
    /// not workerd's D1 binding is reported by every call, as a `D1_ERROR`.
    pub fn from_js(db: JsValue) -> Self {
        let primary = primary_session(&db)
            .ok()
            .filter(|s| !s.is_null() && !s.is_undefined())
            .and_then(|session| Fetch::of(session).ok());
        D1Backend { db, primary }
    }

    /// The binding's JavaScript object, for what d1orm has no call for.
    pub fn binding(&self) -> &JsValue {
        &self.db
    }

    /// A new JavaScript session (`db.withSession(constraint)`) and its fetch.
    fn open(&self, constraint: &str) -> d1orm::Result<Fetch> {
        let session = method(&self.db, "withSession")?
            .call1(&self.db, &JsValue::from_str(constraint))
            .map_err(exception)?;
        Fetch::of(session)
    }
}

impl From<worker::D1Database> for D1Backend {
    fn from(db: worker::D1Database) -> Self {
        D1Backend::new(db)
    }
}

/// Each call goes the binding's own way: through its always-primary session, which
/// sends no session header. When that session cannot be reached (see
/// [`primary_session`]), through a new session that starts at the primary; local D1
/// then records a bookmark on every call, an internal write that moves `last_row_id`
/// and `size_after` as the binding's own calls do not.
impl QueryBackend for D1Backend {
    async fn query<S: RowSink + Send + ?Sized>(
        &self,
        statement: &Statement,
        sink: &mut S,
    ) -> d1orm::Result<Meta> {
        match &self.primary {
            Some(fetch) => engine::query(fetch, statement, sink).await,
            None => engine::query(&self.open(PRIMARY)?, statement, sink).await,
        }
    }

    async fn batch(&self, entries: &mut [BatchEntry<'_>]) -> d1orm::Result<Vec<Meta>> {
        match &self.primary {
            Some(fetch) => engine::batch(fetch, entries).await,
            None => engine::batch(&self.open(PRIMARY)?, entries).await,
        }
    }
}

/// The session constraint that sends a call to the primary.
const PRIMARY: &str = "first-primary";

#[wasm_bindgen(inline_js = r#"
// The binding's always-primary session: the private route of `db.prepare(...)`,
// `db.batch(...)` and `db.dump()`, whose fetch sends no session header (a session
// opened with withSession() always sends one, and local D1 answers it by recording a
// bookmark, a write). `db.dump()` calls that session's `_wrappedFetch` synchronously;
// for the length of that call only, the method of the sessions' prototype is replaced
// by one that notes its `this` and rejects, so nothing is sent, then restored before
// any other code can run. null when the binding does not work that way.
export function primarySession(db) {
  let probe;
  try {
    probe = db.withSession("first-primary");
  } catch {
    return null;
  }
  const proto = probe === null || typeof probe !== "object" ? null : Object.getPrototypeOf(probe);
  const original = proto && Object.getOwnPropertyDescriptor(proto, "_wrappedFetch");
  if (!original || typeof original.value !== "function") return null;
  let seen = null;
  const stop = new Error("d1orm-worker: the binding's own session, found");
  let pending;
  try {
    Object.defineProperty(proto, "_wrappedFetch", {
      ...original,
      value: function () {
        seen = this;
        throw stop;
      },
    });
    pending = db.dump();
  } catch {
    // A binding without dump(), or one that threw at once: nothing found.
  } finally {
    try {
      Object.defineProperty(proto, "_wrappedFetch", original);
    } catch {}
  }
  Promise.resolve(pending).catch(() => {});
  if (seen === null || seen === probe || typeof seen !== "object") return null;
  if (typeof seen.getBookmark !== "function" || seen.getBookmark() !== null) return null;
  return seen;
}
"#)]
extern "C" {
    /// The binding's always-primary session, or null (see the JavaScript above).
    #[wasm_bindgen(catch, js_name = primarySession)]
    fn primary_session(db: &JsValue) -> Result<JsValue, JsValue>;
}

impl Backend for D1Backend {
    /// D1's `exec`: the binding's own.
    async fn exec(&self, sql: &str) -> d1orm::Result<ExecResult> {
        let result = call_async(&self.db, "exec", &Array::of1(&JsValue::from_str(sql))).await?;
        let number = |name: &str| {
            Reflect::get(&result, &JsValue::from_str(name))
                .ok()
                .and_then(|v| v.as_f64())
                .unwrap_or_default()
        };
        Ok(ExecResult {
            count: number("count") as u64,
            duration: number("duration"),
        })
    }
}

impl DumpBackend for D1Backend {
    /// D1's `dump`: the binding's own (D1 refuses it on current databases, with
    /// `D1_DUMP_ERROR`).
    async fn dump(&self) -> d1orm::Result<Vec<u8>> {
        let data = call_async(&self.db, "dump", &Array::new()).await?;
        if data.is_instance_of::<js_sys::ArrayBuffer>() || data.is_instance_of::<Uint8Array>() {
            Ok(Uint8Array::new(&data).to_vec())
        } else {
            Err(Error::d1(
                Prefix::DumpError,
                "the binding's dump() gave no ArrayBuffer",
            ))
        }
    }
}

impl SessionBackend for D1Backend {
    type Session = D1Session;

    /// D1's `withSession(constraint)`.
    fn with_session(&self, constraint: &SessionConstraint) -> d1orm::Result<D1Session> {
        let constraint = match constraint {
            SessionConstraint::FirstUnconstrained => "first-unconstrained",
            SessionConstraint::FirstPrimary => "first-primary",
            SessionConstraint::Bookmark(bookmark) => bookmark.as_str(),
        };
        Ok(D1Session {
            fetch: self.open(constraint)?,
        })
    }
}

/// A D1 session (`db.withSession(...)`): its statements see every write it has seen.
/// It runs statements and batches; D1 sessions have no `exec` or `dump`. Its bookmark
/// is the JavaScript session's, which D1 keeps up to date.
#[derive(Clone)]
pub struct D1Session {
    fetch: Fetch,
}

impl fmt::Debug for D1Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("D1Session")
            .field("bookmark", &self.bookmark())
            .finish_non_exhaustive()
    }
}

impl D1Session {
    /// The session's JavaScript object.
    pub fn session(&self) -> &JsValue {
        &self.fetch.session
    }
}

impl QueryBackend for D1Session {
    async fn query<S: RowSink + Send + ?Sized>(
        &self,
        statement: &Statement,
        sink: &mut S,
    ) -> d1orm::Result<Meta> {
        engine::query(&self.fetch, statement, sink).await
    }

    async fn batch(&self, entries: &mut [BatchEntry<'_>]) -> d1orm::Result<Vec<Meta>> {
        engine::batch(&self.fetch, entries).await
    }
}

impl Bookmarked for D1Session {
    /// D1's `getBookmark()`.
    fn bookmark(&self) -> Option<String> {
        let session = &self.fetch.session;
        method(session, "getBookmark")
            .ok()?
            .call0(session)
            .ok()?
            .as_string()
    }
}

/// A JavaScript session and its `_wrappedFetch`: the binding's fetch to D1, which
/// sends the session's constraint or bookmark and keeps the bookmark of each answer.
#[derive(Clone)]
struct Fetch {
    session: JsValue,
    function: Function,
}

impl Fetch {
    fn of(session: JsValue) -> d1orm::Result<Fetch> {
        let function = method(&session, "_wrappedFetch").map_err(|_| {
            Error::d1(
                Prefix::Error,
                "this D1 binding's sessions have no `_wrappedFetch`, through which d1orm-worker \
                 sends its queries: not workerd's D1 binding, or a version that hides it",
            )
        })?;
        Ok(Fetch { session, function })
    }
}

impl Transport for Fetch {
    async fn post(&self, body: String) -> d1orm::Result<String> {
        let init = Object::new();
        let headers = Object::new();
        set(
            &headers,
            "content-type",
            &JsValue::from_str("application/json"),
        )?;
        set(&init, "method", &JsValue::from_str("POST"))?;
        set(&init, "headers", &headers)?;
        set(&init, "body", &JsValue::from(body))?;
        let response = self
            .function
            .call2(&self.session, &JsValue::from_str(wire::QUERY_URL), &init)
            .map_err(exception)?;
        let response = settle(response).await?;
        let text = call_async(&response, "text", &Array::new()).await?;
        text.as_string()
            .ok_or_else(|| Error::d1(Prefix::Error, "D1's answer has no text"))
    }
}

/// The function `this[name]`.
fn method(this: &JsValue, name: &str) -> d1orm::Result<Function> {
    if this.is_undefined() || this.is_null() {
        return Err(missing(name));
    }
    Reflect::get(this, &JsValue::from_str(name))
        .map_err(exception)?
        .dyn_into::<Function>()
        .map_err(|_| missing(name))
}

#[cold]
fn missing(name: &str) -> Error {
    Error::d1(
        Prefix::Error,
        format!("`{name}` is not a function of the D1 binding's object"),
    )
}

fn set(object: &Object, key: &str, value: &JsValue) -> d1orm::Result<()> {
    Reflect::set(object, &JsValue::from_str(key), value)
        .map(drop)
        .map_err(exception)
}

/// Calls `this[name](...args)` and awaits what it returns; an exception thrown or a
/// promise rejected is an error.
async fn call_async(this: &JsValue, name: &str, args: &Array) -> d1orm::Result<JsValue> {
    let value = method(this, name)?.apply(this, args).map_err(exception)?;
    settle(value).await
}

/// The value a promise resolves to (a value that is no promise, as is).
async fn settle(value: JsValue) -> d1orm::Result<JsValue> {
    JsFuture::from(Promise::resolve(&value))
        .await
        .map_err(exception)
}

/// The error of a JavaScript exception: its `message`, D1's text when D1 threw it.
pub(crate) fn exception(thrown: JsValue) -> Error {
    let message = Reflect::get(&thrown, &JsValue::from_str("message"))
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| thrown.as_string())
        .unwrap_or_else(|| format!("{thrown:?}"));
    wire::exception(&message)
}
