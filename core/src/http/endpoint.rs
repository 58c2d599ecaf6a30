//! The Streamable HTTP endpoint: both protocol eras on one URL, sans-IO.
//!
//! A driver owns the sockets: it parses request heads ([`parse_head`](super::parse_head)),
//! collects bodies, and hands each complete request to [`Endpoint::handle`]; the endpoint
//! writes responses through the driver's [`Connections`]. Requests are routed per request:
//! one with an `Mcp-Session-Id` belongs to a legacy session; one whose `params` carry
//! `_meta` (or whose `MCP-Protocol-Version` header names no legacy revision) is a
//! stateless 2026-07-28 request; anything else may only open a legacy session
//! (`initialize`).
//!
//! A request answered at once gets one JSON response. A request whose answer is deferred,
//! or that sends notifications or questions before its answer, gets an event stream (one
//! `data:` line per message) that ends with the answer. Legacy sessions may hold a `GET`
//! stream for notifications outside any call; 2026-07-28 clients open
//! `subscriptions/listen` streams instead.

use crate::http::auth::{self, Access, Refusal};
use crate::http::params;
use crate::http::write_last_chunk;
use crate::http::{AllowList, Framing, Method, RequestHead, ResponseHead, SseEvent, Status, decode_value};
use crate::json::{self, Str, Value};
use crate::jsonrpc::{self, Id, Message, code};
use crate::protocol::{RequestMeta, Revision, Session, Storage, Ticket};
use crate::server::{Handler, Peer, Principal, Server, unsupported_version};
use crate::sink::Cursor;
use crate::{Error, Notice, Route, Sink};
use sha2::{Digest, Sha256};

/// A connection, as the driver numbers them.
pub type Conn = u32;

/// The driver's side: where responses go.
pub trait Connections {
    /// Queue `bytes` on `conn`, after what was queued before. [`Error::Io`] when the
    /// connection is gone.
    fn send(&mut self, conn: Conn, bytes: &[u8]) -> Result<(), Error>;

    /// The response on `conn` is complete: read its next request, or close it when
    /// `keep_alive` is false.
    fn finish(&mut self, conn: Conn, keep_alive: bool);
}

/// What became of a request handed to [`Endpoint::handle`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use]
pub enum Handled {
    /// It was answered, or its answer is under way.
    Done,
    /// Not taken, nothing written: every request slot is busy, or the host has not
    /// decided about its token yet ([`Access::Pending`]). Keep the request (and read no
    /// further on its connection) and hand it in again after the next
    /// [`Endpoint::poll`]. Notifications and the client's answers are never held.
    Held,
}

/// Settings of an [`Endpoint`].
#[derive(Clone, Copy, Debug)]
pub struct EndpointConfig {
    /// The path served (requests for others get 404). Default `/mcp`.
    pub path: &'static str,
    /// Accepted `Host` and `Origin` names (DNS-rebinding protection). Default loopback.
    pub allow: AllowList,
    /// Key for session ids (use a random one per server).
    pub key: [u8; 32],
}

impl EndpointConfig {
    /// The defaults.
    pub const fn new() -> Self {
        Self { path: "/mcp", allow: AllowList::LOOPBACK, key: [0; 32] }
    }
}

impl Default for EndpointConfig {
    fn default() -> Self {
        Self::new()
    }
}

/// Bytes of a session id (hex).
const SESSION_ID: usize = 32;

/// One legacy session.
struct SessionSlot<const SUB: usize> {
    live: bool,
    id: [u8; SESSION_ID],
    /// Who opened it: requests from anyone else do not find it.
    principal: Principal,
    scope: u32,
    session: Session,
    subscriptions: [u8; SUB],
    last_used: u32,
}

impl<const SUB: usize> SessionSlot<SUB> {
    const EMPTY: Self = Self {
        live: false,
        id: [0; SESSION_ID],
        principal: Principal::ANONYMOUS,
        scope: 0,
        session: Session::new(crate::LogLevel::Info),
        subscriptions: [0; SUB],
        last_used: 0,
    };
}

/// Who an open event stream belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Owner {
    /// A call in flight (its answer ends the stream).
    Call(Ticket),
    /// A legacy session's `GET` stream (by session scope).
    Session(u32),
}

/// An open event stream.
#[derive(Clone, Copy, Debug)]
struct Stream {
    owner: Owner,
    conn: Conn,
    keep_alive: bool,
    chunked: bool,
}

