//! The counts D1 returned, held against the reference backend's.

use d1orm::Database;

use crate::SqliteBackend;

/// `(rows_read, rows_written)` of each statement, run in order on a new database.
fn counted(statements: &[&str]) -> Vec<(u64, u64)> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let db = Database::new(SqliteBackend::open_in_memory().expect("open"));
        let mut out = Vec::new();
        for sql in statements {
            let meta = db.prepare(sql.to_string()).run().await.expect(sql).meta;
            out.push((meta.rows_read, meta.rows_written));
        }
        out
    })
}

/// What real local D1 (workerd 1.20261117) reported for each statement.
#[test]
fn counts_as_d1_does() {
    let cases: [&[(&str, (u64, u64))]; 10] = [
        &[
            ("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)", (1, 2)),
            ("INSERT INTO t (name) VALUES ('a'), ('b'), ('c')", (0, 3)),
            ("SELECT * FROM t", (3, 0)),
            ("SELECT * FROM t WHERE id = 2", (1, 0)),
            ("SELECT * FROM t WHERE name = 'b'", (3, 0)),
            ("SELECT count(*) FROM t", (3, 0)),
            ("SELECT 1", (0, 0)),
            ("SELECT * FROM t ORDER BY name", (6, 0)),
            ("SELECT * FROM t ORDER BY name LIMIT 1", (6, 0)),
            ("UPDATE t SET name = 'x' WHERE id = 1", (1, 1)),
            ("DELETE FROM t WHERE id = 3", (1, 1)),
            ("DELETE FROM t", (0, 2)),
            ("SELECT * FROM t", (1, 0)),
        ],
        &[
            (
                "CREATE TABLE u (id INTEGER PRIMARY KEY, name TEXT UNIQUE, age INT)",
                (1, 3),
            ),
            ("CREATE INDEX u_age ON u(age)", (2, 1)),
            (
                "INSERT INTO u (name, age) VALUES ('a', 1), ('b', 2), ('c', 3)",
                (0, 9),
            ),
            ("SELECT * FROM u WHERE name = 'b'", (1, 0)),
            ("SELECT * FROM u WHERE age = 2", (2, 0)),
            ("SELECT * FROM u WHERE age > 1", (2, 0)),
            ("SELECT * FROM u WHERE name = 'zz'", (0, 0)),
            ("UPDATE u SET age = 5 WHERE name = 'a'", (1, 2)),
            ("UPDATE u SET name = 'q' WHERE id = 2", (1, 2)),
            ("DELETE FROM u WHERE age = 3", (2, 1)),
            (
                "INSERT INTO u (name, age) VALUES ('q', 9) ON CONFLICT(name) DO UPDATE SET age = excluded.age",
                (1, 2),
            ),
            (
                "INSERT OR REPLACE INTO u (id, name, age) VALUES (1, 'z', 1)",
                (1, 3),
            ),
            (
                "INSERT OR IGNORE INTO u (id, name, age) VALUES (1, 'z', 1)",
                (1, 0),
            ),
            ("SELECT max(id) FROM u", (1, 0)),
            ("SELECT min(age) FROM u", (1, 0)),
            ("SELECT * FROM u ORDER BY id DESC LIMIT 1", (1, 0)),
            ("CREATE TABLE p (a)", (1, 2)),
            ("INSERT INTO p VALUES (1), (2), (3), (4)", (0, 4)),
            ("CREATE INDEX pa ON p(a)", (10, 5)),
        ],
        &[
            (
                "CREATE TABLE w (k TEXT PRIMARY KEY, v) WITHOUT ROWID",
                (1, 2),
            ),
            ("CREATE TABLE t (a)", (1, 2)),
            ("CREATE INDEX i ON t(a)", (2, 1)),
            ("SELECT count(*) AS n, sum(a) AS s FROM t WHERE 0", (0, 0)),
            ("ALTER TABLE t ADD COLUMN b TEXT", (5, 1)),
            ("DROP INDEX i", (4, 0)),
            ("DROP TABLE t", (3, 0)),
        ],
        &[
            (
                "CREATE TABLE p (id INTEGER PRIMARY KEY, code TEXT UNIQUE)",
                (1, 3),
            ),
            (
                "CREATE TABLE c (id INTEGER PRIMARY KEY, pid INTEGER REFERENCES p(id) ON DELETE CASCADE)",
                (1, 2),
            ),
            (
                "INSERT INTO p (id, code) VALUES (1, 'a'), (2, 'b'), (3, 'c')",
                (3, 6),
            ),
            (
                "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 10) SELECT group_concat(x) AS xs, sum(x) AS s FROM n",
                (11, 0),
            ),
            (
                "WITH RECURSIVE d(day) AS (SELECT '2024-02-26' UNION ALL SELECT date(day, '+1 day') FROM d WHERE day < '2024-03-02') SELECT day FROM d",
                (7, 0),
            ),
            ("SELECT count(*) AS n FROM json_each('[1, 2]')", (2, 0)),
            (
                "SELECT count(*) AS n FROM json_tree('{\"a\": [1]}')",
                (3, 0),
            ),
            ("SELECT value FROM json_each('[1, 2, 3]')", (3, 0)),
        ],
        &[
            ("CREATE TABLE t (n INTEGER)", (1, 2)),
            ("INSERT INTO t VALUES (1), (2), (3), (4)", (0, 4)),
            (
                "SELECT n, sum(n) OVER (ORDER BY rowid) AS running FROM t ORDER BY rowid",
                (13, 0),
            ),
            ("SELECT ntile(2) OVER (ORDER BY n) FROM t", (21, 0)),
            (
                "SELECT sum(n) OVER (ORDER BY n RANGE 1 PRECEDING) FROM t",
                (20, 0),
            ),
        ],
        &[
            ("CREATE TABLE c (name TEXT PRIMARY KEY, n INTEGER)", (1, 3)),
            (
                "INSERT INTO c VALUES ('x', 1) ON CONFLICT (name) DO UPDATE SET n = n + 1",
                (0, 2),
            ),
            (
                "INSERT INTO c VALUES ('x', 1) ON CONFLICT (name) DO UPDATE SET n = n + 1",
                (1, 1),
            ),
            (
                "INSERT INTO c VALUES ('x', 1), ('y', 1), ('x', 1) ON CONFLICT (name) DO UPDATE SET n = n + 1",
                (2, 4),
            ),
            ("INSERT OR IGNORE INTO c VALUES ('x', 5), ('z', 1)", (0, 2)),
        ],
        &[
            ("CREATE TABLE t (id INTEGER PRIMARY KEY, up TEXT)", (1, 2)),
            ("CREATE VIEW v AS SELECT id, upper(up) AS up FROM t", (1, 2)),
            (
                "CREATE TRIGGER vi INSTEAD OF INSERT ON v BEGIN INSERT INTO t (up) VALUES (lower(NEW.up)); END",
                (0, 1),
            ),
            (
                "CREATE TRIGGER vu INSTEAD OF UPDATE ON v BEGIN UPDATE t SET up = lower(NEW.up) WHERE id = OLD.id; END",
                (0, 1),
            ),
            ("INSERT INTO v (up) VALUES ('HELLO'), ('WORLD')", (2, 2)),
            ("UPDATE v SET up = 'BYE' WHERE id = 1", (5, 1)),
            ("SELECT * FROM v", (2, 0)),
        ],
        &[
            ("CREATE TABLE t (s TEXT)", (1, 2)),
            ("INSERT INTO t VALUES ('x'), ('X'), ('y'), ('Y')", (0, 4)),
            ("SELECT s FROM t WHERE s IN ('x', 'y')", (4, 0)),
            ("SELECT s FROM t WHERE s NOT IN ('x')", (4, 0)),
            ("SELECT 1 IN (1, 2, 3)", (1, 0)),
            (
                "SELECT s FROM t WHERE s IN (SELECT s FROM t WHERE s > 'x')",
                (8, 0),
            ),
            ("CREATE INDEX ts ON t(s)", (10, 5)),
            ("SELECT s FROM t WHERE s IN ('x', 'y')", (5, 0)),
            ("SELECT DISTINCT s FROM t", (4, 0)),
            ("SELECT s, count(*) FROM t GROUP BY s", (4, 0)),
            ("SELECT group_concat(DISTINCT s) FROM t", (4, 0)),
        ],
        &[
            (
                "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)",
                (1, 2),
            ),
            (
                "CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INT, title TEXT)",
                (1, 2),
            ),
            (
                "INSERT INTO users (name) VALUES ('a'), ('b'), ('c')",
                (0, 3),
            ),
            (
                "INSERT INTO posts (user_id, title) VALUES (1, 'x'), (1, 'y'), (2, 'z')",
                (0, 3),
            ),
            (
                "SELECT u.name, count(p.id) AS posts FROM users u LEFT JOIN posts p ON p.user_id = u.id GROUP BY u.id ORDER BY u.id",
                (10, 0),
            ),
            (
                "SELECT u.name, p.title FROM users u JOIN posts p ON p.user_id = u.id",
                (6, 0),
            ),
            ("SELECT * FROM posts WHERE user_id = 1", (3, 0)),
            ("CREATE INDEX pu ON posts(user_id)", (8, 4)),
            (
                "SELECT u.name, p.title FROM users u JOIN posts p ON p.user_id = u.id",
                (6, 0),
            ),
            ("SELECT * FROM posts WHERE user_id = 1", (3, 0)),
            ("SELECT * FROM users WHERE id IN (1, 3)", (4, 0)),
            (
                "SELECT * FROM users ORDER BY name DESC LIMIT 2 OFFSET 1",
                (6, 0),
            ),
            ("SELECT count(*) FROM posts WHERE user_id = 1", (3, 0)),
            ("SELECT max(id), min(id) FROM posts", (3, 0)),
        ],
        &[
            (
                "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT UNIQUE, b INT)",
                (1, 3),
            ),
            ("INSERT INTO t VALUES (1, 'a', 1), (2, 'b', 2)", (2, 4)),
            (
                "INSERT OR IGNORE INTO t VALUES (3, 'a', 3), (4, 'd', 4)",
                (2, 2),
            ),
            (
                "INSERT INTO t VALUES (6, 'q', 1) ON CONFLICT DO NOTHING",
                (1, 2),
            ),
            (
                "INSERT INTO t VALUES (6, 'q', 1) ON CONFLICT DO NOTHING",
                (1, 0),
            ),
            (
                "INSERT INTO t (id, a, b) VALUES (7, 'zz', 0), (8, 'yy', 1) RETURNING id",
                (6, 4),
            ),
            ("INSERT INTO t (a, b) SELECT a || '2', b FROM t", (12, 12)),
        ],
    ];
    for case in cases {
        let statements: Vec<&str> = case.iter().map(|(sql, _)| *sql).collect();
        let got = counted(&statements);
        for ((sql, want), got) in case.iter().zip(got) {
            assert_eq!(got, *want, "{sql}");
        }
    }
}

