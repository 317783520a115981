//! Real-world spec shapes (issue 10): specs spread over several files, `$ref`s to any local
//! JSON pointer, callbacks and webhooks, sloppy input read with warnings, wrong input refused
//! with located errors. Each fixture (`tests/fixtures/any_spec/`, `multi_file/`,
//! `multi_file_broken/`) has a snapshot of its generated module or of its message, and the
//! crates generated from the valid ones pass `cargo clippy --all-targets -- -D warnings`.

use std::path::Path;
use std::process::Command;
use telephony_codegen::error::{Error, Reporter, SpecError};
use telephony_codegen::{document, load, lower, normalize};
use telephony_codegen::{CrateRequest, GeneratedFile, Mode, ModuleRequest, Selection};
use telephony_tests::repo_root;

/// The valid fixtures, by their path under `tests/fixtures/`.
const VALID: &[(&str, &str)] = &[
    ("multi_file", "multi_file/main.yaml"),
    ("local_pointers", "any_spec/local_pointers.yaml"),
    ("callbacks", "any_spec/callbacks.yaml"),
    ("sloppy", "any_spec/sloppy.yaml"),
    ("same_names", "any_spec/same_names.yaml"),
    ("union_params", "any_spec/union_params.yaml"),
    ("bodies", "any_spec/bodies.yaml"),
];

fn source(fixture: &str) -> String {
    format!("tests/fixtures/{fixture}")
}

fn request(name: &str, fixture: &str) -> CrateRequest {
    CrateRequest::new(
        &format!("any-spec-{}", name.replace('_', "-")),
        "0.1.0",
        vec![ModuleRequest::all(
            "api",
            repo_root().join(source(fixture)),
            &source(fixture),
        )],
    )
}

fn generate(name: &str, fixture: &str) -> Result<Vec<GeneratedFile>, Error> {
    telephony_codegen::generate(&request(name, fixture))
}

fn module(name: &str, fixture: &str) -> String {
    let files =
        generate(name, fixture).unwrap_or_else(|e| panic!("{fixture}: generation failed:\n{e}"));
    telephony_tests::module_text(&files, "api").expect("src/api/")
}

