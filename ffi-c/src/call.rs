//! Calls: the handle a callback gets, the bridge that turns the core's calls into C
//! callbacks, and the answers (now, from the callback, or later by ticket).

use core::time::Duration;

use picomcp::json::{Str, Text};
use picomcp::protocol::CallKind;
use picomcp::uri_template::Captures;
use picomcp::{
    Arguments, CompletionRef, CompletionRequest, Draft, Error, Handler, Principal, PromptGet, ReadTarget, Registry,
    ResourceRead, Responder, Ticket, ToolCall, jsonrpc,
};

use crate::catalog::Callback;
use crate::server::{host, picomcp_server};
use crate::status::*;

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
    pub(crate) server: *mut picomcp_server,
    pub(crate) ticket: Ticket,
    pub(crate) phase: Phase,
    /// What the answer is (unknown for a reply handle until its first writer).
    pub(crate) kind: Option<CallKind>,
    pub(crate) name: Option<Text<'a>>,
    pub(crate) uri: Option<Str<'a>>,
    pub(crate) template: Option<&'a str>,
    pub(crate) variables: Captures<'a>,
    pub(crate) arguments: Option<Arguments<'a>>,
    pub(crate) argument: Option<Str<'a>>,
    pub(crate) value: Option<Str<'a>>,
    pub(crate) wants_progress: bool,
    /// Who the request comes from.
    pub(crate) principal: Principal,
    pub(crate) draft: Option<Draft<'static>>,
}

impl<'a> Call<'a> {
    pub(crate) fn new(server: *mut picomcp_server, ticket: Ticket, kind: CallKind) -> Self {
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
            principal: Principal::ANONYMOUS,
            draft: None,
        }
    }

    /// An unused reply handle.
    pub(crate) fn closed(server: *mut picomcp_server) -> Call<'static> {
        Call { phase: Phase::Closed, kind: None, ..Call::new(server, Ticket::from_bits(0), CallKind::Tool) }
    }

    /// The draft of the answer, started (of `kind`) on first use.
    pub(crate) fn draft(&mut self, kind: CallKind) -> Result<&mut Draft<'static>, picomcp_status> {
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
    pub(crate) fn release(&mut self) {
        if let Some(d) = self.draft.take() {
            // SAFETY: as in `draft`.
            unsafe { (*host(self.server)).draft = Some(d.into_buffer()) };
        }
    }

    /// What the call borrowed from its request, gone once the callback returns.
    pub(crate) fn forget_request(&mut self) {
        (self.name, self.uri, self.template, self.arguments, self.argument, self.value) =
            (None, None, None, None, None, None);
        self.variables.clear();
    }
}

/// The call behind a handle, if it is in use.
///
/// # Safety
/// `call` is NULL or a handle given by picomcp (a callback's, or the reply handle).
pub(crate) unsafe fn call_mut<'c>(call: *mut picomcp_call) -> Result<&'c mut Call<'c>, picomcp_status> {
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
    /// A copy of the scopes the authorize callback said are missing.
    #[cfg(feature = "std")]
    scope: [u8; SCOPE_BYTES],
}

/// The most bytes kept of the scopes an authorize callback names.
#[cfg(feature = "std")]
const SCOPE_BYTES: usize = 255;

impl Bridge {
    pub(crate) fn new(server: *mut picomcp_server) -> Self {
        Self {
            server,
            #[cfg(feature = "std")]
            scope: [0; SCOPE_BYTES],
        }
    }
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
        call.principal = c.info.principal;
        let callback = catalog.tools.callback(c.tool);
        self.invoke(r, callback, call)
    }

    fn read_resource(&mut self, read: ResourceRead<'_>, r: &mut Responder<'_>) -> Result<(), Error> {
        let catalog = self.catalog();
        let mut call = Call::new(self.server, read.ticket, CallKind::Resource);
        call.uri = Some(read.uri);
        call.wants_progress = read.info.wants_progress;
        call.principal = read.info.principal;
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
        call.principal = get.info.principal;
        let callback = catalog.prompts.callback(get.prompt);
        self.invoke(r, callback, call)
    }

    fn complete(&mut self, req: CompletionRequest<'_>, r: &mut Responder<'_>) -> Result<(), Error> {
        let Some(callback) = self.catalog().completions else { return r.completion(req.ticket, |_| Ok(())) };
        let mut call = Call::new(self.server, req.ticket, CallKind::Completion);
        call.principal = req.info.principal;
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

    #[cfg(feature = "std")]
    fn authorize(&mut self, head: &picomcp::http::RequestHead<'_>) -> picomcp::http::Access<'_> {
        use crate::access::*;
        use picomcp::http::Access;
        // SAFETY: reads one field; the callback may call no function that needs the core.
        let Some((f, userdata)) = (unsafe { (*host(self.server)).authorize }) else {
            return Access::Granted(Principal::ANONYMOUS);
        };
        let token = head.bearer_token();
        let (ptr, len) = token.map_or((core::ptr::null(), 0), |t| (t.as_ptr().cast(), t.len()));
        let mut principal = 0u32;
        let mut scope: *const core::ffi::c_char = core::ptr::null();
        // SAFETY: a C callback with the pointer it registered; the token is valid for `len`
        // bytes during the call, the out-parameters are writable.
        let decision = unsafe { f(ptr, len, &mut principal, &mut scope, userdata) };
        match decision {
            PICOMCP_ACCESS_GRANTED => Access::Granted(Principal(principal)),
            PICOMCP_ACCESS_PENDING => Access::Pending,
            PICOMCP_ACCESS_INSUFFICIENT_SCOPE => {
                // SAFETY: NULL or NUL-terminated per the callback's contract.
                let text = unsafe { crate::text::opt_c_str(scope) }.ok().flatten().unwrap_or_default();
                let mut end = text.len().min(SCOPE_BYTES);
                while !text.is_char_boundary(end) {
                    end -= 1;
                }
                let kept = text.get(..end).unwrap_or_default();
                let dst = self.scope.get_mut(..end).unwrap_or_default();
                dst.copy_from_slice(kept.as_bytes());
                Access::InsufficientScope(core::str::from_utf8(dst).unwrap_or_default())
            }
            _ => Access::Unauthorized,
        }
    }

    #[cfg(feature = "std")]
    fn protected_resource(&self) -> Option<picomcp::http::ProtectedResource<'_>> {
        // SAFETY: the metadata does not change while serving (it is set before).
        let kept = unsafe { (*host(self.server)).protected.as_ref() }?;
        Some(picomcp::http::ProtectedResource {
            resource: kept.resource,
            authorization_servers: &kept.authorization_servers,
            scopes_supported: &kept.scopes,
        })
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
pub(crate) unsafe fn on_call(
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

pub(crate) fn put_status(s: picomcp_status) -> Result<(), picomcp_status> {
    if s == PICOMCP_STATUS_OK { Ok(()) } else { Err(s) }
}

pub(crate) fn core_status(r: Result<(), Error>) -> Result<(), picomcp_status> {
    r.map_err(from_error)
}
