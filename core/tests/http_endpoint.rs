//! The Streamable HTTP endpoint, sans-IO: raw request bytes parsed by
//! `picomcp::http::parse_head`, handed to `Endpoint::handle`, and the bytes written to a
//! fake `Connections` parsed back into status lines, headers, JSON bodies and event-stream
//! chunks. Every JSON-RPC message is checked against the official schema of its revision.
//!
//! At the end, an end-to-end test runs `picomcp::http::serve::serve` on a loopback socket.

#![cfg(all(feature = "http", feature = "std"))]

#[path = "support/http_wire.rs"]
mod http_wire;
#[path = "support/kit.rs"]
mod kit;

use http_wire::*;
use kit::*;
use picomcp::http::{Conn, EMPTY_HEADER, Endpoint, EndpointConfig, Handled, Limits, parse_head};
use picomcp::*;
use serde_json::{Value, json};

type Ep = Endpoint<4, 8, 64>;

/// An endpoint, a server, the kit's handler and the fake driver.
struct Http {
    endpoint: Ep,
    server: Server<Buffers<8, 64>>,
    kit: Kit,
    conns: Conns,
    scratch: Vec<u8>,
}

impl Http {
    fn new() -> Self {
        Self::with(Config::new(), 16 * 1024)
    }

    fn with(config: Config, scratch: usize) -> Self {
        assert!(check_registry(&REGISTRY).is_ok());
        Self {
            endpoint: Ep::new(EndpointConfig { key: [9; 32], ..EndpointConfig::new() }),
            server: Server::new(Buffers::new(), config),
            kit: Kit::default(),
            conns: Conns::default(),
            scratch: vec![0; scratch],
        }
    }

    /// Hand one raw request to the endpoint, which must take it.
    fn handle(&mut self, conn: Conn, raw: &[u8]) -> Result<(), Error> {
        let handled = self.offer(conn, raw)?;
        assert_eq!(handled, Handled::Done, "the endpoint held the request");
        Ok(())
    }

    /// Hand one raw request to the endpoint; whether it took it.
    fn offer(&mut self, conn: Conn, raw: &[u8]) -> Result<Handled, Error> {
        let mut headers = [EMPTY_HEADER; 32];
        let head = parse_head(raw, &mut headers, &Limits::DEFAULT).expect("a valid head").expect("a complete head");
        let body = head.body(raw).expect("the whole body");
        self.endpoint.handle(&mut self.server, &mut self.kit, &mut self.conns, conn, &head, body, &mut self.scratch)
    }

    /// Send a request on `conn` (whose earlier responses must be complete); the response it got.
    #[track_caller]
    fn exchange(&mut self, conn: Conn, raw: &[u8]) -> Response {
        let before = self.responses(conn);
        assert!(before.iter().all(|r| r.complete), "conn {conn} has an open response");
        self.handle(conn, raw).expect("the driver never fails");
        let mut after = self.responses(conn);
        assert_eq!(after.len(), before.len() + 1, "one response on conn {conn}: {after:?}");
        after.pop().unwrap()
    }

    /// Every response `conn` got, parsed from the start.
    fn responses(&self, conn: Conn) -> Vec<Response> {
        parse_responses(self.conns.out.get(&conn).map_or(&[][..], Vec::as_slice))
    }

    /// The last response on `conn`.
    #[track_caller]
    fn last(&self, conn: Conn) -> Response {
        self.responses(conn).pop().unwrap_or_else(|| panic!("nothing on conn {conn}"))
    }

    /// The raw bytes `conn` got.
    fn raw(&self, conn: Conn) -> &[u8] {
        self.conns.out.get(&conn).map_or(&[][..], Vec::as_slice)
    }

    fn poll(&mut self) {
        let next = self.endpoint.poll(&mut self.server, &mut self.kit, &mut self.conns, &mut self.scratch);
        assert_eq!(next, Ok(None));
    }

