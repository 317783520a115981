//! The complete upstream specs in `../shared/specs`, with every operation.
//!
//! * Both generate into one cargo workspace (two member crates, through
//!   `telephony_codegen::run`) that passes `cargo clippy --all-targets -- -D warnings`.
//! * Every example in both specs (response, request-body and parameter examples, and the
//!   `example`/`examples` of every schema the generator gives a type) decodes into the Rust type
//!   the generator chose for it, taken from the generator's IR. The few upstream examples that
//!   contradict their own schema are listed in [`ALLOWED_FAILURES`] with the reason for each;
//!   each of those is asserted to still fail with that error, so the list cannot go stale.
//!   Form-body and parameter examples are wire text and are read as a server reads them
//!   ([`wire_reading`]: `"true"` is a boolean, one value of an array field is an array of one).
//! * Arrays in forms and queries go out as repeated keys, and parameter names that collide
//!   after casing (`DateCreated`, `DateCreated<`, `DateCreated>`) stay distinct in Rust while
//!   keeping their exact wire names: checked in the generated source and IR, and by real
//!   requests from both full-spec clients to a loopback server ([`wire_tests`]).
//!
//! Each test needs both specs (and the clippy test `cargo clippy`): without them it is reported
//! as ignored with the reason; with `CI=true` it fails naming what is missing (see `main`).
//! The workspace and its target directory live under `target/full-specs-check/`, so a second
//! run only rebuilds what changed.

use serde_json::Value as Json;
use serde_yaml::Value as Yaml;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Instant;
use telephony_codegen::ir::{
    Api, BodyEncoding, Field, HttpMethod, ParamLocation, ResponseShape, StatusMatch, StructRole,
    TypeDef, TypeId, TypeKind, TypeRef,
};
use telephony_codegen::{CrateRequest, GeneratedFile, Mode, ModuleRequest};
use telephony_tests::Need::{Clippy, SharedSpec};
use telephony_tests::{repo_root, shared_spec, trial, Need};

/// What every test here needs: both upstream specs.
const SPECS: [Need; 2] = [
    SharedSpec("twilio_api_v2010.yaml"),
    SharedSpec("signalwire_compatibility.yaml"),
];

fn main() -> std::process::ExitCode {
    telephony_tests::run(vec![
        trial!(&SPECS, every_operation_of_both_specs_is_generated),
        trial!(
            &SPECS,
            array_form_fields_and_query_parameters_repeat_their_keys
        ),
        trial!(&SPECS, names_that_collide_after_casing_stay_distinct),
        trial!(
            &SPECS,
            no_doc_tells_callers_to_encode_what_the_client_encodes
        ),
        trial!(&SPECS, type_names_are_short_and_every_type_has_a_summary),
        trial!(
            &[SPECS[0], SPECS[1], Clippy],
            full_specs_pass_clippy_and_every_example_decodes
        ),
    ])
}

/// One upstream spec and the crate it becomes.
struct Upstream {
    file: &'static str,
    /// The package name of the generated crate.
    krate: &'static str,
    /// What its schema names start with and type names leave out.
    schema_namespace: Option<&'static str>,
}

const UPSTREAM: [Upstream; 2] = [
    Upstream {
        file: "twilio_api_v2010.yaml",
        krate: "twilio-full",
        schema_namespace: Some("api.v2010.account"),
    },
    Upstream {
        file: "signalwire_compatibility.yaml",
        krate: "signalwire-full",
        schema_namespace: None,
    },
];

/// The module every generated crate here puts its client in.
const MODULE: &str = "api";

/// Upstream examples that do not fit their own schema. Each entry: the spec file, the JSON
/// pointer of the example value, a substring of the serde error it must still fail with, and
/// why. Anything not listed here must decode, and each entry is asserted to still fail.
///
/// Empty since numbers decode from strings too: Twilio's `price`, `latitude` and `longitude`
/// are `type: number` but its examples (like the live API) send `"-0.0025"`, which once failed.
const ALLOWED_FAILURES: &[(&str, &str, &str, &str)] = &[];

/// A spec that has been generated in memory.
struct Generated {
    upstream: &'static Upstream,
    path: PathBuf,
    api: Api,
    /// The crate's files, as `telephony_codegen::generate` makes them.
    files: Vec<GeneratedFile>,
    /// The module's files in one text.
    module: String,
    /// Per type: only webhooks use it, so it is in the module's `webhooks` submodule.
    webhook_only: Vec<bool>,
}

impl Generated {
    fn module_source(&self) -> &str {
        &self.module
    }

    fn type_def(&self, id: TypeId) -> &TypeDef {
        self.api.type_def(id)
    }

    /// The fields of an operation's query and header parameters.
    fn params(&self, op: &telephony_codegen::ir::Operation) -> &[Field] {
        match op.params.map(|id| &self.type_def(id).kind) {
            Some(TypeKind::Struct(s)) => &s.fields,
            _ => &[],
        }
    }
}

fn request(upstream: &Upstream, path: &Path) -> CrateRequest {
    CrateRequest::new(
        upstream.krate,
        "0.1.0",
        vec![ModuleRequest {
            schema_namespace: upstream.schema_namespace.map(str::to_string),
            ..ModuleRequest::all(
                MODULE,
                path.to_path_buf(),
                &format!("shared/specs/{}", upstream.file),
            )
        }],
    )
}

/// Both specs generated once per test binary.
fn generated() -> &'static [Generated] {
    static GENERATED: OnceLock<Vec<Generated>> = OnceLock::new();
    GENERATED.get_or_init(|| {
        let mut all = Vec::new();
        for upstream in &UPSTREAM {
            let path = shared_spec(upstream.file);
            let request = request(upstream, &path);
            let api = telephony_codegen::module_api(&request.modules[0])
                .unwrap_or_else(|e| panic!("{} does not lower: {e}", upstream.file));
            let files = telephony_codegen::generate(&request)
                .unwrap_or_else(|e| panic!("{} does not generate: {e}", upstream.file));
            let webhook_only =
                telephony_codegen::emit::features::module_features(&api, MODULE).webhook_only;
            let module = telephony_tests::module_text(&files, MODULE)
                .unwrap_or_else(|| panic!("{} has no module {MODULE}", upstream.krate));
            all.push(Generated {
                upstream,
                path,
                api,
                files,
                module,
                webhook_only,
            });
        }
        all
    })
}

/// `text` without whitespace or trailing commas, so that searches do not depend on how
/// prettyplease breaks lines.
fn compact(text: &str) -> String {
    let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    text.replace(",)", ")").replace(",]", "]")
}

// ---------------------------------------------------------------------------------------------
// Documentation
// ---------------------------------------------------------------------------------------------

/// Twilio documents its participant label as "must be percent encoded"; the client encodes
/// path, query and form values itself, so a caller who followed that would send `%2520`. No
/// doc line of either full client asks for encoding, and every operation with path
/// parameters says that the client encodes them.
fn no_doc_tells_callers_to_encode_what_the_client_encodes() {
    let note = "Pass each value as is: the client percent-encodes it as one path segment.";
    for g in generated() {
        let source = g.module_source();
        let mut notes = 0;
        for line in source.lines().map(str::trim_start) {
            let Some(doc) = line.strip_prefix("///") else {
                continue;
            };
            notes += usize::from(doc.trim() == note);
            let doc = doc.to_ascii_lowercase().replace('-', " ");
            let mentions = ["percent encod", "url encod", "urlencod"]
                .iter()
                .any(|w| doc.contains(w));
            let asks = ["must", "be sure", "should"]
                .iter()
                .any(|w| doc.contains(w));
            assert!(
                !(mentions && asks),
                "{}: a doc line asks callers to encode:\n{line}",
                g.upstream.file
            );
        }
        let with_path_params = g
            .api
            .operations
            .iter()
            .filter(|op| op.argument_params().next().is_some())
            .count();
        // A list operation documents its path parameters on its page and stream methods.
        assert!(
            notes >= with_path_params && with_path_params > 0,
            "{}: {notes} notes for {with_path_params} operations with path parameters",
            g.upstream.file
        );
    }
    let label = "/// * `call_sid` (`CallSid`): The [Call](https://www.twilio.com/docs/voice/api/call-resource) SID or label of the participant to fetch.";
    assert!(
        generated()[0]
            .module_source()
            .lines()
            .any(|l| l.trim() == label),
        "the participant's label doc keeps its first sentence only"
    );
}

