//! The demo contract (`docs/demo-contract.md`) as one `no_std`, allocation-free picomcp
//! [`Handler`], shared by the Rust demo (`picomcp-demo`, on stdio) and the Cortex-M
//! firmware (on a UART). Only the clock differs: `slow` reads milliseconds from a
//! [`Clock`] the host provides (`Instant` on a host, SysTick on a microcontroller).
#![no_std]
#![forbid(unsafe_code)]

use core::time::Duration;

use picomcp::json::{Str, Text, u32_digits};
use picomcp::{
    CompletionRef, CompletionRequest, Content, Error, Handler, Implementation, Prompt, PromptArgument, PromptGet,
    ReadTarget, Registry, Resource, ResourceContents, ResourceRead, ResourceTemplate, Responder, Role, ServerInfo,
    StaticRegistry, Ticket, Tool, ToolAnnotations, ToolCall, jsonrpc,
};

/// A millisecond clock; it may wrap around (differences are taken with wrapping arithmetic).
pub trait Clock {
    /// Milliseconds since some fixed point.
    fn now_ms(&self) -> u32;
}

const READ_ONLY_IDEMPOTENT: ToolAnnotations<'static> = ToolAnnotations {
    title: None,
    read_only: Some(true),
    destructive: None,
    idempotent: Some(true),
    open_world: Some(false),
};
const READ_ONLY: ToolAnnotations<'static> = ToolAnnotations {
    title: None,
    read_only: Some(true),
    destructive: None,
    idempotent: None,
    open_world: Some(false),
};