    /// Open a legacy session (initialize + initialized) declaring `caps`; its id.
    fn session(&mut self, conn: Conn, caps: Value) -> String {
        let r = self.exchange(conn, &post(&[], &initialize("0", caps)));
        assert_eq!(r.status, 200, "{r:?}");
        check(LEGACY, std::str::from_utf8(&r.body).unwrap(), "initialize");
        let id = r.header("mcp-session-id").expect("a session id").to_owned();
        let r = self
            .exchange(conn, &post(&session_headers(&id), r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#));
        assert_eq!(r.status, 202, "{r:?}");
        id
    }
}

/// A raw request: `method`, then `headers` (a `Host: localhost:3000` unless one is
/// given), `Content-Length` when there is a body.
fn raw_request(method: &str, headers: &[(&str, &str)], body: &str) -> Vec<u8> {
    raw_request_version(method, "1.1", headers, body)
}

fn raw_request_version(method: &str, version: &str, headers: &[(&str, &str)], body: &str) -> Vec<u8> {
    let mut text = format!("{method} /mcp HTTP/{version}\r\n");
    if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
        text.push_str("Host: localhost:3000\r\n");
    }
    for (n, v) in headers {
        text.push_str(&format!("{n}: {v}\r\n"));
    }
    if !body.is_empty() || method == "POST" {
        text.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    text.push_str("\r\n");
    text.push_str(body);
    text.into_bytes()
}

/// A POST with the usual `Content-Type` and `Accept`, plus `headers`.
fn post(headers: &[(&str, &str)], body: &str) -> Vec<u8> {
    let mut all = vec![("Content-Type", "application/json"), ("Accept", "application/json, text/event-stream")];
    all.extend_from_slice(headers);
    raw_request("POST", &all, body)
}

fn session_headers(id: &str) -> Vec<(&str, &str)> {
    vec![("Mcp-Session-Id", id), ("MCP-Protocol-Version", LEGACY)]
}

/// A stateless POST: the body's `method` (and name/uri) mirrored in the headers.
fn stateless(body: &str) -> Vec<u8> {
    let v: Value = serde_json::from_str(body).unwrap();
    let method = v["method"].as_str().unwrap().to_owned();
    let name = v["params"]["name"].as_str().or(v["params"]["uri"].as_str()).map(str::to_owned);
    let mut headers = vec![("MCP-Protocol-Version", MODERN), ("Mcp-Method", method.as_str())];
    if let Some(name) = name.as_deref() {
        headers.push(("Mcp-Name", name));
    }
    post(&headers, body)
}

/// Checks a JSON error response: status, code, echoed id; its body.
#[track_caller]
fn assert_error(r: &Response, status: u16, code: i64, id: Value, rev: &str) -> Value {
    assert_eq!(r.status, status, "{r:?} {}", String::from_utf8_lossy(&r.body));
    let body = r.json();
    check(rev, std::str::from_utf8(&r.body).unwrap(), "tools/call");
    assert_eq!(body["error"]["code"], code, "{body}");
    assert_eq!(body["id"], id, "{body}");
    body
}

// ---------------------------------------------------------------------------------------
// Legacy sessions
// ---------------------------------------------------------------------------------------

#[test]
fn initialize_opens_a_session_with_a_visible_ascii_id() {
    let mut h = Http::new();
    let r = h.exchange(1, &post(&[], &initialize("0", json!({}))));
    assert_eq!(r.status, 200);
    assert!(r.complete);
    let body = r.json();
    check(LEGACY, std::str::from_utf8(&r.body).unwrap(), "initialize");
    assert_eq!(body["result"]["protocolVersion"], LEGACY);
    let id = r.header("mcp-session-id").expect("Mcp-Session-Id").to_owned();
    assert!(!id.is_empty() && id.bytes().all(|b| (0x21..=0x7e).contains(&b)), "{id:?}");
    assert_eq!(h.conns.finished, [(1, true)]);
    assert_eq!(h.endpoint.sessions(), 1);

    // notifications/initialized → 202, empty body.
    let r = h.exchange(1, &post(&session_headers(&id), r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#));
    assert_eq!(r.status, 202);
    assert!(r.body.is_empty());
    assert_eq!(r.header("content-length"), Some("0"));

    // A raw probe with the headers some clients send on initialize: tolerated, a new session.
    let r = h.exchange(
        2,
        &post(&[("MCP-Protocol-Version", LEGACY), ("Mcp-Method", "initialize")], &initialize("1", json!({}))),
    );
    assert_eq!(r.status, 200, "{r:?}");
    let other = r.header("mcp-session-id").expect("Mcp-Session-Id");
    assert_ne!(other, id);
    assert_eq!(h.endpoint.sessions(), 2);

    // Calls in the session are answered with plain JSON.
    let r = h.exchange(1, &post(&session_headers(&id), &legacy_call("5", "echo", json!({"text": "hi"}))));
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["result"]["content"][0]["text"], "hi");
    check(LEGACY, std::str::from_utf8(&r.body).unwrap(), "tools/call");
}

#[test]
fn batches_are_refused_over_http() {
    let mut h = Http::new();
    let r = h.exchange(1, &post(&[], &initialize("0", json!({}))));
    let id = r.header("mcp-session-id").expect("Mcp-Session-Id").to_owned();
    let batch = format!("  [{}]", request("1", "ping", json!({})));
    for headers in [vec![], session_headers(&id)] {
        let r = h.exchange(1, &post(&headers, &batch));
        assert_eq!(r.status, 400, "{r:?}");
        let body = r.json();
        assert_eq!(body["error"]["code"], -32600, "{body}");
        assert!(body["error"]["message"].as_str().unwrap().contains("batches"), "{body}");
    }
    // The session goes on.
    let r = h.exchange(1, &post(&session_headers(&id), &request("2", "ping", json!({}))));
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["result"], json!({}));
}

#[test]
fn requests_without_a_session_or_with_an_unknown_one() {
    let mut h = Http::new();
    let r = h.exchange(1, &post(&[], &request("1", "tools/list", json!({}))));
    assert_error(&r, 400, -32600, json!(1), LEGACY);
    let r = h.exchange(1, &post(&[("MCP-Protocol-Version", LEGACY)], &request("2", "tools/list", json!({}))));
    assert_error(&r, 400, -32600, json!(2), LEGACY);
    let r = h.exchange(1, &post(&session_headers("0123456789abcdef"), &request("3", "tools/list", json!({}))));
    assert_error(&r, 404, -32600, json!(3), LEGACY);
    assert_eq!(h.endpoint.sessions(), 0);
}

/// A client's answer POSTed outside a session is refused with an error that names no id:
/// with the answer's id it would read as the answer to the client's own request 0.
/// (Found by fuzzing `http_session`.)
#[test]
fn a_refused_answer_is_not_echoed_with_its_id() {
    let mut h = Http::new();
    let answer = r#"{"jsonrpc":"2.0","id":0,"result":{}}"#;
    for (headers, status) in [(vec![], 400), (session_headers("0123456789abcdef"), 404)] {
        let r = h.exchange(1, &post(&headers, answer));
        assert_eq!(r.status, status);
        let body = r.json();
        assert_eq!(body["error"]["code"], -32600, "{body}");
        assert!(body["id"].is_null(), "{body}");
    }
}

#[test]
fn delete_ends_the_session() {
    let mut h = Http::new();
    let id = h.session(1, json!({}));
    let r = h.exchange(1, &raw_request("DELETE", &session_headers(&id), ""));
    assert_eq!(r.status, 200);
    assert_eq!(h.endpoint.sessions(), 0);
    let r = h.exchange(1, &raw_request("DELETE", &session_headers(&id), ""));
    assert_eq!(r.status, 404);
    let r = h.exchange(1, &post(&session_headers(&id), &request("4", "tools/list", json!({}))));
    assert_error(&r, 404, -32600, json!(4), LEGACY);
    let r = h.exchange(1, &raw_request("GET", &[("Mcp-Session-Id", &id), ("Accept", "text/event-stream")], ""));
    assert_eq!(r.status, 404);
    let r = h.exchange(1, &raw_request("DELETE", &[], ""));
    assert_eq!(r.status, 400);
}

#[test]
fn delete_drops_the_calls_of_the_session_and_ends_their_streams() {
    let mut h = Http::new();
    let id = h.session(1, json!({}));
    let head = h.exchange(2, &post(&session_headers(&id), &legacy_call("1", "defer", json!({}))));
    assert_eq!(head.status, 200);
    assert!(!head.complete);
    let ticket = h.kit.deferred[0];
    let r = h.exchange(3, &raw_request("DELETE", &session_headers(&id), ""));
    assert_eq!(r.status, 200);
    assert_eq!(h.kit.cancelled, [ticket]);
    let stream = h.last(2);
    assert!(stream.complete && stream.chunks.is_empty(), "{stream:?}");
    assert!(h.conns.finished.contains(&(2, true)));
    assert_eq!(h.endpoint.streams(), 0);
    assert_eq!(h.server.in_flight(), 0);
}

#[test]
fn a_get_stream_carries_change_notifications_fanned_out() {
    let mut h = Http::new();
    let id = h.session(1, json!({}));
    let r = h.exchange(2, &raw_request("GET", &[("Mcp-Session-Id", &id), ("Accept", "text/event-stream")], ""));
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("text/event-stream"));
    assert_eq!(r.header("transfer-encoding"), Some("chunked"));
    assert_eq!(r.header("cache-control"), Some("no-cache"));
    assert!(!r.complete && r.chunks.is_empty());
    assert!(!h.conns.finished.iter().any(|(c, _)| *c == 2));
    assert!(h.endpoint.is_streaming(2));
    let head_len = h.raw(2).len();

    // A legacy call in the session triggers it.
    let r = h.exchange(3, &post(&session_headers(&id), &legacy_call("7", "trigger_tools", json!({}))));
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["result"]["content"][0]["text"], "Mutation triggered");
    let notification = br#"{"jsonrpc":"2.0","method":"notifications/tools/list_changed","params":{}}"#;
    check(LEGACY, std::str::from_utf8(notification).unwrap(), "");
    // Exactly one chunk holding one `data:` line.
    let mut chunk = format!("{:x}\r\ndata: ", notification.len() + 8).into_bytes();
    chunk.extend_from_slice(notification);
    chunk.extend_from_slice(b"\n\n\r\n");
    assert_eq!(String::from_utf8_lossy(&h.raw(2)[head_len..]), String::from_utf8_lossy(&chunk));

