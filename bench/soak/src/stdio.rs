//! The stdio soak: one server process, the legacy handshake, a warm-up, then N
//! `tools/call` echo requests pipelined through a window (at most W in flight), the
//! server's VmRSS and VmHWM sampled at the start, every `sample_every` requests and
//! at the end.
//!
//! A writer thread writes requests in batches: whenever the requests in flight (sent,
//! not yet answered) drop to W - W/2, it tops them up to W in one `write`. The main
//! thread reads and checks every reply (the stdio bench's checks, `bench_common::stdio`): each id
//! answered exactly once, with the echoed text; any other reply (a JSON-RPC error such
//! as a capacity refusal, a wrong id, a line that is not JSON-RPC) is an error. The
//! window counts from the driver's write to its read of the reply, so the server never
//! has more than W requests of its own in flight: with W at most its capacity it has no
//! reason to refuse one.
//!
//! A watchdog kills the server when no line comes from it for `stall` while replies are
//! awaited (a deadlock or a hang), after noting what each of its threads was doing.

use std::fs::File;
use std::io::Write;
use std::path::PathBuf;
use std::process::{ChildStdin, Command, ExitStatus};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use bench_common::procfs::{self, Memory};
use bench_common::stdio::{self as pipes, Errors};
use bench_common::wire;

/// The knobs of the stdio soak.
#[derive(Debug, Clone)]
pub struct Config {
    /// Echo requests after the warm-up (the soak itself).
    pub requests: u64,
    /// Requests in flight at most.
    pub window: u64,
    /// Untimed echo requests between the handshake and the start sample.
    pub warmup: u64,
    /// Requests between two RSS samples.
    pub sample_every: u64,
    /// How long the server may stay silent while replies are awaited.
    pub stall: Duration,
    /// The server's stderr goes here.
    pub log: PathBuf,
}

/// One RSS sample.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    /// Soak requests answered when it was taken (0: the start, after the warm-up).
    pub done: u64,
    /// Time since the soak's first write.
    pub at: Duration,
    pub memory: Memory,
}

/// What the soak found.
#[derive(Debug, Default)]
pub struct Report {
    /// Soak requests answered (correctly or not).
    pub replies: u64,
    /// From the soak's first write to its last reply.
    pub elapsed: Duration,
    /// Wrong replies (warm-up included).
    pub errors: u64,
    /// The first few, quoted.
    pub error_samples: Vec<String>,
    pub samples: Vec<Sample>,
    /// Server CPU seconds during the soak (after the warm-up).
    pub server_cpu: Option<f64>,
    /// A crash, a hang, an exit that is not clean: the run is broken.
    pub failure: Option<String>,
    /// How the server exited once its stdin closed.
    pub exit: Option<String>,
}

