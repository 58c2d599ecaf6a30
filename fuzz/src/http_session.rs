//! The `http_session` target's model: the `session` target's server behind the Streamable
//! HTTP endpoint (`picomcp::http::Endpoint`), driven the way `picomcp::http::serve` drives
//! it (a `Pipeline` per connection, requests handed in until one is incomplete, held
//! requests kept and handed in again after the next poll), with bearer-token
//! authorization and a registry that hides some descriptors per principal.
//!
//! [`run`] plays the operations and checks what the endpoint wrote: every connection's
//! bytes are a sequence of HTTP/1.1 responses (only an open event stream may be
//! unfinished), their JSON-RPC messages are JSON, a connection gets no more responses than
//! it sent requests and no id answered more often than it sent it, and no principal sees a
//! tool hidden from it (in a `tools/list` result, or as anything but "Unknown tool" when
//! it calls it).

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};

use arbitrary::Arbitrary;
use picomcp::http::{
    Access, Conn, Connections, EMPTY_HEADER, Endpoint, EndpointConfig, Handled, Limits, NextRequest, Pipeline,
    ProtectedResource, RequestHead, ResponseHead,
};
use picomcp::{
    Answer, CompletionRequest, Error, Features, Handler, Item, Principal, Prompt, PromptGet, Registry, Resource,
    ResourceRead, ResourceTemplate, Responder, Server, ServerInfo, Storage, TaskAnswer, TaskConfig, TaskId, Ticket,
    Tool, ToolCall, WithTasks,
};
use picomcp::{Buffers, Config};
use serde_json::{Value, json};

use crate::Splits;
use crate::session::{
    self, Call, Caps, Era, FuzzHandler, How, IdPick, REGISTRY, Seen, TOOLS, TaskHow, VersionPick, parse_unbounded,
    settle, tracing,
};

// ---------------------------------------------------------------------------------------
// What a run did (for choosing seeds)
// ---------------------------------------------------------------------------------------

thread_local! {
    static FEATURES: RefCell<Option<BTreeSet<&'static str>>> = const { RefCell::new(None) };
}

/// Note that a run did `what` (only while [`features`] runs one).
fn note(what: &'static str) {
    FEATURES.with(|f| {
        if let Some(set) = f.borrow_mut().as_mut() {
            set.insert(what);
        }
    });
}

/// Play `session` and say what it did: `session-opened`, `legacy-result`,
/// `modern-result`, `stream-answer` (an answer on an event stream), `get-stream`,
/// `question`, `reply-accepted`, `held`, `pending-granted`, `hidden-refused`,
/// `list-filtered`, `metadata`, `401`, `403`, `404`, `400`.
pub fn features(session: &HttpSession) -> BTreeSet<&'static str> {
    FEATURES.with(|f| *f.borrow_mut() = Some(BTreeSet::new()));
    run(session);
    FEATURES.with(|f| f.borrow_mut().take()).unwrap_or_default()
}

// ---------------------------------------------------------------------------------------
// Who sees what
// ---------------------------------------------------------------------------------------

/// The principals the tokens name: alice, bob and carol (0 is anonymous).
const ALICE: Principal = Principal(1);
const BOB: Principal = Principal(2);
const CAROL: Principal = Principal(3);

/// Whether `principal` may see `item`: alice sees no `echo`, `ask`, `must_task`, no logo
/// and no file template; bob no `add`, `defer`, `task` and no `greet` prompt; the others
/// see everything.
pub fn visible(principal: Principal, item: Item) -> bool {
    match (principal, item) {
        (ALICE, Item::Tool(i)) => ![0, 4, 8].contains(&i),
        (BOB, Item::Tool(i)) => ![1, 3, 7].contains(&i),
        (ALICE, Item::Resource(1) | Item::Template(1)) | (BOB, Item::Prompt(0)) => false,
        _ => true,
    }
}

/// Whether the tool named `name` exists and is hidden from `principal`.
fn hidden_tool(principal: Principal, name: &str) -> bool {
    TOOLS.iter().position(|t| t.name == name).is_some_and(|i| !visible(principal, Item::Tool(i)))
}

/// The `session` catalog, with [`visible`] as its `Registry::visible`.
pub struct Scoped;

impl Registry for Scoped {
    fn info(&self) -> ServerInfo<'_> {
        REGISTRY.info()
    }
    fn tool_count(&self) -> usize {
        REGISTRY.tool_count()
    }
    fn tool(&self, index: usize) -> Option<Tool<'_>> {
        REGISTRY.tool(index)
    }
    fn resource_count(&self) -> usize {
        REGISTRY.resource_count()
    }
    fn resource(&self, index: usize) -> Option<Resource<'_>> {
        REGISTRY.resource(index)
    }
    fn template_count(&self) -> usize {
        REGISTRY.template_count()
    }
    fn template(&self, index: usize) -> Option<ResourceTemplate<'_>> {
        REGISTRY.template(index)
    }
    fn prompt_count(&self) -> usize {
        REGISTRY.prompt_count()
    }
    fn prompt(&self, index: usize) -> Option<Prompt<'_>> {
        REGISTRY.prompt(index)
    }
    fn features(&self) -> Features {
        REGISTRY.features()
    }
    fn visible(&self, principal: Principal, item: Item) -> bool {
        visible(principal, item)
    }
}

static SCOPED: Scoped = Scoped;

const SERVERS: [&str; 1] = ["https://auth.example"];
const SCOPES: [&str; 2] = ["mcp:read", "mcp:admin"];

/// Deferred work the next poll does (the endpoint routes what `Handler::poll` writes).
#[derive(Debug)]
enum Work {
    Complete(Ticket, How),
    EndTask(TaskId, TaskHow),
}

/// The `session` handler with a token table, a scoped registry and deferred work done
/// from `poll`.
pub struct HttpHandler {
    /// The `session` target's handler (tickets and tasks it kept).
    pub inner: FuzzHandler,
    work: Vec<Work>,
    polls: u32,
    /// Pending tokens: the poll count when each was first asked about.
    pending: HashMap<String, u32>,
    /// Whether a request without a token is let in (as anonymous) or refused.
    anonymous: bool,
    /// Whether protected-resource metadata is served.
    metadata: bool,
    /// The principal `authorize` granted last (reset by the driver before each request).
    granted: Option<Principal>,
}

