//! The server object: where it lives (the caller's memory, or `malloc`'s), how that
//! memory is divided, and the registration functions.

use core::ffi::{c_char, c_void};
use core::ptr::{addr_of_mut, null_mut};

use picomcp::framing::LineBuffer;
use picomcp::protocol::Slot;
use picomcp::{Config, Implementation, PromptArgument, Server, ServerInfo, Storage, Tool};

use crate::call::{Call, picomcp_call};
use crate::catalog::*;
use crate::io::OutQueue;
use crate::status::*;
use crate::text::{c_str, run};

/// Capacities of a server: every one bounds what it accepts, and together they give the
/// memory it needs (`picomcp_storage_size`). Start from `picomcp_config_default()`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
#[allow(non_camel_case_types)]
pub struct picomcp_config {
    /// Tools that can be registered.
    pub max_tools: u32,
    /// Fixed resources that can be registered.
    pub max_resources: u32,
    /// Resource templates that can be registered.
    pub max_templates: u32,
    /// Prompts that can be registered.
    pub max_prompts: u32,
    /// Prompt arguments, all prompts together.
    pub max_prompt_arguments: u32,
    /// Requests in flight at once (deferred answers included); one more gets a JSON-RPC
    /// error. At least 1.
    pub max_requests: u32,
    /// Bytes for the copies of every registered text (names, descriptions, schemas).
    pub text_bytes: u32,
    /// Bytes of one answer's body while it is written (content blocks, resource
    /// contents, messages); a piece that does not fit gives `PICOMCP_STATUS_NO_ROOM`.
    pub result_bytes: u32,
    /// The longest message `picomcp_server_receive` accepts; a longer line gets a
    /// JSON-RPC error and is skipped. (`picomcp_server_serve_stdio` accepts 1 MiB.)
    pub input_bytes: u32,
    /// Bytes of output `picomcp_server_receive` queues before `picomcp_server_take_output`
    /// must drain them. An answer longer than the whole queue (a long listing) is replaced
    /// by a JSON-RPC error naming this limit.
    pub output_bytes: u32,
    /// Bytes of subscribed resource URIs (each costs its length plus 2).
    pub subscription_bytes: u32,
    /// Entries per page of the list methods; 0 sends everything in one page.
    pub page_size: u32,
}

/// The defaults: 32 tools, 32 resources, 16 templates, 16 prompts with 64 arguments in
/// all, 64 requests in flight, 32 KiB of texts, 64 KiB per answer, 256 KiB of input line
/// and of output queue, 4 KiB of subscriptions, no paging.
#[unsafe(no_mangle)]
pub extern "C" fn picomcp_config_default() -> picomcp_config {
    picomcp_config {
        max_tools: 32,
        max_resources: 32,
        max_templates: 16,
        max_prompts: 16,
        max_prompt_arguments: 64,
        max_requests: 64,
        text_bytes: 32 << 10,
        result_bytes: 64 << 10,
        input_bytes: 256 << 10,
        output_bytes: 256 << 10,
        subscription_bytes: 4 << 10,
        page_size: 0,
    }
}

/// The request slots and subscription bytes, carved from the server's memory.
pub(crate) struct Slices {
    slots: &'static mut [Slot],
    subscriptions: &'static mut [u8],
}

impl Storage for Slices {
    fn slots(&self) -> &[Slot] {
        self.slots
    }
    fn parts(&mut self) -> (&mut [Slot], &mut [u8]) {
        (self.slots, self.subscriptions)
    }
}

/// A C callback told when the client cancels a request: its ticket is void already.
#[allow(non_camel_case_types)]
pub type picomcp_cancel_fn = Option<unsafe extern "C" fn(ticket: u64, userdata: *mut c_void)>;

/// A C callback for deferred work (timers, finishing deferred answers): return in how
/// many milliseconds it wants to be called again, or a negative number for "only after
/// the next input".
#[allow(non_camel_case_types)]
pub type picomcp_poll_fn = Option<unsafe extern "C" fn(server: *mut picomcp_server, userdata: *mut c_void) -> i64>;

