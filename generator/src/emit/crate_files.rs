//! The files of a standalone client crate: `Cargo.toml`, `src/lib.rs`, the runtime and one
//! module per spec.

use super::features::{module_features, ModuleFeatures};
use super::tokens::ident;
use super::{Content, TokenFile};
use crate::ir::{
    Api, AuthKind, BodyEncoding, Operation, ResponseShape, Server, TypeId, TypeKind, TypeRef,
};
use proc_macro2::TokenStream;
use quote::quote;

/// The runtime crate's modules, emitted verbatim as `runtime/src/{file}`. Its
/// `version.rs` is written with them, from [`runtime_version`].
const RUNTIME: &[(&str, &str)] = &[
    ("lib.rs", include_str!("../../templates/runtime/lib.rs")),
    ("axum.rs", include_str!("../../templates/runtime/axum.rs")),
    ("call.rs", include_str!("../../templates/runtime/call.rs")),
    (
        "config.rs",
        include_str!("../../templates/runtime/config.rs"),
    ),
    (
        "credentials.rs",
        include_str!("../../templates/runtime/credentials.rs"),
    ),
    ("enums.rs", include_str!("../../templates/runtime/enums.rs")),
    (
        "environment.rs",
        include_str!("../../templates/runtime/environment.rs"),
    ),
    ("error.rs", include_str!("../../templates/runtime/error.rs")),
    ("form.rs", include_str!("../../templates/runtime/form.rs")),
    ("hooks.rs", include_str!("../../templates/runtime/hooks.rs")),
    ("json.rs", include_str!("../../templates/runtime/json.rs")),
    ("mock.rs", include_str!("../../templates/runtime/mock.rs")),
    (
        "multipart.rs",
        include_str!("../../templates/runtime/multipart.rs"),
    ),
    (
        "paging.rs",
        include_str!("../../templates/runtime/paging.rs"),
    ),
    ("path.rs", include_str!("../../templates/runtime/path.rs")),
    (
        "request.rs",
        include_str!("../../templates/runtime/request.rs"),
    ),
    (
        "response.rs",
        include_str!("../../templates/runtime/response.rs"),
    ),
    ("retry.rs", include_str!("../../templates/runtime/retry.rs")),
    (
        "signature.rs",
        include_str!("../../templates/runtime/signature.rs"),
    ),
    (
        "timestamp.rs",
        include_str!("../../templates/runtime/timestamp.rs"),
    ),
    (
        "transport.rs",
        include_str!("../../templates/runtime/transport.rs"),
    ),
    (
        "webhook.rs",
        include_str!("../../templates/runtime/webhook.rs"),
    ),
    ("wire.rs", include_str!("../../templates/runtime/wire.rs")),
];

/// What a client checks its runtime against at compile time: this generator's version and a
/// fingerprint of the runtime's sources, so that any other runtime is refused.
pub fn runtime_version() -> String {
    const FINGERPRINT: u64 = fingerprint(RUNTIME);
    format!(
        "telephony-codegen {}, runtime {FINGERPRINT:016x}",
        env!("CARGO_PKG_VERSION")
    )
}

/// FNV-1a over every file's name and text: stable across runs and platforms, and computed
/// while the generator compiles.
const fn fingerprint(files: &[(&str, &str)]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut f = 0;
    while f < files.len() {
        let (name, text) = files[f];
        let parts = [name.as_bytes(), text.as_bytes()];
        let mut p = 0;
        while p < parts.len() {
            let bytes = parts[p];
            let mut i = 0;
            while i < bytes.len() {
                hash ^= bytes[i] as u64;
                hash = hash.wrapping_mul(0x0100_0000_01b3);
                i += 1;
            }
            p += 1;
        }
        f += 1;
    }
    hash
}

/// What to put in a generated crate.
#[derive(Debug, Clone)]
pub struct CrateSpec {
    /// Package name, `telephony-client`.
    pub name: String,
    pub version: String,
    pub modules: Vec<ModuleSpec>,
    pub runtime: RuntimeCrate,
    /// Provider-neutral modules over some of `modules`.
    pub families: Vec<FamilySpec>,
}

pub use crate::family::FamilySpec;

/// Where a client's runtime crate comes from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum RuntimeCrate {
    /// Written beside the client, in its `runtime/` folder, as the package `{client}-runtime`.
    #[default]
    Own,
    /// A runtime crate that already exists (another client's), so that several clients share
    /// one: its package name, and its folder relative to the client's.
    Shared { package: String, path: String },
}

