//! The server API: descriptors in, calls out, answers through a [`Responder`].

pub(crate) mod access;
mod content;
mod dispatch;
mod draft;
mod handler;
mod input;
mod lists;
mod registry;
mod responder;
pub mod schema;
pub(crate) mod tasks;
pub mod uri_template;

use core::time::Duration;

pub use access::{Item, Principal};
pub use content::{Body, Content, Data, ResourceContents, ResourceLink};
#[cfg(feature = "http")]
pub(crate) use dispatch::unsupported_version;
pub use draft::Draft;
pub use handler::{
    ArgError, Arguments, CompletionRef, CompletionRequest, Handler, PromptGet, ReadTarget, RequestInfo, ResourceRead,
    ToolCall,
};
pub use input::{Answer, Input, InputMethod, InputRequests};
pub use registry::{
    Features, Icon, Implementation, Prompt, PromptArgument, Registry, RegistryError, Resource, ResourceTemplate,
    ServerInfo, StaticRegistry, TaskSupport, Theme, Tool, ToolAnnotations, check_registry,
};
pub use responder::{Completions, Contents, MAX_COMPLETIONS, Messages, Responder, Role, ToolResult};
pub use tasks::TaskAnswer;

use crate::json;
use crate::protocol::{CallKind, LogLevel, Revision, Session, Storage, Ticket, inflight};
use crate::{Error, Sink};

/// Who may cache a result (`cacheScope`, 2026-07-28).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CacheScope {
    /// Any client or shared intermediary.
    Public,
    /// Only within the same authorization context.
    Private,
}

/// Caching hints for a kind of result (`ttlMs` and `cacheScope`, 2026-07-28).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cache {
    /// How long the client may reuse the result, in milliseconds (0: re-fetch every time).
    pub ttl_ms: u32,
    /// Who may cache it.
    pub scope: CacheScope,
}

/// Settings of a [`Server`]. Every field has a default ([`Config::new`]).
#[derive(Clone, Copy, Debug)]
pub struct Config {
    /// Entries per page of `tools/list`, `resources/list`, `resources/templates/list` and
    /// `prompts/list`; 0 sends everything in one page. Default 0.
    pub page_size: usize,
    /// How deep objects and arrays may nest in a request (deeper gets a parse error).
    /// Default 64, at most [`json::MAX_DEPTH_LIMIT`].
    pub max_depth: usize,
    /// Caching hints on list results. Default 0 ms, public.
    pub list_cache: Cache,
    /// Caching hints on `resources/read` results. Default 0 ms, private.
    pub read_cache: Cache,
    /// Caching hints on `server/discover` results. Default 0 ms, public.
    pub discover_cache: Cache,
    /// The lowest log level sent to a legacy client before it calls `logging/setLevel`.
    /// Default `Info`.
    pub log_level: LogLevel,
    /// Whether 2026-07-28 results carry `_meta["io.modelcontextprotocol/serverInfo"]`
    /// (the revision asks for it on every response). Default true.
    pub server_info_in_results: bool,
    /// The key `requestState` texts are signed with (HMAC-SHA256), so a client cannot
    /// forge or alter them. Default all zeros: set a secret, random key per server (the
    /// std drivers do).
    pub state_key: [u8; 32],
    /// How many `subscriptions/listen` streams may be open at once; opening one more ends
    /// the oldest. Default 4. They share the request slots with calls.
    pub max_listens: usize,
}

impl Config {
    /// The defaults.
    pub const fn new() -> Self {
        Self {
            page_size: 0,
            max_depth: 64,
            list_cache: Cache { ttl_ms: 0, scope: CacheScope::Public },
            read_cache: Cache { ttl_ms: 0, scope: CacheScope::Private },
            discover_cache: Cache { ttl_ms: 0, scope: CacheScope::Public },
            log_level: LogLevel::Info,
            server_info_in_results: true,
            state_key: [0; 32],
            max_listens: 4,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Self::new()
    }
}

/// A conversation the server keeps legacy state for: its session and subscriptions.
/// stdio has one (the server's own); the HTTP endpoint keeps one per session.
#[cfg(feature = "http")]
pub(crate) struct Peer<'a> {
    /// Tells the conversation's requests apart from others' with the same ids.
    pub(crate) scope: u32,
    pub(crate) session: &'a mut Session,
    pub(crate) subscriptions: &'a mut [u8],
}

/// Longest `{"name":…,"version":…}` kept for result `_meta` (longer identities are left out).
const IDENTITY_CAP: usize = 160;

