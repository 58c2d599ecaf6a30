//! The harness of the protocol tests: a test [`Handler`] with a small catalog, a
//! `Vec`-backed [`Sink`] that checks message framing, and a [`Harness`] that sends one
//! frame at a time, collects the lines written, and checks every one of them against the
//! official JSON schema of the right revision (through `picomcp-schema-check`).
//!
//! Bookkeeping: the harness reads each frame it sends (with the core's own reader, which
//! is only used to find ids, methods and `_meta`), remembers which method every id asked
//! for and under which revision, and pairs each reply line with it. A reply to an id that
//! was never sent fails the test.

#![allow(dead_code, unreachable_pub)] // each test binary uses its own part of the harness

use std::fmt::Display;

use picomcp::json::{self as pjson, Value as PValue};
use picomcp::*;
use serde_json::{Value, json};

/// The modern revision.
pub const MODERN: &str = "2026-07-28";
/// The newest legacy revision (what `initialize` falls back to).
pub const LATEST_LEGACY: &str = "2025-11-25";
/// Every legacy revision, oldest first.
pub const LEGACY: [&str; 4] = ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"];

// ---------------------------------------------------------------------------------------
// The catalog
// ---------------------------------------------------------------------------------------

const ECHO_SCHEMA: &str =
    r#"{"type":"object","properties":{"text":{"type":"string","description":"What to echo"}},"required":["text"]}"#;
const ADD_SCHEMA: &str =
    r#"{"type":"object","properties":{"a":{"type":"number"},"b":{"type":"number"}},"required":["a","b"]}"#;
const ADD_OUTPUT: &str = r#"{"type":"object","properties":{"sum":{"type":"number"}},"required":["sum"]}"#;
const NO_ARGS: &str = r#"{"type":"object","properties":{}}"#;
/// A schema pretty-printed over several lines, CRLF and LF mixed, as a host might keep it.
pub const PRETTY_SCHEMA: &str = "{\r\n  \"type\": \"object\",\r\n  \"properties\": {\n    \"n\": {\n      \"type\": \"integer\",\n      \"minimum\": 1\n    }\n  }\n}\n";

static ECHO_ICONS: [Icon<'static>; 1] = [Icon {
    src: "https://example.com/echo.png",
    mime_type: Some("image/png"),
    sizes: &["48x48"],
    theme: Some(Theme::Light),
}];

/// The tools, in listing order (8 of them, so pages of 3 make a chain of three).
pub static TOOLS: [Tool<'static>; 8] = [
    Tool::new("echo", "Echoes its text", ECHO_SCHEMA)
        .title("Echo")
        .annotations(ToolAnnotations {
            title: Some("Echo tool"),
            read_only: Some(true),
            destructive: Some(false),
            idempotent: Some(true),
            open_world: Some(false),
        })
        .icons(&ECHO_ICONS),
    Tool::new("add", "Adds a and b", ADD_SCHEMA).title("Add").output_schema(ADD_OUTPUT),
    Tool::new("fail", "Always a tool error", NO_ARGS),
    Tool::new("defer", "Answered later, by ticket", NO_ARGS),
    Tool::new("kinds", "One content block of every kind", NO_ARGS),
    Tool::new("log", "Logs once at every level, then answers", NO_ARGS),
    Tool::new("broken", "Returns an error without answering", NO_ARGS),
    Tool::new("pretty", "Has a pretty-printed schema\nand a two-line description", PRETTY_SCHEMA)
        .output_schema("{\n  \"type\": \"object\"\n}"),
];

static RESOURCES: [Resource<'static>; 2] = [
    Resource::new("test://readme", "readme", "text/plain").description("A text resource").title("Read me"),
    Resource::new("test://logo", "logo", "image/png"),
];

static TEMPLATES: [ResourceTemplate<'static>; 2] = [
    ResourceTemplate::new("test://items/{id}", "item", "text/plain").description("An item by id"),
    ResourceTemplate::new("test://files/{+path}", "file", "text/plain"),
];

