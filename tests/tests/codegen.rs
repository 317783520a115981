//! `generated/` is exactly what the generator makes from `specs/`. A spec bump is reviewed as
//! a diff of each module's API surface (`surface__<module>.snap`); the files a surface does not
//! describe (Cargo.toml, lib.rs, examples) keep whole-file snapshots, and the runtime is checked
//! against its template instead of being copied into a snapshot.

use std::path::PathBuf;
use telephony_codegen::{config::Config, surface::Surface, CrateRequest, GeneratedFile, Mode};
use telephony_tests::repo_root;

fn request() -> (CrateRequest, PathBuf) {
    let root = repo_root();
    let config = Config::load(&root.join("specs/codegen.toml")).expect("specs/codegen.toml loads");
    (
        telephony_codegen::request_from_config(&config, &root),
        config.krate.output,
    )
}

/// Where a module's files are: a provider module's directory, a family's one file.
fn module_path(module: &str) -> String {
    format!("src/{module}")
}

/// The text a module's surface snapshot holds.
fn surface(files: &[GeneratedFile], module: &str) -> String {
    let dir = module_path(module);
    let parts = telephony_codegen::review::module_sources(files, &dir);
    assert!(parts.contains_key("mod"), "{dir} is generated");
    Surface::of_module(&parts)
        .unwrap_or_else(|e| panic!("{dir} parses: {e}"))
        .to_string()
}

#[test]
fn generated_directory_is_fresh() {
    let (request, out) = request();
    let stale = telephony_codegen::run(&request, &out, Mode::Check)
        .expect("generation succeeds")
        .changes;
    let names: Vec<String> = stale.iter().map(ToString::to_string).collect();
    assert!(
        names.is_empty(),
        "generated/ is stale; run `cargo xtask codegen`:\n{}",
        names.join("\n")
    );
}

#[test]
fn every_module_api_surface_matches_its_snapshot() {
    let (request, _) = request();
    let files = telephony_codegen::generate(&request).expect("generation succeeds");
    assert_eq!(request.modules.len(), 2, "twilio and signalwire");
    for module in &request.modules {
        let name = format!("surface__{}", module.module);
        let text = surface(&files, &module.module);
        insta::with_settings!({ snapshot_path => "snapshots", prepend_module_to_snapshot => false, description => format!("API surface of {} from {}", module_path(&module.module), module.source) }, {
            insta::assert_snapshot!(name, text);
        });
    }
    // The provider-neutral modules too, so a spec bump that changes the support matrix
    // shows in review.
    assert_eq!(request.families.len(), 1, "telephony");
    for family in &request.families {
        let name = format!("surface__{}", family.name);
        let text = surface(&files, &family.name);
        insta::with_settings!({ snapshot_path => "snapshots", prepend_module_to_snapshot => false, description => format!("API surface of {} over {}", module_path(&family.name), family.modules.join(", ")) }, {
            insta::assert_snapshot!(name, text);
        });
    }
}

#[test]
fn files_the_surface_does_not_describe_match_their_snapshots() {
    let (request, _) = request();
    let files = telephony_codegen::generate(&request).expect("generation succeeds");
    let modules: Vec<&str> = request
        .modules
        .iter()
        .map(|m| m.module.as_str())
        .chain(request.families.iter().map(|f| f.name.as_str()))
        .collect();
    let rest: Vec<&GeneratedFile> = files
        .iter()
        .filter(|f| {
            !f.path.starts_with("runtime/src/")
                && !modules
                    .iter()
                    .any(|m| telephony_tests::is_module_file(&f.path, m))
        })
        .collect();
    let paths: Vec<&str> = rest.iter().map(|f| f.path.as_str()).collect();
    for expected in [
        "Cargo.toml",
        "src/lib.rs",
        "examples/twilio_update_participant.rs",
    ] {
        assert!(paths.contains(&expected), "{expected} in {paths:?}");
    }
    for file in rest {
        let name = format!("generated__{}", file.path.replace(['/', '.'], "_"));
        insta::with_settings!({ snapshot_path => "snapshots", prepend_module_to_snapshot => false, description => file.path.clone() }, {
            insta::assert_snapshot!(name, file.contents);
        });
    }
}

