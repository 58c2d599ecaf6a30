//! Results given as JSON text in the shape of the MCP result objects (what a JavaScript
//! handler returns, serialised): read into owned [`Answer`]s, field by field, so a
//! malformed result is refused with a message naming the field before anything is sent.
//!
//! Content blocks are read into typed [`Block`]s; a block that also carries the optional
//! `annotations` or `_meta` is kept whole as JSON once its typed fields passed.

use core::fmt::{self, Display};

use picomcp::Role;
use picomcp::json::{self, Object, Str, Value};

use crate::answer::{Answer, Block, Entry, EntryBody, Invalid, Payload};

/// Where a value sits in a result, for messages: formatted only when something is wrong.
type Place<'a> = &'a dyn Display;

/// `place[index]`.
struct At<'a>(Place<'a>, usize);

impl Display for At<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}[{}]", self.0, self.1)
    }
}

/// `place.field`.
struct Field<'a>(Place<'a>, &'a str);

impl Display for Field<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.0, self.1)
    }
}

/// `place ("type")`: a content block of a type.
struct Typed<'a>(Place<'a>, &'a str);

impl Display for Typed<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({:?})", self.0, self.1)
    }
}

/// A JSON string's decoded text.
pub(crate) fn text(s: Str<'_>) -> String {
    s.as_plain().map_or_else(|| s.chars().collect(), str::to_owned)
}

/// The object `what` holds, allowing only the `known` keys.
fn object<'a>(v: Value<'a>, what: Place<'_>, known: &[&str]) -> Result<Object<'a>, Invalid> {
    let o = v.as_object().ok_or_else(|| format!("{what}: expected an object, got {}", v.kind().name()))?;
    match o.iter().map(|(k, _)| k).find(|k| !known.iter().any(|n| k.eq_str(n))) {
        Some(k) => Err(format!("{what}: unknown field {:?}", text(k))),
        None => Ok(o),
    }
}

/// Field `key` of `o` as a string; `None` when absent (or null).
fn opt_string(o: Object<'_>, key: &str, what: Place<'_>) -> Result<Option<String>, Invalid> {
    match o.get(key) {
        None => Ok(None),
        Some(v) if v.is_null() => Ok(None),
        Some(v) => v.as_str().map(|s| Some(text(s))).ok_or_else(|| format!("{what}.{key}: expected a string")),
    }
}

fn string(o: Object<'_>, key: &str, what: Place<'_>) -> Result<String, Invalid> {
    opt_string(o, key, what)?.ok_or_else(|| format!("{what}: missing {key:?}"))
}

fn array<'a>(v: Value<'a>, what: Place<'_>) -> Result<impl Iterator<Item = Value<'a>>, Invalid> {
    Ok(v.as_array().ok_or_else(|| format!("{what}: expected an array, got {}", v.kind().name()))?.iter())
}

fn parse<'a>(json_text: &'a str, what: Place<'_>) -> Result<Value<'a>, Invalid> {
    json::parse(json_text.as_bytes(), json::RAW_MAX_DEPTH).map_err(|e| format!("{what}: {}", e.kind.describe()))
}

/// Embedded or listed resource contents: `{uri, mimeType?, text | blob}`.
fn entry(v: Value<'_>, what: Place<'_>) -> Result<Entry, Invalid> {
    let o = object(v, what, &["uri", "mimeType", "text", "blob", "_meta"])?;
    let body = match (opt_string(o, "text", what)?, opt_string(o, "blob", what)?) {
        (Some(t), None) => EntryBody::Text(t),
        (None, Some(b)) => EntryBody::Blob(Payload::Base64(b)),
        _ => return Err(format!("{what}: exactly one of \"text\" and \"blob\"")),
    };
    Ok(Entry { uri: string(o, "uri", what)?, mime_type: opt_string(o, "mimeType", what)?, body })
}

/// A content block.
pub fn block(v: Value<'_>, what: Place<'_>) -> Result<Block, Invalid> {
    const EXTRA: [&str; 2] = ["annotations", "_meta"];
    let any = v.as_object().ok_or_else(|| format!("{what}: expected an object, got {}", v.kind().name()))?;
    let kind = opt_string(any, "type", what)?.ok_or_else(|| format!("{what}: missing \"type\""))?;
    let typed = Typed(what, &kind);
    let w: Place<'_> = &typed;
    let known = |fields: &[&str]| -> Result<Object<'_>, Invalid> {
        let mut all = vec!["type"];
        all.extend_from_slice(fields);
        all.extend_from_slice(&EXTRA);
        object(v, w, &all)
    };
    let block = match kind.as_str() {
        "text" => Block::Text(string(known(&["text"])?, "text", w)?),
        "image" | "audio" => {
            let o = known(&["data", "mimeType"])?;
            let (data, mime_type) = (Payload::Base64(string(o, "data", w)?), string(o, "mimeType", w)?);
            if kind == "image" { Block::Image { data, mime_type } } else { Block::Audio { data, mime_type } }
        }
        "resource_link" => {
            let o = known(&["uri", "name", "title", "description", "mimeType", "size"])?;
            Block::Link {
                uri: string(o, "uri", w)?,
                name: string(o, "name", w)?,
                title: opt_string(o, "title", w)?,
                description: opt_string(o, "description", w)?,
                mime_type: opt_string(o, "mimeType", w)?,
            }
        }
        "resource" => {
            let o = known(&["resource"])?;
            Block::Embedded(entry(o.get("resource").ok_or_else(|| format!("{w}: missing \"resource\""))?, w)?)
        }
        _ => return Err(format!("{w}: unknown content type (text, image, audio, resource_link or resource)")),
    };
    if any.iter().any(|(k, _)| EXTRA.iter().any(|n| k.eq_str(n)) || k.eq_str("size")) {
        // Checked above; the optional fields ride along as written.
        block.check()?;
        return Ok(Block::Json(v.raw_str().to_owned()));
    }
    Ok(block)
}

