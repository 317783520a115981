//! (e)–(g): what a generated client costs to generate and to compile, against baselines built
//! in the same run: the generator at [`BASE_COMMIT`] and `cargo progenitor`.
//!
//! Everything happens under the scratch directory ([`crate::scratch`]): `crates/` holds the
//! generated crates, which build against one shared target directory with warm dependencies.
//! Each measured build starts with `cargo clean -p` of what it measures ([`Clean`]). Every
//! measured process reports its wall time, the CPU time (user + sys) and the largest resident
//! set of its whole process tree (for a build: rustc on the generated crate); see
//! [`crate::measure::timed`].

use crate::callers;
use crate::crates::{target_dir, Clean, Subject};
use crate::generators::{Generator, Toolbox, BASE_COMMIT};
use crate::measure::{
    best_cost, load_average, median_cost, mib, ms, ratio, run, secs, verdict, Cost,
};
use crate::scratch;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Instant;

/// Runs of each generator in (e). A run takes ~0.1 s against progenitor's ~1 s, so on a shared
/// 2-core machine a few runs give a median that moves with whatever else runs; 15 give a
/// stable one.
const GENERATION_RUNS: usize = 15;

/// Where the generated crates go.
pub fn crates_dir() -> Result<PathBuf, String> {
    let dir = scratch::dir().join("crates");
    scratch::create_dir(&dir)?;
    Ok(dir)
}

/// The six generations (e) times and (f) builds: each generator on full Twilio, then on
/// `specs/twilio.yaml` (the participant operations).
fn jobs(
    tools: &mut Toolbox,
    twilio: &Path,
) -> Result<Vec<(&'static str, Generator, PathBuf, &'static str)>, String> {
    let participants = scratch::without_callbacks(&tools.root.join("specs/twilio.yaml"))?;
    let twilio = scratch::progenitor_readable(twilio)?;
    Ok(vec![
        ("ours, full Twilio", tools.ours()?, twilio.clone(), "twilio"),
        (
            "3abb0b3, full Twilio",
            tools.base()?,
            twilio.clone(),
            "twilio-base",
        ),
        (
            "progenitor, full Twilio",
            tools.progenitor()?,
            twilio,
            "twilio-progenitor",
        ),
        (
            "ours, participants",
            tools.ours()?,
            participants.clone(),
            "participants",
        ),
        (
            "3abb0b3, participants",
            tools.base()?,
            participants.clone(),
            "participants-base",
        ),
        (
            "progenitor, participants",
            tools.progenitor()?,
            participants,
            "participants-progenitor",
        ),
    ])
}

/// (e) Generation, whole process: one untimed round (page cache, binaries), then rounds that
/// run every generator once each, in the same order, so all see the same noise.
pub fn generation(tools: &mut Toolbox, twilio: &Path) -> Result<(), String> {
    let crates = crates_dir()?;
    let jobs = jobs(tools, twilio)?;
    println!();
    println!(
        "(e) generation, whole process, {GENERATION_RUNS} interleaved runs after an untimed one (load average {} before)",
        load_average()
    );
    println!(
        "    {:<28} {:>21} {:>21} {:>9}",
        "", "wall median / best", "CPU median / best", "peak RSS"
    );
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
    let speedup = ratio(median[2].wall, median[0].wall);
    println!(
        "    progenitor / ours, full Twilio: wall {speedup:.2}x median, {:.2}x best; CPU {:.2}x median   (target >= 10x wall: {})",
        ratio(best[2].wall, best[0].wall),
        ratio(median[2].cpu, median[0].cpu),
        verdict(speedup >= 10.0)
    );
    println!(
        "    3abb0b3 / ours, full Twilio: wall {:.2}x median   (load average {} after)",
        ratio(median[1].wall, median[0].wall),
        load_average()
    );
    Ok(())
}

/// Generates the crates (f) and (h) build (fresh, untimed) and describes them: the checked-in
/// client (a copy of `generated/`), then each generator on the participants and on full
/// Twilio. Ours on the participants cleans only the client before a measured build (its
/// runtime crate stays built, as `progenitor-client` does); ours on full Twilio cleans the
/// runtime crate too.
fn prepare(tools: &mut Toolbox, twilio: &Path) -> Result<Vec<Subject>, String> {
    let root = tools.root.clone();
    let crates = crates_dir()?;
    eprintln!("generating the crates to build…");
    for (label, generator, spec, name) in jobs(tools, twilio)? {
        generator
            .generate(&spec, &crates.join(name), name)
            .map_err(|e| format!("{label}: {e}"))?;
    }
    scratch::sync_dir(&root.join("generated"), &crates.join("generated"))?;
    let subject = |label, name, clean| Subject::new(label, name, crates.join(name), clean);
    let subjects = vec![
        Subject::new(
            "generated/ (checked in)",
            "telephony-client",
            crates.join("generated"),
            Clean::Client,
        ),
        subject("ours, participants", "participants", Clean::Client),
        subject("3abb0b3, participants", "participants-base", Clean::Client),
        subject(
            "progenitor, participants",
            "participants-progenitor",
            Clean::Client,
        ),
        subject("ours, full Twilio", "twilio", Clean::Generated),
        subject("3abb0b3, full Twilio", "twilio-base", Clean::Generated),
    ];
    for s in subjects.iter().filter(|s| !s.name.ends_with("progenitor")) {
        s.use_lock_of(&root)?;
    }
    Ok(subjects)
}

