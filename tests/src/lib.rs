//! Shared helpers for the integration tests in `tests/tests/`.
//!
//! The README's code blocks are compiled here as doctests, so its examples cannot rot.
#![doc = include_str!("../../README.md")]

use libtest_mimic::{Arguments, Completion, Failed, Trial};
use std::future::Future;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
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

/// The upstream spec `name` in `../shared/specs`. Tests that read it declare
/// [`Need::SharedSpec`], so it exists when they run.
pub fn shared_spec(name: &str) -> PathBuf {
    shared_specs().join(name)
}

/// What a test needs that a checkout may lack.
///
/// Test targets whose tests have needs run on `libtest-mimic` (`harness = false` in
/// `tests/Cargo.toml`), so that a test whose need is unmet is reported as *ignored*, with the
/// reason, in cargo's own summary instead of passing without having run. With `CI=true` such a
/// test fails instead, naming what is missing.
#[derive(Clone, Copy, Debug)]
pub enum Need {
    /// A complete upstream spec, `../shared/specs/<file>` beside the checkout.
    SharedSpec(&'static str),
    /// `cargo clippy` (`rustup component add clippy`).
    Clippy,
    /// Prism in `tests/prism/node_modules`, installed on first use by `npm ci` (needs Node.js).
    Prism,
}

/// An unmet [`Need`].
struct Missing {
    /// What the test needs, briefly (the ignore reason).
    need: String,
    /// Why it is missing, with paths (the failure message under `CI=true`).
    detail: String,
}

impl Need {
    /// What is missing, or `None` when the need is met.
    fn missing(self) -> Option<Missing> {
        let (need, detail) = match self {
            Need::SharedSpec(file) => {
                let path = shared_spec(file);
                if path.exists() {
                    return None;
                }
                (
                    format!("../shared/specs/{file}"),
                    format!("{} not found", path.display()),
                )
            }
            Need::Clippy => ("cargo clippy".to_string(), clippy_missing()?),
            Need::Prism => (
                "Prism (`npm ci --prefix tests/prism`, which needs Node.js)".to_string(),
                prism_missing()?,
            ),
        };
        Some(Missing { need, detail })
    }
}

/// Why `cargo clippy` does not run, checked once per test binary.
fn clippy_missing() -> Option<String> {
    static MISSING: OnceLock<Option<String>> = OnceLock::new();
    MISSING
        .get_or_init(|| {
            let cargo = cargo();
            match Command::new(&cargo)
                .args(["clippy", "--version"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
            {
                Ok(status) if status.success() => None,
                Ok(status) => Some(format!(
                    "`cargo clippy --version` exited with {status} (rustup component add clippy)"
                )),
                Err(e) => Some(format!("`{} clippy` does not run: {e}", cargo.display())),
            }
        })
        .clone()
}

/// The cargo running the tests (`CARGO`), else the one that built them.
pub fn cargo() -> PathBuf {
    std::env::var_os("CARGO")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO")))
}

/// `cargo` in `dir` for the tests that compile generated crates: all of them build in one
/// target directory (`target/tricky-check`), with the same `-D warnings` and no inherited
/// flags or target, so the dependencies are built once for all of them.
pub fn cargo_in_shared_target(dir: &Path) -> std::process::Command {
    let mut command = std::process::Command::new(cargo());
    command
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", repo_root().join("target/tricky-check"))
        .env("RUSTFLAGS", "-D warnings")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_BUILD_RUSTFLAGS")
        .env_remove("CARGO_BUILD_TARGET_DIR");
    command
}

/// Where `npm ci --prefix tests/prism` puts the pinned Prism.
pub fn prism_binary() -> PathBuf {
    repo_root().join("tests/prism/node_modules/.bin/prism")
}

/// Why Prism is not installed, when `npm ci` could not install it either: on a machine with
/// Node the README's one test command installs the pinned Prism itself, once per test binary.
fn prism_missing() -> Option<String> {
    static MISSING: OnceLock<Option<String>> = OnceLock::new();
    MISSING
        .get_or_init(|| {
            let bin = prism_binary();
            if bin.exists() {
                return None;
            }
            let dir = repo_root().join("tests/prism");
            eprintln!("installing Prism: npm ci --prefix {}", dir.display());
            let status = Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund", "--prefix"])
                .arg(&dir)
                .stdout(Stdio::null())
                .status();
            if bin.exists() {
                return None;
            }
            let why = match status {
                Ok(status) => format!("`npm ci --prefix tests/prism` exited with {status}"),
                Err(e) => format!("npm does not run ({e}): install Node.js"),
            };
            Some(format!("{} not found; {why}", bin.display()))
        })
        .clone()
}

/// A test of a `harness = false` target: runs `body` when every one of `needs` is met.
/// Otherwise it is ignored with the reason, or, with `CI=true`, fails naming what is missing.
/// Register tests with [`trial!`], which names them after their function.
pub fn trial(name: &str, needs: &[Need], body: fn()) -> Trial {
    let needs = needs.to_vec();
    Trial::ignorable_test(name, move || {
        let missing: Vec<Missing> = needs.into_iter().filter_map(Need::missing).collect();
        if missing.is_empty() {
            body();
            Ok(Completion::Completed)
        } else if in_ci() {
            let details: Vec<&str> = missing.iter().map(|m| m.detail.as_str()).collect();
            Err(Failed::from(format!(
                "CI=true, and what this test needs is missing: {}",
                details.join("; ")
            )))
        } else {
            let needs: Vec<&str> = missing.iter().map(|m| m.need.as_str()).collect();
            Ok(Completion::ignored_with(format!(
                "needs {}",
                needs.join(", ")
            )))
        }
    })
}

/// A [`Trial`] for the test function `name` with `needs` (an expression of type `&[Need]`);
/// `async name` runs an `async fn` the way `#[tokio::test]` does.
#[macro_export]
macro_rules! trial {
    ($needs:expr, async $name:ident) => {
        $crate::trial(stringify!($name), $needs, || $crate::block_on($name()))
    };
    ($needs:expr, $name:ident) => {
        $crate::trial(stringify!($name), $needs, $name)
    };
}

/// Runs `future` to completion on a current-thread runtime, as `#[tokio::test]` does.
pub fn block_on<F: Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
        .block_on(future)
}

/// The `main` of a `harness = false` test target: runs `trials` with libtest's command line
/// (filters, `--list`, `--test-threads`) and its summary lines.
pub fn run(trials: Vec<Trial>) -> ExitCode {
    libtest_mimic::run(&Arguments::from_args(), trials).exit_code()
}

/// The `telephony-codegen` command line, built once per test binary. Cargo reports where it
/// put the executable, so this works with any target directory or profile layout.
pub fn codegen_binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        let output = Command::new(cargo())
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

/// A valid, empty participant page of at most `len` bytes whose unknown field `junk` is an
/// array of `0`s: the densest JSON tree (a 2-byte element becomes a 32- to 72-byte value, by
/// serde_json's features), which the client's tree budget must stop.
pub fn dense_page(len: usize) -> String {
    let head = r#"{"participants": [], "next_page_uri": null, "junk": [0"#;
    let zeros = len.saturating_sub(head.len() + 2) / 2;
    format!("{head}{}]}}", ",0".repeat(zeros))
}

/// Whether `path` (relative to a crate root) is one of `module`'s files: `src/{module}.rs`, or
/// a file of `src/{module}/`.
pub fn is_module_file(path: &str, module: &str) -> bool {
    path == format!("src/{module}.rs") || path.starts_with(&format!("src/{module}/"))
}

/// A generated module's text, for tests that look for code anywhere in it: its files (`mod.rs`
/// first, then by path), each after a `// ===== {path}` line. `None` when it has no file.
pub fn module_text(files: &[telephony_codegen::GeneratedFile], module: &str) -> Option<String> {
    let mut parts: Vec<(&str, &str)> = files
        .iter()
        .filter(|f| is_module_file(&f.path, module))
        .map(|f| (f.path.as_str(), f.contents.as_str()))
        .collect();
    (!parts.is_empty()).then(|| joined(&mut parts))
}

/// [`module_text`] of a crate written to `crate_dir`.
pub fn module_text_on_disk(crate_dir: &Path, module: &str) -> String {
    let single = format!("src/{module}.rs");
    if let Ok(text) = std::fs::read_to_string(crate_dir.join(&single)) {
        return joined(&mut [(single.as_str(), text.as_str())]);
    }
    let dir = crate_dir.join(format!("src/{module}"));
    let files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.expect("a directory entry").path();
            let name = path.file_name().expect("a name").to_string_lossy();
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            (format!("src/{module}/{name}"), text)
        })
        .collect();
    let mut parts: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    joined(&mut parts)
}

