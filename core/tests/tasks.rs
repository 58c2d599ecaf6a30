//! The tasks extension (`io.modelcontextprotocol/tasks`, 2026-07-28), sans-IO over
//! `Server::receive` with a `WithTasks` storage: advertising, gating on the extension
//! (`-32021`), CreateTaskResult, `tasks/get` (DetailedTask with the result, error or
//! pending input requests inlined), `tasks/update` (partial answers), `tasks/cancel`,
//! expiry, a full table and a result too big for the arena; and the `Mcp-Name` check of
//! the Streamable HTTP endpoint for the tasks methods.
//!
//! Every message written is parsed, its route recorded, and checked against the official
//! schema of its revision plus the extension's result types (`picomcp-schema-check`).

#[path = "support/kit.rs"]
mod kit;

use std::cell::Cell;

use kit::{LEGACY, MODERN, Msg, Rec, check, initialize, meta, request};
use picomcp::json::{self, ValueWriter};
use picomcp::*;
use serde_json::{Value, json};

const NO_ARGS: &str = r#"{"type":"object","properties":{}}"#;
const EXTENSION: &str = "io.modelcontextprotocol/tasks";

static TOOLS: [Tool<'static>; 6] = [
    Tool::new("plain", "Never a task", NO_ARGS),
    Tool::new("slow", "A task when it can be one", NO_ARGS).tasks(TaskSupport::Optional),
    Tool::new("needs_task", "Only as a task", NO_ARGS).tasks(TaskSupport::Required),
    Tool::new("ask", "A task that asks for a name and a confirmation", NO_ARGS).tasks(TaskSupport::Optional),
    Tool::new("huge", "A task whose result does not fit", NO_ARGS).tasks(TaskSupport::Optional),
    Tool::new("sampler", "A task that asks for sampling", NO_ARGS).tasks(TaskSupport::Optional),
];

static REGISTRY: StaticRegistry<'static> = StaticRegistry::new(ServerInfo {
    implementation: Implementation::new("picomcp-tasks", "0.0.1"),
    instructions: None,
})
.tools(&TOOLS);

thread_local! {
    /// The test's clock (each test runs on its own thread).
    static NOW: Cell<u64> = const { Cell::new(START) };
}

/// 2026-07-28T00:00:00.000Z.
const START: u64 = 1_785_196_800_000;

fn clock() -> u64 {
    NOW.with(Cell::get)
}

fn advance(ms: u64) {
    NOW.with(|now| now.set(now.get() + ms));
}

fn iso(ms: u64) -> String {
    String::from_utf8(protocol::iso8601(ms).to_vec()).unwrap()
}

const TTL: u32 = 60_000;
const POLL: u32 = 250;

fn task_config() -> TaskConfig {
    let mut config = TaskConfig::new(clock);
    config.ttl_ms = TTL;
    config.poll_interval_ms = POLL;
    config
}

/// What a client answered to a task's input request, as the handler heard it.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Heard {
    task: TaskId,
    key: String,
    response: Value,
    pending: usize,
}

/// The test handler: tools that become tasks when they can; everything recorded.
#[derive(Default)]
struct Jobs {
    /// Tasks created, in order.
    tasks: Vec<TaskId>,
    /// What `create_task` returned when it failed.
    refusals: Vec<Error>,
    /// Whether each call could be a task (`can_create_task`, and the capability bit).
    could: Vec<(bool, bool)>,
    /// Answers heard.
    heard: Vec<Heard>,
    /// Cancellations heard.
    cancelled: Vec<TaskId>,
    /// Legacy calls of `needs_task` reached the handler.
    legacy_calls: usize,
    /// `task_input` fails (to see the task fail).
    fail_input: bool,
}

fn elicit(
    message: &'static str,
    property: &'static str,
    kind: &'static str,
) -> impl Fn(ValueWriter<'_>) -> Result<json::Written, Error> {
    move |v| {
        v.object(|o| {
            o.string("message", message)?;
            o.field("requestedSchema", |s| {
                s.object(|s| {
                    s.string("type", "object")?;
                    s.field("properties", |p| p.object(|p| p.field(property, |t| t.object(|t| t.string("type", kind)))))
                })
            })
        })
    }
}

