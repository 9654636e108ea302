//! Upserts on every kind of declared key, and chains as values: awaited alone or run
//! together in one atomic batch.

use d1orm::table::create_table_sql;
use d1orm::{Database, Table, Tx};
use d1orm_sqlite::SqliteBackend;

use crate::{count_rows, memory};

/// A composite primary key and a composite UNIQUE key.
#[derive(Debug, Clone, PartialEq, Table)]
#[d1orm(table = "seats", primary_key(org, member), unique(org, slot))]
pub struct Seat {
    pub org: i64,
    pub member: i64,
    pub slot: i64,
    pub role: String,
    #[d1orm(default = 0)]
    pub visits: i64,
}

pub(crate) async fn seats() -> Database<SqliteBackend> {
    let db = memory();
    db.exec(&create_table_sql::<Seat>()).await.unwrap();
    db.seats()
        .insert_many([
            NewSeat::builder()
                .org(1)
                .member(10)
                .slot(1)
                .role("owner")
                .build(),
            NewSeat::builder()
                .org(1)
                .member(11)
                .slot(2)
                .role("member")
                .build(),
        ])
        .await
        .unwrap();
    db
}

#[test]
fn the_schema_declares_the_composite_keys() {
    let sql = create_table_sql::<Seat>();
    assert!(sql.contains(r#"PRIMARY KEY ("org", "member")"#), "{sql}");
    assert!(sql.contains(r#"UNIQUE ("org", "slot")"#), "{sql}");
}

#[tokio::test]
async fn upsert_on_a_composite_primary_key_updates_the_chosen_columns() {
    let db = seats().await;
    let r = db
        .seats()
        .returning(|s| (s.member, s.role, s.visits))
        .upsert(vec![
            NewSeat::builder()
                .org(1)
                .member(10)
                .slot(1)
                .role("admin")
                .build(),
            NewSeat::builder()
                .org(1)
                .member(12)
                .slot(3)
                .role("member")
                .build(),
        ])
        .on_conflict(|s| (s.org, s.member))
        .update(|s, new| (s.role.set(new.role), s.visits.add(1)))
        .await
        .unwrap();
    assert_eq!(
        r.rows,
        vec![(10, "admin".to_owned(), 1), (12, "member".to_owned(), 0)]
    );
    assert_eq!(r.changes(), 2);
}

#[tokio::test]
async fn upsert_on_a_composite_unique_key_and_do_nothing() {
    let db = seats().await;
    // Member 20 takes slot 2 of org 1, which member 11 holds: nothing happens.
    let r = db
        .seats()
        .upsert(
            NewSeat::builder()
                .org(1)
                .member(20)
                .slot(2)
                .role("guest")
                .build(),
        )
        .on_conflict(|s| (s.org, s.slot))
        .do_nothing()
        .await
        .unwrap();
    assert_eq!(r.changes(), 0);
    assert_eq!(count_rows(&db, "seats").await, 2);
    let moved = db
        .seats()
        .returning(|s| s.member)
        .upsert(
            NewSeat::builder()
                .org(1)
                .member(11)
                .slot(2)
                .role("lead")
                .build(),
        )
        .on_conflict(|s| (s.org, s.slot))
        .update_all()
        .await
        .unwrap();
    assert_eq!(moved.rows, vec![11]);
    let lead = db
        .seats()
        .where_(|s| s.member.eq(11))
        .select(|s| s.role)
        .one()
        .await;
    assert_eq!(lead.unwrap(), "lead");
}

#[tokio::test]
async fn each_incoming_value_is_bound_once() {
    let db = seats().await;
    let rows: Vec<NewSeat> = (0..30)
        .map(|i| {
            NewSeat::builder()
                .org(2)
                .member(i)
                .slot(i)
                .role("m")
                .build()
        })
        .collect();
    let pending = db
        .seats()
        .upsert(rows)
        .on_conflict(|s| (s.org, s.member))
        .update(|s, new| (s.role.set(new.role), s.slot.set(new.slot), s.visits.add(5)));
    let statements = pending.statements().unwrap();
    // 4 values a row and one for `+ 5`: 24 rows a statement, so 24 + 6 rows.
    let params: Vec<usize> = statements.iter().map(|s| s.params.len()).collect();
    assert_eq!(params, vec![24 * 4 + 1, 6 * 4 + 1]);
    assert!(statements[0].sql.contains(r#""role" = excluded."role""#));
    assert!(statements[0].sql.contains(r#""visits" = "visits" + ?"#));
    let r = pending.await.unwrap();
    assert_eq!((r.changes(), r.metas.len()), (30, 2));
}

#[tokio::test]
async fn a_chain_runs_only_when_awaited() {
    let db = seats().await;
    let insert = db.seats().insert(
        NewSeat::builder()
            .org(3)
            .member(1)
            .slot(1)
            .role("x")
            .build(),
    );
    let delete = db.seats().all_rows().delete();
    assert_eq!(count_rows(&db, "seats").await, 2);
    drop(delete);
    assert_eq!(insert.await.unwrap().changes(), 1);
    assert_eq!(count_rows(&db, "seats").await, 3);
}

#[tokio::test]
async fn a_tuple_batch_gives_typed_results_that_see_earlier_writes() {
    let db = seats().await;
    let q = db.seats();
    let (inserted, bumped, roles, n, (exists, meta)) = db
        .batch((
            q.returning(|s| s.member).insert(
                NewSeat::builder()
                    .org(1)
                    .member(12)
                    .slot(3)
                    .role("m")
                    .build(),
            ),
            q.where_(|s| s.org.eq(1)).update(|s| s.visits.add(1)),
            q.order_by(|s| s.member.asc()).select(|s| s.role).many(),
            q.count(),
            q.where_(|s| s.member.eq(12)).exists().with_meta(),
        ))
        .await
        .unwrap();
    assert_eq!(inserted.rows, vec![12]);
    assert_eq!(bumped.changes(), 3);
    assert_eq!(roles.rows, vec!["owner", "member", "m"]);
    // As D1 counts: the scan's 3 rows, then the sort's 3 (local D1 says 6).
    assert_eq!(roles.meta.rows_read, 6);
    assert_eq!(n, 3);
    assert!(exists);
    assert_eq!(meta.changes, 0);
}

#[tokio::test]
async fn a_staged_batch_commits_every_write_or_none() {
    let db = seats().await;
    let done = db
        .batch(|tx: &Tx| {
            tx.seats().returning(|s| s.member).insert(
                NewSeat::builder()
                    .org(1)
                    .member(30)
                    .slot(30)
                    .role("x")
                    .build(),
            );
            tx.seats()
                .where_(|s| s.member.eq(10))
                .update(|s| s.role.set("root"));
            tx.table::<Seat>().where_(|s| s.member.eq(11)).delete();
        })
        .await
        .unwrap();
    assert!(done.success);
    assert_eq!(done.results.len(), 3);
    assert_eq!(done.results[0].rows[0]["member"], 30);
    assert_eq!(done.results[2].changes(), 1);
    let failed = db
        .batch(|tx: &Tx| {
            tx.seats()
                .where_(|s| s.member.eq(10))
                .update(|s| s.role.set("gone"));
            tx.seats().insert(
                NewSeat::builder()
                    .org(1)
                    .member(31)
                    .slot(30)
                    .role("dup slot")
                    .build(),
            );
        })
        .await
        .unwrap_err();
    assert!(failed.is_unique_violation());
    assert_eq!(failed.batch_index(), Some(1));
    let role = db
        .seats()
        .where_(|s| s.member.eq(10))
        .select(|s| s.role)
        .one()
        .await;
    assert_eq!(role.unwrap(), "root");
}

/// `db.staged(|tx| ...)`: the callback form with no type annotation.
#[tokio::test]
async fn staged_takes_the_callback_without_an_annotation() {
    let db = seats().await;
    let done = db
        .staged(|tx| {
            tx.seats()
                .where_(|s| s.member.eq(10))
                .update(|s| s.role.set("lead"));
            tx.seats().where_(|s| s.member.eq(11)).delete();
        })
        .await
        .unwrap();
    assert_eq!(
        done.results.iter().map(|r| r.changes()).collect::<Vec<_>>(),
        [1, 1]
    );
    let failed = db
        .staged(|tx| {
            tx.seats()
                .where_(|s| s.member.eq(10))
                .update(|s| s.role.set("gone"));
            tx.seats().insert(
                NewSeat::builder()
                    .org(1)
                    .member(31)
                    .slot(1)
                    .role("slot 1 is taken")
                    .build(),
            );
        })
        .await
        .unwrap_err();
    assert!(failed.is_unique_violation());
    let role = db
        .seats()
        .where_(|s| s.member.eq(10))
        .select(|s| s.role)
        .one()
        .await;
    assert_eq!(role.unwrap(), "lead");
}

/// Reading the database size costs more than a typical statement, so a batch reads it
/// once, at its end: every statement of a batch reports the size the batch leaves (D1
/// reports each statement's own), while a statement run alone reports its own.
#[tokio::test]
async fn every_statement_of_a_batch_reports_the_size_the_batch_leaves() {
    let db = memory();
    db.exec("CREATE TABLE big (a)").await.unwrap();
    let before = db.prepare("SELECT 1").run().await.unwrap().meta.size_after;
    let grow = db.prepare("INSERT INTO big VALUES (zeroblob(3000))");
    let results = db
        .batch(vec![
            grow.bind(()),
            db.prepare("CREATE TABLE other (b)"),
            grow.bind(()),
            db.prepare("SELECT count(*) AS n FROM big"),
        ])
        .await
        .unwrap();
    let after = db.prepare("SELECT 1").run().await.unwrap().meta.size_after;
    assert!(after >= before + 2 * 3000, "{before} -> {after}");
    let sizes: Vec<u64> = results.iter().map(|r| r.meta.size_after).collect();
    assert_eq!(sizes, vec![after; 4]);
    // Whether each statement changed the database does not depend on the size read.
    let changed: Vec<bool> = results.iter().map(|r| r.meta.changed_db).collect();
    assert_eq!(changed, vec![true, true, true, false]);
    // A schema change that changes nothing after row writes in the same batch does not
    // count them as its own change.
    let results = db
        .batch(vec![
            grow.bind(()),
            db.prepare("CREATE TABLE IF NOT EXISTS other (b)"),
        ])
        .await
        .unwrap();
    let changed: Vec<bool> = results.iter().map(|r| r.meta.changed_db).collect();
    assert_eq!(changed, vec![true, false]);
    let after = db.prepare("SELECT 1").run().await.unwrap().meta.size_after;
    // Alone, a write reports the size right after it.
    let alone = grow.run().await.unwrap().meta.size_after;
    assert!(alone >= after + 3000, "{after} -> {alone}");
}
