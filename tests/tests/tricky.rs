//! Tricky but valid specs (`tests/fixtures/tricky/`) generate crates that compile without a
//! single warning, and keep every wire name exactly as the spec spells it.
//!
//! All fixtures are generated into one temporary cargo workspace and checked with one
//! `cargo check` (`RUSTFLAGS="-D warnings"`), with `CARGO_TARGET_DIR=target/tricky-check` so that
//! the dependencies (reqwest, serde, …) are built once and reused by later runs. The workspace
//! starts from the repository's `Cargo.lock`, so no dependency is resolved anew.
//!
//! Each of `self_names`, `no_enums`, `carriage_returns`, `bidi_text` and
//! `implicit_operation_ids` failed to generate or to build warning-free when it was written;
//! they are kept in their own fixtures so that a regression names its cause.

use std::path::Path;
use telephony_codegen::{CrateRequest, GeneratedFile, Mode, ModuleRequest};
use telephony_tests::repo_root;

/// Every fixture in `tests/fixtures/tricky/`.
const FIXTURES: &[&str] = &[
    "keywords",
    "odd_names",
    "enums",
    "recursive",
    "collisions",
    "responses",
    "self_names",
    "no_enums",
    "carriage_returns",
    "bidi_text",
    "implicit_operation_ids",
    "form_and_json",
];

fn request(fixture: &str) -> CrateRequest {
    let source = format!("tests/fixtures/tricky/{fixture}.yaml");
    CrateRequest::new(
        &format!("tricky-{}", fixture.replace('_', "-")),
        "0.1.0",
        vec![ModuleRequest::all(
            "api",
            repo_root().join(&source),
            &source,
        )],
    )
}

/// The generated files of one fixture, in memory.
fn generate(fixture: &str) -> Vec<GeneratedFile> {
    telephony_codegen::generate(&request(fixture))
        .unwrap_or_else(|e| panic!("{fixture}: generation failed:\n{e}"))
}

/// Generates `fixtures` as members of one new workspace and runs `cargo check` on it.
/// Returns cargo's diagnostics on failure.
fn check_in_workspace(fixtures: &[&str]) -> Result<(), String> {
    let workspace = tempfile::Builder::new()
        .prefix("tricky-workspace-")
        .tempdir()
        .expect("tempdir");
    let root = workspace.path();
    for fixture in fixtures {
        telephony_codegen::run(&request(fixture), &root.join(fixture), Mode::Write)
            .map_err(|e| format!("{fixture}: generation failed:\n{e}"))?;
    }
    let members: Vec<String> = fixtures.iter().map(|f| format!("{f:?}")).collect();
    std::fs::write(
        root.join("Cargo.toml"),
        format!(
            "[workspace]\nresolver = \"2\"\nmembers = [{}]\n",
            members.join(", ")
        ),
    )
    .expect("workspace manifest");
    std::fs::copy(repo_root().join("Cargo.lock"), root.join("Cargo.lock")).expect("Cargo.lock");
    cargo_check(root)
}

fn cargo_check(workspace: &Path) -> Result<(), String> {
    let output = telephony_tests::cargo_in_shared_target(workspace)
        .args([
            "check",
            "--workspace",
            "--all-targets",
            // The mock servers too: awkward specs must give warning-free mocks.
            "--features",
            "mock",
            "--message-format",
            "short",
        ])
        .output()
        .expect("run cargo check");
    let stderr = String::from_utf8_lossy(&output.stderr);
    // Diagnostics of the generated crates (cargo's own notes are not code warnings).
    let diagnostics: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains(": warning:") || l.contains(": error") || l.starts_with("error"))
        .collect();
    if output.status.success() && diagnostics.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "cargo check failed ({}):\n{}\n--- full stderr ---\n{}",
            output.status,
            diagnostics.join("\n"),
            stderr
        ))
    }
}

#[test]
fn tricky_specs_compile_without_warnings() {
    if let Err(e) = check_in_workspace(FIXTURES) {
        panic!("{e}");
    }
}

// ---------------------------------------------------------------------------------------------
// Wire names
// ---------------------------------------------------------------------------------------------

