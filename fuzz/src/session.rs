//! The `session` target's model: a test server (a catalog like the demo's and a handler
//! that answers at once, defers calls by ticket, asks questions and runs tasks), and a
//! structure-aware sequence of client operations rendered to JSON-RPC frames.
//!
//! [`run`] plays the operations and checks what the server wrote: every line is one JSON
//! text, and no request id gets more answers than requests were sent with it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

use arbitrary::Arbitrary;
use picomcp::json::{self as pjson, Text};
use picomcp::jsonrpc::{self, Message};
use picomcp::*;
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------------------

const ECHO: &str = r#"{"type":"object","properties":{"text":{"type":"string"}},"required":["text"]}"#;
const ADD: &str =
    r#"{"type":"object","properties":{"a":{"type":"number"},"b":{"type":"number"}},"required":["a","b"]}"#;
const SUM: &str = r#"{"type":"object","properties":{"sum":{"type":"number"}},"required":["sum"]}"#;
const ANY: &str = r#"{"type":"object"}"#;

/// The tools, by name: what [`ToolPick`] chooses from.
pub static TOOLS: [Tool<'static>; 9] = [
    Tool::new("echo", "Echoes its text", ECHO).title("Echo"),
    Tool::new("add", "Adds a and b", ADD).output_schema(SUM),
    Tool::new("fail", "A tool error", ANY),
    Tool::new("defer", "Answered later, by ticket", ANY),
    Tool::new("ask", "Asks the client (legacy) or needs input (2026-07-28)", ANY),
    Tool::new("log", "Logs and reports progress, then answers", ANY),
    Tool::new("broken", "Fails without answering", ANY),
    Tool::new("task", "May become a task", ANY).tasks(TaskSupport::Optional),
    Tool::new("must_task", "Only as a task", ANY).tasks(TaskSupport::Required),
];

