//! Typed joins: a chain over two tables related by a foreign key, read in one statement.
//!
//! `db.notes().join(|n| n.author())` reads `(Note, User)`; `left_join` keeps the rows
//! with no match, `(Note, Option<User>)`. The closures of the joined chain take the
//! columns of both tables, `|(n, u)|`, rendered table-qualified (`"notes"."id"`), so a
//! column name the two tables share is never ambiguous; a column of a table that is not
//! in the join does not compile.

use std::marker::PhantomData;

use smallvec::smallvec;

use super::Table;
use super::column::{Column, JsonColumn, JsonPath, Order};
use super::condition::{Condition, Fragment};
use super::decoders::{Count, First, Many, One, ReadKind, ReadRows, count_statement};
use super::expr::Expr;
use super::projection::{AllColumns, Projection};
use super::query::Query;
use super::relation::{Cardinality, Relation};
use crate::backend::{ParamValues, QueryBackend, Row, Sql, Statement, push_cloned};
use crate::batch::{Pending, within_budget};
use crate::error::{Error, Prefix, Result};
use crate::value::ValueRef;

/// Type parameters held as types only.
type Types<A, B, C> = PhantomData<fn() -> (A, B, C)>;

/// The alias of the joined table when it is the chain's own table (a self-join), so
/// that the two can be told apart.
const SELF_ALIAS: &str = "\"d1orm_joined\"";

/// `INNER JOIN`: only the rows with a related row; each reads `(L, R)`.
#[derive(Debug)]
pub enum InnerJoin {}

/// `LEFT JOIN`: every row of the chain's table, with its related row if there is one;
/// each reads `(L, Option<R>)`, and a column of the joined table reads as an `Option`.
#[derive(Debug)]
pub enum LeftJoin {}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::InnerJoin {}
    impl Sealed for super::LeftJoin {}
}

/// How a join treats rows with no related row: [`InnerJoin`] or [`LeftJoin`].
pub trait JoinKind: sealed::Sealed + 'static {
    /// What a value `O` of the joined table reads as: `O`, or `Option<O>`.
    type Joined<O: Send>: Send;
    /// The join's keyword, between spaces.
    #[doc(hidden)]
    const SQL: &'static str;
    /// Decodes a value of the joined table, `None` for a left join's missing row when
    /// the row's column `null_at` is NULL.
    #[doc(hidden)]
    fn joined<Rw: Row + ?Sized, O: Send>(
        row: &Rw,
        null_at: usize,
        decode: impl FnOnce() -> Result<O>,
    ) -> Result<Self::Joined<O>>;
}

impl JoinKind for InnerJoin {
    type Joined<O: Send> = O;
    const SQL: &'static str = " JOIN ";
    fn joined<Rw: Row + ?Sized, O: Send>(
        _row: &Rw,
        _null_at: usize,
        decode: impl FnOnce() -> Result<O>,
    ) -> Result<O> {
        decode()
    }
}

impl JoinKind for LeftJoin {
    type Joined<O: Send> = Option<O>;
    const SQL: &'static str = " LEFT JOIN ";
    fn joined<Rw: Row + ?Sized, O: Send>(
        row: &Rw,
        null_at: usize,
        decode: impl FnOnce() -> Result<O>,
    ) -> Result<Option<O>> {
        match row.value(null_at)? {
            ValueRef::Null => Ok(None),
            _ => decode().map(Some),
        }
    }
}