/// `answer`, once [`Answer::check`] passed.
fn checked(answer: Answer) -> Result<Answer, Invalid> {
    answer.check().map(|()| answer)
}

/// A `tools/call` result: `{content?, structuredContent?, isError?}`.
pub fn tool_result(json_text: &str) -> Result<Answer, Invalid> {
    let what: Place<'_> = &"tool result";
    let o = object(parse(json_text, what)?, what, &["content", "structuredContent", "isError"])?;
    let mut blocks = Vec::new();
    if let Some(content) = o.get("content") {
        for (i, b) in array(content, &"tool result.content")?.enumerate() {
            blocks.push(block(b, &At(&"tool result.content", i))?);
        }
    }
    let structured = match o.get("structuredContent") {
        None => None,
        Some(v) if v.is_null() => None,
        Some(v) if v.as_object().is_some() => Some(v.raw_str().to_owned()),
        Some(_) => return Err("tool result.structuredContent: expected an object".into()),
    };
    let is_error = match o.get("isError") {
        None => false,
        Some(v) => v.as_bool().ok_or("tool result.isError: expected a boolean")?,
    };
    checked(Answer::Tool { blocks, structured, is_error })
}

/// A `resources/read` result: `{contents: [...]}`.
pub fn read_result(json_text: &str) -> Result<Answer, Invalid> {
    let what: Place<'_> = &"resource result";
    let o = object(parse(json_text, what)?, what, &["contents"])?;
    let contents = o.get("contents").ok_or("resource result: missing \"contents\"")?;
    let entries = array(contents, &"resource result.contents")?
        .enumerate()
        .map(|(i, v)| entry(v, &At(&"resource result.contents", i)))
        .collect::<Result<_, _>>()?;
    checked(Answer::Read(entries))
}

/// A `prompts/get` result: `{messages: [{role, content}], description?}`.
pub fn prompt_result(json_text: &str) -> Result<Answer, Invalid> {
    let what: Place<'_> = &"prompt result";
    let o = object(parse(json_text, what)?, what, &["messages", "description"])?;
    let messages = o.get("messages").ok_or("prompt result: missing \"messages\"")?;
    let mut out = Vec::new();
    for (i, m) in array(messages, &"prompt result.messages")?.enumerate() {
        let w = At(&"prompt result.messages", i);
        let m = object(m, &w, &["role", "content"])?;
        let role = match string(m, "role", &w)?.as_str() {
            "user" => Role::User,
            "assistant" => Role::Assistant,
            other => return Err(format!("{w}.role: {other:?} is not \"user\" or \"assistant\"")),
        };
        let content = m.get("content").ok_or_else(|| format!("{w}: missing \"content\""))?;
        out.push((role, block(content, &Field(&w, "content"))?));
    }
    checked(Answer::Prompt { messages: out, description: opt_string(o, "description", what)? })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tool_results_are_read_field_by_field() {
        let a = tool_result(r#"{"content":[{"type":"text","text":"hi"}],"structuredContent":{"sum":3}}"#);
        assert_eq!(
            a,
            Ok(Answer::Tool {
                blocks: vec![Block::Text("hi".into())],
                structured: Some(r#"{"sum":3}"#.into()),
                is_error: false
            })
        );
        let err = |t: &str| tool_result(t).unwrap_err();
        assert!(err(r#"{"content":[{"type":"text"}]}"#).contains("content[0] (\"text\"): missing \"text\""));
        assert!(err(r#"{"content":[{"type":"video"}]}"#).contains("unknown content type"));
        assert!(err(r#"{"content":[],"extra":1}"#).contains("unknown field \"extra\""));
        assert!(err(r#"{"isError":"yes"}"#).contains("isError"));
        assert!(err(r#"{"content":[{"type":"image","data":"!!","mimeType":"image/png"}]}"#).contains("base64"));
        let annotated = r#"{"type":"text","text":"x","annotations":{"priority":1}}"#;
        let a = tool_result(&format!(r#"{{"content":[{annotated}]}}"#)).unwrap();
        assert_eq!(a, Answer::Tool { blocks: vec![Block::Json(annotated.into())], structured: None, is_error: false });
    }

    #[test]
    fn read_and_prompt_results() {
        let r = read_result(r#"{"contents":[{"uri":"a://b","mimeType":"text/plain","text":"t"}]}"#).unwrap();
        assert!(matches!(r, Answer::Read(ref e) if e.len() == 1 && e[0].body == EntryBody::Text("t".into())));
        assert!(read_result(r#"{"contents":[{"uri":"a://b","text":"t","blob":"aGk="}]}"#).is_err());
        let p = prompt_result(
            r#"{"messages":[{"role":"user","content":{"type":"text","text":"Hello"}}],"description":"d"}"#,
        );
        assert_eq!(
            p,
            Ok(Answer::Prompt {
                messages: vec![(Role::User, Block::Text("Hello".into()))],
                description: Some("d".into())
            })
        );
        assert!(prompt_result(r#"{"messages":[{"role":"system","content":{"type":"text","text":"x"}}]}"#).is_err());
    }
}