/// Files as one text, `mod.rs` first, each after a line naming it.
fn joined(parts: &mut [(&str, &str)]) -> String {
    parts.sort_by_key(|(path, _)| (!path.ends_with("/mod.rs"), path.to_string()));
    parts
        .iter()
        .map(|(path, text)| format!("// ===== {path}\n{text}"))
        .collect()
}

#[cfg(test)]
mod tests {
    /// A `harness = false` target runs only what its `main` registers: a `#[test]` function
    /// there compiles to nothing and would never run, without a word.
    #[test]
    fn harness_free_test_targets_have_no_test_attributes() {
        let dir = super::repo_root().join("tests/tests");
        let mut targets = 0;
        for entry in std::fs::read_dir(&dir).expect("tests/tests reads") {
            let path = entry.expect("a directory entry").path();
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("a test file reads");
            if !text.contains("\nfn main() ") {
                continue;
            }
            targets += 1;
            for (i, line) in text.lines().enumerate() {
                let line = line.trim_start();
                assert!(
                    !line.starts_with("#[test]") && !line.starts_with("#[tokio::test"),
                    "{}:{}: a test attribute in a `harness = false` target; register the \
                     function in its `main` with `trial!` instead",
                    path.display(),
                    i + 1
                );
            }
        }
        assert!(
            targets >= 4,
            "expected the harness = false targets, found {targets}"
        );
    }
}
