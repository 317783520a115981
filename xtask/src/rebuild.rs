//! (i) What a spec bump costs a project that vendors the client: the debug rebuild of the
//! checked-in client (`specs/codegen.toml`) after one field's description changes in
//! `specs/twilio.yaml`, with the runtime inside the client crate ([`ONE_CRATE_COMMIT`]'s
//! generator, run as its `xtask codegen`) against the runtime in a crate of its own (this
//! checkout's generator). Both regenerate copies of `specs/` in the scratch directory; the
//! repository's `specs/` and `generated/` are only read.
//!
//! Each measured rebuild follows a regeneration that changes the description (there and back,
//! alternately), with nothing cleaned: what `cargo xtask codegen` then `cargo build` costs.

use crate::crates::{Clean, Subject};
use crate::generators::{Toolbox, ONE_CRATE_COMMIT};
use crate::measure::{median_cost, mib, ratio, run, secs, verdict, Cost};
use crate::scratch;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use telephony_codegen::config::Config;
use telephony_codegen::Mode;

/// The field whose description the bump changes: a form field of `UpdateParticipant`.
const FIELD: &str = "BeepOnExit";

/// What the bump adds to the description.
const EDIT: &str = " Changed by the rebuild bench.";

/// `specs/twilio.yaml` with [`FIELD`]'s description changed: [`EDIT`] appended to its text
/// (to the first line of a folded or literal block).
pub fn edited_spec(text: &str) -> Result<String, String> {
    let lines: Vec<&str> = text.lines().collect();
    let indent = |l: &str| l.len() - l.trim_start().len();
    let field = lines
        .iter()
        .position(|l| l.trim() == format!("{FIELD}:"))
        .ok_or_else(|| format!("specs/twilio.yaml has no field {FIELD}"))?;
    let description = lines[field + 1..]
        .iter()
        .take_while(|l| l.trim().is_empty() || indent(l) > indent(lines[field]))
        .position(|l| l.trim_start().starts_with("description:"))
        .map(|i| field + 1 + i)
        .ok_or_else(|| format!("{FIELD} in specs/twilio.yaml has no description"))?;
    let value = lines[description].trim_start()["description:".len()..].trim();
    // A block scalar (`>-`, `|`) has its text on the next line.
    let target = if value.starts_with(['>', '|']) {
        description + 1
    } else {
        description
    };
    let mut edited: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    edited[target].push_str(EDIT);
    Ok(edited.join("\n") + "\n")
}

/// How a layout's client is regenerated.
enum Codegen {
    /// An earlier commit's `xtask codegen`: it reads its own workspace's `specs/` and writes
    /// its `generated/`, from where the changed files are copied into the built crate.
    Earlier { xtask: PathBuf, workspace: PathBuf },
    /// This checkout's library, as `cargo xtask codegen` runs it.
    ThisCheckout,
}

/// A copy of the checked-in client's inputs and output for one layout.
struct Layout {
    label: &'static str,
    codegen: Codegen,
    /// The `specs/` this layout starts from: its own commit's (an earlier generator cannot
    /// read a later spec).
    source: PathBuf,
    /// Its `twilio.yaml` as it is, and with the edit.
    texts: [String; 2],
    /// The copy of `specs/` the generator reads.
    specs: PathBuf,
    /// The crate built.
    subject: Subject,
}

impl Layout {
    /// Writes this layout's `specs/` into its copy, `twilio.yaml` as `twilio`.
    fn set_specs(&self, twilio: &str) -> Result<(), String> {
        scratch::sync_dir(&self.source, &self.specs)?;
        let path = self.specs.join("twilio.yaml");
        if scratch::read(&path)? != twilio {
            scratch::write(&path, twilio)?;
        }
        Ok(())
    }

    /// Regenerates the client, its `specs/twilio.yaml` edited or not: the files it changed.
    fn generate(&self, edited: bool) -> Result<Vec<String>, String> {
        self.set_specs(&self.texts[usize::from(edited)])?;
        let before = contents(&self.subject.dir);
        match &self.codegen {
            Codegen::Earlier { xtask, workspace } => {
                let mut codegen = Command::new(xtask);
                codegen.arg("codegen");
                run(codegen, &format!("{ONE_CRATE_COMMIT}'s xtask codegen"))?;
                scratch::sync_dir(&workspace.join("generated"), &self.subject.dir)?;
            }
            Codegen::ThisCheckout => regenerate(&self.specs)?,
        }
        Ok(changed(&before, &contents(&self.subject.dir)))
    }
}

