//! serde deserializers over a backend's current row: rows become structs, maps, tuples
//! or sequences without passing through an intermediate map of names to values.

use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};
use smallvec::SmallVec;

use crate::backend::{Columns, Row};
use crate::error::{DecodeError, Error, Result};
use crate::json::Strict;
use crate::value::{ValueRef, exact_integer, f32_from_real};

/// Which columns a row object shows, and in which order, resolved once per statement.
///
/// Follows what D1 users see in JavaScript: a duplicated name keeps its first position
/// and the last column's value; integer-like names come first, in ascending order.
///
/// Every name lives in one buffer and a typical result's fields stay inline: a batch
/// builds one layout per statement that returns rows.
///
/// ```
/// use d1orm::{Columns, Row, Value, ValueRef};
/// use d1orm::de::{ObjectLayout, row_as_array, row_as_object};
/// struct Cells(Vec<(&'static str, Value)>);
/// impl Row for Cells {
///     fn column_count(&self) -> usize { self.0.len() }
///     fn value(&self, i: usize) -> d1orm::Result<ValueRef<'_>> { Ok(self.0[i].1.as_ref()) }
/// }
/// impl Columns for Cells {
///     fn count(&self) -> usize { self.0.len() }
///     fn name(&self, i: usize) -> &str { self.0[i].0 }
/// }
/// let row = Cells(vec![("id", Value::Integer(1)), ("email", Value::Text("a@x".into()))]);
/// let layout = ObjectLayout::new(&row);
/// assert_eq!((layout.position("email"), layout.position("age")), (Some(1), None));
/// ```
#[derive(Debug, Clone, Default)]
pub struct ObjectLayout {
    fields: SmallVec<[Field; 4]>,
    names: String,
}

/// A column an object shows: its position, and where its name is in the buffer.
#[derive(Debug, Clone, Copy)]
struct Field {
    index: usize,
    name: (usize, usize),
}

impl ObjectLayout {
    /// The layout of a result with these columns.
    ///
    /// ```
    /// use d1orm::{Columns, Row, Value, ValueRef};
    /// use d1orm::de::{ObjectLayout, row_as_array, row_as_object};
    /// struct Cells(Vec<(&'static str, Value)>);
    /// impl Row for Cells {
    ///     fn column_count(&self) -> usize { self.0.len() }
    ///     fn value(&self, i: usize) -> d1orm::Result<ValueRef<'_>> { Ok(self.0[i].1.as_ref()) }
    /// }
    /// impl Columns for Cells {
    ///     fn count(&self) -> usize { self.0.len() }
    ///     fn name(&self, i: usize) -> &str { self.0[i].0 }
    /// }
    /// let row = Cells(vec![("id", Value::Integer(1)), ("email", Value::Text("a@x".into()))]);
    /// let layout = ObjectLayout::new(&row);
    /// assert_eq!(layout.position("id"), Some(0));
    /// ```
    pub fn new(columns: &dyn Columns) -> Self {
        let mut layout = ObjectLayout::default();
        layout.set_columns(columns);
        layout
    }

    /// The layout of a result with these columns, made in place, reusing the buffers: a
    /// batch makes one per statement, and most statements have no column at all.
    pub(crate) fn set_columns(&mut self, columns: &dyn Columns) {
        self.fields.clear();
        self.names.clear();
        let count = columns.count();
        if count == 0 {
            return;
        }
        self.fields.reserve(count);
        self.names.reserve(count * 8);
        let mut indexed = false;
        for index in 0..count {
            let name = columns.name(index);
            match self.fields.iter().position(|f| self.name(f) == name) {
                Some(seen) => self.fields[seen].index = index,
                None => {
                    let start = self.names.len();
                    self.names.push_str(name);
                    self.fields.push(Field {
                        index,
                        name: (start, self.names.len()),
                    });
                    indexed |= array_index(name).is_some();
                }
            }
        }
        if indexed {
            // A stable sort keeps the other names in SQL order.
            let names = &self.names;
            self.fields.sort_by_key(|f| {
                array_index(&names[f.name.0..f.name.1]).map_or((1, 0), |i| (0, i))
            });
        }
    }

    fn name(&self, field: &Field) -> &str {
        &self.names[field.name.0..field.name.1]
    }

