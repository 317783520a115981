//! What an error says when printed: each level of the `source()` chain says its own thing
//! once, transport failures name their kind at the top, API errors show the error body's code,
//! message and documentation link, and 401/403 point at the credentials. Pinned as snapshots
//! of `Display` followed by the printed chain.

mod support;

use std::time::Duration;
use support::*;
use telephony_client::{twilio, ClientConfig, Credentials, Error};

const TOKEN: &str = "error-texts-token";

/// `Display`, then each `source()` below it, one per line; the server's address and port,
/// which change from run to run, read `[server]`.
fn chain(error: &(dyn std::error::Error + 'static), server: &str) -> String {
    let mut lines = vec![error.to_string()];
    let mut next = error.source();
    while let Some(e) = next {
        lines.push(format!("caused by: {e}"));
        next = e.source();
    }
    lines.join("\n").replace(server, "[server]")
}

/// No level repeats the text of the level below it.
fn assert_said_once(error: &(dyn std::error::Error + 'static)) {
    let mut level = error;
    while let Some(below) = level.source() {
        let (text, inner) = (level.to_string(), below.to_string());
        assert!(
            inner.is_empty() || !text.contains(&inner),
            "`{text}` repeats its source `{inner}`"
        );
        level = below;
    }
}

async fn update(client: &twilio::Client) -> Error {
    client
        .update_participant(
            "CF0001",
            "CA0001",
            &twilio::UpdateParticipantRequest::default(),
        )
        .await
        .expect_err("the call fails")
}

fn host(url: &str) -> &str {
    url.trim_start_matches("http://")
}

#[tokio::test]
async fn a_refused_connection_says_so_first() {
    let url = refused_url();
    let client = twilio::Client::with_config(
        ClientConfig::new(&url, Credentials::basic(ACCOUNT, TOKEN)).no_retries(),
    )
    .expect("client");
    let error = update(&client).await;
    assert_said_once(&error);
    insta::assert_snapshot!(chain(&error, host(&url)));
}

#[tokio::test]
async fn a_failed_name_lookup_says_so_first() {
    // `.invalid` never resolves (RFC 2606).
    let url = "http://api.example.invalid";
    let client = twilio::Client::with_config(
        ClientConfig::new(url, Credentials::basic(ACCOUNT, TOKEN)).no_retries(),
    )
    .expect("client");
    let error = update(&client).await;
    assert_said_once(&error);
    let text = chain(&error, "api.example.invalid");
    assert!(
        text.starts_with("cannot reach [server]: the name lookup failed"),
        "{text}"
    );
}

#[tokio::test]
async fn a_timeout_says_so_first() {
    let server = Server::start(Behaviour::Hang).await;
    let client = twilio::Client::with_config(
        ClientConfig::new(server.url(), Credentials::basic(ACCOUNT, TOKEN))
            .timeout(Duration::from_millis(200))
            .no_retries(),
    )
    .expect("client");
    let error = update(&client).await;
    assert!(error.is_timeout());
    assert_said_once(&error);
    insta::assert_snapshot!(chain(&error, host(&server.url())));
}

const UNAUTHORIZED: &str = r#"{"code": 20003, "message": "Authenticate", "more_info": "https://www.twilio.com/docs/errors/20003", "status": 401}"#;
const NOT_FOUND: &str = r#"{"code": 20404, "message": "The requested resource /2010-04-01/Accounts/AC/Conferences/CF0001/Participants/CA0001.json was not found", "more_info": "https://www.twilio.com/docs/errors/20404", "status": 404}"#;

#[tokio::test]
async fn a_401_points_at_the_credentials() {
    let server = Server::start(
        Behaviour::json(401, UNAUTHORIZED).with_header("Twilio-Request-Id", "RQ0001"),
    )
    .await;
    let error = update(&twilio_client(&server.url(), ACCOUNT, TOKEN)).await;
    assert_said_once(&error);
    insta::assert_snapshot!(chain(&error, host(&server.url())));
}

#[tokio::test]
async fn a_404_shows_the_error_body_code_message_and_link() {
    let server = Server::start(Behaviour::json(404, NOT_FOUND)).await;
    let error = update(&twilio_client(&server.url(), ACCOUNT, TOKEN)).await;
    assert_said_once(&error);
    insta::assert_snapshot!(chain(&error, host(&server.url())));
}

#[tokio::test]
async fn an_error_body_without_the_api_fields_shows_an_excerpt() {
    let server = Server::start(Behaviour::reply(
        502,
        "text/html",
        "<html><body>Bad gateway</body></html>",
    ))
    .await;
    let error = update(&twilio_client(&server.url(), ACCOUNT, TOKEN)).await;
    assert_said_once(&error);
    insta::assert_snapshot!(chain(&error, host(&server.url())));
}

#[tokio::test]
async fn an_invalid_request_is_said_once() {
    let server = Server::start(Behaviour::json(200, "{}")).await;
    let error = twilio_client(&server.url(), ACCOUNT, TOKEN)
        .update_participant("", "CA0001", &twilio::UpdateParticipantRequest::default())
        .await
        .expect_err("refused");
    assert_said_once(&error);
    insta::assert_snapshot!(chain(&error, host(&server.url())));
}
