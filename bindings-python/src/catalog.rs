//! What a Python server offers: owned copies of its descriptors, lent to the core as a
//! [`Registry`] through a short-lived [`View`].
//!
//! Each descriptor is checked the way the core checks a registry ([`check_registry`] on a
//! one-element [`StaticRegistry`]) before it is kept, so problems surface at registration
//! as the core's own problem text.

use picomcp::{
    Features, Implementation, Prompt, PromptArgument, Registry, RegistryError, Resource, ResourceTemplate, ServerInfo,
    StaticRegistry, Tool, ToolAnnotations, check_registry,
};

/// A tool, owned.
#[derive(Debug, Clone, Default)]
pub(crate) struct ToolDesc {
    pub(crate) name: String,
    pub(crate) title: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) input_schema: String,
    pub(crate) output_schema: Option<String>,
    pub(crate) annotations: Option<Hints>,
}

/// A tool's behaviour hints, owned.
#[derive(Debug, Clone, Default)]
pub(crate) struct Hints {
    pub(crate) title: Option<String>,
    pub(crate) read_only: Option<bool>,
    pub(crate) destructive: Option<bool>,
    pub(crate) idempotent: Option<bool>,
    pub(crate) open_world: Option<bool>,
}

/// A fixed resource (`uri`) or a resource template (`uri` holds the template), owned.
#[derive(Debug, Clone, Default)]
pub(crate) struct ResourceDesc {
    pub(crate) uri: String,
    pub(crate) name: String,
    pub(crate) title: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) mime_type: Option<String>,
}

/// One prompt argument, owned.
#[derive(Debug, Clone, Default)]
pub(crate) struct ArgumentDesc {
    pub(crate) name: String,
    pub(crate) description: Option<String>,
    pub(crate) required: bool,
}

/// A prompt, owned.
#[derive(Debug, Clone, Default)]
pub(crate) struct PromptDesc {
    pub(crate) name: String,
    pub(crate) title: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) arguments: Vec<ArgumentDesc>,
}

/// Everything a server offers, in registration order (the indices events carry).
#[derive(Debug, Default)]
pub(crate) struct Catalog {
    pub(crate) name: String,
    pub(crate) version: String,
    pub(crate) instructions: Option<String>,
    pub(crate) tools: Vec<ToolDesc>,
    pub(crate) resources: Vec<ResourceDesc>,
    pub(crate) templates: Vec<ResourceDesc>,
    pub(crate) prompts: Vec<PromptDesc>,
    pub(crate) completions: bool,
    /// Bumped on every change (see [`Registry::generation`]).
    pub(crate) generation: u64,
}

/// Why a descriptor was refused: the core's problem text, or a duplicate.
pub(crate) type Refusal = String;

