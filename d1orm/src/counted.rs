//! Rows read and written, summed over every call: what a D1 bill counts, so a test can
//! assert what a request costs.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::backend::{
    Backend, BatchEntry, Bookmarked, Columns, DumpBackend, QueryBackend, Row, RowSink,
    SessionBackend, SessionConstraint, Statement,
};
use crate::database::Database;
use crate::error::Result;
use crate::result::{ExecResult, Meta};
use crate::send::MaybeSend;

/// A backend whose calls add their `meta.rows_read` and `meta.rows_written` to running
/// totals, on any backend. [`Database::counted`] makes one; [`Database::rows_read`] and
/// [`Database::rows_written`] read the totals. Sessions opened on it add to the same
/// totals, and so do clones of the database.
///
/// Every statement of a batch counts; a call that fails counts nothing (it returns no
/// meta), nor does `exec`, whose result carries no counters.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// use d1orm::{Counted, Database};
/// use d1orm_sqlite::SqliteBackend;
/// let db = Database::new(Counted::new(SqliteBackend::open_in_memory()?));
/// db.exec("CREATE TABLE t (x)\nINSERT INTO t VALUES (1), (2), (3)").await?;
/// db.prepare("SELECT * FROM t").all::<serde_json::Value>().await?;
/// assert_eq!(db.backend().rows_read(), 3);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Counted<B> {
    inner: B,
    totals: Arc<Totals>,
}

#[derive(Debug, Default)]
struct Totals {
    read: AtomicU64,
    written: AtomicU64,
}

impl<B> Counted<B> {
    /// Counts the calls made through `inner`, from zero.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// let counted = d1orm::Counted::new(d1orm_sqlite::SqliteBackend::open_in_memory()?);
    /// assert_eq!((counted.rows_read(), counted.rows_written()), (0, 0));
    /// # Ok(()) }
    /// ```
    pub fn new(inner: B) -> Self {
        Counted {
            inner,
            totals: Arc::default(),
        }
    }

    /// The backend that runs the calls.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// let counted = d1orm::Counted::new(d1orm_sqlite::SqliteBackend::open_in_memory()?);
    /// counted.inner().set_js_safe_integers(true);
    /// # Ok(()) }
    /// ```
    pub fn inner(&self) -> &B {
        &self.inner
    }

    /// Rows read by every call so far.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// let db = d1orm::Database::counted(d1orm_sqlite::SqliteBackend::open_in_memory()?);
    /// db.exec("CREATE TABLE t (x)\nINSERT INTO t VALUES (1), (2)").await?;
    /// db.prepare("SELECT * FROM t").all::<serde_json::Value>().await?;
    /// assert_eq!(db.backend().rows_read(), 2);
    /// # Ok(()) }
    /// ```
    pub fn rows_read(&self) -> u64 {
        self.totals.read.load(Ordering::Relaxed)
    }

    /// Rows written by every call so far.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// let db = d1orm::Database::counted(d1orm_sqlite::SqliteBackend::open_in_memory()?);
    /// db.exec("CREATE TABLE t (x)").await?;
    /// db.prepare("INSERT INTO t VALUES (1), (2)").run().await?;
    /// assert_eq!(db.backend().rows_written(), 2);
    /// # Ok(()) }
    /// ```
    pub fn rows_written(&self) -> u64 {
        self.totals.written.load(Ordering::Relaxed)
    }

    fn add(&self, meta: &Meta) {
        self.totals
            .read
            .fetch_add(meta.rows_read, Ordering::Relaxed);
        self.totals
            .written
            .fetch_add(meta.rows_written, Ordering::Relaxed);
    }
}

/// A sink that asks for the meta whatever its caller reads: a backend may leave the
/// counters out of a meta nobody reads (see [`RowSink::reads_meta`]).
struct ReadsMeta<'a, S: ?Sized>(&'a mut S);

