//! A deserializer adapter that reads `f32` numbers by the column rule.
//!
//! serde's `f32` reads a JSON number through `visit_f64` and narrows it with `as`, so
//! `1e300` becomes infinity without a word. [`Strict`] wraps a self-describing
//! deserializer (serde_json's, or a `serde_json::Value`): when the type being read asks
//! for an `f32`, the number is read as an `f64` and narrowed by
//! [`f32_from_real`](crate::value::f32_from_real), the rule of `f32` columns: rounded
//! to the nearest `f32`, and a finite number beyond `f32`'s range is an error.
//!
//! Every nested value is read through the adapter too: the visitor the type hands in
//! is wrapped, and so is every sequence, map, enum, variant and inner deserializer that
//! visitor is given, with the seeds it passes back, so the rule holds at any depth.
//! Everything else is forwarded as it is.
//!
//! Not covered: values serde buffers before their type is known (`#[serde(flatten)]`
//! fields, untagged and internally tagged enums) are read through `deserialize_any`
//! into serde's private buffer, and their `f32`s are narrowed later from that buffer,
//! outside this adapter, as serde does. A `serde_json::Value` field keeps the number as
//! written, so nothing is narrowed there.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, Visitor};

use crate::value::f32_from_real;

/// `D`, reading `f32` numbers by the column rule at any depth.
pub(crate) struct Strict<D>(pub(crate) D);

/// A seed whose value is read through [`Strict`].
struct Seed<S>(S);

/// A visitor whose nested values are read through [`Strict`]; with `F32`, it is the
/// visitor of an `f32` and narrows an `f64` by the column rule.
struct Visit<V, const F32: bool>(V);

/// `visitor`, its nested values read through [`Strict`].
#[inline]
fn wrap<V>(visitor: V) -> Visit<V, false> {
    Visit(visitor)
}

/// Accesses whose values are read through [`Strict`].
struct Seq<A>(A);
struct Map<A>(A);
struct Enum<A>(A);
struct Variant<A>(A);

macro_rules! forward_deserialize {
    ($($method:ident)*) => {$(
        #[inline]
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
            self.0.$method(wrap(visitor))
        }
    )*};
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Strict<D> {
    type Error = D::Error;

    /// The number as an `f64` (so the adapter sees it as written), narrowed by the
    /// column rule.
    #[inline]
    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_f64(Visit::<V, true>(visitor))
    }

    forward_deserialize! {
        deserialize_any deserialize_bool
        deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64 deserialize_i128
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128
        deserialize_f64 deserialize_char deserialize_str deserialize_string
        deserialize_bytes deserialize_byte_buf deserialize_option deserialize_unit
        deserialize_seq deserialize_map deserialize_identifier deserialize_ignored_any
    }

    #[inline]
    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_unit_struct(name, wrap(visitor))
    }

    #[inline]
    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_newtype_struct(name, wrap(visitor))
    }

    #[inline]
    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_tuple(len, wrap(visitor))
    }

    #[inline]
    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_tuple_struct(name, len, wrap(visitor))
    }

    #[inline]
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_struct(name, fields, wrap(visitor))
    }

    #[inline]
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_enum(name, variants, wrap(visitor))
    }

    #[inline]
    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Seed<S> {
    type Value = S::Value;

    #[inline]
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<S::Value, D::Error> {
        self.0.deserialize(Strict(deserializer))
    }
}

macro_rules! forward_visit {
    ($($method:ident $t:ty;)*) => {$(
        #[inline]
        fn $method<E: de::Error>(self, v: $t) -> Result<V::Value, E> {
            self.0.$method(v)
        }
    )*};
}

impl<'de, V: Visitor<'de>, const F32: bool> Visitor<'de> for Visit<V, F32> {
    type Value = V::Value;

    #[inline]
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.expecting(f)
    }

    /// For an `f32`: the nearest `f32`, or an error for a finite number beyond its
    /// range (in the words of an `f32` column's error).
    #[inline]
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<V::Value, E> {
        if F32 {
            match f32_from_real(v) {
                Ok(narrow) => self.0.visit_f32(narrow),
                Err(e) => Err(E::custom(e.message)),
            }
        } else {
            self.0.visit_f64(v)
        }
    }

    forward_visit! {
        visit_bool bool;
        visit_i8 i8; visit_i16 i16; visit_i32 i32; visit_i64 i64; visit_i128 i128;
        visit_u8 u8; visit_u16 u16; visit_u32 u32; visit_u64 u64; visit_u128 u128;
        visit_f32 f32; visit_char char;
        visit_str &str; visit_borrowed_str &'de str; visit_string String;
        visit_bytes &[u8]; visit_borrowed_bytes &'de [u8]; visit_byte_buf Vec<u8>;
    }

    #[inline]
    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        self.0.visit_none()
    }

    #[inline]
    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.0.visit_unit()
    }

    #[inline]
    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<V::Value, D::Error> {
        self.0.visit_some(Strict(deserializer))
    }

    #[inline]
    fn visit_newtype_struct<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<V::Value, D::Error> {
        self.0.visit_newtype_struct(Strict(deserializer))
    }

    #[inline]
    fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        self.0.visit_seq(Seq(seq))
    }

    #[inline]
    fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        self.0.visit_map(Map(map))
    }

    #[inline]
    fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<V::Value, A::Error> {
        self.0.visit_enum(Enum(data))
    }
}