/// Indexes into [`prepare`]'s subjects.
const OURS_PARTICIPANTS: usize = 1;
const PROGENITOR_PARTICIPANTS: usize = 3;
const OURS_TWILIO: usize = 4;
const BASE_TWILIO: usize = 5;

/// (h) Issue 23's build targets alone: the participants, ours (runtime crate warm) against
/// progenitor's, and full Twilio, ours (runtime crate cleaned too) against [`BASE_COMMIT`]'s,
/// and both against the last one-crate generator's; debug builds only, median of `reps`,
/// interleaved.
pub fn split(tools: &mut Toolbox, twilio: &Path, reps: usize) -> Result<(), String> {
    let all = prepare(tools, twilio)?;
    // The same crates from the last one-crate generator, the runtime compiled inside each:
    // "today's" layout, measured in the same run.
    let one_crate = Generator::Ours(tools.one_crate()?.binary("telephony-codegen"));
    let crates = crates_dir()?;
    let participants = scratch::without_callbacks(&tools.root.join("specs/twilio.yaml"))?;
    let readable = scratch::progenitor_readable(twilio)?;
    let mut before = Vec::new();
    for (label, spec, name) in [
        (
            "1b010c5, participants",
            &participants,
            "participants-one-crate",
        ),
        ("1b010c5, full Twilio", &readable, "twilio-one-crate"),
    ] {
        one_crate.generate(spec, &crates.join(name), name)?;
        let subject = Subject::new(label, name, crates.join(name), Clean::Generated);
        subject.use_lock_of(&tools.root)?;
        before.push(subject);
    }
    // The operations are compiled where they are called: what a program that calls all of
    // them builds, for both layouts.
    let mut callers = Vec::new();
    for client in [&all[OURS_TWILIO], &before[1]] {
        let caller = callers::every_operation(client, "api")?;
        caller.use_lock_of(&tools.root)?;
        callers.push(caller);
    }
    let subjects: Vec<&Subject> = [
        OURS_PARTICIPANTS,
        PROGENITOR_PARTICIPANTS,
        OURS_TWILIO,
        BASE_TWILIO,
    ]
    .iter()
    .map(|i| &all[*i])
    .chain(&before)
    .chain(&callers)
    .collect();
    eprintln!("warming dependencies (one untimed build of each crate)…");
    for s in &subjects {
        s.warm("build", &["--lib"])?;
    }
    let mut samples = vec![Vec::new(); subjects.len()];
    for rep in 0..reps {
        eprintln!("build round {}/{reps}…", rep + 1);
        for (i, s) in subjects.iter().enumerate() {
            samples[i].push(s.measure("build", &[])?);
        }
    }
    let costs: Vec<Cost> = samples.iter().map(|s| median_cost(s)).collect();
    println!();
    println!(
        "(h) debug builds for the runtime crate (warm dependencies, `cargo clean -p` of what is built first), median of {reps}"
    );
    for (s, c) in subjects.iter().zip(&costs) {
        println!(
            "    {:<28} {:>9} {:>7} lines  wall {:>7}  CPU {:>7}  RSS {:>8}",
            s.label,
            cleaned(s),
            s.lines(),
            secs(c.wall),
            secs(c.cpu),
            mib(c.peak_kb)
        );
    }
    print_targets(&costs[0], &costs[1], &costs[2], &costs[3]);
    println!(
        "    participants build CPU, 1b010c5 (one crate) / ours   {:>6.2}x",
        ratio(costs[4].cpu, costs[0].cpu)
    );
    println!(
        "    full Twilio build CPU, ours / 1b010c5 (one crate)    {:>6.2}   (peak RSS {:.2}; no worse than today's: {})",
        ratio(costs[2].cpu, costs[5].cpu),
        costs[2].peak_kb as f64 / costs[5].peak_kb as f64,
        verdict(costs[2].cpu <= costs[5].cpu && costs[2].peak_kb <= costs[5].peak_kb)
    );
    println!(
        "    full Twilio build CPU, 1b010c5 / 3abb0b3             {:>6.2}   (peak RSS {:.2})",
        ratio(costs[5].cpu, costs[3].cpu),
        costs[5].peak_kb as f64 / costs[3].peak_kb as f64,
    );
    println!(
        "    full Twilio + a crate calling every operation, CPU ours / 1b010c5 {:>6.2}   (peak RSS {:.2})",
        ratio(costs[6].cpu, costs[7].cpu),
        costs[6].peak_kb as f64 / costs[7].peak_kb as f64,
    );
    Ok(())
}

