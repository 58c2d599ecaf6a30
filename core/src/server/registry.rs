//! What a server offers: descriptors of tools, resources, templates and prompts, lent to
//! the core by the host through the [`Registry`] trait.
//!
//! Descriptors borrow everything (`&'a str` and slices), so a firmware keeps them in
//! `static`s and a binding builds them on the fly from its own storage. Schemas and other
//! JSON are kept as text and written out as they are (after a validity check).

use crate::json::{self, Str, Value};
use crate::protocol::ClientCapabilities;
#[cfg(feature = "access")]
use crate::server::access::{Item, Principal};
use crate::server::uri_template;

/// A name and version, as `serverInfo` (and `Implementation` in the schema) carries them.
#[derive(Clone, Copy, Debug, Default)]
pub struct Implementation<'a> {
    /// Programmatic name.
    pub name: &'a str,
    /// Version string.
    pub version: &'a str,
    /// Human-readable name.
    pub title: Option<&'a str>,
    /// What it is.
    pub description: Option<&'a str>,
    /// Home page.
    pub website_url: Option<&'a str>,
    /// Icons.
    pub icons: &'a [Icon<'a>],
}

impl<'a> Implementation<'a> {
    /// An implementation with just a name and a version.
    pub const fn new(name: &'a str, version: &'a str) -> Self {
        Self { name, version, title: None, description: None, website_url: None, icons: &[] }
    }
}

/// Who the server is and what it tells the model about itself.
#[derive(Clone, Copy, Debug, Default)]
pub struct ServerInfo<'a> {
    /// `serverInfo`.
    pub implementation: Implementation<'a>,
    /// `instructions` for the model.
    pub instructions: Option<&'a str>,
}

/// A light or dark theme for an [`Icon`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Theme {
    /// For light backgrounds.
    Light,
    /// For dark backgrounds.
    Dark,
}

/// An icon (2025-11-25 and later; older clients ignore it).
#[derive(Clone, Copy, Debug)]
pub struct Icon<'a> {
    /// URL or `data:` URI.
    pub src: &'a str,
    /// MIME type.
    pub mime_type: Option<&'a str>,
    /// Sizes such as `"48x48"` or `"any"`.
    pub sizes: &'a [&'a str],
    /// Theme the icon is for.
    pub theme: Option<Theme>,
}

/// Hints about a tool's behaviour (`annotations` in `tools/list`).
#[derive(Clone, Copy, Debug, Default)]
pub struct ToolAnnotations<'a> {
    /// Human-readable title.
    pub title: Option<&'a str>,
    /// The tool does not change its environment.
    pub read_only: Option<bool>,
    /// The tool may destroy things.
    pub destructive: Option<bool>,
    /// Calling again with the same arguments has no further effect.
    pub idempotent: Option<bool>,
    /// The tool talks to an open world of external entities.
    pub open_world: Option<bool>,
}

/// Whether a tool's calls may become tasks (the tasks extension, 2026-07-28). Task
/// support is not listed in `tools/list`: a client that declares the extension takes a
/// task (`resultType: "task"`) from any call.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TaskSupport {
    /// Never a task (the default).
    #[default]
    Forbidden,
    /// A task when the request declared the extension, else an ordinary call: the handler
    /// decides ([`Responder::create_task`](crate::Responder::create_task)).
    Optional,
    /// Only as a task: a 2026-07-28 request that did not declare the extension is refused
    /// with `-32021` before the host sees the call. (Legacy calls, where the extension does
    /// not exist, reach the handler, which cannot create a task.)
    Required,
}

