//! The `NativeServer` class: the engine's methods with JavaScript-shaped arguments.
//! Refusals become JavaScript errors whose `code` names the kind: `InvalidArg` (a
//! malformed value), `GenericFailure` (the call does not fit the server's state) or
//! `Duplicate` (a name or URI is taken); the wrapper turns them into its error classes.

use std::io::Write as _;

use napi::bindgen_prelude::Buffer;
use napi::{Env, JsString};
use napi_derive::napi;
use picomcp::LogLevel;
use picomcp_engine::{Answer, Block, Decision, Engine, Fault, Kind, result};

use crate::events;
use crate::types::{
    NativeAuthConfig, NativeGrant, NativeHttpOutput, NativeLimits, NativePrompt, NativeResource, NativeTool,
};

/// The engine's refusal as a JavaScript error.
fn fault(f: Fault) -> napi::Error {
    match f {
        Fault::Invalid(m) => napi::Error::new(napi::Status::InvalidArg, m),
        Fault::State(m) => napi::Error::new(napi::Status::GenericFailure, m),
        Fault::Duplicate(m) => napi::Error::new(napi::Status::GenericFailure, format!("duplicate: {m}")),
    }
}

/// A JavaScript string of UTF-8 `bytes` (what the core and the event writer make).
fn text<'env>(env: &'env Env, bytes: &[u8]) -> napi::Result<JsString<'env>> {
    let s = std::str::from_utf8(bytes).map_err(|_| napi::Error::from_reason("the engine wrote invalid UTF-8"))?;
    env.create_string(s)
}

/// A file for this process's stdout (a duplicate of descriptor 1: same pipe, same mode).
#[cfg(unix)]
fn own_stdout() -> std::io::Result<std::fs::File> {
    use std::os::fd::AsFd as _;
    Ok(std::io::stdout().as_fd().try_clone_to_owned()?.into())
}

/// A file for this process's stdout (a duplicate of its handle).
#[cfg(windows)]
fn own_stdout() -> std::io::Result<std::fs::File> {
    use std::os::windows::io::AsHandle as _;
    Ok(std::io::stdout().as_handle().try_clone_to_owned()?.into())
}

fn io_error(e: std::io::Error) -> napi::Error {
    napi::Error::from_reason(format!("writing stdout: {e}"))
}

fn invalid(message: impl Into<String>) -> napi::Error {
    fault(Fault::Invalid(message.into()))
}

fn ticket(n: f64) -> napi::Result<u64> {
    events::from_js(n).ok_or_else(|| invalid(format!("{n} is not a ticket")))
}

fn kind(name: &str) -> napi::Result<Kind> {
    Ok(match name {
        "tool" => Kind::Tool,
        "resource" => Kind::Resource,
        "template" => Kind::Template,
        "prompt" => Kind::Prompt,
        _ => return Err(invalid(format!("unknown kind {name:?}"))),
    })
}

fn id(n: u32) -> usize {
    n as usize
}

/// The picomcp core's protocol engine, sans-IO: registration, stdio and HTTP input,
/// calls out as events, answers in by ticket. Used from the main thread only.
#[napi]
pub struct NativeServer {
    engine: Engine,
    /// The events' JSON text, kept for reuse.
    events: Vec<u8>,
    /// This process's stdout, once `writeStdout` was called.
    stdout: Option<std::fs::File>,
}

impl NativeServer {
    /// What `feed` and `step` return.
    fn stepped<'env>(&mut self, env: &'env Env) -> napi::Result<Option<JsString<'env>>> {
        let more = self.engine.has_input();
        self.events_json(env, Some(more))
    }

    /// The events as JSON text (null when there are none), after the `more` flag if given.
    fn events_json<'env>(&mut self, env: &'env Env, more: Option<bool>) -> napi::Result<Option<JsString<'env>>> {
        let events = self.engine.take_events();
        if events.is_empty() {
            return Ok(None);
        }
        self.events.clear();
        events::write_json(&events, more, &mut self.events);
        text(env, &self.events).map(Some)
    }
}

#[napi]
impl NativeServer {
    /// A server called `name` at `version`, with optional `instructions` for the model.
    #[napi(constructor)]
    pub fn new(
        name: String,
        version: String,
        instructions: Option<String>,
        limits: Option<NativeLimits>,
    ) -> napi::Result<Self> {
        let engine = Engine::new(name, version, instructions, NativeLimits::limits(limits)).map_err(fault)?;
        Ok(Self { engine, events: Vec::new(), stdout: None })
    }