fn error(fixture: &str) -> String {
    match generate("broken", fixture) {
        Ok(_) => panic!("{fixture}: generated, but it is broken"),
        Err(e @ Error::Spec(_)) => e.to_string(),
        Err(e) => panic!("{fixture}: not a spec error: {e:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Multi-file specs and local pointers: generated code
// ---------------------------------------------------------------------------------------------

#[test]
fn multi_file_spec_generates() {
    let code = module("multi_file", "multi_file/main.yaml");
    // Types from all three files, the cycle between them broken by a box.
    for needle in [
        "pub struct Message",
        "pub struct Caller",
        "pub last_message: Option<Box<Message>>",
        "pub struct Mailbox",
        "pub fn fetch_box(",
        "pub since: Option<crate::runtime::Timestamp>",
        ", Problem>",
        // A callback kept in another file, its payload naming a schema of a third.
        "pub struct NewMessage {",
        "pub caller: Option<Caller>,",
    ] {
        assert!(
            code.contains(needle),
            "multi_file lacks `{needle}`:\n{code}"
        );
    }
    insta::assert_snapshot!("multi_file", code);
}

#[test]
fn multi_file_errors_name_their_file() {
    // An error inside a referenced file names that file and its own pointer.
    let e = error("multi_file_broken/error_inside_referenced_file.yaml");
    assert!(
        e.starts_with("tests/fixtures/multi_file_broken/common/wrong.yaml: #/components/schemas/Participant/required:"),
        "{e}"
    );
}

#[test]
fn local_pointers_generate() {
    let code = module("local_pointers", "any_spec/local_pointers.yaml");
    // The schema under `Queue/properties/front` is one type, used by both places.
    assert_eq!(code.matches("pub struct QueueFront").count(), 1, "{code}");
    assert!(code.contains("crate::Call<QueueFront,"), "{code}");
    assert!(code.contains("crate::Call<i64,"), "{code}");
    insta::assert_snapshot!("local_pointers", code);
}

#[test]
fn callbacks_and_webhooks_become_payloads_in_the_webhooks_module() {
    let code = module("callbacks", "any_spec/callbacks.yaml");
    assert!(code.contains("pub fn start_recording("), "{code}");
    let (client, webhooks) = code
        .split_once("// ===== src/api/webhooks.rs")
        .unwrap_or_else(|| panic!("a webhooks module:\n{code}"));
    assert!(
        client.contains("#[cfg(feature = \"webhooks\")]\npub mod webhooks;"),
        "the module is behind the feature:\n{code}"
    );
    assert!(!client.contains("RecordingUrl"), "{code}");
    // The inline callback is named after it; the webhook's `$ref` payload after its component.
    for needle in [
        "pub struct Completed {",
        "pub recording_url: Option<String>,",
        "impl Completed {",
        "impl crate::runtime::webhooks::WebhookPayload for Ready {",
    ] {
        assert!(webhooks.contains(needle), "{needle}:\n{code}");
    }
    // `Ready` is only a webhook's payload, so it lives in the webhooks module.
    assert!(webhooks.contains("pub struct Ready {"), "{code}");
    let found = warnings("any_spec/callbacks.yaml", false).expect("callbacks read");
    let found: Vec<String> = found.iter().map(ToString::to_string).collect();
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with("tests/fixtures/any_spec/callbacks.yaml: #/components/callbacks/RecordingStatus/{$request.body#~1StatusCallback}/post (operation `StartRecording`): callback `statusCallback` has no `requestBody`"),
        "{found:?}"
    );
    insta::assert_snapshot!("callbacks", code);
}

#[test]
fn same_name_in_different_locations_gets_distinct_fields() {
    let code = module("same_names", "any_spec/same_names.yaml");
    for needle in [
        "pub sid: Option<String>",
        "pub sid_header: Option<String>",
        "request.query(\"Sid\", &self.sid);",
        "request.header(\"Sid\", &self.sid_header);",
        // The path `Sid` is an argument, the query `Sid` a field.
        "sid: &str,\n        params: &FetchCallParams",
    ] {
        assert!(
            code.contains(needle),
            "same_names lacks `{needle}`:\n{code}"
        );
    }
    // A JSON object needs distinct keys: only one field decodes from `Sid`.
    let list_params = code
        .split("impl crate::runtime::json::FromJson for ListCallsParams")
        .nth(1)
        .and_then(|rest| rest.split("\n}").next())
        .expect("ListCallsParams");
    assert_eq!(list_params.matches("(\"Sid\")").count(), 1, "{list_params}");
    insta::assert_snapshot!("same_names", code);
}

#[test]
fn union_typed_scalar_parameters_are_text_sent_as_written() {
    let code = module("union_params", "any_spec/union_params.yaml");
    for needle in [
        "extension: &str,",
        ".param(\"Extension\", extension)",
        "pub ring: Option<String>",
        "pub x_priority: Option<String>",
        "Any of: integer, string; sent exactly as written.",
        "Any of: integer, boolean; sent exactly as written.",
    ] {
        assert!(
            code.contains(needle),
            "union_params lacks `{needle}`:\n{code}"
        );
    }
    insta::assert_snapshot!("union_params", code);
}

#[test]
fn request_body_kinds() {
    let code = module("bodies", "any_spec/bodies.yaml");
    for needle in [
        "body: &str,",
        "request.text(body);",
        "body: &[u8],",
        "request.bytes(body);",
        "request.multipart(body.multipart());",
        "pub audio: crate::FilePart,",
        "pub transcript: Option<crate::FilePart>,",
        "parts.file(\"Audio\", &self.audio);",
        "parts.field(\"Name\", &self.name);",
    ] {
        assert!(code.contains(needle), "bodies lacks `{needle}`:\n{code}");
    }
    // `UpdateGreeting` offers text, multipart and form: the form is used (the documented order).
    let update = code
        .split("fn update_greeting_request")
        .nth(1)
        .and_then(|rest| rest.split("\n    }\n").next())
        .expect("update_greeting");
    assert!(
        update.contains("request.form(body.form_pairs());"),
        "{update}"
    );
    insta::assert_snapshot!("bodies", code);
}

#[test]
fn example_of_an_operation_that_returns_nothing() {
    let files = generate("same_names", "any_spec/same_names.yaml").expect("generates");
    let example = files
        .iter()
        .find(|f| f.path == "examples/api_add_note.rs")
        .expect("the example calls the first operation");
    // No `let response = ()` (clippy: let_unit_value), no `..Default::default()` after the
    // only field (clippy: needless_update); the clippy test below builds it.
    assert!(
        example
            .contents
            .contains("client.add_note(&env(\"API_SID\")?, &body).await?;"),
        "{}",
        example.contents
    );
    assert!(
        !example.contents.contains("let response"),
        "{}",
        example.contents
    );
    assert!(
        !example.contents.contains("..Default::default()"),
        "{}",
        example.contents
    );
}

// ---------------------------------------------------------------------------------------------
// Broken multi-file specs: messages
// ---------------------------------------------------------------------------------------------

macro_rules! broken {
    ($case:ident, $fixture:expr) => {
        #[test]
        fn $case() {
            let message = error($fixture);
            assert!(message.contains("\n  hint: "), "no hint:\n{message}");
            insta::assert_snapshot!(stringify!($case), message);
        }
    };
}

broken!(remote_ref, "multi_file_broken/remote.yaml");
broken!(chain_of_files, "multi_file_broken/chain.yaml");
broken!(missing_target, "multi_file_broken/missing_target.yaml");
broken!(
    bad_yaml_in_referenced_file,
    "multi_file_broken/bad_yaml_in_referenced_file.yaml"
);
broken!(wrong_kind, "multi_file_broken/wrong_kind.yaml");
broken!(path_item_cycle, "multi_file_broken/path_item_cycle.yaml");
broken!(
    error_inside_referenced_file,
    "multi_file_broken/error_inside_referenced_file.yaml"
);

// ---------------------------------------------------------------------------------------------
// Input files
// ---------------------------------------------------------------------------------------------

#[test]
fn every_input_file_is_listed_with_its_hash() {
    let path = repo_root().join(source("multi_file/main.yaml"));
    let loaded = load::load_file(&path, &source("multi_file/main.yaml")).expect("loads");
    let names: Vec<&str> = loaded.inputs.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "tests/fixtures/multi_file/main.yaml",
            "tests/fixtures/multi_file/common/people.yaml",
            "tests/fixtures/multi_file/common/messages.yaml",
        ]
    );
    for input in &loaded.inputs {
        let bytes = std::fs::read(repo_root().join(&input.name)).expect("input readable");
        assert_eq!(input, &load::input_file(input.name.clone(), &bytes));
        assert_eq!(input.sha256.len(), 64);
    }
}

