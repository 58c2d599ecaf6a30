//! What a C server offers: descriptors copied from the caller into the server's own
//! storage, with the callback that answers each, served to the core as a [`Registry`].

use core::ffi::{c_char, c_void};

use picomcp::{
    Features, Item, Principal, Prompt, PromptArgument, Registry, RegistryError, Resource, ResourceTemplate, ServerInfo,
    StaticRegistry, Tool, ToolAnnotations, check_registry,
};

use crate::access::Visible;
use crate::call::picomcp_call;
use crate::status::*;
use crate::text::{bytes, c_str, opt_c_str};

/// A callback that answers a request: a tool call, a resource read, a prompt get or a
/// completion. `call` is valid until the callback returns (or, after
/// `picomcp_call_defer`, until the answer is sent); `userdata` is the pointer given at
/// registration. Return `PICOMCP_STATUS_OK` after writing the answer (or deferring it);
/// see `picomcp_call_defer` for what other statuses do.
#[allow(non_camel_case_types)]
pub type picomcp_handler =
    Option<unsafe extern "C" fn(call: *mut picomcp_call, userdata: *mut c_void) -> picomcp_status>;

/// A behaviour hint of a tool: unset (0, what zero-initialisation gives), true or false.
#[allow(non_camel_case_types)]
pub type picomcp_hint = u8;
/// The hint is not sent.
pub const PICOMCP_HINT_UNSET: picomcp_hint = 0;
/// The hint is `true`.
pub const PICOMCP_HINT_TRUE: picomcp_hint = 1;
/// The hint is `false`.
pub const PICOMCP_HINT_FALSE: picomcp_hint = 2;

/// A tool's behaviour hints (`annotations` in `tools/list`). Zero-initialised: none.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
#[allow(non_camel_case_types)]
pub struct picomcp_tool_annotations {
    /// Human-readable title, or NULL.
    pub title: *const c_char,
    /// `readOnlyHint`: the tool does not change its environment.
    pub read_only: picomcp_hint,
    /// `destructiveHint`: the tool may destroy things.
    pub destructive: picomcp_hint,
    /// `idempotentHint`: calling again with the same arguments has no further effect.
    pub idempotent: picomcp_hint,
    /// `openWorldHint`: the tool talks to an open world of external entities.
    pub open_world: picomcp_hint,
}

/// A tool to register. Every text is copied; NULL means "none" except for `name`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
#[allow(non_camel_case_types)]
pub struct picomcp_tool {
    /// Unique name (required).
    pub name: *const c_char,
    /// Human-readable name.
    pub title: *const c_char,
    /// What the tool does.
    pub description: *const c_char,
    /// JSON Schema of the arguments (an object schema, `"type": "object"`). NULL:
    /// `{"type":"object"}`. Arguments are checked against it before the callback runs.
    pub input_schema: *const c_char,
    /// JSON Schema of the structured content, or NULL.
    pub output_schema: *const c_char,
    /// Behaviour hints.
    pub annotations: picomcp_tool_annotations,
}

/// A fixed resource to register. Every text is copied; NULL means "none" except for
/// `uri` and `name`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
#[allow(non_camel_case_types)]
pub struct picomcp_resource {
    /// Its URI (required, unique).
    pub uri: *const c_char,
    /// Programmatic name (required).
    pub name: *const c_char,
    /// Human-readable name.
    pub title: *const c_char,
    /// What it holds.
    pub description: *const c_char,
    /// MIME type.
    pub mime_type: *const c_char,
}

/// A resource template (RFC 6570 level 1-3 URI template) to register.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
#[allow(non_camel_case_types)]
pub struct picomcp_template {
    /// The URI template, e.g. `"demo://items/{id}"` (required).
    pub uri_template: *const c_char,
    /// Programmatic name (required).
    pub name: *const c_char,
    /// Human-readable name.
    pub title: *const c_char,
    /// What its resources hold.
    pub description: *const c_char,
    /// MIME type of its resources.
    pub mime_type: *const c_char,
}

/// One argument of a prompt.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
#[allow(non_camel_case_types)]
pub struct picomcp_prompt_argument {
    /// Its name (required).
    pub name: *const c_char,
    /// What it is for, or NULL.
    pub description: *const c_char,
    /// Whether `prompts/get` must give it (picomcp refuses requests without it).
    pub required: bool,
}

/// A prompt to register.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
#[allow(non_camel_case_types)]
pub struct picomcp_prompt {
    /// Unique name (required).
    pub name: *const c_char,
    /// Human-readable name.
    pub title: *const c_char,
    /// What it is for.
    pub description: *const c_char,
    /// Its arguments (`argument_count` of them; NULL when there are none).
    pub arguments: *const picomcp_prompt_argument,
    /// How many arguments.
    pub argument_count: usize,
}

