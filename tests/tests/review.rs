//! A spec bump read as an API diff, through the real command line: `telephony-codegen` (and
//! `--check`) prints what changed in each replaced module, marked breaking or additive by the
//! construction rules in the README ("Reviewing generated changes").
//!
//! Each test generates a crate from `tests/fixtures/review/queues.yaml`, edits the spec the
//! way an upstream bump would, and reads the report.

use serde_yaml::{Mapping, Value};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use telephony_codegen::review::{report_module, Impact};
use telephony_codegen::surface::Surface;
use telephony_codegen::{CrateRequest, ModuleRequest};
use telephony_tests::{codegen_binary, repo_root};

fn fixture() -> Value {
    let path = repo_root().join("tests/fixtures/review/queues.yaml");
    serde_yaml::from_str(&std::fs::read_to_string(path).expect("fixture reads")).expect("YAML")
}

/// The form body schema of `UpdateQueue`.
fn request_body(spec: &mut Value) -> &mut Value {
    &mut spec["paths"]["/Accounts/{AccountSid}/Queues/{QueueSid}.json"]["post"]["requestBody"]
        ["content"]["application/x-www-form-urlencoded"]["schema"]
}

fn properties(schema: &mut Value) -> &mut Mapping {
    schema["properties"]
        .as_mapping_mut()
        .expect("the schema has properties")
}

