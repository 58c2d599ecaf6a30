//! The pieces, all `no_std` and allocation-free, that an HTTP driver of MCP's Streamable
//! HTTP transport puts together. They know HTTP only: no JSON-RPC, no sessions.
//!
//! - [`parse_head`](crate::http::parse_head): a request head (with `httparse`), checked
//!   against [`Limits`](crate::http::Limits), with the headers MCP reads picked out into a
//!   [`RequestHead`](crate::http::RequestHead);
//! - [`next_request`](crate::http::next_request) and [`Pipeline`](crate::http::Pipeline):
//!   where each request on a connection ends (`Content-Length` bodies, pipelining), and
//!   when the connection may take the next one;
//! - [`AllowList`](crate::http::AllowList): `Host` and `Origin` checks against DNS rebinding;
//! - [`decode_value`](crate::http::decode_value): the `=?base64?…?=` encoding of MCP header
//!   values;
//! - [`ResponseHead`](crate::http::ResponseHead), [`write_chunk`](crate::http::write_chunk),
//!   [`SseEvent`](crate::http::SseEvent): response heads, chunked transfer coding and
//!   server-sent events, written into a [`Sink`](crate::Sink).
//!
//! ```
//! use picomcp::http::{EMPTY_HEADER, Limits, Method, parse_head};
//!
//! let buf = b"POST /mcp HTTP/1.1\r\nHost: localhost:3000\r\nContent-Length: 2\r\n\r\n{}";
//! let mut headers = [EMPTY_HEADER; 32];
//! let head = parse_head(buf, &mut headers, &Limits::DEFAULT).unwrap().unwrap();
//! assert_eq!(head.method, Method::Post);
//! assert_eq!(head.body(buf), Some(&b"{}"[..]));
//! ```

mod auth;
mod endpoint;
mod head;
mod header_value;
mod media;
mod origin;
mod params;
mod pipeline;
mod response;
#[cfg(feature = "std")]
pub mod serve;
mod sse;

pub use auth::{Access, ProtectedResource, StrList, WELL_KNOWN};
pub use endpoint::{Conn, Connections, Endpoint, EndpointConfig, Handled};
pub use head::{HeadError, Limits, Method, RequestHead, parse_head};
pub use header_value::{BadValue, decode_value};
pub use httparse::{EMPTY_HEADER, Header};
pub use origin::{AllowList, Denied};
pub use pipeline::{NextRequest, Pipeline, next_request};
pub use response::{Framing, ResponseHead, Status, write_chunk, write_chunk_header, write_last_chunk};
pub use sse::SseEvent;

/// `bytes` without the spaces and tabs (HTTP's optional whitespace) around it.
pub(crate) fn trim_ows(mut bytes: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = bytes {
        bytes = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = bytes {
        bytes = rest;
    }
    bytes
}

/// The trimmed, non-empty elements of a comma-separated header value (`a, b,,c`).
pub(crate) fn list_items(value: &[u8]) -> impl Iterator<Item = &[u8]> {
    value.split(|&b| b == b',').map(trim_ows).filter(|item| !item.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_spaces_and_tabs_only() {
        assert_eq!(trim_ows(b" \t a b\t "), b"a b");
        assert_eq!(trim_ows(b"   "), b"");
        assert_eq!(trim_ows(b"\x0bx\x0b"), b"\x0bx\x0b");
    }

    #[test]
    fn list_items_skip_empty_elements() {
        let mut items = list_items(b" a ,, b\t,");
        assert_eq!(items.next(), Some(&b"a"[..]));
        assert_eq!(items.next(), Some(&b"b"[..]));
        assert_eq!(items.next(), None);
    }
}
