//! Checks across fields, after each attribute has been read on its own.

use crate::ast::Table;
use crate::ctxt::Ctxt;

pub(crate) fn check(table: &Table<'_>, ctxt: &mut Ctxt) {
    if table.name.is_empty() {
        ctxt.push(syn::Error::new(table.name_span, "the table name is empty"));
    }
    if table.fields.is_empty() {
        ctxt.error(table.ident, "a table needs at least one column");
    }
    for (i, field) in table.fields.iter().enumerate() {
        if field.column.is_empty() {
            ctxt.error(field.ident, "the column name is empty");
        }
        if let Some(other) = table.fields[..i].iter().find(|f| f.column == field.column) {
            ctxt.error(
                field.ident,
                format!(
                    "column `{}` is also the name of field `{}`; rename one with #[d1orm(rename = \"...\")]",
                    field.column, other.ident
                ),
            );
        }
        if let Some(span) = field.attrs.auto_increment {
            if !field.is_primary_key(table) {
                ctxt.push(syn::Error::new(
                    span,
                    "`auto_increment` needs `primary_key` on the same field",
                ));
            }
            if field.attrs.json.is_some() || field.option_inner.is_some() {
                ctxt.push(syn::Error::new(
                    span,
                    "`auto_increment` is for an integer primary key (such as i64)",
                ));
            }
        }
        if let (Some(span), Some(_)) = (field.attrs.primary_key, &table.attrs.primary_key) {
            ctxt.push(syn::Error::new(
                span,
                "the container declares the primary key already; remove one of the two",
            ));
        }
        if let (Some(span), Some(_)) = (&field.attrs.default, field.attrs.auto_increment) {
            ctxt.push(syn::Error::new(
                span.0,
                "a column cannot be both `auto_increment` and `default`",
            ));
        }
    }
    let field_keys = table
        .fields
        .iter()
        .filter(|f| f.attrs.primary_key.is_some())
        .count();
    if field_keys > 1 {
        for f in table
            .fields
            .iter()
            .filter(|f| f.attrs.primary_key.is_some())
        {
            ctxt.error(
                f.ident,
                "several fields say `primary_key`: declare a composite key on the struct, #[d1orm(primary_key(a, b))]",
            );
        }
    }
    for field in &table.fields {
        for (what, action) in [
            ("on_delete", &field.attrs.on_delete),
            ("on_update", &field.attrs.on_update),
        ] {
            if let (Some((span, _)), None) = (action, &field.attrs.references) {
                ctxt.push(syn::Error::new(
                    *span,
                    format!("`{what}` needs `references(Table::field)` on the same field"),
                ));
            }
        }
    }
    for field in &table.fields {
        for name in [&field.attrs.relation, &field.attrs.inverse]
            .into_iter()
            .flatten()
        {
            if field.attrs.references.is_none() {
                ctxt.error(
                    name,
                    "a relation name needs `references(Table::field)` on the same field",
                );
            }
        }
    }
    let keys = crate::relations::foreign_keys(table);
    for (i, key) in keys.iter().enumerate() {
        let earlier = &keys[..i];
        if let Some(other) = earlier.iter().find(|k| k.belongs_to == key.belongs_to) {
            ctxt.error(
                &key.belongs_to,
                format!(
                    "fields `{}` and `{}` both give the relation `{}`; name one with #[d1orm(relation = \"...\")]",
                    other.field.ident, key.field.ident, key.belongs_to
                ),
            );
        }
        let target = |k: &crate::relations::ForeignKey<'_>| {
            k.field.attrs.references.as_ref().map(|r| {
                let path = &r.table;
                quote::quote!(#path).to_string()
            })
        };
        let same_inverse = earlier.iter().find(|k| {
            k.inverse.as_ref().map(|i| &i.0) == key.inverse.as_ref().map(|i| &i.0)
                && key.inverse.is_some()
                && target(k) == target(key)
        });
        if let (Some(other), Some((name, _))) = (same_inverse, &key.inverse) {
            ctxt.error(
                key.field.ident,
                format!(
                    "fields `{}` and `{}` reference the same table, which would get `{name}()` twice; name one with #[d1orm(inverse = \"...\")]",
                    other.field.ident, key.field.ident
                ),
            );
        }
    }
    for index in &table.attrs.indexes {
        for key in &index.fields {
            if !table.fields.iter().any(|f| f.ident == key) {
                ctxt.error(key, format!("no field `{key}` for the index"));
            }
        }
    }
    let composite = table
        .attrs
        .primary_key
        .iter()
        .map(|key| ("primary_key", key))
        .chain(table.attrs.unique.iter().map(|key| ("unique", key)));
    for (what, (span, keys)) in composite {
        if keys.is_empty() {
            ctxt.push(syn::Error::new(
                *span,
                format!("`{what}(...)` names no field"),
            ));
        }
        for (i, key) in keys.iter().enumerate() {
            match table.fields.iter().find(|f| f.ident == key) {
                None => ctxt.error(key, format!("no field `{key}` for the {what} key")),
                Some(f) if f.attrs.json.is_some() => {
                    ctxt.error(key, format!("a JSON column cannot be part of a {what} key"));
                }
                Some(_) if keys[..i].contains(key) => {
                    ctxt.error(key, format!("field `{key}` is named twice in this key"));
                }
                Some(_) => {}
            }
        }
    }
}