/// The host side: descriptors, callbacks, the answer buffer, and what a callback may
/// reach while it runs.
pub(crate) struct Host {
    pub(crate) catalog: Catalog,
    pub(crate) on_cancel: Option<(unsafe extern "C" fn(u64, *mut c_void), *mut c_void)>,
    pub(crate) on_poll: Option<(unsafe extern "C" fn(*mut picomcp_server, *mut c_void) -> i64, *mut c_void)>,
    /// The answer buffer, when no answer is being written.
    pub(crate) draft: Option<&'static mut [u8]>,
    /// The responder of the callback that is running (NULL outside callbacks).
    pub(crate) live: *mut picomcp::Responder<'static>,
    /// The handle of a deferred answer being written (`picomcp_server_reply`).
    pub(crate) reply: Call<'static>,
    /// The size of the answer buffer (`result_bytes`).
    pub(crate) answer_bytes: usize,
    /// The HTTP authorize callback (`picomcp_server_on_authorize`).
    #[cfg(feature = "std")]
    pub(crate) authorize: Option<crate::access::Authorize>,
    /// The protected-resource metadata (`picomcp_server_set_protected_resource`).
    #[cfg(feature = "std")]
    pub(crate) protected: Option<crate::access::Protected>,
}

/// A picomcp server. Create it with `picomcp_server_init` (in memory you provide) or
/// `picomcp_server_new`. Not thread-safe: use it from one thread at a time, and from
/// callbacks only through the functions their documentation allows.
#[allow(non_camel_case_types)]
pub struct picomcp_server {
    pub(crate) core: Server<Slices>,
    pub(crate) host: Host,
    pub(crate) lines: LineBuffer<&'static mut [u8]>,
    pub(crate) out: OutQueue,
    /// Inside `receive`, `poll` or a driver: callbacks may run, the core is in use.
    pub(crate) busy: bool,
    /// Inside `receive` or `poll`: output goes to the queue, where a write fails only
    /// when the queue is full (`OUTPUT_FULL`, not `IO`).
    pub(crate) queued: bool,
    /// Serving started: registration is closed.
    pub(crate) started: bool,
    /// Memory from `picomcp_server_new`, freed by `picomcp_server_free` (std builds).
    #[cfg_attr(not(feature = "std"), allow(dead_code))]
    pub(crate) allocated: Option<(*mut u8, usize)>,
}

const fn max(a: usize, b: usize) -> usize {
    if a > b { a } else { b }
}

