//! Running statements on a connection with D1's semantics: statement splitting,
//! parameter checks, rows handed to the sink by position, and D1's `meta`.

// The CPU's counter, calibrated once: the OS clock would cost a point lookup 5%.
use quanta::Instant;

use d1orm::{
    BatchEntry, Columns, DecodeError, DiscardRows, Error, ExecResult, Meta, Prefix, Row, RowSink,
    SqliteCode, Statement, Timings, Value, ValueRef,
};
use rusqlite::types::{ToSqlOutput, ValueRef as SqlValueRef};
use rusqlite::{Connection, ToSql};

use crate::auth::AuthState;
use crate::cache::{Control, ControlStatement, Key, Keys, StatementCache, Statements};
use crate::counters::{Counting, KindsHook, Observed, Rows};
use crate::deadline::Deadline;
use crate::errors::{
    empty_statement, from_rusqlite, no_statements, statement_too_long, time_limit_exceeded,
    wrong_parameter_count,
};
use crate::{lex, split};

/// What the reference backend calls itself in `meta.served_by`.
pub(crate) const SERVED_BY: &str = "d1orm-sqlite";

/// A connection borrowed for one call, with the state the backend keeps beside it.
pub(crate) struct Executor<'c> {
    pub(crate) conn: &'c Connection,
    /// The connection's prepared statements.
    statements: &'c mut StatementCache,
    /// The backend's own `BEGIN`, `COMMIT` and `ROLLBACK`.
    control: &'c mut Control,
    auth: &'c AuthState,
    deadline: &'c Deadline,
    /// The database size after the last statement that could change it; statements that
    /// only read leave it as it is, which saves a query per read.
    size: &'c mut u64,
    /// See [`Executor::page_size`].
    page_size: u64,
    /// Refuse integers JavaScript cannot hold exactly, as a D1 backend must.
    js_safe_integers: bool,
    /// Inside a batch, rows written leave the size to be read once, when the batch
    /// ends (see [`Executor::batch`]).
    size_deferred: bool,
    /// A write left the size unread.
    size_stale: bool,
    /// On one of a file database's reader connections: see [`Executor::on_reader`].
    reader: Option<Reader>,
}

/// What an executor on a reader connection keeps: the connection only reads.
#[derive(Clone, Copy)]
struct Reader {
    /// The writer's last inserted row id, which D1 reports sticky on every statement of
    /// its one connection, reads included.
    last_row_id: i64,
    /// A statement of the call may write (or sets connection state, as a `PRAGMA`
    /// does): nothing of it ran here, and the call belongs to the writer.
    wants_writer: bool,
}

/// D1's limit on the length of a call's SQL text, in bytes.
pub(crate) const MAX_SQL_LENGTH: usize = 100_000;

/// The largest integer a JavaScript number holds exactly: 2^53 - 1.
const MAX_SAFE_INTEGER: i64 = (1 << 53) - 1;

fn unsafe_integer_bound(i: i64) -> Error {
    Error::d1(
        Prefix::TypeError,
        format!(
            "Type 'i64' not supported for value '{i}': beyond ±(2^53 - 1), D1 cannot carry it exactly"
        ),
    )
}

/// The meta fields a D1 database with one copy reports for every query: its primary
/// served it, at the first attempt, and SQLite's share of the time is all of it.
#[inline]
fn single_primary_meta(duration: f64) -> Meta {
    Meta {
        served_by: SERVED_BY.into(),
        served_by_primary: Some(true),
        total_attempts: Some(1),
        timings: Some(Timings {
            sql_duration_ms: duration,
        }),
        ..Meta::default()
    }
}

/// Where a statement stands in a multi-statement text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Position {
    /// The only statement, known to be neither one of D1's refusals nor a schema
    /// change: built by d1orm, or application SQL seen before.
    Plain,
    /// The only statement, built by d1orm to match at most one row: stepping stops at
    /// the first row, as `query_row` does, since a further step can only find the end.
    KeyLookup,
    Only,
    Earlier,
    Last,
}

