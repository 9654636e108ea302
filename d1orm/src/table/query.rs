//! The typed chain: filters, ordering, limits, projections, reads and writes on one
//! table.

use std::marker::PhantomData;

use super::column::{Assignment, Order};
use super::condition::{Condition, Fragment};
use super::decoders::{
    Count, Distinct, Exists, First, Many, One, ReadKind, ReadRows, WriteRows, count_statement,
};
use super::projection::{AllColumns, Projection};
use super::write::{insert_statements, push_returning};
use super::{PrimaryKey, Table};
use smallvec::smallvec;

use crate::backend::{
    ParamValues, QueryBackend, Sql, Statement, Statements, append_params, push_cloned,
};
use crate::batch::{Pending, WriteTarget, within_budget};
use crate::error::{Error, Result};

/// The chain has no filter yet: `update` and `delete` are not available.
///
/// ```compile_fail
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # async fn staged(db: d1orm::Database<d1orm_sqlite::SqliteBackend>) -> d1orm::Result<()> {
/// // An unfiltered chain has no `update` (nor `delete`): say `where_` or `all_rows()`.
/// db.users().update(|u| u.age.add(1)).await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Unfiltered;

/// The chain has a filter, or said `all_rows()`: `update` and `delete` are available.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// db.users().where_(|u| u.id.eq(2)).delete().await?;      // filtered
/// db.users().all_rows().update(|u| u.age.add(1)).await?;  // every row, said explicitly
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Filtered;

/// The chain groups its rows (`group_by`): reads give one row per group, and `having`
/// filters the groups; `update` and `delete` are not available.
///
/// ```compile_fail
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # async fn staged(db: d1orm::Database<d1orm_sqlite::SqliteBackend>) -> d1orm::Result<()> {
/// // A grouped chain reads groups; it cannot update rows.
/// db.users().group_by(|u| u.age).update(|u| u.age.add(1)).await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Grouped;

/// What a chain's state becomes once filtered (`where_`, `all_rows`): a filter makes
/// an unfiltered chain writable and leaves a grouped one grouped, so a filter added after
/// `group_by` does not bring back `update` and `delete`.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// use d1orm::table::count;
/// // Still grouped after the filter: one row per age.
/// let per_age: Vec<(i64, i64)> = db.users()
///     .group_by(|u| u.age)
///     .where_(|u| u.age.gte(18))
///     .select(|u| (u.age, count()))
///     .many().await?.rows;
/// assert_eq!(per_age, [(36, 1)]);
/// # Ok(()) }
/// ```
///
/// ```compile_fail
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # async fn staged(db: d1orm::Database<d1orm_sqlite::SqliteBackend>) -> d1orm::Result<()> {
/// db.users().group_by(|u| u.age).where_(|u| u.age.gte(18)).delete().await?;
/// # Ok(()) }
/// ```
pub trait FilterState: filter_state::Sealed {
    /// The state after a filter.
    type Filtered;
}
impl FilterState for Unfiltered {
    type Filtered = Filtered;
}
impl FilterState for Filtered {
    type Filtered = Filtered;
}
impl FilterState for Grouped {
    type Filtered = Grouped;
}

mod filter_state {
    pub trait Sealed {}
    impl Sealed for super::Unfiltered {}
    impl Sealed for super::Filtered {}
    impl Sealed for super::Grouped {}
}

/// A chain state on which writes to existing rows are allowed.
///
/// ```compile_fail
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # async fn staged(db: d1orm::Database<d1orm_sqlite::SqliteBackend>) -> d1orm::Result<()> {
/// // `delete` needs a chain whose state implements HasFilter.
/// db.users().limit(1).delete().await?;
/// # Ok(()) }
/// ```
#[diagnostic::on_unimplemented(
    message = "`update` and `delete` need a filtered chain, and this one is `{Self}`",
    label = "needs `where_` or `all_rows`, and no `group_by`",
    note = "add `.where_(|t| ...)` to choose rows, or `.all_rows()` to change every row; a chain grouped with `group_by` reads groups and cannot write rows"
)]
pub trait HasFilter {}
impl HasFilter for Filtered {}

/// No `RETURNING` clause.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// // Without `returning`, a write gives no rows, only its meta.
/// let w = db.users().where_(|u| u.id.eq(1)).update(|u| u.age.add(1)).await?;
/// assert_eq!(w.changes(), 1);
/// # Ok(()) }
/// ```
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

/// A copy of a chain's ordering keys; most chains have none, and copying an empty
/// `Vec` through `clone` costs more than making one.
fn clone_order(order: &[String]) -> Vec<String> {
    if order.is_empty() {
        Vec::new()
    } else {
        order.to_vec()
    }
}

