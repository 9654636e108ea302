//! JSON documents in columns: the one way user values become JSON text, and the one
//! rule for numbers read back from it.
//!
//! Encoding: serde_json writes a NaN or an infinite float as `null`, so a document
//! holding one would be stored changed, and read back as an error (a `f64` field cannot
//! be null). Such a value is refused, as a plain `f64` column refuses it: a
//! `D1_TYPE_ERROR` naming the column and where in the document the float is. The check
//! costs nothing unless the text has a `null` in it: only then is the value walked
//! again, by [`FiniteCheck`], to tell a real `null` from a replaced float.
//!
//! Decoding: JavaScript has one number type, so D1 code cannot tell `1` from `1.0`, and
//! INTEGER columns already accept an integral REAL. Inside a document the same holds: an
//! integral number within `i64` or `u64` reads as that integer; fractions, and numbers
//! the field's type cannot hold, stay errors. serde_json is tried first; only a document
//! it refuses is parsed again with its integral floats made integers.
//!
//! An `f32` inside a document reads by the rule of `f32` columns: rounded to the
//! nearest `f32`, and a finite number beyond its range is an error, never infinity
//! (serde alone would narrow `1e300` to infinity). Both reads go through
//! [`strict::Strict`], which applies the rule at any depth.

use std::fmt;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde::ser;

use crate::error::{DecodeError, Error, Prefix, Result};

mod strict;

pub(crate) use strict::Strict;

/// Where a document goes: its table and column, and the path inside the column's
/// documents at which the value is written (`$` for the whole document).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Target<'a> {
    pub(crate) table: &'a str,
    pub(crate) column: &'a str,
    pub(crate) path: &'a str,
}

impl<'a> Target<'a> {
    /// The whole document of a column.
    pub(crate) fn column(table: &'a str, column: &'a str) -> Self {
        Target {
            table,
            column,
            path: "$",
        }
    }
}

/// `value` as JSON text for `target`.
///
/// # Failure
/// A NaN or infinite float anywhere in the value (`D1_TYPE_ERROR`), or a value serde_json
/// cannot write (a map with keys that are not strings, a failing `Serialize`).
pub(crate) fn to_text<T: Serialize + ?Sized>(value: &T, target: Target<'_>) -> Result<String> {
    let text = match serde_json::to_string(value) {
        Ok(text) => text,
        Err(e) => return Err(not_encoded(&e, target)),
    };
    // serde_json writes a non-finite float as `null`: without one, there is none.
    if text.contains("null") {
        check_finite(value, target)?;
    }
    Ok(text)
}

#[cold]
fn not_encoded(e: &dyn fmt::Display, target: Target<'_>) -> Error {
    Error::Decode(
        DecodeError::new(format!("cannot encode JSON: {e}"))
            .in_column(target.column)
            .in_table(target.table),
    )
}

#[cold]
#[inline(never)]
fn check_finite<T: Serialize + ?Sized>(value: &T, target: Target<'_>) -> Result<()> {
    match value.serialize(FiniteCheck) {
        Ok(()) => Ok(()),
        Err(Unencodable::NonFinite {
            type_name,
            value,
            path,
        }) => {
            let mut at = target.path.to_owned();
            // The segments were collected from the float outwards.
            for segment in path.iter().rev() {
                at.push_str(segment);
            }
            Err(Error::d1(
                Prefix::TypeError,
                format!(
                    "Type '{type_name}' not supported for value '{value}' at {at} in JSON column {}.{}",
                    target.table, target.column
                ),
            ))
        }
        Err(Unencodable::Custom(message)) => Err(not_encoded(&message, target)),
    }
}

/// Reads JSON text into `T`, integral floats standing for integers and `f32`s narrowed
/// by the column rule (see the module's documentation).
///
/// # Failure
/// Text that is not JSON, a document `T` does not accept, or a number beyond the range
/// of an `f32` it is read into: serde_json's error, from the text as stored (or from
/// the document with its integral floats as integers, when that changed anything).
#[inline]
pub(crate) fn from_text<T: DeserializeOwned>(text: &str) -> Result<T, DecodeError> {
    match strict::from_str(text) {
        Ok(value) => Ok(value),
        Err(e) => from_normalised(text, &e),
    }
}

#[cold]
fn malformed(e: &serde_json::Error) -> DecodeError {
    DecodeError::new(format!("malformed JSON document: {e}"))
}

