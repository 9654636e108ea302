//! From one schema to another: the statements of a migration step, or the reasons it
//! cannot be applied in place.

use super::model::{ColumnDef, TableDef};
use crate::error::Error;
use crate::table::quote_identifier;

/// What a migration may do beyond additive changes.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// use d1orm::{MigrateOptions, Schema};
/// let options = MigrateOptions::default().allow_rebuild();   // nothing is dropped
/// db.migrate_with(&Schema::new().table::<User>(), options).await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MigrateOptions {
    /// Rebuild tables whose change SQLite cannot apply in place (type, nullability or
    /// constraint changes, ...): SQLite's table-rebuild procedure in the step's batch.
    pub rebuild: bool,
    /// Drop tables and columns the schema no longer has.
    pub drop: bool,
}

impl MigrateOptions {
    /// Allows rebuilding tables.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// use d1orm::{Database, MigrateOptions, Schema, Table};
    /// #[derive(Table)]
    /// #[d1orm(table = "items")]
    /// struct Before { #[d1orm(primary_key)] id: i64, size: i64 }
    /// #[derive(Table)]
    /// #[d1orm(table = "items")]
    /// struct After { #[d1orm(primary_key)] id: i64, size: String }       // a new type
    /// let db = Database::new(d1orm_sqlite::SqliteBackend::open_in_memory()?);
    /// db.migrate(&Schema::new().table::<Before>()).await?;
    /// let after = Schema::new().table::<After>();
    /// let step = db.migrate_with(&after, MigrateOptions::default().allow_rebuild()).await?;
    /// assert!(step.step.is_some());
    /// # Ok(()) }
    /// ```
    pub fn allow_rebuild(mut self) -> Self {
        self.rebuild = true;
        self
    }
    /// Allows dropping tables and columns.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// use d1orm::{Database, MigrateOptions, Schema, Table};
    /// #[derive(Table)]
    /// #[d1orm(table = "items")]
    /// struct Before { #[d1orm(primary_key)] id: i64, legacy: Option<i64> }
    /// #[derive(Table)]
    /// #[d1orm(table = "items")]
    /// struct After { #[d1orm(primary_key)] id: i64 }
    /// let db = Database::new(d1orm_sqlite::SqliteBackend::open_in_memory()?);
    /// db.migrate(&Schema::new().table::<Before>()).await?;
    /// let options = MigrateOptions::default().allow_drop();
    /// let step = db.migrate_with(&Schema::new().table::<After>(), options).await?;
    /// assert!(step.step.is_some());
    /// let (columns, _) = db.prepare("SELECT * FROM items").raw_with_columns::<Vec<i64>>().await?;
    /// assert_eq!(columns, ["id"]);
    /// # Ok(()) }
    /// ```
    pub fn allow_drop(mut self) -> Self {
        self.drop = true;
        self
    }
}

/// What the diff knows of the existing tables' rows.
pub(crate) trait Contents {
    /// Whether the table certainly has no row.
    fn is_empty(&self, table: &str) -> bool;
}

/// Migration files cannot see the data: every table may hold rows.
pub(crate) struct Unknown;

impl Contents for Unknown {
    fn is_empty(&self, _table: &str) -> bool {
        false
    }
}

