use std::fmt;

use crate::{
    config::{BuildError, ClientConfig},
    credentials::Credentials,
};

/// Where a module's `Client::from_env` reads its settings: variable names and a host
/// template, written by the generator from the module's `codegen.toml` settings. Nothing here
/// names a provider; the names are the providers' own conventions (`TWILIO_ACCOUNT_SID`,
/// `SIGNALWIRE_SPACE`, …) as configured.
#[doc(hidden)]
#[derive(Debug)]
pub struct EnvironmentSpec {
    /// The Basic username, which is also the account. Each list is read in order: the first
    /// variable that is set (and not empty) wins.
    pub username: &'static [&'static str],
    /// The Basic password.
    pub password: &'static [&'static str],
    /// An API key and its secret: when both are set, they are the Basic pair instead of the
    /// username and password, and the username only names the account.
    pub api_key: Option<(&'static [&'static str], &'static [&'static str])>,
    /// How the base URL's host is made from variables; `None`: always `default_base_url`.
    pub host: Option<HostTemplate>,
    /// The spec's server URL, used when no variable of the host template is set; `None` when
    /// that URL needs values.
    pub default_base_url: Option<&'static str>,
}

/// A host with `{name}` placeholders (`api.{edge}.{region}.twilio.com`), and the scheme and
/// path around it (the spec server's).
#[doc(hidden)]
#[derive(Debug)]
pub struct HostTemplate {
    /// `https`. A loopback host given whole (`127.0.0.1:4010`, a local mock) is sent `http`.
    pub scheme: &'static str,
    pub template: &'static str,
    /// What follows the host, `/api/laml/2010-04-01` or empty.
    pub path: &'static str,
    /// In template order.
    pub placeholders: &'static [Placeholder],
}

/// One `{name}` of a [`HostTemplate`].
#[doc(hidden)]
#[derive(Debug)]
pub struct Placeholder {
    pub name: &'static str,
    /// The variables read for it, first set wins.
    pub variables: &'static [&'static str],
    /// Its value when none is given but another placeholder is (Twilio's region `us1`).
    pub default: Option<&'static str>,
}

/// A setting that a [`SettingsError`] is about. Its value is never shown: a variable may
/// hold a secret, even one that was set by mistake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Setting {
    /// An environment variable.
    Variable(&'static str),
    /// A value given in code (an argument of `Client::base_url_for`), by placeholder.
    Argument(&'static str),
}

impl fmt::Display for Setting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Setting::Variable(name) => write!(f, "environment variable `{name}`"),
            Setting::Argument(name) => write!(f, "`{name}`"),
        }
    }
}

