//! The picomcp side: a `Server<Buffers<..>>`, a handler with the 100-tool registry whose
//! `echo` passes the borrowed argument string through, and an in-memory sink.
//!
//! One operation is `server.receive(frame, &mut sink, &mut handler)`: parse the frame,
//! dispatch it (look the tool up, check the arguments against its schema, call the
//! handler) and write the reply into the sink, which is cleared first.

use picomcp::{
    Buffers, Config, Error, Handler, Implementation, Registry, Responder, Server, ServerInfo, Sink, StaticRegistry,
    Tool, ToolCall, check_registry, jsonrpc,
};

use crate::catalogue::{self, Spec};
use crate::wire;

/// The output: a growable buffer, cleared (not freed) between operations, so after the
/// first reply it never allocates.
#[derive(Default)]
pub struct VecSink(pub Vec<u8>);

impl Sink for VecSink {
    fn write(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.0.extend_from_slice(bytes);
        Ok(())
    }
}

/// The bench's handler: the registry, and which index `echo` has in it.
pub struct Bench {
    registry: StaticRegistry<'static>,
    echo: usize,
}

impl Bench {
    /// A handler over `tools` (which must contain `echo`).
    pub fn new(tools: &[Spec]) -> Self {
        let tools: Vec<Tool<'static>> =
            tools.iter().map(|t| Tool::new(t.name, t.description, t.input_schema)).collect();
        let tools: &'static [Tool<'static>] = Box::leak(tools.into_boxed_slice());
        let echo = tools.iter().position(|t| t.name == catalogue::ECHO).expect("the catalogue has echo");
        let registry = StaticRegistry::new(ServerInfo {
            implementation: Implementation::new(wire::SERVER_NAME, wire::SERVER_VERSION),
            instructions: None,
        })
        .tools(tools);
        check_registry(&registry).expect("the catalogue is a valid registry");
        Self { registry, echo }
    }

    /// Where `echo` is in the registry (picomcp finds it by a linear search).
    pub fn echo_index(&self) -> usize {
        self.echo
    }
}

impl Handler for Bench {
    fn registry(&self) -> &dyn Registry {
        &self.registry
    }

    fn call_tool(&mut self, call: ToolCall<'_>, r: &mut Responder<'_>) -> Result<(), Error> {
        if call.tool == self.echo {
            // Checked against the schema already: `text` is there and is a string. It is
            // written out still escaped, straight from the request bytes.
            let text = call.arguments.str("text").map_err(|_| Error::InvalidJson)?;
            r.tool_result(call.ticket, |res| res.text(text))
        } else {
            r.error(call.ticket, jsonrpc::code::INTERNAL_ERROR, "only echo is implemented in the bench")
        }
    }
}

/// The server storage: 4 requests in flight (one is ever used), no subscriptions.
pub type Storage = Buffers<4, 0>;

/// A server, its handler and its sink: everything one case needs.
pub struct Side {
    server: Server<Storage>,
    handler: Bench,
    /// The last reply.
    pub sink: VecSink,
}

impl Side {
    /// A fresh server (no handshake yet) over `tools`.
    pub fn new(tools: &[Spec]) -> Self {
        Self {
            server: Server::new(Storage::new(), Config::new()),
            handler: Bench::new(tools),
            sink: VecSink::default(),
        }
    }

    /// The legacy handshake (`initialize`, then `notifications/initialized`).
    pub fn handshake(&mut self) {
        self.receive(wire::INITIALIZE.as_bytes());
        assert!(self.reply().contains("\"protocolVersion\":\"2025-11-25\""), "initialize failed: {}", self.reply());
        self.receive(wire::INITIALIZED.as_bytes());
        assert!(self.sink.0.is_empty(), "a notification got a reply");
    }

    /// The measured operation: one frame in, its reply in the sink.
    #[inline]
    pub fn receive(&mut self, frame: &[u8]) {
        self.sink.0.clear();
        // Errors are only the sink's, and this sink cannot fail.
        self.server.receive(frame, &mut self.sink, &mut self.handler).expect("a Vec sink cannot fail");
    }

    /// The last reply, as text.
    pub fn reply(&self) -> &str {
        std::str::from_utf8(&self.sink.0).expect("replies are UTF-8")
    }

    /// See [`Bench::echo_index`].
    pub fn echo_index(&self) -> usize {
        self.handler.echo_index()
    }
}
