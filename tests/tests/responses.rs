//! How both clients handle what comes back: documented errors, undocumented error pages,
//! broken success bodies, transport failures, and lenient decoding of odd-but-valid data.
//! Nothing here may panic.

mod support;

use std::time::Duration;

use serde_json::json;
use support::*;
use telephony_client::{signalwire, twilio, ApiErrorBody, Error};

const USER: &str = ACCOUNT;
const TOKEN: &str = "responses-test-token";

type TwilioResult = Result<twilio::ConferenceParticipant, Error<ApiErrorBody>>;
type SignalWireResult = Result<
    signalwire::ConferenceParticipantResponse,
    Error<signalwire::CompatibilityErrorResponse>,
>;

// Retries are off here: these tests are about what one response becomes (retries.rs
// covers which responses are retried).

async fn twilio_against(root: &str, timeout: Duration) -> TwilioResult {
    twilio::Client::with_config(config(root, USER, TOKEN).timeout(timeout).no_retries())
        .expect("twilio client builds")
        .update_participant(
            CONFERENCE,
            CALL,
            &twilio::UpdateParticipantRequest {
                muted: Some(true),
                ..Default::default()
            },
        )
        .await
        .map(telephony_client::Response::into_inner)
}

async fn signalwire_against(root: &str, timeout: Duration) -> SignalWireResult {
    let root = format!("{root}{SW_BASE_PATH}");
    signalwire::Client::with_config(config(&root, USER, TOKEN).timeout(timeout).no_retries())
        .expect("signalwire client builds")
        .account(SW_PROJECT)
        .update_participant(
            SW_CONFERENCE,
            SW_CALL,
            &signalwire::UpdateConferenceParticipantRequest {
                muted: Some(true),
                ..Default::default()
            },
        )
        .await
        .map(telephony_client::Response::into_inner)
}

/// One Twilio call against a server with `behaviour`; checks the request arrived.
async fn twilio_with(behaviour: Behaviour) -> TwilioResult {
    let server = Server::start(behaviour).await;
    let result = twilio_against(&server.url(), SAFETY_TIMEOUT).await;
    assert_eq!(server.requests().len(), 1);
    result
}

async fn signalwire_with(behaviour: Behaviour) -> SignalWireResult {
    let server = Server::start(behaviour).await;
    let result = signalwire_against(&server.url(), SAFETY_TIMEOUT).await;
    assert_eq!(server.requests().len(), 1);
    result
}

const ERROR_STATUSES: [u16; 7] = [400, 401, 404, 422, 429, 500, 503];

fn twilio_error_json(status: u16) -> String {
    let code = 20000 + u32::from(status);
    json!({
        "code": code,
        "message": format!("Problem {status}: the participant \"agent 7\" was not found"),
        "more_info": format!("https://www.twilio.com/docs/errors/{code}"),
        "status": status,
        "details": {"participant": "agent 7/β", "attempts": [1, 2, null], "nested": {"ok": false}}
    })
    .to_string()
}

fn signalwire_error_json(status: u16) -> String {
    json!({
        "code": 20000 + u32::from(status),
        "message": format!("Problem {status}"),
        "more_info": "https://signalwire.com/docs/compatibility-api/reference/errors",
        "status": status
    })
    .to_string()
}

// ---------------------------------------------------------------------------------------
// Documented error bodies → Error::Api

#[tokio::test]
async fn twilio_error_statuses_decode_every_field() {
    for status in ERROR_STATUSES {
        let body = twilio_error_json(status);
        let error = twilio_with(Behaviour::json(status, &body))
            .await
            .expect_err("an error status is an error");
        assert_eq!(error.status(), Some(status));
        assert_eq!(error.retry_after(), None);
        assert!(!error.is_timeout());
        let code = 20000 + i64::from(status);
        let expected = ApiErrorBody {
            code: Some(code),
            message: Some(format!(
                "Problem {status}: the participant \"agent 7\" was not found"
            )),
            more_info: Some(format!("https://www.twilio.com/docs/errors/{code}")),
            status: Some(i64::from(status)),
            details: Some(
                json!({"participant": "agent 7/β", "attempts": [1, 2, null], "nested": {"ok": false}}),
            ),
        };
        assert_eq!(error.api_body(), Some(&expected));
        match &error {
            Error::Api(api) => {
                assert_eq!(api.status, status);
                assert_eq!(api.body, expected);
                assert_eq!(api.raw, body);
                assert_eq!(api.retry_after(), None);
            }
            other => panic!("{status}: expected Error::Api, got {other:?}"),
        }
        // Display names the status and shows the body.
        let shown = error.to_string();
        assert!(shown.contains(&status.to_string()), "{shown}");
        assert!(shown.contains("Problem"), "{shown}");
    }
}