/// A tool.
#[derive(Clone, Copy, Debug)]
pub struct Tool<'a> {
    /// Unique name.
    pub name: &'a str,
    /// Human-readable name.
    pub title: Option<&'a str>,
    /// What the tool does.
    pub description: Option<&'a str>,
    /// JSON Schema of the arguments, as JSON text: an object schema. Arguments are checked
    /// against it before the host sees a call.
    pub input_schema: &'a str,
    /// JSON Schema of `structuredContent`, as JSON text.
    pub output_schema: Option<&'a str>,
    /// Behaviour hints.
    pub annotations: Option<ToolAnnotations<'a>>,
    /// Icons.
    pub icons: &'a [Icon<'a>],
    /// Client capabilities a call needs (2026-07-28 requests without them are refused
    /// with `-32021` before the host sees the call).
    pub requires: ClientCapabilities,
    /// Whether calls may become tasks. Only a server with a task table acts on it (see
    /// [`WithTasks`](crate::WithTasks)); it also makes `server/discover` advertise the
    /// extension.
    pub tasks: TaskSupport,
}

impl<'a> Tool<'a> {
    /// A tool with a name, a description and an input schema; the rest can be set with
    /// the `const` builder methods.
    pub const fn new(name: &'a str, description: &'a str, input_schema: &'a str) -> Self {
        Self {
            name,
            title: None,
            description: Some(description),
            input_schema,
            output_schema: None,
            annotations: None,
            icons: &[],
            requires: ClientCapabilities::NONE,
            tasks: TaskSupport::Forbidden,
        }
    }

    /// Let calls become tasks (see [`Tool::tasks`]).
    pub const fn tasks(mut self, support: TaskSupport) -> Self {
        self.tasks = support;
        self
    }

    /// Require client capabilities (see [`Tool::requires`]).
    pub const fn requires(mut self, capabilities: ClientCapabilities) -> Self {
        self.requires = capabilities;
        self
    }

    /// Set the title.
    pub const fn title(mut self, title: &'a str) -> Self {
        self.title = Some(title);
        self
    }

    /// Set the output schema.
    pub const fn output_schema(mut self, schema: &'a str) -> Self {
        self.output_schema = Some(schema);
        self
    }

    /// Set the annotations.
    pub const fn annotations(mut self, annotations: ToolAnnotations<'a>) -> Self {
        self.annotations = Some(annotations);
        self
    }

    /// Set the icons.
    pub const fn icons(mut self, icons: &'a [Icon<'a>]) -> Self {
        self.icons = icons;
        self
    }
}

/// A resource with a fixed URI.
#[derive(Clone, Copy, Debug)]
pub struct Resource<'a> {
    /// Its URI.
    pub uri: &'a str,
    /// Programmatic name.
    pub name: &'a str,
    /// Human-readable name.
    pub title: Option<&'a str>,
    /// What it holds.
    pub description: Option<&'a str>,
    /// MIME type.
    pub mime_type: Option<&'a str>,
    /// Size in bytes, if known.
    pub size: Option<u64>,
    /// Icons.
    pub icons: &'a [Icon<'a>],
}

impl<'a> Resource<'a> {
    /// A resource with a URI, a name and a MIME type.
    pub const fn new(uri: &'a str, name: &'a str, mime_type: &'a str) -> Self {
        Self { uri, name, title: None, description: None, mime_type: Some(mime_type), size: None, icons: &[] }
    }

    /// Set the description.
    pub const fn description(mut self, description: &'a str) -> Self {
        self.description = Some(description);
        self
    }

    /// Set the title.
    pub const fn title(mut self, title: &'a str) -> Self {
        self.title = Some(title);
        self
    }
}

/// A family of resources whose URIs fit an RFC 6570 template (`{var}` and `{+var}`).
#[derive(Clone, Copy, Debug)]
pub struct ResourceTemplate<'a> {
    /// The URI template, such as `demo://items/{id}`.
    pub uri_template: &'a str,
    /// Programmatic name.
    pub name: &'a str,
    /// Human-readable name.
    pub title: Option<&'a str>,
    /// What the resources hold.
    pub description: Option<&'a str>,
    /// MIME type of every matching resource.
    pub mime_type: Option<&'a str>,
    /// Icons.
    pub icons: &'a [Icon<'a>],
}

