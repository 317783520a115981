//! Contract tests against Stoplight Prism (pinned in `tests/prism/package.json`).
//!
//! * Every request of the list, built with the generated client, passes Prism's request
//!   validation for `specs/twilio.yaml` and `specs/signalwire.yaml`, and the client decodes
//!   Prism's example response into the generated type. Where the spec itself forbids a request
//!   the API documents (`WaitUrl=`, SignalWire's empty body), the test asserts Prism's exact
//!   violation instead and says why.
//! * The generated examples (`cargo run -p telephony-client --example …`) run against Prism.
//!
//! Prism runs once per spec per test binary (`prism mock -h 127.0.0.1 -p 0 SPEC`, no
//! `--errors`), started lazily by the first test that needs it. It is launched through
//! `tests/prism/guard.sh`, whose stdin is a pipe only this process holds: when the test binary
//! exits (normally, on panic, abort or SIGKILL) the pipe closes and the guard stops Prism, so no
//! node process outlives the tests. `Drop` does the same for an instance that is dropped.
//!
//! Prism ignores the server's base path, so the client's base URL is `http://127.0.0.1:PORT`.
//!
//! A request passes when Prism's response is not `application/problem+json` (what Prism sends,
//! as 422, when the operation declares no 4xx response: Twilio's `UpdateParticipant` declares
//! only 200), its `sl-violations` header has no entry whose `location[0]` is `"request"` (how
//! Prism reports violations when it answers with a declared error response: SignalWire declares
//! 400/401/404/422), and the status is the expected 2xx.
//!
//! The generated client cannot add headers or expose raw responses, so each client call goes
//! through a loopback recording proxy: client → proxy → Prism. The proxy forwards the client's
//! exact request (method, path, headers, body bytes) and records Prism's raw response, so the
//! validation verdict is about the very bytes the client sent, and the client decodes Prism's
//! real response. The recorded body is also compared with the expected literal form body.
//!
//! Every test needs Prism (`tests/prism/node_modules/.bin/prism`, installed on first use by
//! `npm ci`, which needs Node.js): without it they are reported as ignored with the reason; with
//! `CI=true` they fail naming what is missing (see `main`).

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};
use telephony_client::{
    signalwire, telephony, twilio, ApiErrorBody, ClientConfig, Credentials, Error,
};
use telephony_tests::{prism_binary, repo_root, trial, Need};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What every test here needs.
const PRISM: [Need; 1] = [Need::Prism];

fn main() -> std::process::ExitCode {
    telephony_tests::run(vec![
        trial!(&PRISM, async twilio_muted_only),
        trial!(&PRISM, async twilio_hold_with_reserved_and_non_ascii_hold_url),
        trial!(&PRISM, async twilio_coaching),
        trial!(&PRISM, async twilio_every_parameter),
        trial!(&PRISM, async twilio_no_parameters),
        trial!(&PRISM, async twilio_empty_wait_url_is_rejected_by_the_spec_format_uri),
        trial!(&PRISM, async twilio_hold_url_with_literal_space_and_non_ascii_is_not_a_uri),
        trial!(&PRISM, async signalwire_muted_only),
        trial!(&PRISM, async signalwire_hold_with_reserved_and_non_ascii_hold_url),
        trial!(&PRISM, async signalwire_coaching),
        trial!(&PRISM, async signalwire_every_parameter),
        trial!(&PRISM, async signalwire_no_parameters_is_rejected_because_the_spec_requires_a_body),
        trial!(&PRISM, async signalwire_empty_wait_url_is_rejected_by_the_spec_format_uri),
        trial!(&PRISM, async signalwire_hold_url_with_literal_space_and_non_ascii_is_not_a_uri),
        trial!(&PRISM, async signalwire_spec_example_call_sid_to_coach_is_not_a_uuid),
        trial!(&PRISM, async prism_flags_a_non_boolean_muted),
        trial!(&PRISM, async path_parameter_violations_reach_the_caller_as_api_errors),
        trial!(&PRISM, async twilio_client_decodes_prism_response_directly),
        trial!(&PRISM, async signalwire_client_decodes_prism_response_directly),
        trial!(&PRISM, async twilio_every_update_example_decodes),
        trial!(&PRISM, async signalwire_every_declared_response_decodes),
        trial!(&PRISM, async twilio_list_fetch_and_delete_pass_the_contract),
        trial!(&PRISM, async signalwire_list_fetch_and_delete_pass_the_contract),
        trial!(&PRISM, async neutral_client_passes_the_twilio_contract),
        trial!(&PRISM, async neutral_client_passes_the_signalwire_contract),
        trial!(&PRISM, twilio_example_runs_against_prism),
        trial!(
            &PRISM,
            signalwire_example_runs_against_prism_without_a_space_name
        ),
    ])
}

// Valid identifiers: Twilio SIDs are a two-letter prefix and 32 hex digits (either case),
// SignalWire IDs are UUIDs.
const TW_ACCOUNT: &str = "AC0123456789abcdef0123456789abcdef";
const TW_CONFERENCE: &str = "CF0123456789ABCDEF0123456789abcdef";
const TW_CALL: &str = "CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const TW_COACHED: &str = "CAfedcba9876543210FEDCBA9876543210";
const SW_ACCOUNT: &str = "b3877c40-da60-4998-90ad-b792e98472af";
const SW_CONFERENCE: &str = "b3877c40-da60-4998-90ad-b792e98472cf";
const SW_CALL: &str = "b3877c40-da60-4998-90ad-b792e98472ca";
const SW_COACHED: &str = "6f1c2a4e-3b5d-4e8f-9a0b-1c2d3e4f5a6b";
const PASSWORD: &str = "auth-token";

/// `hold music/café.mp3?voice=alice&lang=fr=CA/x` on example.com as an RFC 3986 URI: the space
/// and the non-ASCII letter percent-encoded, `?`, `&`, `=` and `/` literal.
const HOLD_URL: &str = "https://example.com/hold%20music/caf%C3%A9.mp3?voice=alice&lang=fr=CA/x";
/// `HOLD_URL` in the form body: WHATWG form encoding of the text above.
const HOLD_URL_FORM: &str =
    "https%3A%2F%2Fexample.com%2Fhold%2520music%2Fcaf%25C3%25A9.mp3%3Fvoice%3Dalice%26lang%3Dfr%3DCA%2Fx";
/// The same address with a literal space and a literal `é` (an IRI, not a URI).
const HOLD_IRI: &str = "https://example.com/hold music/café.mp3?voice=alice&lang=fr=CA/x";
const HOLD_IRI_FORM: &str =
    "https%3A%2F%2Fexample.com%2Fhold+music%2Fcaf%C3%A9.mp3%3Fvoice%3Dalice%26lang%3Dfr%3DCA%2Fx";

// ---------------------------------------------------------------------------------------------
// Prism process
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Spec {
    Twilio,
    SignalWire,
}

impl Spec {
    fn file(self) -> &'static str {
        match self {
            Spec::Twilio => "specs/twilio.yaml",
            Spec::SignalWire => "specs/signalwire.yaml",
        }
    }
}

