//! (d) A generated client call against the same call written by hand with reqwest, both to one
//! keep-alive HTTP/1.1 loopback server. Both send the same request (method, path, Basic
//! credentials, `Accept`, user agent, 30 s timeout, form body) and decode the same JSON into
//! the same generated struct, so the difference is what the generated code adds.

use crate::measure::median;
use std::time::{Duration, Instant};
use telephony_client::twilio::{Client, ConferenceParticipant, UpdateParticipantRequest};
use telephony_client::{ClientConfig, Credentials};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const ACCOUNT: &str = "AC00000000000000000000000000000000";
const CONFERENCE: &str = "CF00000000000000000000000000000000";
const CALL: &str = "CA00000000000000000000000000000000";
const TOKEN: &str = "auth-token";
const ROUNDS: usize = 20;

/// The response every request gets: a participant, as the API sends it.
const PARTICIPANT: &str = r#"{"account_sid":"AC00000000000000000000000000000000","call_sid":"CA00000000000000000000000000000000","label":"customer","call_sid_to_coach":null,"coaching":false,"conference_sid":"CF00000000000000000000000000000000","date_created":"Fri, 18 Feb 2011 21:07:19 +0000","date_updated":"Fri, 18 Feb 2011 21:07:19 +0000","end_conference_on_exit":false,"muted":true,"hold":false,"start_conference_on_enter":true,"status":"connected","queue_time":"0","uri":"/2010-04-01/Accounts/AC00000000000000000000000000000000/Conferences/CF00000000000000000000000000000000/Participants/CA00000000000000000000000000000000.json"}"#;

pub fn run(requests: usize) -> Result<(), String> {
    let server = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    let base = format!("http://{}", server.local_addr().map_err(|e| e.to_string())?);
    server.set_nonblocking(true).map_err(|e| e.to_string())?;
    // The server has a thread (and runtime) of its own; the clients run on this one.
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("server runtime");
        runtime.block_on(serve(server));
    });
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(compare(&base, requests))
}

async fn serve(listener: std::net::TcpListener) {
    let listener = tokio::net::TcpListener::from_std(listener).expect("tokio listener");
    let response = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{PARTICIPANT}",
        PARTICIPANT.len()
    );
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let response = response.clone();
        tokio::spawn(async move {
            let _ = connection(stream, response.as_bytes()).await;
        });
    }
}

/// Answers every request on one keep-alive connection.
async fn connection(mut stream: tokio::net::TcpStream, response: &[u8]) -> std::io::Result<()> {
    stream.set_nodelay(true)?;
    let mut buffer = Vec::with_capacity(4096);
    let mut chunk = [0u8; 4096];
    loop {
        // One request: the head, then content-length bytes of body.
        let request_end = loop {
            if let Some(head_end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&buffer[..head_end]).to_ascii_lowercase();
                let length: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(0);
                if buffer.len() >= head_end + 4 + length {
                    break head_end + 4 + length;
                }
            }
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                return Ok(());
            }
            buffer.extend_from_slice(&chunk[..n]);
        };
        buffer.drain(..request_end);
        stream.write_all(response).await?;
    }
}

/// The same call, written by hand.
struct HandWritten {
    http: reqwest::Client,
    url: String,
}

impl HandWritten {
    fn new(base: &str) -> Result<Self, String> {
        let http = reqwest::Client::builder()
            .user_agent(telephony_client::default_user_agent())
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| e.to_string())?;
        Ok(HandWritten {
            http,
            url: format!(
                "{base}/2010-04-01/Accounts/{ACCOUNT}/Conferences/{CONFERENCE}/Participants/{CALL}.json"
            ),
        })
    }

    async fn call(&self) -> Result<ConferenceParticipant, String> {
        let response = self
            .http
            .post(&self.url)
            .basic_auth(ACCOUNT, Some(TOKEN))
            .header(reqwest::header::ACCEPT, "application/json")
            .form(&[("Muted", "true"), ("Hold", "false")])
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if !response.status().is_success() {
            return Err(format!("HTTP {}", response.status()));
        }
        let body = response.bytes().await.map_err(|e| e.to_string())?;
        serde_json::from_slice(&body).map_err(|e| e.to_string())
    }
}

async fn generated_call(
    client: &Client,
    body: &UpdateParticipantRequest,
) -> Result<ConferenceParticipant, String> {
    // The account is the Basic username; the default retry policy is on.
    client
        .update_participant(CONFERENCE, CALL, body)
        .await
        .map(telephony_client::Response::into_inner)
        .map_err(|e| e.to_string())
}

async fn compare(base: &str, requests: usize) -> Result<(), String> {
    let generated =
        Client::with_config(ClientConfig::new(base, Credentials::basic(ACCOUNT, TOKEN)))
            .map_err(|e| e.to_string())?;
    let body = UpdateParticipantRequest {
        muted: Some(true),
        hold: Some(false),
        ..Default::default()
    };
    let by_hand = HandWritten::new(base)?;
    // Both give the same answer.
    let a = generated_call(&generated, &body).await?;
    let b = by_hand.call().await?;
    if a != b {
        return Err("the generated and the hand-written call decode differently".into());
    }
    // Warm-up: connections, allocator, caches.
    for _ in 0..200 {
        generated_call(&generated, &body).await?;
        by_hand.call().await?;
    }
    let per_round = requests.div_ceil(ROUNDS).max(1);
    let (mut gen_rounds, mut hand_rounds) = (Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        // Alternate which goes first, so that drift hits both alike.
        for first in [round % 2 == 0, round % 2 != 0] {
            let t = Instant::now();
            if first {
                for _ in 0..per_round {
                    std::hint::black_box(generated_call(&generated, &body).await?);
                }
                gen_rounds.push(t.elapsed() / per_round as u32);
            } else {
                for _ in 0..per_round {
                    std::hint::black_box(by_hand.call().await?);
                }
                hand_rounds.push(t.elapsed() / per_round as u32);
            }
        }
    }
    let total_gen: Duration = gen_rounds.iter().sum();
    let total_hand: Duration = hand_rounds.iter().sum();
    let gen = median(&mut gen_rounds);
    let hand = median(&mut hand_rounds);
    let ratio = gen.as_secs_f64() / hand.as_secs_f64();
    let us = |d: Duration| format!("{:.1} us", d.as_secs_f64() * 1e6);
    println!(
        "(d) per request over keep-alive loopback HTTP/1.1, {} requests each in {ROUNDS} interleaved rounds (median round; mean)",
        per_round * ROUNDS
    );
    println!(
        "    hand-written reqwest         {:>10}   {:>10}",
        us(hand),
        us(total_hand / ROUNDS as u32)
    );
    println!(
        "    generated client             {:>10}   {:>10}",
        us(gen),
        us(total_gen / ROUNDS as u32)
    );
    println!(
        "    generated / hand-written     {ratio:>9.3}x   {:>9.3}x   (target <= 1.05x: {})",
        total_gen.as_secs_f64() / total_hand.as_secs_f64(),
        if ratio <= 1.05 { "met" } else { "NOT met" }
    );
    Ok(())
}
