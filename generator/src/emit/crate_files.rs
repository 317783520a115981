//! The files of a standalone client crate: `Cargo.toml`, `src/lib.rs`, the runtime and one
//! module per spec.

use super::module_tokens;
use super::tokens::ident;
use crate::error::Error;
use crate::format;
use crate::ir::{Api, AuthKind, BodyEncoding, TypeKind, TypeRef};
use crate::output::GeneratedFile;
use proc_macro2::TokenStream;
use quote::quote;

/// The runtime every generated crate carries, emitted verbatim.
const RUNTIME: &str = include_str!("../../templates/runtime.rs");

/// What to put in a generated crate.
#[derive(Debug, Clone)]
pub struct CrateSpec {
    /// Package name, `telephony-client`.
    pub name: String,
    pub version: String,
    pub modules: Vec<ModuleSpec>,
}

/// One spec, emitted as `src/{name}.rs`.
#[derive(Debug, Clone)]
pub struct ModuleSpec {
    pub name: String,
    pub api: Api,
}

/// Every file of the crate, paths relative to its root, in a fixed order.
pub fn emit_crate(spec: &CrateSpec) -> Result<Vec<GeneratedFile>, Error> {
    let sources: Vec<&str> = spec.modules.iter().map(|m| m.api.source.as_str()).collect();
    let from = sources.join(", ");
    let mut files = vec![
        GeneratedFile::new("Cargo.toml", cargo_toml(spec, &from)),
        GeneratedFile::new(
            "src/lib.rs",
            format::rust_file(lib_tokens(spec), &from, "src/lib.rs")?,
        ),
        GeneratedFile::new(
            "src/runtime.rs",
            format::verbatim_rust(RUNTIME, &from, "src/runtime.rs")?,
        ),
    ];
    for module in &spec.modules {
        let path = format!("src/{}.rs", module.name);
        let text = format::rust_file(module_tokens(&module.api), &module.api.source, &path)?;
        files.push(GeneratedFile::new(path, text));
    }
    Ok(files)
}

fn cargo_toml(spec: &CrateSpec, from: &str) -> String {
    format!(
        r#"{header}
[package]
name = "{name}"
version = "{version}"
edition = "2021"
rust-version = "1.85"
description = "Typed async client generated from {from}"
license = "MIT"
publish = false

[dependencies]
bytes = "1"
form_urlencoded = "1.2"
percent-encoding = "2.3"
reqwest = {{ version = "0.12", default-features = false, features = ["rustls-tls", "http2"] }}
serde = {{ version = "1", features = ["derive"] }}
serde_json = "1"
thiserror = "2"
time = {{ version = "0.3.36", features = ["formatting", "parsing"] }}

[dev-dependencies]
tokio = {{ version = "1", features = ["macros", "rt-multi-thread"] }}
"#,
        header = format::header("#", from),
        name = spec.name,
        version = spec.version,
    )
}

