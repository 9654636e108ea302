//! Writes the next migration file from the structs:
//! `cargo run --bin migrations -- write migrations` (from this folder), then
//! `npx wrangler d1 migrations apply DB --local`. `check migrations` exits with 1 when
//! the files are stale.

fn main() {
    let schema = d1orm_example_worker::schema::schema();
    std::process::exit(d1orm::schema::files::main(
        &schema,
        std::env::args().skip(1),
    ));
}
