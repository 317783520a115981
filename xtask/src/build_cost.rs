//! What a generated client costs to generate and to compile, against a baseline built in the
//! same run: the generator at [`BASE_COMMIT`] and `cargo progenitor`.
//!
//! Everything happens under one scratch directory outside the repository
//! (`$TMPDIR/telephony-codegen-bench`), kept between runs so that dependencies stay warm:
//! `base/` holds the baseline generator's source (`git archive`) and its release build,
//! `crates/` the generated crates, `target/` the target directory they share. Each measured
//! build starts with `cargo clean -p <crate>`, so only the generated crate itself compiles.
//! Every measured process reports its wall time, the CPU time (user + sys) and the largest
//! resident set of its whole process tree (for a build: rustc on the generated crate); see
//! [`timed`].

use crate::bench::{median, ms};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The generator the build-cost targets are measured against ("today's output" in issue 12).
pub const BASE_COMMIT: &str = "3abb0b3";

/// One measured process: wall and CPU time, peak resident memory of its largest process.
#[derive(Debug, Clone, Copy)]
pub struct Cost {
    pub wall: Duration,
    pub cpu: Duration,
    pub peak_kb: u64,
}

/// Runs of each generator in (e). A run takes ~0.1 s against progenitor's ~1 s, so on a shared
/// 2-core machine a few runs give a median that moves with whatever else runs; 15 give a
/// stable one.
const GENERATION_RUNS: usize = 15;

/// Medians of several [`Cost`]s, each field on its own.
fn median_cost(samples: &[Cost]) -> Cost {
    let mut wall: Vec<_> = samples.iter().map(|c| c.wall).collect();
    let mut cpu: Vec<_> = samples.iter().map(|c| c.cpu).collect();
    let mut peak: Vec<_> = samples.iter().map(|c| c.peak_kb).collect();
    peak.sort_unstable();
    Cost {
        wall: median(&mut wall),
        cpu: median(&mut cpu),
        peak_kb: peak[peak.len() / 2],
    }
}

/// The least of several [`Cost`]s, each field on its own.
fn best_cost(samples: &[Cost]) -> Cost {
    Cost {
        wall: samples.iter().map(|c| c.wall).min().unwrap_or_default(),
        cpu: samples.iter().map(|c| c.cpu).min().unwrap_or_default(),
        peak_kb: samples.iter().map(|c| c.peak_kb).min().unwrap_or_default(),
    }
}

fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

fn mib(kb: u64) -> String {
    format!("{:.0} MiB", kb as f64 / 1024.0)
}

/// Runs `command` to completion and measures it: the wall time from start to exit, and, from
/// the kernel (`wait4`), the CPU time (user + sys) and the peak resident set of the process and
/// of every descendant it waited for (for cargo: rustc), all to the microsecond. Fails with its
/// stderr when it fails.
fn timed(mut command: Command, what: &str) -> Result<Cost, String> {
    let stderr = scratch().join(format!("stderr-{}", std::process::id()));
    let file = std::fs::File::create(&stderr).map_err(|e| format!("{}: {e}", stderr.display()))?;
    command.stdout(Stdio::null()).stderr(file);
    let started = Instant::now();
    let child = command
        .spawn()
        .map_err(|e| format!("{what}: cannot run: {e}"))?;
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: an all-zero `rusage` is a valid value of this plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: `status` and `usage` are valid for writes; `pid` is our unreaped child.
        let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if reaped == pid {
            break;
        }
        let e = std::io::Error::last_os_error();
        if e.kind() != std::io::ErrorKind::Interrupted {
            return Err(format!("{what}: wait4: {e}"));
        }
    }
    let wall = started.elapsed();
    if !(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0) {
        return Err(format!(
            "{what} failed:\n{}",
            std::fs::read_to_string(&stderr).unwrap_or_default()
        ));
    }
    let time = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec.max(0) as u64) + Duration::from_micros(t.tv_usec.max(0) as u64)
    };
    Ok(Cost {
        wall,
        cpu: time(usage.ru_utime) + time(usage.ru_stime),
        peak_kb: usage.ru_maxrss.max(0) as u64,
    })
}