/// A legacy change notification waiting to be fanned out to the sessions.
#[derive(Clone, Copy)]
struct Pending {
    notice: PendingKind,
    uri: [u8; PENDING_URI],
    uri_len: usize,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum PendingKind {
    Tools,
    Prompts,
    Resources,
    Updated,
}

/// Longest resource URI a pending `resources/updated` keeps (longer ones are dropped).
const PENDING_URI: usize = 256;

/// The Streamable HTTP endpoint: `SESSIONS` legacy sessions (the least recently used is
/// ended when one more starts), `STREAMS` open event streams, `SUB` bytes of resource
/// subscriptions per session.
pub struct Endpoint<const SESSIONS: usize = 128, const STREAMS: usize = 256, const SUB: usize = 256> {
    config: EndpointConfig,
    sessions: [SessionSlot<SUB>; SESSIONS],
    streams: [Option<Stream>; STREAMS],
    pending: [Option<Pending>; 4],
    next_scope: u32,
    clock: u32,
    made: u64,
    /// Who the request being handled comes from.
    principal: Principal,
}

/// The request being handled: where its answer goes.
#[derive(Clone, Copy)]
struct Current {
    conn: Conn,
    keep_alive: bool,
    http10: bool,
    modern: bool,
    /// Whether an answer or a stream was already started.
    answered: bool,
    session_header: Option<[u8; SESSION_ID]>,
    /// The session's scope, for `GET`-stream messages written during the request.
    session_scope: Option<u32>,
}

impl<const SESSIONS: usize, const STREAMS: usize, const SUB: usize> Endpoint<SESSIONS, STREAMS, SUB> {
    /// An endpoint with `config`.
    pub const fn new(config: EndpointConfig) -> Self {
        Self {
            config,
            sessions: [const { SessionSlot::EMPTY }; SESSIONS],
            streams: [None; STREAMS],
            pending: [None; 4],
            next_scope: 0,
            clock: 0,
            made: 0,
            principal: Principal::ANONYMOUS,
        }
    }

    /// How many legacy sessions are open.
    pub fn sessions(&self) -> usize {
        self.sessions.iter().filter(|s| s.live).count()
    }

    /// How many event streams are open.
    pub fn streams(&self) -> usize {
        self.streams.iter().flatten().count()
    }

    /// Whether `conn` is busy with an open event stream (its next request waits).
    pub fn is_streaming(&self, conn: Conn) -> bool {
        self.streams.iter().flatten().any(|s| s.conn == conn)
    }

    /// Handle one complete request: `head` and its `body` (`Content-Length` bytes).
    /// `scratch` holds one outgoing message at a time: its size bounds the largest
    /// message the server can send.
    ///
    /// Requests for the endpoint's path go through [`Handler::authorize`] first; a `GET`
    /// of the protected-resource metadata path ([`auth::WELL_KNOWN`] followed by the
    /// endpoint's path) is answered from [`Handler::protected_resource`].
    #[allow(clippy::too_many_arguments)]
    pub fn handle<S: Storage>(
        &mut self,
        server: &mut Server<S>,
        handler: &mut dyn Handler,
        conns: &mut dyn Connections,
        conn: Conn,
        head: &RequestHead<'_>,
        body: &[u8],
        scratch: &mut [u8],
    ) -> Result<Handled, Error> {
        let keep_alive = head.keep_alive;
        let reply = Reply { conn, keep_alive, http10: head.minor_version == 0 };
        let path = head.path_without_query();
        let metadata = head.method == Method::Get && auth::is_metadata_path(path, self.config.path);
        if path != self.config.path && !metadata {
            return reply.status(conns, Status::NOT_FOUND).map(|()| Handled::Done);
        }
        if let Err(denied) = self.config.allow.check_head(head) {
            return reply.status(conns, denied.status()).map(|()| Handled::Done);
        }
        if metadata {
            return self.metadata(handler, conns, reply, head, scratch).map(|()| Handled::Done);
        }
        // The scopes are copied out of the handler's borrow: the refusal asks it again.
        let mut scopes = [0u8; 256];
        let principal = match handler.authorize(head) {
            Access::Granted(principal) => principal,
            Access::Pending => return Ok(Handled::Held),
            Access::Unauthorized => {
                let refusal = if head.authorization.is_some() { Refusal::InvalidToken } else { Refusal::NoToken };
                return self.refuse(handler, conns, reply, head, refusal).map(|()| Handled::Done);
            }
            Access::InsufficientScope(needed) => {
                let needed = Refusal::InsufficientScope(copy_str(needed, &mut scopes));
                return self.refuse(handler, conns, reply, head, needed).map(|()| Handled::Done);
            }
        };
        if head.method == Method::Post && server.is_full() && Envelope::read(body).is_request() {
            return Ok(Handled::Held);
        }
        self.clock = self.clock.wrapping_add(1);
        self.principal = principal;
        server.set_principal(principal);
        let mut cx = Cx { server, handler, conns, scratch };
        match head.method {
            Method::Post => self.post(&mut cx, reply, head, body),
            Method::Get => self.get(cx.conns, reply, head),
            Method::Delete => self.delete(&mut cx, reply, head),
            _ => reply.head(conns, ResponseHead::new(Status::METHOD_NOT_ALLOWED).allow("GET, POST, DELETE")),
        }
        .map(|()| Handled::Done)
    }

    /// The protected-resource metadata document, or 404 when the host serves none.
    fn metadata(
        &self,
        handler: &dyn Handler,
        conns: &mut dyn Connections,
        reply: Reply,
        head: &RequestHead<'_>,
        scratch: &mut [u8],
    ) -> Result<(), Error> {
        let Some(meta) = handler.protected_resource() else { return reply.status(conns, Status::NOT_FOUND) };
        let mut cursor = Cursor::new(scratch);
        auth::write_metadata(&mut cursor, &meta, head.host.unwrap_or_default(), self.config.path)?;
        let len = cursor.len;
        reply.json(conns, Status::OK, None, scratch.get(..len).unwrap_or_default())
    }

