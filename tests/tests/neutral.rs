//! The provider-neutral module (`telephony`): its support matrix against the specs, and its
//! client on the wire. Each neutral request goes to the same loopback server as the provider
//! module's own request for the same input, and the two must be byte for byte the same.

mod support;

use support::*;
use telephony_client::{signalwire, telephony, twilio, Error, InvalidRequest};
use telephony_codegen::config::Config;
use telephony_codegen::family::{Family, Place};
use telephony_tests::repo_root;

const USER: &str = ACCOUNT;
const TOKEN: &str = "neutral-test-token";
const HOLD_URL: &str = "https://example.com/~ops/hold music/β*.mp3?voice=alice&x=1+1";
const ANNOUNCE_URL: &str = "https://example.com/announce?text=Grüße & bye";
const WAIT_URL: &str = "http://twimlets.com/holdmusic?Bucket=com.twilio.music.classical";
const HOSTILE_LABEL: &str = "agent 7/β?#&";

// ---------------------------------------------------------------------------------------
// The support matrix

fn specs_family() -> Family {
    let root = repo_root();
    let config = Config::load(&root.join("specs/codegen.toml")).expect("specs/codegen.toml loads");
    let request = telephony_codegen::request_from_config(&config, &root);
    let mut families = telephony_codegen::families(&request).expect("the families match");
    assert_eq!(families.len(), 1, "one family in specs/codegen.toml");
    families.remove(0)
}

#[test]
fn the_support_matrix_of_specs_matches_its_snapshot() {
    let family = specs_family();
    insta::with_settings!({ snapshot_path => "snapshots", prepend_module_to_snapshot => false, description => "support matrix of the telephony family (specs/codegen.toml)" }, {
        insta::assert_snapshot!("neutral__support_matrix", family.report().to_string());
    });
}

/// The properties of a form body or the query parameters of one operation, read from the YAML
/// without the generator: `$ref`s to component schemas and parameters resolved by hand.
fn wire_names(spec: &serde_yaml::Value, path: &str, method: &str, place: Place) -> Vec<String> {
    let op = &spec["paths"][path][method];
    assert!(!op.is_null(), "{method} {path} is in the spec");
    let resolve = |v: &serde_yaml::Value| -> serde_yaml::Value {
        match v.get("$ref").and_then(|r| r.as_str()) {
            Some(r) => {
                let mut target = spec.clone();
                for part in r.trim_start_matches("#/").split('/') {
                    target = target[part].clone();
                }
                target
            }
            None => v.clone(),
        }
    };
    match place {
        Place::Body => {
            let schema = resolve(
                &op["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"],
            );
            schema["properties"]
                .as_mapping()
                .expect("the body has properties")
                .keys()
                .map(|k| k.as_str().expect("a name").to_string())
                .collect()
        }
        Place::Query => op["parameters"]
            .as_sequence()
            .expect("parameters")
            .iter()
            .map(resolve)
            .filter(|p| p["in"] == "query")
            .map(|p| p["name"].as_str().expect("a name").to_string())
            .collect(),
        other => panic!("not read here: {other}"),
    }
}

fn yaml(name: &str) -> serde_yaml::Value {
    let text = std::fs::read_to_string(repo_root().join("specs").join(name)).expect("spec reads");
    serde_yaml::from_str(&text).expect("spec is YAML")
}

