//! The derive's own representation of the input struct.

use proc_macro2::Span;
use syn::{Data, DeriveInput, Fields, GenericArgument, Ident, PathArguments, Type, Visibility};

use crate::attr::{self, ContainerAttrs, FieldAttrs};
use crate::ctxt::Ctxt;

pub(crate) struct Table<'a> {
    pub(crate) ident: &'a Ident,
    pub(crate) vis: &'a Visibility,
    pub(crate) name: String,
    pub(crate) name_span: Span,
    pub(crate) attrs: ContainerAttrs,
    pub(crate) fields: Vec<Field<'a>>,
}

pub(crate) struct Field<'a> {
    pub(crate) ident: &'a Ident,
    pub(crate) ty: &'a Type,
    /// `T` when the field is written `Option<T>`: the column is nullable.
    pub(crate) option_inner: Option<&'a Type>,
    pub(crate) column: String,
    pub(crate) attrs: FieldAttrs,
}

impl Field<'_> {
    pub(crate) fn is_primary_key(&self, table: &Table<'_>) -> bool {
        self.attrs.primary_key.is_some()
            || table
                .attrs
                .primary_key
                .as_ref()
                .is_some_and(|(_, keys)| keys.iter().any(|k| k == self.ident))
    }

    /// May be left out of an insert: the database assigns, defaults or nulls it.
    pub(crate) fn is_optional_on_insert(&self) -> bool {
        self.attrs.auto_increment.is_some()
            || self.attrs.default.is_some()
            || self.option_inner.is_some()
    }
}

impl<'a> Table<'a> {
    pub(crate) fn from_syn(input: &'a DeriveInput, ctxt: &mut Ctxt) -> Option<Table<'a>> {
        let attrs = attr::container(&input.attrs, ctxt);
        let named = match &input.data {
            Data::Struct(s) => match &s.fields {
                Fields::Named(named) => Some(named),
                _ => None,
            },
            _ => None,
        };
        let Some(named) = named else {
            ctxt.error(
                &input.ident,
                "#[derive(Table)] needs a struct with named fields",
            );
            return None;
        };
        if !input.generics.params.is_empty() {
            ctxt.error(
                &input.generics,
                "#[derive(Table)] does not support generic structs",
            );
        }
        let fields = named
            .named
            .iter()
            .filter_map(|f| {
                let ident = f.ident.as_ref()?;
                let attrs = attr::field(&f.attrs, ctxt);
                let column = attrs
                    .rename
                    .as_ref()
                    .map_or_else(|| unraw(ident), |r| r.value());
                Some(Field {
                    ident,
                    ty: &f.ty,
                    option_inner: option_inner(&f.ty),
                    column,
                    attrs,
                })
            })
            .collect();
        let (name, name_span) = match &attrs.table {
            Some(lit) => (lit.value(), lit.span()),
            None => (
                default_table_name(&input.ident.to_string()),
                input.ident.span(),
            ),
        };
        Some(Table {
            ident: &input.ident,
            vis: &input.vis,
            name,
            name_span,
            attrs,
            fields,
        })
    }
}

fn unraw(ident: &Ident) -> String {
    let s = ident.to_string();
    s.strip_prefix("r#").map_or(s.clone(), str::to_owned)
}

/// `Option<T>` (also written `std::option::Option<T>`) gives `T`.
fn option_inner(ty: &Type) -> Option<&Type> {
    let Type::Path(p) = ty else { return None };
    let last = p.path.segments.last()?;
    if last.ident != "Option" {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.first()? {
        GenericArgument::Type(t) if args.args.len() == 1 => Some(t),
        _ => None,
    }
}

/// `AuditLog` becomes `audit_logs`, `HTTPLog` `http_logs`: snake case (acronyms as one
/// word, as heck splits them), then plural by the usual English endings. A name that
/// already ends in a plural `s` (`Users`, `Settings`) stays as it is.
pub(crate) fn default_table_name(ident: &str) -> String {
    let mut name = snake_case(ident);
    let word = name.rsplit('_').next().unwrap_or_default().to_owned();
    let stem = |n: usize| word.len() > n;
    if word.ends_with('y')
        && stem(1)
        && !word[..word.len() - 1].ends_with(['a', 'e', 'i', 'o', 'u'])
    {
        name.pop();
        name.push_str("ies");
    } else if word.ends_with("is") && stem(2) {
        // analysis → analyses, axis → axes
        name.truncate(name.len() - 2);
        name.push_str("es");
    } else if ["ss", "us", "sh", "ch", "x", "z"]
        .iter()
        .any(|e| word.ends_with(e))
    {
        name.push_str("es");
    } else if !word.ends_with('s') {
        name.push('s');
    }
    name
}

/// `AuditLog` becomes `audit_log`, `HTTPLog` `http_log`, `OAuth2Token` `o_auth2_token`.
pub(crate) fn snake_case(ident: &str) -> String {
    heck::ToSnakeCase::to_snake_case(ident)
}

#[cfg(test)]
mod tests {
    use super::{default_table_name, snake_case};

    #[test]
    fn words_split_at_case_changes_and_acronyms_stay_whole() {
        assert_eq!(snake_case("AuditLog"), "audit_log");
        assert_eq!(snake_case("HTTPLog"), "http_log");
        assert_eq!(snake_case("APIKey"), "api_key");
        assert_eq!(snake_case("UserID"), "user_id");
        assert_eq!(snake_case("Log2"), "log2");
        assert_eq!(snake_case("S3Object"), "s3_object");
        assert_eq!(snake_case("already_snake"), "already_snake");
    }

    #[test]
    fn table_names_are_plural() {
        for (ident, table) in [
            ("User", "users"),
            ("AuditLog", "audit_logs"),
            ("HTTPLog", "http_logs"),
            ("Category", "categories"),
            ("Day", "days"),
            ("Address", "addresses"),
            ("Status", "statuses"),
            ("Box", "boxes"),
            ("Match", "matches"),
            ("Wish", "wishes"),
            ("Analysis", "analyses"),
            ("Users", "users"),
            ("Settings", "settings"),
            ("UserSettings", "user_settings"),
            ("Log2", "log2s"),
            ("S3Object", "s3_objects"),
        ] {
            assert_eq!(default_table_name(ident), table, "{ident}");
        }
    }
}
