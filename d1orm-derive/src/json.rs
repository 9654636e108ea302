//! `#[derive(Json)]`: typed JSON paths from a serde type. serde's own reading of the
//! type (`serde_derive_internals`, the code behind `#[derive(Serialize)]`) says which
//! key each field is written under (`rename`, every `rename_all` rule) and which
//! attributes change the document's shape, so the paths follow what serde writes
//! without a second implementation of its rules.
//!
//! A struct with named fields gets `<Name>Paths`: one field per serialized field,
//! reaching its key, typed by the field's type (`JsonNode::Node`), and derefs to the
//! path to the whole struct. An enum of unit variants (stored as strings) and a tuple
//! struct are leaves: compared and set as a whole.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use serde_derive_internals::{Ctxt as SerdeCtxt, Derive, ast, attr};
use syn::spanned::Spanned;
use syn::{DeriveInput, Ident};

use crate::ctxt::Ctxt;

pub(crate) fn derive(input: &DeriveInput) -> TokenStream {
    let serde_cx = SerdeCtxt::new();
    let private = Ident::new("__private", Span::call_site());
    let container = ast::Container::from_ast(&serde_cx, input, Derive::Serialize, &private);
    if serde_cx.check().is_err() {
        // serde's own derive reports the type's serde attributes; a second report of
        // the same mistakes would only be noise.
        return TokenStream::new();
    }
    let Some(container) = container else {
        return TokenStream::new();
    };
    let mut ctxt = Ctxt::default();
    if !input.generics.params.is_empty() {
        ctxt.error(
            &input.generics,
            "#[derive(Json)] takes a type without generic parameters; for a generic type, implement `d1orm::table::JsonLeaf` on it to compare and set it as a whole",
        );
    }
    refuse_reshaping(&container, &mut ctxt);
    let expanded = match &container.data {
        ast::Data::Struct(ast::Style::Struct, fields) => {
            struct_paths(input, fields, &container, &mut ctxt)
        }
        ast::Data::Struct(_, _) => leaf(input),
        ast::Data::Enum(variants) => string_enum(input, variants, &container, &mut ctxt),
    };
    match ctxt.into_error() {
        Some(e) => e.to_compile_error(),
        None => expanded,
    }
}

/// Container attributes under which the document is not the struct's fields.
fn refuse_reshaping(container: &ast::Container, ctxt: &mut Ctxt) {
    let attrs = &container.attrs;
    let how = if attrs.transparent() {
        Some("`#[serde(transparent)]` stores the inner field alone")
    } else if attrs.type_into().is_some()
        || attrs.type_from().is_some()
        || attrs.type_try_from().is_some()
    {
        Some("`#[serde(into/from/try_from)]` stores another type's document")
    } else if attrs.remote().is_some() {
        Some("`#[serde(remote)]` describes another type")
    } else {
        None
    };
    if let Some(how) = how {
        ctxt.error(
            &container.ident,
            format!("{how}: #[derive(Json)] cannot follow it; implement `d1orm::table::JsonLeaf` to compare and set the value as a whole"),
        );
    }
}

