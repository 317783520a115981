//! A typed mock of an API for tests (the `mock` feature), served by `wiremock` on a loopback
//! port. Each generated module wraps [`MockServer`] in its own `mock::MockServer`, whose
//! methods name the module's operations; this is what they share: matching a request to an
//! operation and its path parameters, decoding its body into the request type, answering,
//! counting and explaining what did not match.
//!
//! One `wiremock` mock answers every request and hands it to the expectations here, so that
//! expectations are declared without `.await` and matched in the order they were declared.

use std::any::TypeId;
use std::fmt;
use std::marker::PhantomData;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use crate::{ClientConfig, Credentials, Listing};

/// The account (Basic username) of a mock's client, and so the account path parameter its
/// calls send.
pub const MOCK_ACCOUNT: &str = "AC00000000000000000000000000000000";

/// The query parameter a mock's next-page links carry: the page to answer with.
const PAGE_PARAM: &str = "MockPage";

/// A request body the mock decodes into its request type, as the API would read it: form
/// fields with the runtime's one form decoder, JSON with the type's own decoder.
pub trait MockBody: Sized + 'static {
    /// The typed request, or why the body is not one (naming the field).
    fn from_body(body: &[u8]) -> Result<Self, String>;
}

/// An operation as the mock sees it: its id, HTTP method and path template.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub struct MockOperation {
    pub id: &'static str,
    pub method: &'static str,
    pub path: &'static str,
    /// The path parameter that is the client's account: any value matches it.
    pub account: Option<&'static str>,
}

/// Where a list operation's page keeps its items and its next-page link (wire names).
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub enum PageShape {
    /// `{"<items>": […], "<next>": "/path?…"}`: a path on the API's host.
    Uri { items: &'static str, next: &'static str },
    /// `{"<items>": […], "<meta>": {"<next>": "http://…"}}`: an absolute URL.
    Meta {
        items: &'static str,
        meta: &'static str,
        next: &'static str,
    },
}

/// `json` (a spec's example) decoded into the type users read: what a generated
/// `mock::examples` function returns.
pub fn example<T: crate::json::FromJson>(json: &str) -> T {
    match crate::json::from_slice::<T>(json.as_bytes()) {
        Ok(value) => value,
        // The generator's tests decode every example, so this is a spec edited by hand.
        Err(e) => panic!("mock: the spec's example does not decode: {e}"),
    }
}

/// A request that reached the mock.
#[derive(Debug, Clone)]
pub struct Arrival {
    /// `GET`, `POST`, …
    pub method: String,
    /// The path as sent (percent-encoded).
    pub path: String,
    /// The query string, if any.
    pub query: Option<String>,
    /// The body as sent.
    pub body: Vec<u8>,
    /// The expectation that answered it (its index in declaration order), if one did.
    matched: Option<usize>,
}

impl fmt::Display for Arrival {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method, self.path)?;
        if let Some(query) = &self.query {
            write!(f, "?{query}")?;
        }
        if !self.body.is_empty() {
            write!(f, " body `{}`", String::from_utf8_lossy(&self.body))?;
        }
        Ok(())
    }
}

/// What an expectation answers with.
#[derive(Clone)]
enum Reply {
    /// A status, headers and a JSON body (`None`: no body).
    Body {
        status: u16,
        headers: Vec<(&'static str, String)>,
        body: Option<Vec<u8>>,
    },
    /// A chain of pages, each one's items as JSON.
    Pages(Vec<Vec<serde_json::Value>>),
}

type BodyCheck = Box<dyn Fn(&[u8]) -> Result<bool, String> + Send>;

struct Rule {
    operation: MockOperation,
    /// Path parameters by wire name; the account parameter is not here.
    params: Vec<(&'static str, String)>,
    body_type: Option<TypeId>,
    checks: Vec<BodyCheck>,
    reply: Reply,
    page_shape: Option<PageShape>,
    /// The spec's example of the success body: the default answer, and each page's base.
    example: Option<&'static str>,
    delay: Option<Duration>,
    /// Answers at most this many requests, then lets later expectations answer.
    times: Option<usize>,
    expected: Option<usize>,
    hits: usize,
}

impl Rule {
    fn label(&self) -> String {
        let params: Vec<String> = self.params.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let checks = match self.checks.len() {
            0 => String::new(),
            1 => " with a body check".to_string(),
            n => format!(" with {n} body checks"),
        };
        format!("{}({}){checks}", self.operation.id, params.join(", "))
    }

