//! What a server offers: owned copies of its descriptors, lent to the core as a
//! [`Registry`] through a short-lived [`View`].
//!
//! Each descriptor is checked the way the core checks a registry ([`check_registry`] on a
//! one-element [`StaticRegistry`]) before it is kept, so problems surface at registration
//! as the core's own problem text.

use picomcp::{
    Features, Implementation, Item, Principal, Prompt, PromptArgument, Registry, RegistryError, Resource,
    ResourceTemplate, ServerInfo, StaticRegistry, Tool, ToolAnnotations, check_registry,
};

/// A tool, owned.
#[derive(Debug, Clone, Default)]
pub struct ToolDesc {
    /// Its name.
    pub name: String,
    /// Its display title.
    pub title: Option<String>,
    /// What it is for.
    pub description: Option<String>,
    /// Its input JSON Schema (an object schema), as JSON text.
    pub input_schema: String,
    /// Its output JSON Schema, as JSON text.
    pub output_schema: Option<String>,
    /// Behaviour hints.
    pub annotations: Option<Hints>,
    /// The scopes a caller must hold to see it (none: everyone sees it).
    pub scopes: Vec<String>,
}

/// A tool's behaviour hints, owned.
#[derive(Debug, Clone, Default)]
pub struct Hints {
    /// Its display title.
    pub title: Option<String>,
    /// `readOnlyHint`.
    pub read_only: Option<bool>,
    /// `destructiveHint`.
    pub destructive: Option<bool>,
    /// `idempotentHint`.
    pub idempotent: Option<bool>,
    /// `openWorldHint`.
    pub open_world: Option<bool>,
}

/// A fixed resource (`uri`) or a resource template (`uri` holds the template), owned.
#[derive(Debug, Clone, Default)]
pub struct ResourceDesc {
    /// Its URI (a template's: the URI template).
    pub uri: String,
    /// Its name.
    pub name: String,
    /// Its display title.
    pub title: Option<String>,
    /// What it is for.
    pub description: Option<String>,
    /// Its MIME type.
    pub mime_type: Option<String>,
    /// The scopes a caller must hold to see it (none: everyone sees it).
    pub scopes: Vec<String>,
}

/// One prompt argument, owned.
#[derive(Debug, Clone, Default)]
pub struct ArgumentDesc {
    /// Its name.
    pub name: String,
    /// What it is for.
    pub description: Option<String>,
    /// Whether it must be given.
    pub required: bool,
}

/// A prompt, owned.
#[derive(Debug, Clone, Default)]
pub struct PromptDesc {
    /// Its name.
    pub name: String,
    /// Its display title.
    pub title: Option<String>,
    /// What it is for.
    pub description: Option<String>,
    /// Its arguments, in order.
    pub arguments: Vec<ArgumentDesc>,
    /// The scopes a caller must hold to see it (none: everyone sees it).
    pub scopes: Vec<String>,
}

/// The kinds of things a server lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Tools (`tools/list`).
    Tool,
    /// Fixed resources (`resources/list`).
    Resource,
    /// Resource templates (`resources/templates/list`).
    Template,
    /// Prompts (`prompts/list`).
    Prompt,
}

/// One registered descriptor: kept under a stable id until removed, listed while enabled.
#[derive(Debug, Clone)]
struct Entry<T> {
    item: T,
    enabled: bool,
}

/// Descriptors of one kind under stable ids (their registration order); a removed one
/// leaves a hole, so the ids of the others never change.
#[derive(Debug, Clone)]
pub struct Shelf<T> {
    entries: Vec<Option<Entry<T>>>,
    /// The ids of the enabled descriptors, in order: what clients see (kept up to date).
    listed: Vec<usize>,
}

impl<T> Default for Shelf<T> {
    fn default() -> Self {
        Self { entries: Vec::new(), listed: Vec::new() }
    }
}

impl<T> Shelf<T> {
    /// The descriptor under `id`, enabled or not (`None` once removed).
    pub fn get(&self, id: usize) -> Option<&T> {
        self.entries.get(id)?.as_ref().map(|e| &e.item)
    }

    /// Every registered descriptor (enabled or not) with its id.
    pub fn iter(&self) -> impl Iterator<Item = (usize, &T)> {
        self.entries.iter().enumerate().filter_map(|(i, e)| e.as_ref().map(|e| (i, &e.item)))
    }

