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
#[path = "../../conformance/column_types.rs"]
mod column_types;
#[path = "../../conformance/json_paths.rs"]
mod json_paths;
#[path = "../../conformance/migrations.rs"]
mod migrations;
#[path = "../../conformance/queries.rs"]
mod queries;
#[path = "../../conformance/relations.rs"]
mod relations;
#[path = "../../conformance/team_notes.rs"]
mod team_notes;

#[cfg(target_arch = "wasm32")]
mod entry {
    use d1orm::Database;
    use d1orm_worker::{D1Backend, DurableObjectBackend};
    use js_sys::{Function, Reflect};
    use wasm_bindgen::{JsCast, JsValue};
    use worker::{
        Context, DurableObject, Env, Headers, Method, Request, RequestInit, Response, Result,
        State, durable_object, event,
    };

    use crate::protocol::{self, served_as_d1, served_without_d1_calls};

    served_as_d1!(D1Backend);
    served_without_d1_calls!(DurableObjectBackend, "Durable Object storage");

    /// The prefix of a database name served by a Durable Object (`DO:<name>`, one
    /// object of namespace `OBJECTS` per name) rather than by a D1 binding.
    const OBJECT: &str = "DO:";

    /// Answers every request with a JSON body, whatever happens to it. A request for a
    /// `DO:` database is handed, unchanged, to that Durable Object.
    #[event(fetch)]
    async fn fetch(mut req: Request, env: Env, _ctx: Context) -> Result<Response> {
        let answer = match req.text().await {
            Ok(body) => match object_name(&body) {
                Some(name) => return to_object(&env, &name, body).await,
                None => protocol::respond(&body, |name| binding(&env, name)).await,
            },
            Err(e) => unreadable(&e),
        };
        json_response(answer)
    }

    /// The Durable Object a request names, if it names one.
    fn object_name(body: &str) -> Option<String> {
        let request: serde_json::Value = serde_json::from_str(body).ok()?;
        let name = request.get("db")?.as_str()?.strip_prefix(OBJECT)?;
        Some(name.to_owned())
    }

    async fn to_object(env: &Env, name: &str, body: String) -> Result<Response> {
        let stub = env
            .durable_object("OBJECTS")?
            .id_from_name(name)?
            .get_stub()?;
        let mut init = RequestInit::new();
        init.with_method(Method::Post).with_body(Some(body.into()));
        match stub
            .fetch_with_request(Request::new_with_init("http://object/", &init)?)
            .await
        {
            Ok(response) => Ok(response),
            // The object failed as a whole: storage reset it (D1's own object then
            // gives D1's "internal error"). The caller sees the exception.
            Err(e) => json_response(
                serde_json::json!({"ok": false, "error": {
                    "message": js_message(e),
                    "name": "Error",
                    "cause": null,
                }})
                .to_string(),
            ),
        }
    }

    /// The message of an exception, as JavaScript's `e.message` gives it.
    fn js_message(e: worker::Error) -> String {
        match e {
            worker::Error::JsError(message) | worker::Error::UnknownJsError { message, .. } => {
                message
            }
            other => other.to_string(),
        }
    }

    fn unreadable(e: &worker::Error) -> String {
        serde_json::json!({"ok": false, "error": {
            "message": format!("{} could not read the request: {e}", protocol::HARNESS),
            "name": "Error",
            "cause": null,
        }})
        .to_string()
    }

    fn json_response(answer: String) -> Result<Response> {
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

    /// A Durable Object with SQLite storage: the protocol served through d1orm over
    /// [`DurableObjectBackend`], one database per object, whatever the request's `db`.
    #[durable_object]
    pub struct SqlObject {
        db: Database<DurableObjectBackend>,
    }

    impl DurableObject for SqlObject {
        fn new(state: State, _env: Env) -> Self {
            SqlObject {
                db: Database::new(DurableObjectBackend::new(&state.storage())),
            }
        }

        async fn fetch(&self, mut req: Request) -> Result<Response> {
            let answer = match req.text().await {
                Ok(body) => protocol::respond(&body, |_| Some(self.db.clone())).await,
                Err(e) => unreadable(&e),
            };
            json_response(answer)
        }
    }
}