impl<S: RowSink + ?Sized> RowSink for ReadsMeta<'_, S> {
    #[inline]
    fn columns(&mut self, columns: &dyn Columns) -> Result<()> {
        self.0.columns(columns)
    }
    #[inline]
    fn row<R: Row + ?Sized>(&mut self, row: &R) -> Result<()> {
        self.0.row(row)
    }
    fn reads_meta(&self) -> bool {
        true
    }
}

impl<B: QueryBackend> QueryBackend for Counted<B> {
    async fn query<S: RowSink + Send + ?Sized>(
        &self,
        statement: &Statement,
        sink: &mut S,
    ) -> Result<Meta> {
        let meta = self.inner.query(statement, &mut ReadsMeta(sink)).await?;
        self.add(&meta);
        Ok(meta)
    }

    fn query_now<S: RowSink + Send + ?Sized>(
        &self,
        statement: &Statement,
        sink: &mut S,
    ) -> Option<Result<Meta>> {
        let result = self.inner.query_now(statement, &mut ReadsMeta(sink));
        if let Some(Ok(meta)) = &result {
            self.add(meta);
        }
        result
    }

    async fn batch(&self, entries: &mut [BatchEntry<'_>]) -> Result<Vec<Meta>> {
        let metas = self.inner.batch(entries).await?;
        for meta in &metas {
            self.add(meta);
        }
        Ok(metas)
    }
}

impl<B: Backend> Backend for Counted<B> {
    fn exec(&self, sql: &str) -> impl Future<Output = Result<ExecResult>> + MaybeSend {
        self.inner.exec(sql)
    }
}

impl<B: DumpBackend> DumpBackend for Counted<B> {
    fn dump(&self) -> impl Future<Output = Result<Vec<u8>>> + MaybeSend {
        self.inner.dump()
    }
}

impl<B: SessionBackend> SessionBackend for Counted<B> {
    type Session = Counted<B::Session>;

    fn with_session(&self, constraint: &SessionConstraint) -> Result<Self::Session> {
        Ok(Counted {
            inner: self.inner.with_session(constraint)?,
            totals: self.totals.clone(),
        })
    }
}

impl<B: Bookmarked> Bookmarked for Counted<B> {
    fn bookmark(&self) -> Option<String> {
        self.inner.bookmark()
    }
}

impl<B: Backend> Database<Counted<B>> {
    /// A database on `backend` that keeps count of the rows its calls read and write
    /// (see [`Counted`]).
    ///
    /// ```
    /// # async fn demo<B: d1orm::Backend>(backend: B) -> d1orm::Result<()> {
    /// let db = d1orm::Database::counted(backend);
    /// let before = db.rows_read();
    /// db.prepare("SELECT 1").all::<serde_json::Value>().await?;
    /// assert!(db.rows_read() - before <= 3);
    /// # Ok(()) }
    /// ```
    pub fn counted(backend: B) -> Self {
        Database::new(Counted::new(backend))
    }

    /// Rows read by every call made through this database (and its clones and
    /// sessions) so far: the sum of their `meta.rows_read`, as D1 bills them.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// let db = d1orm::Database::counted(d1orm_sqlite::SqliteBackend::open_in_memory()?);
    /// db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY)\nINSERT INTO t VALUES (1), (2), (3)").await?;
    /// let before = db.rows_read();
    /// db.prepare("SELECT * FROM t WHERE id = 2").run().await?;
    /// assert_eq!(db.rows_read() - before, 1);
    /// # Ok(()) }
    /// ```
    pub fn rows_read(&self) -> u64 {
        self.backend().rows_read()
    }

    /// Rows written by every call made through this database (and its clones and
    /// sessions) so far: the sum of their `meta.rows_written`, as D1 bills them.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// let db = d1orm::Database::counted(d1orm_sqlite::SqliteBackend::open_in_memory()?);
    /// db.exec("CREATE TABLE t (x)").await?;
    /// db.prepare("INSERT INTO t VALUES (1)").run().await?;
    /// assert_eq!(db.rows_written(), 1);
    /// # Ok(()) }
    /// ```
    pub fn rows_written(&self) -> u64 {
        self.backend().rows_written()
    }
}
