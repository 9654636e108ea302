//! The README, whose Rust code blocks are this library's doc-tests: `cargo test --doc`
//! compiles every one (and runs those that need no file or network), so the README cannot
//! drift from the API. Blocks that only build for a Worker (wasm32) are marked `ignore`;
//! they are shortened from `examples/worker`, which `./scripts/test` builds.
#![doc = include_str!("../../README.md")]
// The README shows the `#[test]` that keeps migration files up to date: compiled here,
// run in the user's crate.
#![allow(clippy::test_attr_in_doctest)]
