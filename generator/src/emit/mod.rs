//! Stage 5: IR → Rust token streams with `quote`, then formatted files.

mod client;
mod crate_files;
mod tokens;
mod types;

pub use crate_files::{emit_crate, CrateSpec, ModuleSpec};

use crate::ir::Api;
use proc_macro2::TokenStream;
use quote::quote;

/// The tokens of one provider module: its types, then its client.
pub fn module_tokens(api: &Api) -> TokenStream {
    let mut doc = vec![format!(
        "{}, generated from {}.",
        api.title,
        crate::docs::code(&api.source)
    )];
    if let Some(d) = &api.description {
        doc.push(String::new());
        doc.extend(crate::docs::lines(d));
    }
    let doc = doc.iter().map(|l| {
        let l = if l.is_empty() {
            String::new()
        } else {
            format!(" {l}")
        };
        quote!(#![doc = #l])
    });
    let types = api.types.iter().map(|t| {
        let def = types::type_def(t);
        let by_status = client::by_status_impl(t);
        quote!(#def #by_status)
    });
    let client = client::client(api);
    quote! {
        #(#doc)*
        #![allow(clippy::large_enum_variant, clippy::too_many_arguments, clippy::doc_lazy_continuation)]

        #[allow(unused_imports)]
        use crate::{ClientConfig, Credentials};

        #client

        #(#types)*
    }
}
