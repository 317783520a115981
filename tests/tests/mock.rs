//! The generated typed mock servers (`twilio::mock`, `signalwire::mock`, the `mock` feature):
//! pages the client's stream follows, a 429 the client retries, sent fields asserted on the
//! decoded request, errors, delays, unmatched requests and unmet call counts failing with a
//! readable message, and the README's moderation example; with the feature off no mock crate
//! is in the client's dependency tree.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::process::Command;
use std::time::Duration;

use telephony_client::{signalwire, twilio, ApiErrorBody, Error};
use telephony_tests::repo_root;

const CONFERENCE: &str = "CF00000000000000000000000000000001";

fn participant(call_sid: &str) -> twilio::ConferenceParticipant {
    twilio::ConferenceParticipant {
        call_sid: Some(call_sid.to_string()),
        conference_sid: Some(CONFERENCE.to_string()),
        muted: Some(false),
        ..Default::default()
    }
}

/// The message a panic carried.
fn panic_text(payload: Box<dyn std::any::Any + Send>) -> String {
    match payload.downcast::<String>() {
        Ok(text) => *text,
        Err(payload) => payload
            .downcast::<&str>()
            .map(|text| text.to_string())
            .unwrap_or_default(),
    }
}

/// Drops `server`, returning the message it panicked with (it verifies on drop).
fn drop_panic(server: twilio::mock::MockServer) -> String {
    match catch_unwind(AssertUnwindSafe(move || drop(server))) {
        Ok(()) => panic!("dropping the mock server did not fail the test"),
        Err(payload) => panic_text(payload),
    }
}

#[tokio::test]
async fn a_three_page_listing_streams_every_item_in_order() {
    let server = twilio::mock::MockServer::start().await;
    let client = server.client();
    let listing = server
        .list_participant(CONFERENCE)
        .pages(vec![
            vec![participant("CA1"), participant("CA2")],
            vec![participant("CA3")],
            vec![participant("CA4"), participant("CA5")],
        ])
        .expect(3);

    let params = twilio::ListParticipantParams {
        page_size: Some(2),
        ..Default::default()
    };
    let mut stream = client.list_participant_stream(CONFERENCE, &params);
    let mut calls = Vec::new();
    while let Some(item) = stream.next().await {
        calls.push(item.unwrap().call_sid.unwrap());
    }
    assert_eq!(calls, ["CA1", "CA2", "CA3", "CA4", "CA5"]);
    assert_eq!(listing.hits(), 3);

    // The next-page links keep the request's filters, as the API's do.
    let arrivals = server.arrivals();
    assert_eq!(arrivals.len(), 3);
    assert_eq!(arrivals[0].query.as_deref(), Some("PageSize=2"));
    assert_eq!(arrivals[2].query.as_deref(), Some("PageSize=2&MockPage=2"));
    server.verify();
}

#[tokio::test]
async fn one_page_of_a_chain_reads_its_items_and_next_link() {
    let server = twilio::mock::MockServer::start().await;
    let client = server.client();
    let _ = server
        .list_participant(CONFERENCE)
        .pages(vec![vec![participant("CA1")], vec![participant("CA2")]]);
    let page = client
        .list_participant(CONFERENCE, &Default::default())
        .await
        .unwrap();
    assert_eq!(page.participants.as_ref().unwrap().len(), 1);
    let next = page.next().await.unwrap().unwrap();
    assert_eq!(
        next.participants.as_ref().unwrap()[0].call_sid.as_deref(),
        Some("CA2")
    );
    assert!(next.next_page_uri.is_none());
}

#[tokio::test]
async fn a_429_with_retry_after_is_retried_and_the_mock_sees_both_attempts() {
    let server = twilio::mock::MockServer::start().await;
    let client = server.client();
    let limited = server
        .update_participant(CONFERENCE, "CA1")
        .rate_limited(Duration::ZERO)
        .times(1)
        .expect(1);
    let answered = server
        .update_participant(CONFERENCE, "CA1")
        .responds(participant("CA1"))
        .expect(1);

    let mute = twilio::UpdateParticipantRequest {
        muted: Some(true),
        ..Default::default()
    };
    let updated = client
        .update_participant(CONFERENCE, "CA1", &mute)
        .await
        .unwrap();
    assert_eq!(updated.call_sid.as_deref(), Some("CA1"));
    assert_eq!((limited.hits(), answered.hits()), (1, 1));
    assert_eq!(server.arrivals().len(), 2);
    // The retry resent the same request.
    assert_eq!(limited.received(), answered.received());
}