/// The strictest alignment of anything the server memory holds.
const ALIGN: usize = max(
    max(align_of::<picomcp_server>(), align_of::<Slot>()),
    max(align_of::<(Tool<'static>, Option<Callback>)>(), align_of::<PromptArgument<'static>>()),
);

/// Where each part of the server's memory starts, from an `ALIGN`ed base.
struct Plan {
    slots: usize,
    tools: usize,
    resources: usize,
    templates: usize,
    prompts: usize,
    arguments: usize,
    text: usize,
    result: usize,
    subscriptions: usize,
    input: usize,
    output: usize,
    end: usize,
}

/// Bump `at` to `T`'s alignment, then past `n` of `T`; the start.
fn reserve<T>(at: &mut usize, n: u32) -> Option<usize> {
    let start = at.checked_next_multiple_of(align_of::<T>())?;
    *at = start.checked_add(size_of::<T>().checked_mul(n as usize)?)?;
    Some(start)
}

impl Plan {
    fn new(c: &picomcp_config) -> Option<Self> {
        if c.max_requests == 0 || c.result_bytes == 0 || c.input_bytes == 0 || c.output_bytes == 0 {
            return None;
        }
        let mut at = size_of::<picomcp_server>();
        Some(Self {
            slots: reserve::<Slot>(&mut at, c.max_requests)?,
            tools: reserve::<(picomcp::Tool<'static>, Option<Callback>)>(&mut at, c.max_tools)?,
            resources: reserve::<(picomcp::Resource<'static>, Option<Callback>)>(&mut at, c.max_resources)?,
            templates: reserve::<(picomcp::ResourceTemplate<'static>, Option<Callback>)>(&mut at, c.max_templates)?,
            prompts: reserve::<(picomcp::Prompt<'static>, Option<Callback>)>(&mut at, c.max_prompts)?,
            arguments: reserve::<PromptArgument<'static>>(&mut at, c.max_prompt_arguments)?,
            text: reserve::<u8>(&mut at, c.text_bytes)?,
            result: reserve::<u8>(&mut at, c.result_bytes)?,
            subscriptions: reserve::<u8>(&mut at, c.subscription_bytes)?,
            input: reserve::<u8>(&mut at, c.input_bytes)?,
            output: reserve::<u8>(&mut at, c.output_bytes)?,
            end: at,
        })
    }

    /// Bytes to ask for: the parts plus room to align an unaligned start.
    fn size(&self) -> Option<usize> {
        self.end.checked_add(ALIGN - 1)
    }
}

/// A slice of `n` `value`s at `base + offset`.
///
/// # Safety
/// The range is inside memory the server owns for `'static` (its lifetime), aligned for
/// `T`, and handed out once.
unsafe fn part<T: Copy>(base: *mut u8, offset: usize, n: u32, value: T) -> &'static mut [T] {
    // SAFETY: per the contract; every element is written before the slice is made.
    unsafe {
        let p = base.add(offset).cast::<T>();
        for i in 0..n as usize {
            p.add(i).write(value);
        }
        core::slice::from_raw_parts_mut(p, n as usize)
    }
}

/// How many bytes of memory `picomcp_server_init` needs for `config` (NULL: the
/// defaults), or 0 when the configuration is invalid (`max_requests`, `result_bytes`,
/// `input_bytes` or `output_bytes` is 0) or too large to address.
///
/// # Safety
/// `config` is NULL or points to a `picomcp_config`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn picomcp_storage_size(config: *const picomcp_config) -> usize {
    // SAFETY: NULL or valid per the contract.
    let c = unsafe { config.as_ref() }.copied().unwrap_or_else(|| picomcp_config_default());
    Plan::new(&c).and_then(|p| p.size()).unwrap_or(0)
}

/// Create a server in `memory` (`len` bytes, any alignment) that never calls `malloc`.
/// `name` and `version` (copied) are the `serverInfo` clients see. On success `*out`
/// points into `memory`, which must stay valid and untouched until the server is no
/// longer used; there is nothing to free (just stop using it, then reuse the memory).
///
/// Returns `PICOMCP_STATUS_OK`; `PICOMCP_STATUS_NULL_POINTER` (`memory`, `name`,
/// `version` or `out` is NULL); `PICOMCP_STATUS_INVALID_ARGUMENT` (the configuration is
/// invalid, see `picomcp_storage_size`); `PICOMCP_STATUS_MEMORY_TOO_SMALL`;
/// `PICOMCP_STATUS_INVALID_UTF8`; `PICOMCP_STATUS_NO_ROOM` (the names do not fit
/// `text_bytes`).
///
/// # Safety
/// `memory` is valid for writes of `len` bytes; `config` is NULL or valid; `name` and
/// `version` are NUL-terminated; `out` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn picomcp_server_init(
    memory: *mut c_void,
    len: usize,
    config: *const picomcp_config,
    name: *const c_char,
    version: *const c_char,
    out: *mut *mut picomcp_server,
) -> picomcp_status {
    run(|| {
        if memory.is_null() || out.is_null() {
            return Err(PICOMCP_STATUS_NULL_POINTER);
        }
        // SAFETY: NULL or valid per the contract.
        let c = unsafe { config.as_ref() }.copied().unwrap_or_else(|| picomcp_config_default());
        // SAFETY: NUL-terminated per the contract.
        let (name, version) = unsafe { (c_str(name)?, c_str(version)?) };
        let plan = Plan::new(&c).ok_or(PICOMCP_STATUS_INVALID_ARGUMENT)?;
        if len < plan.size().ok_or(PICOMCP_STATUS_INVALID_ARGUMENT)? {
            return Err(PICOMCP_STATUS_MEMORY_TOO_SMALL);
        }
        let base = memory.cast::<u8>();
        let base = base.wrapping_add(base.align_offset(ALIGN));
        // SAFETY: `len` covers the aligned plan; each part is carved once.
        let server = unsafe { build(base, &plan, &c, name, version) }?;
        // SAFETY: writable per the contract.
        unsafe { out.write(server) };
        Ok(())
    })
}

/// Lay the server out at `base` following `plan`.
///
/// # Safety
/// `base` is `ALIGN`ed and valid for `plan.end` bytes, for as long as the server is used.
unsafe fn build(
    base: *mut u8,
    plan: &Plan,
    c: &picomcp_config,
    name: &str,
    version: &str,
) -> Result<*mut picomcp_server, picomcp_status> {
    // SAFETY: the parts are disjoint ranges of the caller's memory, aligned by the plan.
    let (slots, subscriptions, tools, resources, templates, prompts, arguments, text, result, input, output) = unsafe {
        (
            part(base, plan.slots, c.max_requests, Slot::EMPTY),
            part(base, plan.subscriptions, c.subscription_bytes, 0u8),
            part(base, plan.tools, c.max_tools, (NO_TOOL, None)),
            part(base, plan.resources, c.max_resources, (NO_RESOURCE, None)),
            part(base, plan.templates, c.max_templates, (NO_TEMPLATE, None)),
            part(base, plan.prompts, c.max_prompts, (NO_PROMPT, None)),
            part(base, plan.arguments, c.max_prompt_arguments, NO_ARGUMENT),
            part(base, plan.text, c.text_bytes, 0u8),
            part(base, plan.result, c.result_bytes, 0u8),
            part(base, plan.input, c.input_bytes, 0u8),
            part(base, plan.output, c.output_bytes, 0u8),
        )
    };
    let mut catalog = Catalog {
        info: ServerInfo { implementation: Implementation::new("", ""), instructions: None },
        tools: Table::new(tools),
        resources: Table::new(resources),
        templates: Table::new(templates),
        prompts: Table::new(prompts),
        arguments,
        arena: Arena::new(text),
        completions: None,
        visible: None,
        generation: 0,
    };
    catalog.set_identity(name, version)?;
    let config = Config { page_size: c.page_size as usize, ..Config::new() };
    let server = base.cast::<picomcp_server>();
    let value = picomcp_server {
        core: Server::new(Slices { slots, subscriptions }, config),
        host: Host {
            catalog,
            on_cancel: None,
            on_poll: None,
            draft: Some(result),
            live: null_mut(),
            reply: Call::closed(server),
            answer_bytes: c.result_bytes as usize,
            #[cfg(feature = "std")]
            authorize: None,
            #[cfg(feature = "std")]
            protected: None,
        },
        lines: LineBuffer::new(input),
        out: OutQueue::new(output),
        busy: false,
        queued: false,
        started: false,
        allocated: None,
    };
    // SAFETY: `base` is aligned for and large enough for the server (the plan's first part).
    unsafe { server.write(value) };
    #[cfg(feature = "std")]
    // SAFETY: just written.
    unsafe {
        (*server).core.ensure_state_key()
    };
    Ok(server)
}

/// Create a server with `malloc`ed memory (std builds only); free it with
/// `picomcp_server_free`. Statuses as `picomcp_server_init`.
///
/// # Safety
/// As `picomcp_server_init`, without `memory`.
#[cfg(feature = "std")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn picomcp_server_new(
    config: *const picomcp_config,
    name: *const c_char,
    version: *const c_char,
    out: *mut *mut picomcp_server,
) -> picomcp_status {
    // SAFETY: NULL or valid per the contract.
    let size = unsafe { picomcp_storage_size(config) };
    if size == 0 {
        return PICOMCP_STATUS_INVALID_ARGUMENT;
    }
    if out.is_null() {
        return PICOMCP_STATUS_NULL_POINTER;
    }
    let Ok(layout) = std::alloc::Layout::from_size_align(size, ALIGN) else { return PICOMCP_STATUS_INVALID_ARGUMENT };
    // SAFETY: the layout has a non-zero size.
    let memory = unsafe { std::alloc::alloc(layout) };
    if memory.is_null() {
        return PICOMCP_STATUS_NO_ROOM;
    }
    // SAFETY: `memory` holds `size` bytes.
    let status = unsafe { picomcp_server_init(memory.cast(), size, config, name, version, out) };
    if status == PICOMCP_STATUS_OK {
        // SAFETY: `*out` was just initialised.
        unsafe { (**out).allocated = Some((memory, size)) };
    } else {
        // SAFETY: allocated above with this layout.
        unsafe { std::alloc::dealloc(memory, layout) };
    }
    status
}

/// Free a server made by `picomcp_server_new` (NULL is fine). A server made by
/// `picomcp_server_init` is left alone (its memory is the caller's). Never call it from a
/// callback or while a driver runs.
///
/// # Safety
/// `server` is NULL or a live server; it is invalid afterwards.
#[cfg(feature = "std")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn picomcp_server_free(server: *mut picomcp_server) {
    // SAFETY: NULL or live per the contract.
    let Some(s) = (unsafe { server.as_mut() }) else { return };
    if s.busy {
        return;
    }
    if let Some((memory, size)) = s.allocated {
        // SAFETY: the server owns nothing that needs dropping; the memory came from
        // `picomcp_server_new` with this layout.
        unsafe {
            core::ptr::drop_in_place(server);
            std::alloc::dealloc(memory, std::alloc::Layout::from_size_align_unchecked(size, ALIGN));
        }
    }
}

