//! `rows_read` and `rows_written` as D1 bills them.
//!
//! D1's SQLite is patched (workerd's `patches/sqlite/0001-row-counts-plain.patch`, from
//! libSQL) to count, for each run of a statement, inside the bytecode engine:
//!
//! - rows read: one for each `Rewind` (a `Sort` or `SorterSort` too, as they fall into
//!   it), `Last`, `SeekRowid`/`NotExists` and `VNext` executed, for each seek
//!   (`SeekGE`, ...) that is not an equality seek finding nothing, for each step
//!   (`Next`, `Prev`, `SorterNext`) that lands on a row, and the whole count of a
//!   `Count` (`SELECT count(*) FROM t`);
//! - rows written: one for each `Insert` and `IdxInsert` into a table or index that is
//!   not a temporary one, each `Delete` that counts as a change, each `VUpdate`, and
//!   the rows a `Clear` (`DELETE FROM t`) removes.
//!
//! Index entries deleted are not counted; ephemeral tables are read-counted but not
//! write-counted. Only the last statement of a multi-statement text is reported.
//!
//! The bundled SQLite has no such counters, and a downstream crate cannot rebuild it, so
//! the same sums are worked out here from what SQLite does expose: the steps that land
//! on a row are SQLite's own `aCounter[0]`, `[FULLSCAN_STEP]` and `[AUTOINDEX]` (every
//! successful `Next`/`Prev`/`SorterNext` adds one to the counter its `P5` names), the
//! sorts are `SORT`, seeks a bloom filter skipped are `FILTER_HIT`. The other counted
//! instructions are found once per prepared statement in its program (`EXPLAIN`, read
//! again after a schema change), and how often each ran is inferred: once outside any
//! loop (code that cannot run, or runs only in rare cases, left out), once per
//! iteration of the loop it sits in, whose iterations come from the steps, the rows of
//! a `VALUES` list, the rows changed, or the instructions run (`VM_STEP`) where nothing
//! else tells; writes once per row changed, an upsert's inserts and updates apart.
//! A trigger program's instructions run once for each run of the `Program` that runs
//! it, which SQLite steps in the same engine (its steps land in the same counters); a
//! `WHEN` that holds for some rows only, and the rows a statement changed itself, are
//! told from the changes (an upsert of several rows with triggers, whose changes the
//! update hook mixes with the triggers', is not told apart).
//! Code that runs only while deferred foreign key violations are outstanding has a plan
//! of its own, chosen by SQLite's count of them before the run. Foreign key actions
//! are trigger programs run once per row the statement (or an action) changes in the
//! parent table: the update hook tells the rows each changes apart (by table and kind
//! of change; the statement's own are SQLite's `changes()`), hence how often each ran
//! ([`Actions`]); the statement's code that runs only while the violations it counted
//! are outstanding runs when its actions changed rows. A `VALUES` list's constants
//! decide the tests on them (a NULL key, or one naming its own row, looks up no parent).
//! D1's own tables add to a scan of `pragma_table_list`. A partial index's entry is
//! written only for a row its `WHERE` takes: for an insert of a `VALUES` list or a
//! change of one row by its id, the ways through the program that run as many
//! instructions as ran say how many; for an index being built, the split of the steps
//! between the scan and the sort that comes nearest the instructions run. What an
//! aggregate's `ORDER BY` reads, it reads once per group. The rows a `DROP COLUMN`
//! writes again are its table's, counted apart. A window's reads of its partition's
//! table run once per row of its input (followed through coroutines and sorters to the
//! loops they come from) or once per partition ([`windows`]); the partitions, which no
//! counter tells, are counted by a query made from the statement's text
//! ([`window_queries`]), as are the rows `nth_value` and `first_value` read (only for
//! the rows whose frame has the row they return) and the rows `min()` and `max()` take
//! out of a frame. Where this falls short (partial indexes in a change of rows found by
//! a scan, or where the ways do not tell; groups left out of the rows returned; in the
//! rows an action changes, NULL keys and keys checked after the last violation was
//! resolved, which look up no parent; windows over different partitions in one
//! statement, a window cut short by a `LIMIT`; two loops stepping one kind of counter
//! in a statement with triggers) the counts differ from D1's. The conformance suite
//! compares them with D1's on every step; `tests/conformance/row_counters.rs` lists the
//! steps that differ, each a scenario made to show one of these limits.
//!
//! Nothing is counted for a caller that does not read the meta; for one that does, a
//! statement costs a few counter reads and, once per prepared statement, an `EXPLAIN`;
//! one with windows over partitions (or `nth_value`, `first_value`, `min()`, `max()`
//! over a frame that moves) also runs the queries that count what they read: over
//! thousands of rows the partitions' costs about a tenth of the statement, the
//! frames' about as much as the statement, `min()`/`max()`'s about three times.

use std::ffi::CStr;
use std::ptr::NonNull;

use rusqlite::{Connection, ffi};
use smallvec::SmallVec;

use windows::{WindowBlock, WindowSite, window_blocks, window_times};

mod window_queries;
mod windows;

/// `P5` of `OpenRead`/`OpenWrite`: the cursor is only used for equality seeks, which
/// SQLite leaves uncounted when they find nothing.
const OPFLAG_SEEKEQ: i64 = 0x02;
/// `P5` of `Insert`/`IdxInsert`, `P2` of `Delete`: the row counts as a change.
const OPFLAG_NCHANGE: i64 = 0x01;
/// `P5` of `Insert`: the row is an update.
const OPFLAG_ISUPDATE: i64 = 0x04;
/// `P5` of `Insert`: the row id becomes `last_insert_rowid()`.
const OPFLAG_LASTROWID: i64 = 0x20;

/// A prepared statement's handle and, once asked, what its program says about the
/// counters. Kept with the statement.
pub(crate) struct Counting {
    stmt: Option<NonNull<ffi::sqlite3_stmt>>,
    /// Read on first use: most statements never report their counters.
    plan: Option<Plan>,
    /// The plan for a run that starts with deferred foreign key violations outstanding,
    /// for a program that then looks for the rows a new parent row makes valid.
    deferred_plan: Option<Box<Plan>>,
    /// `SQLITE_STMTSTATUS_REPREPARE` when the plan was read: a statement prepared again
    /// (after a schema change) may have another program.
    reprepared: u32,
    /// Its program cannot be read (or must not be: a `PRAGMA` that sets something).
    unreadable: bool,
    /// For a program with windows over partitions, the query that counts them
    /// ([`window_queries::partition_query`]).
    partition_query: Option<String>,
    /// For a program whose windows read a row only when their frame has it, the query
    /// that counts those reads ([`window_queries::frame_query`]).
    frame_query: Option<String>,
    /// For a program whose windows' `min()` or `max()` take rows out of their frames,
    /// the query that counts them ([`window_queries::leaving_query`]).
    leaving_query: Option<String>,
}

// SAFETY: the handle is only used with the statement it belongs to, by whoever holds
// that statement's connection.
unsafe impl Send for Counting {}

/// Counters read before a run, to subtract after it.
#[derive(Clone, Copy, Default)]
pub(crate) struct Before {
    /// Deferred foreign key violations were outstanding ([`Counting::deferred_plan`]).
    deferred: bool,
    steps: [u32; 3],
    sorts: u32,
    /// Instructions run (`SQLITE_STMTSTATUS_VM_STEP`).
    instructions: u32,
    /// Bloom filter checks that ruled a row out, skipping its seek.
    filtered: u32,
}

/// What a run did, besides what the program says.
#[derive(Clone, Copy, Default)]
pub(crate) struct Observed {
    /// Rows the statement returned.
    pub(crate) returned: u64,
    /// Rows changed (`total_changes()` difference).
    pub(crate) changes: u64,
    /// The value `SELECT count(*)` returned, for a program that counts with `Count`.
    pub(crate) count: Option<u64>,
    /// `last_insert_rowid()` changed: a row was inserted.
    pub(crate) inserted: bool,
    /// Rows inserted and updated, when the plan asks for them ([`Counting::kinds`]).
    pub(crate) kinds: Option<Kinds>,
    /// The rows of the table a schema change rewrites, when the plan asks for them
    /// ([`Counting::rewritten_rows`]).
    pub(crate) rewritten: Option<u64>,
    /// Rows changed in each of the tables the plan watches
    /// ([`Counting::watched_tables`]), in their order.
    pub(crate) table_changes: Option<[u64; WATCHED_TABLES]>,
    /// Rows the statement changed itself (`changes()`, without its triggers'), for a
    /// plan that watches tables.
    pub(crate) own_changes: Option<u64>,
    /// Rows the statement changed itself whose foreign key actions changed rows: the
    /// rows that had rows referring to them ([`Counting::statement_change`]).
    pub(crate) acted_on: Option<u64>,
    /// The partitions of its windows ([`Counting::window_counts`]).
    pub(crate) partitions: Option<u64>,
    /// The rows its windows' `nth_value` and `first_value` read
    /// ([`Counting::window_counts`]).
    pub(crate) frame_reads: Option<u64>,
    /// The rows its windows' `min()` and `max()` take out of their frames
    /// ([`Counting::window_counts`]).
    pub(crate) leaving_reads: Option<u64>,
}

/// Rows inserted and rows updated by a statement, as SQLite's update hook reports them
/// (tables with a row id).
#[derive(Clone, Copy, Default, Debug)]
pub(crate) struct Kinds {
    inserted: u64,
    updated: u64,
}

/// Counts the rows a statement inserts and updates while it lives: for an upsert,
/// whose insert and update write different numbers of index entries; and the rows it
/// changes in each of some tables: for foreign key actions ([`Actions`]). Dropping it
/// (on a panic too) takes the hook off before the counts go.
pub(crate) struct KindsHook<'c> {
    conn: &'c Connection,
    /// Owned (`Box::into_raw`), written by the hook while a statement steps, freed in
    /// `drop` once the hook is off.
    counted: NonNull<Counted>,
}

/// What the update hook counts.
#[derive(Default)]
struct Counted {
    kinds: Kinds,
    /// The tables and kinds of change watched, and the rows changed so in each.
    tables: SmallVec<[Watched; 4]>,
    /// The table and kind of the statement's own changes, if watched.
    statement: Option<(Box<[u8]>, i32)>,
    /// The last change was one of the statement's own.
    after_own: bool,
    /// The statement's own changes followed by another.
    acted_on: u64,
}

/// Rows changed in a table in one way ([`KindsHook::table_changes`]).
struct Watched {
    table: Box<[u8]>,
    /// `SQLITE_DELETE`, `SQLITE_UPDATE` or `SQLITE_INSERT`.
    kind: i32,
    rows: u64,
}

impl<'c> KindsHook<'c> {
    /// A hook on `conn`, counting the rows changed in each of `tables` (by kind of
    /// change, `SQLITE_DELETE`, ...) too.
    pub(crate) fn new(
        conn: &'c Connection,
        tables: &[(Box<str>, i32)],
        statement: Option<&(Box<str>, i32)>,
    ) -> Self {
        let counted = Counted {
            statement: statement.map(|(t, kind)| (Box::from(t.as_bytes()), *kind)),
            after_own: false,
            acted_on: 0,
            kinds: Kinds::default(),
            tables: tables
                .iter()
                .map(|(t, kind)| Watched {
                    table: Box::from(t.as_bytes()),
                    kind: *kind,
                    rows: 0,
                })
                .collect(),
        };
        let counted = NonNull::from(Box::leak(Box::new(counted)));
        // SAFETY: the handle is the open connection's; the counts stay alive until
        // `drop` has taken the hook off.
        unsafe {
            ffi::sqlite3_update_hook(conn.handle(), Some(count_kind), counted.as_ptr().cast());
        }
        KindsHook { conn, counted }
    }

    pub(crate) fn kinds(&self) -> Kinds {
        // SAFETY: live until `drop`; the hook writes only while a statement steps, on
        // this thread, not during this read.
        unsafe { (*self.counted.as_ptr()).kinds }
    }

    /// The statement's own changes that another followed (before the next of its own):
    /// those its foreign key actions changed rows after.
    pub(crate) fn acted_on(&self) -> u64 {
        // SAFETY: as in `kinds`.
        unsafe { (*self.counted.as_ptr()).acted_on }
    }

    /// The rows changed in each of the tables watched, in their order.
    pub(crate) fn table_changes(&self) -> [u64; WATCHED_TABLES] {
        let mut changes = [0; WATCHED_TABLES];
        // SAFETY: as in `kinds`.
        let counted = unsafe { &*self.counted.as_ptr() };
        for (slot, watched) in changes.iter_mut().zip(&counted.tables) {
            *slot = watched.rows;
        }
        changes
    }
}

impl Drop for KindsHook<'_> {
    fn drop(&mut self) {
        // SAFETY: as in `new`; the hook is off before the counts are freed, once.
        unsafe {
            ffi::sqlite3_update_hook(self.conn.handle(), None, std::ptr::null_mut());
            drop(Box::from_raw(self.counted.as_ptr()));
        }
    }
}

unsafe extern "C" fn count_kind(
    target: *mut std::ffi::c_void,
    op: std::ffi::c_int,
    _db: *const std::ffi::c_char,
    table: *const std::ffi::c_char,
    _rowid: ffi::sqlite3_int64,
) {
    // SAFETY: `target` is the `Counted` of the live `KindsHook` that set this hook.
    let counted = unsafe { &mut *target.cast::<Counted>() };
    match op {
        ffi::SQLITE_INSERT => counted.kinds.inserted += 1,
        ffi::SQLITE_UPDATE => counted.kinds.updated += 1,
        _ => {}
    }
    if (counted.tables.is_empty() && counted.statement.is_none()) || table.is_null() {
        return;
    }
    // SAFETY: SQLite passes the changed table's name, valid during the call.
    let name = unsafe { CStr::from_ptr(table) }.to_bytes();
    if let Some(watched) = counted
        .tables
        .iter_mut()
        .find(|w| w.kind == op && *w.table == *name)
    {
        watched.rows += 1;
    }
    let own = counted
        .statement
        .as_ref()
        .is_some_and(|(t, kind)| *kind == op && **t == *name);
    if !own && counted.after_own {
        counted.acted_on += 1;
    }
    counted.after_own = own;
}

/// The counters of one run.
#[derive(Clone, Copy, Default, Debug, PartialEq, Eq)]
pub(crate) struct Rows {
    pub(crate) read: u64,
    pub(crate) written: u64,
}

impl Counting {
    /// The handle of the statement of text `sql` just prepared on `conn`.
    pub(crate) fn new(conn: &Connection, sql: &str) -> Counting {
        Counting {
            // SAFETY: `conn` is open, and the statement was just prepared on it.
            stmt: unsafe { newest_statement(conn, sql) },
            plan: None,
            deferred_plan: None,
            reprepared: 0,
            unreadable: false,
            partition_query: None,
            frame_query: None,
            leaving_query: None,
        }
    }

    /// Whether the plan is read and still the statement's: SQLite prepares a statement
    /// again after a schema change, and its program may differ then.
    pub(crate) fn ready(&self) -> bool {
        let Some(stmt) = self.stmt else {
            return false;
        };
        // SAFETY: the statement lives as long as this value (they are kept together).
        let reprepared = unsafe { status(stmt, ffi::SQLITE_STMTSTATUS_REPREPARE) };
        // A schema change on this connection marks the statement expired: it is
        // prepared again when it next runs, after the plan would have been used.
        // SAFETY: as above.
        let expired = unsafe { ffi::sqlite3_expired(stmt.as_ptr()) } != 0;
        (self.plan.is_some() || self.unreadable) && reprepared == self.reprepared && !expired
    }

    /// Reads the program of `sql` (this statement's text), unless [`Counting::ready`].
    pub(crate) fn prepare(&mut self, conn: &Connection, sql: &str) {
        let Some(stmt) = self.stmt else {
            return;
        };
        if !self.ready() {
            // Preparing a `PRAGMA` applies it, `EXPLAIN PRAGMA` included: never twice.
            let ops = if applies_when_prepared(sql) {
                None
            } else {
                listing(conn, sql).ok()
            };
            let hidden = hidden_listed_rows(sql);
            let plan = |ops: &[Op], deferred| Plan {
                hidden_listed_rows: hidden,
                ..Plan::new(ops, deferred)
            };
            self.plan = ops.as_deref().map(|ops| plan(ops, false));
            self.deferred_plan = ops
                .as_deref()
                .filter(|ops| ops.iter().any(|o| o.opcode == "FkIfZero"))
                .map(|ops| Box::new(plan(ops, true)));
            self.unreadable = self.plan.is_none();
            self.partition_query = self
                .plan
                .as_ref()
                .filter(|p| p.windows.iter().any(|w| w.partitioned))
                .and_then(|_| window_queries::partition_query(sql));
            // Counted only where each call has its seek in the program.
            self.frame_query = self
                .plan
                .as_ref()
                .filter(|p| p.frame_groups > 0)
                .and_then(|p| {
                    window_queries::frame_query(sql).filter(|(calls, _)| *calls == p.frame_groups)
                })
                .map(|(_, query)| query);
            self.leaving_query = self
                .plan
                .as_ref()
                .filter(|p| p.leaving_groups > 0)
                .and_then(|p| {
                    window_queries::leaving_query(sql)
                        .filter(|(calls, _)| *calls == p.leaving_groups)
                })
                .map(|(_, query)| query);
            // SAFETY: as in `ready`.
            self.reprepared = unsafe { status(stmt, ffi::SQLITE_STMTSTATUS_REPREPARE) };
        }
    }

