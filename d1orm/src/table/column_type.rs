//! How Rust field types map to SQLite columns: the [`ColumnType`] trait, implemented for
//! the built-in types and open to user types.

use crate::error::{DecodeError, Result};
use crate::json;
use crate::value::{IntoValue, Value, ValueRef, exact_integer, f32_from_real};

/// A Rust type stored in one column.
///
/// Implement it for your own types (an enum stored as TEXT, a newtype id) to use them as
/// fields of a `#[derive(Table)]` struct:
///
/// ```
/// use d1orm::{ColumnType, DecodeError, Value, ValueRef};
///
/// #[derive(Debug, Clone, Copy, PartialEq)]
/// enum Tier { Free, Pro }
///
/// impl ColumnType for Tier {
///     const SQL_TYPE: &'static str = "TEXT";
///     fn to_value(&self) -> d1orm::Result<Value> {
///         Ok(Value::Text(match self { Tier::Free => "free", Tier::Pro => "pro" }.into()))
///     }
///     fn from_value(value: ValueRef<'_>) -> Result<Self, DecodeError> {
///         match value {
///             ValueRef::Text("free") => Ok(Tier::Free),
///             ValueRef::Text("pro") => Ok(Tier::Pro),
///             other => Err(DecodeError::new(format!("not a tier: {other:?}"))),
///         }
///     }
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "the type `{Self}` cannot be stored in a column",
    label = "unsupported column type",
    note = "supported: integers, f32/f64, bool, String, Vec<u8>, Option of those, and types implementing `d1orm::ColumnType`; mark the field `#[d1orm(json)]` to store a serde type as JSON"
)]
pub trait ColumnType: Sized {
    /// The column's declared SQL type (`INTEGER`, `REAL`, `TEXT` or `BLOB`).
    const SQL_TYPE: &'static str;
    /// Whether the column admits NULL (true only for `Option<T>`).
    const NULLABLE: bool = false;
    /// The only values the column may hold, for types with a fixed set (text enums);
    /// the schema adds a CHECK constraint listing them.
    const VALUES: Option<&'static [&'static str]> = None;

    /// The value to bind.
    ///
    /// ```
    /// use d1orm::{ColumnType, Value};
    /// assert_eq!(true.to_value()?, Value::Integer(1));
    /// assert!(u64::MAX.to_value().is_err());
    /// # Ok::<(), d1orm::Error>(())
    /// ```
    ///
    /// # Failure
    /// A value the database cannot hold faithfully (a `u64` above `i64::MAX`).
    fn to_value(&self) -> Result<Value>;

    /// The value to bind, taking the Rust value: text and bytes move instead of being
    /// copied, which an insert of many rows notices. Defaults to
    /// [`to_value`](Self::to_value).
    ///
    /// ```
    /// use d1orm::{ColumnType, Value};
    /// assert_eq!(String::from("a").into_bound_value()?, Value::Text("a".into()));
    /// # Ok::<(), d1orm::Error>(())
    /// ```
    ///
    /// # Failure
    /// As [`to_value`](Self::to_value).
    fn into_bound_value(self) -> Result<Value> {
        self.to_value()
    }

    /// The Rust value of a stored value.
    ///
    /// ```
    /// use d1orm::{ColumnType, ValueRef};
    /// assert_eq!(i64::from_value(ValueRef::Integer(7)), Ok(7));
    /// assert_eq!(<Option<i64>>::from_value(ValueRef::Null), Ok(None));
    /// assert!(u8::from_value(ValueRef::Integer(300)).is_err());   // out of range
    /// ```
    ///
    /// # Failure
    /// A stored value of the wrong type or out of range.
    fn from_value(value: ValueRef<'_>) -> Result<Self, DecodeError>;
}

#[cold]
fn inexact(f: f64) -> DecodeError {
    if f.fract() == 0.0 {
        DecodeError::new(format!(
            "expected an integer, found real value {}: beyond ±(2^53 - 1) a number from \
             D1 may be a rounded integer",
            integral_exponential(f)
        ))
    } else {
        DecodeError::new("expected an integer, found real value")
    }
}

/// `format!("{f:e}")` for a finite integral `f`, made from `{f}`, which writes such a
/// number as its shortest digits followed by zeros: the same text, without compiling
/// the exponential formatting code into every Worker.
fn integral_exponential(f: f64) -> String {
    let plain = f.to_string();
    let (sign, digits) = match plain.strip_prefix('-') {
        Some(digits) => ("-", digits),
        None => ("", plain.as_str()),
    };
    let exponent = digits.len() - 1;
    let significant = match digits.trim_end_matches('0') {
        "" => "0",
        significant => significant,
    };
    let (first, rest) = significant.split_at(significant.len().min(1));
    let point = if rest.is_empty() { "" } else { "." };
    format!("{sign}{first}{point}{rest}e{exponent}")
}

