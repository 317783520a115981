//! `telephony-codegen`: generate a standalone client crate from any OpenAPI spec.

use clap::{ArgAction, ArgMatches, CommandFactory, FromArgMatches, Parser};
use std::path::PathBuf;
use std::process::ExitCode;
use telephony_codegen::config::{EnvironmentSettings, SettingsOrigin};
use telephony_codegen::error::Error;
use telephony_codegen::family::FamilySpec;
use telephony_codegen::{
    naming, CrateRequest, Mode, ModuleRequest, Report, RuntimeCrate, Selection,
};

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

/// Generates a typed async Rust client crate from OpenAPI 3.0/3.1 specs: one module per spec.
///
/// Crate options may go anywhere. Module options belong to the spec they follow (those given
/// before the first spec belong to it), so one command line says what `codegen.toml` says.
#[derive(Debug, Parser)]
#[command(
    name = "telephony-codegen",
    version,
    override_usage = "telephony-codegen [CRATE OPTIONS] SPEC [MODULE OPTIONS] [SPEC [MODULE OPTIONS]]...",
    after_help = EXAMPLE
)]
struct Cli {
    /// An OpenAPI spec (YAML or JSON): one module of the crate. Repeat for more modules.
    #[arg(value_name = "SPEC", required = true)]
    specs: Vec<PathBuf>,

    /// An operationId to generate; repeat for more.
    #[arg(long = "operation", short = 'o', value_name = "ID", help_heading = MODULE)]
    operations: Vec<String>,
    /// Generate every operation in the spec.
    // Appended, not counted, so that each occurrence keeps its place on the command line.
    #[arg(
        long,
        action = ArgAction::Append,
        num_args = 0,
        default_missing_value = "true",
        value_parser = clap::value_parser!(bool),
        help_heading = MODULE
    )]
    all: Vec<bool>,
    /// The module the spec's client goes into [default: the spec's `info.title` in snake_case,
    /// without the word `api`, e.g. `twilio` for "Twilio - Api"; else `api`].
    #[arg(long = "module", value_name = "NAME", help_heading = MODULE)]
    modules: Vec<String>,
    /// A path parameter that defaults to the client's account (the Basic username), such as
    /// `AccountSid`: it is then no argument of the operations (`client.account(…)` sets another).
    #[arg(long = "account-parameter", value_name = "NAME", help_heading = MODULE)]
    account_parameters: Vec<String>,
    /// The dotted prefix of the spec's schema names that type names leave out, such as
    /// `api.v2010.account` (`api.v2010.account.conference.participant` becomes
    /// `ConferenceParticipant`).
    #[arg(long = "schema-namespace", value_name = "PREFIX", help_heading = MODULE)]
    schema_namespaces: Vec<String>,
    /// The environment variable `Client::from_env` reads the Basic username (and account)
    /// from, such as `TWILIO_ACCOUNT_SID`; `A,B` reads the first of them that is set.
    #[arg(long = "env-username", value_name = "VARS", help_heading = ENVIRONMENT)]
    env_usernames: Vec<String>,
    /// The variable(s) of the Basic password, such as `TWILIO_AUTH_TOKEN`.
    #[arg(long = "env-password", value_name = "VARS", help_heading = ENVIRONMENT)]
    env_passwords: Vec<String>,
    /// The variable(s) of an API key, such as `TWILIO_API_KEY`: with its secret, the Basic
    /// pair instead of username and password (the username stays the account).
    #[arg(long = "env-api-key", value_name = "VARS", help_heading = ENVIRONMENT)]
    env_api_keys: Vec<String>,
    /// The variable(s) of the API key's secret, such as `TWILIO_API_SECRET`.
    #[arg(long = "env-api-secret", value_name = "VARS", help_heading = ENVIRONMENT)]
    env_api_secrets: Vec<String>,
    /// The base URL's host as a template with `{name}` placeholders, such as
    /// `api.{edge}.{region}.twilio.com` (scheme and path are the spec server's).
    #[arg(long = "env-host", value_name = "TEMPLATE", help_heading = ENVIRONMENT)]
    env_hosts: Vec<String>,
    /// A placeholder's variable(s), such as `region=TWILIO_REGION`. Repeat for each.
    #[arg(long = "env-variable", value_name = "NAME=VARS", help_heading = ENVIRONMENT)]
    env_variables: Vec<String>,
    /// A placeholder's value when its variables are not set, such as `region=us1`.
    #[arg(long = "env-default", value_name = "NAME=VALUE", help_heading = ENVIRONMENT)]
    env_defaults: Vec<String>,

    /// Print the support matrix of the (one) spec and this other spec, their operations and
    /// fields matched as a `[[family]]` in codegen.toml matches them, and exit.
    #[arg(long, value_name = "SPEC", conflicts_with_all = ["out", "check"])]
    portability: Option<PathBuf>,
    /// The crate directory to write (Cargo.toml, src/, examples/). Only files the generator
    /// wrote are replaced or removed; everything else there is left as it is.
    #[arg(long, value_name = "DIR", required_unless_present_any = ["list", "portability"])]
    out: Option<PathBuf>,
    /// The crate's package name [default: the first module's name, `-client` added, `_` as `-`].
    #[arg(long, value_name = "NAME")]
    crate_name: Option<String>,
    /// The crate's version.
    #[arg(long, value_name = "VERSION", default_value = "0.1.0")]
    crate_version: String,
    /// Write nothing; exit 1 if the output directory is not up to date.
    #[arg(long)]
    check: bool,
    /// Treat warnings about the specs as errors.
    #[arg(long)]
    strict: bool,
    /// Use this existing runtime crate (another client's) instead of writing one in
    /// `<out>/runtime/`; give its folder with --runtime-path.
    #[arg(long, value_name = "PACKAGE", requires = "runtime_path")]
    runtime_package: Option<String>,
    /// The existing runtime crate's folder, relative to the output directory.
    #[arg(long, value_name = "DIR", requires = "runtime_package")]
    runtime_path: Option<String>,
    /// A provider-neutral module over two or more of the crate's modules, as `[[family]]` in
    /// codegen.toml: `NAME=MODULE,MODULE` (the first module's names are the neutral ones).
    /// Repeat for more.
    #[arg(long = "family", value_name = "NAME=MODULES")]
    families: Vec<String>,
    /// A neutral type or method name instead of the first module's, `FROM=TO`, for every
    /// family (as `renames` of `[[family]]`). Repeat for more.
    #[arg(long = "family-rename", value_name = "FROM=TO")]
    family_renames: Vec<String>,
    /// Print the spec's operationIds and exit.
    #[arg(long, conflicts_with_all = ["operations", "all", "out", "check"])]
    list: bool,
}

