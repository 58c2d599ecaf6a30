//! The in-process micro-benchmark: picomcp's core next to rmcp (the official Rust SDK),
//! in one process, without pipes, processes or a transport.
//!
//! Three cases, each one request line in and one reply out, repeated:
//!
//! - (a) `tools/call` of `echo` after a legacy `initialize` handshake;
//! - (b) the same call under 2026-07-28 (no handshake, a `_meta` envelope per request);
//! - (c) `tools/list` of 100 tools in a legacy session.
//!
//! picomcp: `Server::receive(frame, &mut sink, &mut handler)` into a cleared `Vec` sink
//! ([`pico`]). rmcp: decode with serde_json, `Service::handle_request` of a
//! `#[tool_router]` server, encode with serde_json into a cleared `Vec` ([`rmcp_side`]).
//! Every reply is checked once before timing. The markdown table goes to stdout, progress
//! to stderr. `bench/run.sh` runs it; `bench/README.md` says what is measured and how.

mod alloc;
mod catalogue;
mod measure;
mod pico;
mod rmcp_side;
mod wire;

use std::process::ExitCode;
use std::time::Duration;

use measure::{Settings, keep};
use rmcp_side::Drive;

#[global_allocator]
static ALLOCATOR: alloc::Counting = alloc::Counting;

const USAGE: &str = "\
usage: inproc-bench [options]

  --batches N      timed batches per side and case; the median is shown (15)
  --batch-ms MS    about how long one batch lasts (100)
  --warmup-ms MS   untimed running per side and case before timing (300)
  --alloc-ops N    operations per allocation count (1000)
  --block-on       drive rmcp's handler future with a current-thread runtime's
                   block_on per request, instead of polling it once
  --show           print each case's two replies and exit
";

/// Command-line options.
struct Options {
    settings: Settings,
    drive: Drive,
    show: bool,
}

impl Options {
    fn parse(args: &[String]) -> Result<Option<Self>, String> {
        let mut o = Options {
            settings: Settings {
                batches: 15,
                batch: Duration::from_millis(100),
                warmup: Duration::from_millis(300),
                alloc_ops: 1000,
            },
            drive: Drive::Poll,
            show: false,
        };
        let mut it = args.iter();
        while let Some(arg) = it.next() {
            let mut number = |name: &str| -> Result<u64, String> {
                let value = it.next().ok_or(format!("{name} needs a value"))?;
                value.parse().map_err(|_| format!("{name}: not a number: {value}"))
            };
            match arg.as_str() {
                "--batches" => o.settings.batches = number(arg)?.max(1) as usize,
                "--batch-ms" => o.settings.batch = Duration::from_millis(number(arg)?.max(1)),
                "--warmup-ms" => o.settings.warmup = Duration::from_millis(number(arg)?),
                "--alloc-ops" => o.settings.alloc_ops = number(arg)?.max(1),
                "--block-on" => o.drive = Drive::BlockOn,
                "--show" => o.show = true,
                "-h" | "--help" => return Ok(None),
                other => return Err(format!("unknown option: {other}")),
            }
        }
        Ok(Some(o))
    }
}

/// One case: its name, the request line, and the reply it must get.
struct Case {
    name: &'static str,
    request: &'static [u8],
    /// Its short name, for the notes.
    short: &'static str,
    /// picomcp's exact reply (without the newline).
    expected: String,
    /// rmcp's reply, compared as JSON.
    expected_rmcp: String,
    /// Whether it runs in a session that did the legacy handshake.
    legacy: bool,
}

/// Both sides of the bench: a legacy and a modern session each.
struct Sides {
    pico_legacy: pico::Side,
    pico_modern: pico::Side,
    rmcp_legacy: rmcp_side::Side<rmcp_side::Bench>,
    rmcp_modern: rmcp_side::Side<rmcp_side::Bench>,
}

impl Sides {
    fn new(tools: &[catalogue::Spec], drive: Drive) -> Self {
        let mut sides = Sides {
            pico_legacy: pico::Side::new(tools),
            pico_modern: pico::Side::new(tools),
            rmcp_legacy: rmcp_side::Side::new(rmcp_side::Bench::new(tools), drive),
            rmcp_modern: rmcp_side::Side::new(rmcp_side::Bench::new(tools), drive),
        };
        sides.pico_legacy.handshake();
        sides.rmcp_legacy.handshake();
        sides
    }