    fn exhausted(&self) -> bool {
        self.times.is_some_and(|times| self.hits >= times)
    }

    /// Why `arrival` does not match, or `None` when it does. The score says how close it came.
    fn mismatch(&self, arrival: &Arrival) -> Option<(u8, String)> {
        if !arrival.method.eq_ignore_ascii_case(self.operation.method) {
            let same_path = match_path(self.operation.path, &arrival.path).is_some();
            let why = format!("method is {}, expected {}", arrival.method, self.operation.method);
            return Some((u8::from(same_path), why));
        }
        let Some(values) = match_path(self.operation.path, &arrival.path) else {
            return Some((1, format!("path is not `{}`", self.operation.path)));
        };
        let mut wrong = Vec::new();
        for (name, expected) in &self.params {
            let got = values.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
            if got != Some(expected.as_str()) {
                wrong.push(format!("{name} is `{}`, expected `{expected}`", got.unwrap_or("")));
            }
        }
        if !wrong.is_empty() {
            return Some((2, wrong.join(", ")));
        }
        for check in &self.checks {
            match check(&arrival.body) {
                Ok(true) => {}
                Ok(false) => return Some((3, "the body check returned false".to_string())),
                Err(e) => return Some((3, format!("the body does not decode: {e}"))),
            }
        }
        if self.exhausted() {
            return Some((3, format!("already answered its {} time(s)", self.hits)));
        }
        None
    }
}

#[derive(Default)]
struct State {
    rules: Vec<Rule>,
    arrivals: Vec<Arrival>,
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    // A panic in a body check poisons nothing worth refusing: the state stays consistent.
    state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A mock API server on a loopback port: declared expectations answer the requests that
/// match them; [`MockServer::verify`] (also run on drop) fails the test on unmatched
/// requests and unmet call counts.
pub struct MockServer {
    server: wiremock::MockServer,
    state: Arc<Mutex<State>>,
}

impl fmt::Debug for MockServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockServer").field("uri", &self.server.uri()).finish_non_exhaustive()
    }
}

impl MockServer {
    /// Starts a server on a free loopback port.
    pub async fn start() -> Self {
        let server = wiremock::MockServer::start().await;
        let state = Arc::new(Mutex::new(State::default()));
        wiremock::Mock::given(wiremock::matchers::any())
            .respond_with(Dispatch {
                state: Arc::clone(&state),
                uri: server.uri(),
            })
            .mount(&server)
            .await;
        MockServer { server, state }
    }

    /// The server's base URL, `http://127.0.0.1:<port>`.
    pub fn uri(&self) -> String {
        self.server.uri()
    }

    /// A client configuration for this server: its URL, [`MOCK_ACCOUNT`] with a made-up
    /// token, and the default retry policy (so retries reach the mock).
    pub fn config(&self) -> ClientConfig {
        ClientConfig::new(self.uri(), Credentials::basic(MOCK_ACCOUNT, "mock-auth-token"))
    }

    /// Every request that arrived, in order.
    pub fn arrivals(&self) -> Vec<Arrival> {
        lock(&self.state).arrivals.clone()
    }

    /// The bodies of the requests answered by an operation whose request type is `B`,
    /// decoded, in arrival order.
    pub fn received<B: MockBody>(&self) -> Vec<B> {
        let state = lock(&self.state);
        state
            .arrivals
            .iter()
            .filter(|a| {
                a.matched
                    .is_some_and(|i| state.rules[i].body_type == Some(TypeId::of::<B>()))
            })
            .filter_map(|a| B::from_body(&a.body).ok())
            .collect()
    }

    /// Declares an expectation; the generated per-operation methods call this.
    #[doc(hidden)]
    pub fn expect<B: 'static, T, E>(
        &self,
        operation: MockOperation,
        params: Vec<(&'static str, String)>,
        page_shape: Option<PageShape>,
        example: Option<&'static str>,
        body_type: bool,
    ) -> Expectation<B, T, E> {
        let mut state = lock(&self.state);
        let reply = match page_shape {
            // One page of the example's items, linking nowhere: the example's own link
            // would lead back here forever.
            Some(shape) => Reply::Pages(vec![example_items(example, shape)]),
            None => Reply::Body {
                status: 200,
                headers: Vec::new(),
                body: Some(example.unwrap_or("{}").as_bytes().to_vec()),
            },
        };
        state.rules.push(Rule {
            operation,
            params,
            body_type: body_type.then(TypeId::of::<B>),
            checks: Vec::new(),
            reply,
            page_shape,
            example,
            delay: None,
            times: None,
            expected: None,
            hits: 0,
        });
        Expectation {
            state: Arc::clone(&self.state),
            index: state.rules.len() - 1,
            types: PhantomData,
        }
    }

