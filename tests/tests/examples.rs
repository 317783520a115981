//! Response examples decode into the generated types.
//!
//! * Every response example in `specs/twilio.yaml` and `specs/signalwire.yaml` (operation
//!   `examples: {name: {value}}` and `example`, schema `example`/`examples`, and, for
//!   SignalWire, whose OpenAPI 3.1 file has examples only on properties, the object assembled
//!   from its property examples) decodes into the generated type for it. The checked-in client
//!   generates only "update participant", so participant examples of any operation decode into
//!   `twilio::ConferenceParticipant` / `signalwire::ConferenceParticipantResponse`,
//!   each element of a list example's `participants` likewise, and error examples into
//!   `signalwire::CompatibilityErrorResponse` / `telephony_client::ApiErrorBody`.
//! * Every participant example in the upstream specs (`../shared/specs`) decodes too.
//! * Decoding is what the client does (`serde_json::from_slice` on the body bytes), and the
//!   decoded value re-serializes to the input (`null` and absent being the same for optional
//!   fields).
//! * Robustness: unknown enum values are kept (`Unknown(String)`) and re-serialize unchanged,
//!   null and missing optional fields decode, unknown fields are ignored, and a missing required
//!   SignalWire field is a decode error (`Error::Decode` from the client), never a panic.

use serde::{de::DeserializeOwned, Serialize};
use serde_json::{json, Map, Value};
use std::path::Path;
use telephony_client::{signalwire, twilio, ApiErrorBody, ClientConfig, Credentials, Error};
use telephony_tests::Need::SharedSpec;
use telephony_tests::{repo_root, shared_spec, trial};

/// The upstream-spec tests need `../shared/specs`: without it they are reported as ignored with
/// the reason, and with `CI=true` they fail naming the missing file.
fn main() -> std::process::ExitCode {
    telephony_tests::run(vec![
        trial!(&[], every_twilio_spec_example_decodes),
        trial!(&[], every_signalwire_spec_example_decodes),
        trial!(
            &[SharedSpec("twilio_api_v2010.yaml")],
            every_upstream_twilio_participant_example_decodes
        ),
        trial!(
            &[SharedSpec("signalwire_compatibility.yaml")],
            every_upstream_signalwire_participant_example_decodes
        ),
        trial!(&[], unknown_twilio_status_is_kept_and_round_trips),
        trial!(&[], unknown_signalwire_status_is_kept_and_round_trips),
        trial!(&[], every_spec_enum_value_is_a_known_variant),
        trial!(&[], twilio_null_and_missing_fields_decode),
        trial!(&[], signalwire_nullable_field_null_or_missing_decodes),
        trial!(
            &[],
            signalwire_missing_or_null_required_field_is_a_decode_error
        ),
        trial!(&[], unknown_extra_fields_are_ignored),
        trial!(&[], twilio_error_bodies_decode_into_api_error_body),
        trial!(&[], async signalwire_missing_required_field_is_error_decode_from_the_client),
        trial!(&[], async twilio_unknown_status_survives_the_client),
    ])
}

type TwilioParticipant = twilio::ConferenceParticipant;
type SignalWireParticipant = signalwire::ConferenceParticipantResponse;

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Vendor {
    Twilio,
    SignalWire,
}

impl Vendor {
    /// Component schemas that describe one participant.
    fn participant_schemas(self) -> &'static [&'static str] {
        match self {
            Vendor::Twilio => &["api.v2010.account.conference.participant"],
            Vendor::SignalWire => &["ConferenceParticipantResponse", "ConferenceParticipant"],
        }
    }

    fn error_schemas(self) -> &'static [&'static str] {
        match self {
            Vendor::Twilio => &[],
            Vendor::SignalWire => &["CompatibilityErrorResponse"],
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Participant,
    /// A page whose `participants` array holds participants.
    ParticipantList,
    Error,
    /// Not about participants (only in the upstream specs).
    Other,
}

#[derive(Clone, Debug)]
struct Example {
    origin: String,
    kind: Kind,
    value: Value,
}

fn load(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{} is not YAML: {e}", path.display()))
}

fn local_spec(vendor: Vendor) -> Value {
    load(&repo_root().join(match vendor {
        Vendor::Twilio => "specs/twilio.yaml",
        Vendor::SignalWire => "specs/signalwire.yaml",
    }))
}

/// The last segment of a local `$ref` (`#/components/schemas/NAME` → `NAME`).
fn ref_name(schema: &Value) -> Option<&str> {
    schema["$ref"].as_str().and_then(|r| r.rsplit('/').next())
}

/// Follows local `$ref`s (JSON pointers into `doc`).
fn resolve<'a>(doc: &'a Value, mut value: &'a Value) -> &'a Value {
    for _ in 0..32 {
        let Some(reference) = value["$ref"].as_str() else {
            return value;
        };
        let pointer = reference
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("non-local $ref {reference}"));
        let pointer = pointer.replace("~1", "/").replace("~0", "~");
        value = doc
            .pointer(&pointer)
            .unwrap_or_else(|| panic!("dangling $ref {reference}"));
    }
    panic!("$ref cycle");
}