impl Handler for Jobs {
    fn registry(&self) -> &dyn Registry {
        &REGISTRY
    }

    fn call_tool(&mut self, call: ToolCall<'_>, r: &mut Responder<'_>) -> Result<(), Error> {
        let t = call.ticket;
        let name = TOOLS[call.tool].name;
        let can = r.can_create_task(t);
        self.could.push((can, call.info.client_capabilities.has(ClientCapabilities::TASKS)));
        if name == "needs_task" && !call.info.revision.is_modern() {
            self.legacy_calls += 1;
            let refused = r.create_task(t).unwrap_err();
            return r.tool_error(t, refused.describe());
        }
        if name == "plain" || !can {
            if can {
                panic!("plain tools never become tasks");
            }
            // Without the extension (or a task table) a task-capable call is an ordinary one.
            match r.create_task(t) {
                Ok(_) => panic!("a task without the extension"),
                Err(e) => self.refusals.push(e),
            }
            return r.tool_result(t, |res| res.text("done at once"));
        }
        let task = match r.create_task(t) {
            Ok(task) => task,
            Err(e) => {
                self.refusals.push(e);
                return r.tool_error(t, "no room for a task");
            }
        };
        self.tasks.push(task);
        match name {
            "ask" => r.task_input_required(task, |requests| {
                requests.request("name", InputMethod::Elicitation, elicit("Your name?", "name", "string"))?;
                requests.request("confirm", InputMethod::Elicitation, elicit("Sure?", "confirm", "boolean"))
            }),
            "huge" => {
                let outcome = r.task_result(task, |res| res.text("x".repeat(10_000).as_str()));
                assert_eq!(outcome, Err(Error::NoRoom));
                Ok(())
            }
            "sampler" => {
                // The creating request declared elicitation only.
                let outcome = r.task_input_required(task, |requests| {
                    requests.request("s", InputMethod::Sampling, |v| v.raw(kit::SAMPLING_PARAMS))
                });
                assert_eq!(outcome, Err(Error::MissingCapability));
                assert_eq!(r.task_status(task), Some(TaskStatus::Working), "nothing asked");
                Ok(())
            }
            _ => Ok(()),
        }
    }

    fn task_input(&mut self, task: TaskId, answer: TaskAnswer<'_>, r: &mut Responder<'_>) -> Result<(), Error> {
        let response: Value = serde_json::from_slice(answer.response.raw()).unwrap();
        let key: String = answer.key.chars().collect();
        self.heard.push(Heard { task, key, response, pending: answer.pending });
        if self.fail_input {
            return Err(Error::InvalidJson);
        }
        if answer.pending == 0 {
            assert_eq!(r.task_status(task), Some(TaskStatus::Working));
            let names: Vec<String> = self.heard.iter().filter(|h| h.task == task).map(|h| h.key.clone()).collect();
            let text = format!("answered: {}", names.join(", "));
            r.task_result(task, |res| res.text(text.as_str()))?;
        }
        Ok(())
    }

    fn task_cancelled(&mut self, task: TaskId) {
        self.cancelled.push(task);
    }
}

type Tasks = WithTasks<Buffers<4, 0>, 4, 2048>;

struct Rig {
    server: Server<Tasks>,
    jobs: Jobs,
    next_id: u64,
}

impl Rig {
    fn new() -> Self {
        assert!(check_registry(&REGISTRY).is_ok());
        NOW.with(|now| now.set(START));
        Self {
            server: Server::new(WithTasks::new(Buffers::new(), task_config()), Config::new()),
            jobs: Jobs::default(),
            next_id: 1,
        }
    }

    /// Send one frame; what was written (framing and schema checked, as answers to `method`).
    #[track_caller]
    fn send(&mut self, frame: &str, rev: &str, method: &str) -> Rec {
        let mut rec = Rec::default();
        self.server.receive(frame.as_bytes(), &mut rec, &mut self.jobs).expect("the sink never fails");
        rec.assert_closed();
        for m in &rec.msgs {
            check(rev, &m.text, method);
        }
        rec
    }