/// A struct with named fields: its paths struct and its `JsonNode` impl.
fn struct_paths(
    input: &DeriveInput,
    fields: &[ast::Field],
    container: &ast::Container,
    ctxt: &mut Ctxt,
) -> TokenStream {
    let ident = &input.ident;
    let vis = &input.vis;
    let paths = format_ident!("{}Paths", ident);
    let container_default = !container.attrs.default().is_none();
    let mut defs = Vec::new();
    let mut inits = Vec::new();
    let mut names = Vec::new();
    for field in fields {
        let Some(spec) = FieldSpec::read(field, container_default, ctxt) else {
            continue;
        };
        let syn::Member::Named(name) = &field.member else {
            continue;
        };
        names.push(name);
        let field_vis = &field.original.vis;
        let ty = field.ty;
        let key = spec.key.as_str();
        let doc = format!("The path to `{key}`.");
        if spec.unchecked {
            defs.push(quote! {
                #[doc = #doc]
                #field_vis #name: ::d1orm::__private::JsonPath<D1ormTable>
            });
            inits.push(quote! { #name: path.__unchecked_field(#key) });
            continue;
        }
        let presence = if spec.may_be_absent {
            quote!(::d1orm::__private::MaybeAbsent)
        } else {
            quote!(D1ormPresence)
        };
        // Spanned on the field's type, so an unsupported type is reported there.
        let node = quote_spanned! {ty.span()=>
            <#ty as ::d1orm::__private::JsonNode>::Node<D1ormTable, #ty, #presence>
        };
        defs.push(quote! {
            #[doc = #doc]
            #field_vis #name: #node
        });
        inits.push(quote_spanned! {ty.span()=>
            #name: <#ty as ::d1orm::__private::JsonNode>::node(path.__field::<#ty, #presence>(#key))
        });
    }
    let doc = format!(
        "Typed JSON paths into a [`{ident}`], generated by `#[derive(d1orm::Json)]`: a field per serialized field; derefs to the path to the whole value."
    );
    quote! {
        #[doc = #doc]
        // A path not used is no dead code of the user's.
        #[allow(dead_code)]
        #vis struct #paths<D1ormTable, D1ormWhole, D1ormPresence: ::d1orm::__private::Presence> {
            #(#defs,)*
            __d1orm_path: ::d1orm::__private::TypedPath<D1ormTable, D1ormWhole, D1ormPresence>,
        }

        #[automatically_derived]
        impl<D1ormTable, D1ormWhole, D1ormPresence: ::d1orm::__private::Presence> ::core::clone::Clone
            for #paths<D1ormTable, D1ormWhole, D1ormPresence>
        {
            fn clone(&self) -> Self {
                #paths {
                    #(#names: ::core::clone::Clone::clone(&self.#names),)*
                    __d1orm_path: ::core::clone::Clone::clone(&self.__d1orm_path),
                }
            }
        }

        #[automatically_derived]
        impl<D1ormTable, D1ormWhole, D1ormPresence: ::d1orm::__private::Presence> ::core::ops::Deref
            for #paths<D1ormTable, D1ormWhole, D1ormPresence>
        {
            type Target = ::d1orm::__private::TypedPath<D1ormTable, D1ormWhole, D1ormPresence>;
            fn deref(&self) -> &Self::Target {
                &self.__d1orm_path
            }
        }

        #[automatically_derived]
        impl<D1ormTable, D1ormWhole, D1ormPresence> ::d1orm::__private::Projection<D1ormTable>
            for #paths<D1ormTable, D1ormWhole, D1ormPresence>
        where
            D1ormPresence: ::d1orm::__private::Presence,
            ::d1orm::__private::TypedPath<D1ormTable, D1ormWhole, D1ormPresence>:
                ::d1orm::__private::Projection<D1ormTable>,
        {
            type Output = <::d1orm::__private::TypedPath<D1ormTable, D1ormWhole, D1ormPresence>
                as ::d1orm::__private::Projection<D1ormTable>>::Output;
            fn width(&self) -> usize {
                1
            }
            fn check(&self) -> ::d1orm::__private::Result<()> {
                ::d1orm::__private::Projection::<D1ormTable>::check(&self.__d1orm_path)
            }
            fn write_sql(&self, sql: &mut ::std::string::String) {
                ::d1orm::__private::Projection::<D1ormTable>::write_sql(&self.__d1orm_path, sql)
            }
            fn decode<D1ormRow: ::d1orm::__private::Row + ?Sized>(
                &self,
                row: &D1ormRow,
                offset: usize,
            ) -> ::d1orm::__private::Result<Self::Output> {
                ::d1orm::__private::Projection::<D1ormTable>::decode(&self.__d1orm_path, row, offset)
            }
        }

        #[automatically_derived]
        impl ::d1orm::__private::JsonNode for #ident {
            type Node<D1ormTable, D1ormWhole, D1ormPresence: ::d1orm::__private::Presence> =
                #paths<D1ormTable, D1ormWhole, D1ormPresence>;
            type Nullable = ::core::option::Option<#ident>;
            fn node<D1ormTable, D1ormWhole, D1ormPresence: ::d1orm::__private::Presence>(
                path: ::d1orm::__private::TypedPath<D1ormTable, D1ormWhole, D1ormPresence>,
            ) -> #paths<D1ormTable, D1ormWhole, D1ormPresence> {
                #paths {
                    #(#inits,)*
                    __d1orm_path: path,
                }
            }
        }
    }
}

