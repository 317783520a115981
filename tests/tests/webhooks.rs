//! Webhook payloads (issue 19): the conference events our specs describe decode from form
//! fields and from JSON, by the request's `Content-Type`, through the runtime's one form
//! decoder; unknown event values are kept, unknown fields ignored, and a bad value is an error
//! naming its field. The five webhooks of the upstream SignalWire spec generate typed
//! payloads that decode every example the spec gives (needs `../shared/specs`).
//!
//! Every body here is written for these tests; none is copied from a provider.

use serde_json::{json, Value};
use std::path::Path;
use telephony_client::webhooks::{WebhookDecodeError, WebhookPayload};
use telephony_client::{signalwire, twilio, Timestamp};
use telephony_codegen::ir::TypeKind;
use telephony_codegen::{CrateRequest, Mode, ModuleRequest, Selection};
use telephony_tests::Need::SharedSpec;
use telephony_tests::{repo_root, shared_spec, trial};

const FORM: Option<&str> = Some("application/x-www-form-urlencoded");
const JSON: Option<&str> = Some("application/json; charset=utf-8");

fn main() -> std::process::ExitCode {
    telephony_tests::run(vec![
        trial!(&[], twilio_conference_events_decode_from_form_fields),
        trial!(&[], twilio_conference_events_decode_from_json),
        trial!(&[], signalwire_conference_events_decode_from_form_and_json),
        trial!(&[], unknown_values_are_kept_and_unknown_fields_ignored),
        trial!(&[], bad_values_are_errors_naming_the_field),
        trial!(&[], the_content_type_decides_the_decoder),
        trial!(&[], every_example_of_our_specs_webhooks_decodes),
        trial!(&[], payloads_decode_through_the_webhook_payload_trait),
        trial!(
            &[SharedSpec("signalwire_compatibility.yaml")],
            upstream_signalwire_webhooks_decode_every_example
        ),
    ])
}

fn twilio_form(body: &str) -> twilio::webhooks::ConferenceStatus {
    twilio::webhooks::ConferenceStatus::from_request(FORM, body.as_bytes())
        .unwrap_or_else(|e| panic!("{body}: {e}"))
}

/// The fields every Twilio conference event carries, as form text.
const TWILIO_COMMON: &str = "AccountSid=AC11111111111111111111111111111111&ConferenceSid=CF22222222222222222222222222222222&FriendlyName=support+huddle&Timestamp=Wed%2C+02+Dec+2026+14%3A30%3A00+%2B0000";

fn twilio_common() -> (String, String, String, Timestamp) {
    (
        "AC11111111111111111111111111111111".to_string(),
        "CF22222222222222222222222222222222".to_string(),
        "support huddle".to_string(),
        Timestamp::new("Wed, 02 Dec 2026 14:30:00 +0000"),
    )
}