/// The server behind a handle, or NULL_POINTER; MISUSE when registration is closed.
///
/// # Safety
/// `server` is NULL or live.
unsafe fn registering<'a>(server: *mut picomcp_server) -> Result<&'a mut Catalog, picomcp_status> {
    // SAFETY: NULL or live per the contract; only the catalog is borrowed.
    let s = unsafe { server.as_mut() }.ok_or(PICOMCP_STATUS_NULL_POINTER)?;
    if s.started || s.busy {
        return Err(PICOMCP_STATUS_MISUSE);
    }
    Ok(&mut s.host.catalog)
}

/// Register a tool: `tool`'s texts are copied (the struct may be freed after the call);
/// `handler` answers its calls with `userdata`. Before serving only.
///
/// Returns `PICOMCP_STATUS_OK`; `NULL_POINTER` (`server`, `tool`, `tool->name` or
/// `handler`); `INVALID_UTF8`; `INVALID_JSON` (`input_schema` is not a JSON object with
/// `"type": "object"`, `output_schema` not a JSON object); `INVALID_ARGUMENT` (an empty
/// name, a hint other than the `PICOMCP_HINT_*` values); `DUPLICATE`; `NO_ROOM`
/// (`max_tools` or `text_bytes` used up); `MISUSE` (serving already started).
///
/// # Safety
/// `server` is NULL or live; `tool` is NULL or valid with NULL or NUL-terminated texts.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn picomcp_server_add_tool(
    server: *mut picomcp_server,
    tool: *const picomcp_tool,
    handler: picomcp_handler,
    userdata: *mut c_void,
) -> picomcp_status {
    run(|| {
        // SAFETY: per the contract.
        let (catalog, tool) = unsafe { (registering(server)?, tool.as_ref().ok_or(PICOMCP_STATUS_NULL_POINTER)?) };
        // SAFETY: per the contract.
        unsafe { catalog.add_tool(tool, Callback::new(handler, userdata)?) }
    })
}

