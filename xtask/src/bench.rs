//! `cargo xtask bench`: how fast the generator is against merely loading the spec, how much
//! memory each takes, how long the `codegen --check` gate takes, how much a generated
//! client call costs over a hand-written reqwest call, and (in [`crate::build_cost`]) what
//! generating and compiling a client costs against the baseline generator and progenitor.
//! Figures are printed, never asserted: they are recorded in BENCHMARKS.md.
//!
//! Timings need an optimized build, so a debug `cargo xtask bench` builds the release xtask
//! with the `bench` feature and runs that.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};
use telephony_codegen::error::Reporter;
use telephony_codegen::{CrateRequest, ModuleRequest, Selection};

/// Set in the re-executed release process, so that it never re-executes again.
const RELEASE_MARK: &str = "TELEPHONY_XTASK_BENCH_RELEASE";

pub fn main(args: &[&str]) -> ExitCode {
    let options = match Options::parse(args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}\nusage: cargo xtask bench [--iterations N] [--requests N] [--builds N] [--only-builds]");
            return ExitCode::from(2);
        }
    };
    // The build-cost part times child processes only (the generators run as release
    // binaries), so it needs no optimized xtask.
    let only_builds = options.only_builds;
    if !only_builds && (cfg!(debug_assertions) || !cfg!(feature = "bench")) {
        return reexec_release(args);
    }
    match run(&options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// In-process repetitions of each generator measurement.
    pub iterations: usize,
    /// Measured requests per client.
    pub requests: usize,
    /// Repetitions of each build in the build-cost part (generation runs a fixed number of times).
    pub builds: usize,
    /// Run only the build-cost part (generation and compilation of whole crates).
    pub only_builds: bool,
}

impl Options {
    fn parse(args: &[&str]) -> Result<Options, String> {
        let mut options = Options {
            iterations: 15,
            requests: 2000,
            builds: 3,
            only_builds: false,
        };
        let mut rest = args.iter();
        while let Some(flag) = rest.next() {
            let value = |v: Option<&&str>| -> Result<usize, String> {
                v.and_then(|v| v.parse().ok())
                    .filter(|n| *n > 0)
                    .ok_or_else(|| format!("{flag} needs a positive number"))
            };
            match *flag {
                "--iterations" => options.iterations = value(rest.next())?,
                "--requests" => options.requests = value(rest.next())?,
                "--builds" => options.builds = value(rest.next())?,
                "--only-builds" => options.only_builds = true,
                other => return Err(format!("unknown option `{other}`")),
            }
        }
        Ok(options)
    }
}