/// The component name a schema stands for: a `$ref`, or `allOf: [$ref]`.
fn schema_name(schema: &Value) -> Option<&str> {
    ref_name(schema).or_else(|| match schema["allOf"].as_array() {
        Some(all) if all.len() == 1 => ref_name(&all[0]),
        _ => None,
    })
}

fn classify(doc: &Value, vendor: Vendor, status: &str, schema: &Value) -> Kind {
    if let Some(name) = schema_name(schema) {
        if vendor.participant_schemas().contains(&name) {
            return Kind::Participant;
        }
        if vendor.error_schemas().contains(&name) {
            return Kind::Error;
        }
    }
    let items = &resolve(doc, schema)["properties"]["participants"]["items"];
    if schema_name(items).is_some_and(|n| vendor.participant_schemas().contains(&n)) {
        return Kind::ParticipantList;
    }
    if status.starts_with('4') || status.starts_with('5') {
        return Kind::Error;
    }
    Kind::Other
}

/// Every example of every operation response: media `example`, media `examples`, and the
/// response schema's own `example` / `examples`.
fn response_examples(doc: &Value, vendor: Vendor, file: &str) -> Vec<Example> {
    let mut out = Vec::new();
    let Some(paths) = doc["paths"].as_object() else {
        return out;
    };
    for (path, item) in paths {
        let item = resolve(doc, item);
        for method in METHODS {
            let Some(responses) = item[method]["responses"].as_object() else {
                continue;
            };
            for (status, response) in responses {
                let response = resolve(doc, response);
                let Some(content) = response["content"].as_object() else {
                    continue;
                };
                for (media_type, media) in content {
                    let schema = &media["schema"];
                    let kind = classify(doc, vendor, status, schema);
                    let at = format!("{file} {method} {path} {status} {media_type}");
                    if !media["example"].is_null() {
                        out.push(Example {
                            origin: format!("{at} example"),
                            kind,
                            value: media["example"].clone(),
                        });
                    }
                    if let Some(examples) = media["examples"].as_object() {
                        for (name, example) in examples {
                            let example = resolve(doc, example);
                            out.push(Example {
                                origin: format!("{at} examples.{name}"),
                                kind,
                                value: example["value"].clone(),
                            });
                        }
                    }
                    let resolved = resolve(doc, schema);
                    if !resolved["example"].is_null() {
                        out.push(Example {
                            origin: format!("{at} schema example"),
                            kind,
                            value: resolved["example"].clone(),
                        });
                    }
                    for (i, value) in resolved["examples"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .enumerate()
                    {
                        out.push(Example {
                            origin: format!("{at} schema examples[{i}]"),
                            kind,
                            value: value.clone(),
                        });
                    }
                }
            }
        }
    }
    out
}

/// The first example a (property) schema gives: `example`, `examples[0]`, through `$ref`,
/// `allOf` and `anyOf`; with `enum_fallback`, the first enum value when there is none (what
/// Prism does when it builds a response from the schema).
fn property_example(doc: &Value, schema: &Value, enum_fallback: bool) -> Option<(Value, bool)> {
    if !schema["example"].is_null() {
        return Some((schema["example"].clone(), false));
    }
    if let Some(first) = schema["examples"].as_array().and_then(|e| e.first()) {
        return Some((first.clone(), false));
    }
    let resolved = resolve(doc, schema);
    if !std::ptr::eq(resolved, schema) {
        return property_example(doc, resolved, enum_fallback);
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        for part in schema[key].as_array().into_iter().flatten() {
            if let Some(found) = property_example(doc, part, enum_fallback) {
                return Some(found);
            }
        }
    }
    if enum_fallback {
        if let Some(first) = schema["enum"].as_array().and_then(|e| e.first()) {
            return Some((first.clone(), true));
        }
    }
    None
}

/// Examples that component schemas give for participants and errors: their `example` /
/// `examples`, and the object assembled from their property examples (SignalWire documents
/// its models only that way). Properties with no example at all are filled with their first
/// enum value, as Prism does; the origin names them.
fn schema_examples(doc: &Value, vendor: Vendor, file: &str) -> Vec<Example> {
    let mut out = Vec::new();
    let names = vendor
        .participant_schemas()
        .iter()
        .map(|n| (*n, Kind::Participant))
        .chain(vendor.error_schemas().iter().map(|n| (*n, Kind::Error)));
    for (name, kind) in names {
        let schema = &doc["components"]["schemas"][name];
        if schema.is_null() {
            continue;
        }
        let at = format!("{file} #/components/schemas/{name}");
        if !schema["example"].is_null() {
            out.push(Example {
                origin: format!("{at} example"),
                kind,
                value: schema["example"].clone(),
            });
        }
        for (i, value) in schema["examples"]
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
        {
            out.push(Example {
                origin: format!("{at} examples[{i}]"),
                kind,
                value: value.clone(),
            });
        }
        let mut assembled = Map::new();
        let mut from_enum = Vec::new();
        let mut documented = 0;
        for (property, property_schema) in schema["properties"].as_object().into_iter().flatten() {
            if let Some((value, is_enum)) = property_example(doc, property_schema, true) {
                if is_enum {
                    from_enum.push(property.as_str());
                } else {
                    documented += 1;
                }
                assembled.insert(property.clone(), value);
            }
        }
        if documented > 0 {
            out.push(Example {
                origin: format!(
                    "{at} property examples (filled from enum[0]: {})",
                    if from_enum.is_empty() {
                        "none".to_string()
                    } else {
                        from_enum.join(", ")
                    }
                ),
                kind,
                value: Value::Object(assembled),
            });
        }
    }
    out
}

/// Decodes as the client does: `serde_json::from_slice` on the body bytes.
fn decode<T: DeserializeOwned>(value: &Value) -> Result<T, serde_json::Error> {
    serde_json::from_slice(&serde_json::to_vec(value).expect("JSON"))
}

/// Decodes `value` into `T` and checks that it re-serializes to the input: every field the
/// type writes equals the input's, and every non-null input field is written back. Returns the
/// input fields `T` does not know (ignored by decoding).
fn decode_and_round_trip<T: DeserializeOwned + Serialize>(
    origin: &str,
    value: &Value,
) -> (T, Vec<String>) {
    let decoded: T =
        decode(value).unwrap_or_else(|e| panic!("{origin}: does not decode: {e}\n{value:#}"));
    let back = serde_json::to_value(&decoded).expect("serialize");
    let (input, output) = (
        value
            .as_object()
            .unwrap_or_else(|| panic!("{origin}: not an object")),
        back.as_object().expect("object"),
    );
    for (key, written) in output {
        match input.get(key) {
            Some(original) => assert_eq!(written, original, "{origin}: `{key}` changed"),
            None => assert!(written.is_null(), "{origin}: `{key}` invented as {written}"),
        }
    }
    let mut unknown = Vec::new();
    for (key, original) in input {
        if !output.contains_key(key) {
            if original.is_null() {
                continue;
            }
            unknown.push(key.clone());
        }
    }
    (decoded, unknown)
}

#[derive(Default, Debug)]
struct Tally {
    participants: usize,
    lists: usize,
    list_elements: usize,
    errors: usize,
    other: Vec<String>,
}

/// Decodes each example into its generated type; unknown fields are a failure when `strict`.
fn check_examples(vendor: Vendor, examples: &[Example], strict: bool) -> Tally {
    let mut tally = Tally::default();
    let participant = |origin: &str, value: &Value| -> Vec<String> {
        match vendor {
            Vendor::Twilio => decode_and_round_trip::<TwilioParticipant>(origin, value).1,
            Vendor::SignalWire => decode_and_round_trip::<SignalWireParticipant>(origin, value).1,
        }
    };
    for example in examples {
        let origin = example.origin.as_str();
        let unknown = match example.kind {
            Kind::Participant => {
                tally.participants += 1;
                participant(origin, &example.value)
            }
            Kind::ParticipantList => {
                tally.lists += 1;
                let items = example.value["participants"]
                    .as_array()
                    .unwrap_or_else(|| panic!("{origin}: no `participants` array"));
                let mut unknown = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    tally.list_elements += 1;
                    unknown.extend(participant(&format!("{origin} participants[{i}]"), item));
                }
                unknown
            }
            Kind::Error => {
                tally.errors += 1;
                match vendor {
                    Vendor::Twilio => {
                        decode_and_round_trip::<ApiErrorBody>(origin, &example.value).1
                    }
                    Vendor::SignalWire => {
                        decode_and_round_trip::<signalwire::CompatibilityErrorResponse>(
                            origin,
                            &example.value,
                        )
                        .1
                    }
                }
            }
            Kind::Other => {
                tally.other.push(example.origin.clone());
                Vec::new()
            }
        };
        if strict {
            assert!(
                unknown.is_empty(),
                "{origin}: fields the generated type lacks: {unknown:?}"
            );
        }
    }
    eprintln!("{vendor:?}: {} examples checked: {tally:?}", examples.len());
    tally
}

