//! Answering: deferring, failing, progress and logs, and deferred answers by ticket
//! (`picomcp_server_reply`, `picomcp_call_send`).

use core::ffi::c_char;

use picomcp::Ticket;
use picomcp::protocol::CallKind;

use crate::call::*;
use crate::server::{host, picomcp_server};
use crate::status::*;

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