/// Twilio's schema names repeat their namespace and their parents
/// (`api.v2010.account.incoming_phone_number.incoming_phone_number_assigned_add_on…`, which
/// made a 107-character type name); with `schema_namespace = "api.v2010.account"` and
/// repeated segments collapsed, every type name is short. Every public struct and enum has a
/// summary line of its own: the first doc line is never the bare `Spec:` pointer.
fn type_names_are_short_and_every_type_has_a_summary() {
    // Half of the 107 characters of the full schema names. The longest left are an inline
    // type inside a schema (`AvailablePhoneNumberCountryMachineToMachineCapabilities`, 55)
    // and operationIds with a suffix (`CreateSipAuthRegistrationsCredentialListMappingRequest`).
    const LONGEST_ALLOWED: usize = 56;
    for g in generated() {
        let longest = g
            .api
            .types
            .iter()
            .map(|t| t.name.as_str())
            .max_by_key(|n| (n.len(), *n))
            .expect("types");
        eprintln!(
            "{}: {} types, the longest name is {longest} ({} characters)",
            g.upstream.file,
            g.api.types.len(),
            longest.len()
        );
        assert!(
            longest.len() <= LONGEST_ALLOWED,
            "{}: {longest} is longer than {LONGEST_ALLOWED} characters",
            g.upstream.file
        );
        let source = g.module_source();
        let lines: Vec<&str> = source.lines().collect();
        let mut items = 0;
        for (i, line) in lines.iter().enumerate() {
            let Some(name) = line
                .strip_prefix("pub struct ")
                .or_else(|| line.strip_prefix("pub enum "))
            else {
                continue;
            };
            items += 1;
            // The doc block above the item, attributes (some span lines) skipped.
            let docs: Vec<&str> = lines[..i]
                .iter()
                .rev()
                .skip_while(|l| !l.starts_with("///") && !l.is_empty() && !l.starts_with('}'))
                .take_while(|l| l.starts_with("///"))
                .copied()
                .collect();
            let first = docs.last().map(|l| l.trim_start_matches('/').trim());
            assert!(
                first.is_some_and(|f| !f.is_empty() && !f.starts_with("Spec:")),
                "{}: `{name}` has no summary line: {first:?}",
                g.upstream.file
            );
        }
        assert!(items > 100, "{}: only {items} items found", g.upstream.file);
    }
}

// ---------------------------------------------------------------------------------------------
// Wire names
// ---------------------------------------------------------------------------------------------

fn every_operation_of_both_specs_is_generated() {
    let specs = generated();
    for g in specs {
        let text = std::fs::read_to_string(&g.path).expect("spec reads");
        let doc: Yaml = serde_yaml::from_str(&text).expect("spec is YAML");
        let in_spec = operations_in(&doc).len();
        assert_eq!(
            g.api.operations.len(),
            in_spec,
            "{}: the IR has a different number of operations than the spec",
            g.upstream.file
        );
        let source = compact(g.module_source());
        for op in &g.api.operations {
            let method = format!("pubfn{}(", op.method_name);
            assert!(
                source.contains(&method),
                "{}: no client method for {}",
                g.upstream.file,
                op.id
            );
        }
        eprintln!(
            "{}: {} operations, {} types, {} lines in src/{MODULE}/",
            g.upstream.file,
            g.api.operations.len(),
            g.api.types.len(),
            g.module_source().lines().count()
        );
    }
}

fn array_form_fields_and_query_parameters_repeat_their_keys() {
    let specs = generated();
    // The runtime turns a Vec into one pair per element with the same key.
    let mut pairs = Vec::new();
    telephony_client::WireValue::push_to(
        &Some(vec!["initiated".to_string(), "ringing".to_string()]),
        "StatusCallbackEvent",
        &mut pairs,
    );
    assert_eq!(
        telephony_client::encode_form(&pairs),
        "StatusCallbackEvent=initiated&StatusCallbackEvent=ringing"
    );
    let mut arrays = 0;
    for g in specs {
        // The runtime depends on no spec: the full crate's is the checked-in one, byte for byte.
        let runtime: Vec<_> = g
            .files
            .iter()
            .filter(|f| f.path.starts_with("runtime/src/"))
            .collect();
        assert!(runtime.len() >= 10, "{}: a runtime", g.upstream.file);
        for file in runtime {
            let checked_in =
                std::fs::read_to_string(repo_root().join("generated").join(&file.path))
                    .unwrap_or_else(|e| panic!("generated/{} reads: {e}", file.path));
            assert_eq!(
                file.contents, checked_in,
                "{}: the full crate's {} differs from generated/{}",
                g.upstream.file, file.path, file.path
            );
        }
        let source = compact(g.module_source());
        for def in &g.api.types {
            let TypeKind::Struct(s) = &def.kind else {
                continue;
            };
            for f in s.fields.iter().filter(|f| matches!(f.ty, TypeRef::List(_))) {
                let wire = serde_json::to_string(&f.wire_name).expect("a string");
                let sent = if s.role == StructRole::Form {
                    assert!(
                        pushes_with_wire_value(&source, &f.rust_name, &wire),
                        "{}: {}.{} is an array but is not sent with WireValue::push_to",
                        g.upstream.file,
                        def.name,
                        f.wire_name
                    );
                    arrays += 1;
                    continue;
                } else if s.role == StructRole::Params {
                    let how = match f.location {
                        Some(ParamLocation::Header) => "header",
                        _ => "query",
                    };
                    format!("request.{how}({wire},&self.{});", f.rust_name)
                } else {
                    continue;
                };
                assert!(
                    source.contains(&sent),
                    "{}: {}.{} is an array but is not sent with WireValue: expected `{sent}`",
                    g.upstream.file,
                    def.name,
                    f.wire_name
                );
                arrays += 1;
            }
        }
    }
    assert!(
        arrays >= 5,
        "expected several array form fields, found {arrays}"
    );

    // Twilio's CreateCall: `StatusCallbackEvent` is a Vec, pushed with WireValue.
    let twilio = &specs[0];
    let create_call = twilio
        .api
        .operations
        .iter()
        .find(|o| o.id == "CreateCall")
        .expect("CreateCall");
    let body_type = match &create_call.body {
        Some(b) if b.encoding == BodyEncoding::Form => match &b.ty {
            TypeRef::Named(id) => *id,
            other => panic!("CreateCall's form body is {other:?}"),
        },
        other => panic!("CreateCall has no form body: {other:?}"),
    };
    let TypeKind::Struct(s) = &twilio.type_def(body_type).kind else {
        panic!("{} is not a struct", twilio.type_def(body_type).name);
    };
    let field = s
        .fields
        .iter()
        .find(|f| f.wire_name == "StatusCallbackEvent")
        .expect("CreateCall has StatusCallbackEvent");
    assert!(
        matches!(field.ty, TypeRef::List(_)),
        "StatusCallbackEvent is {:?}",
        field.ty
    );
    let source = compact(twilio.module_source());
    let declared = format!("pub{}:Option<Vec<", field.rust_name);
    // Decoded under its wire name. A form-only body has no `Serialize` (`form_pairs` is its
    // one encoder).
    assert!(source.contains(&format!(
        "{}:fields.optional(\"StatusCallbackEvent\")",
        field.rust_name
    )));
    assert!(
        source.contains(&declared),
        "the field is not declared as `{declared}`"
    );
    assert!(
        pushes_with_wire_value(&source, &field.rust_name, "\"StatusCallbackEvent\""),
        "CreateCall's StatusCallbackEvent is not sent with WireValue::push_to"
    );
}