    /// Recount the enabled ids after a change.
    fn relist(&mut self) {
        let enabled = |(i, e): (usize, &Option<Entry<T>>)| e.as_ref().filter(|e| e.enabled).map(|_| i);
        self.listed = self.entries.iter().enumerate().filter_map(enabled).collect();
    }

    fn push(&mut self, item: T) -> usize {
        self.entries.push(Some(Entry { item, enabled: true }));
        self.listed.push(self.entries.len() - 1);
        self.entries.len() - 1
    }

    /// Whether nothing was ever registered (removed entries count: capabilities said so).
    fn never_used(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Everything a server offers, under stable ids (the ids events carry).
#[derive(Debug, Default)]
pub struct Catalog {
    name: String,
    version: String,
    instructions: Option<String>,
    /// The tools.
    pub tools: Shelf<ToolDesc>,
    /// The fixed resources.
    pub resources: Shelf<ResourceDesc>,
    /// The resource templates.
    pub templates: Shelf<ResourceDesc>,
    /// The prompts.
    pub prompts: Shelf<PromptDesc>,
    completions: bool,
    /// Bumped on every change (see [`Registry::generation`]).
    generation: u64,
    /// The callers seen so far (what [`Registry::visible`] asks about).
    pub principals: Principals,
}

use crate::Fault;
use crate::access::Principals;

fn refused(e: RegistryError) -> Fault {
    Fault::Invalid(format!("{}: {}", e.kind, e.problem))
}

fn opt(s: &Option<String>) -> Option<&str> {
    s.as_deref()
}

impl ToolDesc {
    fn view(&self) -> Tool<'_> {
        Tool {
            title: opt(&self.title),
            description: opt(&self.description),
            output_schema: opt(&self.output_schema),
            annotations: self.annotations.as_ref().map(|a| ToolAnnotations {
                title: opt(&a.title),
                read_only: a.read_only,
                destructive: a.destructive,
                idempotent: a.idempotent,
                open_world: a.open_world,
            }),
            ..Tool::new(&self.name, "", &self.input_schema)
        }
    }
}

impl ResourceDesc {
    fn resource(&self) -> Resource<'_> {
        Resource {
            title: opt(&self.title),
            description: opt(&self.description),
            mime_type: opt(&self.mime_type),
            ..Resource::new(&self.uri, &self.name, "")
        }
    }

    fn template(&self) -> ResourceTemplate<'_> {
        ResourceTemplate {
            title: opt(&self.title),
            description: opt(&self.description),
            mime_type: opt(&self.mime_type),
            ..ResourceTemplate::new(&self.uri, &self.name, "")
        }
    }
}

impl ArgumentDesc {
    fn view(&self) -> PromptArgument<'_> {
        PromptArgument { name: &self.name, title: None, description: opt(&self.description), required: self.required }
    }
}

impl Catalog {
    /// A catalog with an identity and nothing else.
    pub fn new(name: String, version: String, instructions: Option<String>) -> Self {
        Self { name, version, instructions, ..Self::default() }
    }

