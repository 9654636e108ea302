//! What a statement's windows read that its program does not say, counted by queries
//! made from the statement's text, run only for a caller that reads the counters: the
//! partitions (a window reads its partition's table once more for each), the rows
//! `nth_value` and `first_value` read (only where the frame has the row they return),
//! the rows `min()` and `max()` take out of a moving frame. Each query is over the rows
//! of the `SELECT` the window is in (its `FROM` to its `HAVING`), after the statement's
//! `WITH`, with the statement's parameters, numbered as there.

/// The query that counts the partitions of a statement's windows: for a window with
/// `PARTITION BY`, the distinct values of its partition's expressions over the rows of
/// the `SELECT` it is in (its `FROM` to its `HAVING`), after the statement's `WITH`.
/// Its parameters are the statement's, numbered as there. `None` when no window has
/// `PARTITION BY`, when two count over different rows or partitions, or when the text
/// is more than this reads (a window in a `SELECT` without `FROM`, a text that does
/// not tokenize).
pub(super) fn partition_query(sql: &str) -> Option<String> {
    let text = Text::new(sql)?;
    let tokens = &text.tokens;
    let prefix = text.prefix();
    let mut query: Option<String> = None;
    for (i, t) in tokens.iter().enumerate() {
        if !t.is_word(sql, "OVER") {
            continue;
        }
        let core = core_of(sql, tokens, i)?;
        let Some(partition) = partition_of(sql, tokens, i + 1, core.select) else {
            continue;
        };
        let this = format!(
            "{prefix} SELECT count(*) FROM (SELECT DISTINCT {} {})",
            text.of(partition.0, partition.1),
            text.of(core.from, core.end)
        );
        match &query {
            Some(q) if *q != this => return None,
            _ => query = Some(this),
        }
    }
    query
}

/// The query that counts the rows `nth_value(x, k)` and `first_value(x)` read: each
/// reads its row for each row of its window whose frame has `k` rows or more (`k` is 1
/// for `first_value`), told by `count(*)` over the same window. With the number of
/// such calls, each of which SQLite gives a seek of its own. `None` without them, or
/// where the text is more than [`partition_query`] reads.
pub(super) fn frame_query(sql: &str) -> Option<(usize, String)> {
    let text = Text::new(sql)?;
    let tokens = &text.tokens;
    let mut counts = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        let nth = t.is_word(sql, "nth_value");
        if !(nth || t.is_word(sql, "first_value"))
            || tokens.get(i + 1).is_none_or(|t| t.kind != Kind::Open)
        {
            continue;
        }
        let close = matching(tokens, i + 1)?;
        let k = if nth {
            let inside = tokens[i + 1].depth + 1;
            let comma = (i + 2..close)
                .find(|&c| tokens[c].kind == Kind::Comma && tokens[c].depth == inside)
                .filter(|&c| c + 1 < close)?;
            text.of(tokens[comma + 1].start, tokens[close - 1].end)
        } else {
            "1".to_owned()
        };
        let over = close + 1;
        if !tokens.get(over)?.is_word(sql, "OVER") {
            return None;
        }
        let spec = match tokens.get(over + 1)?.kind {
            Kind::Open => matching(tokens, over + 1)?,
            Kind::Word => over + 1,
            _ => return None,
        };
        let core = core_of(sql, tokens, over)?;
        let windows = core
            .windows
            .map_or(String::new(), |(from, to)| text.of(from, to));
        counts.push(format!(
            "(SELECT count(*) FROM (SELECT count(*) OVER {} AS d1orm_frame, {k} AS d1orm_nth \
             {} {windows}) WHERE d1orm_frame >= d1orm_nth)",
            text.of(tokens[over + 1].start, tokens[spec].end),
            text.of(core.from, core.end),
        ));
    }
    (!counts.is_empty()).then(|| {
        (
            counts.len(),
            format!("{} SELECT {}", text.prefix(), counts.join(" + ")),
        )
    })
}