static RESOURCES: [Resource<'static>; 2] =
    [Resource::new("test://readme", "readme", "text/plain"), Resource::new("test://logo", "logo", "image/png")];
static TEMPLATES: [ResourceTemplate<'static>; 2] = [
    ResourceTemplate::new("test://items/{id}", "item", "text/plain"),
    ResourceTemplate::new("test://files/{+path}", "file", "text/plain"),
];
static GREET: [PromptArgument<'static>; 2] =
    [PromptArgument::required("name", "Who"), PromptArgument::optional("style", "How")];
static PROMPTS: [Prompt<'static>; 2] = [Prompt::new("greet", "A greeting", &GREET), Prompt::new("plain", "Plain", &[])];

/// The catalog.
pub static REGISTRY: StaticRegistry<'static> = StaticRegistry::new(ServerInfo {
    implementation: Implementation::new("picomcp-fuzz", "0.0.0"),
    instructions: Some("A fuzzing server."),
})
.tools(&TOOLS)
.resources(&RESOURCES)
.templates(&TEMPLATES)
.prompts(&PROMPTS)
.completions();

static CLOCK: AtomicU64 = AtomicU64::new(1_700_000_000_000);

/// A clock that moves a second each time it is read.
pub fn clock() -> u64 {
    CLOCK.fetch_add(1000, Ordering::Relaxed)
}

/// The test handler: answers at once, or keeps tickets and task ids for later operations.
#[derive(Default)]
pub struct FuzzHandler {
    /// Tickets of deferred calls (answered or not: stale ones are tried too).
    pub tickets: Vec<Ticket>,
    /// Tasks created.
    pub tasks: Vec<TaskId>,
}

impl FuzzHandler {
    fn keep(&mut self, ticket: Ticket) {
        if self.tickets.len() >= 16 {
            self.tickets.remove(0);
        }
        self.tickets.push(ticket);
    }
}

/// An error of the handler's own making is fine (the server answers for it); only the
/// output may not fail.
pub fn settle(outcome: Result<(), Error>) -> Result<(), Error> {
    match outcome {
        Err(Error::Io) => panic!("the Vec sink never fails"),
        other => other,
    }
}

impl Handler for FuzzHandler {
    fn registry(&self) -> &dyn Registry {
        &REGISTRY
    }

    fn call_tool(&mut self, call: ToolCall<'_>, r: &mut Responder<'_>) -> Result<(), Error> {
        let args = call.arguments;
        let outcome = match TOOLS.get(call.tool).map(|t| t.name) {
            Some("echo") => {
                let text = args.str("text").map_err(|_| Error::InvalidJson)?;
                r.tool_result(call.ticket, |res| res.text(text))
            }
            Some("add") => {
                let sum = args.f64("a").unwrap_or(0.0) + args.f64("b").unwrap_or(0.0);
                r.tool_result(call.ticket, |res| res.structured_with_text(|v| v.object(|o| o.number("sum", sum))))
            }
            Some("fail") => r.tool_error(call.ticket, Text::Concat(&[Text::Plain("failed: "), Text::Plain("x")])),
            Some("ask") if call.info.revision.is_modern() => {
                if call.info.input.has_responses() {
                    match r.request_state(&call.info.input) {
                        Ok(state) => {
                            let seen = state.map(|s| s.chars().count()).unwrap_or(0);
                            r.tool_result(call.ticket, |res| res.text(format!("state {seen}").as_str()))
                        }
                        Err(_) => r.tool_error(call.ticket, "bad state"),
                    }
                } else {
                    let state = format!("n{}", args.raw().len());
                    r.input_required(call.ticket, Some(&state), |q| {
                        q.request("confirm", InputMethod::Elicitation, |v| v.object(|o| o.string("message", "Sure?")))
                    })
                }
            }
            Some("ask") => {
                self.keep(call.ticket);
                r.ask(call.ticket, InputMethod::Sampling, |v| v.object(|o| o.integer("maxTokens", 10)))
            }
            Some("log") => {
                r.log_text(Some(call.ticket), LogLevel::Warning, "careful")?;
                r.progress(call.ticket, 1.0, Some(2.0), Some("half"))?;
                r.progress(call.ticket, 0.5, None, None)?;
                r.tool_result(call.ticket, |res| res.text("logged"))
            }
            Some("broken") => Err(Error::InvalidJson),
            Some("task" | "must_task") if r.can_create_task(call.ticket) => {
                let task = r.create_task(call.ticket)?;
                self.tasks.push(task);
                Ok(())
            }
            _ => {
                self.keep(call.ticket);
                Ok(())
            }
        };
        settle(outcome)
    }

    fn read_resource(&mut self, read: ResourceRead<'_>, r: &mut Responder<'_>) -> Result<(), Error> {
        settle(match read.target {
            ReadTarget::Resource(0) => {
                r.resource(read.ticket, |c| c.push(ResourceContents::text(read.uri, "text/plain", "hello")))
            }
            ReadTarget::Resource(_) => {
                r.resource(read.ticket, |c| c.push(ResourceContents::blob(read.uri, "image/png", &[0x89, b'P', 0xFF])))
            }
            ReadTarget::Template { variables, .. } => {
                let text: String = variables.first().map(|v| v.chars().collect()).unwrap_or_default();
                if text.starts_with('d') {
                    self.keep(read.ticket);
                    return Ok(());
                }
                r.resource(read.ticket, |c| c.push(ResourceContents::text(read.uri, "text/plain", text.as_str())))
            }
        })
    }

    fn get_prompt(&mut self, get: PromptGet<'_>, r: &mut Responder<'_>) -> Result<(), Error> {
        let name = get.arguments.str("name").ok();
        settle(r.prompt(get.ticket, Some("A greeting"), |m| {
            m.push(
                Role::User,
                Content::text(Text::Concat(&[Text::Plain("Hello, "), name.map_or(Text::Plain("you"), Text::Json)])),
            )
        }))
    }

    fn complete(&mut self, req: CompletionRequest<'_>, r: &mut Responder<'_>) -> Result<(), Error> {
        settle(r.completion(req.ticket, |c| {
            c.set_total(3);
            for v in ["Ada", "Alan", "Grace"] {
                if req.value.is_prefix_of(v) {
                    c.push(v)?;
                }
            }
            Ok(())
        }))
    }

    fn answered(&mut self, ticket: Ticket, answer: Answer<'_>, r: &mut Responder<'_>) -> Result<(), Error> {
        let text = match answer {
            Answer::Result(_) => "answered",
            _ => "refused",
        };
        settle(r.tool_result(ticket, |res| res.text(text)))
    }

    fn task_input(&mut self, task: TaskId, answer: TaskAnswer<'_>, r: &mut Responder<'_>) -> Result<(), Error> {
        if answer.pending == 0 { settle(r.task_result(task, |res| res.text(Text::Json(answer.key)))) } else { Ok(()) }
    }
}

// ---------------------------------------------------------------------------------------
// The operations
// ---------------------------------------------------------------------------------------

/// One fuzzing run: which storage, and what the client does.
#[derive(Arbitrary, Debug)]
pub struct Session {
    /// Whether the server has a task table.
    pub tasks: bool,
    /// The legacy session's page size (0: one page).
    pub page_size: u8,
    /// What happens, in order.
    pub ops: Vec<Op>,
}

/// One thing that happens to the server.
#[derive(Arbitrary, Debug)]
pub enum Op {
    /// `initialize`.
    Initialize { id: IdPick, version: VersionPick, caps: Caps },
    /// `notifications/initialized`.
    Initialized,
    /// A well-formed request.
    Request { id: IdPick, era: Era, call: Call },
    /// A request with one byte replaced.
    Garbled { id: IdPick, era: Era, call: Call, at: u16, byte: u8 },
    /// A batch of requests (2025-03-26 has them; the others refuse them).
    Batch { era: Era, calls: Vec<(IdPick, Call)> },
    /// `notifications/cancelled` for an id.
    Cancel { id: IdPick, reason: bool },
    /// A frame of arbitrary bytes.
    Raw(Vec<u8>),
    /// Answer (or try to answer again) a deferred call.
    Complete { index: u8, how: How },
    /// Answer the `index`-th request the server sent.
    Reply { index: u8, error: bool },
    /// End a task.
    EndTask { index: u8, how: TaskHow },
    /// The driver's poll.
    Poll,
    /// The client went away from a deferred call (its stream closed).
    Abandon { index: u8 },
    /// A new connection.
    Reset,
    /// End of input: stop here.
    Eof,
}

/// A request id from a small pool, so ids collide, get cancelled and get reused.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum IdPick {
    /// A small integer.
    Int(u8),
    /// A short string.
    Str(u8),
    /// An integer past 2^53.
    Big,
    /// A string with escapes.
    Escaped,
}

