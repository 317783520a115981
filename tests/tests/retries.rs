//! The retry policy and hooks on a loopback server: what is retried (429 for every method,
//! connect failures), what never is (a POST after a 5xx or a timeout), how long the client
//! waits, that the body is replayed byte-identical, and that a hook sees every attempt.

mod support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use support::*;
use telephony_client::{twilio, Attempt, AttemptOutcome, Error, Hook, RetryPolicy};

const USER: &str = ACCOUNT;
const TOKEN: &str = "retries-test-token";

fn hold() -> twilio::UpdateParticipantRequest {
    twilio::UpdateParticipantRequest {
        hold: Some(true),
        hold_url: Some("https://example.com/hold music.mp3?x=1&y=β".into()),
        announce_url: Some(String::new()),
        ..Default::default()
    }
}

async fn update(client: &twilio::Client) -> Result<twilio::ConferenceParticipant, Error> {
    client
        .update_participant(CONFERENCE, CALL, &hold())
        .await
        .map(telephony_client::Response::into_inner)
}

fn client(root: &str, policy: RetryPolicy) -> twilio::Client {
    twilio::Client::with_config(config(root, USER, TOKEN).retry(policy)).expect("client builds")
}

/// Fast backoff so that tests that exhaust retries take milliseconds.
fn quick() -> RetryPolicy {
    RetryPolicy::default().backoff(Duration::from_millis(1), Duration::from_millis(5))
}

fn too_many(retry_after: Option<&str>) -> Behaviour {
    let reply = Behaviour::json(
        429,
        r#"{"code": 20429, "message": "Too Many Requests", "status": 429}"#,
    );
    match retry_after {
        Some(value) => reply.with_header("Retry-After", value),
        None => reply,
    }
}

#[tokio::test]
async fn too_many_requests_with_retry_after_is_retried_with_the_same_body() {
    let server = Server::script(vec![
        too_many(Some("1")),
        Behaviour::json(200, TWILIO_PARTICIPANT),
    ])
    .await;
    let started = Instant::now();
    let participant = update(&client(&server.url(), RetryPolicy::default()))
        .await
        .expect("the retry succeeds");
    let waited = started.elapsed();
    assert_eq!(participant.call_sid.as_deref(), Some(CALL));
    let requests = server.requests();
    assert_eq!(requests.len(), 2, "{requests:#?}");
    assert_eq!(
        requests[0].body, requests[1].body,
        "the body is replayed as sent"
    );
    assert!(!requests[0].body.is_empty());
    assert_eq!(requests[0].target, requests[1].target);
    assert_eq!(requests[0].headers, requests[1].headers);
    assert!(
        waited >= Duration::from_millis(950),
        "Retry-After: 1 was not honoured: retried after {waited:?}"
    );
}

#[tokio::test]
async fn too_many_requests_without_retry_after_backs_off_until_the_retries_run_out() {
    let server = Server::start(too_many(None)).await;
    let error = update(&client(&server.url(), quick().max_retries(2)))
        .await
        .expect_err("every attempt is a 429");
    assert_eq!(error.status(), Some(429));
    assert!(matches!(error, Error::Api(_)), "{error:?}");
    assert_eq!(server.requests().len(), 3, "one attempt and two retries");
}

