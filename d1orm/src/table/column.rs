//! Typed column handles: the fields of a generated columns struct.

use std::borrow::Cow;
use std::marker::PhantomData;

use serde::Serialize;

use super::Table;
use super::column_type::{ColumnType, ColumnValue, Operand, json_to_value};
use super::condition::{Condition, Fragment};
use super::subquery::InValues;
use crate::error::{Error, Prefix, Result};
use crate::json::{self, Target};
use crate::value::Value;

/// A column of table `T` holding values of type `V`; `I` is its position in the table,
/// which gives every column its own type (how unique keys are checked at compile time).
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// // `u` in a chain's closure is UserColumns: one Column per field.
/// let adults = db.users().where_(|u| u.age.gte(18)).order_by(|u| u.email.asc()).select(|u| u.id);
/// assert_eq!(adults.many().await?.rows, [1]);
/// # Ok(()) }
/// ```
pub struct Column<T, V, const I: usize> {
    name: &'static str,
    quoted: &'static str,
    /// The row the column is read from when the statement has more than one:
    /// `excluded` (an upsert's incoming row) or a joined table's quoted name or alias.
    /// `None`, the statement's only table, is every single-table chain's case.
    source: Option<&'static str>,
    /// A key on its own (the primary key or UNIQUE): `column = value` matches at most
    /// one row.
    unique: bool,
    /// `"column" = ?`, written by the derive: the commonest filter, built with no
    /// allocation.
    eq_sql: &'static str,
    _marker: PhantomData<fn() -> (T, V)>,
}

impl<T, V, const I: usize> Clone for Column<T, V, I> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T, V, const I: usize> Copy for Column<T, V, I> {}

impl<T, V, const I: usize> std::fmt::Debug for Column<T, V, I> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Column({})", self.name)
    }
}

impl<T, V, const I: usize> Column<T, V, I> {
    #[doc(hidden)]
    pub const fn __new(name: &'static str, quoted: &'static str, eq_sql: &'static str) -> Self {
        Column {
            name,
            quoted,
            source: None,
            unique: false,
            eq_sql,
            _marker: PhantomData,
        }
    }

    /// A column that is a key on its own: the primary key, or UNIQUE.
    #[doc(hidden)]
    pub const fn __unique(name: &'static str, quoted: &'static str, eq_sql: &'static str) -> Self {
        Column {
            unique: true,
            ..Self::__new(name, quoted, eq_sql)
        }
    }

    #[doc(hidden)]
    pub const fn __excluded(
        name: &'static str,
        quoted: &'static str,
        eq_sql: &'static str,
    ) -> Self {
        Self::__in("excluded", name, quoted, eq_sql)
    }

    /// The column read from `source`: `excluded`, or a table of a join (its quoted name
    /// or alias), rendered `source."column"`.
    #[doc(hidden)]
    pub const fn __in(
        source: &'static str,
        name: &'static str,
        quoted: &'static str,
        eq_sql: &'static str,
    ) -> Self {
        Column {
            source: Some(source),
            ..Self::__new(name, quoted, eq_sql)
        }
    }