/// Runs `command`, failing with its output when it fails.
fn run(mut command: Command, what: &str) -> Result<String, String> {
    let output = command
        .output()
        .map_err(|e| format!("{what}: cannot run: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "{what} failed:\n{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

/// The scratch directory, outside the repository.
fn scratch() -> PathBuf {
    std::env::temp_dir().join("telephony-codegen-bench")
}

/// A generator: how to run it on a spec into a new crate directory.
enum Generator {
    /// `telephony-codegen SPEC --all --out DIR --crate-name NAME --module api`.
    Ours(PathBuf),
    /// `cargo-progenitor progenitor -i SPEC -o DIR -n NAME -v 0.1.0` (the binary itself, so
    /// that cargo's own start-up is not counted against it).
    Progenitor(PathBuf),
}

impl Generator {
    fn command(&self, spec: &Path, out: &Path, name: &str) -> Command {
        match self {
            Generator::Ours(binary) => {
                let mut c = Command::new(binary);
                c.arg(spec).arg("--all").arg("--out").arg(out).args([
                    "--crate-name",
                    name,
                    "--module",
                    "api",
                ]);
                c
            }
            Generator::Progenitor(binary) => {
                let mut c = Command::new(binary);
                c.arg("progenitor")
                    .arg("-i")
                    .arg(spec)
                    .arg("-o")
                    .arg(out)
                    .args(["-n", name, "-v", "0.1.0", "--include-client", "true"]);
                c
            }
        }
    }

    /// Generates a fresh crate (the directory is removed first), timed.
    fn generate(&self, spec: &Path, out: &Path, name: &str) -> Result<Cost, String> {
        if out.exists() {
            std::fs::remove_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
        }
        timed(self.command(spec, out, name), &format!("generating {name}"))
    }
}

/// This checkout's generator command line, built in release.
fn our_generator(root: &Path) -> Result<PathBuf, String> {
    eprintln!("building the generator in release (cargo build --release -p telephony-codegen)…");
    let mut build = Command::new(cargo());
    build
        .args([
            "build",
            "--release",
            "--quiet",
            "-p",
            "telephony-codegen",
            "--bin",
            "telephony-codegen",
            "--message-format=json",
        ])
        .current_dir(root);
    let messages = run(build, "building the generator")?;
    messages
        .lines()
        .filter(|l| l.contains("\"compiler-artifact\"") && l.contains("\"executable\":\""))
        .find_map(|l| {
            let start = l.find("\"executable\":\"")? + "\"executable\":\"".len();
            let end = l[start..].find('"')? + start;
            Some(PathBuf::from(&l[start..end]))
        })
        .ok_or_else(|| "cargo did not report the telephony-codegen executable".to_string())
}

/// The baseline generator: [`BASE_COMMIT`]'s source, built in release once per scratch dir.
/// Its target directory starts as hard links to this checkout's release dependencies (same
/// `Cargo.lock`), so only the baseline's own crate compiles.
fn base_generator(root: &Path) -> Result<PathBuf, String> {
    let dir = scratch().join("base");
    let source = dir.join("src");
    let binary = dir.join("target/release/telephony-codegen");
    if binary.exists() {
        return Ok(binary);
    }
    if !source.join("Cargo.toml").exists() {
        std::fs::create_dir_all(&source).map_err(|e| e.to_string())?;
        let archive = dir.join("source.tar");
        let mut git = Command::new("git");
        git.args(["archive", "--format=tar", "-o"])
            .arg(&archive)
            .arg(BASE_COMMIT)
            .current_dir(root);
        run(git, "git archive")?;
        let mut tar = Command::new("tar");
        tar.arg("-xf").arg(&archive).arg("-C").arg(&source);
        run(tar, "tar")?;
    }
    let release = dir.join("target/release");
    if !release.exists() && root.join("target/release/deps").exists() {
        std::fs::create_dir_all(dir.join("target")).map_err(|e| e.to_string())?;
        let mut link = Command::new("cp");
        link.arg("-al")
            .arg(root.join("target/release"))
            .arg(&release);
        // Only a head start: without it the build simply compiles everything.
        let _ = run(link, "seeding the baseline's target directory");
        // Never share the generator's own files: the build must not write through a link.
        for sub in ["", "deps", ".fingerprint", "build", "incremental"] {
            let Ok(entries) = std::fs::read_dir(release.join(sub)) else {
                continue;
            };
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().replace('_', "-");
                if name.starts_with("telephony-codegen") || name.starts_with("libtelephony-codegen")
                {
                    let path = entry.path();
                    let _ = if path.is_dir() {
                        std::fs::remove_dir_all(&path)
                    } else {
                        std::fs::remove_file(&path)
                    };
                }
            }
        }
    }
    eprintln!("building the baseline generator ({BASE_COMMIT}) in release…");
    let mut build = Command::new(cargo());
    build
        .args([
            "build",
            "--release",
            "--quiet",
            "-p",
            "telephony-codegen",
            "--bin",
            "telephony-codegen",
        ])
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .current_dir(&source);
    run(build, "building the baseline generator")?;
    Ok(binary)
}

/// `cargo-progenitor`, next to `cargo` on the PATH.
fn progenitor() -> Result<PathBuf, String> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|d| d.join("cargo-progenitor"))
        .find(|p| p.exists())
        .ok_or_else(|| "cargo-progenitor not found (cargo install cargo-progenitor)".to_string())
}

/// A copy of `spec` in the scratch directory without the three object-level `format`s that
/// progenitor 0.15.1 (typify) panics on (`uri-map`, `phone-number-capabilities`,
/// `ice-server`); every generator reads this copy, so all see the same input.
fn progenitor_readable(spec: &Path) -> Result<PathBuf, String> {
    let text = std::fs::read_to_string(spec).map_err(|e| format!("{}: {e}", spec.display()))?;
    let kept: Vec<&str> = text
        .lines()
        .filter(|l| {
            !matches!(
                l.trim(),
                "format: uri-map" | "format: phone-number-capabilities" | "format: ice-server"
            )
        })
        .collect();
    let out = scratch().join("twilio_api_v2010.yaml");
    std::fs::write(&out, kept.join("\n")).map_err(|e| format!("{}: {e}", out.display()))?;
    Ok(out)
}

/// One generated crate under measurement.
struct Subject {
    label: &'static str,
    name: &'static str,
    dir: PathBuf,
}

impl Subject {
    fn cargo(&self, args: &[&str]) -> Command {
        let mut c = Command::new(cargo());
        c.args(args)
            .current_dir(&self.dir)
            .env("CARGO_TARGET_DIR", scratch().join("target"))
            .env_remove("RUSTFLAGS")
            .env_remove("CARGO_BUILD_RUSTFLAGS");
        c
    }

    /// `cargo clean -p` then `cargo <verb>` (build or check), timed.
    fn measure(&self, verb: &str) -> Result<Cost, String> {
        run(
            self.cargo(&["clean", "--quiet", "-p", self.name]),
            &format!("cargo clean -p {}", self.name),
        )?;
        timed(
            self.cargo(&[verb, "--quiet", "--lib"]),
            &format!("cargo {verb} of {}", self.label),
        )
    }

    fn lines(&self) -> usize {
        rust_lines(&self.dir.join("src"))
    }
}

fn rust_lines(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| e.path())
        .map(|p| {
            if p.is_dir() {
                rust_lines(&p)
            } else if p.extension().is_some_and(|x| x == "rs") {
                std::fs::read_to_string(&p).map_or(0, |t| t.lines().count())
            } else {
                0
            }
        })
        .sum()
}