#[tokio::test]
async fn retry_after_beyond_the_cap_is_not_waited_for() {
    let server = Server::start(too_many(Some("120"))).await;
    let started = Instant::now();
    let error = update(&client(&server.url(), RetryPolicy::default()))
        .await
        .expect_err("the client does not wait two minutes");
    assert!(started.elapsed() < SAFETY_TIMEOUT);
    assert_eq!(error.retry_after(), Some(Duration::from_secs(120)));
    assert_eq!(server.requests().len(), 1);

    // A raised cap waits as the server asks.
    let server = Server::script(vec![
        too_many(Some("1")),
        Behaviour::json(200, TWILIO_PARTICIPANT),
    ])
    .await;
    let policy = RetryPolicy::default().max_retry_after(Duration::from_millis(999));
    update(&client(&server.url(), policy))
        .await
        .expect_err("a 1 s wait is over a 999 ms cap");
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn no_retries_sends_once() {
    let server = Server::start(too_many(Some("0"))).await;
    let client = twilio::Client::with_config(config(&server.url(), USER, TOKEN).no_retries())
        .expect("client builds");
    update(&client).await.expect_err("429");
    assert_eq!(server.requests().len(), 1);

    let server = Server::start(too_many(Some("0"))).await;
    update(&client_at(&server, RetryPolicy::none()))
        .await
        .expect_err("429");
    assert_eq!(server.requests().len(), 1);
}

fn client_at(server: &Server, policy: RetryPolicy) -> twilio::Client {
    client(&server.url(), policy)
}

#[tokio::test]
async fn a_post_answered_with_a_server_error_is_sent_once() {
    for status in [500, 502, 503, 504] {
        let body = r#"{"code": 20500, "message": "Internal error", "status": 500}"#;
        // Even a 503 that asks to come back: a POST may have taken effect.
        let server =
            Server::start(Behaviour::json(status, body).with_header("Retry-After", "0")).await;
        let error = update(&client_at(&server, quick()))
            .await
            .expect_err("a server error");
        assert_eq!(error.status(), Some(status));
        assert_eq!(
            server.requests().len(),
            1,
            "HTTP {status} POST was repeated"
        );
    }
}

#[tokio::test]
async fn a_post_that_times_out_is_sent_once() {
    let server = Server::start(Behaviour::Hang).await;
    let client = twilio::Client::with_config(
        config(&server.url(), USER, TOKEN)
            .timeout(Duration::from_millis(300))
            .retry(quick()),
    )
    .expect("client builds");
    let error = update(&client).await.expect_err("the server never answers");
    assert!(error.is_timeout(), "{error:?}");
    // Give a wrongly scheduled retry the time to arrive.
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(server.requests().len(), 1);
}

/// Records what it sees; adds a header to every attempt.
#[derive(Default)]
struct Recorder {
    seen: Mutex<Vec<String>>,
}

impl Hook for Recorder {
    fn on_request(&self, attempt: &Attempt<'_>, request: &mut reqwest::Request) {
        self.seen.lock().unwrap().push(format!(
            "request {} {} {}",
            attempt.number,
            request.method(),
            attempt.operation.id
        ));
        request.headers_mut().insert(
            "x-attempt",
            attempt.number.to_string().parse().expect("a header value"),
        );
    }

    fn on_response(&self, attempt: &Attempt<'_>, outcome: &AttemptOutcome<'_>) {
        let result = match outcome.result {
            Ok(meta) => meta.status().to_string(),
            Err(error) if error.is_connect() => "connect error".to_string(),
            Err(error) => format!("error {error}"),
        };
        self.seen.lock().unwrap().push(format!(
            "response {} {result} retry_in={:?}",
            attempt.number, outcome.retry_in
        ));
    }
}

#[tokio::test]
async fn a_hook_sees_and_adjusts_every_attempt() {
    let server = Server::script(vec![
        too_many(Some("0")),
        too_many(Some("0")),
        Behaviour::json(200, TWILIO_PARTICIPANT),
    ])
    .await;
    let recorder = Arc::new(Recorder::default());
    let client =
        twilio::Client::with_config(config(&server.url(), USER, TOKEN).hook(Arc::clone(&recorder)))
            .expect("client builds");
    update(&client).await.expect("the third attempt succeeds");
    assert_eq!(
        *recorder.seen.lock().unwrap(),
        [
            "request 1 POST UpdateParticipant",
            "response 1 429 retry_in=Some(0ns)",
            "request 2 POST UpdateParticipant",
            "response 2 429 retry_in=Some(0ns)",
            "request 3 POST UpdateParticipant",
            "response 3 200 retry_in=None",
        ]
    );
    let numbers: Vec<String> = server
        .requests()
        .iter()
        .map(|r| r.header("x-attempt").to_string())
        .collect();
    assert_eq!(
        numbers,
        ["1", "2", "3"],
        "each attempt starts from the original request"
    );
}

#[tokio::test]
async fn connect_failures_are_retried_for_every_method() {
    let recorder = Arc::new(Recorder::default());
    let client = twilio::Client::with_config(
        config(&refused_url(), USER, TOKEN)
            .retry(quick().max_retries(2))
            .hook(Arc::clone(&recorder)),
    )
    .expect("client builds");
    let error = update(&client).await.expect_err("nothing listens");
    assert!(
        matches!(&error, Error::Transport(e) if e.is_connect()),
        "{error:?}"
    );
    let seen = recorder.seen.lock().unwrap();
    let responses: Vec<&String> = seen.iter().filter(|s| s.starts_with("response")).collect();
    assert_eq!(responses.len(), 3, "{seen:#?}");
    assert!(
        responses.iter().all(|s| s.contains("connect error")),
        "{seen:#?}"
    );
    assert!(responses[2].ends_with("retry_in=None"), "{seen:#?}");
}