/// Whether compacted generated source sends field `rust` under the quoted wire name `wire`
/// with `WireValue::push_to`, in either spelling the emitter has used.
fn pushes_with_wire_value(source: &str, rust: &str, wire: &str) -> bool {
    let qualified = format!("crate::runtime::WireValue::push_to(&self.{rust},{wire},&mutpairs);");
    let method = format!("self.{rust}.push_to({wire},&mutpairs);");
    source.contains(&qualified)
        || (source.contains(&method)
            && (source.contains("usecrate::runtime::WireValueas_;")
                || source.contains("usecrate::runtime::WireValue;")))
}

fn names_that_collide_after_casing_stay_distinct() {
    let specs = generated();
    let family = ["DateCreated", "DateCreated<", "DateCreated>"];
    for g in specs {
        let source = compact(g.module_source());
        let mut operations = Vec::new();
        for op in &g.api.operations {
            let params: Vec<_> = g
                .params(op)
                .iter()
                .filter(|p| family.contains(&p.wire_name.as_str()))
                .collect();
            if params.len() < 2 {
                continue;
            }
            let rust: BTreeSet<&str> = params.iter().map(|p| p.rust_name.as_str()).collect();
            assert_eq!(
                rust.len(),
                params.len(),
                "{}: {} gives {:?} the same Rust name",
                g.upstream.file,
                op.id,
                params.iter().map(|p| &p.wire_name).collect::<Vec<_>>()
            );
            for p in params {
                let sent = format!(
                    "request.query({},&self.{});",
                    serde_json::to_string(&p.wire_name).expect("a string"),
                    p.rust_name
                );
                assert!(
                    source.contains(&sent),
                    "{}: {} does not send `{}` as `{sent}`",
                    g.upstream.file,
                    op.id,
                    p.wire_name
                );
            }
            operations.push(op.id.as_str());
        }
        assert!(
            operations.len() >= 4,
            "{}: expected several list operations with DateCreated</>, found {operations:?}",
            g.upstream.file
        );
        // Every struct's fields have unique Rust names, whatever their wire names.
        for def in &g.api.types {
            if let TypeKind::Struct(s) = &def.kind {
                let names: BTreeSet<&str> = s
                    .fields
                    .iter()
                    .map(|f| f.rust_name.trim_start_matches("r#"))
                    .collect();
                assert_eq!(
                    names.len(),
                    s.fields.len(),
                    "{}: {}",
                    g.upstream.file,
                    def.name
                );
            }
        }
    }
    // Spot check Twilio's ListCallRecording.
    let twilio = compact(specs[0].module_source());
    for (wire, rust) in [
        ("DateCreated", "date_created"),
        ("DateCreated<", "date_created_on_or_before"),
        ("DateCreated>", "date_created_on_or_after"),
    ] {
        assert!(twilio.contains(&format!("{rust}:fields.optional(\"{wire}\")")));
        assert!(twilio.contains(&format!("request.query(\"{wire}\",&self.{rust});")));
    }
}

// ---------------------------------------------------------------------------------------------
// Build and decode
// ---------------------------------------------------------------------------------------------

fn full_specs_pass_clippy_and_every_example_decodes() {
    let specs = generated();
    let started = Instant::now();
    let base = check_dir();
    let workspace = base.join("workspace");
    let target = base.join("target");
    std::fs::create_dir_all(&workspace).expect("workspace directory");

    // The two generated crates, through the same code path as the CLI and the xtask.
    for g in specs {
        let out = workspace.join(g.upstream.krate);
        telephony_codegen::run(&request(g.upstream, &g.path), &out, Mode::Write)
            .unwrap_or_else(|e| panic!("{}: {e}", g.upstream.file));
        let stale = telephony_codegen::run(&request(g.upstream, &g.path), &out, Mode::Check)
            .expect("check runs")
            .changes;
        assert!(
            stale.is_empty(),
            "{}: still stale: {stale:?}",
            g.upstream.krate
        );
        let lines: usize = g.files.iter().map(|f| f.contents.lines().count()).sum();
        eprintln!(
            "{}: {} operations -> {} ({} files, {lines} lines; src/{MODULE}/ {} lines)",
            g.upstream.file,
            g.api.operations.len(),
            g.upstream.krate,
            g.files.len(),
            g.module_source().lines().count()
        );
    }

    // The decoding crate: one test per example.
    let mut summary = Vec::new();
    let mut manifest_deps = String::new();
    let mut allowed_seen = BTreeSet::new();
    for g in specs {
        let examples = collect_examples(g);
        let file = example_tests(g, &examples, &mut allowed_seen);
        let name = g.upstream.krate.replace("-full", "");
        write_if_changed(
            &workspace.join(format!("decode-examples/tests/{name}.rs")),
            &file.text,
        );
        // With the webhook payloads, whose examples decode too.
        manifest_deps.push_str(&format!(
            "{} = {{ path = \"../{}\", features = [\"webhooks\", \"serde\"] }}\n",
            g.upstream.krate, g.upstream.krate
        ));
        eprintln!(
            "{}: {} examples: {} to decode, {} allow-listed failures, {} without a generated type",
            g.upstream.file,
            examples.len(),
            file.tests - file.allowed,
            file.allowed,
            file.untyped.len()
        );
        let mut groups: BTreeMap<(&str, &str), usize> = BTreeMap::new();
        for (pointer, why) in &file.untyped {
            let schema = pointer
                .find("/properties/")
                .or_else(|| pointer.find("/example"))
                .map_or(pointer.as_str(), |end| &pointer[..end]);
            *groups.entry((schema, why)).or_default() += 1;
        }
        for ((schema, why), n) in groups {
            eprintln!("  no generated type for {n} example(s) in {schema}: {why}");
        }
        summary.push((g.upstream.file, examples.len(), file));
    }
    let unused: Vec<_> = ALLOWED_FAILURES
        .iter()
        .filter(|(file, pointer, _, _)| !allowed_seen.contains(&(*file, *pointer)))
        .collect();
    assert!(
        unused.is_empty(),
        "ALLOWED_FAILURES names examples that no longer exist: {unused:?}"
    );
    write_if_changed(
        &workspace.join("decode-examples/Cargo.toml"),
        &format!(
            "[package]\nname = \"decode-examples\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n[dependencies]\n{manifest_deps}serde_json = \"1\"\ntokio = {{ version = \"1\", features = [\"rt\"] }}\n"
        ),
    );
    write_if_changed(
        &workspace.join("decode-examples/tests/wire.rs"),
        &wire_tests(specs),
    );
    // What a user writes against the complete Twilio client (constructors, typed filters,
    // paging), compiled and run with the examples.
    write_if_changed(
        &workspace.join("decode-examples/tests/usage.rs"),
        include_str!("../fixtures/full_usage/usage.rs"),
    );
    write_if_changed(
        &workspace.join("decode-examples/src/lib.rs"),
        "//! Tests only: `tests/*.rs` decode every upstream example into its generated type.\n",
    );
    let members: Vec<String> = specs
        .iter()
        .map(|g| format!("\"{}\"", g.upstream.krate))
        .chain(["\"decode-examples\"".to_string()])
        .collect();
    write_if_changed(
        &workspace.join("Cargo.toml"),
        &format!(
            "# Written by tests/tests/full_specs.rs; the members are generated from ../shared/specs.\n[workspace]\nresolver = \"2\"\nmembers = [{}]\n",
            members.join(", ")
        ),
    );
    // The repository's lock file pins the same dependency versions as generated/ uses.
    let lock = workspace.join("Cargo.lock");
    if !lock.exists() {
        std::fs::copy(repo_root().join("Cargo.lock"), &lock).expect("Cargo.lock copies");
    }

    let generation = started.elapsed();
    let lint = Instant::now();
    let output = cargo(
        &workspace,
        &target,
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
    );
    assert!(
        output.status.success(),
        "the generated full-spec crates do not pass `cargo clippy` with -D warnings:\n{}",
        tail(&String::from_utf8_lossy(&output.stderr), 20_000)
    );
    let lint = lint.elapsed();

    let test = Instant::now();
    let output = cargo(
        &workspace,
        &target,
        &["test", "-p", "decode-examples", "--no-fail-fast"],
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let passed: usize = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("test result: "))
        .filter_map(|l| l.split("; ").next())
        .filter_map(|l| l.rsplit(' ').nth(1))
        .filter_map(|n| n.parse::<usize>().ok())
        .sum();
    let log = base.join("decode-examples.log");
    std::fs::write(&log, format!("{stdout}\n{stderr}")).expect("log writes");
    let failed = failures(&stdout);
    assert!(
        output.status.success(),
        "{} example test(s) failed (full output in {}):\n{}\n{}",
        failed.len(),
        log.display(),
        failed.join("\n"),
        if failed.is_empty() {
            tail(&stderr, 10_000)
        } else {
            ""
        }
    );
    let expected: usize =
        summary.iter().map(|(_, _, f)| f.tests).sum::<usize>() + WIRE_TESTS + USAGE_TESTS;
    assert_eq!(passed, expected, "not every example test ran:\n{stdout}");
    for (file, total, f) in &summary {
        eprintln!(
            "{file}: {} of {total} examples decode into their generated types; {} allow-listed; {} have no generated type",
            f.tests - f.allowed,
            f.allowed,
            f.untyped.len()
        );
    }
    let test = test.elapsed();

    let docs = Instant::now();
    full_twilio_docs_read_by_resource(&specs[0], &workspace, &target);
    eprintln!(
        "full specs: generate {:.1?}, clippy {:.1?}, example tests {:.1?}, docs {:.1?} (target dir {})",
        generation,
        lint,
        test,
        docs.elapsed(),
        target.display()
    );
}

