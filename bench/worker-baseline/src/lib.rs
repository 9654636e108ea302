//! The routes of the example Worker (`examples/worker/src/routes.rs`) written with
//! workers-rs alone: the same paths, bodies and answers, through `worker`'s D1 API
//! (`prepare`, `bind`, `all`, `first`, `batch`) with hand-written SQL and serde structs.
//! It exists to measure what d1orm adds to a Worker; see `bench/WORKER-SIZE.md`.
//!
//! | route | what |
//! |---|---|
//! | `PUT /projects/:slug` `{"name"}` | upsert on the primary key |
//! | `GET /projects/:slug` | the project, its task count and its open tasks: one batch |
//! | `GET /projects/:slug/tasks?done=false` | list with a filter and an order |
//! | `POST /projects/:slug/tasks` `{"titles":[...]}` | up to 100 inserts in one batch |
//! | `POST /tasks` `{"project","title","priority"?}` | create, `RETURNING` the row |
//! | `GET /tasks/:id` | get by primary key |
//! | `POST`/`GET /projects/:slug/activity` | the project's Durable Object (`ActivityLog`) |

#[cfg(target_arch = "wasm32")]
pub(crate) mod routes {
    use serde::{Deserialize, Serialize};
    use wasm_bindgen::JsValue;
    use worker::{D1Database, D1Type, Env, Request, Response, Result, RouteContext, Router, event};

    #[event(fetch)]
    async fn fetch(req: Request, env: Env, _ctx: worker::Context) -> Result<Response> {
        Router::new()
            .put_async("/projects/:slug", put_project)
            .get_async("/projects/:slug", get_project)
            .get_async("/projects/:slug/tasks", list_tasks)
            .post_async("/projects/:slug/tasks", import_tasks)
            .post_async("/tasks", create_task)
            .get_async("/tasks/:id", get_task)
            .post_async("/projects/:slug/activity", crate::activity::activity)
            .get_async("/projects/:slug/activity", crate::activity::activity)
            .run(req, env)
            .await
    }

    #[derive(Serialize, Deserialize)]
    struct Project {
        slug: String,
        name: String,
    }

    /// A task as D1 returns it: `done` is an INTEGER, 0 or 1.
    #[derive(Deserialize)]
    struct TaskRow {
        id: i64,
        project: String,
        title: String,
        done: i64,
        priority: i64,
    }

    /// A task as the routes answer it.
    #[derive(Serialize)]
    struct Task {
        id: i64,
        project: String,
        title: String,
        done: bool,
        priority: i64,
    }

    impl From<TaskRow> for Task {
        fn from(r: TaskRow) -> Self {
            Task {
                id: r.id,
                project: r.project,
                title: r.title,
                done: r.done != 0,
                priority: r.priority,
            }
        }
    }

    fn tasks(rows: Vec<TaskRow>) -> Vec<Task> {
        rows.into_iter().map(Task::from).collect()
    }

    #[derive(Deserialize)]
    struct Count {
        n: i64,
    }

    const TASK_COLUMNS: &str = r#""id", "project", "title", "done", "priority""#;

    fn db<D>(ctx: &RouteContext<D>) -> Result<D1Database> {
        ctx.env.d1("DB")
    }

    fn text(s: &str) -> JsValue {
        JsValue::from_str(s)
    }

    /// D1 refuses a BigInt: an integer is bound as a JS number.
    fn int(i: i64) -> JsValue {
        JsValue::from_f64(i as f64)
    }

    pub(crate) fn error(status: u16, message: impl std::fmt::Display) -> Result<Response> {
        Ok(
            Response::from_json(&serde_json::json!({ "error": message.to_string() }))?
                .with_status(status),
        )
    }

    /// A D1 error as a JSON answer: 409 for a broken UNIQUE or foreign key, else 500.
    pub(crate) fn failure(e: worker::Error) -> Result<Response> {
        let text = e.to_string();
        let status = if text.contains("UNIQUE constraint failed")
            || text.contains("FOREIGN KEY constraint failed")
        {
            409
        } else {
            500
        };
        error(status, text)
    }

    fn not_found(table: &str) -> Result<Response> {
        error(404, format!("no row found in {table}"))
    }

    #[derive(Deserialize)]
    struct ProjectBody {
        name: String,
    }