/// A few rows of the matrix, derived again straight from the YAML.
#[test]
fn matrix_rows_agree_with_the_yaml() {
    let (tw, sw) = (yaml("twilio.yaml"), yaml("signalwire.yaml"));
    let tw_update =
        "/2010-04-01/Accounts/{AccountSid}/Conferences/{ConferenceSid}/Participants/{CallSid}.json";
    let sw_update = "/Accounts/{AccountSid}/Conferences/{ConferenceSid}/Participants/{CallSid}";
    let tw_list = "/2010-04-01/Accounts/{AccountSid}/Conferences/{ConferenceSid}/Participants.json";
    let sw_list = "/Accounts/{AccountSid}/Conferences/{ConferenceSid}/Participants";
    let tw_body = wire_names(&tw, tw_update, "post", Place::Body);
    let sw_body = wire_names(&sw, sw_update, "post", Place::Body);
    let tw_query = wire_names(&tw, tw_list, "get", Place::Query);
    let sw_query = wire_names(&sw, sw_list, "get", Place::Query);

    let family = specs_family();
    let op = |key: &str| {
        family
            .operations
            .iter()
            .find(|op| op.key == key)
            .unwrap_or_else(|| panic!("{key} is matched"))
    };
    let support = |key: &str, place: Place, wire: &str| -> Vec<bool> {
        let row = op(key)
            .rows
            .iter()
            .find(|r| r.place == place && r.wire == wire)
            .unwrap_or_else(|| panic!("{key}: {place} {wire} has a row"));
        row.support.iter().map(Option::is_some).collect()
    };
    let update = "POST /Accounts/{}/Conferences/{}/Participants/{}";
    let list = "GET /Accounts/{}/Conferences/{}/Participants";
    // Every body field of either spec has a row saying which spec has it.
    for wire in tw_body.iter().chain(&sw_body) {
        assert_eq!(
            support(update, Place::Body, wire),
            vec![tw_body.contains(wire), sw_body.contains(wire)],
            "{wire}"
        );
    }
    for wire in tw_query.iter().chain(&sw_query) {
        assert_eq!(
            support(list, Place::Query, wire),
            vec![tw_query.contains(wire), sw_query.contains(wire)],
            "{wire}"
        );
    }
    // The rows the issue names.
    assert!(tw_body.contains(&"BeepOnExit".into()) && !sw_body.contains(&"BeepOnExit".into()));
    assert!(sw_body.contains(&"Beep".into()) && !tw_body.contains(&"Beep".into()));
    assert_eq!(support(update, Place::Body, "BeepOnExit"), [true, false]);
    assert_eq!(support(update, Place::Body, "Beep"), [false, true]);
    // Create participant: a POST on the list path in Twilio's spec only.
    assert!(!tw["paths"][tw_list]["post"].is_null());
    assert!(sw["paths"][sw_list]["post"].is_null());
    let create = op("POST /Accounts/{}/Conferences/{}/Participants");
    assert_eq!(
        create
            .members
            .iter()
            .map(Option::is_some)
            .collect::<Vec<_>>(),
        [true, false]
    );
    assert!(
        create.neutral.is_err(),
        "create participant is not on the neutral client"
    );
    // Every other operation of either spec is on the neutral client.
    assert_eq!(family.neutral_operations().count(), 4);
}

/// The neutral client has no method for an operation only one provider has: its API surface
/// lists the four matched operations and nothing else.
#[test]
fn create_participant_is_not_on_the_neutral_client() {
    let text = std::fs::read_to_string(repo_root().join("generated/src/telephony.rs"))
        .expect("the neutral module is generated");
    let surface = telephony_codegen::surface::Surface::of_text(&text).expect("it parses");
    let client = surface.items.get("Client").expect("a Client");
    let methods: Vec<&str> = client.functions.keys().map(String::as_str).collect();
    for name in [
        "update_participant",
        "list_participant",
        "fetch_participant",
        "delete_participant",
    ] {
        assert!(methods.contains(&name), "{name} in {methods:?}");
    }
    assert!(!methods.iter().any(|m| m.contains("create")), "{methods:?}");
}

// ---------------------------------------------------------------------------------------
// The wire: the neutral client sends what the provider module sends

fn neutral_twilio(server: &Server) -> telephony::Client {
    telephony::Client::twilio(config(&server.url(), USER, TOKEN)).expect("client builds")
}

fn neutral_signalwire(server: &Server) -> telephony::Client {
    let root = format!("{}{SW_BASE_PATH}", server.url());
    let client = telephony::Client::signalwire(config(&root, USER, TOKEN)).expect("client builds");
    match client {
        telephony::Client::Signalwire(c) => telephony::Client::from(c.account(SW_PROJECT)),
        other => other,
    }
}