/// D1's refusals that SQLite's authorizer cannot see: `VACUUM` (D1 runs every query in
/// a transaction) and renaming a table to a reserved `_cf_` name (the authorizer is
/// told the old name only). Decided on tokens, so comments and quotes cannot hide them.
fn precheck(sql: &str) -> Option<Error> {
    let first = lex::first_keyword(sql);
    if first.eq_ignore_ascii_case("vacuum") {
        return Some(Error::sqlite(
            Prefix::Error,
            "cannot VACUUM from within a transaction",
            None,
            SqliteCode::ERROR,
            None,
        ));
    }
    if first.eq_ignore_ascii_case("alter")
        && lex::renamed_table(sql).is_some_and(crate::auth::is_reserved)
    {
        return Some(Error::sqlite(
            Prefix::Error,
            "not authorized",
            None,
            SqliteCode::AUTH,
            None,
        ));
    }
    None
}

/// `CREATE`, `DROP` or `ALTER`.
fn is_schema_statement(sql: &str) -> bool {
    let first = lex::first_keyword(sql);
    ["create", "drop", "alter"]
        .iter()
        .any(|k| first.eq_ignore_ascii_case(k))
}

/// Per-statement counters, from the last statement of a multi-statement text.
#[derive(Default)]
struct Counters {
    rows_read: u64,
    rows_written: u64,
    /// Rows changed by every statement of the text, not just the last.
    changes: u64,
    wrote: bool,
    /// A `CREATE`, `DROP` or `ALTER`.
    schema: bool,
}

impl<'c> Executor<'c> {
    /// The connection borrowed for one call, outside any batch.
    pub(crate) fn new(
        conn: &'c Connection,
        statements: Statements<'c>,
        auth: &'c AuthState,
        deadline: &'c Deadline,
        size: &'c mut u64,
        page_size: u64,
        js_safe_integers: bool,
    ) -> Self {
        Executor {
            conn,
            statements: statements.cache,
            control: statements.control,
            auth,
            deadline,
            size,
            page_size,
            js_safe_integers,
            size_deferred: false,
            size_stale: false,
            reader: None,
        }
    }

    /// The executor of a reader connection (opened read-only), which runs a call only
    /// if every statement of it is read-only, as SQLite decides
    /// (`sqlite3_stmt_readonly`) once the statement is prepared, and no `PRAGMA` or
    /// schema change. Otherwise it stops before the statement runs, with nothing sent
    /// to the sink, and [`wants_writer`](Self::wants_writer) says so. `last_row_id` is
    /// the writer's last inserted row id, reported as D1's sticky `last_row_id`.
    pub(crate) fn on_reader(mut self, last_row_id: i64) -> Self {
        self.reader = Some(Reader {
            last_row_id,
            wants_writer: false,
        });
        self
    }

    /// Whether the call stopped because it must run on the writer (its error then
    /// means only that).
    pub(crate) fn wants_writer(&self) -> bool {
        self.reader.is_some_and(|r| r.wants_writer)
    }

    /// Stops a call that must run on the writer.
    #[cold]
    fn hand_to_writer(&mut self) -> Error {
        if let Some(reader) = &mut self.reader {
            reader.wants_writer = true;
        }
        // What preparing the statement told the authorizer belongs to the writer's run.
        self.auth.take_denial();
        self.auth.take_defer_fk_set();
        self.auth.take_analyzed();
        Error::d1(Prefix::Error, "statement handed to the writer connection")
    }

    /// Ends a read's trial on an async worker thread (see `Deadline::start_trial`).
    pub(crate) fn end_trial(&self) -> crate::deadline::Trial {
        self.deadline.end_trial()
    }

    /// `last_insert_rowid()` of the database's one writer.
    fn last_insert_rowid(&self) -> i64 {
        match self.reader {
            Some(reader) => reader.last_row_id,
            None => self.conn.last_insert_rowid(),
        }
    }