/// Assignments for `update`: one [`Assignment`], a tuple of them, or a `Vec`.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// // One assignment, a tuple of them, or a Vec.
/// db.users().where_(|u| u.id.eq(1)).update(|u| u.age.add(1)).await?;
/// db.users().where_(|u| u.id.eq(1)).update(|u| (u.age.set(40), u.nickname.set(None))).await?;
/// db.users().where_(|u| u.id.eq(1)).update(|u| vec![u.age.sub(1)]).await?;
/// # Ok(()) }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` does not assign columns of `{T}`",
    label = "the assignments must be to columns of the table being updated"
)]
pub trait IntoAssignments<T> {
    /// The assignments, in order.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # fn main() {
    /// use d1orm::table::IntoAssignments;
    /// let assignments = (User::columns().age.set(1), User::columns().nickname.set("x")).into_assignments();
    /// assert_eq!(assignments.len(), 2);
    /// # }
    /// ```
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
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// // One key, a tuple of them, or a Vec.
/// db.users().order_by(|u| u.age.desc()).many().await?;
/// db.users().order_by(|u| (u.nickname.asc().nulls_last(), u.id.desc())).many().await?;
/// # Ok(()) }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` does not order rows of `{T}`",
    label = "the keys must be columns of the table being read"
)]
pub trait IntoOrder<T> {
    /// The keys, most significant first.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # fn main() {
    /// use d1orm::table::IntoOrder;
    /// let keys = (User::columns().age.desc(), User::columns().id.asc()).into_order();
    /// assert_eq!(keys.len(), 2);
    /// # }
    /// ```
    fn into_order(self) -> Vec<Order<T>>;
}

list_conversions!(IntoOrder, into_order, Order);

/// A chain on table `T`: an immutable value; every step returns a new chain, so a
/// partly built chain can be reused.
///
/// `F` records whether the chain is filtered, `S` what reads decode into, `R` what
/// writes return.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// // db.users() is a Query over `users`; each method gives a new chain.
/// let adults = db.users().where_(|u| u.age.gte(18));
/// let oldest_first = adults.order_by(|u| u.age.desc()).limit(10);
/// let emails: Vec<String> = oldest_first.select(|u| u.email).many().await?.rows;
/// assert_eq!(emails, ["ada@example.com"]);
/// # Ok(()) }
/// ```
pub struct Query<'db, B, T, F = Unfiltered, S = AllColumns, R = NoReturning> {
    backend: &'db B,
    filter: Option<Fragment>,
    order: Vec<String>,
    /// Why an ordering key cannot be written in SQL (a JSON path key holding a NUL).
    order_error: Option<Box<Error>>,
    limit: Option<u64>,
    offset: Option<u64>,
    /// ` GROUP BY .. [HAVING ..]` with its parameters, once grouped.
    group: Option<Box<Fragment>>,
    select: S,
    returning: R,
    _marker: PhantomData<fn() -> (T, F)>,
}