struct Printed {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs the CLI on `spec` (written to `dir/spec.yaml`) into `dir/crate`.
fn codegen(dir: &Path, spec: &Value, check: bool) -> Printed {
    let spec_path = dir.join("spec.yaml");
    std::fs::write(
        &spec_path,
        serde_yaml::to_string(spec).expect("YAML writes"),
    )
    .expect("write");
    let out = dir.join("crate");
    let mut command = Command::new(codegen_binary());
    command
        .arg(&spec_path)
        .args(["--all", "--module", "queues", "--out"])
        .arg(&out);
    if check {
        command.arg("--check");
    }
    let output = command.output().expect("the CLI runs");
    Printed {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Generates the fixture, then regenerates from `bumped`: first `--check`, then for real.
/// Both must print `expected`; the check must fail and write nothing.
fn assert_bump_prints(bumped: &Value, expected: &str) {
    let dir = tempfile::tempdir().expect("temp dir");
    let first = codegen(dir.path(), &fixture(), false);
    assert_eq!(first.code, Some(0), "{}", first.stderr);
    assert!(!first.stdout.contains("API changes"), "{}", first.stdout);
    let module = dir.path().join("crate");
    let before = telephony_tests::module_text_on_disk(&module, "queues");

    let check = codegen(dir.path(), bumped, true);
    assert_eq!(check.code, Some(1), "{}\n{}", check.stdout, check.stderr);
    assert!(
        check.stdout.contains(expected),
        "--check printed:\n{}",
        check.stdout
    );
    assert_eq!(
        telephony_tests::module_text_on_disk(&module, "queues"),
        before,
        "--check wrote"
    );

    let write = codegen(dir.path(), bumped, false);
    assert_eq!(write.code, Some(0), "{}", write.stderr);
    assert!(
        write.stdout.contains(expected),
        "the run printed:\n{}",
        write.stdout
    );
    assert_ne!(
        telephony_tests::module_text_on_disk(&module, "queues"),
        before,
        "the run did not write"
    );

    let again = codegen(dir.path(), bumped, false);
    assert!(
        !again.stdout.contains("API changes"),
        "nothing replaced, nothing to report:\n{}",
        again.stdout
    );
}

#[test]
fn removing_a_request_field_prints_it_as_breaking() {
    let mut spec = fixture();
    properties(request_body(&mut spec)).remove("MaxSize");
    assert_bump_prints(
        &spec,
        "API changes in src/queues/: 1 breaking, 0 additive\n\
         \x20 breaking  removed  field UpdateQueueRequest.max_size: Option<i64>, wire `MaxSize`, optional\n",
    );
}

#[test]
fn adding_an_optional_request_field_prints_it_as_additive() {
    let mut spec = fixture();
    let announce: Value = serde_yaml::from_str(
        "{type: string, format: uri, description: Audio played to callers as they join.}",
    )
    .expect("YAML");
    properties(request_body(&mut spec)).insert("AnnounceUrl".into(), announce);
    assert_bump_prints(
        &spec,
        "API changes in src/queues/: 0 breaking, 1 additive\n\
         \x20 additive  added    field UpdateQueueRequest.announce_url: Option<String>, wire `AnnounceUrl`, \
         optional; callers build UpdateQueueRequest with `..Default::default()`\n",
    );
}

#[test]
fn requiring_a_request_field_prints_it_as_breaking() {
    let mut spec = fixture();
    request_body(&mut spec)["required"] = serde_yaml::from_str("[MaxSize]").expect("YAML");
    assert_bump_prints(
        &spec,
        "API changes in src/queues/: 2 breaking, 1 additive\n\
         \x20 breaking  removed  derive Default for UpdateQueueRequest\n\
         \x20 breaking  changed  field UpdateQueueRequest.max_size: type Option<i64> → i64; optional → required\n\
         \x20 additive  added    fn UpdateQueueRequest::new: fn new(max_size: i64) -> Self\n",
    );
}

#[test]
fn adding_a_required_response_field_prints_it_as_additive() {
    let mut spec = fixture();
    let queue = &mut spec["components"]["schemas"]["queue"];
    properties(queue).insert(
        "date_created".into(),
        serde_yaml::from_str("{type: string, description: When the queue was made.}")
            .expect("YAML"),
    );
    queue["required"] = serde_yaml::from_str("[sid, date_created]").expect("YAML");
    assert_bump_prints(
        &spec,
        "API changes in src/queues/: 0 breaking, 1 additive\n\
         \x20 additive  added    field Queue.date_created: String, wire `date_created`, required; \
         Queue is a response type, read and never built\n",
    );
}

#[test]
fn a_bump_that_changes_no_api_says_so() {
    let mut spec = fixture();
    spec["info"]["description"] = "Rename a queue, or resize it.".into();
    assert_bump_prints(
        &spec,
        "API changes in src/queues/: 0 breaking, 0 additive\n\
         \x20 no API change (documentation or implementation only)\n",
    );
}

/// Every awkward-but-valid spec (keywords, odd names, collisions, recursion, error enums…) has
/// a surface whose every operation carries its endpoint, compares equal to itself, and reads as
/// purely additive when it appears and purely breaking when it goes.
#[test]
fn every_tricky_fixture_has_a_complete_surface_and_a_consistent_report() {
    let dir = repo_root().join("tests/fixtures/tricky");
    let mut fixtures: Vec<_> = std::fs::read_dir(&dir)
        .expect("tricky fixtures")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    fixtures.sort();
    assert!(fixtures.len() >= 10, "{fixtures:?}");
    for spec in fixtures {
        let request = CrateRequest::new(
            "tricky",
            "0.1.0",
            vec![ModuleRequest::all(
                "api",
                spec.clone(),
                &spec.display().to_string(),
            )],
        );
        let files = telephony_codegen::generate(&request).expect("generation succeeds");
        let parts = telephony_codegen::review::module_sources(&files, "src/api");
        let surface = Surface::of_module(&parts).expect("the module parses");
        let client = &surface.items["Client"];
        let operations: Vec<_> = client
            .functions
            .iter()
            // An operation's method returns the future of its call.
            .filter(|(_, f)| {
                f.output.starts_with("crate::Call<") || f.output.starts_with("crate::PageCall<")
            })
            .collect();
        assert!(!operations.is_empty(), "{}", spec.display());
        for (name, function) in operations {
            assert!(
                function.http.is_some(),
                "{}: {name} has no endpoint",
                spec.display()
            );
        }
        let none = BTreeMap::new();
        assert_eq!(
            report_module(&parts, &parts).changes,
            [],
            "{}",
            spec.display()
        );
        let appeared = report_module(&none, &parts);
        assert!(
            appeared
                .changes
                .iter()
                .all(|c| c.impact == Impact::Additive),
            "{appeared}"
        );
        assert_eq!(appeared.changes.len(), surface.items.len());
        let gone = report_module(&parts, &none);
        assert!(
            gone.changes.iter().all(|c| c.impact == Impact::Breaking),
            "{gone}"
        );
    }
}

/// Only files the generator wrote are reviewed: a hand-written file where a module would go is
/// not compared as if it were an earlier version.
#[test]
fn a_file_the_generator_did_not_write_is_not_reviewed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let first = codegen(dir.path(), &fixture(), false);
    assert_eq!(first.code, Some(0), "{}", first.stderr);
    let module = dir.path().join("crate/src/queues/mod.rs");
    std::fs::write(&module, "pub struct Mine;\n").expect("write");
    let check = codegen(dir.path(), &fixture(), true);
    assert!(!check.stdout.contains("API changes"), "{}", check.stdout);
}

/// A module that an earlier generator wrote as one file (`src/queues.rs`) is reviewed against
/// the directory that replaces it.
#[test]
fn a_module_written_as_one_file_is_reviewed_against_its_directory() {
    let dir = tempfile::tempdir().expect("temp dir");
    let first = codegen(dir.path(), &fixture(), false);
    assert_eq!(first.code, Some(0), "{}", first.stderr);
    std::fs::remove_dir_all(dir.path().join("crate/src/queues")).expect("remove");
    std::fs::write(
        dir.path().join("crate/src/queues.rs"),
        "// @generated by telephony-codegen\npub struct Retired { pub size: i64 }\n",
    )
    .expect("write");
    let check = codegen(dir.path(), &fixture(), true);
    assert!(
        check
            .stdout
            .contains("API changes in src/queues/: 1 breaking")
            && check.stdout.contains("breaking  removed  struct Retired"),
        "{}",
        check.stdout
    );
}
