//! Scoped access and HTTP authorization: a principal cannot list, call, read, get or
//! complete what it may not see (every answer is the one a never-registered name gets),
//! and the endpoint's bearer-token checks, challenges, metadata document, session
//! ownership and held requests.

#[path = "support/http_wire.rs"]
mod http_wire;
#[path = "support/kit.rs"]
mod kit;

use http_wire::*;
use kit::{LEGACY, MODERN, check, initialize, modern, request};
use picomcp::http::{Access, EMPTY_HEADER, Endpoint, EndpointConfig, Handled, Limits, ProtectedResource, parse_head};
use picomcp::*;
use serde_json::{Value, json};

const NO_ARGS: &str = r#"{"type":"object","properties":{}}"#;

/// Tools 0 and 2 are public; 1 and 3 are for admins (principal 1) only.
static TOOLS: [Tool<'static>; 4] = [
    Tool::new("public", "Anyone", NO_ARGS),
    Tool::new("admin", "Admins only", NO_ARGS),
    Tool::new("slow", "Answered later", NO_ARGS),
    Tool::new("tasky", "Admins only, only as a task", NO_ARGS).tasks(TaskSupport::Required),
];
static RESOURCES: [Resource<'static>; 2] =
    [Resource::new("test://public", "public", "text/plain"), Resource::new("test://secret", "secret", "text/plain")];
static TEMPLATES: [ResourceTemplate<'static>; 1] = [ResourceTemplate::new("test://vault/{id}", "vault", "text/plain")];
static ARGS: [PromptArgument<'static>; 1] =
    [PromptArgument { name: "id", title: None, description: None, required: false }];
static PROMPTS: [Prompt<'static>; 2] = [Prompt::new("hello", "Anyone", &ARGS), Prompt::new("audit", "Admins", &ARGS)];

/// The admin's principal.
const ADMIN: Principal = Principal(1);
/// Another signed-in caller.
const USER: Principal = Principal(2);

/// A registry that hides tool 1, resource 1, template 0 and prompt 1 from everyone but
/// the admin.
struct Scoped;

static INNER: StaticRegistry<'static> =
    StaticRegistry::new(ServerInfo { implementation: Implementation::new("scoped", "1.0.0"), instructions: None })
        .tools(&TOOLS)
        .resources(&RESOURCES)
        .templates(&TEMPLATES)
        .prompts(&PROMPTS)
        .completions();

impl Registry for Scoped {
    fn info(&self) -> ServerInfo<'_> {
        INNER.info()
    }
    fn tool_count(&self) -> usize {
        INNER.tool_count()
    }
    fn tool(&self, index: usize) -> Option<Tool<'_>> {
        INNER.tool(index)
    }
    fn resource_count(&self) -> usize {
        INNER.resource_count()
    }
    fn resource(&self, index: usize) -> Option<Resource<'_>> {
        INNER.resource(index)
    }
    fn template_count(&self) -> usize {
        INNER.template_count()
    }
    fn template(&self, index: usize) -> Option<ResourceTemplate<'_>> {
        INNER.template(index)
    }
    fn prompt_count(&self) -> usize {
        INNER.prompt_count()
    }
    fn prompt(&self, index: usize) -> Option<Prompt<'_>> {
        INNER.prompt(index)
    }
    fn features(&self) -> Features {
        INNER.features()
    }
    fn visible(&self, principal: Principal, item: Item) -> bool {
        principal == ADMIN
            || !matches!(item, Item::Tool(1 | 3) | Item::Resource(1) | Item::Template(0) | Item::Prompt(1))
    }
}

/// Answers everything at once (but `slow`, kept for later), remembering who called; its
/// `authorize` maps tokens to principals.
#[derive(Default)]
struct Host {
    callers: Vec<Principal>,
    slow: Vec<Ticket>,
    /// Times a `later` token was asked about (granted from the second time on).
    later_asked: usize,
    metadata: bool,
}