fn all_examples(doc: &Value, vendor: Vendor, file: &str) -> Vec<Example> {
    let mut examples = response_examples(doc, vendor, file);
    examples.extend(schema_examples(doc, vendor, file));
    examples
}

// ---------------------------------------------------------------------------------------------
// specs/
// ---------------------------------------------------------------------------------------------

fn every_twilio_spec_example_decodes() {
    let doc = local_spec(Vendor::Twilio);
    let examples = all_examples(&doc, Vendor::Twilio, "specs/twilio.yaml");
    let tally = check_examples(Vendor::Twilio, &examples, true);
    // specs/twilio.yaml has only participant operations: nothing may be left unchecked.
    assert!(
        tally.other.is_empty(),
        "unclassified examples: {:?}",
        tally.other
    );
    // fetch (2) + update (6) + create (12); list pages readEmpty/readFull/readNext/readPrevious.
    assert_eq!(tally.participants, 20, "{tally:?}");
    assert_eq!(tally.lists, 4, "{tally:?}");
    assert_eq!(tally.list_elements, 6, "{tally:?}");
    // The subset spec, like upstream, documents no error bodies for Twilio.
    assert_eq!(tally.errors, 0, "{tally:?}");
}

fn every_signalwire_spec_example_decodes() {
    let doc = local_spec(Vendor::SignalWire);
    let examples = all_examples(&doc, Vendor::SignalWire, "specs/signalwire.yaml");
    let tally = check_examples(Vendor::SignalWire, &examples, true);
    assert!(
        tally.other.is_empty(),
        "unclassified examples: {:?}",
        tally.other
    );
    // No operation-level examples: the participant models' and the error model's property
    // examples are all there is.
    assert_eq!(tally.participants, 2, "{tally:?} {examples:#?}");
    assert_eq!(tally.errors, 1, "{tally:?}");
    let response = examples
        .iter()
        .find(|e| {
            e.origin
                .contains("ConferenceParticipantResponse property examples")
        })
        .expect("ConferenceParticipantResponse example");
    // The model gives no example for `status`; Prism (and this test) use the first enum value.
    assert!(
        response.origin.contains("filled from enum[0]: status"),
        "{}",
        response.origin
    );
    let participant: SignalWireParticipant = decode(&response.value).unwrap();
    assert_eq!(participant.status, signalwire::ParticipantStatus::Completed);
    // The spec's example coach ID is not a UUID (`…98472co`); the client keeps it as text.
    assert_eq!(
        participant.call_sid_to_coach.as_deref(),
        Some("b3877c40-da60-4998-90ad-b792e98472co")
    );
}

