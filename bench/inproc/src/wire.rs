//! The request lines both sides are fed (without their newline, as a transport hands them
//! over) and the replies they must give.

use crate::catalogue::Spec;

/// The name and version both servers report.
pub const SERVER_NAME: &str = "inproc-bench";
/// See [`SERVER_NAME`].
pub const SERVER_VERSION: &str = "1.0.0";

/// The text echoed (the stdio bench's).
pub const TEXT: &str = "hello from the picomcp stdio bench";

/// The legacy handshake, sent once before the legacy cases (untimed).
pub const INITIALIZE: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"bench-client","version":"1.0.0"}}}"#;
/// Its notification, sent after the `initialize` result (untimed).
pub const INITIALIZED: &str = r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#;

/// Case (a): a `tools/call` of `echo` in a session that did the `initialize` handshake.
pub const ECHO_LEGACY: &str = r#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hello from the picomcp stdio bench"}}}"#;

/// Case (b): the same call under 2026-07-28: no handshake, the request carries its
/// protocol version, client info and capabilities in `_meta`.
pub const ECHO_MODERN: &str = r#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hello from the picomcp stdio bench"},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"bench-client","version":"1.0.0"},"io.modelcontextprotocol/clientCapabilities":{}}}}"#;

/// Case (c): `tools/list` in a session that did the `initialize` handshake.
pub const LIST_LEGACY: &str = r#"{"jsonrpc":"2.0","id":3,"method":"tools/list"}"#;

/// The reply to [`ECHO_LEGACY`].
pub fn echo_legacy_reply() -> String {
    format!(r#"{{"jsonrpc":"2.0","id":2,"result":{{"content":[{{"type":"text","text":"{TEXT}"}}]}}}}"#)
}

/// The reply to [`ECHO_MODERN`]: 2026-07-28 adds `resultType` and the server's identity.
pub fn echo_modern_reply() -> String {
    format!(
        r#"{{"jsonrpc":"2.0","id":2,"result":{{"content":[{{"type":"text","text":"{TEXT}"}}],"resultType":"complete","_meta":{{"io.modelcontextprotocol/serverInfo":{{"name":"{SERVER_NAME}","version":"{SERVER_VERSION}"}}}}}}}}"#
    )
}

/// What rmcp replies to [`ECHO_LEGACY`]: the same, with the optional `isError` spelt
/// out as `false`.
pub fn rmcp_echo_legacy_reply() -> String {
    format!(r#"{{"jsonrpc":"2.0","id":2,"result":{{"content":[{{"type":"text","text":"{TEXT}"}}],"isError":false}}}}"#)
}

/// What rmcp replies to [`ECHO_MODERN`]: `isError` spelt out, and no `_meta` with the
/// server's identity (rmcp 3.11 leaves it out of `tools/call` results; picomcp adds it
/// by default, `Config::server_info_in_results`).
pub fn rmcp_echo_modern_reply() -> String {
    format!(
        r#"{{"jsonrpc":"2.0","id":2,"result":{{"content":[{{"type":"text","text":"{TEXT}"}}],"isError":false,"resultType":"complete"}}}}"#
    )
}

/// The reply to [`LIST_LEGACY`], from both sides: every tool, in catalogue order, in one page. The
/// strings of the catalogue need no JSON escaping (checked here).
pub fn list_legacy_reply(tools: &[Spec]) -> String {
    let mut out = String::from(r#"{"jsonrpc":"2.0","id":3,"result":{"tools":["#);
    for (i, t) in tools.iter().enumerate() {
        assert!(
            !format!("{}{}", t.name, t.description).contains(['"', '\\']),
            "catalogue strings must not need escaping"
        );
        if i > 0 {
            out.push(',');
        }
        out.push_str(&format!(
            r#"{{"name":"{}","description":"{}","inputSchema":{}}}"#,
            t.name, t.description, t.input_schema
        ));
    }
    out.push_str("]}}");
    out
}
