//! Writing descriptors: list entries, capabilities, `Implementation` objects.

use crate::json;
use crate::server::registry::{
    Features, Icon, Implementation, Prompt, Resource, ResourceTemplate, Theme, Tool, ToolAnnotations,
};
use crate::{Error, Sink};

/// `,"key":"value"` when `value` is present.
fn opt_str(out: &mut dyn Sink, key: &str, value: Option<&str>) -> Result<(), Error> {
    let Some(v) = value else { return Ok(()) };
    out.write(b",")?;
    json::string(out, key)?;
    out.write(b":")?;
    json::string(out, v)
}

/// `,"key":true|false` when `value` is present.
fn opt_bool(out: &mut dyn Sink, key: &str, value: Option<bool>) -> Result<(), Error> {
    let Some(v) = value else { return Ok(()) };
    out.write(b",")?;
    json::string(out, key)?;
    out.write(if v { b":true" } else { b":false" })
}

/// A schema from descriptor text. Text from a registry that passed [`check_registry`]
/// (`checked`) is written as it is; otherwise it is validated first, and text that is not
/// a JSON object becomes `{"type":"object"}`, so a bad descriptor can never break the message.
///
/// [`check_registry`]: crate::check_registry
fn schema(out: &mut dyn Sink, text: &str, checked: bool) -> Result<(), Error> {
    if checked {
        return json::value_raw(out, json::Value::trusted(text).raw());
    }
    match json::parse(text.as_bytes(), json::RAW_MAX_DEPTH) {
        Ok(v) if v.as_object().is_some() => json::value_raw(out, v.raw()),
        _ => out.write(b"{\"type\":\"object\"}"),
    }
}

