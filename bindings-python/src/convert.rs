//! Python values to the binding's owned types and back: content blocks, resource
//! contents, tool annotations, prompt arguments, events. Malformed input is `ValueError`.

use std::borrow::Cow;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use picomcp_engine::{ArgumentDesc, Block, Entry, EntryBody, Event, Hints, Payload, ReadKind, RefKind};

fn invalid(message: impl Into<String>) -> PyErr {
    PyValueError::new_err(message.into())
}

/// The items of a tuple of `arity` items (`what` names it in errors).
fn items<'py>(obj: &Bound<'py, PyAny>, arity: usize, what: &str) -> PyResult<Vec<Bound<'py, PyAny>>> {
    let tuple = obj.cast::<PyTuple>().map_err(|_| invalid(format!("{what}: expected a tuple")))?;
    if tuple.len() != arity {
        return Err(invalid(format!("{what}: expected a tuple of {arity} items, got {}", tuple.len())));
    }
    Ok(tuple.iter().collect())
}

fn string(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<String> {
    obj.extract::<String>().map_err(|_| invalid(format!("{what}: expected a str")))
}

fn opt_string(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Option<String>> {
    if obj.is_none() { Ok(None) } else { string(obj, what).map(Some) }
}

fn bytes(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<u8>> {
    obj.extract::<Cow<'_, [u8]>>().map(Cow::into_owned).map_err(|_| invalid(format!("{what}: expected bytes")))
}

/// The kind of a tagged tuple (its first item) and its length.
fn tag(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<String> {
    let tuple = obj.cast::<PyTuple>().map_err(|_| invalid(format!("{what}: expected a tuple")))?;
    let first = tuple.get_item(0).map_err(|_| invalid(format!("{what}: expected a non-empty tuple")))?;
    string(&first, what)
}

/// A content block: `("text", text)`, `("image", data, mime_type)`, `("audio", data,
/// mime_type)`, `("resource_link", uri, name, title, description, mime_type)`,
/// `("resource_text", uri, mime_type, text)`, `("resource_blob", uri, mime_type, data)`,
/// `("json", json_text)`.
pub(crate) fn block(obj: &Bound<'_, PyAny>) -> PyResult<Block> {
    let kind = tag(obj, "block")?;
    let what = format!("{kind:?} block");
    let w = what.as_str();
    Ok(match kind.as_str() {
        "text" => Block::Text(string(&items(obj, 2, w)?[1], w)?),
        "image" | "audio" => {
            let it = items(obj, 3, w)?;
            let (data, mime_type) = (Payload::Bytes(bytes(&it[1], w)?), string(&it[2], w)?);
            if kind == "image" { Block::Image { data, mime_type } } else { Block::Audio { data, mime_type } }
        }
        "resource_link" => {
            let it = items(obj, 6, w)?;
            Block::Link {
                uri: string(&it[1], w)?,
                name: string(&it[2], w)?,
                title: opt_string(&it[3], w)?,
                description: opt_string(&it[4], w)?,
                mime_type: opt_string(&it[5], w)?,
            }
        }
        "resource_text" | "resource_blob" => {
            let it = items(obj, 4, w)?;
            let body = if kind == "resource_text" {
                EntryBody::Text(string(&it[3], w)?)
            } else {
                EntryBody::Blob(Payload::Bytes(bytes(&it[3], w)?))
            };
            Block::Embedded(Entry { uri: string(&it[1], w)?, mime_type: opt_string(&it[2], w)?, body })
        }
        "json" => Block::Json(string(&items(obj, 2, w)?[1], w)?),
        _ => return Err(invalid(format!("unknown block kind {kind:?}"))),
    })
}

/// Resource contents: `("text", uri, mime_type, text)` or `("blob", uri, mime_type, data)`.
pub(crate) fn entry(obj: &Bound<'_, PyAny>) -> PyResult<Entry> {
    let kind = tag(obj, "contents")?;
    let w = "contents";
    let it = items(obj, 4, w)?;
    let body = match kind.as_str() {
        "text" => EntryBody::Text(string(&it[3], w)?),
        "blob" => EntryBody::Blob(Payload::Bytes(bytes(&it[3], w)?)),
        _ => return Err(invalid(format!("unknown contents kind {kind:?} (\"text\" or \"blob\")"))),
    };
    Ok(Entry { uri: string(&it[1], w)?, mime_type: opt_string(&it[2], w)?, body })
}

/// Tool annotations from a dict: `readOnlyHint`, `destructiveHint`, `idempotentHint`,
/// `openWorldHint` (bool) and `title` (str).
pub(crate) fn hints(dict: &Bound<'_, PyDict>) -> PyResult<Hints> {
    let mut hints = Hints::default();
    for (key, value) in dict.iter() {
        let key = string(&key, "annotations key")?;
        let flag = || -> PyResult<Option<bool>> {
            if value.is_none() {
                return Ok(None);
            }
            value.extract::<bool>().map(Some).map_err(|_| invalid(format!("annotations: {key} must be a bool")))
        };
        match key.as_str() {
            "readOnlyHint" => hints.read_only = flag()?,
            "destructiveHint" => hints.destructive = flag()?,
            "idempotentHint" => hints.idempotent = flag()?,
            "openWorldHint" => hints.open_world = flag()?,
            "title" => hints.title = opt_string(&value, "annotations: title")?,
            _ => return Err(invalid(format!("annotations: unknown key {key:?}"))),
        }
    }
    Ok(hints)
}

/// A prompt argument: `(name, description, required)`.
pub(crate) fn argument(obj: &Bound<'_, PyAny>) -> PyResult<ArgumentDesc> {
    let w = "prompt argument";
    let it = items(obj, 3, w)?;
    let required = it[2].extract::<bool>().map_err(|_| invalid("prompt argument: required must be a bool"))?;
    Ok(ArgumentDesc { name: string(&it[0], w)?, description: opt_string(&it[1], w)?, required })
}

fn dict<'py>(py: Python<'py>, pairs: &[(String, String)]) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    for (k, v) in pairs {
        d.set_item(k, v)?;
    }
    Ok(d)
}

/// An event as the tuple Python sees (a call's last item is its caller's principal id).
pub(crate) fn event<'py>(py: Python<'py>, e: &Event) -> PyResult<Bound<'py, PyAny>> {
    Ok(match e {
        Event::Tool { ticket, index, arguments, principal } => {
            ("tool", ticket, index, arguments, principal).into_pyobject(py)?.into_any()
        }
        Event::Read { ticket, kind, index, uri, variables, principal } => {
            let kind = if *kind == ReadKind::Resource { "resource" } else { "template" };
            ("read", ticket, kind, index, uri, dict(py, variables)?, principal).into_pyobject(py)?.into_any()
        }
        Event::Prompt { ticket, index, arguments, principal } => {
            ("prompt", ticket, index, dict(py, arguments)?, principal).into_pyobject(py)?.into_any()
        }
        Event::Complete { ticket, kind, name, argument, value, context, principal } => {
            let kind = if *kind == RefKind::Prompt { "prompt" } else { "resource" };
            ("complete", ticket, kind, name, argument, value, dict(py, context)?, principal)
                .into_pyobject(py)?
                .into_any()
        }
        Event::Authorize { token } => ("authorize", token).into_pyobject(py)?.into_any(),
        Event::Cancelled { ticket } => ("cancelled", ticket).into_pyobject(py)?.into_any(),
    })
}
