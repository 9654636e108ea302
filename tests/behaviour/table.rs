//! The typed table chain on the reference backend.

use d1orm::table::create_table_sql;
use d1orm::{Database, Error, Table};
use d1orm_sqlite::SqliteBackend;
use serde::{Deserialize, Serialize};

use crate::batch::SeatTable;
use crate::memory;

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, d1orm::Json)]
pub struct Meta {
    pub plan: String,
    pub seats: i64,
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Table)]
pub struct User {
    #[d1orm(primary_key, auto_increment)]
    pub id: i64,
    #[d1orm(unique)]
    pub email: String,
    #[d1orm(default = "'free'")]
    pub tier: String,
    #[d1orm(default = 0)]
    pub logins: i64,
    pub nickname: Option<String>,
    #[d1orm(json)]
    pub meta: Meta,
    #[d1orm(rename = "is_active")]
    pub active: bool,
}

async fn users() -> Database<SqliteBackend> {
    let db = memory();
    db.exec(&create_table_sql::<User>()).await.unwrap();
    let rows = (1..=5).map(|i| {
        NewUser::builder()
            .email(format!("u{i}@x.dev"))
            .maybe_tier((i % 2 == 0).then_some("pro"))
            .maybe_nickname((i == 3).then_some("three"))
            .meta(Meta {
                plan: if i % 2 == 0 {
                    "pro".into()
                } else {
                    "free".into()
                },
                seats: i,
                tags: vec![format!("t{i}")],
            })
            .active(i != 5)
            .build()
    });
    let inserted = db.users().insert_many(rows).await.unwrap();
    assert_eq!(inserted.changes(), 5);
    db
}

#[tokio::test]
async fn rows_to_insert_name_their_columns_in_any_order() {
    let db = memory();
    db.exec(&create_table_sql::<User>()).await.unwrap();
    // Setters in any order; text takes `&str` or `String`; an optional column left out
    // gets the table's DEFAULT, one set with `maybe_*(None)` stays NULL.
    let row = NewUser::builder()
        .active(false)
        .meta(Meta::default())
        .nickname(String::from("n"))
        .email("by-name@x.dev")
        .logins(4)
        .build();
    assert_eq!((row.id, row.tier.as_deref()), (None, None));
    db.users().insert(row).await.unwrap();
    db.users()
        .insert(
            NewUser::builder()
                .email("defaults@x.dev")
                .meta(Meta::default())
                .active(true)
                .maybe_nickname(None::<String>)
                .build(),
        )
        .await
        .unwrap();
    let rows: Vec<(String, String, i64, Option<String>, bool)> = db
        .users()
        .select(|u| (u.email, u.tier, u.logins, u.nickname, u.active))
        .order_by(|u| u.id.asc())
        .many()
        .await
        .unwrap()
        .rows;
    assert_eq!(
        rows,
        [
            (
                "by-name@x.dev".into(),
                "free".into(),
                4,
                Some("n".into()),
                false
            ),
            ("defaults@x.dev".into(), "free".into(), 0, None, true),
        ]
    );
}

#[test]
fn generated_schema_quotes_every_identifier() {
    assert_eq!(User::NAME, "users");
    assert_eq!(
        create_table_sql::<User>(),
        "CREATE TABLE IF NOT EXISTS \"users\" (\"id\" INTEGER PRIMARY KEY, \"email\" TEXT NOT NULL UNIQUE, \
         \"tier\" TEXT NOT NULL DEFAULT ('free'), \"logins\" INTEGER NOT NULL DEFAULT (0), \"nickname\" TEXT, \
         \"meta\" TEXT NOT NULL, \"is_active\" INTEGER NOT NULL)"
    );
}