/// Runs the soak against a fresh process of `command`; `progress` says what it does.
pub fn soak(mut command: Command, cfg: &Config) -> Report {
    let mut report = Report::default();
    let mut server = match Server::spawn(&mut command, cfg) {
        Ok(server) => server,
        Err(e) => {
            report.failure = Some(e);
            return report;
        }
    };
    let pid = server.pid();
    eprintln!("  stdio: server pid {pid}, handshake");
    if let Err(e) = server.handshake() {
        report.failure = Some(server.explain(e));
        return report;
    }

    let mut errors = Errors::<5>::default();
    if cfg.warmup > 0 {
        eprintln!("  stdio: warm-up, {} requests", cfg.warmup);
        if let Err(e) = server.exchange(cfg.warmup, cfg.window, &mut errors, |_| {}) {
            report.failure = Some(server.explain(format!("during the warm-up: {e}")));
            report.errors = errors.count;
            report.error_samples = errors.samples;
            return report;
        }
    }

    let start = Instant::now();
    let sample = |done: u64, samples: &mut Vec<Sample>| match procfs::memory(pid) {
        Ok(memory) => {
            let at = start.elapsed();
            eprintln!(
                "  stdio: {done:>9} requests, {:>6.1} s: VmRSS {} KiB, VmHWM {} KiB",
                at.as_secs_f64(),
                memory.rss_kib,
                memory.hwm_kib
            );
            samples.push(Sample { done, at, memory });
        }
        Err(e) => eprintln!("  stdio: no RSS sample after {done} requests: {e}"),
    };
    let cpu_before = procfs::cpu_seconds(pid);
    sample(0, &mut report.samples);
    let every = cfg.sample_every.max(1);
    let mut samples = std::mem::take(&mut report.samples);
    let result = server.exchange(cfg.requests, cfg.window, &mut errors, |done| {
        if done % every == 0 && done < cfg.requests {
            sample(done, &mut samples);
        }
    });
    report.elapsed = start.elapsed();
    let cpu_after = procfs::cpu_seconds(pid);
    match result {
        Ok(replies) => {
            report.replies = replies;
            sample(replies, &mut samples);
            report.server_cpu = cpu_before.zip(cpu_after).map(|(b, a)| a - b);
        }
        Err(e) => report.failure = Some(server.explain(e)),
    }
    report.samples = samples;
    report.errors = errors.count;
    report.error_samples = errors.samples;
    if report.failure.is_none() {
        match server.close() {
            Ok((status, after)) if status.success() => {
                report.exit = Some(format!("exit status 0, {:.2} s after its stdin closed", after.as_secs_f64()));
            }
            Ok((status, after)) => {
                report.failure = Some(format!(
                    "the server exited with {status} {:.2} s after its stdin closed",
                    after.as_secs_f64()
                ));
            }
            Err(e) => report.failure = Some(e),
        }
    }
    report
}

/// The server process, spoken to over its stdin and stdout.
struct Server {
    /// Declared before `io`, so that it stops before the server is reaped.
    watchdog: Option<Watchdog>,
    io: pipes::Server,
    log: PathBuf,
}

impl Server {
    fn spawn(command: &mut Command, cfg: &Config) -> Result<Server, String> {
        let log = File::create(&cfg.log).map_err(|e| format!("{}: {e}", cfg.log.display()))?;
        command.stderr(log);
        let io = pipes::Server::spawn(command)?;
        let watchdog = Some(Watchdog::start(io.pid(), io.lines(), cfg.stall));
        Ok(Server { watchdog, io, log: cfg.log.clone() })
    }

    fn pid(&self) -> u32 {
        self.io.pid()
    }

    /// `initialize` (2025-11-25), its result, then `notifications/initialized`.
    fn handshake(&mut self) -> Result<(), String> {
        self.io.handshake().map(|_startup| ())
    }

    /// Sends `n` echo requests, at most `window` in flight, and checks every reply.
    /// `each` is called after every reply with the number of replies so far. Returns
    /// the number of replies (`n` unless the exchange broke off, which is an `Err`).
    fn exchange(
        &mut self,
        n: u64,
        window: u64,
        errors: &mut Errors<5>,
        mut each: impl FnMut(u64),
    ) -> Result<u64, String> {
        let window = window.max(1);
        let batch = (window / 2).max(1);
        let sent = Arc::new(AtomicU64::new(0));
        let received = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let mut pipeline = {
            let (sent, received, stop) = (sent.clone(), received.clone(), stop.clone());
            self.io.pipeline(n, move |stdin, first_id| {
                write_windowed(stdin, first_id, n, window, batch, &sent, &received, &stop)
            })?
        };
        let writer_thread = pipeline.writer().clone();
        let read = self.io.read_replies(&mut pipeline, errors, |replies| {
            received.store(replies, Ordering::Release);
            let in_flight = sent.load(Ordering::Acquire).saturating_sub(replies);
            if in_flight + batch <= window {
                writer_thread.unpark();
            }
            each(replies);
        });
        let read = read.map_err(|e| format!("after {} of {n} replies: {e}", pipeline.replies));
        stop.store(true, Ordering::Release);
        writer_thread.unpark();
        let missing = self.io.join(pipeline, read)?;
        if missing > 0 {
            errors.count += missing;
            errors.samples.push(format!("{missing} requests got no reply (others got two)"));
        }
        Ok(n)
    }