impl<B, T, F, S: Clone, R: Clone> Clone for Query<'_, B, T, F, S, R> {
    fn clone(&self) -> Self {
        Query {
            backend: self.backend,
            filter: self.filter.clone(),
            order: clone_order(&self.order),
            order_error: self.order_error.clone(),
            limit: self.limit,
            offset: self.offset,
            group: self.group.clone(),
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

impl<'db, B, T: Table> Query<'db, B, T> {
    /// A chain over every row of `T`.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// use d1orm::table::Query;
    /// let q: Query<'_, _, User> = Query::new(db.backend());
    /// assert_eq!(q.count().await?, 2);
    /// # Ok(()) }
    /// ```
    pub fn new(backend: &'db B) -> Self {
        Query {
            backend,
            filter: None,
            order: Vec::new(),
            order_error: None,
            limit: None,
            offset: None,
            group: None,
            select: AllColumns,
            returning: NoReturning,
            _marker: PhantomData,
        }
    }
}

impl<'db, B, T: Table, F, S: Projection<T> + Clone, R: Projection<T> + Clone>
    Query<'db, B, T, F, S, R>
{
    fn with<F2, S2, R2>(&self, select: S2, returning: R2) -> Query<'db, B, T, F2, S2, R2> {
        Query {
            backend: self.backend,
            filter: self.filter.clone(),
            order: clone_order(&self.order),
            order_error: self.order_error.clone(),
            limit: self.limit,
            offset: self.offset,
            group: self.group.clone(),
            select,
            returning,
            _marker: PhantomData,
        }
    }

    /// Keeps the rows matching the condition (ANDed with earlier filters).
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// let adults: Vec<User> = db.users().where_(|u| u.age.gte(18)).many().await?.rows;
    /// assert_eq!(adults[0].email, "ada@example.com");
    /// # Ok(()) }
    /// ```
    pub fn where_(
        &self,
        condition: impl FnOnce(&T::Columns) -> Condition<T>,
    ) -> Query<'db, B, T, F::Filtered, S, R>
    where
        F: FilterState,
    {
        let mut next = self.with(self.select.clone(), self.returning.clone());
        next.and_filter(condition(&T::columns()).fragment);
        next
    }

    /// Keeps the rows matching the condition when there is one (ANDed with earlier
    /// filters), for filters chosen at run time: `.where_opt(|n| tag.map(|t| n.tag.eq(t)))`.
    /// The chain's type does not change, so optional filters compose in any number and
    /// order; and since `None` filters nothing, a chain filtered only this way is still
    /// unfiltered to `update` and `delete` (which need [`where_`](Self::where_) or
    /// [`all_rows`](Self::all_rows)).
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// let min_age: Option<i64> = Some(18);
    /// let tag: Option<&str> = None;
    /// let rows = db.users()
    ///     .where_opt(|u| min_age.map(|a| u.age.gte(a)))
    ///     .where_opt(|u| tag.map(|t| u.tags.contains(t)))
    ///     .many().await?.rows;
    /// assert_eq!(rows.len(), 1);
    /// # Ok(()) }
    /// ```
    pub fn where_opt(&self, condition: impl FnOnce(&T::Columns) -> Option<Condition<T>>) -> Self {
        let mut next = self.with(self.select.clone(), self.returning.clone());
        if let Some(condition) = condition(&T::columns()) {
            next.and_filter(condition.fragment);
        }
        next
    }

    fn and_filter(&mut self, new: Fragment) {
        Fragment::and_into(&mut self.filter, new);
    }

    /// Groups the rows by these columns (`GROUP BY`): a read then gives one row per
    /// group, selecting the keys and aggregates (`n.stars.sum()`, [`count()`](super::count)),
    /// and [`having`](Self::having) filters the groups. Filter rows with `where_` before
    /// grouping; a grouped chain cannot `update` or `delete`.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// use d1orm::table::count;
    /// let per_age: Vec<(i64, i64)> = db.users()
    ///     .group_by(|u| u.age)
    ///     .order_by(|u| u.age.asc())
    ///     .select(|u| (u.age, count()))
    ///     .many().await?.rows;
    /// assert_eq!(per_age, [(17, 1), (36, 1)]);
    /// # Ok(()) }
    /// ```
    pub fn group_by<K: IntoGroup<T>>(
        &self,
        keys: impl FnOnce(&T::Columns) -> K,
    ) -> Query<'db, B, T, Grouped, S, R> {
        let mut next = self.with(self.select.clone(), self.returning.clone());
        let mut sql = String::from(" GROUP BY ");
        keys(&T::columns()).write_group(&mut sql);
        next.group = Some(Box::new(Fragment::raw(sql)));
        next
    }

    /// Says explicitly that `update` or `delete` applies to every row (matched by the
    /// filters so far, if any).
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// let w = db.users().all_rows().update(|u| u.age.add(1)).await?;
    /// assert_eq!(w.changes(), 2);
    /// # Ok(()) }
    /// ```
    pub fn all_rows(&self) -> Query<'db, B, T, F::Filtered, S, R>
    where
        F: FilterState,
    {
        self.with(self.select.clone(), self.returning.clone())
    }

    /// Orders the rows (keys appended after earlier ones).
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// let emails: Vec<String> = db.users().order_by(|u| u.age.asc()).select(|u| u.email).many().await?.rows;
    /// assert_eq!(emails, ["bo@example.com", "ada@example.com"]);
    /// # Ok(()) }
    /// ```
    pub fn order_by<O: IntoOrder<T>>(&self, keys: impl FnOnce(&T::Columns) -> O) -> Self {
        let mut next = self.clone();
        for key in keys(&T::columns()).into_order() {
            if next.order_error.is_none() {
                next.order_error = key.error;
            }
            next.order.push(key.sql);
        }
        next
    }

    /// At most `n` rows (rendered as a literal: a bound LIMIT makes SQLite re-prepare
    /// the statement on every run).
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// let first: Vec<User> = db.users().order_by(|u| u.id.asc()).limit(1).many().await?.rows;
    /// assert_eq!(first[0].id, 1);
    /// # Ok(()) }
    /// ```
    pub fn limit(&self, n: u64) -> Self {
        let mut next = self.clone();
        next.limit = Some(n);
        next
    }

    /// Skips the first `n` rows.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// let second: Vec<User> = db.users().order_by(|u| u.id.asc()).limit(1).offset(1).many().await?.rows;
    /// assert_eq!(second[0].id, 2);
    /// # Ok(()) }
    /// ```
    pub fn offset(&self, n: u64) -> Self {
        let mut next = self.clone();
        next.offset = Some(n);
        next
    }

    /// Reads decode into a projection instead of the whole row: a column, a JSON path,
    /// or a tuple of those.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// let pairs: Vec<(i64, String)> = db.users().order_by(|u| u.id.asc()).select(|u| (u.id, u.email)).many().await?.rows;
    /// assert_eq!(pairs[0], (1, "ada@example.com".to_string()));
    /// # Ok(()) }
    /// ```
    pub fn select<P: Projection<T> + Clone>(
        &self,
        projection: impl FnOnce(&T::Columns) -> P,
    ) -> Query<'db, B, T, F, P, R> {
        self.with(projection(&T::columns()), self.returning.clone())
    }

    /// Reads decode into `P`, a struct deriving `FromRow` for this table.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// #[derive(Debug, d1orm::FromRow)]
    /// #[d1orm(table = User)]
    /// struct Contact { email: String, nickname: Option<String> }
    /// let contact: Contact = db.users().where_(|u| u.id.eq(1)).select_as::<Contact>().one().await?;
    /// assert_eq!(contact.nickname.as_deref(), Some("countess"));
    /// # Ok(()) }
    /// ```
    pub fn select_as<P: super::FromRow<T>>(&self) -> Query<'db, B, T, F, super::As<P>, R> {
        self.with(super::As::new(), self.returning.clone())
    }

    /// Reads load a relation with each row, in the same statement (a correlated
    /// subquery building JSON): `.include(|n| n.author())` reads `(Note, User)`,
    /// `.include(|u| u.notes().where_(..).order_by(..).limit(5))` reads
    /// `(User, Vec<Note>)`; a nullable foreign key or a has-one gives an `Option`. Each
    /// further `include` adds one value to the tuple (up to four); relations nest with
    /// their own `include`. See [`Relation`](super::Relation).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// use d1orm::{Database, Table, table::create_table_sql};
    /// #[derive(Debug, Table)]
    /// struct Author { #[d1orm(primary_key, auto_increment)] id: i64, name: String }
    /// #[derive(Debug, Table)]
    /// struct Book { #[d1orm(primary_key, auto_increment)] id: i64, #[d1orm(references(Author::id))] author_id: i64, title: String }
    ///
    /// let db = Database::new(d1orm_sqlite::SqliteBackend::open_in_memory()?);
    /// db.exec(&format!("{}\n{}", create_table_sql::<Author>(), create_table_sql::<Book>())).await?;
    /// db.authors().insert(NewAuthor::builder().name("Le Guin").build()).await?;
    /// db.books().insert(NewBook::builder().author_id(1).title("The Dispossessed").build()).await?;
    /// let (book, author) = db.books().include(|b| b.author()).one().await?;
    /// let (author2, books) = db.authors().include(|a| a.books()).one().await?;
    /// assert_eq!((author.name, books[0].title.as_str()), (author2.name, book.title.as_str()));
    /// # Ok(()) }
    /// ```
    pub fn include<I: super::Related<T>>(
        &self,
        relation: impl FnOnce(&T::Columns) -> I,
    ) -> Query<'db, B, T, F, S::Next, R>
    where
        S: super::Include<I>,
        S::Next: Projection<T> + Clone,
    {
        let select = self.select.clone().include(relation(&T::columns()));
        self.with(select, self.returning.clone())
    }

    /// Writes return these columns of every row they touch (`RETURNING`).
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// let ids: Vec<i64> = db.users().where_(|u| u.age.lt(18)).returning(|u| u.id).delete().await?.rows;
    /// assert_eq!(ids, [2]);
    /// # Ok(()) }
    /// ```
    pub fn returning<P: Projection<T> + Clone>(
        &self,
        projection: impl FnOnce(&T::Columns) -> P,
    ) -> Query<'db, B, T, F, S, P> {
        self.with(self.select.clone(), projection(&T::columns()))
    }

    /// Writes return every column of every row they touch, decoded as `T`.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// let new = db.users().returning_all().insert(NewUser::builder().email("cy@example.com").age(40).tags(vec![]).build()).await?;
    /// assert_eq!(new.rows[0].id, 3);
    /// # Ok(()) }
    /// ```
    pub fn returning_all(&self) -> Query<'db, B, T, F, S, AllColumns> {
        self.with(self.select.clone(), AllColumns)
    }

    fn where_sql(&self, sql: &mut String, params: &mut ParamValues) -> Result<()> {
        where_sql(self.filter.as_ref(), sql, params)
    }

    /// `SELECT <list> FROM <table> WHERE .. ORDER BY .. LIMIT ..`, built in one string:
    /// this runs on every read.
    fn select_statement(
        &self,
        head: &str,
        list: &dyn Fn(&mut String),
        limit: Option<u64>,
    ) -> Result<Statement> {
        select_statement(
            Clauses {
                filter: self.filter.as_ref(),
                group: self.group.as_deref(),
                order: &self.order,
                order_error: self.order_error.as_deref(),
                offset: self.offset,
            },
            T::QUOTED_NAME,
            head,
            list,
            limit,
        )
    }

    fn projected_statement<P: Projection<T>>(
        &self,
        projection: &P,
        head: &str,
        limit: Option<u64>,
    ) -> Result<Statements> {
        projection.check()?;
        let mut statement = self.select_statement(head, &|sql| projection.write_sql(sql), limit)?;
        // Parameters of the select list (an included relation's filters) come first.
        let mut params = ParamValues::new();
        projection.write_params(&mut params);
        if !params.is_empty() {
            append_params(&mut params, std::mem::take(&mut statement.params));
            statement.params = params;
        }
        within_budget(smallvec![statement])
    }

    fn returning_clause(&self) -> Result<Option<String>> {
        self.returning.check()?;
        Ok((self.returning.width() > 0).then(|| {
            let mut list = String::new();
            self.returning.write_sql(&mut list);
            list
        }))
    }

    fn update_statement(&self, assignments: Vec<Assignment<T>>) -> Result<Statements> {
        let mut sql = format!("UPDATE {} SET ", T::QUOTED_NAME);
        let mut params = ParamValues::new();
        push_assignments(&mut sql, &mut params, assignments, "update")?;
        self.where_sql(&mut sql, &mut params)?;
        push_returning(&mut sql, self.returning_clause()?.as_deref());
        Ok(smallvec![Statement::with_params(Sql::single(sql), params)])
    }

    fn delete_statement(&self) -> Result<Statements> {
        let mut sql = format!("DELETE FROM {}", T::QUOTED_NAME);
        let mut params = ParamValues::new();
        self.where_sql(&mut sql, &mut params)?;
        push_returning(&mut sql, self.returning_clause()?.as_deref());
        Ok(smallvec![Statement::with_params(Sql::single(sql), params)])
    }
}

