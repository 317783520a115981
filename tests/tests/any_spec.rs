//! Real-world spec shapes (issue 10): specs spread over several files, `$ref`s to any local
//! JSON pointer, callbacks and webhooks, sloppy input read with warnings, wrong input refused
//! with located errors. Each fixture (`tests/fixtures/any_spec/`, `multi_file/`,
//! `multi_file_broken/`) has a snapshot of its generated module or of its message, and the
//! crates generated from the valid ones pass `cargo clippy --all-targets -- -D warnings`.

use std::path::{Path, PathBuf};
use std::process::Command;
use telephony_codegen::error::{Error, Reporter, SpecError};
use telephony_codegen::{document, load, normalize};
use telephony_codegen::{CrateRequest, GeneratedFile, Mode, ModuleRequest, Selection};
use telephony_tests::repo_root;

/// The valid fixtures, by their path under `tests/fixtures/`.
const VALID: &[(&str, &str)] = &[
    ("multi_file", "multi_file/main.yaml"),
    ("local_pointers", "any_spec/local_pointers.yaml"),
    ("callbacks", "any_spec/callbacks.yaml"),
    ("sloppy", "any_spec/sloppy.yaml"),
    ("same_names", "any_spec/same_names.yaml"),
    ("union_params", "any_spec/union_params.yaml"),
];

fn source(fixture: &str) -> String {
    format!("tests/fixtures/{fixture}")
}

fn request(name: &str, fixture: &str) -> CrateRequest {
    CrateRequest {
        name: format!("any-spec-{}", name.replace('_', "-")),
        version: "0.1.0".into(),
        modules: vec![ModuleRequest {
            module: "api".into(),
            spec: repo_root().join(source(fixture)),
            source: source(fixture),
            selection: Selection::All,
        }],
        strict: false,
    }
}

fn generate(name: &str, fixture: &str) -> Result<Vec<GeneratedFile>, Error> {
    telephony_codegen::generate(&request(name, fixture))
}

fn module(name: &str, fixture: &str) -> String {
    generate(name, fixture)
        .unwrap_or_else(|e| panic!("{fixture}: generation failed:\n{e}"))
        .into_iter()
        .find(|f| f.path == "src/api.rs")
        .map(|f| f.contents)
        .expect("src/api.rs")
}

