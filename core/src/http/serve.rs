//! The ready HTTP driver (features `std` and `http`, Unix): MCP's Streamable HTTP on a TCP
//! listener.
//!
//! One thread runs a `poll(2)` loop over the listener and every connection. The server
//! and the handler are single-threaded by design (one `&mut Server`), so a loop needs no
//! locks, no thread per client and no async runtime, and a request costs one `read` and one
//! `write` when it is answered at once. Sockets are non-blocking with `TCP_NODELAY`, and each
//! response leaves in one `write` (no Nagle stall). Handlers must not block: long work is
//! deferred by ticket and finished from [`Handler::poll`], like on stdio.
//!
//! Memory per connection is its input (bounded by [`Limits`]: at most one request's head
//! and body are read ahead while the connection waits for an answer or a stream to end;
//! then the peer is held back, as by a full socket) and its pending output.

use core::time::Duration;
use std::io::{self, Read};
use std::net::{TcpListener, TcpStream};
use std::string::ToString;
use std::vec::Vec;

use rustix::event::{PollFd, PollFlags, Timespec};

use crate::http::{
    Conn, Connections, EMPTY_HEADER, Endpoint, EndpointConfig, Handled, Limits, NextRequest, Pipeline, ResponseHead,
};
use crate::{Error, Handler, Server, Storage, check_registry};

/// Settings of [`serve`].
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Endpoint settings (path, Host/Origin allow-list). Its key is replaced by a random
    /// one when it is all zeros.
    pub endpoint: EndpointConfig,
    /// Request limits: header count, head bytes, body bytes.
    pub limits: Limits,
    /// Connections served at once; more wait in the listen backlog. Default 1024.
    pub max_connections: usize,
    /// The largest message the server can send (bytes). Default 4 MiB.
    pub message_buffer: usize,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            endpoint: EndpointConfig::new(),
            limits: Limits::DEFAULT,
            max_connections: 1024,
            message_buffer: 4 << 20,
        }
    }
}

/// Bytes read from a socket at a time.
const READ_CHUNK: usize = 64 << 10;

/// Serve MCP on `listener` until an I/O error on the listener; the registry is checked
/// first. Uses [`Options::default`]. See [`serve_with`].
pub fn serve<S: Storage>(listener: TcpListener, server: &mut Server<S>, handler: &mut dyn Handler) -> io::Result<()> {
    serve_with(listener, server, handler, Options::default())
}

/// [`serve`] with options.
pub fn serve_with<S: Storage>(
    listener: TcpListener,
    server: &mut Server<S>,
    handler: &mut dyn Handler,
    options: Options,
) -> io::Result<()> {
    check_registry(handler.registry()).map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e.to_string()))?;
    listener.set_nonblocking(true)?;
    let mut config = options.endpoint;
    if config.key == [0; 32] {
        config.key = crate::random_key();
    }
    server.ensure_state_key();
    let mut endpoint: Endpoint = Endpoint::new(config);
    let mut table = Table { conns: Vec::new() };
    let mut scratch = std::vec![0u8; options.message_buffer.max(1024)];
    let mut delay: Option<Duration> = None;
    loop {
        if wait(&listener, &mut table, options.max_connections, input_cap(&options.limits), delay)? {
            accept(&listener, &mut table, options.max_connections)?;
        }
        for conn in 0..table.conns.len() {
            read(conn, &mut table, input_cap(&options.limits));
            handle_buffered(conn, &mut table, &mut endpoint, server, handler, &options, &mut scratch);
        }
        delay = endpoint.poll(server, handler, &mut table, &mut scratch).unwrap_or(None);
        for conn in 0..table.conns.len() {
            // A stream the poll ended frees its connection for a request already read.
            handle_buffered(conn, &mut table, &mut endpoint, server, handler, &options, &mut scratch);
        }
        for conn in 0..table.conns.len() {
            table.flush(conn);
            if table.conns.get(conn).is_some_and(|c| c.as_ref().is_some_and(Connection::is_done)) {
                if let Some(slot) = table.conns.get_mut(conn) {
                    *slot = None;
                }
                endpoint.closed(server, handler, conn as Conn);
            }
        }
    }
}

