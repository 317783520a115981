//! The moderator example end to end: a conference event signed as Twilio signs it is posted
//! to the example's server on loopback, verified, decoded, and the resulting mute reaches a
//! loopback API server; a request with a bad signature gets 403 and sends no update.

#[path = "../examples/moderator.rs"]
mod moderator;
mod support;

use support::*;
use telephony_client::webhooks::{PublicBase, WebhookConfig, WebhookVerifier};

const TOKEN: &str = "moderator-auth-token";
const PUBLIC: &str = "https://hooks.example.com";

/// A participant-join callback for `call` in our test conference, as Twilio's form body.
fn join(call: &str, sequence: u32) -> String {
    format!(
        "AccountSid={ACCOUNT}&ConferenceSid={CONFERENCE}&FriendlyName=standup&StatusCallbackEvent=participant-join\
         &SequenceNumber={sequence}&Timestamp=Fri,+18+Feb+2011+21:07:19+%2B0000&CallSid={call}&Muted=false&Hold=false&Coaching=false"
    )
}

/// The moderator on loopback, with its API client pointed at `api`: its base URL.
async fn start(api: &str) -> String {
    let client = twilio_client(api, ACCOUNT, TOKEN);
    let webhooks = WebhookConfig::new(
        WebhookVerifier::twilio(TOKEN).expect("a key"),
        PublicBase::parse(PUBLIC).expect("a base"),
    );
    let app = moderator::Moderator::new(client, webhooks).router();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let local = format!("http://{}", listener.local_addr().expect("address"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    local
}

/// Posts `body` to the moderator with `signature`; the status it answers.
async fn post(local: &str, body: &str, signature: &str) -> u16 {
    reqwest::Client::new()
        .post(format!("{local}/conference-events"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-twilio-signature", signature)
        .body(body.to_string())
        .send()
        .await
        .expect("the moderator answers")
        .status()
        .as_u16()
}

#[tokio::test]
async fn a_late_joiner_is_muted_and_a_forged_event_changes_nothing() {
    let api = Server::start(Behaviour::json(200, TWILIO_PARTICIPANT)).await;
    let local = start(&api.url()).await;
    let signer = WebhookVerifier::twilio(TOKEN).expect("a key");
    let url = format!("{PUBLIC}/conference-events");

    // The first participant is left alone.
    let first = join(CALL, 1);
    assert_eq!(
        post(&local, &first, &signer.sign(&url, first.as_bytes())).await,
        204
    );
    assert!(api.requests().is_empty(), "the first joiner was touched");

    // The second is muted through the API.
    let second = join(COACHED, 2);
    assert_eq!(
        post(&local, &second, &signer.sign(&url, second.as_bytes())).await,
        204
    );
    let update = api.only_request();
    assert_eq!(update.method, "POST");
    assert_eq!(
        update.target,
        format!(
            "/2010-04-01/Accounts/{ACCOUNT}/Conferences/{CONFERENCE}/Participants/{COACHED}.json"
        )
    );
    assert_eq!(update.body_text(), "Muted=true");

    // A forged third join: signed with another key, or for another URL. Refused, nothing sent.
    let third = join("CA00000000000000000000000000000003", 3);
    let forger = WebhookVerifier::twilio("not-the-token").expect("a key");
    for signature in [
        forger.sign(&url, third.as_bytes()),
        signer.sign(
            "https://elsewhere.example.com/conference-events",
            third.as_bytes(),
        ),
        String::new(),
    ] {
        assert_eq!(post(&local, &third, &signature).await, 403);
    }
    assert_eq!(api.requests().len(), 1, "a forged event sent an update");
}