#[allow(clippy::type_complexity)]
fn twilio_events() -> Vec<(&'static str, fn(&twilio::webhooks::ConferenceStatus))> {
    use twilio::webhooks::{ConferenceEndReason, ConferenceEvent, ParticipantCallStatus};
    vec![
        ("StatusCallbackEvent=conference-start&SequenceNumber=1", |e| {
            assert_eq!(e.status_callback_event, ConferenceEvent::ConferenceStart);
            assert_eq!(e.call_sid, None);
            assert_eq!(e.muted, None);
        }),
        ("StatusCallbackEvent=participant-join&SequenceNumber=2&CallSid=CA33333333333333333333333333333333&ParticipantLabel=agent+7&Muted=false&Hold=false&Coaching=false&EndConferenceOnExit=true&StartConferenceOnEnter=true", |e| {
            assert_eq!(e.status_callback_event, ConferenceEvent::ParticipantJoin);
            assert_eq!(e.sequence_number, 2);
            assert_eq!(e.call_sid.as_deref(), Some("CA33333333333333333333333333333333"));
            assert_eq!(e.participant_label.as_deref(), Some("agent 7"));
            assert_eq!((e.muted, e.hold, e.coaching), (Some(false), Some(false), Some(false)));
            assert_eq!((e.end_conference_on_exit, e.start_conference_on_enter), (Some(true), Some(true)));
        }),
        ("StatusCallbackEvent=participant-mute&SequenceNumber=3&CallSid=CA33333333333333333333333333333333&Muted=true&Hold=false", |e| {
            assert_eq!(e.status_callback_event, ConferenceEvent::ParticipantMute);
            assert_eq!(e.muted, Some(true));
        }),
        ("StatusCallbackEvent=participant-unmute&SequenceNumber=4&CallSid=CA33333333333333333333333333333333&Muted=false", |e| {
            assert_eq!(e.status_callback_event, ConferenceEvent::ParticipantUnmute);
            assert_eq!(e.muted, Some(false));
        }),
        ("StatusCallbackEvent=participant-hold&SequenceNumber=5&CallSid=CA33333333333333333333333333333333&Hold=true", |e| {
            assert_eq!(e.status_callback_event, ConferenceEvent::ParticipantHold);
            assert_eq!(e.hold, Some(true));
        }),
        ("StatusCallbackEvent=participant-unhold&SequenceNumber=6&CallSid=CA33333333333333333333333333333333&Hold=false", |e| {
            assert_eq!(e.status_callback_event, ConferenceEvent::ParticipantUnhold);
            assert_eq!(e.hold, Some(false));
        }),
        ("StatusCallbackEvent=participant-modify&SequenceNumber=7&CallSid=CA33333333333333333333333333333333&Coaching=true&CallSidToCoach=CA44444444444444444444444444444444", |e| {
            assert_eq!(e.status_callback_event, ConferenceEvent::ParticipantModify);
            assert_eq!(e.coaching, Some(true));
            assert_eq!(e.call_sid_to_coach.as_deref(), Some("CA44444444444444444444444444444444"));
        }),
        ("StatusCallbackEvent=participant-speech-start&SequenceNumber=8&CallSid=CA33333333333333333333333333333333", |e| {
            assert_eq!(e.status_callback_event, ConferenceEvent::ParticipantSpeechStart);
        }),
        ("StatusCallbackEvent=participant-speech-stop&SequenceNumber=9&CallSid=CA33333333333333333333333333333333", |e| {
            assert_eq!(e.status_callback_event, ConferenceEvent::ParticipantSpeechStop);
        }),
        ("StatusCallbackEvent=announcement-end&SequenceNumber=10&CallSid=CA33333333333333333333333333333333", |e| {
            assert_eq!(e.status_callback_event, ConferenceEvent::AnnouncementEnd);
        }),
        ("StatusCallbackEvent=announcement-fail&SequenceNumber=11&ReasonAnnouncementFailed=the+audio+file+could+not+be+fetched", |e| {
            assert_eq!(e.status_callback_event, ConferenceEvent::AnnouncementFail);
            assert_eq!(e.reason_announcement_failed.as_deref(), Some("the audio file could not be fetched"));
        }),
        ("StatusCallbackEvent=participant-leave&SequenceNumber=12&CallSid=CA33333333333333333333333333333333&ReasonParticipantLeft=participant_hung_up&ParticipantCallStatus=completed&Reason=hung+up", |e| {
            assert_eq!(e.status_callback_event, ConferenceEvent::ParticipantLeave);
            assert_eq!(e.reason_participant_left.as_deref(), Some("participant_hung_up"));
            assert_eq!(e.participant_call_status, Some(ParticipantCallStatus::Completed));
            assert_eq!(e.reason.as_deref(), Some("hung up"));
        }),
        ("StatusCallbackEvent=conference-end&SequenceNumber=13&ReasonConferenceEnded=participant-with-end-conference-on-exit-left&CallSidEndingConference=CA33333333333333333333333333333333&ParticipantLabelEndingConference=agent+7", |e| {
            assert_eq!(e.status_callback_event, ConferenceEvent::ConferenceEnd);
            assert_eq!(e.reason_conference_ended, Some(ConferenceEndReason::ParticipantWithEndConferenceOnExitLeft));
            assert_eq!(e.call_sid_ending_conference.as_deref(), Some("CA33333333333333333333333333333333"));
            assert_eq!(e.participant_label_ending_conference.as_deref(), Some("agent 7"));
        }),
    ]
}

