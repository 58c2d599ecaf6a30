//! The fixture server of the official MCP conformance suite
//! (`@modelcontextprotocol/conformance`, see `scripts/conformance.sh`): the catalogue of
//! tools, resources and prompts its scenarios call, as one `no_std`, allocation-free
//! picomcp [`Handler`].
//!
//! The binary `picomcp-conformance` serves it on stdio or, with `--listen`, over
//! Streamable HTTP (what the suite drives). Timed behaviour (progress and log messages
//! about 50 ms apart, `slow_compute`, the task tools) is deferred work: the call keeps its
//! [`Ticket`] (or the task its [`TaskId`]) and [`Handler::poll`] finishes it, reading time
//! from a [`Clock`] the host provides.
//!
//! The tools of the tasks extension (FIXTURE.md section 10) become tasks when the request
//! declares the extension and the server has a task table ([`picomcp::WithTasks`], see
//! [`TASKS`]); see [`tasks`].
#![no_std]
#![forbid(unsafe_code)]

pub mod catalogue;
pub mod questions;
pub mod tasks;

use core::time::Duration;

use picomcp::json::{Str, Text, u32_digits};
use picomcp::{
    Answer, ArgError, Body, Cache, CacheScope, CompletionRef, CompletionRequest, Config, Content, Error, Handler,
    Implementation, LogLevel, PromptGet, ReadTarget, Registry, ResourceContents, ResourceRead, Responder, Role,
    ServerInfo, StaticRegistry, TaskAnswer, TaskConfig, TaskId, Ticket, ToolCall, jsonrpc,
};

use catalogue::{PNG, PROMPTS, RESOURCES, TEMPLATES, TOOLS, WAV};
use questions::Asked;
use tasks::{Target, Waiting};

/// The server's name (FIXTURE.md section 3).
pub const SERVER_NAME: &str = "picomcp-conformance-fixture";
/// The server's version (FIXTURE.md section 3).
pub const SERVER_VERSION: &str = "0.1.0";

/// Milliseconds between two progress reports or log messages.
pub const STEP_MS: u32 = 50;
/// How long `test_reconnection` takes before its result (time for a transport to close
/// the response stream first).
pub const RECONNECTION_MS: u32 = 200;

/// How long `failing_job` works before its tool error.
pub const FAILING_JOB_MS: u32 = 1000;
/// How long `protocol_error_job` works before it fails.
pub const PROTOCOL_ERROR_MS: u32 = 300;
/// How long the task of `test_tool_with_task` works before its greeting.
pub const GREETING_MS: u32 = 300;

/// Task slots the fixture's server keeps (FIXTURE.md 10: a full conformance run creates
/// about twenty tasks per pass).
pub const TASKS: usize = 128;
/// Bytes of task results, errors and input requests the server keeps.
pub const TASK_BYTES: usize = 128 * 1024;

/// The task table settings: tasks are kept two minutes after their last change, and
/// clients are asked to poll every 200 ms (the harness's own pace); `unix_ms` tells the
/// time in milliseconds since the Unix epoch.
pub const fn task_config(unix_ms: fn() -> u64) -> TaskConfig {
    let mut config = TaskConfig::new(unix_ms);
    config.ttl_ms = 120_000;
    config.poll_interval_ms = 200;
    config
}

/// A millisecond clock; it may wrap around (differences are taken with wrapping arithmetic).
pub trait Clock {
    /// Milliseconds since some fixed point.
    fn now_ms(&self) -> u32;
}

/// The server settings the fixture wants: list results cacheable for five minutes by
/// anyone, reads private (FIXTURE.md section 4.4), discover `ttlMs: 0` public.
pub const fn config() -> Config {
    let mut config = Config::new();
    config.list_cache = Cache { ttl_ms: 300_000, scope: CacheScope::Public };
    config.read_cache = Cache { ttl_ms: 0, scope: CacheScope::Private };
    config
}