// ---------------------------------------------------------------------------------------------
// ../shared/specs (upstream)
// ---------------------------------------------------------------------------------------------

fn every_upstream_twilio_participant_example_decodes() {
    let path = shared_spec("twilio_api_v2010.yaml");
    let doc = load(&path);
    let examples: Vec<Example> = all_examples(&doc, Vendor::Twilio, "twilio_api_v2010.yaml")
        .into_iter()
        .filter(|e| matches!(e.kind, Kind::Participant | Kind::ParticipantList))
        .collect();
    let tally = check_examples(Vendor::Twilio, &examples, true);
    assert!(tally.participants >= 20, "{tally:?}");
    assert!(tally.lists >= 4 && tally.list_elements >= 6, "{tally:?}");
}

fn every_upstream_signalwire_participant_example_decodes() {
    let path = shared_spec("signalwire_compatibility.yaml");
    let doc = load(&path);
    let examples: Vec<Example> =
        all_examples(&doc, Vendor::SignalWire, "signalwire_compatibility.yaml")
            .into_iter()
            .filter(|e| matches!(e.kind, Kind::Participant | Kind::ParticipantList))
            .collect();
    let tally = check_examples(Vendor::SignalWire, &examples, true);
    // Upstream has no operation-level participant examples either; the two participant models'
    // property examples are checked.
    assert!(tally.participants >= 2, "{tally:?} {examples:#?}");
    // The upstream error model's example decodes too.
    let errors: Vec<Example> =
        schema_examples(&doc, Vendor::SignalWire, "signalwire_compatibility.yaml")
            .into_iter()
            .filter(|e| e.kind == Kind::Error)
            .collect();
    assert_eq!(check_examples(Vendor::SignalWire, &errors, true).errors, 1);
}

