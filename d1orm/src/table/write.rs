//! Inserts: the generated insert types, and splitting many rows into statements within
//! D1's 100 bound parameters.

use super::Table;
use crate::backend::{ParamValues, Sql, Statement, Statements};
use crate::error::Result;
use crate::result::Meta;
use crate::value::Value;

/// D1's limit of bound parameters per statement.
pub const MAX_PARAMS: usize = 100;

/// A row to insert into table `T`: implemented by the insert type `#[derive(Table)]`
/// generates (columns the database assigns or defaults may be left out).
pub trait InsertRow<T>: Send {
    /// Appends the quoted names of the columns this row gives and their values. It takes
    /// the row: text and bytes move into the values instead of being copied.
    ///
    /// # Failure
    /// A value that cannot be bound.
    fn write(self, columns: &mut Vec<&'static str>, values: &mut Vec<Value>) -> Result<()>;
}

/// What a write did: each statement's meta, and the rows `RETURNING` gave back.
#[derive(Debug, Clone, PartialEq)]
pub struct WriteResult<R> {
    /// Rows returned (empty without `returning`).
    pub rows: Vec<R>,
    /// The meta of every statement run (several when a multi-row insert was split).
    pub metas: Vec<Meta>,
}

impl<R> WriteResult<R> {
    /// Rows changed, over every statement.
    pub fn changes(&self) -> u64 {
        self.metas.iter().map(|m| m.changes).sum()
    }

    /// `last_row_id` after the last statement.
    pub fn last_row_id(&self) -> Option<i64> {
        self.metas.last().map(|m| m.last_row_id)
    }
}

/// What an upsert does on a conflict.
pub(crate) enum ConflictAction {
    /// `DO NOTHING`
    Nothing,
    /// `DO UPDATE SET c = excluded.c` for every column the row gives, but the target.
    UpdateAll,
    /// `DO UPDATE SET` these assignments, with their parameters.
    Assign(String, ParamValues),
}

/// The `ON CONFLICT` clause of an upsert.
pub(crate) struct OnConflictClause {
    /// The quoted columns of the key.
    pub(crate) target: &'static [&'static str],
    pub(crate) action: ConflictAction,
}

impl OnConflictClause {
    fn params(&self) -> usize {
        match &self.action {
            ConflictAction::Assign(_, params) => params.len(),
            _ => 0,
        }
    }

    fn push_sql(&self, sql: &mut String, params: &mut Vec<Value>, columns: &[&'static str]) {
        sql.push_str(" ON CONFLICT (");
        push_list(sql, self.target);
        sql.push_str(") DO ");
        match &self.action {
            ConflictAction::Nothing => sql.push_str("NOTHING"),
            ConflictAction::UpdateAll => {
                sql.push_str("UPDATE SET ");
                let mut first = true;
                for &column in columns {
                    if !self.target.contains(&column) {
                        push_excluded(sql, column, first);
                        first = false;
                    }
                }
                if first {
                    // SQLite needs one assignment; the key set to itself changes nothing.
                    push_excluded(sql, self.target[0], true);
                }
            }
            ConflictAction::Assign(set, values) => {
                sql.push_str("UPDATE SET ");
                sql.push_str(set);
                for value in values {
                    params.push(value.clone());
                }
            }
        }
    }
}

/// The INSERT statements for `rows`: consecutive rows giving the same columns share a
/// multi-row `VALUES` statement of at most [`MAX_PARAMS`] parameters (an upsert's own
/// parameters included). Each value is bound once: an upsert's update reads the
/// incoming row through `excluded`.
pub(crate) fn insert_statements<T: Table>(
    rows: impl IntoIterator<Item = T::Insert>,
    conflict: Option<&OnConflictClause>,
    returning: Option<&str>,
) -> Result<Statements> {
    let reserved = conflict.map_or(0, OnConflictClause::params);
    let mut statements = Statements::new();
    let mut group = Group::default();
    // One pair of buffers for every row: a row's values move into its group.
    let (mut columns, mut values) = (Vec::new(), Vec::new());
    let table = (T::NAME, T::QUOTED_NAME);
    for row in rows {
        columns.clear();
        row.write(&mut columns, &mut values)?;
        group.add(
            table,
            &columns,
            &mut values,
            reserved,
            conflict,
            returning,
            &mut statements,
        )?;
    }
    group.flush(table, conflict, returning, &mut statements)?;
    Ok(statements)
}

/// Whether two rows give the same columns. The generated code pushes the same static
/// names for every row, so comparing addresses settles nearly every name without
/// reading its bytes (this runs for every row of an insert).
fn same_columns(a: &[&'static str], b: &[&'static str]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| std::ptr::eq(*x, *y) || x == y)
}