/// Server state apart from the host's storage.
pub(crate) struct State {
    pub(crate) config: Config,
    /// Counts admissions (orders listen streams by age).
    pub(crate) admitted: u32,
    /// The id of the last request sent to a client (ids start at 1).
    pub(crate) last_asked: u32,
    /// `{"name":…,"version":…}` rendered once, for result `_meta`.
    identity: heapless::Vec<u8, IDENTITY_CAP>,
    /// The registry generation last looked at (identity rendered, descriptors checked).
    seen_generation: Option<u64>,
    /// The registry generation whose descriptors passed `check_registry`.
    pub(crate) checked_generation: Option<u64>,
    /// Who the requests being received come from.
    #[cfg(feature = "access")]
    pub(crate) principal: access::Principal,
}

/// A sink into a fixed `heapless::Vec`; overflow is an error.
struct VecSink<'a, const N: usize>(&'a mut heapless::Vec<u8, N>);

impl<const N: usize> Sink for VecSink<'_, N> {
    fn write(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.0.extend_from_slice(bytes).map_err(|_| Error::Io)
    }
}

impl State {
    /// Who the request being served comes from (always anonymous without `access`).
    #[inline(always)]
    pub(crate) fn principal(&self) -> access::Principal {
        #[cfg(feature = "access")]
        return self.principal;
        #[cfg(not(feature = "access"))]
        access::Principal::ANONYMOUS
    }

    /// Look at a registry generation once: render the identity, check the descriptors.
    fn observe(&mut self, reg: &dyn Registry) {
        let generation = reg.generation();
        if self.seen_generation == Some(generation) {
            return;
        }
        self.seen_generation = Some(generation);
        self.checked_generation = check_registry(reg).is_ok().then_some(generation);
        self.render_identity(&reg.info().implementation);
    }

    fn render_identity(&mut self, info: &Implementation<'_>) {
        self.identity.clear();
        let mut sink = VecSink(&mut self.identity);
        let ok = (|| {
            sink.write(b"{\"name\":")?;
            json::string(&mut sink, info.name)?;
            sink.write(b",\"version\":")?;
            json::string(&mut sink, info.version)?;
            sink.write(b"}")
        })();
        if ok.is_err() {
            self.identity.clear();
        }
    }

    /// Close a result object: the fields 2026-07-28 wants on every result, then `}`.
    pub(crate) fn trailer(&self, out: &mut dyn Sink, revision: Revision, cache: Option<Cache>) -> Result<(), Error> {
        self.trailer_with(out, revision, cache, None)
    }

    /// [`State::trailer`], with a full `serverInfo` instead of the rendered identity.
    pub(crate) fn trailer_with(
        &self,
        out: &mut dyn Sink,
        revision: Revision,
        cache: Option<Cache>,
        info: Option<&Implementation<'_>>,
    ) -> Result<(), Error> {
        if revision.is_modern() {
            out.write(b",\"resultType\":\"complete\"")?;
            if let Some(cache) = cache {
                out.write(b",\"ttlMs\":")?;
                json::u64(out, u64::from(cache.ttl_ms))?;
                out.write(match cache.scope {
                    CacheScope::Public => b",\"cacheScope\":\"public\"",
                    CacheScope::Private => b",\"cacheScope\":\"private\"",
                })?;
            }
            match info {
                Some(info) if self.config.server_info_in_results => {
                    out.write(b",\"_meta\":{\"io.modelcontextprotocol/serverInfo\":")?;
                    lists::implementation(out, info)?;
                    out.write(b"}")?;
                }
                _ => self.identity_meta(out)?,
            }
        }
        out.write(b"}")
    }

    /// `,"_meta":{"io.modelcontextprotocol/serverInfo":…}` for a 2026-07-28 result, when
    /// configured and the identity is known.
    pub(crate) fn identity_meta(&self, out: &mut dyn Sink) -> Result<(), Error> {
        if self.config.server_info_in_results && !self.identity.is_empty() {
            out.write(b",\"_meta\":{\"io.modelcontextprotocol/serverInfo\":")?;
            out.write(&self.identity)?;
            out.write(b"}")?;
        }
        Ok(())
    }
}

