//! A conference moderator: receives Twilio's conference status callbacks, verifies each one,
//! and mutes every participant who joins a conference after its first.
//!
//! ```text
//! TWILIO_ACCOUNT_SID=AC… TWILIO_AUTH_TOKEN=… PUBLIC_BASE_URL=https://hooks.example.com \
//!     cargo run -p telephony-tests --example moderator
//! ```
//!
//! `PUBLIC_BASE_URL` is the URL Twilio calls (what `ConferenceStatusCallback` was set to, less
//! its path): the signature covers it, so behind a proxy or tunnel it is the public one.
//! `API_BASE_URL` points the client at another server, such as a local mock.

use axum::extract::{FromRef, State};
use axum::routing::post;
use axum::Router;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use telephony_client::twilio::webhooks::{ConferenceEvent, ConferenceStatus};
use telephony_client::webhooks::{PublicBase, VerifiedWebhook, WebhookConfig, WebhookVerifier};
use telephony_client::{twilio, ClientConfig, Credentials};

/// What the handler needs: the API client, the webhook settings, and who joined where.
#[derive(Clone)]
pub struct Moderator {
    client: twilio::Client,
    webhooks: WebhookConfig,
    /// Joins seen per conference SID.
    joined: Arc<Mutex<HashMap<String, usize>>>,
}

impl FromRef<Moderator> for WebhookConfig {
    fn from_ref(moderator: &Moderator) -> Self {
        moderator.webhooks.clone()
    }
}

impl Moderator {
    pub fn new(client: twilio::Client, webhooks: WebhookConfig) -> Self {
        Moderator {
            client,
            webhooks,
            joined: Arc::default(),
        }
    }

    /// The server's routes: conference status callbacks at `/conference-events`.
    pub fn router(self) -> Router {
        Router::new()
            .route("/conference-events", post(conference_event))
            .with_state(self)
    }

    /// Whether this join is not the conference's first.
    fn joins_late(&self, conference_sid: &str) -> bool {
        let mut joined = self.joined.lock().unwrap_or_else(|e| e.into_inner());
        let count = joined.entry(conference_sid.to_string()).or_insert(0);
        *count += 1;
        *count > 1
    }
}

/// Runs only for requests whose signature verified and whose body decoded.
async fn conference_event(
    State(moderator): State<Moderator>,
    webhook: VerifiedWebhook<ConferenceStatus>,
) -> axum::http::StatusCode {
    let event = webhook.event;
    let (ConferenceEvent::ParticipantJoin, Some(call_sid)) =
        (&event.status_callback_event, event.call_sid.as_deref())
    else {
        return axum::http::StatusCode::NO_CONTENT;
    };
    if !moderator.joins_late(&event.conference_sid) {
        return axum::http::StatusCode::NO_CONTENT;
    }
    let mute = twilio::UpdateParticipantRequest {
        muted: Some(true),
        ..Default::default()
    };
    match moderator
        .client
        .update_participant(&event.conference_sid, call_sid, &mute)
        .await
    {
        Ok(_) => axum::http::StatusCode::NO_CONTENT,
        // Twilio retries a callback that fails; the update is then tried again.
        Err(_) => axum::http::StatusCode::BAD_GATEWAY,
    }
}

#[allow(dead_code)] // `main` is the example's; the round-trip test uses the rest.
#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let var = |name: &str| std::env::var(name).map_err(|_| format!("set {name}"));
    let account = var("TWILIO_ACCOUNT_SID")?;
    let token = var("TWILIO_AUTH_TOKEN")?;
    let api =
        std::env::var("API_BASE_URL").unwrap_or_else(|_| twilio::Client::DEFAULT_BASE_URL.into());
    let client =
        twilio::Client::with_config(ClientConfig::new(api, Credentials::basic(account, &token)))?;
    let webhooks = WebhookConfig::new(
        WebhookVerifier::twilio(&token)?,
        PublicBase::parse(&var("PUBLIC_BASE_URL")?)?,
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
    axum::serve(listener, Moderator::new(client, webhooks).router()).await?;
    Ok(())
}
