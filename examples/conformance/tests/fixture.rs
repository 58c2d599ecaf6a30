//! Drives the `picomcp-conformance` binary over stdio with raw JSON-RPC lines, in both
//! eras (a legacy 2025-11-25 session opened by `initialize`, and 2026-07-28 requests that
//! carry `params._meta`), and checks the exact results FIXTURE.md prescribes for every
//! tool, resource, prompt and completion that works today. Every line the server writes is
//! also validated against the official schema of its revision (`picomcp-schema-check`;
//! skipped when `../shared/spec` is absent).

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use picomcp_conformance::catalogue::{self, PNG_BASE64, TOOLS, WAV_BASE64, Wire};
use serde_json::{Value, json};

const LEGACY: &str = "2025-11-25";
const MODERN: &str = "2026-07-28";

/// How long to wait for one line.
const LINE_TIMEOUT: Duration = Duration::from_secs(10);

/// The client capabilities the harness declares on 2026-07-28 requests (FIXTURE.md 1).
fn default_capabilities() -> Value {
    json!({"sampling": {}, "elicitation": {}, "roots": {"listChanged": true}})
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Era {
    Legacy,
    Modern,
}

const ERAS: [Era; 2] = [Era::Legacy, Era::Modern];

/// What one request brought back: the notifications written before its response, and the
/// response.
struct Exchange {
    notifications: Vec<(Instant, Value)>,
    response: Value,
}

impl Exchange {
    /// The result; panics on an error response.
    fn result(&self) -> &Value {
        assert!(self.response.get("error").is_none(), "expected a result, got {}", self.response);
        &self.response["result"]
    }

    /// The error object; panics on a result.
    fn error(&self) -> &Value {
        assert!(self.response.get("result").is_none(), "expected an error, got {}", self.response);
        &self.response["error"]
    }

    fn methods(&self) -> Vec<&str> {
        self.notifications.iter().map(|(_, n)| n["method"].as_str().unwrap_or("?")).collect()
    }
}

/// One fixture process, speaking one era.
struct Fixture {
    era: Era,
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<(Instant, String)>,
    next_id: u64,
    /// Skip the schema check (for a message the fixture knows to be incomplete).
    unchecked: bool,
}

impl Fixture {
    /// A fixture process; a legacy one has had its `initialize` handshake.
    fn start(era: Era) -> Self {
        let mut fixture = Self::spawn(era);
        if era == Era::Legacy {
            let init = fixture.call(
                "initialize",
                json!({"protocolVersion": LEGACY, "capabilities": {"sampling": {}, "elicitation": {}},
                       "clientInfo": {"name": "conformance-test-client", "version": "1.0.0"}}),
            );
            assert_eq!(init.result()["protocolVersion"], LEGACY);
            fixture.notify("notifications/initialized", json!({}));
        }
        fixture
    }

    /// A fixture process, before any message.
    fn spawn(era: Era) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_picomcp-conformance"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start picomcp-conformance");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send((Instant::now(), line)).is_err() {
                    break;
                }
            }
        });
        let stdin = child.stdin.take();
        Self { era, child, stdin, lines, next_id: 1, unchecked: false }
    }

    fn revision(&self) -> &'static str {
        match self.era {
            Era::Legacy => LEGACY,
            Era::Modern => MODERN,
        }
    }

    fn send(&mut self, message: &Value) {
        let stdin = self.stdin.as_mut().expect("stdin is open");
        let line = message.to_string();
        stdin
            .write_all(line.as_bytes())
            .and_then(|()| stdin.write_all(b"\n"))
            .and_then(|()| stdin.flush())
            .unwrap_or_else(|e| panic!("writing to the fixture failed ({e}); did it exit?"));
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// The next line, schema-checked (`answers`: the method a response answers).
    fn next_message(&self, timeout: Duration, answers: Option<&str>) -> Option<(Instant, Value)> {
        let (at, line) = self.lines.recv_timeout(timeout).ok()?;
        let value: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        let answering = if value.get("id").is_some() && value.get("method").is_none() { answers } else { None };
        if !self.unchecked {
            picomcp_schema_check::assert_valid(self.revision(), line.as_bytes(), answering);
        }
        Some((at, value))
    }

    /// Params for this era: on 2026-07-28 `_meta` gets the protocol version, the harness's
    /// client capabilities and client info, unless `params._meta` already names them.
    fn params(&self, mut params: Value) -> Value {
        if self.era == Era::Modern {
            let meta = params.as_object_mut().expect("params object").entry("_meta").or_insert_with(|| json!({}));
            let meta = meta.as_object_mut().expect("_meta object");
            meta.entry("io.modelcontextprotocol/protocolVersion").or_insert_with(|| json!(MODERN));
            meta.entry("io.modelcontextprotocol/clientCapabilities").or_insert_with(default_capabilities);
            meta.entry("io.modelcontextprotocol/clientInfo")
                .or_insert_with(|| json!({"name": "conformance-test-client", "version": "1.0.0"}));
        }
        params
    }

    /// Send a request and collect what comes back up to its response.
    fn call(&mut self, method: &str, params: Value) -> Exchange {
        let id = self.next_id;
        self.next_id += 1;
        let params = self.params(params);
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        let mut notifications = Vec::new();
        loop {
            let (at, message) = self
                .next_message(LINE_TIMEOUT, Some(method))
                .unwrap_or_else(|| panic!("no response to {method} (id {id})"));
            match message.get("id") {
                Some(got) if message.get("method").is_none() => {
                    assert_eq!(got, &json!(id), "a response to another request: {message}");
                    return Exchange { notifications, response: message };
                }
                _ => notifications.push((at, message)),
            }
        }
    }

    fn call_tool(&mut self, name: &str, arguments: Value) -> Exchange {
        self.call("tools/call", json!({"name": name, "arguments": arguments}))
    }

    /// A tool result's `content`, checked to be a plain (not error) result of this era.
    fn tool_content(&mut self, name: &str, arguments: Value) -> Value {
        let exchange = self.call_tool(name, arguments);
        let result = exchange.result();
        assert!(result.get("isError").is_none(), "{name}: unexpected isError: {result}");
        self.check_result_type(result);
        result["content"].clone()
    }

    /// 2026-07-28 results say `resultType: "complete"`; legacy results carry no such field.
    fn check_result_type(&self, result: &Value) {
        match self.era {
            Era::Modern => assert_eq!(result["resultType"], "complete", "{result}"),
            Era::Legacy => assert!(result.get("resultType").is_none(), "{result}"),
        }
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn text(text: &str) -> Value {
    json!({"type": "text", "text": text})
}

fn png_image() -> Value {
    json!({"type": "image", "data": PNG_BASE64, "mimeType": "image/png"})
}

// ---------------------------------------------------------------------------------------
// Identity and catalogue
// ---------------------------------------------------------------------------------------

#[test]
fn legacy_initialize_advertises_the_fixture_capabilities() {
    let mut fixture = Fixture::spawn(Era::Legacy);
    let init = fixture.call(
        "initialize",
        json!({"protocolVersion": LEGACY, "capabilities": {"sampling": {}, "elicitation": {}},
               "clientInfo": {"name": "conformance-test-client", "version": "1.0.0"}}),
    );
    // FIXTURE.md section 3, exactly.
    assert_eq!(
        init.result(),
        &json!({"protocolVersion": "2025-11-25",
                "capabilities": {"tools": {"listChanged": true},
                                 "resources": {"subscribe": true, "listChanged": true},
                                 "prompts": {"listChanged": true},
                                 "logging": {}, "completions": {}},
                "serverInfo": {"name": "picomcp-conformance-fixture", "version": "0.1.0"}})
    );
}

#[test]
fn discover_names_the_fixture() {
    let mut fixture = Fixture::start(Era::Modern);
    let discover = fixture.call("server/discover", json!({}));
    let result = discover.result();
    assert_eq!(result["supportedVersions"], json!(["2026-07-28"]));
    assert_eq!(result["resultType"], "complete");
    assert_eq!(result["ttlMs"], 0);
    assert_eq!(result["cacheScope"], "public");
    assert_eq!(
        result["_meta"]["io.modelcontextprotocol/serverInfo"],
        json!({"name": "picomcp-conformance-fixture", "version": "0.1.0"})
    );
    for feature in ["tools", "prompts", "resources", "completions"] {
        assert!(result["capabilities"][feature].is_object(), "capabilities.{feature} missing: {result}");
    }
    assert!(result["capabilities"].get("io.modelcontextprotocol/skills").is_none());
}

#[test]
fn the_catalogue_is_well_formed_and_every_tool_has_a_wire() {
    let fixture = picomcp_conformance::Fixture::<ZeroClock, 1>::new(ZeroClock);
    picomcp::check_registry(picomcp::Handler::registry(&fixture)).expect("a valid registry");
    let mut names = BTreeSet::new();
    for tool in &TOOLS {
        assert!(names.insert(tool.name), "duplicate tool {}", tool.name);
        assert!((1..=128).contains(&tool.name.len()), "{}", tool.name);
        assert!(tool.name.bytes().all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b)), "{}", tool.name);
        assert!(tool.description.is_some_and(|d| !d.is_empty()), "{}", tool.name);
        assert!(catalogue::tool_wire(tool.name).is_some(), "{} has no wire", tool.name);
    }
    let wire = |name| catalogue::tool_wire(name).expect("a tool of the catalogue");
    assert_eq!(wire("test_simple_text"), Wire::Both);
    assert_eq!(wire("json_schema_2020_12_tool"), Wire::Both);
    assert_eq!(wire("test_tool_with_logging"), Wire::Legacy);
    assert_eq!(wire("test_reconnection"), Wire::Legacy);
    assert_eq!(wire("test_missing_capability"), Wire::Modern);
    assert_eq!(wire("test_tool_with_task"), Wire::Modern);
    assert_eq!(catalogue::prompt_wire("test_simple_prompt"), Some(Wire::Both));
    assert_eq!(catalogue::prompt_wire("test_input_required_result_prompt"), Some(Wire::Modern));
    assert_eq!(catalogue::tool_wire("nope"), None);
}