/// What a timed call does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Work {
    /// `test_tool_with_progress`: progress 0, 50, 100 of 100, then the result.
    Progress,
    /// `test_tool_with_logging`: three info messages, then the result.
    Logging,
    /// `slow_compute`: the result after `ms`.
    Compute { ms: u32 },
    /// `test_reconnection`: the result after [`RECONNECTION_MS`].
    Reconnection,
    /// `failing_job`: a tool error after [`FAILING_JOB_MS`].
    FailingJob,
    /// `protocol_error_job`: a JSON-RPC error after [`PROTOCOL_ERROR_MS`].
    ProtocolError,
    /// `test_tool_with_task`: a greeting of the name in the label after [`GREETING_MS`].
    Greeting,
}

/// A call or task in progress.
#[derive(Debug)]
struct Job {
    target: Target,
    work: Work,
    start: u32,
    /// Steps done so far (progress reports or log messages).
    done: u32,
    /// `slow_compute`'s label, the name to greet (cut at 64 bytes).
    label: heapless::String<64>,
}

/// Progress reports and log messages of the timed tools: three steps, [`STEP_MS`] apart.
const STEPS: u32 = 3;
const PROGRESS_MESSAGES: [&str; 3] =
    ["Completed step 0 of 100", "Completed step 50 of 100", "Completed step 100 of 100"];
const LOG_MESSAGES: [&str; 3] = ["Tool execution started", "Tool processing data", "Tool execution completed"];

/// The fixture: its catalogue, and up to `JOBS` timed calls and tasks at once (give it the
/// server's in-flight capacity), and as many tasks waiting for input.
pub struct Fixture<C, const JOBS: usize> {
    clock: C,
    registry: StaticRegistry<'static>,
    jobs: heapless::Vec<Job, JOBS>,
    /// Legacy calls waiting for the client's answer to their question.
    asked: heapless::Vec<(Ticket, Asked), JOBS>,
    /// Tasks waiting for the client's input.
    waiting: heapless::Vec<Waiting, JOBS>,
}

impl<C: Clock, const JOBS: usize> Fixture<C, JOBS> {
    /// The fixture, telling time with `clock`.
    pub const fn new(clock: C) -> Self {
        let info = ServerInfo { implementation: Implementation::new(SERVER_NAME, SERVER_VERSION), instructions: None };
        let registry = StaticRegistry::new(info)
            .tools(&TOOLS)
            .resources(&RESOURCES)
            .templates(&TEMPLATES)
            .prompts(&PROMPTS)
            .completions();
        Self { clock, registry, jobs: heapless::Vec::new(), asked: heapless::Vec::new(), waiting: heapless::Vec::new() }
    }

    /// Whether timed calls are waiting.
    pub fn has_timers(&self) -> bool {
        !self.jobs.is_empty()
    }

    /// Start a timed call or task and do what is due at once.
    fn start(&mut self, target: Target, work: Work, label: &str, r: &mut Responder<'_>) -> Result<(), Error> {
        let mut job = Job { target, work, start: self.clock.now_ms(), done: 0, label: heapless::String::new() };
        for c in label.chars() {
            if job.label.push(c).is_err() {
                break;
            }
        }
        if self.jobs.push(job).is_err() {
            const BUSY: &str = "too many timed calls at once";
            return match target {
                Target::Call(ticket) => r.error(ticket, jsonrpc::code::INTERNAL_ERROR, BUSY),
                Target::Task(task) => r.task_failed(task, jsonrpc::code::INTERNAL_ERROR, BUSY),
            };
        }
        self.advance(r).map(drop)
    }

    /// Send what is due and finish the calls whose time has come; the time until the next.
    fn advance(&mut self, r: &mut Responder<'_>) -> Result<Option<Duration>, Error> {
        let now = self.clock.now_ms();
        let mut next_due: Option<u32> = None;
        let mut i = 0;
        while let Some(job) = self.jobs.get_mut(i) {
            let elapsed = now.wrapping_sub(job.start);
            let due = match step(job, elapsed, r) {
                Ok(due) => due,
                // Cancelled or answered elsewhere (or a task result too big, which failed
                // the task): forget it.
                Err(Error::StaleTicket | Error::NoRoom) => None,
                Err(e) => return Err(e),
            };
            match due {
                Some(at) => {
                    let wait = at.saturating_sub(elapsed);
                    next_due = Some(next_due.map_or(wait, |d| d.min(wait)));
                    i += 1;
                }
                None => {
                    self.jobs.swap_remove(i);
                }
            }
        }
        Ok(next_due.map(|ms| Duration::from_millis(u64::from(ms))))
    }
}