impl RuntimeCrate {
    /// The runtime's package name and its folder relative to the client's.
    fn location(&self, client: &str) -> (String, String) {
        match self {
            RuntimeCrate::Own => (format!("{client}-runtime"), "runtime".to_string()),
            RuntimeCrate::Shared { package, path } => (package.clone(), path.clone()),
        }
    }
}

/// One spec, emitted as `src/{name}.rs`.
#[derive(Debug, Clone)]
pub struct ModuleSpec {
    pub name: String,
    pub api: Api,
}

/// Every file of the crate, paths relative to its root, in a fixed order.
pub fn emit_crate(spec: &CrateSpec) -> Vec<TokenFile<'_>> {
    let sources: Vec<&str> = spec.modules.iter().map(|m| m.api.source.as_str()).collect();
    let from = sources.join(", ");
    let file = |path: &str, content| TokenFile {
        path: path.to_string(),
        sources: spec.modules.iter().map(|m| &m.api).collect(),
        content,
    };
    let features: Vec<ModuleFeatures> = spec
        .modules
        .iter()
        .map(|m| module_features(&m.api, &m.name))
        .collect();
    let mut files = vec![
        file(
            "Cargo.toml",
            Content::Toml(cargo_toml(spec, &features, &from)),
        ),
        file(
            "src/lib.rs",
            Content::Rust {
                head: Box::new(move || lib_tokens(spec)),
                items: Vec::new(),
            },
        ),
    ];
    if spec.runtime == RuntimeCrate::Own {
        files.extend(runtime_files(spec));
    }
    for (module, features) in spec.modules.iter().zip(&features) {
        files.extend(super::module_files(
            &module.api,
            features,
            &super::layout::module_dir(&module.name),
        ));
    }
    for family in &spec.families {
        files.push(super::neutral::neutral_file(spec, family));
    }
    for module in &spec.modules {
        if let Some(example) = example_program(module) {
            let crate_ident = spec.name.replace('-', "_");
            let path = format!("examples/{}.rs", example.name);
            files.push(TokenFile {
                path,
                sources: vec![&module.api],
                content: Content::Rust {
                    head: Box::new(move || example_tokens(&crate_ident, &example, module)),
                    items: Vec::new(),
                },
            });
        }
    }
    files
}

/// The runtime crate: its manifest, its modules and the version its clients check. Its files
/// name no spec, so a spec change leaves the runtime (and its build) untouched.
fn runtime_files(spec: &CrateSpec) -> Vec<TokenFile<'_>> {
    let file = |path: String, content| TokenFile {
        path,
        sources: Vec::new(),
        content,
    };
    let mut files = vec![file(
        "runtime/Cargo.toml".to_string(),
        Content::Toml(runtime_cargo_toml(spec)),
    )];
    files.extend(
        RUNTIME
            .iter()
            .map(|(name, text)| file(format!("runtime/src/{name}"), Content::VerbatimRust(text))),
    );
    files.push(file(
        "runtime/src/version.rs".to_string(),
        Content::Rust {
            head: Box::new(|| {
                let version = runtime_version();
                quote! {
                    //! Which generator wrote this runtime. Each client asserts at compile time
                    //! that it was generated with this same runtime.

                    /// The generator's version and a fingerprint of the runtime's sources.
                    pub const VERSION: &str = #version;
                }
            }),
            items: Vec::new(),
        },
    ));
    files
}

/// The features the operation of a module's example program needs.
fn example_features<'a>(
    module: &ModuleSpec,
    example: &ExampleProgram<'_>,
    features: &'a ModuleFeatures,
) -> &'a [String] {
    module
        .api
        .operations
        .iter()
        .position(|o| o.id == example.op.id)
        .and_then(|i| features.operations.get(i))
        .map_or(&[], Vec::as_slice)
}

