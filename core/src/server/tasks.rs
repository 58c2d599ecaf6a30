//! The tasks extension (`io.modelcontextprotocol/tasks`, 2026-07-28 only): a `tools/call`
//! answered with a task handle (`resultType: "task"`) instead of its result, and the
//! methods `tasks/get` (status, and the inlined result, error or input requests),
//! `tasks/update` (answers to input requests) and `tasks/cancel`.
//!
//! The host decides which calls become tasks ([`Responder::create_task`]) and ends them
//! ([`Responder::task_result`], [`Responder::task_failed`]), possibly asking the client
//! for input first ([`Responder::task_input_required`]); it hears answers and
//! cancellations through [`Handler::task_input`] and [`Handler::task_cancelled`]. The
//! protocol rules (capability gating, `-32021`, task ids, timestamps, expiry, which input
//! requests are still pending) are kept here.
//!
//! A server only offers the extension when its storage has a task table
//! ([`WithTasks`](crate::WithTasks)); the code below is reached only through that table,
//! so a server without one (a firmware) carries none of it.

use crate::json::{self, Object, Str, Text, Value};
use crate::jsonrpc::{self, Id, Message, code};
use crate::protocol::{
    CallKind, ClientCapabilities, MAX_TASK_INPUTS, RequestMeta, Revision, TaskId, TaskSlot, TaskStatus, TaskTable,
    Ticket, inflight, iso8601,
};
use crate::server::access;
use crate::server::dispatch::Request;
use crate::server::handler::Handler;
use crate::server::input::InputRequests;
use crate::server::registry::{Registry, TaskSupport};
use crate::server::responder::{ToolResult, write_tool_result};
use crate::server::{Responder, State};
use crate::{Error, Route, Sink};

/// The extension's identifier.
pub(crate) const EXTENSION: &str = "io.modelcontextprotocol/tasks";

/// The error of a failed task whose own error (or result) did not fit the task arena.
const NO_ROOM_ERROR: &[u8] =
    b"{\"code\":-32603,\"message\":\"Internal error: the task's outcome did not fit the server's task storage\"}";

/// A client's answer to one input request of a task (see [`Handler::task_input`]).
#[derive(Clone, Copy, Debug)]
pub struct TaskAnswer<'a> {
    /// The input request's key (as given to [`InputRequests::request`]).
    pub key: Str<'a>,
    /// The client's result for it (for `elicitation/create`, `{action, content}`).
    pub response: Value<'a>,
    /// How many input requests of the task are still unanswered after this one.
    pub pending: usize,
}

/// The entry to a task table's code (see [`TaskTable::engine`]).
pub(crate) trait Engine {
    /// Handle one frame on a server with a task table: as [`Responder::receive`], but the
    /// requests the extension concerns come here first.
    fn receive(&self, r: &mut Responder<'_>, frame: &[u8], handler: &mut dyn Handler) -> Result<(), Error>;
}

/// The tasks engine.
pub(crate) struct Tasks;

/// The one engine every task table points to.
pub(crate) static ENGINE: Tasks = Tasks;

/// The tasks methods.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Get,
    Update,
    Cancel,
}

/// The methods the extension concerns: its own, the calls that may become tasks and
/// `server/discover`, which advertises it.
const CONCERNED: [&str; 5] = ["tools/call", "server/discover", "tasks/get", "tasks/update", "tasks/cancel"];

impl Engine for Tasks {
    fn receive(&self, r: &mut Responder<'_>, frame: &[u8], handler: &mut dyn Handler) -> Result<(), Error> {
        let (value, outline) = match json::parse_outline(frame, r.state.config.max_depth, b"params") {
            Ok(parsed) => parsed,
            Err(e) => return r.parse_error(e),
        };
        if value.as_object().is_some() {
            if let Ok(Message::Request { id, method, params }) = jsonrpc::classify_outlined(value, &outline) {
                if CONCERNED.iter().any(|m| method.eq_str(m)) {
                    r.out.route(Route::Reply);
                    return request(r, id, method, params, &outline, handler);
                }
            }
        }
        r.receive_parsed(value, &outline, handler)
    }
}