fn refused(e: RegistryError) -> Refusal {
    format!("{}: {}", e.kind, e.problem)
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
    pub(crate) fn new(name: String, version: String, instructions: Option<String>) -> Self {
        Self { name, version, instructions, ..Self::default() }
    }

    fn info(&self) -> ServerInfo<'_> {
        ServerInfo {
            implementation: Implementation::new(&self.name, &self.version),
            instructions: opt(&self.instructions),
        }
    }

    fn keep<T>(list: &mut Vec<T>, item: T, generation: &mut u64) -> usize {
        list.push(item);
        *generation += 1;
        list.len() - 1
    }

    /// Register a tool; its index.
    pub(crate) fn add_tool(&mut self, tool: ToolDesc) -> Result<usize, Refusal> {
        let view = tool.view();
        check_registry(&StaticRegistry::new(self.info()).tools(core::slice::from_ref(&view))).map_err(refused)?;
        if self.tools.iter().any(|t| t.name == tool.name) {
            return Err(format!("tool: duplicate name {:?}", tool.name));
        }
        Ok(Self::keep(&mut self.tools, tool, &mut self.generation))
    }

    /// Register a fixed resource; its index.
    pub(crate) fn add_resource(&mut self, resource: ResourceDesc) -> Result<usize, Refusal> {
        let view = resource.resource();
        check_registry(&StaticRegistry::new(self.info()).resources(core::slice::from_ref(&view))).map_err(refused)?;
        if self.resources.iter().any(|r| r.uri == resource.uri) {
            return Err(format!("resource: duplicate uri {:?}", resource.uri));
        }
        Ok(Self::keep(&mut self.resources, resource, &mut self.generation))
    }

    /// Register a resource template; its index.
    pub(crate) fn add_template(&mut self, template: ResourceDesc) -> Result<usize, Refusal> {
        let view = template.template();
        check_registry(&StaticRegistry::new(self.info()).templates(core::slice::from_ref(&view))).map_err(refused)?;
        if self.templates.iter().any(|t| t.uri == template.uri) {
            return Err(format!("template: duplicate URI template {:?}", template.uri));
        }
        Ok(Self::keep(&mut self.templates, template, &mut self.generation))
    }

    /// Register a prompt; its index.
    pub(crate) fn add_prompt(&mut self, prompt: PromptDesc) -> Result<usize, Refusal> {
        if prompt.arguments.iter().any(|a| a.name.is_empty()) {
            return Err("prompt: an argument has an empty name".into());
        }
        let arguments: Vec<PromptArgument<'_>> = prompt.arguments.iter().map(ArgumentDesc::view).collect();
        if (1..arguments.len()).any(|i| arguments[..i].iter().any(|a| a.name == arguments[i].name)) {
            return Err("prompt: duplicate argument name".into());
        }
        let view = Prompt {
            title: opt(&prompt.title),
            description: opt(&prompt.description),
            ..Prompt::new(&prompt.name, "", &arguments)
        };
        check_registry(&StaticRegistry::new(self.info()).prompts(core::slice::from_ref(&view))).map_err(refused)?;
        if self.prompts.iter().any(|p| p.name == prompt.name) {
            return Err(format!("prompt: duplicate name {:?}", prompt.name));
        }
        drop(arguments);
        Ok(Self::keep(&mut self.prompts, prompt, &mut self.generation))
    }

    /// Offer `completion/complete`.
    pub(crate) fn enable_completions(&mut self) {
        self.completions = true;
        self.generation += 1;
    }

    /// The names of template `index`'s variables, in order.
    pub(crate) fn template_variables(&self, index: usize) -> Vec<&str> {
        self.templates.get(index).map(|t| picomcp::uri_template::variable_names(&t.uri).collect()).unwrap_or_default()
    }

    /// A [`Registry`] over this catalog for the length of one call into the core.
    pub(crate) fn view(&self) -> View<'_> {
        View {
            catalog: self,
            arguments: self.prompts.iter().map(|p| p.arguments.iter().map(ArgumentDesc::view).collect()).collect(),
        }
    }
}

/// The catalog seen as a [`Registry`]. Prompt descriptors lend their arguments as a slice,
/// so the view keeps the borrowed argument descriptors for its lifetime.
pub(crate) struct View<'c> {
    catalog: &'c Catalog,
    arguments: Vec<Vec<PromptArgument<'c>>>,
}

impl Registry for View<'_> {
    fn info(&self) -> ServerInfo<'_> {
        self.catalog.info()
    }
    fn tool_count(&self) -> usize {
        self.catalog.tools.len()
    }
    fn tool(&self, index: usize) -> Option<Tool<'_>> {
        self.catalog.tools.get(index).map(ToolDesc::view)
    }
    fn resource_count(&self) -> usize {
        self.catalog.resources.len()
    }
    fn resource(&self, index: usize) -> Option<Resource<'_>> {
        self.catalog.resources.get(index).map(ResourceDesc::resource)
    }
    fn template_count(&self) -> usize {
        self.catalog.templates.len()
    }
    fn template(&self, index: usize) -> Option<ResourceTemplate<'_>> {
        self.catalog.templates.get(index).map(ResourceDesc::template)
    }
    fn prompt_count(&self) -> usize {
        self.catalog.prompts.len()
    }
    fn prompt(&self, index: usize) -> Option<Prompt<'_>> {
        let p = self.catalog.prompts.get(index)?;
        let arguments = self.arguments.get(index).map(Vec::as_slice).unwrap_or_default();
        Some(Prompt { title: opt(&p.title), description: opt(&p.description), ..Prompt::new(&p.name, "", arguments) })
    }
    fn generation(&self) -> u64 {
        self.catalog.generation
    }
    fn features(&self) -> Features {
        let c = self.catalog;
        Features {
            tools: !c.tools.is_empty(),
            resources: !c.resources.is_empty() || !c.templates.is_empty(),
            prompts: !c.prompts.is_empty(),
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
        assert!(c.add_tool(tool("a", r#"{"type":"object"}"#)).unwrap_err().contains("duplicate"));
        assert!(c.add_tool(tool("c", r#"{"type":"string"}"#)).unwrap_err().contains("inputSchema"));
        assert!(c.add_tool(tool("", r#"{"type":"object"}"#)).unwrap_err().contains("empty name"));
        assert_eq!(c.generation, 2);
        assert!(check_registry(&c.view()).is_ok());
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