// The SQL of a chain's clauses, apart from `Query`, whose five type parameters would
// compile a copy of it for every chain type.

/// What a chain adds to a `SELECT`.
struct Clauses<'a> {
    filter: Option<&'a Fragment>,
    group: Option<&'a Fragment>,
    order: &'a [String],
    order_error: Option<&'a Error>,
    offset: Option<u64>,
}

fn select_statement(
    clauses: Clauses<'_>,
    quoted_table: &str,
    head: &str,
    list: &dyn Fn(&mut String),
    limit: Option<u64>,
) -> Result<Statement> {
    if let Some(e) = clauses.order_error {
        return Err(e.clone());
    }
    let filter = clauses.filter.map_or(0, |f| f.sql.len() + 7);
    let mut sql = String::with_capacity(head.len() + 128 + quoted_table.len() + filter);
    sql.push_str(head);
    list(&mut sql);
    sql.push_str(" FROM ");
    sql.push_str(quoted_table);
    let mut params = ParamValues::new();
    where_sql(clauses.filter, &mut sql, &mut params)?;
    if let Some(group) = clauses.group {
        if let Some(e) = &group.error {
            return Err((**e).clone());
        }
        sql.push_str(&group.sql);
        push_cloned(&mut params, &group.params);
    }
    tail_sql(clauses.order, clauses.offset, &mut sql, limit);
    let mut sql = Sql::single(sql);
    if clauses.group.is_none() && clauses.filter.is_some_and(|f| f.one_row) {
        sql = sql.at_most_one_row();
    }
    Ok(Statement::with_params(sql, params))
}

