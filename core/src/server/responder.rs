//! The [`Responder`]: everything a host writes to the client — results by ticket, errors,
//! progress, log messages and change notifications — and the result writers.

use crate::json::{self, Text, ValueWriter, Written};
use crate::jsonrpc::{self, Id};
use crate::protocol::{
    CallKind, Filter, LogLevel, Revision, Session, Slot, Subscriptions, TaskTable, Ticket, inflight,
};
use crate::server::content::{Content, ResourceContents};
use crate::server::{Cache, State};
use crate::{Error, Notice, Route, Sink};

/// Answers requests and sends notifications, straight into the output.
///
/// A handler gets one with each call; for deferred answers get one from
/// [`Server::responder`](crate::Server::responder). Every reply method checks its ticket:
/// a stale ticket (answered, cancelled) writes nothing and returns
/// [`Error::StaleTicket`].
pub struct Responder<'a> {
    pub(crate) slots: &'a mut [Slot],
    pub(crate) subscriptions: &'a mut [u8],
    pub(crate) session: &'a mut Session,
    /// The conversation requests received through this responder belong to.
    pub(crate) scope: u32,
    pub(crate) state: &'a mut State,
    pub(crate) out: &'a mut dyn Sink,
    /// The task table, on a server that runs tasks.
    pub(crate) tasks: Option<TaskTable<'a>>,
}

/// The author of a prompt message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// The user.
    User,
    /// The assistant.
    Assistant,
}

impl<'a> Responder<'a> {
    /// Whether `ticket` still names a request waiting for its answer.
    pub fn is_live(&mut self, ticket: Ticket) -> bool {
        inflight::get(self.slots, ticket).is_some()
    }

    /// How many requests are waiting for answers.
    pub fn in_flight(&self) -> usize {
        inflight::count(self.slots)
    }

    /// Check the ticket and write the response head; the revision the reply is under.
    fn begin(&mut self, ticket: Ticket, kind: CallKind) -> Result<Revision, Error> {
        let slot = inflight::get(self.slots, ticket).ok_or(Error::StaleTicket)?;
        if slot.kind() != kind {
            return Err(Error::WrongKind);
        }
        self.out.route(Route::Answer(ticket));
        jsonrpc::result_head(self.out, slot.id())?;
        Ok(slot.revision())
    }

    /// Write the fields every result of `revision` ends with, close the message and free
    /// the ticket.
    fn finish(&mut self, ticket: Ticket, revision: Revision, cache: Option<Cache>) -> Result<(), Error> {
        inflight::release(self.slots, ticket);
        self.state.trailer(self.out, revision, cache)?;
        jsonrpc::message_end(self.out)
    }