    /// The position of the column a row object shows under `name`.
    ///
    /// ```
    /// use d1orm::{Columns, Row, Value, ValueRef};
    /// use d1orm::de::{ObjectLayout, row_as_array, row_as_object};
    /// struct Cells(Vec<(&'static str, Value)>);
    /// impl Row for Cells {
    ///     fn column_count(&self) -> usize { self.0.len() }
    ///     fn value(&self, i: usize) -> d1orm::Result<ValueRef<'_>> { Ok(self.0[i].1.as_ref()) }
    /// }
    /// impl Columns for Cells {
    ///     fn count(&self) -> usize { self.0.len() }
    ///     fn name(&self, i: usize) -> &str { self.0[i].0 }
    /// }
    /// let row = Cells(vec![("id", Value::Integer(1)), ("email", Value::Text("a@x".into()))]);
    /// assert_eq!(ObjectLayout::new(&row).position("email"), Some(1));
    /// ```
    pub fn position(&self, name: &str) -> Option<usize> {
        self.fields
            .iter()
            .find(|f| self.name(f) == name)
            .map(|f| f.index)
    }
}

/// JavaScript orders object keys that are canonical array indexes first.
fn array_index(name: &str) -> Option<u64> {
    if !name.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let n: u64 = name.parse().ok()?;
    (n < u64::from(u32::MAX) && n.to_string() == name).then_some(n)
}

/// How numbers inside JSON text are read.
///
/// JavaScript has one number type, so D1 code cannot tell `1` from `1.0`: an integral
/// number is an integer inside JSON text as it is in a column. serde_json reads the
/// text as written first; only when that fails is the value read again with its
/// integral floats made integers (and the second error given if that fails too: it is
/// the one left once integral floats stand for integers, and the same as the first when
/// nothing was made an integer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Numbers {
    /// As serde_json reads them.
    AsWritten,
    /// Integral floats within `i64` or `u64` read as integers.
    IntegralAsIntegers,
}

/// The value `read` gives as written, or if that fails, read again with integral
/// floats in JSON text as integers; the second error if both fail (see [`Numbers`]).
#[inline]
fn with_integral_json<T>(
    read: impl Fn(Numbers) -> Result<T, DecodeError>,
) -> Result<T, DecodeError> {
    match read(Numbers::AsWritten) {
        Ok(value) => Ok(value),
        Err(_) => again(|| read(Numbers::IntegralAsIntegers)),
    }
}

#[cold]
#[inline(never)]
fn again<T>(read: impl FnOnce() -> Result<T, DecodeError>) -> Result<T, DecodeError> {
    read()
}

/// Decodes a row as an object (a struct or a map) following `layout`.
///
/// ```
/// use d1orm::{Columns, Row, Value, ValueRef};
/// use d1orm::de::{ObjectLayout, row_as_array, row_as_object};
/// struct Cells(Vec<(&'static str, Value)>);
/// impl Row for Cells {
///     fn column_count(&self) -> usize { self.0.len() }
///     fn value(&self, i: usize) -> d1orm::Result<ValueRef<'_>> { Ok(self.0[i].1.as_ref()) }
/// }
/// impl Columns for Cells {
///     fn count(&self) -> usize { self.0.len() }
///     fn name(&self, i: usize) -> &str { self.0[i].0 }
/// }
/// let row = Cells(vec![("id", Value::Integer(1)), ("email", Value::Text("a@x".into()))]);
/// #[derive(serde::Deserialize)]
/// struct User { id: i64, email: String }
/// let user: User = row_as_object(&row, &ObjectLayout::new(&row)).unwrap();
/// assert_eq!((user.id, user.email.as_str()), (1, "a@x"));
/// ```
pub fn row_as_object<'r, T: de::Deserialize<'r>, R: Row + ?Sized>(
    row: &'r R,
    layout: &ObjectLayout,
) -> Result<T> {
    with_integral_json(|numbers| {
        T::deserialize(ObjectDeserializer {
            row,
            layout,
            numbers,
        })
    })
    .map_err(Error::from)
}

/// Decodes a row as a sequence (a tuple, `Vec`, array) of its columns in SQL order.
///
/// ```
/// use d1orm::{Columns, Row, Value, ValueRef};
/// use d1orm::de::{ObjectLayout, row_as_array, row_as_object};
/// struct Cells(Vec<(&'static str, Value)>);
/// impl Row for Cells {
///     fn column_count(&self) -> usize { self.0.len() }
///     fn value(&self, i: usize) -> d1orm::Result<ValueRef<'_>> { Ok(self.0[i].1.as_ref()) }
/// }
/// impl Columns for Cells {
///     fn count(&self) -> usize { self.0.len() }
///     fn name(&self, i: usize) -> &str { self.0[i].0 }
/// }
/// let row = Cells(vec![("id", Value::Integer(1)), ("email", Value::Text("a@x".into()))]);
/// let (id, email): (i64, String) = row_as_array(&row).unwrap();
/// assert_eq!((id, email.as_str()), (1, "a@x"));
/// ```
pub fn row_as_array<'r, T: de::Deserialize<'r>, R: Row + ?Sized>(row: &'r R) -> Result<T> {
    with_integral_json(|numbers| T::deserialize(ArrayDeserializer { row, numbers }))
        .map_err(Error::from)
}

