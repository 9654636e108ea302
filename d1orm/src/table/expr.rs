//! Typed SQL expressions inside a chain: the escape hatch for what the builder lacks.
//!
//! ```
//! # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> d1orm::Result<()> {
//! # let db = fixture().await?;
//! use d1orm::table::sql;
//! // An assignment, a filter, a projection and an order, each typed by its declaration.
//! db.users().where_(|u| u.id.eq(1)).update(|u| u.nickname.set(sql("datetime('now')"))).await?;
//! db.users().where_(|u| sql::<bool>("length({}) > {}").arg(u.email).value(14).is_true()).many().await?;
//! db.users().select(|u| (u.id, sql::<i64>("length({})").arg(u.email))).many().await?;
//! db.users().order_by(|u| sql::<i64>("length({})").arg(u.email).desc()).many().await?;
//! # Ok(()) }
//! ```
//!
//! The text is a `&'static str`, never a string made at run time, so no user input can
//! become SQL: values enter as arguments. Each `{}` takes the next argument: a column of
//! the same table (its quoted name), or a value, bound as a parameter in filters and
//! assignments and written as an SQL literal in projections and orderings (whose SQL
//! carries no parameters).

use std::marker::PhantomData;

use super::Table;
use super::column::{Column, JsonColumn, Order};
use super::column_type::{ColumnType, ColumnValue, Operand};
use super::condition::{Condition, Fragment};
use super::projection::Projection;
use crate::backend::{ParamValues, Row};
use crate::error::{Error, Prefix, Result};
use crate::value::Value;

/// A typed SQL expression over the rows of table `T` whose value is `V`.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// use d1orm::table::sql;
/// let lengths: Vec<i64> = db.users().order_by(|u| u.id.asc()).select(|u| sql::<i64>("length({})").arg(u.email)).many().await?.rows;
/// assert_eq!(lengths, [15, 14]);
/// # Ok(()) }
/// ```
pub struct Expr<T, V> {
    /// The text, with `{}` still standing for arguments not yet given.
    text: &'static str,
    /// The arguments given, in order.
    args: Vec<Arg>,
    /// What decode errors name: the first column argument, else the text.
    label: &'static str,
    _marker: PhantomData<fn() -> (T, V)>,
}

#[derive(Debug, Clone)]
enum Arg {
    Sql(String),
    Value(Result<Value>),
}

impl<T, V> Clone for Expr<T, V> {
    fn clone(&self) -> Self {
        Expr {
            text: self.text,
            args: self.args.clone(),
            label: self.label,
            _marker: PhantomData,
        }
    }
}

impl<T, V> std::fmt::Debug for Expr<T, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Expr({})", self.text)
    }
}

/// A typed SQL expression (see the module's documentation): `V` is the type its value
/// decodes into, and the type a column must have for `column.set(..)` to take it. Until
/// a column is an argument it belongs to no table ([`Sql`]); the first column makes it an
/// [`Expr`] of that column's table.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// use d1orm::table::sql;
/// db.users().where_(|u| u.id.eq(1)).update(|u| u.nickname.set(sql("upper({})").arg(u.email))).await?;
/// let short = db.users().where_(|u| sql::<i64>("length({})").arg(u.email).lt(15)).count().await?;
/// assert_eq!(short, 1);
/// # Ok(()) }
/// ```
pub fn sql<V>(text: &'static str) -> Sql<V> {
    Sql(Expr {
        text,
        args: Vec::new(),
        label: text,
        _marker: PhantomData,
    })
}

/// A typed SQL expression that names no column yet, so it fits any table: usable as a
/// value (`u.updated_at.set(sql("datetime('now')"))`) and, once a column is an argument
/// ([`arg`](Self::arg)), as an [`Expr`] of that column's table.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// use d1orm::table::sql;
/// // `&'static str` text with `{}` for columns and values, typed by its value.
/// let odd = db.users().where_(|u| sql::<i64>("{} % {}").arg(u.age).value(2i64).eq(1)).count().await?;
/// assert_eq!(odd, 1);
/// # Ok(()) }
/// ```
pub struct Sql<V>(Expr<(), V>);

impl<V> Clone for Sql<V> {
    fn clone(&self) -> Self {
        Sql(self.0.clone())
    }
}

impl<V> std::fmt::Debug for Sql<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl<V> Sql<V> {
    /// The next `{}` is this column: the expression is now one of the column's table.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// use d1orm::table::sql;
    /// let n = db.users().where_(|u| sql::<bool>("instr({}, 'a') = 1").arg(u.email).is_true()).count().await?;
    /// assert_eq!(n, 1);
    /// # Ok(()) }
    /// ```
    pub fn arg<T, W, const I: usize>(self, column: Column<T, W, I>) -> Expr<T, V> {
        self.on::<T>().arg(column)
    }

