//! Scoped access: who a request comes from (a principal: the host's number for a
//! caller), which descriptors each principal may see, and the HTTP driver's bearer-token
//! authorization with its OAuth protected-resource metadata (RFC 9728).

use core::ffi::{c_char, c_void};

use picomcp::{Item, Principal};

use crate::call::{call_mut, picomcp_call};
use crate::server::picomcp_server;
use crate::status::*;

/// A kind of descriptor, as the visibility callback is asked about it.
#[allow(non_camel_case_types)]
pub type picomcp_item = i32;
/// A tool (`key`: its name).
pub const PICOMCP_ITEM_TOOL: picomcp_item = 1;
/// A fixed resource (`key`: its URI).
pub const PICOMCP_ITEM_RESOURCE: picomcp_item = 2;
/// A resource template (`key`: its URI template).
pub const PICOMCP_ITEM_TEMPLATE: picomcp_item = 3;
/// A prompt (`key`: its name).
pub const PICOMCP_ITEM_PROMPT: picomcp_item = 4;

/// A C callback that says whether `principal` may see a descriptor: `item` is its kind
/// (`PICOMCP_ITEM_*`), `key` its name (tools, prompts), URI (resources) or URI template
/// (templates), `key_len` bytes long and NOT NUL-terminated (compare with `key_len`:
/// `key_len == 5 && memcmp(key, "admin", 5) == 0`), `index` its position among the
/// descriptors of its kind in registration order (0 for the first). Return false to hide
/// it. It runs inside `picomcp_server_receive` and the drivers, for every descriptor a
/// list shows and for every name a request uses; it must not call picomcp functions.
#[allow(non_camel_case_types)]
pub type picomcp_visible_fn = Option<
    unsafe extern "C" fn(
        principal: u32,
        item: picomcp_item,
        key: *const c_char,
        key_len: usize,
        index: usize,
        userdata: *mut c_void,
    ) -> bool,
>;

/// A visibility callback and its pointer.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Visible {
    f: unsafe extern "C" fn(u32, picomcp_item, *const c_char, usize, usize, *mut c_void) -> bool,
    userdata: *mut c_void,
}

impl Visible {
    /// Ask the callback about `item`, whose key is `key`.
    pub(crate) fn ask(&self, principal: Principal, item: Item, key: &str) -> bool {
        let (kind, index) = match item {
            Item::Tool(i) => (PICOMCP_ITEM_TOOL, i),
            Item::Resource(i) => (PICOMCP_ITEM_RESOURCE, i),
            Item::Template(i) => (PICOMCP_ITEM_TEMPLATE, i),
            Item::Prompt(i) => (PICOMCP_ITEM_PROMPT, i),
        };
        // SAFETY: a C callback with the pointer it registered; `key` is valid for
        // `key.len()` bytes during the call.
        unsafe { (self.f)(principal.0, kind, key.as_ptr().cast(), key.len(), index, self.userdata) }
    }
}

/// The host's decision about an HTTP request (what the authorize callback returns).
#[allow(non_camel_case_types)]
pub type picomcp_access = i32;
/// `401 Unauthorized`: no token, or one not accepted. The client sees
/// `WWW-Authenticate: Bearer` (with `error="invalid_token"` when it sent an
/// `Authorization` header) naming the metadata document when one is set. Any value not
/// listed here counts as this.
pub const PICOMCP_ACCESS_UNAUTHORIZED: picomcp_access = 0;
/// Serve the request, as coming from the principal stored in `*principal`.
pub const PICOMCP_ACCESS_GRANTED: picomcp_access = 1;
/// `403 Forbidden` with `error="insufficient_scope"` and `scope="…"` from `*scope`: the
/// token is good but lacks these scopes (space-separated), which the client may ask for.
pub const PICOMCP_ACCESS_INSUFFICIENT_SCOPE: picomcp_access = 2;
/// Not decided yet (the token is checked asynchronously): nothing is answered and the
/// request is asked about again after the next poll. Have the poll callback
/// (`picomcp_server_on_poll`) return a delay, or the driver waits for other input.
pub const PICOMCP_ACCESS_PENDING: picomcp_access = 3;

