//! Schemas and migrations on the reference backend and on real local D1: the generated
//! SQL runs on both, `db.migrate` reads D1's PRAGMAs the same way, and additive steps,
//! refusals and opt-in rebuilds give the same statements and keep the same rows.

use d1orm::{Backend, Database, MigrateOptions, Schema, Table, TextEnum};
use serde::Serialize;
use serde_json::{Value as J, json};

use crate::chains::obs;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, TextEnum)]
pub enum Plan {
    #[d1orm(rename = "free")]
    Free,
    #[d1orm(rename = "pro")]
    Pro,
}

#[derive(Debug, Clone, PartialEq, Serialize, Table)]
#[d1orm(table = "teams")]
pub struct Team {
    #[d1orm(primary_key, auto_increment)]
    pub id: i64,
    #[d1orm(unique)]
    pub name: String,
    pub plan: Plan,
}

#[derive(Debug, Clone, PartialEq, Serialize, Table)]
#[d1orm(
    table = "players",
    unique(team, number),
    check = "number BETWEEN 0 AND 99",
    index(team, name),
    index(number, filter = "active = 1", name = "players_active_number")
)]
pub struct Player {
    #[d1orm(primary_key, auto_increment)]
    pub id: i64,
    #[d1orm(references(Team::id), on_delete = "cascade")]
    pub team: i64,
    pub name: String,
    pub number: i64,
    #[d1orm(default = 1)]
    pub active: bool,
}

/// Adds a nullable column, a defaulted column and an index.
#[derive(Debug, Clone, PartialEq, Serialize, Table)]
#[d1orm(
    table = "players",
    unique(team, number),
    check = "number BETWEEN 0 AND 99",
    index(team, name),
    index(number, filter = "active = 1", name = "players_active_number"),
    index(position)
)]
pub struct PlayerV2 {
    #[d1orm(primary_key, auto_increment)]
    pub id: i64,
    #[d1orm(references(Team::id), on_delete = "cascade")]
    pub team: i64,
    pub name: String,
    pub number: i64,
    #[d1orm(default = 1)]
    pub active: bool,
    pub position: Option<String>,
    #[d1orm(default = "'rookie'")]
    pub rank: String,
}

/// `teams` with an expression default: a rebuild on a table that players reference.
#[derive(Debug, Clone, PartialEq, Serialize, Table)]
#[d1orm(table = "teams")]
pub struct TeamStamped {
    #[d1orm(primary_key, auto_increment)]
    pub id: i64,
    #[d1orm(unique)]
    pub name: String,
    pub plan: Plan,
    #[d1orm(default = "lower('SINCE-' || 2024)")]
    pub since: String,
}

fn migrated(r: d1orm::Result<d1orm::Migrated>) -> J {
    obs(r.map(|m| json!({ "step": m.step, "statements": m.statements })))
}

pub async fn migrations<B: Backend>(db: &Database<B>) -> J {
    let v1 = Schema::new().table::<Team>().table::<Player>();
    let first = migrated(db.migrate(&v1).await);
    let again = migrated(db.migrate(&v1).await);
    let teams = db
        .table::<Team>()
        .returning(|t| t.id)
        .insert_many([
            NewTeam::builder().name("owls").plan(Plan::Free).build(),
            NewTeam::builder().name("foxes").plan(Plan::Pro).build(),
        ])
        .await;
    let players = db
        .table::<Player>()
        .insert_many([
            NewPlayer::builder().team(1).name("ada").number(7).build(),
            NewPlayer::builder().team(1).name("bo").number(9).build(),
            NewPlayer::builder().team(2).name("cy").number(7).build(),
        ])
        .await
        .map(|w| w.changes());
    let bad_plan = db
        .prepare("INSERT INTO teams (name, plan) VALUES ('x', 'gold')")
        .run()
        .await
        .map(|r| r.meta.changes);
    let bad_number = db
        .table::<Player>()
        .insert(NewPlayer::builder().team(1).name("z").number(100).build())
        .await
        .map(|w| w.changes());
    let v2 = Schema::new().table::<Team>().table::<PlayerV2>();
    let additive = migrated(db.migrate(&v2).await);
    let read_v2 = db
        .table::<PlayerV2>()
        .order_by(|p| p.id.asc())
        .select(|p| (p.name, p.rank, p.position))
        .many()
        .await
        .map(|r| r.rows);
    let v3 = Schema::new().table::<TeamStamped>().table::<PlayerV2>();
    let refused = migrated(db.migrate(&v3).await);
    let rebuilt = migrated(
        db.migrate_with(&v3, MigrateOptions::default().allow_rebuild())
            .await,
    );
    let teams_after = db
        .table::<TeamStamped>()
        .order_by(|t| t.id.asc())
        .select(|t| (t.id, t.name, t.plan, t.since))
        .many()
        .await
        .map(|r| r.rows);
    let players_after = db.table::<PlayerV2>().count().await;
    let history = db
        .prepare("SELECT step, hash FROM d1orm_migrations ORDER BY step")
        .raw::<(i64, String)>()
        .await;
    json!([
        first,
        again,
        obs(teams.map(|w| w.rows)),
        obs(players),
        obs(bad_plan),
        obs(bad_number),
        additive,
        obs(read_v2),
        refused,
        rebuilt,
        obs(teams_after),
        obs(players_after),
        obs(history),
    ])
}
