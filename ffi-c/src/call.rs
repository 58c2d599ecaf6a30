//! Calls: the handle a callback gets, the bridge that turns the core's calls into C
//! callbacks, and the answers (now, from the callback, or later by ticket).

use core::ffi::c_char;
use core::time::Duration;

use picomcp::json::{Str, Text};
use picomcp::protocol::CallKind;
use picomcp::uri_template::Captures;
use picomcp::{
    Arguments, CompletionRef, CompletionRequest, Content, Draft, Error, Handler, PromptGet, ReadTarget, Registry,
    ResourceRead, Responder, Ticket, ToolCall, jsonrpc,
};

use crate::catalog::Callback;
use crate::server::{host, picomcp_server};
use crate::status::*;
use crate::text::{copy_out, put};

/// The handle of one request being answered: given to a callback (valid until it
/// returns, or after `picomcp_call_defer` not at all), or by `picomcp_server_reply` for a
/// deferred answer (valid until `picomcp_call_send`, `picomcp_call_fail` or
/// `picomcp_call_discard`).
#[allow(non_camel_case_types)]
pub struct picomcp_call {
    _opaque: [u8; 0],
}

/// What a call asks for (`picomcp_call_kind`).
#[allow(non_camel_case_types)]
pub type picomcp_kind = i32;
/// `tools/call`.
pub const PICOMCP_CALL_TOOL: picomcp_kind = 1;
/// `resources/read`.
pub const PICOMCP_CALL_RESOURCE: picomcp_kind = 2;
/// `prompts/get`.
pub const PICOMCP_CALL_PROMPT: picomcp_kind = 3;
/// `completion/complete`.
pub const PICOMCP_CALL_COMPLETION: picomcp_kind = 4;

/// A text field of a call (`picomcp_call_field`).
#[allow(non_camel_case_types)]
pub type picomcp_field = i32;
/// The tool's or prompt's name; for a completion, the prompt's name (`ref/prompt`).
pub const PICOMCP_FIELD_NAME: picomcp_field = 1;
/// The URI read; for a completion, the resource template (`ref/resource`).
pub const PICOMCP_FIELD_URI: picomcp_field = 2;
/// A completion's argument name.
pub const PICOMCP_FIELD_ARGUMENT: picomcp_field = 3;
/// A completion's typed value.
pub const PICOMCP_FIELD_VALUE: picomcp_field = 4;

/// Author of a prompt message.
#[allow(non_camel_case_types)]
pub type picomcp_role = i32;
/// The user.
pub const PICOMCP_ROLE_USER: picomcp_role = 0;
/// The assistant.
pub const PICOMCP_ROLE_ASSISTANT: picomcp_role = 1;

/// Severity of a log message (RFC 5424 levels, `debug` 0 to `emergency` 7).
#[allow(non_camel_case_types)]
pub type picomcp_log_level = i32;
/// `debug`.
pub const PICOMCP_LOG_DEBUG: picomcp_log_level = 0;
/// `info`.
pub const PICOMCP_LOG_INFO: picomcp_log_level = 1;
/// `notice`.
pub const PICOMCP_LOG_NOTICE: picomcp_log_level = 2;
/// `warning`.
pub const PICOMCP_LOG_WARNING: picomcp_log_level = 3;
/// `error`.
pub const PICOMCP_LOG_ERROR: picomcp_log_level = 4;
/// `critical`.
pub const PICOMCP_LOG_CRITICAL: picomcp_log_level = 5;
/// `alert`.
pub const PICOMCP_LOG_ALERT: picomcp_log_level = 6;
/// `emergency`.
pub const PICOMCP_LOG_EMERGENCY: picomcp_log_level = 7;

/// A ticket as the C API numbers it: never 0, which C code (and `picomcp_call_ticket` for
/// NULL) uses for "no ticket", while the core's first ticket (slot 0, generation 0) is 0 in
/// [`Ticket::to_bits`]. The slot index is stored plus one (an index is below `u32::MAX`:
/// `max_requests` is a `u32`).
pub(crate) const fn ticket_bits(ticket: Ticket) -> u64 {
    let bits = ticket.to_bits();
    (bits & !0xffff_ffff) | ((bits as u32) as u64 + 1)
}

/// The ticket a C number names; 0 (and any number `ticket_bits` never gives) names a
/// ticket no slot has.
pub(crate) const fn ticket_of(bits: u64) -> Ticket {
    if bits as u32 == 0 { Ticket::from_bits(u64::MAX) } else { Ticket::from_bits(bits - 1) }
}

/// Where a handle is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Inside its callback: the answer is sent when the callback returns.
    Callback,
    /// The callback deferred the answer.
    Deferred,
    /// The answer was sent (`picomcp_call_fail`).
    Answered,
    /// A deferred answer being written (`picomcp_server_reply`).
    Reply,
    /// Not in use.
    Closed,
}

/// A request being answered (behind a `picomcp_call` pointer).
pub(crate) struct Call<'a> {
    server: *mut picomcp_server,
    ticket: Ticket,
    phase: Phase,
    /// What the answer is (unknown for a reply handle until its first writer).
    kind: Option<CallKind>,
    name: Option<Text<'a>>,
    uri: Option<Str<'a>>,
    template: Option<&'a str>,
    variables: Captures<'a>,
    arguments: Option<Arguments<'a>>,
    argument: Option<Str<'a>>,
    value: Option<Str<'a>>,
    wants_progress: bool,
    draft: Option<Draft<'static>>,
}

impl<'a> Call<'a> {
    fn new(server: *mut picomcp_server, ticket: Ticket, kind: CallKind) -> Self {
        Self {
            server,
            ticket,
            phase: Phase::Callback,
            kind: Some(kind),
            name: None,
            uri: None,
            template: None,
            variables: Captures::new(),
            arguments: None,
            argument: None,
            value: None,
            wants_progress: false,
            draft: None,
        }
    }

