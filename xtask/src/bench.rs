//! `cargo xtask bench`: runs the parts of the bench the options select, in one process, and
//! prints their figures (recorded in BENCHMARKS.md, never asserted). Each part is one function
//! in the module named after what it measures:
//!
//! | part | letters | module |
//! |---|---|---|
//! | `in-process` | (a)–(c) | [`crate::in_process`]: generation speed, memory, the check gate |
//! | `client` | (d) | `client_bench`: a generated call against hand-written reqwest |
//! | `generation` | (e) | [`crate::build_cost`]: generators as processes, against baselines |
//! | `builds` | (f), (g) | [`crate::build_cost`]: debug builds of generated crates |
//! | `split` | (h) | [`crate::build_cost`]: issue 23's build targets alone (subset of (f)) |
//! | `rebuild` | (i) | [`crate::rebuild`]: the rebuild after a one-line spec change |
//! | `features` | (j) | [`crate::feature_cost`]: the build cost of each Cargo feature |
//! | `docs` | (k) | [`crate::doc_pages`]: the largest `cargo doc` page |
//!
//! To add a part: a [`Part`] variant, its `--only` name, and one arm in `run` calling the
//! part's function in a module of its own.
//!
//! The in-process parts need an optimized build, so a debug `cargo xtask bench` that runs them
//! builds the release xtask with the `bench` feature and runs that; the others time child
//! processes only.

use crate::generators::Toolbox;
use crate::measure::{built_executable, cargo, print_machine};

use std::path::Path;
use std::process::{Command, ExitCode};

/// Set in the re-executed release process, so that it never re-executes again.
const RELEASE_MARK: &str = "TELEPHONY_XTASK_BENCH_RELEASE";

const USAGE: &str = "usage: cargo xtask bench [--iterations N] [--requests N] [--builds N] [--only PART[,PART]]... [--only-builds]
       parts: in-process, client, generation, builds, split, rebuild, features, docs
       (default: all but split, which (f) includes);
       --only-builds is --only generation,builds";

pub fn main(root: &Path, args: &[&str]) -> ExitCode {
    if args.contains(&"--help") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let options = match Options::parse(args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let optimized = !cfg!(debug_assertions) && cfg!(feature = "bench");
    if !optimized && options.parts.iter().any(|p| p.needs_release()) {
        return reexec_release(root, args);
    }
    match run(root, &options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// One measurement of the bench, selectable with `--only`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    InProcess,
    Client,
    Generation,
    Builds,
    Split,
    Rebuild,
    Features,
    Docs,
    Bodies,
}

impl Part {
    /// Every part, in the order a run takes them.
    const ALL: [Part; 9] = [
        Part::InProcess,
        Part::Client,
        Part::Generation,
        Part::Builds,
        Part::Split,
        Part::Rebuild,
        Part::Features,
        Part::Docs,
        Part::Bodies,
    ];

    fn name(self) -> &'static str {
        match self {
            Part::InProcess => "in-process",
            Part::Client => "client",
            Part::Generation => "generation",
            Part::Builds => "builds",
            Part::Split => "split",
            Part::Rebuild => "rebuild",
            Part::Features => "features",
            Part::Docs => "docs",
            Part::Bodies => "bodies",
        }
    }

    /// Parts that time work in this process, which needs the optimized xtask.
    fn needs_release(self) -> bool {
        matches!(self, Part::InProcess | Part::Client)
    }
}

#[derive(Debug, Clone)]
pub struct Options {
    /// In-process repetitions of each generator measurement.
    pub iterations: usize,
    /// Measured requests per client.
    pub requests: usize,
    /// Repetitions of each measured build (generation runs a fixed number of times).
    pub builds: usize,
    /// The parts to run, in [`Part::ALL`]'s order.
    pub parts: Vec<Part>,
}

impl Options {
    fn parse(args: &[&str]) -> Result<Options, String> {
        let mut options = Options {
            iterations: 15,
            requests: 2000,
            builds: 3,
            parts: Vec::new(),
        };
        let mut only = Vec::new();
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
                "--only-builds" => only.extend([Part::Generation, Part::Builds]),
                "--only" => {
                    let names = rest.next().ok_or("--only needs a part")?;
                    for name in names.split(',') {
                        let part = Part::ALL
                            .into_iter()
                            .find(|p| p.name() == name)
                            .ok_or_else(|| format!("unknown part `{name}`"))?;
                        only.push(part);
                    }
                }
                other => return Err(format!("unknown option `{other}`")),
            }
        }
        options.parts = Part::ALL
            .into_iter()
            .filter(|p| only.contains(p) || only.is_empty() && *p != Part::Split)
            .collect();
        Ok(options)
    }
}

/// Builds the release xtask with the `bench` feature and runs it with the same arguments.
fn reexec_release(root: &Path, args: &[&str]) -> ExitCode {
    if std::env::var_os(RELEASE_MARK).is_some() {
        eprintln!("error: the release xtask was built without optimizations or the bench feature");
        return ExitCode::FAILURE;
    }
    eprintln!("building the release xtask (cargo build --release -p xtask --features bench)…");
    let output = Command::new(cargo())
        .args([
            "build",
            "--release",
            "--package",
            "xtask",
            "--features",
            "bench",
            "--message-format=json-render-diagnostics",
        ])
        .current_dir(root)
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
    let executable = built_executable(&String::from_utf8_lossy(&output.stdout), "xtask");
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

fn run(root: &Path, options: &Options) -> Result<(), String> {
    print_machine();
    let twilio = crate::scratch::twilio_spec(root)?;
    crate::scratch::create_dir(&crate::scratch::dir())?;
    let mut tools = Toolbox::new(root);
    for part in &options.parts {
        match part {
            Part::InProcess => {
                crate::in_process::generation(&twilio, options.iterations)?;
                crate::in_process::memory(&twilio)?;
                crate::in_process::check_gate(root, options.iterations)?;
            }
            Part::Client => client(options)?,
            Part::Generation => crate::build_cost::generation(&mut tools, &twilio)?,
            Part::Builds => crate::build_cost::builds(&mut tools, &twilio, options.builds)?,
            Part::Split => crate::build_cost::split(&mut tools, &twilio, options.builds)?,
            Part::Rebuild => crate::rebuild::spec_bump(&mut tools, options.builds)?,
            Part::Features => crate::feature_cost::features(&mut tools, options.builds)?,
            Part::Docs => crate::doc_pages::largest_page(&mut tools, &twilio)?,
            Part::Bodies => crate::bodies::peaks(root)?,
        }
    }
    Ok(())
}

/// (d) Generated client against hand-written reqwest.
#[cfg(feature = "bench")]
fn client(options: &Options) -> Result<(), String> {
    println!();
    crate::client_bench::run(options.requests)
}

#[cfg(not(feature = "bench"))]
fn client(_: &Options) -> Result<(), String> {
    Err("built without the bench feature".into())
}
