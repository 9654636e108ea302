//! Relations from foreign keys, loaded with their parent rows in one statement: see
//! [`Relation`].

use std::borrow::Cow;
use std::marker::PhantomData;

use super::Table;
use super::condition::{Condition, Fragment};
use super::projection::{AllColumns, Projection};
use super::query::IntoOrder;
use crate::backend::{ParamValues, Row, push_cloned};
use crate::error::{DecodeError, Error, Result};
use crate::value::ValueRef;

/// The most arguments D1 lets an SQL function take: a related row's `json_array` nests
/// arrays of at most this many items.
const FUNCTION_ARGS: usize = 32;

/// How deep includes may nest (each level is a subquery and an alias).
const MAX_DEPTH: usize = 16;

/// A belongs-to relation on a NOT NULL foreign key: exactly one related row.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/library.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = library().await?;
/// // A NOT NULL key: every book has its author.
/// let (book, author): (Book, Author) = db.books().include(|b| b.author()).where_(|b| b.id.eq(3)).one().await?;
/// assert_eq!((book.title.as_str(), author.name.as_str()), ("Kindred", "Butler"));
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub enum One {}
/// A belongs-to relation on a nullable foreign key, or a has-one: a related row or none.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/library.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = library().await?;
/// // A nullable key, or a UNIQUE one seen from the other side: a row or none.
/// let rows: Vec<(Book, Option<Author>)> = db.books().include(|b| b.editor()).order_by(|b| b.id.asc()).many().await?.rows;
/// assert_eq!(rows[1].1.as_ref().map(|a| a.name.as_str()), Some("Butler"));
/// let (_, bio): (Author, Option<Bio>) = db.authors().include(|a| a.bio()).where_(|a| a.id.eq(2)).one().await?;
/// assert_eq!(bio, None);
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub enum Optional {}
/// A has-many relation: any number of related rows.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/library.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = library().await?;
/// let (author, books): (Author, Vec<Book>) = db.authors().include(|a| a.books()).where_(|a| a.id.eq(1)).one().await?;
/// assert_eq!((author.name.as_str(), books.len()), ("Le Guin", 2));
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub enum Many {}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::One {}
    impl Sealed for super::Optional {}
    impl Sealed for super::Many {}
}

/// How many rows a relation gives: [`One`], [`Optional`] or [`Many`].
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/library.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = library().await?;
/// // One, Optional and Many decide the element of the row's tuple: Author, Option<Bio>, Vec<Book>.
/// let (_, books, bio): (Author, Vec<Book>, Option<Bio>) =
///     db.authors().include(|a| a.books()).include(|a| a.bio()).where_(|a| a.id.eq(1)).one().await?;
/// assert_eq!((books.len(), bio.is_some()), (2, true));
/// # Ok(()) }
/// ```
pub trait Cardinality: sealed::Sealed + 'static {
    /// What a parent row gets for related rows decoded as `O`: `O`, `Option<O>` or
    /// `Vec<O>`.
    type Output<O: Send>: Send;
    #[doc(hidden)]
    const MANY: bool;
    /// The related rows from the relation's JSON: `row` decodes one row's items;
    /// `missing` is the error of a required row that is not there.
    #[doc(hidden)]
    fn finish<'a, O: Send>(
        cell: Cell<'a>,
        row: impl FnMut(Vec<Cell<'a>>) -> Result<O>,
        missing: impl FnOnce() -> Error,
    ) -> Result<Self::Output<O>>;
}

impl Cardinality for One {
    type Output<O: Send> = O;
    const MANY: bool = false;
    fn finish<'a, O: Send>(
        cell: Cell<'a>,
        mut row: impl FnMut(Vec<Cell<'a>>) -> Result<O>,
        missing: impl FnOnce() -> Error,
    ) -> Result<O> {
        match cell {
            Cell::List(items) => row(items),
            _ => Err(missing()),
        }
    }
}

impl Cardinality for Optional {
    type Output<O: Send> = Option<O>;
    const MANY: bool = false;
    fn finish<'a, O: Send>(
        cell: Cell<'a>,
        mut row: impl FnMut(Vec<Cell<'a>>) -> Result<O>,
        missing: impl FnOnce() -> Error,
    ) -> Result<Option<O>> {
        match cell {
            Cell::Null => Ok(None),
            Cell::List(items) => row(items).map(Some),
            _ => Err(missing()),
        }
    }
}

impl Cardinality for Many {
    type Output<O: Send> = Vec<O>;
    const MANY: bool = true;
    fn finish<'a, O: Send>(
        cell: Cell<'a>,
        mut row: impl FnMut(Vec<Cell<'a>>) -> Result<O>,
        missing: impl FnOnce() -> Error,
    ) -> Result<Vec<O>> {
        let Cell::List(rows) = cell else {
            return Err(missing());
        };
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            match r {
                Cell::List(items) => out.push(row(items)?),
                _ => return Err(malformed("a related row is not a JSON array")),
            }
        }
        Ok(out)
    }
}