/// `text` read again with its integral floats as integers, after `first` refused it as
/// written. When that changes nothing, `first`; when `T` refuses the result too, the
/// second read's error, as it is the one left once integral floats stand for integers
/// (in `{"n":1.0,"x":1e300}` the problem is `x`, not `n`).
#[cold]
#[inline(never)]
fn from_normalised<T: DeserializeOwned>(
    text: &str,
    first: &serde_json::Error,
) -> Result<T, DecodeError> {
    match normalised(text) {
        Some(value) => strict::from_value(value).map_err(|e| malformed(&e)),
        None => Err(malformed(first)),
    }
}

/// The document in `text` with every integral float within `i64` or `u64` made that
/// integer; `None` when the text is not JSON or has no such float.
pub(crate) fn normalised(text: &str) -> Option<serde_json::Value> {
    let mut value: serde_json::Value = serde_json::from_str(text).ok()?;
    integral_floats_as_integers(&mut value).then_some(value)
}

/// Makes every integral float within `i64` or `u64` an integer; says whether there was
/// one.
fn integral_floats_as_integers(value: &mut serde_json::Value) -> bool {
    use serde_json::Value as J;
    match value {
        J::Number(n) => match n.as_f64().filter(|_| n.is_f64()).and_then(integral) {
            Some(integer) => {
                *n = integer;
                true
            }
            None => false,
        },
        J::Array(items) => items
            .iter_mut()
            .fold(false, |changed, v| integral_floats_as_integers(v) | changed),
        J::Object(map) => map
            .values_mut()
            .fold(false, |changed, v| integral_floats_as_integers(v) | changed),
        J::Null | J::Bool(_) | J::String(_) => false,
    }
}

/// The integer an integral float stands for, within `i64` or else `u64`.
fn integral(f: f64) -> Option<serde_json::Number> {
    if let Some(i) = crate::value::integral_i64(f) {
        return Some(i.into());
    }
    // 2^64: the first integral float past u64::MAX.
    const U64_END: f64 = 18_446_744_073_709_551_616.0;
    (f.fract() == 0.0 && (0.0..U64_END).contains(&f)).then(|| (f as u64).into())
}

/// Why a value cannot be written as JSON text faithfully.
#[derive(Debug)]
enum Unencodable {
    /// A NaN or infinite float, with the path to it, innermost segment first.
    NonFinite {
        type_name: &'static str,
        value: f64,
        path: Vec<String>,
    },
    /// The value's `Serialize` failed.
    Custom(String),
}

impl Unencodable {
    /// The same error, one level further out: `segment` leads to where it was.
    fn within(mut self, segment: impl FnOnce() -> String) -> Self {
        if let Unencodable::NonFinite { path, .. } = &mut self {
            path.push(segment());
        }
        self
    }
}

impl fmt::Display for Unencodable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unencodable::NonFinite {
                type_name, value, ..
            } => write!(f, "{type_name} {value} has no JSON form"),
            Unencodable::Custom(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for Unencodable {}

impl ser::Error for Unencodable {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Unencodable::Custom(msg.to_string())
    }
}

fn non_finite(type_name: &'static str, value: f64) -> Unencodable {
    Unencodable::NonFinite {
        type_name,
        value,
        path: Vec::new(),
    }
}

/// A map key as a path segment: `.key`.
fn key_segment<K: Serialize + ?Sized>(key: &K) -> String {
    let key = serde_json::to_string(key).unwrap_or_default();
    let key = key
        .strip_prefix('"')
        .and_then(|k| k.strip_suffix('"'))
        .unwrap_or(&key);
    format!(".{key}")
}

/// A serializer that writes nothing and fails on the first NaN or infinite float, with
/// the path to it.
#[derive(Clone, Copy)]
struct FiniteCheck;

/// The parts of a compound value, counted for the path.
struct Parts {
    next: usize,
    /// The enum variant around the parts, if any.
    variant: Option<&'static str>,
}

impl Parts {
    fn new(variant: Option<&'static str>) -> Self {
        Parts { next: 0, variant }
    }

    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unencodable> {
        let index = self.next;
        self.next += 1;
        value
            .serialize(FiniteCheck)
            .map_err(|e| e.within(|| format!("[{index}]")))
    }