/// A C callback that decides about an HTTP request to the endpoint (std builds, for
/// `picomcp_server_serve_http`). `token` is the bearer token of the request's
/// `Authorization: Bearer …` header, `token_len` bytes, NOT NUL-terminated, or NULL (and
/// 0) when there is none (or the header is not a well-formed bearer token). Store the
/// caller's principal in `*principal` to grant (it starts at 0, anonymous); for
/// `PICOMCP_ACCESS_INSUFFICIENT_SCOPE` point `*scope` at the missing scopes
/// (NUL-terminated, copied at once, at most 255 bytes are kept). It runs on the driver's
/// thread for every request to the endpoint's path; it must not call picomcp functions
/// (they return `MISUSE`).
#[allow(non_camel_case_types)]
pub type picomcp_authorize_fn = Option<
    unsafe extern "C" fn(
        token: *const c_char,
        token_len: usize,
        principal: *mut u32,
        scope: *mut *const c_char,
        userdata: *mut c_void,
    ) -> picomcp_access,
>;

/// An authorize callback and its pointer.
#[cfg(feature = "std")]
pub(crate) type Authorize = (
    unsafe extern "C" fn(*const c_char, usize, *mut u32, *mut *const c_char, *mut c_void) -> picomcp_access,
    *mut c_void,
);

/// The OAuth protected-resource metadata (RFC 9728) of the HTTP endpoint
/// (`picomcp_server_set_protected_resource`). Every text is copied.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
#[allow(non_camel_case_types)]
pub struct picomcp_protected_resource {
    /// The resource identifier: the endpoint's absolute URL, `http://` or `https://`, at
    /// most 256 bytes (e.g. `"https://mcp.example.com/mcp"`). NULL: `http://` + the
    /// request's `Host` + `/mcp`.
    pub resource: *const c_char,
    /// The issuer URLs of the authorization servers that issue tokens for it
    /// (`authorization_server_count` of them; NULL when there are none).
    pub authorization_servers: *const *const c_char,
    /// How many authorization servers.
    pub authorization_server_count: usize,
    /// The scopes a client may ask for (`scope_count` of them; NULL when there are none;
    /// none leaves `scopes_supported` out of the document).
    pub scopes_supported: *const *const c_char,
    /// How many scopes.
    pub scope_count: usize,
}

/// Strings kept in the server's text storage, separated by NUL bytes.
#[cfg(feature = "std")]
#[derive(Clone, Copy, Debug)]
pub(crate) struct Joined {
    pub(crate) text: &'static str,
    pub(crate) count: usize,
}

#[cfg(feature = "std")]
impl picomcp::http::StrList for Joined {
    fn len(&self) -> usize {
        self.count
    }
    fn get(&self, index: usize) -> Option<&str> {
        if index < self.count { self.text.split('\0').nth(index) } else { None }
    }
}

/// The metadata, as kept.
#[cfg(feature = "std")]
#[derive(Clone, Copy, Debug)]
pub(crate) struct Protected {
    pub(crate) resource: Option<&'static str>,
    pub(crate) authorization_servers: Joined,
    pub(crate) scopes: Joined,
}

/// The longest resource URL accepted (the challenge and the metadata URL are written in
/// fixed buffers).
#[cfg(feature = "std")]
const MAX_RESOURCE: usize = 256;

/// The server behind a handle when no core call is in progress.
///
/// # Safety
/// `server` is NULL or live.
unsafe fn idle<'a>(server: *mut picomcp_server) -> Result<&'a mut picomcp_server, picomcp_status> {
    // SAFETY: per the contract.
    let s = unsafe { server.as_mut() }.ok_or(PICOMCP_STATUS_NULL_POINTER)?;
    if s.busy { Err(PICOMCP_STATUS_MISUSE) } else { Ok(s) }
}