struct ZeroClock;

impl picomcp_conformance::Clock for ZeroClock {
    fn now_ms(&self) -> u32 {
        0
    }
}

#[test]
fn tools_list_is_complete_ordered_and_keeps_the_2020_12_schema_verbatim() {
    let expected: Vec<&str> = TOOLS.iter().map(|t| t.name).collect();
    assert_eq!(expected[0], "test_simple_text");
    for era in ERAS {
        let mut fixture = Fixture::start(era);
        let first = fixture.call("tools/list", json!({}));
        let result = first.result();
        fixture.check_result_type(result);
        if era == Era::Modern {
            assert_eq!(result["ttlMs"], 300_000);
            assert_eq!(result["cacheScope"], "public");
        }
        let tools = result["tools"].as_array().expect("tools array");
        let names: Vec<&str> = tools.iter().map(|t| t["name"].as_str().expect("name")).collect();
        assert_eq!(names, expected, "{era:?}");
        for tool in tools {
            assert!(tool["description"].as_str().is_some_and(|d| !d.is_empty()), "{tool}");
            assert_eq!(tool["inputSchema"]["type"], "object", "{tool}");
        }
        let simple = &tools[0];
        assert_eq!(simple["inputSchema"], json!({"type": "object", "properties": {}}));
        let sampling = tools.iter().find(|t| t["name"] == "test_sampling").expect("test_sampling");
        assert_eq!(
            sampling["inputSchema"],
            json!({"type": "object", "properties": {"prompt": {"type": "string", "description": "The prompt to send to the LLM"}},
                   "required": ["prompt"]})
        );
        let schema =
            &tools.iter().find(|t| t["name"] == "json_schema_2020_12_tool").expect("2020-12 tool")["inputSchema"];
        assert_eq!(
            schema,
            &json!({"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
                    "$defs": {"address": {"$anchor": "postalAddress", "type": "object",
                                          "properties": {"street": {"type": "string"}, "city": {"type": "string"}}}},
                    "properties": {"name": {"type": "string"}, "address": {"$ref": "#/$defs/address"},
                                   "contactMethod": {"type": "string", "enum": ["phone", "email"]},
                                   "phone": {"type": "string"}, "email": {"type": "string"}},
                    "allOf": [{"anyOf": [{"required": ["phone"]}, {"required": ["email"]}]}],
                    "if": {"properties": {"contactMethod": {"const": "phone"}}, "required": ["contactMethod"]},
                    "then": {"required": ["phone"]}, "else": {"required": ["email"]},
                    "additionalProperties": false})
        );
        let header = &tools.iter().find(|t| t["name"] == "test_header_param").expect("header tool")["inputSchema"];
        assert_eq!(header["properties"]["region"]["x-mcp-header"], "Region");
        // The order is the same every time (2026-07-28 lists three times).
        for _ in 0..2 {
            let again = fixture.call("tools/list", json!({}));
            assert_eq!(again.result()["tools"], result["tools"]);
        }
    }
}

