//! Operations → the module's `Client` and its async methods.

use super::docs;
use super::tokens::{doc_attrs, ident, type_tokens};
use super::types::status_doc;
use crate::ir::{
    Api, AuthKind, BodyEncoding, Operation, PathPart, ResponseShape, Server, StatusMatch, TypeDef,
    TypeKind, TypeRef,
};
use proc_macro2::TokenStream;
use quote::quote;

/// `features`: per operation, the Cargo features that compile it (see [`super::features`]).
pub fn client(api: &Api, features: &[Vec<String>]) -> TokenStream {
    let mut doc = vec![format!("Client for {}.", docs::code(&api.title))];
    if let Some(auth) = &api.auth {
        doc.push(String::new());
        doc.push(match &auth.kind {
            AuthKind::Basic => format!("Authenticates with HTTP Basic ({}): use [`Credentials::basic`](crate::Credentials::basic).", docs::code(&auth.name)),
            AuthKind::Bearer => format!("Authenticates with a bearer token ({}): use [`Credentials::bearer`](crate::Credentials::bearer).", docs::code(&auth.name)),
            AuthKind::Other(kind) => format!("The spec's security scheme {} ({kind}) has no built-in credentials here.", docs::code(&auth.name)),
        });
    }
    let doc = doc_attrs(&doc);
    let constructors = constructors(api.server.as_ref());
    let methods = api
        .operations
        .iter()
        .zip(features)
        .map(|(op, needed)| operation(op, api, &super::features::cfg(needed)));
    quote! {
        #doc
        #[derive(Debug, Clone)]
        pub struct Client {
            transport: crate::runtime::Transport,
        }

        impl Client {
            #constructors

            /// A client for the configured base URL and credentials.
            pub fn with_config(config: crate::ClientConfig) -> Result<Self, crate::BuildError> {
                Ok(Client { transport: crate::runtime::Transport::new(config)? })
            }

            /// The base URL requests go to, without a trailing slash.
            pub fn base_url(&self) -> &str {
                self.transport.base_url()
            }

            #(#methods)*
        }
    }
}