    /// A `401` or `403` with its `WWW-Authenticate` challenge and an OAuth-style body.
    fn refuse(
        &self,
        handler: &dyn Handler,
        conns: &mut dyn Connections,
        reply: Reply,
        head: &RequestHead<'_>,
        refusal: Refusal<'_>,
    ) -> Result<(), Error> {
        let status =
            if matches!(refusal, Refusal::InsufficientScope(_)) { Status::FORBIDDEN } else { Status::UNAUTHORIZED };
        let meta = handler.protected_resource();
        let mut challenge = [0u8; 1024];
        let mut cursor = Cursor::new(&mut challenge);
        refusal.challenge(&mut cursor, meta.as_ref(), head.host.unwrap_or_default(), self.config.path)?;
        let len = cursor.len;
        let mut body = [0u8; 160];
        let mut cursor = Cursor::new(&mut body);
        refusal.body(&mut cursor)?;
        let body_len = cursor.len;
        let headers = [("WWW-Authenticate", challenge.get(..len).unwrap_or_default())];
        let head = ResponseHead::new(status).json(body_len).headers(&headers).close(!reply.keep_alive);
        head.write(&mut ConnSink { conns, conn: reply.conn })?;
        conns.send(reply.conn, body.get(..body_len).unwrap_or_default())?;
        conns.finish(reply.conn, reply.keep_alive);
        Ok(())
    }

    /// The connection closed: its streams end, and the calls they carried are dropped
    /// (the handler hears [`Handler::cancelled`]).
    pub fn closed<S: Storage>(&mut self, server: &mut Server<S>, handler: &mut dyn Handler, conn: Conn) {
        for entry in self.streams.iter_mut() {
            if let Some(stream) = entry.filter(|s| s.conn == conn) {
                *entry = None;
                if let Owner::Call(ticket) = stream.owner {
                    server.abandon(ticket, handler);
                }
            }
        }
    }

    /// Let the handler do deferred work ([`Handler::poll`]); what it writes goes to the
    /// streams of the calls it answers. Returns when to poll again.
    pub fn poll<S: Storage>(
        &mut self,
        server: &mut Server<S>,
        handler: &mut dyn Handler,
        conns: &mut dyn Connections,
        scratch: &mut [u8],
    ) -> Result<Option<core::time::Duration>, Error> {
        let mut router = Router::new(&mut self.streams, &mut self.pending, conns, scratch, None);
        let next = server.poll(&mut router, handler);
        self.fan_out(server, conns, scratch)?;
        next
    }

    fn post<S: Storage>(
        &mut self,
        cx: &mut Cx<'_, S>,
        reply: Reply,
        head: &RequestHead<'_>,
        body: &[u8],
    ) -> Result<(), Error> {
        if head.content_type.is_some() && !head.content_type_is_json() {
            return reply.status(cx.conns, Status::UNSUPPORTED_MEDIA_TYPE);
        }
        if head.accept.is_some() && !head.accepts_json() && !head.accepts_event_stream() {
            return reply.status(cx.conns, Status::NOT_ACCEPTABLE);
        }
        if body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') {
            // A batch's replies cannot share one JSON response when some come later.
            return reply.error(
                cx.conns,
                cx.scratch,
                Status::BAD_REQUEST,
                None,
                code::INVALID_REQUEST,
                "Invalid request: JSON-RPC batches are not supported over HTTP; send one message per request",
            );
        }
        let envelope = Envelope::read(body);
        let legacy_header = head.protocol_version.is_none_or(is_legacy_version);
        if let Some(id) = head.session_id {
            let Some(index) = self.find_session(id) else {
                return reply.error(
                    cx.conns,
                    cx.scratch,
                    Status::NOT_FOUND,
                    envelope.id,
                    code::INVALID_REQUEST,
                    "Session not found",
                );
            };
            if head.protocol_version.is_some_and(|v| !is_legacy_version(v)) {
                return reply.error(
                    cx.conns,
                    cx.scratch,
                    Status::BAD_REQUEST,
                    envelope.id,
                    code::INVALID_REQUEST,
                    "Bad Request: unsupported MCP-Protocol-Version header",
                );
            }
            return self.dispatch(cx, reply, Some(index), None, body, &envelope);
        }
        if envelope.meta.is_some() || !legacy_header {
            return self.stateless(cx, reply, head, body, &envelope);
        }
        if !envelope.is_initialize() {
            return reply.error(
                cx.conns,
                cx.scratch,
                Status::BAD_REQUEST,
                envelope.id,
                code::INVALID_REQUEST,
                "Bad Request: no Mcp-Session-Id; send initialize first, or use protocol version 2026-07-28",
            );
        }
        let index = self.open_session(cx.server, cx.handler, cx.conns);
        let id = self.sessions.get(index).map(|s| s.id);
        self.dispatch(cx, reply, Some(index), id, body, &envelope)?;
        // A failed initialize leaves no session behind.
        if let Some(slot) = self.sessions.get_mut(index).filter(|s| s.session.revision.is_none()) {
            slot.live = false;
        }
        Ok(())
    }