    // A stateless call triggers it too.
    let r = h.exchange(4, &stateless(&modern_call("8", "trigger_tools", json!({}))));
    assert_eq!(r.status, 200);
    assert_eq!(h.last(2).chunks.len(), 2);
    assert_eq!(h.last(2).chunks[1], h.last(2).chunks[0]);

    // GET without the event-stream Accept, and without a session.
    let r = h.exchange(5, &raw_request("GET", &[("Mcp-Session-Id", &id), ("Accept", "application/json")], ""));
    assert_eq!(r.status, 406);
    let r = h.exchange(5, &raw_request("GET", &[("Accept", "text/event-stream")], ""));
    assert_eq!(r.status, 405);

    // A second GET replaces the first stream.
    let r = h.exchange(6, &raw_request("GET", &[("Mcp-Session-Id", &id), ("Accept", "text/event-stream")], ""));
    assert_eq!(r.status, 200);
    assert!(h.last(2).complete);
    assert!(h.endpoint.is_streaming(6) && !h.endpoint.is_streaming(2));
}

#[test]
fn a_legacy_question_goes_out_on_the_call_stream_and_the_answer_post_gets_202() {
    let mut h = Http::new();
    let id = h.session(1, all_caps());
    let r = h.exchange(2, &post(&session_headers(&id), &legacy_call("\"c1\"", "ask", json!({"method": "sampling"}))));
    assert_eq!(r.status, 200);
    assert!(!r.complete);
    let events = r.events();
    assert_eq!(events.len(), 1, "{events:?}");
    let (line, question) = &events[0];
    check(LEGACY, line, "");
    assert_eq!(question["method"], "sampling/createMessage");

    let answer = json!({"jsonrpc": "2.0", "id": question["id"], "result": {"role": "assistant", "content": {"type": "text", "text": "Paris"}, "model": "m", "stopReason": "endTurn"}});
    let r = h.exchange(3, &post(&session_headers(&id), &answer.to_string()));
    assert_eq!(r.status, 202, "{r:?}");
    assert!(r.body.is_empty());
    let stream = h.last(2);
    assert!(stream.complete);
    let events = stream.events();
    assert_eq!(events.len(), 2);
    check(LEGACY, &events[1].0, "tools/call");
    assert_eq!(events[1].1["id"], "c1");
    assert!(events[1].1["result"]["content"][0]["text"].as_str().unwrap().contains("Paris"));
    assert!(h.conns.finished.contains(&(2, true)));
    assert_eq!(h.endpoint.streams(), 0);
}

#[test]
fn a_client_answer_whose_id_matches_a_call_in_flight_still_gets_202() {
    let mut h = Http::new();
    let id = h.session(1, all_caps());
    let r = h.exchange(2, &post(&session_headers(&id), &legacy_call("\"asker\"", "ask", json!({"method": "roots"}))));
    let question = r.events()[0].1.clone();
    let asked = question["id"].to_string();
    // The client's own request ids are its business: one equals the server's question id.
    let r = h.exchange(3, &post(&session_headers(&id), &legacy_call(&asked, "defer", json!({}))));
    assert_eq!(r.status, 200);
    assert!(!r.complete);
    // The answer to the question.
    let answer = json!({"jsonrpc": "2.0", "id": question["id"], "result": {"roots": []}});
    let r = h.exchange(4, &post(&session_headers(&id), &answer.to_string()));
    // Today: 200 with an event-stream head, and conn 4 now streams for the deferred call.
    assert_eq!(r.status, 202, "a JSON-RPC response gets 202: {r:?}");
    assert!(!h.endpoint.is_streaming(4));
    // The deferred call is answered on its own stream (today its result goes to conn 4,
    // and conn 3 is left open for ever), and nothing is left open.
    h.poll();
    assert!(h.last(3).complete);
    assert_eq!(h.last(3).events()[0].1["id"], question["id"]);
    assert_eq!(h.endpoint.streams(), 0);
}

#[test]
fn a_cancelled_call_ends_its_stream_without_a_message() {
    let mut h = Http::new();
    let id = h.session(1, json!({}));
    let r = h.exchange(2, &post(&session_headers(&id), &legacy_call("9", "defer", json!({}))));
    assert!(!r.complete);
    let r = h.exchange(
        3,
        &post(
            &session_headers(&id),
            r#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":9}}"#,
        ),
    );
    assert_eq!(r.status, 202);
    let stream = h.last(2);
    assert!(stream.complete && stream.chunks.is_empty(), "{stream:?}");
    assert_eq!(h.kit.cancelled.len(), 1);
    assert_eq!(h.endpoint.streams(), 0);
}