/// Copies the checked-in `generated/` crate (only its sources and manifest).
fn copy_generated(root: &Path, to: &Path) -> Result<(), String> {
    if to.exists() {
        std::fs::remove_dir_all(to).map_err(|e| e.to_string())?;
    }
    for sub in ["src", "examples"] {
        let from = root.join("generated").join(sub);
        std::fs::create_dir_all(to.join(sub)).map_err(|e| e.to_string())?;
        for entry in std::fs::read_dir(&from).map_err(|e| format!("{}: {e}", from.display()))? {
            let entry = entry.map_err(|e| e.to_string())?;
            std::fs::copy(entry.path(), to.join(sub).join(entry.file_name()))
                .map_err(|e| e.to_string())?;
        }
    }
    std::fs::copy(root.join("generated/Cargo.toml"), to.join("Cargo.toml"))
        .map_err(|e| e.to_string())?;
    Ok(())
}

pub struct Options {
    /// Repetitions of each build.
    pub reps: usize,
}

pub fn run_all(root: &Path, twilio: &Path, options: &Options) -> Result<(), String> {
    let scratch = scratch();
    let crates = scratch.join("crates");
    std::fs::create_dir_all(&crates).map_err(|e| e.to_string())?;
    let ours = Generator::Ours(our_generator(root)?);
    let base = Generator::Ours(base_generator(root)?);
    let progenitor = Generator::Progenitor(progenitor()?);
    let participants = root.join("specs/twilio.yaml");
    let twilio = &progenitor_readable(twilio)?;
    let reps = options.reps;

    // (e) Generation, whole process: one untimed round (page cache, binaries), then rounds
    // that run every generator once each, in the same order, so all see the same noise.
    println!();
    println!(
        "(e) generation, whole process, {GENERATION_RUNS} interleaved runs after an untimed one (load average {} before)",
        crate::bench::load_average()
    );
    println!(
        "    {:<28} {:>21} {:>21} {:>9}",
        "", "wall median / best", "CPU median / best", "peak RSS"
    );
    let jobs: [(&str, &Generator, &Path, &str); 6] = [
        ("ours, full Twilio", &ours, twilio, "twilio"),
        ("3abb0b3, full Twilio", &base, twilio, "twilio-base"),
        (
            "progenitor, full Twilio",
            &progenitor,
            twilio,
            "twilio-progenitor",
        ),
        ("ours, participants", &ours, &participants, "participants"),
        (
            "3abb0b3, participants",
            &base,
            &participants,
            "participants-base",
        ),
        (
            "progenitor, participants",
            &progenitor,
            &participants,
            "participants-progenitor",
        ),
    ];
    let mut samples = vec![Vec::new(); jobs.len()];
    for round in 0..=GENERATION_RUNS {
        for (i, (label, generator, spec, name)) in jobs.iter().enumerate() {
            let cost = generator
                .generate(spec, &crates.join(name), name)
                .map_err(|e| format!("{label}: {e}"))?;
            if round > 0 {
                samples[i].push(cost);
            }
        }
    }
    let median: Vec<Cost> = samples.iter().map(|s| median_cost(s)).collect();
    // The shortest of each: what the machine gives when other work leaves it alone (on a
    // shared machine the median also counts waiting for a core).
    let best: Vec<Cost> = samples.iter().map(|s| best_cost(s)).collect();
    for (i, (label, ..)) in jobs.iter().enumerate() {
        println!(
            "    {label:<28} {:>10} / {:>8} {:>10} / {:>8} {:>9}",
            ms(median[i].wall),
            ms(best[i].wall),
            ms(median[i].cpu),
            ms(best[i].cpu),
            mib(median[i].peak_kb)
        );
    }
    let ratio = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64();
    let speedup = ratio(median[2].wall, median[0].wall);
    println!(
        "    progenitor / ours, full Twilio: wall {speedup:.2}x median, {:.2}x best; CPU {:.2}x median   (target >= 10x wall: {})",
        ratio(best[2].wall, best[0].wall),
        ratio(median[2].cpu, median[0].cpu),
        crate::bench::verdict(speedup >= 10.0)
    );
    println!(
        "    3abb0b3 / ours, full Twilio: wall {:.2}x median   (load average {} after)",
        ratio(median[1].wall, median[0].wall),
        crate::bench::load_average()
    );

    // (f) Build cost of the generated crates.
    copy_generated(root, &crates.join("generated"))?;
    let subjects = [
        Subject {
            label: "generated/ (checked in)",
            name: "telephony-client",
            dir: crates.join("generated"),
        },
        Subject {
            label: "ours, participants",
            name: "participants",
            dir: crates.join("participants"),
        },
        Subject {
            label: "3abb0b3, participants",
            name: "participants-base",
            dir: crates.join("participants-base"),
        },
        Subject {
            label: "progenitor, participants",
            name: "participants-progenitor",
            dir: crates.join("participants-progenitor"),
        },
        Subject {
            label: "ours, full Twilio",
            name: "twilio",
            dir: crates.join("twilio"),
        },
        Subject {
            label: "3abb0b3, full Twilio",
            name: "twilio-base",
            dir: crates.join("twilio-base"),
        },
    ];
    // Our crates build against the repository's dependency versions; progenitor's resolves
    // its own (it needs reqwest 0.13).
    for s in subjects.iter().filter(|s| !s.name.ends_with("progenitor")) {
        std::fs::copy(root.join("Cargo.lock"), s.dir.join("Cargo.lock"))
            .map_err(|e| format!("{}: {e}", s.dir.display()))?;
    }
    eprintln!("warming dependencies (one untimed build and check of each crate)…");
    for s in &subjects {
        for verb in ["build", "check"] {
            let mut c = s.cargo(&[verb, "--quiet", "--lib"]);
            c.stderr(Stdio::piped());
            run(c, &format!("cargo {verb} of {}", s.label))?;
        }
    }
    let mut builds = vec![Vec::new(); subjects.len()];
    let mut checks = vec![Vec::new(); subjects.len()];
    for rep in 0..reps {
        eprintln!("build round {}/{reps}…", rep + 1);
        for (i, s) in subjects.iter().enumerate() {
            builds[i].push(s.measure("build")?);
            checks[i].push(s.measure("check")?);
        }
    }
    let builds: Vec<Cost> = builds.iter().map(|s| median_cost(s)).collect();
    let checks: Vec<Cost> = checks.iter().map(|s| median_cost(s)).collect();
    println!();
    println!(
        "(f) debug build of the generated crate alone (warm dependencies, `cargo clean -p` first), median of {reps}"
    );
    println!(
        "    {:<28} {:>7} {:>22} {:>22}",
        "crate", "lines", "build wall / CPU / RSS", "check wall / CPU / RSS"
    );
    for ((s, b), c) in subjects.iter().zip(&builds).zip(&checks) {
        println!(
            "    {:<28} {:>7} {:>8} {:>7} {:>6} {:>8} {:>7} {:>6}",
            s.label,
            s.lines(),
            secs(b.wall),
            secs(b.cpu),
            mib(b.peak_kb),
            secs(c.wall),
            secs(c.cpu),
            mib(c.peak_kb)
        );
    }
    let ratio = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64();
    let (twilio, twilio_base) = (&builds[4], &builds[5]);
    let cpu = ratio(twilio.cpu, twilio_base.cpu);
    let memory = twilio.peak_kb as f64 / twilio_base.peak_kb as f64;
    println!(
        "    full Twilio build CPU, ours / 3abb0b3       {cpu:>6.2}   (target <= 0.33: {})",
        crate::bench::verdict(cpu <= 1.0 / 3.0)
    );
    println!(
        "    full Twilio build peak RSS, ours / 3abb0b3  {memory:>6.2}   (target <= 0.50: {})",
        crate::bench::verdict(memory <= 0.5)
    );
    println!(
        "    full Twilio check CPU, ours / 3abb0b3       {:>6.2}",
        ratio(checks[4].cpu, checks[5].cpu)
    );
    let (ours_p, prog_p) = (&builds[1], &builds[3]);
    let faster = ratio(prog_p.cpu, ours_p.cpu);
    println!(
        "    participants build CPU, progenitor / ours   {faster:>6.2}x  (wall {:.2}x; target >= 1.5x: {})",
        ratio(prog_p.wall, ours_p.wall),
        crate::bench::verdict(faster >= 1.5)
    );
    println!(
        "    participants build CPU, 3abb0b3 / ours      {:>6.2}x",
        ratio(builds[2].cpu, ours_p.cpu)
    );

    // (g) Where the time goes, for the full Twilio crates.
    println!();
    println!("(g) where the full Twilio build's time goes");
    for s in &subjects[4..] {
        timings(s)?;
    }
    for s in &subjects[4..] {
        llvm_lines(s)?;
    }
    Ok(())
}

