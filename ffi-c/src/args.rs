//! Reading a call in a callback: its text fields, URI-template variables and arguments,
//! copied out decoded (JSON escapes resolved) into the caller's buffers.

use core::ffi::c_char;

use picomcp::Arguments;
use picomcp::json::Text;
use picomcp::protocol::CallKind;

use crate::call::*;
use crate::status::*;
use crate::text::{copy_out, put};

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
