//! The rmcp side: the same operations, as close to "parse, dispatch, write" as rmcp's
//! public API allows without a transport.
//!
//! One operation, [`Side::handle`], is what rmcp's stdio service does for one request
//! line, minus the transport and the task plumbing:
//!
//! 1. decode the line as rmcp's codec does (a UTF-8 check, then
//!    `serde_json::from_slice` into `ClientJsonRpcMessage`);
//! 2. build the `RequestContext` as the service loop does (the request's `_meta` and
//!    extensions moved out of it, a clone of the `Peer`, a cancellation token that is a
//!    child of a per-request token, itself a child of the loop's token);
//! 3. run `Service::handle_request` (rmcp's dispatcher: protocol version checks, then
//!    the `ServerHandler` method, here the `#[tool_handler]`-generated `call_tool` or
//!    `list_tools`, then the result fix-ups for the peer's protocol version);
//! 4. wrap the result in a `ServerJsonRpcMessage`, cancel the request's token (the loop
//!    does when the response goes out) and encode it as the codec does
//!    (`serde_json::to_writer` and a newline) into a reused `Vec<u8>`.
//!
//! Left out, since they are transport and scheduling rather than MCP work: the framing
//! buffer, the `tokio::spawn` of each request's handler, the mpsc channel from the
//! handler task back to the loop, the map of tokens of requests in flight, and the
//! `tracing` spans (no subscriber is installed, so they would cost little anyway).
//!
//! The handler future is polled once with a no-op waker: for these requests it never
//! waits on anything, so it completes on that first poll (if it ever returned
//! `Pending`, the rest would be run on the runtime and counted in
//! [`Side::pending`]). `--block-on` runs every request through the current-thread
//! runtime's `block_on` instead.

use std::future::Future;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use rmcp::handler::server::router::tool::{ToolRoute, ToolRouter};
use rmcp::handler::server::tool::ToolCallContext;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{
    CallToolResponse, CallToolResult, ClientJsonRpcMessage, ContentBlock, GetExtensions, GetMeta, JsonObject,
    JsonRpcMessage, JsonRpcRequest, ServerJsonRpcMessage, Tool,
};
use rmcp::service::{RequestContext, RunningService, serve_directly};
use rmcp::{ErrorData, Peer, RoleServer, ServerHandler, Service, schemars, tool, tool_handler, tool_router};
use tokio::runtime::Runtime;
use tokio_util::sync::CancellationToken;

use crate::catalogue::{self, Spec};

/// The arguments of the `echo` tool (as in `rmcp-echo`).
#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
struct EchoArgs {
    /// The text to send back.
    text: String,
}

/// The 100-tool server: its router is built once, in [`Bench::new`], and kept in a
/// field (`#[tool_handler(router = self.tool_router)]`), the way rmcp documents for a
/// server with a router of its own. `rmcp-echo`'s shorter `#[tool_router(server_handler)]`
/// form rebuilds the router on every call; see [`EchoOnly`].
#[derive(Clone)]
pub struct Bench {
    tool_router: ToolRouter<Bench>,
}

#[tool_router]
impl Bench {
    /// Returns `text` as the only content block.
    #[tool(description = "Echo the text back")]
    fn echo(&self, Parameters(EchoArgs { text }): Parameters<EchoArgs>) -> CallToolResult {
        CallToolResult::success(vec![ContentBlock::text(text)])
    }
}

#[tool_handler(router = self.tool_router, name = "inproc-bench", version = "1.0.0")]
impl ServerHandler for Bench {}

/// The handler of the 99 tools that are listed but never called in the bench.
fn not_implemented<'a>(
    _call: ToolCallContext<'a, Bench>,
) -> Pin<Box<dyn Future<Output = Result<CallToolResponse, ErrorData>> + Send + 'a>> {
    Box::pin(std::future::ready(Err(ErrorData::internal_error("only echo is implemented in the bench", None))))
}

impl Bench {
    /// The server with `echo` (from `#[tool_router]`) and the rest of `tools`, each with
    /// its schema parsed once into the `Arc<JsonObject>` rmcp keeps.
    pub fn new(tools: &[Spec]) -> Self {
        let mut tool_router = Self::tool_router();
        for spec in tools.iter().filter(|t| t.name != catalogue::ECHO) {
            let schema: JsonObject = serde_json::from_str(spec.input_schema).expect("catalogue schemas are objects");
            let tool = Tool::new(spec.name, spec.description, Arc::new(schema));
            tool_router.add_route(ToolRoute::new_dyn(tool, not_implemented));
        }
        Self { tool_router }
    }

    /// Whether rmcp derives for `EchoArgs` the schema the catalogue gives picomcp's `echo`.
    pub fn check_echo_schema(&self) -> Result<(), String> {
        let tool = self.get_tool(catalogue::ECHO).ok_or("rmcp has no echo tool")?;
        let derived = serde_json::Value::Object((*tool.input_schema).clone());
        let ours: serde_json::Value = serde_json::from_str(catalogue::ECHO_SCHEMA).map_err(|e| e.to_string())?;
        if derived == ours { Ok(()) } else { Err(format!("rmcp derives {derived}, the catalogue has {ours}")) }
    }
}

