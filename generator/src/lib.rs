//! `telephony-codegen`: typed Rust clients for Twilio-protocol telephony APIs from their
//! OpenAPI specs.
//!
//! The pipeline has one module per stage, each usable alone:
//! [`load`] (YAML text → JSON tree) → [`normalize`] (OpenAPI 3.1 → 3.0 spellings) →
//! [`document`] (`openapiv3::OpenAPI`) → [`lower`] (our [`ir`]) → [`emit`] (`quote`) →
//! [`format`](mod@format) (`prettyplease`) → [`output`] (write or check, all-or-nothing).

pub mod config;
pub mod document;
pub mod emit;
pub mod error;
pub mod format;
pub mod ir;
pub mod load;
pub mod lower;
pub mod naming;
pub mod normalize;
pub mod output;
pub mod review;
pub mod surface;
pub mod threads;

use error::{Error, Reporter};
use std::path::{Path, PathBuf};

pub use emit::{CrateSpec, ModuleSpec};
pub use format::GeneratedFile;
pub use lower::Selection;
pub use output::{Change, Report};

/// Runs stages 1–4 on spec text: the IR of the selected operations.
pub fn api_from_text(source: &str, bytes: &[u8], selection: &Selection) -> Result<ir::Api, Error> {
    threads::with_stack(&format!("reading {source}"), || {
        api_from_text_here(source, bytes, selection)
    })
}

fn api_from_text_here(source: &str, bytes: &[u8], selection: &Selection) -> Result<ir::Api, Error> {
    let reporter = Reporter::new(source);
    let mut value = load::parse_text(&reporter, bytes)?;
    normalize::normalize(&mut value);
    let doc = document::parse_document(&reporter, value)?;
    Ok(lower::lower(&reporter, &doc, selection, source)?)
}

/// Reads a spec file and runs stages 1–4. `source` names the file in messages and headers.
pub fn api_from_file(path: &Path, source: &str, selection: &Selection) -> Result<ir::Api, Error> {
    let bytes = std::fs::read(path).map_err(|e| Error::Read {
        path: path.to_path_buf(),
        source: e,
    })?;
    api_from_text(source, &bytes, selection)
}

/// Every operationId of a spec, in document order.
pub fn operation_ids(path: &Path, source: &str) -> Result<Vec<String>, Error> {
    Ok(api_from_file(path, source, &Selection::All)?
        .operations
        .into_iter()
        .map(|o| o.id)
        .collect())
}

/// One spec to generate as one module.
#[derive(Debug, Clone)]
pub struct ModuleRequest {
    pub module: String,
    pub spec: PathBuf,
    /// How the spec is named in messages and headers, e.g. `specs/twilio.yaml`.
    pub source: String,
    pub selection: Selection,
}

/// A crate to generate.
#[derive(Debug, Clone)]
pub struct CrateRequest {
    pub name: String,
    pub version: String,
    pub modules: Vec<ModuleRequest>,
}

/// All files of the requested crate.
pub fn generate(request: &CrateRequest) -> Result<Vec<GeneratedFile>, Error> {
    naming::check_crate_names(
        &request.name,
        request.modules.iter().map(|m| m.module.as_str()),
    )?;
    let modules = request
        .modules
        .iter()
        .map(|m| {
            Ok(ModuleSpec {
                name: m.module.clone(),
                api: api_from_file(&m.spec, &m.source, &m.selection)?,
            })
        })
        .collect::<Result<Vec<_>, Error>>()?;
    crate_files(&CrateSpec {
        name: request.name.clone(),
        version: request.version.clone(),
        modules,
    })
}

/// Runs stages 5–6 on lowered modules: the crate's formatted files.
pub fn crate_files(spec: &CrateSpec) -> Result<Vec<GeneratedFile>, Error> {
    threads::with_stack(&format!("generating {}", spec.name), || {
        format::format_files(&emit::emit_crate(spec))
    })
}

/// Write the files, or only compare them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Write,
    Check,
}

/// Generates a crate into `out` (or checks it): the one code path of the xtask and the CLI.
/// Returns what differs (for `Check`) or what changed (for `Write`), and what was kept.
pub fn run(request: &CrateRequest, out: &Path, mode: Mode) -> Result<Report, Error> {
    let files = generate(request)?;
    match mode {
        Mode::Write => output::write(out, &files),
        Mode::Check => output::check(out, &files),
    }
}

/// What regenerating `out` would change in the API surface of each module file it replaces
/// (see [`review::replaced`]). Reads, never writes.
pub fn api_changes(request: &CrateRequest, out: &Path) -> Result<Vec<review::FileReview>, Error> {
    let files = generate(request)?;
    let modules: Vec<String> = request
        .modules
        .iter()
        .map(|m| format!("src/{}.rs", m.module))
        .collect();
    Ok(review::replaced(
        out,
        files.iter().filter(|f| modules.contains(&f.path)),
    ))
}

/// The crate a codegen config describes; spec names are shown relative to `root`.
pub fn request_from_config(config: &config::Config, root: &Path) -> CrateRequest {
    CrateRequest {
        name: config.krate.name.clone(),
        version: config.krate.version.clone(),
        modules: config
            .modules
            .iter()
            .map(|m| ModuleRequest {
                module: m.name.clone(),
                source: display_path(&m.spec, root),
                spec: m.spec.clone(),
                selection: if m.operations.iter().any(|o| o == "*") {
                    Selection::All
                } else {
                    Selection::Ids(m.operations.clone())
                },
            })
            .collect(),
    }
}

/// `path` relative to `root` with `/` separators, for stable headers on every platform.
pub fn display_path(path: &Path, root: &Path) -> String {
    let relative = path.strip_prefix(root).unwrap_or(path);
    relative
        .components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_names_are_errors_before_any_work() {
        let request = CrateRequest {
            name: "ok".into(),
            version: "0.1.0".into(),
            modules: vec![ModuleRequest {
                module: "lib".into(),
                spec: PathBuf::from("does-not-exist.yaml"),
                source: "does-not-exist.yaml".into(),
                selection: Selection::All,
            }],
        };
        let e = generate(&request).unwrap_err();
        assert!(matches!(e, Error::InvalidName { .. }), "{e}");
    }
}
