//! Routing: a frame in; answers, errors and host calls out.
//!
//! Era detection is per request: a request whose `params._meta` names
//! `io.modelcontextprotocol/protocolVersion` is modern (2026-07-28) and carries everything
//! it needs; any other request belongs to the legacy session that `initialize` opened.

use crate::json::{self, Object, Str, Text, Value};
use crate::jsonrpc::{self, Id, Message, code};
use crate::protocol::inflight::{self, Entry, Filter};
use crate::protocol::{
    Admission, CallKind, ClientCapabilities, LogLevel, RequestMeta, Revision, Session, Subscriptions, Ticket,
};
use crate::server::access::{self, Item};
use crate::server::handler::{
    Arguments, CompletionRef, CompletionRequest, Handler, PromptGet, ReadTarget, RequestInfo, ResourceRead, ToolCall,
};
use crate::server::input::{Answer, Input};
use crate::server::registry::Registry;
use crate::server::{Responder, lists, responder, schema, uri_template};
use crate::{Error, Route, Sink};

/// A request whose envelope and `_meta` passed the checks.
#[derive(Clone, Copy)]
pub(crate) struct Request<'f> {
    pub(crate) id: Id<'f>,
    pub(crate) params: Params<'f>,
    pub(crate) info: RequestInfo<'f>,
    token: Option<Value<'f>>,
}

/// The members of `params` the dispatcher reads, gathered in one pass over the object: the
/// value of each name of [`Params::NAMES`], at its index (one array, which is cheaper to
/// fill and to move than as many fields).
#[derive(Clone, Copy, Default)]
pub(crate) struct Params<'f>([Option<Value<'f>>; 14]);

/// Indices of the members in [`Params::NAMES`].
const NAME: usize = 0;
const ARGUMENTS: usize = 1;
const URI: usize = 2;
const CURSOR: usize = 3;
const LEVEL: usize = 4;
const REF: usize = 5;
const ARGUMENT: usize = 6;
const CONTEXT: usize = 7;
const PROTOCOL_VERSION: usize = 8;
const CAPABILITIES: usize = 9;
const META: usize = 10;
const INPUT_RESPONSES: usize = 11;
const REQUEST_STATE: usize = 12;
const NOTIFICATIONS: usize = 13;

impl<'f> Params<'f> {
    /// The member names, at the indices above.
    const NAMES: [&'static [u8]; 14] = [
        b"name",
        b"arguments",
        b"uri",
        b"cursor",
        b"level",
        b"ref",
        b"argument",
        b"context",
        b"protocolVersion",
        b"capabilities",
        b"_meta",
        b"inputResponses",
        b"requestState",
        b"notifications",
    ];

    /// Read the members of `params`, from the frame's outline when it has them.
    fn gather(params: Option<Object<'f>>, outline: Option<&json::Outline<'f>>) -> Self {
        Self(match (params, outline.and_then(json::Outline::nested_members)) {
            (Some(_), Some(mut members)) => json::pick(&mut members, &Self::NAMES),
            _ => json::pick(&mut params.into_iter().flat_map(Object::iter), &Self::NAMES),
        })
    }

    /// The member at `index` (one of the constants above).
    fn get(&self, index: usize) -> Option<Value<'f>> {
        self.0.get(index).copied().flatten()
    }

    /// `_meta`.
    pub(crate) fn meta(&self) -> Option<Value<'f>> {
        self.get(META)
    }

    /// `arguments` as an object: absent or `null` gives `None`, another type is an error.
    fn arguments_object(&self) -> Result<Option<Object<'f>>, jsonrpc::ParamsNotObject> {
        match self.get(ARGUMENTS) {
            Some(v) if !v.is_null() => v.as_object().map(Some).ok_or(jsonrpc::ParamsNotObject),
            _ => Ok(None),
        }
    }
}

/// The methods picomcp serves, decoded once.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Method {
    Initialize,
    Ping,
    Discover,
    SetLevel,
    ToolsList,
    ToolsCall,
    ResourcesList,
    TemplatesList,
    ResourcesRead,
    Subscribe,
    Unsubscribe,
    PromptsList,
    PromptsGet,
    Complete,
    Listen,
}

impl Method {
    /// The method a request names (compared after unescaping; the escapes are looked for
    /// once, not per name).
    fn from_name(name: Str<'_>) -> Option<Self> {
        const ALL: [(&str, Method); 15] = [
            ("initialize", Method::Initialize),
            ("ping", Method::Ping),
            ("server/discover", Method::Discover),
            ("logging/setLevel", Method::SetLevel),
            ("tools/list", Method::ToolsList),
            ("tools/call", Method::ToolsCall),
            ("resources/list", Method::ResourcesList),
            ("resources/templates/list", Method::TemplatesList),
            ("resources/read", Method::ResourcesRead),
            ("resources/subscribe", Method::Subscribe),
            ("resources/unsubscribe", Method::Unsubscribe),
            ("prompts/list", Method::PromptsList),
            ("prompts/get", Method::PromptsGet),
            ("completion/complete", Method::Complete),
            ("subscriptions/listen", Method::Listen),
        ];
        let plain = !name.has_escapes();
        let matches = |n: &str| if plain { name.raw() == n.as_bytes() } else { name.eq_str(n) };
        ALL.iter().find(|(n, _)| matches(n)).map(|&(_, m)| m)
    }

