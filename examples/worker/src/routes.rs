//! The Worker's routes. Each request opens the D1 binding `DB` (wrangler.toml) through
//! d1orm-worker and runs one chain, or one atomic batch of chains.
//!
//! | route | what |
//! |---|---|
//! | `PUT /projects/:slug` `{"name"}` | upsert on the primary key |
//! | `GET /projects/:slug` | the project, its task count and its open tasks: one batch |
//! | `GET /projects/:slug/tasks?done=false` | list with a filter and an order |
//! | `POST /projects/:slug/tasks` `{"titles":[...]}` | up to 100 inserts in one batch |
//! | `POST /tasks` `{"project","title","priority"?}` | create, `RETURNING` the row |
//! | `GET /tasks/:id` | get by primary key |
//! | `POST`/`GET /projects/:slug/activity` | the project's Durable Object (see `activity`) |

use d1orm::{Database, Table};
use d1orm_worker::D1Backend;
use serde::Deserialize;
use worker::{Env, Request, Response, Result, RouteContext, Router, event};

use crate::schema::{NewProject, NewTask, Project, ProjectTable as _, Task, TaskTable as _};

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

/// d1orm over the Worker's D1 binding `DB`.
fn db<D>(ctx: &RouteContext<D>) -> Result<Database<D1Backend>> {
    Ok(Database::new(D1Backend::new(ctx.env.d1("DB")?)))
}

/// A d1orm error as a JSON answer: 404 for a missing row, 409 for a broken UNIQUE or
/// foreign key, 500 otherwise; the body carries D1's text.
pub(crate) fn failure(e: d1orm::Error) -> Result<Response> {
    let status = match &e {
        d1orm::Error::NotFound { .. } => 404,
        e if e.is_unique_violation() || e.is_foreign_key_violation() => 409,
        _ => 500,
    };
    Ok(Response::from_json(&serde_json::json!({ "error": e.to_string() }))?.with_status(status))
}

pub(crate) fn bad_request(message: impl std::fmt::Display) -> Result<Response> {
    Ok(Response::from_json(&serde_json::json!({ "error": message.to_string() }))?.with_status(400))
}

#[derive(Deserialize)]
struct ProjectBody {
    name: String,
}

/// Creates the project or renames it: one `INSERT … ON CONFLICT (slug) DO UPDATE`.
async fn put_project(mut req: Request, ctx: RouteContext<()>) -> Result<Response> {
    let slug = ctx.param("slug").cloned().unwrap_or_default();
    let body: ProjectBody = match req.json().await {
        Ok(b) => b,
        Err(e) => return bad_request(e),
    };
    let db = db(&ctx)?;
    let saved = db
        .projects()
        .returning_all()
        .upsert(NewProject::builder().slug(slug).name(body.name).build())
        .on_conflict(|p| p.slug)
        .update(|p, new| p.name.set(new.name))
        .await;
    match saved {
        Ok(mut rows) => Response::from_json(&rows.rows.pop()),
        Err(e) => failure(e),
    }
}

/// The project, how many tasks it has and its open tasks, read in one D1 batch (one
/// round trip, one consistent view), each result typed as if awaited alone.
async fn get_project(_req: Request, ctx: RouteContext<()>) -> Result<Response> {
    let slug = ctx.param("slug").cloned().unwrap_or_default();
    let db = db(&ctx)?;
    let read = db
        .batch((
            db.projects().find(slug.clone()),
            db.tasks().where_(|t| t.project.eq(slug.clone())).count(),
            db.tasks()
                .where_(|t| t.project.eq(slug.clone()).and(t.done.eq(false)))
                .order_by(|t| (t.priority.desc(), t.id.asc()))
                .many(),
        ))
        .await;
    match read {
        Ok((Some(project), tasks, open)) => Response::from_json(&serde_json::json!({
            "project": project,
            "tasks": tasks,
            "open": open.rows,
        })),
        Ok((None, ..)) => failure(d1orm::Error::NotFound {
            table: Project::NAME,
        }),
        Err(e) => failure(e),
    }
}

/// A project's tasks, `?done=true|false` to filter, highest priority first.
async fn list_tasks(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    let slug = ctx.param("slug").cloned().unwrap_or_default();
    let done = match req.url()?.query_pairs().find(|(k, _)| k == "done") {
        None => None,
        Some((_, v)) => match v.parse::<bool>() {
            Ok(done) => Some(done),
            Err(_) => return bad_request("done must be true or false"),
        },
    };
    let db = db(&ctx)?;
    let tasks = db
        .tasks()
        .where_(|t| match done {
            Some(done) => t.project.eq(slug).and(t.done.eq(done)),
            None => t.project.eq(slug),
        })
        .order_by(|t| (t.priority.desc(), t.id.asc()))
        .limit(100)
        .many()
        .await;
    match tasks {
        Ok(tasks) => Response::from_json(&tasks.rows),
        Err(e) => failure(e),
    }
}

#[derive(Deserialize)]
struct ImportBody {
    titles: Vec<String>,
}

/// Adds up to 100 tasks to a project in one atomic D1 batch, one `INSERT` per title:
/// all are added or none.
async fn import_tasks(mut req: Request, ctx: RouteContext<()>) -> Result<Response> {
    let slug = ctx.param("slug").cloned().unwrap_or_default();
    let body: ImportBody = match req.json().await {
        Ok(b) => b,
        Err(e) => return bad_request(e),
    };
    if body.titles.len() > 100 {
        return bad_request("at most 100 titles");
    }
    let db = db(&ctx)?;
    let inserts: Vec<_> = body
        .titles
        .into_iter()
        .map(|title| {
            db.tasks().insert(
                NewTask::builder()
                    .project(slug.clone())
                    .title(title)
                    .build(),
            )
        })
        .collect();
    match db.batch(inserts).await {
        Ok(written) => Ok(Response::from_json(&serde_json::json!({
            "inserted": written.iter().map(|w| w.changes()).sum::<u64>(),
        }))?
        .with_status(201)),
        Err(e) => failure(e),
    }
}

#[derive(Deserialize)]
struct TaskBody {
    project: String,
    title: String,
    priority: Option<i64>,
}

/// Creates a task; `RETURNING *` gives the row as stored (its id, its defaults).
async fn create_task(mut req: Request, ctx: RouteContext<()>) -> Result<Response> {
    let body: TaskBody = match req.json().await {
        Ok(b) => b,
        Err(e) => return bad_request(e),
    };
    let mut row = NewTask::builder()
        .project(body.project)
        .title(body.title)
        .build();
    row.priority = body.priority;
    let db = db(&ctx)?;
    match db.tasks().returning_all().insert(row).await {
        Ok(mut rows) => Ok(Response::from_json(&rows.rows.pop())?.with_status(201)),
        Err(e) => failure(e),
    }
}

/// One task by its primary key.
async fn get_task(_req: Request, ctx: RouteContext<()>) -> Result<Response> {
    let Some(Ok(id)) = ctx.param("id").map(|id| id.parse::<i64>()) else {
        return bad_request("the id must be an integer");
    };
    let db = db(&ctx)?;
    match db.tasks().find(id).await {
        Ok(Some(task)) => Response::from_json(&task),
        Ok(None) => failure(d1orm::Error::NotFound { table: Task::NAME }),
        Err(e) => failure(e),
    }
}
