//! Server-sent events: one JSON message per event, on one `data:` line.

use crate::json::{self, u32_digits};
use crate::{Error, Sink};

use super::response::write_chunk_header;

/// One server-sent event: an optional `id:`, an optional `retry:`, one `data:` line.
///
/// Its length is known before it is written ([`SseEvent::encoded_len`]), so it can go out
/// as one chunk of a chunked body without a copy ([`SseEvent::write_chunk`]).
///
/// ```
/// use picomcp::http::SseEvent;
///
/// let mut out = [0u8; 64];
/// let mut cursor = &mut out[..];
/// let event = SseEvent::message(br#"{"jsonrpc":"2.0"}"#).id(b"7");
/// event.write(&mut cursor).unwrap();
/// let n = 64 - cursor.len();
/// assert_eq!(&out[..n], b"id: 7\ndata: {\"jsonrpc\":\"2.0\"}\n\n");
/// assert_eq!(n, event.encoded_len());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use]
pub struct SseEvent<'a> {
    id: Option<&'a [u8]>,
    retry: Option<u32>,
    data: &'a [u8],
}

impl<'a> SseEvent<'a> {
    /// An event carrying the JSON message `json`: `data: <json>`.
    ///
    /// A line break in `json` is sent as a space, so the event stays one `data:` line and
    /// its length does not change: outside strings JSON line breaks are whitespace, inside
    /// them they are escaped (the crate's JSON writer never emits them).
    pub const fn message(json: &'a [u8]) -> Self {
        Self { id: None, retry: None, data: json }
    }

    /// The priming event of a stream: `id: <id>`, `retry: <retry_ms>` and an empty
    /// `data:`, so a client that reconnects after `retry_ms` sends `Last-Event-ID`.
    pub const fn priming(id: &'a [u8], retry_ms: u32) -> Self {
        Self { id: Some(id), retry: Some(retry_ms), data: b"" }
    }

    /// With the event id `id` (visible ASCII, no CR or LF).
    pub const fn id(mut self, id: &'a [u8]) -> Self {
        self.id = Some(id);
        self
    }

    /// Bytes [`SseEvent::write`] writes.
    pub fn encoded_len(&self) -> usize {
        let id = self.id.map_or(0, |id| "id: \n".len() + id.len());
        let retry = self.retry.map_or(0, |ms| "retry: \n".len() + u32_digits(ms, &mut [0; 10]).len());
        let data = if self.data.is_empty() { "data:\n\n".len() } else { "data: \n\n".len() + self.data.len() };
        id + retry + data
    }

    /// Write the event.
    pub fn write(&self, out: &mut dyn Sink) -> Result<(), Error> {
        if let Some(id) = self.id {
            out.write(b"id: ")?;
            out.write(id)?;
            out.write(b"\n")?;
        }
        if let Some(ms) = self.retry {
            out.write(b"retry: ")?;
            out.write(u32_digits(ms, &mut [0; 10]))?;
            out.write(b"\n")?;
        }
        if self.data.is_empty() {
            return out.write(b"data:\n\n");
        }
        out.write(b"data: ")?;
        json::value_raw(out, self.data)?;
        out.write(b"\n\n")
    }

    /// Write the event as one chunk of a chunked body.
    pub fn write_chunk(&self, out: &mut dyn Sink) -> Result<(), Error> {
        write_chunk_header(out, self.encoded_len())?;
        self.write(out)?;
        out.write(b"\r\n")
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use crate::http::response::tests::written;

    fn check(event: SseEvent<'_>, want: &[u8]) {
        let bytes = written(|o| event.write(o));
        assert_eq!(bytes, want, "{}", std::string::String::from_utf8_lossy(&bytes));
        assert_eq!(event.encoded_len(), want.len());
        let mut chunk = std::format!("{:x}\r\n", want.len()).into_bytes();
        chunk.extend_from_slice(want);
        chunk.extend_from_slice(b"\r\n");
        assert_eq!(written(|o| event.write_chunk(o)), chunk);
    }

    #[test]
    fn messages() {
        check(SseEvent::message(b"{}"), b"data: {}\n\n");
        check(SseEvent::message(b"[1]").id(b"s1-42"), b"id: s1-42\ndata: [1]\n\n");
        check(SseEvent::message(b"{\n\"a\":\r\n1}"), b"data: { \"a\":  1}\n\n");
        let long = [b'7'; 300];
        let event = SseEvent::message(&long);
        assert_eq!(event.encoded_len(), 308);
        assert!(written(|o| event.write_chunk(o)).starts_with(b"134\r\ndata: 777"));
    }

    #[test]
    fn priming() {
        check(SseEvent::priming(b"0", 1000), b"id: 0\nretry: 1000\ndata:\n\n");
        check(SseEvent::priming(b"abc", 0), b"id: abc\nretry: 0\ndata:\n\n");
        check(SseEvent::priming(b"x", u32::MAX), b"id: x\nretry: 4294967295\ndata:\n\n");
    }
}
