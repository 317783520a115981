//! `telephony-codegen`: generate a standalone client crate from any OpenAPI spec.

use clap::Parser;
use std::path::PathBuf;
use std::process::ExitCode;
use telephony_codegen::{CrateRequest, Mode, ModuleRequest, Report, RuntimeCrate, Selection};

/// Generation makes millions of small allocations (YAML and JSON trees, token streams, syntax
/// trees): mimalloc takes about a third off the whole run's CPU time against glibc's malloc.
#[global_allocator]
static ALLOCATOR: Mimalloc = Mimalloc;

/// mimalloc, asked for a plain block whenever every block is aligned enough (8 bytes): its
/// aligned entry points, which the `mimalloc` crate always takes, cost ~20 instructions more
/// on each of a run's ~4 million allocations.
struct Mimalloc;

/// The alignment of every mimalloc block.
const BLOCK_ALIGN: usize = 8;

// SAFETY: every block comes from mimalloc with at least the layout's alignment (plain blocks
// only when the layout asks for no more than `BLOCK_ALIGN`), and goes back to it.
unsafe impl std::alloc::GlobalAlloc for Mimalloc {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        use libmimalloc_sys::{mi_malloc, mi_malloc_aligned};
        if layout.align() <= BLOCK_ALIGN {
            mi_malloc(layout.size()).cast()
        } else {
            mi_malloc_aligned(layout.size(), layout.align()).cast()
        }
    }

    unsafe fn alloc_zeroed(&self, layout: std::alloc::Layout) -> *mut u8 {
        use libmimalloc_sys::{mi_zalloc, mi_zalloc_aligned};
        if layout.align() <= BLOCK_ALIGN {
            mi_zalloc(layout.size()).cast()
        } else {
            mi_zalloc_aligned(layout.size(), layout.align()).cast()
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, _layout: std::alloc::Layout) {
        libmimalloc_sys::mi_free(ptr.cast());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, size: usize) -> *mut u8 {
        use libmimalloc_sys::{mi_realloc, mi_realloc_aligned};
        if layout.align() <= BLOCK_ALIGN {
            mi_realloc(ptr.cast(), size).cast()
        } else {
            mi_realloc_aligned(ptr.cast(), size, layout.align()).cast()
        }
    }
}

/// Generates a typed async Rust client crate from an OpenAPI 3.0/3.1 spec.
#[derive(Debug, Parser)]
#[command(name = "telephony-codegen", version)]
struct Cli {
    /// The OpenAPI spec (YAML or JSON).
    spec: PathBuf,
    /// An operationId to generate; repeat for more.
    #[arg(long = "operation", short = 'o', value_name = "ID")]
    operations: Vec<String>,
    /// Generate every operation in the spec.
    #[arg(long, conflicts_with = "operations")]
    all: bool,
    /// Print the spec's operationIds and exit.
    #[arg(long, conflicts_with_all = ["operations", "all"])]
    list: bool,
    /// The crate directory to write (Cargo.toml, src/, examples/). Only files the generator
    /// wrote are replaced or removed; everything else there is left as it is.
    #[arg(long, value_name = "DIR", required_unless_present = "list")]
    out: Option<PathBuf>,
    /// The crate's package name.
    #[arg(long, default_value = "api-client")]
    crate_name: String,
    /// The module the spec's client goes into.
    #[arg(long, default_value = "api")]
    module: String,
    /// Write nothing; exit 1 if the output directory is not up to date.
    #[arg(long)]
    check: bool,
    /// Treat warnings about the spec as errors.
    #[arg(long)]
    strict: bool,
    /// Use this existing runtime crate (another client's) instead of writing one in
    /// `<out>/runtime/`; give its folder with --runtime-path.
    #[arg(long, value_name = "PACKAGE", requires = "runtime_path")]
    runtime_package: Option<String>,
    /// The existing runtime crate's folder, relative to the output directory.
    #[arg(long, value_name = "DIR", requires = "runtime_package")]
    runtime_path: Option<String>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let source = cli.spec.display().to_string();
    if cli.list {
        return match telephony_codegen::operation_ids(&cli.spec, &source) {
            Ok(ids) => {
                ids.iter().for_each(|id| println!("{id}"));
                ExitCode::SUCCESS
            }
            Err(e) => fail(&e),
        };
    }
    if !cli.all && cli.operations.is_empty() {
        eprintln!("error: name operations with --operation ID (repeatable), or pass --all");
        return ExitCode::from(2);
    }
    let request = CrateRequest {
        name: cli.crate_name.clone(),
        version: "0.1.0".into(),
        modules: vec![ModuleRequest {
            module: cli.module.clone(),
            spec: cli.spec.clone(),
            source,
            selection: if cli.all {
                Selection::All
            } else {
                Selection::Ids(cli.operations.clone())
            },
            account_parameter: None,
        }],
        strict: cli.strict,
        runtime: match (cli.runtime_package, cli.runtime_path) {
            (Some(package), Some(path)) => RuntimeCrate::Shared { package, path },
            _ => RuntimeCrate::Own,
        },
    };
    let out = cli.out.unwrap_or_default();
    let mode = if cli.check { Mode::Check } else { Mode::Write };
    match telephony_codegen::run_reviewed(&request, &out, mode) {
        Ok((reviews, report)) => {
            reviews.iter().for_each(|r| print!("{r}"));
            print_report(&report, mode)
        }
        Err(e) => fail(&e),
    }
}

/// Prints what a write changed and kept, or what `--check` found stale (exit 1 when stale).
fn print_report(report: &Report, mode: Mode) -> ExitCode {
    report
        .warnings
        .iter()
        .for_each(|w| eprintln!("warning: {w}"));
    match mode {
        Mode::Write => {
            print!("{report}");
            ExitCode::SUCCESS
        }
        Mode::Check if report.is_empty() => ExitCode::SUCCESS,
        Mode::Check => {
            report.iter().for_each(|c| eprintln!("{c}"));
            eprintln!("{} is out of date", report.dir.display());
            ExitCode::FAILURE
        }
    }
}

fn fail(e: &telephony_codegen::error::Error) -> ExitCode {
    eprintln!("error: {e}");
    ExitCode::FAILURE
}
