//! An MCP echo server written with the official Rust SDK, `rmcp`, the way its
//! documentation shows: one tool, `echo(text: string)`, returning one text
//! content block equal to `text`.
//!
//! By default it serves over `rmcp::transport::stdio()` (the documented stdio
//! transport: tokio's stdin/stdout, whose reads and writes go through tokio's
//! blocking thread pool). With `--pipes` it serves over
//! `rmcp::transport::stdio_pipes()`, which drives the standard streams through
//! tokio's non-blocking pipe driver when both are pipes.

use rmcp::{
    ServiceExt,
    handler::server::wrapper::Parameters,
    model::{CallToolResult, ContentBlock},
    schemars, tool, tool_router,
    transport::{stdio, stdio_pipes},
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

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let pipes = std::env::args().skip(1).any(|arg| arg == "--pipes");
    let service = if pipes { Echo.serve(stdio_pipes()).await? } else { Echo.serve(stdio()).await? };
    service.waiting().await?;
    Ok(())
}