/// A callback and the pointer handed back to it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Callback {
    pub(crate) f: unsafe extern "C" fn(call: *mut picomcp_call, userdata: *mut c_void) -> picomcp_status,
    pub(crate) userdata: *mut c_void,
}

impl Callback {
    pub(crate) fn new(f: picomcp_handler, userdata: *mut c_void) -> Result<Self, picomcp_status> {
        Ok(Self { f: f.ok_or(PICOMCP_STATUS_NULL_POINTER)?, userdata })
    }
}

/// A fixed table of descriptors with their callbacks, filled from the front.
pub(crate) struct Table<T: 'static> {
    items: &'static mut [(T, Option<Callback>)],
    len: usize,
}

impl<T: Copy> Table<T> {
    pub(crate) fn new(items: &'static mut [(T, Option<Callback>)]) -> Self {
        Self { items, len: 0 }
    }

    fn filled(&self) -> &[(T, Option<Callback>)] {
        self.items.get(..self.len).unwrap_or_default()
    }

    fn get(&self, index: usize) -> Option<T> {
        self.filled().get(index).map(|e| e.0)
    }

    /// The callback of entry `index`.
    pub(crate) fn callback(&self, index: usize) -> Option<Callback> {
        self.filled().get(index).and_then(|e| e.1)
    }

    fn has_room(&self) -> Result<(), picomcp_status> {
        if self.len < self.items.len() { Ok(()) } else { Err(PICOMCP_STATUS_NO_ROOM) }
    }

    fn push(&mut self, item: T, callback: Callback) -> Result<(), picomcp_status> {
        let slot = self.items.get_mut(self.len).ok_or(PICOMCP_STATUS_NO_ROOM)?;
        *slot = (item, Some(callback));
        self.len += 1;
        Ok(())
    }
}

/// Copies of the caller's texts, in a fixed arena.
pub(crate) struct Arena {
    rest: &'static mut [u8],
}

impl Arena {
    pub(crate) fn new(bytes: &'static mut [u8]) -> Self {
        Self { rest: bytes }
    }

    /// Whether texts of `total` bytes fit.
    pub(crate) fn has_room(&self, total: usize) -> Result<(), picomcp_status> {
        if total <= self.rest.len() { Ok(()) } else { Err(PICOMCP_STATUS_NO_ROOM) }
    }

    /// A copy of `s` (the room was checked with [`Arena::has_room`]).
    pub(crate) fn keep(&mut self, s: &str) -> &'static str {
        if s.len() > self.rest.len() {
            return "";
        }
        let (head, tail) = core::mem::take(&mut self.rest).split_at_mut(s.len());
        head.copy_from_slice(s.as_bytes());
        self.rest = tail;
        core::str::from_utf8(head).unwrap_or_default()
    }

    fn keep_opt(&mut self, s: Option<&str>) -> Option<&'static str> {
        s.map(|s| self.keep(s))
    }

    /// One copy of `parts`, separated by NUL bytes (the room was checked with
    /// [`Arena::has_room`]).
    #[cfg(feature = "std")]
    pub(crate) fn keep_joined<'s>(&mut self, parts: impl Iterator<Item = &'s str> + Clone) -> &'static str {
        let len: usize = parts.clone().enumerate().map(|(i, p)| p.len() + usize::from(i > 0)).sum();
        if len > self.rest.len() {
            return "";
        }
        let (head, tail) = core::mem::take(&mut self.rest).split_at_mut(len);
        let mut at = 0;
        for (i, p) in parts.enumerate() {
            if i > 0 {
                if let Some(b) = head.get_mut(at) {
                    *b = 0;
                }
                at += 1;
            }
            if let Some(dst) = head.get_mut(at..at + p.len()) {
                dst.copy_from_slice(p.as_bytes());
            }
            at += p.len();
        }
        self.rest = tail;
        core::str::from_utf8(head).unwrap_or_default()
    }
}

/// The total length of some texts.
fn total(texts: &[Option<&str>]) -> usize {
    texts.iter().flatten().map(|s| s.len()).sum()
}

/// The status for a problem [`check_registry`] found.
fn refused(e: RegistryError) -> picomcp_status {
    if e.problem.contains("Schema") {
        PICOMCP_STATUS_INVALID_JSON
    } else if e.problem.contains("duplicate") {
        PICOMCP_STATUS_DUPLICATE
    } else {
        PICOMCP_STATUS_INVALID_ARGUMENT
    }
}