// ---------------------------------------------------------------------------------------------
// Robustness of the generated participant types
// ---------------------------------------------------------------------------------------------

/// Twilio's `muteParticipant` update example.
fn twilio_base() -> Value {
    local_spec(Vendor::Twilio)["paths"]
        ["/2010-04-01/Accounts/{AccountSid}/Conferences/{ConferenceSid}/Participants/{CallSid}.json"]
        ["post"]["responses"]["200"]["content"]["application/json"]["examples"]["muteParticipant"]
        ["value"]
        .clone()
}

/// SignalWire's `ConferenceParticipantResponse` assembled from its property examples.
fn signalwire_base() -> Value {
    let doc = local_spec(Vendor::SignalWire);
    schema_examples(&doc, Vendor::SignalWire, "specs/signalwire.yaml")
        .into_iter()
        .find(|e| {
            e.origin
                .contains("ConferenceParticipantResponse property examples")
        })
        .expect("assembled example")
        .value
}

fn with(base: &Value, key: &str, value: Value) -> Value {
    let mut out = base.clone();
    out[key] = value;
    out
}

fn without(base: &Value, key: &str) -> Value {
    let mut out = base.clone();
    out.as_object_mut().unwrap().remove(key);
    out
}

fn unknown_twilio_status_is_kept_and_round_trips() {
    let input = with(&twilio_base(), "status", json!("on-hold-music"));
    let (participant, _) = decode_and_round_trip::<TwilioParticipant>("on-hold-music", &input);
    assert_eq!(
        participant.status,
        Some(twilio::ParticipantEnumStatus::from("on-hold-music"))
    );
    let back = serde_json::to_value(&participant).unwrap();
    assert_eq!(back["status"], input["status"]);
    assert_eq!(
        back,
        serde_json::to_value(decode::<TwilioParticipant>(&back).unwrap()).unwrap()
    );
}

fn unknown_signalwire_status_is_kept_and_round_trips() {
    // `complete` is Twilio's word; SignalWire's enum has `completed` and `in-progress` only.
    for status in ["complete", "on-hold-music", ""] {
        let input = with(&signalwire_base(), "status", json!(status));
        let (participant, _) = decode_and_round_trip::<SignalWireParticipant>(status, &input);
        assert_eq!(
            participant.status,
            signalwire::ParticipantStatus::from(status)
        );
        assert_eq!(
            serde_json::to_value(&participant).unwrap()["status"],
            json!(status)
        );
    }
}

fn every_spec_enum_value_is_a_known_variant() {
    let twilio = local_spec(Vendor::Twilio);
    for value in twilio["components"]["schemas"]["participant_enum_status"]["enum"]
        .as_array()
        .unwrap()
    {
        let status: twilio::ParticipantEnumStatus = decode(value).unwrap();
        assert!(
            !matches!(status, twilio::ParticipantEnumStatus::Unknown(_)),
            "{value}"
        );
        assert_eq!(serde_json::to_value(&status).unwrap(), *value);
    }
    let signalwire = local_spec(Vendor::SignalWire);
    for value in signalwire["components"]["schemas"]["ParticipantStatus"]["enum"]
        .as_array()
        .unwrap()
    {
        let status: signalwire::ParticipantStatus = decode(value).unwrap();
        assert!(
            !matches!(status, signalwire::ParticipantStatus::Unknown(_)),
            "{value}"
        );
        assert_eq!(serde_json::to_value(&status).unwrap(), *value);
    }
}