/// Decodes one value.
///
/// ```
/// use d1orm::ValueRef;
/// assert_eq!(d1orm::de::value::<bool>(ValueRef::Integer(1)), Ok(true));
/// assert_eq!(d1orm::de::value::<Vec<u32>>(ValueRef::Text("[1,2]")), Ok(vec![1, 2]));   // JSON text
/// ```
pub fn value<'v, T: de::Deserialize<'v>>(value: ValueRef<'v>) -> Result<T, DecodeError> {
    with_integral_json(|numbers| T::deserialize(ValueDeserializer(value, numbers)))
}

fn read<R: Row + ?Sized>(row: &R, index: usize) -> Result<ValueRef<'_>, DecodeError> {
    row.value(index).map_err(|e| match e {
        Error::Decode(d) => d,
        other => DecodeError::new(other.to_string()),
    })
}

struct ObjectDeserializer<'r, 'l, R: ?Sized> {
    row: &'r R,
    layout: &'l ObjectLayout,
    numbers: Numbers,
}

impl<'de, R: Row + ?Sized> de::Deserializer<'de> for ObjectDeserializer<'de, '_, R> {
    type Error = DecodeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        visitor.visit_map(ObjectAccess {
            row: self.row,
            layout: self.layout,
            fields: self.layout.fields.iter(),
            current: None,
            numbers: self.numbers,
        })
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        ArrayDeserializer {
            row: self.row,
            numbers: self.numbers,
        }
        .deserialize_seq(visitor)
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        ArrayDeserializer {
            row: self.row,
            numbers: self.numbers,
        }
        .deserialize_tuple(len, visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        visitor.visit_newtype_struct(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
        byte_buf option unit unit_struct tuple_struct map struct enum identifier
        ignored_any
    }
}

struct ObjectAccess<'a, 'r, R: ?Sized, I> {
    row: &'r R,
    layout: &'a ObjectLayout,
    fields: I,
    current: Option<&'a Field>,
    numbers: Numbers,
}

impl<'de, 'a, R: Row + ?Sized, I: Iterator<Item = &'a Field>> de::MapAccess<'de>
    for ObjectAccess<'a, 'de, R, I>
{
    type Error = DecodeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DecodeError> {
        self.current = self.fields.next();
        match self.current {
            Some(field) => seed
                .deserialize(self.layout.name(field).into_deserializer())
                .map(Some),
            None => Ok(None),
        }
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<S::Value, DecodeError> {
        let field = self
            .current
            .ok_or_else(|| DecodeError::new("a value was asked for before its key"))?;
        let name = self.layout.name(field);
        let value = read(self.row, field.index).map_err(|e| e.in_column(name))?;
        seed.deserialize(ValueDeserializer(value, self.numbers))
            .map_err(|e| e.in_column(name))
    }

    fn size_hint(&self) -> Option<usize> {
        self.fields.size_hint().1
    }
}

struct ArrayDeserializer<'a, R: ?Sized> {
    row: &'a R,
    numbers: Numbers,
}

impl<'de, R: Row + ?Sized> de::Deserializer<'de> for ArrayDeserializer<'de, R> {
    type Error = DecodeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        visitor.visit_seq(ArrayAccess {
            row: self.row,
            next: 0,
            numbers: self.numbers,
        })
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        let count = self.row.column_count();
        if len != count {
            return Err(DecodeError::new(format!(
                "a row of {count} columns cannot be decoded into a tuple of {len}"
            )));
        }
        self.deserialize_any(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        self.deserialize_tuple(len, visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        visitor.visit_newtype_struct(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
        byte_buf option unit unit_struct seq map struct enum identifier ignored_any
    }
}

struct ArrayAccess<'a, R: ?Sized> {
    row: &'a R,
    next: usize,
    numbers: Numbers,
}

impl<'de, R: Row + ?Sized> de::SeqAccess<'de> for ArrayAccess<'de, R> {
    type Error = DecodeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DecodeError> {
        if self.next >= self.row.column_count() {
            return Ok(None);
        }
        let index = self.next;
        self.next += 1;
        let value = read(self.row, index).map_err(|e| e.in_column(format!("#{index}")))?;
        seed.deserialize(ValueDeserializer(value, self.numbers))
            .map(Some)
            .map_err(|e| e.in_column(format!("#{index}")))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.row.column_count() - self.next)
    }
}

