//! What each chain terminal turns its statements' rows into: the [`Decoder`]s behind
//! `many`, `first`, `one`, `distinct`, `count`, `exists` and the writes.

use std::marker::PhantomData;

use smallvec::SmallVec;

use super::projection::{ProjectedRows, Projection};
use super::{ColumnType, Table, WriteResult};
use crate::backend::{Row, RowSink, Statement};
use crate::batch::Decoder;
use crate::error::{DecodeError, Error, Result};
use crate::result::Meta;

/// Rows read by a chain, with the statement's meta.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// let page = db.users().order_by(|u| u.id.asc()).limit(1).many().await?;
/// assert_eq!((page.rows.len(), page.meta.rows_read), (1, 1));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Rows<T> {
    /// The rows.
    pub rows: Vec<T>,
    /// What the statement did.
    pub meta: Meta,
}

impl<T> std::ops::Deref for Rows<T> {
    type Target = Vec<T>;
    fn deref(&self) -> &Vec<T> {
        &self.rows
    }
}

impl<T> IntoIterator for Rows<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.rows.into_iter()
    }
}

/// How a read turns its rows into its result.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// // many() gives Rows<T>, first() an Option<T>, one() a T, distinct(..) a Vec.
/// let all: Vec<User> = db.users().many().await?.rows;
/// let first: Option<User> = db.users().first().await?;
/// let one: User = db.users().where_(|u| u.id.eq(1)).one().await?;
/// assert_eq!((all.len(), first.map(|u| u.id), one.id), (2, Some(1), 1));
/// # Ok(()) }
/// ```
pub trait ReadKind<O> {
    /// The result.
    type Output;
    /// Whether the result carries the statement's meta. Defaults to `true`.
    const READS_META: bool = true;