/// `cargo build --timings`: the crate's front end (until its metadata is written) against
/// code generation, from the report's unit data.
fn timings(s: &Subject) -> Result<(), String> {
    run(s.cargo(&["clean", "--quiet", "-p", s.name]), "cargo clean")?;
    let started = Instant::now();
    let mut c = s.cargo(&["build", "--quiet", "--lib", "--timings"]);
    c.stderr(Stdio::piped());
    run(c, "cargo build --timings")?;
    let report = scratch().join("target/cargo-timings/cargo-timing.html");
    let html =
        std::fs::read_to_string(&report).map_err(|e| format!("{}: {e}", report.display()))?;
    // The report embeds its units as JSON: `const UNIT_DATA = [ … ];`.
    let units: Option<serde_json::Value> = html
        .split_once("const UNIT_DATA = ")
        .and_then(|(_, rest)| rest.split_once("];"))
        .and_then(|(data, _)| serde_json::from_str(&format!("{data}]")).ok());
    let unit = units.as_ref().and_then(|units| {
        units
            .as_array()?
            .iter()
            .find(|u| u["name"] == s.name && u["mode"] != "run-custom-build")
    });
    let total = unit.and_then(|u| u["duration"].as_f64());
    let front = unit.and_then(|u| {
        u["sections"]
            .as_array()?
            .iter()
            .find(|section| section[0] == "frontend")
            .and_then(|section| section[1]["end"].as_f64())
    });
    match (total, front) {
        (Some(total), Some(front)) => println!(
            "    {:<28} --timings: {total:.2} s, front end {front:.2} s ({:.0} %), codegen {:.2} s  [{} wall with cargo]",
            s.label,
            100.0 * front / total,
            total - front,
            secs(started.elapsed())
        ),
        _ => println!("    {:<28} --timings: unit not found in {}", s.label, report.display()),
    }
    Ok(())
}