/// Why a client could not be configured from environment variables (or from host values
/// given in code). Names the variable; never shows a value.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SettingsError {
    /// A variable the client needs is not set, or is empty.
    #[error("{}", missing(variables))]
    MissingVariable {
        /// The names read for it, any of which would do.
        variables: &'static [&'static str],
    },
    /// Neither a password nor an API key with its secret is set.
    #[error("set `{password}`, or `{api_key}` and `{api_secret}`: none of them is set")]
    MissingCredentials {
        password: &'static str,
        api_key: &'static str,
        api_secret: &'static str,
    },
    /// One variable of a pair is set without the other.
    #[error("environment variable `{set}` is set but `{missing}` is not: set both, or neither")]
    UnpairedVariable { set: &'static str, missing: &'static str },
    /// A placeholder of the host template has no value and no default.
    #[error("the host template `{template}` needs a value for `{placeholder}`{}", from(variables))]
    MissingValue {
        template: &'static str,
        placeholder: &'static str,
        /// Its variables (empty for values given in code).
        variables: &'static [&'static str],
    },
    /// A value cannot be used.
    #[error("{setting} {reason}")]
    Invalid { setting: Setting, reason: &'static str },
    /// The base URL the template made is not an `https` URL of the template's shape.
    #[error("the base URL made from the host template is refused: {reason}")]
    UnsafeBaseUrl { reason: &'static str },
    /// The client could not be built from the settings.
    #[error(transparent)]
    Build(#[from] BuildError),
}

fn missing(variables: &[&str]) -> String {
    match variables {
        [] => "a required environment variable is not set".to_string(),
        [one] => format!("environment variable `{one}` is not set"),
        [first, rest @ ..] => format!(
            "environment variable `{first}` is not set (nor {})",
            rest.iter().map(|v| format!("`{v}`")).collect::<Vec<_>>().join(", ")
        ),
    }
}

fn from(variables: &[&str]) -> String {
    match variables {
        [] => String::new(),
        [one] => format!(": set `{one}`"),
        [first, rest @ ..] => format!(
            ": set `{first}` (or {})",
            rest.iter().map(|v| format!("`{v}`")).collect::<Vec<_>>().join(", ")
        ),
    }
}

/// The process environment, as a lookup for [`EnvironmentSpec::config`]: a value that is not
/// Unicode counts as not set.
#[doc(hidden)]
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

type Lookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The first of `names` that is set and not empty (empty counts as unset, as in the
/// providers' SDKs), with its name.
fn first_set(names: &'static [&'static str], lookup: Lookup<'_>) -> Option<(&'static str, String)> {
    names
        .iter()
        .find_map(|name| lookup(name).filter(|v| !v.is_empty()).map(|v| (*name, v)))
}

/// A credential as read: whitespace around it or a line break in it is a copy-paste slip
/// that would fail authentication with no hint, so it is refused here by name.
fn credential(name: &'static str, value: String, username: bool) -> Result<String, SettingsError> {
    let invalid = |reason| Err(SettingsError::Invalid { setting: Setting::Variable(name), reason });
    if value.chars().any(char::is_control) {
        return invalid("contains a control character (a line break?)");
    }
    if value.trim() != value {
        return invalid("has whitespace before or after its value");
    }
    if username && value.contains(':') {
        return invalid("contains `:`, which an HTTP Basic username cannot");
    }
    Ok(value)
}

impl EnvironmentSpec {
    /// A configuration from the variables `lookup` returns: credentials, and the base URL
    /// from the host template (or the spec's server URL).
    pub fn config(&self, lookup: Lookup<'_>) -> Result<ClientConfig, SettingsError> {
        let credentials = self.credentials(lookup)?;
        Ok(ClientConfig::new(self.base_url(lookup)?, credentials))
    }

    /// The credentials: an API key and its secret when both are set (acting for the
    /// username's account), else the username and password.
    pub fn credentials(&self, lookup: Lookup<'_>) -> Result<Credentials, SettingsError> {
        let key = match self.api_key {
            Some((key_names, secret_names)) => {
                match (first_set(key_names, lookup), first_set(secret_names, lookup)) {
                    (Some(key), Some(secret)) => Some((key, secret)),
                    (Some((set, _)), None) => {
                        return Err(SettingsError::UnpairedVariable { set, missing: first(secret_names) })
                    }
                    (None, Some((set, _))) => {
                        return Err(SettingsError::UnpairedVariable { set, missing: first(key_names) })
                    }
                    (None, None) => None,
                }
            }
            None => None,
        };
        let (name, username) = first_set(self.username, lookup)
            .ok_or(SettingsError::MissingVariable { variables: self.username })?;
        let username = credential(name, username, true)?;
        if let Some(((key_name, key), (secret_name, secret))) = key {
            let key = credential(key_name, key, true)?;
            let secret = credential(secret_name, secret, false)?;
            return Ok(Credentials::api_key(username, key, secret));
        }
        let (name, password) = first_set(self.password, lookup).ok_or(match self.api_key {
            Some((key, secret)) => SettingsError::MissingCredentials {
                password: first(self.password),
                api_key: first(key),
                api_secret: first(secret),
            },
            None => SettingsError::MissingVariable { variables: self.password },
        })?;
        Ok(Credentials::basic(username, credential(name, password, false)?))
    }

    /// The base URL: the host template filled from the variables, or the spec's server URL
    /// when none of them is set.
    pub fn base_url(&self, lookup: Lookup<'_>) -> Result<String, SettingsError> {
        let Some(host) = &self.host else {
            return Ok(self.default_base_url.unwrap_or_default().to_string());
        };
        let values: Vec<(Setting, Option<String>)> = host
            .placeholders
            .iter()
            .map(|p| match first_set(p.variables, lookup) {
                Some((name, value)) => (Setting::Variable(name), Some(value)),
                None => (Setting::Variable(first(p.variables)), None),
            })
            .collect();
        host.fill(&values, self.default_base_url)
    }

    /// The base URL for values given in code, one per placeholder in template order (`None`:
    /// not given), as [`EnvironmentSpec::base_url`] makes it from variables.
    pub fn base_url_for(&self, values: &[Option<&str>]) -> Result<String, SettingsError> {
        let Some(host) = &self.host else {
            return Ok(self.default_base_url.unwrap_or_default().to_string());
        };
        let values: Vec<(Setting, Option<String>)> = host
            .placeholders
            .iter()
            .zip(values.iter().chain(std::iter::repeat(&None)))
            .map(|(p, v)| (Setting::Argument(p.name), v.filter(|v| !v.is_empty()).map(str::to_string)))
            .collect();
        host.fill(&values, self.default_base_url)
    }
}

fn first(names: &'static [&'static str]) -> &'static str {
    names.first().copied().unwrap_or_default()
}