#[test]
fn request_ids_are_per_session() {
    let mut h = Http::new();
    let a = h.session(1, json!({}));
    let b = h.session(2, json!({}));
    // The same id in two sessions: both admitted.
    let ra = h.exchange(3, &post(&session_headers(&a), &legacy_call("1", "defer", json!({}))));
    let rb = h.exchange(4, &post(&session_headers(&b), &legacy_call("1", "defer", json!({}))));
    assert!(!ra.complete && !rb.complete);
    assert_eq!(h.server.in_flight(), 2);
    // Twice in one session: refused.
    let r = h.exchange(5, &post(&session_headers(&a), &legacy_call("1", "defer", json!({}))));
    assert_error(&r, 200, -32600, json!(1), LEGACY);
    // Stateless requests have a scope each: the same id twice is fine.
    let r1 = h.exchange(6, &stateless(&modern_call("1", "defer", json!({}))));
    let r2 = h.exchange(7, &stateless(&modern_call("1", "defer", json!({}))));
    assert!(!r1.complete && !r2.complete);
    assert_eq!(h.server.in_flight(), 4);
    // A cancellation in session a reaches only a's call.
    let r = h.exchange(
        8,
        &post(&session_headers(&a), r#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":1}}"#),
    );
    assert_eq!(r.status, 202);
    assert!(h.last(3).complete);
    assert!(!h.last(4).complete);
    assert_eq!(h.server.in_flight(), 3);
    // The rest are answered, each on its own stream.
    h.poll();
    for conn in [4, 6, 7] {
        let stream = h.last(conn);
        assert!(stream.complete, "conn {conn}");
        assert_eq!(stream.events().last().unwrap().1["id"], 1);
    }
}

// ---------------------------------------------------------------------------------------
// Stateless (2026-07-28) validation, FIXTURE.md §2.2
// ---------------------------------------------------------------------------------------

/// A stateless POST of `body` with `headers` exactly (plus Content-Type and Accept).
fn post_with(headers: &[(&str, &str)], body: &Value) -> Vec<u8> {
    post(headers, &body.to_string())
}

fn discover(id: u64, meta: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": "server/discover", "params": {"_meta": meta}})
}

fn full_meta() -> Value {
    meta(json!({}))
}

const MODERN_HEADERS: [(&str, &str); 2] = [("MCP-Protocol-Version", MODERN), ("Mcp-Method", "server/discover")];

#[test]
fn stateless_envelope_checks_in_order() {
    let mut h = Http::new();
    // 2: _meta absent or incomplete → 400 -32602 (before the header checks).
    let no_meta = json!({"jsonrpc": "2.0", "id": 101, "method": "server/discover", "params": {}});
    assert_error(&h.exchange(1, &post_with(&MODERN_HEADERS, &no_meta)), 400, -32602, json!(101), MODERN);
    let mut m = full_meta();
    m.as_object_mut().unwrap().remove("io.modelcontextprotocol/protocolVersion");
    assert_error(&h.exchange(1, &post_with(&MODERN_HEADERS, &discover(102, m))), 400, -32602, json!(102), MODERN);
    let mut m = full_meta();
    m.as_object_mut().unwrap().remove("io.modelcontextprotocol/clientCapabilities");
    assert_error(
        &h.exchange(1, &post_with(&MODERN_HEADERS, &discover(104, m.clone()))),
        400,
        -32602,
        json!(104),
        MODERN,
    );
    // Even with the header missing too: step 2 comes first.
    assert_error(
        &h.exchange(1, &post_with(&[("Mcp-Method", "server/discover")], &discover(106, m))),
        400,
        -32602,
        json!(106),
        MODERN,
    );
    // clientCapabilities not an object.
    let mut m = full_meta();
    m["io.modelcontextprotocol/clientCapabilities"] = json!([]);
    assert_error(&h.exchange(1, &post_with(&MODERN_HEADERS, &discover(107, m))), 400, -32602, json!(107), MODERN);

    // clientInfo is optional.
    let mut m = full_meta();
    m.as_object_mut().unwrap().remove("io.modelcontextprotocol/clientInfo");
    let r = h.exchange(1, &post_with(&MODERN_HEADERS, &discover(105, m)));
    assert_eq!(r.status, 200);
    check(MODERN, std::str::from_utf8(&r.body).unwrap(), "server/discover");
    assert!(r.header("mcp-session-id").is_none());

    // 3: the MCP-Protocol-Version header missing → 400 -32020.
    let r = h.exchange(1, &post_with(&[("Mcp-Method", "server/discover")], &discover(201, full_meta())));
    assert_error(&r, 400, -32020, json!(201), MODERN);

    // 4: header ≠ _meta → -32020, even when _meta names an unsupported version.
    let mut v999 = full_meta();
    v999["io.modelcontextprotocol/protocolVersion"] = json!("v999.0.0");
    let r = h.exchange(1, &post_with(&MODERN_HEADERS, &discover(302, v999.clone())));
    assert_error(&r, 400, -32020, json!(302), MODERN);
    let r = h.exchange(
        1,
        &post_with(
            &[("MCP-Protocol-Version", "2025-11-25"), ("Mcp-Method", "server/discover")],
            &discover(303, full_meta()),
        ),
    );
    assert_error(&r, 400, -32020, json!(303), MODERN);

    // 5: both say v999.0.0 → -32022 with supported and requested (before step 6).
    for (id, headers) in [
        (301, vec![("MCP-Protocol-Version", "v999.0.0"), ("Mcp-Method", "server/discover")]),
        (304, vec![("MCP-Protocol-Version", "v999.0.0"), ("Mcp-Method", "wrong")]),
    ] {
        let r = h.exchange(1, &post_with(&headers, &discover(id, v999.clone())));
        let body = assert_error(&r, 400, -32022, json!(id), MODERN);
        assert_eq!(body["error"]["data"]["requested"], "v999.0.0");
        let supported = body["error"]["data"]["supported"].as_array().unwrap();
        assert!(supported.contains(&json!(MODERN)), "{body}");
    }
    // A legacy revision named in _meta is unsupported there too.
    let mut old = full_meta();
    old["io.modelcontextprotocol/protocolVersion"] = json!(LEGACY);
    let r = h.exchange(
        1,
        &post_with(&[("MCP-Protocol-Version", LEGACY), ("Mcp-Method", "server/discover")], &discover(305, old)),
    );
    let body = assert_error(&r, 400, -32022, json!(305), MODERN);
    assert_eq!(body["error"]["data"]["requested"], LEGACY);
}

#[test]
fn stateless_method_and_name_headers() {
    let mut h = Http::new();
    let call = modern_call("1", "echo", json!({})).replace(r#""arguments":{}"#, r#""arguments":{"text":"hi"}"#);
    let call: Value = serde_json::from_str(&call).unwrap();
    let base = [("MCP-Protocol-Version", MODERN)];
    let with = |extra: &[(&'static str, &'static str)]| -> Vec<(&'static str, &'static str)> {
        base.iter().chain(extra).copied().collect()
    };
    // 6: Mcp-Method missing, different, or differently cased.
    for headers in [
        with(&[("Mcp-Name", "echo")]),
        with(&[("Mcp-Method", "tools/list"), ("Mcp-Name", "echo")]),
        with(&[("Mcp-Method", "Tools/Call"), ("Mcp-Name", "echo")]),
        // Mcp-Name missing, different, differently cased, or bad base64.
        with(&[("Mcp-Method", "tools/call")]),
        with(&[("Mcp-Method", "tools/call"), ("Mcp-Name", "other")]),
        with(&[("Mcp-Method", "tools/call"), ("Mcp-Name", "Echo")]),
        with(&[("Mcp-Method", "tools/call"), ("Mcp-Name", "=?base64?ZWNobw?=")]),
    ] {
        let r = h.exchange(1, &post_with(&headers, &call));
        assert_error(&r, 400, -32020, json!(1), MODERN);
    }
    assert!(h.kit.calls.is_empty());
    // Spaces and tabs around the value are trimmed; header names are case-insensitive; an
    // encoded value is decoded.
    for headers in [
        with(&[("Mcp-Method", "tools/call"), ("Mcp-Name", "  echo\t")]),
        with(&[("mcp-method", " tools/call "), ("MCP-NAME", "echo")]),
        with(&[("Mcp-Method", "tools/call"), ("Mcp-Name", "=?base64?ZWNobw==?=")]),
    ] {
        let r = h.exchange(1, &post_with(&headers, &call));
        assert_eq!(r.status, 200, "{headers:?}: {}", String::from_utf8_lossy(&r.body));
        check(MODERN, std::str::from_utf8(&r.body).unwrap(), "tools/call");
        assert_eq!(r.json()["result"]["content"][0]["text"], "hi");
        assert_eq!(r.json()["result"]["resultType"], "complete");
    }
}

#[test]
fn stateless_unknown_and_removed_methods_are_404() {
    let mut h = Http::new();
    for (id, method) in [
        (500, "initialize"),
        (501, "ping"),
        (502, "logging/setLevel"),
        (503, "resources/subscribe"),
        (504, "resources/unsubscribe"),
        (601, "unknown/method"),
    ] {
        let mut params = json!({"_meta": full_meta()});
        if method == "initialize" {
            params["protocolVersion"] = json!(MODERN);
            params["capabilities"] = json!({});
            params["clientInfo"] = json!({"name": "x", "version": "1"});
        }
        let body = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        let r = h.exchange(1, &post_with(&[("MCP-Protocol-Version", MODERN), ("Mcp-Method", method)], &body));
        assert_error(&r, 404, -32601, json!(id), MODERN);
    }
    assert_eq!(h.endpoint.sessions(), 0);
}

#[test]
fn stateless_missing_capability_is_400() {
    let mut h = Http::new();
    let r = h.exchange(1, &stateless(&modern_call("401", "needs_sampling", json!({}))));
    let body = assert_error(&r, 400, -32021, json!(401), MODERN);
    assert_eq!(body["error"]["data"]["requiredCapabilities"], json!({"sampling": {}}));
    let r = h.exchange(1, &stateless(&modern_call("402", "needs_sampling", json!({"sampling": {}}))));
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["result"]["content"][0]["text"], "Success");
}

#[test]
fn stateless_input_required_is_a_plain_json_answer() {
    let mut h = Http::new();
    let r = h.exchange(1, &stateless(&modern_call("1", "mrtr", all_caps())));
    assert_eq!(r.status, 200);
    check(MODERN, std::str::from_utf8(&r.body).unwrap(), "tools/call");
    let body = r.json();
    assert_eq!(body["result"]["resultType"], "input_required");
    let state = body["result"]["requestState"].clone();
    let retry = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {
        "name": "mrtr", "arguments": {}, "_meta": meta(all_caps()),
        "inputResponses": {"user_name": {"action": "accept", "content": {"name": "Alice"}}},
        "requestState": state,
    }});
    let r = h.exchange(1, &stateless(&retry.to_string()));
    assert_eq!(r.status, 200);
    check(MODERN, std::str::from_utf8(&r.body).unwrap(), "tools/call");
    assert_eq!(r.json()["result"]["content"][0]["text"], "state-ok step-1; Hello, Alice!");
}