    /// An unused reply handle.
    pub(crate) fn closed(server: *mut picomcp_server) -> Call<'static> {
        Call { phase: Phase::Closed, kind: None, ..Call::new(server, Ticket::from_bits(0), CallKind::Tool) }
    }

    /// The draft of the answer, started (of `kind`) on first use.
    fn draft(&mut self, kind: CallKind) -> Result<&mut Draft<'static>, picomcp_status> {
        if !matches!(self.phase, Phase::Callback | Phase::Reply) || self.kind.is_some_and(|k| k != kind) {
            return Err(PICOMCP_STATUS_MISUSE);
        }
        if self.draft.is_none() {
            // SAFETY: the server outlives its calls; only the buffer field is touched.
            let buf = unsafe { (*host(self.server)).draft.take() }.ok_or(PICOMCP_STATUS_BUSY)?;
            self.draft = Some(match kind {
                CallKind::Tool => Draft::tool(buf),
                CallKind::Resource => Draft::contents(buf),
                CallKind::Prompt => Draft::messages(buf),
                _ => Draft::completions(buf),
            });
            self.kind = Some(kind);
        }
        self.draft.as_mut().ok_or(PICOMCP_STATUS_BUSY)
    }

    /// Give the answer buffer back.
    fn release(&mut self) {
        if let Some(d) = self.draft.take() {
            // SAFETY: as in `draft`.
            unsafe { (*host(self.server)).draft = Some(d.into_buffer()) };
        }
    }

    /// What the call borrowed from its request, gone once the callback returns.
    fn forget_request(&mut self) {
        (self.name, self.uri, self.template, self.arguments, self.argument, self.value) =
            (None, None, None, None, None, None);
        self.variables.clear();
    }
}

/// The call behind a handle, if it is in use.
///
/// # Safety
/// `call` is NULL or a handle given by picomcp (a callback's, or the reply handle).
unsafe fn call_mut<'c>(call: *mut picomcp_call) -> Result<&'c mut Call<'c>, picomcp_status> {
    // SAFETY: per the contract, the pointer is to a live `Call`.
    let c = unsafe { call.cast::<Call<'c>>().as_mut() }.ok_or(PICOMCP_STATUS_NULL_POINTER)?;
    if c.phase == Phase::Closed { Err(PICOMCP_STATUS_MISUSE) } else { Ok(c) }
}