#[tokio::test]
async fn reads_filters_ordering_limits() {
    let db = users().await;
    let all = db.users().order_by(|u| u.id.asc()).many().await.unwrap();
    assert_eq!(all.len(), 5);
    assert_eq!(all[0].tier, "free");
    assert_eq!(all[1].tier, "pro");
    assert_eq!(all[2].nickname.as_deref(), Some("three"));
    assert_eq!(all[1].meta.tags, vec!["t2".to_owned()]);
    assert!(!all[4].active);
    assert_eq!(all.meta.rows_read, 5);

    let pros = db
        .users()
        .where_(|u| u.tier.eq("pro"))
        .count()
        .await
        .unwrap();
    assert_eq!(pros, 2);
    let some = db
        .users()
        .where_(|u| {
            u.id.gt(1)
                .and(u.id.lte(4))
                .and(u.tier.ne("pro").or(u.nickname.is_not_null()))
        })
        .select(|u| u.id)
        .many()
        .await
        .unwrap();
    assert_eq!(some.rows, vec![3]);
    let not = db
        .users()
        .where_(|u| u.id.between(2, 4).not())
        .select(|u| u.id)
        .order_by(|u| u.id.desc())
        .many()
        .await
        .unwrap();
    assert_eq!(not.rows, vec![5, 1]);
    let paged = db
        .users()
        .order_by(|u| u.id.asc())
        .limit(2)
        .offset(1)
        .select(|u| (u.id, u.email))
        .many()
        .await
        .unwrap();
    assert_eq!(
        paged.rows,
        vec![(2, "u2@x.dev".to_owned()), (3, "u3@x.dev".to_owned())]
    );
    let liked = db
        .users()
        .where_(|u| u.email.like("u1%"))
        .select(|u| u.id)
        .many()
        .await
        .unwrap();
    assert_eq!(liked.rows, vec![1]);
    let nulls = db
        .users()
        .order_by(|u| (u.nickname.asc().nulls_last(), u.id.asc()))
        .select(|u| u.id)
        .many()
        .await
        .unwrap();
    assert_eq!(nulls.rows, vec![3, 1, 2, 4, 5]);
    assert!(
        db.users()
            .where_(|u| u.email.eq("u5@x.dev"))
            .exists()
            .await
            .unwrap()
    );
    assert!(
        !db.users()
            .where_(|u| u.email.eq("none"))
            .exists()
            .await
            .unwrap()
    );
    let tiers = db
        .users()
        .order_by(|u| u.tier.asc())
        .distinct(|u| u.tier)
        .await
        .unwrap();
    assert_eq!(tiers, vec!["free".to_owned(), "pro".into()]);
    let first = db
        .users()
        .order_by(|u| u.id.desc())
        .first()
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first.id, 5);
}

#[tokio::test]
async fn in_lists_empty_and_long() {
    let db = users().await;
    let none = db
        .users()
        .where_(|u| u.id.in_(Vec::<i64>::new()))
        .count()
        .await
        .unwrap();
    assert_eq!(none, 0);
    let every = db
        .users()
        .where_(|u| u.id.not_in(Vec::<i64>::new()))
        .count()
        .await
        .unwrap();
    assert_eq!(every, 5);
    let two = db
        .users()
        .where_(|u| u.id.in_([2, 4]))
        .count()
        .await
        .unwrap();
    assert_eq!(two, 2);
    // 10,000 ids bind as one JSON array, within D1's 100 parameters.
    let ids: Vec<i64> = (3..10_003).collect();
    let many = db
        .users()
        .where_(|u| u.id.in_(ids.iter().copied()))
        .count()
        .await
        .unwrap();
    assert_eq!(many, 3);
    let not_many = db
        .users()
        .where_(|u| u.id.not_in(ids))
        .count()
        .await
        .unwrap();
    assert_eq!(not_many, 2);
}

#[tokio::test]
async fn one_is_exactly_one() {
    let db = users().await;
    let u = db
        .users()
        .where_(|u| u.email.eq("u2@x.dev"))
        .one()
        .await
        .unwrap();
    assert_eq!(u.id, 2);
    let err = db
        .users()
        .where_(|u| u.email.eq("nobody"))
        .one()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound { table: "users" }), "{err}");
    let err = db
        .users()
        .where_(|u| u.tier.eq("pro"))
        .one()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::TooMany { table: "users" }), "{err}");
}

