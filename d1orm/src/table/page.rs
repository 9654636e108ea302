//! Pagination: keyset pages after a cursor on a unique ordering
//! ([`Query::keyset`]), and offset pages with the total count in one round trip
//! ([`Query::page`]).
//!
//! ```
//! use d1orm::{Backend, Database, Table};
//!
//! #[derive(Debug, Table)]
//! struct Note {
//!     #[d1orm(primary_key, auto_increment)]
//!     id: i64,
//!     org_id: i64,
//!     created_at: String,
//! }
//!
//! async fn pages<B: Backend>(db: &Database<B>, org: i64, cursor: Option<(String, i64)>) -> d1orm::Result<()> {
//!     // Newest first, 20 at a time; `cursor` is the last row's (created_at, id), or None.
//!     let notes = db
//!         .notes()
//!         .where_(|n| n.org_id.eq(org))
//!         .keyset(|n| (n.created_at, n.id))
//!         .desc()
//!         .after(cursor)
//!         .limit(20)
//!         .many()
//!         .await?;
//!     let next = notes.last().map(|n| (n.created_at.clone(), n.id));
//!
//!     // Page 3 of 20 rows and the total: one batch of two statements.
//!     let page = db.notes().where_(|n| n.org_id.eq(org)).order_by(|n| n.id.asc()).page(3, 20).await?;
//!     println!("{} of {} notes, {} pages", page.rows.len(), page.total, page.pages());
//!     # let _ = next;
//!     Ok(())
//! }
//! ```

use std::cell::Cell;
use std::marker::PhantomData;

use serde::Serialize;
use smallvec::smallvec;

use super::column::{Column, Order};
use super::column_type::ColumnType;
use super::condition::{Condition, Fragment};
use super::projection::{ProjectedRows, Projection};
use super::query::Query;
use super::{Table, UniqueKey};
use crate::backend::{QueryBackend, Row, RowSink};
use crate::batch::{Decoder, Pending, within_budget};
use crate::error::{DecodeError, Error, Prefix, Result};
use crate::result::Meta;
use crate::value::Value;

/// A column that can be part of a keyset: its value type and its name.
pub trait KeyColumn<T> {
    /// The column's Rust type: what the cursor holds for it.
    type Value: ColumnType;
    /// The quoted column name.
    #[doc(hidden)]
    fn quoted_name(&self) -> &'static str;
    /// The column name, for errors.
    #[doc(hidden)]
    fn column_name(&self) -> &'static str;
}

impl<T, V: ColumnType, const I: usize> KeyColumn<T> for Column<T, V, I> {
    type Value = V;
    fn quoted_name(&self) -> &'static str {
        self.quoted()
    }
    fn column_name(&self) -> &'static str {
        self.name()
    }
}

/// An ordering of table `T` in which no two rows are equal, so that "the rows after this
/// one" is well defined: the primary key or a UNIQUE column alone, or a tuple of
/// columns ending in one (`(created_at, id)`). Checked at compile time: a column that is
/// not a key alone does not compile, since rows sharing its value would be skipped or
/// repeated from one page to the next.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a unique ordering of `{T}`",
    label = "keyset pagination needs an ordering no two rows share",
    note = "order by the primary key or a `#[d1orm(unique)]` column, or by a tuple of columns ending in one: `|n| (n.created_at, n.id)`"
)]
pub trait UniqueOrder<T> {
    /// The cursor: the values of the keys of the row to start after (a tuple for
    /// several keys).
    type Cursor;
    /// The key columns, most significant first: (quoted name, name, nullable).
    #[doc(hidden)]
    fn keys(&self) -> Vec<(&'static str, &'static str, bool)>;
    /// The cursor's values, in key order.
    #[doc(hidden)]
    fn cursor_values(cursor: Self::Cursor) -> Vec<Result<Value>>;
}

fn key_of<T, C: KeyColumn<T>>(column: &C) -> (&'static str, &'static str, bool) {
    (
        column.quoted_name(),
        column.column_name(),
        <C::Value as ColumnType>::NULLABLE,
    )
}

impl<T, V: ColumnType, const I: usize> UniqueOrder<T> for Column<T, V, I>
where
    Column<T, V, I>: UniqueKey<T>,
{
    type Cursor = V;
    fn keys(&self) -> Vec<(&'static str, &'static str, bool)> {
        vec![key_of(self)]
    }
    fn cursor_values(cursor: V) -> Vec<Result<Value>> {
        vec![cursor.into_bound_value()]
    }
}

