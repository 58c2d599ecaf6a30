//! Zero-allocation proof: a counting global allocator around a full session through the
//! core, in both eras, with every kind of request, deferred answers, progress, logs and
//! bad input, and tasks (created, asking for input, answered, completed, cancelled,
//! expired). Runs without the test harness so nothing else allocates meanwhile.
#![allow(unsafe_code)] // GlobalAlloc is an unsafe trait; the core itself forbids unsafe.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

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

static TASK_TOOLS: [Tool<'static>; 1] =
    [Tool::new("job", "a task", r#"{"type":"object"}"#).tasks(TaskSupport::Optional)];
static TASK_REGISTRY: StaticRegistry<'static> =
    StaticRegistry::new(ServerInfo { implementation: Implementation::new("no-alloc", "1.0.0"), instructions: None })
        .tools(&TASK_TOOLS);

/// The tasks' clock: milliseconds since the Unix epoch, moved on by the test.
static NOW: AtomicU64 = AtomicU64::new(1_785_196_800_000);

fn now() -> u64 {
    NOW.load(Ordering::SeqCst)
}

/// A handler whose calls become tasks that ask for a confirmation.
struct Tasker;

impl Handler for Tasker {
    fn registry(&self) -> &dyn Registry {
        &TASK_REGISTRY
    }
    fn call_tool(&mut self, call: ToolCall<'_>, r: &mut Responder<'_>) -> Result<(), Error> {
        let task = r.create_task(call.ticket)?;
        r.task_input_required(task, |q| {
            q.request("ok", InputMethod::Elicitation, |v| {
                v.raw(
                    r#"{"message":"Sure?","requestedSchema":{"type":"object","properties":{"ok":{"type":"boolean"}}}}"#,
                )
            })
        })
    }
    fn task_input(&mut self, task: TaskId, answer: TaskAnswer<'_>, r: &mut Responder<'_>) -> Result<(), Error> {
        let ok = answer.response.as_object().and_then(|o| o.get("content")).and_then(|c| c.as_object());
        let ok = ok.and_then(|c| c.get("ok")).and_then(|v| v.as_bool()) == Some(true);
        r.task_result(task, |res| res.text(if ok { "confirmed" } else { "declined" }))
    }
}

/// Keeps the last bytes written (to read a task id back).
struct Keep {
    buf: [u8; 1024],
    len: usize,
}

impl Sink for Keep {
    fn write(&mut self, bytes: &[u8]) -> Result<(), Error> {
        for &b in bytes {
            self.buf[self.len % self.buf.len()] = b;
            self.len += 1;
        }
        Ok(())
    }
    fn begin_message(&mut self) -> Result<(), Error> {
        self.len = 0;
        Ok(())
    }
}

const TASKS_META: &[u8] = br#""_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{"elicitation":{},"extensions":{"io.modelcontextprotocol/tasks":{}}}}"#;

/// `parts` one after the other in `buf`.
fn join<'b>(buf: &'b mut [u8; 1024], parts: &[&[u8]]) -> &'b [u8] {
    let mut len = 0;
    for part in parts {
        buf[len..len + part.len()].copy_from_slice(part);
        len += part.len();
    }
    &buf[..len]
}

/// Tasks: a call that becomes a task asking for input, polled, answered, polled; another
/// one cancelled; the clock moved on so they expire.
fn task_session(server: &mut Server<WithTasks<Buffers<2, 0>, 2, 1024>>, out: &mut Ring) {
    let mut keep = Keep { buf: [0; 1024], len: 0 };
    let mut frame = [0u8; 1024];
    for round in 0..2 {
        let call = join(
            &mut frame,
            &[br#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"job","#, TASKS_META, b"}}"],
        );
        server.receive(call, &mut keep, &mut Tasker).expect("sink");
        let written = &keep.buf[..keep.len.min(1024)];
        let at = written.windows(10).position(|w| w == br#""taskId":""#).expect("a task was created") + 10;
        let mut id = [0u8; 32];
        id.copy_from_slice(&written[at..at + 32]);
        let methods: [&[u8]; 3] = if round == 0 {
            [b"tasks/get", b"tasks/update", b"tasks/get"]
        } else {
            [b"tasks/cancel", b"tasks/get", b"tasks/cancel"]
        };
        for method in methods {
            let frame = join(
                &mut frame,
                &[
                    br#"{"jsonrpc":"2.0","id":2,"method":""#,
                    method,
                    br#"","params":{"taskId":""#,
                    &id,
                    br#"","inputResponses":{"ok":{"action":"accept","content":{"ok":true}}},"#,
                    TASKS_META,
                    b"}}",
                ],
            );
            server.receive(frame, out, &mut Tasker).expect("sink");
        }
    }
    let discover =
        join(&mut frame, &[br#"{"jsonrpc":"2.0","id":3,"method":"server/discover","params":{"#, TASKS_META, b"}}"]);
    server.receive(discover, out, &mut Tasker).expect("sink");
    NOW.fetch_add(600_000, Ordering::SeqCst);
}

fn main() {
    let frames = session();
    let mut tasks: Server<WithTasks<Buffers<2, 0>, 2, 1024>> =
        Server::new(WithTasks::new(Buffers::new(), TaskConfig::new(now)), Config::new());
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
        task_session(&mut tasks, &mut out);
    }
    let allocations = ALLOCATIONS.load(Ordering::SeqCst) - before;

    assert!(out.total > 10_000, "the session wrote {} bytes", out.total);
    assert_eq!(server.in_flight(), 0);
    assert_eq!(allocations, 0, "the core allocated {allocations} times during the session");
    println!("no_alloc: {} frames, {} bytes written, 0 allocations", frames.len() * 3, out.total);
}