    /// `e` with what became of the server: the watchdog's findings, its exit status,
    /// the end of its stderr.
    fn explain(&mut self, e: String) -> String {
        let mut out = e;
        if let Some(stuck) = self.watchdog.as_ref().and_then(|w| w.fired.lock().ok()?.clone()) {
            out.push_str(&format!("; HUNG: {stuck}"));
        }
        let deadline = Instant::now() + Duration::from_secs(2);
        let status = loop {
            match self.io.child.try_wait() {
                Ok(Some(status)) => break Some(status),
                Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(10)),
                _ => break None,
            }
        };
        match status {
            Some(status) => out.push_str(&format!("; the server exited: {status}")),
            None => out.push_str("; the server was still running (killed)"),
        }
        out.push_str(&format!(
            "\n--- the end of the server's stderr ({}) ---\n{}\n---",
            self.log.display(),
            procfs::tail(&self.log, 40)
        ));
        out
    }

    /// Closes stdin and waits (up to 5 s, then kills) for the server to exit.
    fn close(self) -> Result<(ExitStatus, Duration), String> {
        drop(self.watchdog);
        self.io.close()
    }
}

/// The writer thread: tops the requests in flight up to `window` whenever they drop to
/// `window - batch`, one `write` per top-up, until `n` are sent or `stop` is set.
#[allow(clippy::too_many_arguments)]
fn write_windowed(
    stdin: &mut ChildStdin,
    first_id: u64,
    n: u64,
    window: u64,
    batch: u64,
    sent: &AtomicU64,
    received: &AtomicU64,
    stop: &AtomicBool,
) -> std::io::Result<()> {
    let mut buf = Vec::with_capacity(((window as usize) * 160).min(1 << 20));
    let mut done = 0;
    while done < n {
        if stop.load(Ordering::Acquire) {
            break;
        }
        let in_flight = done - received.load(Ordering::Acquire).min(done);
        if in_flight + batch > window {
            thread::park();
            continue;
        }
        let k = (window - in_flight).min(n - done);
        buf.clear();
        for id in first_id + done..first_id + done + k {
            wire::push_echo_request(&mut buf, id);
        }
        done += k;
        // Published before the write, so that a reply is never seen before its request counts as sent.
        sent.store(done, Ordering::Release);
        stdin.write_all(&buf)?;
    }
    Ok(())
}

/// Kills the server when no line came from it for `stall`, after noting what its
/// threads were doing.
struct Watchdog {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    /// What the threads were doing, once it fired.
    fired: Arc<Mutex<Option<String>>>,
}

impl Watchdog {
    fn start(pid: u32, lines: Arc<AtomicU64>, stall: Duration) -> Watchdog {
        let stop = Arc::new(AtomicBool::new(false));
        let fired = Arc::new(Mutex::new(None));
        let thread = {
            let (stop, fired) = (stop.clone(), fired.clone());
            thread::spawn(move || {
                if !pipes::stalled(&lines, Duration::from_millis(100), stall, || stop.load(Ordering::Acquire)) {
                    return;
                }
                let what = format!(
                    "no line from the server for {} s (after {} lines); its threads: {}",
                    stall.as_secs(),
                    lines.load(Ordering::Relaxed),
                    procfs::threads(pid)
                );
                eprintln!("  stdio: {what}; killing it");
                if let Ok(mut f) = fired.lock() {
                    *f = Some(what);
                }
                procfs::kill(pid);
            })
        };
        Watchdog { stop, thread: Some(thread), fired }
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(thread) = self.thread.take() {
            thread.join().ok();
        }
    }
}
