//! `#[derive(FromRow)]`: a struct that reads some columns of a table, each field named
//! after a field of the table's struct and of the same type.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields, Path};

use crate::ctxt::Ctxt;

pub(crate) fn derive(input: &DeriveInput) -> TokenStream {
    let mut ctxt = Ctxt::default();
    let mut table: Option<Path> = None;
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("d1orm")) {
        let result = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("table") {
                if table.is_some() {
                    return Err(meta.error("duplicate d1orm attribute `table`"));
                }
                table = Some(meta.value()?.parse()?);
                Ok(())
            } else {
                Err(meta
                    .error("unknown d1orm attribute; `#[derive(FromRow)]` takes `table = Type`"))
            }
        });
        if let Err(e) = result {
            ctxt.push(e);
        }
    }
    let fields = match &input.data {
        Data::Struct(s) => match &s.fields {
            Fields::Named(named) => Some(&named.named),
            _ => None,
        },
        _ => None,
    };
    let Some(fields) = fields else {
        ctxt.error(
            &input.ident,
            "#[derive(FromRow)] needs a struct with named fields",
        );
        return ctxt
            .into_error()
            .map(|e| e.to_compile_error())
            .unwrap_or_default();
    };
    for field in fields {
        if let Some(attr) = field.attrs.iter().find(|a| a.path().is_ident("d1orm")) {
            ctxt.error(attr, "`#[derive(FromRow)]` fields take no d1orm attribute; name the field as in the table's struct");
        }
    }
    if !input.generics.params.is_empty() {
        ctxt.error(
            &input.generics,
            "#[derive(FromRow)] does not support generic structs",
        );
    }
    let Some(table) = table else {
        ctxt.error(
            &input.ident,
            "#[derive(FromRow)] needs `#[d1orm(table = TableStruct)]`",
        );
        return ctxt
            .into_error()
            .map(|e| e.to_compile_error())
            .unwrap_or_default();
    };
    if let Some(e) = ctxt.into_error() {
        return e.to_compile_error();
    }
    let ident = &input.ident;
    let width = fields.len();
    let names = fields.iter().enumerate().filter_map(|(i, f)| {
        let field = f.ident.as_ref()?;
        let ty = &f.ty;
        let comma = (i > 0).then(|| quote!(sql.push_str(", ");));
        Some(quote_spanned! {ty.span()=>
            #comma
            sql.push_str(::d1orm::__private::quoted_name_of::<#table, #ty, _>(&columns.#field));
        })
    });
    let decodes = fields.iter().enumerate().filter_map(|(i, f)| {
        let field = f.ident.as_ref()?;
        let ty = &f.ty;
        Some(quote_spanned! {ty.span()=>
            #field: ::d1orm::__private::decode_column::<#table, #ty, _, R>(&columns.#field, row, offset + #i)?
        })
    });
    quote! {
        #[automatically_derived]
        impl ::d1orm::__private::FromRow<#table> for #ident {
            const WIDTH: usize = #width;

            fn write_sql(sql: &mut ::std::string::String) {
                let columns = <#table as ::d1orm::__private::Table>::columns();
                #(#names)*
            }

            fn decode<R: ::d1orm::__private::Row + ?::core::marker::Sized>(
                row: &R,
                offset: usize,
            ) -> ::d1orm::__private::Result<Self> {
                let columns = <#table as ::d1orm::__private::Table>::columns();
                ::core::result::Result::Ok(#ident { #(#decodes,)* })
            }
        }
    }
}