/// `cargo llvm-lines`: the functions with the most LLVM IR, and the share serde's derives take.
fn llvm_lines(s: &Subject) -> Result<(), String> {
    let mut c = s.cargo(&["llvm-lines", "--lib"]);
    c.stderr(Stdio::piped());
    let text = match run(c, "cargo llvm-lines") {
        Ok(t) => t,
        Err(e) if e.contains("no such command") => {
            println!("    cargo llvm-lines not installed (cargo install cargo-llvm-lines)");
            return Ok(());
        }
        Err(e) => return Err(e),
    };
    // Rows: `lines (pct%, cumulative%)  copies (pct%, cumulative%)  name`; the first is
    // `lines copies (TOTAL)`.
    let rows: Vec<(u64, u64, String)> = text
        .lines()
        .filter_map(|l| {
            let mut parts = l.split_whitespace().filter(|t| !t.contains('%'));
            let lines = parts.next()?.parse().ok()?;
            let copies = parts.next()?.parse().ok()?;
            Some((lines, copies, parts.collect::<Vec<_>>().join(" ")))
        })
        .collect();
    let Some(((total, copies, _), functions)) = rows.split_first() else {
        println!("    {:<28} llvm-lines: no output", s.label);
        return Ok(());
    };
    let serde: u64 = functions
        .iter()
        .filter(|(_, _, name)| name.contains("serde"))
        .map(|(l, _, _)| l)
        .sum();
    println!(
        "    {:<28} llvm-lines: {total} lines of LLVM IR in {copies} function copies, {:.0} % of it serde's",
        s.label,
        100.0 * serde as f64 / *total as f64
    );
    for (lines, copies, name) in functions.iter().take(8) {
        println!("        {lines:>7} {copies:>5}x  {name}");
    }
    Ok(())
}