    /// Whether the method exists in the legacy revisions / in 2026-07-28.
    const fn in_era(self, modern: bool) -> bool {
        match self {
            Self::Initialize | Self::Ping | Self::SetLevel | Self::Subscribe | Self::Unsubscribe => !modern,
            Self::Discover | Self::Listen => modern,
            _ => true,
        }
    }
}

/// Whether a value is a valid `ProgressToken` (a string or an integer).
fn is_token(v: Value<'_>) -> bool {
    Id::from_value(v).is_some()
}

impl Responder<'_> {
    /// Handle one frame.
    pub(crate) fn receive(&mut self, frame: &[u8], handler: &mut dyn Handler) -> Result<(), Error> {
        let (value, outline) = match json::parse_outline(frame, self.state.config.max_depth, b"params") {
            Ok(parsed) => parsed,
            Err(e) => return self.parse_error(e),
        };
        self.receive_parsed(value, &outline, handler)
    }

    /// Handle one parsed frame (`outline`: its member spans).
    pub(crate) fn receive_parsed<'f>(
        &mut self,
        value: Value<'f>,
        outline: &json::Outline<'f>,
        handler: &mut dyn Handler,
    ) -> Result<(), Error> {
        let Some(batch) = value.as_array() else {
            return self.message(value, Some(outline), handler);
        };
        if !self.session.revision.is_some_and(Revision::has_batches) {
            return self.invalid_request(None, "JSON-RPC batches are not supported in this protocol revision");
        }
        if batch.is_empty() {
            return self.invalid_request(None, "empty batch");
        }
        // 2025-03-26: each element is handled and answered as if it came alone.
        for element in batch.iter() {
            self.message(element, None, handler)?;
        }
        Ok(())
    }

    pub(crate) fn parse_error(&mut self, e: json::ParseError) -> Result<(), Error> {
        jsonrpc::error_with(
            self.out,
            None,
            code::PARSE_ERROR,
            &mut |o| {
                o.write(b"Parse error: ")?;
                // Escaped: one description holds a backslash (`\u escape`).
                json::string_contents(o, e.kind.describe())?;
                o.write(b" at byte ")?;
                json::u64(o, e.offset as u64)
            },
            None,
        )
    }

    /// An error whose message is `label` (plain ASCII: `Invalid request: `, …) followed by
    /// `detail`.
    fn fail(&mut self, id: Option<Id<'_>>, code: i32, label: &str, detail: &str) -> Result<(), Error> {
        jsonrpc::labelled_error(self.out, id, code, label, Text::Plain(detail))
    }

    /// `-32600` with the message `Invalid request: ` followed by `detail`.
    fn invalid_request(&mut self, id: Option<Id<'_>>, detail: &str) -> Result<(), Error> {
        self.fail(id, code::INVALID_REQUEST, "Invalid request: ", detail)
    }

    /// An error whose message is `prefix` (plain ASCII) followed by `detail`.
    pub(crate) fn fail_about(&mut self, id: Id<'_>, code: i32, prefix: &str, detail: Text<'_>) -> Result<(), Error> {
        jsonrpc::labelled_error(self.out, Some(id), code, prefix, detail)
    }

    /// `-32602` with the message `Invalid params: ` followed by `detail`.
    pub(crate) fn invalid_params(&mut self, id: Id<'_>, detail: &str) -> Result<(), Error> {
        self.fail(Some(id), code::INVALID_PARAMS, "Invalid params: ", detail)
    }

    /// Handle one message; `outline` holds its member spans when the frame was this message.
    fn message<'f>(
        &mut self,
        value: Value<'f>,
        outline: Option<&json::Outline<'f>>,
        handler: &mut dyn Handler,
    ) -> Result<(), Error> {
        self.out.route(Route::Reply);
        let classified = match outline {
            Some(outline) => jsonrpc::classify_outlined(value, outline),
            None => jsonrpc::classify(value),
        };
        match classified {
            Err(invalid) => jsonrpc::error(self.out, invalid.id, invalid.code, invalid.message),
            Ok(Message::Request { id, method, params }) => self.request(id, method, params, outline, handler),
            Ok(Message::Notification { method, params }) => self.notification(method, params, handler),
            Ok(Message::Response { id, result }) => self.client_answer(Some(id), Answer::Result(result), handler),
            Ok(Message::ErrorResponse { id, error }) => self.client_answer(id, Answer::Error(error), handler),
        }
    }

    // Out of line (here and below where marked): measured smaller on Cortex-M0.
    #[inline(never)]
    fn notification(
        &mut self,
        method: Str<'_>,
        params: Option<Value<'_>>,
        handler: &mut dyn Handler,
    ) -> Result<(), Error> {
        let params = params.and_then(Value::as_object);
        if method.eq_str("notifications/cancelled") {
            let id = params.and_then(|p| p.get("requestId")).and_then(Id::from_value);
            if let Some(ticket) = id.and_then(|id| inflight::find(self.slots, self.scope, id.raw())) {
                inflight::release(self.slots, ticket);
                self.out.route(Route::Ended(ticket));
                handler.cancelled(ticket);
            }
        } else if method.eq_str("notifications/initialized") && self.session.revision.is_some() {
            handler.initialized(self)?;
        }
        // Unknown notifications are ignored, as JSON-RPC requires.
        Ok(())
    }

    /// A client's answer to a question a call asked: back to the waiting call. Answers
    /// nobody waits for (late, unknown ids) are dropped.
    fn client_answer(
        &mut self,
        id: Option<Id<'_>>,
        answer: Answer<'_>,
        handler: &mut dyn Handler,
    ) -> Result<(), Error> {
        let asked = id.and_then(|id| json::parse_u32(id.raw()));
        let Some(ticket) = asked.and_then(|n| inflight::find_asked(self.slots, self.scope, n)) else {
            return Ok(());
        };
        if let Some(slot) = inflight::get(self.slots, ticket) {
            slot.set_asked(None);
        }
        let outcome = handler.answered(ticket, answer, self);
        self.settle(ticket, outcome)
    }

    fn request<'f>(
        &mut self,
        id: Id<'f>,
        method: Str<'f>,
        params: Option<Value<'f>>,
        outline: Option<&json::Outline<'f>>,
        handler: &mut dyn Handler,
    ) -> Result<(), Error> {
        let Some((request, found, _)) = self.prepare(id, method, params, outline, handler)? else { return Ok(()) };
        self.serve(&request, found, method, handler)
    }

    /// Check a request's params and era (answering `initialize` and every envelope
    /// error); the request, the method (if known) and the params object when it should go
    /// on, `None` when it was answered.
    #[allow(clippy::type_complexity)]
    #[inline(always)]
    pub(crate) fn prepare<'f>(
        &mut self,
        id: Id<'f>,
        method: Str<'f>,
        params: Option<Value<'f>>,
        outline: Option<&json::Outline<'f>>,
        handler: &mut dyn Handler,
    ) -> Result<Option<(Request<'f>, Option<Method>, Option<Object<'f>>)>, Error> {
        let Ok(object) = jsonrpc::params_object(params) else {
            return self.invalid_params(id, "params must be an object").map(|()| None);
        };
        let found = Method::from_name(method);
        let params = Params::gather(object, outline);
        let meta = RequestMeta::from_meta(params.meta());
        if meta.progress_token.is_some_and(|t| !is_token(t)) {
            return self.invalid_params(id, "progressToken must be a string or an integer").map(|()| None);
        }
        let request = match meta.protocol_version {
            Some(version) => match self.modern_request(id, &meta, version)? {
                Some(info) => {
                    let input = Input { responses: params.get(INPUT_RESPONSES), state: params.get(REQUEST_STATE) };
                    Request { id, params, info: RequestInfo { input, ..info }, token: meta.progress_token }
                }
                None => return Ok(None),
            },
            None => match self.legacy_request(id, found, &params, handler)? {
                Some(info) => {
                    let info = RequestInfo { wants_progress: meta.progress_token.is_some(), ..info };
                    Request { id, params, info, token: meta.progress_token }
                }
                None => return Ok(None),
            },
        };
        Ok(Some((request, found, object)))
    }

    /// Serve a request that passed [`Self::prepare`].
    fn serve(
        &mut self,
        request: &Request<'_>,
        found: Option<Method>,
        method: Str<'_>,
        handler: &mut dyn Handler,
    ) -> Result<(), Error> {
        let id = request.id;
        let modern = request.info.revision.is_modern();
        let Some(method_kind) = found.filter(|m| m.in_era(modern)) else {
            return self.fail_about(id, code::METHOD_NOT_FOUND, "Method not found: ", Text::Json(method));
        };
        let features = handler.registry().features();
        let offered = match method_kind {
            Method::ToolsList | Method::ToolsCall => features.tools,
            Method::ResourcesList
            | Method::TemplatesList
            | Method::ResourcesRead
            | Method::Subscribe
            | Method::Unsubscribe => features.resources,
            Method::PromptsList | Method::PromptsGet => features.prompts,
            Method::Complete => features.completions,
            Method::Initialize | Method::Ping | Method::Discover | Method::SetLevel | Method::Listen => true,
        };
        if !offered {
            return self.fail_about(
                id,
                code::METHOD_NOT_FOUND,
                "Method not found (not offered by this server): ",
                Text::Json(method),
            );
        }
        match method_kind {
            Method::Discover => self.discover(request, handler.registry(), |_| Ok(())),
            Method::Ping => self.empty(id, request.info.revision),
            Method::SetLevel => self.set_level(request),
            Method::ToolsList | Method::ResourcesList | Method::TemplatesList | Method::PromptsList => {
                self.list(method_kind, request, handler.registry())
            }
            Method::ToolsCall => self.call_tool(request, handler),
            Method::ResourcesRead => self.read_resource(request, handler),
            Method::Subscribe | Method::Unsubscribe => self.subscription(method_kind, request, handler.registry()),
            Method::PromptsGet => self.get_prompt(request, handler),
            Method::Complete => self.complete(request, handler),
            Method::Listen => self.listen(request, handler.registry()),
            // Answered in `legacy_request`.
            Method::Initialize => Ok(()),
        }
    }

    /// Check a modern request's `_meta`; `None` when an error was sent.
    fn modern_request<'f>(
        &mut self,
        id: Id<'f>,
        meta: &RequestMeta<'f>,
        version: Value<'f>,
    ) -> Result<Option<RequestInfo<'f>>, Error> {
        let Some(requested) = version.as_str() else {
            self.invalid_params(id, "io.modelcontextprotocol/protocolVersion must be a string")?;
            return Ok(None);
        };
        let Some(revision) = Revision::from_json(requested).filter(|r| r.is_modern()) else {
            self.unsupported_version(id, requested)?;
            return Ok(None);
        };
        if meta.client_capabilities.and_then(Value::as_object).is_none() {
            self.invalid_params(id, "_meta must carry io.modelcontextprotocol/clientCapabilities (an object)")?;
            return Ok(None);
        }
        let log_level = match meta.log_level {
            None => None,
            Some(v) => match v.as_str().and_then(LogLevel::from_json) {
                Some(level) => Some(level),
                None => {
                    self.invalid_params(id, "io.modelcontextprotocol/logLevel is not a log level")?;
                    return Ok(None);
                }
            },
        };
        Ok(Some(RequestInfo {
            revision,
            client_info: meta.client_info,
            client_capabilities: ClientCapabilities::from_value(meta.client_capabilities),
            wants_progress: meta.progress_token.is_some(),
            log_level,
            #[cfg(feature = "access")]
            principal: self.state.principal,
            input: Input::default(),
        }))
    }

    fn unsupported_version(&mut self, id: Id<'_>, requested: Str<'_>) -> Result<(), Error> {
        unsupported_version(self.out, id, requested)
    }

    /// Handle the legacy handshake and session checks; the request's info when it should
    /// go on, `None` when it was answered.
    #[inline(never)]
    fn legacy_request<'f>(
        &mut self,
        id: Id<'f>,
        method: Option<Method>,
        params: &Params<'f>,
        handler: &mut dyn Handler,
    ) -> Result<Option<RequestInfo<'f>>, Error> {
        match method {
            Some(Method::Initialize) => {
                self.initialize(id, params, handler.registry())?;
                return Ok(None);
            }
            Some(Method::Discover) => {
                self.invalid_params(
                    id,
                    "server/discover needs params._meta with io.modelcontextprotocol/protocolVersion and io.modelcontextprotocol/clientCapabilities",
                )?;
                return Ok(None);
            }
            Some(Method::Ping) if self.session.revision.is_none() => {
                self.empty(id, Revision::LATEST_LEGACY)?;
                return Ok(None);
            }
            _ => {}
        }
        let session = *self.session;
        let Some(revision) = session.revision else {
            self.invalid_request(
                Some(id),
                "the session is not initialized; send initialize first, or name protocol version 2026-07-28 in params._meta",
            )?;
            return Ok(None);
        };
        Ok(Some(RequestInfo {
            revision,
            client_info: None,
            client_capabilities: session.client_caps,
            wants_progress: false,
            log_level: Some(session.log_level),
            #[cfg(feature = "access")]
            principal: self.state.principal,
            input: Input::default(),
        }))
    }

    /// `{}` (plus the modern trailer) as the result.
    pub(crate) fn empty(&mut self, id: Id<'_>, revision: Revision) -> Result<(), Error> {
        jsonrpc::result_head(self.out, id)?;
        self.out.write(b"{")?;
        // The trailer writes `,"key":…` pairs after earlier members; this object has none,
        // so its first comma is dropped.
        self.state.trailer(&mut SkipComma { out: &mut *self.out, pending: true }, revision, None)?;
        jsonrpc::message_end(self.out)
    }

    fn initialize(&mut self, id: Id<'_>, params: &Params<'_>, reg: &dyn Registry) -> Result<(), Error> {
        let Some(requested) = params.get(PROTOCOL_VERSION).and_then(Value::as_str) else {
            return self.invalid_params(id, "initialize needs a protocolVersion string");
        };
        let revision = Session::negotiate(Some(requested));
        let caps = params.get(CAPABILITIES);
        *self.session = Session {
            revision: Some(revision),
            log_level: self.state.config.log_level,
            client_caps: ClientCapabilities::from_value(caps),
        };
        Subscriptions::new(self.subscriptions).clear();
        let info = reg.info();
        jsonrpc::result_head(self.out, id)?;
        self.out.write(b"{\"protocolVersion\":\"")?;
        self.out.write(revision.as_str().as_bytes())?;
        self.out.write(b"\",\"capabilities\":")?;
        lists::capabilities_open(self.out, reg.features(), false)?;
        self.out.write(b"},\"serverInfo\":")?;
        lists::implementation(self.out, &info.implementation)?;
        if let Some(text) = info.instructions {
            self.out.write(b",\"instructions\":")?;
            json::string(self.out, text)?;
        }
        self.out.write(b"}")?;
        jsonrpc::message_end(self.out)
    }

    /// `server/discover`; `extensions` adds members to the capabilities object.
    pub(crate) fn discover(
        &mut self,
        req: &Request<'_>,
        reg: &dyn Registry,
        extensions: impl FnOnce(&mut dyn Sink) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let info = reg.info();
        jsonrpc::result_head(self.out, req.id)?;
        self.out.write(b"{\"supportedVersions\":[")?;
        for (i, r) in Revision::MODERN.iter().enumerate() {
            if i > 0 {
                self.out.write(b",")?;
            }
            json::string(self.out, r.as_str())?;
        }
        self.out.write(b"],\"capabilities\":")?;
        lists::capabilities_open(self.out, reg.features(), true)?;
        extensions(self.out)?;
        self.out.write(b"}")?;
        if let Some(text) = info.instructions {
            self.out.write(b",\"instructions\":")?;
            json::string(self.out, text)?;
        }
        let cache = self.state.config.discover_cache;
        self.state.trailer_with(self.out, req.info.revision, Some(cache), Some(&info.implementation))?;
        jsonrpc::message_end(self.out)
    }

    fn set_level(&mut self, req: &Request<'_>) -> Result<(), Error> {
        let level = req.params.get(LEVEL).and_then(Value::as_str).and_then(LogLevel::from_json);
        let Some(level) = level else {
            return self.invalid_params(
                req.id,
                "level must be one of debug, info, notice, warning, error, critical, alert, emergency",
            );
        };
        self.session.log_level = level;
        self.empty(req.id, req.info.revision)
    }

    fn subscription(&mut self, method: Method, req: &Request<'_>, reg: &dyn Registry) -> Result<(), Error> {
        let Some(uri) = req.params.get(URI).and_then(Value::as_str) else {
            return self.invalid_params(req.id, "uri must be a string");
        };
        let _ = reg;
        // A URI the principal cannot read is accepted and not kept, so no update about it
        // reaches them (an update would tell them it exists).
        #[cfg(feature = "access")]
        if method == Method::Subscribe && read_target(reg, self.state.principal, uri).is_none() {
            return self.empty(req.id, req.info.revision);
        }
        let mut subs = Subscriptions::new(self.subscriptions);
        if method == Method::Unsubscribe {
            subs.remove(uri);
        } else if !subs.insert(uri) {
            return self.fail(Some(req.id), code::INTERNAL_ERROR, "Internal error: ", "no room for more subscriptions");
        }
        self.empty(req.id, req.info.revision)
    }

    fn list(&mut self, method: Method, req: &Request<'_>, reg: &dyn Registry) -> Result<(), Error> {
        let (key, total): (&[u8], usize) = match method {
            Method::ToolsList => (b"{\"tools\":[", reg.tool_count()),
            Method::ResourcesList => (b"{\"resources\":[", reg.resource_count()),
            Method::TemplatesList => (b"{\"resourceTemplates\":[", reg.template_count()),
            _ => (b"{\"prompts\":[", reg.prompt_count()),
        };
        let cursor = req.params.get(CURSOR);
        let start = match cursor {
            None => 0,
            Some(c) => match c.as_str().filter(|s| !s.has_escapes()).and_then(|s| json::parse_u32(s.raw())) {
                Some(n) if n as usize <= total => n as usize,
                _ => return self.invalid_params(req.id, "invalid cursor"),
            },
        };
        let page = self.state.config.page_size;
        let checked = self.state.checked_generation == Some(reg.generation());
        let principal = self.state.principal();
        let item = |i| match method {
            Method::ToolsList => Item::Tool(i),
            Method::ResourcesList => Item::Resource(i),
            Method::TemplatesList => Item::Template(i),
            _ => Item::Prompt(i),
        };
        jsonrpc::result_head(self.out, req.id)?;
        self.out.write(key)?;
        // A page holds up to `page` entries the principal may see; the cursor is the
        // index to go on from.
        let (mut end, mut shown) = (start, 0);
        while end < total && (page == 0 || shown < page) {
            let i = end;
            end += 1;
            if !access::visible(reg, principal, item(i)) {
                continue;
            }
            if shown > 0 {
                self.out.write(b",")?;
            }
            shown += 1;
            let written = match method {
                Method::ToolsList => reg.tool(i).map(|t| lists::tool(self.out, &t, checked)),
                Method::ResourcesList => reg.resource(i).map(|r| lists::resource(self.out, &r)),
                Method::TemplatesList => reg.template(i).map(|t| lists::template(self.out, &t)),
                _ => reg.prompt(i).map(|p| lists::prompt(self.out, &p)),
            };
            // A registry that shrank mid-listing yields `null` rather than a broken array.
            written.unwrap_or_else(|| self.out.write(b"null"))?;
        }
        self.out.write(b"]")?;
        if (end..total).any(|i| access::visible(reg, principal, item(i))) {
            self.out.write(b",\"nextCursor\":\"")?;
            json::u64(self.out, end as u64)?;
            self.out.write(b"\"")?;
        }
        let cache = self.state.config.list_cache;
        self.state.trailer(self.out, req.info.revision, Some(cache))?;
        jsonrpc::message_end(self.out)
    }

    /// Take a slot for a call; on failure the error is sent and `None` returned.
    pub(crate) fn admit(&mut self, req: &Request<'_>, kind: CallKind) -> Result<Option<Ticket>, Error> {
        self.admit_with(req, kind, Filter::default())
    }

    /// [`Self::admit`], with the notification filter of a listen stream.
    fn admit_with(&mut self, req: &Request<'_>, kind: CallKind, filter: Filter) -> Result<Option<Ticket>, Error> {
        self.state.admitted = self.state.admitted.wrapping_add(1);
        let entry = Entry {
            scope: self.scope,
            seq: self.state.admitted,
            filter,
            id: req.id,
            token: req.token.map(Value::raw),
            kind,
            revision: req.info.revision,
            log_level: req.info.log_level,
            caps: req.info.client_capabilities,
            #[cfg(feature = "access")]
            principal: self.state.principal,
        };
        let capacity = self.slots.len();
        let admitted = inflight::admit(self.slots, &entry);
        if admitted.is_err() {
            // A refusal answers the request itself, whatever was written before.
            self.out.route(Route::Reply);
        }
        match admitted {
            Ok(ticket) => Ok(Some(ticket)),
            Err(Admission::Full) => jsonrpc::error_with(
                self.out,
                Some(req.id),
                code::INTERNAL_ERROR,
                &mut |o| o.write(b"Internal error: too many requests in flight; retry when some have finished"),
                Some(&mut |v| v.object(|o| o.integer("capacity", capacity as i64))),
            )
            .map(|()| None),
            Err(refusal) => {
                let message = if refusal == Admission::Duplicate {
                    "this id is already used by a request in flight"
                } else {
                    "the id and progressToken are too long for the server"
                };
                self.invalid_request(Some(req.id), message).map(|()| None)
            }
        }
    }

    /// After a handler ran: a handler error that left its call unanswered gets an
    /// internal-error reply, so no request goes without an answer.
    pub(crate) fn settle(&mut self, ticket: Ticket, outcome: Result<(), Error>) -> Result<(), Error> {
        match outcome {
            Err(Error::Io) => Err(Error::Io),
            Err(e) if self.is_live(ticket) => {
                let slot = inflight::get(self.slots, ticket).ok_or(Error::StaleTicket)?;
                self.out.route(Route::Answer(ticket));
                let result = jsonrpc::labelled_error(
                    self.out,
                    Some(slot.id()),
                    code::INTERNAL_ERROR,
                    "Internal error: the handler failed: ",
                    Text::Plain(e.describe()),
                );
                inflight::release(self.slots, ticket);
                result
            }
            _ => Ok(()),
        }
    }

    #[inline(always)]
    pub(crate) fn call_tool(&mut self, req: &Request<'_>, handler: &mut dyn Handler) -> Result<(), Error> {
        let Some(name) = req.params.get(NAME).and_then(Value::as_str) else {
            return self.invalid_params(req.id, "tools/call needs a string name");
        };
        let Ok(args) = req.params.arguments_object() else {
            return self.invalid_params(req.id, "arguments must be an object");
        };
        let tool = {
            let reg = handler.registry();
            let Some(index) = access::find_tool(reg, self.state.principal(), name) else {
                return self.fail_about(req.id, code::INVALID_PARAMS, "Unknown tool: ", Text::Json(name));
            };
            let Some(tool) = reg.tool(index) else {
                return self.fail_about(req.id, code::INVALID_PARAMS, "Unknown tool: ", Text::Json(name));
            };
            let caps = req.info.client_capabilities;
            if req.info.revision.is_modern() && !caps.has(tool.requires.bits()) {
                return self.missing_capability(req.id, tool.requires);
            }
            // The schema text is only read here (check_registry validated it), so it is
            // not parsed again on every call.
            let instance = args.map_or(Value::EMPTY_OBJECT, Object::as_value);
            if let Err(violation) = schema::validate(Value::trusted(tool.input_schema), instance) {
                return self.invalid_arguments(req, tool.name, &violation);
            }
            index
        };
        let Some(ticket) = self.admit(req, CallKind::Tool)? else { return Ok(()) };
        let call = ToolCall { ticket, tool, arguments: Arguments::new(args), info: req.info };
        let outcome = handler.call_tool(call, self);
        self.settle(ticket, outcome)
    }

    /// A tool result with `isError: true` explaining which argument is wrong.
    fn invalid_arguments(
        &mut self,
        req: &Request<'_>,
        tool: &str,
        violation: &schema::Violation<'_>,
    ) -> Result<(), Error> {
        jsonrpc::result_head(self.out, req.id)?;
        self.out.write(b"{\"content\":[{\"type\":\"text\",\"text\":\"Invalid arguments for tool ")?;
        json::string_contents(self.out, tool)?;
        self.out.write(b": ")?;
        violation.write_message(self.out)?;
        self.out.write(b"\"}],\"isError\":true")?;
        self.state.trailer(self.out, req.info.revision, None)?;
        jsonrpc::message_end(self.out)
    }

    fn read_resource(&mut self, req: &Request<'_>, handler: &mut dyn Handler) -> Result<(), Error> {
        let Some(uri) = req.params.get(URI).and_then(Value::as_str) else {
            return self.invalid_params(req.id, "uri must be a string");
        };
        let Some(target) = read_target(handler.registry(), self.state.principal(), uri) else {
            let code = req.info.revision.resource_not_found_code();
            return responder::resource_not_found(self.out, Some(req.id), code, Text::Json(uri));
        };
        let Some(ticket) = self.admit(req, CallKind::Resource)? else { return Ok(()) };
        let read = ResourceRead { ticket, uri, target, info: req.info };
        let outcome = handler.read_resource(read, self);
        self.settle(ticket, outcome)
    }

    fn get_prompt(&mut self, req: &Request<'_>, handler: &mut dyn Handler) -> Result<(), Error> {
        let Some(name) = req.params.get(NAME).and_then(Value::as_str) else {
            return self.invalid_params(req.id, "prompts/get needs a string name");
        };
        let Ok(args) = req.params.arguments_object() else {
            return self.invalid_params(req.id, "arguments must be an object");
        };
        if let Some((key, _)) = args.into_iter().flat_map(Object::iter).find(|(_, v)| v.as_str().is_none()) {
            return self.fail_about(
                req.id,
                code::INVALID_PARAMS,
                "Invalid params: prompt arguments must be strings: ",
                Text::Json(key),
            );
        }
        let prompt = {
            let reg = handler.registry();
            let found = access::find_prompt(reg, self.state.principal(), name);
            let Some((index, prompt)) = found.and_then(|i| Some((i, reg.prompt(i)?))) else {
                return self.fail_about(req.id, code::INVALID_PARAMS, "Unknown prompt: ", Text::Json(name));
            };
            let missing = prompt.arguments.iter().find(|a| a.required && args.and_then(|o| o.get(a.name)).is_none());
            if let Some(arg) = missing {
                return self.fail_about(
                    req.id,
                    code::INVALID_PARAMS,
                    "Invalid params: missing required argument ",
                    Text::Plain(arg.name),
                );
            }
            index
        };
        let Some(ticket) = self.admit(req, CallKind::Prompt)? else { return Ok(()) };
        let get = PromptGet { ticket, prompt, arguments: Arguments::new(args), info: req.info };
        let outcome = handler.get_prompt(get, self);
        self.settle(ticket, outcome)
    }

    fn complete(&mut self, req: &Request<'_>, handler: &mut dyn Handler) -> Result<(), Error> {
        let reference = req.params.get(REF).and_then(Value::as_object).and_then(|r| {
            let kind = r.get("type")?.as_str()?;
            if kind.eq_str("ref/prompt") {
                Some(CompletionRef::Prompt(r.get("name")?.as_str()?))
            } else if kind.eq_str("ref/resource") {
                Some(CompletionRef::Resource(r.get("uri")?.as_str()?))
            } else {
                None
            }
        });
        let argument = req
            .params
            .get(ARGUMENT)
            .and_then(Value::as_object)
            .and_then(|a| Some((a.get("name")?.as_str()?, a.get("value")?.as_str()?)));
        let (Some(reference), Some((argument, value))) = (reference, argument) else {
            return self.invalid_params(
                req.id,
                "completion/complete needs ref ({type: ref/prompt, name} or {type: ref/resource, uri}) and argument {name, value}",
            );
        };
        let context = req
            .params
            .get(CONTEXT)
            .and_then(Value::as_object)
            .and_then(|c| c.get("arguments"))
            .and_then(Value::as_object);
        let Some(ticket) = self.admit(req, CallKind::Completion)? else { return Ok(()) };
        #[cfg(feature = "access")]
        {
            // A prompt or template the principal may not see (or that does not exist)
            // completes to nothing, as the default handler answers.
            let (prompt, name) = match reference {
                CompletionRef::Prompt(name) => (true, name),
                CompletionRef::Resource(uri) => (false, uri),
            };
            if !access::reference_visible(handler.registry(), self.state.principal, prompt, name) {
                return self.completion(ticket, |_| Ok(()));
            }
        }
        let request =
            CompletionRequest { ticket, reference, argument, value, context: Arguments::new(context), info: req.info };
        let outcome = handler.complete(request, self);
        self.settle(ticket, outcome)
    }
}

