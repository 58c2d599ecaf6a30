//! Answers and notifications from the host language, owned, and how each is written through the
//! core's [`Responder`].
//!
//! Everything that can be refused (JSON texts, log levels) is checked when the answer is
//! built ([`Answer::check`]), before anything is written: an answer is then written
//! whole, and a refused one leaves its call in flight.

use crate::catalog::Kind;
use picomcp::json::{self, Text};
use picomcp::{Body, Content, Data, Error, LogLevel, ResourceContents, ResourceLink, Responder, Role, Ticket};

/// A content block (a tool result's or a prompt message's).
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// `{"type":"text"}`.
    Text(String),
    /// `{"type":"image"}`.
    Image {
        /// The image.
        data: Payload,
        /// Its MIME type.
        mime_type: String,
    },
    /// `{"type":"audio"}`.
    Audio {
        /// The sound.
        data: Payload,
        /// Its MIME type.
        mime_type: String,
    },
    /// `{"type":"resource_link"}`.
    Link {
        /// The resource's URI.
        uri: String,
        /// Its name.
        name: String,
        /// Its display title.
        title: Option<String>,
        /// What it is.
        description: Option<String>,
        /// Its MIME type.
        mime_type: Option<String>,
    },
    /// `{"type":"resource"}`: an embedded resource.
    Embedded(Entry),
    /// A whole block as JSON text (an object).
    Json(String),
}

/// Binary data: raw bytes (written as base64), or base64 text as the host gave it.
#[derive(Debug, Clone, PartialEq)]
pub enum Payload {
    /// Raw bytes.
    Bytes(Vec<u8>),
    /// Base64 text (checked before anything is written).
    Base64(String),
}

/// One entry of resource contents.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The resource's URI.
    pub uri: String,
    /// Its MIME type.
    pub mime_type: Option<String>,
    /// Its text or bytes.
    pub body: EntryBody,
}

/// Text or binary resource contents.
#[derive(Debug, Clone, PartialEq)]
pub enum EntryBody {
    /// `text`.
    Text(String),
    /// `blob`.
    Blob(Payload),
}

/// What the host asked to send about a call (or, for a log without a ticket or a list
/// change, the session).
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// A `tools/call` result.
    Tool {
        /// The content blocks.
        blocks: Vec<Block>,
        /// `structuredContent`, as JSON text.
        structured: Option<String>,
        /// `isError`.
        is_error: bool,
    },
    /// A `resources/read` result.
    Read(Vec<Entry>),
    /// "Resource not found" for a `resources/read` of `uri`.
    NotFound(String),
    /// A `prompts/get` result.
    Prompt {
        /// The messages, each a role and a block.
        messages: Vec<(Role, Block)>,
        /// The result's `description`.
        description: Option<String>,
    },
    /// A `completion/complete` result.
    Completion {
        /// The suggested values.
        values: Vec<String>,
        /// `total`.
        total: Option<u64>,
        /// `hasMore`.
        has_more: bool,
    },
    /// A JSON-RPC error for any call.
    Error {
        /// The JSON-RPC error code.
        code: i32,
        /// Its message.
        message: String,
    },
    /// `notifications/progress`.
    Progress {
        /// How far.
        progress: f64,
        /// Out of how much.
        total: Option<f64>,
        /// What is happening.
        message: Option<String>,
    },
    /// `notifications/message`.
    Log {
        /// Its level.
        level: LogLevel,
        /// `data`, as JSON text.
        data: String,
        /// `logger`.
        logger: Option<String>,
    },
    /// `notifications/<kind>/list_changed` (templates count as resources).
    ListChanged(Kind),
}

/// Why an answer was refused before anything was written.
pub type Invalid = String;

/// Whether `text` is valid JSON (an object when `object`).
fn check_json(text: &str, object: bool, what: &str) -> Result<(), Invalid> {
    match json::parse(text.as_bytes(), json::RAW_MAX_DEPTH) {
        Ok(v) if !object || v.as_object().is_some() => Ok(()),
        Ok(_) => Err(format!("{what}: JSON text is not an object")),
        Err(_) => Err(format!("{what}: invalid JSON text")),
    }
}