/// Every event Twilio documents, as the form body it posts, decodes with its fields typed.
fn twilio_conference_events_decode_from_form_fields() {
    let events = twilio_events();
    assert_eq!(
        events.len(),
        13,
        "one body per StatusCallbackEvent value of the spec"
    );
    for (fields, check) in events {
        let event = twilio_form(&format!("{TWILIO_COMMON}&{fields}"));
        let (account, conference, name, timestamp) = twilio_common();
        assert_eq!(event.account_sid, account);
        assert_eq!(event.conference_sid, conference);
        assert_eq!(event.friendly_name, name);
        assert_eq!(event.timestamp, timestamp);
        assert!(
            event.timestamp.to_offset_date_time().is_some(),
            "RFC 2822 parses"
        );
        check(&event);
    }
}

/// The form bodies above as JSON objects (booleans and numbers as JSON values) decode to the
/// same events.
fn twilio_conference_events_decode_from_json() {
    for (fields, check) in twilio_events() {
        let form = format!("{TWILIO_COMMON}&{fields}");
        let mut object = serde_json::Map::new();
        for (key, value) in form_pairs(&form) {
            let value = match value.as_str() {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                _ if key == "SequenceNumber" => json!(value.parse::<i64>().expect("a number")),
                _ => Value::String(value),
            };
            object.insert(key, value);
        }
        let body = Value::Object(object).to_string();
        let event = twilio::webhooks::ConferenceStatus::from_request(JSON, body.as_bytes())
            .unwrap_or_else(|e| panic!("{body}: {e}"));
        assert_eq!(event, twilio_form(&form), "{body}");
        check(&event);
    }
}

fn form_pairs(form: &str) -> Vec<(String, String)> {
    form.split('&')
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let decode = |s: &str| {
                let s = s.replace('+', " ");
                let mut out = Vec::new();
                let bytes = s.as_bytes();
                let mut i = 0;
                while i < bytes.len() {
                    if bytes[i] == b'%' {
                        out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).expect("hex"));
                        i += 3;
                    } else {
                        out.push(bytes[i]);
                        i += 1;
                    }
                }
                String::from_utf8(out).expect("UTF-8")
            };
            (decode(key), decode(value))
        })
        .collect()
}

fn signalwire_conference_events_decode_from_form_and_json() {
    use signalwire::webhooks::{ConferenceStatusCallback, ConferenceStatusCallbackEvent as Event};
    let common = "AccountSid=0f8b1a2c-1111-4d2e-9c3b-5a6d7e8f9a0b&ConferenceSid=7c6b5a4d-2222-4e3f-8a9b-0c1d2e3f4a5b&FriendlyName=Room+42&Timestamp=Thu%2C+03+Dec+2026+08%3A00%3A00+%2B0000";
    let cases = [
        ("conference-start", "", Event::ConferenceStart),
        ("conference-end", "", Event::ConferenceEnd),
        ("participant-join", "&CallSid=9a8b7c6d-3333-4f5e-8d7c-6b5a4f3e2d1c&Muted=False&Hold=False&EndConferenceOnExit=False&StartConferenceOnEnter=True", Event::ParticipantJoin),
        ("participant-leave", "&CallSid=9a8b7c6d-3333-4f5e-8d7c-6b5a4f3e2d1c", Event::ParticipantLeave),
        ("participant-mute", "&CallSid=9a8b7c6d-3333-4f5e-8d7c-6b5a4f3e2d1c&Muted=true", Event::ParticipantMute),
        ("participant-unmute", "&CallSid=9a8b7c6d-3333-4f5e-8d7c-6b5a4f3e2d1c&Muted=false", Event::ParticipantUnmute),
        ("participant-hold", "&CallSid=9a8b7c6d-3333-4f5e-8d7c-6b5a4f3e2d1c&Hold=true", Event::ParticipantHold),
        ("participant-unhold", "&CallSid=9a8b7c6d-3333-4f5e-8d7c-6b5a4f3e2d1c&Hold=false", Event::ParticipantUnhold),
        ("participant-speech-start", "&CallSid=9a8b7c6d-3333-4f5e-8d7c-6b5a4f3e2d1c", Event::ParticipantSpeechStart),
        ("participant-speech-stop", "&CallSid=9a8b7c6d-3333-4f5e-8d7c-6b5a4f3e2d1c", Event::ParticipantSpeechStop),
    ];
    for (name, rest, expected) in cases {
        let form = format!("{common}&StatusCallbackEvent={name}{rest}");
        let event = ConferenceStatusCallback::from_request(FORM, form.as_bytes())
            .unwrap_or_else(|e| panic!("{form}: {e}"));
        assert_eq!(event.status_callback_event, expected);
        assert_eq!(event.friendly_name, "Room 42");
        // SignalWire's own examples capitalize booleans (`Muted=True`).
        if name == "participant-join" {
            assert_eq!(event.muted, Some(false));
            assert_eq!(event.start_conference_on_enter, Some(true));
        }
        let mut object = serde_json::Map::new();
        for (key, value) in form_pairs(&form) {
            let value = match value.to_ascii_lowercase().as_str() {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                _ => Value::String(value),
            };
            object.insert(key, value);
        }
        let body = Value::Object(object).to_string();
        let from_json = ConferenceStatusCallback::from_request(JSON, body.as_bytes())
            .unwrap_or_else(|e| panic!("{body}: {e}"));
        assert_eq!(from_json, event, "{body}");
    }
}

