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
//! sorts are `SORT`; the other counted instructions are found once per prepared
//! statement in its program (`sqlite3_stmt_explain`), and how often each ran is
//! inferred from the loop it sits in: once outside any loop, once per iteration of a
//! loop whose steps are counted, once per row changed in a loop that writes.

use std::ffi::CStr;
use std::ptr::NonNull;

use rusqlite::{Connection, ffi};

/// `P5` of `OpenRead`/`OpenWrite`: the cursor is only used for equality seeks, which
/// SQLite leaves uncounted when they find nothing.
const OPFLAG_SEEKEQ: i64 = 0x02;
/// `P5` of `Insert`/`IdxInsert`, `P2` of `Delete`: the row counts as a change.
const OPFLAG_NCHANGE: i64 = 0x01;

/// A prepared statement's handle and, once asked, what its program says about the
/// counters. Kept with the statement.
pub(crate) struct Counting {
    stmt: Option<NonNull<ffi::sqlite3_stmt>>,
    /// Read on first use: most statements never report their counters.
    plan: Option<Plan>,
    /// `SQLITE_STMTSTATUS_REPREPARE` when the plan was read: a statement prepared again
    /// (after a schema change) may have another program.
    reprepared: u32,
}

// SAFETY: the handle is only used with the statement it belongs to, by whoever holds
// that statement's connection.
unsafe impl Send for Counting {}