// ---------------------------------------------------------------------------------------------
// Warnings
// ---------------------------------------------------------------------------------------------

/// Stages 1–4 on a fixture: the warnings, or the error.
fn warnings(fixture: &str, strict: bool) -> Result<Vec<SpecError>, SpecError> {
    let path = repo_root().join(source(fixture));
    let bytes = std::fs::read(path).expect("fixture readable");
    let loaded = load::load_text(&source(fixture), &bytes)?;
    let reporter: Reporter = loaded.reporter.strict(strict);
    let mut doc = loaded.doc;
    let hooks = normalize::normalize(&mut doc);
    let doc = document::parse_document(&reporter, doc)?;
    let hooks = document::parse_webhooks(&reporter, hooks)?;
    lower::lower_with_webhooks(
        &reporter,
        &doc,
        &hooks,
        &Selection::All,
        loaded.inputs,
        None,
    )?;
    Ok(reporter.take_warnings())
}

#[test]
fn sloppy_input_is_read_with_located_warnings() {
    let found = warnings("any_spec/sloppy.yaml", false).expect("sloppy input is not an error");
    assert_eq!(found.len(), 3, "{found:#?}");
    assert!(found.iter().all(|w| w.hint.is_some()));
    let text: Vec<String> = found.iter().map(ToString::to_string).collect();
    insta::assert_snapshot!("sloppy_warnings", text.join("\n"));
    // The repaired input generates: the enum is a boolean field.
    let code = module("sloppy", "any_spec/sloppy.yaml");
    assert!(code.contains("pub locked: Option<bool>"), "{code}");
}

#[test]
fn strict_turns_the_first_warning_into_an_error() {
    let e = warnings("any_spec/sloppy.yaml", true).expect_err("strict refuses sloppy input");
    let first = &warnings("any_spec/sloppy.yaml", false).expect("warnings")[0];
    assert_eq!(&e, first);
}

// ---------------------------------------------------------------------------------------------
// Generated crates pass clippy
// ---------------------------------------------------------------------------------------------