macro_rules! unique_order_tuple {
    ($($name:ident $index:tt),+; $last:ident $last_index:tt) => {
        /// Leading columns of any kind, then a unique one.
        impl<T, $($name: KeyColumn<T>,)+ $last: KeyColumn<T> + UniqueKey<T>> UniqueOrder<T>
            for ($($name,)+ $last)
        {
            type Cursor = ($($name::Value,)+ $last::Value);
            fn keys(&self) -> Vec<(&'static str, &'static str, bool)> {
                vec![$(key_of(&self.$index),)+ key_of(&self.$last_index)]
            }
            #[allow(non_snake_case)]
            fn cursor_values(cursor: Self::Cursor) -> Vec<Result<Value>> {
                vec![$(cursor.$index.into_bound_value(),)+ cursor.$last_index.into_bound_value()]
            }
        }
    };
}
unique_order_tuple!(A 0; K 1);
unique_order_tuple!(A 0, B 1; K 2);
unique_order_tuple!(A 0, B 1, C 2; K 3);

/// A chain ordered by a unique ordering, waiting for its cursor: see
/// [`Query::keyset`].
#[must_use = "a keyset needs `.after(cursor)` (None for the first page)"]
pub struct Keyset<'db, B, T, K, F, S, R> {
    query: Query<'db, B, T, F, S, R>,
    keys: K,
    descending: bool,
    _marker: PhantomData<fn() -> T>,
}

impl<'db, B, T, K, F, S, R> std::fmt::Debug for Keyset<'db, B, T, K, F, S, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keyset")
            .field("query", &self.query)
            .field("descending", &self.descending)
            .finish_non_exhaustive()
    }
}

impl<'db, B, T: Table, F, S: Projection<T> + Clone, R: Projection<T> + Clone>
    Query<'db, B, T, F, S, R>
{
    /// Keyset pagination: orders the rows by `keys`, a unique ordering (the primary key
    /// or a UNIQUE column, or a tuple of columns ending in one, checked at compile
    /// time), ascending unless [`desc`](Keyset::desc) follows; then
    /// [`after`](Keyset::after) keeps the rows past a cursor, and `limit` sizes the
    /// page. Unlike an offset, a page costs the rows it returns, whatever its depth,
    /// and rows written between two requests neither repeat nor go missing.
    ///
    /// The chain orders by these keys alone: one already ordered is an error when it
    /// runs. A nullable key is an error too (NULL compares with nothing, so its rows
    /// would be skipped).
    pub fn keyset<K: UniqueOrder<T>>(
        &self,
        keys: impl FnOnce(&T::Columns) -> K,
    ) -> Keyset<'db, B, T, K, F, S, R> {
        Keyset {
            query: self.clone(),
            keys: keys(&T::columns()),
            descending: false,
            _marker: PhantomData,
        }
    }
}

impl<'db, B, T: Table, K: UniqueOrder<T>, F, S: Projection<T> + Clone, R: Projection<T> + Clone>
    Keyset<'db, B, T, K, F, S, R>
{
    /// Ascending order on every key (the default): `after` gives greater keys.
    pub fn asc(mut self) -> Self {
        self.descending = false;
        self
    }

    /// Descending order on every key (newest first): `after` gives smaller keys.
    pub fn desc(mut self) -> Self {
        self.descending = true;
        self
    }

    /// The chain ordered by the keys, keeping the rows after `cursor` (the keys of the
    /// last row of the previous page; `None` for the first page): `WHERE ("a", "b") >
    /// (?, ?) ORDER BY "a", "b"`, with `<` and `DESC` for a descending keyset. The
    /// chain stays filtered or not as it was: a cursor is not a `where_`.
    pub fn after(&self, cursor: impl Into<Option<K::Cursor>>) -> Query<'db, B, T, F, S, R> {
        let keys = self.keys.keys();
        let direction = if self.descending { "DESC" } else { "ASC" };
        let problem = if self.query.is_ordered() {
            Some(keyset_error::<T>(
                keys[0].1,
                "the chain is already ordered; a keyset orders by its keys alone",
            ))
        } else {
            keys.iter().find(|k| k.2).map(|k| {
                keyset_error::<T>(
                    k.1,
                    "the column is nullable, and NULL keys would be skipped",
                )
            })
        };
        let query = self.query.order_by(|_| {
            let mut order: Vec<Order<T>> = keys
                .iter()
                .map(|k| Order::new(k.0.to_owned(), direction))
                .collect();
            if let Some(e) = &problem {
                order[0] = Order::new(keys[0].0.to_owned(), direction).with_error(Err(e.clone()));
            }
            order
        });
        let Some(cursor) = cursor.into() else {
            return query;
        };
        query.where_opt(|_| {
            let mut f = Fragment::raw(String::new());
            let sql = f.sql.to_mut();
            let (open, close) = if keys.len() > 1 { ("(", ")") } else { ("", "") };
            sql.push_str(open);
            sql.push_str(&keys.iter().map(|k| k.0).collect::<Vec<_>>().join(", "));
            sql.push_str(close);
            sql.push_str(if self.descending { " < " } else { " > " });
            sql.push_str(open);
            sql.push_str(&vec!["?"; keys.len()].join(", "));
            sql.push_str(close);
            for value in K::cursor_values(cursor) {
                match value {
                    Ok(v) => f.params.push(v),
                    Err(e) => {
                        f.error.get_or_insert_with(|| Box::new(e));
                    }
                }
            }
            Some(Condition::from_fragment(f))
        })
    }
}