    /// The 2026-07-28 checks a request goes through before the server sees it, in the
    /// order the revision gives them; then the request, on a scope of its own.
    fn stateless<S: Storage>(
        &mut self,
        cx: &mut Cx<'_, S>,
        reply: Reply,
        head: &RequestHead<'_>,
        body: &[u8],
        envelope: &Envelope<'_>,
    ) -> Result<(), Error> {
        if let (Some(method), Some(id)) = (envelope.method, envelope.id) {
            let meta = RequestMeta::from_meta(envelope.meta);
            let version = meta.protocol_version.and_then(Value::as_str);
            if version.is_none() || meta.client_capabilities.and_then(Value::as_object).is_none() {
                return reply.error(
                    cx.conns,
                    cx.scratch,
                    Status::BAD_REQUEST,
                    Some(id),
                    code::INVALID_PARAMS,
                    "Invalid params: _meta must carry io.modelcontextprotocol/protocolVersion and io.modelcontextprotocol/clientCapabilities",
                );
            }
            let problem = match head.protocol_version {
                None => Some("Header mismatch: the MCP-Protocol-Version header is missing"),
                Some(header) if version.is_none_or(|v| !same_text(v, header)) => {
                    Some("Header mismatch: MCP-Protocol-Version differs from _meta's protocolVersion")
                }
                Some(_) => None,
            };
            if let Some(message) = problem {
                return reply.error(
                    cx.conns,
                    cx.scratch,
                    Status::BAD_REQUEST,
                    Some(id),
                    code::HEADER_MISMATCH,
                    message,
                );
            }
            if let Some(requested) = version.filter(|v| Revision::from_json(*v).is_none_or(|r| !r.is_modern())) {
                let mut cursor = Cursor::new(cx.scratch);
                unsupported_version(&mut cursor, id, requested)?;
                let len = cursor.len;
                return reply.json(cx.conns, Status::BAD_REQUEST, None, cx.scratch.get(..len).unwrap_or_default());
            }
            let mirrored = || {
                method
                    .eq_str("tools/call")
                    .then(|| params::mismatch(head, cx.handler.registry(), cx.server.principal(), envelope.params))
                    .flatten()
            };
            if let Some(message) = header_problem(head, method, envelope).or_else(mirrored) {
                let mut cursor = Cursor::new(cx.scratch);
                jsonrpc::error(&mut cursor, Some(id), code::HEADER_MISMATCH, message)?;
                let len = cursor.len;
                return reply.json(cx.conns, Status::BAD_REQUEST, None, cx.scratch.get(..len).unwrap_or_default());
            }
        }
        self.dispatch(cx, reply, None, None, body, envelope)
    }

    /// Hand the body to the server, routing what it writes.
    fn dispatch<S: Storage>(
        &mut self,
        cx: &mut Cx<'_, S>,
        reply: Reply,
        session: Option<usize>,
        session_header: Option<[u8; SESSION_ID]>,
        body: &[u8],
        envelope: &Envelope<'_>,
    ) -> Result<(), Error> {
        self.next_scope = self.next_scope.wrapping_add(1).max(1);
        let mut fresh = Session::new(crate::LogLevel::Info);
        let mut no_subscriptions = [0u8; 0];
        let clock = self.clock;
        let (peer, session_scope) = match session.and_then(|i| self.sessions.get_mut(i)) {
            Some(slot) => {
                slot.last_used = clock;
                let scope = slot.scope;
                (Peer { scope, session: &mut slot.session, subscriptions: &mut slot.subscriptions }, Some(scope))
            }
            None => (Peer { scope: self.next_scope, session: &mut fresh, subscriptions: &mut no_subscriptions }, None),
        };
        let scope = peer.scope;
        let current = Current {
            conn: reply.conn,
            keep_alive: reply.keep_alive,
            http10: reply.http10,
            modern: session.is_none(),
            answered: false,
            session_header,
            session_scope,
        };
        let mut router = Router::new(&mut self.streams, &mut self.pending, cx.conns, cx.scratch, Some(current));
        let outcome = cx.server.receive_for(peer, body, &mut router, cx.handler);
        let answered = router.current.is_some_and(|c| c.answered);
        if !answered {
            // Only a request can be in flight (a client's answer may reuse a call's id).
            let deferred = envelope.method.and(envelope.id).and_then(|id| cx.server.ticket_of(scope, id.raw()));
            match deferred {
                // Answered later: stream until then.
                Some(ticket) => router.open_stream(Owner::Call(ticket))?,
                // A notification, or a client's answer to a question.
                None => reply.status(router.conns, Status::ACCEPTED)?,
            }
        }
        outcome?;
        self.fan_out(cx.server, cx.conns, cx.scratch)
    }

