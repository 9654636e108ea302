//! Typed JSON paths (`#[derive(Json)]`): keys as serde writes them, values typed by the
//! field, selections decoded as the field's type, and writes that keep every document
//! readable.

use std::collections::BTreeMap;

use d1orm::table::create_table_sql;
use d1orm::{Database, Json, Table};
use d1orm_sqlite::SqliteBackend;
use serde::{Deserialize, Serialize};

use crate::memory;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Json)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    pub notifications: Notifications,
    pub display_name: String,
    #[serde(rename = "colour")]
    pub theme: Theme,
    pub nickname: Option<String>,
    pub tags: Vec<String>,
    pub limits: BTreeMap<String, i64>,
    pub devices: Vec<Device>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup: Option<Notifications>,
    pub login_count: u32,
    #[serde(skip)]
    pub cached: u8,
    pub extra: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Json)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct Notifications {
    pub email: bool,
    pub push_token: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Json)]
#[serde(rename_all = "kebab-case")]
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

#[derive(Debug, Clone, PartialEq, Table)]
pub struct Profile {
    #[d1orm(primary_key, auto_increment)]
    pub id: i64,
    #[d1orm(json)]
    pub settings: Settings,
    #[d1orm(json)]
    pub spare: Option<Settings>,
}

fn settings(i: u32) -> Settings {
    Settings {
        notifications: Notifications {
            email: i % 2 == 1,
            push_token: (i == 1).then(|| "tok".to_owned()),
        },
        display_name: format!("user {i}"),
        theme: [Theme::Light, Theme::DarkBlue, Theme::HTTPMode][i as usize % 3],
        nickname: (i != 2).then(|| format!("n{i}")),
        tags: (0..i).map(|t| format!("t{t}")).collect(),
        limits: BTreeMap::from([("daily".to_owned(), i64::from(i) * 10)]),
        devices: vec![Device {
            name: format!("d{i}"),
            active: true,
        }],
        backup: (i == 3).then_some(Notifications {
            email: true,
            push_token: None,
        }),
        login_count: 10 - i,
        cached: 0,
        extra: serde_json::json!({ "k": i }),
    }
}

async fn profiles() -> Database<SqliteBackend> {
    let db = memory();
    db.exec(&create_table_sql::<Profile>()).await.unwrap();
    let rows = (1..=3).map(|i| NewProfile {
        spare: (i == 1).then(|| settings(9)),
        ..NewProfile::builder().settings(settings(i)).build()
    });
    db.profiles().insert_many(rows).await.unwrap();
    db
}

async fn ids(db: &Database<SqliteBackend>, q: d1orm::table::Condition<Profile>) -> Vec<i64> {
    db.profiles()
        .where_(|_| q)
        .order_by(|p| p.id.asc())
        .select(|p| p.id)
        .many()
        .await
        .unwrap()
        .rows
}

/// The stored document of row `id`, as JSON text.
async fn stored(db: &Database<SqliteBackend>, id: i64) -> serde_json::Value {
    let text: String = db
        .prepare("SELECT settings FROM profiles WHERE id = ?")
        .bind((id,))
        .first_column("settings")
        .await
        .unwrap()
        .unwrap();
    serde_json::from_str(&text).unwrap()
}

#[tokio::test]
async fn paths_name_the_keys_serde_writes() {
    let db = profiles().await;
    let doc = stored(&db, 1).await;
    assert_eq!(doc["displayName"], "user 1");
    assert_eq!(doc["colour"], "dark-blue");
    assert_eq!(doc["notifications"]["EMAIL"], true);
    // rename_all = "camelCase" on the struct, SCREAMING_SNAKE_CASE on the inner one.
    let p = Profile::columns();
    assert_eq!(
        ids(&db, p.settings.path().display_name.eq("user 2")).await,
        [2]
    );
    assert_eq!(
        ids(&db, p.settings.path().notifications.push_token.eq("tok")).await,
        [1]
    );
    // serde's own rule for kebab-case variants: `HTTPMode` is `h-t-t-p-mode`.
    assert_eq!(
        ids(&db, p.settings.path().theme.eq(Theme::HTTPMode)).await,
        [2]
    );
    let raw: Option<i64> = db
        .prepare(
            "SELECT id FROM profiles WHERE json_extract(settings, '$.colour') = 'h-t-t-p-mode'",
        )
        .first_column("id")
        .await
        .unwrap();
    assert_eq!(raw, Some(2));
}

