//! The HTTP request parser: bytes arriving in arbitrary splits on one connection, taken
//! request by request as a driver would. Never a panic; a request once complete stays
//! the same whatever arrives after it; consumed lengths move forward.

#![no_main]

use libfuzzer_sys::fuzz_target;
use picomcp::http::{EMPTY_HEADER, Limits, NextRequest, Pipeline, decode_value};
use picomcp_fuzz::Splits;

// The first byte seeds the sizes of the reads (its low bit picks small limits); the rest
// is what arrives on the connection.
fuzz_target!(|input: &[u8]| {
    let Some((&seed, data)) = input.split_first() else { return };
    let limits = if seed & 1 == 1 { Limits::new(4, 128, 64) } else { Limits::DEFAULT };
    let mut splits = Splits::new(seed);
    let mut pipeline = Pipeline::new();
    let mut buf: Vec<u8> = Vec::new();
    let mut rest = data;
    let mut closed = false;
    while !rest.is_empty() && !closed {
        let n = rest.len().min(splits.next(300));
        buf.extend_from_slice(&rest[..n]);
        rest = &rest[n..];
        while pipeline.is_free() {
            let mut headers = [EMPTY_HEADER; 32];
            let consumed = match pipeline.next_request(&buf, &mut headers, &limits) {
                NextRequest::Incomplete => break,
                NextRequest::Bad(e) => {
                    let _ = e.status();
                    closed = true;
                    break;
                }
                NextRequest::Ready { head, body, consumed } => {
                    assert!(consumed > 0 && consumed <= buf.len());
                    assert_eq!(head.message_len(), consumed);
                    assert_eq!(head.body(&buf), Some(body));
                    assert!(body.len() <= limits.max_body_bytes);
                    assert!(consumed - body.len() <= limits.max_head_bytes);
                    // Everything the head offers answers without a panic.
                    let _ = (head.path_without_query(), head.query(), head.accepts_json(), head.accepts_event_stream());
                    let _ = head.content_type_is_json();
                    for h in head.headers() {
                        let _ = head.header(h.name);
                        let mut out = [0u8; 64];
                        let _ = decode_value(h.value, &mut out);
                    }
                    let _ = head.headers_with_prefix("mcp-").count();
                    // More bytes after a complete request do not change it.
                    let mut longer = buf[..consumed].to_vec();
                    longer.extend_from_slice(b"GET / HTTP/1.1\r\n");
                    let mut headers2 = [EMPTY_HEADER; 32];
                    match picomcp::http::next_request(&longer, &mut headers2, &limits) {
                        NextRequest::Ready { consumed: c, body: b, .. } => assert_eq!((c, b), (consumed, body)),
                        other => panic!("a complete request read differently with more input: {other:?}"),
                    }
                    consumed
                }
            };
            buf.drain(..consumed);
            pipeline.finish(true);
        }
    }
});
