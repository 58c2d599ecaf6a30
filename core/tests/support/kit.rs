//! Shared by `questions.rs` and `http_endpoint.rs`: a handler whose tools ask the client
//! questions (legacy requests and 2026-07-28 `input_required` results), trigger change
//! notifications and defer their answers; a [`Sink`] that records the [`Route`] of every
//! message; frame builders; and the schema check of every line written.

#![allow(dead_code, unreachable_pub)] // each test binary uses its own part of the kit

use picomcp::json::{self, ValueWriter};
use picomcp::*;
use serde_json::{Value, json};

/// The modern revision.
pub const MODERN: &str = "2026-07-28";
/// The newest legacy revision.
pub const LEGACY: &str = "2025-11-25";

const NO_ARGS: &str = r#"{"type":"object","properties":{}}"#;
const ECHO_SCHEMA: &str = r#"{"type":"object","properties":{"text":{"type":"string"}},"required":["text"]}"#;
const ASK_SCHEMA: &str = r#"{"type":"object","properties":{"method":{"type":"string"}},"required":["method"]}"#;
const STATE_SCHEMA: &str = r#"{"type":"object","properties":{"state":{"type":"string"}}}"#;

/// `sampling/createMessage` params valid in 2025-11-25 and 2026-07-28.
pub const SAMPLING_PARAMS: &str =
    r#"{"messages":[{"role":"user","content":{"type":"text","text":"Test prompt for sampling"}}],"maxTokens":100}"#;
/// `elicitation/create` params (a form) valid in 2025-11-25 and 2026-07-28.
pub const ELICIT_PARAMS: &str = r#"{"message":"What is your name?","requestedSchema":{"type":"object","properties":{"name":{"type":"string"}},"required":["name"]}}"#;
/// `roots/list` params.
pub const ROOTS_PARAMS: &str = "{}";

/// The tools, by name (see [`Kit::call_tool`]).
pub static TOOLS: [Tool<'static>; 10] = [
    Tool::new("echo", "Echoes its text", ECHO_SCHEMA),
    Tool::new("trigger_tools", "Says the tool list changed", NO_ARGS),
    Tool::new("trigger_prompts", "Says the prompt list changed", NO_ARGS),
    Tool::new("ask", "Asks the client a question (legacy)", ASK_SCHEMA),
    Tool::new("mrtr", "input_required with a signed state, then checks the state", STATE_SCHEMA),
    Tool::new("mrtr_caps", "input_required asking for elicitation, sampling and roots", NO_ARGS),
    Tool::new("mrtr_broken", "input_required whose params writer fails", NO_ARGS),
    Tool::new("needs_sampling", "Needs the sampling capability", NO_ARGS)
        .requires(ClientCapabilities::new(ClientCapabilities::SAMPLING)),
    Tool::new("defer", "Answered from poll, after a progress report", NO_ARGS),
    Tool::new("log_then_answer", "Logs once, then answers", NO_ARGS),
];

static PROMPTS: [Prompt<'static>; 1] = [Prompt::new("greet", "A greeting", &[])];

/// The kit's identity and catalog.
pub static REGISTRY: StaticRegistry<'static> =
    StaticRegistry::new(ServerInfo { implementation: Implementation::new("picomcp-kit", "0.0.1"), instructions: None })
        .tools(&TOOLS)
        .prompts(&PROMPTS);

/// What a legacy client answered, as the handler heard it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Heard {
    /// The call that asked.
    pub ticket: Ticket,
    /// Whether it was an error response.
    pub is_error: bool,
    /// The `result` or `error` JSON text.
    pub raw: String,
}