/// `new` (and the default base URL) from the spec's server, when it has an absolute one.
fn constructors(server: Option<&Server>) -> TokenStream {
    let Some(server) =
        server.filter(|s| s.url.starts_with("http://") || s.url.starts_with("https://"))
    else {
        return quote!();
    };
    let url = &server.url;
    if server.variables.is_empty() {
        let doc = doc_attrs(&[format!("The spec's server, {}.", docs::code(url))]);
        return quote! {
            #doc
            pub const DEFAULT_BASE_URL: &'static str = #url;

            /// A client for [`Client::DEFAULT_BASE_URL`] with default settings.
            pub fn new(credentials: crate::Credentials) -> Result<Self, crate::BuildError> {
                Self::with_config(crate::ClientConfig::new(Self::DEFAULT_BASE_URL, credentials))
            }
        };
    }
    let args: Vec<_> = server
        .variables
        .iter()
        .map(|v| ident(&v.rust_name))
        .collect();
    let mut arg_docs = vec![
        format!(
            "The spec's server, {}, with its variables filled in:",
            docs::code(url)
        ),
        String::new(),
    ];
    for v in &server.variables {
        let mut line = format!("* `{}`", v.rust_name.trim_start_matches("r#"));
        if let Some(d) = &v.description {
            line.push_str(": ");
            line.push_str(&docs::lines(d).join(" "));
        }
        line.push_str(&format!(
            " (the spec's default is {})",
            docs::code(&v.default)
        ));
        arg_docs.push(line);
    }
    let arg_docs = doc_attrs(&arg_docs);
    // Replace `{name}` placeholders in the template with the arguments, in template order.
    let mut template = String::new();
    let mut values = Vec::new();
    let mut rest = url.as_str();
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|c| open + c) else {
            break;
        };
        let name = &rest[open + 1..close];
        template.push_str(&rest[..open].replace('{', "{{").replace('}', "}}"));
        match server.variables.iter().find(|v| v.name == name) {
            Some(v) => {
                template.push_str("{}");
                values.push(ident(&v.rust_name));
            }
            None => template.push_str(&format!("{{{{{name}}}}}")),
        }
        rest = &rest[close + 1..];
    }
    template.push_str(&rest.replace('{', "{{").replace('}', "}}"));
    quote! {
        #arg_docs
        pub fn default_base_url(#(#args: &str),*) -> String {
            format!(#template, #(#values),*)
        }

        /// A client for [`Client::default_base_url`] with default settings.
        pub fn new(#(#args: &str,)* credentials: crate::Credentials) -> Result<Self, crate::BuildError> {
            Self::with_config(crate::ClientConfig::new(Self::default_base_url(#(#args),*), credentials))
        }
    }
}

/// Whether `ty` is a named type of that kind.
fn is_kind(ty: &TypeRef, api: &Api, kind: fn(&TypeKind) -> bool) -> bool {
    matches!(ty, TypeRef::Named(id) if kind(&api.type_def(*id).kind))
}

fn operation(op: &Operation, api: &Api, cfg: &TokenStream) -> TokenStream {
    let name = ident(&op.method_name);
    let doc = doc_attrs(&operation_doc(op));
    let path_args = op.path_params.iter().map(|p| {
        let arg = ident(&p.rust_name);
        let ty = match &p.ty {
            TypeRef::String => quote!(&str),
            ty if is_kind(ty, api, |k| matches!(k, TypeKind::Enum(_)))
                || matches!(ty, TypeRef::Timestamp) =>
            {
                let ty = type_tokens(ty, api);
                quote!(&#ty)
            }
            ty => type_tokens(ty, api),
        };
        quote!(#arg: #ty)
    });
    let params_arg = op.params.map(|id| {
        let t = ident(&api.type_def(id).name);
        quote!(params: &#t,)
    });
    let body_arg = op.body.as_ref().map(|b| match b.encoding {
        BodyEncoding::Text => quote!(body: &str,),
        BodyEncoding::Bytes => quote!(body: &[u8],),
        _ => {
            let ty = type_tokens(&b.ty, api);
            quote!(body: &#ty,)
        }
    });
    let path = path_tokens(op);
    let method = ident(op.http_method.as_str());
    let apply_params = op.params.map(|_| quote!(params.apply(&mut request);));
    let apply_body = op.body.as_ref().map(|b| match b.encoding {
        BodyEncoding::Form => quote!(request.form(body.form_pairs());),
        BodyEncoding::Json => quote!(request.json(body)?;),
        BodyEncoding::Multipart => quote!(request.multipart(body.multipart());),
        BodyEncoding::Text => quote!(request.text(body);),
        BodyEncoding::Bytes => quote!(request.bytes(body);),
    });
    let mutable = (op.params.is_some() || op.body.is_some()).then(|| quote!(mut));
    let (success_ty, success) = success(&op.success, api);
    let (error_ty, error) = error(&op.error, api);
    quote! {
        #doc
        #cfg
        pub async fn #name(&self, #(#path_args,)* #params_arg #body_arg) -> Result<#success_ty, crate::Error<#error_ty>> {
            let path = #path;
            let #mutable request = crate::runtime::Request::new(::reqwest::Method::#method, path);
            #apply_params
            #apply_body
            let response = self.transport.send(request).await?;
            if !response.is_success() {
                return Err(#error);
            }
            #success
        }
    }
}

fn operation_doc(op: &Operation) -> Vec<String> {
    let mut doc = Vec::new();
    if let Some(summary) = &op.summary {
        doc.extend(docs::lines(summary));
    }
    if let Some(description) = op
        .description
        .as_ref()
        .filter(|d| Some(*d) != op.summary.as_ref())
    {
        if !doc.is_empty() {
            doc.push(String::new());
        }
        doc.extend(docs::lines(description));
    }
    if !doc.is_empty() {
        doc.push(String::new());
    }
    doc.push(format!(
        "`{} {}` (operation {}).",
        op.http_method.as_str(),
        op.path,
        docs::code(&op.id)
    ));
    if op.deprecated {
        doc.push(String::new());
        doc.push("Deprecated by the API.".to_string());
    }
    if !op.path_params.is_empty() {
        doc.push(String::new());
        doc.push("# Path parameters".to_string());
        doc.push(String::new());
        for p in &op.path_params {
            let facts: Vec<String> = docs::fact_lines(&p.facts)
                .into_iter()
                .filter(|l| !l.is_empty())
                .collect();
            let facts = facts.join(" ");
            doc.push(format!(
                "* `{}` ({}): {facts}",
                p.rust_name.trim_start_matches("r#"),
                docs::code(&p.wire_name)
            ));
        }
    }
    doc
}

/// `PathBuilder` calls that encode each parameter as one segment.
fn path_tokens(op: &Operation) -> TokenStream {
    let steps = op.path_parts.iter().map(|part| match part {
        PathPart::Literal(text) => quote!(.literal(#text)),
        PathPart::Param(i) => {
            let p = &op.path_params[*i];
            let wire = &p.wire_name;
            let arg = ident(&p.rust_name);
            quote!(.param(#wire, #arg)?)
        }
    });
    quote!(crate::runtime::PathBuilder::new() #(#steps)* .finish()?)
}

/// The decode call for a success body of type `ty`.
fn decode_call(ty: &TypeRef, api: &Api) -> TokenStream {
    if is_kind(ty, api, |k| matches!(k, TypeKind::Struct(_))) {
        quote!(response.json_object())
    } else {
        quote!(response.json())
    }
}

fn success(shape: &ResponseShape, api: &Api) -> (TokenStream, TokenStream) {
    match shape {
        ResponseShape::Untyped => (quote!(()), quote!(Ok(()))),
        ResponseShape::Typed(ty) => (type_tokens(ty, api), decode_call(ty, api)),
        ResponseShape::ByStatus(id) => {
            let ty = ident(&api.type_def(*id).name);
            (quote!(#ty), quote!(#ty::from_response(response)))
        }
    }
}

fn error(shape: &ResponseShape, api: &Api) -> (TokenStream, TokenStream) {
    match shape {
        ResponseShape::Untyped => (
            quote!(crate::runtime::ApiErrorBody),
            quote!(response.api_error()),
        ),
        ResponseShape::Typed(ty) => (type_tokens(ty, api), quote!(response.api_error())),
        ResponseShape::ByStatus(id) => {
            let ty = ident(&api.type_def(*id).name);
            (quote!(#ty), quote!(response.api_error_with(#ty::decode)))
        }
    }
}

/// `from_response` (successes) or `decode` (errors) for a [`TypeKind::ByStatus`] enum.
pub fn by_status_impl(def: &TypeDef, api: &Api) -> TokenStream {
    let TypeKind::ByStatus(b) = &def.kind else {
        return quote!();
    };
    let name = ident(&def.name);
    let mut arms: Vec<(StatusMatch, TokenStream)> = Vec::new();
    for v in &b.variants {
        let variant = ident(&v.name);
        let build = match (&v.ty, b.fallback.is_some()) {
            (Some(_), true) => quote!(::serde_json::from_slice(body).map(Self::#variant)),
            (None, true) => quote!(Ok(Self::#variant)),
            (Some(ty), false) => {
                let call = decode_call(ty, api);
                quote!(#call.map(Self::#variant))
            }
            (None, false) => quote!(Ok(Self::#variant)),
        };
        for status in &v.statuses {
            arms.push((*status, build.clone()));
        }
    }
    arms.sort_by_key(|(s, _)| *s);
    let patterns = arms.iter().map(|(status, build)| {
        let pattern = match status {
            StatusMatch::Code(c) => {
                let c = proc_macro2::Literal::u16_unsuffixed(*c);
                quote!(#c)
            }
            StatusMatch::Class(c) => {
                let lo = proc_macro2::Literal::u16_unsuffixed(c * 100);
                let hi = proc_macro2::Literal::u16_unsuffixed(c * 100 + 99);
                quote!(#lo..=#hi)
            }
            StatusMatch::Default => quote!(_),
        };
        quote!(#pattern => #build,)
    });
    let has_default = arms.iter().any(|(s, _)| *s == StatusMatch::Default);
    match &b.fallback {
        Some(fallback) => {
            let fallback = ident(fallback);
            let rest = (!has_default)
                .then(|| quote!(_ => ::serde_json::from_slice(body).map(Self::#fallback),));
            let doc = format!(
                " Decodes an error body by status ({}).",
                status_doc(&arms.iter().map(|a| a.0).collect::<Vec<_>>())
            );
            quote! {
                impl #name {
                    #[doc = #doc]
                    fn decode(status: u16, body: &[u8]) -> Result<Self, ::serde_json::Error> {
                        match status {
                            #(#patterns)*
                            #rest
                        }
                    }
                }
            }
        }
        None => quote! {
            impl #name {
                /// Decodes a success response by status.
                fn from_response<E>(response: crate::runtime::RawResponse) -> Result<Self, crate::Error<E>> {
                    match response.status() {
                        #(#patterns)*
                        _ => Err(response.unexpected()),
                    }
                }
            }
        },
    }
}