    /// Whether the plan is read: the counters can be worked out.
    pub(crate) fn rows_known(&self) -> bool {
        self.plan.is_some()
    }

    /// Whether a run needs to know if it inserted a row ([`Observed::inserted`]): an
    /// upsert of one row, or an insert that may meet a conflict.
    pub(crate) fn asks_inserted(&self) -> bool {
        self.plan
            .as_ref()
            .is_some_and(|p| p.simple.is_none() && (p.bundles.len() > 1 || p.conflicts))
    }

    /// Whether a run needs [`Kinds`]: an upsert of several rows, which inserts or
    /// updates each.
    pub(crate) fn kinds(&self) -> bool {
        self.plan.as_ref().is_some_and(|p| p.upserts)
    }

    /// Whether a run needs [`Observed::rewritten`].
    pub(crate) fn rewrites(&self) -> bool {
        self.plan.as_ref().is_some_and(|p| p.rewrite.is_some())
    }

    /// The rows of the table the statement's schema change rewrites row by row (`ALTER
    /// TABLE ... DROP COLUMN`), which no counter tells from an empty table when there is
    /// one ([`Plan::rewrite`]): counted whole, as the statement rewrites them all. Run
    /// outside D1's rules.
    pub(crate) fn rewritten_rows(&self, conn: &Connection) -> Option<u64> {
        let (_, root) = self.plan.as_ref()?.rewrite?;
        let name: String = conn
            .query_row(
                "SELECT name FROM main.sqlite_schema WHERE type = 'table' AND rootpage = ?1",
                [root],
                |r| r.get(0),
            )
            .ok()?;
        let count = format!(
            "SELECT count(*) FROM main.\"{}\"",
            name.replace('"', "\"\"")
        );
        conn.query_row(&count, [], |r| r.get::<_, i64>(0))
            .ok()
            .and_then(|n| u64::try_from(n).ok())
    }

    /// Whether a run needs the rows changed in [`Counting::watched_tables`] and the
    /// statement's own changes ([`Observed::own_changes`]): for foreign key actions.
    pub(crate) fn counts_actions(&self) -> bool {
        self.plan.as_ref().is_some_and(|p| p.actions.is_some())
    }

    /// The table and kind of change of the statement's own rows, whose changes a run
    /// follows ([`Observed::acted_on`]).
    pub(crate) fn statement_change(&self) -> Option<&(Box<str>, i32)> {
        self.plan
            .as_ref()
            .and_then(|p| p.actions.as_ref())
            .and_then(|a| a.statement.as_ref())
    }

    /// The tables and kinds of change (`SQLITE_DELETE`, ...) whose rows a run counts
    /// apart ([`Observed::table_changes`]): those a statement's foreign key actions
    /// change ([`Actions`]).
    pub(crate) fn watched_tables(&self) -> &[(Box<str>, i32)] {
        self.plan
            .iter()
            .chain(self.deferred_plan.as_deref())
            .find_map(|p| p.actions.as_ref())
            .map_or(&[], |a| &a.watched)
    }

    /// Whether a run counts what its windows read first ([`Counting::window_counts`]).
    pub(crate) fn counts_windows(&self) -> bool {
        self.partition_query.is_some() || self.frame_query.is_some() || self.leaving_query.is_some()
    }