/// `cargo doc` of the full Twilio client, read as a user reads it: every public struct and
/// enum has a summary line in the module's index, every page of an item behind a resource
/// feature says which feature, and the client's methods sit under one heading per resource.
fn full_twilio_docs_read_by_resource(g: &Generated, workspace: &Path, target: &Path) {
    let krate = g.upstream.krate;
    let output = Command::new(cargo_program())
        .args(["doc", "--no-deps", "-p", krate])
        .current_dir(workspace)
        .env("CARGO_TARGET_DIR", target)
        .env("RUSTDOCFLAGS", "-D warnings")
        .output()
        .unwrap_or_else(|e| panic!("cannot run cargo doc: {e}"));
    assert!(
        output.status.success(),
        "cargo doc of {krate} fails with -D warnings:\n{}",
        tail(&String::from_utf8_lossy(&output.stderr), 20_000)
    );
    let docs = target
        .join("doc")
        .join(krate.replace('-', "_"))
        .join(MODULE);
    let page = |name: &str| {
        std::fs::read_to_string(docs.join(name))
            .unwrap_or_else(|e| panic!("{}: {e}", docs.join(name).display()))
    };

    // The module index: each item's row is its link and, after it, its summary.
    let index = page("index.html");
    let mut listed = 0;
    for kind in ["struct", "enum"] {
        let opening = format!("<a class=\"{kind}\" href=\"{kind}.");
        for row in index.split(opening.as_str()).skip(1) {
            listed += 1;
            let name = row.split('.').next().unwrap_or_default();
            let summary = row
                .split_once("<dd>")
                .filter(|(link, _)| !link.contains("<dt>"))
                .map(|(_, rest)| rest.split("</dd>").next().unwrap_or_default().trim());
            assert!(
                summary.is_some_and(|s| !s.is_empty() && !s.starts_with("Spec:")),
                "{krate}: {kind} {name} has no summary line in the module index"
            );
        }
    }
    assert!(
        listed > 250,
        "{krate}: only {listed} structs and enums listed"
    );

    // Items behind a resource feature say so on their pages.
    let features = telephony_codegen::emit::features::module_features(&g.api, MODULE);
    let mut gated = 0;
    for ((def, needed), webhook_only) in
        g.api.types.iter().zip(&features.types).zip(&g.webhook_only)
    {
        if needed.is_empty() || *webhook_only {
            continue;
        }
        let kind = match def.kind {
            telephony_codegen::ir::TypeKind::Enum(_)
            | telephony_codegen::ir::TypeKind::ByStatus(_) => "enum",
            telephony_codegen::ir::TypeKind::Struct(_) => "struct",
        };
        let text = page(&format!("{kind}.{}.html", def.name));
        assert!(
            text.contains("Needs the <code>") || text.contains("Needs one of the features"),
            "{krate}: {kind} {} is behind {needed:?} but its page does not say so",
            def.name
        );
        gated += 1;
    }
    assert!(gated > 200, "{krate}: only {gated} gated types");

    // The client: one heading per resource, and each gated method names its feature.
    let client = page("struct.Client.html");
    let tags: std::collections::BTreeSet<&str> = g
        .api
        .operations
        .iter()
        .filter_map(|op| op.tags.first().map(String::as_str))
        .collect();
    for tag in &tags {
        assert!(
            client.contains(&format!("Operations of the spec’s tag <code>{tag}</code>"))
                || client.contains(&format!("Operations of the spec's tag <code>{tag}</code>")),
            "{krate}: the Client page has no section for the resource {tag}"
        );
    }
    let needs = client.matches("Needs the <code>").count();
    let gated_operations = features.operations.iter().filter(|f| !f.is_empty()).count();
    assert!(
        needs >= gated_operations,
        "{krate}: {gated_operations} gated operations, {needs} feature notes on the Client page"
    );
    eprintln!(
        "{krate} docs: {listed} structs and enums with summaries, {gated} gated types and {gated_operations} gated operations naming their feature, {} resource sections",
        tags.len()
    );
}

/// The tests of `tests/fixtures/full_usage/usage.rs`.
const USAGE_TESTS: usize = 3;