/// A relation of table `P` to table `C`, with cardinality `K`; `S` is what each related
/// row decodes into: the row (`C`), or with [`include`](Self::include) the row and its
/// own relations (`(C, ..)`).
///
/// Made by the methods `#[derive(Table)]` generates from foreign keys: `n.author()` on
/// the referencing table's columns, `u.notes()` (through the generated trait
/// `NoteRelations`) on the referenced one's. Handed to a chain's `include`.
///
/// `#[d1orm(references(User::id))]` on `Note::author_id` gives notes a belongs-to
/// relation, `n.author()`, and users a has-many one, `u.notes()` (a has-one, `u.note()`,
/// when the key is UNIQUE). A chain's `include` adds one correlated subquery per
/// relation to its `SELECT`, which builds the related rows as JSON: `json_array` of the
/// columns by position (never `json_object`, whose two arguments per column would pass
/// D1's limit of 32 function arguments at 16 columns; rows wider than 32 items nest
/// arrays of at most 32), gathered with `json_group_array` over an ordered, limited
/// inner `SELECT` for a has-many. However many parents a page holds, it is one
/// statement, never one per parent.
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
///     #[d1orm(references(User::id), on_delete = "cascade")]
///     author_id: i64,
///     title: String,
/// }
///
/// async fn pages<B: Backend>(db: &Database<B>) -> d1orm::Result<()> {
///     // Each note with its author: `(Note, User)`.
///     let notes = db.notes().include(|n| n.author()).many().await?;
///     // Each user with their five latest notes: `(User, Vec<Note>)`.
///     let users = db
///         .users()
///         .include(|u| u.notes().order_by(|n| n.id.desc()).limit(5))
///         .many()
///         .await?;
///     for (user, notes) in users.rows {
///         println!("{}: {} notes", user.name, notes.len());
///     }
///     # let _ = notes;
///     Ok(())
/// }
/// ```
///
/// Each `include` adds one element to the row's tuple: `C` for a belongs-to on a NOT
/// NULL key ([`One`]), `Option<C>` for a nullable key or a has-one ([`Optional`]),
/// `Vec<C>` for a has-many ([`Many`]).
///
/// # Failure
/// A related row's value that does not decode is an error naming its table and column;
/// a NOT NULL key with no row behind it is one naming the key.
pub struct Relation<P, C, K, S = AllColumns> {
    /// The relation's name, for errors.
    name: &'static str,
    /// The parent's column the key is compared with: the foreign key on a belongs-to,
    /// the referenced column on a has-many.
    parent_key: &'static str,
    /// The related table's column on the other side.
    child_key: &'static str,
    filter: Option<Fragment>,
    order: Vec<String>,
    order_error: Option<Box<Error>>,
    limit: Option<u64>,
    offset: Option<u64>,
    shape: S,
    _marker: Marker<P, C, K>,
}

/// The relation's tables and cardinality, as types only.
type Marker<P, C, K> = PhantomData<fn() -> (P, C, K)>;

impl<P, C, K, S: Clone> Clone for Relation<P, C, K, S> {
    fn clone(&self) -> Self {
        Relation {
            name: self.name,
            parent_key: self.parent_key,
            child_key: self.child_key,
            filter: self.filter.clone(),
            order: self.order.clone(),
            order_error: self.order_error.clone(),
            limit: self.limit,
            offset: self.offset,
            shape: self.shape.clone(),
            _marker: PhantomData,
        }
    }
}

impl<P, C, K, S> std::fmt::Debug for Relation<P, C, K, S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Relation")
            .field("name", &self.name)
            .field("parent_key", &self.parent_key)
            .field("child_key", &self.child_key)
            .finish_non_exhaustive()
    }
}

impl<P, C, K, S> Relation<P, C, K, S> {
    /// The relation's name, the parent's key column, the related table's, the related
    /// rows' filter, limit and offset: what `exists` (`subquery.rs`) is built from.
    pub(crate) fn correlation(&self) -> Correlation<'_> {
        Correlation {
            name: self.name,
            parent_key: self.parent_key,
            child_key: self.child_key,
            filter: self.filter.as_ref(),
            limit: self.limit,
            offset: self.offset,
        }
    }
}

/// See [`Relation::correlation`].
pub(crate) struct Correlation<'r> {
    pub(crate) name: &'static str,
    pub(crate) parent_key: &'static str,
    pub(crate) child_key: &'static str,
    pub(crate) filter: Option<&'r Fragment>,
    pub(crate) limit: Option<u64>,
    pub(crate) offset: Option<u64>,
}

impl<P, C, K> Relation<P, C, K> {
    /// The relation `name` matching `parent_key` of `P` with `child_key` of `C`.
    #[doc(hidden)]
    pub fn __new(name: &'static str, parent_key: &'static str, child_key: &'static str) -> Self {
        Relation {
            name,
            parent_key,
            child_key,
            filter: None,
            order: Vec::new(),
            order_error: None,
            limit: None,
            offset: None,
            shape: AllColumns,
            _marker: PhantomData,
        }
    }
}