/// Answer a job's call, or end its task, with the tool result `f` writes.
fn finish(
    target: Target,
    r: &mut Responder<'_>,
    f: impl FnOnce(&mut picomcp::ToolResult<'_>) -> Result<(), Error>,
) -> Result<(), Error> {
    match target {
        Target::Call(ticket) => r.tool_result(ticket, f),
        Target::Task(task) => r.task_result(task, f),
    }
}

/// Do what is due for one job `elapsed` ms after its start; when its next step is due
/// (ms after the start), or `None` when it is finished.
fn step(job: &mut Job, elapsed: u32, r: &mut Responder<'_>) -> Result<Option<u32>, Error> {
    let target = job.target;
    // Progress and log messages belong to calls; a task has no ticket for them.
    let ticket = match target {
        Target::Call(ticket) => Some(ticket),
        Target::Task(_) => None,
    };
    match job.work {
        Work::Progress | Work::Logging => {
            let Some(ticket) = ticket else { return Ok(None) };
            while job.done < STEPS && job.done * STEP_MS <= elapsed {
                let index = job.done as usize;
                if job.work == Work::Progress {
                    let message = PROGRESS_MESSAGES.get(index).copied();
                    r.progress(ticket, f64::from(job.done * 50), Some(100.0), message)?;
                } else {
                    let text = LOG_MESSAGES.get(index).copied().unwrap_or_default();
                    r.log(Some(ticket), LogLevel::Info, Some("conformance-fixture"), |v| v.string(text))?;
                }
                job.done += 1;
            }
            if job.done < STEPS {
                return Ok(Some(job.done * STEP_MS));
            }
            if job.work == Work::Progress {
                // The result text is the progress token (FIXTURE.md 4.1).
                let mut buf = [0u8; 96];
                let token = r.progress_token(ticket, &mut buf)?.unwrap_or("no progress token");
                r.tool_result(ticket, |res| res.text(token))?;
            } else {
                r.tool_result(ticket, |res| res.text("Tool with logging executed successfully"))?;
            }
            Ok(None)
        }
        Work::Compute { ms } => {
            if elapsed < ms {
                return Ok(Some(ms));
            }
            let mut digits = [0u8; 10];
            let seconds = core::str::from_utf8(u32_digits(ms / 1000, &mut digits)).unwrap_or("0");
            let text = [
                Text::Plain("Computed "),
                Text::Plain(if job.label.is_empty() { "(no label)" } else { job.label.as_str() }),
                Text::Plain(" in "),
                Text::Plain(seconds),
                Text::Plain(" s"),
            ];
            finish(target, r, |res| res.text(Text::Concat(&text)))?;
            Ok(None)
        }
        Work::Reconnection => {
            if elapsed < RECONNECTION_MS {
                return Ok(Some(RECONNECTION_MS));
            }
            finish(target, r, |res| res.text("Reconnection test completed successfully"))?;
            Ok(None)
        }
        Work::FailingJob => {
            if elapsed < FAILING_JOB_MS {
                return Ok(Some(FAILING_JOB_MS));
            }
            // A tool error: the task completes, with isError (it does not fail).
            finish(target, r, |res| {
                res.set_error(true);
                res.text("failing_job failed, as it always does")
            })?;
            Ok(None)
        }
        Work::ProtocolError => {
            if elapsed < PROTOCOL_ERROR_MS {
                return Ok(Some(PROTOCOL_ERROR_MS));
            }
            const CRASH: &str = "Internal error: protocol_error_job crashed";
            match target {
                Target::Call(ticket) => r.error(ticket, jsonrpc::code::INTERNAL_ERROR, CRASH)?,
                Target::Task(task) => r.task_failed(task, jsonrpc::code::INTERNAL_ERROR, CRASH)?,
            }
            Ok(None)
        }
        Work::Greeting => {
            if elapsed < GREETING_MS {
                return Ok(Some(GREETING_MS));
            }
            let text = [Text::Plain("Hello, "), Text::Plain(job.label.as_str()), Text::Plain("! (greeted by a task)")];
            finish(target, r, |res| res.text(Text::Concat(&text)))?;
            Ok(None)
        }
    }
}

/// A string argument unescaped into `buf`, or `""` when it is missing or too long.
fn unescaped<'a: 'b, 'b>(value: Result<Str<'a>, ArgError>, buf: &'b mut [u8]) -> &'b str {
    value.ok().and_then(|s| s.to_str(buf)).unwrap_or("")
}

impl<C: Clock, const JOBS: usize> Handler for Fixture<C, JOBS> {
    fn registry(&self) -> &dyn Registry {
        &self.registry
    }

    fn call_tool(&mut self, call: ToolCall<'_>, r: &mut Responder<'_>) -> Result<(), Error> {
        let ticket = call.ticket;
        let args = &call.arguments;
        let name = TOOLS.get(call.tool).map_or("", |t| t.name);
        match name {
            "test_simple_text" => r.tool_result(ticket, |res| res.text("This is a simple text response for testing.")),
            "test_image_content" => {
                r.tool_result(ticket, |res| res.content(Content::Image { data: PNG, mime_type: "image/png" }))
            }
            "test_audio_content" => {
                r.tool_result(ticket, |res| res.content(Content::Audio { data: WAV, mime_type: "audio/wav" }))
            }
            "test_embedded_resource" => r.tool_result(ticket, |res| {
                let embedded = ResourceContents::text(
                    "test://embedded-resource",
                    "text/plain",
                    "This is an embedded resource content.",
                );
                res.content(Content::Resource(embedded))
            }),
            "test_multiple_content_types" => r.tool_result(ticket, |res| {
                res.text("Multiple content types test:")?;
                res.content(Content::Image { data: PNG, mime_type: "image/png" })?;
                let json = r#"{"test":"data","value":123}"#;
                res.content(Content::Resource(ResourceContents::text(
                    "test://mixed-content-resource",
                    "application/json",
                    json,
                )))
            }),
            "test_tool_with_progress" => self.start(Target::Call(ticket), Work::Progress, "", r),
            "test_error_handling" => r.tool_error(ticket, "This tool intentionally returns an error for testing"),
            "json_schema_2020_12_tool" => {
                let raw = core::str::from_utf8(args.raw()).unwrap_or("{}");
                let text = [Text::Plain("JSON Schema 2020-12 tool called with: "), Text::Plain(raw)];
                r.tool_result(ticket, |res| res.text(Text::Concat(&text)))
            }
            "test_tool_with_logging" => self.start(Target::Call(ticket), Work::Logging, "", r),
            "test_reconnection" => self.start(Target::Call(ticket), Work::Reconnection, "", r),
            // The core refuses calls without `sampling` (-32021): the tool requires it.
            "test_missing_capability" => r.tool_result(ticket, |res| res.text("Success")),
            "test_streaming_elicitation" => r.tool_result(ticket, |res| res.text("Streaming complete")),
            "test_logging_tool" => {
                r.log(Some(ticket), LogLevel::Info, Some("conformance-fixture"), |v| v.string("Logging tool called"))?;
                r.tool_result(ticket, |res| res.text("Logging tool executed"))
            }
            "test_trigger_tool_change" => {
                r.tools_changed()?;
                r.tool_result(ticket, |res| res.text("Mutation triggered"))
            }
            "test_trigger_prompt_change" => {
                r.prompts_changed()?;
                r.tool_result(ticket, |res| res.text("Mutation triggered"))
            }
            "test_header_param" => {
                let region = args.str("region").map_or(Text::Plain(""), Text::Json);
                let text = [Text::Plain("region="), region];
                r.tool_result(ticket, |res| res.text(Text::Concat(&text)))
            }
            "greet" => {
                let who = args.str("name").map_or(Text::Plain(""), Text::Json);
                let text = [Text::Plain("Hello, "), who, Text::Plain("!")];
                r.tool_result(ticket, |res| res.text(Text::Concat(&text)))
            }
            "slow_compute" => {
                // A task with the extension (FIXTURE.md 10), an ordinary call without it.
                let seconds = u32::try_from(args.i64("seconds").unwrap_or(0)).unwrap_or(0).min(3600);
                let mut buf = [0u8; 64];
                let label = unescaped(args.str("label"), &mut buf);
                let target = tasks::target(ticket, r)?;
                self.start(target, Work::Compute { ms: seconds * 1000 }, label, r)
            }
            "failing_job" => {
                let target = tasks::target(ticket, r)?;
                self.start(target, Work::FailingJob, "", r)
            }
            "protocol_error_job" => {
                let target = tasks::target(ticket, r)?;
                self.start(target, Work::ProtocolError, "", r)
            }
            "confirm_delete" | "multi_input" => {
                if let Some(waiting) = tasks::ask(name, &call, r)? {
                    let task = waiting.task;
                    if self.waiting.push(waiting).is_err() {
                        return r.task_failed(task, jsonrpc::code::INTERNAL_ERROR, "too many waiting tasks at once");
                    }
                }
                Ok(())
            }
            "test_tool_with_task" => match tasks::with_task(&call, r)? {
                Some((task, who)) => self.start(Target::Task(task), Work::Greeting, who.as_str(), r),
                None => Ok(()),
            },
            "test_sampling"
            | "test_elicitation"
            | "test_elicitation_sep1034_defaults"
            | "test_elicitation_sep1330_enums" => {
                if let Some(asked) = questions::ask(name, &call, r)? {
                    if self.asked.push((ticket, asked)).is_err() {
                        return r.error(ticket, jsonrpc::code::INTERNAL_ERROR, "too many questions at once");
                    }
                }
                Ok(())
            }
            _ if name.starts_with("test_input_required_result_") => questions::input_required_tool(name, &call, r),
            _ => r.error(ticket, jsonrpc::code::INTERNAL_ERROR, "tool not implemented"),
        }
    }

    fn read_resource(&mut self, read: ResourceRead<'_>, r: &mut Responder<'_>) -> Result<(), Error> {
        let uri = read.uri;
        match &read.target {
            ReadTarget::Resource(index) => match RESOURCES.get(*index).map(|res| res.uri) {
                Some("test://static-text") => r.resource(read.ticket, |c| {
                    c.push(ResourceContents::text(
                        uri,
                        "text/plain",
                        "This is the content of the static text resource.",
                    ))
                }),
                Some("test://static-binary") => r.resource(read.ticket, |c| {
                    c.push(ResourceContents {
                        uri: Text::Json(uri),
                        mime_type: Some("image/png"),
                        body: Body::Blob(PNG),
                    })
                }),
                Some("test://watched-resource") => r.resource(read.ticket, |c| {
                    c.push(ResourceContents::text(uri, "text/plain", "Watched resource content"))
                }),
                _ => r.resource_not_found(read.ticket, uri),
            },
            ReadTarget::Template { variables, .. } => {
                // The id goes into a JSON text inside a JSON string: its escaped form (as it
                // arrived) is exactly what the inner JSON needs, escaped once more on output.
                let id = variables.first().map_or("", |v| core::str::from_utf8(v.raw()).unwrap_or(""));
                let text = [
                    Text::Plain(r#"{"id":""#),
                    Text::Plain(id),
                    Text::Plain(r#"","templateTest":true,"data":"Data for ID: "#),
                    Text::Plain(id),
                    Text::Plain(r#""}"#),
                ];
                r.resource(read.ticket, |c| {
                    c.push(ResourceContents::text(uri, "application/json", Text::Concat(&text)))
                })
            }
        }
    }

    fn get_prompt(&mut self, get: PromptGet<'_>, r: &mut Responder<'_>) -> Result<(), Error> {
        let args = &get.arguments;
        match PROMPTS.get(get.prompt).map_or("", |p| p.name) {
            "test_simple_prompt" => r.prompt(get.ticket, None, |m| {
                m.push(Role::User, Content::text("This is a simple prompt for testing."))
            }),
            "test_prompt_with_arguments" => {
                let arg1 = args.str("arg1").map_or(Text::Plain(""), Text::Json);
                let arg2 = args.str("arg2").map_or(Text::Plain(""), Text::Json);
                let text = [
                    Text::Plain("Prompt with arguments: arg1='"),
                    arg1,
                    Text::Plain("', arg2='"),
                    arg2,
                    Text::Plain("'"),
                ];
                r.prompt(get.ticket, None, |m| m.push(Role::User, Content::text(Text::Concat(&text))))
            }
            "test_prompt_with_embedded_resource" => {
                let uri = args.str("resourceUri").map_or(Text::Plain(""), Text::Json);
                let embedded = ResourceContents::text(uri, "text/plain", "Embedded resource content for testing.");
                r.prompt(get.ticket, None, |m| {
                    m.push(Role::User, Content::Resource(embedded))?;
                    m.push(Role::User, Content::text("Please process the embedded resource above."))
                })
            }
            "test_prompt_with_image" => r.prompt(get.ticket, None, |m| {
                m.push(Role::User, Content::Image { data: PNG, mime_type: "image/png" })?;
                m.push(Role::User, Content::text("Please analyze the image above."))
            }),
            _ => questions::input_required_prompt(&get, r),
        }
    }

    fn complete(&mut self, req: CompletionRequest<'_>, r: &mut Responder<'_>) -> Result<(), Error> {
        let candidates: &[&str] = match req.reference {
            CompletionRef::Prompt(p) if p.eq_str("test_prompt_with_arguments") => {
                if req.argument.eq_str("arg1") {
                    &["testValue1", "test-default", "other"]
                } else if req.argument.eq_str("arg2") {
                    &["testValue2", "test-default", "other"]
                } else {
                    &[]
                }
            }
            CompletionRef::Resource(u) if u.eq_str("test://template/{id}/data") && req.argument.eq_str("id") => {
                &["1", "2", "123"]
            }
            _ => &[],
        };
        let typed = req.value;
        let matching = || candidates.iter().filter(move |v| typed.is_prefix_of(v));
        let total = matching().count() as u64;
        r.completion(req.ticket, |c| {
            c.set_total(total);
            matching().try_for_each(|v| c.push(*v))
        })
    }

    fn answered(&mut self, ticket: Ticket, answer: Answer<'_>, r: &mut Responder<'_>) -> Result<(), Error> {
        let Some(index) = self.asked.iter().position(|(t, _)| *t == ticket) else {
            return r.error(ticket, jsonrpc::code::INTERNAL_ERROR, "no question was asked");
        };
        let (_, asked) = self.asked.swap_remove(index);
        questions::answered(asked, ticket, answer, r)
    }

    fn cancelled(&mut self, ticket: Ticket) {
        self.jobs.retain(|j| j.target != Target::Call(ticket));
        self.asked.retain(|(t, _)| *t != ticket);
    }

    fn task_input(&mut self, task: TaskId, answer: TaskAnswer<'_>, r: &mut Responder<'_>) -> Result<(), Error> {
        let Some(index) = self.waiting.iter().position(|w| w.task == task) else {
            return r.task_failed(task, jsonrpc::code::INTERNAL_ERROR, "no input was asked for");
        };
        let outcome = match self.waiting.get_mut(index) {
            Some(waiting) => tasks::answered(waiting, answer, r),
            None => Ok(true),
        };
        // Over (or failed): no longer waiting.
        if outcome != Ok(false) {
            self.waiting.swap_remove(index);
        }
        outcome.map(drop)
    }

    fn task_cancelled(&mut self, task: TaskId) {
        self.jobs.retain(|j| j.target != Target::Task(task));
        self.waiting.retain(|w| w.task != task);
    }

    fn poll(&mut self, r: &mut Responder<'_>) -> Result<Option<Duration>, Error> {
        self.advance(r)
    }
}
