//! Streamable HTTP, sans-IO per connection: the core's [`Endpoint`] with output buffered
//! per connection, and the core's request framing ([`Pipeline`]: `Content-Length` bodies,
//! pipelining), as its std driver (`picomcp::http::serve`) uses them. The host language owns
//! the sockets.

use std::collections::HashMap;

use picomcp::http::{
    Conn, Connections, EMPTY_HEADER, Endpoint, EndpointConfig, Handled, Limits, NextRequest, Pipeline, ResponseHead,
};
use picomcp::{Error, Handler, Server, Sink, Storage};

/// Header lines a request may have (the smaller of this and [`Limits::max_headers`]).
const MAX_HEADERS: usize = 64;

/// The largest message the server can send (bytes), as the core's std driver has it.
const MESSAGE_BUFFER: usize = 4 << 20;

/// One client connection.
#[derive(Debug, Default)]
struct Connection {
    /// Bytes received and not yet handled.
    input: Vec<u8>,
    /// Bytes to write to the peer.
    output: Vec<u8>,
    /// Whether a request is being answered, whether to close once the output is out.
    pipeline: Pipeline,
}

/// The connections, as the endpoint sees them.
#[derive(Debug, Default)]
struct Table {
    conns: HashMap<Conn, Connection>,
}

impl Connections for Table {
    fn send(&mut self, conn: Conn, bytes: &[u8]) -> Result<(), Error> {
        let c = self.conns.get_mut(&conn).ok_or(Error::Io)?;
        c.output.extend_from_slice(bytes);
        Ok(())
    }

    fn finish(&mut self, conn: Conn, keep_alive: bool) {
        if let Some(c) = self.conns.get_mut(&conn) {
            c.pipeline.finish(keep_alive);
        }
    }
}

/// A [`Sink`] onto one connection of the table.
struct ConnSink<'t> {
    table: &'t mut Table,
    conn: Conn,
}

impl Sink for ConnSink<'_> {
    fn write(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.table.send(self.conn, bytes)
    }
}

/// The HTTP side of a server.
pub struct Http {
    endpoint: Box<Endpoint>,
    table: Table,
    scratch: Vec<u8>,
    limits: Limits,
    next: Conn,
}

impl Http {
    /// An endpoint on `/mcp` for loopback hosts, signing session ids with `key`; request
    /// bodies up to `max_body` bytes.
    pub fn new(key: [u8; 32], max_body: usize) -> Self {
        let config = EndpointConfig { key, ..EndpointConfig::new() };
        Self {
            endpoint: Box::new(Endpoint::new(config)),
            table: Table::default(),
            scratch: vec![0; MESSAGE_BUFFER],
            limits: Limits { max_body_bytes: max_body, ..Limits::DEFAULT },
            next: 0,
        }
    }

    /// A new connection.
    pub fn open(&mut self) -> Conn {
        while self.table.conns.contains_key(&self.next) {
            self.next = self.next.wrapping_add(1);
        }
        let conn = self.next;
        self.next = self.next.wrapping_add(1);
        self.table.conns.insert(conn, Connection::default());
        conn
    }

    /// Whether `conn` is open.
    pub fn is_open(&self, conn: Conn) -> bool {
        self.table.conns.contains_key(&conn)
    }

    /// Bytes read from `conn`: handle the complete requests it holds.
    pub fn receive<S: Storage>(&mut self, conn: Conn, data: &[u8], server: &mut Server<S>, handler: &mut dyn Handler) {
        if let Some(c) = self.table.conns.get_mut(&conn) {
            c.input.extend_from_slice(data);
        }
        self.handle_buffered(conn, server, handler);
    }

    /// Whether `conn` may take more input: it holds less than one whole request (the
    /// longest head and body the limits allow) not yet handled.
    pub fn wants_input(&self, conn: Conn) -> bool {
        let most = self.limits.max_head_bytes.saturating_add(self.limits.max_body_bytes);
        self.table.conns.get(&conn).is_some_and(|c| c.input.len() < most)
    }

    /// What to write to `conn`, and whether to close it after.
    pub fn take(&mut self, conn: Conn) -> (Vec<u8>, bool) {
        match self.table.conns.get_mut(&conn) {
            Some(c) => (std::mem::take(&mut c.output), c.pipeline.close_after()),
            None => (Vec::new(), true),
        }
    }

    /// The peer closed `conn`: its streams end, the calls on them are cancelled.
    pub fn closed<S: Storage>(&mut self, conn: Conn, server: &mut Server<S>, handler: &mut dyn Handler) {
        if self.table.conns.remove(&conn).is_some() {
            self.endpoint.closed(server, handler, conn);
        }
    }

    /// Connections with output to write (or to close).
    pub fn pending(&self) -> Vec<Conn> {
        let mut conns: Vec<Conn> = self
            .table
            .conns
            .iter()
            .filter(|(_, c)| !c.output.is_empty() || c.pipeline.close_after())
            .map(|(&k, _)| k)
            .collect();
        conns.sort_unstable();
        conns
    }

    /// Let the handler write deferred answers (routed to their streams); then handle the
    /// requests waiting on connections a finished stream freed.
    pub fn poll<S: Storage>(&mut self, server: &mut Server<S>, handler: &mut dyn Handler) {
        let _ = self.endpoint.poll(server, handler, &mut self.table, &mut self.scratch);
        let waiting: Vec<Conn> =
            self.table.conns.iter().filter(|(_, c)| !c.input.is_empty()).map(|(&k, _)| k).collect();
        for conn in waiting {
            self.handle_buffered(conn, server, handler);
        }
    }

    /// Handle every complete request `conn` holds, one at a time, while it is free to
    /// answer (not answering, not streaming, not closing).
    fn handle_buffered<S: Storage>(&mut self, conn: Conn, server: &mut Server<S>, handler: &mut dyn Handler) {
        loop {
            let Some(c) = self.table.conns.get_mut(&conn) else { return };
            if !c.pipeline.is_free() || c.input.is_empty() || self.endpoint.is_streaming(conn) {
                return;
            }
            let mut input = std::mem::take(&mut c.input);
            let consumed = self.handle_one(conn, &input, server, handler);
            if let Some(c) = self.table.conns.get_mut(&conn) {
                input.drain(..consumed.min(input.len()));
                c.input = input;
            }
            if consumed == 0 {
                return;
            }
        }
    }

    /// Handle the request at the start of `input`, if it is complete; the bytes it took.
    fn handle_one<S: Storage>(
        &mut self,
        conn: Conn,
        input: &[u8],
        server: &mut Server<S>,
        handler: &mut dyn Handler,
    ) -> usize {
        let Some(c) = self.table.conns.get_mut(&conn) else { return 0 };
        let mut headers = [EMPTY_HEADER; MAX_HEADERS];
        match c.pipeline.next_request(input, &mut headers, &self.limits) {
            NextRequest::Incomplete => 0,
            NextRequest::Bad(e) => {
                // The stream cannot be resynchronised: answer and close.
                let _ = ResponseHead::new(e.status()).close(true).write(&mut ConnSink { table: &mut self.table, conn });
                input.len()
            }
            NextRequest::Ready { head, body, consumed } => {
                match self.endpoint.handle(server, handler, &mut self.table, conn, &head, body, &mut self.scratch) {
                    // Kept in the input, handed in again after the next poll.
                    Ok(Handled::Held) => {
                        if let Some(c) = self.table.conns.get_mut(&conn) {
                            c.pipeline.hold();
                        }
                        0
                    }
                    _ => consumed,
                }
            }
        }
    }
}