    fn field<T: Serialize + ?Sized>(
        &self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Unencodable> {
        value
            .serialize(FiniteCheck)
            .map_err(|e| e.within(|| format!(".{key}")))
    }

    fn end(self) -> Result<(), Unencodable> {
        Ok(())
    }

    /// An error inside the parts, located within the variant around them.
    fn in_variant(&self, result: Result<(), Unencodable>) -> Result<(), Unencodable> {
        match self.variant {
            Some(variant) => result.map_err(|e| e.within(|| format!(".{variant}"))),
            None => result,
        }
    }
}

impl ser::Serializer for FiniteCheck {
    type Ok = ();
    type Error = Unencodable;
    type SerializeSeq = Parts;
    type SerializeTuple = Parts;
    type SerializeTupleStruct = Parts;
    type SerializeTupleVariant = Parts;
    type SerializeMap = Parts;
    type SerializeStruct = Parts;
    type SerializeStructVariant = Parts;

    fn serialize_f32(self, v: f32) -> Result<(), Unencodable> {
        if v.is_finite() {
            Ok(())
        } else {
            Err(non_finite("f32", f64::from(v)))
        }
    }
    fn serialize_f64(self, v: f64) -> Result<(), Unencodable> {
        if v.is_finite() {
            Ok(())
        } else {
            Err(non_finite("f64", v))
        }
    }