/// Every Twilio participant field is optional and nullable: null and missing both decode to
/// `None`, one field at a time and all at once.
fn twilio_null_and_missing_fields_decode() {
    let base = twilio_base();
    for key in base.as_object().unwrap().keys() {
        for (how, input) in [
            ("null", with(&base, key, Value::Null)),
            ("missing", without(&base, key)),
        ] {
            let (participant, _) =
                decode_and_round_trip::<TwilioParticipant>(&format!("{key} {how}"), &input);
            let back = serde_json::to_value(&participant).unwrap();
            assert!(
                back.get(key).is_none(),
                "{key} {how}: written back as {:?}",
                back.get(key)
            );
        }
    }
    let all_null: Map<String, Value> = base
        .as_object()
        .unwrap()
        .keys()
        .map(|k| (k.clone(), Value::Null))
        .collect();
    assert_eq!(
        decode::<TwilioParticipant>(&Value::Object(all_null)).unwrap(),
        TwilioParticipant::default()
    );
    assert_eq!(
        decode::<TwilioParticipant>(&json!({})).unwrap(),
        TwilioParticipant::default()
    );
}

/// SignalWire's schema marks every field required; only `call_sid_to_coach` is nullable
/// (`anyOf: [uuid, null]`). The generated type accepts it null or missing (`None`).
fn signalwire_nullable_field_null_or_missing_decodes() {
    let base = signalwire_base();
    for input in [
        with(&base, "call_sid_to_coach", Value::Null),
        without(&base, "call_sid_to_coach"),
    ] {
        let participant: SignalWireParticipant = decode(&input).unwrap();
        assert_eq!(participant.call_sid_to_coach, None);
        assert_eq!(
            serde_json::to_value(&participant).unwrap()["call_sid_to_coach"],
            Value::Null
        );
    }
}

/// DOCUMENTED BEHAVIOUR: SignalWire's response schema lists all 13 fields as required, and the
/// generated struct follows it: `call_sid_to_coach` aside, each is a plain (non-`Option`)
/// field. A body that lacks one, or has it `null`, is a decode error (`missing field `x`` /
/// `invalid type: null`), never a panic; through the client it is `Error::Decode` (see
/// `signalwire_missing_required_field_is_error_decode_from_the_client`). Callers cannot get a
/// partial participant if SignalWire ever omits a field.
fn signalwire_missing_or_null_required_field_is_a_decode_error() {
    let base = signalwire_base();
    let doc = local_spec(Vendor::SignalWire);
    let required: Vec<&str> = doc["components"]["schemas"]["ConferenceParticipantResponse"]
        ["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(required.len(), 13);
    for key in required.into_iter().filter(|k| *k != "call_sid_to_coach") {
        let missing = without(&base, key);
        let outcome = std::panic::catch_unwind(|| decode::<SignalWireParticipant>(&missing));
        let error = outcome
            .unwrap_or_else(|_| panic!("decoding without `{key}` panicked"))
            .expect_err(key);
        assert!(
            error
                .to_string()
                .contains(&format!("missing field `{key}`")),
            "{key}: {error}"
        );
        let null = with(&base, key, Value::Null);
        let error = decode::<SignalWireParticipant>(&null).expect_err(key);
        assert!(
            error.to_string().contains("invalid type: null"),
            "{key}: {error}"
        );
    }
}

fn unknown_extra_fields_are_ignored() {
    let extra = json!({"nested": [1, {"a": null}], "flag": true});
    let twilio = twilio_base();
    let (decoded, unknown) = decode_and_round_trip::<TwilioParticipant>(
        "twilio extra",
        &with(&twilio, "x_new_field", extra.clone()),
    );
    assert_eq!(unknown, ["x_new_field"]);
    assert_eq!(decoded, decode::<TwilioParticipant>(&twilio).unwrap());
    // SignalWire's schema says `unevaluatedProperties: not {}` (no other fields allowed); the
    // client is lenient anyway, so a new field in a response does not break it.
    let signalwire = signalwire_base();
    let (decoded, unknown) = decode_and_round_trip::<SignalWireParticipant>(
        "signalwire extra",
        &with(&signalwire, "x_new_field", extra),
    );
    assert_eq!(unknown, ["x_new_field"]);
    assert_eq!(
        decoded,
        decode::<SignalWireParticipant>(&signalwire).unwrap()
    );
}

/// Neither Twilio spec documents an error body, so the client's `ApiErrorBody` is checked
/// against the shape Twilio's error documentation shows, and against a bare or odd body.
fn twilio_error_bodies_decode_into_api_error_body() {
    let documented = json!({
        "code": 20404,
        "message": "The requested resource /2010-04-01/Accounts/ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Conferences/CFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Participants/CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.json was not found",
        "more_info": "https://www.twilio.com/docs/errors/20404",
        "status": 404
    });
    let (body, unknown) = decode_and_round_trip::<ApiErrorBody>("twilio 404", &documented);
    assert!(unknown.is_empty());
    assert_eq!(body.code, Some(20404));
    assert_eq!(body.status, Some(404));
    let with_details = with(&documented, "details", json!({"reason": ["x"]}));
    let (body, _) = decode_and_round_trip::<ApiErrorBody>("twilio details", &with_details);
    assert_eq!(body.details, Some(json!({"reason": ["x"]})));
    assert_eq!(
        decode::<ApiErrorBody>(&json!({})).unwrap(),
        ApiErrorBody::default()
    );
    let nulls =
        json!({"code": null, "message": null, "more_info": null, "status": null, "details": null});
    // `details: null` is `Some(Value::Null)` or `None`; both are fine, the rest must be None.
    let body = decode::<ApiErrorBody>(&nulls).unwrap();
    assert_eq!(
        (body.code, body.message, body.more_info, body.status),
        (None, None, None, None)
    );
}

// ---------------------------------------------------------------------------------------------
// Through the client: a body missing a required field is `Error::Decode`
// ---------------------------------------------------------------------------------------------

/// Serves one HTTP response with `body` on loopback; returns the base URL.
async fn serve_once(status: u16, body: String) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut request = Vec::new();
        let mut chunk = [0u8; 4096];
        // Read the head and the (small, Content-Length) body before answering.
        loop {
            let n = socket.read(&mut chunk).await.unwrap();
            request.extend_from_slice(&chunk[..n]);
            if let Some(end) = request.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&request[..end]).to_ascii_lowercase();
                let length: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .map(|v| v.trim().parse().unwrap())
                    .unwrap_or(0);
                if request.len() >= end + 4 + length {
                    break;
                }
            }
            if n == 0 {
                break;
            }
        }
        let response = format!(
            "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        socket.write_all(response.as_bytes()).await.unwrap();
        let _ = socket.shutdown().await;
    });
    base_url
}