/// Counters read before a run, to subtract after it.
#[derive(Clone, Copy, Default)]
pub(crate) struct Before {
    steps: [u32; 3],
    sorts: u32,
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
            reprepared: 0,
        }
    }

    /// Reads the program of `sql` (this statement's text) if not read yet, or again if
    /// SQLite prepared the statement again since. `false` when it cannot be had.
    pub(crate) fn prepare(&mut self, conn: &Connection, sql: &str) -> bool {
        let Some(stmt) = self.stmt else {
            return false;
        };
        // SAFETY: the statement lives as long as this value (they are kept together).
        let reprepared = unsafe { status(stmt, ffi::SQLITE_STMTSTATUS_REPREPARE) };
        if self.plan.is_none() || reprepared != self.reprepared {
            self.plan = listing(conn, sql).ok().map(|ops| Plan::new(&ops));
            self.reprepared = reprepared;
        }
        self.plan.is_some()
    }

    /// The column holding `count(*)`, when the program counts a whole table.
    pub(crate) fn count_column(&self) -> Option<usize> {
        self.plan.as_ref().and_then(|p| p.count_column)
    }

    /// SQLite's counters before a run.
    pub(crate) fn before(&self) -> Before {
        let Some(stmt) = self.stmt else {
            return Before::default();
        };
        // SAFETY: as in `prepare`.
        unsafe {
            Before {
                steps: [
                    status(stmt, 0),
                    status(stmt, ffi::SQLITE_STMTSTATUS_FULLSCAN_STEP),
                    status(stmt, ffi::SQLITE_STMTSTATUS_AUTOINDEX),
                ],
                sorts: status(stmt, ffi::SQLITE_STMTSTATUS_SORT),
            }
        }
    }

    /// The counters of the run since `before` (after [`Counting::prepare`]).
    pub(crate) fn rows(&self, before: Before, observed: Observed) -> Rows {
        let Some(plan) = &self.plan else {
            return Rows::default();
        };
        let after = self.before();
        let steps = [0, 1, 2].map(|i| u64::from(after.steps[i].wrapping_sub(before.steps[i])));
        let sorts = u64::from(after.sorts.wrapping_sub(before.sorts));
        plan.rows(steps, sorts, observed)
    }
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
            if !text.is_null() && CStr::from_ptr(text).to_bytes().trim_ascii() == sql.trim().as_bytes() {
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
    /// The innermost loop around it.
    within: Option<usize>,
    kind: SiteKind,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum SiteKind {
    /// Read once each time it runs.
    Read,
    /// An equality seek: read once when it finds a row.
    EqualitySeek,
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
    /// Instructions counting as a change in each loop (index `loops.len()`: outside).
    changes_in: Vec<u64>,
    count_column: Option<usize>,
    /// `Clear` counting its rows as changes (`DELETE FROM t`).
    clears: bool,
    /// The statement's own program changes rows (a statement with `Change` sites).
    changes_rows: bool,
}

impl Plan {
    fn new(ops: &[Op]) -> Plan {
        let mut plan = Plan::default();
        let programs = ops.last().map_or(0, |o| o.program + 1);
        for program in 0..programs {
            let ops: Vec<&Op> = ops.iter().filter(|o| o.program == program).collect();
            plan.add_program(program, &ops);
        }
        plan
    }

    fn add_program(&mut self, program: usize, ops: &[&Op]) {
        let first_loop = self.loops.len();
        // Cursors on temporary tables and indexes, whose writes D1 does not count.
        let mut ephemeral = Vec::new();
        let mut seek_eq = Vec::new();
        for op in ops {
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
            if op.p2 > 0 && op.p2 <= op.addr {
                if let LoopKind::Step(c) = kind {
                    self.steps_per_counter[c] += 1;
                }
                self.loops.push(Loop {
                    program,
                    start: op.p2,
                    end: op.addr,
                    parent: None,
                    kind,
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
        let innermost = |addr: i64, loops: &[Loop]| {
            (first_loop..loops.len())
                .rev()
                .find(|&l| loops[l].start <= addr && addr <= loops[l].end)
        };
        for op in ops {
            let temporary = ephemeral.contains(&op.p1);
            let kind = match op.opcode.as_str() {
                "Rewind" | "Last" | "SeekEnd" | "SeekRowid" | "NotExists" => SiteKind::Read,
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
                    self.count_column = count_column(ops, op.p2);
                    continue;
                }
                _ => continue,
            };
            if kind == SiteKind::Change && program == 0 {
                self.changes_rows = true;
            }
            self.sites.push(Site {
                within: innermost(op.addr, &self.loops),
                kind,
            });
        }
    }

    fn rows(&self, steps: [u64; 3], sorts: u64, seen: Observed) -> Rows {
        let outside = self.loops.len();
        let mut changes_in = vec![0u64; outside + 1];
        for site in &self.sites {
            if site.kind == SiteKind::Change {
                changes_in[site.within.unwrap_or(outside)] += 1;
            }
        }
        // How many times each loop's body ran, outer loops first.
        let mut runs = vec![0u64; self.loops.len()];
        let mut taken = [0u64; 3];
        for (i, l) in self.loops.iter().enumerate() {
            let entered = l.parent.map_or(1, |p| runs[p]);
            runs[i] = match l.kind {
                LoopKind::Step(c) => {
                    // A counter's steps are shared evenly among its loops.
                    let loops = self.steps_per_counter[c].max(1);
                    let share = steps[c] / loops
                        + u64::from(taken[c] < steps[c] % loops);
                    taken[c] += 1;
                    if share == 0 && seen.returned == 0 && seen.changes == 0 {
                        0
                    } else {
                        share + entered
                    }
                }
                LoopKind::Goto if changes_in[i] > 0 => seen.changes.div_ceil(changes_in[i]),
                LoopKind::Virtual | LoopKind::Goto if l.program == 0 && seen.returned > 0 => {
                    seen.returned
                }
                LoopKind::Virtual | LoopKind::Goto => entered,
            };
        }
        let nothing = seen.returned == 0 && seen.changes == 0 && steps.iter().all(|&s| s == 0);
        let mut rows = Rows {
            read: steps.iter().sum::<u64>() + sorts + seen.count.unwrap_or(0),
            written: if self.clears { seen.changes } else { 0 },
        };
        for site in &self.sites {
            let times = match site.within {
                Some(l) => runs[l],
                // Outside any loop, a write that changes rows ran only if rows changed.
                None if site.kind != SiteKind::Read
                    && site.kind != SiteKind::EqualitySeek
                    && self.changes_rows
                    && seen.changes == 0 =>
                {
                    0
                }
                None => 1,
            };
            match site.kind {
                SiteKind::Read | SiteKind::VirtualNext => rows.read += times,
                SiteKind::EqualitySeek if !nothing => rows.read += times,
                SiteKind::EqualitySeek => {}
                SiteKind::Write | SiteKind::Change => rows.written += times,
            }
        }
        rows
    }
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
