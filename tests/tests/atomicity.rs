//! Writing touches only files the generator wrote, and is all-or-nothing for those: user files,
//! `.git/`, hidden files, build products and symbolic links stay byte-identical; a path held
//! by a file the generator did not write is refused before anything is written; a failure at
//! any rename of the swap puts every file back; `--check` names stale and leftover generated
//! files only; unsafe `--out` directories are refused; the CLI is deterministic across
//! processes and reports what it created, updated, removed and kept.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use telephony_codegen::error::Error;
use telephony_codegen::output::{self, Change, GeneratedFile, Kept, Report, MANIFEST};
use telephony_codegen::{config::Config, CrateRequest};
use telephony_tests::repo_root;

fn cli() -> &'static Path {
    telephony_tests::codegen_binary()
}

/// One entry of a directory tree; links are recorded, never followed.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Entry {
    Dir,
    File(Vec<u8>),
    Link(PathBuf),
}

type Tree = BTreeMap<PathBuf, Entry>;

/// Every entry under `dir`, by relative path.
fn tree(dir: &Path) -> Tree {
    fn walk(root: &Path, dir: &Path, out: &mut Tree) {
        let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for entry in entries {
            let path = entry.expect("dir entry").path();
            let relative = path.strip_prefix(root).expect("under root").to_path_buf();
            let meta = std::fs::symlink_metadata(&path).expect("metadata");
            if meta.file_type().is_symlink() {
                let target = std::fs::read_link(&path).expect("read link");
                out.insert(relative, Entry::Link(target));
            } else if meta.is_dir() {
                out.insert(relative, Entry::Dir);
                walk(root, &path, out);
            } else {
                let bytes = std::fs::read(&path).expect("read file");
                out.insert(relative, Entry::File(bytes));
            }
        }
    }
    let mut out = BTreeMap::new();
    if dir.exists() {
        walk(dir, dir, &mut out);
    }
    out
}

