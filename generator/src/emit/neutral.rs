//! `src/{family}.rs`: the provider-neutral module of a [`Family`]. Its client holds one
//! provider's client and converts each neutral request into that provider's request type
//! before calling it, so what goes on the wire is exactly what the provider module sends;
//! what the provider cannot take is an `InvalidRequest` before any connection.

use super::tokens::{doc_attrs, ident, inner_doc_attrs, type_tokens};
use super::{docs, types, Content, TokenFile};
use crate::emit::{CrateSpec, FamilySpec};
use crate::family::{match_family, Family, FamilyOperation, Member, NeutralOperation};
use crate::ir::{Api, Field, Operation, ResponseShape, TypeId, TypeKind, TypeRef};
use crate::naming::camel;
use proc_macro2::TokenStream;
use quote::quote;
use std::collections::BTreeSet;

/// The family's members, from the crate's modules; `None` when one is missing (checked
/// before emitting).
pub fn members<'a>(spec: &'a CrateSpec, family: &FamilySpec) -> Option<Vec<Member<'a>>> {
    family
        .modules
        .iter()
        .map(|name| {
            spec.modules
                .iter()
                .find(|m| &m.name == name)
                .map(|m| Member {
                    module: &m.name,
                    api: &m.api,
                })
        })
        .collect()
}

/// The neutral module's file.
pub fn neutral_file<'a>(spec: &'a CrateSpec, family: &'a FamilySpec) -> TokenFile<'a> {
    let sources = members(spec, family)
        .unwrap_or_default()
        .into_iter()
        .map(|m| m.api)
        .collect();
    TokenFile {
        path: format!("src/{}.rs", family.name),
        sources,
        content: Content::Rust {
            head: Box::new(move || {
                let members = members(spec, family).unwrap_or_default();
                let matched = match_family(&family.name, &members, &family.renames);
                module_tokens(&matched, &members)
            }),
            items: Vec::new(),
        },
    }
}

