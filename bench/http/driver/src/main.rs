//! The HTTP benchmark driver (std only).
//!
//! For each server of a list (`bench/http/servers.txt`: a name, a wire and a
//! command line), and for each number of clients (1, 16, 64 by default), it
//! starts the server, runs that many keep-alive clients (one thread and one
//! `TcpStream` each) sending MCP `tools/call` requests of an `echo` tool one
//! after the other, and measures requests/s, p50 and p99 latency, the server's
//! CPU time per request and its peak RSS. Progress goes to stderr; the markdown
//! table goes to stdout.
//!
//! By default the driver re-runs itself under `taskset -c 0` and starts every
//! server under `taskset -c 1`: on a 2-core machine each side has a CPU of its
//! own. `--check URL` instead sends a few requests to a running server and
//! prints every request and response. `bench/run.sh` is the usual way to run
//! it; see `bench/README.md`.

mod http;
mod load;
mod mcp;
mod servers;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use bench_common::cli::{self, number, seconds, words};
use bench_common::fmt::{mib, ms, rate, secs};
use load::{Cell, Config, Failure};
use mcp::Wire;

/// The environment variable marking a driver that already runs pinned.
const PINNED_ENV: &str = "PICOMCP_BENCH_HTTP_PINNED";

const USAGE: &str = "\
usage: http-driver [options]
       http-driver --check URL [--wire WIRES]

  --servers FILE          the server list (default: http/servers.txt)
  --only NAMES            only the rows whose name contains one of these
                          comma-separated words
  --clients LIST          numbers of concurrent clients, comma-separated (1,16,64)
  --seconds S             timed run per cell, seconds (3)
  --warmup S              untimed requests per client before it, seconds (1)
  --driver-cpu N          the CPU the driver is pinned to (0)
  --server-cpu N          the CPU the servers are pinned to (1)
  --no-pin                do not pin
  --timeout SECS          fail a cell when one response takes longer (10)
  --startup-timeout SECS  fail a cell when the server does not listen by then (30)
  --log-dir DIR           servers' output (default: results/logs)

  --check URL             send a few requests to the MCP server at URL (for example
                          http://127.0.0.1:8080/mcp), print each request and
                          response, check the replies; nothing is measured
  --wire WIRES            with --check: the wires to try, comma-separated: session,
                          stateless, 2026-07-28, or all (default: session,2026-07-28,
                          the two picomcp-demo serves)
";

fn main() -> ExitCode {
    let (options, args) = match cli::parse_args(USAGE, Options::parse, |o| o.help) {
        Ok(parsed) => parsed,
        Err(status) => return status,
    };
    if let Some(url) = &options.check {
        return check(url, &options.check_wires);
    }
    let (mut config, pinning) = pin(&options, &args);
    config.log_dir = options.log_dir.clone();
    run(&options, &config, &pinning)
}

/// Re-runs the driver under `taskset` unless it already runs pinned (this only
/// returns when it does not re-run). Returns the config's pinning of the servers
/// and how the run is pinned, in words.
fn pin(options: &Options, args: &[String]) -> (Config, String) {
    let mut config = options.config.clone();
    if !options.pin {
        return (config, "driver and servers not pinned (--no-pin)".into());
    }
    let taskset = match cli::taskset() {
        Ok(taskset) => taskset,
        Err(why) => return (config, format!("driver and servers not pinned ({why})")),
    };
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    if std::env::var(PINNED_ENV).is_err() && cpus < 2 {
        eprintln!("note: only {cpus} CPU available: running unpinned");
        return (config, format!("driver and servers not pinned (only {cpus} CPU)"));
    }
    let (driver, server) = (options.driver_cpu.to_string(), options.server_cpu);
    match cli::pin_self(&taskset, &driver, PINNED_ENV, args) {
        Ok(()) => {
            config.pin_server = Some((taskset, server));
            let pinning = format!(
                "driver pinned to CPU {driver}, each server to CPU {server} (taskset -c), so each side has a CPU of its own"
            );
            (config, pinning)
        }
        Err(why) => (config, format!("driver and servers not pinned ({why})")),
    }
}

/// Measures every listed server with every number of clients and prints the table.
fn run(options: &Options, cfg: &Config, pinning: &str) -> ExitCode {
    let list = match servers::load(&options.servers) {
        Ok(list) => list,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let started = Instant::now();
    let mut notes: Vec<String> = Vec::new();
    let mut rows: Vec<(String, Vec<Result<Cell, String>>)> = Vec::new();
    for server in &list {
        let listed = options.only.is_empty() || options.only.iter().any(|word| server.name.contains(word.as_str()));
        if !listed {
            continue;
        }
        if let Some(missing) = server.missing() {
            let note = format!(
                "`{}` skipped: {missing}{}",
                server.name,
                if server.hint.is_empty() { String::new() } else { format!("; {}", server.hint) }
            );
            eprintln!("{note}\n");
            notes.push(note);
            continue;
        }
        eprintln!("{} ({} wire): {}", server.name, server.wire.name(), server.command_line);
        let mut cells = Vec::new();
        for &clients in &options.clients {
            let cell = match load::measure(server, clients, cfg) {
                Ok(cell) => Ok(cell),
                Err(Failure::NoServer(why)) if cells.is_empty() => {
                    let note = format!("**`{}` skipped**: `{}` {why}", server.name, server.command_line);
                    eprintln!("  {note}\n");
                    notes.push(note);
                    break;
                }
                Err(Failure::NoServer(e) | Failure::Failed(e)) => Err(e),
            };
            match &cell {
                Ok(c) => eprintln!(
                    "  {clients:>3} clients: {:.0} req/s, p50 {}, p99 {}, server CPU {:.1} µs/req \
                     ({:.0} % busy), peak RSS {}, driver CPU {:.0} %",
                    c.rate(),
                    ms(c.p50),
                    ms(c.p99),
                    c.cpu_us,
                    c.server_cpu * 100.0,
                    mib(c.rss_kib),
                    c.driver_cpu * 100.0
                ),
                Err(e) => eprintln!("  {clients:>3} clients: FAILED: {e}"),
            }
            cells.push(cell);
        }
        if !cells.is_empty() {
            rows.push((server.name.clone(), cells));
        }
    }

    for (name, cells) in &rows {
        for cell in cells.iter().flatten() {
            let clients = plural(cell.clients, "client");
            if cell.stalled() {
                notes.push(format!(
                    "**{name}, {clients}: Nagle/delayed-ACK stall** (⚠): {:.0} % of requests took 36-48 ms \
                     (p50 {}) while the server was {:.0} % busy: the signature of a response written in \
                     pieces on a socket without TCP_NODELAY, the last piece held back until the client's \
                     delayed ACK",
                    cell.stall_share * 100.0,
                    ms(cell.p50),
                    cell.server_cpu * 100.0
                ));
            }
            if cell.reconnects > 0 {
                notes.push(format!(
                    "{name}, {clients}: the server closed connections {} times (clients reconnected)",
                    cell.reconnects
                ));
            }
            if cell.driver_cpu >= 0.9 && cell.server_cpu < 0.9 {
                notes.push(format!(
                    "{name}, {clients}: the driver used {:.0} % of its CPU and the server {:.0} % of \
                     its: the number may be the driver's limit, not the server's",
                    cell.driver_cpu * 100.0,
                    cell.server_cpu * 100.0
                ));
            }
        }
    }
    notes.push(format!(
        "{pinning}; each cell a fresh server process, {} s timed after {} s of warm-up per client; \
         every client one keep-alive connection with TCP_NODELAY, one request at a time; \
         `tools/call` of `echo` with `{{\"text\":\"{}\"}}`, every reply checked; driver time {:.0} s",
        secs(cfg.run),
        secs(cfg.warmup),
        mcp::ECHO_TEXT,
        started.elapsed().as_secs_f64()
    ));

    print!("{}", table(&rows, &options.clients));
    println!();
    for note in &notes {
        println!("- {note}");
    }
    let mut failed = Vec::new();
    for (name, cells) in &rows {
        for (clients, cell) in options.clients.iter().zip(cells) {
            if let Err(e) = cell {
                println!("- **{name}, {} FAILED**: {}", plural(*clients, "client"), e.replace('\n', " "));
                failed.push(format!("{name} ({clients})"));
            }
        }
    }
    if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        eprintln!("FAILED cells: {}", failed.join(", "));
        ExitCode::FAILURE
    }
}

/// The markdown table.
fn table(rows: &[(String, Vec<Result<Cell, String>>)], clients: &[usize]) -> String {
    let mut out = String::from(
        "| server | clients | req/s | p50 | p99 | server CPU µs/req | server CPU busy | peak RSS |\n\
         | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n",
    );
    for (name, cells) in rows {
        for (n, cell) in clients.iter().zip(cells) {
            match cell {
                Ok(c) => {
                    let stall = if c.stalled() { " ⚠" } else { "" };
                    out.push_str(&format!(
                        "| {name} | {} | {} | {}{stall} | {} | {:.1} | {:.0} % | {} |\n",
                        c.clients,
                        rate(c.rate()),
                        ms(c.p50),
                        ms(c.p99),
                        c.cpu_us,
                        c.server_cpu * 100.0,
                        mib(c.rss_kib)
                    ));
                }
                Err(_) => out.push_str(&format!("| {name} | {n} | FAILED | | | | | |\n")),
            }
        }
    }
    out
}

/// "1 client", "16 clients".
fn plural(n: usize, word: &str) -> String {
    if n == 1 { format!("{n} {word}") } else { format!("{n} {word}s") }
}

/// `--check`: a few requests on each wire, every exchange printed.
fn check(url: &str, wires: &[Wire]) -> ExitCode {
    let url = match http::Url::parse(url) {
        Ok(url) => url,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let mut ok = true;
    for &wire in wires {
        println!("==================== {} wire ====================\n", wire.name());
        let mut client = mcp::Client::new(&url, wire, Duration::from_secs(10));
        client.trace = true;
        let mut result = client.open();
        if wire == Wire::Session && result.is_ok() {
            match &client.session_id {
                Some(id) => println!("(session {id}, protocol {})\n", client.protocol),
                None => {
                    println!("(no Mcp-Session-Id header: the server keeps no session; protocol {})\n", client.protocol)
                }
            }
        }
        for _ in 0..3 {
            if result.is_err() {
                break;
            }
            result = client.echo();
        }
        match result {
            Ok(()) => println!("== {} wire: OK (handshake if any, 3 echo calls)\n", wire.name()),
            Err(e) => {
                println!("== {} wire: WRONG: {e}\n", wire.name());
                ok = false;
            }
        }
        if client.reconnects() > 0 {
            println!("(the server closed the connection {} times)\n", client.reconnects());
        }
    }
    if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

/// The parsed command line.
struct Options {
    config: Config,
    servers: PathBuf,
    only: Vec<String>,
    clients: Vec<usize>,
    pin: bool,
    driver_cpu: usize,
    server_cpu: usize,
    log_dir: PathBuf,
    check: Option<String>,
    check_wires: Vec<Wire>,
    help: bool,
}

impl Options {
    fn parse(args: &[String]) -> Result<Options, String> {
        let mut options = Options {
            config: Config {
                run: Duration::from_secs(3),
                warmup: Duration::from_secs(1),
                read_timeout: Duration::from_secs(10),
                startup_timeout: Duration::from_secs(30),
                pin_server: None,
                log_dir: PathBuf::new(),
            },
            servers: PathBuf::from("http/servers.txt"),
            only: Vec::new(),
            clients: vec![1, 16, 64],
            pin: true,
            driver_cpu: 0,
            server_cpu: 1,
            log_dir: PathBuf::from("results/logs"),
            check: None,
            check_wires: vec![Wire::Session, Wire::Modern],
            help: false,
        };
        let mut args = args.iter();
        while let Some(flag) = args.next() {
            let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
            let c = &mut options.config;
            match flag.as_str() {
                "-h" | "--help" => options.help = true,
                "--servers" => options.servers = value()?.into(),
                "--only" => options.only = words(value()?),
                "--clients" => {
                    options.clients =
                        words(value()?).iter().map(|w| number(flag, w)).collect::<Result<Vec<usize>, _>>()?;
                    if options.clients.is_empty() || options.clients.contains(&0) {
                        return Err(format!("{flag}: expected positive numbers"));
                    }
                }
                "--seconds" => c.run = seconds(flag, value()?)?,
                "--warmup" => c.warmup = seconds(flag, value()?)?,
                "--driver-cpu" => options.driver_cpu = number(flag, value()?)?,
                "--server-cpu" => options.server_cpu = number(flag, value()?)?,
                "--no-pin" => options.pin = false,
                "--timeout" => c.read_timeout = seconds(flag, value()?)?,
                "--startup-timeout" => c.startup_timeout = seconds(flag, value()?)?,
                "--log-dir" => options.log_dir = value()?.into(),
                "--check" => options.check = Some(value()?.clone()),
                "--wire" => {
                    options.check_wires = match value()?.as_str() {
                        "all" => vec![Wire::Session, Wire::Stateless, Wire::Modern],
                        list => words(list).iter().map(|w| Wire::parse(w)).collect::<Result<_, _>>()?,
                    };
                }
                _ => return Err(format!("unknown option {flag}")),
            }
        }
        Ok(options)
    }
}
