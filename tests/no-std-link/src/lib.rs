//! Links the picomcp core into a `no_std` library without an allocator and runs a request
//! through it, so the linker must resolve everything the core uses.
#![no_std]

use picomcp::{
    Buffers, Config, Error, Handler, Implementation, Registry, Responder, Server, ServerInfo, StaticRegistry, Tool,
    ToolCall,
};

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    loop {}
}

static TOOLS: [Tool<'static>; 1] = [Tool::new("echo", "echo", r#"{"type":"object","properties":{"text":{"type":"string"}}}"#)];
static REGISTRY: StaticRegistry<'static> =
    StaticRegistry::new(ServerInfo { implementation: Implementation::new("link", "0"), instructions: None }).tools(&TOOLS);

struct Echo;

impl Handler for Echo {
    fn registry(&self) -> &dyn Registry {
        &REGISTRY
    }
    fn call_tool(&mut self, call: ToolCall<'_>, r: &mut Responder<'_>) -> Result<(), Error> {
        let text = call.arguments.str("text").map_err(|_| Error::InvalidJson)?;
        r.tool_result(call.ticket, |res| res.text(text))
    }
}

/// Serve one `tools/call` into `out` and return the number of bytes written (0 on failure).
#[unsafe(no_mangle)]
pub extern "C" fn picomcp_link_probe(out: &mut [u8; 512]) -> usize {
    let mut server: Server<Buffers<2, 64>> = Server::new(Buffers::new(), Config::new());
    let mut cursor = &mut out[..];
    let frame = br#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}"#;
    match server.receive(frame, &mut cursor, &mut Echo) {
        Ok(()) => 512 - cursor.len(),
        Err(_) => 0,
    }
}
