//! Schemas from the derive and migrations: generated SQL, `db.migrate` (first run,
//! unchanged, additive, refused, rebuilt, dropped, concurrent) and migration files.

use d1orm::schema::files;
use d1orm::{Error, MigrateOptions, Schema, Table, TextEnum};
use d1orm_sqlite::SqliteBackend;

use crate::{TempDir, count_rows, memory};

#[derive(Debug, Clone, Copy, PartialEq, TextEnum)]
pub enum Role {
    #[d1orm(rename = "admin")]
    Admin,
    #[d1orm(rename = "member")]
    Member,
}

#[derive(Debug, Clone, PartialEq, Table)]
#[d1orm(table = "orgs")]
pub struct Org {
    #[d1orm(primary_key, auto_increment)]
    pub id: i64,
    #[d1orm(unique)]
    pub slug: String,
}

#[derive(Debug, Clone, PartialEq, Table)]
#[d1orm(
    table = "people",
    unique(org, handle),
    check = "length(handle) > 0",
    index(org, joined),
    index(email, filter = "active = 1", name = "people_active_email"),
    unique_index(org, email)
)]
pub struct Person {
    #[d1orm(primary_key, auto_increment)]
    pub id: i64,
    #[d1orm(references(Org::id), on_delete = "cascade")]
    pub org: i64,
    pub handle: String,
    #[d1orm(index)]
    pub email: String,
    pub role: Role,
    #[d1orm(check = "age >= 0", default = 0)]
    pub age: i64,
    #[d1orm(default = "CURRENT_TIMESTAMP")]
    pub joined: String,
    pub active: bool,
}

fn schema_v1() -> Schema {
    Schema::new().table::<Org>().table::<Person>()
}

#[test]
fn generated_sql_has_every_constraint_and_index() {
    let sql = schema_v1().create_sql();
    assert_eq!(
        sql,
        vec![
            r#"CREATE TABLE IF NOT EXISTS "orgs" ("id" INTEGER PRIMARY KEY, "slug" TEXT NOT NULL UNIQUE)"#,
            r#"CREATE TABLE IF NOT EXISTS "people" ("id" INTEGER PRIMARY KEY, "org" INTEGER NOT NULL REFERENCES "orgs" ("id") ON DELETE CASCADE ON UPDATE NO ACTION, "handle" TEXT NOT NULL, "email" TEXT NOT NULL, "role" TEXT NOT NULL, "age" INTEGER NOT NULL DEFAULT (0), "joined" TEXT NOT NULL DEFAULT (CURRENT_TIMESTAMP), "active" INTEGER NOT NULL, UNIQUE ("org", "handle"), CHECK ("role" IN ('admin', 'member')), CHECK (age >= 0), CHECK (length(handle) > 0))"#,
            r#"CREATE INDEX IF NOT EXISTS "idx_people_email" ON "people" ("email")"#,
            r#"CREATE INDEX IF NOT EXISTS "idx_people_org_joined" ON "people" ("org", "joined")"#,
            r#"CREATE INDEX IF NOT EXISTS "people_active_email" ON "people" ("email") WHERE active = 1"#,
            r#"CREATE UNIQUE INDEX IF NOT EXISTS "uidx_people_org_email" ON "people" ("org", "email")"#,
        ]
    );
}

async fn seeded() -> d1orm::Database<SqliteBackend> {
    let db = memory();
    let first = db.migrate(&schema_v1()).await.unwrap();
    assert_eq!(first.step, Some(1));
    db.table::<Org>()
        .insert(NewOrg::builder().slug("acme").build())
        .await
        .unwrap();
    db.table::<Person>()
        .insert_many([
            NewPerson::builder()
                .org(1)
                .handle("ada")
                .email("ada@x.dev")
                .role(Role::Admin)
                .active(true)
                .build(),
            NewPerson::builder()
                .org(1)
                .handle("bob")
                .email("bob@x.dev")
                .role(Role::Member)
                .active(false)
                .build(),
        ])
        .await
        .unwrap();
    db
}