    /// The next `{}` is this JSON column (its JSON text).
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// use d1orm::table::sql;
    /// let sizes: Vec<i64> = db.users().order_by(|u| u.id.asc()).select(|u| sql::<i64>("json_array_length({})").json_arg(u.tags)).many().await?.rows;
    /// assert_eq!(sizes, [1, 0]);
    /// # Ok(()) }
    /// ```
    pub fn json_arg<T, W: serde::Serialize>(self, column: JsonColumn<T, W>) -> Expr<T, V> {
        self.on::<T>().json_arg(column)
    }

    /// The next `{}` is this value.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// use d1orm::table::sql;
    /// let n = db.users().where_(|u| sql::<bool>("{} > {}").value(2i64).arg(u.id).is_true()).count().await?;
    /// assert_eq!(n, 1);
    /// # Ok(()) }
    /// ```
    pub fn value<W: ColumnType>(self, value: W) -> Self {
        Sql(self.0.value(value))
    }

    /// The expression as one of table `T`, for a filter, a projection or an order that
    /// names no column: `sql::<bool>("random() > 0").on::<Note>().is_true()`.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// use d1orm::table::sql;
    /// // No column names the table: `on` places the fragment.
    /// let all = db.users().where_(|_| sql::<bool>("1 = 1").on::<User>().is_true()).count().await?;
    /// assert_eq!(all, 2);
    /// # Ok(()) }
    /// ```
    pub fn on<T>(self) -> Expr<T, V> {
        Expr {
            text: self.0.text,
            args: self.0.args,
            label: self.0.label,
            _marker: PhantomData,
        }
    }
}

impl<V> ColumnValue<V> for Sql<V> {
    fn operand(self) -> Operand {
        self.0.operand()
    }
}

impl<T, V> Expr<T, V> {
    /// The next `{}` is this column of the same table.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// use d1orm::table::sql;
    /// let n = db.users().where_(|u| sql::<bool>("{} > {}").arg(u.age).arg(u.id).is_true()).count().await?;
    /// assert_eq!(n, 2);
    /// # Ok(()) }
    /// ```
    pub fn arg<W, const I: usize>(mut self, column: Column<T, W, I>) -> Self {
        if self.label == self.text {
            self.label = column.name();
        }
        self.args.push(Arg::Sql(column.reference().into_owned()));
        self
    }

    /// The next `{}` is this JSON column of the same table (its JSON text).
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// use d1orm::table::sql;
    /// let n = db.users().where_(|u| sql::<bool>("{} = {}").arg(u.id).json_arg(u.tags).is_true()).count().await?;
    /// assert_eq!(n, 0);
    /// # Ok(()) }
    /// ```
    pub fn json_arg<W: serde::Serialize>(mut self, column: JsonColumn<T, W>) -> Self {
        self.args.push(Arg::Sql(column.reference().into_owned()));
        self
    }

    /// The next `{}` is this value.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// use d1orm::table::sql;
    /// let n = db.users().where_(|u| sql::<i64>("{} + {}").arg(u.age).value(1i64).gt(36)).count().await?;
    /// assert_eq!(n, 1);
    /// # Ok(()) }
    /// ```
    pub fn value<W: ColumnType>(mut self, value: W) -> Self {
        self.args.push(Arg::Value(value.to_value()));
        self
    }

    /// The SQL, with values bound (`bind`) or written as literals.
    fn render(&self, bind: bool) -> Fragment {
        let mut f = Fragment::raw(String::with_capacity(self.text.len() + 16));
        if bind {
            let mut args = self.args.iter();
            let mut pieces = self.text.split("{}");
            if let Some(first) = pieces.next() {
                f.sql.to_mut().push_str(first);
            }
            for piece in pieces {
                match args.next() {
                    Some(Arg::Sql(sql)) => f.sql.to_mut().push_str(sql),
                    Some(Arg::Value(v)) => f.push_operand(Operand::Value(v.clone())),
                    None => {
                        f.error.get_or_insert_with(|| Box::new(self.arity_error()));
                    }
                }
                f.sql.to_mut().push_str(piece);
            }
            if args.next().is_some() {
                f.error.get_or_insert_with(|| Box::new(self.arity_error()));
            }
        } else if let Err(e) = self.write_literal(Some(f.sql.to_mut())) {
            f.error = Some(Box::new(e));
        }
        f
    }

