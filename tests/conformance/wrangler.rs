//! The real tool: migration files written by d1orm, applied to real local D1 by
//! `wrangler d1 migrations apply --local`, then used by ORM chains through the harness;
//! a column added to a struct becomes `0002`, applied the same way, with the data kept.
//! The reference backend applies the same files with `exec`, and both must agree.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use d1orm::schema::files;
use d1orm::{Backend, Database, MigrateOptions, Schema};
use d1orm_sqlite::SqliteBackend;
use serde_json::{Value as J, json};

use crate::chains::obs;
use crate::d1_backend::LocalD1Backend;
use crate::local_d1::{LocalD1, harness_dir};
use crate::migrations::{NewPlayer, NewTeam, Plan, Player, PlayerV2, Team};

const DATABASE_ID: &str = "0f2ac2b0-d1d1-4d1d-8d1d-000000000001";

/// A Worker project folder with a wrangler config and its migrations.
struct Project(PathBuf);

impl Project {
    fn new() -> Project {
        let dir = std::env::temp_dir().join(format!("d1orm-wrangler-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("config")).expect("project folder");
        std::fs::write(
            dir.join("wrangler.jsonc"),
            format!(
                r#"{{ "name": "d1orm-migrations", "compatibility_date": "2025-01-01",
  "d1_databases": [{{ "binding": "DB", "database_name": "app", "database_id": "{DATABASE_ID}", "migrations_dir": "migrations" }}] }}"#
            ),
        )
        .expect("wrangler.jsonc");
        Project(dir)
    }

    fn migrations(&self) -> PathBuf {
        self.0.join("migrations")
    }

    /// `wrangler d1 migrations apply app --local`, with wrangler's state and config in
    /// the project folder. Wrangler's own launcher refuses Node below 22; its CLI
    /// module, run directly, works on the Node 20 this machine has.
    fn apply(&self) -> Result<String, String> {
        let cli = harness_dir().join("node_modules/wrangler/wrangler-dist/cli.js");
        let out = Command::new("node")
            .arg(cli)
            .args([
                "d1",
                "migrations",
                "apply",
                "app",
                "--local",
                "--persist-to",
            ])
            .arg(self.0.join("state"))
            .current_dir(&self.0)
            .env("XDG_CONFIG_HOME", self.0.join("config"))
            .env("WRANGLER_SEND_METRICS", "false")
            .env("CI", "true")
            .output()
            .map_err(|e| format!("could not run wrangler: {e}"))?;
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        if out.status.success() {
            Ok(text)
        } else {
            Err(format!("wrangler failed ({}):\n{text}", out.status))
        }
    }

    /// The database wrangler applied to, served by the harness.
    fn serve(&self) -> Result<LocalD1, String> {
        LocalD1::start_on(&self.0.join("state").join("v3"), DATABASE_ID)
    }
}

impl Drop for Project {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Applies every migration file in order with D1's `exec` (one statement a line).
async fn exec_files(db: &Database<SqliteBackend>, dir: &Path, from: usize) {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("migrations folder")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .filter(|n| n.ends_with(".sql"))
        .collect();
    names.sort();
    for name in names.into_iter().skip(from) {
        let sql = std::fs::read_to_string(dir.join(&name)).expect("migration file");
        db.exec(&sql).await.expect("migration applies");
    }
}

async fn use_v1<B: Backend>(db: &Database<B>) -> J {
    let teams = db
        .table::<Team>()
        .returning(|t| t.id)
        .insert_many([
            NewTeam::builder().name("owls").plan(Plan::Free).build(),
            NewTeam::builder().name("foxes").plan(Plan::Pro).build(),
        ])
        .await
        .map(|w| w.rows);
    let players = db
        .table::<Player>()
        .insert_many([
            NewPlayer::builder().team(1).name("ada").number(7).build(),
            NewPlayer::builder().team(2).name("bo").number(9).build(),
        ])
        .await
        .map(|w| w.changes());
    let bad = db
        .table::<Player>()
        .insert(NewPlayer::builder().team(1).name("cy").number(7).build())
        .await
        .map(|w| w.changes());
    let read = db
        .table::<Player>()
        .where_(|p| p.number.gte(7))
        .order_by(|p| p.id.asc())
        .select(|p| (p.name, p.number, p.active))
        .many()
        .await
        .map(|r| r.rows);
    json!([obs(teams), obs(players), obs(bad), obs(read)])
}

async fn use_v2<B: Backend>(db: &Database<B>) -> J {
    let update = db
        .table::<PlayerV2>()
        .where_(|p| p.name.eq("ada"))
        .update(|p| p.position.set("keeper"))
        .await
        .map(|w| w.changes());
    let read = db
        .table::<PlayerV2>()
        .order_by(|p| p.id.asc())
        .select(|p| (p.id, p.name, p.position, p.rank))
        .many()
        .await
        .map(|r| r.rows);
    json!([obs(update), obs(read)])
}

/// Runs the scenario on both sides; `Ok(true)` when they agree.
pub fn run(rt: &tokio::runtime::Runtime, show: bool) -> Result<bool, String> {
    let project = Project::new();
    let v1 = Schema::new().table::<Team>().table::<Player>();
    let v2 = Schema::new().table::<Team>().table::<PlayerV2>();
    let reference = Database::new(SqliteBackend::open_in_memory().map_err(|e| e.to_string())?);
    let mut sqlite = Vec::new();
    let mut d1 = Vec::new();

    let first = files::write_next(&project.migrations(), &v1, MigrateOptions::default())
        .map_err(|e| e.to_string())?;
    let first = first.and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()));
    sqlite.push(json!(first));
    d1.push(json!(first));
    project.apply()?;
    rt.block_on(exec_files(&reference, &project.migrations(), 0));
    sqlite.push(rt.block_on(use_v1(&reference)));
    {
        let server = Mutex::new(project.serve()?);
        let db = Database::new(LocalD1Backend::fresh(&server));
        d1.push(rt.block_on(use_v1(&db)));
    }

    let second = files::write_next(&project.migrations(), &v2, MigrateOptions::default())
        .map_err(|e| e.to_string())?;
    let second = second.and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()));
    sqlite.push(json!(second));
    d1.push(json!(second));
    let applied = project.apply()?;
    d1.push(json!(applied.contains("0002_players.sql")));
    sqlite.push(json!(true));
    rt.block_on(exec_files(&reference, &project.migrations(), 1));
    sqlite.push(rt.block_on(use_v2(&reference)));
    {
        let server = Mutex::new(project.serve()?);
        let db = Database::new(LocalD1Backend::fresh(&server));
        d1.push(rt.block_on(use_v2(&db)));
    }
    let (sqlite, d1) = (J::Array(sqlite), J::Array(d1));
    if show {
        println!("---- wrangler/migrations_apply\n  sqlite: {sqlite}\n  d1:     {d1}");
    }
    if sqlite != d1 {
        return Err(format!("sqlite: {sqlite}\nd1:     {d1}"));
    }
    // The data survived the second migration, with the new column's default.
    let expected = json!([
        {"ok": 1},
        {"ok": [[1, "ada", "keeper", "rookie"], [2, "bo", null, "rookie"]]}
    ]);
    if d1[4] != expected {
        return Err(format!("unexpected rows after 0002: {}", d1[4]));
    }
    Ok(true)
}