/// Tests that send real requests from the full-spec clients to a loopback server: array form
/// fields repeat their key, and `DateCreated`, `DateCreated<` and `DateCreated>` are three
/// different query parameters with their exact names.
fn wire_tests(specs: &[Generated]) -> String {
    let mut text = String::from(WIRE_PRELUDE);
    let cases = [
        (
            &specs[0],
            "CreateCall",
            Some("StatusCallbackEvent"),
            "StatusCallbackEvent=initiated&StatusCallbackEvent=ringing",
        ),
        (
            &specs[1],
            "create_a_call",
            Some("StatusCallbackEvent"),
            "StatusCallbackEvent=initiated&StatusCallbackEvent=ringing",
        ),
        (&specs[0], "ListCallRecording", None, ""),
        (&specs[1], "list_all_conferences", None, ""),
    ];
    assert_eq!(cases.len(), WIRE_TESTS);
    for (g, id, array_field, expected_body) in cases {
        let krate = g.upstream.krate.replace('-', "_");
        let op = g
            .api
            .operations
            .iter()
            .find(|o| o.id == id)
            .unwrap_or_else(|| panic!("{}: no operation {id}", g.upstream.file));
        let mut args: Vec<String> = op
            .path_params
            .iter()
            .enumerate()
            .map(|(i, p)| {
                assert_eq!(
                    p.ty,
                    TypeRef::String,
                    "{id}: path parameter {}",
                    p.wire_name
                );
                format!("\"X{i}\"")
            })
            .collect();
        let mut setup = String::new();
        let mut checks = String::new();
        if let Some(params) = op.params {
            let mut value = required_fields(g, params);
            let params = &g.type_def(params).name;
            if array_field.is_none() {
                for (i, wire) in ["DateCreated", "DateCreated<", "DateCreated>"]
                    .iter()
                    .enumerate()
                {
                    value.insert(wire.to_string(), Json::from(format!("2020-01-0{}", i + 1)));
                    let encoded = wire.replace('<', "%3C").replace('>', "%3E");
                    checks.push_str(&format!(
                        "    assert!(line.contains(\"?{encoded}=2020-01-0{n}\") || line.contains(\"&{encoded}=2020-01-0{n}\"), \"{{line}}\");\n",
                        n = i + 1
                    ));
                }
            }
            setup.push_str(&format!(
                "    let params: {krate}::{MODULE}::{params} = serde_json::from_str({}).unwrap();\n",
                raw_string(&Json::Object(value).to_string())
            ));
            args.push("&params".to_string());
        }
        if let Some(body) = &op.body {
            let TypeRef::Named(body) = body.ty else {
                panic!("{id}: the body is not a struct");
            };
            let mut value = required_fields(g, body);
            let body = &g.type_def(body).name;
            if let Some(field) = array_field {
                value.insert(
                    field.to_string(),
                    serde_json::json!(["initiated", "ringing"]),
                );
                checks.push_str(&format!(
                    "    assert!(body.contains({}), \"{{body}}\");\n",
                    serde_json::to_string(expected_body).expect("a string")
                ));
            }
            setup.push_str(&format!(
                "    let body: {krate}::{MODULE}::{body} = serde_json::from_str({}).unwrap();\n",
                raw_string(&Json::Object(value).to_string())
            ));
            args.push("&body".to_string());
        }
        text.push_str(&format!(
            "#[test]\nfn {krate}_{method}_wire() {{\n    let (base, request) = serve_one();\n    let client = {krate}::{MODULE}::Client::with_config({krate}::ClientConfig::new(base, {krate}::Credentials::basic(\"user\", \"secret\"))).unwrap();\n{setup}    let _ = send(client.{method}({args}));\n    let request = request.recv_timeout(std::time::Duration::from_secs(60)).expect(\"the client sent no request\");\n    let (head, body) = request.split_once(\"\\r\\n\\r\\n\").unwrap_or((&request, \"\"));\n    let line = head.lines().next().unwrap_or(\"\");\n    let _ = (line, body);\n{checks}}}\n\n",
            method = op.method_name.trim_start_matches("r#"),
            args = args.join(", "),
        ));
    }
    text
}

/// A JSON object with a placeholder for each required field of struct `name`.
fn required_fields(g: &Generated, id: TypeId) -> serde_json::Map<String, Json> {
    let TypeKind::Struct(s) = &g.type_def(id).kind else {
        panic!("{} is not a struct", g.type_def(id).name);
    };
    s.fields
        .iter()
        .filter(|f| f.required && !f.nullable)
        .map(|f| {
            let value = match &f.ty {
                TypeRef::Bool => Json::Bool(false),
                TypeRef::I32 | TypeRef::I64 => Json::from(1),
                TypeRef::F64 => Json::from(1.5),
                TypeRef::List(_) => Json::Array(Vec::new()),
                TypeRef::Map(_) => Json::Object(Default::default()),
                _ => Json::from("x"),
            };
            (f.wire_name.clone(), value)
        })
        .collect()
}

/// How many tests [`wire_tests`] writes.
const WIRE_TESTS: usize = 4;

const WIRE_PRELUDE: &str = r#"//! Written by tests/tests/full_specs.rs: requests of the full-spec clients, as sent.

use std::io::{Read, Write};

/// Accepts one request on a loopback port and answers `{}`; yields the request as text.
fn serve_one() -> (String, std::sync::mpsc::Receiver<String>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut data = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            let n = stream.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            data.extend_from_slice(&buf[..n]);
            if let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&data[..end]).to_ascii_lowercase();
                let length = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .map_or(0, |v| v.trim().parse::<usize>().unwrap());
                if data.len() >= end + 4 + length {
                    break;
                }
            }
        }
        stream
            .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}")
            .unwrap();
        tx.send(String::from_utf8_lossy(&data).into_owned()).unwrap();
    });
    (base, rx)
}

fn send<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(future)
}

"#;

/// `test name: panic message` of each failed libtest test.
fn failures(stdout: &str) -> Vec<String> {
    stdout
        .split("\n---- ")
        .skip(1)
        .filter_map(|block| {
            let (name, rest) = block.split_once(" stdout ----")?;
            let message = rest
                .split_once("panicked at ")
                .and_then(|(_, r)| r.split_once(":\n"))
                .map_or("", |(_, r)| r.lines().next().unwrap_or(""));
            Some(format!("{name}: {message}"))
        })
        .collect()
}

/// `<target>/full-specs-check`: stable, so that repeated runs are incremental.
fn check_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|t| {
            if t.is_relative() {
                repo_root().join(t)
            } else {
                t
            }
        })
        .unwrap_or_else(|| repo_root().join("target"));
    target.join("full-specs-check")
}

fn cargo_program() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string())
}

fn cargo(workspace: &Path, target: &Path, args: &[&str]) -> std::process::Output {
    Command::new(cargo_program())
        .args(args)
        .current_dir(workspace)
        .env("CARGO_TARGET_DIR", target)
        .env("RUSTFLAGS", "-D warnings")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_BUILD_RUSTFLAGS")
        .output()
        .unwrap_or_else(|e| panic!("cannot run cargo {args:?}: {e}"))
}

fn tail(text: &str, max: usize) -> &str {
    let start = text.len().saturating_sub(max);
    let start = (start..text.len())
        .find(|i| text.is_char_boundary(*i))
        .unwrap_or(text.len());
    &text[start..]
}