/// The query that counts the reads of `min(x)` and `max(x)` over a frame whose start
/// moves (not `UNBOUNDED PRECEDING`): SQLite keeps the frame's values in an index,
/// seeks each row's value there when the row leaves the frame (each row before the
/// start of the frame of its partition's last row, whose value is not NULL and passes
/// the call's `FILTER`: told by `row_number()` and `first_value()` over the same
/// window), and reads the frame's value from it (`Last`) for each row of a `ROWS`
/// frame, for each set of peers of a `RANGE` or `GROUPS` frame (distinct values of the
/// partition and the order). With the number of such calls, each of which SQLite
/// gives an index of its own. `None` without them, for a frame that starts after the current
/// row, or where the text is more than [`partition_query`] reads.
pub(super) fn leaving_query(sql: &str) -> Option<(usize, String)> {
    let text = Text::new(sql)?;
    let tokens = &text.tokens;
    let mut counts = Vec::new();
    let mut calls = 0;
    for (i, t) in tokens.iter().enumerate() {
        if !t.is_any(sql, &["min", "max"]) || tokens.get(i + 1).is_none_or(|t| t.kind != Kind::Open)
        {
            continue;
        }
        let close = matching(tokens, i + 1)?;
        let inside = tokens[i + 1].depth + 1;
        // `min(a, b)` is the scalar function.
        if (i + 2..close).any(|c| tokens[c].kind == Kind::Comma && tokens[c].depth == inside) {
            continue;
        }
        let arg = text.of(tokens[i + 1].end, tokens[close].start);
        let mut over = close + 1;
        let mut keep = "1".to_owned();
        if tokens.get(over).is_some_and(|t| t.is_word(sql, "FILTER")) {
            let open = over + 1;
            let end = matching(tokens, open)?;
            if !tokens.get(open + 1)?.is_word(sql, "WHERE") || open + 2 >= end {
                return None;
            }
            keep = text.of(tokens[open + 2].start, tokens[end - 1].end);
            over = end + 1;
        }
        if !tokens.get(over).is_some_and(|t| t.is_word(sql, "OVER")) {
            continue;
        }
        let core = core_of(sql, tokens, over)?;
        let rows_frame = match frame_start(sql, tokens, over + 1, core.select)? {
            Start::Unbounded => continue,
            Start::Moves { rows } => rows,
        };
        let spec_end = match tokens.get(over + 1)?.kind {
            Kind::Open => matching(tokens, over + 1)?,
            Kind::Word => over + 1,
            _ => return None,
        };
        let spec = text.of(tokens[over + 1].start, tokens[spec_end].end);
        let partition = partition_of(sql, tokens, over + 1, core.select)
            .map_or(String::new(), |(from, to)| {
                format!("PARTITION BY {}", text.of(from, to))
            });
        let windows = core
            .windows
            .map_or(String::new(), |(from, to)| text.of(from, to));
        let input = text.of(core.from, core.end);
        let peers = if rows_frame {
            "1, d1orm_pos".to_owned()
        } else {
            let mut keys = Vec::new();
            keys.extend(
                partition_of(sql, tokens, over + 1, core.select).map(|(f, t)| text.of(f, t)),
            );
            keys.extend(order_of(sql, tokens, over + 1, core.select).map(|terms| {
                terms
                    .iter()
                    .map(|&(f, t)| text.of(f, t))
                    .collect::<Vec<_>>()
                    .join(", ")
            }));
            if keys.is_empty() {
                "1".to_owned()
            } else {
                keys.join(", ")
            }
        };
        // The frame's value read: once per row (`d1orm_pos` makes each distinct), or
        // per set of peers.
        counts.push(format!(
            "(SELECT count(*) FROM (SELECT DISTINCT {peers} FROM (SELECT *, row_number() \
             OVER () AS d1orm_pos {input})))"
        ));
        counts.push(format!(
            "(SELECT count(*) FROM (SELECT d1orm_pos, d1orm_arg, d1orm_keep, \
             max(d1orm_start) OVER ({partition}) AS d1orm_last FROM (SELECT *, \
             first_value(d1orm_pos) OVER {spec} AS d1orm_start FROM (SELECT *, \
             row_number() OVER {spec} AS d1orm_pos, ({arg}) AS d1orm_arg, ({keep}) AS \
             d1orm_keep {input} {windows}) {windows})) WHERE d1orm_pos < d1orm_last AND d1orm_arg \
             IS NOT NULL AND d1orm_keep)",
        ));
        calls += 1;
    }
    (calls > 0).then(|| {
        (
            calls,
            format!("{} SELECT {}", text.prefix(), counts.join(" + ")),
        )
    })
}

