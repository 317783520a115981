//! Cargo features: one per spec tag (a resource, in Twilio's and SignalWire's specs), all on by
//! default, so that a user of a large client compiles only the resources they call.
//!
//! An operation is compiled when any of its tags' features is on; a type when any operation
//! that reaches it is. Untagged operations, and everything they reach, are always compiled.
//! A module whose operations share a single tag gets no features: one would be the whole module.

use crate::ir::{Api, Operation, ResponseShape, TypeId, TypeKind, TypeRef};
use proc_macro2::TokenStream;
use quote::quote;
use std::collections::{BTreeMap, BTreeSet};

/// The features of one module's items; an empty list means "always compiled".
#[derive(Debug, Clone, Default)]
pub struct ModuleFeatures {
    /// Per operation, in [`Api::operations`] order.
    pub operations: Vec<Vec<String>>,
    /// Per type, in [`Api::types`] order.
    pub types: Vec<Vec<String>>,
    /// Per type: reached only from webhook payloads, so it lives in the module's `webhooks`
    /// submodule behind the `webhooks` feature.
    pub webhook_only: Vec<bool>,
}

/// The Cargo feature that compiles a crate's webhook payloads and their decoders.
pub const WEBHOOKS: &str = "webhooks";

impl ModuleFeatures {
    /// Every feature this module declares, sorted.
    pub fn names(&self) -> BTreeSet<&str> {
        self.operations
            .iter()
            .flatten()
            .map(String::as_str)
            .collect()
    }
}

/// Features for `api`, emitted as module `module`: `{module}-{resource}`, so that several
/// modules' features stay apart.
pub fn module_features(api: &Api, module: &str) -> ModuleFeatures {
    let tags: BTreeSet<&str> = api
        .operations
        .iter()
        .flat_map(|op| op.tags.iter().map(String::as_str))
        .collect();
    if tags.len() < 2 {
        let operations = vec![Vec::new(); api.operations.len()];
        let (types, webhook_only) = type_features(api, &operations);
        return ModuleFeatures {
            operations,
            types,
            webhook_only,
        };
    }
    let names = feature_names(&tags, module);
    let operations: Vec<Vec<String>> = api
        .operations
        .iter()
        .map(|op| {
            let set: BTreeSet<&String> = op
                .tags
                .iter()
                .filter_map(|t| names.get(t.as_str()))
                .collect();
            set.into_iter().cloned().collect()
        })
        .collect();
    let (types, webhook_only) = type_features(api, &operations);
    ModuleFeatures {
        operations,
        types,
        webhook_only,
    }
}

/// `{module}-{resource}` per tag: `twilio-call`.
fn feature_names<'a>(tags: &BTreeSet<&'a str>, module: &str) -> BTreeMap<&'a str, String> {
    resource_names(tags)
        .into_iter()
        .map(|(tag, rest)| (tag, format!("{}-{rest}", module.replace('_', "-"))))
        .collect()
}

/// Kebab-cased tags without the words every tag starts with (`Api20100401Call` → `call`): the
/// names of a module's resources, in its features and its files.
pub(super) fn resource_names<'a>(tags: &BTreeSet<&'a str>) -> BTreeMap<&'a str, String> {
    let words: Vec<Vec<String>> = tags
        .iter()
        .map(|t| {
            heck::ToKebabCase::to_kebab_case(*t)
                .split('-')
                .filter(|w| !w.is_empty())
                .map(str::to_string)
                .collect()
        })
        .collect();
    let shortest = words.iter().map(Vec::len).min().unwrap_or(0);
    let mut common = 0;
    while common + 1 < shortest && words.iter().all(|w| w[common] == words[0][common]) {
        common += 1;
    }
    tags.iter()
        .zip(&words)
        .map(|(tag, words)| {
            let rest = match words[common..].join("-") {
                rest if rest.is_empty() => "untitled".to_string(),
                rest => rest,
            };
            (*tag, rest)
        })
        .collect()
}

