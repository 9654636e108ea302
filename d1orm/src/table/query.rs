//! The typed chain: filters, ordering, limits, projections, reads and writes on one
//! table.

use std::marker::PhantomData;

use super::column::{Assignment, Order};
use super::condition::{Condition, Fragment};
use super::projection::{AllColumns, ProjectedRows, Projection};
use super::write::{insert_statements, push_returning};
use super::{InsertRow, Table, WriteResult};
use crate::backend::{Backend, BatchEntry, Statement};
use crate::error::{Error, Result};
use crate::result::Meta;
use crate::value::Value;

/// The chain has no filter yet: `update` and `delete` are not available.
#[derive(Debug, Clone, Copy)]
pub struct Unfiltered;

/// The chain has a filter, or said `all_rows()`: `update` and `delete` are available.
#[derive(Debug, Clone, Copy)]
pub struct Filtered;

/// A chain state on which writes to existing rows are allowed.
#[diagnostic::on_unimplemented(
    message = "`update` and `delete` need a filter",
    label = "this chain has no `where_`",
    note = "add `.where_(|t| ...)` to choose rows, or `.all_rows()` to change every row"
)]
pub trait HasFilter {}
impl HasFilter for Filtered {}

/// No `RETURNING` clause.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoReturning;

impl<T> Projection<T> for NoReturning {
    type Output = ();
    fn width(&self) -> usize {
        0
    }
    fn write_sql(&self, _sql: &mut String) {}
    fn decode<R: crate::Row + ?Sized>(&self, _row: &R, _offset: usize) -> Result<()> {
        Ok(())
    }
}

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

/// Assignments for `update`: one [`Assignment`], a tuple of them, or a `Vec`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` does not assign columns of `{T}`",
    label = "the assignments must be to columns of the table being updated"
)]
pub trait IntoAssignments<T> {
    /// The assignments, in order.
    fn into_assignments(self) -> Vec<Assignment<T>>;
}

/// `Trait` for one item, a `Vec` of them, and tuples of up to eight.
macro_rules! list_conversions {
    ($trait:ident, $method:ident, $item:ident) => {
        impl<T> $trait<T> for $item<T> {
            fn $method(self) -> Vec<$item<T>> {
                vec![self]
            }
        }
        impl<T> $trait<T> for Vec<$item<T>> {
            fn $method(self) -> Vec<$item<T>> {
                self
            }
        }
        list_conversions!(@tuple $trait $method $item A);
        list_conversions!(@tuple $trait $method $item A B);
        list_conversions!(@tuple $trait $method $item A B C);
        list_conversions!(@tuple $trait $method $item A B C D);
        list_conversions!(@tuple $trait $method $item A B C D E);
        list_conversions!(@tuple $trait $method $item A B C D E F);
        list_conversions!(@tuple $trait $method $item A B C D E F G);
        list_conversions!(@tuple $trait $method $item A B C D E F G H);
    };
    (@tuple $trait:ident $method:ident $item:ident $($name:ident)+) => {
        impl<T, $($name: Into<$item<T>>),+> $trait<T> for ($($name,)+) {
            #[allow(non_snake_case)]
            fn $method(self) -> Vec<$item<T>> {
                let ($($name,)+) = self;
                vec![$($name.into()),+]
            }
        }
    };
}

list_conversions!(IntoAssignments, into_assignments, Assignment);

/// Ordering keys for `order_by`: one [`Order`], a tuple of them, or a `Vec`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` does not order rows of `{T}`",
    label = "the keys must be columns of the table being read"
)]
pub trait IntoOrder<T> {
    /// The keys, most significant first.
    fn into_order(self) -> Vec<Order<T>>;
}

list_conversions!(IntoOrder, into_order, Order);

/// A chain on table `T`: an immutable value; every step returns a new chain, so a
/// partly built chain can be reused.
///
/// `F` records whether the chain is filtered, `S` what reads decode into, `R` what
/// writes return.
pub struct Query<'db, B, T, F = Unfiltered, S = AllColumns, R = NoReturning> {
    backend: &'db B,
    filter: Option<Fragment>,
    order: Vec<String>,
    limit: Option<u64>,
    offset: Option<u64>,
    select: S,
    returning: R,
    _marker: PhantomData<fn() -> (T, F)>,
}

impl<B, T, F, S: Clone, R: Clone> Clone for Query<'_, B, T, F, S, R> {
    fn clone(&self) -> Self {
        Query {
            backend: self.backend,
            filter: self.filter.clone(),
            order: self.order.clone(),
            limit: self.limit,
            offset: self.offset,
            select: self.select.clone(),
            returning: self.returning.clone(),
            _marker: PhantomData,
        }
    }
}