/// A relation of table `P` that a chain can join: one the derive made from a foreign
/// key (`n.author()`, `u.notes()`), as it comes, without `include`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a relation of `{P}` to join",
    label = "not a relation of the rows being read",
    note = "`join` takes a relation from the closure's columns, such as `|n| n.author()`; relations come from `#[d1orm(references(Table::column))]`, and a joined relation has no `include`"
)]
pub trait Joinable<P> {
    /// The joined table.
    type Table: Table;
    /// The relation's name, the parent's key column and the joined table's.
    ///
    /// # Failure
    /// The relation filters, orders or limits its rows.
    #[doc(hidden)]
    fn join_keys(&self) -> Result<(&'static str, &'static str, &'static str)>;
}

impl<P: Table, C: Table, K: Cardinality> Joinable<P> for Relation<P, C, K, AllColumns> {
    type Table = C;
    fn join_keys(&self) -> Result<(&'static str, &'static str, &'static str)> {
        Relation::join_keys(self)
    }
}

/// In a join's bounds, what belongs to the chain's own table. The compiler infers it;
/// only a table joined to itself, whose two sides have one type, names it:
/// `.order_by::<_, OfLeft>(|(u, _)| u.id.asc())`.
#[derive(Debug)]
pub enum OfLeft {}
/// In a join's bounds, what belongs to the joined table (see [`OfLeft`]).
#[derive(Debug)]
pub enum OfRight {}

/// Starts a join from a chain that has no clause yet.
impl<'db, B, T: Table> Query<'db, B, T> {
    /// Joins the related table through a relation (`INNER JOIN`): each row reads
    /// `(T, Related)`, a row with no related row is left out. The relation is one the
    /// derive made from a foreign key: a belongs-to (`n.author()`: each note with its
    /// author), a has-many (`u.notes()`: a row per user and note) or a has-one. The
    /// joined chain filters, orders, limits and selects over the columns of both
    /// tables: see [`Join`].
    ///
    /// Call it first: on a chain that already filters, orders or limits, the read is an
    /// error before anything is sent.
    pub fn join<J: Joinable<T>>(
        &self,
        relation: impl FnOnce(&T::Columns) -> J,
    ) -> Join<'db, B, T, J::Table, InnerJoin> {
        Join::new(self, relation(&T::columns()))
    }

    /// Joins the related table keeping every row (`LEFT JOIN`): each row reads
    /// `(T, Option<Related>)`, `None` when no related row matches; in projections, a
    /// column of the joined table reads as an `Option`. See [`join`](Self::join).
    pub fn left_join<J: Joinable<T>>(
        &self,
        relation: impl FnOnce(&T::Columns) -> J,
    ) -> Join<'db, B, T, J::Table, LeftJoin> {
        Join::new(self, relation(&T::columns()))
    }
}

/// A chain over table `L` joined with table `R` through a relation, `K` the kind of
/// join ([`InnerJoin`] or [`LeftJoin`]), `S` what rows read into: both whole rows
/// ([`BothRows`]) unless [`select`](Self::select) says otherwise.
///
/// Its closures take the columns of both tables as a pair, `|(n, u)|`. Columns are
/// written table-qualified (`"notes"."title"`); a table joined to itself is aliased
/// `"d1orm_joined"`. Every read is one statement.
///
/// ```
/// use d1orm::{Backend, Database, Table};
///
/// #[derive(Debug, Table)]
/// struct User {
///     #[d1orm(primary_key, auto_increment)]
///     id: i64,
///     name: String,
/// }
///
/// #[derive(Debug, Table)]
/// struct Note {
///     #[d1orm(primary_key, auto_increment)]
///     id: i64,
///     #[d1orm(references(User::id))]
///     author_id: i64,
///     title: String,
/// }
///
/// async fn page<B: Backend>(db: &Database<B>) -> d1orm::Result<()> {
///     // Each note with its author: `(Note, User)`.
///     let rows = db
///         .notes()
///         .join(|n| n.author())
///         .where_(|(_, u)| u.name.eq("ada"))
///         .order_by(|(n, u)| (u.name.asc(), n.id.desc()))
///         .limit(20)
///         .many()
///         .await?;
///     // Columns of both tables: `(String, String)`.
///     let titles = db
///         .notes()
///         .join(|n| n.author())
///         .select(|(n, u)| (n.title, u.name))
///         .many()
///         .await?;
///     # let _ = (rows, titles);
///     Ok(())
/// }
/// ```
pub struct Join<'db, B, L, R, K, S = BothRows<R, K>> {
    backend: &'db B,
    /// `"<R>" [AS <alias>] ON <R>."key" = "<L>"."key"`, or why the join cannot be
    /// written.
    on: std::result::Result<String, Box<Error>>,
    /// How the joined table is named in the statement: its quoted name, or an alias.
    right: &'static str,
    /// The position, among the joined table's columns, of its key: NULL there means a
    /// left join found no row.
    right_key: usize,
    filter: Option<Fragment>,
    /// The `GROUP BY` keys, in order.
    group: Vec<String>,
    having: Option<Fragment>,
    order: Vec<String>,
    order_error: Option<Box<Error>>,
    limit: Option<u64>,
    offset: Option<u64>,
    select: S,
    _marker: Types<L, R, K>,
}

impl<B, L, R, K, S: Clone> Clone for Join<'_, B, L, R, K, S> {
    fn clone(&self) -> Self {
        Join {
            backend: self.backend,
            on: self.on.clone(),
            right: self.right,
            right_key: self.right_key,
            filter: self.filter.clone(),
            group: self.group.clone(),
            having: self.having.clone(),
            order: self.order.clone(),
            order_error: self.order_error.clone(),
            limit: self.limit,
            offset: self.offset,
            select: self.select.clone(),
            _marker: PhantomData,
        }
    }
}