// ---------------------------------------------------------------------------------------
// Tools (FIXTURE.md 4.1, 7.2, 7.3)
// ---------------------------------------------------------------------------------------

#[test]
fn content_tools_return_exactly_what_the_fixture_prescribes() {
    for era in ERAS {
        let mut fixture = Fixture::start(era);
        // Without `arguments` at all, as the suite calls it.
        let simple = fixture.call("tools/call", json!({"name": "test_simple_text"}));
        fixture.check_result_type(simple.result());
        assert_eq!(simple.result()["content"], json!([text("This is a simple text response for testing.")]));
        assert_eq!(fixture.tool_content("test_image_content", json!({})), json!([png_image()]));
        assert_eq!(
            fixture.tool_content("test_audio_content", json!({})),
            json!([{"type": "audio", "data": WAV_BASE64, "mimeType": "audio/wav"}])
        );
        assert_eq!(
            fixture.tool_content("test_embedded_resource", json!({})),
            json!([{"type": "resource", "resource": {"uri": "test://embedded-resource", "mimeType": "text/plain",
                                                     "text": "This is an embedded resource content."}}])
        );
        assert_eq!(
            fixture.tool_content("test_multiple_content_types", json!({})),
            json!([text("Multiple content types test:"), png_image(),
                   {"type": "resource", "resource": {"uri": "test://mixed-content-resource", "mimeType": "application/json",
                                                     "text": "{\"test\":\"data\",\"value\":123}"}}])
        );
        let error = fixture.call_tool("test_error_handling", json!({}));
        assert_eq!(
            error.result(),
            &with_trailer(
                era,
                json!({"content": [text("This tool intentionally returns an error for testing")], "isError": true})
            )
        );
        let args = json!({"name": "Ada", "email": "ada@example.com"});
        assert_eq!(
            fixture.tool_content("json_schema_2020_12_tool", args.clone()),
            json!([text(&format!("JSON Schema 2020-12 tool called with: {args}"))])
        );
        assert_eq!(fixture.tool_content("test_streaming_elicitation", json!({})), json!([text("Streaming complete")]));
        assert_eq!(fixture.tool_content("greet", json!({"name": "World"})), json!([text("Hello, World!")]));
        assert_eq!(
            fixture.tool_content("test_header_param", json!({"region": "Hello"})),
            json!([text("region=Hello")])
        );
        assert_eq!(
            fixture.tool_content("slow_compute", json!({"seconds": 0, "label": "now"})),
            json!([text("Computed now in 0 s")])
        );
        assert_eq!(
            fixture.tool_content("test_reconnection", json!({})),
            json!([text("Reconnection test completed successfully")])
        );
    }
}

/// A result as this era writes it: 2026-07-28 adds `resultType` (and `serverInfo` meta).
fn with_trailer(era: Era, mut result: Value) -> Value {
    if era == Era::Modern {
        let object = result.as_object_mut().expect("result object");
        object.insert("resultType".into(), json!("complete"));
        object.insert(
            "_meta".into(),
            json!({"io.modelcontextprotocol/serverInfo": {"name": "picomcp-conformance-fixture", "version": "0.1.0"}}),
        );
    }
    result
}