impl<'a> ResourceTemplate<'a> {
    /// A template with a URI template, a name and a MIME type.
    pub const fn new(uri_template: &'a str, name: &'a str, mime_type: &'a str) -> Self {
        Self { uri_template, name, title: None, description: None, mime_type: Some(mime_type), icons: &[] }
    }

    /// Set the description.
    pub const fn description(mut self, description: &'a str) -> Self {
        self.description = Some(description);
        self
    }
}

/// One argument of a prompt (prompt arguments are strings).
#[derive(Clone, Copy, Debug)]
pub struct PromptArgument<'a> {
    /// Name.
    pub name: &'a str,
    /// Human-readable name.
    pub title: Option<&'a str>,
    /// What it means.
    pub description: Option<&'a str>,
    /// Whether `prompts/get` must supply it.
    pub required: bool,
}

impl<'a> PromptArgument<'a> {
    /// A required argument.
    pub const fn required(name: &'a str, description: &'a str) -> Self {
        Self { name, title: None, description: Some(description), required: true }
    }

    /// An optional argument.
    pub const fn optional(name: &'a str, description: &'a str) -> Self {
        Self { name, title: None, description: Some(description), required: false }
    }
}

/// A prompt template.
#[derive(Clone, Copy, Debug)]
pub struct Prompt<'a> {
    /// Unique name.
    pub name: &'a str,
    /// Human-readable name.
    pub title: Option<&'a str>,
    /// What it is for.
    pub description: Option<&'a str>,
    /// Its arguments.
    pub arguments: &'a [PromptArgument<'a>],
    /// Icons.
    pub icons: &'a [Icon<'a>],
}

impl<'a> Prompt<'a> {
    /// A prompt with a name, a description and arguments.
    pub const fn new(name: &'a str, description: &'a str, arguments: &'a [PromptArgument<'a>]) -> Self {
        Self { name, title: None, description: Some(description), arguments, icons: &[] }
    }

    /// Set the title.
    pub const fn title(mut self, title: &'a str) -> Self {
        self.title = Some(title);
        self
    }
}

/// The descriptors a server offers, looked up by index.
///
/// Index-based access lets a host keep descriptors in any storage (a `static` array, a
/// `Vec` of owned strings) and change them between calls. The core only borrows them for
/// the duration of one call.
pub trait Registry {
    /// Server identity and instructions.
    fn info(&self) -> ServerInfo<'_>;

    /// Number of tools.
    fn tool_count(&self) -> usize;
    /// Tool `index`, if it exists.
    fn tool(&self, index: usize) -> Option<Tool<'_>>;
    /// Index of the tool named `name` (a linear search unless overridden).
    fn find_tool(&self, name: Str<'_>) -> Option<usize> {
        (0..self.tool_count()).find(|&i| self.tool(i).is_some_and(|t| name.eq_str(t.name)))
    }

    /// Number of fixed resources.
    fn resource_count(&self) -> usize {
        0
    }
    /// Resource `index`, if it exists.
    fn resource(&self, _index: usize) -> Option<Resource<'_>> {
        None
    }
    /// Index of the resource with URI `uri` (a linear search unless overridden).
    fn find_resource(&self, uri: Str<'_>) -> Option<usize> {
        (0..self.resource_count()).find(|&i| self.resource(i).is_some_and(|r| uri.eq_str(r.uri)))
    }

    /// Number of resource templates.
    fn template_count(&self) -> usize {
        0
    }
    /// Resource template `index`, if it exists.
    fn template(&self, _index: usize) -> Option<ResourceTemplate<'_>> {
        None
    }

    /// Number of prompts.
    fn prompt_count(&self) -> usize {
        0
    }
    /// Prompt `index`, if it exists.
    fn prompt(&self, _index: usize) -> Option<Prompt<'_>> {
        None
    }
    /// Index of the prompt named `name` (a linear search unless overridden).
    fn find_prompt(&self, name: Str<'_>) -> Option<usize> {
        (0..self.prompt_count()).find(|&i| self.prompt(i).is_some_and(|p| name.eq_str(p.name)))
    }

    /// A number that changes whenever the descriptors change (a static registry never
    /// changes it). The server checks the descriptors once per generation
    /// ([`check_registry`]) and then writes their schema text without parsing it again;
    /// until a generation passes the check, listings validate each schema as they go.
    fn generation(&self) -> u64 {
        0
    }

    /// Whether `principal` may see `item` (feature `access`). A hidden descriptor is left
    /// out of its list and unknown to calls, reads, prompts and completions, exactly as
    /// if it had never been registered. By default everyone sees everything.
    #[cfg(feature = "access")]
    fn visible(&self, principal: Principal, item: Item) -> bool {
        let _ = (principal, item);
        true
    }

    /// Which features the server offers. A feature not offered is not advertised and its
    /// methods answer "method not found". By default: the kinds that have descriptors.
    fn features(&self) -> Features {
        Features {
            tools: self.tool_count() > 0,
            resources: self.resource_count() > 0 || self.template_count() > 0,
            prompts: self.prompt_count() > 0,
            completions: false,
        }
    }
}

