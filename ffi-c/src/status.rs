//! The one status type of the C ABI: stable numbers and their descriptions.

use core::ffi::c_char;

use picomcp::Error;

/// What a call into picomcp did. `PICOMCP_STATUS_OK` (0) is success; every other value is
/// one of the `PICOMCP_STATUS_*` constants, whose numbers never change.
#[allow(non_camel_case_types)]
pub type picomcp_status = i32;

/// Success.
pub const PICOMCP_STATUS_OK: picomcp_status = 0;
/// A required pointer argument was NULL.
pub const PICOMCP_STATUS_NULL_POINTER: picomcp_status = 1;
/// A text argument is not valid UTF-8.
pub const PICOMCP_STATUS_INVALID_UTF8: picomcp_status = 2;
/// JSON text given to picomcp (a schema, structured content) is not valid JSON, or not
/// the JSON type expected.
pub const PICOMCP_STATUS_INVALID_JSON: picomcp_status = 3;
/// An argument is out of range or malformed (an empty name, a bad URI template, a
/// configuration with a zero capacity that must not be zero).
pub const PICOMCP_STATUS_INVALID_ARGUMENT: picomcp_status = 4;
/// The caller's output buffer is too small; the length needed was stored.
pub const PICOMCP_STATUS_BUFFER_TOO_SMALL: picomcp_status = 5;
/// The server's fixed storage for this is full (descriptor tables, the text arena, the
/// result buffer, the output queue).
pub const PICOMCP_STATUS_NO_ROOM: picomcp_status = 6;
/// The memory handed to `picomcp_server_init` is smaller than `picomcp_storage_size`.
pub const PICOMCP_STATUS_MEMORY_TOO_SMALL: picomcp_status = 7;
/// A tool, resource, template or prompt with this name (URI) is already registered.
pub const PICOMCP_STATUS_DUPLICATE: picomcp_status = 8;
/// Registration after the server started serving, a call handle used after its
/// callback returned, a writer of another kind of answer, re-entering the server.
pub const PICOMCP_STATUS_MISUSE: picomcp_status = 9;
/// The ticket is unknown, already answered, or its request was cancelled.
pub const PICOMCP_STATUS_STALE_TICKET: picomcp_status = 10;
/// No such argument, variable or field.
pub const PICOMCP_STATUS_MISSING: picomcp_status = 11;
/// The argument holds another JSON type than asked for.
pub const PICOMCP_STATUS_WRONG_TYPE: picomcp_status = 12;
/// A resource callback's answer: there is no resource at this URI.
pub const PICOMCP_STATUS_NOT_FOUND: picomcp_status = 13;
/// The result buffer is in use by another answer being written (one at a time).
pub const PICOMCP_STATUS_BUSY: picomcp_status = 14;
/// Writer calls in an order the answer cannot take (content after structured content).
pub const PICOMCP_STATUS_OUT_OF_ORDER: picomcp_status = 15;
/// Not possible in the request's protocol revision.
pub const PICOMCP_STATUS_WRONG_REVISION: picomcp_status = 16;
/// The output queue is full: take output with `picomcp_server_take_output`, then call
/// again with the input not consumed yet.
pub const PICOMCP_STATUS_OUTPUT_FULL: picomcp_status = 17;
/// Reading or writing the transport failed (stdio, a socket), or binding the address.
pub const PICOMCP_STATUS_IO: picomcp_status = 18;
/// A callback returned something other than `PICOMCP_STATUS_OK` (seen by the client as
/// an error result).
pub const PICOMCP_STATUS_CALLBACK_FAILED: picomcp_status = 19;

/// Descriptions, indexed by status number, NUL-terminated.
const DESCRIPTIONS: [&str; 20] = [
    "ok\0",
    "a required pointer argument was NULL\0",
    "text is not valid UTF-8\0",
    "invalid JSON text\0",
    "invalid argument\0",
    "the buffer is too small\0",
    "no room left in the server's storage\0",
    "the memory is smaller than picomcp_storage_size\0",
    "the name is already registered\0",
    "misuse of the API\0",
    "unknown, answered or cancelled ticket\0",
    "no such argument or field\0",
    "the value has another JSON type\0",
    "not found\0",
    "the result buffer is busy with another answer\0",
    "writer calls out of order\0",
    "not possible in the request's protocol revision\0",
    "the output queue is full\0",
    "input/output error\0",
    "the callback failed\0",
];

/// A NUL-terminated English description of `status`, in static storage (never NULL; an
/// unknown number gives `"unknown status"`).
#[unsafe(no_mangle)]
pub extern "C" fn picomcp_status_str(status: picomcp_status) -> *const c_char {
    let text = usize::try_from(status).ok().and_then(|i| DESCRIPTIONS.get(i)).copied().unwrap_or("unknown status\0");
    text.as_ptr().cast()
}

/// The status for a core error.
pub(crate) const fn from_error(e: Error) -> picomcp_status {
    match e {
        Error::Io => PICOMCP_STATUS_IO,
        Error::StaleTicket => PICOMCP_STATUS_STALE_TICKET,
        Error::InvalidJson => PICOMCP_STATUS_INVALID_JSON,
        Error::OutOfOrder => PICOMCP_STATUS_OUT_OF_ORDER,
        Error::WrongRevision => PICOMCP_STATUS_WRONG_REVISION,
        Error::NoRoom => PICOMCP_STATUS_NO_ROOM,
        _ => PICOMCP_STATUS_MISUSE,
    }
}

/// `Ok` as `PICOMCP_STATUS_OK`, an error as its status.
pub(crate) const fn status_of(result: Result<(), Error>) -> picomcp_status {
    match result {
        Ok(()) => PICOMCP_STATUS_OK,
        Err(e) => from_error(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_has_a_description() {
        for status in 0..DESCRIPTIONS.len() as i32 {
            // SAFETY: the descriptions are NUL-terminated statics.
            let text = unsafe { core::ffi::CStr::from_ptr(picomcp_status_str(status)) };
            assert!(!text.to_bytes().is_empty());
        }
        assert!(DESCRIPTIONS.iter().all(|d| d.ends_with('\0') && d.find('\0') == Some(d.len() - 1)));
        let unknown = unsafe { core::ffi::CStr::from_ptr(picomcp_status_str(-1)) };
        assert_eq!(unknown.to_bytes(), b"unknown status");
    }
}