#[tokio::test]
async fn twilio_documented_404_example() {
    let body = r#"{"code":20404,"message":"The requested resource /2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Conferences/CF0123456789abcdef0123456789abcdef/Participants/CA0123456789abcdef0123456789abcdef.json was not found","more_info":"https://www.twilio.com/docs/errors/20404","status":404,"details":{"resource":"participant"}}"#;
    match twilio_with(Behaviour::json(404, body)).await {
        Err(Error::Api(api)) => {
            assert_eq!(api.status, 404);
            assert_eq!(api.body.code, Some(20404));
            assert!(api
                .body
                .message
                .as_deref()
                .unwrap()
                .ends_with("was not found"));
            assert_eq!(
                api.body.more_info.as_deref(),
                Some("https://www.twilio.com/docs/errors/20404")
            );
            assert_eq!(api.body.status, Some(404));
            assert_eq!(api.body.details, Some(json!({"resource": "participant"})));
            assert_eq!(api.raw, body);
        }
        other => panic!("expected Error::Api, got {other:?}"),
    }
}

#[tokio::test]
async fn twilio_error_without_details() {
    let body = r#"{"code":20003,"message":"Authenticate","more_info":"https://www.twilio.com/docs/errors/20003","status":401}"#;
    match twilio_with(Behaviour::json(401, body)).await {
        Err(Error::Api(api)) => {
            assert_eq!(
                api.body,
                ApiErrorBody {
                    code: Some(20003),
                    message: Some("Authenticate".into()),
                    more_info: Some("https://www.twilio.com/docs/errors/20003".into()),
                    status: Some(401),
                    details: None,
                }
            );
        }
        other => panic!("expected Error::Api, got {other:?}"),
    }
}