    /// The column's name.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # fn main() {
    /// assert_eq!(User::columns().email.name(), "email");
    /// # }
    /// ```
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The quoted name, as an assignment's target.
    pub(crate) fn quoted(&self) -> &'static str {
        self.quoted
    }

    /// The column as an SQL value: the stored one, in an upsert the incoming one, in a
    /// join the one of its table.
    pub(crate) fn reference(&self) -> Cow<'static, str> {
        match self.source {
            None => Cow::Borrowed(self.quoted),
            Some(source) => Cow::Owned(format!("{source}.{}", self.quoted)),
        }
    }

    fn compare(self, op: &str, operand: Operand) -> Condition<T> {
        Condition::from_fragment(Fragment::column_op(&self.reference(), op, operand))
    }

    /// `column = value`
    ///
    /// On the primary key (a single column) or a `#[d1orm(unique)]` column, the read
    /// matches one row at most, and the backend stops at that row: the database must
    /// have the key the struct declares, as `db.migrate` and the migration files make
    /// it.
    ///
    /// `eq(None)` on an `Option` column matches NULL: it is written `column IS NULL`
    /// (SQL's `= NULL` would match nothing).
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// assert_eq!(db.users().where_(|u| u.email.eq("bo@example.com")).count().await?, 1);
    /// assert_eq!(db.users().where_(|u| u.nickname.eq(None)).count().await?, 1);   // IS NULL
    /// # Ok(()) }
    /// ```
    pub fn eq(self, value: impl ColumnValue<V>) -> Condition<T> {
        match value.operand() {
            Operand::Value(Ok(Value::Null)) => self.is_null(),
            // `eq_sql` names the column alone: only for the statement's only table.
            Operand::Value(value) if self.source.is_none() => {
                let mut fragment = Fragment::column_expr(self.eq_sql, value);
                // A key column equal to a value picks one row at most.
                fragment.one_row = self.unique;
                Condition::from_fragment(fragment)
            }
            operand => self.compare("=", operand),
        }
    }
    /// `column <> value`. `ne(None)` on an `Option` column matches every value that
    /// is not NULL (`column IS NOT NULL`). As in SQL, `ne(value)` does not match NULL.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// assert_eq!(db.users().where_(|u| u.age.ne(17)).count().await?, 1);
    /// assert_eq!(db.users().where_(|u| u.nickname.ne(None)).count().await?, 1);   // IS NOT NULL
    /// # Ok(()) }
    /// ```
    pub fn ne(self, value: impl ColumnValue<V>) -> Condition<T> {
        match value.operand() {
            Operand::Value(Ok(Value::Null)) => self.is_not_null(),
            operand => self.compare("<>", operand),
        }
    }
    /// `column > value`
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// assert_eq!(db.users().where_(|u| u.age.gt(17)).count().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn gt(self, value: impl ColumnValue<V>) -> Condition<T> {
        self.compare(">", value.operand())
    }
    /// `column >= value`
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// assert_eq!(db.users().where_(|u| u.age.gte(17)).count().await?, 2);
    /// # Ok(()) }
    /// ```
    pub fn gte(self, value: impl ColumnValue<V>) -> Condition<T> {
        self.compare(">=", value.operand())
    }
    /// `column < value`
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// assert_eq!(db.users().where_(|u| u.age.lt(36)).count().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn lt(self, value: impl ColumnValue<V>) -> Condition<T> {
        self.compare("<", value.operand())
    }
    /// `column <= value`
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// assert_eq!(db.users().where_(|u| u.age.lte(36)).count().await?, 2);
    /// # Ok(()) }
    /// ```
    pub fn lte(self, value: impl ColumnValue<V>) -> Condition<T> {
        self.compare("<=", value.operand())
    }
    /// `column LIKE pattern`: `%` matches any text and `_` any one character, ASCII
    /// letters match either case. For a user's text, matched as it is, use
    /// [`contains`](Self::contains), [`starts_with`](Self::starts_with) or
    /// [`ends_with`](Self::ends_with).
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// assert_eq!(db.users().where_(|u| u.email.like("%@example.com")).count().await?, 2);
    /// let long = "%".repeat(51);                       // over D1's 50 bytes: refused before sending
    /// assert!(db.users().where_(|u| u.email.like(&long)).count().await.is_err());
    /// # Ok(()) }
    /// ```
    ///
    /// # Failure
    /// A pattern over D1's limit of 50 bytes: a `D1_ERROR` naming the column, from the
    /// call that runs the statement, before anything is sent (D1 would refuse it with
    /// `LIKE or GLOB pattern too complex`).
    pub fn like(self, pattern: &str) -> Condition<T>
    where
        T: Table,
    {
        let value = if pattern.len() > LIKE_PATTERN_LIMIT {
            Err(pattern_too_long(T::NAME, self.name, pattern.len()))
        } else {
            Ok(Value::Text(pattern.to_owned()))
        };
        self.compare("LIKE", Operand::Value(value))
    }
    /// `column BETWEEN low AND high`
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// assert_eq!(db.users().where_(|u| u.age.between(18, 65)).count().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn between(self, low: impl ColumnValue<V>, high: impl ColumnValue<V>) -> Condition<T> {
        Condition::from_fragment(Fragment::between(
            &self.reference(),
            low.operand(),
            high.operand(),
        ))
    }
    /// `column IN (values)`; an empty list matches nothing. A list longer than 32 binds
    /// as one JSON array parameter, so any length stays within D1's 100 parameters.
    /// A chain selecting one column of this type is a subquery of the same statement:
    /// `n.author_id.in_(db.users().where_(|u| u.org_id.eq(7)).select(|u| u.id))`.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// assert_eq!(db.users().where_(|u| u.id.in_([1, 2, 3])).count().await?, 2);
    /// assert_eq!(db.users().where_(|u| u.id.in_(Vec::<i64>::new())).count().await?, 0);
    /// # Ok(()) }
    /// ```
    pub fn in_(self, values: impl InValues<V>) -> Condition<T> {
        values.in_condition(&self.reference(), false)
    }
    /// `column NOT IN (values)`; an empty list matches everything. Takes a subquery as
    /// [`in_`](Self::in_) does. As in SQL, a NULL among the values (a nullable column
    /// selected by a subquery) makes it match no row: filter it out with `is_not_null`.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// assert_eq!(db.users().where_(|u| u.id.not_in([1])).count().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn not_in(self, values: impl InValues<V>) -> Condition<T> {
        values.in_condition(&self.reference(), true)
    }
    /// `column IS NULL`
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// assert_eq!(db.users().where_(|u| u.nickname.is_null()).count().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn is_null(self) -> Condition<T> {
        Condition::from_fragment(Fragment::raw(format!("{} IS NULL", self.reference())))
    }
    /// `column IS NOT NULL`
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// assert_eq!(db.users().where_(|u| u.nickname.is_not_null()).count().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn is_not_null(self) -> Condition<T> {
        Condition::from_fragment(Fragment::raw(format!("{} IS NOT NULL", self.reference())))
    }

    /// Ascending order on this column.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// let ids: Vec<i64> = db.users().order_by(|u| u.age.asc()).select(|u| u.id).many().await?.rows;
    /// assert_eq!(ids, [2, 1]);
    /// # Ok(()) }
    /// ```
    pub fn asc(self) -> Order<T> {
        Order::new(self.reference().into_owned(), "ASC")
    }
    /// Descending order on this column.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// let ids: Vec<i64> = db.users().order_by(|u| u.id.desc()).select(|u| u.id).many().await?.rows;
    /// assert_eq!(ids, [2, 1]);
    /// # Ok(()) }
    /// ```
    pub fn desc(self) -> Order<T> {
        Order::new(self.reference().into_owned(), "DESC")
    }

    /// `SET column = value` (a value, or another column such as `new.x` in an upsert).
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// db.users().where_(|u| u.id.eq(2)).update(|u| (u.nickname.set("bo"), u.age.set(18))).await?;
    /// assert_eq!(db.users().find(2).await?.map(|u| u.age), Some(18));
    /// # Ok(()) }
    /// ```
    pub fn set(self, value: impl ColumnValue<V>) -> Assignment<T> {
        Assignment::new(self.quoted, Fragment::with_operand("", value.operand()))
    }
}