#[test]
fn host_and_origin_are_checked_for_every_method() {
    let mut h = Http::new();
    let id = h.session(9, json!({}));
    let evil = [("Host", "evil.example.com"), ("Origin", "http://evil.example.com")];
    let evil_host = [("Host", "evil.example.com")];
    let evil_origin = [("Host", "localhost:3000"), ("Origin", "http://evil.example.com")];
    for headers in [&evil[..], &evil_host[..], &evil_origin[..]] {
        let legacy: Vec<_> = headers.iter().copied().chain([("MCP-Protocol-Version", LEGACY)]).collect();
        let r = h.exchange(1, &post(&legacy, &initialize("0", json!({}))));
        assert_eq!(r.status, 403, "{headers:?}");
        let modern: Vec<_> = headers.iter().copied().chain(MODERN_HEADERS).collect();
        let r = h.exchange(1, &post_with(&modern, &discover(1, full_meta())));
        assert_eq!(r.status, 403, "{headers:?}");
        let with_session: Vec<_> =
            headers.iter().copied().chain([("Mcp-Session-Id", id.as_str()), ("Accept", "text/event-stream")]).collect();
        assert_eq!(h.exchange(1, &raw_request("GET", &with_session, "")).status, 403, "{headers:?}");
        assert_eq!(h.exchange(1, &raw_request("DELETE", &with_session, "")).status, 403, "{headers:?}");
    }
    assert_eq!(h.endpoint.sessions(), 1, "nothing was opened or ended");
    // The loopback names with any port pass.
    for (host, origin) in [
        ("localhost:3000", "http://localhost:3000"),
        ("127.0.0.1:8080", "http://127.0.0.1:8080"),
        ("[::1]:1", "http://[::1]:1"),
    ] {
        let headers: Vec<_> = [("Host", host), ("Origin", origin)].into_iter().chain(MODERN_HEADERS).collect();
        let r = h.exchange(1, &post_with(&headers, &discover(2, full_meta())));
        assert_eq!(r.status, 200, "{host} {origin}");
    }
}