impl<B, T, F, S, R> std::fmt::Debug for Query<'_, B, T, F, S, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Query")
            .field("filter", &self.filter.as_ref().map(|f| &f.sql))
            .field("order", &self.order)
            .field("limit", &self.limit)
            .field("offset", &self.offset)
            .finish_non_exhaustive()
    }
}

impl<'db, B: Backend, T: Table> Query<'db, B, T> {
    /// A chain over every row of `T`.
    pub fn new(backend: &'db B) -> Self {
        Query {
            backend,
            filter: None,
            order: Vec::new(),
            limit: None,
            offset: None,
            select: AllColumns,
            returning: NoReturning,
            _marker: PhantomData,
        }
    }
}

impl<'db, B: Backend, T: Table, F, S: Projection<T> + Clone, R: Projection<T> + Clone>
    Query<'db, B, T, F, S, R>
{
    fn with<F2, S2, R2>(&self, select: S2, returning: R2) -> Query<'db, B, T, F2, S2, R2> {
        Query {
            backend: self.backend,
            filter: self.filter.clone(),
            order: self.order.clone(),
            limit: self.limit,
            offset: self.offset,
            select,
            returning,
            _marker: PhantomData,
        }
    }

    /// Keeps the rows matching the condition (ANDed with earlier filters).
    pub fn where_(
        &self,
        condition: impl FnOnce(&T::Columns) -> Condition<T>,
    ) -> Query<'db, B, T, Filtered, S, R> {
        let new = condition(&T::columns()).fragment;
        let mut next = self.with(self.select.clone(), self.returning.clone());
        next.filter = Some(match self.filter.clone() {
            None => new,
            Some(mut old) => {
                old.sql = format!("({}) AND ({})", old.sql, new.sql);
                old.params.extend(new.params);
                if old.error.is_none() {
                    old.error = new.error;
                }
                old
            }
        });
        next
    }

    /// Says explicitly that `update` or `delete` applies to every row (matched by the
    /// filters so far, if any).
    pub fn all_rows(&self) -> Query<'db, B, T, Filtered, S, R> {
        self.with(self.select.clone(), self.returning.clone())
    }

    /// Orders the rows (keys appended after earlier ones).
    pub fn order_by<O: IntoOrder<T>>(&self, keys: impl FnOnce(&T::Columns) -> O) -> Self {
        let mut next = self.clone();
        next.order
            .extend(keys(&T::columns()).into_order().into_iter().map(|o| o.sql));
        next
    }

    /// At most `n` rows (rendered as a literal: a bound LIMIT makes SQLite re-prepare
    /// the statement on every run).
    pub fn limit(&self, n: u64) -> Self {
        let mut next = self.clone();
        next.limit = Some(n);
        next
    }

    /// Skips the first `n` rows.
    pub fn offset(&self, n: u64) -> Self {
        let mut next = self.clone();
        next.offset = Some(n);
        next
    }

    /// Reads decode into a projection instead of the whole row: a column, a JSON path,
    /// or a tuple of those.
    pub fn select<P: Projection<T> + Clone>(
        &self,
        projection: impl FnOnce(&T::Columns) -> P,
    ) -> Query<'db, B, T, F, P, R> {
        self.with(projection(&T::columns()), self.returning.clone())
    }

    /// Reads decode into `P`, a struct deriving `FromRow` for this table.
    pub fn select_as<P: super::FromRow<T>>(&self) -> Query<'db, B, T, F, super::As<P>, R> {
        self.with(super::As::new(), self.returning.clone())
    }

    /// Writes return these columns of every row they touch (`RETURNING`).
    pub fn returning<P: Projection<T> + Clone>(
        &self,
        projection: impl FnOnce(&T::Columns) -> P,
    ) -> Query<'db, B, T, F, S, P> {
        self.with(self.select.clone(), projection(&T::columns()))
    }

    /// Writes return every column of every row they touch, decoded as `T`.
    pub fn returning_all(&self) -> Query<'db, B, T, F, S, AllColumns> {
        self.with(self.select.clone(), AllColumns)
    }

    fn where_sql(&self, sql: &mut String, params: &mut Vec<Value>) -> Result<()> {
        if let Some(filter) = &self.filter {
            if let Some(e) = &filter.error {
                return Err(e.clone());
            }
            sql.push_str(" WHERE ");
            sql.push_str(&filter.sql);
            params.extend(filter.params.iter().cloned());
        }
        Ok(())
    }

    fn tail_sql(&self, sql: &mut String, limit: Option<u64>) {
        if !self.order.is_empty() {
            sql.push_str(" ORDER BY ");
            sql.push_str(&self.order.join(", "));
        }
        match (limit, self.offset) {
            (Some(l), _) => sql.push_str(&format!(" LIMIT {l}")),
            (None, Some(_)) => sql.push_str(" LIMIT -1"),
            (None, None) => {}
        }
        if let Some(o) = self.offset {
            sql.push_str(&format!(" OFFSET {o}"));
        }
    }

    fn select_statement(&self, head: &str, list: &str, limit: Option<u64>) -> Result<Statement> {
        let mut sql = format!("{head}{list} FROM {}", T::QUOTED_NAME);
        let mut params = Vec::new();
        self.where_sql(&mut sql, &mut params)?;
        self.tail_sql(&mut sql, limit);
        Ok(Statement::with_params(sql, params))
    }

    async fn fetch<P: Projection<T> + Sync>(
        &self,
        projection: &P,
        head: &str,
        limit: Option<u64>,
    ) -> Result<Rows<P::Output>> {
        let mut list = String::new();
        projection.write_sql(&mut list);
        let statement = self.select_statement(head, &list, limit)?;
        let mut sink = ProjectedRows {
            projection,
            rows: Vec::new(),
            _table: PhantomData,
        };
        let meta = self.backend.query(&statement, &mut sink).await?;
        Ok(Rows {
            rows: sink.rows,
            meta,
        })
    }

    /// Every matching row.
    ///
    /// # Failure
    /// The statement fails, or a row does not decode.
    pub async fn many(&self) -> Result<Rows<S::Output>>
    where
        S: Sync,
    {
        self.fetch(&self.select, "SELECT ", self.limit).await
    }

    /// The first matching row, if any (`LIMIT 1` unless the chain has a limit).
    ///
    /// # Failure
    /// As [`many`](Self::many).
    pub async fn first(&self) -> Result<Option<S::Output>>
    where
        S: Sync,
    {
        let limit = Some(self.limit.map_or(1, |l| l.min(1)));
        Ok(self
            .fetch(&self.select, "SELECT ", limit)
            .await?
            .rows
            .into_iter()
            .next())
    }

    /// Exactly one matching row.
    ///
    /// # Failure
    /// [`Error::NotFound`] when no row matches, [`Error::TooMany`] when several do; as
    /// [`many`](Self::many) otherwise.
    pub async fn one(&self) -> Result<S::Output>
    where
        S: Sync,
    {
        let limit = Some(self.limit.map_or(2, |l| l.min(2)));
        let mut rows = self.fetch(&self.select, "SELECT ", limit).await?.rows;
        match rows.len() {
            0 => Err(Error::NotFound { table: T::NAME }),
            1 => Ok(rows.remove(0)),
            _ => Err(Error::TooMany { table: T::NAME }),
        }
    }

    /// The number of matching rows (within `limit`/`offset` when set).
    ///
    /// # Failure
    /// The statement fails.
    pub async fn count(&self) -> Result<u64> {
        let statement = if self.limit.is_some() || self.offset.is_some() {
            let inner = self.select_statement("SELECT ", "1", self.limit)?;
            Statement::with_params(
                format!("SELECT count(*) FROM ({})", &*inner.sql),
                inner.params,
            )
        } else {
            self.select_statement("SELECT ", "count(*)", None)?
        };
        self.scalar::<i64>(statement)
            .await
            .map(|n| u64::try_from(n).unwrap_or(0))
    }

    /// Whether any row matches.
    ///
    /// # Failure
    /// The statement fails.
    pub async fn exists(&self) -> Result<bool> {
        let inner = self.select_statement("SELECT ", "1", self.limit)?;
        let statement =
            Statement::with_params(format!("SELECT EXISTS ({})", &*inner.sql), inner.params);
        self.scalar::<bool>(statement).await
    }

    async fn scalar<V: super::ColumnType + Send>(&self, statement: Statement) -> Result<V> {
        let mut sink = Scalar::<V>(None);
        self.backend.query(&statement, &mut sink).await?;
        sink.0
            .ok_or_else(|| Error::Decode(crate::DecodeError::new("the query returned no row")))
    }

    /// The distinct values of one column (or projection) among matching rows.
    ///
    /// # Failure
    /// As [`many`](Self::many).
    pub async fn distinct<P: Projection<T> + Sync>(
        &self,
        projection: impl FnOnce(&T::Columns) -> P,
    ) -> Result<Vec<P::Output>> {
        let p = projection(&T::columns());
        Ok(self.fetch(&p, "SELECT DISTINCT ", self.limit).await?.rows)
    }

    fn returning_clause(&self) -> Option<String> {
        (self.returning.width() > 0).then(|| {
            let mut list = String::new();
            self.returning.write_sql(&mut list);
            list
        })
    }

    async fn write(&self, statements: Vec<Statement>) -> Result<WriteResult<R::Output>>
    where
        R: Sync,
    {
        let mut sinks: Vec<ProjectedRows<'_, T, R>> = statements
            .iter()
            .map(|_| ProjectedRows {
                projection: &self.returning,
                rows: Vec::new(),
                _table: PhantomData,
            })
            .collect();
        let metas = match statements.as_slice() {
            [] => Vec::new(),
            [one] => vec![self.backend.query(one, &mut sinks[0]).await?],
            many => {
                let mut entries: Vec<BatchEntry<'_>> = many
                    .iter()
                    .zip(sinks.iter_mut())
                    .map(|(statement, sink)| BatchEntry { statement, sink })
                    .collect();
                self.backend.batch(&mut entries).await?
            }
        };
        Ok(WriteResult {
            rows: sinks.into_iter().flat_map(|s| s.rows).collect(),
            metas,
        })
    }

    /// Updates the matching rows.
    ///
    /// # Failure
    /// A value that cannot be bound, or the statement fails (a constraint, ...).
    pub async fn update<A: IntoAssignments<T>>(
        &self,
        assignments: impl FnOnce(&T::Columns) -> A,
    ) -> Result<WriteResult<R::Output>>
    where
        F: HasFilter,
        R: Sync,
    {
        let assignments = assignments(&T::columns()).into_assignments();
        let mut sets: Vec<(&'static str, String)> = Vec::new();
        let mut params = Vec::new();
        for a in assignments {
            params.push(a.value?);
            // Several JSON-path sets on one column nest into one expression.
            match sets.iter_mut().find(|(c, _)| *c == a.column) {
                Some((column, expr)) if a.expr.starts_with("json_set(") => {
                    *expr = a.expr.replacen(*column, &format!("({expr})"), 1);
                }
                Some((column, _)) => {
                    return Err(Error::d1(
                        crate::Prefix::Error,
                        format!("column {column} is assigned twice in one update"),
                    ));
                }
                None => sets.push((a.column, a.expr)),
            }
        }
        if sets.is_empty() {
            return Err(Error::d1(
                crate::Prefix::Error,
                "an update needs at least one assignment",
            ));
        }
        let set_list: Vec<String> = sets.iter().map(|(c, e)| format!("{c} = {e}")).collect();
        let mut sql = format!("UPDATE {} SET {}", T::QUOTED_NAME, set_list.join(", "));
        self.where_sql(&mut sql, &mut params)?;
        push_returning(&mut sql, self.returning_clause().as_deref());
        self.write(vec![Statement::with_params(sql, params)]).await
    }

    /// Deletes the matching rows.
    ///
    /// # Failure
    /// The statement fails (a foreign key, ...).
    pub async fn delete(&self) -> Result<WriteResult<R::Output>>
    where
        F: HasFilter,
        R: Sync,
    {
        let mut sql = format!("DELETE FROM {}", T::QUOTED_NAME);
        let mut params = Vec::new();
        self.where_sql(&mut sql, &mut params)?;
        push_returning(&mut sql, self.returning_clause().as_deref());
        self.write(vec![Statement::with_params(sql, params)]).await
    }
}