fn error(fixture: &str) -> String {
    match generate("broken", fixture) {
        Ok(_) => panic!("{fixture}: generated, but it is broken"),
        Err(e @ Error::Spec(_)) => e.to_string(),
        Err(e) => panic!("{fixture}: not a spec error: {e:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Multi-file specs and local pointers: generated code
// ---------------------------------------------------------------------------------------------

#[test]
fn multi_file_spec_generates() {
    let code = module("multi_file", "multi_file/main.yaml");
    // Types from all three files, the cycle between them broken by a box.
    for needle in [
        "pub struct Message",
        "pub struct Caller",
        "pub last_message: Option<Box<Message>>",
        "pub struct Mailbox",
        "pub async fn fetch_box(",
        "pub since: Option<crate::runtime::Timestamp>",
        "crate::Error<Problem>",
    ] {
        assert!(code.contains(needle), "multi_file lacks `{needle}`:\n{code}");
    }
    insta::assert_snapshot!("multi_file", code);
}

#[test]
fn multi_file_errors_name_their_file() {
    // An error inside a referenced file names that file and its own pointer.
    let e = error("multi_file_broken/error_inside_referenced_file.yaml");
    assert!(
        e.starts_with("tests/fixtures/multi_file_broken/common/wrong.yaml: #/components/schemas/Participant/required:"),
        "{e}"
    );
}

#[test]
fn local_pointers_generate() {
    let code = module("local_pointers", "any_spec/local_pointers.yaml");
    // The schema under `Queue/properties/front` is one type, used by both places.
    assert_eq!(code.matches("pub struct QueueFront").count(), 1, "{code}");
    assert!(code.contains("-> Result<QueueFront,"), "{code}");
    assert!(code.contains("-> Result<i64,"), "{code}");
    insta::assert_snapshot!("local_pointers", code);
}

#[test]
fn callbacks_and_webhooks_do_not_stop_generation() {
    let code = module("callbacks", "any_spec/callbacks.yaml");
    assert!(code.contains("pub async fn start_recording("), "{code}");
    assert!(!code.contains("RecordingUrl"), "callbacks are not client code:\n{code}");
    insta::assert_snapshot!("callbacks", code);
}

#[test]
fn same_name_in_different_locations_gets_distinct_fields() {
    let code = module("same_names", "any_spec/same_names.yaml");
    for needle in [
        "pub sid: Option<String>",
        "pub sid_header: Option<String>",
        "request.query(\"Sid\", &self.sid);",
        "request.header(\"Sid\", &self.sid_header);",
        // The path `Sid` is an argument, the query `Sid` a field.
        "sid: &str,\n        params: &FetchCallParams",
    ] {
        assert!(code.contains(needle), "same_names lacks `{needle}`:\n{code}");
    }
    // serde needs distinct names: only one field is renamed to `Sid`.
    let list_params = code
        .split("pub struct ListCallsParams")
        .nth(1)
        .and_then(|rest| rest.split("\n}").next())
        .expect("ListCallsParams");
    assert_eq!(list_params.matches("rename = \"Sid\"").count(), 1, "{list_params}");
    insta::assert_snapshot!("same_names", code);
}

#[test]
fn union_typed_scalar_parameters_are_text_sent_as_written() {
    let code = module("union_params", "any_spec/union_params.yaml");
    for needle in [
        "extension: &str,",
        ".param(\"Extension\", extension)?",
        "pub ring: Option<String>",
        "pub x_priority: Option<String>",
        "Any of: integer, string; sent exactly as written.",
        "Any of: integer, boolean; sent exactly as written.",
    ] {
        assert!(code.contains(needle), "union_params lacks `{needle}`:\n{code}");
    }
    insta::assert_snapshot!("union_params", code);
}

#[test]
fn example_of_an_operation_that_returns_nothing() {
    let files = generate("same_names", "any_spec/same_names.yaml").expect("generates");
    let example = files
        .iter()
        .find(|f| f.path == "examples/api_add_note.rs")
        .expect("the example calls the first operation");
    // No `let response = ()` (clippy: let_unit_value), no `..Default::default()` after the
    // only field (clippy: needless_update); the clippy test below builds it.
    assert!(example.contents.contains("client.add_note(&env(\"API_SID\")?, &body).await?;"), "{}", example.contents);
    assert!(!example.contents.contains("let response"), "{}", example.contents);
    assert!(!example.contents.contains("..Default::default()"), "{}", example.contents);
}

// ---------------------------------------------------------------------------------------------
// Broken multi-file specs: messages
// ---------------------------------------------------------------------------------------------

macro_rules! broken {
    ($case:ident, $fixture:expr) => {
        #[test]
        fn $case() {
            let message = error($fixture);
            assert!(message.contains("\n  hint: "), "no hint:\n{message}");
            insta::assert_snapshot!(stringify!($case), message);
        }
    };
}

broken!(remote_ref, "multi_file_broken/remote.yaml");
broken!(chain_of_files, "multi_file_broken/chain.yaml");
broken!(missing_target, "multi_file_broken/missing_target.yaml");
broken!(
    bad_yaml_in_referenced_file,
    "multi_file_broken/bad_yaml_in_referenced_file.yaml"
);
broken!(wrong_kind, "multi_file_broken/wrong_kind.yaml");
broken!(path_item_cycle, "multi_file_broken/path_item_cycle.yaml");
broken!(
    error_inside_referenced_file,
    "multi_file_broken/error_inside_referenced_file.yaml"
);

// ---------------------------------------------------------------------------------------------
// Input files
// ---------------------------------------------------------------------------------------------

#[test]
fn every_input_file_is_listed_with_its_hash() {
    let path = repo_root().join(source("multi_file/main.yaml"));
    let loaded = load::load_file(&path, &source("multi_file/main.yaml")).expect("loads");
    let names: Vec<&str> = loaded.inputs.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "tests/fixtures/multi_file/main.yaml",
            "tests/fixtures/multi_file/common/people.yaml",
            "tests/fixtures/multi_file/common/messages.yaml",
        ]
    );
    for input in &loaded.inputs {
        let bytes = std::fs::read(repo_root().join(&input.name)).expect("input readable");
        assert_eq!(input, &load::input_file(input.name.clone(), &bytes));
        assert_eq!(input.sha256.len(), 64);
    }
}

// ---------------------------------------------------------------------------------------------
// Warnings
// ---------------------------------------------------------------------------------------------

/// Stages 1–3 on a fixture: the warnings, or the error.
fn warnings(fixture: &str, strict: bool) -> Result<Vec<SpecError>, SpecError> {
    let path = repo_root().join(source(fixture));
    let bytes = std::fs::read(path).expect("fixture readable");
    let loaded = load::load_text(&source(fixture), &bytes)?;
    let reporter: Reporter = loaded.reporter.strict(strict);
    let mut doc = loaded.doc;
    normalize::normalize(&mut doc);
    document::parse_document(&reporter, doc)?;
    Ok(reporter.take_warnings())
}

#[test]
fn sloppy_input_is_read_with_located_warnings() {
    let found = warnings("any_spec/sloppy.yaml", false).expect("sloppy input is not an error");
    assert_eq!(found.len(), 3, "{found:#?}");
    assert!(found.iter().all(|w| w.hint.is_some()));
    let text: Vec<String> = found.iter().map(ToString::to_string).collect();
    insta::assert_snapshot!("sloppy_warnings", text.join("\n"));
    // The repaired input generates: the enum is a boolean field.
    let code = module("sloppy", "any_spec/sloppy.yaml");
    assert!(code.contains("pub locked: Option<bool>"), "{code}");
}

#[test]
fn strict_turns_the_first_warning_into_an_error() {
    let e = warnings("any_spec/sloppy.yaml", true).expect_err("strict refuses sloppy input");
    let first = &warnings("any_spec/sloppy.yaml", false).expect("warnings")[0];
    assert_eq!(&e, first);
}

// ---------------------------------------------------------------------------------------------
// Generated crates pass clippy
// ---------------------------------------------------------------------------------------------

fn cargo() -> PathBuf {
    std::env::var_os("CARGO")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO")))
}

fn clippy(workspace: &Path) -> Result<(), String> {
    let output = Command::new(cargo())
        .current_dir(workspace)
        .args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--message-format",
            "short",
            "--",
            "-D",
            "warnings",
        ])
        // Shared with tricky.rs: the dependencies are built once.
        .env("CARGO_TARGET_DIR", repo_root().join("target/tricky-check"))
        .env("RUSTFLAGS", "-D warnings")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_BUILD_RUSTFLAGS")
        .env_remove("CARGO_BUILD_TARGET_DIR")
        .output()
        .expect("run cargo clippy");
    if output.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