fn assert_same(provider: &Recorded, neutral: &Recorded, case: &str) {
    assert_eq!(provider.method, neutral.method, "{case}: method");
    assert_eq!(provider.target, neutral.target, "{case}: target");
    assert_eq!(provider.headers, neutral.headers, "{case}: headers");
    assert_eq!(provider.body, neutral.body, "{case}: body");
}

/// One update case: the neutral request and what each provider module is given for it
/// (`None`: that provider's spec cannot take it).
struct Case {
    name: &'static str,
    call: &'static str,
    neutral: telephony::UpdateParticipantRequest,
    twilio: Option<twilio::UpdateParticipantRequest>,
    signalwire: Option<signalwire::UpdateConferenceParticipantRequest>,
}

/// The update cases `wire.rs` captures for each provider, as neutral requests.
fn cases() -> Vec<Case> {
    use signalwire::{HttpMethod as S, UpdateConferenceParticipantRequest as Sw};
    use telephony::{HttpMethod as N, UpdateParticipantRequest as Neutral};
    use twilio::{HttpMethod as T, UpdateParticipantRequest as Tw};
    vec![
        Case {
            name: "muted only",
            call: CALL,
            neutral: Neutral {
                muted: Some(true),
                ..Default::default()
            },
            twilio: Some(Tw {
                muted: Some(true),
                ..Default::default()
            }),
            signalwire: Some(Sw {
                muted: Some(true),
                ..Default::default()
            }),
        },
        Case {
            name: "unmute sends false",
            call: CALL,
            neutral: Neutral {
                muted: Some(false),
                ..Default::default()
            },
            twilio: Some(Tw {
                muted: Some(false),
                ..Default::default()
            }),
            signalwire: Some(Sw {
                muted: Some(false),
                ..Default::default()
            }),
        },
        Case {
            name: "hold with a hostile hold URL",
            call: CALL,
            neutral: Neutral {
                hold: Some(true),
                hold_url: Some(HOLD_URL.into()),
                hold_method: Some(N::Post),
                ..Default::default()
            },
            twilio: Some(Tw {
                hold: Some(true),
                hold_url: Some(HOLD_URL.into()),
                hold_method: Some(T::Post),
                ..Default::default()
            }),
            signalwire: Some(Sw {
                hold: Some(true),
                hold_url: Some(HOLD_URL.into()),
                hold_method: Some(S::Post),
                ..Default::default()
            }),
        },
        Case {
            name: "coaching",
            call: CALL,
            neutral: Neutral {
                coaching: Some(true),
                call_sid_to_coach: Some(COACHED.into()),
                ..Default::default()
            },
            twilio: Some(Tw {
                coaching: Some(true),
                call_sid_to_coach: Some(COACHED.into()),
                ..Default::default()
            }),
            signalwire: Some(Sw {
                coaching: Some(true),
                call_sid_to_coach: Some(COACHED.into()),
                ..Default::default()
            }),
        },
        Case {
            name: "every Twilio parameter",
            call: CALL,
            neutral: Neutral {
                muted: Some(true),
                hold: Some(false),
                hold_url: Some(HOLD_URL.into()),
                hold_method: Some(N::Get),
                announce_url: Some(ANNOUNCE_URL.into()),
                announce_method: Some(N::Post),
                wait_url: Some(WAIT_URL.into()),
                wait_method: Some(N::Get),
                beep_on_exit: Some(false),
                end_conference_on_exit: Some(true),
                coaching: Some(true),
                call_sid_to_coach: Some(COACHED.into()),
                beep: None,
            },
            twilio: Some(Tw {
                muted: Some(true),
                hold: Some(false),
                hold_url: Some(HOLD_URL.into()),
                hold_method: Some(T::Get),
                announce_url: Some(ANNOUNCE_URL.into()),
                announce_method: Some(T::Post),
                wait_url: Some(WAIT_URL.into()),
                wait_method: Some(T::Get),
                beep_on_exit: Some(false),
                end_conference_on_exit: Some(true),
                coaching: Some(true),
                call_sid_to_coach: Some(COACHED.into()),
            }),
            signalwire: None,
        },
        Case {
            name: "every SignalWire parameter",
            call: SW_CALL,
            neutral: Neutral {
                announce_url: Some(ANNOUNCE_URL.into()),
                announce_method: Some(N::Post),
                beep: Some(true),
                coaching: Some(true),
                call_sid_to_coach: Some(SW_COACHED.into()),
                hold: Some(false),
                hold_method: Some(N::Get),
                hold_url: Some(HOLD_URL.into()),
                muted: Some(true),
                wait_url: Some(WAIT_URL.into()),
                wait_method: Some(N::Get),
                ..Default::default()
            },
            twilio: None,
            signalwire: Some(Sw {
                announce_url: Some(ANNOUNCE_URL.into()),
                announce_method: Some(S::Post),
                beep: Some(true),
                coaching: Some(true),
                call_sid_to_coach: Some(SW_COACHED.into()),
                hold: Some(false),
                hold_method: Some(S::Get),
                hold_url: Some(HOLD_URL.into()),
                muted: Some(true),
                wait_url: Some(WAIT_URL.into()),
                wait_method: Some(S::Get),
            }),
        },
        Case {
            name: "no parameters",
            call: CALL,
            neutral: Neutral::default(),
            twilio: Some(Tw::default()),
            signalwire: Some(Sw::default()),
        },
        Case {
            name: "empty wait URL",
            call: CALL,
            neutral: Neutral {
                wait_url: Some(String::new()),
                ..Default::default()
            },
            twilio: Some(Tw {
                wait_url: Some(String::new()),
                ..Default::default()
            }),
            signalwire: Some(Sw {
                wait_url: Some(String::new()),
                ..Default::default()
            }),
        },
        Case {
            name: "unknown enum value",
            call: CALL,
            neutral: Neutral {
                hold_method: Some(N::from("PUT it")),
                ..Default::default()
            },
            twilio: Some(Tw {
                hold_method: Some(T::from("PUT it")),
                ..Default::default()
            }),
            signalwire: Some(Sw {
                hold_method: Some(S::from("PUT it")),
                ..Default::default()
            }),
        },
        Case {
            name: "hostile label",
            call: HOSTILE_LABEL,
            neutral: Neutral {
                muted: Some(true),
                ..Default::default()
            },
            twilio: Some(Tw {
                muted: Some(true),
                ..Default::default()
            }),
            signalwire: Some(Sw {
                muted: Some(true),
                ..Default::default()
            }),
        },
    ]
}