/// The `#[cfg]` of the neutral module: its own opt-in feature (the family's name), and every
/// provider operation it calls compiled, so with per-resource Cargo features each one's
/// feature too (any of its tags').
pub fn module_cfg(spec: &CrateSpec, family: &FamilySpec) -> TokenStream {
    let own = crate::family::family_feature(&family.name);
    let Some(members) = members(spec, family) else {
        return quote!(#[cfg(feature = #own)]);
    };
    let features: Vec<_> = members
        .iter()
        .map(|m| super::features::module_features(m.api, m.module))
        .collect();
    let matched = match_family(&family.name, &members, &family.renames);
    let mut clauses: Vec<TokenStream> = vec![quote!(feature = #own)];
    let mut seen = BTreeSet::new();
    for (op, _) in matched.neutral_operations() {
        for (p, index) in op.members.iter().enumerate() {
            let Some(needed) = index.and_then(|i| features[p].operations.get(i)) else {
                continue;
            };
            if needed.is_empty() || !seen.insert(needed.clone()) {
                continue;
            }
            clauses.push(quote!(any(#(feature = #needed),*)));
        }
    }
    match &clauses[..] {
        [one] => quote!(#[cfg(#one)]),
        _ => quote!(#[cfg(all(#(#clauses),*))]),
    }
}

/// Which conversions a neutral type needs, per provider.
#[derive(Default, Clone)]
struct Needs {
    to: BTreeSet<usize>,
    from: BTreeSet<usize>,
}

struct Ctx<'a> {
    family: &'a Family,
    members: &'a [Member<'a>],
}

impl Ctx<'_> {
    fn neutral(&self) -> &Api {
        &self.family.neutral
    }

    fn api(&self, p: usize) -> &Api {
        self.members[p].api
    }

    fn module(&self, p: usize) -> &str {
        self.members[p].module
    }

    fn variant(&self, p: usize) -> proc_macro2::Ident {
        ident(&camel(self.module(p)))
    }

    /// A provider's type, named from the neutral module.
    fn provider_type(&self, p: usize, ty: &TypeRef) -> TokenStream {
        match ty {
            TypeRef::Named(id) => {
                let module = ident(self.module(p));
                let name = ident(&self.api(p).type_def(*id).name);
                quote!(crate::#module::#name)
            }
            TypeRef::List(inner) => {
                let inner = self.provider_type(p, inner);
                quote!(Vec<#inner>)
            }
            TypeRef::Map(inner) => {
                let inner = self.provider_type(p, inner);
                quote!(::std::collections::BTreeMap<String, #inner>)
            }
            other => type_tokens(other, self.api(p)),
        }
    }

    fn error_type(&self, p: usize) -> TokenStream {
        match &self.family.errors[p] {
            ResponseShape::Untyped => quote!(crate::ApiErrorBody),
            ResponseShape::Typed(ty) => self.provider_type(p, ty),
            ResponseShape::ByStatus(id) => self.provider_type(p, &TypeRef::Named(*id)),
        }
    }
}

fn module_tokens(family: &Family, members: &[Member<'_>]) -> TokenStream {
    let ctx = Ctx { family, members };
    let needs = conversion_needs(&ctx);
    let doc = inner_doc_attrs(&module_doc(&ctx));
    let provider = provider_tokens(&ctx);
    let client = client_tokens(&ctx);
    let error = error_tokens(&ctx);
    let types = family.neutral.type_ids().map(|(id, _)| {
        let def_tokens = types::type_def(id, &family.neutral, &[]);
        let conversions = conversions(&ctx, id, &needs[id.index()]);
        quote!(#def_tokens #conversions)
    });
    quote! {
        #doc
        #![allow(clippy::large_enum_variant, clippy::too_many_arguments, clippy::doc_lazy_continuation)]

        #provider
        #client
        #error
        #(#types)*
    }
}

fn module_doc(ctx: &Ctx<'_>) -> Vec<String> {
    let family = ctx.family;
    // Full paths: the module's inner docs are resolved where its `mod` item is, which has
    // docs of its own.
    let client = format!("crate::{}::Client", family.name);
    let providers: Vec<String> = (0..ctx.members.len())
        .map(|p| format!("[`{0}`](crate::{0})", ctx.module(p)))
        .collect();
    let mut doc = vec![
        format!(
            "One API for {}: a [`Client`]({client}) of either provider, the same requests and responses.",
            providers.join(" and ")
        ),
        String::new(),
        "Operations are matched by HTTP method and path (each server's base path, the API version and a `.json` suffix set aside), fields by wire name; types are widened where the specs differ (`i32` and `i64` are `i64`, a field optional in one is optional, enums hold every provider's values). Each call converts its request into the chosen provider's own request type and calls that provider's client, so what is sent is exactly what the provider module sends. What the provider's spec cannot take (a field it lacks, a value only another provider knows, a number outside its type) is an [`InvalidRequest::Unsupported`](crate::InvalidRequest::Unsupported) before any connection. Response fields a provider never returns are `None` from it; each field's docs say which providers have it.".to_string(),
        String::new(),
        "# Support matrix".to_string(),
        String::new(),
    ];
    let mut header = "| operation |".to_string();
    let mut rule = "|---|".to_string();
    for p in 0..ctx.members.len() {
        header.push_str(&format!(" `{}` |", ctx.module(p)));
        rule.push_str("---|");
    }
    doc.push(header);
    doc.push(rule);
    for op in &family.operations {
        let name = match &op.neutral {
            Ok(_) => format!(
                "[`{0}`]({client}::{0})",
                op.method_name.trim_start_matches("r#")
            ),
            Err(_) => format!("`{}`", op.key),
        };
        let mut row = format!("| {name} |");
        for (p, member) in op.members.iter().enumerate() {
            match member {
                Some(i) => {
                    let method = ctx.api(p).operations[*i]
                        .method_name
                        .trim_start_matches("r#");
                    row.push_str(&format!(
                        " [`{method}`](crate::{}::Client::{method}) |",
                        ctx.module(p)
                    ));
                }
                None => row.push_str(" — |"),
            }
        }
        doc.push(row);
    }
    let absent: Vec<String> = family
        .operations
        .iter()
        .filter_map(|op| {
            op.neutral
                .as_ref()
                .err()
                .map(|why| format!("* `{}`: {why}.", op.key))
        })
        .collect();
    if !absent.is_empty() {
        doc.push(String::new());
        doc.push(format!("Not on the neutral client; call them on the client of a provider that has them (each [`Client`]({client}) variant holds one):"));
        doc.push(String::new());
        doc.extend(absent);
    }
    doc
}

fn provider_tokens(ctx: &Ctx<'_>) -> TokenStream {
    let variants: Vec<_> = (0..ctx.members.len()).map(|p| ctx.variant(p)).collect();
    let names: Vec<_> = (0..ctx.members.len())
        .map(|p| ctx.module(p).to_string())
        .collect();
    let docs = names
        .iter()
        .map(|n| doc_attrs(&[format!("[`crate::{n}`].")]));
    quote! {
        /// A provider of this API.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Provider {
            #(#docs #variants,)*
        }

        impl Provider {
            /// The provider's module name, as errors name it.
            pub fn as_str(self) -> &'static str {
                match self {
                    #(Provider::#variants => #names,)*
                }
            }
        }

        impl std::fmt::Display for Provider {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        /// What the chosen provider's spec cannot take, as an [`InvalidRequest`](crate::InvalidRequest).
        fn unsupported(provider: Provider, field: &'static str, reason: impl Into<String>) -> crate::InvalidRequest {
            crate::InvalidRequest::Unsupported { provider: provider.as_str(), field, reason: reason.into() }
        }

        /// A call refused before sending.
        fn refused_call<T: Send + 'static>(why: crate::InvalidRequest) -> Call<T> {
            Box::pin(std::future::ready(Err(crate::Error::InvalidRequest(why))))
        }
    }
}

fn client_tokens(ctx: &Ctx<'_>) -> TokenStream {
    let n = ctx.members.len();
    let variants: Vec<_> = (0..n).map(|p| ctx.variant(p)).collect();
    let modules: Vec<_> = (0..n).map(|p| ident(ctx.module(p))).collect();
    let variant_docs =
        (0..n).map(|p| doc_attrs(&[format!("A [`crate::{}::Client`].", ctx.module(p))]));
    let constructors = (0..n).map(|p| {
        let module = &modules[p];
        let variant = &variants[p];
        let doc = doc_attrs(&[format!(
            "A client of `{}` for the configured base URL, credentials and settings (see [`crate::{}::Client::with_config`]).",
            ctx.module(p),
            ctx.module(p)
        )]);
        quote! {
            #doc
            pub fn #module(config: crate::ClientConfig) -> Result<Self, crate::BuildError> {
                crate::#module::Client::with_config(config).map(Client::#variant)
            }
        }
    });
    let operations = ctx
        .family
        .neutral_operations()
        .map(|(op, neutral)| operation_tokens(ctx, op, neutral));
    quote! {
        /// A client of one provider, chosen at run time. Its variants are the providers' own
        /// clients, for the operations only one of them has.
        #[derive(Debug, Clone)]
        pub enum Client {
            #(#variant_docs #variants(crate::#modules::Client),)*
        }

        impl Client {
            #(#constructors)*

            /// The provider this client talks to.
            pub fn provider(&self) -> Provider {
                match self {
                    #(Client::#variants(_) => Provider::#variants,)*
                }
            }

            /// The base URL requests go to, without a trailing slash.
            pub fn base_url(&self) -> &str {
                match self {
                    #(Client::#variants(client) => client.base_url(),)*
                }
            }

            #(#operations)*
        }

        #(
            impl From<crate::#modules::Client> for Client {
                fn from(client: crate::#modules::Client) -> Self {
                    Client::#variants(client)
                }
            }
        )*
    }
}

fn operation_tokens(
    ctx: &Ctx<'_>,
    op: &FamilyOperation,
    neutral: &NeutralOperation,
) -> TokenStream {
    let ops: Vec<&Operation> = op
        .members
        .iter()
        .enumerate()
        .filter_map(|(p, i)| i.map(|i| &ctx.api(p).operations[i]))
        .collect();
    let first = ops[0];
    let name = ident(&op.method_name);
    let path_args: Vec<_> = first
        .argument_params()
        .map(|p| ident(&p.rust_name))
        .collect();
    let neutral_api = ctx.neutral();
    let mut args: Vec<TokenStream> = path_args.iter().map(|a| quote!(#a: &str)).collect();
    if let Some(id) = neutral.params {
        let ty = ident(&neutral_api.type_def(id).name);
        args.push(quote!(params: &#ty));
    }
    if let Some(id) = neutral.body {
        let ty = ident(&neutral_api.type_def(id).name);
        args.push(quote!(body: &#ty));
    }
    let arms = ops.iter().enumerate().map(|(p, provider_op)| {
        let variant = ctx.variant(p);
        let method = match &provider_op.pagination {
            Some(pagination) => ident(&pagination.stream_method),
            None => ident(&provider_op.method_name),
        };
        let refuse = if neutral.item.is_some() {
            quote!(crate::MappedItems::refused)
        } else {
            quote!(refused_call)
        };
        let to = ident(&format!("to_{}", ctx.module(p)));
        let mut prepare = Vec::new();
        let mut pass: Vec<TokenStream> = path_args.iter().map(|a| quote!(#a)).collect();
        for (arg, has) in [
            (
                neutral.params.map(|_| quote!(params)),
                provider_op.params.is_some(),
            ),
            (
                neutral.body.map(|_| quote!(body)),
                provider_op.body.is_some(),
            ),
        ] {
            let Some(arg) = arg else { continue };
            if has {
                prepare.push(quote! {
                    let #arg = match #arg.#to() {
                        Ok(converted) => converted,
                        Err(why) => return #refuse(why),
                    };
                });
                pass.push(quote!(&#arg));
            } else {
                prepare.push(quote! {
                    if let Err(why) = #arg.#to() {
                        return #refuse(why);
                    }
                });
            }
        }
        let call = quote!(client.#method(#(#pass),*));
        let result = if let Some(item) = &neutral.item {
            let item = type_tokens(item, neutral_api);
            quote!(#call.convert(#item::from, ProviderError::#variant))
        } else if let Some(success) = &neutral.success {
            let success = type_tokens(success, neutral_api);
            quote! {
                let call = #call;
                Box::pin(async move {
                    call.await
                        .map(|response| response.map(#success::from))
                        .map_err(|e| e.map_body(ProviderError::#variant))
                })
            }
        } else {
            quote! {
                let call = #call;
                Box::pin(async move { call.await.map_err(|e| e.map_body(ProviderError::#variant)) })
            }
        };
        quote! {
            Client::#variant(client) => {
                #(#prepare)*
                #result
            }
        }
    });
    let output = match (&neutral.item, &neutral.success) {
        (Some(item), _) => {
            let item = type_tokens(item, neutral_api);
            quote!(crate::MappedItems<#item, ProviderError>)
        }
        (None, Some(success)) => {
            let success = type_tokens(success, neutral_api);
            quote!(Call<#success>)
        }
        (None, None) => quote!(Call<()>),
    };
    let doc = doc_attrs(&operation_doc(ctx, op, first, neutral));
    quote! {
        #doc
        pub fn #name(&self, #(#args),*) -> #output {
            match self {
                #(#arms)*
            }
        }
    }
}

fn operation_doc(
    ctx: &Ctx<'_>,
    op: &FamilyOperation,
    first: &Operation,
    neutral: &NeutralOperation,
) -> Vec<String> {
    let mut doc = Vec::new();
    if let Some(summary) = &first.summary {
        doc.extend(docs::lines(summary));
        doc.push(String::new());
    }
    if neutral.item.is_some() {
        doc.push("Every item, page after page: pages are fetched as the stream is read, up to [`MappedItems::limit`](crate::MappedItems::limit) items.".to_string());
        doc.push(String::new());
    }
    doc.push("Providers:".to_string());
    doc.push(String::new());
    for (p, member) in op.members.iter().enumerate() {
        if let Some(i) = member {
            let provider_op = &ctx.api(p).operations[*i];
            let method = provider_op
                .pagination
                .as_ref()
                .map_or(provider_op.method_name.as_str(), |page| {
                    page.stream_method.as_str()
                })
                .trim_start_matches("r#");
            doc.push(format!(
                "* `{0}`: [`{0}::Client::{1}`](crate::{0}::Client::{1}), `{2} {3}`.",
                ctx.module(p),
                method,
                provider_op.http_method.as_str(),
                provider_op.path
            ));
        }
    }
    let lacking: Vec<String> = op
        .rows
        .iter()
        .filter(|row| !row.everywhere())
        .filter(|row| row.place != crate::family::Place::Response)
        .map(|row| {
            let has: Vec<&str> = row
                .support
                .iter()
                .enumerate()
                .filter(|(_, s)| s.is_some())
                .map(|(p, _)| ctx.module(p))
                .collect();
            format!("`{}` ({} only)", row.wire, has.join(", "))
        })
        .collect();
    if !lacking.is_empty() {
        doc.push(String::new());
        doc.push(format!(
            "Only some providers take {}: set with another provider, the call is an `InvalidRequest::Unsupported` and nothing is sent.",
            lacking.join(", ")
        ));
    }
    doc
}

fn error_tokens(ctx: &Ctx<'_>) -> TokenStream {
    let n = ctx.members.len();
    let variants: Vec<_> = (0..n).map(|p| ctx.variant(p)).collect();
    let bodies: Vec<_> = (0..n).map(|p| ctx.error_type(p)).collect();
    let docs = (0..n).map(|p| {
        doc_attrs(&[format!(
            "The error body `{}` sent, as its spec has it.",
            ctx.module(p)
        )])
    });
    let code = (0..n).map(|p| accessor(ctx, p, "code"));
    let message = (0..n).map(|p| accessor(ctx, p, "message"));
    quote! {
        /// The decoded error body of the provider that answered, kept as its spec has it.
        #[derive(Debug, Clone, PartialEq)]
        pub enum ProviderError {
            #(#docs #variants(#bodies),)*
        }

        impl ProviderError {
            /// The provider that sent it.
            pub fn provider(&self) -> Provider {
                match self {
                    #(ProviderError::#variants(_) => Provider::#variants,)*
                }
            }

            /// The provider's numeric error code, when its error body has one.
            pub fn code(&self) -> Option<i64> {
                match self {
                    #(#code)*
                }
            }

            /// What went wrong, for people, when the error body says.
            pub fn message(&self) -> Option<&str> {
                match self {
                    #(#message)*
                }
            }
        }

        /// Everything a neutral call can fail with: [`crate::Error`] with the answering
        /// provider's error body. Status, headers and request id are on the error itself
        /// (`status()`, `request_id()`); code and message on [`ProviderError`].
        pub type Error = crate::Error<ProviderError>;

        /// One neutral call: a future of its response. Like the providers' calls, it owns what
        /// it needs and sends nothing until first polled; a request the provider cannot take
        /// is refused when it is made.
        pub type Call<T> = std::pin::Pin<Box<dyn std::future::Future<Output = Result<crate::Response<T>, Error>> + Send>>;
    }
}

/// A `match` arm of `ProviderError::code` or `::message` for provider `p`.
fn accessor(ctx: &Ctx<'_>, p: usize, wire: &str) -> TokenStream {
    let variant = ctx.variant(p);
    let numeric = wire == "code";
    let found = match &ctx.family.errors[p] {
        ResponseShape::Untyped => Some(if numeric {
            quote!(body.code)
        } else {
            quote!(body.message.as_deref())
        }),
        ResponseShape::Typed(TypeRef::Named(id)) => match &ctx.api(p).type_def(*id).kind {
            TypeKind::Struct(s) => s.fields.iter().find(|f| f.wire_name == wire).and_then(|f| {
                let name = ident(&f.rust_name);
                match (&f.ty, f.is_option(), numeric) {
                    (TypeRef::I32 | TypeRef::I64, false, true) => {
                        Some(quote!(Some(i64::from(body.#name))))
                    }
                    (TypeRef::I32 | TypeRef::I64, true, true) => {
                        Some(quote!(body.#name.map(i64::from)))
                    }
                    (TypeRef::String, false, false) => Some(quote!(Some(body.#name.as_str()))),
                    (TypeRef::String, true, false) => Some(quote!(body.#name.as_deref())),
                    _ => None,
                }
            }),
            _ => None,
        },
        _ => None,
    };
    match found {
        Some(expr) => quote!(ProviderError::#variant(body) => #expr,),
        None => quote!(ProviderError::#variant(_) => None,),
    }
}

/// Which neutral types convert to (requests) and from (responses) which provider's.
fn conversion_needs(ctx: &Ctx<'_>) -> Vec<Needs> {
    let family = ctx.family;
    let mut needs = vec![Needs::default(); family.neutral.types.len()];
    let mut work: Vec<(TypeId, usize, bool)> = Vec::new();
    for (_, neutral) in family.neutral_operations() {
        for p in 0..ctx.members.len() {
            for id in [neutral.params, neutral.body].into_iter().flatten() {
                work.push((id, p, true));
            }
            for ty in [&neutral.success, &neutral.item].into_iter().flatten() {
                work.extend(ty.named_within().map(|id| (id, p, false)));
            }
        }
    }
    while let Some((id, p, to)) = work.pop() {
        let set = if to {
            &mut needs[id.index()].to
        } else {
            &mut needs[id.index()].from
        };
        if !set.insert(p) {
            continue;
        }
        let source = &family.sources[id.index()];
        if let TypeKind::Struct(s) = &family.neutral.type_def(id).kind {
            for (field, per) in s.fields.iter().zip(&source.fields) {
                if per[p].is_some() {
                    work.extend(field.ty.named_within().map(|id| (id, p, to)));
                }
            }
        }
    }
    needs
}

fn conversions(ctx: &Ctx<'_>, id: TypeId, needs: &Needs) -> TokenStream {
    let to = needs.to.iter().map(|p| to_provider(ctx, id, *p));
    let source = &ctx.family.sources[id.index()];
    let mut from = Vec::new();
    for p in &needs.from {
        let mut done = BTreeSet::new();
        let sources = std::iter::once((&source.types, &source.fields))
            .chain(source.also.iter().map(|(types, fields)| (types, fields)));
        for (types, fields) in sources {
            if let Some(provider_id) = types[*p] {
                if done.insert(provider_id) {
                    from.push(from_provider(ctx, id, *p, provider_id, fields));
                }
            }
        }
    }
    quote!(#(#to)* #(#from)*)
}

/// `to_{provider}`: the neutral value as the provider's type, or what the provider cannot take.
fn to_provider(ctx: &Ctx<'_>, id: TypeId, p: usize) -> TokenStream {
    let def = ctx.neutral().type_def(id);
    let name = ident(&def.name);
    let source = &ctx.family.sources[id.index()];
    let variant = ctx.variant(p);
    let module = ctx.module(p);
    let to = ident(&format!("to_{module}"));
    let Some(provider_id) = source.types[p] else {
        // The provider has no such type here: only an empty value can go there.
        let TypeKind::Struct(s) = &def.kind else {
            return quote!();
        };
        let checks = s.fields.iter().map(|f| {
            let rust = ident(&f.rust_name);
            let wire = &f.wire_name;
            quote! {
                if self.#rust.is_some() {
                    return Err(unsupported(Provider::#variant, #wire, "its spec has no such field"));
                }
            }
        });
        return quote! {
            impl #name {
                /// Refuses every field: the provider takes none here.
                fn #to(&self) -> Result<(), crate::InvalidRequest> {
                    #(#checks)*
                    Ok(())
                }
            }
        };
    };
    let provider_ty = ctx.provider_type(p, &TypeRef::Named(provider_id));
    let provider_def = ctx.api(p).type_def(provider_id);
    let doc = format!("This value as `{module}`'s spec has it, or what `{module}` cannot take.");
    match (&def.kind, &provider_def.kind) {
        (TypeKind::Enum(neutral), TypeKind::Enum(provider)) => {
            let fallback = ident(&neutral.fallback);
            let arms = neutral.values.iter().map(|v| {
                let n = ident(&v.variant);
                match provider.values.iter().find(|w| w.wire == v.wire) {
                    Some(w) => {
                        let pv = ident(&w.variant);
                        quote!(Self::#n => Ok(#provider_ty::#pv),)
                    }
                    None => {
                        let reason = format!("its spec has no value `{}`", v.wire);
                        quote!(Self::#n => Err(unsupported(Provider::#variant, field, #reason)),)
                    }
                }
            });
            let every = neutral
                .values
                .iter()
                .all(|v| provider.values.iter().any(|w| w.wire == v.wire));
            let field = if every {
                ident("_field")
            } else {
                ident("field")
            };
            quote! {
                impl #name {
                    #[doc = #doc]
                    fn #to(&self, #field: &'static str) -> Result<#provider_ty, crate::InvalidRequest> {
                        match self {
                            #(#arms)*
                            Self::#fallback(value) => Ok(#provider_ty::from(value.as_str().to_string())),
                        }
                    }
                }
            }
        }
        (TypeKind::Struct(neutral), TypeKind::Struct(provider)) => {
            let mut checks = Vec::new();
            let mut inits = Vec::new();
            for (field, per) in neutral.fields.iter().zip(&source.fields) {
                let rust = ident(&field.rust_name);
                let wire = &field.wire_name;
                if per[p].is_none() && field.is_option() {
                    checks.push(quote! {
                        if self.#rust.is_some() {
                            return Err(unsupported(Provider::#variant, #wire, "its spec has no such field"));
                        }
                    });
                }
            }
            for (i, pf) in provider.fields.iter().enumerate() {
                let prust = ident(&pf.rust_name);
                let wire = &pf.wire_name;
                let mapped = neutral
                    .fields
                    .iter()
                    .zip(&source.fields)
                    .find(|(_, per)| per[p] == Some(i));
                let value = match mapped {
                    Some((nf, _)) => request_field(ctx, p, nf, pf),
                    None if pf.is_option() => quote!(None),
                    None => {
                        let reason = "its spec requires it, and the neutral type leaves it out";
                        checks.push(
                            quote!(return Err(unsupported(Provider::#variant, #wire, #reason));),
                        );
                        continue;
                    }
                };
                inits.push(quote!(#prust: #value,));
            }
            let body = if inits.len() == provider.fields.len() {
                quote!(Ok(#provider_ty { #(#inits)* }))
            } else {
                quote!()
            };
            quote! {
                impl #name {
                    #[doc = #doc]
                    fn #to(&self) -> Result<#provider_ty, crate::InvalidRequest> {
                        #(#checks)*
                        #body
                    }
                }
            }
        }
        _ => quote!(),
    }
}

/// How a neutral value becomes a provider's.
enum Conv {
    /// The same `Copy` type.
    Copy,
    /// The same type.
    Clone,
    /// Always succeeds: an expression of `value: &neutral`.
    Infallible(TokenStream),
    /// May be refused: a `Result` expression of `value: &neutral`.
    Fallible(TokenStream),
}

impl Conv {
    /// A `Result` expression of `value`.
    fn fallible(self, value: &TokenStream) -> TokenStream {
        match self {
            Conv::Copy => quote!(Ok::<_, crate::InvalidRequest>(*#value)),
            Conv::Clone => quote!(Ok::<_, crate::InvalidRequest>(#value.clone())),
            Conv::Infallible(expr) => quote!(Ok::<_, crate::InvalidRequest>(#expr)),
            Conv::Fallible(expr) => expr,
        }
    }
}

/// A provider field's value from the neutral field, with `?` for what the provider refuses.
fn request_field(ctx: &Ctx<'_>, p: usize, nf: &Field, pf: &Field) -> TokenStream {
    let rust = ident(&nf.rust_name);
    let wire = &nf.wire_name;
    let variant = ctx.variant(p);
    let conv = to_value(ctx, p, &nf.ty, &pf.ty, quote!(value), wire);
    let boxed = |v: TokenStream| if pf.boxed { quote!(Box::new(#v)) } else { v };
    match (nf.is_option(), pf.is_option()) {
        (true, true) if !pf.boxed => match conv {
            Conv::Copy => quote!(self.#rust),
            Conv::Clone => quote!(self.#rust.clone()),
            Conv::Infallible(expr) => quote!(self.#rust.as_ref().map(|value| #expr)),
            Conv::Fallible(expr) => quote!(self.#rust.as_ref().map(|value| #expr).transpose()?),
        },
        (true, true) => {
            let conv = conv.fallible(&quote!(value));
            quote!(self.#rust.as_ref().map(|value| #conv.map(Box::new)).transpose()?)
        }
        (true, false) => {
            let conv = conv.fallible(&quote!(value));
            let conv = boxed(quote!(#conv?));
            quote! {
                match &self.#rust {
                    Some(value) => #conv,
                    None => return Err(unsupported(Provider::#variant, #wire, "its spec requires it")),
                }
            }
        }
        (false, wrap) => {
            let value = quote!((&self.#rust));
            let conv = match conv {
                Conv::Copy => quote!(self.#rust),
                Conv::Clone => quote!(self.#rust.clone()),
                Conv::Infallible(expr) => quote!({ let value = #value; #expr }),
                Conv::Fallible(expr) => quote!({ let value = #value; #expr? }),
            };
            let conv = boxed(conv);
            if wrap {
                quote!(Some(#conv))
            } else {
                conv
            }
        }
    }
}

/// The provider's value from `value: &neutral type`.
fn to_value(
    ctx: &Ctx<'_>,
    p: usize,
    neutral: &TypeRef,
    provider: &TypeRef,
    value: TokenStream,
    wire: &str,
) -> Conv {
    let variant = ctx.variant(p);
    let module = ctx.module(p);
    match (neutral, provider) {
        (TypeRef::I64, TypeRef::I32) => Conv::Fallible(quote! {
            i32::try_from(*#value).map_err(|_| unsupported(Provider::#variant, #wire, format!("{} is outside its spec's i32", #value)))
        }),
        (TypeRef::Timestamp, TypeRef::String) => {
            Conv::Infallible(quote!(#value.as_str().to_string()))
        }
        (TypeRef::Named(id), TypeRef::Named(_)) => {
            let to = ident(&format!("to_{module}"));
            match ctx.neutral().type_def(*id).kind {
                TypeKind::Enum(_) => Conv::Fallible(quote!(#value.#to(#wire))),
                _ => Conv::Fallible(quote!(#value.#to())),
            }
        }
        (TypeRef::List(n), TypeRef::List(pr)) => {
            let inner = to_value(ctx, p, n, pr, quote!(item), wire).fallible(&quote!(item));
            Conv::Fallible(
                quote!(#value.iter().map(|item| #inner).collect::<Result<Vec<_>, crate::InvalidRequest>>()),
            )
        }
        (
            TypeRef::Bool
            | TypeRef::I32
            | TypeRef::I64
            | TypeRef::F64
            | TypeRef::Date
            | TypeRef::DateTime,
            _,
        ) => Conv::Copy,
        _ => Conv::Clone,
    }
}

/// `impl From<provider type>`: a response as the neutral type.
fn from_provider(
    ctx: &Ctx<'_>,
    id: TypeId,
    p: usize,
    provider_id: TypeId,
    fields: &[Vec<Option<usize>>],
) -> TokenStream {
    let def = ctx.neutral().type_def(id);
    let name = ident(&def.name);
    let provider_ty = ctx.provider_type(p, &TypeRef::Named(provider_id));
    let provider_def = ctx.api(p).type_def(provider_id);
    match (&def.kind, &provider_def.kind) {
        (TypeKind::Enum(neutral), TypeKind::Enum(provider)) => {
            let arms = provider.values.iter().filter_map(|w| {
                let v = neutral.values.iter().find(|v| v.wire == w.wire)?;
                let (n, pv) = (ident(&v.variant), ident(&w.variant));
                Some(quote!(#provider_ty::#pv => Self::#n,))
            });
            let provider_fallback = ident(&provider.fallback);
            quote! {
                impl From<#provider_ty> for #name {
                    fn from(value: #provider_ty) -> Self {
                        match value {
                            #(#arms)*
                            #provider_ty::#provider_fallback(value) => Self::from(value.as_str().to_string()),
                        }
                    }
                }
            }
        }
        (TypeKind::Struct(neutral), TypeKind::Struct(provider)) => {
            let inits = neutral.fields.iter().zip(fields).map(|(nf, per)| {
                let rust = ident(&nf.rust_name);
                let value = match per[p].map(|i| &provider.fields[i]) {
                    None => quote!(None),
                    Some(pf) => response_field(ctx, nf, pf),
                };
                quote!(#rust: #value,)
            });
            let binding = if fields.iter().any(|per| per[p].is_some()) {
                quote!(value)
            } else {
                quote!(_value)
            };
            quote! {
                impl From<#provider_ty> for #name {
                    fn from(#binding: #provider_ty) -> Self {
                        #name { #(#inits)* }
                    }
                }
            }
        }
        _ => quote!(),
    }
}

fn response_field(ctx: &Ctx<'_>, nf: &Field, pf: &Field) -> TokenStream {
    let prust = ident(&pf.rust_name);
    let unboxed = |v: TokenStream| if pf.boxed { quote!((*#v)) } else { v };
    let identity = from_is_identity(&nf.ty, &pf.ty) && pf.boxed == nf.boxed;
    match (pf.is_option(), nf.is_option()) {
        (true, _) if identity => quote!(value.#prust),
        (true, _) => match from_fn(ctx, &nf.ty, &pf.ty).filter(|_| !pf.boxed) {
            Some(f) => quote!(value.#prust.map(#f)),
            None => {
                let conv = from_value(ctx, &nf.ty, &pf.ty, unboxed(quote!(item)));
                quote!(value.#prust.map(|item| #conv))
            }
        },
        (false, wrap) => {
            let conv = if identity {
                quote!(value.#prust)
            } else {
                from_value(ctx, &nf.ty, &pf.ty, unboxed(quote!(value.#prust)))
            };
            if wrap {
                quote!(Some(#conv))
            } else {
                conv
            }
        }
    }
}

fn from_is_identity(neutral: &TypeRef, provider: &TypeRef) -> bool {
    !matches!(
        neutral,
        TypeRef::Named(_) | TypeRef::List(_) | TypeRef::Map(_)
    ) && neutral == provider
}

/// The neutral value from `value`, a provider's.
fn from_value(
    ctx: &Ctx<'_>,
    neutral: &TypeRef,
    provider: &TypeRef,
    value: TokenStream,
) -> TokenStream {
    if let Some(f) = from_fn(ctx, neutral, provider) {
        return quote!(#f(#value));
    }
    match (neutral, provider) {
        (TypeRef::List(n), TypeRef::List(pr)) => match from_fn(ctx, n, pr) {
            Some(f) => quote!(#value.into_iter().map(#f).collect()),
            None => {
                let inner = from_value(ctx, n, pr, quote!(item));
                quote!(#value.into_iter().map(|item| #inner).collect())
            }
        },
        _ => value,
    }
}

/// The function that converts a provider's value in one step, if one does.
fn from_fn(ctx: &Ctx<'_>, neutral: &TypeRef, provider: &TypeRef) -> Option<TokenStream> {
    match (neutral, provider) {
        (TypeRef::I64, TypeRef::I32) => Some(quote!(i64::from)),
        (TypeRef::Timestamp, TypeRef::String) => Some(quote!(crate::Timestamp::from)),
        (TypeRef::Named(id), TypeRef::Named(_)) => {
            let name = ident(&ctx.neutral().type_def(*id).name);
            Some(quote!(#name::from))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emit::{ModuleSpec, RuntimeCrate};
    use crate::{api_from_text, Selection};

    /// Two resources, so each module gets a Cargo feature per tag.
    const TAGGED: &str = r#"
openapi: 3.0.3
info: { title: Tagged, version: "1" }
paths:
  /v1/Rooms/{Room}:
    get:
      operationId: FetchRoom
      tags: [Rooms]
      parameters: [{ name: Room, in: path, required: true, schema: { type: string } }]
      responses: { "204": { description: none } }
  /v1/Bells:
    get:
      operationId: ListBells
      tags: [Bells]
      responses: { "204": { description: none } }
"#;

    #[test]
    fn the_neutral_module_needs_the_features_of_the_operations_it_calls() {
        let api = api_from_text("tagged.yaml", TAGGED.as_bytes(), &Selection::All).expect("api");
        let module = |name: &str| ModuleSpec {
            name: name.into(),
            api: api.clone(),
        };
        let family = FamilySpec {
            name: "both".into(),
            modules: vec!["a".into(), "b".into()],
            renames: Default::default(),
        };
        let spec = CrateSpec {
            name: "c".into(),
            version: "0.1.0".into(),
            modules: vec![module("a"), module("b")],
            runtime: RuntimeCrate::Own,
            families: vec![family.clone()],
        };
        let cfg = module_cfg(&spec, &family).to_string();
        for feature in ["a-rooms", "a-bells", "b-rooms", "b-bells"] {
            assert!(
                cfg.contains(&format!("\"{feature}\"")),
                "{feature} in {cfg}"
            );
        }
        assert!(cfg.starts_with("# [cfg (all ("), "{cfg}");
    }

    fn mode_spec(values: &str) -> String {
        format!(
            r#"
openapi: 3.0.3
info: {{ title: Modes, version: "1" }}
paths:
  /v1/Rooms/{{Room}}:
    post:
      operationId: UpdateRoom
      parameters: [{{ name: Room, in: path, required: true, schema: {{ type: string }} }}]
      requestBody:
        content:
          application/x-www-form-urlencoded:
            schema:
              type: object
              properties:
                Mode: {{ type: string, enum: [{values}] }}
                Size: {{ type: integer, format: int64 }}
      responses: {{ "204": {{ description: none }} }}
"#
        )
    }

    /// A value only one provider knows is refused for the other, naming the field; a number
    /// is checked against the narrower type; unknown values pass.
    #[test]
    fn conversions_refuse_what_the_provider_cannot_take() {
        let a = api_from_text(
            "a.yaml",
            mode_spec("quiet, loud").as_bytes(),
            &Selection::All,
        )
        .expect("a");
        let b_text = mode_spec("loud, whisper").replace("int64", "int32");
        let b = api_from_text("b.yaml", b_text.as_bytes(), &Selection::All).expect("b");
        let members = [
            Member {
                module: "a",
                api: &a,
            },
            Member {
                module: "b",
                api: &b,
            },
        ];
        let family = match_family("both", &members, &Default::default());
        let text = module_tokens(&family, &members).to_string();
        assert!(
            text.contains(r#"Self :: Quiet => Err (unsupported (Provider :: B , field , "its spec has no value `quiet`"))"#),
            "{text}"
        );
        assert!(
            text.contains(r#"Self :: Whisper => Err (unsupported (Provider :: A , field , "its spec has no value `whisper`"))"#),
            "{text}"
        );
        assert!(text.contains("Self :: Unknown (value) => Ok (crate :: b :: UpdateRoomRequestMode :: from (value . as_str () . to_string ()))") || text.contains("Self :: Unknown (value) => Ok (crate :: b ::"), "{text}");
        assert!(text.contains("i32 :: try_from (* value)"), "{text}");
    }
}