impl HostTemplate {
    /// The base URL for `values` (one per placeholder). With none given, `fallback` (the
    /// spec's URL) when there is one. Otherwise a placeholder without a value takes its
    /// default; without a default, a placeholder that is a whole label is left out with its
    /// dot (Twilio's edge) unless no value is given at all, any other is
    /// [`SettingsError::MissingValue`]. Each value must be
    /// one DNS label, so it cannot change the host's shape; a placeholder that is the whole
    /// template takes a host name (a loopback one with a port, sent `http`).
    pub fn fill(
        &self,
        values: &[(Setting, Option<String>)],
        fallback: Option<&'static str>,
    ) -> Result<String, SettingsError> {
        let none_given = values.iter().all(|(_, v)| v.is_none());
        if none_given {
            if let Some(url) = fallback {
                return Ok(url.to_string());
            }
        }
        let whole = self.placeholders.len() == 1
            && self.template.strip_prefix('{').and_then(|t| t.strip_suffix('}')) == Some(self.placeholders[0].name);
        // Values given in code name no variable to set.
        let in_code = values.iter().any(|(s, _)| matches!(s, Setting::Argument(_)));
        let missing = |p: &Placeholder| SettingsError::MissingValue {
            template: self.template,
            placeholder: p.name,
            variables: if in_code { &[] } else { p.variables },
        };
        if whole {
            let placeholder = &self.placeholders[0];
            let host = match values.first() {
                Some((setting, Some(value))) => whole_host(*setting, value)?,
                _ => match placeholder.default {
                    Some(default) => whole_host(Setting::Argument(placeholder.name), default)?,
                    None => return Err(missing(placeholder)),
                },
            };
            let scheme = if is_loopback(&host) { "http" } else { self.scheme };
            return checked_url(scheme, &host, self.path, None);
        }
        let mut labels = Vec::new();
        for label in self.template.split('.') {
            let mut text = String::new();
            let mut rest = label;
            let mut dropped = false;
            while let Some(open) = rest.find('{') {
                let Some(close) = rest[open..].find('}').map(|c| open + c) else { break };
                text.push_str(&rest[..open]);
                let name = &rest[open + 1..close];
                let Some(i) = self.placeholders.iter().position(|p| p.name == name) else {
                    return Err(SettingsError::UnsafeBaseUrl { reason: "the template names a placeholder it has no value for" });
                };
                let placeholder = &self.placeholders[i];
                let value = match values.get(i) {
                    Some((setting, Some(value))) => label_value(*setting, value)?,
                    _ => match placeholder.default {
                        Some(default) => label_value(Setting::Argument(placeholder.name), default)?,
                        None if !none_given && label == format!("{{{name}}}") => {
                            dropped = true;
                            String::new()
                        }
                        None => return Err(missing(placeholder)),
                    },
                };
                text.push_str(&value);
                rest = &rest[close + 1..];
            }
            text.push_str(rest);
            if !dropped {
                labels.push(text);
            }
        }
        let host = labels.join(".");
        checked_url(self.scheme, &host, self.path, Some(labels.len()))
    }
}

