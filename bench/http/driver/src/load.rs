//! One cell of the table: one server process, N keep-alive clients, a timed run.
//!
//! The server is started fresh (on a free port, pinned with `taskset` when asked),
//! and the driver waits until the port accepts connections. Then N client threads
//! each open one connection, do their wire's handshake, and send echo requests for
//! the warm-up time; when all of them are warm (a barrier), the server's CPU time
//! is read and each client sends requests one after the other for the run time,
//! timing each. When all have stopped (each after its first reply past the end),
//! the server's CPU time and peak RSS are read again and the server is killed.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use crate::http::Url;
use crate::mcp::Client;
use crate::servers::Server;
use bench_common::http_server::{self, NotReady};
use bench_common::percentile;
use bench_common::procfs::{clock_ticks_per_second, cpu_ticks, peak_rss_kib};

/// The knobs of a run (see `--help`).
#[derive(Debug, Clone)]
pub struct Config {
    /// How long each cell's timed run lasts.
    pub run: Duration,
    /// How long each client sends untimed requests first.
    pub warmup: Duration,
    /// How long one response may take before the cell fails.
    pub read_timeout: Duration,
    /// How long a server may take to accept connections.
    pub startup_timeout: Duration,
    /// `taskset` and the CPU the servers are pinned to, when pinning.
    pub pin_server: Option<(PathBuf, usize)>,
    /// Where servers' output goes.
    pub log_dir: PathBuf,
}

/// What one cell measured.
#[derive(Debug, Clone)]
pub struct Cell {
    pub clients: usize,
    /// Requests answered in the timed run.
    pub requests: u64,
    /// From the start of the timed run to the last client's last reply.
    pub elapsed: Duration,
    pub p50: Duration,
    pub p99: Duration,
    /// Server CPU time (user + system, all threads) per request, µs.
    pub cpu_us: f64,
    /// The server's peak RSS (VmHWM) after the run, KiB.
    pub rss_kib: u64,
    /// The share of requests that took 36-48 ms (the Nagle/delayed-ACK signature).
    pub stall_share: f64,
    /// Connections the server closed (so clients had to reconnect) during the whole cell.
    pub reconnects: u64,
    /// The server's CPU use during the run, as a share of one CPU.
    pub server_cpu: f64,
    /// The driver's own CPU use during the run, as a share of one CPU.
    pub driver_cpu: f64,
}

impl Cell {
    pub fn rate(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }

    /// Whether the latencies show a Nagle/delayed-ACK stall: many requests (or the
    /// median) near 40 ms while the server is mostly idle. (A saturated server with
    /// many clients can have a 40 ms median from queueing alone.)
    pub fn stalled(&self) -> bool {
        let p50_ms = self.p50.as_secs_f64() * 1e3;
        (self.stall_share >= 0.05 || (30.0..=50.0).contains(&p50_ms)) && self.server_cpu < 0.5
    }
}

/// Why a cell could not be measured.
#[derive(Debug, Clone)]
pub enum Failure {
    /// The server exited before it listened on its port (a program that does not
    /// serve HTTP, or a broken one): the row is skipped.
    NoServer(String),
    /// Anything else: the cell failed.
    Failed(String),
}

impl From<String> for Failure {
    fn from(e: String) -> Failure {
        Failure::Failed(e)
    }
}