fn clippy(workspace: &Path) -> Result<(), String> {
    // Webhook payloads and their decoders, and the mock servers, are compiled only with these
    // features; `mock` turns on `serde`, so the client's own JSON (without serde's traits on
    // what it only reads) is checked without it first.
    for features in ["webhooks", "webhooks,mock"] {
        let output = telephony_tests::cargo_in_shared_target(workspace)
            .args([
                "clippy",
                "--workspace",
                "--all-targets",
                "--features",
                features,
                "--message-format",
                "short",
                "--",
                "-D",
                "warnings",
            ])
            .output()
            .expect("run cargo clippy");
        if !output.status.success() {
            return Err(format!(
                "with features {features}:\n{}",
                String::from_utf8_lossy(&output.stderr)
            ));
        }
    }
    Ok(())
}

#[test]
fn generated_crates_pass_clippy() {
    let workspace = tempfile::Builder::new()
        .prefix("any-spec-workspace-")
        .tempdir()
        .expect("tempdir");
    let root = workspace.path();
    for (name, fixture) in VALID {
        telephony_codegen::run(&request(name, fixture), &root.join(name), Mode::Write)
            .unwrap_or_else(|e| panic!("{fixture}: generation failed:\n{e}"));
    }
    let members: Vec<String> = VALID.iter().map(|(n, _)| format!("{n:?}")).collect();
    std::fs::write(
        root.join("Cargo.toml"),
        format!(
            "[workspace]\nresolver = \"2\"\nmembers = [{}]\n",
            members.join(", ")
        ),
    )
    .expect("workspace manifest");
    std::fs::copy(repo_root().join("Cargo.lock"), root.join("Cargo.lock")).expect("Cargo.lock");
    if let Err(e) = clippy(root) {
        panic!("the generated crates do not pass clippy:\n{e}");
    }
}

// ---------------------------------------------------------------------------------------------
// Strictness from the command line and codegen.toml; staleness of every input file
// ---------------------------------------------------------------------------------------------

fn cli(args: &[&str]) -> std::process::Output {
    Command::new(telephony_tests::codegen_binary())
        .args(args)
        .current_dir(repo_root())
        .output()
        .expect("run telephony-codegen")
}

#[test]
fn cli_prints_warnings_and_strict_refuses() {
    let out = tempfile::tempdir().expect("tempdir");
    let out_dir = out.path().join("sloppy");
    let out_arg = out_dir.to_str().expect("UTF-8 path");
    let spec = "tests/fixtures/any_spec/sloppy.yaml";
    let lenient = cli(&[spec, "--all", "--out", out_arg]);
    let stderr = String::from_utf8_lossy(&lenient.stderr);
    assert!(lenient.status.success(), "{stderr}");
    assert_eq!(
        stderr
            .matches("warning: tests/fixtures/any_spec/sloppy.yaml: #/")
            .count(),
        3,
        "{stderr}"
    );
    // The module is named after the spec's title, "Conference rooms".
    assert!(out_dir.join("src/conference_rooms/mod.rs").exists());

    let strict_dir = out.path().join("strict");
    let strict = cli(&[
        spec,
        "--all",
        "--strict",
        "--out",
        strict_dir.to_str().expect("UTF-8"),
    ]);
    let stderr = String::from_utf8_lossy(&strict.stderr);
    assert_eq!(strict.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.starts_with("error: tests/fixtures/any_spec/sloppy.yaml: #/paths/"),
        "{stderr}"
    );
    assert!(stderr.contains("\n  hint: "), "{stderr}");
    assert!(!strict_dir.exists(), "a refused run writes nothing");
}

#[test]
fn codegen_toml_strict_switch() {
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = repo_root().join("tests/fixtures/any_spec/sloppy.yaml");
    let config_text = |strict: &str| {
        format!(
            "[crate]\nname = \"sloppy\"\nversion = \"0.1.0\"\noutput = \"out\"\n{strict}\n[[module]]\nname = \"api\"\nspec = {:?}\noperations = [\"*\"]\n",
            spec.to_str().expect("UTF-8 path")
        )
    };
    let path = dir.path().join("codegen.toml");
    for (line, strict) in [("", false), ("strict = true", true)] {
        std::fs::write(&path, config_text(line)).expect("config writes");
        let config = telephony_codegen::config::Config::load(&path).expect("config loads");
        let request = telephony_codegen::request_from_config(&config, dir.path());
        assert_eq!(request.strict, strict);
        let result = telephony_codegen::run(&request, &dir.path().join("out"), Mode::Check);
        match (strict, result) {
            (false, Ok(report)) => assert_eq!(report.warnings.len(), 3),
            (true, Err(Error::Spec(e))) => assert!(e.hint.is_some(), "{e}"),
            (_, other) => panic!("strict = {strict}: {other:?}"),
        }
    }
}