    /// Writes the SQL with its values as literals (a projection, an order) into `sql`,
    /// or with `None` only checks that it can be: the first reason it cannot.
    fn write_literal(&self, mut sql: Option<&mut String>) -> Result<()> {
        let mut error = None;
        let mut push = |text: &str| {
            if let Some(sql) = sql.as_deref_mut() {
                sql.push_str(text);
            }
        };
        let mut args = self.args.iter();
        let mut pieces = self.text.split("{}");
        if let Some(first) = pieces.next() {
            push(first);
        }
        for piece in pieces {
            match args.next() {
                Some(Arg::Sql(s)) => push(s),
                Some(Arg::Value(Ok(Value::Text(s)))) if s.contains('\0') => {
                    error.get_or_insert_with(|| {
                        Error::d1(
                            Prefix::Error,
                            format!(
                                "SQL expression {:?}: a text argument with a NUL character cannot be written in SQL here (a projection or an order); filter on it instead",
                                self.text
                            ),
                        )
                    });
                }
                Some(Arg::Value(Ok(v))) => push(&literal(v)),
                Some(Arg::Value(Err(e))) => {
                    push("?");
                    error.get_or_insert_with(|| e.clone());
                }
                None => {
                    error.get_or_insert_with(|| self.arity_error());
                }
            }
            push(piece);
        }
        if args.next().is_some() {
            error.get_or_insert_with(|| self.arity_error());
        }
        error.map_or(Ok(()), Err)
    }

    #[cold]
    fn arity_error(&self) -> Error {
        let holes = self.text.matches("{}").count();
        Error::d1(
            Prefix::Error,
            format!(
                "SQL expression {:?} has {holes} `{{}}` but {} argument(s)",
                self.text,
                self.args.len()
            ),
        )
    }

    fn compare(&self, op: &str, operand: Operand) -> Condition<T> {
        let mut f = self.render(true);
        f.sql = format!("({}) {op} ", f.sql).into();
        f.push_operand(operand);
        Condition::from_fragment(f)
    }

    /// `expression = value`
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// use d1orm::table::sql;
    /// assert_eq!(db.users().where_(|u| sql::<i64>("length({})").arg(u.email).eq(14)).count().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn eq(&self, value: impl ColumnValue<V>) -> Condition<T> {
        self.compare("=", value.operand())
    }
    /// `expression <> value`
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// use d1orm::table::sql;
    /// assert_eq!(db.users().where_(|u| sql::<i64>("length({})").arg(u.email).ne(14)).count().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn ne(&self, value: impl ColumnValue<V>) -> Condition<T> {
        self.compare("<>", value.operand())
    }
    /// `expression > value`
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// assert_eq!(db.users().where_(|u| u.tags.length().gt(0)).count().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn gt(&self, value: impl ColumnValue<V>) -> Condition<T> {
        self.compare(">", value.operand())
    }
    /// `expression >= value`
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// assert_eq!(db.users().where_(|u| u.tags.length().gte(0)).count().await?, 2);
    /// # Ok(()) }
    /// ```
    pub fn gte(&self, value: impl ColumnValue<V>) -> Condition<T> {
        self.compare(">=", value.operand())
    }
    /// `expression < value`
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// assert_eq!(db.users().where_(|u| u.tags.length().lt(1)).count().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn lt(&self, value: impl ColumnValue<V>) -> Condition<T> {
        self.compare("<", value.operand())
    }
    /// `expression <= value`
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// assert_eq!(db.users().where_(|u| u.tags.length().lte(1)).count().await?, 2);
    /// # Ok(()) }
    /// ```
    pub fn lte(&self, value: impl ColumnValue<V>) -> Condition<T> {
        self.compare("<=", value.operand())
    }

    /// Ascending order on the expression (values written as literals).
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// let ids: Vec<i64> = db.users().order_by(|u| u.tags.length().asc()).select(|u| u.id).many().await?.rows;
    /// assert_eq!(ids, [2, 1]);
    /// # Ok(()) }
    /// ```
    pub fn asc(&self) -> Order<T> {
        self.order("ASC")
    }
    /// Descending order on the expression (values written as literals).
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// let ids: Vec<i64> = db.users().order_by(|u| u.tags.length().desc()).select(|u| u.id).many().await?.rows;
    /// assert_eq!(ids, [1, 2]);
    /// # Ok(()) }
    /// ```
    pub fn desc(&self) -> Order<T> {
        self.order("DESC")
    }

    fn order(&self, direction: &str) -> Order<T> {
        let f = self.render(false);
        let error = match f.error {
            Some(e) => Err(*e),
            None => Ok(()),
        };
        Order::new(format!("({})", f.sql), direction).with_error(error)
    }
}