    /// Whether every request matched an expectation and every call count was met; the error
    /// says what arrived and which expectations came closest.
    pub fn check(&self) -> Result<(), MockError> {
        let state = lock(&self.state);
        let mut problems = Vec::new();
        for arrival in state.arrivals.iter().filter(|a| a.matched.is_none()) {
            let mut closest: Vec<(u8, String)> = state
                .rules
                .iter()
                .filter_map(|rule| {
                    let (score, why) = rule.mismatch(arrival)?;
                    Some((score, format!("{}: {why}", rule.label())))
                })
                .collect();
            closest.sort_by_key(|(score, _)| std::cmp::Reverse(*score));
            let mut text = format!("unmatched request {arrival}");
            if closest.is_empty() {
                text.push_str("\n    no expectations were declared");
            } else {
                text.push_str("\n    closest expectations:");
                for (_, why) in closest.iter().take(3) {
                    text.push_str(&format!("\n      {why}"));
                }
            }
            problems.push(text);
        }
        for rule in &state.rules {
            if let Some(expected) = rule.expected {
                if rule.hits != expected {
                    problems.push(format!(
                        "{} expected {expected} call(s), received {}",
                        rule.label(),
                        rule.hits
                    ));
                }
            }
        }
        match problems.is_empty() {
            true => Ok(()),
            false => Err(MockError { problems }),
        }
    }

    /// Panics, with what went wrong, on an unmatched request or an unmet call count.
    pub fn verify(&self) {
        if let Err(e) = self.check() {
            panic!("{e}");
        }
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        // A test that is already failing says why itself; a second panic would abort.
        if !std::thread::panicking() {
            self.verify();
        }
    }
}

/// What a mock found wrong: unmatched requests and unmet call counts, one line each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MockError {
    problems: Vec<String>,
}

impl MockError {
    /// Each problem, as text.
    pub fn problems(&self) -> &[String] {
        &self.problems
    }
}

impl fmt::Display for MockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "mock server: {} problem(s)", self.problems.len())?;
        for problem in &self.problems {
            write!(f, "\n  {problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for MockError {}

/// One declared expectation of an operation: `B` is its request body type (`()` without
/// one), `T` what it answers with, `E` its error body. Methods change it in place, so the
/// chain needs no `.await` and the value may be dropped.
#[must_use = "an expectation answers with the spec's example (or an empty object) until told otherwise"]
pub struct Expectation<B, T, E> {
    state: Arc<Mutex<State>>,
    index: usize,
    types: PhantomData<fn(B) -> (T, E)>,
}

impl<B, T, E> fmt::Debug for Expectation<B, T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Expectation").field(&self.rule(|r| r.label())).finish()
    }
}

impl<B, T, E> Expectation<B, T, E> {
    fn rule<R>(&self, f: impl FnOnce(&mut Rule) -> R) -> R {
        f(&mut lock(&self.state).rules[self.index])
    }

    fn reply(self, status: u16, headers: Vec<(&'static str, String)>, body: Option<Vec<u8>>) -> Self {
        self.rule(|r| r.reply = Reply::Body { status, headers, body });
        self
    }

    /// Requires exactly `calls` matching requests, checked by [`MockServer::verify`] and on
    /// drop.
    pub fn expect(self, calls: usize) -> Self {
        self.rule(|r| r.expected = Some(calls));
        self
    }

    /// Answers at most `calls` requests; later ones go to the expectations declared after it
    /// (a `429` once, then a success).
    pub fn times(self, calls: usize) -> Self {
        self.rule(|r| r.times = Some(calls));
        self
    }

    /// Answers after `delay` (for timeouts).
    pub fn delay(self, delay: Duration) -> Self {
        self.rule(|r| r.delay = Some(delay));
        self
    }

    /// Answers with `429 Too Many Requests` and `Retry-After` (whole seconds, rounded up).
    pub fn rate_limited(self, retry_after: Duration) -> Self {
        let seconds = retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0);
        let body = serde_json::json!({"code": 20429, "message": "Too Many Requests", "status": 429});
        self.reply(429, vec![("retry-after", seconds.to_string())], Some(body.to_string().into_bytes()))
    }