    /// Answer a `tools/call`: `f` writes the content blocks (and optionally structured
    /// content and the error flag). The message is completed even when `f` fails; then a
    /// text block naming the failure is added and the result is marked `isError`.
    ///
    /// ```
    /// # use picomcp::{Responder, Ticket, Error};
    /// fn answer(r: &mut Responder<'_>, ticket: Ticket, sum: f64) -> Result<(), Error> {
    ///     r.tool_result(ticket, |res| {
    ///         res.text("the sum")?;
    ///         res.structured(|v| v.object(|o| o.number("sum", sum)))
    ///     })
    /// }
    /// ```
    pub fn tool_result(
        &mut self,
        ticket: Ticket,
        f: impl FnOnce(&mut ToolResult<'_>) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let mut f = Some(f);
        self.tool_result_with(ticket, &mut |x| f.take().map_or(Ok(()), |f| f(x)))
    }

    /// [`Self::tool_result`] compiled once, whatever the closure.
    fn tool_result_with(
        &mut self,
        ticket: Ticket,
        f: &mut dyn FnMut(&mut ToolResult<'_>) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let revision = self.begin(ticket, CallKind::Tool)?;
        let outcome = write_tool_result(self.out, f)?;
        self.finish(ticket, revision, None)?;
        outcome
    }

    /// Answer a `tools/call` with `isError: true` and one text block.
    pub fn tool_error<'t>(&mut self, ticket: Ticket, text: impl Into<Text<'t>>) -> Result<(), Error> {
        let text = text.into();
        self.tool_result(ticket, |res| {
            res.set_error(true);
            res.text(text)
        })
    }

    /// Answer a `resources/read`: `f` adds the contents.
    pub fn resource(
        &mut self,
        ticket: Ticket,
        f: impl FnOnce(&mut Contents<'_>) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let mut f = Some(f);
        self.resource_with(ticket, &mut |x| f.take().map_or(Ok(()), |f| f(x)))
    }

    /// [`Self::resource`] compiled once, whatever the closure.
    fn resource_with(
        &mut self,
        ticket: Ticket,
        f: &mut dyn FnMut(&mut Contents<'_>) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let revision = self.begin(ticket, CallKind::Resource)?;
        self.out.write(b"{\"contents\":[")?;
        let outcome = f(&mut Contents { out: &mut *self.out, first: true });
        if outcome == Err(Error::Io) {
            return outcome;
        }
        self.out.write(b"]")?;
        let cache = self.state.config.read_cache;
        self.finish(ticket, revision, Some(cache))?;
        outcome
    }

    /// Answer a `resources/read` with the revision's "resource not found" error
    /// (`-32002` legacy, `-32602` in 2026-07-28) carrying `data: {"uri": …}`.
    pub fn resource_not_found<'t>(&mut self, ticket: Ticket, uri: impl Into<Text<'t>>) -> Result<(), Error> {
        let uri = uri.into();
        let slot = live(self.slots, ticket, Some(CallKind::Resource))?;
        let code = slot.revision().resource_not_found_code();
        self.out.route(Route::Answer(ticket));
        let result = resource_not_found(self.out, Some(slot.id()), code, uri);
        inflight::release(self.slots, ticket);
        result
    }

    /// Answer a `prompts/get`: `f` adds the messages.
    pub fn prompt(
        &mut self,
        ticket: Ticket,
        description: Option<&str>,
        f: impl FnOnce(&mut Messages<'_>) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let mut f = Some(f);
        self.prompt_with(ticket, description, &mut |x| f.take().map_or(Ok(()), |f| f(x)))
    }

    /// [`Self::prompt`] compiled once, whatever the closure.
    fn prompt_with(
        &mut self,
        ticket: Ticket,
        description: Option<&str>,
        f: &mut dyn FnMut(&mut Messages<'_>) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let revision = self.begin(ticket, CallKind::Prompt)?;
        self.out.write(b"{")?;
        if let Some(d) = description {
            self.out.write(b"\"description\":")?;
            json::string(self.out, d)?;
            self.out.write(b",")?;
        }
        self.out.write(b"\"messages\":[")?;
        let outcome = f(&mut Messages { out: &mut *self.out, first: true });
        if outcome == Err(Error::Io) {
            return outcome;
        }
        self.out.write(b"]")?;
        self.finish(ticket, revision, None)?;
        outcome
    }

    /// Answer a `completion/complete`: `f` adds the suggested values.
    pub fn completion(
        &mut self,
        ticket: Ticket,
        f: impl FnOnce(&mut Completions<'_>) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let mut f = Some(f);
        self.completion_with(ticket, &mut |x| f.take().map_or(Ok(()), |f| f(x)))
    }

    /// [`Self::completion`] compiled once, whatever the closure.
    fn completion_with(
        &mut self,
        ticket: Ticket,
        f: &mut dyn FnMut(&mut Completions<'_>) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let revision = self.begin(ticket, CallKind::Completion)?;
        self.out.write(b"{\"completion\":{\"values\":[")?;
        let mut c = Completions { out: &mut *self.out, count: 0, total: None, has_more: false };
        let outcome = f(&mut c);
        if outcome == Err(Error::Io) {
            return outcome;
        }
        let (total, has_more) = (c.total, c.has_more);
        self.out.write(b"]")?;
        if let Some(total) = total {
            self.out.write(b",\"total\":")?;
            json::u64(self.out, total)?;
        }
        if has_more {
            self.out.write(b",\"hasMore\":true")?;
        }
        self.out.write(b"}")?;
        self.finish(ticket, revision, None)?;
        outcome
    }

    /// Answer any request with a JSON-RPC error.
    pub fn error(&mut self, ticket: Ticket, code: i32, message: &str) -> Result<(), Error> {
        let slot = live(self.slots, ticket, None)?;
        self.out.route(Route::Answer(ticket));
        let result = jsonrpc::error(self.out, Some(slot.id()), code, message);
        inflight::release(self.slots, ticket);
        result
    }

    /// Report progress on a request. Sent only when the request carried a
    /// `progressToken` and `progress` is greater than the last value sent (the protocol
    /// requires increasing values); returns whether it was sent.
    pub fn progress(
        &mut self,
        ticket: Ticket,
        progress: f64,
        total: Option<f64>,
        message: Option<&str>,
    ) -> Result<bool, Error> {
        let slot = live(self.slots, ticket, None)?;
        if slot.progress_token().is_none() || !slot.advance_progress(progress) {
            return Ok(false);
        }
        let token = slot.progress_token().unwrap_or_default();
        self.out.route(Route::Related(ticket));
        jsonrpc::notification_head(self.out, "notifications/progress")?;
        self.out.write(b"{\"progressToken\":")?;
        self.out.write(token)?;
        self.out.write(b",\"progress\":")?;
        json::f64(self.out, progress)?;
        if let Some(total) = total {
            self.out.write(b",\"total\":")?;
            json::f64(self.out, total)?;
        }
        if let Some(m) = message {
            self.out.write(b",\"message\":")?;
            json::string(self.out, m)?;
        }
        self.out.write(b"}")?;
        jsonrpc::message_end(self.out).map(|()| true)
    }

    /// The call's `progressToken` as text (a string's contents, or an integer's digits),
    /// copied into `buf`; `None` when the request carried none or `buf` is too small.
    pub fn progress_token<'b>(&mut self, ticket: Ticket, buf: &'b mut [u8]) -> Result<Option<&'b str>, Error> {
        let slot = live(self.slots, ticket, None)?;
        let Some(raw) = slot.progress_token() else { return Ok(None) };
        let Ok(value) = json::parse(raw, 1) else { return Ok(None) };
        let mut len = 0;
        match value.as_str() {
            Some(text) => {
                for c in text.chars() {
                    let mut utf8 = [0u8; 4];
                    let bytes = c.encode_utf8(&mut utf8).as_bytes();
                    let Some(dst) = buf.get_mut(len..len + bytes.len()) else { return Ok(None) };
                    dst.copy_from_slice(bytes);
                    len += bytes.len();
                }
            }
            None => {
                let Some(dst) = buf.get_mut(..raw.len()) else { return Ok(None) };
                dst.copy_from_slice(raw);
                len = raw.len();
            }
        }
        Ok(buf.get(..len).and_then(|b| core::str::from_utf8(b).ok()))
    }

    /// The lowest level that reaches the client for `ticket` (or, without a ticket, for
    /// the legacy session), if any does.
    pub fn log_threshold(&mut self, ticket: Option<Ticket>) -> Result<Option<LogLevel>, Error> {
        Ok(match ticket {
            None => self.session.revision.map(|_| self.session.log_level),
            Some(t) => live(self.slots, t, None)?.log_level(),
        })
    }

    /// Send a `notifications/message` whose `data` `f` writes, if the level reaches the
    /// client: in 2026-07-28 only for a request that asked for logs (`_meta` `logLevel`),
    /// in legacy sessions at or above the level set by `logging/setLevel`. Returns whether
    /// it was sent.
    pub fn log(
        &mut self,
        ticket: Option<Ticket>,
        level: LogLevel,
        logger: Option<&str>,
        f: impl FnOnce(ValueWriter<'_>) -> Result<Written, Error>,
    ) -> Result<bool, Error> {
        if self.log_threshold(ticket)?.is_none_or(|min| level < min) {
            return Ok(false);
        }
        self.out.route(ticket.map_or(Route::Session, Route::Related));
        jsonrpc::notification_head(self.out, "notifications/message")?;
        self.out.write(b"{\"level\":\"")?;
        self.out.write(level.as_str().as_bytes())?;
        self.out.write(b"\"")?;
        if let Some(l) = logger {
            self.out.write(b",\"logger\":")?;
            json::string(self.out, l)?;
        }
        self.out.write(b",\"data\":")?;
        // The message is ended even when `f` fails (`fill` leaves valid JSON behind).
        let outcome = json::fill(self.out, f);
        if outcome == Err(Error::Io) {
            return Err(Error::Io);
        }
        self.out.write(b"}")?;
        jsonrpc::message_end(self.out)?;
        outcome.map(|()| true)
    }

    /// [`Responder::log`] with a text message as `data`.
    pub fn log_text(&mut self, ticket: Option<Ticket>, level: LogLevel, text: &str) -> Result<bool, Error> {
        self.log(ticket, level, None, |v| v.string(text))
    }

    /// Send a list-changed notification: to a legacy session (or to every session, by
    /// the transport: [`Sink::notice`]) and to every listen stream that opted in.
    fn list_changed(&mut self, notice: Notice<'_>, method: &str, bit: u8) -> Result<bool, Error> {
        let mut sent = self.legacy_notice(notice)?;
        let listeners = inflight::live_tickets(self.slots).filter(|(_, s)| s.kind() == CallKind::Listen);
        for (ticket, slot) in listeners.filter(|(_, s)| s.filter().has(bit)) {
            self.out.route(Route::Related(ticket));
            jsonrpc::notification_head(self.out, method)?;
            self.out.write(b"{\"_meta\":{\"io.modelcontextprotocol/subscriptionId\":")?;
            self.out.write(slot.id().raw())?;
            self.out.write(b"}}")?;
            jsonrpc::message_end(self.out)?;
            sent = true;
        }
        Ok(sent)
    }

    /// A change notification for legacy sessions: the transport's to deliver if it fans
    /// out ([`Sink::notice`]), else written here when this session wants it.
    pub(crate) fn legacy_notice(&mut self, notice: Notice<'_>) -> Result<bool, Error> {
        if self.out.notice(notice)? {
            return Ok(true);
        }
        self.write_legacy_notice(notice)
    }

    /// Write a change notification for this responder's legacy session, if it is open
    /// (and, for a resource, subscribed to it).
    pub(crate) fn write_legacy_notice(&mut self, notice: Notice<'_>) -> Result<bool, Error> {
        if self.session.revision.is_none() {
            return Ok(false);
        }
        let method = match notice {
            Notice::ToolsChanged => "notifications/tools/list_changed",
            Notice::PromptsChanged => "notifications/prompts/list_changed",
            Notice::ResourcesChanged => "notifications/resources/list_changed",
            Notice::ResourceUpdated(uri) => {
                if !Subscriptions::new(self.subscriptions).contains(uri) {
                    return Ok(false);
                }
                self.out.route(Route::Session);
                jsonrpc::notification_head(self.out, "notifications/resources/updated")?;
                self.out.write(b"{\"uri\":")?;
                json::string(self.out, uri)?;
                self.out.write(b"}")?;
                return jsonrpc::message_end(self.out).map(|()| true);
            }
        };
        self.out.route(Route::Session);
        jsonrpc::notification_head(self.out, method)?;
        self.out.write(b"{}")?;
        jsonrpc::message_end(self.out).map(|()| true)
    }

    /// Tell clients the tool list changed (`notifications/tools/list_changed`): the
    /// legacy session, and 2026-07-28 listen streams that asked for it.
    pub fn tools_changed(&mut self) -> Result<bool, Error> {
        self.list_changed(Notice::ToolsChanged, "notifications/tools/list_changed", Filter::TOOLS)
    }

    /// Tell clients the prompt list changed.
    pub fn prompts_changed(&mut self) -> Result<bool, Error> {
        self.list_changed(Notice::PromptsChanged, "notifications/prompts/list_changed", Filter::PROMPTS)
    }

    /// Tell clients the resource list changed.
    pub fn resources_changed(&mut self) -> Result<bool, Error> {
        self.list_changed(Notice::ResourcesChanged, "notifications/resources/list_changed", Filter::RESOURCES)
    }

    /// Tell a legacy client that subscribed to `uri` that it changed
    /// (`notifications/resources/updated`); nothing if it did not subscribe.
    pub fn resource_updated(&mut self, uri: &str) -> Result<bool, Error> {
        self.legacy_notice(Notice::ResourceUpdated(uri))
    }
}

/// The live slot of `ticket`, if it is of `kind`.
fn live(slots: &mut [Slot], ticket: Ticket, kind: Option<CallKind>) -> Result<&mut Slot, Error> {
    let slot = inflight::get(slots, ticket).ok_or(Error::StaleTicket)?;
    if kind.is_some_and(|k| k != slot.kind()) {
        return Err(Error::WrongKind);
    }
    Ok(slot)
}

/// Write a "resource not found" error with `data: {"uri": …}`.
pub(crate) fn resource_not_found(
    out: &mut dyn Sink,
    id: Option<Id<'_>>,
    code: i32,
    uri: Text<'_>,
) -> Result<(), Error> {
    jsonrpc::error_with(
        out,
        id,
        code,
        &mut |o| {
            o.write(b"Resource not found: ")?;
            uri.write_contents(o)
        },
        Some(&mut |v| v.object(|o| o.field("uri", |w| w.text(uri)))),
    )
}

/// Write a `tools/call` result object without its closing brace: `f` writes the content
/// blocks. When `f` fails (other than [`Error::Io`], which stops everything), a text block
/// naming the failure is added and the result is marked `isError`; `f`'s outcome is
/// returned.
pub(crate) fn write_tool_result(
    out: &mut dyn Sink,
    f: &mut dyn FnMut(&mut ToolResult<'_>) -> Result<(), Error>,
) -> Result<Result<(), Error>, Error> {
    out.write(b"{\"content\":[")?;
    let mut res = ToolResult { out: &mut *out, first: true, structured: false, is_error: false };
    let outcome = f(&mut res);
    if let Err(e) = outcome {
        if e == Error::Io {
            return Err(e);
        }
        if !res.structured {
            if !res.first {
                res.out.write(b",")?;
            }
            // `describe` texts are plain ASCII: no escaping needed.
            res.out.write(b"{\"type\":\"text\",\"text\":\"internal error while writing the result: ")?;
            res.out.write(e.describe().as_bytes())?;
            res.out.write(b"\"}")?;
        }
        res.is_error = true;
    }
    let (structured, is_error) = (res.structured, res.is_error);
    if !structured {
        out.write(b"]")?;
    }
    if is_error {
        out.write(b",\"isError\":true")?;
    }
    Ok(outcome)
}

/// Writes the content of a `tools/call` result.
pub struct ToolResult<'r> {
    pub(super) out: &'r mut dyn Sink,
    pub(super) first: bool,
    pub(super) structured: bool,
    pub(super) is_error: bool,
}

impl<'t> ToolResult<'_> {
    /// Add a content block.
    pub fn content(&mut self, content: Content<'_>) -> Result<(), Error> {
        if self.structured {
            return Err(Error::OutOfOrder);
        }
        content.check()?;
        if !core::mem::take(&mut self.first) {
            self.out.write(b",")?;
        }
        content.write(self.out)
    }

    /// Add a text block.
    pub fn text(&mut self, text: impl Into<Text<'t>>) -> Result<(), Error> {
        self.content(Content::Text(text.into()))
    }

    /// Write `structuredContent` (after every content block: further blocks give
    /// [`Error::OutOfOrder`]). Tools with an `outputSchema` must send it.
    pub fn structured(&mut self, f: impl FnOnce(ValueWriter<'_>) -> Result<Written, Error>) -> Result<(), Error> {
        if core::mem::replace(&mut self.structured, true) {
            return Err(Error::OutOfOrder);
        }
        self.out.write(b"],\"structuredContent\":")?;
        json::fill(self.out, f)
    }

    /// Add a text block holding the JSON that `f` writes (escaped into the string).
    pub fn json_text(&mut self, f: impl FnOnce(ValueWriter<'_>) -> Result<Written, Error>) -> Result<(), Error> {
        if self.structured {
            return Err(Error::OutOfOrder);
        }
        if !core::mem::take(&mut self.first) {
            self.out.write(b",")?;
        }
        self.out.write(b"{\"type\":\"text\",\"text\":\"")?;
        // The block is closed even when `f` fails (`fill` leaves valid JSON behind).
        let outcome = json::fill(&mut json::Escaping(&mut *self.out), f);
        if outcome == Err(Error::Io) {
            return outcome;
        }
        self.out.write(b"\"}")?;
        outcome
    }

    /// Write `structuredContent` and, before it, a text block with the same JSON: the
    /// usual shape for tools with an `outputSchema`, readable by clients that ignore
    /// structured content.
    pub fn structured_with_text(&mut self, f: impl Fn(ValueWriter<'_>) -> Result<Written, Error>) -> Result<(), Error> {
        self.json_text(&f)?;
        self.structured(f)
    }

    /// Write `structuredContent` from JSON text (checked first).
    pub fn structured_json(&mut self, json: &str) -> Result<(), Error> {
        json::parse(json.as_bytes(), json::RAW_MAX_DEPTH).map_err(|_| Error::InvalidJson)?;
        self.structured(|v| v.raw(json))
    }

    /// Mark the result as a tool error (`isError: true`).
    pub fn set_error(&mut self, is_error: bool) {
        self.is_error = is_error;
    }
}

/// Writes the contents of a `resources/read` result.
pub struct Contents<'r> {
    pub(super) out: &'r mut dyn Sink,
    pub(super) first: bool,
}

impl Contents<'_> {
    /// Add one entry.
    pub fn push(&mut self, contents: ResourceContents<'_>) -> Result<(), Error> {
        if !core::mem::take(&mut self.first) {
            self.out.write(b",")?;
        }
        contents.write(self.out)
    }
}

/// Writes the messages of a `prompts/get` result.
pub struct Messages<'r> {
    pub(super) out: &'r mut dyn Sink,
    pub(super) first: bool,
}

impl Messages<'_> {
    /// Add a message.
    pub fn push(&mut self, role: Role, content: Content<'_>) -> Result<(), Error> {
        content.check()?;
        if !core::mem::take(&mut self.first) {
            self.out.write(b",")?;
        }
        self.out.write(match role {
            Role::User => b"{\"role\":\"user\",\"content\":",
            Role::Assistant => b"{\"role\":\"assistant\",\"content\":",
        })?;
        content.write(self.out)?;
        self.out.write(b"}")
    }
}

/// Writes the values of a `completion/complete` result (at most 100; more set `hasMore`).
pub struct Completions<'r> {
    pub(super) out: &'r mut dyn Sink,
    pub(super) count: usize,
    pub(super) total: Option<u64>,
    pub(super) has_more: bool,
}

/// The most values one completion result may carry.
pub const MAX_COMPLETIONS: usize = 100;

impl<'t> Completions<'_> {
    /// Add a suggestion; past [`MAX_COMPLETIONS`] it is dropped and `hasMore` is set.
    pub fn push(&mut self, value: impl Into<Text<'t>>) -> Result<(), Error> {
        if self.count >= MAX_COMPLETIONS {
            self.has_more = true;
            return Ok(());
        }
        if self.count > 0 {
            self.out.write(b",")?;
        }
        self.count += 1;
        value.into().write(self.out)
    }

    /// Say how many values exist in all.
    pub fn set_total(&mut self, total: u64) {
        self.total = Some(total);
    }

    /// Say that more values exist than were sent.
    pub fn set_has_more(&mut self) {
        self.has_more = true;
    }
}
