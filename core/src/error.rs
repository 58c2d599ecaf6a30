//! The one error type of the reply and writer APIs.

use core::fmt;

/// Why writing output or answering a request failed.
///
/// Protocol problems in the *input* never show up here: the server answers them with
/// JSON-RPC errors and goes on. These are problems of the host's side.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The output [`Sink`](crate::Sink) failed; the connection is probably gone.
    Io,
    /// The ticket is unknown, already answered, or its request was cancelled.
    StaleTicket,
    /// The ticket belongs to another kind of request (a prompt ticket given to a tool reply).
    WrongKind,
    /// JSON text handed to a writer is not valid JSON (nothing was written for it).
    InvalidJson,
    /// Writer calls in an order the message cannot take (content after structured content).
    OutOfOrder,
}

impl Error {
    /// A short English description.
    pub const fn describe(self) -> &'static str {
        match self {
            Self::Io => "the output failed",
            Self::StaleTicket => "unknown, answered or cancelled ticket",
            Self::WrongKind => "the ticket belongs to another kind of request",
            Self::InvalidJson => "invalid JSON text",
            Self::OutOfOrder => "writer calls out of order",
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}

impl core::error::Error for Error {}
