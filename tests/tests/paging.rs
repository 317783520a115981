//! Pagination on a loopback server: Twilio's v2010 `next_page_uri` pages and SignalWire's
//! (a path under `/api/laml/…`, resolved against the base URL's origin, never appended to
//! its path) stream in order with the caller's limit respected; a next page on another
//! origin is an error and never requested. The `meta.next_page_url` convention (Twilio's
//! v1/v2 APIs) is covered by a client generated from `tests/fixtures/paging/meta_listing.yaml`
//! and tested by `tests/fixtures/paging/meta_listing_test.rs`.

mod support;

use std::path::Path;

use futures_util::StreamExt as _;
use support::*;
use telephony_client::{twilio, Error, InvalidRequest};
use telephony_codegen::{CrateRequest, Mode, ModuleRequest};
use telephony_tests::repo_root;

const USER: &str = ACCOUNT;
const TOKEN: &str = "paging-test-token";

fn twilio_list_path() -> String {
    format!("/2010-04-01/Accounts/{ACCOUNT}/Conferences/{CONFERENCE}/Participants.json")
}

/// Page `n` of a Twilio participant list: two participants, `next` as `next_page_uri`.
fn twilio_page(n: usize, next: Option<&str>) -> Behaviour {
    let participants: Vec<String> = (0..2)
        .map(|i| {
            format!(
                r#"{{"account_sid": "{ACCOUNT}", "conference_sid": "{CONFERENCE}", "call_sid": "CA{:032}", "status": "connected", "muted": false}}"#,
                n * 2 + i
            )
        })
        .collect();
    let next = next.map_or("null".to_string(), |uri| format!("{uri:?}"));
    Behaviour::json(
        200,
        &format!(
            r#"{{"participants": [{}], "page": {n}, "page_size": 2, "start": {}, "end": {}, "next_page_uri": {next}, "previous_page_uri": null, "uri": "{}?PageSize=2&Page={n}"}}"#,
            participants.join(", "),
            n * 2,
            n * 2 + 1,
            twilio_list_path()
        ),
    )
}

fn twilio_next(n: usize) -> String {
    format!("{}?PageSize=2&Page={n}&PageToken=PA{n}", twilio_list_path())
}

fn three_twilio_pages() -> Vec<Behaviour> {
    vec![
        twilio_page(0, Some(&twilio_next(1))),
        twilio_page(1, Some(&twilio_next(2))),
        twilio_page(2, None),
    ]
}

fn twilio_params() -> twilio::ListParticipantParams {
    twilio::ListParticipantParams {
        page_size: Some(2),
        ..Default::default()
    }
}

fn call_sid(n: usize) -> String {
    format!("CA{n:032}")
}

#[tokio::test]
async fn three_twilio_pages_stream_in_order() {
    let server = Server::script(three_twilio_pages()).await;
    let client = twilio_client(&server.url(), USER, TOKEN);
    let sids: Vec<String> = client
        .list_participant_stream(CONFERENCE, &twilio_params())
        .map(|p| p.expect("every page decodes").call_sid.unwrap_or_default())
        .collect()
        .await;
    assert_eq!(sids, (0..6).map(call_sid).collect::<Vec<_>>());
    let targets: Vec<String> = server.requests().into_iter().map(|r| r.target).collect();
    assert_eq!(
        targets,
        [
            format!("{}?PageSize=2", twilio_list_path()),
            twilio_next(1),
            twilio_next(2)
        ]
    );
    // Every page carries the credentials: they stay on the configured origin.
    for request in server.requests() {
        assert!(request.header("authorization").starts_with("Basic "));
    }
}

#[tokio::test]
async fn the_limit_stops_paging() {
    for (limit, pages) in [(0, 0), (1, 1), (2, 1), (3, 2), (4, 2), (5, 3), (100, 3)] {
        let server = Server::script(three_twilio_pages()).await;
        let client = twilio_client(&server.url(), USER, TOKEN);
        let sids: Vec<String> = client
            .list_participant_stream(CONFERENCE, &twilio_params())
            .limit(limit)
            .map(|p| p.expect("every page decodes").call_sid.unwrap_or_default())
            .collect()
            .await;
        assert_eq!(sids, (0..limit.min(6)).map(call_sid).collect::<Vec<_>>());
        assert_eq!(
            server.requests().len(),
            pages,
            "pages fetched for limit {limit}"
        );
    }
}