/// Run `f` with the responder a write goes through: the running callback's, or (outside
/// callbacks) one over the server's output queue.
///
/// # Safety
/// `server` is live.
pub(crate) unsafe fn with_responder(
    server: *mut picomcp_server,
    f: impl FnOnce(&mut Responder<'_>) -> Result<(), Error>,
) -> picomcp_status {
    // SAFETY: fields reached one by one; `live` is set only while its responder is
    // borrowed by the callback that runs, and the core is touched only when no core call
    // is in progress (`busy` is false).
    unsafe {
        let live = (*host(server)).live;
        if let Some(r) = live.as_mut() {
            // Inside `receive`/`poll` the sink is the output queue: a write fails when it is
            // full. (The queue takes the message back when the loop settles.)
            return match f(r) {
                Err(Error::Io) if (*server).queued => PICOMCP_STATUS_OUTPUT_FULL,
                result => status_of(result),
            };
        }
        if (*server).busy {
            return PICOMCP_STATUS_MISUSE;
        }
        let core = &mut *core::ptr::addr_of_mut!((*server).core);
        let out = &mut *core::ptr::addr_of_mut!((*server).out);
        out.begin();
        let result = f(&mut core.responder(out));
        if out.settle(result.is_ok()) {
            return PICOMCP_STATUS_OUTPUT_FULL;
        }
        status_of(result)
    }
}

/// The core's handler for a C server: every call goes to its C callback.
pub(crate) struct Bridge {
    pub(crate) server: *mut picomcp_server,
}

impl Bridge {
    /// Run `callback` for `call` with `r` reachable from it, then send what it wrote.
    fn invoke(&mut self, r: &mut Responder<'_>, callback: Option<Callback>, mut call: Call<'_>) -> Result<(), Error> {
        let Some(cb) = callback else {
            return r.error(call.ticket, jsonrpc::code::INTERNAL_ERROR, "no callback");
        };
        let host = unsafe { host(self.server) };
        // SAFETY: `live` is read by the C functions the callback calls, while `r` is not
        // used here; it is restored before `r` is used again.
        let status = unsafe {
            let before = core::mem::replace(&mut (*host).live, (r as *mut Responder<'_>).cast());
            let status = (cb.f)((&mut call as *mut Call<'_>).cast(), cb.userdata);
            (*host).live = before;
            status
        };
        let outcome = match call.phase {
            Phase::Callback => finish(r, &mut call, status),
            _ => Ok(()),
        };
        call.release();
        match outcome {
            Err(Error::Io) => Err(Error::Io),
            _ => Ok(()),
        }
    }

    fn catalog(&self) -> &'static crate::catalog::Catalog {
        // SAFETY: the catalog does not change while serving (registration is closed).
        unsafe { &(*host(self.server)).catalog }
    }
}

/// Send the answer of a callback that returned `status` without deferring.
fn finish(r: &mut Responder<'_>, call: &mut Call<'_>, status: picomcp_status) -> Result<(), Error> {
    let ticket = call.ticket;
    let kind = call.kind.unwrap_or(CallKind::Tool);
    if status == PICOMCP_STATUS_OK {
        return match call.draft(kind) {
            Ok(d) => r.send_draft(ticket, d),
            Err(_) => r.error(ticket, jsonrpc::code::INTERNAL_ERROR, "the answer buffer is busy"),
        };
    }
    if status == PICOMCP_STATUS_NOT_FOUND && kind == CallKind::Resource {
        return r.resource_not_found(ticket, call.uri.map_or(Text::Plain(""), Text::Json));
    }
    // SAFETY: descriptions are NUL-terminated statics.
    let why = unsafe { core::ffi::CStr::from_ptr(picomcp_status_str(status)) }.to_str().unwrap_or("failed");
    if kind == CallKind::Tool {
        r.tool_error(ticket, Text::Concat(&[Text::Plain("the tool failed: "), Text::Plain(why)]))
    } else {
        r.error(ticket, jsonrpc::code::INTERNAL_ERROR, why)
    }
}

impl Handler for Bridge {
    fn registry(&self) -> &dyn Registry {
        self.catalog()
    }

    fn call_tool(&mut self, c: ToolCall<'_>, r: &mut Responder<'_>) -> Result<(), Error> {
        let catalog = self.catalog();
        let mut call = Call::new(self.server, c.ticket, CallKind::Tool);
        call.name = catalog.tool(c.tool).map(|t| Text::Plain(t.name));
        call.arguments = Some(c.arguments);
        call.wants_progress = c.info.wants_progress;
        let callback = catalog.tools.callback(c.tool);
        self.invoke(r, callback, call)
    }

    fn read_resource(&mut self, read: ResourceRead<'_>, r: &mut Responder<'_>) -> Result<(), Error> {
        let catalog = self.catalog();
        let mut call = Call::new(self.server, read.ticket, CallKind::Resource);
        call.uri = Some(read.uri);
        call.wants_progress = read.info.wants_progress;
        let callback = match read.target {
            ReadTarget::Resource(i) => catalog.resources.callback(i),
            ReadTarget::Template { index, variables } => {
                call.template = catalog.template(index).map(|t| t.uri_template);
                call.variables = variables;
                catalog.templates.callback(index)
            }
        };
        self.invoke(r, callback, call)
    }

    fn get_prompt(&mut self, get: PromptGet<'_>, r: &mut Responder<'_>) -> Result<(), Error> {
        let catalog = self.catalog();
        let mut call = Call::new(self.server, get.ticket, CallKind::Prompt);
        call.name = catalog.prompt(get.prompt).map(|p| Text::Plain(p.name));
        call.arguments = Some(get.arguments);
        call.wants_progress = get.info.wants_progress;
        let callback = catalog.prompts.callback(get.prompt);
        self.invoke(r, callback, call)
    }

    fn complete(&mut self, req: CompletionRequest<'_>, r: &mut Responder<'_>) -> Result<(), Error> {
        let Some(callback) = self.catalog().completions else { return r.completion(req.ticket, |_| Ok(())) };
        let mut call = Call::new(self.server, req.ticket, CallKind::Completion);
        match req.reference {
            CompletionRef::Prompt(name) => call.name = Some(Text::Json(name)),
            CompletionRef::Resource(uri) => call.uri = Some(uri),
        }
        (call.argument, call.value, call.arguments) = (Some(req.argument), Some(req.value), Some(req.context));
        self.invoke(r, Some(callback), call)
    }

    fn cancelled(&mut self, ticket: Ticket) {
        // SAFETY: reads one field; the callback may only use functions that need no
        // responder (they return MISUSE otherwise).
        if let Some((f, userdata)) = unsafe { (*host(self.server)).on_cancel } {
            // SAFETY: a C callback with the pointer it registered.
            unsafe { f(ticket_bits(ticket), userdata) };
        }
    }

    fn poll(&mut self, r: &mut Responder<'_>) -> Result<Option<Duration>, Error> {
        let host = unsafe { host(self.server) };
        // SAFETY: as in `invoke`.
        let ms = unsafe {
            let Some((f, userdata)) = (*host).on_poll else { return Ok(None) };
            let before = core::mem::replace(&mut (*host).live, (r as *mut Responder<'_>).cast());
            let ms = f(self.server, userdata);
            (*host).live = before;
            ms
        };
        Ok(u64::try_from(ms).ok().map(Duration::from_millis))
    }
}

// --- The C functions ---

/// Run `f` on the call behind a handle.
///
/// # Safety
/// As [`call_mut`].
unsafe fn on_call(
    call: *mut picomcp_call,
    f: impl FnOnce(&mut Call<'_>) -> Result<(), picomcp_status>,
) -> picomcp_status {
    // SAFETY: per the contract.
    match unsafe { call_mut(call) } {
        Ok(c) => crate::text::run(|| f(c)),
        Err(s) => s,
    }
}

/// What the call asks for: a `PICOMCP_CALL_*` value, or 0 for NULL or a closed handle.
///
/// # Safety
/// `call` is NULL or a handle picomcp gave (see `picomcp_call`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn picomcp_call_kind(call: *mut picomcp_call) -> picomcp_kind {
    // SAFETY: per the contract.
    match unsafe { call_mut(call) }.ok().and_then(|c| c.kind) {
        Some(CallKind::Tool) => PICOMCP_CALL_TOOL,
        Some(CallKind::Resource) => PICOMCP_CALL_RESOURCE,
        Some(CallKind::Prompt) => PICOMCP_CALL_PROMPT,
        Some(CallKind::Completion) => PICOMCP_CALL_COMPLETION,
        _ => 0,
    }
}

/// The call's ticket: the number that names it for a deferred answer
/// (`picomcp_server_reply`) and in the cancel callback; never 0. 0 for NULL or a closed
/// handle.
///
/// # Safety
/// As `picomcp_call_kind`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn picomcp_call_ticket(call: *mut picomcp_call) -> u64 {
    // SAFETY: per the contract.
    unsafe { call_mut(call) }.map_or(0, |c| ticket_bits(c.ticket))
}

/// Whether the client asked for progress on this call (sent a `progressToken`). A
/// callback's handle only: false for a reply handle (`picomcp_call_progress` works on it
/// all the same, and sends only what was asked for).
///
/// # Safety
/// As `picomcp_call_kind`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn picomcp_call_wants_progress(call: *mut picomcp_call) -> bool {
    // SAFETY: per the contract.
    unsafe { call_mut(call) }.is_ok_and(|c| c.wants_progress)
}

/// Copy `text` decoded into `buf` (`cap` bytes) with a NUL; `*len` gets its length.
///
/// # Safety
/// As [`copy_out`].
unsafe fn copy_text(text: Text<'_>, buf: *mut c_char, cap: usize, len: *mut usize) -> picomcp_status {
    let s = match text {
        Text::Plain(s) => s,
        Text::Json(s) => match s.as_plain() {
            Some(p) => p,
            None => {
                let need = s.unescaped_len();
                if !len.is_null() {
                    // SAFETY: writable per the contract.
                    unsafe { len.write(need) };
                }
                if cap <= need {
                    return PICOMCP_STATUS_BUFFER_TOO_SMALL;
                }
                if buf.is_null() {
                    return PICOMCP_STATUS_NULL_POINTER;
                }
                // SAFETY: `buf` holds `cap > need` bytes.
                let out = unsafe { core::slice::from_raw_parts_mut(buf.cast::<u8>(), cap) };
                let n = s.unescape_into(out).map_or(0, str::len);
                if let Some(nul) = out.get_mut(n) {
                    *nul = 0;
                }
                return PICOMCP_STATUS_OK;
            }
        },
        Text::Concat(_) => "",
    };
    // SAFETY: per the contract.
    unsafe { copy_out(s.as_bytes(), buf, cap, len) }
}

/// Copy a text field of the call (`PICOMCP_FIELD_*`) into `buf` (`cap` bytes, NUL
/// added); `*len` (if `len` is not NULL) gets its length in bytes without the NUL, also
/// when `buf` is too small — call with `cap` 0 to size a buffer. Valid inside the
/// callback only.
///
/// Returns `OK`; `NULL_POINTER`; `BUFFER_TOO_SMALL`; `MISSING` (this kind of call has no
/// such field, or after the callback deferred); `MISUSE` (a closed handle).
///
/// # Safety
/// As `picomcp_call_kind`; `buf` is NULL or writable for `cap` bytes; `len` is NULL or
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn picomcp_call_field(
    call: *mut picomcp_call,
    field: picomcp_field,
    buf: *mut c_char,
    cap: usize,
    len: *mut usize,
) -> picomcp_status {
    // SAFETY: per the contract.
    unsafe {
        on_call(call, |c| {
            let text = match field {
                PICOMCP_FIELD_NAME => c.name,
                PICOMCP_FIELD_URI => c.uri.map(Text::Json).or(c.template.map(Text::Plain)),
                PICOMCP_FIELD_ARGUMENT => c.argument.map(Text::Json),
                PICOMCP_FIELD_VALUE => c.value.map(Text::Json),
                _ => return Err(PICOMCP_STATUS_INVALID_ARGUMENT),
            };
            // A template read's URI field is the URI, not the template.
            let text = if field == PICOMCP_FIELD_URI && c.kind == Some(CallKind::Resource) {
                c.uri.map(Text::Json)
            } else {
                text
            };
            match copy_text(text.ok_or(PICOMCP_STATUS_MISSING)?, buf, cap, len) {
                PICOMCP_STATUS_OK => Ok(()),
                s => Err(s),
            }
        })
    }
}

/// Copy the value of URI-template variable `name` of a template read (its JSON escapes
/// decoded; percent-encoding such as `%20` is left as the URI has it; NUL added) into
/// `buf`; `len` as for `picomcp_call_field`. Returns `OK`, `NULL_POINTER`,
/// `INVALID_UTF8`, `BUFFER_TOO_SMALL`, `MISSING` (no such variable, not a template read,
/// or after deferring), `MISUSE`.
///
/// # Safety
/// As `picomcp_call_field`; `name` is NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn picomcp_call_variable(
    call: *mut picomcp_call,
    name: *const c_char,
    buf: *mut c_char,
    cap: usize,
    len: *mut usize,
) -> picomcp_status {
    // SAFETY: per the contract.
    unsafe {
        on_call(call, |c| {
            let name = crate::text::c_str(name)?;
            let template = c.template.ok_or(PICOMCP_STATUS_MISSING)?;
            let index = picomcp::uri_template::variable_names(template).position(|n| n == name);
            let value = index.and_then(|i| c.variables.get(i)).ok_or(PICOMCP_STATUS_MISSING)?;
            match copy_text(Text::Json(*value), buf, cap, len) {
                PICOMCP_STATUS_OK => Ok(()),
                s => Err(s),
            }
        })
    }
}

/// The arguments of the call (tool arguments, prompt arguments, a completion's
/// `context.arguments`), while the callback runs.
fn arguments<'c>(c: &Call<'c>) -> Result<Arguments<'c>, picomcp_status> {
    c.arguments.ok_or(PICOMCP_STATUS_MISSING)
}

fn arg_status(e: picomcp::ArgError) -> picomcp_status {
    match e {
        picomcp::ArgError::Missing => PICOMCP_STATUS_MISSING,
        picomcp::ArgError::WrongType => PICOMCP_STATUS_WRONG_TYPE,
    }
}

/// Copy string argument `key` (decoded, NUL added) into `buf`; `len` as for
/// `picomcp_call_field`. Tool arguments were checked against the tool's input schema, so
/// a required string parameter is always there. Returns `OK`, `NULL_POINTER`,
/// `INVALID_UTF8` (`key`), `BUFFER_TOO_SMALL`, `MISSING`, `WRONG_TYPE`, `MISUSE`. Inside
/// the callback only (before it defers).
///
/// # Safety
/// As `picomcp_call_field`; `key` is NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn picomcp_call_arg_string(
    call: *mut picomcp_call,
    key: *const c_char,
    buf: *mut c_char,
    cap: usize,
    len: *mut usize,
) -> picomcp_status {
    // SAFETY: per the contract.
    unsafe {
        on_call(call, |c| {
            let s = arguments(c)?.str(crate::text::c_str(key)?).map_err(arg_status)?;
            match copy_text(Text::Json(s), buf, cap, len) {
                PICOMCP_STATUS_OK => Ok(()),
                s => Err(s),
            }
        })
    }
}