/// Rows giving the same columns, waiting to become one statement.
#[derive(Default)]
struct Group {
    columns: Vec<&'static str>,
    /// How many rows `params` holds.
    rows: usize,
    params: Vec<Value>,
    /// The SQL of the last statement and its row count: the chunks of a large insert
    /// share one text.
    shared: Option<(usize, Sql)>,
}

// Not generic over the table (only its names are wanted): compiled once, not once per
// table.
impl Group {
    /// Adds a row (its columns and its values, which move into the group), first making
    /// a statement of the rows so far when the row cannot join them.
    #[allow(clippy::too_many_arguments)]
    fn add(
        &mut self,
        table: (&str, &str),
        columns: &[&'static str],
        values: &mut Vec<Value>,
        reserved: usize,
        conflict: Option<&OnConflictClause>,
        returning: Option<&str>,
        out: &mut Statements,
    ) -> Result<()> {
        let per_statement = (MAX_PARAMS.saturating_sub(reserved) / columns.len().max(1)).max(1);
        let same_columns = same_columns(columns, &self.columns);
        if !same_columns || self.rows >= per_statement {
            self.flush(table, conflict, returning, out)?;
            if !same_columns {
                self.columns.clear();
                self.columns.extend_from_slice(columns);
                self.shared = None;
            }
        }
        self.params.append(values);
        self.rows += 1;
        Ok(())
    }

    /// Makes a statement of the rows so far. `table` is the table's name and its quoted
    /// name.
    fn flush(
        &mut self,
        (table, quoted_table): (&str, &str),
        conflict: Option<&OnConflictClause>,
        returning: Option<&str>,
        out: &mut Statements,
    ) -> Result<()> {
        if self.rows == 0 {
            return Ok(());
        }
        let rows = std::mem::take(&mut self.rows);
        let mut params = std::mem::replace(&mut self.params, Vec::with_capacity(MAX_PARAMS));
        if self.columns.is_empty() {
            if conflict.is_some() {
                return Err(crate::Error::d1(
                    crate::Prefix::Error,
                    format!("an upsert into {table} needs rows that give at least one column"),
                ));
            }
            // Only one row can be inserted with every column defaulted.
            for _ in 0..rows {
                let mut one = format!("INSERT INTO {quoted_table} DEFAULT VALUES");
                push_returning(&mut one, returning);
                out.push(Statement::new(one));
            }
            return Ok(());
        }
        let sql = match &self.shared {
            Some((n, sql)) if *n == rows => {
                if let Some(conflict) = conflict {
                    // The text is known; only the clause's parameters are wanted.
                    conflict.push_sql(&mut String::new(), &mut params, &self.columns);
                }
                sql.clone()
            }
            _ => {
                let sql = self.insert_sql(quoted_table, rows, conflict, returning, &mut params);
                let sql = Sql::single(sql).into_shared();
                self.shared = Some((rows, sql.clone()));
                sql
            }
        };
        out.push(Statement::with_params(sql, params));
        Ok(())
    }

    fn insert_sql(
        &self,
        quoted_table: &str,
        rows: usize,
        conflict: Option<&OnConflictClause>,
        returning: Option<&str>,
        params: &mut Vec<Value>,
    ) -> String {
        let mut sql = String::with_capacity(64 + rows * (self.columns.len() * 3 + 4));
        sql.push_str("INSERT INTO ");
        sql.push_str(quoted_table);
        sql.push_str(" (");
        push_list(&mut sql, &self.columns);
        sql.push_str(") VALUES ");
        for r in 0..rows {
            sql.push_str(if r == 0 { "(" } else { ", (" });
            for c in 0..self.columns.len() {
                sql.push_str(if c == 0 { "?" } else { ", ?" });
            }
            sql.push(')');
        }
        if let Some(conflict) = conflict {
            conflict.push_sql(&mut sql, params, &self.columns);
        }
        push_returning(&mut sql, returning);
        sql
    }
}

/// Appends `c = excluded.c`, after a comma unless `first`.
fn push_excluded(sql: &mut String, column: &str, first: bool) {
    if !first {
        sql.push_str(", ");
    }
    sql.push_str(column);
    sql.push_str(" = excluded.");
    sql.push_str(column);
}

/// Appends the names separated by commas: a loop, where `join` and a collected list
/// would compile more code into a Worker for each call.
fn push_list(sql: &mut String, names: &[&str]) {
    for (i, name) in names.iter().enumerate() {
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push_str(name);
    }
}

pub(crate) fn push_returning(sql: &mut String, returning: Option<&str>) {
    if let Some(list) = returning {
        sql.push_str(" RETURNING ");
        sql.push_str(list);
    }
}