#[tokio::test]
async fn signalwire_error_statuses_decode_every_field() {
    for status in ERROR_STATUSES {
        let body = signalwire_error_json(status);
        let error = signalwire_with(Behaviour::json(status, &body))
            .await
            .expect_err("an error status is an error");
        assert_eq!(error.status(), Some(status));
        assert_eq!(error.retry_after(), None);
        let expected = signalwire::CompatibilityErrorResponse {
            code: 20000 + i32::from(status),
            message: format!("Problem {status}"),
            more_info: "https://signalwire.com/docs/compatibility-api/reference/errors".into(),
            status: i32::from(status),
        };
        assert_eq!(error.api_body(), Some(&expected));
        match &error {
            Error::Api(api) => {
                assert_eq!(api.status, status);
                assert_eq!(api.body, expected);
                assert_eq!(api.raw, body);
            }
            other => panic!("{status}: expected Error::Api, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn signalwire_error_with_extra_fields_still_decodes() {
    let body = twilio_error_json(404);
    match signalwire_with(Behaviour::json(404, &body)).await {
        Err(Error::Api(api)) => {
            assert_eq!(api.body.code, 20404);
            assert_eq!(api.body.status, 404);
            assert_eq!(
                api.body.more_info,
                "https://www.twilio.com/docs/errors/20404"
            );
            assert_eq!(api.raw, body);
        }
        other => panic!("expected Error::Api, got {other:?}"),
    }
}

/// Numbers sent as strings (as Twilio sends `price`) decode; text that is not a number does not.
#[tokio::test]
async fn numbers_sent_as_strings_decode() {
    let body = r#"{"code": "20404", "message": "m", "more_info": "u", "status": " 404 "}"#;
    match signalwire_with(Behaviour::json(404, body)).await {
        Err(Error::Api(api)) => {
            assert_eq!(api.body.code, 20404);
            assert_eq!(api.body.status, 404);
        }
        other => panic!("expected Error::Api, got {other:?}"),
    }
    let not_a_number = r#"{"code": "twenty", "message": "m", "more_info": "u", "status": 404}"#;
    match signalwire_with(Behaviour::json(404, not_a_number)).await {
        Err(Error::UnexpectedStatus {
            status: 404, body, ..
        }) => assert_eq!(body, not_a_number),
        other => panic!("expected Error::UnexpectedStatus, got {other:?}"),
    }
    let fraction = r#"{"code": 1.5, "message": "m", "more_info": "u", "status": 404}"#;
    assert!(matches!(
        signalwire_with(Behaviour::json(404, fraction)).await,
        Err(Error::UnexpectedStatus { .. })
    ));
}

// ---------------------------------------------------------------------------------------
// Retry-After

#[tokio::test]
async fn retry_after_seconds() {
    let body = twilio_error_json(429);
    let error = twilio_with(Behaviour::json(429, &body).with_header("Retry-After", "7"))
        .await
        .expect_err("429 is an error");
    assert!(matches!(error, Error::Api(_)), "{error:?}");
    assert_eq!(error.retry_after(), Some(Duration::from_secs(7)));

    let body = signalwire_error_json(429);
    let error = signalwire_with(Behaviour::json(429, &body).with_header("Retry-After", "7"))
        .await
        .expect_err("429 is an error");
    assert!(matches!(error, Error::Api(_)), "{error:?}");
    assert_eq!(error.retry_after(), Some(Duration::from_secs(7)));
}

#[tokio::test]
async fn retry_after_on_an_html_503_is_kept() {
    let error = twilio_with(
        Behaviour::reply(503, "text/html", "<html><body>Busy</body></html>")
            .with_header("Retry-After", "120"),
    )
    .await
    .expect_err("503 is an error");
    assert!(
        matches!(error, Error::UnexpectedStatus { status: 503, .. }),
        "{error:?}"
    );
    assert_eq!(error.retry_after(), Some(Duration::from_secs(120)));
}

/// `Sun, 06 Nov 1994 08:49:37 GMT`: the preferred HTTP-date form (RFC 9110 §5.6.7).
fn imf_fixdate(at: time::OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    format!(
        "{}, {:02} {} {} {:02}:{:02}:{:02} GMT",
        &at.weekday().to_string()[..3],
        at.day(),
        &at.month().to_string()[..3],
        at.year(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

#[tokio::test]
async fn retry_after_http_date() {
    let later = time::OffsetDateTime::now_utc() + time::Duration::seconds(120);
    let date = imf_fixdate(later);
    let body = twilio_error_json(429);
    let error = twilio_with(Behaviour::json(429, &body).with_header("Retry-After", &date))
        .await
        .expect_err("429 is an error");
    let delay = error
        .retry_after()
        .unwrap_or_else(|| panic!("Retry-After: {date} gives no delay"));
    assert!(delay <= Duration::from_secs(120), "{delay:?} for {date}");
    assert!(delay > Duration::from_secs(60), "{delay:?} for {date}");

    // A date already past means "now".
    let error = twilio_with(
        Behaviour::json(429, &body).with_header("Retry-After", "Sun, 06 Nov 1994 08:49:37 GMT"),
    )
    .await
    .expect_err("429 is an error");
    assert_eq!(error.retry_after(), Some(Duration::ZERO));
}

/// RFC 9110 §5.6.7: "A recipient that parses a timestamp value in an HTTP header field MUST
/// accept all three HTTP-date formats" (IMF-fixdate, RFC 850, asctime).
#[tokio::test]

async fn retry_after_obsolete_http_date_forms() {
    let body = twilio_error_json(503);
    for date in ["Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994"] {
        let error = twilio_with(Behaviour::json(503, &body).with_header("Retry-After", date))
            .await
            .expect_err("503 is an error");
        assert_eq!(
            error.retry_after(),
            Some(Duration::ZERO),
            "Retry-After: {date}"
        );
    }
}

#[tokio::test]
async fn unparsable_retry_after_is_none_without_failing() {
    let body = twilio_error_json(429);
    for value in ["soon", "-1", "7.5", ""] {
        let error = twilio_with(Behaviour::json(429, &body).with_header("Retry-After", value))
            .await
            .expect_err("429 is an error");
        assert!(matches!(error, Error::Api(_)), "{error:?}");
        assert_eq!(error.retry_after(), None, "Retry-After: {value:?}");
    }
}

// ---------------------------------------------------------------------------------------
// Undocumented error bodies → Error::UnexpectedStatus

const HTML_PAGE: &str =
    "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>";

#[tokio::test]
async fn html_error_page_is_unexpected_status() {
    for status in [404, 500, 502, 503] {
        let error = twilio_with(Behaviour::reply(status, "text/html", HTML_PAGE))
            .await
            .expect_err("error status");
        match &error {
            Error::UnexpectedStatus {
                status: s, body, ..
            } => {
                assert_eq!(*s, status);
                assert_eq!(body, HTML_PAGE);
            }
            other => panic!("expected UnexpectedStatus, got {other:?}"),
        }
        assert_eq!(error.status(), Some(status));
        assert!(error.api_body().is_none());

        let error = signalwire_with(Behaviour::reply(status, "text/html", HTML_PAGE))
            .await
            .expect_err("error status");
        match &error {
            Error::UnexpectedStatus {
                status: s, body, ..
            } => {
                assert_eq!(*s, status);
                assert_eq!(body, HTML_PAGE);
            }
            other => panic!("expected UnexpectedStatus, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn empty_error_body_is_unexpected_status() {
    for status in [400, 401, 500, 503] {
        let error = twilio_with(Behaviour::reply(status, "application/json", ""))
            .await
            .expect_err("error status");
        assert!(
            matches!(&error, Error::UnexpectedStatus { status: s, body, .. } if *s == status && body.is_empty()),
            "{error:?}"
        );
        let error = signalwire_with(Behaviour::reply(status, "application/json", ""))
            .await
            .expect_err("error status");
        assert!(
            matches!(&error, Error::UnexpectedStatus { status: s, body, .. } if *s == status && body.is_empty()),
            "{error:?}"
        );
    }
}

#[tokio::test]
async fn error_json_in_another_shape_is_unexpected_status() {
    // Not an object, or (SignalWire) missing required fields: the text is kept.
    for body in [r#""oops""#, "[1,2]", "null", r#"{"code":"#] {
        let error = twilio_with(Behaviour::json(400, body))
            .await
            .expect_err("error status");
        assert!(
            matches!(&error, Error::UnexpectedStatus { status: 400, body: b, .. } if b == body),
            "{body}: {error:?}"
        );
    }
    let body = r#"{"message":"no code"}"#;
    let error = signalwire_with(Behaviour::json(400, body))
        .await
        .expect_err("error status");
    assert!(
        matches!(&error, Error::UnexpectedStatus { status: 400, body: b, .. } if b == body),
        "{error:?}"
    );
}

// ---------------------------------------------------------------------------------------
// Broken success bodies → Error::Decode

#[tokio::test]
async fn malformed_and_truncated_success_bodies_are_decode_errors() {
    let truncated = &TWILIO_PARTICIPANT[..TWILIO_PARTICIPANT.len() / 2];
    let bodies: [&[u8]; 8] = [
        b"{\"account_sid\": \"AC\", oops}",
        // serde would read an array as a struct of optional fields: an object is required.
        b"[]",
        b"  [null, true]",
        truncated.as_bytes(),
        b"",
        b"<html>OK</html>",
        b"\"participant\"",
        b"\xff\xfe not utf-8",
    ];
    for body in bodies {
        let error = twilio_with(Behaviour::reply(200, "application/json", body))
            .await
            .expect_err("a broken body is an error");
        match &error {
            Error::Decode {
                status, snippet, ..
            } => {
                assert_eq!(*status, 200);
                assert_snippet(snippet, &String::from_utf8_lossy(body));
            }
            other => panic!("expected Decode, got {other:?}"),
        }
        assert_eq!(error.status(), Some(200));
        assert!(std::error::Error::source(&error).is_some());
    }
    let truncated = &SIGNALWIRE_PARTICIPANT[..SIGNALWIRE_PARTICIPANT.len() / 2];
    let error = signalwire_with(Behaviour::json(200, truncated))
        .await
        .expect_err("a truncated body is an error");
    match &error {
        Error::Decode {
            status: 200,
            snippet,
            ..
        } => assert_snippet(snippet, truncated),
        other => panic!("expected Decode, got {other:?}"),
    }
}

/// The snippet is the whole body, or its first 200 characters and `…`.
fn assert_snippet(snippet: &str, body: &str) {
    if body.chars().count() <= 200 {
        assert_eq!(snippet, body);
    } else {
        let head: String = body.chars().take(200).collect();
        assert_eq!(snippet, format!("{head}…"));
    }
}

#[tokio::test]
async fn decode_snippet_is_bounded() {
    let body = format!("{{\"junk\": \"{}\"", "β".repeat(5000));
    let error = twilio_with(Behaviour::json(200, &body))
        .await
        .expect_err("a broken body is an error");
    match &error {
        Error::Decode { snippet, .. } => {
            assert_eq!(snippet.chars().count(), 201);
            assert_snippet(snippet, &body);
        }
        other => panic!("expected Decode, got {other:?}"),
    }
}

#[tokio::test]
async fn signalwire_success_missing_a_required_field_is_a_decode_error() {
    let mut value: serde_json::Value = serde_json::from_str(SIGNALWIRE_PARTICIPANT).unwrap();
    value.as_object_mut().unwrap().remove("call_sid");
    let body = value.to_string();
    let error = signalwire_with(Behaviour::json(200, &body))
        .await
        .expect_err("call_sid is required");
    assert!(
        matches!(error, Error::Decode { status: 200, .. }),
        "{error:?}"
    );
}

// ---------------------------------------------------------------------------------------
// Transport failures → Error::Transport

#[tokio::test]
async fn connection_refused_is_transport() {
    let root = refused_url();
    let error = twilio_against(&root, SAFETY_TIMEOUT)
        .await
        .expect_err("nothing listens");
    match &error {
        Error::Transport(e) => assert!(e.is_connect(), "{e:?}"),
        other => panic!("expected Transport, got {other:?}"),
    }
    assert!(!error.is_timeout());
    assert_eq!(error.status(), None);

    let error = signalwire_against(&root, SAFETY_TIMEOUT)
        .await
        .expect_err("nothing listens");
    assert!(matches!(error, Error::Transport(_)), "{error:?}");
}

#[tokio::test]
async fn server_that_never_answers_times_out() {
    let server = Server::start(Behaviour::Hang).await;
    let error = twilio_against(&server.url(), Duration::from_millis(300))
        .await
        .expect_err("the server never answers");
    assert!(matches!(error, Error::Transport(_)), "{error:?}");
    assert!(error.is_timeout(), "{error:?}");
    assert_eq!(error.status(), None);

    let error = signalwire_against(&server.url(), Duration::from_millis(300))
        .await
        .expect_err("the server never answers");
    assert!(matches!(error, Error::Transport(_)), "{error:?}");
    assert!(error.is_timeout(), "{error:?}");
    assert_eq!(server.requests().len(), 2, "both requests arrived");
}

#[tokio::test]
async fn server_closing_mid_body_is_transport() {
    let behaviour = Behaviour::CloseMidBody {
        status: 200,
        declared_len: TWILIO_PARTICIPANT.len(),
        sent: TWILIO_PARTICIPANT.as_bytes()[..40].to_vec(),
    };
    let error = twilio_with(behaviour).await.expect_err("the body is cut");
    assert!(matches!(error, Error::Transport(_)), "{error:?}");
    assert!(!error.is_timeout());

    let behaviour = Behaviour::CloseMidBody {
        status: 200,
        declared_len: SIGNALWIRE_PARTICIPANT.len(),
        sent: SIGNALWIRE_PARTICIPANT.as_bytes()[..40].to_vec(),
    };
    let error = signalwire_with(behaviour)
        .await
        .expect_err("the body is cut");
    assert!(matches!(error, Error::Transport(_)), "{error:?}");
}

#[tokio::test]
async fn server_closing_an_error_body_mid_way_is_transport() {
    let body = twilio_error_json(500);
    let behaviour = Behaviour::CloseMidBody {
        status: 500,
        declared_len: body.len(),
        sent: body.as_bytes()[..10].to_vec(),
    };
    let error = twilio_with(behaviour).await.expect_err("the body is cut");
    assert!(matches!(error, Error::Transport(_)), "{error:?}");
}

#[tokio::test]
async fn server_closing_without_a_reply_is_transport() {
    let error = twilio_with(Behaviour::CloseWithoutReply)
        .await
        .expect_err("no reply");
    assert!(matches!(error, Error::Transport(_)), "{error:?}");
    let error = signalwire_with(Behaviour::CloseWithoutReply)
        .await
        .expect_err("no reply");
    assert!(matches!(error, Error::Transport(_)), "{error:?}");
}

// ---------------------------------------------------------------------------------------
// Lenient decoding of success bodies

#[tokio::test]
async fn complete_success_bodies_decode() {
    let participant = twilio_with(Behaviour::json(200, TWILIO_PARTICIPANT))
        .await
        .expect("decodes");
    assert_eq!(participant.account_sid.as_deref(), Some(ACCOUNT));
    assert_eq!(participant.label.as_deref(), Some("agent 7"));
    assert_eq!(participant.call_sid_to_coach, None);
    assert_eq!(participant.muted, Some(true));
    assert_eq!(participant.queue_time.as_deref(), Some("0"));
    assert_eq!(
        participant.status,
        Some(twilio::ParticipantEnumStatus::Connected)
    );

    let participant = signalwire_with(Behaviour::json(200, SIGNALWIRE_PARTICIPANT))
        .await
        .expect("decodes");
    assert_eq!(participant.account_sid, SW_PROJECT);
    assert_eq!(participant.call_sid_to_coach, None);
    assert!(participant.muted);
    assert_eq!(
        participant.status,
        signalwire::ParticipantStatus::InProgress
    );
}

fn with_field(json: &str, name: &str, value: serde_json::Value) -> String {
    let mut object: serde_json::Value = serde_json::from_str(json).unwrap();
    object.as_object_mut().unwrap().insert(name.into(), value);
    object.to_string()
}

#[tokio::test]
async fn unknown_extra_fields_are_ignored() {
    let extra = json!({"nested": [1, {"deep": true}], "text": "β"});
    let body = with_field(TWILIO_PARTICIPANT, "brand_new_field", extra.clone());
    let participant = twilio_with(Behaviour::json(200, &body))
        .await
        .expect("decodes");
    assert_eq!(participant.call_sid.as_deref(), Some(CALL));

    let body = with_field(SIGNALWIRE_PARTICIPANT, "brand_new_field", extra);
    let participant = signalwire_with(Behaviour::json(200, &body))
        .await
        .expect("decodes");
    assert_eq!(participant.call_sid, SW_CALL);
}

#[tokio::test]
async fn twilio_null_and_missing_fields_decode() {
    let mut all_null: serde_json::Value = serde_json::from_str(TWILIO_PARTICIPANT).unwrap();
    for value in all_null.as_object_mut().unwrap().values_mut() {
        *value = serde_json::Value::Null;
    }
    let participant = twilio_with(Behaviour::json(200, &all_null.to_string()))
        .await
        .expect("all-null decodes");
    assert_eq!(participant, twilio::ConferenceParticipant::default());

    let participant = twilio_with(Behaviour::json(200, "{}"))
        .await
        .expect("empty object decodes");
    assert_eq!(participant, twilio::ConferenceParticipant::default());

    let participant = twilio_with(Behaviour::json(200, r#"{"call_sid":"CA1","muted":null}"#))
        .await
        .expect("partial decodes");
    assert_eq!(participant.call_sid.as_deref(), Some("CA1"));
    assert_eq!(participant.muted, None);
    assert_eq!(participant.status, None);
}

#[tokio::test]
async fn signalwire_nullable_coach_decodes() {
    let body = with_field(
        SIGNALWIRE_PARTICIPANT,
        "call_sid_to_coach",
        json!("b3877c40-da60-4998-90ad-b792e98472c0"),
    );
    let participant = signalwire_with(Behaviour::json(200, &body))
        .await
        .expect("decodes");
    assert_eq!(participant.call_sid_to_coach.as_deref(), Some(SW_COACHED));
    let mut missing: serde_json::Value = serde_json::from_str(SIGNALWIRE_PARTICIPANT).unwrap();
    missing.as_object_mut().unwrap().remove("call_sid_to_coach");
    let participant = signalwire_with(Behaviour::json(200, &missing.to_string()))
        .await
        .expect("decodes");
    assert_eq!(participant.call_sid_to_coach, None);
}

#[tokio::test]
async fn unknown_status_is_kept_and_reserialized_unchanged() {
    let body = with_field(TWILIO_PARTICIPANT, "status", json!("on-fire"));
    let participant = twilio_with(Behaviour::json(200, &body))
        .await
        .expect("decodes");
    assert_eq!(
        participant.status,
        Some(twilio::ParticipantEnumStatus::from("on-fire"))
    );
    assert_eq!(participant.status.as_ref().unwrap().as_str(), "on-fire");
    let value = serde_json::to_value(&participant).unwrap();
    assert_eq!(value["status"], json!("on-fire"));
    let again: twilio::ConferenceParticipant = serde_json::from_value(value).unwrap();
    assert_eq!(again, participant);

    let body = with_field(SIGNALWIRE_PARTICIPANT, "status", json!("on-fire"));
    let participant = signalwire_with(Behaviour::json(200, &body))
        .await
        .expect("decodes");
    assert_eq!(
        participant.status,
        signalwire::ParticipantStatus::from("on-fire")
    );
    // Every SignalWire field is present, so the whole body re-serializes unchanged.
    let original: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(serde_json::to_value(&participant).unwrap(), original);
}

#[tokio::test]
async fn known_statuses_are_not_unknown() {
    for (text, expected) in [
        ("queued", twilio::ParticipantEnumStatus::Queued),
        ("connecting", twilio::ParticipantEnumStatus::Connecting),
        ("ringing", twilio::ParticipantEnumStatus::Ringing),
        ("connected", twilio::ParticipantEnumStatus::Connected),
        ("complete", twilio::ParticipantEnumStatus::Complete),
        ("failed", twilio::ParticipantEnumStatus::Failed),
        // Case matters: anything but the exact text is kept as unknown.
        (
            "Connected",
            twilio::ParticipantEnumStatus::from("Connected"),
        ),
        ("", twilio::ParticipantEnumStatus::from("")),
    ] {
        let parsed: twilio::ParticipantEnumStatus = serde_json::from_value(json!(text)).unwrap();
        assert_eq!(parsed, expected);
        assert_eq!(serde_json::to_value(&parsed).unwrap(), json!(text));
    }
}

#[tokio::test]
async fn twilio_dates_decode_whatever_their_text() {
    let body = with_field(
        TWILIO_PARTICIPANT,
        "date_created",
        json!("yesterday at noon"),
    );
    let body = with_field(&body, "date_updated", json!("2011-02-18T21:07:19Z"));
    let participant = twilio_with(Behaviour::json(200, &body))
        .await
        .expect("decodes");
    let created = participant.date_created.as_ref().unwrap();
    assert_eq!(created.as_str(), "yesterday at noon");
    assert_eq!(created.to_offset_date_time(), None);
    let updated = participant.date_updated.as_ref().unwrap();
    let at = updated.to_offset_date_time().expect("RFC 3339 parses");
    assert_eq!(at.unix_timestamp(), 1_298_063_239);
    assert_eq!(
        serde_json::to_value(&participant).unwrap()["date_created"],
        json!("yesterday at noon")
    );

    let participant = twilio_with(Behaviour::json(200, TWILIO_PARTICIPANT))
        .await
        .expect("decodes");
    let created = participant.date_created.as_ref().unwrap();
    assert_eq!(created.as_str(), "Fri, 18 Feb 2011 21:07:19 +0000");
    let at = created.to_offset_date_time().expect("RFC 2822 parses");
    assert_eq!(
        (
            at.year(),
            at.month(),
            at.day(),
            at.hour(),
            at.minute(),
            at.second()
        ),
        (2011, time::Month::February, 18, 21, 7, 19)
    );
    assert_eq!(at.unix_timestamp(), 1_298_063_239);
}

#[tokio::test]
async fn signalwire_dates_are_kept_as_text() {
    let body = with_field(
        SIGNALWIRE_PARTICIPANT,
        "date_created",
        json!("Mon, 24 Sept 2018 21:00:00 +0000"),
    );
    let participant = signalwire_with(Behaviour::json(200, &body))
        .await
        .expect("decodes");
    assert_eq!(participant.date_created, "Mon, 24 Sept 2018 21:00:00 +0000");
}

/// A field of the wrong type is named in the decode error (the body is decoded from a parsed
/// tree, which has no line and column to give).
#[tokio::test]
async fn a_field_of_the_wrong_type_is_named_in_the_decode_error() {
    let mut value: serde_json::Value = serde_json::from_str(TWILIO_PARTICIPANT).unwrap();
    value["muted"] = json!("loudly");
    let error = twilio_with(Behaviour::json(200, &value.to_string()))
        .await
        .expect_err("a string where a boolean belongs is an error");
    match &error {
        Error::Decode { source, .. } => assert_eq!(
            source.to_string(),
            "invalid type: string \"loudly\", expected a boolean at `.muted`"
        ),
        other => panic!("expected Decode, got {other:?}"),
    }
}

/// `Timestamp::rfc2822` and `rfc3339` write what `time`'s own formatters write (the runtime
/// spells them out so that `time`'s generic formatter is not compiled into every client),
/// including `None` where the format has no text, and read back to the same instant.
#[test]
fn timestamps_are_written_as_time_writes_them() {
    use telephony_client::Timestamp;
    use time::format_description::well_known::{Rfc2822, Rfc3339};
    use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

    let dates = [
        (0, Month::January, 1),
        (999, Month::December, 31),
        (1899, Month::December, 31),
        (1900, Month::January, 1),
        (1970, Month::January, 1),
        (2011, Month::February, 18),
        (2024, Month::February, 29),
        (2026, Month::November, 23),
        (9999, Month::December, 31),
    ];
    let times = [
        (0, 0, 0, 0),
        (21, 7, 19, 0),
        (9, 5, 3, 1),
        (23, 59, 59, 500_000_000),
        (12, 0, 0, 123_456_789),
        (1, 2, 3, 120_000_000),
        (23, 59, 59, 999_999_999),
    ];
    let offsets = [
        (0, 0, 0),
        (5, 30, 0),
        (0, -30, 0),
        (-8, 0, 0),
        (14, 0, 0),
        (-12, -45, 0),
        (1, 0, 30),
    ];
    let mut checked = 0;
    for (year, month, day) in dates {
        for (hour, minute, second, nano) in times {
            for (h, m, s) in offsets {
                let date = Date::from_calendar_date(year, month, day).unwrap();
                let time = Time::from_hms_nano(hour, minute, second, nano).unwrap();
                let offset = UtcOffset::from_hms(h, m, s).unwrap();
                let at = PrimitiveDateTime::new(date, time).assume_offset(offset);
                let ours = Timestamp::rfc2822(at);
                assert_eq!(
                    ours.as_ref().map(Timestamp::as_str),
                    at.format(&Rfc2822).ok().as_deref(),
                    "RFC 2822 of {at}"
                );
                // `time` 0.3 reads RFC 2822's `-0030` as `+00:30` (the sign of a zero hour is
                // lost), so sub-hour negative offsets are left out of the read-back only.
                let sub_hour_negative = h == 0 && m < 0;
                if let Some(ours) = ours.filter(|_| !sub_hour_negative) {
                    let back = ours.to_offset_date_time().expect("reads back");
                    assert_eq!(back, at.replace_nanosecond(0).unwrap(), "{ours}");
                }
                let ours = Timestamp::rfc3339(at);
                assert_eq!(
                    ours.as_ref().map(Timestamp::as_str),
                    at.format(&Rfc3339).ok().as_deref(),
                    "RFC 3339 of {at}"
                );
                if let Some(ours) = ours {
                    assert_eq!(ours.to_offset_date_time(), Some(at), "{ours}");
                }
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 9 * 7 * 7);
    assert_eq!(
        Timestamp::rfc2822(OffsetDateTime::UNIX_EPOCH)
            .unwrap()
            .as_str(),
        "Thu, 01 Jan 1970 00:00:00 +0000"
    );
    assert_eq!(
        Timestamp::rfc3339(OffsetDateTime::UNIX_EPOCH)
            .unwrap()
            .as_str(),
        "1970-01-01T00:00:00Z"
    );
}
