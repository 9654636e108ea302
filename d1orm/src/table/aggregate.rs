//! Aggregates over a table's rows, typed by the column they read: what a grouped (or
//! whole-table) read selects, and what `having` compares.
//!
//! ```ignore
//! // Notes per org, with their stars: one statement.
//! let per_org: Vec<(i64, i64, Option<i64>, Option<f64>)> = db.notes()
//!     .group_by(|n| n.org)
//!     .having(|_| count().gt(1))
//!     .order_by(|n| n.org.asc())
//!     .select(|n| (n.org, count(), n.stars.sum(), n.score.avg()))
//!     .many().await?.rows;
//! ```

use std::marker::PhantomData;

use super::Table;
use super::column::{Column, Order};
use super::column_type::{ColumnType, ColumnValue, Operand};
use super::condition::{Condition, Fragment};
use super::projection::Projection;
use crate::backend::Row;
use crate::error::{Error, Prefix, Result};

/// An aggregate over the rows of table `T` (or of each group) whose value is `V`.
pub struct Aggregate<T, V> {
    /// The SQL expression, such as `sum("stars")`.
    sql: String,
    /// The column it reads (`count(*)` for the row count), for errors.
    column: &'static str,
    /// Why it cannot be written in SQL (a separator holding a NUL character).
    error: Option<Box<Error>>,
    _marker: PhantomData<fn() -> (T, V)>,
}

impl<T, V> Clone for Aggregate<T, V> {
    fn clone(&self) -> Self {
        Aggregate {
            sql: self.sql.clone(),
            column: self.column,
            error: self.error.clone(),
            _marker: PhantomData,
        }
    }
}

impl<T, V> std::fmt::Debug for Aggregate<T, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Aggregate({})", self.sql)
    }
}

impl<T, V> Aggregate<T, V> {
    fn new(sql: String, column: &'static str) -> Self {
        Aggregate {
            sql,
            column,
            error: None,
            _marker: PhantomData,
        }
    }

    fn compare(&self, op: &str, operand: Operand) -> Condition<T> {
        let mut f = Fragment::column_op(&self.sql, op, operand);
        if let Some(e) = &self.error {
            f.error.get_or_insert_with(|| e.clone());
        }
        Condition::from_fragment(f)
    }

    /// `aggregate = value` (in `having`).
    pub fn eq(&self, value: impl ColumnValue<V>) -> Condition<T> {
        self.compare("=", value.operand())
    }
    /// `aggregate <> value`
    pub fn ne(&self, value: impl ColumnValue<V>) -> Condition<T> {
        self.compare("<>", value.operand())
    }
    /// `aggregate > value`
    pub fn gt(&self, value: impl ColumnValue<V>) -> Condition<T> {
        self.compare(">", value.operand())
    }
    /// `aggregate >= value`
    pub fn gte(&self, value: impl ColumnValue<V>) -> Condition<T> {
        self.compare(">=", value.operand())
    }
    /// `aggregate < value`
    pub fn lt(&self, value: impl ColumnValue<V>) -> Condition<T> {
        self.compare("<", value.operand())
    }
    /// `aggregate <= value`
    pub fn lte(&self, value: impl ColumnValue<V>) -> Condition<T> {
        self.compare("<=", value.operand())
    }
    /// Groups in ascending order of the aggregate.
    pub fn asc(&self) -> Order<T> {
        Order::new(self.sql.clone(), "ASC").with_error(self.check_sql())
    }
    /// Groups in descending order of the aggregate.
    pub fn desc(&self) -> Order<T> {
        Order::new(self.sql.clone(), "DESC").with_error(self.check_sql())
    }

    fn check_sql(&self) -> Result<()> {
        match &self.error {
            Some(e) => Err((**e).clone()),
            None => Ok(()),
        }
    }
}

