//! `cargo xtask codegen [--check]`: regenerate `generated/` from `specs/codegen.toml`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use telephony_codegen::{config::Config, Mode};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["codegen"] => codegen(Mode::Write),
        ["codegen", "--check"] => codegen(Mode::Check),
        _ => {
            eprintln!("usage: cargo xtask codegen [--check]");
            ExitCode::from(2)
        }
    }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

fn codegen(mode: Mode) -> ExitCode {
    let root = workspace_root();
    let result = Config::load(&root.join("specs/codegen.toml")).and_then(|config| {
        let request = telephony_codegen::request_from_config(&config, &root);
        telephony_codegen::run(&request, &config.krate.output, mode)
    });
    match result {
        Ok(changes) if mode == Mode::Check => {
            if changes.is_empty() {
                println!("generated/ is up to date");
                ExitCode::SUCCESS
            } else {
                changes.iter().for_each(|c| {
                    eprintln!(
                        "{}",
                        c.to_string().replace(&format!("{}/", root.display()), "")
                    )
                });
                eprintln!("generated/ is stale: run `cargo xtask codegen`");
                ExitCode::FAILURE
            }
        }
        Ok(changes) => {
            changes.iter().for_each(|c| {
                println!(
                    "{}",
                    c.to_string().replace(&format!("{}/", root.display()), "")
                )
            });
            println!("generated/: {} file(s) changed", changes.len());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