/// The derive's lookup when the filter is its key condition alone (see
/// `Query::key_lookup`).
fn key_lookup(
    filter: &Fragment,
    order: &[String],
    offset: Option<u64>,
    condition: &str,
    find_sql: &'static str,
) -> Option<Statement> {
    let plain =
        order.is_empty() && offset.is_none() && filter.error.is_none() && filter.sql == condition;
    plain.then(|| {
        let mut params = ParamValues::new();
        push_cloned(&mut params, &filter.params);
        Statement::with_params(Sql::key_lookup(find_sql), params)
    })
}

fn where_sql(filter: Option<&Fragment>, sql: &mut String, params: &mut ParamValues) -> Result<()> {
    if let Some(filter) = filter {
        if let Some(e) = &filter.error {
            return Err((**e).clone());
        }
        sql.push_str(" WHERE ");
        sql.push_str(&filter.sql);
        push_cloned(params, &filter.params);
    }
    Ok(())
}

fn tail_sql(order: &[String], offset: Option<u64>, sql: &mut String, limit: Option<u64>) {
    for (i, key) in order.iter().enumerate() {
        sql.push_str(if i == 0 { " ORDER BY " } else { ", " });
        sql.push_str(key);
    }
    // `itoa`, not `write!`: the formatting machinery costs more than the rest of a
    // point lookup's SQL.
    let mut digits = itoa::Buffer::new();
    match (limit, offset) {
        (Some(l), _) => {
            sql.push_str(" LIMIT ");
            sql.push_str(digits.format(l));
        }
        (None, Some(_)) => sql.push_str(" LIMIT -1"),
        (None, None) => {}
    }
    if let Some(o) = offset {
        sql.push_str(" OFFSET ");
        sql.push_str(digits.format(o));
    }
}

