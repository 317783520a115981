//! Settings from the environment (`[module.environment]` in `specs/codegen.toml`): credentials
//! and the base URL read by the providers' conventions through a lookup (a map here, never the
//! process environment, so tests run in parallel), Twilio's region and edge hosts, SignalWire's
//! space, the errors that name a variable and never show a value, requests sent with what was
//! read, and the generator's errors for bad settings.

mod support;

use std::collections::HashMap;
use std::fmt::Debug;

use base64::Engine as _;
use support::*;
use telephony_client::{signalwire, twilio, ClientConfig, Setting, SettingsError};
use telephony_client_runtime::{HostTemplate, Placeholder};
use telephony_tests::repo_root;

const TOKEN: &str = "tok_ENV-SECRET-5e1d-never-shown";
const KEY: &str = "SK0123456789abcdef0123456789abcdef";
const KEY_SECRET: &str = "sec_ENV-KEY-SECRET-9b2f-never-shown";
const SW_TOKEN: &str = "PT_ENV-SW-TOKEN-77aa-never-shown";

/// A fake environment.
fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |name: &str| map.get(name).cloned()
}

fn twilio_config(pairs: &[(&str, &str)]) -> Result<ClientConfig, SettingsError> {
    twilio::Client::config_from_vars(env(pairs))
}

fn twilio_url(pairs: &[(&str, &str)]) -> String {
    let mut all = vec![
        ("TWILIO_ACCOUNT_SID", ACCOUNT),
        ("TWILIO_AUTH_TOKEN", TOKEN),
    ];
    all.extend_from_slice(pairs);
    twilio_config(&all)
        .unwrap_or_else(|e| panic!("{pairs:?}: {e}"))
        .base_url()
        .to_string()
}

fn signalwire_config(pairs: &[(&str, &str)]) -> Result<ClientConfig, SettingsError> {
    let mut all = vec![
        ("SIGNALWIRE_PROJECT_ID", SW_PROJECT),
        ("SIGNALWIRE_API_TOKEN", SW_TOKEN),
    ];
    all.extend_from_slice(pairs);
    signalwire::Client::config_from_vars(env(&all))
}

/// Every text a secret must not appear in.
fn assert_no_secret(what: &str, text: &str) {
    for secret in [TOKEN, KEY_SECRET, SW_TOKEN, "never-shown"] {
        assert!(!text.contains(secret), "{what} shows a secret: {text}");
    }
}

fn shown(value: &(impl Debug + ?Sized)) -> String {
    format!("{value:?}")
}

// ---------------------------------------------------------------------------------------
// Credentials

#[test]
fn twilio_reads_the_account_sid_and_auth_token() {
    let config = twilio_config(&[
        ("TWILIO_ACCOUNT_SID", ACCOUNT),
        ("TWILIO_AUTH_TOKEN", TOKEN),
    ])
    .expect("configured");
    assert_eq!(config.base_url(), "https://api.twilio.com");
    assert_eq!(config.credentials().username(), Some(ACCOUNT));
    assert_eq!(config.credentials().account(), Some(ACCOUNT));
    let client = twilio::Client::with_config(config).expect("client");
    assert_eq!(client.account_sid(), Some(ACCOUNT));
}

#[test]
fn an_api_key_authenticates_and_the_account_sid_stays_the_account() {
    // As twilio-cli reads them; the key wins over an auth token that is also set.
    for with_token in [false, true] {
        let mut pairs = vec![
            ("TWILIO_ACCOUNT_SID", ACCOUNT),
            ("TWILIO_API_KEY", KEY),
            ("TWILIO_API_SECRET", KEY_SECRET),
        ];
        if with_token {
            pairs.push(("TWILIO_AUTH_TOKEN", TOKEN));
        }
        let config = twilio_config(&pairs).expect("configured");
        assert_eq!(config.credentials().username(), Some(KEY));
        assert_eq!(config.credentials().account(), Some(ACCOUNT));
        let client = twilio::Client::with_config(config).expect("client");
        assert_eq!(client.account_sid(), Some(ACCOUNT));
    }
}

