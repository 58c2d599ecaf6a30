//! Response heads and the chunked transfer coding, written into a [`Sink`].

use crate::json;
use crate::{Error, Sink};

/// A response status: code and reason phrase.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Status {
    /// The three-digit code.
    pub code: u16,
    /// The reason phrase.
    pub reason: &'static str,
}

impl Status {
    /// 200: the answer follows.
    pub const OK: Self = Self::new(200, "OK");
    /// 202: a notification or response was taken, nothing to answer.
    pub const ACCEPTED: Self = Self::new(202, "Accepted");
    /// 204: done, no body (a CORS preflight, a session ended).
    pub const NO_CONTENT: Self = Self::new(204, "No Content");
    /// 400: the request is invalid.
    pub const BAD_REQUEST: Self = Self::new(400, "Bad Request");
    /// 403: `Host` or `Origin` not allowed.
    pub const UNAUTHORIZED: Self = Self::new(401, "Unauthorized");
    /// 403: refused (a host or origin not allowed, or a token without the needed scope).
    pub const FORBIDDEN: Self = Self::new(403, "Forbidden");
    /// 404: no such endpoint or session.
    pub const NOT_FOUND: Self = Self::new(404, "Not Found");
    /// 405: method not allowed here (send `Allow`).
    pub const METHOD_NOT_ALLOWED: Self = Self::new(405, "Method Not Allowed");
    /// 406: the `Accept` header admits nothing the server sends.
    pub const NOT_ACCEPTABLE: Self = Self::new(406, "Not Acceptable");
    /// 411: a body without `Content-Length` (chunked request bodies).
    pub const LENGTH_REQUIRED: Self = Self::new(411, "Length Required");
    /// 413: the body is over the limit.
    pub const CONTENT_TOO_LARGE: Self = Self::new(413, "Content Too Large");
    /// 415: the body is not `application/json`.
    pub const UNSUPPORTED_MEDIA_TYPE: Self = Self::new(415, "Unsupported Media Type");
    /// 431: too many or too long header lines.
    pub const HEADER_FIELDS_TOO_LARGE: Self = Self::new(431, "Request Header Fields Too Large");
    /// 500: the server failed.
    pub const INTERNAL_SERVER_ERROR: Self = Self::new(500, "Internal Server Error");
    /// 501: not implemented.
    pub const NOT_IMPLEMENTED: Self = Self::new(501, "Not Implemented");
    /// 503: busy (no free session or stream), try later.
    pub const SERVICE_UNAVAILABLE: Self = Self::new(503, "Service Unavailable");
    /// 505: an HTTP version other than 1.0 and 1.1.
    pub const HTTP_VERSION_NOT_SUPPORTED: Self = Self::new(505, "HTTP Version Not Supported");

    /// The status `code` with the reason phrase `reason`.
    pub const fn new(code: u16, reason: &'static str) -> Self {
        Self { code, reason }
    }
}

/// How the end of a response body is found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Framing {
    /// `Content-Length: N` (left out for 204, which has no body).
    Length(usize),
    /// `Transfer-Encoding: chunked`: the body is [`write_chunk`]s and a [`write_last_chunk`].
    Chunked,
    /// Neither header: the body ends when the connection closes (`Connection: close` is
    /// sent). For streams to HTTP/1.0 clients, which know no chunks.
    UntilClose,
}

/// A response head: status line, headers, blank line.
///
/// ```
/// use picomcp::http::{ResponseHead, Status};
///
/// let mut out = [0u8; 128];
/// let mut cursor = &mut out[..];
/// ResponseHead::new(Status::OK).json(2).session_id(b"s1").write(&mut cursor).unwrap();
/// let n = 128 - cursor.len();
/// assert_eq!(&out[..n], &b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\
/// Mcp-Session-Id: s1\r\n\r\n"[..]);
/// ```
///
/// Values are written as given: they must be visible ASCII, without CR or LF.
#[derive(Clone, Copy, Debug)]
#[must_use]
pub struct ResponseHead<'a> {
    status: Status,
    content_type: Option<&'a str>,
    framing: Framing,
    no_cache: bool,
    session_id: Option<&'a [u8]>,
    allow: Option<&'a str>,
    extra: &'a [(&'a str, &'a [u8])],
    close: bool,
}

impl<'a> ResponseHead<'a> {
    /// A head for `status` with an empty body (`Content-Length: 0`).
    pub const fn new(status: Status) -> Self {
        Self {
            status,
            content_type: None,
            framing: Framing::Length(0),
            no_cache: false,
            session_id: None,
            allow: None,
            extra: &[],
            close: false,
        }
    }