#[tokio::test]
async fn find_looks_a_row_up_by_its_primary_key() {
    let db = users().await;
    let three = db.users().find(3).await.unwrap().expect("row 3");
    assert_eq!((three.id, three.email.as_str()), (3, "u3@x.dev"));
    assert_eq!(db.users().find(99).await.unwrap(), None);
    // The whole-row lookup runs the derive's text: nothing built per call.
    assert_eq!(
        <User as d1orm::PrimaryKey>::FIND_SQL,
        r#"SELECT "id", "email", "tier", "logins", "nickname", "meta", "is_active" FROM "users" WHERE "id" = ?"#
    );
    // On a filtered chain the key is one more filter, ANDed with the others.
    let pro = db.users().where_(|u| u.tier.eq("pro"));
    assert_eq!(pro.find(2).await.unwrap().map(|u| u.id), Some(2));
    assert_eq!(pro.find(3).await.unwrap(), None);
    // An offset past the only match leaves nothing, as it would for `where_`.
    assert_eq!(db.users().offset(1).find(2).await.unwrap(), None);
    assert_eq!(
        db.users().limit(5).find(2).await.unwrap().map(|u| u.id),
        Some(2)
    );
}

#[tokio::test]
async fn a_key_equal_to_a_value_marks_a_read_as_matching_one_row_at_most() {
    let db = users().await;
    // Such a read stops at its row instead of stepping once more to find the end.
    fn one_row(statements: Result<&[d1orm::Statement], &Error>) -> bool {
        statements.unwrap()[0].sql.is_at_most_one_row()
    }
    let users = db.users();
    assert!(one_row(users.where_(|u| u.id.eq(3)).one().statements()));
    assert!(one_row(
        users.where_(|u| u.email.eq("u3@x.dev")).many().statements()
    ));
    assert!(one_row(
        users
            .where_(|u| u.tier.eq("pro").and(u.id.eq(2)))
            .first()
            .statements()
    ));
    assert!(one_row(
        users
            .where_(|u| u.tier.eq("pro"))
            .where_(|u| u.id.eq(2))
            .many()
            .statements()
    ));
    assert!(one_row(
        users.where_(|u| u.tier.eq("pro")).find(2).statements()
    ));
    // Anything that can match several rows is not marked.
    assert!(!one_row(
        users
            .where_(|u| u.id.eq(1).or(u.id.eq(2)))
            .many()
            .statements()
    ));
    assert!(!one_row(
        users.where_(|u| u.id.eq(2).not()).many().statements()
    ));
    assert!(!one_row(users.where_(|u| u.id.gte(2)).many().statements()));
    assert!(!one_row(
        users.where_(|u| u.tier.eq("pro")).many().statements()
    ));
    assert!(!one_row(
        users.where_(|u| u.id.eq(u.logins)).many().statements()
    ));
    assert!(!one_row(users.many().statements()));
    // One column of a composite key is not a key.
    let seats = crate::batch::seats().await;
    assert!(!one_row(
        seats.seats().where_(|s| s.org.eq(1)).many().statements()
    ));
    assert!(one_row(seats.seats().find((1, 1)).statements()));

    // The results are those of the same read unmarked.
    assert_eq!(
        users
            .where_(|u| u.email.eq("u3@x.dev"))
            .one()
            .await
            .unwrap()
            .id,
        3
    );
    let by_key = users.where_(|u| u.id.eq(4)).many().await.unwrap();
    assert_eq!((by_key.rows.len(), by_key.meta.rows_read), (1, 1));
    let missing = users.where_(|u| u.id.eq(99)).one().await.unwrap_err();
    assert!(
        matches!(missing, Error::NotFound { table: "users" }),
        "{missing}"
    );
    let other_tier = users
        .where_(|u| u.id.eq(3).and(u.tier.eq("pro")))
        .first()
        .await
        .unwrap();
    assert_eq!(other_tier, None);
}