/// The per-resource lines of `[features]` (one per resource, all on by default), and the
/// `[[example]]` tables of the examples that need some. Both empty for a single resource.
fn resource_features_toml(spec: &CrateSpec, features: &[ModuleFeatures]) -> (String, String) {
    let names: Vec<&str> = features.iter().flat_map(ModuleFeatures::names).collect();
    if names.is_empty() {
        return (String::new(), String::new());
    }
    let quoted = |names: &[&str]| {
        names
            .iter()
            .map(|n| format!("\"{n}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut lines = String::from(
        "# One feature per resource (spec tag), all on by default: to compile only what you\n\
         # call, depend with `default-features = false, features = [...]`.\n",
    );
    lines.push_str(&format!("default = [{}]\n", quoted(&names)));
    for name in &names {
        lines.push_str(&format!("{name} = []\n"));
    }
    let mut examples = String::new();
    for (module, features) in spec.modules.iter().zip(features) {
        // The same decision as the file in `examples/`: a table without its file is a
        // manifest cargo refuses.
        let Some(example) = example_program(module) else {
            continue;
        };
        let needed = example_features(module, &example, features);
        if !needed.is_empty() {
            let needed: Vec<&str> = needed.iter().map(String::as_str).collect();
            examples.push_str(&format!(
                "\n[[example]]\nname = \"{}\"\nrequired-features = [{}]\n",
                example.name,
                quoted(&needed)
            ));
        }
    }
    (lines, examples)
}

fn cargo_toml(spec: &CrateSpec, features: &[ModuleFeatures], from: &str) -> String {
    let (resources, examples) = resource_features_toml(spec, features);
    let families: String = spec
        .families
        .iter()
        .map(|f| {
            format!(
                "# The provider-neutral client over {} (the `{}` module).\n{} = []\n",
                f.modules.join(" and "),
                f.name,
                crate::family::family_feature(&f.name)
            )
        })
        .collect();
    let (runtime, path) = spec.runtime.location(&spec.name);
    format!(
        r#"[package]
name = "{name}"
version = "{version}"
edition = "2021"
rust-version = "1.85"
description = "Typed async client generated from {from}"
license = "MIT"
publish = false

[features]
# One span per call (operation id, method, path template, status, attempt, elapsed).
tracing = ["{runtime}/tracing"]
# Webhooks: verifying their signatures (the `webhooks` module) and their typed payloads
# (each module's `webhooks`), decoded from form fields or JSON.
webhooks = ["{runtime}/webhooks"]
# An axum extractor that verifies webhooks (implies `webhooks`).
axum = ["webhooks", "{runtime}/axum"]
# A typed mock server per module (`{{module}}::mock::MockServer`), for your tests: add it to
# your dev-dependencies' features only. Its responses are written as JSON (implies `serde`).
mock = ["serde", "{runtime}/mock"]
# `Serialize` and `Deserialize` on every type, to save and load bodies yourself (the client
# decodes and encodes without them).
serde = []
{families}{resources}
[dependencies]
# Transport, retries, paging, codecs and errors: compiled once, not with every spec change.
{runtime} = {{ path = "{path}" }}
serde = "1"
serde_json = "1"

[dev-dependencies]
tokio = {{ version = "1", features = ["macros", "rt-multi-thread"] }}
{examples}"#,
        name = spec.name,
        version = spec.version,
    )
}

/// The runtime's manifest: every dependency the client's calls need, and the opt-in features.
fn runtime_cargo_toml(spec: &CrateSpec) -> String {
    let (runtime, _) = spec.runtime.location(&spec.name);
    format!(
        r#"[package]
name = "{runtime}"
version = "{version}"
edition = "2021"
rust-version = "1.85"
description = "The runtime of {name}: transport, retries, paging, codecs and errors"
license = "MIT"
publish = false

[features]
# One span per call (operation id, method, path template, status, attempt, elapsed).
tracing = ["dep:tracing"]
# Webhooks: signature verification (HMAC-SHA1, SHA-256 and constant-time comparison) and
# decoding payloads (form fields or JSON, by the request's content type).
webhooks = ["dep:base64", "dep:hmac", "dep:sha1", "dep:sha2", "dep:subtle"]
# An axum extractor that verifies webhooks (implies `webhooks`).
axum = ["webhooks", "dep:axum", "dep:http-body-util"]
# The typed mock servers' core, on wiremock; decodes request bodies with the same form
# decoder as the webhooks, without their signature crates.
mock = ["dep:wiremock"]

[dependencies]
axum = {{ version = "0.8", optional = true, default-features = false, features = ["original-uri"] }}
base64 = {{ version = "0.22", optional = true }}
bytes = "1"
fastrand = "2"
form_urlencoded = "1.2"
futures-core = "0.3"
hmac = {{ version = "0.12", optional = true }}
http-body-util = {{ version = "0.1", optional = true }}
httpdate = "1.0"
percent-encoding = "2.3"
reqwest = {{ version = "0.12", default-features = false, features = ["rustls-tls", "http2", "gzip"] }}
serde = {{ version = "1", features = ["derive"] }}
serde_json = "1"
sha1 = {{ version = "0.10", optional = true }}
sha2 = {{ version = "0.10", optional = true }}
subtle = {{ version = "2.6", optional = true }}
thiserror = "2"
time = {{ version = "0.3.36", features = ["parsing"] }}
tokio = {{ version = "1", features = ["time"] }}
tracing = {{ version = "0.1", optional = true }}
wiremock = {{ version = "0.6", optional = true }}
"#,
        name = spec.name,
        version = spec.version,
    )
}

fn lib_tokens(spec: &CrateSpec) -> TokenStream {
    let crate_ident = spec.name.replace('-', "_");
    let runtime = ident(&spec.runtime.location(&spec.name).0.replace('-', "_"));
    let version = runtime_version();
    let mismatch = format!(
        "this client was generated by {version}; its runtime crate by another generator or from other sources: generate both again with one generator"
    );
    // Exported only where a multipart body needs it, so other crates do not grow a type.
    let multipart = spec
        .modules
        .iter()
        .flat_map(|m| &m.api.operations)
        .any(|op| {
            op.body
                .as_ref()
                .is_some_and(|b| b.encoding == BodyEncoding::Multipart)
        });
    let file_part = multipart.then(|| {
        quote!(
            pub use runtime::FilePart;
        )
    });
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
        "| module | spec | resources (spec tags) and their operations |".to_string(),
        "|---|---|---|".to_string(),
    ];
    for m in &spec.modules {
        doc.push(format!(
            "| [`{}`] | `{}` | {} |",
            m.name,
            m.api.source,
            resource_index(m)
        ));
    }
    doc.push(String::new());
    doc.push("Every call returns a [`Response`] of the operation's response type (it dereferences to the value and keeps the status, headers and request id) or an [`Error`] that keeps the HTTP status, headers and raw body. List operations also return a [`Page`] and stream [`Items`] across pages. Requests are retried as the [`RetryPolicy`] allows; a [`Hook`] observes each attempt. Path parameters are percent-encoded as exactly one path segment each; form bodies send only the fields that are set.".to_string());
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
    let doc = super::tokens::inner_doc_attrs(&doc);
    let mock = {
        let feature = super::mock::MOCK;
        quote! {
            /// The typed mock servers' shared pieces (each module's `mock::MockServer` names
            /// them): expectations, typed request bodies and what a mock found wrong.
            #[cfg(feature = #feature)]
            pub use runtime::mock;
        }
    };
    let modules = spec.modules.iter().map(|m| {
        let name = ident(&m.name);
        let doc = super::tokens::doc_attrs(&[format!("{} ({})", m.api.title, m.api.source)]);
        quote!(#doc #[rustfmt::skip] pub mod #name;)
    });
    let families = spec.families.iter().map(|f| {
        let name = ident(&f.name);
        let cfg = super::neutral::module_cfg(spec, f);
        let doc = super::tokens::doc_attrs(&[format!(
            "One API for {}: a client of either provider, with the support matrix checked",
            f.modules.join(" and ")
        )]);
        let needs = super::features::cfg_doc(&[crate::family::family_feature(&f.name)]);
        quote!(#doc #needs #cfg #[rustfmt::skip] pub mod #name;)
    });
    // Exported only where a module reads settings from the environment.
    let settings = spec
        .modules
        .iter()
        .any(|m| m.api.environment.is_some())
        .then(|| {
            quote!(
                pub use runtime::{Setting, SettingsError};
            )
        });
    // Exported only where a neutral module streams items through it.
    let mapped_items = (!spec.families.is_empty()).then(|| {
        quote!(
            pub use runtime::MappedItems;
        )
    });
    quote! {
        #doc
        #![cfg_attr(rustfmt, rustfmt::skip)]
        #![forbid(unsafe_code)]

        use #runtime as runtime;

        // A runtime from another generator would not fit the code below: refused here rather
        // than with a page of type errors.
        const _: () = assert!(runtime::same_version(#version), #mismatch);

        #(#modules)*
        #(#families)*

        // Two short lists: prettyplease and rustfmt then agree on the layout.
        pub use runtime::{encode_form, InvalidRequest, Timestamp, WireValue};
        pub use runtime::{ApiError, ApiErrorBody, BuildError, ClientConfig, Credentials, Error, TransportKind};
        #file_part
        #mapped_items
        #settings
        pub use runtime::{Attempt, AttemptOutcome, Hook, Operation, RetryPolicy};
        pub use runtime::{Call, Items, Listing, Page, PageCall, Response, ResponseMeta, UnknownValue};
        #mock

        /// The HTTP client the runtime is built on, for hooks (`reqwest::Request`) and
        /// [`ClientConfig::http_client`] without a version to keep in step.
        pub use runtime::reqwest;
        /// Dates and instants: `time::Date` for `format: date` parameters,
        /// `time::OffsetDateTime` for `date-time` ones.
        pub use runtime::time;

        /// Verifying webhooks and decoding their payloads (feature `webhooks`; the axum
        /// extractor with feature `axum`).
        #[cfg(feature = "webhooks")]
        pub use runtime::webhooks;

        /// `User-Agent` unless [`ClientConfig::user_agent`] says otherwise: this crate's name
        /// and version.
        pub fn default_user_agent() -> &'static str {
            concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"))
        }
    }
}

/// The resources of a module for the crate's index: each with links to its methods while the
/// module is small, with its operation count once linking every method would bury the rest.
fn resource_index(module: &ModuleSpec) -> String {
    const LINKED: usize = 12;
    let api = &module.api;
    let resources = super::client::by_resource(api)
        .into_iter()
        .map(|(tag, ops)| {
            let title = tag.map_or_else(|| "Untagged".to_string(), super::client::resource_title);
            (
                title,
                ops.into_iter()
                    .map(|i| &api.operations[i])
                    .collect::<Vec<_>>(),
            )
        });
    let linked = api.operations.len() <= LINKED;
    resources
        .map(|(title, ops)| match linked {
            true => {
                let links: Vec<String> = ops
                    .iter()
                    .map(|o| {
                        format!(
                            "[`{0}`]({1}::Client::{0})",
                            o.method_name.trim_start_matches("r#"),
                            module.name
                        )
                    })
                    .collect();
                format!("{title}: {}", links.join(", "))
            }
            false => format!("{title} ({})", ops.len()),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// A compiled (not run) example calling the first operation whose arguments are simple.
fn example(crate_ident: &str, module: &str, api: &Api) -> Option<Vec<String>> {
    let server = api.server.as_ref()?;
    let op = example_operation(api)?;
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
        .argument_params()
        .map(|p| format!("{:?}", p.wire_name))
        .collect();
    if let Some(body) = &op.body {
        let TypeRef::Named(id) = body.ty else {
            return None;
        };
        let name = &api.type_def(id).name;
        args.push(match first_bool_field(api, id) {
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
    matches!(ty, TypeRef::Named(id)
        if matches!(&api.type_def(*id).kind, TypeKind::Struct(s) if s.fields.iter().all(|f| f.is_option())))
}

/// The first operation whose call needs only strings and a defaultable body: the one the
/// examples show.
fn example_operation(api: &Api) -> Option<&Operation> {
    api.operations.iter().find(|op| {
        op.params.is_none()
            && op.path_params.iter().all(|p| p.ty == TypeRef::String)
            && op
                .body
                .as_ref()
                .is_none_or(|b| b.encoding == BodyEncoding::Form && defaultable(api, &b.ty))
    })
}

fn first_bool_field(api: &Api, id: TypeId) -> Option<String> {
    match &api.type_def(id).kind {
        TypeKind::Struct(s) => s
            .fields
            .iter()
            .find(|f| f.ty == TypeRef::Bool)
            .map(|f| f.rust_name.clone()),
        _ => None,
    }
}

/// A module's example program, `examples/{module}_{operation}.rs`: the operation it calls
/// and the absolute server URL it defaults to (a relative one gives no program). One decision
/// for the file and for its `[[example]]` table in `Cargo.toml`.
struct ExampleProgram<'a> {
    name: String,
    op: &'a Operation,
    server: &'a Server,
}

fn example_program(module: &ModuleSpec) -> Option<ExampleProgram<'_>> {
    let op = example_operation(&module.api)?;
    let server = module
        .api
        .server
        .as_ref()
        .filter(|s| s.url.starts_with("http"))?;
    let name = format!(
        "{}_{}",
        module.name,
        op.method_name.trim_start_matches("r#")
    );
    Some(ExampleProgram { name, op, server })
}

/// The example program: it calls the example operation with the base URL, credentials and
/// path parameters taken from the environment.
fn example_tokens(
    crate_ident: &str,
    example: &ExampleProgram<'_>,
    module: &ModuleSpec,
) -> TokenStream {
    let (name, op, server) = (example.name.as_str(), example.op, example.server);
    let api = &module.api;
    let krate = ident(crate_ident);
    let module_ident = ident(&module.name);
    let method = ident(&op.method_name);
    let env_name = |wire: &str| {
        format!(
            "API_{}",
            heck::ToShoutySnakeCase::to_shouty_snake_case(wire)
        )
    };
    let default_base = if server.variables.is_empty() {
        quote!(#module_ident::Client::DEFAULT_BASE_URL.to_string())
    } else {
        let vars = server.variables.iter().map(|v| {
            let var = env_name(&v.name);
            quote!(&env(#var)?)
        });
        quote!(#module_ident::Client::default_base_url(#(#vars),*))
    };
    let mut args: Vec<TokenStream> = op
        .argument_params()
        .map(|p| {
            let var = env_name(&p.wire_name);
            quote!(&env(#var)?)
        })
        .collect();
    let mut env_doc: Vec<String> = vec!["API_USERNAME=… API_PASSWORD=…".to_string()];
    env_doc.push(format!(
        "API_BASE_URL=…  (optional; default: {}{})",
        server.url,
        if server.variables.is_empty() {
            String::new()
        } else {
            format!(
                " with {}",
                server
                    .variables
                    .iter()
                    .map(|v| env_name(&v.name))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    ));
    env_doc.push(
        op.argument_params()
            .map(|p| format!("{}=…", env_name(&p.wire_name)))
            .collect::<Vec<_>>()
            .join(" "),
    );
    let body = op.body.as_ref().and_then(|b| match b.ty {
        TypeRef::Named(id) => Some(id),
        _ => None,
    });
    let body_stmt = body.map(|id| {
        let ty = ident(&api.type_def(id).name);
        // `..Default::default()` only when there are other fields (clippy: `needless_update`).
        let alone = matches!(&api.type_def(id).kind, TypeKind::Struct(s) if s.fields.len() == 1);
        match (first_bool_field(api, id), alone) {
            (Some(field), false) => {
                let field = ident(&field);
                quote!(let body = #module_ident::#ty { #field: Some(true), ..Default::default() };)
            }
            (Some(field), true) => {
                let field = ident(&field);
                quote!(let body = #module_ident::#ty { #field: Some(true) };)
            }
            (None, _) => quote!(let body = #module_ident::#ty::default();),
        }
    });
    if body.is_some() {
        args.push(quote!(&body));
    }
    // An operation that returns nothing has nothing to print (clippy: `let_unit_value`).
    let call = match op.success {
        ResponseShape::Untyped => quote! {
            client.#method(#(#args),*).await?;
            println!("done");
        },
        _ => quote! {
            let response = client.#method(#(#args),*).await?;
            println!("{response:#?}");
        },
    };
    let mut doc = vec![
        format!(
            "Calls `{}::Client::{}` (operation {}) against the server the environment names.",
            module.name,
            op.method_name.trim_start_matches("r#"),
            super::docs::code(&op.id)
        ),
        String::new(),
        "```text".to_string(),
    ];
    doc.extend(env_doc);
    doc.push(format!(
        "cargo run -p {} --example {name}",
        crate_ident.replace('_', "-")
    ));
    doc.push("```".to_string());
    let doc = super::tokens::inner_doc_attrs(&doc);
    quote! {
        #doc
        #![cfg_attr(rustfmt, rustfmt::skip)]

        use std::process::ExitCode;
        use #krate::{#module_ident, ClientConfig, Credentials};

        fn env(name: &str) -> Result<String, String> {
            std::env::var(name).map_err(|_| format!("environment variable {name} is not set"))
        }

        #[tokio::main]
        async fn main() -> ExitCode {
            match run().await {
                Ok(()) => ExitCode::SUCCESS,
                Err(error) => {
                    eprintln!("error: {error}");
                    ExitCode::FAILURE
                }
            }
        }

        async fn run() -> Result<(), Box<dyn std::error::Error>> {
            let credentials = Credentials::basic(env("API_USERNAME")?, env("API_PASSWORD")?);
            let base_url = match std::env::var("API_BASE_URL") {
                Ok(url) => url,
                Err(_) => #default_base,
            };
            let client = #module_ident::Client::with_config(ClientConfig::new(base_url, credentials))?;
            #body_stmt
            #call
            Ok(())
        }
    }
}