#[test]
fn a_change_to_any_input_file_makes_the_output_stale() {
    let dir = tempfile::tempdir().expect("tempdir");
    let specs = dir.path().join("specs");
    std::fs::create_dir_all(specs.join("common")).expect("mkdir");
    for file in ["main.yaml", "common/messages.yaml", "common/people.yaml"] {
        std::fs::copy(
            repo_root().join("tests/fixtures/multi_file").join(file),
            specs.join(file),
        )
        .expect("fixture copies");
    }
    let request = CrateRequest::new(
        "voicemail",
        "0.1.0",
        vec![ModuleRequest::all(
            "api",
            specs.join("main.yaml"),
            "specs/main.yaml",
        )],
    );
    let out = dir.path().join("out");
    telephony_codegen::run(&request, &out, Mode::Write).expect("writes");
    let fresh = telephony_codegen::run(&request, &out, Mode::Check).expect("checks");
    assert!(fresh.changes.is_empty(), "{:?}", fresh.changes);
    // A comment in a file two `$ref`s away: no type changes, but the output is stale.
    let people = specs.join("common/people.yaml");
    let mut text = std::fs::read_to_string(&people).expect("reads");
    text.push_str("# edited\n");
    std::fs::write(&people, text).expect("writes");
    let stale = telephony_codegen::run(&request, &out, Mode::Check).expect("checks");
    assert!(
        !stale.changes.is_empty(),
        "an edited input file must make the output stale"
    );
    let header = std::fs::read_to_string(out.join("src/api/mod.rs")).expect("reads");
    assert!(header.contains(" specs/common/people.yaml\n"), "{header}");
}

// ---------------------------------------------------------------------------------------------
// Request bodies on the wire
// ---------------------------------------------------------------------------------------------

/// A test crate beside the generated `bodies` crate: each call goes to a loopback server that
/// records the request and answers 200 with `{}`; the test compares the bytes sent.
const BODIES_WIRE_TEST: &str = r#"
use any_spec_bodies::{api, ClientConfig, Credentials, FilePart};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Serves one request; returns its head (request line and headers) and body.
async fn one_request(listener: tokio::net::TcpListener) -> (String, Vec<u8>) {
    let (mut socket, _) = listener.accept().await.expect("accept");
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    let (head, body_start) = loop {
        let n = socket.read(&mut buf).await.expect("read");
        assert!(n > 0, "connection closed early");
        data.extend_from_slice(&buf[..n]);
        if let Some(i) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break (String::from_utf8_lossy(&data[..i]).into_owned(), i + 4);
        }
    };
    let length: usize = head
        .lines()
        .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_string()))
        .map(|v| v.parse().expect("length"))
        .unwrap_or(0);
    while data.len() < body_start + length {
        let n = socket.read(&mut buf).await.expect("read");
        assert!(n > 0, "connection closed early");
        data.extend_from_slice(&buf[..n]);
    }
    socket
        .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}")
        .await
        .expect("write");
    (head, data[body_start..body_start + length].to_vec())
}

async fn client() -> (api::Client, tokio::task::JoinHandle<(String, Vec<u8>)>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let server = tokio::spawn(one_request(listener));
    let config = ClientConfig::new(url, Credentials::basic("user", "secret"));
    (api::Client::with_config(config).expect("client"), server)
}

fn header<'a>(head: &'a str, name: &str) -> &'a str {
    head.lines()
        .find_map(|l| l.split_once(':').filter(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.trim()))
        .unwrap_or_else(|| panic!("no {name} header in {head}"))
}

