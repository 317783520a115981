//! Stage 5: IR → the crate's files as Rust token streams (`quote`), ready for [`crate::format`].

mod client;
mod crate_files;
pub mod docs;
mod environment;
pub mod features;
pub mod layout;
mod mock;
mod neutral;
mod tokens;
mod types;
mod webhooks;

pub use crate_files::{
    emit_crate, runtime_version, CrateSpec, FamilySpec, ModuleSpec, RuntimeCrate,
};

use crate::ir::{Api, TypeId};
use features::ModuleFeatures;
use proc_macro2::TokenStream;
use quote::quote;

/// Builds an item's tokens on demand. `proc_macro2` token streams cannot move between threads,
/// so each item is built on the thread that formats it.
pub type Item<'a> = Box<dyn Fn() -> TokenStream + Send + Sync + 'a>;

/// One file of the crate, before formatting.
pub struct TokenFile<'a> {
    /// Relative to the crate root: `src/lib.rs`.
    pub path: String,
    /// The specs it comes from, for the "generated, do not edit" header.
    pub sources: Vec<&'a Api>,
    pub content: Content<'a>,
}

/// What a [`TokenFile`] holds.
pub enum Content<'a> {
    /// Rust code: `head` (module docs, imports, the client), then `items` (one per type).
    /// The items of a file are independent, so they can be formatted on several threads; the
    /// head is built where it is formatted too, so other threads start on items meanwhile.
    Rust {
        head: Item<'a>,
        items: Vec<Item<'a>>,
    },
    /// Rust written by hand (the runtime), kept as written.
    VerbatimRust(&'static str),
    /// TOML (the manifest).
    Toml(String),
}

/// One provider module's files under `dir` (`src/twilio`), as [`layout`] decides: `mod.rs`,
/// one file per resource, `webhooks.rs` and `mock.rs`; each item behind the Cargo features that
/// need it.
pub fn module_files<'a>(api: &'a Api, features: &ModuleFeatures, dir: &str) -> Vec<TokenFile<'a>> {
    let layout = std::sync::Arc::new(layout::module_layout(api));
    let file = |name: &str, content| TokenFile {
        path: format!("{dir}/{name}.rs"),
        sources: vec![api],
        content,
    };
    // Each file's items: `mod.rs`'s first, then each resource's.
    let mut items = file_items(api, features, &layout).into_iter();
    let mut files = vec![file(
        "mod",
        Content::Rust {
            head: {
                let (features, layout) = (features.clone(), layout.clone());
                Box::new(move || head_tokens(api, &features, &layout))
            },
            items: items.next().unwrap_or_default(),
        },
    )];
    for ((index, resource), items) in layout.resources.iter().enumerate().zip(items) {
        files.push(file(
            resource.stem(),
            Content::Rust {
                head: {
                    let (features, layout) = (features.clone(), layout.clone());
                    Box::new(move || resource_head(api, &features, &layout.resources[index]))
                },
                items,
            },
        ));
    }
    if !api.webhooks.is_empty() {
        let features = features.clone();
        files.push(file(
            "webhooks",
            Content::Rust {
                head: Box::new(move || webhooks::webhooks_module(api, &features)),
                items: Vec::new(),
            },
        ));
    }
    if !api.operations.is_empty() {
        let features = features.clone();
        files.push(file(
            "mock",
            Content::Rust {
                head: Box::new(move || mock::mock_module(api, &features)),
                items: Vec::new(),
            },
        ));
    }
    files
}

/// The items of each file of a module, in one pass over its types: `mod.rs`'s first (the
/// shared types and the aliases), then each resource's in layout order; a listing's `impl
/// Listing` goes with its type.
fn file_items<'a>(
    api: &'a Api,
    features: &ModuleFeatures,
    layout: &layout::ModuleLayout<'_>,
) -> Vec<Vec<Item<'a>>> {
    let mut listings = client::listings(api, &features.operations);
    let mut files: Vec<Vec<Item<'a>>> = (0..=layout.resources.len()).map(|_| Vec::new()).collect();
    for (id, _) in api.type_ids() {
        let i = id.index();
        if features.webhook_only.get(i) == Some(&true) {
            continue;
        }
        let file = layout.homes.get(i).copied().flatten().map_or(0, |r| r + 1);
        let Some(bucket) = files.get_mut(file) else {
            continue;
        };
        let needed = features.types.get(i).cloned().unwrap_or_default();
        let listing = listings.remove(&id);
        bucket.push(Box::new(move || {
            let def = type_tokens(id, api, &needed);
            let listing = listing
                .as_ref()
                .map(|(p, needed)| client::listing_impl(p, api, needed));
            quote!(#def #listing)
        }));
    }
    let aliases = api.aliases.iter().map(|alias| {
        let needed = alias_features(alias, features);
        Box::new(move || types::alias_def(alias, api, &features::cfg(&needed))) as Item<'_>
    });
    if let Some(root) = files.first_mut() {
        root.extend(aliases);
    }
    files
}