    /// `GET`: a legacy session's stream for messages outside any call.
    fn get(&mut self, conns: &mut dyn Connections, reply: Reply, head: &RequestHead<'_>) -> Result<(), Error> {
        let Some(id) = head.session_id else {
            return reply.head(conns, ResponseHead::new(Status::METHOD_NOT_ALLOWED).allow("POST"));
        };
        let Some(index) = self.find_session(id) else { return reply.status(conns, Status::NOT_FOUND) };
        if !head.accepts_event_stream() {
            return reply.status(conns, Status::NOT_ACCEPTABLE);
        }
        let scope = self.sessions.get(index).map_or(0, |s| s.scope);
        // One stream per session: a new one replaces the old.
        self.end_streams(conns, |owner| owner == Owner::Session(scope));
        let chunked = !reply.http10;
        let framing = if chunked { Framing::Chunked } else { Framing::UntilClose };
        reply.head_open(conns, ResponseHead::new(Status::OK).event_stream().framing(framing))?;
        let stream = Stream { owner: Owner::Session(scope), conn: reply.conn, keep_alive: reply.keep_alive, chunked };
        match self.streams.iter_mut().find(|s| s.is_none()) {
            Some(free) => *free = Some(stream),
            None => finish_stream(conns, &stream),
        }
        Ok(())
    }

    /// `DELETE`: end a legacy session.
    fn delete<S: Storage>(&mut self, cx: &mut Cx<'_, S>, reply: Reply, head: &RequestHead<'_>) -> Result<(), Error> {
        let Some(id) = head.session_id else { return reply.status(cx.conns, Status::BAD_REQUEST) };
        let Some(index) = self.find_session(id) else { return reply.status(cx.conns, Status::NOT_FOUND) };
        self.end_session(cx.server, cx.handler, cx.conns, index);
        reply.status(cx.conns, Status::OK)
    }

    /// The live session `id` of the principal the request comes from.
    fn find_session(&self, id: &[u8]) -> Option<usize> {
        self.sessions.iter().position(|s| s.live && s.id == id && s.principal == self.principal)
    }

    /// A free session slot (ending the least recently used one when all are taken), with
    /// a new id and scope.
    fn open_session<S: Storage>(
        &mut self,
        server: &mut Server<S>,
        handler: &mut dyn Handler,
        conns: &mut dyn Connections,
    ) -> usize {
        let clock = self.clock;
        let index = match self.sessions.iter().position(|s| !s.live) {
            Some(free) => free,
            None => {
                let oldest = self.sessions.iter().enumerate().max_by_key(|(_, s)| clock.wrapping_sub(s.last_used));
                let index = oldest.map_or(0, |(i, _)| i);
                self.end_session(server, handler, conns, index);
                index
            }
        };
        self.made = self.made.wrapping_add(1);
        self.next_scope = self.next_scope.wrapping_add(1).max(1);
        let id = session_id(&self.config.key, self.made);
        if let Some(slot) = self.sessions.get_mut(index) {
            let principal = self.principal;
            *slot = SessionSlot {
                live: true,
                id,
                principal,
                scope: self.next_scope,
                last_used: clock,
                ..SessionSlot::EMPTY
            };
        }
        index
    }

    /// End a session: its calls are dropped and its streams closed.
    fn end_session<S: Storage>(
        &mut self,
        server: &mut Server<S>,
        handler: &mut dyn Handler,
        conns: &mut dyn Connections,
        index: usize,
    ) {
        let Some(slot) = self.sessions.get_mut(index) else { return };
        slot.live = false;
        let scope = slot.scope;
        server.abandon_scope(scope, handler);
        // Streams of calls that are no longer in flight, and the GET stream.
        self.end_streams(conns, |owner| match owner {
            Owner::Session(s) => s == scope,
            Owner::Call(t) => !server.is_live(t),
        });
    }

    fn end_streams(&mut self, conns: &mut dyn Connections, which: impl Fn(Owner) -> bool) {
        for entry in self.streams.iter_mut() {
            if let Some(stream) = entry.filter(|s| which(s.owner)) {
                *entry = None;
                finish_stream(conns, &stream);
            }
        }
    }

    /// Deliver the legacy change notifications the server left for the transport to
    /// every session with a `GET` stream.
    fn fan_out<S: Storage>(
        &mut self,
        server: &mut Server<S>,
        conns: &mut dyn Connections,
        scratch: &mut [u8],
    ) -> Result<(), Error> {
        for index in 0..self.pending.len() {
            let Some(pending) = self.pending.get_mut(index).and_then(Option::take) else { continue };
            let uri = pending.uri.get(..pending.uri_len).and_then(|u| core::str::from_utf8(u).ok()).unwrap_or("");
            let notice = match pending.notice {
                PendingKind::Tools => Notice::ToolsChanged,
                PendingKind::Prompts => Notice::PromptsChanged,
                PendingKind::Resources => Notice::ResourcesChanged,
                PendingKind::Updated => Notice::ResourceUpdated(uri),
            };
            for slot in self.sessions.iter_mut().filter(|s| s.live) {
                let scope = slot.scope;
                if !self.streams.iter().flatten().any(|s| s.owner == Owner::Session(scope)) {
                    continue;
                }
                let mut router = Router::new(&mut self.streams, &mut [], conns, scratch, None);
                router.session_scope = Some(scope);
                let peer = Peer { scope, session: &mut slot.session, subscriptions: &mut slot.subscriptions };
                server.responder_for(peer, &mut router).write_legacy_notice(notice)?;
            }
        }
        Ok(())
    }
}