// ---------------------------------------------------------------------------------------
// Streams: deferred calls, closed connections, listen
// ---------------------------------------------------------------------------------------

#[test]
fn a_deferred_call_is_streamed_progress_then_result() {
    let mut h = Http::new();
    let mut call: Value = serde_json::from_str(&modern_call("1", "defer", json!({}))).unwrap();
    call["params"]["_meta"]["progressToken"] = json!("p1");
    let r = h.exchange(5, &stateless(&call.to_string()));
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("text/event-stream"));
    assert_eq!(r.header("transfer-encoding"), Some("chunked"));
    assert!(r.header("connection").is_none());
    assert!(!r.complete && r.chunks.is_empty());
    assert!(h.conns.finished.is_empty());
    assert!(h.endpoint.is_streaming(5));

    h.poll();
    let stream = h.last(5);
    assert!(stream.complete, "{stream:?}");
    let events = stream.events();
    assert_eq!(events.len(), 2, "{events:?}");
    check(MODERN, &events[0].0, "tools/call");
    assert_eq!(events[0].1["method"], "notifications/progress");
    assert_eq!(events[0].1["params"]["progressToken"], "p1");
    check(MODERN, &events[1].0, "tools/call");
    assert_eq!(events[1].1["id"], 1);
    assert_eq!(events[1].1["result"]["resultType"], "complete");
    assert_eq!(events[1].1["result"]["content"][0]["text"], "done");
    // The last chunk was the end of the response, then the connection is free again.
    assert!(h.raw(5).ends_with(b"\r\n0\r\n\r\n"));
    assert_eq!(h.conns.finished, [(5, true)]);
    assert!(!h.endpoint.is_streaming(5));
    assert_eq!(h.endpoint.streams(), 0);
    assert_eq!(h.server.in_flight(), 0);
}

#[test]
fn a_call_that_logs_first_is_streamed_at_once() {
    let mut h = Http::new();
    let mut call: Value = serde_json::from_str(&modern_call("1", "log_then_answer", json!({}))).unwrap();
    call["params"]["_meta"]["io.modelcontextprotocol/logLevel"] = json!("debug");
    let r = h.exchange(1, &stateless(&call.to_string()));
    assert!(r.complete);
    let events = r.events();
    assert_eq!(events.len(), 2);
    check(MODERN, &events[0].0, "tools/call");
    assert_eq!(events[0].1["method"], "notifications/message");
    check(MODERN, &events[1].0, "tools/call");
    assert_eq!(h.conns.finished, [(1, true)]);
    // Without a logLevel: plain JSON.
    let r = h.exchange(1, &stateless(&modern_call("2", "log_then_answer", json!({}))));
    assert_eq!(r.json()["result"]["content"][0]["text"], "done");
}

#[test]
fn an_http_1_0_stream_ends_with_the_connection() {
    let mut h = Http::new();
    let body = modern_call("1", "defer", json!({}));
    let raw = raw_request_version(
        "POST",
        "1.0",
        &[
            ("Content-Type", "application/json"),
            ("Accept", "application/json, text/event-stream"),
            ("MCP-Protocol-Version", MODERN),
            ("Mcp-Method", "tools/call"),
            ("Mcp-Name", "defer"),
        ],
        &body,
    );
    h.handle(1, &raw).unwrap();
    let head = String::from_utf8_lossy(h.raw(1)).into_owned();
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    assert!(head.contains("Content-Type: text/event-stream\r\n"));
    assert!(!head.contains("Transfer-Encoding"));
    assert!(head.contains("Connection: close\r\n"));
    h.poll();
    let all = String::from_utf8_lossy(h.raw(1)).into_owned();
    let events = all.split("\r\n\r\n").nth(1).unwrap();
    assert!(events.starts_with("data: {") && events.ends_with("}\n\n"), "{events:?}");
    assert_eq!(h.conns.finished, [(1, false)]);
}

#[test]
fn closing_the_connection_cancels_its_call() {
    let mut h = Http::new();
    let r = h.exchange(6, &stateless(&modern_call("1", "defer", json!({}))));
    assert!(!r.complete);
    let ticket = h.kit.deferred[0];
    h.endpoint.closed(&mut h.server, &mut h.kit, 6);
    assert_eq!(h.kit.cancelled, [ticket]);
    assert_eq!(h.server.in_flight(), 0);
    assert_eq!(h.endpoint.streams(), 0);
    let before = h.raw(6).len();
    // The handler dropped the work; a late answer by the stale ticket is refused.
    h.poll();
    let mut sink = Vec::new();
    let late = h.server.responder(&mut sink).tool_result(ticket, |res| res.text("late"));
    assert_eq!(late, Err(Error::StaleTicket));
    assert!(sink.is_empty());
    assert_eq!(h.raw(6).len(), before);
    // Closing a connection without streams changes nothing.
    h.endpoint.closed(&mut h.server, &mut h.kit, 42);
    assert_eq!(h.kit.cancelled.len(), 1);
}

#[test]
fn a_listen_stream_over_http_gets_its_ack_and_changes_from_other_posts() {
    let mut h = Http::new();
    let listen = modern(
        "1700000000000",
        "subscriptions/listen",
        json!({"notifications": {"toolsListChanged": true}}),
        json!({}),
    );
    let r = h.exchange(7, &stateless(&listen));
    assert_eq!(r.status, 200);
    assert!(!r.complete);
    let events = r.events();
    assert_eq!(events.len(), 1);
    check(MODERN, &events[0].0, "subscriptions/listen");
    assert_eq!(events[0].1["method"], "notifications/subscriptions/acknowledged");
    assert_eq!(events[0].1["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"], 1_700_000_000_000_u64);

    let r = h.exchange(8, &stateless(&modern_call("2", "trigger_tools", json!({}))));
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["result"]["content"][0]["text"], "Mutation triggered");
    let events = h.last(7).events();
    assert_eq!(events.len(), 2);
    check(MODERN, &events[1].0, "subscriptions/listen");
    assert_eq!(
        events[1].1,
        json!({"jsonrpc": "2.0", "method": "notifications/tools/list_changed", "params": {"_meta": {"io.modelcontextprotocol/subscriptionId": 1_700_000_000_000_u64}}})
    );
    // Filtered: a prompts change does not reach it. (Over HTTP `prompts_changed` says it
    // was sent whatever happens: the endpoint takes every change for its legacy sessions.)
    h.exchange(8, &stateless(&modern_call("3", "trigger_prompts", json!({}))));
    assert_eq!(h.last(7).events().len(), 2);

    // The client goes away: the stream is dropped.
    h.endpoint.closed(&mut h.server, &mut h.kit, 7);
    assert_eq!(h.server.in_flight(), 0);
    assert_eq!(h.endpoint.streams(), 0);
    let r = h.exchange(8, &stateless(&modern_call("4", "trigger_tools", json!({}))));
    assert_eq!(r.status, 200);
    assert_eq!(h.last(7).events().len(), 2);
}

