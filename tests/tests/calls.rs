//! The participant family on a loopback server, beyond the update that `wire.rs` pins
//! byte for byte: the default account and subaccounts, fetch, create and delete, the
//! request id on a success, a GET retried after `503` + `Retry-After`, and the enums'
//! `FromStr`/`Display`/`as_str` and `Unknown` normalisation.

mod support;

use std::time::Duration;

use support::*;
use telephony_client::{
    signalwire, twilio, ClientConfig, Credentials, Error, InvalidRequest, RetryPolicy,
};

const TOKEN: &str = "calls-test-token";
const SUBACCOUNT: &str = "ACfedcba9876543210fedcba9876543210";
const REQUEST_ID: &str = "RQfedcba9876543210fedcba9876543210";

fn participant_target(account: &str) -> String {
    format!("/2010-04-01/Accounts/{account}/Conferences/{CONFERENCE}/Participants/{CALL}.json")
}

#[tokio::test]
async fn the_account_defaults_to_the_basic_username() {
    let server = Server::start(Behaviour::json(200, TWILIO_PARTICIPANT)).await;
    let client = twilio_client(&server.url(), ACCOUNT, TOKEN);
    assert_eq!(client.account_sid(), Some(ACCOUNT));
    client
        .fetch_participant(CONFERENCE, CALL)
        .await
        .expect("fetch succeeds");
    let request = server.only_request();
    assert_eq!(request.method, "GET");
    assert_eq!(request.target, participant_target(ACCOUNT));
}

#[tokio::test]
async fn a_subaccount_client_sends_its_own_account_with_the_same_credentials() {
    let server = Server::start(Behaviour::json(200, TWILIO_PARTICIPANT)).await;
    let client = twilio_client(&server.url(), ACCOUNT, TOKEN);
    let sub = client.account(SUBACCOUNT);
    assert_eq!(sub.account_sid(), Some(SUBACCOUNT));
    assert_eq!(
        client.account_sid(),
        Some(ACCOUNT),
        "the parent is unchanged"
    );
    sub.fetch_participant(CONFERENCE, CALL)
        .await
        .expect("fetch succeeds");
    client
        .fetch_participant(CONFERENCE, CALL)
        .await
        .expect("fetch succeeds");
    let requests = server.requests();
    assert_eq!(requests[0].target, participant_target(SUBACCOUNT));
    assert_eq!(requests[1].target, participant_target(ACCOUNT));
    assert_eq!(
        requests[0].header("authorization"),
        requests[1].header("authorization"),
        "a subaccount call authenticates as the parent account"
    );
}

#[tokio::test]
async fn without_basic_credentials_there_is_no_default_account() {
    let server = Server::start(Behaviour::json(200, TWILIO_PARTICIPANT)).await;
    let client = twilio::Client::with_config(ClientConfig::new(
        server.url(),
        Credentials::bearer("a-token"),
    ))
    .expect("client builds");
    assert_eq!(client.account_sid(), None);
    let error = client
        .fetch_participant(CONFERENCE, CALL)
        .await
        .expect_err("no account");
    assert!(
        matches!(
            error,
            Error::InvalidRequest(InvalidRequest::NoAccount { name: "AccountSid" })
        ),
        "{error:?}"
    );
    client
        .account(ACCOUNT)
        .fetch_participant(CONFERENCE, CALL)
        .await
        .expect("an explicit account works");
    assert_eq!(server.only_request().target, participant_target(ACCOUNT));
}

#[tokio::test]
async fn the_request_id_is_readable_from_a_success() {
    let server = Server::start(
        Behaviour::json(200, TWILIO_PARTICIPANT).with_header("Twilio-Request-Id", REQUEST_ID),
    )
    .await;
    let client = twilio_client(&server.url(), ACCOUNT, TOKEN);
    let participant = client
        .fetch_participant(CONFERENCE, CALL)
        .await
        .expect("fetch succeeds");
    assert_eq!(participant.request_id(), Some(REQUEST_ID));
    assert_eq!(participant.status(), 200);
    assert_eq!(
        participant.meta().header("content-type"),
        Some("application/json")
    );
    // The fields read through the response; `into_inner` takes the value out.
    assert_eq!(participant.call_sid.as_deref(), Some(CALL));
    let (value, meta) = participant.into_parts();
    assert_eq!(value.muted, Some(true));
    assert_eq!(meta.request_id(), Some(REQUEST_ID));
}