/// What a measured build of `s` compiles besides dependencies.
fn cleaned(s: &Subject) -> &'static str {
    match s.clean {
        Clean::Client => "client",
        Clean::Generated => "+runtime",
    }
}

/// The build targets of issues 12 and 23, from median builds.
fn print_targets(ours_p: &Cost, prog_p: &Cost, twilio: &Cost, twilio_base: &Cost) {
    let faster = ratio(prog_p.cpu, ours_p.cpu);
    println!(
        "    participants build CPU, progenitor / ours   {faster:>6.2}x  (runtime warm; wall {:.2}x; target >= 1.5x: {})",
        ratio(prog_p.wall, ours_p.wall),
        verdict(faster >= 1.5)
    );
    let cpu = ratio(twilio.cpu, twilio_base.cpu);
    let memory = twilio.peak_kb as f64 / twilio_base.peak_kb as f64;
    println!(
        "    full Twilio build CPU, ours / {BASE_COMMIT}       {cpu:>6.2}   (runtime built too; target <= 0.33, no worse than 0.30: {})",
        verdict(cpu <= 1.0 / 3.0)
    );
    println!(
        "    full Twilio build peak RSS, ours / {BASE_COMMIT}  {memory:>6.2}   (target <= 0.50, no worse than 0.45: {})",
        verdict(memory <= 0.5)
    );
}

/// (f) Debug build and check of each generated crate alone, then (g) where the full Twilio
/// build's time goes.
pub fn builds(tools: &mut Toolbox, twilio: &Path, reps: usize) -> Result<(), String> {
    let subjects = prepare(tools, twilio)?;
    eprintln!("warming dependencies (one untimed build and check of each crate)…");
    for s in &subjects {
        s.warm("build", &["--lib"])?;
        s.warm("check", &["--lib"])?;
    }
    let mut builds = vec![Vec::new(); subjects.len()];
    let mut checks = vec![Vec::new(); subjects.len()];
    for rep in 0..reps {
        eprintln!("build round {}/{reps}…", rep + 1);
        for (i, s) in subjects.iter().enumerate() {
            builds[i].push(s.measure("build", &[])?);
            checks[i].push(s.measure("check", &[])?);
        }
    }
    let builds: Vec<Cost> = builds.iter().map(|s| median_cost(s)).collect();
    let checks: Vec<Cost> = checks.iter().map(|s| median_cost(s)).collect();
    println!();
    println!(
        "(f) debug build of the generated crate (warm dependencies, `cargo clean -p` of what is built first), median of {reps}"
    );
    println!(
        "    {:<28} {:>9} {:>7} {:>22} {:>22}",
        "crate", "cleaned", "lines", "build wall / CPU / RSS", "check wall / CPU / RSS"
    );
    for ((s, b), c) in subjects.iter().zip(&builds).zip(&checks) {
        println!(
            "    {:<28} {:>9} {:>7} {:>8} {:>7} {:>6} {:>8} {:>7} {:>6}",
            s.label,
            cleaned(s),
            s.lines(),
            secs(b.wall),
            secs(b.cpu),
            mib(b.peak_kb),
            secs(c.wall),
            secs(c.cpu),
            mib(c.peak_kb)
        );
    }
    print_targets(
        &builds[OURS_PARTICIPANTS],
        &builds[PROGENITOR_PARTICIPANTS],
        &builds[OURS_TWILIO],
        &builds[BASE_TWILIO],
    );
    println!(
        "    full Twilio check CPU, ours / {BASE_COMMIT}       {:>6.2}",
        ratio(checks[OURS_TWILIO].cpu, checks[BASE_TWILIO].cpu)
    );
    println!(
        "    participants build CPU, {BASE_COMMIT} / ours      {:>6.2}x",
        ratio(builds[2].cpu, builds[OURS_PARTICIPANTS].cpu)
    );

    // (g) Where the time goes, for the full Twilio crates.
    println!();
    println!("(g) where the full Twilio build's time goes");
    for s in &subjects[OURS_TWILIO..] {
        timings(s)?;
    }
    for s in &subjects[OURS_TWILIO..] {
        llvm_lines(s)?;
    }
    Ok(())
}

/// `cargo build --timings`: the crate's front end (until its metadata is written) against
/// code generation, from the report's unit data.
fn timings(s: &Subject) -> Result<(), String> {
    run(s.cargo(&["clean", "--quiet", "-p", &s.name]), "cargo clean")?;
    let started = Instant::now();
    let mut c = s.cargo(&["build", "--quiet", "--lib", "--timings"]);
    c.stderr(Stdio::piped());
    run(c, "cargo build --timings")?;
    let report = target_dir().join("cargo-timings/cargo-timing.html");
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
