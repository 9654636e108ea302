//! Scenarios of what D1's engine allows and refuses: each PRAGMA of its allow-list,
//! the common ones it refuses, every construct its authorizer refuses, and SQLite's
//! errors in D1's exact words.

use crate::runner::*;

pub fn list(v: &mut Vec<Scenario>) {
    allowed_pragmas(v);
    refused_pragmas(v);
    authorizer(v);
    errors(v);
}

// ---------------------------------------------------------------------------------
// The PRAGMAs D1 allows
// ---------------------------------------------------------------------------------

fn allowed_pragmas(v: &mut Vec<Scenario>) {
    v.push(sc(
        "pragma/table_list_of_every_kind",
        vec![
            run("CREATE TABLE plain (a)"),
            run("CREATE TABLE strict_t (a INTEGER) STRICT"),
            run("CREATE TABLE wr (k TEXT PRIMARY KEY, v) WITHOUT ROWID"),
            run("CREATE VIEW v AS SELECT a FROM plain"),
            run("CREATE VIRTUAL TABLE f USING fts5(body)"),
            all("PRAGMA table_list"),
            all("PRAGMA table_list(wr)"),
            all("PRAGMA main.table_list"),
            all(
                "SELECT name, type, ncol, wr, strict FROM pragma_table_list WHERE schema = 'main' \
                 AND name NOT LIKE 'sqlite%' ORDER BY name",
            ),
        ],
    ));
    v.push(sc(
        "pragma/table_info_columns",
        vec![
            run(
                "CREATE TABLE t (a INTEGER NOT NULL DEFAULT 7, b VARCHAR(10) DEFAULT 'x', \
                 c REAL DEFAULT (1 + 2), d, e BLOB DEFAULT x'00', PRIMARY KEY (b, a))",
            ),
            run("CREATE VIEW v AS SELECT a, b || 'y' AS by FROM t"),
            all("PRAGMA table_info(t)"),
            all("PRAGMA table_info(v)"),
            all("PRAGMA table_info('t')"),
            all("PRAGMA main.table_info(\"t\")"),
            all("pragma TABLE_INFO(t)"),
            all("PRAGMA table_info(sqlite_master)"),
            all("PRAGMA table_info(nope)"),
        ],
    ));
    v.push(sc(
        "pragma/table_xinfo_hidden_columns",
        vec![
            run("CREATE TABLE t (a INTEGER, v AS (a * 2), s INTEGER GENERATED ALWAYS AS (a + 1) STORED)"),
            run("CREATE VIRTUAL TABLE f USING fts5(title, body)"),
            all("PRAGMA table_xinfo(t)"),
            all("PRAGMA table_info(t)"),
            all("PRAGMA table_xinfo(f)"),
            all("SELECT name, hidden FROM pragma_table_xinfo('t') ORDER BY cid"),
        ],
    ));
    v.push(
        sc(
            "pragma/index_list_origins",
            vec![
                run("CREATE TABLE t (id INTEGER PRIMARY KEY, u TEXT UNIQUE, a, b)"),
                run("CREATE INDEX t_a ON t(a)"),
                run("CREATE UNIQUE INDEX t_ab ON t(a, b)"),
                run("CREATE INDEX t_partial ON t(b) WHERE b IS NOT NULL"),
                run("CREATE TABLE k (x TEXT PRIMARY KEY, y)"),
                run("CREATE TABLE w (x, y, PRIMARY KEY (x, y)) WITHOUT ROWID"),
                all("PRAGMA index_list(t)"),
                all("PRAGMA index_list(k)"),
                all("PRAGMA index_list(w)"),
                all("PRAGMA index_list(nope)"),
                all("SELECT name, origin, \"unique\", partial FROM pragma_index_list('t') ORDER BY name"),
            ],
        ),
    );
    v.push(sc(
        "pragma/index_info_and_xinfo",
        vec![
            run("CREATE TABLE t (a, b TEXT, c, UNIQUE (c))"),
            run("CREATE INDEX t_ba ON t(b COLLATE NOCASE DESC, a)"),
            run("CREATE INDEX t_expr ON t(a + 1, lower(b))"),
            all("PRAGMA index_info(t_ba)"),
            all("PRAGMA index_xinfo(t_ba)"),
            all("PRAGMA index_info(t_expr)"),
            all("PRAGMA index_xinfo(t_expr)"),
            all("PRAGMA index_info(sqlite_autoindex_t_1)"),
            all("PRAGMA index_info(nope)"),
        ],
    ));
    v.push(sc(
        "pragma/foreign_key_list_actions",
        vec![
            run("CREATE TABLE p (id INTEGER PRIMARY KEY, a, b, UNIQUE (a, b))"),
            run("CREATE TABLE c (id INTEGER PRIMARY KEY, \
                 pid INTEGER REFERENCES p(id) ON DELETE CASCADE ON UPDATE SET NULL, \
                 x, y, \
                 q INTEGER REFERENCES p ON DELETE SET DEFAULT DEFERRABLE INITIALLY DEFERRED, \
                 FOREIGN KEY (x, y) REFERENCES p(a, b) ON DELETE RESTRICT MATCH SIMPLE)"),
            all("PRAGMA foreign_key_list(c)"),
            all("PRAGMA foreign_key_list(p)"),
            all(
                "SELECT id, seq, \"table\", \"from\", \"to\", on_update, on_delete FROM \
                 pragma_foreign_key_list('c') ORDER BY id, seq",
            ),
        ],
    ));
    v.push(sc(
        "pragma/foreign_key_check_forms",
        vec![
            run("CREATE TABLE p (id INTEGER PRIMARY KEY)"),
            run("CREATE TABLE c (id INTEGER PRIMARY KEY, pid REFERENCES p(id))"),
            run("INSERT INTO p VALUES (1)"),
            run("INSERT INTO c VALUES (1, 1)"),
            all("PRAGMA foreign_key_check"),
            all("PRAGMA foreign_key_check(c)"),
            all("PRAGMA main.foreign_key_check(c)"),
            all("PRAGMA foreign_key_check(nope)"),
            all("SELECT count(*) AS n FROM pragma_foreign_key_check"),
        ],
    ));
    v.push(sc(
        "pragma/quick_check_forms",
        vec![
            run("CREATE TABLE t (a UNIQUE, b)"),
            run("INSERT INTO t VALUES (1, 2), (3, 4)"),
            all("PRAGMA quick_check"),
            all("PRAGMA quick_check(1)"),
            all("PRAGMA quick_check(t)"),
            all("PRAGMA main.quick_check"),
            all("SELECT * FROM pragma_quick_check"),
        ],
    ));
    v.push(sc(
        "pragma/optimize_forms",
        vec![
            run("CREATE TABLE t (a)"),
            run("CREATE INDEX ta ON t(a)"),
            run("INSERT INTO t VALUES (1), (2), (3)"),
            all("PRAGMA optimize"),
            all("PRAGMA optimize(0x02)"),
            all("PRAGMA optimize = 0x10002"),
            all("PRAGMA main.optimize"),
            all("SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite_stat%' ORDER BY name"),
        ],
    ));
    v.push(sc(
        "pragma/data_version_is_read_only",
        vec![
            run("CREATE TABLE t (a)"),
            all("SELECT typeof(data_version) AS t FROM pragma_data_version"),
            run("INSERT INTO t VALUES (1)"),
            all("SELECT count(*) AS n FROM pragma_data_version"),
            all("PRAGMA data_version = 1"),
            all("PRAGMA main.data_version = 1"),
        ],
    ));
    v.push(sc(
        "pragma/page_size_forms",
        vec![
            all("PRAGMA page_size"),
            all("PRAGMA main.page_size"),
            all("SELECT page_size FROM pragma_page_size"),
            all("PRAGMA page_size = 4096"),
            all("PRAGMA page_size = 65536"),
            all("PRAGMA page_size"),
        ],
    ));
    v.push(sc(
        "pragma/case_sensitive_like_effects",
        vec![
            run("CREATE TABLE t (s TEXT)"),
            run("INSERT INTO t VALUES ('Apple'), ('apple'), ('APPLE'), ('banana')"),
            all("SELECT count(*) AS n FROM t WHERE s LIKE 'apple'"),
            all("SELECT count(*) AS n FROM t WHERE s GLOB 'apple'"),
            run("PRAGMA case_sensitive_like = 1"),
            all("SELECT count(*) AS n FROM t WHERE s LIKE 'apple'"),
            all("SELECT count(*) AS n FROM t WHERE s LIKE 'a%'"),
            run("PRAGMA case_sensitive_like = false"),
            all("SELECT count(*) AS n FROM t WHERE s LIKE 'a%'"),
            all("PRAGMA case_sensitive_like"),
        ],
    ));
    v.push(sc(
        "pragma/defer_foreign_keys_get_and_set",
        vec![
            run("CREATE TABLE p (id INTEGER PRIMARY KEY)"),
            run("CREATE TABLE c (pid INTEGER REFERENCES p(id))"),
            run("PRAGMA defer_foreign_keys = ON"),
            first_col("PRAGMA defer_foreign_keys", "defer_foreign_keys"),
            run("INSERT INTO c VALUES (1)"),
            batch(vec![
                stmt("PRAGMA defer_foreign_keys = true"),
                stmt("PRAGMA defer_foreign_keys"),
                stmt("INSERT INTO c VALUES (2)"),
                stmt("INSERT INTO p VALUES (2)"),
            ]),
            all("SELECT (SELECT count(*) FROM p) AS p, (SELECT count(*) FROM c) AS c"),
            run("PRAGMA defer_foreign_keys = ON"),
            run("PRAGMA defer_foreign_keys = ON"),
            first_col("PRAGMA defer_foreign_keys", "defer_foreign_keys"),
            all("PRAGMA defer_foreign_keys = ON; SELECT 1 AS one"),
            first_col("PRAGMA defer_foreign_keys", "defer_foreign_keys"),
            run("INSERT INTO c VALUES (3)"),
            first("SELECT count(*) AS n FROM c"),
        ],
    ));
    v.push(sc(
        "pragma/ignore_check_constraints_effect",
        vec![
            run("CREATE TABLE t (a CHECK (a > 0), b INTEGER NOT NULL)"),
            run("INSERT INTO t VALUES (-1, 1)"),
            run("PRAGMA ignore_check_constraints = ON"),
            all("PRAGMA ignore_check_constraints"),
            run("INSERT INTO t VALUES (-1, 1)"),
            run("INSERT INTO t VALUES (1, NULL)"),
            run("PRAGMA ignore_check_constraints = 0"),
            run("INSERT INTO t VALUES (-2, 1)"),
            run("UPDATE t SET a = a - 10"),
            all("SELECT a, b FROM t ORDER BY rowid"),
        ],
    ));
    v.push(sc(
        "pragma/legacy_alter_table_effect",
        vec![
            run("CREATE TABLE a (x)"),
            run("CREATE VIEW va AS SELECT x FROM a"),
            run("PRAGMA legacy_alter_table = ON"),
            all("PRAGMA legacy_alter_table"),
            run("ALTER TABLE a RENAME TO b"),
            all("SELECT name, sql FROM sqlite_master ORDER BY name"),
            run("PRAGMA legacy_alter_table = OFF"),
            run("CREATE TABLE c (y)"),
            run("CREATE VIEW vc AS SELECT y FROM c"),
            run("ALTER TABLE c RENAME TO d"),
            all("SELECT name, sql FROM sqlite_master WHERE name IN ('d', 'vc') ORDER BY name"),
        ],
    ));
    v.push(sc(
        "pragma/recursive_triggers_effect",
        vec![
            run("CREATE TABLE t (n INTEGER)"),
            run(
                "CREATE TRIGGER again AFTER INSERT ON t WHEN new.n < 5 BEGIN \
                 INSERT INTO t VALUES (new.n + 1); END",
            ),
            run("INSERT INTO t VALUES (1)"),
            all("SELECT group_concat(n) AS ns FROM t"),
            run("PRAGMA recursive_triggers = 1"),
            run("INSERT INTO t VALUES (1)"),
            all("SELECT count(*) AS n FROM t"),
            run("CREATE TABLE r (k PRIMARY KEY, v)"),
            run("CREATE TRIGGER gone AFTER DELETE ON r BEGIN INSERT INTO t VALUES (100); END"),
            run("INSERT INTO r VALUES (1, 'a')"),
            run("INSERT OR REPLACE INTO r VALUES (1, 'b')"),
            all("SELECT count(*) AS n FROM t WHERE n = 100"),
            run("PRAGMA recursive_triggers = OFF"),
            run("INSERT OR REPLACE INTO r VALUES (1, 'c')"),
            all("SELECT count(*) AS n FROM t WHERE n = 100"),
        ],
    ));
    v.push(sc(
        "pragma/reverse_unordered_selects_effect",
        vec![
            run("CREATE TABLE t (a)"),
            run("INSERT INTO t VALUES (1), (2), (3)"),
            all("SELECT a FROM t"),
            run("PRAGMA reverse_unordered_selects = ON"),
            all("PRAGMA reverse_unordered_selects"),
            all("SELECT a FROM t"),
            all("SELECT a FROM t ORDER BY a"),
            run("PRAGMA reverse_unordered_selects = OFF"),
            all("SELECT a FROM t"),
        ],
    ));
    v.push(sc(
        "pragma/foreign_keys_forms",
        vec![
            all("PRAGMA foreign_keys"),
            all("PRAGMA main.foreign_keys"),
            all("SELECT * FROM pragma_foreign_keys"),
            run("PRAGMA foreign_keys = 0"),
            run("PRAGMA foreign_keys = false"),
            run("PRAGMA foreign_keys = no"),
            all("PRAGMA foreign_keys"),
            run("PRAGMA foreign_keys = ON"),
            all("PRAGMA foreign_keys"),
        ],
    ));
    v.push(sc(
        "pragma/boolean_values_d1_accepts",
        vec![
            run("PRAGMA recursive_triggers = 2"),
            all("PRAGMA recursive_triggers"),
            run("PRAGMA recursive_triggers = 10"),
            all("PRAGMA recursive_triggers"),
            run("PRAGMA recursive_triggers = 'yes'"),
            all("PRAGMA recursive_triggers"),
            run("PRAGMA recursive_triggers = \"off\""),
            all("PRAGMA recursive_triggers"),
            run("PRAGMA recursive_triggers = -1"),
            run("PRAGMA recursive_triggers = maybe"),
            run("PRAGMA recursive_triggers = 'TRUE'"),
            all("PRAGMA recursive_triggers"),
            run("PRAGMA recursive_triggers = onward"),
            all("PRAGMA recursive_triggers"),
            run("PRAGMA recursive_triggers = 0"),
            run("PRAGMA reverse_unordered_selects = NO"),
            run("PRAGMA foreign_keys = 2"),
            run("PRAGMA case_sensitive_like = 'x'"),
        ],
    ));
    v.push(sc(
        "pragma/object_name_arguments",
        vec![
            run("CREATE TABLE t (a UNIQUE)"),
            all("PRAGMA index_list"),
            all("PRAGMA table_info"),
            all("PRAGMA table_xinfo"),
            all("PRAGMA foreign_key_list"),
            all("PRAGMA index_info"),
            all("PRAGMA index_xinfo"),
            all("PRAGMA foreign_key_check"),
            all("PRAGMA quick_check(-1)"),
            all("PRAGMA quick_check(abc)"),
            all("PRAGMA quick_check(_cf_x)"),
            all("PRAGMA optimize(abc)"),
            all("PRAGMA optimize(-1)"),
            all("PRAGMA optimize = 99999999999"),
            all("PRAGMA table_info(_cf_KV)"),
            all("PRAGMA index_list(_CF_x)"),
            all("PRAGMA foreign_key_check(_cf_x)"),
            all("PRAGMA temp.table_info(t)"),
            all("PRAGMA main.index_list(t)"),
            all("SELECT count(*) AS n FROM pragma_table_info('_cf_KV')"),
        ],
    ));
    v.push(sc(
        "pragma/optimize_analyzes",
        vec![
            run("CREATE TABLE t (a)"),
            run("CREATE INDEX ta ON t(a)"),
            run("INSERT INTO t VALUES (1), (2), (3)"),
            run("PRAGMA optimize"),
            all("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'"),
            run("PRAGMA optimize"),
            all("SELECT tbl, idx, stat FROM sqlite_stat1 ORDER BY tbl, idx"),
        ],
    ));
    v.push(sc(
        "pragma/table_valued_forms_in_joins",
        vec![
            run("CREATE TABLE a (id INTEGER PRIMARY KEY, x TEXT NOT NULL)"),
            run("CREATE TABLE b (id INTEGER PRIMARY KEY, a_id REFERENCES a(id), y UNIQUE)"),
            all(
                "SELECT m.name AS tbl, p.name AS col, p.type, p.pk FROM sqlite_master m \
                 JOIN pragma_table_info(m.name) p WHERE m.type = 'table' ORDER BY m.name, p.cid",
            ),
            all("SELECT m.name AS tbl, i.name AS idx FROM sqlite_master m \
                 JOIN pragma_index_list(m.name) i WHERE m.type = 'table' ORDER BY 1, 2"),
            all("SELECT f.\"table\", f.\"from\" FROM pragma_foreign_key_list('b') f"),
            all("SELECT count(*) AS n FROM pragma_index_info('sqlite_autoindex_b_1')"),
        ],
    ));
}