impl<B, L, R, K, S> std::fmt::Debug for Join<'_, B, L, R, K, S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Join")
            .field("on", &self.on)
            .field("filter", &self.filter.as_ref().map(|f| &f.sql))
            .field("group", &self.group)
            .field("having", &self.having.as_ref().map(|f| &f.sql))
            .field("order", &self.order)
            .field("limit", &self.limit)
            .field("offset", &self.offset)
            .finish_non_exhaustive()
    }
}

impl<'db, B, L: Table, R: Table, K: JoinKind> Join<'db, B, L, R, K> {
    fn new<J: Joinable<L, Table = R>>(chain: &Query<'db, B, L>, relation: J) -> Self {
        let right = if L::NAME == R::NAME {
            SELF_ALIAS
        } else {
            R::QUOTED_NAME
        };
        let keys = relation.join_keys().and_then(|keys| {
            if chain.has_clauses() {
                return Err(Error::d1(
                    Prefix::Error,
                    format!(
                        "a chain on {} joins {} after where_opt, order_by, limit or offset: call join first, then filter, order and limit the joined chain",
                        L::NAME,
                        R::NAME
                    ),
                ));
            }
            let right_key = R::COLUMNS
                .iter()
                .position(|c| c.name == keys.2)
                .ok_or_else(|| {
                    Error::d1(
                        Prefix::Error,
                        format!("relation {}: {} has no column {}", keys.0, R::NAME, keys.2),
                    )
                })?;
            Ok((keys, right_key))
        });
        let (on, right_key) = match keys {
            Ok(((_, parent_key, child_key), right_key)) => {
                let mut on = String::from(R::QUOTED_NAME);
                if right != R::QUOTED_NAME {
                    on.push_str(" AS ");
                    on.push_str(right);
                }
                on.push_str(" ON ");
                push_qualified(&mut on, right, child_key);
                on.push_str(" = ");
                push_qualified(&mut on, L::QUOTED_NAME, parent_key);
                (Ok(on), right_key)
            }
            Err(e) => (Err(Box::new(e)), 0),
        };
        Join {
            backend: chain.backend(),
            on,
            right,
            right_key,
            filter: None,
            group: Vec::new(),
            having: None,
            order: Vec::new(),
            order_error: None,
            limit: None,
            offset: None,
            select: BothRows {
                right,
                right_key,
                _marker: PhantomData,
            },
            _marker: PhantomData,
        }
    }
}

/// `source."column"`.
fn push_qualified(sql: &mut String, source: &str, column: &str) {
    sql.push_str(source);
    sql.push('.');
    sql.push_str(&super::quote_identifier(column));
}

/// The columns of both tables, as a joined chain's closures take them.
type Both<L, R> = (<L as Table>::Columns, <R as Table>::Columns);

impl<'db, B, L: Table, R: Table, K: JoinKind, S: Clone> Join<'db, B, L, R, K, S> {
    /// The qualified columns of both tables.
    fn columns(&self) -> Both<L, R> {
        (L::qualified(L::QUOTED_NAME), R::qualified(self.right))
    }