    /// Runs one D1 statement (possibly several SQL statements) and computes its meta.
    pub(crate) fn run<S: RowSink + ?Sized>(
        &mut self,
        statement: &Statement,
        sink: &mut S,
    ) -> d1orm::Result<Meta> {
        // D1 measures the text as given, white space and every statement included, and
        // before anything else: nothing longer is split or prepared.
        if statement.sql.len() > MAX_SQL_LENGTH {
            return Err(statement_too_long());
        }
        let generated = statement.sql.is_single_statement();
        // What only the meta reports (duration, rows read, the row id) is left out when
        // nobody reads it: a point lookup notices the clock reads and counters.
        let measured = sink.reads_meta();
        let started = measured.then(Instant::now);
        // Text that lives as long as the program is found in the cache by address.
        let whole = match statement.sql.as_static() {
            Some(text) => Key::forever(text),
            None => Key::transient(&statement.sql),
        };
        // Application SQL found before to be one statement, neither refused nor a schema
        // change, is not split and checked again: those depend on its text alone.
        let plain = generated || self.statements.is_plain(whole);
        // A plain text ran before, so it holds no NUL (trimming keeps any).
        if !plain && let Some(nul) = memchr::memchr(0, statement.sql.as_bytes()) {
            return Err(self.nul_error(&statement.sql[..nul]));
        }
        let pieces: Keys<'_> = if plain {
            smallvec::smallvec![whole]
        } else {
            whole.statements()?
        };
        if self.size_stale && !plain && pieces.iter().any(|p| is_schema_statement(p.text())) {
            // A schema change's `changed_db` compares sizes: bring the size up to date
            // with the row writes before it.
            *self.size = self.database_size()?;
            self.size_stale = false;
        }
        let row_id_before = if measured {
            self.last_insert_rowid()
        } else {
            0
        };
        let size_before = *self.size;
        // Row counts come from the last statement; `wrote` from any of them.
        let counters = match pieces.as_slice() {
            [single] => {
                let position = match (plain, statement.sql.is_at_most_one_row()) {
                    (true, true) => Position::KeyLookup,
                    (true, false) => Position::Plain,
                    (false, _) => Position::Only,
                };
                let counters = self.step(*single, &statement.params, sink, position)?;
                // It ran: D1 did not refuse it. A schema change stays checked.
                if !plain && !counters.schema {
                    self.statements.mark_plain(*single);
                }
                counters
            }
            [earlier @ .., last] => self.in_transaction(|this| {
                let (mut wrote, mut schema, mut changes) = (false, false, 0);
                for piece in earlier {
                    let c = this.step(*piece, &[], &mut DiscardRows, Position::Earlier)?;
                    wrote |= c.wrote;
                    schema |= c.schema;
                    changes += c.changes;
                }
                let mut c = this.step(*last, &statement.params, sink, Position::Last)?;
                c.wrote |= wrote;
                c.schema |= schema;
                c.changes += changes;
                Ok(c)
            })?,
            [] => return Err(no_statements()),
        };
        // Only a statement that can write can change the size; reads keep the size
        // known from the last write, which saves a query per read. In a batch, a row
        // write leaves it for the end of the batch: it changes `changed_db` only where
        // `changes` already does. A schema change changes no row, so its size is read.
        if counters.wrote {
            if self.size_deferred && !counters.schema {
                self.size_stale = true;
            } else {
                *self.size = self.database_size()?;
            }
        }
        let changes = counters.changes;
        let Some(started) = started else {
            return Ok(Meta {
                changes,
                changed_db: changes != 0 || *self.size != size_before,
                size_after: *self.size,
                rows_written: counters.rows_written,
                ..single_primary_meta(0.0)
            });
        };
        let last_row_id = self.last_insert_rowid();
        let duration = started.elapsed().as_secs_f64() * 1000.0;
        Ok(Meta {
            duration,
            changes,
            last_row_id,
            changed_db: changes != 0 || last_row_id != row_id_before || *self.size != size_before,
            size_after: *self.size,
            rows_read: counters.rows_read,
            rows_written: counters.rows_written,
            ..single_primary_meta(duration)
        })
    }

    /// D1's answer to SQL text holding a NUL character, given the text before it. D1's
    /// SQLite reads a text only up to a NUL, so what follows it is an empty statement,
    /// and D1 refuses the whole call before running any of it; unless the text before
    /// the NUL fails on its own, as a quote left open by the NUL does.
    fn nul_error(&self, before: &str) -> Error {
        if let Ok(pieces) = split::statements(before)
            && let Some(last) = pieces.last()
            && lex::tokens(last)
                .last()
                .is_some_and(|t| t.is_unterminated())
            && let Err(e) = self.conn.prepare(last.trim())
        {
            return self.error(e);
        }
        empty_statement()
    }

    /// Runs the entries in one transaction. Every statement's `size_after` is the size
    /// at the end of the batch, read once: D1 reports each statement's own, but reading
    /// the size costs more than a typical statement (see [`Executor::database_size`]).
    pub(crate) fn batch(&mut self, entries: &mut [BatchEntry<'_>]) -> d1orm::Result<Vec<Meta>> {
        let count = entries.len();
        self.size_deferred = true;
        let result = self.in_transaction(|ex| {
            // Sized once: collecting `Result`s would grow the list, copying every meta.
            let mut metas = Vec::with_capacity(count);
            for (index, entry) in entries.iter_mut().enumerate() {
                metas.push(
                    ex.run(entry.statement, entry.sink)
                        .map_err(|e| e.in_batch(index, count))?,
                );
            }
            if ex.size_stale {
                *ex.size = ex.database_size()?;
            }
            for meta in &mut metas {
                meta.size_after = *ex.size;
            }
            Ok(metas)
        });
        self.size_deferred = false;
        result
    }

    /// Runs `f` inside a transaction unless one is open already (a batch's).
    pub(crate) fn in_transaction<T>(
        &mut self,
        f: impl FnOnce(&mut Self) -> d1orm::Result<T>,
    ) -> d1orm::Result<T> {
        if !self.conn.is_autocommit() {
            return f(self);
        }
        self.control(ControlStatement::Begin)?;
        match f(self) {
            Ok(value) => match self.control(ControlStatement::Commit) {
                Ok(()) => Ok(value),
                Err(e) => {
                    self.rollback();
                    Err(e)
                }
            },
            Err(e) => {
                self.rollback();
                Err(e)
            }
        }
    }

    pub(crate) fn rollback(&mut self) {
        if !self.conn.is_autocommit() {
            // A failed rollback leaves nothing better to report than the first error.
            let _ = self.control(ControlStatement::Rollback);
        }
        // Sizes seen inside the rolled-back transaction are gone with it.
        if let Ok(size) = self.database_size() {
            *self.size = size;
        }
    }

    /// Runs one of the backend's transaction statements.
    fn control(&mut self, which: ControlStatement) -> d1orm::Result<()> {
        self.runner().control(self.control, which)
    }

    /// `(page_count - freelist_count) * page_size`, as D1 reports `size_after`.
    ///
    /// Two `PRAGMA` statements, prepared for each use: SQLite marks a `PRAGMA` to run
    /// once, so a cached one would be prepared again on every run anyway. The
    /// table-valued `pragma_*()` functions cost more, as they prepare the same `PRAGMA`
    /// inside. About 9,000 instructions in all, which is why a batch asks once, at its
    /// end.
    pub(crate) fn database_size(&self) -> d1orm::Result<u64> {
        let read = |sql: &str| {
            self.conn
                .prepare(sql)
                .and_then(|mut s| s.query_row([], |r| r.get::<_, i64>(0)))
        };
        let pages = self.auth.internally(|| {
            read("PRAGMA page_count").and_then(|pages| Ok(pages - read("PRAGMA freelist_count")?))
        });
        let pages = pages.map_err(|e| self.error(e))?;
        Ok(u64::try_from(pages).unwrap_or(0) * self.page_size)
    }

    /// The database's page size. It is fixed once the database has its first page
    /// (`SqliteBackend` makes sure it has): only `VACUUM` could change it, and D1
    /// refuses `VACUUM`.
    pub(crate) fn page_size(conn: &Connection) -> rusqlite::Result<u64> {
        conn.query_row("PRAGMA page_size", [], |r| r.get::<_, i64>(0))
            .map(|size| u64::try_from(size).unwrap_or(0))
    }

    fn error(&self, e: rusqlite::Error) -> Error {
        self.runner().error(e)
    }

    /// What running one prepared statement needs of the executor.
    fn runner(&self) -> Runner<'c> {
        Runner {
            conn: self.conn,
            auth: self.auth,
            deadline: self.deadline,
            js_safe_integers: self.js_safe_integers,
        }
    }

    /// Prepares (through the statement cache), binds and steps one SQL statement.
    fn step<S: RowSink + ?Sized>(
        &mut self,
        sql: Key<'_>,
        params: &[Value],
        sink: &mut S,
        position: Position,
    ) -> d1orm::Result<Counters> {
        let on = self.runner();
        let plain = matches!(position, Position::Plain | Position::KeyLookup);
        if !plain && let Some(refused) = precheck(sql.text()) {
            return Err(refused);
        }
        if !plain && is_schema_statement(sql.text()) {
            if self.reader.is_some() {
                return Err(self.hand_to_writer());
            }
            // Schema statements run once and are prepared afresh: a cached one would
            // meet the schema it changed and fail at step time, without the offset D1
            // reports.
            let mut fresh = on.conn.prepare(sql.text()).map_err(|e| on.error(e))?;
            let mut counting = Counting::new(on.conn, sql.text());
            let counting = on.plan(&mut counting, sql.text(), sink);
            let mut counters = on.execute(&mut fresh, params, sink, position, counting)?;
            counters.schema = true;
            return Ok(counters);
        }
        // SAFETY: the cache and the connection come from one `CachedConnection`, and
        // the statement is only used here, in place.
        let (stmt, counting) =
            unsafe { self.statements.get(on.conn, sql) }.map_err(|e| on.error(e))?;
        if self.reader.is_some()
            && (!stmt.readonly() || lex::first_keyword(sql.text()).eq_ignore_ascii_case("pragma"))
        {
            return Err(self.hand_to_writer());
        }
        let counting = on.plan(counting, sql.text(), sink);
        // D1 runs every call in a transaction: a write that fails leaves nothing, even
        // where SQLite in autocommit keeps what it did before failing (`OR FAIL`,
        // `RAISE(FAIL)`). Reads need none.
        let own_transaction = !stmt.readonly() && on.conn.is_autocommit();
        if own_transaction {
            on.control(self.control, ControlStatement::Begin)?;
        }
        let mut result = on.execute(stmt, params, sink, position, counting);
        if own_transaction {
            if result.is_ok()
                && let Err(e) = on.control(self.control, ControlStatement::Commit)
            {
                result = Err(e);
            }
            if result.is_err() && !on.conn.is_autocommit() {
                // A failed rollback leaves nothing better to report than the first error.
                let _ = on.control(self.control, ControlStatement::Rollback);
            }
        }
        if on.conn.is_autocommit() && self.auth.take_defer_fk_set() {
            // D1 runs every call in a transaction, whose end turns `defer_foreign_keys`
            // off; a `PRAGMA` alone runs in none here.
            let reset = self
                .auth
                .internally(|| on.conn.execute_batch("PRAGMA defer_foreign_keys = OFF"));
            if let Err(e) = reset
                && result.is_ok()
            {
                result = Err(on.error(e));
            }
        }
        // SQLite keeps a copy of bound text and bytes until the next binding: let them
        // go now, instead of holding up to a statement's worth of values in every
        // statement kept. NULL over each, not `sqlite3_clear_bindings`, which expires
        // the statement (a re-prepare on its next run) whenever a parameter can shape
        // its plan.
        for (i, value) in params.iter().enumerate() {
            if matches!(value, Value::Text(_) | Value::Blob(_)) {
                // Binding NULL at an index that was just bound cannot fail.
                let _ = stmt.raw_bind_parameter(i + 1, rusqlite::types::Null);
            }
        }
        result
    }
}