#[test]
fn the_oldest_listen_stream_is_ended_with_its_result() {
    let mut h = Http::with(Config { max_listens: 1, ..Config::new() }, 16 * 1024);
    let listen =
        |id: &str| modern(id, "subscriptions/listen", json!({"notifications": {"toolsListChanged": true}}), json!({}));
    assert!(!h.exchange(1, &stateless(&listen("1"))).complete);
    assert!(!h.exchange(2, &stateless(&listen("2"))).complete);
    let first = h.last(1);
    assert!(first.complete);
    let events = first.events();
    assert_eq!(events.len(), 2);
    check(MODERN, &events[1].0, "subscriptions/listen");
    assert_eq!(
        events[1].1["result"],
        json!({"resultType": "complete", "_meta": {"io.modelcontextprotocol/subscriptionId": 1}})
    );
    assert_eq!(h.conns.finished, [(1, true)]);
    assert!(h.endpoint.is_streaming(2));
}

#[test]
fn an_escaped_member_name_cannot_smuggle_another_tool_past_mcp_name() {
    // Regression: the Mcp-Name check decoded `"n\u0061me"` (the first name,
    // trigger_tools) while the dispatcher skipped it and ran the plainly spelt second one
    // (echo), so an intermediary routing on the header saw another tool than the one run.
    let body = r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"n\u0061me":"trigger_tools","name":"echo","arguments":{"text":"smuggled"},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}"#;
    let mut h = Http::new();
    let headers = [("MCP-Protocol-Version", MODERN), ("Mcp-Method", "tools/call"), ("Mcp-Name", "trigger_tools")];
    let r = h.exchange(1, &post(&headers, body));
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["result"]["content"][0]["text"], "Mutation triggered", "the tool the header names runs");
    let headers = [("MCP-Protocol-Version", MODERN), ("Mcp-Method", "tools/call"), ("Mcp-Name", "echo")];
    assert_error(&h.exchange(2, &post(&headers, body)), 400, -32020, json!(1), MODERN);
}