/// The features a server offers (see [`Registry::features`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Features {
    /// `tools/list`, `tools/call`.
    pub tools: bool,
    /// `resources/*`.
    pub resources: bool,
    /// `prompts/*`.
    pub prompts: bool,
    /// `completion/complete`.
    pub completions: bool,
}

/// A [`Registry`] over borrowed slices: the simplest way to describe a server, and one a
/// firmware can keep in a `static`.
///
/// ```
/// use picomcp::{Implementation, ServerInfo, StaticRegistry, Tool};
/// static TOOLS: [Tool<'static>; 1] = [Tool::new(
///     "echo",
///     "Echo the text back",
///     r#"{"type":"object","properties":{"text":{"type":"string"}},"required":["text"]}"#,
/// )];
/// static REGISTRY: StaticRegistry<'static> = StaticRegistry::new(ServerInfo {
///     implementation: Implementation::new("echo-server", "1.0.0"),
///     instructions: None,
/// })
/// .tools(&TOOLS);
/// assert!(picomcp::check_registry(&REGISTRY).is_ok());
/// ```
#[derive(Clone, Copy, Debug)]
pub struct StaticRegistry<'a> {
    /// Identity and instructions.
    pub info: ServerInfo<'a>,
    /// Tools, in listing order.
    pub tools: &'a [Tool<'a>],
    /// Fixed resources.
    pub resources: &'a [Resource<'a>],
    /// Resource templates.
    pub templates: &'a [ResourceTemplate<'a>],
    /// Prompts.
    pub prompts: &'a [Prompt<'a>],
    /// Whether the host answers `completion/complete`.
    pub completions: bool,
}

impl<'a> StaticRegistry<'a> {
    /// A registry with nothing but an identity.
    pub const fn new(info: ServerInfo<'a>) -> Self {
        Self { info, tools: &[], resources: &[], templates: &[], prompts: &[], completions: false }
    }

    /// Set the tools.
    pub const fn tools(mut self, tools: &'a [Tool<'a>]) -> Self {
        self.tools = tools;
        self
    }

    /// Set the resources.
    pub const fn resources(mut self, resources: &'a [Resource<'a>]) -> Self {
        self.resources = resources;
        self
    }

    /// Set the resource templates.
    pub const fn templates(mut self, templates: &'a [ResourceTemplate<'a>]) -> Self {
        self.templates = templates;
        self
    }

    /// Set the prompts.
    pub const fn prompts(mut self, prompts: &'a [Prompt<'a>]) -> Self {
        self.prompts = prompts;
        self
    }

    /// Offer `completion/complete`.
    pub const fn completions(mut self) -> Self {
        self.completions = true;
        self
    }
}