#[tokio::test]
async fn a_bool_path_filters_sets_and_selects_a_bool() {
    let db = profiles().await;
    let email = || Profile::columns().settings.path().notifications.email;
    assert_eq!(ids(&db, email().eq(true)).await, [1, 3]);
    assert_eq!(ids(&db, email().ne(true)).await, [2]);
    let w = db
        .profiles()
        .where_(|p| p.id.eq(2))
        .returning(|p| p.settings.path().notifications.email)
        .update(|p| p.settings.path().notifications.email.set(true))
        .await
        .unwrap();
    assert_eq!(w.rows, [true]);
    assert_eq!(stored(&db, 2).await["notifications"]["EMAIL"], true);
    let selected: Vec<(i64, bool)> = db
        .profiles()
        .order_by(|p| p.id.asc())
        .select(|p| (p.id, p.settings.path().notifications.email))
        .many()
        .await
        .unwrap()
        .rows;
    assert_eq!(selected, [(1, true), (2, true), (3, true)]);
    // Every row still reads whole.
    assert_eq!(db.profiles().many().await.unwrap().rows.len(), 3);
}

#[tokio::test]
async fn option_leaves_match_null_and_missing_keys_and_select_options() {
    let db = profiles().await;
    let p = Profile::columns();
    assert_eq!(ids(&db, p.settings.path().nickname.eq(None)).await, [2]);
    assert_eq!(ids(&db, p.settings.path().nickname.ne(None)).await, [1, 3]);
    assert_eq!(ids(&db, p.settings.path().nickname.eq("n3")).await, [3]);
    assert_eq!(ids(&db, p.settings.path().nickname.is_null()).await, [2]);
    db.profiles()
        .where_(|p| p.id.eq(3))
        .update(|p| p.settings.path().nickname.set(None))
        .await
        .unwrap();
    let names: Vec<Option<String>> = db
        .profiles()
        .order_by(|p| p.id.asc())
        .select(|p| p.settings.path().nickname)
        .many()
        .await
        .unwrap()
        .rows;
    assert_eq!(names, [Some("n1".to_owned()), None, None]);
    // A field serde leaves out (`skip_serializing_if`): missing on rows 1 and 2.
    let backups: Vec<Option<bool>> = db
        .profiles()
        .order_by(|p| p.id.asc())
        .select(|p| p.settings.path().backup.email)
        .many()
        .await
        .unwrap()
        .rows;
    assert_eq!(backups, [None, None, Some(true)]);
}

#[tokio::test]
async fn a_set_under_an_absent_object_keeps_the_document_readable() {
    let db = profiles().await;
    // Row 1 has no `backup`: writing one field of it would store a partial object.
    let w = db
        .profiles()
        .all_rows()
        .update(|p| p.settings.path().backup.email.set(false))
        .await
        .unwrap();
    assert_eq!(w.changes(), 3);
    let rows = db
        .profiles()
        .order_by(|p| p.id.asc())
        .many()
        .await
        .unwrap()
        .rows;
    assert_eq!(rows[0].settings.backup, None);
    assert_eq!(
        rows[2].settings.backup.as_ref().map(|b| b.email),
        Some(false)
    );
    // The whole sub-object, serialized by serde, then one field of it.
    db.profiles()
        .where_(|p| p.id.eq(1))
        .update(|p| {
            p.settings.path().backup.set(Some(Notifications {
                email: true,
                push_token: Some("b".into()),
            }))
        })
        .await
        .unwrap();
    let doc = stored(&db, 1).await;
    assert_eq!(
        doc["backup"],
        serde_json::json!({"EMAIL": true, "PUSH_TOKEN": "b"})
    );
    db.profiles()
        .where_(|p| p.id.eq(1))
        .update(|p| p.settings.path().backup.push_token.set("c"))
        .await
        .unwrap();
    let one = db.profiles().find(1).await.unwrap().unwrap();
    assert_eq!(
        one.settings.backup.unwrap().push_token.as_deref(),
        Some("c")
    );
}

