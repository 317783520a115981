//! Response metadata and content coding on a loopback server: the status, headers and
//! request id are kept on every error that had a response, and a gzip body decodes.

mod support;

use std::io::Write as _;

use support::*;
use telephony_client::{signalwire, twilio, Error};

const USER: &str = ACCOUNT;
const TOKEN: &str = "metadata-test-token";
const REQUEST_ID: &str = "RQ0123456789abcdef0123456789abcdef";

fn twilio(server: &Server) -> twilio::Client {
    twilio::Client::with_config(config(&server.url(), USER, TOKEN).no_retries())
        .expect("client builds")
}

async fn update(server: &Server) -> Result<twilio::ConferenceParticipant, Error> {
    twilio(server)
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

#[tokio::test]
async fn the_request_id_is_readable_from_an_api_error() {
    let body =
        r#"{"code": 20404, "message": "The requested resource was not found", "status": 404}"#;
    let server = Server::start(
        Behaviour::json(404, body)
            .with_header("Twilio-Request-Id", REQUEST_ID)
            .with_header("X-Shard", "7"),
    )
    .await;
    let error = update(&server).await.expect_err("404");
    assert_eq!(error.request_id(), Some(REQUEST_ID));
    let Error::Api(api) = &error else {
        panic!("expected Error::Api, got {error:?}");
    };
    assert_eq!(api.request_id(), Some(REQUEST_ID));
    assert_eq!(api.meta.status(), 404);
    assert_eq!(api.meta.header("x-shard"), Some("7"));
    assert_eq!(api.meta.header("content-type"), Some("application/json"));
    assert!(error.to_string().contains(REQUEST_ID), "{error}");
}

#[tokio::test]
async fn the_request_id_is_kept_on_every_error_with_a_response() {
    // An error page that is not the API's error shape.
    let server = Server::start(
        Behaviour::reply(502, "text/html", "<html>Bad gateway</html>")
            .with_header("Twilio-Request-Id", REQUEST_ID),
    )
    .await;
    let error = update(&server).await.expect_err("502");
    assert!(
        matches!(error, Error::UnexpectedStatus { status: 502, .. }),
        "{error:?}"
    );
    assert_eq!(error.request_id(), Some(REQUEST_ID));
    assert_eq!(error.meta().map(|m| m.status()), Some(502));

    // A success body that does not decode.
    let server =
        Server::start(Behaviour::json(200, "[1, 2]").with_header("Twilio-Request-Id", REQUEST_ID))
            .await;
    let error = update(&server).await.expect_err("not an object");
    assert!(
        matches!(error, Error::Decode { status: 200, .. }),
        "{error:?}"
    );
    assert_eq!(error.request_id(), Some(REQUEST_ID));

    // No response, no metadata.
    let client = twilio::Client::with_config(config(&refused_url(), USER, TOKEN).no_retries())
        .expect("client builds");
    let error = client
        .update_participant(CONFERENCE, CALL, &Default::default())
        .await
        .expect_err("nothing listens");
    assert!(error.meta().is_none());
    assert_eq!(error.request_id(), None);
}

#[tokio::test]
async fn x_request_id_is_the_fallback() {
    let body = r#"{"code": 20404, "message": "Not found", "status": 404}"#;
    let server =
        Server::start(Behaviour::json(404, body).with_header("X-Request-Id", "abc-123")).await;
    let error = update(&server).await.expect_err("404");
    assert_eq!(error.request_id(), Some("abc-123"));
}

fn gzip(text: &str) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(text.as_bytes()).expect("compress");
    encoder.finish().expect("compress")
}

#[tokio::test]
async fn gzip_bodies_decode() {
    let server = Server::start(
        Behaviour::reply(200, "application/json", gzip(TWILIO_PARTICIPANT))
            .with_header("Content-Encoding", "gzip"),
    )
    .await;
    let participant = update(&server).await.expect("the gzip body decodes");
    assert_eq!(participant.call_sid.as_deref(), Some(CALL));
    assert_eq!(participant.muted, Some(true));
    let request = server.only_request();
    assert!(
        request.header("accept-encoding").contains("gzip"),
        "{:?}",
        request.headers
    );

    // An error body too, and for the other provider.
    let body = r#"{"code": 20404, "message": "Not found", "more_info": "https://signalwire.com/docs/compatibility-api/reference/errors", "status": 404}"#;
    let server = Server::start(
        Behaviour::reply(404, "application/json", gzip(body))
            .with_header("Content-Encoding", "gzip"),
    )
    .await;
    let client = signalwire::Client::with_config(
        config(&format!("{}{SW_BASE_PATH}", server.url()), USER, TOKEN).no_retries(),
    )
    .expect("client builds");
    let error = client
        .account(SW_PROJECT)
        .update_participant(SW_CONFERENCE, SW_CALL, &Default::default())
        .await
        .expect_err("404");
    let Error::Api(api) = &error else {
        panic!("expected Error::Api, got {error:?}");
    };
    assert_eq!(api.raw, body);
}
