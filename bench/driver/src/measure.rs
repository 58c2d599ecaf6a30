//! The measurements of one row (one server), each on freshly spawned processes.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::servers::Server;
use crate::session::Session;

/// The knobs of a run (see `--help`).
#[derive(Debug, Clone)]
pub struct Config {
    /// Sequential round trips per measurement.
    pub seq: u64,
    /// Pipelined requests per measurement.
    pub pipe: u64,
    /// How many times each throughput is measured (the median is reported).
    pub repeat: usize,
    /// Untimed sequential requests after each handshake.
    pub warmup: u64,
    /// Spawns timed for the startup column (median).
    pub startup_runs: usize,
    /// Requests written without waiting for the backpressure RSS column.
    pub backpressure: u64,
    /// Sequential requests counted by the allocation shim.
    pub alloc_requests: u64,
    /// The allocation-counting shim (`alloc-count.so`), if built.
    pub alloc_shim: Option<PathBuf>,
    /// Sequential round trips traced by strace (its column is off when `strace` is `None`).
    pub strace_requests: u64,
    /// The strace program, if found.
    pub strace: Option<PathBuf>,
    /// How long one server process may live before it is killed.
    pub timeout: Duration,
    /// Where servers' stderr, strace output and allocation counts go.
    pub log_dir: PathBuf,
}

/// A cell that may be unavailable for a reason that is not the server's fault.
#[derive(Debug, Clone)]
pub enum Cell {
    /// The measured value.
    Value(f64),
    /// Not measured, and why (a tool is missing, ...).
    Skipped(String),
}

/// The measured row of one server.
#[derive(Debug, Clone)]
pub struct Row {
    /// Sequential round trips per second (median).
    pub seq: f64,
    /// Pipelined requests per second (median).
    pub pipe: f64,
    /// Heap allocations per request.
    pub allocs: Cell,
    /// Syscalls per sequential round trip.
    pub syscalls: Cell,
    /// Peak RSS after the handshake and a sequential run, KiB (median).
    pub rss_idle_kib: u64,
    /// Peak RSS after `backpressure` requests written without waiting, KiB.
    pub rss_backpressure_kib: u64,
    /// Spawn to initialize result, milliseconds (median).
    pub startup_ms: f64,
}

/// Measures every column of every server's row. The throughput runs are interleaved
/// (round k measures each server once, in list order) so that noisy stretches of the
/// machine fall evenly on all rows; the memory-hungry backpressure run and the traced
/// runs come after all of them, so no row is measured while the kernel is still
/// reclaiming another server's memory. An error means that server misbehaved (a wrong
/// reply, a crash, a hang): its row has failed, the others go on.
pub fn rows(servers: &[&Server], cfg: &Config) -> Vec<Result<Row, String>> {
    let mut partial: Vec<Result<Partial, String>> = servers
        .iter()
        .map(|server| {
            eprintln!("{}: {}", server.name, server.command_line);
            let log = Log::new(cfg, server)?;
            let startup_ms = startup(server, cfg, &log)?;
            eprintln!("  startup: {startup_ms:.2} ms (median of {})", cfg.startup_runs.max(1));
            Ok(Partial { log, startup_ms, seq: Vec::new(), pipe: Vec::new(), rss_idle: Vec::new() })
        })
        .collect();
    for k in 1..=cfg.repeat.max(1) {
        for (server, p) in servers.iter().zip(partial.iter_mut()) {
            let Ok(part) = p else { continue };
            match throughput(server, cfg, &part.log) {
                Ok((seq, pipe, rss)) => {
                    eprintln!(
                        "  {} run {k}/{}: sequential {seq:.0} rt/s, pipelined {pipe:.0} req/s",
                        server.name, cfg.repeat
                    );
                    part.seq.push(seq);
                    part.pipe.push(pipe);
                    part.rss_idle.push(rss);
                }
                Err(e) => *p = Err(e),
            }
        }
    }
    servers
        .iter()
        .zip(partial)
        .map(|(server, p)| {
            let mut part = p?;
            eprintln!("{}: memory, allocations and syscalls", server.name);
            let mut session = ready_session(server, cfg, &part.log)?;
            session
                .pipelined(cfg.backpressure, Some(Duration::from_millis(500)))
                .map_err(context("backpressure run"))?;
            let rss_backpressure_kib = session.peak_rss_kib()?;
            finish(session)?;
            eprintln!("  peak RSS with {} requests in flight: {rss_backpressure_kib} KiB", cfg.backpressure);
            let allocs = allocs_per_request(server, cfg, &part.log).map_err(context("allocation count"))?;
            eprintln!("  allocations per request: {}", cell_text(&allocs));
            let syscalls = syscalls_per_round_trip(server, cfg, &part.log).map_err(context("strace run"))?;
            eprintln!("  syscalls per round trip: {}", cell_text(&syscalls));
            Ok(Row {
                seq: median(&mut part.seq),
                pipe: median(&mut part.pipe),
                allocs,
                syscalls,
                rss_idle_kib: median(&mut part.rss_idle) as u64,
                rss_backpressure_kib,
                startup_ms: part.startup_ms,
            })
        })
        .collect()
}