#[test]
fn an_answer_too_large_for_the_scratch_buffer_is_not_a_202() {
    let mut h = Http::with(Config::new(), 256);
    let body = modern_call("1", "echo", json!({}))
        .replace(r#""arguments":{}"#, &format!(r#""arguments":{{"text":"{}"}}"#, "x".repeat(400)));
    let _ = h.handle(1, &stateless(&body));
    let r = h.last(1);
    assert_ne!(r.status, 202, "a request was answered 202 Accepted with no body");
}

// ---------------------------------------------------------------------------------------
// End to end: `serve` on a loopback socket, raw HTTP/1.1 over TCP
// ---------------------------------------------------------------------------------------

mod tcp {
    use std::io::{Read, Write};
    use std::net::{SocketAddr, TcpListener, TcpStream};
    use std::time::Duration;

    use super::*;

    /// Start `serve` on 127.0.0.1 in a thread of its own (it runs until the process ends).
    fn start() -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            let mut server: Server<Buffers<8, 64>> = Server::new(Buffers::new(), Config::new());
            let mut kit = Kit::default();
            let _ = picomcp::http::serve::serve(listener, &mut server, &mut kit);
        });
        addr
    }

    fn connect(addr: SocketAddr) -> TcpStream {
        let stream = TcpStream::connect(addr).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        stream.set_nodelay(true).unwrap();
        stream
    }

    /// A raw request with the `Host` of `addr`.
    fn with_host(addr: SocketAddr, raw: Vec<u8>) -> Vec<u8> {
        String::from_utf8(raw).unwrap().replace("Host: localhost:3000", &format!("Host: {addr}")).into_bytes()
    }

    /// Bytes of the complete responses at the start of `bytes`, if `n` are there.
    fn complete(bytes: &[u8], n: usize) -> Option<usize> {
        let mut at = 0;
        for _ in 0..n {
            let rest = &bytes[at..];
            let head_end = rest.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
            let head = std::str::from_utf8(&rest[..head_end]).ok()?.to_ascii_lowercase();
            if head.contains("transfer-encoding: chunked") {
                let end = rest[head_end..].windows(5).position(|w| w == b"0\r\n\r\n")?;
                at += head_end + end + 5;
            } else {
                let len = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length: "))
                    .map_or(0, |v| v.trim().parse::<usize>().unwrap());
                if rest.len() < head_end + len {
                    return None;
                }
                at += head_end + len;
            }
        }
        Some(at)
    }

    /// Read until `n` complete responses arrived.
    fn read(stream: &mut TcpStream, n: usize) -> Vec<Response> {
        let mut bytes = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            if let Some(len) = complete(&bytes, n) {
                assert_eq!(len, bytes.len(), "more than {n} responses");
                return parse_responses(&bytes);
            }
            let got = stream.read(&mut buf).unwrap_or_else(|e| {
                panic!("{n} responses before the timeout ({e}); got: {:?}", String::from_utf8_lossy(&bytes))
            });
            assert!(got > 0, "closed early: {:?}", String::from_utf8_lossy(&bytes));
            bytes.extend_from_slice(&buf[..got]);
        }
    }

    fn discover_request(addr: SocketAddr, id: u64) -> Vec<u8> {
        with_host(addr, post_with(&MODERN_HEADERS, &discover(id, full_meta())))
    }

    #[test]
    fn two_requests_on_one_keep_alive_connection() {
        let addr = start();
        let mut s = connect(addr);
        s.write_all(&with_host(addr, post(&[], &initialize("0", json!({}))))).unwrap();
        let r = read(&mut s, 1).remove(0);
        assert_eq!(r.status, 200);
        check(LEGACY, std::str::from_utf8(&r.body).unwrap(), "initialize");
        let session = r.header("mcp-session-id").unwrap().to_owned();
        s.write_all(&with_host(
            addr,
            post(&session_headers(&session), r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#),
        ))
        .unwrap();
        assert_eq!(read(&mut s, 1)[0].status, 202);
        s.write_all(&with_host(
            addr,
            post(&session_headers(&session), &legacy_call("1", "echo", json!({"text": "hi"}))),
        ))
        .unwrap();
        let r = read(&mut s, 1).remove(0);
        assert_eq!(r.json()["result"]["content"][0]["text"], "hi");
    }

    #[test]
    fn a_pipelined_pair_is_answered_in_order() {
        let addr = start();
        let mut s = connect(addr);
        let mut both = discover_request(addr, 1);
        both.extend(with_host(
            addr,
            stateless(
                &modern_call("2", "echo", json!({})).replace(r#""arguments":{}"#, r#""arguments":{"text":"second"}"#),
            ),
        ));
        s.write_all(&both).unwrap();
        let rs = read(&mut s, 2);
        assert_eq!(rs[0].json()["id"], 1);
        check(MODERN, std::str::from_utf8(&rs[0].body).unwrap(), "server/discover");
        assert_eq!(rs[1].json()["id"], 2);
        assert_eq!(rs[1].json()["result"]["content"][0]["text"], "second");
    }

    #[test]
    fn a_request_split_across_several_writes() {
        let addr = start();
        let mut s = connect(addr);
        let raw = discover_request(addr, 7);
        let cut = [5, 40, raw.len() - 30, raw.len() - 1];
        let mut at = 0;
        for end in cut.into_iter().chain([raw.len()]) {
            s.write_all(&raw[at..end]).unwrap();
            s.flush().unwrap();
            std::thread::sleep(Duration::from_millis(20));
            at = end;
        }
        let r = read(&mut s, 1).remove(0);
        assert_eq!(r.status, 200);
        assert_eq!(r.json()["id"], 7);
        // And the connection still serves.
        s.write_all(&discover_request(addr, 8)).unwrap();
        assert_eq!(read(&mut s, 1)[0].json()["id"], 8);
    }

    #[test]
    fn a_streamed_call_then_another_request_on_the_same_connection() {
        let addr = start();
        let mut s = connect(addr);
        let mut call: Value = serde_json::from_str(&modern_call("1", "defer", json!({}))).unwrap();
        call["params"]["_meta"]["progressToken"] = json!(5);
        s.write_all(&with_host(addr, stateless(&call.to_string()))).unwrap();
        let r = read(&mut s, 1).remove(0);
        assert!(r.complete);
        let events = r.events();
        assert_eq!(events.len(), 2);
        check(MODERN, &events[0].0, "tools/call");
        check(MODERN, &events[1].0, "tools/call");
        assert_eq!(events[1].1["result"]["content"][0]["text"], "done");
        s.write_all(&discover_request(addr, 2)).unwrap();
        assert_eq!(read(&mut s, 1)[0].json()["id"], 2);
    }

    #[test]
    fn a_request_pipelined_behind_a_streamed_call_is_served_without_more_input() {
        let addr = start();
        let mut s = connect(addr);
        let mut both = with_host(addr, stateless(&modern_call("1", "defer", json!({}))));
        both.extend(discover_request(addr, 2));
        s.write_all(&both).unwrap();
        let rs = read(&mut s, 2);
        assert_eq!(rs[0].events()[0].1["id"], 1);
        assert_eq!(rs[1].json()["id"], 2);
    }

    #[test]
    fn a_client_pushing_bytes_behind_an_open_stream_is_held_back() {
        // Regression: `serve` read everything a connection sent while the connection
        // waited for an answer (its request pipelined behind an open event stream), so
        // one client could make the server buffer gigabytes.
        let addr = start();
        let mut s = connect(addr);
        s.write_all(&with_host(addr, post(&[], &initialize("0", json!({"sampling": {}}))))).unwrap();
        let session = read(&mut s, 1).remove(0).header("mcp-session-id").unwrap().to_owned();
        let initialized = r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#;
        s.write_all(&with_host(addr, post(&session_headers(&session), initialized))).unwrap();
        assert_eq!(read(&mut s, 1)[0].status, 202);
        // `ask` puts a question to the client on its call's event stream and waits for the
        // answer: the stream stays open, and the connection takes no next request.
        let ask = legacy_call("1", "ask", json!({"method": "sampling"}));
        s.write_all(&with_host(addr, post(&session_headers(&session), &ask))).unwrap();
        let mut seen = Vec::new();
        let mut buf = [0u8; 4096];
        while !String::from_utf8_lossy(&seen).contains("sampling/createMessage") {
            let n = s.read(&mut buf).unwrap();
            assert!(n > 0, "closed early: {:?}", String::from_utf8_lossy(&seen));
            seen.extend_from_slice(&buf[..n]);
        }
        // Push bytes until the socket stops taking them for half a second (or 64 MiB).
        s.set_nonblocking(true).unwrap();
        let junk = vec![b'x'; 64 << 10];
        let (mut pushed, mut last_progress) = (0usize, std::time::Instant::now());
        while pushed < 64 << 20 && last_progress.elapsed() < Duration::from_millis(500) {
            match s.write(&junk) {
                Ok(n) => {
                    pushed += n;
                    last_progress = std::time::Instant::now();
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => std::thread::sleep(Duration::from_millis(5)),
                Err(e) => panic!("writing: {e}"),
            }
        }
        // One request's worth (1 MiB + 8 KiB) read ahead, plus what the sockets buffer.
        assert!(pushed < 32 << 20, "the server took {} MiB from a connection waiting for an answer", pushed >> 20);
        // The server still serves others, at once.
        let mut other = connect(addr);
        other.write_all(&discover_request(addr, 9)).unwrap();
        assert_eq!(read(&mut other, 1)[0].json()["id"], 9);
    }

    #[test]
    fn an_oversized_head_gets_431_and_the_connection_closes() {
        let addr = start();
        let mut s = connect(addr);
        let mut raw = format!("POST /mcp HTTP/1.1\r\nHost: {addr}\r\n").into_bytes();
        while raw.len() < 10 * 1024 {
            raw.extend_from_slice(b"X-Pad: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n");
        }
        s.write_all(&raw).unwrap();
        let mut bytes = Vec::new();
        s.read_to_end(&mut bytes).expect("the server closes after answering");
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.starts_with("HTTP/1.1 431 "), "{text}");
        assert!(text.contains("Connection: close\r\n"), "{text}");
        // The listener still serves others.
        let mut other = connect(addr);
        other.write_all(&discover_request(addr, 3)).unwrap();
        assert_eq!(read(&mut other, 1)[0].status, 200);
    }
}
