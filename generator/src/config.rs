//! `specs/codegen.toml`: which specs and operations `cargo xtask codegen` generates, and where.
//! Names are checked where every request is, in [`crate::naming::check_crate_names`].

use crate::error::Error;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The codegen config file. Paths in it are relative to the file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(rename = "crate")]
    pub krate: CrateConfig,
    #[serde(rename = "module")]
    pub modules: Vec<ModuleConfig>,
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
