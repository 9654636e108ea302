//! Conditions and values on JSON columns holding arrays and objects, typed by the
//! column's Rust type: `tags: Vec<String>` gives `n.tags.contains("rust")` (a `&str`),
//! `n.tags.any(|t| t.starts_with("ru"))`, `n.tags.length()`; any JSON column gives
//! `has_key` and `keys`. Rendered with SQLite's `json_each`, `json_array_length` and
//! `json_type`.

use std::collections::{BTreeSet, HashSet, VecDeque};
use std::marker::PhantomData;

use serde::Serialize;

use super::Table;
use super::column::{JsonColumn, PathStep, contains_sql, ends_with_sql, starts_with_sql};
use super::column_type::{ColumnType, ColumnValue, Operand};
use super::condition::{Condition, Fragment};
use super::expr::{Expr, sql};
use super::projection::Projection;
use crate::backend::Row;
use crate::error::{Error, Prefix, Result};

/// A Rust type stored as a JSON array, and what its elements are.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// // Vec<E> (and Option<Vec<E>>) fields are JSON arrays: element filters and length.
/// assert_eq!(db.users().where_(|u| u.scores.any(|s| s.gte(80))).count().await?, 1);
/// # Ok(()) }
/// ```
pub trait JsonArray {
    /// The type of one element.
    type Element;
    /// What `json_array_length` gives: `i64`, or `Option<i64>` for an optional column.
    type Length: ColumnType + Send;
}

macro_rules! json_array {
    ($($t:ident),+) => {$(
        impl<E> JsonArray for $t<E> {
            type Element = E;
            type Length = i64;
        }
        impl<E> JsonArray for Option<$t<E>> {
            type Element = E;
            type Length = Option<i64>;
        }
    )+};
}
json_array!(Vec, VecDeque, BTreeSet, HashSet);

impl<E, const N: usize> JsonArray for [E; N] {
    type Element = E;
    type Length = i64;
}

/// One element of a JSON array column, inside [`JsonColumn::any`]: compared with
/// values of the element's type.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// assert_eq!(db.users().where_(|u| u.tags.any(|t| t.starts_with("ru"))).count().await?, 1);
/// # Ok(()) }
/// ```
pub struct JsonElement<T, E> {
    _marker: PhantomData<fn() -> (T, E)>,
}

/// The element, as `json_each` names it in the subquery `any` writes.
const ELEMENT: &str = "\"d1orm_each\".value";

impl<T, E: ColumnType> JsonElement<T, E> {
    fn compare(&self, op: &str, value: impl ColumnValue<E>) -> Condition<T> {
        // Only values: a column of the outer table could be shadowed by json_each's
        // own columns (`id`, `key`, `value`, ...) inside the subquery.
        let operand = match value.operand() {
            Operand::Value(v) => Operand::Value(v),
            _ => Operand::Value(Err(Error::d1(
                Prefix::Error,
                "inside `any`, a JSON array's element is compared with values, not columns",
            ))),
        };
        Condition::from_fragment(Fragment::column_op(ELEMENT, op, operand))
    }

    /// `element = value`
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// assert_eq!(db.users().where_(|u| u.scores.any(|s| s.eq(75))).count().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn eq(&self, value: impl ColumnValue<E>) -> Condition<T> {
        self.compare("=", value)
    }
    /// `element <> value`
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// assert_eq!(db.users().where_(|u| u.scores.any(|s| s.ne(90))).count().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn ne(&self, value: impl ColumnValue<E>) -> Condition<T> {
        self.compare("<>", value)
    }
    /// `element > value`
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// assert_eq!(db.users().where_(|u| u.scores.any(|s| s.gt(89))).count().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn gt(&self, value: impl ColumnValue<E>) -> Condition<T> {
        self.compare(">", value)
    }
    /// `element >= value`
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// assert_eq!(db.users().where_(|u| u.scores.any(|s| s.gte(91))).count().await?, 0);
    /// # Ok(()) }
    /// ```
    pub fn gte(&self, value: impl ColumnValue<E>) -> Condition<T> {
        self.compare(">=", value)
    }
    /// `element < value`
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// assert_eq!(db.users().where_(|u| u.scores.any(|s| s.lt(80))).count().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn lt(&self, value: impl ColumnValue<E>) -> Condition<T> {
        self.compare("<", value)
    }
    /// `element <= value`
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// assert_eq!(db.users().where_(|u| u.scores.any(|s| s.lte(74))).count().await?, 0);
    /// # Ok(()) }
    /// ```
    pub fn lte(&self, value: impl ColumnValue<E>) -> Condition<T> {
        self.compare("<=", value)
    }
}

impl<T> JsonElement<T, String> {
    /// The element's text holds `needle`, as [`Column::contains`](super::Column::contains).
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// assert_eq!(db.users().where_(|u| u.tags.any(|t| t.contains("us"))).count().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn contains(&self, needle: &str) -> Condition<T> {
        Condition::from_fragment(contains_sql(ELEMENT, needle))
    }
    /// The element's text starts with `prefix`, as [`Column::starts_with`](super::Column::starts_with).
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// assert_eq!(db.users().where_(|u| u.tags.any(|t| t.starts_with("r"))).count().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn starts_with(&self, prefix: &str) -> Condition<T> {
        Condition::from_fragment(starts_with_sql(ELEMENT, prefix))
    }
    /// The element's text ends with `suffix`, as [`Column::ends_with`](super::Column::ends_with).
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// assert_eq!(db.users().where_(|u| u.tags.any(|t| t.ends_with("st"))).count().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn ends_with(&self, suffix: &str) -> Condition<T> {
        Condition::from_fragment(ends_with_sql(ELEMENT, suffix))
    }
}

