//! Per-resource Cargo features (`tests/fixtures/specs/resources.yaml`: two tags and an untagged
//! operation): every resource is a default feature; a crate built with one of them compiles
//! clippy-clean and lacks the other resources' operations and types, while untagged operations
//! and types shared by several resources stay.
//!
//! The crates are checked with `CARGO_TARGET_DIR=target/features-check`, starting from the
//! repository's `Cargo.lock`, so dependencies are built once and reused by later runs.

use std::path::Path;
use std::process::{Command, Output};
use telephony_codegen::{CrateRequest, Mode, ModuleRequest};
use telephony_tests::repo_root;

const SOURCE: &str = "tests/fixtures/specs/resources.yaml";

fn request() -> CrateRequest {
    CrateRequest::new(
        "resource-features",
        "0.1.0",
        vec![ModuleRequest::all(
            "phone",
            repo_root().join(SOURCE),
            SOURCE,
        )],
    )
}

fn file(path: &str) -> String {
    telephony_codegen::generate(&request())
        .expect("generates")
        .into_iter()
        .find(|f| f.path == path)
        .unwrap_or_else(|| panic!("no {path}"))
        .contents
}

/// Squeezes whitespace so that checks do not depend on line breaks.
fn squeeze(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn each_resource_is_a_default_feature() {
    let manifest = file("Cargo.toml");
    assert!(
        manifest.contains(
            "axum = [\"webhooks\", \"resource-features-runtime/axum\"]\n# A typed mock server per module (`{module}::mock::MockServer`), for your tests: add it to\n# your dev-dependencies' features only. Its responses are written as JSON (implies `serde`).\nmock = [\"serde\", \"resource-features-runtime/mock\"]\n# `Serialize` and `Deserialize` on every type, to save and load bodies yourself (the client\n# decodes and encodes without them).\nserde = []\n# One feature per resource (spec tag), all on by default: to compile only what you\n# call, depend with `default-features = false, features = [...]`.\ndefault = [\"phone-call\", \"phone-recording\"]\nphone-call = []\nphone-recording = []\n"
        ),
        "{manifest}"
    );
    // The example program calls a call operation, so it needs that feature.
    assert!(
        manifest.contains(
            "[[example]]\nname = \"phone_fetch_call\"\nrequired-features = [\"phone-call\"]\n"
        ),
        "{manifest}"
    );
    let files = telephony_codegen::generate(&request()).expect("generates");
    let module = squeeze(&telephony_tests::module_text(&files, "phone").expect("src/phone/"));
    // Each resource's file is compiled with any of its operations' features.
    let root = squeeze(&file("src/phone/mod.rs"));
    for needle in [
        "#[cfg(feature = \"phone-call\")] mod call; #[cfg(feature = \"phone-call\")] pub use self::call::*;",
        "#[cfg(feature = \"phone-recording\")] mod recording;",
    ] {
        assert!(root.contains(needle), "missing `{needle}` in:\n{root}");
    }
    for needle in [
        "(operation `FetchCall`). /// /// # Path parameters /// /// Pass each value as is: the client percent-encodes it as one path segment. /// /// * `call_sid` (`CallSid`): /// /// Needs the `phone-call` feature. #[cfg(feature = \"phone-call\")] #[inline] pub fn fetch_call(",
        "/// Needs one of the features `phone-call`, `phone-recording`. #[cfg(any(feature = \"phone-call\", feature = \"phone-recording\"))] #[derive(",
        "/// # Example V1 Recording /// /// Operations of the spec's tag `ExampleV1Recording`. impl Client {",
        "#[cfg(feature = \"phone-call\")] #[inline] pub fn hang_up_call(",
        "#[cfg(feature = \"phone-recording\")] #[inline] pub fn list_recording(",
        "#[cfg(feature = \"phone-recording\")] impl ListRecordingParams {",
        "#[cfg(feature = \"phone-call\")] impl HangUpCallRequest {",
        "#[cfg(any(feature = \"phone-call\", feature = \"phone-recording\"))] #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)] pub enum CallStatus",
    ] {
        assert!(module.contains(needle), "missing `{needle}` in:\n{module}");
    }
    // Untagged: no feature gate on the operation or on what only it reaches.
    assert!(module
        .contains("`GET /v1/Health` (operation `FetchHealth`). #[inline] pub fn fetch_health("));
    assert!(module.contains("Spec: `#/components/schemas/health`. #[derive("));
}

/// Spec text with a single tag gets no features: one would be the whole module.
#[test]
fn a_single_resource_gets_no_features() {
    let manifest = std::fs::read_to_string(repo_root().join("generated/Cargo.toml"))
        .expect("generated/Cargo.toml");
    assert!(manifest.contains("[features]"), "{manifest}");
    assert!(!manifest.contains("default = ["), "{manifest}");
}

fn cargo(dir: &Path, args: &[&str]) -> Output {
    Command::new(telephony_tests::cargo())
        .current_dir(dir)
        .args(&args[..1])
        .args(["--message-format", "short", "--no-default-features"])
        .args(&args[1..])
        .env(
            "CARGO_TARGET_DIR",
            repo_root().join("target/features-check"),
        )
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_BUILD_RUSTFLAGS")
        .env_remove("CARGO_BUILD_TARGET_DIR")
        .output()
        .expect("cargo runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn one_feature_compiles_clippy_clean_and_leaves_other_resources_out() {
    let dir = tempfile::Builder::new()
        .prefix("resource-features-")
        .tempdir()
        .expect("tempdir");
    let root = dir.path();
    telephony_codegen::run(&request(), root, Mode::Write).expect("writes the crate");
    // Its own workspace, pinned to the repository's dependency versions.
    let manifest = root.join("Cargo.toml");
    let mut text = std::fs::read_to_string(&manifest).expect("manifest");
    text.push_str("\n[workspace]\n");
    std::fs::write(&manifest, text).expect("manifest");
    std::fs::copy(repo_root().join("Cargo.lock"), root.join("Cargo.lock")).expect("Cargo.lock");

    // With `mock`, each operation's mock method is behind its resource's feature too.
    for feature in ["phone-call", "phone-recording", "phone-call,mock"] {
        let output = cargo(
            root,
            &[
                "clippy",
                "--all-targets",
                "--features",
                feature,
                "--",
                "-D",
                "warnings",
            ],
        );
        assert!(
            output.status.success() && !stderr(&output).contains("warning:"),
            "clippy with only {feature}:\n{}",
            stderr(&output)
        );
    }

    // A program using the recordings resource, and one using only the untagged operation.
    let examples = root.join("examples");
    std::fs::write(
        examples.join("uses_recordings.rs"),
        "use resource_features::phone;\n\
         fn main() {\n\
             let _ = phone::Client::list_recording;\n\
             let _: Option<phone::Recording> = None;\n\
             let _: Option<phone::CallStatus> = None;\n\
         }\n",
    )
    .expect("example");
    std::fs::write(
        examples.join("uses_health.rs"),
        "use resource_features::phone;\n\
         fn main() {\n\
             let _ = phone::Client::fetch_health;\n\
             let _: Option<phone::Health> = None;\n\
         }\n",
    )
    .expect("example");

    let without = cargo(
        root,
        &[
            "check",
            "--example",
            "uses_recordings",
            "--features",
            "phone-call",
        ],
    );
    let errors = stderr(&without);
    assert!(
        !without.status.success(),
        "recordings compiled without their feature"
    );
    assert!(
        errors.contains("list_recording") && errors.contains("Recording"),
        "{errors}"
    );
    let with = cargo(
        root,
        &[
            "check",
            "--example",
            "uses_recordings",
            "--features",
            "phone-recording",
        ],
    );
    assert!(with.status.success(), "{}", stderr(&with));
    let untagged = cargo(root, &["check", "--example", "uses_health"]);
    assert!(untagged.status.success(), "{}", stderr(&untagged));

    std::fs::write(
        examples.join("mocks_recordings.rs"),
        "use resource_features::phone;\n\
         fn main() {\n\
             let _ = phone::mock::MockServer::list_recording;\n\
         }\n",
    )
    .expect("example");
    let args = |features: &'static str| {
        [
            "check",
            "--example",
            "mocks_recordings",
            "--features",
            features,
        ]
    };
    let without = cargo(root, &args("phone-call,mock"));
    assert!(
        !without.status.success(),
        "the recordings mock compiled without its feature"
    );
    assert!(
        stderr(&without).contains("list_recording"),
        "{}",
        stderr(&without)
    );
    let with = cargo(root, &args("phone-recording,mock"));
    assert!(with.status.success(), "{}", stderr(&with));
}

/// Webhook verification is opt-in: the default build of the generated client pulls in none of
/// its crates, and the `axum` feature pulls in all of them (so the check is not vacuous).
#[test]
fn webhooks_are_opt_in() {
    let tree = |features: &[&str]| {
        let output = Command::new(telephony_tests::cargo())
            .current_dir(repo_root())
            .args(["tree", "--offline", "-e", "normal", "--prefix", "none"])
            .args(["-p", "telephony-client"])
            .args(features)
            .output()
            .expect("cargo tree runs");
        assert!(output.status.success(), "{}", stderr(&output));
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let crates = |tree: &str, names: &[&str]| -> Vec<String> {
        names
            .iter()
            .filter(|name| tree.lines().any(|l| l.starts_with(&format!("{name} v"))))
            .map(|name| name.to_string())
            .collect()
    };
    let webhook_crates = ["hmac", "sha1", "axum"];
    assert_eq!(crates(&tree(&[]), &webhook_crates), Vec::<String>::new());
    assert_eq!(
        crates(&tree(&["--features", "axum"]), &webhook_crates),
        webhook_crates
    );
}