fn unknown_values_are_kept_and_unknown_fields_ignored() {
    use twilio::webhooks::ConferenceEvent;
    let form = format!(
        "{TWILIO_COMMON}&StatusCallbackEvent=participant-teleport&SequenceNumber=14&FutureField=1&ApiVersion=2010-04-01&Muted=true"
    );
    let event = twilio_form(&form);
    assert!(matches!(
        &event.status_callback_event,
        ConferenceEvent::Unknown(v) if v.as_str() == "participant-teleport"
    ));
    assert_eq!(event.status_callback_event.as_str(), "participant-teleport");
    assert_eq!(event.muted, Some(true));
    let json = json!({
        "AccountSid": "AC11111111111111111111111111111111",
        "ConferenceSid": "CF22222222222222222222222222222222",
        "FriendlyName": "support huddle",
        "Timestamp": "Wed, 02 Dec 2026 14:30:00 +0000",
        "StatusCallbackEvent": "participant-teleport",
        "SequenceNumber": "14",
        "FutureField": {"nested": [1, 2]},
        "Muted": true
    });
    let from_json =
        twilio::webhooks::ConferenceStatus::from_request(JSON, json.to_string().as_bytes())
            .expect("decodes");
    assert_eq!(from_json, event);
    // An empty value of a non-text field is "not given"; of a text field, empty text. A
    // repeated key keeps its last value, as JSON does.
    let event =
        twilio_form(&format!("{TWILIO_COMMON}&StatusCallbackEvent=participant-join&SequenceNumber=2&SequenceNumber=3&Muted=&ParticipantLabel=&ReasonConferenceEnded="));
    assert_eq!(event.sequence_number, 3);
    assert_eq!(event.muted, None);
    assert_eq!(event.participant_label.as_deref(), Some(""));
    assert_eq!(event.reason_conference_ended, None);
}