/// Say who the requests received from now on come from (the peer of
/// `picomcp_server_receive` and `picomcp_server_serve_stdio`): lists, calls, reads,
/// prompts and completions then show only what the visibility callback lets `principal`
/// see, and callbacks get it from `picomcp_call_principal`. 0 (the default) is
/// anonymous. Over HTTP the authorize callback names the principal of each request
/// instead. Statuses `OK`, `NULL_POINTER`, `MISUSE` (from a callback).
///
/// # Safety
/// `server` is NULL or live.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn picomcp_server_set_principal(server: *mut picomcp_server, principal: u32) -> picomcp_status {
    // SAFETY: per the contract.
    match unsafe { idle(server) } {
        Ok(s) => {
            s.core.set_principal(Principal(principal));
            PICOMCP_STATUS_OK
        }
        Err(status) => status,
    }
}

/// Decide with `visible` which descriptors each principal sees. A hidden descriptor is
/// absent from `tools/list`, `resources/list`, `resources/templates/list` and
/// `prompts/list`, and a client calling, reading, getting or completing it gets exactly
/// what a name never registered gets ("Unknown tool", resource not found, unknown
/// prompt, an empty completion). Without a callback (or with NULL, which removes it) everyone sees everything.
/// picomcp sends no `list_changed` notification when the answers change. Statuses `OK`,
/// `NULL_POINTER` (`server`), `MISUSE` (from a callback).
///
/// # Safety
/// `server` is NULL or live.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn picomcp_server_on_visible(
    server: *mut picomcp_server,
    visible: picomcp_visible_fn,
    userdata: *mut c_void,
) -> picomcp_status {
    // SAFETY: per the contract.
    match unsafe { idle(server) } {
        Ok(s) => {
            s.host.catalog.visible = visible.map(|f| Visible { f, userdata });
            PICOMCP_STATUS_OK
        }
        Err(status) => status,
    }
}

/// Have `authorize` decide about every request to `picomcp_server_serve_http`'s endpoint
/// from its bearer token (std builds). Without it (or with NULL, which removes it) every
/// request is served as anonymous (principal 0). Statuses `OK`, `NULL_POINTER`
/// (`server`), `MISUSE` (from a callback).
///
/// # Safety
/// `server` is NULL or live.
#[cfg(feature = "std")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn picomcp_server_on_authorize(
    server: *mut picomcp_server,
    authorize: picomcp_authorize_fn,
    userdata: *mut c_void,
) -> picomcp_status {
    // SAFETY: per the contract.
    match unsafe { idle(server) } {
        Ok(s) => {
            s.host.authorize = authorize.map(|f| (f, userdata));
            PICOMCP_STATUS_OK
        }
        Err(status) => status,
    }
}

/// Texts of a C array of `count` strings: none empty.
///
/// # Safety
/// `list` is NULL or points to `count` NULL or NUL-terminated strings.
#[cfg(feature = "std")]
unsafe fn strings<'a>(
    list: *const *const c_char,
    count: usize,
) -> Result<impl Iterator<Item = Result<&'a str, picomcp_status>> + Clone, picomcp_status> {
    let size = count.checked_mul(size_of::<*const c_char>()).ok_or(PICOMCP_STATUS_INVALID_ARGUMENT)?;
    // SAFETY: forwarded (`size` bytes of pointers).
    let raw = unsafe { crate::text::bytes(list.cast::<u8>(), size) }?;
    let pointers: &[*const c_char] = if count == 0 {
        &[]
    } else {
        // SAFETY: `raw` covers `count` pointers at `list`.
        unsafe { core::slice::from_raw_parts(raw.as_ptr().cast(), count) }
    };
    Ok(pointers.iter().map(|&p| {
        // SAFETY: forwarded.
        let s = unsafe { crate::text::c_str(p) }?;
        if s.is_empty() { Err(PICOMCP_STATUS_INVALID_ARGUMENT) } else { Ok(s) }
    }))
}