/// (i) The rebuild after a one-line spec change, old layout against new, median of `reps`
/// rebuilds each, interleaved; incremental (cargo's default), then not (as CI builds).
pub fn spec_bump(tools: &mut Toolbox, reps: usize) -> Result<(), String> {
    let root = tools.root.clone();
    let dir = scratch::dir().join("rebuild");
    let texts = |specs: &Path| -> Result<[String; 2], String> {
        let original = scratch::read(&specs.join("twilio.yaml"))?;
        let edited = edited_spec(&original)?;
        Ok([original, edited])
    };
    let one_crate = tools.one_crate()?;
    let workspace = one_crate.source.clone();
    let old_specs = commit_specs(&root, ONE_CRATE_COMMIT, &dir.join("one-crate-source"))?;
    let old = Layout {
        label: "runtime inside the client (1b010c5)",
        codegen: Codegen::Earlier {
            xtask: one_crate.binary("xtask"),
            workspace: workspace.clone(),
        },
        texts: texts(&old_specs)?,
        source: old_specs,
        specs: workspace.join("specs"),
        subject: Subject::new(
            "one crate",
            "telephony-client",
            dir.join("one-crate"),
            Clean::Client,
        ),
    };
    let new = Layout {
        label: "runtime crate (this checkout)",
        codegen: Codegen::ThisCheckout,
        texts: texts(&root.join("specs"))?,
        source: root.join("specs"),
        specs: dir.join("runtime-crate/specs"),
        subject: Subject::new(
            "runtime crate",
            "telephony-client",
            dir.join("runtime-crate/generated"),
            Clean::Client,
        ),
    };
    let floor = floor_crate(
        &dir.join("runtime-crate/generated/runtime"),
        &dir.join("floor"),
    )?;
    let mut layouts = [old, new];
    println!();
    println!(
        "(i) debug rebuild of the checked-in client after one field's description changes ({FIELD} in specs/twilio.yaml), nothing cleaned, median of {reps}"
    );
    let mut floor = floor;
    for incremental in [true, false] {
        for layout in &mut layouts {
            layout.subject.incremental = Some(incremental);
        }
        floor.incremental = Some(incremental);
        rebuilds(&root, &layouts, &floor, reps)?;
    }
    Ok(())
}

/// The package name of the floor crate.
const FLOOR: &str = "rebuild-floor";

/// The least a rebuild of any crate on the new layout's runtime costs: one documented function
/// whose doc line changes between builds. Cargo's work per build (reading the manifests and
/// every dependency's fingerprint) and rustc's per crate (loading the dependencies' metadata
/// and the incremental state, writing them back) are in it; what a client costs above it is
/// its own code.
fn floor_crate(runtime: &Path, dir: &Path) -> Result<Subject, String> {
    let manifest = scratch::read(&runtime.join("Cargo.toml"))?;
    let package = manifest
        .lines()
        .find_map(|l| l.strip_prefix("name = "))
        .map(|n| n.trim_matches('"').to_string())
        .ok_or_else(|| format!("{}: no package name", runtime.display()))?;
    scratch::create_dir(&dir.join("src"))?;
    scratch::write(
        &dir.join("Cargo.toml"),
        &format!(
            "[package]\nname = \"{FLOOR}\"\nversion = \"0.1.0\"\nedition = \"2021\"\npublish = false\n\n[dependencies]\nruntime = {{ package = \"{package}\", path = {:?} }}\n\n[workspace]\n",
            runtime.display().to_string()
        ),
    )?;
    set_floor_doc(dir, 0)?;
    Ok(Subject::new(
        "floor",
        FLOOR,
        dir.to_path_buf(),
        Clean::Client,
    ))
}

/// The floor crate's library, its one doc line numbered `round`.
fn set_floor_doc(dir: &Path, round: usize) -> Result<(), String> {
    scratch::write(
        &dir.join("src/lib.rs"),
        &format!(
            "//! The least a crate on the runtime costs to rebuild.\npub use runtime;\n\n/// Round {round}.\npub fn round() -> u32 {{\n    0\n}}\n"
        ),
    )
}