    /// A JSON body of `len` bytes: `Content-Type: application/json`, `Content-Length`.
    pub const fn json(self, len: usize) -> Self {
        self.content_type("application/json").framing(Framing::Length(len))
    }

    /// An event stream: `Content-Type: text/event-stream`, `Cache-Control: no-cache`,
    /// chunked (follow with [`ResponseHead::framing`] for an HTTP/1.0 client).
    pub const fn event_stream(mut self) -> Self {
        self.no_cache = true;
        self.content_type("text/event-stream").framing(Framing::Chunked)
    }

    /// `Content-Type`.
    pub const fn content_type(mut self, content_type: &'a str) -> Self {
        self.content_type = Some(content_type);
        self
    }

    /// How the body ends.
    pub const fn framing(mut self, framing: Framing) -> Self {
        self.framing = framing;
        self
    }

    /// `Mcp-Session-Id`.
    pub const fn session_id(mut self, id: &'a [u8]) -> Self {
        self.session_id = Some(id);
        self
    }

    /// `Allow`, the methods a 405 says are allowed (`"GET, POST, DELETE"`).
    pub const fn allow(mut self, methods: &'a str) -> Self {
        self.allow = Some(methods);
        self
    }

    /// More header lines, written after the others.
    pub const fn headers(mut self, extra: &'a [(&'a str, &'a [u8])]) -> Self {
        self.extra = extra;
        self
    }

    /// `Connection: close` when `close` (always with [`Framing::UntilClose`]).
    pub const fn close(mut self, close: bool) -> Self {
        self.close = close;
        self
    }

    /// Write the head into `out`.
    pub fn write(&self, out: &mut dyn Sink) -> Result<(), Error> {
        out.write(b"HTTP/1.1 ")?;
        json::u64(out, self.status.code.into())?;
        out.write(b" ")?;
        out.write(self.status.reason.as_bytes())?;
        out.write(b"\r\n")?;
        if let Some(content_type) = self.content_type {
            header(out, "Content-Type", content_type.as_bytes())?;
        }
        match self.framing {
            Framing::Length(_) if self.status.code == 204 => {}
            Framing::Length(len) => {
                out.write(b"Content-Length: ")?;
                json::u64(out, u64::try_from(len).unwrap_or(u64::MAX))?;
                out.write(b"\r\n")?;
            }
            Framing::Chunked => header(out, "Transfer-Encoding", b"chunked")?,
            Framing::UntilClose => {}
        }
        if self.no_cache {
            header(out, "Cache-Control", b"no-cache")?;
        }
        if let Some(id) = self.session_id {
            header(out, "Mcp-Session-Id", id)?;
        }
        if let Some(methods) = self.allow {
            header(out, "Allow", methods.as_bytes())?;
        }
        for (name, value) in self.extra {
            header(out, name, value)?;
        }
        if self.close || self.framing == Framing::UntilClose {
            header(out, "Connection", b"close")?;
        }
        out.write(b"\r\n")
    }
}

/// One header line.
fn header(out: &mut dyn Sink, name: &str, value: &[u8]) -> Result<(), Error> {
    out.write(name.as_bytes())?;
    out.write(b": ")?;
    out.write(value)?;
    out.write(b"\r\n")
}

/// The head of a chunk of `len` bytes: `len` in hex, CRLF. The chunk's bytes and a CRLF
/// must follow; `len` 0 is the last chunk.
pub fn write_chunk_header(out: &mut dyn Sink, len: usize) -> Result<(), Error> {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut buf = [0u8; 2 * core::mem::size_of::<usize>()];
    let mut i = buf.len();
    let mut rest = len;
    loop {
        i -= 1;
        if let Some(d) = buf.get_mut(i) {
            *d = HEX.get(rest & 15).copied().unwrap_or(b'0');
        }
        rest >>= 4;
        if rest == 0 {
            break;
        }
    }
    out.write(buf.get(i..).unwrap_or_default())?;
    out.write(b"\r\n")
}

/// `bytes` as one chunk; nothing for no bytes (an empty chunk would end the body).
pub fn write_chunk(out: &mut dyn Sink, bytes: &[u8]) -> Result<(), Error> {
    if bytes.is_empty() {
        return Ok(());
    }
    write_chunk_header(out, bytes.len())?;
    out.write(bytes)?;
    out.write(b"\r\n")
}