impl Registry for StaticRegistry<'_> {
    fn info(&self) -> ServerInfo<'_> {
        self.info
    }
    fn tool_count(&self) -> usize {
        self.tools.len()
    }
    fn tool(&self, index: usize) -> Option<Tool<'_>> {
        self.tools.get(index).copied()
    }
    fn resource_count(&self) -> usize {
        self.resources.len()
    }
    fn resource(&self, index: usize) -> Option<Resource<'_>> {
        self.resources.get(index).copied()
    }
    fn template_count(&self) -> usize {
        self.templates.len()
    }
    fn template(&self, index: usize) -> Option<ResourceTemplate<'_>> {
        self.templates.get(index).copied()
    }
    fn prompt_count(&self) -> usize {
        self.prompts.len()
    }
    fn prompt(&self, index: usize) -> Option<Prompt<'_>> {
        self.prompts.get(index).copied()
    }
    fn features(&self) -> Features {
        Features {
            tools: !self.tools.is_empty(),
            resources: !self.resources.is_empty() || !self.templates.is_empty(),
            prompts: !self.prompts.is_empty(),
            completions: self.completions,
        }
    }
}

/// What is wrong with a registry, found by [`check_registry`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RegistryError {
    /// Which descriptor kind (`"tool"`, `"resource"`, `"template"`, `"prompt"`).
    pub kind: &'static str,
    /// Its index.
    pub index: usize,
    /// What is wrong.
    pub problem: &'static str,
}

impl core::fmt::Display for RegistryError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{} #{}: {}", self.kind, self.index, self.problem)
    }
}

fn is_schema(text: &str) -> bool {
    let Ok(value) = json::parse(text.as_bytes(), json::RAW_MAX_DEPTH) else { return false };
    value.as_object().is_some_and(|o| o.get("type").and_then(Value::as_str).is_some_and(|t| t.eq_str("object")))
}

fn is_object(text: &str) -> bool {
    json::parse(text.as_bytes(), json::RAW_MAX_DEPTH).is_ok_and(|v| v.as_object().is_some())
}

/// Check a registry once, before serving: unique non-empty names, schemas that are JSON
/// objects (`inputSchema` with `"type": "object"`), well-formed URI templates.
///
/// The server stays safe without this check (an invalid schema is replaced by
/// `{"type":"object"}` in listings), but a host should run it and refuse to start.
pub fn check_registry(reg: &dyn Registry) -> Result<(), RegistryError> {
    let fail = |kind, index, problem| Err(RegistryError { kind, index, problem });
    for i in 0..reg.tool_count() {
        let Some(t) = reg.tool(i) else { continue };
        if t.name.is_empty() {
            return fail("tool", i, "empty name");
        }
        if !is_schema(t.input_schema) {
            return fail("tool", i, "inputSchema is not a JSON object with \"type\": \"object\"");
        }
        if t.output_schema.is_some_and(|s| !is_object(s)) {
            return fail("tool", i, "outputSchema is not a JSON object");
        }
        if (0..i).any(|j| reg.tool(j).is_some_and(|o| o.name == t.name)) {
            return fail("tool", i, "duplicate name");
        }
    }
    for i in 0..reg.resource_count() {
        let Some(r) = reg.resource(i) else { continue };
        if r.uri.is_empty() || r.name.is_empty() {
            return fail("resource", i, "empty uri or name");
        }
        if (0..i).any(|j| reg.resource(j).is_some_and(|o| o.uri == r.uri)) {
            return fail("resource", i, "duplicate uri");
        }
    }
    for i in 0..reg.template_count() {
        let Some(t) = reg.template(i) else { continue };
        if t.name.is_empty() || !uri_template::is_valid(t.uri_template) {
            return fail("template", i, "empty name or malformed URI template");
        }
    }
    for i in 0..reg.prompt_count() {
        let Some(p) = reg.prompt(i) else { continue };
        if p.name.is_empty() {
            return fail("prompt", i, "empty name");
        }
        if (0..i).any(|j| reg.prompt(j).is_some_and(|o| o.name == p.name)) {
            return fail("prompt", i, "duplicate name");
        }
    }
    Ok(())
}