#[test]
fn missing_and_unpaired_variables_are_named() {
    let error = |pairs: &[(&str, &str)]| twilio_config(pairs).unwrap_err().to_string();
    assert_eq!(
        error(&[("TWILIO_AUTH_TOKEN", TOKEN)]),
        "environment variable `TWILIO_ACCOUNT_SID` is not set"
    );
    // Empty counts as unset, as in the providers' SDKs.
    assert_eq!(
        error(&[("TWILIO_ACCOUNT_SID", ""), ("TWILIO_AUTH_TOKEN", TOKEN)]),
        "environment variable `TWILIO_ACCOUNT_SID` is not set"
    );
    assert_eq!(
        error(&[("TWILIO_ACCOUNT_SID", ACCOUNT)]),
        "set `TWILIO_AUTH_TOKEN`, or `TWILIO_API_KEY` and `TWILIO_API_SECRET`: none of them is set"
    );
    assert_eq!(
        error(&[("TWILIO_ACCOUNT_SID", ACCOUNT), ("TWILIO_API_KEY", KEY), ("TWILIO_AUTH_TOKEN", TOKEN)]),
        "environment variable `TWILIO_API_KEY` is set but `TWILIO_API_SECRET` is not: set both, or neither"
    );
    assert_eq!(
        error(&[("TWILIO_ACCOUNT_SID", ACCOUNT), ("TWILIO_API_SECRET", KEY_SECRET)]),
        "environment variable `TWILIO_API_SECRET` is set but `TWILIO_API_KEY` is not: set both, or neither"
    );
    let missing = signalwire::Client::config_from_vars(env(&[])).unwrap_err();
    assert!(matches!(
        missing,
        SettingsError::MissingVariable {
            variables: ["SIGNALWIRE_PROJECT_ID"]
        }
    ));
}

#[test]
fn slips_in_a_credential_are_refused_by_name_without_the_value() {
    for (token, reason) in [
        (
            format!("{TOKEN}\n"),
            "contains a control character (a line break?)",
        ),
        (
            format!(" {TOKEN}"),
            "has whitespace before or after its value",
        ),
    ] {
        let e = twilio_config(&[
            ("TWILIO_ACCOUNT_SID", ACCOUNT),
            ("TWILIO_AUTH_TOKEN", &token),
        ])
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("environment variable `TWILIO_AUTH_TOKEN` {reason}")
        );
        assert_no_secret("the error", &e.to_string());
        assert_no_secret("the error's Debug", &shown(&e));
    }
    let e =
        twilio_config(&[("TWILIO_ACCOUNT_SID", "AC:1"), ("TWILIO_AUTH_TOKEN", TOKEN)]).unwrap_err();
    assert!(matches!(
        e,
        SettingsError::Invalid {
            setting: Setting::Variable("TWILIO_ACCOUNT_SID"),
            ..
        }
    ));
}

#[test]
fn secrets_never_show_in_debug_output() {
    let config = twilio_config(&[
        ("TWILIO_ACCOUNT_SID", ACCOUNT),
        ("TWILIO_API_KEY", KEY),
        ("TWILIO_API_SECRET", KEY_SECRET),
    ])
    .expect("configured");
    assert_no_secret("the API key credentials", &shown(config.credentials()));
    assert!(shown(config.credentials()).contains(KEY), "{config:?}");
    assert_no_secret("the config", &shown(&config));
    let client = twilio::Client::with_config(config).expect("client");
    assert_no_secret("the client", &shown(&client));
    let config = signalwire_config(&[("SIGNALWIRE_SPACE", "example.signalwire.com")]).unwrap();
    assert_no_secret("the SignalWire config", &shown(&config));
}

// ---------------------------------------------------------------------------------------
// Twilio's regions and edges

