//! The auth token never shows in `Debug` or `Display` output: not of the credentials, the
//! configuration, the clients, the request structs, nor of any error a call can produce.

mod support;

use std::fmt::{Debug, Display};
use std::time::Duration;

use base64::Engine as _;
use support::*;
use telephony_client::{signalwire, twilio, ClientConfig, Credentials, Error};

const USER: &str = ACCOUNT;
const TOKEN: &str = "tok_SECRET-7f3c9a1e-do-not-log";

/// Every form of the secret that must not appear.
fn forbidden() -> Vec<String> {
    let b64 = base64::engine::general_purpose::STANDARD;
    let pair = b64.encode(format!("{USER}:{TOKEN}"));
    vec![
        TOKEN.to_string(),
        // A distinctive part of it, in case it is cut or escaped.
        "7f3c9a1e".to_string(),
        pair.clone(),
        format!("Basic {pair}"),
        b64.encode(TOKEN),
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{USER}:{TOKEN}")),
    ]
}

fn assert_clean(what: &str, text: &str) {
    for secret in forbidden() {
        assert!(
            !text.contains(&secret),
            "{what} shows the secret {secret:?}:\n{text}"
        );
    }
}

fn assert_debug_clean(what: &str, value: &impl Debug) {
    assert_clean(&format!("{what} {{:?}}"), &format!("{value:?}"));
    assert_clean(&format!("{what} {{:#?}}"), &format!("{value:#?}"));
}