/// Counts D1 measured (conformance scenarios `errors/window_misuse`,
/// `upsert/multiple_conflict_targets`, `constraints/conflict_clauses_on_statements`,
/// `strict/declaration_errors`, `meta/changes_count_triggers_and_cascades`,
/// `cte/several_and_materialized`) where the program alone does not say them: a
/// window over no rows, which conflict an upsert met, a `REPLACE` that met a row in
/// its way, D1's own tables listed, a cascade's rows, a one-row materialized view.
#[test]
fn counts_what_the_program_alone_does_not_say() {
    let cases: [&[(&str, (u64, u64))]; 6] = [
        &[
            ("CREATE TABLE t (a)", (1, 2)),
            ("SELECT ntile(0) OVER (ORDER BY a) FROM t", (3, 0)),
        ],
        &[
            (
                "CREATE TABLE u (id INTEGER PRIMARY KEY, email TEXT UNIQUE, name TEXT, n INTEGER DEFAULT 0)",
                (1, 3),
            ),
            (
                "INSERT INTO u (id, email, name) VALUES (1, 'a@x', 'a')",
                (1, 2),
            ),
            (
                "INSERT INTO u (id, email, name) VALUES (1, 'b@x', 'dup') ON CONFLICT (id) DO UPDATE SET n = n + 10 ON CONFLICT (email) DO UPDATE SET n = n + 1",
                (1, 1),
            ),
        ],
        &[
            (
                "CREATE TABLE t (id INTEGER PRIMARY KEY, u UNIQUE, n NOT NULL)",
                (1, 3),
            ),
            ("INSERT INTO t VALUES (1, 'a', 1), (2, 'b', 2)", (2, 4)),
            (
                "INSERT OR IGNORE INTO t VALUES (3, 'a', 3), (4, 'd', 4)",
                (2, 2),
            ),
            ("INSERT OR REPLACE INTO t VALUES (5, 'b', 5)", (2, 2)),
        ],
        &[
            ("CREATE TABLE d (x int) STRICT", (1, 2)),
            (
                "CREATE TABLE f (x TEXT PRIMARY KEY) STRICT, WITHOUT ROWID",
                (1, 2),
            ),
            (
                "SELECT name, strict FROM pragma_table_list WHERE name IN ('d', 'f') ORDER BY name",
                (6, 0),
            ),
        ],
        &[
            ("CREATE TABLE parent (id INTEGER PRIMARY KEY)", (1, 2)),
            (
                "CREATE TABLE child (id INTEGER PRIMARY KEY, p INTEGER REFERENCES parent(id) ON DELETE CASCADE)",
                (1, 2),
            ),
            ("CREATE TABLE audit (what TEXT)", (1, 2)),
            (
                "CREATE TRIGGER log AFTER INSERT ON parent BEGIN INSERT INTO audit VALUES ('p' || new.id); INSERT INTO audit VALUES ('again'); END",
                (0, 1),
            ),
            ("INSERT INTO parent (id) VALUES (1), (2)", (4, 6)),
            ("INSERT INTO child (p) VALUES (1), (1), (2)", (3, 3)),
            ("DELETE FROM parent WHERE id = 1", (11, 3)),
        ],
        &[
            ("CREATE TABLE t (k TEXT, n INTEGER)", (1, 2)),
            ("INSERT INTO t VALUES ('a', 1), ('b', 2), ('a', 3)", (0, 3)),
            (
                "WITH a AS (SELECT k, sum(n) AS s FROM t GROUP BY k), b AS MATERIALIZED (SELECT max(s) AS m FROM a), c AS NOT MATERIALIZED (SELECT k FROM a, b WHERE s = m) SELECT * FROM c",
                (11, 0),
            ),
        ],
    ];
    for case in cases {
        let statements: Vec<&str> = case.iter().map(|(sql, _)| *sql).collect();
        let got = counted(&statements);
        for ((sql, want), got) in case.iter().zip(got) {
            assert_eq!(got, *want, "{sql}");
        }
    }
}

