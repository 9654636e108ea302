//! What the benchmark's scenarios share: the schema as d1orm tables and its data
//! ([`schema`]), and the harness ([`harness`]: connections set up alike for every
//! variant, and the interleaved measurement).

pub mod harness;
pub mod schema;

pub use harness::*;