/// The statements taking `old` to `new`, or an [`Error::Migration`] giving every reason
/// it cannot be done, one a line.
pub(crate) fn plan(
    old: &[TableDef],
    new: &[TableDef],
    contents: &dyn Contents,
    options: MigrateOptions,
) -> Result<Vec<String>, Error> {
    let mut statements = Vec::new();
    let mut refused = Vec::new();
    let mut rebuilt = Vec::new();
    for target in new {
        let Some(live) = old.iter().find(|t| t.name == target.name) else {
            statements.push(target.create_table_sql());
            statements.extend(target.create_indexes_sql());
            continue;
        };
        let empty = contents.is_empty(&target.name);
        // Without drops, what the struct no longer has stays as it is, with the
        // constraints and indexes on it.
        let full = live;
        let kept = without_missing_columns(live, target);
        let live = &kept;
        let mut in_place = Vec::new();
        let mut needs_rebuild = Vec::new();
        for c in &target.columns {
            match live.column(&c.name) {
                None => match why_not_addable(target, c) {
                    None => in_place.push(format!(
                        "ALTER TABLE {} ADD COLUMN {}",
                        quote_identifier(&target.name),
                        target.column_sql(c)
                    )),
                    Some(why) if c.not_null && c.default.is_none() && !empty => refused.push(
                        format!(
                            "table {}: {why}, and the table has rows: give the field a `default` or make it an `Option`",
                            target.name
                        ),
                    ),
                    Some(why) => needs_rebuild.push(why),
                },
                Some(was) => needs_rebuild.extend(column_change(was, c)),
            }
        }
        let dropped: Vec<&str> = if options.drop {
            live.columns
                .iter()
                .filter(|c| target.column(&c.name).is_none())
                .map(|c| c.name.as_str())
                .collect()
        } else {
            Vec::new()
        };
        if sorted(&live.primary_key) != sorted(&target.primary_key) {
            needs_rebuild.push(format!(
                "the primary key changes from ({}) to ({})",
                live.primary_key.join(", "),
                target.primary_key.join(", ")
            ));
        }
        if sorted_keys(&live.unique) != sorted_keys(&target.unique) {
            needs_rebuild.push("its UNIQUE constraints change".to_owned());
        }
        if sorted_fks(live) != sorted_fks(target) {
            needs_rebuild.push("its foreign keys change".to_owned());
        }
        if sorted(&live.checks) != sorted(&target.checks) {
            needs_rebuild.push("its CHECK constraints change".to_owned());
        }
        if needs_rebuild.is_empty() && dropped.is_empty() {
            statements.extend(in_place);
            // Indexes on columns kept without drops stay too.
            for i in full
                .indexes
                .iter()
                .filter(|i| options.drop || live.indexes.contains(i))
            {
                if !target.indexes.contains(i) {
                    statements.push(format!(
                        "DROP INDEX IF EXISTS {}",
                        quote_identifier(&i.name)
                    ));
                }
            }
            for i in &target.indexes {
                if !live.indexes.contains(i) {
                    statements.push(target.index_sql(i));
                }
            }
        } else if let Some(extra) = live
            .columns
            .iter()
            .find(|c| target.column(&c.name).is_none() && !options.drop)
        {
            refused.push(format!(
                "table {} needs a rebuild ({}), which would drop column {} that the struct no longer has: allow drops with `MigrateOptions::allow_drop()`, or add the field back",
                target.name,
                needs_rebuild.join("; "),
                extra.name
            ));
        } else if options.rebuild || empty || needs_rebuild.is_empty() {
            // Dropping columns alone is what `allow_drop` asked for.
            rebuilt.push(target.name.clone());
            statements.extend(rebuild(old, live, target));
        } else {
            refused.push(format!(
                "table {} cannot change in place: {}; migrate with `MigrateOptions::allow_rebuild()` to rebuild it (every row is copied)",
                target.name,
                needs_rebuild.join("; ")
            ));
        }
    }
    for live in old {
        if new.iter().all(|t| t.name != live.name) && options.drop {
            statements.push(format!(
                "DROP TABLE IF EXISTS {}",
                quote_identifier(&live.name)
            ));
        }
    }
    if !refused.is_empty() {
        return Err(Error::Migration {
            message: refused.join("\n"),
        });
    }
    if !rebuilt.is_empty() {
        // Foreign keys are checked at commit, once every rebuilt table is back.
        statements.insert(0, "PRAGMA defer_foreign_keys = ON".to_owned());
    }
    Ok(statements)
}

/// `live` without the UNIQUE keys, foreign keys and indexes that name a column the
/// target does not have.
fn without_missing_columns(live: &TableDef, target: &TableDef) -> TableDef {
    let has = |c: &String| target.column(c).is_some();
    let mut t = live.clone();
    t.unique.retain(|k| k.iter().all(has));
    t.foreign_keys.retain(|f| has(&f.column));
    t.indexes.retain(|i| i.columns.iter().all(has));
    t
}

/// Why `ALTER TABLE ADD COLUMN` cannot add `c`, if it cannot.
fn why_not_addable(table: &TableDef, c: &ColumnDef) -> Option<String> {
    if table.primary_key.contains(&c.name) {
        return Some(format!("new column {} is part of the primary key", c.name));
    }
    if table.unique.iter().any(|k| k.contains(&c.name)) {
        return Some(format!("new column {} is UNIQUE", c.name));
    }
    if c.not_null && c.default.is_none() {
        return Some(format!(
            "new column {} is NOT NULL without a default",
            c.name
        ));
    }
    if let Some(d) = &c.default
        && !is_constant(d)
    {
        return Some(format!(
            "new column {} has an expression default ({d})",
            c.name
        ));
    }
    if c.default.is_some() && table.foreign_keys.iter().any(|f| f.column == c.name) {
        return Some(format!(
            "new column {} references another table and has a default",
            c.name
        ));
    }
    None
}

/// A literal SQLite accepts as `ADD COLUMN`'s default: a number, a string, a blob, NULL,
/// TRUE or FALSE.
fn is_constant(default: &str) -> bool {
    let d = strip_parens(default);
    let upper = d.to_ascii_uppercase();
    let unsigned = d.trim_start_matches(['-', '+']);
    matches!(upper.as_str(), "NULL" | "TRUE" | "FALSE")
        || unsigned.parse::<f64>().is_ok()
        || (d.len() >= 2
            && d.starts_with('\'')
            && d.ends_with('\'')
            && !d[1..d.len() - 1].replace("''", "").contains('\''))
        || (upper.starts_with("X'") && d.ends_with('\''))
}

