//! Shared by `http_endpoint.rs` and `access.rs`: a fake HTTP driver's connections that
//! collect what the endpoint sends, and a parser of the responses in those bytes.

#![allow(dead_code, unreachable_pub)] // each test binary uses its own part

use std::collections::HashMap;

use picomcp::Error;
use picomcp::http::{Conn, Connections};
use serde_json::Value;

// ---------------------------------------------------------------------------------------
// The fake driver
// ---------------------------------------------------------------------------------------

/// Collects the bytes sent on each connection and every `finish`.
#[derive(Default)]
pub struct Conns {
    pub out: HashMap<Conn, Vec<u8>>,
    pub finished: Vec<(Conn, bool)>,
}

impl Connections for Conns {
    fn send(&mut self, conn: Conn, bytes: &[u8]) -> Result<(), Error> {
        self.out.entry(conn).or_default().extend_from_slice(bytes);
        Ok(())
    }

    fn finish(&mut self, conn: Conn, keep_alive: bool) {
        self.finished.push((conn, keep_alive));
    }
}

/// One parsed response (its body possibly still open, for a stream).
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    /// The body: a JSON response's bytes, or the concatenated chunks of a chunked one.
    pub body: Vec<u8>,
    /// The chunks of a chunked body, each as sent.
    pub chunks: Vec<Vec<u8>>,
    /// Whether the body is complete (length reached, last chunk seen).
    pub complete: bool,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The JSON body.
    #[track_caller]
    pub fn json(&self) -> Value {
        assert_eq!(self.header("content-type"), Some("application/json"), "{self:?}");
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {self:?}"))
    }

    /// The messages of an event stream: each chunk must be exactly one `data:` line event.
    #[track_caller]
    pub fn events(&self) -> Vec<(String, Value)> {
        assert_eq!(self.header("content-type"), Some("text/event-stream"), "{self:?}");
        self.chunks
            .iter()
            .map(|chunk| {
                let text = std::str::from_utf8(chunk).expect("UTF-8 event");
                let line = text
                    .strip_prefix("data: ")
                    .and_then(|t| t.strip_suffix("\n\n"))
                    .unwrap_or_else(|| panic!("a chunk that is not one data: line event: {text:?}"));
                assert!(!line.contains('\n'), "one line per event: {text:?}");
                let value = serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
                (line.to_owned(), value)
            })
            .collect()
    }
}

/// Parse the responses in `bytes`, in order; the last may be an open stream.
pub fn parse_responses(mut bytes: &[u8]) -> Vec<Response> {
    let mut all = Vec::new();
    while !bytes.is_empty() {
        let end = bytes.windows(4).position(|w| w == b"\r\n\r\n").expect("a complete head") + 4;
        let head = std::str::from_utf8(&bytes[..end - 4]).expect("ASCII head");
        let mut lines = head.split("\r\n");
        let status_line = lines.next().unwrap();
        let mut parts = status_line.splitn(3, ' ');
        assert_eq!(parts.next(), Some("HTTP/1.1"), "{status_line}");
        let status: u16 = parts.next().unwrap().parse().unwrap();
        assert!(!parts.next().unwrap_or_default().is_empty(), "a reason phrase: {status_line}");
        let headers: Vec<(String, String)> = lines
            .map(|l| {
                let (n, v) = l.split_once(": ").unwrap_or_else(|| panic!("bad header line {l:?}"));
                (n.to_owned(), v.to_owned())
            })
            .collect();
        let mut response = Response { status, headers, body: Vec::new(), chunks: Vec::new(), complete: false };
        let mut rest = &bytes[end..];
        if response.header("transfer-encoding") == Some("chunked") {
            assert!(response.header("content-length").is_none());
            while let Some(line_end) = rest.windows(2).position(|w| w == b"\r\n") {
                let size = usize::from_str_radix(std::str::from_utf8(&rest[..line_end]).unwrap(), 16)
                    .unwrap_or_else(|_| panic!("bad chunk size in {:?}", String::from_utf8_lossy(rest)));
                if size == 0 {
                    assert_eq!(&rest[line_end..line_end + 4], b"\r\n\r\n", "the last chunk");
                    rest = &rest[line_end + 4..];
                    response.complete = true;
                    break;
                }
                let data = &rest[line_end + 2..line_end + 2 + size];
                assert_eq!(&rest[line_end + 2 + size..line_end + 4 + size], b"\r\n", "chunk end");
                response.chunks.push(data.to_vec());
                response.body.extend_from_slice(data);
                rest = &rest[line_end + 4 + size..];
            }
        } else if let Some(len) = response.header("content-length") {
            let len: usize = len.parse().unwrap();
            response.body = rest[..len].to_vec();
            rest = &rest[len..];
            response.complete = true;
        } else {
            // Until close: events without chunks.
            response.body = rest.to_vec();
            response.chunks = rest.split_inclusive(|&b| b == b'\n').map(<[u8]>::to_vec).collect::<Vec<_>>();
            rest = &[];
        }
        let stop = !response.complete;
        all.push(response);
        if stop {
            assert!(rest.is_empty(), "bytes after an open body");
            break;
        }
        bytes = rest;
    }
    all
}
