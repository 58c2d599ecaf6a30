//! The stdio wire of the stdio bench and the soak: what the driver sends and how it
//! checks what comes back.
//!
//! Requests are preformatted byte strings; only the id is written per request.
//! Replies are checked with as little work as possible, so that the driver,
//! which shares one CPU with the server, stays cheap next to it: the id is read
//! from the usual `{"jsonrpc":"2.0","id":` prefix when a reply starts with it
//! (falling back to a scan of the top-level keys), and the echoed text is found
//! by a substring search for the quoted text after a `"text"` key.

use crate::{find, push_decimal, top_level_value, trim_end};

/// The text every `echo` request carries; each reply must echo it back.
macro_rules! echo_text {
    () => {
        "hello from the picomcp stdio bench"
    };
}

/// The id of the `initialize` request; echo requests use ids from 2 on.
pub const INITIALIZE_ID: u64 = 1;

/// The legacy handshake's first request.
pub const INITIALIZE: &[u8] = b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"picomcp-bench\",\"version\":\"0.0.0\"}}}\n";

/// The legacy handshake's closing notification.
pub const INITIALIZED: &[u8] = b"{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n";

/// An echo request is `ECHO_PREFIX`, the id, then `ECHO_SUFFIX`.
const ECHO_PREFIX: &[u8] = b"{\"jsonrpc\":\"2.0\",\"id\":";
const ECHO_SUFFIX: &[u8] = concat!(
    ",\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":\"",
    echo_text!(),
    "\"}}}\n"
)
.as_bytes();

/// Appends the `tools/call` echo request with this `id` to `buf`.
pub fn push_echo_request(buf: &mut Vec<u8>, id: u64) {
    buf.extend_from_slice(ECHO_PREFIX);
    push_decimal(buf, id);
    buf.extend_from_slice(ECHO_SUFFIX);
}

/// What one line from the server is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reply {
    /// A response to request `id`; `echoed` says whether it carries the echoed text.
    Response { id: u64, echoed: bool },
    /// A notification (no id, a method): ignored by the driver.
    Notification,
    /// Anything else: not JSON-RPC the driver understands (counted as an error).
    Invalid,
}

/// Classifies one line (without its newline) sent by the server.
pub fn classify(line: &[u8]) -> Reply {
    let id = match fast_id(line) {
        Some(id) => Some(id),
        None => match top_level_value(line, b"id") {
            Some(value) => match parse_u64(value) {
                Some((id, _)) => Some(id),
                None => return Reply::Invalid, // a null or string id
            },
            None => None,
        },
    };
    match id {
        Some(id) => Reply::Response { id, echoed: has_echoed_text(line) },
        None if top_level_value(line, b"method").is_some() => Reply::Notification,
        None => Reply::Invalid,
    }
}

/// Whether the line is a successful response (has a top-level `result`).
pub fn is_result(line: &[u8]) -> bool {
    top_level_value(line, b"result").is_some()
}

/// The id of a reply that starts the way nearly every server writes it.
fn fast_id(line: &[u8]) -> Option<u64> {
    let rest = line.strip_prefix(b"{\"jsonrpc\":\"2.0\",\"id\":")?;
    match parse_u64(rest)? {
        (id, b',' | b'}') => Some(id),
        _ => None,
    }
}

/// Parses the decimal number at the start of `bytes`; returns it and the byte after it.
fn parse_u64(bytes: &[u8]) -> Option<(u64, u8)> {
    let mut n: u64 = 0;
    let mut len = 0;
    for &b in bytes {
        if !b.is_ascii_digit() {
            break;
        }
        n = n.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
        len += 1;
    }
    if len == 0 {
        return None;
    }
    Some((n, bytes.get(len).copied().unwrap_or(b'\n')))
}

/// Whether the line holds `"text"`, a colon and the quoted `ECHO_TEXT` (any
/// whitespace allowed around the colon).
fn has_echoed_text(line: &[u8]) -> bool {
    const QUOTED: &[u8] = concat!("\"", echo_text!(), "\"").as_bytes();
    let Some(at) = find(line, QUOTED) else {
        return false;
    };
    let before = trim_end(&line[..at]);
    match before.strip_suffix(b":") {
        Some(before) => trim_end(before).ends_with(b"\"text\""),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_formatted() {
        let mut buf = Vec::new();
        push_echo_request(&mut buf, 42);
        let text = String::from_utf8(buf).unwrap();
        assert!(text.starts_with("{\"jsonrpc\":\"2.0\",\"id\":42,\"method\":\"tools/call\""));
        assert!(text.contains(r#"{"text":"hello from the picomcp stdio bench"}"#));
        assert!(text.ends_with("}}}\n"));
    }

    #[test]
    fn replies_are_classified() {
        let compact = br#"{"jsonrpc":"2.0","id":7,"result":{"content":[{"type":"text","text":"hello from the picomcp stdio bench"}]}}"#;
        assert_eq!(classify(compact), Reply::Response { id: 7, echoed: true });
        let spaced = br#"{"result": {"content": [{"text": "hello from the picomcp stdio bench", "type": "text"}]}, "id": 9, "jsonrpc": "2.0"}"#;
        assert_eq!(classify(spaced), Reply::Response { id: 9, echoed: true });
        let wrong = br#"{"jsonrpc":"2.0","id":7,"result":{"content":[{"type":"text","text":"hello"}]}}"#;
        assert_eq!(classify(wrong), Reply::Response { id: 7, echoed: false });
        let error = br#"{"jsonrpc":"2.0","id":3,"error":{"code":-32601,"message":"no"}}"#;
        assert_eq!(classify(error), Reply::Response { id: 3, echoed: false });
        let note = br#"{"jsonrpc":"2.0","method":"notifications/message","params":{"data":{"id":1}}}"#;
        assert_eq!(classify(note), Reply::Notification);
        assert_eq!(classify(br#"{"jsonrpc":"2.0","id":null,"error":{}}"#), Reply::Invalid);
        assert_eq!(classify(b"garbage"), Reply::Invalid);
    }

    #[test]
    fn initialize_results_are_recognised() {
        assert!(is_result(br#"{"jsonrpc":"2.0","id":1,"result":{"protocolVersion":"2025-11-25"}}"#));
        assert!(!is_result(br#"{"jsonrpc":"2.0","id":1,"error":{"code":1,"message":"result"}}"#));
    }
}