fn lib_tokens(spec: &CrateSpec) -> TokenStream {
    let crate_ident = spec.name.replace('-', "_");
    let mut doc = vec![
        format!(
            "Typed async clients generated from OpenAPI specs: {}.",
            spec.modules
                .iter()
                .map(|m| format!("[`{}`]", m.name))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        String::new(),
        "| module | spec | operations |".to_string(),
        "|---|---|---|".to_string(),
    ];
    for m in &spec.modules {
        let ops: Vec<String> = m
            .api
            .operations
            .iter()
            .map(|o| {
                format!(
                    "[`{0}`]({1}::Client::{0})",
                    o.method_name.trim_start_matches("r#"),
                    m.name
                )
            })
            .collect();
        doc.push(format!(
            "| [`{}`] | `{}` | {} |",
            m.name,
            m.api.source,
            ops.join(", ")
        ));
    }
    doc.push(String::new());
    doc.push("Every call returns the operation's response type or an [`Error`] that keeps the HTTP status and the raw body. Path parameters are percent-encoded as exactly one path segment each; form bodies send only the fields that are set.".to_string());
    if let Some(example) = spec
        .modules
        .iter()
        .find_map(|m| example(&crate_ident, &m.name, &m.api))
    {
        doc.push(String::new());
        doc.push("# Example".to_string());
        doc.push(String::new());
        doc.extend(example);
    }
    let doc = doc.iter().map(|l| {
        let l = if l.is_empty() {
            String::new()
        } else {
            format!(" {l}")
        };
        quote!(#![doc = #l])
    });
    let modules = spec.modules.iter().map(|m| {
        let name = ident(&m.name);
        let doc = format!(" {} ({})", m.api.title, m.api.source);
        quote!(#[doc = #doc] #[rustfmt::skip] pub mod #name;)
    });
    quote! {
        #(#doc)*
        #![forbid(unsafe_code)]

        // Not every spec uses every runtime feature (JSON bodies, query parameters, …).
        #[allow(dead_code)]
        #[rustfmt::skip]
        mod runtime;
        #(#modules)*

        // Two short lists: prettyplease and rustfmt then agree on the layout.
        pub use runtime::{default_user_agent, encode_form, InvalidRequest, Timestamp, WireValue};
        pub use runtime::{ApiError, ApiErrorBody, BuildError, ClientConfig, Credentials, Error};
    }
}

/// A compiled (not run) example calling the first operation whose arguments are simple.
fn example(crate_ident: &str, module: &str, api: &Api) -> Option<Vec<String>> {
    let server = api.server.as_ref()?;
    let op = api.operations.iter().find(|op| {
        op.params_type.is_none()
            && op.path_params.iter().all(|p| p.ty == TypeRef::String)
            && op
                .body
                .as_ref()
                .is_none_or(|b| b.encoding == BodyEncoding::Form && defaultable(api, &b.ty))
    })?;
    let credentials = match api.auth.as_ref().map(|a| &a.kind) {
        Some(AuthKind::Bearer) => "Credentials::bearer(\"token\")",
        _ => "Credentials::basic(\"username\", \"password\")",
    };
    let vars: Vec<String> = server
        .variables
        .iter()
        .map(|v| format!("{:?}, ", format!("your-{}", v.name.replace('_', "-"))))
        .collect();
    let mut args: Vec<String> = op
        .path_params
        .iter()
        .map(|p| format!("{:?}", p.wire_name))
        .collect();
    if let Some(body) = &op.body {
        let TypeRef::Named(name) = &body.ty else {
            return None;
        };
        let first_bool = api
            .types
            .iter()
            .find(|t| &t.name == name)
            .and_then(|t| match &t.kind {
                TypeKind::Struct(s) => s
                    .fields
                    .iter()
                    .find(|f| f.ty == TypeRef::Bool)
                    .map(|f| f.rust_name.clone()),
                _ => None,
            });
        args.push(match first_bool {
            Some(field) => {
                format!("&{module}::{name} {{ {field}: Some(true), ..Default::default() }}")
            }
            None => format!("&{module}::{name}::default()"),
        });
    }
    Some(vec![
        "```no_run".to_string(),
        format!("use {crate_ident}::{{{module}, Credentials}};"),
        String::new(),
        "# async fn example() -> Result<(), Box<dyn std::error::Error>> {".to_string(),
        format!(
            "let client = {module}::Client::new({}{credentials})?;",
            vars.join("")
        ),
        format!(
            "let response = client.{}({}).await?;",
            op.method_name,
            args.join(", ")
        ),
        "println!(\"{response:?}\");".to_string(),
        "# Ok(())".to_string(),
        "# }".to_string(),
        "```".to_string(),
    ])
}

fn defaultable(api: &Api, ty: &TypeRef) -> bool {
    let TypeRef::Named(name) = ty else {
        return false;
    };
    api.types.iter().any(|t| {
        &t.name == name
            && matches!(&t.kind, TypeKind::Struct(s) if s.fields.iter().all(|f| f.is_option()))
    })
}