/// Paths that differ between two trees, for a readable failure.
fn differences(a: &Tree, b: &Tree) -> Vec<String> {
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

fn assert_same(case: &str, before: &Tree, after: &Tree) {
    let diff = differences(before, after);
    assert!(
        diff.is_empty(),
        "{case}: the directory changed:\n{}",
        diff.join("\n")
    );
}

/// `tree` without the entries the generator writes (generated files, the manifest and the
/// directories that hold only those).
fn user_entries(tree: &Tree) -> Tree {
    const GENERATED: [&str; 3] = [MANIFEST, "Cargo.toml", "src/lib.rs"];
    const DIRECTORIES: [&str; 5] = [
        "examples",
        "runtime",
        "src/api",
        "src/signalwire",
        "src/twilio",
    ];
    let generated = |p: &Path| {
        DIRECTORIES.iter().any(|d| p.starts_with(d)) || GENERATED.iter().any(|g| p == Path::new(g))
    };
    tree.iter()
        .filter(|(p, _)| !generated(p))
        .map(|(p, e)| (p.clone(), e.clone()))
        .collect()
}

/// A project a user might point `--out` at: a `.git/` tree, notes, a hand-written
/// `src/main.rs`, hidden files, build products and symbolic links.
fn user_project(dir: &Path) {
    let files: [(&str, &[u8]); 9] = [
        (".git/HEAD", b"ref: refs/heads/main\n"),
        (".git/config", b"[core]\n\tbare = false\n"),
        (".git/objects/ab/cdef0123", &[0x78, 0x01, 0x00, 0xff, 0x10]),
        (".gitattributes", b"*.rs diff=rust\n"),
        ("NOTES.md", b"# Notes\nKeep me.\n"),
        ("src/main.rs", b"fn main() {\n    println!(\"mine\");\n}\n"),
        ("tests/it.rs", b"#[test]\nfn it() {}\n"),
        ("target/debug/marker", b"build product"),
        ("Cargo.lock", b"# lock file\n"),
    ];
    for (path, bytes) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, bytes).expect("write user file");
    }
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("NOTES.md", dir.join("link")).expect("symlink");
        std::os::unix::fs::symlink("../nowhere", dir.join("src/dangling")).expect("symlink");
    }
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    fn describe(&self) -> String {
        format!(
            "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// Runs the command line with `args`, naming the module `api` (the files these tests look
/// for are under `src/api/`).
fn run_in(cwd: &Path, args: &[&str]) -> Run {
    let Output {
        status,
        stdout,
        stderr,
    } = Command::new(cli())
        .current_dir(cwd)
        .args(args)
        .args(["--module", "api"])
        .output()
        .expect("run telephony-codegen");
    Run {
        code: status.code(),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

fn twilio_spec() -> String {
    repo_root()
        .join("specs/twilio.yaml")
        .to_string_lossy()
        .into_owned()
}

/// The CLI generating the named twilio operations into `out`.
fn generate_operations(out: &Path, operations: &[&str]) -> Run {
    let spec = twilio_spec();
    let mut args = vec![spec.as_str()];
    for op in operations {
        args.extend(["--operation", op]);
    }
    let out = out.to_str().expect("UTF-8 temp path");
    args.extend(["--out", out]);
    run_in(&repo_root(), &args)
}

/// The provider modules of `specs/codegen.toml`, without its neutral module (a file of its
/// own, which these counts leave out).
fn request() -> CrateRequest {
    let root = repo_root();
    let config = Config::load(&root.join("specs/codegen.toml")).expect("specs/codegen.toml loads");
    let mut request = telephony_codegen::request_from_config(&config, &root);
    request.families.clear();
    request
}

/// The request without the `signalwire` module.
fn twilio_only() -> CrateRequest {
    let mut request = request();
    request.modules.retain(|m| m.module != "signalwire");
    assert_eq!(request.modules.len(), 1);
    request
}

fn files_of(request: &CrateRequest) -> Vec<GeneratedFile> {
    telephony_codegen::generate(request).expect("generation succeeds")
}

/// The staging and backup directories a write uses inside the output directory.
fn leftovers(dir: &Path) -> Vec<PathBuf> {
    [".telephony-codegen.new", ".telephony-codegen.old"]
        .iter()
        .map(|name| dir.join(name))
        .filter(|p| p.exists())
        .collect()
}

fn relative_changes(report: &Report) -> Vec<(String, &'static str)> {
    report
        .iter()
        .map(|c| {
            let relative = c.path().strip_prefix(&report.dir).expect("inside the dir");
            (relative.to_string_lossy().replace('\\', "/"), c.verb())
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Only files the generator wrote
// ---------------------------------------------------------------------------------------------

#[test]
fn a_project_keeps_every_file_the_generator_did_not_write() {
    let temp = tempfile::tempdir().expect("tempdir");
    let out = temp.path().join("myproj");
    user_project(&out);
    let before = tree(&out);

    let first = generate_operations(&out, &["UpdateParticipant", "ListParticipant"]);
    assert_eq!(first.code, Some(0), "{}", first.describe());
    assert_same("first generation", &before, &user_entries(&tree(&out)));
    // Every file that was not there before is the generator's (the runtime crate's count
    // changes with its features).
    let created = tree(&out)
        .iter()
        .filter(|(path, entry)| matches!(entry, Entry::File(_)) && !before.contains_key(*path))
        .count();
    assert!(
        first.stdout.contains(&format!(
            "{created} created, 0 updated, 0 removed, 0 unchanged"
        )),
        "{}",
        first.describe()
    );
    let mut kept = vec![
        ".git/",
        ".gitattributes",
        "Cargo.lock",
        "NOTES.md",
        "src/main.rs",
        "target/",
        "tests/",
    ];
    if cfg!(unix) {
        kept.extend(["link", "src/dangling"]);
    }
    for entry in &kept {
        let line = format!("  kept     {entry} (not generated)\n");
        assert!(
            first.stdout.contains(&line),
            "no `{line}`:\n{}",
            first.describe()
        );
    }
    assert!(first.stdout.contains(&format!("; {} kept\n", kept.len())));

    // Regenerating with another selection updates and removes generated files only.
    let second = generate_operations(&out, &["FetchParticipant"]);
    assert_eq!(second.code, Some(0), "{}", second.describe());
    assert_same("second generation", &before, &user_entries(&tree(&out)));
    assert!(
        second
            .stdout
            .contains("  removed  examples/api_update_participant.rs\n")
            && second
                .stdout
                .contains("  created  examples/api_fetch_participant.rs\n")
            && second
                .stdout
                .contains("  updated  src/api/participant.rs\n"),
        "{}",
        second.describe()
    );
    #[cfg(unix)]
    assert_eq!(
        std::fs::read_link(out.join("link")).expect("still a link"),
        Path::new("NOTES.md")
    );
}

#[test]
fn removing_an_operation_removes_exactly_its_generated_files() {
    let temp = tempfile::tempdir().expect("tempdir");
    let out = temp.path().join("client");
    user_project(&out);
    let run = generate_operations(&out, &["UpdateParticipant", "ListParticipant"]);
    assert_eq!(run.code, Some(0), "{}", run.describe());
    let before = tree(&out);
    assert!(before.contains_key(Path::new("examples/api_update_participant.rs")));

    let run = generate_operations(&out, &["ListParticipant"]);
    assert_eq!(run.code, Some(0), "{}", run.describe());
    let after = tree(&out);
    assert_eq!(
        differences(&before, &after),
        [
            "differs: .telephony-codegen",
            "only in the first: examples",
            "only in the first: examples/api_update_participant.rs",
            "differs: src/api/mock.rs",
            "differs: src/api/participant.rs",
            "differs: src/lib.rs",
        ],
        "{}",
        run.describe()
    );
    let Some(Entry::File(api)) = after.get(Path::new("src/api/participant.rs")) else {
        panic!("src/api/participant.rs is a file");
    };
    let api = String::from_utf8_lossy(api);
    assert!(!api.contains("pub fn update_participant("));
    assert!(api.contains("pub fn list_participant("));
    assert!(
        run.stdout.contains("0 created, 4 updated, 1 removed"),
        "{}",
        run.describe()
    );
}

#[test]
fn removing_a_module_removes_exactly_its_generated_files() {
    let temp = tempfile::tempdir().expect("tempdir");
    let dir = temp.path().join("client");
    user_project(&dir);
    output::write(&dir, &files_of(&request())).expect("first write");
    let before = tree(&dir);

    let report = output::write(&dir, &files_of(&twilio_only())).expect("second write");
    assert_eq!(
        relative_changes(&report),
        [
            (MANIFEST.to_string(), "updated"),
            ("Cargo.toml".to_string(), "updated"),
            (
                "examples/signalwire_update_participant.rs".to_string(),
                "removed"
            ),
            ("src/lib.rs".to_string(), "updated"),
            ("src/signalwire/mock.rs".to_string(), "removed"),
            ("src/signalwire/mod.rs".to_string(), "removed"),
            ("src/signalwire/participants.rs".to_string(), "removed"),
            ("src/signalwire/webhooks.rs".to_string(), "removed"),
        ]
    );
    // Cargo.toml and lib.rs name the specs they come from in their headers; the runtime
    // names none, so it is left as it was.
    let diff = differences(&before, &tree(&dir));
    assert_eq!(
        diff,
        [
            "differs: .telephony-codegen",
            "differs: Cargo.toml",
            "only in the first: examples/signalwire_update_participant.rs",
            "differs: src/lib.rs",
            "only in the first: src/signalwire",
            "only in the first: src/signalwire/mock.rs",
            "only in the first: src/signalwire/mod.rs",
            "only in the first: src/signalwire/participants.rs",
            "only in the first: src/signalwire/webhooks.rs",
        ]
    );
    assert!(output::check(&dir, &files_of(&twilio_only()))
        .expect("check")
        .is_empty());
}

/// Runs a write that must be refused, and checks that it changed nothing.
fn assert_refused(case: &str, dir: &Path, files: &[GeneratedFile], names: &[&str]) -> String {
    let before = tree(dir);
    let error = output::write(dir, files).expect_err(case);
    assert!(matches!(error, Error::Refused { .. }), "{case}: {error:?}");
    let message = error.to_string();
    for name in names {
        assert!(
            message.contains(name),
            "{case}: `{name}` not named:\n{message}"
        );
    }
    assert!(message.contains("hint:"), "{case}: no hint:\n{message}");
    assert_same(case, &before, &tree(dir));
    // `--check` refuses the same way.
    let check = output::check(dir, files).expect_err(case);
    assert_eq!(check.to_string(), message);
    message
}

#[test]
fn paths_held_by_files_the_generator_did_not_write_are_refused() {
    let files = files_of(&twilio_only());
    let temp = tempfile::tempdir().expect("tempdir");

    let dir = temp.path().join("package");
    user_project(&dir);
    std::fs::write(dir.join("Cargo.toml"), "[package]\nname = \"mine\"\n").expect("write");
    std::fs::write(dir.join("src/lib.rs"), "pub fn mine() {}\n").expect("write");
    let message = assert_refused(
        "user Cargo.toml and src/lib.rs",
        &dir,
        &files,
        &[
            "package/Cargo.toml",
            "package/src/lib.rs",
            "did not write",
            "nothing was written",
        ],
    );
    assert!(message.contains("move these away"), "{message}");

    let dir = temp.path().join("workspace");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(dir.join("Cargo.toml"), "[workspace]\nmembers = []\n").expect("write");
    let message = assert_refused("workspace root", &dir, &files, &["workspace/Cargo.toml"]);
    assert!(
        message.contains("manifest of a Cargo workspace root") && message.contains("members"),
        "{message}"
    );

    // A generated file whose header was removed by hand is the user's now.
    let dir = temp.path().join("edited");
    output::write(&dir, &files).expect("write");
    let lib = dir.join("src/lib.rs");
    let text = std::fs::read_to_string(&lib).expect("read");
    let body: String = text.lines().skip(1).map(|l| format!("{l}\n")).collect();
    std::fs::write(&lib, body).expect("write");
    let mut changed = files.clone();
    changed[1].contents.push_str("// changed\n");
    assert_eq!(changed[1].path, "src/lib.rs");
    assert_refused("header removed", &dir, &changed, &["edited/src/lib.rs"]);

    // A user's own file named like the manifest.
    let dir = temp.path().join("manifest");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(dir.join(MANIFEST), "my settings\n").expect("write");
    assert_refused("foreign manifest", &dir, &files, &[MANIFEST]);

    // A directory where a generated file belongs, and a file where a directory belongs.
    let dir = temp.path().join("shapes");
    std::fs::create_dir_all(dir.join("src/lib.rs")).expect("mkdir");
    std::fs::write(dir.join("examples"), "a file\n").expect("write");
    assert_refused(
        "dir and file",
        &dir,
        &files,
        &["shapes/src/lib.rs", "shapes/examples"],
    );
}

#[cfg(unix)]
#[test]
fn symbolic_links_are_never_written_through_or_replaced() {
    let files = files_of(&twilio_only());
    let temp = tempfile::tempdir().expect("tempdir");
    let elsewhere = temp.path().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).expect("mkdir");

    let dir = temp.path().join("linked-src");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::os::unix::fs::symlink(&elsewhere, dir.join("src")).expect("symlink");
    assert_refused("src is a link", &dir, &files, &["linked-src/src", "link"]);
    assert!(tree(&elsewhere).is_empty(), "wrote through the link");

    let dir = temp.path().join("linked-file");
    std::fs::create_dir_all(dir.join("src")).expect("mkdir");
    std::fs::write(
        elsewhere.join("lib.rs"),
        "// @generated by telephony-codegen\n",
    )
    .expect("w");
    std::os::unix::fs::symlink(elsewhere.join("lib.rs"), dir.join("src/lib.rs")).expect("link");
    assert_refused(
        "src/lib.rs is a link",
        &dir,
        &files,
        &["linked-file/src/lib.rs"],
    );

    // The output directory itself may be a link: that is where the user wants the crate.
    let real = temp.path().join("real");
    std::fs::create_dir_all(&real).expect("mkdir");
    let link = temp.path().join("link-to-real");
    std::os::unix::fs::symlink(&real, &link).expect("symlink");
    output::write(&link, &files).expect("write through the named directory");
    assert!(real.join("src/lib.rs").is_file());
}

// ---------------------------------------------------------------------------------------------
// The manifest
// ---------------------------------------------------------------------------------------------

#[test]
fn without_its_manifest_the_generator_removes_nothing() {
    let temp = tempfile::tempdir().expect("tempdir");
    let dir = temp.path().join("client");
    output::write(&dir, &files_of(&request())).expect("write");
    std::fs::remove_file(dir.join(MANIFEST)).expect("delete the manifest");
    let before = tree(&dir);

    let report = output::write(&dir, &files_of(&twilio_only())).expect("write");
    // Files carrying the header are still replaced; nothing is removed.
    assert_eq!(
        relative_changes(&report),
        [
            (MANIFEST.to_string(), "created"),
            ("Cargo.toml".to_string(), "updated"),
            ("src/lib.rs".to_string(), "updated"),
        ]
    );
    for (gone, directory) in [
        ("src/signalwire", true),
        ("examples/signalwire_update_participant.rs", false),
    ] {
        assert_eq!(before.get(Path::new(gone)), tree(&dir).get(Path::new(gone)));
        assert!(
            report.kept.contains(&Kept::NotGenerated {
                path: PathBuf::from(gone),
                directory
            }),
            "{gone}: {:?}",
            report.kept
        );
    }
}

#[test]
fn a_hand_edited_manifest_cannot_make_the_generator_remove_user_files() {
    let temp = tempfile::tempdir().expect("tempdir");
    let dir = temp.path().join("client");
    user_project(&dir);
    output::write(&dir, &files_of(&twilio_only())).expect("write");
    let manifest = dir.join(MANIFEST);
    let mut text = std::fs::read_to_string(&manifest).expect("read");
    text.push_str("NOTES.md\nsrc/main.rs\n.git/HEAD sha256=");
    text.push_str(&"0".repeat(64));
    text.push('\n');
    std::fs::write(&manifest, text).expect("edit the manifest");
    let before = user_entries(&tree(&dir));

    let report = output::write(&dir, &files_of(&twilio_only())).expect("write");
    assert_eq!(
        relative_changes(&report),
        [(MANIFEST.to_string(), "updated")]
    );
    for path in ["NOTES.md", "src/main.rs", ".git/HEAD"] {
        assert!(
            report.kept.contains(&Kept::Disowned(PathBuf::from(path))),
            "{path}: {:?}",
            report.kept
        );
    }
    assert_same("edited manifest", &before, &user_entries(&tree(&dir)));

    // A line that is not a path inside the directory: an error with a hint, nothing written.
    std::fs::write(
        &manifest,
        "# @generated by telephony-codegen\n../outside.rs\n",
    )
    .expect("w");
    let before = tree(&dir);
    let error = output::write(&dir, &files_of(&request())).expect_err("bad manifest");
    let message = error.to_string();
    assert!(
        message.contains(MANIFEST) && message.contains("line 2") && message.contains("hint:"),
        "{message}"
    );
    assert_same("bad manifest", &before, &tree(&dir));
}

#[test]
fn a_generated_file_whose_header_was_removed_is_kept_when_no_longer_generated() {
    let temp = tempfile::tempdir().expect("tempdir");
    let dir = temp.path().join("client");
    output::write(&dir, &files_of(&request())).expect("write");
    let adopted = dir.join("src/signalwire/mod.rs");
    let text = std::fs::read_to_string(&adopted).expect("read");
    let adopted_text = text.replacen("// @generated", "// adopted, was generated", 1);
    std::fs::write(&adopted, &adopted_text).expect("edit");

    let report = output::write(&dir, &files_of(&twilio_only())).expect("write");
    assert_eq!(
        std::fs::read_to_string(&adopted).expect("still there"),
        adopted_text
    );
    assert!(report
        .kept
        .contains(&Kept::Disowned(PathBuf::from("src/signalwire/mod.rs"))));
    assert!(!dir
        .join("examples/signalwire_update_participant.rs")
        .exists());
    assert!(report.to_string().contains(
        "  kept     src/signalwire/mod.rs (generated earlier, but its `@generated by telephony-codegen` header was removed"
    ));
}

/// A format without comments is recognised by the hash the manifest records for it.
#[test]
fn files_without_a_header_are_recognised_by_their_recorded_hash() {
    let temp = tempfile::tempdir().expect("tempdir");
    let dir = temp.path().join("client");
    let with_table = |table: &str| {
        let mut files = files_of(&twilio_only());
        files.push(GeneratedFile::new("data/table.json", table));
        files
    };
    output::write(&dir, &with_table("{\"a\": 1}\n")).expect("write");
    let manifest = std::fs::read_to_string(dir.join(MANIFEST)).expect("manifest");
    let line = manifest
        .lines()
        .find(|l| l.starts_with("data/table.json"))
        .expect("listed");
    assert!(line.starts_with("data/table.json sha256="), "{line}");
    assert!(manifest.contains("\nsrc/lib.rs\n"), "{manifest}");

    // Unchanged since written: the generator's, so it is updated…
    let report = output::write(&dir, &with_table("{\"a\": 2}\n")).expect("update");
    assert!(relative_changes(&report).contains(&("data/table.json".into(), "updated")));
    // …and removed when no longer generated.
    let report = output::write(&dir, &files_of(&twilio_only())).expect("remove");
    assert!(relative_changes(&report).contains(&("data/table.json".into(), "removed")));
    assert!(!dir.join("data").exists(), "the emptied directory goes too");

    // Edited by hand: the user's now, refused when generated again, kept when not.
    output::write(&dir, &with_table("{\"a\": 1}\n")).expect("write");
    std::fs::write(dir.join("data/table.json"), "{\"mine\": true}\n").expect("edit");
    assert_refused(
        "edited table",
        &dir,
        &with_table("{\"a\": 3}\n"),
        &["data/table.json"],
    );
    let report = output::write(&dir, &files_of(&twilio_only())).expect("write");
    assert!(report
        .kept
        .contains(&Kept::Disowned(PathBuf::from("data/table.json"))));
    assert_eq!(
        std::fs::read_to_string(dir.join("data/table.json")).expect("kept"),
        "{\"mine\": true}\n"
    );
}

// ---------------------------------------------------------------------------------------------
// All-or-nothing
// ---------------------------------------------------------------------------------------------

/// A directory holding user files and an earlier generation of the full crate; the write
/// under test then creates, updates and removes generated files.
fn mixed_setup(dir: &Path) -> Vec<GeneratedFile> {
    user_project(dir);
    output::write(dir, &files_of(&request())).expect("earlier generation");
    let mut files = files_of(&twilio_only());
    for f in files.iter_mut().take(3) {
        f.contents.push_str("// changed by the atomicity test\n");
    }
    files.push(GeneratedFile::new(
        "src/brand_new.rs",
        "// @generated by telephony-codegen from a test.\n",
    ));
    files.push(GeneratedFile::new("data/new.json", "[]\n"));
    files
}

/// Fails the write at its `fail_at`-th rename (1-based); returns whether the hook was
/// reached.
fn write_failing_at(dir: &Path, files: &[GeneratedFile], fail_at: usize) -> Result<Report, Error> {
    let mut renames = 0;
    output::write_with(dir, files, |_, _| {
        renames += 1;
        if renames == fail_at {
            Err(io::Error::other("injected failure"))
        } else {
            Ok(())
        }
    })
}

#[test]
fn a_failure_after_the_first_rename_leaves_every_file_as_before() {
    let temp = tempfile::tempdir().expect("tempdir");
    let dir = temp.path().join("client");
    let files = mixed_setup(&dir);
    let before = tree(&dir);
    let error = write_failing_at(&dir, &files, 2).expect_err("the write must fail");
    assert!(error.to_string().contains("injected failure"), "{error}");
    assert_same("failure at the second rename", &before, &tree(&dir));
    assert!(leftovers(&dir).is_empty(), "{:?}", leftovers(&dir));
}

/// Every rename of the swap, failed in turn: each failure leaves every file as before, and
/// the write then succeeds.
#[test]
fn a_failure_at_any_rename_leaves_every_file_as_before() {
    let temp = tempfile::tempdir().expect("tempdir");
    let mut fail_at = 1;
    loop {
        let dir = temp.path().join(format!("client-{fail_at}"));
        let files = mixed_setup(&dir);
        let before = tree(&dir);
        match write_failing_at(&dir, &files, fail_at) {
            Err(error) => {
                assert!(error.to_string().contains("injected failure"), "{error}");
                assert_same(
                    &format!("failure at rename {fail_at}"),
                    &before,
                    &tree(&dir),
                );
                assert!(leftovers(&dir).is_empty(), "{:?}", leftovers(&dir));
            }
            Ok(report) => {
                // Six files placed (four of them replacing one: two renames each), five
                // removed (signalwire's module and example).
                assert_eq!(fail_at - 1, 6 + 4 + 5, "renames");
                assert!(output::check(&dir, &files).expect("check").is_empty());
                assert!(leftovers(&dir).is_empty(), "{:?}", leftovers(&dir));
                assert_eq!(report.len(), 11, "{report}");
                break;
            }
        }
        fail_at += 1;
        std::fs::remove_dir_all(&dir).expect("clean up");
    }
}

/// A failure while planning (a generated file where another needs a directory) or on an
/// impossible path changes nothing either.
#[test]
fn invalid_generated_paths_change_nothing() {
    for (case, bad) in [
        (
            "parent is a generated file",
            vec![
                GeneratedFile::new("src/extra.rs", "// staged\n"),
                GeneratedFile::new("src/extra.rs/inner.rs", "// cannot be staged\n"),
            ],
        ),
        (
            "NUL byte",
            vec![GeneratedFile::new("src/bad\0name.rs", "// x\n")],
        ),
        (
            "below Cargo.toml",
            vec![GeneratedFile::new("Cargo.toml/inner.rs", "// x\n")],
        ),
        (
            "outside",
            vec![GeneratedFile::new("../outside.rs", "// x\n")],
        ),
        ("the manifest", vec![GeneratedFile::new(MANIFEST, "// x\n")]),
    ] {
        let temp = tempfile::tempdir().expect("tempdir");
        let dir = temp.path().join("client");
        let mut files = mixed_setup(&dir);
        files.extend(bad);
        let before = tree(&dir);
        let parent_before = tree(temp.path());
        output::write(&dir, &files).expect_err(case);
        assert_same(case, &before, &tree(&dir));
        assert_same(case, &parent_before, &tree(temp.path()));
    }
}

/// When the output directory does not exist yet, a failed write does not create it.
#[test]
fn a_failed_first_write_creates_nothing() {
    let temp = tempfile::tempdir().expect("tempdir");
    let dir = temp.path().join("deep/er/client");
    let files = files_of(&request());
    for fail_at in [1, 4] {
        write_failing_at(&dir, &files, fail_at).expect_err("the write must fail");
        assert!(
            tree(temp.path()).is_empty(),
            "left behind: {:?}",
            tree(temp.path())
        );
    }
    output::write(&dir, &files).expect("then it works");
}

/// Staging and backup directories left by an interrupted run are cleared by the next one.
#[test]
fn a_write_after_an_interrupted_one_succeeds() {
    let temp = tempfile::tempdir().expect("tempdir");
    let dir = temp.path().join("client");
    let files = mixed_setup(&dir);
    for name in [".telephony-codegen.new", ".telephony-codegen.old"] {
        std::fs::create_dir_all(dir.join(name)).expect("mkdir");
        std::fs::write(dir.join(name).join("0"), "stale\n").expect("write");
    }
    output::write(&dir, &files).expect("the write succeeds");
    assert!(leftovers(&dir).is_empty(), "{:?}", leftovers(&dir));
    assert!(output::check(&dir, &files).expect("check").is_empty());
    assert_eq!(
        std::fs::read_to_string(dir.join("target/debug/marker")).expect("kept"),
        "build product"
    );
}

// ---------------------------------------------------------------------------------------------
// `check` names stale and leftover generated files only
// ---------------------------------------------------------------------------------------------

#[test]
fn check_names_stale_missing_and_leftover_generated_files_only() {
    let temp = tempfile::tempdir().expect("tempdir");
    let dir = temp.path().join("client");
    user_project(&dir);
    output::write(&dir, &files_of(&request())).expect("write");
    let files = files_of(&twilio_only());

    // One file edited, one deleted; user files added; signalwire's files are leftovers.
    let edited = "src/lib.rs";
    let deleted = "runtime/src/paging.rs";
    let mut text = std::fs::read_to_string(dir.join(edited)).expect("read");
    text.push_str("// a hand edit\n");
    std::fs::write(dir.join(edited), text).expect("edit");
    std::fs::remove_file(dir.join(deleted)).expect("delete");
    std::fs::write(dir.join("src/extra.rs"), "// not generated\n").expect("add");
    let before = tree(&dir);

    let report = output::check(&dir, &files).expect("check");
    assert_eq!(
        report.changes,
        [
            Change::Updated(dir.join(MANIFEST)),
            Change::Updated(dir.join("Cargo.toml")),
            Change::Removed(dir.join("examples/signalwire_update_participant.rs")),
            Change::Created(dir.join(deleted)),
            Change::Updated(dir.join(edited)),
            Change::Removed(dir.join("src/signalwire/mock.rs")),
            Change::Removed(dir.join("src/signalwire/mod.rs")),
            Change::Removed(dir.join("src/signalwire/participants.rs")),
            Change::Removed(dir.join("src/signalwire/webhooks.rs")),
        ]
    );
    assert_same("check", &before, &tree(&dir));

    // The CLI's --check says the same, one line per file, and fails; user files go unnamed.
    let cli_dir = temp.path().join("cli");
    user_project(&cli_dir);
    let run = generate_operations(&cli_dir, &["UpdateParticipant", "ListParticipant"]);
    assert_eq!(run.code, Some(0), "{}", run.describe());
    let mut lib = std::fs::read_to_string(cli_dir.join(edited)).expect("read");
    lib.push_str("// a hand edit\n");
    std::fs::write(cli_dir.join(edited), lib).expect("edit");
    std::fs::remove_file(cli_dir.join(deleted)).expect("delete");
    std::fs::write(cli_dir.join("src/extra.rs"), "// not generated\n").expect("add");
    let before = tree(&cli_dir);
    let spec = twilio_spec();
    let out = cli_dir.to_str().expect("UTF-8");
    let run = run_in(
        &repo_root(),
        &[&spec, "-o", "ListParticipant", "--check", "--out", out],
    );
    assert_eq!(run.code, Some(1), "{}", run.describe());
    let expected = [
        format!("stale: {}", cli_dir.join(MANIFEST).display()),
        format!(
            "no longer generated (would be removed): {}",
            cli_dir.join("examples/api_update_participant.rs").display()
        ),
        format!("missing: {}", cli_dir.join(deleted).display()),
        format!("stale: {}", cli_dir.join("src/api/mock.rs").display()),
        format!(
            "stale: {}",
            cli_dir.join("src/api/participant.rs").display()
        ),
        format!("stale: {}", cli_dir.join(edited).display()),
        format!("{out} is out of date"),
    ];
    assert_eq!(
        run.stderr.lines().collect::<Vec<_>>(),
        expected,
        "{}",
        run.describe()
    );
    assert_same("--check", &before, &tree(&cli_dir));
}

// ---------------------------------------------------------------------------------------------
// Output directories the generator refuses
// ---------------------------------------------------------------------------------------------

#[test]
fn unsafe_output_directories_are_refused() {
    let temp = tempfile::tempdir().expect("tempdir");
    let spec = twilio_spec();
    let refused = |cwd: &Path, out: &str, expected: &[&str]| {
        let before = tree(temp.path());
        let run = run_in(cwd, &[&spec, "--all", "--out", out]);
        assert_eq!(run.code, Some(1), "--out {out}: {}", run.describe());
        for piece in expected.iter().chain(&["error: ", "hint: "]) {
            assert!(
                run.stderr.contains(piece),
                "--out {out}: no `{piece}`:\n{}",
                run.describe()
            );
        }
        assert_same(&format!("--out {out}"), &before, &tree(temp.path()));
    };

    // A file.
    let file = temp.path().join("a-file");
    std::fs::write(&file, "not a directory\n").expect("write");
    refused(
        temp.path(),
        "a-file",
        &["a-file: is a file, not a directory"],
    );

    // A parent of the current directory that is not a generated crate.
    let work = temp.path().join("project/sub");
    std::fs::create_dir_all(&work).expect("mkdir");
    refused(&work, "..", &["contains the current directory", "--out ."]);
    refused(&work, "../..", &["contains the current directory"]);

    // A directory holding a Cargo workspace root.
    let workspace = temp.path().join("project");
    std::fs::write(
        workspace.join("Cargo.toml"),
        "[workspace]\nmembers = [\"sub\"]\n",
    )
    .expect("w");
    refused(&workspace, ".", &["Cargo.toml", "workspace", "members"]);

    // The filesystem root, checked without writing; the write path is guarded below.
    let run = run_in(temp.path(), &[&spec, "--all", "--check", "--out", "/"]);
    assert_eq!(run.code, Some(1), "{}", run.describe());
    assert!(
        run.stderr.contains("/: is the filesystem root"),
        "{}",
        run.describe()
    );
    // Were the refusal missing, the injected failure would still roll the write back.
    let error = write_failing_at(Path::new("/"), &files_of(&twilio_only()), 1)
        .expect_err("the root is refused");
    assert!(error.to_string().contains("filesystem root"), "{error}");
}

#[test]
fn safe_output_directories_work() {
    let temp = tempfile::tempdir().expect("tempdir");
    let spec = twilio_spec();

    // `.`: an empty directory, generated into from inside.
    let here = temp.path().join("here");
    std::fs::create_dir_all(&here).expect("mkdir");
    let run = run_in(&here, &[&spec, "-o", "FetchParticipant", "--out", "."]);
    assert_eq!(run.code, Some(0), "{}", run.describe());
    assert!(here.join("src/api/mod.rs").is_file());

    // A parent of the current directory that is a crate the generator wrote.
    let run = run_in(
        &here.join("src"),
        &[
            &spec,
            "-o",
            "FetchParticipant",
            "-o",
            "ListParticipant",
            "--out",
            "..",
        ],
    );
    assert_eq!(run.code, Some(0), "{}", run.describe());
    assert!(
        run.stdout.contains("  updated  src/api/participant.rs\n"),
        "{}",
        run.describe()
    );

    // A directory that does not exist yet, several levels deep.
    let deep = temp.path().join("a/b/c");
    let run = run_in(
        temp.path(),
        &[&spec, "-o", "FetchParticipant", "--out", "a/b/c"],
    );
    assert_eq!(run.code, Some(0), "{}", run.describe());
    assert!(deep.join("Cargo.toml").is_file());
}

// ---------------------------------------------------------------------------------------------
// Determinism across processes
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
