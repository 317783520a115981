//! A list page's items are decoded one by one while its body is parsed, so that a page near
//! the body limit never exists whole as a JSON tree (BENCHMARKS.md (l)). These tests pin
//! that this changes nothing a caller sees: a large page decodes every item in order, and
//! every body, valid or not, decodes to the same value or fails with the same error as
//! decoding the whole tree does (the types' `Deserialize`, which parses the body first),
//! errors naming the element (`.participants[2].muted`).

mod support;

use futures_util::StreamExt as _;
use support::*;
use telephony_client::{twilio, Error};

const TOKEN: &str = "page-decoding-token";

fn call_sid(n: usize) -> String {
    format!("CA{n:032}")
}

/// The `n`th participant of a page: its SID and label numbered, `muted` on even ones.
fn participant(n: usize) -> String {
    format!(
        r#"{{"account_sid": "{ACCOUNT}", "conference_sid": "{CONFERENCE}", "call_sid": "{}", "label": "agent {n}", "status": "connected", "muted": {}, "hold": false, "date_created": "Fri, 18 Feb 2011 21:07:19 +0000"}}"#,
        call_sid(n),
        n % 2 == 0
    )
}

/// A participant whose `muted` is not a boolean.
const BAD_PARTICIPANT: &str = r#"{"call_sid": "CAbad", "muted": "loudly"}"#;

fn participants(range: std::ops::Range<usize>) -> String {
    range.map(participant).collect::<Vec<_>>().join(", ")
}

/// What a caller gets from one page: its items' SIDs, or the decode error's text.
type Outcome = Result<Vec<String>, String>;

fn outcome(result: Result<Vec<twilio::ConferenceParticipant>, Error>) -> Outcome {
    match result {
        Ok(items) => Ok(items
            .into_iter()
            .map(|p| p.call_sid.unwrap_or_default())
            .collect()),
        Err(Error::Decode { source, .. }) => Err(source.to_string()),
        Err(other) => panic!("expected a decoded page or a decode error, got {other:?}"),
    }
}

/// The page call's and the stream's outcome for `body`, which must agree.
async fn client_outcome(body: &[u8]) -> Outcome {
    let server = Server::start(Behaviour::reply(200, "application/json", body)).await;
    let client = twilio_client(&server.url(), ACCOUNT, TOKEN);
    let page = client
        .list_participant(CONFERENCE, &Default::default())
        .await
        .map(|page| page.into_items());
    let streamed: Vec<_> = client
        .list_participant_stream(CONFERENCE, &Default::default())
        .collect()
        .await;
    let streamed = match streamed.iter().position(Result::is_err) {
        Some(_) => Err(streamed
            .into_iter()
            .find_map(Result::err)
            .expect("an error")),
        None => Ok(streamed.into_iter().map(Result::unwrap).collect()),
    };
    let page = outcome(page);
    assert_eq!(page, outcome(streamed), "page call and stream differ");
    page
}

/// `body` decoded as a whole tree: the generated `Deserialize`, which parses the body into a
/// `serde_json::Value` and decodes that (serde_json appends the position of a decode error).
fn tree_outcome(body: &[u8]) -> Outcome {
    match serde_json::from_slice::<twilio::ListParticipantResponse>(body) {
        Ok(listing) => outcome(Ok(telephony_client::Listing::into_items(listing))),
        Err(e) => Err(e.to_string()),
    }
}

fn assert_same_as_tree(name: &str, body: &[u8], streamed: &Outcome) {
    let tree = tree_outcome(body);
    match (streamed, &tree) {
        (Err(streamed), Err(tree)) => assert!(
            tree == streamed || tree.starts_with(&format!("{streamed} at line ")),
            "{name}: streamed error {streamed:?}, tree error {tree:?}"
        ),
        _ => assert_eq!(streamed, &tree, "{name}"),
    }
}

#[tokio::test]
async fn a_large_page_decodes_every_item_in_order() {
    // ~5 MiB: large enough that the items stream, well under the 16 MiB limit.
    const ITEMS: usize = 20_000;
    let body = format!(
        r#"{{"page": 0, "participants": [{}], "page_size": {ITEMS}, "start": 0, "end": {}, "next_page_uri": null, "uri": "/page"}}"#,
        participants(0..ITEMS),
        ITEMS - 1
    );
    let server = Server::start(Behaviour::json(200, &body)).await;
    let client = twilio_client(&server.url(), ACCOUNT, TOKEN);
    let page = client
        .list_participant(CONFERENCE, &Default::default())
        .await
        .expect("a large valid page decodes");
    assert_eq!(page.items().len(), ITEMS);
    for (n, item) in page.items().iter().enumerate() {
        assert_eq!(item.call_sid.as_deref(), Some(call_sid(n).as_str()));
        assert_eq!(item.label.as_deref(), Some(format!("agent {n}").as_str()));
        assert_eq!(item.muted, Some(n % 2 == 0));
    }
    // The fields around the items are decoded too, before and after them in the body.
    assert_eq!(
        (page.page, page.page_size, page.end),
        (Some(0), Some(ITEMS as i64), Some(ITEMS as i64 - 1))
    );
    assert_eq!(page.uri.as_deref(), Some("/page"));

    let streamed: Vec<twilio::ConferenceParticipant> = client
        .list_participant_stream(CONFERENCE, &Default::default())
        .map(|item| item.expect("every item decodes"))
        .collect()
        .await;
    assert_eq!(streamed, page.items());

    let tree: twilio::ListParticipantResponse =
        serde_json::from_str(&body).expect("the tree decodes");
    assert_eq!(page.into_inner(), tree);
}

