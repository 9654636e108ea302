//! Code generation: the `Table` impl, the columns struct, the insert type and the
//! accessor trait. Generated code reaches d1orm only through `::d1orm::__private`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use crate::ast::{Field, Table};

fn quote_identifier(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

pub(crate) fn expand(table: &Table<'_>) -> TokenStream {
    let checks = table.fields.iter().map(field_check);
    let builder_start = builder_start(table);
    let columns = columns_struct(table);
    let insert = insert_type(table);
    let table_impl = table_impl(table);
    let accessor = accessor(table);
    let keys = unique_keys(table);
    let primary_key = primary_key_impl(table);
    let relations = crate::relations::expand(table, &columns_ident(table));
    quote! {
        #columns
        #insert
        #accessor
        #keys
        #relations
        // The field checks' marker structs are named after the columns: a block of their
        // own keeps them from shadowing the generated code's names (a column `key`
        // would otherwise turn `key_params`'s argument into a unit-struct pattern).
        #[doc(hidden)]
        const _: () = {
            #(#checks)*
            #builder_start
        };
        #[doc(hidden)]
        const _: () = {
            #table_impl
            #primary_key
        };
    }
}

/// Compile-time checks on each field's type, reported at the field's type.
fn field_check(field: &Field<'_>) -> TokenStream {
    let ty = field.ty;
    let marker = format_ident!("{}", sanitize(&field.column), span = ty.span());
    let assert = if field.attrs.json.is_some() {
        quote_spanned!(ty.span()=> ::d1orm::__private::assert_json::<#ty, #marker>())
    } else {
        quote_spanned!(ty.span()=> ::d1orm::__private::assert_storable::<#ty, #marker>())
    };
    quote! {
        #[allow(non_camel_case_types, dead_code)]
        pub struct #marker;
        const _: () = #assert;
    }
}

/// A column name as an identifier for diagnostics (`created at` gives `created_at`).
fn sanitize(column: &str) -> String {
    let s: String = column
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.chars().next().is_none_or(|c| c.is_numeric()) {
        format!("_{s}")
    } else {
        s
    }
}

fn columns_ident(table: &Table<'_>) -> syn::Ident {
    format_ident!("{}Columns", table.ident)
}

fn insert_ident(table: &Table<'_>) -> syn::Ident {
    table
        .attrs
        .insert
        .clone()
        .unwrap_or_else(|| format_ident!("New{}", table.ident))
}

/// The handle type of the field at `index`: its position makes each column's type
/// distinct, which is how unique keys are told apart at compile time.
fn column_handle_type(table: &Table<'_>, index: usize, field: &Field<'_>) -> TokenStream {
    let ident = table.ident;
    let ty = field.ty;
    if field.attrs.json.is_some() {
        quote!(::d1orm::__private::JsonColumn<#ident, #ty>)
    } else {
        quote!(::d1orm::__private::Column<#ident, #ty, #index>)
    }
}

/// `UniqueKey` for the primary key and every UNIQUE key (single columns and tuples), so
/// that an upsert's conflict target is checked at compile time.
fn unique_keys(table: &Table<'_>) -> TokenStream {
    let mut keys: Vec<Vec<usize>> = Vec::new();
    let index_of = |name: &syn::Ident| table.fields.iter().position(|f| f.ident == name);
    for (i, f) in table.fields.iter().enumerate() {
        if f.attrs.primary_key.is_some() || f.attrs.unique.is_some() {
            keys.push(vec![i]);
        }
    }
    for (_, names) in table.attrs.primary_key.iter().chain(&table.attrs.unique) {
        let key: Option<Vec<usize>> = names.iter().map(index_of).collect();
        if let Some(key) = key.filter(|k| !k.is_empty()) {
            keys.push(key);
        }
    }
    let mut seen: Vec<Vec<usize>> = Vec::new();
    let ident = table.ident;
    let impls = keys.into_iter().filter_map(|key| {
        if seen.contains(&key) || key.iter().any(|&i| table.fields[i].attrs.json.is_some()) {
            return None;
        }
        seen.push(key.clone());
        let types: Vec<TokenStream> = key
            .iter()
            .map(|&i| column_handle_type(table, i, &table.fields[i]))
            .collect();
        let quoted = key
            .iter()
            .map(|&i| quote_identifier(&table.fields[i].column));
        let self_ty = if let [one] = types.as_slice() {
            one.clone()
        } else {
            quote!((#(#types,)*))
        };
        Some(quote! {
            #[automatically_derived]
            impl ::d1orm::__private::UniqueKey<#ident> for #self_ty {
                const COLUMNS: &'static [&'static str] = &[#(#quoted),*];
            }
        })
    });
    quote!(#(#impls)*)
}

/// The primary key's columns, when the table has a key `find` can look rows up by (no
/// key column is JSON).
fn key_fields<'t>(table: &'t Table<'_>) -> Option<Vec<&'t Field<'t>>> {
    let key: Vec<&Field<'_>> = table
        .fields
        .iter()
        .filter(|f| f.is_primary_key(table))
        .collect();
    (!key.is_empty() && key.iter().all(|f| f.attrs.json.is_none())).then_some(key)
}

/// `"column" = ?`: a column's equality with a value. The runtime recognises a filter on
/// the key alone by this text (`Table::KEY_LOOKUP`), so both are written here.
fn equality_sql(field: &Field<'_>) -> String {
    format!("{} = ?", quote_identifier(&field.column))
}

/// `PrimaryKey` when the table declares one (on a field or on the struct) and no key
/// column is JSON: `find` then runs SQL written here, once.
fn primary_key_impl(table: &Table<'_>) -> TokenStream {
    let Some(key) = key_fields(table) else {
        return TokenStream::new();
    };
    let ident = table.ident;
    let condition = key
        .iter()
        .map(|f| equality_sql(f))
        .collect::<Vec<_>>()
        .join(" AND ");
    let find_sql = format!(
        "SELECT {} FROM {} WHERE {condition}",
        select_list(table),
        quote_identifier(&table.name)
    );
    let types: Vec<&syn::Type> = key.iter().map(|f| f.ty).collect();
    let vars: Vec<syn::Ident> = (0..key.len()).map(|i| format_ident!("key_{}", i)).collect();
    let (key_ty, bind_key) = if let ([ty], [var]) = (types.as_slice(), vars.as_slice()) {
        (quote!(#ty), quote!(let #var = key;))
    } else {
        (quote!((#(#types,)*)), quote!(let (#(#vars,)*) = key;))
    };
    quote! {
        #[automatically_derived]
        impl ::d1orm::__private::PrimaryKey for #ident {
            type Key = #key_ty;
            const KEY_CONDITION: &'static str = #condition;
            const FIND_SQL: &'static str = #find_sql;

            fn key_params(
                key: #key_ty,
            ) -> ::d1orm::__private::Result<::d1orm::__private::ParamValues> {
                #bind_key
                let mut params = ::d1orm::__private::ParamValues::new();
                #(params.push(<#types as ::d1orm::__private::ColumnType>::into_bound_value(#vars)?);)*
                ::core::result::Result::Ok(params)
            }
        }
    }
}

/// Every column, quoted, in field order: what a whole-row read selects.
fn select_list(table: &Table<'_>) -> String {
    table
        .fields
        .iter()
        .map(|f| quote_identifier(&f.column))
        .collect::<Vec<_>>()
        .join(", ")
}

fn columns_struct(table: &Table<'_>) -> TokenStream {
    let vis = table.vis;
    let name = columns_ident(table);
    let doc = format!(
        "Typed columns of [`{}`] (table `{}`), handed to the closures of its query chain.",
        table.ident, table.name
    );
    let fields = table.fields.iter().enumerate().map(|(i, f)| {
        let ident = f.ident;
        let ty = column_handle_type(table, i, f);
        let doc = format!("Column `{}`.", f.column);
        quote! {
            #[doc = #doc]
            pub #ident: #ty
        }
    });
    quote! {
        #[doc = #doc]
        #[derive(Clone, Copy, Debug)]
        #vis struct #name {
            #(#fields,)*
        }
    }
}

/// `String`, however the path to it is written.
fn is_string(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(p) if p.qself.is_none()
        && p.path.segments.last().is_some_and(|s| s.ident == "String" && s.arguments.is_none()))
}

fn insert_field_type(field: &Field<'_>) -> TokenStream {
    let ty = field.ty;
    match (field.is_optional_on_insert(), field.option_inner) {
        (false, _) | (true, Some(_)) => quote!(#ty),
        (true, None) => quote!(::core::option::Option<#ty>),
    }
}

fn builder_ident(table: &Table<'_>) -> syn::Ident {
    format_ident!("{}Builder", insert_ident(table))
}

/// The type-state builder of a row to insert: one type parameter per required column,
/// its marker type (the field check's, named after the column) until it is set, then
/// `ColumnSet<T>`. `build` asks every parameter for its value, so a column left unset
/// is a compile error naming it, and columns are only ever given by name.
fn row_builder(table: &Table<'_>) -> TokenStream {
    let vis = table.vis;
    let name = insert_ident(table);
    let builder = builder_ident(table);
    let required: Vec<&Field<'_>> = table
        .fields
        .iter()
        .filter(|f| !f.is_optional_on_insert())
        .collect();
    let params: Vec<syn::Ident> = (0..required.len())
        .map(|i| format_ident!("__Column{}", i))
        .collect();
    let param_of = |f: &Field<'_>| {
        required
            .iter()
            .position(|r| r.ident == f.ident)
            .map(|i| &params[i])
    };
    let storage = table.fields.iter().map(|f| {
        let field = f.ident;
        match param_of(f) {
            Some(param) => quote!(#field: #param),
            None => {
                let ty = insert_field_type(f);
                quote!(#field: #ty)
            }
        }
    });
    // Text columns take `&str` as well as `String`.
    let argument = |ty: &syn::Type| {
        if is_string(ty) {
            (
                quote!(impl ::core::convert::Into<::std::string::String>),
                quote!(::core::convert::Into::into(value)),
            )
        } else {
            (quote!(#ty), quote!(value))
        }
    };
    let setters = table.fields.iter().map(|f| {
        let field = f.ident;
        let doc = format!("Sets column `{}`.", f.column);
        if let Some(param) = param_of(f) {
            let ty = f.ty;
            let (arg, value) = argument(ty);
            let after = params.iter().map(|p| {
                if p == param {
                    quote!(::d1orm::__private::ColumnSet<#ty>)
                } else {
                    quote!(#p)
                }
            });
            let moved = table.fields.iter().map(|g| {
                let other = g.ident;
                if g.ident == f.ident {
                    quote!(#other: ::d1orm::__private::ColumnSet(#value))
                } else {
                    quote!(#other: self.#other)
                }
            });
            quote! {
                #[doc = #doc]
                #[inline]
                pub fn #field(self, value: #arg) -> #builder<#(#after),*> {
                    #builder { #(#moved,)* }
                }
            }
        } else {
            let inner = f.option_inner.unwrap_or(f.ty);
            let (arg, value) = argument(inner);
            let maybe = format_ident!("maybe_{}", f.ident);
            let maybe_doc = format!(
                "Sets column `{}`, or leaves it to the database with `None`.",
                f.column
            );
            quote! {
                #[doc = #doc]
                #[inline]
                pub fn #field(mut self, value: #arg) -> Self {
                    self.#field = ::core::option::Option::Some(#value);
                    self
                }

                #[doc = #maybe_doc]
                #[inline]
                pub fn #maybe(mut self, value: ::core::option::Option<#arg>) -> Self {
                    self.#field = value.map(|value| #value);
                    self
                }
            }
        }
    });
    let bounds = required.iter().zip(&params).map(|(f, param)| {
        let ty = f.ty;
        quote!(#param: ::d1orm::__private::RequiredColumn<#ty>)
    });
    let built = table.fields.iter().map(|f| {
        let field = f.ident;
        if let Some(param) = param_of(f) {
            let ty = f.ty;
            quote!(#field: <#param as ::d1orm::__private::RequiredColumn<#ty>>::into_value(self.#field))
        } else {
            quote!(#field: self.#field)
        }
    });
    let doc = format!(
        "Builds a [`{name}`] by column name: `{name}::builder()`, a setter per column, then \
         `build()`, which compiles once every required column is set."
    );
    quote! {
        #[doc = #doc]
        #[must_use = "a row builder does nothing until built and inserted"]
        #vis struct #builder<#(#params),*> {
            #(#storage,)*
        }

        impl<#(#params),*> #builder<#(#params),*> {
            #(#setters)*

            /// The row, once every required column is set.
            #[inline]
            pub fn build(self) -> #name
            where
                #(#bounds,)*
            {
                #name { #(#built,)* }
            }
        }
    }
}

/// `NewUser::builder()`: every required column starts as its marker type, so it lives in
/// the block of the field checks' markers.
fn builder_start(table: &Table<'_>) -> TokenStream {
    let name = insert_ident(table);
    let builder = builder_ident(table);
    let mut markers = Vec::new();
    let start = table.fields.iter().map(|f| {
        let field = f.ident;
        if f.is_optional_on_insert() {
            quote!(#field: ::core::option::Option::None)
        } else {
            let marker = format_ident!("{}", sanitize(&f.column));
            markers.push(marker.clone());
            quote!(#field: #marker)
        }
    });
    let start: Vec<TokenStream> = start.collect();
    let doc = format!(
        "Starts a row to insert, with no column set: a setter per column, by name, then \
         `build()` (see [`{builder}`])."
    );
    quote! {
        impl #name {
            #[doc = #doc]
            #[inline]
            pub fn builder() -> #builder<#(#markers),*> {
                #builder { #(#start,)* }
            }
        }
    }
}

fn insert_type(table: &Table<'_>) -> TokenStream {
    let vis = table.vis;
    let ident = table.ident;
    let name = insert_ident(table);
    let doc = format!(
        "A row to insert into `{}`, its columns given by name. Columns the database assigns \
         or defaults, and nullable columns, are `Option`s that may be left `None`. \
         [`{name}::builder`] sets columns by name and leaves those `None`; it does not \
         compile until every required column is set.",
        table.name
    );
    let fields = table.fields.iter().map(|f| {
        let field = f.ident;
        let ty = insert_field_type(f);
        let doc = if f.is_optional_on_insert() {
            format!("Column `{}`; `None` leaves it to the database.", f.column)
        } else {
            format!("Column `{}`.", f.column)
        };
        quote! {
            #[doc = #doc]
            pub #field: #ty
        }
    });
    // The row is taken: its text and bytes move into the bound values.
    let writes = table.fields.iter().map(|f| {
        let field = f.ident;
        let quoted = quote_identifier(&f.column);
        let (table_name, column) = (&table.name, &f.column);
        let encode = |value: TokenStream, ty: &syn::Type| {
            if f.attrs.json.is_some() {
                quote_spanned!(ty.span()=> ::d1orm::__private::encode_json::<#ty>(&#value, #table_name, #column)?)
            } else {
                quote_spanned!(ty.span()=> <#ty as ::d1orm::__private::ColumnType>::into_bound_value(#value)?)
            }
        };
        if f.is_optional_on_insert() {
            let value = encode(quote!(value), f.option_inner.unwrap_or(f.ty));
            quote! {
                if let ::core::option::Option::Some(value) = self.#field {
                    columns.push(#quoted);
                    values.push(#value);
                }
            }
        } else {
            let value = encode(quote!(self.#field), f.ty);
            quote! {
                columns.push(#quoted);
                values.push(#value);
            }
        }
    });
    let builder = row_builder(table);
    quote! {
        #[doc = #doc]
        #vis struct #name {
            #(#fields,)*
        }

        #builder

        #[automatically_derived]
        impl ::d1orm::__private::IntoRows<#ident> for #name {
            fn into_rows(self) -> ::std::vec::Vec<#name> {
                ::std::vec![self]
            }
        }

        #[automatically_derived]
        impl ::d1orm::__private::InsertRow<#ident> for #name {
            fn write(
                self,
                columns: &mut ::std::vec::Vec<&'static str>,
                values: &mut ::std::vec::Vec<::d1orm::__private::Value>,
            ) -> ::d1orm::__private::Result<()> {
                #(#writes)*
                ::core::result::Result::Ok(())
            }
        }
    }
}

fn table_impl(table: &Table<'_>) -> TokenStream {
    let ident = table.ident;
    let name = &table.name;
    let quoted_name = quote_identifier(name);
    let columns = columns_ident(table);
    let insert = insert_ident(table);
    let select_list = select_list(table);
    let infos = table.fields.iter().map(|f| {
        let column = &f.column;
        let ty = f.ty;
        let (sql_type, nullable) = if f.attrs.json.is_some() {
            (quote!("TEXT"), f.option_inner.is_some())
        } else {
            let nullable = f.option_inner.is_some();
            (
                quote!(<#ty as ::d1orm::__private::ColumnType>::SQL_TYPE),
                nullable,
            )
        };
        let pk = f.is_primary_key(table);
        let auto = f.attrs.auto_increment.is_some();
        let unique = f.attrs.unique.is_some();
        let json = f.attrs.json.is_some();
        let default = match &f.attrs.default {
            Some((_, sql)) => quote!(::core::option::Option::Some(#sql)),
            None => quote!(::core::option::Option::None),
        };
        let check = match &f.attrs.check {
            Some(sql) => quote!(::core::option::Option::Some(#sql)),
            None => quote!(::core::option::Option::None),
        };
        let values = if f.attrs.json.is_some() {
            quote!(::core::option::Option::None)
        } else {
            quote!(<#ty as ::d1orm::__private::ColumnType>::VALUES)
        };
        quote! {
            ::d1orm::__private::ColumnInfo::new(#column, #sql_type)
                .nullable(#nullable)
                .primary_key(#pk)
                .auto_increment(#auto)
                .unique(#unique)
                .default(#default)
                .json(#json)
                .check(#check)
                .values(#values)
        }
    });
    let checks = &table.attrs.checks;
    let indexes = indexes(table);
    let foreign_keys = foreign_keys(table);
    let key = key_fields(table);
    // A column that is a key alone: `column = value` then matches one row at most.
    let unique_alone = |f: &Field<'_>| {
        f.attrs.json.is_none()
            && (f.attrs.unique.is_some()
                || key
                    .as_ref()
                    .is_some_and(|k| k.len() == 1 && f.is_primary_key(table)))
    };
    let handles = |stored: bool| {
        table
            .fields
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let field = f.ident;
                let column = &f.column;
                let quoted = quote_identifier(column);
                let eq_sql = equality_sql(f);
                let ty = column_handle_type(table, i, f);
                let constructor = match (stored, unique_alone(f)) {
                    (false, _) => quote!(__excluded),
                    (true, true) => quote!(__unique),
                    (true, false) => quote!(__new),
                };
                quote!(#field: <#ty>::#constructor(#column, #quoted, #eq_sql))
            })
            .collect::<Vec<_>>()
    };
    let key_lookup = if key.is_some() {
        quote!(::core::option::Option::Some((
            <Self as ::d1orm::__private::PrimaryKey>::KEY_CONDITION,
            <Self as ::d1orm::__private::PrimaryKey>::FIND_SQL,
        )))
    } else {
        quote!(::core::option::Option::None)
    };
    let stored = handles(true);
    let incoming = handles(false);
    // A table of a join: every column read from `source`, its quoted name or alias.
    let qualified = table.fields.iter().enumerate().map(|(i, f)| {
        let field = f.ident;
        let column = &f.column;
        let quoted = quote_identifier(column);
        let eq_sql = equality_sql(f);
        let ty = column_handle_type(table, i, f);
        quote!(#field: <#ty>::__in(source, #column, #quoted, #eq_sql))
    });
    let decodes = table.fields.iter().enumerate().map(|(i, f)| {
        let field = f.ident;
        let column = &f.column;
        let ty = f.ty;
        if f.attrs.json.is_some() {
            quote_spanned!(ty.span()=> #field: ::d1orm::__private::decode_json::<#ty, R>(row, offset + #i, #name, #column)?)
        } else {
            quote_spanned!(ty.span()=> #field: ::d1orm::__private::decode::<#ty, R>(row, offset + #i, #name, #column)?)
        }
    });
    let unique_keys = table.attrs.unique.iter().map(|(_, names)| {
        let columns = names.iter().filter_map(|n| {
            table
                .fields
                .iter()
                .find(|f| f.ident == n)
                .map(|f| f.column.as_str())
        });
        quote!(&[#(#columns),*])
    });
    quote! {
        #[automatically_derived]
        impl ::d1orm::__private::Table for #ident {
            const NAME: &'static str = #name;
            const UNIQUE_KEYS: &'static [&'static [&'static str]] = &[#(#unique_keys),*];
            const CHECKS: &'static [&'static str] = &[#(#checks),*];
            const INDEXES: &'static [::d1orm::__private::IndexInfo] = &[#(#indexes),*];

            fn foreign_keys() -> ::std::vec::Vec<::d1orm::__private::ForeignKeyInfo> {
                ::std::vec![#(#foreign_keys),*]
            }
            const QUOTED_NAME: &'static str = #quoted_name;
            const COLUMNS: &'static [::d1orm::__private::ColumnInfo] = &[#(#infos),*];
            const SELECT_LIST: &'static str = #select_list;
            const KEY_LOOKUP: ::core::option::Option<(&'static str, &'static str)> = #key_lookup;
            type Columns = #columns;
            type Insert = #insert;

            fn columns() -> #columns {
                #columns { #(#stored,)* }
            }

            fn excluded() -> #columns {
                #columns { #(#incoming,)* }
            }

            fn qualified(source: &'static str) -> #columns {
                #columns { #(#qualified,)* }
            }

            fn decode_row<R: ::d1orm::__private::Row + ?::core::marker::Sized>(
                row: &R,
                offset: usize,
            ) -> ::d1orm::__private::Result<Self> {
                ::core::result::Result::Ok(#ident { #(#decodes,)* })
            }
        }
    }
}

/// The declared indexes: field-level `index` and container `index(..)`/`unique_index(..)`.
fn indexes(table: &Table<'_>) -> Vec<TokenStream> {
    let column_of = |ident: &syn::Ident| {
        table
            .fields
            .iter()
            .find(|f| f.ident == ident)
            .map_or_else(|| ident.to_string(), |f| f.column.clone())
    };
    let mut out = Vec::new();
    let mut push =
        |columns: Vec<String>, unique: bool, filter: Option<&String>, name: Option<&String>| {
            let name = name.cloned().unwrap_or_else(|| {
                format!(
                    "{}_{}_{}",
                    if unique { "uidx" } else { "idx" },
                    table.name,
                    columns.join("_")
                )
            });
            let filter = match filter {
                Some(sql) => quote!(::core::option::Option::Some(#sql)),
                None => quote!(::core::option::Option::None),
            };
            out.push(quote! {
                ::d1orm::__private::IndexInfo::new(#name, &[#(#columns),*], #unique, #filter)
            });
        };
    for f in &table.fields {
        if f.attrs.index.is_some() {
            push(vec![f.column.clone()], false, None, None);
        }
    }
    for index in &table.attrs.indexes {
        let columns = index.fields.iter().map(column_of).collect();
        push(
            columns,
            index.unique,
            index.filter.as_ref(),
            index.name.as_ref(),
        );
    }
    out
}

/// `references(Table::field)`: the referenced table and column come from that table's
/// own derive, so a type that is not a table, or a field it does not have, does not
/// compile.
fn foreign_keys(table: &Table<'_>) -> Vec<TokenStream> {
    table
        .fields
        .iter()
        .filter_map(|f| {
            let r = f.attrs.references.as_ref()?;
            let column = &f.column;
            let target = &r.table;
            let field = &r.field;
            let action = |a: &Option<(proc_macro2::Span, String)>| match a {
                Some((_, sql)) => quote!(::core::option::Option::Some(#sql)),
                None => quote!(::core::option::Option::None),
            };
            let on_delete = action(&f.attrs.on_delete);
            let on_update = action(&f.attrs.on_update);
            let name = quote_spanned!(target.span()=> <#target as ::d1orm::__private::Table>::NAME);
            let columns = quote_spanned!(target.span()=> <#target as ::d1orm::__private::Table>::columns());
            let referenced = quote_spanned!(field.span()=> #columns.#field.name());
            Some(quote! {
                ::d1orm::__private::ForeignKeyInfo::new(#column, #name, #referenced, #on_delete, #on_update)
            })
        })
        .collect()
}

/// `db.users()`: a trait on `Database`, named after the struct (`UserTable`).
fn accessor(table: &Table<'_>) -> TokenStream {
    let is_ident = syn::parse_str::<syn::Ident>(&table.name).is_ok()
        && table
            .name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !is_ident {
        return TokenStream::new();
    }
    let vis = table.vis;
    let ident = table.ident;
    let method = format_ident!("{}", table.name);
    let trait_name = format_ident!("{}Table", table.ident);
    let doc = format!(
        "Adds `{}()` to `Database` and to a batch's `Tx`: the typed chain over table `{}`.",
        table.name, table.name
    );
    let method_doc = format!("The typed chain over the rows of `{}`.", table.name);
    quote! {
        #[doc = #doc]
        #vis trait #trait_name<B> {
            #[doc = #method_doc]
            fn #method(&self) -> ::d1orm::__private::Query<'_, B, #ident>;
        }

        #[automatically_derived]
        impl<B: ::d1orm::__private::Backend> #trait_name<B> for ::d1orm::__private::Database<B> {
            fn #method(&self) -> ::d1orm::__private::Query<'_, B, #ident> {
                self.table::<#ident>()
            }
        }

        #[automatically_derived]
        impl #trait_name<::d1orm::__private::Tx> for ::d1orm::__private::Tx {
            fn #method(&self) -> ::d1orm::__private::Query<'_, ::d1orm::__private::Tx, #ident> {
                self.table::<#ident>()
            }
        }
    }
}
