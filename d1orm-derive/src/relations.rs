//! Relations from `references(Table::field)`: a belongs-to method on this table's
//! columns struct, and a has-many (or has-one) method on the referenced table's, through
//! a trait this derive generates (the referenced table's derive knows nothing of us).

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::Ident;
use syn::spanned::Spanned;

use crate::ast::{Field, Table, snake_case};

/// A foreign key's two relations.
pub(crate) struct ForeignKey<'t> {
    pub(crate) field: &'t Field<'t>,
    /// The belongs-to method on this table's columns.
    pub(crate) belongs_to: Ident,
    /// The method on the referenced table's columns and the trait holding it; none when
    /// the table's name is not an identifier and no `inverse` names it.
    pub(crate) inverse: Option<(Ident, Ident)>,
    /// A UNIQUE key: the inverse is a has-one.
    pub(crate) unique: bool,
}

pub(crate) fn foreign_keys<'t>(table: &'t Table<'t>) -> Vec<ForeignKey<'t>> {
    table
        .fields
        .iter()
        .filter(|f| f.attrs.references.is_some())
        .map(|field| {
            let unique = field.attrs.unique.is_some()
                || (field.is_primary_key(table)
                    && table
                        .fields
                        .iter()
                        .filter(|f| f.is_primary_key(table))
                        .count()
                        == 1);
            ForeignKey {
                field,
                belongs_to: belongs_to_name(field),
                inverse: inverse_name(table, field, unique),
                unique,
            }
        })
        .collect()
}

/// `relation = "..."`, or the field's name without `_id` (`author_id` gives `author`).
fn belongs_to_name(field: &Field<'_>) -> Ident {
    if let Some(name) = &field.attrs.relation {
        return name.clone();
    }
    let name = field.ident.to_string();
    let name = name.strip_prefix("r#").unwrap_or(&name);
    match name.strip_suffix("_id").filter(|n| !n.is_empty()) {
        // A keyword (`type_id` gives `type`) keeps the field's name.
        Some(short) if syn::parse_str::<Ident>(short).is_ok() => {
            Ident::new(short, field.ident.span())
        }
        _ => field.ident.clone(),
    }
}

/// The inverse method and its trait: `inverse = "x"` (trait `NoteXRelation`, with x in
/// camel case), else a has-one named after the struct (`profile`, trait
/// `ProfileRelation`), else a has-many named as the table's accessor (`notes`, trait
/// `NoteRelations`).
fn inverse_name(table: &Table<'_>, field: &Field<'_>, unique: bool) -> Option<(Ident, Ident)> {
    let ident = table.ident;
    if let Some(name) = &field.attrs.inverse {
        let camel = camel_case(&name.to_string());
        return Some((name.clone(), format_ident!("{}{}Relation", ident, camel)));
    }
    if unique {
        let name = syn::parse_str::<Ident>(&snake_case(&ident.to_string())).ok()?;
        return Some((
            Ident::new(&name.to_string(), Span::call_site()),
            format_ident!("{}Relation", ident),
        ));
    }
    let accessor = syn::parse_str::<Ident>(&table.name).is_ok()
        && table
            .name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    accessor.then(|| {
        (
            format_ident!("{}", table.name),
            format_ident!("{}Relations", ident),
        )
    })
}

fn camel_case(snake: &str) -> String {
    snake
        .split('_')
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map_or_else(String::new, |c| {
                c.to_uppercase().chain(chars).collect::<String>()
            })
        })
        .collect()
}

/// The referenced column's name, from the referenced table's own columns (spanned at
/// the path, so that a type that is not a table, or a missing field, is reported once,
/// there).
fn referenced(target: &syn::Path, field: &Ident) -> TokenStream {
    let columns = quote_spanned!(target.span()=> <#target as ::d1orm::__private::Table>::columns());
    quote_spanned!(field.span()=> #columns.#field.name())
}

pub(crate) fn expand(table: &Table<'_>, columns: &Ident) -> TokenStream {
    let keys = foreign_keys(table);
    if keys.is_empty() {
        return TokenStream::new();
    }
    let ident = table.ident;
    let vis = table.vis;
    let belongs_to = keys.iter().filter_map(|key| {
        let reference = key.field.attrs.references.as_ref()?;
        let target = &reference.table;
        let target_field = &reference.field;
        let method = &key.belongs_to;
        let name = method.to_string();
        let referenced = referenced(target, target_field);
        let column = &key.field.column;
        let (kind, what) = if key.field.option_inner.is_some() {
            (quote!(Optional), "or none when it is NULL")
        } else {
            (quote!(One), "exactly one")
        };
        let doc = format!(
            "Belongs-to: the row `{column}` references ({what}), for `include`: \
             `.include(|t| t.{name}())`."
        );
        Some(quote! {
            #[doc = #doc]
            pub fn #method(&self) -> ::d1orm::__private::Relation<#ident, #target, ::d1orm::__private::#kind> {
                ::d1orm::__private::Relation::__new(
                    #name,
                    #column,
                    #referenced,
                )
            }
        })
    });

    // One trait per inverse method name; one impl per referenced table.
    let mut traits: Vec<(&Ident, &Ident, bool, Vec<TokenStream>)> = Vec::new();
    for key in &keys {
        let (Some((method, trait_name)), Some(reference)) =
            (&key.inverse, key.field.attrs.references.as_ref())
        else {
            continue;
        };
        let target = &reference.table;
        let target_field = &reference.field;
        let name = method.to_string();
        let column = &key.field.column;
        let referenced = referenced(target, target_field);
        let kind = if key.unique {
            quote!(Optional)
        } else {
            quote!(Many)
        };
        // Spanned at the path: a type that is not a table is then reported once, there.
        let columns =
            quote_spanned!(target.span()=> <#target as ::d1orm::__private::Table>::Columns);
        let item = quote_spanned! {target.span()=>
            #[automatically_derived]
            impl #trait_name<#target> for #columns {
                fn #method(&self) -> ::d1orm::__private::Relation<#target, #ident, ::d1orm::__private::#kind> {
                    ::d1orm::__private::Relation::__new(
                        #name,
                        #referenced,
                        #column,
                    )
                }
            }
        };
        match traits.iter_mut().find(|(t, ..)| *t == trait_name) {
            Some((.., impls)) => impls.push(item),
            None => traits.push((trait_name, method, key.unique, vec![item])),
        }
    }
    let traits = traits.into_iter().map(|(trait_name, method, unique, impls)| {
        let (kind, what) = if unique {
            (quote!(Optional), "has-one: the row of")
        } else {
            (quote!(Many), "has-many: the rows of")
        };
        let doc = format!(
            "Adds `{method}()` to the columns of the tables that [`{ident}`] references \
             (import it where `include` uses it), the {what} `{}` referencing them.",
            table.name
        );
        let method_doc = format!(
            "The {what} `{}` referencing this row, for `include`: \
             `.include(|t| t.{method}())`.",
            table.name
        );
        quote! {
            #[doc = #doc]
            #vis trait #trait_name<P> {
                #[doc = #method_doc]
                fn #method(&self) -> ::d1orm::__private::Relation<P, #ident, ::d1orm::__private::#kind>;
            }
            #(#impls)*
        }
    });
    quote! {
        #[automatically_derived]
        impl #columns {
            #(#belongs_to)*
        }
        #(#traits)*
    }
}
