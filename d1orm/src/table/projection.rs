//! What a read or a `RETURNING` clause decodes rows into: the whole row, one column, a
//! JSON path, or a tuple of those.

use serde::de::DeserializeOwned;
use smallvec::SmallVec;

use super::Table;
use super::column::{Column, JsonColumn, JsonPath};
use super::column_type::ColumnType;
use crate::backend::Row;
use crate::error::Result;

/// Columns or expressions of table `T` to select, decoded by position into
/// [`Output`](Projection::Output).
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// // A column, a JSON path, an expression, a tuple of those, or AllColumns.
/// let ids: Vec<i64> = db.users().select(|u| u.id).many().await?.rows;
/// let pairs: Vec<(i64, Option<String>)> = db.users().select(|u| (u.id, u.nickname)).many().await?.rows;
/// assert_eq!((ids.len(), pairs.len()), (2, 2));
/// # Ok(()) }
/// ```
pub trait Projection<T> {
    /// The Rust value of one row.
    type Output: Send;
    /// Whether this is [`AllColumns`]: every column, in declaration order. Only d1orm
    /// can answer `Some`.
    #[doc(hidden)]
    fn every_column(&self) -> Option<EveryColumn> {
        None
    }
    /// How many result columns the projection takes.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # fn main() {
    /// use d1orm::table::Projection;
    /// let c = User::columns();
    /// assert_eq!(Projection::<User>::width(&(c.id, c.email)), 2);
    /// # }
    /// ```
    fn width(&self) -> usize;
    /// Whether the projection can be written in SQL; only a JSON path with a NUL
    /// character in a key cannot. Defaults to `Ok`.
    ///
    /// # Failure
    /// A JSON path key holding a NUL character.
    #[doc(hidden)]
    fn check(&self) -> Result<()> {
        Ok(())
    }
    /// Appends the comma-separated SQL expressions.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # fn main() {
    /// use d1orm::table::Projection;
    /// let c = User::columns();
    /// let mut sql = String::new();
    /// Projection::<User>::write_sql(&(c.id, c.email), &mut sql);
    /// assert_eq!(sql, r#""id", "email""#);
    /// # }
    /// ```
    fn write_sql(&self, sql: &mut String);
    /// Appends the parameters the expressions bind, in order; only included relations
    /// have any (their filters). Defaults to none.
    #[doc(hidden)]
    fn write_params(&self, params: &mut crate::backend::ParamValues) {
        let _ = params;
    }
    /// Decodes the projection from the row, starting at column `offset`.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # fn main() {
    /// use d1orm::{Row, Value, ValueRef, table::Projection};
    /// struct Cells(Vec<Value>);
    /// impl Row for Cells {
    ///     fn column_count(&self) -> usize { self.0.len() }
    ///     fn value(&self, i: usize) -> d1orm::Result<ValueRef<'_>> { Ok(self.0[i].as_ref()) }
    /// }
    /// let c = User::columns();
    /// let row = Cells(vec![Value::Integer(1), Value::Text("a@x".into())]);
    /// assert_eq!(Projection::<User>::decode(&(c.id, c.email), &row, 0).unwrap(), (1, "a@x".to_string()));
    /// # }
    /// ```
    ///
    /// # Failure
    /// A stored value that does not decode (the error names the table and column).
    fn decode<R: Row + ?Sized>(&self, row: &R, offset: usize) -> Result<Self::Output>;
}

/// What only [`AllColumns`] gives from [`Projection::every_column`]: a projection
/// implemented elsewhere cannot make one, so it cannot be taken for the whole row.
#[doc(hidden)]
#[derive(Debug)]
pub struct EveryColumn(());

impl<T: Table, V: ColumnType + Send, const I: usize> Projection<T> for Column<T, V, I> {
    type Output = V;
    fn width(&self) -> usize {
        1
    }
    fn write_sql(&self, sql: &mut String) {
        sql.push_str(&self.reference());
    }
    fn decode<R: Row + ?Sized>(&self, row: &R, offset: usize) -> Result<V> {
        crate::private::decode(row, offset, T::NAME, self.name())
    }
}

impl<T: Table, V: serde::Serialize + DeserializeOwned + Send> Projection<T> for JsonColumn<T, V> {
    type Output = V;
    fn width(&self) -> usize {
        1
    }
    fn write_sql(&self, sql: &mut String) {
        sql.push_str(&self.reference());
    }
    fn decode<R: Row + ?Sized>(&self, row: &R, offset: usize) -> Result<V> {
        crate::private::decode_json(row, offset, T::NAME, self.name())
    }
}

