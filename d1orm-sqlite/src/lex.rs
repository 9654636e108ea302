//! SQL text read as SQLite's tokenizer reads it, coarsely: enough to split statements,
//! find a statement's first keyword and the name a table is renamed to. One pass, linear
//! in the text, never allocating.

/// What a token is, as far as statement boundaries and D1's refusals care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// An unquoted word: a keyword, an identifier or a number (ASCII letters and digits,
    /// `_`, `$`, and any non-ASCII character, as SQLite's identifiers).
    Word,
    /// A quoted identifier: `"x"`, `` `x` `` or `[x]`.
    Quoted,
    /// A string literal, `'x'`.
    Text,
    /// `;`.
    Semicolon,
    /// Any other character: an operator or punctuation.
    Other,
}

/// One token of SQL text.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Token<'a> {
    pub(crate) kind: Kind,
    /// The token as written, quotes included.
    pub(crate) text: &'a str,
    /// Where the token starts in the text.
    pub(crate) start: usize,
}

impl<'a> Token<'a> {
    /// Whether the token is the unquoted keyword `word` (given in upper case).
    pub(crate) fn is(&self, word: &str) -> bool {
        self.kind == Kind::Word && self.text.eq_ignore_ascii_case(word)
    }

    /// A quoted identifier or string whose closing quote is missing: it runs to the end
    /// of the text.
    pub(crate) fn is_unterminated(&self) -> bool {
        let bytes = self.text.as_bytes();
        matches!(self.kind, Kind::Quoted | Kind::Text)
            && !(bytes.len() >= 2
                && matches!(
                    (bytes[0], bytes[bytes.len() - 1]),
                    (b'"', b'"') | (b'`', b'`') | (b'[', b']') | (b'\'', b'\'')
                ))
    }

    /// The name a word, quoted identifier or string stands for, without its quotes
    /// (doubled quotes inside are left doubled: callers only compare prefixes).
    pub(crate) fn name(&self) -> Option<&'a str> {
        match self.kind {
            Kind::Word => Some(self.text),
            Kind::Quoted | Kind::Text => {
                let inner = &self.text[1..];
                Some(if self.is_unterminated() {
                    inner
                } else {
                    &inner[..inner.len() - 1]
                })
            }
            Kind::Semicolon | Kind::Other => None,
        }
    }
}

/// The tokens of SQL text, white space and comments left out.
pub(crate) fn tokens(sql: &str) -> Tokens<'_> {
    Tokens { sql, at: 0 }
}

/// See [`tokens`].
pub(crate) struct Tokens<'a> {
    sql: &'a str,
    at: usize,
}

/// SQLite's white space: space, tab, line feed, form feed, carriage return.
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\x0c' | b'\r')
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

impl<'a> Iterator for Tokens<'a> {
    type Item = Token<'a>;

    fn next(&mut self) -> Option<Token<'a>> {
        let bytes = self.sql.as_bytes();
        loop {
            let start = self.at;
            let b = *bytes.get(start)?;
            let end = match b {
                _ if is_space(b) => {
                    self.at += 1;
                    continue;
                }
                b'-' if bytes.get(start + 1) == Some(&b'-') => {
                    self.at = memchr::memchr(b'\n', &bytes[start..])
                        .map_or(bytes.len(), |n| start + n + 1);
                    continue;
                }
                b'/' if bytes.get(start + 1) == Some(&b'*') => {
                    self.at = memchr::memmem::find(&bytes[start + 2..], b"*/")
                        .map_or(bytes.len(), |n| start + 2 + n + 2);
                    continue;
                }
                b'\'' | b'"' | b'`' | b'[' => {
                    let close = if b == b'[' { b']' } else { b };
                    let mut i = start + 1;
                    loop {
                        match memchr::memchr(close, &bytes[i..]) {
                            None => break bytes.len(),
                            // A doubled quote is a quote inside; `]` cannot be doubled.
                            Some(n) if close != b']' && bytes.get(i + n + 1) == Some(&close) => {
                                i += n + 2;
                            }
                            Some(n) => break i + n + 1,
                        }
                    }
                }
                _ if is_word_byte(b) => bytes[start..]
                    .iter()
                    .position(|&c| !is_word_byte(c))
                    .map_or(bytes.len(), |n| start + n),
                _ => start + 1,
            };
            self.at = end;
            let kind = match b {
                b'\'' => Kind::Text,
                b'"' | b'`' | b'[' => Kind::Quoted,
                b';' => Kind::Semicolon,
                _ if is_word_byte(b) => Kind::Word,
                _ => Kind::Other,
            };
            return Some(Token {
                kind,
                text: &self.sql[start..end],
                start,
            });
        }
    }
}

