//! A module's environment settings (`[module.environment]`), checked against its spec and
//! turned into the IR's [`Environment`]: which variables `Client::from_env` reads, and how the
//! host of the base URL is made from them.

use crate::config::{EnvironmentSettings, SettingKey};
use crate::error::Error;
use crate::ir::{Api, Environment, HostPlaceholder, HostTemplate};

/// Checks `settings` against the module's spec and records them in `api`. Every problem is an
/// [`Error::Setting`] naming the file (or the command line), the module and the key, with a
/// hint.
pub fn use_environment(
    api: &mut Api,
    module: &str,
    settings: &EnvironmentSettings,
) -> Result<(), Error> {
    let fail = |key: SettingKey, problem: String, hint: String| Error::Setting {
        origin: settings.origin.describe(),
        module: module.to_string(),
        key: settings.origin.key(key).to_string(),
        problem,
        hint,
    };
    let key_name = |key: SettingKey| settings.origin.key(key);
    for (key, names, required) in [
        (SettingKey::Username, &settings.username, true),
        (SettingKey::Password, &settings.password, true),
        (SettingKey::ApiKey, &settings.api_key, false),
        (SettingKey::ApiSecret, &settings.api_secret, false),
    ] {
        if required && names.is_empty() {
            return Err(fail(
                key,
                "no variable is named".to_string(),
                format!(
                    "name the variable that holds it, e.g. `{}`",
                    example_name(key)
                ),
            ));
        }
        check_names(names).map_err(|problem| {
            fail(
                key,
                problem,
                "a variable name is ASCII letters, digits and `_`, not starting with a digit"
                    .to_string(),
            )
        })?;
    }
    let api_key = match (settings.api_key.is_empty(), settings.api_secret.is_empty()) {
        (true, true) => None,
        (false, false) => Some((settings.api_key.clone(), settings.api_secret.clone())),
        (key_missing, _) => {
            let (given, missing) = match key_missing {
                true => (SettingKey::ApiSecret, SettingKey::ApiKey),
                false => (SettingKey::ApiKey, SettingKey::ApiSecret),
            };
            return Err(fail(
                given,
                format!("given without {}", key_name(missing)),
                format!(
                    "an API key is read with its secret: name both variables, or neither ({})",
                    key_name(missing)
                ),
            ));
        }
    };
    let server = api
        .server
        .as_ref()
        .map(|s| (s.url.as_str(), !s.variables.is_empty()));
    let host = match &settings.host {
        None => {
            if let Some(key) = [SettingKey::Variables, SettingKey::Defaults]
                .into_iter()
                .find(|k| match k {
                    SettingKey::Variables => !settings.variables.is_empty(),
                    _ => !settings.defaults.is_empty(),
                })
            {
                return Err(fail(
                    key,
                    "given without a host template".to_string(),
                    format!(
                        "set {} to a host with `{{name}}` placeholders, e.g. `api.{{region}}.example.com`",
                        key_name(SettingKey::Host)
                    ),
                ));
            }
            match server {
                Some((url, false)) if is_absolute(url) => None,
                Some((url, _)) => {
                    return Err(fail(
                        SettingKey::Host,
                        format!("none is given, and the spec's server URL `{url}` is no complete URL to fall back on"),
                        format!(
                            "set {} to the host the variables make, e.g. `{{space}}` with {} space=…",
                            key_name(SettingKey::Host),
                            key_name(SettingKey::Variables)
                        ),
                    ))
                }
                None => {
                    return Err(fail(
                        SettingKey::Host,
                        "none is given, and the spec has no server URL to fall back on".to_string(),
                        format!("set {} to the API's host", key_name(SettingKey::Host)),
                    ))
                }
            }
        }
        Some(template) => Some(host_template(template, server, settings).map_err(
            |(key, problem, hint)| {
                let hint = hint
                    .replace("{key}", key_name(key))
                    .replace("{variables}", key_name(SettingKey::Variables));
                fail(key, problem, hint)
            },
        )?),
    };
    api.environment = Some(Environment {
        username: settings.username.clone(),
        password: settings.password.clone(),
        api_key,
        host,
    });
    Ok(())
}

/// A variable name for hints (the providers' own names are configuration, not ours).
fn example_name(key: SettingKey) -> &'static str {
    match key {
        SettingKey::Username => "API_USERNAME",
        SettingKey::Password => "API_PASSWORD",
        SettingKey::ApiKey => "API_KEY",
        _ => "API_SECRET",
    }
}