/// `rmcp-echo`'s server, verbatim: one tool, `#[tool_router(server_handler)]`. That form
/// calls `Self::tool_router()` on every `tools/call` and `tools/list`, so it builds the
/// router (a hash map of routes) per request; measured for a note under the table.
#[derive(Debug, Clone, Copy)]
pub struct EchoOnly;

#[tool_router(server_handler)]
impl EchoOnly {
    /// Returns `text` as the only content block.
    #[tool(description = "Echo the text back")]
    fn echo(&self, Parameters(EchoArgs { text }): Parameters<EchoArgs>) -> CallToolResult {
        CallToolResult::success(vec![ContentBlock::text(text)])
    }
}

/// How the handler future is driven.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Drive {
    /// Poll it once with a no-op waker (it completes on that poll).
    Poll,
    /// `Runtime::block_on` on a current-thread runtime, per request.
    BlockOn,
}

/// One rmcp server, its peer, and the reusable output buffer: everything one case needs.
pub struct Side<S: ServerHandler + Clone> {
    server: S,
    peer: Peer<RoleServer>,
    /// The service loop's cancellation token; each request gets a child of a child.
    loop_ct: CancellationToken,
    runtime: Runtime,
    drive: Drive,
    /// Requests whose handler returned `Pending` on the first poll (finished on the runtime).
    pub pending: u64,
    /// The last reply, with its newline.
    pub out: Vec<u8>,
    /// Kept alive so that the peer stays connected: the service `serve_directly` started
    /// (its loop never runs unless the runtime is driven) and the other end of its stream.
    _running: RunningService<RoleServer, S>,
    _other_end: tokio::io::DuplexStream,
}

impl<S: ServerHandler + Clone> Side<S> {
    /// A side for `server`, with no handshake done yet.
    ///
    /// A `Peer` (which every `RequestContext` carries) has no public constructor: it comes
    /// from a running service. So `serve_directly` (rmcp's "skip the initialization"
    /// entry point) starts one on an in-memory duplex stream nobody writes to, and its
    /// peer is borrowed; the service's own loop is never involved in the measurements.
    pub fn new(server: S, drive: Drive) -> Self {
        let runtime = tokio::runtime::Builder::new_current_thread().build().expect("a tokio runtime");
        let (ours, other_end) = tokio::io::duplex(64 * 1024);
        let running = {
            let _context = runtime.enter();
            serve_directly::<RoleServer, _, _, _, _>(server.clone(), ours, None)
        };
        let peer = running.peer().clone();
        Self {
            server,
            peer,
            loop_ct: CancellationToken::new(),
            runtime,
            drive,
            pending: 0,
            out: Vec::new(),
            _running: running,
            _other_end: other_end,
        }
    }

    /// The legacy handshake: `initialize` through the same path as the measured requests
    /// (rmcp's default `initialize` stores the client's info in the peer, which is what
    /// later requests read their protocol version from). `notifications/initialized`
    /// is not sent: a `NotificationContext` cannot be built outside rmcp, and the
    /// default handler of that notification does nothing.
    pub fn handshake(&mut self) {
        self.handle(crate::wire::INITIALIZE.as_bytes());
        assert!(self.reply().contains("\"protocolVersion\":\"2025-11-25\""), "initialize failed: {}", self.reply());
    }

    /// The measured operation: one request line in, its reply line in `out`.
    #[inline]
    pub fn handle(&mut self, line: &[u8]) {
        self.out.clear();
        // Decode, as rmcp's codec does.
        std::str::from_utf8(line).expect("request lines are UTF-8");
        let message: ClientJsonRpcMessage = serde_json::from_slice(line).expect("rmcp parses the request");
        let JsonRpcMessage::Request(JsonRpcRequest { id, mut request, .. }) = message else {
            panic!("the bench only sends requests here");
        };
        // The context, as the service loop builds it.
        let request_ct = self.loop_ct.child_token();
        let mut context = RequestContext::new(id.clone(), self.peer.clone());
        context.ct = request_ct.child_token();
        context.meta = std::mem::take(request.get_meta_mut());
        context.extensions = std::mem::take(request.extensions_mut());
        // Dispatch.
        let future = Service::handle_request(&self.server, request, context);
        let result = complete(&self.runtime, self.drive, &mut self.pending, future);
        let response = match result {
            Ok(result) => ServerJsonRpcMessage::response(result, id),
            Err(error) => ServerJsonRpcMessage::error(error, Some(id)),
        };
        request_ct.cancel();
        // Encode, as rmcp's codec does.
        serde_json::to_writer(&mut self.out, &response).expect("rmcp serializes the response");
        self.out.push(b'\n');
    }

    /// The server.
    pub fn server(&self) -> &S {
        &self.server
    }

    /// The last reply, as text.
    pub fn reply(&self) -> &str {
        std::str::from_utf8(&self.out).expect("replies are UTF-8")
    }
}

/// Run a handler future to completion, the way `drive` says; count it in `pending` if a
/// first poll did not finish it.
fn complete<F: Future>(runtime: &Runtime, drive: Drive, pending: &mut u64, future: F) -> F::Output {
    match drive {
        Drive::BlockOn => runtime.block_on(future),
        Drive::Poll => {
            let mut future = pin!(future);
            match future.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
                Poll::Ready(output) => output,
                Poll::Pending => {
                    *pending += 1;
                    runtime.block_on(future)
                }
            }
        }
    }
}