/// What running a prepared statement needs of the executor.
#[derive(Clone, Copy)]
struct Runner<'c> {
    conn: &'c Connection,
    auth: &'c AuthState,
    deadline: &'c Deadline,
    js_safe_integers: bool,
}

impl Runner<'_> {
    /// SQLite's error as D1 reports it, naming what the authorizer denied, if anything.
    fn error(&self, e: rusqlite::Error) -> Error {
        if self.deadline.take_fired() {
            return time_limit_exceeded();
        }
        from_rusqlite(e, self.auth.take_denial())
    }

    /// Runs one of the backend's transaction statements, outside D1's rules.
    fn control(self, control: &mut Control, which: ControlStatement) -> d1orm::Result<()> {
        // SAFETY: the control statements and the connection come from one
        // `CachedConnection`.
        let result = self
            .auth
            .internally(|| unsafe { control.run(self.conn, which) });
        result.map_err(|e| self.error(e))
    }

    /// `counting` with the program of `sql` read, when the caller reads the meta and
    /// the program can be had.
    fn plan<'a, S: RowSink + ?Sized>(
        self,
        counting: &'a mut Counting,
        sql: &str,
        sink: &S,
    ) -> Option<&'a Counting> {
        if !sink.reads_meta() {
            return None;
        }
        if !counting.ready() {
            // `EXPLAIN` is prepared outside D1's rules, as the statement passed them.
            self.auth.internally(|| counting.prepare(self.conn, sql));
        }
        counting.rows_known().then_some(&*counting)
    }

    /// Binds and steps a prepared statement, sending its rows to `sink`.
    fn execute<S: RowSink + ?Sized>(
        self,
        stmt: &mut rusqlite::Statement<'_>,
        params: &[Value],
        sink: &mut S,
        position: Position,
        counting: Option<&Counting>,
    ) -> d1orm::Result<Counters> {
        if position == Position::Earlier {
            if stmt.parameter_count() > 0 {
                return Err(Error::d1(
                    Prefix::Error,
                    "When executing multiple SQL statements in a single call, only the last statement can have parameters.",
                ));
            }
            if !stmt.readonly() && stmt.column_count() > 0 {
                // D1 fails such a call with an internal error; say why instead.
                return Err(Error::sqlite(
                    Prefix::Error,
                    "RETURNING is only supported on the last of several statements in one call",
                    None,
                    SqliteCode::ERROR,
                    None,
                ));
            }
        }
        if stmt.parameter_count() != params.len() {
            return Err(wrong_parameter_count());
        }
        for (i, value) in params.iter().enumerate() {
            if let (true, Value::Integer(n)) = (self.js_safe_integers, value)
                && n.unsigned_abs() > MAX_SAFE_INTEGER as u64
            {
                return Err(unsafe_integer_bound(*n));
            }
            stmt.raw_bind_parameter(i + 1, Bind(value))
                .map_err(|e| self.error(e))?;
        }
        let writes = !stmt.readonly();
        let before = counting.map(Counting::before);
        // A read-only statement changes no row: no need to ask.
        let changes_before = writes.then(|| self.conn.total_changes());
        let row_id_before = counting
            .filter(|c| writes && c.asks_inserted())
            .map(|_| self.conn.last_insert_rowid());
        let mut seen = Observed::default();
        if let Some(counting) = counting.filter(|c| c.counts_windows()) {
            // Counted outside D1's rules, as the statement passed them.
            [seen.partitions, seen.frame_reads, seen.leaving_reads] = self.auth.internally(|| {
                counting.window_counts(self.conn, |query| {
                    for i in 1..=query.parameter_count() {
                        if let Some(value) = params.get(i - 1) {
                            query.raw_bind_parameter(i, Bind(value))?;
                        }
                    }
                    Ok(())
                })
            });
        }
        let count_columns = counting.map_or(&[][..], Counting::count_columns);
        let hook = counting
            .filter(|c| c.kinds() || c.counts_actions())
            .map(|c| {
                (
                    c,
                    KindsHook::new(self.conn, c.watched_tables(), c.statement_change()),
                )
            });
        self.deadline.arm();
        let stepped = self.step_rows(stmt, sink, position, &mut seen, count_columns);
        self.deadline.disarm();
        if let Some((counting, hook)) = &hook {
            seen.kinds = counting.kinds().then(|| hook.kinds());
            seen.table_changes = Some(hook.table_changes());
            seen.acted_on = counting.statement_change().map(|_| hook.acted_on());
            // The statement's own changes, without those of its triggers.
            seen.own_changes = Some(self.conn.changes());
        }
        drop(hook);
        stepped?;
        seen.changes = changes_before.map_or(0, |before| self.conn.total_changes() - before);
        seen.inserted = row_id_before.is_some_and(|id| id != self.conn.last_insert_rowid());
        if let Some(counting) = counting.filter(|c| c.rewrites()) {
            seen.rewritten = self.auth.internally(|| counting.rewritten_rows(self.conn));
        }
        let rows = match (counting, before) {
            (Some(counting), Some(before)) => counting.rows(before, seen),
            _ => Rows::default(),
        };
        // `PRAGMA optimize` is read-only to SQLite, but the `ANALYZE` it may run inside
        // writes the statistics tables.
        let writes = writes || self.auth.take_analyzed();
        Ok(Counters {
            rows_read: rows.read,
            rows_written: rows.written,
            changes: seen.changes,
            wrote: writes,
            schema: false,
        })
    }
}