impl<'de, A: de::SeqAccess<'de>> de::SeqAccess<'de> for Seq<A> {
    type Error = A::Error;

    #[inline]
    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, A::Error> {
        self.0.next_element_seed(Seed(seed))
    }

    #[inline]
    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

impl<'de, A: de::MapAccess<'de>> de::MapAccess<'de> for Map<A> {
    type Error = A::Error;

    // Keys too: serde_json reads a number key (`{"1e300": …}` into a map keyed by
    // `f32`) from its text.
    #[inline]
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        self.0.next_key_seed(Seed(seed))
    }

    #[inline]
    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, A::Error> {
        self.0.next_value_seed(Seed(seed))
    }

    #[inline]
    fn next_entry_seed<K: DeserializeSeed<'de>, T: DeserializeSeed<'de>>(
        &mut self,
        key: K,
        value: T,
    ) -> Result<Option<(K::Value, T::Value)>, A::Error> {
        self.0.next_entry_seed(Seed(key), Seed(value))
    }

    #[inline]
    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

impl<'de, A: de::EnumAccess<'de>> de::EnumAccess<'de> for Enum<A> {
    type Error = A::Error;
    type Variant = Variant<A::Variant>;

    #[inline]
    fn variant_seed<T: DeserializeSeed<'de>>(
        self,
        seed: T,
    ) -> Result<(T::Value, Self::Variant), A::Error> {
        self.0
            .variant_seed(Seed(seed))
            .map(|(value, variant)| (value, Variant(variant)))
    }
}

impl<'de, A: de::VariantAccess<'de>> de::VariantAccess<'de> for Variant<A> {
    type Error = A::Error;

    #[inline]
    fn unit_variant(self) -> Result<(), A::Error> {
        self.0.unit_variant()
    }

    #[inline]
    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, A::Error> {
        self.0.newtype_variant_seed(Seed(seed))
    }

    #[inline]
    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, A::Error> {
        self.0.tuple_variant(len, wrap(visitor))
    }

    #[inline]
    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        self.0.struct_variant(fields, wrap(visitor))
    }
}

/// `T` read from `text` as `serde_json::from_str` reads it (the whole text, nothing
/// after the document), with `f32`s by the column rule.
#[inline]
pub(crate) fn from_str<'a, T: de::Deserialize<'a>>(text: &'a str) -> serde_json::Result<T> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value = T::deserialize(Strict(&mut de))?;
    de.end()?;
    Ok(value)
}