impl<P, C: Table, K, S> Relation<P, C, K, S> {
    /// Loads the related rows' own relations with them: each related row decodes as
    /// `(C, ..)`, as a chain's `include` makes it; up to four, nested to any depth.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/library.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = library().await?;
    /// // Books, each with its author and that author's bio, in one statement.
    /// let rows = db.books().include(|b| b.author().include(|a| a.bio())).order_by(|b| b.id.asc()).many().await?.rows;
    /// let (_, (author, bio)) = &rows[0];
    /// assert_eq!((author.name.as_str(), bio.is_some()), ("Le Guin", true));
    /// # Ok(()) }
    /// ```
    pub fn include<I: Related<C>>(
        self,
        relation: impl FnOnce(&C::Columns) -> I,
    ) -> Relation<P, C, K, S::Next>
    where
        S: Include<I>,
    {
        Relation {
            name: self.name,
            parent_key: self.parent_key,
            child_key: self.child_key,
            filter: self.filter,
            order: self.order,
            order_error: self.order_error,
            limit: self.limit,
            offset: self.offset,
            shape: self.shape.include(relation(&C::columns())),
            _marker: PhantomData,
        }
    }
}

impl<P: Table, C: Table, K, S> Relation<P, C, K, S> {
    /// What a join matches on: the relation's name, the parent's key column and the
    /// related table's (unquoted).
    ///
    /// # Failure
    /// The relation chooses, orders or limits its rows, which a join does with its own
    /// `where_`, `order_by` and `limit`.
    pub(crate) fn join_keys(&self) -> Result<(&'static str, &'static str, &'static str)> {
        let chosen = self.filter.is_some()
            || !self.order.is_empty()
            || self.limit.is_some()
            || self.offset.is_some();
        if chosen {
            return Err(Error::d1(
                crate::Prefix::Error,
                format!(
                    "relation {} of {} is joined with where_, order_by, limit or offset of its own: \
                     filter, order and limit the join itself",
                    self.name,
                    P::NAME
                ),
            ));
        }
        Ok((self.name, self.parent_key, self.child_key))
    }
}

/// A has-many relation chooses, orders and limits its rows as a chain does.
impl<P, C: Table, S> Relation<P, C, Many, S> {
    /// Keeps the related rows matching the condition (ANDed with earlier ones).
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/library.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = library().await?;
    /// let (_, recent) = db.authors().include(|a| a.books().where_(|b| b.year.gt(1970))).where_(|a| a.id.eq(1)).one().await?;
    /// assert_eq!(recent.len(), 1);
    /// # Ok(()) }
    /// ```
    pub fn where_(mut self, condition: impl FnOnce(&C::Columns) -> Condition<C>) -> Self {
        Fragment::and_into(&mut self.filter, condition(&C::columns()).fragment);
        self
    }

    /// Keeps the related rows matching the condition when there is one, for filters
    /// chosen at run time (as a chain's `where_opt`).
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/library.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = library().await?;
    /// let since: Option<i64> = None;
    /// let (_, books) = db.authors().include(|a| a.books().where_opt(|b| since.map(|y| b.year.gte(y)))).where_(|a| a.id.eq(1)).one().await?;
    /// assert_eq!(books.len(), 2);
    /// # Ok(()) }
    /// ```
    pub fn where_opt(self, condition: impl FnOnce(&C::Columns) -> Option<Condition<C>>) -> Self {
        match condition(&C::columns()) {
            Some(c) => self.where_(|_| c),
            None => self,
        }
    }

    /// Orders the related rows (keys appended after earlier ones). Without an order
    /// they come in the order the database reads them.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/library.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = library().await?;
    /// let (_, books) = db.authors().include(|a| a.books().order_by(|b| b.year.desc())).where_(|a| a.id.eq(1)).one().await?;
    /// assert_eq!(books[0].title, "The Dispossessed");
    /// # Ok(()) }
    /// ```
    pub fn order_by<O: IntoOrder<C>>(mut self, keys: impl FnOnce(&C::Columns) -> O) -> Self {
        for key in keys(&C::columns()).into_order() {
            if self.order_error.is_none() {
                self.order_error = key.error;
            }
            self.order.push(key.sql);
        }
        self
    }

    /// At most `n` related rows for each parent.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/library.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = library().await?;
    /// let (_, latest) = db.authors().include(|a| a.books().order_by(|b| b.year.desc()).limit(1)).where_(|a| a.id.eq(1)).one().await?;
    /// assert_eq!(latest.len(), 1);
    /// # Ok(()) }
    /// ```
    pub fn limit(mut self, n: u64) -> Self {
        self.limit = Some(n);
        self
    }

    /// Skips the first `n` related rows of each parent.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/library.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = library().await?;
    /// let (_, rest) = db.authors().include(|a| a.books().order_by(|b| b.year.asc()).offset(1)).where_(|a| a.id.eq(1)).one().await?;
    /// assert_eq!(rest[0].year, 1974);
    /// # Ok(()) }
    /// ```
    pub fn offset(mut self, n: u64) -> Self {
        self.offset = Some(n);
        self
    }
}