    /// A modern request with `caps`; its one message.
    #[track_caller]
    fn modern(&mut self, method: &str, mut params: Value, caps: Value) -> Msg {
        let id = self.next_id;
        self.next_id += 1;
        params["_meta"] = meta(caps);
        let out = self.send(&request(&id.to_string(), method, params), MODERN, method);
        assert_eq!(out.msgs.len(), 1, "{:?}", out.msgs);
        let msg = out.msgs[0].clone();
        assert_eq!(msg.value["id"], json!(id));
        msg
    }

    #[track_caller]
    fn call(&mut self, name: &str, caps: Value) -> Msg {
        self.modern("tools/call", json!({"name": name, "arguments": {}}), caps)
    }

    #[track_caller]
    fn get(&mut self, task_id: &str) -> Value {
        let msg = self.modern("tasks/get", json!({"taskId": task_id}), with_tasks());
        result(&msg).clone()
    }

    fn respond<R>(&mut self, f: impl FnOnce(&mut Responder<'_>) -> R) -> R {
        let mut rec = Rec::default();
        let outcome = f(&mut self.server.responder(&mut rec));
        assert!(rec.msgs.is_empty(), "task updates write nothing: {:?}", rec.msgs);
        outcome
    }
}

/// Client capabilities declaring elicitation and the extension.
fn with_tasks() -> Value {
    json!({"elicitation": {}, "extensions": {EXTENSION: {}}})
}

#[track_caller]
fn result(msg: &Msg) -> &Value {
    assert!(msg.value.get("error").is_none(), "expected a result: {}", msg.text);
    &msg.value["result"]
}

#[track_caller]
fn error(msg: &Msg) -> &Value {
    assert!(msg.value.get("result").is_none(), "expected an error: {}", msg.text);
    &msg.value["error"]
}

/// The keys of a JSON object, sorted.
fn keys(v: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = v.as_object().expect("an object").keys().map(String::as_str).collect();
    keys.sort_unstable();
    keys
}

/// A CreateTaskResult's task id, after checking its shape.
#[track_caller]
fn created(msg: &Msg) -> String {
    let r = result(msg);
    assert_eq!(
        keys(r),
        ["_meta", "createdAt", "lastUpdatedAt", "pollIntervalMs", "resultType", "status", "taskId", "ttlMs"],
        "{r}"
    );
    assert_eq!(r["resultType"], "task");
    assert_eq!(r["status"], "working");
    assert_eq!(r["ttlMs"], TTL);
    assert_eq!(r["pollIntervalMs"], POLL);
    assert_eq!(r["createdAt"], r["lastUpdatedAt"]);
    assert!(matches!(msg.route, Route::Answer(_)), "{:?}", msg.route);
    let id = r["taskId"].as_str().unwrap().to_owned();
    assert_eq!(id.len(), protocol::TASK_ID_LEN);
    id
}

// ---------------------------------------------------------------------------------------
// Advertising and gating
// ---------------------------------------------------------------------------------------

#[test]
fn discover_advertises_the_extension_only_with_a_task_table() {
    let mut rig = Rig::new();
    let discovered = rig.modern("server/discover", json!({}), json!({}));
    let caps = &result(&discovered)["capabilities"];
    assert_eq!(caps["extensions"], json!({EXTENSION: {}}), "{caps}");
    assert!(caps.get("tasks").is_none());
    // Nothing in tools/list: task support is not listed.
    let listed = rig.modern("tools/list", json!({}), json!({}));
    for tool in result(&listed)["tools"].as_array().unwrap() {
        assert_eq!(keys(tool), ["description", "inputSchema", "name"], "{tool}");
    }
    // A legacy session is not told (the extension is 2026-07-28 only).
    let out = rig.send(&initialize("0", json!({})), LEGACY, "initialize");
    assert!(out.msgs[0].value["result"]["capabilities"].get("extensions").is_none());

    // The same tools on a server without a task table: no extension, ordinary calls.
    let mut plain: Server<Buffers<4, 0>> = Server::new(Buffers::new(), Config::new());
    let mut jobs = Jobs::default();
    for (frame, method) in [
        (request("1", "server/discover", json!({"_meta": meta(json!({}))})), "server/discover"),
        (request("2", "tools/call", json!({"name": "slow", "_meta": meta(with_tasks())})), "tools/call"),
        (request("3", "tasks/get", json!({"taskId": "x", "_meta": meta(with_tasks())})), "tasks/get"),
    ] {
        let mut rec = Rec::default();
        plain.receive(frame.as_bytes(), &mut rec, &mut jobs).unwrap();
        check(MODERN, &rec.msgs[0].text, method);
        let v = &rec.msgs[0].value;
        match method {
            "server/discover" => assert!(v["result"]["capabilities"].get("extensions").is_none(), "{v}"),
            "tools/call" => assert_eq!(v["result"]["content"][0]["text"], "done at once"),
            _ => assert_eq!(v["error"]["code"], -32601, "{v}"),
        }
    }
    assert_eq!(jobs.could, [(false, false)]);
    assert_eq!(jobs.refusals, [Error::MissingCapability]);
}

#[test]
fn without_the_extension_calls_run_at_once_and_required_tools_are_refused() {
    let mut rig = Rig::new();
    // Optional: an ordinary result.
    let msg = rig.call("slow", json!({"elicitation": {}}));
    assert_eq!(result(&msg)["resultType"], "complete");
    assert!(result(&msg).get("taskId").is_none());
    // The legacy `task` param changes nothing.
    let msg =
        rig.modern("tools/call", json!({"name": "plain", "task": {"ttl": 60000, "pollInterval": 100}}), with_tasks());
    assert_eq!(result(&msg)["content"][0]["text"], "done at once");
    // Required: -32021 naming the extension, before the host sees the call.
    let msg = rig.call("needs_task", json!({"elicitation": {}, "extensions": {"other/ext": {}}}));
    assert_eq!(error(&msg)["code"], -32021);
    assert_eq!(error(&msg)["data"], json!({"requiredCapabilities": {"extensions": {EXTENSION: {}}}}));
    // The extension's value must be an object.
    let msg = rig.call("needs_task", json!({"extensions": {EXTENSION: true}}));
    assert_eq!(error(&msg)["code"], -32021);
    assert_eq!(rig.jobs.could, [(false, false), (false, false)]);
    assert_eq!(rig.jobs.refusals, [Error::MissingCapability, Error::MissingCapability]);
    assert!(rig.jobs.tasks.is_empty());

    // tasks/* without the extension: -32021, whatever the id.
    for method in ["tasks/get", "tasks/update", "tasks/cancel"] {
        let msg = rig.modern(method, json!({"taskId": "gate-test", "inputResponses": {}}), json!({}));
        assert_eq!(error(&msg)["code"], -32021, "{method}");
        assert_eq!(error(&msg)["data"]["requiredCapabilities"]["extensions"][EXTENSION], json!({}));
    }
    // Removed and unknown methods: -32601, with or without the extension.
    for method in ["tasks/result", "tasks/list"] {
        let msg = rig.modern(method, json!({"taskId": "x"}), with_tasks());
        assert_eq!(error(&msg)["code"], -32601, "{method}");
    }
    // Unknown ids and missing ones: -32602.
    for method in ["tasks/get", "tasks/update", "tasks/cancel"] {
        let msg = rig.modern(method, json!({"taskId": "nope", "inputResponses": {}}), with_tasks());
        assert_eq!(error(&msg)["code"], -32602, "{method}");
        assert_eq!(error(&msg)["data"], json!({"taskId": "nope"}));
        let msg = rig.modern(method, json!({"inputResponses": {}}), with_tasks());
        assert_eq!(error(&msg)["code"], -32602, "{method}");
    }
}

#[test]
fn legacy_sessions_have_no_tasks() {
    let mut rig = Rig::new();
    rig.send(&initialize("0", json!({"elicitation": {}})), LEGACY, "initialize");
    let out =
        rig.send(&request("1", "tools/call", json!({"name": "needs_task", "arguments": {}})), LEGACY, "tools/call");
    assert_eq!(rig.jobs.legacy_calls, 1);
    assert_eq!(out.msgs[0].value["result"]["content"][0]["text"], Error::WrongRevision.describe());
    let out = rig.send(&request("2", "tasks/get", json!({"taskId": "x"})), LEGACY, "tasks/get");
    assert_eq!(out.msgs[0].value["error"]["code"], -32601);
    let out = rig.send(&request("3", "tools/call", json!({"name": "slow"})), LEGACY, "tools/call");
    assert_eq!(out.msgs[0].value["result"]["content"][0]["text"], "done at once");
}

// ---------------------------------------------------------------------------------------
// The life of a task
// ---------------------------------------------------------------------------------------

#[test]
fn a_task_is_created_polled_and_completed() {
    let mut rig = Rig::new();
    let msg = rig.call("slow", with_tasks());
    let id = created(&msg);
    assert_eq!(result(&msg)["createdAt"], iso(START));
    assert_eq!(rig.jobs.could, [(true, true)]);
    assert_eq!(rig.server.in_flight(), 0, "the call is over");
    let task = rig.jobs.tasks[0];

    // At once: working, nothing inlined.
    let got = rig.get(&id);
    assert_eq!(
        keys(&got),
        ["_meta", "createdAt", "lastUpdatedAt", "pollIntervalMs", "resultType", "status", "taskId", "ttlMs"]
    );
    assert_eq!(
        (got["taskId"].as_str(), got["status"].as_str(), got["resultType"].as_str()),
        (Some(id.as_str()), Some("working"), Some("complete"))
    );

    // Later, from a responder outside any request.
    advance(1500);
    let outcome = rig.respond(|r| r.task_result(task, |res| res.text("forty-two")));
    assert_eq!(outcome, Ok(()));
    let got = rig.get(&id);
    assert_eq!(got["status"], "completed");
    assert_eq!(got["createdAt"], iso(START));
    assert_eq!(got["lastUpdatedAt"], iso(START + 1500));
    assert_eq!(got["result"], json!({"content": [{"type": "text", "text": "forty-two"}], "resultType": "complete"}));
    assert!(got.get("error").is_none() && got.get("inputRequests").is_none() && got.get("requestState").is_none());

    // Over is over.
    assert_eq!(rig.respond(|r| r.task_result(task, |res| res.text("again"))), Err(Error::StaleTicket));
    assert_eq!(rig.respond(|r| r.task_failed(task, -32603, "late")), Err(Error::StaleTicket));
    assert_eq!(rig.respond(|r| r.task_status(task)), Some(TaskStatus::Completed));

    // A tool error is a completed task with isError.
    let id2 = created(&rig.call("slow", with_tasks()));
    let task2 = rig.jobs.tasks[1];
    rig.respond(|r| {
        r.task_result(task2, |res| {
            res.set_error(true);
            res.text("it went wrong")
        })
    })
    .unwrap();
    let got = rig.get(&id2);
    assert_eq!(got["status"], "completed");
    assert_eq!(got["result"]["isError"], true);
}

#[test]
fn a_failed_task_inlines_its_error() {
    let mut rig = Rig::new();
    let id = created(&rig.call("needs_task", with_tasks()));
    let task = rig.jobs.tasks[0];
    advance(10);
    rig.respond(|r| r.task_failed(task, -32603, "Internal error: the \"job\" crashed")).unwrap();
    let got = rig.get(&id);
    assert_eq!(got["status"], "failed");
    assert_eq!(got["error"], json!({"code": -32603, "message": "Internal error: the \"job\" crashed"}));
    assert!(got.get("result").is_none());
}

#[test]
fn cancel_ends_a_running_task_and_acknowledges_any() {
    let mut rig = Rig::new();
    let id = created(&rig.call("slow", with_tasks()));
    let task = rig.jobs.tasks[0];
    advance(5);
    for _ in 0..2 {
        let msg = rig.modern("tasks/cancel", json!({"taskId": id}), with_tasks());
        assert_eq!(keys(result(&msg)), ["_meta", "resultType"]);
        assert_eq!(result(&msg)["resultType"], "complete");
        assert_eq!(msg.route, Route::Reply);
    }
    assert_eq!(rig.jobs.cancelled, [task], "heard once");
    let got = rig.get(&id);
    assert_eq!(got["status"], "cancelled");
    assert_eq!(got["lastUpdatedAt"], iso(START + 5));
    assert_eq!(rig.respond(|r| r.task_result(task, |res| res.text("too late"))), Err(Error::StaleTicket));
    assert_eq!(rig.get(&id)["status"], "cancelled");

    // A completed task stays completed.
    let id = created(&rig.call("slow", with_tasks()));
    let task = rig.jobs.tasks[1];
    rig.respond(|r| r.task_result(task, |res| res.text("done"))).unwrap();
    let msg = rig.modern("tasks/cancel", json!({"taskId": id}), with_tasks());
    assert_eq!(result(&msg)["resultType"], "complete");
    assert_eq!(rig.get(&id)["status"], "completed");
    assert_eq!(rig.jobs.cancelled.len(), 1);
}

#[test]
fn input_requests_are_answered_one_at_a_time() {
    let mut rig = Rig::new();
    let id = created(&rig.call("ask", with_tasks()));
    let task = rig.jobs.tasks[0];
    let got = rig.get(&id);
    assert_eq!(got["status"], "input_required");
    assert_eq!(keys(&got["inputRequests"]), ["confirm", "name"]);
    assert_eq!(got["inputRequests"]["name"]["method"], "elicitation/create");
    assert_eq!(got["inputRequests"]["name"]["params"]["message"], "Your name?");

    // One answer (and an unknown key, ignored): acknowledged, still input_required.
    advance(100);
    let answer = json!({"action": "accept", "content": {"name": "Ada"}});
    let msg = rig.modern(
        "tasks/update",
        json!({"taskId": id, "inputResponses": {"name": answer, "unknown-key": {"ignored": true}}}),
        with_tasks(),
    );
    assert_eq!(keys(result(&msg)), ["_meta", "resultType"]);
    assert_eq!(rig.jobs.heard, [Heard { task, key: "name".into(), response: answer.clone(), pending: 1 }]);
    let got = rig.get(&id);
    assert_eq!(got["status"], "input_required");
    assert_eq!(keys(&got["inputRequests"]), ["confirm"]);
    assert_eq!(got["lastUpdatedAt"], iso(START + 100));

    // The same key again is no longer pending: ignored.
    rig.modern("tasks/update", json!({"taskId": id, "inputResponses": {"name": answer}}), with_tasks());
    assert_eq!(rig.jobs.heard.len(), 1);

    // The last one: the handler finishes the task from the callback.
    let confirm = json!({"action": "accept", "content": {"confirm": true}});
    rig.modern("tasks/update", json!({"taskId": id, "inputResponses": {"confirm": confirm}}), with_tasks());
    assert_eq!(rig.jobs.heard[1].pending, 0);
    let got = rig.get(&id);
    assert_eq!(got["status"], "completed");
    assert_eq!(got["result"]["content"][0]["text"], "answered: name, confirm");
    assert!(got.get("inputRequests").is_none());
    // inputResponses must be an object.
    let msg = rig.modern("tasks/update", json!({"taskId": id, "inputResponses": null}), with_tasks());
    assert_eq!(error(&msg)["code"], -32602);
}

#[test]
fn a_handler_error_on_an_answer_fails_the_task() {
    let mut rig = Rig::new();
    rig.jobs.fail_input = true;
    let id = created(&rig.call("ask", with_tasks()));
    let msg = rig.modern(
        "tasks/update",
        json!({"taskId": id, "inputResponses": {"confirm": {"action": "decline"}}}),
        with_tasks(),
    );
    assert_eq!(result(&msg)["resultType"], "complete");
    let got = rig.get(&id);
    assert_eq!(got["status"], "failed");
    assert_eq!(got["error"]["code"], -32603);
    assert!(got["error"]["message"].as_str().unwrap().contains("the handler failed"), "{got}");
}

#[test]
fn input_requests_need_the_creating_requests_capabilities() {
    let mut rig = Rig::new();
    let id = created(&rig.call("sampler", with_tasks()));
    assert_eq!(rig.get(&id)["status"], "working");
}

// ---------------------------------------------------------------------------------------
// Bounds
// ---------------------------------------------------------------------------------------

#[test]
fn tasks_expire_after_their_time_to_live() {
    let mut rig = Rig::new();
    let id = created(&rig.call("slow", with_tasks()));
    let task = rig.jobs.tasks[0];
    advance(u64::from(TTL) - 1);
    assert_eq!(rig.get(&id)["status"], "working");
    rig.respond(|r| r.task_result(task, |res| res.text("done"))).unwrap();
    // Kept `ttl` after the last change, not after creation.
    advance(u64::from(TTL) - 1);
    assert_eq!(rig.get(&id)["status"], "completed");
    advance(1);
    let msg = rig.modern("tasks/get", json!({"taskId": id}), with_tasks());
    assert_eq!(error(&msg)["code"], -32602);
    assert_eq!(rig.respond(|r| r.task_status(task)), None);
}

#[test]
fn a_full_table_refuses_new_tasks_and_a_huge_result_fails_its_task() {
    let mut rig = Rig::new();
    let ids: Vec<String> = (0..4).map(|_| created(&rig.call("slow", with_tasks()))).collect();
    let msg = rig.call("slow", with_tasks());
    assert_eq!(result(&msg)["isError"], true, "the handler answered another way");
    assert_eq!(rig.jobs.refusals, [Error::NoRoom]);
    // One expires: room again.
    for task in rig.jobs.tasks.clone() {
        rig.respond(|r| r.task_result(task, |res| res.text("done"))).unwrap();
    }
    advance(u64::from(TTL));
    assert_eq!(error(&rig.modern("tasks/get", json!({"taskId": ids[0]}), with_tasks()))["code"], -32602);

    let id = created(&rig.call("huge", with_tasks()));
    let got = rig.get(&id);
    assert_eq!(got["status"], "failed");
    assert_eq!(got["error"]["code"], -32603);
    assert!(got.get("result").is_none());
}

#[test]
fn task_ids_are_distinct_and_stale_handles_are_refused() {
    let mut rig = Rig::new();
    let a = created(&rig.call("slow", with_tasks()));
    let b = created(&rig.call("slow", with_tasks()));
    assert_ne!(a, b);
    assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
    let bogus = TaskId::from_bits(rig.jobs.tasks[0].to_bits() + (1 << 32));
    assert_eq!(rig.respond(|r| r.task_result(bogus, |res| res.text("x"))), Err(Error::StaleTicket));
    assert_eq!(rig.respond(|r| r.task_input_required(bogus, |_| Ok(()))), Err(Error::StaleTicket));
    assert_eq!(rig.respond(|r| r.task_status(bogus)), None);
    // Without a call in flight there is nothing to turn into a task.
    let stale = Ticket::from_bits(12345);
    assert_eq!(rig.respond(|r| r.create_task(stale)), Err(Error::StaleTicket));
}

// ---------------------------------------------------------------------------------------
// Streamable HTTP: Mcp-Name is the task id
// ---------------------------------------------------------------------------------------

#[cfg(all(feature = "http", feature = "std"))]
mod http {
    use picomcp::http::{Conn, Connections, EMPTY_HEADER, Endpoint, EndpointConfig, Limits, parse_head};