#[tokio::test]
async fn one_page_at_a_time() {
    let server = Server::script(three_twilio_pages()).await;
    let client = twilio_client(&server.url(), USER, TOKEN);
    let first = client
        .list_participant(CONFERENCE, &twilio_params())
        .await
        .expect("page 0");
    assert_eq!(first.items().len(), 2);
    assert_eq!(first.page, Some(0));
    assert!(first.has_next());
    let second = first.next().await.expect("page 1").expect("a page 1");
    let third = second.next().await.expect("page 2").expect("a page 2");
    assert_eq!(
        third.items()[1].call_sid.as_deref(),
        Some(call_sid(5).as_str())
    );
    assert!(!third.has_next());
    assert!(third.next().await.expect("no error").is_none());
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn a_next_page_on_another_origin_is_an_error_and_never_requested() {
    let elsewhere = Server::start(twilio_page(1, None)).await;
    for foreign in [
        format!("{}{}", elsewhere.url(), twilio_next(1)),
        // Same host, other port; and protocol-relative.
        format!("//{}{}", elsewhere.addr(), twilio_next(1)),
        format!("https://{}{}", elsewhere.addr(), twilio_next(1)),
    ] {
        let server = Server::script(vec![twilio_page(0, Some(&foreign))]).await;
        let client = twilio_client(&server.url(), USER, TOKEN);
        let results: Vec<Result<twilio::ConferenceParticipant, Error>> = client
            .list_participant_stream(CONFERENCE, &twilio_params())
            .collect()
            .await;
        assert_eq!(
            results.len(),
            3,
            "two participants, then the error: {results:?}"
        );
        match &results[2] {
            Err(Error::InvalidRequest(InvalidRequest::ForeignLink { .. })) => {}
            other => panic!("{foreign}: expected a foreign-link error, got {other:?}"),
        }
        let page = client
            .list_participant(CONFERENCE, &twilio_params())
            .await
            .expect("page 0 itself is fine");
        assert!(matches!(
            page.next().await,
            Err(Error::InvalidRequest(InvalidRequest::ForeignLink { .. }))
        ));
        assert_eq!(server.requests().len(), 2);
    }
    assert!(
        elsewhere.requests().is_empty(),
        "the other origin got a request"
    );
    assert_eq!(elsewhere.connections(), 0);
}

#[tokio::test]
async fn an_error_page_ends_the_stream_after_the_error() {
    let server = Server::script(vec![
        twilio_page(0, Some(&twilio_next(1))),
        Behaviour::json(404, r#"{"code": 20404, "message": "gone", "status": 404}"#),
    ])
    .await;
    let client = twilio_client(&server.url(), USER, TOKEN);
    let results: Vec<_> = client
        .list_participant_stream(CONFERENCE, &twilio_params())
        .collect()
        .await;
    assert_eq!(results.len(), 3);
    assert!(
        matches!(&results[2], Err(Error::Api(e)) if e.status == 404),
        "{results:?}"
    );
    assert_eq!(server.requests().len(), 2);
}

/// SignalWire's `next_page_uri` is a path from the host root (`/api/laml/2010-04-01/…`),
/// while the base URL already ends in `/api/laml/2010-04-01`.
#[tokio::test]
async fn signalwire_pages_resolve_against_the_origin() {
    let list =
        format!("{SW_BASE_PATH}/Accounts/{SW_PROJECT}/Conferences/{SW_CONFERENCE}/Participants");
    let page = |n: usize, next: Option<String>| {
        let participant = SIGNALWIRE_PARTICIPANT.replace(SW_CALL, &format!("call-{n}"));
        let next = next.map_or("null".to_string(), |uri| format!("{uri:?}"));
        Behaviour::json(
            200,
            &format!(
                r#"{{"participants": [{participant}], "page": {n}, "page_size": 1, "start": {n}, "end": {n}, "first_page_uri": "{list}?PageSize=1&Page=0", "previous_page_uri": null, "next_page_uri": {next}, "uri": "{list}?PageSize=1&Page={n}"}}"#
            ),
        )
    };
    let server = Server::script(vec![
        page(0, Some(format!("{list}?PageSize=1&Page=1"))),
        page(1, Some(format!("{list}?PageSize=1&Page=2"))),
        page(2, None),
    ])
    .await;
    // The project ID is the Basic username, and so the default account.
    let client = signalwire_client(&server.url(), SW_PROJECT, TOKEN);
    let calls: Vec<String> = client
        .list_all_participants_stream(SW_CONFERENCE, &Default::default())
        .map(|p| p.expect("every page decodes").call_sid.clone())
        .collect()
        .await;
    assert_eq!(calls, ["call-0", "call-1", "call-2"]);
    let targets: Vec<String> = server.requests().into_iter().map(|r| r.target).collect();
    assert_eq!(
        targets,
        [
            list.clone(),
            format!("{list}?PageSize=1&Page=1"),
            format!("{list}?PageSize=1&Page=2")
        ]
    );
}

/// Generates a client from `meta_listing.yaml` into a temporary crate and runs
/// `meta_listing_test.rs` against it (deps built once in `target/tricky-check`).
#[test]
fn meta_next_page_url_listings_page() {
    let workspace = tempfile::Builder::new()
        .prefix("paging-workspace-")
        .tempdir()
        .expect("tempdir");
    let root = workspace.path();
    let source = "tests/fixtures/paging/meta_listing.yaml";
    let request = CrateRequest::new(
        "meta-client",
        "0.1.0",
        vec![ModuleRequest::all(
            "rooms",
            repo_root().join(source),
            source,
        )],
    );
    let crate_dir = root.join("meta_client");
    telephony_codegen::run(&request, &crate_dir, Mode::Write).expect("the fixture generates");
    std::fs::create_dir_all(crate_dir.join("tests")).expect("tests dir");
    std::fs::copy(
        repo_root().join("tests/fixtures/paging/meta_listing_test.rs"),
        crate_dir.join("tests/paging.rs"),
    )
    .expect("copy the test");
    // The test reads the stream with `StreamExt`, as a user would: its own dependency, not the
    // client's (the client implements `futures_core::Stream` without `futures-util`).
    let manifest = crate_dir.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).expect("the generated manifest");
    let text = text.replacen(
        "[dev-dependencies]\n",
        "[dev-dependencies]\nfutures-util = { version = \"0.3\", default-features = false }\n",
        1,
    );
    std::fs::write(&manifest, text).expect("the test's manifest");
    std::fs::write(
        root.join("Cargo.toml"),
        "[workspace]\nresolver = \"2\"\nmembers = [\"meta_client\"]\n",
    )
    .expect("workspace manifest");
    std::fs::copy(repo_root().join("Cargo.lock"), root.join("Cargo.lock")).expect("Cargo.lock");
    run_tests(root);
}

fn run_tests(workspace: &Path) {
    // The shared target's flags: with other flags, cargo would rebuild every dependency there.
    let output = telephony_tests::cargo_in_shared_target(workspace)
        .args(["test", "--quiet", "--test", "paging"])
        .output()
        .expect("run cargo test");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stdout.contains("4 passed"),
        "the generated meta-listing client's tests failed:\n{stdout}\n{stderr}"
    );
}

#[tokio::test]
async fn a_page_that_links_to_itself_ends_the_stream() {
    // A static mock answers every page with the same body and link.
    let server = Server::start(twilio_page(1, Some(&twilio_next(1)))).await;
    let client = twilio_client(&server.url(), USER, TOKEN);
    let sids: Vec<_> = client
        .list_participant_stream(CONFERENCE, &twilio_params())
        .collect()
        .await;
    assert_eq!(sids.len(), 4, "the first page and the linked one");
    assert_eq!(server.requests().len(), 2);

    // An empty page ends it too.
    let empty = Behaviour::json(
        200,
        &format!(
            r#"{{"participants": [], "next_page_uri": "{}"}}"#,
            twilio_next(2)
        ),
    );
    let server = Server::script(vec![twilio_page(0, Some(&twilio_next(1))), empty]).await;
    let client = twilio_client(&server.url(), USER, TOKEN);
    let all: Vec<_> = client
        .list_participant_stream(CONFERENCE, &twilio_params())
        .collect()
        .await;
    assert_eq!(all.len(), 2);
    assert_eq!(server.requests().len(), 2);
}
