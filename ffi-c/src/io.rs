//! Moving bytes: the sans-IO loop (`receive` input, `take_output`, `poll`) and the ready
//! stdio and HTTP drivers.

use core::ptr::addr_of_mut;

use picomcp::framing::Line;
use picomcp::{Error, Sink};

use crate::call::Bridge;
use crate::server::picomcp_server;
use crate::status::*;
use crate::text::bytes;

/// Room kept for what surrounds an answer's body (JSON-RPC head, trailer, `_meta`).
pub(crate) const ENVELOPE: usize = 1024;

/// The output queue of the sans-IO loop: whole messages only (a message that does not
/// fit is taken back, never left half-written).
pub(crate) struct OutQueue {
    buf: &'static mut [u8],
    head: usize,
    tail: usize,
    /// Where the message being written started.
    mark: usize,
    /// A message did not fit and was taken back; writes fail until the next message.
    overflow: bool,
    /// The longest message written so far (how much room to keep before taking input).
    largest: usize,
}

impl OutQueue {
    pub(crate) fn new(buf: &'static mut [u8]) -> Self {
        Self { buf, head: 0, tail: 0, mark: 0, overflow: false, largest: 0 }
    }

    /// Start a write outside a message boundary the core marks itself.
    pub(crate) fn begin(&mut self) {
        self.mark = self.tail;
        self.overflow = false;
    }

    /// After a core call: whether a message did not fit (it was taken back).
    pub(crate) fn settle(&mut self, _ok: bool) -> bool {
        core::mem::take(&mut self.overflow)
    }

    /// The most bytes one message may need: the longest so far, and at least `floor`.
    pub(crate) fn reserve(&self, floor: usize) -> usize {
        floor.max(self.largest).min(self.buf.len())
    }

    pub(crate) fn capacity(&self) -> usize {
        self.buf.len()
    }

    pub(crate) fn free(&self) -> usize {
        self.buf.len() - (self.tail - self.head)
    }

    fn pending(&self) -> &[u8] {
        self.buf.get(self.head..self.tail).unwrap_or_default()
    }

    fn consume(&mut self, n: usize) {
        self.head += n.min(self.tail - self.head);
        if self.head == self.tail {
            (self.head, self.tail, self.mark) = (0, 0, 0);
        }
    }
}

impl Sink for OutQueue {
    fn write(&mut self, bytes: &[u8]) -> Result<(), Error> {
        if self.overflow {
            return Err(Error::Io);
        }
        if self.tail + bytes.len() > self.buf.len() && self.head > 0 {
            self.buf.copy_within(self.head..self.tail, 0);
            (self.tail, self.mark) = (self.tail - self.head, self.mark.saturating_sub(self.head));
            self.head = 0;
        }
        let Some(dst) = self.buf.get_mut(self.tail..self.tail + bytes.len()) else {
            // Take back what was written of this message (nothing half-written), and
            // remember it needed at least this much room.
            self.largest = self.largest.max(self.tail - self.mark + bytes.len());
            (self.tail, self.overflow) = (self.mark, true);
            return Err(Error::Io);
        };
        dst.copy_from_slice(bytes);
        self.tail += bytes.len();
        Ok(())
    }

    fn begin_message(&mut self) -> Result<(), Error> {
        (self.mark, self.overflow) = (self.tail, false);
        Ok(())
    }

    fn end_message(&mut self) -> Result<(), Error> {
        self.write(b"\n")?;
        self.largest = self.largest.max(self.tail - self.mark);
        Ok(())
    }
}

/// The server behind a handle, if no core call is in progress (else MISUSE: a callback
/// re-entered the loop). Marks serving as started.
///
/// # Safety
/// `server` is NULL or live.
unsafe fn enter<'a>(server: *mut picomcp_server) -> Result<&'a mut picomcp_server, picomcp_status> {
    // SAFETY: per the contract.
    let s = unsafe { server.as_mut() }.ok_or(PICOMCP_STATUS_NULL_POINTER)?;
    if s.busy {
        return Err(PICOMCP_STATUS_MISUSE);
    }
    s.started = true;
    Ok(s)
}

/// Run `f` with the core, the output queue and the bridge, `busy` set meanwhile.
///
/// # Safety
/// `server` is live and not busy.
unsafe fn serving<T>(
    server: *mut picomcp_server,
    f: impl FnOnce(
        &mut picomcp::Server<crate::server::Slices>,
        &mut picomcp::framing::LineBuffer<&'static mut [u8]>,
        &mut OutQueue,
        &mut Bridge,
    ) -> T,
) -> T {
    // SAFETY: fields are borrowed one by one; callbacks reach the host part only.
    unsafe {
        (*server).busy = true;
        let mut bridge = Bridge::new(server);
        let result = f(
            &mut *addr_of_mut!((*server).core),
            &mut *addr_of_mut!((*server).lines),
            &mut *addr_of_mut!((*server).out),
            &mut bridge,
        );
        (*server).busy = false;
        result
    }
}