    fn serialize_bool(self, _: bool) -> Result<(), Unencodable> {
        Ok(())
    }
    fn serialize_i8(self, _: i8) -> Result<(), Unencodable> {
        Ok(())
    }
    fn serialize_i16(self, _: i16) -> Result<(), Unencodable> {
        Ok(())
    }
    fn serialize_i32(self, _: i32) -> Result<(), Unencodable> {
        Ok(())
    }
    fn serialize_i64(self, _: i64) -> Result<(), Unencodable> {
        Ok(())
    }
    fn serialize_i128(self, _: i128) -> Result<(), Unencodable> {
        Ok(())
    }
    fn serialize_u8(self, _: u8) -> Result<(), Unencodable> {
        Ok(())
    }
    fn serialize_u16(self, _: u16) -> Result<(), Unencodable> {
        Ok(())
    }
    fn serialize_u32(self, _: u32) -> Result<(), Unencodable> {
        Ok(())
    }
    fn serialize_u64(self, _: u64) -> Result<(), Unencodable> {
        Ok(())
    }
    fn serialize_u128(self, _: u128) -> Result<(), Unencodable> {
        Ok(())
    }
    fn serialize_char(self, _: char) -> Result<(), Unencodable> {
        Ok(())
    }
    fn serialize_str(self, _: &str) -> Result<(), Unencodable> {
        Ok(())
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<(), Unencodable> {
        Ok(())
    }
    fn serialize_none(self) -> Result<(), Unencodable> {
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Unencodable> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Unencodable> {
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Unencodable> {
        Ok(())
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
    ) -> Result<(), Unencodable> {
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Unencodable> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Unencodable> {
        value
            .serialize(self)
            .map_err(|e| e.within(|| format!(".{variant}")))
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Parts, Unencodable> {
        Ok(Parts::new(None))
    }
    fn serialize_tuple(self, _: usize) -> Result<Parts, Unencodable> {
        Ok(Parts::new(None))
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Parts, Unencodable> {
        Ok(Parts::new(None))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Parts, Unencodable> {
        Ok(Parts::new(Some(variant)))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Parts, Unencodable> {
        Ok(Parts::new(None))
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Parts, Unencodable> {
        Ok(Parts::new(None))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Parts, Unencodable> {
        Ok(Parts::new(Some(variant)))
    }
}

impl ser::SerializeSeq for Parts {
    type Ok = ();
    type Error = Unencodable;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unencodable> {
        self.element(value)
    }
    fn end(self) -> Result<(), Unencodable> {
        Parts::end(self)
    }
}

impl ser::SerializeTuple for Parts {
    type Ok = ();
    type Error = Unencodable;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unencodable> {
        self.element(value)
    }
    fn end(self) -> Result<(), Unencodable> {
        Parts::end(self)
    }
}

impl ser::SerializeTupleStruct for Parts {
    type Ok = ();
    type Error = Unencodable;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unencodable> {
        self.element(value)
    }
    fn end(self) -> Result<(), Unencodable> {
        Parts::end(self)
    }
}

impl ser::SerializeTupleVariant for Parts {
    type Ok = ();
    type Error = Unencodable;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unencodable> {
        let result = self.element(value);
        self.in_variant(result)
    }
    fn end(self) -> Result<(), Unencodable> {
        Parts::end(self)
    }
}

impl ser::SerializeMap for Parts {
    type Ok = ();
    type Error = Unencodable;
    // Keys are checked as values (serde_json refuses a non-finite float key itself).
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Unencodable> {
        key.serialize(FiniteCheck)
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unencodable> {
        value.serialize(FiniteCheck)
    }
    fn serialize_entry<K: Serialize + ?Sized, V: Serialize + ?Sized>(
        &mut self,
        key: &K,
        value: &V,
    ) -> Result<(), Unencodable> {
        key.serialize(FiniteCheck)?;
        value
            .serialize(FiniteCheck)
            .map_err(|e| e.within(|| key_segment(key)))
    }
    fn end(self) -> Result<(), Unencodable> {
        Parts::end(self)
    }
}

impl ser::SerializeStruct for Parts {
    type Ok = ();
    type Error = Unencodable;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Unencodable> {
        self.field(key, value)
    }
    fn end(self) -> Result<(), Unencodable> {
        Parts::end(self)
    }
}

impl ser::SerializeStructVariant for Parts {
    type Ok = ();
    type Error = Unencodable;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Unencodable> {
        let result = self.field(key, value);
        self.in_variant(result)
    }
    fn end(self) -> Result<(), Unencodable> {
        Parts::end(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[derive(Serialize)]
    enum Shape {
        Dot,
        Pair(f64, f64),
        Named { r: f32 },
        Wrapped(Vec<f64>),
    }

    #[derive(Serialize)]
    struct Doc {
        name: String,
        note: Option<String>,
        shapes: Vec<Shape>,
        by_key: BTreeMap<String, f64>,
    }

    fn doc(shape: Shape, keyed: f64) -> Doc {
        Doc {
            name: "null".into(),
            note: None,
            shapes: vec![Shape::Dot, shape],
            by_key: BTreeMap::from([("k".to_owned(), keyed)]),
        }
    }

    fn error(value: &impl Serialize) -> String {
        to_text(value, Target::column("t", "c"))
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn finite_documents_encode_as_serde_json_writes_them() {
        let d = doc(Shape::Pair(1.0, 2.5), 3.0);
        assert_eq!(
            to_text(&d, Target::column("t", "c")).unwrap(),
            serde_json::to_string(&d).unwrap()
        );
        assert_eq!(
            to_text(&None::<f64>, Target::column("t", "c")).unwrap(),
            "null"
        );
    }

    #[test]
    fn non_finite_floats_are_type_errors_with_their_path() {
        assert_eq!(
            error(&doc(Shape::Pair(1.0, f64::NAN), 0.0)),
            "D1_TYPE_ERROR: Type 'f64' not supported for value 'NaN' at $.shapes[1].Pair[1] in JSON column t.c"
        );
        assert!(
            error(&doc(Shape::Named { r: f32::INFINITY }, 0.0))
                .contains("Type 'f32' not supported for value 'inf' at $.shapes[1].Named.r ")
        );
        assert!(
            error(&doc(Shape::Wrapped(vec![0.0, f64::NEG_INFINITY]), 0.0))
                .contains("'-inf' at $.shapes[1].Wrapped[1] ")
        );
        assert!(error(&doc(Shape::Dot, f64::NAN)).contains("at $.by_key.k "));
        assert!(error(&f64::NAN).contains("at $ in JSON column t.c"));
        let e = to_text(
            &f64::INFINITY,
            Target {
                table: "t",
                column: "c",
                path: "$.\"a\"",
            },
        )
        .unwrap_err();
        assert!(e.to_string().contains("at $.\"a\" in"), "{e}");
    }

    #[derive(Debug, serde::Deserialize, PartialEq)]
    struct Counts {
        n: u8,
        big: u64,
        list: Vec<i64>,
        ratio: f64,
    }

    #[test]
    fn integral_floats_read_as_integers_and_fractions_do_not() {
        let c: Counts = from_text(r#"{"n":2.0,"big":1e19,"list":[-1.0,3],"ratio":1.0}"#).unwrap();
        assert_eq!(
            c,
            Counts {
                n: 2,
                big: 10_000_000_000_000_000_000,
                list: vec![-1, 3],
                ratio: 1.0
            }
        );
        let e = from_text::<Counts>(r#"{"n":2.5,"big":1,"list":[],"ratio":1}"#).unwrap_err();
        assert!(e.message.contains("floating point `2.5`"), "{e}");
        let e = from_text::<Counts>(r#"{"n":300.0,"big":1,"list":[],"ratio":1}"#).unwrap_err();
        assert!(e.message.contains("300"), "{e}");
        let e = from_text::<Counts>(r#"{"n":1,"big":1e20,"list":[],"ratio":1}"#).unwrap_err();
        assert!(e.message.contains("expected u64"), "{e}");
        assert!(from_text::<Counts>("{").is_err());
    }
}
