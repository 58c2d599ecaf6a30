//! `picomcp-demo`: the demo MCP server of `docs/demo-contract.md`, on stdin/stdout.
//!
//! Run it with `cargo run --release -p picomcp-demo`; it tells you on stderr how to
//! connect the MCP Inspector or Claude Desktop.

use core::time::Duration;
use std::process::ExitCode;
use std::time::Instant;

use picomcp::json::Str;
use picomcp::*;

static TOOLS: [Tool<'static>; 4] = [
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
    Tool::new("fail", "Always returns a tool error (isError), to show what one looks like.", r#"{"type":"object","properties":{},"required":[]}"#)
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

static RESOURCES: [Resource<'static>; 1] =
    [Resource::new("demo://readme", "readme", "text/plain").description("What this demo server is")];
static TEMPLATES: [ResourceTemplate<'static>; 1] =
    [ResourceTemplate::new("demo://items/{id}", "item", "text/plain").description("An item, by id")];
static GREET_ARGS: [PromptArgument<'static>; 1] = [PromptArgument::required("name", "Who to greet")];
static PROMPTS: [Prompt<'static>; 1] = [Prompt::new("greet", "A greeting for someone", &GREET_ARGS).title("Greet")];

static REGISTRY: StaticRegistry<'static> = StaticRegistry::new(ServerInfo {
    implementation: Implementation::new("picomcp-demo", env!("CARGO_PKG_VERSION")),
    instructions: Some("A demo server: echo, add, fail and slow tools, a readme, items by id, and a greeting prompt."),
})
.tools(&TOOLS)
.resources(&RESOURCES)
.templates(&TEMPLATES)
.prompts(&PROMPTS)
.completions();

const README: &str = "picomcp demo server.\n\nTools: echo(text), add(a, b), fail(), slow(ms).\n\
Resources: demo://readme (this text) and demo://items/{id}.\nPrompt: greet(name).\n";

/// How often `slow` reports progress.
const PROGRESS_EVERY_MS: u64 = 50;

/// A `slow` call in progress.
struct Wait {
    ticket: Ticket,
    start: Instant,
    ms: u64,
    /// Milliseconds of the next progress report.
    next_report: u64,
}

/// The demo's handler: stateless tools, plus the `slow` calls it is waiting on.
#[derive(Default)]
struct Demo {
    waits: Vec<Wait>,
}

impl Demo {
    /// Report progress and finish the waits that are due; the time until the next one.
    fn advance(&mut self, r: &mut Responder<'_>) -> Result<Option<Duration>, Error> {
        if self.waits.is_empty() {
            return Ok(None);
        }
        let now = Instant::now();
        let mut next_due: Option<Duration> = None;
        let mut i = 0;
        while let Some(w) = self.waits.get_mut(i) {
            let elapsed = now.duration_since(w.start).as_millis() as u64;
            let mut done = elapsed >= w.ms;
            let mut live = true;
            while live && w.next_report < w.ms.min(elapsed + 1) && w.next_report <= elapsed {
                live = report(r, w.ticket, w.next_report as f64, w.ms)?;
                w.next_report += PROGRESS_EVERY_MS;
            }
            if live && done {
                live = report(r, w.ticket, w.ms as f64, w.ms)?;
                if live {
                    let text = format!("waited {} ms", w.ms);
                    r.tool_result(w.ticket, |res| res.text(text.as_str()))?;
                }
            }
            done |= !live;
            if done {
                self.waits.swap_remove(i);
                continue;
            }
            let due = Duration::from_millis(w.next_report.min(w.ms)).saturating_sub(now.duration_since(w.start));
            next_due = Some(next_due.map_or(due, |d| d.min(due)));
            i += 1;
        }
        Ok(next_due)
    }
}

/// Send progress; false if the call is gone (cancelled).
fn report(r: &mut Responder<'_>, ticket: Ticket, progress: f64, total: u64) -> Result<bool, Error> {
    match r.progress(ticket, progress, Some(total as f64), None) {
        Ok(_) => Ok(true),
        Err(Error::StaleTicket) => Ok(false),
        Err(e) => Err(e),
    }
}

/// A JSON string's decoded text.
fn text(s: Str<'_>) -> String {
    s.chars().collect()
}

impl Handler for Demo {
    fn registry(&self) -> &dyn Registry {
        &REGISTRY
    }

    fn call_tool(&mut self, call: ToolCall<'_>, r: &mut Responder<'_>) -> Result<(), Error> {
        // Arguments were checked against each tool's inputSchema before this call.
        let args = &call.arguments;
        match TOOLS.get(call.tool).map(|t| t.name) {
            Some("echo") => {
                let text = args.str("text").map_err(|_| Error::InvalidJson)?;
                r.tool_result(call.ticket, |res| res.text(text))
            }
            Some("add") => {
                let sum = args.f64("a").unwrap_or(0.0) + args.f64("b").unwrap_or(0.0);
                if !sum.is_finite() {
                    return r.tool_error(call.ticket, "the sum is too large to represent");
                }
                r.tool_result(call.ticket, |res| res.structured_with_text(|v| v.object(|o| o.number("sum", sum))))
            }
            Some("fail") => {
                r.tool_error(call.ticket, "fail always fails: it exists to show what a tool error looks like")
            }
            Some("slow") => {
                let ms = args.i64("ms").unwrap_or(0).max(0) as u64;
                self.waits.push(Wait {
                    ticket: call.ticket,
                    start: Instant::now(),
                    ms,
                    next_report: PROGRESS_EVERY_MS,
                });
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
                let id = variables.first().map(|v| text(*v)).unwrap_or_default();
                let body = format!("Item {id}");
                r.resource(read.ticket, |c| c.push(ResourceContents::text(read.uri, "text/plain", body.as_str())))
            }
        }
    }

    fn get_prompt(&mut self, get: PromptGet<'_>, r: &mut Responder<'_>) -> Result<(), Error> {
        let name = get.arguments.str("name").map(text).unwrap_or_default();
        let greeting = format!("Hello, {name}! Please greet {name} warmly.");
        r.prompt(get.ticket, Some("A greeting"), |m| m.push(Role::User, Content::text(greeting.as_str())))
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
        let typed = text(req.value);
        r.completion(req.ticket, |c| candidates.iter().filter(|v| v.starts_with(&typed)).try_for_each(|v| c.push(*v)))
    }

    fn cancelled(&mut self, ticket: Ticket) {
        self.waits.retain(|w| w.ticket != ticket);
    }

    fn poll(&mut self, r: &mut Responder<'_>) -> Result<Option<Duration>, Error> {
        self.advance(r)
    }
}

/// Tell a human on stderr how to connect a client.
fn banner() {
    let exe = std::env::current_exe().map(|p| p.display().to_string()).unwrap_or_else(|_| "picomcp-demo".into());
    let json_exe = exe.replace('\\', "\\\\").replace('"', "\\\"");
    eprintln!(
        "picomcp-demo {version}: an MCP server on stdin/stdout (protocol revisions 2024-11-05 to 2026-07-28).\n\
         Connect a client:\n  \
         MCP Inspector:  npx @modelcontextprotocol/inspector {exe}\n  \
         Claude Desktop: add to claude_desktop_config.json\n    \
         {{\"mcpServers\": {{\"picomcp-demo\": {{\"command\": \"{json_exe}\"}}}}}}",
        version = env!("CARGO_PKG_VERSION"),
    );
}

fn main() -> ExitCode {
    if let Some(arg) = std::env::args().nth(1) {
        let version = env!("CARGO_PKG_VERSION");
        match arg.as_str() {
            "--version" | "-V" => println!("picomcp-demo {version}"),
            _ => eprintln!("usage: picomcp-demo   (serves MCP on stdin/stdout; see docs/demo-contract.md)"),
        }
        return ExitCode::SUCCESS;
    }
    banner();
    let mut server: Server<Buffers<64, 4096>> = Server::new(Buffers::new(), Config::new());
    match stdio::serve(&mut server, &mut Demo::default()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("picomcp-demo: {e}");
            ExitCode::FAILURE
        }
    }
}