/// Feed `len` bytes of newline-delimited JSON-RPC input (any split: partial lines are
/// kept) and answer every complete message; answers, notifications and progress go to
/// the output queue (`picomcp_server_take_output`). `*consumed` (if not NULL) gets how
/// many bytes were taken. Callbacks run inside this call.
///
/// Returns `OK` (everything taken and every complete message answered); `OUTPUT_FULL`
/// (the output queue has less room than one answer may need: drain it, then call again
/// with the bytes not consumed — none, possibly, as messages already taken may wait to be
/// answered: call until `OK`); `NULL_POINTER`; `MISUSE` (called from a callback).
///
/// A message is taken only while the queue has room for `result_bytes` + 1 KiB and for
/// the longest message written so far. An answer that still does not fit (a listing
/// longer than the room left) is taken back whole and replaced by a JSON-RPC error
/// (-32603, `data: {"limit": output_bytes}`), so no request goes unanswered; size
/// `output_bytes` to hold the longest listing to never see it.
///
/// # Safety
/// `server` is NULL or live; `data` is valid for `len` bytes; `consumed` is NULL or
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn picomcp_server_receive(
    server: *mut picomcp_server,
    data: *const u8,
    len: usize,
    consumed: *mut usize,
) -> picomcp_status {
    if !consumed.is_null() {
        // SAFETY: writable per the contract.
        unsafe { consumed.write(0) };
    }
    // SAFETY: per the contract.
    let (s, mut input) = match unsafe { enter(server).and_then(|s| Ok((s, bytes(data, len)?))) } {
        Ok(v) => v,
        Err(status) => return status,
    };
    // Room kept before each message is taken: an answer's body is at most `result_bytes`
    // plus its envelope, and the core's own answers (listings) are as long as the
    // longest seen so far.
    let floor = s.host.answer_bytes + ENVELOPE;
    let total = input.len();
    s.queued = true;
    // SAFETY: `s` is live and not busy.
    let status = unsafe {
        serving(server, |core, lines, out, bridge| {
            loop {
                while out.free() >= out.reserve(floor) {
                    let Some(line) = lines.next_line() else { break };
                    out.begin();
                    let (result, frame) = match line {
                        Line::Frame(frame) => (core.receive(frame, out, bridge), Some(frame)),
                        Line::TooLong => (core.reject_oversized(lines.capacity(), out), None),
                    };
                    if !out.settle(result.is_ok()) {
                        continue;
                    }
                    // An answer did not fit: the client gets an error saying so instead.
                    let capacity = out.capacity();
                    let rejected = frame.map_or(Err(Error::Io), |f| core.reject_unfitting(f, capacity, out, bridge));
                    if out.settle(rejected.is_ok()) {
                        return PICOMCP_STATUS_OUTPUT_FULL;
                    }
                }
                // Checked first: complete messages taken earlier may still wait for room
                // even when no input is left (the caller drains, then calls again).
                if out.free() < out.reserve(floor) {
                    return PICOMCP_STATUS_OUTPUT_FULL;
                }
                if input.is_empty() {
                    return PICOMCP_STATUS_OK;
                }
                let space = lines.space();
                let n = space.len().min(input.len());
                let (now, rest) = input.split_at(n);
                if let Some(dst) = space.get_mut(..n) {
                    dst.copy_from_slice(now);
                }
                lines.commit(n);
                input = rest;
            }
        })
    };
    // SAFETY: live; the core call is over.
    unsafe { (*server).queued = false };
    if !consumed.is_null() {
        // SAFETY: writable per the contract.
        unsafe { consumed.write(total - input.len()) };
    }
    status
}

/// Copy up to `cap` bytes of queued output into `buf` and remove them from the queue;
/// `*written` gets the count (0 when nothing is queued). Output is whole
/// newline-terminated messages, possibly split across calls.
///
/// Returns `OK`, `NULL_POINTER` (`server`, `written`, or `buf` with `cap` > 0), `MISUSE`
/// (from a callback).
///
/// # Safety
/// `server` is NULL or live; `buf` is valid for `cap` bytes; `written` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn picomcp_server_take_output(
    server: *mut picomcp_server,
    buf: *mut u8,
    cap: usize,
    written: *mut usize,
) -> picomcp_status {
    // SAFETY: per the contract.
    let Some(s) = (unsafe { server.as_mut() }) else { return PICOMCP_STATUS_NULL_POINTER };
    if written.is_null() || (buf.is_null() && cap > 0) {
        return PICOMCP_STATUS_NULL_POINTER;
    }
    if s.busy {
        return PICOMCP_STATUS_MISUSE;
    }
    let pending = s.out.pending();
    let n = pending.len().min(cap);
    if n > 0 {
        // SAFETY: `buf` holds `cap >= n` bytes.
        unsafe { core::ptr::copy_nonoverlapping(pending.as_ptr(), buf, n) };
    }
    s.out.consume(n);
    // SAFETY: writable per the contract.
    unsafe { written.write(n) };
    PICOMCP_STATUS_OK
}