    /// How many requests it has answered so far.
    pub fn hits(&self) -> usize {
        self.rule(|r| r.hits)
    }
}

impl<B, T: serde::Serialize, E> Expectation<B, T, E> {
    /// Answers `200` with `value` as the API would send it.
    pub fn responds(self, value: T) -> Self {
        self.responds_with_status(200, value)
    }

    /// Answers `status` with `value`; a value that serializes to nothing (`()`) is sent as
    /// no body.
    pub fn responds_with_status(self, status: u16, value: T) -> Self {
        let body = match serde_json::to_value(&value) {
            Ok(serde_json::Value::Null) => None,
            Ok(json) => Some(json.to_string().into_bytes()),
            Err(e) => panic!("mock: the response does not serialize: {e}"),
        };
        self.reply(status, Vec::new(), body)
    }
}

impl<B, T, E: serde::Serialize> Expectation<B, T, E> {
    /// Answers `status` (an error status) with the API's error body.
    pub fn fails(self, status: u16, error: E) -> Self {
        let body = match serde_json::to_vec(&error) {
            Ok(body) => body,
            Err(e) => panic!("mock: the error body does not serialize: {e}"),
        };
        self.reply(status, Vec::new(), Some(body))
    }
}

impl<B: MockBody, T, E> Expectation<B, T, E> {
    /// Matches only requests whose decoded body passes `check` (`|body| body.muted ==
    /// Some(true)`); a body that does not decode does not match.
    pub fn with_body(self, check: impl Fn(&B) -> bool + Send + 'static) -> Self {
        self.rule(|r| {
            r.checks
                .push(Box::new(move |bytes: &[u8]| B::from_body(bytes).map(|body| check(&body))))
        });
        self
    }

    /// The decoded bodies of the requests this expectation answered, in order.
    pub fn received(&self) -> Vec<B> {
        let state = lock(&self.state);
        state
            .arrivals
            .iter()
            .filter(|a| a.matched == Some(self.index))
            .filter_map(|a| B::from_body(&a.body).ok())
            .collect()
    }
}

impl<B, T, E> Expectation<B, T, E>
where
    T: Listing,
    T::Item: serde::Serialize,
{
    /// Answers with a chain of pages built from `pages`' items: each page links to the next
    /// (the client follows the link), the last to none. Page `n` answers requests whose
    /// link says so, the first every other request of the operation.
    pub fn pages(self, pages: Vec<Vec<T::Item>>) -> Self {
        let pages = pages
            .iter()
            .map(|items| {
                items
                    .iter()
                    .map(|item| match serde_json::to_value(item) {
                        Ok(json) => json,
                        Err(e) => panic!("mock: an item does not serialize: {e}"),
                    })
                    .collect()
            })
            .collect();
        self.rule(|r| r.reply = Reply::Pages(pages));
        self
    }
}

/// The one `wiremock` responder: finds the first expectation that matches, in declaration
/// order, and answers as it says.
struct Dispatch {
    state: Arc<Mutex<State>>,
    uri: String,
}

impl wiremock::Respond for Dispatch {
    fn respond(&self, request: &wiremock::Request) -> wiremock::ResponseTemplate {
        let arrival = Arrival {
            method: request.method.as_str().to_string(),
            path: request.url.path().to_string(),
            query: request.url.query().map(str::to_string),
            body: request.body.clone(),
            matched: None,
        };
        let mut state = lock(&self.state);
        let found = state.rules.iter().position(|rule| rule.mismatch(&arrival).is_none());
        let Some(index) = found else {
            let text = format!("mock: no expectation matches {arrival}");
            state.arrivals.push(arrival);
            return wiremock::ResponseTemplate::new(404).set_body_raw(text.into_bytes(), "text/plain");
        };
        let rule = &mut state.rules[index];
        rule.hits += 1;
        let mut response = match &rule.reply {
            Reply::Body { status, headers, body } => {
                let mut response = wiremock::ResponseTemplate::new(*status);
                for (name, value) in headers {
                    response = response.insert_header(*name, value.as_str());
                }
                match body {
                    Some(body) => response.set_body_raw(body.clone(), "application/json"),
                    None => response,
                }
            }
            Reply::Pages(pages) => {
                let page = page_of(&arrival);
                let base = rule.example.and_then(|text| serde_json::from_str(text).ok());
                let body = page_body(rule.page_shape, base, pages, page, &arrival, &self.uri);
                wiremock::ResponseTemplate::new(200)
                    .set_body_raw(body.to_string().into_bytes(), "application/json")
            }
        };
        if let Some(delay) = rule.delay {
            response = response.set_delay(delay);
        }
        state.arrivals.push(Arrival {
            matched: Some(index),
            ..arrival
        });
        response
    }
}

