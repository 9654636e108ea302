//! Windows' code (`sqlite3WindowCodeStep`): how often the reads of a window's partition
//! table run, from the rows of its input and the partitions they fall in.

use smallvec::SmallVec;

use super::{JUMPS, Loop, LoopKind, Observed, Op, Plan};

/// A window's code, as SQLite lays it out (`sqlite3WindowCodeStep`): a loop that takes
/// the rows of its input from a coroutine and appends each to a temporary table (the
/// partition), code run for the first row of each partition, and code that flushes a
/// partition once its last row is in (called when the partition changes, and once
/// more after the last row). D1 counts the reads of the partition's table: its
/// `Rewind`s, once per partition, and the seeks of the functions that return a value
/// from another row (`lag`, `first_value`, a frame scanned row by row), once per row.
pub(super) struct WindowBlock {
    /// The loop over the rows of its input.
    pub(super) input: usize,
    /// Where those rows come from: how many there are is the sum, `None` when the
    /// program does not say.
    sources: Option<SmallVec<[RowSource; 2]>>,
    /// The code run for the first row of each partition: from, to (not included).
    first_row: (i64, i64),
    /// The `Rewind` that starts a flush, and where the flush ends.
    flush: (i64, i64),
    /// The subroutine that hands each row on: its first and last address.
    output: Option<(i64, i64)>,
    /// The window has `PARTITION BY`.
    pub(super) partitioned: bool,
    /// The partition's table and the cursors opened on it (`OpenDup`).
    cursors: SmallVec<[i64; 8]>,
    /// The addresses of the loop over its input.
    input_range: (i64, i64),
    /// Temporary indexes its code fills (the values of a `min()` or `max()` frame).
    indexes: SmallVec<[i64; 2]>,
}

/// What a [`WindowBlock`]'s input rows come from: each is as many rows.
#[derive(Clone, Copy, Debug)]
pub(super) enum RowSource {
    /// Each iteration of a loop.
    Loop(usize),
    /// Each row another window hands on.
    Window(usize),
    /// A single row.
    Once,
}

/// The part a counted instruction plays in a [`WindowBlock`] (its position among the
/// plan's windows).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum WindowSite {
    /// In the code for the first row of a partition: once per partition.
    FirstRow(usize),
    /// In the code for the first row of a partition for a frame that is always empty,
    /// taken not to run.
    EmptyFrame,
    /// A read of the index of a `min()` or `max()` frame's values: the seek of a row's
    /// value as the row leaves the frame, the `Last` that reads the frame's value. The
    /// plan's `lead` one stands for all, when they are counted
    /// ([`Observed::leaving_reads`]); each runs as often as its loop otherwise.
    Leaving { first: bool, lead: bool },
    /// The `Rewind` that starts a flush: once per partition and once more at the end,
    /// or once without `PARTITION BY`.
    Flush(usize),
    /// A seek on the partition's table for the row a function returns a value from:
    /// once per row of the window, in the loop or in the flush, wherever the row is
    /// handed on. The first such read of a cursor stands for all of that cursor's. A seek
    /// behind a test of the frame's size (`nth_value`, `first_value`) is `guarded`: it
    /// runs only for the rows whose frame has the row asked for, which the plan's
    /// `lead` one of them stands for, when they are counted ([`Observed::frame_reads`]).
    PerRow {
        block: usize,
        first: bool,
        guarded: bool,
        lead: bool,
    },
}