    /// What the statement's windows read that its program does not say, counted before
    /// it runs: the partitions ([`Observed::partitions`]), the rows read only when a
    /// frame has them ([`Observed::frame_reads`]), the rows taken out of a frame
    /// ([`Observed::leaving_reads`]); `None` where the statement's text does not say. `bind` binds the statement's values to a query's parameters
    /// (numbered as the statement's).
    pub(crate) fn window_counts(
        &self,
        conn: &Connection,
        bind: impl Fn(&mut rusqlite::Statement<'_>) -> rusqlite::Result<()>,
    ) -> [Option<u64>; 3] {
        let count = |query: &Option<String>| {
            // Kept prepared (rusqlite's cache): the statement runs again with new values.
            let mut stmt = conn.prepare_cached(query.as_deref()?).ok()?;
            bind(&mut stmt).ok()?;
            let mut rows = stmt.raw_query();
            let n: i64 = rows.next().ok()??.get(0).ok()?;
            u64::try_from(n).ok()
        };
        [
            count(&self.partition_query),
            count(&self.frame_query),
            count(&self.leaving_query),
        ]
    }

    /// The result columns holding a `count(*)` of a whole table.
    pub(crate) fn count_columns(&self) -> &[usize] {
        self.plan.as_ref().map_or(&[], |p| &p.count_columns)
    }

    /// The plan of a run that starts with deferred foreign key violations outstanding
    /// (`deferred`), or without.
    fn plan(&self, deferred: bool) -> Option<&Plan> {
        match &self.deferred_plan {
            Some(plan) if deferred => Some(plan),
            _ => self.plan.as_ref(),
        }
    }

    /// SQLite's counters before a run.
    pub(crate) fn before(&self) -> Before {
        let Some(stmt) = self.stmt else {
            return Before::default();
        };
        let deferred = self.deferred_plan.is_some() && {
            let (mut outstanding, mut highest) = (0, 0);
            // SAFETY: as in `prepare`; the statement's connection is open.
            unsafe {
                ffi::sqlite3_db_status(
                    ffi::sqlite3_db_handle(stmt.as_ptr()),
                    ffi::SQLITE_DBSTATUS_DEFERRED_FKS,
                    &mut outstanding,
                    &mut highest,
                    0,
                );
            }
            outstanding != 0
        };
        match self.plan(deferred) {
            Some(plan) => Before {
                deferred,
                ..self.counters(plan)
            },
            None => Before::default(),
        }
    }

    /// SQLite's counters that `plan` reads: only those the program can move (a point
    /// lookup reads none).
    fn counters(&self, plan: &Plan) -> Before {
        let Some(stmt) = self.stmt else {
            return Before::default();
        };
        if plan.reads == 0 {
            return Before::default();
        }
        // SAFETY: as in `prepare`.
        let read = |counter: Counter, op| {
            if plan.reads & counter as u8 != 0 {
                unsafe { status(stmt, op) }
            } else {
                0
            }
        };
        Before {
            deferred: false,
            steps: [
                read(Counter::Steps, 0),
                read(Counter::FullScan, ffi::SQLITE_STMTSTATUS_FULLSCAN_STEP),
                read(Counter::AutoIndex, ffi::SQLITE_STMTSTATUS_AUTOINDEX),
            ],
            sorts: read(Counter::Sorts, ffi::SQLITE_STMTSTATUS_SORT),
            instructions: read(Counter::Instructions, ffi::SQLITE_STMTSTATUS_VM_STEP),
            filtered: read(Counter::Filtered, ffi::SQLITE_STMTSTATUS_FILTER_HIT),
        }
    }

    /// The counters of the run since `before` (after [`Counting::prepare`]).
    pub(crate) fn rows(&self, before: Before, observed: Observed) -> Rows {
        let Some(plan) = self.plan(before.deferred) else {
            return Rows::default();
        };
        if let Some((read, written, per_change)) = plan.simple {
            return Rows {
                read,
                written: written + observed.changes * per_change,
            };
        }
        let after = self.counters(plan);
        let steps = [0, 1, 2].map(|i| u64::from(after.steps[i].wrapping_sub(before.steps[i])));
        let sorts = u64::from(after.sorts.wrapping_sub(before.sorts));
        let instructions = u64::from(after.instructions.wrapping_sub(before.instructions));
        let filtered = u64::from(after.filtered.wrapping_sub(before.filtered));
        plan.rows(steps, sorts, instructions, filtered, observed)
    }
}

/// SQLite's counters a plan reads, as bits.
#[derive(Clone, Copy)]
enum Counter {
    Steps = 1,
    FullScan = 2,
    AutoIndex = 4,
    Sorts = 8,
    Instructions = 16,
    Filtered = 32,
}

/// A `PRAGMA` that may set something: preparing it (`EXPLAIN` included) can apply it.
/// The ones that only read are listed.
fn applies_when_prepared(sql: &str) -> bool {
    // `optimize` only looks at each table it may analyze (a `Rewind`, read once) and
    // leaves the work to an `ANALYZE` it runs apart, uncounted.
    const READ_ONLY: [&str; 10] = [
        "optimize",
        "quick_check",
        "integrity_check",
        "foreign_key_check",
        "table_info",
        "table_xinfo",
        "table_list",
        "index_list",
        "index_info",
        "foreign_key_list",
    ];
    let sql = sql.trim_start();
    let Some(rest) = sql.get(..6).filter(|w| w.eq_ignore_ascii_case("pragma")) else {
        return false;
    };
    let rest = sql[rest.len()..].trim_start();
    let name = rest
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
        .next()
        .unwrap_or("");
    let name = name.rsplit('.').next().unwrap_or(name);
    !READ_ONLY.iter().any(|r| r.eq_ignore_ascii_case(name))
}

/// A scan of `pragma_table_list` reads two rows more on D1 than here, whatever it
/// returns (measured in the conformance scenarios that scan it): taken to be D1's two
/// tables of its own (`_cf_KV`, `_cf_METADATA`), stepped through like any other and
/// left out of what it returns. The rows a scan of it reads beyond those here.
fn hidden_listed_rows(sql: &str) -> u64 {
    const LISTING: &str = "pragma_table_list";
    let listed = sql
        .as_bytes()
        .windows(LISTING.len())
        .any(|w| w.eq_ignore_ascii_case(LISTING.as_bytes()));
    if listed { 2 } else { 0 }
}

/// `sqlite3_stmt_status`, which also reads `aCounter[0]` (op 0: steps of loops that
/// are neither full scans nor automatic indexes), the counter `Next` adds to when its
/// `P5` is 0.
unsafe fn status(stmt: NonNull<ffi::sqlite3_stmt>, op: i32) -> u32 {
    // SAFETY: as the caller's; `op` is within SQLite's counter array.
    unsafe { ffi::sqlite3_stmt_status(stmt.as_ptr(), op, 0) as u32 }
}

/// The statement of text `sql` prepared last on `conn`.
unsafe fn newest_statement(conn: &Connection, sql: &str) -> Option<NonNull<ffi::sqlite3_stmt>> {
    // SAFETY (whole function): the handle is the open connection's, and the statements
    // listed are live while nothing else runs on it.
    unsafe {
        let db = conn.handle();
        // SQLite links a statement at the head of its connection's list when it
        // prepares it, so the newest comes first; the others are looked through only
        // if it is not `sql`.
        let mut next = ffi::sqlite3_next_stmt(db, std::ptr::null_mut());
        while let Some(stmt) = NonNull::new(next) {
            let text = ffi::sqlite3_sql(stmt.as_ptr());
            if !text.is_null()
                && CStr::from_ptr(text).to_bytes().trim_ascii() == sql.trim().as_bytes()
            {
                return Some(stmt);
            }
            next = ffi::sqlite3_next_stmt(db, stmt.as_ptr());
        }
        None
    }
}

/// One instruction of a program, as `EXPLAIN` lists it.
struct Op {
    /// Its program: 0 for the statement's, then one per trigger program.
    program: usize,
    addr: i64,
    opcode: String,
    p1: i64,
    p2: i64,
    p3: i64,
    /// A table's name (a change's), a key's description (`k(..)`: an index's cursor).
    p4: Option<Box<str>>,
    p5: i64,
}

/// The program of `sql` and of its triggers, as `EXPLAIN` lists it (a statement of its
/// own: the counted one is left as it is).
fn listing(conn: &Connection, sql: &str) -> rusqlite::Result<Vec<Op>> {
    let mut explain = conn.prepare(&format!("EXPLAIN {sql}"))?;
    let mut rows = explain.raw_query();
    let mut ops = Vec::new();
    let mut program = 0;
    while let Some(row) = rows.next()? {
        let addr: i64 = row.get(0)?;
        // Trigger programs follow the statement's, each from address 0.
        if addr == 0 && !ops.is_empty() {
            program += 1;
        }
        ops.push(Op {
            program,
            addr,
            opcode: row.get(1)?,
            p1: row.get(2)?,
            p2: row.get(3)?,
            p3: row.get(4)?,
            p4: row.get_ref(5)?.as_str_or_null()?.map(Box::from),
            p5: row.get(6)?,
        });
    }
    Ok(ops)
}

/// A loop of a program: the instructions from a backward jump's target to the jump.
struct Loop {
    program: usize,
    start: i64,
    end: i64,
    /// The loop around it.
    parent: Option<usize>,
    kind: LoopKind,
    /// It steps through `sqlite_schema`, which a schema change finds its rows in.
    over_schema: bool,
    /// It steps through the temporary database's schema, always empty on D1 (which
    /// refuses temporary objects), or through rows taken from it: it never iterates.
    empty: bool,
    /// It steps through a temporary table of one row ([`single_row_cursors`]): it
    /// never steps, and runs once each time it is entered.
    single: bool,
    /// The cursor it steps.
    cursor: i64,
    /// For a loop over the rows of a `VALUES` list: how many there are.
    values: Option<u64>,
    /// For a loop of `Goto` that a `LIMIT` ends (a recursive query's): the limit.
    limit: Option<u64>,
    /// Instructions in it.
    length: u64,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum LoopKind {
    /// Ends in `Next`, `Prev` or `SorterNext`, whose successful steps SQLite counts in
    /// the counter its `P5` names (0, full scan, automatic index: 0, 1, 2 here).
    Step(usize),
    /// Ends in `VNext` (a virtual table).
    Virtual,
    /// Ends in `Goto` (rows from a coroutine, a row set).
    Goto,
}

/// A counted instruction.
struct Site {
    at: i64,
    /// Its program: 0 for the statement's, then one per trigger program.
    program: usize,
    /// It runs only while immediate foreign key violations are outstanding
    /// ([`Plan::violated`]).
    violated: bool,
    /// The innermost loop around it.
    within: Option<usize>,
    kind: SiteKind,
    /// For `LimitLast`: the loop that steps through the rows kept; for `IndexCount`,
    /// the scan of the index counted.
    kept: Option<usize>,
    /// Behind a `Once`: runs at most once per run of the statement.
    once: bool,
    /// Right after a bloom filter (`Filter`), which skips it for the rows it rules out.
    filtered: bool,
    /// For a seek by row id that follows a link in a recursive query: its runs on a
    /// NULL key, which reads nothing ([`null_link_ends`]).
    null_ends: u64,
    /// For `ConflictRead`: the instructions its `NoConflict` skips when there is no row
    /// in the way.
    skipped: u64,
    /// Runs of its loop (or of the program, outside any) whose constants take them past
    /// it ([`unreached`]): a foreign key's parent looked up for a NULL key.
    unreached: u64,
    /// For a write of the statement's own program that goes with a change (an index
    /// entry written with its row, the row itself): the change's position among them.
    bundle: Option<usize>,
    /// In the subroutine that finishes each group of a `GROUP BY` ([`group_output`]),
    /// outside any loop of its own: runs once per group.
    per_group: bool,
    /// Its part in a window's code, when it has one ([`WindowBlock`]).
    window: Option<WindowSite>,
}

/// A loop that feeds a sorter only the rows a condition takes (a partial index's
/// `WHERE`, as the index is built), and the loop over the sorted rows: the steps they
/// share no longer split evenly.
struct Feed {
    scan: usize,
    sorted: usize,
    /// Instructions of the scan's body that the condition skips for a row it leaves out.
    guarded: u64,
}

/// A run of a trigger program (`Program`), from the program that runs it.
struct Call {
    /// The program it is in.
    program: usize,
    at: i64,
    /// The innermost loop around it.
    within: Option<usize>,
    /// The program it runs, when known ([`call_targets`]).
    target: Option<usize>,
    /// In an upsert of one row: it runs only when the row was inserted (`Some(true)`),
    /// or only when it was updated ([`upsert_branches`]).
    branch: Option<bool>,
}

/// What is known of the runs of a statement with triggers, beyond its counters.
#[derive(Clone, Copy, Default)]
struct Given {
    /// The rows its own loop of `Goto` changed ([`Plan::own_loop_runs`]).
    own: Option<u64>,
    /// The runs of the body of the trigger program with a `WHEN`
    /// ([`Plan::when_passes`]).
    passes: Option<u64>,
}

/// A row change and the writes that go with it (its index entries).
struct Bundle {
    writes: u64,
    /// An `Insert` that sets the last row id: a new row, not an update.
    inserts: bool,
    /// `Insert` with `OPFLAG_ISUPDATE`: a row updated.
    updates: bool,
    /// Of the writes, entries of partial indexes ([`partial_key`]), written only for a
    /// row their `WHERE` takes.
    partial: u64,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum SiteKind {
    /// Read once each time it runs.
    Read,
    /// `Last` on the temporary index that keeps an `ORDER BY ... LIMIT`'s best rows:
    /// runs for each row beyond the limit.
    LimitLast,
    /// `Rewind` of a temporary table known not to be empty (a window's partition).
    PartitionStart,
    /// `SeekEnd` before appending to an index being built: it reads only while its
    /// cursor is not on a row, which D1 sees for the first two entries.
    SeekEnd,
    /// Finding the row a unique index says is in the way: runs when an upsert updates
    /// (a `REPLACE` that replaces is taken to meet no conflict).
    ConflictRead,
    /// An equality seek: read once when it finds a row.
    EqualitySeek,
    /// `ANALYZE`'s count of an index's entries before it scans them: an estimate here
    /// (with STAT4 switched off), an exact count on D1 (built without STAT4), where each
    /// entry counted is a row read.
    IndexCount,
    /// `VNext`: read once each time it runs (once per row of its loop).
    VirtualNext,
    /// Written once each time it runs.
    Write,
    /// Written once each time it runs, and it counts as a change.
    Change,
}

/// What the program of a statement says about its counters.
#[derive(Default)]
struct Plan {
    loops: Vec<Loop>,
    sites: Vec<Site>,
    /// Loops per step counter, to share the counter's steps among them.
    steps_per_counter: [u64; 3],
    /// Result columns showing a `Count` (`SELECT count(*) FROM t`).
    count_columns: Vec<usize>,
    /// The counters ([`Counter`] bits) the program can move.
    reads: u8,
    /// It inserts rows or updates them in their place (an upsert), in a loop.
    upserts: bool,
    /// It looks for the row a new one conflicts with ([`SiteKind::ConflictRead`]).
    conflicts: bool,
    /// It has loops no counter sees ([`Plan::unseen`]).
    has_unseen: bool,
    /// It has trigger programs.
    triggers: bool,
    /// Its changes are a trigger's (`INSTEAD OF` a view's).
    instead_of: bool,
    /// For a program without loops or steps whose seeks count whether they find a row
    /// (a lookup, insert or update by row id): the rows it reads, the rows it writes
    /// whatever it changes, and the rows written per row changed.
    simple: Option<(u64, u64, u64)>,
    /// The innermost loop of each instruction of the statement's own program that can
    /// run, to weigh the instructions counted against the loops' iterations.
    instructions: Vec<Option<usize>>,
    /// The statement's own program writes without counting changes: a schema change.
    schema: bool,
    /// The statement's own program aggregates (returns a row even for no rows).
    aggregates: bool,
    /// The changes of the statement's own program, in program order.
    bundles: Vec<Bundle>,
    /// `Clear` counting its rows as changes (`DELETE FROM t`).
    clears: bool,
    /// The statement's own program changes rows (a statement with `Change` sites).
    changes_rows: bool,
    /// For a program with a [`SiteKind::ConflictRead`]: each way through it
    /// ([`paths`]), as the instructions it runs and whether it finds the row in the way.
    conflict_paths: Vec<(u64, bool)>,
    /// For a program writing entries of partial indexes: each way through it that ends
    /// without an error ([`partial_paths`]), as the instructions it runs and the partial
    /// index entries it writes. `None` where the ways cannot be followed.
    partial_paths: Option<Vec<(u64, u64)>>,
    /// For a schema change that rewrites each row of a table: the loop doing it and
    /// the table's root page.
    rewrite: Option<(usize, i64)>,
    /// A sorter fed only the rows a condition takes ([`Feed`]).
    feed: Option<Feed>,
    /// Programs: the statement's and its triggers'.
    programs: usize,
    /// Where trigger programs are run from.
    calls: Vec<Call>,
    /// The changes trigger programs make (in the statement's `total_changes()`): their
    /// program and innermost loop.
    trigger_changes: Vec<(usize, Option<usize>)>,
    /// Trigger programs with a `WHEN`, whose body runs only for the rows it holds for.
    guarded: SmallVec<[usize; 2]>,
    /// The statement's own program counts rows referring to the rows it changes as
    /// immediate foreign key violations (for its cascades to resolve).
    counts_violations: bool,
    /// The statement's own program changes one row at most, and a trigger program
    /// loops over rows (a foreign key action's): the changes beyond that one are the
    /// action's.
    one_own_change: bool,
    /// Rows each scan of a virtual table reads on D1 beyond those here
    /// ([`hidden_listed_rows`]).
    hidden_listed_rows: u64,
    /// The statement's foreign key actions, when the rows each changes can be told
    /// apart.
    actions: Option<Actions>,
    /// The windows' code ([`window_blocks`]), in program order.
    windows: Vec<WindowBlock>,
    /// Seeks of windows' functions behind a test of the frame's size, one per call
    /// (a cursor of its own): their count.
    frame_groups: usize,
    /// Indexes of `min()` or `max()` frames' values, one per call: their count.
    leaving_groups: usize,
}

/// Tables whose changes a run counts apart ([`Observed::table_changes`]), at most.
pub(crate) const WATCHED_TABLES: usize = 8;

/// The trigger programs of a statement that counts rows referring to the rows it
/// changes: its foreign key actions, each a trigger program run for each row the
/// statement changes (an action's own changes run the actions on its table in turn).
/// The rows each changes are told apart by table and kind of change, as the update
/// hook reports them ([`KindsHook`]); the statement's own are SQLite's `changes()`; one
/// program's may be what is left. How often each program ran follows.
struct Actions {
    /// Per trigger program (the first is program 1).
    programs: Vec<Action>,
    /// The tables and kinds of change (`SQLITE_DELETE`, ...) counted.
    watched: SmallVec<[(Box<str>, i32); 4]>,
    /// The one watched the statement's own changes fall in too, to take them away.
    own: Option<usize>,
    /// The statement's own loop it changes rows in, once per row (with triggers,
    /// SQLite first finds the rows to change, then changes each).
    statement_loop: Option<usize>,
    /// The table and kind of the statement's own changes, when the hook reports them
    /// and no action's: each followed by its actions' tells which rows had rows
    /// referring to them ([`Observed::acted_on`]).
    statement: Option<(Box<str>, i32)>,
}

struct Action {
    /// Where its `Program` instructions are: their program, and the loop there they
    /// sit in (once per iteration of it, or once per run of that program outside any).
    invokers: SmallVec<[(usize, Option<usize>); 2]>,
    /// The rows it changes.
    changed: Changed,
    /// The loop of its own it changes rows in, once per row.
    change_loop: Option<usize>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Changed {
    Nothing,
    /// Those of a watched table and kind ([`Actions::watched`]).
    Watched(usize),
    /// The changes not otherwise accounted for.
    Rest,
}

impl Actions {
    /// The actions of the programs of `ops` (`plan` built from them), or `None` when
    /// the rows each changes cannot be told apart: programs run from places that do
    /// not say which, a program changing several tables or in several ways, or more
    /// than one program whose changes the update hook does not report (a table without
    /// row ids). Programs changing a table alike share what it reports.
    fn new(ops: &[Op], plan: &Plan) -> Option<Actions> {
        if !plan.counts_violations || plan.programs < 2 {
            return None;
        }
        // `EXPLAIN` lists each trigger program once, after the programs before it, in
        // the order their `Program` instructions first come: with as many of them as
        // programs, the n-th runs program n; with a single program, all run it (a
        // self-referencing cascade runs it again).
        let runs: Vec<&Op> = ops.iter().filter(|o| o.opcode == "Program").collect();
        let target = |n: usize| {
            if plan.programs == 2 {
                Some(1)
            } else if runs.len() == plan.programs - 1 {
                Some(n + 1)
            } else {
                None
            }
        };
        let innermost = |program: usize, addr: i64| {
            (0..plan.loops.len()).rev().find(|&l| {
                let lp = &plan.loops[l];
                lp.program == program && lp.start <= addr && addr <= lp.end
            })
        };
        // Each program's table and kind of change, if it changes rows, and whether the
        // hook reports them.
        let mut changes: Vec<Option<(&str, i32, bool)>> = Vec::with_capacity(plan.programs);
        let mut statement_loops: SmallVec<[Option<usize>; 2]> = SmallVec::new();
        // The statement's own (an upsert both inserts and updates).
        let mut statement: SmallVec<[(&str, i32); 2]> = SmallVec::new();
        let mut statement_hooked = true;
        for program in 0..plan.programs {
            let ops: Vec<&Op> = ops.iter().filter(|o| o.program == program).collect();
            // Cursors opened on an index (a table without row ids among them).
            let keyed: SmallVec<[i64; 8]> = ops
                .iter()
                .filter(|o| {
                    matches!(o.opcode.as_str(), "OpenWrite" | "OpenRead")
                        && o.p4.as_deref().is_some_and(|k| k.starts_with("k("))
                })
                .map(|o| o.p1)
                .collect();
            let mut changed = None;
            for op in &ops {
                let kind = match op.opcode.as_str() {
                    "Insert" | "IdxInsert" if op.p5 & OPFLAG_NCHANGE == 0 => continue,
                    "Insert" | "IdxInsert" if op.p5 & OPFLAG_ISUPDATE != 0 => ffi::SQLITE_UPDATE,
                    "Insert" | "IdxInsert" => ffi::SQLITE_INSERT,
                    "Delete" if op.p2 & OPFLAG_NCHANGE != 0 => ffi::SQLITE_DELETE,
                    _ => continue,
                };
                let hooked = op.opcode != "IdxInsert" && !keyed.contains(&op.p1);
                let this = (op.p4.as_deref().unwrap_or(""), kind, hooked);
                if program == 0 {
                    if !statement.contains(&(this.0, kind)) {
                        statement.push((this.0, kind));
                    }
                    statement_hooked &= hooked;
                    let within = innermost(0, op.addr);
                    if !statement_loops.contains(&within) {
                        statement_loops.push(within);
                    }
                    continue;
                }
                if changed.is_some_and(|c| c != this) {
                    return None;
                }
                changed = Some(this);
            }
            changes.push(changed);
        }
        let mut watched: SmallVec<[(Box<str>, i32); 4]> = SmallVec::new();
        let mut programs: Vec<Action> = (1..plan.programs)
            .map(|_| Action {
                invokers: SmallVec::new(),
                changed: Changed::Nothing,
                change_loop: None,
            })
            .collect();
        for (n, run) in runs.iter().enumerate() {
            let program = target(n)?;
            // A program is listed after the one running it (but may run itself).
            if run.program > program {
                return None;
            }
            let action = &mut programs[program - 1];
            action
                .invokers
                .push((run.program, innermost(run.program, run.addr)));
        }
        let mut rest = 0;
        // Changes the hook does not report: they cannot tell the rows acted on.
        let mut unreported = false;
        for (i, action) in programs.iter_mut().enumerate() {
            let program = i + 1;
            let Some((table, kind, hooked)) = changes[program] else {
                continue;
            };
            // Programs changing a table alike (two keys of one table referring to the
            // parent) share what the hook reports.
            action.changed = if hooked && !table.is_empty() {
                let slot = watched
                    .iter()
                    .position(|(t, k)| &**t == table && *k == kind);
                Changed::Watched(slot.unwrap_or_else(|| {
                    watched.push((table.into(), kind));
                    watched.len() - 1
                }))
            } else {
                rest += 1;
                unreported |= !hooked;
                Changed::Rest
            };
            action.change_loop = ops
                .iter()
                .filter(|o| o.program == program)
                .filter(|o| match o.opcode.as_str() {
                    "Insert" | "IdxInsert" => o.p5 & OPFLAG_NCHANGE != 0,
                    "Delete" => o.p2 & OPFLAG_NCHANGE != 0,
                    _ => false,
                })
                .map(|o| innermost(program, o.addr))
                .next()
                .flatten();
        }
        let mut own = watched
            .iter()
            .enumerate()
            .filter(|(_, (t, k))| statement.contains(&(&**t, *k)))
            .map(|(slot, _)| slot);
        let (first_own, more_own) = (own.next(), own.next());
        // Only the statement's changes of one kind can be taken away from those watched.
        let own_apart = more_own.is_none() && (first_own.is_none() || statement.len() == 1);
        (rest <= 1 && own_apart && watched.len() <= WATCHED_TABLES).then_some(Actions {
            programs,
            watched,
            own: first_own,
            statement_loop: match statement_loops[..] {
                [Some(l)] if plan.loops[l].values.is_none() => Some(l),
                _ => None,
            },
            statement: match statement[..] {
                [(table, kind)]
                    if statement_hooked
                        && !unreported
                        && first_own.is_none()
                        && !table.is_empty() =>
                {
                    Some((table.into(), kind))
                }
                _ => None,
            },
        })
    }
}

impl Plan {
    /// The plan of a program; `deferred`: for a run that starts with deferred foreign
    /// key violations outstanding.
    fn new(ops: &[Op], deferred: bool) -> Plan {
        let mut plan = Plan::default();
        let programs = ops.last().map_or(0, |o| o.program + 1);
        plan.programs = programs;
        let listed: Vec<Vec<&Op>> = (0..programs)
            .map(|program| ops.iter().filter(|o| o.program == program).collect())
            .collect();
        for (program, ops) in listed.iter().enumerate() {
            plan.add_program(program, ops, deferred);
        }
        let targets = call_targets(ops, programs);
        for call in &mut plan.calls {
            call.target = targets
                .iter()
                .find(|t| (t.0, t.1) == (call.program, call.at))
                .and_then(|t| t.2);
        }
        if let Some(conflict) = plan
            .sites
            .iter()
            .find(|s| s.program == 0 && s.kind == SiteKind::ConflictRead)
        {
            plan.conflict_paths = paths(&listed, &targets, conflict.at).unwrap_or_default();
            let insert = plan.bundles.iter().position(|b| b.inserts).and_then(|b| {
                let sites = plan.sites.iter();
                sites
                    .filter(|s| s.kind == SiteKind::Change && s.bundle == Some(b))
                    .map(|s| s.at)
                    .next()
            });
            if let Some(insert) = insert.filter(|_| plan.loops.is_empty()) {
                upsert_branches(&mut plan.calls, &listed[0], conflict.at, insert);
            }
        }
        plan.conflicts = plan.sites.iter().any(|s| s.kind == SiteKind::ConflictRead);
        for site in &mut plan.sites {
            if let Some(WindowSite::PerRow {
                guarded: true,
                first: true,
                lead,
                ..
            }) = &mut site.window
            {
                *lead = plan.frame_groups == 0;
                plan.frame_groups += 1;
            }
            if let Some(WindowSite::Leaving { first: true, lead }) = &mut site.window {
                *lead = plan.leaving_groups == 0;
                plan.leaving_groups += 1;
            }
        }
        // A single row (no loop) tells insert from update by the last row id.
        plan.upserts = plan.bundles.iter().any(|b| b.inserts)
            && plan.bundles.iter().any(|b| b.updates)
            && !plan.loops.is_empty();
        plan.has_unseen = plan.loops.iter().any(|l| plan.unseen(l));
        plan.actions = Actions::new(ops, &plan);
        let trigger_loops = plan
            .loops
            .iter()
            .filter(|l| l.program > 0 && l.kind == LoopKind::Goto);
        plan.one_own_change = plan.counts_violations
            && programs == 2
            && trigger_loops.count() == 1
            && plan
                .sites
                .iter()
                .filter(|s| s.kind == SiteKind::Change && s.bundle.is_some())
                .all(|s| s.within.is_none_or(|l| plan.loops[l].program > 0));
        // The instructions run also tell an empty table from a table of one row, and
        // whether a `REPLACE` of one row met a row in its way.
        if plan.has_unseen
            || plan.feed.is_some()
            || plan.conflicts
            || plan.partial_paths.is_some()
            || plan
                .loops
                .iter()
                .any(|l| matches!(l.kind, LoopKind::Step(_)))
        {
            plan.reads |= Counter::Instructions as u8;
        }
        // A trigger's `WHEN` leaves its reads to the changes ([`Plan::when_passes`]).
        if plan.loops.is_empty()
            && plan.reads == 0
            && plan.guarded.is_empty()
            && plan.bundles.len() <= 1
            && !plan.clears
            && plan.count_columns.is_empty()
            && !plan.upserts
            && plan
                .sites
                .iter()
                .all(|s| s.bundle.is_some() || matches!(s.kind, SiteKind::Read | SiteKind::Write))
        {
            // Each site as many times as its program runs: a trigger program run from
            // two statements of another runs twice.
            let runs = plan.runs([0; 3], Observed::default(), &[], None);
            let own = |kind: SiteKind| {
                let sites = plan.sites.iter().filter(|s| s.bundle.is_none());
                let sites = sites.filter(|s| s.kind == kind && s.unreached == 0);
                sites.map(|s| plan.fired(&runs, s.program)).sum::<u64>()
            };
            let per_change = plan.bundles.first().map_or(0, |b| b.writes);
            plan.simple = Some((own(SiteKind::Read), own(SiteKind::Write), per_change));
        }
        plan
    }

    /// A loop over rows no counter sees (a coroutine's, a virtual table's), when the
    /// rows returned do not tell either (an aggregate): its iterations are found from
    /// the instructions run.
    fn unseen(&self, l: &Loop) -> bool {
        self.aggregates
            && l.program == 0
            && l.parent.is_none()
            && (l.kind == LoopKind::Virtual || (l.kind == LoopKind::Goto && !self.changes_rows))
    }