/// Register a fixed resource (texts copied); `handler` answers its reads. Statuses as
/// `picomcp_server_add_tool` (`DUPLICATE` for a URI already registered; `uri` and `name`
/// are required).
///
/// # Safety
/// As `picomcp_server_add_tool`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn picomcp_server_add_resource(
    server: *mut picomcp_server,
    resource: *const picomcp_resource,
    handler: picomcp_handler,
    userdata: *mut c_void,
) -> picomcp_status {
    run(|| {
        // SAFETY: per the contract.
        let (catalog, r) = unsafe { (registering(server)?, resource.as_ref().ok_or(PICOMCP_STATUS_NULL_POINTER)?) };
        // SAFETY: per the contract.
        unsafe { catalog.add_resource(r, Callback::new(handler, userdata)?) }
    })
}

/// Register a resource template (texts copied); `handler` answers reads of URIs that
/// match it and no fixed resource. Statuses as `picomcp_server_add_tool`
/// (`INVALID_ARGUMENT` for a malformed template).
///
/// # Safety
/// As `picomcp_server_add_tool`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn picomcp_server_add_template(
    server: *mut picomcp_server,
    template: *const picomcp_template,
    handler: picomcp_handler,
    userdata: *mut c_void,
) -> picomcp_status {
    run(|| {
        // SAFETY: per the contract.
        let (catalog, t) = unsafe { (registering(server)?, template.as_ref().ok_or(PICOMCP_STATUS_NULL_POINTER)?) };
        // SAFETY: per the contract.
        unsafe { catalog.add_template(t, Callback::new(handler, userdata)?) }
    })
}