#[tokio::test]
async fn text_body() {
    let (client, server) = client().await;
    client.replace_transcript("TR1", "Hello, caller.\n").await.expect("call");
    let (head, body) = server.await.expect("server");
    assert!(head.starts_with("PUT /transcripts/TR1 HTTP/1.1"), "{head}");
    assert_eq!(header(&head, "content-type"), "text/plain; charset=utf-8");
    assert_eq!(body, b"Hello, caller.\n");
}

#[tokio::test]
async fn octet_stream_body() {
    let (client, server) = client().await;
    let audio = [0u8, 1, 2, 255, b'\r', b'\n'];
    client.upload_audio("RE1", &audio).await.expect("call");
    let (head, body) = server.await.expect("server");
    assert_eq!(header(&head, "content-type"), "application/octet-stream");
    assert_eq!(body, audio);
}

#[tokio::test]
async fn multipart_body() {
    let (client, server) = client().await;
    let greeting = api::CreateGreetingRequest {
        name: "Front \"desk\"".into(),
        language: None,
        r#loop: Some(2),
        audio: FilePart::new(vec![0u8, 159, 146, 150], "hello.wav", "audio/wav"),
        transcript: None,
    };
    client.create_greeting(&greeting).await.expect("call");
    let (head, body) = server.await.expect("server");
    let boundary = "telephony-client-boundary-00000000";
    assert_eq!(header(&head, "content-type"), format!("multipart/form-data; boundary={boundary}"));
    let mut expected = Vec::new();
    expected.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"Name\"\r\n\r\nFront \"desk\"\r\n").as_bytes());
    expected.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"Loop\"\r\n\r\n2\r\n").as_bytes());
    expected.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"Audio\"; filename=\"hello.wav\"\r\nContent-Type: audio/wav\r\n\r\n").as_bytes());
    expected.extend_from_slice(&[0u8, 159, 146, 150]);
    expected.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    assert_eq!(String::from_utf8_lossy(&body), String::from_utf8_lossy(&expected));
    assert_eq!(body, expected);
}

#[tokio::test]
async fn multipart_boundary_avoids_the_content() {
    let (client, server) = client().await;
    let greeting = api::CreateGreetingRequest {
        name: "telephony-client-boundary-00000000".into(),
        language: None,
        r#loop: None,
        audio: FilePart::new(b"x".to_vec(), "a\"b.wav", ""),
        transcript: None,
    };
    client.create_greeting(&greeting).await.expect("call");
    let (head, body) = server.await.expect("server");
    assert!(header(&head, "content-type").ends_with("boundary=telephony-client-boundary-00000001"), "{head}");
    let text = String::from_utf8_lossy(&body);
    assert!(text.contains("filename=\"a%22b.wav\"\r\nContent-Type: application/octet-stream\r\n"), "{text}");
}
"#;

#[test]
fn request_bodies_go_on_the_wire_exactly() {
    let workspace = tempfile::Builder::new()
        .prefix("any-spec-bodies-")
        .tempdir()
        .expect("tempdir");
    let root = workspace.path();
    telephony_codegen::run(
        &request("bodies", "any_spec/bodies.yaml"),
        &root.join("bodies"),
        Mode::Write,
    )
    .expect("bodies generates");
    std::fs::create_dir_all(root.join("wire/tests")).expect("mkdir");
    std::fs::create_dir_all(root.join("wire/src")).expect("mkdir");
    std::fs::write(
        root.join("wire/Cargo.toml"),
        "[package]\nname = \"wire\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n[dependencies]\nany-spec-bodies = { path = \"../bodies\" }\ntokio = { version = \"1\", features = [\"macros\", \"rt-multi-thread\", \"net\", \"io-util\"] }\n",
    )
    .expect("manifest");
    std::fs::write(root.join("wire/src/lib.rs"), "//! Only the tests.\n").expect("lib");
    std::fs::write(root.join("wire/tests/wire.rs"), BODIES_WIRE_TEST).expect("test");
    std::fs::write(
        root.join("Cargo.toml"),
        "[workspace]\nresolver = \"2\"\nmembers = [\"bodies\", \"wire\"]\n",
    )
    .expect("workspace manifest");
    std::fs::copy(repo_root().join("Cargo.lock"), root.join("Cargo.lock")).expect("Cargo.lock");
    let output = telephony_tests::cargo_in_shared_target(root)
        .args(["test", "-p", "wire", "--", "--test-threads=1"])
        .output()
        .expect("run cargo test");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("test result: ok. 4 passed"), "{stdout}");
}