impl WindowBlock {
    /// The part `op` plays in this window, the `index`th of the plan.
    pub(super) fn role(&self, index: usize, op: &Op, ops: &[&Op]) -> Option<WindowSite> {
        let first_row = self.first_row.0..self.first_row.1;
        if first_row.contains(&op.addr) {
            // The code for a frame that ends before it starts (`ROWS BETWEEN 2
            // FOLLOWING AND 1 FOLLOWING`), which a test of its bounds skips otherwise.
            let skipped = ops.iter().any(|o| {
                first_row.contains(&o.addr)
                    && o.addr < op.addr
                    && matches!(o.opcode.as_str(), "Le" | "Ge")
                    && o.p2 > op.addr
                    && first_row.contains(&o.p2)
            });
            return Some(if skipped {
                WindowSite::EmptyFrame
            } else {
                WindowSite::FirstRow(index)
            });
        }
        if op.addr == self.flush.0 && op.opcode == "Rewind" {
            return Some(WindowSite::Flush(index));
        }
        let in_rows_code = |addr: i64| {
            (self.first_row.1..=self.input_range.1).contains(&addr)
                || (self.flush.0..self.flush.1).contains(&addr)
        };
        let leaving = |o: &Op| {
            matches!(o.opcode.as_str(), "SeekGE" | "Last")
                && in_rows_code(o.addr)
                && self.indexes.contains(&o.p1)
        };
        if leaving(op) {
            let first = !ops
                .iter()
                .any(|o| o.addr < op.addr && o.p1 == op.p1 && leaving(o));
            return Some(WindowSite::Leaving { first, lead: false });
        }
        let seek = |o: &Op| {
            in_rows_code(o.addr)
                && match o.opcode.as_str() {
                    "SeekRowid" | "NotExists" | "SeekGE" | "SeekGT" | "SeekLE" | "SeekLT" => {
                        self.cursors.contains(&o.p1)
                    }
                    _ => false,
                }
        };
        if !seek(op) {
            return None;
        }
        let first = !ops
            .iter()
            .any(|o| o.addr < op.addr && o.p1 == op.p1 && seek(o));
        let before = ops
            .binary_search_by_key(&op.addr, |o| o.addr)
            .ok()
            .and_then(|i| i.checked_sub(1))
            .map(|i| ops[i]);
        let guarded =
            op.opcode == "SeekRowid" && before.is_some_and(|b| b.opcode == "Gt" && b.p2 > op.addr);
        Some(WindowSite::PerRow {
            block: index,
            first,
            guarded,
            lead: false,
        })
    }
}

/// The windows of a program (`ops`, whose loops are `loops[first_loop..]`; the plan
/// has `first_window` windows before them). The first row of a partition is told by
/// the row id the new row was appended with (`NewRowid`, `Insert`, then `Ne` against 1).
pub(super) fn window_blocks(
    ops: &[&Op],
    loops: &[Loop],
    first_loop: usize,
    first_window: usize,
) -> Vec<WindowBlock> {
    let at = |addr: i64| {
        ops.binary_search_by_key(&addr, |o| o.addr)
            .ok()
            .map(|i| ops[i])
    };
    let mut blocks: Vec<WindowBlock> = Vec::new();
    for i in 2..ops.len() {
        let (new_rowid, insert, test) = (ops[i - 2], ops[i - 1], ops[i]);
        if !(test.opcode == "Ne"
            && insert.opcode == "Insert"
            && new_rowid.opcode == "NewRowid"
            && insert.p1 == new_rowid.p1
            && test.p3 == new_rowid.p2
            && test.p2 > test.addr)
        {
            continue;
        }
        let write = new_rowid.p1;
        let Some(table) = ops
            .iter()
            .find(|o| o.opcode == "OpenDup" && o.p1 == write)
            .map(|o| o.p2)
        else {
            continue;
        };
        let Some(input) = (first_loop..loops.len()).rev().find(|&l| {
            loops[l].kind == LoopKind::Goto
                && loops[l].start <= test.addr
                && test.addr <= loops[l].end
        }) else {
            continue;
        };
        let (start, end) = (loops[input].start, loops[input].end);
        let Some(head) = at(start).filter(|o| o.opcode == "Yield") else {
            continue;
        };
        // With `PARTITION BY`, a change of partition calls the flush (`Compare`,
        // `Jump`, `Gosub`); without, the flush follows the loop.
        let partition_call = ops.windows(3).find(|w| {
            w[0].opcode == "Compare"
                && w[1].opcode == "Jump"
                && w[2].opcode == "Gosub"
                && (start..new_rowid.addr).contains(&w[2].addr)
        });
        let flush = match partition_call {
            Some(w) => at(w[2].p2).filter(|o| o.opcode == "Rewind" && o.p1 == write),
            None => ops
                .iter()
                .find(|o| o.addr > end && o.opcode == "Rewind" && o.p1 == write && o.p2 > 0)
                .copied(),
        };
        let Some(flush) = flush else {
            continue;
        };
        let flush = (flush.addr, flush.p2);
        let output = ops
            .iter()
            .find(|o| {
                o.opcode == "Gosub"
                    && (test.p2..flush.1).contains(&o.addr)
                    && !(start..=flush.1).contains(&o.p2)
            })
            .and_then(|call| {
                ops.iter()
                    .find(|o| o.opcode == "Return" && o.p1 == call.p1 && o.addr >= call.p2)
                    .map(|ret| (call.p2, ret.addr))
            });
        let mut cursors: SmallVec<[i64; 8]> = smallvec::smallvec![table];
        cursors.extend(
            ops.iter()
                .filter(|o| o.opcode == "OpenDup" && o.p2 == table)
                .map(|o| o.p1),
        );
        let indexes = ops
            .iter()
            .filter(|o| {
                o.opcode == "IdxInsert"
                    && ((start..=end).contains(&o.addr) || (flush.0..flush.1).contains(&o.addr))
            })
            .map(|o| o.p1)
            .collect();
        let flow = Flow {
            ops,
            loops,
            first_loop,
            first_window,
            blocks: &blocks,
        };
        let sources = flow.coroutine_rows(head.p1, 0);
        blocks.push(WindowBlock {
            input,
            sources,
            first_row: (test.addr + 1, test.p2),
            flush,
            output,
            partitioned: partition_call.is_some(),
            cursors,
            input_range: (start, end),
            indexes,
        });
    }
    blocks
}

