//! The generated client against hostile and broken servers, on loopback: a body too large (a
//! gzip bomb, a plain body with or without `Content-Length`) ends in
//! [`Error::ResponseTooLarge`] and the client drops the connection before the server has sent
//! it all; a redirect is never followed (no method change, no request to another origin); a
//! next-page chain that comes back to an earlier page ends with an error; an overflowing
//! `Retry-After` means "too long to wait"; an integer out of its field's range is a decode
//! error naming the field; a body whose decoded tree would outgrow the limit is refused; a
//! deadline, the client's or one call's, bounds every attempt and wait.
//!
//! Memory is not measured here (a timed or RSS test would be flaky): `tests/src/bin/body_peak.rs`
//! prints the peak RSS of a large page and of a bomb.

mod support;

use std::io::Write as _;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use flate2::write::GzEncoder;
use flate2::Compression;
use futures_util::StreamExt as _;
use support::*;
use telephony_client::{twilio, ClientConfig, Error, InvalidRequest, RetryPolicy};

const USER: &str = ACCOUNT;
const TOKEN: &str = "hostile-test-token";
const MIB: usize = 1 << 20;

fn mute() -> twilio::UpdateParticipantRequest {
    twilio::UpdateParticipantRequest {
        muted: Some(true),
        ..Default::default()
    }
}

fn twilio_with(config: impl FnOnce(ClientConfig) -> ClientConfig, root: &str) -> twilio::Client {
    twilio::Client::with_config(config(support::config(root, USER, TOKEN))).expect("client builds")
}

/// `POST …/Participants/{CallSid}.json`, the call the issue's mute example makes.
async fn update(client: &twilio::Client) -> Result<twilio::ConferenceParticipant, Error> {
    client
        .update_participant(CONFERENCE, CALL, &mute())
        .await
        .map(telephony_client::Response::into_inner)
}

// ---------------------------------------------------------------------------------------
// Bounded bodies

/// A streamed response and where its ending is recorded.
fn streamed(
    status: u16,
    headers: &[(&str, &str)],
    chunked: bool,
    first: Vec<u8>,
    rest: Vec<u8>,
) -> (Behaviour, Arc<Mutex<Vec<StreamEnd>>>) {
    let ended = Arc::new(Mutex::new(Vec::new()));
    let behaviour = Behaviour::Stream {
        status,
        headers: headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
        chunked,
        first,
        rest,
        ended: Arc::clone(&ended),
    };
    (behaviour, ended)
}

/// JSON whitespace, then a valid participant: a client without a limit decodes it (`Ok`).
fn padded_participant(spaces: usize) -> Vec<u8> {
    let mut body = vec![b' '; spaces];
    body.extend_from_slice(TWILIO_PARTICIPANT.as_bytes());
    body
}

/// A gzip stream of `total` bytes of whitespace and a participant, cut after the part that
/// decodes to `first` bytes (flushed, so the client can decode it before the rest arrives).
fn gzip_bomb(first: usize, total: usize) -> (Vec<u8>, Vec<u8>) {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    let spaces = vec![b' '; MIB];
    for _ in 0..first / MIB {
        encoder.write_all(&spaces).expect("compress");
    }
    encoder.flush().expect("flush");
    let head = std::mem::take(encoder.get_mut());
    for _ in 0..(total - first) / MIB {
        encoder.write_all(&spaces).expect("compress");
    }
    encoder
        .write_all(TWILIO_PARTICIPANT.as_bytes())
        .expect("compress");
    (head, encoder.finish().expect("finish gzip"))
}

fn gzip(body: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(body).expect("compress");
    encoder.finish().expect("finish gzip")
}

/// The error says the body was over `limit`, and keeps the response's status and headers.
fn assert_too_large(result: Result<impl std::fmt::Debug, Error>, status: u16, limit: u64) {
    match result {
        Err(Error::ResponseTooLarge { limit: l, meta }) => {
            assert_eq!(l, limit);
            assert_eq!(meta.status(), status);
            assert_eq!(meta.header("x-marker"), Some("kept"), "headers are kept");
        }
        other => panic!("expected ResponseTooLarge (HTTP {status}, limit {limit}), got {other:?}"),
    }
}

