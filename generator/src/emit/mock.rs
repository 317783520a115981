//! A module's typed mock server → its `mock` submodule, behind the `mock` Cargo feature: a
//! `MockServer` with one method per operation that declares what the operation answers, with
//! the operation's own path parameters, request and response types, and for each request
//! body type its decoder (the runtime's form decoder, or the type's JSON decoder).

use super::client::{error, is_kind, success};
use super::features::{self, ModuleFeatures};
use super::tokens::{doc_attrs, ident, inner_doc_attrs, raw_literal, type_tokens};
use super::webhooks::form_field_inits;
use crate::ir::{Api, BodyEncoding, NextLink, Operation, ResponseShape, TypeId, TypeKind, TypeRef};
use proc_macro2::TokenStream;
use quote::quote;
use std::collections::BTreeMap;

/// The Cargo feature that compiles the mock servers.
pub const MOCK: &str = "mock";

/// The contents of `mock.rs`, for a module with operations (see [`super::layout`]).
pub fn mock_module(api: &Api, features: &ModuleFeatures) -> TokenStream {
    if api.operations.is_empty() {
        return quote!();
    }
    let names = method_names(api);
    let methods = api
        .operations
        .iter()
        .zip(&features.operations)
        .zip(&names)
        .map(|((op, needed), name)| method(op, name, api, &features::cfg(needed)));
    // One decoder per body type, compiled when any operation that sends it is.
    let mut bodies: BTreeMap<TypeId, BodyEncoding> = BTreeMap::new();
    for op in &api.operations {
        if let Some((id, encoding)) = decoded_body(op, api) {
            bodies.insert(id, encoding);
        }
    }
    let decoders = bodies.iter().map(|(id, encoding)| {
        let cfg = features::cfg(features.types.get(id.index()).map_or(&[][..], |f| &f[..]));
        body_decoder(*id, *encoding, api, &cfg)
    });
    let doc = inner_doc_attrs(&[
        format!(
            "A mock of {} for tests: a server on a loopback port, a client pointed at it, and per operation what it answers.",
            api.title
        ),
        String::new(),
        "Each operation's method declares an expectation for its path parameters (the account parameter matches any account). Requests are matched in the order expectations were declared; a request no expectation matches gets a `404` and fails the test, as does an unmet call count, when the server is verified or dropped.".to_string(),
    ]);
    let server_doc = doc_attrs(&[
        format!("A mock {} server: see the [module docs](self).", api.title),
        String::new(),
        "It dereferences to the runtime's mock server for `verify`, `check`, `received`, `arrivals` and `uri`.".to_string(),
    ]);
    let examples = examples_module(api, features);
    quote! {
            #doc
            #[allow(unused_imports)]
            use super::*;

            #server_doc
            #[derive(Debug)]
            pub struct MockServer {
                server: crate::runtime::mock::MockServer,
            }

            impl MockServer {
                /// Starts a mock server on a free loopback port.
                pub async fn start() -> Self {
                    MockServer { server: crate::runtime::mock::MockServer::start().await }
                }

                /// A client for this server: its URL, the account `runtime::mock::MOCK_ACCOUNT` and the default retry policy.
                pub fn client(&self) -> Client {
                    match Client::with_config(self.server.config()) {
                        Ok(client) => client,
                        Err(e) => panic!("mock: the client does not build: {e}"),
                    }
                }

                #(#methods)*
            }

            impl ::std::ops::Deref for MockServer {
                type Target = crate::runtime::mock::MockServer;

                fn deref(&self) -> &Self::Target {
                    &self.server
                }
            }

            #(#decoders)*

            #examples
    }
}

/// The type an operation's example decodes into: its one success type.
fn example_type(op: &Operation, api: &Api) -> Option<TokenStream> {
    match &op.success {
        ResponseShape::Typed(ty) => Some(type_tokens(ty, api)),
        _ => None,
    }
}

/// The operation's example success body as pretty JSON: the response's own example, else one
/// built from its properties' examples (a required property without one leaves none).
fn example_json(op: &Operation, api: &Api) -> Option<String> {
    let ResponseShape::Typed(ty) = &op.success else {
        return None;
    };
    let value = match &op.success_example {
        Some(text) => serde_json::from_str(text).ok()?,
        None => built_example(ty, api, 0)?,
    };
    serde_json::to_string_pretty(&value).ok()
}