impl Runner<'_> {
    /// Steps the statement, handing its rows to `sink`.
    fn step_rows<S: RowSink + ?Sized>(
        self,
        stmt: &mut rusqlite::Statement<'_>,
        sink: &mut S,
        position: Position,
        seen: &mut Observed,
        count_columns: &[usize],
    ) -> d1orm::Result<()> {
        let mut rows = stmt.raw_query();
        // Columns are announced after the first step: a schema change since the
        // statement was cached re-prepares it there, and may change its columns.
        let mut announced = false;
        self.send_rows(
            &mut rows,
            sink,
            position,
            seen,
            count_columns,
            &mut announced,
        )?;
        // Dropping the rows resets the statement, finished or not.
        drop(rows);
        if !announced {
            sink.columns(&StatementColumns(stmt))?;
        }
        Ok(())
    }

    /// Steps through the rows, sending each to `sink`.
    fn send_rows<S: RowSink + ?Sized>(
        self,
        rows: &mut rusqlite::Rows<'_>,
        sink: &mut S,
        position: Position,
        seen: &mut Observed,
        count_columns: &[usize],
        announced: &mut bool,
    ) -> d1orm::Result<()> {
        while let Some(row) = rows.next().map_err(|e| self.error(e))? {
            if !*announced {
                sink.columns(&StatementColumns(row.as_ref()))?;
                *announced = true;
            }
            sink.row(&SqliteRow {
                row,
                js_safe_integers: self.js_safe_integers,
            })?;
            if seen.returned == 0 {
                // What `Count` counted, which D1 adds to the rows read.
                for &column in count_columns {
                    let n = row.get_ref(column).ok().and_then(|v| v.as_i64().ok());
                    *seen.count.get_or_insert(0) += n.map_or(0, i64::unsigned_abs);
                }
            }
            seen.returned += 1;
            if position == Position::KeyLookup {
                break;
            }
            if self.deadline.after_row() {
                // A read on trial on an async worker thread (server mode) ran long: the
                // worker hands its tasks to another thread while the rest is stepped.
                return tokio::task::block_in_place(|| {
                    self.send_rows(rows, sink, position, seen, count_columns, announced)
                });
            }
        }
        Ok(())
    }
}

