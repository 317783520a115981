//! The `telephony-codegen` command line, run as a real process:
//! `telephony-codegen SPEC --operation ID [--operation ID]… --out DIR`, `--all`, `--list`,
//! `--check` (exit 0 when fresh, 1 when stale with the stale files named on stderr), and spec
//! errors that exit non-zero with a located message and never a panic or backtrace.
//!
//! The binary is built once per test run with `cargo build -p telephony-codegen` (honouring
//! `CARGO_TARGET_DIR` and any other cargo configuration: the executable's path is read from
//! cargo's JSON messages), so this works on a clean clone.

use std::path::Path;
use std::process::{Command, Output};
use telephony_tests::repo_root;

const TWILIO_OPERATIONS: [&str; 5] = [
    "FetchParticipant",
    "UpdateParticipant",
    "DeleteParticipant",
    "ListParticipant",
    "CreateParticipant",
];

fn binary() -> &'static Path {
    telephony_tests::codegen_binary()
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

    fn assert_success(&self) -> &Self {
        assert_eq!(self.code, Some(0), "{}", self.describe());
        self
    }

    /// A failure that explains itself: no panic, no backtrace, something on stderr.
    fn assert_clean_failure(&self, code: i32) -> &Self {
        assert_eq!(self.code, Some(code), "{}", self.describe());
        for text in [
            "panicked",
            "stack backtrace",
            "RUST_BACKTRACE",
            "thread 'main'",
        ] {
            assert!(
                !self.stderr.contains(text) && !self.stdout.contains(text),
                "the failure shows `{text}`:\n{}",
                self.describe()
            );
        }
        assert!(!self.stderr.trim().is_empty(), "{}", self.describe());
        self
    }
}