impl<T: Table, V: Serialize + JsonArray> JsonColumn<T, V>
where
    V::Element: ColumnType,
{
    /// The array holds `value` (`EXISTS (SELECT 1 FROM json_each(column) WHERE value = ?)`).
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// assert_eq!(db.users().where_(|u| u.tags.contains("rust")).count().await?, 1);
    /// assert_eq!(db.users().where_(|u| u.scores.contains(75)).count().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn contains(self, value: impl ColumnValue<V::Element>) -> Condition<T> {
        self.any(|e| e.eq(value))
    }

    /// Some element of the array matches: `n.scores.any(|s| s.gt(90))`. A NULL or empty
    /// array matches nothing.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// assert_eq!(db.users().where_(|u| u.scores.any(|s| s.gt(80).and(s.lt(95)))).count().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn any(
        self,
        condition: impl FnOnce(JsonElement<T, V::Element>) -> Condition<T>,
    ) -> Condition<T> {
        let inner = condition(JsonElement {
            _marker: PhantomData,
        })
        .fragment;
        let mut f = Fragment::raw(format!(
            "EXISTS (SELECT 1 FROM json_each({}) AS \"d1orm_each\" WHERE ",
            self.reference()
        ));
        f.sql.to_mut().push_str(&inner.sql);
        f.sql.to_mut().push(')');
        crate::backend::append_params(&mut f.params, inner.params);
        f.error = inner.error;
        Condition::from_fragment(f)
    }
}

impl<T: Table, V: Serialize + JsonArray> JsonColumn<T, V> {
    /// The number of elements (`json_array_length`), to filter, select or order on:
    /// `n.tags.length().gt(2)`.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// let sizes: Vec<i64> = db.users().order_by(|u| u.id.asc()).select(|u| u.tags.length()).many().await?.rows;
    /// assert_eq!(sizes, [1, 0]);
    /// # Ok(()) }
    /// ```
    pub fn length(self) -> Expr<T, V::Length> {
        sql("json_array_length({})").json_arg(self)
    }
}

impl<T: Table, V: Serialize> JsonColumn<T, V> {
    /// The document is an object with key `key` (whatever its value, JSON null
    /// included).
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// assert_eq!(db.users().where_(|u| u.settings.has_key("theme")).count().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn has_key(self, key: &str) -> Condition<T> {
        let path = key.push("$".to_owned());
        let mut f = Fragment::raw(format!(
            "json_type({}, '{}') IS NOT NULL",
            self.reference(),
            path.replace('\'', "''")
        ));
        if path.contains('\0') {
            f.error = Some(Box::new(Error::d1(
                Prefix::Error,
                format!(
                    "key {:?} on column {}.{} has a NUL character, which SQL text cannot carry",
                    key.replace('\0', "\\u0000"),
                    T::NAME,
                    self.name()
                ),
            )));
        }
        Condition::from_fragment(f)
    }

    /// The keys of the document's top-level object, in stored order (empty for
    /// anything else), to select: `.select(|u| (u.id, u.settings.keys()))`.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// let keys: Vec<String> = db.users().where_(|u| u.id.eq(1)).select(|u| u.settings.keys()).one().await?;
    /// assert_eq!(keys, ["theme", "lang"]);
    /// # Ok(()) }
    /// ```
    pub fn keys(self) -> JsonKeys<T> {
        JsonKeys {
            column: self.name(),
            sql: format!(
                "(SELECT json_group_array(key) FROM json_each({}) WHERE json_type({}) = 'object')",
                self.reference(),
                self.reference()
            ),
            _marker: PhantomData,
        }
    }
}

/// The keys of a JSON column's objects, selected as `Vec<String>`.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// let keys: Vec<(i64, Vec<String>)> = db.users().order_by(|u| u.id.asc()).select(|u| (u.id, u.settings.keys())).many().await?.rows;
/// assert_eq!(keys[1], (2, vec![]));
/// # Ok(()) }
/// ```
pub struct JsonKeys<T> {
    column: &'static str,
    sql: String,
    _marker: PhantomData<fn() -> T>,
}

impl<T> Clone for JsonKeys<T> {
    fn clone(&self) -> Self {
        JsonKeys {
            column: self.column,
            sql: self.sql.clone(),
            _marker: PhantomData,
        }
    }
}

impl<T: Table> Projection<T> for JsonKeys<T> {
    type Output = Vec<String>;
    fn width(&self) -> usize {
        1
    }
    fn write_sql(&self, sql: &mut String) {
        sql.push_str(&self.sql);
    }
    fn decode<R: Row + ?Sized>(&self, row: &R, offset: usize) -> Result<Vec<String>> {
        crate::private::decode_json(row, offset, T::NAME, self.column)
    }
}
