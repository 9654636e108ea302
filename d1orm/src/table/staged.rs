//! Reads named on a staged batch's chains (`tx.users().first()` inside
//! `db.batch(|tx| ...)`): they exist only to say, in words, why they cannot run there.
//! The real reads need a backend (`B: QueryBackend`), which `Tx` is not; without these,
//! the compiler's only message is that `Tx` is not a `QueryBackend`.

use std::convert::Infallible;

use super::query::Query;
use super::{PrimaryKey, Table};
use crate::batch::Tx;

/// What a read would need inside a staged batch, and can never have.
///
/// ```compile_fail
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # async fn staged(db: d1orm::Database<d1orm_sqlite::SqliteBackend>) -> d1orm::Result<()> {
/// db.staged(|tx| { tx.users().count(); }).await?;
/// # Ok(()) }
/// ```
#[diagnostic::on_unimplemented(
    message = "reads do not run inside a staged batch",
    label = "`db.batch(|tx| ...)` stages writes only",
    note = "the callback stages writes that run together when it returns, so nothing it reads could inform them: read before or after the batch, or put reads and writes in a tuple batch, `db.batch((db.users().first(), db.users().insert(..)))`, whose results are typed as if awaited alone"
)]
pub trait ReadInStagedBatch {
    /// Never called: no type implements the trait.
    ///
    /// ```compile_fail
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # async fn staged(db: d1orm::Database<d1orm_sqlite::SqliteBackend>) -> d1orm::Result<()> {
    /// db.staged(|tx| { tx.users().exists(); }).await?;
    /// # Ok(()) }
    /// ```
    fn refused(&self) -> Infallible;
}

// Not an overlap with the reads of `Query<B: QueryBackend, ..>`: `Tx` is no backend.
impl<T: Table, F, S, R> Query<'_, Tx, T, F, S, R> {
    /// Does not compile: reads do not run inside a staged batch.
    ///
    /// ```compile_fail
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # async fn staged(db: d1orm::Database<d1orm_sqlite::SqliteBackend>) -> d1orm::Result<()> {
    /// db.staged(|tx| { tx.users().many(); }).await?;
    /// # Ok(()) }
    /// ```
    pub fn many(&self) -> Infallible
    where
        Self: ReadInStagedBatch,
    {
        self.refused()
    }
    /// Does not compile: reads do not run inside a staged batch.
    ///
    /// ```compile_fail
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # async fn staged(db: d1orm::Database<d1orm_sqlite::SqliteBackend>) -> d1orm::Result<()> {
    /// db.staged(|tx| { tx.users().first(); }).await?;
    /// # Ok(()) }
    /// ```
    pub fn first(&self) -> Infallible
    where
        Self: ReadInStagedBatch,
    {
        self.refused()
    }
    /// Does not compile: reads do not run inside a staged batch.
    ///
    /// ```compile_fail
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # async fn staged(db: d1orm::Database<d1orm_sqlite::SqliteBackend>) -> d1orm::Result<()> {
    /// db.staged(|tx| { tx.users().one(); }).await?;
    /// # Ok(()) }
    /// ```
    pub fn one(&self) -> Infallible
    where
        Self: ReadInStagedBatch,
    {
        self.refused()
    }
    /// Does not compile: reads do not run inside a staged batch.
    ///
    /// ```compile_fail
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # async fn staged(db: d1orm::Database<d1orm_sqlite::SqliteBackend>) -> d1orm::Result<()> {
    /// db.staged(|tx| { tx.users().count(); }).await?;
    /// # Ok(()) }
    /// ```
    pub fn count(&self) -> Infallible
    where
        Self: ReadInStagedBatch,
    {
        self.refused()
    }
    /// Does not compile: reads do not run inside a staged batch.
    ///
    /// ```compile_fail
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # async fn staged(db: d1orm::Database<d1orm_sqlite::SqliteBackend>) -> d1orm::Result<()> {
    /// db.staged(|tx| { tx.users().exists(); }).await?;
    /// # Ok(()) }
    /// ```
    pub fn exists(&self) -> Infallible
    where
        Self: ReadInStagedBatch,
    {
        self.refused()
    }
    /// Does not compile: reads do not run inside a staged batch.
    ///
    /// ```compile_fail
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # async fn staged(db: d1orm::Database<d1orm_sqlite::SqliteBackend>) -> d1orm::Result<()> {
    /// db.staged(|tx| { tx.users().find(1); }).await?;
    /// # Ok(()) }
    /// ```
    pub fn find(&self, _key: T::Key) -> Infallible
    where
        T: PrimaryKey,
        Self: ReadInStagedBatch,
    {
        self.refused()
    }
}
