//! A test Worker: tests/local-d1's protocol (one JSON request per `POST`, see
//! tests/local-d1/README.md) served inside workerd through d1orm's D1 layer over
//! [`d1orm_worker::D1Backend`], where tests/local-d1/worker.mjs serves it through D1's
//! JavaScript API. The same request sent to both gives the answers to compare.
//!
//! `build.sh` builds it for wasm32 and runs wasm-bindgen; tests/local-d1/server.mjs
//! serves the result when `LOCAL_D1_WORKER_DIR` names the build folder. The protocol
//! ([`protocol`]) is generic over d1orm's backends and builds on every target; the
//! Worker's entry point (`fetch`) exists on wasm32 only.
//!
//! The conformance suite's typed chains (tests/conformance: `chains`, `batches`,
//! `migrations`) are compiled in unchanged, for the protocol's `chain` op: the same
//! chain code runs here on `Database<D1Backend>` as on the suite's other backends.

pub mod protocol;

#[path = "../../conformance/batches.rs"]
mod batches;
#[path = "../../conformance/chains.rs"]
mod chains;
#[path = "../../conformance/migrations.rs"]
mod migrations;

#[cfg(target_arch = "wasm32")]
mod entry {
    use d1orm::Database;
    use d1orm_worker::D1Backend;
    use js_sys::{Function, Reflect};
    use wasm_bindgen::{JsCast, JsValue};
    use worker::{Context, Env, Headers, Request, Response, Result, event};

    use crate::protocol;

    /// Answers every request with a JSON body, whatever happens to it.
    #[event(fetch)]
    async fn fetch(mut req: Request, env: Env, _ctx: Context) -> Result<Response> {
        let answer = match req.text().await {
            Ok(body) => protocol::respond(&body, |name| binding(&env, name)).await,
            Err(e) => serde_json::json!({"ok": false, "error": {
                "message": format!("{} could not read the request: {e}", protocol::HARNESS),
                "name": "Error",
                "cause": null,
            }})
            .to_string(),
        };
        let headers = Headers::new();
        headers.set("content-type", "application/json")?;
        Ok(Response::ok(answer)?.with_headers(headers))
    }

    /// The database behind binding `name`, when it is one (an object with `prepare`, as
    /// worker.mjs checks).
    fn binding(env: &Env, name: &str) -> Option<Database<D1Backend>> {
        let db = Reflect::get(env, &JsValue::from_str(name)).ok()?;
        if db.is_undefined() || db.is_null() {
            return None;
        }
        Reflect::get(&db, &JsValue::from_str("prepare"))
            .ok()?
            .dyn_into::<Function>()
            .ok()?;
        Some(Database::new(D1Backend::from_js(db)))
    }
}
