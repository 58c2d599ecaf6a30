//! A minimal HTTP/1.1 client: one keep-alive `TcpStream` (with `TCP_NODELAY`),
//! each request written with one `write`, responses read whole.
//!
//! A response body is delimited by `Content-Length`, by chunked transfer
//! encoding, or (with neither) by the server closing the connection; after a
//! close-delimited body or a `Connection: close` header the next request opens
//! a new connection (counted in [`Connection::reconnects`]).

pub use bench_common::find;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// Where the MCP endpoint is: `http://HOST:PORT/PATH`.
#[derive(Debug, Clone)]
pub struct Url {
    /// `HOST:PORT`, for the `Host` header and for connecting.
    pub authority: String,
    /// The path, from its `/`.
    pub path: String,
}

impl Url {
    /// Parses `http://host:port/path` (the port defaults to 80, the path to `/`).
    pub fn parse(url: &str) -> Result<Url, String> {
        let rest = url.strip_prefix("http://").ok_or_else(|| format!("{url}: only http:// URLs are supported"))?;
        let (authority, path) = match rest.find('/') {
            Some(at) => (&rest[..at], &rest[at..]),
            None => (rest, "/"),
        };
        if authority.is_empty() {
            return Err(format!("{url}: no host"));
        }
        let authority = if authority.rsplit_once(':').is_some_and(|(_, port)| port.parse::<u16>().is_ok()) {
            authority.to_string()
        } else {
            format!("{authority}:80")
        };
        Ok(Url { authority, path: path.to_string() })
    }
}

/// One response, its buffers reused from one request to the next.
#[derive(Debug, Default)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// The status line and headers, without the blank line that ends them.
    pub head: Vec<u8>,
    /// The body (chunked encoding removed).
    pub body: Vec<u8>,
    /// Whether the server closes the connection after this response.
    pub closes: bool,
}

impl Response {
    /// The value of the first header with this name (ASCII case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        let head = std::str::from_utf8(&self.head).ok()?;
        head.split("\r\n").skip(1).find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.trim().eq_ignore_ascii_case(name).then(|| value.trim())
        })
    }

    /// The media type of the body (`Content-Type` without parameters), lower-cased.
    pub fn media_type(&self) -> String {
        self.header("content-type")
            .map(|v| v.split(';').next().unwrap_or_default().trim().to_ascii_lowercase())
            .unwrap_or_default()
    }
}

/// A keep-alive connection to one server.
pub struct Connection {
    authority: String,
    stream: Option<TcpStream>,
    /// Bytes read and not yet consumed are `buf[start..end]`.
    buf: Vec<u8>,
    start: usize,
    end: usize,
    timeout: Duration,
    /// How many times a connection was opened after the first.
    pub reconnects: u64,
    opened: bool,
}

impl Connection {
    /// A connection to `authority` (`host:port`), opened at the first request.
    /// A read that waits longer than `timeout` fails the request.
    pub fn new(authority: &str, timeout: Duration) -> Connection {
        Connection {
            authority: authority.to_string(),
            stream: None,
            buf: vec![0; 64 * 1024],
            start: 0,
            end: 0,
            timeout,
            reconnects: 0,
            opened: false,
        }
    }

    /// Writes `request` (one `write_all` of one buffer) and reads the whole response into `response`.
    pub fn exchange(&mut self, request: &[u8], response: &mut Response) -> Result<(), String> {
        if self.stream.is_none() {
            self.connect()?;
        }
        let stream = self.stream.as_mut().expect("connected");
        if let Err(e) = stream.write_all(request) {
            self.stream = None;
            return Err(format!("writing the request: {e}"));
        }
        let result = self.read_response(response);
        if result.is_err() || response.closes {
            self.stream = None;
            self.start = 0;
            self.end = 0;
        }
        result
    }

    fn connect(&mut self) -> Result<(), String> {
        let stream =
            TcpStream::connect(&self.authority).map_err(|e| format!("connecting to {}: {e}", self.authority))?;
        stream.set_nodelay(true).map_err(|e| format!("TCP_NODELAY: {e}"))?;
        stream.set_read_timeout(Some(self.timeout)).map_err(|e| format!("read timeout: {e}"))?;
        self.stream = Some(stream);
        self.start = 0;
        self.end = 0;
        if self.opened {
            self.reconnects += 1;
        }
        self.opened = true;
        Ok(())
    }