/// Appends `a = x, b = y` for the assignments and their parameters. Several JSON-path
/// sets on one column nest into one expression; any other column assigned twice is an
/// error.
pub(crate) fn push_assignments<T>(
    sql: &mut String,
    params: &mut ParamValues,
    assignments: Vec<Assignment<T>>,
    what: &str,
) -> Result<()> {
    let mut sets: Vec<(&'static str, Fragment)> = Vec::new();
    for a in assignments {
        if let Some(e) = a.expr.error {
            return Err(*e);
        }
        match sets.iter_mut().find(|(c, _)| *c == a.column) {
            Some((column, earlier))
                if a.expr.sql.starts_with("json_set(")
                    || a.expr.sql.starts_with(super::json_path::GUARDED_SET) =>
            {
                // The earlier expression takes the column's place as the document: its
                // parameters come first.
                earlier.sql = a
                    .expr
                    .sql
                    .replacen(*column, &format!("({})", earlier.sql), 1)
                    .into();
                append_params(&mut earlier.params, a.expr.params);
            }
            Some((column, _)) => {
                return Err(Error::d1(
                    crate::Prefix::Error,
                    format!("column {column} is assigned twice in one {what}"),
                ));
            }
            None => sets.push((a.column, a.expr)),
        }
    }
    if sets.is_empty() {
        return Err(Error::d1(
            crate::Prefix::Error,
            format!("an {what} needs at least one assignment"),
        ));
    }
    for (i, (column, expr)) in sets.into_iter().enumerate() {
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push_str(column);
        sql.push_str(" = ");
        sql.push_str(&expr.sql);
        append_params(params, expr.params);
    }
    Ok(())
}

/// Reads: they run on a backend, never inside a staged batch.
impl<'db, B: QueryBackend, T: Table, F, S: Projection<T> + Clone + Send, R: Projection<T> + Clone>
    Query<'db, B, T, F, S, R>
{
    fn read<K: ReadKind<S::Output>>(
        &self,
        limit: Option<u64>,
    ) -> Pending<'db, B, ReadRows<T, S, K>> {
        let statements = match self.key_lookup() {
            Some(statement) => Ok(smallvec![statement]),
            None => self.projected_statement(&self.select, "SELECT ", limit),
        };
        Pending::new(self.backend, statements, ReadRows::new(self.select.clone()))
    }

    /// A whole-row read filtered on the primary key alone, with no order, limit or
    /// offset, as `where_(|u| u.id.eq(id))` makes it: it matches one row at most, so it
    /// runs the lookup the derive wrote, as [`find`](Self::find) does, and builds no SQL.
    /// (`first` and `one` add a limit of their own, which one row never reaches.)
    fn key_lookup(&self) -> Option<Statement> {
        let (condition, find_sql) = T::KEY_LOOKUP?;
        if self.select.every_column().is_none() || self.limit.is_some() || self.group.is_some() {
            return None;
        }
        key_lookup(
            self.filter.as_ref()?,
            &self.order,
            self.offset,
            condition,
            find_sql,
        )
    }

    /// Every matching row, with the statement's meta.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// let rows = db.users().where_(|u| u.tags.contains("rust")).many().await?;
    /// assert_eq!(rows.rows.len(), 1);
    /// assert!(rows.meta.rows_read > 0);          // D1 bills the rows a query reads
    /// # Ok(()) }
    /// ```
    ///
    /// # Failure
    /// The statement fails, or a row does not decode.
    pub fn many(&self) -> Pending<'db, B, ReadRows<T, S, Many>> {
        self.read(self.limit)
    }

    /// The first matching row, if any (`LIMIT 1` unless the chain has a limit).
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// let youngest: Option<User> = db.users().order_by(|u| u.age.asc()).first().await?;
    /// assert_eq!(youngest.map(|u| u.id), Some(2));
    /// # Ok(()) }
    /// ```
    ///
    /// # Failure
    /// As [`many`](Self::many).
    pub fn first(&self) -> Pending<'db, B, ReadRows<T, S, First>> {
        self.read(Some(self.limit.map_or(1, |l| l.min(1))))
    }

    /// Exactly one matching row.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// let ada: User = db.users().where_(|u| u.email.eq("ada@example.com")).one().await?;
    /// assert_eq!(ada.age, 36);
    /// let err = db.users().one().await.unwrap_err();    // two rows
    /// assert!(matches!(err, d1orm::Error::TooMany { .. }));
    /// # Ok(()) }
    /// ```
    ///
    /// # Failure
    /// [`Error::NotFound`] when no row matches, [`Error::TooMany`] when several do; as
    /// [`many`](Self::many) otherwise.
    pub fn one(&self) -> Pending<'db, B, ReadRows<T, S, One>> {
        self.read(Some(self.limit.map_or(2, |l| l.min(2))))
    }

    /// The number of matching rows (within `limit`/`offset` when set); on a grouped
    /// chain, the number of groups.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// assert_eq!(db.users().count().await?, 2);
    /// assert_eq!(db.users().where_(|u| u.nickname.is_null()).count().await?, 1);
    /// # Ok(()) }
    /// ```
    ///
    /// # Failure
    /// The statement fails.
    pub fn count(&self) -> Pending<'db, B, Count> {
        let statement = count_statement(
            self.limit.is_some() || self.offset.is_some() || self.group.is_some(),
            self.limit,
            |list, limit| self.select_statement("SELECT ", list, limit),
        );
        Pending::new(
            self.backend,
            statement.and_then(|s| within_budget(smallvec![s])),
            Count::new(T::NAME),
        )
    }

    /// Whether any row matches.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// assert!(db.users().where_(|u| u.age.gt(30)).exists().await?);
    /// assert!(!db.users().where_(|u| u.age.gt(60)).exists().await?);
    /// # Ok(()) }
    /// ```
    ///
    /// # Failure
    /// The statement fails.
    pub fn exists(&self) -> Pending<'db, B, Exists> {
        let statement = self
            .select_statement("SELECT ", &|sql| sql.push('1'), self.limit)
            .map(|inner| {
                Statement::with_params(format!("SELECT EXISTS ({})", &*inner.sql), inner.params)
            });
        Pending::new(
            self.backend,
            statement.and_then(|s| within_budget(smallvec![s])),
            Exists::new(T::NAME),
        )
    }

    /// The distinct values of one column (or projection) among matching rows.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// let ages: Vec<i64> = db.users().distinct(|u| u.age).await?;
    /// assert_eq!(ages.len(), 2);
    /// # Ok(()) }
    /// ```
    ///
    /// # Failure
    /// As [`many`](Self::many).
    pub fn distinct<P: Projection<T> + Clone + Send>(
        &self,
        projection: impl FnOnce(&T::Columns) -> P,
    ) -> Pending<'db, B, ReadRows<T, P, Distinct>> {
        let p = projection(&T::columns());
        let statements = self.projected_statement(&p, "SELECT DISTINCT ", self.limit);
        Pending::new(self.backend, statements, ReadRows::new(p))
    }
}