/// A request for one of the [`CONCERNED`] methods.
fn request<'f>(
    r: &mut Responder<'_>,
    id: Id<'f>,
    method: Str<'f>,
    params: Option<Value<'f>>,
    outline: &json::Outline<'f>,
    handler: &mut dyn Handler,
) -> Result<(), Error> {
    let Some((mut req, _, object)) = r.prepare(id, method, params, Some(outline), handler)? else {
        return Ok(());
    };
    let modern = req.info.revision.is_modern();
    let op = if method.eq_str("tools/call") {
        if !handler.registry().features().tools {
            let prefix = "Method not found (not offered by this server): ";
            return r.fail_about(id, code::METHOD_NOT_FOUND, prefix, Text::Json(method));
        }
        if modern && gate(r, &mut req, object, handler.registry())? {
            return Ok(());
        }
        return r.call_tool(&req, handler);
    } else if method.eq_str("server/discover") {
        // Only 2026-07-28 gets here (`prepare` answers a legacy one).
        let reg = handler.registry();
        return r.discover(&req, reg, |out| advertise(out, reg));
    } else if method.eq_str("tasks/get") {
        Op::Get
    } else if method.eq_str("tasks/update") {
        Op::Update
    } else {
        Op::Cancel
    };
    if !modern {
        // The extension is 2026-07-28 only.
        return r.fail_about(id, code::METHOD_NOT_FOUND, "Method not found: ", Text::Json(method));
    }
    task_request(r, &req, op, object, handler)
}

/// `tasks/get`, `tasks/update` or `tasks/cancel`, 2026-07-28.
fn task_request(
    r: &mut Responder<'_>,
    req: &Request<'_>,
    op: Op,
    params: Option<Object<'_>>,
    handler: &mut dyn Handler,
) -> Result<(), Error> {
    let (id, revision) = (req.id, req.info.revision);
    if !declares_tasks(req.params.meta()) {
        return missing_extension(r.out, id);
    }
    let Some(task_id) = params.and_then(|p| p.get("taskId")).and_then(Value::as_str) else {
        return r.invalid_params(id, "the tasks methods need taskId (a string)");
    };
    let Some(table) = r.tasks.as_mut() else { return Err(Error::StaleTicket) };
    let now = table.now();
    table.expire(now);
    let Some(task) = table.find(task_id, r.state.principal()) else {
        return unknown_task(r.out, id, task_id);
    };
    match op {
        Op::Get => get(r, id, revision, task),
        Op::Update => update(r, id, revision, task, params, now, handler),
        Op::Cancel => cancel(r, id, revision, task, now, handler),
    }
}

/// A `tools/call` of a tool with task support: marked [`ClientCapabilities::TASKS`] when
/// its request declared the extension, refused (`-32021`, `true`) when it did not and the
/// tool needs a task. Unknown tools are left to the dispatcher.
fn gate(
    r: &mut Responder<'_>,
    req: &mut Request<'_>,
    params: Option<Object<'_>>,
    reg: &dyn Registry,
) -> Result<bool, Error> {
    let name = params.and_then(|p| p.get("name")).and_then(Value::as_str);
    // A tool the caller may not see is unknown here too (the dispatcher says so).
    let found = name.and_then(|n| reg.tool(access::find_tool(reg, r.state.principal(), n)?));
    let support = found.map_or(TaskSupport::Forbidden, |t| t.tasks);
    if support == TaskSupport::Forbidden {
        return Ok(false);
    }
    if declares_tasks(req.params.meta()) {
        let bits = req.info.client_capabilities.bits() | ClientCapabilities::TASKS;
        req.info.client_capabilities = ClientCapabilities::new(bits);
        return Ok(false);
    }
    if support == TaskSupport::Required {
        missing_extension(r.out, req.id)?;
        return Ok(true);
    }
    Ok(false)
}

/// `,"extensions":{…}` in `server/discover` capabilities when a tool supports tasks.
fn advertise(out: &mut dyn Sink, reg: &dyn Registry) -> Result<(), Error> {
    if (0..reg.tool_count()).any(|i| reg.tool(i).is_some_and(|t| t.tasks != TaskSupport::Forbidden)) {
        out.write(b",\"extensions\":{\"io.modelcontextprotocol/tasks\":{}}")?;
    }
    Ok(())
}

/// Whether a request's `_meta` declares the extension in its client capabilities.
fn declares_tasks(meta: Option<Value<'_>>) -> bool {
    RequestMeta::from_meta(meta)
        .client_capabilities
        .and_then(Value::as_object)
        .and_then(|caps| caps.get("extensions"))
        .and_then(Value::as_object)
        .and_then(|extensions| extensions.get(EXTENSION))
        .is_some_and(|settings| settings.as_object().is_some())
}