    /// Register a tool; its id.
    #[napi]
    pub fn add_tool(&mut self, tool: NativeTool) -> napi::Result<u32> {
        self.engine.add_tool(tool.into()).map(|i| i as u32).map_err(fault)
    }

    /// Register a fixed resource; its id.
    #[napi]
    pub fn add_resource(&mut self, resource: NativeResource) -> napi::Result<u32> {
        self.engine.add_resource(resource.into()).map(|i| i as u32).map_err(fault)
    }

    /// Register a resource template (`uri` is the URI template); its id.
    #[napi]
    pub fn add_template(&mut self, template: NativeResource) -> napi::Result<u32> {
        self.engine.add_template(template.into()).map(|i| i as u32).map_err(fault)
    }

    /// Register a prompt; its id.
    #[napi]
    pub fn add_prompt(&mut self, prompt: NativePrompt) -> napi::Result<u32> {
        self.engine.add_prompt(prompt.into()).map(|i| i as u32).map_err(fault)
    }

    /// Offer `completion/complete`.
    #[napi]
    pub fn enable_completions(&mut self) {
        self.engine.enable_completions();
    }

    /// List or hide a registered `kind` ("tool", "resource", "template", "prompt") `id`;
    /// while serving, clients are told the list changed.
    #[napi]
    pub fn set_enabled(&mut self, kind_name: String, id_: u32, enabled: bool) -> napi::Result<()> {
        self.engine.set_enabled(kind(&kind_name)?, id(id_), enabled).map_err(fault)
    }

    /// Remove a registered `kind` `id` for good (its name may be registered again).
    #[napi]
    pub fn remove(&mut self, kind_name: String, id_: u32) -> napi::Result<()> {
        self.engine.remove(kind(&kind_name)?, id(id_)).map_err(fault)
    }

    /// Tell clients the list of `kind` changed (after an update of a descriptor).
    #[napi]
    pub fn list_changed(&mut self, kind_name: String) -> napi::Result<()> {
        self.engine.list_changed(kind(&kind_name)?).map_err(fault)
    }