/// What is known of a row between the phases of [`rows`].
struct Partial {
    log: Log,
    startup_ms: f64,
    seq: Vec<f64>,
    pipe: Vec<f64>,
    rss_idle: Vec<f64>,
}

/// Median time from spawn to the initialize reply, in milliseconds.
fn startup(server: &Server, cfg: &Config, log: &Log) -> Result<f64, String> {
    let mut startups = Vec::new();
    for _ in 0..cfg.startup_runs.max(1) {
        let mut session = Session::spawn(log.command(server.command())?, cfg.timeout)?;
        startups.push(session.handshake().map_err(context("handshake"))?.as_secs_f64() * 1e3);
        finish(session)?;
    }
    Ok(median(&mut startups))
}

/// One sequential and one pipelined measurement: round trips/s, requests/s, and the
/// peak RSS (KiB) of the sequential session.
fn throughput(server: &Server, cfg: &Config, log: &Log) -> Result<(f64, f64, f64), String> {
    let mut session = ready_session(server, cfg, log)?;
    let took = session.sequential(cfg.seq).map_err(context("sequential run"))?;
    let rss = session.peak_rss_kib()? as f64;
    finish(session)?;
    let seq = cfg.seq as f64 / took.as_secs_f64();

    let mut session = ready_session(server, cfg, log)?;
    let took = session.pipelined(cfg.pipe, None).map_err(context("pipelined run"))?;
    finish(session)?;
    Ok((seq, cfg.pipe as f64 / took.as_secs_f64(), rss))
}

/// Spawns the server, does the handshake and the untimed warm-up requests.
fn ready_session(server: &Server, cfg: &Config, log: &Log) -> Result<Session, String> {
    let session = Session::spawn(log.command(server.command())?, cfg.timeout)?;
    warm_up(session, cfg)
}

/// Does the handshake and the untimed warm-up requests.
fn warm_up(mut session: Session, cfg: &Config) -> Result<Session, String> {
    session.handshake().map_err(context("handshake"))?;
    session.sequential(cfg.warmup).map_err(context("warm-up"))?;
    Ok(session)
}

/// Prefixes an error with the phase it happened in.
fn context(phase: &'static str) -> impl Fn(String) -> String {
    move |e| format!("{phase}: {e}")
}

/// A cell for the progress output.
fn cell_text(cell: &Cell) -> String {
    match cell {
        Cell::Value(v) => format!("{v:.2}"),
        Cell::Skipped(why) => format!("n/a ({why})"),
    }
}

/// Closes a session, warning (not failing) when the server exits unsuccessfully.
fn finish(session: Session) -> Result<(), String> {
    let status = session.close()?;
    if !status.success() {
        eprintln!("  ! the server exited with {status}");
    }
    Ok(())
}

/// Heap allocations per sequential request, counted by the LD_PRELOAD shim:
/// the count after the warm-up and after `alloc_requests` more requests.
fn allocs_per_request(server: &Server, cfg: &Config, log: &Log) -> Result<Cell, String> {
    let Some(shim) = &cfg.alloc_shim else {
        return Ok(Cell::Skipped("no allocation shim (is a C compiler installed?)".into()));
    };
    let n = cfg.alloc_requests.max(1);
    let count_file = log.path("allocs");
    let mut command = server.command();
    command.env("LD_PRELOAD", shim).env("ALLOC_COUNT_FILE", &count_file);
    let mut session = warm_up(Session::spawn(log.command(command)?, cfg.timeout)?, cfg)?;
    let Some(before) = alloc_count(session.pid(), &count_file) else {
        return Ok(Cell::Skipped("the shim did not report (a static binary?)".into()));
    };
    session.sequential(n)?;
    let Some(after) = alloc_count(session.pid(), &count_file) else {
        return Ok(Cell::Skipped("the shim did not report".into()));
    };
    finish(session)?;
    Ok(Cell::Value(after.saturating_sub(before) as f64 / n as f64))
}