impl Executor<'_> {
    /// D1's `exec`: the trimmed text split on newlines, each non-blank line run as it
    /// is, all in one transaction; failures quote the first line, as D1 does.
    pub(crate) fn exec(&mut self, sql: &str) -> d1orm::Result<ExecResult> {
        let started = Instant::now();
        let text = sql.trim();
        let first_line = text.split('\n').next().unwrap_or("");
        if text.is_empty() {
            return Err(exec_error(first_line, no_statements()));
        }
        if let Some(nul) = memchr::memchr(0, text.as_bytes()) {
            // The line holding the NUL is what D1's SQLite reads last.
            let line_start = text[..nul].rfind('\n').map_or(0, |n| n + 1);
            return Err(exec_error(
                first_line,
                self.nul_error(&text[line_start..nul]),
            ));
        }
        let count = self
            .in_transaction(|this| {
                let mut count = 0;
                for line in text.split('\n').filter(|l| !l.trim().is_empty()) {
                    let pieces = match split::statements(line) {
                        Ok(p) => p,
                        // A line holding only a `--` comment is skipped, not counted.
                        Err(e) if e == no_statements() => continue,
                        Err(e) => return Err(e),
                    };
                    for piece in pieces {
                        this.step(Key::transient(piece), &[], &mut DiscardRows, Position::Only)?;
                    }
                    count += 1;
                }
                if count == 0 {
                    // Every line was a `--` comment.
                    return Err(no_statements());
                }
                Ok(count)
            })
            .map_err(|e| exec_error(first_line, e))?;
        *self.size = self.database_size()?;
        Ok(ExecResult {
            count,
            duration: started.elapsed().as_secs_f64() * 1000.0,
        })
    }
}

