//! A module's settings from the environment → `Client::from_env`, `config_from_env`,
//! `config_from_vars` and (with a host template) `base_url_for`, over the runtime's
//! provider-neutral `EnvironmentSpec`. A module without settings gets nothing.

use super::docs;
use super::tokens::{doc_attrs, ident};
use crate::ir::{Api, Environment, HostTemplate};
use proc_macro2::TokenStream;
use quote::quote;

/// One `impl Client` with the constructors; empty when the module has no settings.
pub fn client_impl(api: &Api) -> TokenStream {
    let Some(env) = &api.environment else {
        return quote!();
    };
    // The spec's URL when it needs no values: what an unset host template falls back on.
    let fallback = api
        .server
        .as_ref()
        .filter(|s| s.variables.is_empty())
        .map(|s| s.url.as_str());
    let spec = spec_tokens(env, fallback);
    let heading = doc_attrs(&[
        "# From the environment".to_string(),
        String::new(),
        "Credentials and the base URL from environment variables, by the names this module's settings give (`[module.environment]` in `codegen.toml`).".to_string(),
    ]);
    let mut from_env_doc = vec![
        "A client configured from environment variables:".to_string(),
        String::new(),
    ];
    from_env_doc.extend(variables_doc(env, fallback));
    from_env_doc.push(String::new());
    from_env_doc.push("A variable that is missing or unusable is a [`SettingsError`](crate::SettingsError) naming it; no value is ever shown.".to_string());
    let from_env_doc = doc_attrs(&from_env_doc);
    let base_url_for = env.host.as_ref().map(|host| base_url_for(host, fallback));
    quote! {
        #heading
        impl Client {
            /// The variables and host template [`Client::from_env`] reads.
            const ENVIRONMENT: crate::runtime::EnvironmentSpec = #spec;

            #from_env_doc
            pub fn from_env() -> Result<Self, crate::SettingsError> {
                Ok(Self::with_config(Self::config_from_env()?)?)
            }

            /// The configuration [`Client::from_env`] builds its client with, to change its
            /// timeouts, retries or hooks first.
            pub fn config_from_env() -> Result<crate::ClientConfig, crate::SettingsError> {
                Self::config_from_vars(crate::runtime::process_env)
            }

            /// [`Client::config_from_env`] with each variable read through `lookup` instead
            /// of the process environment: a map in tests, a secrets store.
            pub fn config_from_vars(
                lookup: impl Fn(&str) -> Option<String>,
            ) -> Result<crate::ClientConfig, crate::SettingsError> {
                Self::ENVIRONMENT.config(&lookup)
            }

            #base_url_for
        }
    }
}

