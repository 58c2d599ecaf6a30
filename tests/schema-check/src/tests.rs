//! Every test passes, saying so on stderr, when the schemas are not found.

use std::path::PathBuf;

use serde_json::{Value, json};

use super::*;

const LATEST: &str = "2026-07-28";

/// The method each server result with official examples in `LATEST` answers.
const ANSWERS: [(&str, &str); 11] = [
    ("CallToolResult", "tools/call"),
    ("CompleteResult", "completion/complete"),
    ("DiscoverResult", "server/discover"),
    ("GetPromptResult", "prompts/get"),
    ("InputRequiredResult", "tools/call"),
    ("ListPromptsResult", "prompts/list"),
    ("ListResourceTemplatesResult", "resources/templates/list"),
    ("ListResourcesResult", "resources/list"),
    ("ListToolsResult", "tools/list"),
    ("ReadResourceResult", "resources/read"),
    ("SubscriptionsListenResult", "subscriptions/listen"),
];

/// Official examples that break their own schema, with a word each error names: they must
/// stay rejected (this test notices when the spec fixes them).
const BROKEN_EXAMPLES: [(&str, &str); 1] = [
    // Predates `ttlMs` and `cacheScope` becoming required; its `…ResultResponse` definition
    // still admits it only because `InputRequiredResult` accepts any `resultType`.
    ("ReadResourceResultResponse/read-resource-result-response.json", "ttlMs"),
];

/// Results that clients write, not servers.
const CLIENT_RESULTS: [&str; 3] = ["CreateMessageResult", "ElicitResult", "ListRootsResult"];

/// Checks `message`; `None`, after saying so, when the schemas are missing.
fn check(rev: &str, message: &Value, answers: Option<&str>) -> Option<Outcome> {
    match check_server_message(rev, message, answers) {
        Outcome::Skipped(reason) => {
            say_skipped(&reason);
            None
        }
        outcome => Some(outcome),
    }
}

fn assert_passes(rev: &str, message: Value, answers: Option<&str>) {
    if let Some(outcome) = check(rev, &message, answers) {
        assert_eq!(outcome, Outcome::Valid, "{rev}: {message}");
    }
}

/// Asserts that `message` is rejected with an error mentioning `expected`.
fn assert_rejected(rev: &str, message: Value, answers: Option<&str>, expected: &str) {
    match check(rev, &message, answers) {
        None => {}
        Some(Outcome::Invalid(errors)) => assert!(
            errors.iter().any(|error| error.contains(expected)),
            "{rev}: no error mentions {expected:?}: {errors:#?}"
        ),
        Some(outcome) => panic!("{rev}: {message} should be invalid, got {outcome:?}"),
    }
}

fn result(result: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": 1, "result": result})
}

/// Each official example of `LATEST`, as (type name, file, JSON); empty, after saying so,
/// when the schemas are missing.
fn examples() -> Vec<(String, PathBuf, Value)> {
    let Some(dir) = spec_dir().map(|dir| dir.join(LATEST).join("examples")).filter(|dir| dir.is_dir()) else {
        say_skipped(&format!("no {LATEST}/examples folder found"));
        return Vec::new();
    };
    let mut examples = Vec::new();
    for type_dir in std::fs::read_dir(dir).unwrap() {
        let type_dir = type_dir.unwrap().path();
        let name = type_dir.file_name().unwrap().to_str().unwrap().to_owned();
        for file in std::fs::read_dir(&type_dir).unwrap() {
            let file = file.unwrap().path();
            let json = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
            examples.push((name.clone(), file, json));
        }
    }
    examples
}

#[test]
fn every_example_validates_against_its_definition() {
    let schema = match Schema::get(REVISIONS.len() - 1) {
        Ok(schema) => schema,
        Err(reason) => return say_skipped(reason),
    };
    for (name, file, example) in examples() {
        assert!(schema.is_defined(&name), "{} names no definition", file.display());
        let errors = schema.errors(&name, &example, "");
        assert!(errors.is_empty(), "{}: {errors:#?}", file.display());
    }
}