/// Something `include` loads with each row of table `P`: a [`Relation`] from `P`'s
/// columns.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/library.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = library().await?;
/// // `b.author()` is a relation of books; `include` takes relations of the rows it reads.
/// let pairs = db.books().include(|b| b.author()).many().await?.rows;
/// assert_eq!(pairs.len(), 3);
/// # Ok(()) }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a relation of `{P}`",
    label = "not a relation of the rows being read",
    note = "`include` takes a relation from the closure's columns, such as `|n| n.author()`; relations come from `#[d1orm(references(Table::column))]`"
)]
pub trait Related<P>: Clone + Send {
    /// What each parent row gets.
    type Output: Send;
    /// Whether the relation can be written in SQL.
    #[doc(hidden)]
    fn check(&self, depth: usize) -> Result<()>;
    /// Appends the correlated subquery; `outer` names the parent row's table.
    #[doc(hidden)]
    fn write_subquery(&self, sql: &mut String, outer: &str, depth: usize);
    /// Appends the subquery's parameters, in the order of its SQL.
    #[doc(hidden)]
    fn write_params(&self, params: &mut ParamValues);
    /// Decodes the subquery's value.
    #[doc(hidden)]
    fn decode_cell(&self, cell: Cell<'_>) -> Result<Self::Output>;
}

impl<P: Table, C: Table, K: Cardinality, S: Shape<C>> Related<P> for Relation<P, C, K, S> {
    type Output = K::Output<S::Output>;

    fn check(&self, depth: usize) -> Result<()> {
        if let Some(e) = self.filter.as_ref().and_then(|f| f.error.as_deref()) {
            return Err(e.clone());
        }
        if let Some(e) = &self.order_error {
            return Err((**e).clone());
        }
        if depth > MAX_DEPTH {
            return Err(Error::d1(
                crate::Prefix::Error,
                format!("includes nest more than {MAX_DEPTH} deep"),
            ));
        }
        if self.shape.items() > FUNCTION_ARGS * FUNCTION_ARGS {
            return Err(Error::d1(
                crate::Prefix::Error,
                format!(
                    "relation {} of {}: a row of {} items is too wide to build as JSON",
                    self.name,
                    P::NAME,
                    self.shape.items()
                ),
            ));
        }
        self.shape.check(depth)
    }

    fn write_subquery(&self, sql: &mut String, outer: &str, depth: usize) {
        let alias = format!("\"d1orm_{depth}\"");
        let mut items = Vec::with_capacity(self.shape.items());
        self.shape.items_sql(&alias, depth, &mut items);
        if K::MANY {
            // The inner SELECT orders and limits; its rows are gathered in that order
            // (SQLite never flattens an ordered subquery into an aggregate). A row read
            // from a subquery is text to JSON functions: `json()` makes it JSON again.
            sql.push_str("(SELECT json_group_array(json(\"d1orm_j\")) FROM ");
        }
        sql.push_str("(SELECT ");
        json_array(sql, &items);
        if K::MANY {
            sql.push_str(" AS \"d1orm_j\"");
        }
        sql.push_str(" FROM ");
        sql.push_str(C::QUOTED_NAME);
        sql.push_str(" AS ");
        sql.push_str(&alias);
        sql.push_str(" WHERE ");
        sql.push_str(&alias);
        sql.push('.');
        sql.push_str(&super::quote_identifier(self.child_key));
        sql.push_str(" = ");
        sql.push_str(outer);
        sql.push('.');
        sql.push_str(&super::quote_identifier(self.parent_key));
        if let Some(filter) = &self.filter {
            sql.push_str(" AND (");
            sql.push_str(&filter.sql);
            sql.push(')');
        }
        for (i, key) in self.order.iter().enumerate() {
            sql.push_str(if i == 0 { " ORDER BY " } else { ", " });
            sql.push_str(key);
        }
        let mut digits = itoa::Buffer::new();
        match (self.limit, self.offset, K::MANY) {
            (Some(l), _, true) => {
                sql.push_str(" LIMIT ");
                sql.push_str(digits.format(l));
            }
            (None, Some(_), true) => sql.push_str(" LIMIT -1"),
            (None, None, true) => {}
            // A key matches one row of a belongs-to, or of a has-one's UNIQUE column.
            (_, _, false) => sql.push_str(" LIMIT 1"),
        }
        if let (Some(o), true) = (self.offset, K::MANY) {
            sql.push_str(" OFFSET ");
            sql.push_str(digits.format(o));
        }
        sql.push(')');
        if K::MANY {
            sql.push(')');
        }
    }

    fn write_params(&self, params: &mut ParamValues) {
        // The row's nested subqueries come before this one's WHERE.
        self.shape.write_params(params);
        if let Some(filter) = &self.filter {
            push_cloned(params, &filter.params);
        }
    }