const MODULE: &str = "Module options (for the spec they follow)";
const ENVIRONMENT: &str =
    "Module options: settings from the environment (`[module.environment]` in codegen.toml)";

const EXAMPLE: &str = "Example (a crate of two modules):
  telephony-codegen --out generated --crate-name telephony-client \\
    specs/twilio.yaml --module twilio --account-parameter AccountSid \\
      --schema-namespace api.v2010.account -o UpdateParticipant -o FetchParticipant \\
    specs/signalwire.yaml --module signalwire --account-parameter AccountSid --all";

fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    if cli.list {
        let [spec] = cli.specs.as_slice() else {
            usage_error("--list reads one spec: name only one");
        };
        let source = spec.display().to_string();
        return match telephony_codegen::operation_ids(spec, &source) {
            Ok(ids) => {
                ids.iter().for_each(|id| say(format_args!("{id}\n")));
                ExitCode::SUCCESS
            }
            Err(e) => fail(&e),
        };
    }
    if let Some(other) = &cli.portability {
        let [spec] = cli.specs.as_slice() else {
            usage_error("--portability compares one spec with another: name only one before it");
        };
        let name = |path: &std::path::Path| {
            path.file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default()
        };
        let (a, b) = (name(spec), name(other));
        return match telephony_codegen::portability((&a, spec), (&b, other)) {
            Ok(family) => {
                say(format_args!("{}", family.report()));
                ExitCode::SUCCESS
            }
            Err(e) => fail(&e),
        };
    }
    let request = match crate_request(&cli, &matches) {
        Ok(request) => request,
        Err(e) => return fail(&e),
    };
    let out = cli.out.unwrap_or_default();
    let mode = if cli.check { Mode::Check } else { Mode::Write };
    match telephony_codegen::run_reviewed(&request, &out, mode) {
        Ok((reviews, report)) => {
            reviews.iter().for_each(|r| say(format_args!("{r}")));
            print_report(&report, mode)
        }
        Err(e) => fail(&e),
    }
}