/// The items of an example page.
fn example_items(example: Option<&str>, shape: PageShape) -> Vec<serde_json::Value> {
    let key = match shape {
        PageShape::Uri { items, .. } | PageShape::Meta { items, .. } => items,
    };
    let page: Option<serde_json::Value> = example.and_then(|text| serde_json::from_str(text).ok());
    match page.as_ref().and_then(|page| page.get(key)) {
        Some(serde_json::Value::Array(items)) => items.clone(),
        _ => Vec::new(),
    }
}

/// The page a request asks for: its link's `MockPage`, else the first.
fn page_of(arrival: &Arrival) -> usize {
    let query = arrival.query.as_deref().unwrap_or("");
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == PAGE_PARAM)
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0)
}

fn page_body(
    shape: Option<PageShape>,
    base: Option<serde_json::Value>,
    pages: &[Vec<serde_json::Value>],
    page: usize,
    arrival: &Arrival,
    uri: &str,
) -> serde_json::Value {
    let items = serde_json::Value::Array(pages.get(page).cloned().unwrap_or_default());
    let next = (page + 1 < pages.len()).then(|| {
        // The request's own query, so filters carry over as the API's links do.
        let mut query = form_urlencoded::Serializer::new(String::new());
        let kept = arrival.query.as_deref().unwrap_or("");
        for (k, v) in form_urlencoded::parse(kept.as_bytes()).filter(|(k, _)| k != PAGE_PARAM) {
            query.append_pair(&k, &v);
        }
        query.append_pair(PAGE_PARAM, &(page + 1).to_string());
        format!("{}?{}", arrival.path, query.finish())
    });
    // The example page keeps the fields a page must have; items and link are the mock's.
    let mut body = match base {
        Some(serde_json::Value::Object(fields)) => fields,
        _ => serde_json::Map::new(),
    };
    match shape {
        Some(PageShape::Uri { items: key, next: next_key }) => {
            body.insert(key.to_string(), items);
            body.insert(next_key.to_string(), next.map_or(serde_json::Value::Null, Into::into));
        }
        Some(PageShape::Meta { items: key, meta, next: next_key }) => {
            body.insert(key.to_string(), items);
            let url = next.map_or(serde_json::Value::Null, |path| format!("{uri}{path}").into());
            let meta = body
                .entry(meta.to_string())
                .or_insert_with(|| serde_json::Value::Object(serde_json::Map::new()));
            match meta {
                serde_json::Value::Object(meta) => {
                    meta.insert(next_key.to_string(), url);
                }
                other => *other = serde_json::json!({ next_key: url }),
            }
        }
        None => {}
    }
    serde_json::Value::Object(body)
}

/// The path parameters of `path` if it fits `template` (`/a/{Sid}.json`), percent-decoded.
fn match_path(template: &str, path: &str) -> Option<Vec<(String, String)>> {
    let mut values = Vec::new();
    match_from(template, path, &mut values).then_some(values)
}

fn match_from(template: &str, path: &str, values: &mut Vec<(String, String)>) -> bool {
    let Some(open) = template.find('{') else {
        return template == path;
    };
    let Some(rest) = path.strip_prefix(&template[..open]) else {
        return false;
    };
    let Some(close) = template[open..].find('}').map(|i| open + i) else {
        return false;
    };
    let name = &template[open + 1..close];
    let after = &template[close + 1..];
    // A parameter is one non-empty segment; try its longest value first.
    let segment_end = rest.find('/').unwrap_or(rest.len());
    for end in (1..=segment_end).rev() {
        let mut inner = Vec::new();
        if match_from(after, &rest[end..], &mut inner) {
            let value = percent_encoding::percent_decode_str(&rest[..end])
                .decode_utf8_lossy()
                .into_owned();
            values.push((name.to_string(), value));
            values.extend(inner);
            return true;
        }
    }
    false
}