    use super::*;

    #[derive(Default)]
    struct Conns(Vec<u8>);

    impl Connections for Conns {
        fn send(&mut self, _: Conn, bytes: &[u8]) -> Result<(), Error> {
            self.0.extend_from_slice(bytes);
            Ok(())
        }

        fn finish(&mut self, _: Conn, _: bool) {}
    }

    /// POST `body` with the 2026-07-28 headers plus `headers`; the status and JSON body.
    fn post(rig: &mut Rig, endpoint: &mut Endpoint<2, 2, 64>, headers: &[(&str, &str)], body: &Value) -> (u16, Value) {
        let body = body.to_string();
        let mut raw = String::from("POST /mcp HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n");
        raw.push_str("Accept: application/json, text/event-stream\r\nMCP-Protocol-Version: 2026-07-28\r\n");
        for (name, value) in headers {
            raw.push_str(&format!("{name}: {value}\r\n"));
        }
        raw.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
        let mut fields = [EMPTY_HEADER; 16];
        let head = parse_head(raw.as_bytes(), &mut fields, &Limits::DEFAULT).unwrap().unwrap();
        let mut conns = Conns::default();
        let mut scratch = vec![0u8; 8192];
        let handled = endpoint
            .handle(
                &mut rig.server,
                &mut rig.jobs,
                &mut conns,
                1,
                &head,
                head.body(raw.as_bytes()).unwrap(),
                &mut scratch,
            )
            .unwrap();
        assert_eq!(handled, picomcp::http::Handled::Done);
        let text = String::from_utf8(conns.0).unwrap();
        let status: u16 = text[9..12].parse().unwrap();
        let json = &text[text.find("\r\n\r\n").unwrap() + 4..];
        (status, serde_json::from_str(json).unwrap())
    }