/// Follows rows through coroutines and sorters to the loops they come from.
struct Flow<'a> {
    ops: &'a [&'a Op],
    loops: &'a [Loop],
    first_loop: usize,
    first_window: usize,
    /// The windows found so far (earlier in the program).
    blocks: &'a [WindowBlock],
}

impl Flow<'_> {
    /// Deepest chain of coroutines and sorters followed.
    const DEPTH: usize = 8;

    /// The rows the coroutine of register `register` yields.
    fn coroutine_rows(&self, register: i64, depth: usize) -> Option<SmallVec<[RowSource; 2]>> {
        if depth > Self::DEPTH {
            return None;
        }
        let init = self
            .ops
            .iter()
            .find(|o| o.opcode == "InitCoroutine" && o.p1 == register && o.p3 > 0)?;
        let end = self
            .ops
            .iter()
            .find(|o| o.opcode == "EndCoroutine" && o.p1 == register && o.addr > init.p3)?;
        let mut sources = SmallVec::new();
        for y in self.ops.iter().filter(|o| {
            o.opcode == "Yield" && o.p1 == register && (init.p3..end.addr).contains(&o.addr)
        }) {
            sources.extend(self.rows_at(y.addr, depth + 1)?);
        }
        Some(sources)
    }

    /// How often the instruction at `addr` runs, as rows of sources.
    fn rows_at(&self, addr: i64, depth: usize) -> Option<SmallVec<[RowSource; 2]>> {
        if depth > Self::DEPTH {
            return None;
        }
        let window = |b: usize| {
            Some(smallvec::smallvec![RowSource::Window(
                self.first_window + b
            )])
        };
        if let Some(b) = self
            .blocks
            .iter()
            .position(|w| w.output.is_some_and(|(s, e)| (s..=e).contains(&addr)))
        {
            return window(b);
        }
        let Some(l) = (self.first_loop..self.loops.len())
            .rev()
            .find(|&l| self.loops[l].start <= addr && addr <= self.loops[l].end)
        else {
            return Some(smallvec::smallvec![RowSource::Once]);
        };
        if let Some(b) = self.blocks.iter().position(|w| w.input == l) {
            return window(b);
        }
        let lp = &self.loops[l];
        // Code a jump in the loop can skip (a filter) runs for some of its iterations
        // only: how many, the program does not say.
        if self.ops.iter().any(|o| {
            (lp.start..addr).contains(&o.addr)
                && JUMPS.contains(&o.opcode.as_str())
                && o.p2 > addr
                && o.p2 <= lp.end
        }) {
            return None;
        }
        let op_at = |a: i64| self.ops.iter().find(|o| o.addr == a);
        // A sorter's loop runs once per row put in it.
        if op_at(lp.end).is_some_and(|o| o.opcode == "SorterNext") {
            let mut sources = SmallVec::new();
            for put in self
                .ops
                .iter()
                .filter(|o| o.opcode == "SorterInsert" && o.p1 == lp.cursor)
            {
                sources.extend(self.rows_at(put.addr, depth + 1)?);
            }
            return Some(sources);
        }
        // A loop over a coroutine's rows runs once per row it yields.
        if lp.kind == LoopKind::Goto
            && let Some(head) = op_at(lp.start).filter(|o| o.opcode == "Yield")
        {
            return self.coroutine_rows(head.p1, depth + 1);
        }
        Some(smallvec::smallvec![RowSource::Loop(l)])
    }
}