/// Counts D1 measured (conformance scenarios `writes/ddl_drop_column_rows`,
/// `constraints/unique_variants`, `constraints/partial_index_rows`,
/// `upsert/composite_and_partial_targets`, `aggregate/group_concat_and_string_agg`):
/// `DROP COLUMN` writes each row of its table again; a partial index gets entries
/// only for the rows its `WHERE` takes, as it is built and as rows are inserted; an
/// aggregate's `ORDER BY` reads its temporary table once per group.
#[test]
fn counts_rewrites_partial_indexes_and_ordered_aggregates() {
    let cases: [&[(&str, (u64, u64))]; 5] = [
        &[
            ("CREATE TABLE t (a, b, c)", (1, 2)),
            (
                "INSERT INTO t VALUES (1, 2, 3), (4, 5, 6), (7, 8, 9)",
                (0, 3),
            ),
            ("ALTER TABLE t DROP COLUMN b", (15, 5)),
            ("CREATE TABLE e (a, b)", (1, 2)),
            ("ALTER TABLE e DROP COLUMN b", (19, 3)),
            ("CREATE INDEX t_a ON t(a)", (8, 4)),
            ("ALTER TABLE t DROP COLUMN c", (27, 7)),
        ],
        &[
            (
                "CREATE TABLE t (a, b, c COLLATE NOCASE UNIQUE, UNIQUE (a, b))",
                (1, 4),
            ),
            ("INSERT INTO t VALUES (1, 1, 'x')", (0, 3)),
            (
                "INSERT INTO t VALUES (1, NULL, 'p'), (1, NULL, 'q')",
                (0, 6),
            ),
            ("CREATE UNIQUE INDEX t_expr ON t(lower(b || ''))", (8, 4)),
            ("CREATE UNIQUE INDEX t_part ON t(a) WHERE a > 10", (4, 1)),
            ("INSERT INTO t VALUES (9, 100, 'u')", (0, 4)),
        ],
        &[
            ("CREATE TABLE t (a, b, v, PRIMARY KEY (a, b))", (1, 3)),
            ("CREATE UNIQUE INDEX t_v ON t(v) WHERE v > 0", (2, 1)),
            ("INSERT INTO t VALUES (1, 1, 1), (1, 2, -1)", (0, 5)),
        ],
        &[
            ("CREATE TABLE t (a, b)", (1, 2)),
            ("CREATE INDEX t_none ON t(a) WHERE a > 0", (2, 1)),
            (
                "INSERT INTO t VALUES (1, 1), (2, 2), (11, 3), (12, 4), (13, 5), (3, 6)",
                (0, 12),
            ),
            ("CREATE INDEX t0 ON t(a) WHERE a > 100", (7, 1)),
            ("CREATE INDEX t1 ON t(a) WHERE a > 12", (8, 2)),
            ("CREATE INDEX t3 ON t(b) WHERE a > 10", (11, 4)),
            ("CREATE UNIQUE INDEX t4 ON t(b) WHERE a > 2", (12, 5)),
            ("CREATE INDEX t6 ON t(a, b) WHERE b IS NOT NULL", (14, 7)),
            ("INSERT INTO t VALUES (20, 7)", (0, 6)),
            ("INSERT INTO t VALUES (0, 8)", (0, 2)),
            ("INSERT INTO t VALUES (0, 9), (30, 10), (1, NULL)", (0, 10)),
            ("UPDATE t SET b = NULL WHERE rowid = 2", (1, 1)),
            ("UPDATE t SET a = 0 WHERE rowid = 3", (1, 2)),
        ],
        &[
            ("CREATE TABLE t (g TEXT, n INTEGER, r REAL, s TEXT)", (1, 2)),
            (
                "INSERT INTO t VALUES ('a', 1, 1.5, 'x'), ('a', 2, NULL, 'y'), ('a', 2, 2.5, NULL), ('b', NULL, NULL, 'z'), ('b', 5, -1, 'x'), ('c', NULL, NULL, NULL)",
                (0, 6),
            ),
            (
                "SELECT g, group_concat(s) AS a, group_concat(s, '') AS b, group_concat(DISTINCT s) AS c, string_agg(s, ';') AS d, group_concat(n, '-' ORDER BY n DESC) AS e, string_agg(s, ',' ORDER BY s DESC) AS f FROM t GROUP BY g ORDER BY g",
                (24, 0),
            ),
        ],
    ];
    for case in cases {
        let statements: Vec<&str> = case.iter().map(|(sql, _)| *sql).collect();
        let got = counted(&statements);
        for ((sql, want), got) in case.iter().zip(got) {
            assert_eq!(got, *want, "{sql}");
        }
    }
}