/// Where a window's frame starts.
enum Start {
    /// `UNBOUNDED PRECEDING`, the default.
    Unbounded,
    /// An offset before the current row, or the current row: the start moves with it,
    /// counted in rows (`ROWS`) or not.
    Moves { rows: bool },
}

/// The parentheses around the specification of the window at `tokens[at]`: its own,
/// or those of the window the `SELECT` at `tokens[select]` names so.
fn specification(sql: &str, tokens: &[Token], at: usize, select: usize) -> Option<(usize, usize)> {
    let open = match tokens.get(at)?.kind {
        Kind::Open => at,
        Kind::Word => named(sql, tokens, at, select)?,
        _ => return None,
    };
    Some((open, matching(tokens, open)?))
}

/// Where the frame of the window whose specification starts at `tokens[at]` starts;
/// `None` for a start after the current row, or a frame excluding rows (SQLite scans
/// such frames whole).
fn frame_start(sql: &str, tokens: &[Token], at: usize, select: usize) -> Option<Start> {
    let (open, close) = specification(sql, tokens, at, select)?;
    let inside = tokens[open].depth + 1;
    let level = |k: &usize| tokens[*k].depth == inside;
    let Some(frame) = (open + 1..close)
        .filter(level)
        .find(|&k| tokens[k].is_any(sql, &["ROWS", "RANGE", "GROUPS"]))
    else {
        // A window built on a named one takes its frame, if it has none of its own.
        let base = tokens.get(open + 1).filter(|t| {
            open + 1 < close && t.kind == Kind::Word && !t.is_any(sql, &["PARTITION", "ORDER"])
        });
        return match base {
            Some(_) => frame_start(sql, tokens, open + 1, select),
            None => Some(Start::Unbounded),
        };
    };
    let excludes = (frame..close)
        .filter(level)
        .find(|&k| tokens[k].is_word(sql, "EXCLUDE"));
    if excludes.is_some_and(|k| !tokens.get(k + 1).is_some_and(|t| t.is_word(sql, "NO"))) {
        return None;
    }
    let mut from = frame + 1;
    if tokens.get(from)?.is_word(sql, "BETWEEN") {
        from += 1;
    }
    let to = (from..close)
        .filter(level)
        .find(|&k| tokens[k].is_any(sql, &["AND", "EXCLUDE"]))
        .unwrap_or(close);
    let bound = |word: &str| {
        (from..to)
            .filter(level)
            .any(|k| tokens[k].is_word(sql, word))
    };
    if bound("UNBOUNDED") {
        Some(Start::Unbounded)
    } else if bound("FOLLOWING") {
        None
    } else {
        Some(Start::Moves {
            rows: tokens[frame].is_word(sql, "ROWS"),
        })
    }
}

/// A statement's text and its tokens, to copy parts of into a query of its own.
struct Text<'a> {
    sql: &'a str,
    tokens: Vec<Token>,
    /// The number of each token that is a parameter ([`parameter_numbers`]).
    numbers: Vec<usize>,
}

