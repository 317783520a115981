//! Exact-wire tests: what each generated client puts on the socket (method, raw request
//! target, headers, raw form body) for both providers, against a loopback server.

mod support;

use base64::Engine as _;
use proptest::prelude::*;
use support::*;
use telephony_client::{default_user_agent, signalwire, twilio, Error, InvalidRequest};

const USER: &str = ACCOUNT;
const TOKEN: &str = "wire-test-token";
/// `base64("AC0123456789abcdef0123456789abcdef:wire-test-token")`, written out.
const BASIC: &str = "Basic QUMwMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZjp3aXJlLXRlc3QtdG9rZW4=";

// ---------------------------------------------------------------------------------------
// Helpers

/// Sends a Twilio update to a fresh server that answers 200; returns the request seen.
async fn twilio_wire(call_sid: &str, body: &twilio::UpdateParticipantRequest) -> Recorded {
    let server = Server::start(Behaviour::json(200, TWILIO_PARTICIPANT)).await;
    let client = twilio_client(&server.url(), USER, TOKEN);
    let participant = client
        .update_participant(CONFERENCE, call_sid, body)
        .await
        .expect("the update succeeds");
    assert_eq!(participant.call_sid.as_deref(), Some(CALL));
    let request = server.only_request();
    assert_common_headers(&request, &server);
    request
}

/// Sends a SignalWire update to a fresh server that answers 200; returns the request seen.
async fn signalwire_wire(
    call_sid: &str,
    body: &signalwire::UpdateConferenceParticipantRequest,
) -> Recorded {
    let server = Server::start(Behaviour::json(200, SIGNALWIRE_PARTICIPANT)).await;
    let client = signalwire_client(&server.url(), USER, TOKEN);
    let participant = client
        .account(SW_PROJECT)
        .update_participant(SW_CONFERENCE, call_sid, body)
        .await
        .expect("the update succeeds");
    assert_eq!(participant.call_sid, SW_CALL);
    let request = server.only_request();
    assert_common_headers(&request, &server);
    request
}

fn twilio_target(call_segment: &str) -> String {
    format!(
        "/2010-04-01/Accounts/{ACCOUNT}/Conferences/{CONFERENCE}/Participants/{call_segment}.json"
    )
}

fn signalwire_target(call_segment: &str) -> String {
    format!(
        "{SW_BASE_PATH}/Accounts/{SW_PROJECT}/Conferences/{SW_CONFERENCE}/Participants/{call_segment}"
    )
}

fn assert_common_headers(request: &Recorded, server: &Server) {
    assert_eq!(request.method, "POST");
    assert_eq!(request.version, "HTTP/1.1");
    assert_eq!(request.header("host"), server.addr().to_string());
    let expected_basic = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{TOKEN}"))
    );
    assert_eq!(expected_basic, BASIC);
    assert_eq!(request.header("authorization"), BASIC);
    assert_eq!(
        request.header("content-type"),
        "application/x-www-form-urlencoded"
    );
    assert_eq!(request.header("accept"), "application/json");
    assert_eq!(default_user_agent(), "telephony-client/0.1.0");
    assert_eq!(request.header("user-agent"), default_user_agent());
    // An empty body may come without `Content-Length` (see
    // `empty_post_declares_content_length_zero` for why it should not).
    if !request.body.is_empty() || !request.header_values("content-length").is_empty() {
        assert_eq!(
            request.header("content-length"),
            request.body.len().to_string()
        );
    }
    assert!(request.header_values("transfer-encoding").is_empty());
}