/// Serve OAuth protected-resource metadata (RFC 9728) from `picomcp_server_serve_http`
/// (std builds): a `GET` of `/.well-known/oauth-protected-resource/mcp` (or of
/// `/.well-known/oauth-protected-resource`) answers the JSON document
/// `{"resource": …, "authorization_servers": […], "scopes_supported": […],
/// "bearer_methods_supported": ["header"]}` without asking the authorize callback, and
/// every `401`/`403` challenge names it: `WWW-Authenticate: Bearer
/// resource_metadata="<origin>/.well-known/oauth-protected-resource/mcp"`, which is how an
/// OAuth client finds the authorization server. Without it that path is `404` and the
/// challenges name no metadata. The texts are copied into the server's text storage
/// (`text_bytes`). Before serving only.
///
/// Returns `OK`; `NULL_POINTER` (`server`, `meta`, a list with a count but no pointer, or
/// a NULL entry); `INVALID_UTF8`; `INVALID_ARGUMENT` (`resource` is not an `http://` or
/// `https://` URL of at most 256 bytes, or an entry is empty); `NO_ROOM` (`text_bytes`
/// used up); `MISUSE` (serving already started).
///
/// # Safety
/// `server` is NULL or live; `meta` is NULL or valid, its lists point to their counts of
/// NULL or NUL-terminated strings (or are NULL when the count is 0).
#[cfg(feature = "std")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn picomcp_server_set_protected_resource(
    server: *mut picomcp_server,
    meta: *const picomcp_protected_resource,
) -> picomcp_status {
    crate::text::run(|| {
        // SAFETY: per the contract.
        let s = unsafe { server.as_mut() }.ok_or(PICOMCP_STATUS_NULL_POINTER)?;
        if s.started || s.busy {
            return Err(PICOMCP_STATUS_MISUSE);
        }
        // SAFETY: per the contract.
        let m = unsafe { meta.as_ref() }.ok_or(PICOMCP_STATUS_NULL_POINTER)?;
        // SAFETY: per the contract.
        let resource = unsafe { crate::text::opt_c_str(m.resource) }?;
        if let Some(url) = resource {
            let scheme = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
            if url.len() > MAX_RESOURCE || scheme.is_none_or(str::is_empty) {
                return Err(PICOMCP_STATUS_INVALID_ARGUMENT);
            }
        }
        // SAFETY: per the contract.
        let servers = unsafe { strings(m.authorization_servers, m.authorization_server_count) }?;
        // SAFETY: per the contract.
        let scopes = unsafe { strings(m.scopes_supported, m.scope_count) }?;
        let mut need = resource.map_or(0, str::len);
        for list in [servers.clone(), scopes.clone()] {
            for (i, text) in list.enumerate() {
                need += text?.len() + usize::from(i > 0);
            }
        }
        let arena = &mut s.host.catalog.arena;
        arena.has_room(need)?;
        let kept = Protected {
            resource: resource.map(|r| arena.keep(r)),
            authorization_servers: Joined {
                text: arena.keep_joined(servers.flatten()),
                count: m.authorization_server_count,
            },
            scopes: Joined { text: arena.keep_joined(scopes.flatten()), count: m.scope_count },
        };
        s.host.protected = Some(kept);
        Ok(())
    })
}

/// Who the call comes from: the principal set with `picomcp_server_set_principal` when
/// the request was received, or the one the authorize callback granted the HTTP request
/// (0: anonymous). 0 for NULL, a closed handle, or a reply handle (note it before
/// deferring).
///
/// # Safety
/// `call` is NULL or a handle picomcp gave (see `picomcp_call`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn picomcp_call_principal(call: *mut picomcp_call) -> u32 {
    // SAFETY: per the contract.
    unsafe { call_mut(call) }.map_or(0, |c| c.principal.0)
}
