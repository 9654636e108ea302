//! Foreign key actions: how often each action program ran and the rows each changed,
//! from the update hook's changes per table; and the constants of a `VALUES` list,
//! which decide the tests on its keys.

use super::*;

/// The trigger programs of a statement that counts rows referring to the rows it
/// changes: its foreign key actions, each a trigger program run for each row the
/// statement changes (an action's own changes run the actions on its table in turn).
/// The rows each changes are told apart by table and kind of change, as the update
/// hook reports them ([`KindsHook`]); the statement's own are SQLite's `changes()`; one
/// program's may be what is left. How often each program ran follows.
pub(super) struct Actions {
    /// Per trigger program (the first is program 1).
    pub(super) programs: Vec<Action>,
    /// The tables and kinds of change (`SQLITE_DELETE`, ...) counted.
    pub(super) watched: SmallVec<[(Box<str>, i32); 4]>,
    /// The one watched the statement's own changes fall in too, to take them away.
    pub(super) own: Option<usize>,
    /// The statement's own loop it changes rows in, once per row (with triggers,
    /// SQLite first finds the rows to change, then changes each).
    pub(super) statement_loop: Option<usize>,
    /// The table and kind of the statement's own changes, when the hook reports them
    /// and no action's: each followed by its actions' tells which rows had rows
    /// referring to them ([`Observed::acted_on`]).
    pub(super) statement: Option<(Box<str>, i32)>,
}

pub(super) struct Action {
    /// Where its `Program` instructions are: their program, and the loop there they
    /// sit in (once per iteration of it, or once per run of that program outside any).
    pub(super) invokers: SmallVec<[(usize, Option<usize>); 2]>,
    /// The rows it changes.
    pub(super) changed: Changed,
    /// The loop of its own it changes rows in, once per row.
    pub(super) change_loop: Option<usize>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Changed {
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
    pub(super) fn new(ops: &[Op], plan: &Plan) -> Option<Actions> {
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

/// A register's value, as far as the constants of a program tell.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Constant {
    Null,
    Integer(i64),
    Text(Box<str>),
    /// Not NULL, of a value not followed.
    NotNull,
}

/// Registers of known value (the others are not known).
pub(super) type Registers = SmallVec<[(i64, Constant); 8]>;

pub(super) fn register(registers: &Registers, r: i64) -> Option<&Constant> {
    registers.iter().find(|(n, _)| *n == r).map(|(_, v)| v)
}

pub(super) fn set_register(registers: &mut Registers, r: i64, value: Option<Constant>) {
    registers.retain(|(n, _)| *n != r);
    if let Some(value) = value {
        registers.push((r, value));
    }
}

/// What `op` does to the registers it writes, as far as `registers` tell.
pub(super) fn apply(op: &Op, registers: &mut Registers) {
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
pub(super) const WRITES_NO_REGISTER: &[&str] = &[
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
pub(super) fn jumps(op: &Op, registers: &Registers) -> Option<bool> {
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
pub(super) fn unreached_from(
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
pub(super) fn values_registers(ops: &[&Op], start: i64) -> Option<Vec<Registers>> {
    let (coroutine, body) = values_coroutine(ops, start)?;
    let mut rows = Vec::new();
    let mut registers = Registers::new();
    for op in ops.iter().filter(|o| o.addr >= body) {
        match op.opcode.as_str() {
            "Yield" if op.p1 == coroutine => rows.push(registers.clone()),
            "EndCoroutine" if op.p1 == coroutine => return Some(rows),
            _ if JUMPS.contains(&op.opcode.as_str()) || op.opcode == "Goto" => return None,
            _ => apply(op, &mut registers),
        }
    }
    None
}

impl Plan {
    /// Counts, for the sites of `program` (its live instructions `ops`, its loops and
    /// sites from `first_loop` and `first_site`), the runs that go past them whatever
    /// the data ([`Site::unreached`]): for each row of a `VALUES` list the code of its
    /// loop runs with the row's constants, and a program without loops with its own.
    pub(super) fn mark_unreached(
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

    /// How many times program `program` ran, from the iterations of the loops
    /// before it (`runs`): once for the statement's, once per iteration of each loop
    /// running it for a foreign key action's ([`Actions`]).
    pub(super) fn entries(&self, program: usize, runs: &[u64], seen: Observed) -> u64 {
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
    pub(super) fn own_changes(&self, seen: Observed) -> (u64, u64) {
        match (&self.actions, seen.own_changes) {
            (Some(_), Some(own)) => {
                let own = own.min(seen.changes);
                (own, seen.changes - own)
            }
            _ => (seen.changes, 0),
        }
    }

    /// The rows foreign key action `program` changed ([`Actions`]).
    pub(super) fn action_changes(&self, program: usize, seen: Observed) -> Option<u64> {
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
    pub(super) fn action_rows(&self, l: usize, seen: Observed) -> Option<u64> {
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
    pub(super) fn violated(&self, seen: Observed) -> bool {
        self.own_changes(seen).1 > 0
    }
}