/// Counts D1 measured (conformance scenarios `constraints/fk_on_delete_actions`,
/// `constraints/fk_on_update_actions`, `constraints/fk_errors`,
/// `constraints/fk_cascade_chains_and_changes`,
/// `constraints/fk_actions_on_one_child_and_without_rowid`,
/// `constraints/fk_update_of_parents_some_referred_to`,
/// `constraints/fk_two_keys_of_a_child_alike`) for foreign key actions and
/// checks: several actions, each run once per row the statement changes and reading
/// once per row it changes itself (the update hook tells those apart); a cascade's
/// own cascade; an update of parent keys looking again for rows referring to each
/// that had some; two keys of a child acting alike, sharing the rows the hook
/// reports; `DROP TABLE` deleting the rows first; a self-referencing cascade;
/// a NULL key or one referring to its own row, which looks up no parent.
#[test]
fn counts_foreign_key_actions_as_d1_does() {
    let cases: [&[(&str, (u64, u64))]; 7] = [
        &[
            (
                "CREATE TABLE p (id INTEGER PRIMARY KEY, code TEXT UNIQUE)",
                (1, 3),
            ),
            (
                "INSERT INTO p VALUES (1, 'a'), (2, 'b'), (3, 'c'), (4, 'd')",
                (4, 8),
            ),
            (
                "CREATE TABLE two (x REFERENCES p(code) ON UPDATE SET NULL, y REFERENCES p(code) ON UPDATE SET NULL)",
                (1, 2),
            ),
            (
                "INSERT INTO two VALUES ('a', 'a'), ('b', 'a'), (NULL, 'b'), ('c', 'd')",
                (0, 4),
            ),
            ("UPDATE p SET code = 's' WHERE id = 1", (31, 5)),
            ("UPDATE p SET code = 'e' WHERE id = 2", (29, 4)),
            ("UPDATE p SET code = code || 'z'", (102, 10)),
            (
                "CREATE TABLE m (s REFERENCES p(id) ON DELETE CASCADE, r REFERENCES p(id) ON DELETE CASCADE)",
                (1, 2),
            ),
            (
                "INSERT INTO m VALUES (1, 2), (2, 1), (3, 3), (1, 1), (4, 3)",
                (10, 5),
            ),
            ("DELETE FROM p WHERE id = 1", (36, 4)),
        ],
        &[
            (
                "CREATE TABLE p (id INTEGER PRIMARY KEY, code TEXT UNIQUE)",
                (1, 3),
            ),
            (
                "CREATE TABLE k (code REFERENCES p(code) ON UPDATE CASCADE)",
                (1, 2),
            ),
            (
                "CREATE TABLE n (code REFERENCES p(code) ON UPDATE SET NULL)",
                (1, 2),
            ),
            (
                "INSERT INTO p VALUES (1, 'a'), (2, 'b'), (3, 'c'), (4, 'd')",
                (4, 8),
            ),
            ("INSERT INTO k VALUES ('a'), ('a'), ('c')", (0, 3)),
            ("INSERT INTO n VALUES ('c')", (0, 1)),
            ("UPDATE p SET code = code || 'x'", (65, 12)),
        ],
        &[
            (
                "CREATE TABLE p (id INTEGER PRIMARY KEY, code TEXT UNIQUE)",
                (1, 3),
            ),
            (
                "CREATE TABLE cascade (pid REFERENCES p(id) ON DELETE CASCADE)",
                (1, 2),
            ),
            (
                "CREATE TABLE setnull (pid REFERENCES p(id) ON DELETE SET NULL)",
                (1, 2),
            ),
            (
                "CREATE TABLE setdefault (pid DEFAULT 2 REFERENCES p(id) ON DELETE SET DEFAULT)",
                (1, 2),
            ),
            (
                "CREATE TABLE restrict (pid REFERENCES p(id) ON DELETE RESTRICT)",
                (1, 2),
            ),
            (
                "INSERT INTO p (id, code) VALUES (1, 'a'), (2, 'b'), (3, 'c')",
                (3, 6),
            ),
            ("INSERT INTO cascade VALUES (1), (1)", (2, 2)),
            ("INSERT INTO setnull VALUES (1)", (1, 1)),
            ("INSERT INTO setdefault VALUES (1)", (1, 1)),
            ("INSERT INTO restrict VALUES (3)", (1, 1)),
            ("DELETE FROM p WHERE id = 1", (22, 5)),
        ],
        &[
            (
                "CREATE TABLE p (id INTEGER PRIMARY KEY, code TEXT UNIQUE)",
                (1, 3),
            ),
            (
                "CREATE TABLE c1 (code REFERENCES p(code) ON UPDATE CASCADE)",
                (1, 2),
            ),
            (
                "CREATE TABLE c2 (code REFERENCES p(code) ON UPDATE SET NULL)",
                (1, 2),
            ),
            (
                "CREATE TABLE c3 (code REFERENCES p(code) ON UPDATE NO ACTION)",
                (1, 2),
            ),
            ("INSERT INTO p (id, code) VALUES (1, 'a'), (2, 'b')", (2, 4)),
            ("INSERT INTO c1 VALUES ('a')", (0, 1)),
            ("INSERT INTO c2 VALUES ('a')", (0, 1)),
            ("INSERT INTO c3 VALUES ('b')", (0, 1)),
            ("UPDATE p SET code = 'A' WHERE id = 1", (13, 4)),
        ],
        &[
            ("CREATE TABLE a (id INTEGER PRIMARY KEY)", (1, 2)),
            (
                "CREATE TABLE b (id INTEGER PRIMARY KEY, a_id REFERENCES a(id) ON DELETE CASCADE)",
                (1, 2),
            ),
            (
                "CREATE TABLE c (id INTEGER PRIMARY KEY, b_id REFERENCES b(id) ON DELETE CASCADE)",
                (1, 2),
            ),
            ("INSERT INTO a VALUES (1), (2)", (2, 2)),
            ("INSERT INTO b VALUES (10, 1), (11, 1), (12, 2)", (6, 3)),
            (
                "INSERT INTO c VALUES (100, 10), (101, 11), (102, 11), (103, 12)",
                (8, 4),
            ),
            ("DELETE FROM a WHERE id = 1", (31, 6)),
            ("DROP TABLE a", (14, 3)),
        ],
        &[
            ("CREATE TABLE p (id INTEGER PRIMARY KEY)", (1, 2)),
            (
                "CREATE TABLE two (a REFERENCES p(id) ON DELETE CASCADE, b REFERENCES p(id) ON DELETE SET NULL)",
                (1, 2),
            ),
            (
                "CREATE TABLE w (k INTEGER PRIMARY KEY, pid REFERENCES p(id) ON DELETE CASCADE) WITHOUT ROWID",
                (1, 2),
            ),
            (
                "CREATE TABLE x (pid REFERENCES p(id) ON DELETE SET NULL)",
                (1, 2),
            ),
            ("INSERT INTO p VALUES (1), (2), (3)", (3, 3)),
            ("INSERT INTO two VALUES (1, 2), (2, 1), (3, 3)", (6, 3)),
            ("INSERT INTO w VALUES (1, 1), (2, 2)", (2, 2)),
            ("INSERT INTO x VALUES (1), (2)", (2, 2)),
            ("DELETE FROM p WHERE id = 1", (32, 5)),
            (
                "CREATE TABLE tree (id INTEGER PRIMARY KEY, up REFERENCES tree(id) ON DELETE CASCADE)",
                (1, 2),
            ),
            (
                "INSERT INTO tree VALUES (1, NULL), (2, 1), (3, 2), (4, 1)",
                (7, 4),
            ),
            ("DELETE FROM tree WHERE id = 1", (24, 4)),
        ],
        &[
            (
                "CREATE TABLE self (id INTEGER PRIMARY KEY, parent REFERENCES self(id))",
                (1, 2),
            ),
            ("INSERT INTO self VALUES (1, NULL), (2, 1), (3, 3)", (4, 3)),
        ],
    ];
    for case in cases {
        let statements: Vec<&str> = case.iter().map(|(sql, _)| *sql).collect();
        let got = counted(&statements);
        for ((sql, want), got) in case.iter().zip(got) {
            assert_eq!(got, *want, "{sql}");
        }
    }
}