/// What one call into the endpoint works with: the server, the host's handler, the
/// driver's connections and the message buffer.
struct Cx<'c, S> {
    server: &'c mut Server<S>,
    handler: &'c mut dyn Handler,
    conns: &'c mut dyn Connections,
    scratch: &'c mut [u8],
}

/// What a handler of one request needs to answer it outside a stream.
#[derive(Clone, Copy)]
struct Reply {
    conn: Conn,
    keep_alive: bool,
    http10: bool,
}

impl Reply {
    /// A response with no body.
    fn status(self, conns: &mut dyn Connections, status: Status) -> Result<(), Error> {
        self.head(conns, ResponseHead::new(status))
    }

    /// A complete response made of `head` alone.
    fn head(self, conns: &mut dyn Connections, head: ResponseHead<'_>) -> Result<(), Error> {
        self.head_open(conns, head.close(!self.keep_alive))?;
        conns.finish(self.conn, self.keep_alive);
        Ok(())
    }

    /// Write `head`, leaving the response open.
    fn head_open(self, conns: &mut dyn Connections, head: ResponseHead<'_>) -> Result<(), Error> {
        head.close(!self.keep_alive).write(&mut ConnSink { conns, conn: self.conn })
    }

    /// A complete JSON response.
    fn json(
        self,
        conns: &mut dyn Connections,
        status: Status,
        session: Option<&[u8]>,
        body: &[u8],
    ) -> Result<(), Error> {
        let mut head = ResponseHead::new(status).json(body.len()).close(!self.keep_alive);
        if let Some(id) = session {
            head = head.session_id(id);
        }
        head.write(&mut ConnSink { conns, conn: self.conn })?;
        conns.send(self.conn, body)?;
        conns.finish(self.conn, self.keep_alive);
        Ok(())
    }

    /// A JSON-RPC error as a complete response.
    #[allow(clippy::too_many_arguments)]
    fn error(
        self,
        conns: &mut dyn Connections,
        scratch: &mut [u8],
        status: Status,
        id: Option<Id<'_>>,
        code: i32,
        message: &str,
    ) -> Result<(), Error> {
        let mut cursor = Cursor::new(scratch);
        jsonrpc::error(&mut cursor, id, code, message)?;
        let len = cursor.len;
        self.json(conns, status, None, scratch.get(..len).unwrap_or_default())
    }
}

/// The parts of a request body the endpoint reads before the server does.
struct Envelope<'a> {
    id: Option<Id<'a>>,
    method: Option<Str<'a>>,
    params: Option<json::Object<'a>>,
    meta: Option<Value<'a>>,
}

impl<'a> Envelope<'a> {
    fn read(body: &'a [u8]) -> Self {
        let none = Self { id: None, method: None, params: None, meta: None };
        let Ok(value) = json::parse(body, json::MAX_DEPTH_LIMIT) else { return none };
        match jsonrpc::classify(value) {
            Ok(Message::Request { id, method, params }) => {
                let params = params.and_then(Value::as_object);
                Self { id: Some(id), method: Some(method), params, meta: params.and_then(|p| p.get("_meta")) }
            }
            Ok(Message::Notification { method, params }) => {
                let params = params.and_then(Value::as_object);
                Self { id: None, method: Some(method), params, meta: params.and_then(|p| p.get("_meta")) }
            }
            // A client's answer keeps no id here: an error about the POST itself must not
            // read as the answer to the client's own request with that id.
            _ => none,
        }
    }

    /// Whether it is a request (it has a method and an id).
    fn is_request(&self) -> bool {
        self.id.is_some() && self.method.is_some()
    }

    fn is_initialize(&self) -> bool {
        self.id.is_some() && self.method.is_some_and(|m| m.eq_str("initialize"))
    }
}

/// `text` copied into `buf`, cut at a character boundary when it does not fit.
fn copy_str<'b>(text: &str, buf: &'b mut [u8]) -> &'b str {
    let mut len = text.len().min(buf.len());
    while !text.is_char_boundary(len) {
        len -= 1;
    }
    let Some(dest) = buf.get_mut(..len) else { return "" };
    dest.copy_from_slice(text.as_bytes().get(..len).unwrap_or_default());
    core::str::from_utf8(dest).unwrap_or_default()
}

/// Whether a `MCP-Protocol-Version` header names a legacy revision.
fn is_legacy_version(value: &[u8]) -> bool {
    Revision::ALL.iter().any(|r| !r.is_modern() && r.as_str().as_bytes() == value)
}

/// Whether a JSON string says exactly the bytes of a header value.
fn same_text(s: Str<'_>, header: &[u8]) -> bool {
    let mut buf = [0u8; 256];
    s.to_str(&mut buf).is_some_and(|text| text.as_bytes() == header)
}