static GREET_ARGS: [PromptArgument<'static>; 2] =
    [PromptArgument::required("name", "Who to greet"), PromptArgument::optional("style", "How")];
static PROMPTS: [Prompt<'static>; 2] =
    [Prompt::new("greet", "A greeting", &GREET_ARGS).title("Greet"), Prompt::new("plain", "No arguments", &[])];

/// The test server's identity and catalog.
pub static REGISTRY: StaticRegistry<'static> = StaticRegistry::new(ServerInfo {
    implementation: Implementation::new("picomcp-test", "0.0.1"),
    instructions: Some("A test server."),
})
.tools(&TOOLS)
.resources(&RESOURCES)
.templates(&TEMPLATES)
.prompts(&PROMPTS)
.completions();

/// The bytes `test://logo` holds (base64 `iVBORw0K/w==`).
pub const LOGO: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0xFF];

/// What the test handler saw.
#[derive(Default)]
pub struct TestHandler {
    /// Tickets of `defer` calls, in arrival order.
    pub deferred: Vec<Ticket>,
    /// Tickets the server reported cancelled.
    pub cancelled: Vec<Ticket>,
    /// How often `notifications/initialized` reached the handler.
    pub initialized: usize,
    /// The request info of the last call.
    pub last_revision: Option<Revision>,
    /// Whether the last call wanted progress.
    pub last_wants_progress: bool,
    /// The log level of the last call.
    pub last_log_level: Option<LogLevel>,
}

const LEVELS: [LogLevel; 8] = [
    LogLevel::Debug,
    LogLevel::Info,
    LogLevel::Notice,
    LogLevel::Warning,
    LogLevel::Error,
    LogLevel::Critical,
    LogLevel::Alert,
    LogLevel::Emergency,
];

fn decoded(s: pjson::Str<'_>) -> String {
    s.chars().collect()
}

impl TestHandler {
    fn note(&mut self, info: &RequestInfo<'_>) {
        self.last_revision = Some(info.revision);
        self.last_wants_progress = info.wants_progress;
        self.last_log_level = info.log_level;
    }
}

impl Handler for TestHandler {
    fn registry(&self) -> &dyn Registry {
        &REGISTRY
    }

    fn call_tool(&mut self, call: ToolCall<'_>, r: &mut Responder<'_>) -> Result<(), Error> {
        self.note(&call.info);
        let args = call.arguments;
        match TOOLS[call.tool].name {
            "echo" => {
                let text = args.str("text").map_err(|_| Error::InvalidJson)?;
                r.tool_result(call.ticket, |res| res.text(text))
            }
            "add" => {
                let sum = args.f64("a").unwrap_or(0.0) + args.f64("b").unwrap_or(0.0);
                r.tool_result(call.ticket, |res| res.structured_with_text(|v| v.object(|o| o.number("sum", sum))))
            }
            "fail" => r.tool_error(call.ticket, "it always fails"),
            "defer" => {
                self.deferred.push(call.ticket);
                Ok(())
            }
            "kinds" => r.tool_result(call.ticket, |res| {
                res.text("text")?;
                res.content(Content::image(LOGO, "image/png"))?;
                res.content(Content::audio(b"RIFF", "audio/wav"))?;
                res.content(Content::ResourceLink(ResourceLink {
                    uri: "test://readme".into(),
                    name: "readme",
                    title: Some("Read me"),
                    description: None,
                    mime_type: Some("text/plain"),
                    size: Some(5),
                }))?;
                res.content(Content::Resource(ResourceContents::text("test://readme", "text/plain", "hello")))?;
                res.content(Content::Resource(ResourceContents::blob("test://logo", "image/png", LOGO)))
            }),
            "log" => {
                let mut sent = 0;
                for level in LEVELS {
                    if r.log_text(Some(call.ticket), level, level.as_str())? {
                        sent += 1;
                    }
                }
                let text = format!("sent {sent}");
                r.tool_result(call.ticket, |res| res.text(text.as_str()))
            }
            "broken" => Err(Error::InvalidJson),
            _ => r.tool_result(call.ticket, |res| {
                res.text("ok")?;
                res.structured(|v| v.object(|_| Ok(())))
            }),
        }
    }