impl HttpHandler {
    fn new(anonymous: bool, metadata: bool) -> Self {
        Self {
            inner: FuzzHandler::default(),
            work: Vec::new(),
            polls: 0,
            pending: HashMap::new(),
            anonymous,
            metadata,
            granted: None,
        }
    }
}

impl Handler for HttpHandler {
    fn registry(&self) -> &dyn Registry {
        &SCOPED
    }
    fn call_tool(&mut self, call: ToolCall<'_>, r: &mut Responder<'_>) -> Result<(), Error> {
        self.inner.call_tool(call, r)
    }
    fn read_resource(&mut self, read: ResourceRead<'_>, r: &mut Responder<'_>) -> Result<(), Error> {
        self.inner.read_resource(read, r)
    }
    fn get_prompt(&mut self, get: PromptGet<'_>, r: &mut Responder<'_>) -> Result<(), Error> {
        self.inner.get_prompt(get, r)
    }
    fn complete(&mut self, req: CompletionRequest<'_>, r: &mut Responder<'_>) -> Result<(), Error> {
        self.inner.complete(req, r)
    }
    fn answered(&mut self, ticket: Ticket, answer: Answer<'_>, r: &mut Responder<'_>) -> Result<(), Error> {
        self.inner.answered(ticket, answer, r)
    }
    fn task_input(&mut self, task: TaskId, answer: TaskAnswer<'_>, r: &mut Responder<'_>) -> Result<(), Error> {
        self.inner.task_input(task, answer, r)
    }

    fn authorize(&mut self, head: &RequestHead<'_>) -> Access<'_> {
        let access = match head.bearer_token() {
            None if head.authorization.is_some() => Access::Unauthorized,
            None if self.anonymous => Access::Granted(Principal::ANONYMOUS),
            None => Access::Unauthorized,
            Some("alice") => Access::Granted(ALICE),
            Some("bob") => Access::Granted(BOB),
            Some("carol") => Access::Granted(CAROL),
            Some("reader") => Access::InsufficientScope("mcp:admin mcp:write"),
            // `pendN`: undecided for a poll or two after it is first seen, then granted.
            Some(token) if token.starts_with("pend") && token.len() == 5 => {
                let n = u32::from(token.as_bytes()[4].wrapping_sub(b'0'));
                let first = *self.pending.entry(token.to_owned()).or_insert(self.polls);
                if self.polls >= first + 1 + n % 2 {
                    note("pending-granted");
                    Access::Granted([ALICE, BOB, CAROL, ALICE][(n % 4) as usize])
                } else {
                    Access::Pending
                }
            }
            Some(_) => Access::Unauthorized,
        };
        self.granted = match access {
            Access::Granted(p) => Some(p),
            _ => None,
        };
        access
    }

    fn protected_resource(&self) -> Option<ProtectedResource<'_>> {
        self.metadata.then(|| ProtectedResource {
            resource: None,
            authorization_servers: &SERVERS,
            scopes_supported: &SCOPES,
        })
    }

    fn poll(&mut self, r: &mut Responder<'_>) -> Result<Option<core::time::Duration>, Error> {
        self.polls += 1;
        for work in std::mem::take(&mut self.work) {
            let outcome = match &work {
                Work::Complete(ticket, how) => session::complete(r, *ticket, how),
                Work::EndTask(task, how) => session::end_task(r, *task, how),
            };
            let _ = settle(outcome);
        }
        Ok(None)
    }
}

// ---------------------------------------------------------------------------------------
// The operations
// ---------------------------------------------------------------------------------------

/// One fuzzing run: the server's and the endpoint's configuration, and what the clients do.
#[derive(Arbitrary, Debug)]
pub struct HttpSession {
    /// Whether the server has a task table.
    pub tasks: bool,
    /// A small endpoint (2 sessions, 2 streams, a 1 KiB message buffer) or a roomy one.
    pub small: bool,
    /// The legacy session's page size (0: one page).
    pub page_size: u8,
    /// Whether requests without a token are let in as anonymous (else 401).
    pub anonymous: bool,
    /// Whether the handler serves protected-resource metadata.
    pub metadata: bool,
    /// What happens, in order.
    pub ops: Vec<HttpOp>,
}

/// One thing that happens (after each, the driver runs one round of its loop: hands in
/// what the connections hold, polls, hands in again, closes finished connections).
#[derive(Arbitrary, Debug)]
pub enum HttpOp {
    /// A new connection (at most 4 at once; numbers are reused, as `serve` does).
    Open,
    /// Requests sent on a connection, pipelined, arriving in pieces (`split`: the seed of
    /// their sizes, 0: at once).
    Send { conn: u8, requests: Vec<Req>, split: u8 },
    /// The client closes a connection.
    Close { conn: u8 },
    /// The next poll answers (or reports on) a deferred call.
    Complete { index: u8, how: How },
    /// The next poll ends a task.
    EndTask { index: u8, how: TaskHow },
    /// Another round of the driver's loop.
    Poll,
}

/// One HTTP request.
#[derive(Arbitrary, Debug)]
pub struct Req {
    /// Its `Authorization` header.
    pub token: TokenPick,
    /// Its HTTP version and `Connection` header.
    pub version: HttpVersion,
    /// Its `Host` and `Origin`.
    pub host: HostPick,
    /// What it asks.
    pub kind: ReqKind,
}

/// HTTP version and persistence.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum HttpVersion {
    /// HTTP/1.1, kept open.
    Http11,
    /// HTTP/1.1 with `Connection: close`.
    Http11Close,
    /// HTTP/1.0 (closed after the response).
    Http10,
    /// HTTP/1.0 with `Connection: keep-alive`.
    Http10KeepAlive,
}

/// `Host` and `Origin`.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum HostPick {
    /// `localhost:8000`.
    Local,
    /// No `Host`.
    Absent,
    /// A host not allowed.
    Evil,
    /// A local host with a foreign `Origin`.
    EvilOrigin,
}

/// An `Authorization` header.
#[derive(Arbitrary, Debug, Clone)]
pub enum TokenPick {
    /// None.
    None,
    /// Alice's token.
    Alice,
    /// Bob's token.
    Bob,
    /// Carol's token (sees everything).
    Carol,
    /// A token without the needed scope (403).
    Reader,
    /// A token the handler refuses (401).
    Expired,
    /// A token undecided for a poll or two, then granted.
    Pending(u8),
    /// Any bearer token text.
    Other(String),
    /// Another scheme.
    Basic,
}