    fn with_select<S2>(&self, select: S2) -> Join<'db, B, L, R, K, S2> {
        Join {
            backend: self.backend,
            on: self.on.clone(),
            right: self.right,
            right_key: self.right_key,
            filter: self.filter.clone(),
            group: self.group.clone(),
            having: self.having.clone(),
            order: self.order.clone(),
            order_error: self.order_error.clone(),
            limit: self.limit,
            offset: self.offset,
            select,
            _marker: PhantomData,
        }
    }

    /// The chain with `conditions` (joined by `op`) ANDed into its row filter, or into
    /// its group filter (`having`).
    fn and_conditions<C: JoinFilter<L, R, I>, I>(
        &self,
        conditions: Option<C>,
        op: &str,
        having: bool,
    ) -> Self {
        let mut next = self.clone();
        if let Some(f) = conditions.and_then(|c| combine(c, op)) {
            Fragment::and_into(
                if having {
                    &mut next.having
                } else {
                    &mut next.filter
                },
                f,
            );
        }
        next
    }

    /// Keeps the rows matching the condition (ANDed with earlier filters): a condition
    /// on either table, or a tuple of them, all of which must hold:
    /// `.where_(|(n, u)| (n.stars.gte(3), u.name.eq("ada")))`.
    pub fn where_<C: JoinFilter<L, R, I>, I>(
        &self,
        condition: impl FnOnce(&Both<L, R>) -> C,
    ) -> Self {
        self.and_conditions(Some(condition(&self.columns())), "AND", false)
    }

    /// Keeps the rows matching at least one of the conditions (ORed, then ANDed with
    /// earlier filters): a search over both tables,
    /// `.where_any(|(n, u)| (n.title.contains(q), u.name.contains(q)))`.
    pub fn where_any<C: JoinFilter<L, R, I>, I>(
        &self,
        conditions: impl FnOnce(&Both<L, R>) -> C,
    ) -> Self {
        self.and_conditions(Some(conditions(&self.columns())), "OR", false)
    }

    /// Keeps the rows matching the condition when there is one, for filters chosen at
    /// run time (as a single-table chain's `where_opt`).
    pub fn where_opt<C: JoinFilter<L, R, I>, I>(
        &self,
        condition: impl FnOnce(&Both<L, R>) -> Option<C>,
    ) -> Self {
        self.and_conditions(condition(&self.columns()), "AND", false)
    }

    /// Groups the joined rows by columns of either table (appended after earlier keys):
    /// a read then gives one row per group, selecting the keys and aggregates of either
    /// table (`n.id.count()`, `n.stars.sum()`), and [`having`](Self::having) filters
    /// the groups. One statement, as every read of a joined chain.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/library.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = library().await?;
    /// // Each author's name with how many books they wrote, most first.
    /// let per_author: Vec<(String, i64)> = db.authors()
    ///     .join(|a| a.books())
    ///     .group_by(|(a, _)| (a.id, a.name))
    ///     .order_by(|(a, b)| (b.id.count().desc(), a.name.asc()))
    ///     .select(|(a, b)| (a.name, b.id.count()))
    ///     .many().await?.rows;
    /// assert_eq!(per_author, [("Le Guin".to_owned(), 2), ("Butler".to_owned(), 1)]);
    /// # Ok(()) }
    /// ```
    pub fn group_by<G: JoinGroup<L, R, I>, I>(&self, keys: impl FnOnce(&Both<L, R>) -> G) -> Self {
        let mut next = self.clone();
        keys(&self.columns()).push_groups(&mut next.group);
        next
    }

    /// Keeps the groups matching the condition (ANDed with earlier ones): conditions
    /// on aggregates or keys of either table, all of which must hold. Without
    /// `group_by`, the whole join is one group.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/library.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = library().await?;
    /// // The authors of more than one book.
    /// let prolific: Vec<String> = db.authors()
    ///     .join(|a| a.books())
    ///     .group_by(|(a, _)| (a.id, a.name))
    ///     .having(|(_, b)| b.id.count().gt(1))
    ///     .select(|(a, _)| a.name)
    ///     .many().await?.rows;
    /// assert_eq!(prolific, ["Le Guin"]);
    /// # Ok(()) }
    /// ```
    pub fn having<C: JoinFilter<L, R, I>, I>(
        &self,
        condition: impl FnOnce(&Both<L, R>) -> C,
    ) -> Self {
        self.and_conditions(Some(condition(&self.columns())), "AND", true)
    }

    /// Orders the rows by keys of either table (appended after earlier ones):
    /// `.order_by(|(n, u)| (u.name.asc(), n.id.desc()))`.
    pub fn order_by<O: JoinOrder<L, R, I>, I>(&self, keys: impl FnOnce(&Both<L, R>) -> O) -> Self {
        let mut next = self.clone();
        let mut orders = Vec::new();
        keys(&self.columns()).push_orders(&mut orders);
        for key in orders {
            if next.order_error.is_none() {
                next.order_error = key.error;
            }
            next.order.push(key.sql);
        }
        next
    }

    /// At most `n` rows (a literal, as on a single-table chain).
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

    /// Reads decode into columns (and JSON paths, typed SQL expressions) of either
    /// table, or a tuple of them: `.select(|(n, u)| (n.title, u.name))` reads
    /// `(String, String)`. In a left join, a value of the joined table reads as an
    /// `Option` (`None` when no row matched, or when it is NULL).
    pub fn select<P: JoinColumns<L, R, K, I>, I>(
        &self,
        projection: impl FnOnce(&Both<L, R>) -> P,
    ) -> Join<'db, B, L, R, K, Selected<R, K, P, I>> {
        self.with_select(Selected {
            projection: projection(&self.columns()),
            _marker: PhantomData,
        })
    }

    /// `SELECT <list> FROM <L> JOIN <R> ON .. WHERE .. ORDER BY .. LIMIT ..`.
    fn statement(&self, list: &dyn Fn(&mut String), limit: Option<u64>) -> Result<Statement> {
        let on = self.on.as_ref().map_err(|e| (**e).clone())?;
        if let Some(e) = &self.order_error {
            return Err((**e).clone());
        }
        let mut sql = String::with_capacity(256);
        sql.push_str("SELECT ");
        list(&mut sql);
        sql.push_str(" FROM ");
        sql.push_str(L::QUOTED_NAME);
        sql.push_str(K::SQL);
        sql.push_str(on);
        let mut params = ParamValues::new();
        if let Some(filter) = &self.filter {
            if let Some(e) = &filter.error {
                return Err((**e).clone());
            }
            sql.push_str(" WHERE ");
            sql.push_str(&filter.sql);
            push_cloned(&mut params, &filter.params);
        }
        for (i, key) in self.group.iter().enumerate() {
            sql.push_str(if i == 0 { " GROUP BY " } else { ", " });
            sql.push_str(key);
        }
        if let Some(having) = &self.having {
            if let Some(e) = &having.error {
                return Err((**e).clone());
            }
            sql.push_str(" HAVING ");
            sql.push_str(&having.sql);
            push_cloned(&mut params, &having.params);
        }
        for (i, key) in self.order.iter().enumerate() {
            sql.push_str(if i == 0 { " ORDER BY " } else { ", " });
            sql.push_str(key);
        }
        let mut digits = itoa::Buffer::new();
        match (limit, self.offset) {
            (Some(l), _) => {
                sql.push_str(" LIMIT ");
                sql.push_str(digits.format(l));
            }
            (None, Some(_)) => sql.push_str(" LIMIT -1"),
            (None, None) => {}
        }
        if let Some(o) = self.offset {
            sql.push_str(" OFFSET ");
            sql.push_str(digits.format(o));
        }
        Ok(Statement::with_params(Sql::single(sql), params))
    }
}