/// FIXTURE.md 7.4: three progress notifications 0/50/100 of 100, about 50 ms apart,
/// before the result.
#[test]
fn progress_tool_reports_three_steps_before_its_result() {
    for era in ERAS {
        let mut fixture = Fixture::start(era);
        let exchange = fixture.call(
            "tools/call",
            json!({"name": "test_tool_with_progress", "arguments": {}, "_meta": {"progressToken": "progress-test-1"}}),
        );
        let notes: Vec<&Value> = exchange.notifications.iter().map(|(_, n)| n).collect();
        assert_eq!(notes.len(), 3, "{era:?}: {notes:?}");
        for (note, step) in notes.iter().zip([0u32, 50, 100]) {
            assert_eq!(note["method"], "notifications/progress");
            let params = &note["params"];
            assert_eq!(params["progressToken"], "progress-test-1");
            assert_eq!(params["progress"].as_f64(), Some(f64::from(step)));
            assert_eq!(params["total"].as_f64(), Some(100.0));
            assert_eq!(params["message"], format!("Completed step {step} of 100"));
        }
        let spread = exchange.notifications[2].0 - exchange.notifications[0].0;
        assert!(spread >= Duration::from_millis(80), "{era:?}: steps only {spread:?} apart");
        let result = exchange.result();
        fixture.check_result_type(result);
        // FIXTURE.md 4.1: the result text is the progress token.
        assert_eq!(result["content"], json!([text("progress-test-1")]));

        // An integer token comes back as an integer.
        let exchange = fixture.call(
            "tools/call",
            json!({"name": "test_tool_with_progress", "arguments": {}, "_meta": {"progressToken": 7}}),
        );
        assert_eq!(exchange.notifications.len(), 3);
        assert!(exchange.notifications.iter().all(|(_, n)| n["params"]["progressToken"] == json!(7)));

        // Without a token: no notifications, just the result (still after the delays).
        let started = Instant::now();
        let exchange = fixture.call_tool("test_tool_with_progress", json!({}));
        assert!(exchange.notifications.is_empty(), "{:?}", exchange.methods());
        assert!(started.elapsed() >= Duration::from_millis(80));
        assert!(exchange.result()["content"][0]["text"].is_string());
    }
}

#[test]
fn a_cancelled_progress_call_never_answers() {
    for era in ERAS {
        let mut fixture = Fixture::start(era);
        // First a round trip, so that the schema check is ready and does not slow the
        // reading below.
        assert!(fixture.call("prompts/list", json!({})).result()["prompts"].is_array());
        let params = fixture
            .params(json!({"name": "test_tool_with_progress", "arguments": {}, "_meta": {"progressToken": "p"}}));
        fixture.send(&json!({"jsonrpc": "2.0", "id": 900, "method": "tools/call", "params": params}));
        let (_, first) = fixture.next_message(LINE_TIMEOUT, None).expect("the first progress report");
        assert_eq!(first["params"]["progress"].as_f64(), Some(0.0));
        fixture.notify("notifications/cancelled", json!({"requestId": 900, "reason": "test"}));
        // Progress already under way may still arrive; the result never does.
        let deadline = Instant::now() + Duration::from_millis(300);
        while let Some((_, message)) = fixture.next_message(deadline.saturating_duration_since(Instant::now()), None) {
            assert_eq!(message["method"], "notifications/progress", "after the cancellation: {message}");
        }
        // Still serving.
        assert!(fixture.call("prompts/list", json!({})).result()["prompts"].is_array());
    }
}

/// FIXTURE.md 6.2 (legacy) and the 2026-07-28 per-request log level.
#[test]
fn logging_tool_sends_three_info_messages_when_asked() {
    let expected = ["Tool execution started", "Tool processing data", "Tool execution completed"];
    let check = |exchange: &Exchange| {
        let messages: Vec<&Value> = exchange.notifications.iter().map(|(_, n)| n).collect();
        assert_eq!(messages.len(), 3, "{messages:?}");
        for (message, data) in messages.iter().zip(expected) {
            assert_eq!(message["method"], "notifications/message");
            assert_eq!(message["params"]["level"], "info");
            assert_eq!(message["params"]["data"], data);
        }
        assert_eq!(exchange.result()["content"], json!([text("Tool with logging executed successfully")]));
    };

    let mut legacy = Fixture::start(Era::Legacy);
    assert_eq!(legacy.call("logging/setLevel", json!({"level": "debug"})).result(), &json!({}));
    check(&legacy.call_tool("test_tool_with_logging", json!({})));
    assert_eq!(legacy.call("logging/setLevel", json!({"level": "warning"})).result(), &json!({}));
    let quiet = legacy.call_tool("test_tool_with_logging", json!({}));
    assert!(quiet.notifications.is_empty(), "{:?}", quiet.methods());

    let mut modern = Fixture::start(Era::Modern);
    check(&modern.call(
        "tools/call",
        json!({"name": "test_tool_with_logging", "arguments": {},
               "_meta": {"io.modelcontextprotocol/logLevel": "debug"}}),
    ));
    let quiet = modern.call_tool("test_tool_with_logging", json!({}));
    assert!(quiet.notifications.is_empty(), "{:?}", quiet.methods());
}

/// FIXTURE.md 5.1: `test_logging_tool` logs only when the request asks for it.
#[test]
fn stateless_logging_tool_logs_only_with_a_log_level() {
    let mut fixture = Fixture::start(Era::Modern);
    let plain = fixture.call(
        "tools/call",
        json!({"name": "test_logging_tool", "arguments": {}, "_meta": {"io.modelcontextprotocol/clientCapabilities": {}}}),
    );
    assert!(plain.notifications.is_empty(), "{:?}", plain.methods());
    assert!(plain.result().get("isError").is_none());
    assert_eq!(plain.result()["content"], json!([text("Logging tool executed")]));
    let logged = fixture.call(
        "tools/call",
        json!({"name": "test_logging_tool", "arguments": {}, "_meta": {"io.modelcontextprotocol/logLevel": "info"}}),
    );
    assert_eq!(logged.methods(), ["notifications/message"]);
    assert_eq!(logged.notifications[0].1["params"]["data"], "Logging tool called");
}