const SERVERS: [&str; 1] = ["https://auth.example"];
const SCOPES: [&str; 2] = ["mcp", "admin"];

impl Handler for Host {
    fn registry(&self) -> &dyn Registry {
        &Scoped
    }
    fn call_tool(&mut self, call: ToolCall<'_>, r: &mut Responder<'_>) -> Result<(), Error> {
        self.callers.push(call.info.principal);
        match TOOLS[call.tool].name {
            "slow" => {
                self.slow.push(call.ticket);
                return Ok(());
            }
            "tasky" => return r.create_task(call.ticket).map(|_| ()),
            _ => {}
        }
        r.tool_result(call.ticket, |res| res.text(TOOLS[call.tool].name))
    }
    fn read_resource(&mut self, read: ResourceRead<'_>, r: &mut Responder<'_>) -> Result<(), Error> {
        self.callers.push(read.info.principal);
        r.resource(read.ticket, |c| c.push(ResourceContents::text(read.uri, "text/plain", "contents")))
    }
    fn get_prompt(&mut self, get: PromptGet<'_>, r: &mut Responder<'_>) -> Result<(), Error> {
        self.callers.push(get.info.principal);
        r.prompt(get.ticket, None, |m| m.push(Role::User, Content::Text("hi".into())))
    }
    fn complete(&mut self, req: CompletionRequest<'_>, r: &mut Responder<'_>) -> Result<(), Error> {
        self.callers.push(req.info.principal);
        r.completion(req.ticket, |c| c.push("1"))
    }
    fn poll(&mut self, r: &mut Responder<'_>) -> Result<Option<core::time::Duration>, Error> {
        for ticket in self.slow.drain(..) {
            r.tool_result(ticket, |res| res.text("slow"))?;
        }
        Ok(None)
    }
    fn authorize(&mut self, head: &http::RequestHead<'_>) -> Access<'_> {
        match head.bearer_token() {
            None => Access::Unauthorized,
            Some("admin-token") => Access::Granted(ADMIN),
            Some("user-token") => Access::Granted(USER),
            Some("narrow-token") => Access::InsufficientScope("mcp admin"),
            Some("later-token") => {
                self.later_asked += 1;
                if self.later_asked > 1 { Access::Granted(USER) } else { Access::Pending }
            }
            Some(_) => Access::Unauthorized,
        }
    }
    fn protected_resource(&self) -> Option<ProtectedResource<'_>> {
        self.metadata.then_some(ProtectedResource {
            resource: None,
            authorization_servers: &SERVERS,
            scopes_supported: &SCOPES,
        })
    }
}

// ---------------------------------------------------------------------------------------
// Over stdio: Server::set_principal
// ---------------------------------------------------------------------------------------

type Stdio = Server<Buffers<4, 64>>;

/// Send one frame as `principal`; the reply, checked against the schema of `rev`.
fn ask<S: Storage>(server: &mut Server<S>, host: &mut Host, principal: Principal, frame: &str, rev: &str) -> Value {
    server.set_principal(principal);
    let mut out = Vec::new();
    server.receive(frame.as_bytes(), &mut out, host).unwrap();
    let text = String::from_utf8(out).unwrap();
    let line = text.lines().next().unwrap_or_else(|| panic!("no reply to {frame}"));
    let method = serde_json::from_str::<Value>(frame).unwrap()["method"].as_str().unwrap().to_owned();
    check(rev, line, &method);
    serde_json::from_str(line).unwrap()
}

/// Makes a request frame from a method and params.
type Frame = fn(&str, Value) -> String;