/// A JSON path selects the JSON value found there (`null` when missing).
impl<T: Table> Projection<T> for JsonPath<T> {
    type Output = serde_json::Value;
    fn width(&self) -> usize {
        1
    }
    fn write_sql(&self, sql: &mut String) {
        // `json_quote(json_extract(..))` gives JSON text for every kind of value.
        sql.push_str("json_quote(");
        sql.push_str(&self.extract_sql());
        sql.push(')');
    }
    fn check(&self) -> Result<()> {
        JsonPath::check(self)
    }
    fn decode<R: Row + ?Sized>(&self, row: &R, offset: usize) -> Result<serde_json::Value> {
        crate::private::decode_json(row, offset, T::NAME, self.column_name())
    }
}

macro_rules! tuple_projection {
    ($($name:ident $index:tt),+) => {
        impl<T, $($name: Projection<T>),+> Projection<T> for ($($name,)+) {
            type Output = ($($name::Output,)+);
            fn width(&self) -> usize {
                0 $(+ self.$index.width())+
            }
            fn check(&self) -> Result<()> {
                $(self.$index.check()?;)+
                Ok(())
            }
            fn write_sql(&self, sql: &mut String) {
                let mut first = true;
                $(
                    if !first {
                        sql.push_str(", ");
                    }
                    first = false;
                    self.$index.write_sql(sql);
                )+
                let _ = first;
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
tuple_projection!(A 0);
tuple_projection!(A 0, B 1);
tuple_projection!(A 0, B 1, C 2);
tuple_projection!(A 0, B 1, C 2, D 3);
tuple_projection!(A 0, B 1, C 2, D 3, E 4);
tuple_projection!(A 0, B 1, C 2, D 3, E 4, F 5);
tuple_projection!(A 0, B 1, C 2, D 3, E 4, F 5, G 6);
tuple_projection!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);

/// The whole row of `T`, in declaration order.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// // What a chain reads when it selects nothing: whole rows of the table.
/// let everyone: Vec<User> = db.users().many().await?.rows;
/// assert_eq!(everyone.len(), 2);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct AllColumns;

impl<T: Table> Projection<T> for AllColumns {
    type Output = T;
    fn every_column(&self) -> Option<EveryColumn> {
        Some(EveryColumn(()))
    }
    fn width(&self) -> usize {
        T::COLUMNS.len()
    }
    fn write_sql(&self, sql: &mut String) {
        sql.push_str(T::SELECT_LIST);
    }
    fn decode<R: Row + ?Sized>(&self, row: &R, offset: usize) -> Result<T> {
        T::decode_row(row, offset)
    }
}

/// Rows decoded through a projection: the sink behind every table-layer read.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// let rows = db.users().select(|u| u.email).many().await?;
/// assert_eq!(rows.rows.len(), 2);
/// # Ok(()) }
/// ```
pub struct ProjectedRows<T, P: Projection<T>> {
    projection: P,
    /// One row stays inline: `first()` and `one()` read at most two.
    pub(crate) rows: SmallVec<[P::Output; 1]>,
    _table: std::marker::PhantomData<fn() -> T>,
}

impl<T, P: Projection<T>> ProjectedRows<T, P> {
    pub(crate) fn new(projection: P) -> Self {
        ProjectedRows {
            projection,
            rows: SmallVec::new(),
            _table: std::marker::PhantomData,
        }
    }
}

impl<T, P: Projection<T>> crate::backend::RowSink for ProjectedRows<T, P> {
    fn row<R: Row + ?Sized>(&mut self, row: &R) -> Result<()> {
        self.rows.push(self.projection.decode(row, 0)?);
        Ok(())
    }
}

/// A struct that reads some columns of table `T`: implemented by `#[derive(FromRow)]`
/// with `#[d1orm(table = T)]`, and selected with `Query::select_as`. Each field is named
/// after a field of `T` and has its type (a misspelled or mistyped one does not compile);
/// only those columns are read.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// use d1orm::FromRow;
///
/// #[derive(Debug, PartialEq, FromRow)]
/// #[d1orm(table = User)]
/// struct Card {
///     id: i64,
///     email: String,
/// }
///
/// let cards: Vec<Card> = db.users().order_by(|u| u.id.asc()).select_as::<Card>().many().await?.rows;
/// assert_eq!(cards[1], Card { id: 2, email: "bo@example.com".into() });
/// # Ok(()) }
/// ```
pub trait FromRow<T>: Sized + Send {
    /// Appends the comma-separated quoted columns, in field order.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// #[derive(d1orm::FromRow)]
    /// #[d1orm(table = User)]
    /// struct Handle { id: i64, nickname: Option<String> }
    /// fn main() {
    ///     let mut sql = String::new();
    ///     <Handle as d1orm::table::FromRow<User>>::write_sql(&mut sql);
    ///     assert_eq!(sql, r#""id", "nickname""#);
    /// }
    /// ```
    fn write_sql(sql: &mut String);
    /// How many columns it reads.
    const WIDTH: usize;
    /// Decodes the struct from the row, starting at column `offset`.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// use d1orm::{Row, Value, ValueRef, table::FromRow};
    /// #[derive(d1orm::FromRow)]
    /// #[d1orm(table = User)]
    /// struct Handle { id: i64, nickname: Option<String> }
    /// struct Cells(Vec<Value>);
    /// impl Row for Cells {
    ///     fn column_count(&self) -> usize { self.0.len() }
    ///     fn value(&self, i: usize) -> d1orm::Result<ValueRef<'_>> { Ok(self.0[i].as_ref()) }
    /// }
    /// fn main() {
    ///     let h = <Handle as FromRow<User>>::decode(&Cells(vec![Value::Integer(3), Value::Null]), 0).unwrap();
    ///     assert_eq!((h.id, h.nickname), (3, None));
    /// }
    /// ```
    ///
    /// # Failure
    /// A stored value that does not decode (the error names the table and column).
    fn decode<R: Row + ?Sized>(row: &R, offset: usize) -> Result<Self>;
}

/// Rows decoded as `P`, a [`FromRow`] struct.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// #[derive(d1orm::FromRow)]
/// #[d1orm(table = User)]
/// struct Age { age: i64 }
/// let ages: Vec<Age> = db.users().select_as::<Age>().many().await?.rows;
/// assert_eq!(ages.len(), 2);
/// # Ok(()) }
/// ```
pub struct As<P>(std::marker::PhantomData<fn() -> P>);

impl<P> As<P> {
    pub(crate) fn new() -> Self {
        As(std::marker::PhantomData)
    }
}

impl<P> Clone for As<P> {
    fn clone(&self) -> Self {
        As::new()
    }
}

impl<T, P: FromRow<T>> Projection<T> for As<P> {
    type Output = P;
    fn width(&self) -> usize {
        P::WIDTH
    }
    fn write_sql(&self, sql: &mut String) {
        P::write_sql(sql);
    }
    fn decode<R: Row + ?Sized>(&self, row: &R, offset: usize) -> Result<P> {
        P::decode(row, offset)
    }
}

/// A column handle of table `T` whose values are `V`: what a `FromRow` field reads.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # fn main() {
/// use d1orm::table::ColumnOf;
/// assert_eq!(ColumnOf::<User, String>::quoted_name(&User::columns().email), r#""email""#);
/// # }
/// ```
pub trait ColumnOf<T, V> {
    /// The quoted column name.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # fn main() {
    /// use d1orm::table::ColumnOf;
    /// assert_eq!(ColumnOf::<User, i64>::quoted_name(&User::columns().age), r#""age""#);
    /// # }
    /// ```
    fn quoted_name(&self) -> &'static str;
    /// Decodes the column's value at `index`.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # fn main() {
    /// use d1orm::{Row, Value, ValueRef, table::ColumnOf};
    /// struct Cells(Vec<Value>);
    /// impl Row for Cells {
    ///     fn column_count(&self) -> usize { self.0.len() }
    ///     fn value(&self, i: usize) -> d1orm::Result<ValueRef<'_>> { Ok(self.0[i].as_ref()) }
    /// }
    /// let age: i64 = User::columns().age.decode_at(&Cells(vec![Value::Integer(36)]), 0).unwrap();
    /// assert_eq!(age, 36);
    /// # }
    /// ```
    ///
    /// # Failure
    /// As [`Projection::decode`].
    fn decode_at<R: Row + ?Sized>(&self, row: &R, index: usize) -> Result<V>;
}

impl<T: Table, V: ColumnType + Send, const I: usize> ColumnOf<T, V> for Column<T, V, I> {
    fn quoted_name(&self) -> &'static str {
        self.quoted()
    }
    fn decode_at<R: Row + ?Sized>(&self, row: &R, index: usize) -> Result<V> {
        Projection::<T>::decode(self, row, index)
    }
}

impl<T: Table, V: serde::Serialize + DeserializeOwned + Send> ColumnOf<T, V> for JsonColumn<T, V> {
    fn quoted_name(&self) -> &'static str {
        self.quoted()
    }
    fn decode_at<R: Row + ?Sized>(&self, row: &R, index: usize) -> Result<V> {
        Projection::<T>::decode(self, row, index)
    }
}