#[test]
fn twilio_region_and_edge_make_the_host_as_its_sdks_do() {
    // Neither: the spec's URL. Region only: no edge label. Edge only: region `us1`.
    assert_eq!(twilio_url(&[]), "https://api.twilio.com");
    assert_eq!(
        twilio_url(&[("TWILIO_REGION", "ie1")]),
        "https://api.ie1.twilio.com"
    );
    assert_eq!(
        twilio_url(&[("TWILIO_EDGE", "sydney")]),
        "https://api.sydney.us1.twilio.com"
    );
    assert_eq!(
        twilio_url(&[("TWILIO_EDGE", "sydney"), ("TWILIO_REGION", "au1")]),
        "https://api.sydney.au1.twilio.com"
    );
    assert_eq!(
        twilio_url(&[("TWILIO_EDGE", "Dublin"), ("TWILIO_REGION", "IE1")]),
        "https://api.dublin.ie1.twilio.com"
    );
    assert_eq!(
        twilio_url(&[("TWILIO_EDGE", ""), ("TWILIO_REGION", "")]),
        "https://api.twilio.com"
    );
}

#[test]
fn region_and_edge_can_be_given_in_code() {
    let url = |edge, region| twilio::Client::base_url_for(edge, region).unwrap();
    assert_eq!(url(None, None), twilio::Client::DEFAULT_BASE_URL);
    assert_eq!(url(None, Some("ie1")), "https://api.ie1.twilio.com");
    assert_eq!(
        url(Some("sydney"), None),
        "https://api.sydney.us1.twilio.com"
    );
    assert_eq!(
        url(Some("sydney"), Some("au1")),
        "https://api.sydney.au1.twilio.com"
    );
    let e = twilio::Client::base_url_for(Some("sydney.evil.com"), None).unwrap_err();
    assert!(
        matches!(
            e,
            SettingsError::Invalid {
                setting: Setting::Argument("edge"),
                ..
            }
        ),
        "{e:?}"
    );
    assert!(
        e.to_string().starts_with("`edge` is not one DNS label"),
        "{e}"
    );
}

#[test]
fn a_value_that_would_change_the_host_is_refused_without_being_shown() {
    for region in [
        "ie1.evil.com",
        "evil.com/",
        "ie1/x",
        "user@ie1",
        "ie1:443",
        "ie1?x",
        "ie1#x",
        "-ie1",
        "ie1-",
        "ïe1",
        "ie 1",
        &"a".repeat(64),
    ] {
        let e = twilio_config(&[
            ("TWILIO_ACCOUNT_SID", ACCOUNT),
            ("TWILIO_AUTH_TOKEN", TOKEN),
            ("TWILIO_REGION", region),
        ])
        .unwrap_err();
        assert!(
            matches!(
                e,
                SettingsError::Invalid {
                    setting: Setting::Variable("TWILIO_REGION"),
                    ..
                }
            ),
            "{region}: {e:?}"
        );
        assert!(!e.to_string().contains(region), "{region}: {e}");
    }
}

// ---------------------------------------------------------------------------------------
// SignalWire's space

#[test]
fn signalwire_space_is_the_host_by_either_sdks_name() {
    let url = |pairs: &[(&str, &str)]| signalwire_config(pairs).unwrap().base_url().to_string();
    let expected = "https://example.signalwire.com/api/laml/2010-04-01";
    assert_eq!(
        url(&[("SIGNALWIRE_SPACE", "example.signalwire.com")]),
        expected
    );
    assert_eq!(
        url(&[("SIGNALWIRE_SPACE_URL", "example.signalwire.com")]),
        expected
    );
    assert_eq!(
        url(&[("SIGNALWIRE_API_HOSTNAME", "example.signalwire.com")]),
        expected
    );
    assert_eq!(
        url(&[("SIGNALWIRE_SPACE_URL", "https://example.signalwire.com/")]),
        expected
    );
    // The first name that is set wins.
    assert_eq!(
        url(&[
            ("SIGNALWIRE_SPACE", "example.signalwire.com"),
            ("SIGNALWIRE_SPACE_URL", "other.signalwire.com")
        ]),
        expected
    );
    let config = signalwire_config(&[("SIGNALWIRE_SPACE", "example.signalwire.com")]).unwrap();
    assert_eq!(config.credentials().username(), Some(SW_PROJECT));
    assert_eq!(
        signalwire::Client::base_url_for(Some("example.signalwire.com")).unwrap(),
        expected
    );
}