#[cold]
fn mismatch(expected: &str, value: ValueRef<'_>) -> DecodeError {
    DecodeError::new(format!(
        "expected {expected}, found {} value",
        value.type_name()
    ))
}

/// Reads an integer, accepting an integral REAL within ±(2^53 − 1) (D1 hands numbers to
/// JavaScript as doubles, and local D1 binds them as REAL); a fraction, or a double
/// beyond that, which may be an integer D1 rounded, is an error.
#[inline]
fn integer(value: ValueRef<'_>) -> Result<i64, DecodeError> {
    match value {
        ValueRef::Integer(i) => Ok(i),
        ValueRef::Real(f) => exact_integer(f).ok_or_else(|| inexact(f)),
        other => Err(mismatch("an integer", other)),
    }
}

macro_rules! integer_column {
    ($($t:ty),*) => {$(
        impl ColumnType for $t {
            const SQL_TYPE: &'static str = "INTEGER";
            fn to_value(&self) -> Result<Value> {
                (*self).into_value()
            }
            #[inline]
            fn from_value(value: ValueRef<'_>) -> Result<Self, DecodeError> {
                let i = integer(value)?;
                <$t>::try_from(i).map_err(|_| {
                    DecodeError::new(format!("integer {i} out of range for {}", stringify!($t)))
                })
            }
        }
    )*};
}
integer_column!(i8, i16, i32, i64, u8, u16, u32, u64);

impl ColumnType for f64 {
    const SQL_TYPE: &'static str = "REAL";
    fn to_value(&self) -> Result<Value> {
        (*self).into_value()
    }
    #[inline]
    fn from_value(value: ValueRef<'_>) -> Result<Self, DecodeError> {
        match value {
            ValueRef::Real(f) => Ok(f),
            ValueRef::Integer(i) => Ok(i as f64),
            other => Err(mismatch("a number", other)),
        }
    }
}

impl ColumnType for f32 {
    const SQL_TYPE: &'static str = "REAL";
    fn to_value(&self) -> Result<Value> {
        (*self).into_value()
    }
    /// A REAL rounds to the nearest `f32`; one beyond `f32`'s range is an error, not
    /// an infinity.
    #[inline]
    fn from_value(value: ValueRef<'_>) -> Result<Self, DecodeError> {
        match value {
            ValueRef::Real(f) => f32_from_real(f),
            ValueRef::Integer(i) => Ok(i as f32),
            other => Err(mismatch("a number", other)),
        }
    }
}

impl ColumnType for bool {
    const SQL_TYPE: &'static str = "INTEGER";
    fn to_value(&self) -> Result<Value> {
        Ok(Value::Integer(i64::from(*self)))
    }
    #[inline]
    fn from_value(value: ValueRef<'_>) -> Result<Self, DecodeError> {
        match integer(value)? {
            0 => Ok(false),
            1 => Ok(true),
            i => Err(DecodeError::new(format!(
                "integer {i} is not a boolean (0 or 1)"
            ))),
        }
    }
}

impl ColumnType for String {
    const SQL_TYPE: &'static str = "TEXT";
    fn to_value(&self) -> Result<Value> {
        Ok(Value::Text(self.clone()))
    }
    fn into_bound_value(self) -> Result<Value> {
        Ok(Value::Text(self))
    }
    #[inline]
    fn from_value(value: ValueRef<'_>) -> Result<Self, DecodeError> {
        match value {
            ValueRef::Text(s) => Ok(s.to_owned()),
            other => Err(mismatch("text", other)),
        }
    }
}

impl ColumnType for Vec<u8> {
    const SQL_TYPE: &'static str = "BLOB";
    fn to_value(&self) -> Result<Value> {
        Ok(Value::Blob(self.clone()))
    }
    fn into_bound_value(self) -> Result<Value> {
        Ok(Value::Blob(self))
    }
    #[inline]
    fn from_value(value: ValueRef<'_>) -> Result<Self, DecodeError> {
        match value {
            ValueRef::Blob(b) => Ok(b.to_vec()),
            other => Err(mismatch("a blob", other)),
        }
    }
}

impl<T: ColumnType> ColumnType for Option<T> {
    const SQL_TYPE: &'static str = T::SQL_TYPE;
    const NULLABLE: bool = true;
    const VALUES: Option<&'static [&'static str]> = T::VALUES;
    fn to_value(&self) -> Result<Value> {
        match self {
            Some(v) => v.to_value(),
            None => Ok(Value::Null),
        }
    }
    fn into_bound_value(self) -> Result<Value> {
        match self {
            Some(v) => v.into_bound_value(),
            None => Ok(Value::Null),
        }
    }
    fn from_value(value: ValueRef<'_>) -> Result<Self, DecodeError> {
        match value {
            ValueRef::Null => Ok(None),
            v => T::from_value(v).map(Some),
        }
    }
}