/// Writes only when the text differs, so that cargo's fingerprints stay fresh.
fn write_if_changed(path: &Path, text: &str) {
    if std::fs::read_to_string(path).ok().as_deref() == Some(text) {
        return;
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("directory");
    }
    std::fs::write(path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

// ---------------------------------------------------------------------------------------------
// Examples: found by walking the spec YAML, typed through the generator's IR
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Response,
    Request,
    Parameter,
    Schema,
}

/// One example value and the Rust type the generator chose for it.
#[derive(Debug)]
struct Example {
    kind: Kind,
    /// JSON pointer of the value in the spec.
    pointer: String,
    /// A short label for the test name.
    label: String,
    value: Json,
    /// The value as it goes on the wire in a form body, query, path or header, where every
    /// value is text: it is read as a server reads it ([`wire_reading`]).
    wire_text: bool,
    /// The Rust type, relative to the generated crate; `Err` says why there is none.
    ty: Result<RustType, String>,
}

/// A Rust type: a [`TypeRef`], optionally in an `Option`.
#[derive(Debug, Clone, PartialEq)]
struct RustType {
    ty: TypeRef,
    optional: bool,
}

impl RustType {
    fn plain(ty: TypeRef) -> Self {
        RustType {
            ty,
            optional: false,
        }
    }

    fn render(&self, g: &Generated, krate: &str) -> String {
        let inner = render(&self.ty, g, krate);
        if self.optional {
            format!("Option<{inner}>")
        } else {
            inner
        }
    }
}

fn render(ty: &TypeRef, g: &Generated, krate: &str) -> String {
    match ty {
        TypeRef::String => "String".into(),
        TypeRef::Bool => "bool".into(),
        TypeRef::I32 => "i32".into(),
        TypeRef::I64 => "i64".into(),
        TypeRef::F64 => "f64".into(),
        TypeRef::Timestamp => format!("{krate}::Timestamp"),
        TypeRef::Date => format!("{krate}::time::Date"),
        TypeRef::DateTime => format!("{krate}::time::OffsetDateTime"),
        TypeRef::Json => "serde_json::Value".into(),
        TypeRef::Bytes => "Vec<u8>".into(),
        TypeRef::File => format!("{krate}::FilePart"),
        TypeRef::List(inner) => format!("Vec<{}>", render(inner, g, krate)),
        TypeRef::Map(inner) => format!(
            "std::collections::BTreeMap<String, {}>",
            render(inner, g, krate)
        ),
        TypeRef::Named(id) if g.webhook_only[id.index()] => {
            format!("{krate}::{MODULE}::webhooks::{}", g.type_def(*id).name)
        }
        TypeRef::Named(id) => format!("{krate}::{MODULE}::{}", g.type_def(*id).name),
    }
}

const METHODS: [(&str, HttpMethod); 8] = [
    ("get", HttpMethod::Get),
    ("put", HttpMethod::Put),
    ("post", HttpMethod::Post),
    ("delete", HttpMethod::Delete),
    ("options", HttpMethod::Options),
    ("head", HttpMethod::Head),
    ("patch", HttpMethod::Patch),
    ("trace", HttpMethod::Trace),
];

/// `(path, method, operation)` for every operation in the document.
fn operations_in(doc: &Yaml) -> Vec<(String, HttpMethod, &Yaml)> {
    let mut out = Vec::new();
    for (path, item) in entries(&doc["paths"]) {
        for (name, method) in METHODS {
            let op = &item[name];
            if op.is_mapping() {
                out.push((path.clone(), method, op));
            }
        }
    }
    out
}

/// A mapping's entries with their keys as strings (`200:` is the key "200").
fn entries(value: &Yaml) -> Vec<(String, &Yaml)> {
    value
        .as_mapping()
        .into_iter()
        .flatten()
        .map(|(k, v)| {
            let key = match k {
                Yaml::String(s) => s.clone(),
                Yaml::Number(n) => n.to_string(),
                Yaml::Bool(b) => b.to_string(),
                other => format!("{other:?}"),
            };
            (key, v)
        })
        .collect()
}

fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

fn to_json(value: &Yaml, pointer: &str) -> Json {
    serde_json::to_value(value).unwrap_or_else(|e| panic!("{pointer}: not JSON: {e}"))
}

fn is_json(content_type: &str) -> bool {
    let ct = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    ct == "application/json" || ct.ends_with("+json") || ct == "*/*"
}

fn status_match(key: &str) -> StatusMatch {
    if key == "default" {
        return StatusMatch::Default;
    }
    if let Some(class) = key
        .strip_suffix("XX")
        .or_else(|| key.strip_suffix("xx"))
        .and_then(|c| c.parse().ok())
    {
        return StatusMatch::Class(class);
    }
    StatusMatch::Code(key.parse().unwrap_or_else(|_| panic!("status {key}")))
}

fn is_success(status: StatusMatch) -> bool {
    match status {
        StatusMatch::Code(c) => (200..300).contains(&c),
        StatusMatch::Class(c) => c == 2,
        StatusMatch::Default => false,
    }
}

/// Walks one spec and types its examples.
struct Collector<'g> {
    g: &'g Generated,
    doc: &'g Yaml,
    /// Named types by the JSON pointer of the schema they were made from.
    by_origin: BTreeMap<&'g str, TypeId>,
    examples: Vec<Example>,
    /// Pointers already collected, with the type: a component reached twice counts once.
    seen: BTreeSet<(String, String)>,
    /// Whether the media examples being collected are of a form body.
    form: bool,
}

fn collect_examples(g: &Generated) -> Vec<Example> {
    let text = std::fs::read_to_string(&g.path).expect("spec reads");
    let doc: Yaml = serde_yaml::from_str(&text).expect("spec is YAML");
    let mut c = Collector {
        g,
        doc: &doc,
        by_origin: g
            .api
            .type_ids()
            .map(|(id, t)| (t.origin.as_str(), id))
            .collect(),
        examples: Vec::new(),
        seen: BTreeSet::new(),
        form: false,
    };
    for (path, method, op) in operations_in(&doc) {
        c.operation(&path, method, op);
    }
    for (name, schema) in entries(&doc["components"]["schemas"]) {
        let pointer = format!("#/components/schemas/{}", escape(&name));
        let ty = c.origin_type(&pointer).ok_or_else(|| {
            "the schema becomes no named type (it is not an object or enum reached by an operation)"
                .to_string()
        });
        c.schema(schema, &pointer, ty, &name);
    }
    c.examples
}

impl<'g> Collector<'g> {
    fn origin_type(&self, pointer: &str) -> Option<RustType> {
        self.by_origin
            .get(pointer)
            .map(|&id| RustType::plain(TypeRef::Named(id)))
    }

    fn push(
        &mut self,
        kind: Kind,
        pointer: String,
        label: &str,
        value: &Yaml,
        ty: Result<RustType, String>,
    ) {
        let key = (pointer.clone(), format!("{ty:?}"));
        if !self.seen.insert(key) {
            return;
        }
        let value = to_json(value, &pointer);
        self.examples.push(Example {
            kind,
            pointer,
            label: label.to_string(),
            value,
            wire_text: kind == Kind::Parameter || (kind == Kind::Request && self.form),
            ty,
        });
    }

    /// `example` and `examples: {name: {value}}` of a media type or parameter.
    fn media_examples(
        &mut self,
        kind: Kind,
        media: &Yaml,
        at: &str,
        label: &str,
        ty: &Result<RustType, String>,
    ) {
        if let Some(value) = media.get("example") {
            self.push(kind, format!("{at}/example"), label, value, ty.clone());
        }
        for (name, example) in entries(&media["examples"]) {
            let (example, example_at) =
                self.resolve(example, &format!("{at}/examples/{}", escape(&name)));
            if let Some(value) = example.get("value") {
                self.push(
                    kind,
                    format!("{example_at}/value"),
                    &format!("{label}_{name}"),
                    value,
                    ty.clone(),
                );
            }
        }
    }