/// Where a statement stands, for deciding whether a `;` ends it: inside
/// `CREATE TRIGGER ... BEGIN ... END` only the `;` right after `END` does. The states
/// of SQLite's `sqlite3_complete`, whose judgement this reproduces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Boundary {
    /// Nothing but white space and comments so far.
    Nothing,
    /// A statement just ended with `;`.
    Ended,
    /// Inside a statement that the next `;` ends.
    Statement,
    /// After a leading `EXPLAIN`.
    Explain,
    /// After a leading `CREATE` (and `TEMP` or `TEMPORARY`).
    Create,
    /// Inside a trigger's body.
    Trigger,
    /// Inside a trigger's body, right after a `;`.
    TriggerSemicolon,
    /// Inside a trigger's body, right after `; END`.
    TriggerEnd,
}

impl Boundary {
    /// The state after `token`.
    pub(crate) fn after(self, token: &Token<'_>) -> Boundary {
        use Boundary::*;
        if token.kind == Kind::Semicolon {
            return match self {
                Trigger | TriggerSemicolon => TriggerSemicolon,
                _ => Ended,
            };
        }
        let word = |w: &str| token.is(w);
        match self {
            Nothing | Ended if word("EXPLAIN") => Explain,
            Nothing | Ended | Explain if word("CREATE") => Create,
            Nothing | Ended => Statement,
            // `EXPLAIN QUERY PLAN CREATE ...`: after EXPLAIN, anything but one of these
            // keywords keeps looking for CREATE.
            Explain
                if word("EXPLAIN")
                    || word("TEMP")
                    || word("TEMPORARY")
                    || word("TRIGGER")
                    || word("END") =>
            {
                Statement
            }
            Explain => Explain,
            Create if word("TEMP") || word("TEMPORARY") => Create,
            Create if word("TRIGGER") => Trigger,
            Create => Statement,
            Statement => Statement,
            TriggerSemicolon if word("END") => TriggerEnd,
            Trigger | TriggerSemicolon | TriggerEnd => Trigger,
        }
    }
}

/// The first keyword of a statement, comments and white space skipped ("" if none).
pub(crate) fn first_keyword(sql: &str) -> &str {
    match tokens(sql).next() {
        Some(t) if t.kind == Kind::Word => t.text,
        _ => "",
    }
}

/// For `ALTER TABLE name RENAME TO new`, the new name; `None` for any other statement
/// (a column rename among them).
pub(crate) fn renamed_table(sql: &str) -> Option<&str> {
    let mut t = tokens(sql).filter(|t| t.kind != Kind::Semicolon);
    if !(t.next()?.is("ALTER") && t.next()?.is("TABLE")) {
        return None;
    }
    // The table, maybe with its schema: `main.users`.
    t.next()?;
    let mut action = t.next()?;
    if action.kind == Kind::Other && action.text == "." {
        t.next()?;
        action = t.next()?;
    }
    if !(action.is("RENAME") && t.next()?.is("TO")) {
        return None;
    }
    let new = t.next()?;
    // `RENAME TO TO x` renames the column `TO`: a table rename ends at its name.
    if t.next().is_some() {
        return None;
    }
    new.name()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(sql: &str) -> Vec<(Kind, &str)> {
        tokens(sql).map(|t| (t.kind, t.text)).collect()
    }

    #[test]
    fn skips_comments_and_keeps_quotes_whole() {
        assert_eq!(
            kinds("/* a; */ SELECT 'it''s;' -- b;\n, \"x\"\"y\" [z;]; `q`"),
            [
                (Kind::Word, "SELECT"),
                (Kind::Text, "'it''s;'"),
                (Kind::Other, ","),
                (Kind::Quoted, "\"x\"\"y\""),
                (Kind::Quoted, "[z;]"),
                (Kind::Semicolon, ";"),
                (Kind::Quoted, "`q`"),
            ]
        );
        assert_eq!(kinds("'open"), [(Kind::Text, "'open")]);
        assert_eq!(kinds("/* open"), []);
    }

    #[test]
    fn finds_table_renames_to_any_name() {
        assert_eq!(
            renamed_table("ALTER TABLE a RENAME TO\"_cf_b\""),
            Some("_cf_b")
        );
        assert_eq!(
            renamed_table("ALTER TABLE a RENAME/**/TO _cf_c"),
            Some("_cf_c")
        );
        assert_eq!(
            renamed_table("-- c\nalter table main.a rename to [_CF_d];"),
            Some("_CF_d")
        );
        assert_eq!(
            renamed_table("ALTER TABLE a RENAME COLUMN b TO _cf_b"),
            None
        );
        assert_eq!(renamed_table("ALTER TABLE a RENAME TO TO _cf_b"), None);
        assert_eq!(renamed_table("ALTER TABLE a ADD COLUMN _cf_b"), None);
    }

    #[test]
    fn first_keyword_skips_comments() {
        assert_eq!(first_keyword("/* x */ -- y\n vacuum"), "vacuum");
        assert_eq!(first_keyword("'x'"), "");
    }
}
