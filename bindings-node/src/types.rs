//! The plain objects the JavaScript wrapper passes in (`#[napi(object)]`), and how each
//! becomes the engine's owned descriptor.

use napi_derive::napi;
use picomcp_engine::{ArgumentDesc, AuthConfig, Grant, Hints, Limits, PromptDesc, ResourceDesc, ToolDesc};

/// The server's sizes; each has a default.
#[napi(object)]
pub struct NativeLimits {
    /// Requests in flight at once (1 to 65536; default 64). Past it, stdio calls are
    /// refused with a JSON-RPC error; HTTP requests wait for a slot.
    pub max_requests: Option<u32>,
    /// Items per page of a list (default 0: everything on one page).
    pub page_size: Option<u32>,
    /// The longest stdio line or HTTP body accepted, in bytes (default 1 MiB).
    pub max_line: Option<u32>,
}

impl NativeLimits {
    /// The engine's limits: these, with defaults for what is not given.
    pub(crate) fn limits(l: Option<Self>) -> Limits {
        let d = Limits::default();
        let Some(l) = l else { return d };
        let size = |v: Option<u32>, default: usize| v.map_or(default, |v| v as usize);
        Limits {
            max_requests: size(l.max_requests, d.max_requests),
            page_size: size(l.page_size, d.page_size),
            max_line: size(l.max_line, d.max_line),
        }
    }
}

/// A tool's behaviour hints (`annotations`).
#[napi(object)]
pub struct NativeAnnotations {
    /// A display title.
    pub title: Option<String>,
    /// The tool does not change its environment.
    pub read_only_hint: Option<bool>,
    /// The tool may destroy or overwrite.
    pub destructive_hint: Option<bool>,
    /// Calling it again with the same arguments changes nothing more.
    pub idempotent_hint: Option<bool>,
    /// The tool reaches outside a closed world.
    pub open_world_hint: Option<bool>,
}

/// A tool: schemas as JSON text.
#[napi(object)]
pub struct NativeTool {
    /// Its name.
    pub name: String,
    /// A display title.
    pub title: Option<String>,
    /// What it does.
    pub description: Option<String>,
    /// Its input JSON Schema (an object schema), as JSON text.
    pub input_schema: String,
    /// Its output JSON Schema, as JSON text.
    pub output_schema: Option<String>,
    /// Behaviour hints.
    pub annotations: Option<NativeAnnotations>,
    /// The scopes a caller must hold to see it (none: everyone sees it).
    pub scopes: Option<Vec<String>>,
}

impl From<NativeTool> for ToolDesc {
    fn from(t: NativeTool) -> Self {
        ToolDesc {
            name: t.name,
            title: t.title,
            description: t.description,
            input_schema: t.input_schema,
            output_schema: t.output_schema,
            annotations: t.annotations.map(|a| Hints {
                title: a.title,
                read_only: a.read_only_hint,
                destructive: a.destructive_hint,
                idempotent: a.idempotent_hint,
                open_world: a.open_world_hint,
            }),
            scopes: t.scopes.unwrap_or_default(),
        }
    }
}

/// A fixed resource, or a resource template (`uri` holds the URI template).
#[napi(object)]
pub struct NativeResource {
    /// Its URI (or URI template).
    pub uri: String,
    /// Its name.
    pub name: String,
    /// A display title.
    pub title: Option<String>,
    /// What it is.
    pub description: Option<String>,
    /// Its MIME type.
    pub mime_type: Option<String>,
    /// The scopes a caller must hold to see it (none: everyone sees it).
    pub scopes: Option<Vec<String>>,
}

impl From<NativeResource> for ResourceDesc {
    fn from(r: NativeResource) -> Self {
        ResourceDesc {
            uri: r.uri,
            name: r.name,
            title: r.title,
            description: r.description,
            mime_type: r.mime_type,
            scopes: r.scopes.unwrap_or_default(),
        }
    }
}

/// One argument of a prompt.
#[napi(object)]
pub struct NativePromptArgument {
    /// Its name.
    pub name: String,
    /// What it is for.
    pub description: Option<String>,
    /// Whether it must be given (default false).
    pub required: Option<bool>,
}

/// A prompt.
#[napi(object)]
pub struct NativePrompt {
    /// Its name.
    pub name: String,
    /// A display title.
    pub title: Option<String>,
    /// What it is for.
    pub description: Option<String>,
    /// Its arguments, in order.
    pub arguments: Vec<NativePromptArgument>,
    /// The scopes a caller must hold to see it (none: everyone sees it).
    pub scopes: Option<Vec<String>>,
}

impl From<NativePrompt> for PromptDesc {
    fn from(p: NativePrompt) -> Self {
        let arguments = p
            .arguments
            .into_iter()
            .map(|a| ArgumentDesc { name: a.name, description: a.description, required: a.required.unwrap_or(false) })
            .collect();
        PromptDesc {
            name: p.name,
            title: p.title,
            description: p.description,
            arguments,
            scopes: p.scopes.unwrap_or_default(),
        }
    }
}

/// Who a caller is: a name and the scopes it holds.
#[napi(object)]
pub struct NativeGrant {
    /// The caller's name.
    pub name: String,
    /// The scopes it holds.
    pub scopes: Vec<String>,
}

impl From<NativeGrant> for Grant {
    fn from(g: NativeGrant) -> Self {
        Grant { name: g.name, scopes: g.scopes }
    }
}

impl From<&Grant> for NativeGrant {
    fn from(g: &Grant) -> Self {
        NativeGrant { name: g.name.clone(), scopes: g.scopes.clone() }
    }
}

/// HTTP authorization: the protected-resource metadata (RFC 9728) and how long a decision
/// about a token is kept.
#[napi(object)]
pub struct NativeAuthConfig {
    /// The endpoint's URL (the resource identifier); default `http://` + Host + `/mcp`.
    pub resource: Option<String>,
    /// The authorization servers that issue tokens for it.
    pub authorization_servers: Vec<String>,
    /// The scopes clients may ask for.
    pub scopes_supported: Option<Vec<String>>,
    /// How long a decision is kept, in seconds (default 60; 0: ask about every request).
    pub cache_seconds: Option<f64>,
}

impl From<NativeAuthConfig> for AuthConfig {
    fn from(c: NativeAuthConfig) -> Self {
        AuthConfig {
            resource: c.resource,
            authorization_servers: c.authorization_servers,
            scopes_supported: c.scopes_supported.unwrap_or_default(),
            cache_seconds: c.cache_seconds.unwrap_or(60.0),
        }
    }
}

/// What to write to an HTTP connection.
#[napi(object)]
pub struct NativeHttpOutput {
    /// The bytes (possibly empty).
    pub data: napi::bindgen_prelude::Buffer,
    /// Whether to close the connection once they are written.
    pub close: bool,
}