/// Deserializes one SQLite value the way D1 hands it to JavaScript, with the
/// conveniences a Rust type asks for: 0/1 as `bool`, integral reals as integers, and
/// JSON text as a struct, map or sequence.
struct ValueDeserializer<'a>(ValueRef<'a>, Numbers);

/// What a Rust type asks JSON text to be.
#[derive(Clone, Copy)]
enum Shape {
    Seq,
    Tuple(usize),
    Map,
    Struct(&'static str, &'static [&'static str]),
    Enum(&'static str, &'static [&'static str]),
}

impl Shape {
    fn deserialize<'de, D: de::Deserializer<'de>, V: Visitor<'de>>(
        self,
        de: D,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        match self {
            Shape::Seq => de.deserialize_seq(visitor),
            Shape::Tuple(len) => de.deserialize_tuple(len, visitor),
            Shape::Map => de.deserialize_map(visitor),
            Shape::Struct(name, fields) => de.deserialize_struct(name, fields, visitor),
            Shape::Enum(name, variants) => de.deserialize_enum(name, variants, visitor),
        }
    }
}

#[cold]
fn invalid_json(e: serde_json::Error) -> DecodeError {
    DecodeError::new(format!("invalid JSON text: {e}"))
}

impl<'de> ValueDeserializer<'de> {
    fn integral(&self) -> Option<i64> {
        match self.0 {
            ValueRef::Integer(i) => Some(i),
            // D1 hands every number to JavaScript as a double: 2.0 and 2 are one value;
            // beyond ±(2^53 - 1) a double may be a rounded integer, and is not one.
            ValueRef::Real(f) => exact_integer(f),
            _ => None,
        }
    }

    fn json<V: Visitor<'de>>(
        self,
        text: &'de str,
        shape: Shape,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        // `f32`s inside the text narrow by the column rule, as in a JSON column.
        if self.1 == Numbers::IntegralAsIntegers
            && let Some(document) = crate::json::normalised(text)
        {
            return shape
                .deserialize(Strict(document), visitor)
                .map_err(invalid_json);
        }
        let mut de = serde_json::Deserializer::from_str(text);
        let value = shape
            .deserialize(Strict(&mut de), visitor)
            .and_then(|v| de.end().map(|()| v))
            .map_err(invalid_json)?;
        Ok(value)
    }
}

macro_rules! integer_methods {
    ($($method:ident $visit:ident $t:ty;)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
            match self.integral() {
                Some(i) => match <$t>::try_from(i) {
                    Ok(v) => visitor.$visit(v),
                    Err(_) => Err(DecodeError::new(format!(
                        "integer {i} out of range for {}", stringify!($t)
                    ))),
                },
                None => self.deserialize_any(visitor),
            }
        }
    )*};
}

