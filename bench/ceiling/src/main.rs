//! The ceiling of the stdio benchmark: a hand-written, std-only echo server.
//!
//! It is no MCP implementation. It understands exactly the lines the bench
//! driver sends, by plain string scanning (no JSON parser), and nothing else:
//!
//! - a request with an `id` whose method is `initialize` gets a canned result;
//! - a request with an `id` and a `"text":"..."` argument (the driver's
//!   `tools/call` of `echo`) gets
//!   `{"jsonrpc":"2.0","id":<id>,"result":{"content":[{"type":"text","text":<text>}]}}`;
//! - any other request with an `id` gets an empty result;
//! - lines without an `id` (notifications) get nothing.
//!
//! The id and the text are copied byte for byte, so they stay valid JSON.
//!
//! Input is read in 64 KiB chunks straight from the locked stdin; replies go to
//! a 64 KiB buffer that is flushed only when every complete line read so far
//! has been answered. A sequential round trip therefore costs two syscalls (one
//! `read`, one `write`), and pipelined requests are answered in batches.

use std::io::{self, BufWriter, Read, Write};

/// The canned result of `initialize`.
const INITIALIZE_RESULT: &[u8] = br#"{"protocolVersion":"2025-11-25","capabilities":{"tools":{}},"serverInfo":{"name":"ceiling-echo","version":"0.0.0"}}"#;

fn main() -> io::Result<()> {
    let mut input = io::stdin().lock();
    let mut out = BufWriter::with_capacity(64 * 1024, io::stdout().lock());
    let mut buf = vec![0u8; 64 * 1024];
    // buf[start..end] holds bytes read but not yet answered.
    let (mut start, mut end) = (0, 0);
    loop {
        // Answer every complete line in the buffer.
        while let Some(len) = buf[start..end].iter().position(|&b| b == b'\n') {
            answer(&buf[start..start + len], &mut out)?;
            start += len + 1;
        }
        // Nothing complete is left: flush, then keep the partial line and read more.
        out.flush()?;
        buf.copy_within(start..end, 0);
        end -= start;
        start = 0;
        if end == buf.len() {
            buf.resize(buf.len() * 2, 0); // a line longer than the buffer
        }
        let n = input.read(&mut buf[end..])?;
        if n == 0 {
            return Ok(());
        }
        end += n;
    }
}

/// Writes the reply to one request line, if it needs one.
fn answer(line: &[u8], out: &mut impl Write) -> io::Result<()> {
    let Some(id) = raw_value(line, b"\"id\":") else {
        return Ok(()); // a notification
    };
    out.write_all(br#"{"jsonrpc":"2.0","id":"#)?;
    out.write_all(id)?;
    if find(line, br#""method":"initialize""#).is_some() {
        out.write_all(br#","result":"#)?;
        out.write_all(INITIALIZE_RESULT)?;
        out.write_all(b"}\n")
    } else if let Some(text) = raw_string(line, b"\"text\":\"") {
        out.write_all(br#","result":{"content":[{"type":"text","text":""#)?;
        out.write_all(text)?;
        out.write_all(b"\"}]}}\n")
    } else {
        out.write_all(b",\"result\":{}}\n")
    }
}

/// The raw bytes of the number or string after `key`, up to the next `,` or `}`.
fn raw_value<'a>(line: &'a [u8], key: &[u8]) -> Option<&'a [u8]> {
    let from = find(line, key)? + key.len();
    let len = line[from..].iter().position(|&b| b == b',' || b == b'}')?;
    Some(&line[from..from + len])
}

/// The raw (still escaped) contents of the string that `key` opens.
fn raw_string<'a>(line: &'a [u8], key: &[u8]) -> Option<&'a [u8]> {
    let from = find(line, key)? + key.len();
    let mut i = from;
    while i < line.len() {
        match line[i] {
            b'\\' => i += 2,
            b'"' => return Some(&line[from..i]),
            _ => i += 1,
        }
    }
    None
}

/// The position of the first occurrence of `needle` in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