fn check_names(names: &[String]) -> Result<(), String> {
    for name in names {
        let mut chars = name.chars();
        let first_ok = chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
        if !first_ok || !chars.all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(match name.is_empty() {
                true => "a variable name is empty".to_string(),
                false => format!("`{name}` is no environment variable name"),
            });
        }
    }
    Ok(())
}

fn is_absolute(url: &str) -> bool {
    url.starts_with("https://") || url.starts_with("http://")
}

/// A problem with the host settings: the key, what is wrong, and a hint in which `{key}` is
/// replaced by how the user wrote that key.
type HostProblem = (SettingKey, String, String);

/// The host template and its placeholders, checked: the spec's server is an `https` URL whose
/// path has no variables, the template's fixed text is host characters, and every placeholder
/// has variables (and nothing else does).
fn host_template(
    template: &str,
    server: Option<(&str, bool)>,
    settings: &EnvironmentSettings,
) -> Result<HostTemplate, HostProblem> {
    let Some((url, _)) = server.filter(|(url, _)| is_absolute(url)) else {
        return Err((
            SettingKey::Host,
            "the spec has no complete server URL to put the host into".to_string(),
            "add an absolute `https://` server URL to the spec, or remove {key}".to_string(),
        ));
    };
    let Some(rest) = url.strip_prefix("https://") else {
        return Err((
            SettingKey::Host,
            format!("the spec's server URL `{url}` is not https, and a host template only makes https URLs"),
            "remove {key}; credentials from the environment are only sent over https".to_string(),
        ));
    };
    let path = rest.find('/').map_or("", |at| &rest[at..]);
    if path.contains('{') || path.contains('?') || path.contains('#') {
        return Err((
            SettingKey::Host,
            format!("the path of the spec's server URL `{url}` has variables or a query, which the template cannot fill"),
            "remove {key}, or give the spec a server whose variables are in its host only".to_string(),
        ));
    }
    let names = placeholders(template).map_err(|problem| {
        (
            SettingKey::Host,
            format!("`{template}`: {problem}"),
            "write the host in lower case with `{name}` placeholders, e.g. `api.{edge}.{region}.example.com`".to_string(),
        )
    })?;
    if let Some(unknown) = names.iter().find(|n| !settings.variables.contains_key(*n)) {
        return Err((
            SettingKey::Host,
            format!("unknown placeholder `{{{unknown}}}` in `{template}`: no variable is named for it"),
            format!("name a variable for `{unknown}` in {{variables}}, or remove `{{{unknown}}}` from the template"),
        ));
    }
    for (key, extra) in [
        (
            SettingKey::Variables,
            settings.variables.keys().find(|k| !names.contains(k)),
        ),
        (
            SettingKey::Defaults,
            settings.defaults.keys().find(|k| !names.contains(k)),
        ),
    ] {
        if let Some(extra) = extra {
            return Err((
                key,
                format!("`{extra}` is no placeholder of the host template `{template}`"),
                "use the template's placeholder names in {key}, or add the placeholder to the template".to_string(),
            ));
        }
    }
    for (name, variables) in &settings.variables {
        if variables.is_empty() {
            return Err((
                SettingKey::Variables,
                format!("no variable is named for `{name}`"),
                "name at least one variable for each placeholder in {key}".to_string(),
            ));
        }
        check_names(variables).map_err(|problem| {
            (
                SettingKey::Variables,
                format!("`{name}`: {problem}"),
                "a variable name is ASCII letters, digits and `_`, not starting with a digit"
                    .to_string(),
            )
        })?;
    }
    let whole_host = names.len() == 1 && template == format!("{{{}}}", names[0]);
    for (name, value) in &settings.defaults {
        let fits = match whole_host {
            true => !value.is_empty() && value.split('.').all(is_dns_label),
            false => is_dns_label(value),
        };
        if !fits {
            return Err((
                SettingKey::Defaults,
                format!("the default of `{name}`, `{value}`, is not one lower-case DNS label"),
                "give a value such as `us1`: letters, digits and inner `-`, at most 63".to_string(),
            ));
        }
    }
    Ok(HostTemplate {
        template: template.to_string(),
        scheme: "https".to_string(),
        path: path.trim_end_matches('/').to_string(),
        placeholders: names
            .iter()
            .map(|name| HostPlaceholder {
                name: name.clone(),
                variables: settings.variables.get(name).cloned().unwrap_or_default(),
                default: settings.defaults.get(name).cloned(),
            })
            .collect(),
    })
}