    /// Run `case` once on both sides; their replies.
    fn once(&mut self, case: &Case) -> (String, String) {
        let (p, r) = self.pair(case.legacy);
        p.receive(case.request);
        r.handle(case.request);
        (p.reply().to_owned(), r.reply().to_owned())
    }

    fn pair(&mut self, legacy: bool) -> (&mut pico::Side, &mut rmcp_side::Side<rmcp_side::Bench>) {
        if legacy {
            (&mut self.pico_legacy, &mut self.rmcp_legacy)
        } else {
            (&mut self.pico_modern, &mut self.rmcp_modern)
        }
    }
}

/// Check a case's replies: picomcp's byte for byte, rmcp's as JSON (its serializer
/// orders object keys its own way).
fn check(case: &Case, pico: &str, rmcp: &str) -> Result<(), String> {
    let expected_line = format!("{}\n", case.expected);
    if pico != expected_line {
        return Err(format!("{}: picomcp replied\n  {pico}\nexpected\n  {expected_line}", case.name));
    }
    let expected: serde_json::Value = serde_json::from_str(&case.expected_rmcp).expect("expected replies are JSON");
    let got: serde_json::Value =
        serde_json::from_str(rmcp).map_err(|e| format!("{}: rmcp replied invalid JSON ({e}): {rmcp}", case.name))?;
    if got != expected {
        return Err(format!("{}: rmcp replied\n  {rmcp}expected (as JSON)\n  {}", case.name, case.expected_rmcp));
    }
    Ok(())
}