impl<'a> Text<'a> {
    fn new(sql: &'a str) -> Option<Text<'a>> {
        let tokens = tokenize(sql)?;
        let numbers = parameter_numbers(sql, &tokens);
        Some(Text {
            sql,
            tokens,
            numbers,
        })
    }

    /// The text from `from` to `to`, each parameter by the number it has in the
    /// statement: the query is bound with the statement's values.
    fn of(&self, from: usize, to: usize) -> String {
        if to <= from {
            return String::new();
        }
        let mut out = String::with_capacity(to - from);
        let mut at = from;
        for (t, n) in self.tokens.iter().zip(&self.numbers) {
            if t.kind == Kind::Parameter && from <= t.start && t.end <= to {
                out.push_str(&self.sql[at..t.start]);
                out.push_str(&format!("?{n}"));
                at = t.end;
            }
        }
        out.push_str(&self.sql[at..to]);
        out
    }

    /// The statement's `WITH` clause, for a query to have its tables.
    fn prefix(&self) -> String {
        with_end(self.sql, &self.tokens).map_or(String::new(), |end| self.of(0, end))
    }
}

/// The number SQLite gives each token that is a parameter (0 for the others): `?` one
/// more than the highest so far, `?NNN` its own, a name the number of its first use.
fn parameter_numbers(sql: &str, tokens: &[Token]) -> Vec<usize> {
    let mut highest = 0;
    let mut names: Vec<(&str, usize)> = Vec::new();
    tokens
        .iter()
        .map(|t| {
            if t.kind != Kind::Parameter {
                return 0;
            }
            let name = &sql[t.start..t.end];
            if let Some(n) = name.strip_prefix('?') {
                let n = n.parse().unwrap_or(highest + 1);
                highest = highest.max(n);
                return n;
            }
            if let Some(&(_, n)) = names.iter().find(|(seen, _)| *seen == name) {
                return n;
            }
            highest += 1;
            names.push((name, highest));
            highest
        })
        .collect()
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    /// A keyword or a name, quoted or not.
    Word,
    /// `(`.
    Open,
    /// `)`.
    Close,
    /// `,`.
    Comma,
    /// `?`, `:name`, `@name`, `$name`.
    Parameter,
    /// `;`.
    End,
    /// A string, a number, an operator.
    Other,
}

#[derive(Clone, Copy, Debug)]
struct Token {
    kind: Kind,
    start: usize,
    end: usize,
    /// Parentheses open around it (around a parenthesis: outside it).
    depth: usize,
}

impl Token {
    fn is_word(&self, sql: &str, word: &str) -> bool {
        self.kind == Kind::Word && sql[self.start..self.end].eq_ignore_ascii_case(word)
    }

