//! Request heads: parsed by `httparse`, checked against [`Limits`], the headers MCP reads
//! picked out once.

use httparse::Header;

use super::response::Status;
use super::{list_items, media, trim_ows};

/// How much of a request the server takes before it refuses it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Most header lines (431 past it). The smaller of this and the length of the header
    /// array given to [`parse_head`] applies.
    pub max_headers: usize,
    /// Most bytes of request line and headers, final blank line included (431 past it).
    pub max_head_bytes: usize,
    /// Largest `Content-Length` (413 past it).
    pub max_body_bytes: usize,
}

impl Limits {
    /// 32 headers, an 8 KiB head, a 1 MiB body.
    pub const DEFAULT: Self = Self::new(32, 8 * 1024, 1024 * 1024);

    /// Limits of `max_headers` header lines, `max_head_bytes` of head, `max_body_bytes` of body.
    pub const fn new(max_headers: usize, max_head_bytes: usize, max_body_bytes: usize) -> Self {
        Self { max_headers, max_head_bytes, max_body_bytes }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Why a request head is refused; [`HeadError::status`] is the answer to send (then close).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum HeadError {
    /// Not an HTTP/1.x request head: bad request line, bad header syntax (400).
    Malformed,
    /// More than one `Host` header (400, as RFC 9112 §3.2 requires).
    DuplicateHost,
    /// `Content-Length` that is not one plain decimal number, or given twice (400).
    BadContentLength,
    /// More header lines than the limit (431).
    TooManyHeaders,
    /// A head longer than [`Limits::max_head_bytes`] (431).
    HeadTooLarge,
    /// A `Content-Length` above [`Limits::max_body_bytes`] (413).
    BodyTooLarge,
    /// A `Transfer-Encoding` header: chunked request bodies are not supported. The answer
    /// is 411 Length Required, which tells the client to send `Content-Length` instead
    /// (RFC 9110 §15.5.12); 501 would say the method itself is not implemented.
    TransferEncoding,
    /// An HTTP version other than 1.0 and 1.1 (505).
    UnsupportedVersion,
}

impl HeadError {
    /// The status to answer with.
    pub const fn status(self) -> Status {
        match self {
            Self::Malformed | Self::DuplicateHost | Self::BadContentLength => Status::BAD_REQUEST,
            Self::TooManyHeaders | Self::HeadTooLarge => Status::HEADER_FIELDS_TOO_LARGE,
            Self::BodyTooLarge => Status::CONTENT_TOO_LARGE,
            Self::TransferEncoding => Status::LENGTH_REQUIRED,
            Self::UnsupportedVersion => Status::HTTP_VERSION_NOT_SUPPORTED,
        }
    }
}

/// The request methods the transport tells apart (method names are case-sensitive).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// `GET`: open a stream of server messages.
    Get,
    /// `POST`: send a message.
    Post,
    /// `DELETE`: end a session.
    Delete,
    /// `OPTIONS`: a CORS preflight.
    Options,
    /// Any other method (`HEAD`, `PUT`, ...): answered with 405.
    Other,
}

impl Method {
    /// The method named `name`.
    pub fn from_name(name: &str) -> Self {
        match name {
            "GET" => Self::Get,
            "POST" => Self::Post,
            "DELETE" => Self::Delete,
            "OPTIONS" => Self::Options,
            _ => Self::Other,
        }
    }
}

/// A parsed request head, borrowing the input buffer and the header array.
///
/// Header values are trimmed of spaces and tabs. Of the headers picked out into fields,
/// the first occurrence counts and later ones are ignored, except `Host` (twice is an
/// error) and `Connection` (all of them count).
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct RequestHead<'a> {
    /// The method.
    pub method: Method,
    /// The request target as sent: `/mcp?x=1` (or `*`, or an absolute URI from a proxy).
    pub path: &'a str,
    /// The minor HTTP version: 0 for HTTP/1.0, 1 for HTTP/1.1.
    pub minor_version: u8,
    /// Bytes of the head, final blank line included: the body starts there.
    pub head_len: usize,
    /// The `Content-Length`, 0 when absent.
    pub content_length: usize,
    /// Whether the connection stays open after the answer: by default on HTTP/1.1 unless
    /// `Connection: close`, on HTTP/1.0 only with `Connection: keep-alive`.
    pub keep_alive: bool,
    /// `Host`.
    pub host: Option<&'a [u8]>,
    /// `Origin`.
    pub origin: Option<&'a [u8]>,
    /// `Content-Type`.
    pub content_type: Option<&'a [u8]>,
    /// `Accept`.
    pub accept: Option<&'a [u8]>,
    /// `Mcp-Session-Id`.
    pub session_id: Option<&'a [u8]>,
    /// `MCP-Protocol-Version`.
    pub protocol_version: Option<&'a [u8]>,
    /// `Mcp-Method`.
    pub mcp_method: Option<&'a [u8]>,
    /// `Mcp-Name`.
    pub mcp_name: Option<&'a [u8]>,
    /// `Last-Event-ID`.
    pub last_event_id: Option<&'a [u8]>,
    /// `Authorization`.
    pub authorization: Option<&'a [u8]>,
    headers: &'a [Header<'a>],
}