/// Rebuilds of both layouts, interleaved, each after a regeneration that changes the
/// description (there and back, alternately); prints their medians and the ratio.
fn rebuilds(
    root: &Path,
    layouts: &[Layout; 2],
    floor: &Subject,
    reps: usize,
) -> Result<(), String> {
    let incremental = layouts[0].subject.incremental != Some(false);
    eprintln!("(i) generating both layouts and building them once (incremental: {incremental})…");
    for layout in layouts {
        layout.generate(false)?;
        layout.subject.use_lock_of(root)?;
        layout.subject.warm("build", &["--lib"])?;
    }
    floor.use_lock_of(root)?;
    floor.warm("build", &["--lib"])?;
    let mut samples: [Vec<Cost>; 2] = [Vec::new(), Vec::new()];
    let mut changes: [Vec<String>; 2] = [Vec::new(), Vec::new()];
    let mut floor_samples = Vec::new();
    for rep in 0..reps {
        eprintln!("rebuild round {}/{reps}…", rep + 1);
        for (i, layout) in layouts.iter().enumerate() {
            changes[i] = layout.generate(rep % 2 == 0)?;
            samples[i].push(layout.subject.timed("build", &[])?);
        }
        set_floor_doc(&floor.dir, rep + 1)?;
        floor_samples.push(floor.timed("build", &[])?);
    }
    let costs: Vec<Cost> = samples.iter().map(|s| median_cost(s)).collect();
    println!(
        "    {}",
        if incremental {
            "incremental (cargo's default for a path crate)"
        } else {
            "CARGO_INCREMENTAL=0 (as CI usually builds)"
        }
    );
    for (((layout, cost), changed), samples) in
        layouts.iter().zip(&costs).zip(&changes).zip(&samples)
    {
        let all: Vec<String> = samples
            .iter()
            .map(|c| format!("{:.2}", c.cpu.as_secs_f64()))
            .collect();
        println!(
            "      {:<36} wall {:>7}  CPU {:>7} (each: {})  RSS {:>8}",
            layout.label,
            secs(cost.wall),
            secs(cost.cpu),
            all.join(" "),
            mib(cost.peak_kb),
        );
        println!(
            "        files rewritten: {}",
            if changed.is_empty() {
                "none".to_string()
            } else {
                changed.join(", ")
            }
        );
    }
    let floor = median_cost(&floor_samples);
    println!(
        "      {:<36} wall {:>7}  CPU {:>7}  (one documented fn on the runtime crate: cargo's and rustc's fixed work)",
        "floor",
        secs(floor.wall),
        secs(floor.cpu),
    );
    let cpu = ratio(costs[1].cpu, costs[0].cpu);
    println!(
        "      rebuild CPU, runtime crate / one crate  {cpu:>6.2}   (wall {:.2}; target <= 0.5: {}; floor / one crate {:.2})",
        ratio(costs[1].wall, costs[0].wall),
        verdict(cpu <= 0.5),
        ratio(floor.cpu, costs[0].cpu),
    );
    Ok(())
}

/// `commit`'s `specs/`, extracted once into `dir`.
fn commit_specs(root: &Path, commit: &str, dir: &Path) -> Result<PathBuf, String> {
    let specs = dir.join("specs");
    if !specs.join("codegen.toml").exists() {
        scratch::create_dir(dir)?;
        let tar = dir.join("specs.tar");
        let mut git = Command::new("git");
        git.args(["archive", "--format=tar", "-o"])
            .arg(&tar)
            .args([commit, "specs"])
            .current_dir(root);
        run(git, "git archive")?;
        let mut untar = Command::new("tar");
        untar.arg("-xf").arg(&tar).arg("-C").arg(dir);
        run(untar, "tar")?;
    }
    Ok(specs)
}

/// `cargo xtask codegen` of this checkout on a copy of `specs/` (its `codegen.toml` says
/// where the output goes: `../generated`, beside the copy).
fn regenerate(specs: &Path) -> Result<(), String> {
    let config = Config::load(&specs.join("codegen.toml")).map_err(|e| e.to_string())?;
    let root = specs.parent().unwrap_or(specs);
    let request = telephony_codegen::request_from_config(&config, root);
    telephony_codegen::run(&request, &config.krate.output, Mode::Write)
        .map(drop)
        .map_err(|e| e.to_string())
}

/// Every file under `dir` (`target/` aside) and its contents.
fn contents(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(next) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&next) else {
            continue;
        };
        for path in entries.flatten().map(|e| e.path()) {
            if path.is_dir() {
                if !path.ends_with("target") {
                    pending.push(path);
                }
            } else if let Ok(bytes) = std::fs::read(&path) {
                let relative = path.strip_prefix(dir).unwrap_or(&path).to_path_buf();
                files.insert(relative, bytes);
            }
        }
    }
    files
}

/// The files whose contents differ, were added or removed.
fn changed(before: &BTreeMap<PathBuf, Vec<u8>>, after: &BTreeMap<PathBuf, Vec<u8>>) -> Vec<String> {
    let mut paths: Vec<&PathBuf> = before.keys().chain(after.keys()).collect();
    paths.sort();
    paths.dedup();
    paths
        .into_iter()
        .filter(|p| before.get(*p) != after.get(*p))
        .map(|p| p.display().to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_one_line_description_gets_the_edit() {
        let spec = "a:\n  BeepOnExit:\n    type: boolean\n    description: Beeps.\n  Other:\n    description: Else.\n";
        let edited = edited_spec(spec).unwrap();
        assert_eq!(edited, spec.replace("Beeps.", &format!("Beeps.{EDIT}")));
    }

    #[test]
    fn a_folded_description_gets_the_edit_on_its_first_line() {
        let spec = "BeepOnExit:\n  description: >-\n    Beeps\n    twice.\n";
        let edited = edited_spec(spec).unwrap();
        assert_eq!(edited, spec.replace("Beeps", &format!("Beeps{EDIT}")));
    }

    #[test]
    fn a_field_without_its_own_description_is_an_error() {
        let spec = "BeepOnExit:\n  type: boolean\nOther:\n  description: Else.\n";
        assert!(edited_spec(spec).is_err());
    }

    #[test]
    fn the_checked_in_spec_can_be_edited() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let text = std::fs::read_to_string(root.join("specs/twilio.yaml")).unwrap();
        let edited = edited_spec(&text).unwrap();
        assert_eq!(edited.lines().count(), text.lines().count());
        assert_ne!(edited, text);
    }
}