#[tokio::test]
async fn a_filter_on_the_primary_key_alone_runs_the_derived_lookup() {
    let db = users().await;
    let find_sql = <User as d1orm::PrimaryKey>::FIND_SQL;
    let sql =
        |statements: Result<&[d1orm::Statement], &Error>| statements.unwrap()[0].sql.to_string();
    let users = db.users();
    let by_key = users.where_(|u| u.id.eq(3));
    assert_eq!(sql(by_key.one().statements()), find_sql);
    assert_eq!(sql(by_key.first().statements()), find_sql);
    assert_eq!(sql(by_key.many().statements()), find_sql);
    assert_eq!(by_key.one().await.unwrap().email, "u3@x.dev");
    assert_eq!(by_key.first().await.unwrap().map(|u| u.id), Some(3));
    assert_eq!(by_key.many().await.unwrap().rows.len(), 1);
    let missing = users.where_(|u| u.id.eq(99)).one().await.unwrap_err();
    assert!(
        matches!(missing, Error::NotFound { table: "users" }),
        "{missing}"
    );
    // Anything more than the key alone builds its own statement, with its own results.
    for other in [
        sql(by_key.limit(0).many().statements()),
        sql(by_key.offset(1).many().statements()),
        sql(by_key.order_by(|u| u.email.asc()).many().statements()),
        sql(by_key.select(|u| u.email).many().statements()),
        sql(users
            .where_(|u| u.id.eq(3).and(u.tier.eq("pro")))
            .one()
            .statements()),
        sql(users.where_(|u| u.email.eq("u3@x.dev")).one().statements()),
        sql(users.where_(|u| u.id.gte(3)).many().statements()),
    ] {
        assert_ne!(other, find_sql);
    }
    assert!(by_key.limit(0).many().await.unwrap().rows.is_empty());
    assert!(by_key.offset(1).many().await.unwrap().rows.is_empty());
    assert_eq!(by_key.select(|u| u.email).one().await.unwrap(), "u3@x.dev");
}

#[tokio::test]
async fn a_lookup_that_stops_at_its_row_leaves_no_statement_running() {
    let db = users().await;
    db.users().find(2).await.unwrap().expect("row 2");
    let busy = db.backend().with_connection(|c| {
        let mut busy = 0;
        // SAFETY: walking the connection's statement list while it is locked by us.
        unsafe {
            let mut stmt = rusqlite::ffi::sqlite3_next_stmt(c.handle(), std::ptr::null_mut());
            while !stmt.is_null() {
                busy += rusqlite::ffi::sqlite3_stmt_busy(stmt);
                stmt = rusqlite::ffi::sqlite3_next_stmt(c.handle(), stmt);
            }
        }
        busy
    });
    assert_eq!(busy, 0, "a statement was left mid-step");
    // Its read transaction is over: a write and a schema change go through.
    db.users()
        .where_(|u| u.id.eq(2))
        .update(|u| u.logins.set(9))
        .await
        .unwrap();
    db.exec("CREATE TABLE later (x)").await.unwrap();
    assert_eq!(db.users().find(2).await.unwrap().map(|u| u.logins), Some(9));
}

#[tokio::test]
async fn reads_that_drop_the_meta_still_measure_it_when_asked() {
    let db = users().await;
    // `first`, `one`, `find` and `count` return no meta, so the backend may leave it
    // unmeasured; `with_meta()` asks for it and gets it measured.
    let (row, meta) = db.users().find(4).with_meta().await.unwrap();
    assert_eq!(row.map(|u| u.id), Some(4));
    assert_eq!(meta.rows_read, 1);
    assert_eq!(meta.served_by, "d1orm-sqlite");
    assert!(meta.duration > 0.0, "{meta:?}");
    let (n, meta) = db.users().count().with_meta().await.unwrap();
    assert_eq!(n, 5);
    assert!(meta.rows_read >= 1 && meta.duration > 0.0, "{meta:?}");
    let (one, meta) = db
        .users()
        .where_(|u| u.tier.eq("pro"))
        .limit(1)
        .one()
        .with_meta()
        .await
        .unwrap();
    assert_eq!(one.tier, "pro");
    assert!(meta.rows_read >= 1 && meta.duration > 0.0, "{meta:?}");
}

#[tokio::test]
async fn find_binds_every_column_of_a_composite_key_in_order() {
    let db = crate::batch::seats().await;
    let seat = db
        .seats()
        .find((1, 11))
        .await
        .unwrap()
        .expect("seat (1, 11)");
    assert_eq!(
        (seat.org, seat.member, seat.role.as_str()),
        (1, 11, "member")
    );
    assert_eq!(db.seats().find((11, 1)).await.unwrap(), None);
    assert_eq!(
        <crate::batch::Seat as d1orm::PrimaryKey>::KEY_CONDITION,
        r#""org" = ? AND "member" = ?"#
    );
}

