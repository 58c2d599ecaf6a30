//! The load-and-soak driver (std only): `bench/soak.sh` runs it; see `bench/README.md`.
//!
//! Two parts, each on a fresh process of one server (a command line):
//!
//! 1. **stdio soak** (`stdio.rs`): after the legacy handshake and a warm-up, N
//!    `tools/call` echo requests (1 000 000 by default) pipelined with at most W in
//!    flight (64, the demos' capacity), the server's VmRSS and VmHWM sampled at the
//!    start, every 100 000 requests and at the end. The RSS is *flat* when the end
//!    sample is within a margin of the start one.
//! 2. **HTTP load** (`load.rs`): the same server started with `--http 127.0.0.1:<port>`,
//!    C keep-alive clients (200) sending echo requests back to back for S seconds (10),
//!    on the 2026-07-28 wire by default; requests, errors, throughput, p50/p99/max latency.
//!
//! Every reply is checked; any wrong one is an error, and errors must be 0. The exit
//! status is 1 when a part failed (a crash, a hang, an unclean exit), had errors, or
//! the stdio RSS was not flat; throughput never decides it.
//!
//! The stdio server process, its requests and reply checks are the stdio bench's
//! (`bench_common::{stdio, wire}`), the HTTP server process the HTTP bench's
//! (`bench_common::http_server`), and its client too (`http/driver/src/{http,mcp}.rs`,
//! compiled in here from those files), so that the three drivers speak exactly alike.
//!
//! By default the driver re-runs itself under `taskset -c 0`: the stdio server inherits
//! that CPU (driver and server share it, as in the stdio bench), the HTTP server is
//! started under `taskset -c 1` (each side has a CPU, as in the HTTP bench).

#[allow(dead_code)]
#[path = "../../http/driver/src/http.rs"]
mod http;
mod load;
#[allow(dead_code)]
#[path = "../../http/driver/src/mcp.rs"]
mod mcp;
mod stdio;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Duration;

use bench_common::cli::{self, number, seconds};
use bench_common::fmt::{ms, rate as rate_text, secs};
use bench_common::procfs::{self, Memory};
use mcp::Wire;

/// The environment variable marking a driver that already runs pinned.
const PINNED_ENV: &str = "PICOMCP_BENCH_SOAK_PINNED";