impl<'db, B: Backend, T: Table, S: Projection<T> + Clone, R: Projection<T> + Clone>
    Query<'db, B, T, Unfiltered, S, R>
{
    /// Inserts one row.
    ///
    /// # Failure
    /// A value that cannot be bound, or the statement fails (a constraint, ...).
    pub async fn insert(&self, row: T::Insert) -> Result<WriteResult<R::Output>>
    where
        R: Sync,
    {
        self.insert_many([row]).await
    }

    /// Inserts many rows atomically: multi-row statements of at most 100 parameters
    /// each, run in one batch.
    ///
    /// # Failure
    /// As [`insert`](Self::insert); no row is inserted then.
    pub async fn insert_many(
        &self,
        rows: impl IntoIterator<Item = T::Insert>,
    ) -> Result<WriteResult<R::Output>>
    where
        R: Sync,
    {
        let rows: Vec<T::Insert> = rows.into_iter().collect();
        let refs: Vec<&dyn InsertRow<T>> = rows.iter().map(|r| r as &dyn InsertRow<T>).collect();
        let statements = insert_statements::<T>(&refs, self.returning_clause().as_deref())?;
        self.write(statements).await
    }
}

/// The first column of the first row.
struct Scalar<V>(Option<V>);

impl<V: super::ColumnType> crate::backend::RowSink for Scalar<V> {
    fn row<R: crate::Row + ?Sized>(&mut self, row: &R) -> Result<()> {
        if self.0.is_none() {
            self.0 = Some(V::from_value(row.value(0)?)?);
        }
        Ok(())
    }
}