impl<T, V: ColumnType, const I: usize> Column<T, V, I> {
    /// `SET column = column + n`
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// db.users().where_(|u| u.id.eq(2)).update(|u| u.age.add(1)).await?;
    /// assert_eq!(db.users().find(2).await?.map(|u| u.age), Some(18));
    /// # Ok(()) }
    /// ```
    #[allow(clippy::should_implement_trait)]
    pub fn add(self, n: impl ColumnValue<V>) -> Assignment<T> {
        Assignment::new(
            self.quoted,
            Fragment::with_operand(format!("{} + ", self.quoted), n.operand()),
        )
    }
    /// `SET column = column - n`
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// db.users().where_(|u| u.id.eq(1)).update(|u| u.age.sub(6)).await?;
    /// assert_eq!(db.users().find(1).await?.map(|u| u.age), Some(30));
    /// # Ok(()) }
    /// ```
    #[allow(clippy::should_implement_trait)]
    pub fn sub(self, n: impl ColumnValue<V>) -> Assignment<T> {
        Assignment::new(
            self.quoted,
            Fragment::with_operand(format!("{} - ", self.quoted), n.operand()),
        )
    }
}

/// The longest LIKE pattern D1 takes, in bytes (`SQLITE_LIMIT_LIKE_PATTERN_LENGTH`).
pub const LIKE_PATTERN_LIMIT: usize = 50;

#[cold]
fn pattern_too_long(table: &str, column: &str, len: usize) -> Error {
    Error::d1(
        Prefix::Error,
        format!(
            "LIKE pattern on {table}.{column} is {len} bytes; D1 takes at most {LIKE_PATTERN_LIMIT} \
             (contains, starts_with and ends_with have no such limit)"
        ),
    )
}

