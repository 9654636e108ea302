//! An example Cloudflare Worker using d1orm on D1 through [`d1orm_worker::D1Backend`].
//!
//! - [`schema`]: the tables, derived from plain structs; `migrations/` holds the files
//!   `d1orm::schema::files` writes from them, for `wrangler d1 migrations apply`.
//! - `routes` (wasm32 only): the Worker's routes, one d1orm chain or batch each.
//! - `activity` (wasm32 only): a Durable Object per project keeping its activity in its
//!   own SQLite storage, through d1orm's Durable Object backend.
//!
//! Build with `./build.sh` (cargo for wasm32, the wasm-bindgen CLI, `shim.mjs`), run with
//! `npx wrangler dev`.

pub mod schema;

#[cfg(target_arch = "wasm32")]
mod activity;
#[cfg(target_arch = "wasm32")]
mod routes;