/// The test handler; every field records what happened.
#[derive(Default)]
pub struct Kit {
    /// Tickets of calls waiting for a client's answer.
    pub asking: Vec<Ticket>,
    /// What each `Responder::ask` returned.
    pub ask_outcomes: Vec<Result<(), Error>>,
    /// The answers `Handler::answered` received.
    pub answers: Vec<Heard>,
    /// `answered` keeps the ticket (for `poll`) instead of answering at once.
    pub answer_later: bool,
    /// Tickets `poll` answers (with a progress report first).
    pub deferred: Vec<Ticket>,
    /// Tickets the server reported cancelled.
    pub cancelled: Vec<Ticket>,
    /// What each `Responder::request_state` returned (payload decoded).
    pub states: Vec<Result<Option<String>, Error>>,
    /// The `inputResponses` JSON text of each retried `mrtr` call (`None`: absent).
    pub responses: Vec<Option<String>>,
    /// What each `Responder::input_required` returned.
    pub input_outcomes: Vec<Result<(), Error>>,
    /// What each `InputRequests::request` of the last `mrtr_caps` call returned.
    pub request_outcomes: Vec<Result<(), Error>>,
    /// Tickets of every tool call, in order.
    pub calls: Vec<Ticket>,
    /// How often `poll` ran.
    pub polls: usize,
}

fn params_of(method: InputMethod) -> &'static str {
    match method {
        InputMethod::Sampling => SAMPLING_PARAMS,
        InputMethod::Elicitation => ELICIT_PARAMS,
        InputMethod::Roots => ROOTS_PARAMS,
    }
}

fn write_params(method: InputMethod) -> impl Fn(ValueWriter<'_>) -> Result<json::Written, Error> {
    move |v| v.raw(params_of(method))
}

impl Handler for Kit {
    fn registry(&self) -> &dyn Registry {
        &REGISTRY
    }

    fn call_tool(&mut self, call: ToolCall<'_>, r: &mut Responder<'_>) -> Result<(), Error> {
        let t = call.ticket;
        self.calls.push(t);
        match TOOLS[call.tool].name {
            "echo" => {
                let text = call.arguments.str("text").map_err(|_| Error::InvalidJson)?;
                r.tool_result(t, |res| res.text(text))
            }
            "trigger_tools" => {
                let sent = r.tools_changed()?;
                r.tool_result(t, |res| res.text(if sent { "Mutation triggered" } else { "nobody listens" }))
            }
            "trigger_prompts" => {
                let sent = r.prompts_changed()?;
                r.tool_result(t, |res| res.text(if sent { "Mutation triggered" } else { "nobody listens" }))
            }
            "ask" => {
                let which: String = call.arguments.str("method").map(|s| s.chars().collect()).unwrap_or_default();
                let outcome = match which.as_str() {
                    "sampling" => r.ask(t, InputMethod::Sampling, write_params(InputMethod::Sampling)),
                    "elicitation" => r.ask(t, InputMethod::Elicitation, write_params(InputMethod::Elicitation)),
                    "roots" => r.ask(t, InputMethod::Roots, write_params(InputMethod::Roots)),
                    // A params writer that fails: the host's mistake, not the client's.
                    _ => r.ask(t, InputMethod::Sampling, |v| v.raw("not json")),
                };
                self.ask_outcomes.push(outcome);
                match outcome {
                    Ok(()) => {
                        self.asking.push(t);
                        Ok(())
                    }
                    Err(Error::Io) => Err(Error::Io),
                    Err(e) => r.tool_error(t, e.describe()),
                }
            }
            "mrtr" => {
                let input = call.info.input;
                if input.has_state() || input.has_responses() {
                    let state = r.request_state(&input);
                    self.states.push(state.map(|s| s.map(|s| s.chars().collect())));
                    self.responses.push(input.responses().map(|o| String::from_utf8_lossy(o.raw()).into_owned()));
                    return match state {
                        Ok(payload) => {
                            let payload: String = payload.map(|s| s.chars().collect()).unwrap_or_default();
                            let name = input
                                .response("user_name")
                                .and_then(|v| v.as_object())
                                .and_then(|o| o.get("content"))
                                .and_then(|c| c.as_object())
                                .and_then(|c| c.get("name"))
                                .and_then(|n| n.as_str())
                                .map(|n| n.chars().collect::<String>())
                                .unwrap_or_default();
                            let text = format!("state-ok {payload}; Hello, {name}!");
                            r.tool_result(t, |res| res.text(text.as_str()))
                        }
                        Err(_) => r.error(t, -32602, "Invalid params: requestState was altered"),
                    };
                }
                let state: String = call.arguments.str("state").map(|s| s.chars().collect()).unwrap_or("step-1".into());
                let outcome = r.input_required(t, Some(&state), |reqs| {
                    reqs.request("user_name", InputMethod::Elicitation, write_params(InputMethod::Elicitation))
                });
                self.input_outcomes.push(outcome);
                match outcome {
                    Err(Error::WrongRevision) => r.tool_error(t, "input_required is 2026-07-28 only"),
                    Err(Error::Io) => Err(Error::Io),
                    _ => Ok(()),
                }
            }
            "mrtr_caps" => {
                let mut outcomes = Vec::new();
                let outcome = r.input_required(t, None, |reqs| {
                    for (key, method) in
                        [("e", InputMethod::Elicitation), ("s", InputMethod::Sampling), ("r", InputMethod::Roots)]
                    {
                        outcomes.push(reqs.request(key, method, write_params(method)));
                    }
                    assert_eq!(reqs.len(), outcomes.iter().filter(|o| o.is_ok()).count());
                    Ok(())
                });
                self.request_outcomes = outcomes;
                self.input_outcomes.push(outcome);
                outcome
            }
            "mrtr_broken" => {
                let outcome = r.input_required(t, None, |reqs| {
                    reqs.request("bad", InputMethod::Elicitation, |v| v.raw("not json"))
                });
                self.input_outcomes.push(outcome);
                Ok(())
            }
            "needs_sampling" => r.tool_result(t, |res| res.text("Success")),
            "defer" => {
                self.deferred.push(t);
                Ok(())
            }
            "log_then_answer" => {
                r.log_text(Some(t), LogLevel::Info, "working")?;
                r.tool_result(t, |res| res.text("done"))
            }
            other => unreachable!("no tool {other}"),
        }
    }