/// Counts D1 measured (conformance scenarios `pragma/recursive_triggers_effect`,
/// `returning/with_triggers_and_defaults`, `trigger/errors_at_run_time_and_changes`,
/// `cte/tree_traversal`, `trigger/chains_and_when_per_row`,
/// `trigger/multi_row_changes`, `trigger/touch_and_replace`,
/// `trigger/one_trigger_run_from_two_statements`): trigger programs run once per row
/// and per statement that runs them (their seeks and scans with them), a trigger's
/// row written without the statement's index entries, whether a `REPLACE` met a row
/// in its way told by the instructions its triggers ran too (an equality seek that
/// finds its key skips the range test after it), a `WHEN` that held for some rows
/// only and the rows a `DELETE` found (the changes tell how many, the triggers'
/// taken away), a recursive query computed once for an `IN` (its loop runs all the
/// same), the seek on the NULL link that ends a chain, which reads nothing, and the
/// triggers of the branch an upsert of one row took.
#[test]
fn counts_trigger_programs_and_recursive_queries() {
    let cases: [&[(&str, (u64, u64))]; 8] = [
        &[
            ("CREATE TABLE t (n INTEGER)", (1, 2)),
            (
                "CREATE TRIGGER again AFTER INSERT ON t WHEN new.n < 5 BEGIN INSERT INTO t VALUES (new.n + 1); END",
                (0, 1),
            ),
            ("INSERT INTO t VALUES (1)", (0, 2)),
            ("PRAGMA recursive_triggers = 1", (0, 0)),
            ("INSERT INTO t VALUES (1)", (0, 5)),
            ("CREATE TABLE r (k PRIMARY KEY, v)", (1, 3)),
            (
                "CREATE TRIGGER gone AFTER DELETE ON r BEGIN INSERT INTO t VALUES (100); END",
                (0, 1),
            ),
            ("INSERT INTO r VALUES (1, 'a')", (0, 2)),
            ("INSERT OR REPLACE INTO r VALUES (1, 'b')", (2, 3)),
        ],
        &[
            (
                "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT DEFAULT 'dflt', changed INTEGER DEFAULT 0)",
                (1, 2),
            ),
            ("CREATE TABLE log (msg)", (1, 2)),
            (
                "CREATE TRIGGER bump AFTER INSERT ON t BEGIN UPDATE t SET changed = 1 WHERE id = new.id; INSERT INTO log VALUES ('ins ' || new.id); END",
                (0, 1),
            ),
            (
                "CREATE TRIGGER before_upd BEFORE UPDATE ON t BEGIN INSERT INTO log VALUES ('upd ' || old.v); END",
                (0, 1),
            ),
            (
                "INSERT INTO t (id) VALUES (1), (2) RETURNING id, v, changed",
                (10, 8),
            ),
        ],
        &[
            ("CREATE TABLE t (id INTEGER PRIMARY KEY, v)", (1, 2)),
            ("CREATE TABLE log (msg)", (1, 2)),
            (
                "CREATE TRIGGER tr2 AFTER INSERT ON t BEGIN INSERT INTO log VALUES (new.v); INSERT INTO log VALUES (new.v * 2); DELETE FROM log WHERE msg = 0; END",
                (0, 1),
            ),
            ("INSERT INTO t (v) VALUES (1), (0)", (8, 8)),
        ],
        &[
            ("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)", (1, 2)),
            ("CREATE TABLE log (msg)", (1, 2)),
            (
                "CREATE TRIGGER td AFTER DELETE ON t BEGIN INSERT INTO log VALUES ('del ' || old.v); END",
                (0, 1),
            ),
            (
                "CREATE TRIGGER tu AFTER UPDATE ON t BEGIN INSERT INTO log VALUES ('upd ' || old.v); END",
                (0, 1),
            ),
            (
                "INSERT INTO t (v) VALUES ('a'), ('b'), ('c'), ('d')",
                (0, 4),
            ),
            ("UPDATE t SET v = v || '!' WHERE id IN (1, 2)", (8, 4)),
            ("UPDATE t SET v = v || '?' WHERE v > 'b'", (10, 6)),
            ("DELETE FROM t WHERE id IN (1, 3)", (6, 4)),
            ("DELETE FROM t WHERE v = 'd?'", (3, 2)),
        ],
        &[
            ("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)", (1, 2)),
            (
                "CREATE TABLE log (id INTEGER PRIMARY KEY, msg TEXT)",
                (1, 2),
            ),
            (
                "CREATE TABLE seen (k INTEGER PRIMARY KEY, n INTEGER)",
                (1, 2),
            ),
            ("INSERT INTO seen VALUES (1, 0)", (1, 1)),
            (
                "CREATE TRIGGER twice AFTER INSERT ON t BEGIN INSERT INTO log (msg) VALUES ('a ' || new.v); INSERT INTO log (msg) VALUES ('b ' || new.v); END",
                (0, 1),
            ),
            (
                "CREATE TRIGGER count_log AFTER INSERT ON log BEGIN UPDATE seen SET n = n + 1 WHERE k = 1; END",
                (0, 1),
            ),
            ("INSERT INTO t (v) VALUES ('x'), ('y')", (6, 10)),
            ("INSERT INTO t (v) VALUES ('z')", (2, 5)),
        ],
        &[
            (
                "CREATE TABLE doc (id INTEGER PRIMARY KEY, slug TEXT UNIQUE, body TEXT, edits INTEGER DEFAULT 0)",
                (1, 3),
            ),
            ("CREATE TABLE stats (k TEXT PRIMARY KEY, n INTEGER)", (1, 3)),
            ("INSERT INTO stats VALUES ('docs', 0)", (0, 2)),
            (
                "CREATE TRIGGER touch AFTER UPDATE OF body ON doc BEGIN UPDATE doc SET edits = edits + 1 WHERE id = new.id; END",
                (0, 1),
            ),
            (
                "CREATE TRIGGER counted AFTER INSERT ON doc BEGIN UPDATE stats SET n = n + 1 WHERE k = 'docs'; END",
                (0, 1),
            ),
            (
                "INSERT INTO doc (slug, body) VALUES ('a', 'x'), ('b', 'y'), ('c', 'z')",
                (6, 9),
            ),
            ("UPDATE doc SET body = body || '!'", (12, 6)),
            ("UPDATE doc SET body = 'new' WHERE slug = 'b'", (2, 2)),
            (
                "INSERT OR REPLACE INTO doc (id, slug, body) VALUES (1, 'a2', 'r')",
                (2, 3),
            ),
            (
                "INSERT INTO doc (slug, body) VALUES ('b', 'up') ON CONFLICT (slug) DO UPDATE SET body = excluded.body",
                (2, 2),
            ),
            (
                "INSERT INTO doc (slug, body) VALUES ('e', 'new') ON CONFLICT (slug) DO UPDATE SET body = excluded.body",
                (1, 3),
            ),
        ],
        &[
            ("CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER)", (1, 2)),
            ("CREATE TABLE log (msg)", (1, 2)),
            ("CREATE TABLE tally (k TEXT PRIMARY KEY, c INTEGER)", (1, 3)),
            ("INSERT INTO tally VALUES ('big', 0), ('log', 0)", (0, 4)),
            (
                "CREATE TRIGGER big AFTER INSERT ON t WHEN new.n > 10 BEGIN INSERT INTO log VALUES ('big ' || new.n); UPDATE tally SET c = c + 1 WHERE k = 'big'; END",
                (0, 1),
            ),
            (
                "CREATE TRIGGER logged AFTER INSERT ON log BEGIN UPDATE tally SET c = c + 1 WHERE k = 'log'; END",
                (0, 1),
            ),
            ("INSERT INTO t (n) VALUES (5), (50), (7), (70)", (8, 10)),
            ("INSERT INTO t (n) VALUES (99)", (2, 4)),
            (
                "INSERT INTO t (n) SELECT n + 1 FROM t WHERE n > 60",
                (11, 8),
            ),
            ("INSERT INTO t (n) VALUES (3)", (0, 1)),
            ("UPDATE tally SET c = 0", (2, 2)),
            (
                "CREATE TABLE box (id INTEGER PRIMARY KEY, n INTEGER)",
                (1, 2),
            ),
            (
                "CREATE TRIGGER boxed AFTER INSERT ON box WHEN new.n > 10 BEGIN UPDATE t SET n = n + 1 WHERE id = 1; END",
                (0, 1),
            ),
            ("INSERT INTO box VALUES (1, 5)", (1, 1)),
            ("INSERT INTO box VALUES (2, 50)", (2, 2)),
        ],
        &[
            (
                "CREATE TABLE node (id INTEGER PRIMARY KEY, parent INTEGER, name TEXT)",
                (1, 2),
            ),
            (
                "INSERT INTO node VALUES (1, NULL, 'root'), (2, 1, 'a'), (3, 1, 'b'), (4, 2, 'a1'), (5, 4, 'a1x'), (6, 3, 'b1')",
                (6, 6),
            ),
            (
                "WITH RECURSIVE up(id, parent) AS (SELECT id, parent FROM node WHERE id = 5 UNION ALL SELECT n.id, n.parent FROM node n JOIN up ON n.id = up.parent) SELECT group_concat(id, '<') AS chain FROM up",
                (9, 0),
            ),
            (
                "WITH RECURSIVE sub(id) AS (SELECT 2 UNION ALL SELECT n.id FROM node n, sub WHERE n.parent = sub.id) DELETE FROM node WHERE id IN sub RETURNING id",
                (28, 3),
            ),
        ],
    ];
    for case in cases {
        let statements: Vec<&str> = case.iter().map(|(sql, _)| *sql).collect();
        let got = counted(&statements);
        for ((sql, want), got) in case.iter().zip(got) {
            assert_eq!(got, *want, "{sql}");
        }
    }
}