    /// The result from the rows read.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// assert!(matches!(db.users().one().await, Err(d1orm::Error::TooMany { table: "users" })));
    /// # Ok(()) }
    /// ```
    ///
    /// # Failure
    /// `one()` found no row or several.
    fn finish(rows: SmallVec<[O; 1]>, meta: Meta, table: &'static str) -> Result<Self::Output>;
}

/// `many()`: every row, with the meta.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// let rows: d1orm::table::decoders::Rows<User> = db.users().many().await?;
/// assert_eq!(rows.rows.len(), 2);
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub enum Many {}
/// `first()`: the first row, if any.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// let first: Option<User> = db.users().where_(|u| u.age.gt(99)).first().await?;
/// assert!(first.is_none());
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub enum First {}
/// `one()`: exactly one row.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// let err = db.users().where_(|u| u.age.gt(99)).one().await.unwrap_err();
/// assert!(matches!(err, d1orm::Error::NotFound { table: "users" }));
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub enum One {}
/// `distinct(..)`: the values.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// let mut ages: Vec<i64> = db.users().distinct(|u| u.age).await?;
/// ages.sort();
/// assert_eq!(ages, [17, 36]);
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub enum Distinct {}

impl<O> ReadKind<O> for Many {
    type Output = Rows<O>;
    fn finish(rows: SmallVec<[O; 1]>, meta: Meta, _table: &'static str) -> Result<Rows<O>> {
        Ok(Rows {
            rows: rows.into_vec(),
            meta,
        })
    }
}

impl<O> ReadKind<O> for First {
    type Output = Option<O>;
    const READS_META: bool = false;
    fn finish(rows: SmallVec<[O; 1]>, _meta: Meta, _table: &'static str) -> Result<Option<O>> {
        Ok(rows.into_iter().next())
    }
}

impl<O> ReadKind<O> for One {
    type Output = O;
    const READS_META: bool = false;
    fn finish(rows: SmallVec<[O; 1]>, _meta: Meta, table: &'static str) -> Result<O> {
        if rows.len() > 1 {
            return Err(Error::TooMany { table });
        }
        rows.into_iter().next().ok_or(Error::NotFound { table })
    }
}

impl<O> ReadKind<O> for Distinct {
    type Output = Vec<O>;
    const READS_META: bool = false;
    fn finish(rows: SmallVec<[O; 1]>, _meta: Meta, _table: &'static str) -> Result<Vec<O>> {
        Ok(rows.into_vec())
    }
}

/// Decodes a read through projection `P` into the result of read kind `K`.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// // The decoder of `many()`, `first()` and `one()`: they can join a batch.
/// let (all, first) = db.batch((db.users().many(), db.users().first())).await?;
/// assert_eq!((all.rows.len(), first.is_some()), (2, true));
/// # Ok(()) }
/// ```
pub struct ReadRows<T, P, K> {
    projection: P,
    _marker: PhantomData<fn() -> (T, K)>,
}

impl<T, P, K> ReadRows<T, P, K> {
    pub(crate) fn new(projection: P) -> Self {
        ReadRows {
            projection,
            _marker: PhantomData,
        }
    }
}

impl<T: Table, P: Projection<T> + Clone + Send, K: ReadKind<P::Output>> Decoder
    for ReadRows<T, P, K>
{
    type Output = K::Output;
    type Sink = ProjectedRows<T, P>;
    fn sink(&self) -> Self::Sink {
        ProjectedRows::new(self.projection.clone())
    }
    fn finish(self, sinks: Vec<Self::Sink>, mut metas: Vec<Meta>) -> Result<K::Output> {
        // Loops rather than `flat_map(..).collect()`: the same rows, with much less code
        // compiled for every projection type.
        let mut rows = SmallVec::new();
        for sink in sinks {
            for row in sink.rows {
                rows.push(row);
            }
        }
        K::finish(rows, metas.pop().unwrap_or_default(), T::NAME)
    }
    fn finish_one(self, sink: Self::Sink, meta: Meta) -> Result<K::Output> {
        K::finish(sink.rows, meta, T::NAME)
    }
    fn reads_meta(&self) -> bool {
        K::READS_META
    }
}

/// The first column of the first row.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// use d1orm::table::count;
/// let n: i64 = db.users().select(|_| count()).one().await?;
/// assert_eq!(n, 2);
/// # Ok(()) }
/// ```
pub struct Scalar<V> {
    value: Option<V>,
    /// The table read and the column's expression, for errors.
    table: &'static str,
    column: &'static str,
}

impl<V> Scalar<V> {
    fn new(table: &'static str, column: &'static str) -> Self {
        Scalar {
            value: None,
            table,
            column,
        }
    }
}

impl<V: ColumnType> RowSink for Scalar<V> {
    fn row<R: Row + ?Sized>(&mut self, row: &R) -> Result<()> {
        if self.value.is_none() {
            self.value = Some(crate::private::decode(row, 0, self.table, self.column)?);
        }
        Ok(())
    }
}

fn scalar<V>(sinks: Vec<Scalar<V>>) -> Result<V> {
    sinks
        .into_iter()
        .find_map(|s| s.value)
        .ok_or_else(|| Error::Decode(DecodeError::new("the query returned no row")))
}

/// The statement that counts the rows `select` reads: `count(*)` as its list, or, for
/// groups or rows within a limit (`subquery`), over it: `SELECT count(*) FROM (..)`.
/// `select` writes the statement with a list and a limit.
pub(crate) fn count_statement(
    subquery: bool,
    limit: Option<u64>,
    select: impl Fn(&dyn Fn(&mut String), Option<u64>) -> Result<Statement>,
) -> Result<Statement> {
    if subquery {
        select(&|sql| sql.push('1'), limit).map(|inner| {
            Statement::with_params(
                format!("SELECT count(*) FROM ({})", &*inner.sql),
                inner.params,
            )
        })
    } else {
        select(&|sql| sql.push_str("count(*)"), None)
    }
}

/// `count()` on a table.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// let (n, meta) = db.users().count().with_meta().await?;
/// assert_eq!((n, meta.rows_read), (2, 2));
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Count {
    table: &'static str,
}

impl Count {
    pub(crate) fn new(table: &'static str) -> Self {
        Count { table }
    }
}

impl Decoder for Count {
    type Output = u64;
    type Sink = Scalar<i64>;
    fn sink(&self) -> Scalar<i64> {
        Scalar::new(self.table, "count(*)")
    }
    fn finish(self, sinks: Vec<Scalar<i64>>, _metas: Vec<Meta>) -> Result<u64> {
        scalar(sinks).map(|n| u64::try_from(n).unwrap_or(0))
    }
    fn reads_meta(&self) -> bool {
        false
    }
}

/// `exists()` on a table.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// let (yes, no) = db.batch((db.users().where_(|u| u.id.eq(1)).exists(), db.users().where_(|u| u.id.eq(9)).exists())).await?;
/// assert_eq!((yes, no), (true, false));
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Exists {
    table: &'static str,
}

impl Exists {
    pub(crate) fn new(table: &'static str) -> Self {
        Exists { table }
    }
}

impl Decoder for Exists {
    type Output = bool;
    type Sink = Scalar<bool>;
    fn sink(&self) -> Scalar<bool> {
        Scalar::new(self.table, "EXISTS")
    }
    fn finish(self, sinks: Vec<Scalar<bool>>, _metas: Vec<Meta>) -> Result<bool> {
        scalar(sinks)
    }
    fn reads_meta(&self) -> bool {
        false
    }
}

/// Decodes a write: the rows `RETURNING` gave through projection `R`, and every
/// statement's meta.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// let w = db.users().returning(|u| u.id).where_(|u| u.age.lt(18)).delete().await?;
/// assert_eq!((w.changes(), w.rows), (1, vec![2]));
/// # Ok(()) }
/// ```
pub struct WriteRows<T, R> {
    returning: R,
    _marker: PhantomData<fn() -> T>,
}

impl<T, R> WriteRows<T, R> {
    pub(crate) fn new(returning: R) -> Self {
        WriteRows {
            returning,
            _marker: PhantomData,
        }
    }
}

impl<T: Table, R: Projection<T> + Clone + Send> Decoder for WriteRows<T, R> {
    type Output = WriteResult<R::Output>;
    type Sink = ProjectedRows<T, R>;
    fn sink(&self) -> Self::Sink {
        ProjectedRows::new(self.returning.clone())
    }
    fn finish(self, sinks: Vec<Self::Sink>, metas: Vec<Meta>) -> Result<Self::Output> {
        // A loop rather than `flat_map(..).collect()`, as in `ReadRows::finish`.
        let mut rows = Vec::new();
        for sink in sinks {
            for row in sink.rows {
                rows.push(row);
            }
        }
        Ok(WriteResult { rows, metas })
    }
    fn finish_one(self, sink: Self::Sink, meta: Meta) -> Result<Self::Output> {
        Ok(WriteResult {
            rows: sink.rows.into_vec(),
            metas: vec![meta],
        })
    }
}