#[test]
fn generated_crates_pass_clippy() {
    let workspace = tempfile::Builder::new()
        .prefix("any-spec-workspace-")
        .tempdir()
        .expect("tempdir");
    let root = workspace.path();
    for (name, fixture) in VALID {
        telephony_codegen::run(&request(name, fixture), &root.join(name), Mode::Write)
            .unwrap_or_else(|e| panic!("{fixture}: generation failed:\n{e}"));
    }
    let members: Vec<String> = VALID.iter().map(|(n, _)| format!("{n:?}")).collect();
    std::fs::write(
        root.join("Cargo.toml"),
        format!(
            "[workspace]\nresolver = \"2\"\nmembers = [{}]\n",
            members.join(", ")
        ),
    )
    .expect("workspace manifest");
    std::fs::copy(repo_root().join("Cargo.lock"), root.join("Cargo.lock")).expect("Cargo.lock");
    if let Err(e) = clippy(root) {
        panic!("the generated crates do not pass clippy:\n{e}");
    }
}

// ---------------------------------------------------------------------------------------------
// Strictness from the command line and codegen.toml; staleness of every input file
// ---------------------------------------------------------------------------------------------

fn cli(args: &[&str]) -> std::process::Output {
    Command::new(telephony_tests::codegen_binary())
        .args(args)
        .current_dir(repo_root())
        .output()
        .expect("run telephony-codegen")
}

