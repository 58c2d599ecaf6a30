//! Questions to the client and listen streams, sans-IO over `Server::receive`:
//! `subscriptions/listen` (acknowledgement, filter, eviction, legacy refusal), legacy
//! server-to-client requests (`Responder::ask` / `Handler::answered`), 2026-07-28
//! `input_required` results with signed `requestState`, and `Tool::requires`.
//!
//! Every message written is parsed, its route recorded, and checked against the official
//! schema of its revision (`picomcp-schema-check`).
//!
//! Request ids being per scope (per HTTP session / stateless request) cannot be seen
//! through `Server::receive`, which always uses scope 0; `http_endpoint.rs` covers the
//! scopes the endpoint makes.

#[path = "support/kit.rs"]
mod kit;

use kit::*;
use picomcp::*;
use serde_json::{Value, json};

/// A server with 8 request slots and the kit's handler.
struct Rig {
    server: Server<Buffers<8, 64>>,
    kit: Kit,
}

impl Rig {
    fn new() -> Self {
        Self::with(Config::new())
    }

    fn with(config: Config) -> Self {
        assert!(check_registry(&REGISTRY).is_ok());
        Self { server: Server::new(Buffers::new(), config), kit: Kit::default() }
    }

    /// A server whose legacy session (2025-11-25) declared `caps`.
    fn legacy(caps: Value) -> Self {
        let mut rig = Self::new();
        let out = rig.send(&initialize("0", caps));
        assert_eq!(out.msgs.len(), 1);
        check_all(LEGACY, &out.msgs, "initialize");
        assert_eq!(out.msgs[0].value["result"]["protocolVersion"], LEGACY);
        rig.send(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#).msgs.is_empty().then_some(()).unwrap();
        rig
    }

    /// Send one frame; what was written (framing checked).
    fn send(&mut self, frame: &str) -> Rec {
        let mut rec = Rec::default();
        self.server.receive(frame.as_bytes(), &mut rec, &mut self.kit).expect("the sink never fails");
        rec.assert_closed();
        rec
    }

    /// Run `f` on a responder; its outcome and what was written.
    fn respond<R>(&mut self, f: impl FnOnce(&mut Responder<'_>) -> R) -> (R, Rec) {
        let mut rec = Rec::default();
        let outcome = f(&mut self.server.responder(&mut rec));
        rec.assert_closed();
        (outcome, rec)
    }
}

/// The ticket of a `Related`/`Answer` route.
#[track_caller]
fn ticket_of(route: Route) -> Ticket {
    match route {
        Route::Related(t) | Route::Answer(t) | Route::Ended(t) => t,
        other => panic!("no ticket in route {other:?}"),
    }
}

fn listen(id: &str, filter: Value) -> String {
    modern(id, "subscriptions/listen", json!({"notifications": filter}), json!({}))
}

const SUBSCRIPTION_ID: &str = "io.modelcontextprotocol/subscriptionId";

/// Checks an acknowledgement for listen `id` honouring `honoured`; its ticket.
#[track_caller]
fn assert_ack(msg: &Msg, id: Value, honoured: Value) -> Ticket {
    check(MODERN, &msg.text, "subscriptions/listen");
    assert_eq!(msg.value["method"], "notifications/subscriptions/acknowledged", "{}", msg.text);
    assert!(msg.value.get("id").is_none());
    assert_eq!(msg.value["params"]["_meta"][SUBSCRIPTION_ID], id, "{}", msg.text);
    assert_eq!(msg.value["params"]["notifications"], honoured, "{}", msg.text);
    assert!(matches!(msg.route, Route::Related(_)), "{:?}", msg.route);
    ticket_of(msg.route)
}

/// Checks a list-changed notification on the stream of listen `id`.
#[track_caller]
fn assert_tagged(msg: &Msg, method: &str, id: Value, ticket: Ticket) {
    check(MODERN, &msg.text, "subscriptions/listen");
    assert_eq!(msg.value["method"], method, "{}", msg.text);
    assert_eq!(msg.value["params"]["_meta"][SUBSCRIPTION_ID], id, "{}", msg.text);
    assert_eq!(msg.route, Route::Related(ticket));
}

/// The text of the first content block of a tool result.
#[track_caller]
fn text(msg: &Msg) -> &str {
    msg.value["result"]["content"][0]["text"].as_str().unwrap_or_else(|| panic!("no text: {}", msg.text))
}

// ---------------------------------------------------------------------------------------
// subscriptions/listen
// ---------------------------------------------------------------------------------------

#[test]
fn listen_is_acknowledged_first_with_its_id_and_the_honoured_filter() {
    let mut rig = Rig::new();
    // Resources are not offered by this server: left out of the acknowledgement.
    let out = rig.send(&listen("7", json!({"toolsListChanged": true, "resourcesListChanged": true})));
    assert_eq!(out.msgs.len(), 1, "{:?}", out.msgs);
    let ticket = assert_ack(&out.msgs[0], json!(7), json!({"toolsListChanged": true}));
    assert_eq!(out.routes, [Route::Reply, Route::Related(ticket)]);
    assert_eq!(rig.server.in_flight(), 1);
    assert!(rig.server.is_live(ticket));

    // A string id is the subscription id, as sent.
    let out = rig.send(&listen(r#""L-1""#, json!({"promptsListChanged": true, "toolsListChanged": false})));
    assert_ack(&out.msgs[0], json!("L-1"), json!({"promptsListChanged": true}));
    // Nothing asked for: an empty filter.
    let out = rig.send(&listen("8", json!({})));
    assert_ack(&out.msgs[0], json!(8), json!({}));
    assert_eq!(rig.server.in_flight(), 3);
}

#[test]
fn tools_changed_reaches_listens_that_asked_for_it_tagged_with_their_id() {
    let mut rig = Rig::new();
    let tools = assert_ack(
        &rig.send(&listen("7", json!({"toolsListChanged": true}))).msgs[0],
        json!(7),
        json!({"toolsListChanged": true}),
    );
    let prompts = assert_ack(
        &rig.send(&listen("9", json!({"promptsListChanged": true}))).msgs[0],
        json!(9),
        json!({"promptsListChanged": true}),
    );

    let out = rig.send(&modern_call("20", "trigger_tools", json!({})));
    check_all(MODERN, &out.msgs, "tools/call");
    assert_eq!(out.msgs.len(), 2, "{:?}", out.msgs);
    assert_tagged(&out.msgs[0], "notifications/tools/list_changed", json!(7), tools);
    let call = ticket_of(out.msgs[1].route);
    assert_eq!(out.msgs[1].route, Route::Answer(call));
    assert_eq!(out.msgs[1].value["id"], 20);
    assert_eq!(text(&out.msgs[1]), "Mutation triggered");
    assert_eq!(out.routes, [Route::Reply, Route::Related(tools), Route::Answer(call)]);

    let out = rig.send(&modern_call("21", "trigger_prompts", json!({})));
    check_all(MODERN, &out.msgs, "tools/call");
    assert_eq!(out.msgs.len(), 2, "{:?}", out.msgs);
    assert_tagged(&out.msgs[0], "notifications/prompts/list_changed", json!(9), prompts);
    assert_eq!(out.msgs[1].value["id"], 21);

    // From a responder outside any call (a deferred change), too.
    let (sent, out) = rig.respond(|r| r.tools_changed());
    assert_eq!(sent, Ok(true));
    assert_eq!(out.msgs.len(), 1);
    assert_tagged(&out.msgs[0], "notifications/tools/list_changed", json!(7), tools);
    // The streams stay open.
    assert_eq!(rig.server.in_flight(), 2);
}

#[test]
fn the_filter_is_honoured() {
    let mut rig = Rig::new();
    let ticket = assert_ack(
        &rig.send(&listen("5", json!({"promptsListChanged": true}))).msgs[0],
        json!(5),
        json!({"promptsListChanged": true}),
    );
    let out = rig.send(&modern_call("6", "trigger_tools", json!({})));
    check_all(MODERN, &out.msgs, "tools/call");
    assert_eq!(out.msgs.len(), 1, "no tools notification on a prompts stream: {:?}", out.msgs);
    assert_eq!(text(&out.msgs[0]), "nobody listens");
    assert!(!out.routes.contains(&Route::Related(ticket)));

    let (sent, out) = rig.respond(|r| r.resources_changed());
    assert_eq!(sent, Ok(false));
    assert!(out.msgs.is_empty());
}

#[test]
fn opening_more_than_max_listens_ends_the_oldest_with_its_final_result() {
    let mut rig = Rig::with(Config { max_listens: 2, ..Config::new() });
    let filter = json!({"toolsListChanged": true});
    let first = assert_ack(&rig.send(&listen("1", filter.clone())).msgs[0], json!(1), filter.clone());
    let second = assert_ack(&rig.send(&listen(r#""two""#, filter.clone())).msgs[0], json!("two"), filter.clone());

    let out = rig.send(&listen("3", filter.clone()));
    assert_eq!(out.msgs.len(), 2, "{:?}", out.msgs);
    let end = &out.msgs[0];
    check(MODERN, &end.text, "subscriptions/listen");
    assert_eq!(end.route, Route::Answer(first));
    assert_eq!(end.value["id"], 1);
    assert_eq!(end.value["result"]["resultType"], "complete");
    assert_eq!(end.value["result"]["_meta"][SUBSCRIPTION_ID], 1);
    let third = assert_ack(&out.msgs[1], json!(3), filter.clone());
    assert_eq!(out.routes, [Route::Reply, Route::Answer(first), Route::Related(third)]);
    assert!(!rig.server.is_live(first));
    assert_eq!(rig.server.in_flight(), 2);

    // The evicted stream hears nothing more; the other two do (in slot order: the new
    // stream took the evicted one's slot).
    let out = rig.send(&modern_call("30", "trigger_tools", json!({})));
    check_all(MODERN, &out.msgs, "tools/call");
    assert_eq!(out.msgs.len(), 3, "{:?}", out.msgs);
    let (a, b) = if out.msgs[0].route == Route::Related(second) { (0, 1) } else { (1, 0) };
    assert_tagged(&out.msgs[a], "notifications/tools/list_changed", json!("two"), second);
    assert_tagged(&out.msgs[b], "notifications/tools/list_changed", json!(3), third);

    // Once more: the oldest is now "two".
    let out = rig.send(&listen("4", filter.clone()));
    assert_eq!(out.msgs[0].route, Route::Answer(second));
    assert_eq!(out.msgs[0].value["result"]["_meta"][SUBSCRIPTION_ID], "two");
    check(MODERN, &out.msgs[0].text, "subscriptions/listen");
}

#[test]
fn listen_streams_and_calls_share_the_slots() {
    let mut rig = Rig::new();
    for id in 1..=8 {
        rig.send(&modern_call(&id.to_string(), "defer", json!({})));
    }
    assert_eq!(rig.server.in_flight(), 8);
    let out = rig.send(&listen("100", json!({"toolsListChanged": true})));
    assert_eq!(out.msgs.len(), 1, "{:?}", out.msgs);
    check(MODERN, &out.msgs[0].text, "subscriptions/listen");
    assert_eq!(out.msgs[0].value["error"]["code"], -32603, "{}", out.msgs[0].text);
    assert_eq!(out.msgs[0].route, Route::Reply);
}

#[test]
fn listen_needs_a_notifications_object() {
    let mut rig = Rig::new();
    for params in [json!({}), json!({"notifications": true})] {
        let out = rig.send(&modern("1", "subscriptions/listen", params, json!({})));
        check_all(MODERN, &out.msgs, "subscriptions/listen");
        assert_eq!(out.msgs[0].value["error"]["code"], -32602, "{}", out.msgs[0].text);
    }
    assert_eq!(rig.server.in_flight(), 0);
}

#[test]
fn a_listen_is_refused_on_a_legacy_session() {
    let mut rig = Rig::legacy(json!({}));
    let out = rig.send(&request("3", "subscriptions/listen", json!({"notifications": {"toolsListChanged": true}})));
    assert_eq!(out.msgs.len(), 1);
    check(LEGACY, &out.msgs[0].text, "tools/list");
    assert_eq!(out.msgs[0].value["error"]["code"], -32601, "{}", out.msgs[0].text);
    assert_eq!(out.msgs[0].value["id"], 3);
    assert_eq!(rig.server.in_flight(), 0);

    // A modern listen beside the legacy session: a change reaches both, each its own way.
    let listen_ticket = assert_ack(
        &rig.send(&listen("4", json!({"toolsListChanged": true}))).msgs[0],
        json!(4),
        json!({"toolsListChanged": true}),
    );
    let (sent, out) = rig.respond(|r| r.tools_changed());
    assert_eq!(sent, Ok(true));
    assert_eq!(out.msgs.len(), 2, "{:?}", out.msgs);
    assert_eq!(out.msgs[0].route, Route::Session);
    assert_eq!(
        out.msgs[0].value,
        json!({"jsonrpc": "2.0", "method": "notifications/tools/list_changed", "params": {}})
    );
    check(LEGACY, &out.msgs[0].text, "");
    assert_tagged(&out.msgs[1], "notifications/tools/list_changed", json!(4), listen_ticket);
}

#[test]
fn a_cancelled_listen_ends_without_a_message() {
    let mut rig = Rig::new();
    let ticket = assert_ack(
        &rig.send(&listen("11", json!({"toolsListChanged": true}))).msgs[0],
        json!(11),
        json!({"toolsListChanged": true}),
    );
    let out = rig.send(r#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":11}}"#);
    assert!(out.msgs.is_empty());
    assert_eq!(out.routes, [Route::Reply, Route::Ended(ticket)]);
    assert_eq!(rig.kit.cancelled, [ticket]);
    let out = rig.send(&modern_call("12", "trigger_tools", json!({})));
    assert_eq!(out.msgs.len(), 1);
    assert_eq!(text(&out.msgs[0]), "nobody listens");
}

// ---------------------------------------------------------------------------------------
// Legacy questions: Responder::ask, Handler::answered
// ---------------------------------------------------------------------------------------

/// Ask with `method` from a legacy `tools/call` (id `call_id`); the request written.
#[track_caller]
fn ask(rig: &mut Rig, call_id: &str, method: &str) -> Msg {
    let out = rig.send(&legacy_call(call_id, "ask", json!({"method": method})));
    assert_eq!(out.msgs.len(), 1, "{:?}", out.msgs);
    assert_eq!(rig.kit.ask_outcomes.last(), Some(&Ok(())));
    let msg = out.msgs[0].clone();
    // A server-to-client request, valid for the 2025-11-25 schema.
    check(LEGACY, &msg.text, "");
    assert!(msg.value["id"].is_u64(), "{}", msg.text);
    let ticket = *rig.kit.asking.last().unwrap();
    assert_eq!(msg.route, Route::Related(ticket));
    assert_eq!(out.routes, [Route::Reply, Route::Related(ticket)]);
    msg
}

fn response(id: &Value, result: Value) -> String {
    json!({"jsonrpc": "2.0", "id": id, "result": result}).to_string()
}

fn sampling_answer() -> Value {
    json!({"role": "assistant", "content": {"type": "text", "text": "This is a test response from the client"}, "model": "test-model", "stopReason": "endTurn"})
}

#[test]
fn legacy_questions_are_valid_requests_and_their_answers_come_back_by_ticket() {
    let mut rig = Rig::legacy(all_caps());
    let cases = [
        ("sampling", "sampling/createMessage", SAMPLING_PARAMS, sampling_answer()),
        ("elicitation", "elicitation/create", ELICIT_PARAMS, json!({"action": "accept", "content": {"name": "Alice"}})),
        ("roots", "roots/list", ROOTS_PARAMS, json!({"roots": [{"uri": "file:///test/root", "name": "Test Root"}]})),
    ];
    let mut ids = Vec::new();
    for (n, (which, method, params, answer)) in cases.into_iter().enumerate() {
        let call_id = format!("\"call-{n}\"");
        let question = ask(&mut rig, &call_id, which);
        assert_eq!(question.value["method"], method);
        assert_eq!(question.value["params"], serde_json::from_str::<Value>(params).unwrap());
        let ticket = *rig.kit.asking.last().unwrap();
        assert!(rig.server.is_live(ticket));
        ids.push(question.value["id"].clone());

        let reply = response(&question.value["id"], answer.clone());
        let out = rig.send(&reply);
        assert_eq!(out.msgs.len(), 1, "{:?}", out.msgs);
        check(LEGACY, &out.msgs[0].text, "tools/call");
        assert_eq!(out.msgs[0].route, Route::Answer(ticket));
        assert_eq!(out.routes, [Route::Reply, Route::Answer(ticket)]);
        assert_eq!(out.msgs[0].value["id"], json!(format!("call-{n}")));
        let heard = rig.kit.answers.last().unwrap().clone();
        assert_eq!(heard.ticket, ticket);
        assert!(!heard.is_error);
        assert_eq!(serde_json::from_str::<Value>(&heard.raw).unwrap(), answer);
        assert!(text(&out.msgs[0]).starts_with("LLM response: "));
        assert!(!rig.server.is_live(ticket));

        // The same answer again is late: ignored.
        let out = rig.send(&reply);
        assert!(out.msgs.is_empty(), "{:?}", out.msgs);
        assert_eq!(rig.kit.answers.len(), n + 1);
    }
    // Each question has an id of its own.
    assert_ne!(ids[0], ids[1]);
    assert_ne!(ids[1], ids[2]);
    assert_eq!(rig.server.in_flight(), 0);
}

#[test]
fn an_error_response_reaches_the_handler_as_an_error() {
    let mut rig = Rig::legacy(all_caps());
    let question = ask(&mut rig, "1", "sampling");
    let ticket = rig.kit.asking[0];
    let error = json!({"code": -1, "message": "User rejected sampling request"});
    let out = rig.send(&json!({"jsonrpc": "2.0", "id": question.value["id"], "error": error}).to_string());
    assert_eq!(out.msgs.len(), 1, "{:?}", out.msgs);
    check(LEGACY, &out.msgs[0].text, "tools/call");
    assert_eq!(out.msgs[0].route, Route::Answer(ticket));
    let heard = &rig.kit.answers[0];
    assert_eq!((heard.ticket, heard.is_error), (ticket, true));
    assert_eq!(serde_json::from_str::<Value>(&heard.raw).unwrap(), error);
    assert!(text(&out.msgs[0]).starts_with("client error: "));
}

#[test]
fn answers_nobody_waits_for_are_ignored() {
    let mut rig = Rig::legacy(all_caps());
    // Before any question.
    assert!(rig.send(&response(&json!(1), sampling_answer())).msgs.is_empty());
    let question = ask(&mut rig, "1", "sampling");
    let id = question.value["id"].as_u64().unwrap();
    for other in [
        response(&json!(id + 100), sampling_answer()),
        // The same number as a string is another id.
        response(&json!(id.to_string()), sampling_answer()),
        response(&json!(-1), sampling_answer()),
        json!({"jsonrpc": "2.0", "id": id + 100, "error": {"code": -1, "message": "no"}}).to_string(),
        json!({"jsonrpc": "2.0", "id": null, "error": {"code": -32700, "message": "Parse error"}}).to_string(),
    ] {
        let out = rig.send(&other);
        assert!(out.msgs.is_empty(), "{other}: {:?}", out.msgs);
    }
    assert!(rig.kit.answers.is_empty());
    assert_eq!(rig.server.in_flight(), 1);
    // The right one still gets through.
    let out = rig.send(&response(&question.value["id"], sampling_answer()));
    assert_eq!(out.msgs.len(), 1);
    assert_eq!(rig.kit.answers.len(), 1);
}

#[test]
fn an_answer_after_the_host_gave_up_is_ignored() {
    let mut rig = Rig::legacy(all_caps());
    let question = ask(&mut rig, "1", "sampling");
    let ticket = rig.kit.asking[0];
    // The host's timeout: it answers the call itself.
    let (outcome, out) = rig.respond(|r| r.tool_error(ticket, "the client took too long"));
    assert_eq!(outcome, Ok(()));
    check(LEGACY, &out.msgs[0].text, "tools/call");
    assert_eq!(out.msgs[0].route, Route::Answer(ticket));
    let out = rig.send(&response(&question.value["id"], sampling_answer()));
    assert!(out.msgs.is_empty(), "{:?}", out.msgs);
    assert!(rig.kit.answers.is_empty());
}

#[test]
fn a_new_question_replaces_the_wait_for_the_old_one() {
    let mut rig = Rig::legacy(all_caps());
    let first = ask(&mut rig, "1", "sampling");
    let ticket = rig.kit.asking[0];
    let (outcome, out) = rig.respond(|r| r.ask(ticket, InputMethod::Elicitation, |v| v.raw(ELICIT_PARAMS)));
    assert_eq!(outcome, Ok(()));
    assert_eq!(out.msgs.len(), 1);
    let second = &out.msgs[0];
    check(LEGACY, &second.text, "");
    assert_eq!(second.route, Route::Related(ticket));
    assert_ne!(second.value["id"], first.value["id"]);
    // The answer to the first is no longer awaited.
    assert!(rig.send(&response(&first.value["id"], sampling_answer())).msgs.is_empty());
    assert!(rig.kit.answers.is_empty());
    let out = rig.send(&response(&second.value["id"], json!({"action": "decline"})));
    assert_eq!(out.msgs.len(), 1);
    assert_eq!(rig.kit.answers[0].ticket, ticket);
}

#[test]
fn a_question_the_client_cannot_answer_is_refused() {
    // Nothing declared: every question is refused, nothing but the tool's own answer is sent.
    let mut rig = Rig::legacy(json!({}));
    for which in ["sampling", "elicitation", "roots"] {
        let out = rig.send(&legacy_call("1", "ask", json!({"method": which})));
        assert_eq!(rig.kit.ask_outcomes.last(), Some(&Err(Error::MissingCapability)), "{which}");
        assert_eq!(out.msgs.len(), 1, "{:?}", out.msgs);
        check(LEGACY, &out.msgs[0].text, "tools/call");
        assert_eq!(out.msgs[0].value["result"]["isError"], true);
    }
    // Sampling only: elicitation and roots are still refused.
    let mut rig = Rig::legacy(json!({"sampling": {}}));
    ask(&mut rig, "1", "sampling");
    for which in ["elicitation", "roots"] {
        rig.send(&legacy_call("2", "ask", json!({"method": which})));
        assert_eq!(rig.kit.ask_outcomes.last(), Some(&Err(Error::MissingCapability)), "{which}");
    }
}

#[test]
fn a_modern_call_cannot_ask() {
    let mut rig = Rig::new();
    let out =
        rig.send(&modern("1", "tools/call", json!({"name": "ask", "arguments": {"method": "sampling"}}), all_caps()));
    assert_eq!(rig.kit.ask_outcomes, [Err(Error::WrongRevision)]);
    assert_eq!(out.msgs.len(), 1, "no request on a 2026-07-28 stream: {:?}", out.msgs);
    check(MODERN, &out.msgs[0].text, "tools/call");
    assert!(out.msgs[0].value.get("method").is_none());
    assert_eq!(out.msgs[0].value["result"]["isError"], true);
}

#[test]
fn a_failing_params_writer_leaves_no_half_written_question() {
    let mut rig = Rig::legacy(all_caps());
    // The `ask` tool's fallback writes `not json` as params: the writer fails.
    let mut rec = Rec::default();
    rig.server
        .receive(legacy_call("1", "ask", json!({"method": "broken"})).as_bytes(), &mut rec, &mut rig.kit)
        .unwrap();
    assert_eq!(rig.kit.ask_outcomes, [Err(Error::InvalidJson)]);
    rec.assert_closed();
    for m in &rec.msgs {
        check(LEGACY, &m.text, "tools/call");
    }
}

// ---------------------------------------------------------------------------------------
// 2026-07-28 questions: input_required, requestState
// ---------------------------------------------------------------------------------------

/// Round 1 of the `mrtr` tool with `state`; the `input_required` result message.
#[track_caller]
fn round_one(rig: &mut Rig, id: &str, state: &str) -> Msg {
    let out = rig.send(&modern(id, "tools/call", json!({"name": "mrtr", "arguments": {"state": state}}), all_caps()));
    assert_eq!(out.msgs.len(), 1, "{:?}", out.msgs);
    assert_eq!(rig.kit.input_outcomes.last(), Some(&Ok(())));
    let msg = out.msgs[0].clone();
    // Checked as the result of tools/call: the checker sees `resultType: input_required`
    // and validates `InputRequiredResult` and then `CallToolResultResponse`.
    check(MODERN, &msg.text, "tools/call");
    assert!(matches!(msg.route, Route::Answer(_)), "{:?}", msg.route);
    assert_eq!(out.routes, [Route::Reply, msg.route]);
    msg
}

/// Retry `mrtr` with the elicitation answer and `state` (raw JSON); the answer message.
fn retry(rig: &mut Rig, id: &str, state_json: &str) -> Msg {
    let params = json!({
        "name": "mrtr",
        "arguments": {},
        "inputResponses": {"user_name": {"action": "accept", "content": {"name": "Alice"}}},
        "requestState": "PLACEHOLDER",
        "_meta": meta(all_caps()),
    });
    let frame = request(id, "tools/call", params).replace("\"PLACEHOLDER\"", state_json);
    let out = rig.send(&frame);
    assert_eq!(out.msgs.len(), 1, "{frame}: {:?}", out.msgs);
    check(MODERN, &out.msgs[0].text, "tools/call");
    out.msgs[0].clone()
}

fn state_of(msg: &Msg) -> String {
    msg.value["result"]["requestState"].as_str().unwrap_or_else(|| panic!("no requestState: {}", msg.text)).to_owned()
}

#[test]
fn input_required_is_a_valid_result_that_ends_the_call() {
    let mut rig = Rig::new();
    let msg = round_one(&mut rig, "1", "step-1");
    let result = &msg.value["result"];
    assert_eq!(result["resultType"], "input_required");
    assert_eq!(
        result["inputRequests"],
        json!({"user_name": {"method": "elicitation/create", "params": serde_json::from_str::<Value>(ELICIT_PARAMS).unwrap()}})
    );
    let state = state_of(&msg);
    let (payload, signature) = state.rsplit_once('.').unwrap();
    assert_eq!(payload, "step-1");
    assert_eq!(signature.len(), 44, "{state}");
    assert_eq!(result["_meta"]["io.modelcontextprotocol/serverInfo"]["name"], "picomcp-kit");
    assert_eq!(msg.value["id"], 1);
    // The call is over.
    assert_eq!(rig.server.in_flight(), 0);
    assert!(!rig.server.is_live(ticket_of(msg.route)));
}

#[test]
fn the_schema_checker_takes_input_required_by_result_type_and_the_method_by_its_response() {
    // What picomcp-schema-check does with `resultType: input_required`: it validates the
    // result against `InputRequiredResult`, then the message against the answered method's
    // `…ResultResponse`, which admits input_required only for methods that may send it.
    let mut rig = Rig::new();
    let msg = round_one(&mut rig, "1", "s");
    for method in ["tools/call", "prompts/get", "resources/read"] {
        let outcome = picomcp_schema_check::check_server_message(MODERN, &msg.value, Some(method));
        assert!(
            matches!(outcome, picomcp_schema_check::Outcome::Valid | picomcp_schema_check::Outcome::Skipped(_)),
            "{method}: {outcome:?}"
        );
    }
    for method in ["tools/list", "server/discover"] {
        let outcome = picomcp_schema_check::check_server_message(MODERN, &msg.value, Some(method));
        assert!(
            matches!(outcome, picomcp_schema_check::Outcome::Invalid(_) | picomcp_schema_check::Outcome::Skipped(_)),
            "{method}: {outcome:?}"
        );
    }
    // And a broken input request is caught (maxTokens missing).
    let mut broken = msg.value.clone();
    broken["result"]["inputRequests"]["x"] = json!({"method": "sampling/createMessage", "params": {"messages": []}});
    let outcome = picomcp_schema_check::check_server_message(MODERN, &broken, Some("tools/call"));
    assert!(
        matches!(outcome, picomcp_schema_check::Outcome::Invalid(_) | picomcp_schema_check::Outcome::Skipped(_)),
        "{outcome:?}"
    );
}

#[test]
fn a_retry_with_the_echoed_state_gets_the_original_payload() {
    let mut rig = Rig::new();
    let state = state_of(&round_one(&mut rig, "1", "step-1"));
    let answer = retry(&mut rig, "2", &serde_json::to_string(&state).unwrap());
    assert_eq!(rig.kit.states, [Ok(Some("step-1".to_owned()))]);
    assert_eq!(
        serde_json::from_str::<Value>(rig.kit.responses[0].as_deref().unwrap()).unwrap(),
        json!({"user_name": {"action": "accept", "content": {"name": "Alice"}}})
    );
    assert_eq!(answer.value["result"]["resultType"], "complete");
    assert_eq!(text(&answer), "state-ok step-1; Hello, Alice!");
}

#[test]
fn a_state_with_any_text_round_trips() {
    for payload in ["", "a.b.c", "quote \" backslash \\ slash / tab \t newline \n", "é ünïcödé 😀 \u{1}", "."] {
        let mut rig = Rig::new();
        let state = state_of(&round_one(&mut rig, "1", payload));
        retry(&mut rig, "2", &serde_json::to_string(&state).unwrap());
        assert_eq!(rig.kit.states, [Ok(Some(payload.to_owned()))], "{payload:?}");
    }
}

#[test]
fn a_state_escaped_differently_by_the_client_is_still_accepted() {
    // A client may re-encode the string it echoes: non-ASCII as \u escapes (Python's
    // json.dumps does by default). The payload is compared decoded.
    let mut rig = Rig::new();
    let state = state_of(&round_one(&mut rig, "1", "é"));
    let ascii = serde_json::to_string(&state).unwrap().replace('é', "\\u00e9");
    retry(&mut rig, "2", &ascii);
    assert_eq!(rig.kit.states, [Ok(Some("é".to_owned()))]);
}

#[test]
fn a_signature_with_an_escaped_slash_is_still_accepted() {
    // `\/` is JSON for `/`, and some encoders (PHP's json_encode, for one) write it so.
    let mut rig = Rig::new();
    let state = (0..64)
        .map(|n| state_of(&round_one(&mut rig, &n.to_string(), &format!("s{n}"))))
        .find(|s| s.contains('/'))
        .expect("some signature among 64 holds a slash");
    let escaped = serde_json::to_string(&state).unwrap().replace('/', "\\/");
    retry(&mut rig, "1000", &escaped);
    assert!(matches!(rig.kit.states.last(), Some(Ok(Some(_)))), "{:?}", rig.kit.states);
}

#[test]
fn altered_forged_and_foreign_states_are_refused() {
    let key = |b: u8| Config { state_key: [b; 32], ..Config::new() };
    let mut rig = Rig::with(key(1));
    let state = state_of(&round_one(&mut rig, "1", "step-1"));
    let (payload, signature) = state.rsplit_once('.').unwrap();

    // Signed by another server (another key).
    let mut other = Rig::with(key(2));
    let foreign = state_of(&round_one(&mut other, "1", "step-1"));
    assert_ne!(foreign, state);

    let mut flipped_signature = signature.to_owned().into_bytes();
    flipped_signature[10] = if flipped_signature[10] == b'A' { b'B' } else { b'A' };
    let flipped_signature = String::from_utf8(flipped_signature).unwrap();

    let bad: Vec<(&str, String)> = vec![
        ("-TAMPERED appended", json!(format!("{state}-TAMPERED")).to_string()),
        ("one payload character changed", json!(format!("step-2.{signature}")).to_string()),
        ("one signature character changed", json!(format!("{payload}.{flipped_signature}")).to_string()),
        ("signature dropped", json!(payload).to_string()),
        ("signature alone", json!(signature).to_string()),
        ("trailing dot", json!(format!("{state}.")).to_string()),
        ("signed under another key", json!(foreign).to_string()),
        ("empty", json!("").to_string()),
        ("a number", "42".to_owned()),
        ("an object", json!({"state": state}).to_string()),
        ("null", "null".to_owned()),
    ];
    for (n, (what, state_json)) in bad.iter().enumerate() {
        let before = rig.kit.states.len();
        let answer = retry(&mut rig, &(n + 10).to_string(), state_json);
        assert_eq!(rig.kit.states.len(), before + 1, "{what}");
        assert_eq!(rig.kit.states.last(), Some(&Err(Error::BadState)), "{what}: {state_json}");
        assert_eq!(answer.value["error"]["code"], -32602, "{what}: {}", answer.text);
    }
    // The genuine one still passes, under its own key only.
    retry(&mut rig, "100", &json!(state).to_string());
    assert_eq!(rig.kit.states.last(), Some(&Ok(Some("step-1".to_owned()))));
}

#[test]
fn without_a_state_request_state_is_none() {
    let mut rig = Rig::new();
    let frame = modern(
        "1",
        "tools/call",
        json!({"name": "mrtr", "arguments": {}, "inputResponses": {"user_name": {"action": "decline"}}}),
        all_caps(),
    );
    let out = rig.send(&frame);
    check_all(MODERN, &out.msgs, "tools/call");
    assert_eq!(rig.kit.states, [Ok(None)]);
}

#[test]
fn input_requests_need_the_capability_declared_on_this_request() {
    // Sampling only: elicitation and roots are refused, sampling is asked.
    let mut rig = Rig::new();
    let out = rig.send(&modern_call("1", "mrtr_caps", json!({"sampling": {}})));
    assert_eq!(out.msgs.len(), 1);
    check(MODERN, &out.msgs[0].text, "tools/call");
    assert_eq!(rig.kit.request_outcomes, [Err(Error::MissingCapability), Ok(()), Err(Error::MissingCapability)]);
    let requests = &out.msgs[0].value["result"]["inputRequests"];
    assert_eq!(requests.as_object().unwrap().keys().collect::<Vec<_>>(), ["s"]);
    assert_eq!(requests["s"]["method"], "sampling/createMessage");

    // Everything declared: all three.
    let out = rig.send(&modern_call("2", "mrtr_caps", all_caps()));
    check(MODERN, &out.msgs[0].text, "tools/call");
    assert_eq!(rig.kit.request_outcomes, [Ok(()), Ok(()), Ok(())]);
    assert_eq!(out.msgs[0].value["result"]["inputRequests"].as_object().unwrap().len(), 3);

    // The elicitation-only tool without `elicitation`: refused, and the refusal is returned
    // from input_required after the (empty) result went out.
    let out = rig.send(&modern("3", "tools/call", json!({"name": "mrtr", "arguments": {}}), json!({"sampling": {}})));
    assert_eq!(rig.kit.input_outcomes.last(), Some(&Err(Error::MissingCapability)));
    assert_eq!(out.msgs.len(), 1);
    check(MODERN, &out.msgs[0].text, "tools/call");
    assert_eq!(out.msgs[0].value["result"]["inputRequests"], json!({}));
    assert_eq!(rig.server.in_flight(), 0);
}

#[test]
fn a_legacy_call_cannot_answer_input_required() {
    let mut rig = Rig::legacy(all_caps());
    let out = rig.send(&legacy_call("1", "mrtr", json!({})));
    assert_eq!(rig.kit.input_outcomes, [Err(Error::WrongRevision)]);
    assert_eq!(out.msgs.len(), 1);
    check(LEGACY, &out.msgs[0].text, "tools/call");
    assert_eq!(out.msgs[0].value["result"]["isError"], true);
    assert!(out.msgs[0].value["result"].get("resultType").is_none());
}

#[test]
fn a_failing_input_request_writer_still_gives_well_formed_json() {
    let mut rig = Rig::new();
    let mut rec = Rec::default();
    // Rec parses every message: malformed JSON panics there.
    let frame = modern_call("1", "mrtr_broken", all_caps());
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        rig.server.receive(frame.as_bytes(), &mut rec, &mut rig.kit).unwrap();
    }));
    assert!(outcome.is_ok(), "the input_required result is not JSON");
    for m in &rec.msgs {
        check(MODERN, &m.text, "tools/call");
    }
}

// ---------------------------------------------------------------------------------------
// Tool::requires
// ---------------------------------------------------------------------------------------

#[test]
fn a_tool_needing_sampling_is_refused_without_it_in_2026() {
    for caps in [json!({}), json!({"elicitation": {}, "roots": {}}), json!({"sampling": true})] {
        let mut rig = Rig::new();
        let out = rig.send(&modern_call("401", "needs_sampling", caps.clone()));
        assert_eq!(out.msgs.len(), 1);
        check(MODERN, &out.msgs[0].text, "tools/call");
        let error = &out.msgs[0].value["error"];
        assert_eq!(error["code"], -32021, "{caps}: {}", out.msgs[0].text);
        assert_eq!(error["data"]["requiredCapabilities"], json!({"sampling": {}}));
        assert_eq!(out.msgs[0].value["id"], 401);
        assert_eq!(out.msgs[0].route, Route::Reply);
        assert!(rig.kit.calls.is_empty(), "the handler must not run");
        assert_eq!(rig.server.in_flight(), 0);
    }
    let mut rig = Rig::new();
    let out = rig.send(&modern_call("402", "needs_sampling", json!({"sampling": {}})));
    check(MODERN, &out.msgs[0].text, "tools/call");
    assert_eq!(text(&out.msgs[0]), "Success");
    assert_eq!(rig.kit.calls.len(), 1);
}

#[test]
fn legacy_calls_are_not_refused_for_capabilities() {
    let mut rig = Rig::legacy(json!({}));
    let out = rig.send(&legacy_call("1", "needs_sampling", json!({})));
    check(LEGACY, &out.msgs[0].text, "tools/call");
    assert_eq!(text(&out.msgs[0]), "Success");
}

// ---------------------------------------------------------------------------------------
// The same mistake in older writers (found while reading `json::fill`'s callers)
// ---------------------------------------------------------------------------------------

#[test]
fn a_failing_log_data_writer_leaves_no_half_written_message() {
    let mut rig = Rig::legacy(json!({}));
    let (outcome, rec) = rig.respond(|r| r.log(None, LogLevel::Emergency, None, |v| v.raw("not json")));
    assert_eq!(outcome, Err(Error::InvalidJson));
    rec.assert_closed();
}

#[test]
fn a_failing_json_text_writer_still_gives_well_formed_json() {
    let mut rig = Rig::new();
    rig.send(&modern_call("1", "defer", json!({})));
    let ticket = rig.kit.deferred[0];
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        rig.respond(|r| r.tool_result(ticket, |res| res.json_text(|v| v.raw("not json"))))
    }));
    let (result, rec) = outcome.expect("the tool result is not JSON");
    assert_eq!(result, Err(Error::InvalidJson));
    check_all(MODERN, &rec.msgs, "tools/call");
}

#[test]
fn a_refused_listen_ends_no_other_stream() {
    let mut rig = Rig::with(Config { max_listens: 2, ..Config::new() });
    let filter = json!({"toolsListChanged": true});
    let first = assert_ack(&rig.send(&listen("1", filter.clone())).msgs[0], json!(1), filter.clone());
    assert_ack(&rig.send(&listen("2", filter.clone())).msgs[0], json!(2), filter.clone());
    // Id 2 is in flight: this listen is refused...
    let out = rig.send(&listen("2", filter.clone()));
    let refusal = out.msgs.last().unwrap();
    check(MODERN, &refusal.text, "subscriptions/listen");
    assert_eq!(refusal.value["error"]["code"], -32600, "{}", refusal.text);
    // (today it is routed `Answer(<the evicted stream's ticket>)`, the route left over)
    assert_eq!(refusal.route, Route::Reply);
    // ...and should not have cost stream 1 its life.
    assert_eq!(out.msgs.len(), 1, "{:?}", out.msgs);
    assert!(rig.server.is_live(first));
}