/// Store number argument `key` in `*out`. Statuses as `picomcp_call_arg_string` (no
/// `BUFFER_TOO_SMALL`).
///
/// # Safety
/// As `picomcp_call_arg_string`; `out` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn picomcp_call_arg_number(
    call: *mut picomcp_call,
    key: *const c_char,
    out: *mut f64,
) -> picomcp_status {
    // SAFETY: per the contract.
    unsafe { on_call(call, |c| put_status(put(out, arguments(c)?.f64(crate::text::c_str(key)?).map_err(arg_status)?))) }
}

/// Store integer argument `key` in `*out` (`WRONG_TYPE` for a number with a fraction or
/// beyond 64 bits). Statuses as `picomcp_call_arg_number`.
///
/// # Safety
/// As `picomcp_call_arg_number`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn picomcp_call_arg_integer(
    call: *mut picomcp_call,
    key: *const c_char,
    out: *mut i64,
) -> picomcp_status {
    // SAFETY: per the contract.
    unsafe { on_call(call, |c| put_status(put(out, arguments(c)?.i64(crate::text::c_str(key)?).map_err(arg_status)?))) }
}

/// Store boolean argument `key` in `*out`. Statuses as `picomcp_call_arg_number`.
///
/// # Safety
/// As `picomcp_call_arg_number`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn picomcp_call_arg_bool(
    call: *mut picomcp_call,
    key: *const c_char,
    out: *mut bool,
) -> picomcp_status {
    // SAFETY: per the contract.
    unsafe {
        on_call(call, |c| put_status(put(out, arguments(c)?.bool(crate::text::c_str(key)?).map_err(arg_status)?)))
    }
}