/// Counts D1 measured (conformance scenarios `window/frames`,
/// `window/partitions_and_value_functions`, `window/aggregates_with_filter`,
/// `window/in_subqueries_and_ctes`, `errors/window_misuse`) for windows: the
/// functions that read another row (`lag`, a frame scanned row by row) read once per
/// row of the window's input, not of what the statement returns; a window in a
/// subquery made into an index once runs once; a window over partitions reads its
/// table once more per partition; `nth_value` reads only where the frame has its
/// row; `max()` over a moving frame reads its index once per row and once per row
/// leaving the frame.
#[test]
fn counts_windows_as_d1_does() {
    let scores: [(&str, (u64, u64)); 2] = [
        (
            "CREATE TABLE s (id INTEGER PRIMARY KEY, team TEXT, pts INTEGER)",
            (1, 2),
        ),
        (
            "INSERT INTO s (team, pts) VALUES ('a', 10), ('a', 20), ('a', 20), ('b', 5), \
             ('b', 15), ('c', 30)",
            (0, 6),
        ),
    ];
    let cases: [&[(&str, (u64, u64))]; 2] = [
        &[
            (
                "SELECT id, sum(pts) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) AS r3, \
                 sum(pts) OVER (ORDER BY pts RANGE BETWEEN 5 PRECEDING AND CURRENT ROW) AS rng, \
                 sum(pts) OVER (ORDER BY pts GROUPS BETWEEN 1 PRECEDING AND CURRENT ROW) AS grp, \
                 count(*) OVER (ORDER BY id ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS rest, \
                 sum(pts) OVER (ORDER BY id ROWS UNBOUNDED PRECEDING EXCLUDE CURRENT ROW) AS before, \
                 sum(pts) OVER (ORDER BY pts RANGE UNBOUNDED PRECEDING EXCLUDE TIES) AS ties, \
                 sum(pts) OVER (ORDER BY pts ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING EXCLUDE GROUP) AS grp_ex \
                 FROM s ORDER BY id",
                (231, 0),
            ),
            (
                "SELECT id, team, pts, lag(pts) OVER p AS prev, lead(pts, 1, -1) OVER p AS next, \
                 first_value(pts) OVER p AS first, last_value(pts) OVER p AS last_so_far, \
                 nth_value(pts, 2) OVER p AS second, sum(pts) OVER (PARTITION BY team) AS team_total, \
                 row_number() OVER (PARTITION BY team ORDER BY pts DESC, id) AS place \
                 FROM s WINDOW p AS (PARTITION BY team ORDER BY id) ORDER BY id",
                (125, 0),
            ),
            (
                "SELECT id, count(*) FILTER (WHERE pts > 10) OVER (ORDER BY id) AS big_so_far, \
                 avg(pts) OVER (PARTITION BY team) AS team_avg, \
                 max(pts) OVER (ORDER BY id ROWS 2 PRECEDING) AS recent_max, \
                 group_concat(pts, '+') OVER (PARTITION BY team ORDER BY id) AS gc, \
                 total(pts) FILTER (WHERE team <> 'a') OVER () AS not_a FROM s ORDER BY id",
                (114, 0),
            ),
            (
                "SELECT team, pts FROM (SELECT team, pts, row_number() OVER (PARTITION BY team \
                 ORDER BY pts DESC, id) AS rn FROM s) WHERE rn = 1 ORDER BY team",
                (31, 0),
            ),
            (
                "WITH ranked AS (SELECT id, pts, pts - lag(pts, 1, pts) OVER (ORDER BY id) AS delta \
                 FROM s) SELECT id, delta FROM ranked WHERE delta <> 0 ORDER BY id",
                (29, 0),
            ),
            (
                "UPDATE s SET pts = (SELECT r FROM (SELECT id, rank() OVER (ORDER BY pts) AS r FROM s) x \
                 WHERE x.id = s.id)",
                (37, 6),
            ),
        ],
        &[
            ("CREATE TABLE t (a)", (1, 2)),
            ("INSERT INTO t VALUES (1), (2)", (0, 2)),
            (
                "SELECT lag(a, -1) OVER (ORDER BY a) AS l FROM t ORDER BY a",
                (11, 0),
            ),
        ],
    ];
    for (i, case) in cases.into_iter().enumerate() {
        let setup: &[(&str, (u64, u64))] = if i == 0 { &scores } else { &[] };
        let statements: Vec<&str> = setup.iter().chain(case).map(|(sql, _)| *sql).collect();
        let got = counted(&statements);
        for ((sql, want), got) in setup.iter().chain(case).zip(got) {
            assert_eq!(got, *want, "{sql}");
        }
    }
}

