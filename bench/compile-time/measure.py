#!/usr/bin/env python3
"""Compile time of a schema: 50 tables of 20 columns and one of 100 columns (D1's
maximum), derived with d1orm and declared with diesel (`table!` + Queryable, Selectable,
Insertable). Generates both crates in a temporary directory, builds their dependencies
once, then times `cargo build` of each crate alone (debug, as in development) after
touching its source, three times, and prints a Markdown table of the medians.

Usage: bench/compile-time/measure.py [OUTPUT.md]   (from anywhere; needs cargo)
"""

import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parents[2]
TABLES, COLUMNS, WIDE = 50, 20, 100
RUNS = 3

# Rust type, diesel SQL type, in rotation over the columns after the key.
KINDS = [
    ("String", "Text"),
    ("i64", "BigInt"),
    ("f64", "Double"),
    ("Option<String>", "Nullable<Text>"),
    ("bool", "Bool"),
]


def columns(n):
    return [(f"c{i}",) + KINDS[i % len(KINDS)] for i in range(1, n)]


def tables():
    yield from ((f"t{t}", COLUMNS) for t in range(TABLES))
    yield ("wide", WIDE)


def d1orm_crate():
    out = ["use d1orm::Table;", ""]
    for name, n in tables():
        out.append("#[derive(Debug, Table)]")
        out.append(f"pub struct {name.capitalize()} {{")
        out.append("    #[d1orm(primary_key)]")
        out.append("    pub id: i64,")
        out += [f"    pub {c}: {rust}," for c, rust, _ in columns(n)]
        out += ["}", ""]
    return out


def diesel_crate():
    out = ["use diesel::prelude::*;", ""]
    for name, n in tables():
        out.append("diesel::table! {")
        out.append(f"    {name} (id) {{")
        out.append("        id -> BigInt,")
        out += [f"        {c} -> {sql}," for c, _, sql in columns(n)]
        out += ["    }", "}", ""]
        out.append("#[derive(Debug, Queryable, Selectable, Insertable)]")
        out.append(f"#[diesel(table_name = {name}, check_for_backend(diesel::sqlite::Sqlite))]")
        out.append(f"pub struct {name.capitalize()} {{")
        out.append("    pub id: i64,")
        out += [f"    pub {c}: {rust}," for c, rust, _ in columns(n)]
        out += ["}", ""]
    return out


def manifest(name, dependency):
    return f"""[package]
name = "{name}"
version = "0.0.0"
edition = "2024"
publish = false

[workspace]

[dependencies]
{dependency}
"""


def build(crate, target):
    env = dict(os.environ, CARGO_TARGET_DIR=str(target))
    subprocess.run(["cargo", "build", "--quiet"], cwd=crate, env=env, check=True)


def timed(crate, target):
    (crate / "src" / "lib.rs").touch()
    start = time.monotonic()
    build(crate, target)
    return time.monotonic() - start


def main():
    work = pathlib.Path(tempfile.mkdtemp(prefix="d1orm-compile-time-"))
    try:
        crates = {
            "d1orm": (
                manifest("schema-d1orm", f'd1orm = {{ path = "{REPO / "d1orm"}" }}'),
                d1orm_crate(),
            ),
            "diesel 2.3": (
                manifest(
                    "schema-diesel",
                    'diesel = { version = "2.3.14", default-features = false, '
                    'features = ["sqlite", "128-column-tables"] }',
                ),
                diesel_crate(),
            ),
        }
        results = {}
        for label, (cargo_toml, source) in crates.items():
            crate = work / label.split()[0]
            (crate / "src").mkdir(parents=True)
            (crate / "Cargo.toml").write_text(cargo_toml)
            (crate / "src" / "lib.rs").write_text("\n".join(source) + "\n")
            # The rust-toolchain.toml of the repository pins the compiler; use it here too.
            shutil.copy(REPO / "rust-toolchain.toml", crate / "rust-toolchain.toml")
            target = work / "target" / crate.name
            build(crate, target)  # dependencies, once
            times = [timed(crate, target) for _ in range(RUNS)]
            lines = len(source)
            results[label] = (statistics.median(times), min(times), max(times), lines)
            print(f"{label}: {[round(t, 2) for t in times]} s", file=sys.stderr)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    table = [
        f"Schema: {TABLES} tables of {COLUMNS} columns and one table of {WIDE} columns. "
        f"Time of `cargo build` (debug) of the schema crate alone, dependencies built, "
        f"median of {RUNS} (min–max).",
        "",
        "| schema declared with | source lines | build time |",
        "|---|---:|---:|",
    ]
    for label, (med, lo, hi, lines) in results.items():
        table.append(f"| {label} | {lines} | {med:.2} s ({lo:.2}–{hi:.2} s) |")
    text = "\n".join(table) + "\n"
    if len(sys.argv) > 1:
        pathlib.Path(sys.argv[1]).write_text(text)
    else:
        print(text)


if __name__ == "__main__":
    main()
