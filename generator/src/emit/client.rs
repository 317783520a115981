//! Operations → the module's `Client` and its methods.

use super::docs;
use super::tokens::{doc_attrs, ident, type_tokens};
use super::types::status_doc;
use crate::ir::{
    Api, AuthKind, BodyEncoding, ListingField, NextLink, Operation, Pagination, PathPart,
    ResponseShape, Server, StatusMatch, TypeDef, TypeId, TypeKind, TypeRef,
};
use proc_macro2::TokenStream;
use quote::quote;

/// The `Client` struct, its constructors and account methods; the operations come in
/// [`resource_impl`] blocks.
pub fn client(api: &Api) -> TokenStream {
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
    let account = account_param_name(api);
    let account_field = account.map(|_| {
        quote! {
            /// Overrides the credentials' username as the account, for subaccounts.
            account: Option<String>,
        }
    });
    let account_init = account.map(|_| quote!(account: None,));
    let account_methods = account.map(|name| {
        let scoped = doc_attrs(&[
            format!("This client acting on another account (a subaccount): calls send `account_sid` as {}.", docs::code(name)),
            String::new(),
            "Cheap: the connection pool and settings are shared.".to_string(),
        ]);
        let current = doc_attrs(&[format!(
            "The account calls act on ({}): the one given to [`Client::account`], else the credentials' ([`Credentials::account`](crate::Credentials::account): an API key's account, or the Basic username).",
            docs::code(name)
        )]);
        quote! {
            #scoped
            pub fn account(&self, account_sid: impl Into<String>) -> Self {
                Client {
                    transport: self.transport.clone(),
                    account: Some(account_sid.into()),
                }
            }

            #current
            pub fn account_sid(&self) -> Option<&str> {
                self.account.as_deref().or_else(|| self.transport.credentials().account())
            }
        }
    });
    quote! {
        #doc
        #[derive(Debug, Clone)]
        pub struct Client {
            transport: crate::runtime::Transport,
            #account_field
        }

        impl Client {
            #constructors

            /// A client for the configured base URL and credentials.
            pub fn with_config(config: crate::ClientConfig) -> Result<Self, crate::BuildError> {
                Ok(Client { transport: crate::runtime::Transport::new(config, crate::default_user_agent())?, #account_init })
            }

            /// The base URL requests go to, without a trailing slash.
            pub fn base_url(&self) -> &str {
                self.transport.base_url()
            }

            #account_methods
        }
    }
}

/// The operations of one resource (`tag`; `None`: untagged) as one `impl Client`, with a doc
/// line naming it: rustdoc then lists a large client's methods under their resources instead
/// of in one list. `features`: per operation, the Cargo features that compile it.
pub fn resource_impl(
    api: &Api,
    tag: Option<&str>,
    operations: &[usize],
    features: &[Vec<String>],
) -> TokenStream {
    let methods = operations.iter().filter_map(|&i| {
        let needed = features.get(i).map_or(&[][..], Vec::as_slice);
        api.operations.get(i).map(|op| {
            operation(
                op,
                api,
                &super::features::cfg(needed),
                &super::features::cfg_doc(needed),
            )
        })
    });
    // Untagged operations stay with the constructors, under no heading.
    let doc = tag.map(|tag| {
        doc_attrs(&[
            format!("# {}", resource_title(tag)),
            String::new(),
            format!("Operations of the spec's tag {}.", docs::code(tag)),
        ])
    });
    quote! {
        #doc
        impl Client {
            #(#methods)*
        }
    }
}

/// The operations' indices grouped by resource (their first spec tag; `None`: untagged), in
/// the order resources first appear: what the client's docs and the crate index list.
pub(super) fn by_resource(api: &Api) -> Vec<(Option<&str>, Vec<usize>)> {
    let mut resources: Vec<(Option<&str>, Vec<usize>)> = Vec::new();
    for (i, op) in api.operations.iter().enumerate() {
        let tag = op.tags.first().map(String::as_str);
        match resources.iter_mut().find(|(t, _)| *t == tag) {
            Some((_, ops)) => ops.push(i),
            None => resources.push((tag, vec![i])),
        }
    }
    resources
}

/// A tag as a heading: `Api20100401Participant` reads `Participant` (a leading API version
/// word is dropped), `Recording Transcriptions` stays as it is.
pub(super) fn resource_title(tag: &str) -> String {
    if tag.contains(' ') {
        return tag.to_string();
    }
    let mut words: Vec<String> = Vec::new();
    for c in tag.chars() {
        match words.last_mut() {
            Some(word) if !c.is_ascii_uppercase() => word.push(c),
            _ => words.push(c.to_string()),
        }
    }
    let versioned = |w: &String| w.chars().filter(char::is_ascii_digit).count() >= 4;
    if words.len() > 1 && versioned(&words[0]) {
        words.remove(0);
    }
    match words.join(" ") {
        title if title.is_empty() => tag.to_string(),
        title => title,
    }
}

/// The wire name of the parameter that defaults to the client's account, if any operation has one.
fn account_param_name(api: &Api) -> Option<&str> {
    api.operations.iter().find_map(|op| {
        op.account_param
            .and_then(|i| op.path_params.get(i))
            .map(|p| p.wire_name.as_str())
    })
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
pub(super) fn is_kind(ty: &TypeRef, api: &Api, kind: fn(&TypeKind) -> bool) -> bool {
    matches!(ty, TypeRef::Named(id) if kind(&api.type_def(*id).kind))
}

/// An operation's methods: the public one returns a future that owns its request (a
/// `Call`, or a `PageCall` and an `Items` stream for a list); a private one builds the request.
/// No method is `async`: one future type for every operation compiles far faster than an
/// `async fn` state machine each.
/// `cfg`: the item's `#[cfg]`, `needs`: the doc lines naming its features.
fn operation(op: &Operation, api: &Api, cfg: &TokenStream, needs: &TokenStream) -> TokenStream {
    let name = ident(&op.method_name);
    let doc = doc_attrs(&operation_doc(op, None));
    let doc = quote!(#doc #needs);
    let args = arguments(op, api);
    let arg_names = argument_names(op);
    let (error_ty, error) = error(&op.error, api);
    let build = build_request(op);
    let request = ident(&op.request_method);
    let builder = quote! {
        #cfg
        #[inline]
        fn #request(&self, #(#args),*) -> Result<crate::runtime::Request, crate::InvalidRequest> {
            #build
            Ok(request)
        }
    };
    if let Some(pagination) = &op.pagination {
        let listing = ident(&api.type_def(pagination.listing).name);
        let item = type_tokens(&pagination.item, api);
        let stream = ident(&pagination.stream_method);
        let stream_doc = doc_attrs(&operation_doc(op, Some(pagination)));
        let stream_doc = quote!(#stream_doc #needs);
        return quote! {
            #doc
            #cfg
            #[inline]
            pub fn #name(&self, #(#args),*) -> crate::PageCall<#listing, #error_ty> {
                self.transport.page(self.#request(#(#arg_names),*), #error)
            }

            #stream_doc
            #cfg
            #[inline]
            pub fn #stream(&self, #(#args),*) -> crate::Items<#item, #error_ty> {
                self.transport.items::<#listing, #error_ty>(self.#request(#(#arg_names),*), #error)
            }

            #builder
        };
    }
    let (success_ty, success) = success(&op.success, api);
    quote! {
        #doc
        #cfg
        #[inline]
        pub fn #name(&self, #(#args),*) -> crate::Call<#success_ty, #error_ty> {
            self.transport.call(self.#request(#(#arg_names),*), #success, #error)
        }

        #builder
    }
}

/// The method's parameters: path parameters the caller passes, then query/header
/// parameters, then the body.
fn arguments(op: &Operation, api: &Api) -> Vec<TokenStream> {
    let mut args: Vec<TokenStream> = op
        .argument_params()
        .map(|p| {
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
        })
        .collect();
    if let Some(id) = op.params {
        let t = ident(&api.type_def(id).name);
        args.push(quote!(params: &#t));
    }
    if let Some(b) = &op.body {
        args.push(match b.encoding {
            BodyEncoding::Text => quote!(body: &str),
            BodyEncoding::Bytes => quote!(body: &[u8]),
            _ => {
                let ty = type_tokens(&b.ty, api);
                quote!(body: &#ty)
            }
        });
    }
    args
}

fn argument_names(op: &Operation) -> Vec<TokenStream> {
    let mut names: Vec<TokenStream> = op
        .argument_params()
        .map(|p| {
            let arg = ident(&p.rust_name);
            quote!(#arg)
        })
        .collect();
    if op.params.is_some() {
        names.push(quote!(params));
    }
    if op.body.is_some() {
        names.push(quote!(body));
    }
    names
}

/// Statements that leave the operation's request in `request`.
fn build_request(op: &Operation) -> TokenStream {
    let path = path_tokens(op);
    let method = ident(op.http_method.as_str());
    let (id, template) = (&op.id, &op.path);
    let apply_params = op.params.map(|_| quote!(params.apply(&mut request);));
    let apply_body = op.body.as_ref().map(|b| match b.encoding {
        BodyEncoding::Form => quote!(request.form(body.form_pairs());),
        BodyEncoding::Json => quote!(request.json(body)?;),
        BodyEncoding::Multipart => quote!(request.multipart(body.multipart());),
        BodyEncoding::Text => quote!(request.text(body);),
        BodyEncoding::Bytes => quote!(request.bytes(body);),
    });
    let mutable = (op.params.is_some() || op.body.is_some()).then(|| quote!(mut));
    quote! {
        let path = #path;
        const OPERATION: crate::runtime::Operation =
            crate::runtime::Operation::new(#id, &crate::runtime::reqwest::Method::#method, #template);
        let #mutable request = crate::runtime::Request::new(OPERATION, path);
        #apply_params
        #apply_body
    }
}

/// Each list operation's success body (its listing) and the features of the operations that
/// list it: its `impl Listing` is compiled with any of them, or always (no features) when one
/// of them is.
pub fn listings<'a>(
    api: &'a Api,
    features: &[Vec<String>],
) -> std::collections::BTreeMap<TypeId, (&'a Pagination, Vec<String>)> {
    // `None`: some operation listing it is always compiled, so the impl is too.
    let mut listings: std::collections::BTreeMap<_, (&Pagination, Option<Vec<String>>)> =
        std::collections::BTreeMap::new();
    for (op, needed) in api.operations.iter().zip(features) {
        if let Some(p) = &op.pagination {
            let entry = listings.entry(p.listing).or_insert((p, Some(Vec::new())));
            match (&mut entry.1, needed.is_empty()) {
                (slot, true) => *slot = None,
                (Some(all), false) => all.extend(needed.iter().cloned()),
                (None, false) => {}
            }
        }
    }
    listings
        .into_iter()
        .map(|(listing, (p, needed))| {
            let mut needed = needed.unwrap_or_default();
            needed.sort();
            needed.dedup();
            (listing, (p, needed))
        })
        .collect()
}

/// `impl Listing` for a list operation's success body, behind `needed` (see [`listings`]).
pub fn listing_impl(p: &Pagination, api: &Api, needed: &[String]) -> TokenStream {
    let cfg = super::features::cfg(needed);
    let body = listing_body(p, api);
    quote! { #cfg #body }
}

fn listing_body(p: &Pagination, api: &Api) -> TokenStream {
    let listing = ident(&api.type_def(p.listing).name);
    let item = type_tokens(&p.item, api);
    let items = ident(&p.items.rust_name);
    let items_field = &p.items.wire_name;
    let (borrowed, owned, set) = if p.items.optional {
        (
            // A plain match: `as_deref().unwrap_or_default()` would instantiate two generic
            // functions per list type.
            quote!(match &self.#items { Some(items) => items, None => &[] }),
            quote!(self.#items.unwrap_or_default()),
            quote!(Some(items)),
        )
    } else {
        (quote!(&self.#items), quote!(self.#items), quote!(items))
    };
    let text = |owner: TokenStream, field: &ListingField| {
        let name = ident(&field.rust_name);
        if field.optional {
            quote!(#owner.#name.as_deref())
        } else {
            quote!(Some(#owner.#name.as_str()))
        }
    };
    let next = match &p.next {
        NextLink::Uri(uri) => text(quote!(self), uri),
        NextLink::MetaUrl { meta, url } => {
            let url = text(quote!(meta), url);
            let meta_name = ident(&meta.rust_name);
            if meta.optional {
                quote!(self.#meta_name.as_ref().and_then(|meta| #url))
            } else {
                quote!({ let meta = &self.#meta_name; #url })
            }
        }
    };
    quote! {
        impl crate::Listing for #listing {
            type Item = #item;

            const ITEMS_FIELD: &'static str = #items_field;

            #[inline]
            fn items(&self) -> &[#item] {
                #borrowed
            }

            #[inline]
            fn into_items(self) -> Vec<#item> {
                #owned
            }

            #[inline]
            fn next_page_link(&self) -> Option<&str> {
                #next
            }

            #[inline]
            fn set_items(&mut self, items: Vec<#item>) {
                self.#items = #set;
            }
        }
    }
}

/// The method's documentation; for a list operation's stream method (`stream` set), a
/// pointer to the one-page method first.
fn operation_doc(op: &Operation, stream: Option<&Pagination>) -> Vec<String> {
    let mut doc = Vec::new();
    let page_method = op.method_name.trim_start_matches("r#");
    if stream.is_some() {
        doc.push(format!(
            "Every item of [`Client::{page_method}`], page after page: pages are fetched as the stream is read, up to [`Items::limit`](crate::Items::limit) items."
        ));
        doc.push(String::new());
    }
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
    if let (Some(p), None) = (&op.pagination, stream) {
        doc.push(String::new());
        doc.push(format!(
            "Returns one page; [`Page::next`](crate::Page::next) fetches the next, and [`Client::{}`] streams every item.",
            p.stream_method.trim_start_matches("r#")
        ));
    }
    if op.deprecated {
        doc.push(String::new());
        doc.push("Deprecated by the API.".to_string());
    }
    if let Some(account) = op.account_param.and_then(|i| op.path_params.get(i)) {
        doc.push(String::new());
        doc.push(format!(
            "{} is the client's account ([`Client::account_sid`]); use [`Client::account`] for another one.",
            docs::code(&account.wire_name)
        ));
    }
    if op.argument_params().next().is_some() {
        doc.push(String::new());
        doc.push("# Path parameters".to_string());
        doc.push(String::new());
        doc.push(
            "Pass each value as is: the client percent-encodes it as one path segment.".to_string(),
        );
        doc.push(String::new());
        for p in op.argument_params() {
            let cleaned = docs::without_encoding_advice(&p.facts);
            let facts: Vec<String> = docs::fact_lines(cleaned.as_ref().unwrap_or(&p.facts))
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
        PathPart::Param(i) if op.account_param == Some(*i) => {
            let wire = &op.path_params[*i].wire_name;
            quote!(.account(#wire, self.account_sid()))
        }
        PathPart::Param(i) => {
            let p = &op.path_params[*i];
            let wire = &p.wire_name;
            let arg = ident(&p.rust_name);
            quote!(.param(#wire, #arg))
        }
    });
    quote!(crate::runtime::PathBuilder::new() #(#steps)* .finish()?)
}

/// The success type and the function that decodes a 2XX response into a `Response` of it.
pub(super) fn success(shape: &ResponseShape, api: &Api) -> (TokenStream, TokenStream) {
    match shape {
        ResponseShape::Untyped => (quote!(()), quote!(crate::runtime::RawResponse::no_body)),
        ResponseShape::Typed(ty) => (
            type_tokens(ty, api),
            quote!(crate::runtime::RawResponse::json_body),
        ),
        ResponseShape::ByStatus(id) => {
            let ty = ident(&api.type_def(*id).name);
            (quote!(#ty), quote!(#ty::from_response))
        }
    }
}

/// The error type and the function that turns any other response into an `Error` of it.
pub(super) fn error(shape: &ResponseShape, api: &Api) -> (TokenStream, TokenStream) {
    let decode = quote!(crate::runtime::RawResponse::api_error);
    match shape {
        ResponseShape::Untyped => (quote!(crate::runtime::ApiErrorBody), decode),
        ResponseShape::Typed(ty) => (type_tokens(ty, api), decode),
        ResponseShape::ByStatus(id) => {
            let ty = ident(&api.type_def(*id).name);
            (
                quote!(#ty),
                quote!(|response| response.api_error_with(#ty::decode)),
            )
        }
    }
}

/// `from_response` (successes) or `decode` (errors) for a [`TypeKind::ByStatus`] enum.
pub fn by_status_impl(def: &TypeDef) -> TokenStream {
    let TypeKind::ByStatus(b) = &def.kind else {
        return quote!();
    };
    let name = ident(&def.name);
    let mut arms: Vec<(StatusMatch, TokenStream)> = Vec::new();
    for v in &b.variants {
        let variant = ident(&v.name);
        let build = match (&v.ty, b.fallback.is_some()) {
            (Some(_), true) => quote!(crate::runtime::json::from_slice(body).map(Self::#variant)),
            (None, true) => quote!(Ok(Self::#variant)),
            (Some(_), false) => quote!(response.json().map(Self::#variant)),
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
                .then(|| quote!(_ => crate::runtime::json::from_slice(body).map(Self::#fallback),));
            let doc = format!(
                " Decodes an error body by status ({}).",
                status_doc(&arms.iter().map(|a| a.0).collect::<Vec<_>>())
            );
            quote! {
                impl #name {
                    #[doc = #doc]
                    #[inline]
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
                #[inline]
                fn from_response<E>(response: crate::runtime::RawResponse) -> Result<crate::Response<Self>, crate::Error<E>> {
                    let value = match response.status() {
                        #(#patterns)*
                        _ => return Err(response.unexpected()),
                    }?;
                    Ok(response.with(value))
                }
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::resource_title;

    #[test]
    fn resource_titles_drop_the_version_word() {
        assert_eq!(resource_title("Api20100401Participant"), "Participant");
        assert_eq!(
            resource_title("Api20100401IncomingPhoneNumber"),
            "Incoming Phone Number"
        );
        assert_eq!(
            resource_title("Recording Transcriptions"),
            "Recording Transcriptions"
        );
        assert_eq!(resource_title("calls"), "calls");
        assert_eq!(resource_title("Api2010"), "Api2010");
    }
}