/// A column holding text: `String` or `Option<String>`.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// // Text filters exist on text columns only; `u.age.contains("1")` does not compile.
/// assert_eq!(db.users().where_(|u| u.nickname.contains("count")).count().await?, 1);
/// # Ok(()) }
/// ```
pub trait TextColumn: sealed::Sealed {}
impl TextColumn for String {}
impl TextColumn for Option<String> {}

mod sealed {
    pub trait Sealed {}
    impl Sealed for String {}
    impl Sealed for Option<String> {}
}

/// Text matched as it is, not as a pattern: `%`, `_` and `\\` are plain characters, the
/// case counts (as Rust's `str` methods), and the text may be any length (no LIKE, so
/// D1's 50-byte pattern limit does not apply). NULL matches nothing.
impl<T, V: TextColumn, const I: usize> Column<T, V, I> {
    /// The column's text holds `needle` (`instr(column, ?) > 0`).
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// // Matched as written: `_` and `%` are not wildcards, and case counts.
    /// assert_eq!(db.users().where_(|u| u.email.contains("a@ex")).count().await?, 1);
    /// assert_eq!(db.users().where_(|u| u.email.contains("%")).count().await?, 0);
    /// # Ok(()) }
    /// ```
    pub fn contains(self, needle: &str) -> Condition<T> {
        Condition::from_fragment(contains_sql(&self.reference(), needle))
    }
    /// The column's text starts with `prefix` (`substr(column, 1, length(?)) = ?`).
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// assert_eq!(db.users().where_(|u| u.email.starts_with("bo@")).count().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn starts_with(self, prefix: &str) -> Condition<T> {
        Condition::from_fragment(starts_with_sql(&self.reference(), prefix))
    }
    /// The column's text ends with `suffix`
    /// (`substr(column, length(column) - length(?) + 1) = ?`).
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// assert_eq!(db.users().where_(|u| u.email.ends_with("@example.com")).count().await?, 2);
    /// # Ok(()) }
    /// ```
    pub fn ends_with(self, suffix: &str) -> Condition<T> {
        Condition::from_fragment(ends_with_sql(&self.reference(), suffix))
    }
}

/// `expr` holds `needle`, literally (`instr`, not LIKE).
pub(crate) fn contains_sql(expr: &str, needle: &str) -> Fragment {
    let mut f = Fragment::raw(format!("instr({expr}, "));
    f.push_operand(text(needle));
    f.sql.to_mut().push_str(") > 0");
    f
}

/// `expr` starts with `prefix`, literally.
pub(crate) fn starts_with_sql(expr: &str, prefix: &str) -> Fragment {
    let mut f = Fragment::raw(format!("substr({expr}, 1, length("));
    f.push_operand(text(prefix));
    f.sql.to_mut().push_str(")) = ");
    f.push_operand(text(prefix));
    f
}

/// `expr` ends with `suffix`, literally.
pub(crate) fn ends_with_sql(expr: &str, suffix: &str) -> Fragment {
    let mut f = Fragment::raw(format!("substr({expr}, length({expr}) - length("));
    f.push_operand(text(suffix));
    f.sql.to_mut().push_str(") + 1) = ");
    f.push_operand(text(suffix));
    f
}

fn text(s: &str) -> Operand {
    Operand::Value(Ok(Value::Text(s.to_owned())))
}

/// A column is a value for another column of the same type: `u.a.eq(u.b)`, and in an
/// upsert `u.name.set(new.name)`.
impl<T, V, const I: usize> ColumnValue<V> for Column<T, V, I> {
    fn operand(self) -> Operand {
        Operand::Sql(self.reference().into_owned())
    }
}

/// Position of the column inside a [`JsonColumn`]: JSON columns are never keys.
const NOT_A_KEY: usize = usize::MAX;

/// A JSON column of table `T` whose documents deserialize as `V`.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// // `u.tags` (a #[d1orm(json)] field) is a JsonColumn: paths, arrays, whole documents.
/// let rust: Vec<i64> = db.users().where_(|u| u.tags.contains("rust")).select(|u| u.id).many().await?.rows;
/// assert_eq!(rust, [1]);
/// # Ok(()) }
/// ```
pub struct JsonColumn<T, V> {
    column: Column<T, V, NOT_A_KEY>,
}