/// One client connection.
struct Connection {
    stream: TcpStream,
    input: Vec<u8>,
    output: Vec<u8>,
    /// Whether a request is being answered, whether to close once the output is out.
    pipeline: Pipeline,
    /// The peer closed or the socket failed.
    gone: bool,
    /// The last `poll` said there is something to read (or the peer hung up).
    readable: bool,
}

impl Connection {
    fn is_done(&self) -> bool {
        self.gone || (self.pipeline.close_after() && self.output.is_empty())
    }
}

/// The driver's connections, as the endpoint sees them.
struct Table {
    conns: Vec<Option<Connection>>,
}

impl Table {
    fn get(&mut self, conn: usize) -> Option<&mut Connection> {
        self.conns.get_mut(conn).and_then(Option::as_mut)
    }

    /// Write out what is pending, as far as the socket takes it.
    fn flush(&mut self, conn: usize) {
        let Some(c) = self.get(conn) else { return };
        while !c.output.is_empty() && !c.gone {
            match rustix::io::write(&c.stream, &c.output) {
                Ok(n) => {
                    c.output.drain(..n);
                }
                Err(rustix::io::Errno::INTR) => {}
                Err(rustix::io::Errno::AGAIN) => break,
                Err(_) => c.gone = true,
            }
        }
    }
}

impl Connections for Table {
    fn send(&mut self, conn: Conn, bytes: &[u8]) -> Result<(), Error> {
        match self.get(conn as usize) {
            Some(c) if !c.gone => {
                c.output.extend_from_slice(bytes);
                Ok(())
            }
            _ => Err(Error::Io),
        }
    }

    fn finish(&mut self, conn: Conn, keep_alive: bool) {
        if let Some(c) = self.get(conn as usize) {
            c.pipeline.finish(keep_alive);
        }
    }
}

/// The most input a connection holds unhandled: one whole request (head and body) read
/// ahead. Past it the connection is not read until its requests are handled.
fn input_cap(limits: &Limits) -> usize {
    limits.max_head_bytes.saturating_add(limits.max_body_bytes)
}

/// Wait until the listener or a connection is ready, or the handler's timer is due; mark
/// the readable connections, and say whether the listener has connections to take.
/// Connections holding `cap` bytes of input are not waited on for more.
fn wait(
    listener: &TcpListener,
    table: &mut Table,
    max: usize,
    cap: usize,
    delay: Option<Duration>,
) -> io::Result<bool> {
    let live = table.conns.iter().flatten().count();
    let listening = live < max;
    let mut fds = Vec::with_capacity(live + 1);
    if listening {
        fds.push(PollFd::new(listener, PollFlags::IN));
    }
    for c in table.conns.iter().flatten() {
        let mut flags = if c.input.len() < cap { PollFlags::IN } else { PollFlags::empty() };
        if !c.output.is_empty() {
            flags |= PollFlags::OUT;
        }
        fds.push(PollFd::new(&c.stream, flags));
    }
    let timeout = delay
        .map(|t| Timespec { tv_sec: t.as_secs().try_into().unwrap_or(i64::MAX), tv_nsec: t.subsec_nanos().into() });
    match rustix::event::poll(&mut fds, timeout.as_ref()) {
        Ok(_) | Err(rustix::io::Errno::INTR) => {}
        Err(e) => return Err(e.into()),
    }
    let ready = |fd: &PollFd<'_>| !(fd.revents() & (PollFlags::IN | PollFlags::HUP | PollFlags::ERR)).is_empty();
    let mut states = fds.iter().map(ready);
    let accept = listening && states.next().unwrap_or(false);
    let readable: Vec<bool> = states.collect();
    drop(fds);
    for (c, ready) in table.conns.iter_mut().flatten().zip(readable) {
        c.readable = ready;
    }
    Ok(accept)
}