/// An `Mcp-Session-Id`.
#[derive(Arbitrary, Debug, Clone)]
pub enum SessionPick {
    /// One a response carried, by index.
    Seen(u8),
    /// Any text.
    Forged(String),
    /// None.
    Absent,
}

/// An `Accept` header.
#[derive(Arbitrary, Debug, Clone)]
pub enum AcceptPick {
    /// JSON and event streams.
    Both,
    /// JSON only.
    Json,
    /// Event streams only.
    Events,
    /// None.
    Absent,
    /// Anything.
    Other(String),
}

/// The modern era's routing headers.
#[derive(Arbitrary, Debug, Clone)]
pub enum Headers {
    /// As the body says.
    Right,
    /// No `MCP-Protocol-Version`.
    NoVersion,
    /// Another `MCP-Protocol-Version`.
    Version(VersionPick),
    /// No `Mcp-Method`.
    NoMethod,
    /// Another `Mcp-Method`.
    Method(String),
    /// No `Mcp-Name`.
    NoName,
    /// Another `Mcp-Name`.
    Name(String),
    /// Another `Content-Type`.
    ContentType(String),
}

/// What a request asks.
#[derive(Arbitrary, Debug, Clone)]
pub enum ReqKind {
    /// `initialize` (opens a legacy session).
    Initialize { id: IdPick, version: VersionPick, caps: Caps, accept: AcceptPick },
    /// `notifications/initialized` in a session.
    Initialized { session: SessionPick },
    /// A legacy request in a session.
    Legacy {
        session: SessionPick,
        id: IdPick,
        call: Call,
        progress: Option<IdPick>,
        version_header: Option<VersionPick>,
        accept: AcceptPick,
    },
    /// A stateless 2026-07-28 request.
    Modern {
        id: IdPick,
        version: VersionPick,
        caps: Caps,
        info: bool,
        log: Option<u8>,
        progress: Option<IdPick>,
        call: Call,
        headers: Headers,
        accept: AcceptPick,
    },
    /// `notifications/cancelled` (in a session, or stateless).
    Cancel { session: SessionPick, id: IdPick },
    /// The answer to a question the server asked, by index.
    Reply { session: SessionPick, index: u8, error: bool },
    /// `GET`: a session's stream.
    Get { session: SessionPick, accept: AcceptPick },
    /// `DELETE`: end a session.
    Delete { session: SessionPick },
    /// The protected-resource metadata (`bare`: the well-known path alone; `post`: as a POST).
    Metadata { bare: bool, post: bool },
    /// Another path.
    WrongPath { path: String },
    /// Another method (`PUT`, `OPTIONS`, `HEAD`, `PATCH`).
    OtherMethod(u8),
    /// A request with one byte replaced.
    Garbled { inner: Box<ReqKind>, at: u16, byte: u8 },
    /// Any bytes.
    Raw(Vec<u8>),
}

// ---------------------------------------------------------------------------------------
// Rendering requests
// ---------------------------------------------------------------------------------------

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding.
fn base64(bytes: &[u8]) -> String {
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            out.push(if i <= chunk.len() { B64[(n >> (18 - 6 * i) & 63) as usize] as char } else { '=' });
        }
    }
    out
}

/// A header value as MCP sends it: plain when it is visible ASCII, else base64-encoded.
fn mcp_value(text: &str) -> String {
    if !text.is_empty() && text.bytes().all(|b| (0x21..0x7f).contains(&b)) && !text.starts_with("=?") {
        text.to_owned()
    } else {
        format!("=?base64?{}?=", base64(text.as_bytes()))
    }
}

/// Text safe in a header line (control characters dropped).
fn header_safe(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).collect()
}

/// What the client knows when it writes a request.
struct Known<'a> {
    seen: &'a Seen,
    sessions: &'a [String],
}

impl Known<'_> {
    fn session(&self, pick: &SessionPick) -> Option<String> {
        match pick {
            SessionPick::Seen(i) if !self.sessions.is_empty() => {
                Some(self.sessions[usize::from(*i) % self.sessions.len()].clone())
            }
            SessionPick::Seen(_) | SessionPick::Absent => None,
            SessionPick::Forged(s) => Some(header_safe(s)),
        }
    }
}

fn accept(pick: &AcceptPick) -> Option<String> {
    match pick {
        AcceptPick::Both => Some("application/json, text/event-stream".into()),
        AcceptPick::Json => Some("application/json".into()),
        AcceptPick::Events => Some("text/event-stream".into()),
        AcceptPick::Absent => None,
        AcceptPick::Other(s) => Some(header_safe(s)),
    }
}

/// A request being written: method, path, headers, body.
struct Draft {
    method: &'static str,
    path: String,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
}

impl Draft {
    fn new(method: &'static str) -> Self {
        Self { method, path: "/mcp".into(), headers: Vec::new(), body: Vec::new() }
    }

    fn post(body: &Value, accept_pick: &AcceptPick) -> Self {
        let mut d = Self::new("POST");
        d.body = body.to_string().into_bytes();
        d.header("Content-Type", Some("application/json".into()));
        d.header("Accept", accept(accept_pick));
        d
    }

    fn header(&mut self, name: &'static str, value: Option<String>) {
        if let Some(v) = value {
            self.headers.push((name, v));
        }
    }
}

/// The name `Mcp-Name` mirrors for a request body, if its method has one.
fn mirrored_name(body: &Value) -> Option<String> {
    let key = match body.get("method")?.as_str()? {
        "tools/call" | "prompts/get" => "name",
        "resources/read" => "uri",
        "tasks/get" | "tasks/update" | "tasks/cancel" => "taskId",
        _ => return None,
    };
    body.get("params")?.get(key)?.as_str().map(str::to_owned)
}

