//! Boolean conditions on a table's rows: what `where_` takes.

use std::marker::PhantomData;

use crate::error::{Error, Result};
use crate::value::Value;

/// Lists longer than this bind as one JSON array (`IN (SELECT value FROM json_each(?))`),
/// so no list can push a statement past D1's 100 bound parameters.
const INLINE_LIST: usize = 32;

/// SQL text with its parameters, and the first error met while building it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Fragment {
    pub(crate) sql: String,
    pub(crate) params: Vec<Value>,
    pub(crate) error: Option<Error>,
}

impl Fragment {
    pub(crate) fn raw(sql: String) -> Self {
        Fragment {
            sql,
            ..Fragment::default()
        }
    }

    fn bind(&mut self, value: Result<Value>) {
        match value {
            Ok(v) => self.params.push(v),
            Err(e) => {
                self.error.get_or_insert(e);
            }
        }
    }

    pub(crate) fn column_op(column: &str, op: &str, value: Result<Value>) -> Self {
        Fragment::column_expr(format!("{column} {op} ?"), value)
    }

    pub(crate) fn column_expr(sql: String, value: Result<Value>) -> Self {
        let mut f = Fragment::raw(sql);
        f.bind(value);
        f
    }

    pub(crate) fn between(column: &str, low: Result<Value>, high: Result<Value>) -> Self {
        let mut f = Fragment::raw(format!("{column} BETWEEN ? AND ?"));
        f.bind(low);
        f.bind(high);
        f
    }

    pub(crate) fn in_list(column: &str, negated: bool, values: Vec<Result<Value>>) -> Self {
        let not = if negated { "NOT " } else { "" };
        if values.is_empty() {
            // `x IN ()` is not SQL: an empty list matches nothing, its negation everything.
            return Fragment::raw(if negated { "1" } else { "0" }.to_owned());
        }
        let mut values_ok = Vec::with_capacity(values.len());
        let mut f = Fragment::default();
        for v in values {
            match v {
                Ok(v) => values_ok.push(v),
                Err(e) => {
                    f.error.get_or_insert(e);
                }
            }
        }
        let json = (values_ok.len() > INLINE_LIST)
            .then(|| json_array(&values_ok))
            .flatten();
        match json {
            Some(array) => {
                f.sql = format!("{column} {not}IN (SELECT value FROM json_each(?))");
                f.params.push(Value::Text(array));
            }
            None => {
                let marks = vec!["?"; values_ok.len()].join(", ");
                f.sql = format!("{column} {not}IN ({marks})");
                f.params = values_ok;
            }
        }
        f
    }
}

/// The values as one JSON array, or `None` when one of them (a BLOB) has no JSON form.
fn json_array(values: &[Value]) -> Option<String> {
    let items: Option<Vec<serde_json::Value>> = values
        .iter()
        .map(|v| match v {
            Value::Null => Some(serde_json::Value::Null),
            Value::Integer(i) => Some((*i).into()),
            Value::Real(f) => serde_json::Number::from_f64(*f).map(serde_json::Value::Number),
            Value::Text(s) => Some(serde_json::Value::String(s.clone())),
            Value::Blob(_) => None,
        })
        .collect();
    items.map(|i| serde_json::Value::Array(i).to_string())
}

/// A condition on rows of table `T`: built from its columns, combined with
/// [`and`](Condition::and), [`or`](Condition::or) and [`not`](Condition::not).
#[derive(Debug, Clone)]
pub struct Condition<T> {
    pub(crate) fragment: Fragment,
    _marker: PhantomData<fn() -> T>,
}

impl<T> Condition<T> {
    pub(crate) fn from_fragment(fragment: Fragment) -> Self {
        Condition {
            fragment,
            _marker: PhantomData,
        }
    }

    fn combine(self, op: &str, other: Condition<T>) -> Self {
        let mut f = self.fragment;
        f.sql = format!("({}) {op} ({})", f.sql, other.fragment.sql);
        f.params.extend(other.fragment.params);
        if f.error.is_none() {
            f.error = other.fragment.error;
        }
        Condition::from_fragment(f)
    }

    /// Both conditions hold.
    pub fn and(self, other: Condition<T>) -> Self {
        self.combine("AND", other)
    }

    /// Either condition holds.
    pub fn or(self, other: Condition<T>) -> Self {
        self.combine("OR", other)
    }

    /// The condition does not hold.
    #[allow(clippy::should_implement_trait)]
    pub fn not(self) -> Self {
        let mut f = self.fragment;
        f.sql = format!("NOT ({})", f.sql);
        Condition::from_fragment(f)
    }
}