    /// Follows a local `$ref`.
    fn resolve(&self, value: &'g Yaml, at: &str) -> (&'g Yaml, String) {
        let mut value = value;
        let mut at = at.to_string();
        while let Some(reference) = value.get("$ref").and_then(Yaml::as_str) {
            let tokens: Vec<String> = reference
                .trim_start_matches("#/")
                .split('/')
                .map(|t| t.replace("~1", "/").replace("~0", "~"))
                .collect();
            let mut target = self.doc;
            for t in &tokens {
                target = &target[t.as_str()];
            }
            at = reference.to_string();
            value = target;
        }
        (value, at)
    }

    fn operation(&mut self, path: &str, method: HttpMethod, op: &'g Yaml) {
        let g = self.g;
        let ir = g
            .api
            .operations
            .iter()
            .find(|o| o.path == path && o.http_method == method)
            .unwrap_or_else(|| panic!("{path} {method:?} is not in the IR"));
        let at = format!(
            "#/paths/{}/{}",
            escape(path),
            method.as_str().to_ascii_lowercase()
        );
        let label = ir.id.clone();
        // Parameters, the path item's and the operation's own.
        let item = &self.doc["paths"][path];
        let lists = [
            (
                &item["parameters"],
                format!("#/paths/{}/parameters", escape(path)),
            ),
            (&op["parameters"], format!("{at}/parameters")),
        ];
        for (list, list_at) in lists {
            for (i, param) in list.as_sequence().into_iter().flatten().enumerate() {
                let (param, param_at) = self.resolve(param, &format!("{list_at}/{i}"));
                let Some(name) = param.get("name").and_then(Yaml::as_str) else {
                    continue;
                };
                // `None`: a path parameter.
                let location = match param.get("in").and_then(Yaml::as_str) {
                    Some("path") => None,
                    Some("query") => Some(ParamLocation::Query),
                    Some("header") => Some(ParamLocation::Header),
                    _ => continue,
                };
                let ty = match location {
                    None => ir
                        .path_params
                        .iter()
                        .find(|p| p.wire_name == name)
                        .map(|p| p.ty.clone()),
                    Some(_) => self
                        .g
                        .params(ir)
                        .iter()
                        .find(|p| p.wire_name == name && p.location == location)
                        .map(|p| p.ty.clone()),
                }
                .ok_or_else(|| format!("parameter `{name}` is not generated"))
                .and_then(|ty| match ty {
                    // Typed as `time` values, which have no serde form: what they send is
                    // pinned by the runtime's `WireValue` tests, not by examples.
                    TypeRef::Date | TypeRef::DateTime => {
                        Err("a date or date-time parameter, typed with the time crate".to_string())
                    }
                    ty => Ok(RustType::plain(ty)),
                });
                let param_label = format!("{label}_{name}");
                self.media_examples(Kind::Parameter, param, &param_at, &param_label, &ty);
                if let Some(schema) = param.get("schema") {
                    self.schema(schema, &format!("{param_at}/schema"), ty, &param_label);
                }
            }
        }
        // The request body.
        if let Some(body) = op.get("requestBody") {
            let (body, body_at) = self.resolve(body, &format!("{at}/requestBody"));
            for (ct, media) in entries(&body["content"]) {
                let ty = ir
                    .body
                    .as_ref()
                    .map(|b| RustType::plain(b.ty.clone()))
                    .ok_or_else(|| format!("the `{ct}` body is not generated"));
                let media_at = format!("{body_at}/content/{}", escape(&ct));
                let body_label = format!("{label}_request");
                self.form = ct.eq_ignore_ascii_case("application/x-www-form-urlencoded");
                self.media_examples(Kind::Request, media, &media_at, &body_label, &ty);
                self.form = false;
                if let Some(schema) = media.get("schema") {
                    self.schema(schema, &format!("{media_at}/schema"), ty, &body_label);
                }
            }
        }
        // Responses.
        for (code, response) in entries(&op["responses"]) {
            let (response, response_at) =
                self.resolve(response, &format!("{at}/responses/{}", escape(&code)));
            let status = status_match(&code);
            let ty = response_type(g, &ir.success, &ir.error, status);
            for (ct, media) in entries(&response["content"]) {
                if !is_json(&ct) {
                    continue;
                }
                let media_at = format!("{response_at}/content/{}", escape(&ct));
                let response_label = format!("{label}_{code}");
                self.media_examples(Kind::Response, media, &media_at, &response_label, &ty);
                if let Some(schema) = media.get("schema") {
                    self.schema(
                        schema,
                        &format!("{media_at}/schema"),
                        ty.clone(),
                        &response_label,
                    );
                }
            }
        }
    }

    /// The examples of a schema and of the schemas inside it. `ty` is the type the generator
    /// chose for this position.
    fn schema(&mut self, schema: &'g Yaml, at: &str, ty: Result<RustType, String>, label: &str) {
        if !schema.is_mapping() {
            return;
        }
        let ty = match self.origin_type(at) {
            Some(named) => Ok(RustType {
                optional: ty.as_ref().is_ok_and(|t| t.optional),
                ..named
            }),
            None => ty,
        };
        if let Some(value) = schema.get("example") {
            self.push(
                Kind::Schema,
                format!("{at}/example"),
                label,
                value,
                ty.clone(),
            );
        }
        if let Some(Yaml::Sequence(values)) = schema.get("examples") {
            for (i, value) in values.iter().enumerate() {
                self.push(
                    Kind::Schema,
                    format!("{at}/examples/{i}"),
                    label,
                    value,
                    ty.clone(),
                );
            }
        }
        // A `$ref` is walked where it points (components are walked on their own).
        let inner: Result<TypeRef, String> = ty.clone().map(|t| t.ty);
        for (name, property) in entries(&schema["properties"]) {
            let field = match &inner {
                Ok(TypeRef::Named(id)) => match &self.g.type_def(*id).kind {
                    TypeKind::Struct(s) => s
                        .fields
                        .iter()
                        .find(|f| f.wire_name == name)
                        .map(|f| RustType {
                            ty: f.ty.clone(),
                            optional: f.is_option(),
                        })
                        .ok_or_else(|| {
                            let n = &self.g.type_def(*id).name;
                            format!("{n} has no field for property `{name}`")
                        }),
                    _ => Err(format!("{} is not a struct", self.g.type_def(*id).name)),
                },
                Ok(TypeRef::Json) => Ok(RustType::plain(TypeRef::Json)),
                Ok(other) => Err(format!("an object schema became {other:?}")),
                Err(e) => Err(e.clone()),
            };
            self.schema(
                property,
                &format!("{at}/properties/{}", escape(&name)),
                field,
                &format!("{label}_{name}"),
            );
        }
        if let Some(items) = schema.get("items") {
            let item = match &inner {
                Ok(TypeRef::List(t)) => Ok(RustType::plain((**t).clone())),
                Ok(TypeRef::Json) => Ok(RustType::plain(TypeRef::Json)),
                Ok(other) => Err(format!("an array schema became {other:?}")),
                Err(e) => Err(e.clone()),
            };
            self.schema(items, &format!("{at}/items"), item, label);
        }
        if let Some(values) = schema.get("additionalProperties") {
            let value = match &inner {
                Ok(TypeRef::Map(t)) => Ok(RustType::plain((**t).clone())),
                Ok(TypeRef::Json) => Ok(RustType::plain(TypeRef::Json)),
                Ok(other) => Err(format!("a map schema became {other:?}")),
                Err(e) => Err(e.clone()),
            };
            self.schema(values, &format!("{at}/additionalProperties"), value, label);
        }
        for key in ["allOf", "oneOf", "anyOf"] {
            for (i, member) in schema[key].as_sequence().into_iter().flatten().enumerate() {
                // allOf members are merged into this schema's type; a one-member oneOf/anyOf
                // is this type; wider unions are JSON values.
                let members = schema[key].as_sequence().map_or(0, Vec::len);
                let member_ty = match (&inner, key) {
                    (Ok(TypeRef::Json), _) => Ok(RustType::plain(TypeRef::Json)),
                    (Ok(t), "allOf") if members == 1 || matches!(t, TypeRef::Named(_)) => {
                        Ok(RustType::plain(t.clone()))
                    }
                    (Ok(t), _) if members == 1 => Ok(RustType::plain(t.clone())),
                    (Ok(t), _) => Err(format!("a member of a {key} that became {t:?}")),
                    (Err(e), _) => Err(e.clone()),
                };
                self.schema(member, &format!("{at}/{key}/{i}"), member_ty, label);
            }
        }
    }
}

