//! (j) What each opt-in Cargo feature of the generated client costs to build: the checked-in
//! client (a copy of `generated/`) with default features against each feature on its own,
//! the client and its runtime crate cleaned before every build (a feature compiles code in
//! both). A feature the generated manifest does not declare is skipped with a note.

use crate::crates::{Clean, Subject};
use crate::generators::Toolbox;
use crate::measure::{median_cost, mib, ratio, secs, Cost};
use crate::scratch;

/// The opt-in features whose cost is measured, each alone.
const FEATURES: [&str; 6] = ["tracing", "webhooks", "axum", "mock", "serde", "telephony"];

/// (j) Default build against each feature's, median of `reps`, interleaved.
pub fn features(tools: &mut Toolbox, reps: usize) -> Result<(), String> {
    let root = tools.root.clone();
    let dir = scratch::dir().join("crates/features");
    scratch::sync_dir(&root.join("generated"), &dir)?;
    let subject = Subject::new(
        "generated/ (checked in)",
        "telephony-client",
        dir,
        Clean::Generated,
    );
    subject.use_lock_of(&root)?;
    let declared = subject.features()?;
    println!();
    println!(
        "(j) debug build of the checked-in client by Cargo feature (client and runtime crates cleaned), median of {reps}"
    );
    let mut configs: Vec<(&str, Vec<&str>)> = vec![("default", Vec::new())];
    for feature in FEATURES {
        if declared.iter().any(|d| d == feature) {
            configs.push((feature, vec!["--features", feature]));
        } else {
            println!("    {feature:<12} skipped: generated/Cargo.toml has no feature `{feature}`");
        }
    }
    eprintln!("(j) warming each feature's dependencies…");
    for (_, args) in &configs {
        let mut warm = vec!["--lib"];
        warm.extend(args);
        subject.warm("build", &warm)?;
    }
    let mut samples = vec![Vec::new(); configs.len()];
    for rep in 0..reps {
        eprintln!("feature round {}/{reps}…", rep + 1);
        for (i, (_, args)) in configs.iter().enumerate() {
            samples[i].push(subject.measure("build", args)?);
        }
    }
    let costs: Vec<Cost> = samples.iter().map(|s| median_cost(s)).collect();
    let default = costs[0];
    for ((name, _), cost) in configs.iter().zip(&costs) {
        println!(
            "    {name:<12} wall {:>7}  CPU {:>7}  RSS {:>8}   CPU {:+.2} s ({:.2}x default)",
            secs(cost.wall),
            secs(cost.cpu),
            mib(cost.peak_kb),
            cost.cpu.as_secs_f64() - default.cpu.as_secs_f64(),
            ratio(cost.cpu, default.cpu)
        );
    }
    Ok(())
}