#[tokio::test]
async fn whole_sub_objects_compare_set_and_select_as_their_type() {
    let db = profiles().await;
    let off = Notifications {
        email: false,
        push_token: None,
    };
    db.profiles()
        .where_(|p| p.id.eq(1))
        .update(|p| p.settings.path().notifications.set(&off))
        .await
        .unwrap();
    let doc = stored(&db, 1).await;
    assert!(doc["notifications"].is_object(), "{doc}");
    let selected: Vec<Notifications> = db
        .profiles()
        .where_(|p| p.settings.path().notifications.eq(&off))
        .order_by(|p| p.id.asc())
        .select(|p| p.settings.path().notifications)
        .many()
        .await
        .unwrap()
        .rows;
    assert_eq!(selected, [off.clone(), off]);
}

#[tokio::test]
async fn vec_elements_by_index_and_map_values_by_key() {
    let db = profiles().await;
    let p = Profile::columns();
    assert_eq!(
        ids(&db, p.settings.path().tags.at(1).eq("t1")).await,
        [2, 3]
    );
    assert_eq!(
        ids(&db, p.settings.path().devices.at(0).name.eq("d2")).await,
        [2]
    );
    assert_eq!(
        ids(&db, p.settings.path().limits.key("daily").gte(20)).await,
        [2, 3]
    );
    let second: Vec<Option<String>> = db
        .profiles()
        .order_by(|p| p.id.asc())
        .select(|p| p.settings.path().tags.at(1))
        .many()
        .await
        .unwrap()
        .rows;
    assert_eq!(second, [None, Some("t1".into()), Some("t1".into())]);
    db.profiles()
        .all_rows()
        .update(|p| {
            (
                p.settings.path().limits.key("weekly").set(7),
                p.settings.path().devices.at(0).active.set(false),
                // Past the end: nothing is written.
                p.settings.path().devices.at(4).active.set(true),
            )
        })
        .await
        .unwrap();
    let rows = db
        .profiles()
        .order_by(|p| p.id.asc())
        .many()
        .await
        .unwrap()
        .rows;
    for row in &rows {
        assert_eq!(row.settings.limits.get("weekly"), Some(&7));
        assert_eq!(row.settings.devices.len(), 1);
        assert!(!row.settings.devices[0].active);
    }
    let weekly: Vec<Option<i64>> = db
        .profiles()
        .select(|p| p.settings.path().limits.key("monthly"))
        .many()
        .await
        .unwrap()
        .rows;
    assert_eq!(weekly, [None, None, None]);
    // A key with quotes and a backslash is a key like any other, never SQL.
    let odd = "it's \"odd\" \\ key";
    db.profiles()
        .where_(|p| p.id.eq(1))
        .update(|p| p.settings.path().limits.key(odd).set(3))
        .await
        .unwrap();
    let found: Vec<(i64, Option<i64>)> = db
        .profiles()
        .where_(|p| p.settings.path().limits.key(odd).eq(3))
        .select(|p| (p.id, p.settings.path().limits.key(odd)))
        .many()
        .await
        .unwrap()
        .rows;
    assert_eq!(found, [(1, Some(3))]);
    let one = db.profiles().find(1).await.unwrap().unwrap();
    assert_eq!(one.settings.limits.get(odd), Some(&3));
    let e = db
        .profiles()
        .where_(|p| p.settings.path().limits.key("a\0b").eq(1))
        .count()
        .await
        .unwrap_err();
    assert!(e.to_string().contains("NUL character"), "{e}");
    let e = db
        .profiles()
        .select(|p| p.settings.path().limits.key("a\0b"))
        .many()
        .await
        .unwrap_err();
    assert!(e.to_string().contains("profiles.settings"), "{e}");
    let e = db
        .profiles()
        .all_rows()
        .update(|p| p.settings.path().limits.key("a\0b").set(1))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("NUL character"), "{e}");
    let e = db
        .profiles()
        .order_by(|p| p.settings.path().limits.key("a\0b").asc())
        .many()
        .await
        .unwrap_err();
    assert!(e.to_string().contains("NUL character"), "{e}");
}