impl<'a> RequestHead<'a> {
    /// The path without its query: `/mcp` for `/mcp?x=1`.
    pub fn path_without_query(&self) -> &'a str {
        self.path.split('?').next().unwrap_or(self.path)
    }

    /// The query, after `?`, if there is one.
    pub fn query(&self) -> Option<&'a str> {
        self.path.split_once('?').map(|(_, query)| query)
    }

    /// All header lines, as sent (values untrimmed).
    pub fn headers(&self) -> &'a [Header<'a>] {
        self.headers
    }

    /// The trimmed value of the first header named `name` (case-insensitively).
    pub fn header(&self, name: &str) -> Option<&'a [u8]> {
        self.headers.iter().find(|h| h.name.eq_ignore_ascii_case(name)).map(|h| trim_ows(h.value))
    }

    /// The headers whose name starts with `prefix` (case-insensitively), as the rest of the
    /// name and the trimmed value, in order: `("Region", b"eu")` for `Mcp-Param-Region: eu`
    /// and the prefix `mcp-param-`.
    pub fn headers_with_prefix<'p>(&self, prefix: &'p str) -> impl Iterator<Item = (&'a str, &'a [u8])> + use<'a, 'p> {
        self.headers.iter().filter_map(move |h| {
            let (start, rest) = h.name.split_at_checked(prefix.len())?;
            start.eq_ignore_ascii_case(prefix).then(|| (rest, trim_ows(h.value)))
        })
    }

    /// The token of an `Authorization: Bearer <token>` header (RFC 6750 §2.1: the scheme
    /// in any case, one or more spaces, then the token). `None` without one, or when the
    /// header is of another scheme or its token is empty or not of the `b64token`
    /// characters.
    pub fn bearer_token(&self) -> Option<&'a str> {
        let value = self.authorization?;
        let (scheme, rest) = value.split_at_checked(6)?;
        if !scheme.eq_ignore_ascii_case(b"bearer") || rest.first() != Some(&b' ') {
            return None;
        }
        let token = rest.trim_ascii_start();
        let b64 = |b: &u8| b.is_ascii_alphanumeric() || b"-._~+/".contains(b);
        // b64token: 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
        let (chars, padding) = token.split_at(token.iter().rposition(|b| *b != b'=').map_or(0, |i| i + 1));
        let valid = !chars.is_empty() && chars.iter().all(b64) && padding.iter().all(|b| *b == b'=');
        valid.then(|| core::str::from_utf8(token).ok()).flatten()
    }

    /// Whether `Accept` admits `application/json` (false when absent: MCP clients must send it).
    pub fn accepts_json(&self) -> bool {
        self.accept.is_some_and(|a| media::accepts(a, b"application", b"json"))
    }

    /// Whether `Accept` admits `text/event-stream` (false when absent).
    pub fn accepts_event_stream(&self) -> bool {
        self.accept.is_some_and(|a| media::accepts(a, b"text", b"event-stream"))
    }

    /// Whether `Content-Type` is `application/json`, parameters aside (false when absent).
    pub fn content_type_is_json(&self) -> bool {
        self.content_type.is_some_and(media::is_json)
    }

    /// Bytes of the whole request, head and body.
    pub fn message_len(&self) -> usize {
        self.head_len.saturating_add(self.content_length)
    }

    /// The body, once `buf` (the buffer the head was parsed from, grown since) holds it.
    pub fn body<'b>(&self, buf: &'b [u8]) -> Option<&'b [u8]> {
        buf.get(self.head_len..self.message_len())
    }
}