async fn signalwire_missing_required_field_is_error_decode_from_the_client() {
    let body = without(&signalwire_base(), "status").to_string();
    let base_url = serve_once(200, body).await;
    let client = signalwire::Client::with_config(ClientConfig::new(
        base_url,
        Credentials::basic("project", "token"),
    ))
    .unwrap();
    let request = signalwire::UpdateConferenceParticipantRequest {
        muted: Some(true),
        ..Default::default()
    };
    let result = client
        .account("b3877c40-da60-4998-90ad-b792e98472af")
        .update_participant(
            "b3877c40-da60-4998-90ad-b792e98472cf",
            "b3877c40-da60-4998-90ad-b792e98472ca",
            &request,
        )
        .await;
    match result {
        Err(Error::Decode {
            status,
            source,
            snippet,
            ..
        }) => {
            assert_eq!(status, 200);
            assert!(
                source.to_string().contains("missing field `status`"),
                "{source}"
            );
            assert!(snippet.starts_with("{\"account_sid\""), "{snippet}");
        }
        other => panic!("expected Error::Decode, got {other:?}"),
    }
}

async fn twilio_unknown_status_survives_the_client() {
    let body = with(&twilio_base(), "status", json!("on-hold-music")).to_string();
    let base_url = serve_once(200, body).await;
    let client = twilio::Client::with_config(ClientConfig::new(
        base_url,
        Credentials::basic("ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "token"),
    ))
    .unwrap();
    let participant = client
        .account("ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")
        .update_participant(
            "CFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            &twilio::UpdateParticipantRequest {
                muted: Some(true),
                ..Default::default()
            },
        )
        .await
        .expect("decodes");
    assert_eq!(
        participant.status,
        Some(twilio::ParticipantEnumStatus::from("on-hold-music"))
    );
    assert_eq!(
        participant.status.as_ref().unwrap().to_string(),
        "on-hold-music"
    );
}
