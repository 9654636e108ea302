//! SQLite values as D1 stores them, and the conversions from Rust values for binding.

use crate::backend::ParamValues;
use crate::error::{DecodeError, Error, Result};

/// An owned SQLite value: what a bound parameter holds.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// use d1orm::Value;
/// let r = db.prepare("SELECT ? AS a, ? AS b").bind(vec![Value::Integer(1), Value::Null]).first::<serde_json::Value>().await?;
/// assert_eq!(r.unwrap(), serde_json::json!({"a": 1, "b": null}));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// SQL NULL.
    Null,
    /// A 64-bit signed integer.
    Integer(i64),
    /// A 64-bit float.
    Real(f64),
    /// UTF-8 text.
    Text(String),
    /// Bytes.
    Blob(Vec<u8>),
}

/// A borrowed SQLite value, as a backend hands it out while a row is current.
///
/// ```
/// use d1orm::{Value, ValueRef};
/// assert_eq!(Value::Text("a".into()).as_ref(), ValueRef::Text("a"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ValueRef<'a> {
    /// SQL NULL.
    Null,
    /// A 64-bit signed integer.
    Integer(i64),
    /// A 64-bit float.
    Real(f64),
    /// UTF-8 text.
    Text(&'a str),
    /// Bytes.
    Blob(&'a [u8]),
}

impl Value {
    /// This value, borrowed.
    ///
    /// ```
    /// use d1orm::{Value, ValueRef};
    /// assert_eq!(Value::Integer(7).as_ref(), ValueRef::Integer(7));
    /// ```
    pub fn as_ref(&self) -> ValueRef<'_> {
        match self {
            Value::Null => ValueRef::Null,
            Value::Integer(i) => ValueRef::Integer(*i),
            Value::Real(f) => ValueRef::Real(*f),
            Value::Text(s) => ValueRef::Text(s),
            Value::Blob(b) => ValueRef::Blob(b),
        }
    }
}

impl ValueRef<'_> {
    /// An owned copy.
    ///
    /// ```
    /// use d1orm::{Value, ValueRef};
    /// assert_eq!(ValueRef::Blob(b"ab").to_owned(), Value::Blob(b"ab".to_vec()));
    /// ```
    pub fn to_owned(self) -> Value {
        match self {
            ValueRef::Null => Value::Null,
            ValueRef::Integer(i) => Value::Integer(i),
            ValueRef::Real(f) => Value::Real(f),
            ValueRef::Text(s) => Value::Text(s.to_owned()),
            ValueRef::Blob(b) => Value::Blob(b.to_vec()),
        }
    }

    /// SQLite's name of the value's storage class, as `typeof()` gives it.
    ///
    /// ```
    /// assert_eq!(d1orm::ValueRef::Real(0.5).type_name(), "real");
    /// ```
    pub fn type_name(self) -> &'static str {
        match self {
            ValueRef::Null => "null",
            ValueRef::Integer(_) => "integer",
            ValueRef::Real(_) => "real",
            ValueRef::Text(_) => "text",
            ValueRef::Blob(_) => "blob",
        }
    }
}

/// The integer a REAL column value stands for, read into an integer: D1 hands every
/// number to JavaScript as a double, so `2.0` and `2` are one value. Only an integral
/// value within ±(2^53 − 1) is one: a double beyond may be an integer D1 rounded
/// (9007199254740993 arrives as 9007199254740992), and reading it as an `i64` could
/// give a different integer without a word. The rule for INTEGER columns and the D1
/// layer's integers; a backend hands a true INTEGER as [`ValueRef::Integer`], which
/// this rule does not touch.
#[inline]
pub(crate) fn exact_integer(f: f64) -> Option<i64> {
    // 2^53 - 1: the largest integer every double next to it tells apart.
    const MAX_SAFE: f64 = 9_007_199_254_740_991.0;
    (f.fract() == 0.0 && (-MAX_SAFE..=MAX_SAFE).contains(&f)).then_some(f as i64)
}

/// The integer an integral float stands for, when it is within `i64`: the rule for
/// numbers inside JSON documents, whose text SQLite keeps exactly.
#[inline]
pub(crate) fn integral_i64(f: f64) -> Option<i64> {
    // 2^63: the first integral float past i64::MAX (-2^63 is i64::MIN).
    const I64_END: f64 = 9_223_372_036_854_775_808.0;
    (f.fract() == 0.0 && (-I64_END..I64_END).contains(&f)).then_some(f as i64)
}

/// A REAL read as `f32`: rounded to the nearest `f32`, as narrowing always rounds (a
/// tiny value may become 0). A finite value beyond `f32`'s range, which would become
/// infinite, is an error; an infinite REAL stays infinite.
#[inline]
pub(crate) fn f32_from_real(f: f64) -> Result<f32, DecodeError> {
    let narrow = f as f32;
    if narrow.is_infinite() && f.is_finite() {
        return Err(beyond_f32(f));
    }
    Ok(narrow)
}

#[cold]
fn beyond_f32(f: f64) -> DecodeError {
    DecodeError::new(format!(
        "real {f:e} is out of range for f32 (at most {:e} in magnitude)",
        f32::MAX
    ))
}

