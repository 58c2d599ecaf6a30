//! Text and bytes across the boundary: C strings in, NUL-terminated copies out.

use core::ffi::{CStr, c_char};

use crate::status::*;

/// A length meaning "the text is NUL-terminated": `(size_t)-1`. (cbindgen cannot translate
/// `usize::MAX`: `ffi-c/cbindgen.toml` writes its `#define`.)
pub const PICOMCP_STRLEN: usize = usize::MAX;

/// A required C string as `&str`.
///
/// # Safety
/// `p` is NULL or a NUL-terminated string valid for `'a`.
pub(crate) unsafe fn c_str<'a>(p: *const c_char) -> Result<&'a str, picomcp_status> {
    // SAFETY: forwarded from the caller.
    unsafe { opt_c_str(p) }?.ok_or(PICOMCP_STATUS_NULL_POINTER)
}

/// An optional C string (NULL is `None`).
///
/// # Safety
/// `p` is NULL or a NUL-terminated string valid for `'a`.
pub(crate) unsafe fn opt_c_str<'a>(p: *const c_char) -> Result<Option<&'a str>, picomcp_status> {
    if p.is_null() {
        return Ok(None);
    }
    // SAFETY: non-NULL and NUL-terminated per the contract.
    let bytes = unsafe { CStr::from_ptr(p) }.to_bytes();
    core::str::from_utf8(bytes).map(Some).map_err(|_| PICOMCP_STATUS_INVALID_UTF8)
}

/// `len` bytes at `p` (NULL is fine when `len` is 0).
///
/// # Safety
/// `p` is NULL or valid for reads of `len` bytes for `'a`.
pub(crate) unsafe fn bytes<'a>(p: *const u8, len: usize) -> Result<&'a [u8], picomcp_status> {
    if len == 0 {
        return Ok(&[]);
    }
    if p.is_null() {
        return Err(PICOMCP_STATUS_NULL_POINTER);
    }
    // SAFETY: non-NULL and valid for `len` bytes per the contract.
    Ok(unsafe { core::slice::from_raw_parts(p, len) })
}

/// Text of `len` bytes at `p`, or NUL-terminated when `len` is [`PICOMCP_STRLEN`].
///
/// # Safety
/// As [`bytes`], or as [`c_str`] when `len` is [`PICOMCP_STRLEN`].
pub(crate) unsafe fn text<'a>(p: *const c_char, len: usize) -> Result<&'a str, picomcp_status> {
    if len == PICOMCP_STRLEN {
        // SAFETY: forwarded.
        return unsafe { c_str(p) };
    }
    // SAFETY: forwarded.
    let b = unsafe { bytes(p.cast(), len) }?;
    core::str::from_utf8(b).map_err(|_| PICOMCP_STATUS_INVALID_UTF8)
}

/// Copy `src` to `buf` with a terminating NUL and store its length (without the NUL) in
/// `*len` (when `len` is not NULL), also when `buf` is too small, so the caller can size
/// a buffer: `cap` must be at least `*len + 1`. `buf` may be NULL when `cap` is 0.
///
/// # Safety
/// `buf` is NULL or valid for writes of `cap` bytes; `len` is NULL or writable.
pub(crate) unsafe fn copy_out(src: &[u8], buf: *mut c_char, cap: usize, len: *mut usize) -> picomcp_status {
    if !len.is_null() {
        // SAFETY: writable per the contract.
        unsafe { len.write(src.len()) };
    }
    if cap <= src.len() {
        return PICOMCP_STATUS_BUFFER_TOO_SMALL;
    }
    if buf.is_null() {
        return PICOMCP_STATUS_NULL_POINTER;
    }
    // SAFETY: `buf` holds `cap > src.len()` bytes.
    unsafe {
        core::ptr::copy_nonoverlapping(src.as_ptr(), buf.cast::<u8>(), src.len());
        buf.add(src.len()).write(0);
    }
    PICOMCP_STATUS_OK
}

/// Store `value` through `out` (NULL is [`PICOMCP_STATUS_NULL_POINTER`]).
///
/// # Safety
/// `out` is NULL or writable.
pub(crate) unsafe fn put<T>(out: *mut T, value: T) -> picomcp_status {
    if out.is_null() {
        return PICOMCP_STATUS_NULL_POINTER;
    }
    // SAFETY: non-NULL and writable per the contract.
    unsafe { out.write(value) };
    PICOMCP_STATUS_OK
}

/// Run `f` and turn its `Err` into the status.
pub(crate) fn run(f: impl FnOnce() -> Result<(), picomcp_status>) -> picomcp_status {
    match f() {
        Ok(()) => PICOMCP_STATUS_OK,
        Err(s) => s,
    }
}