/// Parse the request head at the start of `buf`.
///
/// `Ok(None)`: the head is not complete yet, read more and call again with the grown
/// buffer. `headers` receives the header lines; make a fresh array for each call
/// (`[EMPTY_HEADER; N]` is cheap), as the parsed head borrows it. The body, if any,
/// follows at [`RequestHead::head_len`].
pub fn parse_head<'h, 'b: 'h>(
    buf: &'b [u8],
    headers: &'h mut [Header<'b>],
    limits: &Limits,
) -> Result<Option<RequestHead<'h>>, HeadError> {
    let count = headers.len().min(limits.max_headers);
    let mut request = httparse::Request::new(headers.get_mut(..count).unwrap_or_default());
    let head_len = match request.parse(buf) {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) if buf.len() >= limits.max_head_bytes => return Err(HeadError::HeadTooLarge),
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(httparse::Error::TooManyHeaders) => return Err(HeadError::TooManyHeaders),
        Err(httparse::Error::Version) if names_other_version(buf) => return Err(HeadError::UnsupportedVersion),
        Err(_) => return Err(HeadError::Malformed),
    };
    if head_len > limits.max_head_bytes {
        return Err(HeadError::HeadTooLarge);
    }
    let httparse::Request { method, path, version, headers } = request;
    let (Some(method), Some(path), Some(minor_version)) = (method, path, version) else {
        return Err(HeadError::Malformed);
    };
    let headers: &'h [Header<'b>] = headers;
    let mut head = RequestHead {
        method: Method::from_name(method),
        path,
        minor_version,
        head_len,
        content_length: 0,
        keep_alive: minor_version >= 1,
        host: None,
        origin: None,
        content_type: None,
        accept: None,
        session_id: None,
        protocol_version: None,
        mcp_method: None,
        mcp_name: None,
        last_event_id: None,
        authorization: None,
        headers,
    };
    let (mut close, mut keep_alive, mut has_length) = (false, false, false);
    for h in headers {
        let value = trim_ows(h.value);
        let is = |name: &str| h.name.eq_ignore_ascii_case(name);
        if is("content-length") {
            if has_length {
                return Err(HeadError::BadContentLength);
            }
            has_length = true;
            head.content_length = content_length(value, limits)?;
        } else if is("transfer-encoding") {
            return Err(HeadError::TransferEncoding);
        } else if is("host") {
            if head.host.replace(value).is_some() {
                return Err(HeadError::DuplicateHost);
            }
        } else if is("connection") {
            for option in list_items(value) {
                close |= option.eq_ignore_ascii_case(b"close");
                keep_alive |= option.eq_ignore_ascii_case(b"keep-alive");
            }
        } else if let Some(field) = head.field(h.name) {
            field.get_or_insert(value);
        }
    }
    head.keep_alive = !close && (minor_version >= 1 || keep_alive);
    Ok(Some(head))
}

impl<'a> RequestHead<'a> {
    /// The field of the optional header `name` picks out, if any.
    fn field(&mut self, name: &str) -> Option<&mut Option<&'a [u8]>> {
        let fields = [
            ("origin", &mut self.origin),
            ("content-type", &mut self.content_type),
            ("accept", &mut self.accept),
            ("mcp-session-id", &mut self.session_id),
            ("mcp-protocol-version", &mut self.protocol_version),
            ("mcp-method", &mut self.mcp_method),
            ("mcp-name", &mut self.mcp_name),
            ("last-event-id", &mut self.last_event_id),
            ("authorization", &mut self.authorization),
        ];
        fields.into_iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, field)| field)
    }
}

