//! The stdio benchmark driver (std only).
//!
//! For each server of a list (`servers.txt`: one row each, a name and a
//! command line), it spawns the server, does the legacy MCP handshake and
//! measures sequential round trips/s, pipelined requests/s, startup time, peak
//! RSS (idle and under 100 000 requests in flight), heap allocations per
//! request (through an LD_PRELOAD shim) and syscalls per round trip (through
//! strace). Progress goes to stderr; the markdown table goes to stdout.
//!
//! By default the driver re-runs itself under `taskset -c 0`, so that it and
//! every server it spawns (which inherits the affinity) share one CPU.
//! `bench/run.sh` is the usual way to run it; see `bench/README.md`.

mod measure;
mod servers;
mod session;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use bench_common::cli::{self, number};
use bench_common::fmt::mib;
use measure::{Cell, Config, Row};

/// The environment variable marking a driver that already runs pinned.
const PINNED_ENV: &str = "PICOMCP_BENCH_PINNED";

const USAGE: &str = "\
usage: bench-driver [options]

  --servers FILE          the server list (default: servers.txt)
  --only NAMES            only the rows whose name contains one of these
                          comma-separated words (the ceiling row always runs)
  --seq N                 sequential round trips per measurement (20000)
  --pipe N                pipelined requests per measurement (200000)
  --repeat K              measurements per throughput; the median is shown (5)
  --warmup N              untimed requests after each handshake (1000)
  --startup-runs N        spawns timed for the startup column (10)
  --backpressure N        requests in flight for the backpressure RSS column (100000)
  --alloc-requests N      requests counted by the allocation shim (10000)
  --alloc-shim FILE       the LD_PRELOAD allocation counter (alloc-count.so);
                          without it the allocation column is skipped
  --strace-requests N     round trips traced by strace, 0 to skip (2000)
  --cpu N                 the CPU the driver and servers are pinned to (0)
  --no-pin                do not pin
  --timeout SECS          kill a server process living longer than this (300)
  --log-dir DIR           servers' stderr and side files (default: results/logs)
";

fn main() -> ExitCode {
    let (options, args) = match cli::parse_args(USAGE, Options::parse, |o| o.help) {
        Ok(parsed) => parsed,
        Err(status) => return status,
    };
    let pinning = pin(&options, &args);
    run(&options, &pinning)
}

/// Re-runs the driver under `taskset` unless it already runs pinned (this
/// only returns when it does not re-run). Returns how the run is pinned.
fn pin(options: &Options, args: &[String]) -> String {
    if !options.pin {
        return "not pinned (--no-pin)".into();
    }
    let cpu = options.cpu.to_string();
    match cli::taskset().and_then(|taskset| cli::pin_self(&taskset, &cpu, PINNED_ENV, args)) {
        Ok(()) => format!("driver and server pinned to CPU {cpu} (taskset -c {cpu})"),
        Err(why) => format!("not pinned ({why})"),
    }
}

/// Measures every listed server and prints the table.
fn run(options: &Options, pinning: &str) -> ExitCode {
    let list = match servers::load(&options.servers) {
        Ok(list) => list,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let cfg = &options.config;
    let started = Instant::now();
    let mut notes: Vec<String> = Vec::new();
    let mut wanted: Vec<&servers::Server> = Vec::new();
    for server in &list {
        let listed = options.only.is_empty()
            || server.name == "ceiling"
            || options.only.iter().any(|word| server.name.contains(word.as_str()));
        if !listed {
            continue;
        }
        if !server.is_available() {
            let note = format!(
                "`{}` skipped: `{}` does not exist{}",
                server.name,
                server.command_line,
                if server.hint.is_empty() { String::new() } else { format!("; {}", server.hint) }
            );
            eprintln!("{note}\n");
            notes.push(note);
            continue;
        }
        wanted.push(server);
    }
    let rows: Vec<(String, Result<Row, String>)> =
        wanted.iter().map(|s| s.name.clone()).zip(measure::rows(&wanted, cfg)).collect();
    for (name, result) in &rows {
        if let Err(e) = result {
            eprintln!("\n!!! {name} FAILED: {e}\n");
        }
    }

    if cfg.alloc_shim.is_none() {
        notes.push("allocs/request skipped: no allocation shim was given (`--alloc-shim`)".into());
    }
    if cfg.strace.is_none() {
        notes.push("syscalls/round trip skipped: strace is not installed".into());
    } else if cfg.strace_requests == 0 {
        notes.push("syscalls/round trip skipped: turned off (`--strace-requests 0`)".into());
    }
    for (name, row) in &rows {
        let Ok(row) = row else { continue };
        let tools = [cfg.alloc_shim.is_some(), cfg.strace.is_some() && cfg.strace_requests > 0];
        for ((column, cell), tool) in
            [("allocs/request", &row.allocs), ("syscalls/round trip", &row.syscalls)].into_iter().zip(tools)
        {
            if let (Cell::Skipped(why), true) = (cell, tool) {
                notes.push(format!("{name}: {column} n/a: {why}"));
            }
        }
    }
    notes.push(format!(
        "{pinning}; medians of {} runs of {} sequential round trips and {} pipelined requests; \
         driver time {:.0} s",
        cfg.repeat,
        cfg.seq,
        cfg.pipe,
        started.elapsed().as_secs_f64()
    ));

    print!("{}", table(&rows, cfg));
    println!();
    for note in &notes {
        println!("- {note}");
    }
    let failed: Vec<&str> = rows.iter().filter(|(_, r)| r.is_err()).map(|(name, _)| name.as_str()).collect();
    if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        for (name, result) in &rows {
            if let Err(e) = result {
                println!("- **{name} FAILED**: {}", e.replace('\n', " "));
            }
        }
        eprintln!("FAILED rows: {}", failed.join(", "));
        ExitCode::FAILURE
    }
}