// ---------------------------------------------------------------------------------
// PRAGMAs D1 refuses
// ---------------------------------------------------------------------------------

fn refused_pragmas(v: &mut Vec<Scenario>) {
    v.push(sc(
        "forbidden/pragmas_of_storage",
        vec![
            all("PRAGMA journal_mode = WAL"),
            all("PRAGMA synchronous"),
            all("PRAGMA synchronous = OFF"),
            all("PRAGMA mmap_size"),
            all("PRAGMA mmap_size = 268435456"),
            all("PRAGMA temp_store = MEMORY"),
            all("PRAGMA wal_checkpoint"),
            all("PRAGMA wal_checkpoint(TRUNCATE)"),
            all("PRAGMA auto_vacuum"),
            all("PRAGMA locking_mode = EXCLUSIVE"),
            all("PRAGMA page_count"),
            all("PRAGMA freelist_count"),
            all("PRAGMA max_page_count = 10"),
            all("PRAGMA incremental_vacuum"),
            all("PRAGMA journal_size_limit"),
            all("PRAGMA secure_delete = ON"),
            all("PRAGMA cache_spill"),
            all("PRAGMA shrink_memory"),
        ],
    ));
    v.push(sc(
        "forbidden/pragmas_of_identity_and_schema",
        vec![
            all("PRAGMA schema_version"),
            all("PRAGMA schema_version = 1"),
            all("PRAGMA application_id"),
            all("PRAGMA application_id = 42"),
            all("PRAGMA encoding"),
            all("PRAGMA encoding = 'UTF-16'"),
            all("PRAGMA user_version = 1"),
            all("PRAGMA collation_list"),
            all("PRAGMA function_list"),
            all("PRAGMA module_list"),
            all("PRAGMA pragma_list"),
            all("PRAGMA writable_schema"),
            all("PRAGMA main.user_version"),
            all("PRAGMA main.journal_mode"),
        ],
    ));
    v.push(sc(
        "forbidden/pragmas_of_the_engine",
        vec![
            all("PRAGMA busy_timeout"),
            all("PRAGMA busy_timeout = 1000"),
            all("PRAGMA threads = 4"),
            all("PRAGMA soft_heap_limit = 1000000"),
            all("PRAGMA hard_heap_limit"),
            all("PRAGMA analysis_limit = 100"),
            all("PRAGMA automatic_index = OFF"),
            all("PRAGMA query_only = ON"),
            all("PRAGMA read_uncommitted = ON"),
            all("PRAGMA trusted_schema"),
            all("PRAGMA cell_size_check = ON"),
            all("PRAGMA count_changes = ON"),
            all("PRAGMA full_column_names = ON"),
            all("PRAGMA short_column_names"),
            all("PRAGMA integrity_check(t)"),
            all("PRAGMA stats"),
            all("PRAGMA cache_size = -2000"),
        ],
    ));
    v.push(sc(
        "forbidden/pragma_table_functions",
        vec![
            all("SELECT * FROM pragma_database_list"),
            all("SELECT * FROM pragma_collation_list"),
            all("SELECT * FROM pragma_module_list"),
            all("SELECT * FROM pragma_pragma_list"),
            all("SELECT * FROM pragma_journal_mode"),
            all("SELECT * FROM pragma_user_version"),
            all("SELECT * FROM pragma_integrity_check"),
            all("SELECT * FROM pragma_schema_version"),
            all("SELECT * FROM pragma_cache_size"),
            all("SELECT 1 AS one WHERE EXISTS (SELECT 1 FROM pragma_encoding)"),
        ],
    ));
    v.push(sc(
        "forbidden/refused_pragmas_in_batch_and_exec",
        vec![
            run("CREATE TABLE t (a)"),
            batch(vec![
                stmt("INSERT INTO t VALUES (1)"),
                stmt("PRAGMA journal_mode = WAL"),
            ]),
            exec("INSERT INTO t VALUES (2)\nPRAGMA synchronous = OFF"),
            all("INSERT INTO t VALUES (3); PRAGMA user_version = 5"),
            all("SELECT count(*) AS n FROM t"),
        ],
    ));
}