/// FIXTURE.md 5.1 (stand-in until the core enforces declared capabilities itself).
#[test]
fn missing_capability_tool_needs_sampling() {
    let mut fixture = Fixture::start(Era::Modern);
    // The stand-in error lacks `data.requiredCapabilities`, which the schema requires: the
    // core will write it once tools can declare what they need.
    fixture.unchecked = true;
    let refused = fixture.call(
        "tools/call",
        json!({"name": "test_missing_capability", "arguments": {},
               "_meta": {"io.modelcontextprotocol/clientCapabilities": {}}}),
    );
    assert_eq!(refused.error()["code"], -32021);
    fixture.unchecked = false;
    let allowed = fixture.call(
        "tools/call",
        json!({"name": "test_missing_capability", "arguments": {},
               "_meta": {"io.modelcontextprotocol/clientCapabilities": {"sampling": {}}}}),
    );
    assert_eq!(allowed.result()["content"], json!([text("Success")]));
}

#[test]
fn trigger_tools_announce_list_changes_to_a_legacy_session() {
    let mut legacy = Fixture::start(Era::Legacy);
    let tools = legacy.call_tool("test_trigger_tool_change", json!({}));
    assert_eq!(tools.methods(), ["notifications/tools/list_changed"]);
    assert_eq!(tools.result()["content"], json!([text("Mutation triggered")]));
    let prompts = legacy.call_tool("test_trigger_prompt_change", json!({}));
    assert_eq!(prompts.methods(), ["notifications/prompts/list_changed"]);
    assert_eq!(prompts.result()["content"], json!([text("Mutation triggered")]));

    // On 2026-07-28 the notifications belong on `subscriptions/listen` streams, which the
    // core does not serve yet: the call just succeeds.
    let mut modern = Fixture::start(Era::Modern);
    for name in ["test_trigger_tool_change", "test_trigger_prompt_change"] {
        let exchange = modern.call_tool(name, json!({}));
        assert!(exchange.notifications.is_empty(), "{:?}", exchange.methods());
        assert_eq!(exchange.result()["content"], json!([text("Mutation triggered")]));
    }
}

// ---------------------------------------------------------------------------------------
// The tasks extension (FIXTURE.md 10)
// ---------------------------------------------------------------------------------------

const TASKS_EXTENSION: &str = "io.modelcontextprotocol/tasks";

/// The harness's capabilities plus the tasks extension.
fn with_tasks() -> Value {
    json!({"sampling": {}, "elicitation": {}, "extensions": {TASKS_EXTENSION: {}}})
}

impl Fixture {
    /// A 2026-07-28 `tools/call` declaring `caps`.
    fn call_with(&mut self, name: &str, arguments: Value, caps: Value) -> Exchange {
        self.call(
            "tools/call",
            json!({"name": name, "arguments": arguments, "_meta": {"io.modelcontextprotocol/clientCapabilities": caps}}),
        )
    }

    /// A tasks method, with the extension declared.
    fn task(&mut self, method: &str, params: Value) -> Value {
        let mut params = params;
        params["_meta"] = json!({"io.modelcontextprotocol/clientCapabilities": with_tasks()});
        let exchange = self.call(method, params);
        exchange.result().clone()
    }

    /// A CreateTaskResult's task id (its shape checked).
    #[track_caller]
    fn created(&mut self, name: &str, arguments: Value) -> String {
        let exchange = self.call_with(name, arguments, with_tasks());
        let result = exchange.result();
        assert_eq!(result["resultType"], "task", "{name}: {result}");
        assert_eq!(result["status"], "working", "{result}");
        for absent in ["task", "result", "error", "inputRequests", "requestState", "ttl", "pollInterval", "content"] {
            assert!(result.get(absent).is_none(), "{name}: {absent} in {result}");
        }
        assert!(result["ttlMs"].as_u64().is_some_and(|t| t > 0), "{result}");
        assert_eq!(result["pollIntervalMs"], 200);
        for at in ["createdAt", "lastUpdatedAt"] {
            let stamp = result[at].as_str().unwrap_or_default();
            assert!(stamp.len() == 24 && stamp.ends_with('Z') && stamp.as_bytes()[10] == b'T', "{at}: {result}");
        }
        result["taskId"].as_str().expect("taskId").to_owned()
    }