/// Register a prompt (texts and arguments copied); `handler` answers `prompts/get` once
/// picomcp checked that every required argument is there. Statuses as
/// `picomcp_server_add_tool` (`NO_ROOM` also when `max_prompt_arguments` is used up).
///
/// # Safety
/// As `picomcp_server_add_tool`; `prompt->arguments` points to `argument_count`
/// arguments (or is NULL when there are none).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn picomcp_server_add_prompt(
    server: *mut picomcp_server,
    prompt: *const picomcp_prompt,
    handler: picomcp_handler,
    userdata: *mut c_void,
) -> picomcp_status {
    run(|| {
        // SAFETY: per the contract.
        let (catalog, p) = unsafe { (registering(server)?, prompt.as_ref().ok_or(PICOMCP_STATUS_NULL_POINTER)?) };
        // SAFETY: per the contract.
        unsafe { catalog.add_prompt(p, Callback::new(handler, userdata)?) }
    })
}

/// Answer `completion/complete` with `handler` (and advertise the capability). Without
/// it, picomcp does not offer completions. A reference to no prompt or resource template
/// (by its exact URI template) or fixed resource the caller may see completes to nothing
/// without calling `handler`. Before serving only; statuses `OK`, `NULL_POINTER`, `MISUSE`.
///
/// # Safety
/// `server` is NULL or live.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn picomcp_server_on_complete(
    server: *mut picomcp_server,
    handler: picomcp_handler,
    userdata: *mut c_void,
) -> picomcp_status {
    run(|| {
        // SAFETY: per the contract.
        let catalog = unsafe { registering(server) }?;
        catalog.completions = Some(Callback::new(handler, userdata)?);
        Ok(())
    })
}

/// Be told when the client cancels a request (stop the work; the ticket is void, the
/// answer is not sent). NULL `handler` removes it. Statuses `OK`, `NULL_POINTER`
/// (`server`), `MISUSE` (from a callback).
///
/// # Safety
/// `server` is NULL or live.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn picomcp_server_on_cancel(
    server: *mut picomcp_server,
    handler: picomcp_cancel_fn,
    userdata: *mut c_void,
) -> picomcp_status {
    // SAFETY: per the contract.
    let Some(s) = (unsafe { server.as_mut() }) else { return PICOMCP_STATUS_NULL_POINTER };
    if s.busy {
        return PICOMCP_STATUS_MISUSE;
    }
    s.host.on_cancel = handler.map(|f| (f, userdata));
    PICOMCP_STATUS_OK
}

/// Have `handler` called for deferred work: by the drivers after each batch of input and
/// when the delay it returned has passed, or by `picomcp_server_poll`. NULL removes it.
/// Statuses as `picomcp_server_on_cancel`.
///
/// # Safety
/// `server` is NULL or live.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn picomcp_server_on_poll(
    server: *mut picomcp_server,
    handler: picomcp_poll_fn,
    userdata: *mut c_void,
) -> picomcp_status {
    // SAFETY: per the contract.
    let Some(s) = (unsafe { server.as_mut() }) else { return PICOMCP_STATUS_NULL_POINTER };
    if s.busy {
        return PICOMCP_STATUS_MISUSE;
    }
    s.host.on_poll = handler.map(|f| (f, userdata));
    PICOMCP_STATUS_OK
}

/// Set the instructions clients get at initialization (copied). Before serving only;
/// statuses `OK`, `NULL_POINTER`, `INVALID_UTF8`, `NO_ROOM`, `MISUSE`.
///
/// # Safety
/// `server` is NULL or live; `text` is NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn picomcp_server_set_instructions(
    server: *mut picomcp_server,
    text: *const c_char,
) -> picomcp_status {
    run(|| {
        // SAFETY: per the contract.
        let (catalog, text) = unsafe { (registering(server)?, c_str(text)?) };
        catalog.set_instructions(text)
    })
}

/// The host part of a server, reached by field so that a core call in progress (which
/// borrows `core`) is not disturbed.
///
/// # Safety
/// `server` is live.
pub(crate) unsafe fn host(server: *mut picomcp_server) -> *mut Host {
    // SAFETY: per the contract.
    unsafe { addr_of_mut!((*server).host) }
}

/// The handle of the deferred answer being written.
///
/// # Safety
/// `server` is live.
pub(crate) unsafe fn reply_handle(server: *mut picomcp_server) -> *mut picomcp_call {
    // SAFETY: per the contract.
    unsafe { addr_of_mut!((*server).host.reply) }.cast()
}