fn hint(h: picomcp_hint) -> Result<Option<bool>, picomcp_status> {
    match h {
        PICOMCP_HINT_UNSET => Ok(None),
        PICOMCP_HINT_TRUE => Ok(Some(true)),
        PICOMCP_HINT_FALSE => Ok(Some(false)),
        _ => Err(PICOMCP_STATUS_INVALID_ARGUMENT),
    }
}

/// The texts of a resource or a resource template (its URI template in `uri`).
struct EntryTexts<'a> {
    uri: &'a str,
    name: &'a str,
    title: Option<&'a str>,
    description: Option<&'a str>,
    mime_type: Option<&'a str>,
}

impl<'a> EntryTexts<'a> {
    /// Read and check them (`uri` and `name` required).
    ///
    /// # Safety
    /// The texts of `r` are NULL or NUL-terminated and valid for `'a`.
    unsafe fn read(r: &picomcp_resource) -> Result<Self, picomcp_status> {
        // SAFETY: forwarded.
        unsafe {
            Ok(Self {
                uri: c_str(r.uri)?,
                name: c_str(r.name)?,
                title: opt_c_str(r.title)?,
                description: opt_c_str(r.description)?,
                mime_type: opt_c_str(r.mime_type)?,
            })
        }
    }

    /// Copies in `arena`, or NO_ROOM (then nothing was copied).
    fn keep(&self, arena: &mut Arena) -> Result<EntryTexts<'static>, picomcp_status> {
        arena.has_room(total(&[Some(self.uri), Some(self.name), self.title, self.description, self.mime_type]))?;
        Ok(EntryTexts {
            uri: arena.keep(self.uri),
            name: arena.keep(self.name),
            title: arena.keep_opt(self.title),
            description: arena.keep_opt(self.description),
            mime_type: arena.keep_opt(self.mime_type),
        })
    }
}

/// Everything a server offers.
pub(crate) struct Catalog {
    pub(crate) info: ServerInfo<'static>,
    pub(crate) tools: Table<Tool<'static>>,
    pub(crate) resources: Table<Resource<'static>>,
    pub(crate) templates: Table<ResourceTemplate<'static>>,
    pub(crate) prompts: Table<Prompt<'static>>,
    pub(crate) arguments: &'static mut [PromptArgument<'static>],
    pub(crate) arena: Arena,
    /// The completion callback, if the host answers `completion/complete`.
    pub(crate) completions: Option<Callback>,
    /// Which descriptors each principal sees (everyone everything without it).
    pub(crate) visible: Option<Visible>,
    pub(crate) generation: u64,
}

/// An empty descriptor to fill tables with.
pub(crate) const NO_TOOL: Tool<'static> = Tool::new("", "", "");
/// An empty descriptor to fill tables with.
pub(crate) const NO_RESOURCE: Resource<'static> = Resource::new("", "", "");
/// An empty descriptor to fill tables with.
pub(crate) const NO_TEMPLATE: ResourceTemplate<'static> = ResourceTemplate::new("", "", "");
/// An empty descriptor to fill tables with.
pub(crate) const NO_PROMPT: Prompt<'static> = Prompt::new("", "", &[]);
/// An empty descriptor to fill tables with.
pub(crate) const NO_ARGUMENT: PromptArgument<'static> = PromptArgument::optional("", "");

impl Catalog {
    /// Check one descriptor the way the core checks a registry, before anything is kept.
    fn check(&self, one: StaticRegistry<'_>) -> Result<(), picomcp_status> {
        check_registry(&one).map_err(refused)
    }