impl Block {
    pub(crate) fn check(&self) -> Result<(), Invalid> {
        match self {
            Self::Json(text) => check_json(text, true, "json block"),
            Self::Image { data, .. } => data.check("image data"),
            Self::Audio { data, .. } => data.check("audio data"),
            Self::Embedded(entry) => entry.check(),
            _ => Ok(()),
        }
    }

    fn content(&self) -> Content<'_> {
        match self {
            Self::Text(t) => Content::text(t.as_str()),
            Self::Image { data, mime_type } => Content::Image { data: data.data(), mime_type },
            Self::Audio { data, mime_type } => Content::Audio { data: data.data(), mime_type },
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

impl Payload {
    fn data(&self) -> Data<'_> {
        match self {
            Self::Bytes(b) => Data::Bytes(b),
            Self::Base64(t) => Data::Base64(t),
        }
    }

    /// Base64 text must be base64 (standard alphabet, padded).
    fn check(&self, what: &str) -> Result<(), Invalid> {
        let Self::Base64(text) = self else { return Ok(()) };
        let body = text.trim_end_matches('=');
        let padding = text.len() - body.len();
        let alphabet = |b: u8| b.is_ascii_alphanumeric() || b == b'+' || b == b'/';
        if text.len() % 4 == 0 && padding <= 2 && body.bytes().all(alphabet) {
            Ok(())
        } else {
            Err(format!("{what}: not base64 text"))
        }
    }
}

impl Entry {
    fn check(&self) -> Result<(), Invalid> {
        match &self.body {
            EntryBody::Blob(b) => b.check("blob"),
            EntryBody::Text(_) => Ok(()),
        }
    }

    fn contents(&self) -> ResourceContents<'_> {
        ResourceContents {
            uri: Text::Plain(&self.uri),
            mime_type: self.mime_type.as_deref(),
            body: match &self.body {
                EntryBody::Text(t) => Body::Text(Text::Plain(t)),
                EntryBody::Blob(b) => Body::Blob(b.data()),
            },
        }
    }
}

impl Answer {
    /// Refuse what the core would refuse halfway through writing.
    pub fn check(&self) -> Result<(), Invalid> {
        match self {
            Self::Tool { blocks, structured, .. } => {
                blocks.iter().try_for_each(Block::check)?;
                structured.as_deref().map_or(Ok(()), |s| check_json(s, false, "structured content"))
            }
            Self::Prompt { messages, .. } => messages.iter().try_for_each(|(_, b)| b.check()),
            Self::Read(entries) => entries.iter().try_for_each(Entry::check),
            Self::Log { data, .. } => check_json(data, false, "log data"),
            _ => Ok(()),
        }
    }

    /// Write it for `ticket` (`None`: a session log). `Ok(true)` when something was sent:
    /// progress and logs are sent only where the client asked for them.
    pub fn write(&self, ticket: Option<Ticket>, r: &mut Responder<'_>) -> Result<bool, Error> {
        match self {
            Self::Log { level, data, logger } => return r.log(ticket, *level, logger.as_deref(), |v| v.raw(data)),
            Self::ListChanged(Kind::Tool) => return r.tools_changed(),
            Self::ListChanged(Kind::Prompt) => return r.prompts_changed(),
            Self::ListChanged(Kind::Resource | Kind::Template) => return r.resources_changed(),
            _ => {}
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
            Self::Log { .. } | Self::ListChanged(_) => Ok(()),
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
        let image = |data: &str| Block::Image { data: Payload::Base64(data.into()), mime_type: "image/png".into() };
        assert!(tool(vec![image("aGk=")], None).check().is_ok());
        assert!(tool(vec![image("aGk")], None).check().unwrap_err().contains("not base64"));
        assert!(tool(vec![image("a?k=")], None).check().is_err());
        let log = Answer::Log { level: LogLevel::Info, data: "\"hi\"".into(), logger: None };
        assert!(log.check().is_ok());
    }
}