/// The body and headers of `kind` (or, for raw bytes, the bytes).
fn draft(kind: &ReqKind, known: &Known<'_>) -> Result<Draft, Vec<u8>> {
    let any = AcceptPick::Both;
    let d = match kind {
        ReqKind::Initialize { id, version, caps, accept } => {
            let msg = json!({"jsonrpc": "2.0", "id": id_json(*id), "method": "initialize", "params": {
                "protocolVersion": version_json(version), "capabilities": caps_json(*caps),
                "clientInfo": {"name": "fuzz", "version": "1"}}});
            Draft::post(&msg, accept)
        }
        ReqKind::Initialized { session } => {
            let mut d = Draft::post(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}), &any);
            d.header("Mcp-Session-Id", known.session(session));
            d
        }
        ReqKind::Legacy { session, id, call, progress, version_header, accept } => {
            let msg = session::request_json(*id, &Era::Legacy { progress: *progress }, call, known.seen);
            let mut d = Draft::post(&msg, accept);
            d.header("Mcp-Session-Id", known.session(session));
            d.header("MCP-Protocol-Version", version_header.as_ref().map(|v| header_text(&version_json(v))));
            d
        }
        ReqKind::Modern { id, version, caps, info, log, progress, call, headers, accept } => {
            let era =
                Era::Modern { version: version.clone(), caps: *caps, info: *info, log: *log, progress: *progress };
            let msg = session::request_json(*id, &era, call, known.seen);
            let mut d = Draft::post(&msg, accept);
            let method = msg.get("method").and_then(Value::as_str).map(header_safe);
            let name = mirrored_name(&msg).map(|n| mcp_value(&n));
            let version_text = header_text(&version_json(version));
            let (mut v, mut m, mut n) = (Some(version_text), method, name);
            match headers {
                Headers::Right => {}
                Headers::NoVersion => v = None,
                Headers::Version(other) => v = Some(header_text(&version_json(other))),
                Headers::NoMethod => m = None,
                Headers::Method(other) => m = Some(header_safe(other)),
                Headers::NoName => n = None,
                Headers::Name(other) => n = Some(mcp_value(other)),
                Headers::ContentType(other) => d.headers[0].1 = header_safe(other),
            }
            d.header("MCP-Protocol-Version", v);
            d.header("Mcp-Method", m);
            d.header("Mcp-Name", n);
            d
        }
        ReqKind::Cancel { session, id } => {
            let msg = json!({"jsonrpc": "2.0", "method": "notifications/cancelled",
                "params": {"requestId": id_json(*id), "reason": "changed my mind"}});
            let mut d = Draft::post(&msg, &any);
            d.header("Mcp-Session-Id", known.session(session));
            d
        }
        ReqKind::Reply { session, index, error } => {
            let requests = &known.seen.server_requests;
            let id =
                if requests.is_empty() { json!(0) } else { requests[usize::from(*index) % requests.len()].clone() };
            let msg = if *error {
                json!({"jsonrpc": "2.0", "id": id, "error": {"code": -1, "message": "no"}})
            } else {
                json!({"jsonrpc": "2.0", "id": id, "result": {"role": "assistant",
                    "content": {"type": "text", "text": "ok"}, "model": "m", "action": "accept"}})
            };
            let mut d = Draft::post(&msg, &any);
            d.header("Mcp-Session-Id", known.session(session));
            d
        }
        ReqKind::Get { session, accept: a } => {
            let mut d = Draft::new("GET");
            d.header("Accept", accept(a));
            d.header("Mcp-Session-Id", known.session(session));
            d
        }
        ReqKind::Delete { session } => {
            let mut d = Draft::new("DELETE");
            d.header("Mcp-Session-Id", known.session(session));
            d
        }
        ReqKind::Metadata { bare, post } => {
            let mut d = if *post { Draft::post(&json!({}), &any) } else { Draft::new("GET") };
            d.path =
                if *bare { picomcp::http::WELL_KNOWN.into() } else { format!("{}/mcp", picomcp::http::WELL_KNOWN) };
            d
        }
        ReqKind::WrongPath { path } => {
            let mut d = Draft::post(&json!({"jsonrpc": "2.0", "id": 1, "method": "ping"}), &any);
            let path: String = path.chars().filter(|c| c.is_ascii_graphic()).collect();
            d.path = if path.starts_with('/') { path } else { format!("/{path}") };
            d
        }
        ReqKind::OtherMethod(n) => Draft::new(["PUT", "OPTIONS", "HEAD", "PATCH"][usize::from(n % 4)]),
        ReqKind::Garbled { inner, at, byte } => {
            let mut bytes = match draft(inner, known) {
                Ok(d) => finish_draft(d, TokenPick::None, HttpVersion::Http11, HostPick::Local),
                Err(raw) => raw,
            };
            if !bytes.is_empty() {
                let i = usize::from(*at) % bytes.len();
                bytes[i] = *byte;
            }
            return Err(bytes);
        }
        ReqKind::Raw(bytes) => return Err(bytes.clone()),
    };
    Ok(d)
}