/// The last chunk, which ends a chunked body: `0\r\n\r\n`.
pub fn write_last_chunk(out: &mut dyn Sink) -> Result<(), Error> {
    out.write(b"0\r\n\r\n")
}

#[cfg(test)]
pub(crate) mod tests {
    extern crate std;
    use super::*;
    use std::vec::Vec;

    /// Collect what `f` writes.
    pub(crate) fn written(f: impl FnOnce(&mut dyn Sink) -> Result<(), Error>) -> Vec<u8> {
        let mut out = Vec::new();
        f(&mut Collect(&mut out)).unwrap();
        out
    }

    struct Collect<'v>(&'v mut Vec<u8>);

    impl Sink for Collect<'_> {
        fn write(&mut self, bytes: &[u8]) -> Result<(), Error> {
            self.0.extend_from_slice(bytes);
            Ok(())
        }
    }

    fn head(h: ResponseHead<'_>) -> std::string::String {
        std::string::String::from_utf8(written(|o| h.write(o))).unwrap()
    }

    #[test]
    fn heads() {
        assert_eq!(head(ResponseHead::new(Status::ACCEPTED)), "HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n");
        assert_eq!(head(ResponseHead::new(Status::NO_CONTENT)), "HTTP/1.1 204 No Content\r\n\r\n");
        assert_eq!(
            head(ResponseHead::new(Status::OK).json(1234).session_id(b"abc").close(true)),
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1234\r\n\
             Mcp-Session-Id: abc\r\nConnection: close\r\n\r\n"
        );
        assert_eq!(
            head(ResponseHead::new(Status::OK).event_stream()),
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\
             Cache-Control: no-cache\r\n\r\n"
        );
        assert_eq!(
            head(ResponseHead::new(Status::OK).event_stream().framing(Framing::UntilClose)),
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n"
        );
        assert_eq!(
            head(ResponseHead::new(Status::METHOD_NOT_ALLOWED).allow("GET, POST, DELETE").close(true)),
            "HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\nAllow: GET, POST, DELETE\r\nConnection: close\r\n\r\n"
        );
        assert_eq!(
            head(ResponseHead::new(Status::NO_CONTENT).headers(&[("Access-Control-Allow-Origin", b"*")])),
            "HTTP/1.1 204 No Content\r\nAccess-Control-Allow-Origin: *\r\n\r\n"
        );
        assert_eq!(
            head(
                ResponseHead::new(Status::new(418, "I'm a teapot"))
                    .content_type("text/plain")
                    .framing(Framing::Length(0))
            ),
            "HTTP/1.1 418 I'm a teapot\r\nContent-Type: text/plain\r\nContent-Length: 0\r\n\r\n"
        );
    }

    #[test]
    fn status_codes() {
        let all = [
            (Status::OK, 200),
            (Status::ACCEPTED, 202),
            (Status::NO_CONTENT, 204),
            (Status::BAD_REQUEST, 400),
            (Status::FORBIDDEN, 403),
            (Status::NOT_FOUND, 404),
            (Status::METHOD_NOT_ALLOWED, 405),
            (Status::NOT_ACCEPTABLE, 406),
            (Status::LENGTH_REQUIRED, 411),
            (Status::CONTENT_TOO_LARGE, 413),
            (Status::UNSUPPORTED_MEDIA_TYPE, 415),
            (Status::HEADER_FIELDS_TOO_LARGE, 431),
            (Status::INTERNAL_SERVER_ERROR, 500),
            (Status::NOT_IMPLEMENTED, 501),
            (Status::SERVICE_UNAVAILABLE, 503),
            (Status::HTTP_VERSION_NOT_SUPPORTED, 505),
        ];
        for (status, code) in all {
            assert_eq!(status.code, code);
            assert!(!status.reason.is_empty());
        }
    }

    #[test]
    fn chunks() {
        assert_eq!(written(|o| write_chunk(o, b"hello")), b"5\r\nhello\r\n");
        assert_eq!(written(|o| write_chunk(o, &[b'x'; 300])).get(..5), Some(&b"12c\r\n"[..]));
        assert_eq!(written(|o| write_chunk(o, b"")), b"");
        assert_eq!(written(write_last_chunk), b"0\r\n\r\n");
        assert_eq!(written(|o| write_chunk_header(o, 4096)), b"1000\r\n");
        for len in [0, 9, 10, 255, 4095, usize::MAX] {
            assert_eq!(written(|o| write_chunk_header(o, len)), std::format!("{len:x}\r\n").as_bytes());
        }
    }
}