fn bad_values_are_errors_naming_the_field() {
    let decode = |content_type, body: &str| {
        twilio::webhooks::ConferenceStatus::from_request(content_type, body.as_bytes())
            .expect_err(body)
    };
    let e = decode(
        FORM,
        &format!(
            "{TWILIO_COMMON}&StatusCallbackEvent=participant-mute&SequenceNumber=3&Muted=loudly"
        ),
    );
    assert_eq!(e.field(), Some("Muted"));
    assert_eq!(
        e.to_string(),
        "form field `Muted`: invalid value `loudly`, expected `true` or `false`"
    );
    assert!(matches!(&e, WebhookDecodeError::Form(f) if f.message().contains("loudly")));
    let e = decode(
        FORM,
        &format!("{TWILIO_COMMON}&StatusCallbackEvent=participant-mute&SequenceNumber=third"),
    );
    assert_eq!(
        e.to_string(),
        "form field `SequenceNumber`: invalid value `third`, expected an integer"
    );
    let e = decode(
        FORM,
        &format!("{TWILIO_COMMON}&StatusCallbackEvent=participant-mute"),
    );
    assert_eq!(e.to_string(), "form field `SequenceNumber`: missing");
    let e = decode(
        JSON,
        r#"{"AccountSid": "AC1", "ConferenceSid": "CF1", "FriendlyName": "f", "Timestamp": "t",
            "StatusCallbackEvent": "participant-mute", "SequenceNumber": 3, "Muted": "loudly"}"#,
    );
    assert_eq!(e.field(), Some("Muted"));
    assert_eq!(
        e.to_string(),
        "JSON body: invalid type: string \"loudly\", expected a boolean at `.Muted`"
    );
    let e = decode(JSON, r#"{"AccountSid": "AC1"#);
    assert!(
        e.to_string().starts_with("JSON body: EOF while parsing"),
        "{e}"
    );
    assert_eq!(e.field(), None);
    let e = decode(JSON, r#"["not", "an", "object"]"#);
    assert!(
        e.to_string().contains("expected struct ConferenceStatus"),
        "{e}"
    );
}

fn the_content_type_decides_the_decoder() {
    let form = format!("{TWILIO_COMMON}&StatusCallbackEvent=conference-start&SequenceNumber=1");
    let json = json!({
        "AccountSid": "AC11111111111111111111111111111111",
        "ConferenceSid": "CF22222222222222222222222222222222",
        "FriendlyName": "support huddle",
        "Timestamp": "Wed, 02 Dec 2026 14:30:00 +0000",
        "StatusCallbackEvent": "conference-start",
        "SequenceNumber": 1
    })
    .to_string();
    let decode = |ct: Option<&str>, body: &str| {
        twilio::webhooks::ConferenceStatus::from_request(ct, body.as_bytes())
    };
    let expected = twilio_form(&form);
    for ct in [
        Some("application/x-www-form-urlencoded; charset=UTF-8"),
        Some("Application/X-WWW-Form-Urlencoded"),
        None,
    ] {
        assert_eq!(decode(ct, &form).as_ref(), Ok(&expected), "{ct:?}");
    }
    for ct in [
        Some("application/json"),
        Some("application/vnd.twilio+json"),
        None,
    ] {
        assert_eq!(decode(ct, &json).as_ref(), Ok(&expected), "{ct:?}");
    }
    // A form body labelled JSON is read as JSON, and fails as JSON.
    assert!(matches!(
        decode(Some("application/json"), &form),
        Err(WebhookDecodeError::Json { .. })
    ));
    assert_eq!(
        decode(Some("text/xml"), "<Event/>"),
        Err(WebhookDecodeError::UnsupportedContentType(
            "text/xml".to_string()
        ))
    );
}

/// The examples our specs give for their webhooks decode, as form fields and as JSON.
fn every_example_of_our_specs_webhooks_decodes() {
    let read = |file: &str| -> Value {
        let text = std::fs::read_to_string(repo_root().join(file)).expect("spec reads");
        serde_yaml::from_str(&text).expect("spec is YAML")
    };
    let twilio = read("specs/twilio.yaml");
    let signalwire = read("specs/signalwire.yaml");
    let bodies = [
        &twilio["components"]["callbacks"]["ConferenceStatus"]
            ["{$request.body#/ConferenceStatusCallback}"]["post"]["requestBody"],
        &signalwire["webhooks"]["conferenceStatusCallback"]["post"]["requestBody"],
    ];
    let mut decoded = 0;
    for (index, body) in bodies.into_iter().enumerate() {
        let examples = body["content"]["application/x-www-form-urlencoded"]["examples"]
            .as_object()
            .expect("examples");
        for (name, example) in examples {
            let value = &example["value"];
            let form = to_form(value);
            let json = value.to_string();
            if index == 0 {
                let from_form =
                    twilio::webhooks::ConferenceStatus::from_request(FORM, form.as_bytes())
                        .unwrap_or_else(|e| panic!("{name}: {e}"));
                let from_json =
                    twilio::webhooks::ConferenceStatus::from_request(JSON, json.as_bytes())
                        .unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(from_form, from_json, "{name}");
            } else {
                let from_form = signalwire::webhooks::ConferenceStatusCallback::from_request(
                    FORM,
                    form.as_bytes(),
                )
                .unwrap_or_else(|e| panic!("{name}: {e}"));
                let from_json = signalwire::webhooks::ConferenceStatusCallback::from_request(
                    JSON,
                    json.as_bytes(),
                )
                .unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(from_form, from_json, "{name}");
            }
            decoded += 1;
        }
    }
    assert_eq!(decoded, 2, "one example per spec");
}

/// An object's scalar members as a form body, in its key order.
fn to_form(value: &Value) -> String {
    let mut out = String::new();
    for (key, value) in value.as_object().expect("an object") {
        let text = match value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        if !out.is_empty() {
            out.push('&');
        }
        out.push_str(&format!("{}={}", encode(key), encode(&text)));
    }
    out
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => {
                (b as char).to_string()
            }
            b' ' => "+".to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// What a framework extractor does: decode whatever payload type the handler asks for.
fn payloads_decode_through_the_webhook_payload_trait() {
    fn decode<T: WebhookPayload>(content_type: Option<&str>, body: &str) -> T {
        match T::from_request(content_type, body.as_bytes()) {
            Ok(payload) => payload,
            Err(e) => panic!("{body}: {e}"),
        }
    }
    let event: twilio::webhooks::ConferenceStatus = decode(
        FORM,
        &format!("{TWILIO_COMMON}&StatusCallbackEvent=conference-start&SequenceNumber=1"),
    );
    assert_eq!(event.sequence_number, 1);
    let event: signalwire::webhooks::ConferenceStatusCallback = decode(
        FORM,
        "AccountSid=a&ConferenceSid=c&FriendlyName=f&Timestamp=t&StatusCallbackEvent=conference-end",
    );
    assert_eq!(event.account_sid, "a");
    // The verifier's `verify_event` and the axum extractor take any payload; the generated
    // ones report the field that did not decode.
    fn typed<T: WebhookPayload<Error = WebhookDecodeError>>() {}
    typed::<twilio::webhooks::ConferenceStatus>();
    typed::<signalwire::webhooks::ConferenceStatusCallback>();
    let _: Option<telephony_client::webhooks::VerifiedWebhook<twilio::webhooks::ConferenceStatus>> =
        None;
}

// ---------------------------------------------------------------------------------------------
// The upstream SignalWire spec's five webhooks
// ---------------------------------------------------------------------------------------------

/// Generates the upstream SignalWire spec (one operation, and all its webhooks) into a crate,
/// then compiles and runs a program that decodes, into each webhook's payload type, an object
/// built from the examples of every property of its schema: one per example, as JSON and as
/// form fields.
fn upstream_signalwire_webhooks_decode_every_example() {
    let spec_path = shared_spec("signalwire_compatibility.yaml");
    let selection = Selection::Ids(vec!["list_all_participants".to_string()]);
    let api =
        telephony_codegen::api_from_file(&spec_path, "signalwire_compatibility.yaml", &selection)
            .expect("the upstream spec generates");
    let features = telephony_codegen::emit::features::module_features(&api, "api");
    let names: Vec<&str> = api.webhooks.iter().map(|h| h.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "incomingCallStatusCallback",
            "recordingStatusCallback",
            "smsStatusCallback",
            "transcriptionStatusCallback",
            "voiceStatusCallback"
        ]
    );
    let text = std::fs::read_to_string(&spec_path).expect("spec reads");
    let spec: Value = serde_yaml::from_str(&text).expect("spec is YAML");
    let mut cases = Vec::new();
    let mut arms = Vec::new();
    for hook in &api.webhooks {
        let def = api.type_def(hook.payload);
        let TypeKind::Struct(_) = &def.kind else {
            panic!("{} is not a struct", def.name)
        };
        assert!(features.webhook_only[hook.payload.index()], "{}", def.name);
        let pointer = def.origin.trim_start_matches('#');
        let schema = spec
            .pointer(pointer)
            .unwrap_or_else(|| panic!("{pointer} in the spec"));
        let properties = schema["properties"].as_object().expect("properties");
        let first = |p: &Value| p["examples"].get(0).or(p.get("example")).cloned();
        let base: serde_json::Map<String, Value> = properties
            .iter()
            .filter_map(|(k, p)| first(p).map(|v| (k.clone(), v)))
            .collect();
        assert!(!base.is_empty(), "{} has examples", def.name);
        // One object per example of each property, the other properties at their first.
        let mut objects = vec![Value::Object(base.clone())];
        for (key, property) in properties {
            for example in property["examples"]
                .as_array()
                .into_iter()
                .flatten()
                .skip(1)
            {
                let mut object = base.clone();
                object.insert(key.clone(), example.clone());
                objects.push(Value::Object(object));
            }
        }
        for object in objects {
            cases.push(
                json!({"type": def.name, "json": object.to_string(), "form": to_form(&object)}),
            );
        }
        arms.push(format!(
            "\"{0}\" => check::<client::api::webhooks::{0}>(&json, &form),",
            def.name
        ));
    }
    let workspace = tempfile::Builder::new()
        .prefix("webhooks-upstream-")
        .tempdir()
        .expect("tempdir");
    let root = workspace.path();
    let request = CrateRequest::new(
        "signalwire-webhooks",
        "0.1.0",
        vec![ModuleRequest {
            selection,
            ..ModuleRequest::all("api", spec_path.clone(), "signalwire_compatibility.yaml")
        }],
    );
    telephony_codegen::run(&request, &root.join("client"), Mode::Write).expect("generates");
    write(
        root,
        "Cargo.toml",
        "[workspace]\nresolver = \"2\"\nmembers = [\"client\", \"check\"]\n",
    );
    write(
        root,
        "check/Cargo.toml",
        "[package]\nname = \"check\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n[dependencies]\nclient = { package = \"signalwire-webhooks\", path = \"../client\", features = [\"webhooks\"] }\nserde_json = \"1\"\n",
    );
    write(
        root,
        "check/cases.json",
        &Value::Array(cases.clone()).to_string(),
    );
    write(
        root,
        "check/src/main.rs",
        &format!(
            r#"//! Decodes every case of `cases.json` as JSON and as form fields.
use client::webhooks::WebhookPayload;

fn check<T: WebhookPayload + PartialEq + std::fmt::Debug>(json: &str, form: &str) {{
    let from_json = T::from_request(Some("application/json"), json.as_bytes())
        .unwrap_or_else(|e| panic!("{{json}}: {{e}}"));
    let from_form = T::from_request(Some("application/x-www-form-urlencoded"), form.as_bytes())
        .unwrap_or_else(|e| panic!("{{form}}: {{e}}"));
    assert_eq!(from_json, from_form, "{{json}}");
}}

fn main() {{
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/cases.json")).expect("cases");
    let cases: Vec<serde_json::Value> = serde_json::from_str(&text).expect("cases parse");
    for case in &cases {{
        let (json, form) = (case["json"].as_str().unwrap_or_default(), case["form"].as_str().unwrap_or_default());
        match case["type"].as_str().unwrap_or_default() {{
            {}
            other => panic!("no payload type {{other}}"),
        }}
    }}
    println!("decoded {{}} cases", cases.len());
}}
"#,
            arms.join("\n            ")
        ),
    );
    std::fs::copy(repo_root().join("Cargo.lock"), root.join("Cargo.lock")).expect("Cargo.lock");
    let output = telephony_tests::cargo_in_shared_target(root)
        .args(["run", "--quiet", "-p", "check"])
        .output()
        .expect("run cargo");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        stdout.trim(),
        format!("decoded {} cases", cases.len()),
        "{stdout}"
    );
}

fn write(root: &Path, path: &str, text: &str) {
    let path = root.join(path);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(path, text).expect("write");
}
