// `#[derive(Json)]` on an enum takes unit variants stored as strings: an untagged or
// internally tagged enum, or a variant with data, is refused on the item.
use d1orm::Json;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Json)]
#[serde(untagged)]
pub enum Loose {
    A,
    B,
}

#[derive(Serialize, Deserialize, Json)]
#[serde(tag = "kind")]
pub enum Tagged {
    A,
    B,
}

#[derive(Serialize, Deserialize, Json)]
pub enum Shape {
    Dot,
    Circle { r: f64 },
}

fn main() {}