/// Point `*json` at the JSON text of argument `key` (any type; `*len` bytes, not
/// NUL-terminated), or of all the arguments (an object) when `key` is NULL. The text
/// belongs to picomcp and is valid until the callback returns. Statuses as
/// `picomcp_call_arg_number`.
///
/// # Safety
/// As `picomcp_call_arg_number`; `key` is NULL or NUL-terminated; `json` and `len` are
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn picomcp_call_arg_json(
    call: *mut picomcp_call,
    key: *const c_char,
    json: *mut *const c_char,
    len: *mut usize,
) -> picomcp_status {
    // SAFETY: per the contract.
    unsafe {
        on_call(call, |c| {
            if json.is_null() || len.is_null() {
                return Err(PICOMCP_STATUS_NULL_POINTER);
            }
            let args = arguments(c)?;
            let raw = match crate::text::opt_c_str(key)? {
                None => args.raw(),
                Some(k) => args.get(k).ok_or(PICOMCP_STATUS_MISSING)?.raw(),
            };
            json.write(raw.as_ptr().cast());
            len.write(raw.len());
            Ok(())
        })
    }
}

fn put_status(s: picomcp_status) -> Result<(), picomcp_status> {
    if s == PICOMCP_STATUS_OK { Ok(()) } else { Err(s) }
}

fn core_status(r: Result<(), Error>) -> Result<(), picomcp_status> {
    r.map_err(from_error)
}

/// Add a piece to the call's answer of `kind`.
///
/// # Safety
/// As [`call_mut`].
unsafe fn write(
    call: *mut picomcp_call,
    kind: CallKind,
    f: impl FnOnce(&mut Draft<'static>, &Call<'_>) -> Result<(), picomcp_status>,
) -> picomcp_status {
    // SAFETY: per the contract.
    unsafe {
        on_call(call, |c| {
            c.draft(kind)?;
            let mut draft = c.draft.take().ok_or(PICOMCP_STATUS_BUSY)?;
            let result = f(&mut draft, c);
            c.draft = Some(draft);
            result
        })
    }
}

/// The text of a C (text, len) pair.
///
/// # Safety
/// As [`crate::text::text`].
unsafe fn txt<'t>(p: *const c_char, len: usize) -> Result<&'t str, picomcp_status> {
    // SAFETY: forwarded.
    unsafe { crate::text::text(p, len) }
}

/// Add a text block to a tool result. `len` is the length in bytes, or `PICOMCP_STRLEN`
/// for a NUL-terminated `text`. The text is copied into the answer at once.
///
/// Every writer returns `OK`; `NULL_POINTER`; `INVALID_UTF8`; `NO_ROOM` (the answer would
/// pass `result_bytes`: nothing of this piece was added, the answer so far is intact);
/// `BUSY` (another answer is being written: a reply handle is open); `OUT_OF_ORDER`
/// (content after structured content); `MISUSE` (a writer for another kind of answer, a
/// closed handle, or a callback's handle after it deferred).
///
/// # Safety
/// `call` is a handle picomcp gave; `text` is valid for `len` bytes (or NUL-terminated).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn picomcp_call_text(call: *mut picomcp_call, text: *const c_char, len: usize) -> picomcp_status {
    // SAFETY: per the contract.
    unsafe { write(call, CallKind::Tool, |d, _| core_status(d.text(txt(text, len)?))) }
}

/// Add an image block to a tool result from raw bytes (picomcp writes them as base64).
/// Statuses as `picomcp_call_text`.
///
/// # Safety
/// `call` is a handle picomcp gave; `data` is valid for `len` bytes; `mime_type` is
/// NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn picomcp_call_image(
    call: *mut picomcp_call,
    data: *const u8,
    len: usize,
    mime_type: *const c_char,
) -> picomcp_status {
    // SAFETY: per the contract.
    unsafe {
        write(call, CallKind::Tool, |d, _| {
            core_status(d.content(Content::image(crate::text::bytes(data, len)?, crate::text::c_str(mime_type)?)))
        })
    }
}

/// Add an audio block to a tool result from raw bytes (base64 done by picomcp).
/// Statuses as `picomcp_call_text`.
///
/// # Safety
/// As `picomcp_call_image`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn picomcp_call_audio(
    call: *mut picomcp_call,
    data: *const u8,
    len: usize,
    mime_type: *const c_char,
) -> picomcp_status {
    // SAFETY: per the contract.
    unsafe {
        write(call, CallKind::Tool, |d, _| {
            core_status(d.content(Content::audio(crate::text::bytes(data, len)?, crate::text::c_str(mime_type)?)))
        })
    }
}

/// Add a `resource_link` block to a tool result: `link->uri` and `link->name` are
/// required, the other texts optional. Statuses as `picomcp_call_text`.
///
/// # Safety
/// `call` is a handle picomcp gave; `link` is valid with NULL or NUL-terminated texts.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn picomcp_call_resource_link(
    call: *mut picomcp_call,
    link: *const crate::catalog::picomcp_resource,
) -> picomcp_status {
    use crate::text::{c_str, opt_c_str};
    // SAFETY: per the contract.
    unsafe {
        write(call, CallKind::Tool, |d, _| {
            let l = link.as_ref().ok_or(PICOMCP_STATUS_NULL_POINTER)?;
            core_status(d.content(Content::ResourceLink(picomcp::ResourceLink {
                uri: Text::Plain(c_str(l.uri)?),
                name: c_str(l.name)?,
                title: opt_c_str(l.title)?,
                description: opt_c_str(l.description)?,
                mime_type: opt_c_str(l.mime_type)?,
                size: None,
            })))
        })
    }
}

/// Resource contents for a tool result's embedded resource or a read's answer: `uri`
/// NULL means the URI read (a read's callback only).
fn contents<'t>(
    c: &Call<'t>,
    uri: Option<&'t str>,
    mime_type: Option<&'t str>,
    body: picomcp::Body<'t>,
) -> Result<picomcp::ResourceContents<'t>, picomcp_status> {
    let uri = match uri {
        Some(u) => Text::Plain(u),
        None => Text::Json(c.uri.ok_or(PICOMCP_STATUS_NULL_POINTER)?),
    };
    Ok(picomcp::ResourceContents { uri, mime_type, body })
}

/// Add an embedded resource (`"type": "resource"`) with text contents to a tool result.
/// `mime_type` may be NULL. Statuses as `picomcp_call_text`.
///
/// # Safety
/// As `picomcp_call_text`; `uri` is NUL-terminated, `mime_type` NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn picomcp_call_embedded_text(
    call: *mut picomcp_call,
    uri: *const c_char,
    mime_type: *const c_char,
    text: *const c_char,
    len: usize,
) -> picomcp_status {
    use crate::text::{c_str, opt_c_str};
    // SAFETY: per the contract.
    unsafe {
        write(call, CallKind::Tool, |d, c| {
            let body = picomcp::Body::Text(Text::Plain(txt(text, len)?));
            core_status(d.content(Content::Resource(contents(c, Some(c_str(uri)?), opt_c_str(mime_type)?, body)?)))
        })
    }
}

