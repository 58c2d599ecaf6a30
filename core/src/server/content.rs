//! Content blocks (tool results, prompt messages) and resource contents, written straight
//! to the output. Binary data is base64-encoded on the fly.

use crate::json::{self, Text};
use crate::server::lists;
use crate::{Error, Sink};

/// Binary data: raw bytes (encoded here) or text already in base64.
#[derive(Clone, Copy, Debug)]
pub enum Data<'a> {
    /// Raw bytes; picomcp writes them as base64.
    Bytes(&'a [u8]),
    /// Base64 text, written as it is.
    Base64(&'a str),
}

impl Data<'_> {
    fn write(self, out: &mut dyn Sink) -> Result<(), Error> {
        match self {
            Self::Bytes(b) => {
                out.write(b"\"")?;
                json::base64(out, b)?;
                out.write(b"\"")
            }
            Self::Base64(s) => json::string(out, s),
        }
    }
}

/// The body of a resource: text or binary.
#[derive(Clone, Copy, Debug)]
pub enum Body<'a> {
    /// `text`.
    Text(Text<'a>),
    /// `blob` (base64).
    Blob(Data<'a>),
}

/// One entry of `resources/read` contents, or the `resource` of an embedded resource.
#[derive(Clone, Copy, Debug)]
pub struct ResourceContents<'a> {
    /// The resource's URI.
    pub uri: Text<'a>,
    /// MIME type.
    pub mime_type: Option<&'a str>,
    /// Text or blob.
    pub body: Body<'a>,
}

impl<'a> ResourceContents<'a> {
    /// Text contents.
    pub fn text(uri: impl Into<Text<'a>>, mime_type: &'a str, text: impl Into<Text<'a>>) -> Self {
        Self { uri: uri.into(), mime_type: Some(mime_type), body: Body::Text(text.into()) }
    }

    /// Binary contents from raw bytes.
    pub fn blob(uri: impl Into<Text<'a>>, mime_type: &'a str, bytes: &'a [u8]) -> Self {
        Self { uri: uri.into(), mime_type: Some(mime_type), body: Body::Blob(Data::Bytes(bytes)) }
    }

    pub(crate) fn write(&self, out: &mut dyn Sink) -> Result<(), Error> {
        out.write(b"{\"uri\":")?;
        self.uri.write(out)?;
        if let Some(m) = self.mime_type {
            out.write(b",\"mimeType\":")?;
            json::string(out, m)?;
        }
        match self.body {
            Body::Text(t) => {
                out.write(b",\"text\":")?;
                t.write(out)?;
            }
            Body::Blob(d) => {
                out.write(b",\"blob\":")?;
                d.write(out)?;
            }
        }
        out.write(b"}")
    }
}

/// A link to a resource (`resource_link` content, 2025-06-18 and later).
#[derive(Clone, Copy, Debug)]
pub struct ResourceLink<'a> {
    /// Its URI.
    pub uri: Text<'a>,
    /// Programmatic name.
    pub name: &'a str,
    /// Human-readable name.
    pub title: Option<&'a str>,
    /// What it holds.
    pub description: Option<&'a str>,
    /// MIME type.
    pub mime_type: Option<&'a str>,
    /// Size in bytes.
    pub size: Option<u64>,
}

/// One content block.
#[derive(Clone, Copy, Debug)]
pub enum Content<'a> {
    /// `{"type":"text"}`.
    Text(Text<'a>),
    /// `{"type":"image"}`.
    Image {
        /// The image.
        data: Data<'a>,
        /// Its MIME type.
        mime_type: &'a str,
    },
    /// `{"type":"audio"}` (2025-03-26 and later).
    Audio {
        /// The sound.
        data: Data<'a>,
        /// Its MIME type.
        mime_type: &'a str,
    },
    /// `{"type":"resource_link"}`.
    ResourceLink(ResourceLink<'a>),
    /// `{"type":"resource"}`: an embedded resource.
    Resource(ResourceContents<'a>),
    /// A whole content block as JSON text (checked first), for fields picomcp does not model.
    Json(&'a str),
}

impl<'a> Content<'a> {
    /// A text block.
    pub fn text(text: impl Into<Text<'a>>) -> Self {
        Self::Text(text.into())
    }

    /// An image from raw bytes.
    pub const fn image(bytes: &'a [u8], mime_type: &'a str) -> Self {
        Self::Image { data: Data::Bytes(bytes), mime_type }
    }

    /// A sound from raw bytes.
    pub const fn audio(bytes: &'a [u8], mime_type: &'a str) -> Self {
        Self::Audio { data: Data::Bytes(bytes), mime_type }
    }

    pub(crate) fn write(&self, out: &mut dyn Sink) -> Result<(), Error> {
        match *self {
            Self::Text(t) => {
                out.write(b"{\"type\":\"text\",\"text\":")?;
                t.write(out)?;
            }
            Self::Image { data, mime_type } | Self::Audio { data, mime_type } => {
                let kind: &[u8] = if matches!(self, Self::Image { .. }) { b"image" } else { b"audio" };
                out.write(b"{\"type\":\"")?;
                out.write(kind)?;
                out.write(b"\",\"data\":")?;
                data.write(out)?;
                out.write(b",\"mimeType\":")?;
                json::string(out, mime_type)?;
            }
            Self::ResourceLink(link) => {
                out.write(b"{\"type\":\"resource_link\",\"uri\":")?;
                link.uri.write(out)?;
                out.write(b",\"name\":")?;
                json::string(out, link.name)?;
                lists::described(out, link.title, link.description, link.mime_type)?;
                if let Some(size) = link.size {
                    out.write(b",\"size\":")?;
                    json::u64(out, size)?;
                }
            }
            Self::Resource(contents) => {
                out.write(b"{\"type\":\"resource\",\"resource\":")?;
                contents.write(out)?;
            }
            Self::Json(text) => return json::raw(out, text),
        }
        out.write(b"}")
    }

    /// Check what can be checked before anything is written (raw JSON), so a failure
    /// leaves the output untouched.
    pub(crate) fn check(&self) -> Result<(), Error> {
        match self {
            Self::Json(text) => match json::parse(text.as_bytes(), json::RAW_MAX_DEPTH) {
                Ok(v) if v.as_object().is_some() => Ok(()),
                _ => Err(Error::InvalidJson),
            },
            _ => Ok(()),
        }
    }
}
