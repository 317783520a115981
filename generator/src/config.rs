//! `specs/codegen.toml`: which specs and operations `cargo xtask codegen` generates, and where.
//! Names are checked where every request is, in [`crate::naming::check_crate_names`].

use crate::error::Error;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The codegen config file. Paths in it are relative to the file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(rename = "crate")]
    pub krate: CrateConfig,
    #[serde(rename = "module")]
    pub modules: Vec<ModuleConfig>,
    /// Modules of one protocol, also emitted as one provider-neutral module.
    #[serde(default, rename = "family")]
    pub families: Vec<FamilyConfig>,
}

/// `[[family]]`: a neutral module over several provider modules (see [`crate::family`]).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FamilyConfig {
    /// The neutral module's name.
    pub name: String,
    /// The provider modules, first one first: neutral names are its names.
    pub modules: Vec<String>,
    /// Neutral type or method names to use instead of the first module's.
    #[serde(default)]
    pub renames: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrateConfig {
    pub name: String,
    pub version: String,
    /// The output directory.
    pub output: PathBuf,
    /// Treat warnings about the specs (sloppy but clear input) as errors.
    #[serde(default)]
    pub strict: bool,
    /// An existing runtime crate to use instead of writing one beside the client, so that
    /// several clients share it: `runtime = { package = "…", path = "…" }`, the path relative
    /// to the output directory (it is written into the client's `Cargo.toml` as it is).
    #[serde(default)]
    pub runtime: Option<SharedRuntime>,
}

/// A runtime crate another client's generation wrote.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SharedRuntime {
    /// Its package name, `{client}-runtime`.
    pub package: String,
    /// Its folder, relative to the output directory.
    pub path: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModuleConfig {
    /// The Rust module name.
    pub name: String,
    /// The spec file.
    pub spec: PathBuf,
    /// operationIds to generate; `["*"]` for all.
    pub operations: Vec<String>,
    /// A path parameter that defaults to the client's account (the Basic username), such
    /// as `AccountSid`; it is then no argument of the operations that have it.
    #[serde(default)]
    pub account_parameter: Option<String>,
    /// The dotted prefix of the spec's schema names that type names leave out, such as
    /// `api.v2010.account` (Twilio's `api.v2010.account.conference.participant` becomes
    /// `ConferenceParticipant`). Segments repeated by the next one are dropped either way.
    #[serde(default)]
    pub schema_namespace: Option<String>,
    /// `[module.environment]`: where `Client::from_env` reads credentials and the host.
    #[serde(default)]
    pub environment: Option<EnvironmentSettings>,
}

/// `[module.environment]` (or the command line's `--env-…` options): the environment
/// variables a module's `Client::from_env` reads, and a host template for the base URL.
/// Nothing here is provider-specific: the providers' conventions are written in
/// `specs/codegen.toml`. Checked against the spec by [`crate::lower::use_environment`].
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct EnvironmentSettings {
    /// The Basic username, which is also the account (`TWILIO_ACCOUNT_SID`). Each setting
    /// takes one name or a list of names, of which the first that is set is read.
    #[serde(default, deserialize_with = "names")]
    pub username: Vec<String>,
    /// The Basic password (`TWILIO_AUTH_TOKEN`).
    #[serde(default, deserialize_with = "names")]
    pub password: Vec<String>,
    /// An API key (`TWILIO_API_KEY`): with its secret, the Basic pair instead of the
    /// username and password, while the username stays the account.
    #[serde(default, deserialize_with = "names")]
    pub api_key: Vec<String>,
    /// The API key's secret (`TWILIO_API_SECRET`).
    #[serde(default, deserialize_with = "names")]
    pub api_secret: Vec<String>,
    /// The base URL's host with `{name}` placeholders: `api.{edge}.{region}.twilio.com`.
    #[serde(default)]
    pub host: Option<String>,
    /// Each placeholder's variables: `{ edge = "TWILIO_EDGE" }`.
    #[serde(default, deserialize_with = "named_names")]
    pub variables: BTreeMap<String, Vec<String>>,
    /// Values for placeholders whose variables are not set: `{ region = "us1" }`.
    #[serde(default)]
    pub defaults: BTreeMap<String, String>,
    /// Where the settings were written, for messages.
    #[serde(skip)]
    pub origin: SettingsOrigin,
}

/// Where [`EnvironmentSettings`] come from: messages name the file and key, or the option.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum SettingsOrigin {
    /// A codegen config file.
    File(PathBuf),
    /// The command line's options.
    #[default]
    CommandLine,
}

/// A key of [`EnvironmentSettings`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettingKey {
    Username,
    Password,
    ApiKey,
    ApiSecret,
    Host,
    Variables,
    Defaults,
}

impl SettingsOrigin {
    /// How the user wrote `key` here: `environment.host` in a file, `--env-host` on the
    /// command line.
    pub fn key(&self, key: SettingKey) -> &'static str {
        let (toml, flag) = match key {
            SettingKey::Username => ("environment.username", "--env-username"),
            SettingKey::Password => ("environment.password", "--env-password"),
            SettingKey::ApiKey => ("environment.api_key", "--env-api-key"),
            SettingKey::ApiSecret => ("environment.api_secret", "--env-api-secret"),
            SettingKey::Host => ("environment.host", "--env-host"),
            SettingKey::Variables => ("environment.variables", "--env-variable"),
            SettingKey::Defaults => ("environment.defaults", "--env-default"),
        };
        match self {
            SettingsOrigin::File(_) => toml,
            SettingsOrigin::CommandLine => flag,
        }
    }

    /// The file, or `the command line`.
    pub fn describe(&self) -> String {
        match self {
            SettingsOrigin::File(path) => path.display().to_string(),
            SettingsOrigin::CommandLine => "the command line".to_string(),
        }
    }
}

/// One variable name or a list of them.
#[derive(Deserialize)]
#[serde(untagged)]
enum Names {
    One(String),
    Many(Vec<String>),
}

impl From<Names> for Vec<String> {
    fn from(names: Names) -> Self {
        match names {
            Names::One(name) => vec![name],
            Names::Many(names) => names,
        }
    }
}

fn names<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Names::deserialize(d)
        .map(Into::into)
        .map_err(|_| serde::de::Error::custom("expected a variable name or a list of names"))
}

fn named_names<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<String, Vec<String>>, D::Error> {
    BTreeMap::<String, Names>::deserialize(d)
        .map(|map| map.into_iter().map(|(k, v)| (k, v.into())).collect())
        .map_err(|_| {
            serde::de::Error::custom(
                "expected a table of placeholder = variable name (or a list of names)",
            )
        })
}

impl Config {
    /// Reads a config file and makes its paths absolute.
    pub fn load(path: &Path) -> Result<Config, Error> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let mut config: Config = toml::from_str(&text).map_err(|e| Error::Config {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        config.krate.output = lexical(&base.join(&config.krate.output));
        for module in &mut config.modules {
            module.spec = lexical(&base.join(&module.spec));
            if let Some(environment) = &mut module.environment {
                environment.origin = SettingsOrigin::File(path.to_path_buf());
            }
        }
        Ok(config)
    }
}

/// `a/b/../c` → `a/c` without touching the file system.
fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            std::path::Component::ParentDir if out.file_name().is_some() => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}
