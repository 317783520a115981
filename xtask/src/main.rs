//! `cargo xtask codegen [--check]`: regenerate `generated/` from `specs/codegen.toml`.
//! `cargo xtask bench`: generator and client benchmarks (see BENCHMARKS.md).

mod bench;
mod bodies;
mod build_cost;
mod callers;
#[cfg(feature = "bench")]
mod client_bench;
mod crates;
mod doc_pages;
mod feature_cost;
mod generators;
mod in_process;
mod measure;
mod rebuild;
mod scratch;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use telephony_codegen::{config::Config, Mode, Report};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["codegen"] => codegen(Mode::Write),
        ["codegen", "--check"] => codegen(Mode::Check),
        ["bench", rest @ ..] => bench::main(&workspace_root(), rest),
        // Hidden: one measured task in a fresh process, for peak memory.
        ["bench-child", task, spec] => in_process::child(task, Path::new(spec)),
        _ => {
            eprintln!("usage: cargo xtask codegen [--check]\n       cargo xtask bench --help");
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
        let (reviews, report) =
            telephony_codegen::run_reviewed(&request, &config.krate.output, mode)?;
        reviews.iter().for_each(|r| print!("{r}"));
        // What each provider-neutral module can and cannot do, so a spec bump that changes
        // the support matrix shows here too.
        for family in telephony_codegen::families(&request)? {
            print!("{}", family.report());
        }
        Ok(report)
    });
    match result {
        Ok(report) => print_report(&report, mode, &root),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Prints what `codegen` changed and kept, or what `--check` found stale, with paths relative
/// to the workspace root.
fn print_report(report: &Report, mode: Mode, root: &Path) -> ExitCode {
    let relative = |text: String| text.replace(&format!("{}/", root.display()), "");
    report
        .warnings
        .iter()
        .for_each(|w| eprintln!("warning: {w}"));
    match mode {
        Mode::Write => {
            print!("{}", relative(report.to_string()));
            ExitCode::SUCCESS
        }
        Mode::Check if report.is_empty() => {
            println!("generated/ is up to date");
            ExitCode::SUCCESS
        }
        Mode::Check => {
            report
                .iter()
                .for_each(|c| eprintln!("{}", relative(c.to_string())));
            eprintln!("generated/ is stale: run `cargo xtask codegen`");
            ExitCode::FAILURE
        }
    }
}