/// The `Mcp-Method` / `Mcp-Name` check (`-32020` when they disagree with the body).
fn header_problem(head: &RequestHead<'_>, method: Str<'_>, envelope: &Envelope<'_>) -> Option<&'static str> {
    let Some(header) = head.mcp_method else {
        return Some("Header mismatch: the Mcp-Method header is missing");
    };
    if !same_text(method, header) {
        return Some("Header mismatch: Mcp-Method differs from the body's method");
    }
    let named = if method.eq_str("tools/call") || method.eq_str("prompts/get") {
        Some("name")
    } else if method.eq_str("resources/read") {
        Some("uri")
    } else if method.eq_str("tasks/get") || method.eq_str("tasks/update") || method.eq_str("tasks/cancel") {
        // The tasks extension routes on the task id.
        Some("taskId")
    } else {
        None
    };
    if let Some(key) = named {
        let Some(header) = head.mcp_name else {
            return Some("Header mismatch: the Mcp-Name header is missing");
        };
        let mut buf = [0u8; 512];
        let decoded = decode_value(header, &mut buf).ok();
        let body = envelope.params.and_then(|p| p.get(key)).and_then(Value::as_str);
        if decoded.is_none_or(|h| body.is_none_or(|b| !same_text(b, h))) {
            return Some("Header mismatch: Mcp-Name differs from the body");
        }
    }
    None
}

/// A session id: 32 hex digits derived from the key and a counter.
fn session_id(key: &[u8; 32], n: u64) -> [u8; SESSION_ID] {
    let digest = Sha256::new().chain_update(key).chain_update(n.to_le_bytes()).finalize();
    let mut id = [0u8; SESSION_ID];
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for (pair, byte) in id.chunks_mut(2).zip(digest.iter()) {
        if let [hi, lo] = pair {
            *hi = HEX.get(usize::from(byte >> 4)).copied().unwrap_or(b'0');
            *lo = HEX.get(usize::from(byte & 15)).copied().unwrap_or(b'0');
        }
    }
    id
}

/// End an event stream: the last chunk, then the connection's next request (or close).
fn finish_stream(conns: &mut dyn Connections, stream: &Stream) {
    if stream.chunked {
        let _ = write_last_chunk(&mut ConnSink { conns, conn: stream.conn });
        conns.finish(stream.conn, stream.keep_alive);
    } else {
        conns.finish(stream.conn, false);
    }
}

/// A [`Sink`] onto one connection.
struct ConnSink<'c> {
    conns: &'c mut dyn Connections,
    conn: Conn,
}

impl Sink for ConnSink<'_> {
    fn write(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.conns.send(self.conn, bytes)
    }
}

/// The sink the server writes into: collects one message at a time and sends it where
/// its [`Route`] says.
struct Router<'r> {
    streams: &'r mut [Option<Stream>],
    pending: &'r mut [Option<Pending>],
    conns: &'r mut dyn Connections,
    buf: &'r mut [u8],
    len: usize,
    overflow: bool,
    route: Route,
    current: Option<Current>,
    session_scope: Option<u32>,
}

impl<'r> Router<'r> {
    fn new(
        streams: &'r mut [Option<Stream>],
        pending: &'r mut [Option<Pending>],
        conns: &'r mut dyn Connections,
        buf: &'r mut [u8],
        current: Option<Current>,
    ) -> Self {
        let session_scope = current.and_then(|c| c.session_scope);
        Self { streams, pending, conns, buf, len: 0, overflow: false, route: Route::Reply, current, session_scope }
    }

    fn stream_of(&self, owner: Owner) -> Option<usize> {
        self.streams.iter().position(|s| s.is_some_and(|s| s.owner == owner))
    }

    /// Start an event stream on the current request's connection for `owner`.
    fn open_stream(&mut self, owner: Owner) -> Result<(), Error> {
        let Some(current) = self.current.as_mut() else { return Ok(()) };
        current.answered = true;
        let current = *current;
        let chunked = !current.http10;
        let framing = if chunked { Framing::Chunked } else { Framing::UntilClose };
        let mut head = ResponseHead::new(Status::OK).event_stream().framing(framing).close(!current.keep_alive);
        let session = current.session_header;
        if let Some(id) = session.as_ref() {
            head = head.session_id(id);
        }
        head.write(&mut ConnSink { conns: self.conns, conn: current.conn })?;
        let stream = Stream { owner, conn: current.conn, keep_alive: current.keep_alive, chunked };
        match self.streams.iter_mut().find(|s| s.is_none()) {
            Some(free) => *free = Some(stream),
            // No room to keep it: the client sees the stream end.
            None => finish_stream(self.conns, &stream),
        }
        Ok(())
    }

    /// Send the collected message on stream `index`, ending the stream when `last`.
    fn on_stream(&mut self, index: usize, last: bool) -> Result<(), Error> {
        let Some(stream) = self.streams.get(index).copied().flatten() else { return Ok(()) };
        let message = self.buf.get(..self.len).unwrap_or_default();
        let event = SseEvent::message(message);
        let mut sink = ConnSink { conns: self.conns, conn: stream.conn };
        let sent = if stream.chunked { event.write_chunk(&mut sink) } else { event.write(&mut sink) };
        if last || sent.is_err() {
            if let Some(entry) = self.streams.get_mut(index) {
                *entry = None;
            }
            finish_stream(self.conns, &stream);
        }
        Ok(())
    }

