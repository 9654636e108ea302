//! The row sinks behind the D1 layer's terminals: `all`, `first`, `first(column)`, `raw`.

use std::marker::PhantomData;

use serde::de::DeserializeOwned;

use crate::batch::Decoder;
use crate::result::{D1Result, Meta};

use crate::backend::{Columns, Row, RowSink};
use crate::de::{self, ObjectLayout};
use crate::error::{Error, Prefix, Result};

/// Rows as objects (`all`, `run`, `first`): keeps at most `limit` rows.
pub struct ObjectRows<T> {
    layout: ObjectLayout,
    pub(crate) rows: Vec<T>,
    limit: usize,
}

impl<T> ObjectRows<T> {
    pub(crate) fn new(limit: usize) -> Self {
        ObjectRows {
            layout: ObjectLayout::default(),
            rows: Vec::new(),
            limit,
        }
    }
}

impl<T: DeserializeOwned> RowSink for ObjectRows<T> {
    fn columns(&mut self, columns: &dyn Columns) -> Result<()> {
        self.layout.set_columns(columns);
        Ok(())
    }

    fn row<R: Row + ?Sized>(&mut self, row: &R) -> Result<()> {
        if self.rows.len() < self.limit {
            self.rows.push(de::row_as_object(row, &self.layout)?);
        }
        Ok(())
    }
}

/// Rows as arrays (`raw`), with the column names kept.
pub(crate) struct ArrayRows<T> {
    pub(crate) columns: Vec<String>,
    pub(crate) rows: Vec<T>,
}

impl<T: DeserializeOwned> RowSink for ArrayRows<T> {
    fn columns(&mut self, columns: &dyn Columns) -> Result<()> {
        self.columns = (0..columns.count())
            .map(|i| columns.name(i).to_owned())
            .collect();
        Ok(())
    }

    fn row<R: Row + ?Sized>(&mut self, row: &R) -> Result<()> {
        self.rows.push(de::row_as_array(row)?);
        Ok(())
    }
}

/// One column of the first row (`first(column)`).
pub(crate) struct FirstColumn<'a, T> {
    name: &'a str,
    position: Option<usize>,
    pub(crate) value: Option<T>,
    seen_row: bool,
}

impl<'a, T> FirstColumn<'a, T> {
    pub(crate) fn new(name: &'a str) -> Self {
        FirstColumn {
            name,
            position: None,
            value: None,
            seen_row: false,
        }
    }
}

impl<T: DeserializeOwned> RowSink for FirstColumn<'_, T> {
    fn columns(&mut self, columns: &dyn Columns) -> Result<()> {
        self.position = ObjectLayout::new(columns).position(self.name);
        Ok(())
    }

    fn row<R: Row + ?Sized>(&mut self, row: &R) -> Result<()> {
        if self.seen_row {
            return Ok(());
        }
        self.seen_row = true;
        // D1 checks the column only when there is a row to take it from.
        let position = self.position.ok_or_else(|| {
            Error::d1(
                Prefix::ColumnNotFound,
                format!("Column not found ({})", self.name),
            )
        })?;
        let value = row
            .value(position)
            .map_err(|e| e.located_column(self.name))?;
        self.value = Some(de::value(value).map_err(|e| e.in_column(self.name))?);
        Ok(())
    }
}

/// Decodes `all::<T>()`: D1's result object.
pub struct AllRows<T>(PhantomData<fn() -> T>);

impl<T> AllRows<T> {
    pub(crate) fn new() -> Self {
        AllRows(PhantomData)
    }
}

impl<T: DeserializeOwned + Send> Decoder for AllRows<T> {
    type Output = D1Result<T>;
    type Sink = ObjectRows<T>;
    fn sink(&self) -> ObjectRows<T> {
        ObjectRows::new(usize::MAX)
    }
    fn finish(self, sinks: Vec<ObjectRows<T>>, metas: Vec<Meta>) -> Result<D1Result<T>> {
        Ok(D1Result {
            success: true,
            meta: metas.into_iter().last().unwrap_or_default(),
            results: sinks.into_iter().flat_map(|s| s.rows).collect(),
        })
    }
    fn finish_one(self, sink: ObjectRows<T>, meta: Meta) -> Result<D1Result<T>> {
        Ok(D1Result {
            success: true,
            meta,
            results: sink.rows,
        })
    }
}

/// Decodes `first::<T>()`: the first row, if any.
pub struct FirstRow<T>(PhantomData<fn() -> T>);

impl<T> FirstRow<T> {
    pub(crate) fn new() -> Self {
        FirstRow(PhantomData)
    }
}

impl<T: DeserializeOwned + Send> Decoder for FirstRow<T> {
    type Output = Option<T>;
    type Sink = ObjectRows<T>;
    fn sink(&self) -> ObjectRows<T> {
        ObjectRows::new(1)
    }
    fn finish(self, sinks: Vec<ObjectRows<T>>, _metas: Vec<Meta>) -> Result<Option<T>> {
        Ok(sinks.into_iter().flat_map(|s| s.rows).next())
    }
    fn finish_one(self, sink: ObjectRows<T>, _meta: Meta) -> Result<Option<T>> {
        Ok(sink.rows.into_iter().next())
    }
    fn reads_meta(&self) -> bool {
        false
    }
}
