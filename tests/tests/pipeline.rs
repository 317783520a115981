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
        trial!(&[], type_names_are_short_and_survive_added_schemas),
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
        let mut text = String::new();
        for (path, tokens) in telephony_codegen::emit::module_tokens(&api, &features) {
            let file =
                telephony_codegen::format::rust_file(tokens, &[&api], &path).expect("formats");
            text.push_str(&format!("// ===== {path}\n{file}\n"));
        }
        snapshot(&format!("pipeline__emitted_{module}"), &text);
    }
}

/// `format_file` formats a module file's type definitions on several threads; the result must
/// be exactly what formatting the whole file in one piece gives.
fn threaded_formatting_equals_whole_module_formatting() {
    for name in ["features.yaml", "signalwire_json_body.yaml"] {
        let (source, bytes) = fixture(name);
        let api =
            telephony_codegen::api_from_text(&source, &bytes, &Selection::All).expect("lowers");
        let features = telephony_codegen::emit::features::module_features(&api, "module");
        let wholes = telephony_codegen::emit::module_tokens(&api, &features);
        let files = telephony_codegen::emit::module_files(&api, &features, "");
        assert_eq!(wholes.len(), files.len(), "{name}");
        for ((path, tokens), file) in wholes.into_iter().zip(&files) {
            let whole =
                telephony_codegen::format::rust_file(tokens, &[&api], &path).expect("formats");
            let threaded = telephony_codegen::format::format_file(file)
                .expect("formats")
                .contents;
            assert_eq!(threaded, whole, "{name}: {path}");
        }
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
        let module = telephony_codegen::ModuleRequest::all("api", root.join(&source), &source);
        let request = telephony_codegen::CrateRequest::new(krate, "0.1.0", vec![module]);
        telephony_codegen::run(&request, &work.join(krate), telephony_codegen::Mode::Write)
            .expect("generates");
        members.push(format!("{krate:?}"));
    }
    members.push(format!("{:?}", trait_names_crate(&work)));
    std::fs::write(
        work.join("Cargo.toml"),
        format!(
            "[workspace]\nresolver = \"2\"\nmembers = [{}]\n",
            members.join(", ")
        ),
    )
    .expect("workspace manifest");
    let status = telephony_tests::cargo_in_shared_target(&work)
        .args(["clippy", "--quiet", "--all-targets", "--", "-D", "warnings"])
        .status()
        .expect("cargo runs");
    assert!(
        status.success(),
        "fixture crates must build without warnings"
    );
}

/// `tests/fixtures/specs/trait_names.yaml` generated by the command line, with a test program
/// of our own beside it (the generator keeps files it did not write): operations named `clone`,
/// `Default` and `Fmt` become `clone_`, `default_` and `fmt_`, so `client.clone()` is still
/// `Clone::clone`. Built by [`fixture_crates_compile`]'s clippy run: if an operation shadowed
/// `clone`, `let copy: Client = client.clone()` would not compile. Returns the crate's name.
fn trait_names_crate(work: &std::path::Path) -> &'static str {
    let krate = "trait-names-client";
    let dir = work.join(krate);
    let spec = repo_root().join("tests/fixtures/specs/trait_names.yaml");
    let output = std::process::Command::new(telephony_tests::codegen_binary())
        .arg(&spec)
        .args(["--all", "--crate-name", krate, "--module", "api", "--out"])
        .arg(&dir)
        .output()
        .expect("telephony-codegen runs");
    assert!(
        output.status.success(),
        "telephony-codegen failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // The module's files in one text: the operations live in the resources' files.
    let mut api = String::new();
    for entry in std::fs::read_dir(dir.join("src/api")).expect("src/api/") {
        api.push_str(&std::fs::read_to_string(entry.expect("entry").path()).expect("reads"));
    }
    for method in [
        "pub fn clone_(",
        "pub fn default_(",
        "pub fn fmt_(",
        "pub fn fmt_stream(",
    ] {
        assert!(api.contains(method), "{method} missing");
    }
    for shadowing in ["pub fn clone(", "pub fn default(", "pub fn fmt("] {
        assert!(
            !api.contains(shadowing),
            "{shadowing} shadows a trait method"
        );
    }
    std::fs::create_dir_all(dir.join("tests")).expect("tests dir");
    std::fs::write(dir.join("tests/trait_names.rs"), TRAIT_NAMES_PROGRAM).expect("test program");
    krate
}

/// Compiled (not run) by clippy `--all-targets`: the types prove what each call returns.
const TRAIT_NAMES_PROGRAM: &str = r#"//! Written by telephony-tests (pipeline.rs): operations named after trait methods.
use trait_names_client::{api::Client, Credentials};

// `cfg_attr`: this file's own target runs without libtest, and must show no test attribute.
#[cfg_attr(test, test)]
fn clone_copies_the_client_and_the_operations_keep_their_names() {
    let client = Client::new(Credentials::basic("AC1", "token")).expect("a client");
    let copy: Client = client.clone();
    assert_eq!(copy.base_url(), client.base_url());
    let _copy_template = client.clone_("TP1");
    let _default_template = client.default_();
    let _page = client.fmt_();
    let _templates = client.fmt_stream();
    assert_eq!(format!("{copy:?}"), format!("{client:?}"));
}
"#;