/// A resource's file head: its operations in one `impl Client`.
fn resource_head(
    api: &Api,
    features: &ModuleFeatures,
    resource: &layout::ResourceFile<'_>,
) -> TokenStream {
    let doc = tokens::inner_doc_attrs(&[format!(
        "{}: the operations of the spec's tag {} and the types only they use.",
        client::resource_title(resource.tag),
        docs::code(resource.tag)
    )]);
    let operations = client::resource_impl(
        api,
        Some(resource.tag),
        &resource.operations,
        &features.operations,
    );
    quote! {
        #doc
        use super::*;

        #operations
    }
}

/// A module's files' tokens in one piece, each file after a `// file: NAME` comment-like
/// marker: for snapshots of what a fixture emits.
pub fn module_tokens(api: &Api, features: &ModuleFeatures) -> Vec<(String, TokenStream)> {
    module_files(api, features, "")
        .into_iter()
        .map(|file| {
            let tokens = match file.content {
                Content::Rust { head, items } => {
                    let items = items.iter().map(|item| item());
                    let head = head();
                    quote!(#head #(#items)*)
                }
                Content::VerbatimRust(_) | Content::Toml(_) => TokenStream::new(),
            };
            (file.path.trim_start_matches('/').to_string(), tokens)
        })
        .collect()
}

/// An alias is compiled with the type it names.
fn alias_features(alias: &crate::ir::TypeAlias, features: &ModuleFeatures) -> Vec<String> {
    features
        .types
        .get(alias.target.index())
        .cloned()
        .unwrap_or_default()
}

/// A type's definition and, for a by-status enum, its decoder; `needed`: its features.
fn type_tokens(id: TypeId, api: &Api, needed: &[String]) -> TokenStream {
    let cfg = features::cfg(needed);
    let def_tokens = types::type_def(id, api, needed);
    let by_status = client::by_status_impl(api.type_def(id));
    let by_status = (!by_status.is_empty()).then(|| quote!(#cfg #by_status));
    quote!(#def_tokens #by_status)
}

/// `mod.rs`'s head: module docs, lints, imports, the client with its untagged operations, and
/// the module's files, the resources' items re-exported so that paths stay `twilio::Name`.
fn head_tokens(
    api: &Api,
    features: &ModuleFeatures,
    layout: &layout::ModuleLayout<'_>,
) -> TokenStream {
    let mut doc = vec![format!(
        "{}, generated from {}.",
        api.title,
        docs::code(&api.source)
    )];
    if let Some(d) = &api.description {
        doc.push(String::new());
        doc.extend(docs::lines(d));
    }
    let doc = tokens::inner_doc_attrs(&doc);
    let client = client::client(api);
    let untagged = (!layout.untagged.is_empty())
        .then(|| client::resource_impl(api, None, &layout.untagged, &features.operations));
    let resources = layout
        .resources
        .iter()
        .enumerate()
        .map(|(index, resource)| {
            // A resource's file is compiled when any of its operations is.
            let mut needed: Vec<String> = resource
                .operations
                .iter()
                .filter_map(|&i| features.operations.get(i))
                .flatten()
                .cloned()
                .collect();
            needed.sort();
            needed.dedup();
            let cfg = features::cfg(&needed);
            let module = tokens::ident(&resource.module);
            // A resource whose types all live elsewhere has only methods: nothing to re-export.
            let items = layout.homes.contains(&Some(index));
            let export = items.then(|| quote!(#cfg pub use self::#module::*;));
            quote! {
                #cfg
                mod #module;
                #export
            }
        });
    let webhooks = (!api.webhooks.is_empty()).then(|| {
        let feature = features::WEBHOOKS;
        quote! {
            #[cfg(feature = #feature)]
            pub mod webhooks;
        }
    });
    let mock = (!api.operations.is_empty()).then(|| {
        let feature = mock::MOCK;
        quote! {
            #[cfg(feature = #feature)]
            pub mod mock;
        }
    });
    let environment = environment::client_impl(api);
    quote! {
        #doc
        #![allow(clippy::large_enum_variant, clippy::too_many_arguments, clippy::doc_lazy_continuation)]

        #[allow(unused_imports)]
        use crate::{ClientConfig, Credentials};

        #(#resources)*
        #webhooks
        #mock

        #client
        #untagged
        #environment
    }
}
