//! `#[derive(Table)]` for d1orm: parse, validate, expand (content comes with the table layer).