#[test]
fn signalwire_without_a_space_names_every_variable() {
    let e = signalwire_config(&[]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "the host template `{space}` needs a value for `space`: set `SIGNALWIRE_SPACE` (or `SIGNALWIRE_SPACE_URL`, `SIGNALWIRE_API_HOSTNAME`)"
    );
    let e = signalwire::Client::base_url_for(None).unwrap_err();
    assert_eq!(
        e.to_string(),
        "the host template `{space}` needs a value for `space`"
    );
}

#[test]
fn a_space_that_is_no_plain_host_is_refused() {
    for space in [
        "http://example.signalwire.com",
        "example.signalwire.com/evil",
        "example.signalwire.com:8443",
        "user@example.signalwire.com",
        "example.signalwire.com?x=1",
        "example..com",
        "exa mple.signalwire.com",
        "",
    ] {
        let result = signalwire_config(&[("SIGNALWIRE_SPACE", space)]);
        let Err(e) = result else {
            panic!("{space:?} was accepted: {result:?}")
        };
        if space.is_empty() {
            assert!(matches!(e, SettingsError::MissingValue { .. }), "{e:?}");
            continue;
        }
        assert!(
            matches!(
                e,
                SettingsError::Invalid {
                    setting: Setting::Variable("SIGNALWIRE_SPACE"),
                    ..
                }
            ),
            "{space}: {e:?}"
        );
        assert!(!e.to_string().contains(space), "{space}: {e}");
    }
}

#[test]
fn a_loopback_space_is_sent_plain_http_for_a_local_mock() {
    let url = |space: &str| {
        signalwire_config(&[("SIGNALWIRE_SPACE", space)])
            .unwrap()
            .base_url()
            .to_string()
    };
    assert_eq!(
        url("127.0.0.1:4010"),
        "http://127.0.0.1:4010/api/laml/2010-04-01"
    );
    assert_eq!(
        url("localhost:4010"),
        "http://localhost:4010/api/laml/2010-04-01"
    );
    assert_eq!(url("[::1]:4010"), "http://[::1]:4010/api/laml/2010-04-01");
    assert_eq!(
        url("http://127.0.0.1:4010"),
        "http://127.0.0.1:4010/api/laml/2010-04-01"
    );
    // Not loopback, so no port and no plain http.
    assert!(signalwire_config(&[("SIGNALWIRE_SPACE", "127.0.0.2:4010")]).is_err());
    assert!(signalwire_config(&[("SIGNALWIRE_SPACE", "localhost.evil.com:80")]).is_err());
}

// ---------------------------------------------------------------------------------------
// The runtime's template, as any module's settings make it

const REGION: &[Placeholder] = &[Placeholder {
    name: "region",
    variables: &["REGION"],
    default: None,
}];

fn fill(template: &'static HostTemplate, region: &str) -> Result<String, SettingsError> {
    template.fill(
        &[(Setting::Variable("REGION"), Some(region.to_string()))],
        None,
    )
}

#[test]
fn a_template_result_that_is_not_https_is_refused() {
    static PLAIN: HostTemplate = HostTemplate {
        scheme: "http",
        template: "api.{region}.example.com",
        path: "",
        placeholders: REGION,
    };
    let e = fill(&PLAIN, "eu1").unwrap_err();
    assert!(matches!(e, SettingsError::UnsafeBaseUrl { .. }), "{e:?}");
    assert_eq!(
        e.to_string(),
        "the base URL made from the host template is refused: it is not https (only a loopback host may be http)"
    );
    static SECURE: HostTemplate = HostTemplate {
        scheme: "https",
        template: "api.{region}.example.com",
        path: "/v1",
        placeholders: REGION,
    };
    assert_eq!(
        fill(&SECURE, "eu1").unwrap(),
        "https://api.eu1.example.com/v1"
    );
}