#[test]
fn every_server_example_validates_as_a_message() {
    let mut checked = Vec::new();
    for (name, file, example) in examples() {
        let (message, answers) = if name.ends_with("Notification") {
            (example, None)
        } else if name.ends_with("Error") {
            if example.get("jsonrpc").is_some() {
                (example, None)
            } else {
                (json!({"jsonrpc": "2.0", "id": 7, "error": example}), None)
            }
        } else if let Some(stem) = name.strip_suffix("Response").filter(|stem| stem.ends_with("Result")) {
            (example, Some(stem.to_owned()))
        } else if name.ends_with("Result") && !CLIENT_RESULTS.contains(&name.as_str()) {
            (result(example), Some(name.clone()))
        } else {
            continue;
        };
        let answers = answers.map(|result| {
            let answers = ANSWERS.iter().find(|(known, _)| *known == result);
            answers.unwrap_or_else(|| panic!("which request does {result} answer?")).1
        });
        let broken = BROKEN_EXAMPLES.iter().find(|(path, _)| file.ends_with(path));
        match broken {
            Some((_, expected)) => assert_rejected(LATEST, message, answers, expected),
            None => assert_passes(LATEST, message, answers),
        }
        checked.push(name);
    }
    if !checked.is_empty() {
        for needed in [
            "ListToolsResultResponse",
            "InputRequiredResult",
            "ProgressNotification",
            "ParseError",
            "UnsupportedProtocolVersionError",
        ] {
            assert!(checked.iter().any(|name| name == needed), "no {needed} example was checked");
        }
    }
}

#[test]
fn results_must_match_the_answered_method() {
    let tools = json!([{"name": "add", "inputSchema": {"type": "object"}}]);
    assert_passes(
        LATEST,
        result(json!({"resultType": "complete", "tools": tools, "ttlMs": 0, "cacheScope": "public"})),
        Some("tools/list"),
    );
    assert_rejected(
        LATEST,
        result(json!({"resultType": "complete", "tools": tools, "cacheScope": "public"})),
        Some("tools/list"),
        "ttlMs",
    );
    let bogus = json!({"resultType": "complete", "content": [{"type": "bogus"}]});
    assert_rejected(LATEST, result(bogus), Some("tools/call"), "/result/content/0: matches no alternative");
    assert_rejected(
        "2024-11-05",
        result(json!({"content": [{"type": "bogus"}]})),
        Some("tools/call"),
        "/result/content/0",
    );
    let initialize = json!({"protocolVersion": "2024-11-05", "capabilities": {}});
    assert_rejected("2024-11-05", result(initialize), Some("initialize"), "serverInfo");
    assert_rejected(LATEST, result(json!({})), Some("ping"), "defines no client request `ping`");
    assert_rejected(LATEST, result(json!({"resultType": "complete"})), None, "answers");
}

#[test]
fn legacy_results_validate() {
    let call = json!({"content": [{"type": "text", "text": "4"}], "isError": false});
    assert_passes("2024-11-05", result(call), Some("tools/call"));
    for rev in &REVISIONS[..4] {
        for method in EMPTY_RESULT_METHODS {
            assert_passes(rev, result(json!({})), Some(method));
        }
    }
}

#[test]
fn input_required_only_where_the_method_allows_it() {
    let input_required = json!({"resultType": "input_required", "requestState": "abc"});
    assert_passes(LATEST, result(input_required.clone()), Some("tools/call"));
    assert_rejected(LATEST, result(input_required), Some("tools/list"), "ListToolsResultResponse");
}

#[test]
fn errors_without_id_are_valid_from_2025_11_25_on() {
    let error = json!({"jsonrpc": "2.0", "error": {"code": -32700, "message": "Parse error"}});
    for rev in ["2025-11-25", LATEST] {
        assert_passes(rev, error.clone(), None);
    }
    for rev in &REVISIONS[..3] {
        assert_rejected(rev, error.clone(), None, "\"id\" is a required property");
    }
    let null_id = json!({"jsonrpc": "2.0", "id": null, "error": {"code": -32700, "message": "Parse error"}});
    assert_rejected("2025-11-25", null_id, None, "JSONRPCErrorResponse at /id");
}

#[test]
fn errors_with_a_defined_code_match_their_definition() {
    let unsupported =
        json!({"jsonrpc": "2.0", "id": 1, "error": {"code": -32022, "message": "Unsupported protocol version"}});
    assert_rejected(LATEST, unsupported, None, "UnsupportedProtocolVersionError at /error");
}

#[test]
fn notifications_are_looked_up_by_method() {
    let progress =
        json!({"jsonrpc": "2.0", "method": "notifications/progress", "params": {"progressToken": 1, "progress": 5}});
    let changed = json!({"jsonrpc": "2.0", "method": "notifications/tools/list_changed"});
    for rev in REVISIONS {
        assert_passes(rev, progress.clone(), None);
        assert_passes(rev, changed.clone(), None);
    }
    let no_token = json!({"jsonrpc": "2.0", "method": "notifications/progress", "params": {"progress": 5}});
    assert_rejected("2025-03-26", no_token, None, "ProgressNotification at /params");
    let initialized = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
    assert_rejected("2025-06-18", initialized, None, "no server notification");
}