fn exec_error(first_line: &str, error: Error) -> Error {
    match error {
        Error::Database(mut e) => {
            e.prefix = Prefix::ExecError;
            e.message = format!("Error in line 1: {first_line}: {}", e.message);
            Error::Database(e)
        }
        other => other,
    }
}

/// A d1orm value bound without copying it.
struct Bind<'a>(&'a Value);

impl ToSql for Bind<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match self.0 {
            Value::Null => SqlValueRef::Null,
            Value::Integer(i) => SqlValueRef::Integer(*i),
            Value::Real(f) => SqlValueRef::Real(*f),
            Value::Text(s) => SqlValueRef::Text(s.as_bytes()),
            Value::Blob(b) => SqlValueRef::Blob(b),
        }))
    }
}

struct StatementColumns<'a, 'c>(&'a rusqlite::Statement<'c>);

impl Columns for StatementColumns<'_, '_> {
    fn count(&self) -> usize {
        self.0.column_count()
    }
    fn name(&self, index: usize) -> &str {
        self.0.column_name(index).unwrap_or("")
    }
}

/// The driver's current row, read by position.
struct SqliteRow<'a, 'r> {
    row: &'a rusqlite::Row<'r>,
    js_safe_integers: bool,
}

impl Row for SqliteRow<'_, '_> {
    #[inline]
    fn column_count(&self) -> usize {
        self.row.as_ref().column_count()
    }

