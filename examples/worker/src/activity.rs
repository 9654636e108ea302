//! A Durable Object per project, `ActivityLog` (namespace `ACTIVITY` in wrangler.toml),
//! keeping the project's activity in its own SQLite storage through d1orm's
//! [`DurableObjectBackend`]: the same derive, chains, typed batches and migration files
//! as on D1, with no round trip (storage is in the object).
//!
//! | route (the Worker's) | what |
//! |---|---|
//! | `POST /projects/:slug/activity` `{"kind","detail"?}` | record an event, `RETURNING` it |
//! | `GET /projects/:slug/activity` | the event count and the latest 20: one typed batch |

use std::cell::Cell;

use d1orm::Database;
use d1orm::schema::MigrationFile;
use d1orm_worker::DurableObjectBackend;
use serde::Deserialize;
use worker::{
    DurableObject, Env, Method, Request, RequestInit, Response, Result, RouteContext, State,
    durable_object,
};

use crate::routes::{bad_request, failure};
use crate::schema::{EventTable as _, NewEvent};

/// The files `cargo run --bin migrations -- write activity-migrations` writes from
/// [`activity_schema`](crate::schema::activity_schema), compiled in: each object applies
/// those it has not applied yet on its first request.
const MIGRATIONS: &[MigrationFile] = &[MigrationFile::new(
    "0001_init.sql",
    include_str!("../activity-migrations/0001_init.sql"),
)];

#[derive(Deserialize)]
struct EventBody {
    kind: String,
    detail: Option<String>,
}

/// A project's activity log.
#[durable_object]
pub struct ActivityLog {
    db: Database<DurableObjectBackend>,
    migrated: Cell<bool>,
}

impl DurableObject for ActivityLog {
    fn new(state: State, _env: Env) -> Self {
        ActivityLog {
            db: Database::new(DurableObjectBackend::new(&state.storage())),
            migrated: Cell::new(false),
        }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        if !self.migrated.get() {
            if let Err(e) = self.db.apply_migrations(MIGRATIONS).await {
                return failure(e);
            }
            self.migrated.set(true);
        }
        let db = &self.db;
        if req.method() == Method::Post {
            let body: EventBody = match req.json().await {
                Ok(b) => b,
                Err(e) => return bad_request(e),
            };
            let mut event = NewEvent::builder().kind(body.kind).build();
            event.detail = body.detail;
            return match db.events().returning_all().insert(event).await {
                Ok(mut rows) => Ok(Response::from_json(&rows.rows.pop())?.with_status(201)),
                Err(e) => failure(e),
            };
        }
        let read = db
            .batch((
                db.events().count(),
                db.events().order_by(|e| e.id.desc()).limit(20).many(),
            ))
            .await;
        match read {
            Ok((count, latest)) => Response::from_json(&serde_json::json!({
                "count": count,
                "latest": latest.rows,
            })),
            Err(e) => failure(e),
        }
    }
}

/// Hands the request to the project's `ActivityLog` object (one per slug).
pub async fn activity(mut req: Request, ctx: RouteContext<()>) -> Result<Response> {
    let slug = ctx.param("slug").cloned().unwrap_or_default();
    let stub = ctx
        .env
        .durable_object("ACTIVITY")?
        .id_from_name(&slug)?
        .get_stub()?;
    let mut init = RequestInit::new();
    init.with_method(req.method());
    if req.method() == Method::Post {
        init.with_body(Some(req.text().await?.into()));
    }
    stub.fetch_with_request(Request::new_with_init("http://activity/", &init)?)
        .await
}