impl<T> Expr<T, bool> {
    /// The expression as a condition: rows where it is true.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// use d1orm::table::sql;
    /// assert_eq!(db.users().where_(|u| sql::<bool>("{} >= 18").arg(u.age).is_true()).count().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn is_true(&self) -> Condition<T> {
        let mut f = self.render(true);
        f.sql = format!("({})", f.sql).into();
        Condition::from_fragment(f)
    }
}

/// An expression is a value for a column of its type: `u.edited_at.set(sql("datetime('now')"))`.
impl<T, V> ColumnValue<V> for Expr<T, V> {
    fn operand(self) -> Operand {
        let f = self.render(true);
        match f.error {
            Some(e) => Operand::Value(Err(*e)),
            None => Operand::Expr(format!("({})", f.sql), f.params),
        }
    }
}

impl<T: Table, V: ColumnType + Send> Projection<T> for Expr<T, V> {
    type Output = V;
    fn width(&self) -> usize {
        1
    }
    fn check(&self) -> Result<()> {
        self.write_literal(None)
    }
    fn write_sql(&self, sql: &mut String) {
        sql.push('(');
        // Checked before (`check`): only the text is wanted here.
        let _ = self.write_literal(Some(sql));
        sql.push(')');
    }
    fn decode<R: Row + ?Sized>(&self, row: &R, offset: usize) -> Result<V> {
        crate::private::decode(row, offset, T::NAME, self.label)
    }
}

/// A value as SQL text: integers and floats as numbers, text quoted, a BLOB in hex.
fn literal(value: &Value) -> String {
    match value {
        Value::Null => "NULL".to_owned(),
        Value::Integer(i) => i.to_string(),
        // `{:?}` keeps a fraction (`1.0`), so SQLite reads a REAL; non-finite floats
        // never get here (`to_value` refuses them).
        Value::Real(f) => format!("{f:?}"),
        Value::Text(s) => format!("'{}'", s.replace('\'', "''")),
        Value::Blob(b) => {
            let mut hex = String::with_capacity(b.len() * 2 + 3);
            hex.push_str("X'");
            for byte in b {
                hex.push_str(&format!("{byte:02X}"));
            }
            hex.push('\'');
            hex
        }
    }
}

/// The parameters an expression operand carries into a fragment.
pub(crate) fn push_expr(f: &mut Fragment, sql: &str, params: ParamValues) {
    f.sql.to_mut().push_str(sql);
    crate::backend::append_params(&mut f.params, params);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct T;

    #[test]
    fn arguments_fill_the_holes_in_order() {
        let c: Column<T, i64, 0> = Column::__new("n", "\"n\"", "\"n\" = ?");
        let e = sql::<i64>("{} + {} * {}")
            .arg(c)
            .value(2i64)
            .value("it's".to_owned());
        assert_eq!(e.label, "n");
        let bound = e.render(true);
        assert_eq!(&*bound.sql, "\"n\" + ? * ?");
        assert_eq!(bound.params.len(), 2);
        assert_eq!(&*e.render(false).sql, "\"n\" + 2 * 'it''s'");
        let short = sql::<i64>("{} + {}").arg(c).render(true);
        assert!(short.error.is_some());
        let long = sql::<i64>("{}").arg(c).value(1i64).render(true);
        assert!(long.error.is_some());
        assert_eq!(literal(&Value::Real(1.0)), "1.0");
        assert_eq!(literal(&Value::Blob(vec![0, 255])), "X'00FF'");
    }

    /// A projection checks and writes its SQL with literals in one pass each, as
    /// `render(false)` writes it; what cannot be written so is an error either way.
    #[test]
    fn literals_are_checked_without_writing_and_written_as_rendered() {
        let c: Column<T, i64, 0> = Column::__new("n", "\"n\"", "\"n\" = ?");
        let e = sql::<i64>("{} + {} * {}")
            .arg(c)
            .value(2i64)
            .value("it's".to_owned());
        assert!(e.write_literal(None).is_ok());
        let mut written = String::new();
        e.write_literal(Some(&mut written)).unwrap();
        assert_eq!(written, &*e.render(false).sql);

        let nul = sql::<i64>("length({})").value("a\0b".to_owned()).0;
        let err = nul.write_literal(None).unwrap_err().to_string();
        assert!(err.contains("NUL character"), "{err}");
        assert_eq!(
            nul.render(false).error.map(|e| e.to_string()),
            Some(err),
            "render(false) reports the same error"
        );
        for wrong in [
            sql::<i64>("{} + {}").arg(c),
            sql::<i64>("{}").arg(c).value(1i64),
        ] {
            let err = wrong.write_literal(None).unwrap_err().to_string();
            assert!(err.contains("argument(s)"), "{err}");
        }
    }
}