    fn read_resource(&mut self, read: ResourceRead<'_>, r: &mut Responder<'_>) -> Result<(), Error> {
        self.note(&read.info);
        match &read.target {
            ReadTarget::Resource(0) => {
                r.resource(read.ticket, |c| c.push(ResourceContents::text(read.uri, "text/plain", "hello")))
            }
            ReadTarget::Resource(_) => {
                r.resource(read.ticket, |c| c.push(ResourceContents::blob(read.uri, "image/png", LOGO)))
            }
            ReadTarget::Template { index, variables } => {
                let value = variables.first().map(|v| decoded(*v)).unwrap_or_default();
                let text = if *index == 0 { format!("Item {value}") } else { format!("File {value}") };
                r.resource(read.ticket, |c| c.push(ResourceContents::text(read.uri, "text/plain", text.as_str())))
            }
        }
    }

    fn get_prompt(&mut self, get: PromptGet<'_>, r: &mut Responder<'_>) -> Result<(), Error> {
        self.note(&get.info);
        let name = get.arguments.str("name").map(decoded).unwrap_or_default();
        let style = get.arguments.str("style").map(decoded).ok();
        let hello = format!("Hello, {name}!");
        r.prompt(get.ticket, Some("A greeting"), |m| {
            m.push(Role::User, Content::text(hello.as_str()))?;
            match &style {
                Some(s) => m.push(Role::Assistant, Content::text(s.as_str())),
                None => Ok(()),
            }
        })
    }

    fn complete(&mut self, req: CompletionRequest<'_>, r: &mut Responder<'_>) -> Result<(), Error> {
        self.note(&req.info);
        let candidates: &[&str] = match req.reference {
            CompletionRef::Prompt(p) if p.eq_str("greet") && req.argument.eq_str("name") => &["Ada", "Alan", "Grace"],
            CompletionRef::Resource(u) if u.eq_str("test://items/{id}") && req.argument.eq_str("id") => {
                &["1", "2", "3"]
            }
            _ => &[],
        };
        let typed = decoded(req.value);
        r.completion(req.ticket, |c| {
            let matching: Vec<&str> = candidates.iter().copied().filter(|v| v.starts_with(&typed)).collect();
            c.set_total(matching.len() as u64);
            matching.into_iter().try_for_each(|v| c.push(v))
        })
    }

    fn cancelled(&mut self, ticket: Ticket) {
        self.cancelled.push(ticket);
    }