#[test]
fn cli_prints_warnings_and_strict_refuses() {
    let out = tempfile::tempdir().expect("tempdir");
    let out_dir = out.path().join("sloppy");
    let out_arg = out_dir.to_str().expect("UTF-8 path");
    let spec = "tests/fixtures/any_spec/sloppy.yaml";
    let lenient = cli(&[spec, "--all", "--out", out_arg]);
    let stderr = String::from_utf8_lossy(&lenient.stderr);
    assert!(lenient.status.success(), "{stderr}");
    assert_eq!(stderr.matches("warning: tests/fixtures/any_spec/sloppy.yaml: #/").count(), 3, "{stderr}");
    assert!(out_dir.join("src/api.rs").exists());

    let strict_dir = out.path().join("strict");
    let strict = cli(&[spec, "--all", "--strict", "--out", strict_dir.to_str().expect("UTF-8")]);
    let stderr = String::from_utf8_lossy(&strict.stderr);
    assert_eq!(strict.status.code(), Some(1), "{stderr}");
    assert!(stderr.starts_with("error: tests/fixtures/any_spec/sloppy.yaml: #/paths/"), "{stderr}");
    assert!(stderr.contains("\n  hint: "), "{stderr}");
    assert!(!strict_dir.exists(), "a refused run writes nothing");
}

#[test]
fn codegen_toml_strict_switch() {
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = repo_root().join("tests/fixtures/any_spec/sloppy.yaml");
    let config_text = |strict: &str| {
        format!(
            "[crate]\nname = \"sloppy\"\nversion = \"0.1.0\"\noutput = \"out\"\n{strict}\n[[module]]\nname = \"api\"\nspec = {:?}\noperations = [\"*\"]\n",
            spec.to_str().expect("UTF-8 path")
        )
    };
    let path = dir.path().join("codegen.toml");
    for (line, strict) in [("", false), ("strict = true", true)] {
        std::fs::write(&path, config_text(line)).expect("config writes");
        let config = telephony_codegen::config::Config::load(&path).expect("config loads");
        let request = telephony_codegen::request_from_config(&config, dir.path());
        assert_eq!(request.strict, strict);
        let result = telephony_codegen::run(&request, &dir.path().join("out"), Mode::Check);
        match (strict, result) {
            (false, Ok(report)) => assert_eq!(report.warnings.len(), 3),
            (true, Err(Error::Spec(e))) => assert!(e.hint.is_some(), "{e}"),
            (_, other) => panic!("strict = {strict}: {other:?}"),
        }
    }
}

#[test]
fn a_change_to_any_input_file_makes_the_output_stale() {
    let dir = tempfile::tempdir().expect("tempdir");
    let specs = dir.path().join("specs");
    std::fs::create_dir_all(specs.join("common")).expect("mkdir");
    for file in ["main.yaml", "common/messages.yaml", "common/people.yaml"] {
        std::fs::copy(
            repo_root().join("tests/fixtures/multi_file").join(file),
            specs.join(file),
        )
        .expect("fixture copies");
    }
    let request = CrateRequest {
        name: "voicemail".into(),
        version: "0.1.0".into(),
        modules: vec![ModuleRequest {
            module: "api".into(),
            spec: specs.join("main.yaml"),
            source: "specs/main.yaml".into(),
            selection: Selection::All,
        }],
        strict: false,
    };
    let out = dir.path().join("out");
    telephony_codegen::run(&request, &out, Mode::Write).expect("writes");
    let fresh = telephony_codegen::run(&request, &out, Mode::Check).expect("checks");
    assert!(fresh.changes.is_empty(), "{:?}", fresh.changes);
    // A comment in a file two `$ref`s away: no type changes, but the output is stale.
    let people = specs.join("common/people.yaml");
    let mut text = std::fs::read_to_string(&people).expect("reads");
    text.push_str("# edited\n");
    std::fs::write(&people, text).expect("writes");
    let stale = telephony_codegen::run(&request, &out, Mode::Check).expect("checks");
    assert!(!stale.changes.is_empty(), "an edited input file must make the output stale");
    let header = std::fs::read_to_string(out.join("src/api.rs")).expect("reads");
    assert!(header.contains(" specs/common/people.yaml\n"), "{header}");
}