/// A value of a placeholder inside the host: one DNS label, in lower case.
fn label_value(setting: Setting, value: &str) -> Result<String, SettingsError> {
    if is_label(value) {
        return Ok(value.to_ascii_lowercase());
    }
    Err(SettingsError::Invalid {
        setting,
        reason: "is not one DNS label (ASCII letters, digits and inner `-`, at most 63): a `.`, `/`, `@` or `:` would change the host",
    })
}

fn is_label(text: &str) -> bool {
    (1..=63).contains(&text.len())
        && !text.starts_with('-')
        && !text.ends_with('-')
        && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// A value that is the whole host: a host name (`example.signalwire.com`, also written
/// `https://example.signalwire.com/`), or a loopback host with a port for a local mock.
fn whole_host(setting: Setting, value: &str) -> Result<String, SettingsError> {
    let invalid = |reason| Err(SettingsError::Invalid { setting, reason });
    let bare = value.strip_prefix("https://").unwrap_or(value);
    let bare = bare.strip_suffix('/').unwrap_or(bare);
    if bare.starts_with("http://") && !is_loopback(&bare["http://".len()..]) {
        return invalid("is an `http://` URL: credentials are only sent over https (or to a loopback host)");
    }
    let bare = bare.strip_prefix("http://").unwrap_or(bare);
    if is_loopback(bare) {
        return Ok(bare.to_ascii_lowercase());
    }
    if bare.split('.').all(is_label) {
        return Ok(bare.to_ascii_lowercase());
    }
    invalid("is not a host name such as `api.example.com` (no path, port, user or query; a port only on a loopback host)")
}

/// `localhost`, `127.0.0.1` or `[::1]`, with an optional port.
fn is_loopback(host: &str) -> bool {
    let name = match host.rsplit_once(':') {
        Some((name, port)) if !host.ends_with(']') => {
            if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
                return false;
            }
            name
        }
        _ => host,
    };
    matches!(name, "localhost" | "127.0.0.1" | "[::1]")
}

/// The base URL, parsed back and compared with what was meant: an `https` URL (`http` only
/// for a loopback host) whose host is exactly `host` (with `labels` labels, when the
/// template fixes their number), no user, port
/// (but a loopback one), query or fragment, and exactly the spec server's path.
fn checked_url(scheme: &str, host: &str, path: &str, labels: Option<usize>) -> Result<String, SettingsError> {
    let refuse = |reason| Err(SettingsError::UnsafeBaseUrl { reason });
    let loopback = is_loopback(host);
    if scheme != "https" && !(scheme == "http" && loopback) {
        return refuse("it is not https (only a loopback host may be http)");
    }
    let url = format!("{scheme}://{host}{path}");
    let Ok(parsed) = reqwest::Url::parse(&url) else {
        return refuse("it is not a valid URL");
    };
    let name = parsed.host_str().unwrap_or_default();
    let expected = if loopback { host.rsplit_once(':').filter(|_| !host.ends_with(']')).map_or(host, |(n, _)| n) } else { host };
    if name != expected || labels.is_some_and(|n| name.split('.').count() != n) {
        return refuse("its host does not have the template's shape");
    }
    if !parsed.username().is_empty() || parsed.password().is_some() || (parsed.port().is_some() && !loopback) {
        return refuse("it carries a user, password or port");
    }
    if parsed.query().is_some() || parsed.fragment().is_some() || parsed.path().trim_end_matches('/') != path {
        return refuse("its path is not the spec server's");
    }
    Ok(url)
}
