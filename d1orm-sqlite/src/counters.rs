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

use actions::Actions;
use partial::{Feed, partial_key, partial_paths};
use triggers::{Call, behind_once, call_targets, has_when, null_link_ends, paths, upsert_branches};
use windows::{WindowBlock, WindowSite, window_blocks, window_times};

mod actions;
mod partial;
mod triggers;
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

/// The coroutine a loop starting at `start` takes its rows from (it begins with a
/// `Yield` to it): its register, and the address its code starts at.
fn values_coroutine(ops: &[&Op], start: i64) -> Option<(i64, i64)> {
    let head = ops
        .iter()
        .find(|o| o.addr == start && o.opcode == "Yield")?;
    let init = ops
        .iter()
        .find(|o| o.opcode == "InitCoroutine" && o.p1 == head.p1 && o.p3 > 0)?;
    Some((head.p1, init.p3))
}

/// The number of rows of the `VALUES` list a loop starting at `start` takes its rows
/// from: the loop begins with a `Yield` to a coroutine that has no loop of its own and
/// yields once per row.
fn values_rows(ops: &[&Op], start: i64) -> Option<u64> {
    let (coroutine, body) = values_coroutine(ops, start)?;
    let mut rows = 0;
    for op in ops.iter().filter(|o| o.addr >= body) {
        match op.opcode.as_str() {
            "Yield" if op.p1 == coroutine => rows += 1,
            "EndCoroutine" if op.p1 == coroutine => return Some(rows),
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
mod tests;
