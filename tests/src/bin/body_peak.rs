//! Peak memory of the generated client reading large and hostile response bodies, for the
//! benchmark (`cargo run --release -p telephony-tests --bin body_peak`).
//!
//! The server runs in this process; each case runs the client in a child process of its own
//! (this binary again, with `--client CASE URL`), which reports its peak resident set size
//! (`VmHWM` of `/proc/self/status`, so Linux only). A case's peak is then the client's alone,
//! with nothing left over from an earlier case. Output, one line per case:
//!
//! ```text
//! case                 body sent                result                         peak RSS
//! baseline             -                        client built, nothing sent        4.1 MiB
//! page-1000            0.6 MiB                  Ok: 1000 items                    9.9 MiB
//! …
//! ```

use std::io::{BufRead as _, BufReader, Read as _, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, ExitCode};
use std::time::Duration;

use telephony_client::{twilio, ClientConfig, Credentials, Error};

const MIB: usize = 1 << 20;
const LIMIT: usize = ClientConfig::DEFAULT_MAX_RESPONSE_BYTES as usize;

/// Every case: its name, what the server sends, and what it means.
const CASES: [(&str, &str); 7] = [
    ("baseline", "client built, nothing sent"),
    (
        "page-1000",
        "a 1,000-item participant page (Twilio's largest page size)",
    ),
    (
        "page-at-limit",
        "a participant page just under the default limit",
    ),
    (
        "junk-at-limit",
        "a valid empty page with an unknown field of 0s just under the limit (a hostile tree)",
    ),
    (
        "error-at-limit",
        "a 500 whose text body is just under the limit",
    ),
    (
        "gzip-bomb",
        "1 GiB of gzip-decoded whitespace, ~1 MiB on the wire",
    ),
    (
        "plain-oversize",
        "a 512 MiB body declared by Content-Length",
    ),
];

const PARTICIPANT: &str = r#"{"account_sid": "AC0123456789abcdef0123456789abcdef", "call_sid": "CA0123456789abcdef0123456789abcdef", "label": "agent 7", "call_sid_to_coach": null, "coaching": false, "conference_sid": "CF0123456789abcdef0123456789abcdef", "date_created": "Fri, 18 Feb 2011 21:07:19 +0000", "date_updated": "Fri, 18 Feb 2011 21:07:19 +0000", "end_conference_on_exit": false, "muted": true, "hold": false, "start_conference_on_enter": true, "status": "connected", "queue_time": "0", "uri": "/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Conferences/CF0123456789abcdef0123456789abcdef/Participants/CA0123456789abcdef0123456789abcdef.json"}"#;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    match args.as_slice() {
        [_, flag, case, url] if flag == "--client" => client(case, url),
        [_] => server(),
        _ => {
            eprintln!("usage: body_peak");
            ExitCode::FAILURE
        }
    }
}

// ---------------------------------------------------------------------------------------
// The server side: this process.

fn server() -> ExitCode {
    let listener = match TcpListener::bind("127.0.0.1:0") {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("body_peak: cannot listen on loopback: {e}");
            return ExitCode::FAILURE;
        }
    };
    let url = match listener.local_addr() {
        Ok(addr) => format!("http://{addr}"),
        Err(e) => {
            eprintln!("body_peak: {e}");
            return ExitCode::FAILURE;
        }
    };
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || answer(stream));
        }
    });
    let Ok(me) = std::env::current_exe() else {
        eprintln!("body_peak: cannot find its own executable");
        return ExitCode::FAILURE;
    };
    println!(
        "{:<16} {:<13} {:<34} {:>10}",
        "case", "body sent", "result", "peak RSS"
    );
    let mut failed = false;
    for (case, _) in CASES {
        let output = Command::new(&me).args(["--client", case, &url]).output();
        match output {
            Ok(output) if output.status.success() => {
                print!("{}", String::from_utf8_lossy(&output.stdout));
            }
            Ok(output) => {
                failed = true;
                eprintln!(
                    "body_peak: case {case} failed ({}):\n{}",
                    output.status,
                    String::from_utf8_lossy(&output.stderr)
                );
            }
            Err(e) => {
                failed = true;
                eprintln!("body_peak: cannot run case {case}: {e}");
            }
        }
    }
    println!(
        "default limit: {} MiB (ClientConfig::DEFAULT_MAX_RESPONSE_BYTES)",
        LIMIT / MIB
    );
    for (case, what) in CASES {
        println!("  {case}: {what}");
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// Reads one request's head and answers according to its path's last segment (the case).
fn answer(mut stream: TcpStream) {
    let mut reader = BufReader::new(match stream.try_clone() {
        Ok(stream) => stream,
        Err(_) => return,
    });
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) if line == "\r\n" => break,
            Ok(_) => {}
        }
    }
    // The case is the conference the client names: `…/Conferences/{case}/Participants…`.
    let case = request_line
        .split(' ')
        .nth(1)
        .and_then(|target| target.split("/Conferences/").nth(1))
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_default()
        .to_string();
    // Errors writing are the client closing the connection: expected when it refuses.
    let _ = match case.as_str() {
        "page-1000" => send(&mut stream, 200, &page(1000)),
        "page-at-limit" => send(&mut stream, 200, &page(page_items_under(LIMIT))),
        "junk-at-limit" => send(&mut stream, 200, &telephony_tests::dense_page(LIMIT - 64)),
        "error-at-limit" => send(&mut stream, 500, &"x".repeat(LIMIT - 64)),
        "gzip-bomb" => gzip_bomb(&mut stream, 1024 * MIB),
        "plain-oversize" => declared_oversize(&mut stream, 512 * MIB),
        _ => send(&mut stream, 404, "{}"),
    };
    // Drain until the client closes, so that the close is its own.
    let _ = reader.read(&mut [0u8; 64]);
}