    fn info(&self) -> ServerInfo<'_> {
        ServerInfo {
            implementation: Implementation::new(&self.name, &self.version),
            instructions: opt(&self.instructions),
        }
    }

    fn keep<T>(shelf: &mut Shelf<T>, item: T, generation: &mut u64) -> usize {
        *generation += 1;
        shelf.push(item)
    }

    /// Register a tool; its id.
    pub fn add_tool(&mut self, tool: ToolDesc) -> Result<usize, Fault> {
        let view = tool.view();
        check_registry(&StaticRegistry::new(self.info()).tools(core::slice::from_ref(&view))).map_err(refused)?;
        if self.tools.iter().any(|(_, t)| t.name == tool.name) {
            return Err(Fault::Duplicate(format!("tool: duplicate name {:?}", tool.name)));
        }
        Ok(Self::keep(&mut self.tools, tool, &mut self.generation))
    }

    /// Register a fixed resource; its id.
    pub fn add_resource(&mut self, resource: ResourceDesc) -> Result<usize, Fault> {
        let view = resource.resource();
        check_registry(&StaticRegistry::new(self.info()).resources(core::slice::from_ref(&view))).map_err(refused)?;
        if self.resources.iter().any(|(_, r)| r.uri == resource.uri) {
            return Err(Fault::Duplicate(format!("resource: duplicate uri {:?}", resource.uri)));
        }
        Ok(Self::keep(&mut self.resources, resource, &mut self.generation))
    }

    /// Register a resource template; its id.
    pub fn add_template(&mut self, template: ResourceDesc) -> Result<usize, Fault> {
        let view = template.template();
        check_registry(&StaticRegistry::new(self.info()).templates(core::slice::from_ref(&view))).map_err(refused)?;
        if self.templates.iter().any(|(_, t)| t.uri == template.uri) {
            return Err(Fault::Duplicate(format!("template: duplicate URI template {:?}", template.uri)));
        }
        Ok(Self::keep(&mut self.templates, template, &mut self.generation))
    }

    /// Register a prompt; its id.
    pub fn add_prompt(&mut self, prompt: PromptDesc) -> Result<usize, Fault> {
        if prompt.arguments.iter().any(|a| a.name.is_empty()) {
            return Err(Fault::Invalid("prompt: an argument has an empty name".into()));
        }
        let arguments: Vec<PromptArgument<'_>> = prompt.arguments.iter().map(ArgumentDesc::view).collect();
        if (1..arguments.len()).any(|i| arguments[..i].iter().any(|a| a.name == arguments[i].name)) {
            return Err(Fault::Invalid("prompt: duplicate argument name".into()));
        }
        let view = Prompt {
            title: opt(&prompt.title),
            description: opt(&prompt.description),
            ..Prompt::new(&prompt.name, "", &arguments)
        };
        check_registry(&StaticRegistry::new(self.info()).prompts(core::slice::from_ref(&view))).map_err(refused)?;
        if self.prompts.iter().any(|(_, p)| p.name == prompt.name) {
            return Err(Fault::Duplicate(format!("prompt: duplicate name {:?}", prompt.name)));
        }
        drop(arguments);
        Ok(Self::keep(&mut self.prompts, prompt, &mut self.generation))
    }

    /// Offer `completion/complete`.
    pub fn enable_completions(&mut self) {
        self.completions = true;
        self.generation += 1;
    }

    /// List (`true`) or hide the descriptor `id` of `kind`. `Ok(true)` when that changed
    /// what clients see; an unknown or removed id is refused.
    pub fn set_enabled(&mut self, kind: Kind, id: usize, enabled: bool) -> Result<bool, Fault> {
        let flag = match kind {
            Kind::Tool => self.tools.flag(id),
            Kind::Resource => self.resources.flag(id),
            Kind::Template => self.templates.flag(id),
            Kind::Prompt => self.prompts.flag(id),
        }
        .ok_or_else(|| Fault::State(format!("{}: no such id {id} (removed?)", kind.name())))?;
        let changed = *flag != enabled;
        *flag = enabled;
        if changed {
            self.generation += 1;
            self.relist(kind);
        }
        Ok(changed)
    }

    /// Remove the descriptor `id` of `kind` for good; its name may be registered again.
    /// `Ok(true)` when clients saw it (it was enabled).
    pub fn remove(&mut self, kind: Kind, id: usize) -> Result<bool, Fault> {
        let was = match kind {
            Kind::Tool => self.tools.take(id),
            Kind::Resource => self.resources.take(id),
            Kind::Template => self.templates.take(id),
            Kind::Prompt => self.prompts.take(id),
        }
        .ok_or_else(|| Fault::State(format!("{}: no such id {id} (removed already?)", kind.name())))?;
        self.generation += 1;
        self.relist(kind);
        Ok(was)
    }

    fn relist(&mut self, kind: Kind) {
        match kind {
            Kind::Tool => self.tools.relist(),
            Kind::Resource => self.resources.relist(),
            Kind::Template => self.templates.relist(),
            Kind::Prompt => self.prompts.relist(),
        }
    }

    /// The names of template `id`'s variables, in order.
    pub fn template_variables(&self, id: usize) -> Vec<&str> {
        self.templates.get(id).map(|t| picomcp::uri_template::variable_names(&t.uri).collect()).unwrap_or_default()
    }

    /// A [`Registry`] over the enabled descriptors for the length of one call into the core.
    pub fn view(&self) -> View<'_> {
        let arguments = (self.prompts.listed.iter())
            .filter_map(|&id| self.prompts.get(id))
            .map(|p| p.arguments.iter().map(ArgumentDesc::view).collect())
            .collect();
        View { catalog: self, arguments }
    }
}

