"""The sans-IO escape hatch, ``server.connection()``: bytes in, typed events out, answers
in, bytes out, in this process with no loop and no threads. Needs the native module."""

import asyncio
import json
from typing import Any, Dict, List, Optional, TypedDict

import pytest

pytest.importorskip("picomcp._native", reason="the native module is not built")

from picomcp import (  # noqa: E402
    Cancelled,
    Completion,
    Connection,
    Context,
    PromptGet,
    PromptResult,
    ResourceRead,
    Server,
    ToolCall,
    ToolError,
)

LEGACY = "2025-11-25"


class Sum(TypedDict):
    sum: float


def make_server() -> Server:
    server = Server("sansio", version="1.0.0")

    @server.tool
    def add(a: float, b: float) -> Sum:
        return {"sum": a + b}

    @server.tool
    def echo(text: str) -> str:
        return text

    @server.tool
    def boom() -> str:
        raise ValueError("kaboom")

    @server.tool
    def refuse() -> str:
        raise ToolError("no, thanks")

    @server.tool
    def wrong() -> Sum:
        return "not an object"  # type: ignore[return-value]

    @server.tool
    async def later(ms: int, ctx: Context) -> str:
        await ctx.report_progress(1, 2, "half")
        await asyncio.sleep(ms / 1000)
        return "later"

    @server.resource("demo://readme", mime_type="text/plain")
    def readme() -> str:
        return "read me"

    @server.resource("demo://items/{id}", mime_type="text/plain")
    def item(id: int) -> str:
        if id > 100:
            raise KeyError(id)
        return f"Item {id}"

    @server.prompt
    def greet(name: str) -> str:
        return f"Hello, {name}!"

    @server.completion
    def complete(ref_type: str, name_or_uri: str, argument: str, value: str, context: Dict[str, str]) -> List[str]:
        return [n for n in ("Ada", "Alan", "Grace") if n.startswith(value)]

    return server


