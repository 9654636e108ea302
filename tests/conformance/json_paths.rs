//! Typed JSON paths (`#[derive(d1orm::Json)]`, issue 18): filters, assignments,
//! selections and orders through keys renamed by serde, `Option` leaves, `Vec` indexes,
//! map keys and string enums. Run like `chains`: on the reference backend, on real
//! local D1, and inside workerd on both Worker backends; all must agree.

use std::collections::BTreeMap;

use d1orm::table::create_table_sql;
use d1orm::{Backend, Database, Json, Table};
use serde::{Deserialize, Serialize};
use serde_json::{Value as J, json};

use crate::chains::{obs, write_obs};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Json)]
#[serde(rename_all = "camelCase")]
pub struct Prefs {
    pub notifications: Alerts,
    #[serde(rename = "colour")]
    pub theme: Theme,
    pub display_name: Option<String>,
    pub seat_count: i64,
    pub devices: Vec<Device>,
    pub quotas: BTreeMap<String, i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fallback: Option<Alerts>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Json)]
#[serde(rename_all = "SCREAMING-KEBAB-CASE")]
pub struct Alerts {
    pub email: bool,
    pub push_level: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Json)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    Light,
    DarkBlue,
    HTTPMode,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Json)]
pub struct Device {
    pub name: String,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Table)]
pub struct Member {
    #[d1orm(primary_key, auto_increment)]
    pub id: i64,
    #[d1orm(json)]
    pub prefs: Prefs,
}

fn prefs(i: i64) -> Prefs {
    Prefs {
        notifications: Alerts {
            email: i % 2 == 1,
            push_level: (i * 3 % 5) as u8,
        },
        theme: [Theme::Light, Theme::DarkBlue, Theme::HTTPMode][i as usize % 3],
        display_name: (i != 2).then(|| format!("member {i}")),
        seat_count: 10 - i,
        devices: (0..i % 3)
            .map(|d| Device {
                name: format!("d{i}.{d}"),
                active: d == 0,
            })
            .collect(),
        quotas: BTreeMap::from([("daily".to_owned(), i * 10)]),
        fallback: (i == 4).then_some(Alerts {
            email: true,
            push_level: 1,
        }),
    }
}

async fn seed<B: Backend>(db: &Database<B>) -> J {
    let created = db
        .exec(&create_table_sql::<Member>())
        .await
        .map(|r| r.count);
    let inserted = db
        .members()
        .insert_many((1..=5).map(|i| NewMember::builder().prefs(prefs(i)).build()))
        .await
        .map(|w| w.changes());
    json!({ "create": obs(created), "insert": obs(inserted) })
}

/// The ids of a chain's rows, in order.
macro_rules! ids {
    ($q:expr) => {
        obs($q
            .order_by(|m| m.id.asc())
            .select(|m| m.id)
            .many()
            .await
            .map(|r| r.rows))
    };
}

/// Filters and selections on typed paths: renamed keys, a bool, an enum, `Option`
/// leaves, `Vec` indexes and map keys, and what `json_extract` and `->` give for a
/// boolean on each side.
pub async fn typed_json_paths<B: Backend>(db: &Database<B>) -> J {
    let seeded = seed(db).await;
    let q = db.members();
    let raw_bool = db
        .prepare(
            "SELECT json_extract(prefs, '$.notifications.EMAIL') AS extracted, \
             prefs -> '$.notifications.EMAIL' AS arrow FROM members ORDER BY id LIMIT 2",
        )
        .all::<J>()
        .await
        .map(|r| r.results);
    json!([
        seeded,
        obs(raw_bool),
        ids!(q.where_(|m| m.prefs.path().notifications.email.eq(true))),
        ids!(q.where_(|m| m.prefs.path().notifications.push_level.gte(3))),
        ids!(q.where_(|m| m.prefs.path().theme.eq(Theme::HTTPMode))),
        ids!(q.where_(|m| m.prefs.path().theme.ne(Theme::Light))),
        ids!(q.where_(|m| m.prefs.path().display_name.eq(None))),
        ids!(q.where_(|m| m.prefs.path().display_name.ne(None))),
        ids!(q.where_(|m| m.prefs.path().display_name.eq("member 3"))),
        ids!(q.where_(|m| m.prefs.path().devices.at(1).name.eq("d2.1"))),
        ids!(q.where_(|m| m.prefs.path().devices.at(0).active.eq(true))),
        ids!(q.where_(|m| m.prefs.path().quotas.key("daily").gt(25))),
        ids!(q.where_(|m| m.prefs.path().quotas.key("weekly").is_null())),
        ids!(q.where_(|m| m.prefs.path().fallback.email.eq(true))),
        obs(q
            .order_by(|m| (m.prefs.path().theme.desc(), m.prefs.path().seat_count.asc()))
            .select(|m| {
                (
                    m.id,
                    m.prefs.path().notifications.email,
                    m.prefs.path().theme,
                    m.prefs.path().display_name,
                    m.prefs.path().devices.at(0).name,
                    m.prefs.path().quotas.key("daily"),
                    m.prefs.path().fallback,
                    m.prefs.path().notifications,
                )
            })
            .many()
            .await
            .map(|r| r.rows)),
    ])
}

/// Assignments on typed paths: leaves, a whole sub-object, map keys, `Option`s set to
/// `None`, and sets under steps that may be absent, which write only where the object
/// they go into exists; every row reads back whole.
pub async fn typed_json_path_writes<B: Backend>(db: &Database<B>) -> J {
    let seeded = seed(db).await;
    let q = db.members();
    let leaves = write_obs(
        q.where_(|m| m.id.eq(2))
            .returning(|m| (m.prefs.path().notifications.email, m.prefs.path().theme))
            .update(|m| {
                (
                    m.prefs.path().notifications.email.set(true),
                    m.prefs.path().theme.set(Theme::DarkBlue),
                    m.prefs.path().display_name.set("two"),
                    m.prefs.path().seat_count.set(42),
                )
            })
            .await,
    );
    let whole = write_obs(
        q.where_(|m| m.id.eq(3))
            .returning(|m| m.prefs.path().notifications)
            .update(|m| {
                m.prefs.path().notifications.set(Alerts {
                    email: false,
                    push_level: 9,
                })
            })
            .await,
    );
    let everywhere = write_obs(
        q.all_rows()
            .update(|m| {
                (
                    m.prefs.path().quotas.key("weekly").set(70),
                    m.prefs.path().devices.at(0).active.set(false),
                    m.prefs.path().devices.at(5).name.set("nowhere"),
                    m.prefs.path().fallback.push_level.set(7),
                )
            })
            .await,
    );
    let cleared = write_obs(
        q.where_(|m| m.id.eq(1))
            .update(|m| m.prefs.path().display_name.set(None))
            .await,
    );
    let fallback = write_obs(
        q.where_(|m| m.id.eq(5))
            .returning(|m| m.prefs.path().fallback)
            .update(|m| {
                m.prefs.path().fallback.set(Some(Alerts {
                    email: false,
                    push_level: 2,
                }))
            })
            .await,
    );
    let stored = db
        .prepare("SELECT id, prefs FROM members ORDER BY id")
        .all::<J>()
        .await
        .map(|r| r.results);
    json!([
        seeded,
        leaves,
        whole,
        everywhere,
        cleared,
        fallback,
        obs(stored),
        obs(q.order_by(|m| m.id.asc()).many().await.map(|r| r.rows)),
    ])
}