#[tokio::test]
async fn every_update_case_is_byte_identical_to_the_provider_module() {
    let mut compared = 0;
    for case in cases() {
        if let Some(body) = &case.twilio {
            let server = Server::start(Behaviour::json(200, TWILIO_PARTICIPANT)).await;
            twilio_client(&server.url(), USER, TOKEN)
                .update_participant(CONFERENCE, case.call, body)
                .await
                .expect("the provider's update succeeds");
            let participant = neutral_twilio(&server)
                .update_participant(CONFERENCE, case.call, &case.neutral)
                .await
                .expect("the neutral update succeeds");
            assert_eq!(participant.call_sid.as_deref(), Some(CALL));
            let requests = server.requests();
            assert_eq!(requests.len(), 2, "{}", case.name);
            assert_same(&requests[0], &requests[1], case.name);
            compared += 1;
        } else {
            let e = neutral_twilio(&Server::start(Behaviour::json(200, "{}")).await)
                .update_participant(CONFERENCE, case.call, &case.neutral)
                .await
                .expect_err("twilio cannot take it");
            assert!(
                matches!(e, Error::InvalidRequest(InvalidRequest::Unsupported { .. })),
                "{e}"
            );
        }
        if let Some(body) = &case.signalwire {
            let server = Server::start(Behaviour::json(200, SIGNALWIRE_PARTICIPANT)).await;
            signalwire_client(&server.url(), USER, TOKEN)
                .account(SW_PROJECT)
                .update_participant(SW_CONFERENCE, case.call, body)
                .await
                .expect("the provider's update succeeds");
            let participant = neutral_signalwire(&server)
                .update_participant(SW_CONFERENCE, case.call, &case.neutral)
                .await
                .expect("the neutral update succeeds");
            assert_eq!(participant.call_sid.as_deref(), Some(SW_CALL));
            let requests = server.requests();
            assert_eq!(requests.len(), 2, "{}", case.name);
            assert_same(&requests[0], &requests[1], case.name);
            compared += 1;
        }
    }
    assert_eq!(
        compared, 18,
        "every case that a provider can take was compared"
    );
}

