//! Zero-allocation proof: a counting global allocator around a full session through the
//! core, in both eras, with every kind of request, deferred answers, progress, logs and
//! bad input. Runs without the test harness so nothing else allocates meanwhile.
#![allow(unsafe_code)] // GlobalAlloc is an unsafe trait; the core itself forbids unsafe.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use picomcp::*;

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator unchanged, counting calls.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        // SAFETY: same contract as ours.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        // SAFETY: same contract as ours.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

static TOOLS: [Tool<'static>; 3] = [
    Tool::new("echo", "echo", r#"{"type":"object","properties":{"text":{"type":"string"}},"required":["text"]}"#),
    Tool::new(
        "add",
        "add",
        r#"{"type":"object","properties":{"a":{"type":"number"},"b":{"type":"number"}},"required":["a","b"]}"#,
    )
    .output_schema(r#"{"type":"object","properties":{"sum":{"type":"number"}}}"#),
    Tool::new("later", "answers later", r#"{"type":"object"}"#),
];
static RESOURCES: [Resource<'static>; 1] = [Resource::new("demo://readme", "readme", "text/plain")];
static TEMPLATES: [ResourceTemplate<'static>; 1] = [ResourceTemplate::new("demo://items/{id}", "item", "text/plain")];
static ARGS: [PromptArgument<'static>; 1] = [PromptArgument::required("name", "who")];
static PROMPTS: [Prompt<'static>; 1] = [Prompt::new("greet", "greet", &ARGS)];
static REGISTRY: StaticRegistry<'static> = StaticRegistry::new(ServerInfo {
    implementation: Implementation::new("no-alloc", "1.0.0"),
    instructions: Some("hi"),
})
.tools(&TOOLS)
.resources(&RESOURCES)
.templates(&TEMPLATES)
.prompts(&PROMPTS)
.completions();

/// A handler that never allocates; `later` keeps its ticket.
struct Quiet {
    pending: Option<Ticket>,
}

impl Handler for Quiet {
    fn registry(&self) -> &dyn Registry {
        &REGISTRY
    }
    fn call_tool(&mut self, call: ToolCall<'_>, r: &mut Responder<'_>) -> Result<(), Error> {
        match call.tool {
            0 => {
                let text = call.arguments.str("text").map_err(|_| Error::InvalidJson)?;
                r.log_text(Some(call.ticket), LogLevel::Info, "echoing")?;
                r.tool_result(call.ticket, |res| res.text(text))
            }
            1 => {
                let sum = call.arguments.f64("a").unwrap_or(0.0) + call.arguments.f64("b").unwrap_or(0.0);
                r.tool_result(call.ticket, |res| {
                    res.content(Content::image(&[1, 2, 3, 4], "image/png"))?;
                    res.structured_with_text(|v| v.object(|o| o.number("sum", sum)))
                })
            }
            _ => {
                self.pending = Some(call.ticket);
                r.progress(call.ticket, 1.0, Some(2.0), Some("half"))?;
                Ok(())
            }
        }
    }
    fn read_resource(&mut self, read: ResourceRead<'_>, r: &mut Responder<'_>) -> Result<(), Error> {
        r.resource(read.ticket, |c| {
            c.push(ResourceContents::text(read.uri, "text/plain", "text"))?;
            c.push(ResourceContents::blob(read.uri, "application/octet-stream", &[0xFF; 40]))
        })
    }
    fn get_prompt(&mut self, get: PromptGet<'_>, r: &mut Responder<'_>) -> Result<(), Error> {
        let name = get.arguments.str("name").map_err(|_| Error::InvalidJson)?;
        r.prompt(get.ticket, Some("a greeting"), |m| m.push(Role::User, Content::text(name)))
    }
    fn complete(&mut self, req: CompletionRequest<'_>, r: &mut Responder<'_>) -> Result<(), Error> {
        r.completion(req.ticket, |c| {
            c.push("Ada")?;
            c.push(req.value)
        })
    }
}

/// A fixed output buffer that wraps around (only the count of bytes matters here).
struct Ring {
    buf: [u8; 4096],
    pos: usize,
    total: usize,
}

impl Sink for Ring {
    fn write(&mut self, bytes: &[u8]) -> Result<(), Error> {
        for &b in bytes {
            self.buf[self.pos] = b;
            self.pos = (self.pos + 1) % self.buf.len();
        }
        self.total += bytes.len();
        Ok(())
    }
}

const MODERN: &str = r#""_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{},"io.modelcontextprotocol/logLevel":"debug","progressToken":"t"}"#;

/// Every frame of the session, prepared before counting starts.
fn session() -> Vec<Vec<u8>> {
    let mut frames: Vec<Vec<u8>> = [
        r#"{"jsonrpc":"2.0","id":0,"method":"ping"}"#,
        r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-03-26","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#,
        r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
        r#"{"jsonrpc":"2.0","id":2,"method":"logging/setLevel","params":{"level":"debug"}}"#,
        r#"{"jsonrpc":"2.0","id":3,"method":"resources/subscribe","params":{"uri":"demo://readme"}}"#,
        r#"[{"jsonrpc":"2.0","id":4,"method":"tools/list"},{"jsonrpc":"2.0","id":5,"method":"prompts/list","params":{"cursor":"0"}}]"#,
        r#"{"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":"later","arguments":{},"_meta":{"progressToken":7}}}"#,
        r#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":6}}"#,
        r#"{"jsonrpc":"2.0","id":8,"method":"resources/read","params":{"uri":"demo://nothing"}}"#,
        r#"{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"echo","arguments":{"text":5}}}"#,
        r#"{"jsonrpc":"2.0","id":10,"method":"tools/call","params":{"name":"nope"}}"#,
        r#"{"jsonrpc":"2.0","id":"\ud800","method":"ping"}"#,
        r#"{"jsonrpc":"2.0","id":11,"method":"bogus"}"#,
        r#"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"#,
        "{broken",
    ]
    .into_iter()
    .map(|f| f.as_bytes().to_vec())
    .collect();
    frames.push(b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"p\xffng\"}".to_vec());
    for (id, body) in [
        ("20", r#""method":"server/discover","params":{M}"#),
        ("21", r#""method":"tools/list","params":{M}"#),
        ("22", r#""method":"tools/call","params":{"name":"echo","arguments":{"text":"h\u00e9llo \"w\""},M}"#),
        ("23", r#""method":"tools/call","params":{"name":"add","arguments":{"a":1.5,"b":2},M}"#),
        ("24", r#""method":"resources/read","params":{"uri":"demo://items/42",M}"#),
        ("25", r#""method":"resources/templates/list","params":{M}"#),
        ("26", r#""method":"prompts/get","params":{"name":"greet","arguments":{"name":"Ada"},M}"#),
        (
            "27",
            r#""method":"completion/complete","params":{"ref":{"type":"ref/prompt","name":"greet"},"argument":{"name":"name","value":"A"},M}"#,
        ),
        ("28", r#""method":"tools/call","params":{"name":"later",M}"#),
        ("29", r#""method":"ping","params":{M}"#),
    ] {
        let body = body.replace('M', MODERN);
        frames.push(format!(r#"{{"jsonrpc":"2.0","id":{id},{body}}}"#).into_bytes());
    }
    frames.push(
        br#"{"jsonrpc":"2.0","id":30,"method":"tools/call","params":{"name":"echo","arguments":{"text":"x"},"_meta":{"io.modelcontextprotocol/protocolVersion":"1999-01-01","io.modelcontextprotocol/clientCapabilities":{}}}}"#
            .to_vec(),
    );
    frames
}

fn main() {
    let frames = session();
    let mut server: Server<Buffers<4, 256>> = Server::new(Buffers::new(), Config { page_size: 1, ..Config::new() });
    let mut handler = Quiet { pending: None };
    let mut out = Ring { buf: [0; 4096], pos: 0, total: 0 };

    let before = ALLOCATIONS.load(Ordering::SeqCst);
    for _ in 0..3 {
        for frame in &frames {
            server.receive(frame, &mut out, &mut handler).expect("the sink never fails");
        }
        // Answer the deferred call of the modern `later`, then notify.
        let ticket = handler.pending.take().expect("`later` was called");
        let mut r = server.responder(&mut out);
        r.tool_result(ticket, |res| res.text("done")).expect("live ticket");
        r.resource_updated("demo://readme").expect("sink");
        r.tools_changed().expect("sink");
        server.reject_oversized(1 << 20, &mut out).expect("sink");
    }
    let allocations = ALLOCATIONS.load(Ordering::SeqCst) - before;

    assert!(out.total > 10_000, "the session wrote {} bytes", out.total);
    assert_eq!(server.in_flight(), 0);
    assert_eq!(allocations, 0, "the core allocated {allocations} times during the session");
    println!("no_alloc: {} frames, {} bytes written, 0 allocations", frames.len() * 3, out.total);
}