/// One spec's module options, gathered from where they stand on the command line.
#[derive(Debug, Default)]
struct ModuleArgs {
    operations: Vec<String>,
    all: bool,
    module: Option<String>,
    account_parameter: Option<String>,
    schema_namespace: Option<String>,
    environment: EnvironmentArgs,
}

/// One spec's `--env-…` options, as written.
#[derive(Debug, Default)]
struct EnvironmentArgs {
    username: Option<String>,
    password: Option<String>,
    api_key: Option<String>,
    api_secret: Option<String>,
    host: Option<String>,
    variables: Vec<String>,
    defaults: Vec<String>,
}

impl EnvironmentArgs {
    /// The settings they make; `None` when no `--env-…` option is given. `spec` names the
    /// module in usage errors.
    fn settings(self, spec: &str) -> Option<EnvironmentSettings> {
        let list = |vars: Option<String>| -> Vec<String> {
            vars.map(|v| v.split(',').map(str::to_string).collect())
                .unwrap_or_default()
        };
        let given = self.username.is_some()
            || self.password.is_some()
            || self.api_key.is_some()
            || self.api_secret.is_some()
            || self.host.is_some()
            || !self.variables.is_empty()
            || !self.defaults.is_empty();
        if !given {
            return None;
        }
        let pairs =
            |items: Vec<String>, flag: &str| -> std::collections::BTreeMap<String, String> {
                let mut map = std::collections::BTreeMap::new();
                for item in items {
                    let Some((name, value)) = item.split_once('=') else {
                        usage_error(&format!("{flag} takes `{item}`: expected NAME=VALUE"));
                    };
                    if map.insert(name.to_string(), value.to_string()).is_some() {
                        usage_error(&format!("{flag} names `{name}` twice for {spec}"));
                    }
                }
                map
            };
        Some(EnvironmentSettings {
            username: list(self.username),
            password: list(self.password),
            api_key: list(self.api_key),
            api_secret: list(self.api_secret),
            host: self.host,
            variables: pairs(self.variables, "--env-variable")
                .into_iter()
                .map(|(name, vars)| (name, list(Some(vars))))
                .collect(),
            defaults: pairs(self.defaults, "--env-default"),
            origin: SettingsOrigin::CommandLine,
        })
    }
}

/// Each spec's module options: an option belongs to the last spec before it, or to the first
/// spec when it comes before every spec. A usage error (exit 2) when one module is given an
/// option twice, both `--all` and `--operation`, or neither.
fn module_args(cli: &Cli, matches: &ArgMatches) -> Vec<ModuleArgs> {
    let spec_at: Vec<usize> = matches
        .indices_of("specs")
        .map(Iterator::collect)
        .unwrap_or_default();
    let owner = |index: usize| spec_at.iter().filter(|at| **at < index).count().max(1) - 1;
    let mut modules: Vec<ModuleArgs> = cli.specs.iter().map(|_| ModuleArgs::default()).collect();
    let spec_name = |i: usize| cli.specs[i].display().to_string();
    let placed = |id: &str| -> Vec<(usize, String)> {
        let indices = matches.indices_of(id).into_iter().flatten();
        let values = matches
            .get_many::<String>(id)
            .into_iter()
            .flatten()
            .cloned();
        indices.zip(values).map(|(at, v)| (owner(at), v)).collect()
    };
    for (i, id) in placed("operations") {
        modules[i].operations.push(id);
    }
    for at in matches.indices_of("all").into_iter().flatten() {
        modules[owner(at)].all = true;
    }
    for (i, value) in placed("env_variables") {
        modules[i].environment.variables.push(value);
    }
    for (i, value) in placed("env_defaults") {
        modules[i].environment.defaults.push(value);
    }
    for (flag, id) in [
        ("--module", "modules"),
        ("--account-parameter", "account_parameters"),
        ("--schema-namespace", "schema_namespaces"),
        ("--env-username", "env_usernames"),
        ("--env-password", "env_passwords"),
        ("--env-api-key", "env_api_keys"),
        ("--env-api-secret", "env_api_secrets"),
        ("--env-host", "env_hosts"),
    ] {
        for (i, value) in placed(id) {
            let m = &mut modules[i];
            let slot = match flag {
                "--module" => &mut m.module,
                "--account-parameter" => &mut m.account_parameter,
                "--schema-namespace" => &mut m.schema_namespace,
                "--env-username" => &mut m.environment.username,
                "--env-password" => &mut m.environment.password,
                "--env-api-key" => &mut m.environment.api_key,
                "--env-api-secret" => &mut m.environment.api_secret,
                _ => &mut m.environment.host,
            };
            if slot.replace(value).is_some() {
                usage_error(&format!("{flag} is given twice for {}", spec_name(i)));
            }
        }
    }
    for (i, m) in modules.iter().enumerate() {
        match (m.all, m.operations.is_empty()) {
            (true, false) => usage_error(&format!(
                "--all and --operation both given for {}: choose one",
                spec_name(i)
            )),
            (false, true) => usage_error(&format!(
                "name the operations of {} with --operation ID (repeatable), or pass --all",
                spec_name(i)
            )),
            _ => {}
        }
    }
    modules
}

