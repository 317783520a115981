//! (a)–(c): the generator library in this process, through its public entry points: how fast
//! generation is against merely loading the spec, where the time goes stage by stage, how much
//! memory each takes (in a fresh process), and how long the `codegen --check` gate takes.
//! Timings need an optimized build: a debug `cargo xtask bench` runs the release xtask for them.

use crate::measure::{median, ms, peak_rss_kb, verdict};
use std::path::Path;
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};
use telephony_codegen::error::Reporter;
use telephony_codegen::{CrateRequest, ModuleRequest, Selection};

fn full_request(spec: &Path) -> CrateRequest {
    CrateRequest::new(
        "twilio-full",
        "0.1.0",
        vec![ModuleRequest::all(
            "api",
            spec.to_path_buf(),
            "shared/specs/twilio_api_v2010.yaml",
        )],
    )
}

fn load(bytes: &[u8]) -> Result<serde_json::Value, String> {
    telephony_codegen::load::parse_text(&Reporter::new("twilio_api_v2010.yaml"), bytes)
        .map_err(|e| e.to_string())
}

/// (a) Full generation against load, interleaved so that both see the same noise, and each
/// stage on its own.
pub fn generation(spec: &Path, n: usize) -> Result<(), String> {
    let bytes = std::fs::read(spec).map_err(|e| format!("{}: {e}", spec.display()))?;
    let request = full_request(spec);
    let files = telephony_codegen::generate(&request).map_err(|e| e.to_string())?;
    let operations = telephony_codegen::operation_ids(spec, "twilio").map_err(|e| e.to_string())?;
    let lines: usize = files.iter().map(|f| f.contents.lines().count()).sum();
    load(&bytes)?;
    let (mut loads, mut generations) = (Vec::new(), Vec::new());
    for _ in 0..n {
        let t = Instant::now();
        std::hint::black_box(load(&bytes)?);
        loads.push(t.elapsed());
        let t = Instant::now();
        std::hint::black_box(telephony_codegen::generate(&request).map_err(|e| e.to_string())?);
        generations.push(t.elapsed());
    }
    let load_time = median(&mut loads);
    let generate_time = median(&mut generations);
    let ratio = generate_time.as_secs_f64() / load_time.as_secs_f64();
    println!();
    println!(
        "(a) full Twilio spec: {} operations, {} files, {lines} lines, median of {n}",
        operations.len(),
        files.len()
    );
    println!("    load (parse YAML)            {:>10}", ms(load_time));
    println!("    generate (all stages)        {:>10}", ms(generate_time));
    println!(
        "    generate / load              {ratio:>9.2}x   (target <= 1.5x: {})",
        verdict(ratio <= 1.5)
    );
    stages(&bytes, n)
}

/// Where generation spends its time: each stage of the pipeline on its own (each stage
/// module's entry point; emit and format together, as [`telephony_codegen::crate_files`] runs
/// them), median of `n`.
fn stages(bytes: &[u8], n: usize) -> Result<(), String> {
    use telephony_codegen::{document, lower, normalize};
    let reporter = Reporter::new("twilio_api_v2010.yaml");
    let names = [
        "load (YAML -> JSON tree)",
        "normalize",
        "document (openapiv3)",
        "lower (IR)",
        "crate_files (emit + format)",
    ];
    let mut samples: Vec<Vec<Duration>> = vec![Vec::new(); names.len()];
    for _ in 0..n {
        let t = Instant::now();
        let mut value = load(bytes)?;
        samples[0].push(t.elapsed());
        let t = Instant::now();
        normalize::normalize(&mut value);
        samples[1].push(t.elapsed());
        let t = Instant::now();
        let doc = document::parse_document(&reporter, value).map_err(|e| e.to_string())?;
        samples[2].push(t.elapsed());
        let t = Instant::now();
        let api = lower::lower(
            &reporter,
            &doc,
            &Selection::All,
            vec![telephony_codegen::load::input_file(
                "shared/specs/twilio_api_v2010.yaml",
                bytes,
            )],
            None,
        )
        .map_err(|e| e.to_string())?;
        samples[3].push(t.elapsed());
        let spec = telephony_codegen::CrateSpec {
            name: "twilio-full".into(),
            version: "0.1.0".into(),
            modules: vec![telephony_codegen::ModuleSpec {
                name: "api".into(),
                api,
            }],
            runtime: Default::default(),
            families: Vec::new(),
        };
        let t = Instant::now();
        std::hint::black_box(telephony_codegen::crate_files(&spec).map_err(|e| e.to_string())?);
        samples[4].push(t.elapsed());
    }
    println!("    per stage (median of {n}):");
    for (name, mut s) in names.iter().zip(samples) {
        println!("      {name:<30} {:>10}", ms(median(&mut s)));
    }
    Ok(())
}

