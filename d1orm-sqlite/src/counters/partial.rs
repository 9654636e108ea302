//! Partial indexes: which rows get an entry, from the ways through a program that run
//! as many instructions as ran, or the split of a scan's steps between scan and sort as
//! an index is built.

use super::*;

/// A loop that feeds a sorter only the rows a condition takes (a partial index's
/// `WHERE`, as the index is built), and the loop over the sorted rows: the steps they
/// share no longer split evenly.
pub(super) struct Feed {
    pub(super) scan: usize,
    pub(super) sorted: usize,
    /// Instructions of the scan's body that the condition skips for a row it leaves out.
    pub(super) guarded: u64,
}

/// For the `IdxInsert` at `i` (of the statement's own program, addresses as listed):
/// the register of its key when it writes an entry of a partial index, which SQLite
/// sets to NULL for a row the index's `WHERE` leaves out, and tests (`IsNull`) to jump
/// over the write.
pub(super) fn partial_key(ops: &[&Op], i: usize) -> Option<i64> {
    let (op, test) = (ops[i], ops[i.checked_sub(1)?]);
    (op.opcode == "IdxInsert" && test.opcode == "IsNull" && test.p1 == op.p2 && test.p2 > op.addr)
        .then_some(op.p2)
}

/// Instructions that move cursor `P1` to another row (or open or close it).
pub(super) const MOVES: &[&str] = &[
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
pub(super) const COMPARISONS: [&str; 6] = ["Eq", "Ne", "Lt", "Le", "Gt", "Ge"];

/// A value a column is taken to have, as [`partial_paths`] follows the ways through a
/// program: which way each comparison with a constant goes depends only on where the
/// value falls among the constants.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Sample {
    Null,
    /// Twice the number (a number between two integers is odd).
    Number(i128),
    /// Text or a blob: greater than any number.
    Text,
}

/// Whether comparison `name` (with flags `p5`) of `left` (`r[P3]`) with `right`
/// (`r[P1]`) jumps.
pub(super) fn compare(name: &str, p5: i64, left: Sample, right: Sample) -> bool {
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
pub(super) enum Known {
    /// An integer constant (a literal, or a partial index's bound).
    Integer(i64),
    /// A column of the row a cursor is on (the one row of a program without loops).
    Column(i64, i64),
}

/// Whether the code just before the instruction at `at` (as listed), with no jump in
/// between, set `register` to NULL (`Some(true)`) or to a constant (`Some(false)`): an
/// `UPDATE` setting a column to NULL tests the new value before building index keys.
pub(super) fn set_null(ops: &[&Op], at: usize, register: i64) -> Option<bool> {
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
pub(super) fn partial_paths(ops: &[&Op]) -> Option<Vec<(u64, u64)>> {
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
        // The way taken again from this instruction once for each value `column` may have.
        let sample = |way: &Way, column: Known, todo: &mut Vec<Way>| {
            for sample in &samples {
                let mut way = way.clone();
                way.sampled.push((column, *sample));
                way.addr = addr;
                way.run -= 1;
                todo.push(way);
            }
        };
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
                    sample(&way, column, &mut todo);
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
                    None => sample(&way, column, &mut todo),
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

impl Plan {
    /// The loops of the statement's own program that fill a sorter behind a condition,
    /// and step through it: a `SorterInsert` in a loop that a conditional jump of the
    /// same loop leaps over, and the loop stepping through that sorter, both counting
    /// their steps in a counter no other loop does.
    pub(super) fn feed(&self, ops: &[&Op]) -> Option<Feed> {
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
    pub(super) fn fed(
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
    pub(super) fn partial_written(&self, instructions: u64) -> Option<u64> {
        let mut ways = self
            .partial_paths
            .as_ref()?
            .iter()
            .filter(|p| p.0 == instructions);
        let first = ways.next()?.1;
        ways.all(|p| p.1 == first).then_some(first)
    }
}