// ---------------------------------------------------------------------------------
// What D1's authorizer refuses
// ---------------------------------------------------------------------------------

fn authorizer(v: &mut Vec<Scenario>) {
    v.push(sc(
        "forbidden/temp_objects_however_named",
        vec![
            run("CREATE TABLE t (a)"),
            run("CREATE TEMP TABLE IF NOT EXISTS x (a)"),
            run("CREATE TEMP TABLE x AS SELECT 1 AS a"),
            run("CREATE TABLE temp.x AS SELECT 1 AS a"),
            run("CREATE VIEW temp.v AS SELECT 1 AS a"),
            run("CREATE TRIGGER temp.tr AFTER INSERT ON t BEGIN SELECT 1; END"),
            run("CREATE TEMP INDEX ti ON t(a)"),
            run("DROP TABLE temp.x"),
            all("SELECT * FROM temp.x"),
            all("SELECT * FROM sqlite_temp_master"),
            all("SELECT * FROM temp.sqlite_schema"),
            all("SELECT name FROM sqlite_master ORDER BY name"),
        ],
    ));
    v.push(sc(
        "forbidden/attach_forms",
        vec![
            run("ATTACH 'other.db' AS other"),
            run("ATTACH DATABASE ? AS other").bind(p![":memory:"]),
            run("ATTACH DATABASE '' AS other"),
            run("DETACH other"),
            run("DETACH DATABASE main"),
            all("SELECT * FROM other.t"),
            all("SELECT 1 AS ok"),
        ],
    ));
    v.push(sc(
        "forbidden/virtual_table_modules",
        vec![
            run("CREATE VIRTUAL TABLE a USING fts3(x)"),
            run("CREATE VIRTUAL TABLE b USING fts4aux(x)"),
            run("CREATE VIRTUAL TABLE c USING rtree_i32(id, x0, x1)"),
            run("CREATE VIRTUAL TABLE d USING json_tree"),
            run("CREATE VIRTUAL TABLE e USING sqlite_dbpage"),
            run("CREATE VIRTUAL TABLE f USING generate_series"),
            run("CREATE VIRTUAL TABLE g USING nope(x)"),
            run("CREATE VIRTUAL TABLE h USING geopoly(x)"),
            run("CREATE VIRTUAL TABLE IF NOT EXISTS i USING fts5(x)"),
            run("CREATE VIRTUAL TABLE IF NOT EXISTS i USING fts5(x)"),
            all("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"),
        ],
    ));
    v.push(sc(
        "forbidden/sqlite_reserved_names",
        vec![
            run("CREATE TABLE sqlite_x (a)"),
            run("CREATE TABLE t (a)"),
            run("CREATE INDEX sqlite_autoindex_t_9 ON t(a)"),
            run("DROP TABLE sqlite_master"),
            run("UPDATE sqlite_master SET name = 'x'"),
            run("INSERT INTO sqlite_schema VALUES ('table', 'y', 'y', 0, '')"),
            run("DELETE FROM sqlite_master"),
            run("ALTER TABLE sqlite_master RENAME TO m"),
            run("ALTER TABLE t RENAME TO sqlite_t"),
            run("CREATE VIEW sqlite_v AS SELECT 1"),
            all("SELECT name FROM sqlite_master ORDER BY name"),
        ],
    ));
    v.push(sc(
        "forbidden/shadow_tables_are_read_only",
        vec![
            run("CREATE VIRTUAL TABLE f USING fts5(body)"),
            run("INSERT INTO f (body) VALUES ('hello world')"),
            all("SELECT count(*) AS n FROM f_content"),
            run("INSERT INTO f_data VALUES (99, x'00')"),
            run("DELETE FROM f_content"),
            run("UPDATE f_config SET v = 5"),
            run("DROP TABLE f_docsize"),
            run("CREATE VIRTUAL TABLE r USING rtree(id, x0, x1)"),
            run("INSERT INTO r VALUES (1, 0, 1)"),
            run("DELETE FROM r_node"),
            all("SELECT count(*) AS n FROM r_rowid"),
            all("SELECT body FROM f WHERE f MATCH 'hello'"),
        ],
    ));
    v.push(sc(
        "forbidden/functions_outside_the_allow_list",
        vec![
            all("SELECT json_error_position('[') AS p"),
            all("SELECT json_array_insert('[1]', '$[0]', 2) AS a"),
            all("SELECT fts5_locale('en', 'x') AS l"),
            all("SELECT fts5_insttoken('x') AS t"),
            all("SELECT sqlite_offset(1) AS o"),
            all("SELECT unistr('a') AS u"),
            all(
                "SELECT likelihood(1, 0.5) AS a, likely(1) AS b, unlikely(1) AS c, sign(-3) AS d, \
                     changes() AS e, total_changes() AS f, typeof(random()) AS g",
            ),
            all("SELECT rtreecheck('nope') AS r"),
            all("SELECT json_pretty('[1]') AS p"),
            all("SELECT jsonb_each.value FROM jsonb_each('[1]')"),
            all("SELECT count(*) AS n FROM jsonb_tree('[1]')"),
        ],
    ));
    v.push(sc(
        "forbidden/sqlite_sequence_is_writable",
        vec![
            run("CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, x)"),
            run("INSERT INTO t (x) VALUES ('a')"),
            run("UPDATE sqlite_sequence SET seq = 100 WHERE name = 't'"),
            run("INSERT INTO t (x) VALUES ('b')"),
            run("DELETE FROM sqlite_sequence"),
            run("INSERT INTO t (x) VALUES ('c')"),
            all("SELECT id, x FROM t ORDER BY id"),
            run("DROP TABLE sqlite_sequence"),
        ],
    ));
    v.push(sc(
        "forbidden/functions_in_every_position",
        vec![
            run("CREATE TABLE c (a CHECK (a <> sqlite_source_id()))"),
            run("CREATE VIEW v AS SELECT sqlite_version() AS x"),
            all("SELECT * FROM v"),
            run("CREATE TABLE g (a, b AS (sqlite_version()))"),
            run("CREATE TABLE ok (a)"),
            run("CREATE TRIGGER tr AFTER INSERT ON ok BEGIN SELECT sqlite_version(); END"),
            run("INSERT INTO ok VALUES (1)"),
            all("SELECT 1 AS x WHERE sqlite_version() IS NOT NULL"),
            all("SELECT count(*) AS n FROM ok ORDER BY sqlite_version()"),
            all("SELECT load_extension('x', 'y')"),
            all("SELECT SQLITE_VERSION() AS v"),
            all("SELECT name FROM sqlite_master ORDER BY name"),
        ],
    ));
    v.push(sc(
        "forbidden/cf_names_of_every_object",
        vec![
            run("CREATE VIRTUAL TABLE _cf_f USING fts5(a)"),
            run("CREATE TABLE main._cf_x (a)"),
            run("CREATE TABLE \"_Cf_x\" (a)"),
            run("CREATE TABLE IF NOT EXISTS _cf_y (a)"),
            run("CREATE TABLE _cf_z AS SELECT 1 AS a"),
            run("DROP TABLE _cf_KV"),
            run("DROP TABLE IF EXISTS _cf_KV"),
            run("CREATE TABLE t (a)"),
            run("CREATE VIEW _cf_view AS SELECT * FROM t"),
            run("CREATE TABLE cf_ok (a)"),
            run("CREATE TABLE _cfx (a)"),
            all("SELECT name FROM sqlite_master ORDER BY name"),
        ],
    ));
    v.push(sc(
        "forbidden/transaction_statement_variants",
        vec![
            run("BEGIN DEFERRED"),
            run("BEGIN EXCLUSIVE TRANSACTION"),
            run("COMMIT TRANSACTION"),
            run("END TRANSACTION"),
            run("ROLLBACK TRANSACTION"),
            run("SAVEPOINT \"x\""),
            run("RELEASE SAVEPOINT x"),
            run("ROLLBACK TRANSACTION TO SAVEPOINT x"),
            run("/* x */ BEGIN"),
            run("commit"),
            all("SELECT 1 AS a; COMMIT"),
            all("BEGIN; SELECT 1 AS a"),
        ],
    ));
    v.push(sc(
        "forbidden/vacuum_and_maintenance",
        vec![
            run("CREATE TABLE t (a TEXT)"),
            run("CREATE INDEX ta ON t(a COLLATE NOCASE)"),
            run("INSERT INTO t VALUES ('x'), ('y')"),
            run("VACUUM INTO 'copy.db'"),
            run("VACUUM main"),
            run("REINDEX t"),
            run("REINDEX NOCASE"),
            run("REINDEX ta"),
            run("ANALYZE t"),
            run("ANALYZE main"),
            all("SELECT tbl, idx FROM sqlite_stat1 ORDER BY tbl, idx"),
        ],
    ));
}