/// `{}`, `{:?}` and `{:#?}` of the error and of every error in its source chain.
fn assert_error_clean(what: &str, error: &(dyn std::error::Error + 'static)) {
    let mut current = Some(error);
    let mut depth = 0;
    while let Some(e) = current {
        let label = format!("{what} (source #{depth})");
        assert_clean(&format!("{label} {{}}"), &e.to_string());
        assert_clean(&format!("{label} {{:#}}"), &format!("{e:#}"));
        assert_debug_clean(&label, &e);
        current = e.source();
        depth += 1;
    }
}

fn assert_display_clean(what: &str, value: &impl Display) {
    assert_clean(&format!("{what} {{}}"), &value.to_string());
}

/// The check itself is not vacuous.
#[test]
#[should_panic(expected = "shows the secret")]
fn the_check_notices_a_leak() {
    let b64 = base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{TOKEN}"));
    assert_clean("a leaky header", &format!("Authorization: Basic {b64}"));
}

fn credentials() -> Credentials {
    Credentials::basic(USER, TOKEN)
}

#[test]
fn credentials_and_config_hide_the_token() {
    let basic = credentials();
    assert_debug_clean("Credentials::basic", &basic);
    assert_eq!(basic.username(), Some(USER));
    assert!(format!("{basic:?}").contains(USER), "the username may show");
    assert_debug_clean("Credentials::bearer", &Credentials::bearer(TOKEN));

    let config = ClientConfig::new("https://api.twilio.com", credentials())
        .timeout(Duration::from_secs(3))
        .connect_timeout(Duration::from_secs(1))
        .user_agent("secrets-test/1");
    assert_debug_clean("ClientConfig", &config);
    assert_debug_clean("ClientConfig (clone)", &config.clone());
    assert_debug_clean(
        "ClientConfig (bearer)",
        &ClientConfig::new("https://api.twilio.com", Credentials::bearer(TOKEN)),
    );
}

#[test]
fn clients_hide_the_token() {
    let twilio = twilio::Client::new(credentials()).expect("builds");
    assert_debug_clean("twilio::Client::new", &twilio);
    let twilio =
        twilio::Client::with_config(ClientConfig::new("http://127.0.0.1:9/base", credentials()))
            .expect("builds");
    assert_debug_clean("twilio::Client::with_config", &twilio);
    assert_debug_clean("twilio::Client (clone)", &twilio.clone());

    let signalwire = signalwire::Client::new("example-space", credentials()).expect("builds");
    assert_debug_clean("signalwire::Client::new", &signalwire);
    let signalwire = signalwire::Client::with_config(
        ClientConfig::new(
            "http://127.0.0.1:9/api/laml/2010-04-01",
            Credentials::bearer(TOKEN),
        )
        .no_timeout(),
    )
    .expect("builds");
    assert_debug_clean("signalwire::Client (bearer)", &signalwire);
}

#[test]
fn build_errors_hide_the_token() {
    for url in ["not a url", "ftp://example.com", "https://example.com/?q=1"] {
        let error = twilio::Client::with_config(ClientConfig::new(url, credentials()))
            .expect_err("the base URL is refused");
        assert_error_clean(&format!("BuildError for {url:?}"), &error);
        let error = signalwire::Client::with_config(ClientConfig::new(url, credentials()))
            .expect_err("the base URL is refused");
        assert_error_clean(&format!("BuildError for {url:?}"), &error);
    }
}

#[test]
fn request_structs_hide_the_token() {
    let twilio = twilio::UpdateParticipantRequest {
        muted: Some(true),
        hold_url: Some("https://example.com/hold".into()),
        call_sid_to_coach: Some(COACHED.into()),
        ..Default::default()
    };
    assert_debug_clean("twilio::UpdateParticipantRequest", &twilio);
    let signalwire = signalwire::UpdateConferenceParticipantRequest {
        beep: Some(true),
        wait_url: Some(String::new()),
        ..Default::default()
    };
    assert_debug_clean(
        "signalwire::UpdateConferenceParticipantRequest",
        &signalwire,
    );
}

/// Runs one Twilio and one SignalWire call against `root` with `timeout`.
async fn both(
    root: &str,
    timeout: Duration,
) -> (
    Result<twilio::ConferenceParticipant, Error<telephony_client::ApiErrorBody>>,
    Result<
        signalwire::ConferenceParticipantResponse,
        Error<signalwire::CompatibilityErrorResponse>,
    >,
) {
    let tw = twilio_client_with_timeout(root, USER, TOKEN, timeout)
        .update_participant(
            CONFERENCE,
            CALL,
            &twilio::UpdateParticipantRequest {
                muted: Some(true),
                ..Default::default()
            },
        )
        .await
        .map(telephony_client::Response::into_inner);
    let sw = signalwire_client_with_timeout(root, USER, TOKEN, timeout)
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
        .map(telephony_client::Response::into_inner);
    (tw, sw)
}

/// Checks both errors and returns their `Debug` forms for variant assertions.
fn check_errors<A, B>(
    what: &str,
    tw: Result<A, Error<telephony_client::ApiErrorBody>>,
    sw: Result<B, Error<signalwire::CompatibilityErrorResponse>>,
) -> (String, String)
where
    A: Debug,
    B: Debug,
{
    let tw = tw.expect_err("twilio call fails");
    let sw = sw.expect_err("signalwire call fails");
    assert_error_clean(&format!("twilio {what}"), &tw);
    assert_error_clean(&format!("signalwire {what}"), &sw);
    if let Error::Api(api) = &tw {
        assert_display_clean("twilio ApiError", api);
    }
    if let Error::Api(api) = &sw {
        assert_display_clean("signalwire ApiError", api);
    }
    (format!("{tw:?}"), format!("{sw:?}"))
}

#[tokio::test]
async fn api_errors_hide_the_token() {
    let body = r#"{"code":20003,"message":"Authenticate","more_info":"https://www.twilio.com/docs/errors/20003","status":401}"#;
    let server = Server::start(Behaviour::json(401, body).with_header("Retry-After", "3")).await;
    let (tw, sw) = both(&server.url(), SAFETY_TIMEOUT).await;
    let (tw, sw) = check_errors("Api", tw, sw);
    assert!(tw.starts_with("Api("), "{tw}");
    assert!(sw.starts_with("Api("), "{sw}");
    // The secret did go out, in the Authorization header only.
    let b64 = base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{TOKEN}"));
    for request in server.requests() {
        assert_eq!(request.header("authorization"), format!("Basic {b64}"));
        assert!(!request.target.contains(TOKEN));
        assert!(!request.body_text().contains(TOKEN));
    }
}

#[tokio::test]
async fn unexpected_status_errors_hide_the_token() {
    let server = Server::start(Behaviour::reply(
        502,
        "text/html",
        "<html>Bad Gateway</html>",
    ))
    .await;
    let (tw, sw) = both(&server.url(), SAFETY_TIMEOUT).await;
    let (tw, sw) = check_errors("UnexpectedStatus", tw, sw);
    assert!(tw.starts_with("UnexpectedStatus"), "{tw}");
    assert!(sw.starts_with("UnexpectedStatus"), "{sw}");
}

#[tokio::test]
async fn decode_errors_hide_the_token() {
    let server = Server::start(Behaviour::json(200, "{\"account_sid\": oops")).await;
    let (tw, sw) = both(&server.url(), SAFETY_TIMEOUT).await;
    let (tw, sw) = check_errors("Decode", tw, sw);
    assert!(tw.starts_with("Decode"), "{tw}");
    assert!(sw.starts_with("Decode"), "{sw}");
}

#[tokio::test]
async fn transport_errors_hide_the_token() {
    // Connection refused.
    let (tw, sw) = both(&refused_url(), SAFETY_TIMEOUT).await;
    let (tw, sw) = check_errors("Transport (refused)", tw, sw);
    assert!(tw.starts_with("Transport"), "{tw}");
    assert!(sw.starts_with("Transport"), "{sw}");

    // Timeout.
    let server = Server::start(Behaviour::Hang).await;
    let (tw, sw) = both(&server.url(), Duration::from_millis(300)).await;
    let (tw, sw) = check_errors("Transport (timeout)", tw, sw);
    assert!(tw.starts_with("Transport"), "{tw}");
    assert!(sw.starts_with("Transport"), "{sw}");

    // Closed mid-body.
    let server = Server::start(Behaviour::CloseMidBody {
        status: 200,
        declared_len: 500,
        sent: b"{\"account_sid\": \"AC".to_vec(),
    })
    .await;
    let (tw, sw) = both(&server.url(), SAFETY_TIMEOUT).await;
    let (tw, sw) = check_errors("Transport (mid-body)", tw, sw);
    assert!(tw.starts_with("Transport"), "{tw}");
    assert!(sw.starts_with("Transport"), "{sw}");
}

#[tokio::test]
async fn invalid_request_errors_hide_the_token() {
    let server = Server::start(Behaviour::json(200, TWILIO_PARTICIPANT)).await;
    let tw = twilio_client(&server.url(), USER, TOKEN);
    let sw = signalwire_client(&server.url(), USER, TOKEN);
    let tw_body = twilio::UpdateParticipantRequest::default();
    let sw_body = signalwire::UpdateConferenceParticipantRequest::default();

    let empty = (
        tw.update_participant(CONFERENCE, "", &tw_body).await,
        sw.account(SW_PROJECT)
            .update_participant(SW_CONFERENCE, "", &sw_body)
            .await,
    );
    let (t, s) = check_errors("InvalidRequest (empty)", empty.0, empty.1);
    assert!(t.starts_with("InvalidRequest(EmptyPathParameter"), "{t}");
    assert!(s.starts_with("InvalidRequest(EmptyPathParameter"), "{s}");

    let dots = (
        tw.account("..")
            .update_participant(CONFERENCE, CALL, &tw_body)
            .await,
        sw.account(SW_PROJECT)
            .update_participant(SW_CONFERENCE, "..", &sw_body)
            .await,
    );
    let (t, s) = check_errors("InvalidRequest (dot segment)", dots.0, dots.1);
    assert!(t.starts_with("InvalidRequest(DotSegment"), "{t}");
    assert!(s.starts_with("InvalidRequest(DotSegment"), "{s}");
    assert!(server.requests().is_empty());
}