/// What `uri` names for `principal`: a fixed resource it may see, or else the first
/// template it may see that matches.
fn read_target<'u>(reg: &dyn Registry, principal: access::Principal, uri: Str<'u>) -> Option<ReadTarget<'u>> {
    access::find_resource(reg, principal, uri).map(ReadTarget::Resource).or_else(|| {
        (0..reg.template_count()).find_map(|index| {
            let template = reg.template(index).filter(|_| access::visible(reg, principal, Item::Template(index)))?;
            let variables = uri_template::match_uri(template.uri_template, uri)?;
            Some(ReadTarget::Template { index, variables })
        })
    })
}

impl Responder<'_> {
    /// `-32021`: the call needs capabilities the request did not declare.
    fn missing_capability(&mut self, id: Id<'_>, needed: ClientCapabilities) -> Result<(), Error> {
        jsonrpc::error_with(
            self.out,
            Some(id),
            code::MISSING_CLIENT_CAPABILITY,
            &mut |o| {
                o.write(b"Missing required client capability:")?;
                needed.names().try_for_each(|n| {
                    o.write(b" ")?;
                    o.write(n.as_bytes())
                })
            },
            Some(&mut |v| {
                v.object(|o| {
                    o.field("requiredCapabilities", |w| {
                        w.object(|caps| needed.names().try_for_each(|n| caps.field(n, |c| c.object(|_| Ok(())))))
                    })
                })
            }),
        )
    }

    /// `subscriptions/listen`: open a stream for the change notifications the client
    /// opted in to (those this server offers), acknowledged at once. When more than
    /// [`Config::max_listens`](crate::Config::max_listens) are open, the oldest ends.
    #[inline(never)]
    fn listen(&mut self, req: &Request<'_>, reg: &dyn Registry) -> Result<(), Error> {
        let Some(wanted) = req.params.get(NOTIFICATIONS).and_then(Value::as_object) else {
            return self.invalid_params(req.id, "subscriptions/listen needs a notifications object");
        };
        let features = reg.features();
        let asked = |key: &str| wanted.get(key).and_then(Value::as_bool) == Some(true);
        let mut filter = 0;
        let offered = [features.tools, features.prompts, features.resources];
        for (&(key, bit), offered) in LISTEN_KEYS.iter().zip(offered) {
            if offered && asked(key) {
                filter |= bit;
            }
        }
        let Some(ticket) = self.admit_with(req, CallKind::Listen, Filter(filter))? else { return Ok(()) };
        // Admitted: now end the oldest stream if there are too many (never the new one,
        // which is the youngest).
        let (oldest, open) = inflight::oldest_listen(self.slots, self.state.admitted);
        if let Some(oldest) = oldest.filter(|_| open > self.state.config.max_listens.max(1)) {
            self.end_listen(oldest)?;
        }
        self.out.route(Route::Related(ticket));
        jsonrpc::notification_head(self.out, "notifications/subscriptions/acknowledged")?;
        self.out.write(b"{\"_meta\":{\"io.modelcontextprotocol/subscriptionId\":")?;
        self.out.write(req.id.raw())?;
        self.out.write(b"},\"notifications\":{")?;
        let mut first = true;
        for (key, bit) in LISTEN_KEYS {
            if Filter(filter).has(bit) {
                self.out.write(if first { b"\"" } else { b",\"" })?;
                self.out.write(key.as_bytes())?;
                self.out.write(b"\":true")?;
                first = false;
            }
        }
        self.out.write(b"}}")?;
        jsonrpc::message_end(self.out)
    }

    /// End a listen stream: its final (empty) result, then the slot is free.
    pub(crate) fn end_listen(&mut self, ticket: Ticket) -> Result<(), Error> {
        let slot = inflight::get(self.slots, ticket).ok_or(Error::StaleTicket)?;
        self.out.route(Route::Answer(ticket));
        jsonrpc::result_head(self.out, slot.id())?;
        self.out.write(b"{\"resultType\":\"complete\",\"_meta\":{\"io.modelcontextprotocol/subscriptionId\":")?;
        self.out.write(slot.id().raw())?;
        self.out.write(b"}}")?;
        inflight::release(self.slots, ticket);
        jsonrpc::message_end(self.out)
    }
}