/// A default as SQLite reports it, without the parentheses the DDL put around it.
pub(crate) fn strip_parens(sql: &str) -> &str {
    let mut s = sql.trim();
    while s.starts_with('(') && s.ends_with(')') && balanced(&s[1..s.len() - 1]) {
        s = s[1..s.len() - 1].trim();
    }
    s
}

fn balanced(s: &str) -> bool {
    let mut depth = 0i32;
    for ch in s.chars() {
        match ch {
            '(' => depth += 1,
            ')' => depth -= 1,
            _ => {}
        }
        if depth < 0 {
            return false;
        }
    }
    depth == 0
}

fn column_change(was: &ColumnDef, now: &ColumnDef) -> Vec<String> {
    let mut out = Vec::new();
    if !was.sql_type.eq_ignore_ascii_case(&now.sql_type) {
        out.push(format!(
            "column {} changes type from {} to {}",
            now.name, was.sql_type, now.sql_type
        ));
    }
    if was.not_null != now.not_null {
        out.push(format!(
            "column {} becomes {}",
            now.name,
            if now.not_null { "NOT NULL" } else { "nullable" }
        ));
    }
    if was.default.as_deref().map(strip_parens) != now.default.as_deref().map(strip_parens) {
        out.push(format!("column {} changes its default", now.name));
    }
    out
}

fn sorted(v: &[String]) -> Vec<String> {
    let mut v = v.to_vec();
    v.sort();
    v
}

fn sorted_keys(v: &[Vec<String>]) -> Vec<Vec<String>> {
    let mut v: Vec<Vec<String>> = v.iter().map(|k| sorted(k)).collect();
    v.sort();
    v
}

fn sorted_fks(t: &TableDef) -> Vec<String> {
    let mut v: Vec<String> = t
        .foreign_keys
        .iter()
        .map(|f| {
            format!(
                "{}>{}.{} {} {}",
                f.column, f.table, f.references, f.on_delete, f.on_update
            )
        })
        .collect();
    v.sort();
    v
}

/// Tables whose foreign keys reach `table`, directly or through others, children
/// before their own children.
fn dependents<'a>(tables: &'a [TableDef], table: &str) -> Vec<&'a TableDef> {
    let mut out: Vec<&TableDef> = Vec::new();
    let mut queue = vec![table.to_owned()];
    while let Some(parent) = queue.pop() {
        for t in tables {
            if t.name != table
                && t.foreign_keys.iter().any(|f| f.table == parent)
                && out.iter().all(|o| o.name != t.name)
            {
                out.push(t);
                queue.push(t.name.clone());
            }
        }
    }
    out
}

/// SQLite's procedure for changes `ALTER TABLE` cannot make: a new table under a
/// temporary name, every row copied, the old table dropped, the new one renamed, its
/// indexes made again. D1 cannot turn foreign keys off, and dropping the old table
/// would fire the `ON DELETE` actions of the tables referencing it: their rows are
/// kept aside first and put back after, with foreign keys deferred to the end of the
/// batch.
fn rebuild(all: &[TableDef], live: &TableDef, target: &TableDef) -> Vec<String> {
    let temporary = format!("{}__d1orm_rebuild", target.name);
    let common: Vec<String> = target
        .columns
        .iter()
        .filter(|c| live.column(&c.name).is_some())
        .map(|c| quote_identifier(&c.name))
        .collect();
    let list = common.join(", ");
    let dependents = dependents(all, &target.name);
    let mut out = Vec::new();
    for d in &dependents {
        let keep = quote_identifier(&format!("{}__d1orm_keep", d.name));
        out.push(format!(
            "CREATE TABLE {keep} AS SELECT * FROM {}",
            quote_identifier(&d.name)
        ));
    }
    // The deepest first, so that no delete meets a row still referencing it.
    for d in dependents.iter().rev() {
        out.push(format!("DELETE FROM {}", quote_identifier(&d.name)));
    }
    out.push(target.create_table_sql_as(&temporary));
    if !common.is_empty() {
        out.push(format!(
            "INSERT INTO {} ({list}) SELECT {list} FROM {}",
            quote_identifier(&temporary),
            quote_identifier(&target.name)
        ));
    }
    out.push(format!("DROP TABLE {}", quote_identifier(&target.name)));
    out.push(format!(
        "ALTER TABLE {} RENAME TO {}",
        quote_identifier(&temporary),
        quote_identifier(&target.name)
    ));
    out.extend(target.create_indexes_sql());
    for d in &dependents {
        let keep = quote_identifier(&format!("{}__d1orm_keep", d.name));
        out.push(format!(
            "INSERT INTO {} SELECT * FROM {keep}",
            quote_identifier(&d.name)
        ));
        out.push(format!("DROP TABLE {keep}"));
    }
    out
}