impl<T, V> Clone for JsonColumn<T, V> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T, V> Copy for JsonColumn<T, V> {}

impl<T, V> std::fmt::Debug for JsonColumn<T, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "JsonColumn({})", self.column.name)
    }
}

impl<T, V> JsonColumn<T, V> {
    #[doc(hidden)]
    pub const fn __new(name: &'static str, quoted: &'static str, eq_sql: &'static str) -> Self {
        JsonColumn {
            column: Column::__new(name, quoted, eq_sql),
        }
    }

    #[doc(hidden)]
    pub const fn __excluded(
        name: &'static str,
        quoted: &'static str,
        eq_sql: &'static str,
    ) -> Self {
        JsonColumn {
            column: Column::__excluded(name, quoted, eq_sql),
        }
    }

    /// The column read from `source` (see [`Column::__in`]).
    #[doc(hidden)]
    pub const fn __in(
        source: &'static str,
        name: &'static str,
        quoted: &'static str,
        eq_sql: &'static str,
    ) -> Self {
        JsonColumn {
            column: Column::__in(source, name, quoted, eq_sql),
        }
    }
}

impl<T, V: Serialize> JsonColumn<T, V> {
    /// The column's name.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # fn main() {
    /// assert_eq!(User::columns().tags.name(), "tags");
    /// # }
    /// ```
    pub fn name(&self) -> &'static str {
        self.column.name
    }

    pub(crate) fn quoted(&self) -> &'static str {
        self.column.quoted
    }

    pub(crate) fn reference(&self) -> Cow<'static, str> {
        self.column.reference()
    }

    /// `column IS NULL`
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// assert_eq!(db.users().where_(|u| u.settings.is_null()).count().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn is_null(self) -> Condition<T> {
        Condition::from_fragment(Fragment::raw(format!(
            "{} IS NULL",
            self.column.reference()
        )))
    }
    /// `column IS NOT NULL`
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// assert_eq!(db.users().where_(|u| u.settings.is_not_null()).count().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn is_not_null(self) -> Condition<T> {
        Condition::from_fragment(Fragment::raw(format!(
            "{} IS NOT NULL",
            self.column.reference()
        )))
    }
    /// `SET column = other`: another JSON column of the same type, such as `new.meta`
    /// (the incoming document) in an upsert.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// // On conflict, keep the incoming document.
    /// db.users()
    ///     .upsert(NewUser::builder().email("bo@example.com").age(17).tags(vec!["go".into()]).build())
    ///     .on_conflict(|u| u.email)
    ///     .update(|u, new| u.tags.set_to(new.tags))
    ///     .await?;
    /// assert_eq!(db.users().find(2).await?.map(|u| u.tags), Some(vec!["go".to_string()]));
    /// # Ok(()) }
    /// ```
    pub fn set_to(self, other: JsonColumn<T, V>) -> Assignment<T> {
        Assignment::new(self.column.quoted, Fragment::raw(other.reference()))
    }
}

// What names the table in its errors.
impl<T: Table, V: Serialize> JsonColumn<T, V> {
    /// A path into the documents of a `serde_json::Value` column: an object key, then
    /// `.at(..)` for deeper keys or array indexes. A key holding a NUL character cannot
    /// be written in SQL: every statement using the path is then a `D1_ERROR`, before
    /// anything is sent.
    ///
    /// A column of a typed document has typed paths instead,
    /// [`path()`](JsonColumn::path) (`#[derive(d1orm::Json)]` on its type), and an
    /// unchecked string path spelled [`at_unchecked`](JsonColumn::at_unchecked).
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// use serde_json::{Value, json};
    /// let themes: Vec<Value> = db.users().order_by(|u| u.id.asc()).select(|u| u.settings.at("theme")).many().await?.rows;
    /// assert_eq!(themes, [json!("dark"), Value::Null]);
    /// # Ok(()) }
    /// ```
    pub fn at(self, step: impl PathStep) -> JsonPath<T>
    where
        V: super::json_path::UntypedJson,
    {
        self.at_unchecked(step)
    }