#[test]
fn a_template_result_of_another_shape_is_refused() {
    // A placeholder inside a label takes one label's characters only.
    static INSIDE: HostTemplate = HostTemplate {
        scheme: "https",
        template: "api-{region}.example.com",
        path: "",
        placeholders: REGION,
    };
    assert_eq!(fill(&INSIDE, "eu1").unwrap(), "https://api-eu1.example.com");
    for bad in ["eu1.evil.com", "eu1@evil.com", "eu1:1", "eu1/..", "eu1%2e"] {
        assert!(
            matches!(fill(&INSIDE, bad), Err(SettingsError::Invalid { .. })),
            "{bad}"
        );
    }
    // A template whose fixed text is no host (the generator refuses it) is caught at the end.
    static BROKEN: HostTemplate = HostTemplate {
        scheme: "https",
        template: "api.{region}.example.com/extra",
        path: "",
        placeholders: REGION,
    };
    assert!(
        matches!(
            fill(&BROKEN, "eu1"),
            Err(SettingsError::UnsafeBaseUrl { .. })
        ),
        "{:?}",
        fill(&BROKEN, "eu1")
    );
    static USER: HostTemplate = HostTemplate {
        scheme: "https",
        template: "user@api.{region}.example.com",
        path: "",
        placeholders: REGION,
    };
    assert!(matches!(
        fill(&USER, "eu1"),
        Err(SettingsError::UnsafeBaseUrl { .. })
    ));
}

// ---------------------------------------------------------------------------------------
// On the wire

fn basic(user: &str, password: &str) -> String {
    let pair = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    format!("Basic {pair}")
}

#[tokio::test]
async fn a_signalwire_client_from_the_environment_calls_its_space_with_its_credentials() {
    let server = Server::start(Behaviour::json(200, SIGNALWIRE_PARTICIPANT)).await;
    let space = server.addr().to_string();
    let config = signalwire_config(&[("SIGNALWIRE_SPACE", &space)])
        .unwrap()
        .timeout(SAFETY_TIMEOUT);
    let client = signalwire::Client::with_config(config).unwrap();
    let participant = client
        .retrieve_participant(SW_CONFERENCE, SW_CALL)
        .await
        .expect("the fetch succeeds");
    assert_eq!(participant.call_sid, SW_CALL);
    let request = server.only_request();
    assert_eq!(
        request.target,
        format!("{SW_BASE_PATH}/Accounts/{SW_PROJECT}/Conferences/{SW_CONFERENCE}/Participants/{SW_CALL}")
    );
    assert_eq!(request.header("authorization"), basic(SW_PROJECT, SW_TOKEN));
}

#[tokio::test]
async fn a_twilio_api_key_from_the_environment_authenticates_for_the_account() {
    let server = Server::start(Behaviour::json(200, TWILIO_PARTICIPANT)).await;
    let from_env = twilio_config(&[
        ("TWILIO_ACCOUNT_SID", ACCOUNT),
        ("TWILIO_API_KEY", KEY),
        ("TWILIO_API_SECRET", KEY_SECRET),
    ])
    .unwrap();
    // Twilio's hosts are https only: the loopback server takes the credentials read.
    let config =
        ClientConfig::new(server.url(), from_env.credentials().clone()).timeout(SAFETY_TIMEOUT);
    let client = twilio::Client::with_config(config).unwrap();
    client
        .fetch_participant(CONFERENCE, CALL)
        .await
        .expect("the fetch succeeds");
    let request = server.only_request();
    assert_eq!(
        request.target,
        format!("/2010-04-01/Accounts/{ACCOUNT}/Conferences/{CONFERENCE}/Participants/{CALL}.json")
    );
    assert_eq!(request.header("authorization"), basic(KEY, KEY_SECRET));
}

// ---------------------------------------------------------------------------------------
// The generator: bad settings are errors naming the file, module and key, with a hint

