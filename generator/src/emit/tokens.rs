//! Small token builders shared by the emitters.

use crate::ir::{Api, TypeRef};
use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

/// An identifier from a name the IR made valid; `r#` names become raw identifiers. A name
/// that is not a valid identifier (which the IR never produces) is made into one rather than
/// panicking.
pub fn ident(name: &str) -> Ident {
    let (raw, bare) = match name.strip_prefix("r#") {
        Some(bare) => (true, bare),
        None => (false, name),
    };
    if !crate::naming::is_identifier(bare) {
        return ident(&crate::naming::snake(bare));
    }
    if raw {
        Ident::new_raw(bare, Span::call_site())
    } else {
        Ident::new(bare, Span::call_site())
    }
}

fn doc_text(line: &str) -> String {
    if line.is_empty() {
        String::new()
    } else {
        format!(" {}", super::docs::clean(line))
    }
}

/// A doc line as a raw string literal: proc-macro2 would escape a plain one and syn unescape
/// it again when the file is formatted (a tenth of generation's instructions). The plain
/// literal remains for text a raw string cannot hold.
pub(super) fn raw_literal(text: &str) -> proc_macro2::Literal {
    let mut hashes = String::new();
    while text.contains(&format!("\"{hashes}")) {
        hashes.push('#');
    }
    format!("r{hashes}\"{text}\"{hashes}")
        .parse()
        .unwrap_or_else(|_| proc_macro2::Literal::string(text))
}

/// `#[doc]` attributes, one per line.
pub fn doc_attrs(lines: &[String]) -> TokenStream {
    let attrs = lines.iter().map(|line| {
        let text = raw_literal(&doc_text(line));
        quote!(#[doc = #text])
    });
    quote!(#(#attrs)*)
}

/// `#![doc]` attributes (module and crate docs), one per line.
pub fn inner_doc_attrs(lines: &[String]) -> TokenStream {
    let attrs = lines.iter().map(|line| {
        let text = raw_literal(&doc_text(line));
        quote!(#![doc = #text])
    });
    quote!(#(#attrs)*)
}

/// The Rust type for a [`TypeRef`] of `api`.
pub fn type_tokens(ty: &TypeRef, api: &Api) -> TokenStream {
    match ty {
        TypeRef::String => quote!(String),
        TypeRef::Bool => quote!(bool),
        TypeRef::I32 => quote!(i32),
        TypeRef::I64 => quote!(i64),
        TypeRef::F64 => quote!(f64),
        TypeRef::Timestamp => quote!(crate::runtime::Timestamp),
        TypeRef::Date => quote!(crate::runtime::time::Date),
        TypeRef::DateTime => quote!(crate::runtime::time::OffsetDateTime),
        TypeRef::Json => quote!(::serde_json::Value),
        TypeRef::Bytes => quote!(Vec<u8>),
        TypeRef::File => quote!(crate::FilePart),
        TypeRef::List(inner) => {
            let inner = type_tokens(inner, api);
            quote!(Vec<#inner>)
        }
        TypeRef::Map(inner) => {
            let inner = type_tokens(inner, api);
            quote!(::std::collections::BTreeMap<String, #inner>)
        }
        TypeRef::Named(id) => {
            let name = ident(&api.type_def(*id).name);
            quote!(#name)
        }
    }
}