    /// `tasks/get` until the status is one of `until` (or 10 s pass); the last answer.
    #[track_caller]
    fn poll_task(&mut self, id: &str, until: &[&str]) -> Value {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let got = self.task("tasks/get", json!({"taskId": id}));
            assert_eq!(got["taskId"], id);
            assert_eq!(got["resultType"], "complete");
            assert!(got.get("requestState").is_none(), "{got}");
            let status = got["status"].as_str().unwrap_or_default();
            if until.contains(&status) || Instant::now() > deadline {
                return got;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

const TERMINAL: [&str; 3] = ["completed", "failed", "cancelled"];

#[test]
fn discover_advertises_the_tasks_extension() {
    let mut fixture = Fixture::start(Era::Modern);
    let discover = fixture.call("server/discover", json!({}));
    let capabilities = &discover.result()["capabilities"];
    assert_eq!(capabilities["extensions"], json!({TASKS_EXTENSION: {}}), "{capabilities}");
    assert!(capabilities.get("tasks").is_none());
}

#[test]
fn task_tools_become_tasks_with_the_extension() {
    let mut fixture = Fixture::start(Era::Modern);
    // `greet` stays synchronous, even with a legacy `task` hint.
    let greet = fixture.call(
        "tools/call",
        json!({"name": "greet", "arguments": {"name": "World"}, "task": {"ttl": 60000, "pollInterval": 100},
               "_meta": {"io.modelcontextprotocol/clientCapabilities": with_tasks()}}),
    );
    assert_eq!(greet.result()["content"], json!([text("Hello, World!")]));
    assert_eq!(greet.result()["resultType"], "complete");

    let compute = fixture.created("slow_compute", json!({"seconds": 1, "label": "one"}));
    let failing = fixture.created("failing_job", json!({}));
    let crashing = fixture.created("protocol_error_job", json!({}));
    let working = fixture.task("tasks/get", json!({"taskId": compute}));
    assert_eq!(working["status"], "working");
    assert!(working.get("result").is_none() && working.get("error").is_none(), "{working}");

    let done = fixture.poll_task(&compute, &TERMINAL);
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(done["result"]["content"], json!([text("Computed one in 1 s")]));
    assert!(done["result"].get("_meta").is_none(), "{done}");
    let failed_tool = fixture.poll_task(&failing, &TERMINAL);
    assert_eq!(failed_tool["status"], "completed", "a tool error completes: {failed_tool}");
    assert_eq!(failed_tool["result"]["isError"], true);
    let crashed = fixture.poll_task(&crashing, &TERMINAL);
    assert_eq!(crashed["status"], "failed", "{crashed}");
    assert_eq!(crashed["error"]["code"], -32603);
    assert!(crashed.get("result").is_none());

    // Cancelling a running task ends it `cancelled`; cancelling again is the same ack.
    let long = fixture.created("slow_compute", json!({"seconds": 60, "label": "long"}));
    for _ in 0..2 {
        let ack = fixture.task("tasks/cancel", json!({"taskId": long}));
        assert_eq!(ack["resultType"], "complete");
        assert!(ack.get("taskId").is_none() && ack.get("status").is_none(), "{ack}");
    }
    assert_eq!(fixture.poll_task(&long, &TERMINAL)["status"], "cancelled");
    let ack = fixture.task("tasks/cancel", json!({"taskId": compute}));
    assert_eq!(ack["resultType"], "complete");

    // Unknown ids: -32602; removed methods: -32601.
    let unknown = fixture.call(
        "tasks/get",
        json!({"taskId": "no-such-task", "_meta": {"io.modelcontextprotocol/clientCapabilities": with_tasks()}}),
    );
    assert_eq!(unknown.error()["code"], -32602);
    for removed in ["tasks/result", "tasks/list"] {
        let exchange = fixture.call(
            removed,
            json!({"taskId": compute, "_meta": {"io.modelcontextprotocol/clientCapabilities": with_tasks()}}),
        );
        assert_eq!(exchange.error()["code"], -32601, "{removed}");
    }
}

#[test]
fn task_tools_ask_for_input_and_resume() {
    let mut fixture = Fixture::start(Era::Modern);
    let delete = fixture.created("confirm_delete", json!({"filename": "notes.txt"}));
    let asking = fixture.poll_task(&delete, &["input_required"]);
    assert_eq!(asking["status"], "input_required", "{asking}");
    assert_eq!(asking["inputRequests"]["confirm"]["method"], "elicitation/create");
    let ack = fixture.task(
        "tasks/update",
        json!({"taskId": delete, "inputResponses": {"confirm": {"action": "accept", "content": {"confirm": true}}}}),
    );
    assert_eq!(ack["resultType"], "complete");
    let done = fixture.poll_task(&delete, &TERMINAL);
    assert_eq!(done["result"]["content"], json!([text("Deleted notes.txt")]), "{done}");

    // Two requests, answered one at a time; unknown keys are ignored.
    let multi = fixture.created("multi_input", json!({}));
    let asking = fixture.poll_task(&multi, &["input_required"]);
    let mut keys: Vec<&str> = asking["inputRequests"].as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["confirm", "name"]);
    let answer = json!({"action": "accept", "content": {"name": "Ada", "confirm": true}});
    let ack =
        fixture.task("tasks/update", json!({"taskId": multi, "inputResponses": {"name": answer, "unknown-key": {}}}));
    assert_eq!(ack["resultType"], "complete");
    let half = fixture.task("tasks/get", json!({"taskId": multi}));
    assert_eq!(half["status"], "input_required");
    assert_eq!(half["inputRequests"].as_object().unwrap().keys().collect::<Vec<_>>(), ["confirm"]);
    fixture.task("tasks/update", json!({"taskId": multi, "inputResponses": {"confirm": answer}}));
    let done = fixture.poll_task(&multi, &TERMINAL);
    assert_eq!(done["result"]["content"], json!([text("Name: Ada; confirmed: yes")]), "{done}");

    // Input first (input_required, no task), then a task that greets the name.
    let round1 = fixture.call_with("test_tool_with_task", json!({}), with_tasks());
    let r1 = round1.result();
    assert_eq!(r1["resultType"], "input_required");
    assert!(r1.get("taskId").is_none());
    let state = r1["requestState"].clone();
    let round2 = fixture.call(
        "tools/call",
        json!({"name": "test_tool_with_task", "arguments": {},
               "inputResponses": {"user_name": {"action": "accept", "content": {"name": "Alice"}}},
               "requestState": state,
               "_meta": {"io.modelcontextprotocol/clientCapabilities": with_tasks()}}),
    );
    let r2 = round2.result();
    assert_eq!(r2["resultType"], "task", "{r2}");
    assert!(r2.get("requestState").is_none() && r2.get("inputRequests").is_none(), "{r2}");
    let id = r2["taskId"].as_str().unwrap().to_owned();
    let done = fixture.poll_task(&id, &TERMINAL);
    assert_eq!(done["result"]["content"], json!([text("Hello, Alice! (greeted by a task)")]), "{done}");
}

#[test]
fn without_the_extension_task_tools_run_at_once_or_are_refused() {
    let mut fixture = Fixture::start(Era::Modern);
    let caps = default_capabilities();
    // Optional task support: an ordinary call.
    let compute = fixture.call_with("slow_compute", json!({"seconds": 0, "label": "now"}), caps.clone());
    assert_eq!(compute.result()["content"], json!([text("Computed now in 0 s")]));
    assert!(compute.result().get("taskId").is_none());
    let crash = fixture.call_with("protocol_error_job", json!({}), caps.clone());
    assert_eq!(crash.error()["code"], -32603);
    // confirm_delete asks with an input-required result instead.
    let asked = fixture.call_with("confirm_delete", json!({"filename": "a.txt"}), caps.clone());
    assert_eq!(asked.result()["resultType"], "input_required");
    let retried = fixture.call(
        "tools/call",
        json!({"name": "confirm_delete", "arguments": {"filename": "a.txt"},
               "inputResponses": {"confirm": {"action": "accept", "content": {"confirm": false}}},
               "_meta": {"io.modelcontextprotocol/clientCapabilities": caps.clone()}}),
    );
    assert_eq!(retried.result()["content"], json!([text("Kept a.txt")]));
    // Required task support: -32021 naming the extension.
    for name in ["failing_job", "multi_input", "test_tool_with_task"] {
        let refused = fixture.call_with(name, json!({}), caps.clone());
        assert_eq!(refused.error()["code"], -32021, "{name}");
        assert_eq!(refused.error()["data"]["requiredCapabilities"], json!({"extensions": {TASKS_EXTENSION: {}}}));
    }
    // The tasks methods need the extension in the request.
    for method in ["tasks/get", "tasks/update", "tasks/cancel"] {
        let refused = fixture.call(
            method,
            json!({"taskId": "gate-test", "inputResponses": {}, "_meta": {"io.modelcontextprotocol/clientCapabilities": {}}}),
        );
        assert_eq!(refused.error()["code"], -32021, "{method}");
    }

    // A legacy session: no tasks; the timed tools answer the call, the others say why not.
    let mut legacy = Fixture::start(Era::Legacy);
    let failing = legacy.call_tool("failing_job", json!({}));
    assert_eq!(failing.result()["isError"], true);
    assert_eq!(failing.result()["content"], json!([text("failing_job failed, as it always does")]));
    for (name, arguments) in
        [("multi_input", json!({})), ("test_tool_with_task", json!({})), ("confirm_delete", json!({"filename": "a"}))]
    {
        let refused = legacy.call_tool(name, arguments);
        assert_eq!(refused.result()["isError"], true, "{name}");
        assert!(
            refused.result()["content"][0]["text"].as_str().unwrap().contains("needs the tasks extension"),
            "{name}"
        );
    }
    let exchange = legacy.call("tasks/get", json!({"taskId": "x"}));
    assert_eq!(exchange.error()["code"], -32601);
}

// ---------------------------------------------------------------------------------------
// Resources (FIXTURE.md 4.4, 5.2, 5.3, 7.6)
// ---------------------------------------------------------------------------------------

#[test]
fn resources_list_read_and_template() {
    for era in ERAS {
        let mut fixture = Fixture::start(era);
        let list = fixture.call("resources/list", json!({}));
        let resources: Vec<Value> = list.result()["resources"]
            .as_array()
            .expect("resources")
            .iter()
            .map(|r| json!({"uri": r["uri"], "name": r["name"], "mimeType": r["mimeType"]}))
            .collect();
        assert_eq!(
            resources,
            [
                json!({"uri": "test://static-text", "name": "static-text", "mimeType": "text/plain"}),
                json!({"uri": "test://static-binary", "name": "static-binary", "mimeType": "image/png"}),
                json!({"uri": "test://watched-resource", "name": "watched-resource", "mimeType": "text/plain"}),
            ]
        );
        let templates = fixture.call("resources/templates/list", json!({}));
        let template = &templates.result()["resourceTemplates"][0];
        assert_eq!(template["uriTemplate"], "test://template/{id}/data");
        assert_eq!(template["name"], "template");
        assert_eq!(template["mimeType"], "application/json");
        if era == Era::Modern {
            for result in [list.result(), templates.result()] {
                assert_eq!(result["ttlMs"], 300_000);
                assert_eq!(result["cacheScope"], "public");
            }
        }

        let mut read = |uri: &str| {
            let exchange = fixture.call("resources/read", json!({"uri": uri}));
            let result = exchange.result().clone();
            if era == Era::Modern {
                assert_eq!(result["resultType"], "complete");
                assert_eq!(result["cacheScope"], "private");
                assert!(result["ttlMs"].is_u64());
            }
            result["contents"].clone()
        };
        assert_eq!(
            read("test://static-text"),
            json!([{"uri": "test://static-text", "mimeType": "text/plain",
                    "text": "This is the content of the static text resource."}])
        );
        assert_eq!(
            read("test://static-binary"),
            json!([{"uri": "test://static-binary", "mimeType": "image/png", "blob": PNG_BASE64}])
        );
        assert_eq!(
            read("test://watched-resource"),
            json!([{"uri": "test://watched-resource", "mimeType": "text/plain", "text": "Watched resource content"}])
        );
        assert_eq!(
            read("test://template/123/data"),
            json!([{"uri": "test://template/123/data", "mimeType": "application/json",
                    "text": "{\"id\":\"123\",\"templateTest\":true,\"data\":\"Data for ID: 123\"}"}])
        );
        // An id that arrived escaped (`\u0031\u0032`) still gives valid JSON text.
        let params = fixture
            .params(json!({"uri": "URI"}))
            .to_string()
            .replace("\"URI\"", r#""test://template/\u0031\u0032/data""#);
        let line = format!(r#"{{"jsonrpc":"2.0","id":77,"method":"resources/read","params":{params}}}"#);
        fixture.stdin.as_mut().expect("stdin").write_all(format!("{line}\n").as_bytes()).expect("write");
        let (_, response) = fixture.next_message(LINE_TIMEOUT, Some("resources/read")).expect("a response");
        let contents = &response["result"]["contents"][0];
        assert_eq!(contents["uri"], "test://template/12/data");
        let inner: Value = serde_json::from_str(contents["text"].as_str().expect("text")).expect("JSON text");
        assert_eq!(inner, json!({"id": "12", "templateTest": true, "data": "Data for ID: 12"}));

        let missing = "test://nonexistent-resource-for-conformance-testing";
        let exchange = fixture.call("resources/read", json!({"uri": missing}));
        let error = exchange.error();
        assert_eq!(error["code"], if era == Era::Modern { -32602 } else { -32002 });
        assert_eq!(error["data"], json!({"uri": missing}));
    }
}

#[test]
fn legacy_ping_and_subscriptions_answer_empty_objects() {
    let mut fixture = Fixture::start(Era::Legacy);
    assert_eq!(fixture.call("ping", json!({})).result(), &json!({}));
    let uri = json!({"uri": "test://watched-resource"});
    assert_eq!(fixture.call("resources/subscribe", uri.clone()).result(), &json!({}));
    assert_eq!(fixture.call("resources/unsubscribe", uri).result(), &json!({}));
}

// ---------------------------------------------------------------------------------------
// Prompts and completion (FIXTURE.md 4.4, 7.5, 7.7)
// ---------------------------------------------------------------------------------------

#[test]
fn prompts_list_and_get() {
    for era in ERAS {
        let mut fixture = Fixture::start(era);
        let list = fixture.call("prompts/list", json!({}));
        let prompts = list.result()["prompts"].as_array().expect("prompts").clone();
        let names: Vec<&str> = prompts.iter().map(|p| p["name"].as_str().expect("name")).collect();
        assert_eq!(
            names,
            [
                "test_simple_prompt",
                "test_prompt_with_arguments",
                "test_prompt_with_embedded_resource",
                "test_prompt_with_image",
                "test_input_required_result_prompt"
            ]
        );
        assert!(prompts.iter().all(|p| p["description"].as_str().is_some_and(|d| !d.is_empty())));
        assert_eq!(
            prompts[1]["arguments"],
            json!([{"name": "arg1", "description": "First test argument", "required": true},
                   {"name": "arg2", "description": "Second test argument", "required": true}])
        );
        assert_eq!(
            prompts[2]["arguments"],
            json!([{"name": "resourceUri", "description": "URI of the resource to embed", "required": true}])
        );

        let mut messages = |name: &str, arguments: Value| {
            let exchange = fixture.call("prompts/get", json!({"name": name, "arguments": arguments}));
            let result = exchange.result().clone();
            if era == Era::Modern {
                assert_eq!(result["resultType"], "complete");
            }
            result["messages"].clone()
        };
        assert_eq!(
            messages("test_simple_prompt", json!({})),
            json!([{"role": "user", "content": text("This is a simple prompt for testing.")}])
        );
        assert_eq!(
            messages("test_prompt_with_arguments", json!({"arg1": "testValue1", "arg2": "testValue2"})),
            json!([{"role": "user", "content": text("Prompt with arguments: arg1='testValue1', arg2='testValue2'")}])
        );
        assert_eq!(
            messages("test_prompt_with_embedded_resource", json!({"resourceUri": "test://example-resource"})),
            json!([{"role": "user", "content": {"type": "resource", "resource": {
                        "uri": "test://example-resource", "mimeType": "text/plain",
                        "text": "Embedded resource content for testing."}}},
                   {"role": "user", "content": text("Please process the embedded resource above.")}])
        );
        assert_eq!(
            messages("test_prompt_with_image", json!({})),
            json!([{"role": "user", "content": png_image()},
                   {"role": "user", "content": text("Please analyze the image above.")}])
        );
    }
}

#[test]
fn completion_suggests_values_for_the_prompt_arguments() {
    for era in ERAS {
        let mut fixture = Fixture::start(era);
        let exchange = fixture.call(
            "completion/complete",
            json!({"ref": {"type": "ref/prompt", "name": "test_prompt_with_arguments"},
                   "argument": {"name": "arg1", "value": "test"}}),
        );
        let result = exchange.result();
        fixture.check_result_type(result);
        assert_eq!(result["completion"]["values"], json!(["testValue1", "test-default"]));
        assert_eq!(result["completion"]["total"], 2);
        assert_ne!(result["completion"]["hasMore"], true);
        let other = fixture.call(
            "completion/complete",
            json!({"ref": {"type": "ref/prompt", "name": "test_simple_prompt"}, "argument": {"name": "x", "value": ""}}),
        );
        assert_eq!(other.result()["completion"]["values"], json!([]));
    }
}

// ---------------------------------------------------------------------------------------
// The command line
// ---------------------------------------------------------------------------------------

#[test]
fn listen_serves_streamable_http() {
    use std::io::{BufRead, BufReader, Read, Write};
    let mut child = Command::new(env!("CARGO_BIN_EXE_picomcp-conformance"))
        .args(["--listen", "127.0.0.1:0"])
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run picomcp-conformance");
    let mut line = String::new();
    BufReader::new(child.stderr.take().expect("stderr")).read_line(&mut line).expect("banner");
    let url = line.trim().rsplit(' ').next().expect("url").to_owned();
    let authority = url.trim_start_matches("http://").trim_end_matches("/mcp").to_owned();
    let body = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#;
    let request = format!(
        "POST /mcp HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/json\r\n\
         Accept: application/json, text/event-stream\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let mut stream = std::net::TcpStream::connect(&authority).expect("connect");
    stream.write_all(request.as_bytes()).expect("send");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    child.kill().expect("kill");
    let _ = child.wait();
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    assert!(response.contains("Mcp-Session-Id: "), "{response}");
    assert!(
        response.contains(r#""serverInfo":{"name":"picomcp-conformance-fixture","version":"0.1.0"}"#),
        "{response}"
    );
}
