//! Writing an answer: content blocks, resource contents, prompt messages and completion
//! values, each piece added to the call's draft whole or not at all.

use core::ffi::c_char;

use picomcp::json::Text;
use picomcp::protocol::CallKind;
use picomcp::{Content, Draft};

use crate::call::*;
use crate::status::*;

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
    unsafe { media(call, data, len, mime_type, |b, m| Content::image(b, m)) }
}

/// Add an image or audio block made by `block` from raw bytes and a MIME type.
///
/// # Safety
/// As `picomcp_call_image`.
unsafe fn media(
    call: *mut picomcp_call,
    data: *const u8,
    len: usize,
    mime_type: *const c_char,
    block: for<'b> fn(&'b [u8], &'b str) -> Content<'b>,
) -> picomcp_status {
    // SAFETY: per the contract.
    unsafe {
        write(call, CallKind::Tool, |d, _| {
            core_status(d.content(block(crate::text::bytes(data, len)?, crate::text::c_str(mime_type)?)))
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
    unsafe { media(call, data, len, mime_type, |b, m| Content::audio(b, m)) }
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

/// Set a prompt answer's `description`, before any message. Statuses as
/// `picomcp_call_text`.
///
/// # Safety
/// As `picomcp_call_text`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn picomcp_call_describe(
    call: *mut picomcp_call,
    text: *const c_char,
    len: usize,
) -> picomcp_status {
    // SAFETY: per the contract.
    unsafe { write(call, CallKind::Prompt, |d, _| core_status(d.description(txt(text, len)?))) }
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
