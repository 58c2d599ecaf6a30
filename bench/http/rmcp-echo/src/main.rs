//! An MCP echo server over Streamable HTTP written with the official Rust SDK,
//! `rmcp`: the same one tool as `bench/rmcp-echo`, `echo(text: string)`,
//! returning one text content block equal to `text`, served at
//! `http://127.0.0.1:PORT/mcp`.
//!
//! By default it is served the way rmcp's examples (`counter_streamhttp.rs`)
//! and tests serve it: a `StreamableHttpService` with a `LocalSessionManager`
//! and the default `StreamableHttpServerConfig` (stateful sessions, SSE
//! responses), nested at `/mcp` in an `axum::Router`, served by `axum::serve`
//! on a tokio `TcpListener`. The options change one thing each:
//!
//! - `--stateless`: `legacy_session_mode = false` (no sessions; every request
//!   is served on its own, no `initialize` needed);
//! - `--json`: `json_response = true` (a plain `application/json` reply
//!   instead of an SSE stream, when the handler sends nothing before it; only
//!   with `--stateless`);
//! - `--nodelay`: `TCP_NODELAY` on every accepted socket (axum's
//!   `ListenerExt::tap_io`).
//!
//! usage: rmcp-http-echo --port PORT [--stateless] [--json] [--nodelay]

use axum::serve::ListenerExt;
use rmcp::{
    handler::server::wrapper::Parameters,
    model::{CallToolResult, ContentBlock},
    schemars, tool, tool_router,
    transport::streamable_http_server::{
        StreamableHttpServerConfig, StreamableHttpService, session::local::LocalSessionManager,
    },
};

/// The arguments of the `echo` tool.
#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
struct EchoArgs {
    /// The text to send back.
    text: String,
}

/// The server: stateless, it only has the one tool.
#[derive(Debug, Clone, Copy)]
struct Echo;

#[tool_router(server_handler)]
impl Echo {
    /// Returns `text` as the only content block.
    #[tool(description = "Echo the text back")]
    fn echo(&self, Parameters(EchoArgs { text }): Parameters<EchoArgs>) -> CallToolResult {
        CallToolResult::success(vec![ContentBlock::text(text)])
    }
}

/// The command line.
struct Options {
    port: u16,
    stateless: bool,
    json: bool,
    nodelay: bool,
}

fn options() -> Result<Options, String> {
    let mut options = Options { port: 0, stateless: false, json: false, nodelay: false };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port" => {
                let value = args.next().ok_or("--port needs a value")?;
                options.port = value.parse().map_err(|_| format!("--port: not a port: {value}"))?;
            }
            "--stateless" => options.stateless = true,
            "--json" => options.json = true,
            "--nodelay" => options.nodelay = true,
            _ => return Err(format!("unknown option {arg}")),
        }
    }
    if options.port == 0 {
        return Err("--port is required".into());
    }
    Ok(options)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let options =
        options().map_err(|e| format!("{e}\nusage: rmcp-http-echo --port PORT [--stateless] [--json] [--nodelay]"))?;
    let config = StreamableHttpServerConfig::default()
        .with_legacy_session_mode(!options.stateless)
        .with_json_response(options.json);
    let service: StreamableHttpService<Echo, LocalSessionManager> =
        StreamableHttpService::new(|| Ok(Echo), Default::default(), config);
    let router = axum::Router::new().nest_service("/mcp", service);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", options.port)).await?;
    if options.nodelay {
        let listener = listener.tap_io(|tcp| {
            tcp.set_nodelay(true).ok();
        });
        axum::serve(listener, router).await?;
    } else {
        axum::serve(listener, router).await?;
    }
    Ok(())
}
