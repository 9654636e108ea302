// `#[derive(Json)]` takes a type without generic parameters; the error says what to do
// for a generic one.
use d1orm::Json;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Json)]
pub struct Page<T> {
    pub items: Vec<T>,
}

fn main() {}
