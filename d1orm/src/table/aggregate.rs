//! Aggregates over a table's rows, typed by the column they read: what a grouped (or
//! whole-table) read selects, and what `having` compares.
//!
//! ```
//! # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> d1orm::Result<()> {
//! # let db = fixture().await?;
//! use d1orm::table::count;
//! // Users per age, with the sum and mean of their ids: one statement.
//! let per_age: Vec<(i64, i64, Option<i64>, Option<f64>)> = db.users()
//!     .group_by(|u| u.age)
//!     .having(|_| count().gte(1))
//!     .order_by(|u| u.age.asc())
//!     .select(|u| (u.age, count(), u.id.sum(), u.id.avg()))
//!     .many().await?.rows;
//! assert_eq!(per_age[0].0, 17);
//! # Ok(()) }
//! ```

use super::column::Column;
use super::column_type::ColumnType;
use super::expr::{Expr, sql};

/// An aggregate over the rows of table `T` (or of each group) whose value is `V`: a
/// typed SQL expression ([`Expr`]), compared in `having`, selected, or ordered on.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// use d1orm::table::{Aggregate, count};
/// let n: Aggregate<User, i64> = count();
/// let oldest: Vec<i64> = db.users().group_by(|u| u.age).having(|_| n.gte(1)).select(|u| u.age).many().await?.rows;
/// assert_eq!(oldest.len(), 2);
/// # Ok(()) }
/// ```
pub type Aggregate<T, V> = Expr<T, V>;

/// `count(*)`: the rows (of each group).
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// use d1orm::table::count;
/// let n: Option<i64> = db.users().select(|_| count()).first().await?;
/// assert_eq!(n, Some(2));
/// # Ok(()) }
/// ```
pub fn count<T>() -> Aggregate<T, i64> {
    sql("count(*)").on()
}

/// A column type that sums: integers sum to `Option<i64>` (NULL, `None`, when no row
/// has a value), floats to `Option<f64>`.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// // Integer columns sum to Option<i64>, floats to Option<f64>.
/// let total: Option<Option<i64>> = db.users().select(|u| u.age.sum()).first().await?;
/// assert_eq!(total, Some(Some(53)));
/// # Ok(()) }
/// ```
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
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// let (youngest, last_email) = db.users().select(|u| (u.age.min(), u.email.max())).one().await?;
/// assert_eq!((youngest, last_email.as_deref()), (Some(17), Some("bo@example.com")));
/// # Ok(()) }
/// ```
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
    /// `count(column)`: the rows whose value is not NULL.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// let with_nickname: i64 = db.users().select(|u| u.nickname.count()).one().await?;
    /// assert_eq!(with_nickname, 1);
    /// # Ok(()) }
    /// ```
    pub fn count(self) -> Aggregate<T, i64> {
        sql("count({})").arg(self)
    }
    /// `count(DISTINCT column)`: the distinct values that are not NULL.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// let ages: i64 = db.users().select(|u| u.age.count_distinct()).one().await?;
    /// assert_eq!(ages, 2);
    /// # Ok(()) }
    /// ```
    pub fn count_distinct(self) -> Aggregate<T, i64> {
        sql("count(DISTINCT {})").arg(self)
    }
    /// `group_concat(column, separator)`: the values joined, `None` when there is none.
    /// A separator holding a NUL character cannot be written in SQL: the statement is
    /// then a `D1_ERROR`, before anything is sent.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// let emails: Option<String> = db.users().select(|u| u.email.group_concat(", ")).one().await?;
    /// assert_eq!(emails.map(|e| e.len()), Some("ada@example.com, bo@example.com".len()));
    /// # Ok(()) }
    /// ```
    pub fn group_concat(self, separator: &str) -> Aggregate<T, Option<String>> {
        sql("group_concat({}, {})")
            .arg(self)
            .value(separator.to_owned())
    }
}

impl<T, V: Summable, const I: usize> Column<T, V, I> {
    /// `sum(column)`: `Option<i64>` for integers (an overflow is SQLite's `integer
    /// overflow` error), `Option<f64>` for floats; `None` when no row has a value.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// let total: Option<i64> = db.users().select(|u| u.age.sum()).one().await?;
    /// assert_eq!(total, Some(53));
    /// # Ok(()) }
    /// ```
    pub fn sum(self) -> Aggregate<T, V::Sum> {
        sql("sum({})").arg(self)
    }
    /// `avg(column)`: `None` when no row has a value.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// let mean: Option<f64> = db.users().select(|u| u.age.avg()).one().await?;
    /// assert_eq!(mean, Some(26.5));
    /// # Ok(()) }
    /// ```
    pub fn avg(self) -> Aggregate<T, Option<f64>> {
        sql("avg({})").arg(self)
    }
}

impl<T, V: Ordered, const I: usize> Column<T, V, I> {
    /// `min(column)`: the smallest value, `None` when no row has one.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// let youngest: Option<i64> = db.users().select(|u| u.age.min()).one().await?;
    /// assert_eq!(youngest, Some(17));
    /// # Ok(()) }
    /// ```
    pub fn min(self) -> Aggregate<T, Option<V::Value>> {
        sql("min({})").arg(self)
    }
    /// `max(column)`: the largest value, `None` when no row has one.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// let oldest: Option<i64> = db.users().select(|u| u.age.max()).one().await?;
    /// assert_eq!(oldest, Some(36));
    /// # Ok(()) }
    /// ```
    pub fn max(self) -> Aggregate<T, Option<V::Value>> {
        sql("max({})").arg(self)
    }
}
