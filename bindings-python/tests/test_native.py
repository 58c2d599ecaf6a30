"""The native module on its own: `picomcp._native.Server` driven with raw stdio lines and
raw HTTP bytes, no asyncio and no sockets."""

import json

import pytest

from picomcp._native import Server

ECHO_SCHEMA = json.dumps(
    {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]}
)
MODERN = "2026-07-28"
MODERN_META = {
    "io.modelcontextprotocol/protocolVersion": MODERN,
    "io.modelcontextprotocol/clientCapabilities": {},
}


def make_server(**kwargs) -> Server:
    s = Server("native-test", "1.2.3", "Be brief.", **kwargs)
    assert s.add_tool("echo", "Echo the text back", ECHO_SCHEMA, annotations={"readOnlyHint": True}) == 0
    assert s.add_tool("slow", None, '{"type":"object"}', title="Slow") == 1
    assert s.add_resource("demo://readme", "readme", mime_type="text/plain") == 0
    assert s.add_template("demo://items/{id}", "item", description="An item") == 0
    assert s.add_prompt("greet", description="Greets", arguments=[("name", "Who", True)]) == 0
    s.enable_completions()
    return s


class Stdio:
    """A stdio client: one JSON message per line, in and out."""

    def __init__(self, server: Server) -> None:
        self.server = server

    def send(self, message: dict) -> None:
        self.server.receive((json.dumps(message) + "\n").encode())

    def out(self) -> list:
        data = self.server.take_output()
        assert data == b"" or data.endswith(b"\n")
        return [json.loads(line) for line in data.splitlines()]

    def request(self, id_: int, method: str, params: dict = None) -> list:
        message = {"jsonrpc": "2.0", "id": id_, "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)
        return self.out()

    def initialize(self) -> dict:
        (reply,) = self.request(
            0,
            "initialize",
            {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
        )
        self.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        assert self.out() == []
        return reply


@pytest.fixture
def stdio() -> Stdio:
    return Stdio(make_server())


def test_initialize_and_discover(stdio: Stdio) -> None:
    reply = stdio.initialize()
    result = reply["result"]
    assert result["serverInfo"] == {"name": "native-test", "version": "1.2.3"}
    assert result["instructions"] == "Be brief."
    assert set(result["capabilities"]) >= {"tools", "resources", "prompts", "completions"}
    (discover,) = stdio.request(1, "server/discover", {"_meta": MODERN_META})
    result = discover["result"]
    assert result["supportedVersions"] == [MODERN]
    assert result["_meta"]["io.modelcontextprotocol/serverInfo"] == {"name": "native-test", "version": "1.2.3"}


def test_tools_list(stdio: Stdio) -> None:
    stdio.initialize()
    (reply,) = stdio.request(1, "tools/list")
    tools = reply["result"]["tools"]
    assert [t["name"] for t in tools] == ["echo", "slow"]
    assert tools[0]["inputSchema"] == json.loads(ECHO_SCHEMA)
    assert tools[0]["annotations"] == {"readOnlyHint": True}
    assert tools[1]["title"] == "Slow" and "description" not in tools[1]


def test_tool_call_answered_by_ticket(stdio: Stdio) -> None:
    stdio.initialize()
    assert stdio.request(7, "tools/call", {"name": "echo", "arguments": {"text": "hé \"x\""}}) == []
    ((kind, ticket, index, arguments, principal),) = stdio.server.events()
    assert (kind, index, json.loads(arguments)) == ("tool", 0, {"text": 'hé "x"'})
    assert principal == 0 and stdio.server.grant(principal) is None  # anonymous
    assert stdio.server.is_live(ticket) and stdio.server.in_flight() == 1
    blocks = [
        ("text", "one"),
        ("image", b"\x89PNG", "image/png"),
        ("resource_link", "demo://readme", "readme", None, "The readme", "text/plain"),
        ("resource_text", "demo://readme", "text/plain", "hello"),
        ("json", '{"type":"text","text":"raw"}'),
    ]
    assert stdio.server.answer_tool(ticket, blocks, '{"n": 1}') is True
    (reply,) = stdio.out()
    assert reply["id"] == 7
    content = reply["result"]["content"]
    assert content[0] == {"type": "text", "text": "one"}
    assert content[1] == {"type": "image", "data": "iVBORw==", "mimeType": "image/png"}
    assert content[2]["type"] == "resource_link" and content[2]["description"] == "The readme"
    assert content[3] == {
        "type": "resource",
        "resource": {"uri": "demo://readme", "mimeType": "text/plain", "text": "hello"},
    }
    assert content[4] == {"type": "text", "text": "raw"}
    assert reply["result"]["structuredContent"] == {"n": 1}
    assert stdio.server.in_flight() == 0


def test_invalid_arguments_never_reach_python(stdio: Stdio) -> None:
    stdio.initialize()
    (reply,) = stdio.request(1, "tools/call", {"name": "echo", "arguments": {}})
    assert reply["result"]["isError"] is True
    assert stdio.server.events() == []


def test_stale_ticket(stdio: Stdio) -> None:
    stdio.initialize()
    stdio.request(1, "tools/call", {"name": "echo", "arguments": {"text": "a"}})
    ((_, ticket, _, _, _),) = stdio.server.events()
    assert stdio.server.answer_tool(ticket, [("text", "a")], is_error=True) is True
    (reply,) = stdio.out()
    assert reply["result"]["isError"] is True
    assert stdio.server.answer_tool(ticket, [("text", "again")]) is False
    assert stdio.server.answer_error(ticket, -32000, "late") is False
    assert stdio.server.progress(ticket, 1.0) is False
    assert not stdio.server.is_live(ticket)
    assert stdio.out() == []


def test_bad_blocks_are_value_errors_and_leave_the_call_in_flight(stdio: Stdio) -> None:
    stdio.initialize()
    stdio.request(1, "tools/call", {"name": "echo", "arguments": {"text": "a"}})
    ((_, ticket, _, _, _),) = stdio.server.events()
    for bad in ([("nope", "x")], [("text",)], ["text"], [("image", "not bytes", "image/png")], [("json", "[1]")]):
        with pytest.raises(ValueError):
            stdio.server.answer_tool(ticket, bad)
    with pytest.raises(ValueError):
        stdio.server.answer_tool(ticket, [], "{not json")
    assert stdio.server.is_live(ticket) and stdio.out() == []
    with pytest.raises(RuntimeError):
        stdio.server.answer_read(ticket, [("text", "demo://readme", None, "x")])
    assert stdio.server.answer_error(ticket, -32603, "gave up") is True
    (reply,) = stdio.out()
    assert reply["error"] == {"code": -32603, "message": "gave up"}


def test_cancellation_event(stdio: Stdio) -> None:
    stdio.initialize()
    stdio.request(5, "tools/call", {"name": "slow", "arguments": {}})
    ((_, ticket, index, _, _),) = stdio.server.events()
    assert index == 1
    stdio.send({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 5}})
    assert stdio.server.events() == [("cancelled", ticket)]
    assert stdio.server.answer_tool(ticket, [("text", "too late")]) is False
    assert stdio.out() == []


def test_progress_only_with_a_token(stdio: Stdio) -> None:
    stdio.initialize()
    stdio.request(1, "tools/call", {"name": "slow", "arguments": {}})
    stdio.request(2, "tools/call", {"name": "slow", "arguments": {}, "_meta": {"progressToken": "tok"}})
    (_, plain, _, _, _), (_, tracked, _, _, _) = stdio.server.events()
    assert not stdio.server.wants_progress(plain)
    assert stdio.server.progress(plain, 1.0) is False
    assert stdio.server.wants_progress(tracked)
    assert stdio.server.progress(tracked, 1.0, 4.0, "a quarter") is True
    assert stdio.server.progress(tracked, 0.5) is False  # not increasing
    (note,) = stdio.out()
    assert note == {
        "jsonrpc": "2.0",
        "method": "notifications/progress",
        "params": {"progressToken": "tok", "progress": 1, "total": 4, "message": "a quarter"},
    }
    with pytest.raises(ValueError):
        stdio.server.progress(tracked, float("nan"))


def test_log(stdio: Stdio) -> None:
    stdio.initialize()
    stdio.request(1, "logging/setLevel", {"level": "warning"})
    assert stdio.server.log(None, "info", '"quiet"') is False
    assert stdio.server.log(None, "error", '{"a": 1}', "db") is True
    (note,) = stdio.out()
    assert note["params"] == {"level": "error", "logger": "db", "data": {"a": 1}}
    with pytest.raises(ValueError):
        stdio.server.log(None, "loud", '"x"')
    with pytest.raises(ValueError):
        stdio.server.log(None, "error", "{")


def test_read_and_not_found(stdio: Stdio) -> None:
    stdio.initialize()
    stdio.request(1, "resources/read", {"uri": "demo://readme"})
    stdio.request(2, "resources/read", {"uri": "demo://items/42"})
    (reply,) = stdio.request(3, "resources/read", {"uri": "demo://nowhere"})
    assert reply["error"]["code"] == -32002  # the core answers URIs nothing matches
    (k1, fixed, target1, i1, uri1, vars1, _), (k2, templ, target2, i2, uri2, vars2, _) = stdio.server.events()
    assert (k1, target1, i1, uri1, vars1) == ("read", "resource", 0, "demo://readme", {})
    assert (k2, target2, i2, uri2, vars2) == ("read", "template", 0, "demo://items/42", {"id": "42"})
    assert stdio.server.answer_read(fixed, [("text", "demo://readme", "text/plain", "Read me"), ("blob", "demo://readme", None, b"\x00\x01")])
    assert stdio.server.answer_not_found(templ) is True
    assert stdio.server.answer_not_found(templ) is False
    read, missing = stdio.out()
    assert read["result"]["contents"] == [
        {"uri": "demo://readme", "mimeType": "text/plain", "text": "Read me"},
        {"uri": "demo://readme", "blob": "AAE="},
    ]
    assert missing["error"]["code"] == -32002 and missing["error"]["data"] == {"uri": "demo://items/42"}


def test_prompt_with_description(stdio: Stdio) -> None:
    stdio.initialize()
    stdio.request(1, "prompts/get", {"name": "greet", "arguments": {"name": "Ada"}})
    stdio.request(2, "prompts/get", {"name": "greet", "arguments": {"name": "Bo"}})
    (kind, first, index, arguments, _), (_, second, _, _, _) = stdio.server.events()
    assert (kind, index, arguments) == ("prompt", 0, {"name": "Ada"})
    messages = [("user", ("text", "Hello Ada")), ("assistant", ("text", "Hi!"))]
    assert stdio.server.answer_prompt(first, messages, "A greeting") is True
    assert stdio.server.answer_prompt(second, messages[:1]) is True
    with_description, without = stdio.out()
    assert with_description["result"] == {
        "description": "A greeting",
        "messages": [
            {"role": "user", "content": {"type": "text", "text": "Hello Ada"}},
            {"role": "assistant", "content": {"type": "text", "text": "Hi!"}},
        ],
    }
    assert "description" not in without["result"]
    stdio.request(3, "prompts/get", {"name": "greet", "arguments": {"name": "C"}})
    ((_, third, _, _, _),) = stdio.server.events()
    with pytest.raises(ValueError):
        stdio.server.answer_prompt(third, [("system", ("text", "x"))])


def test_completion(stdio: Stdio) -> None:
    stdio.initialize()
    params = {
        "ref": {"type": "ref/resource", "uri": "demo://items/{id}"},
        "argument": {"name": "id", "value": "4"},
        "context": {"arguments": {"other": "x"}},
    }
    stdio.request(1, "completion/complete", params)
    ((kind, ticket, ref, name, argument, value, context, _),) = stdio.server.events()
    assert (kind, ref, name, argument, value, context) == (
        "complete", "resource", "demo://items/{id}", "id", "4", {"other": "x"}
    )
    assert stdio.server.answer_completion(ticket, ["41", "42"], total=10, has_more=True) is True
    (reply,) = stdio.out()
    assert reply["result"]["completion"] == {"values": ["41", "42"], "total": 10, "hasMore": True}


def test_over_long_line() -> None:
    stdio = Stdio(make_server(max_line=256))
    stdio.initialize()
    stdio.server.receive(b'{"jsonrpc":"2.0","id":9,"method":"tools/list","x":"' + b"a" * 400)
    stdio.server.receive(b'"}\n')
    (reply,) = stdio.out()
    assert reply["error"]["code"] == -32600 and reply["error"]["data"] == {"limit": 256}
    (reply,) = stdio.request(10, "ping")  # back in sync
    assert reply == {"jsonrpc": "2.0", "id": 10, "result": {}}


def test_split_input_and_many_lines(stdio: Stdio) -> None:
    stdio.initialize()
    data = b"".join((json.dumps({"jsonrpc": "2.0", "id": i, "method": "ping"}) + "\n").encode() for i in range(50))
    for i in range(0, len(data), 7):
        stdio.server.receive(data[i : i + 7])
    assert [r["id"] for r in stdio.out()] == list(range(50))


def test_registration_rules() -> None:
    s = Server("x", "1")
    with pytest.raises(ValueError, match="inputSchema"):
        s.add_tool("t", None, '{"type":"string"}')
    with pytest.raises(ValueError):
        s.add_tool("t", None, "{")
    s.add_tool("t", None, '{"type":"object"}')
    with pytest.raises(ValueError, match="duplicate"):
        s.add_tool("t", None, '{"type":"object"}')
    with pytest.raises(ValueError):
        s.add_tool("u", None, '{"type":"object"}', annotations={"readOnly": True})
    with pytest.raises(ValueError, match="template"):
        s.add_template("demo://{", "bad")
    with pytest.raises(ValueError):
        s.add_prompt("", description="empty")
    with pytest.raises(ValueError):
        Server("", "1")
    s.receive(b"")
    with pytest.raises(RuntimeError):
        s.add_tool("late", None, '{"type":"object"}')
    with pytest.raises(RuntimeError):
        s.http_open()


# ---------------------------------------------------------------------------- HTTP


class Response:
    def __init__(self, status: int, headers: dict, body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        return json.loads(self.body)

    def events(self) -> list:
        return [json.loads(line[6:]) for line in self.body.decode().splitlines() if line.startswith("data: ")]


def parse_response(data: bytes):
    """One HTTP/1.1 response from the front of `data` (Content-Length or chunked); the
    response (None when incomplete) and the rest."""
    head, sep, rest = data.partition(b"\r\n\r\n")
    if not sep:
        return None, data
    lines = head.decode().split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
    if headers.get("transfer-encoding") == "chunked":
        body = b""
        while True:
            size_line, sep, rest = rest.partition(b"\r\n")
            if not sep:
                return None, data
            size = int(size_line, 16)
            if size == 0:
                return Response(status, headers, body), rest[2:]
            body, rest = body + rest[:size], rest[size + 2 :]
    length = int(headers.get("content-length", "0"))
    return Response(status, headers, rest[:length]), rest[length:]


def post(message: dict, session: str = None, modern: bool = False, extra: dict = None) -> bytes:
    body = json.dumps(message).encode()
    headers = {
        "Host": "localhost:8000",
        "Content-Type": "application/json",
        "Accept": "application/json, text/event-stream",
        "Content-Length": str(len(body)),
    }
    if session:
        headers["Mcp-Session-Id"] = session
    if modern:
        headers["MCP-Protocol-Version"] = MODERN
        headers["Mcp-Method"] = message["method"]
    headers.update(extra or {})
    head = "POST /mcp HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    return head.encode() + body


def take_response(server: Server, conn: int) -> Response:
    data, close = server.http_take(conn)
    response, rest = parse_response(data)
    assert response is not None and rest == b""
    return response


def legacy_session(server: Server, conn: int) -> str:
    init = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
    }
    server.http_receive(conn, post(init))
    response = take_response(server, conn)
    assert response.status == 200
    assert response.json()["result"]["serverInfo"]["name"] == "native-test"
    session = response.headers["mcp-session-id"]
    server.http_receive(conn, post({"jsonrpc": "2.0", "method": "notifications/initialized"}, session))
    assert take_response(server, conn).status == 202
    return session


def test_http_json_response() -> None:
    server = make_server()
    conn = server.http_open()
    session = legacy_session(server, conn)
    server.http_receive(conn, post({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}, session))
    response = take_response(server, conn)
    assert response.status == 200 and response.headers["content-type"].startswith("application/json")
    assert [t["name"] for t in response.json()["result"]["tools"]] == ["echo", "slow"]
    # A 2026-07-28 request needs no session.
    other = server.http_open()
    listing = {"jsonrpc": "2.0", "id": 3, "method": "tools/list", "params": {"_meta": MODERN_META}}
    request = post(listing, modern=True)
    server.http_receive(other, request[:10])  # split anywhere
    assert server.http_take(other) == (b"", False)
    server.http_receive(other, request[10:])
    response = take_response(server, other)
    assert response.status == 200 and len(response.json()["result"]["tools"]) == 2


def test_http_deferred_answer_on_an_event_stream() -> None:
    server = make_server()
    conn = server.http_open()
    session = legacy_session(server, conn)
    call = {"jsonrpc": "2.0", "id": 5, "method": "tools/call", "params": {"name": "echo", "arguments": {"text": "hi"}, "_meta": {"progressToken": 1}}}
    # Pipelined: the ping waits until the stream of the call ends.
    server.http_receive(conn, post(call, session) + post({"jsonrpc": "2.0", "id": 6, "method": "ping"}, session))
    ((kind, ticket, index, arguments, _),) = server.events()
    assert (kind, index, json.loads(arguments)) == ("tool", 0, {"text": "hi"})
    head, close = server.http_take(conn)
    assert head.startswith(b"HTTP/1.1 200") and b"text/event-stream" in head and not close
    assert server.http_pending() == []
    assert server.progress(ticket, 1, 2) is True
    assert server.answer_tool(ticket, [("text", "hi")]) is True
    assert server.http_pending() == [conn]
    data, close = server.http_take(conn)
    stream, rest = parse_response(head + data)
    progress, answer = stream.events()
    assert progress["method"] == "notifications/progress" and progress["params"]["progressToken"] == 1
    assert answer["id"] == 5 and answer["result"]["content"] == [{"type": "text", "text": "hi"}]
    ping, rest = parse_response(rest)  # the pipelined request, answered once the stream ended
    assert ping.json() == {"jsonrpc": "2.0", "id": 6, "result": {}} and rest == b""


def test_http_connection_closed_cancels_its_calls() -> None:
    server = make_server()
    conn = server.http_open()
    call = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "slow", "arguments": {}, "_meta": MODERN_META}}
    server.http_receive(conn, post(call, modern=True, extra={"Mcp-Name": "slow"}))
    ((_, ticket, _, _, _),) = server.events()
    server.http_closed(conn)
    assert server.events() == [("cancelled", ticket)]
    assert server.answer_tool(ticket, [("text", "late")]) is False
    with pytest.raises(RuntimeError):
        server.http_receive(conn, b"GET / HTTP/1.1\r\n\r\n")


def test_http_bad_requests() -> None:
    server = make_server()
    conn = server.http_open()
    server.http_receive(conn, b"NONSENSE\r\n\r\n")
    data, close = server.http_take(conn)
    assert data.startswith(b"HTTP/1.1 400") and close
    other = server.http_open()
    server.http_receive(other, post({"jsonrpc": "2.0", "id": 1, "method": "ping"}, extra={"Host": "evil.example"}))
    response = take_response(server, other)
    assert response.status in (403, 421)
    with pytest.raises(RuntimeError):
        server.receive(b"{}\n")