fn icons(out: &mut dyn Sink, icons: &[Icon<'_>]) -> Result<(), Error> {
    if icons.is_empty() {
        return Ok(());
    }
    out.write(b",\"icons\":[")?;
    for (i, icon) in icons.iter().enumerate() {
        if i > 0 {
            out.write(b",")?;
        }
        out.write(b"{\"src\":")?;
        json::string(out, icon.src)?;
        opt_str(out, "mimeType", icon.mime_type)?;
        if !icon.sizes.is_empty() {
            out.write(b",\"sizes\":[")?;
            for (j, size) in icon.sizes.iter().enumerate() {
                if j > 0 {
                    out.write(b",")?;
                }
                json::string(out, size)?;
            }
            out.write(b"]")?;
        }
        let theme = icon.theme.map(|t| match t {
            Theme::Light => "light",
            Theme::Dark => "dark",
        });
        opt_str(out, "theme", theme)?;
        out.write(b"}")?;
    }
    out.write(b"]")
}

fn annotations(out: &mut dyn Sink, a: &ToolAnnotations<'_>) -> Result<(), Error> {
    out.write(b",\"annotations\":{")?;
    let mut first = true;
    let mut member = |out: &mut dyn Sink, key: &str, text: Option<&str>, flag: Option<bool>| -> Result<(), Error> {
        if text.is_none() && flag.is_none() {
            return Ok(());
        }
        if !core::mem::take(&mut first) {
            out.write(b",")?;
        }
        json::string(out, key)?;
        out.write(b":")?;
        match (text, flag) {
            (Some(t), _) => json::string(out, t),
            (None, Some(f)) => out.write(if f { b"true" } else { b"false" }),
            (None, None) => Ok(()),
        }
    };
    member(out, "title", a.title, None)?;
    member(out, "readOnlyHint", None, a.read_only)?;
    member(out, "destructiveHint", None, a.destructive)?;
    member(out, "idempotentHint", None, a.idempotent)?;
    member(out, "openWorldHint", None, a.open_world)?;
    out.write(b"}")
}

/// One `tools/list` entry.
///
/// The entry writers stay out of line: inlined into the listing loop they cost about
/// 300 bytes more flash on Cortex-M0.
#[inline(never)]
pub(crate) fn tool(out: &mut dyn Sink, t: &Tool<'_>, checked: bool) -> Result<(), Error> {
    out.write(b"{\"name\":")?;
    json::string(out, t.name)?;
    opt_str(out, "title", t.title)?;
    opt_str(out, "description", t.description)?;
    out.write(b",\"inputSchema\":")?;
    schema(out, t.input_schema, checked)?;
    if let Some(s) = t.output_schema {
        out.write(b",\"outputSchema\":")?;
        schema(out, s, checked)?;
    }
    if let Some(a) = &t.annotations {
        annotations(out, a)?;
    }
    icons(out, t.icons)?;
    out.write(b"}")
}

/// The optional `title`, `description` and `mimeType` of resources and templates.
pub(crate) fn described(
    out: &mut dyn Sink,
    title: Option<&str>,
    description: Option<&str>,
    mime: Option<&str>,
) -> Result<(), Error> {
    opt_str(out, "title", title)?;
    opt_str(out, "description", description)?;
    opt_str(out, "mimeType", mime)
}

/// One `resources/list` entry.
#[inline(never)]
pub(crate) fn resource(out: &mut dyn Sink, r: &Resource<'_>) -> Result<(), Error> {
    out.write(b"{\"uri\":")?;
    json::string(out, r.uri)?;
    out.write(b",\"name\":")?;
    json::string(out, r.name)?;
    described(out, r.title, r.description, r.mime_type)?;
    if let Some(size) = r.size {
        out.write(b",\"size\":")?;
        json::u64(out, size)?;
    }
    icons(out, r.icons)?;
    out.write(b"}")
}

/// One `resources/templates/list` entry.
#[inline(never)]
pub(crate) fn template(out: &mut dyn Sink, t: &ResourceTemplate<'_>) -> Result<(), Error> {
    out.write(b"{\"uriTemplate\":")?;
    json::string(out, t.uri_template)?;
    out.write(b",\"name\":")?;
    json::string(out, t.name)?;
    described(out, t.title, t.description, t.mime_type)?;
    icons(out, t.icons)?;
    out.write(b"}")
}

/// One `prompts/list` entry.
#[inline(never)]
pub(crate) fn prompt(out: &mut dyn Sink, p: &Prompt<'_>) -> Result<(), Error> {
    out.write(b"{\"name\":")?;
    json::string(out, p.name)?;
    opt_str(out, "title", p.title)?;
    opt_str(out, "description", p.description)?;
    if !p.arguments.is_empty() {
        out.write(b",\"arguments\":[")?;
        for (i, a) in p.arguments.iter().enumerate() {
            if i > 0 {
                out.write(b",")?;
            }
            out.write(b"{\"name\":")?;
            json::string(out, a.name)?;
            opt_str(out, "title", a.title)?;
            opt_str(out, "description", a.description)?;
            opt_bool(out, "required", Some(a.required))?;
            out.write(b"}")?;
        }
        out.write(b"]")?;
    }
    icons(out, p.icons)?;
    out.write(b"}")
}

/// An `Implementation` object (`serverInfo`).
pub(crate) fn implementation(out: &mut dyn Sink, i: &Implementation<'_>) -> Result<(), Error> {
    out.write(b"{\"name\":")?;
    json::string(out, i.name)?;
    out.write(b",\"version\":")?;
    json::string(out, i.version)?;
    opt_str(out, "title", i.title)?;
    opt_str(out, "description", i.description)?;
    opt_str(out, "websiteUrl", i.website_url)?;
    icons(out, i.icons)?;
    out.write(b"}")
}

/// The server's capabilities for a legacy `initialize` or a modern `server/discover`,
/// without the closing brace (`server/discover` may add `extensions`).
pub(crate) fn capabilities_open(out: &mut dyn Sink, f: Features, modern: bool) -> Result<(), Error> {
    // Modern list-change notifications need `subscriptions/listen`, which this version
    // does not serve, so `listChanged` and `subscribe` are legacy-only.
    let (tools, resources, prompts): (&[u8], &[u8], &[u8]) = if modern {
        (b"\"tools\":{}", b"\"resources\":{}", b"\"prompts\":{}")
    } else {
        (
            b"\"tools\":{\"listChanged\":true}",
            b"\"resources\":{\"subscribe\":true,\"listChanged\":true}",
            b"\"prompts\":{\"listChanged\":true}",
        )
    };
    out.write(b"{\"logging\":{}")?;
    for (on, text) in
        [(f.tools, tools), (f.resources, resources), (f.prompts, prompts), (f.completions, b"\"completions\":{}")]
    {
        if on {
            out.write(b",")?;
            out.write(text)?;
        }
    }
    Ok(())
}