/// The whole request: request line, headers, body.
fn finish_draft(mut d: Draft, token: TokenPick, version: HttpVersion, host: HostPick) -> Vec<u8> {
    let minor = match version {
        HttpVersion::Http11 | HttpVersion::Http11Close => 1,
        HttpVersion::Http10 | HttpVersion::Http10KeepAlive => 0,
    };
    match version {
        HttpVersion::Http11Close => d.header("Connection", Some("close".into())),
        HttpVersion::Http10KeepAlive => d.header("Connection", Some("keep-alive".into())),
        _ => {}
    }
    match host {
        HostPick::Local => d.header("Host", Some("localhost:8000".into())),
        HostPick::Absent => {}
        HostPick::Evil => d.header("Host", Some("evil.example".into())),
        HostPick::EvilOrigin => {
            d.header("Host", Some("localhost:8000".into()));
            d.header("Origin", Some("https://evil.example".into()));
        }
    }
    let auth = match &token {
        TokenPick::None => None,
        TokenPick::Alice => Some("Bearer alice".to_owned()),
        TokenPick::Bob => Some("Bearer bob".to_owned()),
        TokenPick::Carol => Some("bearer  carol".to_owned()),
        TokenPick::Reader => Some("Bearer reader".to_owned()),
        TokenPick::Expired => Some("Bearer expired".to_owned()),
        TokenPick::Pending(n) => Some(format!("Bearer pend{}", n % 4)),
        TokenPick::Other(t) => Some(format!("Bearer {}", header_safe(t))),
        TokenPick::Basic => Some("Basic YWxpY2U6eA==".to_owned()),
    };
    d.header("Authorization", auth);
    if !d.body.is_empty() {
        d.header("Content-Length", Some(d.body.len().to_string()));
    }
    let mut out = format!("{} {} HTTP/1.{minor}\r\n", d.method, d.path).into_bytes();
    for (name, value) in &d.headers {
        out.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(&d.body);
    out
}

fn render(req: &Req, known: &Known<'_>) -> Vec<u8> {
    match draft(&req.kind, known) {
        Ok(d) => finish_draft(d, req.token.clone(), req.version, req.host),
        Err(raw) => raw,
    }
}

// The `session` target's JSON pieces (its request builder covers requests; these cover
// `initialize`).
fn id_json(id: IdPick) -> Value {
    session::request_json(id, &Era::Legacy { progress: None }, &Call::Ping, &Seen::default())["id"].clone()
}

fn version_json(v: &VersionPick) -> Value {
    let era = Era::Modern { version: v.clone(), caps: NO_CAPS, info: false, log: None, progress: None };
    let msg = session::request_json(IdPick::Int(0), &era, &Call::Ping, &Seen::default());
    msg["params"]["_meta"]["io.modelcontextprotocol/protocolVersion"].clone()
}

fn caps_json(caps: Caps) -> Value {
    let era = Era::Modern { version: VersionPick::Modern, caps, info: false, log: None, progress: None };
    let msg = session::request_json(IdPick::Int(0), &era, &Call::Ping, &Seen::default());
    msg["params"]["_meta"]["io.modelcontextprotocol/clientCapabilities"].clone()
}

const NO_CAPS: Caps = Caps { sampling: false, elicitation: false, roots: false, tasks: false };

/// A JSON string's text for a header (other values as JSON text), header-safe.
fn header_text(v: &Value) -> String {
    header_safe(&v.as_str().map_or_else(|| v.to_string(), str::to_owned))
}

// ---------------------------------------------------------------------------------------
// The driver
// ---------------------------------------------------------------------------------------

/// What a response answers: the request handed in (in order, one response each).
#[derive(Debug, Default)]
struct Expect {
    /// Who the handler said it comes from (None: refused, or not asked).
    principal: Option<Principal>,
    /// The JSON-RPC request's method and id (canonical text).
    method: Option<String>,
    id: Option<String>,
    /// The tool a `tools/call` names.
    tool: Option<String>,
    /// Whether the body is a client's answer (a JSON-RPC response).
    answer: bool,
    /// Whether it names a session.
    legacy: bool,
}

/// One connection, as the driver keeps it.
struct Wire {
    input: Vec<u8>,
    pipeline: Pipeline,
    /// Everything the endpoint wrote to it.
    out: Vec<u8>,
    /// The requests handed in (and heads refused), in order.
    expects: Vec<Expect>,
    /// JSON-RPC requests sent per id.
    requests: HashMap<String, usize>,
    /// Messages already learned from.
    learned: usize,
}

/// The driver's connections, as the endpoint sees them.
#[derive(Default)]
struct Table {
    conns: Vec<Option<Wire>>,
}

impl Connections for Table {
    fn send(&mut self, conn: Conn, bytes: &[u8]) -> Result<(), Error> {
        match self.conns.get_mut(conn as usize).and_then(Option::as_mut) {
            Some(w) => {
                w.out.extend_from_slice(bytes);
                Ok(())
            }
            None => panic!(
                "the endpoint wrote to connection {conn} after it was closed: {:?}",
                String::from_utf8_lossy(bytes)
            ),
        }
    }

    fn finish(&mut self, conn: Conn, keep_alive: bool) {
        match self.conns.get_mut(conn as usize).and_then(Option::as_mut) {
            Some(w) => w.pipeline.finish(keep_alive),
            None => panic!("the endpoint finished a response on connection {conn} after it was closed"),
        }
    }
}

/// At most this many connections at once.
const MAX_CONNS: usize = 4;

struct Driver<'a, const A: usize, const B: usize, const C: usize, S: Storage> {
    endpoint: Endpoint<A, B, C>,
    server: &'a mut Server<S>,
    handler: HttpHandler,
    table: Table,
    scratch: Vec<u8>,
    limits: Limits,
    seen: Seen,
    sessions: Vec<String>,
}