/// `T` read from a parsed document, with `f32`s by the column rule.
#[inline]
pub(crate) fn from_value<T: de::DeserializeOwned>(
    value: serde_json::Value,
) -> serde_json::Result<T> {
    T::deserialize(Strict(value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use std::collections::{BTreeMap, HashMap};

    #[derive(Debug, Deserialize, PartialEq)]
    enum Shape {
        Dot(f32),
        Pair(f32, f32),
        Named { r: f32 },
        Plain,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Meters(f32);

    #[derive(Debug, Deserialize, PartialEq)]
    struct Doc {
        a: f32,
        #[serde(default)]
        list: Vec<f32>,
        #[serde(default)]
        tuple: Option<(f64, f32)>,
        #[serde(default)]
        shapes: Vec<Shape>,
        #[serde(default)]
        newtype: Option<Meters>,
        #[serde(default)]
        keyed: BTreeMap<String, Option<f32>>,
        #[serde(default)]
        boxed: Option<Box<Doc>>,
    }

    /// `text` read as written and as a parsed `Value`: both must agree.
    fn read<T: de::DeserializeOwned + PartialEq + fmt::Debug>(text: &str) -> Result<T, String> {
        let from_text = from_str::<T>(text).map_err(|e| e.to_string());
        let parsed: serde_json::Value = serde_json::from_str(text).unwrap();
        let from_parsed = from_value::<T>(parsed).map_err(|e| e.to_string());
        match (&from_text, &from_parsed) {
            (Ok(a), Ok(b)) => assert_eq!(a, b, "{text}"),
            (Err(a), Err(b)) => assert!(a.starts_with(b.as_str()), "{a} / {b}"),
            _ => panic!("{text}: {from_text:?} / {from_parsed:?}"),
        }
        from_text
    }

    #[track_caller]
    fn refused<T: de::DeserializeOwned + PartialEq + fmt::Debug>(text: &str, number: &str) {
        let e = read::<T>(text).unwrap_err();
        assert!(
            e.starts_with(&format!("real {number} is out of range for f32")),
            "{text}: {e}"
        );
    }

    #[test]
    fn f32s_within_range_round_and_beyond_it_are_refused_at_any_depth() {
        let doc: Doc = read(
            r#"{"a":3.0e38,"list":[1,-2,0.1,1e-50],"tuple":[1e300,-3.0e38],
                "shapes":[{"Dot":1.5},{"Pair":[2,3]},{"Named":{"r":4}},"Plain"],
                "newtype":5,"keyed":{"k":6,"n":null},"boxed":{"a":7}}"#,
        )
        .unwrap();
        assert_eq!(doc.a, 3.0e38);
        assert_eq!(doc.list, [1.0, -2.0, 0.1, 0.0]);
        assert_eq!(doc.tuple, Some((1e300, -3.0e38)));
        assert_eq!(
            doc.shapes,
            [
                Shape::Dot(1.5),
                Shape::Pair(2.0, 3.0),
                Shape::Named { r: 4.0 },
                Shape::Plain
            ]
        );
        assert_eq!(doc.newtype, Some(Meters(5.0)));
        assert_eq!(doc.keyed["k"], Some(6.0));
        assert_eq!(doc.boxed.unwrap().a, 7.0);
        assert_eq!(read::<f32>("3.4028235e38"), Ok(f32::MAX));

        refused::<f32>("1e300", "1e300");
        refused::<Doc>(r#"{"a":-1e39}"#, "-1e39");
        refused::<Doc>(r#"{"a":0,"list":[0,1e300]}"#, "1e300");
        refused::<Doc>(r#"{"a":0,"tuple":[1,1e300]}"#, "1e300");
        refused::<Doc>(r#"{"a":0,"shapes":[{"Dot":1e300}]}"#, "1e300");
        refused::<Doc>(r#"{"a":0,"shapes":[{"Pair":[0,1e300]}]}"#, "1e300");
        refused::<Doc>(r#"{"a":0,"shapes":[{"Named":{"r":1e300}}]}"#, "1e300");
        refused::<Doc>(r#"{"a":0,"newtype":1e300}"#, "1e300");
        refused::<Doc>(r#"{"a":0,"keyed":{"k":1e300}}"#, "1e300");
        refused::<Doc>(r#"{"a":0,"boxed":{"a":1e300}}"#, "1e300");
        refused::<HashMap<String, Vec<Option<f32>>>>(r#"{"k":[null,1e300]}"#, "1e300");
        // A map keyed by numbers reads its keys by the rule too.
        assert_eq!(from_str::<FloatKeys>(r#"{"1.5":0}"#).unwrap().0, [1.5]);
        let e = from_str::<FloatKeys>(r#"{"1e300":0}"#).unwrap_err();
        assert!(e.to_string().contains("out of range for f32"), "{e}");
    }

    /// The keys of a map, read as `f32`s.
    #[derive(Debug)]
    struct FloatKeys(Vec<f32>);

    impl<'de> Deserialize<'de> for FloatKeys {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct Keys;
            impl<'de> Visitor<'de> for Keys {
                type Value = FloatKeys;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("a map keyed by numbers")
                }
                fn visit_map<A: de::MapAccess<'de>>(
                    self,
                    mut map: A,
                ) -> Result<FloatKeys, A::Error> {
                    let mut keys = Vec::new();
                    while let Some(key) = map.next_key::<f32>()? {
                        map.next_value::<de::IgnoredAny>()?;
                        keys.push(key);
                    }
                    Ok(FloatKeys(keys))
                }
            }
            d.deserialize_map(Keys)
        }
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Inner {
        x: f32,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Flattened {
        id: u8,
        #[serde(flatten)]
        inner: Inner,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(untagged)]
    enum Untagged {
        Number(f32),
        Text(String),
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(tag = "kind")]
    enum Tagged {
        Point { x: f32 },
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Borrowing<'a> {
        name: &'a str,
        bytes: serde_json::Value,
    }

    #[test]
    fn buffered_values_and_borrowed_text_still_read() {
        // Buffered by serde before the type is known: read, not checked (see the module).
        assert_eq!(
            read::<Flattened>(r#"{"id":1,"x":2.5}"#),
            Ok(Flattened {
                id: 1,
                inner: Inner { x: 2.5 }
            })
        );
        assert_eq!(read::<Untagged>("1.5"), Ok(Untagged::Number(1.5)));
        assert_eq!(read::<Untagged>(r#""a""#), Ok(Untagged::Text("a".into())));
        assert_eq!(
            read::<Tagged>(r#"{"kind":"Point","x":1}"#),
            Ok(Tagged::Point { x: 1.0 })
        );
        let v: serde_json::Value = read(r#"{"big":1e300,"list":[1,"a",null]}"#).unwrap();
        assert_eq!(v, serde_json::json!({"big": 1e300, "list": [1, "a", null]}));
        // Borrowed strings stay borrowed.
        let b: Borrowing<'_> = from_str(r#"{"name":"n","bytes":[1]}"#).unwrap();
        assert_eq!((b.name, b.bytes), ("n", serde_json::json!([1])));
        // Trailing text is refused, as serde_json::from_str refuses it.
        assert!(from_str::<f32>("1 2").is_err());
    }
}