    fn read_response(&mut self, response: &mut Response) -> Result<(), String> {
        response.body.clear();
        // Interim (1xx) responses are skipped.
        loop {
            self.read_head(response)?;
            if !(100..200).contains(&response.status) {
                break;
            }
        }
        let mut chunked = false;
        let mut length = None;
        response.closes = false;
        {
            let head = std::str::from_utf8(&response.head).map_err(|_| "the response head is not UTF-8")?;
            for line in head.split("\r\n").skip(1) {
                let Some((key, value)) = line.split_once(':') else { continue };
                let (key, value) = (key.trim(), value.trim());
                if key.eq_ignore_ascii_case("content-length") {
                    length = Some(value.parse::<usize>().map_err(|_| format!("bad Content-Length: {value}"))?);
                } else if key.eq_ignore_ascii_case("transfer-encoding") {
                    chunked = value.to_ascii_lowercase().split(',').any(|v| v.trim() == "chunked");
                } else if key.eq_ignore_ascii_case("connection") {
                    response.closes |= value.to_ascii_lowercase().split(',').any(|v| v.trim() == "close");
                }
            }
        }
        if response.status == 204 || response.status == 304 {
            return Ok(());
        }
        if chunked {
            self.read_chunked(&mut response.body)
        } else if let Some(n) = length {
            self.read_exact_into(n, &mut response.body)
        } else {
            response.closes = true;
            self.read_to_close(&mut response.body)
        }
    }

    /// Reads the status line and headers into `response.head`.
    fn read_head(&mut self, response: &mut Response) -> Result<(), String> {
        let mut scanned: usize = 0;
        loop {
            let window = &self.buf[self.start..self.end];
            if let Some(at) = find(&window[scanned.saturating_sub(3)..], b"\r\n\r\n") {
                let at = scanned.saturating_sub(3) + at;
                response.head.clear();
                response.head.extend_from_slice(&window[..at]);
                self.start += at + 4;
                break;
            }
            scanned = window.len();
            if self.fill()? == 0 {
                return Err(if scanned == 0 {
                    "the server closed the connection instead of answering".into()
                } else {
                    "the server closed the connection in the middle of the response head".into()
                });
            }
        }
        let line = response.head.split(|&b| b == b'\r').next().unwrap_or_default();
        let mut words = line.split(|&b| b == b' ');
        let version = words.next().unwrap_or_default();
        let status = words.next().and_then(|s| std::str::from_utf8(s).ok()).and_then(|s| s.parse().ok());
        match status {
            Some(status) if version.starts_with(b"HTTP/1.") => {
                response.status = status;
                Ok(())
            }
            _ => Err(format!("not an HTTP/1.x status line: {}", String::from_utf8_lossy(line))),
        }
    }

    /// Reads a chunked body (and its trailers) into `body`.
    fn read_chunked(&mut self, body: &mut Vec<u8>) -> Result<(), String> {
        loop {
            let line = self.read_line()?;
            let size = line.split(|&b| b == b';').next().unwrap_or_default();
            let size = std::str::from_utf8(size)
                .ok()
                .and_then(|s| usize::from_str_radix(s.trim(), 16).ok())
                .ok_or_else(|| format!("bad chunk size line: {}", String::from_utf8_lossy(&line)))?;
            if size == 0 {
                // Trailers, up to the blank line.
                while !self.read_line()?.is_empty() {}
                return Ok(());
            }
            self.read_exact_into(size, body)?;
            if !self.read_line()?.is_empty() {
                return Err("a chunk is not followed by CRLF".into());
            }
        }
    }

    /// One line without its CRLF.
    fn read_line(&mut self) -> Result<Vec<u8>, String> {
        loop {
            if let Some(at) = find(&self.buf[self.start..self.end], b"\r\n") {
                let line = self.buf[self.start..self.start + at].to_vec();
                self.start += at + 2;
                return Ok(line);
            }
            if self.fill()? == 0 {
                return Err("the server closed the connection in the middle of a chunked body".into());
            }
        }
    }