    fn add_program(&mut self, program: usize, ops: &[&Op], deferred: bool) {
        let first_loop = self.loops.len();
        if program == 0 {
            self.counts_violations = ops
                .iter()
                .any(|o| o.opcode == "FkCounter" && o.p1 == 0 && o.p2 > 0);
        }
        // Writes since the last change, which go with the next one, and of them the
        // entries of partial indexes.
        let mut open = 0u64;
        let mut open_partial = 0u64;
        // Cursors on temporary tables and indexes, whose writes D1 does not count.
        let mut ephemeral = Vec::new();
        let mut seek_eq = Vec::new();
        // `Init` jumps to the prologue at the end, which jumps back to address 1: not a
        // loop.
        let prologue = ops
            .first()
            .filter(|o| o.opcode == "Init")
            .map_or(i64::MAX, |o| o.p2);
        // A cascade's program, run for rows the statement found referring to the rows it
        // changes (each counted as a violation): its check of whether each such row was
        // in violation runs.
        let cascaded = program > 0 && self.counts_violations;
        let listed = ops;
        let first_site = self.sites.len();
        let live = reachable(ops, deferred || cascaded, None);
        // The statement's own code that runs only while rows it found referring to the
        // rows it changes are outstanding (an update of a parent key looking for rows
        // that refer to the new key): with foreign key actions to resolve them
        // ([`Plan::violated`]).
        let first_counted = ops
            .iter()
            .find(|o| o.opcode == "FkCounter" && o.p1 == 0 && o.p2 > 0)
            .map(|o| o.addr);
        let violated_live = if program == 0 && self.programs > 1 && first_counted.is_some() {
            reachable(ops, deferred, first_counted)
        } else {
            live.clone()
        };
        let violated: SmallVec<[i64; 8]> = ops
            .iter()
            .zip(live.iter().zip(&violated_live))
            .filter(|(_, (live, violated))| **violated && !**live)
            .map(|(op, _)| op.addr)
            .collect();
        let ops: Vec<&Op> = ops
            .iter()
            .zip(&violated_live)
            .filter_map(|(op, &live)| live.then_some(*op))
            .collect();
        let ops = ops.as_slice();
        let empty = empty_cursors(ops, listed);
        let single = single_row_cursors(ops, prologue);
        let group_output = group_output(ops);
        // Cursors on `sqlite_schema` (root page 1), or on a temporary table filled from it.
        let mut schema_cursors = Vec::new();
        for op in ops {
            match op.opcode.as_str() {
                "OpenRead" | "OpenWrite" if op.p2 == 1 && op.p3 == 0 => schema_cursors.push(op.p1),
                "OpenEphemeral" if ops.iter().any(|o| o.opcode == "Insert" && o.p1 == op.p1) => {
                    schema_cursors.push(op.p1);
                }
                _ => {}
            }
            match op.opcode.as_str() {
                "OpenEphemeral" | "OpenAutoindex" | "SorterOpen" | "OpenPseudo" | "OpenDup" => {
                    ephemeral.push(op.p1)
                }
                "OpenRead" | "OpenWrite" | "ReopenIdx" if op.p5 & OPFLAG_SEEKEQ != 0 => {
                    seek_eq.push(op.p1)
                }
                _ => {}
            }
            let kind = match op.opcode.as_str() {
                "Next" | "Prev" => LoopKind::Step(match op.p5 {
                    1 => 1,
                    3 => 2,
                    _ => 0,
                }),
                "SorterNext" => LoopKind::Step(0),
                "VNext" => LoopKind::Virtual,
                "Goto" => LoopKind::Goto,
                _ => continue,
            };
            if op.p2 > 0 && op.p2 <= op.addr && !(op.addr >= prologue && op.p2 < prologue) {
                let empty = empty.contains(&op.p1);
                let single = single.contains(&op.p1);
                if let LoopKind::Step(c) = kind
                    && !empty
                    && !single
                {
                    self.steps_per_counter[c] += 1;
                }
                self.loops.push(Loop {
                    program,
                    start: op.p2,
                    end: op.addr,
                    parent: None,
                    kind,
                    over_schema: schema_cursors.contains(&op.p1),
                    empty,
                    single,
                    cursor: op.p1,
                    values: (kind == LoopKind::Goto)
                        .then(|| values_rows(ops, op.p2))
                        .flatten(),
                    limit: (kind == LoopKind::Goto)
                        .then(|| loop_limit(ops, op.p2, op.addr))
                        .flatten(),
                    length: ops
                        .iter()
                        .filter(|o| (op.p2..=op.addr).contains(&o.addr))
                        .count() as u64,
                });
            }
        }
        // Outer loops first: a loop's parent comes before it.
        self.loops[first_loop..].sort_by_key(|l| (l.start, -l.end));
        for i in first_loop..self.loops.len() {
            let (start, end) = (self.loops[i].start, self.loops[i].end);
            self.loops[i].parent = (first_loop..i)
                .rev()
                .find(|&p| self.loops[p].start <= start && end <= self.loops[p].end);
        }
        // A coroutine run only behind a `Once` runs its loops once per run of the
        // statement, whatever loop its code sits in.
        let once_bodies = once_coroutines(ops);
        let in_body = |addr: i64| once_bodies.iter().find(|b| b.0 <= addr && addr < b.1);
        for i in first_loop..self.loops.len() {
            if let (Some(body), Some(p)) = (in_body(self.loops[i].start), self.loops[i].parent)
                && in_body(self.loops[p].start) != Some(body)
            {
                self.loops[i].parent = None;
            }
        }
        let innermost = |addr: i64, loops: &[Loop]| {
            (first_loop..loops.len())
                .rev()
                .find(|&l| loops[l].start <= addr && addr <= loops[l].end)
        };
        let first_window = self.windows.len();
        self.windows
            .extend(window_blocks(ops, &self.loops, first_loop, first_window));
        if program == 0 {
            self.instructions = ops.iter().map(|o| innermost(o.addr, &self.loops)).collect();
            self.feed = self.feed(ops);
        } else {
            self.triggers = true;
            if has_when(ops) {
                self.guarded.push(program);
            }
        }
        for (i, op) in ops.iter().enumerate() {
            let temporary = ephemeral.contains(&op.p1);
            let previous = |n: usize| i.checked_sub(n).map_or("", |p| ops[p].opcode.as_str());
            if program == 0 && op.opcode == "AggFinal" {
                self.aggregates = true;
            }
            // Every step adds to a counter, in a loop or not (a window's look ahead).
            self.reads |= match (op.opcode.as_str(), op.p5) {
                ("Sort" | "SorterSort", _) => Counter::Sorts as u8,
                ("Filter", _) => Counter::Filtered as u8,
                ("Next" | "Prev", 1) => Counter::FullScan as u8,
                ("Next" | "Prev", 3) => Counter::AutoIndex as u8,
                ("Next" | "Prev" | "SorterNext", _) => Counter::Steps as u8,
                _ => 0,
            };
            // Code after a `Goto` that only a later jump leads to (`min()` seeking past
            // NULLs again) runs only in rare cases; code that `NoConflict` skips runs
            // only when a `REPLACE` meets a conflict.
            if previous(1) == "Goto"
                && !ops[..i]
                    .iter()
                    .any(|o| o.p2 == op.addr && o.opcode != "Init")
            {
                continue;
            }
            // An `IN` that found nothing looks for a NULL among the values, only when
            // its left side is NULL.
            if op.opcode == "Rewind" && previous(1) == "NotNull" {
                continue;
            }
            if op.opcode == "Program" {
                self.calls.push(Call {
                    program,
                    at: op.addr,
                    within: innermost(op.addr, &self.loops),
                    target: None,
                    branch: None,
                });
                continue;
            }
            let on_conflict = previous(1) == "IdxRowid" && previous(2) == "NoConflict";
            let kind = match op.opcode.as_str() {
                "Last" if temporary => SiteKind::LimitLast,
                "NotExists" | "SeekRowid" if on_conflict => SiteKind::ConflictRead,
                "SeekEnd" => SiteKind::SeekEnd,
                // A window's first row of a partition: once per partition, taken as
                // once per entry into the loop around it.
                "Rewind" if op.p2 == 0 => SiteKind::PartitionStart,
                "Rewind" | "Last" | "SeekRowid" | "NotExists" => SiteKind::Read,
                "SeekGE" | "SeekGT" | "SeekLE" | "SeekLT" if seek_eq.contains(&op.p1) => {
                    SiteKind::EqualitySeek
                }
                "SeekGE" | "SeekGT" | "SeekLE" | "SeekLT" => SiteKind::Read,
                "VNext" => SiteKind::VirtualNext,
                "Insert" | "IdxInsert" if !temporary && op.p5 & OPFLAG_NCHANGE != 0 => {
                    SiteKind::Change
                }
                "Insert" | "IdxInsert" if !temporary => SiteKind::Write,
                "Delete" if !temporary && op.p2 & OPFLAG_NCHANGE != 0 => SiteKind::Change,
                "VUpdate" => SiteKind::Write,
                "Clear" if op.p3 != 0 => {
                    self.clears = true;
                    continue;
                }
                "Count" if op.p3 == 0 && program == 0 => {
                    self.count_columns.extend(count_column(ops, op.p2));
                    continue;
                }
                "Count" if program == 0 => SiteKind::IndexCount,
                _ => continue,
            };
            // A trigger's changes are in the statement's `total_changes()` already,
            // counted with the statement's own ([`Plan::own_changes`]); those of a
            // view's `INSTEAD OF` trigger (the statement changes nothing itself) are all
            // there is.
            let own = program == 0 || !self.changes_rows || self.instead_of;
            if !own && kind == SiteKind::Change {
                self.trigger_changes
                    .push((program, innermost(op.addr, &self.loops)));
                continue;
            }
            let mut bundle = None;
            if own && matches!(kind, SiteKind::Write | SiteKind::Change) {
                bundle = Some(self.bundles.len());
                open += 1;
                open_partial += u64::from(partial_key(ops, i).is_some());
                if kind == SiteKind::Change {
                    self.changes_rows = true;
                    self.instead_of = program > 0;
                    self.bundles.push(Bundle {
                        writes: open,
                        inserts: op.opcode == "Insert" && op.p5 & OPFLAG_LASTROWID != 0,
                        updates: op.opcode == "Insert" && op.p5 & OPFLAG_ISUPDATE != 0,
                        partial: open_partial,
                    });
                    open = 0;
                    open_partial = 0;
                }
            }
            let kept = (first_loop..self.loops.len()).find(|&l| {
                matches!(kind, SiteKind::LimitLast | SiteKind::IndexCount)
                    && self.loops[l].cursor == op.p1
                    && matches!(self.loops[l].kind, LoopKind::Step(_))
            });
            let within = innermost(op.addr, &self.loops);
            let window = self.windows[first_window..]
                .iter()
                .enumerate()
                .find_map(|(b, block)| block.role(first_window + b, op, ops));
            self.sites.push(Site {
                at: op.addr,
                program,
                violated: violated.contains(&op.addr),
                kept,
                once: behind_once(ops, op.addr, within.map(|l| self.loops[l].start))
                    || in_body(op.addr).is_some_and(|body| {
                        within.is_none_or(|l| in_body(self.loops[l].start) != Some(body))
                    }),
                filtered: previous(1) == "Filter",
                null_ends: match within {
                    Some(l) if kind == SiteKind::Read => null_link_ends(ops, i, &self.loops, l),
                    _ => 0,
                },
                skipped: match i.checked_sub(2).map(|p| ops[p]) {
                    Some(test) if kind == SiteKind::ConflictRead => {
                        u64::try_from(test.p2 - test.addr - 1).unwrap_or(0)
                    }
                    _ => 0,
                },
                unreached: 0,
                within,
                kind,
                bundle,
                per_group: program == 0
                    && within.is_none()
                    && group_output.is_some_and(|(from, to)| (from..=to).contains(&op.addr)),
                window,
            });
        }
        self.mark_unreached(program, ops, first_loop, first_site);
        if program == 0 && self.bundles.iter().any(|b| b.partial > 0) {
            self.partial_paths = partial_paths(listed);
        }
        if program == 0 && !self.changes_rows {
            self.schema = self
                .sites
                .iter()
                .any(|s| matches!(s.kind, SiteKind::Write | SiteKind::Change));
        }
        // Writes after the last change (`sqlite_sequence` kept up to date, a schema
        // change's rows) go with no change.
        let unfinished = Some(self.bundles.len());
        for site in self.sites.iter_mut().filter(|s| s.bundle == unfinished) {
            site.bundle = None;
        }
        if program == 0 && self.schema {
            self.rewrite = self.rewrite(ops);
        }
    }

    /// Counts, for the sites of `program` (its live instructions `ops`, its loops and
    /// sites from `first_loop` and `first_site`), the runs that go past them whatever
    /// the data ([`Site::unreached`]): for each row of a `VALUES` list the code of its
    /// loop runs with the row's constants, and a program without loops with its own.
    fn mark_unreached(
        &mut self,
        program: usize,
        ops: &[&Op],
        first_loop: usize,
        first_site: usize,
    ) {
        /// Rows of a `VALUES` list looked at, at most: the walk is per row.
        const MOST_ROWS: usize = 4096;
        if program == 0 && first_loop == self.loops.len() {
            let reached = unreached_from(ops, 1, i64::MAX, Registers::new());
            for site in &mut self.sites[first_site..] {
                if site.bundle.is_none() && !reached(site.at) {
                    site.unreached = 1;
                }
            }
            return;
        }
        for l in first_loop..self.loops.len() {
            let lp = &self.loops[l];
            if lp.kind != LoopKind::Goto || lp.values.is_none() {
                continue;
            }
            let (start, end) = (lp.start, lp.end);
            let Some(rows) = values_registers(ops, start).filter(|r| r.len() <= MOST_ROWS) else {
                continue;
            };
            for row in rows {
                let reached = unreached_from(ops, start + 1, end, row);
                for site in &mut self.sites[first_site..] {
                    if site.within == Some(l) && site.bundle.is_none() && !reached(site.at) {
                        site.unreached += 1;
                    }
                }
            }
        }
    }

    /// How many times each loop's body ran, outer loops first, then how many times each
    /// program ran ([`Plan::fired`]); `unseen` for the loops no counter sees, once found.
    fn runs(
        &self,
        steps: [u64; 3],
        seen: Observed,
        one_row: &[usize],
        unseen: Option<u64>,
    ) -> SmallVec<[u64; 8]> {
        self.runs_with(steps, seen, one_row, unseen, Given::default())
    }

    /// [`Plan::runs`], with what else is known of the runs of a statement with triggers.
    fn runs_with(
        &self,
        steps: [u64; 3],
        seen: Observed,
        one_row: &[usize],
        unseen: Option<u64>,
        given: Given,
    ) -> SmallVec<[u64; 8]> {
        let mut runs: SmallVec<[u64; 8]> =
            smallvec::smallvec![0; self.loops.len() + self.programs.max(1)];
        runs[self.loops.len()] = 1;
        // Programs whose runs are known: those before the program of the loop at hand,
        // whose loops come first.
        let mut known = 1;
        let mut taken = [0u64; 3];
        // A table rewritten whose rows are known: its loop's steps are not shared.
        let rewritten = self.rewrite.map(|r| r.0).zip(seen.rewritten);
        let (mut steps, mut steps_per_counter) = (steps, self.steps_per_counter);
        if let Some((l, rows)) = rewritten
            && let LoopKind::Step(c) = self.loops[l].kind
        {
            steps[c] = steps[c].saturating_sub(rows.saturating_sub(1));
            steps_per_counter[c] = steps_per_counter[c].saturating_sub(1);
        }
        for (i, l) in self.loops.iter().enumerate() {
            while known <= l.program {
                runs[self.loops.len() + known] = self.program_runs(known, &runs, given, seen);
                known += 1;
            }
            let entered = l
                .parent
                .map_or(runs[self.loops.len() + l.program], |p| runs[p]);
            if let Some(changed) = self.action_rows(i, seen) {
                runs[i] = changed;
                continue;
            }
            runs[i] = match l.kind {
                _ if rewritten.is_some_and(|(l, _)| l == i) => rewritten.map_or(0, |r| r.1),
                LoopKind::Step(_) if l.empty => 0,
                LoopKind::Step(_) if l.single => entered,
                LoopKind::Step(c) => {
                    // A counter's steps are shared evenly among its loops.
                    let loops = steps_per_counter[c].max(1);
                    let share = steps[c] / loops + u64::from(taken[c] < steps[c] % loops);
                    taken[c] += 1;
                    // No step: an empty table, or a single row. A read that returned
                    // nothing or a write that changed nothing leaves it open; a schema
                    // change's loops over `sqlite_schema` find their row; otherwise the
                    // instructions run tell whether the loop's ran (for a lone loop of
                    // the statement's own program).
                    let open = share == 0 && seen.returned == 0 && seen.changes == 0;
                    if !open || (self.schema && l.over_schema) {
                        share + entered
                    } else if l.program == 0
                        && l.parent.is_none()
                        && !self.triggers
                        && one_row.contains(&i)
                    {
                        entered
                    } else {
                        0
                    }
                }
                LoopKind::Goto if l.values.is_some() => l.values.unwrap_or(0),
                // A cascade's rows, once the row the statement changed itself is taken
                // away.
                LoopKind::Goto if self.changes_rows && l.program > 0 && self.one_own_change => {
                    seen.changes.saturating_sub(1)
                }
                LoopKind::Goto if self.changes_rows && l.program == 0 && given.own.is_some() => {
                    given.own.unwrap_or(seen.changes)
                }
                LoopKind::Goto if self.changes_rows => seen.changes,
                // A window's loop over the rows of its input, when nothing was returned
                // and no loop stepped: an empty input (a window returns a row for each
                // row of its input).
                LoopKind::Goto
                    if l.program == 0
                        && l.parent.is_none()
                        && seen.returned == 0
                        && steps.iter().all(|&s| s == 0)
                        && self
                            .sites
                            .iter()
                            .any(|s| s.kind == SiteKind::PartitionStart && s.within == Some(i)) =>
                {
                    0
                }
                LoopKind::Virtual | LoopKind::Goto
                    if l.program == 0
                        && l.parent.is_none()
                        && unseen.is_some()
                        && self.aggregates =>
                {
                    unseen.unwrap_or(0)
                }
                LoopKind::Virtual | LoopKind::Goto if l.program == 0 && seen.returned > 0 => {
                    seen.returned
                }
                LoopKind::Virtual | LoopKind::Goto => entered,
            };
        }
        while known < self.programs {
            runs[self.loops.len() + known] = self.program_runs(known, &runs, given, seen);
            known += 1;
        }
        runs
    }

