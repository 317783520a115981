//! The generators the bench runs as child processes: this checkout's, an earlier commit's
//! (built from `git archive` in the scratch directory), and `cargo progenitor`.

use crate::measure::{built_executable, cargo, run, timed, Cost};
use crate::scratch;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The generator the build-cost targets of issue 12 are measured against ("today's output"
/// then).
pub const BASE_COMMIT: &str = "3abb0b3";

/// The last generator that wrote the runtime inside the client crate (before issue 23).
pub const ONE_CRATE_COMMIT: &str = "1b010c5";

/// A generator: how to run it on a spec into a new crate directory.
pub enum Generator {
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
    pub fn generate(&self, spec: &Path, out: &Path, name: &str) -> Result<Cost, String> {
        scratch::remove_dir(out)?;
        timed(
            self.command(spec, out, name),
            &format!("generating {name}"),
            &scratch::stderr_file(),
        )
    }
}

/// This checkout's generator command line, built in release.
pub fn ours(root: &Path) -> Result<PathBuf, String> {
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
    built_executable(&messages, "telephony-codegen")
        .ok_or_else(|| "cargo did not report the telephony-codegen executable".to_string())
}

/// An earlier commit's source and release binaries, built once per scratch directory.
pub struct Archived {
    /// The commit's source tree (`git archive`), a workspace of its own.
    pub source: PathBuf,
    /// Its release binaries, by name (copied out of the shared target directory).
    bin: PathBuf,
}

impl Archived {
    /// The commit's binary `name`.
    pub fn binary(&self, name: &str) -> PathBuf {
        self.bin.join(name)
    }
}

/// `commit`'s source and its release binaries `bins` (each `(package, binary)`). All earlier
/// commits share one target directory, which starts as hard links to this checkout's release
/// dependencies (same `Cargo.lock` mostly), so only the commit's own crates compile. Call after
/// [`ours`], which builds those dependencies.
pub fn at_commit(root: &Path, commit: &str, bins: &[(&str, &str)]) -> Result<Archived, String> {
    let generators = scratch::dir().join("generators");
    let dir = generators.join(commit);
    let archived = Archived {
        source: dir.join("src"),
        bin: dir.join("bin"),
    };
    if bins.iter().all(|(_, bin)| archived.binary(bin).exists()) {
        return Ok(archived);
    }
    if !archived.source.join("Cargo.toml").exists() {
        scratch::create_dir(&archived.source)?;
        let tar = dir.join("source.tar");
        let mut git = Command::new("git");
        git.args(["archive", "--format=tar", "-o"])
            .arg(&tar)
            .arg(commit)
            .current_dir(root);
        run(git, "git archive")?;
        let mut untar = Command::new("tar");
        untar.arg("-xf").arg(&tar).arg("-C").arg(&archived.source);
        run(untar, "tar")?;
    }
    let target = generators.join("target");
    seed_target(root, &target)?;
    eprintln!("building {commit}'s {bins:?} in release…");
    let mut build = Command::new(cargo());
    build.args(["build", "--release", "--quiet", "--message-format=json"]);
    for (package, bin) in bins {
        build.args(["-p", package, "--bin", bin]);
    }
    build
        .env("CARGO_TARGET_DIR", &target)
        .current_dir(&archived.source);
    let messages = run(build, &format!("building {commit}"))?;
    scratch::create_dir(&archived.bin)?;
    for (_, bin) in bins {
        let built = built_executable(&messages, bin)
            .ok_or_else(|| format!("cargo did not report {commit}'s {bin} executable"))?;
        // A copy, not the target directory's file: the next commit's build replaces that.
        std::fs::copy(&built, archived.binary(bin))
            .map_err(|e| format!("{}: {e}", built.display()))?;
    }
    Ok(archived)
}

/// Starts the earlier commits' target directory as hard links to this checkout's release
/// build, once; only a head start: without it the build simply compiles everything.
fn seed_target(root: &Path, target: &Path) -> Result<(), String> {
    let release = target.join("release");
    if release.exists() || !root.join("target/release/deps").exists() {
        return Ok(());
    }
    scratch::create_dir(target)?;
    let mut link = Command::new("cp");
    link.arg("-al")
        .arg(root.join("target/release"))
        .arg(&release);
    let _ = run(link, "seeding the earlier commits' target directory");
    // Never share the workspace's own files: a build must not write through a link.
    for sub in ["", "deps", ".fingerprint", "build", "incremental"] {
        let Ok(entries) = std::fs::read_dir(release.join(sub)) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().replace('_', "-");
            let ours = ["telephony-", "libtelephony-", "xtask", "libxtask"];
            if ours.iter().any(|prefix| name.starts_with(prefix)) {
                let path = entry.path();
                let _ = if path.is_dir() {
                    std::fs::remove_dir_all(&path)
                } else {
                    std::fs::remove_file(&path)
                };
            }
        }
    }
    Ok(())
}

/// `cargo-progenitor`, next to `cargo` on the PATH.
pub fn progenitor() -> Result<PathBuf, String> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|d| d.join("cargo-progenitor"))
        .find(|p| p.exists())
        .ok_or_else(|| "cargo-progenitor not found (cargo install cargo-progenitor)".to_string())
}

/// The generators a bench run needs, each built (or found) the first time a part asks for it.
pub struct Toolbox {
    pub root: PathBuf,
    ours: Option<PathBuf>,
    base: Option<PathBuf>,
    one_crate: Option<Archived>,
    progenitor: Option<PathBuf>,
}

impl Toolbox {
    pub fn new(root: &Path) -> Toolbox {
        Toolbox {
            root: root.to_path_buf(),
            ours: None,
            base: None,
            one_crate: None,
            progenitor: None,
        }
    }

    /// This checkout's generator.
    pub fn ours(&mut self) -> Result<Generator, String> {
        let binary = match &self.ours {
            Some(binary) => binary.clone(),
            None => self.ours.insert(ours(&self.root)?).clone(),
        };
        Ok(Generator::Ours(binary))
    }

    /// [`BASE_COMMIT`]'s generator.
    pub fn base(&mut self) -> Result<Generator, String> {
        if let Some(binary) = &self.base {
            return Ok(Generator::Ours(binary.clone()));
        }
        self.ours()?;
        let archived = at_commit(
            &self.root,
            BASE_COMMIT,
            &[("telephony-codegen", "telephony-codegen")],
        )?;
        let binary = self.base.insert(archived.binary("telephony-codegen"));
        Ok(Generator::Ours(binary.clone()))
    }

    /// [`ONE_CRATE_COMMIT`]'s source, generator and `xtask` (for `xtask codegen`).
    pub fn one_crate(&mut self) -> Result<&Archived, String> {
        if self.one_crate.is_none() {
            self.ours()?;
            let bins = [
                ("telephony-codegen", "telephony-codegen"),
                ("xtask", "xtask"),
            ];
            self.one_crate = Some(at_commit(&self.root, ONE_CRATE_COMMIT, &bins)?);
        }
        self.one_crate
            .as_ref()
            .ok_or_else(|| format!("{ONE_CRATE_COMMIT} was not built"))
    }

    /// `cargo-progenitor`.
    pub fn progenitor(&mut self) -> Result<Generator, String> {
        let binary = match &self.progenitor {
            Some(binary) => binary.clone(),
            None => self.progenitor.insert(progenitor()?).clone(),
        };
        Ok(Generator::Progenitor(binary))
    }
}