#[tokio::test]
async fn an_update_asserts_the_fields_it_sent_on_the_decoded_request() {
    let server = twilio::mock::MockServer::start().await;
    let client = server.client();
    let mute = server
        .update_participant(CONFERENCE, "agent 7")
        .with_body(|body: &twilio::UpdateParticipantRequest| body.muted == Some(true))
        .responds(twilio::ConferenceParticipant {
            muted: Some(true),
            ..participant("CA7")
        })
        .expect(1);

    let request = twilio::UpdateParticipantRequest {
        muted: Some(true),
        hold_method: Some(twilio::HttpMethod::Get),
        beep_on_exit: Some(false),
        ..Default::default()
    };
    let updated = client
        .update_participant(CONFERENCE, "agent 7", &request)
        .await
        .unwrap();
    assert_eq!(updated.muted, Some(true));

    // The very request, decoded from its form fields: `Muted=true`, and nothing unset sent.
    assert_eq!(mute.received(), vec![request.clone()]);
    assert_eq!(
        server.received::<twilio::UpdateParticipantRequest>(),
        vec![request]
    );
    server.verify();
}

#[tokio::test]
async fn path_parameters_match_decoded_even_when_hostile() {
    let server = twilio::mock::MockServer::start().await;
    let client = server.client();
    let label = "agent 7/β?#&";
    let _ = server
        .fetch_participant(CONFERENCE, label)
        .responds(participant(label))
        .expect(1);
    let fetched = client.fetch_participant(CONFERENCE, label).await.unwrap();
    assert_eq!(fetched.call_sid.as_deref(), Some(label));
    assert!(server.arrivals()[0]
        .path
        .ends_with("/Participants/agent%207%2F%CE%B2%3F%23%26.json"));
    server.verify();
}

#[tokio::test]
async fn a_body_check_that_fails_leaves_the_request_unmatched() {
    let server = twilio::mock::MockServer::start().await;
    let client = server.client();
    let _ = server
        .update_participant(CONFERENCE, "CA1")
        .with_body(|body: &twilio::UpdateParticipantRequest| body.muted == Some(true));
    let unmute = twilio::UpdateParticipantRequest {
        muted: Some(false),
        ..Default::default()
    };
    assert!(client
        .update_participant(CONFERENCE, "CA1", &unmute)
        .await
        .is_err());
    let text = server.check().unwrap_err().to_string();
    assert!(text.contains("body `Muted=false`"), "{text}");
    assert!(
        text.contains("UpdateParticipant(ConferenceSid=CF00000000000000000000000000000001, CallSid=CA1) with a body check: the body check returned false"),
        "{text}"
    );
    drop_panic(server);
}