/// `Database::counted` sums every call's counters: a point lookup through
/// `first()`, whose meta nobody reads, and each statement of a batch included.
#[test]
fn a_counted_database_sums_every_call() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let db = Database::counted(SqliteBackend::open_in_memory().expect("open"));
        db.prepare("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)")
            .run()
            .await
            .expect("create");
        assert_eq!((db.rows_read(), db.rows_written()), (1, 2));
        db.prepare("INSERT INTO t (name) VALUES ('a'), ('b'), ('c')")
            .run()
            .await
            .expect("insert");
        assert_eq!(db.rows_written(), 5);
        let before = db.rows_read();
        let row = db
            .prepare("SELECT name FROM t WHERE id = ?")
            .bind(2)
            .first::<serde_json::Value>()
            .await
            .expect("first");
        assert_eq!(row, Some(serde_json::json!({"name": "b"})));
        assert_eq!(db.rows_read() - before, 1);
        let before = db.rows_read();
        db.batch([
            db.prepare("SELECT * FROM t"),
            db.prepare("SELECT * FROM t WHERE id = 1"),
        ])
        .await
        .expect("batch");
        assert_eq!(db.rows_read() - before, 4);
        // A session adds to the same totals.
        let session = db.with_session("first-primary").expect("session");
        session
            .prepare("SELECT * FROM t")
            .all::<serde_json::Value>()
            .await
            .expect("all");
        assert_eq!(db.rows_read() - before, 7);
    });
}
