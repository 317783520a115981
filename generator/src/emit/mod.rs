//! Stage 5: IR → Rust token streams with `quote`, then formatted files.

mod client;
mod crate_files;
pub mod features;
mod tokens;
mod types;

pub use crate_files::{emit_crate, CrateSpec, ModuleSpec};

use crate::ir::Api;
use features::ModuleFeatures;
use proc_macro2::TokenStream;
use quote::quote;

/// The formatted text of one provider module. Type definitions are emitted and formatted on
/// several threads; the text is the same as formatting [`module_tokens`] in one piece.
pub fn module_text(
    api: &Api,
    features: &ModuleFeatures,
    path: &str,
) -> Result<String, crate::error::Error> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8);
    let chunk = api.types.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let workers = (0..api.types.len())
            .step_by(chunk)
            .map(|start| {
                let range = start..(start + chunk).min(api.types.len());
                std::thread::Builder::new()
                    .stack_size(crate::STACK_SIZE)
                    .spawn_scoped(scope, move || {
                        crate::format::rust_items(types_tokens(api, features, range), path)
                    })
                    .map_err(|e| crate::error::Error::Emit {
                        file: path.to_string(),
                        message: format!("cannot start a formatting thread: {e}"),
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut text = crate::format::rust_file(head_tokens(api, features), &api.source, path)?;
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

/// The tokens of one provider module: its client, then its types.
pub fn module_tokens(api: &Api, features: &ModuleFeatures) -> TokenStream {
    let head = head_tokens(api, features);
    let types = types_tokens(api, features, 0..api.types.len());
    quote!(#head #types)
}

/// The definitions of the types in `range`, each behind the features that need it.
fn types_tokens(
    api: &Api,
    features: &ModuleFeatures,
    range: std::ops::Range<usize>,
) -> TokenStream {
    let types = api.types[range.clone()]
        .iter()
        .zip(&features.types[range])
        .map(|(t, needed)| {
            let cfg = features::cfg(needed);
            let def = types::type_def(t, &cfg);
            let by_status = client::by_status_impl(t, &api.types);
            let by_status = (!by_status.is_empty()).then(|| quote!(#cfg #by_status));
            quote!(#def #by_status)
        });
    quote!(#(#types)*)
}

/// Module docs, lints, imports and the client.
fn head_tokens(api: &Api, features: &ModuleFeatures) -> TokenStream {
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
    let client = client::client(api, &features.operations);
    quote! {
        #doc
        #![allow(clippy::large_enum_variant, clippy::too_many_arguments, clippy::doc_lazy_continuation)]

        #[allow(unused_imports)]
        use crate::{ClientConfig, Credentials};

        #client
    }
}