#[tokio::test]
async fn an_api_error_answers_with_the_modules_error_body() {
    let server = twilio::mock::MockServer::start().await;
    let client = server.client();
    let _ = server.fetch_participant(CONFERENCE, "CA404").fails(
        404,
        ApiErrorBody {
            code: Some(20404),
            message: Some("The requested resource was not found".to_string()),
            status: Some(404),
            ..Default::default()
        },
    );
    match client.fetch_participant(CONFERENCE, "CA404").await {
        Err(Error::Api(e)) => {
            assert_eq!(e.status, 404);
            assert_eq!(e.body.code, Some(20404));
        }
        other => panic!("expected an API error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_delay_makes_a_client_with_a_short_timeout_time_out() {
    let server = twilio::mock::MockServer::start().await;
    let client = twilio::Client::with_config(
        server
            .config()
            .timeout(Duration::from_millis(100))
            .no_retries(),
    )
    .unwrap();
    let _ = server
        .fetch_participant(CONFERENCE, "CA1")
        .responds(participant("CA1"))
        .delay(Duration::from_secs(2));
    match client.fetch_participant(CONFERENCE, "CA1").await {
        Err(Error::Transport(e)) => assert!(e.is_timeout(), "{e}"),
        other => panic!("expected a timeout, got {other:?}"),
    }
}

#[tokio::test]
async fn an_unmatched_request_fails_with_what_arrived_and_the_closest_expectations() {
    let server = twilio::mock::MockServer::start().await;
    let client = server.client();
    let _ = server
        .fetch_participant(CONFERENCE, "CA1")
        .responds(participant("CA1"));
    let _ = server.delete_participant(CONFERENCE, "CA9");

    // The client sees a 404 at once; the test fails when the server is verified or dropped.
    let result = client.fetch_participant(CONFERENCE, "CA9").await;
    assert!(
        matches!(&result, Err(e) if e.meta().map(|m| m.status()) == Some(404)),
        "{result:?}"
    );

    let text = server.check().unwrap_err().to_string();
    let expected = "\
mock server: 1 problem(s)
  unmatched request GET /2010-04-01/Accounts/AC00000000000000000000000000000000/Conferences/CF00000000000000000000000000000001/Participants/CA9.json
    closest expectations:
      FetchParticipant(ConferenceSid=CF00000000000000000000000000000001, CallSid=CA1): CallSid is `CA9`, expected `CA1`
      DeleteParticipant(ConferenceSid=CF00000000000000000000000000000001, CallSid=CA9): method is GET, expected DELETE";
    assert_eq!(text, expected);
    let verified = catch_unwind(AssertUnwindSafe(|| server.verify())).unwrap_err();
    assert_eq!(panic_text(verified), expected);
    assert_eq!(drop_panic(server), expected);
}

#[tokio::test]
async fn an_unmet_call_count_fails_on_verify_and_on_drop() {
    let server = twilio::mock::MockServer::start().await;
    let client = server.client();
    let _ = server
        .fetch_participant(CONFERENCE, "CA1")
        .responds(participant("CA1"))
        .expect(2);
    client.fetch_participant(CONFERENCE, "CA1").await.unwrap();

    let text = server.check().unwrap_err().to_string();
    assert!(
        text.contains("FetchParticipant(ConferenceSid=CF00000000000000000000000000000001, CallSid=CA1) expected 2 call(s), received 1"),
        "{text}"
    );
    let dropped = drop_panic(server);
    assert!(
        dropped.contains("expected 2 call(s), received 1"),
        "{dropped}"
    );
}

#[tokio::test]
async fn a_met_call_count_passes_and_a_delete_answers_no_content() {
    let server = twilio::mock::MockServer::start().await;
    let client = server.client();
    let _ = server
        .delete_participant(CONFERENCE, "CA1")
        .responds_with_status(204, ())
        .expect(1);
    client.delete_participant(CONFERENCE, "CA1").await.unwrap();
    server.verify();
}

#[tokio::test]
async fn signalwire_has_its_own_mock_with_its_own_paths() {
    let server = signalwire::mock::MockServer::start().await;
    let client = server.client();
    let hold = server
        .update_participant("conference-uuid", "call-uuid")
        .with_body(|body: &signalwire::UpdateConferenceParticipantRequest| body.hold == Some(true))
        .responds(signalwire::ConferenceParticipantResponse {
            hold: true,
            ..signalwire::mock::examples::update_participant()
        })
        .expect(1);
    let request = signalwire::UpdateConferenceParticipantRequest {
        hold: Some(true),
        hold_method: Some(signalwire::HttpMethod::Get),
        ..Default::default()
    };
    let held = client
        .update_participant("conference-uuid", "call-uuid", &request)
        .await
        .unwrap();
    assert!(held.hold);
    assert_eq!(held.call_sid, "b3877c40-da60-4998-90ad-b792e98472ca");
    assert_eq!(hold.received(), vec![request]);
    assert_eq!(
        server.arrivals()[0].path,
        "/Accounts/AC00000000000000000000000000000000/Conferences/conference-uuid/Participants/call-uuid"
    );
}

#[tokio::test]
async fn an_expectation_answers_with_the_spec_example_until_told_otherwise() {
    let server = twilio::mock::MockServer::start().await;
    let client = server.client();
    let _ = server.fetch_participant(CONFERENCE, "CA1").expect(1);
    let fetched = client.fetch_participant(CONFERENCE, "CA1").await.unwrap();
    assert_eq!(
        fetched.into_inner(),
        twilio::mock::examples::fetch_participant()
    );

    // A list answers with one page of its example's items, linking nowhere.
    let sw = signalwire::mock::MockServer::start().await;
    let _ = sw.list_all_participants("conference-uuid").expect(1);
    let mut stream = sw
        .client()
        .list_all_participants_stream("conference-uuid", &Default::default());
    let mut items = 0;
    while let Some(item) = stream.next().await {
        assert_eq!(
            item.unwrap().call_sid,
            "b3877c40-da60-4998-90ad-b792e98472ca"
        );
        items += 1;
    }
    assert_eq!(items, 1);
}

// README: "Testing your code against a mock". Keep this block and the README's identical (a
// test below compares them).
mod readme_example {
    // readme-mock-example:start
    use telephony_client::twilio::{self, Client, UpdateParticipantRequest};
    use telephony_client::{Error, Timestamp};

    /// Mutes everyone in `conference` who joined after the first participant.
    async fn mute_latecomers(client: &Client, conference: &str) -> Result<usize, Error> {
        let mut participants = Vec::new();
        let mut stream = client.list_participant_stream(conference, &Default::default());
        while let Some(participant) = stream.next().await {
            participants.push(participant?);
        }
        participants.sort_by_key(|p| {
            p.date_created
                .as_ref()
                .and_then(Timestamp::to_offset_date_time)
        });
        let mute = UpdateParticipantRequest {
            muted: Some(true),
            ..Default::default()
        };
        let mut muted = 0;
        for late in participants.iter().skip(1) {
            if let Some(call_sid) = &late.call_sid {
                client
                    .update_participant(conference, call_sid, &mute)
                    .await?;
                muted += 1;
            }
        }
        Ok(muted)
    }

    #[tokio::test]
    async fn mute_latecomers_mutes_everyone_but_the_first() {
        let server = twilio::mock::MockServer::start().await;
        let joined = |call_sid: &str, at: &str| twilio::ConferenceParticipant {
            call_sid: Some(call_sid.to_string()),
            date_created: Some(Timestamp::new(at)),
            ..Default::default()
        };
        // Two pages, listed out of joining order.
        let _ = server.list_participant("CF1").pages(vec![
            vec![
                joined("CA2", "Tue, 01 Dec 2026 10:05:00 +0000"),
                joined("CA1", "Tue, 01 Dec 2026 10:00:00 +0000"),
            ],
            vec![joined("CA3", "Tue, 01 Dec 2026 10:07:00 +0000")],
        ]);
        for late in ["CA2", "CA3"] {
            let _ = server
                .update_participant("CF1", late)
                .with_body(|body: &UpdateParticipantRequest| body.muted == Some(true))
                .responds(joined(late, "Tue, 01 Dec 2026 10:05:00 +0000"))
                .expect(1);
        }

        let muted = mute_latecomers(&server.client(), "CF1").await.unwrap();
        assert_eq!(muted, 2);
        // Dropping the server verifies it: CA1 was never updated (that request would match no
        // expectation), CA2 and CA3 exactly once each.
    }
    // readme-mock-example:end
}

#[test]
fn the_readme_shows_the_mock_example_this_file_runs() {
    let root = repo_root();
    let this = std::fs::read_to_string(root.join("tests/tests/mock.rs")).unwrap();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let indented = this
        .split("// readme-mock-example:start\n")
        .nth(1)
        .and_then(|rest| rest.split("    // readme-mock-example:end").next())
        .unwrap();
    let example: String = indented
        .lines()
        .map(|line| format!("{}\n", line.strip_prefix("    ").unwrap_or(line)))
        .collect();
    assert!(
        readme.contains(&example),
        "README.md must show tests/tests/mock.rs's moderation example verbatim:\n{example}"
    );
}

/// `cargo tree -e normal -p telephony-client` with `args`: the client's normal dependencies.
fn client_tree(args: &[&str]) -> String {
    let output = Command::new(telephony_tests::cargo())
        .args(["tree", "--offline", "-e", "normal", "--prefix", "none"])
        .args(["-p", "telephony-client"])
        .args(args)
        .current_dir(repo_root())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn without_the_mock_feature_no_mock_crate_is_a_dependency() {
    let default = client_tree(&[]);
    let mock_crates = ["wiremock", "httpmock", "deadpool"];
    for name in mock_crates {
        assert!(
            !default.lines().any(|l| l.starts_with(&format!("{name} "))),
            "{name} is a normal dependency of telephony-client without the mock feature:\n{default}"
        );
    }
    // The check sees the crate when the feature is on.
    let with_mock = client_tree(&["--features", "mock"]);
    assert!(
        with_mock.lines().any(|l| l.starts_with("wiremock ")),
        "{with_mock}"
    );
    // The mock shares the webhooks' form decoder, not their signature crates.
    for name in ["hmac", "sha1", "sha2"] {
        assert!(
            !with_mock
                .lines()
                .any(|l| l.starts_with(&format!("{name} "))),
            "{name} is a dependency with only the mock feature:\n{with_mock}"
        );
    }
    let with_webhooks = client_tree(&["--features", "webhooks"]);
    assert!(
        with_webhooks.lines().any(|l| l.starts_with("hmac ")),
        "{with_webhooks}"
    );
}
