//! Where the server's output goes.

use crate::Error;

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
}

impl<W: embedded_io::Write> Sink for W {
    fn write(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.write_all(bytes).map_err(|_| Error::Io)
    }

    fn flush(&mut self) -> Result<(), Error> {
        embedded_io::Write::flush(self).map_err(|_| Error::Io)
    }
}
