//! Requests on one connection, sans-IO: where the next request in the bytes read so far
//! ends (its head, then `Content-Length` bytes of body), and when the connection may take
//! it.
//!
//! HTTP/1.1 answers a connection's requests in order, one at a time. So a driver takes
//! the next request only once the previous answer is complete ([`Pipeline::is_free`]).
//! Until then, pipelined requests wait in its input. After a head is refused, the stream
//! cannot be resynchronised: the driver answers the error and closes the connection.

use httparse::Header;

use super::head::{HeadError, Limits, RequestHead, parse_head};

/// What [`next_request`] found at the start of the input.
#[derive(Clone, Copy, Debug)]
#[allow(clippy::large_enum_variant)] // a return value, used at once (boxing needs alloc)
pub enum NextRequest<'a> {
    /// Not a whole request yet: read more and call again with the grown input.
    Incomplete,
    /// A refused head. Answer [`HeadError::status`] with `Connection: close`, drop the
    /// input, and close once the answer is out.
    Bad(HeadError),
    /// A whole request.
    Ready {
        /// Its head.
        head: RequestHead<'a>,
        /// Its body: the `Content-Length` bytes after the head.
        body: &'a [u8],
        /// Bytes of the request (head and body) at the start of the input. The next
        /// request starts after them.
        consumed: usize,
    },
}

/// The request at the start of `input`, if it is all there, with the head checked against
/// `limits`. `headers` receives the header lines, as in [`parse_head`].
pub fn next_request<'h, 'b: 'h>(input: &'b [u8], headers: &'h mut [Header<'b>], limits: &Limits) -> NextRequest<'h> {
    let head = match parse_head(input, headers, limits) {
        Ok(Some(head)) => head,
        Ok(None) => return NextRequest::Incomplete,
        Err(e) => return NextRequest::Bad(e),
    };
    match head.body(input) {
        Some(body) => NextRequest::Ready { head, body, consumed: head.message_len() },
        None => NextRequest::Incomplete,
    }
}

/// The request state of one connection: whether an answer is in progress, and whether
/// the connection closes once its output is out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pipeline {
    answering: bool,
    close_after: bool,
}

impl Pipeline {
    /// A new connection: free, and kept open.
    pub const fn new() -> Self {
        Self { answering: false, close_after: false }
    }

    /// Whether the connection may take its next request: no answer is in progress and it
    /// is not closing. (A driver also waits while the connection carries a stream:
    /// [`Endpoint::is_streaming`](super::Endpoint::is_streaming).)
    pub const fn is_free(&self) -> bool {
        !self.answering && !self.close_after
    }

    /// Whether to close the connection once its output is out.
    pub const fn close_after(&self) -> bool {
        self.close_after
    }

