//! (l) What the client holds while it reads a body, against the body limit
//! (`ClientConfig::max_response_bytes`, 16 MiB by default): a 1,000-item page, a page, a
//! page with a dense unknown field and an error body at the limit, a gzip bomb and an
//! oversize `Content-Length`, each case in a process of its own
//! (`tests/src/bin/body_peak.rs`, optimized), its peak RSS read by that process. A refused
//! body should cost about nothing; any response at most ~2× the limit (the dense unknown
//! field does not yet: BENCHMARKS.md (l)).

use crate::measure::run;
use std::path::Path;
use std::process::Command;

/// (l) Runs the cases and prints their peak RSS.
pub fn peaks(root: &Path) -> Result<(), String> {
    println!();
    println!("(l) peak RSS of the client reading bodies, against the 16 MiB default limit");
    let mut command = Command::new(crate::measure::cargo());
    command.current_dir(root).args([
        "run",
        "--quiet",
        "--release",
        "-p",
        "telephony-tests",
        "--bin",
        "body_peak",
    ]);
    let table = run(command, "cargo run --release --bin body_peak")?;
    for line in table.lines() {
        println!("    {line}");
    }
    Ok(())
}
