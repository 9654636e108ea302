//! Inserts: the generated insert types, and splitting many rows into statements within
//! D1's 100 bound parameters.

use super::Table;
use crate::backend::Statement;
use crate::error::Result;
use crate::result::Meta;
use crate::value::Value;

/// D1's limit of bound parameters per statement.
pub const MAX_PARAMS: usize = 100;

/// A row to insert into table `T`: implemented by the insert type `#[derive(Table)]`
/// generates (columns the database assigns or defaults may be left out).
pub trait InsertRow<T>: Send {
    /// Appends the quoted names of the columns this row gives and their values.
    ///
    /// # Failure
    /// A value that cannot be bound.
    fn write(&self, columns: &mut Vec<&'static str>, values: &mut Vec<Value>) -> Result<()>;
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
    Assign(String, Vec<Value>),
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
        sql.push_str(&self.target.join(", "));
        sql.push_str(") DO ");
        match &self.action {
            ConflictAction::Nothing => sql.push_str("NOTHING"),
            ConflictAction::UpdateAll => {
                let mut set: Vec<&str> = columns
                    .iter()
                    .copied()
                    .filter(|c| !self.target.contains(c))
                    .collect();
                if set.is_empty() {
                    // SQLite needs one assignment; the key set to itself changes nothing.
                    set.push(self.target[0]);
                }
                sql.push_str("UPDATE SET ");
                let list: Vec<String> = set.iter().map(|c| format!("{c} = excluded.{c}")).collect();
                sql.push_str(&list.join(", "));
            }
            ConflictAction::Assign(set, values) => {
                sql.push_str("UPDATE SET ");
                sql.push_str(set);
                params.extend(values.iter().cloned());
            }
        }
    }
}

/// The INSERT statements for `rows`: consecutive rows giving the same columns share a
/// multi-row `VALUES` statement of at most [`MAX_PARAMS`] parameters (an upsert's own
/// parameters included). Each value is bound once: an upsert's update reads the
/// incoming row through `excluded`.
pub(crate) fn insert_statements<T: Table>(
    rows: &[&dyn InsertRow<T>],
    conflict: Option<&OnConflictClause>,
    returning: Option<&str>,
) -> Result<Vec<Statement>> {
    let reserved = conflict.map_or(0, OnConflictClause::params);
    let mut statements = Vec::new();
    let mut group = Group::default();
    for row in rows {
        let mut columns = Vec::new();
        let mut values = Vec::new();
        row.write(&mut columns, &mut values)?;
        let per_statement = (MAX_PARAMS.saturating_sub(reserved) / columns.len().max(1)).max(1);
        if columns != group.columns || group.rows.len() >= per_statement {
            group.flush::<T>(conflict, returning, &mut statements)?;
            group.columns = columns;
        }
        group.rows.push(values);
    }
    group.flush::<T>(conflict, returning, &mut statements)?;
    Ok(statements)
}

/// Rows giving the same columns, waiting to become one statement.
#[derive(Default)]
struct Group {
    columns: Vec<&'static str>,
    rows: Vec<Vec<Value>>,
}

impl Group {
    fn flush<T: Table>(
        &mut self,
        conflict: Option<&OnConflictClause>,
        returning: Option<&str>,
        out: &mut Vec<Statement>,
    ) -> Result<()> {
        if self.rows.is_empty() {
            return Ok(());
        }
        let mut sql = format!("INSERT INTO {}", T::QUOTED_NAME);
        if self.columns.is_empty() {
            if conflict.is_some() {
                return Err(crate::Error::d1(
                    crate::Prefix::Error,
                    format!(
                        "an upsert into {} needs rows that give at least one column",
                        T::NAME
                    ),
                ));
            }
            // Only one row can be inserted with every column defaulted.
            for _ in 0..self.rows.len() {
                let mut one = format!("{sql} DEFAULT VALUES");
                push_returning(&mut one, returning);
                out.push(Statement::new(one));
            }
            self.rows.clear();
            return Ok(());
        }
        sql.push_str(" (");
        sql.push_str(&self.columns.join(", "));
        sql.push_str(") VALUES ");
        let marks = format!("({})", vec!["?"; self.columns.len()].join(", "));
        sql.push_str(&vec![marks; self.rows.len()].join(", "));
        let mut params: Vec<Value> = self.rows.drain(..).flatten().collect();
        if let Some(conflict) = conflict {
            conflict.push_sql(&mut sql, &mut params, &self.columns);
        }
        push_returning(&mut sql, returning);
        out.push(Statement::with_params(sql, params));
        Ok(())
    }
}

pub(crate) fn push_returning(sql: &mut String, returning: Option<&str>) {
    if let Some(list) = returning {
        sql.push_str(" RETURNING ");
        sql.push_str(list);
    }
}
