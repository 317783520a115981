//! The runtime crate the generator writes beside a client: two clients share one, and a
//! client refuses, at compile time, a runtime another generator (or other sources) wrote.
//! Checked with `CARGO_TARGET_DIR=target/tricky-check`, shared with the other tests that
//! compile generated crates, so their dependencies are built once.

use std::path::Path;
use telephony_codegen::{CrateRequest, Mode, ModuleRequest, RuntimeCrate, Selection};
use telephony_tests::repo_root;

fn request(name: &str, spec: &str, operation: &str, runtime: RuntimeCrate) -> CrateRequest {
    let source = format!("specs/{spec}");
    CrateRequest {
        runtime,
        ..CrateRequest::new(
            name,
            "0.1.0",
            vec![ModuleRequest {
                selection: Selection::Ids(vec![operation.into()]),
                account_parameter: Some("AccountSid".into()),
                ..ModuleRequest::all("api", repo_root().join(&source), &source)
            }],
        )
    }
}

/// `cargo check` of the workspace: whether it passed, and what it printed.
fn check(workspace: &Path) -> (bool, String) {
    let output = telephony_tests::cargo_in_shared_target(workspace)
        .args(["check", "--workspace", "--message-format", "short"])
        .output()
        .expect("run cargo check");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn two_clients_share_one_runtime_and_a_foreign_runtime_is_refused() {
    let temp = tempfile::tempdir().expect("tempdir");
    let root = temp.path();
    let own = request(
        "twilio-a",
        "twilio.yaml",
        "UpdateParticipant",
        RuntimeCrate::Own,
    );
    telephony_codegen::run(&own, &root.join("a"), Mode::Write).expect("client a generates");
    let shared = RuntimeCrate::Shared {
        package: "twilio-a-runtime".into(),
        path: "../a/runtime".into(),
    };
    let second = request(
        "signalwire-b",
        "signalwire.yaml",
        "update_participant",
        shared,
    );
    telephony_codegen::run(&second, &root.join("b"), Mode::Write).expect("client b generates");
    assert!(root.join("a/runtime/Cargo.toml").is_file());
    assert!(
        !root.join("b/runtime").exists(),
        "a client pointed at a shared runtime writes none"
    );
    let manifest = std::fs::read_to_string(root.join("b/Cargo.toml")).expect("b's manifest");
    assert!(
        manifest.contains(r#"twilio-a-runtime = { path = "../a/runtime" }"#),
        "{manifest}"
    );
    std::fs::write(
        root.join("Cargo.toml"),
        "[workspace]\nresolver = \"2\"\nmembers = [\"a\", \"b\"]\n",
    )
    .expect("workspace manifest");
    std::fs::copy(repo_root().join("Cargo.lock"), root.join("Cargo.lock")).expect("Cargo.lock");
    let (ok, stderr) = check(root);
    assert!(ok, "two clients on one runtime check cleanly:\n{stderr}");

    // The runtime as another generator would have written it.
    let version = root.join("a/runtime/src/version.rs");
    let text = std::fs::read_to_string(&version).expect("version.rs");
    let current = telephony_codegen::emit::runtime_version();
    assert!(text.contains(&current), "{text}");
    std::fs::write(
        &version,
        text.replace(
            &current,
            "telephony-codegen 0.0.1, runtime 0000000000000000",
        ),
    )
    .expect("rewrite version.rs");
    let (ok, stderr) = check(root);
    assert!(!ok, "a client accepted a foreign runtime:\n{stderr}");
    for client in ["twilio-a", "signalwire-b"] {
        assert!(
            stderr.contains(&format!("could not compile `{client}`")),
            "{client} is refused:\n{stderr}"
        );
    }
    assert!(
        stderr.contains("its runtime crate by another generator or from other sources"),
        "the refusal says why:\n{stderr}"
    );
}