/// A field the chosen provider lacks is refused before any connection, naming the field and
/// the provider.
async fn assert_refused(
    client: impl Fn(&Server) -> telephony::Client,
    conference: &str,
    body: telephony::UpdateParticipantRequest,
    field: &str,
    provider: &str,
) {
    let server = Server::start(Behaviour::json(200, "{}")).await;
    let e = client(&server)
        .update_participant(conference, CALL, &body)
        .await
        .expect_err("refused");
    match &e {
        Error::InvalidRequest(InvalidRequest::Unsupported {
            provider: p,
            field: f,
            ..
        }) => {
            assert_eq!((*p, *f), (provider, field));
        }
        other => panic!("expected Unsupported, got {other:?}"),
    }
    let message = e.to_string();
    assert!(
        message.contains(field) && message.contains(provider),
        "{message}"
    );
    assert_eq!(server.connections(), 0, "nothing was sent");
}

#[tokio::test]
async fn beep_on_exit_on_signalwire_is_refused_before_sending() {
    let body = telephony::UpdateParticipantRequest {
        muted: Some(true),
        beep_on_exit: Some(true),
        ..Default::default()
    };
    assert_refused(
        neutral_signalwire,
        SW_CONFERENCE,
        body,
        "BeepOnExit",
        "signalwire",
    )
    .await;
    let body = telephony::UpdateParticipantRequest {
        end_conference_on_exit: Some(false),
        ..Default::default()
    };
    assert_refused(
        neutral_signalwire,
        SW_CONFERENCE,
        body,
        "EndConferenceOnExit",
        "signalwire",
    )
    .await;
}

#[tokio::test]
async fn beep_on_twilio_is_refused_before_sending() {
    let body = telephony::UpdateParticipantRequest {
        beep: Some(false),
        ..Default::default()
    };
    assert_refused(neutral_twilio, CONFERENCE, body, "Beep", "twilio").await;
}

#[tokio::test]
async fn a_page_size_outside_signalwires_i32_is_refused_before_sending() {
    let server = Server::start(Behaviour::json(200, "{}")).await;
    let params = telephony::ListParticipantParams {
        page_size: Some(i64::from(i32::MAX) + 1),
        ..Default::default()
    };
    let mut items = neutral_signalwire(&server).list_participant(SW_CONFERENCE, &params);
    let first = items.next().await.expect("one item: the refusal");
    match first {
        Err(Error::InvalidRequest(InvalidRequest::Unsupported {
            provider,
            field,
            reason,
        })) => {
            assert_eq!((provider, field), ("signalwire", "PageSize"));
            assert!(reason.contains("2147483648"), "{reason}");
        }
        other => panic!("expected Unsupported, got {other:?}"),
    }
    assert!(items.next().await.is_none());
    assert_eq!(server.connections(), 0);
    // Coaching is a Twilio filter only.
    let params = telephony::ListParticipantParams {
        coaching: Some(true),
        ..Default::default()
    };
    let mut items = neutral_signalwire(&server).list_participant(SW_CONFERENCE, &params);
    assert!(matches!(
        items.next().await,
        Some(Err(Error::InvalidRequest(InvalidRequest::Unsupported {
            field: "Coaching",
            ..
        })))
    ));
    assert_eq!(server.connections(), 0);
}