/// The tools, in listing order.
pub static TOOLS: [Tool<'static>; 4] = [
    Tool::new(
        "echo",
        "Returns its text unchanged, as one text block.",
        r#"{"type":"object","properties":{"text":{"type":"string","description":"The text to echo"}},"required":["text"]}"#,
    )
    .title("Echo")
    .annotations(READ_ONLY_IDEMPOTENT),
    Tool::new(
        "add",
        "Adds two numbers; the sum comes as structured content {\"sum\": a + b}.",
        r#"{"type":"object","properties":{"a":{"type":"number","description":"First addend"},"b":{"type":"number","description":"Second addend"}},"required":["a","b"]}"#,
    )
    .title("Add two numbers")
    .output_schema(r#"{"type":"object","properties":{"sum":{"type":"number"}},"required":["sum"]}"#)
    .annotations(READ_ONLY_IDEMPOTENT),
    Tool::new(
        "fail",
        "Always returns a tool error (isError), to show what one looks like.",
        r#"{"type":"object","properties":{},"required":[]}"#,
    )
    .title("Always fails")
    .annotations(READ_ONLY),
    Tool::new(
        "slow",
        "Waits the given number of milliseconds without blocking the server, reporting progress every 50 ms.",
        r#"{"type":"object","properties":{"ms":{"type":"integer","minimum":0,"maximum":600000,"description":"How long to wait, in milliseconds"}},"required":["ms"]}"#,
    )
    .title("Wait a while")
    .annotations(READ_ONLY),
];

const ECHO: usize = 0;
const ADD: usize = 1;
const FAIL: usize = 2;
const SLOW: usize = 3;

static RESOURCES: [Resource<'static>; 1] =
    [Resource::new("demo://readme", "readme", "text/plain").description("What this demo server is")];
static TEMPLATES: [ResourceTemplate<'static>; 1] =
    [ResourceTemplate::new("demo://items/{id}", "item", "text/plain").description("An item, by id")];
static GREET_ARGS: [PromptArgument<'static>; 1] = [PromptArgument::required("name", "Who to greet")];
static PROMPTS: [Prompt<'static>; 1] = [Prompt::new("greet", "A greeting for someone", &GREET_ARGS).title("Greet")];

const INSTRUCTIONS: &str =
    "A demo server: echo, add, fail and slow tools, a readme, items by id, and a greeting prompt.";

/// The text of `demo://readme`.
pub const README: &str = "picomcp demo server.\n\nTools: echo(text), add(a, b), fail(), slow(ms).\n\
Resources: demo://readme (this text) and demo://items/{id}.\nPrompt: greet(name).\n";

/// How often `slow` reports progress, in milliseconds.
pub const PROGRESS_EVERY_MS: u32 = 50;

/// A `slow` call in progress.
struct Wait {
    ticket: Ticket,
    start: u32,
    ms: u32,
    /// Milliseconds of the next progress report.
    next_report: u32,
}

/// The demo server's handler: the contract's descriptors, stateless tools, and up to
/// `WAITS` `slow` calls waiting at once (give it the server's in-flight capacity).
pub struct Demo<C, const WAITS: usize> {
    clock: C,
    registry: StaticRegistry<'static>,
    waits: heapless::Vec<Wait, WAITS>,
}

impl<C: Clock, const WAITS: usize> Demo<C, WAITS> {
    /// The demo, calling itself `implementation` and telling time with `clock`.
    pub const fn new(clock: C, implementation: Implementation<'static>) -> Self {
        let registry = StaticRegistry::new(ServerInfo { implementation, instructions: Some(INSTRUCTIONS) })
            .tools(&TOOLS)
            .resources(&RESOURCES)
            .templates(&TEMPLATES)
            .prompts(&PROMPTS)
            .completions();
        Self { clock, registry, waits: heapless::Vec::new() }
    }

    /// Whether `slow` calls are waiting (a firmware then keeps its timer running).
    pub fn has_timers(&self) -> bool {
        !self.waits.is_empty()
    }

    /// Report progress and finish the waits that are due; the time until the next one.
    fn advance(&mut self, r: &mut Responder<'_>) -> Result<Option<Duration>, Error> {
        if self.waits.is_empty() {
            return Ok(None);
        }
        let now = self.clock.now_ms();
        let mut next_due: Option<u32> = None;
        let mut i = 0;
        while let Some(w) = self.waits.get_mut(i) {
            let elapsed = now.wrapping_sub(w.start);
            let mut live = true;
            while live && w.next_report < w.ms && w.next_report <= elapsed {
                live = report(r, w.ticket, w.next_report, w.ms)?;
                w.next_report += PROGRESS_EVERY_MS;
            }
            if live && elapsed >= w.ms {
                live = report(r, w.ticket, w.ms, w.ms)?;
                if live {
                    let mut digits = [0u8; 10];
                    let ms = core::str::from_utf8(u32_digits(w.ms, &mut digits)).unwrap_or("0");
                    let text = [Text::Plain("waited "), Text::Plain(ms), Text::Plain(" ms")];
                    r.tool_result(w.ticket, |res| res.text(Text::Concat(&text)))?;
                }
                live = false;
            }
            if !live {
                self.waits.swap_remove(i);
                continue;
            }
            let due = w.next_report.min(w.ms).saturating_sub(elapsed);
            next_due = Some(next_due.map_or(due, |d| d.min(due)));
            i += 1;
        }
        // A wait is never more than one progress period away (the loop above saw to that);
        // saying so lets the compiler drop the division in `Duration::from_millis`, and
        // with it Cortex-M0's 400-byte division routine.
        Ok(next_due.map(|ms| Duration::from_millis(u64::from(ms.min(PROGRESS_EVERY_MS)))))
    }
}

/// Send progress; false if the call is gone (cancelled).
fn report(r: &mut Responder<'_>, ticket: Ticket, progress: u32, total: u32) -> Result<bool, Error> {
    match r.progress(ticket, f64::from(progress), Some(f64::from(total)), None) {
        Ok(_) => Ok(true),
        Err(Error::StaleTicket) => Ok(false),
        Err(e) => Err(e),
    }
}

impl<C: Clock, const WAITS: usize> Handler for Demo<C, WAITS> {
    fn registry(&self) -> &dyn Registry {
        &self.registry
    }

    fn call_tool(&mut self, call: ToolCall<'_>, r: &mut Responder<'_>) -> Result<(), Error> {
        // Arguments were checked against each tool's inputSchema before this call.
        let args = &call.arguments;
        match call.tool {
            ECHO => {
                let text = args.str("text").map_err(|_| Error::InvalidJson)?;
                r.tool_result(call.ticket, |res| res.text(text))
            }
            ADD => {
                let sum = args.f64("a").unwrap_or(0.0) + args.f64("b").unwrap_or(0.0);
                if !sum.is_finite() {
                    return r.tool_error(call.ticket, "the sum is too large to represent");
                }
                r.tool_result(call.ticket, |res| res.structured_with_text(|v| v.object(|o| o.number("sum", sum))))
            }
            FAIL => r.tool_error(call.ticket, "fail always fails: it exists to show what a tool error looks like"),
            SLOW => {
                let ms = u32::try_from(args.i64("ms").unwrap_or(0)).unwrap_or(0);
                let wait = Wait { ticket: call.ticket, start: self.clock.now_ms(), ms, next_report: PROGRESS_EVERY_MS };
                if self.waits.push(wait).is_err() {
                    return r.error(call.ticket, jsonrpc::code::INTERNAL_ERROR, "too many slow calls at once");
                }
                self.advance(r).map(drop)
            }
            _ => r.error(call.ticket, jsonrpc::code::INTERNAL_ERROR, "tool not implemented"),
        }
    }

    fn read_resource(&mut self, read: ResourceRead<'_>, r: &mut Responder<'_>) -> Result<(), Error> {
        match &read.target {
            ReadTarget::Resource(_) => {
                r.resource(read.ticket, |c| c.push(ResourceContents::text(read.uri, "text/plain", README)))
            }
            ReadTarget::Template { variables, .. } => {
                let id = variables.first().copied().map_or(Text::Plain(""), Text::Json);
                let text = [Text::Plain("Item "), id];
                r.resource(read.ticket, |c| c.push(ResourceContents::text(read.uri, "text/plain", Text::Concat(&text))))
            }
        }
    }

    fn get_prompt(&mut self, get: PromptGet<'_>, r: &mut Responder<'_>) -> Result<(), Error> {
        let name = get.arguments.str("name").map_or(Text::Plain(""), Text::Json);
        let text = [Text::Plain("Hello, "), name, Text::Plain("! Please greet "), name, Text::Plain(" warmly.")];
        r.prompt(get.ticket, Some("A greeting"), |m| m.push(Role::User, Content::Text(Text::Concat(&text))))
    }

    fn complete(&mut self, req: CompletionRequest<'_>, r: &mut Responder<'_>) -> Result<(), Error> {
        let candidates: &[&str] = match req.reference {
            CompletionRef::Prompt(p) if p.eq_str("greet") && req.argument.eq_str("name") => {
                &["Ada", "Alan", "Grace", "Linus"]
            }
            CompletionRef::Resource(u) if u.eq_str("demo://items/{id}") && req.argument.eq_str("id") => {
                &["1", "2", "3"]
            }
            _ => &[],
        };
        let typed: Str<'_> = req.value;
        r.completion(req.ticket, |c| candidates.iter().filter(|v| typed.is_prefix_of(v)).try_for_each(|v| c.push(*v)))
    }

    fn cancelled(&mut self, ticket: Ticket) {
        // Tickets are unique, and the order of the waits does not matter.
        if let Some(i) = self.waits.iter().position(|w| w.ticket == ticket) {
            self.waits.swap_remove(i);
        }
    }

    fn poll(&mut self, r: &mut Responder<'_>) -> Result<Option<Duration>, Error> {
        self.advance(r)
    }
}
