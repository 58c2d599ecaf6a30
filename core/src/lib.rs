//! # picomcp
//!
//! An allocation-free, `no_std`, sans-IO [Model Context Protocol](https://modelcontextprotocol.io)
//! server engine that speaks both protocol eras on one wire: legacy (`initialize`,
//! revisions 2024-11-05 to 2025-11-25) and modern (2026-07-28, `_meta` on every request,
//! `server/discover`).
//!
//! The pieces, bottom up:
//!
//! - [`json`]: a validating zero-copy reader and a streaming writer;
//! - [`jsonrpc`]: message classification, exact ids, error codes;
//! - [`protocol`]: revisions, request `_meta`, the bounded table of requests in flight;
//! - the server API: a [`Registry`] of descriptors the host lends, a [`Handler`] that
//!   receives calls, a [`Responder`] that writes answers (now or later, by [`Ticket`]);
//! - [`framing`]: newline framing with a fixed buffer;
//! - `stdio` (feature `std`): a ready stdio driver.
//!
//! ```
//! use picomcp::*;
//!
//! struct Echo;
//! static TOOLS: [Tool<'static>; 1] = [Tool::new(
//!     "echo",
//!     "Echo the text back",
//!     r#"{"type":"object","properties":{"text":{"type":"string"}},"required":["text"]}"#,
//! )];
//! static REGISTRY: StaticRegistry<'static> =
//!     StaticRegistry::new(ServerInfo { implementation: Implementation::new("echo", "1.0.0"), instructions: None })
//!         .tools(&TOOLS);
//!
//! impl Handler for Echo {
//!     fn registry(&self) -> &dyn Registry {
//!         &REGISTRY
//!     }
//!     fn call_tool(&mut self, call: ToolCall<'_>, r: &mut Responder<'_>) -> Result<(), Error> {
//!         let text = call.arguments.str("text").map_err(|_| Error::InvalidJson)?;
//!         r.tool_result(call.ticket, |res| res.text(text))
//!     }
//! }
//!
//! let mut server: Server<Buffers<4, 0>> = Server::new(Buffers::new(), Config::new());
//! let mut out = [0u8; 512];
//! let mut cursor = &mut out[..];
//! let request = br#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}"#;
//! server.receive(request, &mut cursor, &mut Echo).unwrap();
//! let written = 512 - cursor.len();
//! let reply = core::str::from_utf8(&out[..written]).unwrap();
//! assert!(reply.starts_with(r#"{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"hi"}]"#));
//! ```
#![no_std]
#![forbid(unsafe_code)]
#![warn(clippy::std_instead_of_core, clippy::alloc_instead_of_core)]
#![cfg_attr(
    not(test),
    deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::unreachable)
)]

#[cfg(any(feature = "std", test))]
extern crate std;

mod error;
pub mod framing;
/// HTTP/1.1 building blocks of the Streamable HTTP transport (feature `http`).
#[cfg(feature = "http")]
pub mod http;
pub mod json;
pub mod jsonrpc;
pub mod protocol;
mod server;
mod sink;
#[cfg(feature = "std")]
pub mod stdio;

pub use error::Error;

/// The README's Rust examples, compiled and run as doctests.
#[cfg(all(doctest, feature = "std"))]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
pub use protocol::{
    Buffers, ClientCapabilities, LogLevel, Revision, Slot, Storage, TaskConfig, TaskId, TaskSlot, TaskStatus,
    TaskTable, Ticket, WithTasks,
};
pub use server::*;
pub use sink::{Notice, Route, Sink};

/// 32 random bytes from the operating system (for signing keys), or, should that fail,
/// bytes hashed from the time and the process id.
#[cfg(feature = "std")]
pub(crate) fn random_key() -> [u8; 32] {
    use sha2::Digest;
    use std::io::Read;
    let mut key = [0u8; 32];
    let from_os = std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut key));
    if from_os.is_err() {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        let digest = sha2::Sha256::new()
            .chain_update(now.as_nanos().to_le_bytes())
            .chain_update(std::process::id().to_le_bytes())
            .finalize();
        key.copy_from_slice(&digest);
    }
    key
}