#[tokio::test]
async fn find_with_a_key_that_cannot_be_bound_is_a_typed_error() {
    #[derive(Debug, Table)]
    #[d1orm(table = "tallies")]
    struct Tally {
        #[d1orm(primary_key)]
        n: u64,
    }
    let db = memory();
    db.exec(&create_table_sql::<Tally>()).await.unwrap();
    for chain in [db.tallies(), db.tallies().limit(1)] {
        let err = chain.find(u64::MAX).await.unwrap_err();
        assert_eq!(
            err.to_string(),
            "D1_TYPE_ERROR: Type 'u64' not supported for value '18446744073709551615'"
        );
    }
    assert_eq!(db.tallies().find(7).await.unwrap().map(|t| t.n), None);
}

#[tokio::test]
async fn chains_are_immutable_values() {
    let db = users().await;
    let pros = db.users().where_(|u| u.tier.eq("pro"));
    let a = pros.where_(|u| u.id.eq(2)).count().await.unwrap();
    let b = pros.count().await.unwrap();
    let c = pros.limit(1).count().await.unwrap();
    assert_eq!((a, b, c), (1, 2, 1));
}

#[tokio::test]
async fn writes_with_returning() {
    let db = users().await;
    let new = db
        .users()
        .returning_all()
        .insert(
            NewUser::builder()
                .email("new@x.dev")
                .meta(Meta::default())
                .active(true)
                .build(),
        )
        .await
        .unwrap();
    assert_eq!(new.rows.len(), 1);
    assert_eq!(
        (
            new.rows[0].id,
            new.rows[0].tier.as_str(),
            new.rows[0].logins
        ),
        (6, "free", 0)
    );
    assert_eq!(new.last_row_id(), Some(6));

    let updated = db
        .users()
        .where_(|u| u.tier.eq("pro"))
        .returning(|u| (u.id, u.logins))
        .update(|u| (u.logins.add(2), u.tier.set("team")))
        .await
        .unwrap();
    assert_eq!(updated.rows, vec![(2, 2), (4, 2)]);
    assert_eq!(updated.changes(), 2);

    let deleted = db
        .users()
        .where_(|u| u.active.eq(false))
        .returning(|u| u.email)
        .delete()
        .await
        .unwrap();
    assert_eq!(deleted.rows, vec!["u5@x.dev".to_owned()]);
    assert_eq!(db.users().count().await.unwrap(), 5);

    let all = db
        .users()
        .all_rows()
        .update(|u| u.logins.sub(1))
        .await
        .unwrap();
    assert_eq!(all.changes(), 5);
    assert!(all.rows.is_empty());
    let err = db
        .users()
        .insert(
            NewUser::builder()
                .email("u1@x.dev")
                .meta(Meta::default())
                .active(true)
                .build(),
        )
        .await
        .unwrap_err();
    assert!(err.is_unique_violation(), "{err}");
}

#[tokio::test]
async fn many_rows_split_within_the_parameter_budget_atomically() {
    let db = users().await;
    // Each row gives 4 columns (email, logins, meta, is_active): 25 rows a statement
    // within 100 parameters, so 300 rows take 12 statements in one batch.
    let rows = (0..300).map(|i| NewUser {
        logins: Some(i),
        ..NewUser::builder()
            .email(format!("bulk{i}@x.dev"))
            .meta(Meta::default())
            .active(true)
            .build()
    });
    let r = db.users().insert_many(rows).await.unwrap();
    assert_eq!(r.changes(), 300);
    assert_eq!(r.metas.len(), 12);
    assert_eq!(db.users().count().await.unwrap(), 305);
    // A duplicate in the last statement rolls back every statement.
    let mut again: Vec<NewUser> = (0..300)
        .map(|i| {
            NewUser::builder()
                .email(format!("again{i}@x.dev"))
                .meta(Meta::default())
                .active(true)
                .build()
        })
        .collect();
    again.push(
        NewUser::builder()
            .email("u1@x.dev")
            .meta(Meta::default())
            .active(true)
            .build(),
    );
    let err = db.users().insert_many(again).await.unwrap_err();
    assert!(err.is_unique_violation());
    assert_eq!(db.users().count().await.unwrap(), 305);
}

