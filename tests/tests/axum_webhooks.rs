//! The axum extractor on a loopback server: a request signed as the provider signs it is
//! accepted, a bad or missing signature gets 403 with an empty body and the handler does not
//! run, a body over the limit gets 413, an authentic body that is not the event gets 400.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::extract::{FromRef, State};
use axum::routing::post;
use axum::Router;
use telephony_client::webhooks::{PublicBase, WebhookPayload, WebhookVerifier};
use telephony_client::webhooks::{VerifiedWebhook, WebhookConfig, WebhookRejection};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

const TOKEN: &str = "12345";
const PUBLIC: &str = "https://hooks.example.com";

/// A toy event: the `Muted` form field.
#[derive(Debug)]
struct Muted(bool);

#[derive(Debug)]
struct NotMuted;

impl std::fmt::Display for NotMuted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("no Muted=true|false field")
    }
}

impl std::error::Error for NotMuted {}

impl WebhookPayload for Muted {
    type Error = NotMuted;

    fn from_request(_content_type: Option<&str>, body: &[u8]) -> Result<Self, NotMuted> {
        let body = std::str::from_utf8(body).map_err(|_| NotMuted)?;
        match body.split('&').find_map(|pair| pair.strip_prefix("Muted=")) {
            Some("true") => Ok(Muted(true)),
            Some("false") => Ok(Muted(false)),
            _ => Err(NotMuted),
        }
    }
}

#[derive(Clone)]
struct App {
    webhooks: WebhookConfig,
    handled: Arc<AtomicUsize>,
}

impl FromRef<App> for WebhookConfig {
    fn from_ref(app: &App) -> Self {
        app.webhooks.clone()
    }
}

async fn conference(State(app): State<App>, webhook: VerifiedWebhook<Muted>) -> String {
    app.handled.fetch_add(1, Ordering::SeqCst);
    format!(
        "muted={} token={}",
        webhook.event.0,
        webhook.verified.idempotency_token().unwrap_or("-")
    )
}

/// Logs the rejection instead of answering it.
async fn explained(webhook: Result<VerifiedWebhook<Muted>, WebhookRejection>) -> String {
    match webhook {
        Ok(_) => "ok".to_owned(),
        Err(rejection) => format!("{}: {rejection}", rejection.status().as_u16()),
    }
}

struct Server {
    base: String,
    handled: Arc<AtomicUsize>,
    client: reqwest::Client,
}

async fn serve(limit: usize) -> Server {
    let handled = Arc::new(AtomicUsize::new(0));
    let config = WebhookConfig::new(
        WebhookVerifier::twilio(TOKEN).expect("key"),
        PublicBase::parse(PUBLIC).expect("base"),
    )
    .body_limit(limit);
    let app = App {
        webhooks: config,
        handled: handled.clone(),
    };
    let hooks = Router::new()
        .route("/conference", post(conference))
        .route("/explained", post(explained));
    let router = Router::new().nest("/hooks", hooks).with_state(app);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, router).await });
    Server {
        base: format!("http://{addr}"),
        handled,
        client: reqwest::Client::new(),
    }
}

impl Server {
    async fn post(&self, path: &str, body: &str, signature: Option<&str>) -> (u16, String) {
        let mut request = self
            .client
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("i-twilio-idempotency-token", "event-1")
            .body(body.to_owned());
        if let Some(signature) = signature {
            request = request.header("x-twilio-signature", signature);
        }
        let response = request.send().await.expect("send");
        let status = response.status().as_u16();
        (status, response.text().await.expect("text"))
    }

    fn handled(&self) -> usize {
        self.handled.load(Ordering::SeqCst)
    }
}

/// The signature the provider sends for `body` posted to `path` on the public origin.
fn provider_signature(path: &str, body: &str) -> String {
    let url = format!("{PUBLIC}{path}");
    WebhookVerifier::twilio(TOKEN)
        .expect("key")
        .sign(&url, body.as_bytes())
}

#[tokio::test]
async fn signed_request_is_accepted() {
    let server = serve(WebhookConfig::DEFAULT_BODY_LIMIT).await;
    let path = "/hooks/conference?conference=room-1";
    let body = "ConferenceSid=CF1&Muted=true&StatusCallbackEvent=participant-mute";
    let (status, text) = server
        .post(path, body, Some(&provider_signature(path, body)))
        .await;
    assert_eq!((status, text.as_str()), (200, "muted=true token=event-1"));
    assert_eq!(server.handled(), 1);
}

#[tokio::test]
async fn bad_signature_is_forbidden_without_detail() {
    let server = serve(WebhookConfig::DEFAULT_BODY_LIMIT).await;
    let path = "/hooks/conference";
    let body = "Muted=true";
    let signed_for_other_body = provider_signature(path, "Muted=false");
    let signed_for_local_url = WebhookVerifier::twilio(TOKEN)
        .expect("key")
        .sign(&format!("{}{path}", server.base), body.as_bytes());
    for signature in [
        Some(signed_for_other_body.as_str()),
        Some(signed_for_local_url.as_str()),
        Some("not a signature"),
        None,
    ] {
        let (status, text) = server.post(path, body, signature).await;
        assert_eq!((status, text.as_str()), (403, ""), "{signature:?}");
    }
    assert_eq!(server.handled(), 0, "the handler must not run");
    // The rejection keeps the reason for the app's logs.
    let path = "/hooks/explained";
    let (_, text) = server.post(path, body, Some("not a signature")).await;
    assert!(
        text.starts_with("403: the X-Twilio-Signature header"),
        "{text}"
    );
}

#[tokio::test]
async fn over_limit_body_is_too_large() {
    let server = serve(1024).await;
    let path = "/hooks/conference";
    let body = format!("Muted=true&Padding={}", "x".repeat(2048));
    let (status, text) = server
        .post(path, &body, Some(&provider_signature(path, &body)))
        .await;
    assert_eq!((status, text.as_str()), (413, ""));
    // Without Content-Length (chunked), the limit still holds while reading.
    let signature = provider_signature(path, &body);
    let address = server.base.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address)
        .await
        .expect("connect");
    let head = format!(
        "POST {path} HTTP/1.1\r\nhost: {address}\r\nx-twilio-signature: {signature}\r\ncontent-type: application/x-www-form-urlencoded\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.expect("head");
    for chunk in body.as_bytes().chunks(512) {
        let framed = [format!("{:x}\r\n", chunk.len()).as_bytes(), chunk, b"\r\n"].concat();
        // The server may answer and close before the last chunk.
        if stream.write_all(&framed).await.is_err() {
            break;
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response).await;
    let response = String::from_utf8_lossy(&response);
    assert!(response.starts_with("HTTP/1.1 413"), "{response}");
    assert_eq!(server.handled(), 0);
    // An unsigned request is refused before its body is read, whatever its size.
    let (status, _) = server.post(path, &body, None).await;
    assert_eq!(status, 403);
    // At the limit it is accepted.
    let body = format!("Muted=true&P={}", "x".repeat(1024 - 13));
    assert_eq!(body.len(), 1024);
    let (status, _) = server
        .post(path, &body, Some(&provider_signature(path, &body)))
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn authentic_but_undecodable_is_bad_request() {
    let server = serve(WebhookConfig::DEFAULT_BODY_LIMIT).await;
    let path = "/hooks/conference";
    let body = "Muted=maybe";
    let (status, text) = server
        .post(path, body, Some(&provider_signature(path, body)))
        .await;
    assert_eq!((status, text.as_str()), (400, ""));
    assert_eq!(server.handled(), 0);
}