/// Runs the binary in `dir` with a backtrace requested, so that a panic would show one.
fn run_in(dir: &Path, args: &[&str]) -> Run {
    let Output {
        status,
        stdout,
        stderr,
    } = Command::new(binary())
        .args(args)
        .current_dir(dir)
        .env("RUST_BACKTRACE", "1")
        .output()
        .expect("telephony-codegen runs");
    Run {
        code: status.code(),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

fn run(args: &[&str]) -> Run {
    run_in(&repo_root(), args)
}

fn spec(name: &str) -> String {
    repo_root()
        .join("specs")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("UTF-8 temp path")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Relative paths of the files under `dir`, sorted.
fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(next) = pending.pop() {
        for entry in std::fs::read_dir(&next).expect("readable directory") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let relative = path.strip_prefix(dir).expect("under dir");
                out.push(relative.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn list_prints_every_operation_id_in_document_order() {
    let run = run(&[&spec("twilio.yaml"), "--list"]);
    run.assert_success();
    let ids: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(ids, TWILIO_OPERATIONS);

    let run = self::run(&["--list", &spec("signalwire.yaml")]);
    run.assert_success();
    let ids: Vec<&str> = run.stdout.lines().collect();
    assert!(ids.contains(&"update_participant"), "{}", run.describe());
    let expected = telephony_codegen::operation_ids(Path::new(&spec("signalwire.yaml")), "s")
        .expect("the library lists the same spec");
    assert_eq!(ids, expected);
}

#[test]
fn selected_operations_generate_a_crate_with_only_those_methods() {
    let temp = tempfile::tempdir().expect("temp dir");
    let out = temp.path().join("client");
    let run = run(&[
        &spec("twilio.yaml"),
        "--operation",
        "FetchParticipant",
        "--operation",
        "UpdateParticipant",
        "--out",
        path_str(&out),
    ]);
    run.assert_success();
    let files = files_under(&out);
    let summary = format!(
        "{}: {} created, 0 updated, 0 removed, 0 unchanged; 0 kept",
        out.display(),
        files.len()
    );
    assert!(run.stdout.starts_with(&summary), "{}", run.describe());
    assert!(
        run.stdout
            .contains("  created  src/twilio_conference_participants/mod.rs\n"),
        "{}",
        run.describe()
    );
    // Names left out come from the spec's title, "Twilio Conference Participants".
    for file in [
        "Cargo.toml",
        "src/twilio_conference_participants/mod.rs",
        "src/lib.rs",
        "runtime/src/lib.rs",
    ] {
        assert!(files.iter().any(|f| f == file), "{file} missing: {files:?}");
    }
    assert!(
        files.iter().all(|f| f == "Cargo.toml"
            || f == ".telephony-codegen"
            || f.starts_with("src/")
            || f.starts_with("examples/")
            || f.starts_with("runtime/")),
        "{files:?}"
    );
    let api = telephony_tests::module_text_on_disk(&out, "twilio_conference_participants");
    assert!(api.contains("pub fn fetch_participant("));
    assert!(api.contains("pub fn update_participant("));
    for absent in [
        "delete_participant",
        "list_participant",
        "create_participant",
    ] {
        assert!(
            !api.contains(&format!("pub fn {absent}(")),
            "{absent} was not selected"
        );
    }
    assert!(
        read(&out.join("Cargo.toml")).contains("name = \"twilio-conference-participants-client\"")
    );
    // Files carry the "generated, do not edit" header.
    for file in &files {
        let text = read(&out.join(file));
        assert!(
            file == ".telephony-codegen"
                || text.starts_with("// @generated by telephony-codegen")
                || text.starts_with("# @generated by telephony-codegen"),
            "{file}"
        );
    }

    // The short flag and custom names.
    let out = temp.path().join("named");
    run_in(
        temp.path(),
        &[
            &spec("twilio.yaml"),
            "-o",
            "DeleteParticipant",
            "--out",
            "named",
            "--crate-name",
            "my-twilio",
            "--module",
            "voice",
        ],
    )
    .assert_success();
    assert!(read(&out.join("Cargo.toml")).contains("name = \"my-twilio\""));
    assert!(
        telephony_tests::module_text_on_disk(&out, "voice").contains("pub fn delete_participant(")
    );
    assert!(read(&out.join("src/lib.rs")).contains("pub mod voice;"));
}

#[test]
fn all_generates_every_operation_and_matches_the_library() {
    let temp = tempfile::tempdir().expect("temp dir");
    for (name, module, module_ids) in [
        (
            "twilio.yaml",
            "twilio_conference_participants",
            TWILIO_OPERATIONS.to_vec(),
        ),
        (
            "signalwire.yaml",
            "signal_wire_compatibility",
            vec![
                "list_all_participants",
                "retrieve_participant",
                "update_participant",
                "delete_participant",
            ],
        ),
    ] {
        let out = temp.path().join(name.replace(".yaml", ""));
        run(&[&spec(name), "--all", "--out", path_str(&out)]).assert_success();
        let api = telephony_tests::module_text_on_disk(&out, module);
        let ir = telephony_codegen::api_from_file(
            Path::new(&spec(name)),
            "x",
            &telephony_codegen::Selection::All,
        )
        .expect("the spec lowers");
        assert_eq!(
            ir.operations
                .iter()
                .map(|o| o.id.as_str())
                .collect::<Vec<_>>(),
            module_ids
        );
        for op in &ir.operations {
            assert!(
                api.contains(&format!("pub fn {}(", op.method_name)),
                "{name}: --all did not generate {}",
                op.id
            );
        }
        // `--all` is the same as naming every operation.
        let named = temp
            .path()
            .join(format!("{}-named", name.replace(".yaml", "")));
        let mut args = vec![spec(name)];
        for id in &module_ids {
            args.extend(["--operation".to_string(), id.to_string()]);
        }
        args.extend(["--out".to_string(), path_str(&named).to_string()]);
        run(&args.iter().map(String::as_str).collect::<Vec<_>>()).assert_success();
        assert_eq!(
            api,
            telephony_tests::module_text_on_disk(&named, module),
            "{name}"
        );
    }
}

#[test]
fn check_exits_0_when_fresh_and_1_naming_stale_files() {
    let temp = tempfile::tempdir().expect("temp dir");
    let out = temp.path().join("client");
    let out_arg = path_str(&out).to_string();
    let args = |check: bool| {
        let mut args = vec![
            spec("twilio.yaml"),
            "--operation".into(),
            "ListParticipant".into(),
            "--operation".into(),
            "CreateParticipant".into(),
            "--module".into(),
            "api".into(),
            "--out".into(),
            out_arg.clone(),
        ];
        if check {
            args.push("--check".into());
        }
        args
    };
    let go = |check: bool| run(&args(check).iter().map(String::as_str).collect::<Vec<_>>());

    // Nothing there yet: stale, every file missing, and --check writes nothing.
    let missing = go(true);
    missing.assert_clean_failure(1);
    for file in [
        "Cargo.toml",
        "src/lib.rs",
        "src/api/mod.rs",
        "runtime/src/lib.rs",
    ] {
        assert!(
            missing.stderr.contains(file),
            "{file} not named:\n{}",
            missing.describe()
        );
    }
    assert!(!out.exists(), "--check wrote files");

    go(false).assert_success();
    let fresh = go(true);
    fresh.assert_success();
    assert!(fresh.stderr.trim().is_empty(), "{}", fresh.describe());

    // One edited file: exit 1 naming exactly that file, which is left as it was.
    let api = out.join("src/api/mod.rs");
    let edited = format!("{}\n// a hand edit\n", read(&api));
    std::fs::write(&api, &edited).expect("edit");
    let stale = go(true);
    stale.assert_clean_failure(1);
    assert!(stale.stderr.contains("api/mod.rs"), "{}", stale.describe());
    for fresh_file in ["Cargo.toml", "lib.rs", "runtime/"] {
        assert!(
            !stale.stderr.contains(fresh_file),
            "{fresh_file} named although fresh:\n{}",
            stale.describe()
        );
    }
    assert_eq!(read(&api), edited, "--check changed the file");

    // A file the generator did not write is none of its business, even in src/.
    std::fs::write(&api, read(&api).replace("\n// a hand edit\n", "")).expect("restore");
    assert_eq!(go(true).code, Some(0));
    std::fs::write(out.join("src/extra.rs"), "// hand-written\n").expect("extra file");
    let extra = go(true);
    extra.assert_success();
    assert!(extra.stderr.trim().is_empty(), "{}", extra.describe());

    // A different selection is stale against this output.
    let other = run(&[
        &spec("twilio.yaml"),
        "--operation",
        "FetchParticipant",
        "--module",
        "api",
        "--out",
        &out_arg,
        "--check",
    ]);
    other.assert_clean_failure(1);
    assert!(other.stderr.contains("src/api/"), "{}", other.describe());

    // Writing repairs everything; a second write changes nothing.
    go(false).assert_success();
    assert_eq!(go(true).code, Some(0));
    let again = go(false);
    again.assert_success();
    let generated = files_under(&out).len() - 1; // all but src/extra.rs
    assert!(
        again.stdout.contains(&format!(
            ": 0 created, 0 updated, 0 removed, {generated} unchanged; 1 kept"
        )),
        "{}",
        again.describe()
    );
    assert!(
        again
            .stdout
            .contains("  kept     src/extra.rs (not generated)"),
        "{}",
        again.describe()
    );
    assert_eq!(read(&out.join("src/extra.rs")), "// hand-written\n");
}

#[test]
fn check_works_for_the_signalwire_spec_too() {
    let temp = tempfile::tempdir().expect("temp dir");
    let out = temp.path().join("sw");
    let base = [
        spec("signalwire.yaml"),
        "--all".into(),
        "--out".into(),
        path_str(&out).into(),
    ];
    let base: Vec<&str> = base.iter().map(String::as_str).collect();
    run(&base).assert_success();
    let mut check = base.clone();
    check.push("--check");
    run(&check).assert_success();
    let lib = out.join("src/lib.rs");
    std::fs::write(&lib, read(&lib).replace("signalwire", "SignalWire")).expect("edit");
    let stale = run(&check);
    stale.assert_clean_failure(1);
    assert!(stale.stderr.contains("lib.rs"), "{}", stale.describe());
}

/// Writes `text` as a spec file and runs `--all` on it.
fn run_bad_spec(name: &str, text: &str) -> Run {
    let temp = tempfile::tempdir().expect("temp dir");
    let path = temp.path().join(name);
    std::fs::write(&path, text).expect("spec writes");
    let out = temp.path().join("out");
    let run = run_in(temp.path(), &[name, "--all", "--out", path_str(&out)]);
    assert!(
        !out.exists(),
        "a failed run left output:\n{}",
        run.describe()
    );
    run
}

#[test]
fn bad_specs_fail_with_a_located_error_and_no_panic() {
    let cases: [(&str, &str, &[&str]); 6] = [
        (
            "broken.yaml",
            "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a: [1, 2\n",
            &["broken.yaml", "invalid YAML", "line"],
        ),
        ("empty.yaml", "", &["empty.yaml", "#", "empty"]),
        (
            "types.yaml",
            "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      operationId: A\n      responses:\n        '200': {description: 5}\n",
            &["types.yaml", "#/paths/~1a/get"],
        ),
        (
            "dangling.yaml",
            "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      operationId: A\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: '#/components/schemas/Missing'}\n",
            &["dangling.yaml", "#/paths/~1a/get", "Missing", "A"],
        ),
        (
            "swagger.yaml",
            "swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths: {}\n",
            &["swagger.yaml", "#/swagger", "Swagger 2.0"],
        ),
        (
            "scalar.json",
            "[1, 2, 3]\n",
            &["scalar.json", "not a mapping"],
        ),
    ];
    for (name, text, expected) in cases {
        let run = run_bad_spec(name, text);
        run.assert_clean_failure(1);
        for piece in expected {
            assert!(
                run.stderr.contains(piece),
                "{name}: stderr lacks `{piece}`:\n{}",
                run.describe()
            );
        }
        assert!(run.stderr.starts_with("error: "), "{}", run.describe());
    }
}

#[test]
fn usage_errors_are_reported_without_a_panic() {
    let temp = tempfile::tempdir().expect("temp dir");
    let out = temp.path().join("out");
    let out = path_str(&out);

    // An operation the spec does not have: located, and the hint names similar ones.
    let unknown = run(&[
        &spec("twilio.yaml"),
        "--operation",
        "FetchParticipants",
        "--out",
        out,
    ]);
    unknown.assert_clean_failure(1);
    assert!(
        unknown
            .stderr
            .contains("twilio.yaml: #/paths: operation `FetchParticipants`"),
        "{}",
        unknown.describe()
    );
    assert!(
        unknown.stderr.contains("did you mean `FetchParticipant`?"),
        "{}",
        unknown.describe()
    );
    // Nothing close: the hint says how to list the ids.
    let unrelated = run(&[&spec("twilio.yaml"), "--operation", "SendFax", "--out", out]);
    unrelated.assert_clean_failure(1);
    assert!(
        unrelated.stderr.contains("--list"),
        "{}",
        unrelated.describe()
    );
    let misspelt = run(&[
        &spec("twilio.yaml"),
        "--operation",
        "fetch_participant",
        "--out",
        out,
    ]);
    misspelt.assert_clean_failure(1);
    assert!(
        misspelt.stderr.contains("did you mean `FetchParticipant`"),
        "{}",
        misspelt.describe()
    );

    // A missing spec file.
    let missing = run(&["no/such/spec.yaml", "--all", "--out", out]);
    missing.assert_clean_failure(1);
    assert!(
        missing.stderr.contains("no/such/spec.yaml"),
        "{}",
        missing.describe()
    );
    assert!(
        missing.stderr.contains("cannot read"),
        "{}",
        missing.describe()
    );

    // Neither --operation nor --all.
    run(&[&spec("twilio.yaml"), "--out", out]).assert_clean_failure(2);
    // --out is required unless listing; --all conflicts with --operation.
    run(&[&spec("twilio.yaml"), "--all"]).assert_clean_failure(2);
    run(&[
        &spec("twilio.yaml"),
        "--all",
        "--operation",
        "FetchParticipant",
        "--out",
        out,
    ])
    .assert_clean_failure(2);
    assert!(!Path::new(out).exists());

    // --help documents the interface.
    let help = run(&["--help"]);
    help.assert_success();
    for flag in ["--operation", "--all", "--list", "--out", "--check"] {
        assert!(
            help.stdout.contains(flag),
            "--help lacks {flag}:\n{}",
            help.stdout
        );
    }
}

/// The command-line arguments that say what `specs/codegen.toml` says, spec paths relative to
/// the repository root (as `cargo xtask codegen` names them in headers).
fn codegen_toml_arguments(out: &Path) -> Vec<String> {
    let root = repo_root();
    let config = telephony_codegen::config::Config::load(&root.join("specs/codegen.toml"))
        .expect("specs/codegen.toml loads");
    let mut args = vec![
        "--crate-name".to_string(),
        config.krate.name.clone(),
        "--crate-version".to_string(),
        config.krate.version.clone(),
        "--out".to_string(),
        path_str(out).to_string(),
    ];
    if config.krate.strict {
        args.push("--strict".into());
    }
    if let Some(runtime) = &config.krate.runtime {
        args.extend([
            "--runtime-package".to_string(),
            runtime.package.clone(),
            "--runtime-path".to_string(),
            runtime.path.clone(),
        ]);
    }
    for module in &config.modules {
        args.push(telephony_codegen::display_path(&module.spec, &root));
        args.extend(["--module".to_string(), module.name.clone()]);
        if let Some(account) = &module.account_parameter {
            args.extend(["--account-parameter".to_string(), account.clone()]);
        }
        if let Some(namespace) = &module.schema_namespace {
            args.extend(["--schema-namespace".to_string(), namespace.clone()]);
        }
        if let Some(env) = &module.environment {
            for (flag, names) in [
                ("--env-username", &env.username),
                ("--env-password", &env.password),
                ("--env-api-key", &env.api_key),
                ("--env-api-secret", &env.api_secret),
            ] {
                if !names.is_empty() {
                    args.extend([flag.to_string(), names.join(",")]);
                }
            }
            if let Some(host) = &env.host {
                args.extend(["--env-host".to_string(), host.clone()]);
            }
            for (name, variables) in &env.variables {
                args.extend([
                    "--env-variable".to_string(),
                    format!("{name}={}", variables.join(",")),
                ]);
            }
            for (name, value) in &env.defaults {
                args.extend(["--env-default".to_string(), format!("{name}={value}")]);
            }
        }
        if module.operations.iter().any(|o| o == "*") {
            args.push("--all".into());
        } else {
            for id in &module.operations {
                args.extend(["--operation".to_string(), id.clone()]);
            }
        }
    }
    for family in &config.families {
        args.extend([
            "--family".to_string(),
            format!("{}={}", family.name, family.modules.join(",")),
        ]);
        for (from, to) in &family.renames {
            args.extend(["--family-rename".to_string(), format!("{from}={to}")]);
        }
    }
    args
}

#[test]
fn the_command_line_says_what_codegen_toml_says() {
    let temp = tempfile::tempdir().expect("temp dir");
    let out = temp.path().join("client");
    let args = codegen_toml_arguments(&out);
    let run = run(&args.iter().map(String::as_str).collect::<Vec<_>>());
    run.assert_success();
    // Byte-identical to what `cargo xtask codegen` wrote to generated/, file for file.
    let generated = repo_root().join("generated");
    let expected = files_under(&generated);
    assert_eq!(files_under(&out), expected, "{}", args.join(" "));
    for file in &expected {
        assert!(
            std::fs::read(out.join(file)).ok() == std::fs::read(generated.join(file)).ok(),
            "{file} differs from generated/{file}: {}",
            args.join(" ")
        );
    }
    // The environment settings made it through: both modules read their variables.
    assert!(args.iter().any(|a| a == "--env-host"), "{}", args.join(" "));
    // The account parameter is no argument: the client's account fills it in.
    let twilio = telephony_tests::module_text_on_disk(&out, "twilio");
    assert!(twilio.contains("pub fn from_env()"));
    assert!(twilio.contains(".account(\"AccountSid\", self.account_sid())"));
    assert!(!twilio.contains("account_sid: &str"));
}

#[test]
fn module_options_belong_to_the_spec_before_them() {
    let temp = tempfile::tempdir().expect("temp dir");
    let out = temp.path().join("client");
    // Options before the first spec are its own; crate options may go anywhere.
    run(&[
        "-o",
        "FetchParticipant",
        "--account-parameter",
        "AccountSid",
        &spec("twilio.yaml"),
        "--module",
        "voice",
        "--out",
        path_str(&out),
        &spec("signalwire.yaml"),
        "--all",
    ])
    .assert_success();
    // Without --crate-name the first module names the crate.
    assert!(read(&out.join("Cargo.toml")).contains("name = \"voice-client\""));
    let voice = telephony_tests::module_text_on_disk(&out, "voice");
    assert!(voice.contains("pub fn fetch_participant("));
    assert!(!voice.contains("pub fn update_participant("));
    assert!(voice.contains("pub fn account_sid(&self)"));
    // The second module: every operation, named after its title, no account parameter.
    let signalwire = telephony_tests::module_text_on_disk(&out, "signal_wire_compatibility");
    assert!(signalwire.contains("pub fn update_participant("));
    assert!(signalwire.contains("account_sid: &str"));
    assert!(!signalwire.contains("pub fn account_sid(&self)"));

    // Usage errors name the spec and exit 2, writing nothing.
    let bad = temp.path().join("bad");
    let cases: [(&[&str], &str); 4] = [
        (
            &["--all", "-o", "FetchParticipant"],
            "--all and --operation",
        ),
        (
            &["--all", "--module", "a", "--module", "b"],
            "--module is given twice",
        ),
        (
            &[
                "--all",
                "--account-parameter",
                "A",
                "--account-parameter",
                "B",
            ],
            "--account-parameter is given twice",
        ),
        (&[], "--operation ID"),
    ];
    for (options, message) in cases {
        let twilio = spec("twilio.yaml");
        let mut args = vec![twilio.as_str()];
        args.extend_from_slice(options);
        args.extend(["--out", path_str(&bad)]);
        let failed = run(&args);
        failed.assert_clean_failure(2);
        assert!(failed.stderr.contains(message), "{}", failed.describe());
        assert!(
            failed.stderr.contains("twilio.yaml"),
            "{}",
            failed.describe()
        );
    }
    let second = run(&[
        &spec("twilio.yaml"),
        "--all",
        &spec("signalwire.yaml"),
        "--out",
        path_str(&bad),
    ]);
    second.assert_clean_failure(2);
    assert!(
        second.stderr.contains("signalwire.yaml"),
        "{}",
        second.describe()
    );
    // Two specs whose modules would share a name.
    let twice = run(&[
        &spec("twilio.yaml"),
        "--all",
        &spec("twilio.yaml"),
        "--all",
        "--out",
        path_str(&bad),
    ]);
    twice.assert_clean_failure(1);
    assert!(
        twice.stderr.contains("two modules have this name"),
        "{}",
        twice.describe()
    );
    assert!(!bad.exists());
}

/// A spec whose only server URL is relative cannot have an example program (it has no base
/// URL to default to). With two resources its crate has per-resource features, and once had an
/// `[[example]]` table naming the missing program, which cargo refuses. `cargo check
/// --all-targets` builds every target the manifest names; `cargo metadata` would accept the
/// missing file.
#[test]
fn a_relative_server_url_gives_a_crate_cargo_builds_with_every_target() {
    let temp = tempfile::tempdir().expect("temp dir");
    let out = temp.path().join("rooms");
    let fixture = repo_root().join("tests/fixtures/specs/relative_server.yaml");
    run(&[
        path_str(&fixture),
        "--all",
        "--out",
        path_str(&out),
        "--crate-name",
        "rooms-client",
        "--module",
        "rooms",
    ])
    .assert_success();
    let manifest = read(&out.join("Cargo.toml"));
    assert!(
        manifest.contains("rooms-room = []\n") && manifest.contains("rooms-notice = []\n"),
        "two resources, two features:\n{manifest}"
    );
    std::fs::copy(repo_root().join("Cargo.lock"), out.join("Cargo.lock")).expect("Cargo.lock");
    let output = telephony_tests::cargo_in_shared_target(&out)
        .args([
            "check",
            "--quiet",
            "--all-targets",
            "--message-format",
            "short",
        ])
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "cargo check --all-targets failed on the generated crate:\n{}\n{manifest}",
        String::from_utf8_lossy(&output.stderr)
    );
    let files = files_under(&out);
    let examples: Vec<&String> = files
        .iter()
        .filter(|f| f.starts_with("examples/"))
        .collect();
    assert!(
        examples.is_empty(),
        "no absolute server, no example: {examples:?}"
    );
    assert!(!manifest.contains("[[example]]"), "{manifest}");
}

#[test]
fn environment_options_make_from_env_and_their_errors_name_the_option() {
    let temp = tempfile::tempdir().expect("temp dir");
    let out = temp.path().join("client");
    let base = [
        spec("twilio.yaml"),
        "--module".to_string(),
        "twilio".to_string(),
        "--operation".to_string(),
        "FetchParticipant".to_string(),
        "--out".to_string(),
        path_str(&out).to_string(),
        "--env-username".to_string(),
        "SID".to_string(),
        "--env-password".to_string(),
        "TOKEN,OLD_TOKEN".to_string(),
        "--env-host".to_string(),
        "api.{zone}.twilio.com".to_string(),
    ];
    let args = |extra: &[&str]| -> Vec<String> {
        base.iter()
            .cloned()
            .chain(extra.iter().map(|a| a.to_string()))
            .collect()
    };
    let failed = run(&args(&[]).iter().map(String::as_str).collect::<Vec<_>>());
    failed.assert_clean_failure(1);
    assert!(
        failed.stderr.contains(
            "the command line: module `twilio`, --env-host: unknown placeholder `{zone}`"
        ) && failed.stderr.contains("in --env-variable"),
        "{}",
        failed.describe()
    );
    assert!(!out.exists());
    let ok = args(&["--env-variable", "zone=ZONE", "--env-default", "zone=z1"]);
    run(&ok.iter().map(String::as_str).collect::<Vec<_>>()).assert_success();
    let module = telephony_tests::module_text_on_disk(&out, "twilio");
    assert!(module.contains("pub fn from_env()"), "{module}");
    assert!(module.contains(r#"password: &["TOKEN", "OLD_TOKEN"]"#));
    assert!(module.contains(r#"variables: &["ZONE"]"#));
    // A placeholder named twice is a usage error.
    let twice = args(&["--env-variable", "zone=A", "--env-variable", "zone=B"]);
    run(&twice.iter().map(String::as_str).collect::<Vec<_>>()).assert_clean_failure(2);
}

/// A reader that stops early (`telephony-codegen … | head`) is not a failure: the crate is
/// written, the run exits 0 and nothing panics on the closed pipe.
#[test]
fn a_closed_stdout_ends_the_report_not_the_run() {
    let temp = tempfile::tempdir().expect("temp dir");
    let out = temp.path().join("client");
    let mut child = Command::new(binary())
        .args([&spec("twilio.yaml"), "--all", "--out", path_str(&out)])
        .current_dir(repo_root())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("telephony-codegen runs");
    drop(child.stdout.take());
    let output = child.wait_with_output().expect("telephony-codegen ends");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(out.join("src/lib.rs").is_file());
}