/// Add an embedded resource with binary contents (base64 done by picomcp) to a tool
/// result. Statuses as `picomcp_call_text`.
///
/// # Safety
/// As `picomcp_call_embedded_text`, with `data` valid for `len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn picomcp_call_embedded_blob(
    call: *mut picomcp_call,
    uri: *const c_char,
    mime_type: *const c_char,
    data: *const u8,
    len: usize,
) -> picomcp_status {
    use crate::text::{bytes, c_str, opt_c_str};
    // SAFETY: per the contract.
    unsafe {
        write(call, CallKind::Tool, |d, c| {
            let body = picomcp::Body::Blob(picomcp::Data::Bytes(bytes(data, len)?));
            core_status(d.content(Content::Resource(contents(c, Some(c_str(uri)?), opt_c_str(mime_type)?, body)?)))
        })
    }
}

/// Add a whole content block given as JSON text (checked; an object) to a tool result,
/// for block fields picomcp has no writer for. Statuses as `picomcp_call_text`, plus
/// `INVALID_JSON`.
///
/// # Safety
/// As `picomcp_call_text`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn picomcp_call_content_json(
    call: *mut picomcp_call,
    json: *const c_char,
    len: usize,
) -> picomcp_status {
    // SAFETY: per the contract.
    unsafe { write(call, CallKind::Tool, |d, _| core_status(d.content(Content::Json(txt(json, len)?)))) }
}

/// Set a tool result's `structuredContent` from JSON text (checked), after every content
/// block. Tools with an output schema must send it; add a text block with the same JSON
/// first for clients that ignore structured content. Statuses as `picomcp_call_text`,
/// plus `INVALID_JSON`.
///
/// # Safety
/// As `picomcp_call_text`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn picomcp_call_structured(
    call: *mut picomcp_call,
    json: *const c_char,
    len: usize,
) -> picomcp_status {
    // SAFETY: per the contract.
    unsafe { write(call, CallKind::Tool, |d, _| core_status(d.structured_json(txt(json, len)?))) }
}

/// Mark a tool result as a tool error (`isError: true`): the tool ran and failed, and
/// its content says why. Statuses as `picomcp_call_text`.
///
/// # Safety
/// `call` is a handle picomcp gave.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn picomcp_call_set_error(call: *mut picomcp_call, is_error: bool) -> picomcp_status {
    // SAFETY: per the contract.
    unsafe { write(call, CallKind::Tool, |d, _| core_status(d.set_error(is_error))) }
}

/// Add resource contents with text to a read's answer. `uri` NULL means the URI read;
/// `mime_type` may be NULL. Statuses as `picomcp_call_text`.
///
/// # Safety
/// As `picomcp_call_embedded_text`, with `uri` NULL allowed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn picomcp_call_contents_text(
    call: *mut picomcp_call,
    uri: *const c_char,
    mime_type: *const c_char,
    text: *const c_char,
    len: usize,
) -> picomcp_status {
    use crate::text::opt_c_str;
    // SAFETY: per the contract.
    unsafe {
        write(call, CallKind::Resource, |d, c| {
            let body = picomcp::Body::Text(Text::Plain(txt(text, len)?));
            core_status(d.resource(contents(c, opt_c_str(uri)?, opt_c_str(mime_type)?, body)?))
        })
    }
}

/// Add binary resource contents (base64 done by picomcp) to a read's answer. Statuses as
/// `picomcp_call_text`.
///
/// # Safety
/// As `picomcp_call_contents_text`, with `data` valid for `len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn picomcp_call_contents_blob(
    call: *mut picomcp_call,
    uri: *const c_char,
    mime_type: *const c_char,
    data: *const u8,
    len: usize,
) -> picomcp_status {
    use crate::text::{bytes, opt_c_str};
    // SAFETY: per the contract.
    unsafe {
        write(call, CallKind::Resource, |d, c| {
            let body = picomcp::Body::Blob(picomcp::Data::Bytes(bytes(data, len)?));
            core_status(d.resource(contents(c, opt_c_str(uri)?, opt_c_str(mime_type)?, body)?))
        })
    }
}

fn role(r: picomcp_role) -> Result<picomcp::Role, picomcp_status> {
    match r {
        PICOMCP_ROLE_USER => Ok(picomcp::Role::User),
        PICOMCP_ROLE_ASSISTANT => Ok(picomcp::Role::Assistant),
        _ => Err(PICOMCP_STATUS_INVALID_ARGUMENT),
    }
}

/// Add a text message to a prompt's answer. Statuses as `picomcp_call_text`, plus
/// `INVALID_ARGUMENT` (an unknown role).
///
/// # Safety
/// As `picomcp_call_text`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn picomcp_call_message(
    call: *mut picomcp_call,
    role_: picomcp_role,
    text: *const c_char,
    len: usize,
) -> picomcp_status {
    // SAFETY: per the contract.
    unsafe {
        write(call, CallKind::Prompt, |d, _| core_status(d.message(role(role_)?, Content::text(txt(text, len)?))))
    }
}

/// Add a message whose content block is JSON text (checked; an object) to a prompt's
/// answer. Statuses as `picomcp_call_message`, plus `INVALID_JSON`.
///
/// # Safety
/// As `picomcp_call_text`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn picomcp_call_message_json(
    call: *mut picomcp_call,
    role_: picomcp_role,
    json: *const c_char,
    len: usize,
) -> picomcp_status {
    // SAFETY: per the contract.
    unsafe {
        write(call, CallKind::Prompt, |d, _| core_status(d.message(role(role_)?, Content::Json(txt(json, len)?))))
    }
}

/// Add a suggested value to a completion's answer (past 100 values it is dropped and
/// `hasMore` set). Statuses as `picomcp_call_text`.
///
/// # Safety
/// As `picomcp_call_text`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn picomcp_call_suggest(
    call: *mut picomcp_call,
    value: *const c_char,
    len: usize,
) -> picomcp_status {
    // SAFETY: per the contract.
    unsafe { write(call, CallKind::Completion, |d, _| core_status(d.value(txt(value, len)?))) }
}

