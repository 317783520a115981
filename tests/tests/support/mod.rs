//! Shared by `wire.rs`, `responses.rs` and `secrets.rs`: an in-process loopback HTTP/1.1
//! server that records every request exactly as it arrived and answers with a scripted
//! [`Behaviour`], plus fixtures and clients pointed at it.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use telephony_client::{signalwire, twilio, ClientConfig, Credentials};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// One request as it arrived on the socket.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: String,
    /// The request-target exactly as sent (origin form: path and query, undecoded).
    pub target: String,
    pub version: String,
    /// Header names and values in the order sent.
    pub headers: Vec<(String, String)>,
    /// Exactly `Content-Length` bytes.
    pub body: Vec<u8>,
}

impl Recorded {
    /// Every value of the header `name` (case-insensitive).
    pub fn header_values(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The single value of the header `name`; panics when it is absent or repeated.
    pub fn header(&self, name: &str) -> &str {
        match self.header_values(name).as_slice() {
            [one] => one,
            other => panic!("expected exactly one `{name}` header, got {other:?}"),
        }
    }

    pub fn body_text(&self) -> &str {
        std::str::from_utf8(&self.body).expect("request body is UTF-8")
    }
}

/// How the server answers each request.
#[derive(Clone, Debug)]
pub enum Behaviour {
    /// A complete response; `Content-Length` is added.
    Reply {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// Reads the request and never answers, keeping the connection open.
    Hang,
    /// Sends the head with `Content-Length: declared_len`, then only `sent`, then closes.
    CloseMidBody {
        status: u16,
        declared_len: usize,
        sent: Vec<u8>,
    },
    /// Reads the request and closes the connection without a byte of response.
    CloseWithoutReply,
    /// Sends the head and `first`, then waits up to [`STREAM_PATIENCE`] for the client to
    /// close the connection; if it does not, sends `rest`. How it ended is pushed to `ended`.
    /// `Content-Length` is `first` and `rest` together, unless `chunked` (each part one chunk).
    Stream {
        status: u16,
        headers: Vec<(String, String)>,
        chunked: bool,
        first: Vec<u8>,
        rest: Vec<u8>,
        ended: Arc<Mutex<Vec<StreamEnd>>>,
    },
}

/// How a [`Behaviour::Stream`] response ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StreamEnd {
    /// The client closed the connection before the body was sent in full.
    ClosedEarly,
    /// The client kept the connection open, so the whole body was sent.
    SentEverything,
}

/// How long a [`Behaviour::Stream`] waits for the client to close before sending the rest.
pub const STREAM_PATIENCE: Duration = Duration::from_secs(2);

impl Behaviour {
    pub fn reply(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Behaviour::Reply {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.into(),
        }
    }

    pub fn json(status: u16, body: &str) -> Self {
        Self::reply(status, "application/json", body)
    }

    /// Adds a response header (for [`Behaviour::Reply`] only).
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        match &mut self {
            Behaviour::Reply { headers, .. } => headers.push((name.into(), value.into())),
            other => panic!("with_header on {other:?}"),
        }
        self
    }
}

/// A loopback server on `127.0.0.1:0`; stops accepting when dropped.
pub struct Server {
    addr: SocketAddr,
    requests: Arc<Mutex<Vec<Recorded>>>,
    connections: Arc<AtomicUsize>,
    accept: JoinHandle<()>,
}

impl Server {
    /// A server that answers every request with `behaviour`.
    pub async fn start(behaviour: Behaviour) -> Server {
        Self::script(vec![behaviour]).await
    }

    /// A server that answers the n-th request with `script[n]`, and every request after the
    /// script's end with its last entry.
    pub async fn script(script: Vec<Behaviour>) -> Server {
        assert!(!script.is_empty(), "a script needs at least one behaviour");
        let script = Arc::new(script);
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("local addr");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(AtomicUsize::new(0));
        let accept = tokio::spawn({
            let requests = Arc::clone(&requests);
            let connections = Arc::clone(&connections);
            async move {
                while let Ok((stream, _)) = listener.accept().await {
                    connections.fetch_add(1, Ordering::SeqCst);
                    tokio::spawn(serve(stream, Arc::clone(&script), Arc::clone(&requests)));
                }
            }
        });
        Server {
            addr,
            requests,
            connections,
            accept,
        }
    }

    /// `http://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }

    /// The one request received; panics unless exactly one arrived.
    pub fn only_request(&self) -> Recorded {
        let mut all = self.requests();
        assert_eq!(all.len(), 1, "expected exactly one request, got {all:#?}");
        all.remove(0)
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

/// A base URL on which nothing listens: connecting is refused.
pub fn refused_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let addr = listener.local_addr().expect("local addr");
    drop(listener);
    format!("http://{addr}")
}

async fn serve(
    mut stream: TcpStream,
    script: Arc<Vec<Behaviour>>,
    requests: Arc<Mutex<Vec<Recorded>>>,
) {
    let _ = stream.set_nodelay(true);
    let mut buf = Vec::new();
    while let Some(request) = read_request(&mut stream, &mut buf).await {
        let behaviour = {
            let mut requests = requests.lock().unwrap();
            requests.push(request);
            script[(requests.len() - 1).min(script.len() - 1)].clone()
        };
        match &behaviour {
            Behaviour::Reply {
                status,
                headers,
                body,
            } => {
                let mut head = format!("HTTP/1.1 {status} {}\r\n", reason(*status));
                for (name, value) in headers {
                    head.push_str(&format!("{name}: {value}\r\n"));
                }
                head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
                // One write: a head and body in two small segments would meet delayed ACKs.
                let mut response = head.into_bytes();
                response.extend_from_slice(body);
                if stream.write_all(&response).await.is_err() {
                    return;
                }
            }
            Behaviour::Hang => std::future::pending::<()>().await,
            Behaviour::CloseMidBody {
                status,
                declared_len,
                sent,
            } => {
                assert!(sent.len() < *declared_len);
                let head = format!(
                    "HTTP/1.1 {status} {}\r\nContent-Type: application/json\r\nContent-Length: {declared_len}\r\n\r\n",
                    reason(*status)
                );
                let _ = stream.write_all(head.as_bytes()).await;
                let _ = stream.write_all(sent).await;
                let _ = stream.flush().await;
                // Give the client a moment to read what was sent before the close.
                tokio::time::sleep(Duration::from_millis(20)).await;
                let _ = stream.shutdown().await;
                return;
            }
            Behaviour::CloseWithoutReply => {
                let _ = stream.shutdown().await;
                return;
            }
            Behaviour::Stream {
                status,
                headers,
                chunked,
                first,
                rest,
                ended,
            } => {
                let end = stream_body(&mut stream, *status, headers, *chunked, first, rest).await;
                ended.lock().unwrap().push(end);
                if end == StreamEnd::ClosedEarly {
                    return;
                }
            }
        }
    }
}

async fn stream_body(
    stream: &mut TcpStream,
    status: u16,
    headers: &[(String, String)],
    chunked: bool,
    first: &[u8],
    rest: &[u8],
) -> StreamEnd {
    let mut head = format!("HTTP/1.1 {status} {}\r\n", reason(status));
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if chunked {
        head.push_str("Transfer-Encoding: chunked\r\n\r\n");
    } else {
        head.push_str(&format!(
            "Content-Length: {}\r\n\r\n",
            first.len() + rest.len()
        ));
    }
    let chunk = |part: &[u8]| -> Vec<u8> {
        if !chunked {
            return part.to_vec();
        }
        let mut framed = format!("{:x}\r\n", part.len()).into_bytes();
        framed.extend_from_slice(part);
        framed.extend_from_slice(b"\r\n");
        framed
    };
    let mut response = head.into_bytes();
    response.extend(chunk(first));
    if stream.write_all(&response).await.is_err() {
        return StreamEnd::ClosedEarly;
    }
    // The client sends nothing more on this connection until the body ends, so a read that
    // returns is its close (end of stream or a reset).
    let mut probe = [0u8; 1];
    let probed = tokio::time::timeout(STREAM_PATIENCE, stream.read(&mut probe)).await;
    if let Ok(Ok(0) | Err(_)) = probed {
        return StreamEnd::ClosedEarly;
    }
    let mut tail = chunk(rest);
    if chunked {
        tail.extend_from_slice(b"0\r\n\r\n");
    }
    match stream.write_all(&tail).await {
        Ok(()) => StreamEnd::SentEverything,
        Err(_) => StreamEnd::ClosedEarly,
    }
}

/// Reads one request (head and `Content-Length` body) from `stream`, keeping any bytes of
/// the next request in `buf`. `None` at end of stream or on a malformed head.
async fn read_request(stream: &mut TcpStream, buf: &mut Vec<u8>) -> Option<Recorded> {
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        read_more(stream, buf).await?;
    };
    let head = String::from_utf8_lossy(&buf[..head_end - 4]).into_owned();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next()?.splitn(3, ' ');
    let method = request_line.next()?.to_string();
    let target = request_line.next()?.to_string();
    let version = request_line.next()?.to_string();
    let headers: Vec<(String, String)> = lines
        .map(|line| {
            let (name, value) = line.split_once(':').unwrap_or((line, ""));
            (name.to_string(), value.trim().to_string())
        })
        .collect();
    let content_length = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .map_or(0, |(_, v)| v.parse::<usize>().unwrap_or(0));
    while buf.len() < head_end + content_length {
        read_more(stream, buf).await?;
    }
    let body = buf[head_end..head_end + content_length].to_vec();
    buf.drain(..head_end + content_length);
    Some(Recorded {
        method,
        target,
        version,
        headers,
        body,
    })
}