#[tokio::test]
async fn json_paths_in_filters_order_select_and_update() {
    let db = users().await;
    let pros = db
        .users()
        .where_(|u| u.meta.path().plan.eq("pro"))
        .select(|u| u.id)
        .many()
        .await
        .unwrap();
    assert_eq!(pros.rows, vec![2, 4]);
    // Numbers compare as numbers, not text ("10" < "9" would be wrong).
    let big = db
        .users()
        .where_(|u| u.meta.path().seats.gte(3))
        .count()
        .await
        .unwrap();
    assert_eq!(big, 3);
    let tag = db
        .users()
        .where_(|u| u.meta.path().tags.at(0).eq("t3"))
        .select(|u| u.id)
        .many()
        .await
        .unwrap();
    assert_eq!(tag.rows, vec![3]);
    let ordered = db
        .users()
        .order_by(|u| u.meta.path().seats.desc())
        .select(|u| (u.id, u.meta.path().plan))
        .limit(2)
        .many()
        .await
        .unwrap();
    assert_eq!(
        ordered.rows,
        vec![(5, "free".to_owned()), (4, "pro".to_owned())]
    );
    let r = db
        .users()
        .where_(|u| u.id.eq(1))
        .returning(|u| u.meta)
        .update(|u| (u.meta.path().plan.set("team"), u.meta.path().seats.set(10)))
        .await
        .unwrap();
    assert_eq!(
        r.rows[0],
        Meta {
            plan: "team".into(),
            seats: 10,
            tags: vec!["t1".into()]
        }
    );
    let whole = db
        .users()
        .where_(|u| u.meta.eq(&r.rows[0]))
        .count()
        .await
        .unwrap();
    assert_eq!(whole, 1);
}

#[tokio::test]
async fn bad_stored_data_is_a_typed_error_naming_table_and_column() {
    let db = users().await;
    db.prepare("UPDATE users SET meta = '{not json' WHERE id = 2")
        .run()
        .await
        .unwrap();
    let err = db.users().where_(|u| u.id.eq(2)).one().await.unwrap_err();
    match &err {
        Error::Decode(d) => {
            assert_eq!(
                (d.table.as_deref(), d.column.as_deref()),
                (Some("users"), Some("meta"))
            );
            assert!(d.message.contains("malformed JSON"), "{err}");
        }
        other => panic!("expected a decode error, got {other}"),
    }
    db.prepare("UPDATE users SET is_active = 7 WHERE id = 3")
        .run()
        .await
        .unwrap();
    let err = db.users().where_(|u| u.id.eq(3)).one().await.unwrap_err();
    assert!(err.to_string().contains("users.is_active"), "{err}");
}

#[derive(Debug, Table)]
struct Counter {
    #[d1orm(primary_key)]
    name: String,
    value: u64,
}

#[tokio::test]
async fn u64_beyond_i64_is_refused_when_bound_and_when_read() {
    let db = memory();
    db.exec(&create_table_sql::<Counter>()).await.unwrap();
    let err = db
        .counters()
        .insert(NewCounter::builder().name("x").value(u64::MAX).build())
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "D1_TYPE_ERROR: Type 'u64' not supported for value '18446744073709551615'"
    );
    db.prepare("INSERT INTO counters VALUES ('neg', -1)")
        .run()
        .await
        .unwrap();
    let err = db.counters().one().await.unwrap_err();
    assert!(err.to_string().contains("out of range for u64"), "{err}");
    db.prepare("DELETE FROM counters").run().await.unwrap();
    db.counters()
        .insert(
            NewCounter::builder()
                .name("max")
                .value(i64::MAX as u64)
                .build(),
        )
        .await
        .unwrap();
    let c = db.counters().one().await.unwrap();
    assert_eq!((c.name.as_str(), c.value), ("max", i64::MAX as u64));
}