impl IdPick {
    fn json(self) -> Value {
        match self {
            Self::Int(n) => json!(n % 8),
            Self::Str(n) => json!(format!("r{}", n % 8)),
            Self::Big => json!(18446744073709551615u64),
            Self::Escaped => json!("q\"\\\u{1}é"),
        }
    }
}

/// A protocol version to name.
#[derive(Arbitrary, Debug, Clone)]
pub enum VersionPick {
    /// 2026-07-28.
    Modern,
    /// One of the legacy revisions.
    Legacy(u8),
    /// Anything.
    Other(String),
}

impl VersionPick {
    fn json(&self) -> Value {
        match self {
            Self::Modern => json!("2026-07-28"),
            Self::Legacy(n) => json!(["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"][usize::from(n % 4)]),
            Self::Other(s) => json!(s),
        }
    }
}

/// Client capabilities.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub struct Caps {
    /// `sampling`
    pub sampling: bool,
    /// `elicitation`
    pub elicitation: bool,
    /// `roots`
    pub roots: bool,
    /// The tasks extension.
    pub tasks: bool,
}

impl Caps {
    fn json(self) -> Value {
        let mut caps = serde_json::Map::new();
        for (on, name) in [(self.sampling, "sampling"), (self.elicitation, "elicitation"), (self.roots, "roots")] {
            if on {
                caps.insert(name.into(), json!({}));
            }
        }
        if self.tasks {
            caps.insert("extensions".into(), json!({"io.modelcontextprotocol/tasks": {}}));
        }
        Value::Object(caps)
    }
}

/// Which era a request is written for.
#[derive(Arbitrary, Debug, Clone)]
pub enum Era {
    /// No `_meta` (a legacy session's request), maybe a progress token.
    Legacy { progress: Option<IdPick> },
    /// `_meta` with a protocol version and capabilities.
    Modern { version: VersionPick, caps: Caps, info: bool, log: Option<u8>, progress: Option<IdPick> },
}

const LOG_LEVELS: [LogLevel; 8] = [
    LogLevel::Debug,
    LogLevel::Info,
    LogLevel::Notice,
    LogLevel::Warning,
    LogLevel::Error,
    LogLevel::Critical,
    LogLevel::Alert,
    LogLevel::Emergency,
];

