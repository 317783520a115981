//! A module's webhooks → its `webhooks` submodule, behind the `webhooks` Cargo feature: the
//! payload types only webhooks use, and for each payload a decoder of the request the API sends
//! (form fields or JSON, by its `Content-Type`).

use super::features::{self, ModuleFeatures};
use super::tokens::{doc_attrs, ident, inner_doc_attrs};
use crate::ir::{Api, BodyEncoding, Field, TypeId, TypeKind, TypeRef, Webhook};
use proc_macro2::TokenStream;
use quote::quote;
use std::collections::BTreeSet;

/// `pub mod webhooks { … }` for a module with webhooks; nothing otherwise.
pub fn webhooks_module(api: &Api, features: &ModuleFeatures) -> TokenStream {
    if api.webhooks.is_empty() {
        return quote!();
    }
    let own: Vec<TypeId> = api
        .type_ids()
        .filter(|(id, _)| features.webhook_only.get(id.index()) == Some(&true))
        .map(|(id, _)| id)
        .collect();
    let types = own
        .iter()
        .map(|id| super::type_tokens(api.type_def(*id), api, &[]));
    let imports = imports(api, &own);
    let imports = (!imports.is_empty()).then(|| quote!(use super::{#(#imports),*};));
    let mut decoded = BTreeSet::new();
    let decoders = api
        .webhooks
        .iter()
        .filter(|hook| decoded.insert(hook.payload))
        .map(|hook| decoder(hook, api))
        .collect::<Vec<_>>();
    let mut doc = vec![
        format!(
            "Requests {} sends to your server (its webhooks and callbacks), typed.",
            api.title
        ),
        String::new(),
        "Each payload decodes the raw request with `from_request(content_type, body)`: form fields (`Muted=false`) or JSON, by the request's `Content-Type`. Verify the request's signature before trusting what it says.".to_string(),
        String::new(),
        "| webhook | payload | spec |".to_string(),
        "|---|---|---|".to_string(),
    ];
    for hook in &api.webhooks {
        let name = match &hook.callback_of {
            Some(owner) => format!("`{}` (callback of `{owner}`)", hook.name),
            None => format!("`{}`", hook.name),
        };
        doc.push(format!(
            "| {name} | [`{}`] | `{}` |",
            api.type_def(hook.payload).name,
            hook.origin.replace('`', "'")
        ));
    }
    let doc = inner_doc_attrs(&doc);
    let feature = features::WEBHOOKS;
    quote! {
        #[cfg(feature = #feature)]
        #[rustfmt::skip]
        pub mod webhooks {
            #doc
            #imports
            #(#types)*
            #(#decoders)*
        }
    }
}

/// The types of the parent module that the submodule's own types and decoders name.
fn imports(api: &Api, own: &[TypeId]) -> Vec<proc_macro2::Ident> {
    let mut named = BTreeSet::new();
    for id in own {
        if let TypeKind::Struct(s) = &api.type_def(*id).kind {
            for field in &s.fields {
                collect(&field.ty, &mut named);
            }
        }
    }
    named.extend(api.webhooks.iter().map(|h| h.payload));
    named
        .into_iter()
        .filter(|id| !own.contains(id))
        .map(|id| api.type_def(id).name.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .map(|name| ident(&name))
        .collect()
}

fn collect(ty: &TypeRef, out: &mut BTreeSet<TypeId>) {
    match ty {
        TypeRef::Named(id) => {
            out.insert(*id);
        }
        TypeRef::List(inner) | TypeRef::Map(inner) => collect(inner, out),
        _ => {}
    }
}

/// `from_request`, the form decoder and the `WebhookPayload` impl of one payload type.
fn decoder(hook: &Webhook, api: &Api) -> TokenStream {
    let def = api.type_def(hook.payload);
    let name = ident(&def.name);
    let TypeKind::Struct(s) = &def.kind else {
        return quote!();
    };
    let documented: Vec<&str> = hook
        .encodings
        .iter()
        .map(|e| match e {
            BodyEncoding::Form => "`application/x-www-form-urlencoded`",
            _ => "`application/json`",
        })
        .collect();
    let doc = doc_attrs(&[
        format!(
            "Decodes the body of a `{}` request, as form fields or JSON by its `Content-Type` (the spec documents {}). Unknown fields are ignored; an error names the field.",
            hook.name,
            documented.join(" and ")
        ),
    ]);
    let fields = s.fields.iter().map(|f| {
        let rust = ident(&f.rust_name);
        let key = &f.wire_name;
        let take = take_method(f, api);
        if f.is_option() {
            quote!(#rust: fields.#take(#key),)
        } else {
            let take = quote::format_ident!(
                "required{}",
                take.to_string().trim_start_matches("optional")
            );
            quote!(#rust: fields.#take(#key)?,)
        }
    });
    quote! {
        impl #name {
            #doc
            pub fn from_request(content_type: Option<&str>, body: &[u8]) -> Result<Self, crate::runtime::WebhookDecodeError> {
                crate::runtime::decode_webhook(content_type, body, Self::from_form)
            }

            fn from_form(mut fields: crate::runtime::FormFields) -> Result<Self, crate::runtime::FormError> {
                let value = Self {
                    #(#fields)*
                };
                fields.finish()?;
                Ok(value)
            }
        }

        impl crate::runtime::WebhookPayload for #name {
            fn from_request(content_type: Option<&str>, body: &[u8]) -> Result<Self, crate::runtime::WebhookDecodeError> {
                Self::from_request(content_type, body)
            }
        }
    }
}

/// How a field is read from form text: scalars and enums as text, lists of them from repeated
/// keys, anything else (objects, maps, JSON values) as the JSON text the field holds.
fn take_method(field: &Field, api: &Api) -> proc_macro2::Ident {
    let text = |ty: &TypeRef| match ty {
        TypeRef::String
        | TypeRef::Bool
        | TypeRef::I32
        | TypeRef::I64
        | TypeRef::F64
        | TypeRef::Timestamp => true,
        TypeRef::Named(id) => matches!(api.type_def(*id).kind, TypeKind::Enum(_)),
        _ => false,
    };
    let name = match &field.ty {
        _ if field.boxed => "optional_json",
        ty if text(ty) => "optional",
        TypeRef::List(inner) if text(inner) => "optional_list",
        _ => "optional_json",
    };
    quote::format_ident!("{name}")
}