    async fn put_project(mut req: Request, ctx: RouteContext<()>) -> Result<Response> {
        let slug = ctx.param("slug").cloned().unwrap_or_default();
        let body: ProjectBody = match req.json().await {
            Ok(b) => b,
            Err(e) => return error(400, e),
        };
        let saved = db(&ctx)?
            .prepare(
                r#"INSERT INTO "projects" ("slug", "name") VALUES (?1, ?2) ON CONFLICT ("slug") DO UPDATE SET "name" = excluded."name" RETURNING "slug", "name""#,
            )
            .bind(&[text(&slug), text(&body.name)])?
            .first::<Project>(None)
            .await;
        match saved {
            Ok(project) => Response::from_json(&project),
            Err(e) => failure(e),
        }
    }

    async fn get_project(_req: Request, ctx: RouteContext<()>) -> Result<Response> {
        let slug = ctx.param("slug").cloned().unwrap_or_default();
        let db = db(&ctx)?;
        let statements = vec![
            db.prepare(r#"SELECT "slug", "name" FROM "projects" WHERE "slug" = ?1"#)
                .bind(&[text(&slug)])?,
            db.prepare(r#"SELECT COUNT(*) AS "n" FROM "tasks" WHERE "project" = ?1"#)
                .bind(&[text(&slug)])?,
            db.prepare(format!(
                r#"SELECT {TASK_COLUMNS} FROM "tasks" WHERE "project" = ?1 AND "done" = ?2 ORDER BY "priority" DESC, "id" ASC"#
            ))
            .bind(&[text(&slug), int(0)])?,
        ];
        let results = match db.batch(statements).await {
            Ok(r) => r,
            Err(e) => return failure(e),
        };
        let [project, count, open] = &results[..] else {
            return error(
                500,
                "D1 answered a batch of 3 with another number of results",
            );
        };
        let Some(project) = project.results::<Project>()?.pop() else {
            return not_found("projects");
        };
        let count = count.results::<Count>()?.pop().map_or(0, |c| c.n);
        Response::from_json(&serde_json::json!({
            "project": project,
            "tasks": count,
            "open": tasks(open.results::<TaskRow>()?),
        }))
    }

    async fn list_tasks(req: Request, ctx: RouteContext<()>) -> Result<Response> {
        let slug = ctx.param("slug").cloned().unwrap_or_default();
        let done = match req.url()?.query_pairs().find(|(k, _)| k == "done") {
            None => None,
            Some((_, v)) => match v.parse::<bool>() {
                Ok(done) => Some(done),
                Err(_) => return error(400, "done must be true or false"),
            },
        };
        let db = db(&ctx)?;
        let statement = match done {
            Some(done) => db
                .prepare(format!(
                    r#"SELECT {TASK_COLUMNS} FROM "tasks" WHERE "project" = ?1 AND "done" = ?2 ORDER BY "priority" DESC, "id" ASC LIMIT 100"#
                ))
                .bind(&[text(&slug), int(done.into())])?,
            None => db
                .prepare(format!(
                    r#"SELECT {TASK_COLUMNS} FROM "tasks" WHERE "project" = ?1 ORDER BY "priority" DESC, "id" ASC LIMIT 100"#
                ))
                .bind(&[text(&slug)])?,
        };
        match statement.all().await {
            Ok(result) => Response::from_json(&tasks(result.results::<TaskRow>()?)),
            Err(e) => failure(e),
        }
    }

    #[derive(Deserialize)]
    struct ImportBody {
        titles: Vec<String>,
    }

    async fn import_tasks(mut req: Request, ctx: RouteContext<()>) -> Result<Response> {
        let slug = ctx.param("slug").cloned().unwrap_or_default();
        let body: ImportBody = match req.json().await {
            Ok(b) => b,
            Err(e) => return error(400, e),
        };
        if body.titles.len() > 100 {
            return error(400, "at most 100 titles");
        }
        let db = db(&ctx)?;
        let insert = db.prepare(r#"INSERT INTO "tasks" ("project", "title") VALUES (?1, ?2)"#);
        let statements = body
            .titles
            .iter()
            .map(|title| insert.bind_refs(&[D1Type::Text(&slug), D1Type::Text(title)]))
            .collect::<Result<Vec<_>>>()?;
        match db.batch(statements).await {
            Ok(results) => {
                let mut inserted = 0;
                for r in &results {
                    inserted += r.meta()?.and_then(|m| m.changes).unwrap_or(0);
                }
                Ok(
                    Response::from_json(&serde_json::json!({ "inserted": inserted }))?
                        .with_status(201),
                )
            }
            Err(e) => failure(e),
        }
    }

    #[derive(Deserialize)]
    struct TaskBody {
        project: String,
        title: String,
        priority: Option<i64>,
    }

    async fn create_task(mut req: Request, ctx: RouteContext<()>) -> Result<Response> {
        let body: TaskBody = match req.json().await {
            Ok(b) => b,
            Err(e) => return error(400, e),
        };
        let db = db(&ctx)?;
        let statement = match body.priority {
            Some(priority) => db
                .prepare(format!(
                    r#"INSERT INTO "tasks" ("project", "title", "priority") VALUES (?1, ?2, ?3) RETURNING {TASK_COLUMNS}"#
                ))
                .bind(&[text(&body.project), text(&body.title), int(priority)])?,
            None => db
                .prepare(format!(
                    r#"INSERT INTO "tasks" ("project", "title") VALUES (?1, ?2) RETURNING {TASK_COLUMNS}"#
                ))
                .bind(&[text(&body.project), text(&body.title)])?,
        };
        match statement.first::<TaskRow>(None).await {
            Ok(row) => Ok(Response::from_json(&row.map(Task::from))?.with_status(201)),
            Err(e) => failure(e),
        }
    }

    async fn get_task(_req: Request, ctx: RouteContext<()>) -> Result<Response> {
        let Some(Ok(id)) = ctx.param("id").map(|id| id.parse::<i64>()) else {
            return error(400, "the id must be an integer");
        };
        let found = db(&ctx)?
            .prepare(format!(
                r#"SELECT {TASK_COLUMNS} FROM "tasks" WHERE "id" = ?1"#
            ))
            .bind(&[int(id)])?
            .first::<TaskRow>(None)
            .await;
        match found {
            Ok(Some(row)) => Response::from_json(&Task::from(row)),
            Ok(None) => not_found("tasks"),
            Err(e) => failure(e),
        }
    }
}

/// The example's `ActivityLog` Durable Object (examples/worker/src/activity.rs) through
/// workers-rs' SQL storage API alone: the table made on the first request, hand-written
/// SQL, serde structs.
#[cfg(target_arch = "wasm32")]
mod activity {
    use std::cell::Cell;

    use serde::{Deserialize, Serialize};
    use worker::{
        DurableObject, Env, Method, Request, RequestInit, Response, Result, RouteContext,
        SqlStorage, SqlStorageValue, State, durable_object,
    };

    use crate::routes::{error, failure};

    #[derive(Serialize, Deserialize)]
    struct Event {
        id: i64,
        kind: String,
        detail: Option<String>,
    }

    #[derive(Deserialize)]
    struct EventBody {
        kind: String,
        detail: Option<String>,
    }

    #[derive(Deserialize)]
    struct Count {
        n: i64,
    }

    #[durable_object]
    pub struct ActivityLog {
        sql: SqlStorage,
        created: Cell<bool>,
    }

    impl DurableObject for ActivityLog {
        fn new(state: State, _env: Env) -> Self {
            ActivityLog {
                sql: state.storage().sql(),
                created: Cell::new(false),
            }
        }

        async fn fetch(&self, mut req: Request) -> Result<Response> {
            if !self.created.get() {
                if let Err(e) = self.sql.exec(
                    r#"CREATE TABLE IF NOT EXISTS "events" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, "kind" TEXT NOT NULL, "detail" TEXT)"#,
                    None,
                ) {
                    return failure(e);
                }
                self.created.set(true);
            }
            if req.method() == Method::Post {
                let body: EventBody = match req.json().await {
                    Ok(b) => b,
                    Err(e) => return error(400, e),
                };
                let detail = match body.detail {
                    Some(d) => SqlStorageValue::from(d),
                    None => SqlStorageValue::Null,
                };
                let inserted = self
                    .sql
                    .exec(
                        r#"INSERT INTO "events" ("kind", "detail") VALUES (?, ?) RETURNING "id", "kind", "detail""#,
                        Some(vec![SqlStorageValue::from(body.kind), detail]),
                    )
                    .and_then(|cursor| cursor.one::<Event>());
                return match inserted {
                    Ok(event) => Ok(Response::from_json(&event)?.with_status(201)),
                    Err(e) => failure(e),
                };
            }
            let count = self
                .sql
                .exec(r#"SELECT count(*) AS n FROM "events""#, None)
                .and_then(|cursor| cursor.one::<Count>());
            let latest = self
                .sql
                .exec(
                    r#"SELECT "id", "kind", "detail" FROM "events" ORDER BY "id" DESC LIMIT 20"#,
                    None,
                )
                .and_then(|cursor| cursor.to_array::<Event>());
            match (count, latest) {
                (Ok(count), Ok(latest)) => Response::from_json(&serde_json::json!({
                    "count": count.n,
                    "latest": latest,
                })),
                (Err(e), _) | (_, Err(e)) => failure(e),
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
}
