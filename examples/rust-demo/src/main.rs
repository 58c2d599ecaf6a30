//! `picomcp-demo`: the demo MCP server of `docs/demo-contract.md`, on stdin/stdout.
//!
//! Run it with `cargo run --release -p picomcp-demo`; it tells you on stderr how to
//! connect the MCP Inspector or Claude Desktop. The contract itself (tools, resources,
//! prompt) lives in `picomcp-demo-contract`, shared with the Cortex-M firmware.

use std::process::ExitCode;
use std::time::Instant;

use picomcp::{Buffers, Config, Implementation, Server, stdio};
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
    if let Some(arg) = std::env::args().nth(1) {
        match arg.as_str() {
            "--version" | "-V" => println!("picomcp-demo {}", env!("CARGO_PKG_VERSION")),
            _ => eprintln!("usage: picomcp-demo   (serves MCP on stdin/stdout; see docs/demo-contract.md)"),
        }
        return ExitCode::SUCCESS;
    }
    banner();
    let mut server: Server<Buffers<IN_FLIGHT, 4096>> = Server::new(Buffers::new(), Config::new());
    let identity = Implementation::new("picomcp-demo", env!("CARGO_PKG_VERSION"));
    let mut demo: Demo<StdClock, IN_FLIGHT> = Demo::new(StdClock(Instant::now()), identity);
    match stdio::serve(&mut server, &mut demo) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("picomcp-demo: {e}");
            ExitCode::FAILURE
        }
    }
}