    fn answered(&mut self, ticket: Ticket, answer: Answer<'_>, r: &mut Responder<'_>) -> Result<(), Error> {
        let (is_error, raw) = match answer {
            Answer::Result(v) => (false, v.raw()),
            Answer::Error(v) => (true, v.raw()),
        };
        let raw = String::from_utf8_lossy(raw).into_owned();
        self.answers.push(Heard { ticket, is_error, raw: raw.clone() });
        self.asking.retain(|t| *t != ticket);
        if self.answer_later {
            self.deferred.push(ticket);
            return Ok(());
        }
        let text = format!("{} {raw}", if is_error { "client error:" } else { "LLM response:" });
        r.tool_result(ticket, |res| res.text(text.as_str()))
    }

    fn cancelled(&mut self, ticket: Ticket) {
        self.cancelled.push(ticket);
        self.deferred.retain(|t| *t != ticket);
        self.asking.retain(|t| *t != ticket);
    }

    fn poll(&mut self, r: &mut Responder<'_>) -> Result<Option<core::time::Duration>, Error> {
        self.polls += 1;
        for t in std::mem::take(&mut self.deferred) {
            r.progress(t, 1.0, Some(2.0), Some("half way"))?;
            r.tool_result(t, |res| res.text("done"))?;
        }
        Ok(None)
    }
}

// ---------------------------------------------------------------------------------------
// The recording sink
// ---------------------------------------------------------------------------------------

/// One message written, with the route the server gave before it.
#[derive(Clone, Debug)]
pub struct Msg {
    /// The route in force when the message began.
    pub route: Route,
    /// The message text.
    pub text: String,
    /// The same, parsed.
    pub value: Value,
}

/// Records every route given and every message written, checking message framing.
#[derive(Default)]
pub struct Rec {
    /// Every route given, in order (`Ended` included).
    pub routes: Vec<Route>,
    /// The messages.
    pub msgs: Vec<Msg>,
    route: Option<Route>,
    open: bool,
    buf: Vec<u8>,
}

