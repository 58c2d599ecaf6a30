//! [`Engine`]: the core server with an owned catalog, serving stdio or HTTP sans-IO, its
//! calls handed out as events and answered by ticket.

use picomcp::framing::{Line, LineBuffer};
use picomcp::http::Conn;
use picomcp::{Config, Error, Sink, Ticket};

use crate::Fault;
use crate::access::{AuthConfig, Decision, Grant};
use crate::answer::Answer;
use crate::catalog::{Catalog, Kind, PromptDesc, ResourceDesc, ToolDesc};
use crate::host::{Event, Host, Inbox};
use crate::http::Http;
use crate::storage::{Heap, random_key};

fn state(message: &str) -> Fault {
    Fault::State(message.to_owned())
}

/// The engine's sizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Requests in flight at once (1 to 65536); past it, calls are refused with -32603.
    pub max_requests: usize,
    /// Items per page of a list (0: everything on one page).
    pub page_size: usize,
    /// The longest stdio line and HTTP body accepted, in bytes (at least 64).
    pub max_line: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self { max_requests: 64, page_size: 0, max_line: 1 << 20 }
    }
}

/// Which transport the engine serves; chosen by the first `receive` or `http_open`.
enum Mode {
    /// Not serving yet.
    Idle,
    /// Newline-delimited stdio.
    Stdio { lines: LineBuffer<Vec<u8>>, out: Vec<u8> },
    /// Streamable HTTP.
    Http(Box<Http>),
}

/// A sink that drops everything (for queries through a responder).
struct Discard;

impl Sink for Discard {
    fn write(&mut self, _: &[u8]) -> Result<(), Error> {
        Ok(())
    }
}

/// The core's protocol engine with owned descriptors, sans-IO, driven from one thread.
pub struct Engine {
    catalog: Catalog,
    inbox: Inbox,
    core: picomcp::Server<Heap>,
    mode: Mode,
    max_line: usize,
    /// Stdio input not yet framed ([`Engine::feed`]), from `pending_at` on.
    pending: Vec<u8>,
    pending_at: usize,
}

impl Engine {
    /// An engine for a server called `name`, at `version`, with optional `instructions`.
    pub fn new(name: String, version: String, instructions: Option<String>, limits: Limits) -> Result<Self, Fault> {
        let invalid = |m: &str| Err(Fault::Invalid(m.to_owned()));
        if name.is_empty() {
            return invalid("the server name is empty");
        }
        if limits.max_requests == 0 || limits.max_requests > 1 << 16 {
            return invalid("max_requests must be between 1 and 65536");
        }
        if limits.max_line < 64 {
            return invalid("max_line must be at least 64");
        }
        let config = Config { page_size: limits.page_size, ..Config::new() };
        Ok(Self {
            catalog: Catalog::new(name, version, instructions),
            inbox: Inbox::default(),
            core: picomcp::Server::new(Heap::new(limits.max_requests), config),
            mode: Mode::Idle,
            max_line: limits.max_line,
            pending: Vec::new(),
            pending_at: 0,
        })
    }

    /// Whether serving has started (stdio or HTTP).
    pub fn is_serving(&self) -> bool {
        !matches!(self.mode, Mode::Idle)
    }

    /// Register a tool; its id.
    pub fn add_tool(&mut self, tool: ToolDesc) -> Result<usize, Fault> {
        self.catalog.add_tool(tool)
    }

    /// Register a fixed resource; its id.
    pub fn add_resource(&mut self, resource: ResourceDesc) -> Result<usize, Fault> {
        self.catalog.add_resource(resource)
    }

    /// Register a resource template (`uri` holds the template); its id.
    pub fn add_template(&mut self, template: ResourceDesc) -> Result<usize, Fault> {
        self.catalog.add_template(template)
    }

    /// Register a prompt; its id.
    pub fn add_prompt(&mut self, prompt: PromptDesc) -> Result<usize, Fault> {
        self.catalog.add_prompt(prompt)
    }

    /// Offer `completion/complete`.
    pub fn enable_completions(&mut self) {
        self.catalog.enable_completions();
    }

    /// The registered descriptors.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// List or hide descriptor `id` of `kind`; while serving, a change is announced
    /// (`list_changed`, where the session's revision has it).
    pub fn set_enabled(&mut self, kind: Kind, id: usize, enabled: bool) -> Result<(), Fault> {
        if self.catalog.set_enabled(kind, id, enabled)? {
            self.list_changed(kind)?;
        }
        Ok(())
    }