/// The change notifications a listen stream may opt in to: the key in its
/// `notifications` object and the filter bit.
const LISTEN_KEYS: [(&str, u8); 3] = [
    ("toolsListChanged", Filter::TOOLS),
    ("promptsListChanged", Filter::PROMPTS),
    ("resourcesListChanged", Filter::RESOURCES),
];

/// `-32022` for a protocol version this server does not speak, with the ones it does.
pub(crate) fn unsupported_version(out: &mut dyn Sink, id: Id<'_>, requested: Str<'_>) -> Result<(), Error> {
    jsonrpc::error_with(
        out,
        Some(id),
        code::UNSUPPORTED_PROTOCOL_VERSION,
        &mut |o| {
            o.write(b"Unsupported protocol version: ")?;
            o.write(requested.raw())?;
            o.write(b" (supported: ")?;
            for (i, r) in Revision::MODERN.iter().enumerate() {
                if i > 0 {
                    o.write(b", ")?;
                }
                o.write(r.as_str().as_bytes())?;
            }
            o.write(b")")
        },
        Some(&mut |v| {
            v.object(|o| {
                o.field("supported", |w| w.array(|a| Revision::MODERN.iter().try_for_each(|r| a.string(r.as_str()))))?;
                o.field("requested", |w| w.json_str(requested))
            })
        }),
    )
}

/// A sink that drops one leading comma (to close an empty result with the trailer).
struct SkipComma<'a> {
    out: &'a mut dyn Sink,
    pending: bool,
}

impl Sink for SkipComma<'_> {
    fn write(&mut self, bytes: &[u8]) -> Result<(), Error> {
        let bytes = match (core::mem::take(&mut self.pending), bytes.split_first()) {
            (true, Some((b',', rest))) => rest,
            _ => bytes,
        };
        self.out.write(bytes)
    }
}
