//! Answers written ahead into a caller's buffer and sent later by ticket.
//!
//! The closure writers of [`Responder`] write straight to the output, so the whole answer
//! must be known inside one call. Foreign-language hosts (the C ABI, Python, Node) build an
//! answer piece by piece across calls, possibly before deciding to defer it, and may send
//! progress meanwhile: a [`Draft`] holds the answer's body in a buffer the host lends, and
//! [`Responder::send_draft`] wraps it in the response when it is complete.
//!
//! Every piece is checked and written whole or not at all: a piece that does not fit
//! leaves the draft as it was and returns [`Error::NoRoom`].

use crate::json::Text;
use crate::protocol::{CallKind, Ticket};
use crate::server::content::{Content, ResourceContents};
use crate::server::responder::{Completions, Contents, Messages, Role, ToolResult};
use crate::sink::Cursor;
use crate::{Error, Responder};

/// The body of an answer being written ahead into a lent buffer: tool content, resource
/// contents, prompt messages or completion values. Pieces are added whole or not at all
/// (one that does not fit gives [`Error::NoRoom`] and leaves the draft as it was);
/// [`Responder::send_draft`] sends the answer by ticket, now or after deferring.
#[derive(Debug)]
pub struct Draft<'b> {
    buf: &'b mut [u8],
    len: usize,
    kind: CallKind,
    /// No piece written yet.
    first: bool,
    /// Tool results: `structuredContent` was written.
    structured: bool,
    /// Tool results: `isError`.
    is_error: bool,
    /// Completion values written.
    count: usize,
    /// Completions: the `total` to report.
    total: Option<u64>,
    /// Completions: `hasMore`.
    has_more: bool,
    /// Prompt results: the description's bytes at the start of the buffer.
    described: usize,
}

impl<'b> Draft<'b> {
    fn new(buf: &'b mut [u8], kind: CallKind) -> Self {
        Self {
            buf,
            len: 0,
            kind,
            first: true,
            structured: false,
            is_error: false,
            count: 0,
            total: None,
            has_more: false,
            described: 0,
        }
    }

    /// A `tools/call` result.
    pub fn tool(buf: &'b mut [u8]) -> Self {
        Self::new(buf, CallKind::Tool)
    }

    /// A `resources/read` result.
    pub fn contents(buf: &'b mut [u8]) -> Self {
        Self::new(buf, CallKind::Resource)
    }

    /// A `prompts/get` result.
    pub fn messages(buf: &'b mut [u8]) -> Self {
        Self::new(buf, CallKind::Prompt)
    }

    /// A `completion/complete` result.
    pub fn completions(buf: &'b mut [u8]) -> Self {
        Self::new(buf, CallKind::Completion)
    }

    /// Empty the draft (same kind, same buffer).
    pub fn clear(&mut self) {
        let kind = self.kind;
        *self = Self::new(core::mem::take(&mut self.buf), kind);
    }