/// Reads.
impl<'db, B: QueryBackend, L: Table, R: Table, K: JoinKind, S: Projection<L> + Clone + Send>
    Join<'db, B, L, R, K, S>
{
    fn read<Kd: ReadKind<S::Output>>(
        &self,
        limit: Option<u64>,
    ) -> Pending<'db, B, ReadRows<L, S, Kd>> {
        let statement = self
            .select
            .check()
            .and_then(|()| self.statement(&|sql| self.select.write_sql(sql), limit));
        Pending::new(
            self.backend,
            statement.and_then(|s| within_budget(smallvec![s])),
            ReadRows::new(self.select.clone()),
        )
    }

    /// Every matching row, with the statement's meta.
    ///
    /// # Failure
    /// The statement fails, or a row does not decode (the error names the table and
    /// column).
    pub fn many(&self) -> Pending<'db, B, ReadRows<L, S, Many>> {
        self.read(self.limit)
    }

    /// The first matching row, if any.
    ///
    /// # Failure
    /// As [`many`](Self::many).
    pub fn first(&self) -> Pending<'db, B, ReadRows<L, S, First>> {
        self.read(Some(self.limit.map_or(1, |l| l.min(1))))
    }

    /// Exactly one matching row.
    ///
    /// # Failure
    /// [`Error::NotFound`] when no row matches, [`Error::TooMany`] when several do; as
    /// [`many`](Self::many) otherwise.
    pub fn one(&self) -> Pending<'db, B, ReadRows<L, S, One>> {
        self.read(Some(self.limit.map_or(2, |l| l.min(2))))
    }

    /// The number of matching rows (within `limit`/`offset` when set); on a grouped
    /// chain, the number of groups.
    ///
    /// # Failure
    /// The statement fails.
    pub fn count(&self) -> Pending<'db, B, Count> {
        let grouped = !self.group.is_empty() || self.having.is_some();
        let statement = count_statement(
            grouped || self.limit.is_some() || self.offset.is_some(),
            self.limit,
            |list, limit| self.statement(list, limit),
        );
        Pending::new(
            self.backend,
            statement.and_then(|s| within_budget(smallvec![s])),
            Count::new(L::NAME),
        )
    }
}

/// Both whole rows: `(L, R)`, or `(L, Option<R>)` in a left join. What a joined chain
/// reads unless it selects.
pub struct BothRows<R, K> {
    /// How the joined table is named in the statement.
    right: &'static str,
    /// The position of the joined table's key among its columns.
    right_key: usize,
    _marker: PhantomData<fn() -> (R, K)>,
}

