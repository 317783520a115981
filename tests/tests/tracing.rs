//! The `tracing` feature: one span per call with the operation id, method, path template,
//! status, attempt and elapsed time, and never a credential or a path or body value. A
//! subscriber that captures every field of every span and event checks both.

mod support;

use std::sync::{Arc, Mutex};

use support::*;
use telephony_client::{twilio, RetryPolicy};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt as _};

const USER: &str = ACCOUNT;
const TOKEN: &str = "tracing-test-token";

/// Field names and values as recorded.
type FieldList = Vec<(String, String)>;

/// Every span (id, name and fields, updated as recorded) and every event's fields.
#[derive(Clone, Default)]
struct Captured {
    spans: Arc<Mutex<Vec<(u64, String, FieldList)>>>,
    events: Arc<Mutex<Vec<FieldList>>>,
}

struct Fields<'a>(&'a mut Vec<(String, String)>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.set(field, format!("{value:?}"));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.set(field, value.to_string());
    }
}

impl Fields<'_> {
    fn set(&mut self, field: &Field, value: String) {
        self.0.retain(|(name, _)| name != field.name());
        self.0.push((field.name().to_string(), value));
    }
}

impl<S: tracing::Subscriber> Layer<S> for Captured {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, _: Context<'_, S>) {
        let mut fields = Vec::new();
        attrs.record(&mut Fields(&mut fields));
        let name = attrs.metadata().name().to_string();
        self.spans
            .lock()
            .unwrap()
            .push((id.into_u64(), name, fields));
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, _: Context<'_, S>) {
        let mut spans = self.spans.lock().unwrap();
        if let Some((_, _, fields)) = spans.iter_mut().find(|(i, _, _)| *i == id.into_u64()) {
            values.record(&mut Fields(fields));
        }
    }

    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        let mut fields = Vec::new();
        event.record(&mut Fields(&mut fields));
        self.events.lock().unwrap().push(fields);
    }
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

#[tokio::test(flavor = "current_thread")]
async fn one_span_per_call_with_its_fields_and_no_secret() {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::registry().with(captured.clone());
    let _default = tracing::subscriber::set_default(subscriber);

    let too_many = Behaviour::json(
        429,
        r#"{"code": 20429, "message": "slow down", "status": 429}"#,
    )
    .with_header("Retry-After", "0");
    let server = Server::script(vec![too_many, Behaviour::json(200, TWILIO_PARTICIPANT)]).await;
    let label = "secret label 42";
    let client = twilio::Client::with_config(
        config(&server.url(), USER, TOKEN).retry(RetryPolicy::default()),
    )
    .expect("client builds");
    client
        .update_participant(
            CONFERENCE,
            label,
            &twilio::UpdateParticipantRequest {
                announce_url: Some("https://example.com/private-announcement.mp3".into()),
                ..Default::default()
            },
        )
        .await
        .expect("the retry succeeds");
    assert_eq!(server.requests().len(), 2);

    let spans = captured.spans.lock().unwrap().clone();
    let calls: Vec<_> = spans
        .iter()
        .filter(|(_, name, _)| name == "telephony_client.request")
        .collect();
    assert_eq!(calls.len(), 1, "one span per call: {spans:#?}");
    let fields = &calls[0].2;
    assert_eq!(field(fields, "operation"), Some("UpdateParticipant"));
    assert_eq!(field(fields, "method"), Some("POST"));
    assert_eq!(
        field(fields, "path"),
        Some("/2010-04-01/Accounts/{AccountSid}/Conferences/{ConferenceSid}/Participants/{CallSid}.json")
    );
    assert_eq!(field(fields, "status"), Some("200"));
    assert_eq!(field(fields, "attempt"), Some("2"));
    let elapsed: u64 = field(fields, "elapsed_ms")
        .expect("elapsed_ms is recorded")
        .parse()
        .expect("elapsed_ms is a number");
    assert!(elapsed < 5_000, "{elapsed}");

    let events = captured.events.lock().unwrap().clone();
    assert!(
        events.iter().any(|e| field(e, "attempt") == Some("1")),
        "the retry is an event: {events:#?}"
    );
    let everything = format!("{spans:?} {events:?}");
    for secret in [
        TOKEN,
        ACCOUNT,
        CONFERENCE,
        "secret label",
        "secret%20label",
        "private-announcement",
        "Basic ",
    ] {
        assert!(
            !everything.contains(secret),
            "`{secret}` was recorded: {everything}"
        );
    }
}