fn module_source(fixture: &str) -> String {
    telephony_tests::module_text(&generate(fixture), "api").expect("src/api/")
}

/// Runs of whitespace as one space, so that a match does not depend on line breaks.
fn squeeze(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Every `needle` occurs in the generated module, verbatim (up to line breaks).
fn assert_contains(fixture: &str, source: &str, needles: &[&str]) {
    let source = squeeze(source);
    let missing: Vec<&&str> = needles
        .iter()
        .filter(|n| !source.contains(&squeeze(n)))
        .collect();
    assert!(
        missing.is_empty(),
        "{fixture}: the generated src/api/ lacks {missing:#?}"
    );
}

#[test]
fn keyword_wire_names_stay_exact() {
    let source = module_source("keywords");
    assert_contains(
        "keywords",
        &source,
        &[
            // Raw identifiers need no rename; the others keep their spelling on the wire.
            "pub r#type: String",
            "(\"self\"",
            "(\"Self\"",
            "(\"crate\"",
            "(\"super\"",
            "pub r#async: Option<bool>",
            "(\"Result\"",
            "(\"Option\"",
            "(\"String\"",
            "(\"Some\"",
            "(\"Ok\"",
            "request.query(\"async\"",
            "request.query(\"Result\"",
            "request.query(\"String\"",
            "request.header(\"await\"",
            ".param(\"type\", r#type)",
            ".param(\"self\",",
            ".param(\"Self\",",
            ".param(\"fn\", r#fn)",
            "\"type\", &mut pairs",
            "\"self\", &mut pairs",
            "=> \"self\",",
            "\"crate\" => Self::",
        ],
    );
}

#[test]
fn odd_wire_names_stay_exact() {
    let source = module_source("odd_names");
    assert_contains(
        "odd_names",
        &source,
        &[
            "(\"1st\"",
            "(\"2nd-value\"",
            "(\"a-b\"",
            "(\"a.b\"",
            "(\"a b\"",
            "(\"a<b\"",
            "(\"a>b\"",
            "(\"\"",
            "(\"_\"",
            "(\"__\"",
            "(\"héllo\"",
            "(\"日本語\"",
            "(\"🦀\"",
            "(\"with space\"",
            "(\"r#raw\"",
            "(\"naïve\"",
            "request.query(\"DateCreated<\"",
            "request.query(\"DateCreated>\"",
            "request.query(\"DateCreated\"",
            "request.query(\"page size\"",
            "request.query(\"page.size\"",
            "request.query(\"page-size\"",
            "request.query(\"a=b\"",
            "request.query(\"\"",
            "request.query(\"日本語\"",
            "request.query(\"🦀\"",
            "request.header(\"X-Request-Id\"",
            "request.header(\"x.trace.id\"",
            ".param(\"item-id\",",
            ".param(\"item.id\",",
            ".param(\"1st\",",
            ".param(\"\",",
            ".param(\"ünïcode\",",
            "\"Friendly-Name\", &mut pairs",
            "\"friendly.name\", &mut pairs",
            "\"\", &mut pairs",
            "\" \", &mut pairs",
            "\"1\", &mut pairs",
        ],
    );
}

#[test]
fn enum_wire_values_stay_exact() {
    let source = module_source("enums");
    let mut needles = Vec::new();
    for value in [
        "GET",
        "get",
        "Get",
        "POST",
        "post",
        "in-progress",
        "in_progress",
        "in progress",
        "InProgress",
        "",
        " ",
        "1",
        "1.5",
        "-1",
        "01",
        "true",
        "null",
        "Unknown",
        "unknown",
        "Self",
        "type",
        "café",
        "日本",
        "🦀",
        "<",
        ">",
        "=",
        "a-b",
        "a.b",
        "on",
        "off",
        "x",
        "y",
        "a",
        "A",
        "0",
    ] {
        // Both directions: to the wire (`as_str`) and from it (`From<String>`).
        needles.push(format!("=> \"{value}\","));
        needles.push(format!("\"{value}\" => Self::"));
    }
    let needles: Vec<&str> = needles.iter().map(String::as_str).collect();
    assert_contains("enums", &source, &needles);
    // One inline enum repeated across operations with the same name hint is one type, and
    // `Shared` is defined once.
    assert_eq!(source.matches("pub enum Shared ").count(), 1, "{source}");
}

#[test]
fn colliding_names_get_distinct_types() {
    let module = module_source("collisions");
    // The client's items; the mock server (feature `mock`) repeats each operation's name.
    let source: String = module
        .split("// ===== ")
        .filter(|file| !file.starts_with("src/api/mock.rs"))
        .collect();
    for name in [
        "pub struct User ",
        "pub struct User2 ",
        "pub struct User3 ",
        "pub struct GetUserParams ",
        "pub struct GetUserResponse ",
        "pub struct GetUserRequest ",
        "pub enum GetUser ",
        "pub struct UserName ",
        "pub fn get_user(",
        "pub fn get_user2(",
        "pub fn get_user3(",
        "pub fn get_user4(",
        "pub fn get_user5(",
    ] {
        assert_eq!(
            source.matches(name).count(),
            1,
            "collisions: expected exactly one `{name}`"
        );
    }
    for wire in ["(\"userName\"", "(\"UserName\"", "(\"user-name\""] {
        assert!(source.contains(wire), "collisions: lacks {wire}");
    }
}

#[test]
fn recursive_types_are_boxed() {
    let source = module_source("recursive");
    for needle in [
        "pub children: Option<Vec<Tree>>",
        "pub parent: Option<Box<Tree>>",
        "pub next: Box<LinkedList>",
        "pub b: Box<B>",
        "pub a: Box<A>",
        "pub parent: Box<Extended>",
    ] {
        assert!(source.contains(needle), "recursive: lacks `{needle}`");
    }
}

#[test]
fn control_and_bidi_characters_stay_exact_on_the_wire() {
    // Escaped in the Rust source, so these needles are the escapes as written there.
    assert_contains(
        "carriage_returns",
        &module_source("carriage_returns"),
        &["=> \"a\\rb\",", "\"a\\rb\" => Self::"],
    );
    assert_contains(
        "bidi_text",
        &module_source("bidi_text"),
        &[
            "=> \"\\u{202e}ab\",",
            "\"\\u{202e}ab\" => Self::",
            "(\"na\\u{202e}me\"",
        ],
    );
}

#[test]
fn self_names_and_implicit_ids_stay_distinct() {
    let source = module_source("self_names");
    assert_contains(
        "self_names",
        &source,
        &[
            "=> \"Self\",",
            "=> \"self\",",
            "=> \"SELF\",",
            "request.query(\"self\"",
            "(\"self\"",
        ],
    );
    let source = module_source("implicit_operation_ids");
    assert_eq!(
        source.matches("-> crate::Call<").count(),
        3,
        "implicit_operation_ids: one method per operation"
    );
}

#[test]
fn form_bodies_and_parameters_have_one_encoder() {
    let source = module_source("form_and_json");
    assert_contains(
        "form_and_json",
        &source,
        &[
            // Sent only as a form body or as parameters: the generated function is the one
            // encoder, so there is no `Serialize`; decoding (for examples) stays.
            "#[derive(Debug, Clone, PartialEq, Default)] pub struct AddNoteRequest {",
            "#[derive(Debug, Clone, PartialEq, Default)] pub struct AddNoteParams {",
            "impl crate::runtime::json::FromJson for AddNoteRequest {",
            "text: fields.optional(\"Text\"),",
            "self.text.push_to(\"Text\", &mut pairs);",
            "self.labels.push_to(\"Labels\", &mut pairs);",
            "request.query(\"Tag\", &self.tag);",
            // Also a JSON body and a response field: `Serialize` stays, beside `form_pairs`.
            "impl ::serde::Serialize for Profile {",
            "map.optional(\"DisplayName\", &self.display_name);",
            "self.display_name.push_to(\"DisplayName\", &mut pairs);",
            "request.json(body)?;",
        ],
    );
    for name in ["AddNoteRequest", "AddNoteParams"] {
        assert!(
            !source.contains(&format!("impl ::serde::Serialize for {name} ")),
            "{name} is sent only by its generated function but has a Serialize impl"
        );
    }
}