    fn decode_cell(&self, cell: Cell<'_>) -> Result<Self::Output> {
        let items = self.shape.items();
        K::finish(
            cell,
            |row| self.shape.decode_items(unchunk(row, items)?),
            || {
                DecodeError::new(format!(
                    "relation {}: {}.{} refers to no row of {}",
                    self.name,
                    P::NAME,
                    self.parent_key,
                    C::NAME
                ))
                .in_column(self.parent_key)
                .in_table(P::NAME)
                .into()
            },
        )
    }
}

/// `json_array(a, b, ..)`, or with more than 32 items `json_array(json_array(..32),
/// json_array(..), ..)`: no call takes more than D1's 32 arguments.
fn json_array(sql: &mut String, items: &[String]) {
    sql.push_str("json_array(");
    if items.len() <= FUNCTION_ARGS {
        sql.push_str(&items.join(", "));
    } else {
        for (i, chunk) in items.chunks(FUNCTION_ARGS).enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push_str("json_array(");
            sql.push_str(&chunk.join(", "));
            sql.push(')');
        }
    }
    sql.push(')');
}

/// A related row's items, flattened when [`json_array`] nested them.
fn unchunk(row: Vec<Cell<'_>>, items: usize) -> Result<Vec<Cell<'_>>> {
    let flat = if items <= FUNCTION_ARGS {
        row
    } else {
        let mut flat = Vec::with_capacity(items);
        for chunk in row {
            match chunk {
                Cell::List(part) => flat.extend(part),
                _ => return Err(malformed("a wide related row is not nested arrays")),
            }
        }
        flat
    };
    if flat.len() == items {
        Ok(flat)
    } else {
        Err(malformed(&format!(
            "a related row has {} items where {items} were expected",
            flat.len()
        )))
    }
}

/// What each related row is built of and decodes into: its columns ([`AllColumns`]),
/// then its own included relations ([`Including`]).
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/library.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = library().await?;
/// // A related row is its columns, then its own includes: here (Book, Option<Author>).
/// let (_, books) = db.authors().include(|a| a.books().include(|b| b.editor())).where_(|a| a.id.eq(1)).one().await?;
/// assert_eq!(books.iter().filter(|(_, editor)| editor.is_some()).count(), 1);
/// # Ok(()) }
/// ```
pub trait Shape<C>: Clone + Send {
    /// The Rust value of one related row.
    type Output: Send;
    /// How many JSON items a row has.
    #[doc(hidden)]
    fn items(&self) -> usize;
    #[doc(hidden)]
    fn check(&self, depth: usize) -> Result<()>;
    /// Pushes each item's SQL: the columns of the row `alias` names, then the nested
    /// relations' subqueries.
    #[doc(hidden)]
    fn items_sql(&self, alias: &str, depth: usize, items: &mut Vec<String>);
    #[doc(hidden)]
    fn write_params(&self, params: &mut ParamValues);
    #[doc(hidden)]
    fn decode_items(&self, items: Vec<Cell<'_>>) -> Result<Self::Output>;
}

impl<C: Table> Shape<C> for AllColumns {
    type Output = C;
    fn items(&self) -> usize {
        C::COLUMNS.len()
    }
    fn check(&self, _depth: usize) -> Result<()> {
        Ok(())
    }
    fn items_sql(&self, alias: &str, _depth: usize, items: &mut Vec<String>) {
        for column in C::COLUMNS {
            let quoted = format!("{alias}.{}", super::quote_identifier(column.name));
            items.push(if is_blob(column.sql_type) {
                // JSON holds no bytes: a BLOB travels as hex (NULL stays NULL, where
                // `hex(NULL)` would be '').
                format!("CASE WHEN {quoted} IS NULL THEN NULL ELSE hex({quoted}) END")
            } else {
                quoted
            });
        }
    }
    fn write_params(&self, _params: &mut ParamValues) {}
    fn decode_items(&self, mut items: Vec<Cell<'_>>) -> Result<C> {
        for (cell, column) in items.iter_mut().zip(C::COLUMNS) {
            if let (true, Cell::Text(hex)) = (is_blob(column.sql_type), &*cell) {
                let bytes = from_hex(hex).ok_or_else(|| {
                    Error::from(
                        DecodeError::new("the related row's bytes are not hex")
                            .in_column(column.name)
                            .in_table(C::NAME),
                    )
                })?;
                *cell = Cell::Blob(bytes);
            }
        }
        C::decode_row(&Cells(&items), 0)
    }
}

fn is_blob(sql_type: &str) -> bool {
    sql_type.eq_ignore_ascii_case("BLOB")
}

fn from_hex(hex: &str) -> Option<Vec<u8>> {
    let digit = |b: u8| (b as char).to_digit(16);
    let bytes = hex.as_bytes();
    if !bytes.len().is_multiple_of(2) {
        return None;
    }
    bytes
        .chunks(2)
        .map(|pair| Some((digit(pair[0])? * 16 + digit(pair[1])?) as u8))
        .collect()
}

/// The rows of a chain, or of a relation, with their included relations: each row
/// decodes as `(T, A, ..)`, the row then one value per relation in the order they were
/// included.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/library.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = library().await?;
/// let (_, edited) = db.authors().include(|a| a.edited().include(|b| b.author())).where_(|a| a.id.eq(2)).one().await?;
/// assert_eq!(edited[0].1.name, "Le Guin");
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Including<L>(L);

/// A list of relations of `P` (a tuple of one to four): what [`Including`] holds.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/library.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = library().await?;
/// // Up to four includes on one level: (Book, Author, Option<Author>).
/// let (_, author, editor) = db.books().include(|b| b.author()).include(|b| b.editor()).where_(|b| b.id.eq(2)).one().await?;
/// assert_eq!((author.id, editor.map(|e| e.id)), (1, Some(2)));
/// # Ok(()) }
/// ```
pub trait RelationList<P>: Clone + Send {
    /// The row `H` followed by each relation's value.
    type With<H: Send>: Send;
    /// How many relations.
    const LEN: usize;
    #[doc(hidden)]
    fn check(&self, depth: usize) -> Result<()>;
    /// Pushes each relation's subquery, `outer` naming the parent.
    #[doc(hidden)]
    fn subqueries(&self, outer: &str, depth: usize, items: &mut Vec<String>);
    #[doc(hidden)]
    fn write_params(&self, params: &mut ParamValues);
    /// The row `head` with each relation decoded from its cell.
    #[doc(hidden)]
    fn decode_cells<H: Send>(&self, head: H, cells: Vec<Cell<'_>>) -> Result<Self::With<H>>;
}

macro_rules! relation_list {
    ($len:expr; $($name:ident $index:tt),+) => {
        impl<P, $($name: Related<P>),+> RelationList<P> for ($($name,)+) {
            type With<H: Send> = (H, $($name::Output,)+);
            const LEN: usize = $len;
            fn check(&self, depth: usize) -> Result<()> {
                $(self.$index.check(depth)?;)+
                Ok(())
            }
            fn subqueries(&self, outer: &str, depth: usize, items: &mut Vec<String>) {
                $(
                    let mut sql = String::new();
                    self.$index.write_subquery(&mut sql, outer, depth);
                    items.push(sql);
                )+
            }
            fn write_params(&self, params: &mut ParamValues) {
                $(self.$index.write_params(params);)+
            }
            fn decode_cells<H: Send>(&self, head: H, cells: Vec<Cell<'_>>) -> Result<Self::With<H>> {
                let mut cells = cells.into_iter();
                Ok((head, $(self.$index.decode_cell(cells.next().unwrap_or(Cell::Null))?,)+))
            }
        }
    };
}
relation_list!(1; A 0);
relation_list!(2; A 0, B 1);
relation_list!(3; A 0, B 1, C 2);
relation_list!(4; A 0, B 1, C 2, D 3);

impl<C: Table, L: RelationList<C>> Shape<C> for Including<L> {
    type Output = L::With<C>;
    fn items(&self) -> usize {
        C::COLUMNS.len() + L::LEN
    }
    fn check(&self, depth: usize) -> Result<()> {
        self.0.check(depth + 1)
    }
    fn items_sql(&self, alias: &str, depth: usize, items: &mut Vec<String>) {
        Shape::<C>::items_sql(&AllColumns, alias, depth, items);
        let start = items.len();
        self.0.subqueries(alias, depth + 1, items);
        // A subquery's value is text to `json_array`: `json()` embeds it as JSON.
        for item in &mut items[start..] {
            *item = format!("json({item})");
        }
    }
    fn write_params(&self, params: &mut ParamValues) {
        self.0.write_params(params);
    }
    fn decode_items(&self, mut items: Vec<Cell<'_>>) -> Result<Self::Output> {
        let cells = items.split_off(C::COLUMNS.len().min(items.len()));
        let head = Shape::<C>::decode_items(&AllColumns, items)?;
        self.0.decode_cells(head, cells)
    }
}

/// A chain with includes reads each row of `T`, then one JSON column per relation.
impl<T: Table, L: RelationList<T>> Projection<T> for Including<L> {
    type Output = L::With<T>;
    fn width(&self) -> usize {
        T::COLUMNS.len() + L::LEN
    }
    fn check(&self) -> Result<()> {
        self.0.check(1)
    }
    fn write_sql(&self, sql: &mut String) {
        sql.push_str(T::SELECT_LIST);
        let mut items = Vec::with_capacity(L::LEN);
        self.0.subqueries(T::QUOTED_NAME, 1, &mut items);
        for item in items {
            sql.push_str(", ");
            sql.push_str(&item);
        }
    }
    fn write_params(&self, params: &mut ParamValues) {
        self.0.write_params(params);
    }
    fn decode<R: Row + ?Sized>(&self, row: &R, offset: usize) -> Result<Self::Output> {
        let head = T::decode_row(row, offset)?;
        let mut cells = Vec::with_capacity(L::LEN);
        for i in 0..L::LEN {
            cells.push(match row.value(offset + T::COLUMNS.len() + i)? {
                ValueRef::Null => Cell::Null,
                ValueRef::Text(text) => parse(text).map_err(|e| e.located(T::NAME, "(include)"))?,
                _ => return Err(malformed("an included relation is not JSON text")),
            });
        }
        // The cells borrow the row's text; the rows they decode into own theirs.
        self.0.decode_cells(head, cells)
    }
}

/// What `include` adds a relation to: a chain reading whole rows ([`AllColumns`]), or
/// one with fewer than four includes.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/library.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = library().await?;
/// let n = db.books().include(|b| b.author()).include(|b| b.editor()).count().await?;
/// assert_eq!(n, 3);
/// # Ok(()) }
/// ```
#[diagnostic::on_unimplemented(
    message = "cannot include `{I}` here",
    label = "`include` needs whole rows and takes at most four relations",
    note = "`include` reads whole rows: call it before any `select`; nest further relations inside one (`u.notes().include(..)`) past four"
)]
pub trait Include<I> {
    /// The projection with the relation added.
    type Next;
    /// Adds the relation.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/library.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = library().await?;
    /// let rows = db.authors().include(|a| a.books()).include(|a| a.edited()).many().await?.rows;
    /// assert_eq!(rows.len(), 2);
    /// # Ok(()) }
    /// ```
    fn include(self, relation: I) -> Self::Next;
}

impl<I> Include<I> for AllColumns {
    type Next = Including<(I,)>;
    fn include(self, relation: I) -> Self::Next {
        Including((relation,))
    }
}

macro_rules! include_more {
    ($($name:ident $index:tt),+) => {
        impl<$($name,)+ I> Include<I> for Including<($($name,)+)> {
            type Next = Including<($($name,)+ I)>;
            fn include(self, relation: I) -> Self::Next {
                Including(($(self.0.$index,)+ relation))
            }
        }
    };
}
include_more!(A 0);
include_more!(A 0, B 1);
include_more!(A 0, B 1, C 2);

/// A value of the JSON that relations are built as: what `json_array` writes of SQL
/// values (no objects, no booleans), with hex text turned back into bytes for BLOB
/// columns. Not public API.
#[doc(hidden)]
#[derive(Debug, Clone, PartialEq)]
pub enum Cell<'a> {
    /// `null`
    Null,
    /// An integer, exact to 64 bits.
    Integer(i64),
    /// A number with a fraction or exponent.
    Real(f64),
    /// A string, borrowed when it has no escapes.
    Text(Cow<'a, str>),
    /// A BLOB column's bytes (sent as hex).
    Blob(Vec<u8>),
    /// An array: a row, or a has-many's rows.
    List(Vec<Cell<'a>>),
}

/// A related row's items as a [`Row`], for `Table::decode_row`.
struct Cells<'c, 'a>(&'c [Cell<'a>]);

impl Row for Cells<'_, '_> {
    fn column_count(&self) -> usize {
        self.0.len()
    }
    fn value(&self, index: usize) -> Result<ValueRef<'_>> {
        match self.0.get(index) {
            Some(Cell::Null) => Ok(ValueRef::Null),
            Some(Cell::Integer(i)) => Ok(ValueRef::Integer(*i)),
            Some(Cell::Real(f)) => Ok(ValueRef::Real(*f)),
            Some(Cell::Text(s)) => Ok(ValueRef::Text(s)),
            Some(Cell::Blob(b)) => Ok(ValueRef::Blob(b)),
            Some(Cell::List(_)) => {
                Err(DecodeError::new("a JSON array where a column value was expected").into())
            }
            None => Err(DecodeError::new(format!(
                "item {index} is missing from a related row of {} items",
                self.0.len()
            ))
            .into()),
        }
    }
}