fn twilio_page() -> String {
    format!(
        r#"{{"participants": [{TWILIO_PARTICIPANT}], "next_page_uri": null, "page": 0, "page_size": 50, "uri": "/x", "first_page_uri": "/x"}}"#
    )
}

fn signalwire_page() -> String {
    format!(
        r#"{{"participants": [{SIGNALWIRE_PARTICIPANT}], "next_page_uri": null, "previous_page_uri": null, "page": 0, "page_size": 50, "uri": "/x", "first_page_uri": "/x"}}"#
    )
}

#[tokio::test]
async fn list_fetch_and_delete_work_on_both_providers() {
    // Twilio.
    let server = Server::script(vec![
        Behaviour::json(200, &twilio_page()),
        Behaviour::json(200, TWILIO_PARTICIPANT),
        Behaviour::reply(204, "application/json", ""),
    ])
    .await;
    let client = neutral_twilio(&server);
    assert_eq!(client.provider(), telephony::Provider::Twilio);
    let params = telephony::ListParticipantParams {
        muted: Some(true),
        page_size: Some(50),
        ..Default::default()
    };
    let mut items = client.list_participant(CONFERENCE, &params);
    let first = items
        .next()
        .await
        .expect("one participant")
        .expect("it decodes");
    assert_eq!(first.label.as_deref(), Some("agent 7"));
    assert_eq!(
        first.status,
        Some(telephony::ParticipantEnumStatus::Connected)
    );
    assert!(items.next().await.is_none());
    let fetched = client
        .fetch_participant(CONFERENCE, CALL)
        .await
        .expect("fetch");
    assert_eq!(fetched.muted, Some(true));
    client
        .delete_participant(CONFERENCE, CALL)
        .await
        .expect("delete");
    let targets: Vec<String> = server
        .requests()
        .iter()
        .map(|r| format!("{} {}", r.method, r.target))
        .collect();
    let base = format!("/2010-04-01/Accounts/{ACCOUNT}/Conferences/{CONFERENCE}/Participants");
    assert_eq!(
        targets,
        [
            format!("GET {base}.json?Muted=true&PageSize=50"),
            format!("GET {base}/{CALL}.json"),
            format!("DELETE {base}/{CALL}.json"),
        ]
    );

    // SignalWire: the same calls, its own paths, its own status values.
    let server = Server::script(vec![
        Behaviour::json(200, &signalwire_page()),
        Behaviour::json(200, SIGNALWIRE_PARTICIPANT),
        Behaviour::reply(204, "application/json", ""),
    ])
    .await;
    let client = neutral_signalwire(&server);
    assert_eq!(client.provider(), telephony::Provider::Signalwire);
    let mut items = client.list_participant(SW_CONFERENCE, &params);
    let first = items
        .next()
        .await
        .expect("one participant")
        .expect("it decodes");
    assert_eq!(first.label, None, "SignalWire never returns a label");
    assert_eq!(
        first.status,
        Some(telephony::ParticipantEnumStatus::InProgress)
    );
    assert!(items.next().await.is_none());
    let fetched = client
        .fetch_participant(SW_CONFERENCE, SW_CALL)
        .await
        .expect("fetch");
    assert_eq!(fetched.hold, Some(false));
    assert_eq!(
        fetched.date_created.as_ref().map(|t| t.as_str()),
        Some("Mon, 24 Sep 2018 21:00:00 +0000")
    );
    client
        .delete_participant(SW_CONFERENCE, SW_CALL)
        .await
        .expect("delete");
    let targets: Vec<String> = server
        .requests()
        .iter()
        .map(|r| format!("{} {}", r.method, r.target))
        .collect();
    let base =
        format!("{SW_BASE_PATH}/Accounts/{SW_PROJECT}/Conferences/{SW_CONFERENCE}/Participants");
    assert_eq!(
        targets,
        [
            format!("GET {base}?Muted=true&PageSize=50"),
            format!("GET {base}/{SW_CALL}"),
            format!("DELETE {base}/{SW_CALL}"),
        ]
    );
}

