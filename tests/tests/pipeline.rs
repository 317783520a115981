//! Each generator stage on small fixture specs, as snapshots: the normalized document, the IR
//! and the emitted code. A change in any stage shows up here on its own.

use telephony_codegen::error::Reporter;
use telephony_codegen::{load, normalize, Selection};
use telephony_tests::{repo_root, trial, Need};

/// `fixture_crates_compile` needs `cargo clippy`: without it, it is reported as ignored with the
/// reason, and with `CI=true` it fails.
fn main() -> std::process::ExitCode {
    telephony_tests::run(vec![
        trial!(&[], normalizer_rewrites_openapi_31_constructs),
        trial!(&[], ir_of_feature_fixture),
        trial!(&[], ir_of_json_body_fixture),
        trial!(&[], emitted_code_of_fixtures),
        trial!(&[], threaded_formatting_equals_whole_module_formatting),
        trial!(&[Need::Clippy], fixture_crates_compile),
    ])
}

fn fixture(name: &str) -> (String, Vec<u8>) {
    let source = format!("tests/fixtures/specs/{name}");
    let bytes = std::fs::read(repo_root().join(&source)).expect("fixture exists");
    (source, bytes)
}

fn snapshot(name: &str, value: &str) {
    insta::with_settings!({ snapshot_path => "snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!(name, value);
    });
}

fn normalizer_rewrites_openapi_31_constructs() {
    let (source, bytes) = fixture("features.yaml");
    let mut doc = load::parse_text(&Reporter::new(source), &bytes).expect("loads");
    normalize::normalize(&mut doc);
    assert_eq!(doc["openapi"], "3.0.3");
    assert!(doc.get("webhooks").is_none());
    let member = &doc["components"]["schemas"]["Member"]["properties"];
    assert_eq!(member["label"]["type"], "string");
    assert_eq!(member["label"]["nullable"], true);
    assert_eq!(member["label"]["example"], "agent-7");
    assert_eq!(
        member["coach"]["allOf"][0]["$ref"],
        "#/components/schemas/Sid"
    );
    assert_eq!(
        member["sid"]["description"]
            .as_str()
            .map(|d| d.contains("sibling")),
        Some(true)
    );
    snapshot(
        "pipeline__normalized_features",
        &serde_json::to_string_pretty(&doc["components"]).expect("serializes"),
    );
}

fn ir_of_feature_fixture() {
    let (source, bytes) = fixture("features.yaml");
    let api = telephony_codegen::api_from_text(&source, &bytes, &Selection::All).expect("lowers");
    snapshot("pipeline__ir_features", &format!("{api:#?}"));
}

fn ir_of_json_body_fixture() {
    let (source, bytes) = fixture("signalwire_json_body.yaml");
    let api = telephony_codegen::api_from_text(&source, &bytes, &Selection::All).expect("lowers");
    let op = &api.operations[0];
    assert_eq!(
        op.body.as_ref().map(|b| b.encoding),
        Some(telephony_codegen::ir::BodyEncoding::Json)
    );
    snapshot("pipeline__ir_json_body", &format!("{api:#?}"));
}

fn emitted_code_of_fixtures() {
    for (name, module) in [
        ("features.yaml", "features"),
        ("signalwire_json_body.yaml", "json_body"),
    ] {
        let (source, bytes) = fixture(name);
        let api =
            telephony_codegen::api_from_text(&source, &bytes, &Selection::All).expect("lowers");
        let features = telephony_codegen::emit::features::module_features(&api, module);
        let tokens = telephony_codegen::emit::module_tokens(&api, &features);
        let text =
            telephony_codegen::format::rust_file(tokens, &[&api], "module").expect("formats");
        snapshot(&format!("pipeline__emitted_{module}"), &text);
    }
}

/// `format_file` formats a module's type definitions on several threads; the result must be exactly
/// what formatting the whole module in one piece gives.
fn threaded_formatting_equals_whole_module_formatting() {
    for name in ["features.yaml", "signalwire_json_body.yaml"] {
        let (source, bytes) = fixture(name);
        let api =
            telephony_codegen::api_from_text(&source, &bytes, &Selection::All).expect("lowers");
        let features = telephony_codegen::emit::features::module_features(&api, "module");
        let whole = telephony_codegen::format::rust_file(
            telephony_codegen::emit::module_tokens(&api, &features),
            &[&api],
            "module",
        )
        .expect("formats");
        let file = telephony_codegen::emit::module_file(&api, &features, "module".into());
        let threaded = telephony_codegen::format::format_file(&file)
            .expect("formats")
            .contents;
        assert_eq!(threaded, whole, "{name}");
    }
}

/// The fixtures' generated crates build without warnings (their own workspace and target
/// directory, so this does not wait on the outer build).
fn fixture_crates_compile() {
    let root = repo_root();
    let work = root.join("target/fixture-crates");
    std::fs::create_dir_all(&work).expect("work dir");
    let mut members = Vec::new();
    for (name, krate) in [
        ("features.yaml", "features-client"),
        ("signalwire_json_body.yaml", "json-body-client"),
    ] {
        let (source, _) = fixture(name);
        let request = telephony_codegen::CrateRequest {
            name: krate.into(),
            version: "0.1.0".into(),
            modules: vec![telephony_codegen::ModuleRequest {
                module: "api".into(),
                spec: root.join(&source),
                source,
                selection: Selection::All,
                account_parameter: None,
            }],
            strict: false,
            runtime: Default::default(),
        };
        telephony_codegen::run(&request, &work.join(krate), telephony_codegen::Mode::Write)
            .expect("generates");
        members.push(format!("{krate:?}"));
    }
    std::fs::write(
        work.join("Cargo.toml"),
        format!(
            "[workspace]\nresolver = \"2\"\nmembers = [{}]\n",
            members.join(", ")
        ),
    )
    .expect("workspace manifest");
    let status = std::process::Command::new(telephony_tests::cargo())
        .args(["clippy", "--quiet", "--all-targets", "--", "-D", "warnings"])
        .current_dir(&work)
        .env("CARGO_TARGET_DIR", work.join("target"))
        .status()
        .expect("cargo runs");
    assert!(
        status.success(),
        "fixture crates must build without warnings"
    );
}