    /// Give the buffer back (to start a draft of another kind in it).
    pub fn into_buffer(self) -> &'b mut [u8] {
        self.buf
    }

    /// What kind of request this draft answers.
    pub const fn kind(&self) -> CallKind {
        self.kind
    }

    /// Bytes of body written so far.
    pub const fn len(&self) -> usize {
        self.len
    }

    /// Whether nothing was written yet.
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Write one piece with `f`; keep it only when it succeeded whole.
    fn piece(
        &mut self,
        kind: CallKind,
        f: impl FnOnce(&mut Cursor<'_>, &mut Self) -> Result<(), Error>,
    ) -> Result<(), Error> {
        if kind != self.kind {
            return Err(Error::WrongKind);
        }
        let mut copy = Self { buf: &mut [], ..*self };
        let free = self.buf.get_mut(self.len..).unwrap_or_default();
        let mut cursor = Cursor::new(free);
        match f(&mut cursor, &mut copy) {
            Ok(()) => {
                let written = cursor.len;
                *self = Self { buf: core::mem::take(&mut self.buf), len: self.len + written, ..copy };
                Ok(())
            }
            Err(Error::Io) => Err(Error::NoRoom),
            Err(e) => Err(e),
        }
    }

    /// Tool results: add a content block.
    pub fn content(&mut self, content: Content<'_>) -> Result<(), Error> {
        self.tool_piece(|res| res.content(content))
    }

    /// Tool results: add a text block.
    pub fn text<'t>(&mut self, text: impl Into<Text<'t>>) -> Result<(), Error> {
        self.content(Content::Text(text.into()))
    }

    /// Tool results: `structuredContent` from JSON text (after every content block).
    pub fn structured_json(&mut self, json: &str) -> Result<(), Error> {
        self.tool_piece(|res| res.structured_json(json))
    }

    /// Tool results: mark the result as a tool error (`isError: true`).
    pub fn set_error(&mut self, is_error: bool) -> Result<(), Error> {
        self.tool_piece(|res| {
            res.set_error(is_error);
            Ok(())
        })
    }

    fn tool_piece(&mut self, f: impl FnOnce(&mut ToolResult<'_>) -> Result<(), Error>) -> Result<(), Error> {
        self.piece(CallKind::Tool, |out, d| {
            let mut res = ToolResult { out, first: d.first, structured: d.structured, is_error: d.is_error };
            f(&mut res)?;
            (d.first, d.structured, d.is_error) = (res.first, res.structured, res.is_error);
            Ok(())
        })
    }

    /// Resource results: add one entry.
    pub fn resource(&mut self, contents: ResourceContents<'_>) -> Result<(), Error> {
        self.piece(CallKind::Resource, |out, d| {
            Contents { out, first: d.first }.push(contents)?;
            d.first = false;
            Ok(())
        })
    }

    /// Prompt results: the result's `description`, before any message.
    pub fn description(&mut self, text: &str) -> Result<(), Error> {
        if self.kind != CallKind::Prompt {
            return Err(Error::WrongKind);
        }
        if self.len > 0 {
            return Err(Error::OutOfOrder);
        }
        let dst = self.buf.get_mut(..text.len()).ok_or(Error::NoRoom)?;
        dst.copy_from_slice(text.as_bytes());
        (self.len, self.described) = (text.len(), text.len());
        Ok(())
    }

    /// Prompt results: add a message.
    pub fn message(&mut self, role: Role, content: Content<'_>) -> Result<(), Error> {
        self.piece(CallKind::Prompt, |out, d| {
            Messages { out, first: d.first }.push(role, content)?;
            d.first = false;
            Ok(())
        })
    }

    /// Completion results: add a suggestion (past
    /// [`MAX_COMPLETIONS`](crate::MAX_COMPLETIONS) it is dropped and `hasMore` is set).
    pub fn value<'t>(&mut self, value: impl Into<Text<'t>>) -> Result<(), Error> {
        self.piece(CallKind::Completion, |out, d| {
            let mut c = Completions { out, count: d.count, total: d.total, has_more: d.has_more };
            c.push(value)?;
            (d.count, d.has_more) = (c.count, c.has_more);
            Ok(())
        })
    }

    /// Completion results: say how many values exist in all.
    pub fn set_total(&mut self, total: u64) -> Result<(), Error> {
        self.piece(CallKind::Completion, |_, d| {
            d.total = Some(total);
            Ok(())
        })
    }

    /// Completion results: say that more values exist than were sent.
    pub fn set_has_more(&mut self) -> Result<(), Error> {
        self.piece(CallKind::Completion, |_, d| {
            d.has_more = true;
            Ok(())
        })
    }

    fn body(&self) -> &[u8] {
        self.buf.get(self.described..self.len).unwrap_or_default()
    }

    /// The prompt result's description, if one was given.
    fn described(&self) -> Option<&str> {
        let text = self.buf.get(..self.described).unwrap_or_default();
        if text.is_empty() { None } else { core::str::from_utf8(text).ok() }
    }
}

impl Responder<'_> {
    /// Answer the request behind `ticket` with what `draft` holds; the draft is left as it
    /// is (clear it to reuse it). [`Error::WrongKind`] when the draft is of another kind
    /// than the request; [`Error::StaleTicket`] when the ticket is not live.
    pub fn send_draft(&mut self, ticket: Ticket, draft: &Draft<'_>) -> Result<(), Error> {
        match draft.kind {
            CallKind::Tool => self.tool_result(ticket, |res| {
                // The body was written by the same writer: copy it and take over its state.
                res.out.write(draft.body())?;
                (res.first, res.structured, res.is_error) = (draft.first, draft.structured, draft.is_error);
                Ok(())
            }),
            CallKind::Resource => self.resource(ticket, |c| c.out.write(draft.body())),
            CallKind::Prompt => self.prompt(ticket, draft.described(), |m| m.out.write(draft.body())),
            CallKind::Completion => self.completion(ticket, |c| {
                c.out.write(draft.body())?;
                (c.count, c.total, c.has_more) = (draft.count, draft.total, draft.has_more);
                Ok(())
            }),
            CallKind::Listen => Err(Error::WrongKind),
        }
    }
}
