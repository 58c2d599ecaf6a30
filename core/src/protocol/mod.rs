//! The MCP state machine's parts: revisions and eras, request `_meta`, the bounded table
//! of requests in flight, resource subscriptions, the legacy session and the task table.

pub(crate) mod inflight;
mod level;
mod meta;
mod revision;
mod session;
mod subscriptions;
pub(crate) mod tasks;

pub(crate) use inflight::{Admission, Filter};
pub use inflight::{Buffers, CallKind, SLOT_TEXT, Slot, Storage, Ticket};
pub use level::LogLevel;
pub use meta::{ClientCapabilities, RequestMeta};
pub use revision::Revision;
pub(crate) use session::Session;
pub(crate) use subscriptions::Subscriptions;
pub use tasks::{
    ISO8601_LEN, MAX_TASK_INPUTS, TASK_ID_LEN, TaskConfig, TaskId, TaskSlot, TaskStatus, TaskTable, WithTasks, iso8601,
};