/// Runs one cell: `clients` clients against a fresh process of `server`.
pub fn measure(server: &Server, clients: usize, cfg: &Config) -> Result<Cell, Failure> {
    let port = http_server::free_port()?;
    let mut process = start(server, port, cfg)?;
    let pid = process.child.id();
    let url = Url::parse(&format!("http://127.0.0.1:{port}/mcp"))?;

    let barrier = Arc::new(Barrier::new(clients + 1));
    let threads: Vec<_> = (0..clients)
        .map(|_| {
            let (url, barrier, cfg) = (url.clone(), barrier.clone(), cfg.clone());
            let wire = server.wire;
            thread::Builder::new()
                .stack_size(256 * 1024)
                .spawn(move || client(&url, wire, &cfg, &barrier))
                .map_err(|e| format!("cannot start a client thread: {e}"))
        })
        .collect::<Result<_, _>>()?;
    barrier.wait();
    let cpu_before = cpu_ticks(pid);
    let driver_before = cpu_ticks(std::process::id());
    let start = Instant::now();
    let results: Vec<Result<(Vec<u64>, u64), String>> =
        threads.into_iter().map(|t| t.join().unwrap_or_else(|_| Err("a client thread panicked".into()))).collect();
    let elapsed = start.elapsed();
    let cpu_after = cpu_ticks(pid);
    let driver_after = cpu_ticks(std::process::id());
    let rss_kib = peak_rss_kib(pid);
    let exited = process.child.try_wait().ok().flatten();
    drop(process);

    let mut latencies = Vec::new();
    let mut reconnects = 0;
    let mut errors = Vec::new();
    for result in results {
        match result {
            Ok((l, r)) => {
                latencies.extend(l);
                reconnects += r;
            }
            Err(e) => errors.push(e),
        }
    }
    if let Some(status) = exited {
        errors.insert(0, format!("the server exited during the run ({status})"));
    }
    if !errors.is_empty() {
        let more =
            if errors.len() > 1 { format!(" (and {} more client errors)", errors.len() - 1) } else { String::new() };
        return Err(Failure::Failed(format!(
            "{}{more}; server output in {}",
            errors[0],
            log_path(cfg, server).display()
        )));
    }
    if latencies.is_empty() {
        return Err(Failure::Failed("no request completed".into()));
    }
    latencies.sort_unstable();
    let requests = latencies.len() as u64;
    let stalls = latencies.iter().filter(|&&ns| (36_000_000..=48_000_000).contains(&ns)).count();
    let hz = clock_ticks_per_second();
    let ticks = |before: Result<u64, String>, after: Result<u64, String>| -> Result<f64, String> {
        Ok(after?.saturating_sub(before?) as f64 / hz)
    };
    let cpu_seconds = ticks(cpu_before, cpu_after)?;
    let driver_seconds = ticks(driver_before, driver_after).unwrap_or(0.0);
    Ok(Cell {
        clients,
        requests,
        elapsed,
        p50: Duration::from_nanos(percentile(&latencies, 50.0)),
        p99: Duration::from_nanos(percentile(&latencies, 99.0)),
        cpu_us: cpu_seconds * 1e6 / requests as f64,
        rss_kib: rss_kib?,
        stall_share: stalls as f64 / requests as f64,
        reconnects,
        server_cpu: cpu_seconds / elapsed.as_secs_f64(),
        driver_cpu: driver_seconds / elapsed.as_secs_f64(),
    })
}

/// One client thread: handshake, warm-up, barrier, timed run. Returns the
/// latencies (ns) of the timed requests and the reconnections.
fn client(url: &Url, wire: crate::mcp::Wire, cfg: &Config, barrier: &Barrier) -> Result<(Vec<u64>, u64), String> {
    let mut client = Client::new(url, wire, cfg.read_timeout);
    let warm = (|| {
        client.open()?;
        let until = Instant::now() + cfg.warmup;
        while Instant::now() < until {
            client.echo().map_err(|e| format!("warm-up: {e}"))?;
        }
        Ok::<(), String>(())
    })();
    barrier.wait(); // even after an error, so that the others are not kept waiting
    warm?;
    let mut latencies = Vec::with_capacity(64 * 1024);
    let end = Instant::now() + cfg.run;
    loop {
        let sent = Instant::now();
        client.echo()?;
        let now = Instant::now();
        latencies.push((now - sent).as_nanos() as u64);
        if now >= end {
            break;
        }
    }
    Ok((latencies, client.reconnects()))
}

/// Starts the server on `port` and waits until the port accepts connections.
fn start(server: &Server, port: u16, cfg: &Config) -> Result<http_server::Server, Failure> {
    let (program, args) = server.argv(port);
    let log = log_path(cfg, server);
    let mut file = open_log(&log)?;
    writeln!(file, "== {} {}", program.display(), args.join(" ")).ok();
    let err = file.try_clone().map_err(|e| format!("{}: {e}", log.display()))?;
    let mut command = http_server::command(&program, &args, cfg.pin_server.as_ref());
    command.current_dir(&server.dir).stdout(file).stderr(err);
    http_server::Server::start(command, port, cfg.startup_timeout).map_err(|e| match e {
        NotReady::Spawn(e) => Failure::Failed(format!("cannot start {}: {e}", program.display())),
        NotReady::Exited(status) => Failure::NoServer(format!(
            "it exited ({status}) before it listened on its port; its output is in {}",
            log.display()
        )),
        NotReady::Timeout => Failure::Failed(format!(
            "the server did not accept connections on port {port} within {} s; its output is in {}",
            cfg.startup_timeout.as_secs(),
            log.display()
        )),
    })
}

/// The log file of a row: its name made file-safe.
pub fn log_path(cfg: &Config, server: &Server) -> PathBuf {
    let slug: String =
        server.name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '.' { c } else { '_' }).collect();
    cfg.log_dir.join(format!("http-{slug}.log"))
}

fn open_log(path: &Path) -> Result<File, String> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    OpenOptions::new().create(true).append(true).open(path).map_err(|e| format!("{}: {e}", path.display()))
}
