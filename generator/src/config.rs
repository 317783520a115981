//! `specs/codegen.toml`: which specs and operations `cargo xtask codegen` generates, and where.

use crate::error::Error;
use crate::lower::Selection;
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
}

impl ModuleConfig {
    pub fn selection(&self) -> Selection {
        if self.operations.iter().any(|o| o == "*") {
            Selection::All
        } else {
            Selection::Ids(self.operations.clone())
        }
    }
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
            if syn::parse_str::<syn::Ident>(&module.name).is_err() {
                return Err(Error::Config {
                    path: path.to_path_buf(),
                    message: format!("module name `{}` is not a Rust identifier", module.name),
                });
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
