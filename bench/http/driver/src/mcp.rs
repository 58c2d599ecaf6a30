//! The MCP side of a client: the wires, the requests, and the reply checks.
//!
//! Three wires (how a client talks to the server; each row of the server list
//! names one):
//!
//! - `session`: the legacy stateful wire. `initialize` (protocol `2025-11-25`)
//!   without a session, the `Mcp-Session-Id` read from its response (none means
//!   the server keeps no session), `notifications/initialized`, then every
//!   request with `Mcp-Session-Id` and `MCP-Protocol-Version` (the negotiated
//!   version).
//! - `stateless`: no handshake; every request carries
//!   `MCP-Protocol-Version: 2025-11-25` and nothing else.
//! - `2026-07-28`: the stateless revision: no handshake; every request carries
//!   `MCP-Protocol-Version: 2026-07-28`, `Mcp-Method` and `Mcp-Name`, and its
//!   `params._meta` carries the protocol version and the client capabilities.
//!
//! Every POST has `Content-Type: application/json` and
//! `Accept: application/json, text/event-stream`. A reply is either one JSON
//! message (`application/json`) or an SSE stream (`text/event-stream`) whose
//! `data:` events are read until the response with the request's id; other
//! messages on the stream (notifications) are skipped. Checks are cheap
//! byte scans, as in the stdio driver.

use std::time::Duration;

use crate::http::{self, Connection, Response, Url};
use bench_common::{excerpt, push_decimal, string_end, top_level_value, trim, trim_end, trim_start};

/// The text every echo request sends; the reply must carry it back.
pub const ECHO_TEXT: &str = "hello";

/// The legacy protocol revision (the handshake's and the stateless wire's).
pub const LEGACY_VERSION: &str = "2025-11-25";

/// The stateless protocol revision.
pub const MODERN_VERSION: &str = "2026-07-28";

/// How a client talks to the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wire {
    Session,
    Stateless,
    Modern,
}

impl Wire {
    pub fn parse(word: &str) -> Result<Wire, String> {
        match word {
            "session" => Ok(Wire::Session),
            "stateless" => Ok(Wire::Stateless),
            MODERN_VERSION => Ok(Wire::Modern),
            _ => Err(format!("unknown wire `{word}` (session, stateless or {MODERN_VERSION})")),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Wire::Session => "session",
            Wire::Stateless => "stateless",
            Wire::Modern => MODERN_VERSION,
        }
    }
}

/// One simulated client: one keep-alive connection, one session at most.
pub struct Client {
    conn: Connection,
    url: Url,
    wire: Wire,
    /// The session the server gave at `initialize` (session wire).
    pub session_id: Option<String>,
    /// The negotiated protocol version (session wire).
    pub protocol: String,
    next_id: u64,
    /// The headers of every echo request, up to `Content-Length`.
    echo_head: Vec<u8>,
    body: Vec<u8>,
    request: Vec<u8>,
    /// The last response.
    pub response: Response,
    /// Print every request and response (the `--check` mode).
    pub trace: bool,
}

impl Client {
    pub fn new(url: &Url, wire: Wire, timeout: Duration) -> Client {
        let mut client = Client {
            conn: Connection::new(&url.authority, timeout),
            url: url.clone(),
            wire,
            session_id: None,
            protocol: LEGACY_VERSION.into(),
            next_id: 1,
            echo_head: Vec::new(),
            body: Vec::with_capacity(512),
            request: Vec::with_capacity(1024),
            response: Response::default(),
            trace: false,
        };
        client.echo_head = client.head(false);
        client
    }

    /// How many times the connection had to be opened again (the server closed it).
    pub fn reconnects(&self) -> u64 {
        self.conn.reconnects
    }