    fn is_any(&self, sql: &str, words: &[&str]) -> bool {
        words.iter().any(|w| self.is_word(sql, w))
    }
}

/// SQLite's tokens of `sql`, comments left out; `None` for a text that does not end
/// what it starts (a string, a quoted name, a comment, a parenthesis).
fn tokenize(sql: &str) -> Option<Vec<Token>> {
    let bytes = sql.as_bytes();
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80;
    // The end of a quoted token whose text starts at `from`: a doubled quote stands for
    // itself (not within brackets).
    let closing = |from: usize, close: u8| {
        let mut j = from;
        loop {
            let k = j + bytes.get(j..)?.iter().position(|&c| c == close)?;
            if close != b']' && bytes.get(k + 1) == Some(&close) {
                j = k + 2;
            } else {
                return Some(k + 1);
            }
        }
    };
    let mut tokens = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let (kind, end) = match b {
            _ if b.is_ascii_whitespace() => {
                i += 1;
                continue;
            }
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                i = bytes[i..]
                    .iter()
                    .position(|&c| c == b'\n')
                    .map_or(bytes.len(), |n| i + n + 1);
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = sql[i + 2..].find("*/").map(|n| i + 2 + n + 2)?;
                continue;
            }
            b'\'' => (Kind::Other, closing(i + 1, b'\'')?),
            b'"' => (Kind::Word, closing(i + 1, b'"')?),
            b'`' => (Kind::Word, closing(i + 1, b'`')?),
            b'[' => (Kind::Word, closing(i + 1, b']')?),
            b'(' => (Kind::Open, i + 1),
            b')' => (Kind::Close, i + 1),
            b',' => (Kind::Comma, i + 1),
            b';' => (Kind::End, i + 1),
            b'?' | b':' | b'@' | b'$' => {
                let n = bytes[i + 1..].iter().take_while(|&&c| word(c)).count();
                (Kind::Parameter, i + 1 + n)
            }
            // A blob literal (`x'00'`).
            b'x' | b'X' if bytes.get(i + 1) == Some(&b'\'') => {
                (Kind::Other, closing(i + 2, b'\'')?)
            }
            _ if word(b) => {
                let n = bytes[i..].iter().take_while(|&&c| word(c)).count();
                (Kind::Word, i + n)
            }
            _ => (Kind::Other, i + 1),
        };
        if kind == Kind::Close {
            depth = depth.checked_sub(1)?;
        }
        tokens.push(Token {
            kind,
            start: i,
            end,
            depth,
        });
        if kind == Kind::Open {
            depth += 1;
        }
        i = end;
    }
    (depth == 0).then_some(tokens)
}

/// The token closing the parenthesis `tokens[open]` opens.
fn matching(tokens: &[Token], open: usize) -> Option<usize> {
    let depth = tokens.get(open).filter(|t| t.kind == Kind::Open)?.depth;
    (open + 1..tokens.len()).find(|&k| tokens[k].kind == Kind::Close && tokens[k].depth == depth)
}

/// Where the statement's `WITH` clause ends: after its last table's parenthesis.
fn with_end(sql: &str, tokens: &[Token]) -> Option<usize> {
    if !tokens.first()?.is_word(sql, "WITH") {
        return None;
    }
    let mut i = 1;
    if tokens.get(i)?.is_word(sql, "RECURSIVE") {
        i += 1;
    }
    loop {
        // name [(columns)] AS [NOT] [MATERIALIZED] (select)
        i += 1;
        if tokens.get(i)?.kind == Kind::Open {
            i = matching(tokens, i)? + 1;
        }
        if !tokens.get(i)?.is_word(sql, "AS") {
            return None;
        }
        i += 1;
        while tokens.get(i)?.is_any(sql, &["NOT", "MATERIALIZED"]) {
            i += 1;
        }
        let close = matching(tokens, i)?;
        if tokens.get(close + 1)?.kind != Kind::Comma {
            return Some(tokens[close].end);
        }
        i = close + 2;
    }
}

/// The rows a window takes: the `FROM` to the end of its `SELECT`'s clauses that make
/// them, and where that `SELECT` is.
struct Core {
    select: usize,
    from: usize,
    end: usize,
    /// Its `WINDOW` clause.
    windows: Option<(usize, usize)>,
}

