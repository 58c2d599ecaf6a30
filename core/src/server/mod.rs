//! The server API: descriptors in, calls out, answers through a [`Responder`].

mod content;
mod dispatch;
mod handler;
mod lists;
mod registry;
mod responder;
pub mod schema;
pub mod uri_template;

use core::time::Duration;

pub use content::{Body, Content, Data, ResourceContents, ResourceLink};
pub use handler::{
    ArgError, Arguments, CompletionRef, CompletionRequest, Handler, PromptGet, ReadTarget, RequestInfo, ResourceRead,
    ToolCall,
};
pub use registry::{
    Features, Icon, Implementation, Prompt, PromptArgument, Registry, RegistryError, Resource, ResourceTemplate,
    ServerInfo, StaticRegistry, Theme, Tool, ToolAnnotations, check_registry,
};
pub use responder::{Completions, Contents, MAX_COMPLETIONS, Messages, Responder, Role, ToolResult};

use crate::json;
use crate::protocol::{LogLevel, Revision, Session, Storage, inflight};
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
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Self::new()
    }
}

/// Longest `{"name":…,"version":…}` kept for result `_meta` (longer identities are left out).
const IDENTITY_CAP: usize = 160;

/// Server state apart from the host's storage.
pub(crate) struct State {
    pub(crate) config: Config,
    pub(crate) session: Session,
    /// `{"name":…,"version":…}` rendered once, for result `_meta`.
    identity: heapless::Vec<u8, IDENTITY_CAP>,
    /// The registry generation last looked at (identity rendered, descriptors checked).
    seen_generation: Option<u64>,
    /// The registry generation whose descriptors passed `check_registry`.
    pub(crate) checked_generation: Option<u64>,
}

/// A sink into a fixed `heapless::Vec`; overflow is an error.
struct VecSink<'a, const N: usize>(&'a mut heapless::Vec<u8, N>);

impl<const N: usize> Sink for VecSink<'_, N> {
    fn write(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.0.extend_from_slice(bytes).map_err(|_| Error::Io)
    }
}

impl State {
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
            if self.config.server_info_in_results {
                if let Some(info) = info {
                    out.write(b",\"_meta\":{\"io.modelcontextprotocol/serverInfo\":")?;
                    lists::implementation(out, info)?;
                    out.write(b"}")?;
                } else if !self.identity.is_empty() {
                    out.write(b",\"_meta\":{\"io.modelcontextprotocol/serverInfo\":")?;
                    out.write(&self.identity)?;
                    out.write(b"}")?;
                }
            }
        }
        out.write(b"}")
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
}

impl<S: Storage> Server<S> {
    /// A server over `storage` with `config`.
    pub const fn new(storage: S, config: Config) -> Self {
        Self {
            storage,
            state: State {
                session: Session::new(config.log_level),
                config,
                identity: heapless::Vec::new(),
                seen_generation: None,
                checked_generation: None,
            },
        }
    }

    /// A responder writing to `out`: answer deferred calls, report progress, log, notify.
    pub fn responder<'a>(&'a mut self, out: &'a mut dyn Sink) -> Responder<'a> {
        let (slots, subscriptions) = self.storage.parts();
        Responder { slots, subscriptions, state: &mut self.state, out }
    }

    /// Handle one complete frame (one JSON text: a message, or a batch where the revision
    /// has them). Replies and notifications are written to `out`; calls go to `handler`.
    ///
    /// Errors are only the output's ([`Error::Io`]): bad input is answered on the wire.
    pub fn receive(&mut self, frame: &[u8], out: &mut dyn Sink, handler: &mut dyn Handler) -> Result<(), Error> {
        self.state.observe(handler.registry());
        self.responder(out).receive(frame, handler)
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

    /// Let the handler do deferred work (see [`Handler::poll`]).
    pub fn poll(&mut self, out: &mut dyn Sink, handler: &mut dyn Handler) -> Result<Option<Duration>, Error> {
        handler.poll(&mut self.responder(out))
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
        self.state.session = Session::new(self.state.config.log_level);
    }
}