#[cold]
fn keyset_error<T: Table>(column: &str, why: &str) -> Error {
    Error::d1(
        Prefix::Error,
        format!("keyset pagination on {}.{column}: {why}", T::NAME),
    )
}

/// One page of an offset pagination, with the total: what [`Query::page`] gives.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Page<O> {
    /// The page's rows.
    pub rows: Vec<O>,
    /// How many rows the chain matches over all pages (groups, on a grouped chain).
    pub total: u64,
    /// The page's number, from 1.
    pub number: u64,
    /// The most rows a page holds.
    pub size: u64,
}

impl<O> Page<O> {
    /// How many pages the rows fill (0 when there is no row).
    pub fn pages(&self) -> u64 {
        self.total.div_ceil(self.size)
    }

    /// Whether a page follows this one.
    pub fn has_next(&self) -> bool {
        self.number < self.pages()
    }
}

/// Reads: offset pages.
impl<'db, B: QueryBackend, T: Table, F, S: Projection<T> + Clone + Send, R: Projection<T> + Clone>
    Query<'db, B, T, F, S, R>
{
    /// Page `number` (from 1) of `size` rows, with the total number of matching rows,
    /// in one round trip: an atomic batch of two statements, the page (`LIMIT size
    /// OFFSET (number - 1) * size`, replacing the chain's own limit and offset) and its
    /// `count(*)`, which therefore agree. Order the chain (`order_by`) for pages to be
    /// stable.
    ///
    /// # Failure
    /// Page 0, a size of 0, or an offset past `u64`: an error before anything is sent;
    /// as [`many`](Self::many) otherwise.
    pub fn page(&self, number: u64, size: u64) -> Pending<'db, B, PageRows<T, S>> {
        let decoder = PageRows {
            projection: self.projection().clone(),
            number,
            size,
            handed: Cell::new(0),
            _marker: PhantomData,
        };
        let offset = match (number, size) {
            (0, _) => Err("pages are numbered from 1"),
            (_, 0) => Err("a page holds at least one row"),
            _ => (number - 1)
                .checked_mul(size)
                .ok_or("the page's offset is past 2^64"),
        };
        let statements = offset
            .map_err(|why| {
                Error::d1(
                    Prefix::Error,
                    format!("page {number} of size {size} of {}: {why}", T::NAME),
                )
            })
            .and_then(|offset| {
                let rows = self.limit(size).offset(offset).many();
                let rows = rows.statements().map_err(Clone::clone)?;
                let count = self.whole().count();
                let count = count.statements().map_err(Clone::clone)?;
                within_budget(smallvec![rows[0].clone(), count[0].clone()])
            });
        Pending::new(self.backend(), statements, decoder)
    }
}

/// Decodes a page and its total: the first statement's rows through projection `P`,
/// the second's count.
pub struct PageRows<T, P> {
    projection: P,
    number: u64,
    size: u64,
    /// Sinks handed out so far: a decoder's sinks are asked for in statement order, the
    /// page's rows first, then its count.
    handed: Cell<u8>,
    _marker: PhantomData<fn() -> T>,
}

/// What receives one of a page's two statements.
pub enum PageSink<T, P: Projection<T>> {
    /// The page's rows.
    Items(ProjectedRows<T, P>),
    /// The total, once read.
    Total(Option<i64>, &'static str),
}

impl<T, P: Projection<T>> RowSink for PageSink<T, P> {
    fn row<Rw: Row + ?Sized>(&mut self, row: &Rw) -> Result<()> {
        match self {
            PageSink::Items(rows) => rows.row(row),
            PageSink::Total(total, table) => {
                *total = Some(crate::private::decode(row, 0, table, "count(*)")?);
                Ok(())
            }
        }
    }
}

impl<T: Table, P: Projection<T> + Clone + Send> Decoder for PageRows<T, P> {
    type Output = Page<P::Output>;
    type Sink = PageSink<T, P>;

    fn sink(&self) -> Self::Sink {
        let n = self.handed.get();
        self.handed.set(n.saturating_add(1));
        if n == 0 {
            PageSink::Items(ProjectedRows::new(self.projection.clone()))
        } else {
            PageSink::Total(None, T::NAME)
        }
    }

    fn finish(self, sinks: Vec<Self::Sink>, _metas: Vec<Meta>) -> Result<Self::Output> {
        let mut rows = Vec::new();
        let mut total = None;
        for sink in sinks {
            match sink {
                PageSink::Items(r) => rows.extend(r.rows),
                PageSink::Total(t, _) => total = t,
            }
        }
        let total = total
            .ok_or_else(|| Error::Decode(DecodeError::new("the page's count returned no row")))?;
        Ok(Page {
            rows,
            total: u64::try_from(total).unwrap_or(0),
            number: self.number,
            size: self.size,
        })
    }

    fn reads_meta(&self) -> bool {
        false
    }
}