#[tokio::test]
async fn paths_order_rows_and_reach_optional_columns() {
    let db = profiles().await;
    let by_logins: Vec<(i64, u32)> = db
        .profiles()
        .order_by(|p| p.settings.path().login_count.asc())
        .select(|p| (p.id, p.settings.path().login_count))
        .many()
        .await
        .unwrap()
        .rows;
    assert_eq!(by_logins, [(3, 7), (2, 8), (1, 9)]);
    assert_eq!(
        ids(&db, Profile::columns().settings.path().login_count.gt(7)).await,
        [1, 2]
    );
    // A column of `Option<Settings>`: every path may reach nothing.
    let spare: Vec<Option<String>> = db
        .profiles()
        .order_by(|p| p.id.asc())
        .select(|p| p.spare.path().display_name)
        .many()
        .await
        .unwrap()
        .rows;
    assert_eq!(spare, [Some("user 9".into()), None, None]);
    // The whole document of an optional column: `None` is NULL, as `spare.set(None)`.
    db.profiles()
        .where_(|p| p.id.eq(1))
        .update(|p| p.spare.path().set(None))
        .await
        .unwrap();
    db.profiles()
        .where_(|p| p.id.eq(2))
        .update(|p| p.spare.path().set(Some(settings(8))))
        .await
        .unwrap();
    assert_eq!(ids(&db, Profile::columns().spare.is_null()).await, [1, 3]);
    assert_eq!(
        db.profiles().find(2).await.unwrap().unwrap().spare,
        Some(settings(8))
    );
    let themes: Vec<Theme> = db
        .profiles()
        .order_by(|p| p.settings.path().theme.desc())
        .select(|p| p.settings.path().theme)
        .many()
        .await
        .unwrap()
        .rows;
    assert_eq!(themes, [Theme::Light, Theme::HTTPMode, Theme::DarkBlue]);
}

#[tokio::test]
async fn untyped_paths_stay_reachable_by_name() {
    let db = profiles().await;
    let p = Profile::columns();
    // A `serde_json::Value` field goes on untyped; `at_unchecked` on any typed path.
    assert_eq!(ids(&db, p.settings.path().extra.at("k").eq(2)).await, [2]);
    assert_eq!(
        ids(&db, p.settings.at_unchecked("displayName").eq("user 3")).await,
        [3]
    );
    assert_eq!(
        ids(
            &db,
            p.settings
                .path()
                .notifications
                .at_unchecked("EMAIL")
                .eq(false)
        )
        .await,
        [2]
    );
}

#[derive(Debug, Clone, PartialEq, Table)]
pub struct Event {
    #[d1orm(primary_key, auto_increment)]
    pub id: i64,
    #[d1orm(json)]
    pub payload: serde_json::Value,
}

#[tokio::test]
async fn a_column_of_untyped_json_keeps_string_paths() {
    let db = memory();
    db.exec(&create_table_sql::<Event>()).await.unwrap();
    let rows = [
        serde_json::json!({ "kind": "click", "at": [3, 4] }),
        serde_json::json!({ "kind": "view", "at": [5] }),
    ];
    db.events()
        .insert_many(
            rows.into_iter()
                .map(|payload| NewEvent::builder().payload(payload).build()),
        )
        .await
        .unwrap();
    let clicks: Vec<(i64, serde_json::Value)> = db
        .events()
        .where_(|e| e.payload.at("kind").eq("click"))
        .select(|e| (e.id, e.payload.at("at").at(1)))
        .many()
        .await
        .unwrap()
        .rows;
    assert_eq!(clicks, [(1, serde_json::json!(4))]);
    db.events()
        .where_(|e| e.id.eq(2))
        .update(|e| e.payload.at("kind").set("seen"))
        .await
        .unwrap();
    let kinds: Vec<serde_json::Value> = db
        .events()
        .order_by(|e| e.id.asc())
        .select(|e| e.payload.at("kind"))
        .many()
        .await
        .unwrap()
        .rows;
    assert_eq!(
        kinds,
        [serde_json::json!("click"), serde_json::json!("seen")]
    );
}