/// The request target's last segment after `prefix`: exactly one segment, no query or
/// fragment, only unreserved characters and upper-case `%XX` escapes.
fn last_segment<'a>(target: &'a str, prefix: &str) -> &'a str {
    assert!(
        target.starts_with(prefix),
        "target {target:?} does not start with {prefix:?}"
    );
    let segment = &target[prefix.len()..];
    assert!(!segment.contains('/'), "extra segment in {target:?}");
    assert!(!segment.contains('?'), "query in {target:?}");
    assert!(!segment.contains('#'), "fragment in {target:?}");
    assert!(!segment.is_empty(), "empty segment in {target:?}");
    let bytes = segment.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' {
            assert!(i + 3 <= bytes.len(), "truncated escape in {target:?}");
            let hex = &bytes[i + 1..i + 3];
            assert!(
                hex.iter()
                    .all(|h| h.is_ascii_digit() || (b'A'..=b'F').contains(h)),
                "escape not upper-case hex in {target:?}"
            );
            i += 3;
        } else {
            assert!(
                b.is_ascii_alphanumeric() || b"-._~".contains(&b),
                "raw {:?} in {target:?}",
                b as char
            );
            i += 1;
        }
    }
    segment
}

/// Asserts `target` is the Twilio path with `label` as the one CallSid segment.
fn assert_twilio_label(target: &str, label: &str) {
    let prefix = twilio_target("");
    let prefix = prefix.trim_end_matches(".json");
    assert_eq!(target.matches('/').count(), 7, "slashes in {target:?}");
    let segment = last_segment(target, prefix);
    let encoded = segment
        .strip_suffix(".json")
        .unwrap_or_else(|| panic!("`.json` suffix lost in {target:?}"));
    assert_eq!(
        percent_decode(encoded),
        label.as_bytes(),
        "{target:?} does not decode to {label:?}"
    );
}

/// Asserts `target` is the SignalWire path with `label` as the one CallSid segment.
fn assert_signalwire_label(target: &str, label: &str) {
    let prefix = signalwire_target("");
    assert_eq!(target.matches('/').count(), 9, "slashes in {target:?}");
    let segment = last_segment(target, &prefix);
    assert_eq!(
        percent_decode(segment),
        label.as_bytes(),
        "{target:?} does not decode to {label:?}"
    );
}

/// A URL with a space, `?`, `&`, `=`, `/`, `~`, `*`, `+` and non-ASCII.
const HOLD_URL: &str = "https://example.com/~ops/hold music/β*.mp3?voice=alice&x=1+1";
/// [`HOLD_URL`] as WHATWG `application/x-www-form-urlencoded`, written out.
const HOLD_URL_FORM: &str =
    "https%3A%2F%2Fexample.com%2F%7Eops%2Fhold+music%2F%CE%B2*.mp3%3Fvoice%3Dalice%26x%3D1%2B1";

const ANNOUNCE_URL: &str = "https://example.com/announce?text=Grüße & bye";
const ANNOUNCE_URL_FORM: &str =
    "https%3A%2F%2Fexample.com%2Fannounce%3Ftext%3DGr%C3%BC%C3%9Fe+%26+bye";

const WAIT_URL: &str = "http://twimlets.com/holdmusic?Bucket=com.twilio.music.classical";
const WAIT_URL_FORM: &str =
    "http%3A%2F%2Ftwimlets.com%2Fholdmusic%3FBucket%3Dcom.twilio.music.classical";

// ---------------------------------------------------------------------------------------
// Bodies: Twilio