/// Level names for `_meta` and `logging/setLevel` (the last one is not a level).
const LEVELS: [&str; 9] = ["debug", "info", "notice", "warning", "error", "critical", "alert", "emergency", "loud"];

impl Era {
    /// Add this era's `_meta` to `params`.
    fn meta(&self, params: &mut serde_json::Map<String, Value>) {
        let mut meta = serde_json::Map::new();
        match self {
            Self::Legacy { progress } => {
                if let Some(p) = progress {
                    meta.insert("progressToken".into(), p.json());
                }
            }
            Self::Modern { version, caps, info, log, progress } => {
                meta.insert("io.modelcontextprotocol/protocolVersion".into(), version.json());
                meta.insert("io.modelcontextprotocol/clientCapabilities".into(), caps.json());
                if *info {
                    meta.insert("io.modelcontextprotocol/clientInfo".into(), json!({"name": "fuzz", "version": "1"}));
                }
                if let Some(l) = log {
                    meta.insert("io.modelcontextprotocol/logLevel".into(), json!(LEVELS[usize::from(l % 9)]));
                }
                if let Some(p) = progress {
                    meta.insert("progressToken".into(), p.json());
                }
            }
        }
        if !meta.is_empty() {
            params.insert("_meta".into(), Value::Object(meta));
        }
    }
}

/// A tool to call.
#[derive(Arbitrary, Debug, Clone)]
pub enum ToolPick {
    /// By index into the catalog.
    Known(u8),
    /// Any name.
    Other(String),
}

/// A JSON value the fuzzer picks (small, for arguments).
#[derive(Arbitrary, Debug, Clone)]
pub enum Any {
    /// `null`
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A double (non-finite ones become `null`).
    Float(f64),
    /// A string.
    Str(String),
    /// An array.
    Array(Vec<Any>),
    /// An object.
    Object(Vec<(String, Any)>),
}

impl Any {
    fn json(&self) -> Value {
        match self {
            Self::Null => Value::Null,
            Self::Bool(b) => json!(b),
            Self::Int(i) => json!(i),
            Self::Float(f) => json!(f),
            Self::Str(s) => json!(s),
            Self::Array(items) => Value::Array(items.iter().map(Any::json).collect()),
            Self::Object(members) => Value::Object(members.iter().map(|(k, v)| (k.clone(), v.json())).collect()),
        }
    }
}

/// Tool arguments.
#[derive(Arbitrary, Debug, Clone)]
pub enum Args {
    /// None at all.
    Absent,
    /// `{"text": …}`.
    Text(String),
    /// `{"a": …, "b": …}`.
    Numbers(f64, f64),
    /// Anything.
    Any(Any),
}

/// A request method and its params.
#[derive(Arbitrary, Debug, Clone)]
pub enum Call {
    /// `ping`
    Ping,
    /// `server/discover`
    Discover,
    /// `tools/list`
    ToolsList { cursor: Option<String> },
    /// `tools/call`, possibly a retry with `inputResponses` and a `requestState` (a
    /// captured one by index, or any text).
    ToolsCall { tool: ToolPick, args: Args, retry: Option<(Option<u8>, String, bool)> },
    /// `resources/list`
    ResourcesList { cursor: Option<String> },
    /// `resources/read`
    Read { uri: UriPick },
    /// `resources/templates/list`
    Templates,
    /// `resources/subscribe`
    Subscribe { uri: UriPick },
    /// `resources/unsubscribe`
    Unsubscribe { uri: UriPick },
    /// `prompts/list`
    PromptsList,
    /// `prompts/get`
    PromptsGet { name: Option<u8>, args: Vec<(String, Any)> },
    /// `completion/complete`
    Complete { prompt: bool, argument: String, value: String },
    /// `logging/setLevel`
    SetLevel { level: u8 },
    /// `subscriptions/listen`
    Listen { tools: bool, resources: Vec<UriPick> },
    /// `tasks/get`, `tasks/update` or `tasks/cancel` for a captured task id (or any).
    Task { op: u8, index: Option<u8>, answer: Any },
    /// Any method, any params.
    Other { method: String, params: Option<Any> },
}

/// A resource URI.
#[derive(Arbitrary, Debug, Clone)]
pub enum UriPick {
    /// One of the catalog's (or template matches), by index.
    Known(u8),
    /// Anything.
    Other(String),
}