/// Lookups by primary key: whole rows only, so that the common case runs SQL the derive
/// wrote.
impl<'db, B: QueryBackend, T: Table, F, R: Projection<T> + Clone>
    Query<'db, B, T, F, AllColumns, R>
{
    /// The row whose primary key is `key`, if any, as Diesel's `find` and SeaORM's
    /// `find_by_id`. On a chain with no filter, order, limit or offset the statement is
    /// the derive's [`FIND_SQL`](PrimaryKey::FIND_SQL): nothing is built per call.
    /// Otherwise the key is one more filter and the chain reads as [`first`](Self::first).
    ///
    /// A table without a declared primary key has no `find`: it does not compile.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// let bo: Option<User> = db.users().find(2).await?;
    /// assert_eq!(bo.map(|u| u.email).as_deref(), Some("bo@example.com"));
    /// assert_eq!(db.users().find(9).await?, None);
    /// # Ok(()) }
    /// ```
    ///
    /// # Failure
    /// A key value that cannot be bound; as [`many`](Self::many) otherwise.
    pub fn find(&self, key: T::Key) -> Pending<'db, B, ReadRows<T, AllColumns, First>>
    where
        T: PrimaryKey,
    {
        let plain = self.filter.is_none()
            && self.order.is_empty()
            && self.limit.is_none()
            && self.offset.is_none();
        // Not built on the shared path (one more filter, then `first`, which `read` turns
        // into this same lookup): that costs a point lookup about 290 instructions more.
        if !plain {
            let mut chain = self.clone();
            chain.and_filter(match T::key_params(key) {
                Ok(params) => Fragment {
                    sql: T::KEY_CONDITION.into(),
                    params,
                    error: None,
                    // The whole primary key.
                    one_row: true,
                },
                Err(e) => Fragment {
                    error: Some(Box::new(e)),
                    ..Fragment::default()
                },
            });
            return chain.first();
        }
        let statement = T::key_params(key)
            .map(|params| Statement::with_params(Sql::key_lookup(T::FIND_SQL), params));
        Pending::new(
            self.backend,
            statement.and_then(|s| within_budget(smallvec![s])),
            ReadRows::new(AllColumns),
        )
    }
}

/// Writes: on a database they give a value to await or batch; on a [`Tx`](crate::Tx)
/// they are staged.
impl<'db, B: WriteTarget, T: Table, F, S: Projection<T> + Clone, R: Projection<T> + Clone + Send>
    Query<'db, B, T, F, S, R>
{
    /// Updates the matching rows.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// let w = db.users()
    ///     .where_(|u| u.id.eq(2))
    ///     .update(|u| (u.age.add(1), u.nickname.set("bo")))
    ///     .await?;
    /// assert_eq!(w.changes(), 1);
    /// # Ok(()) }
    /// ```
    ///
    /// # Failure
    /// A value that cannot be bound, no assignment, a column assigned twice, or the
    /// statement fails (a constraint, ...).
    pub fn update<A: IntoAssignments<T>>(
        &self,
        assignments: impl FnOnce(&T::Columns) -> A,
    ) -> B::Write<'db, WriteRows<T, R>>
    where
        F: HasFilter,
    {
        let statements = self.update_statement(assignments(&T::columns()).into_assignments());
        self.backend
            .write(statements, WriteRows::new(self.returning.clone()))
    }

    /// Deletes the matching rows.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// let w = db.users().where_(|u| u.age.lt(18)).delete().await?;
    /// assert_eq!(w.changes(), 1);
    /// # Ok(()) }
    /// ```
    ///
    /// # Failure
    /// The statement fails (a foreign key, ...).
    pub fn delete(&self) -> B::Write<'db, WriteRows<T, R>>
    where
        F: HasFilter,
    {
        self.backend.write(
            self.delete_statement(),
            WriteRows::new(self.returning.clone()),
        )
    }
}

impl<'db, B: WriteTarget, T: Table, S: Projection<T> + Clone, R: Projection<T> + Clone + Send>
    Query<'db, B, T, Unfiltered, S, R>
{
    /// Inserts one row.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// // Columns by name; `build` compiles once every required one is set.
    /// let row = NewUser::builder().email("cy@example.com").age(40).tags(vec!["sql".into()]).nickname("cy").build();
    /// let w = db.users().insert(row).await?;
    /// assert_eq!(w.last_row_id(), Some(3));
    /// # Ok(()) }
    /// ```
    ///
    /// # Failure
    /// A value that cannot be bound, or the statement fails (a constraint, ...).
    pub fn insert(&self, row: T::Insert) -> B::Write<'db, WriteRows<T, R>> {
        self.insert_many([row])
    }

    /// Inserts many rows atomically: multi-row statements of at most 100 parameters
    /// each, run in one batch.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// let rows = (0..300).map(|i| NewUser::builder().email(format!("user{i}@example.com")).age(i).tags(vec![]).build());
    /// let w = db.users().insert_many(rows).await?;    // split into statements, one atomic batch
    /// assert_eq!(w.changes(), 300);
    /// # Ok(()) }
    /// ```
    ///
    /// # Failure
    /// As [`insert`](Self::insert); no row is inserted then.
    pub fn insert_many(
        &self,
        rows: impl IntoIterator<Item = T::Insert>,
    ) -> B::Write<'db, WriteRows<T, R>> {
        let statements = self
            .returning_clause()
            .and_then(|returning| insert_statements::<T>(rows, None, returning.as_deref()));
        self.backend
            .write(statements, WriteRows::new(self.returning.clone()))
    }

    /// Inserts rows, or on a conflict with existing rows does what
    /// [`on_conflict`](super::Upsert::on_conflict) then says: nothing, update every
    /// column, or chosen assignments.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// db.users()
    ///     .upsert(NewUser::builder().email("ada@example.com").age(37).tags(vec![]).build())
    ///     .on_conflict(|u| u.email)
    ///     .update(|u, new| u.age.set(new.age))
    ///     .await?;
    /// assert_eq!(db.users().find(1).await?.map(|u| u.age), Some(37));
    /// # Ok(()) }
    /// ```
    pub fn upsert(&self, rows: impl super::IntoRows<T>) -> super::Upsert<'db, B, T, R> {
        super::Upsert::new(self.backend, rows.into_rows(), self.returning.clone())
    }
}