/// The `SELECT` the window whose `OVER` is `tokens[over]` is in: the nearest before it
/// within the parentheses around it.
fn core_of(sql: &str, tokens: &[Token], over: usize) -> Option<Core> {
    let mut depth = tokens[over].depth;
    let mut select = None;
    for k in (0..over).rev() {
        depth = depth.min(tokens[k].depth);
        if tokens[k].depth == depth && tokens[k].is_word(sql, "SELECT") {
            select = Some(k);
            break;
        }
    }
    let select = select?;
    let depth = tokens[select].depth;
    const ENDS: [&str; 8] = [
        "WINDOW",
        "ORDER",
        "LIMIT",
        "UNION",
        "INTERSECT",
        "EXCEPT",
        "RETURNING",
        "ON",
    ];
    let mut from = None;
    let mut end = None;
    for (k, t) in tokens.iter().enumerate().skip(select + 1) {
        if t.depth < depth || t.kind == Kind::End {
            end = Some(k);
            break;
        }
        if t.depth > depth {
            continue;
        }
        if from.is_none() && t.is_word(sql, "FROM") {
            from = Some(k);
        } else if let Some(f) = from
            && t.is_any(sql, &ENDS)
            // `JOIN ... ON` is a join's condition; `ON CONFLICT`, an upsert's clause.
            && (!t.is_word(sql, "ON")
                || tokens.get(k + 1).is_some_and(|n| n.is_word(sql, "CONFLICT")))
            && k > f
        {
            end = Some(k);
            break;
        }
    }
    let from = from?;
    let end = end.unwrap_or(tokens.len());
    let windows = tokens
        .get(end)
        .filter(|t| t.is_word(sql, "WINDOW"))
        .map(|_| {
            let last = (end + 1..tokens.len())
                .find(|&k| {
                    tokens[k].depth < depth
                        || tokens[k].kind == Kind::End
                        || (tokens[k].depth == depth && tokens[k].is_any(sql, &ENDS[1..]))
                })
                .unwrap_or(tokens.len());
            (tokens[end].start, tokens[last - 1].end)
        });
    (end > from + 1).then(|| Core {
        select,
        from: tokens[from].start,
        end: tokens[end - 1].end,
        windows,
    })
}

/// The text of the partition expressions of the window whose specification starts at
/// `tokens[at]` (a parenthesis, or the name of a window the `SELECT` at
/// `tokens[select]` defines); `None` without `PARTITION BY`.
fn partition_of(sql: &str, tokens: &[Token], at: usize, select: usize) -> Option<(usize, usize)> {
    let (open, close) = specification(sql, tokens, at, select)?;
    let inside = tokens[open].depth + 1;
    let first = tokens.get(open + 1).filter(|_| open + 1 < close)?;
    const CLAUSES: [&str; 4] = ["ORDER", "ROWS", "RANGE", "GROUPS"];
    if first.is_word(sql, "PARTITION") {
        let start = open + 3;
        let end = (start..close)
            .find(|&k| tokens[k].depth == inside && tokens[k].is_any(sql, &CLAUSES))
            .unwrap_or(close);
        return (end > start).then(|| (tokens[start].start, tokens[end - 1].end));
    }
    // A window built on a named one (`OVER (w ORDER BY ...)`) has its partitions.
    if first.kind == Kind::Word && !first.is_any(sql, &CLAUSES) {
        return partition_of(sql, tokens, open + 1, select);
    }
    None
}

/// The terms of the `ORDER BY` of the window whose specification starts at
/// `tokens[at]`, without their `ASC`, `DESC`, `NULLS FIRST`, `NULLS LAST`.
fn order_of(sql: &str, tokens: &[Token], at: usize, select: usize) -> Option<Vec<(usize, usize)>> {
    let (open, close) = specification(sql, tokens, at, select)?;
    let inside = tokens[open].depth + 1;
    let level = |k: usize| tokens[k].depth == inside;
    let Some(order) = (open + 1..close).find(|&k| level(k) && tokens[k].is_word(sql, "ORDER"))
    else {
        // A window built on a named one takes its order.
        let base = tokens.get(open + 1).filter(|t| {
            open + 1 < close
                && t.kind == Kind::Word
                && !t.is_any(sql, &["PARTITION", "ROWS", "RANGE", "GROUPS"])
        });
        return base.and_then(|_| order_of(sql, tokens, open + 1, select));
    };
    let end = (order + 2..close)
        .find(|&k| level(k) && tokens[k].is_any(sql, &["ROWS", "RANGE", "GROUPS"]))
        .unwrap_or(close);
    let mut terms = Vec::new();
    let mut from = order + 2;
    for k in order + 2..=end {
        if k == end || (level(k) && tokens[k].kind == Kind::Comma) {
            let mut to = k;
            while to > from
                && level(to - 1)
                && tokens[to - 1].is_any(sql, &["ASC", "DESC", "FIRST", "LAST", "NULLS"])
            {
                to -= 1;
            }
            if to <= from {
                return None;
            }
            terms.push((tokens[from].start, tokens[to - 1].end));
            from = k + 1;
        }
    }
    Some(terms)
}