impl<R, K> Clone for BothRows<R, K> {
    fn clone(&self) -> Self {
        BothRows {
            right: self.right,
            right_key: self.right_key,
            _marker: PhantomData,
        }
    }
}

impl<R, K> std::fmt::Debug for BothRows<R, K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BothRows")
    }
}

/// Every column of `T`, qualified by `source`, aliased from position `at` on.
fn push_columns<T: Table>(sql: &mut String, source: &str, at: usize) {
    for (i, column) in T::COLUMNS.iter().enumerate() {
        if i > 0 {
            sql.push_str(", ");
        }
        push_qualified(sql, source, column.name);
        push_alias(sql, at + i);
    }
}

/// ` AS "j<position>"`: the two tables share column names (`id`), and D1's `all()`
/// gives rows as objects, where a name given twice keeps one value. Every item of a
/// join's select list is named by its position, so no name repeats.
fn push_alias(sql: &mut String, position: usize) {
    sql.push_str(" AS \"j");
    sql.push_str(itoa::Buffer::new().format(position));
    sql.push('"');
}

impl<L: Table, R: Table, K: JoinKind> Projection<L> for BothRows<R, K> {
    type Output = (L, K::Joined<R>);
    fn width(&self) -> usize {
        L::COLUMNS.len() + R::COLUMNS.len()
    }
    fn write_sql(&self, sql: &mut String) {
        push_columns::<L>(sql, L::QUOTED_NAME, 0);
        sql.push_str(", ");
        push_columns::<R>(sql, self.right, L::COLUMNS.len());
    }
    fn decode<Rw: Row + ?Sized>(&self, row: &Rw, offset: usize) -> Result<Self::Output> {
        let left = L::decode_row(row, offset)?;
        let at = offset + L::COLUMNS.len();
        // The joined table's key equals a value of the chain's row: it is NULL only
        // where no row matched.
        let right = K::joined(row, at + self.right_key, || R::decode_row(row, at))?;
        Ok((left, right))
    }
}

/// Columns of both tables chosen with [`Join::select`].
pub struct Selected<R, K, P, I> {
    projection: P,
    _marker: Types<R, K, I>,
}

impl<R, K, P: Clone, I> Clone for Selected<R, K, P, I> {
    fn clone(&self) -> Self {
        Selected {
            projection: self.projection.clone(),
            _marker: PhantomData,
        }
    }
}

impl<R, K, P: std::fmt::Debug, I> std::fmt::Debug for Selected<R, K, P, I> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.projection.fmt(f)
    }
}

impl<L, R, K, P: JoinColumns<L, R, K, I>, I> Projection<L> for Selected<R, K, P, I> {
    type Output = P::Output;
    fn width(&self) -> usize {
        self.projection.width()
    }
    fn check(&self) -> Result<()> {
        self.projection.check()
    }
    fn write_sql(&self, sql: &mut String) {
        self.projection.write_sql(sql, 0);
    }
    fn decode<Rw: Row + ?Sized>(&self, row: &Rw, offset: usize) -> Result<P::Output> {
        self.projection.decode(row, offset)
    }
}

/// What a joined chain selects: a column, a JSON path or a typed SQL expression of
/// either table (`I` says which), or a tuple of them.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a column of the tables in this join",
    label = "not a column of `{L}` or `{R}`",
    note = "a joined chain's closures take the columns of both tables, `|(l, r)|`: select, filter and order with those; join or `include` another table in a chain of its own"
)]
pub trait JoinColumns<L, R, K, I> {
    /// The Rust value of one row.
    type Output: Send;
    #[doc(hidden)]
    fn width(&self) -> usize;
    #[doc(hidden)]
    fn check(&self) -> Result<()>;
    /// Appends the comma-separated items, each aliased by its position from `at` on.
    #[doc(hidden)]
    fn write_sql(&self, sql: &mut String, at: usize);
    #[doc(hidden)]
    fn decode<Rw: Row + ?Sized>(&self, row: &Rw, offset: usize) -> Result<Self::Output>;
}

