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
pub mod family;
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

use error::{Error, SpecError};
use std::path::{Path, PathBuf};

pub use emit::{CrateSpec, FamilySpec, ModuleSpec, RuntimeCrate};
pub use format::GeneratedFile;
pub use lower::Selection;
pub use output::{Change, Report};

/// Runs stages 1–4 on spec text: the IR of the selected operations.
pub fn api_from_text(source: &str, bytes: &[u8], selection: &Selection) -> Result<ir::Api, Error> {
    threads::with_stack(&format!("reading {source}"), || {
        let (api, _warnings) = lowered(load::load_text(source, bytes)?, selection, false, None)?;
        Ok(api)
    })
}

/// Reads a spec file (and every file it refers to) and runs stages 1–4. `source` names the
/// file in messages and headers.
pub fn api_from_file(path: &Path, source: &str, selection: &Selection) -> Result<ir::Api, Error> {
    Ok(api_and_warnings(path, source, selection, false, None)?.0)
}

/// Stages 1–4 on a spec file, with the warnings found on the way (errors, when `strict`).
fn api_and_warnings(
    path: &Path,
    source: &str,
    selection: &Selection,
    strict: bool,
    schema_namespace: Option<&str>,
) -> Result<(ir::Api, Vec<SpecError>), Error> {
    threads::with_stack(&format!("reading {source}"), || {
        lowered(
            load::load_file(path, source)?,
            selection,
            strict,
            schema_namespace,
        )
    })
}

/// Stages 2–4 on a loaded spec.
fn lowered(
    loaded: load::Loaded,
    selection: &Selection,
    strict: bool,
    schema_namespace: Option<&str>,
) -> Result<(ir::Api, Vec<SpecError>), Error> {
    let load::Loaded {
        mut doc,
        inputs,
        reporter,
    } = loaded;
    let reporter = reporter.strict(strict);
    let hooks = normalize::normalize(&mut doc);
    let doc = document::parse_document(&reporter, doc)?;
    let hooks = document::parse_webhooks(&reporter, hooks)?;
    let api =
        lower::lower_with_webhooks(&reporter, &doc, &hooks, selection, inputs, schema_namespace)?;
    Ok((api, reporter.take_warnings()))
}

/// Every operationId of a spec, in document order.
pub fn operation_ids(path: &Path, source: &str) -> Result<Vec<String>, Error> {
    Ok(api_from_file(path, source, &Selection::All)?
        .operations
        .into_iter()
        .map(|o| o.id)
        .collect())
}

/// The title a spec gives itself (`info.title`; empty when it has none), read from the root
/// file without generating anything: the command line names a module after it when told no
/// name (see [`naming::module_name_from_title`]).
pub fn spec_title(path: &Path, source: &str) -> Result<String, Error> {
    let bytes = std::fs::read(path).map_err(|e| Error::Read {
        path: path.to_path_buf(),
        source: e,
    })?;
    threads::with_stack(&format!("reading {source}"), || {
        let doc = load::parse_text(&error::Reporter::new(source.to_string()), &bytes)?;
        Ok(doc
            .get("info")
            .and_then(|info| info.get("title"))
            .and_then(|title| title.as_str())
            .unwrap_or_default()
            .to_string())
    })
}

/// One spec to generate as one module.
#[derive(Debug, Clone)]
pub struct ModuleRequest {
    pub module: String,
    pub spec: PathBuf,
    /// How the spec is named in messages and headers, e.g. `specs/twilio.yaml`.
    pub source: String,
    pub selection: Selection,
    /// The path parameter that defaults to the client's account (see
    /// [`lower::use_account`]).
    pub account_parameter: Option<String>,
    /// The dotted prefix of the spec's schema names that type names leave out (see
    /// [`naming::schema_type_name`]), such as `api.v2010.account`.
    pub schema_namespace: Option<String>,
    /// Where `Client::from_env` reads credentials and the host (see
    /// [`lower::use_environment`]); `None`: no such constructor.
    pub environment: Option<config::EnvironmentSettings>,
}

impl ModuleRequest {
    /// Every operation of `spec` as `module`, `source` naming the spec in messages and
    /// headers; no account parameter, schema namespace or environment settings.
    pub fn all(module: &str, spec: PathBuf, source: &str) -> Self {
        ModuleRequest {
            module: module.to_string(),
            spec,
            source: source.to_string(),
            selection: Selection::All,
            account_parameter: None,
            schema_namespace: None,
            environment: None,
        }
    }
}

/// A crate to generate.
#[derive(Debug, Clone)]
pub struct CrateRequest {
    pub name: String,
    pub version: String,
    pub modules: Vec<ModuleRequest>,
    /// Refuse sloppy specs: every warning is an error.
    pub strict: bool,
    /// Write the runtime crate beside the client, or use an existing one.
    pub runtime: RuntimeCrate,
    /// Provider-neutral modules over some of the modules.
    pub families: Vec<FamilySpec>,
}

impl CrateRequest {
    /// A crate of `modules` with its own runtime crate, no families, warnings not errors.
    pub fn new(name: &str, version: &str, modules: Vec<ModuleRequest>) -> Self {
        CrateRequest {
            name: name.to_string(),
            version: version.to_string(),
            modules,
            strict: false,
            runtime: RuntimeCrate::Own,
            families: Vec::new(),
        }
    }
}

/// All files of the requested crate.
pub fn generate(request: &CrateRequest) -> Result<Vec<GeneratedFile>, Error> {
    Ok(generate_with_warnings(request)?.0)
}