/// `-32021`: the request did not declare the extension.
fn missing_extension(out: &mut dyn Sink, id: Id<'_>) -> Result<(), Error> {
    jsonrpc::error_with(
        out,
        Some(id),
        code::MISSING_CLIENT_CAPABILITY,
        &mut |o| o.write(b"Missing required client capability: the io.modelcontextprotocol/tasks extension"),
        Some(&mut |v| v.raw(r#"{"requiredCapabilities":{"extensions":{"io.modelcontextprotocol/tasks":{}}}}"#)),
    )
}

/// `-32602` for a task id the server does not know (never issued, or forgotten).
fn unknown_task(out: &mut dyn Sink, id: Id<'_>, task_id: Str<'_>) -> Result<(), Error> {
    jsonrpc::error_with(
        out,
        Some(id),
        code::INVALID_PARAMS,
        &mut |o| o.write(b"Invalid params: unknown task (never created, or expired)"),
        Some(&mut |v| v.object(|o| o.field("taskId", |w| w.json_str(task_id)))),
    )
}

/// The members every task object has, from `"taskId"` on (no braces).
fn task_members(out: &mut dyn Sink, slot: &TaskSlot, ttl_ms: u32, poll_interval_ms: u32) -> Result<(), Error> {
    out.write(b"\"taskId\":\"")?;
    out.write(slot.id().as_bytes())?;
    out.write(b"\",\"status\":\"")?;
    out.write(slot.status.as_str().as_bytes())?;
    out.write(b"\",\"createdAt\":\"")?;
    out.write(&iso8601(slot.created))?;
    out.write(b"\",\"lastUpdatedAt\":\"")?;
    out.write(&iso8601(slot.updated))?;
    out.write(b"\",\"ttlMs\":")?;
    json::u64(out, u64::from(ttl_ms))?;
    out.write(b",\"pollIntervalMs\":")?;
    json::u64(out, u64::from(poll_interval_ms))
}

/// `tasks/get`: the task as a DetailedTask (its result, error or pending input requests
/// inlined).
fn get(r: &mut Responder<'_>, id: Id<'_>, revision: Revision, task: TaskId) -> Result<(), Error> {
    let Responder { tasks, out, state, .. } = r;
    let out: &mut dyn Sink = &mut **out;
    let Some(table) = tasks.as_mut() else { return Err(Error::StaleTicket) };
    let Some((index, slot)) = table.get(task) else { return Err(Error::StaleTicket) };
    let slot = *slot;
    jsonrpc::result_head(out, id)?;
    out.write(b"{")?;
    task_members(out, &slot, table.ttl_ms(), table.poll_interval_ms())?;
    let payload = table.payload(index);
    match slot.status {
        TaskStatus::InputRequired => {
            out.write(b",\"inputRequests\":{")?;
            pending_requests(out, payload, &slot)?;
            out.write(b"}")?;
        }
        TaskStatus::Completed if !payload.is_empty() => {
            out.write(b",\"result\":")?;
            out.write(payload)?;
        }
        TaskStatus::Failed => {
            out.write(b",\"error\":")?;
            out.write(if payload.is_empty() { NO_ROOM_ERROR } else { payload })?;
        }
        _ => {}
    }
    finish(state, out, revision)
}

/// The members of a stored `inputRequests` map that are still unanswered.
fn pending_requests(out: &mut dyn Sink, stored: &[u8], slot: &TaskSlot) -> Result<(), Error> {
    let Some(map) = json::parse(stored, json::MAX_DEPTH_LIMIT).ok().and_then(Value::as_object) else {
        return Ok(());
    };
    let mut first = true;
    for (i, (key, value)) in map.iter().enumerate() {
        if is_answered(slot, i) {
            continue;
        }
        if !core::mem::take(&mut first) {
            out.write(b",")?;
        }
        json::str_raw(out, key)?;
        out.write(b":")?;
        out.write(value.raw())?;
    }
    Ok(())
}

/// Whether input request `i` of a task's stored map was answered.
fn is_answered(slot: &TaskSlot, i: usize) -> bool {
    i < MAX_TASK_INPUTS && slot.answered >> i & 1 == 1
}

/// `,"resultType":"complete"`, `_meta` and the closing braces of a result.
fn finish(state: &State, out: &mut dyn Sink, revision: Revision) -> Result<(), Error> {
    state.trailer(out, revision, None)?;
    jsonrpc::message_end(out)
}

/// `tasks/update`: hand each answer to a pending input request to the handler, then
/// acknowledge (`{"resultType":"complete"}`). Unknown keys are ignored.
fn update(
    r: &mut Responder<'_>,
    id: Id<'_>,
    revision: Revision,
    task: TaskId,
    params: Option<Object<'_>>,
    now: u64,
    handler: &mut dyn Handler,
) -> Result<(), Error> {
    let Some(responses) = params.and_then(|p| p.get("inputResponses")).and_then(Value::as_object) else {
        return r.invalid_params(id, "tasks/update needs inputResponses (an object)");
    };
    for (key, response) in responses.iter() {
        let Some(pending) = r.tasks.as_mut().and_then(|table| take_answer(table, task, key, now)) else { continue };
        match handler.task_input(task, TaskAnswer { key, response, pending }, r) {
            Ok(()) => {}
            Err(Error::Io) => return Err(Error::Io),
            Err(e) => {
                if let Some(table) = r.tasks.as_mut() {
                    fail_handler(table, task, e);
                }
            }
        }
    }
    r.out.route(Route::Reply);
    r.empty(id, revision)
}

/// Mark the pending input request `key` of `task` answered; how many stay pending, or
/// `None` when the task waits for no such key. The last answer puts the task back to
/// `working`.
fn take_answer(table: &mut TaskTable<'_>, task: TaskId, key: Str<'_>, now: u64) -> Option<usize> {
    let (index, slot) = table.get(task)?;
    if slot.status != TaskStatus::InputRequired {
        return None;
    }
    let slot = *slot;
    let position = {
        let map = json::parse(table.payload(index), json::MAX_DEPTH_LIMIT).ok()?.as_object()?;
        map.iter()
            .enumerate()
            .position(|(i, (k, _))| i < MAX_TASK_INPUTS && !is_answered(&slot, i) && k.same_text(key))?
    };
    let (_, slot) = table.get(task)?;
    slot.answered |= 1 << position;
    slot.updated = now;
    let pending = slot.pending();
    if pending == 0 {
        slot.status = TaskStatus::Working;
        slot.requests = 0;
        slot.answered = 0;
        table.clear(index);
    }
    Some(pending)
}

/// A handler failed while working on `task`: the task fails with an internal error.
fn fail_handler(table: &mut TaskTable<'_>, task: TaskId, e: Error) {
    let Ok((index, now)) = open(table, task) else { return };
    let stored = table.store(index, |out| {
        out.write(b"{\"code\":-32603,\"message\":\"Internal error: the handler failed: ")?;
        out.write(e.describe().as_bytes())?;
        out.write(b"\"}")
    });
    end(table, index, now, TaskStatus::Failed, stored.is_ok());
}

/// `tasks/cancel`: a task still running ends `cancelled` and the handler hears of it; the
/// acknowledgement is the same for a task already over.
fn cancel(
    r: &mut Responder<'_>,
    id: Id<'_>,
    revision: Revision,
    task: TaskId,
    now: u64,
    handler: &mut dyn Handler,
) -> Result<(), Error> {
    let running = r.tasks.as_mut().and_then(|table| {
        let (index, slot) = table.get(task)?;
        if slot.status.is_terminal() {
            return None;
        }
        table.clear(index);
        end(table, index, now, TaskStatus::Cancelled, true);
        Some(())
    });
    if running.is_some() {
        handler.task_cancelled(task);
    }
    r.out.route(Route::Reply);
    r.empty(id, revision)
}

/// The slot index of a task still running, and the time now (after expiry).
fn open(table: &mut TaskTable<'_>, task: TaskId) -> Result<(usize, u64), Error> {
    let now = table.now();
    table.expire(now);
    let (index, slot) = table.get(task).ok_or(Error::StaleTicket)?;
    if slot.status.is_terminal() {
        return Err(Error::StaleTicket);
    }
    Ok((index, now))
}

/// Put slot `index` in `status` as of `now` (with no payload unless `kept`).
fn end(table: &mut TaskTable<'_>, index: usize, now: u64, status: TaskStatus, kept: bool) {
    if !kept {
        table.clear(index);
    }
    if let Some(slot) = table.slots.get_mut(index) {
        slot.status = status;
        slot.updated = now;
        slot.requests = 0;
        slot.answered = 0;
    }
}

impl Responder<'_> {
    /// The code behind the task table, if the server has one.
    #[inline]
    pub(crate) fn task_engine(&self) -> Option<&'static dyn Engine> {
        self.tasks.as_ref().map(|t| t.engine)
    }

    /// Whether the call `ticket` may become a task: a 2026-07-28 `tools/call` of a tool
    /// with task support whose request declared the extension, on a server with a task
    /// table (then its [`ClientCapabilities`] carry [`ClientCapabilities::TASKS`]).
    pub fn can_create_task(&mut self, ticket: Ticket) -> bool {
        self.tasks.is_some()
            && inflight::get(self.slots, ticket).is_some_and(|slot| {
                slot.kind() == CallKind::Tool
                    && slot.revision().is_modern()
                    && slot.caps().has(ClientCapabilities::TASKS)
            })
    }

    /// Answer a `tools/call` with a new task (a CreateTaskResult: `resultType: "task"`,
    /// `taskId`, `status: "working"`, timestamps, `ttlMs`, `pollIntervalMs`) and return its
    /// handle. The call is then over; the task lives on until the host ends it with
    /// [`Self::task_result`] or [`Self::task_failed`] (from any responder, later), or the
    /// client cancels it, and is kept [`TaskConfig::ttl_ms`] after its last change for
    /// `tasks/get`.
    ///
    /// Refused, with nothing written (answer the call another way): [`Error::WrongKind`]
    /// for anything but a tool call, [`Error::WrongRevision`] for a legacy one,
    /// [`Error::MissingCapability`] when it cannot be a task (see
    /// [`Self::can_create_task`]), [`Error::NoRoom`] when the task table is full.
    ///
    /// ```
    /// # use picomcp::{Responder, ToolCall, Error};
    /// fn call_tool(call: ToolCall<'_>, r: &mut Responder<'_>) -> Result<(), Error> {
    ///     if r.can_create_task(call.ticket) {
    ///         let task = r.create_task(call.ticket)?;
    ///         // ... keep `task`, work, and later: r.task_result(task, |res| res.text("done"))
    ///         # let _ = task;
    ///         return Ok(());
    ///     }
    ///     r.tool_result(call.ticket, |res| res.text("done"))
    /// }
    /// ```
    ///
    /// [`TaskConfig::ttl_ms`]: crate::TaskConfig::ttl_ms
    pub fn create_task(&mut self, ticket: Ticket) -> Result<TaskId, Error> {
        let slot = inflight::get(self.slots, ticket).ok_or(Error::StaleTicket)?;
        if slot.kind() != CallKind::Tool {
            return Err(Error::WrongKind);
        }
        if !slot.revision().is_modern() {
            return Err(Error::WrongRevision);
        }
        let caps = slot.caps();
        let table = match self.tasks.as_mut() {
            Some(table) if caps.has(ClientCapabilities::TASKS) => table,
            _ => return Err(Error::MissingCapability),
        };
        let now = table.now();
        let owner = slot.principal();
        let task = table.create(now, caps.bits(), &self.state.config.state_key, owner).ok_or(Error::NoRoom)?;
        let record = *table.get(task).ok_or(Error::NoRoom)?.1;
        self.out.route(Route::Answer(ticket));
        jsonrpc::result_head(self.out, slot.id())?;
        self.out.write(b"{\"resultType\":\"task\",")?;
        task_members(self.out, &record, table.ttl_ms(), table.poll_interval_ms())?;
        inflight::release(self.slots, ticket);
        // A CreateTaskResult has its own type: only `_meta` and the braces follow.
        self.state.identity_meta(self.out)?;
        self.out.write(b"}")?;
        jsonrpc::message_end(self.out)?;
        Ok(task)
    }

    /// The status of a task, or `None` when the handle is stale (the task was forgotten).
    pub fn task_status(&mut self, task: TaskId) -> Option<TaskStatus> {
        let table = self.tasks.as_mut()?;
        let now = table.now();
        table.expire(now);
        table.get(task).map(|(_, slot)| slot.status)
    }

    /// End a task with the tool's result (`completed`; a tool error is a result too, with
    /// `isError: true`): `f` writes the content, as for [`Self::tool_result`]. The result
    /// is kept in the task arena for `tasks/get`; one that does not fit fails the task with
    /// an internal error instead ([`Error::NoRoom`]). A task already over, or a stale
    /// handle, gets [`Error::StaleTicket`].
    pub fn task_result(
        &mut self,
        task: TaskId,
        f: impl FnOnce(&mut ToolResult<'_>) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let mut f = Some(f);
        self.task_result_with(task, &mut |x| f.take().map_or(Ok(()), |f| f(x)))
    }

    /// [`Self::task_result`] compiled once, whatever the closure.
    fn task_result_with(
        &mut self,
        task: TaskId,
        f: &mut dyn FnMut(&mut ToolResult<'_>) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let table = self.tasks.as_mut().ok_or(Error::StaleTicket)?;
        let (index, now) = open(table, task)?;
        let stored = table.store(index, |out| {
            let outcome = write_tool_result(out, f)?;
            out.write(b",\"resultType\":\"complete\"}")?;
            Ok(outcome)
        });
        match stored {
            Ok(Ok(outcome)) => {
                end(table, index, now, TaskStatus::Completed, true);
                outcome
            }
            _ => {
                end(table, index, now, TaskStatus::Failed, false);
                Err(Error::NoRoom)
            }
        }
    }

    /// End a task with a JSON-RPC error (`failed`, the error inlined by `tasks/get`): for
    /// failures of the protocol or the server, not of the tool (those are results with
    /// `isError`). An error too big for the task arena is replaced by a generic internal
    /// error ([`Error::NoRoom`]). A task already over, or a stale handle, gets
    /// [`Error::StaleTicket`].
    pub fn task_failed(&mut self, task: TaskId, code: i32, message: &str) -> Result<(), Error> {
        let table = self.tasks.as_mut().ok_or(Error::StaleTicket)?;
        let (index, now) = open(table, task)?;
        let stored = table.store(index, |out| {
            out.write(b"{\"code\":")?;
            json::i64(out, i64::from(code))?;
            out.write(b",\"message\":")?;
            json::string(out, message)?;
            out.write(b"}")
        });
        let kept = stored.is_ok();
        end(table, index, now, TaskStatus::Failed, kept);
        if kept { Ok(()) } else { Err(Error::NoRoom) }
    }

    /// Ask the client for input: the task goes `input_required`, and `tasks/get` shows the
    /// input requests `f` adds (as for [`Self::input_required`], limited to what the
    /// creating request declared it can answer). The client answers them with
    /// `tasks/update`, one or several at a time; each answer reaches
    /// [`Handler::task_input`], and when none is left pending the task is `working` again.
    ///
    /// When `f` adds nothing the task stays `working`. More than [`MAX_TASK_INPUTS`]
    /// requests, or more than the task arena holds, get [`Error::NoRoom`] (the task stays
    /// `working`, asking nothing). A task already over, or a stale handle, gets
    /// [`Error::StaleTicket`].
    pub fn task_input_required(
        &mut self,
        task: TaskId,
        f: impl FnOnce(&mut InputRequests<'_>) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let mut f = Some(f);
        self.task_input_required_with(task, &mut |x| f.take().map_or(Ok(()), |f| f(x)))
    }

    /// [`Self::task_input_required`] compiled once, whatever the closure.
    fn task_input_required_with(
        &mut self,
        task: TaskId,
        f: &mut dyn FnMut(&mut InputRequests<'_>) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let table = self.tasks.as_mut().ok_or(Error::StaleTicket)?;
        let (index, now) = open(table, task)?;
        let caps = ClientCapabilities::new(table.slots.get(index).map_or(0, |s| s.caps));
        let stored = table.store(index, |out| {
            out.write(b"{")?;
            let mut requests = InputRequests::new(out, caps);
            let outcome = f(&mut requests);
            if outcome == Err(Error::Io) {
                return Err(Error::Io);
            }
            let count = requests.len();
            out.write(b"}")?;
            Ok((count, outcome))
        });
        match stored {
            Ok(Ok((count, outcome))) if (1..=MAX_TASK_INPUTS).contains(&count) => {
                end(table, index, now, TaskStatus::InputRequired, true);
                if let Some(slot) = table.slots.get_mut(index) {
                    slot.requests = count as u8;
                }
                outcome
            }
            Ok(Ok((0, outcome))) => {
                end(table, index, now, TaskStatus::Working, false);
                outcome
            }
            _ => {
                end(table, index, now, TaskStatus::Working, false);
                Err(Error::NoRoom)
            }
        }
    }
}