    /// How many times program `program` ran, from the iterations of the loops
    /// before it (`runs`): once for the statement's, once per iteration of each loop
    /// running it for a foreign key action's ([`Actions`]).
    fn entries(&self, program: usize, runs: &[u64], seen: Observed) -> u64 {
        let action = self
            .actions
            .as_ref()
            .zip(program.checked_sub(1))
            .and_then(|(a, i)| a.programs.get(i));
        let Some(action) = action.filter(|a| !a.invokers.is_empty()) else {
            return 1;
        };
        action
            .invokers
            .iter()
            .map(|&(invoker, within)| match within {
                Some(l) => self.action_rows(l, seen).unwrap_or(runs[l]),
                None if invoker == program => 0,
                None => self.entries(invoker, runs, seen),
            })
            .sum()
    }

    /// The rows the statement changed itself, and those its foreign key actions
    /// changed ([`Actions`]; none without them).
    fn own_changes(&self, seen: Observed) -> (u64, u64) {
        match (&self.actions, seen.own_changes) {
            (Some(_), Some(own)) => {
                let own = own.min(seen.changes);
                (own, seen.changes - own)
            }
            _ => (seen.changes, 0),
        }
    }

    /// The rows foreign key action `program` changed ([`Actions`]).
    fn action_changes(&self, program: usize, seen: Observed) -> Option<u64> {
        let actions = self.actions.as_ref()?;
        let counts = seen.table_changes?;
        let (own, theirs) = self.own_changes(seen);
        let watched = |slot: usize| {
            let mine = if actions.own == Some(slot) { own } else { 0 };
            counts[slot].saturating_sub(mine)
        };
        // The rows of a table and kind shared by the programs changing it alike, evenly
        // (their code is alike too), the first taking what is left over.
        let share = |program: usize, slot: usize| {
            let sharers = actions.programs.iter().enumerate();
            let mut sharers = sharers.filter(|(_, a)| a.changed == Changed::Watched(slot));
            let n = sharers.clone().count() as u64;
            let rank = sharers.position(|(i, _)| i + 1 == program).unwrap_or(0) as u64;
            let total = watched(slot);
            total / n.max(1) + u64::from(rank < total % n.max(1))
        };
        Some(
            match actions.programs.get(program.checked_sub(1)?)?.changed {
                Changed::Nothing => 0,
                Changed::Watched(slot) => share(program, slot),
                Changed::Rest => {
                    let accounted: u64 = (0..actions.watched.len()).map(watched).sum();
                    theirs.saturating_sub(accounted)
                }
            },
        )
    }

    /// For a loop that changes rows once per iteration, when the rows it changes are
    /// known ([`Actions`]): a foreign key action's loop over the rows it changes, or
    /// the statement's own loop over the rows it changes itself.
    fn action_rows(&self, l: usize, seen: Observed) -> Option<u64> {
        let actions = self.actions.as_ref()?;
        seen.own_changes?;
        let lp = &self.loops[l];
        if lp.program == 0 {
            return (actions.statement_loop == Some(l)).then(|| self.own_changes(seen).0);
        }
        let action = actions.programs.get(lp.program - 1)?;
        (action.change_loop == Some(l))
            .then(|| self.action_changes(lp.program, seen))
            .flatten()
    }

    /// Whether code that runs only while immediate foreign key violations are
    /// outstanding ran: the statement's foreign key actions changed rows, resolving
    /// the violations it counted.
    fn violated(&self, seen: Observed) -> bool {
        self.own_changes(seen).1 > 0
    }

    /// How many times program `program` ran ([`Plan::runs`]): a foreign key action's
    /// from the rows the update hook says ([`Plan::entries`]), a trigger's from the
    /// `Program`s that run it ([`Plan::trigger_runs`]).
    fn program_runs(&self, program: usize, runs: &[u64], given: Given, seen: Observed) -> u64 {
        if self.actions.is_some() {
            self.entries(program, runs, seen)
        } else {
            self.trigger_runs(program, runs, given.passes, seen.inserted)
        }
    }

    /// How many times the body of trigger program `program` ran: once for each run of
    /// a `Program` that runs it, from a program before it (whose runs, and those of its
    /// loops, are in `runs`); `passes` times at most for the one with a `WHEN`. In an
    /// upsert of one row, those of the branch it did not take (`inserted`) do not run.
    fn trigger_runs(
        &self,
        program: usize,
        runs: &[u64],
        passes: Option<u64>,
        inserted: bool,
    ) -> u64 {
        let fired = self
            .calls
            .iter()
            .filter(|c| c.target == Some(program) && c.program < program)
            .filter(|c| c.branch.is_none_or(|inserts| inserts == inserted))
            .map(|c| {
                c.within
                    .map_or(runs[self.loops.len() + c.program], |l| runs[l])
            })
            .sum();
        match passes {
            Some(passes) if self.guarded.as_slice() == [program] => passes.min(fired),
            _ => fired,
        }
    }

    /// How many times the body of the one trigger program with a `WHEN` ran, from the
    /// changes: those beyond the statement's own are the triggers', and each run of that
    /// body makes as many (its own and those of the triggers it runs in turn; a change
    /// in a loop taken as one per entry into the loop, as a trigger's statement on a row
    /// found by a key makes). `None` when the changes do not say (then it is taken to
    /// run each time). `rerun`: the runs with that body run so many times.
    fn when_passes(
        &self,
        runs: &[u64],
        rerun: impl Fn(u64) -> SmallVec<[u64; 8]>,
        chosen: usize,
        changes: u64,
    ) -> Option<u64> {
        let &[guarded] = self.guarded.as_slice() else {
            return None;
        };
        if !self.changes_rows || self.instead_of {
            return None;
        }
        let made = |runs: &[u64]| self.trigger_made(runs);
        let fired = self.fired(runs, guarded);
        let (all, none) = (made(runs), made(&rerun(0)));
        let per_pass = all
            .checked_sub(none)
            .filter(|&d| d > 0 && d % fired.max(1) == 0)?
            / fired;
        let beyond = changes
            .checked_sub(self.own_bundle_changes(chosen, runs, changes))?
            .checked_sub(none)?;
        (beyond % per_pass == 0 && beyond / per_pass <= fired).then_some(beyond / per_pass)
    }

    /// The changes trigger programs made, as `runs` has them run (a change in a loop
    /// taken as one per entry into the loop, as a trigger's statement on a row found by
    /// a key makes).
    fn trigger_made(&self, runs: &[u64]) -> u64 {
        let times = |&(program, within): &(usize, Option<usize>)| {
            let fired = self.fired(runs, program);
            within.map_or(fired, |l| self.loops[l].parent.map_or(fired, |p| runs[p]))
        };
        self.trigger_changes.iter().map(times).sum()
    }

    /// How many rows the statement's own loop of `Goto` (over the rows it found to
    /// change, or those of a `SELECT`) changed, when its triggers' changes are in the
    /// changes counted too: each of its rows makes as many trigger changes, so the
    /// changes are `rows + made(0) + rows * (made(1) - made(0))`. `None` where a trigger
    /// with a `WHEN` leaves that unknown, or a foreign key action's program counts
    /// otherwise ([`Plan::one_own_change`]). `rerun`: the runs with that loop run so
    /// many times.
    fn own_loop_runs(
        &self,
        rerun: impl Fn(u64) -> SmallVec<[u64; 8]>,
        changes: u64,
    ) -> Option<u64> {
        let own_loop = self
            .loops
            .iter()
            .any(|l| l.program == 0 && l.kind == LoopKind::Goto && l.values.is_none());
        if !self.triggers
            || self.instead_of
            || !self.changes_rows
            || self.counts_violations
            || !self.guarded.is_empty()
            || !own_loop
        {
            return None;
        }
        let (none, one) = (self.trigger_made(&rerun(0)), self.trigger_made(&rerun(1)));
        let per_row = 1 + one.checked_sub(none)?;
        let rows = changes.checked_sub(none)?;
        (rows % per_row == 0).then_some(rows / per_row)
    }

    /// How many times program `program` ran, from [`Plan::runs`]: the statement's once.
    fn fired(&self, runs: &[u64], program: usize) -> u64 {
        runs.get(self.loops.len() + program).copied().unwrap_or(1)
    }

    /// Of the `changes` counted (`total_changes()`), those the statement's own program
    /// made with its change `bundle`: as many as that change ran, where triggers made
    /// the others, one row written each (their index entries are sites of their own).
    fn own_bundle_changes(&self, bundle: usize, runs: &[u64], changes: u64) -> u64 {
        if !self.triggers || self.instead_of {
            return changes;
        }
        self.sites
            .iter()
            .find(|s| s.kind == SiteKind::Change && s.bundle == Some(bundle))
            .map_or(changes, |s| s.within.map_or(1, |l| runs[l]))
            .min(changes)
    }

    /// Whether the row in the way was found, when the instructions run say
    /// ([`Plan::conflict_paths`]).
    fn conflict_met(&self, instructions: u64) -> Option<bool> {
        let mut ways = self.conflict_paths.iter().filter(|p| p.0 == instructions);
        let first = ways.next()?.1;
        ways.all(|p| p.1 == first).then_some(first)
    }

    /// The loop of a schema change that writes each row of a table of the main
    /// database again (a cursor opened for writing on its root page), and that page.
    fn rewrite(&self, ops: &[&Op]) -> Option<(usize, i64)> {
        // `P5` of `OpenWrite`: `P2` is a register holding the root page.
        const OPFLAG_P2ISREG: i64 = 0x10;
        (0..self.loops.len()).find_map(|l| {
            let lp = &self.loops[l];
            let open = ops.iter().find(|o| {
                o.opcode == "OpenWrite"
                    && o.p1 == lp.cursor
                    && o.p2 > 1
                    && o.p3 == 0
                    && o.p5 & OPFLAG_P2ISREG == 0
            })?;
            let writes = self
                .sites
                .iter()
                .any(|s| s.within == Some(l) && s.kind == SiteKind::Write && s.bundle.is_none());
            (lp.program == 0 && matches!(lp.kind, LoopKind::Step(_)) && !lp.over_schema && writes)
                .then_some((l, open.p2))
        })
    }

    /// The loops of the statement's own program that fill a sorter behind a condition,
    /// and step through it: a `SorterInsert` in a loop that a conditional jump of the
    /// same loop leaps over, and the loop stepping through that sorter, both counting
    /// their steps in a counter no other loop does.
    fn feed(&self, ops: &[&Op]) -> Option<Feed> {
        let step_loop = |l: &Loop| match l.kind {
            LoopKind::Step(c) if l.program == 0 && !l.empty && !l.single => Some(c),
            _ => None,
        };
        ops.iter()
            .filter(|o| o.opcode == "SorterInsert")
            .find_map(|insert| {
                let scan = (0..self.loops.len()).rev().find(|&l| {
                    let l = &self.loops[l];
                    l.program == 0 && l.start <= insert.addr && insert.addr <= l.end
                })?;
                let sorted = (0..self.loops.len()).find(|&l| {
                    self.loops[l].cursor == insert.p1
                        && self.loops[l].start > self.loops[scan].end
                        && step_loop(&self.loops[l]).is_some()
                })?;
                let counter = step_loop(&self.loops[scan])?;
                if step_loop(&self.loops[sorted]) != Some(counter)
                    || self.steps_per_counter[counter] != 2
                {
                    return None;
                }
                let (start, end) = (self.loops[scan].start, self.loops[scan].end);
                let guard = ops.iter().find(|g| {
                    JUMPS.contains(&g.opcode.as_str())
                        && !matches!(g.opcode.as_str(), "Next" | "Prev" | "Once")
                        && start <= g.addr
                        && g.addr < insert.addr
                        && insert.addr < g.p2
                        && g.p2 <= end
                })?;
                let guarded = ops
                    .iter()
                    .filter(|o| guard.addr < o.addr && o.addr < guard.p2)
                    .count() as u64;
                Some(Feed {
                    scan,
                    sorted,
                    guarded,
                })
            })
    }

    /// The rows the scan of a [`Feed`] stepped through and the rows it fed the sorter:
    /// of the splits the steps they share allow (each loop steps once less than its
    /// rows), the one whose instructions come nearest those run.
    fn fed(
        &self,
        feed: &Feed,
        steps: [u64; 3],
        instructions: u64,
        runs: &[u64],
    ) -> Option<(u64, u64)> {
        let LoopKind::Step(counter) = self.loops[feed.scan].kind else {
            return None;
        };
        let shared = steps[counter];
        let (mut fixed, mut per_scanned, mut per_fed) = (0u64, 0u64, 0u64);
        for within in &self.instructions {
            match *within {
                Some(l) if l == feed.scan => per_scanned += 1,
                Some(l) if l == feed.sorted => per_fed += 1,
                Some(l) => fixed += runs[l],
                None => fixed += 1,
            }
        }
        // A row left out skips the guarded code; a row fed runs it.
        let per_scanned = per_scanned.saturating_sub(feed.guarded);
        let per_fed = per_fed + feed.guarded;
        let expected = |(scanned, fed): (u64, u64)| fixed + scanned * per_scanned + fed * per_fed;
        let mut splits: SmallVec<[(u64, u64); 4]> = smallvec::smallvec![(shared + 1, 0)];
        if shared == 0 {
            splits.push((0, 0));
        }
        // Rows fed f >= 1, scanned s = shared + 2 - f >= f: the nearest on that line.
        let slope = per_fed as f64 - per_scanned as f64;
        let base = expected((shared + 2, 0)) as f64;
        let most = (shared + 2) / 2;
        if most >= 1 && slope != 0.0 {
            let best = ((instructions as f64 - base) / slope)
                .round()
                .clamp(1.0, most as f64) as u64;
            for fed in [best.saturating_sub(1).max(1), best, (best + 1).min(most)] {
                splits.push((shared + 2 - fed, fed));
            }
        }
        splits
            .into_iter()
            .min_by_key(|&split| expected(split).abs_diff(instructions))
    }

    /// The entries of partial indexes written, when every way through the program that
    /// runs as many instructions as ran writes as many ([`Plan::partial_paths`]).
    fn partial_written(&self, instructions: u64) -> Option<u64> {
        let mut ways = self
            .partial_paths
            .as_ref()?
            .iter()
            .filter(|p| p.0 == instructions);
        let first = ways.next()?.1;
        ways.all(|p| p.1 == first).then_some(first)
    }

