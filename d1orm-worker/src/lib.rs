//! d1orm inside a Cloudflare Worker (wasm32, workers-rs): [`D1Backend`], a backend over
//! the Worker's D1 binding, [`D1Session`], its D1 sessions, and
//! [`DurableObjectBackend`], a backend over a Durable Object's SQLite storage.
//!
//! ```ignore
//! use d1orm::Database;
//! use d1orm_worker::D1Backend;
//! use worker::{Env, Request, Response, Result, event};
//!
//! #[event(fetch)]
//! async fn fetch(_req: Request, env: Env, _ctx: worker::Context) -> Result<Response> {
//!     let db = Database::new(D1Backend::new(env.d1("DB")?));
//!     let names: Vec<(i64, String)> = db.prepare("SELECT id, name FROM users").raw().await
//!         .map_err(|e| worker::Error::RustError(e.to_string()))?;
//!     Response::from_json(&names)
//! }
//! ```
//!
//! # How it reaches D1
//!
//! D1's binding (workerd's `cloudflare-internal:d1-api`) sends every query as a `POST`
//! of JSON to the D1 service (`http://d1/query?resultsFormat=ROWS_AND_COLUMNS`), whose
//! answer holds, for each statement, the column names, the rows as arrays and the meta.
//! The binding then reshapes rows into objects (which reorders integer-like names and
//! collapses duplicates) or, in `raw()`, drops the meta. This backend posts the same
//! request through the binding's own fetch (a session's `_wrappedFetch`, which sends
//! the session's constraint or bookmark and keeps the bookmark of the answer) and reads
//! the answer itself: one round trip gives columns in SQL order (duplicates kept, named
//! even when there is no row), rows, and every meta field D1 returns. A batch is one
//! such request, one D1 transaction.
//!
//! [`D1Backend`] posts through the database's own route, the binding's always-primary
//! session (served by the primary, as `prepare(...)` and `batch(...)` are, with no
//! session header). That session is a private field of the binding's object: it is
//! found once, when the backend is made, by noting which object `db.dump()` calls
//! `_wrappedFetch` on while nothing is sent. A binding where that fails is served
//! through a new `"first-primary"` session for each call, which local D1 answers by
//! recording a bookmark (an internal write, which moves `last_row_id` and `size_after`
//! where the binding's own calls would not). A [`D1Session`] posts through its one
//! JavaScript session, so its [`bookmark`](d1orm::Bookmarked::bookmark) is D1's
//! `getBookmark()`. `exec` and `dump` call the binding's.
//!
//! # Values
//!
//! - An `i64` within ±(2^53 − 1) is sent as a number; beyond, the call fails with a
//!   `D1_TYPE_ERROR` before anything is sent (JavaScript would round it). A NaN or
//!   infinite float is refused the same way.
//! - A BLOB is sent as an array of byte values, which D1 stores as a BLOB, and read
//!   back as [`ValueRef::Blob`](d1orm::ValueRef::Blob).
//! - D1 hands every number over as a double: an integral one within ±(2^53 − 1) reads
//!   as [`ValueRef::Integer`](d1orm::ValueRef::Integer), anything else as
//!   [`ValueRef::Real`](d1orm::ValueRef::Real), so a double that may be a rounded
//!   integer (9007199254740993 arrives as 9007199254740992) is a decode error when read
//!   into an integer, never a different integer.
//!
//! # Errors
//!
//! Every error carries D1's own text, read back into prefix, message, offset and SQLite
//! codes ([`DatabaseError::parse`](d1orm::DatabaseError::parse)), so `Display` and
//! `is_unique_violation()` read as on the reference backend. Nothing panics: SQL the
//! binding would throw on, a value it would refuse, an exception of the runtime, are
//! all errors.
//!
//! On targets other than wasm32 the crate holds only its wire-format logic, tested
//! natively.

#![warn(missing_docs)]
// The wire format and the engine serve the Worker side, built on wasm32 only; natively
// they are compiled for their tests.
#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]

mod engine;
mod wire;

#[cfg(target_arch = "wasm32")]
mod binding;
#[cfg(target_arch = "wasm32")]
mod durable;

#[cfg(target_arch = "wasm32")]
pub use binding::{D1Backend, D1Session};
#[cfg(target_arch = "wasm32")]
pub use durable::DurableObjectBackend;
