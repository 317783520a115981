//! The CLI is deterministic across processes, a failed write leaves the output directory exactly
//! as it was, and `--check` names every file that differs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use telephony_codegen::error::Error;
use telephony_codegen::output::{self, GeneratedFile, Staleness};
use telephony_codegen::{config::Config, CrateRequest};
use telephony_tests::repo_root;

fn cli() -> &'static Path {
    telephony_tests::codegen_binary()
}

/// Every file under `dir` (relative path → bytes), and every directory (→ `None`).
fn tree(dir: &Path) -> BTreeMap<PathBuf, Option<Vec<u8>>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Option<Vec<u8>>>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.expect("dir entry").path())
            .collect();
        entries.sort();
        for path in entries {
            let relative = path.strip_prefix(root).expect("under root").to_path_buf();
            if path.is_dir() {
                out.insert(relative, None);
                walk(root, &path, out);
            } else {
                out.insert(relative, Some(std::fs::read(&path).expect("read file")));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// Paths that differ between two trees, for a readable failure.
fn differences(
    a: &BTreeMap<PathBuf, Option<Vec<u8>>>,
    b: &BTreeMap<PathBuf, Option<Vec<u8>>>,
) -> Vec<String> {
    let mut out = Vec::new();
    for (path, content) in a {
        match b.get(path) {
            None => out.push(format!("only in the first: {}", path.display())),
            Some(other) if other != content => out.push(format!("differs: {}", path.display())),
            Some(_) => {}
        }
    }
    for path in b.keys().filter(|p| !a.contains_key(*p)) {
        out.push(format!("only in the second: {}", path.display()));
    }
    out
}

// ---------------------------------------------------------------------------------------------
// (a) Determinism across processes
// ---------------------------------------------------------------------------------------------

#[test]
fn cli_output_is_identical_across_processes() {
    let temp = tempfile::tempdir().expect("tempdir");
    let mut trees = Vec::new();
    for run in ["first", "second"] {
        let out = temp.path().join(run).join("client");
        let output = Command::new(cli())
            .current_dir(repo_root())
            .args(["specs/twilio.yaml", "--all", "--out"])
            .arg(&out)
            .output()
            .expect("run telephony-codegen");
        assert!(
            output.status.success(),
            "{run} run failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        trees.push(tree(&out));
    }
    assert!(
        trees[0].len() >= 4,
        "expected a crate: {:?}",
        trees[0].keys()
    );
    let diff = differences(&trees[0], &trees[1]);
    assert!(diff.is_empty(), "two runs differ:\n{}", diff.join("\n"));

    // And the second process agrees that the first one's output is current.
    let check = Command::new(cli())
        .current_dir(repo_root())
        .args(["specs/twilio.yaml", "--all", "--check", "--out"])
        .arg(temp.path().join("first").join("client"))
        .output()
        .expect("run telephony-codegen --check");
    assert!(
        check.status.success(),
        "--check after a write reports changes:\n{}",
        String::from_utf8_lossy(&check.stderr)
    );
}

// ---------------------------------------------------------------------------------------------
// (b) A write that fails midway changes nothing
// ---------------------------------------------------------------------------------------------

fn request() -> CrateRequest {
    let root = repo_root();
    let config = Config::load(&root.join("specs/codegen.toml")).expect("specs/codegen.toml loads");
    telephony_codegen::request_from_config(&config, &root)
}

/// A copy of the checked-in generated crate, plus build products that a write must keep.
fn generated_crate_copy(parent: &Path) -> PathBuf {
    let source = repo_root().join("generated");
    let dir = parent.join("client");
    for (relative, content) in tree(&source) {
        if relative.starts_with("target") || relative == Path::new("Cargo.lock") {
            continue;
        }
        let path = dir.join(&relative);
        match content {
            None => std::fs::create_dir_all(&path).expect("mkdir"),
            Some(bytes) => {
                std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
                std::fs::write(&path, bytes).expect("copy file");
            }
        }
    }
    std::fs::create_dir_all(dir.join("target/debug")).expect("mkdir target");
    std::fs::write(dir.join("target/debug/marker"), "build product").expect("marker");
    std::fs::write(dir.join("Cargo.lock"), "# lock file\n").expect("Cargo.lock");
    dir
}

/// The staging and backup directories a write uses beside `dir`.
fn leftovers(dir: &Path) -> Vec<PathBuf> {
    let name = dir.file_name().and_then(|n| n.to_str()).expect("dir name");
    let parent = dir.parent().expect("parent");
    [".codegen-new", ".codegen-old"]
        .iter()
        .map(|suffix| parent.join(format!(".{name}{suffix}")))
        .filter(|p| p.exists())
        .collect()
}

/// The real generated files, the first few changed so that a write has work to do.
fn changed_files() -> Vec<GeneratedFile> {
    let mut files = telephony_codegen::generate(&request()).expect("generation succeeds");
    for f in files.iter_mut().take(3) {
        f.contents.push_str("// changed by the atomicity test\n");
    }
    files
}

/// [`changed_files`] with `bad` after the first three, and one more file at the end.
fn files_failing_at(bad: &[GeneratedFile]) -> Vec<GeneratedFile> {
    let mut files = changed_files();
    let tail = files.split_off(3);
    files.extend(bad.iter().cloned());
    files.extend(tail);
    files.push(GeneratedFile::new(
        "src/after_the_failure.rs",
        "// never written\n",
    ));
    files
}

fn assert_write_fails_atomically(case: &str, bad: &[GeneratedFile]) -> Error {
    let temp = tempfile::tempdir().expect("tempdir");
    let dir = generated_crate_copy(temp.path());
    let before = tree(&dir);
    let parent_before: Vec<_> = std::fs::read_dir(temp.path())
        .expect("read parent")
        .map(|e| e.expect("entry").file_name())
        .collect();

    let error = output::write(&dir, &files_failing_at(bad))
        .expect_err(&format!("{case}: the write must fail"));

    let after = tree(&dir);
    let diff = differences(&before, &after);
    assert!(
        diff.is_empty(),
        "{case}: a failed write changed the output directory:\n{}",
        diff.join("\n")
    );
    assert_eq!(
        leftovers(&dir),
        Vec::<PathBuf>::new(),
        "{case}: staging or backup directories remain"
    );
    let parent_after: Vec<_> = std::fs::read_dir(temp.path())
        .expect("read parent")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(
        parent_before, parent_after,
        "{case}: the parent directory changed"
    );
    error
}

/// The failure comes while staging: `src/extra.rs` is staged as a file, then
/// `src/extra.rs/inner.rs` needs it to be a directory.
#[test]
fn write_failing_midway_leaves_the_directory_unchanged() {
    let error = assert_write_fails_atomically(
        "parent is a staged file",
        &[
            GeneratedFile::new("src/extra.rs", "// staged\n"),
            GeneratedFile::new("src/extra.rs/inner.rs", "// cannot be staged\n"),
        ],
    );
    assert!(matches!(error, Error::Write { .. }), "{error:?}");
    assert!(
        error.to_string().contains("src/extra.rs"),
        "the error names the file: {error}"
    );
}

/// A path with a NUL byte cannot be a file name at all.
#[test]
fn write_with_an_impossible_path_leaves_the_directory_unchanged() {
    let error = assert_write_fails_atomically(
        "NUL byte in a path",
        &[GeneratedFile::new("src/bad\0name.rs", "// impossible\n")],
    );
    assert!(
        matches!(error, Error::Write { .. } | Error::Read { .. }),
        "{error:?}"
    );
}

/// A path below an existing regular file of the output directory.
#[test]
fn write_below_an_existing_file_leaves_the_directory_unchanged() {
    assert_write_fails_atomically(
        "parent is an existing file",
        &[GeneratedFile::new("Cargo.toml/inner.rs", "// impossible\n")],
    );
}

/// When the output directory does not exist yet, a failed write does not create it.
#[test]
fn failed_first_write_creates_nothing() {
    let temp = tempfile::tempdir().expect("tempdir");
    let dir = temp.path().join("client");
    let files = files_failing_at(&[
        GeneratedFile::new("src/extra.rs", "// staged\n"),
        GeneratedFile::new("src/extra.rs/inner.rs", "// cannot be staged\n"),
    ]);
    output::write(&dir, &files).expect_err("the write must fail");
    let entries: Vec<_> = std::fs::read_dir(temp.path())
        .expect("read parent")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert!(entries.is_empty(), "left behind: {entries:?}");
}

/// After a failed write, a good one still works and leaves no staging or backup directory;
/// build products survive it.
#[test]
fn write_after_a_failed_write_succeeds() {
    let temp = tempfile::tempdir().expect("tempdir");
    let dir = generated_crate_copy(temp.path());
    let bad = files_failing_at(&[
        GeneratedFile::new("src/x.rs", ""),
        GeneratedFile::new("src/x.rs/y.rs", ""),
    ]);
    let good = changed_files();
    output::write(&dir, &bad).expect_err("the write must fail");
    let changes = output::write(&dir, &good).expect("the good write succeeds");
    assert!(!changes.is_empty());
    assert!(output::check(&dir, &good).expect("check").is_empty());
    assert!(leftovers(&dir).is_empty(), "{:?}", leftovers(&dir));
    assert_eq!(
        std::fs::read_to_string(dir.join("target/debug/marker")).expect("marker kept"),
        "build product"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("Cargo.lock")).expect("lock kept"),
        "# lock file\n"
    );
}

// ---------------------------------------------------------------------------------------------
// (c) `check` names every difference
// ---------------------------------------------------------------------------------------------

#[test]
fn check_names_every_stale_missing_and_unexpected_file() {
    let temp = tempfile::tempdir().expect("tempdir");
    let dir = temp.path().join("client");
    let files = telephony_codegen::generate(&request()).expect("generation succeeds");
    output::write(&dir, &files).expect("write");
    assert_eq!(output::check(&dir, &files).expect("check"), vec![]);

    // One file edited, one deleted, two added (one in a new directory); build products too.
    let edited = "src/lib.rs";
    let deleted = "src/runtime.rs";
    let mut text = std::fs::read_to_string(dir.join(edited)).expect("read");
    text.push_str("// a hand edit\n");
    std::fs::write(dir.join(edited), text).expect("edit");
    std::fs::remove_file(dir.join(deleted)).expect("delete");
    std::fs::write(dir.join("src/extra.rs"), "// not generated\n").expect("add");
    std::fs::create_dir_all(dir.join("notes")).expect("mkdir");
    std::fs::write(dir.join("notes/todo.txt"), "todo\n").expect("add");
    std::fs::create_dir_all(dir.join("target/debug")).expect("mkdir");
    std::fs::write(dir.join("target/debug/out"), "ignored\n").expect("build product");
    std::fs::write(dir.join("Cargo.lock"), "# ignored\n").expect("lock");

    let mut expected = vec![
        Staleness::Differs(dir.join(edited)),
        Staleness::Missing(dir.join(deleted)),
        Staleness::Unexpected(dir.join("src/extra.rs")),
        Staleness::Unexpected(dir.join("notes/todo.txt")),
    ];
    expected.sort();
    assert_eq!(output::check(&dir, &files).expect("check"), expected);

    // The CLI's --check says the same, one line per file, and fails.
    let cli_dir = temp.path().join("cli");
    let status = Command::new(cli())
        .current_dir(repo_root())
        .args(["specs/twilio.yaml", "--all", "--out"])
        .arg(&cli_dir)
        .status()
        .expect("run telephony-codegen");
    assert!(status.success());
    let mut lib = std::fs::read_to_string(cli_dir.join(edited)).expect("read");
    lib.push_str("// a hand edit\n");
    std::fs::write(cli_dir.join(edited), lib).expect("edit");
    std::fs::remove_file(cli_dir.join(deleted)).expect("delete");
    std::fs::write(cli_dir.join("src/extra.rs"), "// not generated\n").expect("add");
    let output = Command::new(cli())
        .current_dir(repo_root())
        .args(["specs/twilio.yaml", "--all", "--check", "--out"])
        .arg(&cli_dir)
        .output()
        .expect("run telephony-codegen --check");
    assert_eq!(output.status.code(), Some(1), "--check must fail");
    let stderr = String::from_utf8_lossy(&output.stderr);
    for line in [
        format!("stale: {}", cli_dir.join(edited).display()),
        format!("missing: {}", cli_dir.join(deleted).display()),
        format!(
            "not generated (would be removed): {}",
            cli_dir.join("src/extra.rs").display()
        ),
    ] {
        assert!(
            stderr.lines().any(|l| l == line),
            "--check does not say `{line}`:\n{stderr}"
        );
    }
    // --check wrote nothing.
    assert!(!cli_dir.join(deleted).exists());
}