#[tokio::test]
async fn delete_returns_the_metadata_of_an_empty_response() {
    let server = Server::start(Behaviour::Reply {
        status: 204,
        headers: vec![("Twilio-Request-Id".into(), REQUEST_ID.into())],
        body: Vec::new(),
    })
    .await;
    let client = twilio_client(&server.url(), ACCOUNT, TOKEN);
    let deleted = client
        .delete_participant(CONFERENCE, CALL)
        .await
        .expect("delete succeeds");
    assert_eq!(deleted.status(), 204);
    assert_eq!(deleted.request_id(), Some(REQUEST_ID));
    let request = server.only_request();
    assert_eq!(request.method, "DELETE");
    assert_eq!(request.target, participant_target(ACCOUNT));
}

#[tokio::test]
async fn create_sends_the_required_fields_as_a_form() {
    let server = Server::start(Behaviour::json(201, TWILIO_PARTICIPANT)).await;
    let client = twilio_client(&server.url(), ACCOUNT, TOKEN);
    // Two required fields and dozens of optional ones: one expression.
    let body = twilio::CreateParticipantRequest {
        status_callback_method: Some(twilio::HttpMethod::Get),
        ..twilio::CreateParticipantRequest::new("+15017122661", "+15558675310")
    };
    let created = client
        .create_participant(CONFERENCE, &body)
        .await
        .expect("create succeeds");
    assert_eq!(created.status(), 201);
    let request = server.only_request();
    assert_eq!(request.method, "POST");
    assert_eq!(
        request.target,
        format!("/2010-04-01/Accounts/{ACCOUNT}/Conferences/{CONFERENCE}/Participants.json")
    );
    assert_eq!(
        request.body_text(),
        "From=%2B15017122661&To=%2B15558675310&StatusCallbackMethod=GET"
    );
}