/// Generates from a codegen.toml whose twilio module has `environment` as its settings.
fn generate_with(environment: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let spec = repo_root().join("specs/twilio.yaml");
    let toml = format!(
        "[crate]\nname = \"c\"\nversion = \"0.1.0\"\noutput = \"out\"\n\n[[module]]\nname = \"twilio\"\nspec = {spec:?}\noperations = [\"FetchParticipant\"]\n\n[module.environment]\n{environment}\n",
        spec = spec.display().to_string()
    );
    let path = dir.path().join("codegen.toml");
    std::fs::write(&path, toml).unwrap();
    let config = match telephony_codegen::config::Config::load(&path) {
        Ok(config) => config,
        Err(e) => return e.to_string(),
    };
    let request = telephony_codegen::request_from_config(&config, dir.path());
    match telephony_codegen::generate(&request) {
        Ok(_) => "generated".to_string(),
        Err(e) => e
            .to_string()
            .replace(&path.display().to_string(), "codegen.toml"),
    }
}

const CREDENTIALS: &str = "username = \"A_SID\"\npassword = \"A_TOKEN\"";

#[test]
fn good_settings_generate() {
    assert_eq!(generate_with(CREDENTIALS), "generated");
    assert_eq!(
        generate_with(&format!(
            "{CREDENTIALS}\nhost = \"api.{{edge}}.{{region}}.twilio.com\"\nvariables = {{ edge = \"E\", region = [\"R\", \"R2\"] }}\ndefaults = {{ region = \"us1\" }}"
        )),
        "generated"
    );
}

#[test]
fn bad_settings_are_errors_naming_file_module_and_key() {
    let cases = [
        (
            format!("{CREDENTIALS}\nhost = \"api.{{zone}}.twilio.com\""),
            "codegen.toml: module `twilio`, environment.host: unknown placeholder `{zone}` in `api.{zone}.twilio.com`: no variable is named for it\n  hint: name a variable for `zone` in environment.variables, or remove `{zone}` from the template",
        ),
        (
            "username = \"\"\npassword = \"A_TOKEN\"".to_string(),
            "codegen.toml: module `twilio`, environment.username: a variable name is empty\n  hint: a variable name is ASCII letters, digits and `_`, not starting with a digit",
        ),
        (
            "password = \"A_TOKEN\"".to_string(),
            "codegen.toml: module `twilio`, environment.username: no variable is named\n  hint: name the variable that holds it, e.g. `API_USERNAME`",
        ),
        (
            format!("{CREDENTIALS}\napi_key = \"KEY\""),
            "codegen.toml: module `twilio`, environment.api_key: given without environment.api_secret\n  hint: an API key is read with its secret: name both variables, or neither (environment.api_secret)",
        ),
        (
            format!("{CREDENTIALS}\nvariables = {{ region = \"R\" }}"),
            "codegen.toml: module `twilio`, environment.variables: given without a host template\n  hint: set environment.host to a host with `{name}` placeholders, e.g. `api.{region}.example.com`",
        ),
        (
            format!("{CREDENTIALS}\nhost = \"api.{{region}}.twilio.com\"\nvariables = {{ region = \"R\", zone = \"Z\" }}"),
            "codegen.toml: module `twilio`, environment.variables: `zone` is no placeholder of the host template `api.{region}.twilio.com`\n  hint: use the template's placeholder names in environment.variables, or add the placeholder to the template",
        ),
        (
            format!("{CREDENTIALS}\nhost = \"api.{{region}}.twilio.com\"\nvariables = {{ region = \"R\" }}\ndefaults = {{ region = \"us1.evil.com\" }}"),
            "codegen.toml: module `twilio`, environment.defaults: the default of `region`, `us1.evil.com`, is not one lower-case DNS label\n  hint: give a value such as `us1`: letters, digits and inner `-`, at most 63",
        ),
        (
            format!("{CREDENTIALS}\nhost = \"api.{{region}}.twilio.com/x\"\nvariables = {{ region = \"R\" }}"),
            "codegen.toml: module `twilio`, environment.host: `api.{region}.twilio.com/x`: `/` cannot be part of a host (lower-case letters, digits, `-` and `.`)\n  hint: write the host in lower case with `{name}` placeholders, e.g. `api.{edge}.{region}.example.com`",
        ),
        (
            format!("{CREDENTIALS}\nhost = \"api.{{region}}.twilio.com\"\nvariables = {{ region = \"2R\" }}"),
            "codegen.toml: module `twilio`, environment.variables: `region`: `2R` is no environment variable name\n  hint: a variable name is ASCII letters, digits and `_`, not starting with a digit",
        ),
    ];
    for (settings, expected) in cases {
        assert_eq!(generate_with(&settings), expected, "{settings}");
    }
    // A value of the wrong type is the TOML reader's error, with the expectation.
    let e = generate_with("username = 7\npassword = \"A_TOKEN\"");
    assert!(
        e.contains("expected a variable name or a list of names"),
        "{e}"
    );
}

