//! Stage 5: IR → the crate's files as Rust token streams (`quote`), ready for [`crate::format`].

mod client;
mod crate_files;
pub mod docs;
mod environment;
pub mod features;
mod mock;
mod neutral;
mod tokens;
mod types;
mod webhooks;

pub use crate_files::{
    emit_crate, runtime_version, CrateSpec, FamilySpec, ModuleSpec, RuntimeCrate,
};

use crate::ir::{Api, TypeDef};
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

/// `src/{name}.rs`: one provider module, its items behind the Cargo features that need them.
pub fn module_file<'a>(api: &'a Api, features: &ModuleFeatures, path: String) -> TokenFile<'a> {
    TokenFile {
        path,
        sources: vec![api],
        content: Content::Rust {
            head: {
                let features = features.clone();
                Box::new(move || head_tokens(api, &features))
            },
            items: api
                .types
                .iter()
                .zip(&features.types)
                .zip(&features.webhook_only)
                .filter(|(_, webhook_only)| !**webhook_only)
                .map(|((t, needed), _)| {
                    let needed = needed.clone();
                    Box::new(move || type_tokens(t, api, &needed)) as Item<'_>
                })
                .chain(api.aliases.iter().map(|alias| {
                    let needed = alias_features(alias, features);
                    Box::new(move || types::alias_def(alias, api, &features::cfg(&needed)))
                        as Item<'_>
                }))
                .chain((!api.webhooks.is_empty()).then(|| {
                    let features = features.clone();
                    Box::new(move || webhooks::webhooks_module(api, &features)) as Item<'_>
                }))
                .chain((!api.operations.is_empty()).then(|| {
                    let features = features.clone();
                    Box::new(move || mock::mock_module(api, &features)) as Item<'_>
                }))
                .collect(),
        },
    }
}

/// The tokens of one provider module in one piece: its client, then its types.
pub fn module_tokens(api: &Api, features: &ModuleFeatures) -> TokenStream {
    let head = head_tokens(api, features);
    let types = api
        .types
        .iter()
        .zip(&features.types)
        .zip(&features.webhook_only)
        .filter(|(_, webhook_only)| !**webhook_only)
        .map(|((t, needed), _)| type_tokens(t, api, needed));
    let aliases = api.aliases.iter().map(|alias| {
        types::alias_def(alias, api, &features::cfg(&alias_features(alias, features)))
    });
    let webhooks = webhooks::webhooks_module(api, features);
    let mock = mock::mock_module(api, features);
    quote!(#head #(#types)* #(#aliases)* #webhooks #mock)
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
fn type_tokens(def: &TypeDef, api: &Api, needed: &[String]) -> TokenStream {
    let cfg = features::cfg(needed);
    let def_tokens = types::type_def(def, api, &cfg, &features::cfg_doc(needed));
    let by_status = client::by_status_impl(def);
    let by_status = (!by_status.is_empty()).then(|| quote!(#cfg #by_status));
    quote!(#def_tokens #by_status)
}

/// Module docs, lints, imports and the client.
fn head_tokens(api: &Api, features: &ModuleFeatures) -> TokenStream {
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
    let client = client::client(api, &features.operations);
    let environment = environment::client_impl(api);
    quote! {
        #doc
        #![allow(clippy::large_enum_variant, clippy::too_many_arguments, clippy::doc_lazy_continuation)]

        #[allow(unused_imports)]
        use crate::{ClientConfig, Credentials};

        #client
        #environment
    }
}