    /// The handshake of the session wire (nothing on the others).
    pub fn open(&mut self) -> Result<(), String> {
        if self.wire != Wire::Session {
            return Ok(());
        }
        let id = self.take_id();
        self.body.clear();
        self.body.extend_from_slice(b"{\"jsonrpc\":\"2.0\",\"id\":");
        push_decimal(&mut self.body, id);
        self.body.extend_from_slice(
            format!(
                ",\"method\":\"initialize\",\"params\":{{\"protocolVersion\":\"{LEGACY_VERSION}\",\"capabilities\":{{}},\
                 \"clientInfo\":{{\"name\":\"picomcp-http-bench\",\"version\":\"0.0.0\"}}}}}}"
            )
            .as_bytes(),
        );
        let head = self.head(true);
        self.post(&head).map_err(|e| format!("initialize: {e}"))?;
        let message = reply_message(&self.response, id).map_err(|e| format!("initialize: {e}"))?;
        if top_level_value(message, b"result").is_none() {
            return Err(format!("initialize failed: {}", excerpt(message)));
        }
        if let Some(version) = string_after(message, b"\"protocolVersion\"") {
            self.protocol = version;
        }
        self.session_id = self.response.header("mcp-session-id").map(String::from);
        self.echo_head = self.head(false);

        self.body.clear();
        self.body.extend_from_slice(b"{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
        let head = self.echo_head.clone();
        self.post(&head).map_err(|e| format!("notifications/initialized: {e}"))?;
        if !matches!(self.response.status, 200 | 202 | 204) {
            return Err(format!(
                "notifications/initialized: HTTP {} {}",
                self.response.status,
                excerpt(&self.response.body)
            ));
        }
        Ok(())
    }

    /// One `tools/call` of `echo`, its reply read and checked.
    pub fn echo(&mut self) -> Result<(), String> {
        let id = self.take_id();
        self.body.clear();
        self.body.extend_from_slice(b"{\"jsonrpc\":\"2.0\",\"id\":");
        push_decimal(&mut self.body, id);
        self.body
            .extend_from_slice(b",\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":\"");
        self.body.extend_from_slice(ECHO_TEXT.as_bytes());
        self.body.extend_from_slice(b"\"}");
        if self.wire == Wire::Modern {
            self.body.extend_from_slice(
                concat!(
                    ",\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\",",
                    "\"io.modelcontextprotocol/clientCapabilities\":{}}"
                )
                .as_bytes(),
            );
        }
        self.body.extend_from_slice(b"}}");
        let head = std::mem::take(&mut self.echo_head);
        let sent = self.post(&head);
        self.echo_head = head;
        sent?;
        let message = reply_message(&self.response, id)?;
        if !has_echoed_text(message) {
            return Err(format!("the reply to id {id} does not echo the text: {}", excerpt(message)));
        }
        Ok(())
    }

    fn take_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    /// The request line and headers up to (not including) `Content-Length`.
    fn head(&self, initialize: bool) -> Vec<u8> {
        let mut head = format!(
            "POST {} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n\
             Accept: application/json, text/event-stream\r\n",
            self.url.path, self.url.authority
        );
        match self.wire {
            Wire::Session if initialize => {}
            Wire::Session => {
                if let Some(id) = &self.session_id {
                    head.push_str(&format!("Mcp-Session-Id: {id}\r\n"));
                }
                head.push_str(&format!("MCP-Protocol-Version: {}\r\n", self.protocol));
            }
            Wire::Stateless => head.push_str(&format!("MCP-Protocol-Version: {LEGACY_VERSION}\r\n")),
            Wire::Modern => head.push_str(&format!(
                "MCP-Protocol-Version: {MODERN_VERSION}\r\nMcp-Method: tools/call\r\nMcp-Name: echo\r\n"
            )),
        }
        head.into_bytes()
    }

    /// POSTs `self.body` with `head`, reading the response into `self.response`.
    fn post(&mut self, head: &[u8]) -> Result<(), String> {
        self.request.clear();
        self.request.extend_from_slice(head);
        self.request.extend_from_slice(b"Content-Length: ");
        push_decimal(&mut self.request, self.body.len() as u64);
        self.request.extend_from_slice(b"\r\n\r\n");
        self.request.extend_from_slice(&self.body);
        if self.trace {
            println!(">>> request\n{}\n", String::from_utf8_lossy(&self.request));
        }
        let result = self.conn.exchange(&self.request, &mut self.response);
        if self.trace {
            match &result {
                Ok(()) => println!(
                    "<<< response\n{}\n\n{}\n",
                    String::from_utf8_lossy(&self.response.head),
                    String::from_utf8_lossy(&self.response.body)
                ),
                Err(e) => println!("<<< no response: {e}\n"),
            }
        }
        result
    }
}

/// The JSON-RPC response to `id` in an HTTP response (a JSON body or an SSE stream).
pub fn reply_message(response: &Response, id: u64) -> Result<&[u8], String> {
    if response.status != 200 {
        return Err(format!("HTTP {} {}", response.status, excerpt(&response.body)));
    }
    let media = response.media_type();
    let message = match media.as_str() {
        "application/json" => Some(trim(&response.body)),
        "text/event-stream" => sse_response(&response.body, id),
        _ => return Err(format!("unexpected Content-Type `{media}`: {}", excerpt(&response.body))),
    };
    let Some(message) = message else {
        return Err(format!("no response to id {id} in the SSE stream: {}", excerpt(&response.body)));
    };
    match message_id(message) {
        Some(got) if got == id => Ok(message),
        _ => Err(format!("expected the response to id {id}: {}", excerpt(message))),
    }
}

/// The data of the first SSE event whose data is a JSON-RPC message with this id.
/// Events are split at blank lines; an event with several `data:` lines (joined by
/// newlines in SSE) is looked at as its first line, which for JSON-RPC over
/// Streamable HTTP is the whole message.
fn sse_response(stream: &[u8], id: u64) -> Option<&[u8]> {
    stream.split(|&b| b == b'\n').map(|line| line.strip_suffix(b"\r").unwrap_or(line)).find_map(|line| {
        let data = line.strip_prefix(b"data:")?;
        let data = data.strip_prefix(b" ").unwrap_or(data);
        (message_id(data) == Some(id)).then_some(data)
    })
}

/// The numeric id of a JSON-RPC response (not of a notification or a request).
fn message_id(message: &[u8]) -> Option<u64> {
    let message = trim(message);
    if top_level_value(message, b"method").is_some() {
        return None;
    }
    let value = top_level_value(message, b"id")?;
    let digits = value.iter().take_while(|b| b.is_ascii_digit()).count();
    std::str::from_utf8(&value[..digits]).ok()?.parse().ok()
}

/// Whether the message is a result whose content carries `"text": "hello"`.
fn has_echoed_text(message: &[u8]) -> bool {
    let Some(result) = top_level_value(message, b"result") else {
        return false;
    };
    let quoted = format!("\"{ECHO_TEXT}\"");
    let mut from = 0;
    while let Some(at) = http::find(&result[from..], quoted.as_bytes()) {
        let before = trim_end(&result[..from + at]);
        if let Some(before) = before.strip_suffix(b":")
            && trim_end(before).ends_with(b"\"text\"")
        {
            return true;
        }
        from += at + 1;
    }
    false
}

/// The string value after the first occurrence of `key` (a quoted key), unescaped naively.
fn string_after(message: &[u8], key: &[u8]) -> Option<String> {
    let at = http::find(message, key)?;
    let rest = trim_start(&message[at + key.len()..]).strip_prefix(b":")?;
    let rest = trim_start(rest).strip_prefix(b"\"")?;
    let end = string_end(rest, 0)?;
    String::from_utf8(rest[..end].to_vec()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(media: &str, body: &str) -> Response {
        Response {
            status: 200,
            head: format!("HTTP/1.1 200 OK\r\nContent-Type: {media}").into_bytes(),
            body: body.as_bytes().to_vec(),
            closes: false,
        }
    }

    #[test]
    fn json_replies_are_checked() {
        let r = response(
            "application/json",
            r#"{"result":{"content":[{"type":"text","text":"hello"}]},"jsonrpc":"2.0","id":7}"#,
        );
        let message = reply_message(&r, 7).unwrap();
        assert!(has_echoed_text(message));
        assert!(reply_message(&r, 8).is_err());
        let wrong = response(
            "application/json",
            r#"{"jsonrpc":"2.0","id":7,"result":{"content":[{"type":"text","text":"hell"}]}}"#,
        );
        assert!(!has_echoed_text(reply_message(&wrong, 7).unwrap()));
        let error = response(
            "application/json",
            r#"{"jsonrpc":"2.0","id":7,"error":{"code":1,"message":"\"text\":\"hello\""}}"#,
        );
        assert!(!has_echoed_text(reply_message(&error, 7).unwrap()));
    }

    #[test]
    fn sse_streams_are_searched() {
        let stream = "data: \nid: 0\nretry: 3000\n\n\
                      event: message\r\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\",\"params\":{\"id\":3}}\r\n\r\n\
                      data: {\"jsonrpc\":\"2.0\",\"id\":3,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"hello\"}]}}\nid: 1/0\n\n";
        let r = response("text/event-stream; charset=utf-8", stream);
        let message = reply_message(&r, 3).unwrap();
        assert!(message.starts_with(b"{\"jsonrpc\":\"2.0\",\"id\":3,"));
        assert!(has_echoed_text(message));
        assert!(reply_message(&r, 4).is_err());
    }

    #[test]
    fn initialize_results_are_read() {
        let message = br#"{"jsonrpc":"2.0","id":1,"result":{"protocolVersion":"2025-11-25","capabilities":{}}}"#;
        assert_eq!(string_after(message, b"\"protocolVersion\"").as_deref(), Some("2025-11-25"));
    }
}
