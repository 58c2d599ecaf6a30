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
    /// The ticket is unknown, already answered, or its request was cancelled (or: the task
    /// is unknown, forgotten, already finished or cancelled).
    StaleTicket,
    /// The ticket belongs to another kind of request (a prompt ticket given to a tool reply).
    WrongKind,
    /// JSON text handed to a writer is not valid JSON (nothing was written for it).
    InvalidJson,
    /// Writer calls in an order the message cannot take (content after structured content).
    OutOfOrder,
    /// The client did not declare the capability this needs (sampling, elicitation, roots).
    MissingCapability,
    /// Not possible in the request's protocol revision (a legacy question to a 2026-07-28
    /// call, an `input_required` result to a legacy one).
    WrongRevision,
    /// A `requestState` that this server did not sign, or that was altered.
    BadState,
    /// No room left in the server's storage for this (a full task table, a task result
    /// larger than the task arena).
    NoRoom,
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
            Self::MissingCapability => "the client did not declare the capability this needs",
            Self::WrongRevision => "not possible in the request's protocol revision",
            Self::BadState => "the requestState was not issued by this server or was altered",
            Self::NoRoom => "no room left in storage",
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}

impl core::error::Error for Error {}