/// Defer the answer: the callback returns without answering, and the answer is sent
/// later by ticket (`*ticket` gets it) with `picomcp_server_reply` or
/// `picomcp_server_reply_error`, from the same thread. Arguments and fields are gone
/// once the callback returns: read what you need first. Only before anything was
/// written.
///
/// Returns `OK`; `NULL_POINTER`; `MISUSE` (not a callback's handle, already deferred or
/// answered, or pieces of the answer were written).
///
/// A callback that neither defers nor answers with `picomcp_call_fail` has its answer
/// sent when it returns: with `PICOMCP_STATUS_OK`, what it wrote (possibly empty); with
/// `PICOMCP_STATUS_NOT_FOUND` from a resource callback, the protocol's "resource not
/// found" error; with any other status, a tool error result (tools) or a JSON-RPC
/// internal error (the rest) naming the status.
///
/// # Safety
/// `call` is a handle picomcp gave; `ticket` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn picomcp_call_defer(call: *mut picomcp_call, ticket: *mut u64) -> picomcp_status {
    // SAFETY: per the contract.
    unsafe {
        on_call(call, |c| {
            if c.phase != Phase::Callback || c.draft.as_ref().is_some_and(|d| !d.is_empty()) {
                return Err(PICOMCP_STATUS_MISUSE);
            }
            if !ticket.is_null() {
                ticket.write(ticket_bits(c.ticket));
            }
            c.release();
            c.forget_request();
            c.phase = Phase::Deferred;
            Ok(())
        })
    }
}

/// Answer the call now with a JSON-RPC error (`code`, e.g. -32602 invalid params;
/// `message` NUL-terminated), dropping what was written. Tool failures the model should
/// see are better a tool error (`picomcp_call_set_error`). Closes a reply handle.
///
/// Returns `OK`; `NULL_POINTER`; `INVALID_UTF8`; `STALE_TICKET` (the request was
/// cancelled meanwhile); `MISUSE` (already answered or deferred).
///
/// # Safety
/// `call` is a handle picomcp gave; `message` is NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn picomcp_call_fail(
    call: *mut picomcp_call,
    code: i32,
    message: *const c_char,
) -> picomcp_status {
    // SAFETY: per the contract.
    unsafe {
        on_call(call, |c| {
            if !matches!(c.phase, Phase::Callback | Phase::Reply) {
                return Err(PICOMCP_STATUS_MISUSE);
            }
            let message = crate::text::c_str(message)?;
            let ticket = c.ticket;
            let status = with_responder(c.server, |r| r.error(ticket, code, message));
            c.release();
            c.phase = if c.phase == Phase::Reply { Phase::Closed } else { Phase::Answered };
            put_status(status)
        })
    }
}

/// Report progress on the call (sent only when the client asked for it and `progress`
/// grows). `total` below 0 (or NaN) means unknown; `message` may be NULL. Usable in the
/// callback and, by ticket, later (`picomcp_server_progress`).
///
/// Returns `OK` (also when nothing had to be sent); `NULL_POINTER`; `INVALID_UTF8`;
/// `STALE_TICKET`; `MISUSE` (outside a callback while the server is serving, or from a
/// cancel callback); `OUTPUT_FULL` (sans-IO: drain the output first).
///
/// # Safety
/// `call` is a handle picomcp gave; `message` is NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn picomcp_call_progress(
    call: *mut picomcp_call,
    progress: f64,
    total: f64,
    message: *const c_char,
) -> picomcp_status {
    // SAFETY: per the contract.
    let Ok(c) = (unsafe { call_mut(call) }) else { return PICOMCP_STATUS_NULL_POINTER };
    // SAFETY: per the contract.
    unsafe { picomcp_server_progress(c.server, ticket_bits(c.ticket), progress, total, message) }
}

/// Send a log message about the call (`notifications/message`; sent when the client's
/// level lets it through). Statuses as `picomcp_call_progress`, plus `INVALID_ARGUMENT`
/// (an unknown level).
///
/// # Safety
/// `call` is a handle picomcp gave; `text` is NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn picomcp_call_log(
    call: *mut picomcp_call,
    level: picomcp_log_level,
    text: *const c_char,
) -> picomcp_status {
    // SAFETY: per the contract.
    let Ok(c) = (unsafe { call_mut(call) }) else { return PICOMCP_STATUS_NULL_POINTER };
    let ticket = c.ticket;
    // SAFETY: per the contract.
    unsafe { log(c.server, Some(ticket), level, text) }
}

/// Send a log message, about a call or the session.
///
/// # Safety
/// `server` is live; `text` NUL-terminated.
unsafe fn log(
    server: *mut picomcp_server,
    ticket: Option<Ticket>,
    level: picomcp_log_level,
    text: *const c_char,
) -> picomcp_status {
    const LEVELS: [picomcp::LogLevel; 8] = [
        picomcp::LogLevel::Debug,
        picomcp::LogLevel::Info,
        picomcp::LogLevel::Notice,
        picomcp::LogLevel::Warning,
        picomcp::LogLevel::Error,
        picomcp::LogLevel::Critical,
        picomcp::LogLevel::Alert,
        picomcp::LogLevel::Emergency,
    ];
    let Some(&level) = usize::try_from(level).ok().and_then(|i| LEVELS.get(i)) else {
        return PICOMCP_STATUS_INVALID_ARGUMENT;
    };
    // SAFETY: per the contract.
    let text = match unsafe { crate::text::c_str(text) } {
        Ok(t) => t,
        Err(s) => return s,
    };
    // SAFETY: per the contract.
    unsafe { with_responder(server, |r| r.log_text(ticket, level, text).map(|_| ())) }
}

/// Send a log message about the session (not about one call). Statuses as
/// `picomcp_call_log`.
///
/// # Safety
/// `server` is NULL or live; `text` is NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn picomcp_server_log(
    server: *mut picomcp_server,
    level: picomcp_log_level,
    text: *const c_char,
) -> picomcp_status {
    if server.is_null() {
        return PICOMCP_STATUS_NULL_POINTER;
    }
    // SAFETY: per the contract.
    unsafe { log(server, None, level, text) }
}