    /// [`next_request`], and what it means for the connection: a [`NextRequest::Ready`]
    /// request is being answered until [`Pipeline::finish`]; after [`NextRequest::Bad`]
    /// the connection closes.
    pub fn next_request<'h, 'b: 'h>(
        &mut self,
        input: &'b [u8],
        headers: &'h mut [Header<'b>],
        limits: &Limits,
    ) -> NextRequest<'h> {
        let next = next_request(input, headers, limits);
        match next {
            NextRequest::Incomplete => {}
            NextRequest::Bad(_) => self.close_after = true,
            NextRequest::Ready { .. } => self.answering = true,
        }
        next
    }

    /// The request [`Pipeline::next_request`] gave was not taken (the endpoint held it):
    /// the connection is free again, and the same request comes next.
    pub fn hold(&mut self) {
        self.answering = false;
    }

    /// The answer is complete (as [`Connections::finish`](super::Connections::finish)
    /// says): the connection is free for its next request, or closes when `keep_alive`
    /// is false.
    pub fn finish(&mut self, keep_alive: bool) {
        self.answering = false;
        self.close_after |= !keep_alive;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use httparse::EMPTY_HEADER;
    use std::string::String;
    use std::vec::Vec;

    const GET: &[u8] = b"GET /mcp HTTP/1.1\r\nHost: a\r\n\r\n";
    const POST: &[u8] = b"POST /mcp HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\n{}";

    /// The request at the start of `input` as (path, body, consumed); `Err` for the others.
    fn next(input: &[u8], limits: &Limits) -> Result<(String, Vec<u8>, usize), Option<HeadError>> {
        let mut headers = [EMPTY_HEADER; 16];
        match next_request(input, &mut headers, limits) {
            NextRequest::Ready { head, body, consumed } => Ok((head.path.into(), body.to_vec(), consumed)),
            NextRequest::Incomplete => Err(None),
            NextRequest::Bad(e) => Err(Some(e)),
        }
    }

    #[test]
    fn a_whole_request() {
        assert_eq!(next(POST, &Limits::DEFAULT), Ok(("/mcp".into(), b"{}".to_vec(), POST.len())));
        assert_eq!(next(GET, &Limits::DEFAULT), Ok(("/mcp".into(), Vec::new(), GET.len())));
    }

    #[test]
    fn split_heads_and_missing_body_bytes_are_incomplete() {
        for end in 0..POST.len() {
            assert_eq!(next(&POST[..end], &Limits::DEFAULT), Err(None), "{end}");
        }
        assert_eq!(next(b"", &Limits::DEFAULT), Err(None));
    }

    #[test]
    fn pipelined_requests_one_at_a_time() {
        let mut input = Vec::new();
        input.extend_from_slice(POST);
        input.extend_from_slice(GET);
        input.extend_from_slice(&POST[..10]);
        let (_, body, consumed) = next(&input, &Limits::DEFAULT).unwrap();
        assert_eq!((body.as_slice(), consumed), (&b"{}"[..], POST.len()));
        let rest = &input[consumed..];
        let (_, body, consumed) = next(rest, &Limits::DEFAULT).unwrap();
        assert_eq!((body.len(), consumed), (0, GET.len()));
        assert_eq!(next(&rest[consumed..], &Limits::DEFAULT), Err(None));
    }

    #[test]
    fn refused_heads() {
        let small = Limits::new(16, 24, 1);
        // A head past the limit, complete or not.
        assert_eq!(next(GET, &small), Err(Some(HeadError::HeadTooLarge)));
        assert_eq!(next(&[b'G'; 24], &small), Err(Some(HeadError::HeadTooLarge)));
        // A body past the limit, refused on its head, before its bytes arrive.
        let limits = Limits::new(16, 1024, 1);
        assert_eq!(next(b"POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\n", &limits), Err(Some(HeadError::BodyTooLarge)));
        assert_eq!(next(b"POST / HTTP/1.1\r\nContent-Length: 1\r\n\r\n", &limits), Err(None));
        assert_eq!(HeadError::BodyTooLarge.status().code, 413);
        for bad in ["x", "-1", "1, 1", ""] {
            let input = std::format!("POST / HTTP/1.1\r\nContent-Length: {bad}\r\n\r\n");
            assert_eq!(next(input.as_bytes(), &Limits::DEFAULT), Err(Some(HeadError::BadContentLength)), "{bad:?}");
        }
        assert_eq!(next(b"GET / HTTP/1.1\r\nno colon\r\n\r\n", &Limits::DEFAULT), Err(Some(HeadError::Malformed)));
    }

    #[test]
    fn pipeline_state() {
        let mut p = Pipeline::new();
        assert!(p.is_free() && !p.close_after());
        let mut headers = [EMPTY_HEADER; 16];
        assert!(matches!(p.next_request(&POST[..5], &mut headers, &Limits::DEFAULT), NextRequest::Incomplete));
        assert!(p.is_free());
        let mut headers = [EMPTY_HEADER; 16];
        assert!(matches!(p.next_request(POST, &mut headers, &Limits::DEFAULT), NextRequest::Ready { .. }));
        assert!(!p.is_free() && !p.close_after());
        p.finish(true);
        assert_eq!(p, Pipeline::default());
        p.finish(false);
        assert!(!p.is_free() && p.close_after());

        let mut p = Pipeline::new();
        let mut headers = [EMPTY_HEADER; 16];
        let bad = b"POST / HTTP/1.1\r\nContent-Length: x\r\n\r\n";
        assert!(matches!(p.next_request(bad, &mut headers, &Limits::DEFAULT), NextRequest::Bad(_)));
        assert!(!p.is_free() && p.close_after());
        // Closing is for good: a later keep-alive answer does not undo it.
        p.finish(true);
        assert!(p.close_after());
    }
}