async fn read_more(stream: &mut TcpStream, buf: &mut Vec<u8>) -> Option<()> {
    let mut chunk = [0u8; 4096];
    match stream.read(&mut chunk).await {
        Ok(0) | Err(_) => None,
        Ok(n) => {
            buf.extend_from_slice(&chunk[..n]);
            Some(())
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Whatever",
    }
}

// ---------------------------------------------------------------------------------------
// Fixtures and clients.

pub const ACCOUNT: &str = "AC0123456789abcdef0123456789abcdef";
pub const CONFERENCE: &str = "CF0123456789abcdef0123456789abcdef";
pub const CALL: &str = "CA0123456789abcdef0123456789abcdef";
pub const COACHED: &str = "CAfedcba9876543210fedcba9876543210";
pub const SW_PROJECT: &str = "b3877c40-da60-4998-90ad-b792e98472af";
pub const SW_CONFERENCE: &str = "b3877c40-da60-4998-90ad-b792e98472cf";
pub const SW_CALL: &str = "b3877c40-da60-4998-90ad-b792e98472ca";
pub const SW_COACHED: &str = "b3877c40-da60-4998-90ad-b792e98472c0";

/// Path of the SignalWire Compatibility API under the server root.
pub const SW_BASE_PATH: &str = "/api/laml/2010-04-01";

/// Generous, only so that a broken test cannot hang; no test relies on it.
pub const SAFETY_TIMEOUT: Duration = Duration::from_secs(5);

/// A configuration for `root` with Basic credentials and the safety timeout.
pub fn config(root: &str, user: &str, token: &str) -> ClientConfig {
    ClientConfig::new(root, Credentials::basic(user, token)).timeout(SAFETY_TIMEOUT)
}

pub fn twilio_client(root: &str, user: &str, token: &str) -> twilio::Client {
    twilio_client_with_timeout(root, user, token, SAFETY_TIMEOUT)
}

pub fn twilio_client_with_timeout(
    root: &str,
    user: &str,
    token: &str,
    timeout: Duration,
) -> twilio::Client {
    twilio::Client::with_config(
        ClientConfig::new(root, Credentials::basic(user, token)).timeout(timeout),
    )
    .expect("twilio client builds")
}

/// A SignalWire client for `{root}/api/laml/2010-04-01`.
pub fn signalwire_client(root: &str, user: &str, token: &str) -> signalwire::Client {
    signalwire_client_with_timeout(root, user, token, SAFETY_TIMEOUT)
}

pub fn signalwire_client_with_timeout(
    root: &str,
    user: &str,
    token: &str,
    timeout: Duration,
) -> signalwire::Client {
    signalwire::Client::with_config(
        ClientConfig::new(
            format!("{root}{SW_BASE_PATH}"),
            Credentials::basic(user, token),
        )
        .timeout(timeout),
    )
    .expect("signalwire client builds")
}

/// A complete Twilio participant, as the API answers an update.
pub const TWILIO_PARTICIPANT: &str = r#"{
  "account_sid": "AC0123456789abcdef0123456789abcdef",
  "call_sid": "CA0123456789abcdef0123456789abcdef",
  "label": "agent 7",
  "call_sid_to_coach": null,
  "coaching": false,
  "conference_sid": "CF0123456789abcdef0123456789abcdef",
  "date_created": "Fri, 18 Feb 2011 21:07:19 +0000",
  "date_updated": "Fri, 18 Feb 2011 21:07:19 +0000",
  "end_conference_on_exit": false,
  "muted": true,
  "hold": false,
  "start_conference_on_enter": true,
  "status": "connected",
  "queue_time": "0",
  "uri": "/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Conferences/CF0123456789abcdef0123456789abcdef/Participants/CA0123456789abcdef0123456789abcdef.json"
}"#;

/// A complete SignalWire participant (every required field present).
pub const SIGNALWIRE_PARTICIPANT: &str = r#"{
  "account_sid": "b3877c40-da60-4998-90ad-b792e98472af",
  "call_sid": "b3877c40-da60-4998-90ad-b792e98472ca",
  "call_sid_to_coach": null,
  "coaching": false,
  "conference_sid": "b3877c40-da60-4998-90ad-b792e98472cf",
  "date_created": "Mon, 24 Sep 2018 21:00:00 +0000",
  "date_updated": "Tue, 25 Sep 2018 20:00:00 +0000",
  "end_conference_on_exit": false,
  "muted": true,
  "hold": false,
  "start_conference_on_enter": true,
  "status": "in-progress",
  "uri": "/api/laml/2010-04-01/Accounts/b3877c40-da60-4998-90ad-b792e98472af/Conferences/b3877c40-da60-4998-90ad-b792e98472cf/Participants/b3877c40-da60-4998-90ad-b792e98472ca"
}"#;

/// Decodes `%XX` escapes (and nothing else: a `+` stays a `+`, as in a URL path).
/// Panics on a malformed escape.
pub fn percent_decode(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).expect("escape is ASCII");
            out.push(u8::from_str_radix(hex, 16).expect("escape is hex"));
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}