    /// Send the collected message as the current request's answer or on its stream.
    fn send_current(&mut self, owner: Option<Owner>, last: bool) -> Result<(), Error> {
        let Some(current) = self.current else { return Ok(()) };
        if !current.answered && last {
            if let Some(c) = self.current.as_mut() {
                c.answered = true;
            }
            let message = self.buf.get(..self.len).unwrap_or_default();
            let error = error_code(message);
            let status =
                match error {
                    Some(code::METHOD_NOT_FOUND) if current.modern => Status::NOT_FOUND,
                    Some(
                        code::MISSING_CLIENT_CAPABILITY | code::UNSUPPORTED_PROTOCOL_VERSION | code::HEADER_MISMATCH,
                    ) if current.modern => Status::BAD_REQUEST,
                    _ => Status::OK,
                };
            let session = current.session_header.filter(|_| error.is_none());
            let reply = Reply { conn: current.conn, keep_alive: current.keep_alive, http10: current.http10 };
            return reply.json(self.conns, status, session.as_ref().map(|s| &s[..]), message);
        }
        let owner = owner.unwrap_or(Owner::Session(0));
        if self.stream_of(owner).is_none() {
            if current.answered {
                return Ok(());
            }
            self.open_stream(owner)?;
        }
        match self.stream_of(owner) {
            Some(index) => self.on_stream(index, last),
            None => Ok(()),
        }
    }

    /// A message did not fit the buffer: an answer becomes a 500 (or, on a stream, the
    /// stream ends without it); a notification is dropped.
    fn overflowed(&mut self) {
        let call = match self.route {
            Route::Reply => None,
            Route::Answer(t) => Some(t),
            _ => return,
        };
        if let Some(index) = call.and_then(|t| self.stream_of(Owner::Call(t))) {
            if let Some(stream) = self.streams.get_mut(index).and_then(Option::take) {
                finish_stream(self.conns, &stream);
            }
            return;
        }
        if let Some(current) = self.current.as_mut().filter(|c| !c.answered) {
            current.answered = true;
            let reply = Reply { conn: current.conn, keep_alive: current.keep_alive, http10: current.http10 };
            let _ = reply.status(self.conns, Status::INTERNAL_SERVER_ERROR);
        }
    }

    /// Deliver the collected message.
    fn deliver(&mut self) -> Result<(), Error> {
        match self.route {
            Route::Reply => self.send_current(None, true),
            Route::Answer(t) | Route::Related(t) => {
                let last = matches!(self.route, Route::Answer(_));
                match self.stream_of(Owner::Call(t)) {
                    Some(index) => self.on_stream(index, last),
                    None => self.send_current(Some(Owner::Call(t)), last),
                }
            }
            Route::Session => match self.session_scope.and_then(|s| self.stream_of(Owner::Session(s))) {
                Some(index) => self.on_stream(index, false),
                None => Ok(()),
            },
            Route::Ended(_) => Ok(()),
        }
    }
}

impl Sink for Router<'_> {
    fn write(&mut self, bytes: &[u8]) -> Result<(), Error> {
        match self.buf.get_mut(self.len..self.len + bytes.len()) {
            Some(dst) => {
                dst.copy_from_slice(bytes);
                self.len += bytes.len();
            }
            None => self.overflow = true,
        }
        Ok(())
    }

    fn begin_message(&mut self) -> Result<(), Error> {
        self.len = 0;
        self.overflow = false;
        Ok(())
    }

    fn end_message(&mut self) -> Result<(), Error> {
        if self.overflow {
            // Larger than the message buffer: nothing half-written goes out, but the
            // client learns its request failed.
            self.overflowed();
            return Ok(());
        }
        self.deliver()
    }

    fn route(&mut self, route: Route) {
        if let Route::Ended(ticket) = route {
            if let Some(index) = self.stream_of(Owner::Call(ticket)) {
                if let Some(stream) = self.streams.get_mut(index).and_then(Option::take) {
                    finish_stream(self.conns, &stream);
                }
            }
        }
        self.route = route;
    }

    fn notice(&mut self, notice: Notice<'_>) -> Result<bool, Error> {
        let (kind, uri) = match notice {
            Notice::ToolsChanged => (PendingKind::Tools, ""),
            Notice::PromptsChanged => (PendingKind::Prompts, ""),
            Notice::ResourcesChanged => (PendingKind::Resources, ""),
            Notice::ResourceUpdated(uri) => (PendingKind::Updated, uri),
        };
        let mut pending = Pending { notice: kind, uri: [0; PENDING_URI], uri_len: uri.len() };
        let Some(dst) = pending.uri.get_mut(..uri.len()) else { return Ok(true) };
        dst.copy_from_slice(uri.as_bytes());
        let same =
            |p: &Option<Pending>| p.is_some_and(|p| p.notice == kind && p.uri.get(..p.uri_len) == Some(uri.as_bytes()));
        if !self.pending.iter().any(same) {
            if let Some(free) = self.pending.iter_mut().find(|p| p.is_none()) {
                *free = Some(pending);
            }
        }
        Ok(true)
    }
}

/// The `error.code` of a JSON-RPC message, if it is an error.
fn error_code(message: &[u8]) -> Option<i32> {
    let value = json::parse(message, 8).ok()?;
    let code = value.as_object()?.get("error")?.as_object()?.get("code")?.as_i64()?;
    i32::try_from(code).ok()
}