/// `1234.5` as `1,235`; below 100 with one decimal.
fn ns(value: f64) -> String {
    if value < 100.0 {
        return format!("{value:.1}");
    }
    let digits = format!("{value:.0}");
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Operations per second, short (`2.41 M/s`, `812 k/s`).
fn rate(ops: f64) -> String {
    if ops >= 1e6 { format!("{:.2} M/s", ops / 1e6) } else { format!("{:.0} k/s", ops / 1e3) }
}

/// A table cell: ns/op and, in brackets, operations/s.
fn cell(r: &measure::Result) -> String {
    format!("{} ({})", ns(r.ns), rate(r.ops_per_sec()))
}

fn allocs(value: f64) -> String {
    format!("{value:.2}")
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let options = match Options::parse(&args) {
        Ok(Some(options)) => options,
        Ok(None) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("{e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let s = options.settings;

    let tools = catalogue::tools();
    let cases = [
        Case {
            name: "tools/call echo, legacy (after initialize)",
            short: "echo legacy",
            request: wire::ECHO_LEGACY.as_bytes(),
            expected: wire::echo_legacy_reply(),
            expected_rmcp: wire::rmcp_echo_legacy_reply(),
            legacy: true,
        },
        Case {
            name: "tools/call echo, 2026-07-28 (`_meta` envelope)",
            short: "echo 2026-07-28",
            request: wire::ECHO_MODERN.as_bytes(),
            expected: wire::echo_modern_reply(),
            expected_rmcp: wire::rmcp_echo_modern_reply(),
            legacy: false,
        },
        Case {
            name: "tools/list, 100 tools, legacy",
            short: "list",
            request: wire::LIST_LEGACY.as_bytes(),
            expected: wire::list_legacy_reply(&tools),
            expected_rmcp: wire::list_legacy_reply(&tools),
            legacy: true,
        },
    ];

    let mut sides = Sides::new(&tools, options.drive);
    if let Err(e) = sides.rmcp_legacy.server().check_echo_schema() {
        eprintln!("error: the two echo tools differ: {e}");
        return ExitCode::FAILURE;
    }
    let mut sizes = Vec::new();
    for case in &cases {
        let (p, r) = sides.once(case);
        if options.show {
            println!("== {}\n-> {}\npicomcp <- {p}rmcp    <- {r}", case.name, String::from_utf8_lossy(case.request));
            continue;
        }
        if let Err(e) = check(case, &p, &r) {
            eprintln!("error: wrong reply: {e}");
            return ExitCode::FAILURE;
        }
        sizes.push((p.len(), r.len()));
    }
    if options.show {
        return ExitCode::SUCCESS;
    }

    let mut rows = Vec::new();
    for case in &cases {
        eprintln!("measuring {}", case.name);
        let (p, r) = sides.pair(case.legacy);
        let request = case.request;
        let (pr, rr) = measure::pair(
            &s,
            || {
                p.receive(keep(request));
                keep(&p.sink.0);
            },
            || {
                r.handle(keep(request));
                keep(&r.out);
            },
        );
        rows.push((case.name, pr, rr));
    }

    // Notes: rmcp-echo's own form of the server, and the other way of driving rmcp.
    eprintln!("measuring rmcp-echo's #[tool_router(server_handler)] form");
    let mut echo_only = rmcp_side::Side::new(rmcp_side::EchoOnly, options.drive);
    echo_only.handshake();
    echo_only.handle(wire::ECHO_LEGACY.as_bytes());
    // Its reply must be rmcp's usual one (picomcp's side of the check is given its own).
    let echo_only_ok = check(&cases[0], &format!("{}\n", cases[0].expected), echo_only.reply());
    let echo_only_result = measure::single(&s, || {
        echo_only.handle(keep(wire::ECHO_LEGACY.as_bytes()));
        keep(&echo_only.out);
    });
    let other_drive = if options.drive == Drive::Poll { Drive::BlockOn } else { Drive::Poll };
    eprintln!("measuring rmcp driven by {}", drive_name(other_drive));
    let mut other = rmcp_side::Side::new(rmcp_side::Bench::new(&tools), other_drive);
    other.handshake();
    let other_result = measure::single(&s, || {
        other.handle(keep(wire::ECHO_LEGACY.as_bytes()));
        keep(&other.out);
    });
    let pending = sides.rmcp_legacy.pending + sides.rmcp_modern.pending;

    println!("| case | picomcp ns/op | rmcp ns/op | speed-up | picomcp allocs/op | rmcp allocs/op |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: |");
    for (name, p, r) in &rows {
        println!(
            "| {name} | {} | {} | {:.1}× | {} | {} |",
            cell(p),
            cell(r),
            r.ns / p.ns,
            allocs(p.allocs),
            allocs(r.allocs)
        );
    }
    println!();
    let size_list: Vec<String> = cases.iter().zip(&sizes).map(|(c, (p, r))| format!("{} {p} / {r}", c.short)).collect();
    println!("- reply bytes (picomcp / rmcp, with the newline): {}", size_list.join("; "));
    let schema_bytes = tools.iter().map(|t| t.input_schema.len()).sum::<usize>() as f64 / tools.len() as f64;
    println!(
        "- {} tools, input schemas {schema_bytes:.0} bytes on average; `echo` is tool #{} in name order \
         (picomcp finds it by a linear search, rmcp by a hash map)",
        tools.len(),
        sides.pico_legacy.echo_index() + 1
    );
    println!(
        "- rmcp's handler future driven by {}{}",
        drive_name(options.drive),
        if options.drive == Drive::Poll {
            format!(" ({pending} of the timed requests needed the runtime after that poll)")
        } else {
            String::new()
        }
    );
    println!(
        "- rmcp driven by {} instead, legacy echo: {} ns/op, {} allocs/op",
        drive_name(other_drive),
        ns(other_result.ns),
        allocs(other_result.allocs)
    );
    println!(
        "- rmcp-echo's `#[tool_router(server_handler)]` form (router rebuilt per call, 1 tool), legacy echo: \
         {} ns/op, {} allocs/op{}",
        ns(echo_only_result.ns),
        allocs(echo_only_result.allocs),
        match &echo_only_ok {
            Ok(()) => String::new(),
            Err(e) => format!(" (WRONG REPLY: {})", e.replace('\n', " ")),
        }
    );
    println!(
        "- medians of {} batches of about {} ms per side (alternating), after {} ms of warm-up; \
         allocations counted over {} untimed operations",
        s.batches,
        s.batch.as_millis(),
        s.warmup.as_millis(),
        s.alloc_ops
    );
    if echo_only_ok.is_err() { ExitCode::FAILURE } else { ExitCode::SUCCESS }
}

fn drive_name(drive: Drive) -> &'static str {
    match drive {
        Drive::Poll => "polling it once with a no-op waker",
        Drive::BlockOn => "a current-thread runtime's `block_on` per request",
    }
}
