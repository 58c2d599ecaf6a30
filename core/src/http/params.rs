//! `Mcp-Param-*` headers (2026-07-28): a tool argument whose input schema property
//! carries `"x-mcp-header": "Name"` is mirrored into the header `Mcp-Param-Name`, and
//! the two must agree, so intermediaries can route on the header.

use crate::http::{RequestHead, decode_value};
use crate::json::{self, Object, Value};
use crate::server::access;
use crate::server::{Principal, Registry};

/// Why a `tools/call`'s mirrored headers disagree with its arguments, if they do.
pub(crate) fn mismatch(
    head: &RequestHead<'_>,
    registry: &dyn Registry,
    principal: Principal,
    params: Option<Object<'_>>,
) -> Option<&'static str> {
    let params = params?;
    let name = params.get("name")?.as_str()?;
    // A tool the principal may not see mirrors nothing: the server answers "unknown tool".
    let index = access::find_tool(registry, principal, name)?;
    let tool = registry.tool(index)?;
    // Registered schemas are checked when the registry is; one that does not parse
    // mirrors nothing.
    let schema = json::parse(tool.input_schema.as_bytes(), json::MAX_DEPTH_LIMIT).ok()?;
    let properties = schema.as_object()?.get("properties")?.as_object()?;
    let arguments = params.get("arguments").and_then(Value::as_object);
    for (property, spec) in properties.iter() {
        let Some(header) = spec.as_object().and_then(|s| s.get("x-mcp-header")).and_then(Value::as_str) else {
            continue;
        };
        let value = arguments.and_then(|a| property.as_plain().and_then(|p| a.get(p))).filter(|v| !v.is_null());
        let Some(value) = value else { continue };
        let sent = head
            .headers_with_prefix("Mcp-Param-")
            .find(|(suffix, _)| header.as_plain().is_some_and(|h| h.eq_ignore_ascii_case(suffix)))
            .map(|(_, v)| v);
        let Some(sent) = sent else {
            return Some("Header mismatch: an Mcp-Param header mirroring an argument is missing");
        };
        let mut decoded = [0u8; 1024];
        let Ok(sent) = decode_value(sent, &mut decoded) else {
            return Some("Header mismatch: an Mcp-Param header is not valid base64");
        };
        if !agrees(value, sent) {
            return Some("Header mismatch: an Mcp-Param header differs from its argument");
        }
    }
    None
}

/// Whether a header value says the same as an argument: strings by their text, numbers by
/// value, booleans and the rest by their JSON text.
fn agrees(value: Value<'_>, header: &[u8]) -> bool {
    if let Some(text) = value.as_str() {
        let mut buf = [0u8; 1024];
        return text.to_str(&mut buf).is_some_and(|t| t.as_bytes() == header);
    }
    if value.kind() == json::Kind::Number {
        let parsed = json::parse(header, 1).ok().and_then(Value::as_f64);
        return parsed.is_some() && parsed == value.as_f64();
    }
    value.raw() == header
}