/// (b) Peak memory of baseline, load and generate, each in a fresh process.
pub fn memory(spec: &Path) -> Result<(), String> {
    println!();
    println!("(b) peak memory (VmHWM of a fresh process doing only this)");
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut peaks = Vec::new();
    for task in ["baseline", "load", "generate"] {
        let output = Command::new(&exe)
            .args(["bench-child", task])
            .arg(spec)
            .output()
            .map_err(|e| e.to_string())?;
        let text = String::from_utf8_lossy(&output.stdout);
        let kb: Option<u64> = text
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM_kB="))
            .and_then(|v| v.trim().parse().ok());
        match kb {
            Some(kb) if output.status.success() => {
                println!("    {task:<28} {:>7.1} MiB", kb as f64 / 1024.0);
                peaks.push(kb);
            }
            _ => println!(
                "    {task:<28} unavailable ({})",
                String::from_utf8_lossy(&output.stderr).trim()
            ),
        }
    }
    if let [_, load_kb, generate_kb] = peaks[..] {
        println!(
            "    generate / load              {:>9.2}x",
            generate_kb as f64 / load_kb as f64
        );
    }
    Ok(())
}

/// (c) The `cargo xtask codegen --check` gate, in process.
pub fn check_gate(root: &Path, n: usize) -> Result<(), String> {
    let check = || -> Result<usize, String> {
        let config = telephony_codegen::config::Config::load(&root.join("specs/codegen.toml"))
            .map_err(|e| e.to_string())?;
        let request = telephony_codegen::request_from_config(&config, root);
        telephony_codegen::run(
            &request,
            &config.krate.output,
            telephony_codegen::Mode::Check,
        )
        .map(|report| report.changes.len())
        .map_err(|e| e.to_string())
    };
    let stale = check()?;
    let mut checks = Vec::new();
    for _ in 0..n.max(20) {
        let t = Instant::now();
        std::hint::black_box(check()?);
        checks.push(t.elapsed());
    }
    println!();
    println!(
        "(c) `cargo xtask codegen --check` equivalent (specs/codegen.toml, in process, median of {}): {}{}",
        checks.len(),
        ms(median(&mut checks)),
        if stale == 0 { "" } else { "  (generated/ is stale!)" }
    );
    Ok(())
}

/// Runs one task in this (fresh) process and prints its peak resident memory.
pub fn child(task: &str, spec: &Path) -> ExitCode {
    let result = match task {
        "baseline" => Ok(()),
        "load" => std::fs::read(spec)
            .map_err(|e| e.to_string())
            .and_then(|bytes| load(&bytes).map(|v| drop(std::hint::black_box(v)))),
        "generate" => telephony_codegen::generate(&full_request(spec))
            .map(|files| drop(std::hint::black_box(files)))
            .map_err(|e| e.to_string()),
        other => Err(format!("unknown task {other}")),
    };
    if let Err(e) = result {
        eprintln!("error: {e}");
        return ExitCode::FAILURE;
    }
    match peak_rss_kb() {
        Some(kb) => {
            println!("VmHWM_kB={kb}");
            ExitCode::SUCCESS
        }
        None => {
            eprintln!("no /proc/self/status on this system");
            ExitCode::FAILURE
        }
    }
}
