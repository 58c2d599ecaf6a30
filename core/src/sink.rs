//! Where the server's output goes.

use crate::Error;
use crate::protocol::Ticket;

/// A byte sink the server writes complete messages into.
///
/// Every [`embedded_io::Write`] is a `Sink` (a UART, a `&mut [u8]` cursor, a `Vec<u8>`
/// with embedded-io's `std` feature). Messages are written in several pieces; a sink that
/// talks to a slow device should buffer and send on [`Sink::flush`], which drivers call
/// when they run out of input to process.
pub trait Sink {
    /// Write all of `bytes`, or fail with [`Error::Io`].
    fn write(&mut self, bytes: &[u8]) -> Result<(), Error>;

    /// Push buffered bytes out. Drivers call this before they wait for more input.
    fn flush(&mut self) -> Result<(), Error> {
        Ok(())
    }

    /// Called before each message. Newline framing writes nothing here; an SSE sink
    /// writes `data: `.
    fn begin_message(&mut self) -> Result<(), Error> {
        Ok(())
    }

    /// Called after each message. The default is newline framing (stdio, a UART).
    fn end_message(&mut self) -> Result<(), Error> {
        self.write(b"\n")
    }

    /// Told before each message what it belongs to, for transports that carry messages
    /// on several streams (HTTP). A single-channel transport ignores it (the default).
    fn route(&mut self, route: Route) {
        let _ = route;
    }

    /// Offered each change notification for legacy sessions before it is written. A
    /// transport with several sessions (HTTP) delivers it to each of them itself and
    /// returns `Ok(true)`; the default `Ok(false)` lets the server write it here.
    fn notice(&mut self, notice: Notice<'_>) -> Result<bool, Error> {
        let _ = notice;
        Ok(false)
    }
}

/// What the next message belongs to (see [`Sink::route`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    /// The answer to the message being received right now.
    Reply,
    /// A notification or request about a call in flight (progress, a log, a question to
    /// the client, a listen stream's notification).
    Related(Ticket),
    /// The final answer of a call in flight: its stream ends with this message.
    Answer(Ticket),
    /// The call ended without a final message (cancelled): nothing is written.
    Ended(Ticket),
    /// A notification outside any call (legacy session logs).
    Session,
}

/// A change notification for legacy sessions (see [`Sink::notice`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Notice<'a> {
    /// The tool list changed.
    ToolsChanged,
    /// The prompt list changed.
    PromptsChanged,
    /// The resource list changed.
    ResourcesChanged,
    /// The resource with this URI changed.
    ResourceUpdated(&'a str),
}

impl<W: embedded_io::Write> Sink for W {
    fn write(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.write_all(bytes).map_err(|_| Error::Io)
    }

    fn flush(&mut self) -> Result<(), Error> {
        embedded_io::Write::flush(self).map_err(|_| Error::Io)
    }
}

/// A sink into a fixed buffer: overflow is [`Error::Io`], messages get no framing.
pub(crate) struct Cursor<'b> {
    pub(crate) buf: &'b mut [u8],
    pub(crate) len: usize,
}

impl<'b> Cursor<'b> {
    pub(crate) fn new(buf: &'b mut [u8]) -> Self {
        Self { buf, len: 0 }
    }
}

impl Sink for Cursor<'_> {
    fn write(&mut self, bytes: &[u8]) -> Result<(), Error> {
        let dst = self.buf.get_mut(self.len..self.len + bytes.len()).ok_or(Error::Io)?;
        dst.copy_from_slice(bytes);
        self.len += bytes.len();
        Ok(())
    }

    fn end_message(&mut self) -> Result<(), Error> {
        Ok(())
    }
}