/// Grouped chains: `having` filters the groups.
impl<'db, B, T: Table, S: Projection<T> + Clone, R: Projection<T> + Clone>
    Query<'db, B, T, Grouped, S, R>
{
    /// Keeps the groups matching the condition, written on aggregates and the group's
    /// keys (`HAVING`; ANDed with earlier ones): `.having(|n| count().gt(1))`.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// use d1orm::table::count;
    /// let crowded: Vec<i64> = db.users()
    ///     .group_by(|u| u.age)
    ///     .having(|_| count().gt(1))
    ///     .select(|u| u.age)
    ///     .many().await?.rows;
    /// assert!(crowded.is_empty());
    /// # Ok(()) }
    /// ```
    pub fn having(&self, condition: impl FnOnce(&T::Columns) -> Condition<T>) -> Self {
        let mut next = self.clone();
        let new = condition(&T::columns()).fragment;
        let group = next.group.get_or_insert_with(Default::default);
        let sql = group.sql.to_mut();
        sql.push_str(if sql.contains(" HAVING ") {
            " AND ("
        } else {
            " HAVING ("
        });
        sql.push_str(&new.sql);
        sql.push(')');
        append_params(&mut group.params, new.params);
        if group.error.is_none() {
            group.error = new.error;
        }
        next
    }
}

/// What `group_by` takes: a column, or a tuple of columns.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// // A column, or a tuple of columns.
/// db.users().group_by(|u| (u.age, u.nickname)).select(|u| (u.age, u.nickname)).many().await?;
/// # Ok(()) }
/// ```
pub trait IntoGroup<T> {
    /// Appends the comma-separated keys.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # fn main() {
    /// use d1orm::table::IntoGroup;
    /// let mut sql = String::new();
    /// (User::columns().age, User::columns().id).write_group(&mut sql);
    /// assert_eq!(sql, r#""age", "id""#);
    /// # }
    /// ```
    fn write_group(self, sql: &mut String);
}

impl<T, V, const I: usize> IntoGroup<T> for super::Column<T, V, I> {
    fn write_group(self, sql: &mut String) {
        sql.push_str(&self.reference());
    }
}

macro_rules! tuple_group {
    ($($name:ident $index:tt),+) => {
        impl<T, $($name: IntoGroup<T>),+> IntoGroup<T> for ($($name,)+) {
            fn write_group(self, sql: &mut String) {
                $(
                    if $index > 0 {
                        sql.push_str(", ");
                    }
                    self.$index.write_group(sql);
                )+
            }
        }
    };
}
tuple_group!(A 0);
tuple_group!(A 0, B 1);
tuple_group!(A 0, B 1, C 2);
tuple_group!(A 0, B 1, C 2, D 3);

/// What a join (`join.rs`), pagination (`page.rs`) and subqueries take over from a chain.
impl<'db, B, T, F, S, R> Query<'db, B, T, F, S, R> {
    /// The backend the chain runs on.
    pub(crate) fn backend(&self) -> &'db B {
        self.backend
    }

    /// Whether the chain filters, orders, groups or limits its rows: a join starts from
    /// a chain that does none of these (its clauses name columns unqualified).
    pub(crate) fn has_clauses(&self) -> bool {
        self.filter.is_some()
            || !self.order.is_empty()
            || self.limit.is_some()
            || self.offset.is_some()
            || self.group.is_some()
    }
}

/// What pagination (`page.rs`) and subqueries (`subquery.rs`) read of a chain.
impl<'db, B, T: Table, F, S: Projection<T> + Clone, R: Projection<T> + Clone>
    Query<'db, B, T, F, S, R>
{
    /// Whether the chain has an `order_by`.
    pub(crate) fn is_ordered(&self) -> bool {
        !self.order.is_empty()
    }

    /// The chain without its order, `limit` and `offset`: what a total counts.
    pub(crate) fn whole(&self) -> Self {
        let mut next = self.clone();
        next.order = Vec::new();
        next.limit = None;
        next.offset = None;
        next
    }

    /// What reads decode into.
    pub(crate) fn projection(&self) -> &S {
        &self.select
    }

    /// The chain's read as one `SELECT` of its projection, with its parameters.
    pub(crate) fn select_statement_of_projection(&self) -> Result<Statement> {
        let mut statements = self.projected_statement(&self.select, "SELECT ", self.limit)?;
        Ok(statements.remove(0))
    }
}
