//! `picomcp-demo`: the demo MCP server of `docs/demo-contract.md`, on stdin/stdout, or
//! with `--http HOST:PORT` on Streamable HTTP at `http://HOST:PORT/mcp`.
//!
//! Run it with `cargo run --release -p picomcp-demo`; it tells you on stderr how to
//! connect the MCP Inspector or Claude Desktop. The contract itself (tools, resources,
//! prompt) lives in `picomcp-demo-contract`, shared with the Cortex-M firmware.

use std::process::ExitCode;
use std::time::Instant;

use picomcp::{Buffers, Config, Implementation, Server, http, stdio};
use picomcp_demo_contract::{Clock, Demo};

/// Requests the demo keeps in flight (and `slow` calls it can wait on) at once.
const IN_FLIGHT: usize = 64;

/// Milliseconds since the server started.
struct StdClock(Instant);

impl Clock for StdClock {
    fn now_ms(&self) -> u32 {
        self.0.elapsed().as_millis() as u32
    }
}

/// Tell a human on stderr how to connect a client.
fn banner() {
    let exe = std::env::current_exe().map(|p| p.display().to_string()).unwrap_or_else(|_| "picomcp-demo".into());
    let json_exe = exe.replace('\\', "\\\\").replace('"', "\\\"");
    eprintln!(
        "picomcp-demo {version}: an MCP server on stdin/stdout (protocol revisions 2024-11-05 to 2026-07-28).\n\
         Connect a client:\n  \
         MCP Inspector:  npx @modelcontextprotocol/inspector {exe}\n  \
         Claude Desktop: add to claude_desktop_config.json\n    \
         {{\"mcpServers\": {{\"picomcp-demo\": {{\"command\": \"{json_exe}\"}}}}}}",
        version = env!("CARGO_PKG_VERSION"),
    );
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let listen = match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        [] => None,
        ["--version" | "-V"] => {
            println!("picomcp-demo {}", env!("CARGO_PKG_VERSION"));
            return ExitCode::SUCCESS;
        }
        ["--http", addr] => Some(addr.to_string()),
        _ => {
            eprintln!(
                "usage: picomcp-demo [--http HOST:PORT]\n  \
                 serves MCP on stdin/stdout, or with --http on Streamable HTTP at http://HOST:PORT/mcp\n  \
                 (see docs/demo-contract.md)"
            );
            return ExitCode::from(2);
        }
    };
    let mut server: Server<Buffers<IN_FLIGHT, 4096>> = Server::new(Buffers::new(), Config::new());
    let identity = Implementation::new("picomcp-demo", env!("CARGO_PKG_VERSION"));
    let mut demo: Demo<StdClock, IN_FLIGHT> = Demo::new(StdClock(Instant::now()), identity);
    let served = match listen {
        None => {
            banner();
            stdio::serve(&mut server, &mut demo)
        }
        Some(addr) => std::net::TcpListener::bind(&addr).and_then(|listener| {
            let url = format!("http://{}/mcp", listener.local_addr()?);
            eprintln!(
                "picomcp-demo {}: an MCP server on Streamable HTTP at {url} (protocol revisions 2024-11-05 to 2026-07-28).\n\
                 Connect a client:\n  MCP Inspector:  npx @modelcontextprotocol/inspector, then transport \"Streamable HTTP\", URL {url}",
                env!("CARGO_PKG_VERSION")
            );
            http::serve::serve(listener, &mut server, &mut demo)
        }),
    };
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("picomcp-demo: {e}");
            ExitCode::FAILURE
        }
    }
}