/// A Rust value that can be bound as a statement parameter.
///
/// Conversions follow D1: `bool` binds as 1/0, `None` as NULL, byte slices as BLOB.
/// A value D1 cannot store faithfully (a `u64` above `i64::MAX`, a NaN or infinite
/// float, which D1 would silently turn into NULL) is a `D1_TYPE_ERROR`, never a panic.
///
/// ```
/// use d1orm::{IntoValue, Value};
/// assert_eq!(true.into_value().unwrap(), Value::Integer(1));
/// assert!(u64::MAX.into_value().is_err());
/// ```
pub trait IntoValue {
    /// The value to bind.
    ///
    /// ```
    /// use d1orm::{IntoValue, Value};
    /// assert_eq!(true.into_value()?, Value::Integer(1));
    /// assert!(u64::MAX.into_value().is_err());         // D1 cannot hold it
    /// assert!(f64::NAN.into_value().is_err());
    /// # Ok::<(), d1orm::Error>(())
    /// ```
    ///
    /// # Failure
    /// A value that D1 cannot store faithfully.
    fn into_value(self) -> Result<Value>;
}

impl IntoValue for Value {
    fn into_value(self) -> Result<Value> {
        match self {
            Value::Real(f) => f.into_value(),
            v => Ok(v),
        }
    }
}

impl IntoValue for ValueRef<'_> {
    fn into_value(self) -> Result<Value> {
        self.to_owned().into_value()
    }
}

macro_rules! into_integer {
    ($($t:ty),*) => {$(
        impl IntoValue for $t {
            fn into_value(self) -> Result<Value> {
                Ok(Value::Integer(i64::from(self)))
            }
        }
    )*};
}
into_integer!(i8, i16, i32, i64, u8, u16, u32);

impl IntoValue for u64 {
    fn into_value(self) -> Result<Value> {
        i64::try_from(self)
            .map(Value::Integer)
            .map_err(|_| Error::unsupported_type("u64", self))
    }
}

impl IntoValue for usize {
    fn into_value(self) -> Result<Value> {
        i64::try_from(self)
            .map(Value::Integer)
            .map_err(|_| Error::unsupported_type("usize", self))
    }
}

impl IntoValue for isize {
    fn into_value(self) -> Result<Value> {
        Ok(Value::Integer(self as i64))
    }
}

impl IntoValue for f64 {
    fn into_value(self) -> Result<Value> {
        if self.is_finite() {
            Ok(Value::Real(self))
        } else {
            Err(Error::unsupported_type("f64", self))
        }
    }
}

impl IntoValue for f32 {
    fn into_value(self) -> Result<Value> {
        if self.is_finite() {
            Ok(Value::Real(f64::from(self)))
        } else {
            Err(Error::unsupported_type("f32", self))
        }
    }
}

impl IntoValue for bool {
    fn into_value(self) -> Result<Value> {
        Ok(Value::Integer(i64::from(self)))
    }
}

impl IntoValue for String {
    fn into_value(self) -> Result<Value> {
        Ok(Value::Text(self))
    }
}

impl IntoValue for &str {
    fn into_value(self) -> Result<Value> {
        Ok(Value::Text(self.to_owned()))
    }
}

impl IntoValue for &String {
    fn into_value(self) -> Result<Value> {
        Ok(Value::Text(self.clone()))
    }
}

impl IntoValue for Vec<u8> {
    fn into_value(self) -> Result<Value> {
        Ok(Value::Blob(self))
    }
}

impl IntoValue for &[u8] {
    fn into_value(self) -> Result<Value> {
        Ok(Value::Blob(self.to_vec()))
    }
}

impl IntoValue for &Vec<u8> {
    fn into_value(self) -> Result<Value> {
        Ok(Value::Blob(self.clone()))
    }
}

impl<T: IntoValue> IntoValue for Option<T> {
    fn into_value(self) -> Result<Value> {
        match self {
            Some(v) => v.into_value(),
            None => Ok(Value::Null),
        }
    }
}

/// JSON scalars bind as themselves (booleans as 1/0); arrays and objects bind as their
/// JSON text, which is how JSON columns store them.
impl IntoValue for serde_json::Value {
    fn into_value(self) -> Result<Value> {
        (&self).into_value()
    }
}

impl IntoValue for &serde_json::Value {
    fn into_value(self) -> Result<Value> {
        use serde_json::Value as J;
        match self {
            J::Null => Ok(Value::Null),
            J::Bool(b) => b.into_value(),
            J::Number(n) => {
                if let Some(i) = n.as_i64() {
                    Ok(Value::Integer(i))
                } else if let Some(u) = n.as_u64() {
                    u.into_value()
                } else {
                    // serde_json numbers that are not integers are always finite f64s.
                    n.as_f64()
                        .map(Value::Real)
                        .ok_or_else(|| Error::unsupported_type("number", n))
                }
            }
            J::String(s) => Ok(Value::Text(s.clone())),
            J::Array(_) | J::Object(_) => Ok(Value::Text(self.to_string())),
        }
    }
}