/// The type of a response with `status`, from the operation's success or error shape.
fn response_type(
    g: &Generated,
    success: &ResponseShape,
    error: &ResponseShape,
    status: StatusMatch,
) -> Result<RustType, String> {
    let shape = if is_success(status) { success } else { error };
    match shape {
        ResponseShape::Untyped => Err("the generator gives the response no body type".into()),
        ResponseShape::Typed(ty) => Ok(RustType::plain(ty.clone())),
        ResponseShape::ByStatus(id) => {
            let name = &g.type_def(*id).name;
            let TypeKind::ByStatus(b) = &g.type_def(*id).kind else {
                return Err(format!("{name} is not a by-status enum"));
            };
            b.variants
                .iter()
                .find(|v| v.statuses.contains(&status))
                .and_then(|v| v.ty.clone())
                .map(RustType::plain)
                .ok_or_else(|| format!("{name} has no typed variant for {status:?}"))
        }
    }
}

/// A form, query, path or header example as a server reads it: on the wire every value is
/// text, so `"true"` is a boolean, `"12.00"` a number and one value of an array field is an
/// array of one (the key is simply not repeated). Text that does not read as the field's type
/// stays as it is, and fails to decode.
fn wire_reading(g: &Generated, value: &Json, ty: &TypeRef) -> Json {
    let text = match value {
        Json::String(s) => Some(s.clone()),
        Json::Number(n) => Some(n.to_string()),
        Json::Bool(b) => Some(b.to_string()),
        _ => None,
    };
    match (ty, value) {
        (TypeRef::List(inner), Json::Array(items)) => Json::Array(
            items
                .iter()
                .map(|item| wire_reading(g, item, inner))
                .collect(),
        ),
        (TypeRef::List(inner), _) => Json::Array(vec![wire_reading(g, value, inner)]),
        (TypeRef::Bool, Json::String(s)) => match s.as_str() {
            "true" => Json::Bool(true),
            "false" => Json::Bool(false),
            _ => value.clone(),
        },
        (TypeRef::I32 | TypeRef::I64, Json::String(s)) => s
            .parse::<i64>()
            .map(Json::from)
            .unwrap_or_else(|_| value.clone()),
        (TypeRef::F64, Json::String(s)) => s
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Json::Number)
            .unwrap_or_else(|| value.clone()),
        (TypeRef::String | TypeRef::Timestamp, _) => {
            text.map(Json::String).unwrap_or(value.clone())
        }
        (TypeRef::Named(id), Json::Object(fields)) => match &g.type_def(*id).kind {
            TypeKind::Struct(s) => Json::Object(
                fields
                    .iter()
                    .map(|(key, v)| {
                        let read = match s.fields.iter().find(|f| &f.wire_name == key) {
                            Some(f) => wire_reading(g, v, &f.ty),
                            None => v.clone(),
                        };
                        (key.clone(), read)
                    })
                    .collect(),
            ),
            _ => value.clone(),
        },
        (TypeRef::Named(id), _) => match (&g.type_def(*id).kind, text) {
            (TypeKind::Enum(_), Some(text)) => Json::String(text),
            _ => value.clone(),
        },
        _ => value.clone(),
    }
}

/// A generated test file.
struct TestFile {
    text: String,
    tests: usize,
    allowed: usize,
    /// Examples with no generated type: pointer and why.
    untyped: Vec<(String, String)>,
}

fn test_name(index: usize, kind: Kind, label: &str) -> String {
    let mut name = format!("{:?}_{index:04}_", kind).to_lowercase();
    let mut last_underscore = true;
    for c in label.chars() {
        if c.is_ascii_alphanumeric() {
            name.push(c.to_ascii_lowercase());
            last_underscore = false;
        } else if !last_underscore {
            name.push('_');
            last_underscore = true;
        }
        if name.len() > 70 {
            break;
        }
    }
    name.trim_end_matches('_').to_string()
}

/// `r#"…"#` with enough `#`s for `text`.
fn raw_string(text: &str) -> String {
    let mut hashes = 1;
    while text.contains(&format!("\"{}", "#".repeat(hashes))) {
        hashes += 1;
    }
    let h = "#".repeat(hashes);
    format!("r{h}\"{text}\"{h}")
}

fn example_tests(
    g: &Generated,
    examples: &[Example],
    allowed_seen: &mut BTreeSet<(&'static str, &'static str)>,
) -> TestFile {
    let krate = g.upstream.krate.replace('-', "_");
    let mut text = format!(
        "//! Written by tests/tests/full_specs.rs: every example in shared/specs/{} decoded into the\n//! Rust type the generator chose for it. Do not edit.\n\n",
        g.upstream.file
    );
    let mut tests = 0;
    let mut allowed = 0;
    let mut untyped = Vec::new();
    for (index, example) in examples.iter().enumerate() {
        let ty = match &example.ty {
            Ok(ty) => ty.render(g, &krate),
            Err(why) => {
                untyped.push((example.pointer.clone(), why.clone()));
                continue;
            }
        };
        let value = match (&example.ty, example.wire_text) {
            (Ok(ty), true) => wire_reading(g, &example.value, &ty.ty),
            _ => example.value.clone(),
        };
        let json = serde_json::to_string_pretty(&value).expect("JSON");
        let name = test_name(index, example.kind, &example.label);
        let allowance = ALLOWED_FAILURES
            .iter()
            .find(|(file, pointer, _, _)| *file == g.upstream.file && *pointer == example.pointer);
        text.push_str(&format!(
            "/// `{}`\n#[test]\nfn {name}() {{\n",
            example.pointer
        ));
        match allowance {
            None => text.push_str(&format!(
                "    if let Err(e) = serde_json::from_str::<{ty}>({}) {{\n        panic!(\"{{}} does not decode into {{}}: {{e}}\", {}, {});\n    }}\n",
                raw_string(&json),
                serde_json::to_string(&example.pointer).expect("a string"),
                serde_json::to_string(&ty).expect("a string"),
            )),
            Some((file, pointer, error, why)) => {
                allowed_seen.insert((file, pointer));
                allowed += 1;
                text.push_str(&format!(
                    "    // Allow-listed upstream data problem: {why}\n    let e = serde_json::from_str::<{ty}>({})\n        .expect_err(\"allow-listed as failing, but it decodes now: remove it from ALLOWED_FAILURES in tests/tests/full_specs.rs\");\n    assert!(e.to_string().contains({}), \"fails differently than allow-listed: {{e}}\");\n",
                    raw_string(&json),
                    serde_json::to_string(error).expect("a string"),
                ));
            }
        }
        text.push_str("}\n\n");
        tests += 1;
    }
    TestFile {
        text,
        tests,
        allowed,
        untyped,
    }
}
