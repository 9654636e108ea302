//! d1orm: a typed ORM for Cloudflare D1 and SQLite.
//!
//! The D1 layer mirrors D1's binding API: [`Database::prepare`], [`PreparedStatement::bind`],
//! `all`, `run`, `first`, `raw`, [`Database::batch`], [`Database::exec`],
//! [`Database::dump`] and [`Database::with_session`]. Statements run through a
//! [`Backend`]; `d1orm-sqlite` is the reference backend, with D1's semantics.
//!
//! The examples in these docs run (`cargo test --doc`) on an in-memory `SqliteBackend`.
//! Most use `db`, a database holding a `users` table made by `#[derive(Table)]` on
//! `struct User { id: i64 (primary key, auto-increment), email: String (unique), age: i64,
//! nickname: Option<String>, tags: Vec<String> (JSON), scores: Option<Vec<i64>> (JSON),
//! settings: Option<serde_json::Value> (JSON) }` with two rows: ada (id 1, 36, tagged
//! "rust", nicknamed "countess", scores `[90, 75]`, settings `{"theme": "dark", "lang":
//! "en"}`) and bo (id 2, 17, nothing else). Relation examples use authors, books and
//! bios. Both are in the crate's `docs/` folder.

#![warn(missing_docs)]

mod backend;
mod batch;
mod counted;
mod database;
pub mod de;
mod error;
mod json;
#[doc(hidden)]
pub mod __private {
    //! Not public API.
    pub use crate::private::*;
}
mod private;
mod result;
pub mod schema;
mod send;
mod sinks;
pub mod table;
mod trace;
pub mod types;
mod value;

pub use backend::{
    Backend, BatchEntry, Bookmarked, Columns, DiscardRows, DumpBackend, DynRowSink, ParamValues,
    QueryBackend, Row, RowSink, SessionBackend, SessionConstraint, Sql, Statement, is_bookmark,
};
pub use batch::{
    BatchResult, Decoder, IntoBatch, IntoPending, MAX_SQL_BYTES, Pending, PendingFuture, Tx,
    WithMeta, WriteTarget,
};
pub use counted::Counted;
pub use d1orm_derive::{FromRow, Json, Table, TextEnum};
pub use database::{Database, JsonRow, PreparedStatement, Session};
pub use error::{DatabaseError, DecodeError, Error, Prefix, Result, SqliteCode};
pub use result::{D1Result, ExecResult, Meta, Timings};
pub use schema::{MigrateOptions, Migrated, Schema};
pub use send::{BoxFuture, MaybeSend, MaybeSync};
pub use table::{ColumnInfo, ColumnType, ColumnValue, FromRow, PrimaryKey, Table};
pub use value::{IntoValue, Params, Value, ValueRef};