impl Kind {
    /// How errors name the kind.
    pub fn name(self) -> &'static str {
        match self {
            Self::Tool => "tool",
            Self::Resource => "resource",
            Self::Template => "template",
            Self::Prompt => "prompt",
        }
    }
}

impl<T> Shelf<T> {
    fn flag(&mut self, id: usize) -> Option<&mut bool> {
        self.entries.get_mut(id)?.as_mut().map(|e| &mut e.enabled)
    }

    fn take(&mut self, id: usize) -> Option<bool> {
        self.entries.get_mut(id)?.take().map(|e| e.enabled)
    }
}

/// The catalog seen as a [`Registry`]: the enabled descriptors, listed in id order. The
/// core's indices are positions in these lists; [`View::id`] maps them back to ids.
/// Prompt descriptors lend their arguments as a slice, so the view keeps the borrowed
/// argument descriptors for its lifetime.
pub struct View<'c> {
    catalog: &'c Catalog,
    arguments: Vec<Vec<PromptArgument<'c>>>,
}

impl View<'_> {
    /// The catalog id of the core's `index` of `kind`.
    pub fn id(&self, kind: Kind, index: usize) -> usize {
        let c = self.catalog;
        let ids = match kind {
            Kind::Tool => &c.tools.listed,
            Kind::Resource => &c.resources.listed,
            Kind::Template => &c.templates.listed,
            Kind::Prompt => &c.prompts.listed,
        };
        ids.get(index).copied().unwrap_or(usize::MAX)
    }
}