/// The rows and partitions of a run of a [`WindowBlock`].
#[derive(Clone, Copy, Debug)]
pub(super) struct WindowCount {
    rows: u64,
    partitions: u64,
    /// Times its loop was entered (a subquery's window runs once per outer row).
    entered: u64,
    partitioned: bool,
}

/// How often a site of a window's code runs, when the window says: `seen` has the rows
/// read that the statement's text told.
pub(super) fn window_times(
    role: WindowSite,
    windows: &[WindowCount],
    seen: Observed,
) -> Option<u64> {
    let count = |b: usize| windows.get(b).copied();
    let lead = |lead: bool, total: u64| if lead { total } else { 0 };
    Some(match role {
        WindowSite::FirstRow(b) => count(b).map_or(0, |c| c.partitions),
        WindowSite::EmptyFrame => 0,
        WindowSite::Flush(b) => count(b).map_or(0, |c| {
            c.entered + if c.partitioned { c.partitions } else { 0 }
        }),
        WindowSite::Leaving {
            first: true,
            lead: l,
        } => lead(l, seen.leaving_reads?),
        WindowSite::Leaving { .. } if seen.leaving_reads.is_some() => 0,
        WindowSite::Leaving { .. } => return None,
        WindowSite::PerRow {
            guarded: true,
            first: true,
            lead: l,
            ..
        } if seen.frame_reads.is_some() => lead(l, seen.frame_reads.unwrap_or(0)),
        WindowSite::PerRow {
            block, first: true, ..
        } => count(block).map_or(0, |c| c.rows),
        WindowSite::PerRow { .. } => 0,
    })
}

impl Plan {
    /// The rows and partitions of each window, its input loop's runs set to its rows.
    pub(super) fn window_rows(
        &self,
        runs: &mut [u64],
        seen: Observed,
    ) -> SmallVec<[WindowCount; 4]> {
        let mut counts: SmallVec<[WindowCount; 4]> = SmallVec::new();
        for w in &self.windows {
            let rows = match &w.sources {
                Some(sources) => sources
                    .iter()
                    .map(|s| match *s {
                        RowSource::Loop(l) => runs[l],
                        RowSource::Window(b) => counts.get(b).map_or(0, |c| c.rows),
                        RowSource::Once => 1,
                    })
                    .sum(),
                None => runs[w.input],
            };
            runs[w.input] = rows;
            // Each time the loop is entered with rows, a partition at least; with
            // `PARTITION BY`, as many as were counted, each time.
            let entered = self.loops[w.input].parent.map_or(1, |p| runs[p]);
            let partitions = match seen.partitions {
                Some(p) if w.partitioned && rows > 0 => p * entered,
                _ => rows.min(entered),
            };
            counts.push(WindowCount {
                rows,
                partitions,
                entered,
                partitioned: w.partitioned,
            });
        }
        counts
    }
}
