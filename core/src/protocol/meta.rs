//! The request `_meta` envelope of 2026-07-28 (and `progressToken`, which both eras use).

use crate::json::{self, Str, Value};

/// The `_meta` keys picomcp reads from a request's params.
#[derive(Clone, Copy, Debug, Default)]
pub struct RequestMeta<'a> {
    /// `io.modelcontextprotocol/protocolVersion`: present only on modern requests.
    pub protocol_version: Option<Value<'a>>,
    /// `io.modelcontextprotocol/clientCapabilities`.
    pub client_capabilities: Option<Value<'a>>,
    /// `io.modelcontextprotocol/clientInfo`.
    pub client_info: Option<Value<'a>>,
    /// `io.modelcontextprotocol/logLevel`.
    pub log_level: Option<Value<'a>>,
    /// `progressToken`.
    pub progress_token: Option<Value<'a>>,
}

impl<'a> RequestMeta<'a> {
    /// Read a request's `params._meta` value (all absent when it is not an object).
    pub fn from_meta(meta_value: Option<Value<'a>>) -> Self {
        const NAMES: [&[u8]; 5] = [
            b"io.modelcontextprotocol/protocolVersion",
            b"io.modelcontextprotocol/clientCapabilities",
            b"io.modelcontextprotocol/clientInfo",
            b"io.modelcontextprotocol/logLevel",
            b"progressToken",
        ];
        let Some(obj) = meta_value.and_then(Value::as_object) else {
            return Self::default();
        };
        let [protocol_version, client_capabilities, client_info, log_level, progress_token] =
            json::pick(&mut obj.iter(), &NAMES);
        Self { protocol_version, client_capabilities, client_info, log_level, progress_token }
    }
}

/// The client capabilities picomcp acts on, as bits (small enough for an in-flight slot).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClientCapabilities(u8);

impl ClientCapabilities {
    /// The client can answer `sampling/createMessage`.
    pub const SAMPLING: u8 = 1;
    /// The client can answer `elicitation/create`.
    pub const ELICITATION: u8 = 2;
    /// The client can answer `roots/list`.
    pub const ROOTS: u8 = 4;
    /// The request declared the tasks extension (2026-07-28:
    /// `extensions["io.modelcontextprotocol/tasks"]`), so its call may become a task.
    ///
    /// Not read by [`Self::from_value`] and not one of [`Self::names`]: a server with a
    /// task table sets it on the calls of tools with task support
    /// ([`Tool::tasks`](crate::Tool::tasks)) when their request declared the extension. A
    /// tool that needs it says so with [`TaskSupport::Required`](crate::TaskSupport), not
    /// with [`Tool::requires`](crate::Tool::requires).
    pub const TASKS: u8 = 8;
    /// No capability.
    pub const NONE: Self = Self(0);

    /// A set of capabilities from bits such as [`Self::SAMPLING`].
    pub const fn new(bits: u8) -> Self {
        Self(bits)
    }

    /// The names of the capabilities in `self`, in bit order.
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        ["sampling", "elicitation", "roots"]
            .into_iter()
            .enumerate()
            .filter(move |(i, _)| self.0 >> i & 1 == 1)
            .map(|(_, n)| n)
    }

    /// Read the capabilities object (anything else declares nothing).
    pub fn from_value(v: Option<Value<'_>>) -> Self {
        let mut bits = 0;
        if let Some(obj) = v.and_then(Value::as_object) {
            for (key, value) in obj.iter() {
                if value.as_object().is_none() {
                    continue;
                }
                bits |= cap_bit(key);
            }
        }
        Self(bits)
    }

    /// Whether every capability in `bits` was declared.
    pub const fn has(self, bits: u8) -> bool {
        self.0 & bits == bits
    }

    pub(crate) const fn bits(self) -> u8 {
        self.0
    }

    pub(crate) const fn from_bits(bits: u8) -> Self {
        Self(bits)
    }
}

/// The capability bit of a `capabilities` member name (0 for the ones picomcp ignores).
fn cap_bit(key: Str<'_>) -> u8 {
    const NAMES: [&[u8]; 3] = [b"sampling", b"elicitation", b"roots"];
    json::position(key, &NAMES).map_or(0, |i| 1 << i)
}
