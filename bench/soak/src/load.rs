//! The HTTP load: one server process started with `--http 127.0.0.1:<port>`, C
//! keep-alive clients (one thread and one connection each, the HTTP bench's client,
//! `http.rs` and `mcp.rs`) sending `tools/call` echo requests back to back for a
//! warm-up, then for the timed run, each request timed from before its write to the
//! end of its response. Every reply is checked; a wrong one, an HTTP error, a timeout or
//! a connection the server drops in the middle of a response counts as an error and the
//! client goes on (a client stops after `MAX_CLIENT_ERRORS`). The server's VmRSS is
//! sampled when the timed run starts, every second, and at the end.

use std::fs::File;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use crate::http::Url;
use crate::mcp::{Client, Wire};
use bench_common::http_server::{self, NotReady, Server};
use bench_common::percentile;
use bench_common::procfs::{self, Memory};

/// A client stops after this many errors (a broken server must not make a hot loop).
const MAX_CLIENT_ERRORS: u64 = 1000;

/// The knobs of the HTTP load.
#[derive(Debug, Clone)]
pub struct Config {
    pub clients: usize,
    pub run: Duration,
    pub warmup: Duration,
    pub wire: Wire,
    /// A response slower than this is an error.
    pub timeout: Duration,
    pub startup_timeout: Duration,
    /// `taskset` and the CPU the server is pinned to.
    pub pin_server: Option<(PathBuf, usize)>,
    /// The server's stdout and stderr go here.
    pub log: PathBuf,
}

/// What the load found.
#[derive(Debug, Default)]
pub struct Report {
    /// Timed requests answered correctly.
    pub requests: u64,
    /// Wrong or missing replies (warm-up included).
    pub errors: u64,
    /// Of which during the timed run.
    pub timed_errors: u64,
    pub error_samples: Vec<String>,
    /// Times the server closed a connection (clients reconnected).
    pub reconnects: u64,
    /// From the start of the timed run to the last client's last reply.
    pub elapsed: Duration,
    /// Latencies of the timed requests, sorted (ns).
    pub latencies: Vec<u64>,
    pub memory_start: Option<Memory>,
    pub memory_end: Option<Memory>,
    pub max_rss_kib: u64,
    /// Server CPU seconds during the timed run.
    pub server_cpu: Option<f64>,
    /// A server that did not start, or died.
    pub failure: Option<String>,
}

impl Report {
    /// The latency at `pct` percent (nearest rank).
    pub fn percentile(&self, pct: f64) -> Duration {
        Duration::from_nanos(percentile(&self.latencies, pct))
    }
}

/// One client's results.
#[derive(Default)]
struct ClientResult {
    latencies: Vec<u64>,
    errors: u64,
    timed_errors: u64,
    samples: Vec<String>,
    reconnects: u64,
}

impl ClientResult {
    fn record(&mut self, what: &str, e: String) {
        self.errors += 1;
        if self.samples.len() < 2 {
            self.samples.push(format!("{what}: {e}"));
        }
    }
}

/// Runs the load against a fresh server: `program args... --http 127.0.0.1:<port>`.
pub fn load(program: &str, args: &[String], cfg: &Config) -> Report {
    let mut report = Report::default();
    let (mut server, port) = match start(program, args, cfg) {
        Ok(started) => started,
        Err(e) => {
            report.failure = Some(with_log(e, cfg));
            return report;
        }
    };
    let pid = server.child.id();
    let url = Url::parse(&format!("http://127.0.0.1:{port}/mcp")).expect("a valid URL");
    eprintln!("  http: server pid {pid} at 127.0.0.1:{port}, {} clients", cfg.clients);

    // The start gate: every client, once warm, counts itself in `ready` and waits for `go`.
    let (ready, go) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicBool::new(false)));
    let stop = Arc::new(AtomicBool::new(false));
    let finished = Arc::new(AtomicUsize::new(0));
    let mut threads = Vec::with_capacity(cfg.clients);
    for _ in 0..cfg.clients {
        let gate = Gate { ready: ready.clone(), go: go.clone(), stop: stop.clone() };
        let (url, finished, cfg) = (url.clone(), finished.clone(), cfg.clone());
        let spawned = thread::Builder::new().stack_size(256 * 1024).spawn(move || {
            let result = client(&url, &cfg, &gate);
            finished.fetch_add(1, Ordering::Release);
            result
        });
        match spawned {
            Ok(t) => threads.push(t),
            Err(e) => {
                report.failure = Some(format!("cannot start client thread {}: {e}", threads.len() + 1));
                stop.store(true, Ordering::Release);
                go.store(true, Ordering::Release);
                threads.into_iter().for_each(|t| drop(t.join()));
                return report;
            }
        }
    }
    while ready.load(Ordering::Acquire) < cfg.clients {
        thread::sleep(Duration::from_millis(1));
    }
    go.store(true, Ordering::Release);
    let start = Instant::now();
    let cpu_before = procfs::cpu_seconds(pid);
    report.memory_start = procfs::memory(pid).ok();
    let mut max_rss = report.memory_start.map_or(0, |m| m.rss_kib);
    if let Some(m) = report.memory_start {
        eprintln!("  http: timed run started: VmRSS {} KiB, VmHWM {} KiB", m.rss_kib, m.hwm_kib);
    }
    let mut next_sample = start + Duration::from_secs(1);
    while finished.load(Ordering::Acquire) < cfg.clients {
        thread::sleep(Duration::from_millis(20));
        if let Ok(Some(status)) = server.child.try_wait() {
            report.failure = Some(format!("the server exited during the run ({status})"));
            stop.store(true, Ordering::Release);
            break;
        }
        if Instant::now() >= next_sample {
            next_sample += Duration::from_secs(1);
            if let Ok(m) = procfs::memory(pid) {
                max_rss = max_rss.max(m.rss_kib);
                eprintln!(
                    "  http: {:>5.1} s: VmRSS {} KiB, VmHWM {} KiB",
                    start.elapsed().as_secs_f64(),
                    m.rss_kib,
                    m.hwm_kib
                );
            }
        }
    }
    let results: Vec<ClientResult> = threads
        .into_iter()
        .map(|t| {
            t.join().unwrap_or_else(|_| {
                let mut r = ClientResult::default();
                r.record("client", "the client thread panicked".into());
                r
            })
        })
        .collect();
    report.elapsed = start.elapsed();
    report.server_cpu = cpu_before.zip(procfs::cpu_seconds(pid)).map(|(b, a)| a - b);
    report.memory_end = procfs::memory(pid).ok();
    if let Some(m) = report.memory_end {
        max_rss = max_rss.max(m.rss_kib);
    }
    report.max_rss_kib = max_rss;
    for r in results {
        report.latencies.extend(r.latencies);
        report.errors += r.errors;
        report.timed_errors += r.timed_errors;
        report.reconnects += r.reconnects;
        for s in r.samples {
            // One sample of each kind of error: the same text but for the ids is a repeat.
            let shape = |t: &str| t.chars().filter(|c| !c.is_ascii_digit()).collect::<String>();
            if report.error_samples.len() < 5 && !report.error_samples.iter().any(|e| shape(e) == shape(&s)) {
                report.error_samples.push(s);
            }
        }
    }
    report.latencies.sort_unstable();
    report.requests = report.latencies.len() as u64;
    if let Some(why) = report.failure.take() {
        report.failure = Some(with_log(why, cfg));
    }
    server.stop();
    report
}

