//! A module's webhooks → its `webhooks` submodule, behind the `webhooks` Cargo feature: the
//! payload types only webhooks use, and for each payload a decoder of the request the API sends
//! (form fields or JSON, by its `Content-Type`).

use super::features::ModuleFeatures;
use super::tokens::{doc_attrs, ident, inner_doc_attrs};
use crate::ir::{Api, BodyEncoding, Field, TypeId, TypeKind, TypeRef, Webhook};
use proc_macro2::TokenStream;
use quote::quote;
use std::collections::BTreeSet;

/// The contents of `webhooks.rs`, for a module with webhooks (see [`super::layout`]).
pub fn webhooks_module(api: &Api, features: &ModuleFeatures) -> TokenStream {
    if api.webhooks.is_empty() {
        return quote!();
    }
    let own: Vec<TypeId> = api
        .type_ids()
        .filter(|(id, _)| features.webhook_only.get(id.index()) == Some(&true))
        .map(|(id, _)| id)
        .collect();
    let types = own.iter().map(|id| super::type_tokens(*id, api, &[]));
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
    quote! {
        #doc
        #imports
        #(#types)*
        #(#decoders)*
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
    let fields = form_field_inits(&s.fields, api, &quote!(?));
    quote! {
        impl #name {
            #doc
            pub fn from_request(content_type: Option<&str>, body: &[u8]) -> Result<Self, crate::runtime::webhooks::WebhookDecodeError> {
                crate::runtime::decode_webhook(content_type, body, Self::from_form)
            }

            fn from_form(mut fields: crate::runtime::FormFields) -> Result<Self, crate::runtime::webhooks::FormError> {
                let value = Self {
                    #(#fields)*
                };
                fields.finish()?;
                Ok(value)
            }
        }

        impl crate::runtime::webhooks::WebhookPayload for #name {
            type Error = crate::runtime::webhooks::WebhookDecodeError;

            fn from_request(content_type: Option<&str>, body: &[u8]) -> Result<Self, Self::Error> {
                Self::from_request(content_type, body)
            }
        }
    }
}

/// A struct literal's field initialisers that take each field out of the runtime's
/// `FormFields` (`fields`) by its wire name, the way its kind is read; `on_missing` follows a
/// required field's read (`?`, or a conversion of its error first).
pub(super) fn form_field_inits(
    fields: &[Field],
    api: &Api,
    on_missing: &proc_macro2::TokenStream,
) -> Vec<proc_macro2::TokenStream> {
    fields
        .iter()
        .map(|f| {
            let rust = ident(&f.rust_name);
            let key = &f.wire_name;
            let reading = reading(f, api);
            if f.is_option() {
                let take = quote::format_ident!("optional{reading}");
                quote!(#rust: fields.#take(#key),)
            } else {
                let take = quote::format_ident!("required{reading}");
                quote!(#rust: fields.#take(#key) #on_missing,)
            }
        })
        .collect()
}

/// How a field is read from form text, as the suffix of its `FormFields` method: scalars and
/// enums as text (`""`), lists of them from repeated keys (`"_list"`), anything else
/// (objects, maps, JSON values) as the JSON text the field holds (`"_json"`).
fn reading(field: &Field, api: &Api) -> &'static str {
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
    match &field.ty {
        _ if field.boxed => "_json",
        ty if text(ty) => "",
        TypeRef::List(inner) if text(inner) => "_list",
        _ => "_json",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &str = r#"
openapi: 3.1.0
info: {title: t, version: '1'}
paths:
  /calls:
    get:
      operationId: ListCalls
      tags: [Calls]
      responses:
        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Call'}}}}
    post:
      operationId: CreateCall
      tags: [Recordings]
      responses: {'200': {description: ok}}
webhooks:
  callStatus:
    post:
      requestBody:
        content:
          application/x-www-form-urlencoded:
            schema:
              type: object
              required: [Call]
              properties:
                Call: {$ref: '#/components/schemas/Call'}
                Status: {type: string, enum: [ringing, completed]}
                Events: {type: array, items: {type: string}}
                Meta: {type: object, properties: {a: {type: string}}}
components:
  schemas:
    Call:
      type: object
      properties:
        sid: {type: string}
"#;

    fn api() -> Api {
        crate::api_from_text("t.yaml", SPEC.as_bytes(), &crate::Selection::All).unwrap()
    }

    /// Types only webhooks reach go into the submodule behind the feature; a type an
    /// operation also reaches stays in the module, compiled for either.
    #[test]
    fn webhook_only_types_move_into_the_submodule() {
        let api = api();
        let features = super::super::features::module_features(&api, "m");
        let by_name = |name: &str| {
            let (id, _) = api.type_ids().find(|(_, t)| t.name == name).unwrap();
            (
                features.webhook_only[id.index()],
                features.types[id.index()].clone(),
            )
        };
        assert_eq!(
            by_name("Call"),
            (false, vec!["m-calls".to_string(), "webhooks".to_string()])
        );
        assert_eq!(by_name("CallStatus"), (true, vec!["webhooks".to_string()]));
        assert_eq!(
            by_name("CallStatusStatus"),
            (true, vec!["webhooks".to_string()])
        );
        let code = webhooks_module(&api, &features).to_string();
        assert!(code.starts_with("# ! [doc"), "{code}");
        let files = crate::emit::module_tokens(&api, &features);
        let head = files[0].1.to_string();
        assert_eq!(files[0].0, "mod.rs");
        assert!(
            head.contains("# [cfg (feature = \"webhooks\")] pub mod webhooks ;"),
            "{head}"
        );
        assert!(code.contains("use super :: { Call } ;"), "{code}");
        assert!(code.contains("pub struct CallStatus"), "{code}");
        assert!(!code.contains("pub struct Call {"), "{code}");
    }

    /// Each field is read from form text the way its type needs.
    #[test]
    fn form_fields_are_read_by_kind() {
        let api = api();
        let code = decoder(&api.webhooks[0], &api).to_string();
        for needle in [
            "call : fields . required_json (\"Call\") ?",
            "status : fields . optional (\"Status\")",
            "events : fields . optional_list (\"Events\")",
            "meta : fields . optional_json (\"Meta\")",
            "crate :: runtime :: decode_webhook (content_type , body , Self :: from_form)",
            "impl crate :: runtime :: webhooks :: WebhookPayload for CallStatus",
        ] {
            assert!(code.contains(needle), "{needle}: {code}");
        }
    }

    #[test]
    fn a_module_without_webhooks_has_no_submodule() {
        let mut api = api();
        api.webhooks.clear();
        let features = super::super::features::module_features(&api, "m");
        assert!(webhooks_module(&api, &features).is_empty());
    }
}