/// An example of `ty` from the examples its schema's properties give; nested objects are
/// built the same way, a list of them holds one.
fn built_example(ty: &TypeRef, api: &Api, depth: usize) -> Option<serde_json::Value> {
    // Deep enough for any page of items; a cycle stops here.
    if depth > 4 {
        return None;
    }
    match ty {
        TypeRef::List(inner) => Some(serde_json::Value::Array(vec![built_example(
            inner,
            api,
            depth + 1,
        )?])),
        TypeRef::Named(id) => match &api.type_def(*id).kind {
            TypeKind::Struct(s) => {
                let mut object = serde_json::Map::new();
                for field in &s.fields {
                    let example = field
                        .facts
                        .example
                        .as_deref()
                        .and_then(|text| serde_json::from_str(text).ok())
                        .or_else(|| built_example(&field.ty, api, depth + 1));
                    match example {
                        Some(value) => {
                            object.insert(field.wire_name.clone(), value);
                        }
                        None if field.required && !field.nullable => return None,
                        None => {}
                    }
                }
                Some(serde_json::Value::Object(object))
            }
            TypeKind::Enum(e) => e.values.first().map(|v| v.wire.clone().into()),
            _ => None,
        },
        _ => None,
    }
}

/// `mock::examples`: per operation with a success example, that example as the type users
/// read, to start a response from (`Participant { muted: Some(true), ..examples::fetch_participant() }`).
fn examples_module(api: &Api, features: &ModuleFeatures) -> TokenStream {
    let functions: Vec<TokenStream> = api
        .operations
        .iter()
        .zip(&features.operations)
        .filter_map(|(op, needed)| {
            let json = raw_literal(&example_json(op, api)?);
            let ty = example_type(op, api)?;
            let cfg = features::cfg(needed);
            let name = ident(&op.method_name);
            let doc = doc_attrs(&[format!(
                "The spec's example response of `{}` ({}), decoded as the client decodes it.",
                op.id,
                match op.success_example {
                    Some(_) => "the response's own example",
                    None => "built from its properties' examples",
                }
            )]);
            Some(quote! {
                #doc
                #cfg
                pub fn #name() -> #ty {
                    crate::runtime::mock::example(#json)
                }
            })
        })
        .collect();
    if functions.is_empty() {
        return quote!();
    }
    quote! {
        /// The spec's example responses, as the types users read.
        pub mod examples {
            #[allow(unused_imports)]
            use super::super::*;

            #(#functions)*
        }
    }
}

/// The mock server's own methods, and those of the runtime's server it dereferences to: an
/// operation of one of these names would hide it.
const RESERVED: &[&str] = &[
    "start", "client", "verify", "check", "received", "arrivals", "uri", "config", "expect",
];

/// Each operation's method name on the mock server: the client's, unless that is one of the
/// server's own (`client`), then `mock_client`.
fn method_names(api: &Api) -> Vec<String> {
    let taken: std::collections::BTreeSet<&str> = api
        .operations
        .iter()
        .map(|op| op.method_name.as_str())
        .collect();
    api.operations
        .iter()
        .map(|op| {
            let bare = op.method_name.trim_start_matches("r#");
            if !RESERVED.contains(&bare) {
                return op.method_name.clone();
            }
            let mut name = format!("mock_{bare}");
            while taken.contains(name.as_str()) {
                name.push('_');
            }
            name
        })
        .collect()
}

/// The body type an expectation can decode: a form or JSON body that is a named struct.
fn decoded_body(op: &Operation, api: &Api) -> Option<(TypeId, BodyEncoding)> {
    let body = op.body.as_ref()?;
    match (&body.ty, body.encoding) {
        (TypeRef::Named(id), encoding @ (BodyEncoding::Form | BodyEncoding::Json))
            if is_kind(&body.ty, api, |k| matches!(k, TypeKind::Struct(_))) =>
        {
            Some((*id, encoding))
        }
        _ => None,
    }
}