/// The server saw the client close the connection before the body was sent in full.
async fn assert_closed_early(ended: &Mutex<Vec<StreamEnd>>) {
    // The close reaches the server a moment after the call returns.
    let waited = Instant::now();
    while ended.lock().unwrap().is_empty() && waited.elapsed() < STREAM_PATIENCE * 2 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(*ended.lock().unwrap(), [StreamEnd::ClosedEarly]);
}

const LIMIT: u64 = MIB as u64;

#[tokio::test]
async fn a_gzip_bomb_is_cut_off_at_the_limit_on_decoded_bytes() {
    // 4 MiB decoded in the first 4 KiB sent, 16 MiB in all: 16 times the limit.
    let (first, rest) = gzip_bomb(4 * MIB, 16 * MIB);
    let (bomb, ended) = streamed(
        200,
        &[
            ("Content-Type", "application/json"),
            ("Content-Encoding", "gzip"),
            ("X-Marker", "kept"),
        ],
        false,
        first,
        rest,
    );
    let server = Server::start(bomb).await;
    let client = twilio_with(|c| c.max_response_bytes(LIMIT), &server.url());
    assert_too_large(update(&client).await, 200, LIMIT);
    assert_closed_early(&ended).await;
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn a_plain_body_over_the_limit_is_refused_from_its_content_length() {
    let body = padded_participant(8 * MIB);
    let (first, rest) = (body[..256 << 10].to_vec(), body[256 << 10..].to_vec());
    let (reply, ended) = streamed(
        200,
        &[("Content-Type", "application/json"), ("X-Marker", "kept")],
        false,
        first,
        rest,
    );
    let server = Server::start(reply).await;
    let client = twilio_with(|c| c.max_response_bytes(LIMIT), &server.url());
    assert_too_large(update(&client).await, 200, LIMIT);
    assert_closed_early(&ended).await;
}

#[tokio::test]
async fn a_chunked_body_over_the_limit_is_cut_off_while_it_streams() {
    let body = padded_participant(8 * MIB);
    let (first, rest) = (body[..2 * MIB].to_vec(), body[2 * MIB..].to_vec());
    let (reply, ended) = streamed(
        200,
        &[("Content-Type", "application/json"), ("X-Marker", "kept")],
        true,
        first,
        rest,
    );
    let server = Server::start(reply).await;
    let client = twilio_with(|c| c.max_response_bytes(LIMIT), &server.url());
    assert_too_large(update(&client).await, 200, LIMIT);
    assert_closed_early(&ended).await;
}

#[tokio::test]
async fn an_error_body_over_the_limit_is_never_retried() {
    // A GET answered 503 with `Retry-After: 0` would be retried; a 429 would be for a POST.
    let body = padded_participant(4 * MIB);
    let (first, rest) = (body[..2 * MIB].to_vec(), body[2 * MIB..].to_vec());
    let headers = [
        ("Content-Type", "application/json"),
        ("Retry-After", "0"),
        ("X-Marker", "kept"),
    ];
    let (reply, ended) = streamed(503, &headers, true, first.clone(), rest.clone());
    let server = Server::start(reply).await;
    let client = twilio_with(|c| c.max_response_bytes(LIMIT), &server.url());
    assert_too_large(client.fetch_participant(CONFERENCE, CALL).await, 503, LIMIT);
    assert_closed_early(&ended).await;
    assert_eq!(server.requests().len(), 1, "the GET was retried");

    let (reply, ended) = streamed(429, &headers, true, first, rest);
    let server = Server::start(reply).await;
    let client = twilio_with(|c| c.max_response_bytes(LIMIT), &server.url());
    assert_too_large(update(&client).await, 429, LIMIT);
    assert_closed_early(&ended).await;
    assert_eq!(server.requests().len(), 1, "the POST was retried");
}

/// The limit is inclusive, plain or gzip-decoded: a body of exactly `limit` bytes decodes,
/// one byte less of limit refuses it.
#[tokio::test]
async fn a_body_of_exactly_the_limit_decodes() {
    const EXACT: usize = 4096;
    let body = {
        let mut body = TWILIO_PARTICIPANT.as_bytes().to_vec();
        body.resize(EXACT, b' ');
        body
    };
    let plain = Behaviour::json(200, std::str::from_utf8(&body).expect("UTF-8"))
        .with_header("X-Marker", "kept");
    let gzipped = Behaviour::reply(200, "application/json", gzip(&body))
        .with_header("Content-Encoding", "gzip")
        .with_header("X-Marker", "kept");
    for reply in [plain, gzipped] {
        let server = Server::start(reply).await;
        let exact = twilio_with(|c| c.max_response_bytes(EXACT as u64), &server.url());
        let participant = update(&exact).await.expect("a body at the limit decodes");
        assert_eq!(participant.call_sid.as_deref(), Some(CALL));
        let under = twilio_with(|c| c.max_response_bytes(EXACT as u64 - 1), &server.url());
        assert_too_large(update(&under).await, 200, EXACT as u64 - 1);
    }
}

/// A Twilio list page of `items` participants.
fn large_page(items: usize) -> String {
    let participant: serde_json::Value =
        serde_json::from_str(TWILIO_PARTICIPANT).expect("participant JSON");
    let list = format!("/2010-04-01/Accounts/{ACCOUNT}/Conferences/{CONFERENCE}/Participants.json");
    serde_json::json!({
        "participants": vec![participant; items],
        "page": 0, "page_size": items, "start": 0, "end": items - 1,
        "first_page_uri": format!("{list}?PageSize={items}&Page=0"),
        "next_page_uri": null, "previous_page_uri": null,
        "uri": format!("{list}?PageSize={items}&Page=0"),
    })
    .to_string()
}

/// The default fits the largest page Twilio sends (1,000 items) many times over, so no real
/// response comes near it.
#[tokio::test]
async fn the_default_limit_fits_a_thousand_item_page_with_a_wide_margin() {
    let page = large_page(1000);
    assert!(
        ClientConfig::DEFAULT_MAX_RESPONSE_BYTES >= 8 * page.len() as u64,
        "default {} for a {}-byte page",
        ClientConfig::DEFAULT_MAX_RESPONSE_BYTES,
        page.len()
    );
    let server = Server::start(Behaviour::json(200, &page)).await;
    let client = twilio_client(&server.url(), USER, TOKEN);
    let listed = client
        .list_participant(CONFERENCE, &Default::default())
        .await
        .expect("a 1,000-item page decodes under the default limit");
    assert_eq!(listed.items().len(), 1000);
}

/// An error and its sources, as a reporter prints them.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// A body within the limit whose tree would take many times its size (an unknown field of
/// `[0,0,…]`, ignored by the types) ends in a decode error that names the limit, for a
/// single object and for a list page; the same bodies decode with a limit that leaves room.
#[tokio::test]
async fn a_dense_body_within_the_limit_is_refused_before_its_tree_outgrows_the_limit() {
    const LIMIT: usize = 64 << 10;
    let page = telephony_tests::dense_page(LIMIT - 16);
    let participant = {
        let mut object: serde_json::Value =
            serde_json::from_str(TWILIO_PARTICIPANT).expect("participant JSON");
        let zeros = vec![serde_json::Value::from(0); (LIMIT - 2048) / 2];
        object["junk"] = serde_json::Value::Array(zeros);
        serde_json::to_string(&object).expect("JSON")
    };
    assert!(participant.len() < LIMIT, "{}", participant.len());
    let single = Server::start(Behaviour::json(200, &participant)).await;
    let listed = Server::start(Behaviour::json(200, &page)).await;
    let tight = |url: &str| twilio_with(|c| c.max_response_bytes(LIMIT as u64), url);
    let roomy = |url: &str| twilio_with(|c| c.max_response_bytes(64 * LIMIT as u64), url);

    let error = update(&tight(&single.url())).await.expect_err("refused");
    assert!(
        chain(&error).contains("bytes of memory to decode"),
        "{}",
        chain(&error)
    );
    let error = tight(&listed.url())
        .list_participant(CONFERENCE, &Default::default())
        .await
        .expect_err("refused");
    assert!(
        chain(&error).contains("bytes of memory to decode"),
        "{}",
        chain(&error)
    );

    let decoded = update(&roomy(&single.url()))
        .await
        .expect("room for the tree");
    assert_eq!(decoded.call_sid.as_deref(), Some(CALL));
    let page = roomy(&listed.url())
        .list_participant(CONFERENCE, &Default::default())
        .await
        .expect("room for the tree");
    assert!(page.items().is_empty());
}

// ---------------------------------------------------------------------------------------
// Redirects

const REDIRECTS: [u16; 5] = [301, 302, 303, 307, 308];

fn assert_redirect<T: std::fmt::Debug, E: std::fmt::Debug>(
    result: Result<T, Error<E>>,
    status: u16,
    location: &str,
) {
    match result {
        Err(Error::Redirect {
            status: s,
            location: l,
            meta,
        }) => {
            assert_eq!(s, status);
            assert_eq!(l.as_deref(), Some(location));
            assert_eq!(meta.status(), status);
        }
        other => panic!("expected a Redirect error (HTTP {status} to {location}), got {other:?}"),
    }
}

#[tokio::test]
async fn a_redirect_answering_a_post_is_an_error_and_never_followed() {
    let elsewhere = Server::start(Behaviour::json(200, TWILIO_PARTICIPANT)).await;
    for status in REDIRECTS {
        for location in [
            // The same server, where a GET would answer with the unchanged participant.
            "/2010-04-01/Accounts/elsewhere.json".to_string(),
            // Another origin, where the form body (credentials of a SIP participant, say)
            // must never go.
            format!("{}/2010-04-01/Accounts/elsewhere.json", elsewhere.url()),
        ] {
            let server = Server::script(vec![
                Behaviour::json(status, "{}").with_header("Location", &location),
                Behaviour::json(200, TWILIO_PARTICIPANT),
            ])
            .await;
            let client = twilio_client(&server.url(), USER, TOKEN);
            assert_redirect(update(&client).await, status, &location);
            let requests = server.requests();
            assert_eq!(
                requests.len(),
                1,
                "HTTP {status} was followed: {requests:#?}"
            );
            assert_eq!(requests[0].method, "POST");
        }
    }
    assert!(
        elsewhere.requests().is_empty(),
        "the other origin got a request"
    );
    assert_eq!(elsewhere.connections(), 0);
}

#[tokio::test]
async fn a_redirect_answering_a_get_is_an_error_too() {
    let location = "/api/laml/2010-04-01/moved";
    let server = Server::script(vec![
        Behaviour::json(302, "").with_header("Location", location),
        Behaviour::json(200, SIGNALWIRE_PARTICIPANT),
    ])
    .await;
    let client = signalwire_client(&server.url(), SW_PROJECT, TOKEN);
    let result = client.retrieve_participant(SW_CONFERENCE, SW_CALL).await;
    assert_redirect(result, 302, location);
    assert_eq!(server.requests().len(), 1);
}

/// A caller-supplied `reqwest::Client` keeps its own redirect policy (reqwest's default
/// follows): an answer from another URL than the request's is then an error, never `Ok`.
#[tokio::test]
async fn a_redirect_followed_by_a_caller_supplied_client_is_an_error() {
    let location = "/2010-04-01/moved.json";
    let server = Server::script(vec![
        Behaviour::json(302, "{}").with_header("Location", location),
        Behaviour::json(200, TWILIO_PARTICIPANT),
    ])
    .await;
    let client = twilio_with(|c| c.http_client(reqwest::Client::new()), &server.url());
    match update(&client).await {
        Err(Error::Redirect {
            location: Some(url),
            ..
        }) => {
            assert_eq!(url, format!("{}{location}", server.url()));
        }
        other => panic!("a followed redirect returned {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------
// Paging cycles

fn list_path() -> String {
    format!("/2010-04-01/Accounts/{ACCOUNT}/Conferences/{CONFERENCE}/Participants.json")
}

/// The first page's request target for a page size of 2.
fn first_target() -> String {
    format!("{}?PageSize=2", list_path())
}

fn next_target(n: usize) -> String {
    format!("{}?PageSize=2&Page={n}&PageToken=PA{n}", list_path())
}

/// Page `n`: two participants, `next` as `next_page_uri`.
fn page(n: usize, next: Option<&str>) -> Behaviour {
    let participants: Vec<String> = (0..2)
        .map(|i| {
            format!(
                r#"{{"account_sid": "{ACCOUNT}", "call_sid": "CA{:032}", "status": "connected"}}"#,
                n * 2 + i
            )
        })
        .collect();
    let next = next.map_or("null".to_string(), |uri| format!("{uri:?}"));
    Behaviour::json(
        200,
        &format!(
            r#"{{"participants": [{}], "page": {n}, "page_size": 2, "next_page_uri": {next}}}"#,
            participants.join(", ")
        ),
    )
}

/// Every result of the listing stream, and the targets the server was asked for.
type Participant = twilio::ConferenceParticipant;

async fn list_all(script: Vec<Behaviour>) -> (Vec<Result<Participant, Error>>, Vec<String>) {
    let server = Server::script(script).await;
    let client = twilio_client(&server.url(), USER, TOKEN);
    let params = twilio::ListParticipantParams {
        page_size: Some(2),
        ..Default::default()
    };
    let results = tokio::time::timeout(
        SAFETY_TIMEOUT,
        client
            .list_participant_stream(CONFERENCE, &params)
            .take(50)
            .collect::<Vec<_>>(),
    )
    .await
    .expect("the listing ends");
    let targets = server.requests().into_iter().map(|r| r.target).collect();
    (results, targets)
}

fn call_sids(results: &[Result<Participant, Error>]) -> Vec<String> {
    results
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .map(|p| p.call_sid.clone().unwrap_or_default())
        .collect()
}

fn sids(range: std::ops::Range<usize>) -> Vec<String> {
    range.map(|n| format!("CA{n:032}")).collect()
}

fn assert_cycle(last: Option<&Result<Participant, Error>>, url: &str) {
    match last {
        Some(Err(Error::InvalidRequest(InvalidRequest::PageCycle { url: u }))) => {
            assert!(u.ends_with(url), "{u} is not {url}");
        }
        other => panic!("expected a page-cycle error last, got {other:?}"),
    }
}

#[tokio::test]
async fn a_next_page_link_back_to_the_first_page_ends_the_listing_with_an_error() {
    let (results, targets) = list_all(vec![
        page(0, Some(&next_target(1))),
        page(1, Some(&first_target())),
        page(0, Some(&next_target(1))),
    ])
    .await;
    assert_eq!(call_sids(&results), sids(0..4), "the items so far are kept");
    assert_eq!(results.len(), 5, "{results:?}");
    assert_cycle(results.last(), &first_target());
    assert_eq!(targets, [first_target(), next_target(1)]);
}

#[tokio::test]
async fn a_next_page_link_back_to_a_middle_page_ends_the_listing_with_an_error() {
    let (results, targets) = list_all(vec![
        page(0, Some(&next_target(1))),
        page(1, Some(&next_target(2))),
        page(2, Some(&next_target(1))),
        page(1, Some(&next_target(2))),
    ])
    .await;
    assert_eq!(call_sids(&results), sids(0..6));
    assert_eq!(results.len(), 7, "{results:?}");
    assert_cycle(results.last(), &next_target(1));
    assert_eq!(targets, [first_target(), next_target(1), next_target(2)]);
}

/// A static mock answers every page with the same link: a link to the page just fetched ends
/// the listing quietly, the first page included.
#[tokio::test]
async fn a_link_to_the_page_just_fetched_ends_the_listing_quietly() {
    let (results, targets) = list_all(vec![
        page(0, Some(&next_target(1))),
        page(1, Some(&next_target(1))),
    ])
    .await;
    assert_eq!(results.len(), 4, "{results:?}");
    assert_eq!(call_sids(&results), sids(0..4));
    assert_eq!(targets, [first_target(), next_target(1)]);

    let (results, targets) = list_all(vec![page(0, Some(&first_target()))]).await;
    assert_eq!(results.len(), 2, "{results:?}");
    assert_eq!(call_sids(&results), sids(0..2));
    assert_eq!(targets, [first_target()]);
}

// ---------------------------------------------------------------------------------------
// Retry-After

fn too_many(retry_after: &str) -> Behaviour {
    Behaviour::json(
        429,
        r#"{"code": 20429, "message": "Too Many Requests", "status": 429}"#,
    )
    .with_header("Retry-After", retry_after)
}

#[tokio::test]
async fn an_overflowing_retry_after_is_returned_at_once() {
    let server = Server::script(vec![
        too_many("99999999999999999999999"),
        Behaviour::json(200, TWILIO_PARTICIPANT),
    ])
    .await;
    let client = twilio_client(&server.url(), USER, TOKEN);
    let error = update(&client).await.expect_err("too long to wait");
    assert_eq!(error.status(), Some(429));
    assert_eq!(
        error.retry_after(),
        Some(Duration::MAX),
        "an overflow is very long"
    );
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn retry_after_as_an_http_date_keeps_working() {
    // A date in the past: retry now.
    let server = Server::script(vec![
        too_many("Sun, 06 Nov 1994 08:49:37 GMT"),
        Behaviour::json(200, TWILIO_PARTICIPANT),
    ])
    .await;
    let client = twilio_client(&server.url(), USER, TOKEN);
    update(&client).await.expect("retried at once, then fine");
    assert_eq!(server.requests().len(), 2);

    // A date decades ahead: over the cap, returned at once.
    let server = Server::start(too_many("Fri, 31 Dec 2100 23:59:59 GMT")).await;
    let client = twilio_client(&server.url(), USER, TOKEN);
    let error = update(&client).await.expect_err("too long to wait");
    assert!(error.retry_after() > Some(Duration::from_secs(60 * 365 * 24 * 3600)));
    assert_eq!(server.requests().len(), 1);
}

// ---------------------------------------------------------------------------------------
// Numbers

/// A list page's JSON text with `field` set to `value` as written (serde_json cannot hold
/// every value these tests send).
fn page_text(fields: &[(&str, &str)], field: &str, value: &str) -> String {
    let mut members: Vec<String> = fields
        .iter()
        .filter(|(name, _)| *name != field)
        .map(|(name, v)| format!("{name:?}: {v}"))
        .collect();
    members.push(format!("{field:?}: {value}"));
    format!("{{{}}}", members.join(", "))
}

const TWILIO_PAGE: [(&str, &str); 6] = [
    ("participants", "[]"),
    ("page", "0"),
    ("page_size", "50"),
    ("start", "0"),
    ("end", "0"),
    ("next_page_uri", "null"),
];

const SIGNALWIRE_PAGE: [(&str, &str); 6] = [
    ("uri", "\"/p\""),
    ("first_page_uri", "\"/p\""),
    ("participants", "[]"),
    ("page", "0"),
    ("page_size", "50"),
    ("next_page_uri", "null"),
];

fn assert_decode_error_at<T: std::fmt::Debug, E: std::fmt::Debug>(
    result: Result<T, Error<E>>,
    field: &str,
    value: &str,
) {
    match result {
        Err(error @ Error::Decode { .. }) => {
            // Where it failed is the cause's to say, below the response's own line.
            let cause = std::error::Error::source(&error).map(ToString::to_string);
            let message = format!("{error}: {}", cause.unwrap_or_default());
            assert!(
                message.contains(&format!("`.{field}`")),
                "{value}: the error does not name `.{field}`: {message}"
            );
        }
        other => panic!("`{field}: {value}` decoded as {other:?}"),
    }
}

/// `i64` fields (Twilio's paging numbers) and `i32` fields (SignalWire's): every integer
/// width the generator emits. A value outside the type, in integer, float or string
/// spelling, is an error naming the field, never clamped.
#[tokio::test]
async fn integers_out_of_range_fail_to_decode_naming_the_field() {
    let i64_cases = [
        ("end", "-9223372036854775809"),
        ("end", "9223372036854775808"),
        ("page", "9223372036854775808.0"),
        ("page", "-9223372036854775809.0"),
        ("start", "18446744073709551616"),
        ("page_size", "1e19"),
        ("start", "\"9223372036854775808\""),
        // Past 2^53 a float spelling may not be the integer sent (…993 reads as …992).
        ("end", "9007199254740993.0"),
        ("page", "1.5"),
    ];
    for (field, value) in i64_cases {
        let server =
            Server::start(Behaviour::json(200, &page_text(&TWILIO_PAGE, field, value))).await;
        let client = twilio_client(&server.url(), USER, TOKEN);
        let result = client
            .list_participant(CONFERENCE, &Default::default())
            .await;
        assert_decode_error_at(result.map(|p| p.into_inner()), field, value);
    }
    let i32_cases = [
        ("page", "2147483648"),
        ("page", "-2147483649"),
        ("page_size", "2147483648.0"),
        ("page_size", "4294967296"),
        ("page", "9223372036854775808"),
    ];
    for (field, value) in i32_cases {
        let server = Server::start(Behaviour::json(
            200,
            &page_text(&SIGNALWIRE_PAGE, field, value),
        ))
        .await;
        let client = signalwire_client(&server.url(), SW_PROJECT, TOKEN);
        let result = client
            .list_all_participants(SW_CONFERENCE, &Default::default())
            .await;
        assert_decode_error_at(result.map(|p| p.into_inner()), field, value);
    }
}

#[tokio::test]
async fn integers_at_the_ends_of_their_range_decode_exactly() {
    let body = r#"{"participants": [], "page": 2.0, "page_size": 1e2, "start": -9223372036854775808, "end": 9223372036854775807, "next_page_uri": null}"#;
    let server = Server::start(Behaviour::json(200, body)).await;
    let client = twilio_client(&server.url(), USER, TOKEN);
    let page = client
        .list_participant(CONFERENCE, &Default::default())
        .await
        .expect("in range");
    assert_eq!(
        (page.page, page.page_size, page.start, page.end),
        (Some(2), Some(100), Some(i64::MIN), Some(i64::MAX))
    );

    let body = r#"{"uri": "/p", "first_page_uri": "/p", "participants": [], "page": 2147483647, "page_size": -2147483648.0, "next_page_uri": null}"#;
    let server = Server::start(Behaviour::json(200, body)).await;
    let client = signalwire_client(&server.url(), SW_PROJECT, TOKEN);
    let page = client
        .list_all_participants(SW_CONFERENCE, &Default::default())
        .await
        .expect("in range");
    assert_eq!((page.page, page.page_size), (i32::MAX, i32::MIN));
}

// ---------------------------------------------------------------------------------------
// Deadlines

/// A `Retry-After` the policy would honour (under its 30 s cap) but that cannot end before
/// the deadline: the retry is not started, the 429 is returned at once.
#[tokio::test]
async fn a_retry_that_cannot_finish_before_the_deadline_is_not_started() {
    let server = Server::start(too_many("20")).await;
    let client = twilio_with(|c| c.deadline(Duration::from_secs(3)), &server.url());
    let started = Instant::now();
    let error = tokio::time::timeout(Duration::from_secs(15), update(&client))
        .await
        .expect("the deadline bounds the call")
        .expect_err("429");
    assert_eq!(error.status(), Some(429), "{error:?}");
    assert_eq!(server.requests().len(), 1);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "the client waited for a retry it could not make: {:?}",
        started.elapsed()
    );
}

/// One call's own deadline does what the client's does, for that call only: the retry it
/// cannot fit is not started. The same client without it waits for the retry.
#[tokio::test]
async fn a_calls_own_deadline_bounds_that_call_only() {
    let server = Server::start(too_many("1")).await;
    let client = twilio_with(|c| c, &server.url());
    let started = Instant::now();
    let error = client
        .update_participant(CONFERENCE, CALL, &mute())
        .deadline(Duration::from_millis(500))
        .await
        .expect_err("429");
    assert_eq!(error.status(), Some(429), "{error:?}");
    assert_eq!(server.requests().len(), 1);
    assert!(
        started.elapsed() < Duration::from_millis(900),
        "the call waited for a retry past its deadline: {:?}",
        started.elapsed()
    );
    // Without it the client's policy retries after the server's second.
    let started = Instant::now();
    let error = tokio::time::timeout(Duration::from_secs(30), update(&client))
        .await
        .expect("the retry budget ends the call")
        .expect_err("every answer is a 429");
    assert_eq!(error.status(), Some(429), "{error:?}");
    assert!(server.requests().len() >= 3, "{}", server.requests().len());
    assert!(started.elapsed() >= Duration::from_secs(1));
}

/// Backoff retries go on until the deadline, not until the (huge) retry budget runs out.
#[tokio::test]
async fn a_deadline_bounds_backoff_retries() {
    let server = Server::start(Behaviour::json(
        429,
        r#"{"code": 20429, "message": "Too Many Requests", "status": 429}"#,
    ))
    .await;
    let policy = RetryPolicy::default()
        .max_retries(10_000)
        .backoff(Duration::from_millis(40), Duration::from_millis(40));
    let client = twilio_with(
        |c| c.retry(policy).deadline(Duration::from_millis(500)),
        &server.url(),
    );
    let result = tokio::time::timeout(Duration::from_secs(10), update(&client))
        .await
        .expect("the deadline bounds the call");
    let error = result.expect_err("every attempt is a 429");
    assert!(
        error.status() == Some(429) || error.is_timeout(),
        "{error:?}"
    );
    let attempts = server.requests().len();
    assert!(
        (2..1000).contains(&attempts),
        "{attempts} attempts in a 500 ms deadline with 0–40 ms waits"
    );
}

/// An attempt in flight when the deadline passes ends as a timeout, even when the
/// per-attempt timeout is longer.
#[tokio::test]
async fn a_deadline_cuts_an_attempt_that_hangs() {
    let server = Server::start(Behaviour::Hang).await;
    let client = twilio_with(|c| c.deadline(Duration::from_millis(300)), &server.url());
    let error = tokio::time::timeout(Duration::from_secs(4), update(&client))
        .await
        .expect("the deadline bounds the call")
        .expect_err("no answer");
    assert!(error.is_timeout(), "{error:?}");
    assert_eq!(server.requests().len(), 1);
}

/// The deadline covers a listing's pages one call each, not the whole stream: a slow
/// consumer does not time out the next page. (Each page is its own call.)
#[tokio::test]
async fn a_deadline_applies_to_each_page_of_a_listing() {
    let server = Server::script(vec![page(0, Some(&next_target(1))), page(1, None)]).await;
    let client = twilio_with(|c| c.deadline(Duration::from_millis(300)), &server.url());
    let params = twilio::ListParticipantParams {
        page_size: Some(2),
        ..Default::default()
    };
    let mut items = client.list_participant_stream(CONFERENCE, &params);
    let mut read = 0;
    while let Some(item) = items.next().await {
        item.expect("each page is well within its deadline");
        read += 1;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(read, 4);
}

/// Durations at the end of their range neither panic nor wait forever: an unbounded deadline
/// is none, and an overflowing `Retry-After` under an unbounded cap cannot end before a
/// deadline, so it is not waited for.
#[tokio::test]
async fn the_largest_durations_neither_panic_nor_hang() {
    let server = Server::start(Behaviour::json(200, TWILIO_PARTICIPANT)).await;
    let client = twilio_with(|c| c.deadline(Duration::MAX), &server.url());
    update(&client)
        .await
        .expect("an unbounded deadline is none");

    let server = Server::start(too_many("99999999999999999999999")).await;
    let policy = RetryPolicy::default().max_retry_after(Duration::MAX);
    let client = twilio_with(
        |c| c.retry(policy).deadline(Duration::from_secs(2)),
        &server.url(),
    );
    let error = tokio::time::timeout(Duration::from_secs(10), update(&client))
        .await
        .expect("the deadline bounds the call")
        .expect_err("429");
    assert_eq!(error.status(), Some(429));
    assert_eq!(server.requests().len(), 1);
}
