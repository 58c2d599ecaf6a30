//! The ready stdio driver (feature `std`, Unix): newline-delimited MCP on stdin/stdout.
//!
//! One thread, no helper threads, no async runtime: the driver reads stdin straight into
//! a [`LineBuffer`], hands every complete frame to the [`Server`], and writes replies
//! through an output buffer that is flushed when the input runs dry (so a sequential
//! round trip costs one `read` and one `write`). When the handler has timed work pending
//! ([`Handler::poll`] returned a delay) it waits with `poll(2)` instead of a plain read.
//!
//! Memory is bounded: a client that stops reading blocks the driver's writes, the driver
//! stops reading, and the pipe pushes back on the client.

use core::time::Duration;
use std::io;
use std::os::fd::{AsFd, BorrowedFd};
use std::string::ToString;
use std::vec::Vec;

use rustix::event::{PollFd, PollFlags, Timespec};

use crate::framing::{Line, LineBuffer};
use crate::{Error, Handler, Server, Sink, Storage, check_registry};

/// Buffer sizes of the driver.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Longest accepted message in bytes (a longer line gets an error reply and is
    /// skipped). Default 1 MiB.
    pub input_buffer: usize,
    /// Output buffered before a write; larger messages stream through in pieces.
    /// Default 64 KiB.
    pub output_buffer: usize,
}

impl Default for Options {
    fn default() -> Self {
        Self { input_buffer: 1 << 20, output_buffer: 64 << 10 }
    }
}

/// The most bytes read in one `read` call (keeps the touched part of a large input
/// buffer small while requests are small).
const READ_CHUNK: usize = 64 << 10;

/// Serve on stdin/stdout with default [`Options`] until stdin closes.
///
/// Checks the registry first ([`check_registry`]) and refuses to start on a bad one.
pub fn serve<S: Storage>(server: &mut Server<S>, handler: &mut dyn Handler) -> io::Result<()> {
    serve_with(server, handler, Options::default())
}

/// [`serve`] with explicit buffer sizes.
pub fn serve_with<S: Storage>(server: &mut Server<S>, handler: &mut dyn Handler, options: Options) -> io::Result<()> {
    let (stdin, stdout) = (io::stdin(), io::stdout());
    serve_fds(stdin.as_fd(), stdout.as_fd(), server, handler, options)
}

/// Serve newline-delimited MCP on any pair of file descriptors (pipes, a socket) until
/// `input` reaches end of file or `output` is closed by the peer.
pub fn serve_fds<S: Storage>(
    input: BorrowedFd<'_>,
    output: BorrowedFd<'_>,
    server: &mut Server<S>,
    handler: &mut dyn Handler,
    options: Options,
) -> io::Result<()> {
    check_registry(handler.registry()).map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e.to_string()))?;
    server.ensure_state_key();
    let mut lines = LineBuffer::new(std::vec![0u8; options.input_buffer.max(1)]);
    let mut out = FdSink { fd: output, buf: Vec::with_capacity(options.output_buffer), error: None };
    let result = run(input, &mut lines, &mut out, server, handler);
    match (result, out.error.take()) {
        (Ok(()), _) => Ok(()),
        // The client closed its end: that is how a session ends, not a failure.
        (Err(_), Some(e)) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        (Err(_), Some(e)) => Err(e),
        (Err(e), None) => Err(io::Error::other(e)),
    }
}

fn run<S: Storage>(
    input: BorrowedFd<'_>,
    lines: &mut LineBuffer<Vec<u8>>,
    out: &mut FdSink<'_>,
    server: &mut Server<S>,
    handler: &mut dyn Handler,
) -> Result<(), Error> {
    loop {
        while let Some(line) = lines.next_line() {
            match line {
                Line::Frame(frame) => server.receive(frame, out, handler)?,
                Line::TooLong => server.reject_oversized(lines.capacity(), out)?,
            }
        }
        let delay = server.poll(out, handler)?;
        out.flush()?;
        if let Some(delay) = delay {
            if !wait_readable(input, delay).map_err(|e| out.fail(e))? {
                continue; // the timer fired: poll the handler again
            }
        }
        let space = lines.space();
        let chunk = space.len().min(READ_CHUNK);
        let n = read(input, space.get_mut(..chunk).unwrap_or_default()).map_err(|e| out.fail(e))?;
        if n == 0 {
            if let Some(frame) = lines.finish() {
                server.receive(frame, out, handler)?;
            }
            return out.flush();
        }
        lines.commit(n);
    }
}

fn read(fd: BorrowedFd<'_>, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match rustix::io::read(fd, &mut *buf) {
            Ok(n) => return Ok(n),
            Err(rustix::io::Errno::INTR) => {}
            Err(rustix::io::Errno::AGAIN) => {
                wait(fd, PollFlags::IN, None)?;
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// Wait until `fd` is readable or `timeout` passes; true when readable (or closed).
fn wait_readable(fd: BorrowedFd<'_>, timeout: Duration) -> io::Result<bool> {
    wait(fd, PollFlags::IN, Some(timeout))
}

fn wait(fd: BorrowedFd<'_>, flags: PollFlags, timeout: Option<Duration>) -> io::Result<bool> {
    let timespec = timeout
        .map(|t| Timespec { tv_sec: t.as_secs().try_into().unwrap_or(i64::MAX), tv_nsec: t.subsec_nanos().into() });
    let mut fds = [PollFd::new(&fd, flags)];
    loop {
        match rustix::event::poll(&mut fds, timespec.as_ref()) {
            Ok(n) => return Ok(n > 0),
            Err(rustix::io::Errno::INTR) => {}
            Err(e) => return Err(e.into()),
        }
    }
}

/// The output buffer in front of a file descriptor.
struct FdSink<'fd> {
    fd: BorrowedFd<'fd>,
    buf: Vec<u8>,
    /// The first I/O error, kept for the caller (the core only sees [`Error::Io`]).
    error: Option<io::Error>,
}

impl FdSink<'_> {
    fn fail(&mut self, e: io::Error) -> Error {
        self.error.get_or_insert(e);
        Error::Io
    }

    fn write_all(&mut self, mut bytes: &[u8]) -> Result<(), Error> {
        while !bytes.is_empty() {
            match rustix::io::write(self.fd, bytes) {
                Ok(n) => bytes = bytes.get(n..).unwrap_or_default(),
                Err(rustix::io::Errno::INTR) => {}
                Err(rustix::io::Errno::AGAIN) => {
                    wait(self.fd, PollFlags::OUT, None).map_err(|e| self.fail(e))?;
                }
                Err(e) => return Err(self.fail(e.into())),
            }
        }
        Ok(())
    }

    fn flush_buffer(&mut self) -> Result<(), Error> {
        let buf = core::mem::take(&mut self.buf);
        let result = self.write_all(&buf);
        self.buf = buf;
        self.buf.clear();
        result
    }
}

impl Sink for FdSink<'_> {
    fn write(&mut self, bytes: &[u8]) -> Result<(), Error> {
        if self.buf.len() + bytes.len() > self.buf.capacity() {
            self.flush_buffer()?;
            if bytes.len() >= self.buf.capacity() {
                return self.write_all(bytes);
            }
        }
        self.buf.extend_from_slice(bytes);
        Ok(())
    }

    fn flush(&mut self) -> Result<(), Error> {
        if self.buf.is_empty() { Ok(()) } else { self.flush_buffer() }
    }
}