/// A `Content-Length` value: 1*DIGIT, within the body limit.
fn content_length(value: &[u8], limits: &Limits) -> Result<usize, HeadError> {
    if value.is_empty() || !value.iter().all(u8::is_ascii_digit) {
        return Err(HeadError::BadContentLength);
    }
    let length = value.iter().try_fold(0usize, |n, &d| n.checked_mul(10)?.checked_add(usize::from(d - b'0')));
    match length {
        Some(length) if length <= limits.max_body_bytes => Ok(length),
        _ => Err(HeadError::BodyTooLarge),
    }
}

/// Whether the request line ends in a well-formed version other than 1.0 and 1.1
/// (`HTTP/2.0`, `HTTP/1.2`, `HTTP/3`), as opposed to garbage.
fn names_other_version(buf: &[u8]) -> bool {
    let line = buf.split(|&b| b == b'\n').next().unwrap_or_default();
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let version = line.rsplit(|&b| b == b' ').next().unwrap_or_default();
    match version.strip_prefix(b"HTTP/") {
        Some([first, rest @ ..]) => first.is_ascii_digit() && rest.iter().all(|&b| b.is_ascii_digit() || b == b'.'),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use httparse::EMPTY_HEADER;

    fn parse(buf: &[u8]) -> Result<Option<RequestHead<'static>>, HeadError> {
        parse_with(buf, &Limits::DEFAULT)
    }

    /// Parse with leaked buffers so the head can outlive the call (tests only).
    fn parse_with(buf: &[u8], limits: &Limits) -> Result<Option<RequestHead<'static>>, HeadError> {
        let buf: &'static [u8] = std::boxed::Box::leak(buf.to_vec().into_boxed_slice());
        let headers = std::boxed::Box::leak(std::boxed::Box::new([EMPTY_HEADER; 64]));
        parse_head(buf, headers, limits)
    }

    fn ok(buf: &[u8]) -> RequestHead<'static> {
        parse(buf).unwrap().unwrap()
    }

    const POST: &[u8] = b"POST /mcp?x=1 HTTP/1.1\r\nHost: localhost:3000\r\nContent-Type: application/json\r\n\
Accept: application/json, text/event-stream\r\nMcp-Session-Id: abc\r\nContent-Length: 2\r\n\r\n{}";

    #[test]
    fn parses_a_post() {
        let head = ok(POST);
        assert_eq!(head.method, Method::Post);
        assert_eq!(head.path, "/mcp?x=1");
        assert_eq!(head.path_without_query(), "/mcp");
        assert_eq!(head.query(), Some("x=1"));
        assert_eq!(head.minor_version, 1);
        assert_eq!(head.head_len, POST.len() - 2);
        assert_eq!(head.content_length, 2);
        assert_eq!(head.message_len(), POST.len());
        assert_eq!(head.body(POST), Some(&b"{}"[..]));
        assert_eq!(head.body(&POST[..POST.len() - 1]), None);
        assert!(head.keep_alive);
        assert_eq!(head.host, Some(&b"localhost:3000"[..]));
        assert_eq!(head.session_id, Some(&b"abc"[..]));
        assert!(head.accepts_json() && head.accepts_event_stream() && head.content_type_is_json());
        assert_eq!(head.origin, None);
        assert_eq!(head.headers().len(), 5);
    }

    #[test]
    fn methods() {
        for (name, method) in [
            ("GET", Method::Get),
            ("POST", Method::Post),
            ("DELETE", Method::Delete),
            ("OPTIONS", Method::Options),
            ("HEAD", Method::Other),
            ("get", Method::Other),
        ] {
            let buf = std::format!("{name} / HTTP/1.1\r\nHost: a\r\n\r\n");
            assert_eq!(ok(buf.as_bytes()).method, method);
            assert_eq!(ok(buf.as_bytes()).content_length, 0);
        }
        assert_eq!(ok(b"OPTIONS * HTTP/1.1\r\n\r\n").path_without_query(), "*");
    }

    #[test]
    fn partial_heads_byte_by_byte() {
        for end in 0..POST.len() - 2 {
            let mut headers = [EMPTY_HEADER; 16];
            assert_eq!(parse_head(&POST[..end], &mut headers, &Limits::DEFAULT).unwrap().map(|h| h.head_len), None);
        }
        let mut headers = [EMPTY_HEADER; 16];
        let head = parse_head(&POST[..POST.len() - 2], &mut headers, &Limits::DEFAULT).unwrap().unwrap();
        assert_eq!(head.body(POST), Some(&b"{}"[..]));
    }

    #[test]
    fn a_driver_loop_over_one_growing_buffer() {
        let mut buf = [0u8; 256];
        let mut len = 0;
        let head_len = loop {
            let mut headers = [EMPTY_HEADER; 8];
            if let Some(head) = parse_head(&buf[..len], &mut headers, &Limits::DEFAULT).unwrap() {
                break head.head_len;
            }
            // "Read" three more bytes into the same buffer.
            let more = POST.get(len..(len + 3).min(POST.len())).unwrap();
            buf[len..len + more.len()].copy_from_slice(more);
            len += more.len();
        };
        assert_eq!(head_len, POST.len() - 2);
    }

    #[test]
    fn header_names_are_case_insensitive_and_values_trimmed() {
        let head = ok(b"GET / HTTP/1.1\r\nhOsT:  a \t\r\nMCP-SESSION-ID:\tid\r\nmcp-protocol-version: 2025-11-25\r\n\
mcp-method: tools/call\r\nMCP-NAME: echo \r\nlast-event-id: 7\r\nORIGIN: http://a\r\n\r\n");
        assert_eq!(head.host, Some(&b"a"[..]));
        assert_eq!(head.session_id, Some(&b"id"[..]));
        assert_eq!(head.protocol_version, Some(&b"2025-11-25"[..]));
        assert_eq!(head.mcp_method, Some(&b"tools/call"[..]));
        assert_eq!(head.mcp_name, Some(&b"echo"[..]));
        assert_eq!(head.last_event_id, Some(&b"7"[..]));
        assert_eq!(head.origin, Some(&b"http://a"[..]));
        assert_eq!(head.header("Mcp-Name"), Some(&b"echo"[..]));
        assert_eq!(head.header("x-missing"), None);
    }

    #[test]
    fn first_of_duplicated_mcp_headers_counts() {
        let head = ok(b"GET / HTTP/1.1\r\nHost: a\r\nMcp-Session-Id: one\r\nmcp-session-id: two\r\n\r\n");
        assert_eq!(head.session_id, Some(&b"one"[..]));
        assert_eq!(head.header("MCP-SESSION-ID"), Some(&b"one"[..]));
    }

    #[test]
    fn prefixed_headers() {
        let head =
            ok(b"POST / HTTP/1.1\r\nMcp-Param-Region: eu \r\nHost: a\r\nmcp-param-Id:  7\r\nMcp-Paramx: no\r\n\r\n");
        let params: std::vec::Vec<_> = head.headers_with_prefix("Mcp-Param-").collect();
        assert_eq!(params, [("Region", &b"eu"[..]), ("Id", &b"7"[..])]);
        assert_eq!(head.headers_with_prefix("x-").count(), 0);
    }

    #[test]
    fn keep_alive_rules() {
        let cases: [(&[u8], bool); 7] = [
            (b"GET / HTTP/1.1\r\nHost: a\r\n\r\n", true),
            (b"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", false),
            (b"GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, CLOSE\r\n\r\n", false),
            (b"GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive\r\n\r\n", true),
            (b"GET / HTTP/1.0\r\n\r\n", false),
            (b"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", true),
            (b"GET / HTTP/1.0\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n", false),
        ];
        for (buf, keep_alive) in cases {
            assert_eq!(ok(buf).keep_alive, keep_alive, "{}", core::str::from_utf8(buf).unwrap());
        }
        assert_eq!(ok(b"GET / HTTP/1.0\r\n\r\n").minor_version, 0);
    }

    #[test]
    fn content_length_rules() {
        let with = |value: &str| parse(std::format!("POST / HTTP/1.1\r\nContent-Length: {value}\r\n\r\n").as_bytes());
        assert_eq!(with(" 0 ").unwrap().unwrap().content_length, 0);
        assert_eq!(with("1048576").unwrap().unwrap().content_length, 1 << 20);
        assert_eq!(with("1048577").unwrap_err(), HeadError::BodyTooLarge);
        assert_eq!(with("99999999999999999999999999").unwrap_err(), HeadError::BodyTooLarge);
        for bad in ["", "-1", "+1", "1 2", "0x10", "5, 5", "1e3"] {
            assert_eq!(with(bad).unwrap_err(), HeadError::BadContentLength, "{bad:?}");
        }
        let twice = b"POST / HTTP/1.1\r\nContent-Length: 2\r\ncontent-length: 2\r\n\r\n";
        assert_eq!(parse(twice).unwrap_err(), HeadError::BadContentLength);
        let conflicting = b"POST / HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n";
        assert_eq!(parse(conflicting).unwrap_err(), HeadError::BadContentLength);
        let small = Limits::new(32, 8192, 10);
        let over = b"POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n";
        assert_eq!(parse_with(over, &small).unwrap_err(), HeadError::BodyTooLarge);
        assert_eq!(HeadError::BodyTooLarge.status().code, 413);
    }

    #[test]
    fn transfer_encoding_is_refused() {
        let buf = b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
        assert_eq!(parse(buf).unwrap_err(), HeadError::TransferEncoding);
        assert_eq!(HeadError::TransferEncoding.status().code, 411);
    }

    #[test]
    fn duplicate_host_is_refused() {
        let buf = b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n";
        assert_eq!(parse(buf).unwrap_err(), HeadError::DuplicateHost);
    }

    #[test]
    fn header_count_limit() {
        let mut buf = std::string::String::from("GET / HTTP/1.1\r\n");
        for i in 0..4 {
            buf.push_str(&std::format!("X-{i}: v\r\n"));
        }
        buf.push_str("\r\n");
        let four = Limits::new(4, 8192, 0);
        let three = Limits::new(3, 8192, 0);
        assert!(parse_with(buf.as_bytes(), &four).unwrap().is_some());
        assert_eq!(parse_with(buf.as_bytes(), &three).unwrap_err(), HeadError::TooManyHeaders);
        // The header array's length is a limit too.
        let mut headers = [EMPTY_HEADER; 3];
        assert_eq!(parse_head(buf.as_bytes(), &mut headers, &four).unwrap_err(), HeadError::TooManyHeaders);
        // Also before the head is complete.
        assert_eq!(parse_with(&buf.as_bytes()[..buf.len() - 2], &three).unwrap_err(), HeadError::TooManyHeaders);
        assert_eq!(HeadError::TooManyHeaders.status().code, 431);
    }

    #[test]
    fn head_size_limit() {
        let buf = b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";
        let exact = Limits::new(32, buf.len(), 0);
        let under = Limits::new(32, buf.len() - 1, 0);
        assert!(parse_with(buf, &exact).unwrap().is_some());
        assert_eq!(parse_with(buf, &under).unwrap_err(), HeadError::HeadTooLarge);
        // Incomplete but already at the limit: it can only end past it.
        assert_eq!(parse_with(&buf[..buf.len() - 1], &under).unwrap_err(), HeadError::HeadTooLarge);
        assert!(parse_with(&buf[..buf.len() - 2], &under).unwrap().is_none());
        assert_eq!(HeadError::HeadTooLarge.status().code, 431);
    }

    #[test]
    fn malformed_and_versions() {
        for bad in [&b"GET / HTTP/1.1\r\nBad Header: x\r\n\r\n"[..], b"GET  / HTTP/1.1\r\n\r\n", b"GET / FOO\r\n\r\n"] {
            assert_eq!(parse(bad).unwrap_err(), HeadError::Malformed);
        }
        assert_eq!(parse(b"GET / HTTP/1.x\r\n\r\n").unwrap_err(), HeadError::Malformed);
        for other in [&b"GET / HTTP/2.0\r\n\r\n"[..], b"GET / HTTP/1.2\r\n\r\n", b"PRI * HTTP/2.0\r\n", b"GET / HTTP/3"]
        {
            assert_eq!(parse(other).unwrap_err(), HeadError::UnsupportedVersion);
        }
        assert_eq!(HeadError::UnsupportedVersion.status().code, 505);
        assert_eq!(HeadError::Malformed.status().code, 400);
    }

    #[test]
    fn limits_default() {
        assert_eq!(Limits::default(), Limits { max_headers: 32, max_head_bytes: 8192, max_body_bytes: 1 << 20 });
    }
}