/// What a struct field's path is.
struct FieldSpec {
    /// The key serde writes the field under.
    key: String,
    /// serde may leave the key out, or read a document without it.
    may_be_absent: bool,
    /// `#[d1orm(unchecked)]`: an untyped path.
    unchecked: bool,
}

impl FieldSpec {
    /// The field's path, or `None` for a field serde does not write (it has none) or one
    /// refused (with an error).
    fn read(field: &ast::Field, container_default: bool, ctxt: &mut Ctxt) -> Option<Self> {
        let attrs = &field.attrs;
        let unchecked = unchecked_attr(field.original, ctxt);
        if attrs.skip_serializing() {
            return None;
        }
        let span = field.original;
        if attrs.flatten() {
            ctxt.error(
                span,
                "`#[serde(flatten)]` writes this field's keys into the parent object, where a typed path cannot follow them; reach them with `at_unchecked(..)` on the parent's path",
            );
            return None;
        }
        if !unchecked && (attrs.serialize_with().is_some() || attrs.deserialize_with().is_some()) {
            ctxt.error(
                span,
                "a field with `#[serde(with/serialize_with/deserialize_with)]` is stored in a form of its own, which its type does not describe; mark it `#[d1orm(unchecked)]` for an untyped path",
            );
            return None;
        }
        let name = attrs.name();
        let key = name.serialize_name().value.clone();
        if key != name.deserialize_name().value {
            ctxt.error(
                span,
                format!(
                    "this field is written as \"{key}\" and read as \"{}\": a path names one key; give both the same name",
                    name.deserialize_name().value
                ),
            );
            return None;
        }
        Some(FieldSpec {
            key,
            may_be_absent: attrs.skip_serializing_if().is_some()
                || !attrs.default().is_none()
                || container_default,
            unchecked,
        })
    }
}

/// Reads a field's `#[d1orm(unchecked)]`.
fn unchecked_attr(field: &syn::Field, ctxt: &mut Ctxt) -> bool {
    let mut unchecked = false;
    for a in field.attrs.iter().filter(|a| a.path().is_ident("d1orm")) {
        let r = a.parse_nested_meta(|meta| {
            if meta.path.is_ident("unchecked") {
                if unchecked {
                    return Err(meta.error("duplicate d1orm attribute `unchecked`"));
                }
                unchecked = true;
                Ok(())
            } else {
                Err(meta.error("unknown d1orm attribute on a Json field; expected: unchecked"))
            }
        });
        if let Err(e) = r {
            ctxt.push(e);
        }
    }
    unchecked
}

/// A type compared and set as a whole.
fn leaf(input: &DeriveInput) -> TokenStream {
    let ident = &input.ident;
    quote! {
        #[automatically_derived]
        impl ::d1orm::__private::JsonLeaf for #ident {}
    }
}

/// An enum whose variants serde writes as strings: a leaf. Anything else has no path.
fn string_enum(
    input: &DeriveInput,
    variants: &[ast::Variant],
    container: &ast::Container,
    ctxt: &mut Ctxt,
) -> TokenStream {
    if !matches!(container.attrs.tag(), attr::TagType::External) {
        ctxt.error(
            &input.ident,
            "#[derive(Json)] on an enum needs its variants stored as strings (serde's default tagging); with `tag`, `content` or `untagged` they are objects or shapes a path cannot type. Implement `d1orm::table::JsonLeaf` to compare and set it as a whole",
        );
    }
    for v in variants {
        if !matches!(v.style, ast::Style::Unit) {
            ctxt.error(
                v.original,
                "#[derive(Json)] on an enum takes unit variants (stored as strings); a variant with data is stored as an object. Implement `d1orm::table::JsonLeaf` to compare and set the enum as a whole",
            );
        } else if v.attrs.untagged() || v.attrs.serialize_with().is_some() {
            ctxt.error(
                v.original,
                "this variant is not stored as its name: #[derive(Json)] needs every variant stored as a string",
            );
        }
    }
    leaf(input)
}