impl<'de> de::Deserializer<'de> for ValueDeserializer<'de> {
    type Error = DecodeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.0 {
            ValueRef::Null => visitor.visit_unit(),
            ValueRef::Integer(i) => visitor.visit_i64(i),
            ValueRef::Real(f) => visitor.visit_f64(f),
            ValueRef::Text(s) => visitor.visit_borrowed_str(s),
            // D1 gives a BLOB to JavaScript as an array of byte values.
            ValueRef::Blob(b) => {
                visitor.visit_seq(de::value::SeqDeserializer::new(b.iter().copied()))
            }
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.0 {
            ValueRef::Integer(0) => visitor.visit_bool(false),
            ValueRef::Integer(1) => visitor.visit_bool(true),
            ValueRef::Integer(i) => Err(DecodeError::new(format!(
                "integer {i} is not a boolean (0 or 1)"
            ))),
            _ => self.deserialize_any(visitor),
        }
    }

    integer_methods! {
        deserialize_i8 visit_i8 i8;
        deserialize_i16 visit_i16 i16;
        deserialize_i32 visit_i32 i32;
        deserialize_i64 visit_i64 i64;
        deserialize_u8 visit_u8 u8;
        deserialize_u16 visit_u16 u16;
        deserialize_u32 visit_u32 u32;
        deserialize_u64 visit_u64 u64;
    }

    /// A REAL rounds to the nearest `f32`; one beyond `f32`'s range is an error, not
    /// an infinity.
    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.0 {
            ValueRef::Real(f) => visitor.visit_f32(f32_from_real(f)?),
            _ => self.deserialize_any(visitor),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.0 {
            ValueRef::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.0 {
            ValueRef::Blob(b) => visitor.visit_bytes(b),
            ValueRef::Text(s) => visitor.visit_bytes(s.as_bytes()),
            _ => self.deserialize_any(visitor),
        }
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        self.deserialize_bytes(visitor)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.0 {
            ValueRef::Text(s) => self.json(s, Shape::Seq, visitor),
            _ => self.deserialize_any(visitor),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        match self.0 {
            ValueRef::Text(s) => self.json(s, Shape::Tuple(len), visitor),
            _ => self.deserialize_any(visitor),
        }
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.0 {
            ValueRef::Text(s) => self.json(s, Shape::Map, visitor),
            _ => self.deserialize_any(visitor),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        match self.0 {
            ValueRef::Text(s) => self.json(s, Shape::Struct(name, fields), visitor),
            _ => self.deserialize_any(visitor),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        match self.0 {
            ValueRef::Text(s) if s.starts_with('{') => {
                self.json(s, Shape::Enum(name, variants), visitor)
            }
            ValueRef::Text(s) => visitor.visit_enum(s.into_deserializer()),
            _ => self.deserialize_any(visitor),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        visitor.visit_newtype_struct(self)
    }

    serde::forward_to_deserialize_any! {
        i128 u128 f64 char str string unit unit_struct tuple_struct identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Value;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Item {
        id: i64,
        name: String,
        done: bool,
        score: Option<f64>,
        tags: Vec<String>,
    }

    fn layout(names: &[&str]) -> ObjectLayout {
        ObjectLayout::new(&names)
    }

    #[test]
    fn struct_from_row_with_json_and_bool() {
        let row = [
            Value::Integer(1),
            Value::Text("a".into()),
            Value::Integer(1),
            Value::Null,
            Value::Text(r#"["x","y"]"#.into()),
        ];
        let item: Item =
            row_as_object(&row[..], &layout(&["id", "name", "done", "score", "tags"])).unwrap();
        assert_eq!(
            item,
            Item {
                id: 1,
                name: "a".into(),
                done: true,
                score: None,
                tags: vec!["x".into(), "y".into()]
            }
        );
    }

    #[test]
    fn json_objects_follow_javascript_key_order_and_last_duplicate_wins() {
        let row = [
            Value::Text("a".into()),
            Value::Text("b".into()),
            Value::Text("c".into()),
            Value::Integer(9),
        ];
        let l = layout(&["2", "1", "x", "2"]);
        let obj: serde_json::Value = row_as_object(&row[..], &l).unwrap();
        assert_eq!(obj, serde_json::json!({"1": "b", "2": 9, "x": "c"}));
        assert_eq!(l.position("2"), Some(3));
    }

    #[test]
    fn blobs_are_byte_arrays_and_tuples_check_width() {
        let row = [Value::Blob(vec![1, 2]), Value::Real(2.0)];
        let (b, n): (Vec<u8>, i64) = row_as_array(&row[..]).unwrap();
        assert_eq!((b, n), (vec![1, 2], 2));
        let json: serde_json::Value = row_as_array(&row[..]).unwrap();
        assert_eq!(json, serde_json::json!([[1, 2], 2.0]));
        let err = row_as_array::<(i64,), _>(&row[..]).unwrap_err();
        assert!(err.to_string().contains("tuple of 1"), "{err}");
    }

    #[test]
    fn bad_values_are_located_decode_errors() {
        let row = [Value::Text("x".into())];
        let err = row_as_object::<Item, _>(&row[..], &layout(&["id"])).unwrap_err();
        assert!(
            matches!(&err, Error::Decode(d) if d.column.as_deref() == Some("id")),
            "{err}"
        );
        let err = value::<bool>(ValueRef::Integer(7)).unwrap_err();
        assert!(err.message.contains("not a boolean"));
        let err = value::<Vec<i64>>(ValueRef::Text("[1,")).unwrap_err();
        assert!(err.message.contains("invalid JSON"));
        let err = value::<u8>(ValueRef::Integer(300)).unwrap_err();
        assert!(err.message.contains("out of range"));
    }
}