    /// Remove descriptor `id` of `kind`; announced like [`Engine::set_enabled`].
    pub fn remove(&mut self, kind: Kind, id: usize) -> Result<(), Fault> {
        if self.catalog.remove(kind, id)? {
            self.list_changed(kind)?;
        }
        Ok(())
    }

    /// Tell clients the list of `kind` changed (nothing before serving starts).
    pub fn list_changed(&mut self, kind: Kind) -> Result<(), Fault> {
        self.send(None, Answer::ListChanged(kind)).map(|_| ())
    }

    /// Start serving stdio, if nothing was started yet.
    fn stdio(&mut self) -> Result<(), Fault> {
        match self.mode {
            Mode::Idle => {
                self.core.ensure_state_key();
                self.mode = Mode::Stdio { lines: LineBuffer::new(vec![0; self.max_line]), out: Vec::new() };
                Ok(())
            }
            Mode::Stdio { .. } => Ok(()),
            Mode::Http(_) => Err(state("this server serves HTTP: use the http methods")),
        }
    }

    fn http(&mut self) -> Result<&mut Http, Fault> {
        if let Mode::Idle = self.mode {
            self.core.ensure_state_key();
            self.mode = Mode::Http(Box::new(Http::new(random_key(), self.max_line)));
        }
        match &mut self.mode {
            Mode::Http(http) => Ok(http),
            _ => Err(state("this server serves stdio: use receive and take_output")),
        }
    }

    fn http_conn(&mut self, conn: Conn) -> Result<(), Fault> {
        if self.http()?.is_open(conn) { Ok(()) } else { Err(state("unknown or closed HTTP connection")) }
    }

    /// Feed stdio input bytes (any split): every complete line is handled now.
    pub fn receive(&mut self, data: &[u8]) -> Result<(), Fault> {
        self.stdio()?;
        let Self { catalog, inbox, core, mode, .. } = self;
        let Mode::Stdio { lines, out } = mode else { return Ok(()) };
        let mut host = Host::new(catalog, inbox);
        let mut rest = data;
        while !rest.is_empty() {
            let space = lines.space();
            let n = space.len().min(rest.len());
            space[..n].copy_from_slice(&rest[..n]);
            lines.commit(n);
            rest = &rest[n..];
            while let Some(line) = lines.next_line() {
                // A Vec never fails to take output: the results carry nothing.
                let _ = match line {
                    Line::Frame(frame) => core.receive(frame, out, &mut host),
                    Line::TooLong => core.reject_oversized(lines.capacity(), out),
                };
            }
        }
        Ok(())
    }

    /// Feed stdio input bytes (any split), handling complete lines only until one gives
    /// an event: `Ok(true)` means input waits, to be handled by [`Engine::step`] once the
    /// events are dealt with. A host that answers some calls at once (a synchronous
    /// handler) frees their request slots before the next line is read, so a pipelining
    /// client does not run into the in-flight limit. Nothing is held back across turns:
    /// the host steps until `false`.
    pub fn feed(&mut self, data: &[u8]) -> Result<bool, Fault> {
        self.stdio()?;
        if self.pending_at == self.pending.len() {
            self.pending.clear();
            self.pending_at = 0;
        }
        self.pending.extend_from_slice(data);
        Ok(self.step())
    }

    /// Go on with the input [`Engine::feed`] left: handle lines until one gives an event;
    /// whether input still waits.
    pub fn step(&mut self) -> bool {
        let Self { catalog, inbox, core, mode, pending, pending_at, .. } = self;
        let Mode::Stdio { lines, out } = mode else { return false };
        let mut host = Host::new(catalog, inbox);
        loop {
            while let Some(line) = lines.next_line() {
                // A Vec never fails to take output: the results carry nothing.
                let _ = match line {
                    Line::Frame(frame) => core.receive(frame, out, &mut host),
                    Line::TooLong => core.reject_oversized(lines.capacity(), out),
                };
                if host.has_events() {
                    return true;
                }
            }
            let rest = pending.get(*pending_at..).unwrap_or_default();
            if rest.is_empty() {
                return false;
            }
            let space = lines.space();
            let n = space.len().min(rest.len());
            space[..n].copy_from_slice(&rest[..n]);
            lines.commit(n);
            *pending_at += n;
        }
    }