/// The parenthesis that opens the definition of the window named at `tokens[name]` in
/// the `WINDOW` clause of the `SELECT` at `tokens[select]`.
fn named(sql: &str, tokens: &[Token], name: usize, select: usize) -> Option<usize> {
    let depth = tokens[select].depth;
    let text = &sql[tokens[name].start..tokens[name].end];
    let clause = (select + 1..tokens.len())
        .take_while(|&k| tokens[k].depth >= depth)
        .find(|&k| tokens[k].depth == depth && tokens[k].is_word(sql, "WINDOW"))?;
    // name AS (definition), ...
    let mut k = clause + 1;
    loop {
        let open = k + 2;
        if !tokens.get(k + 1)?.is_word(sql, "AS") || tokens.get(open)?.kind != Kind::Open {
            return None;
        }
        if sql[tokens[k].start..tokens[k].end].eq_ignore_ascii_case(text) {
            return Some(open);
        }
        let close = matching(tokens, open)?;
        if tokens.get(close + 1)?.kind != Kind::Comma {
            return None;
        }
        k = close + 2;
    }
}

#[cfg(test)]
mod tests {
    use super::{frame_query, leaving_query, partition_query};

    #[test]
    fn counts_the_rows_a_partitioned_window_is_over() {
        let cases: [(&str, Option<&str>); 9] = [
            (
                "SELECT id, sum(pts) OVER (PARTITION BY team) FROM s WHERE pts > 1 ORDER BY id",
                Some(" SELECT count(*) FROM (SELECT DISTINCT team FROM s WHERE pts > 1)"),
            ),
            (
                "SELECT a, lag(a) OVER p, sum(a) OVER (p ROWS 1 PRECEDING) FROM t GROUP BY a, b \
                 WINDOW q AS (ORDER BY a), p AS (PARTITION BY b, lower(c) ORDER BY a) LIMIT 3",
                Some(" SELECT count(*) FROM (SELECT DISTINCT b, lower(c) FROM t GROUP BY a, b)"),
            ),
            (
                "WITH x AS (SELECT * FROM t) SELECT k FROM (SELECT k, row_number() OVER \
                 (PARTITION BY k ORDER BY v) AS rn FROM x JOIN y ON y.k = x.k) WHERE rn = 1",
                Some(
                    "WITH x AS (SELECT * FROM t) SELECT count(*) FROM (SELECT DISTINCT k \
                     FROM x JOIN y ON y.k = x.k)",
                ),
            ),
            ("SELECT sum(a) OVER (ORDER BY a) FROM t", None),
            (
                "SELECT ?, sum(a) OVER (PARTITION BY b + :k) FROM t WHERE a = ?5 AND c = :k OR d = ?",
                Some(
                    " SELECT count(*) FROM (SELECT DISTINCT b + ?2 FROM t WHERE a = ?5 AND c = ?2 \
                     OR d = ?6)",
                ),
            ),
            (
                "SELECT sum(a) OVER (PARTITION BY b), sum(a) OVER (PARTITION BY c) FROM t",
                None,
            ),
            ("SELECT sum(1) OVER (PARTITION BY 1)", None),
            (
                "SELECT ')' AS \"OVER\", [x(], sum(a) OVER (PARTITION BY b) -- OVER (\nFROM t",
                Some(" SELECT count(*) FROM (SELECT DISTINCT b FROM t)"),
            ),
            ("SELECT sum(a) OVER (PARTITION BY b FROM t", None),
        ];
        for (sql, want) in cases {
            assert_eq!(partition_query(sql).as_deref(), want, "{sql}");
        }
    }