impl UriPick {
    fn json(&self) -> Value {
        match self {
            Self::Known(n) => {
                let uris = [
                    "test://readme",
                    "test://logo",
                    "test://items/7",
                    "test://items/d",
                    "test://files/a/b%20c",
                    "test://nope",
                ];
                json!(uris[usize::from(n % 6)])
            }
            Self::Other(s) => json!(s),
        }
    }
}

/// How to answer a deferred call.
#[derive(Arbitrary, Debug, Clone)]
pub enum How {
    /// A tool result with this text.
    Text(String),
    /// A tool error.
    ToolError,
    /// A JSON-RPC error.
    Error(i32, String),
    /// A resource's contents.
    Resource,
    /// A progress report.
    Progress(f64),
    /// A log message.
    Log(u8, String),
    /// A legacy question.
    Ask(u8),
    /// An `input_required` result.
    InputRequired(Option<String>),
    /// Structured content that is not JSON.
    BadJson(String),
}

/// How to end a task.
#[derive(Arbitrary, Debug, Clone)]
pub enum TaskHow {
    /// A result.
    Result(String),
    /// A failure.
    Failed(i32, String),
    /// Ask for input first.
    InputRequired(u8),
}

// ---------------------------------------------------------------------------------------
// Playing a session
// ---------------------------------------------------------------------------------------

/// What the client side remembers from the server's output.
#[derive(Default)]
pub struct Seen {
    /// Ids of requests the server sent (for [`Op::Reply`]).
    pub server_requests: Vec<Value>,
    /// `requestState` texts the server gave out.
    pub states: Vec<String>,
    /// Task ids the server gave out.
    pub task_ids: Vec<String>,
    /// Requests sent per id (the id's JSON text as serde_json writes it).
    pub requests: HashMap<String, usize>,
    /// Answers written per id.
    pub answers: HashMap<String, usize>,
}

impl Seen {
    /// Entry `index` of `list` (modulo its length), if there is an index and an entry.
    pub fn pick(list: &[String], index: Option<u8>) -> Option<&String> {
        let i = usize::from(index?);
        (!list.is_empty()).then(|| &list[i % list.len()])
    }
}

/// The JSON-RPC request `call` with `id`, written for `era`, using what the client saw.
pub fn request_json(id: IdPick, era: &Era, call: &Call, seen: &Seen) -> Value {
    let mut params = serde_json::Map::new();
    let method = match call {
        Call::Ping => "ping",
        Call::Discover => "server/discover",
        Call::ToolsList { cursor } => {
            if let Some(c) = cursor {
                params.insert("cursor".into(), json!(c));
            }
            "tools/list"
        }
        Call::ToolsCall { tool, args, retry } => {
            let name = match tool {
                ToolPick::Known(n) => TOOLS[usize::from(n % TOOLS.len() as u8)].name.to_owned(),
                ToolPick::Other(s) => s.clone(),
            };
            params.insert("name".into(), json!(name));
            match args {
                Args::Absent => {}
                Args::Text(t) => _ = params.insert("arguments".into(), json!({"text": t})),
                Args::Numbers(a, b) => _ = params.insert("arguments".into(), json!({"a": a, "b": b})),
                Args::Any(any) => _ = params.insert("arguments".into(), any.json()),
            }
            if let Some((state, text, accept)) = retry {
                let action = if *accept { "accept" } else { "decline" };
                params.insert("inputResponses".into(), json!({"confirm": {"action": action}}));
                let state = Seen::pick(&seen.states, *state).cloned().unwrap_or_else(|| text.clone());
                params.insert("requestState".into(), json!(state));
            }
            "tools/call"
        }
        Call::ResourcesList { cursor } => {
            if let Some(c) = cursor {
                params.insert("cursor".into(), json!(c));
            }
            "resources/list"
        }
        Call::Read { uri } => {
            params.insert("uri".into(), uri.json());
            "resources/read"
        }
        Call::Templates => "resources/templates/list",
        Call::Subscribe { uri } => {
            params.insert("uri".into(), uri.json());
            "resources/subscribe"
        }
        Call::Unsubscribe { uri } => {
            params.insert("uri".into(), uri.json());
            "resources/unsubscribe"
        }
        Call::PromptsList => "prompts/list",
        Call::PromptsGet { name, args } => {
            let name = name.map_or("greet", |n| ["greet", "plain", "nope"][usize::from(n % 3)]);
            params.insert("name".into(), json!(name));
            let args: serde_json::Map<_, _> = args.iter().map(|(k, v)| (k.clone(), v.json())).collect();
            params.insert("arguments".into(), Value::Object(args));
            "prompts/get"
        }
        Call::Complete { prompt, argument, value } => {
            let reference = if *prompt {
                json!({"type": "ref/prompt", "name": "greet"})
            } else {
                json!({"type": "ref/resource", "uri": "test://items/{id}"})
            };
            params.insert("ref".into(), reference);
            params.insert("argument".into(), json!({"name": argument, "value": value}));
            "completion/complete"
        }
        Call::SetLevel { level } => {
            params.insert("level".into(), json!(LEVELS[usize::from(level % 9)]));
            "logging/setLevel"
        }
        Call::Listen { tools, resources } => {
            let mut filter = serde_json::Map::new();
            if *tools {
                filter.insert("toolsListChanged".into(), json!(true));
            }
            if !resources.is_empty() {
                filter.insert("resourceSubscriptions".into(), resources.iter().map(UriPick::json).collect());
            }
            params.insert("notifications".into(), Value::Object(filter));
            "subscriptions/listen"
        }
        Call::Task { op, index, answer } => {
            let task = Seen::pick(&seen.task_ids, *index).cloned().unwrap_or_else(|| "nope".into());
            params.insert("taskId".into(), json!(task));
            match op % 3 {
                0 => "tasks/get",
                1 => {
                    params.insert("inputResponses".into(), json!({"confirm": answer.json()}));
                    "tasks/update"
                }
                _ => "tasks/cancel",
            }
        }
        Call::Other { method, params: p } => {
            let mut v = json!({"jsonrpc": "2.0", "id": id.json(), "method": method});
            if let Some(p) = p {
                v["params"] = p.json();
            }
            return v;
        }
    };
    era.meta(&mut params);
    json!({"jsonrpc": "2.0", "id": id.json(), "method": method, "params": params})
}