impl<T: Table, V: ColumnType + Send> Projection<T> for Aggregate<T, V> {
    type Output = V;
    fn width(&self) -> usize {
        1
    }
    fn check(&self) -> Result<()> {
        self.check_sql()
    }
    fn write_sql(&self, sql: &mut String) {
        sql.push_str(&self.sql);
    }
    fn decode<R: Row + ?Sized>(&self, row: &R, offset: usize) -> Result<V> {
        crate::private::decode(row, offset, T::NAME, self.column)
    }
}

/// `count(*)`: the rows (of each group).
pub fn count<T>() -> Aggregate<T, i64> {
    Aggregate::new("count(*)".to_owned(), "count(*)")
}

/// A column type that sums: integers sum to `Option<i64>` (NULL, `None`, when no row
/// has a value), floats to `Option<f64>`.
pub trait Summable: ColumnType {
    /// What `sum` gives.
    type Sum: ColumnType + Send;
}

macro_rules! summable {
    ($sum:ty: $($t:ty),+) => {$(
        impl Summable for $t {
            type Sum = Option<$sum>;
        }
        impl Summable for Option<$t> {
            type Sum = Option<$sum>;
        }
    )+};
}
summable!(i64: i64, i32, i16, i8, u32, u16, u8);
summable!(f64: f64, f32);

/// A column type with an order: `min` and `max` give `Option<` the value `>` (NULL when
/// no row has a value), whether or not the column is optional.
pub trait Ordered: ColumnType {
    /// The value without its `Option`.
    type Value: ColumnType + Send;
}

macro_rules! ordered {
    ($($t:ty),+) => {$(
        impl Ordered for $t {
            type Value = $t;
        }
        impl Ordered for Option<$t> {
            type Value = $t;
        }
    )+};
}
ordered!(
    i64,
    i32,
    i16,
    i8,
    u32,
    u16,
    u8,
    f64,
    f32,
    bool,
    String,
    Vec<u8>
);

impl<T, V, const I: usize> Column<T, V, I> {
    fn aggregate<O>(self, function: &str) -> Aggregate<T, O> {
        Aggregate::new(format!("{function}({})", self.reference()), self.name())
    }

    /// `count(column)`: the rows whose value is not NULL.
    pub fn count(self) -> Aggregate<T, i64> {
        self.aggregate("count")
    }
    /// `count(DISTINCT column)`: the distinct values that are not NULL.
    pub fn count_distinct(self) -> Aggregate<T, i64> {
        Aggregate::new(format!("count(DISTINCT {})", self.reference()), self.name())
    }
    /// `group_concat(column, separator)`: the values joined, `None` when there is none.
    /// A separator holding a NUL character cannot be written in SQL: the statement is
    /// then a `D1_ERROR`, before anything is sent.
    pub fn group_concat(self, separator: &str) -> Aggregate<T, Option<String>> {
        let mut aggregate = Aggregate::new(
            format!(
                "group_concat({}, '{}')",
                self.reference(),
                separator.replace('\'', "''")
            ),
            self.name(),
        );
        if separator.contains('\0') {
            aggregate.error = Some(Box::new(Error::d1(
                Prefix::Error,
                format!(
                    "group_concat separator on column {} has a NUL character, which SQL text cannot carry",
                    self.name()
                ),
            )));
        }
        aggregate
    }
}

impl<T, V: Summable, const I: usize> Column<T, V, I> {
    /// `sum(column)`: `Option<i64>` for integers (an overflow is SQLite's `integer
    /// overflow` error), `Option<f64>` for floats; `None` when no row has a value.
    pub fn sum(self) -> Aggregate<T, V::Sum> {
        self.aggregate("sum")
    }
    /// `avg(column)`: `None` when no row has a value.
    pub fn avg(self) -> Aggregate<T, Option<f64>> {
        self.aggregate("avg")
    }
}

impl<T, V: Ordered, const I: usize> Column<T, V, I> {
    /// `min(column)`: the smallest value, `None` when no row has one.
    pub fn min(self) -> Aggregate<T, Option<V::Value>> {
        self.aggregate("min")
    }
    /// `max(column)`: the largest value, `None` when no row has one.
    pub fn max(self) -> Aggregate<T, Option<V::Value>> {
        self.aggregate("max")
    }
}
