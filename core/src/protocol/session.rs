//! The legacy session: what `initialize` settled for this connection.

use crate::json::Str;
use crate::protocol::{ClientCapabilities, LogLevel, Revision};

/// Legacy connection state. Modern requests never read or change it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Session {
    /// The negotiated revision; `None` until `initialize`.
    pub(crate) revision: Option<Revision>,
    /// The minimum level of `notifications/message` (set by `logging/setLevel`).
    pub(crate) log_level: LogLevel,
    /// What the client declared at `initialize`.
    pub(crate) client_caps: ClientCapabilities,
}

impl Session {
    pub(crate) const fn new(log_level: LogLevel) -> Self {
        Self { revision: None, log_level, client_caps: ClientCapabilities::from_bits(0) }
    }

    /// Negotiate: the client's revision if it is a legacy one we speak, else the newest legacy one.
    pub(crate) fn negotiate(requested: Option<Str<'_>>) -> Revision {
        requested.and_then(Revision::from_json).filter(|r| !r.is_modern()).unwrap_or(Revision::LATEST_LEGACY)
    }
}