/// A running `prism mock` (behind `guard.sh`).
struct Prism {
    /// `http://127.0.0.1:PORT`, without a path: Prism ignores the spec's server path.
    base_url: String,
    guard: Mutex<Option<Child>>,
    log: Arc<Mutex<String>>,
}

impl Prism {
    fn start(spec: Spec) -> Prism {
        let root = repo_root();
        let prism_dir = root.join("tests/prism");
        let mut command = Command::new("sh");
        command
            .arg(prism_dir.join("guard.sh"))
            .arg(prism_binary())
            .args(["mock", "-h", "127.0.0.1", "-p", "0"])
            .arg(root.join(spec.file()))
            .current_dir(&prism_dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        // Own process group: a terminal's Ctrl-C reaches the test binary, whose exit then
        // stops Prism through the guard, instead of killing the guard and leaving Prism (a
        // background job of a non-interactive shell ignores SIGINT).
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let mut child = command
            .spawn()
            .expect("cannot run `sh tests/prism/guard.sh`");
        let stdout = child.stdout.take().expect("piped stdout");
        let log = Arc::new(Mutex::new(String::new()));
        let (ready_tx, ready_rx) = mpsc::channel();
        {
            let log = Arc::clone(&log);
            // Drains Prism's output for its whole life (a full pipe would block Prism).
            std::thread::spawn(move || {
                for line in BufReader::new(stdout).lines() {
                    let Ok(line) = line else { break };
                    if let Some(url) = listening_url(&line) {
                        let _ = ready_tx.send(url);
                    }
                    let mut log = log.lock().unwrap_or_else(|e| e.into_inner());
                    if log.len() < 1 << 20 {
                        log.push_str(&line);
                        log.push('\n');
                    }
                }
            });
        }
        match ready_rx.recv_timeout(Duration::from_secs(90)) {
            Ok(base_url) => Prism {
                base_url,
                guard: Mutex::new(Some(child)),
                log,
            },
            Err(e) => {
                stop_guard(child);
                let log = log.lock().unwrap_or_else(|e| e.into_inner()).clone();
                panic!(
                    "Prism did not report `Prism is listening on …` for {} ({e}); its output:\n{log}",
                    spec.file()
                );
            }
        }
    }

    /// What Prism printed so far (its request log), for failure messages.
    fn log(&self) -> String {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl Drop for Prism {
    fn drop(&mut self) {
        let guard = self.guard.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(child) = guard {
            stop_guard(child);
        }
    }
}

/// Closes the guard's stdin (the guard then terminates Prism) and reaps the guard; kills the
/// whole process group if that takes too long.
fn stop_guard(mut child: Child) {
    drop(child.stdin.take());
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{}", child.id())])
        .status();
    let _ = child.wait();
}

/// The URL in Prism's readiness line `… Prism is listening on http://127.0.0.1:PORT`.
fn listening_url(line: &str) -> Option<String> {
    let (_, rest) = line.split_once("Prism is listening on ")?;
    let url: String = rest
        .trim()
        .chars()
        .take_while(|c| !c.is_whitespace() && *c != '\u{1b}')
        .collect();
    Some(url.trim_end_matches('/').to_string())
}

/// The shared Prism for `spec`, started by the first test that asks. Every test here declares
/// [`Need::Prism`], so Prism is installed when this runs.
fn prism(spec: Spec) -> &'static Prism {
    static TWILIO: OnceLock<Prism> = OnceLock::new();
    static SIGNALWIRE: OnceLock<Prism> = OnceLock::new();
    let cell = match spec {
        Spec::Twilio => &TWILIO,
        Spec::SignalWire => &SIGNALWIRE,
    };
    cell.get_or_init(|| Prism::start(spec))
}

// ---------------------------------------------------------------------------------------------
// Recording proxy
// ---------------------------------------------------------------------------------------------

/// One request as the client sent it and Prism's raw answer.
#[derive(Clone, Debug)]
struct Exchange {
    method: String,
    path: String,
    request_headers: Vec<(String, String)>,
    request_body: Vec<u8>,
    status: u16,
    content_type: String,
    /// The parsed `sl-violations` header (`[]` when absent).
    sl_violations: Value,
    body: String,
}

impl Exchange {
    fn request_header(&self, name: &str) -> Option<&str> {
        self.request_headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn is_problem_json(&self) -> bool {
        self.content_type
            .to_ascii_lowercase()
            .starts_with("application/problem+json")
    }

    /// `sl-violations` entries about the request (`location[0] == "request"`).
    fn request_violations(&self) -> Vec<Value> {
        self.sl_violations
            .as_array()
            .map(|all| {
                all.iter()
                    .filter(|v| v["location"][0] == "request")
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Prism answered a declared error response whose `sl-violations` request entries are
    /// exactly `expected`.
    fn assert_request_violations(&self, expected: Value) {
        assert!(!self.is_problem_json(), "{}", self.describe());
        assert_eq!(
            Value::Array(self.request_violations()),
            expected,
            "{}",
            self.describe()
        );
    }

    /// Prism answered `application/problem+json` whose `validation` is exactly `expected`.
    fn assert_problem_validation(&self, expected: Value) {
        assert!(self.is_problem_json(), "{}", self.describe());
        assert_eq!(self.problem_validation(), expected, "{}", self.describe());
    }

    /// The `validation` array of a problem+json answer.
    fn problem_validation(&self) -> Value {
        serde_json::from_str::<Value>(&self.body)
            .ok()
            .map(|b| b["validation"].clone())
            .unwrap_or(Value::Null)
    }

    fn describe(&self) -> String {
        format!(
            "{} {}\nrequest body: {:?}\n→ HTTP {} ({})\nsl-violations: {}\nbody: {}",
            self.method,
            self.path,
            String::from_utf8_lossy(&self.request_body),
            self.status,
            self.content_type,
            self.sl_violations,
            self.body
        )
    }

    /// Prism accepted the request: no problem+json, no request violation, `status`.
    fn assert_passes(&self, status: u16) {
        assert!(
            !self.is_problem_json(),
            "Prism rejected the request (problem+json):\n{}",
            self.describe()
        );
        let violations = self.request_violations();
        assert!(
            violations.is_empty(),
            "Prism reported request violations {violations:?}:\n{}",
            self.describe()
        );
        assert_eq!(
            self.status,
            status,
            "unexpected status:\n{}",
            self.describe()
        );
    }

    /// The client sent `POST path` with exactly this form body.
    fn assert_form_request(&self, path: &str, body: &str) {
        let context = self.describe();
        assert_eq!(self.method, "POST", "{context}");
        assert_eq!(self.path, path, "{context}");
        assert_eq!(
            self.request_header("content-type"),
            Some("application/x-www-form-urlencoded"),
            "{context}"
        );
        assert!(
            self.request_header("authorization")
                .is_some_and(|v| v.starts_with("Basic ")),
            "no Basic authorization header: {:?}\n{context}",
            self.request_headers
        );
        assert_eq!(
            String::from_utf8_lossy(&self.request_body),
            body,
            "form body sent by the client\n{context}"
        );
    }
}

/// A loopback HTTP/1.1 proxy that forwards every request to Prism and records the exchange.
struct Proxy {
    base_url: String,
    exchanges: Arc<Mutex<Vec<Exchange>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Proxy {
    async fn start(target: &str) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let base_url = format!("http://{}", listener.local_addr().expect("proxy address"));
        let exchanges = Arc::new(Mutex::new(Vec::new()));
        let http = raw_http();
        let target = target.to_string();
        let log = Arc::clone(&exchanges);
        let task = tokio::spawn(async move {
            loop {
                let Ok((socket, _)) = listener.accept().await else {
                    return;
                };
                tokio::spawn(forward(
                    socket,
                    target.clone(),
                    http.clone(),
                    Arc::clone(&log),
                ));
            }
        });
        Proxy {
            base_url,
            exchanges,
            task,
        }
    }

    /// The one exchange this proxy saw.
    fn single(self) -> Exchange {
        self.task.abort();
        let mut all = self.exchanges.lock().unwrap().clone();
        assert_eq!(all.len(), 1, "expected exactly one request: {all:#?}");
        all.remove(0)
    }
}

/// reqwest for the tests' own requests: no proxies from the environment.
fn raw_http() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("reqwest client")
}

async fn forward(
    mut socket: TcpStream,
    target: String,
    http: reqwest::Client,
    log: Arc<Mutex<Vec<Exchange>>>,
) {
    let Some((method, path, headers, body)) = read_request(&mut socket).await else {
        return;
    };
    let mut request = http.request(
        reqwest::Method::from_bytes(method.as_bytes()).expect("method"),
        format!("{target}{path}"),
    );
    for (name, value) in &headers {
        let lower = name.to_ascii_lowercase();
        if !matches!(
            lower.as_str(),
            "host" | "content-length" | "connection" | "transfer-encoding"
        ) {
            request = request.header(name.as_str(), value.as_str());
        }
    }
    let response = match request.body(body.clone()).send().await {
        Ok(response) => response,
        Err(_) => {
            let _ = socket
                .write_all(
                    b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                )
                .await;
            return;
        }
    };
    let status = response.status();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let content_type = header("content-type").unwrap_or_default();
    let sl_violations = header("sl-violations")
        .map(|v| serde_json::from_str(&v).expect("sl-violations is JSON"))
        .unwrap_or_else(|| json!([]));
    let response_body = response.bytes().await.expect("Prism response body");
    log.lock().unwrap().push(Exchange {
        method,
        path,
        request_headers: headers,
        request_body: body,
        status: status.as_u16(),
        content_type: content_type.clone(),
        sl_violations,
        body: String::from_utf8_lossy(&response_body).into_owned(),
    });
    let head = format!(
        "HTTP/1.1 {} {}\r\ncontent-type: {}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        status.as_u16(),
        status.canonical_reason().unwrap_or("Status"),
        content_type,
        response_body.len()
    );
    let _ = socket.write_all(head.as_bytes()).await;
    let _ = socket.write_all(&response_body).await;
    let _ = socket.shutdown().await;
}

type RawRequest = (String, String, Vec<(String, String)>, Vec<u8>);

/// Reads one HTTP/1.1 request with a `Content-Length` body (what reqwest sends).
async fn read_request(socket: &mut TcpStream) -> Option<RawRequest> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break at;
        }
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8(buffer[..head_end].to_vec()).expect("ASCII request head");
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next()?.split(' ');
    let method = request_line.next()?.to_string();
    let path = request_line.next()?.to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    assert!(
        !headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("transfer-encoding")),
        "chunked requests are not expected: {headers:?}"
    );
    let length: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .map(|(_, v)| v.parse().expect("content-length"))
        .unwrap_or(0);
    let mut body = buffer[head_end + 4..].to_vec();
    while body.len() < length {
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    body.truncate(length);
    Some((method, path, headers, body))
}

// ---------------------------------------------------------------------------------------------
// Client calls
// ---------------------------------------------------------------------------------------------

type TwilioResult = Result<twilio::ConferenceParticipant, Error<ApiErrorBody>>;
type SignalWireResult = Result<
    signalwire::ConferenceParticipantResponse,
    Error<signalwire::CompatibilityErrorResponse>,
>;

fn twilio_client(base_url: &str) -> twilio::Client {
    twilio::Client::with_config(ClientConfig::new(
        base_url,
        Credentials::basic(TW_ACCOUNT, PASSWORD),
    ))
    .expect("twilio client")
}

fn signalwire_client(base_url: &str) -> signalwire::Client {
    signalwire::Client::with_config(ClientConfig::new(
        base_url,
        Credentials::basic(SW_ACCOUNT, PASSWORD),
    ))
    .expect("signalwire client")
}

fn twilio_path() -> String {
    format!(
        "/2010-04-01/Accounts/{TW_ACCOUNT}/Conferences/{TW_CONFERENCE}/Participants/{TW_CALL}.json"
    )
}

fn signalwire_path() -> String {
    format!("/Accounts/{SW_ACCOUNT}/Conferences/{SW_CONFERENCE}/Participants/{SW_CALL}")
}

/// `client.update_participant` through the recording proxy.
async fn twilio_update(
    prism: &Prism,
    body: &twilio::UpdateParticipantRequest,
) -> (TwilioResult, Exchange) {
    let proxy = Proxy::start(&prism.base_url).await;
    let result = twilio_client(&proxy.base_url)
        .account(TW_ACCOUNT)
        .update_participant(TW_CONFERENCE, TW_CALL, body)
        .await
        .map(telephony_client::Response::into_inner);
    (result, proxy.single())
}

async fn signalwire_update(
    prism: &Prism,
    body: &signalwire::UpdateConferenceParticipantRequest,
) -> (SignalWireResult, Exchange) {
    let proxy = Proxy::start(&prism.base_url).await;
    let result = signalwire_client(&proxy.base_url)
        .account(SW_ACCOUNT)
        .update_participant(SW_CONFERENCE, SW_CALL, body)
        .await
        .map(telephony_client::Response::into_inner);
    (result, proxy.single())
}

/// A request of the list: sent as `form`, accepted by Prism, answered 200 and decoded.
async fn twilio_case(body: twilio::UpdateParticipantRequest, form: &str) {
    let prism = prism(Spec::Twilio);
    let (result, exchange) = twilio_update(prism, &body).await;
    exchange.assert_form_request(&twilio_path(), form);
    exchange.assert_passes(200);
    let participant = result.unwrap_or_else(|e| {
        panic!("client failed: {e}\n{}", exchange.describe());
    });
    assert_twilio_participant(&participant);
    assert_eq!(
        participant,
        serde_json::from_str(&exchange.body).expect("Prism's body decodes")
    );
}

async fn signalwire_case(body: signalwire::UpdateConferenceParticipantRequest, form: &str) {
    let prism = prism(Spec::SignalWire);
    let (result, exchange) = signalwire_update(prism, &body).await;
    exchange.assert_form_request(&signalwire_path(), form);
    exchange.assert_passes(200);
    let participant = result.unwrap_or_else(|e| {
        panic!("client failed: {e}\n{}", exchange.describe());
    });
    assert_signalwire_participant(&participant);
    assert_eq!(
        participant,
        serde_json::from_str(&exchange.body).expect("Prism's body decodes")
    );
}

fn is_sid(value: &str, prefix: &str) -> bool {
    value.len() == 34
        && value.starts_with(prefix)
        && value[2..].bytes().all(|b| b.is_ascii_hexdigit())
}

fn is_uuid(value: &str) -> bool {
    let groups: Vec<&str> = value.split('-').collect();
    groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && groups
            .iter()
            .all(|g| g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Prism answers every Twilio update with the operation's first example, `muteParticipant`.
fn assert_twilio_participant(p: &twilio::ConferenceParticipant) {
    assert!(
        is_sid(p.account_sid.as_deref().unwrap_or(""), "AC"),
        "{p:?}"
    );
    assert!(is_sid(p.call_sid.as_deref().unwrap_or(""), "CA"), "{p:?}");
    assert!(
        is_sid(p.conference_sid.as_deref().unwrap_or(""), "CF"),
        "{p:?}"
    );
    assert_eq!(p.status, Some(twilio::ParticipantEnumStatus::Connected));
    assert_eq!(p.muted, Some(true));
    assert_eq!(p.hold, Some(false));
    assert_eq!(p.coaching, Some(false));
    assert_eq!(p.call_sid_to_coach, None);
    assert_eq!(p.label, None);
    let created = p.date_created.as_ref().expect("date_created");
    assert_eq!(created.as_str(), "Fri, 18 Feb 2011 21:07:19 +0000");
    assert_eq!(
        created.to_offset_date_time().map(|t| t.unix_timestamp()),
        Some(1_298_063_239)
    );
    assert!(p
        .uri
        .as_deref()
        .is_some_and(|u| u.starts_with("/2010-04-01/Accounts/AC")));
}

/// Prism builds SignalWire's response from the schema: property examples where it uses them,
/// generated UUIDs for the `allOf: [uuid]` IDs, the first enum value for `status`.
fn assert_signalwire_participant(p: &signalwire::ConferenceParticipantResponse) {
    assert!(is_uuid(&p.account_sid), "{p:?}");
    assert!(is_uuid(&p.call_sid), "{p:?}");
    assert!(is_uuid(&p.conference_sid), "{p:?}");
    assert!(p.call_sid_to_coach.as_deref().is_none_or(is_uuid), "{p:?}");
    assert_eq!(p.status, signalwire::ParticipantStatus::Completed);
    assert_eq!(p.date_created, "Mon, 24 Sept 2018 21:00:00 +0000");
    assert_eq!(p.date_updated, "Tue, 25 Sept 2018 20:00:00 +0000");
    assert!(!p.coaching && !p.muted && !p.hold && !p.end_conference_on_exit);
    assert!(p.start_conference_on_enter);
    assert!(p.uri.starts_with("/api/laml/2010-04-01/Accounts/"), "{p:?}");
}

// ---------------------------------------------------------------------------------------------
// Twilio: the request list
// ---------------------------------------------------------------------------------------------

async fn twilio_muted_only() {
    twilio_case(
        twilio::UpdateParticipantRequest {
            muted: Some(true),
            ..Default::default()
        },
        "Muted=true",
    )
    .await;
}

async fn twilio_hold_with_reserved_and_non_ascii_hold_url() {
    twilio_case(
        twilio::UpdateParticipantRequest {
            hold: Some(true),
            hold_url: Some(HOLD_URL.into()),
            hold_method: Some(twilio::HttpMethod::Post),
            ..Default::default()
        },
        &format!("Hold=true&HoldUrl={HOLD_URL_FORM}&HoldMethod=POST"),
    )
    .await;
}

async fn twilio_coaching() {
    twilio_case(
        twilio::UpdateParticipantRequest {
            coaching: Some(true),
            call_sid_to_coach: Some(TW_COACHED.into()),
            ..Default::default()
        },
        &format!("Coaching=true&CallSidToCoach={TW_COACHED}"),
    )
    .await;
}

async fn twilio_every_parameter() {
    use twilio::{HttpMethod as Announce, HttpMethod as Hold, HttpMethod as Wait};
    twilio_case(
        twilio::UpdateParticipantRequest {
            muted: Some(true),
            hold: Some(true),
            hold_url: Some(HOLD_URL.into()),
            hold_method: Some(Hold::Get),
            announce_url: Some("https://example.com/announce.xml".into()),
            announce_method: Some(Announce::Post),
            wait_url: Some("https://example.com/wait.mp3".into()),
            wait_method: Some(Wait::Get),
            beep_on_exit: Some(true),
            end_conference_on_exit: Some(false),
            coaching: Some(true),
            call_sid_to_coach: Some(TW_COACHED.into()),
        },
        &format!(
            "Muted=true&Hold=true&HoldUrl={HOLD_URL_FORM}&HoldMethod=GET\
             &AnnounceUrl=https%3A%2F%2Fexample.com%2Fannounce.xml&AnnounceMethod=POST\
             &WaitUrl=https%3A%2F%2Fexample.com%2Fwait.mp3&WaitMethod=GET\
             &BeepOnExit=true&EndConferenceOnExit=false&Coaching=true&CallSidToCoach={TW_COACHED}"
        ),
    )
    .await;
}

async fn twilio_no_parameters() {
    // Twilio's request body is optional, so the empty form is valid.
    twilio_case(twilio::UpdateParticipantRequest::default(), "").await;
}

/// SPEC-VS-API MISMATCH. Twilio documents `WaitUrl=` (empty) as "silence instead of hold music"
/// (the spec's own description says so), but the spec declares `WaitUrl` as `format: uri`, and
/// the empty string is not a URI. Prism therefore rejects the request the API documents:
/// HTTP 422 `application/problem+json` with exactly the violation asserted below. The client
/// sends `WaitUrl=` as documented; the fix belongs in the spec (e.g. `anyOf: [uri, enum: [""]]`).
async fn twilio_empty_wait_url_is_rejected_by_the_spec_format_uri() {
    let prism = prism(Spec::Twilio);
    let body = twilio::UpdateParticipantRequest {
        wait_url: Some(String::new()),
        ..Default::default()
    };
    let (result, exchange) = twilio_update(prism, &body).await;
    exchange.assert_form_request(&twilio_path(), "WaitUrl=");
    assert_eq!(exchange.status, 422, "{}", exchange.describe());
    assert!(exchange.is_problem_json(), "{}", exchange.describe());
    exchange.assert_problem_validation(json!([{
        "location": ["body", "WaitUrl"],
        "severity": "Error",
        "code": "format",
        "message": "Request body property WaitUrl must match format \"uri\""
    }]));
    // The client reports it as an API error with the body kept.
    match result {
        Err(Error::Api(e)) => {
            assert_eq!(e.status, 422);
            assert_eq!(e.body.status, Some(422));
            assert!(e.raw.contains("WaitUrl must match format"), "{}", e.raw);
        }
        other => panic!("expected Error::Api(422), got {other:?}"),
    }
}

/// Not a client problem: a literal space or `é` is not allowed in an RFC 3986 URI, so the spec's
/// `format: uri` makes Prism reject the IRI form of the hold URL. The client form-encodes the
/// string it is given unchanged (`+` for the space, `%C3%A9`); callers must percent-encode the
/// URL itself first (`HOLD_URL`, accepted above).
async fn twilio_hold_url_with_literal_space_and_non_ascii_is_not_a_uri() {
    let prism = prism(Spec::Twilio);
    let body = twilio::UpdateParticipantRequest {
        hold: Some(true),
        hold_url: Some(HOLD_IRI.into()),
        hold_method: Some(twilio::HttpMethod::Post),
        ..Default::default()
    };
    let (_, exchange) = twilio_update(prism, &body).await;
    exchange.assert_form_request(
        &twilio_path(),
        &format!("Hold=true&HoldUrl={HOLD_IRI_FORM}&HoldMethod=POST"),
    );
    assert_eq!(exchange.status, 422, "{}", exchange.describe());
    exchange.assert_problem_validation(json!([{
        "location": ["body", "HoldUrl"],
        "severity": "Error",
        "code": "format",
        "message": "Request body property HoldUrl must match format \"uri\""
    }]));
}

// ---------------------------------------------------------------------------------------------
// SignalWire: the request list
// ---------------------------------------------------------------------------------------------

async fn signalwire_muted_only() {
    signalwire_case(
        signalwire::UpdateConferenceParticipantRequest {
            muted: Some(true),
            ..Default::default()
        },
        "Muted=true",
    )
    .await;
}

async fn signalwire_hold_with_reserved_and_non_ascii_hold_url() {
    signalwire_case(
        signalwire::UpdateConferenceParticipantRequest {
            hold: Some(true),
            hold_url: Some(HOLD_URL.into()),
            hold_method: Some(signalwire::HttpMethod::Post),
            ..Default::default()
        },
        // SignalWire's property order puts HoldMethod before HoldUrl.
        &format!("Hold=true&HoldMethod=POST&HoldUrl={HOLD_URL_FORM}"),
    )
    .await;
}

async fn signalwire_coaching() {
    signalwire_case(
        signalwire::UpdateConferenceParticipantRequest {
            coaching: Some(true),
            call_sid_to_coach: Some(SW_COACHED.into()),
            ..Default::default()
        },
        &format!("Coaching=true&CallSidToCoach={SW_COACHED}"),
    )
    .await;
}

async fn signalwire_every_parameter() {
    use signalwire::{HttpMethod as Announce, HttpMethod as Hold, HttpMethod as Wait};
    signalwire_case(
        signalwire::UpdateConferenceParticipantRequest {
            announce_url: Some("https://example.com/announce.xml".into()),
            announce_method: Some(Announce::Post),
            beep: Some(false),
            coaching: Some(true),
            call_sid_to_coach: Some(SW_COACHED.into()),
            hold: Some(true),
            hold_method: Some(Hold::Get),
            hold_url: Some(HOLD_URL.into()),
            muted: Some(true),
            wait_url: Some("https://example.com/wait.mp3".into()),
            wait_method: Some(Wait::Get),
        },
        &format!(
            "AnnounceUrl=https%3A%2F%2Fexample.com%2Fannounce.xml&AnnounceMethod=POST&Beep=false\
             &Coaching=true&CallSidToCoach={SW_COACHED}&Hold=true&HoldMethod=GET\
             &HoldUrl={HOLD_URL_FORM}&Muted=true\
             &WaitUrl=https%3A%2F%2Fexample.com%2Fwait.mp3&WaitMethod=GET"
        ),
    )
    .await;
}

/// SPEC PROBLEM. SignalWire's spec marks the update body `required: true` although none of its
/// fields is required. An empty form is a zero-length body, which Prism treats as no body at
/// all, so "change nothing" can never validate: HTTP 422 with exactly the `sl-violations` entry
/// asserted below (and Prism's generated `CompatibilityErrorResponse` example as the body). The
/// client does the only thing possible: POST with `Content-Type: application/x-www-form-urlencoded`
/// and `Content-Length: 0`.
async fn signalwire_no_parameters_is_rejected_because_the_spec_requires_a_body() {
    let prism = prism(Spec::SignalWire);
    let (result, exchange) = signalwire_update(
        prism,
        &signalwire::UpdateConferenceParticipantRequest::default(),
    )
    .await;
    exchange.assert_form_request(&signalwire_path(), "");
    assert_eq!(
        exchange.request_header("content-length"),
        Some("0"),
        "{}",
        exchange.describe()
    );
    assert_eq!(exchange.status, 422, "{}", exchange.describe());
    exchange.assert_request_violations(json!([{
        "location": ["request"],
        "severity": "Error",
        "code": "required",
        "message": "Body parameter is required"
    }]));
    match result {
        Err(Error::Api(e)) => {
            assert_eq!(e.status, 422);
            // Prism's generated error body: the schema's property examples.
            assert_eq!(e.body.code, 20003);
        }
        other => panic!("expected Error::Api(422), got {other:?}"),
    }
}

/// SPEC-VS-API MISMATCH (as for Twilio): SignalWire's `WaitUrl` is `format: uri`, so the
/// Twilio-compatible `WaitUrl=` (silence) is rejected: HTTP 422 with the exact violation below.
async fn signalwire_empty_wait_url_is_rejected_by_the_spec_format_uri() {
    let prism = prism(Spec::SignalWire);
    let body = signalwire::UpdateConferenceParticipantRequest {
        wait_url: Some(String::new()),
        ..Default::default()
    };
    let (result, exchange) = signalwire_update(prism, &body).await;
    exchange.assert_form_request(&signalwire_path(), "WaitUrl=");
    assert_eq!(exchange.status, 422, "{}", exchange.describe());
    assert!(!exchange.is_problem_json());
    exchange.assert_request_violations(json!([{
        "location": ["request", "body", "WaitUrl"],
        "severity": "Error",
        "code": "format",
        "message": "Request body property WaitUrl must match format \"uri\""
    }]));
    assert!(
        matches!(result, Err(Error::Api(ref e)) if e.status == 422),
        "{result:?}"
    );
}

async fn signalwire_hold_url_with_literal_space_and_non_ascii_is_not_a_uri() {
    let prism = prism(Spec::SignalWire);
    let body = signalwire::UpdateConferenceParticipantRequest {
        hold: Some(true),
        hold_url: Some(HOLD_IRI.into()),
        hold_method: Some(signalwire::HttpMethod::Post),
        ..Default::default()
    };
    let (_, exchange) = signalwire_update(prism, &body).await;
    exchange.assert_form_request(
        &signalwire_path(),
        &format!("Hold=true&HoldMethod=POST&HoldUrl={HOLD_IRI_FORM}"),
    );
    assert_eq!(exchange.status, 422, "{}", exchange.describe());
    exchange.assert_request_violations(json!([{
        "location": ["request", "body", "HoldUrl"],
        "severity": "Error",
        "code": "format",
        "message": "Request body property HoldUrl must match format \"uri\""
    }]));
}

/// SPEC PROBLEM: the spec's own example for `CallSidToCoach`,
/// `b3877c40-da60-4998-90ad-b792e98472co`, is not a UUID (`co` is not hex), so sending it fails
/// the spec's `format: uuid`.
async fn signalwire_spec_example_call_sid_to_coach_is_not_a_uuid() {
    let prism = prism(Spec::SignalWire);
    let body = signalwire::UpdateConferenceParticipantRequest {
        coaching: Some(true),
        call_sid_to_coach: Some("b3877c40-da60-4998-90ad-b792e98472co".into()),
        ..Default::default()
    };
    let (_, exchange) = signalwire_update(prism, &body).await;
    assert_eq!(exchange.status, 422, "{}", exchange.describe());
    exchange.assert_request_violations(json!([{
        "location": ["request", "body", "CallSidToCoach"],
        "severity": "Error",
        "code": "format",
        "message": "Request body property CallSidToCoach must match format \"uuid\""
    }]));
}

// ---------------------------------------------------------------------------------------------
// The checks are not vacuous: Prism does flag bad requests, and the client surfaces them.
// ---------------------------------------------------------------------------------------------

async fn raw_post(prism: &Prism, path: &str, body: &'static str, prefer: Option<&str>) -> Exchange {
    let proxy = Proxy::start(&prism.base_url).await;
    let mut request = raw_http()
        .post(format!("{}{path}", proxy.base_url))
        .basic_auth("user", Some(PASSWORD))
        .header("accept", "application/json")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body);
    if let Some(prefer) = prefer {
        request = request.header("prefer", prefer);
    }
    request.send().await.expect("request through the proxy");
    proxy.single()
}

async fn prism_flags_a_non_boolean_muted() {
    {
        let prism = prism(Spec::Twilio);
        let exchange = raw_post(prism, &twilio_path(), "Muted=yes", None).await;
        assert_eq!(exchange.status, 422);
        assert!(exchange.is_problem_json(), "{}", exchange.describe());
        assert_eq!(
            exchange.problem_validation()[0]["location"],
            json!(["body", "Muted"])
        );
    }
    {
        let prism = prism(Spec::SignalWire);
        let exchange = raw_post(prism, &signalwire_path(), "Muted=yes", None).await;
        assert_eq!(exchange.status, 422);
        exchange.assert_request_violations(json!([{
            "location": ["request", "body", "Muted"],
            "severity": "Error",
            "code": "type",
            "message": "Request body property Muted must be boolean"
        }]));
    }
}

async fn path_parameter_violations_reach_the_caller_as_api_errors() {
    {
        let prism = prism(Spec::Twilio);
        let body = twilio::UpdateParticipantRequest {
            muted: Some(true),
            ..Default::default()
        };
        let result = twilio_client(&prism.base_url)
            .account("ACnot-a-sid")
            .update_participant(TW_CONFERENCE, TW_CALL, &body)
            .await;
        match result {
            Err(Error::Api(e)) => {
                assert_eq!(e.status, 422);
                assert!(e.raw.contains("must match pattern"), "{}", e.raw);
            }
            other => panic!("expected Error::Api(422), got {other:?}"),
        }
    }
    {
        let prism = prism(Spec::SignalWire);
        let body = signalwire::UpdateConferenceParticipantRequest {
            muted: Some(true),
            ..Default::default()
        };
        let result = signalwire_client(&prism.base_url)
            .account("not-a-uuid")
            .update_participant(SW_CONFERENCE, SW_CALL, &body)
            .await;
        match result {
            Err(Error::Api(e)) => {
                assert_eq!(e.status, 422);
                assert_eq!(e.body.message, "Authentication failed"); // Prism's example body
            }
            other => panic!("expected Error::Api(422), got {other:?}"),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Prism's example responses decode through the generated client
// ---------------------------------------------------------------------------------------------

fn load_spec(spec: Spec) -> Value {
    let text = std::fs::read_to_string(repo_root().join(spec.file())).expect("read spec");
    serde_yaml::from_str(&text).expect("spec is YAML")
}

async fn twilio_client_decodes_prism_response_directly() {
    let prism = prism(Spec::Twilio);
    let body = twilio::UpdateParticipantRequest {
        muted: Some(true),
        ..Default::default()
    };
    let participant = twilio_client(&prism.base_url)
        .account(TW_ACCOUNT)
        .update_participant(TW_CONFERENCE, TW_CALL, &body)
        .await
        .expect("update_participant against Prism");
    assert_twilio_participant(&participant);
    // Prism's static answer is the operation's first example.
    let spec = load_spec(Spec::Twilio);
    let first = spec["paths"]
        ["/2010-04-01/Accounts/{AccountSid}/Conferences/{ConferenceSid}/Participants/{CallSid}.json"]
        ["post"]["responses"]["200"]["content"]["application/json"]["examples"]["muteParticipant"]
        ["value"]
        .clone();
    assert_eq!(
        participant.into_inner(),
        serde_json::from_value(first).unwrap()
    );
}

async fn signalwire_client_decodes_prism_response_directly() {
    let prism = prism(Spec::SignalWire);
    let body = signalwire::UpdateConferenceParticipantRequest {
        beep: Some(true),
        ..Default::default()
    };
    let participant = signalwire_client(&prism.base_url)
        .account(SW_ACCOUNT)
        .update_participant(SW_CONFERENCE, SW_CALL, &body)
        .await
        .expect("update_participant against Prism");
    assert_signalwire_participant(&participant);
}

/// Every named 200 example of Twilio's update operation, chosen with `Prefer: example=NAME`,
/// passes validation, equals the spec's value and decodes into the generated type.
async fn twilio_every_update_example_decodes() {
    let prism = prism(Spec::Twilio);
    let spec = load_spec(Spec::Twilio);
    let examples = spec["paths"]
        ["/2010-04-01/Accounts/{AccountSid}/Conferences/{ConferenceSid}/Participants/{CallSid}.json"]
        ["post"]["responses"]["200"]["content"]["application/json"]["examples"]
        .as_object()
        .expect("UpdateParticipant 200 examples")
        .clone();
    assert!(examples.len() >= 6, "{examples:?}");
    for (name, example) in examples {
        let exchange = raw_post(
            prism,
            &twilio_path(),
            "Muted=true",
            Some(&format!("example={name}")),
        )
        .await;
        exchange.assert_passes(200);
        let body: Value = serde_json::from_str(&exchange.body).expect("JSON body");
        assert_eq!(
            body, example["value"],
            "Prism's `{name}` differs from the spec"
        );
        let participant: twilio::ConferenceParticipant = serde_json::from_str(&exchange.body)
            .unwrap_or_else(|e| panic!("example `{name}` does not decode: {e}"));
        assert_eq!(
            participant.status.as_ref().map(|s| s.as_str()),
            body["status"].as_str(),
            "{name}"
        );
        assert_eq!(
            participant.label.as_deref(),
            body["label"].as_str(),
            "{name}"
        );
    }
}

/// SignalWire declares 400/401/404/422 with `CompatibilityErrorResponse`; each of Prism's
/// answers (`Prefer: code=NNN`) decodes into it, and 200 into the participant.
async fn signalwire_every_declared_response_decodes() {
    let prism = prism(Spec::SignalWire);
    let exchange = raw_post(prism, &signalwire_path(), "Muted=true", Some("code=200")).await;
    exchange.assert_passes(200);
    let participant: signalwire::ConferenceParticipantResponse =
        serde_json::from_str(&exchange.body).expect("200 body decodes");
    assert_signalwire_participant(&participant);
    for code in [400u16, 401, 404, 422] {
        let exchange = raw_post(
            prism,
            &signalwire_path(),
            "Muted=true",
            Some(&format!("code={code}")),
        )
        .await;
        assert_eq!(exchange.status, code, "{}", exchange.describe());
        assert!(
            exchange.request_violations().is_empty(),
            "{}",
            exchange.describe()
        );
        let error: signalwire::CompatibilityErrorResponse = serde_json::from_str(&exchange.body)
            .unwrap_or_else(|e| panic!("HTTP {code} body does not decode: {e}\n{}", exchange.body));
        assert_eq!(error.code, 20003);
        assert_eq!(
            error.more_info,
            "https://signalwire.com/docs/compatibility-api/reference/errors"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The generated examples run against Prism
// ---------------------------------------------------------------------------------------------

/// `cargo run -q -p telephony-client --example NAME` with `env`; returns (stdout, stderr).
fn run_example(prism: &Prism, name: &str, env: &[(&str, &str)]) -> (String, String) {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .current_dir(repo_root())
        .args(["run", "-q", "-p", "telephony-client", "--example", name])
        .env_remove("API_SPACE_NAME")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // Drop what cargo set for this test process (`CARGO_MANIFEST_DIR`, `CARGO_PKG_*`, …):
    // build scripts track some of them (ring reruns on `CARGO_MANIFEST_DIR`), and inheriting
    // them would rebuild shared dependencies on every run, for this and every other build.
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy();
        if key.starts_with("CARGO_PKG_")
            || matches!(
                key.as_ref(),
                "CARGO_MANIFEST_DIR"
                    | "CARGO_MANIFEST_PATH"
                    | "CARGO_CRATE_NAME"
                    | "CARGO_BIN_NAME"
                    | "CARGO_PRIMARY_PACKAGE"
                    | "CARGO_TARGET_TMPDIR"
                    | "CARGO_RUSTC_CURRENT_DIR"
                    | "OUT_DIR"
            )
        {
            command.env_remove(key.as_ref());
        }
    }
    let mut child = command.spawn().expect("run cargo");
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    // Generous: the first run may compile the example and wait for other cargo processes.
    let deadline = Instant::now() + Duration::from_secs(1200);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for cargo") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("`cargo run --example {name}` timed out");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let (stdout, stderr) = (out.join().unwrap(), err.join().unwrap());
    assert!(
        status.success(),
        "`cargo run --example {name}` failed ({status}):\nstdout:\n{stdout}\nstderr:\n{stderr}\nPrism:\n{}",
        prism.log()
    );
    (stdout, stderr)
}

/// `{:#?}` output without whitespace and trailing commas: `muted:Some(true)`.
fn squash(text: &str) -> String {
    let flat: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    flat.replace(",)", ")").replace(",}", "}")
}

fn twilio_example_runs_against_prism() {
    let prism = prism(Spec::Twilio);
    let (stdout, _) = run_example(
        prism,
        "twilio_update_participant",
        &[
            ("API_BASE_URL", &prism.base_url),
            ("API_USERNAME", TW_ACCOUNT),
            ("API_PASSWORD", PASSWORD),
            ("API_ACCOUNT_SID", TW_ACCOUNT),
            ("API_CONFERENCE_SID", TW_CONFERENCE),
            ("API_CALL_SID", TW_CALL),
        ],
    );
    let flat = squash(&stdout);
    for expected in [
        "ConferenceParticipant{",
        "account_sid:Some(\"ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\")",
        "conference_sid:Some(\"CFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\")",
        "muted:Some(true)",
        "status:Some(Connected)",
        "date_created:Some(\"Fri,18Feb201121:07:19+0000\")",
    ] {
        assert!(
            flat.contains(expected),
            "stdout lacks `{expected}`:\n{stdout}"
        );
    }
}

fn signalwire_example_runs_against_prism_without_a_space_name() {
    let prism = prism(Spec::SignalWire);
    // API_SPACE_NAME is removed from the environment: API_BASE_URL alone must do.
    let (stdout, _) = run_example(
        prism,
        "signalwire_update_participant",
        &[
            ("API_BASE_URL", &prism.base_url),
            ("API_USERNAME", SW_ACCOUNT),
            ("API_PASSWORD", PASSWORD),
            ("API_ACCOUNT_SID", SW_ACCOUNT),
            ("API_CONFERENCE_SID", SW_CONFERENCE),
            ("API_CALL_SID", SW_CALL),
        ],
    );
    let flat = squash(&stdout);
    for expected in [
        "ConferenceParticipantResponse{",
        "account_sid:\"",
        "status:Completed",
        "date_created:\"Mon,24Sept201821:00:00+0000\"",
        "start_conference_on_enter:true",
        "uri:\"/api/laml/2010-04-01/Accounts/",
    ] {
        assert!(
            flat.contains(expected),
            "stdout lacks `{expected}`:\n{stdout}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The rest of the participant family: list (with PageSize), fetch, delete
// ---------------------------------------------------------------------------------------------

/// The client's GET or DELETE as Prism saw it: no body, Basic auth, the expected target.
fn assert_bodiless(exchange: &Exchange, method: &str, target: &str) {
    let context = exchange.describe();
    assert_eq!(exchange.method, method, "{context}");
    assert_eq!(exchange.path, target, "{context}");
    assert!(exchange.request_body.is_empty(), "{context}");
    assert!(
        exchange
            .request_header("authorization")
            .is_some_and(|v| v.starts_with("Basic ")),
        "{context}"
    );
}

async fn twilio_list_fetch_and_delete_pass_the_contract() {
    let prism = prism(Spec::Twilio);
    let list =
        format!("/2010-04-01/Accounts/{TW_ACCOUNT}/Conferences/{TW_CONFERENCE}/Participants.json");

    let proxy = Proxy::start(&prism.base_url).await;
    let params = twilio::ListParticipantParams {
        muted: Some(true),
        page_size: Some(2),
        ..Default::default()
    };
    let page = twilio_client(&proxy.base_url)
        .list_participant(TW_CONFERENCE, &params)
        .await
        .unwrap_or_else(|e| panic!("list: {e}"));
    let exchange = proxy.single();
    assert_bodiless(&exchange, "GET", &format!("{list}?Muted=true&PageSize=2"));
    exchange.assert_passes(200);
    // Prism answers with the operation's first example, an empty page.
    let listed: twilio::ListParticipantResponse =
        serde_json::from_str(&exchange.body).expect("Prism's body decodes");
    assert_eq!(page.into_inner(), listed);

    let proxy = Proxy::start(&prism.base_url).await;
    let participant = twilio_client(&proxy.base_url)
        .fetch_participant(TW_CONFERENCE, TW_CALL)
        .await
        .unwrap_or_else(|e| panic!("fetch: {e}"));
    let exchange = proxy.single();
    assert_bodiless(&exchange, "GET", &twilio_path());
    exchange.assert_passes(200);
    assert!(participant
        .call_sid
        .as_deref()
        .is_some_and(|sid| sid.starts_with("CA")));
    assert_eq!(
        participant.into_inner(),
        serde_json::from_str(&exchange.body).expect("Prism's body decodes")
    );

    let proxy = Proxy::start(&prism.base_url).await;
    let deleted = twilio_client(&proxy.base_url)
        .delete_participant(TW_CONFERENCE, TW_CALL)
        .await
        .unwrap_or_else(|e| panic!("delete: {e}"));
    let exchange = proxy.single();
    assert_bodiless(&exchange, "DELETE", &twilio_path());
    exchange.assert_passes(204);
    assert_eq!(deleted.status(), 204);
}

async fn signalwire_list_fetch_and_delete_pass_the_contract() {
    let prism = prism(Spec::SignalWire);
    let list = format!("/Accounts/{SW_ACCOUNT}/Conferences/{SW_CONFERENCE}/Participants");

    let proxy = Proxy::start(&prism.base_url).await;
    let params = signalwire::ListAllParticipantsParams {
        page_size: Some(2),
        ..Default::default()
    };
    let page = signalwire_client(&proxy.base_url)
        .list_all_participants(SW_CONFERENCE, &params)
        .await
        .unwrap_or_else(|e| panic!("list: {e}"));
    let exchange = proxy.single();
    assert_bodiless(&exchange, "GET", &format!("{list}?PageSize=2"));
    exchange.assert_passes(200);
    assert!(
        page.items().iter().all(|p| is_uuid(&p.call_sid)),
        "{page:?}"
    );

    let proxy = Proxy::start(&prism.base_url).await;
    let participant = signalwire_client(&proxy.base_url)
        .retrieve_participant(SW_CONFERENCE, SW_CALL)
        .await
        .unwrap_or_else(|e| panic!("retrieve: {e}"));
    let exchange = proxy.single();
    assert_bodiless(&exchange, "GET", &signalwire_path());
    exchange.assert_passes(200);
    assert_signalwire_participant(&participant);

    let proxy = Proxy::start(&prism.base_url).await;
    signalwire_client(&proxy.base_url)
        .delete_participant(SW_CONFERENCE, SW_CALL)
        .await
        .unwrap_or_else(|e| panic!("delete: {e}"));
    let exchange = proxy.single();
    assert_bodiless(&exchange, "DELETE", &signalwire_path());
    exchange.assert_passes(204);
}

/// Every field both providers take, through the neutral client.
fn neutral_update(coached: &str) -> telephony::UpdateParticipantRequest {
    telephony::UpdateParticipantRequest {
        muted: Some(true),
        hold: Some(true),
        hold_url: Some(HOLD_URL.into()),
        hold_method: Some(telephony::HttpMethod::Get),
        announce_url: Some("https://example.com/announce.xml".into()),
        announce_method: Some(telephony::HttpMethod::Post),
        wait_url: Some("https://example.com/wait.mp3".into()),
        wait_method: Some(telephony::HttpMethod::Get),
        coaching: Some(true),
        call_sid_to_coach: Some(coached.into()),
        ..Default::default()
    }
}

/// Update (with Twilio's own `BeepOnExit`), list, fetch and delete through the neutral
/// client: each request passes Twilio's contract and each answer decodes.
async fn neutral_client_passes_the_twilio_contract() {
    let prism = prism(Spec::Twilio);
    let neutral = |proxy: &Proxy| telephony::Client::from(twilio_client(&proxy.base_url));
    let proxy = Proxy::start(&prism.base_url).await;
    let body = telephony::UpdateParticipantRequest {
        beep_on_exit: Some(true),
        ..neutral_update(TW_COACHED)
    };
    let participant = neutral(&proxy)
        .update_participant(TW_CONFERENCE, TW_CALL, &body)
        .await
        .unwrap_or_else(|e| panic!("update: {e}"));
    let exchange = proxy.single();
    exchange.assert_passes(200);
    let form = String::from_utf8_lossy(&exchange.request_body);
    assert!(form.contains("BeepOnExit=true"), "{}", exchange.describe());
    assert!(participant
        .call_sid
        .as_deref()
        .is_some_and(|sid| sid.starts_with("CA")));

    let proxy = Proxy::start(&prism.base_url).await;
    let params = telephony::ListParticipantParams {
        muted: Some(true),
        page_size: Some(2),
        ..Default::default()
    };
    let mut items = neutral(&proxy).list_participant(TW_CONFERENCE, &params);
    while let Some(item) = items.next().await {
        item.unwrap_or_else(|e| panic!("list: {e}"));
    }
    proxy.single().assert_passes(200);

    let proxy = Proxy::start(&prism.base_url).await;
    neutral(&proxy)
        .fetch_participant(TW_CONFERENCE, TW_CALL)
        .await
        .unwrap_or_else(|e| panic!("fetch: {e}"));
    proxy.single().assert_passes(200);

    let proxy = Proxy::start(&prism.base_url).await;
    neutral(&proxy)
        .delete_participant(TW_CONFERENCE, TW_CALL)
        .await
        .unwrap_or_else(|e| panic!("delete: {e}"));
    proxy.single().assert_passes(204);
}

/// The same through the neutral client on SignalWire (with its own `Beep`).
async fn neutral_client_passes_the_signalwire_contract() {
    let prism = prism(Spec::SignalWire);
    let neutral = |proxy: &Proxy| telephony::Client::from(signalwire_client(&proxy.base_url));
    let proxy = Proxy::start(&prism.base_url).await;
    let body = telephony::UpdateParticipantRequest {
        beep: Some(true),
        ..neutral_update(SW_COACHED)
    };
    let participant = neutral(&proxy)
        .update_participant(SW_CONFERENCE, SW_CALL, &body)
        .await
        .unwrap_or_else(|e| panic!("update: {e}"));
    let exchange = proxy.single();
    exchange.assert_passes(200);
    let form = String::from_utf8_lossy(&exchange.request_body);
    assert!(form.contains("&Beep=true"), "{}", exchange.describe());
    assert!(participant.call_sid.is_some());

    let proxy = Proxy::start(&prism.base_url).await;
    let params = telephony::ListParticipantParams {
        page_size: Some(2),
        ..Default::default()
    };
    // Prism's example page links to a next page at `string`: one item is enough here.
    let mut items = neutral(&proxy)
        .list_participant(SW_CONFERENCE, &params)
        .limit(1);
    while let Some(item) = items.next().await {
        item.unwrap_or_else(|e| panic!("list: {e}"));
    }
    proxy.single().assert_passes(200);

    let proxy = Proxy::start(&prism.base_url).await;
    neutral(&proxy)
        .fetch_participant(SW_CONFERENCE, SW_CALL)
        .await
        .unwrap_or_else(|e| panic!("fetch: {e}"));
    proxy.single().assert_passes(200);

    let proxy = Proxy::start(&prism.base_url).await;
    neutral(&proxy)
        .delete_participant(SW_CONFERENCE, SW_CALL)
        .await
        .unwrap_or_else(|e| panic!("delete: {e}"));
    proxy.single().assert_passes(204);
}