// ---------------------------------------------------------------------------------
// Errors' exact text
// ---------------------------------------------------------------------------------

fn errors(v: &mut Vec<Scenario>) {
    v.push(sc(
        "errors/aggregate_misuse",
        vec![
            run("CREATE TABLE t (a, b)"),
            all("SELECT a FROM t WHERE count(*) > 1"),
            all("SELECT count(count(a)) FROM t"),
            all("SELECT a FROM t GROUP BY count(*)"),
            all("SELECT count(DISTINCT a, b) FROM t"),
            all("SELECT a FROM t HAVING a > 1"),
            all("SELECT sum() FROM t"),
            all("SELECT group_concat(a, b, 1) FROM t"),
        ],
    ));
    v.push(sc(
        "errors/unknown_and_ambiguous_names",
        vec![
            run("CREATE TABLE a (id, x)"),
            run("CREATE TABLE b (id, y)"),
            all("SELECT id FROM a, b"),
            all("SELECT a.nope FROM a"),
            all("SELECT c.id FROM a"),
            all("SELECT * FROM a WHERE nope = 1"),
            all("SELECT x FROM a ORDER BY nope"),
            all("SELECT * FROM main.nope"),
            all("SELECT * FROM nope.a"),
            run("INSERT INTO a (nope) VALUES (1)"),
            run("UPDATE a SET nope = 1"),
        ],
    ));
    v.push(sc(
        "errors/values_and_column_counts",
        vec![
            run("CREATE TABLE t (a, b, c)"),
            run("INSERT INTO t VALUES (1, 2)"),
            run("INSERT INTO t (a, b) VALUES (1, 2, 3)"),
            run("INSERT INTO t (a) VALUES (1), (2, 3)"),
            run("INSERT INTO t SELECT 1, 2"),
            all("SELECT (SELECT 1, 2) AS x"),
            all("SELECT 1 IN (SELECT 1, 2)"),
            all("SELECT (1, 2) = 1"),
            all("SELECT (1, 2) AS r"),
            all("VALUES (1, 2), (3)"),
        ],
    ));
    v.push(sc(
        "errors/schema_object_conflicts",
        vec![
            run("CREATE TABLE t (a, a)"),
            run("CREATE TABLE t (a, b)"),
            run("CREATE INDEX i ON t(a)"),
            run("CREATE INDEX i ON t(b)"),
            run("CREATE VIEW t AS SELECT 1"),
            run("CREATE VIEW v AS SELECT 1"),
            run("CREATE VIEW v AS SELECT 2"),
            run("DROP INDEX nope"),
            run("DROP VIEW nope"),
            run("DROP TRIGGER nope"),
            run("DROP VIEW t"),
            run("DROP TABLE v"),
            run("CREATE INDEX j ON nope(a)"),
            run("CREATE INDEX k ON t(nope)"),
            run("CREATE TRIGGER tr AFTER INSERT ON nope BEGIN SELECT 1; END"),
        ],
    ));
    v.push(sc(
        "errors/order_and_group_terms",
        vec![
            run("CREATE TABLE t (a, b)"),
            all("SELECT a FROM t ORDER BY 2"),
            all("SELECT a FROM t ORDER BY 0"),
            all("SELECT a FROM t GROUP BY 3"),
            all("SELECT a FROM t UNION SELECT b FROM t ORDER BY nope"),
            all("SELECT a FROM t UNION SELECT b FROM t ORDER BY 2"),
            all("SELECT a FROM t LIMIT -1"),
            all("SELECT a FROM t LIMIT 1 OFFSET 'x'"),
        ],
    ));
    v.push(sc(
        "errors/window_misuse",
        vec![
            run("CREATE TABLE t (a)"),
            all("SELECT row_number() FROM t"),
            all("SELECT a FROM t WHERE row_number() OVER () > 1"),
            all("SELECT sum(a) OVER w FROM t"),
            all("SELECT ntile(0) OVER (ORDER BY a) FROM t"),
            run("INSERT INTO t VALUES (1), (2)"),
            all("SELECT ntile(0) OVER (ORDER BY a) FROM t"),
            all("SELECT nth_value(a, 0) OVER (ORDER BY a) FROM t"),
            all("SELECT sum(a) OVER (ORDER BY a RANGE 1 PRECEDING) FROM t"),
            all("SELECT sum(a) OVER (RANGE BETWEEN 1 PRECEDING AND CURRENT ROW) FROM t"),
            all("SELECT sum(a) OVER (ROWS -1 PRECEDING) FROM t"),
            all("SELECT lag(a, -1) OVER (ORDER BY a) AS l FROM t ORDER BY a"),
        ],
    ));
    v.push(sc(
        "errors/datatype_mismatch",
        vec![
            run("CREATE TABLE t (id INTEGER PRIMARY KEY, x)"),
            run("INSERT INTO t (id) VALUES ('abc')"),
            run("INSERT INTO t (id) VALUES (1.5)"),
            run("INSERT INTO t (id) VALUES ('7')"),
            run("INSERT INTO t (rowid) VALUES (x'01')"),
            run("UPDATE t SET id = 'z'"),
            all("SELECT id, typeof(id) AS t FROM t"),
            all("SELECT 1 LIMIT 'abc'"),
            all("SELECT 1 LIMIT 1.5"),
        ],
    ));
    v.push(sc(
        "errors/alter_table",
        vec![
            run("CREATE TABLE t (id INTEGER PRIMARY KEY, a, b UNIQUE, c)"),
            run("CREATE INDEX tc ON t(c)"),
            run("ALTER TABLE t DROP COLUMN id"),
            run("ALTER TABLE t DROP COLUMN b"),
            run("ALTER TABLE t DROP COLUMN c"),
            run("ALTER TABLE t DROP COLUMN nope"),
            run("ALTER TABLE t ADD COLUMN d NOT NULL"),
            run("ALTER TABLE t ADD COLUMN e UNIQUE"),
            run("ALTER TABLE t ADD COLUMN f PRIMARY KEY"),
            run("ALTER TABLE t ADD COLUMN g DEFAULT (1 + 1)"),
            run("ALTER TABLE t ADD COLUMN a"),
            run("ALTER TABLE t RENAME COLUMN nope TO x"),
            run("ALTER TABLE t RENAME COLUMN a TO b"),
            run("ALTER TABLE nope RENAME TO x"),
            run("ALTER TABLE t ADD COLUMN h REFERENCES t(id) DEFAULT 1"),
            all("SELECT name FROM pragma_table_info('t') ORDER BY cid"),
        ],
    ));
    v.push(sc(
        "errors/function_arguments_at_run_time",
        vec![
            all("SELECT substr('abc')"),
            all("SELECT likelihood(1, 2)"),
            all("SELECT printf('%s', zeroblob(10)) AS p"),
            all("SELECT char(-1) AS c"),
            all("SELECT replace('abc', '', 'x') AS r"),
            all("SELECT instr(NULL, 'a') AS i"),
            all("SELECT round(1.5, 'x') AS r"),
            all("SELECT unhex('zz') AS u"),
            all("SELECT unhex('ab cd', ' ') AS u"),
        ],
    ));
    v.push(sc(
        "errors/constraint_texts",
        vec![
            run(
                "CREATE TABLE t (id INTEGER PRIMARY KEY, a NOT NULL, b CHECK (b < 10), \
                 c, d, CONSTRAINT cd_unique UNIQUE (c, d), CONSTRAINT named CHECK (c <> 'bad'))",
            ),
            run("INSERT INTO t (a) VALUES (NULL)"),
            run("INSERT INTO t (a, b) VALUES (1, 10)"),
            run("INSERT INTO t (a, c) VALUES (1, 'bad')"),
            run("INSERT INTO t (a, c, d) VALUES (1, 'x', 'y'), (2, 'x', 'y')"),
            run("INSERT INTO t (id, a) VALUES (1, 1), (1, 2)"),
            run("CREATE TABLE w (k TEXT PRIMARY KEY, v NOT NULL) WITHOUT ROWID"),
            run("INSERT INTO w VALUES ('a', 1), ('a', 2)"),
            run("INSERT INTO w VALUES (NULL, 1)"),
            run("CREATE TABLE n (k TEXT PRIMARY KEY)"),
            run("INSERT INTO n VALUES (NULL), (NULL)"),
            all("SELECT count(*) AS n FROM n"),
        ],
    ));
}