/// Asks the shim in process `pid` for its count (SIGUSR2) and reads it from
/// `<prefix>.<pid>`, where the shim writes it.
fn alloc_count(pid: u32, prefix: &Path) -> Option<u64> {
    let mut file = prefix.as_os_str().to_owned();
    file.push(format!(".{pid}"));
    let file = PathBuf::from(file);
    std::fs::remove_file(&file).ok();
    let signalled = Command::new("kill").args(["-USR2", &pid.to_string()]).status();
    if !signalled.is_ok_and(|s| s.success()) {
        return None;
    }
    let deadline = Instant::now() + Duration::from_secs(2);
    while Instant::now() < deadline {
        if let Ok(text) = std::fs::read_to_string(&file)
            && let Some(count) = text.strip_prefix("allocs ").and_then(|t| t.strip_suffix('\n'))
        {
            return count.parse().ok();
        }
        thread::sleep(Duration::from_millis(1));
    }
    None
}

/// Syscalls per sequential round trip: strace's total count over a session
/// with `strace_requests` round trips, minus one with none, divided by their number.
fn syscalls_per_round_trip(server: &Server, cfg: &Config, log: &Log) -> Result<Cell, String> {
    let Some(strace) = &cfg.strace else {
        return Ok(Cell::Skipped("strace is not installed".into()));
    };
    if cfg.strace_requests == 0 {
        return Ok(Cell::Skipped("turned off".into()));
    }
    let with = strace_total(server, cfg, log, strace, cfg.strace_requests)?;
    let without = strace_total(server, cfg, log, strace, 0)?;
    Ok(match (with, without) {
        (Some(with), Some(without)) => Cell::Value((with as f64 - without as f64) / cfg.strace_requests as f64),
        _ => Cell::Skipped("strace gave no summary (is ptrace allowed here?)".into()),
    })
}

/// The total syscall count of one traced session (handshake, warm-up, `n` round trips).
fn strace_total(server: &Server, cfg: &Config, log: &Log, strace: &Path, n: u64) -> Result<Option<u64>, String> {
    let summary = log.path("strace");
    std::fs::remove_file(&summary).ok();
    let mut command = Command::new(strace);
    command
        .args(["-f", "-c", "-U", "calls,name", "-o"])
        .arg(&summary)
        .arg("--")
        .arg(&server.program)
        .args(&server.args)
        .current_dir(&server.dir);
    let mut session = warm_up(Session::spawn(log.command(command)?, cfg.timeout)?, cfg)?;
    session.sequential(n)?;
    finish(session)?; // strace exits after the server, having written the summary
    let Ok(text) = std::fs::read_to_string(&summary) else {
        return Ok(None);
    };
    Ok(text.lines().find_map(|line| {
        let mut words = line.split_whitespace();
        let calls = words.next()?;
        (words.next()? == "total").then(|| calls.parse().ok())?
    }))
}

/// The median of `values` (0 when empty).
pub fn median(values: &mut [f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 { values[mid] } else { (values[mid - 1] + values[mid]) / 2.0 }
}

/// Where one row's server stderr and side files go.
struct Log {
    dir: PathBuf,
    slug: String,
}

impl Log {
    /// Starts the row's logs afresh.
    fn new(cfg: &Config, server: &Server) -> Result<Log, String> {
        std::fs::create_dir_all(&cfg.log_dir).map_err(|e| format!("cannot create {}: {e}", cfg.log_dir.display()))?;
        // "rmcp stdio_pipes()" -> "rmcp-stdio_pipes"
        let slug = server
            .name
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .filter(|word| !word.is_empty())
            .collect::<Vec<_>>()
            .join("-");
        let log = Log { dir: cfg.log_dir.clone(), slug };
        File::create(log.path("stderr.log")).map_err(|e| format!("cannot create a log: {e}"))?;
        Ok(log)
    }

    /// The row's side file with this extension.
    fn path(&self, extension: &str) -> PathBuf {
        self.dir.join(format!("{}.{extension}", self.slug))
    }

    /// `command` with its stderr appended to the row's log.
    fn command(&self, mut command: Command) -> Result<Command, String> {
        let file = OpenOptions::new()
            .append(true)
            .open(self.path("stderr.log"))
            .map_err(|e| format!("cannot open the log: {e}"))?;
        command.stderr(Stdio::from(file));
        Ok(command)
    }
}
