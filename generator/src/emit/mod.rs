//! Stage 5: IR → Rust token streams with `quote`, then formatted files.

mod client;
mod crate_files;
mod tokens;
mod types;

pub use crate_files::{emit_crate, CrateSpec, ModuleSpec};

use crate::ir::Api;
use proc_macro2::TokenStream;
use quote::quote;

/// The formatted text of one provider module. Type definitions are emitted and formatted on
/// several threads; the text is the same as formatting [`module_tokens`] in one piece.
pub fn module_text(api: &Api, path: &str) -> Result<String, crate::error::Error> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8);
    let chunk = api.types.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let workers = api
            .types
            .chunks(chunk)
            .map(|chunk| {
                std::thread::Builder::new()
                    .stack_size(crate::STACK_SIZE)
                    .spawn_scoped(scope, move || {
                        crate::format::rust_items(types_tokens(chunk, &api.types), path)
                    })
                    .map_err(|e| crate::error::Error::Emit {
                        file: path.to_string(),
                        message: format!("cannot start a formatting thread: {e}"),
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut text = crate::format::rust_file(head_tokens(api), &api.source, path)?;
        for worker in workers {
            let part = worker.join().map_err(|_| crate::error::Error::Emit {
                file: path.to_string(),
                message: "a formatting thread panicked".into(),
            })??;
            text.push_str(&part);
        }
        Ok(text)
    })
}

/// The tokens of one provider module: its types, then its client.
pub fn module_tokens(api: &Api) -> TokenStream {
    let head = head_tokens(api);
    let types = types_tokens(&api.types, &api.types);
    quote!(#head #types)
}

/// `chunk`'s definitions; `all` is every type of the module, for lookups.
fn types_tokens(chunk: &[crate::ir::TypeDef], all: &[crate::ir::TypeDef]) -> TokenStream {
    let types = chunk.iter().map(|t| {
        let def = types::type_def(t);
        let by_status = client::by_status_impl(t, all);
        quote!(#def #by_status)
    });
    quote!(#(#types)*)
}

/// Module docs, lints, imports and the client.
fn head_tokens(api: &Api) -> TokenStream {
    let mut doc = vec![format!(
        "{}, generated from {}.",
        api.title,
        crate::docs::code(&api.source)
    )];
    if let Some(d) = &api.description {
        doc.push(String::new());
        doc.extend(crate::docs::lines(d));
    }
    let doc = tokens::inner_doc_attrs(&doc);
    let client = client::client(api);
    quote! {
        #doc
        #![allow(clippy::large_enum_variant, clippy::too_many_arguments, clippy::doc_lazy_continuation)]

        #[allow(unused_imports)]
        use crate::{ClientConfig, Credentials};

        #client
    }
}