/// Builds the release xtask with the `bench` feature and runs it with the same arguments.
fn reexec_release(args: &[&str]) -> ExitCode {
    if std::env::var_os(RELEASE_MARK).is_some() {
        eprintln!("error: the release xtask was built without optimizations or the bench feature");
        return ExitCode::FAILURE;
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    eprintln!("building the release xtask (cargo build --release -p xtask --features bench)…");
    let output = Command::new(&cargo)
        .args([
            "build",
            "--release",
            "--package",
            "xtask",
            "--features",
            "bench",
            "--message-format=json-render-diagnostics",
        ])
        .current_dir(crate::workspace_root())
        .stderr(std::process::Stdio::inherit())
        .output();
    let output = match output {
        Ok(o) if o.status.success() => o,
        Ok(_) => return ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: cannot run cargo: {e}");
            return ExitCode::FAILURE;
        }
    };
    let executable = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter(|l| l.contains("\"compiler-artifact\"") && l.contains("\"name\":\"xtask\""))
        .find_map(|l| {
            let start = l.find("\"executable\":\"")? + "\"executable\":\"".len();
            let end = l[start..].find('"')? + start;
            Some(PathBuf::from(&l[start..end]))
        });
    let Some(executable) = executable else {
        eprintln!("error: cargo did not report the xtask executable");
        return ExitCode::FAILURE;
    };
    let status = Command::new(executable)
        .arg("bench")
        .args(args)
        .env(RELEASE_MARK, "1")
        .status();
    match status {
        Ok(s) if s.success() => ExitCode::SUCCESS,
        Ok(_) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: cannot run the release xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The complete upstream Twilio spec, beside the checkout.
fn twilio_spec() -> Result<PathBuf, String> {
    let path = crate::workspace_root().join("../shared/specs/twilio_api_v2010.yaml");
    if path.exists() {
        Ok(path)
    } else {
        Err(format!("{} not found", path.display()))
    }
}

fn full_request(spec: &Path) -> CrateRequest {
    CrateRequest {
        name: "twilio-full".into(),
        version: "0.1.0".into(),
        modules: vec![ModuleRequest {
            module: "api".into(),
            spec: spec.to_path_buf(),
            source: "shared/specs/twilio_api_v2010.yaml".into(),
            selection: Selection::All,
            account_parameter: None,
            schema_namespace: None,
        }],
        strict: false,
        runtime: Default::default(),
        families: Vec::new(),
    }
}

fn load(bytes: &[u8]) -> Result<serde_json::Value, String> {
    telephony_codegen::load::parse_text(&Reporter::new("twilio_api_v2010.yaml"), bytes)
        .map_err(|e| e.to_string())
}

/// Medians of timed runs.
pub fn median(samples: &mut [Duration]) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

pub fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

fn run(options: &Options) -> Result<(), String> {
    print_machine();
    let spec = twilio_spec()?;
    let builds = crate::build_cost::Options {
        reps: options.builds,
    };
    if options.only_builds {
        return crate::build_cost::run_all(&crate::workspace_root(), &spec, &builds);
    }
    let bytes = std::fs::read(&spec).map_err(|e| format!("{}: {e}", spec.display()))?;
    let request = full_request(&spec);
    let n = options.iterations;

    // (a) Full generation against load, interleaved so that both see the same noise.
    let files = telephony_codegen::generate(&request).map_err(|e| e.to_string())?;
    let operations =
        telephony_codegen::operation_ids(&spec, "twilio").map_err(|e| e.to_string())?;
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
    stages(&bytes, n)?;

    // (b) Peak memory, each in a fresh process.
    println!();
    println!("(b) peak memory (VmHWM of a fresh process doing only this)");
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut peaks = Vec::new();
    for task in ["baseline", "load", "generate"] {
        let output = Command::new(&exe)
            .args(["bench-child", task])
            .arg(&spec)
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

    // (c) The `cargo xtask codegen --check` gate, in process.
    let root = crate::workspace_root();
    let check = || -> Result<usize, String> {
        let config = telephony_codegen::config::Config::load(&root.join("specs/codegen.toml"))
            .map_err(|e| e.to_string())?;
        let request = telephony_codegen::request_from_config(&config, &root);
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

    // (d) Generated client against hand-written reqwest.
    println!();
    client(options)?;

    // (e)–(g) Generation and build cost of whole crates.
    crate::build_cost::run_all(&crate::workspace_root(), &spec, &builds)
}

#[cfg(feature = "bench")]
fn client(options: &Options) -> Result<(), String> {
    crate::client_bench::run(options.requests)
}

#[cfg(not(feature = "bench"))]
fn client(_: &Options) -> Result<(), String> {
    Err("built without the bench feature".into())
}

pub fn verdict(met: bool) -> &'static str {
    if met {
        "met"
    } else {
        "NOT met"
    }
}

/// Where generation spends its time: each stage of the pipeline on its own, median of `n`.
fn stages(bytes: &[u8], n: usize) -> Result<(), String> {
    use telephony_codegen::{document, emit, lower, normalize};
    let reporter = Reporter::new("twilio_api_v2010.yaml");
    let names = [
        "load (YAML -> JSON tree)",
        "normalize",
        "document (openapiv3)",
        "lower (IR)",
        "emit_crate (tokens + format)",
        "  module tokens (quote)",
        "  syn::parse2 of module",
        "  prettyplease::unparse",
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
                api: api.clone(),
            }],
            runtime: Default::default(),
            families: Vec::new(),
        };
        let t = Instant::now();
        std::hint::black_box(telephony_codegen::crate_files(&spec).map_err(|e| e.to_string())?);
        samples[4].push(t.elapsed());
        let t = Instant::now();
        let features = emit::features::module_features(&api, "api");
        let tokens = emit::module_tokens(&api, &features);
        samples[5].push(t.elapsed());
        let t = Instant::now();
        let file: syn::File = syn::parse2(tokens).map_err(|e| e.to_string())?;
        samples[6].push(t.elapsed());
        let t = Instant::now();
        std::hint::black_box(prettyplease::unparse(&file));
        samples[7].push(t.elapsed());
    }
    println!("    per stage (median of {n}, the last three single-threaded, for scale):");
    for (name, mut s) in names.iter().zip(samples) {
        println!("      {name:<30} {:>10}", ms(median(&mut s)));
    }
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

fn peak_rss_kb() -> Option<u64> {
    std::fs::read_to_string("/proc/self/status")
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

fn print_machine() {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|v| v.trim_start_matches([' ', '\t', ':']).to_string())
        })
        .unwrap_or_else(|| "unknown".into());
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .map(|kb| format!("{:.1} GiB", kb as f64 / 1024.0 / 1024.0))
        .unwrap_or_else(|| "unknown".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!(
        "machine: {cores} cores, CPU {cpu}, memory {memory}, load average {} at start",
        load_average()
    );
}

/// The machine's load average over the last minute, as the kernel prints it.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|t| t.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "unknown".into())
}