/// Report progress on the call named by `ticket` (see `picomcp_call_progress`). From a
/// callback (the poll callback, another call's) or, in sans-IO use, between
/// `picomcp_server_receive` calls.
///
/// # Safety
/// `server` is NULL or live; `message` is NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn picomcp_server_progress(
    server: *mut picomcp_server,
    ticket: u64,
    progress: f64,
    total: f64,
    message: *const c_char,
) -> picomcp_status {
    if server.is_null() {
        return PICOMCP_STATUS_NULL_POINTER;
    }
    // SAFETY: per the contract.
    let message = match unsafe { crate::text::opt_c_str(message) } {
        Ok(m) => m,
        Err(s) => return s,
    };
    let total = (total >= 0.0).then_some(total);
    // SAFETY: per the contract.
    unsafe { with_responder(server, |r| r.progress(ticket_of(ticket), progress, total, message).map(|_| ())) }
}

/// Whether `ticket` still names a call waiting for its answer (not answered, not
/// cancelled). False for NULL, and from a cancel callback.
///
/// # Safety
/// `server` is NULL or live.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn picomcp_server_is_live(server: *mut picomcp_server, ticket: u64) -> bool {
    if server.is_null() {
        return false;
    }
    let mut live = false;
    // SAFETY: per the contract.
    let _ = unsafe {
        with_responder(server, |r| {
            live = r.is_live(ticket_of(ticket));
            Ok(())
        })
    };
    live
}

/// Start the deferred answer of the call named by `ticket`: `*call` gets a handle for the
/// writers (the first one used sets the kind of answer); send it with
/// `picomcp_call_send` (or `picomcp_call_fail`, or drop it with `picomcp_call_discard`).
/// One answer is written at a time: from a callback whose own answer is still open,
/// this gives `BUSY`.
///
/// Returns `OK`; `NULL_POINTER`; `STALE_TICKET` (answered or cancelled); `BUSY` (another
/// reply handle is open, or the answer buffer is in use); `MISUSE` (outside a callback
/// while a driver serves, or from a cancel callback).
///
/// # Safety
/// `server` is NULL or live; `call` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn picomcp_server_reply(
    server: *mut picomcp_server,
    ticket: u64,
    call: *mut *mut picomcp_call,
) -> picomcp_status {
    if server.is_null() || call.is_null() {
        return PICOMCP_STATUS_NULL_POINTER;
    }
    let ticket = ticket_of(ticket);
    let mut live = false;
    // SAFETY: per the contract.
    let status = unsafe {
        with_responder(server, |r| {
            live = r.is_live(ticket);
            Ok(())
        })
    };
    if status != PICOMCP_STATUS_OK {
        return status;
    }
    if !live {
        return PICOMCP_STATUS_STALE_TICKET;
    }
    // SAFETY: the reply handle is a field of the live server.
    unsafe {
        let handle = crate::server::reply_handle(server);
        let reply = &mut *handle.cast::<Call<'static>>();
        if reply.phase != Phase::Closed || (*host(server)).draft.is_none() {
            return PICOMCP_STATUS_BUSY;
        }
        *reply = Call { phase: Phase::Reply, kind: None, ..Call::new(server, ticket, CallKind::Tool) };
        call.write(handle);
    }
    PICOMCP_STATUS_OK
}

/// Send the deferred answer written on a reply handle, and close the handle.
///
/// Returns `OK`; `NULL_POINTER`; `STALE_TICKET` (the request was cancelled meanwhile:
/// nothing is sent, the handle is closed); `MISUSE` (not a reply handle: a callback's
/// answer is sent when it returns); `OUTPUT_FULL` (sans-IO: the output queue cannot
/// take it; the handle stays open, drain the output and send again — unless the ticket
/// is no longer live (`picomcp_server_is_live`): the queue overflowed after the answer
/// was committed, which only a poll callback sending past the queue's room can cause).
///
/// # Safety
/// `call` is NULL or a handle picomcp gave.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn picomcp_call_send(call: *mut picomcp_call) -> picomcp_status {
    // SAFETY: per the contract.
    unsafe {
        on_call(call, |c| {
            if c.phase != Phase::Reply {
                return Err(PICOMCP_STATUS_MISUSE);
            }
            let (server, ticket) = (c.server, c.ticket);
            let kind = c.kind.unwrap_or(CallKind::Tool);
            c.draft(kind)?;
            let draft = c.draft.as_ref().ok_or(PICOMCP_STATUS_BUSY)?;
            // Outside callbacks, the answer goes to the output queue: refuse it before the
            // core starts (and commits) it when the queue lacks room for it and its envelope.
            if (*host(server)).live.is_null() && !(*server).busy {
                let identity = &(*host(server)).catalog.info.implementation;
                let need = draft.len() + crate::io::ENVELOPE + identity.name.len() + identity.version.len();
                if (*server).out.free() < need {
                    return Err(PICOMCP_STATUS_OUTPUT_FULL);
                }
            }
            let status = with_responder(server, |r| r.send_draft(ticket, draft));
            if status == PICOMCP_STATUS_OUTPUT_FULL && picomcp_server_is_live(server, ticket_bits(ticket)) {
                return Err(status);
            }
            c.release();
            c.phase = Phase::Closed;
            put_status(status)
        })
    }
}

/// Close a reply handle without sending anything (the ticket stays live: answer it
/// later). Returns `OK`, `NULL_POINTER`, `MISUSE` (not a reply handle).
///
/// # Safety
/// `call` is NULL or a handle picomcp gave.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn picomcp_call_discard(call: *mut picomcp_call) -> picomcp_status {
    // SAFETY: per the contract.
    unsafe {
        on_call(call, |c| {
            if c.phase != Phase::Reply {
                return Err(PICOMCP_STATUS_MISUSE);
            }
            c.release();
            c.phase = Phase::Closed;
            Ok(())
        })
    }
}

/// Answer the call named by `ticket` with a JSON-RPC error now. Returns `OK`,
/// `NULL_POINTER`, `INVALID_UTF8`, `STALE_TICKET`, `MISUSE` (as `picomcp_server_reply`).
///
/// # Safety
/// `server` is NULL or live; `message` is NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn picomcp_server_reply_error(
    server: *mut picomcp_server,
    ticket: u64,
    code: i32,
    message: *const c_char,
) -> picomcp_status {
    if server.is_null() {
        return PICOMCP_STATUS_NULL_POINTER;
    }
    // SAFETY: per the contract.
    let message = match unsafe { crate::text::c_str(message) } {
        Ok(m) => m,
        Err(s) => return s,
    };
    // SAFETY: per the contract.
    unsafe { with_responder(server, |r| r.error(ticket_of(ticket), code, message)) }
}