    fn rows(
        &self,
        steps: [u64; 3],
        sorts: u64,
        instructions: u64,
        filtered: u64,
        seen: Observed,
    ) -> Rows {
        let mut runs = self.runs(steps, seen, &[], None);
        // A loop that did not step ran over no row or one: the instructions run say
        // which, against those the other loops account for.
        let mut one_row = SmallVec::<[usize; 2]>::new();
        if !self.triggers && seen.returned == 0 && seen.changes == 0 {
            // In program order: a loop over the rows of another (a sort) had one row
            // if that one had.
            for open in 0..self.loops.len() {
                let l = &self.loops[open];
                if l.program != 0
                    || l.parent.is_some()
                    || l.empty
                    || runs[open] != 0
                    || !matches!(l.kind, LoopKind::Step(_))
                {
                    continue;
                }
                let expected: u64 = self
                    .instructions
                    .iter()
                    .map(|within| within.map_or(1, |l| runs[l]))
                    .sum();
                if 2 * instructions < 2 * expected + l.length {
                    break;
                }
                one_row.push(open);
                runs = self.runs(steps, seen, &one_row, None);
            }
        }
        // Loops no counter sees are taken to iterate alike, as many times as the
        // instructions run say.
        let unseen = |l: &Loop| self.unseen(l);
        let mut unseen_runs = None;
        if self.has_unseen {
            let (mut fixed, mut per_iteration) = (0u64, 0u64);
            for within in &self.instructions {
                let mut outer = *within;
                while let Some(l) = outer.filter(|&l| !unseen(&self.loops[l])) {
                    outer = self.loops[l].parent;
                }
                match (outer, within) {
                    (Some(_), _) => per_iteration += 1,
                    (None, Some(l)) => fixed += runs[*l],
                    (None, None) => fixed += 1,
                }
            }
            let iterations =
                instructions.saturating_sub(fixed) as f64 / per_iteration.max(1) as f64;
            unseen_runs = Some(iterations.round() as u64);
            runs = self.runs(steps, seen, &one_row, unseen_runs);
        }
        if let Some(feed) = &self.feed
            && let Some((scanned, fed)) = self.fed(feed, steps, instructions, &runs)
        {
            runs[feed.scan] = scanned;
            runs[feed.sorted] = fed;
        }
        let windows = self.window_rows(&mut runs, seen);
        // The change that ran: with several (an upsert's insert and update), the kind
        // the last row id says, the first of that kind.
        let chosen = self
            .bundles
            .iter()
            .position(|b| b.inserts == seen.inserted)
            .unwrap_or(0);
        let rerun = |given| self.runs_with(steps, seen, &one_row, unseen_runs, given);
        let own = |own| Given {
            own: Some(own),
            passes: None,
        };
        if let Some(rows) = self.own_loop_runs(|rows| rerun(own(rows)), seen.changes) {
            runs = rerun(own(rows));
        }
        let passes = |passes| Given {
            own: None,
            passes: Some(passes),
        };
        if let Some(times) = self.when_passes(&runs, |p| rerun(passes(p)), chosen, seen.changes) {
            runs = rerun(passes(times));
        }
        // No row found: an aggregate returns its row all the same.
        let nothing = (seen.returned == 0 || self.aggregates)
            && seen.changes == 0
            && steps.iter().all(|&s| s == 0);
        let mut rows = Rows {
            read: steps.iter().sum::<u64>() + sorts + seen.count.unwrap_or(0),
            written: if self.clears { seen.changes } else { 0 },
        };
        match seen.kinds {
            // Each row with the writes of its own kind.
            Some(kinds) => {
                let writes = |f: fn(&Bundle) -> bool| {
                    self.bundles.iter().find(|b| f(b)).map_or(0, |b| b.writes)
                };
                rows.written +=
                    kinds.inserted * writes(|b| b.inserts) + kinds.updated * writes(|b| b.updates);
            }
            None => {
                // A foreign key action's rows are one write each.
                let (own, actions) = self.own_changes(seen);
                if let Some(bundle) = self.bundles.get(chosen) {
                    // A trigger's changes (not a foreign key action's, in `actions`)
                    // are one write each.
                    let mine = if self.actions.is_some() {
                        own
                    } else {
                        self.own_bundle_changes(chosen, &runs, own)
                    };
                    rows.written += mine * bundle.writes + (own - mine);
                    // The entries of partial indexes the rows changed did not get.
                    if let Some(written) = self.partial_written(instructions) {
                        rows.written =
                            (rows.written + written).saturating_sub(mine * bundle.partial);
                    }
                }
                rows.written += actions;
            }
        }
        let mut conflicts_counted = false;
        for site in &self.sites {
            if site.bundle.is_some() || (site.violated && !self.violated(seen)) {
                continue;
            }
            // Each group returns a row (a `HAVING` that drops groups, or a `LIMIT` after
            // another order, leaves some out).
            let mut times = if site.per_group {
                seen.returned
            } else {
                site.within
                    .map_or(self.fired(&runs, site.program), |l| runs[l])
            };
            // The test at the top of a loop of `Goto` runs once more, finding no row,
            // unless the loop's limit ended it first.
            if let Some(l) = site.within
                && self.loops[l].kind == LoopKind::Goto
                && self.loops[l].start == site.at
                && times > 0
                && self.loops[l].limit.is_none_or(|limit| times < limit)
            {
                times += 1;
            }
            // Each a read of the window's own tables, as often as it runs.
            if let Some(times) = site
                .window
                .and_then(|role| window_times(role, &windows, seen))
            {
                rows.read += times;
                continue;
            }
            if site.once {
                times = times.min(1);
            }
            if site.filtered {
                times = times.saturating_sub(filtered);
            }
            // Only for the rows that had rows referring to them.
            if site.violated
                && let Some(acted_on) = seen.acted_on
            {
                times = times.min(acted_on);
            }
            times = times.saturating_sub(site.unreached);
            let fired = self.fired(&runs, site.program);
            let entered = site
                .within
                .map_or(fired, |l| self.loops[l].parent.map_or(fired, |p| runs[p]));
            match site.kind {
                SiteKind::Read => rows.read += times.saturating_sub(site.null_ends),
                SiteKind::VirtualNext => rows.read += times + self.hidden_listed_rows * entered,
                // One of them finds the row in the way of each row updated; a row that
                // was not inserted met its conflict, even where `DO UPDATE ... WHERE`
                // then left it as it was.
                SiteKind::ConflictRead if !conflicts_counted => {
                    conflicts_counted = true;
                    rows.read += match seen.kinds {
                        Some(kinds) => kinds.updated,
                        // A row updated: the row in the way was found, by this code
                        // unless the ways through a program without loops say it was
                        // another conflict (on the row id) that met it.
                        None if !seen.inserted => {
                            if self.loops.is_empty() && !self.triggers {
                                self.conflict_met(instructions).map_or(1, u64::from)
                            } else {
                                1
                            }
                        }
                        // A row inserted (a `REPLACE`, or an upsert that met no
                        // conflict) in a program without loops: the code that finds and
                        // deletes the row in the way ran if every way through the
                        // program that runs as many instructions as ran goes through it
                        // (or, when the ways do not tell, if the instructions run leave
                        // no room for skipping it).
                        None if self.loops.is_empty() => {
                            match self.conflict_met(instructions) {
                                Some(met) => u64::from(met),
                                // Trigger programs' instructions leave no such room.
                                None if self.triggers => 0,
                                None => u64::from(
                                    site.skipped > 0
                                        && instructions + site.skipped
                                            > self.instructions.len() as u64,
                                ),
                            }
                        }
                        None => 0,
                    }
                }
                SiteKind::ConflictRead => {}
                SiteKind::SeekEnd => rows.read += times.min(2),
                SiteKind::PartitionStart => rows.read += entered.min(times),
                // Each row beyond the rows kept (the limit and the offset).
                SiteKind::LimitLast => {
                    let kept = site.kept.map_or(seen.returned, |l| runs[l]);
                    rows.read += times.saturating_sub(kept);
                }
                // As many entries as the scan of the index that follows steps through.
                SiteKind::IndexCount => rows.read += site.kept.map_or(0, |l| runs[l]) * times,
                SiteKind::EqualitySeek if !nothing => rows.read += times,
                SiteKind::EqualitySeek => {}
                SiteKind::Write | SiteKind::Change => rows.written += times,
            }
        }
        rows
    }
}

/// Instructions that may jump to their `P2` (as well as go on to the next).
const JUMPS: &[&str] = &[
    "If",
    "IfNot",
    "IfPos",
    "IfNotZero",
    "DecrJumpZero",
    "IsNull",
    "NotNull",
    "IsType",
    "Eq",
    "Ne",
    "Lt",
    "Le",
    "Gt",
    "Ge",
    "ElseEq",
    "Once",
    "Rewind",
    "Last",
    "Sort",
    "SorterSort",
    "Next",
    "Prev",
    "SorterNext",
    "VNext",
    "VFilter",
    "SeekGE",
    "SeekGT",
    "SeekLE",
    "SeekLT",
    "SeekRowid",
    "NotExists",
    "NoConflict",
    "NotFound",
    "Found",
    "IfNoHope",
    "IdxGT",
    "IdxGE",
    "IdxLT",
    "IdxLE",
    "RowSetRead",
    "RowSetTest",
    "Program",
    "FkIfZero",
    "IfNullRow",
    "IfSizeBetween",
    "IfEmpty",
    "SeekScan",
    "MustBeInt",
    "Filter",
    "IfNotOpen",
    "SorterCompare",
    "Yield",
    "Gosub",
];

/// For the seek `ops[seek]` by row id in loop `within`: how many times it runs on a NULL
/// key, when that loop is a recursive query's (it takes each row off a queue, `Rewind`
/// then `Delete`) and the seek follows a link from a column of the row taken to the
/// next row, which it adds to the queue, all that the loop does. SQLite skips a seek
/// on a NULL key before it reads (D1 counts none), and finding no row or a NULL link
/// looks the same here; each row the query starts from begins a chain of links that
/// ends where the seek finds nothing, taken to be the NULL link (a tree's root). So the
/// rows the query starts from, when that part has no loop (one row each insert).
fn null_link_ends(ops: &[&Op], seek: usize, loops: &[Loop], within: usize) -> u64 {
    let l = &loops[within];
    let op = ops[seek];
    let at = |addr: i64| ops.iter().position(|o| o.addr == addr);
    let (Some(start), Some(end)) = (at(l.start), at(l.end)) else {
        return 0;
    };
    let head = ops[start];
    let queue = head.p1;
    let body = &ops[start..=end];
    let recursive = l.kind == LoopKind::Goto
        && l.limit.is_none()
        && head.opcode == "Rewind"
        && body.iter().any(|o| o.opcode == "Delete" && o.p1 == queue)
        && !loops
            .iter()
            .any(|o| o.program == l.program && o.start > l.start && o.end <= l.end);
    // The key is a column (a row id is never NULL), and a seek finding nothing ends the
    // iteration; finding a row, it adds it to the queue, with no test on the way.
    let link = matches!(op.opcode.as_str(), "SeekRowid" | "NotExists")
        && op.p2 == l.end
        && seek
            .checked_sub(1)
            .is_some_and(|p| ops[p].opcode == "Column" && ops[p].p3 == op.p3);
    let adds = ops.get(seek + 1..end).unwrap_or(&[]);
    let straight = !adds.iter().any(|o| JUMPS.contains(&o.opcode.as_str()));
    let inserts = |o: &&&Op| o.opcode == "Insert" && o.p1 == queue;
    if !(recursive && link && straight && body.iter().filter(inserts).count() == 1) {
        return 0;
    }
    let starts: SmallVec<[&&Op; 2]> = ops[..start].iter().filter(inserts).collect();
    let in_a_loop = |o: &&Op| {
        loops
            .iter()
            .any(|other| other.program == l.program && (other.start..=other.end).contains(&o.addr))
    };
    if starts.iter().any(|o| in_a_loop(o)) {
        return 0;
    }
    starts.len() as u64
}

/// Sets which branch of an upsert of one row each of the statement's `Program`s is in,
/// from its program `ops`: SQLite codes the update after the row in the way is found
/// (at `conflict`), up to a `Goto` past the insert (its row written at `insert`), which
/// follows; triggers run before (`BEFORE INSERT`) run either way.
fn upsert_branches(calls: &mut [Call], ops: &[&Op], conflict: i64, insert: i64) {
    let Some(skip) = ops
        .iter()
        .find(|o| o.opcode == "Goto" && conflict < o.addr && o.addr < insert && o.p2 > insert)
    else {
        return;
    };
    for call in calls.iter_mut().filter(|c| c.program == 0) {
        if call.at > conflict {
            call.branch = Some(call.at > skip.addr);
        }
    }
}

/// Whether a trigger program has a `WHEN`: before its first statement (`Trace`), a test
/// that jumps to its end.
fn has_when(ops: &[&Op]) -> bool {
    let Some(end) = ops.last().map(|o| o.addr) else {
        return false;
    };
    ops.iter()
        .take_while(|o| o.opcode != "Trace")
        .any(|o| o.p2 == end && o.opcode != "Init" && JUMPS.contains(&o.opcode.as_str()))
}

/// Whether the instruction at `at`, in a loop from `loop_start` (its innermost), is
/// behind a `Once`: runs at most once per run. A loop that starts behind the `Once` (a
/// recursive query computed once, for an `IN`) still runs its body once per iteration.
fn behind_once(ops: &[&Op], at: i64, loop_start: Option<i64>) -> bool {
    ops.iter().any(|o| {
        o.opcode == "Once" && o.addr < at && at < o.p2 && loop_start.is_none_or(|s| s <= o.addr)
    })
}

/// Cursors that find no row: on the temporary database's `sqlite_schema` (`ALTER TABLE`
/// updates it too; D1 has no temporary objects), and on temporary tables filled only
/// inside loops over such cursors.
fn empty_cursors(ops: &[&Op], listed: &[&Op]) -> SmallVec<[i64; 4]> {
    let mut empty: SmallVec<[i64; 4]> = ops
        .iter()
        .filter(|o| matches!(o.opcode.as_str(), "OpenRead" | "OpenWrite") && o.p2 == 1 && o.p3 == 1)
        .map(|o| o.p1)
        .collect();
    for op in ops.iter().filter(|o| o.opcode == "OpenEphemeral") {
        let mut fills = ops
            .iter()
            .filter(|o| matches!(o.opcode.as_str(), "Insert" | "IdxInsert") && o.p1 == op.p1)
            .peekable();
        let only_from_empty = fills.peek().is_some()
            && fills.all(|fill| {
                ops.iter().any(|l| {
                    matches!(l.opcode.as_str(), "Next" | "Prev")
                        && l.p2 <= fill.addr
                        && fill.addr <= l.addr
                        && empty.contains(&l.p1)
                })
            });
        // Filled only by code that never runs (`DROP TABLE` moving root pages, which
        // happens only in an auto-vacuum database).
        let never_filled =
            !ops.iter().any(|o| is_fill(o, op.p1)) && listed.iter().any(|o| is_fill(o, op.p1));
        if only_from_empty || never_filled {
            empty.push(op.p1);
        }
    }
    empty
}

/// `op` writes into the table or index of cursor `cursor`.
fn is_fill(op: &Op, cursor: i64) -> bool {
    matches!(op.opcode.as_str(), "Insert" | "IdxInsert") && op.p1 == cursor
}

/// The code of coroutines that run only behind a `Once` (a subquery made into an
/// automatic index once): from, to (not included). Its `InitCoroutine` jumps over it;
/// every other start of it and every `Yield` taking its rows is behind a `Once`.
fn once_coroutines(ops: &[&Op]) -> SmallVec<[(i64, i64); 2]> {
    let once: SmallVec<[(i64, i64); 4]> = ops
        .iter()
        .filter(|o| o.opcode == "Once")
        .map(|o| (o.addr, o.p2))
        .collect();
    if once.is_empty() {
        return SmallVec::new();
    }
    let behind_once = |addr: i64| once.iter().any(|&(at, to)| at < addr && addr < to);
    ops.iter()
        .filter(|o| o.opcode == "InitCoroutine" && o.p2 > o.addr && o.p3 > o.addr)
        .filter_map(|init| {
            let body = (init.p3, init.p2);
            let mut uses = ops.iter().filter(|o| {
                o.p1 == init.p1
                    && o.addr != init.addr
                    && !(body.0..body.1).contains(&o.addr)
                    && matches!(o.opcode.as_str(), "InitCoroutine" | "Yield")
            });
            let first = uses.next()?;
            (behind_once(first.addr) && uses.all(|o| behind_once(o.addr))).then_some(body)
        })
        .collect()
}

/// Temporary tables of one row: filled by a single insert that is in no loop (an
/// aggregate without `GROUP BY` kept for a `MATERIALIZED` view of it), and read only
/// after.
fn single_row_cursors(ops: &[&Op], prologue: i64) -> SmallVec<[i64; 2]> {
    let loops: SmallVec<[(i64, i64); 8]> = ops
        .iter()
        .filter(|o| {
            matches!(
                o.opcode.as_str(),
                "Next" | "Prev" | "SorterNext" | "VNext" | "Goto"
            ) && o.p2 > 0
                && o.p2 <= o.addr
                && !(o.addr >= prologue && o.p2 < prologue)
        })
        .map(|o| (o.p2, o.addr))
        .collect();
    ops.iter()
        .filter(|o| o.opcode == "OpenEphemeral")
        .filter_map(|open| {
            let mut fills = ops.iter().filter(|o| {
                matches!(o.opcode.as_str(), "Insert" | "IdxInsert" | "NewRowid") && o.p1 == open.p1
            });
            let insert = fills.find(|o| o.opcode != "NewRowid")?;
            let one = fills.all(|o| o.opcode == "NewRowid")
                && !loops.iter().any(|&(s, e)| (s..=e).contains(&insert.addr))
                && ops
                    .iter()
                    .rev()
                    .find(|o| o.addr < insert.addr && o.opcode == "AggFinal")
                    .is_some_and(|agg| {
                        !ops.iter().any(|o| {
                            o.addr > agg.addr && o.addr < insert.addr && o.opcode == "Return"
                        })
                    });
            one.then_some(open.p1)
        })
        .collect()
}

/// The subroutine that finishes a group of a `GROUP BY` and outputs its row, from its
/// first instruction to its `Return`: it runs `AggFinal`, and is called (`Gosub`) from
/// inside a loop, at each change of group. What it reads itself (the temporary table of
/// an aggregate's `ORDER BY`, stepped through to feed the aggregate its rows in order)
/// it reads once per group.
fn group_output(ops: &[&Op]) -> Option<(i64, i64)> {
    let in_loop = |addr: i64| {
        ops.iter().any(|o| {
            matches!(o.opcode.as_str(), "Next" | "Prev" | "SorterNext" | "VNext")
                && o.p2 <= addr
                && addr < o.addr
        })
    };
    ops.iter()
        .filter(|o| o.opcode == "Gosub" && o.p2 > o.addr && in_loop(o.addr))
        .find_map(|call| {
            // Its `Return`: the first that no jump of the code before it leaps over.
            let end = ops
                .iter()
                .filter(|o| o.addr >= call.p2 && o.opcode == "Return" && o.p1 == call.p1)
                .find(|ret| {
                    !ops.iter().any(|o| {
                        (call.p2..ret.addr).contains(&o.addr)
                            && JUMPS.contains(&o.opcode.as_str())
                            && o.p2 > ret.addr
                    })
                })?
                .addr;
            ops.iter()
                .any(|o| o.opcode == "AggFinal" && (call.p2..end).contains(&o.addr))
                .then_some((call.p2, end))
        })
}

/// For the `IdxInsert` at `i` (of the statement's own program, addresses as listed):
/// the register of its key when it writes an entry of a partial index, which SQLite
/// sets to NULL for a row the index's `WHERE` leaves out, and tests (`IsNull`) to jump
/// over the write.
fn partial_key(ops: &[&Op], i: usize) -> Option<i64> {
    let (op, test) = (ops[i], ops[i.checked_sub(1)?]);
    (op.opcode == "IdxInsert" && test.opcode == "IsNull" && test.p1 == op.p2 && test.p2 > op.addr)
        .then_some(op.p2)
}

/// Instructions that move cursor `P1` to another row (or open or close it).
const MOVES: &[&str] = &[
    "SeekRowid",
    "NotExists",
    "NotFound",
    "Found",
    "NoConflict",
    "SeekGE",
    "SeekGT",
    "SeekLE",
    "SeekLT",
    "SeekEnd",
    "Rewind",
    "Last",
    "Next",
    "Prev",
    "Insert",
    "Delete",
    "IdxInsert",
    "IdxDelete",
    "DeferredSeek",
    "NullRow",
    "OpenRead",
    "OpenWrite",
    "OpenEphemeral",
    "Close",
];

/// The comparisons of two registers, each jumping when `r[P3] op r[P1]`.
const COMPARISONS: [&str; 6] = ["Eq", "Ne", "Lt", "Le", "Gt", "Ge"];

/// A value a column is taken to have, as [`partial_paths`] follows the ways through a
/// program: which way each comparison with a constant goes depends only on where the
/// value falls among the constants.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Sample {
    Null,
    /// Twice the number (a number between two integers is odd).
    Number(i128),
    /// Text or a blob: greater than any number.
    Text,
}

/// Whether comparison `name` (with flags `p5`) of `left` (`r[P3]`) with `right`
/// (`r[P1]`) jumps.
fn compare(name: &str, p5: i64, left: Sample, right: Sample) -> bool {
    // `P5` flags: a NULL operand jumps; NULL equals NULL (`IS`).
    const JUMPIFNULL: i64 = 0x10;
    const NULLEQ: i64 = 0x80;
    use std::cmp::Ordering::*;
    let order = match (left, right) {
        (Sample::Null, _) | (_, Sample::Null) => {
            if p5 & NULLEQ != 0 {
                let equal = left == right;
                return if name == "Eq" { equal } else { !equal };
            }
            return p5 & JUMPIFNULL != 0;
        }
        (Sample::Number(l), Sample::Number(r)) => l.cmp(&r),
        (Sample::Text, Sample::Text) => Equal,
        (Sample::Text, Sample::Number(_)) => Greater,
        (Sample::Number(_), Sample::Text) => Less,
    };
    match name {
        "Eq" => order == Equal,
        "Ne" => order != Equal,
        "Lt" => order == Less,
        "Le" => order != Greater,
        "Gt" => order == Greater,
        _ => order != Less,
    }
}

/// What a register holds, as far as [`partial_paths`] follows it.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Known {
    /// An integer constant (a literal, or a partial index's bound).
    Integer(i64),
    /// A column of the row a cursor is on (the one row of a program without loops).
    Column(i64, i64),
}

/// Whether the code just before the instruction at `at` (as listed), with no jump in
/// between, set `register` to NULL (`Some(true)`) or to a constant (`Some(false)`): an
/// `UPDATE` setting a column to NULL tests the new value before building index keys.
fn set_null(ops: &[&Op], at: usize, register: i64) -> Option<bool> {
    for op in ops[..at].iter().rev() {
        let name = op.opcode.as_str();
        if name == "Goto" || JUMPS.contains(&name) {
            return None;
        }
        match name {
            "Null" if (op.p2..=op.p3.max(op.p2)).contains(&register) => return Some(true),
            "Integer" | "String8" | "Real" if op.p2 == register => return Some(false),
            _ if op.p2 == register || op.p3 == register => return None,
            _ => {}
        }
    }
    None
}

/// The ways through the statement's own program (as listed, from address 0) that end
/// without an error, for a program whose only loops take their rows from a `VALUES`
/// list (a coroutine, followed as it yields): for each, the instructions it runs and
/// the entries of partial indexes ([`partial_key`]) it writes. Only ways that can
/// happen are kept: a partial index's key is known NULL from its `Null` until its
/// `MakeRecord`; comparisons of constants are worked out; a column of the row a
/// cursor is on is taken to have each value that compares differently with the
/// program's constants ([`Sample`]), and its comparisons go the way that value says
/// until the cursor moves. Ways that meet at the same point in the same state are
/// followed once (at most 20,000 states, for a statement prepared once). `None` for a
/// program with other loops or too many ways.
fn partial_paths(ops: &[&Op]) -> Option<Vec<(u64, u64)>> {
    const MOST: usize = 20_000;
    let keys: SmallVec<[i64; 4]> = (0..ops.len()).filter_map(|i| partial_key(ops, i)).collect();
    /// A comparison made: which ([`COMPARISONS`]), its flags, what it compared, and
    /// whether it jumped.
    type Compared = (usize, i64, Known, Known, bool);
    #[derive(Clone, PartialEq, Eq, Hash)]
    struct Way {
        addr: i64,
        run: u64,
        written: u64,
        /// Per key (bit `2k`: known NULL, bit `2k + 1`: known not NULL).
        keys: u64,
        /// Coroutine registers and the address each resumes after.
        coroutines: SmallVec<[(i64, i64); 2]>,
        /// What some registers hold ([`Known`]).
        known: SmallVec<[(i64, Known); 8]>,
        /// Comparisons of a column made, and which way they went: the same comparison
        /// of the same row goes the same way (a partial index's `WHERE` tested on the
        /// old row and the new of an `UPDATE` that leaves its column as it was).
        compared: SmallVec<[Compared; 4]>,
        /// The value each column tested is taken to have on this way ([`Sample`]).
        sampled: SmallVec<[(Known, Sample); 2]>,
    }
    // The values that compare differently with the program's integer constants: NULL,
    // each constant, a number just below and just above each, and text.
    let mut constants: SmallVec<[i64; 8]> = ops
        .iter()
        .filter(|o| o.opcode == "Integer")
        .map(|o| o.p1)
        .collect();
    constants.sort_unstable();
    constants.dedup();
    let mut samples: SmallVec<[Sample; 16]> = smallvec::smallvec![Sample::Null, Sample::Text];
    if constants.len() <= 16 {
        for c in &constants {
            let twice = 2 * i128::from(*c);
            samples.extend([twice - 1, twice, twice + 1].map(Sample::Number));
        }
        samples.dedup();
    } else {
        samples.push(Sample::Number(0));
    }
    let key_bit = |register: i64| keys.iter().position(|&k| k == register).filter(|&k| k < 32);
    let mut seen = std::collections::HashSet::new();
    let mut done = Vec::new();
    let mut todo = vec![Way {
        addr: 0,
        run: 0,
        written: 0,
        keys: 0,
        coroutines: SmallVec::new(),
        known: SmallVec::new(),
        compared: SmallVec::new(),
        sampled: SmallVec::new(),
    }];
    while let Some(mut way) = todo.pop() {
        if !seen.insert(way.clone()) {
            continue;
        }
        if seen.len() > MOST {
            return None;
        }
        let addr = way.addr;
        let index = usize::try_from(addr).ok().filter(|&i| i < ops.len())?;
        let op = ops[index];
        way.run += 1;
        let go = |mut way: Way, to: i64| {
            way.addr = to;
            way
        };
        let next = addr + 1;
        let resume =
            |way: &Way, register: i64| way.coroutines.iter().find(|c| c.0 == register).map(|c| c.1);
        let held =
            |way: &Way, register: i64| way.known.iter().find(|k| k.0 == register).map(|k| k.1);
        // What the instruction puts in registers.
        let holds = match op.opcode.as_str() {
            "Integer" => Some((op.p2, Some(Known::Integer(op.p1)))),
            "Column" => Some((op.p3, Some(Known::Column(op.p1, op.p2)))),
            "SCopy" => Some((op.p2, held(&way, op.p1))),
            "Copy" if op.p3 == 0 => Some((op.p2, held(&way, op.p1))),
            _ => None,
        };
        match holds {
            Some((register, value)) => {
                way.known.retain(|k| k.0 != register);
                way.known.extend(value.map(|v| (register, v)));
            }
            None => {
                let name = op.opcode.as_str();
                let jumps = name == "Goto" || JUMPS.contains(&name);
                way.known.retain(|k| {
                    let written = if name == "Null" {
                        (op.p2..=op.p3.max(op.p2)).contains(&k.0)
                    } else if jumps {
                        // The tests that change what they test.
                        matches!(name, "IfPos" | "IfNotZero" | "DecrJumpZero" | "MustBeInt")
                            && k.0 == op.p1
                    } else {
                        k.0 == op.p1 || k.0 == op.p2 || k.0 == op.p3
                    };
                    !written
                });
                // A cursor moved to another row: what was known of its columns goes.
                if MOVES.contains(&name) {
                    let moved = |k: &Known| matches!(k, Known::Column(c, _) if *c == op.p1);
                    way.known.retain(|k| !moved(&k.1));
                    way.compared.retain(|c| !moved(&c.2) && !moved(&c.3));
                    way.sampled.retain(|s| !moved(&s.0));
                }
            }
        }
        match op.opcode.as_str() {
            "Halt" if op.p1 == 0 => done.push((way.run, way.written)),
            "Halt" => {}
            "Init" | "Goto" => todo.push(go(way, op.p2)),
            "InitCoroutine" => {
                way.coroutines.retain(|c| c.0 != op.p1);
                way.coroutines.push((op.p1, op.p3 - 1));
                todo.push(go(way, if op.p2 > 0 { op.p2 } else { next }));
            }
            "Yield" => {
                let to = resume(&way, op.p1)?;
                for c in way.coroutines.iter_mut().filter(|c| c.0 == op.p1) {
                    c.1 = addr;
                }
                todo.push(go(way, to + 1));
            }
            "EndCoroutine" => {
                let caller = resume(&way, op.p1)?;
                let caller = usize::try_from(caller).ok().and_then(|c| ops.get(c))?;
                way.coroutines.retain(|c| c.0 != op.p1);
                todo.push(go(way, caller.p2));
            }
            "Null" => {
                for register in op.p2..=op.p3.max(op.p2) {
                    if let Some(k) = key_bit(register) {
                        way.keys = way.keys & !(3 << (2 * k)) | 1 << (2 * k);
                    }
                }
                todo.push(go(way, next));
            }
            "MakeRecord" => {
                if let Some(k) = key_bit(op.p3) {
                    way.keys = way.keys & !(3 << (2 * k)) | 2 << (2 * k);
                }
                todo.push(go(way, next));
            }
            "IsNull" | "NotNull"
                if key_bit(op.p1).is_some_and(|k| way.keys >> (2 * k) & 3 != 0) =>
            {
                let k = key_bit(op.p1).unwrap_or(0);
                let null = way.keys >> (2 * k) & 1 != 0;
                let jumps = null == (op.opcode == "IsNull");
                // Tested: forgotten, so that the ways of rows that differed only
                // there meet again.
                way.keys &= !(3 << (2 * k));
                todo.push(go(way, if jumps { op.p2 } else { next }));
            }
            name if COMPARISONS.contains(&name) => {
                let kind = COMPARISONS.iter().position(|&c| c == name).unwrap_or(0);
                let (left, right) = (held(&way, op.p3), held(&way, op.p1));
                let (Some(left), Some(right)) = (left, right) else {
                    todo.push(go(way.clone(), op.p2));
                    todo.push(go(way, next));
                    continue;
                };
                // A column compared with a constant: taken to be each of the values
                // that compare differently with the program's constants, in turn.
                let column = match (left, right) {
                    (Known::Column(..), Known::Integer(_)) => Some(left),
                    (Known::Integer(_), Known::Column(..)) => Some(right),
                    _ => None,
                };
                let value = |way: &Way, known: Known| match known {
                    Known::Integer(n) => Some(Sample::Number(2 * i128::from(n))),
                    column => way.sampled.iter().find(|s| s.0 == column).map(|s| s.1),
                };
                if let Some(column) = column
                    && value(&way, column).is_none()
                {
                    for sample in &samples {
                        let mut way = way.clone();
                        way.sampled.push((column, *sample));
                        way.addr = addr;
                        way.run -= 1;
                        todo.push(way);
                    }
                    continue;
                }
                let outcome = match (value(&way, left), value(&way, right)) {
                    (Some(l), Some(r)) => Some(compare(name, op.p5, l, r)),
                    _ => way
                        .compared
                        .iter()
                        .find(|c| (c.0, c.1, c.2, c.3) == (kind, op.p5, left, right))
                        .map(|c| c.4),
                };
                match outcome {
                    Some(jumps) => todo.push(go(way, if jumps { op.p2 } else { next })),
                    None => {
                        for jumps in [true, false] {
                            let mut way = way.clone();
                            way.compared.push((kind, op.p5, left, right, jumps));
                            todo.push(go(way, if jumps { op.p2 } else { next }));
                        }
                    }
                }
            }
            "IsNull" | "NotNull" if matches!(held(&way, op.p1), Some(Known::Column(..))) => {
                let Some(column) = held(&way, op.p1) else {
                    continue;
                };
                match way.sampled.iter().find(|s| s.0 == column).map(|s| s.1) {
                    Some(sample) => {
                        let jumps = (sample == Sample::Null) == (op.opcode == "IsNull");
                        todo.push(go(way, if jumps { op.p2 } else { next }));
                    }
                    None => {
                        for sample in &samples {
                            let mut way = way.clone();
                            way.sampled.push((column, *sample));
                            way.addr = addr;
                            way.run -= 1;
                            todo.push(way);
                        }
                    }
                }
            }
            "IsNull" | "NotNull" if set_null(ops, index, op.p1).is_some() => {
                let null = set_null(ops, index, op.p1) == Some(true);
                let jumps = null == (op.opcode == "IsNull");
                todo.push(go(way, if jumps { op.p2 } else { next }));
            }
            "IdxInsert" => {
                way.written += u64::from(partial_key(ops, index).is_some());
                todo.push(go(way, next));
            }
            "Next" | "Prev" | "VNext" | "SorterNext" | "Gosub" | "Return" | "Program" | "Jump" => {
                return None;
            }
            name if JUMPS.contains(&name) && op.p2 > 0 => {
                todo.push(go(way.clone(), op.p2));
                todo.push(go(way, next));
            }
            _ => todo.push(go(way, next)),
        }
    }
    done.sort_unstable();
    done.dedup();
    Some(done)
}

/// The ways through a program without loops, from its first instruction to its end:
/// for each, the instructions it runs and whether it runs the one at `site`. A test of
/// a register just set to a constant (`NotNull` on a row id given as a literal) goes
/// one way only. A trigger program run (`Program`) adds the instructions of one of the
/// ways through it (its own instructions count in the statement's); one that runs
/// again a program it is in (a recursive trigger) is taken not to. `None` for a program
/// with loops or too many ways. `programs`: the statement's and its triggers', with
/// what each `Program` runs ([`call_targets`]).
fn paths(
    programs: &[Vec<&Op>],
    targets: &[(usize, i64, Option<usize>)],
    site: i64,
) -> Option<Vec<(u64, bool)>> {
    // The instruction counts of each trigger program, those it runs known first (a
    // program runs ones listed after it).
    let mut lengths: Vec<Option<Vec<u64>>> = vec![None; programs.len()];
    for program in (1..programs.len()).rev() {
        lengths[program] = ways(&programs[program], program, targets, &lengths, -1).map(|ways| {
            let mut counts: Vec<u64> = ways.into_iter().map(|w| w.0).collect();
            counts.sort_unstable();
            counts.dedup();
            counts
        });
    }
    ways(programs.first()?, 0, targets, &lengths, site)
}

/// The ways through program `program` ([`paths`]), `lengths` those of the trigger
/// programs it runs.
fn ways(
    ops: &[&Op],
    program: usize,
    targets: &[(usize, i64, Option<usize>)],
    lengths: &[Option<Vec<u64>>],
    site: i64,
) -> Option<Vec<(u64, bool)>> {
    const MOST: usize = 256;
    let constant = |at: usize, register: i64| {
        at.checked_sub(1)
            .and_then(|p| {
                ops[..=p]
                    .iter()
                    .rev()
                    .find(|o| o.p2 == register && o.opcode != "Goto")
            })
            .is_some_and(|o| matches!(o.opcode.as_str(), "Integer" | "String8" | "Real"))
    };
    // Cursors only used for equality seeks: a seek on one that finds its key skips the
    // end-of-range test after it (the key is known equal).
    let seek_eq: SmallVec<[i64; 4]> = ops
        .iter()
        .filter(|o| {
            matches!(o.opcode.as_str(), "OpenRead" | "OpenWrite" | "ReopenIdx")
                && o.p5 & OPFLAG_SEEKEQ != 0
        })
        .map(|o| o.p1)
        .collect();
    let mut done = Vec::new();
    // (address, instructions so far, through `site`)
    let mut todo = vec![(0i64, 0u64, false)];
    // Instructions walked, all ways together: a way that goes round in circles ends.
    let mut walked = 0;
    while let Some((addr, run, through)) = todo.pop() {
        let index = usize::try_from(addr).ok().filter(|&i| i < ops.len())?;
        let op = ops[index];
        let (run, through) = (run + 1, through || addr == site);
        walked += 1;
        if walked > 4 * MOST * ops.len() || done.len() + todo.len() > MOST {
            return None;
        }
        let next = addr + 1;
        match op.opcode.as_str() {
            "Halt" => done.push((run, through)),
            "Init" | "Goto" if op.p2 <= addr && !(op.opcode == "Goto" && op.p2 == 1) => {
                return None;
            }
            "Init" | "Goto" => todo.push((op.p2, run, through)),
            "NotNull" if constant(index, op.p1) => todo.push((op.p2, run, through)),
            "IsNull" if constant(index, op.p1) => todo.push((next, run, through)),
            "SeekGE" | "SeekGT" | "SeekLE" | "SeekLT"
                if seek_eq.contains(&op.p1)
                    && ops.get(index + 1).is_some_and(|o| {
                        matches!(o.opcode.as_str(), "IdxGT" | "IdxLT") && o.p1 == op.p1
                    }) =>
            {
                todo.push((op.p2, run, through));
                todo.push((next + 1, run, through));
            }
            "Program" => {
                let target = targets
                    .iter()
                    .find(|t| (t.0, t.1) == (program, addr))
                    .and_then(|t| t.2);
                match target {
                    Some(target) => {
                        for length in lengths.get(target)?.as_ref()? {
                            todo.push((next, run + length, through));
                        }
                    }
                    None => todo.push((next, run, through)),
                }
            }
            "Next" | "Prev" | "VNext" | "SorterNext" | "Gosub" | "Yield" | "Return"
            | "InitCoroutine" | "EndCoroutine" | "Jump" => return None,
            name if JUMPS.contains(&name) && op.p2 > 0 => {
                todo.push((op.p2, run, through));
                todo.push((next, run, through));
            }
            _ => todo.push((next, run, through)),
        }
    }
    Some(done)
}

/// The program each `Program` runs, as `(program it is in, address, program run)`.
/// `EXPLAIN` lists a trigger program after the others the first time a `Program` runs
/// it, and shows no more of which: a `Program` is taken to run the next program not
/// listed yet while there is one, and after that the program the `Program` before it
/// in the same program runs (two statements on one table, whose triggers are coded
/// once), or none known (a trigger that runs itself again).
fn call_targets(ops: &[Op], programs: usize) -> Vec<(usize, i64, Option<usize>)> {
    let mut listed = 1;
    let mut last = vec![None; programs];
    let mut targets = Vec::new();
    for op in ops.iter().filter(|o| o.opcode == "Program") {
        let target = if listed < programs {
            listed += 1;
            Some(listed - 1)
        } else {
            last[op.program]
        };
        last[op.program] = target;
        targets.push((op.program, op.addr, target));
    }
    targets
}

/// Which instructions of a program can run at all (or in all but rare cases);
/// `violated`: while immediate foreign key violations are outstanding, from the address
/// where the first is counted.
/// `Destroy` reports a root page moved
/// only in an auto-vacuum database (never on D1, nor here), so the code an `IfNot` on
/// that report guards never runs.
fn reachable(ops: &[&Op], deferred: bool, violated: Option<i64>) -> Vec<bool> {
    let destroyed: Vec<i64> = ops
        .iter()
        .filter(|o| o.opcode == "Destroy")
        .map(|o| o.p2)
        .collect();
    let mut live = vec![false; ops.len()];
    let mut todo = vec![0i64];
    while let Some(addr) = todo.pop() {
        let Some(index) = usize::try_from(addr).ok().filter(|&i| i < ops.len()) else {
            continue;
        };
        if live[index] {
            continue;
        }
        live[index] = true;
        let op = ops[index];
        match op.opcode.as_str() {
            "Goto" | "Init" => todo.push(op.p2),
            // A subroutine coded in place (`BeginSubrtn`) falls through its `Return`.
            "Return" if op.p3 != 0 => todo.push(addr + 1),
            "Halt" | "Return" | "EndCoroutine" => {}
            "Jump" => todo.extend([op.p1, op.p2, op.p3]),
            // The coroutine is at `P3`; `P2`, when set, jumps over its code.
            "InitCoroutine" => todo.extend([op.p3, if op.p2 > 0 { op.p2 } else { addr + 1 }]),
            "IfNot" if destroyed.contains(&op.p1) => todo.push(op.p2),
            // Looking for rows a new parent row would make valid runs only while
            // deferred foreign key violations are outstanding (`defer_foreign_keys`
            // defers immediate ones too), rare: the plan for a run that starts with
            // some has it. With `violated`, the statement's own count of immediate
            // ones (`P1` 0) is taken not to be zero after that address, where it
            // counts the first.
            "FkIfZero" if !(deferred || (op.p1 == 0 && violated.is_some_and(|a| a < op.addr))) => {
                todo.push(op.p2)
            }
            name if JUMPS.contains(&name) => todo.extend([op.p2, addr + 1]),
            _ => todo.push(addr + 1),
        }
    }
    live
}

/// A register's value, as far as the constants of a program tell.
#[derive(Clone, Debug, PartialEq)]
enum Constant {
    Null,
    Integer(i64),
    Text(Box<str>),
    /// Not NULL, of a value not followed.
    NotNull,
}

/// Registers of known value (the others are not known).
type Registers = SmallVec<[(i64, Constant); 8]>;

fn register(registers: &Registers, r: i64) -> Option<&Constant> {
    registers.iter().find(|(n, _)| *n == r).map(|(_, v)| v)
}

fn set_register(registers: &mut Registers, r: i64, value: Option<Constant>) {
    registers.retain(|(n, _)| *n != r);
    if let Some(value) = value {
        registers.push((r, value));
    }
}

/// What `op` does to the registers it writes, as far as `registers` tell.
fn apply(op: &Op, registers: &mut Registers) {
    let (p1, p2, p3) = (op.p1, op.p2, op.p3);
    match op.opcode.as_str() {
        "Integer" => set_register(registers, p2, Some(Constant::Integer(p1))),
        "Int64" => set_register(
            registers,
            p2,
            Some(
                op.p4
                    .as_deref()
                    .and_then(|v| v.parse().ok())
                    .map_or(Constant::NotNull, Constant::Integer),
            ),
        ),
        "String8" => set_register(
            registers,
            p2,
            Some(
                op.p4
                    .as_deref()
                    .map_or(Constant::NotNull, |t| Constant::Text(t.into())),
            ),
        ),
        "Real" | "Blob" => set_register(registers, p2, Some(Constant::NotNull)),
        "Null" => {
            for r in p2..=p3.max(p2) {
                set_register(registers, r, Some(Constant::Null));
            }
        }
        "SoftNull" => set_register(registers, p1, Some(Constant::Null)),
        "Copy" | "SCopy" | "IntCopy" => {
            let extra = if op.opcode == "Copy" { p3.max(0) } else { 0 };
            for i in 0..=extra {
                let value = register(registers, p1 + i).cloned();
                set_register(registers, p2 + i, value);
            }
        }
        // Converted in place: an integer's text is an integer now.
        "MustBeInt" => {
            if let Some(Constant::Text(t)) = register(registers, p1)
                && let Ok(n) = t.parse::<i64>()
            {
                set_register(registers, p1, Some(Constant::Integer(n)));
            }
        }
        "Affinity" | "Cast" | "RealAffinity" | "AddImm" => {
            let last = if op.opcode == "Affinity" {
                p1 + p2 - 1
            } else {
                p1
            };
            for r in p1..=last {
                let value = match register(registers, r) {
                    Some(Constant::Null) => Some(Constant::Null),
                    Some(Constant::Integer(n)) if op.opcode != "AddImm" => {
                        Some(Constant::Integer(*n))
                    }
                    Some(_) => Some(Constant::NotNull),
                    None => None,
                };
                set_register(registers, r, value);
            }
        }
        "Move" => {
            for i in 0..p3.max(1) {
                let value = register(registers, p1 + i).cloned();
                set_register(registers, p1 + i, None);
                set_register(registers, p2 + i, value);
            }
        }
        name if WRITES_NO_REGISTER.contains(&name) => {}
        // Those writing `P2`, or `P3`, only.
        "Variable" | "NewRowid" | "Rowid" | "Param" | "IdxRowid" | "Sequence" | "String"
        | "Not" | "BitNot" | "RowData" | "Count" | "BeginSubrtn" | "ZeroOrNull" => {
            set_register(registers, p2, None);
        }
        "Column" | "MakeRecord" | "Function" | "PureFunc" | "Add" | "Subtract" | "Multiply"
        | "Divide" | "Remainder" | "Concat" | "BitAnd" | "BitOr" | "ShiftLeft" | "ShiftRight"
        | "And" | "Or" | "VColumn" | "AggValue" | "IfNullRow" => {
            set_register(registers, p3, None);
        }
        // Tests: those that count in a register, or keep where to come back to.
        name if JUMPS.contains(&name) => match name {
            "DecrJumpZero" | "IfPos" | "IfNotZero" | "Yield" | "Gosub" => {
                set_register(registers, p1, None);
            }
            "RowSetRead" => set_register(registers, p3, None),
            _ => {}
        },
        // Any other may write any register it names: none of them is known after it.
        _ => {
            for r in [p1, p2, p3] {
                set_register(registers, r, None);
            }
        }
    }
}

/// Instructions that are no tests and write no register (those whose operands name
/// cursors, pages or addresses).
const WRITES_NO_REGISTER: &[&str] = &[
    "Halt",
    "HaltIfNull",
    "ResultRow",
    "OpenRead",
    "OpenWrite",
    "OpenEphemeral",
    "OpenAutoindex",
    "OpenPseudo",
    "OpenDup",
    "ReopenIdx",
    "SorterOpen",
    "Close",
    "Insert",
    "IdxInsert",
    "Delete",
    "IdxDelete",
    "SorterInsert",
    "RowSetAdd",
    "FkCounter",
    "NullRow",
    "Noop",
    "Explain",
    "Transaction",
    "TableLock",
    "CursorHint",
    "CursorLock",
    "CursorUnlock",
    "DeferredSeek",
    "FinishSeek",
    "SeekEnd",
    "ResetCount",
    "ReleaseReg",
    "Goto",
];

/// Whether `op`, a jump, jumps, as far as `registers` tell.
fn jumps(op: &Op, registers: &Registers) -> Option<bool> {
    const NULLEQ: i64 = 0x80;
    const JUMPIFNULL: i64 = 0x10;
    let value = |r| register(registers, r);
    match op.opcode.as_str() {
        "IsNull" => value(op.p1).map(|v| *v == Constant::Null),
        "NotNull" => value(op.p1).map(|v| *v != Constant::Null),
        "MustBeInt" if op.p2 > 0 => match value(op.p1)? {
            Constant::Null => Some(true),
            Constant::Integer(_) => Some(false),
            Constant::Text(t) => Some(t.parse::<i64>().is_err()),
            Constant::NotNull => None,
        },
        "Eq" | "Ne" => {
            let (a, b) = (value(op.p1)?, value(op.p3)?);
            let equal = match (a, b) {
                (Constant::Null, Constant::Null) if op.p5 & NULLEQ != 0 => true,
                (Constant::Null, _) | (_, Constant::Null) if op.p5 & NULLEQ != 0 => false,
                (Constant::Null, _) | (_, Constant::Null) => return Some(op.p5 & JUMPIFNULL != 0),
                (Constant::Integer(a), Constant::Integer(b)) => a == b,
                (Constant::Text(a), Constant::Text(b))
                    if op.p4.as_deref().is_none_or(|c| c.starts_with("BINARY")) =>
                {
                    a == b
                }
                _ => return None,
            };
            Some(equal == (op.opcode == "Eq"))
        }
        _ => None,
    }
}

/// The instructions from address `from` up to `to` that can run when the registers
/// start as `registers` (going forward only: a loop's body): a test the constants
/// decide goes one way, any other jump both. Returns whether an address is reached;
/// every address is, for code that calls subroutines or coroutines, or runs something
/// once, whose ways this does not follow.
fn unreached_from(
    ops: &[&Op],
    from: i64,
    to: i64,
    mut registers: Registers,
) -> impl Fn(i64) -> bool {
    const NOT_FOLLOWED: &[&str] = &[
        "Gosub",
        "Return",
        "Yield",
        "InitCoroutine",
        "EndCoroutine",
        "BeginSubrtn",
        "Jump",
        "Once",
        "Program",
    ];
    let body = || ops.iter().filter(|o| o.addr >= from && o.addr <= to);
    let followed = !body().any(|o| NOT_FOLLOWED.contains(&o.opcode.as_str()));
    let mut reached: SmallVec<[i64; 32]> = SmallVec::new();
    let mut targets: SmallVec<[i64; 16]> = smallvec::smallvec![from];
    for op in body().filter(|_| followed) {
        if !targets.contains(&op.addr) {
            continue;
        }
        reached.push(op.addr);
        apply(op, &mut registers);
        let name = op.opcode.as_str();
        let (jump, fall) = match name {
            "Halt" => (false, false),
            "Goto" => (true, false),
            _ if JUMPS.contains(&name) && op.p2 > 0 => match jumps(op, &registers) {
                Some(j) => (j, !j),
                None => (true, true),
            },
            _ => (false, true),
        };
        if jump && op.p2 > op.addr {
            targets.push(op.p2);
        }
        if fall {
            targets.push(op.addr + 1);
        }
    }
    move |addr| !followed || reached.contains(&addr)
}

/// The constants each row of the `VALUES` list a loop starting at `start` takes its
/// rows from puts in registers ([`values_rows`]).
fn values_registers(ops: &[&Op], start: i64) -> Option<Vec<Registers>> {
    let head = ops
        .iter()
        .find(|o| o.addr == start && o.opcode == "Yield")?;
    let init = ops
        .iter()
        .find(|o| o.opcode == "InitCoroutine" && o.p1 == head.p1 && o.p3 > 0)?;
    let mut rows = Vec::new();
    let mut registers = Registers::new();
    for op in ops.iter().filter(|o| o.addr >= init.p3) {
        match op.opcode.as_str() {
            "Yield" if op.p1 == head.p1 => rows.push(registers.clone()),
            "EndCoroutine" if op.p1 == head.p1 => return Some(rows),
            _ if JUMPS.contains(&op.opcode.as_str()) || op.opcode == "Goto" => return None,
            _ => apply(op, &mut registers),
        }
    }
    None
}

/// The number of rows of the `VALUES` list a loop starting at `start` takes its rows
/// from: the loop begins with a `Yield` to a coroutine that has no loop of its own and
/// yields once per row.
fn values_rows(ops: &[&Op], start: i64) -> Option<u64> {
    let head = ops
        .iter()
        .find(|o| o.addr == start && o.opcode == "Yield")?;
    let init = ops
        .iter()
        .find(|o| o.opcode == "InitCoroutine" && o.p1 == head.p1 && o.p3 > 0)?;
    let body = ops.iter().filter(|o| o.addr >= init.p3);
    let mut rows = 0;
    for op in body {
        match op.opcode.as_str() {
            "Yield" if op.p1 == head.p1 => rows += 1,
            "EndCoroutine" if op.p1 == head.p1 => return Some(rows),
            // A coroutine that loops (`INSERT ... SELECT`): its rows are not counted here.
            "Next" | "Prev" | "VNext" | "SorterNext" | "Goto" if op.p2 <= op.addr => return None,
            _ => {}
        }
    }
    None
}

/// The limit that ends the loop of `Goto` from `start` to `end`: a `DecrJumpZero` in
/// it that leaves the loop, on a register set to a constant before the loop.
fn loop_limit(ops: &[&Op], start: i64, end: i64) -> Option<u64> {
    let decrement = ops
        .iter()
        .find(|o| o.opcode == "DecrJumpZero" && (start..=end).contains(&o.addr) && o.p2 > end)?;
    let set = ops
        .iter()
        .rev()
        .find(|o| o.addr < start && o.opcode == "Integer" && o.p2 == decrement.p1)?;
    u64::try_from(set.p1).ok()
}

/// The result column showing register `register` (where `Count` put its count).
fn count_column(ops: &[&Op], register: i64) -> Option<usize> {
    let mut registers = vec![register];
    for op in ops {
        match op.opcode.as_str() {
            "Copy" | "SCopy" | "IntCopy" if registers.contains(&op.p1) => registers.push(op.p2),
            "ResultRow" => {
                return registers
                    .iter()
                    .find(|&&r| r >= op.p1 && r < op.p1 + op.p2)
                    .map(|&r| (r - op.p1) as usize);
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
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
}
