//! The protocol test suite: `picomcp::Server` driven in-process, frame by frame, in both
//! eras, with every line it writes checked against the official schema of its revision
//! (see `support/mod.rs`).
//!
//! Sections: legacy lifecycle, modern requests, features in both eras, bad input, the
//! in-flight table, framing, and the one-object-per-line rule.

mod support;

use picomcp::framing::{Line, LineBuffer};
use picomcp::protocol::SLOT_TEXT;
use picomcp::*;
use serde_json::{Value, json};
use support::*;

/// Both eras, on one server: a legacy session at `LATEST_LEGACY` and modern requests.
const ERAS: [Era; 2] = [Era::Legacy, Era::Modern];

/// A server with an open 2025-11-25 session (modern requests need none).
fn dual() -> Harness {
    Harness::legacy(LATEST_LEGACY)
}

/// The server still answers a good request in both eras.
#[track_caller]
fn assert_still_serves<const N: usize>(h: &mut Harness<N>) {
    if h.session.is_some() {
        assert_eq!(result(&h.call(Era::Legacy, "\"alive-l\"", "ping", Value::Null)), &json!({}));
    }
    let reply = h.call(Era::Modern, "\"alive-m\"", "tools/list", json!({}));
    assert_eq!(result(&reply)["tools"].as_array().map(Vec::len), Some(TOOLS.len()));
}

/// The capabilities a legacy session is offered with the test catalog.
fn legacy_capabilities() -> Value {
    json!({
        "logging": {},
        "tools": {"listChanged": true},
        "resources": {"subscribe": true, "listChanged": true},
        "prompts": {"listChanged": true},
        "completions": {}
    })
}

// =======================================================================================
// Legacy lifecycle
// =======================================================================================

#[test]
fn initialize_echoes_every_legacy_version() {
    for version in LEGACY {
        let mut h = Harness::new();
        let reply = h.initialize(version);
        assert_eq!(reply["id"], "init");
        assert_eq!(
            result(&reply),
            &json!({
                "protocolVersion": version,
                "capabilities": legacy_capabilities(),
                "serverInfo": {"name": "picomcp-test", "version": "0.0.1"},
                "instructions": "A test server."
            }),
            "{version}"
        );
        assert_eq!(h.session.as_deref(), Some(version));
        assert_still_serves(&mut h);
    }
}