    #[test]
    fn counts_the_rows_whose_frame_has_the_row_asked_for() {
        assert_eq!(
            frame_query(
                "SELECT nth_value(pts, 2) OVER p, first_value(pts) OVER (ORDER BY id), \
                 lag(pts) OVER p FROM s WHERE team <> ? WINDOW p AS (PARTITION BY team) \
                 ORDER BY id"
            ),
            Some((
                2,
                " SELECT (SELECT count(*) FROM (SELECT count(*) OVER p AS d1orm_frame, 2 AS \
                 d1orm_nth FROM s WHERE team <> ?1 WINDOW p AS (PARTITION BY team)) WHERE \
                 d1orm_frame >= d1orm_nth) + (SELECT count(*) FROM (SELECT count(*) OVER \
                 (ORDER BY id) AS d1orm_frame, 1 AS d1orm_nth FROM s WHERE team <> ?1 WINDOW p \
                 AS (PARTITION BY team)) WHERE d1orm_frame >= d1orm_nth)"
                    .to_owned()
            ))
        );
        assert_eq!(frame_query("SELECT lag(a) OVER (ORDER BY a) FROM t"), None);
    }

    /// Texts SQLite would refuse, or cut short: no panic; no query where the part a
    /// query is made of is missing (a text copied whole fails as the statement would).
    #[test]
    fn reads_odd_texts_without_a_panic() {
        let refused = [
            "SELECT nth_value(x,) OVER () FROM t",
            "SELECT max(a) FILTER (WHERE) OVER (ROWS 1 PRECEDING) FROM t",
            "SELECT max(a) FILTER OVER (ROWS 1 PRECEDING) FROM t",
            "SELECT sum(a) OVER",
            "SELECT sum(a) OVER (",
            "SELECT sum(a) OVER (PARTITION BY) FROM t",
            "SELECT 'unterminated",
            "SELECT 1 /* unterminated",
            "WITH x AS SELECT 1",
            "",
            ")",
        ];
        for sql in refused {
            assert_eq!(partition_query(sql), None, "{sql}");
            assert_eq!(frame_query(sql), None, "{sql}");
            assert_eq!(leaving_query(sql), None, "{sql}");
        }
        for sql in [
            "SELECT min(a) OVER (ORDER BY ROWS 1 PRECEDING) FROM t",
            "SELECT first_value(a) OVER w FROM t WINDOW w AS",
            "SELECT ?999999999999999999999, sum(a) OVER (PARTITION BY ?) FROM t",
        ] {
            let _ = (partition_query(sql), frame_query(sql), leaving_query(sql));
        }
    }

    #[test]
    fn counts_the_rows_that_leave_a_min_or_max_frame() {
        let (calls, query) = leaving_query(
            "SELECT max(pts) FILTER (WHERE team <> 'a') OVER (PARTITION BY team ORDER BY id \
             ROWS BETWEEN 2 PRECEDING AND CURRENT ROW), min(pts) OVER (ORDER BY id), \
             min(pts, 3), max(pts) OVER w FROM s WINDOW w AS (ORDER BY id ROWS 1 PRECEDING)",
        )
        .expect("a query");
        assert_eq!(calls, 2);
        assert!(query.contains("(pts) AS d1orm_arg, (team <> 'a') AS d1orm_keep FROM s WINDOW w"));
        assert!(query.contains("max(d1orm_start) OVER (PARTITION BY team) AS d1orm_last"));
        assert!(query.contains("first_value(d1orm_pos) OVER w AS d1orm_start"));
        assert_eq!(
            leaving_query(
                "SELECT max(a) OVER (ORDER BY a ROWS BETWEEN 1 FOLLOWING AND 2 FOLLOWING) FROM t"
            ),
            None
        );
        assert_eq!(
            leaving_query("SELECT max(a) OVER (ORDER BY a ROWS UNBOUNDED PRECEDING) FROM t"),
            None
        );
    }
}