impl<const A: usize, const B: usize, const C: usize, S: Storage> Driver<'_, A, B, C, S> {
    fn open(&mut self) -> Option<usize> {
        let wire = Wire {
            input: Vec::new(),
            pipeline: Pipeline::new(),
            out: Vec::new(),
            expects: Vec::new(),
            requests: HashMap::new(),
            learned: 0,
        };
        if let Some(free) = self.table.conns.iter().position(Option::is_none) {
            self.table.conns[free] = Some(wire);
            return Some(free);
        }
        if self.table.conns.len() < MAX_CONNS {
            self.table.conns.push(Some(wire));
            return Some(self.table.conns.len() - 1);
        }
        None
    }

    /// The `n`-th open connection (opening one when there is none).
    fn pick(&mut self, n: u8) -> usize {
        let open: Vec<usize> = (0..self.table.conns.len()).filter(|&i| self.table.conns[i].is_some()).collect();
        if open.is_empty() {
            return self.open().expect("a free connection");
        }
        open[usize::from(n) % open.len()]
    }

    /// Close `conn` (the client went away, or the server's answer said so): the
    /// endpoint hears of it.
    fn close(&mut self, conn: usize) {
        self.check(conn, true);
        if tracing() {
            let out = self.table.conns[conn].as_ref().map(|w| String::from_utf8_lossy(&w.out).into_owned());
            eprintln!("< conn {conn} (closed):\n{}", out.unwrap_or_default());
        }
        self.table.conns[conn] = None;
        self.endpoint.closed(self.server, &mut self.handler, conn as Conn);
    }

    /// Hand in the requests `conn` holds while it is free, as `serve` does.
    fn handle_buffered(&mut self, conn: usize) {
        loop {
            let Some(w) = self.table.conns[conn].as_mut() else { return };
            if !w.pipeline.is_free() || w.input.is_empty() || self.endpoint.is_streaming(conn as Conn) {
                return;
            }
            let input = std::mem::take(&mut w.input);
            let mut headers = [EMPTY_HEADER; 32];
            let (consumed, stop) = match w.pipeline.next_request(&input, &mut headers, &self.limits) {
                NextRequest::Incomplete => (0, true),
                NextRequest::Bad(e) => {
                    w.expects.push(Expect::default());
                    ResponseHead::new(e.status())
                        .close(true)
                        .write(&mut ConnSink { table: &mut self.table, conn: conn as Conn })
                        .expect("the table never fails");
                    (input.len(), true)
                }
                NextRequest::Ready { head, body, consumed } => {
                    self.handler.granted = None;
                    let handled = self.endpoint.handle(
                        self.server,
                        &mut self.handler,
                        &mut self.table,
                        conn as Conn,
                        &head,
                        body,
                        &mut self.scratch,
                    );
                    let w = self.table.conns[conn].as_mut().expect("handling keeps the connection");
                    match handled {
                        Ok(Handled::Held) => {
                            note("held");
                            w.pipeline.hold();
                            (0, true)
                        }
                        Ok(Handled::Done) => {
                            let legacy = head.session_id.is_some();
                            let mut expect = Expect { principal: self.handler.granted, legacy, ..Expect::default() };
                            if head.method == picomcp::http::Method::Post {
                                let mut counted = Seen::default();
                                // As deep as the endpoint reads a body for its id.
                                session::count_requests_within(body, picomcp::json::MAX_DEPTH_LIMIT, &mut counted);
                                for (id, n) in counted.requests {
                                    *w.requests.entry(id).or_default() += n;
                                }
                                if let Ok(msg) = serde_json::from_slice::<Value>(body) {
                                    expect.method = msg.get("method").and_then(Value::as_str).map(str::to_owned);
                                    expect.id = msg.get("id").map(Value::to_string);
                                    expect.answer = expect.method.is_none()
                                        && (msg.get("result").is_some() || msg.get("error").is_some());
                                    expect.tool = msg
                                        .get("params")
                                        .and_then(|p| p.get("name"))
                                        .and_then(Value::as_str)
                                        .map(str::to_owned);
                                }
                            }
                            w.expects.push(expect);
                            (consumed, false)
                        }
                        Err(e) => panic!("Endpoint::handle failed ({e:?}) with a driver that never fails"),
                    }
                }
            };
            if let Some(w) = self.table.conns[conn].as_mut() {
                let mut input = input;
                input.drain(..consumed.min(input.len()));
                w.input = input;
            }
            if stop {
                return;
            }
        }
    }

    /// One round of `serve`'s loop (after the input arrived): hand in, poll, hand in,
    /// close the connections that are done; then check every connection.
    fn round(&mut self) {
        for conn in 0..self.table.conns.len() {
            self.handle_buffered(conn);
        }
        let polled = self.endpoint.poll(self.server, &mut self.handler, &mut self.table, &mut self.scratch);
        polled.expect("Endpoint::poll fails only when a connection does");
        for conn in 0..self.table.conns.len() {
            self.handle_buffered(conn);
        }
        for conn in 0..self.table.conns.len() {
            if self.table.conns[conn].as_ref().is_some_and(|w| w.pipeline.close_after()) {
                self.close(conn);
            }
        }
        for conn in 0..self.table.conns.len() {
            if self.table.conns[conn].is_some() {
                self.check(conn, false);
            }
        }
    }

    fn send(&mut self, conn: usize, bytes: &[u8], split: u8) {
        if tracing() {
            eprintln!("> conn {conn}:\n{}", String::from_utf8_lossy(bytes));
        }
        let mut splits = Splits::new(split);
        let mut rest = bytes;
        let mut pieces = 0;
        while !rest.is_empty() {
            pieces += 1;
            let n = if pieces >= 16 { rest.len() } else { splits.next(rest.len()).min(rest.len()) };
            let Some(w) = self.table.conns[conn].as_mut() else { return };
            w.input.extend_from_slice(&rest[..n]);
            rest = &rest[n..];
            self.round();
        }
    }

    /// Check what `conn` got so far (`closing`: the connection ends now).
    fn check(&mut self, conn: usize, closing: bool) {
        let streaming = self.endpoint.is_streaming(conn as Conn);
        let w = self.table.conns[conn].as_mut().expect("an open connection");
        let responses = parse_responses(&w.out, conn);
        assert!(
            responses.len() <= w.expects.len(),
            "connection {conn} got {} responses for {} requests: {:?}",
            responses.len(),
            w.expects.len(),
            String::from_utf8_lossy(&w.out)
        );
        if let Some(last) = responses.last().filter(|r| !r.complete) {
            assert!(last.is_event_stream(), "an unfinished response that is no event stream on conn {conn}");
            assert!(
                closing || streaming || last.until_close,
                "conn {conn}: an unfinished event stream the endpoint no longer serves: {:?}",
                String::from_utf8_lossy(&w.out)
            );
        }
        let mut answers: HashMap<String, usize> = HashMap::new();
        let mut n = 0;
        for (response, expect) in responses.iter().zip(&w.expects) {
            note_response(response, expect);
            if let Some(id) = response.header("mcp-session-id") {
                if !self.sessions.iter().any(|s| s == id) {
                    self.sessions.push(id.to_owned());
                }
            }
            for msg in &response.messages {
                let obj = msg.as_object().expect("messages are objects");
                let answer_id = obj.get("id").filter(|id| !id.is_null() && !obj.contains_key("method"));
                let same_id = |id: &Value| expect.id.as_deref().is_some_and(|e| e == id.to_string());
                // (A client's answer the endpoint refuses gets an error without id: MCP
                // says so, and its id was no request's.)
                if let Some(id) = answer_id {
                    let key = id.to_string();
                    let count = answers.entry(key.clone()).or_default();
                    *count += 1;
                    let asked = w.requests.get(&key).copied().unwrap_or(0);
                    assert!(
                        *count <= asked,
                        "conn {conn}: id {key} answered {count} times for {asked} requests: {msg}"
                    );
                    if same_id(id) {
                        check_visibility(expect, obj);
                    }
                }
                if n >= w.learned {
                    session::learn(obj, &mut self.seen);
                }
                n += 1;
            }
        }
        w.learned = n;
    }
}

/// Note what a response shows (see [`features`]).
fn note_response(response: &Response, expect: &Expect) {
    match response.status {
        400 => note("400"),
        401 => note("401"),
        403 => note("403"),
        404 => note("404"),
        202 if expect.answer => note("reply-accepted"),
        200 if response.header("mcp-session-id").is_some() => note("session-opened"),
        200 if response.metadata => note("metadata"),
        _ => {}
    }
    if response.is_event_stream() && expect.method.is_none() {
        note("get-stream");
    }
    for msg in &response.messages {
        if msg.get("method").is_some() && msg.get("id").is_some() {
            note("question");
        }
        if msg.get("result").is_some() && expect.method.as_deref() != Some("initialize") {
            note(if expect.legacy { "legacy-result" } else { "modern-result" });
            if response.is_event_stream() {
                note("stream-answer");
            }
        }
    }
}