const USAGE: &str = "\
usage: soak-driver [options] -- PROGRAM [ARGS...]

  PROGRAM ARGS            the server: it serves stdio as is, and Streamable HTTP at
                          /mcp with `--http 127.0.0.1:<port>` appended
  --name NAME             its name in the report (default: the program's file name)

  stdio soak:
  --requests N            echo requests after the warm-up (1000000)
  --window N              requests in flight at most (64: the demos' capacity; a
                          server answers a call past its capacity with an error)
  --warmup N              untimed requests before the start sample (10000)
  --sample-every N        requests between two RSS samples (100000)
  --rss-margin PCT        flat: end VmRSS at most start + max(PCT %, KIB) (5)
  --rss-margin-kib KIB    (1024)
  --stall SECS            a server silent this long while replies are awaited is
                          hung: its threads are shown and it is killed (30)
  --no-stdio              skip the stdio soak

  HTTP load:
  --clients N             concurrent keep-alive clients (200)
  --seconds S             timed run (10)
  --http-warmup S         untimed requests per client first, seconds (1)
  --wire WIRE             2026-07-28 (default), stateless or session (see
                          http/driver/src/mcp.rs)
  --timeout SECS          a response slower than this is an error (10)
  --no-http               skip the HTTP load

  --cpu N                 the CPU of the driver and the stdio server (0)
  --server-cpu N          the CPU of the HTTP server (1)
  --no-pin                do not pin
  --log-dir DIR           servers' output (default: results/logs/soak)
";

fn main() -> ExitCode {
    let (options, args) = match cli::parse_args(USAGE, Options::parse, |o| o.help) {
        Ok(parsed) => parsed,
        Err(status) => return status,
    };
    let (pin_server, pinning) = pin(&options, &args);
    run(&options, pin_server, &pinning)
}

/// Re-runs the driver under `taskset` unless it already runs pinned (this only returns
/// when it does not re-run). Returns the HTTP server's pinning and the pinning in words.
fn pin(options: &Options, args: &[String]) -> (Option<(PathBuf, usize)>, String) {
    if !options.pin {
        return (None, "not pinned (--no-pin)".into());
    }
    let cpu = options.cpu.to_string();
    match cli::taskset().and_then(|taskset| cli::pin_self(&taskset, &cpu, PINNED_ENV, args).map(|()| taskset)) {
        Ok(taskset) => {
            let pinning = format!(
                "stdio: driver and server pinned to CPU {cpu}; HTTP: driver (all clients) on CPU {cpu}, server on CPU {} \
                 (taskset -c)",
                options.server_cpu
            );
            (Some((taskset, options.server_cpu)), pinning)
        }
        Err(why) => (None, format!("not pinned ({why})")),
    }
}

fn run(options: &Options, pin_server: Option<(PathBuf, usize)>, pinning: &str) -> ExitCode {
    let name = options.name.clone().unwrap_or_else(|| {
        PathBuf::from(&options.program).file_name().map_or(options.program.clone(), |n| n.to_string_lossy().into())
    });
    let slug: String = name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect();
    if let Err(e) = std::fs::create_dir_all(&options.log_dir) {
        eprintln!("{}: {e}", options.log_dir.display());
        return ExitCode::from(2);
    }
    let command_line = std::iter::once(options.program.as_str())
        .chain(options.args.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join(" ");
    let mut out = format!("## {name}\n\n`{command_line}`; {pinning}.\n");
    let mut ok = true;

    if options.stdio {
        let cfg = stdio::Config {
            log: options.log_dir.join(format!("{slug}.stdio.stderr.log")),
            ..options.stdio_cfg.clone()
        };
        eprintln!("{name}: stdio soak, {} requests, {} in flight at most", cfg.requests, cfg.window);
        let mut command = Command::new(&options.program);
        command.args(&options.args);
        let report = stdio::soak(command, &cfg);
        let (section, good) = stdio_section(&report, &cfg, options);
        ok &= good;
        out.push_str(&section);
    }

    if options.http {
        let cfg = load::Config {
            pin_server,
            log: options.log_dir.join(format!("{slug}.http.log")),
            ..options.http_cfg.clone()
        };
        eprintln!(
            "{name}: HTTP load, {} clients for {} s (after {} s of warm-up), {} wire",
            cfg.clients,
            secs(cfg.run),
            secs(cfg.warmup),
            cfg.wire.name()
        );
        let report = load::load(&options.program, &options.args, &cfg);
        let (section, good) = http_section(&report, &cfg);
        ok &= good;
        out.push_str(&section);
    }

    out.push_str(&format!("\n**{name}: {}**\n", if ok { "PASS" } else { "FAIL" }));
    print!("{out}");
    if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

/// The stdio part of the report, and whether it passed.
fn stdio_section(r: &stdio::Report, cfg: &stdio::Config, options: &Options) -> (String, bool) {
    let mut s = format!(
        "\n### stdio soak: {} `tools/call echo`, at most {} in flight\n\n",
        count(cfg.requests),
        count(cfg.window)
    );
    let mut ok = r.failure.is_none() && r.errors == 0;
    let rate = r.replies as f64 / r.elapsed.as_secs_f64().max(1e-9);
    let (first, last) = (r.samples.first(), r.samples.last().filter(|_| r.samples.len() > 1));
    let verdict = match (first, last) {
        (Some(a), Some(b)) if r.failure.is_none() => {
            let allowance =
                ((a.memory.rss_kib as f64 * options.rss_margin_pct / 100.0) as u64).max(options.rss_margin_kib);
            let growth = b.memory.rss_kib as i64 - a.memory.rss_kib as i64;
            if growth <= allowance as i64 {
                format!("**FLAT** (end within {} of start)", kib(allowance))
            } else {
                ok = false;
                format!(
                    "**GREW** by {} ({:+.1} %), past the allowed {}",
                    kib(growth.unsigned_abs()),
                    growth as f64 * 100.0 / a.memory.rss_kib as f64,
                    kib(allowance)
                )
            }
        }
        _ => "no verdict (the soak did not finish)".to_string(),
    };
    let max_rss = r.samples.iter().map(|x| x.memory.rss_kib).max().unwrap_or(0);
    let max_hwm = r.samples.iter().map(|x| x.memory.hwm_kib).max().unwrap_or(0);
    s.push_str("| requests answered | req/s | errors | VmRSS start → end | VmRSS max | VmHWM end | RSS |\n");
    s.push_str("| ---: | ---: | ---: | ---: | ---: | ---: | --- |\n");
    s.push_str(&format!(
        "| {} | {} | {} | {} → {} | {} | {} | {} |\n",
        count(r.replies),
        rate_text(rate),
        r.errors,
        first.map_or("–".into(), |x| mib(x.memory.rss_kib)),
        last.map_or("–".into(), |x| mib(x.memory.rss_kib)),
        mib(max_rss),
        mib(max_hwm),
        verdict
    ));
    s.push_str(
        "\n| sample | at | VmRSS | VmHWM | req/s since the previous sample |\n| ---: | ---: | ---: | ---: | ---: |\n",
    );
    let mut previous: Option<&stdio::Sample> = None;
    for x in &r.samples {
        let rate = previous
            .map_or("–".into(), |p| rate_text((x.done - p.done) as f64 / (x.at - p.at).as_secs_f64().max(1e-9)));
        let label = if x.done == 0 { "start".to_string() } else { count(x.done) };
        s.push_str(&format!(
            "| {label} | {:.1} s | {} KiB | {} KiB | {rate} |\n",
            x.at.as_secs_f64(),
            x.memory.rss_kib,
            x.memory.hwm_kib
        ));
        previous = Some(x);
    }
    s.push('\n');
    s.push_str(&format!(
        "- {} warm-up requests (untimed, same window) after the handshake, before the start sample; \
         req/s is requests / (first write to last reply); the driver shares the server's CPU\n",
        count(cfg.warmup)
    ));
    if let Some(cpu) = r.server_cpu {
        s.push_str(&format!(
            "- server CPU: {cpu:.1} s in {:.1} s ({:.1} µs/request)\n",
            r.elapsed.as_secs_f64(),
            cpu * 1e6 / r.replies.max(1) as f64
        ));
    }
    if let Some(exit) = &r.exit {
        s.push_str(&format!("- the server then exited cleanly: {exit}\n"));
    }
    if r.errors > 0 {
        s.push_str(&format!("- **{} errors**, e.g.:\n", r.errors));
        error_samples(&mut s, "stdio", r.errors, &r.error_samples, "stderr", &cfg.log);
    }
    failure(&mut s, "stdio", r.failure.as_deref());
    (s, ok)
}

/// The HTTP part of the report, and whether it passed.
fn http_section(r: &load::Report, cfg: &load::Config) -> (String, bool) {
    let ok = r.failure.is_none() && r.errors == 0 && r.requests > 0;
    let mut s = format!(
        "\n### HTTP load: {} keep-alive clients × {} s, back to back, {} wire\n\n",
        cfg.clients,
        secs(cfg.run),
        cfg.wire.name()
    );
    let rate = r.requests as f64 / r.elapsed.as_secs_f64().max(1e-9);
    s.push_str("| requests | errors | req/s | p50 | p99 | p99.9 | max | VmRSS start → end (max) |\n");
    s.push_str("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    let mem = |m: Option<Memory>| m.map_or("–".into(), |m| mib(m.rss_kib));
    s.push_str(&format!(
        "| {} | {} | {} | {} | {} | {} | {} | {} → {} ({}) |\n\n",
        count(r.requests),
        r.errors,
        rate_text(rate),
        ms(r.percentile(50.0)),
        ms(r.percentile(99.0)),
        ms(r.percentile(99.9)),
        ms(Duration::from_nanos(r.latencies.last().copied().unwrap_or(0))),
        mem(r.memory_start),
        mem(r.memory_end),
        mib(r.max_rss_kib)
    ));
    s.push_str(&format!(
        "- each client one connection (TCP_NODELAY), one request at a time, {} s of untimed requests first; \
         latency from before the write to the end of the response; req/s is requests / (start of the timed run \
         to the last client's last reply)\n",
        secs(cfg.warmup)
    ));
    if let Some(cpu) = r.server_cpu {
        s.push_str(&format!(
            "- server CPU: {cpu:.1} s in {:.1} s ({:.0} % of its CPU, {:.1} µs/request)\n",
            r.elapsed.as_secs_f64(),
            cpu * 100.0 / r.elapsed.as_secs_f64().max(1e-9),
            cpu * 1e6 / r.requests.max(1) as f64
        ));
    }
    if r.reconnects > 0 {
        s.push_str(&format!("- the server closed connections {} times (clients reconnected)\n", r.reconnects));
    }
    if r.errors > 0 {
        s.push_str(&format!(
            "- **{} errors**, {} of them in the timed run ({:.1} % of its {} calls), e.g.:\n",
            r.errors,
            r.timed_errors,
            r.timed_errors as f64 * 100.0 / (r.requests + r.timed_errors).max(1) as f64,
            r.requests + r.timed_errors
        ));
        error_samples(&mut s, "http", r.errors, &r.error_samples, "output", &cfg.log);
    }
    failure(&mut s, "http", r.failure.as_deref());
    (s, ok)
}

/// The samples of a part's `errors` in the report, and on stderr with the end of the
/// server's `stream` (its `log`).
fn error_samples(s: &mut String, part: &str, errors: u64, samples: &[String], stream: &str, log: &Path) {
    for e in samples {
        s.push_str(&format!("  - `{}`\n", e.replace('`', "'")));
    }
    eprintln!("{part}: {errors} errors, e.g.\n  {}", samples.join("\n  "));
    eprintln!("--- the end of the server's {stream} ({}) ---\n{}\n---", log.display(), procfs::tail(log, 40));
}

/// A part's failure, if any: its first line in the report, all of it on stderr.
fn failure(s: &mut String, part: &str, failure: Option<&str>) {
    if let Some(f) = failure {
        let head = f.lines().next().unwrap_or_default();
        s.push_str(&format!("- **FAILED**: {}\n", head.replace('`', "'")));
        eprintln!("{part} FAILED: {f}");
    }
}

/// 1 000 000, 64.
fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

fn mib(kib: u64) -> String {
    format!("{:.2} MiB", kib as f64 / 1024.0)
}

fn kib(kib: u64) -> String {
    if kib >= 1024 { mib(kib) } else { format!("{kib} KiB") }
}

/// The parsed command line.
struct Options {
    program: String,
    args: Vec<String>,
    name: Option<String>,
    stdio: bool,
    http: bool,
    stdio_cfg: stdio::Config,
    http_cfg: load::Config,
    rss_margin_pct: f64,
    rss_margin_kib: u64,
    pin: bool,
    cpu: usize,
    server_cpu: usize,
    log_dir: PathBuf,
    help: bool,
}

impl Options {
    fn parse(args: &[String]) -> Result<Options, String> {
        let mut options = Options {
            program: String::new(),
            args: Vec::new(),
            name: None,
            stdio: true,
            http: true,
            stdio_cfg: stdio::Config {
                requests: 1_000_000,
                window: 64,
                warmup: 10_000,
                sample_every: 100_000,
                stall: Duration::from_secs(30),
                log: PathBuf::new(),
            },
            http_cfg: load::Config {
                clients: 200,
                run: Duration::from_secs(10),
                warmup: Duration::from_secs(1),
                wire: Wire::Modern,
                timeout: Duration::from_secs(10),
                startup_timeout: Duration::from_secs(30),
                pin_server: None,
                log: PathBuf::new(),
            },
            rss_margin_pct: 5.0,
            rss_margin_kib: 1024,
            pin: true,
            cpu: 0,
            server_cpu: 1,
            log_dir: PathBuf::from("results/logs/soak"),
            help: false,
        };
        let mut args = args.iter();
        while let Some(flag) = args.next() {
            let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
            let (s, h) = (&mut options.stdio_cfg, &mut options.http_cfg);
            match flag.as_str() {
                "-h" | "--help" => options.help = true,
                "--name" => options.name = Some(value()?.clone()),
                "--requests" => s.requests = number(flag, value()?)?,
                "--window" => s.window = positive(flag, value()?)?,
                "--warmup" => s.warmup = number(flag, value()?)?,
                "--sample-every" => s.sample_every = positive(flag, value()?)?,
                "--stall" => s.stall = seconds(flag, value()?)?,
                "--rss-margin" => options.rss_margin_pct = number(flag, value()?)?,
                "--rss-margin-kib" => options.rss_margin_kib = number(flag, value()?)?,
                "--no-stdio" => options.stdio = false,
                "--clients" => h.clients = positive(flag, value()?)? as usize,
                "--seconds" => h.run = seconds(flag, value()?)?,
                "--http-warmup" => h.warmup = Duration::from_secs_f64(number::<f64>(flag, value()?)?.max(0.0)),
                "--wire" => h.wire = Wire::parse(value()?)?,
                "--timeout" => h.timeout = seconds(flag, value()?)?,
                "--no-http" => options.http = false,
                "--cpu" => options.cpu = number(flag, value()?)?,
                "--server-cpu" => options.server_cpu = number(flag, value()?)?,
                "--no-pin" => options.pin = false,
                "--log-dir" => options.log_dir = value()?.into(),
                "--" => {
                    let mut rest = args.by_ref().cloned();
                    options.program = rest.next().ok_or("-- needs a program")?;
                    options.args = rest.collect();
                }
                _ => return Err(format!("unknown option {flag}")),
            }
        }
        if options.program.is_empty() && !options.help {
            return Err("no server: give `-- PROGRAM [ARGS...]`".into());
        }
        Ok(options)
    }
}

fn positive(flag: &str, value: &str) -> Result<u64, String> {
    match number::<u64>(flag, value)? {
        0 => Err(format!("{flag}: expected a positive number")),
        n => Ok(n),
    }
}