#[tokio::test]
async fn the_schema_enforces_enum_values_checks_and_foreign_keys() {
    let db = seeded().await;
    let bad_role = db
        .prepare("INSERT INTO people (org, handle, email, role, active) VALUES (1, 'x', 'x', 'owner', 1)")
        .run()
        .await
        .unwrap_err();
    assert!(bad_role.is_check_violation(), "{bad_role}");
    let bad_age = db
        .table::<Person>()
        .insert(NewPerson {
            age: Some(-1),
            ..NewPerson::builder()
                .org(1)
                .handle("c")
                .email("c")
                .role(Role::Member)
                .active(true)
                .build()
        })
        .await
        .unwrap_err();
    assert!(bad_age.is_check_violation());
    let no_org = db
        .table::<Person>()
        .insert(
            NewPerson::builder()
                .org(9)
                .handle("d")
                .email("d")
                .role(Role::Member)
                .active(true)
                .build(),
        )
        .await
        .unwrap_err();
    assert!(no_org.is_foreign_key_violation());
    // A value outside the enum that got in anyway is a decode error naming the column.
    db.exec("PRAGMA ignore_check_constraints = ON")
        .await
        .unwrap();
    db.prepare("UPDATE people SET role = 'owner' WHERE handle = 'bob'")
        .run()
        .await
        .unwrap();
    let err = db.table::<Person>().many().await.unwrap_err();
    assert!(
        err.to_string().contains("\"owner\" is not a value of Role"),
        "{err}"
    );
    // ON DELETE CASCADE.
    db.prepare("DELETE FROM orgs").run().await.unwrap();
    assert_eq!(count_rows(&db, "people").await, 0);
}

#[tokio::test]
async fn an_unchanged_schema_applies_nothing_in_one_query() {
    let db = d1orm::Database::new(crate::Recording::new(
        SqliteBackend::open_in_memory().unwrap(),
    ));
    assert_eq!(db.migrate(&schema_v1()).await.unwrap().step, Some(1));
    db.backend().take();
    let again = db.migrate(&schema_v1()).await.unwrap();
    assert_eq!(again.step, None);
    assert!(again.statements.is_empty());
    let sent = db.backend().take();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(sent[0].sql.contains("FROM d1orm_migrations"));
    let history: Option<i64> = db
        .prepare("SELECT count(*) AS n FROM d1orm_migrations")
        .first_column("n")
        .await
        .unwrap();
    assert_eq!(history, Some(1));
}

/// V2 of `people`: a nullable column, a column with a literal default, a new index.
#[derive(Debug, Clone, PartialEq, Table)]
#[d1orm(
    table = "people",
    unique(org, handle),
    check = "length(handle) > 0",
    index(org, joined),
    index(email, filter = "active = 1", name = "people_active_email"),
    unique_index(org, email),
    index(nickname)
)]
pub struct PersonV2 {
    #[d1orm(primary_key, auto_increment)]
    pub id: i64,
    #[d1orm(references(Org::id), on_delete = "cascade")]
    pub org: i64,
    pub handle: String,
    #[d1orm(index)]
    pub email: String,
    pub role: Role,
    #[d1orm(check = "age >= 0", default = 0)]
    pub age: i64,
    #[d1orm(default = "CURRENT_TIMESTAMP")]
    pub joined: String,
    pub active: bool,
    pub nickname: Option<String>,
    #[d1orm(default = "'UTC'")]
    pub timezone: String,
}

#[derive(Debug, Clone, PartialEq, Table)]
#[d1orm(table = "audit")]
pub struct Audit {
    #[d1orm(primary_key, auto_increment)]
    pub id: i64,
    pub what: String,
}

#[tokio::test]
async fn additive_changes_apply_in_place_and_keep_the_rows() {
    let db = seeded().await;
    let v2 = Schema::new()
        .table::<Org>()
        .table::<PersonV2>()
        .table::<Audit>();
    let step = db.migrate(&v2).await.unwrap();
    assert_eq!(step.step, Some(2));
    assert_eq!(
        step.statements,
        vec![
            r#"ALTER TABLE "people" ADD COLUMN "nickname" TEXT"#,
            r#"ALTER TABLE "people" ADD COLUMN "timezone" TEXT NOT NULL DEFAULT ('UTC')"#,
            r#"CREATE INDEX IF NOT EXISTS "idx_people_nickname" ON "people" ("nickname")"#,
            r#"CREATE TABLE IF NOT EXISTS "audit" ("id" INTEGER PRIMARY KEY, "what" TEXT NOT NULL)"#,
        ]
    );
    let people = db
        .table::<PersonV2>()
        .order_by(|p| p.id.asc())
        .many()
        .await
        .unwrap();
    assert_eq!(people.len(), 2);
    assert_eq!(people[0].timezone, "UTC");
    assert_eq!(people[1].handle, "bob");
    assert_eq!(db.migrate(&v2).await.unwrap().step, None);
}