/// No principal sees a tool hidden from it: not in a `tools/list` result, and a call of
/// one is answered as for an unknown tool.
fn check_visibility(expect: &Expect, answer: &serde_json::Map<String, Value>) {
    let Some(principal) = expect.principal else {
        panic!("an answer to a request the handler did not let in: {answer:?} for {expect:?}")
    };
    match expect.method.as_deref() {
        Some("tools/list") => {
            let tools = answer.get("result").and_then(|r| r.get("tools")).and_then(Value::as_array);
            if principal == ALICE || principal == BOB {
                note("list-filtered");
            }
            for tool in tools.into_iter().flatten() {
                let name = tool.get("name").and_then(Value::as_str).unwrap_or_default();
                assert!(!hidden_tool(principal, name), "{principal:?} was shown hidden tool {name}: {answer:?}");
            }
        }
        Some("tools/call") if expect.tool.as_deref().is_some_and(|t| hidden_tool(principal, t)) => {
            // Any error a request gets before its tool is looked up is fine (a missing
            // session, a header mismatch, ...); a result, or an error about what the tool
            // needs, tells the caller the tool exists.
            let code = answer.get("error").and_then(|e| e.get("code")).and_then(Value::as_i64);
            assert!(
                code.is_some_and(|c| c != i64::from(picomcp::jsonrpc::code::MISSING_CLIENT_CAPABILITY)),
                "{principal:?} called hidden tool {:?} and got an answer that tells it exists: {answer:?}",
                expect.tool
            );
            note("hidden-refused");
        }
        _ => {}
    }
}

/// A [`picomcp::Sink`] onto one connection of the table.
struct ConnSink<'t> {
    table: &'t mut Table,
    conn: Conn,
}

impl picomcp::Sink for ConnSink<'_> {
    fn write(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.table.send(self.conn, bytes)
    }
}

// ---------------------------------------------------------------------------------------
// Reading responses
// ---------------------------------------------------------------------------------------

/// One response as the client reads it.
#[derive(Debug)]
struct Response {
    status: u16,
    /// Whether its body is the protected-resource metadata.
    metadata: bool,
    headers: Vec<(String, String)>,
    /// Whether its body is complete.
    complete: bool,
    /// Whether its body runs until the connection closes.
    until_close: bool,
    /// The JSON-RPC messages of its body.
    messages: Vec<Value>,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    fn is_event_stream(&self) -> bool {
        self.header("content-type") == Some("text/event-stream")
    }
}

fn find(bytes: &[u8], what: &[u8]) -> Option<usize> {
    bytes.windows(what.len()).position(|w| w == what)
}

/// Parse `bytes` (everything a connection got) as HTTP/1.1 responses; only the last may
/// be unfinished, and only between two chunks or events.
fn parse_responses(mut bytes: &[u8], conn: usize) -> Vec<Response> {
    let all_text = || String::from_utf8_lossy(bytes).into_owned();
    let mut all = Vec::new();
    while !bytes.is_empty() {
        let whole = String::from_utf8_lossy(bytes).into_owned();
        let end =
            find(bytes, b"\r\n\r\n").unwrap_or_else(|| panic!("conn {conn}: a response head cut short: {whole:?}"));
        let head = std::str::from_utf8(&bytes[..end]).unwrap_or_else(|_| panic!("conn {conn}: a head not UTF-8"));
        let mut lines = head.split("\r\n");
        let status_line = lines.next().unwrap_or_default();
        let status = status_line
            .strip_prefix("HTTP/1.1 ")
            .and_then(|s| s.split_once(' '))
            .filter(|(code, reason)| code.len() == 3 && code.bytes().all(|b| b.is_ascii_digit()) && !reason.is_empty())
            .and_then(|(code, _)| code.parse::<u16>().ok())
            .unwrap_or_else(|| panic!("conn {conn}: a bad status line {status_line:?} in {whole:?}"));
        let headers: Vec<(String, String)> = lines
            .map(|l| {
                let (n, v) = l.split_once(": ").unwrap_or_else(|| panic!("conn {conn}: a bad header line {l:?}"));
                assert!(
                    !n.is_empty() && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'),
                    "header name {n:?}"
                );
                (n.to_owned(), v.to_owned())
            })
            .collect();
        let mut response =
            Response { status, metadata: false, headers, complete: false, until_close: false, messages: Vec::new() };
        let mut rest = &bytes[end + 4..];
        let length = response.header("content-length");
        let chunked = response.header("transfer-encoding");
        let mut body = Vec::new();
        match (length, chunked) {
            (Some(_), Some(_)) => panic!("conn {conn}: both Content-Length and Transfer-Encoding: {whole:?}"),
            (Some(len), None) => {
                let len: usize = len.parse().unwrap_or_else(|_| panic!("conn {conn}: Content-Length {len:?}"));
                assert!(rest.len() >= len, "conn {conn}: a body cut short: {whole:?}");
                body = rest[..len].to_vec();
                rest = &rest[len..];
                response.complete = true;
            }
            (None, Some(te)) => {
                assert_eq!(te, "chunked", "conn {conn}");
                while !rest.is_empty() {
                    let line = find(rest, b"\r\n").unwrap_or_else(|| panic!("conn {conn}: a chunk size cut short"));
                    let size = std::str::from_utf8(&rest[..line])
                        .ok()
                        .and_then(|s| usize::from_str_radix(s, 16).ok())
                        .unwrap_or_else(|| panic!("conn {conn}: a bad chunk size in {whole:?}"));
                    let data =
                        rest.get(line + 2..line + 2 + size).unwrap_or_else(|| panic!("conn {conn}: a chunk cut short"));
                    assert_eq!(
                        rest.get(line + 2 + size..line + 4 + size),
                        Some(&b"\r\n"[..]),
                        "conn {conn}: chunk end"
                    );
                    rest = &rest[line + 4 + size..];
                    if size == 0 {
                        response.complete = true;
                        break;
                    }
                    body.extend_from_slice(data);
                }
            }
            (None, None) if status == 204 => response.complete = true,
            (None, None) => {
                assert_eq!(
                    response.header("connection"),
                    Some("close"),
                    "conn {conn}: a body until close without Connection: close"
                );
                body = rest.to_vec();
                rest = &[];
                response.until_close = true;
            }
        }
        read_body(&mut response, &body, conn);
        let open = !response.complete;
        all.push(response);
        if open || all.last().is_some_and(|r| r.header("connection") == Some("close")) {
            assert!(rest.is_empty(), "conn {conn}: bytes after the last response: {}", all_text());
            break;
        }
        bytes = rest;
    }
    all
}

