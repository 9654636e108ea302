//! Typed column handles: the fields of a generated columns struct.

use std::marker::PhantomData;

use serde::Serialize;

use super::column_type::{ColumnType, ColumnValue, json_to_value};
use super::condition::{Condition, Fragment};
use crate::error::Result;
use crate::value::Value;

/// A column of table `T` holding values of type `V`.
pub struct Column<T, V> {
    name: &'static str,
    quoted: &'static str,
    _marker: PhantomData<fn() -> (T, V)>,
}

impl<T, V> Clone for Column<T, V> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T, V> Copy for Column<T, V> {}

impl<T, V> std::fmt::Debug for Column<T, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Column({})", self.name)
    }
}

impl<T, V> Column<T, V> {
    #[doc(hidden)]
    pub const fn __new(name: &'static str, quoted: &'static str) -> Self {
        Column {
            name,
            quoted,
            _marker: PhantomData,
        }
    }

    /// The column's name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    pub(crate) fn quoted(&self) -> &'static str {
        self.quoted
    }

    fn compare(self, op: &str, value: Result<Value>) -> Condition<T> {
        Condition::from_fragment(Fragment::column_op(self.quoted, op, value))
    }

    /// `column = value`
    pub fn eq(self, value: impl ColumnValue<V>) -> Condition<T> {
        self.compare("=", value.column_value())
    }
    /// `column <> value`
    pub fn ne(self, value: impl ColumnValue<V>) -> Condition<T> {
        self.compare("<>", value.column_value())
    }
    /// `column > value`
    pub fn gt(self, value: impl ColumnValue<V>) -> Condition<T> {
        self.compare(">", value.column_value())
    }
    /// `column >= value`
    pub fn gte(self, value: impl ColumnValue<V>) -> Condition<T> {
        self.compare(">=", value.column_value())
    }
    /// `column < value`
    pub fn lt(self, value: impl ColumnValue<V>) -> Condition<T> {
        self.compare("<", value.column_value())
    }
    /// `column <= value`
    pub fn lte(self, value: impl ColumnValue<V>) -> Condition<T> {
        self.compare("<=", value.column_value())
    }
    /// `column LIKE pattern` (D1 limits patterns to 50 bytes).
    pub fn like(self, pattern: &str) -> Condition<T> {
        self.compare("LIKE", Ok(Value::Text(pattern.to_owned())))
    }
    /// `column BETWEEN low AND high`
    pub fn between(self, low: impl ColumnValue<V>, high: impl ColumnValue<V>) -> Condition<T> {
        Condition::from_fragment(Fragment::between(
            self.quoted,
            low.column_value(),
            high.column_value(),
        ))
    }
    /// `column IN (values)`; an empty list matches nothing.
    pub fn in_<A: ColumnValue<V>>(self, values: impl IntoIterator<Item = A>) -> Condition<T> {
        Condition::from_fragment(Fragment::in_list(
            self.quoted,
            false,
            values.into_iter().map(ColumnValue::column_value).collect(),
        ))
    }
    /// `column NOT IN (values)`; an empty list matches everything.
    pub fn not_in<A: ColumnValue<V>>(self, values: impl IntoIterator<Item = A>) -> Condition<T> {
        Condition::from_fragment(Fragment::in_list(
            self.quoted,
            true,
            values.into_iter().map(ColumnValue::column_value).collect(),
        ))
    }
    /// `column IS NULL`
    pub fn is_null(self) -> Condition<T> {
        Condition::from_fragment(Fragment::raw(format!("{} IS NULL", self.quoted)))
    }
    /// `column IS NOT NULL`
    pub fn is_not_null(self) -> Condition<T> {
        Condition::from_fragment(Fragment::raw(format!("{} IS NOT NULL", self.quoted)))
    }

    /// Ascending order on this column.
    pub fn asc(self) -> Order<T> {
        Order::new(self.quoted.to_owned(), "ASC")
    }
    /// Descending order on this column.
    pub fn desc(self) -> Order<T> {
        Order::new(self.quoted.to_owned(), "DESC")
    }

    /// `SET column = value`
    pub fn set(self, value: impl ColumnValue<V>) -> Assignment<T> {
        Assignment::new(self.quoted, "?".to_owned(), value.column_value())
    }
}

impl<T, V: ColumnType> Column<T, V> {
    /// `SET column = column + n`
    #[allow(clippy::should_implement_trait)]
    pub fn add(self, n: impl ColumnValue<V>) -> Assignment<T> {
        Assignment::new(
            self.quoted,
            format!("{} + ?", self.quoted),
            n.column_value(),
        )
    }
    /// `SET column = column - n`
    #[allow(clippy::should_implement_trait)]
    pub fn sub(self, n: impl ColumnValue<V>) -> Assignment<T> {
        Assignment::new(
            self.quoted,
            format!("{} - ?", self.quoted),
            n.column_value(),
        )
    }
}