#[tokio::test]
async fn repeated_chains_never_reprepare() {
    let db = users().await;
    let before = reprepares(&db);
    for i in 0..1000 {
        let id = i % 5 + 1;
        db.users()
            .where_(|u| u.id.eq(id))
            .limit(1)
            .one()
            .await
            .unwrap();
        db.users()
            .where_(|u| u.tier.eq("pro"))
            .order_by(|u| u.id.asc())
            .limit(10)
            .offset(1)
            .many()
            .await
            .unwrap();
    }
    assert_eq!(reprepares(&db), before);
}

/// The sum of SQLITE_STMTSTATUS_REPREPARE over the statements SQLite has prepared.
fn reprepares(db: &Database<SqliteBackend>) -> i64 {
    db.backend().with_connection(|c| {
        let mut total = 0i64;
        // SAFETY: walking the connection's statement list while it is locked by us.
        unsafe {
            let handle = c.handle();
            let mut stmt = rusqlite::ffi::sqlite3_next_stmt(handle, std::ptr::null_mut());
            while !stmt.is_null() {
                total += i64::from(rusqlite::ffi::sqlite3_stmt_status(
                    stmt,
                    rusqlite::ffi::SQLITE_STMTSTATUS_REPREPARE,
                    0,
                ));
                stmt = rusqlite::ffi::sqlite3_next_stmt(handle, stmt);
            }
        }
        total
    })
}

#[derive(Debug, Table)]
#[allow(dead_code)]
struct Big {
    #[d1orm(primary_key)]
    id: i64,
    n: i64,
}

#[tokio::test]
async fn integers_beyond_2_pow_53_are_refused_when_asked_as_on_d1() {
    let db = memory();
    db.exec(&create_table_sql::<Big>()).await.unwrap();
    let beyond = (1i64 << 53) + 1;
    // By default SQLite keeps every i64 exactly.
    db.bigs()
        .insert(NewBig::builder().id(1).n(beyond).build())
        .await
        .unwrap();
    assert_eq!(db.bigs().one().await.unwrap().n, beyond);
    // Asked to behave like a D1 backend must, it refuses them both ways.
    db.backend().set_js_safe_integers(true);
    let err = db
        .bigs()
        .insert(NewBig::builder().id(2).n(-beyond).build())
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("D1_TYPE_ERROR: Type 'i64' not supported for value '-9007199254740993'"),
        "{err}"
    );
    let err = db.bigs().where_(|b| b.id.eq(1)).one().await.unwrap_err();
    assert!(err.to_string().contains("beyond ±(2^53 - 1)"), "{err}");
    let max_safe = (1i64 << 53) - 1;
    db.bigs()
        .insert(NewBig::builder().id(3).n(max_safe).build())
        .await
        .unwrap();
    assert_eq!(
        db.bigs().where_(|b| b.id.eq(3)).one().await.unwrap().n,
        max_safe
    );
}

#[derive(Debug, PartialEq, d1orm::FromRow)]
#[d1orm(table = User)]
struct UserSummary {
    id: i64,
    email: String,
    meta: Meta,
}

#[tokio::test]
async fn select_into_another_struct() {
    let db = users().await;
    let rows = db
        .users()
        .where_(|u| u.id.lte(2))
        .order_by(|u| u.id.asc())
        .select_as::<UserSummary>()
        .many()
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1].email, "u2@x.dev");
    assert_eq!(rows[1].meta.plan, "pro");
    let one = db
        .users()
        .where_(|u| u.id.eq(3))
        .select_as::<UserSummary>()
        .one()
        .await
        .unwrap();
    assert_eq!(one.id, 3);
}

/// Default names follow the usual snake-case rules: an acronym is one word.
mod names {
    use d1orm::Table;

    #[derive(Debug, Table)]
    pub struct HTTPLog {
        #[d1orm(primary_key, auto_increment)]
        pub id: i64,
        pub path: String,
    }

    #[tokio::test]
    async fn an_acronym_is_one_word_in_table_and_accessor() {
        assert_eq!(HTTPLog::NAME, "http_logs");
        let db = crate::memory();
        db.exec(&d1orm::table::create_table_sql::<HTTPLog>())
            .await
            .unwrap();
        db.http_logs()
            .insert(NewHTTPLog::builder().path("/".to_owned()).build())
            .await
            .unwrap();
        assert_eq!(db.http_logs().count().await.unwrap(), 1);
    }
}