/// Count the requests in `frame` as the core reads them (an id each, for the answers it
/// may get).
pub fn count_requests(frame: &[u8], seen: &mut Seen) {
    count_requests_within(frame, 64, seen);
}

/// [`count_requests`] for a reader that goes `depth` levels deep.
pub fn count_requests_within(frame: &[u8], depth: usize, seen: &mut Seen) {
    let Ok(value) = pjson::parse(frame, depth) else { return };
    let mut count = |v: pjson::Value<'_>| {
        let id = match jsonrpc::classify(v) {
            Ok(Message::Request { id, .. }) => Some(id),
            Err(invalid) => invalid.id,
            _ => None,
        };
        if let Some(id) = id {
            let key = canonical(id.raw());
            *seen.requests.entry(key).or_default() += 1;
        }
    };
    match value.as_array() {
        Some(items) => items.iter().for_each(&mut count),
        None => count(value),
    }
}

/// An id's JSON text as serde_json writes it (so `"\u0041"` and `"A"` are one id).
pub fn canonical(raw: &[u8]) -> String {
    serde_json::from_slice::<Value>(raw).map_or_else(|_| String::from_utf8_lossy(raw).into_owned(), |v| v.to_string())
}

/// Read `bytes` as JSON without serde_json's recursion limit (the server's own output
/// may nest as deep as the input it echoes).
pub fn parse_unbounded(bytes: &[u8]) -> Result<Value, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    de.disable_recursion_limit();
    let v = <Value as serde::Deserialize>::deserialize(&mut de)?;
    de.end()?;
    Ok(v)
}

