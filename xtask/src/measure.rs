//! Running child processes, measuring them, and printing the figures: what every part of the
//! bench shares. Figures are printed, never asserted (the machine is shared and noisy).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// One measured process: wall and CPU time, peak resident memory of its largest process.
#[derive(Debug, Clone, Copy)]
pub struct Cost {
    pub wall: Duration,
    pub cpu: Duration,
    pub peak_kb: u64,
}

/// Runs `command` to completion and measures it: the wall time from start to exit, and, from
/// the kernel (`wait4`), the CPU time (user + sys) and the peak resident set of the process and
/// of every descendant it waited for (for cargo: rustc), all to the microsecond. Its stderr
/// goes to `stderr_file`; fails with that text when it fails.
pub fn timed(mut command: Command, what: &str, stderr_file: &Path) -> Result<Cost, String> {
    let file = std::fs::File::create(stderr_file)
        .map_err(|e| format!("{}: {e}", stderr_file.display()))?;
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
            std::fs::read_to_string(stderr_file).unwrap_or_default()
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

/// Runs `command` untimed, returning its stdout; fails with its output when it fails.
pub fn run(mut command: Command, what: &str) -> Result<String, String> {
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

/// The cargo that runs this bench.
pub fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

/// The executable cargo reports having built, from `--message-format=json` output.
pub fn built_executable(messages: &str, name: &str) -> Option<PathBuf> {
    let target = format!("\"name\":\"{name}\"");
    messages
        .lines()
        .filter(|l| l.contains("\"compiler-artifact\"") && l.contains(&target))
        .find_map(|l| {
            let start = l.find("\"executable\":\"")? + "\"executable\":\"".len();
            let end = l[start..].find('"')? + start;
            Some(PathBuf::from(&l[start..end]))
        })
}

/// The median of timed runs.
pub fn median(samples: &mut [Duration]) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// Medians of several [`Cost`]s, each field on its own.
pub fn median_cost(samples: &[Cost]) -> Cost {
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
pub fn best_cost(samples: &[Cost]) -> Cost {
    Cost {
        wall: samples.iter().map(|c| c.wall).min().unwrap_or_default(),
        cpu: samples.iter().map(|c| c.cpu).min().unwrap_or_default(),
        peak_kb: samples.iter().map(|c| c.peak_kb).min().unwrap_or_default(),
    }
}

/// `a / b` in seconds.
pub fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64()
}

pub fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

pub fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

pub fn mib(kb: u64) -> String {
    format!("{:.0} MiB", kb as f64 / 1024.0)
}

pub fn verdict(met: bool) -> &'static str {
    if met {
        "met"
    } else {
        "NOT met"
    }
}

/// The machine's load average over the last minute, as the kernel prints it.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|t| t.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "unknown".into())
}

/// This process's peak resident memory (`VmHWM`), in KiB.
pub fn peak_rss_kb() -> Option<u64> {
    std::fs::read_to_string("/proc/self/status")
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Cores, CPU model, memory and load, printed before any figure.
pub fn print_machine() {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|v| v.trim_start_matches([' ', '\t', ':']).to_string())
        })
        .unwrap_or_else(|| "unknown".into());
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .map(|kb| format!("{:.1} GiB", kb as f64 / 1024.0 / 1024.0))
        .unwrap_or_else(|| "unknown".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!(
        "machine: {cores} cores, CPU {cpu}, memory {memory}, load average {} at start",
        load_average()
    );
}