/// An MCP server: the protocol state machine, sans-IO.
///
/// Feed it complete frames with [`Server::receive`]; it answers what it can by itself
/// (handshakes, lists, errors) and hands calls to your [`Handler`]. Replies go to the
/// [`Sink`] you pass along. It never allocates, never blocks and never panics; its
/// capacity is the [`Storage`] you give it.
///
/// ```
/// use picomcp::{Buffers, Config, Server};
/// let server: Server<Buffers<4, 256>> = Server::new(Buffers::new(), Config::new());
/// assert_eq!(server.in_flight(), 0);
/// ```
pub struct Server<S> {
    storage: S,
    state: State,
    /// The legacy session of a single-connection transport (stdio); HTTP keeps one per
    /// session and lends it with each request.
    session: Session,
}

impl<S: Storage> Server<S> {
    /// A server over `storage` with `config`.
    pub const fn new(storage: S, config: Config) -> Self {
        Self {
            storage,
            session: Session::new(config.log_level),
            state: State {
                admitted: 0,
                last_asked: 0,
                config,
                identity: heapless::Vec::new(),
                seen_generation: None,
                checked_generation: None,
                #[cfg(feature = "access")]
                principal: access::Principal::ANONYMOUS,
            },
        }
    }

    /// A responder writing to `out`: answer deferred calls, report progress, log, notify.
    pub fn responder<'a>(&'a mut self, out: &'a mut dyn Sink) -> Responder<'a> {
        let (slots, subscriptions, tasks) = self.storage.parts_and_tasks();
        Responder { slots, subscriptions, session: &mut self.session, scope: 0, state: &mut self.state, out, tasks }
    }