    /// A path into the documents that nothing checks against the column's type: as
    /// [`at`](JsonColumn::at), for a column of any type. Prefer the typed
    /// [`path()`](JsonColumn::path).
    pub fn at_unchecked(self, step: impl PathStep) -> JsonPath<T> {
        JsonPath {
            table: T::NAME,
            name: self.column.name,
            column: self.column.quoted,
            source: self.column.reference(),
            path: "$".to_owned(),
            _marker: PhantomData,
        }
        .at(step)
    }

    /// Where a whole document of this column goes, for errors.
    fn target(&self) -> Target<'static> {
        Target::column(T::NAME, self.column.name)
    }

    /// `column = value`, comparing whole documents as JSON.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// let tags = vec!["rust".to_string()];
    /// assert_eq!(db.users().where_(|u| u.tags.eq(&tags)).count().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn eq(self, value: &V) -> Condition<T> {
        Condition::from_fragment(Fragment::column_expr(
            format!("json({}) = json(?)", self.column.reference()),
            json_to_value(value, self.target()),
        ))
    }
    /// `SET column = value` (stored as JSON text).
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// db.users().where_(|u| u.id.eq(2)).update(|u| u.tags.set(&vec!["sql".to_string()])).await?;
    /// assert_eq!(db.users().find(2).await?.map(|u| u.tags), Some(vec!["sql".to_string()]));
    /// # Ok(()) }
    /// ```
    pub fn set(self, value: &V) -> Assignment<T> {
        Assignment::new(
            self.column.quoted,
            Fragment::column_expr("?", json_to_value(value, self.target())),
        )
    }
}

/// One step of a JSON path: an object key (`&str`) or an array index (`usize`).
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// // An object key (&str) or an array index (usize), chained with `at`.
/// db.users().where_(|u| u.settings.at("theme").eq("dark").and(u.scores.at_unchecked(1).gt(70))).one().await?;
/// # Ok(()) }
/// ```
pub trait PathStep {
    /// Appends the step to a path in SQLite's JSON path syntax.
    ///
    /// ```
    /// use d1orm::table::PathStep;
    /// assert_eq!("theme".push("$".to_string()), r#"$."theme""#);
    /// assert_eq!(2usize.push("$.a".to_string()), "$.a[2]");
    /// ```
    fn push(self, path: String) -> String;
}

impl PathStep for &str {
    fn push(self, mut path: String) -> String {
        path.push_str(".\"");
        for c in self.chars() {
            if c == '"' || c == '\\' {
                path.push('\\');
            }
            path.push(c);
        }
        path.push('"');
        path
    }
}

impl PathStep for usize {
    fn push(self, mut path: String) -> String {
        path.push_str(&format!("[{self}]"));
        path
    }
}

/// A path inside the JSON documents of a column of table `T`.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// let dark = db.users().where_(|u| u.settings.at("theme").eq("dark")).count().await?;
/// assert_eq!(dark, 1);
/// # Ok(()) }
/// ```
pub struct JsonPath<T> {
    /// The table and the column's name, for errors.
    table: &'static str,
    name: &'static str,
    /// The quoted column: the target of `set`.
    column: &'static str,
    /// The column as a value (the incoming one in an upsert's `new.meta.at(..)`).
    source: Cow<'static, str>,
    path: String,
    _marker: PhantomData<fn() -> T>,
}

impl<T> Clone for JsonPath<T> {
    fn clone(&self) -> Self {
        JsonPath {
            table: self.table,
            name: self.name,
            column: self.column,
            source: self.source.clone(),
            path: self.path.clone(),
            _marker: PhantomData,
        }
    }
}

impl<T> std::fmt::Debug for JsonPath<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "JsonPath({} {})", self.column, self.path)
    }
}

impl<T> JsonPath<T> {
    /// A path made by a typed path going on unchecked (`at_unchecked`), or reaching a
    /// `serde_json::Value` inside a typed document.
    pub(crate) fn from_parts(
        table: &'static str,
        name: &'static str,
        column: &'static str,
        source: Cow<'static, str>,
        path: String,
    ) -> Self {
        JsonPath {
            table,
            name,
            column,
            source,
            path,
            _marker: PhantomData,
        }
    }

    /// A deeper path.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// db.users().where_(|u| u.id.eq(1)).update(|u| u.settings.at("ui").set(serde_json::json!({"font": 12}))).await?;
    /// let font = db.users().where_(|u| u.id.eq(1)).select(|u| u.settings.at("ui").at("font")).one().await?;
    /// assert_eq!(font, 12);
    /// # Ok(()) }
    /// ```
    pub fn at(mut self, step: impl PathStep) -> Self {
        self.path = step.push(self.path);
        self
    }