/// Check the new output lines and note what the client learns from them.
fn check_output(out: &[u8], seen: &mut Seen) {
    assert!(
        out.is_empty() || out.ends_with(b"\n"),
        "output not ending with a newline: {:?}",
        String::from_utf8_lossy(out)
    );
    for line in out.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        let value = parse_unbounded(line).unwrap_or_else(|e| {
            panic!("the server wrote a line that is not JSON ({e}): {}", String::from_utf8_lossy(line))
        });
        let messages = match &value {
            Value::Array(items) => items.iter().collect(),
            _ => vec![&value],
        };
        for msg in messages {
            let obj = msg.as_object().unwrap_or_else(|| panic!("a message that is not an object: {msg}"));
            assert_eq!(obj.get("jsonrpc"), Some(&json!("2.0")), "{msg}");
            let is_answer = obj.contains_key("result") || obj.contains_key("error");
            match (obj.get("id"), obj.get("method")) {
                (Some(id), None) if is_answer && !id.is_null() => {
                    let key = id.to_string();
                    let answers = seen.answers.entry(key.clone()).or_default();
                    *answers += 1;
                    let asked = seen.requests.get(&key).copied().unwrap_or(0);
                    assert!(*answers <= asked, "id {key} answered {answers} times for {asked} requests: {msg}");
                }
                (Some(_), Some(_)) | (None, Some(_)) => {}
                _ => assert!(is_answer, "neither a request, a notification nor an answer: {msg}"),
            }
            learn(obj, seen);
        }
    }
}

/// Note what a client learns from one message of the server: the ids of its questions,
/// `requestState` texts and task ids.
pub fn learn(obj: &serde_json::Map<String, Value>, seen: &mut Seen) {
    if let (Some(id), Some(_)) = (obj.get("id"), obj.get("method")) {
        seen.server_requests.push(id.clone());
    }
    if let Some(result) = obj.get("result") {
        if let Some(state) = result.get("requestState").and_then(Value::as_str) {
            seen.states.push(state.to_owned());
        }
        if let Some(task) = result.get("taskId").and_then(Value::as_str) {
            seen.task_ids.push(task.to_owned());
        }
    }
}

/// Answer (or report on) deferred call `ticket` as `how` says.
pub fn complete(r: &mut Responder<'_>, ticket: Ticket, how: &How) -> Result<(), Error> {
    match how {
        How::Text(t) => r.tool_result(ticket, |res| res.text(t.as_str())),
        How::ToolError => r.tool_error(ticket, "later failure"),
        How::Error(code, message) => r.error(ticket, *code, message),
        How::Resource => r.resource(ticket, |c| c.push(ResourceContents::text("test://x", "text/plain", "x"))),
        How::Progress(p) => r.progress(ticket, *p, None, Some("working")).map(|_| ()),
        How::Log(level, text) => {
            let level = LOG_LEVELS[usize::from(level % 8)];
            r.log_text(Some(ticket), level, text).map(|_| ())
        }
        How::Ask(m) => {
            let method = [InputMethod::Sampling, InputMethod::Elicitation, InputMethod::Roots][usize::from(m % 3)];
            r.ask(ticket, method, |v| v.object(|_| Ok(())))
        }
        How::InputRequired(state) => r.input_required(ticket, state.as_deref(), |q| {
            q.request("confirm", InputMethod::Elicitation, |v| v.object(|o| o.string("message", "?")))
        }),
        How::BadJson(text) => r.tool_result(ticket, |res| res.structured_json(text)),
    }
}

/// End (or ask on) `task` as `how` says.
pub fn end_task(r: &mut Responder<'_>, task: TaskId, how: &TaskHow) -> Result<(), Error> {
    match how {
        TaskHow::Result(t) => r.task_result(task, |res| res.text(t.as_str())),
        TaskHow::Failed(code, m) => r.task_failed(task, *code, m),
        TaskHow::InputRequired(n) => r.task_input_required(task, |q| {
            (0..n % 3).try_for_each(|i| q.request(&format!("k{i}"), InputMethod::Elicitation, |v| v.object(|_| Ok(()))))
        }),
    }
}

/// Play `session` against a fresh server with the right storage.
pub fn run(session: &Session) {
    let mut config = Config::new();
    config.page_size = usize::from(session.page_size % 4);
    config.max_listens = 2;
    config.state_key = [7; 32];
    if session.tasks {
        let storage: WithTasks<Buffers<4, 64>, 2, 512> = WithTasks::new(Buffers::new(), TaskConfig::new(clock));
        play(&mut Server::new(storage, config), &session.ops);
    } else {
        play(&mut Server::new(Buffers::<4, 64>::new(), config), &session.ops);
    }
}

/// Whether to print each frame and what the server wrote (environment variable
/// `PICOMCP_FUZZ_TRACE` set), to read what a crashing input does.
pub fn tracing() -> bool {
    static TRACE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *TRACE.get_or_init(|| std::env::var_os("PICOMCP_FUZZ_TRACE").is_some())
}

