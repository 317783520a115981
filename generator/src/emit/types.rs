//! Named types → Rust structs and enums.

use super::tokens::{doc_attrs, ident, type_tokens};
use super::{docs, features};
use crate::ir::{
    Api, BodyEncoding, ByStatus, Enum, Field, ParamLocation, ResponseShape, StatusMatch, Struct,
    StructRole, TypeAlias, TypeId, TypeKind, TypeRef,
};
use proc_macro2::TokenStream;
use quote::quote;

/// The client feature that adds `Serialize` and `Deserialize` where the client itself needs
/// neither: for users who save and load bodies. The client decodes with `json::FromJson` and
/// encodes forms with `form_pairs`/`apply`; it serializes only what it sends as JSON.
pub const SERDE: &str = "serde";

/// Type `id` of `api`; `needed`: the features every item of it is compiled under (none:
/// always).
pub fn type_def(id: TypeId, api: &Api, needed: &[String]) -> TokenStream {
    let def = api.type_def(id);
    let cfg = features::cfg(needed);
    let needs = features::cfg_doc(needed);
    let mut doc = def
        .description
        .as_deref()
        .map(docs::lines)
        .unwrap_or_default();
    if !doc.is_empty() {
        doc.push(String::new());
    }
    doc.push(format!("Spec: `{}`.", def.origin.replace('`', "'")));
    let doc = doc_attrs(&doc);
    let doc = quote!(#doc #needs);
    let name = ident(&def.name);
    match &def.kind {
        TypeKind::Struct(s) => {
            let json = JsonUse {
                any: s.role == StructRole::Model || used_as_json(id, api),
                sent: sent_as_json(id, api),
            };
            struct_def(&name, doc, needed, s, json, api)
        }
        TypeKind::Enum(e) => enum_def(&name, doc, &cfg, e),
        TypeKind::ByStatus(b) => by_status_def(&name, doc, &cfg, b, api),
    }
}

/// `pub type Name = Target;` for an enum merged into another with the same values.
pub fn alias_def(alias: &TypeAlias, api: &Api, cfg: &TokenStream) -> TokenStream {
    let target = &api.type_def(alias.target).name;
    let doc = doc_attrs(&[format!(
        "The spec's {} by its own name: it has the same values as [`{target}`], which is its type.",
        docs::code(&alias.origin)
    )]);
    let name = ident(&alias.name);
    let target = ident(target);
    quote! {
        #doc
        #cfg
        pub type #name = #target;
    }
}

fn field_type(field: &Field, api: &Api) -> TokenStream {
    let mut ty = type_tokens(&field.ty, api);
    if field.boxed {
        ty = quote!(Box<#ty>);
    }
    if field.is_option() {
        ty = quote!(Option<#ty>);
    }
    ty
}

/// Whether a form body or parameters struct is also JSON somewhere (a field of a JSON type, a
/// JSON body, a response), so it still needs `Serialize`. Form bodies and parameters have one
/// encoder, their generated `form_pairs`/`apply`; a `Serialize` derive would be a second one.
/// (`Deserialize` stays: request examples and saved requests load into them.)
fn used_as_json(id: TypeId, api: &Api) -> bool {
    let models = api.types.iter().flat_map(|t| match &t.kind {
        TypeKind::Struct(s) if s.role == StructRole::Model => {
            s.fields.iter().map(|f| &f.ty).collect::<Vec<_>>()
        }
        TypeKind::ByStatus(b) => b.variants.iter().filter_map(|v| v.ty.as_ref()).collect(),
        _ => Vec::new(),
    });
    let operations = api.operations.iter().flat_map(|op| {
        let json_body = op
            .body
            .as_ref()
            .filter(|b| b.encoding == BodyEncoding::Json)
            .map(|b| &b.ty);
        let responses = [&op.success, &op.error]
            .into_iter()
            .filter_map(|r| match r {
                ResponseShape::Typed(ty) => Some(ty),
                _ => None,
            });
        json_body.into_iter().chain(responses)
    });
    models.chain(operations).any(|ty| refers_to(ty, id))
}

/// Whether a model is part of what an operation sends: its JSON body, or a type inside one.
fn sent_as_json(id: TypeId, api: &Api) -> bool {
    let mut pending: Vec<&TypeRef> = api
        .operations
        .iter()
        .filter_map(|op| op.body.as_ref())
        .filter(|b| b.encoding == BodyEncoding::Json)
        .map(|b| &b.ty)
        .collect();
    let mut seen = std::collections::BTreeSet::new();
    while let Some(ty) = pending.pop() {
        match ty {
            TypeRef::List(inner) | TypeRef::Map(inner) => pending.push(inner),
            TypeRef::Named(named) if *named == id => return true,
            TypeRef::Named(named) if seen.insert(*named) => {
                if let TypeKind::Struct(s) = &api.type_def(*named).kind {
                    pending.extend(s.fields.iter().map(|f| &f.ty));
                }
            }
            _ => {}
        }
    }
    false
}

/// What the client itself does with a struct as JSON.
#[derive(Clone, Copy)]
struct JsonUse {
    /// It is JSON somewhere (a response, a model, a JSON body): the client decodes it.
    any: bool,
    /// It is (part of) a JSON body: the client serializes it.
    sent: bool,
}

fn refers_to(ty: &TypeRef, id: TypeId) -> bool {
    match ty {
        TypeRef::Named(named) => *named == id,
        TypeRef::List(inner) | TypeRef::Map(inner) => refers_to(inner, id),
        _ => false,
    }
}

fn struct_def(
    name: &proc_macro2::Ident,
    doc: TokenStream,
    needed: &[String],
    s: &Struct,
    json: JsonUse,
    api: &Api,
) -> TokenStream {
    let cfg = &features::cfg(needed);
    let for_users = &features::cfg_with(needed, SERDE);
    let all_optional = s.fields.iter().all(Field::is_option);
    let default = all_optional.then(|| quote!(, Default));
    let fields = s.fields.iter().map(|f| {
        let doc = doc_attrs(&field_doc(f, s.role));
        let rust = ident(&f.rust_name);
        let ty = field_type(f, api);
        quote! {
            #doc
            pub #rust: #ty,
        }
    });
    let role = match s.role {
        StructRole::Model => None,
        StructRole::Form => Some(form_impl(name, &s.fields)),
        StructRole::Params => Some(params_impl(name, &s.fields)),
        StructRole::Multipart => Some(multipart_impl(name, &s.fields)),
    };
    let role = role.map(|role| quote!(#cfg #role));
    // A multipart body holds files, which have no JSON form: it is not (de)serialized. Form
    // bodies and parameters have their own encoder (`form_pairs`/`apply`), so they get
    // `Serialize` only when they are also JSON somewhere. What the client does not use
    // itself is for users, behind the `serde` feature (the `mock` feature turns it on: a mock
    // writes responses as JSON).
    let has_json = s.role != StructRole::Multipart;
    let keys = json_keys(&s.fields);
    let deserialize = has_json.then(|| {
        let from_json = from_json_impl(name, &s.fields, &keys);
        let from_json_cfg = if json.any { cfg } else { for_users };
        quote! {
            #from_json_cfg
            #from_json
            #for_users
            crate::runtime::impl_deserialize_json!(#name);
        }
    });
    let serialize = (has_json && json.any).then(|| {
        let serialize = serialize_impl(name, &s.fields, &keys);
        let serialize_cfg = if json.sent { cfg } else { for_users };
        quote!(#serialize_cfg #serialize)
    });
    // Only what callers build gets one: responses are read (README, "Reviewing generated
    // changes"), so a new required response field stays additive.
    let built = s.role != StructRole::Model || json.sent;
    let constructor = (built && !all_optional).then(|| {
        let constructor = constructor_impl(name, &s.fields, api);
        quote!(#cfg #constructor)
    });
    quote! {
        #doc
        #cfg
        #[derive(Debug, Clone, PartialEq #default)]
        pub struct #name {
            #(#fields)*
        }
        #constructor
        #deserialize
        #serialize
        #role
    }
}

/// A field's documentation. A value the client encodes (a form field, a query parameter)
/// loses any advice to encode it, and says the client does.
fn field_doc(field: &Field, role: StructRole) -> Vec<String> {
    let encoded = match role {
        StructRole::Form => true,
        StructRole::Params => field.location == Some(ParamLocation::Query),
        StructRole::Model | StructRole::Multipart => false,
    };
    match encoded
        .then(|| docs::without_encoding_advice(&field.facts))
        .flatten()
    {
        Some(facts) => {
            let mut lines = docs::fact_lines(&facts);
            if !lines.is_empty() {
                lines.push(String::new());
            }
            lines.push(docs::ENCODED_BY_CLIENT.to_string());
            lines
        }
        None => docs::fact_lines(&field.facts),
    }
}

/// `new` with the fields that have no `None` (in field order), every other field `None`: a
/// struct with required fields is then built in one expression, the optional fields by name
/// (`Name { field: Some(..), ..Name::new(..) }`), as one with none is from `Default`.
fn constructor_impl(name: &proc_macro2::Ident, fields: &[Field], api: &Api) -> TokenStream {
    let required: Vec<&Field> = fields.iter().filter(|f| !f.is_option()).collect();
    let params = required.iter().map(|f| {
        let rust = ident(&f.rust_name);
        match (&f.ty, f.boxed) {
            (TypeRef::String, false) => quote!(#rust: impl Into<String>),
            _ => {
                let ty = field_type(f, api);
                quote!(#rust: #ty)
            }
        }
    });
    let inits = fields.iter().map(|f| {
        let rust = ident(&f.rust_name);
        match (f.is_option(), &f.ty, f.boxed) {
            (true, _, _) => quote!(#rust: None,),
            (false, TypeRef::String, false) => quote!(#rust: #rust.into(),),
            (false, _, _) => quote!(#rust,),
        }
    });
    let names: Vec<String> = required
        .iter()
        .map(|f| format!("`{}`", f.rust_name.trim_start_matches("r#")))
        .collect();
    let listed = match names.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => String::new(),
    };
    let doc = doc_attrs(&[
        format!("The required {listed}; every optional field `None`."),
        String::new(),
        format!(
            "Set optional fields by name: `{name} {{ field: Some(value), ..{name}::new(…) }}`."
        ),
    ]);
    quote! {
        impl #name {
            #doc
            #[inline]
            pub fn new(#(#params),*) -> Self {
                #name { #(#inits)* }
            }
        }
    }
}

/// Each field's JSON key: its wire name, except that parameters in different locations may
/// share one (`Sid` in the query and a header), and only the first keeps it; later ones use
/// their Rust name.
fn json_keys(fields: &[Field]) -> Vec<String> {
    fields
        .iter()
        .enumerate()
        .map(|(i, f)| {
            if fields[..i].iter().any(|g| g.wire_name == f.wire_name) {
                f.rust_name.trim_start_matches("r#").to_string()
            } else {
                f.wire_name.clone()
            }
        })
        .collect()
}

/// Decoding from a parsed JSON object with the runtime's `json::Fields`: one plain
/// function per struct, each field taken out by its key. `#[inline]`, as every function the
/// client generates per operation or type: compiled in the crate that calls it (README,
/// "Operations are compiled where they are called").
fn from_json_impl(name: &proc_macro2::Ident, fields: &[Field], keys: &[String]) -> TokenStream {
    let inits = fields.iter().zip(keys).map(|(f, wire)| {
        let rust = ident(&f.rust_name);
        if f.is_option() {
            quote!(#rust: fields.optional(#wire),)
        } else {
            quote!(#rust: fields.required(#wire)?,)
        }
    });
    let expecting = format!("struct {name}");
    quote! {
        impl crate::runtime::json::FromJson for #name {
            #[inline]
            fn from_json(value: ::serde_json::Value) -> Result<Self, crate::runtime::json::DecodeError> {
                let mut fields = crate::runtime::json::Fields::new(value, #expecting)?;
                let value = Self { #(#inits)* };
                fields.finish()?;
                Ok(value)
            }
        }
    }
}

/// Encoding as a JSON object through the runtime's `json::Entries`, in field order:
/// optional fields that are not set are left out; required ones are always written (`null`
/// when nullable and unset).
fn serialize_impl(name: &proc_macro2::Ident, fields: &[Field], keys: &[String]) -> TokenStream {
    let entries = fields.iter().zip(keys).map(|(f, wire)| {
        let rust = ident(&f.rust_name);
        if f.required {
            quote!(map.required(#wire, &self.#rust);)
        } else {
            quote!(map.optional(#wire, &self.#rust);)
        }
    });
    let binding = if fields.is_empty() {
        quote!(map)
    } else {
        quote!(mut map)
    };
    quote! {
        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let #binding = crate::runtime::json::Entries::new(serializer)?;
                #(#entries)*
                map.end()
            }
        }
    }
}

/// The parts of a multipart body: the fields that are set, in the spec's property order.
fn multipart_impl(name: &proc_macro2::Ident, fields: &[Field]) -> TokenStream {
    let adds = fields.iter().map(|f| {
        let rust = ident(&f.rust_name);
        let wire = &f.wire_name;
        match (&f.ty, f.is_option()) {
            (TypeRef::File, false) => quote!(parts.file(#wire, &self.#rust);),
            (TypeRef::File, true) => quote!(parts.file_opt(#wire, &self.#rust);),
            _ => quote!(parts.field(#wire, &self.#rust);),
        }
    });
    quote! {
        impl #name {
            /// The fields that are set, as multipart parts in the spec's property order.
            #[inline]
            pub(crate) fn multipart(&self) -> crate::runtime::Multipart {
                let mut parts = crate::runtime::Multipart::new();
                #(#adds)*
                parts
            }
        }
    }
}

/// Form pairs of the fields that are set, in the spec's property order.
fn form_impl(name: &proc_macro2::Ident, fields: &[Field]) -> TokenStream {
    let pushes = fields.iter().map(|f| {
        let rust = ident(&f.rust_name);
        let wire = &f.wire_name;
        quote!(self.#rust.push_to(#wire, &mut pairs);)
    });
    quote! {
        impl #name {
            /// The fields that are set, as form pairs in the spec's property order.
            #[inline]
            pub(crate) fn form_pairs(&self) -> Vec<(&'static str, String)> {
                use crate::runtime::WireValue as _;
                let mut pairs = Vec::new();
                #(#pushes)*
                pairs
            }
        }
    }
}

fn params_impl(name: &proc_macro2::Ident, fields: &[Field]) -> TokenStream {
    let adds = fields.iter().map(|f| {
        let rust = ident(&f.rust_name);
        let wire = &f.wire_name;
        match f.location {
            Some(ParamLocation::Header) => quote!(request.header(#wire, &self.#rust);),
            _ => quote!(request.query(#wire, &self.#rust);),
        }
    });
    quote! {
        impl #name {
            /// Adds the parameters that are set to a request.
            #[inline]
            pub(crate) fn apply(&self, request: &mut crate::runtime::Request) {
                #(#adds)*
            }
        }
    }
}

fn enum_def(
    name: &proc_macro2::Ident,
    doc: TokenStream,
    cfg: &TokenStream,
    e: &Enum,
) -> TokenStream {
    let fallback = ident(&e.fallback);
    let variants = e.values.iter().map(|v| {
        let variant = ident(&v.variant);
        let doc = doc_attrs(&[docs::code(&v.wire)]);
        quote!(#doc #variant,)
    });
    let to_wire = e.values.iter().map(|v| {
        let variant = ident(&v.variant);
        let wire = &v.wire;
        quote!(Self::#variant => #wire,)
    });
    let from_wire = e.values.iter().map(|v| {
        let variant = ident(&v.variant);
        let wire = &v.wire;
        quote!(#wire => Self::#variant,)
    });
    quote! {
        #doc
        #cfg
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum #name {
            #(#variants)*
            /// A value this client does not know, kept exactly as received; never one of the
            /// values above (parsing normalises those).
            #fallback(crate::UnknownValue),
        }
        #cfg
        impl #name {
            /// The value as it goes on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #(#to_wire)*
                    Self::#fallback(value) => value.as_str(),
                }
            }
        }
        #cfg
        impl From<String> for #name {
            fn from(value: String) -> Self {
                match value.as_str() {
                    #(#from_wire)*
                    _ => Self::#fallback(crate::runtime::UnknownValue::new(value)),
                }
            }
        }
        #cfg
        crate::runtime::impl_open_enum!(#name);
    }
}

pub fn status_doc(statuses: &[StatusMatch]) -> String {
    statuses
        .iter()
        .map(|s| match s {
            StatusMatch::Code(c) => c.to_string(),
            StatusMatch::Class(c) => format!("{c}XX"),
            StatusMatch::Default => "any other status".to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn by_status_def(
    name: &proc_macro2::Ident,
    doc: TokenStream,
    cfg: &TokenStream,
    b: &ByStatus,
    api: &Api,
) -> TokenStream {
    let variants = b.variants.iter().map(|v| {
        let mut lines = vec![format!("HTTP {}.", status_doc(&v.statuses))];
        if let Some(d) = &v.description {
            lines.push(String::new());
            lines.extend(docs::lines(d));
        }
        let doc = doc_attrs(&lines);
        let variant = ident(&v.name);
        match &v.ty {
            Some(ty) => {
                let ty = type_tokens(ty, api);
                quote!(#doc #variant(#ty),)
            }
            None => quote!(#doc #variant,),
        }
    });
    let fallback = b.fallback.as_deref().map(|f| {
        let f = ident(f);
        quote! {
            /// An undocumented status, decoded as the API's usual error body.
            #f(crate::runtime::ApiErrorBody),
        }
    });
    quote! {
        #doc
        #cfg
        #[derive(Debug, Clone, PartialEq)]
        pub enum #name {
            #(#variants)*
            #fallback
        }
    }
}