/// `tests/fixtures/specs/namespaced.yaml`, edited by `edit`, lowered with the namespace
/// `acme.v1.account`: each type's name by where it comes from.
fn namespaced_type_names(
    edit: impl FnOnce(&mut serde_yaml::Value),
) -> Result<std::collections::BTreeMap<String, String>, String> {
    let text = std::fs::read_to_string(repo_root().join("tests/fixtures/specs/namespaced.yaml"))
        .expect("fixture reads");
    let mut spec: serde_yaml::Value = serde_yaml::from_str(&text).expect("YAML");
    edit(&mut spec);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("namespaced.yaml");
    std::fs::write(&path, serde_yaml::to_string(&spec).expect("YAML")).expect("spec writes");
    let module = telephony_codegen::ModuleRequest {
        schema_namespace: Some("acme.v1.account".into()),
        ..telephony_codegen::ModuleRequest::all("rooms", path, "namespaced.yaml")
    };
    let api = telephony_codegen::module_api(&module).map_err(|e| e.to_string())?;
    // A merged enum keeps its name as an alias of the type it was merged into.
    Ok(api
        .types
        .into_iter()
        .map(|t| (t.origin, t.name))
        .chain(api.aliases.into_iter().map(|a| (a.origin, a.name)))
        .collect())
}

fn yaml(text: &str) -> serde_yaml::Value {
    serde_yaml::from_str(text).expect("YAML")
}

/// Type names leave the namespace out and collapse repeated segments, and they are stable:
/// schemas and operations added to the spec (in the namespace, beside it, under an existing
/// parent, and an enum identical to an existing one but with a shorter name) take no existing
/// type name away. A schema whose short name would be an existing
/// type's is an error naming both schemas, never a renumbering.
fn type_names_are_short_and_survive_added_schemas() {
    let before = namespaced_type_names(|_| {}).expect("the fixture lowers");
    let mut names: Vec<&str> = before.values().map(String::as_str).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "Account",
            "CreateRoomMemberRequest",
            "Room",
            "RoomEnumMood",
            "RoomMember",
            "RoomMemberBadge",
            "RoomMemberBadgeKind",
        ],
        "{before:#?}"
    );
    let after = namespaced_type_names(|spec| {
        let schemas = &mut spec["components"]["schemas"];
        for (name, schema) in [
            (
                "acme.v1.account.room.room_recording",
                "{type: object, properties: {duration: {type: integer}, mood: {$ref: '#/components/schemas/room_enum_mood'}}}",
            ),
            (
                "acme.v1.account.lobby",
                "{type: object, properties: {room: {$ref: '#/components/schemas/acme.v1.account.room'}, member: {$ref: '#/components/schemas/acme.v1.account.room.room_member'}}}",
            ),
            ("acme.v2.account.room", "{type: object, properties: {sid: {type: string}}}"),
            ("room_member_badge_enum_kind", "{type: string, enum: [host, guest, staff]}"),
            // The same values as `RoomMemberBadgeKind`, and a shorter name: the merged enum
            // is called `BadgeKind`, and `RoomMemberBadgeKind` stays as its alias.
            ("badge_kind", "{type: string, enum: [host, guest]}"),
        ] {
            schemas[name] = yaml(schema);
        }
        spec["paths"]["/v1/Lobby.json"] = yaml(
            "{get: {operationId: FetchLobby, responses: {'200': {description: ok, content: {application/json: {schema: {type: object, properties: {lobby: {$ref: '#/components/schemas/acme.v1.account.lobby'}, recording: {$ref: '#/components/schemas/acme.v1.account.room.room_recording'}, old_room: {$ref: '#/components/schemas/acme.v2.account.room'}, kind: {$ref: '#/components/schemas/room_member_badge_enum_kind'}, badge: {$ref: '#/components/schemas/badge_kind'}}}}}}}}}",
        );
    })
    .expect("the edited fixture lowers");
    for (origin, name) in &before {
        assert_eq!(
            after.get(origin),
            Some(name),
            "{origin} was `{name}` before schemas were added: {after:#?}"
        );
    }
    assert!(after.len() > before.len() + 3, "{after:#?}");
    let added: Vec<&str> = after
        .iter()
        .filter(|(origin, _)| !before.contains_key(*origin))
        .map(|(_, name)| name.as_str())
        .collect();
    for name in ["Lobby", "RoomRecording", "AcmeV2AccountRoom", "BadgeKind"] {
        assert!(added.contains(&name), "{name} missing: {added:?}");
    }

    // Shortened to an existing type's name: an error naming both schemas and the setting.
    let e = namespaced_type_names(|spec| {
        spec["components"]["schemas"]["acme.v1.account.room_member"] =
            yaml("{type: object, properties: {sid: {type: string}}}");
    })
    .expect_err("two schemas cannot share `RoomMember`");
    for piece in [
        "acme.v1.account.room.room_member",
        "acme.v1.account.room_member",
        "`RoomMember`",
        "schema_namespace",
    ] {
        assert!(e.contains(piece), "`{piece}` missing: {e}");
    }
}