    // Always inlined into each table's generated decoding, where it runs once per
    // column per row: `#[inline]` alone left it out of line for text columns.
    #[inline(always)]
    fn value(&self, index: usize) -> d1orm::Result<ValueRef<'_>> {
        let value = self.row.get_ref(index).map_err(column_error)?;
        Ok(match value {
            SqlValueRef::Null => ValueRef::Null,
            SqlValueRef::Integer(i)
                if self.js_safe_integers && i.unsigned_abs() > MAX_SAFE_INTEGER as u64 =>
            {
                return Err(unsafe_integer_read(i));
            }
            SqlValueRef::Integer(i) => ValueRef::Integer(i),
            // D1 hands JavaScript a REAL that is ±Infinity as null.
            SqlValueRef::Real(f) if f.is_infinite() => ValueRef::Null,
            SqlValueRef::Real(f) => ValueRef::Real(f),
            SqlValueRef::Text(t) => ValueRef::Text(std::str::from_utf8(t).map_err(not_utf8)?),
            SqlValueRef::Blob(b) => ValueRef::Blob(b),
        })
    }
}

#[cold]
fn column_error(e: rusqlite::Error) -> Error {
    Error::Decode(DecodeError::new(e.to_string()))
}

#[cold]
fn unsafe_integer_read(i: i64) -> Error {
    Error::Decode(DecodeError::new(format!(
        "integer {i} is beyond ±(2^53 - 1): D1 would return it rounded"
    )))
}

#[cold]
fn not_utf8(_: std::str::Utf8Error) -> Error {
    Error::Decode(DecodeError::new("text is not valid UTF-8"))
}