#[tokio::test]
async fn a_get_answered_503_with_retry_after_is_retried() {
    let unavailable = Behaviour::json(503, r#"{"code": 20503, "message": "busy", "status": 503}"#)
        .with_header("Retry-After", "0");
    let server = Server::script(vec![
        unavailable.clone(),
        Behaviour::json(200, TWILIO_PARTICIPANT),
    ])
    .await;
    let client = twilio_client(&server.url(), ACCOUNT, TOKEN);
    client
        .fetch_participant(CONFERENCE, CALL)
        .await
        .expect("the retry succeeds");
    assert_eq!(server.requests().len(), 2);

    // DELETE is idempotent too; a 503 without Retry-After is not retried.
    let server = Server::script(vec![unavailable, Behaviour::json(204, "")]).await;
    twilio_client(&server.url(), ACCOUNT, TOKEN)
        .delete_participant(CONFERENCE, CALL)
        .await
        .expect("the retry succeeds");
    assert_eq!(server.requests().len(), 2);
    let server = Server::start(Behaviour::json(
        503,
        r#"{"code": 20503, "message": "busy", "status": 503}"#,
    ))
    .await;
    let policy = RetryPolicy::default().backoff(Duration::ZERO, Duration::ZERO);
    let error = twilio::Client::with_config(config(&server.url(), ACCOUNT, TOKEN).retry(policy))
        .expect("client builds")
        .fetch_participant(CONFERENCE, CALL)
        .await
        .expect_err("503");
    assert_eq!(error.status(), Some(503));
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn signalwire_retrieve_and_delete_use_the_project_as_account() {
    let server = Server::start(Behaviour::json(200, SIGNALWIRE_PARTICIPANT)).await;
    let client = signalwire_client(&server.url(), SW_PROJECT, TOKEN);
    let participant = client
        .retrieve_participant(SW_CONFERENCE, SW_CALL)
        .await
        .expect("retrieve succeeds");
    assert_eq!(participant.call_sid, SW_CALL);
    let target = format!(
        "{SW_BASE_PATH}/Accounts/{SW_PROJECT}/Conferences/{SW_CONFERENCE}/Participants/{SW_CALL}"
    );
    assert_eq!(server.only_request().target, target);
}

#[test]
fn identical_method_enums_are_one_http_method_type() {
    // The update body's three method fields and the create body's callbacks share one type.
    let update = twilio::UpdateParticipantRequest {
        hold_method: Some(twilio::HttpMethod::Get),
        announce_method: Some(twilio::HttpMethod::Post),
        wait_method: Some(twilio::HttpMethod::Get),
        ..Default::default()
    };
    let mut create = twilio::CreateParticipantRequest::new("a", "b");
    create.status_callback_method = update.hold_method.clone();
    create.conference_status_callback_method = update.announce_method.clone();
    assert_eq!(create.status_callback_method, Some(twilio::HttpMethod::Get));
    let signalwire = signalwire::UpdateConferenceParticipantRequest {
        hold_method: Some(signalwire::HttpMethod::Get),
        announce_method: Some(signalwire::HttpMethod::Post),
        wait_method: Some(signalwire::HttpMethod::Get),
        ..Default::default()
    };
    assert_eq!(signalwire.hold_method, Some(signalwire::HttpMethod::Get));
}

#[test]
fn enums_parse_display_and_normalise() {
    use twilio::ParticipantEnumStatus as Status;
    let parsed: Status = "connected".parse().expect("FromStr never fails");
    assert_eq!(parsed, Status::Connected);
    assert_eq!(parsed.to_string(), "connected");
    assert_eq!(parsed.as_str(), "connected");
    // Any value the spec does not list is kept as it came.
    let new: Status = "on-fire".parse().expect("FromStr never fails");
    assert_eq!(new.as_str(), "on-fire");
    assert_eq!(new.to_string(), "on-fire");
    match &new {
        Status::Unknown(value) => assert_eq!(value.as_str(), "on-fire"),
        other => panic!("expected Unknown, got {other:?}"),
    }
    // A known value never becomes Unknown, however it is built: `From`, `FromStr`, serde.
    for status in [
        Status::from("queued"),
        Status::from(String::from("queued")),
        "queued".parse().expect("FromStr never fails"),
        serde_json::from_str("\"queued\"").expect("decodes"),
    ] {
        assert_eq!(status, Status::Queued);
    }
    // Values are case-sensitive, as the wire is.
    assert!(matches!(Status::from("Queued"), Status::Unknown(_)));
    let method: twilio::HttpMethod = "POST".parse().expect("FromStr never fails");
    assert_eq!(method, twilio::HttpMethod::Post);
    assert_eq!(format!("{method}"), "POST");
}

/// A call owns its request: it outlives the client and the arguments, can be spawned, and
/// sends nothing until polled.
#[tokio::test]
async fn a_call_is_a_spawnable_future_that_sends_only_when_polled() {
    let server = Server::start(Behaviour::json(200, TWILIO_PARTICIPANT)).await;
    let call = {
        let client = twilio_client(&server.url(), ACCOUNT, TOKEN);
        let conference = CONFERENCE.to_string();
        client.fetch_participant(&conference, CALL)
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(
        server.requests().len(),
        0,
        "nothing is sent before the call is polled"
    );
    let participant = tokio::spawn(call)
        .await
        .expect("the task completes")
        .expect("fetch succeeds");
    assert_eq!(participant.status(), 200);
    assert_eq!(server.only_request().target, participant_target(ACCOUNT));
}

/// A request that cannot be built is the call's error, without a connection.
#[tokio::test]
async fn a_call_that_cannot_be_built_fails_without_sending() {
    let server = Server::start(Behaviour::json(200, TWILIO_PARTICIPANT)).await;
    let client = twilio_client(&server.url(), ACCOUNT, TOKEN);
    let error = client
        .fetch_participant("", CALL)
        .await
        .expect_err("an empty path parameter is refused");
    assert!(
        matches!(
            error,
            Error::InvalidRequest(InvalidRequest::EmptyPathParameter { .. })
        ),
        "{error:?}"
    );
    assert_eq!(server.requests().len(), 0);
}