#[tokio::test]
async fn errors_keep_the_providers_body_with_common_accessors() {
    let body = r#"{"code": 20404, "message": "The requested resource was not found", "more_info": "https://example.com/20404", "status": 404}"#;
    for provider in [telephony::Provider::Twilio, telephony::Provider::Signalwire] {
        let server =
            Server::start(Behaviour::json(404, body).with_header("Twilio-Request-Id", "RQ0123"))
                .await;
        let client = match provider {
            telephony::Provider::Twilio => neutral_twilio(&server),
            telephony::Provider::Signalwire => neutral_signalwire(&server),
        };
        let e = client
            .fetch_participant(CONFERENCE, CALL)
            .await
            .expect_err("404");
        assert_eq!(e.status(), Some(404));
        assert_eq!(e.request_id(), Some("RQ0123"));
        let decoded = e.api_body().expect("the provider's error body");
        assert_eq!(decoded.provider(), provider);
        assert_eq!(decoded.code(), Some(20404));
        assert_eq!(
            decoded.message(),
            Some("The requested resource was not found")
        );
        match (provider, decoded) {
            (telephony::Provider::Twilio, telephony::ProviderError::Twilio(b)) => {
                assert_eq!(b.more_info.as_deref(), Some("https://example.com/20404"))
            }
            (telephony::Provider::Signalwire, telephony::ProviderError::Signalwire(b)) => {
                assert_eq!(b.more_info, "https://example.com/20404")
            }
            other => panic!("the body of the wrong provider: {other:?}"),
        }
    }
}

/// A status value the provider's spec does not know still arrives (normalised when the other
/// provider knows it), and an unknown request value is sent unchanged (in the cases above).
#[tokio::test]
async fn response_values_of_the_other_provider_are_read() {
    let participant = SIGNALWIRE_PARTICIPANT.replace("in-progress", "ringing");
    let server = Server::start(Behaviour::json(200, &participant)).await;
    let fetched = neutral_signalwire(&server)
        .fetch_participant(SW_CONFERENCE, SW_CALL)
        .await
        .expect("fetch");
    assert_eq!(
        fetched.status,
        Some(telephony::ParticipantEnumStatus::Ringing)
    );
}

/// The README's moderation routine, as written there, run against both providers.
async fn moderate(
    client: &telephony::Client,
    conference: &str,
    moderator: &str,
) -> Result<usize, telephony::Error> {
    let mut participants =
        client.list_participant(conference, &telephony::ListParticipantParams::default());
    let mut muted = 0;
    while let Some(participant) = participants.next().await {
        let Some(call) = participant?.call_sid else {
            continue;
        };
        let update = if call == moderator {
            telephony::UpdateParticipantRequest {
                announce_url: Some("https://example.com/you-moderate.mp3".into()),
                ..Default::default()
            }
        } else {
            muted += 1;
            telephony::UpdateParticipantRequest {
                muted: Some(true),
                ..Default::default()
            }
        };
        client
            .update_participant(conference, &call, &update)
            .await?;
    }
    Ok(muted)
}

