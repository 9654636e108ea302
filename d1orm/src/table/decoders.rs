//! What each chain terminal turns its statements' rows into: the [`Decoder`]s behind
//! `many`, `first`, `one`, `distinct`, `count`, `exists` and the writes.

use std::marker::PhantomData;

use smallvec::SmallVec;

use super::projection::{ProjectedRows, Projection};
use super::{ColumnType, Table, WriteResult};
use crate::backend::{Row, RowSink};
use crate::batch::Decoder;
use crate::error::{DecodeError, Error, Result};
use crate::result::Meta;

/// Rows read by a chain, with the statement's meta.
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
pub trait ReadKind<O> {
    /// The result.
    type Output;
    /// Whether the result carries the statement's meta. Defaults to `true`.
    const READS_META: bool = true;

    /// The result from the rows read.
    ///
    /// # Failure
    /// `one()` found no row or several.
    fn finish(rows: SmallVec<[O; 1]>, meta: Meta, table: &'static str) -> Result<Self::Output>;
}

/// `many()`: every row, with the meta.
#[derive(Debug)]
pub enum Many {}
/// `first()`: the first row, if any.
#[derive(Debug)]
pub enum First {}
/// `one()`: exactly one row.
#[derive(Debug)]
pub enum One {}
/// `distinct(..)`: the values.
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

/// `count()` on a table.
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