fn play<S: Storage>(server: &mut Server<S>, ops: &[Op]) {
    let mut handler = FuzzHandler::default();
    let mut seen = Seen::default();
    let mut out: Vec<u8> = Vec::new();
    for op in ops.iter().take(64) {
        out.clear();
        let frame =
            |bytes: &[u8], server: &mut Server<S>, handler: &mut FuzzHandler, seen: &mut Seen, out: &mut Vec<u8>| {
                if tracing() {
                    eprintln!("> {}", String::from_utf8_lossy(bytes));
                }
                count_requests(bytes, seen);
                server.receive(bytes, out, handler).expect("receive fails only when the output does");
            };
        match op {
            Op::Initialize { id, version, caps } => {
                let msg = json!({"jsonrpc": "2.0", "id": id.json(), "method": "initialize", "params": {
                    "protocolVersion": version.json(), "capabilities": caps.json(),
                    "clientInfo": {"name": "fuzz", "version": "1"}}});
                frame(msg.to_string().as_bytes(), server, &mut handler, &mut seen, &mut out);
            }
            Op::Initialized => frame(
                br#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
                server,
                &mut handler,
                &mut seen,
                &mut out,
            ),
            Op::Request { id, era, call } => {
                let msg = request_json(*id, era, call, &seen).to_string();
                frame(msg.as_bytes(), server, &mut handler, &mut seen, &mut out);
            }
            Op::Garbled { id, era, call, at, byte } => {
                let mut msg = request_json(*id, era, call, &seen).to_string().into_bytes();
                let i = usize::from(*at) % msg.len();
                msg[i] = *byte;
                frame(&msg, server, &mut handler, &mut seen, &mut out);
            }
            Op::Batch { era, calls } => {
                let batch: Vec<Value> =
                    calls.iter().take(8).map(|(id, call)| request_json(*id, era, call, &seen)).collect();
                frame(Value::Array(batch).to_string().as_bytes(), server, &mut handler, &mut seen, &mut out);
            }
            Op::Cancel { id, reason } => {
                let mut params = json!({"requestId": id.json()});
                if *reason {
                    params["reason"] = json!("changed my mind");
                }
                let msg = json!({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": params});
                frame(msg.to_string().as_bytes(), server, &mut handler, &mut seen, &mut out);
            }
            Op::Raw(bytes) => frame(bytes, server, &mut handler, &mut seen, &mut out),
            Op::Complete { index, how } => {
                if handler.tickets.is_empty() {
                    continue;
                }
                let ticket = handler.tickets[usize::from(*index) % handler.tickets.len()];
                let outcome = complete(&mut server.responder(&mut out), ticket, how);
                let _ = settle(outcome);
            }
            Op::Reply { index, error } => {
                if seen.server_requests.is_empty() {
                    continue;
                }
                let id = seen.server_requests[usize::from(*index) % seen.server_requests.len()].clone();
                let msg = if *error {
                    json!({"jsonrpc": "2.0", "id": id, "error": {"code": -1, "message": "no"}})
                } else {
                    json!({"jsonrpc": "2.0", "id": id, "result": {"role": "assistant", "content": {"type": "text", "text": "ok"}, "model": "m"}})
                };
                frame(msg.to_string().as_bytes(), server, &mut handler, &mut seen, &mut out);
            }
            Op::EndTask { index, how } => {
                if handler.tasks.is_empty() {
                    continue;
                }
                let task = handler.tasks[usize::from(*index) % handler.tasks.len()];
                let outcome = end_task(&mut server.responder(&mut out), task, how);
                let _ = settle(outcome);
            }
            Op::Poll => {
                server.poll(&mut out, &mut handler).expect("poll");
            }
            Op::Abandon { index } => {
                if !handler.tickets.is_empty() {
                    let ticket = handler.tickets[usize::from(*index) % handler.tickets.len()];
                    server.abandon(ticket, &mut handler);
                }
            }
            Op::Reset => {
                server.reset();
                // A new connection: answers to the old one's ids are no longer expected.
                seen.requests.clear();
                seen.answers.clear();
            }
            Op::Eof => break,
        }
        if tracing() {
            eprintln!("  ({op:?})");
            eprint!("{}", String::from_utf8_lossy(&out).lines().map(|l| format!("< {l}\n")).collect::<String>());
        }
        check_output(&out, &mut seen);
    }
}