/// `people` with `age` now REAL and a new CHECK, `active` nullable, `email` UNIQUE, and
/// the foreign key's action changed.
#[derive(Debug, Clone, PartialEq, Table)]
#[d1orm(
    table = "people",
    unique(org, handle),
    check = "length(handle) > 0",
    index(org, joined),
    index(email, filter = "active = 1", name = "people_active_email"),
    unique_index(org, email)
)]
pub struct PersonChanged {
    #[d1orm(primary_key, auto_increment)]
    pub id: i64,
    #[d1orm(references(Org::id), on_delete = "restrict")]
    pub org: i64,
    pub handle: String,
    #[d1orm(index, unique)]
    pub email: String,
    pub role: Role,
    #[d1orm(check = "age >= 0 AND age < 200", default = 0)]
    pub age: f64,
    #[d1orm(default = "CURRENT_TIMESTAMP")]
    pub joined: String,
    pub active: Option<bool>,
}

#[tokio::test]
async fn changes_sqlite_cannot_make_in_place_are_refused_then_rebuilt_on_opt_in() {
    let db = seeded().await;
    let changed = Schema::new().table::<Org>().table::<PersonChanged>();
    let err = db.migrate(&changed).await.unwrap_err();
    let Error::Migration { message } = &err else {
        panic!("{err}")
    };
    assert!(
        message.contains("column age changes type from INTEGER to REAL"),
        "{message}"
    );
    assert!(
        message.contains("column active becomes nullable"),
        "{message}"
    );
    assert!(
        message.contains("its UNIQUE constraints change"),
        "{message}"
    );
    assert!(
        message.contains("MigrateOptions::allow_rebuild()"),
        "{message}"
    );
    assert_eq!(count_rows(&db, "d1orm_migrations").await, 1);

    let done = db
        .migrate_with(&changed, MigrateOptions::default().allow_rebuild())
        .await
        .unwrap();
    assert_eq!(done.step, Some(2));
    assert_eq!(done.statements[0], "PRAGMA defer_foreign_keys = ON");
    let people = db
        .table::<PersonChanged>()
        .order_by(|p| p.id.asc())
        .many()
        .await
        .unwrap();
    assert_eq!(people.len(), 2, "no row lost");
    assert_eq!((people[0].handle.as_str(), people[0].age), ("ada", 0.0));
    // The new constraint holds, and the rebuilt table is migrated.
    let dup = db
        .table::<PersonChanged>()
        .insert(
            NewPersonChanged::builder()
                .org(1)
                .handle("z")
                .email("ada@x.dev")
                .role(Role::Member)
                .build(),
        )
        .await
        .unwrap_err();
    assert!(dup.is_unique_violation());
    assert_eq!(db.migrate(&changed).await.unwrap().step, None);
}

/// `people` with a NOT NULL column and no default, and one with an expression default.
#[derive(Debug, Clone, PartialEq, Table)]
#[d1orm(table = "orgs")]
pub struct OrgNeedsValue {
    #[d1orm(primary_key, auto_increment)]
    pub id: i64,
    #[d1orm(unique)]
    pub slug: String,
    pub plan: String,
}

#[derive(Debug, Clone, PartialEq, Table)]
#[d1orm(table = "orgs")]
pub struct OrgStamped {
    #[d1orm(primary_key, auto_increment)]
    pub id: i64,
    #[d1orm(unique)]
    pub slug: String,
    #[d1orm(default = "CURRENT_TIMESTAMP")]
    pub created: String,
}

#[tokio::test]
async fn a_not_null_column_without_default_needs_a_default_when_rows_exist() {
    let db = seeded().await;
    let schema = Schema::new().table::<OrgNeedsValue>().table::<Person>();
    for options in [
        MigrateOptions::default(),
        MigrateOptions::default().allow_rebuild(),
    ] {
        let err = db.migrate_with(&schema, options).await.unwrap_err();
        assert_eq!(
            err.to_string(),
            "migration refused: table orgs: new column plan is NOT NULL without a default, and the table has rows: give the field a `default` or make it an `Option`"
        );
    }
    // On an empty table the same change is made by a rebuild: there is no row to lose.
    let empty = memory();
    empty.migrate(&schema_v1()).await.unwrap();
    let done = empty.migrate(&schema).await.unwrap();
    assert_eq!(done.step, Some(2));
}