/// How many bytes of output are queued (0 for NULL).
///
/// # Safety
/// `server` is NULL or live.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn picomcp_server_pending_output(server: *mut picomcp_server) -> usize {
    // SAFETY: per the contract.
    unsafe { server.as_ref() }.map_or(0, |s| s.out.pending().len())
}

/// Run the poll callback (deferred work) now; `*next_ms` (if not NULL) gets in how many
/// milliseconds to call again, or -1 for "after the next input". For the sans-IO loop;
/// the drivers poll by themselves. Returns `OK`, `OUTPUT_FULL` (something did not fit
/// the output queue and was dropped), `NULL_POINTER`, `MISUSE` (from a callback).
///
/// # Safety
/// `server` is NULL or live; `next_ms` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn picomcp_server_poll(server: *mut picomcp_server, next_ms: *mut i64) -> picomcp_status {
    // SAFETY: per the contract.
    match unsafe { enter(server) } {
        Ok(s) => s.queued = true,
        Err(status) => return status,
    }
    // SAFETY: live and not busy.
    let (next, full) = unsafe {
        serving(server, |core, _, out, bridge| {
            out.begin();
            let next = core.poll(out, bridge);
            let full = out.settle(next.is_ok());
            (next.ok().flatten(), full)
        })
    };
    // SAFETY: live; the core call is over.
    unsafe { (*server).queued = false };
    if !next_ms.is_null() {
        let ms = next.map_or(-1, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        // SAFETY: writable per the contract.
        unsafe { next_ms.write(ms) };
    }
    if full { PICOMCP_STATUS_OUTPUT_FULL } else { PICOMCP_STATUS_OK }
}

/// Serve MCP on stdin/stdout (newline-delimited JSON-RPC, messages up to 1 MiB) until
/// stdin closes; callbacks and the poll callback run on this thread. Registration closes.
/// Std builds only.
///
/// Returns `OK` (stdin closed), `IO` (reading or writing failed, or the registry is
/// invalid), `NULL_POINTER`, `MISUSE` (from a callback).
///
/// # Safety
/// `server` is NULL or live.
#[cfg(feature = "std")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn picomcp_server_serve_stdio(server: *mut picomcp_server) -> picomcp_status {
    // SAFETY: per the contract.
    if let Err(status) = unsafe { enter(server) } {
        return status;
    }
    // SAFETY: live and not busy.
    let served = unsafe { serving(server, |core, _, _, bridge| picomcp::stdio::serve(core, bridge)) };
    if served.is_ok() { PICOMCP_STATUS_OK } else { PICOMCP_STATUS_IO }
}

/// Serve MCP over Streamable HTTP at `http://host:port/mcp` (both protocol eras, one
/// thread, Host/Origin checked against loopback names) until the process ends. `host`
/// is an address such as `"127.0.0.1"`; `port` 0 picks a free port. Std builds only.
///
/// Returns `IO` (binding or serving failed), `NULL_POINTER`, `INVALID_UTF8`, `MISUSE`
/// (from a callback).
///
/// # Safety
/// `server` is NULL or live; `host` is NUL-terminated.
#[cfg(feature = "std")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn picomcp_server_serve_http(
    server: *mut picomcp_server,
    host: *const core::ffi::c_char,
    port: u16,
) -> picomcp_status {
    // SAFETY: per the contract.
    let host = match unsafe { crate::text::c_str(host) } {
        Ok(h) => h,
        Err(s) => return s,
    };
    // SAFETY: per the contract.
    if let Err(status) = unsafe { enter(server) } {
        return status;
    }
    let Ok(listener) = std::net::TcpListener::bind((host, port)) else { return PICOMCP_STATUS_IO };
    // SAFETY: live and not busy.
    let served = unsafe { serving(server, |core, _, _, bridge| picomcp::http::serve::serve(listener, core, bridge)) };
    if served.is_ok() { PICOMCP_STATUS_OK } else { PICOMCP_STATUS_IO }
}