/// `server.update_participant(conference_sid, call_sid)`: an expectation of the operation.
fn method(op: &Operation, name: &str, api: &Api, cfg: &TokenStream) -> TokenStream {
    let name = ident(name);
    let params: Vec<_> = op.argument_params().collect();
    let args = params.iter().map(|p| {
        let arg = ident(&p.rust_name);
        quote!(#arg: &str)
    });
    let values = params.iter().map(|p| {
        let arg = ident(&p.rust_name);
        let wire = &p.wire_name;
        quote!((#wire, #arg.to_string()))
    });
    let (body_ty, decoded) = match decoded_body(op, api) {
        Some((id, _)) => {
            let ty = ident(&api.type_def(id).name);
            (quote!(#ty), true)
        }
        None => (quote!(()), false),
    };
    let (success_ty, _) = match &op.pagination {
        Some(p) => {
            let listing = ident(&api.type_def(p.listing).name);
            (quote!(#listing), quote!())
        }
        None => success(&op.success, api),
    };
    let (error_ty, _) = error(&op.error, api);
    let (id, method, path) = (&op.id, op.http_method.as_str(), &op.path);
    let account = match op.account_param.and_then(|i| op.path_params.get(i)) {
        Some(p) => {
            let wire = &p.wire_name;
            quote!(Some(#wire))
        }
        None => quote!(None),
    };
    let example = match example_json(op, api) {
        Some(json) => {
            let json = raw_literal(&json);
            quote!(Some(#json))
        }
        None => quote!(None),
    };
    let shape = match op.pagination.as_ref().and_then(|p| page_shape(p, api)) {
        Some(shape) => quote!(Some(#shape)),
        None => quote!(None),
    };
    let mut doc = vec![format!(
        "Expects `{method} {path}` (operation `{id}`) with these path parameters."
    )];
    if example_json(op, api).is_some() {
        doc.push(String::new());
        doc.push(format!(
            "Answers with the spec's example ([`examples::{}`]) until told otherwise.",
            op.method_name.trim_start_matches("r#")
        ));
    }
    if op.pagination.is_some() {
        doc.push(String::new());
        doc.push(
            "`pages(vec![…])` answers with a chain of pages the client's stream follows."
                .to_string(),
        );
    }
    if decoded {
        doc.push(String::new());
        doc.push(
            "`with_body` matches on the decoded request and `received` returns it.".to_string(),
        );
    }
    let doc = doc_attrs(&doc);
    quote! {
        #doc
        #cfg
        pub fn #name(&self, #(#args),*) -> crate::runtime::mock::Expectation<#body_ty, #success_ty, #error_ty> {
            const OPERATION: crate::runtime::mock::MockOperation = crate::runtime::mock::MockOperation {
                id: #id,
                method: #method,
                path: #path,
                account: #account,
            };
            self.server.expect(OPERATION, vec![#(#values),*], #shape, #example, #decoded)
        }
    }
}

/// Where the listing keeps its items and next link, by wire name.
fn page_shape(p: &crate::ir::Pagination, api: &Api) -> Option<TokenStream> {
    let wire = |id: TypeId, rust: &str| -> Option<(String, Option<TypeId>)> {
        let TypeKind::Struct(s) = &api.type_def(id).kind else {
            return None;
        };
        let field = s.fields.iter().find(|f| f.rust_name == rust)?;
        let named = match &field.ty {
            TypeRef::Named(id) => Some(*id),
            _ => None,
        };
        Some((field.wire_name.clone(), named))
    };
    let (items, _) = wire(p.listing, &p.items.rust_name)?;
    Some(match &p.next {
        NextLink::Uri(uri) => {
            let (next, _) = wire(p.listing, &uri.rust_name)?;
            quote!(crate::runtime::mock::PageShape::Uri { items: #items, next: #next })
        }
        NextLink::MetaUrl { meta, url } => {
            let (meta, meta_id) = wire(p.listing, &meta.rust_name)?;
            let (next, _) = wire(meta_id?, &url.rust_name)?;
            quote!(crate::runtime::mock::PageShape::Meta { items: #items, meta: #meta, next: #next })
        }
    })
}

/// `MockBody` for a request body type: form fields through the runtime's form decoder (the
/// one webhooks use), JSON through the type's `from_json`.
fn body_decoder(id: TypeId, encoding: BodyEncoding, api: &Api, cfg: &TokenStream) -> TokenStream {
    let def = api.type_def(id);
    let name = ident(&def.name);
    let TypeKind::Struct(s) = &def.kind else {
        return quote!();
    };
    let decode = match encoding {
        BodyEncoding::Form => {
            let fields = form_field_inits(&s.fields, api, &quote!(.map_err(|e| e.to_string())?));
            quote! {
                let mut fields = crate::runtime::FormFields::parse(body);
                let value = #name {
                    #(#fields)*
                };
                fields.finish().map_err(|e| e.to_string())?;
                Ok(value)
            }
        }
        _ => quote! {
            crate::runtime::json::from_slice::<#name>(body).map_err(|e| e.to_string())
        },
    };
    quote! {
        #cfg
        impl crate::runtime::mock::MockBody for #name {
            fn from_body(body: &[u8]) -> Result<Self, String> {
                #decode
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &str = r#"
openapi: 3.0.1
info: {title: t, version: '1'}
paths:
  /Rooms/{RoomSid}/Members.json:
    get:
      operationId: ListMember
      tags: [Members]
      parameters:
        - {name: RoomSid, in: path, required: true, schema: {type: string}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                title: MemberPage
                properties:
                  members: {type: array, items: {$ref: '#/components/schemas/Member'}}
                  next_page_uri: {type: string, nullable: true}
  /Rooms/{RoomSid}/Members/{MemberSid}.json:
    post:
      operationId: UpdateMember
      tags: [Rooms]
      parameters:
        - {name: RoomSid, in: path, required: true, schema: {type: string}}
        - {name: MemberSid, in: path, required: true, schema: {type: string}}
      requestBody:
        content:
          application/x-www-form-urlencoded:
            schema:
              type: object
              title: UpdateMemberRequest
              properties:
                Muted: {type: boolean}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Member'}
              example: {sid: MB1, muted: true}
components:
  schemas:
    Member:
      type: object
      required: [sid]
      properties:
        sid: {type: string, example: MB0}
        muted: {type: boolean}
        owner: {$ref: '#/components/schemas/Strict'}
    Strict:
      type: object
      required: [sid, name]
      properties:
        sid: {type: string, example: S1}
        name: {type: string}
"#;

    fn api() -> Api {
        crate::api_from_text("t.yaml", SPEC.as_bytes(), &crate::Selection::All).unwrap()
    }

    fn text(tokens: TokenStream) -> String {
        tokens.to_string()
    }

    #[test]
    fn the_mock_is_behind_its_feature_and_each_method_behind_its_resource() {
        let api = api();
        let features = features::module_features(&api, "m");
        let code = text(mock_module(&api, &features));
        let files = crate::emit::module_tokens(&api, &features);
        let head = files[0].1.to_string();
        assert!(
            head.contains(r#"# [cfg (feature = "mock")] pub mod mock ;"#),
            "{head}"
        );
        for (method, feature) in [("update_member", "m-rooms"), ("list_member", "m-members")] {
            let at = code.find(&format!("pub fn {method} (& self")).unwrap();
            let before = &code[..at];
            let cfg = before.rfind("# [cfg").unwrap();
            assert!(
                before[cfg..].contains(feature),
                "{method}: {}",
                &before[cfg..]
            );
        }
        // The form body decodes with the runtime's form decoder; the list knows its wire keys.
        assert!(
            code.contains("impl crate :: runtime :: mock :: MockBody for UpdateMemberRequest"),
            "{code}"
        );
        assert!(code.contains(r#"fields . optional ("Muted")"#), "{code}");
        assert!(
            code.contains(r#"PageShape :: Uri { items : "members" , next : "next_page_uri" }"#),
            "{code}"
        );
    }

    #[test]
    fn operations_named_like_the_servers_own_methods_are_renamed() {
        let spec = r#"
openapi: 3.0.1
info: {title: t, version: '1'}
paths:
  /a: {get: {operationId: Client, responses: {'204': {description: ok}}}}
  /b: {get: {operationId: MockVerify, responses: {'204': {description: ok}}}}
  /c: {get: {operationId: Verify, responses: {'204': {description: ok}}}}
  /d: {get: {operationId: FetchUser, responses: {'204': {description: ok}}}}
"#;
        let api = crate::api_from_text("t.yaml", spec.as_bytes(), &crate::Selection::All).unwrap();
        assert_eq!(
            method_names(&api),
            ["mock_client", "mock_verify", "mock_verify_", "fetch_user"]
        );
    }

    #[test]
    fn examples_come_from_the_response_else_from_property_examples() {
        let api = api();
        let op = |id: &str| api.operations.iter().find(|op| op.id == id).unwrap();
        let update = example_json(op("UpdateMember"), &api).unwrap();
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&update).unwrap(),
            serde_json::json!({"sid": "MB1", "muted": true})
        );
        // Built: one item from the item's property examples; the link and the owner (a required
        // field without an example) are optional, so left out.
        let list = example_json(op("ListMember"), &api).unwrap();
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&list).unwrap(),
            serde_json::json!({"members": [{"sid": "MB0"}]})
        );
        // A required property without an example leaves no example at all.
        let (strict, _) = api.type_ids().find(|(_, t)| t.name == "Strict").unwrap();
        assert_eq!(built_example(&TypeRef::Named(strict), &api, 0), None);
    }
}
