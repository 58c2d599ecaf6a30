//! `picomcp-conformance`: the fixture server of the official MCP conformance suite.
//!
//! `picomcp-conformance --listen 127.0.0.1:PORT` serves the fixture over Streamable HTTP at
//! `http://127.0.0.1:PORT/mcp` (both protocol eras on that one URL), for
//! `scripts/conformance.sh http://127.0.0.1:PORT/mcp`; without `--listen` it serves
//! stdin/stdout.

use std::process::ExitCode;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use picomcp::{Buffers, Server, WithTasks, http, stdio};
use picomcp_conformance::{Clock, Fixture, TASK_BYTES, TASKS};

/// Requests the fixture keeps in flight (and timed calls it can run) at once.
const IN_FLIGHT: usize = 64;
/// Bytes of legacy `resources/subscribe` URIs kept.
const SUBSCRIPTION_BYTES: usize = 1024;

/// The fixture's storage: requests in flight, subscriptions, and a task table.
type Storage = WithTasks<Buffers<IN_FLIGHT, SUBSCRIPTION_BYTES>, TASKS, TASK_BYTES>;

/// Milliseconds since the Unix epoch (task timestamps).
fn unix_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

/// Milliseconds since the server started.
struct StdClock(Instant);

impl Clock for StdClock {
    fn now_ms(&self) -> u32 {
        self.0.elapsed().as_millis() as u32
    }
}

const USAGE: &str = "usage: picomcp-conformance [--listen ADDR]\n\
    \n  (no option)     serve the conformance fixture on stdin/stdout\
    \n  --listen ADDR   serve it over Streamable HTTP at http://ADDR/mcp (ADDR such as 127.0.0.1:8765)\
    \n  --version       print the version";

fn main() -> ExitCode {
    let mut listen = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--listen" => match args.next() {
                Some(addr) => listen = Some(addr),
                None => {
                    eprintln!("picomcp-conformance: --listen needs an address such as 127.0.0.1:8765\n{USAGE}");
                    return ExitCode::from(2);
                }
            },
            "--version" | "-V" => {
                println!("picomcp-conformance {}", env!("CARGO_PKG_VERSION"));
                return ExitCode::SUCCESS;
            }
            "--help" | "-h" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            other => match other.strip_prefix("--listen=") {
                Some(addr) => listen = Some(addr.to_owned()),
                None => {
                    eprintln!("picomcp-conformance: unknown argument {other}\n{USAGE}");
                    return ExitCode::from(2);
                }
            },
        }
    }
    let storage = WithTasks::new(Buffers::new(), picomcp_conformance::task_config(unix_ms));
    let mut server: Server<Storage> = Server::new(storage, picomcp_conformance::config());
    let mut fixture: Fixture<StdClock, IN_FLIGHT> = Fixture::new(StdClock(Instant::now()));
    let served = match listen {
        None => stdio::serve(&mut server, &mut fixture),
        Some(addr) => std::net::TcpListener::bind(&addr).and_then(|listener| {
            eprintln!("picomcp-conformance: serving http://{}/mcp", listener.local_addr()?);
            http::serve::serve(listener, &mut server, &mut fixture)
        }),
    };
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("picomcp-conformance: {e}");
            ExitCode::FAILURE
        }
    }
}