/// The parameters of a statement: `()`, one value, a tuple of values, an array, or a
/// `Vec<Value>`.
///
/// ```
/// use d1orm::{Params, Value};
/// let values = (1, "two", Some(3.5), None::<i64>).into_params().unwrap();
/// assert_eq!(values[..], [Value::Integer(1), Value::Text("two".into()), Value::Real(3.5), Value::Null]);
/// ```
pub trait Params {
    /// The values, in order.
    ///
    /// ```
    /// use d1orm::{Params, Value};
    /// let params = (1, "a", None::<i64>).into_params()?;
    /// assert_eq!(params.to_vec(), [Value::Integer(1), Value::Text("a".into()), Value::Null]);
    /// # Ok::<(), d1orm::Error>(())
    /// ```
    ///
    /// # Failure
    /// Any value that cannot be bound (see [`IntoValue`]).
    fn into_params(self) -> Result<ParamValues>;
}

impl Params for () {
    fn into_params(self) -> Result<ParamValues> {
        Ok(ParamValues::new())
    }
}

impl<T: IntoValue> Params for T {
    fn into_params(self) -> Result<ParamValues> {
        Ok(smallvec::smallvec![self.into_value()?])
    }
}

impl Params for Vec<Value> {
    fn into_params(self) -> Result<ParamValues> {
        self.into_iter().map(IntoValue::into_value).collect()
    }
}

impl Params for &[Value] {
    fn into_params(self) -> Result<ParamValues> {
        self.iter().cloned().map(IntoValue::into_value).collect()
    }
}

impl<T: IntoValue, const N: usize> Params for [T; N] {
    fn into_params(self) -> Result<ParamValues> {
        self.into_iter().map(IntoValue::into_value).collect()
    }
}

macro_rules! tuple_params {
    ($($name:ident)+) => {
        impl<$($name: IntoValue),+> Params for ($($name,)+) {
            #[allow(non_snake_case)]
            fn into_params(self) -> Result<ParamValues> {
                let ($($name,)+) = self;
                Ok(smallvec::smallvec![$($name.into_value()?),+])
            }
        }
    };
}
tuple_params!(A);
tuple_params!(A B);
tuple_params!(A B C);
tuple_params!(A B C D);
tuple_params!(A B C D E);
tuple_params!(A B C D E F);
tuple_params!(A B C D E F G);
tuple_params!(A B C D E F G H);
tuple_params!(A B C D E F G H I);
tuple_params!(A B C D E F G H I J);
tuple_params!(A B C D E F G H I J K);
tuple_params!(A B C D E F G H I J K L);
tuple_params!(A B C D E F G H I J K L M);
tuple_params!(A B C D E F G H I J K L M N);
tuple_params!(A B C D E F G H I J K L M N O);
tuple_params!(A B C D E F G H I J K L M N O P);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_follow_d1() {
        assert_eq!(false.into_value().unwrap(), Value::Integer(0));
        assert_eq!(7u32.into_value().unwrap(), Value::Integer(7));
        assert_eq!(
            (i64::MAX as u64).into_value().unwrap(),
            Value::Integer(i64::MAX)
        );
        assert_eq!(None::<String>.into_value().unwrap(), Value::Null);
        assert_eq!(
            (&b"\x01\x02"[..]).into_value().unwrap(),
            Value::Blob(vec![1, 2])
        );
        assert_eq!(
            serde_json::json!({"a": [1]}).into_value().unwrap(),
            Value::Text(r#"{"a":[1]}"#.into())
        );
        assert_eq!(
            serde_json::json!(true).into_value().unwrap(),
            Value::Integer(1)
        );
    }

    #[test]
    fn reals_read_as_integers_only_within_2_53() {
        assert_eq!(exact_integer(2.0), Some(2));
        assert_eq!(exact_integer(-0.0), Some(0));
        assert_eq!(
            exact_integer(9_007_199_254_740_991.0),
            Some(9_007_199_254_740_991)
        );
        assert_eq!(
            exact_integer(-9_007_199_254_740_991.0),
            Some(-9_007_199_254_740_991)
        );
        for refused in [
            9_007_199_254_740_992.0,
            -9_007_199_254_740_992.0,
            1e19,
            2.5,
            f64::NAN,
            f64::INFINITY,
        ] {
            assert_eq!(exact_integer(refused), None, "{refused}");
        }
        // Inside JSON text, which SQLite keeps exactly, any integral float within i64.
        assert_eq!(integral_i64(1e16), Some(10_000_000_000_000_000));
    }

    #[test]
    fn unrepresentable_values_are_type_errors() {
        let e = u64::MAX.into_value().unwrap_err();
        assert_eq!(
            e.to_string(),
            "D1_TYPE_ERROR: Type 'u64' not supported for value '18446744073709551615'"
        );
        assert!(f64::NAN.into_value().is_err());
        assert!(f64::INFINITY.into_value().is_err());
        assert!(Value::Real(f64::NEG_INFINITY).into_value().is_err());
        assert!(serde_json::json!(u64::MAX).into_value().is_err());
        assert!(vec![Value::Real(f64::NAN)].into_params().is_err());
    }
}