/// The runtime's `EnvironmentSpec` literal.
fn spec_tokens(env: &Environment, fallback: Option<&str>) -> TokenStream {
    let names = |names: &[String]| quote!(&[#(#names),*]);
    let username = names(&env.username);
    let password = names(&env.password);
    let api_key = match &env.api_key {
        Some((key, secret)) => {
            let (key, secret) = (names(key), names(secret));
            quote!(Some((#key, #secret)))
        }
        None => quote!(None),
    };
    let host = match &env.host {
        Some(host) => {
            let HostTemplate {
                template,
                scheme,
                path,
                placeholders,
            } = host;
            let placeholders = placeholders.iter().map(|p| {
                let name = &p.name;
                let variables = names(&p.variables);
                let default = match &p.default {
                    Some(d) => quote!(Some(#d)),
                    None => quote!(None),
                };
                quote! {
                    crate::runtime::Placeholder { name: #name, variables: #variables, default: #default }
                }
            });
            quote! {
                Some(crate::runtime::HostTemplate {
                    scheme: #scheme,
                    template: #template,
                    path: #path,
                    placeholders: &[#(#placeholders),*],
                })
            }
        }
        None => quote!(None),
    };
    let fallback = match fallback {
        Some(url) => quote!(Some(#url)),
        None => quote!(None),
    };
    quote! {
        crate::runtime::EnvironmentSpec {
            username: #username,
            password: #password,
            api_key: #api_key,
            host: #host,
            default_base_url: #fallback,
        }
    }
}

/// `` `A` `` or `` `A` (else `B`) ``: a setting's variables, first set wins.
fn variable_list(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => docs::code(one),
        [first, rest @ ..] => format!(
            "{} (else {})",
            docs::code(first),
            rest.iter()
                .map(|n| docs::code(n))
                .collect::<Vec<_>>()
                .join(", then ")
        ),
    }
}

/// The doc list of what [`client_impl`]'s `from_env` reads.
fn variables_doc(env: &Environment, fallback: Option<&str>) -> Vec<String> {
    let (user, password) = (variable_list(&env.username), variable_list(&env.password));
    let mut lines = vec![match &env.api_key {
        Some((key, secret)) => format!(
            "* credentials: the API key {} with its secret {}, acting for the account {user}; without a key, {user} and {password}",
            variable_list(key),
            variable_list(secret),
        ),
        None => format!("* credentials: {user} (also the account) and {password}"),
    }];
    match &env.host {
        Some(host) => {
            let mut line = format!("* the host: {}, with ", docs::code(&host.template));
            let parts: Vec<String> = host
                .placeholders
                .iter()
                .map(|p| {
                    let mut part = format!("`{}` from {}", p.name, variable_list(&p.variables));
                    if let Some(default) = &p.default {
                        part.push_str(&format!(" (default {})", docs::code(default)));
                    }
                    part
                })
                .collect();
            line.push_str(&parts.join(", "));
            if whole_host(host) {
                line.push_str(": a host name, or a loopback host with a port for a local mock");
            }
            match fallback {
                Some(url) => {
                    line.push_str(&format!("; with none of them set, {}", docs::code(url)))
                }
                None => line.push_str(&format!(
                    "; sent over `{}`{}",
                    host.scheme,
                    match host.path.is_empty() {
                        true => String::new(),
                        false =>
                            format!(" with the spec server's path, {}", docs::code(&host.path)),
                    }
                )),
            }
            lines.push(line);
        }
        None => {
            if let Some(url) = fallback {
                lines.push(format!("* the base URL: {}", docs::code(url)));
            }
        }
    }
    lines
}

/// Whether the template is one placeholder, which then takes a whole host name.
fn whole_host(host: &HostTemplate) -> bool {
    matches!(host.placeholders.as_slice(), [p] if host.template == format!("{{{}}}", p.name))
}

/// `base_url_for`: the host template filled from values given in code.
fn base_url_for(host: &HostTemplate, fallback: Option<&str>) -> TokenStream {
    let args: Vec<_> = host.placeholders.iter().map(|p| ident(&p.name)).collect();
    let mut doc = vec![
        format!(
            "The base URL for these values of the host template {}, made as [`Client::from_env`] makes it from variables, for settings kept elsewhere: `None` is a value not given.",
            docs::code(&host.template)
        ),
        String::new(),
    ];
    doc.push(match (fallback, whole_host(host)) {
        (Some(url), _) => format!("With none given, {}. Otherwise a placeholder without a value takes its default, or is left out with its dot when it is a whole label.", docs::code(url)),
        (None, true) => "Without a value: the default, if the template has one, else an error.".to_string(),
        (None, false) => "A placeholder without a value takes its default, if it has one.".to_string(),
    });
    doc.push(match whole_host(host) {
        true => "The value is a host name (`example.com`, also written `https://example.com`), or a loopback host with a port (`127.0.0.1:4010`, sent over `http`) for a local mock server.".to_string(),
        false => "Each value must be one DNS label, so it cannot change the host's shape.".to_string(),
    });
    let doc = doc_attrs(&doc);
    quote! {
        #doc
        pub fn base_url_for(#(#args: Option<&str>),*) -> Result<String, crate::SettingsError> {
            Self::ENVIRONMENT.base_url_for(&[#(#args),*])
        }
    }
}