    #[test]
    fn tasks_methods_name_their_task_in_mcp_name() {
        let mut rig = Rig::new();
        let mut endpoint = Endpoint::<2, 2, 64>::new(EndpointConfig::new());
        let call = request("1", "tools/call", json!({"name": "slow", "arguments": {}, "_meta": meta(with_tasks())}));
        let (status, body) = post(
            &mut rig,
            &mut endpoint,
            &[("Mcp-Method", "tools/call"), ("Mcp-Name", "slow")],
            &serde_json::from_str(&call).unwrap(),
        );
        assert_eq!(status, 200, "{body}");
        check(MODERN, &body.to_string(), "tools/call");
        let id = body["result"]["taskId"].as_str().unwrap().to_owned();
        for method in ["tasks/get", "tasks/cancel"] {
            let get: Value =
                serde_json::from_str(&request("2", method, json!({"taskId": id, "_meta": meta(with_tasks())})))
                    .unwrap();
            for wrong in [vec![("Mcp-Method", method)], vec![("Mcp-Method", method), ("Mcp-Name", "another-task")]] {
                let (status, body) = post(&mut rig, &mut endpoint, &wrong, &get);
                assert_eq!((status, body["error"]["code"].as_i64()), (400, Some(-32020)), "{method} {wrong:?}: {body}");
            }
            let (status, body) =
                post(&mut rig, &mut endpoint, &[("Mcp-Method", method), ("Mcp-Name", id.as_str())], &get);
            assert_eq!(status, 200, "{body}");
            check(MODERN, &body.to_string(), method);
            assert_eq!(body["result"]["resultType"], "complete");
        }
        // Without the extension: 400 with -32021.
        let get: Value =
            serde_json::from_str(&request("3", "tasks/get", json!({"taskId": id, "_meta": meta(json!({}))}))).unwrap();
        let (status, body) =
            post(&mut rig, &mut endpoint, &[("Mcp-Method", "tasks/get"), ("Mcp-Name", id.as_str())], &get);
        assert_eq!((status, body["error"]["code"].as_i64()), (400, Some(-32021)), "{body}");
        // tasks/result is removed: 404.
        let removed: Value =
            serde_json::from_str(&request("4", "tasks/result", json!({"taskId": id, "_meta": meta(with_tasks())})))
                .unwrap();
        let (status, body) = post(&mut rig, &mut endpoint, &[("Mcp-Method", "tasks/result")], &removed);
        assert_eq!((status, body["error"]["code"].as_i64()), (404, Some(-32601)), "{body}");
    }
}