    #[cfg(feature = "http")]
    /// A responder for the conversation `peer` (an HTTP session or stream).
    pub(crate) fn responder_for<'a>(&'a mut self, peer: Peer<'a>, out: &'a mut dyn Sink) -> Responder<'a> {
        let (slots, _, tasks) = self.storage.parts_and_tasks();
        Responder {
            slots,
            subscriptions: peer.subscriptions,
            session: peer.session,
            scope: peer.scope,
            state: &mut self.state,
            out,
            tasks,
        }
    }

    #[cfg(feature = "http")]
    /// [`Server::receive`] for the conversation `peer`.
    pub(crate) fn receive_for(
        &mut self,
        peer: Peer<'_>,
        frame: &[u8],
        out: &mut dyn Sink,
        handler: &mut dyn Handler,
    ) -> Result<(), Error> {
        self.state.observe(handler.registry());
        let mut r = self.responder_for(peer, out);
        // Storage without a task table gives `None` here, known at compile time: the tasks
        // engine is then neither called nor linked.
        match r.task_engine() {
            Some(engine) => engine.receive(&mut r, frame, handler),
            None => r.receive(frame, handler),
        }
    }

    #[cfg(feature = "http")]
    /// The call in flight for request `id` (its exact JSON text) of conversation `scope`.
    pub(crate) fn ticket_of(&self, scope: u32, id: &[u8]) -> Option<Ticket> {
        inflight::find(self.storage.slots(), scope, id)
    }

    /// Give the server a random key for signing `requestState` when its configured key is
    /// all zeros (see [`Config::state_key`]).
    #[cfg(feature = "std")]
    pub fn ensure_state_key(&mut self) {
        if self.state.config.state_key == [0; 32] {
            self.state.config.state_key = crate::random_key();
        }
    }

    /// Say who the requests received from now on come from (feature `access`): lists,
    /// calls, reads, prompts and completions then show only what
    /// [`Registry::visible`] lets `principal` see, and calls carry it in
    /// [`RequestInfo::principal`]. The HTTP endpoint sets it per request from
    /// [`Handler::authorize`]. Default [`Principal::ANONYMOUS`].
    #[cfg(feature = "access")]
    pub fn set_principal(&mut self, principal: Principal) {
        self.state.principal = principal;
    }

    /// Who the requests being received come from (see [`Server::set_principal`]).
    #[cfg(feature = "access")]
    pub fn principal(&self) -> Principal {
        self.state.principal
    }

    /// Whether `ticket` still names a call in flight.
    pub fn is_live(&self, ticket: Ticket) -> bool {
        inflight::live_tickets(self.storage.slots()).any(|(t, _)| t == ticket)
    }

    /// What kind of request `ticket` names, while it is live.
    pub fn ticket_kind(&self, ticket: Ticket) -> Option<CallKind> {
        inflight::live_tickets(self.storage.slots()).find(|(t, _)| *t == ticket).map(|(_, slot)| slot.kind())
    }

    #[cfg(feature = "http")]
    /// Drop every call of conversation `scope` (its HTTP session ended); the handler
    /// hears [`Handler::cancelled`] for each.
    pub(crate) fn abandon_scope(&mut self, scope: u32, handler: &mut dyn Handler) {
        let (slots, _) = self.storage.parts();
        loop {
            let found = inflight::live_tickets(slots).find(|(_, s)| s.scope() == scope).map(|(t, _)| t);
            let Some(ticket) = found else { break };
            inflight::release(slots, ticket);
            handler.cancelled(ticket);
        }
    }

    /// Drop a call whose client went away (its stream closed): the handler hears
    /// [`Handler::cancelled`], nothing is written.
    pub fn abandon(&mut self, ticket: Ticket, handler: &mut dyn Handler) {
        let (slots, _) = self.storage.parts();
        if inflight::get(slots, ticket).is_some() {
            inflight::release(slots, ticket);
            handler.cancelled(ticket);
        }
    }

    /// Handle one complete frame (one JSON text: a message, or a batch where the revision
    /// has them). Replies and notifications are written to `out`; calls go to `handler`.
    ///
    /// Errors are only the output's ([`Error::Io`]): bad input is answered on the wire.
    pub fn receive(&mut self, frame: &[u8], out: &mut dyn Sink, handler: &mut dyn Handler) -> Result<(), Error> {
        self.state.observe(handler.registry());
        let mut r = self.responder(out);
        // Storage without a task table gives `None` here, known at compile time: the tasks
        // engine is then neither called nor linked.
        match r.task_engine() {
            Some(engine) => engine.receive(&mut r, frame, handler),
            None => r.receive(frame, handler),
        }
    }

    /// Answer a frame the transport had to drop because it was longer than `limit` bytes.
    pub fn reject_oversized(&mut self, limit: usize, out: &mut dyn Sink) -> Result<(), Error> {
        crate::jsonrpc::error_with(
            out,
            None,
            crate::jsonrpc::code::INVALID_REQUEST,
            &mut |o| o.write(b"Invalid request: message longer than the server's input buffer"),
            Some(&mut |v| v.object(|o| o.integer("limit", limit as i64))),
        )
    }

    /// Answer the request in `frame` whose answer did not fit the transport's output space
    /// (`limit` bytes; the transport took back what was written of it): a JSON-RPC
    /// internal error with `data: {"limit": …}`, so the client is not left waiting. Its
    /// call, if still in flight, is dropped (the handler hears [`Handler::cancelled`]).
    /// A frame that is not one request gets nothing.
    pub fn reject_unfitting(
        &mut self,
        frame: &[u8],
        limit: usize,
        out: &mut dyn Sink,
        handler: &mut dyn Handler,
    ) -> Result<(), Error> {
        let Ok(value) = json::parse(frame, self.state.config.max_depth) else { return Ok(()) };
        let Ok(crate::jsonrpc::Message::Request { id, .. }) = crate::jsonrpc::classify(value) else { return Ok(()) };
        let (slots, _) = self.storage.parts();
        if let Some(ticket) = inflight::find(slots, 0, id.raw()) {
            inflight::release(slots, ticket);
            handler.cancelled(ticket);
        }
        crate::jsonrpc::error_with(
            out,
            Some(id),
            crate::jsonrpc::code::INTERNAL_ERROR,
            &mut |o| o.write(b"Internal error: the answer is larger than the server's free output space"),
            Some(&mut |v| v.object(|o| o.integer("limit", limit as i64))),
        )
    }

    /// Let the handler do deferred work (see [`Handler::poll`]).
    pub fn poll(&mut self, out: &mut dyn Sink, handler: &mut dyn Handler) -> Result<Option<Duration>, Error> {
        handler.poll(&mut self.responder(out))
    }

    /// Whether every request slot is taken (a new call would be refused).
    pub fn is_full(&self) -> bool {
        let slots = self.storage.slots();
        inflight::count(slots) >= slots.len()
    }

    /// How many requests are waiting for the host's answer.
    pub fn in_flight(&self) -> usize {
        inflight::count(self.storage.slots())
    }

    /// Forget the connection: the legacy session, subscriptions and every request in
    /// flight (their tickets become stale). For a transport that starts a new connection.
    pub fn reset(&mut self) {
        let (slots, subscriptions) = self.storage.parts();
        inflight::release_all(slots);
        crate::protocol::Subscriptions::new(subscriptions).clear();
        self.session = Session::new(self.state.config.log_level);
    }
}