class Client:
    """Raw JSON-RPC over a Connection."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.next_id = 0
        self.seen: List[Dict[str, Any]] = []

    def send(self, message: Dict[str, Any]) -> None:
        self.conn.receive_data(json.dumps(message).encode() + b"\n")

    def request(self, method: str, params: Optional[Dict[str, Any]] = None) -> int:
        self.next_id += 1
        message: Dict[str, Any] = {"jsonrpc": "2.0", "id": self.next_id, "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)
        return self.next_id

    def output(self) -> List[Dict[str, Any]]:
        data = self.conn.data_to_send()
        got = [json.loads(line) for line in data.splitlines() if line.strip()]
        self.seen.extend(got)
        return got

    def response(self, id: int) -> Dict[str, Any]:
        self.output()
        for m in self.seen:
            if m.get("id") == id and "method" not in m:
                return m
        raise AssertionError(f"no response to {id}: {self.seen}")

    def call(self, tool: str, arguments: Optional[Dict[str, Any]] = None, **params: Any) -> int:
        return self.request("tools/call", {"name": tool, "arguments": arguments or {}, **params})


def serve(conn: Connection) -> None:
    """Answer every event at once, the way run() does (async handlers awaited here)."""
    while True:
        event = conn.next_event()
        if event is None:
            return
        if isinstance(event, Cancelled):
            continue
        try:
            result = event.call()
            if event.is_async:
                result = asyncio.run(result)
        except Exception as exc:
            conn.send_error(event, exc)
        else:
            conn.send_result(event, result)


@pytest.fixture
def client() -> Client:
    c = Client(make_server().connection())
    id = c.request("initialize", {"protocolVersion": LEGACY, "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}})
    assert c.response(id)["result"]["serverInfo"] == {"name": "sansio", "version": "1.0.0"}
    c.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
    return c


def test_core_answers_without_events(client: Client) -> None:
    id = client.request("tools/list")
    assert client.conn.next_event() is None
    tools = client.response(id)["result"]["tools"]
    assert [t["name"] for t in tools] == ["add", "echo", "boom", "refuse", "wrong", "later"]
    assert tools[0]["outputSchema"] == {"type": "object", "properties": {"sum": {"type": "number"}}, "required": ["sum"]}


def test_tool_call_event_and_structured_result(client: Client) -> None:
    id = client.call("add", {"a": 1, "b": 2.5})
    event = client.conn.next_event()
    assert isinstance(event, ToolCall) and event.name == "add" and event.arguments == {"a": 1, "b": 2.5}
    assert not event.is_async and event.handler is event.tool.fn
    assert client.conn.in_flight == 1
    assert client.conn.send_result(event, event.call()) is True
    result = client.response(id)["result"]
    assert result["structuredContent"] == {"sum": 3.5}
    assert json.loads(result["content"][0]["text"]) == {"sum": 3.5}
    assert client.conn.send_result(event, {"sum": 0}) is False  # answered already


def test_exceptions_become_tool_errors(client: Client) -> None:
    ids = [client.call("boom"), client.call("refuse"), client.call("wrong")]
    serve(client.conn)
    boom, refuse, wrong = (client.response(i)["result"] for i in ids)
    assert boom["isError"] is True and "kaboom" in boom["content"][0]["text"]
    assert refuse["isError"] is True and refuse["content"] == [{"type": "text", "text": "no, thanks"}]
    assert wrong["isError"] is True and "outputSchema" in wrong["content"][0]["text"]


def test_invalid_arguments_never_become_events(client: Client) -> None:
    id = client.call("echo", {"text": 5})
    assert client.conn.next_event() is None
    result = client.response(id)["result"]
    assert result["isError"] is True and "text" in result["content"][0]["text"]


def test_async_handler_progress_and_context(client: Client) -> None:
    id = client.call("later", {"ms": 1}, _meta={"progressToken": "p"})
    event = client.conn.next_event()
    assert isinstance(event, ToolCall) and event.is_async and event.wants_context
    result = asyncio.run(event.call())
    client.conn.send_result(event, result)
    out = client.output()
    progress = [m for m in out if m.get("method") == "notifications/progress"]
    assert [p["params"]["progress"] for p in progress] == [1]
    assert progress[0]["params"]["message"] == "half"
    assert client.response(id)["result"]["content"] == [{"type": "text", "text": "later"}]


def test_cancellation(client: Client) -> None:
    id = client.call("later", {"ms": 1})
    event = client.conn.next_event()
    assert isinstance(event, ToolCall)
    ctx = client.conn.context(event)
    client.send({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": id}})
    cancelled = client.conn.next_event()
    assert isinstance(cancelled, Cancelled) and cancelled.ticket == event.ticket
    assert ctx.cancelled
    assert client.conn.send_result(event, "too late") is False
    client.output()
    assert not [m for m in client.seen if m.get("id") == id]


def test_resources(client: Client) -> None:
    ids = [
        client.request("resources/read", {"uri": "demo://readme"}),
        client.request("resources/read", {"uri": "demo://items/7"}),
        client.request("resources/read", {"uri": "demo://items/999"}),
        client.request("resources/read", {"uri": "demo://items/abc"}),
    ]
    events = []
    while (event := client.conn.next_event()) is not None:
        events.append(event)
    assert all(isinstance(e, ResourceRead) for e in events)
    assert [e.uri for e in events] == ["demo://readme", "demo://items/7", "demo://items/999", "demo://items/abc"]
    assert events[1].variables == {"id": "7"}
    for event in events:
        try:
            client.conn.send_result(event, event.call())
        except Exception as exc:
            client.conn.send_error(event, exc)
    readme, item, missing, bad = (client.response(i) for i in ids)
    assert readme["result"]["contents"] == [{"uri": "demo://readme", "mimeType": "text/plain", "text": "read me"}]
    assert item["result"]["contents"] == [{"uri": "demo://items/7", "mimeType": "text/plain", "text": "Item 7"}]
    for answer, uri in ((missing, "demo://items/999"), (bad, "demo://items/abc")):
        assert answer["error"]["code"] == -32002 and answer["error"]["data"] == {"uri": uri}


def test_prompt_and_completion(client: Client) -> None:
    prompt_id = client.request("prompts/get", {"name": "greet", "arguments": {"name": "Ada"}})
    complete_id = client.request(
        "completion/complete",
        {"ref": {"type": "ref/prompt", "name": "greet"}, "argument": {"name": "name", "value": "A"}},
    )
    first, second = client.conn.next_event(), client.conn.next_event()
    assert isinstance(first, PromptGet) and first.arguments == {"name": "Ada"}
    assert isinstance(second, Completion)
    assert (second.ref_type, second.name_or_uri, second.argument, second.value) == ("prompt", "greet", "name", "A")
    client.conn.send_result(first, first.call())
    client.conn.send_result(second, second.call())
    assert client.response(prompt_id)["result"]["messages"] == [
        {"role": "user", "content": {"type": "text", "text": "Hello, Ada!"}}
    ]
    assert client.response(complete_id)["result"]["completion"]["values"] == ["Ada", "Alan"]
    assert "description" not in client.response(prompt_id)["result"]

    # A PromptResult carries the result's description too.
    described_id = client.request("prompts/get", {"name": "greet", "arguments": {"name": "Bo"}})
    event = client.conn.next_event()
    client.conn.send_result(event, PromptResult(event.call(), description="A greeting"))
    result = client.response(described_id)["result"]
    assert result["description"] == "A greeting"
    assert result["messages"] == [{"role": "user", "content": {"type": "text", "text": "Hello, Bo!"}}]


def test_registration_closes_once_serving() -> None:
    server = make_server()
    server.connection()
    with pytest.raises(RuntimeError, match="already started"):

        @server.tool
        def late() -> None: ...

    # Each connection is a fresh session with the same registrations.
    assert isinstance(server.connection(), Connection)