/// Each runtime module is its template behind the generated header, byte for byte, so
/// reviewing the templates' own diff is reviewing the runtime; every template is emitted.
/// The header names no spec, so a spec change leaves the runtime's files and build alone.
#[test]
fn the_runtime_is_its_templates_behind_the_header() {
    let (request, _) = request();
    let files = telephony_codegen::generate(&request).expect("generation succeeds");
    let templates = repo_root().join("generator/templates/runtime");
    let mut names: Vec<String> = std::fs::read_dir(&templates)
        .expect("the templates list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.len() >= 10, "{names:?}");
    for name in &names {
        let path = format!("runtime/src/{name}");
        let runtime = files
            .iter()
            .find(|f| f.path == path)
            .unwrap_or_else(|| panic!("{path} is generated"));
        let template = std::fs::read_to_string(templates.join(name)).expect("the template reads");
        let header = runtime
            .contents
            .strip_suffix(template.as_str())
            .unwrap_or_else(|| panic!("{path} ends with its template"));
        assert!(
            header.lines().all(|l| l.is_empty() || l.starts_with("// ")),
            "only the generated header precedes the template:\n{header}"
        );
        assert!(header.contains("@generated"), "{header}");
        assert!(!header.contains("specs/"), "{path} names a spec: {header}");
    }
    let version = files
        .iter()
        .find(|f| f.path == "runtime/src/version.rs")
        .expect("the runtime's version is generated");
    assert!(
        version
            .contents
            .contains(&telephony_codegen::emit::runtime_version()),
        "{}",
        version.contents
    );
}

/// The snapshots above would catch a field's new type: retyping one request field in each spec
/// changes exactly that field's line of the surface text.
#[test]
fn a_field_type_change_changes_the_surface_snapshot() {
    let (request, _) = request();
    let before = telephony_codegen::generate(&request).expect("generation succeeds");
    let dir = tempfile::tempdir().expect("temp dir");
    let mut retyped = request.clone();
    for module in &mut retyped.modules {
        let text = std::fs::read_to_string(&module.spec).expect("spec reads");
        let mut spec: serde_yaml::Value = serde_yaml::from_str(&text).expect("spec is YAML");
        assert!(
            retype_property(&mut spec, "Muted", "string"),
            "{} has a boolean `Muted` property",
            module.source
        );
        let path = dir.path().join(format!("{}.yaml", module.module));
        std::fs::write(&path, serde_yaml::to_string(&spec).expect("YAML writes")).expect("write");
        module.spec = path;
    }
    let after = telephony_codegen::generate(&retyped).expect("generation succeeds");
    for module in &request.modules {
        let (old, new) = (
            surface(&before, &module.module),
            surface(&after, &module.module),
        );
        // Lines as multisets: a list's `Muted` query parameter keeps its `Option<bool>` line.
        let (gone, came) = (line_difference(&old, &new), line_difference(&new, &old));
        // Twilio has `Muted` in the create and the update body, SignalWire in the update body;
        // both have it in their conference event payload.
        let bodies = if module.module == "twilio" { 3 } else { 2 };
        assert_eq!(
            (gone, came),
            (
                vec!["    field muted: Option<bool>, wire `Muted`, optional"; bodies],
                vec!["    field muted: Option<String>, wire `Muted`, optional"; bodies]
            ),
            "{}",
            module.module
        );
    }
}

/// The lines of `a` that `b` lacks, counting repeats.
fn line_difference<'t>(a: &'t str, b: &str) -> Vec<&'t str> {
    let mut rest: Vec<&str> = b.lines().collect();
    a.lines()
        .filter(|line| match rest.iter().position(|r| r == line) {
            Some(i) => {
                rest.remove(i);
                false
            }
            None => true,
        })
        .collect()
}

/// Sets `type: new_type` on every boolean property called `name`; whether there was one.
fn retype_property(value: &mut serde_yaml::Value, name: &str, new_type: &str) -> bool {
    let mut found = false;
    match value {
        serde_yaml::Value::Mapping(map) => {
            if let Some(serde_yaml::Value::Mapping(properties)) = map.get_mut("properties") {
                if let Some(property) = properties.get_mut(name) {
                    if property["type"] == "boolean" {
                        property["type"] = new_type.into();
                        found = true;
                    }
                }
            }
            for (_, child) in map.iter_mut() {
                found |= retype_property(child, name, new_type);
            }
        }
        serde_yaml::Value::Sequence(items) => {
            for child in items {
                found |= retype_property(child, name, new_type);
            }
        }
        _ => {}
    }
    found
}

#[test]
fn generation_is_deterministic() {
    let (request, _) = request();
    let first = telephony_codegen::generate(&request).expect("generation succeeds");
    let second = telephony_codegen::generate(&request).expect("generation succeeds");
    assert_eq!(first, second);
}