/// The markdown table of the measured rows.
fn table(rows: &[(String, Result<Row, String>)], cfg: &Config) -> String {
    let ceiling = rows.iter().find_map(|(name, row)| match row {
        Ok(row) if name == "ceiling" => Some(row.clone()),
        _ => None,
    });
    let mut out = format!(
        "| server | sequential rt/s | pipelined req/s | ratio to ceiling (seq / pipe) \
         | allocs/request | syscalls/round trip | peak RSS idle \
         | peak RSS with {} pipelined | startup ms |\n\
         | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n",
        round_count(cfg.backpressure)
    );
    for (name, row) in rows {
        let Ok(row) = row else {
            out.push_str(&format!("| {name} | FAILED | | | | | | | |\n"));
            continue;
        };
        let ratio = match &ceiling {
            Some(c) => format!("{:.2} / {:.2}", row.seq / c.seq, row.pipe / c.pipe),
            None => "–".into(),
        };
        out.push_str(&format!(
            "| {name} | {} | {} | {ratio} | {} | {} | {} | {} | {:.1} |\n",
            count(row.seq),
            count(row.pipe),
            cell(&row.allocs),
            cell(&row.syscalls),
            mib(row.rss_idle_kib),
            mib(row.rss_backpressure_kib),
            row.startup_ms,
        ));
    }
    out
}

/// A rate or a count, short: 950, 151.2 k, 1.10 M.
fn count(value: f64) -> String {
    if value >= 1e6 {
        format!("{:.2} M", value / 1e6)
    } else if value >= 1e3 {
        format!("{:.1} k", value / 1e3)
    } else {
        format!("{value:.0}")
    }
}

/// A configured count, short: 100k, 2.5k, 1M, 999.
fn round_count(n: u64) -> String {
    match n {
        n if n >= 1_000_000 && n % 100_000 == 0 => format!("{}M", n as f64 / 1e6),
        n if n >= 1_000 && n % 100 == 0 => format!("{}k", n as f64 / 1e3),
        n => n.to_string(),
    }
}

/// A per-request figure, or why it is missing.
fn cell(cell: &Cell) -> String {
    match cell {
        Cell::Value(v) if v.abs() < 10.0 => format!("{v:.2}"),
        Cell::Value(v) => format!("{v:.1}"),
        Cell::Skipped(_) => "n/a".into(),
    }
}

/// The parsed command line.
struct Options {
    config: Config,
    servers: PathBuf,
    only: Vec<String>,
    pin: bool,
    cpu: usize,
    help: bool,
}

impl Options {
    fn parse(args: &[String]) -> Result<Options, String> {
        let mut options = Options {
            config: Config {
                seq: 20_000,
                pipe: 200_000,
                repeat: 5,
                warmup: 1_000,
                startup_runs: 10,
                backpressure: 100_000,
                alloc_requests: 10_000,
                alloc_shim: None,
                strace_requests: 2_000,
                strace: servers::find_on_path("strace"),
                timeout: Duration::from_secs(300),
                log_dir: PathBuf::from("results/logs"),
            },
            servers: PathBuf::from("servers.txt"),
            only: Vec::new(),
            pin: true,
            cpu: 0,
            help: false,
        };
        let mut args = args.iter();
        while let Some(flag) = args.next() {
            let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
            let c = &mut options.config;
            match flag.as_str() {
                "-h" | "--help" => options.help = true,
                "--servers" => options.servers = value()?.into(),
                "--only" => options.only = cli::words(value()?),
                "--seq" => c.seq = number(flag, value()?)?,
                "--pipe" => c.pipe = number(flag, value()?)?,
                "--repeat" => c.repeat = number(flag, value()?)?,
                "--warmup" => c.warmup = number(flag, value()?)?,
                "--startup-runs" => c.startup_runs = number(flag, value()?)?,
                "--backpressure" => c.backpressure = number(flag, value()?)?,
                "--alloc-requests" => c.alloc_requests = number(flag, value()?)?,
                "--alloc-shim" => {
                    let shim = PathBuf::from(value()?);
                    let shim = shim.canonicalize().map_err(|e| format!("{}: {e}", shim.display()))?;
                    c.alloc_shim = Some(shim);
                }
                "--strace-requests" => c.strace_requests = number(flag, value()?)?,
                "--cpu" => options.cpu = number(flag, value()?)?,
                "--no-pin" => options.pin = false,
                "--timeout" => c.timeout = Duration::from_secs(number(flag, value()?)?),
                "--log-dir" => c.log_dir = value()?.into(),
                _ => return Err(format!("unknown option {flag}")),
            }
        }
        Ok(options)
    }
}
