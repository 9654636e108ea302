//! `#[derive(TextEnum)]`: a fieldless enum stored as TEXT, one string per variant, with
//! the list of values for the schema's CHECK constraint.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Data, DeriveInput, Fields, LitStr};

use crate::ctxt::Ctxt;

pub(crate) fn derive(input: &DeriveInput) -> TokenStream {
    let mut ctxt = Ctxt::default();
    let Data::Enum(data) = &input.data else {
        return syn::Error::new_spanned(&input.ident, "#[derive(TextEnum)] needs an enum")
            .to_compile_error();
    };
    let mut variants = Vec::new();
    for v in &data.variants {
        if !matches!(v.fields, Fields::Unit) {
            ctxt.error(&v.ident, "a TextEnum variant carries no data");
            continue;
        }
        let mut text = v.ident.to_string();
        for attr in v.attrs.iter().filter(|a| a.path().is_ident("d1orm")) {
            let r = attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("rename") {
                    text = meta.value()?.parse::<LitStr>()?.value();
                    Ok(())
                } else {
                    Err(meta.error("unknown d1orm variant attribute; expected: rename"))
                }
            });
            if let Err(e) = r {
                ctxt.push(e);
            }
        }
        if let Some((_, other)) = variants.iter().find(|(_, t)| *t == text) {
            ctxt.error(
                &v.ident,
                format!("value \"{text}\" is also variant `{other}`'s"),
            );
            continue;
        }
        variants.push((&v.ident, text));
    }
    if variants.is_empty() && data.variants.is_empty() {
        ctxt.error(&input.ident, "a TextEnum needs at least one variant");
    }
    if let Some(e) = ctxt.into_error() {
        return e.to_compile_error();
    }
    let ident = &input.ident;
    let name = ident.to_string();
    let idents: Vec<_> = variants.iter().map(|(i, _)| *i).collect();
    let texts: Vec<_> = variants.iter().map(|(_, t)| t.as_str()).collect();
    let expected = texts.join(", ");
    quote! {
        #[automatically_derived]
        impl ::d1orm::__private::ColumnType for #ident {
            const SQL_TYPE: &'static str = "TEXT";
            const VALUES: ::core::option::Option<&'static [&'static str]> =
                ::core::option::Option::Some(&[#(#texts),*]);

            fn to_value(&self) -> ::d1orm::__private::Result<::d1orm::__private::Value> {
                ::core::result::Result::Ok(::d1orm::__private::Value::Text(
                    <::std::string::String as ::core::convert::From<&str>>::from(
                        match self { #(#ident::#idents => #texts,)* },
                    ),
                ))
            }

            fn from_value(
                value: ::d1orm::__private::ValueRef<'_>,
            ) -> ::core::result::Result<Self, ::d1orm::__private::DecodeError> {
                match value {
                    #(::d1orm::__private::ValueRef::Text(#texts) => ::core::result::Result::Ok(#ident::#idents),)*
                    ::d1orm::__private::ValueRef::Text(other) => ::core::result::Result::Err(
                        ::d1orm::__private::DecodeError::new(::std::format!(
                            "{:?} is not a value of {}; expected one of: {}", other, #name, #expected
                        )),
                    ),
                    other => ::core::result::Result::Err(::d1orm::__private::DecodeError::new(
                        ::std::format!("expected text for {}, found {} value", #name, other.type_name()),
                    )),
                }
            }
        }
    }
}