impl Registry for View<'_> {
    fn info(&self) -> ServerInfo<'_> {
        self.catalog.info()
    }
    fn tool_count(&self) -> usize {
        self.catalog.tools.listed.len()
    }
    fn tool(&self, index: usize) -> Option<Tool<'_>> {
        self.catalog.tools.get(*self.catalog.tools.listed.get(index)?).map(ToolDesc::view)
    }
    fn resource_count(&self) -> usize {
        self.catalog.resources.listed.len()
    }
    fn resource(&self, index: usize) -> Option<Resource<'_>> {
        self.catalog.resources.get(*self.catalog.resources.listed.get(index)?).map(ResourceDesc::resource)
    }
    fn template_count(&self) -> usize {
        self.catalog.templates.listed.len()
    }
    fn template(&self, index: usize) -> Option<ResourceTemplate<'_>> {
        self.catalog.templates.get(*self.catalog.templates.listed.get(index)?).map(ResourceDesc::template)
    }
    fn prompt_count(&self) -> usize {
        self.catalog.prompts.listed.len()
    }
    fn prompt(&self, index: usize) -> Option<Prompt<'_>> {
        let p = self.catalog.prompts.get(*self.catalog.prompts.listed.get(index)?)?;
        let arguments = self.arguments.get(index).map(Vec::as_slice).unwrap_or_default();
        Some(Prompt { title: opt(&p.title), description: opt(&p.description), ..Prompt::new(&p.name, "", arguments) })
    }
    fn generation(&self) -> u64 {
        self.catalog.generation
    }
    fn visible(&self, principal: Principal, item: Item) -> bool {
        let c = self.catalog;
        let scopes = match item {
            Item::Tool(i) => c.tools.listed.get(i).and_then(|&id| c.tools.get(id)).map(|t| &t.scopes),
            Item::Resource(i) => c.resources.listed.get(i).and_then(|&id| c.resources.get(id)).map(|r| &r.scopes),
            Item::Template(i) => c.templates.listed.get(i).and_then(|&id| c.templates.get(id)).map(|r| &r.scopes),
            Item::Prompt(i) => c.prompts.listed.get(i).and_then(|&id| c.prompts.get(id)).map(|p| &p.scopes),
        };
        scopes.is_some_and(|s| c.principals.holds(principal, s))
    }
    fn features(&self) -> Features {
        // What was ever registered, enabled or not, removed or not: capabilities do not
        // come and go (an empty list is still a list).
        let c = self.catalog;
        Features {
            tools: !c.tools.never_used(),
            resources: !c.resources.never_used() || !c.templates.never_used(),
            prompts: !c.prompts.never_used(),
            completions: c.completions,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> Catalog {
        Catalog::new("t".into(), "1".into(), None)
    }

    #[test]
    fn tools_are_checked_and_indexed() {
        let mut c = catalog();
        let tool = |name: &str, schema: &str| ToolDesc {
            name: name.into(),
            input_schema: schema.into(),
            ..ToolDesc::default()
        };
        assert_eq!(c.add_tool(tool("a", r#"{"type":"object"}"#)), Ok(0));
        assert_eq!(c.add_tool(tool("b", r#"{"type":"object"}"#)), Ok(1));
        assert!(c.add_tool(tool("a", r#"{"type":"object"}"#)).unwrap_err().message().contains("duplicate"));
        assert!(c.add_tool(tool("c", r#"{"type":"string"}"#)).unwrap_err().message().contains("inputSchema"));
        assert!(c.add_tool(tool("", r#"{"type":"object"}"#)).unwrap_err().message().contains("empty name"));
        assert_eq!(c.generation, 2);
        assert!(check_registry(&c.view()).is_ok());
    }

    #[test]
    fn hidden_and_removed_descriptors_keep_the_other_ids() {
        let mut c = catalog();
        let tool = |name: &str| ToolDesc {
            name: name.into(),
            input_schema: r#"{"type":"object"}"#.into(),
            ..ToolDesc::default()
        };
        for name in ["a", "b", "c"] {
            c.add_tool(tool(name)).unwrap();
        }
        assert_eq!(c.set_enabled(Kind::Tool, 1, false), Ok(true));
        assert_eq!(c.set_enabled(Kind::Tool, 1, false), Ok(false));
        let view = c.view();
        assert_eq!((view.tool_count(), view.tool(1).map(|t| t.name)), (2, Some("c")));
        assert_eq!(view.id(Kind::Tool, 1), 2);
        assert!(view.features().tools);
        drop(view);
        assert!(c.add_tool(tool("b")).unwrap_err().message().contains("duplicate"), "a hidden tool keeps its name");
        assert_eq!(c.remove(Kind::Tool, 0), Ok(true));
        assert!(c.remove(Kind::Tool, 0).is_err());
        assert!(c.set_enabled(Kind::Tool, 0, true).is_err());
        assert_eq!(c.add_tool(tool("a")), Ok(3), "a removed tool's name is free again");
        for id in [1, 2, 3] {
            c.remove(Kind::Tool, id).unwrap();
        }
        assert!(c.view().features().tools, "tools stay offered once offered");
        assert_eq!(c.view().tool_count(), 0);
        for id in 1..=3 {
            assert!(c.set_enabled(Kind::Tool, id, true).is_err());
        }
        c.add_tool(tool("a")).unwrap();
        let names: Vec<_> =
            (0..c.view().tool_count()).filter_map(|i| c.view().tool(i).map(|t| t.name.to_owned())).collect();
        assert_eq!(names, ["a"]);
    }

    #[test]
    fn templates_and_prompts() {
        let mut c = catalog();
        let t = ResourceDesc { uri: "demo://items/{id}".into(), name: "item".into(), ..ResourceDesc::default() };
        assert_eq!(c.add_template(t), Ok(0));
        let bad = ResourceDesc { uri: "demo://{".into(), name: "bad".into(), ..ResourceDesc::default() };
        assert!(c.add_template(bad).is_err());
        assert_eq!(c.template_variables(0), ["id"]);
        let arg = ArgumentDesc { name: "x".into(), description: None, required: true };
        let p = PromptDesc { name: "p".into(), arguments: vec![arg.clone(), arg], ..PromptDesc::default() };
        assert!(c.add_prompt(p).is_err());
        let p = PromptDesc { name: "p".into(), arguments: vec![ArgumentDesc::default()], ..PromptDesc::default() };
        assert!(c.add_prompt(p).is_err());
        let arg = ArgumentDesc { name: "x".into(), description: None, required: true };
        let p = PromptDesc { name: "p".into(), arguments: vec![arg], ..PromptDesc::default() };
        assert_eq!(c.add_prompt(p), Ok(0));
        let view = c.view();
        assert_eq!(view.prompt(0).map(|p| p.arguments.len()), Some(1));
        assert!(check_registry(&view).is_ok());
    }
}
