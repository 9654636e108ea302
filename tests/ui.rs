//! Compile-fail tests: each file under `tests/ui/` breaks one rule and its `.stderr` holds
//! the compiler's answer; `tests/ui-pass/` must compile. Run with `TRYBUILD=overwrite` to
//! regenerate the expected output after a deliberate change (the toolchain is pinned).

#[test]
fn compile_fail() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
    t.pass("tests/ui-pass/*.rs");
}