    /// Appends exactly `n` body bytes to `body`.
    fn read_exact_into(&mut self, mut n: usize, body: &mut Vec<u8>) -> Result<(), String> {
        loop {
            let take = n.min(self.end - self.start);
            body.extend_from_slice(&self.buf[self.start..self.start + take]);
            self.start += take;
            n -= take;
            if n == 0 {
                return Ok(());
            }
            if self.fill()? == 0 {
                return Err("the server closed the connection in the middle of the body".into());
            }
        }
    }

    /// Appends everything up to the end of the connection to `body`.
    fn read_to_close(&mut self, body: &mut Vec<u8>) -> Result<(), String> {
        loop {
            body.extend_from_slice(&self.buf[self.start..self.end]);
            self.start = self.end;
            if self.fill()? == 0 {
                return Ok(());
            }
        }
    }

    /// Reads more bytes into the buffer; 0 at the end of the connection.
    fn fill(&mut self) -> Result<usize, String> {
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        } else if self.end == self.buf.len() {
            if self.start > 0 {
                self.buf.copy_within(self.start..self.end, 0);
                self.end -= self.start;
                self.start = 0;
            } else {
                self.buf.resize(self.buf.len() * 2, 0);
            }
        }
        let stream = self.stream.as_mut().ok_or("not connected")?;
        loop {
            return match stream.read(&mut self.buf[self.end..]) {
                Ok(n) => {
                    self.end += n;
                    Ok(n)
                }
                // A signal interrupted the read: nothing was read, read again.
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {
                    Err(format!("no response within {} s (read timeout)", self.timeout.as_secs()))
                }
                Err(e) => Err(format!("reading the response: {e}")),
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;
    use std::thread;

    /// Serves `replies` (raw bytes, one per request read) on a local port, then closes.
    fn serve(replies: Vec<&'static [u8]>) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let authority = listener.local_addr().unwrap().to_string();
        thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let mut buf = [0u8; 4096];
            for reply in replies {
                let mut got = Vec::new();
                while find(&got, b"\r\n\r\n").is_none() {
                    let n = stream.read(&mut buf).unwrap();
                    got.extend_from_slice(&buf[..n]);
                }
                // Written in two parts, to exercise partial reads.
                let half = reply.len() / 2;
                stream.write_all(&reply[..half]).unwrap();
                stream.flush().unwrap();
                thread::sleep(Duration::from_millis(2));
                stream.write_all(&reply[half..]).unwrap();
            }
        });
        authority
    }

    #[test]
    fn bodies_are_delimited() {
        let authority = serve(vec![
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5\r\n\r\nhello",
            b"HTTP/1.1 202 Accepted\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n\
              3\r\nabc\r\n4;x=y\r\ndefg\r\n0\r\nTrailer: 1\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nMcp-Session-Id: s1\r\n\r\nto the end",
        ]);
        let mut conn = Connection::new(&authority, Duration::from_secs(5));
        let mut r = Response::default();
        conn.exchange(b"GET / HTTP/1.1\r\n\r\n", &mut r).unwrap();
        assert_eq!((r.status, &r.body[..], r.closes), (200, &b"hello"[..], false));
        assert_eq!(r.media_type(), "application/json");
        conn.exchange(b"GET / HTTP/1.1\r\n\r\n", &mut r).unwrap();
        assert_eq!((r.status, &r.body[..]), (202, &b""[..]));
        conn.exchange(b"GET / HTTP/1.1\r\n\r\n", &mut r).unwrap();
        assert_eq!(&r.body[..], b"abcdefg");
        conn.exchange(b"GET / HTTP/1.1\r\n\r\n", &mut r).unwrap();
        assert_eq!((&r.body[..], r.closes), (&b"to the end"[..], true));
        assert_eq!(r.header("mcp-session-id"), Some("s1"));
        assert_eq!(conn.reconnects, 0);
    }

    #[test]
    fn urls_are_parsed() {
        let url = Url::parse("http://127.0.0.1:8080/mcp").unwrap();
        assert_eq!((url.authority.as_str(), url.path.as_str()), ("127.0.0.1:8080", "/mcp"));
        let url = Url::parse("http://localhost").unwrap();
        assert_eq!((url.authority.as_str(), url.path.as_str()), ("localhost:80", "/"));
        assert!(Url::parse("https://x/").is_err());
    }
}
