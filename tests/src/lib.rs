//! Shared helpers for the integration tests in `tests/tests/`.
//!
//! The README's code blocks are compiled here as doctests, so its examples cannot rot.
#![doc = include_str!("../../README.md")]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The workspace root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// `../shared/specs` beside the checkout: the complete upstream specs (read-only corpus).
pub fn shared_specs() -> PathBuf {
    repo_root().join("../shared/specs")
}

/// Whether this run must not skip tests for lack of an external resource.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// The upstream spec `name` from `../shared/specs`; `None` (with a loud note) when it is
/// absent outside CI. In CI a missing spec is a failure.
pub fn shared_spec(name: &str) -> Option<PathBuf> {
    let path = shared_specs().join(name);
    if path.exists() {
        return Some(path);
    }
    assert!(!in_ci(), "CI=true but {} is missing", path.display());
    eprintln!(
        "SKIPPED: {} not found (outside CI this test skips)",
        path.display()
    );
    None
}

/// The `telephony-codegen` command line, built once per test binary. Cargo reports where it
/// put the executable, so this works with any target directory or profile layout.
pub fn codegen_binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
        let output = Command::new(cargo)
            .args([
                "build",
                "--quiet",
                "--package",
                "telephony-codegen",
                "--bin",
                "telephony-codegen",
                "--message-format=json",
            ])
            .current_dir(repo_root())
            .output()
            .expect("cargo runs");
        assert!(
            output.status.success(),
            "cargo build -p telephony-codegen failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .filter(|m| {
                m["reason"] == "compiler-artifact" && m["target"]["name"] == "telephony-codegen"
            })
            .find_map(|m| m["executable"].as_str().map(PathBuf::from))
            .expect("cargo reports the telephony-codegen executable")
    })
}