/// Take every pending connection.
fn accept(listener: &TcpListener, table: &mut Table, max: usize) -> io::Result<()> {
    while table.conns.iter().flatten().count() < max {
        match listener.accept() {
            Ok((stream, _)) => {
                stream.set_nonblocking(true)?;
                stream.set_nodelay(true)?;
                let connection = Connection {
                    stream,
                    input: Vec::new(),
                    output: Vec::new(),
                    pipeline: Pipeline::new(),
                    gone: false,
                    readable: true,
                };
                match table.conns.iter_mut().find(|c| c.is_none()) {
                    Some(free) => *free = Some(connection),
                    None => table.conns.push(Some(connection)),
                }
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(()),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            // A connection that failed before it was taken is the client's problem.
            Err(e) if e.kind() == io::ErrorKind::ConnectionAborted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Read what `conn` sent, as far as the socket has it (when `poll` said it is readable)
/// and until the connection holds `cap` bytes of input.
fn read(conn: usize, table: &mut Table, cap: usize) {
    let Some(c) = table.get(conn).filter(|c| c.readable) else { return };
    c.readable = false;
    if c.input.len() >= cap {
        // Not waited on for input: only a hangup or an error woke it. The peer is gone.
        c.gone = true;
        return;
    }
    let mut chunk = [0u8; READ_CHUNK];
    while c.input.len() < cap {
        match c.stream.read(&mut chunk) {
            Ok(0) => {
                c.gone = true;
                break;
            }
            Ok(n) => {
                c.input.extend_from_slice(chunk.get(..n).unwrap_or_default());
                // A short read drained the socket: skip the read that would only say so.
                if n < chunk.len() {
                    break;
                }
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => {
                c.gone = true;
                break;
            }
        }
    }
}

/// Handle every complete request `conn` holds, one at a time, while it is free to answer.
fn handle_buffered<S: Storage>(
    conn: usize,
    table: &mut Table,
    endpoint: &mut Endpoint,
    server: &mut Server<S>,
    handler: &mut dyn Handler,
    options: &Options,
    scratch: &mut [u8],
) {
    loop {
        let Some(c) = table.get(conn) else { return };
        if c.gone || !c.pipeline.is_free() || c.input.is_empty() || endpoint.is_streaming(conn as Conn) {
            return;
        }
        let mut input = core::mem::take(&mut c.input);
        let consumed = handle_one(conn as Conn, &input, table, endpoint, server, handler, options, scratch);
        if let Some(c) = table.get(conn) {
            input.drain(..consumed.min(input.len()));
            c.input = input;
        }
        if consumed == 0 {
            return;
        }
    }
}

/// Handle the request at the start of `input`, if it is complete; the bytes it took.
#[allow(clippy::too_many_arguments)]
fn handle_one<S: Storage>(
    conn: Conn,
    input: &[u8],
    table: &mut Table,
    endpoint: &mut Endpoint,
    server: &mut Server<S>,
    handler: &mut dyn Handler,
    options: &Options,
    scratch: &mut [u8],
) -> usize {
    let Some(c) = table.get(conn as usize) else { return 0 };
    let mut headers = [EMPTY_HEADER; 64];
    match c.pipeline.next_request(input, &mut headers, &options.limits) {
        NextRequest::Incomplete => 0,
        NextRequest::Bad(e) => {
            // The stream cannot be resynchronised: answer and close.
            let _ = ResponseHead::new(e.status()).close(true).write(&mut ConnSink { table, conn });
            input.len()
        }
        NextRequest::Ready { head, body, consumed } => {
            match endpoint.handle(server, handler, table, conn, &head, body, scratch) {
                // Kept in the input, handed in again after the next poll.
                Ok(Handled::Held) => {
                    if let Some(c) = table.get(conn as usize) {
                        c.pipeline.hold();
                    }
                    0
                }
                _ => consumed,
            }
        }
    }
}

/// A [`crate::Sink`] onto one connection of the table.
struct ConnSink<'t> {
    table: &'t mut Table,
    conn: Conn,
}

impl crate::Sink for ConnSink<'_> {
    fn write(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.table.send(self.conn, bytes)
    }
}