/// Each type's features: the union over the operations (and webhooks, whose feature is
/// [`WEBHOOKS`]) that reach it, or none (always) when an untagged operation reaches it; and
/// whether only webhooks reach it.
fn type_features(api: &Api, operations: &[Vec<String>]) -> (Vec<Vec<String>>, Vec<bool>) {
    // `None`: always compiled; `Some(set)`: the features that need the type.
    let mut needed: Vec<Option<BTreeSet<&str>>> = vec![Some(BTreeSet::new()); api.types.len()];
    let mut reached = vec![false; api.types.len()];
    let mut reached_by_op = vec![false; api.types.len()];
    let webhooks = [WEBHOOKS.to_string()];
    let hook_roots = api
        .webhooks
        .iter()
        .map(|hook| (vec![hook.payload], &webhooks[..], false));
    let op_roots = api
        .operations
        .iter()
        .zip(operations)
        .map(|(op, features)| (operation_roots(op), features.as_slice(), true));
    for (roots, features, by_op) in op_roots.chain(hook_roots) {
        for id in reachable(api, roots) {
            let i = id.index();
            reached[i] = true;
            reached_by_op[i] |= by_op;
            if features.is_empty() {
                needed[i] = None;
            } else if let Some(set) = &mut needed[i] {
                set.extend(features.iter().map(String::as_str));
            }
        }
    }
    let webhook_only = reached
        .iter()
        .zip(&reached_by_op)
        .map(|(reached, by_op)| *reached && !by_op)
        .collect();
    let types = needed
        .into_iter()
        .zip(reached)
        .map(|(set, reached)| match set {
            Some(set) if reached => set.into_iter().map(str::to_string).collect(),
            _ => Vec::new(),
        })
        .collect();
    (types, webhook_only)
}

/// The types an operation names itself: its path parameters', query parameters', body's and
/// responses' types.
pub(super) fn operation_roots(op: &Operation) -> Vec<TypeId> {
    let mut roots: Vec<TypeId> = op
        .path_params
        .iter()
        .filter_map(|p| p.ty.named_within())
        .collect();
    roots.extend(op.params);
    roots.extend(op.body.as_ref().and_then(|body| body.ty.named_within()));
    for shape in [&op.success, &op.error] {
        match shape {
            ResponseShape::Typed(ty) => roots.extend(ty.named_within()),
            ResponseShape::ByStatus(id) => roots.push(*id),
            ResponseShape::Untyped => {}
        }
    }
    roots
}

/// Every type reachable from `roots` through struct fields and by-status variants, sorted.
pub(super) fn reachable(api: &Api, mut pending: Vec<TypeId>) -> BTreeSet<TypeId> {
    let mut seen = BTreeSet::new();
    while let Some(id) = pending.pop() {
        if !seen.insert(id) {
            continue;
        }
        match &api.type_def(id).kind {
            TypeKind::Struct(s) => {
                pending.extend(s.fields.iter().filter_map(|f| f.ty.named_within()))
            }
            TypeKind::ByStatus(b) => pending.extend(
                b.variants
                    .iter()
                    .filter_map(|v| v.ty.as_ref().and_then(TypeRef::named_within)),
            ),
            TypeKind::Enum(_) => {}
        }
    }
    seen
}

/// `#[cfg(feature = …)]` for an item needed by `features`; nothing when it is always needed.
pub fn cfg(features: &[String]) -> TokenStream {
    match features {
        [] => quote!(),
        [one] => quote!(#[cfg(feature = #one)]),
        many => quote!(#[cfg(any(#(feature = #many),*))]),
    }
}

/// `#[cfg(…)]` for an item needed by `features` that also needs the built-in feature `extra`.
pub fn cfg_with(features: &[String], extra: &str) -> TokenStream {
    match features {
        [] => quote!(#[cfg(feature = #extra)]),
        [one] => quote!(#[cfg(all(feature = #one, feature = #extra))]),
        many => quote!(#[cfg(all(any(#(feature = #many),*), feature = #extra))]),
    }
}

/// The doc lines that say which features an item needs (as `doc(cfg)` would, on stable):
/// appended to its docs, nothing when it is always compiled.
pub fn cfg_doc(features: &[String]) -> TokenStream {
    let line = match features {
        [] => return quote!(),
        [one] => format!(" Needs the `{one}` feature."),
        many => format!(
            " Needs one of the features {}.",
            many.iter()
                .map(|f| format!("`{f}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    quote!(#[doc = ""] #[doc = #line])
}