/// All files of the requested crate, and the warnings about its specs, in module order.
fn generate_with_warnings(
    request: &CrateRequest,
) -> Result<(Vec<GeneratedFile>, Vec<SpecError>), Error> {
    naming::check_crate_names(
        &request.name,
        request
            .modules
            .iter()
            .map(|m| m.module.as_str())
            .chain(request.families.iter().map(|f| f.name.as_str())),
    )?;
    let modules: Vec<&str> = request.modules.iter().map(|m| m.module.as_str()).collect();
    family::check_families(&request.families, &modules)?;
    let mut warnings = Vec::new();
    let mut modules = Vec::with_capacity(request.modules.len());
    for m in &request.modules {
        let (api, found) = module_api_and_warnings(m, request.strict)?;
        warnings.extend(found);
        modules.push(ModuleSpec {
            name: m.module.clone(),
            api,
        });
    }
    let files = crate_files(&CrateSpec {
        name: request.name.clone(),
        version: request.version.clone(),
        modules,
        runtime: request.runtime.clone(),
        families: request.families.clone(),
    })?;
    Ok((files, warnings))
}

/// Stages 1–4 for one module as [`generate`] runs them (its schema namespace and account
/// parameter applied): the IR its file is emitted from.
pub fn module_api(module: &ModuleRequest) -> Result<ir::Api, Error> {
    Ok(module_api_and_warnings(module, false)?.0)
}

fn module_api_and_warnings(
    m: &ModuleRequest,
    strict: bool,
) -> Result<(ir::Api, Vec<SpecError>), Error> {
    let (mut api, warnings) = api_and_warnings(
        &m.spec,
        &m.source,
        &m.selection,
        strict,
        m.schema_namespace.as_deref(),
    )?;
    if let Some(name) = &m.account_parameter {
        lower::use_account(&mut api, name)?;
    }
    if let Some(settings) = &m.environment {
        lower::use_environment(&mut api, &m.module, settings)?;
    }
    Ok((api, warnings))
}

/// Runs stages 5–6 on lowered modules: the crate's formatted files.
pub fn crate_files(spec: &CrateSpec) -> Result<Vec<GeneratedFile>, Error> {
    threads::with_stack(&format!("generating {}", spec.name), || {
        format::format_files(&emit::emit_crate(spec))
    })
}

/// The support matrix of each family the request configures, from its modules' specs.
pub fn families(request: &CrateRequest) -> Result<Vec<family::Family>, Error> {
    let modules: Vec<&str> = request.modules.iter().map(|m| m.module.as_str()).collect();
    family::check_families(&request.families, &modules)?;
    let mut out = Vec::with_capacity(request.families.len());
    for spec in &request.families {
        let mut apis = Vec::with_capacity(spec.modules.len());
        for name in &spec.modules {
            let Some(m) = request.modules.iter().find(|m| &m.module == name) else {
                continue;
            };
            // Lowered as `generate` lowers it (schema namespace included), so that renames
            // keyed on type names match here as in the emitted module.
            apis.push((name.as_str(), module_api(m)?));
        }
        let members: Vec<family::Member<'_>> = apis
            .iter()
            .map(|(module, api)| family::Member { module, api })
            .collect();
        out.push(family::match_family(&spec.name, &members, &spec.renames));
    }
    Ok(out)
}

/// The support matrix of every operation of two specs, named by their modules.
pub fn portability(first: (&str, &Path), second: (&str, &Path)) -> Result<family::Family, Error> {
    let a = api_from_file(first.1, &first.1.display().to_string(), &Selection::All)?;
    let b = api_from_file(second.1, &second.1.display().to_string(), &Selection::All)?;
    let members = [
        family::Member {
            module: first.0,
            api: &a,
        },
        family::Member {
            module: second.0,
            api: &b,
        },
    ];
    Ok(family::match_family(
        "neutral",
        &members,
        &family::Renames::new(),
    ))
}

/// Write the files, or only compare them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Write,
    Check,
}

/// Generates the crate once and writes it to `out`, or checks `out` against it. The report
/// carries the warnings about the specs.
pub fn run(request: &CrateRequest, out: &Path, mode: Mode) -> Result<Report, Error> {
    Ok(run_reviewed(request, out, mode)?.1)
}

/// [`run`], plus what changed in the API surface of each module file it replaces (or, with
/// [`Mode::Check`], would replace). The review reads the old files before anything is written.
pub fn run_reviewed(
    request: &CrateRequest,
    out: &Path,
    mode: Mode,
) -> Result<(Vec<review::ModuleReview>, Report), Error> {
    let (files, warnings) = generate_with_warnings(request)?;
    let modules: Vec<String> = request
        .modules
        .iter()
        .map(|m| emit::layout::module_dir(&m.module))
        .collect();
    let reviews = review::replaced(out, &files, &modules);
    let mut report = match mode {
        Mode::Write => output::write(out, &files),
        Mode::Check => output::check(out, &files),
    }?;
    report.warnings = warnings;
    Ok((reviews, report))
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
                account_parameter: m.account_parameter.clone(),
                schema_namespace: m.schema_namespace.clone(),
                environment: m.environment.clone(),
            })
            .collect(),
        strict: config.krate.strict,
        runtime: match &config.krate.runtime {
            Some(shared) => RuntimeCrate::Shared {
                package: shared.package.clone(),
                path: shared.path.clone(),
            },
            None => RuntimeCrate::Own,
        },
        families: config
            .families
            .iter()
            .map(|f| FamilySpec {
                name: f.name.clone(),
                modules: f.modules.clone(),
                renames: f.renames.clone(),
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
        let module = ModuleRequest::all(
            "lib",
            PathBuf::from("does-not-exist.yaml"),
            "does-not-exist.yaml",
        );
        let request = CrateRequest::new("ok", "0.1.0", vec![module]);
        let e = generate(&request).unwrap_err();
        assert!(matches!(e, Error::InvalidName { .. }), "{e}");
    }
}
