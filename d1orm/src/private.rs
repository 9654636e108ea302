//! What `#[derive(Table)]` generates code against. Not public API: it may change in any
//! release.

pub use crate::backend::{Backend, ParamValues, Row};
pub use crate::batch::Tx;
pub use crate::database::Database;
pub use crate::error::{DecodeError, Error, Result};
pub use crate::table::{
    Column, ColumnInfo, ColumnOf, ColumnType, ForeignKeyInfo, FromRow, IndexInfo, InsertRow,
    IntoRows, JsonColumn, Many, One, Optional, PrimaryKey, Query, Relation, Table, UniqueKey,
};
pub use crate::table::{
    JsonLeaf, JsonNode, JsonPath, MaybeAbsent, Presence, Projection, TypedPath,
};
pub use crate::value::ValueRef;

/// The quoted name of the column a `FromRow` field reads (type-checks the field).
pub fn quoted_name_of<T, V, C: ColumnOf<T, V>>(column: &C) -> &'static str {
    column.quoted_name()
}

/// Decodes the column a `FromRow` field reads, into the field's type.
pub fn decode_column<T, V, C: ColumnOf<T, V>, R: Row + ?Sized>(
    column: &C,
    row: &R,
    index: usize,
) -> Result<V> {
    column.decode_at(row, index)
}
pub use crate::value::Value;
pub use serde::Serialize;
pub use serde::de::DeserializeOwned;

/// Decodes a plain column's value at `index`, naming table and column on failure.
/// Natively always inlined into the derive's `decode_row`: left to itself the compiler
/// keeps it out of line for `String`, which costs about 5% of a 1,000-row read. In a
/// Worker (wasm32) it is left to the compiler: one copy per column type rather than one
/// per column keeps the `.wasm` smaller, and a Worker's reads wait on D1 anyway.
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
pub fn decode<T: ColumnType, R: Row + ?Sized>(
    row: &R,
    index: usize,
    table: &'static str,
    column: &'static str,
) -> Result<T> {
    match row.value(index) {
        Ok(value) => match T::from_value(value) {
            Ok(value) => Ok(value),
            Err(e) => Err(located(e, table, column)),
        },
        Err(e) => Err(e.located(table, column)),
    }
}

/// A decode error that names its table and column.
#[cold]
fn located(e: DecodeError, table: &'static str, column: &'static str) -> Error {
    Error::Decode(e.in_column(column).in_table(table))
}

/// Decodes a JSON column's document at `index`, naming table and column on failure.
pub fn decode_json<T: DeserializeOwned, R: Row + ?Sized>(
    row: &R,
    index: usize,
    table: &'static str,
    column: &'static str,
) -> Result<T> {
    match row.value(index) {
        Ok(value) => crate::table::json_from_value(value).map_err(|e| located(e, table, column)),
        Err(e) => Err(e.located(table, column)),
    }
}

/// A JSON column's value as JSON text.
///
/// # Failure
/// A NaN or infinite float in the value: a `D1_TYPE_ERROR` naming the column.
pub fn encode_json<T: Serialize + ?Sized>(
    value: &T,
    table: &'static str,
    column: &'static str,
) -> Result<Value> {
    crate::table::json_to_value(value, crate::json::Target::column(table, column))
}

/// Checks, on the field's span, that a field type can be stored in a column.
#[diagnostic::on_unimplemented(
    message = "the type `{Self}` cannot be stored in column `{Col}`",
    label = "unsupported column type",
    note = "supported: integers, f32/f64, bool, String, Vec<u8>, Option of those, and types implementing `d1orm::ColumnType`; mark the field `#[d1orm(json)]` to store a serde type as JSON"
)]
pub trait StorableIn<Col> {}
impl<T: ColumnType, Col> StorableIn<Col> for T {}

/// Checks, on the field's span, that a `json` field's type has serde support.
#[diagnostic::on_unimplemented(
    message = "the type `{Self}` of JSON column `{Col}` does not implement serde's `Serialize` and `Deserialize`",
    label = "needs `#[derive(Serialize, Deserialize)]`",
    note = "a `#[d1orm(json)]` field is stored as JSON text through serde"
)]
pub trait JsonIn<Col> {}
impl<T: Serialize + DeserializeOwned, Col> JsonIn<Col> for T {}

/// A required column's value in a row builder (`NewUser::builder()`); an unset column is
/// its marker type, which has no such impl, so `build` names it.
#[diagnostic::on_unimplemented(
    message = "the required column `{Self}` is not set",
    label = "`build` needs every column that has no default",
    note = "set each such column by name, as `.column(value)`, before `.build()`"
)]
pub trait RequiredColumn<T> {
    /// The value set.
    fn into_value(self) -> T;
}

/// A required column set in a row builder.
pub struct ColumnSet<T>(pub T);

impl<T> RequiredColumn<T> for ColumnSet<T> {
    #[inline]
    fn into_value(self) -> T {
        self.0
    }
}

/// Asserts a bound at compile time.
pub const fn assert_storable<T: StorableIn<Col> + ?Sized, Col>() {}

/// Asserts a bound at compile time.
pub const fn assert_json<T: JsonIn<Col> + ?Sized, Col>() {}
