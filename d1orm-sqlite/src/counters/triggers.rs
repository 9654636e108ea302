//! Trigger programs: which program each `Program` runs, how often each ran, the changes
//! they made apart from the statement's own, and the ways through a program with them
//! (a `REPLACE` that met a row).

use super::*;

/// A run of a trigger program (`Program`), from the program that runs it.
pub(super) struct Call {
    /// The program it is in.
    pub(super) program: usize,
    pub(super) at: i64,
    /// The innermost loop around it.
    pub(super) within: Option<usize>,
    /// The program it runs, when known ([`call_targets`]).
    pub(super) target: Option<usize>,
    /// In an upsert of one row: it runs only when the row was inserted (`Some(true)`),
    /// or only when it was updated ([`upsert_branches`]).
    pub(super) branch: Option<bool>,
}

/// For the seek `ops[seek]` by row id in loop `within`: how many times it runs on a NULL
/// key, when that loop is a recursive query's (it takes each row off a queue, `Rewind`
/// then `Delete`) and the seek follows a link from a column of the row taken to the
/// next row, which it adds to the queue, all that the loop does. SQLite skips a seek
/// on a NULL key before it reads (D1 counts none), and finding no row or a NULL link
/// looks the same here; each row the query starts from begins a chain of links that
/// ends where the seek finds nothing, taken to be the NULL link (a tree's root). So the
/// rows the query starts from, when that part has no loop (one row each insert).
pub(super) fn null_link_ends(ops: &[&Op], seek: usize, loops: &[Loop], within: usize) -> u64 {
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
pub(super) fn upsert_branches(calls: &mut [Call], ops: &[&Op], conflict: i64, insert: i64) {
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
pub(super) fn has_when(ops: &[&Op]) -> bool {
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
pub(super) fn behind_once(ops: &[&Op], at: i64, loop_start: Option<i64>) -> bool {
    ops.iter().any(|o| {
        o.opcode == "Once" && o.addr < at && at < o.p2 && loop_start.is_none_or(|s| s <= o.addr)
    })
}

/// The ways through a program without loops, from its first instruction to its end:
/// for each, the instructions it runs and whether it runs the one at `site`. A test of
/// a register just set to a constant (`NotNull` on a row id given as a literal) goes
/// one way only. A trigger program run (`Program`) adds the instructions of one of the
/// ways through it (its own instructions count in the statement's); one that runs
/// again a program it is in (a recursive trigger) is taken not to. `None` for a program
/// with loops or too many ways. `programs`: the statement's and its triggers', with
/// what each `Program` runs ([`call_targets`]).
pub(super) fn paths(
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
pub(super) fn ways(
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
pub(super) fn call_targets(ops: &[Op], programs: usize) -> Vec<(usize, i64, Option<usize>)> {
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

impl Plan {
    /// How many times the body of trigger program `program` ran: once for each run of
    /// a `Program` that runs it, from a program before it (whose runs, and those of its
    /// loops, are in `runs`); `passes` times at most for the one with a `WHEN`. In an
    /// upsert of one row, those of the branch it did not take (`inserted`) do not run.
    pub(super) fn trigger_runs(
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
    pub(super) fn when_passes(
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
    pub(super) fn trigger_made(&self, runs: &[u64]) -> u64 {
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
    pub(super) fn own_loop_runs(
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
    pub(super) fn fired(&self, runs: &[u64], program: usize) -> u64 {
        runs.get(self.loops.len() + program).copied().unwrap_or(1)
    }

    /// Of the `changes` counted (`total_changes()`), those the statement's own program
    /// made with its change `bundle`: as many as that change ran, where triggers made
    /// the others, one row written each (their index entries are sites of their own).
    pub(super) fn own_bundle_changes(&self, bundle: usize, runs: &[u64], changes: u64) -> u64 {
        if !self.triggers || self.instead_of {
            return changes;
        }
        self.sites
            .iter()
            .find(|s| s.kind == SiteKind::Change && s.bundle == Some(bundle))
            .map_or(changes, |s| s.within.map_or(1, |l| runs[l]))
            .min(changes)
    }
}