#[tokio::test]
async fn an_error_in_the_third_element_names_its_path() {
    // Many items after it: the rest of the array is parsed, not decoded.
    let body = format!(
        r#"{{"participants": [{}, {BAD_PARTICIPANT}, {}], "next_page_uri": null}}"#,
        participants(0..2),
        participants(3..2000)
    );
    let expected =
        r#"invalid type: string "loudly", expected a boolean at `.participants[2].muted`"#;
    assert_eq!(
        client_outcome(body.as_bytes()).await,
        Err(expected.to_string())
    );
    assert_same_as_tree("third element", body.as_bytes(), &Err(expected.to_string()));
}

#[tokio::test]
async fn a_streamed_page_decodes_as_the_whole_tree_would() {
    let good = participants(0..3);
    let bad_third = format!("{}, {BAD_PARTICIPANT}", participants(0..2));
    let cases: Vec<(&str, Vec<u8>, Outcome)> = vec![
        ("valid", format!(r#"{{"participants": [{good}]}}"#).into_bytes(), Ok((0..3).map(call_sid).collect())),
        ("empty object", b"{}".to_vec(), Ok(vec![])),
        ("no items", br#"{"participants": []}"#.to_vec(), Ok(vec![])),
        ("null items", br#"{"participants": null}"#.to_vec(), Ok(vec![])),
        ("whitespace first", format!("\n\t {{\"participants\": [{good}]}} \n").into_bytes(), Ok((0..3).map(call_sid).collect())),
        (
            "bad first element",
            format!(r#"{{"participants": [{BAD_PARTICIPANT}, {good}]}}"#).into_bytes(),
            Err(r#"invalid type: string "loudly", expected a boolean at `.participants[0].muted`"#.into()),
        ),
        (
            "an element that is not an object",
            format!(r#"{{"participants": [{good}, 7]}}"#).into_bytes(),
            Err("invalid type: integer `7`, expected struct ConferenceParticipant at `.participants[3]`".into()),
        ),
        // Another field's error comes first, as it does in the tree (the items are the
        // struct's last field); with the bad field after the items in the body too.
        (
            "bad page field before",
            format!(r#"{{"page": "x", "participants": [{bad_third}]}}"#).into_bytes(),
            Err(String::new()),
        ),
        ("bad page field after", format!(r#"{{"participants": [{bad_third}], "page": true}}"#).into_bytes(), Err(String::new())),
        ("bad page field, good items", format!(r#"{{"participants": [{good}], "page": true}}"#).into_bytes(), Err(String::new())),
        // A repeated key keeps its last value, array or not.
        ("bad items, then good", format!(r#"{{"participants": [{bad_third}], "participants": [{good}]}}"#).into_bytes(), Ok((0..3).map(call_sid).collect())),
        ("good items, then bad", format!(r#"{{"participants": [{good}], "participants": [{bad_third}]}}"#).into_bytes(), Err(String::new())),
        ("good items, then null", format!(r#"{{"participants": [{good}], "participants": null}}"#).into_bytes(), Ok(vec![])),
        ("null, then good items", format!(r#"{{"participants": null, "participants": [{good}]}}"#).into_bytes(), Ok((0..3).map(call_sid).collect())),
        ("bad items, then a map", format!(r#"{{"participants": [{bad_third}], "participants": {{"a": 1}}}}"#).into_bytes(), Err(String::new())),
        // Items that are not an array.
        ("items a map", br#"{"participants": {"a": [1]}}"#.to_vec(), Err("invalid type: map, expected a sequence at `.participants`".into())),
        ("items a string", br#"{"participants": "none"}"#.to_vec(), Err(String::new())),
        ("items a number", br#"{"participants": -1.5}"#.to_vec(), Err(String::new())),
        ("items false", br#"{"participants": false}"#.to_vec(), Err(String::new())),
        // A syntax error anywhere wins over a decode error, even after a failed element.
        ("syntax error after a bad element", format!(r#"{{"participants": [{bad_third}, {{"muted": tru}}]}}"#).into_bytes(), Err(String::new())),
        ("number out of range after a bad element", format!(r#"{{"participants": [{bad_third}, {{"x": 1e400}}]}}"#).into_bytes(), Err(String::new())),
        ("syntax error after the items", format!(r#"{{"participants": [{bad_third}], "page": }}"#).into_bytes(), Err(String::new())),
        ("trailing characters", format!(r#"{{"participants": [{good}]}} x"#).into_bytes(), Err(String::new())),
        ("cut short", format!(r#"{{"participants": [{good}"#).into_bytes(), Err(String::new())),
        // Not an object at all: decoded as before.
        ("an array", format!("[{good}]").into_bytes(), Err(String::new())),
        ("empty", Vec::new(), Err(String::new())),
    ];
    let mut invalid_utf8 = format!(r#"{{"participants": [{bad_third}, {{"label": ""#).into_bytes();
    invalid_utf8.extend_from_slice(b"\xff\xfe\"}]}");
    let mut cases = cases;
    cases.push((
        "invalid UTF-8 after a bad element",
        invalid_utf8,
        Err(String::new()),
    ));

    for (name, body, expected) in cases {
        let streamed = client_outcome(&body).await;
        // `Err("")`: any error, as long as it is the tree's.
        match (&expected, &streamed) {
            (Err(e), Err(_)) if e.is_empty() => {}
            _ => assert_eq!(streamed, expected, "{name}"),
        }
        assert_same_as_tree(name, &body, &streamed);
    }
}
