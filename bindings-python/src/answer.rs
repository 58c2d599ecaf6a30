//! Answers and notifications from Python, owned, and how each is written through the
//! core's [`Responder`].
//!
//! Everything that can be refused (JSON texts, log levels) is checked when the answer is
//! built ([`Answer::check`]), before anything is written: an answer is then written
//! whole, and a refused one leaves its call in flight.

use picomcp::json::{self, Text};
use picomcp::{Body, Content, Data, Error, LogLevel, ResourceContents, ResourceLink, Responder, Role, Ticket};

/// A content block (a tool result's or a prompt message's).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Block {
    /// `{"type":"text"}`.
    Text(String),
    /// `{"type":"image"}` from raw bytes.
    Image { data: Vec<u8>, mime_type: String },
    /// `{"type":"audio"}` from raw bytes.
    Audio { data: Vec<u8>, mime_type: String },
    /// `{"type":"resource_link"}`.
    Link { uri: String, name: String, title: Option<String>, description: Option<String>, mime_type: Option<String> },
    /// `{"type":"resource"}`: an embedded resource.
    Embedded(Entry),
    /// A whole block as JSON text (an object).
    Json(String),
}

/// One entry of resource contents.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Entry {
    pub(crate) uri: String,
    pub(crate) mime_type: Option<String>,
    pub(crate) body: EntryBody,
}

/// Text or binary resource contents.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum EntryBody {
    Text(String),
    Blob(Vec<u8>),
}

/// What Python asked to send about a call (or, for a log without a ticket, the session).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Answer {
    /// A `tools/call` result.
    Tool { blocks: Vec<Block>, structured: Option<String>, is_error: bool },
    /// A `resources/read` result.
    Read(Vec<Entry>),
    /// "Resource not found" for a `resources/read` of `uri`.
    NotFound(String),
    /// A `prompts/get` result.
    Prompt { messages: Vec<(Role, Block)>, description: Option<String> },
    /// A `completion/complete` result.
    Completion { values: Vec<String>, total: Option<u64>, has_more: bool },
    /// A JSON-RPC error for any call.
    Error { code: i32, message: String },
    /// `notifications/progress`.
    Progress { progress: f64, total: Option<f64>, message: Option<String> },
    /// `notifications/message`.
    Log { level: LogLevel, data: String, logger: Option<String> },
}

/// Why an answer was refused before anything was written.
pub(crate) type Invalid = String;

/// Whether `text` is valid JSON (an object when `object`).
fn check_json(text: &str, object: bool, what: &str) -> Result<(), Invalid> {
    match json::parse(text.as_bytes(), json::RAW_MAX_DEPTH) {
        Ok(v) if !object || v.as_object().is_some() => Ok(()),
        Ok(_) => Err(format!("{what}: JSON text is not an object")),
        Err(_) => Err(format!("{what}: invalid JSON text")),
    }
}

impl Block {
    fn check(&self) -> Result<(), Invalid> {
        match self {
            Self::Json(text) => check_json(text, true, "json block"),
            _ => Ok(()),
        }
    }

    fn content(&self) -> Content<'_> {
        match self {
            Self::Text(t) => Content::text(t.as_str()),
            Self::Image { data, mime_type } => Content::Image { data: Data::Bytes(data), mime_type },
            Self::Audio { data, mime_type } => Content::Audio { data: Data::Bytes(data), mime_type },
            Self::Link { uri, name, title, description, mime_type } => Content::ResourceLink(ResourceLink {
                uri: Text::Plain(uri),
                name,
                title: title.as_deref(),
                description: description.as_deref(),
                mime_type: mime_type.as_deref(),
                size: None,
            }),
            Self::Embedded(entry) => Content::Resource(entry.contents()),
            Self::Json(text) => Content::Json(text),
        }
    }
}

impl Entry {
    fn contents(&self) -> ResourceContents<'_> {
        ResourceContents {
            uri: Text::Plain(&self.uri),
            mime_type: self.mime_type.as_deref(),
            body: match &self.body {
                EntryBody::Text(t) => Body::Text(Text::Plain(t)),
                EntryBody::Blob(b) => Body::Blob(Data::Bytes(b)),
            },
        }
    }
}

impl Answer {
    /// Refuse what the core would refuse halfway through writing.
    pub(crate) fn check(&self) -> Result<(), Invalid> {
        match self {
            Self::Tool { blocks, structured, .. } => {
                blocks.iter().try_for_each(Block::check)?;
                structured.as_deref().map_or(Ok(()), |s| check_json(s, false, "structured content"))
            }
            Self::Prompt { messages, .. } => messages.iter().try_for_each(|(_, b)| b.check()),
            Self::Log { data, .. } => check_json(data, false, "log data"),
            _ => Ok(()),
        }
    }

    /// Write it for `ticket` (`None`: a session log). `Ok(true)` when something was sent:
    /// progress and logs are sent only where the client asked for them.
    pub(crate) fn write(&self, ticket: Option<Ticket>, r: &mut Responder<'_>) -> Result<bool, Error> {
        if let Self::Log { level, data, logger } = self {
            return r.log(ticket, *level, logger.as_deref(), |v| v.raw(data));
        }
        let ticket = ticket.ok_or(Error::StaleTicket)?;
        match self {
            Self::Tool { blocks, structured, is_error } => r.tool_result(ticket, |res| {
                for block in blocks {
                    res.content(block.content())?;
                }
                if let Some(s) = structured {
                    res.structured_json(s)?;
                }
                res.set_error(*is_error);
                Ok(())
            }),
            Self::Read(entries) => r.resource(ticket, |c| entries.iter().try_for_each(|e| c.push(e.contents()))),
            Self::NotFound(uri) => r.resource_not_found(ticket, uri.as_str()),
            Self::Prompt { messages, description } => r.prompt(ticket, description.as_deref(), |m| {
                messages.iter().try_for_each(|(role, block)| m.push(*role, block.content()))
            }),
            Self::Completion { values, total, has_more } => r.completion(ticket, |c| {
                for v in values {
                    c.push(v.as_str())?;
                }
                if let Some(t) = total {
                    c.set_total(*t);
                }
                if *has_more {
                    c.set_has_more();
                }
                Ok(())
            }),
            Self::Error { code, message } => r.error(ticket, *code, message),
            Self::Progress { progress, total, message } => {
                return r.progress(ticket, *progress, *total, message.as_deref());
            }
            Self::Log { .. } => Ok(()),
        }
        .map(|()| true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_texts_are_checked_up_front() {
        let tool = |blocks, structured: Option<&str>| Answer::Tool {
            blocks,
            structured: structured.map(str::to_owned),
            is_error: false,
        };
        assert!(tool(vec![Block::Json(r#"{"type":"text","text":"x"}"#.into())], None).check().is_ok());
        assert!(tool(vec![Block::Json("[1]".into())], None).check().unwrap_err().contains("not an object"));
        assert!(tool(vec![Block::Json("{".into())], None).check().unwrap_err().contains("invalid JSON"));
        assert!(tool(vec![], Some("{\"a\":1}")).check().is_ok());
        assert!(tool(vec![], Some("nope")).check().is_err());
        let log = Answer::Log { level: LogLevel::Info, data: "\"hi\"".into(), logger: None };
        assert!(log.check().is_ok());
    }
}