#[cold]
fn malformed(what: &str) -> Error {
    DecodeError::new(format!("malformed relation JSON: {what}")).into()
}

/// Parses the JSON of an included relation.
///
/// Numbers keep SQLite's types: an integer (no fraction, no exponent) is read exactly as
/// an `i64`, any other number as the `f64` its text rounds to (SQLite writes 17
/// significant digits, and `9e999` for an infinity).
fn parse(text: &str) -> Result<Cell<'_>> {
    let mut p = Parser {
        text,
        bytes: text.as_bytes(),
        at: 0,
    };
    let value = p.value(0)?;
    p.space();
    if p.at != p.bytes.len() {
        return Err(p.error("text after the value"));
    }
    Ok(value)
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Parser<'a> {
    fn error(&self, what: &str) -> Error {
        malformed(&format!("{what} at byte {}", self.at))
    }

    fn space(&mut self) {
        while self
            .bytes
            .get(self.at)
            .is_some_and(|b| b.is_ascii_whitespace())
        {
            self.at += 1;
        }
    }

    fn value(&mut self, depth: usize) -> Result<Cell<'a>> {
        // Deeper than includes can nest: not JSON d1orm wrote.
        if depth > 2 * MAX_DEPTH + 4 {
            return Err(self.error("nesting too deep"));
        }
        self.space();
        match self.bytes.get(self.at) {
            Some(b'n') if self.text[self.at..].starts_with("null") => {
                self.at += 4;
                Ok(Cell::Null)
            }
            Some(b'"') => self.string().map(Cell::Text),
            Some(b'[') => {
                self.at += 1;
                let mut items = Vec::new();
                self.space();
                if self.bytes.get(self.at) == Some(&b']') {
                    self.at += 1;
                    return Ok(Cell::List(items));
                }
                loop {
                    items.push(self.value(depth + 1)?);
                    self.space();
                    match self.bytes.get(self.at) {
                        Some(b',') => self.at += 1,
                        Some(b']') => {
                            self.at += 1;
                            return Ok(Cell::List(items));
                        }
                        _ => return Err(self.error("expected `,` or `]`")),
                    }
                }
            }
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err(self.error("unexpected JSON")),
        }
    }

    fn number(&mut self) -> Result<Cell<'a>> {
        let start = self.at;
        while self
            .bytes
            .get(self.at)
            .is_some_and(|b| matches!(b, b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9'))
        {
            self.at += 1;
        }
        let token = &self.text[start..self.at];
        let integral = !token.contains(['.', 'e', 'E']);
        if let (true, Ok(i)) = (integral, token.parse::<i64>()) {
            return Ok(Cell::Integer(i));
        }
        token
            .parse::<f64>()
            .map(Cell::Real)
            .map_err(|_| self.error("a malformed number"))
    }

    fn string(&mut self) -> Result<Cow<'a, str>> {
        self.at += 1;
        let start = self.at;
        // Most strings have no escape: borrowed as they are.
        while let Some(&b) = self.bytes.get(self.at) {
            match b {
                b'"' => {
                    self.at += 1;
                    return Ok(Cow::Borrowed(&self.text[start..self.at - 1]));
                }
                b'\\' => break,
                _ => self.at += 1,
            }
        }
        let mut out = String::from(&self.text[start..self.at]);
        loop {
            let Some(&b) = self.bytes.get(self.at) else {
                return Err(self.error("an unterminated string"));
            };
            match b {
                b'"' => {
                    self.at += 1;
                    return Ok(Cow::Owned(out));
                }
                b'\\' => {
                    self.at += 1;
                    let escape = self.bytes.get(self.at).copied();
                    self.at += 1;
                    match escape {
                        Some(b'"') => out.push('"'),
                        Some(b'\\') => out.push('\\'),
                        Some(b'/') => out.push('/'),
                        Some(b'b') => out.push('\u{8}'),
                        Some(b'f') => out.push('\u{c}'),
                        Some(b'n') => out.push('\n'),
                        Some(b'r') => out.push('\r'),
                        Some(b't') => out.push('\t'),
                        Some(b'u') => {
                            let unit = self.hex4()?;
                            let c = if (0xD800..0xDC00).contains(&unit) {
                                // A surrogate pair.
                                if !self.text[self.at..].starts_with("\\u") {
                                    return Err(self.error("a lone surrogate"));
                                }
                                self.at += 2;
                                let low = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&low) {
                                    return Err(self.error("a lone surrogate"));
                                }
                                char::from_u32(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))
                            } else {
                                char::from_u32(unit)
                            };
                            out.push(c.ok_or_else(|| self.error("a lone surrogate"))?);
                        }
                        _ => return Err(self.error("an unknown escape")),
                    }
                }
                _ => {
                    // Copy up to the next quote or backslash (UTF-8 stays whole: both
                    // are ASCII).
                    let from = self.at;
                    while self
                        .bytes
                        .get(self.at)
                        .is_some_and(|&b| b != b'"' && b != b'\\')
                    {
                        self.at += 1;
                    }
                    out.push_str(&self.text[from..self.at]);
                }
            }
        }
    }

    fn hex4(&mut self) -> Result<u32> {
        let digits = self
            .text
            .get(self.at..self.at + 4)
            .ok_or_else(|| self.error("a short \\u escape"))?;
        let unit =
            u32::from_str_radix(digits, 16).map_err(|_| self.error("a malformed \\u escape"))?;
        self.at += 4;
        Ok(unit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_what_json_array_writes() {
        let cell = parse(r#"[1,-9223372036854775808,0.30000000000000004,9e999,"a\"b\u00e9\ud83d\ude00",null,[]]"#)
            .unwrap();
        assert_eq!(
            cell,
            Cell::List(vec![
                Cell::Integer(1),
                Cell::Integer(i64::MIN),
                Cell::Real(0.1 + 0.2),
                Cell::Real(f64::INFINITY),
                Cell::Text("a\"bé😀".into()),
                Cell::Null,
                Cell::List(vec![]),
            ])
        );
        assert!(parse("[1,").is_err());
        assert!(parse("{\"a\":1}").is_err());
        assert!(parse("[1] x").is_err());
        assert!(parse("\"\\ud800\"").is_err());
    }

    #[test]
    fn hex_round_trips() {
        assert_eq!(from_hex("00FFa1"), Some(vec![0, 255, 0xa1]));
        assert_eq!(from_hex("0"), None);
        assert_eq!(from_hex("zz"), None);
    }

    #[test]
    fn wide_rows_nest_arrays_of_32() {
        let items: Vec<String> = (0..40).map(|i| i.to_string()).collect();
        let mut sql = String::new();
        json_array(&mut sql, &items);
        assert!(sql.starts_with("json_array(json_array(0, 1,"));
        assert!(sql.ends_with("31), json_array(32, 33, 34, 35, 36, 37, 38, 39))"));
    }
}