#[test]
fn server_requests_exist_before_2026_07_28() {
    let ping = json!({"jsonrpc": "2.0", "id": "s1", "method": "ping"});
    assert_passes("2025-06-18", ping.clone(), None);
    assert_rejected(LATEST, ping, None, "no server request");
}

#[test]
fn broken_envelopes_are_rejected() {
    let changed = json!({"method": "notifications/tools/list_changed"});
    assert_rejected(LATEST, changed, None, "jsonrpc");
    assert_rejected(LATEST, json!({"jsonrpc": "1.0", "id": 1, "result": {}}), Some("ping"), "jsonrpc");
    assert_rejected("2025-11-25", json!({"jsonrpc": "2.0", "id": 1}), None, "neither");
    assert_rejected("2025-11-25", json!([]), None, "object");
}

#[test]
fn unknown_revisions_are_invalid_even_without_schemas() {
    let outcome = check_server_message("2099-01-01", &json!({"jsonrpc": "2.0"}), None);
    assert!(matches!(&outcome, Outcome::Invalid(errors) if errors[0].contains("unknown MCP revision")), "{outcome:?}");
}

#[test]
fn assert_valid_reports_revision_definition_and_message() {
    assert_valid("2025-06-18", b"{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":{}}\n", Some("ping"));
    let invalid = br#"{"jsonrpc":"2.0","id":3,"result":{"tools":7}}"#;
    let parsed = serde_json::from_slice(invalid).unwrap();
    if check("2025-06-18", &parsed, Some("tools/list")).is_none() {
        return;
    }
    let report = std::panic::catch_unwind(|| assert_valid("2025-06-18", invalid, Some("tools/list")))
        .expect_err("an invalid message panics");
    let report = report.downcast_ref::<String>().unwrap();
    for part in ["2025-06-18", "tools/list", "ListToolsResult at /result/tools", r#""tools":7"#] {
        assert!(report.contains(part), "{part:?} missing from:\n{report}");
    }
}

#[test]
fn formats_are_asserted_in_every_revision() {
    let resources = json!({"resources": [{"uri": "not a uri", "name": "n"}]});
    for rev in REVISIONS {
        assert_rejected(rev, result(resources.clone()), Some("resources/list"), "is not a \"uri\"");
    }
}

#[test]
fn tasks_extension_results() {
    let task = json!({"taskId": "t1", "status": "working", "createdAt": "2026-07-28T00:00:00.000Z",
                      "lastUpdatedAt": "2026-07-28T00:00:01.000Z", "ttlMs": 60000, "pollIntervalMs": 200});
    let with = |base: &Value, extra: Value| {
        let mut v = base.clone();
        v.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        v
    };
    assert_passes(LATEST, result(with(&task, json!({"resultType": "task"}))), Some("tools/call"));
    assert_rejected(LATEST, result(with(&task, json!({"resultType": "task"}))), Some("prompts/get"), "only tools/call");
    assert_rejected(
        LATEST,
        result(with(&task, json!({"resultType": "task", "createdAt": "yesterday"}))),
        Some("tools/call"),
        "createdAt",
    );
    let get = with(&task, json!({"resultType": "complete"}));
    assert_passes(LATEST, result(get.clone()), Some("tasks/get"));
    let done = json!({"status": "completed", "result": {"resultType": "complete", "content": [{"type": "text", "text": "ok"}]}});
    assert_passes(LATEST, result(with(&get, done)), Some("tasks/get"));
    assert_rejected(LATEST, result(with(&get, json!({"status": "completed"}))), Some("tasks/get"), "GetTaskResult");
    let failed = json!({"status": "failed", "error": {"code": -32603, "message": "boom"}});
    assert_passes(LATEST, result(with(&get, failed)), Some("tasks/get"));
    let asking = json!({"status": "input_required", "inputRequests": {"confirm": {"method": "elicitation/create",
        "params": {"message": "Sure?", "requestedSchema": {"type": "object", "properties": {"ok": {"type": "boolean"}}}}}}});
    assert_passes(LATEST, result(with(&get, asking)), Some("tasks/get"));
    for method in ["tasks/update", "tasks/cancel"] {
        assert_passes(LATEST, result(json!({"resultType": "complete"})), Some(method));
        assert_rejected(LATEST, result(json!({"resultType": "task"})), Some(method), "only tools/call");
    }
    // 2025-11-25 has tasks of its own, in the core schema: its definitions apply there.
    assert_rejected(
        "2025-11-25",
        result(json!({"resultType": "complete"})),
        Some("tasks/get"),
        "\"ttl\" is a required",
    );
    assert_rejected(
        "2025-06-18",
        result(json!({"resultType": "complete"})),
        Some("tasks/get"),
        "defines no client request",
    );
}
