//! `picomcp-engine`: the part of a binding to a garbage-collected language that does not
//! depend on the language. The Python (pyo3) and Node (napi-rs) bindings are thin skins
//! over [`Engine`].
//!
//! The host registers owned descriptors, feeds bytes (stdio chunks or HTTP connections),
//! takes calls as [`Event`]s and answers them by ticket with owned [`Answer`]s; the core
//! does everything protocol-shaped (framing, JSON-RPC, both protocol eras, argument
//! checking, listings, errors, the JSON of every answer). Nothing here calls back into the
//! host language.
//!
//! The modules: [`access`] (callers, their scopes and the host's token decisions),
//! [`catalog`] (owned descriptors under stable ids, lent to the core as a
//! `Registry`), [`host`] (the core `Handler`: calls become events, answers are written
//! when the core polls), [`answer`] (owned answers and how they are written), [`http`]
//! (per-connection HTTP framing around the core's endpoint), [`result`] (results given
//! as JSON text), [`storage`] (request slots on
//! the heap) and [`engine`] (the whole, driven from one thread).

#![forbid(unsafe_code)]

pub mod access;
pub mod answer;
pub mod catalog;
pub mod engine;
pub mod host;
pub mod http;
pub mod result;
pub mod storage;

pub use access::{AuthConfig, Decision, Grant};
pub use answer::{Answer, Block, Entry, EntryBody, Payload};
pub use catalog::{ArgumentDesc, Catalog, Hints, Kind, PromptDesc, ResourceDesc, ToolDesc};
pub use engine::{Engine, Limits};
pub use host::{Event, ReadKind, RefKind};

/// Why the engine refused something; bindings map each to their language's error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// A value given was malformed (Python `ValueError`, a JS `TypeError`).
    Invalid(String),
    /// The call does not fit the engine's state (Python `RuntimeError`, a JS `Error`).
    State(String),
    /// A descriptor's name (or URI) is taken (Python `ValueError`, a JS `Error`).
    Duplicate(String),
}

impl Fault {
    /// The message.
    pub fn message(&self) -> &str {
        match self {
            Self::Invalid(m) | Self::State(m) | Self::Duplicate(m) => m,
        }
    }
}