/// The crate the command line describes; names it leaves out come from the specs' titles.
fn crate_request(cli: &Cli, matches: &ArgMatches) -> Result<CrateRequest, Error> {
    let mut modules = Vec::with_capacity(cli.specs.len());
    for (spec, args) in cli.specs.iter().zip(module_args(cli, matches)) {
        let source = spec.display().to_string();
        let module = match args.module {
            Some(module) => module,
            None => naming::module_name_from_title(&telephony_codegen::spec_title(spec, &source)?),
        };
        modules.push(ModuleRequest {
            module,
            spec: spec.clone(),
            source,
            selection: if args.all {
                Selection::All
            } else {
                Selection::Ids(args.operations)
            },
            account_parameter: args.account_parameter,
            schema_namespace: args.schema_namespace,
            environment: args.environment.settings(&spec.display().to_string()),
        });
    }
    let name = match (&cli.crate_name, modules.first()) {
        (Some(name), _) => name.clone(),
        (None, Some(first)) => naming::crate_name_for_module(&first.module),
        (None, None) => usage_error("name a spec"),
    };
    Ok(CrateRequest {
        name,
        version: cli.crate_version.clone(),
        modules,
        strict: cli.strict,
        runtime: match (&cli.runtime_package, &cli.runtime_path) {
            (Some(package), Some(path)) => RuntimeCrate::Shared {
                package: package.clone(),
                path: path.clone(),
            },
            _ => RuntimeCrate::Own,
        },
        families: families(cli),
    })
}

/// `--family NAME=A,B` and `--family-rename FROM=TO`, as codegen.toml's `[[family]]`.
fn families(cli: &Cli) -> Vec<FamilySpec> {
    let pair = |text: &str, what: &str| -> (String, String) {
        match text.split_once('=') {
            Some((a, b)) if !a.is_empty() && !b.is_empty() => (a.to_string(), b.to_string()),
            _ => usage_error(&format!("{what} takes `{text}`: expected the form A=B")),
        }
    };
    let renames: std::collections::BTreeMap<String, String> = cli
        .family_renames
        .iter()
        .map(|r| pair(r, "--family-rename"))
        .collect();
    cli.families
        .iter()
        .map(|f| {
            let (name, modules) = pair(f, "--family");
            FamilySpec {
                name,
                modules: modules.split(',').map(str::to_string).collect(),
                renames: renames.clone(),
            }
        })
        .collect()
}

/// Exits with clap's usage error (status 2).
fn usage_error(message: &str) -> ! {
    Cli::command()
        .error(clap::error::ErrorKind::ArgumentConflict, message)
        .exit()
}

/// Prints what a write changed and kept, or what `--check` found stale (exit 1 when stale).
fn print_report(report: &Report, mode: Mode) -> ExitCode {
    report
        .warnings
        .iter()
        .for_each(|w| eprintln!("warning: {w}"));
    match mode {
        Mode::Write => {
            say(format_args!("{report}"));
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

/// Writes to stdout. A reader that has gone (`… | head`) ends the output, not the run: the
/// files are written either way, and `print!` would panic.
fn say(text: std::fmt::Arguments<'_>) {
    use std::io::Write;
    if let Err(e) = std::io::stdout().lock().write_fmt(text) {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("error: writing the report to stdout: {e}");
        }
    }
}

fn fail(e: &Error) -> ExitCode {
    eprintln!("error: {e}");
    ExitCode::FAILURE
}