/// The JSON-RPC messages of a body: a JSON response's, or an event stream's `data:` lines.
fn read_body(response: &mut Response, body: &[u8], conn: usize) {
    if body.is_empty() {
        return;
    }
    let text = || String::from_utf8_lossy(body).into_owned();
    let values = match response.header("content-type") {
        Some("application/json") => {
            vec![
                parse_unbounded(body)
                    .unwrap_or_else(|e| panic!("conn {conn}: a JSON body that is not JSON ({e}): {}", text())),
            ]
        }
        Some("text/event-stream") => {
            assert!(body.ends_with(b"\n\n"), "conn {conn}: an event cut short: {}", text());
            let mut values = Vec::new();
            for event in body[..body.len() - 2].split(|&b| b == b'\n').collect::<Vec<_>>().split(|l| l.is_empty()) {
                let data: Vec<&[u8]> = event.iter().filter_map(|l| l.strip_prefix(b"data: ")).collect();
                for line in event {
                    let known = [&b"data: "[..], b"id:", b"event:", b"retry:", b":"];
                    assert!(
                        known.iter().any(|p| line.starts_with(p)),
                        "conn {conn}: an event line {:?}",
                        String::from_utf8_lossy(line)
                    );
                }
                let joined = data.join(&b'\n');
                values.push(parse_unbounded(&joined).unwrap_or_else(|e| {
                    panic!("conn {conn}: an event that is not JSON ({e}): {}", String::from_utf8_lossy(&joined))
                }));
            }
            values
        }
        other => panic!("conn {conn}: a body of type {other:?}: {}", text()),
    };
    for value in values {
        // JSON-RPC messages (the metadata document and OAuth error bodies are not).
        let Some(obj) = value.as_object() else { panic!("conn {conn}: a body that is no object: {value}") };
        if !obj.contains_key("jsonrpc") {
            response.metadata = obj.contains_key("resource");
            assert!(
                obj.contains_key("resource") || obj.contains_key("error"),
                "conn {conn}: neither JSON-RPC, metadata nor an OAuth error: {value}"
            );
            continue;
        }
        assert_eq!(obj.get("jsonrpc"), Some(&json!("2.0")), "conn {conn}: {value}");
        let is_answer = obj.contains_key("result") || obj.contains_key("error");
        assert!(
            obj.contains_key("method") || is_answer,
            "conn {conn}: neither request, notification nor answer: {value}"
        );
        response.messages.push(value);
    }
}

// ---------------------------------------------------------------------------------------
// Playing a session
// ---------------------------------------------------------------------------------------

/// Play `session` against a fresh endpoint and server of the configuration it names.
pub fn run(session: &HttpSession) {
    let mut config = Config::new();
    config.page_size = usize::from(session.page_size % 4);
    config.max_listens = 2;
    config.state_key = [7; 32];
    let handler = HttpHandler::new(session.anonymous, session.metadata);
    let endpoint = EndpointConfig { key: [9; 32], ..EndpointConfig::new() };
    macro_rules! go {
        ($server:expr, $a:literal, $b:literal, $c:literal, $scratch:expr) => {{
            let mut server = $server;
            let mut driver = Driver::<$a, $b, $c, _> {
                endpoint: Endpoint::new(endpoint),
                server: &mut server,
                handler,
                table: Table::default(),
                scratch: vec![0; $scratch],
                limits: Limits::new(32, 4096, 16 * 1024),
                seen: Seen::default(),
                sessions: Vec::new(),
            };
            play(&mut driver, &session.ops);
        }};
    }
    let tasks = || {
        Server::new(WithTasks::<Buffers<4, 64>, 2, 512>::new(Buffers::new(), TaskConfig::new(session::clock)), config)
    };
    let plain = || Server::new(Buffers::<4, 64>::new(), config);
    match (session.tasks, session.small) {
        (true, true) => go!(tasks(), 2, 2, 16, 1024),
        (true, false) => go!(tasks(), 4, 8, 64, 16 * 1024),
        (false, true) => go!(plain(), 2, 2, 16, 1024),
        (false, false) => go!(plain(), 4, 8, 64, 16 * 1024),
    }
}

fn play<const A: usize, const B: usize, const C: usize, S: Storage>(d: &mut Driver<'_, A, B, C, S>, ops: &[HttpOp]) {
    for op in ops.iter().take(48) {
        if tracing() {
            eprintln!("({op:?})");
        }
        match op {
            HttpOp::Open => {
                d.open();
                d.round();
            }
            HttpOp::Send { conn, requests, split } => {
                let conn = d.pick(*conn);
                let known = Known { seen: &d.seen, sessions: &d.sessions };
                let bytes: Vec<u8> = requests.iter().take(6).flat_map(|r| render(r, &known)).collect();
                d.send(conn, &bytes, *split);
            }
            HttpOp::Close { conn } => {
                if d.table.conns.iter().any(Option::is_some) {
                    let conn = d.pick(*conn);
                    d.close(conn);
                }
                d.round();
            }
            HttpOp::Complete { index, how } => {
                let tickets = &d.handler.inner.tickets;
                if !tickets.is_empty() {
                    let ticket = tickets[usize::from(*index) % tickets.len()];
                    d.handler.work.push(Work::Complete(ticket, how.clone()));
                }
                d.round();
            }
            HttpOp::EndTask { index, how } => {
                let tasks = &d.handler.inner.tasks;
                if !tasks.is_empty() {
                    let task = tasks[usize::from(*index) % tasks.len()];
                    d.handler.work.push(Work::EndTask(task, how.clone()));
                }
                d.round();
            }
            HttpOp::Poll => d.round(),
        }
    }
    if tracing() {
        for (conn, w) in d.table.conns.iter().enumerate() {
            if let Some(w) = w {
                eprintln!("< conn {conn}:\n{}", String::from_utf8_lossy(&w.out));
            }
        }
    }
}