    /// Feed stdio input (any split): lines are handled until one gives events, which are
    /// returned as JSON text: an array of `1` (input waits: call `step()` once the events
    /// are dealt with) or `0`, then the events as `takeEvents` gives them. Null: no events,
    /// and the input is used up.
    #[napi(ts_return_type = "string | null")]
    pub fn feed<'env>(&mut self, env: &'env Env, data: &[u8]) -> napi::Result<Option<JsString<'env>>> {
        self.engine.feed(data).map_err(fault)?;
        self.stepped(env)
    }

    /// Go on with the input `feed` left; what `feed` returns.
    #[napi(ts_return_type = "string | null")]
    pub fn step<'env>(&mut self, env: &'env Env) -> napi::Result<Option<JsString<'env>>> {
        self.engine.step();
        self.stepped(env)
    }

    /// The stdio input ended: a last line without its newline is handled now; what `feed`
    /// returns (with `0` first: nothing more waits).
    #[napi(ts_return_type = "string | null")]
    pub fn finish<'env>(&mut self, env: &'env Env) -> napi::Result<Option<JsString<'env>>> {
        self.engine.finish();
        self.events_json(env, Some(false))
    }

    /// The events since the last call as a JSON array (see the `events` module), or null.
    #[napi(ts_return_type = "string | null")]
    pub fn take_events<'env>(&mut self, env: &'env Env) -> napi::Result<Option<JsString<'env>>> {
        self.events_json(env, None)
    }

    /// The text waiting for the stdio client (whole JSON-RPC lines), or null. A string
    /// costs JavaScript less to make than a Buffer; the engine keeps its buffer.
    #[napi(ts_return_type = "string | null")]
    pub fn take_output<'env>(&mut self, env: &'env Env) -> napi::Result<Option<JsString<'env>>> {
        if !self.engine.has_output() {
            return Ok(None);
        }
        self.engine.drain_output(|bytes| text(env, bytes)).map(Some)
    }

    /// Write the output waiting for the stdio client straight to this process's stdout
    /// (file descriptor 1): no JavaScript string, no stream. Null when all of it was
    /// written; else what the pipe did not take (it is full, and non-blocking), for the
    /// caller to write through its stream.
    #[napi(ts_return_type = "Buffer | null")]
    pub fn write_stdout(&mut self) -> napi::Result<Option<Buffer>> {
        if !self.engine.has_output() {
            return Ok(None);
        }
        if self.stdout.is_none() {
            self.stdout = Some(own_stdout().map_err(io_error)?);
        }
        let Some(file) = self.stdout.as_mut() else { return Ok(None) };
        self.engine.drain_output(|mut bytes| {
            while !bytes.is_empty() {
                match file.write(bytes) {
                    Ok(0) => return Err(napi::Error::from_reason("stdout is closed")),
                    Ok(n) => bytes = &bytes[n..],
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return Ok(Some(bytes.to_vec().into())),
                    Err(e) => return Err(io_error(e)),
                }
            }
            Ok(None)
        })
    }

    /// Answer a `tools/call` with a result object as JSON text. `false`: the call is over
    /// (cancelled, or answered already).
    #[napi]
    pub fn answer_tool(&mut self, ticket_: f64, result_json: String) -> napi::Result<bool> {
        let answer = result::tool_result(&result_json).map_err(invalid)?;
        self.engine.send(Some(ticket(ticket_)?), answer).map_err(fault)
    }

    /// Answer a `tools/call` with text blocks only (the common result, without a JSON
    /// round trip): `texts` in order, and `isError`.
    #[napi]
    pub fn answer_tool_text(&mut self, ticket_: f64, texts: Vec<String>, is_error: bool) -> napi::Result<bool> {
        let blocks = texts.into_iter().map(Block::Text).collect();
        let answer = Answer::Tool { blocks, structured: None, is_error };
        self.engine.send(Some(ticket(ticket_)?), answer).map_err(fault)
    }

    /// Answer a `resources/read` with `{contents: [...]}` as JSON text.
    #[napi]
    pub fn answer_read(&mut self, ticket_: f64, result_json: String) -> napi::Result<bool> {
        let answer = result::read_result(&result_json).map_err(invalid)?;
        self.engine.send(Some(ticket(ticket_)?), answer).map_err(fault)
    }

    /// Answer a `resources/read` with "resource not found".
    #[napi]
    pub fn answer_not_found(&mut self, ticket_: f64) -> napi::Result<bool> {
        self.engine.answer_not_found(ticket(ticket_)?).map_err(fault)
    }

    /// Answer a `prompts/get` with `{messages: [...], description?}` as JSON text.
    #[napi]
    pub fn answer_prompt(&mut self, ticket_: f64, result_json: String) -> napi::Result<bool> {
        let answer = result::prompt_result(&result_json).map_err(invalid)?;
        self.engine.send(Some(ticket(ticket_)?), answer).map_err(fault)
    }

    /// Answer a `completion/complete` with suggested values.
    #[napi]
    pub fn answer_completion(
        &mut self,
        ticket_: f64,
        values: Vec<String>,
        total: Option<u32>,
        has_more: Option<bool>,
    ) -> napi::Result<bool> {
        let answer =
            Answer::Completion { values, total: total.map(u64::from), has_more: has_more.unwrap_or(false) };
        self.engine.send(Some(ticket(ticket_)?), answer).map_err(fault)
    }

    /// Answer any call with a JSON-RPC error.
    #[napi]
    pub fn answer_error(&mut self, ticket_: f64, code: i32, message: String) -> napi::Result<bool> {
        self.engine.send(Some(ticket(ticket_)?), Answer::Error { code, message }).map_err(fault)
    }

    /// Send `notifications/progress` for a call, if its client asked for progress.
    #[napi]
    pub fn progress(
        &mut self,
        ticket_: f64,
        progress: f64,
        total: Option<f64>,
        message: Option<String>,
    ) -> napi::Result<bool> {
        if !progress.is_finite() || total.is_some_and(|t| !t.is_finite()) {
            return Err(invalid("progress and total must be finite numbers"));
        }
        self.engine.send(Some(ticket(ticket_)?), Answer::Progress { progress, total, message }).map_err(fault)
    }

    /// Send `notifications/message` (about a call, or the session when `ticket` is null),
    /// if the client's log level lets it through. `data_json` is the `data` as JSON text.
    #[napi]
    pub fn log(
        &mut self,
        ticket_: Option<f64>,
        level: String,
        data_json: String,
        logger: Option<String>,
    ) -> napi::Result<bool> {
        let level = LogLevel::from_name(&level).ok_or_else(|| invalid(format!("unknown log level {level:?}")))?;
        let ticket = ticket_.map(ticket).transpose()?;
        self.engine.send(ticket, Answer::Log { level, data: data_json, logger }).map_err(fault)
    }

    /// Whether the call behind `ticket` carried a progress token.
    #[napi]
    pub fn wants_progress(&mut self, ticket_: f64) -> bool {
        events::from_js(ticket_).is_some_and(|t| self.engine.wants_progress(t))
    }

    /// Whether the call behind `ticket` still waits for its answer.
    #[napi]
    pub fn is_live(&self, ticket_: f64) -> bool {
        events::from_js(ticket_).is_some_and(|t| self.engine.is_live(t))
    }

    /// Requests in flight.
    #[napi]
    pub fn in_flight(&self) -> u32 {
        self.engine.in_flight() as u32
    }

    /// Say who the stdio peer is (null: anonymous, which sees only what needs no scopes).
    #[napi]
    pub fn set_principal(&mut self, grant: Option<NativeGrant>) {
        self.engine.set_principal(grant.map(Into::into));
    }

    /// The caller an event's `principal` number names (null: anonymous).
    #[napi]
    pub fn grant(&self, principal: u32) -> Option<NativeGrant> {
        self.engine.grant(principal).map(Into::into)
    }

    /// Require a bearer token on every HTTP request: each undecided token comes as an
    /// `["authorize", token]` event, its requests held until `authorized` decides.
    #[napi]
    pub fn set_auth(&mut self, config: NativeAuthConfig) -> napi::Result<()> {
        self.engine.set_auth(config.into()).map_err(fault)
    }

    /// The decision about `token` (null: no token): with `grant`, serve its requests as
    /// that caller; else with `insufficientScope` (the missing scopes, space-separated),
    /// 403; else 401. The held requests are handled now.
    #[napi]
    pub fn authorized(
        &mut self,
        token: Option<String>,
        grant: Option<NativeGrant>,
        insufficient_scope: Option<String>,
    ) -> napi::Result<()> {
        let decision = match (grant, insufficient_scope) {
            (Some(grant), _) => Decision::Allow(grant.into()),
            (None, Some(scope)) => Decision::InsufficientScope(scope),
            (None, None) => Decision::Unauthorized,
        };
        self.engine.authorized(token, decision).map_err(fault)
    }

    /// A new HTTP connection's id (the server then serves Streamable HTTP, not stdio).
    #[napi]
    pub fn http_open(&mut self) -> napi::Result<u32> {
        self.engine.http_open().map_err(fault)
    }

    /// Bytes read from HTTP connection `conn`: complete requests are handled.
    #[napi]
    pub fn http_receive(&mut self, conn: u32, data: &[u8]) -> napi::Result<()> {
        self.engine.http_receive(conn, data).map_err(fault)
    }

    /// Whether to read more from HTTP connection `conn`: false while it holds a whole
    /// request beyond the one being answered (pause the socket until this says true).
    #[napi]
    pub fn http_wants_input(&mut self, conn: u32) -> napi::Result<bool> {
        self.engine.http_wants_input(conn).map_err(fault)
    }

    /// What to write to `conn`, and whether to close it after.
    #[napi]
    pub fn http_take(&mut self, conn: u32) -> napi::Result<NativeHttpOutput> {
        let (data, close) = self.engine.http_take(conn).map_err(fault)?;
        Ok(NativeHttpOutput { data: data.into(), close })
    }

    /// The peer closed `conn` (or it was closed after `httpTake` said so).
    #[napi]
    pub fn http_closed(&mut self, conn: u32) -> napi::Result<()> {
        self.engine.http_closed(conn).map_err(fault)
    }

    /// Connections with output waiting (or waiting to be closed).
    #[napi]
    pub fn http_pending(&mut self) -> napi::Result<Vec<u32>> {
        self.engine.http_pending().map_err(fault)
    }
}