    /// The name of the column the path is in.
    pub(crate) fn column_name(&self) -> &'static str {
        self.name
    }

    /// `json_extract(column, path)`: the path as an SQL value.
    pub(crate) fn extract_sql(&self) -> String {
        format!(
            "json_extract({}, '{}')",
            self.source,
            self.path.replace('\'', "''")
        )
    }

    /// Whether the path can be written in SQL: SQL text cannot carry a NUL character,
    /// and a key holding one would end the statement's text where it stands.
    ///
    /// # Failure
    /// A key with a NUL character: a `D1_ERROR` naming the column, before anything is
    /// sent.
    pub(crate) fn check(&self) -> Result<()> {
        if self.path.contains('\0') {
            return Err(self.nul_in_key());
        }
        Ok(())
    }

    #[cold]
    fn nul_in_key(&self) -> Error {
        Error::d1(
            Prefix::Error,
            format!(
                "JSON path {} on column {}.{} has a NUL character in a key, which SQL text cannot carry",
                self.path.replace('\0', "\\u0000"),
                self.table,
                self.name
            ),
        )
    }

    /// A fragment of SQL on the path, with the value it binds if any; it carries the
    /// path's error, if any.
    fn fragment(&self, sql: String, value: Option<Result<Value>>) -> Fragment {
        match (self.check(), value) {
            (Err(e), _) => Fragment::column_expr(sql, Err(e)),
            (Ok(()), Some(value)) => Fragment::column_expr(sql, value),
            (Ok(()), None) => Fragment::raw(sql),
        }
    }

    /// JSON text of a value written at (or compared with) the path.
    fn json_text(&self, value: &impl Serialize) -> Result<Value> {
        let target = Target {
            table: self.table,
            column: self.name,
            path: &self.path,
        };
        json::to_text(value, target).map(Value::Text)
    }

    fn compare(&self, op: &str, value: &impl Serialize) -> Condition<T> {
        // The value travels as JSON text and is read back by SQLite's JSON parser, so a
        // number stays a number whatever type the backend binds it as.
        Condition::from_fragment(self.fragment(
            format!("{} {op} json_extract(json(?), '$')", self.extract_sql()),
            Some(self.json_text(value)),
        ))
    }

    /// `path = value`
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// assert_eq!(db.users().where_(|u| u.settings.at("lang").eq("en")).count().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn eq(&self, value: impl Serialize) -> Condition<T> {
        self.compare("=", &value)
    }
    /// `path <> value`
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// assert_eq!(db.users().where_(|u| u.settings.at("lang").ne("fr")).count().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn ne(&self, value: impl Serialize) -> Condition<T> {
        self.compare("<>", &value)
    }
    /// `path > value`
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// assert_eq!(db.users().where_(|u| u.scores.at_unchecked(0).gt(80)).count().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn gt(&self, value: impl Serialize) -> Condition<T> {
        self.compare(">", &value)
    }
    /// `path >= value`
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// assert_eq!(db.users().where_(|u| u.scores.at_unchecked(0).gte(90)).count().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn gte(&self, value: impl Serialize) -> Condition<T> {
        self.compare(">=", &value)
    }
    /// `path < value`
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// assert_eq!(db.users().where_(|u| u.scores.at_unchecked(1).lt(80)).count().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn lt(&self, value: impl Serialize) -> Condition<T> {
        self.compare("<", &value)
    }
    /// `path <= value`
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// assert_eq!(db.users().where_(|u| u.scores.at_unchecked(1).lte(75)).count().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn lte(&self, value: impl Serialize) -> Condition<T> {
        self.compare("<=", &value)
    }
    /// The path is missing or JSON null.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// assert_eq!(db.users().where_(|u| u.settings.at("theme").is_null()).count().await?, 1);   // bo has none
    /// # Ok(()) }
    /// ```
    pub fn is_null(&self) -> Condition<T> {
        Condition::from_fragment(self.fragment(format!("{} IS NULL", self.extract_sql()), None))
    }
    /// The path holds a value other than null.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// assert_eq!(db.users().where_(|u| u.settings.at("theme").is_not_null()).count().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn is_not_null(&self) -> Condition<T> {
        Condition::from_fragment(self.fragment(format!("{} IS NOT NULL", self.extract_sql()), None))
    }
    /// Ascending order on the path's value.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// let ids: Vec<i64> = db.users().order_by(|u| u.settings.at("theme").asc()).select(|u| u.id).many().await?.rows;
    /// assert_eq!(ids, [2, 1]);                         // NULL first, as SQLite sorts
    /// # Ok(()) }
    /// ```
    pub fn asc(&self) -> Order<T> {
        Order::new(self.extract_sql(), "ASC").with_error(self.check())
    }
    /// Descending order on the path's value.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// let ids: Vec<i64> = db.users().order_by(|u| u.scores.at_unchecked(0).desc()).select(|u| u.id).many().await?.rows;
    /// assert_eq!(ids, [1, 2]);
    /// # Ok(()) }
    /// ```
    pub fn desc(&self) -> Order<T> {
        Order::new(self.extract_sql(), "DESC").with_error(self.check())
    }
    /// `SET column = json_set(column, path, value)`: the rest of the document is kept.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// db.users().where_(|u| u.id.eq(1)).update(|u| u.settings.at("theme").set("light")).await?;
    /// let lang = db.users().where_(|u| u.id.eq(1)).select(|u| u.settings.at("lang")).one().await?;
    /// assert_eq!(lang, "en");                        // the rest of the document is kept
    /// # Ok(()) }
    /// ```
    pub fn set(&self, value: impl Serialize) -> Assignment<T> {
        Assignment::new(
            self.column,
            self.fragment(
                format!(
                    "json_set({}, '{}', json(?))",
                    self.column,
                    self.path.replace('\'', "''")
                ),
                Some(self.json_text(&value)),
            ),
        )
    }
}