#[test]
fn initialize_falls_back_to_the_newest_legacy_version() {
    for asked in ["1999-01-01", "2026-07-28", "2025-11-26", "", "DRAFT-2026-v1"] {
        let mut h = Harness::new();
        let reply = h.initialize(asked);
        assert_eq!(result(&reply)["protocolVersion"], LATEST_LEGACY, "asked {asked:?}");
    }
    // A version string spelt with an escape is still the version it decodes to.
    let mut h = Harness::new();
    let reply =
        h.send(r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025\u002d06-18","capabilities":{},"clientInfo":{"name":"c","version":"1"}}}"#);
    assert_eq!(result(reply.one())["protocolVersion"], "2025-06-18");
}

#[test]
fn initialize_needs_a_protocol_version_string() {
    let mut h = Harness::new();
    for params in [json!({"capabilities": {}}), json!({"protocolVersion": 20250618, "capabilities": {}})] {
        let reply = h.call(Era::Legacy, 1, "initialize", params);
        assert_eq!(reply["id"], 1);
        error(&reply, -32602);
    }
    assert!(h.session.is_none());
    let reply = h.call(Era::Legacy, 2, "tools/list", Value::Null);
    error(&reply, -32600);
}

#[test]
fn requests_before_initialize_are_refused_except_ping() {
    let mut h = Harness::new();
    for (id, method, params) in [
        (1, "tools/list", Value::Null),
        (2, "tools/call", json!({"name": "echo", "arguments": {"text": "x"}})),
        (3, "resources/read", json!({"uri": "test://readme"})),
        (4, "logging/setLevel", json!({"level": "debug"})),
        (5, "prompts/list", json!({})),
    ] {
        let reply = h.call(Era::Legacy, id, method, params);
        assert_eq!(reply["id"], id);
        error(&reply, -32600);
    }
    let out = h.send(legacy(6, "ping", Value::Null));
    assert_eq!(out.line(), r#"{"jsonrpc":"2.0","id":6,"result":{}}"#);
    // An unknown method before initialize is refused too (for the missing session or
    // the unknown method: either way with its id).
    let reply = h.call(Era::Legacy, 7, "no/such", Value::Null);
    assert_eq!(reply["id"], 7);
    assert!(reply.get("error").is_some(), "{reply}");
}

#[test]
fn initialized_notification_reaches_the_handler_only_inside_a_session() {
    let mut h = Harness::new();
    h.send(notification("notifications/initialized", Value::Null)).none();
    assert_eq!(h.handler.initialized, 0, "no session yet: ignored");
    h.initialize("2025-06-18");
    assert_eq!(h.handler.initialized, 1);
    h.send(notification("notifications/initialized", json!({}))).none();
    assert_eq!(h.handler.initialized, 2);
}

#[test]
fn ping_inside_a_session_is_an_empty_result() {
    for version in LEGACY {
        let mut h = Harness::legacy(version);
        let out = h.send(r#"{"jsonrpc":"2.0","id":"p","method":"ping"}"#);
        assert_eq!(out.line(), r#"{"jsonrpc":"2.0","id":"p","result":{}}"#);
        let out = h.send(r#"{"jsonrpc":"2.0","id":"q","method":"ping","params":{}}"#);
        assert_eq!(out.line(), r#"{"jsonrpc":"2.0","id":"q","result":{}}"#);
    }
}

#[test]
fn set_level_filters_log_messages() {
    for version in LEGACY {
        let mut h = Harness::legacy(version);
        // Default threshold: info (seven of the eight levels).
        let out = h.send(legacy(1, "tools/call", json!({"name": "log"})));
        let logs = out.notifications("notifications/message");
        assert_eq!(logs.len(), 7, "{version}");
        assert_eq!(logs[0]["params"], json!({"level": "info", "data": "info"}));
        assert_eq!(first_text(out.responses()[0]), "sent 7");

        let set = h.send(legacy(2, "logging/setLevel", json!({"level": "warning"})));
        assert_eq!(set.line(), r#"{"jsonrpc":"2.0","id":2,"result":{}}"#);
        let out = h.send(legacy(3, "tools/call", json!({"name": "log"})));
        let levels: Vec<&Value> =
            out.notifications("notifications/message").iter().map(|m| &m["params"]["level"]).collect();
        assert_eq!(levels, ["warning", "error", "critical", "alert", "emergency"]);
        assert_eq!(first_text(out.responses()[0]), "sent 5");
        // Notifications come before the result they belong to.
        assert!(out.values.last().unwrap().get("result").is_some());

        // Session-wide logs (no ticket) follow the same threshold.
        let (sent, out) = h.respond(None, |r| r.log_text(None, LogLevel::Error, "disk full"));
        assert_eq!(sent, Ok(true));
        assert_eq!(out.one()["params"], json!({"level": "error", "data": "disk full"}));
        let (sent, out) = h.respond(None, |r| r.log_text(None, LogLevel::Notice, "quiet"));
        assert_eq!(sent, Ok(false));
        out.none();
        let (sent, out) = h
            .respond(None, |r| r.log(None, LogLevel::Emergency, Some("db"), |v| v.object(|o| o.integer("port", 5432))));
        assert_eq!(sent, Ok(true));
        assert_eq!(out.one()["params"], json!({"level": "emergency", "logger": "db", "data": {"port": 5432}}));

        let set = h.send(legacy(4, "logging/setLevel", json!({"level": "debug"})));
        result(set.one());
        let out = h.send(legacy(5, "tools/call", json!({"name": "log"})));
        assert_eq!(out.notifications("notifications/message").len(), 8);

        for bad in [json!({"level": "loud"}), json!({"level": 3}), json!({}), json!({"level": "DEBUG"})] {
            error(&h.call(Era::Legacy, 6, "logging/setLevel", bad), -32602);
        }
    }
}

#[test]
fn no_log_messages_without_a_session() {
    let mut h = Harness::new();
    let (sent, out) = h.respond(None, |r| r.log_text(None, LogLevel::Emergency, "nobody listens"));
    assert_eq!(sent, Ok(false));
    out.none();
}

#[test]
fn resource_updated_only_for_subscribed_uris() {
    for version in LEGACY {
        let mut h = Harness::legacy(version);
        let updated = |h: &mut Harness, uri: &'static str| h.respond(None, |r| r.resource_updated(uri));

        let (sent, out) = updated(&mut h, "test://readme");
        assert_eq!(sent, Ok(false), "not subscribed yet");
        out.none();

        let sub = h.send(legacy(1, "resources/subscribe", json!({"uri": "test://readme"})));
        assert_eq!(sub.line(), r#"{"jsonrpc":"2.0","id":1,"result":{}}"#);
        let (sent, out) = updated(&mut h, "test://readme");
        assert_eq!(sent, Ok(true));
        assert_eq!(
            out.line(),
            r#"{"jsonrpc":"2.0","method":"notifications/resources/updated","params":{"uri":"test://readme"}}"#
        );
        let (sent, out) = updated(&mut h, "test://logo");
        assert_eq!(sent, Ok(false));
        out.none();

        // A URI spelt with escapes is subscribed as the URI it decodes to.
        result(
            h.send(
                r#"{"jsonrpc":"2.0","id":2,"method":"resources/subscribe","params":{"uri":"test:\/\/items\/\u0037"}}"#,
            )
            .one(),
        );
        let (sent, out) = updated(&mut h, "test://items/7");
        assert_eq!(sent, Ok(true));
        assert_eq!(out.one()["params"]["uri"], "test://items/7");

        let unsub = h.send(legacy(3, "resources/unsubscribe", json!({"uri": "test://readme"})));
        assert_eq!(unsub.line(), r#"{"jsonrpc":"2.0","id":3,"result":{}}"#);
        let (sent, out) = updated(&mut h, "test://readme");
        assert_eq!(sent, Ok(false));
        out.none();
        let (sent, _) = updated(&mut h, "test://items/7");
        assert_eq!(sent, Ok(true), "the other subscription stays");

        // Unsubscribing from what was never subscribed is fine; a missing uri is not.
        result(h.send(legacy(4, "resources/unsubscribe", json!({"uri": "test://never"}))).one());
        error(&h.call(Era::Legacy, 5, "resources/subscribe", json!({})), -32602);
        error(&h.call(Era::Legacy, 6, "resources/subscribe", json!({"uri": 7})), -32602);

        // A new initialize starts a new session without the old subscriptions.
        h.initialize(version);
        let (sent, out) = updated(&mut h, "test://items/7");
        assert_eq!(sent, Ok(false));
        out.none();
    }
}

#[test]
fn subscriptions_are_bounded_by_the_arena() {
    let mut h = Harness::legacy(LATEST_LEGACY);
    // 128 bytes of arena, each URI costs its length plus 2.
    let mut refused = None;
    for i in 0..20 {
        let uri = format!("test://items/{i:020}");
        let reply = h.call(Era::Legacy, i, "resources/subscribe", json!({"uri": uri}));
        if reply.get("error").is_some() {
            let e = error(&reply, -32603);
            assert!(e["message"].as_str().unwrap().contains("subscriptions"), "{reply}");
            refused = Some(i);
            break;
        }
    }
    assert_eq!(refused, Some(3), "three 33-byte URIs (35 bytes each) fit 128 bytes, the fourth does not");
    assert_still_serves(&mut h);
}

#[test]
fn list_changed_notifications_only_after_initialize() {
    let mut h = Harness::new();
    let (sent, out) = h.respond(None, |r| (r.tools_changed(), r.prompts_changed(), r.resources_changed()));
    assert_eq!(sent, (Ok(false), Ok(false), Ok(false)));
    out.none();
    // Modern requests open no session.
    result(&h.call(Era::Modern, 1, "tools/list", json!({})));
    let (sent, out) = h.respond(None, |r| r.tools_changed());
    assert_eq!(sent, Ok(false));
    out.none();

    h.initialize("2025-03-26");
    let (sent, out) = h.respond(None, |r| (r.tools_changed(), r.prompts_changed(), r.resources_changed()));
    assert_eq!(sent, (Ok(true), Ok(true), Ok(true)));
    assert_eq!(
        out.lines,
        [
            r#"{"jsonrpc":"2.0","method":"notifications/tools/list_changed","params":{}}"#,
            r#"{"jsonrpc":"2.0","method":"notifications/prompts/list_changed","params":{}}"#,
            r#"{"jsonrpc":"2.0","method":"notifications/resources/list_changed","params":{}}"#,
        ]
    );

    // `reset` forgets the session.
    h.server.reset();
    h.session = None;
    let (sent, out) = h.respond(None, |r| r.tools_changed());
    assert_eq!(sent, Ok(false));
    out.none();
    error(&h.call(Era::Legacy, 2, "tools/list", Value::Null), -32600);
}

/// A handler offering tools only.
struct ToolsOnly;

static ONLY_TOOL: [Tool<'static>; 1] = [Tool::new("echo", "Echoes", r#"{"type":"object"}"#)];
static ONLY_TOOLS: StaticRegistry<'static> =
    StaticRegistry::new(ServerInfo { implementation: Implementation::new("tools-only", "2.0.0"), instructions: None })
        .tools(&ONLY_TOOL);

impl Handler for ToolsOnly {
    fn registry(&self) -> &dyn Registry {
        &ONLY_TOOLS
    }
    fn call_tool(&mut self, call: ToolCall<'_>, r: &mut Responder<'_>) -> Result<(), Error> {
        r.tool_result(call.ticket, |res| res.text("only"))
    }
}

#[test]
fn capabilities_are_what_the_registry_offers() {
    let mut server: Server<Buffers<2, 0>> = Server::new(Buffers::new(), Config::new());
    let mut exchange = |frame: &str, rev: &str, method: &str| -> Value {
        let mut sink = VecSink::default();
        server.receive(frame.as_bytes(), &mut sink, &mut ToolsOnly).unwrap();
        let line = String::from_utf8(sink.bytes).unwrap();
        assert_eq!(sink.messages, 1, "{line}");
        picomcp_schema_check::assert_valid(rev, line.trim_end().as_bytes(), Some(method));
        serde_json::from_str(&line).unwrap()
    };
    let init = exchange(
        &legacy(
            1,
            "initialize",
            json!({"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "c", "version": "1"}}),
        ),
        "2025-06-18",
        "initialize",
    );
    assert_eq!(
        result(&init),
        &json!({
            "protocolVersion": "2025-06-18",
            "capabilities": {"logging": {}, "tools": {"listChanged": true}},
            "serverInfo": {"name": "tools-only", "version": "2.0.0"}
        })
    );
    let discover = exchange(&modern(2, "server/discover", json!({})), MODERN, "server/discover");
    assert_eq!(result(&discover)["capabilities"], json!({"logging": {}, "tools": {}}));
    assert!(result(&discover).get("instructions").is_none());
    for (era, method, params) in [
        (Era::Legacy, "resources/list", json!({})),
        (Era::Legacy, "resources/templates/list", json!({})),
        (Era::Legacy, "resources/subscribe", json!({"uri": "x://y"})),
        (Era::Modern, "resources/read", json!({"uri": "x://y"})),
        (Era::Legacy, "prompts/list", json!({})),
        (Era::Modern, "prompts/get", json!({"name": "greet"})),
        (
            Era::Modern,
            "completion/complete",
            json!({"ref": {"type": "ref/prompt", "name": "greet"}, "argument": {"name": "n", "value": ""}}),
        ),
    ] {
        let rev = if era == Era::Modern { MODERN } else { "2025-06-18" };
        let reply = exchange(&in_era(era, 9, method, params), rev, method);
        assert_eq!(reply["id"], 9);
        error(&reply, -32601);
    }
    let call =
        exchange(&modern(3, "tools/call", json!({"name": "echo", "arguments": {"text": "x"}})), MODERN, "tools/call");
    assert_eq!(first_text(&call), "only");
}

// =======================================================================================
// Modern requests
// =======================================================================================

#[test]
fn discover_result_shape() {
    let mut h = Harness::new();
    let reply = h.call(Era::Modern, "\"d\"", "server/discover", json!({}));
    assert_eq!(reply["id"], "d");
    assert_eq!(
        result(&reply),
        &json!({
            "supportedVersions": ["2026-07-28"],
            "capabilities": {"logging": {}, "tools": {}, "resources": {}, "prompts": {}, "completions": {}},
            "instructions": "A test server.",
            "resultType": "complete",
            "ttlMs": 0,
            "cacheScope": "public",
            "_meta": {"io.modelcontextprotocol/serverInfo": {"name": "picomcp-test", "version": "0.0.1"}}
        })
    );
    assert!(h.session.is_none(), "discover opens no session");
}

#[test]
fn every_modern_result_has_its_result_type_and_cache_fields() {
    let config = Config {
        list_cache: Cache { ttl_ms: 60_000, scope: CacheScope::Private },
        read_cache: Cache { ttl_ms: 5, scope: CacheScope::Public },
        discover_cache: Cache { ttl_ms: 3_600_000, scope: CacheScope::Public },
        ..Config::new()
    };
    let mut h: Harness = Harness::with_config(config);
    let identity = json!({"io.modelcontextprotocol/serverInfo": {"name": "picomcp-test", "version": "0.0.1"}});
    // Method, params, and the expected `ttlMs` and `cacheScope` (if the result has them).
    type Case = (&'static str, Value, Option<(u64, &'static str)>);
    let cases: [Case; 11] = [
        ("server/discover", json!({}), Some((3_600_000, "public"))),
        ("tools/list", json!({}), Some((60_000, "private"))),
        ("resources/list", json!({}), Some((60_000, "private"))),
        ("resources/templates/list", json!({}), Some((60_000, "private"))),
        ("prompts/list", json!({}), Some((60_000, "private"))),
        ("resources/read", json!({"uri": "test://readme"}), Some((5, "public"))),
        ("resources/read", json!({"uri": "test://items/1"}), Some((5, "public"))),
        ("tools/call", json!({"name": "echo", "arguments": {"text": "x"}}), None),
        ("tools/call", json!({"name": "fail"}), None),
        ("prompts/get", json!({"name": "greet", "arguments": {"name": "Ada"}}), None),
        (
            "completion/complete",
            json!({"ref": {"type": "ref/prompt", "name": "greet"}, "argument": {"name": "name", "value": "A"}}),
            None,
        ),
    ];
    for (i, (method, params, cache)) in cases.into_iter().enumerate() {
        let reply = h.call(Era::Modern, i, method, params);
        let r = result(&reply);
        assert_eq!(r["resultType"], "complete", "{method}: {reply}");
        match cache {
            Some((ttl, scope)) => {
                assert_eq!(r["ttlMs"], ttl, "{method}");
                assert_eq!(r["cacheScope"], scope, "{method}");
            }
            None => assert!(r.get("ttlMs").is_none() && r.get("cacheScope").is_none(), "{method}: {reply}"),
        }
        assert_eq!(r["_meta"], identity, "{method}");
    }
    // Without the identity in results when the config says so.
    let mut h: Harness = Harness::with_config(Config { server_info_in_results: false, ..Config::new() });
    let r = h.call(Era::Modern, 1, "tools/list", json!({}));
    assert!(result(&r).get("_meta").is_none(), "{r}");
}

#[test]
fn legacy_results_carry_no_modern_fields() {
    let mut h = dual();
    for (method, params) in [
        ("tools/list", json!({})),
        ("resources/read", json!({"uri": "test://readme"})),
        ("tools/call", json!({"name": "echo", "arguments": {"text": "x"}})),
        ("ping", Value::Null),
    ] {
        let reply = h.call(Era::Legacy, 1, method, params);
        let r = result(&reply);
        for key in ["resultType", "ttlMs", "cacheScope", "_meta"] {
            assert!(r.get(key).is_none(), "{method} has {key}: {reply}");
        }
    }
}

#[test]
fn unsupported_version_is_32022_with_the_request_echoed() {
    let mut h = Harness::new();
    for (raw_version, decoded) in [
        (r#""2025-11-25""#, "2025-11-25"),
        (r#""1999-01-01""#, "1999-01-01"),
        (r#""2026-07-29""#, "2026-07-29"),
        (r#""""#, ""),
        (r#""x\"y\\z\u00e9\n""#, "x\"y\\z\u{e9}\n"),
    ] {
        let frame = format!(
            r#"{{"jsonrpc":"2.0","id":"v","method":"tools/list","params":{{"_meta":{{"io.modelcontextprotocol/protocolVersion":{raw_version},"io.modelcontextprotocol/clientCapabilities":{{}}}}}}}}"#
        );
        let out = h.send(&frame);
        let reply = out.one();
        assert_eq!(reply["id"], "v");
        let e = error(reply, -32022);
        assert_eq!(e["data"], json!({"supported": ["2026-07-28"], "requested": decoded}), "{raw_version}");
        // Echoed exactly as sent, escapes and all.
        assert!(out.line().contains(&format!(r#""requested":{raw_version}"#)), "{}", out.line());
    }
    assert_still_serves(&mut h);
}

#[test]
fn a_supported_version_spelt_with_escapes_is_accepted() {
    let mut h = Harness::new();
    let out = h.send(
        r#"{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026\u002d07-28","io.modelcontextprotocol/clientCapabilities":{}}}}"#,
    );
    assert_eq!(result(out.one())["resultType"], "complete");
}

#[test]
fn modern_meta_is_checked() {
    let mut h = Harness::new();
    let version = "io.modelcontextprotocol/protocolVersion";
    let caps = "io.modelcontextprotocol/clientCapabilities";
    let level = "io.modelcontextprotocol/logLevel";
    for (why, meta) in [
        ("version not a string", json!({version: 20260728, caps: {}})),
        ("no clientCapabilities", json!({version: MODERN})),
        ("clientCapabilities not an object", json!({version: MODERN, caps: []})),
        ("clientCapabilities null", json!({version: MODERN, caps: null})),
        ("unknown log level", json!({version: MODERN, caps: {}, level: "verbose"})),
        ("log level not a string", json!({version: MODERN, caps: {}, level: 7})),
        ("progress token neither string nor integer", json!({version: MODERN, caps: {}, "progressToken": 1.5})),
        ("progress token an object", json!({version: MODERN, caps: {}, "progressToken": {}})),
    ] {
        let frame = request(1, "tools/list", json!({"_meta": meta}));
        let reply = h.send(frame).one().clone();
        assert_eq!(reply["id"], 1, "{why}");
        error(&reply, -32602);
    }
    assert_still_serves(&mut h);
}

#[test]
fn legacy_only_methods_are_not_found_in_the_modern_era() {
    let mut h = dual();
    for (method, params) in [
        (
            "initialize",
            json!({"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "c", "version": "1"}}),
        ),
        ("ping", json!({})),
        ("logging/setLevel", json!({"level": "debug"})),
        ("resources/subscribe", json!({"uri": "test://readme"})),
        ("resources/unsubscribe", json!({"uri": "test://readme"})),
        ("notifications/initialized", json!({})),
    ] {
        let reply = h.call(Era::Modern, "\"m\"", method, params);
        assert_eq!(reply["id"], "m");
        error(&reply, -32601);
    }
    assert_eq!(h.session.as_deref(), Some(LATEST_LEGACY), "the legacy session is untouched");
}

#[test]
fn modern_logs_only_for_requests_that_asked() {
    let mut h = dual();
    // The legacy session logs everything; modern requests are not affected by it.
    result(h.send(legacy(1, "logging/setLevel", json!({"level": "debug"}))).one());
    let level = |l: &str| json!({"name": "log", "_meta": {"io.modelcontextprotocol/logLevel": l}});

    let out = h.send(modern(2, "tools/call", json!({"name": "log"})));
    assert_eq!(out.len(), 1, "no logLevel: no notifications/message");
    assert_eq!(first_text(out.one()), "sent 0");
    assert_eq!(h.handler.last_log_level, None);

    let out = h.send(modern(3, "tools/call", level("warning")));
    let levels: Vec<&Value> =
        out.notifications("notifications/message").iter().map(|m| &m["params"]["level"]).collect();
    assert_eq!(levels, ["warning", "error", "critical", "alert", "emergency"]);
    assert_eq!(first_text(out.responses()[0]), "sent 5");
    assert_eq!(h.handler.last_log_level, Some(LogLevel::Warning));

    let out = h.send(modern(4, "tools/call", level("emergency")));
    assert_eq!(out.notifications("notifications/message").len(), 1);
    let out = h.send(modern(5, "tools/call", level("debug")));
    assert_eq!(out.notifications("notifications/message").len(), 8);

    // A deferred modern call keeps its level until answered.
    let out = h.send(modern(
        6,
        "tools/call",
        json!({"name": "defer", "_meta": {"io.modelcontextprotocol/logLevel": "error"}}),
    ));
    out.none();
    let ticket = *h.handler.deferred.last().unwrap();
    let (sent, out) = h.respond(Some(MODERN), |r| {
        (r.log_text(Some(ticket), LogLevel::Warning, "w"), r.log_text(Some(ticket), LogLevel::Critical, "c"))
    });
    assert_eq!(sent, (Ok(false), Ok(true)));
    assert_eq!(out.one()["params"], json!({"level": "critical", "data": "c"}));
    let (done, out) = h.respond(None, |r| r.tool_result(ticket, |res| res.text("done")));
    assert_eq!(done, Ok(()));
    assert_eq!(first_text(out.one()), "done");
}

#[test]
fn discover_without_meta_is_invalid_params() {
    for mut h in [Harness::new(), dual()] {
        for params in [Value::Null, json!({}), json!({"_meta": {"io.modelcontextprotocol/clientCapabilities": {}}})] {
            let reply = h.call(Era::Legacy, "\"d\"", "server/discover", params);
            assert_eq!(reply["id"], "d");
            error(&reply, -32602);
        }
    }
}

#[test]
fn modern_requests_neither_need_nor_open_a_session() {
    let mut h = Harness::new();
    result(&h.call(Era::Modern, 1, "tools/list", json!({})));
    result(&h.call(Era::Modern, 2, "tools/call", json!({"name": "echo", "arguments": {"text": "x"}})));
    assert_eq!(h.handler.last_revision, Some(Revision::V2026_07_28));
    error(&h.call(Era::Legacy, 3, "tools/list", Value::Null), -32600);
    h.initialize("2024-11-05");
    result(&h.call(Era::Legacy, 4, "tools/call", json!({"name": "echo", "arguments": {"text": "x"}})));
    assert_eq!(h.handler.last_revision, Some(Revision::V2024_11_05));
    result(&h.call(Era::Modern, 5, "tools/call", json!({"name": "echo", "arguments": {"text": "x"}})));
    assert_eq!(h.handler.last_revision, Some(Revision::V2026_07_28));
}

// =======================================================================================
// Features, in both eras
// =======================================================================================

#[test]
fn tools_list_describes_every_tool() {
    let mut h = dual();
    for era in ERAS {
        let reply = h.call(era, 1, "tools/list", json!({}));
        let tools = result(&reply)["tools"].as_array().unwrap();
        let names: Vec<&str> = tools.iter().map(|t| t["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["echo", "add", "fail", "defer", "kinds", "log", "broken", "pretty"]);
        assert_eq!(
            tools[0],
            json!({
                "name": "echo",
                "title": "Echo",
                "description": "Echoes its text",
                "inputSchema": {"type": "object", "properties": {"text": {"type": "string", "description": "What to echo"}}, "required": ["text"]},
                "annotations": {"title": "Echo tool", "readOnlyHint": true, "destructiveHint": false, "idempotentHint": true, "openWorldHint": false},
                "icons": [{"src": "https://example.com/echo.png", "mimeType": "image/png", "sizes": ["48x48"], "theme": "light"}]
            })
        );
        assert_eq!(
            tools[1],
            json!({
                "name": "add",
                "title": "Add",
                "description": "Adds a and b",
                "inputSchema": {"type": "object", "properties": {"a": {"type": "number"}, "b": {"type": "number"}}, "required": ["a", "b"]},
                "outputSchema": {"type": "object", "properties": {"sum": {"type": "number"}}, "required": ["sum"]}
            })
        );
        assert_eq!(
            tools[2],
            json!({"name": "fail", "description": "Always a tool error", "inputSchema": {"type": "object", "properties": {}}})
        );
        assert!(result(&reply).get("nextCursor").is_none());
    }
}

#[test]
fn tools_list_in_every_legacy_revision() {
    for version in LEGACY {
        let mut h = Harness::legacy(version);
        let reply = h.call(Era::Legacy, 1, "tools/list", Value::Null);
        assert_eq!(result(&reply)["tools"].as_array().unwrap().len(), TOOLS.len(), "{version}");
    }
}

#[test]
fn tool_results() {
    let mut h = dual();
    for era in ERAS {
        let out = h.send(in_era(era, 1, "tools/call", json!({"name": "echo", "arguments": {"text": "héllo \"x\"\n"}})));
        let r = result(out.one());
        assert_eq!(r["content"], json!([{"type": "text", "text": "héllo \"x\"\n"}]));
        assert!(r.get("isError").is_none() && r.get("structuredContent").is_none());
        if era == Era::Legacy {
            assert_eq!(
                out.line(),
                r#"{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"héllo \"x\"\n"}]}}"#
            );
        }

        let reply = h.call(era, 2, "tools/call", json!({"name": "add", "arguments": {"a": 1.5, "b": 2}}));
        let r = result(&reply);
        assert_eq!(r["structuredContent"], json!({"sum": 3.5}));
        assert_eq!(r["content"], json!([{"type": "text", "text": "{\"sum\":3.5}"}]));
        assert!(r.get("isError").is_none());

        let reply = h.call(era, 3, "tools/call", json!({"name": "fail", "arguments": {}}));
        let r = result(&reply);
        assert_eq!(r["isError"], true);
        assert_eq!(r["content"], json!([{"type": "text", "text": "it always fails"}]));

        // Arguments may be left out or null when the schema requires nothing.
        for params in [json!({"name": "fail"}), json!({"name": "fail", "arguments": null})] {
            assert_eq!(result(&h.call(era, 4, "tools/call", params))["isError"], true);
        }
    }
}

#[test]
fn content_kinds() {
    let mut h = dual();
    for era in ERAS {
        let reply = h.call(era, 1, "tools/call", json!({"name": "kinds"}));
        assert_eq!(
            result(&reply)["content"],
            json!([
                {"type": "text", "text": "text"},
                {"type": "image", "data": "iVBORw0K/w==", "mimeType": "image/png"},
                {"type": "audio", "data": "UklGRg==", "mimeType": "audio/wav"},
                {"type": "resource_link", "uri": "test://readme", "name": "readme", "title": "Read me", "mimeType": "text/plain", "size": 5},
                {"type": "resource", "resource": {"uri": "test://readme", "mimeType": "text/plain", "text": "hello"}},
                {"type": "resource", "resource": {"uri": "test://logo", "mimeType": "image/png", "blob": "iVBORw0K/w=="}}
            ])
        );
    }
}

#[test]
fn resources_list_and_read() {
    let mut h = dual();
    for era in ERAS {
        let reply = h.call(era, 1, "resources/list", json!({}));
        assert_eq!(
            result(&reply)["resources"],
            json!([
                {"uri": "test://readme", "name": "readme", "title": "Read me", "description": "A text resource", "mimeType": "text/plain"},
                {"uri": "test://logo", "name": "logo", "mimeType": "image/png"}
            ])
        );
        let reply = h.call(era, 2, "resources/read", json!({"uri": "test://readme"}));
        assert_eq!(
            result(&reply)["contents"],
            json!([{"uri": "test://readme", "mimeType": "text/plain", "text": "hello"}])
        );
        let reply = h.call(era, 3, "resources/read", json!({"uri": "test://logo"}));
        assert_eq!(
            result(&reply)["contents"],
            json!([{"uri": "test://logo", "mimeType": "image/png", "blob": "iVBORw0K/w=="}])
        );
        if era == Era::Modern {
            assert_eq!((&result(&reply)["ttlMs"], &result(&reply)["cacheScope"]), (&json!(0), &json!("private")));
        }
        for bad in [json!({}), json!({"uri": 5}), json!({"uri": null})] {
            error(&h.call(era, 4, "resources/read", bad), -32602);
        }
    }
}

#[test]
fn templates_list_and_matching() {
    let mut h = dual();
    for era in ERAS {
        let reply = h.call(era, 1, "resources/templates/list", json!({}));
        assert_eq!(
            result(&reply)["resourceTemplates"],
            json!([
                {"uriTemplate": "test://items/{id}", "name": "item", "description": "An item by id", "mimeType": "text/plain"},
                {"uriTemplate": "test://files/{+path}", "name": "file", "mimeType": "text/plain"}
            ])
        );
        for (uri, text) in [
            ("test://items/42", "Item 42"),
            ("test://items/a-b_c.d~e", "Item a-b_c.d~e"),
            ("test://files/a/b/c.txt", "File a/b/c.txt"),
            ("test://files/x", "File x"),
        ] {
            let reply = h.call(era, 2, "resources/read", json!({"uri": uri}));
            assert_eq!(
                result(&reply)["contents"],
                json!([{"uri": uri, "mimeType": "text/plain", "text": text}]),
                "{uri}"
            );
        }
        // Escapes in the URI are decoded for matching; the URI is echoed as it was sent.
        let frame = in_era(era, 3, "resources/read", json!({"uri": "PLACEHOLDER"}))
            .replace("PLACEHOLDER", r"test:\/\/items\/\u0034\u0032");
        let out = h.send(frame);
        assert_eq!(result(out.one())["contents"][0]["text"], "Item 42");
        assert!(out.line().contains(r#""uri":"test:\/\/items\/\u0034\u0032""#), "{}", out.line());
    }
}

#[test]
fn unknown_uris_are_not_found_with_the_uri() {
    let mut h = dual();
    for (era, code) in [(Era::Legacy, -32002), (Era::Modern, -32602)] {
        for uri in ["test://nothing", "test://items/", "test://items/4/2", "other://readme", "test://readme/", ""] {
            let reply = h.call(era, "\"nf\"", "resources/read", json!({"uri": uri}));
            assert_eq!(reply["id"], "nf");
            let e = error(&reply, code);
            assert_eq!(e["data"], json!({"uri": uri}), "{era:?} {uri}");
        }
    }
}

#[test]
fn prompts_list_and_get() {
    let mut h = dual();
    for era in ERAS {
        let reply = h.call(era, 1, "prompts/list", json!({}));
        assert_eq!(
            result(&reply)["prompts"],
            json!([
                {"name": "greet", "title": "Greet", "description": "A greeting", "arguments": [
                    {"name": "name", "description": "Who to greet", "required": true},
                    {"name": "style", "description": "How", "required": false}
                ]},
                {"name": "plain", "description": "No arguments"}
            ])
        );
        let reply = h.call(era, 2, "prompts/get", json!({"name": "greet", "arguments": {"name": "Ada"}}));
        assert_eq!(
            result(&reply)["messages"],
            json!([{"role": "user", "content": {"type": "text", "text": "Hello, Ada!"}}])
        );
        assert_eq!(result(&reply)["description"], "A greeting");
        let reply =
            h.call(era, 3, "prompts/get", json!({"name": "greet", "arguments": {"name": "Ada", "style": "warmly"}}));
        assert_eq!(
            result(&reply)["messages"],
            json!([
                {"role": "user", "content": {"type": "text", "text": "Hello, Ada!"}},
                {"role": "assistant", "content": {"type": "text", "text": "warmly"}}
            ])
        );
        let reply = h.call(era, 4, "prompts/get", json!({"name": "plain"}));
        assert_eq!(result(&reply)["messages"][0]["content"]["text"], "Hello, !");

        for (why, params) in [
            ("missing required argument", json!({"name": "greet"})),
            ("missing required argument, other given", json!({"name": "greet", "arguments": {"style": "x"}})),
            ("unknown prompt", json!({"name": "nope", "arguments": {}})),
            ("non-string argument", json!({"name": "greet", "arguments": {"name": 5}})),
            ("null argument", json!({"name": "greet", "arguments": {"name": null}})),
            ("arguments not an object", json!({"name": "greet", "arguments": ["Ada"]})),
            ("no name", json!({"arguments": {"name": "Ada"}})),
        ] {
            let reply = h.call(era, "\"bad\"", "prompts/get", params);
            assert_eq!(reply["id"], "bad", "{why}");
            error(&reply, -32602);
        }
    }
}

#[test]
fn completions() {
    let mut h = dual();
    let complete = |r: Value, name: &str, value: &str| json!({"ref": r, "argument": {"name": name, "value": value}});
    for era in ERAS {
        let greet = json!({"type": "ref/prompt", "name": "greet"});
        let items = json!({"type": "ref/resource", "uri": "test://items/{id}"});
        for (params, values) in [
            (complete(greet.clone(), "name", "A"), json!(["Ada", "Alan"])),
            (complete(greet.clone(), "name", ""), json!(["Ada", "Alan", "Grace"])),
            (complete(greet.clone(), "name", "Z"), json!([])),
            (complete(items.clone(), "id", ""), json!(["1", "2", "3"])),
            (complete(items, "nope", ""), json!([])),
        ] {
            let reply = h.call(era, 1, "completion/complete", params);
            let c = &result(&reply)["completion"];
            assert_eq!(c["values"], values);
            assert_eq!(c["total"], values.as_array().unwrap().len());
            assert!(c.get("hasMore").is_none());
        }
        // A prompt or template that is not registered completes to nothing, answered by
        // the core (as for one the caller may not see), without asking the handler.
        for unknown in
            [json!({"type": "ref/prompt", "name": "other"}), json!({"type": "ref/resource", "uri": "test://x/{id}"})]
        {
            let reply = h.call(era, 1, "completion/complete", complete(unknown, "name", ""));
            assert_eq!(result(&reply)["completion"], json!({"values": []}));
        }
        // Context arguments are accepted.
        let mut params = complete(greet.clone(), "name", "G");
        params["context"] = json!({"arguments": {"style": "x"}});
        assert_eq!(result(&h.call(era, 2, "completion/complete", params))["completion"]["values"], json!(["Grace"]));

        for bad in [
            json!({}),
            json!({"ref": {"type": "ref/unknown", "name": "greet"}, "argument": {"name": "name", "value": ""}}),
            json!({"ref": {"type": "ref/prompt"}, "argument": {"name": "name", "value": ""}}),
            json!({"ref": greet, "argument": {"name": "name"}}),
            json!({"ref": "greet", "argument": {"name": "name", "value": ""}}),
        ] {
            error(&h.call(era, 3, "completion/complete", bad), -32602);
        }
    }
}

#[test]
fn pagination_with_a_small_page_size() {
    let mut h: Harness = Harness::with_config(Config { page_size: 3, ..Config::new() });
    h.initialize(LATEST_LEGACY);
    for era in ERAS {
        let mut names = Vec::new();
        let mut cursors = Vec::new();
        let mut params = json!({});
        loop {
            let reply = h.call(era, 1, "tools/list", params.clone());
            let r = result(&reply);
            let page = r["tools"].as_array().unwrap();
            assert!(!page.is_empty() && page.len() <= 3);
            names.extend(page.iter().map(|t| t["name"].as_str().unwrap().to_owned()));
            match r.get("nextCursor") {
                Some(c) => {
                    cursors.push(c.as_str().unwrap().to_owned());
                    params = json!({"cursor": c});
                }
                None => break,
            }
        }
        assert_eq!(names, TOOLS.iter().map(|t| t.name).collect::<Vec<_>>(), "{era:?}");
        assert_eq!(cursors, ["3", "6"]);

        // Two resources, two templates, two prompts: one page each.
        for (method, key) in [
            ("resources/list", "resources"),
            ("resources/templates/list", "resourceTemplates"),
            ("prompts/list", "prompts"),
        ] {
            let reply = h.call(era, 2, method, json!({}));
            assert_eq!(result(&reply)[key].as_array().unwrap().len(), 2, "{method}");
            assert!(result(&reply).get("nextCursor").is_none());
        }
        for bad in [json!("abc"), json!("99"), json!("-1"), json!(3), json!(null), json!(""), json!("3.0")] {
            let reply = h.call(era, "\"c\"", "tools/list", json!({"cursor": bad}));
            assert_eq!(reply["id"], "c");
            error(&reply, -32602);
        }
        // A cursor at the very end gives an empty last page.
        let reply = h.call(era, 3, "tools/list", json!({"cursor": "8"}));
        assert_eq!(result(&reply)["tools"], json!([]));
    }
}

// =======================================================================================
// Bad input
// =======================================================================================

#[test]
fn broken_json_is_a_parse_error_without_id() {
    let mut h = dual();
    for frame in [
        "{",
        r#"{"jsonrpc":"2.0","id":1,"method":"ping""#,
        r#"{"jsonrpc":"2.0","id":1,"method":"ping"}}"#,
        r#"{"jsonrpc":"2.0","id":1,"method":"ping"} x"#,
        "nope",
        "",
        "   ",
        r#"{"jsonrpc":"2.0","id":1,"method":'ping'}"#,
        r#"{"jsonrpc":"2.0","id":01,"method":"ping"}"#,
        r#"{"jsonrpc":"2.0","id":1,"method":"ping",}"#,
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"pi\tng\"}",
        r#"{"jsonrpc":"2.0","id":1,"method":"p\ing"}"#,
        r#"[1,2"#,
    ] {
        let out = h.send(frame);
        let e = error_without_id(out.one(), -32700);
        assert!(e["message"].as_str().unwrap().starts_with("Parse error"), "{frame:?}: {}", out.line());
        assert!(!out.line().contains("\"id\""), "{frame:?}");
        assert_still_serves(&mut h);
    }
}

#[test]
fn json_that_is_not_a_request_is_invalid_request() {
    let mut h = dual();
    for frame in
        ["42", r#""x""#, "null", "true", "{}", r#"{"jsonrpc":"2.0"}"#, r#"{"jsonrpc":"2.0","params":{}}"#, "[1]", "[]"]
    {
        let out = h.send(frame);
        error_without_id(out.one(), -32600);
        assert_still_serves(&mut h);
    }
    // When the id can be read it is echoed.
    for frame in [
        r#"{"jsonrpc":"2.0","id":1}"#,
        r#"{"jsonrpc":"1.0","id":1,"method":"ping"}"#,
        r#"{"id":1,"method":"ping"}"#,
        r#"{"jsonrpc":2,"id":1,"method":"ping"}"#,
        r#"{"jsonrpc":"2.0","id":1,"method":5}"#,
        r#"{"jsonrpc":"2.0","id":1,"method":null}"#,
    ] {
        let out = h.send(frame);
        let reply = out.one();
        assert_eq!(reply["id"], 1, "{frame}");
        error(reply, -32600);
        assert_still_serves(&mut h);
    }
}

#[test]
fn batches_only_where_the_revision_has_them() {
    let batch = format!(
        "[{},{},{}]",
        legacy(1, "ping", Value::Null),
        notification("notifications/initialized", Value::Null),
        legacy(2, "tools/list", Value::Null)
    );
    // No session, or a session without batches: one error for the whole array.
    for version in [None, Some("2024-11-05"), Some("2025-06-18"), Some("2025-11-25")] {
        let mut h = Harness::new();
        if let Some(v) = version {
            h.initialize(v);
        }
        let out = h.send(&batch);
        error_without_id(out.one(), -32600);
        assert_eq!(h.unanswered(), 2, "the elements were not handled");
        let mut h = Harness::new();
        let out = h.send(format!("[{}]", modern(1, "tools/list", json!({}))));
        error_without_id(out.one(), -32600);
    }
    // 2025-03-26: each element is handled as if it came alone.
    let mut h = Harness::legacy("2025-03-26");
    let initialized_before = h.handler.initialized;
    let out = h.send(&batch);
    assert_eq!(out.len(), 2, "{:?}", out.lines);
    assert_eq!(out.lines[0], r#"{"jsonrpc":"2.0","id":1,"result":{}}"#);
    assert_eq!(out.values[1]["id"], 2);
    assert_eq!(result(&out.values[1])["tools"].as_array().unwrap().len(), TOOLS.len());
    assert_eq!(h.handler.initialized, initialized_before + 1);
    // Bad elements get their own errors; good ones still get answers.
    let out = h.send(format!(
        "[42,{},{{\"jsonrpc\":\"2.0\",\"id\":4}},{}]",
        legacy(3, "no/such", Value::Null),
        legacy(5, "ping", Value::Null)
    ));
    assert_eq!(out.len(), 4, "{:?}", out.lines);
    error_without_id(&out.values[0], -32600);
    assert_eq!(out.values[1]["id"], 3);
    error(&out.values[1], -32601);
    assert_eq!(out.values[2]["id"], 4);
    error(&out.values[2], -32600);
    assert_eq!(out.lines[3], r#"{"jsonrpc":"2.0","id":5,"result":{}}"#);
    // A batch of notifications and responses needs no answer at all.
    h.send(format!(
        "[{},{{\"jsonrpc\":\"2.0\",\"id\":9,\"result\":{{}}}}]",
        notification("notifications/unknown", Value::Null)
    ))
    .none();
    // An empty batch is one invalid request; a nested batch element is an invalid request.
    error_without_id(h.send("[]").one(), -32600);
    error_without_id(h.send(format!("[[{}]]", legacy(6, "ping", Value::Null))).one(), -32600);
    assert_still_serves(&mut h);
}

#[test]
fn unknown_methods_are_method_not_found() {
    let mut h = dual();
    for era in ERAS {
        for method in [
            "no/such",
            "tools/List",
            "tools/list ",
            "",
            "resources/templates",
            "a-very-long-method-name-that-fills-more-than-32-bytes",
        ] {
            let reply = h.call(era, "\"u\"", method, json!({}));
            assert_eq!(reply["id"], "u", "{method}");
            error(&reply, -32601);
        }
    }
}

#[test]
fn params_must_be_an_object() {
    let mut h = dual();
    for params in ["[1]", "[]", r#""x""#, "3", "true"] {
        for method in ["tools/list", "ping", "tools/call", "server/discover", "initialize"] {
            let frame = format!(r#"{{"jsonrpc":"2.0","id":1,"method":"{method}","params":{params}}}"#);
            let reply = h.send(frame).one().clone();
            assert_eq!(reply["id"], 1);
            error(&reply, -32602);
        }
    }
    // JSON-RPC params are structured values only: `null` is not an absent member.
    let reply = h.send(r#"{"jsonrpc":"2.0","id":1,"method":"ping","params":null}"#).one().clone();
    error(&reply, -32602);
    assert_still_serves(&mut h);
}

#[test]
fn tools_call_needs_a_name_and_object_arguments() {
    let mut h = dual();
    for era in ERAS {
        for params in [
            json!({}),
            json!({"name": 5}),
            json!({"name": null}),
            json!({"arguments": {"text": "x"}}),
            json!({"name": "echo", "arguments": ["x"]}),
            json!({"name": "echo", "arguments": "x"}),
            json!({"name": "echo", "arguments": 1}),
        ] {
            let reply = h.call(era, 1, "tools/call", params.clone());
            assert_eq!(reply["id"], 1);
            error(&reply, -32602);
            assert!(reply.get("result").is_none(), "{params}");
        }
    }
}

#[test]
fn unknown_tools_are_json_rpc_errors_not_tool_errors() {
    let mut h = dual();
    for era in ERAS {
        for name in ["nope", "Echo", "", "echo "] {
            let reply = h.call(era, "\"t\"", "tools/call", json!({"name": name, "arguments": {}}));
            assert_eq!(reply["id"], "t");
            let e = error(&reply, -32602);
            assert!(e["message"].as_str().unwrap().contains("Unknown tool"), "{reply}");
        }
    }
}

#[test]
fn arguments_failing_the_input_schema_are_a_tool_error_naming_the_field() {
    let mut h = dual();
    for era in ERAS {
        for (args, text) in [
            (json!({"a": "1", "b": 2}), "Invalid arguments for tool add: `a` must be a number, not a string"),
            (json!({"a": 1}), "Invalid arguments for tool add: missing required argument `b`"),
            (json!({"a": 1, "b": null}), "Invalid arguments for tool add: `b` must be a number, not null"),
        ] {
            let reply = h.call(era, 1, "tools/call", json!({"name": "add", "arguments": args}));
            let r = result(&reply);
            assert_eq!(r["isError"], true);
            assert_eq!(r["content"], json!([{"type": "text", "text": text}]));
        }
        let reply = h.call(era, 2, "tools/call", json!({"name": "echo"}));
        assert_eq!(result(&reply)["isError"], true);
        assert!(first_text(&reply).contains("`text`"), "{reply}");
        let reply = h.call(era, 3, "tools/call", json!({"name": "pretty", "arguments": {"n": 0}}));
        assert_eq!(first_text(&reply), "Invalid arguments for tool pretty: `n` must be >= 1");
        let reply = h.call(era, 4, "tools/call", json!({"name": "pretty", "arguments": {"n": 1.5}}));
        assert_eq!(first_text(&reply), "Invalid arguments for tool pretty: `n` must be an integer, not a number");
    }
}

#[test]
fn invalid_utf8_is_a_parse_error() {
    let mut h = dual();
    for bad in [&b"\xff"[..], b"\xc0\xaf", b"\xed\xa0\x80", b"\xe2\x82", b"\xf4\x90\x80\x80"] {
        let mut frame =
            br#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":""#.to_vec();
        frame.extend_from_slice(bad);
        frame.extend_from_slice(br#""}}}"#);
        let out = h.send(&frame);
        let e = error_without_id(out.one(), -32700);
        assert!(e["message"].as_str().unwrap().contains("UTF-8"), "{}", out.line());
        assert_still_serves(&mut h);
    }
}

#[test]
fn lone_surrogates_are_a_parse_error() {
    let mut h = dual();
    for text in
        [r"\ud800", r"\udc00", r"\ud800\u0041", r"\ud800x", r"\udbff", r"\udfff\ud800", r"\ud800\ud800", r"\ud800\n"]
    {
        let frame = format!(
            r#"{{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{{"name":"echo","arguments":{{"text":"{text}"}}}}}}"#
        );
        let out = h.send(frame);
        error_without_id(out.one(), -32700);
        assert_still_serves(&mut h);
    }
    // A proper pair is a character like any other.
    for era in ERAS {
        let frame = in_era(era, 1, "tools/call", json!({"name": "echo", "arguments": {"text": "PH"}}))
            .replace("PH", r"\ud83d\ude00");
        let out = h.send(frame);
        assert_eq!(first_text(out.one()), "😀");
    }
}

#[test]
fn nesting_past_max_depth_is_refused() {
    // Envelope, params, arguments: three levels before `deep`.
    let frame = |levels: usize| {
        format!(
            r#"{{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{{"name":"echo","arguments":{{"text":"x","deep":{}{}}}}}}}"#,
            "[".repeat(levels),
            "]".repeat(levels)
        )
    };
    for (max_depth, fits) in [(8, 5), (64, 61)] {
        let mut h: Harness = Harness::with_config(Config { max_depth, ..Config::new() });
        h.initialize(LATEST_LEGACY);
        assert_eq!(first_text(h.send(frame(fits)).one()), "x", "depth {max_depth} fits");
        let out = h.send(frame(fits + 1));
        let e = error_without_id(out.one(), -32700);
        assert!(e["message"].as_str().unwrap().contains("nesting too deep"), "{}", out.line());
        let out = h.send(frame(300));
        error_without_id(out.one(), -32700);
        assert_still_serves(&mut h);
    }
}

/// Ids a client may send, as JSON text; each must come back byte for byte.
const ODD_IDS: [&str; 13] = [
    r#""a\"b\u00e9""#,
    r#""\/\\\b\f\n\r\t""#,
    r#""\ud83d\ude00""#,
    r#""""#,
    r#""  spaced  ""#,
    "0",
    "-0",
    "-1",
    "9007199254740993",
    "-9223372036854775809",
    "18446744073709551616000",
    "123456789012345678901234567890123456789012345678901234567890",
    r#""é""#,
];

#[test]
fn request_ids_are_echoed_byte_for_byte() {
    let mut h = dual();
    for id in ODD_IDS {
        let prefix = format!(r#"{{"jsonrpc":"2.0","id":{id},"#);
        for frame in [
            legacy(id, "ping", Value::Null),
            modern(id, "tools/list", json!({})),
            legacy(id, "tools/call", json!({"name": "echo", "arguments": {"text": "x"}})),
            modern(id, "no/such", json!({})),
            legacy(id, "tools/call", json!({"name": "nope"})),
            modern(id, "resources/read", json!({"uri": "test://nothing"})),
        ] {
            let out = h.send(&frame);
            assert!(out.line().starts_with(&prefix), "{frame}\n{}", out.line());
            assert_eq!(raw_id(out.line()).as_deref(), Some(id));
        }
        // Through a slot, answered later.
        h.send(modern(id, "tools/call", json!({"name": "defer"}))).none();
        let ticket = h.handler.deferred.pop().unwrap();
        let (done, out) = h.respond(None, |r| r.tool_result(ticket, |res| res.text("late")));
        assert_eq!(done, Ok(()));
        assert!(out.line().starts_with(&prefix), "{}", out.line());
    }
    // Whitespace around the id is not part of it.
    let out = h.send(r#"{"jsonrpc":"2.0","id" :  7 ,"method":"ping"}"#);
    assert_eq!(out.line(), r#"{"jsonrpc":"2.0","id":7,"result":{}}"#);
}

#[test]
fn ids_of_other_types_are_invalid_requests_without_id() {
    let mut h = dual();
    for id in ["1.5", "true", "false", "null", "{}", r#"{"a":1}"#, "[]", "[1]"] {
        for method in ["ping", "tools/list"] {
            let frame = format!(r#"{{"jsonrpc":"2.0","id":{id},"method":"{method}"}}"#);
            let out = h.send(&frame);
            error_without_id(out.one(), -32600);
        }
        let out = h.send(modern(id, "tools/list", json!({})));
        error_without_id(out.one(), -32600);
        assert_still_serves(&mut h);
    }
}

#[test]
fn notifications_with_ids_are_answered_as_requests() {
    let mut h = dual();
    let before = h.handler.initialized;
    let reply = h.send(r#"{"jsonrpc":"2.0","id":5,"method":"notifications/initialized"}"#).one().clone();
    assert_eq!(reply["id"], 5);
    error(&reply, -32601);
    assert_eq!(h.handler.initialized, before, "not handled as the notification");

    h.send(modern(6, "tools/call", json!({"name": "defer"}))).none();
    let reply =
        h.send(r#"{"jsonrpc":"2.0","id":7,"method":"notifications/cancelled","params":{"requestId":6}}"#).one().clone();
    assert_eq!(reply["id"], 7);
    error(&reply, -32601);
    assert!(h.handler.cancelled.is_empty(), "a request is not a cancellation");
    assert_eq!(h.server.in_flight(), 1);

    // Before initialize, such a request is refused like any other legacy request.
    let mut h = Harness::new();
    let reply = h.send(r#"{"jsonrpc":"2.0","id":8,"method":"notifications/initialized"}"#).one().clone();
    assert_eq!(reply["id"], 8);
    assert!(reply.get("error").is_some());
}

#[test]
fn unknown_notifications_are_ignored() {
    for mut h in [Harness::new(), dual()] {
        for frame in [
            notification("notifications/unknown", Value::Null),
            notification("notifications/unknown", json!({"x": 1})),
            notification("tools/list", json!({})),
            notification("ping", Value::Null),
            notification("initialize", json!({"protocolVersion": "2025-06-18"})),
            notification("notifications/progress", json!({"progressToken": 1, "progress": 1})),
            notification("notifications/cancelled", json!({"requestId": 12345})),
            notification("notifications/cancelled", json!({})),
            notification("notifications/cancelled", Value::Null),
            r#"{"jsonrpc":"2.0","method":"notifications/unknown","params":[1]}"#.to_owned(),
            r#"{"jsonrpc":"2.0","method":"notifications/unknown","params":"x"}"#.to_owned(),
        ] {
            h.send(&frame).none();
        }
        assert!(h.handler.cancelled.is_empty());
        assert_still_serves(&mut h);
    }
}

#[test]
fn member_names_spelt_with_escapes_are_the_same_names() {
    // Regression: member names were matched by their raw text, so `"\u0069d"` was no id
    // (a request taken for a notification, never answered) and `"n\u0061me"` no name,
    // while `Object::get` (the HTTP header checks) decoded them: two readings of one
    // message.
    let mut h = dual();
    let reply = h.send(r#"{"jsonrpc":"2.0","\u0069d":"e1","m\u0065thod":"ping","p\u0061rams":{}}"#).one().clone();
    assert_eq!(reply, json!({"jsonrpc": "2.0", "id": "e1", "result": {}}));
    let reply = h
        .send(r#"{"jsonrpc":"2.0","id":2,"method":"tools/call","p\u0061rams":{"n\u0061me":"echo","\u0061rguments":{"text":"legacy"}}}"#)
        .one()
        .clone();
    assert_eq!(first_text(&reply), "legacy");
    let reply = h
        .send(r#"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"echo","arguments":{"text":"modern"},"_m\u0065ta":{"io.modelcontextprotocol/protocolV\u0065rsion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}"#)
        .one()
        .clone();
    assert_eq!(first_text(&reply), "modern");
    assert_eq!(result(&reply)["resultType"], "complete", "a 2026-07-28 result: {reply}");
    // A name given twice counts at its first occurrence, whichever spelling either has;
    // for `params` too (not the later, plainly spelt one the frame's outline found).
    let reply = h
        .send(r#"{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"n\u0061me":"fail","name":"echo","arguments":{"text":"x"}}}"#)
        .one()
        .clone();
    assert_eq!(result(&reply)["isError"], true, "the first name, fail, runs: {reply}");
    let reply = h
        .send(r#"{"jsonrpc":"2.0","id":5,"method":"tools/call","p\u0061rams":{"name":"echo","arguments":{"text":"first"}},"params":{"name":"echo","arguments":{"text":"second"}}}"#)
        .one()
        .clone();
    assert_eq!(first_text(&reply), "first");
    assert_still_serves(&mut h);
}

#[test]
fn responses_to_requests_never_sent_are_ignored() {
    let mut h = dual();
    for frame in [
        r#"{"jsonrpc":"2.0","id":1,"result":{}}"#,
        r#"{"jsonrpc":"2.0","id":"x","result":{"content":[]}}"#,
        r#"{"jsonrpc":"2.0","id":2,"error":{"code":-32601,"message":"no"}}"#,
        r#"{"jsonrpc":"2.0","error":{"code":-32700,"message":"Parse error"}}"#,
        r#"{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}}"#,
    ] {
        h.send(frame).none();
        assert_still_serves(&mut h);
    }
}

// =======================================================================================
// The in-flight table
// =======================================================================================

#[test]
fn deferred_answers_by_ticket() {
    let mut h = dual();
    for era in ERAS {
        h.send(in_era(era, 10, "tools/call", json!({"name": "defer"}))).none();
        assert_eq!(h.server.in_flight(), 1);
        // Other requests are answered meanwhile.
        assert_eq!(
            first_text(&h.call(era, 11, "tools/call", json!({"name": "echo", "arguments": {"text": "now"}}))),
            "now"
        );
        let ticket = h.handler.deferred.pop().unwrap();
        let (done, out) = h.respond(None, |r| {
            assert!(r.is_live(ticket));
            r.tool_result(ticket, |res| res.text("later"))
        });
        assert_eq!(done, Ok(()));
        assert_eq!(out.one()["id"], 10);
        assert_eq!(first_text(out.one()), "later");
        assert_eq!(h.server.in_flight(), 0);
        let (again, out) = h.respond(None, |r| r.tool_result(ticket, |res| res.text("twice")));
        assert_eq!(again, Err(Error::StaleTicket));
        out.none();
    }
    assert_eq!(h.unanswered(), 0);
}

#[test]
fn capacity_exceeded_is_an_internal_error_while_earlier_calls_complete() {
    let mut h: Harness<2> = Harness::sized(Config::new());
    h.initialize(LATEST_LEGACY);
    h.send(legacy(1, "tools/call", json!({"name": "defer"}))).none();
    h.send(modern(2, "tools/call", json!({"name": "defer"}))).none();
    for (era, id, method, params) in [
        (Era::Legacy, 3, "tools/call", json!({"name": "defer"})),
        (Era::Modern, 4, "tools/call", json!({"name": "echo", "arguments": {"text": "x"}})),
        (Era::Legacy, 5, "resources/read", json!({"uri": "test://readme"})),
        (Era::Modern, 6, "prompts/get", json!({"name": "plain"})),
        (
            Era::Legacy,
            7,
            "completion/complete",
            json!({"ref": {"type": "ref/prompt", "name": "greet"}, "argument": {"name": "name", "value": ""}}),
        ),
    ] {
        let reply = h.call(era, id, method, params);
        assert_eq!(reply["id"], id);
        assert_eq!(error(&reply, -32603)["data"], json!({"capacity": 2}), "{method}");
    }
    // What needs no slot still works.
    assert_still_serves(&mut h);
    let [first, second] = [h.handler.deferred[0], h.handler.deferred[1]];
    let (done, out) = h
        .respond(None, |r| (r.tool_result(second, |res| res.text("two")), r.tool_result(first, |res| res.text("one"))));
    assert_eq!(done, (Ok(()), Ok(())));
    assert_eq!((out.values[0]["id"].clone(), out.values[1]["id"].clone()), (json!(2), json!(1)));
    assert_eq!(result(&out.values[0])["resultType"], "complete", "the modern call is answered as modern");
    assert!(result(&out.values[1]).get("resultType").is_none(), "the legacy call as legacy");
    // Freed slots take new calls.
    assert_eq!(
        first_text(&h.call(Era::Legacy, 8, "tools/call", json!({"name": "echo", "arguments": {"text": "x"}}))),
        "x"
    );
}

#[test]
fn a_duplicate_id_in_flight_is_an_invalid_request() {
    let mut h = dual();
    h.send(legacy("\"x\"", "tools/call", json!({"name": "defer"}))).none();
    for frame in [
        legacy("\"x\"", "tools/call", json!({"name": "echo", "arguments": {"text": "x"}})),
        modern("\"x\"", "resources/read", json!({"uri": "test://readme"})),
    ] {
        let reply = h.send(frame).one().clone();
        assert_eq!(reply["id"], "x");
        error(&reply, -32600);
    }
    assert_eq!(h.server.in_flight(), 1);
    // The first call still completes, and then its id may be used again.
    let ticket = h.handler.deferred[0];
    let (done, out) = h.respond(None, |r| r.tool_result(ticket, |res| res.text("first")));
    assert_eq!(done, Ok(()));
    assert_eq!(out.one()["id"], "x");
    assert_eq!(
        first_text(&h.call(
            Era::Legacy,
            "\"x\"",
            "tools/call",
            json!({"name": "echo", "arguments": {"text": "again"}})
        )),
        "again"
    );
}

#[test]
fn cancelled_requests_get_nothing_more() {
    let mut h = dual();
    for (era, id, cancel) in [
        (Era::Legacy, "7", json!({"requestId": 7, "reason": "user"})),
        (Era::Modern, "\"c\"", json!({"requestId": "c"})),
    ] {
        let params = json!({"name": "defer", "_meta": {"progressToken": "tok"}});
        h.send(in_era(era, id, "tools/call", params)).none();
        let ticket = h.handler.deferred.pop().unwrap();
        let (sent, out) = h.respond(None, |r| r.progress(ticket, 1.0, None, None));
        assert_eq!(sent, Ok(true));
        assert_eq!(out.one()["params"], json!({"progressToken": "tok", "progress": 1}));

        // The same id as another type does not cancel it.
        let wrong = if era == Era::Legacy { json!({"requestId": "7"}) } else { json!({"requestId": 0}) };
        h.send(notification("notifications/cancelled", wrong)).none();
        assert_eq!(h.server.in_flight(), 1);

        h.send(notification("notifications/cancelled", cancel)).none();
        assert_eq!(h.handler.cancelled, [ticket]);
        assert_eq!(h.server.in_flight(), 0);
        let (outcome, out) = h.respond(None, |r| {
            (
                r.is_live(ticket),
                r.tool_result(ticket, |res| res.text("too late")),
                r.progress(ticket, 2.0, None, None),
                r.error(ticket, -32603, "x"),
                r.log_text(Some(ticket), LogLevel::Emergency, "x"),
            )
        });
        assert_eq!(
            outcome,
            (false, Err(Error::StaleTicket), Err(Error::StaleTicket), Err(Error::StaleTicket), Err(Error::StaleTicket))
        );
        out.none();
        // Cancelling again, or after the answer, does nothing.
        h.send(notification("notifications/cancelled", json!({"requestId": 7}))).none();
        assert_eq!(h.handler.cancelled.len(), 1);
        h.handler.cancelled.clear();
    }
    assert_still_serves(&mut h);
}

#[test]
fn progress_only_with_a_token_and_only_increasing() {
    let mut h = dual();
    for (era, token) in [(Era::Legacy, json!("tok")), (Era::Modern, json!(42)), (Era::Legacy, json!(-7))] {
        h.send(in_era(era, 1, "tools/call", json!({"name": "defer", "_meta": {"progressToken": token}}))).none();
        assert!(h.handler.last_wants_progress);
        let ticket = h.handler.deferred.pop().unwrap();
        let (sent, out) = h.respond(None, |r| {
            [
                r.progress(ticket, 1.0, Some(10.0), Some("one")),
                r.progress(ticket, 1.0, Some(10.0), None),
                r.progress(ticket, 0.5, None, None),
                r.progress(ticket, 2.5, None, None),
                r.progress(ticket, f64::NAN, None, None),
                r.progress(ticket, 10.0, Some(10.0), None),
            ]
        });
        assert_eq!(sent, [Ok(true), Ok(false), Ok(false), Ok(true), Ok(false), Ok(true)]);
        assert_eq!(out.len(), 3);
        assert_eq!(
            out.values[0]["params"],
            json!({"progressToken": token, "progress": 1, "total": 10, "message": "one"})
        );
        assert_eq!(out.values[1]["params"], json!({"progressToken": token, "progress": 2.5}));
        assert_eq!(out.values[2]["params"], json!({"progressToken": token, "progress": 10, "total": 10}));
        let (done, _) = h.respond(None, |r| r.tool_result(ticket, |res| res.text("done")));
        assert_eq!(done, Ok(()));
    }
    // Without a token nothing is sent.
    h.send(modern(2, "tools/call", json!({"name": "defer"}))).none();
    assert!(!h.handler.last_wants_progress);
    let ticket = h.handler.deferred.pop().unwrap();
    let (sent, out) = h.respond(None, |r| r.progress(ticket, 1.0, None, None));
    assert_eq!(sent, Ok(false));
    out.none();
    // The token is echoed exactly as sent.
    h.send(r#"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"defer","_meta":{"progressToken":"t\u00e9"}}}"#).none();
    let ticket = h.handler.deferred.pop().unwrap();
    let (_, out) = h.respond(None, |r| r.progress(ticket, 1.0, None, None));
    assert_eq!(
        out.line(),
        r#"{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":"t\u00e9","progress":1}}"#
    );
}

#[test]
fn a_handler_error_without_an_answer_becomes_an_internal_error() {
    let mut h = dual();
    for era in ERAS {
        let reply = h.call(era, "\"b\"", "tools/call", json!({"name": "broken"}));
        assert_eq!(reply["id"], "b");
        error(&reply, -32603);
        assert_eq!(h.server.in_flight(), 0);
    }
    assert_still_serves(&mut h);
}

#[test]
fn stale_and_wrong_kind_tickets_are_refused_and_write_nothing() {
    let mut h = dual();
    h.send(legacy(1, "tools/call", json!({"name": "defer"}))).none();
    let ticket = h.handler.deferred[0];
    let (outcome, out) = h.respond(None, |r| {
        (
            r.resource(ticket, |c| c.push(ResourceContents::text("test://readme", "text/plain", "x"))),
            r.resource_not_found(ticket, "test://x"),
            r.prompt(ticket, None, |_| Ok(())),
            r.completion(ticket, |_| Ok(())),
        )
    });
    assert_eq!(outcome, (Err(Error::WrongKind), Err(Error::WrongKind), Err(Error::WrongKind), Err(Error::WrongKind)));
    out.none();
    assert_eq!(h.server.in_flight(), 1, "a wrong-kind reply leaves the call waiting");
    // Any kind may be answered with a plain error.
    let (done, out) = h.respond(None, |r| r.error(ticket, -32603, "gave up"));
    assert_eq!(done, Ok(()));
    assert_eq!(error(out.one(), -32603)["message"], "gave up");
    let (outcome, out) = h.respond(None, |r| {
        (r.tool_result(ticket, |res| res.text("x")), r.tool_error(ticket, "x"), r.error(ticket, -32603, "x"))
    });
    assert_eq!(outcome, (Err(Error::StaleTicket), Err(Error::StaleTicket), Err(Error::StaleTicket)));
    out.none();
    // Tickets that never were.
    for bits in [0, u64::MAX, 1 << 32, 3] {
        let (outcome, out) = h.respond(None, |r| r.tool_result(Ticket::from_bits(bits), |res| res.text("x")));
        assert_eq!(outcome, Err(Error::StaleTicket), "{bits}");
        out.none();
    }
    // A reused slot gets a new generation: the old ticket stays stale.
    h.send(legacy(2, "tools/call", json!({"name": "defer"}))).none();
    let fresh = h.handler.deferred[1];
    assert_ne!(fresh, ticket);
    let (outcome, out) = h.respond(None, |r| r.tool_result(ticket, |res| res.text("x")));
    assert_eq!(outcome, Err(Error::StaleTicket));
    out.none();
    let (done, out) = h.respond(None, |r| r.tool_result(fresh, |res| res.text("fresh")));
    assert_eq!(done, Ok(()));
    assert_eq!(out.one()["id"], 2);
}

#[test]
fn an_id_and_token_too_long_for_a_slot_are_refused() {
    let mut h = dual();
    let long_id = format!("\"{}\"", "i".repeat(SLOT_TEXT - 2));
    assert_eq!(long_id.len(), SLOT_TEXT);
    // The id alone fits exactly.
    h.send(legacy(&long_id, "tools/call", json!({"name": "defer"}))).none();
    let ticket = h.handler.deferred.pop().unwrap();
    let (_, out) = h.respond(None, |r| r.tool_result(ticket, |res| res.text("fits")));
    assert_eq!(raw_id(out.line()).as_deref(), Some(long_id.as_str()));

    let longer_id = format!("\"{}\"", "i".repeat(SLOT_TEXT - 1));
    let half = format!("\"{}\"", "h".repeat(SLOT_TEXT / 2));
    for (era, id, params) in [
        (Era::Legacy, longer_id.clone(), json!({"name": "echo", "arguments": {"text": "x"}})),
        (Era::Modern, half.clone(), json!({"name": "defer", "_meta": {"progressToken": "t".repeat(SLOT_TEXT / 2)}})),
        (Era::Modern, longer_id.clone(), json!({"uri": "test://readme"})),
    ] {
        let method = if params.get("uri").is_some() { "resources/read" } else { "tools/call" };
        let out = h.send(in_era(era, &id, method, params));
        error(out.one(), -32600);
        assert_eq!(raw_id(out.line()).as_deref(), Some(id.as_str()), "the id is still echoed");
    }
    assert_eq!(h.server.in_flight(), 0);
    // Requests that need no slot take any id.
    result(&h.call(Era::Modern, &longer_id, "tools/list", json!({})));
}

// =======================================================================================
// Framing
// =======================================================================================

/// Push `input` through a line buffer of `N` bytes in chunks of `chunk`, serving every
/// frame and rejecting every over-long line; then end of input.
fn serve_lines<const N: usize>(h: &mut Harness, input: &[u8], chunk: usize) -> Vec<Value> {
    let mut lines = LineBuffer::new([0u8; N]);
    let mut replies = Vec::new();
    let mut rest = input;
    while !rest.is_empty() {
        let space = lines.space();
        let n = space.len().min(chunk).min(rest.len());
        space[..n].copy_from_slice(&rest[..n]);
        lines.commit(n);
        rest = &rest[n..];
        loop {
            let frame = match lines.next_line() {
                None => break,
                Some(Line::TooLong) => None,
                Some(Line::Frame(f)) => Some(f.to_vec()),
            };
            let out = match frame {
                Some(f) => h.send(&f),
                None => h.reject_oversized(lines.capacity()),
            };
            replies.extend(out.values);
        }
    }
    if let Some(f) = lines.finish() {
        let f = f.to_vec();
        replies.extend(h.send(&f).values);
    }
    replies
}

#[test]
fn an_over_long_line_gets_one_error_and_the_next_line_is_served() {
    for chunk in [1, 7, 64, 1000] {
        let mut h = dual();
        let long = legacy(1, "tools/call", json!({"name": "echo", "arguments": {"text": "x".repeat(400)}}));
        let input = format!(
            "{long}\n{}\n{long}{long}\n{}\n",
            legacy(2, "ping", Value::Null),
            modern(3, "tools/list", json!({}))
        );
        let replies = serve_lines::<256>(&mut h, input.as_bytes(), chunk);
        assert_eq!(replies.len(), 4, "chunk {chunk}: {replies:?}");
        assert_eq!(error_without_id(&replies[0], -32600)["data"], json!({"limit": 256}));
        assert_eq!(replies[1], json!({"jsonrpc": "2.0", "id": 2, "result": {}}));
        error_without_id(&replies[2], -32600);
        assert_eq!(replies[3]["id"], 3);
        result(&replies[3]);
    }
}

#[test]
fn crlf_lines_and_blank_lines() {
    let mut h = dual();
    let input =
        format!("{}\r\n\r\n  \n\t\r\n{}\r\n", legacy(1, "ping", Value::Null), modern(2, "tools/list", json!({})));
    let replies = serve_lines::<512>(&mut h, input.as_bytes(), 5);
    assert_eq!(replies.len(), 2);
    assert_eq!(replies[0]["id"], 1);
    assert_eq!(replies[1]["id"], 2);
}

#[test]
fn end_of_input_in_the_middle_of_a_frame() {
    let mut h = dual();
    // The last frame has no newline: `finish` hands it over.
    let input = format!("{}\n{}", legacy(1, "ping", Value::Null), legacy(2, "ping", Value::Null));
    let replies = serve_lines::<512>(&mut h, input.as_bytes(), 9);
    assert_eq!(replies.iter().map(|r| r["id"].clone()).collect::<Vec<_>>(), [json!(1), json!(2)]);
    // A truncated frame is a parse error, answered once.
    let input = format!("{}\n{{\"jsonrpc\":\"2.0\",\"id\":3,\"meth", legacy(1, "ping", Value::Null));
    let replies = serve_lines::<512>(&mut h, input.as_bytes(), 9);
    assert_eq!(replies.len(), 2);
    error_without_id(&replies[1], -32700);
    // An over-long line cut off by the end of input is dropped without a second error.
    let input = "x".repeat(700);
    let replies = serve_lines::<512>(&mut h, input.as_bytes(), 100);
    assert_eq!(replies.len(), 1);
    error_without_id(&replies[0], -32600);
    // Blank trailing input is nothing.
    assert!(serve_lines::<512>(&mut h, b"\n \r\n  ", 3).is_empty());
}

// =======================================================================================
// One JSON object per line
// =======================================================================================

#[test]
fn output_is_one_json_object_per_line() {
    // The sink fails on any raw newline inside a message (see `VecSink`); these are the
    // places where one could sneak in.
    let mut h = dual();
    for era in ERAS {
        let out = h.send(in_era(era, 1, "tools/list", json!({})));
        let tools = &result(out.one())["tools"];
        let pretty = &tools[7];
        assert_eq!(pretty["inputSchema"], serde_json::from_str::<Value>(PRETTY_SCHEMA).unwrap());
        assert_eq!(pretty["outputSchema"], json!({"type": "object"}));
        assert_eq!(pretty["description"], "Has a pretty-printed schema\nand a two-line description");
        assert!(out.line().contains(r#""description":"Has a pretty-printed schema\nand a two-line description""#));

        let text = "line one\nline two\r\n\u{2028}\u{0}end";
        let out = h.send(in_era(era, 2, "tools/call", json!({"name": "echo", "arguments": {"text": text}})));
        assert_eq!(first_text(out.one()), text);
        assert!(out.line().contains(r#"line one\nline two\r\n"#), "{}", out.line());
    }
    // Pretty-printed input is fine, and the answer is still one line.
    let frame = "{\n  \"jsonrpc\": \"2.0\",\r\n  \"id\": 3,\n  \"method\": \"ping\"\n}\n";
    assert_eq!(h.send(frame).line(), r#"{"jsonrpc":"2.0","id":3,"result":{}}"#);
}

#[test]
fn drafts_are_sent_whole_by_ticket() {
    let mut h = dual();
    for era in ERAS {
        h.send(in_era(era, 20, "tools/call", json!({"name": "defer"}))).none();
        let ticket = h.handler.deferred.pop().unwrap();
        let mut buf = [0u8; 96];
        let mut draft = Draft::tool(&mut buf);
        draft.text("first").unwrap();
        // A piece that does not fit leaves the draft as it was.
        let before = draft.len();
        assert_eq!(draft.text("x".repeat(200).as_str()), Err(Error::NoRoom));
        assert_eq!(draft.len(), before);
        assert_eq!(draft.content(Content::Json("{not json")), Err(Error::InvalidJson));
        assert_eq!(draft.resource(ResourceContents::text("a://b", "text/plain", "c")), Err(Error::WrongKind));
        draft.structured_json(r#"{"n":1}"#).unwrap();
        assert_eq!(draft.text("late"), Err(Error::OutOfOrder));
        draft.set_error(true).unwrap();
        let (sent, out) = h.respond(None, |r| r.send_draft(ticket, &draft));
        assert_eq!(sent, Ok(()));
        let r = result(out.one());
        assert_eq!(r["content"], json!([{"type": "text", "text": "first"}]));
        assert_eq!(r["structuredContent"], json!({"n": 1}));
        assert_eq!(r["isError"], true);
        let (again, out) = h.respond(None, |r| r.send_draft(ticket, &draft));
        assert_eq!(again, Err(Error::StaleTicket));
        out.none();

        // A draft of another kind than the request is refused; the ticket stays live.
        h.send(in_era(era, 21, "tools/call", json!({"name": "defer"}))).none();
        let ticket = h.handler.deferred.pop().unwrap();
        let mut buf = [0u8; 64];
        let mut values = Draft::completions(&mut buf);
        values.value("Ada").unwrap();
        let (wrong, out) = h.respond(None, |r| r.send_draft(ticket, &values));
        assert_eq!(wrong, Err(Error::WrongKind));
        out.none();
        // A prompt draft carries its description first.
        let mut buf = [0u8; 96];
        let mut prompt = Draft::messages(&mut buf);
        prompt.description("A greeting").unwrap();
        assert_eq!(prompt.description("again"), Err(Error::OutOfOrder));
        prompt.message(Role::User, Content::text("Hello")).unwrap();
        assert_eq!(Draft::tool(&mut [0u8; 8]).description("x"), Err(Error::WrongKind));
        let _ = prompt;
        let mut empty = [0u8; 8];
        let (sent, out) = h.respond(None, |r| r.send_draft(ticket, &Draft::tool(&mut empty)));
        assert_eq!(sent, Ok(()));
        assert_eq!(result(out.one())["content"], json!([]));
    }
    assert_eq!(h.unanswered(), 0);
}

#[test]
fn an_answer_that_did_not_fit_becomes_an_error_naming_the_limit() {
    let mut h = dual();
    for era in ERAS {
        // An answer the core wrote itself (a listing): the request gets the error instead.
        let list = in_era(era, 30, "tools/list", json!({}));
        let reply = h.reject_unfitting(&list, 900).one().clone();
        assert_eq!(reply["id"], 30);
        assert_eq!(error(&reply, -32603)["data"], json!({"limit": 900}));
        // A call still in flight is dropped, and the handler hears it.
        let call = in_era(era, 31, "tools/call", json!({"name": "defer"}));
        h.send(&call).none();
        let ticket = *h.handler.deferred.last().unwrap();
        let reply = h.reject_unfitting(&call, 900).one().clone();
        assert_eq!(reply["id"], 31);
        assert!(!h.server.is_live(ticket));
        assert_eq!(h.handler.cancelled.last(), Some(&ticket));
        // Not one request: nothing.
        h.reject_unfitting(&notification("notifications/initialized", json!({})), 900).none();
        h.reject_unfitting("{broken", 900).none();
        assert_still_serves(&mut h);
    }
    assert_eq!(h.unanswered(), 0);
}