fn page(items: usize) -> String {
    page_around(&vec![PARTICIPANT; items].join(", "), items)
}

fn page_around(participants: &str, items: usize) -> String {
    format!(
        r#"{{"participants": [{participants}], "page": 0, "page_size": {items}, "start": 0, "end": {}, "next_page_uri": null}}"#,
        items.saturating_sub(1)
    )
}

/// `page(items).len()`, without building the page in the client's memory.
fn page_len(items: usize) -> usize {
    page_around("", items).len() + items * PARTICIPANT.len() + items.saturating_sub(1) * 2
}

/// The most participants a page can hold under `limit` bytes.
fn page_items_under(limit: usize) -> usize {
    (limit - 200) / (PARTICIPANT.len() + 2)
}

fn send(stream: &mut TcpStream, status: u16, body: &str) -> std::io::Result<()> {
    write!(
        stream,
        "HTTP/1.1 {status} Whatever\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )?;
    stream.write_all(body.as_bytes())?;
    stream.flush()
}

/// `total` bytes of gzip-compressed whitespace, compressed as it is sent, the body ending
/// with the connection (no length).
fn gzip_bomb(stream: &mut TcpStream, total: usize) -> std::io::Result<()> {
    write!(
        stream,
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nConnection: close\r\n\r\n"
    )?;
    let mut encoder = flate2::write::GzEncoder::new(stream, flate2::Compression::best());
    let spaces = vec![b' '; MIB];
    for _ in 0..total / MIB {
        encoder.write_all(&spaces)?;
    }
    encoder.finish()?.flush()
}

fn declared_oversize(stream: &mut TcpStream, total: usize) -> std::io::Result<()> {
    write!(
        stream,
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {total}\r\n\r\n"
    )?;
    let spaces = vec![b' '; MIB];
    for _ in 0..total / MIB {
        stream.write_all(&spaces)?;
    }
    stream.flush()
}

// ---------------------------------------------------------------------------------------
// The client side: a child process per case.

fn client(case: &str, url: &str) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("body_peak: no tokio runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let config = ClientConfig::new(
        url,
        Credentials::basic("AC0123456789abcdef0123456789abcdef", "body-peak-token"),
    )
    .timeout(Duration::from_secs(120))
    .no_retries();
    let client = match twilio::Client::with_config(config) {
        Ok(client) => client,
        Err(e) => {
            eprintln!("body_peak: {e}");
            return ExitCode::FAILURE;
        }
    };
    // The case is the conference named in the path; the server answers by it.
    let conference = case;
    let (sent, result) = runtime.block_on(async {
        match case {
            "baseline" => ("-".to_string(), "client built, nothing sent".to_string()),
            "error-at-limit" => (
                mib(LIMIT - 64),
                describe(client.fetch_participant(conference, "CA").await.map(|_| 0)),
            ),
            _ => {
                let sent = match case {
                    "page-1000" => mib(page_len(1000)),
                    "page-at-limit" => mib(page_len(page_items_under(LIMIT))),
                    "junk-at-limit" => mib(LIMIT - 64),
                    "gzip-bomb" => "1024 MiB gz".to_string(),
                    "plain-oversize" => mib(512 * MIB),
                    _ => "?".to_string(),
                };
                let listed = client
                    .list_participant(conference, &Default::default())
                    .await;
                (sent, describe(listed.map(|page| page.items().len())))
            }
        }
    });
    drop(client);
    drop(runtime);
    let peak = peak_rss().map_or("?".to_string(), |kib| {
        format!("{:.1} MiB", kib as f64 / 1024.0)
    });
    println!("{case:<16} {sent:<13} {result:<34} {peak:>10}");
    ExitCode::SUCCESS
}

fn describe(result: Result<usize, Error>) -> String {
    match result {
        Ok(items) => format!("Ok: {items} items"),
        Err(Error::ResponseTooLarge { limit, meta }) => {
            format!(
                "ResponseTooLarge (HTTP {}, {} MiB)",
                meta.status(),
                limit / MIB as u64
            )
        }
        Err(Error::UnexpectedStatus { status, body, .. }) => {
            format!("UnexpectedStatus {status}, {}", mib(body.len()))
        }
        Err(other) => format!(
            "error: {}",
            other.to_string().chars().take(60).collect::<String>()
        ),
    }
}

fn mib(bytes: usize) -> String {
    format!("{:.1} MiB", bytes as f64 / MIB as f64)
}

/// The peak resident set size of this process in KiB (`VmHWM`).
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}