impl Sink for Rec {
    fn write(&mut self, bytes: &[u8]) -> Result<(), Error> {
        assert!(self.open, "a write outside a message: {:?}", String::from_utf8_lossy(bytes));
        self.buf.extend_from_slice(bytes);
        Ok(())
    }

    fn begin_message(&mut self) -> Result<(), Error> {
        assert!(!self.open, "a message begun inside another: {:?}", String::from_utf8_lossy(&self.buf));
        self.open = true;
        self.buf.clear();
        Ok(())
    }

    fn end_message(&mut self) -> Result<(), Error> {
        assert!(self.open, "a message ended that was not begun");
        self.open = false;
        let text = String::from_utf8(std::mem::take(&mut self.buf)).expect("UTF-8 output");
        let value: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
        let route = self.route.unwrap_or_else(|| panic!("a message without a route: {text}"));
        self.msgs.push(Msg { route, text, value });
        Ok(())
    }

    fn route(&mut self, route: Route) {
        assert!(!self.open, "a route given inside a message: {route:?}");
        self.routes.push(route);
        self.route = Some(route);
    }
}

impl Rec {
    /// Fails if a message was begun and never ended.
    #[track_caller]
    pub fn assert_closed(&self) {
        assert!(!self.open, "a message was left unfinished: {:?}", String::from_utf8_lossy(&self.buf));
    }
}

// ---------------------------------------------------------------------------------------
// Frames
// ---------------------------------------------------------------------------------------

/// The `_meta` of a modern request with `caps` as client capabilities.
pub fn meta(caps: Value) -> Value {
    json!({
        "io.modelcontextprotocol/protocolVersion": MODERN,
        "io.modelcontextprotocol/clientCapabilities": caps,
        "io.modelcontextprotocol/clientInfo": {"name": "kit-tests", "version": "1.0.0"}
    })
}

/// A request frame (`id` raw JSON).
pub fn request(id: &str, method: &str, params: Value) -> String {
    let mut v = json!({"jsonrpc": "2.0", "method": method, "params": params});
    v["id"] = serde_json::from_str(id).expect("id is JSON");
    v.to_string()
}

/// A modern request: `params` plus `_meta` declaring `caps` (members of `params._meta` win).
pub fn modern(id: &str, method: &str, mut params: Value, caps: Value) -> String {
    let mut m = meta(caps);
    if let Some(Value::Object(extra)) = params.get("_meta") {
        for (k, v) in extra {
            m[k] = v.clone();
        }
    }
    params["_meta"] = m;
    request(id, method, params)
}

/// A modern `tools/call` of `name` with no arguments.
pub fn modern_call(id: &str, name: &str, caps: Value) -> String {
    modern(id, "tools/call", json!({"name": name, "arguments": {}}), caps)
}

/// A legacy `tools/call`.
pub fn legacy_call(id: &str, name: &str, arguments: Value) -> String {
    request(id, "tools/call", json!({"name": name, "arguments": arguments}))
}

/// A legacy `initialize` declaring `caps`.
pub fn initialize(id: &str, caps: Value) -> String {
    request(
        id,
        "initialize",
        json!({"protocolVersion": LEGACY, "capabilities": caps, "clientInfo": {"name": "kit-tests", "version": "1.0.0"}}),
    )
}

/// Every client capability picomcp acts on.
pub fn all_caps() -> Value {
    json!({"sampling": {}, "elicitation": {}, "roots": {"listChanged": true}})
}

// ---------------------------------------------------------------------------------------
// Schema checks
// ---------------------------------------------------------------------------------------

/// Check one server message against `rev`; results and errors are taken as answering
/// `answers` (the method of the request), requests and notifications stand alone.
#[track_caller]
pub fn check(rev: &str, text: &str, answers: &str) {
    let value: Value = serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
    let answers = if value.get("method").is_some() { None } else { Some(answers) };
    picomcp_schema_check::assert_valid(rev, text.as_bytes(), answers);
}

/// [`check`] every message.
#[track_caller]
pub fn check_all(rev: &str, msgs: &[Msg], answers: &str) {
    for m in msgs {
        check(rev, &m.text, answers);
    }
}