/// A value usable where a column of type `V` is compared or assigned: `V` itself, the
/// borrowed forms (`&str` for `String`, `&[u8]` for `Vec<u8>`, a plain value for an
/// `Option` column), or another column of type `V` (in an upsert, `new.x` for the
/// incoming row's value).
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// // A value of the column's type, None for a nullable column, or another column.
/// db.users().where_(|u| u.age.gt(18)).count().await?;
/// db.users().where_(|u| u.nickname.eq(None)).count().await?;
/// db.users().where_(|u| u.age.gt(u.id)).count().await?;
/// # Ok(()) }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a value for a column of type `{V}`",
    label = "expected a value of type `{V}`"
)]
pub trait ColumnValue<V> {
    /// The operand: a value to bind, or a column reference.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # fn main() {
    /// use d1orm::table::ColumnValue;
    /// let _bound = ColumnValue::<i64>::operand(18i64);
    /// # }
    /// ```
    fn operand(self) -> Operand;
}

/// The right-hand side of a comparison or assignment.
#[doc(hidden)]
#[derive(Debug, Clone)]
pub enum Operand {
    /// A value, bound as a parameter.
    Value(Result<Value>),
    /// SQL text with no parameter (a column reference).
    Sql(String),
    /// SQL text with its parameters (a typed SQL expression, `table::sql`).
    Expr(String, crate::backend::ParamValues),
}

impl<V: ColumnType> ColumnValue<V> for V {
    fn operand(self) -> Operand {
        Operand::Value(self.to_value())
    }
}

impl<V: ColumnType> ColumnValue<V> for &V {
    fn operand(self) -> Operand {
        Operand::Value(self.to_value())
    }
}

impl<V: ColumnType> ColumnValue<Option<V>> for V {
    fn operand(self) -> Operand {
        Operand::Value(self.to_value())
    }
}

impl ColumnValue<String> for &str {
    fn operand(self) -> Operand {
        Operand::Value(Ok(Value::Text(self.to_owned())))
    }
}

impl ColumnValue<Option<String>> for &str {
    fn operand(self) -> Operand {
        Operand::Value(Ok(Value::Text(self.to_owned())))
    }
}

impl ColumnValue<Vec<u8>> for &[u8] {
    fn operand(self) -> Operand {
        Operand::Value(Ok(Value::Blob(self.to_vec())))
    }
}

impl ColumnValue<Option<Vec<u8>>> for &[u8] {
    fn operand(self) -> Operand {
        Operand::Value(Ok(Value::Blob(self.to_vec())))
    }
}

/// Reads a JSON column's text into the field's type (integral floats stand for
/// integers: see the `json` module).
pub(crate) fn json_from_value<T: serde::de::DeserializeOwned>(
    value: ValueRef<'_>,
) -> Result<T, DecodeError> {
    match value {
        ValueRef::Text(s) => json::from_text(s),
        // A NULL becomes whatever the type makes of JSON null (None for an Option).
        ValueRef::Null => serde_json::from_str("null")
            .map_err(|_| DecodeError::new("expected a JSON document, found null value")),
        other => Err(mismatch("JSON text", other)),
    }
}

/// Writes a JSON column's value as JSON text (NULL for a `None` at the top).
///
/// # Failure
/// A NaN or infinite float in the value (`D1_TYPE_ERROR`, naming the column), or a
/// value serde_json cannot write.
pub(crate) fn json_to_value<T: serde::Serialize + ?Sized>(
    value: &T,
    target: json::Target<'_>,
) -> Result<Value> {
    let text = json::to_text(value, target)?;
    Ok(if text == "null" {
        Value::Null
    } else {
        Value::Text(text)
    })
}

#[cfg(test)]
mod tests {
    use super::integral_exponential;

    #[test]
    fn integral_exponential_writes_what_lower_exp_writes() {
        let mut values = vec![
            0.0,
            -0.0,
            1.0,
            -7.0,
            10.0,
            9_007_199_254_740_992.0,
            -9_007_199_254_740_992.0,
            9_223_372_036_854_775_808.0,
            1e21,
            -1.5e300,
            f64::MAX,
            f64::MIN,
        ];
        let mut f = 9_007_199_254_740_993.0_f64;
        while f.is_finite() {
            values.push(f);
            values.push(-f.next_up());
            f *= 3.7;
        }
        for f in values {
            assert_eq!(integral_exponential(f), format!("{f:e}"), "{f}");
        }
    }
}
