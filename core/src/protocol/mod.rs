//! The MCP state machine's parts: revisions and eras, request `_meta`, the bounded table
//! of requests in flight, resource subscriptions and the legacy session.

pub(crate) mod inflight;
mod level;
mod meta;
mod revision;
mod session;
mod subscriptions;

pub(crate) use inflight::{Admission, Filter};
pub use inflight::{Buffers, CallKind, SLOT_TEXT, Slot, Storage, Ticket};
pub use level::LogLevel;
pub use meta::{ClientCapabilities, RequestMeta};
pub use revision::Revision;
pub(crate) use session::Session;
pub(crate) use subscriptions::Subscriptions;