#[tokio::test]
async fn one_moderation_routine_runs_against_both_providers() {
    let two = |page: &str, first: &str, second: &str| {
        page.replacen(&format!("[{first}]"), &format!("[{first}, {second}]"), 1)
    };
    let tw_other = TWILIO_PARTICIPANT.replace(CALL, COACHED);
    let server = Server::script(vec![
        Behaviour::json(200, &two(&twilio_page(), TWILIO_PARTICIPANT, &tw_other)),
        Behaviour::json(200, TWILIO_PARTICIPANT),
    ])
    .await;
    assert_eq!(
        moderate(&neutral_twilio(&server), CONFERENCE, CALL)
            .await
            .expect("moderated"),
        1
    );
    let bodies: Vec<String> = server
        .requests()
        .iter()
        .skip(1)
        .map(|r| r.body_text().to_string())
        .collect();
    assert_eq!(
        bodies,
        [
            "AnnounceUrl=https%3A%2F%2Fexample.com%2Fyou-moderate.mp3",
            "Muted=true"
        ]
    );

    let sw_other = SIGNALWIRE_PARTICIPANT.replace(SW_CALL, SW_COACHED);
    let server = Server::script(vec![
        Behaviour::json(
            200,
            &two(&signalwire_page(), SIGNALWIRE_PARTICIPANT, &sw_other),
        ),
        Behaviour::json(200, SIGNALWIRE_PARTICIPANT),
    ])
    .await;
    assert_eq!(
        moderate(&neutral_signalwire(&server), SW_CONFERENCE, SW_CALL)
            .await
            .expect("moderated"),
        1
    );
    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    assert!(requests[2]
        .target
        .ends_with(&format!("/Participants/{SW_COACHED}")));
    assert_eq!(requests[2].body_text(), "Muted=true");
}

/// The neutral stream pages like the providers' (`limit` stops before the next page) and is a
/// `futures_core::Stream` too.
#[tokio::test]
async fn neutral_items_follow_pages_and_stop_at_the_limit() {
    use futures_util::StreamExt as _;
    let next = format!("/2010-04-01/Accounts/{ACCOUNT}/Conferences/{CONFERENCE}/Participants.json?Page=1&PageToken=PA1");
    let tw_other = TWILIO_PARTICIPANT.replace(CALL, COACHED);
    let first = twilio_page()
        .replace(
            &format!("[{TWILIO_PARTICIPANT}]"),
            &format!("[{TWILIO_PARTICIPANT}, {tw_other}]"),
        )
        .replace(
            "\"next_page_uri\": null",
            &format!("\"next_page_uri\": \"{next}\""),
        );
    let server = Server::script(vec![
        Behaviour::json(200, &first),
        Behaviour::json(200, &first),
        Behaviour::json(200, &twilio_page()),
    ])
    .await;
    let params = telephony::ListParticipantParams::default();
    let limited: Vec<_> = neutral_twilio(&server)
        .list_participant(CONFERENCE, &params)
        .limit(2)
        .collect()
        .await;
    assert_eq!(limited.len(), 2);
    assert_eq!(server.requests().len(), 1, "no page past the limit");
    let all: Vec<_> = neutral_twilio(&server)
        .list_participant(CONFERENCE, &params)
        .collect()
        .await;
    let sids: Vec<String> = all
        .into_iter()
        .map(|p| p.expect("decodes").call_sid.unwrap_or_default())
        .collect();
    assert_eq!(sids, [CALL, COACHED, CALL]);
    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    assert_eq!(requests[2].target, next);
}

/// `telephony-codegen SPEC --portability OTHER` prints the matrix of every operation of the
/// two specs, modules named after the files.
#[test]
fn the_command_line_prints_the_portability_report() {
    let specs = repo_root().join("specs");
    let output = std::process::Command::new(telephony_tests::codegen_binary())
        .arg(specs.join("twilio.yaml"))
        .arg("--portability")
        .arg(specs.join("signalwire.yaml"))
        .output()
        .expect("the CLI runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.starts_with("portability of twilio / signalwire (family `neutral`): 5 operations, 4 on the neutral client"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "POST /Accounts/{}/Conferences/{}/Participants  (not neutral: signalwire lacks it)"
        ),
        "{stdout}"
    );
    let beep = stdout
        .lines()
        .find(|l| l.trim_start().starts_with("body") && l.contains(" Beep "))
        .expect("a Beep row");
    assert_eq!(
        beep.split_whitespace().collect::<Vec<_>>(),
        ["body", "Beep", "no", "bool?"]
    );
}
