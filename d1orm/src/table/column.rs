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
pub struct Column<T, V, const I: usize> {
    name: &'static str,
    quoted: &'static str,
    /// Names the incoming row's value in an upsert (`excluded."c"`).
    excluded: bool,
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
            excluded: false,
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
        Column {
            excluded: true,
            ..Self::__new(name, quoted, eq_sql)
        }
    }

    /// The column's name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The quoted name, as an assignment's target.
    pub(crate) fn quoted(&self) -> &'static str {
        self.quoted
    }

    /// The column as an SQL value: the stored one, or in an upsert the incoming one.
    pub(crate) fn reference(&self) -> Cow<'static, str> {
        if self.excluded {
            Cow::Owned(format!("excluded.{}", self.quoted))
        } else {
            Cow::Borrowed(self.quoted)
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
    pub fn eq(self, value: impl ColumnValue<V>) -> Condition<T> {
        match value.operand() {
            Operand::Value(Ok(Value::Null)) => self.is_null(),
            Operand::Value(value) if !self.excluded => {
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
    pub fn ne(self, value: impl ColumnValue<V>) -> Condition<T> {
        match value.operand() {
            Operand::Value(Ok(Value::Null)) => self.is_not_null(),
            operand => self.compare("<>", operand),
        }
    }
    /// `column > value`
    pub fn gt(self, value: impl ColumnValue<V>) -> Condition<T> {
        self.compare(">", value.operand())
    }
    /// `column >= value`
    pub fn gte(self, value: impl ColumnValue<V>) -> Condition<T> {
        self.compare(">=", value.operand())
    }
    /// `column < value`
    pub fn lt(self, value: impl ColumnValue<V>) -> Condition<T> {
        self.compare("<", value.operand())
    }
    /// `column <= value`
    pub fn lte(self, value: impl ColumnValue<V>) -> Condition<T> {
        self.compare("<=", value.operand())
    }
    /// `column LIKE pattern`: `%` matches any text and `_` any one character, ASCII
    /// letters match either case. For a user's text, matched as it is, use
    /// [`contains`](Self::contains), [`starts_with`](Self::starts_with) or
    /// [`ends_with`](Self::ends_with).
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
    pub fn in_(self, values: impl InValues<V>) -> Condition<T> {
        values.in_condition(&self.reference(), false)
    }
    /// `column NOT IN (values)`; an empty list matches everything. Takes a subquery as
    /// [`in_`](Self::in_) does. As in SQL, a NULL among the values (a nullable column
    /// selected by a subquery) makes it match no row: filter it out with `is_not_null`.
    pub fn not_in(self, values: impl InValues<V>) -> Condition<T> {
        values.in_condition(&self.reference(), true)
    }
    /// `column IS NULL`
    pub fn is_null(self) -> Condition<T> {
        Condition::from_fragment(Fragment::raw(format!("{} IS NULL", self.reference())))
    }
    /// `column IS NOT NULL`
    pub fn is_not_null(self) -> Condition<T> {
        Condition::from_fragment(Fragment::raw(format!("{} IS NOT NULL", self.reference())))
    }

    /// Ascending order on this column.
    pub fn asc(self) -> Order<T> {
        Order::new(self.reference().into_owned(), "ASC")
    }
    /// Descending order on this column.
    pub fn desc(self) -> Order<T> {
        Order::new(self.reference().into_owned(), "DESC")
    }

    /// `SET column = value` (a value, or another column such as `new.x` in an upsert).
    pub fn set(self, value: impl ColumnValue<V>) -> Assignment<T> {
        Assignment::new(self.quoted, Fragment::with_operand("", value.operand()))
    }
}

impl<T, V: ColumnType, const I: usize> Column<T, V, I> {
    /// `SET column = column + n`
    #[allow(clippy::should_implement_trait)]
    pub fn add(self, n: impl ColumnValue<V>) -> Assignment<T> {
        Assignment::new(
            self.quoted,
            Fragment::with_operand(format!("{} + ", self.quoted), n.operand()),
        )
    }
    /// `SET column = column - n`
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
    pub fn contains(self, needle: &str) -> Condition<T> {
        Condition::from_fragment(contains_sql(&self.reference(), needle))
    }
    /// The column's text starts with `prefix` (`substr(column, 1, length(?)) = ?`).
    pub fn starts_with(self, prefix: &str) -> Condition<T> {
        Condition::from_fragment(starts_with_sql(&self.reference(), prefix))
    }
    /// The column's text ends with `suffix`
    /// (`substr(column, length(column) - length(?) + 1) = ?`).
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
}

impl<T, V: Serialize> JsonColumn<T, V> {
    /// The column's name.
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
    pub fn is_null(self) -> Condition<T> {
        Condition::from_fragment(Fragment::raw(format!(
            "{} IS NULL",
            self.column.reference()
        )))
    }
    /// `column IS NOT NULL`
    pub fn is_not_null(self) -> Condition<T> {
        Condition::from_fragment(Fragment::raw(format!(
            "{} IS NOT NULL",
            self.column.reference()
        )))
    }
    /// `SET column = other`: another JSON column of the same type, such as `new.meta`
    /// (the incoming document) in an upsert.
    pub fn set_to(self, other: JsonColumn<T, V>) -> Assignment<T> {
        Assignment::new(self.column.quoted, Fragment::raw(other.reference()))
    }
}

// What names the table in its errors.
impl<T: Table, V: Serialize> JsonColumn<T, V> {
    /// A path into the documents: an object key, then `.at(..)` for deeper keys or
    /// array indexes. A key holding a NUL character cannot be written in SQL: every
    /// statement using the path is then a `D1_ERROR`, before anything is sent.
    pub fn at(self, step: impl PathStep) -> JsonPath<T> {
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
    pub fn eq(self, value: &V) -> Condition<T> {
        Condition::from_fragment(Fragment::column_expr(
            format!("json({}) = json(?)", self.column.reference()),
            json_to_value(value, self.target()),
        ))
    }
    /// `SET column = value` (stored as JSON text).
    pub fn set(self, value: &V) -> Assignment<T> {
        Assignment::new(
            self.column.quoted,
            Fragment::column_expr("?", json_to_value(value, self.target())),
        )
    }
}

/// One step of a JSON path: an object key (`&str`) or an array index (`usize`).
pub trait PathStep {
    /// Appends the step to a path in SQLite's JSON path syntax.
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
    /// A deeper path.
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
    pub fn eq(&self, value: impl Serialize) -> Condition<T> {
        self.compare("=", &value)
    }
    /// `path <> value`
    pub fn ne(&self, value: impl Serialize) -> Condition<T> {
        self.compare("<>", &value)
    }
    /// `path > value`
    pub fn gt(&self, value: impl Serialize) -> Condition<T> {
        self.compare(">", &value)
    }
    /// `path >= value`
    pub fn gte(&self, value: impl Serialize) -> Condition<T> {
        self.compare(">=", &value)
    }
    /// `path < value`
    pub fn lt(&self, value: impl Serialize) -> Condition<T> {
        self.compare("<", &value)
    }
    /// `path <= value`
    pub fn lte(&self, value: impl Serialize) -> Condition<T> {
        self.compare("<=", &value)
    }
    /// The path is missing or JSON null.
    pub fn is_null(&self) -> Condition<T> {
        Condition::from_fragment(self.fragment(format!("{} IS NULL", self.extract_sql()), None))
    }
    /// The path holds a value other than null.
    pub fn is_not_null(&self) -> Condition<T> {
        Condition::from_fragment(self.fragment(format!("{} IS NOT NULL", self.extract_sql()), None))
    }
    /// Ascending order on the path's value.
    pub fn asc(&self) -> Order<T> {
        Order::new(self.extract_sql(), "ASC").with_error(self.check())
    }
    /// Descending order on the path's value.
    pub fn desc(&self) -> Order<T> {
        Order::new(self.extract_sql(), "DESC").with_error(self.check())
    }
    /// `SET column = json_set(column, path, value)`: the rest of the document is kept.
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

    pub(crate) fn with_error(mut self, check: Result<()>) -> Self {
        self.error = check.err().map(Box::new);
        self
    }

    /// NULLs sort before other values.
    pub fn nulls_first(mut self) -> Self {
        self.sql.push_str(" NULLS FIRST");
        self
    }
    /// NULLs sort after other values.
    pub fn nulls_last(mut self) -> Self {
        self.sql.push_str(" NULLS LAST");
        self
    }
}

/// One `SET` of an `UPDATE` on table `T`.
#[derive(Debug, Clone)]
pub struct Assignment<T> {
    /// The quoted column assigned.
    pub(crate) column: &'static str,
    /// The value expression with its parameters.
    pub(crate) expr: Fragment,
    _marker: PhantomData<fn() -> T>,
}

impl<T> Assignment<T> {
    fn new(column: &'static str, expr: Fragment) -> Self {
        Assignment {
            column,
            expr,
            _marker: PhantomData,
        }
    }
}