/// One key of an `ORDER BY` on table `T`.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// let ids: Vec<i64> = db.users().order_by(|u| (u.nickname.desc().nulls_last(), u.id.asc())).select(|u| u.id).many().await?.rows;
/// assert_eq!(ids, [1, 2]);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Order<T> {
    pub(crate) sql: String,
    /// Why the key cannot be written in SQL (a JSON path key holding a NUL character).
    pub(crate) error: Option<Box<Error>>,
    _marker: PhantomData<fn() -> T>,
}

impl<T> Order<T> {
    pub(crate) fn new(expr: String, direction: &str) -> Self {
        Order {
            sql: format!("{expr} {direction}"),
            error: None,
            _marker: PhantomData,
        }
    }

    /// The same key, as one of another table's (a join orders by keys of two).
    pub(crate) fn retyped<U>(self) -> Order<U> {
        Order {
            sql: self.sql,
            error: self.error,
            _marker: PhantomData,
        }
    }

    pub(crate) fn with_error(mut self, check: Result<()>) -> Self {
        self.error = check.err().map(Box::new);
        self
    }

    /// NULLs sort before other values.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// let ids: Vec<i64> = db.users().order_by(|u| u.nickname.asc().nulls_first()).select(|u| u.id).many().await?.rows;
    /// assert_eq!(ids, [2, 1]);
    /// # Ok(()) }
    /// ```
    pub fn nulls_first(mut self) -> Self {
        self.sql.push_str(" NULLS FIRST");
        self
    }
    /// NULLs sort after other values.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// let ids: Vec<i64> = db.users().order_by(|u| u.nickname.asc().nulls_last()).select(|u| u.id).many().await?.rows;
    /// assert_eq!(ids, [1, 2]);
    /// # Ok(()) }
    /// ```
    pub fn nulls_last(mut self) -> Self {
        self.sql.push_str(" NULLS LAST");
        self
    }
}

/// One `SET` of an `UPDATE` on table `T`.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// let w = db.users().all_rows().update(|u| (u.age.add(1), u.nickname.set(None))).await?;
/// assert_eq!(w.changes(), 2);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Assignment<T> {
    /// The quoted column assigned.
    pub(crate) column: &'static str,
    /// The value expression with its parameters.
    pub(crate) expr: Fragment,
    _marker: PhantomData<fn() -> T>,
}

impl<T> Assignment<T> {
    pub(crate) fn new(column: &'static str, expr: Fragment) -> Self {
        Assignment {
            column,
            expr,
            _marker: PhantomData,
        }
    }
}