    fn initialized(&mut self, _r: &mut Responder<'_>) -> Result<(), Error> {
        self.initialized += 1;
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------
// The sink
// ---------------------------------------------------------------------------------------

/// Collects output and checks that every write belongs to a message opened by
/// `begin_message` and closed by `end_message`.
#[derive(Default)]
pub struct VecSink {
    /// Everything written, messages ended by `\n`.
    pub bytes: Vec<u8>,
    open: bool,
    /// Messages completed.
    pub messages: usize,
}

impl Sink for VecSink {
    fn write(&mut self, bytes: &[u8]) -> Result<(), Error> {
        assert!(self.open, "a write outside a message: {:?}", String::from_utf8_lossy(bytes));
        assert!(!bytes.contains(&b'\n'), "a raw newline inside a message: {:?}", String::from_utf8_lossy(bytes));
        self.bytes.extend_from_slice(bytes);
        Ok(())
    }

    fn begin_message(&mut self) -> Result<(), Error> {
        assert!(!self.open, "a message begun inside another");
        self.open = true;
        Ok(())
    }

    fn end_message(&mut self) -> Result<(), Error> {
        assert!(self.open, "a message ended that was not begun");
        self.open = false;
        self.messages += 1;
        self.bytes.push(b'\n');
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------
// Frames
// ---------------------------------------------------------------------------------------

/// Which era a request speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Era {
    /// Inside the session `initialize` opened.
    Legacy,
    /// 2026-07-28, `_meta` on the request.
    Modern,
}

/// The `_meta` a modern request needs.
pub fn meta() -> Value {
    json!({
        "io.modelcontextprotocol/protocolVersion": MODERN,
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": {"name": "protocol-tests", "version": "1.0.0"}
    })
}

/// `params` with the modern `_meta` merged in (members already in `params._meta` win).
pub fn with_meta(params: Value) -> Value {
    let mut params = if params.is_null() { json!({}) } else { params };
    let object = params.as_object_mut().expect("params must be an object to take _meta");
    let mut m = meta();
    if let Some(Value::Object(extra)) = object.get("_meta") {
        for (k, v) in extra {
            m[k] = v.clone();
        }
    }
    object.insert("_meta".into(), m);
    params
}

/// A request frame; `id` is written as it is (raw JSON), `params` left out when null.
pub fn request(id: impl Display, method: &str, params: Value) -> String {
    let method = serde_json::to_string(method).unwrap();
    if params.is_null() {
        format!(r#"{{"jsonrpc":"2.0","id":{id},"method":{method}}}"#)
    } else {
        format!(r#"{{"jsonrpc":"2.0","id":{id},"method":{method},"params":{params}}}"#)
    }
}

/// A legacy request frame.
pub fn legacy(id: impl Display, method: &str, params: Value) -> String {
    request(id, method, params)
}

/// A modern request frame (`_meta` added).
pub fn modern(id: impl Display, method: &str, params: Value) -> String {
    request(id, method, with_meta(params))
}

/// A request frame in `era`.
pub fn in_era(era: Era, id: impl Display, method: &str, params: Value) -> String {
    match era {
        Era::Legacy => legacy(id, method, params),
        Era::Modern => modern(id, method, params),
    }
}

/// A notification frame.
pub fn notification(method: &str, params: Value) -> String {
    let method = serde_json::to_string(method).unwrap();
    if params.is_null() {
        format!(r#"{{"jsonrpc":"2.0","method":{method}}}"#)
    } else {
        format!(r#"{{"jsonrpc":"2.0","method":{method},"params":{params}}}"#)
    }
}

// ---------------------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------------------

/// The lines one step wrote, raw and parsed.
#[derive(Debug, Default)]
pub struct Out {
    /// The lines, without their `\n`.
    pub lines: Vec<String>,
    /// The same, parsed.
    pub values: Vec<Value>,
}

impl Out {
    /// The only message written (fails unless exactly one was).
    #[track_caller]
    pub fn one(&self) -> &Value {
        assert_eq!(self.values.len(), 1, "expected exactly one message, got:\n{}", self.lines.join("\n"));
        &self.values[0]
    }

    /// The only line written, raw.
    #[track_caller]
    pub fn line(&self) -> &str {
        assert_eq!(self.lines.len(), 1, "expected exactly one line, got:\n{}", self.lines.join("\n"));
        &self.lines[0]
    }

    /// Fails unless nothing was written.
    #[track_caller]
    pub fn none(&self) {
        assert!(self.lines.is_empty(), "expected no output, got:\n{}", self.lines.join("\n"));
    }

    /// How many messages were written.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether nothing was written.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The notifications written with `method`.
    pub fn notifications(&self, method: &str) -> Vec<&Value> {
        self.values.iter().filter(|v| v["method"] == method).collect()
    }

    /// The responses written (results and errors).
    pub fn responses(&self) -> Vec<&Value> {
        self.values.iter().filter(|v| v.get("method").is_none()).collect()
    }
}

/// The `result` of a result response (fails on anything else).
#[track_caller]
pub fn result(v: &Value) -> &Value {
    assert_eq!(v["jsonrpc"], "2.0", "{v}");
    assert!(v.get("error").is_none(), "expected a result, got an error: {v}");
    v.get("result").unwrap_or_else(|| panic!("expected a result: {v}"))
}

/// The `error` of an error response with `code` (fails on anything else).
#[track_caller]
pub fn error(v: &Value, code: i64) -> &Value {
    assert_eq!(v["jsonrpc"], "2.0", "{v}");
    let e = v.get("error").unwrap_or_else(|| panic!("expected error {code}, got: {v}"));
    assert_eq!(e["code"], code, "wrong error code: {v}");
    assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()), "an error needs a message: {v}");
    e
}

/// An error response with `code` and no `id` member at all.
#[track_caller]
pub fn error_without_id(v: &Value, code: i64) -> &Value {
    assert!(v.get("id").is_none(), "expected no id member: {v}");
    error(v, code)
}

/// The `id` member of a message line exactly as written, if it has one at the top level.
pub fn raw_id(line: &str) -> Option<String> {
    let value = pjson::parse(line.as_bytes(), 256).expect("server output is JSON");
    let id = value.as_object()?.get("id")?;
    Some(String::from_utf8(id.raw().to_vec()).unwrap())
}

/// Text of the first content block of a tool result.
#[track_caller]
pub fn first_text(v: &Value) -> &str {
    result(v)["content"][0]["text"].as_str().unwrap_or_else(|| panic!("no text content: {v}"))
}

// ---------------------------------------------------------------------------------------
// The harness
// ---------------------------------------------------------------------------------------

/// A request the harness sent and has not seen answered.
#[derive(Debug)]
struct Pending {
    /// The id's JSON text.
    id: String,
    /// Its method ("" when it had none).
    method: String,
    /// Whether it was modern (else it belongs to the legacy session).
    modern: bool,
    /// Its progress token.
    token: Option<Value>,
}

/// Whether a value can be a request id: a string or an integer written without a
/// fraction or an exponent.
fn is_request_id(v: PValue<'_>) -> bool {
    let raw = v.raw();
    let digits = raw.strip_prefix(b"-").unwrap_or(raw);
    v.as_str().is_some() || (!digits.is_empty() && digits.iter().all(u8::is_ascii_digit))
}

/// A server, the test handler, and the bookkeeping to schema-check every line.
pub struct Harness<const N: usize = 4> {
    /// The server under test.
    pub server: Server<Buffers<N, 128>>,
    /// Its handler.
    pub handler: TestHandler,
    /// The legacy revision negotiated, once `initialize` was answered.
    pub session: Option<String>,
    pending: Vec<Pending>,
}

impl Default for Harness<4> {
    fn default() -> Self {
        Self::new()
    }
}

impl Harness<4> {
    /// A server with the default config and 4 request slots.
    pub fn new() -> Self {
        Self::sized(Config::new())
    }

    /// A server with `config` and 4 request slots.
    pub fn with_config(config: Config) -> Self {
        Self::sized(config)
    }

    /// A server whose legacy session was opened at `version` and confirmed with
    /// `notifications/initialized`.
    pub fn legacy(version: &str) -> Self {
        let mut h = Self::new();
        h.initialize(version);
        h
    }
}

impl<const N: usize> Harness<N> {
    /// A server with `config` and `N` request slots.
    pub fn sized(config: Config) -> Self {
        assert!(check_registry(&REGISTRY).is_ok());
        Self {
            server: Server::new(Buffers::new(), config),
            handler: TestHandler::default(),
            session: None,
            pending: Vec::new(),
        }
    }

    /// Open the legacy session at `version` (and send `notifications/initialized`).
    pub fn initialize(&mut self, version: &str) -> Value {
        let init = legacy(
            "\"init\"",
            "initialize",
            json!({"protocolVersion": version, "capabilities": {}, "clientInfo": {"name": "protocol-tests", "version": "1.0.0"}}),
        );
        let reply = self.send(init).one().clone();
        self.send(notification("notifications/initialized", Value::Null)).none();
        reply
    }

    /// Send one frame; the lines written, each already schema-checked.
    pub fn send(&mut self, frame: impl AsRef<[u8]>) -> Out {
        let frame = frame.as_ref();
        let context = self.track(frame);
        let mut sink = VecSink::default();
        self.server.receive(frame, &mut sink, &mut self.handler).expect("the sink never fails");
        self.collect(sink, context)
    }

    /// Send a request in `era` and return its one reply line.
    #[track_caller]
    pub fn call(&mut self, era: Era, id: impl Display, method: &str, params: Value) -> Value {
        self.send(in_era(era, id, method, params)).one().clone()
    }

    /// Run `f` on a responder (deferred answers, progress, logs, notifications); its
    /// outcome and the lines written. Notifications are checked against `rev`.
    pub fn respond<R>(&mut self, rev: Option<&str>, f: impl FnOnce(&mut Responder<'_>) -> R) -> (R, Out) {
        let mut sink = VecSink::default();
        let outcome = f(&mut self.server.responder(&mut sink));
        let out = self.collect(sink, rev.map(str::to_owned));
        (outcome, out)
    }

    /// Answer a line the framing dropped for being longer than `limit` bytes.
    pub fn reject_oversized(&mut self, limit: usize) -> Out {
        let mut sink = VecSink::default();
        self.server.reject_oversized(limit, &mut sink).expect("the sink never fails");
        self.collect(sink, None)
    }

    /// Answer the request in `frame` as one whose answer did not fit `limit` bytes.
    pub fn reject_unfitting(&mut self, frame: &str, limit: usize) -> Out {
        // A frame not sent before (its answer was not written) is noted as sent now.
        if !self.pending.iter().any(|p| frame.contains(&format!("\"id\":{}", p.id))) {
            self.track(frame.as_bytes());
        }
        let mut sink = VecSink::default();
        self.server
            .reject_unfitting(frame.as_bytes(), limit, &mut sink, &mut self.handler)
            .expect("the sink never fails");
        self.collect(sink, None)
    }

    /// Note the requests in a frame; the revision of its only request, if any.
    fn track(&mut self, frame: &[u8]) -> Option<String> {
        let Ok(value) = pjson::parse(frame, pjson::MAX_DEPTH_LIMIT) else { return None };
        let messages: Vec<PValue<'_>> = match value.as_array() {
            Some(batch) => batch.iter().collect(),
            None => vec![value],
        };
        let mut revisions = Vec::new();
        for m in messages {
            let Some(obj) = m.as_object() else { continue };
            let method = obj.get("method").and_then(PValue::as_str);
            if obj.get("id").is_none() && method.is_some_and(|m| m.eq_str("notifications/cancelled")) {
                // The server matches the id as sent; so does the harness.
                let cancelled = obj.get("params").and_then(PValue::as_object).and_then(|p| p.get("requestId"));
                if let Some(raw) = cancelled.map(|id| String::from_utf8(id.raw().to_vec()).unwrap()) {
                    self.pending.retain(|p| p.id != raw);
                }
                continue;
            }
            let Some(id) = obj.get("id") else { continue };
            if obj.get("result").is_some() || obj.get("error").is_some() || !is_request_id(id) {
                continue;
            }
            let method = method.map(decoded).unwrap_or_default();
            let meta =
                obj.get("params").and_then(PValue::as_object).and_then(|p| p.get("_meta")).and_then(PValue::as_object);
            let modern = meta.is_some_and(|m| m.get("io.modelcontextprotocol/protocolVersion").is_some());
            let token =
                meta.and_then(|m| m.get("progressToken")).and_then(|t| serde_json::from_slice::<Value>(t.raw()).ok());
            revisions.push(modern);
            self.pending.push(Pending { id: String::from_utf8(id.raw().to_vec()).unwrap(), method, modern, token });
        }
        match revisions[..] {
            [true] => Some(MODERN.into()),
            [false] => Some(self.legacy_revision().into()),
            _ => None,
        }
    }

    /// The revision legacy messages are checked against: the session's, or before
    /// `initialize` the newest legacy one (what the server answers `ping` with).
    fn legacy_revision(&self) -> &str {
        self.session.as_deref().unwrap_or(LATEST_LEGACY)
    }

    /// Split, parse and schema-check what one step wrote.
    fn collect(&mut self, sink: VecSink, context: Option<String>) -> Out {
        let text = String::from_utf8(sink.bytes).expect("output is UTF-8");
        assert!(text.is_empty() || text.ends_with('\n'), "output must end with a newline: {text:?}");
        let lines: Vec<String> = text.lines().map(str::to_owned).collect();
        assert_eq!(lines.len(), sink.messages, "one line per message: {text:?}");
        let mut values = Vec::new();
        for line in &lines {
            assert!(!line.contains('\r'), "a raw CR in the output: {line:?}");
            let value: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
            assert!(value.is_object(), "every line is one JSON object: {line}");
            let (rev, answers) = self.classify(line, &value, context.as_deref());
            picomcp_schema_check::assert_valid(&rev, line.as_bytes(), answers.as_deref());
            values.push(value);
        }
        Out { lines, values }
    }

    /// The revision to check a line against and the method it answers.
    fn classify(&mut self, line: &str, value: &Value, context: Option<&str>) -> (String, Option<String>) {
        if let Some(method) = value.get("method").and_then(Value::as_str) {
            assert!(value.get("id").is_none(), "the server sends no requests: {line}");
            let rev = match method {
                "notifications/progress" => {
                    let token = &value["params"]["progressToken"];
                    let owner = self.pending.iter().rfind(|p| p.token.as_ref() == Some(token));
                    let owner =
                        owner.unwrap_or_else(|| panic!("progress for a token no request in flight carries: {line}"));
                    if owner.modern { MODERN.to_owned() } else { self.legacy_revision().to_owned() }
                }
                "notifications/message" => context.map_or_else(|| self.legacy_revision().to_owned(), str::to_owned),
                _ => self.session.clone().unwrap_or_else(|| panic!("a session notification without a session: {line}")),
            };
            return (rev, None);
        }
        let Some(id) = raw_id(line) else {
            // Errors that could not name a request. The schemas before 2025-11-25 require an
            // id on every error (and JSON-RPC's `null` is not a RequestId either), so these
            // can only be checked against 2025-11-25 or later.
            let rev = match &self.session {
                Some(s) if s.as_str() >= LATEST_LEGACY => s.clone(),
                Some(_) => LATEST_LEGACY.to_owned(),
                None => MODERN.to_owned(),
            };
            assert!(value.get("error").is_some(), "a result without an id: {line}");
            return (rev, None);
        };
        // Two requests with one id can only be pending together for a moment: the server
        // refuses the newer one at once. So an error goes to the newest, a result to the
        // oldest.
        let mut matching = self.pending.iter().enumerate().filter(|(_, p)| p.id == id).map(|(i, _)| i);
        let index = if value.get("error").is_some() { matching.next_back() } else { matching.next() };
        let index = index.unwrap_or_else(|| panic!("a reply to id {id}, which no pending request has: {line}"));
        let pending = self.pending.remove(index);
        if pending.method == "initialize" && !pending.modern {
            if let Some(version) = value.pointer("/result/protocolVersion").and_then(Value::as_str) {
                self.session = Some(version.to_owned());
            }
        }
        let rev = if pending.modern { MODERN.to_owned() } else { self.legacy_revision().to_owned() };
        (rev, Some(pending.method).filter(|m| !m.is_empty()))
    }

    /// How many requests the harness saw sent and not yet answered.
    pub fn unanswered(&self) -> usize {
        self.pending.len()
    }
}