/// A column, JSON path or expression of one table: of the chain's (`OfLeft`), read as
/// it is, or of the joined one (`OfRight`), read through the join's kind.
macro_rules! join_column {
    ($t:ident => $ty:ty; $($generics:tt)*) => {
        impl<$t: Table, Other, K: JoinKind, $($generics)*> JoinColumns<$t, Other, K, OfLeft> for $ty
        where
            $ty: Projection<$t>,
        {
            type Output = <$ty as Projection<$t>>::Output;
            fn width(&self) -> usize {
                Projection::<$t>::width(self)
            }
            fn check(&self) -> Result<()> {
                Projection::<$t>::check(self)
            }
            fn write_sql(&self, sql: &mut String, at: usize) {
                Projection::<$t>::write_sql(self, sql);
                push_alias(sql, at);
            }
            fn decode<Rw: Row + ?Sized>(&self, row: &Rw, offset: usize) -> Result<Self::Output> {
                Projection::<$t>::decode(self, row, offset)
            }
        }

        impl<Other, $t: Table, K: JoinKind, $($generics)*> JoinColumns<Other, $t, K, OfRight> for $ty
        where
            $ty: Projection<$t>,
        {
            type Output = K::Joined<<$ty as Projection<$t>>::Output>;
            fn width(&self) -> usize {
                Projection::<$t>::width(self)
            }
            fn check(&self) -> Result<()> {
                Projection::<$t>::check(self)
            }
            fn write_sql(&self, sql: &mut String, at: usize) {
                Projection::<$t>::write_sql(self, sql);
                push_alias(sql, at);
            }
            fn decode<Rw: Row + ?Sized>(&self, row: &Rw, offset: usize) -> Result<Self::Output> {
                // Every one of these is one SQL value: NULL there is a missing row (or
                // a NULL value) in a left join.
                K::joined(row, offset, || Projection::<$t>::decode(self, row, offset))
            }
        }
    };
}
join_column!(T => Column<T, V, N>; V, const N: usize);
join_column!(T => JsonColumn<T, V>; V);
join_column!(T => JsonPath<T>;);
join_column!(T => Expr<T, V>; V);

macro_rules! tuple_join_columns {
    ($($name:ident $side:ident $index:tt),+) => {
        impl<L, R, K, $($name: JoinColumns<L, R, K, $side>, $side),+> JoinColumns<L, R, K, ($($side,)+)>
            for ($($name,)+)
        {
            type Output = ($($name::Output,)+);
            fn width(&self) -> usize {
                0 $(+ self.$index.width())+
            }
            fn check(&self) -> Result<()> {
                $(self.$index.check()?;)+
                Ok(())
            }
            #[allow(unused_assignments)]
            fn write_sql(&self, sql: &mut String, mut at: usize) {
                $(
                    if $index > 0 {
                        sql.push_str(", ");
                    }
                    self.$index.write_sql(sql, at);
                    at += self.$index.width();
                )+
            }
            #[allow(unused_assignments)]
            fn decode<Rw: Row + ?Sized>(&self, row: &Rw, offset: usize) -> Result<Self::Output> {
                let mut at = offset;
                Ok(($(
                    {
                        let v = self.$index.decode(row, at)?;
                        at += self.$index.width();
                        v
                    },
                )+))
            }
        }
    };
}
tuple_join_columns!(A IA 0);
tuple_join_columns!(A IA 0, B IB 1);
tuple_join_columns!(A IA 0, B IB 1, C IC 2);
tuple_join_columns!(A IA 0, B IB 1, C IC 2, D ID 3);
tuple_join_columns!(A IA 0, B IB 1, C IC 2, D ID 3, E IE 4);
tuple_join_columns!(A IA 0, B IB 1, C IC 2, D ID 3, E IE 4, F IF 5);
tuple_join_columns!(A IA 0, B IB 1, C IC 2, D ID 3, E IE 4, F IF 5, G IG 6);
tuple_join_columns!(A IA 0, B IB 1, C IC 2, D ID 3, E IE 4, F IF 5, G IG 6, H IH 7);

/// What a joined chain's `where_` takes: a condition on either table (`I` says which),
/// or a tuple of them.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a condition on the tables in this join",
    label = "not a condition on `{L}` or `{R}`",
    note = "a joined chain's closures take the columns of both tables, `|(l, r)|`: filter with those; conditions on both tables go in a tuple, `(l.a.eq(1), r.b.eq(2))`, ANDed by `where_` and ORed by `where_any`"
)]
pub trait JoinFilter<L, R, I> {
    /// Appends each condition's fragment.
    #[doc(hidden)]
    fn push_conditions(self, out: &mut Vec<Condition<()>>);
}

impl<L, R> JoinFilter<L, R, OfLeft> for Condition<L> {
    fn push_conditions(self, out: &mut Vec<Condition<()>>) {
        out.push(Condition::from_fragment(self.fragment));
    }
}

impl<L, R> JoinFilter<L, R, OfRight> for Condition<R> {
    fn push_conditions(self, out: &mut Vec<Condition<()>>) {
        out.push(Condition::from_fragment(self.fragment));
    }
}