/// The placeholders of a template, in order; an error for text that is not a host with
/// `{name}` placeholders.
fn placeholders(template: &str) -> Result<Vec<String>, String> {
    if template.is_empty() {
        return Err("the template is empty".to_string());
    }
    if template.split('.').any(str::is_empty) {
        return Err("it has an empty label (a leading, trailing or doubled `.`)".to_string());
    }
    let mut names: Vec<String> = Vec::new();
    let mut rest = template;
    while !rest.is_empty() {
        match rest.find(['{', '}']) {
            Some(at) if rest[at..].starts_with('}') => {
                return Err("a `}` closes no placeholder".to_string())
            }
            Some(at) => {
                fixed_text(&rest[..at])?;
                let after = &rest[at + 1..];
                let Some(close) = after.find('}') else {
                    return Err("a `{` is not closed".to_string());
                };
                let name = &after[..close];
                let valid = name.chars().next().is_some_and(|c| c.is_ascii_lowercase())
                    && name
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
                if !valid {
                    return Err(format!(
                        "`{{{name}}}` is no placeholder name (lower-case letters, digits and `_`)"
                    ));
                }
                if names.iter().any(|n| n == name) {
                    return Err(format!("`{{{name}}}` appears twice"));
                }
                names.push(name.to_string());
                rest = &after[close + 1..];
            }
            None => {
                fixed_text(rest)?;
                rest = "";
            }
        }
    }
    Ok(names)
}

fn fixed_text(text: &str) -> Result<(), String> {
    match text
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-' || *c == '.'))
    {
        Some(c) => Err(format!(
            "`{c}` cannot be part of a host (lower-case letters, digits, `-` and `.`)"
        )),
        None => Ok(()),
    }
}

/// One lower-case DNS label: letters, digits and inner `-`, 1 to 63 characters.
fn is_dns_label(text: &str) -> bool {
    (1..=63).contains(&text.len())
        && !text.starts_with('-')
        && !text.ends_with('-')
        && text
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SettingsOrigin;

    fn spec(server: &str) -> Api {
        let text = format!(
            "openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\nservers:\n  - url: '{server}'\n    variables: {{space: {{default: s}}}}\npaths:\n  /a:\n    get:\n      operationId: A\n      responses: {{'204': {{description: none}}}}\n"
        );
        crate::api_from_text("t.yaml", text.as_bytes(), &crate::Selection::All).unwrap()
    }

    fn settings(host: Option<&str>) -> EnvironmentSettings {
        EnvironmentSettings {
            username: vec!["U".into()],
            password: vec!["P".into()],
            host: host.map(str::to_string),
            variables: host
                .map(|_| [("space".to_string(), vec!["S".to_string()])].into())
                .unwrap_or_default(),
            origin: SettingsOrigin::File("codegen.toml".into()),
            ..EnvironmentSettings::default()
        }
    }

    fn problem(server: &str, host: Option<&str>) -> String {
        let mut api = spec(server);
        match use_environment(&mut api, "m", &settings(host)) {
            Ok(()) => "ok".to_string(),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn the_spec_server_must_suit_the_settings() {
        assert_eq!(
            problem("https://{space}.example.com/api", Some("{space}")),
            "ok"
        );
        assert!(
            problem("http://{space}.example.com", Some("{space}")).contains(
                "environment.host: the spec's server URL `http://{space}.example.com` is not https"
            ),
            "{}",
            problem("http://{space}.example.com", Some("{space}"))
        );
        assert!(problem("https://example.com/{space}", Some("{space}"))
            .contains("has variables or a query"));
        assert!(problem("/relative/{space}", Some("{space}")).contains("no complete server URL"));
        // Without a template, the server URL must need no values.
        assert!(problem("https://{space}.example.com", None)
            .starts_with("codegen.toml: module `m`, environment.host: none is given"));
    }

    #[test]
    fn placeholders_are_read_in_template_order() {
        assert_eq!(
            placeholders("api.{edge}.{region}.twilio.com").unwrap(),
            ["edge", "region"]
        );
        assert_eq!(placeholders("{space}").unwrap(), ["space"]);
        for bad in [
            "", "api..x", "api.{x", "api.x}", "api.{X}", "api/{x}", "{a}.{a}", ".{a}",
        ] {
            assert!(placeholders(bad).is_err(), "{bad}");
        }
    }
}