/// `why`, with the end of the server's log.
pub fn with_log(why: String, cfg: &Config) -> String {
    format!(
        "{why}\n--- the end of the server's output ({}) ---\n{}\n---",
        cfg.log.display(),
        procfs::tail(&cfg.log, 40)
    )
}

/// The start gate of the clients.
struct Gate {
    ready: Arc<AtomicUsize>,
    go: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
}

/// One client: its wire's handshake, warm-up, the start gate, the timed run.
fn client(url: &Url, cfg: &Config, gate: &Gate) -> ClientResult {
    let stop = &gate.stop;
    let mut result = ClientResult::default();
    let mut client = Client::new(url, cfg.wire, cfg.timeout);
    let until = Instant::now() + cfg.warmup;
    match client.open() {
        Ok(()) => {
            while Instant::now() < until && result.errors < MAX_CLIENT_ERRORS && !stop.load(Ordering::Relaxed) {
                if let Err(e) = client.echo() {
                    result.record("warm-up", e);
                }
            }
        }
        Err(e) => result.record("handshake", e),
    }
    // Counted in even after an error, so that the others are not kept waiting.
    gate.ready.fetch_add(1, Ordering::Release);
    while !gate.go.load(Ordering::Acquire) {
        thread::sleep(Duration::from_millis(1));
    }
    result.latencies.reserve(64 * 1024);
    let end = Instant::now() + cfg.run;
    while result.errors < MAX_CLIENT_ERRORS && !stop.load(Ordering::Relaxed) {
        let sent = Instant::now();
        let outcome = client.echo();
        let now = Instant::now();
        match outcome {
            Ok(()) => result.latencies.push((now - sent).as_nanos() as u64),
            Err(e) => {
                result.timed_errors += 1;
                result.record("timed run", e)
            }
        }
        if now >= end {
            break;
        }
    }
    if result.errors >= MAX_CLIENT_ERRORS {
        result.samples.push(format!("(this client stopped after {MAX_CLIENT_ERRORS} errors)"));
    }
    result.reconnects = client.reconnects();
    result
}

/// Starts the server on a free port and waits until the port accepts connections.
fn start(program: &str, args: &[String], cfg: &Config) -> Result<(Server, u16), String> {
    let port = http_server::free_port()?;
    let mut argv: Vec<String> = args.to_vec();
    argv.push("--http".into());
    argv.push(format!("127.0.0.1:{port}"));
    let mut log = File::create(&cfg.log).map_err(|e| format!("{}: {e}", cfg.log.display()))?;
    writeln!(log, "== {program} {}", argv.join(" ")).ok();
    let err = log.try_clone().map_err(|e| format!("{}: {e}", cfg.log.display()))?;
    let mut command = http_server::command(program, &argv, cfg.pin_server.as_ref());
    command.stdout(log).stderr(err);
    let server = Server::start(command, port, cfg.startup_timeout).map_err(|e| match e {
        NotReady::Spawn(e) => format!("cannot start {program}: {e}"),
        NotReady::Exited(status) => format!("the server exited ({status}) before it listened on port {port}"),
        NotReady::Timeout => {
            format!("the server did not accept connections on port {port} within {} s", cfg.startup_timeout.as_secs())
        }
    })?;
    Ok((server, port))
}