#[test]
fn a_module_without_settings_gets_nothing_new() {
    let root = repo_root();
    let mut config = telephony_codegen::config::Config::load(&root.join("specs/codegen.toml"))
        .expect("specs/codegen.toml loads");
    let with = telephony_codegen::generate(&telephony_codegen::request_from_config(&config, &root))
        .expect("generates");
    for module in &mut config.modules {
        module.environment = None;
    }
    let without =
        telephony_codegen::generate(&telephony_codegen::request_from_config(&config, &root))
            .expect("generates");
    let text = |files: &[telephony_codegen::GeneratedFile], path: &str| {
        files
            .iter()
            .find(|f| f.path == path)
            .map(|f| f.contents.clone())
            .unwrap_or_else(|| panic!("{path} is generated"))
    };
    for module in ["twilio", "signalwire"] {
        let module_text = |files: &[telephony_codegen::GeneratedFile]| {
            telephony_tests::module_text(files, module)
                .unwrap_or_else(|| panic!("{module} is generated"))
        };
        assert!(module_text(&with).contains("pub fn from_env()"));
        let plain = module_text(&without);
        assert!(
            !plain.contains("from_env") && !plain.contains("EnvironmentSpec"),
            "{module}"
        );
    }
    assert!(text(&with, "src/lib.rs").contains("SettingsError"));
    assert!(!text(&without, "src/lib.rs").contains("SettingsError"));
}

/// A base URL the client accepted: `https` (or `http` to a loopback host), a host of plain
/// host characters, and then exactly `path`. Returns the host.
fn plain_host<'a>(url: &'a str, path: &str) -> Option<&'a str> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.strip_suffix(path)?;
    let loopback = ["127.0.0.1", "localhost", "[::1]"]
        .iter()
        .any(|l| host == *l || host.strip_prefix(l).is_some_and(|p| p.starts_with(':')));
    let plain = host
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
    let ok = match scheme {
        "https" => plain,
        "http" => loopback,
        _ => false,
    };
    ok.then_some(host)
}

proptest::proptest! {
    /// Whatever a region, edge or space variable holds, the client either refuses it or
    /// talks `https` to a host of the template's shape under the spec server's path.
    #[test]
    fn no_value_changes_the_host_shape(
        value in proptest::prop_oneof!["\\PC{0,24}", "[a-zA-Z0-9.:/@?#%\\[\\]-]{0,24}"],
        label in "[a-zA-Z0-9-]{1,8}",
    ) {
        let cases = [
            (Some(value.as_str()), None),
            (None, Some(value.as_str())),
            (Some(label.as_str()), Some(value.as_str())),
        ];
        for (edge, region) in cases {
            if let Ok(url) = twilio::Client::base_url_for(edge, region) {
                let host = plain_host(&url, "");
                proptest::prop_assert!(host.is_some(), "{url}");
                let labels: Vec<&str> = host.unwrap_or_default().split('.').collect();
                proptest::prop_assert!(matches!(labels.len(), 3..=5), "{url}");
                proptest::prop_assert_eq!(labels[0], "api");
                proptest::prop_assert_eq!(&labels[labels.len() - 2..], &["twilio", "com"][..]);
            }
        }
        if let Ok(config) = signalwire_config(&[("SIGNALWIRE_SPACE", &value)]) {
            let url = config.base_url();
            proptest::prop_assert!(plain_host(url, "/api/laml/2010-04-01").is_some(), "{url}");
        }
    }
}