#[tokio::test]
async fn an_expression_default_on_a_table_with_rows_is_refused_then_rebuilt() {
    let db = seeded().await;
    let schema = Schema::new().table::<OrgStamped>().table::<Person>();
    let err = db.migrate(&schema).await.unwrap_err();
    assert!(
        err.to_string()
            .contains("new column created has an expression default (CURRENT_TIMESTAMP)"),
        "{err}"
    );
    db.migrate_with(&schema, MigrateOptions::default().allow_rebuild())
        .await
        .unwrap();
    let orgs = db.table::<OrgStamped>().many().await.unwrap();
    assert_eq!(orgs.len(), 1);
    assert!(orgs[0].created.starts_with("20"), "{}", orgs[0].created);
    // The people of the rebuilt org are still there: foreign keys were deferred.
    assert_eq!(count_rows(&db, "people").await, 2);
}

#[tokio::test]
async fn columns_and_tables_are_dropped_only_on_opt_in() {
    let db = seeded().await;
    // `people` no longer in the schema, `orgs` without `slug`... kept as they are.
    #[derive(Debug, Table)]
    #[d1orm(table = "orgs")]
    struct OrgSlim {
        #[d1orm(primary_key, auto_increment)]
        #[allow(dead_code)]
        id: i64,
    }
    let slim = Schema::new().table::<OrgSlim>();
    db.migrate(&slim).await.unwrap();
    assert_eq!(count_rows(&db, "people").await, 2);
    let slug: Option<String> = db
        .prepare("SELECT slug FROM orgs")
        .first_column("slug")
        .await
        .unwrap();
    assert_eq!(slug.as_deref(), Some("acme"));
    let dropped = db
        .migrate_with(&slim, MigrateOptions::default().allow_drop())
        .await
        .unwrap();
    assert!(
        dropped
            .statements
            .iter()
            .any(|s| s == r#"DROP TABLE IF EXISTS "people""#)
    );
    let columns = db
        .prepare("SELECT name FROM pragma_table_info('orgs')")
        .raw::<(String,)>()
        .await
        .unwrap();
    assert_eq!(columns, vec![("id".to_owned(),)]);
    assert_eq!(count_rows(&db, "orgs").await, 1);
}

#[tokio::test]
async fn two_processes_migrating_one_file_apply_the_schema_once() {
    let dir = TempDir::new("migrate-race");
    let path = dir.0.join("race.db");
    for _ in 0..5 {
        let _ = std::fs::remove_file(&path);
        let a = d1orm::Database::new(SqliteBackend::open(&path).unwrap());
        let b = d1orm::Database::new(SqliteBackend::open(&path).unwrap());
        let (ra, rb) = tokio::join!(
            tokio::spawn(async move { a.migrate(&schema_v1()).await }),
            tokio::spawn(async move { b.migrate(&schema_v1()).await })
        );
        let (ra, rb) = (ra.unwrap().unwrap(), rb.unwrap().unwrap());
        assert_eq!(
            [ra.step, rb.step].iter().filter(|s| s.is_some()).count(),
            1,
            "{ra:?} {rb:?}"
        );
        let db = d1orm::Database::new(SqliteBackend::open(&path).unwrap());
        assert_eq!(count_rows(&db, "d1orm_migrations").await, 1);
        assert_eq!(db.migrate(&schema_v1()).await.unwrap().step, None);
    }
}

#[test]
fn migration_files_are_numbered_and_follow_the_snapshot() {
    let dir = TempDir::new("migration-files");
    let v1 = schema_v1();
    let first = files::write_next(&dir.0, &v1, MigrateOptions::default())
        .unwrap()
        .unwrap();
    assert_eq!(first.file_name().unwrap(), "0001_init.sql");
    let sql = std::fs::read_to_string(&first).unwrap();
    for statement in v1.create_sql() {
        assert!(sql.contains(&format!("{statement};\n")), "{sql}");
    }
    assert!(dir.0.join(files::SNAPSHOT).exists());
    assert_eq!(
        files::next_migration(&dir.0, &v1, MigrateOptions::default()).unwrap(),
        None
    );
    files::check_or_write(&dir.0, &v1, false);

    let v2 = Schema::new().table::<Org>().table::<PersonV2>();
    let stale = std::panic::catch_unwind(|| files::check_or_write(&dir.0, &v2, false));
    let message = *stale.unwrap_err().downcast::<String>().unwrap();
    assert!(message.contains("0002_people.sql"), "{message}");
    assert!(
        message.contains(r#"ALTER TABLE "people" ADD COLUMN "nickname" TEXT;"#),
        "{message}"
    );
    files::check_or_write(&dir.0, &v2, true);
    assert!(dir.0.join("0002_people.sql").exists());
    files::check_or_write(&dir.0, &v2, false);

    // A change that needs a rebuild is refused in files too, unless allowed.
    let changed = Schema::new().table::<Org>().table::<PersonChanged>();
    let err = files::next_migration(&dir.0, &changed, MigrateOptions::default()).unwrap_err();
    assert!(
        err.to_string()
            .contains("column age changes type from INTEGER to REAL"),
        "{err}"
    );
    assert_eq!(
        files::main(&v2, ["check".to_owned(), dir.0.display().to_string()]),
        0
    );
    assert_eq!(
        files::main(&changed, ["check".to_owned(), dir.0.display().to_string()]),
        1
    );
}

// ---------------------------------------------------------------------------------
// Migration files compiled in: db.apply_migrations
// ---------------------------------------------------------------------------------

mod compiled_in {
    use d1orm::Error;
    use d1orm::schema::{FILES_TABLE, MigrationFile};

    use super::{Org, Person, Schema, files};
    use crate::{TempDir, count_rows, memory};

    const FIRST: MigrationFile = MigrationFile::new(
        "0001_init.sql",
        "-- the first file\nCREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT);\nCREATE INDEX t_b ON t (b);\n",
    );
    const SECOND: MigrationFile =
        MigrationFile::new("0002_c.sql", "ALTER TABLE t ADD COLUMN c INTEGER;\n");

    #[tokio::test]
    async fn applies_each_file_once_in_order_and_records_it_as_wrangler_does() {
        let db = memory();
        assert_eq!(
            db.apply_migrations(&[FIRST]).await.unwrap(),
            ["0001_init.sql"]
        );
        assert_eq!(
            db.apply_migrations(&[FIRST, SECOND]).await.unwrap(),
            ["0002_c.sql"]
        );
        assert!(
            db.apply_migrations(&[FIRST, SECOND])
                .await
                .unwrap()
                .is_empty()
        );
        db.prepare("INSERT INTO t (b, c) VALUES ('x', 1)")
            .run()
            .await
            .unwrap();
        let names: Vec<(i64, String)> = db
            .prepare(format!("SELECT id, name FROM {FILES_TABLE} ORDER BY id"))
            .raw()
            .await
            .unwrap();
        assert_eq!(
            names,
            [
                (1, "0001_init.sql".to_owned()),
                (2, "0002_c.sql".to_owned())
            ]
        );
    }

    #[tokio::test]
    async fn a_failing_file_applies_nothing_of_itself_and_stops() {
        let db = memory();
        let broken = MigrationFile::new(
            "0002_broken.sql",
            "CREATE TABLE u (x);\nINSERT INTO nowhere VALUES (1);\n",
        );
        let e = db
            .apply_migrations(&[FIRST, broken, SECOND])
            .await
            .unwrap_err();
        assert!(
            matches!(&e, Error::Migration { message } if message.contains("0002_broken.sql")
                && message.contains("no such table: nowhere")),
            "{e}"
        );
        // The first file stays; nothing of the broken one, and the third never ran.
        assert_eq!(count_rows(&db, FILES_TABLE).await, 1);
        assert_eq!(count_rows(&db, "t").await, 0);
        let u = db
            .prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'u'")
            .first_column::<i64>("n")
            .await
            .unwrap();
        assert_eq!(u, Some(0));
    }

    /// The files `d1orm::schema::files` writes, compiled in, build the schema.
    #[tokio::test]
    async fn the_files_written_from_a_schema_apply() {
        let dir = TempDir::new("apply-migrations");
        let schema = Schema::new().table::<Org>().table::<Person>();
        files::write_next(dir.0.as_path(), &schema, Default::default()).unwrap();
        let name = "0001_init.sql";
        let sql: &'static str = Box::leak(
            std::fs::read_to_string(dir.0.as_path().join(name))
                .unwrap()
                .into_boxed_str(),
        );
        let db = memory();
        db.apply_migrations(&[MigrationFile::new(name, sql)])
            .await
            .unwrap();
        assert!(db.migrate(&schema).await.unwrap().statements.is_empty());
    }
}