    /// The stdio input ended: a last line without its newline is handled now (as the
    /// core's own drivers do). Whether it gave events.
    pub fn finish(&mut self) -> bool {
        while self.step() {}
        let Self { catalog, inbox, core, mode, .. } = self;
        let Mode::Stdio { lines, out } = mode else { return false };
        let mut host = Host::new(catalog, inbox);
        if let Some(frame) = lines.finish() {
            // A Vec never fails to take output.
            let _ = core.receive(frame, out, &mut host);
        }
        host.has_events()
    }

    /// Whether stdio input waits to be handled by [`Engine::step`] (input left by
    /// [`Engine::feed`], or bytes in the line buffer past the last line handled).
    pub fn has_input(&self) -> bool {
        let buffered = matches!(&self.mode, Mode::Stdio { lines, .. } if lines.buffered() > 0);
        buffered || self.pending_at < self.pending.len()
    }

    /// Take the events produced since the last call, in order.
    pub fn take_events(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.inbox.events)
    }

    /// Take every byte queued for the stdio client.
    pub fn take_output(&mut self) -> Vec<u8> {
        match &mut self.mode {
            Mode::Stdio { out, .. } => std::mem::take(out),
            _ => Vec::new(),
        }
    }

    /// Hand every byte queued for the stdio client to `f`, keeping the buffer for reuse.
    pub fn drain_output<T>(&mut self, f: impl FnOnce(&[u8]) -> T) -> T {
        match &mut self.mode {
            Mode::Stdio { out, .. } => {
                let r = f(out);
                out.clear();
                r
            }
            _ => f(&[]),
        }
    }

    /// Whether stdio output is waiting.
    pub fn has_output(&self) -> bool {
        matches!(&self.mode, Mode::Stdio { out, .. } if !out.is_empty())
    }

    /// Write `answer` for `ticket` (`None`: a session notification) through the core,
    /// routed by the transport. `Ok(false)` when nothing was sent: a stale ticket (the
    /// call was cancelled or answered), or a notification the client did not ask for.
    pub fn send(&mut self, ticket: Option<u64>, answer: Answer) -> Result<bool, Fault> {
        answer.check().map_err(Fault::Invalid)?;
        let final_answer = !matches!(answer, Answer::Progress { .. } | Answer::Log { .. } | Answer::ListChanged(_));
        let Self { catalog, inbox, core, mode, .. } = self;
        let mut host = Host::answering(catalog, inbox, ticket.map(Ticket::from_bits), &answer);
        match mode {
            Mode::Idle => return Ok(false),
            Mode::Stdio { out, .. } => {
                let _ = core.poll(out, &mut host);
            }
            Mode::Http(http) => http.poll(core, &mut host),
        }
        let outcome = host.outcome.take().unwrap_or(Err(Error::StaleTicket));
        drop(host);
        if let (true, Some(t), Ok(_) | Err(Error::StaleTicket)) = (final_answer, ticket, outcome) {
            self.inbox.reads.remove(&t);
        }
        match outcome {
            Ok(sent) => Ok(sent),
            Err(Error::StaleTicket) => Ok(false),
            Err(Error::WrongKind) => Err(state("the ticket belongs to another kind of request")),
            Err(Error::InvalidJson) => Err(Fault::Invalid("invalid JSON text".into())),
            Err(e) => Err(state(e.describe())),
        }
    }

    /// Answer a `resources/read` with "resource not found" (its URI is remembered).
    pub fn answer_not_found(&mut self, ticket: u64) -> Result<bool, Fault> {
        match self.inbox.reads.get(&ticket) {
            Some(uri) => {
                let uri = uri.clone();
                self.send(Some(ticket), Answer::NotFound(uri))
            }
            None if self.core.is_live(Ticket::from_bits(ticket)) => {
                Err(state("the ticket belongs to another kind of request"))
            }
            None => Ok(false),
        }
    }

    /// Whether the call behind `ticket` carried a progress token.
    pub fn wants_progress(&mut self, ticket: u64) -> bool {
        let mut buf = [0u8; 256];
        let mut sink = Discard;
        let mut r = self.core.responder(&mut sink);
        matches!(r.progress_token(Ticket::from_bits(ticket), &mut buf), Ok(Some(_)))
    }

    /// Whether the call behind `ticket` still waits for its answer.
    pub fn is_live(&self, ticket: u64) -> bool {
        self.core.is_live(Ticket::from_bits(ticket))
    }

    /// Requests in flight.
    pub fn in_flight(&self) -> usize {
        self.core.in_flight()
    }

    /// Say who the stdio peer is (`None`: anonymous, which sees only descriptors that
    /// need no scopes). Lists, calls, reads, prompts and completions then show what its
    /// scopes reach.
    pub fn set_principal(&mut self, grant: Option<Grant>) {
        let principal = grant.map_or(picomcp::Principal::ANONYMOUS, |g| self.catalog.principals.intern(g));
        self.core.set_principal(principal);
    }

    /// The caller an event's `principal` names (`None`: anonymous).
    pub fn grant(&self, principal: u32) -> Option<&Grant> {
        self.catalog.principals.get(picomcp::Principal(principal))
    }

    /// Require a bearer token on every HTTP request: each token is handed to the host
    /// once ([`Event::Authorize`]) and its requests wait for [`Engine::authorized`]. The
    /// endpoint serves the protected-resource metadata (RFC 9728) described by `config`.
    pub fn set_auth(&mut self, config: AuthConfig) -> Result<(), Fault> {
        if !config.cache_seconds.is_finite() || config.cache_seconds < 0.0 {
            return Err(Fault::Invalid("cache_seconds must be a finite number of seconds, 0 or more".into()));
        }
        if config
            .authorization_servers
            .iter()
            .chain(&config.scopes_supported)
            .chain(&config.resource)
            .any(|s| s.is_empty())
        {
            return Err(Fault::Invalid(
                "the resource, authorization servers and scopes must not be empty strings".into(),
            ));
        }
        self.inbox.auth.configure(config);
        Ok(())
    }

    /// The host's decision about `token` (as an [`Event::Authorize`] named it): the
    /// requests waiting for it are handled now.
    pub fn authorized(&mut self, token: Option<String>, decision: Decision) -> Result<(), Fault> {
        if !self.inbox.auth.is_asked(&token) {
            return Err(state("no request waits for a decision about this token"));
        }
        if let Decision::InsufficientScope(scope) = &decision {
            if scope.is_empty() || scope.bytes().any(|b| b == b'"' || b == b'\\' || b < b' ') {
                return Err(Fault::Invalid("insufficient scope: name the missing scopes, space-separated".into()));
            }
        }
        let principal = match &decision {
            Decision::Allow(grant) => self.catalog.principals.intern(grant.clone()),
            _ => picomcp::Principal::ANONYMOUS,
        };
        self.inbox.auth.decide(token, &decision, principal);
        let Self { catalog, inbox, core, mode, .. } = self;
        if let Mode::Http(http) = mode {
            http.poll(core, &mut Host::new(catalog, inbox));
        }
        Ok(())
    }

    /// A new HTTP connection id.
    pub fn http_open(&mut self) -> Result<u32, Fault> {
        Ok(self.http()?.open())
    }

    /// Bytes read from `conn`: complete requests are handled.
    pub fn http_receive(&mut self, conn: u32, data: &[u8]) -> Result<(), Fault> {
        self.http_conn(conn)?;
        let Self { catalog, inbox, core, mode, .. } = self;
        if let Mode::Http(http) = mode {
            http.receive(conn, data, core, &mut Host::new(catalog, inbox));
        }
        Ok(())
    }

    /// Whether to read more from `conn`: false once it holds a whole request beyond the one
    /// being answered (the host stops reading it until this says true again, after the
    /// next answer), so a client pushing bytes cannot grow memory without bound.
    pub fn http_wants_input(&mut self, conn: u32) -> Result<bool, Fault> {
        Ok(self.http()?.wants_input(conn))
    }

    /// The bytes to write to `conn`, and whether to close it after writing them.
    pub fn http_take(&mut self, conn: u32) -> Result<(Vec<u8>, bool), Fault> {
        Ok(self.http()?.take(conn))
    }

    /// The peer closed `conn` (or it was closed after `http_take` said so): its streams
    /// end and the calls on them are cancelled; requests held for the request slots
    /// those calls freed are handled now.
    pub fn http_closed(&mut self, conn: u32) -> Result<(), Fault> {
        self.http()?;
        let Self { catalog, inbox, core, mode, .. } = self;
        if let Mode::Http(http) = mode {
            let mut host = Host::new(catalog, inbox);
            http.closed(conn, core, &mut host);
            http.poll(core, &mut host);
        }
        Ok(())
    }

    /// Connections with output waiting (or waiting to be closed).
    pub fn http_pending(&mut self) -> Result<Vec<u32>, Fault> {
        Ok(self.http()?.pending())
    }
}