/// A JSON column of table `T` whose documents deserialize as `V`.
pub struct JsonColumn<T, V> {
    column: Column<T, V>,
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
    pub const fn __new(name: &'static str, quoted: &'static str) -> Self {
        JsonColumn {
            column: Column::__new(name, quoted),
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

    /// A path into the documents: an object key, then `.at(..)` for deeper keys or
    /// array indexes.
    pub fn at(self, step: impl PathStep) -> JsonPath<T> {
        JsonPath {
            column: self.column.quoted,
            path: step.push("$".to_owned()),
            _marker: PhantomData,
        }
    }

    /// `column = value`, comparing whole documents as JSON.
    pub fn eq(self, value: &V) -> Condition<T> {
        Condition::from_fragment(Fragment::column_expr(
            format!("json({}) = json(?)", self.column.quoted),
            json_to_value(value),
        ))
    }
    /// `column IS NULL`
    pub fn is_null(self) -> Condition<T> {
        Condition::from_fragment(Fragment::raw(format!("{} IS NULL", self.column.quoted)))
    }
    /// `column IS NOT NULL`
    pub fn is_not_null(self) -> Condition<T> {
        Condition::from_fragment(Fragment::raw(format!("{} IS NOT NULL", self.column.quoted)))
    }
    /// `SET column = value` (stored as JSON text).
    pub fn set(self, value: &V) -> Assignment<T> {
        Assignment::new(self.column.quoted, "?".to_owned(), json_to_value(value))
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
    column: &'static str,
    path: String,
    _marker: PhantomData<fn() -> T>,
}

impl<T> Clone for JsonPath<T> {
    fn clone(&self) -> Self {
        JsonPath {
            column: self.column,
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

    /// `json_extract(column, path)`: the path as an SQL value.
    pub(crate) fn extract_sql(&self) -> String {
        format!(
            "json_extract({}, '{}')",
            self.column,
            self.path.replace('\'', "''")
        )
    }

    fn compare(&self, op: &str, value: &impl Serialize) -> Condition<T> {
        // The value travels as JSON text and is read back by SQLite's JSON parser, so a
        // number stays a number whatever type the backend binds it as.
        Condition::from_fragment(Fragment::column_expr(
            format!("{} {op} json_extract(json(?), '$')", self.extract_sql()),
            json_text(value),
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
        Condition::from_fragment(Fragment::raw(format!("{} IS NULL", self.extract_sql())))
    }
    /// The path holds a value other than null.
    pub fn is_not_null(&self) -> Condition<T> {
        Condition::from_fragment(Fragment::raw(format!("{} IS NOT NULL", self.extract_sql())))
    }
    /// Ascending order on the path's value.
    pub fn asc(&self) -> Order<T> {
        Order::new(self.extract_sql(), "ASC")
    }
    /// Descending order on the path's value.
    pub fn desc(&self) -> Order<T> {
        Order::new(self.extract_sql(), "DESC")
    }
    /// `SET column = json_set(column, path, value)`: the rest of the document is kept.
    pub fn set(&self, value: impl Serialize) -> Assignment<T> {
        Assignment::new(
            self.column,
            format!(
                "json_set({}, '{}', json(?))",
                self.column,
                self.path.replace('\'', "''")
            ),
            json_text(&value),
        )
    }
}

fn json_text(value: &impl Serialize) -> Result<Value> {
    serde_json::to_string(value).map(Value::Text).map_err(|e| {
        crate::Error::Decode(crate::DecodeError::new(format!("cannot encode JSON: {e}")))
    })
}

/// One key of an `ORDER BY` on table `T`.
#[derive(Debug, Clone)]
pub struct Order<T> {
    pub(crate) sql: String,
    _marker: PhantomData<fn() -> T>,
}

impl<T> Order<T> {
    fn new(expr: String, direction: &str) -> Self {
        Order {
            sql: format!("{expr} {direction}"),
            _marker: PhantomData,
        }
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
    pub(crate) column: &'static str,
    pub(crate) expr: String,
    pub(crate) value: Result<Value>,
    _marker: PhantomData<fn() -> T>,
}

impl<T> Assignment<T> {
    fn new(column: &'static str, expr: String, value: Result<Value>) -> Self {
        Assignment {
            column,
            expr,
            value,
            _marker: PhantomData,
        }
    }
}