/// The conditions joined by `op`, or none.
fn combine<L, R, I>(conditions: impl JoinFilter<L, R, I>, op: &str) -> Option<Fragment> {
    let mut all = Vec::new();
    conditions.push_conditions(&mut all);
    let combined = if op == "OR" {
        Condition::any(all)
    } else {
        Condition::all(all)
    };
    combined.map(|c| c.fragment)
}

/// What a joined chain's `order_by` takes: a key of either table, or a tuple of them.
#[diagnostic::on_unimplemented(
    message = "`{Self}` does not order the rows of this join",
    label = "not a key of `{L}` or `{R}`",
    note = "a joined chain's closures take the columns of both tables, `|(l, r)|`: order with those"
)]
pub trait JoinOrder<L, R, I> {
    /// Appends the keys, most significant first.
    #[doc(hidden)]
    fn push_orders(self, out: &mut Vec<Order<()>>);
}

impl<L, R> JoinOrder<L, R, OfLeft> for Order<L> {
    fn push_orders(self, out: &mut Vec<Order<()>>) {
        out.push(self.retyped());
    }
}

impl<L, R> JoinOrder<L, R, OfRight> for Order<R> {
    fn push_orders(self, out: &mut Vec<Order<()>>) {
        out.push(self.retyped());
    }
}

/// What a joined chain's `group_by` takes: a column of either table, or a tuple of
/// them.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/library.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = library().await?;
/// // Keys of both tables: books per (author, editor) pair.
/// let pairs: Vec<(String, Option<String>, i64)> = db.books()
///     .join(|b| b.author())
///     .group_by(|(b, a)| (a.name, b.editor_id))
///     .order_by(|(b, a)| (a.name.asc(), b.editor_id.asc()))
///     .select(|(b, a)| (a.name, b.title.max(), b.id.count()))
///     .many().await?.rows;
/// let some = |t: &str| Some(t.to_owned());
/// assert_eq!(pairs, [
///     ("Butler".to_owned(), some("Kindred"), 1),
///     ("Le Guin".to_owned(), some("A Wizard of Earthsea"), 1),
///     ("Le Guin".to_owned(), some("The Dispossessed"), 1),
/// ]);
/// # Ok(()) }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` does not group the rows of this join",
    label = "not a column of `{L}` or `{R}`",
    note = "a joined chain's closures take the columns of both tables, `|(l, r)|`: group with those"
)]
pub trait JoinGroup<L, R, I> {
    /// Appends the keys' SQL.
    #[doc(hidden)]
    fn push_groups(self, out: &mut Vec<String>);
}

impl<L, R, V, const N: usize> JoinGroup<L, R, OfLeft> for Column<L, V, N> {
    fn push_groups(self, out: &mut Vec<String>) {
        out.push(self.reference().into_owned());
    }
}

impl<L, R, V, const N: usize> JoinGroup<L, R, OfRight> for Column<R, V, N> {
    fn push_groups(self, out: &mut Vec<String>) {
        out.push(self.reference().into_owned());
    }
}

macro_rules! tuple_join_parts {
    ($($name:ident $side:ident $index:tt),+) => {
        impl<L, R, $($name: JoinFilter<L, R, $side>, $side),+> JoinFilter<L, R, ($($side,)+)>
            for ($($name,)+)
        {
            fn push_conditions(self, out: &mut Vec<Condition<()>>) {
                $(self.$index.push_conditions(out);)+
            }
        }

        impl<L, R, $($name: JoinOrder<L, R, $side>, $side),+> JoinOrder<L, R, ($($side,)+)>
            for ($($name,)+)
        {
            fn push_orders(self, out: &mut Vec<Order<()>>) {
                $(self.$index.push_orders(out);)+
            }
        }

        impl<L, R, $($name: JoinGroup<L, R, $side>, $side),+> JoinGroup<L, R, ($($side,)+)>
            for ($($name,)+)
        {
            fn push_groups(self, out: &mut Vec<String>) {
                $(self.$index.push_groups(out);)+
            }
        }
    };
}
tuple_join_parts!(A IA 0);
tuple_join_parts!(A IA 0, B IB 1);
tuple_join_parts!(A IA 0, B IB 1, C IC 2);
tuple_join_parts!(A IA 0, B IB 1, C IC 2, D ID 3);
tuple_join_parts!(A IA 0, B IB 1, C IC 2, D ID 3, E IE 4);
tuple_join_parts!(A IA 0, B IB 1, C IC 2, D ID 3, E IE 4, F IF 5);