/// Both eras: a frame maker per revision.
fn eras() -> [(&'static str, Frame); 2] {
    fn legacy(method: &str, params: Value) -> String {
        request("1", method, params)
    }
    fn modern_frame(method: &str, params: Value) -> String {
        modern("1", method, params, json!({}))
    }
    [(LEGACY, legacy), (MODERN, modern_frame)]
}

fn names(reply: &Value, list: &str, key: &str) -> Vec<String> {
    reply["result"][list].as_array().unwrap().iter().map(|t| t[key].as_str().unwrap().to_owned()).collect()
}

/// `reply` with `hidden` replaced by `never` in its text: the same as the reply about a
/// name that was never registered.
fn renamed(reply: &Value, hidden: &str, never: &str) -> Value {
    serde_json::from_str(&reply.to_string().replace(hidden, never)).unwrap()
}

fn stdio() -> (Stdio, Host) {
    let mut server = Stdio::new(Buffers::new(), Config::new());
    let mut host = Host::default();
    let mut out = Vec::new();
    server.receive(initialize("0", json!({})).as_bytes(), &mut out, &mut host).unwrap();
    (server, host)
}

#[test]
fn lists_show_each_principal_what_it_may_see() {
    let (mut server, mut host) = stdio();
    for (rev, frame) in eras() {
        for (principal, tools, resources, templates, prompts) in [
            (Principal::ANONYMOUS, vec!["public", "slow"], vec!["test://public"], vec![], vec!["hello"]),
            (USER, vec!["public", "slow"], vec!["test://public"], vec![], vec!["hello"]),
            (
                ADMIN,
                vec!["public", "admin", "slow", "tasky"],
                vec!["test://public", "test://secret"],
                vec!["test://vault/{id}"],
                vec!["hello", "audit"],
            ),
        ] {
            let mut list = |m: &str| ask(&mut server, &mut host, principal, &frame(m, json!({})), rev);
            assert_eq!(names(&list("tools/list"), "tools", "name"), tools, "{rev} {principal:?}");
            assert_eq!(names(&list("resources/list"), "resources", "uri"), resources);
            assert_eq!(names(&list("resources/templates/list"), "resourceTemplates", "uriTemplate"), templates);
            assert_eq!(names(&list("prompts/list"), "prompts", "name"), prompts);
        }
    }
}

#[test]
fn pages_skip_hidden_entries_and_end_with_the_last_visible_one() {
    let mut server = Stdio::new(Buffers::new(), Config { page_size: 1, ..Config::new() });
    let mut host = Host::default();
    for (principal, expected) in [(USER, vec!["public", "slow"]), (ADMIN, vec!["public", "admin", "slow", "tasky"])] {
        let (mut seen, mut cursor) = (Vec::new(), None::<String>);
        loop {
            let params = cursor.map_or(json!({}), |c| json!({"cursor": c}));
            let reply = ask(&mut server, &mut host, principal, &modern("1", "tools/list", params, json!({})), MODERN);
            seen.extend(names(&reply, "tools", "name"));
            match reply["result"]["nextCursor"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => break,
            }
        }
        assert_eq!(seen, expected, "{principal:?}");
    }
    // The user's first page ends the listing before the hidden tool when nothing follows.
    let mut server = Stdio::new(Buffers::new(), Config { page_size: 2, ..Config::new() });
    let reply = ask(&mut server, &mut host, USER, &modern("1", "tools/list", json!({}), json!({})), MODERN);
    assert_eq!(names(&reply, "tools", "name"), ["public", "slow"]);
    assert!(reply["result"].get("nextCursor").is_none(), "{reply}");
}

#[test]
fn hidden_descriptors_answer_as_never_registered_ones() {
    let (mut server, mut host) = stdio();
    for (rev, frame) in eras() {
        let cases = [
            ("tools/call", json!({"name": "admin", "arguments": {}}), "admin", "nosuch"),
            ("resources/read", json!({"uri": "test://secret"}), "test://secret", "test://nosuch"),
            ("resources/read", json!({"uri": "test://vault/7"}), "test://vault/7", "test://nosuch/7"),
            ("prompts/get", json!({"name": "audit", "arguments": {}}), "audit", "nosuch"),
            (
                "completion/complete",
                json!({"ref": {"type": "ref/prompt", "name": "audit"}, "argument": {"name": "id", "value": ""}}),
                "audit",
                "nosuch",
            ),
            (
                "completion/complete",
                json!({"ref": {"type": "ref/resource", "uri": "test://vault/{id}"}, "argument": {"name": "id", "value": ""}}),
                "test://vault/{id}",
                "test://nosuch/{id}",
            ),
        ];
        for (method, params, hidden, never) in cases {
            host.callers.clear();
            let as_user = ask(&mut server, &mut host, USER, &frame(method, params.clone()), rev);
            let unknown = renamed(&params, hidden, never);
            let never_registered = ask(&mut server, &mut host, USER, &frame(method, unknown), rev);
            assert_eq!(renamed(&as_user, hidden, never), never_registered, "{rev} {method} {hidden}");
            assert!(host.callers.is_empty(), "the host never heard of it: {method} {hidden}");
            // The admin gets through, and the host hears who called.
            let as_admin = ask(&mut server, &mut host, ADMIN, &frame(method, params), rev);
            assert!(as_admin.get("result").is_some(), "{as_admin}");
            assert_ne!(as_admin, as_user);
            assert_eq!(host.callers, [ADMIN], "{method}");
        }
    }
}

#[test]
fn updates_of_a_hidden_resource_do_not_reach_who_may_not_see_it() {
    for (principal, uri, heard) in [
        (ADMIN, "test://secret", true),
        (ADMIN, "test://vault/7", true),
        (USER, "test://public", true),
        (USER, "test://secret", false),
        (USER, "test://vault/7", false),
        (USER, "test://nosuch", false),
    ] {
        let (mut server, mut host) = stdio();
        let subscribe = request("1", "resources/subscribe", json!({"uri": uri}));
        let reply = ask(&mut server, &mut host, principal, &subscribe, LEGACY);
        assert_eq!(reply["result"], json!({}), "subscribing is answered alike: {reply}");
        let mut out = Vec::new();
        let sent = server.responder(&mut out).resource_updated(uri).unwrap();
        assert_eq!(sent, heard, "{principal:?} {uri}");
        assert_eq!(!out.is_empty(), heard);
    }
}

#[test]
fn a_hidden_task_tool_is_unknown_before_its_task_requirement_is_checked() {
    fn clock() -> u64 {
        0
    }
    let storage = WithTasks::<Buffers<4, 64>, 4, 2048>::new(Buffers::new(), TaskConfig::new(clock));
    let mut server = Server::new(storage, Config::new());
    let mut host = Host::default();
    let call = |name: &str| modern("1", "tools/call", json!({"name": name, "arguments": {}}), json!({}));
    let as_user = ask(&mut server, &mut host, USER, &call("tasky"), MODERN);
    let never = ask(&mut server, &mut host, USER, &call("nosuch"), MODERN);
    assert_eq!(renamed(&as_user, "tasky", "nosuch"), never);
    // The admin sees it, and is told the call needs the tasks extension.
    let as_admin = ask(&mut server, &mut host, ADMIN, &call("tasky"), MODERN);
    assert_eq!(as_admin["error"]["code"], -32021, "{as_admin}");
}

#[test]
fn a_task_belongs_to_the_principal_that_created_it() {
    fn clock() -> u64 {
        0
    }
    let storage = WithTasks::<Buffers<4, 64>, 4, 2048>::new(Buffers::new(), TaskConfig::new(clock));
    let mut server = Server::new(storage, Config::new());
    let mut host = Host::default();
    let caps = json!({"extensions": {"io.modelcontextprotocol/tasks": {}}});
    let created = ask(
        &mut server,
        &mut host,
        ADMIN,
        &modern("1", "tools/call", json!({"name": "tasky", "arguments": {}}), caps.clone()),
        MODERN,
    );
    assert_eq!(created["result"]["resultType"], "task", "{created}");
    let id = created["result"]["taskId"].as_str().expect("a task id").to_owned();
    let get = |id: &str| modern("2", "tasks/get", json!({"taskId": id}), caps.clone());
    assert!(ask(&mut server, &mut host, ADMIN, &get(&id), MODERN).get("result").is_some());
    // Another caller holding the id gets what an id that never existed gets (SEP-2663: a
    // task id is no bearer token).
    let other = ask(&mut server, &mut host, USER, &get(&id), MODERN);
    let never = ask(&mut server, &mut host, USER, &get("0123456789abcdef0123456789abcdef"), MODERN);
    assert_eq!(renamed(&other, &id, "0123456789abcdef0123456789abcdef"), never);
    assert!(other.get("error").is_some(), "{other}");
}

// ---------------------------------------------------------------------------------------
// Over HTTP: Handler::authorize
// ---------------------------------------------------------------------------------------

type Ep = Endpoint<4, 8, 64>;

struct Http {
    endpoint: Ep,
    server: Server<Buffers<2, 64>>,
    host: Host,
    conns: Conns,
    scratch: Vec<u8>,
}

impl Http {
    fn new(metadata: bool) -> Self {
        Self {
            endpoint: Ep::new(EndpointConfig { key: [3; 32], ..EndpointConfig::new() }),
            server: Server::new(Buffers::new(), Config::new()),
            host: Host { metadata, ..Host::default() },
            conns: Conns::default(),
            scratch: vec![0; 16 * 1024],
        }
    }

    fn offer(&mut self, conn: u32, raw: &[u8]) -> Handled {
        let mut headers = [EMPTY_HEADER; 32];
        let head = parse_head(raw, &mut headers, &Limits::DEFAULT).unwrap().unwrap();
        let body = head.body(raw).unwrap();
        self.endpoint
            .handle(&mut self.server, &mut self.host, &mut self.conns, conn, &head, body, &mut self.scratch)
            .unwrap()
    }

    /// Send a request that is taken at once; the response.
    #[track_caller]
    fn exchange(&mut self, conn: u32, raw: &[u8]) -> Response {
        assert_eq!(self.offer(conn, raw), Handled::Done);
        self.last(conn)
    }

    fn last(&self, conn: u32) -> Response {
        parse_responses(self.conns.out.get(&conn).map_or(&[][..], Vec::as_slice)).pop().expect("a response")
    }

    fn poll(&mut self) {
        self.endpoint.poll(&mut self.server, &mut self.host, &mut self.conns, &mut self.scratch).unwrap();
    }
}

fn raw(method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Vec<u8> {
    let mut text = format!("{method} {path} HTTP/1.1\r\nHost: localhost:8000\r\n");
    for (n, v) in headers {
        text.push_str(&format!("{n}: {v}\r\n"));
    }
    text.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    text.into_bytes()
}

/// A 2026-07-28 `tools/list` (or `tools/call` of `tool`) with `token`.
fn modern_post(token: Option<&str>, method: &str, params: Value) -> Vec<u8> {
    let auth = token.map(|t| format!("Bearer {t}"));
    let mut headers = vec![
        ("Content-Type", "application/json"),
        ("Accept", "application/json, text/event-stream"),
        ("MCP-Protocol-Version", MODERN),
        ("Mcp-Method", method),
    ];
    let name = params["name"].as_str().map(str::to_owned);
    if let Some(name) = name.as_deref() {
        headers.push(("Mcp-Name", name));
    }
    if let Some(auth) = auth.as_deref() {
        headers.push(("Authorization", auth));
    }
    raw("POST", "/mcp", &headers, &modern("1", method, params, json!({})))
}

const METADATA_URL: &str = "http://localhost:8000/.well-known/oauth-protected-resource/mcp";

#[test]
fn refusals_carry_their_challenges() {
    let mut h = Http::new(true);
    let r = h.exchange(1, &modern_post(None, "tools/list", json!({})));
    assert_eq!(r.status, 401);
    assert_eq!(r.header("www-authenticate"), Some(format!("Bearer resource_metadata=\"{METADATA_URL}\"").as_str()));
    assert_eq!(r.json()["error"], "invalid_request");

    let r = h.exchange(1, &modern_post(Some("forged"), "tools/list", json!({})));
    assert_eq!(r.status, 401);
    let challenge = format!("Bearer error=\"invalid_token\", resource_metadata=\"{METADATA_URL}\"");
    assert_eq!(r.header("www-authenticate"), Some(challenge.as_str()));
    assert_eq!(r.json()["error"], "invalid_token");

    let r = h.exchange(1, &modern_post(Some("narrow-token"), "tools/list", json!({})));
    assert_eq!(r.status, 403);
    let challenge =
        format!("Bearer error=\"insufficient_scope\", scope=\"mcp admin\", resource_metadata=\"{METADATA_URL}\"");
    assert_eq!(r.header("www-authenticate"), Some(challenge.as_str()));
    assert_eq!(r.json()["error"], "insufficient_scope");

    // A header of another scheme is no token; the server goes on serving.
    let text = String::from_utf8(modern_post(None, "tools/list", json!({}))).unwrap().replacen(
        "Host:",
        "Authorization: Basic YTpi\r\nHost:",
        1,
    );
    let r = h.exchange(1, text.as_bytes());
    assert_eq!(r.status, 401);
    assert!(r.header("www-authenticate").unwrap().starts_with("Bearer error=\"invalid_token\""));
    let r = h.exchange(1, &modern_post(Some("user-token"), "tools/list", json!({})));
    assert_eq!(r.status, 200);
    assert_eq!(names(&r.json(), "tools", "name"), ["public", "slow"]);

    // Without metadata, the challenge is a bare one.
    let mut bare = Http::new(false);
    let r = bare.exchange(1, &modern_post(None, "tools/list", json!({})));
    assert_eq!((r.status, r.header("www-authenticate")), (401, Some("Bearer")));
}

#[test]
fn the_metadata_document_is_served_at_its_well_known_path() {
    let mut h = Http::new(true);
    for path in ["/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-protected-resource"] {
        let r = h.exchange(1, &raw("GET", path, &[], ""));
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(
            r.json(),
            json!({
                "resource": "http://localhost:8000/mcp",
                "authorization_servers": ["https://auth.example"],
                "scopes_supported": ["mcp", "admin"],
                "bearer_methods_supported": ["header"],
            })
        );
    }
    assert_eq!(h.exchange(1, &raw("GET", "/.well-known/oauth-protected-resource/other", &[], "")).status, 404);
    // Host checks still apply; without metadata there is no document.
    let evil = String::from_utf8(raw("GET", "/.well-known/oauth-protected-resource/mcp", &[], ""))
        .unwrap()
        .replace("localhost:8000", "evil.example");
    assert_eq!(h.exchange(1, evil.as_bytes()).status, 403);
    assert_eq!(
        Http::new(false).exchange(1, &raw("GET", "/.well-known/oauth-protected-resource/mcp", &[], "")).status,
        404
    );
}

#[test]
fn each_token_sees_its_own_catalog_over_http() {
    let mut h = Http::new(true);
    let admin = h.exchange(1, &modern_post(Some("admin-token"), "tools/list", json!({})));
    assert_eq!(names(&admin.json(), "tools", "name"), ["public", "admin", "slow", "tasky"]);
    let call = json!({"name": "admin", "arguments": {}});
    let user = h.exchange(1, &modern_post(Some("user-token"), "tools/call", call.clone()));
    let never =
        h.exchange(1, &modern_post(Some("user-token"), "tools/call", json!({"name": "nosuch", "arguments": {}})));
    assert_eq!(user.status, never.status);
    assert_eq!(renamed(&user.json(), "admin", "nosuch"), never.json());
    let admin = h.exchange(1, &modern_post(Some("admin-token"), "tools/call", call));
    assert_eq!(admin.json()["result"]["content"][0]["text"], "admin");
    assert_eq!(h.host.callers, [ADMIN]);
}

#[test]
fn a_legacy_session_belongs_to_the_principal_that_opened_it() {
    let mut h = Http::new(false);
    let post = |token: &str, session: Option<&str>, body: &str| {
        let auth = format!("Bearer {token}");
        let mut headers = vec![
            ("Content-Type", "application/json"),
            ("Accept", "application/json, text/event-stream"),
            ("Authorization", auth.as_str()),
        ];
        if let Some(id) = session {
            headers.push(("Mcp-Session-Id", id));
            headers.push(("MCP-Protocol-Version", LEGACY));
        }
        raw("POST", "/mcp", &headers, body)
    };
    let opened = h.exchange(1, &post("admin-token", None, &initialize("0", json!({}))));
    let id = opened.header("mcp-session-id").unwrap().to_owned();
    let list = request("1", "tools/list", json!({}));
    let r = h.exchange(1, &post("admin-token", Some(&id), &list));
    assert_eq!(names(&r.json(), "tools", "name"), ["public", "admin", "slow", "tasky"]);
    // Another principal with the same session id finds no session.
    let r = h.exchange(1, &post("user-token", Some(&id), &list));
    assert_eq!(r.status, 404, "{r:?}");
    assert_eq!(h.exchange(1, &post("admin-token", Some(&id), &list)).status, 200);
}

#[test]
fn requests_are_held_while_a_token_is_undecided_or_every_slot_is_busy() {
    let mut h = Http::new(false);
    // Pending: nothing written; asked again later, then served.
    let list = modern_post(Some("later-token"), "tools/list", json!({}));
    assert_eq!(h.offer(1, &list), Handled::Held);
    assert!(h.conns.out.get(&1).is_none_or(Vec::is_empty));
    assert_eq!(h.exchange(1, &list).status, 200);

    // Two slots: two slow calls take them; a third request waits, a notification does not.
    let slow = modern_post(Some("user-token"), "tools/call", json!({"name": "slow", "arguments": {}}));
    assert_eq!(h.offer(2, &slow), Handled::Done);
    assert_eq!(h.offer(3, &slow), Handled::Done);
    assert_eq!(h.offer(4, &slow), Handled::Held);
    assert!(h.conns.out.get(&4).is_none_or(Vec::is_empty));
    let note = r#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"none"}}"#;
    let headers = [
        ("Content-Type", "application/json"),
        ("Accept", "application/json, text/event-stream"),
        ("MCP-Protocol-Version", MODERN),
        ("Authorization", "Bearer user-token"),
    ];
    assert_eq!(h.offer(5, &raw("POST", "/mcp", &headers, note)), Handled::Done);
    // Answers free the slots: the held call goes through.
    h.poll();
    let r = h.exchange(4, &slow);
    assert_eq!(r.status, 200);
    h.poll();
    let r = h.last(4);
    assert_eq!(r.events().last().unwrap().1["result"]["content"][0]["text"], "slow");
}

#[test]
fn bearer_tokens_are_read_as_rfc_6750_says() {
    let token = |value: &str| {
        let text = format!("GET /mcp HTTP/1.1\r\nHost: a\r\nAuthorization: {value}\r\n\r\n");
        let mut headers = [EMPTY_HEADER; 8];
        let head = parse_head(text.as_bytes(), &mut headers, &Limits::DEFAULT).unwrap().unwrap();
        head.bearer_token().map(str::to_owned)
    };
    assert_eq!(token("Bearer abc.DEF-_~+/=="), Some("abc.DEF-_~+/==".into()));
    assert_eq!(token("bearer   abc"), Some("abc".into()));
    for refused in
        ["Bearer", "Bearer ", "Bearerabc", "Basic abc", "Bearer a b", "Bearer ==", "Bearer a=b", "Bearer a\"b"]
    {
        assert_eq!(token(refused), None, "{refused}");
    }
}
