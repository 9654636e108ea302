// `#[derive(Json)]` refuses, on the field, what a typed path cannot follow.
use d1orm::Json;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Json)]
pub struct Inner {
    pub a: i64,
}

fn as_text<S: serde::Serializer>(v: &i64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&v.to_string())
}

#[derive(Serialize, Deserialize, Json)]
pub struct Settings {
    #[serde(flatten)]
    pub inner: Inner,
    #[serde(serialize_with = "as_text", skip_deserializing)]
    pub count: i64,
    #[serde(serialize_with = "as_text")]
    #[serde(deserialize_with = "from_text")]
    pub seats: i64,
    #[serde(rename(serialize = "colour", deserialize = "color"))]
    pub theme: String,
}

fn from_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    let s = String::deserialize(d)?;
    s.parse().map_err(serde::de::Error::custom)
}

fn main() {}
