//! A generated crate under measurement: where it is, how to build it, what to clean first.
//! Every crate builds against one shared target directory in the scratch directory, so their
//! dependencies stay warm between builds and runs.

use crate::measure::{cargo, run, timed, Cost};
use crate::scratch;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// What a measured build compiles from scratch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clean {
    /// The client crate only; a runtime crate beside it stays built, as `progenitor-client`
    /// does for progenitor's output.
    Client,
    /// The client and every crate it depends on by path (the generated runtime).
    Generated,
}

/// One generated crate.
pub struct Subject {
    pub label: String,
    /// Its package name.
    pub name: String,
    pub dir: PathBuf,
    pub clean: Clean,
    /// `Some(false)`: builds with `CARGO_INCREMENTAL=0` (as CI usually does); `None`: cargo's
    /// default (incremental for path crates in the dev profile).
    pub incremental: Option<bool>,
}

impl Subject {
    pub fn new(label: &str, name: &str, dir: PathBuf, clean: Clean) -> Subject {
        Subject {
            label: label.to_string(),
            name: name.to_string(),
            dir,
            clean,
            incremental: None,
        }
    }

    /// `cargo ARGS` in the crate's directory, against the shared target directory.
    pub fn cargo(&self, args: &[&str]) -> Command {
        let mut c = Command::new(cargo());
        c.args(args)
            .current_dir(&self.dir)
            .env("CARGO_TARGET_DIR", target_dir())
            .env_remove("RUSTFLAGS")
            .env_remove("CARGO_BUILD_RUSTFLAGS")
            .env_remove("CARGO_INCREMENTAL");
        if let Some(on) = self.incremental {
            c.env("CARGO_INCREMENTAL", if on { "1" } else { "0" });
        }
        c
    }

    /// Builds (or checks, documents) once, untimed, so that dependencies are warm.
    pub fn warm(&self, verb: &str, extra: &[&str]) -> Result<(), String> {
        let mut args = vec![verb, "--quiet"];
        args.extend(extra);
        let mut c = self.cargo(&args);
        c.stderr(Stdio::piped());
        run(c, &format!("cargo {verb} of {}", self.label)).map(drop)
    }

    /// Cleans what [`Subject::clean`] says, then `cargo VERB --lib EXTRA`, timed.
    pub fn measure(&self, verb: &str, extra: &[&str]) -> Result<Cost, String> {
        self.clean()?;
        self.timed(verb, extra)
    }

    /// `cargo VERB --lib EXTRA` on whatever is built already, timed.
    pub fn timed(&self, verb: &str, extra: &[&str]) -> Result<Cost, String> {
        let mut args = vec![verb, "--quiet", "--lib"];
        args.extend(extra);
        timed(
            self.cargo(&args),
            &format!("cargo {verb} of {}", self.label),
            &scratch::stderr_file(),
        )
    }

    /// `cargo clean -p` of the client, and of its runtime when [`Clean::Generated`].
    pub fn clean(&self) -> Result<(), String> {
        let packages = match self.clean {
            Clean::Client => vec![self.name.clone()],
            Clean::Generated => self.local_packages()?,
        };
        let mut args = vec!["clean", "--quiet"];
        for p in &packages {
            args.extend(["-p", p]);
        }
        run(
            self.cargo(&args),
            &format!("cargo clean -p {}", packages.join(" -p ")),
        )
        .map(drop)
    }

    /// The client's package and every package it depends on by path (a generated runtime
    /// crate), from `cargo metadata`.
    pub fn local_packages(&self) -> Result<Vec<String>, String> {
        let metadata = self.metadata()?;
        let packages = metadata["packages"]
            .as_array()
            .ok_or("cargo metadata: no packages")?;
        Ok(packages
            .iter()
            .filter(|p| p["source"].is_null())
            .filter_map(|p| p["name"].as_str().map(str::to_string))
            .collect())
    }

    /// The Cargo features the client's manifest declares.
    pub fn features(&self) -> Result<Vec<String>, String> {
        let metadata = self.metadata()?;
        let package = metadata["packages"]
            .as_array()
            .and_then(|ps| ps.iter().find(|p| p["name"] == self.name.as_str()))
            .ok_or_else(|| format!("cargo metadata: no package {}", self.name))?;
        Ok(package["features"]
            .as_object()
            .map(|f| f.keys().cloned().collect())
            .unwrap_or_default())
    }

    fn metadata(&self) -> Result<serde_json::Value, String> {
        let text = run(
            self.cargo(&["metadata", "--format-version", "1"]),
            &format!("cargo metadata of {}", self.label),
        )?;
        serde_json::from_str(&text).map_err(|e| format!("cargo metadata: {e}"))
    }

    /// Lines of Rust in the crate's library, its runtime crate's included (`runtime/src`).
    pub fn lines(&self) -> usize {
        scratch::rust_lines(&self.dir.join("src"))
            + scratch::rust_lines(&self.dir.join("runtime/src"))
    }

    /// Uses the repository's dependency versions (progenitor's crates resolve their own: they
    /// need reqwest 0.13).
    pub fn use_lock_of(&self, root: &Path) -> Result<(), String> {
        std::fs::copy(root.join("Cargo.lock"), self.dir.join("Cargo.lock"))
            .map(drop)
            .map_err(|e| format!("{}: {e}", self.dir.display()))
    }
}

/// The target directory every measured crate shares.
pub fn target_dir() -> PathBuf {
    scratch::dir().join("target")
}