    /// Register a tool.
    ///
    /// # Safety
    /// The texts of `t` are NULL or NUL-terminated.
    pub(crate) unsafe fn add_tool(&mut self, t: &picomcp_tool, callback: Callback) -> Result<(), picomcp_status> {
        // SAFETY: forwarded.
        let (name, title, description, output_schema, input_schema, a_title) = unsafe {
            (
                c_str(t.name)?,
                opt_c_str(t.title)?,
                opt_c_str(t.description)?,
                opt_c_str(t.output_schema)?,
                opt_c_str(t.input_schema)?.unwrap_or(r#"{"type":"object"}"#),
                opt_c_str(t.annotations.title)?,
            )
        };
        let a = &t.annotations;
        let annotations = ToolAnnotations {
            title: a_title,
            read_only: hint(a.read_only)?,
            destructive: hint(a.destructive)?,
            idempotent: hint(a.idempotent)?,
            open_world: hint(a.open_world)?,
        };
        let any_hint =
            a_title.is_some() || [a.read_only, a.destructive, a.idempotent, a.open_world].iter().any(|&h| h != 0);
        let view = Tool {
            title,
            description,
            output_schema,
            annotations: any_hint.then_some(annotations),
            ..Tool::new(name, "", input_schema)
        };
        self.check(StaticRegistry::new(self.info).tools(core::slice::from_ref(&view)))?;
        if (0..self.tools.len).any(|i| self.tools.get(i).is_some_and(|o| o.name == name)) {
            return Err(PICOMCP_STATUS_DUPLICATE);
        }
        self.tools.has_room()?;
        self.arena.has_room(total(&[Some(name), title, description, Some(input_schema), output_schema, a_title]))?;
        let ar = &mut self.arena;
        let kept = Tool {
            name: ar.keep(name),
            title: ar.keep_opt(title),
            description: ar.keep_opt(description),
            input_schema: ar.keep(input_schema),
            output_schema: ar.keep_opt(output_schema),
            annotations: view.annotations.map(|a| ToolAnnotations { title: ar.keep_opt(a.title), ..a }),
            ..NO_TOOL
        };
        self.tools.push(kept, callback)?;
        self.generation += 1;
        Ok(())
    }

    /// Register a fixed resource.
    ///
    /// # Safety
    /// The texts of `r` are NULL or NUL-terminated.
    pub(crate) unsafe fn add_resource(
        &mut self,
        r: &picomcp_resource,
        callback: Callback,
    ) -> Result<(), picomcp_status> {
        // SAFETY: forwarded.
        let t = unsafe { EntryTexts::read(r) }?;
        let view = Resource {
            title: t.title,
            description: t.description,
            mime_type: t.mime_type,
            ..Resource::new(t.uri, t.name, "")
        };
        self.check(StaticRegistry::new(self.info).resources(core::slice::from_ref(&view)))?;
        if (0..self.resources.len).any(|i| self.resources.get(i).is_some_and(|o| o.uri == t.uri)) {
            return Err(PICOMCP_STATUS_DUPLICATE);
        }
        self.resources.has_room()?;
        let k = t.keep(&mut self.arena)?;
        let kept = Resource {
            uri: k.uri,
            name: k.name,
            title: k.title,
            description: k.description,
            mime_type: k.mime_type,
            ..NO_RESOURCE
        };
        self.resources.push(kept, callback)?;
        self.generation += 1;
        Ok(())
    }

    /// Register a resource template.
    ///
    /// # Safety
    /// The texts of `t` are NULL or NUL-terminated.
    pub(crate) unsafe fn add_template(
        &mut self,
        t: &picomcp_template,
        callback: Callback,
    ) -> Result<(), picomcp_status> {
        let same = picomcp_resource {
            uri: t.uri_template,
            name: t.name,
            title: t.title,
            description: t.description,
            mime_type: t.mime_type,
        };
        // SAFETY: forwarded.
        let t = unsafe { EntryTexts::read(&same) }?;
        let view = ResourceTemplate {
            title: t.title,
            description: t.description,
            mime_type: t.mime_type,
            ..ResourceTemplate::new(t.uri, t.name, "")
        };
        self.check(StaticRegistry::new(self.info).templates(core::slice::from_ref(&view)))?;
        if (0..self.templates.len).any(|i| self.templates.get(i).is_some_and(|o| o.uri_template == t.uri)) {
            return Err(PICOMCP_STATUS_DUPLICATE);
        }
        self.templates.has_room()?;
        let k = t.keep(&mut self.arena)?;
        let kept = ResourceTemplate {
            uri_template: k.uri,
            name: k.name,
            title: k.title,
            description: k.description,
            mime_type: k.mime_type,
            ..NO_TEMPLATE
        };
        self.templates.push(kept, callback)?;
        self.generation += 1;
        Ok(())
    }

    /// Register a prompt.
    ///
    /// # Safety
    /// The texts of `p` are NULL or NUL-terminated; `p.arguments` is NULL or points to
    /// `p.argument_count` arguments.
    pub(crate) unsafe fn add_prompt(&mut self, p: &picomcp_prompt, callback: Callback) -> Result<(), picomcp_status> {
        // SAFETY: forwarded.
        let (name, title, description) = unsafe { (c_str(p.name)?, opt_c_str(p.title)?, opt_c_str(p.description)?) };
        let count = p.argument_count;
        let size = count.checked_mul(size_of::<picomcp_prompt_argument>()).ok_or(PICOMCP_STATUS_INVALID_ARGUMENT)?;
        // SAFETY: forwarded (`size` bytes of arguments).
        let raw = unsafe { bytes(p.arguments.cast::<u8>(), size) }?;
        let given: &[picomcp_prompt_argument] = if count == 0 {
            &[]
        } else {
            // SAFETY: `raw` covers `count` arguments at `p.arguments`.
            unsafe { core::slice::from_raw_parts(raw.as_ptr().cast(), count) }
        };
        let mut texts = total(&[Some(name), title, description]);
        for a in given {
            // SAFETY: forwarded.
            let (n, d) = unsafe { (c_str(a.name)?, opt_c_str(a.description)?) };
            if n.is_empty() {
                return Err(PICOMCP_STATUS_INVALID_ARGUMENT);
            }
            texts += total(&[Some(n), d]);
        }
        let view = Prompt { title, description, ..Prompt::new(name, "", &[]) };
        self.check(StaticRegistry::new(self.info).prompts(core::slice::from_ref(&view)))?;
        if (0..self.prompts.len).any(|i| self.prompts.get(i).is_some_and(|o| o.name == name)) {
            return Err(PICOMCP_STATUS_DUPLICATE);
        }
        self.prompts.has_room()?;
        self.arena.has_room(texts)?;
        if count > self.arguments.len() {
            return Err(PICOMCP_STATUS_NO_ROOM);
        }
        let (kept_args, rest) = core::mem::take(&mut self.arguments).split_at_mut(count);
        self.arguments = rest;
        let ar = &mut self.arena;
        for (slot, a) in kept_args.iter_mut().zip(given) {
            // SAFETY: checked above.
            let (n, d) = unsafe { (c_str(a.name)?, opt_c_str(a.description)?) };
            *slot =
                PromptArgument { name: ar.keep(n), description: ar.keep_opt(d), required: a.required, ..NO_ARGUMENT };
        }
        let kept = Prompt {
            name: ar.keep(name),
            title: ar.keep_opt(title),
            description: ar.keep_opt(description),
            arguments: kept_args,
            ..NO_PROMPT
        };
        self.prompts.push(kept, callback)?;
        self.generation += 1;
        Ok(())
    }

    /// Set the server's name and version (`serverInfo`).
    pub(crate) fn set_identity(&mut self, name: &str, version: &str) -> Result<(), picomcp_status> {
        if name.is_empty() {
            return Err(PICOMCP_STATUS_INVALID_ARGUMENT);
        }
        self.arena.has_room(name.len() + version.len())?;
        self.info.implementation = picomcp::Implementation::new(self.arena.keep(name), self.arena.keep(version));
        Ok(())
    }

    /// Set the instructions sent at initialization.
    pub(crate) fn set_instructions(&mut self, text: &str) -> Result<(), picomcp_status> {
        self.arena.has_room(text.len())?;
        self.info.instructions = Some(self.arena.keep(text));
        self.generation += 1;
        Ok(())
    }
}

impl Registry for Catalog {
    fn info(&self) -> ServerInfo<'_> {
        self.info
    }
    fn tool_count(&self) -> usize {
        self.tools.len
    }
    fn tool(&self, index: usize) -> Option<Tool<'_>> {
        self.tools.get(index)
    }
    fn resource_count(&self) -> usize {
        self.resources.len
    }
    fn resource(&self, index: usize) -> Option<Resource<'_>> {
        self.resources.get(index)
    }
    fn template_count(&self) -> usize {
        self.templates.len
    }
    fn template(&self, index: usize) -> Option<ResourceTemplate<'_>> {
        self.templates.get(index)
    }
    fn prompt_count(&self) -> usize {
        self.prompts.len
    }
    fn prompt(&self, index: usize) -> Option<Prompt<'_>> {
        self.prompts.get(index)
    }
    fn generation(&self) -> u64 {
        self.generation
    }
    fn visible(&self, principal: Principal, item: Item) -> bool {
        let Some(visible) = self.visible else { return true };
        let key = match item {
            Item::Tool(i) => self.tools.get(i).map(|t| t.name),
            Item::Resource(i) => self.resources.get(i).map(|r| r.uri),
            Item::Template(i) => self.templates.get(i).map(|t| t.uri_template),
            Item::Prompt(i) => self.prompts.get(i).map(|p| p.name),
        };
        key.is_some_and(|key| visible.ask(principal, item, key))
    }
    fn features(&self) -> Features {
        Features {
            tools: self.tools.len > 0,
            resources: self.resources.len > 0 || self.templates.len > 0,
            prompts: self.prompts.len > 0,
            completions: self.completions.is_some(),
        }
    }
}