#[tokio::test]
async fn twilio_muted_only() {
    let request = twilio_wire(
        CALL,
        &twilio::UpdateParticipantRequest {
            muted: Some(true),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(request.target, twilio_target(CALL));
    assert_eq!(request.body_text(), "Muted=true");
}

#[tokio::test]
async fn twilio_unmute_sends_false() {
    let request = twilio_wire(
        CALL,
        &twilio::UpdateParticipantRequest {
            muted: Some(false),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(request.body_text(), "Muted=false");
}

#[tokio::test]
async fn twilio_hold_with_hostile_hold_url() {
    let request = twilio_wire(
        CALL,
        &twilio::UpdateParticipantRequest {
            hold: Some(true),
            hold_url: Some(HOLD_URL.into()),
            hold_method: Some(twilio::HttpMethod::Post),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(request.target, twilio_target(CALL));
    assert_eq!(
        request.body_text(),
        format!("Hold=true&HoldUrl={HOLD_URL_FORM}&HoldMethod=POST")
    );
}

#[tokio::test]
async fn twilio_coaching() {
    let request = twilio_wire(
        CALL,
        &twilio::UpdateParticipantRequest {
            coaching: Some(true),
            call_sid_to_coach: Some(COACHED.into()),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(
        request.body_text(),
        "Coaching=true&CallSidToCoach=CAfedcba9876543210fedcba9876543210"
    );
}

#[tokio::test]
async fn twilio_every_parameter_in_spec_order() {
    let request = twilio_wire(
        CALL,
        &twilio::UpdateParticipantRequest {
            muted: Some(true),
            hold: Some(false),
            hold_url: Some(HOLD_URL.into()),
            hold_method: Some(twilio::HttpMethod::Get),
            announce_url: Some(ANNOUNCE_URL.into()),
            announce_method: Some(twilio::HttpMethod::Post),
            wait_url: Some(WAIT_URL.into()),
            wait_method: Some(twilio::HttpMethod::Get),
            beep_on_exit: Some(false),
            end_conference_on_exit: Some(true),
            coaching: Some(true),
            call_sid_to_coach: Some(COACHED.into()),
        },
    )
    .await;
    assert_eq!(request.target, twilio_target(CALL));
    let expected = [
        "Muted=true".to_string(),
        "Hold=false".into(),
        format!("HoldUrl={HOLD_URL_FORM}"),
        "HoldMethod=GET".into(),
        format!("AnnounceUrl={ANNOUNCE_URL_FORM}"),
        "AnnounceMethod=POST".into(),
        format!("WaitUrl={WAIT_URL_FORM}"),
        "WaitMethod=GET".into(),
        "BeepOnExit=false".into(),
        "EndConferenceOnExit=true".into(),
        "Coaching=true".into(),
        "CallSidToCoach=CAfedcba9876543210fedcba9876543210".into(),
    ]
    .join("&");
    assert_eq!(request.body_text(), expected);
}

#[tokio::test]
async fn twilio_no_parameters_sends_an_empty_body() {
    let request = twilio_wire(CALL, &twilio::UpdateParticipantRequest::default()).await;
    assert_eq!(request.target, twilio_target(CALL));
    assert_eq!(request.body, b"");
}

/// RFC 9110 §8.6: "a user agent normally sends Content-Length in a POST request even when
/// the value is 0"; some front ends answer `411 Length Required` otherwise.
#[tokio::test]

async fn empty_post_declares_content_length_zero() {
    let request = twilio_wire(CALL, &twilio::UpdateParticipantRequest::default()).await;
    assert_eq!(request.header_values("content-length"), ["0"]);
    let request = signalwire_wire(
        SW_CALL,
        &signalwire::UpdateConferenceParticipantRequest::default(),
    )
    .await;
    assert_eq!(request.header_values("content-length"), ["0"]);
}

#[tokio::test]
async fn twilio_empty_wait_url_is_sent() {
    let request = twilio_wire(
        CALL,
        &twilio::UpdateParticipantRequest {
            wait_url: Some(String::new()),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(request.body_text(), "WaitUrl=");
}

#[tokio::test]
async fn twilio_unknown_enum_value_is_sent_as_given() {
    let request = twilio_wire(
        CALL,
        &twilio::UpdateParticipantRequest {
            hold_method: Some(twilio::HttpMethod::from("PUT it")),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(request.body_text(), "HoldMethod=PUT+it");
}

// ---------------------------------------------------------------------------------------
// Bodies: SignalWire

#[tokio::test]
async fn signalwire_muted_only() {
    let request = signalwire_wire(
        SW_CALL,
        &signalwire::UpdateConferenceParticipantRequest {
            muted: Some(true),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(request.target, signalwire_target(SW_CALL));
    assert_eq!(request.body_text(), "Muted=true");
}

#[tokio::test]
async fn signalwire_hold_with_hostile_hold_url() {
    let request = signalwire_wire(
        SW_CALL,
        &signalwire::UpdateConferenceParticipantRequest {
            hold: Some(true),
            hold_url: Some(HOLD_URL.into()),
            hold_method: Some(signalwire::HttpMethod::Post),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(request.target, signalwire_target(SW_CALL));
    assert_eq!(
        request.body_text(),
        format!("Hold=true&HoldMethod=POST&HoldUrl={HOLD_URL_FORM}")
    );
}

#[tokio::test]
async fn signalwire_coaching() {
    let request = signalwire_wire(
        SW_CALL,
        &signalwire::UpdateConferenceParticipantRequest {
            coaching: Some(true),
            call_sid_to_coach: Some(SW_COACHED.into()),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(
        request.body_text(),
        "Coaching=true&CallSidToCoach=b3877c40-da60-4998-90ad-b792e98472c0"
    );
}

#[tokio::test]
async fn signalwire_every_parameter_in_spec_order() {
    let request = signalwire_wire(
        SW_CALL,
        &signalwire::UpdateConferenceParticipantRequest {
            announce_url: Some(ANNOUNCE_URL.into()),
            announce_method: Some(signalwire::HttpMethod::Post),
            beep: Some(true),
            coaching: Some(true),
            call_sid_to_coach: Some(SW_COACHED.into()),
            hold: Some(false),
            hold_method: Some(signalwire::HttpMethod::Get),
            hold_url: Some(HOLD_URL.into()),
            muted: Some(true),
            wait_url: Some(WAIT_URL.into()),
            wait_method: Some(signalwire::HttpMethod::Get),
        },
    )
    .await;
    assert_eq!(request.target, signalwire_target(SW_CALL));
    let expected = [
        format!("AnnounceUrl={ANNOUNCE_URL_FORM}"),
        "AnnounceMethod=POST".into(),
        "Beep=true".into(),
        "Coaching=true".into(),
        "CallSidToCoach=b3877c40-da60-4998-90ad-b792e98472c0".into(),
        "Hold=false".into(),
        "HoldMethod=GET".into(),
        format!("HoldUrl={HOLD_URL_FORM}"),
        "Muted=true".into(),
        format!("WaitUrl={WAIT_URL_FORM}"),
        "WaitMethod=GET".into(),
    ]
    .join("&");
    assert_eq!(request.body_text(), expected);
}

#[tokio::test]
async fn signalwire_no_parameters_sends_an_empty_body() {
    let request = signalwire_wire(
        SW_CALL,
        &signalwire::UpdateConferenceParticipantRequest::default(),
    )
    .await;
    assert_eq!(request.target, signalwire_target(SW_CALL));
    assert_eq!(request.body, b"");
}

#[tokio::test]
async fn signalwire_empty_wait_url_is_sent() {
    let request = signalwire_wire(
        SW_CALL,
        &signalwire::UpdateConferenceParticipantRequest {
            wait_url: Some(String::new()),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(request.body_text(), "WaitUrl=");
}

// ---------------------------------------------------------------------------------------
// Hostile path parameters

/// Participant labels that could add segments, a query or a fragment, or be mangled.
const HOSTILE_LABELS: &[&str] = &[
    "agent 7",
    "agent/7",
    "agent?7",
    "agent#7",
    "agent%7",
    "100%",
    "agent%2F7",
    "agent%20seven",
    "a&b",
    "a=b",
    "a+b",
    "a;b",
    "a,b",
    "a@b",
    "a:b",
    "a!b",
    "a$b",
    "a'b",
    "a(b)",
    "a*b",
    "a~b",
    "say \"hi\"",
    "<agent>",
    "back\\slash",
    "a^b",
    "a|b",
    "a`b",
    "{agent}",
    "agent 7/β?#&",
    "日本語 ☎",
    "emoji 📞",
    "tab\there",
    "new\nline",
    "nul\0byte",
    "/",
    "//",
    "?",
    "#",
    "%",
    "%2e",
    "%2e%2e",
    ".%2e",
    "...",
    "./x",
    "../x",
    "x/..",
    "x/.",
    "&=+;,@:!$'()*~",
    " ",
];

#[tokio::test]
async fn twilio_hostile_labels_are_one_segment_each() {
    let server = Server::start(Behaviour::json(200, TWILIO_PARTICIPANT)).await;
    let client = twilio_client(&server.url(), USER, TOKEN);
    let labels: Vec<&str> = HOSTILE_LABELS.iter().copied().chain([".", ".."]).collect();
    for label in &labels {
        client
            .update_participant(
                CONFERENCE,
                label,
                &twilio::UpdateParticipantRequest {
                    muted: Some(true),
                    ..Default::default()
                },
            )
            .await
            .unwrap_or_else(|e| panic!("label {label:?} failed: {e}"));
    }
    let requests = server.requests();
    assert_eq!(requests.len(), labels.len());
    for (request, label) in requests.iter().zip(&labels) {
        assert_common_headers(request, &server);
        assert_twilio_label(&request.target, label);
        assert_eq!(request.body_text(), "Muted=true");
    }
}

#[tokio::test]
async fn signalwire_hostile_labels_are_one_segment_each() {
    let server = Server::start(Behaviour::json(200, SIGNALWIRE_PARTICIPANT)).await;
    let client = signalwire_client(&server.url(), USER, TOKEN);
    for label in HOSTILE_LABELS {
        client
            .account(SW_PROJECT)
            .update_participant(
                SW_CONFERENCE,
                label,
                &signalwire::UpdateConferenceParticipantRequest::default(),
            )
            .await
            .unwrap_or_else(|e| panic!("label {label:?} failed: {e}"));
    }
    let requests = server.requests();
    assert_eq!(requests.len(), HOSTILE_LABELS.len());
    for (request, label) in requests.iter().zip(HOSTILE_LABELS) {
        assert_common_headers(request, &server);
        assert_signalwire_label(&request.target, label);
        assert_eq!(request.body, b"");
    }
}

#[tokio::test]
async fn hostile_labels_in_every_path_parameter() {
    // The account and conference SIDs get the same treatment as the call SID.
    let server = Server::start(Behaviour::json(200, TWILIO_PARTICIPANT)).await;
    let client = twilio_client(&server.url(), USER, TOKEN);
    let body = twilio::UpdateParticipantRequest::default();
    client
        .account("AC/1?x#y")
        .update_participant("CF 2&β", CALL, &body)
        .await
        .expect("the update succeeds");
    assert_eq!(
        server.only_request().target,
        format!("/2010-04-01/Accounts/AC%2F1%3Fx%23y/Conferences/CF%202%26%CE%B2/Participants/{CALL}.json")
    );
}

/// A few labels with their encoding written out: a space is `%20` (never `+`), `%` is
/// escaped, non-ASCII is upper-case UTF-8 escapes, and `.json` stays.
#[tokio::test]
async fn twilio_label_encodings_written_out() {
    let cases = [
        ("agent 7", "agent%207"),
        ("agent%2F7", "agent%252F7"),
        ("agent 7/β?#&", "agent%207%2F%CE%B2%3F%23%26"),
        ("a+b", "a%2Bb"),
        (".", "."),
        ("..", ".."),
        ("a.b_c-d~e", "a.b_c-d~e"),
    ];
    let server = Server::start(Behaviour::json(200, TWILIO_PARTICIPANT)).await;
    let client = twilio_client(&server.url(), USER, TOKEN);
    for (label, _) in cases {
        client
            .update_participant(
                CONFERENCE,
                label,
                &twilio::UpdateParticipantRequest::default(),
            )
            .await
            .unwrap_or_else(|e| panic!("label {label:?} failed: {e}"));
    }
    let targets: Vec<String> = server.requests().into_iter().map(|r| r.target).collect();
    let expected: Vec<String> = cases.iter().map(|(_, enc)| twilio_target(enc)).collect();
    assert_eq!(targets, expected);
}

#[tokio::test]
async fn signalwire_dot_segments_are_refused_before_sending() {
    let server = Server::start(Behaviour::json(200, SIGNALWIRE_PARTICIPANT)).await;
    let client = signalwire_client(&server.url(), USER, TOKEN);
    let body = signalwire::UpdateConferenceParticipantRequest::default();
    for dots in [".", ".."] {
        let error = client
            .account(SW_PROJECT)
            .update_participant(SW_CONFERENCE, dots, &body)
            .await
            .expect_err("a dot segment is refused");
        match error {
            Error::InvalidRequest(InvalidRequest::DotSegment { name, value }) => {
                assert_eq!(name, "CallSid");
                assert_eq!(value, dots);
            }
            other => panic!("expected DotSegment, got {other:?}"),
        }
        let error = client
            .account(dots)
            .update_participant(SW_CONFERENCE, SW_CALL, &body)
            .await
            .expect_err("a dot segment is refused");
        assert!(
            matches!(
                &error,
                Error::InvalidRequest(InvalidRequest::DotSegment { name: "AccountSid", value }) if value == dots
            ),
            "{error:?}"
        );
        let error = client
            .account(SW_PROJECT)
            .update_participant(dots, SW_CALL, &body)
            .await
            .expect_err("a dot segment is refused");
        assert!(
            matches!(
                &error,
                Error::InvalidRequest(InvalidRequest::DotSegment { name: "ConferenceSid", value }) if value == dots
            ),
            "{error:?}"
        );
        assert_eq!(error.status(), None);
    }
    assert!(server.requests().is_empty());
    assert_eq!(server.connections(), 0, "nothing may reach the server");
}

#[tokio::test]
async fn twilio_dot_segment_sids_are_refused_before_sending() {
    let server = Server::start(Behaviour::json(200, TWILIO_PARTICIPANT)).await;
    let client = twilio_client(&server.url(), USER, TOKEN);
    let body = twilio::UpdateParticipantRequest::default();
    for dots in [".", ".."] {
        let error = client
            .account(dots)
            .update_participant(CONFERENCE, CALL, &body)
            .await
            .expect_err("a dot segment is refused");
        assert!(
            matches!(
                &error,
                Error::InvalidRequest(InvalidRequest::DotSegment { name: "AccountSid", value }) if value == dots
            ),
            "{error:?}"
        );
        let error = client
            .update_participant(dots, CALL, &body)
            .await
            .expect_err("a dot segment is refused");
        assert!(
            matches!(
                &error,
                Error::InvalidRequest(InvalidRequest::DotSegment { name: "ConferenceSid", value }) if value == dots
            ),
            "{error:?}"
        );
    }
    assert!(server.requests().is_empty());
    assert_eq!(server.connections(), 0, "nothing may reach the server");
}

#[tokio::test]
async fn empty_path_parameters_are_refused_before_sending() {
    let tw_server = Server::start(Behaviour::json(200, TWILIO_PARTICIPANT)).await;
    let sw_server = Server::start(Behaviour::json(200, SIGNALWIRE_PARTICIPANT)).await;
    let tw = twilio_client(&tw_server.url(), USER, TOKEN);
    let sw = signalwire_client(&sw_server.url(), USER, TOKEN);
    let tw_body = twilio::UpdateParticipantRequest {
        muted: Some(true),
        ..Default::default()
    };
    let sw_body = signalwire::UpdateConferenceParticipantRequest {
        muted: Some(true),
        ..Default::default()
    };
    let cases: [(&str, [&str; 3]); 3] = [
        ("AccountSid", ["", CONFERENCE, CALL]),
        ("ConferenceSid", [ACCOUNT, "", CALL]),
        ("CallSid", [ACCOUNT, CONFERENCE, ""]),
    ];
    for (expected, [a, c, p]) in cases {
        let error = tw
            .account(a)
            .update_participant(c, p, &tw_body)
            .await
            .expect_err("an empty path parameter is refused");
        assert!(
            matches!(
                &error,
                Error::InvalidRequest(InvalidRequest::EmptyPathParameter { name }) if *name == expected
            ),
            "twilio {expected}: {error:?}"
        );
        assert_eq!(error.status(), None);
        let error = sw
            .account(a)
            .update_participant(c, p, &sw_body)
            .await
            .expect_err("an empty path parameter is refused");
        assert!(
            matches!(
                &error,
                Error::InvalidRequest(InvalidRequest::EmptyPathParameter { name }) if *name == expected
            ),
            "signalwire {expected}: {error:?}"
        );
    }
    assert!(tw_server.requests().is_empty());
    assert!(sw_server.requests().is_empty());
    assert_eq!(tw_server.connections() + sw_server.connections(), 0);
}

#[tokio::test]
async fn base_url_trailing_slash_adds_no_empty_segment() {
    let server = Server::start(Behaviour::json(200, SIGNALWIRE_PARTICIPANT)).await;
    let client = signalwire::Client::with_config(telephony_client::ClientConfig::new(
        format!("{}{SW_BASE_PATH}/", server.url()),
        telephony_client::Credentials::basic(USER, TOKEN),
    ))
    .expect("client builds");
    assert_eq!(client.base_url(), format!("{}{SW_BASE_PATH}", server.url()));
    client
        .account(SW_PROJECT)
        .update_participant(
            SW_CONFERENCE,
            SW_CALL,
            &signalwire::UpdateConferenceParticipantRequest::default(),
        )
        .await
        .expect("the update succeeds");
    assert_eq!(server.only_request().target, signalwire_target(SW_CALL));
}

// ---------------------------------------------------------------------------------------
// Property: any label round-trips as exactly one segment.

fn label_strategy() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[ -~]{1,24}",
        "[./%?#&= ]{1,8}",
        proptest::collection::vec(
            prop_oneof![Just('.'), Just('/'), Just('%'), Just('β'), any::<char>()],
            1..12
        )
        .prop_map(|chars| chars.into_iter().collect()),
    ]
    .prop_filter("non-empty, not a dot segment", |s| {
        !s.is_empty() && s != "." && s != ".."
    })
}

#[test]
fn any_label_round_trips_as_one_segment() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let (tw_server, sw_server) = runtime.block_on(async {
        (
            Server::start(Behaviour::json(200, TWILIO_PARTICIPANT)).await,
            Server::start(Behaviour::json(200, SIGNALWIRE_PARTICIPANT)).await,
        )
    });
    let tw = twilio_client(&tw_server.url(), USER, TOKEN);
    let sw = signalwire_client(&sw_server.url(), USER, TOKEN);
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 64,
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    runner
        .run(&label_strategy(), |label| {
            runtime.block_on(async {
                let before = tw_server.requests().len();
                tw.update_participant(
                    CONFERENCE,
                    &label,
                    &twilio::UpdateParticipantRequest::default(),
                )
                .await
                .map_err(|e| TestCaseError::fail(format!("twilio {label:?}: {e}")))?;
                let request = tw_server.requests().remove(before);
                assert_twilio_label(&request.target, &label);

                let before = sw_server.requests().len();
                sw.account(SW_PROJECT)
                    .update_participant(
                        SW_CONFERENCE,
                        &label,
                        &signalwire::UpdateConferenceParticipantRequest::default(),
                    )
                    .await
                    .map_err(|e| TestCaseError::fail(format!("signalwire {label:?}: {e}")))?;
                let request = sw_server.requests().remove(before);
                assert_signalwire_label(&request.target, &label);
                Ok(())
            })
        })
        .unwrap();
}

/// `format: date` and `date-time` parameters are `time` values on the caller's side and the
/// spec's text forms on the wire; an inequality filter's key keeps its `<`/`>`.
#[test]
fn dates_and_instants_go_out_in_their_spec_text_forms() {
    use telephony_client::time::{Date, Month, OffsetDateTime, UtcOffset};
    use telephony_client::WireValue;
    let date = Date::from_calendar_date(2025, Month::May, 1).expect("a date");
    let at = date
        .with_hms(9, 30, 5)
        .expect("a time")
        .assume_offset(UtcOffset::from_hms(-5, 0, 0).expect("an offset"));
    let utc = OffsetDateTime::from_unix_timestamp(1_746_091_805).expect("an instant");
    let mut pairs = Vec::new();
    date.push_to("DateCreated>", &mut pairs);
    at.push_to("StartTime<", &mut pairs);
    Some(utc).push_to("EndTime", &mut pairs);
    None::<Date>.push_to("DateUpdated", &mut pairs);
    assert_eq!(
        telephony_client::encode_form(&pairs),
        "DateCreated%3E=2025-05-01&StartTime%3C=2025-05-01T09%3A30%3A05-05%3A00&EndTime=2025-05-01T09%3A30%3A05Z"
    );
}
