"""The official MCP Python SDK client against a demo server, over stdio and Streamable HTTP.

Every check follows docs/demo-contract.md. Each session test runs on each transport of
PICOMCP_TRANSPORT (stdio: a new server process per test; http: one `--http` server for
the run, or PICOMCP_DEMO_URL) and, on each, twice: with the SDK's `mode="auto"` (the
client probes `server/discover` and must settle on the modern revision 2026-07-28) and
`mode="legacy"` (the `initialize` handshake at 2025-11-25). The checks are the same on
both transports; a few add what only HTTP shows (sessions, headers, which response
stream carried what) or differ where the transport's rules do (cancellation at
2026-07-28 over HTTP closes the call's stream instead of sending
notifications/cancelled). Tests marked `stdio` are about the stdio process itself.
"""

from __future__ import annotations

import json
import re
import subprocess
import time
import warnings
from collections.abc import Awaitable
from typing import Any

import anyio
import pytest
from mcp import MCPError
from mcp.types import CallToolResult, PromptReference, ResourceTemplateReference

from demo_harness import LEGACY_VERSION, MODERN_VERSION, DemoSession, RawServer, Target, connect

pytestmark = pytest.mark.anyio

INVALID_PARAMS = -32602
RESOURCE_NOT_FOUND = -32002

# Exercises JSON string escaping both ways: quotes, backslashes, newline, tab,
# other control characters, DEL, non-ASCII in the BMP, and a character beyond it.
TRICKY_TEXT = 'say "hi" \\ back\\slash\nnew line\ttab \x01\x1f\x7f é ü 中文 😀 end'

TOOL_NAMES = ["echo", "add", "fail", "slow"]
TOOL_TITLES = {"echo": "Echo", "add": "Add two numbers", "fail": "Always fails", "slow": "Wait a while"}
RO_IDEMPOTENT = {"readOnlyHint": True, "idempotentHint": True, "openWorldHint": False}
RO = {"readOnlyHint": True, "openWorldHint": False}
TOOL_ANNOTATIONS = {"echo": RO_IDEMPOTENT, "add": RO_IDEMPOTENT, "fail": RO, "slow": RO}
TOOL_PARAMS = {"echo": {"text": "string"}, "add": {"a": "number", "b": "number"}, "fail": {}, "slow": {"ms": "integer"}}
ADD_OUTPUT_SCHEMA = {"type": "object", "properties": {"sum": {"type": "number"}}, "required": ["sum"]}


def dump(model: Any) -> dict[str, Any]:
    """A result model as the JSON the server sent (only the fields it set)."""
    return model.model_dump(mode="json", by_alias=True, exclude_unset=True)


def only_text(result: CallToolResult) -> str:
    """The text of a result that must hold exactly one text block."""
    blocks = [dump(block) for block in result.content]
    assert len(blocks) == 1, f"expected exactly one content block, got {blocks}"
    assert blocks[0]["type"] == "text", blocks[0]
    return blocks[0]["text"]


def names_param(text: str, name: str) -> bool:
    """Whether an error message names parameter `name`: quoted ('a', "a", `a`), after a
    word like "parameter"/"argument"/"field", followed by ':', as a JSON pointer (/a),
    or alone on a line (pydantic's style)."""
    n = re.escape(name)
    patterns = [
        rf"(['\"`‘“]){n}(['\"`’”])",
        rf"\b(parameter|param|argument|arg|field|property|key)s?\s+{n}\b",
        rf"(^|[\s(\[]){n}\s*:",
        rf"(^|\s)/{n}\b",
        rf"(^|\n)[ \t]*{n}[ \t]*(\n|$)",
    ]
    return any(re.search(p, text, re.IGNORECASE) for p in patterns)


async def call_error_text(client: Any, tool: str, arguments: dict[str, Any]) -> str:
    """Call a tool that must answer with a tool error (isError) and return its text."""
    result = await client.call_tool(tool, arguments)
    assert result.is_error is True, f"{tool}({arguments!r}) should be a tool error, got {dump(result)}"
    text = only_text(result)
    assert text.strip(), f"{tool}({arguments!r}): empty error text"
    return text


async def rpc_error(request: Awaitable[Any]) -> MCPError:
    """Await a request that must fail with a JSON-RPC error; the SDK raises it as MCPError
    (`.code`, `.message`, `.data`)."""
    try:
        result = await request
    except MCPError as error:
        return error
    pytest.fail(f"expected a JSON-RPC error, got the result {dump(result)}")


# --------------------------------------------------------------------------- connection


async def test_negotiated_version(mode: str, target: Target) -> None:
    """auto ends on 2026-07-28 through server/discover (no initialize sent); legacy ends on
    2025-11-25 through initialize + notifications/initialized (no discover probe)."""
    async with connect(mode, target) as s:
        client, wire = s.client, s.wire
        first_request = wire.requests_sent()[0]["method"]
        caps = client.server_capabilities
        if mode == "auto":
            assert client.protocol_version == MODERN_VERSION
            assert client.session.discover_result is not None
            assert MODERN_VERSION in client.session.discover_result.supported_versions
            assert first_request == "server/discover"
            assert not wire.sent("initialize"), "a modern server must not need the initialize fallback"
        else:
            assert client.protocol_version == LEGACY_VERSION
            assert client.session.initialize_result is not None
            assert first_request == "initialize"
            assert not wire.sent("server/discover")
            assert await wire.sent_soon("notifications/initialized")
            assert client.server_info is not None and client.server_info.name
            assert client.server_info.version
        for capability in ("tools", "resources", "prompts", "completions"):
            assert getattr(caps, capability) is not None, f"capability {capability!r} not advertised"
        if s.transport == "http":
            await check_http_era(s)


async def check_http_era(s: DemoSession) -> None:
    """Over HTTP, 2026-07-28 is stateless: every POST carries MCP-Protocol-Version
    2026-07-28, no Mcp-Session-Id goes either way and no GET stream is opened. 2025-11-25
    is a session: initialize is answered with an Mcp-Session-Id, every later request
    carries it and MCP-Protocol-Version 2025-11-25, and notifications/initialized gets 202."""
    exchanges = await s.wire.http_settled()
    summary = [(x.method, (x.sent_message() or {}).get("method"), x.status) for x in exchanges]
    if s.modern:
        assert all(x.method == "POST" for x in exchanges), summary
        for x in exchanges:
            assert x.request_headers.get("mcp-protocol-version") == MODERN_VERSION, (summary, x.request_headers)
            assert "mcp-session-id" not in x.request_headers and "mcp-session-id" not in x.response_headers, summary
        assert all(x.status == 200 for x in exchanges), summary
    else:
        initialize, *later = exchanges
        assert (initialize.method, initialize.sent_message()["method"], initialize.status) == ("POST", "initialize", 200)
        session_id = initialize.response_headers.get("mcp-session-id")
        assert session_id, f"initialize was answered without an Mcp-Session-Id: {initialize.response_headers}"
        assert re.fullmatch(r"[\x21-\x7e]+", session_id), f"Mcp-Session-Id must be visible ASCII: {session_id!r}"
        for x in later:
            assert x.request_headers.get("mcp-session-id") == session_id, summary
            assert x.request_headers.get("mcp-protocol-version") == LEGACY_VERSION, summary
        assert [x.status for x in s.wire.posts("notifications/initialized")] == [202], summary


# --------------------------------------------------------------------------- tools


async def test_list_tools(mode: str, target: Target) -> None:
    """tools/list: the four tools in contract order with their titles, annotations,
    input schemas (all parameters required), and add's output schema."""
    async with connect(mode, target) as s:
        result = await s.client.list_tools()
        assert result.next_cursor is None
        tools = [dump(tool) for tool in result.tools]
        assert [t["name"] for t in tools] == TOOL_NAMES
        for tool in tools:
            name = tool["name"]
            assert tool.get("title") == TOOL_TITLES[name], name
            assert tool.get("annotations") == TOOL_ANNOTATIONS[name], name
            schema = tool["inputSchema"]
            assert set(schema) == {"type", "properties", "required"}, f"{name}: {schema}"
            assert schema["type"] == "object"
            expected = TOOL_PARAMS[name]
            assert list(schema["properties"]) == list(expected), f"{name}: {schema}"
            for param, param_type in expected.items():
                assert schema["properties"][param]["type"] == param_type, f"{name}.{param}: {schema}"
            assert sorted(schema["required"]) == sorted(expected), f"{name}: {schema}"
            if name == "add":
                assert tool.get("outputSchema") == ADD_OUTPUT_SCHEMA
            else:
                assert "outputSchema" not in tool, f"{name} has no outputSchema in the contract"
        ms = tools[3]["inputSchema"]["properties"]["ms"]
        assert ms.get("minimum", 0) == 0 and ms.get("maximum", 600000) == 600000, ms


@pytest.mark.parametrize(
    "text",
    [TRICKY_TEXT, "", "plain"],
    ids=["escapes", "empty", "plain"],
)
async def test_echo(mode: str, target: Target, text: str) -> None:
    """echo returns exactly one text block equal to its input; quotes, backslashes,
    control characters and non-BMP characters survive both JSON directions."""
    async with connect(mode, target) as s:
        result = await s.client.call_tool("echo", {"text": text})
        assert not result.is_error
        assert [dump(block) for block in result.content] == [{"type": "text", "text": text}]


ADD_CASES = [(2, 3), (-7, 4), (-1.5, -2.25), (0.1, 0.2), (1e300, -2.5e299), (0, -0.0)]


async def test_add(mode: str, target: Target) -> None:
    """add: structuredContent is exactly {"sum": a + b} (negatives, fractions, large
    values) and its single text block parses as that same JSON object."""
    async with connect(mode, target) as s:
        for a, b in ADD_CASES:
            result = await s.client.call_tool("add", {"a": a, "b": b})
            assert not result.is_error, dump(result)
            assert result.structured_content == {"sum": a + b}, (a, b, result.structured_content)
            assert json.loads(only_text(result)) == {"sum": a + b}, (a, b)


async def test_fail(mode: str, target: Target) -> None:
    """fail: a tool error (isError true) with one non-empty text block."""
    async with connect(mode, target) as s:
        await call_error_text(s.client, "fail", {})


BAD_ARGUMENTS = [
    ("echo", {}, "text"),
    ("echo", {"text": 5}, "text"),
    ("add", {"a": "1", "b": 2}, "a"),
    ("add", {"a": 1}, "b"),
    ("add", {"a": 1, "b": True}, "b"),
    ("slow", {}, "ms"),
    ("slow", {"ms": "10"}, "ms"),
    ("slow", {"ms": 1.5}, "ms"),
    ("slow", {"ms": -1}, "ms"),
    ("slow", {"ms": 600001}, "ms"),
]


async def test_bad_arguments(mode: str, target: Target) -> None:
    """Arguments that do not fit the inputSchema (missing, wrong type, out of range)
    give a tool error whose text names the parameter, not a JSON-RPC error."""
    async with connect(mode, target) as s:
        for tool, arguments, param in BAD_ARGUMENTS:
            with anyio.fail_after(2):  # an invalid slow must not wait
                text = await call_error_text(s.client, tool, arguments)
            assert names_param(text, param), f"{tool}({arguments!r}): error text does not name {param!r}: {text!r}"


async def test_unknown_tool(mode: str, target: Target) -> None:
    """Calling a tool that does not exist is a JSON-RPC error -32602 (the SDK raises
    MCPError carrying the code), and the server keeps serving."""
    async with connect(mode, target) as s:
        error = await rpc_error(s.client.call_tool("no-such-tool", {}))
        assert error.code == INVALID_PARAMS, error.error
        assert only_text(await s.client.call_tool("echo", {"text": "still here"})) == "still here"


async def test_slow_progress(mode: str, target: Target) -> None:
    """slow(300) with a progress token: progress strictly increasing, total 300, the last
    one 300 and sent before the result; the result is "waited 300 ms"."""
    seen: list[tuple[float, float | None]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append((progress, total))

    async with connect(mode, target) as s:
        started = time.monotonic()
        result = await s.client.call_tool("slow", {"ms": 300}, progress_callback=on_progress)
        elapsed = time.monotonic() - started
        assert only_text(result) == "waited 300 ms"
        assert not result.is_error
        assert elapsed >= 0.29, f"slow(300) answered after {elapsed:.3f} s"

        # Arrival order, from the wire: the client runs progress callbacks as tasks.
        call_id = s.wire.tool_call_id("slow")
        assert s.wire.sent("tools/call")[-1].message["params"]["_meta"]["progressToken"] == call_id
        notes = s.wire.progress_for(call_id)
        values = [n.message["params"]["progress"] for n in notes]
        assert values, "no notifications/progress for a request with a progressToken"
        assert all(b > a for a, b in zip(values, values[1:])), f"progress not strictly increasing: {values}"
        assert all(n.message["params"].get("total") == 300 for n in notes), [n.message for n in notes]
        assert values[-1] == 300, values
        assert 0 < values[0], values
        assert 4 <= len(values) <= 8, f"expected about one progress per 50 ms, got {values}"
        [response] = s.wire.responses_to(call_id)
        assert notes[-1].t <= response.t, "the last progress must come before the result"
        if s.transport == "http":
            # All on the call's own response stream, in that order.
            stream = s.wire.post_of(call_id)
            assert stream.content_type == "text/event-stream", stream.response_headers
            assert stream.messages == [n.message for n in notes] + [response.message]

        # The SDK's callback saw the same values.
        with anyio.fail_after(2):
            while len(seen) < len(values):
                await anyio.sleep(0.01)
        assert sorted(seen) == [(v, 300.0) for v in values]


async def test_slow_does_not_block(mode: str, target: Target) -> None:
    """While slow(2000) runs, an echo call is answered at once: the server is not blocked."""
    async with connect(mode, target) as s:
        slow: dict[str, Any] = {}
        echo: dict[str, Any] = {}

        async def run_slow() -> None:
            slow["result"] = await s.client.call_tool("slow", {"ms": 2000})
            slow["done"] = time.monotonic()

        async def run_echo() -> None:
            echo["started"] = time.monotonic()
            echo["result"] = await s.client.call_tool("echo", {"text": "meanwhile"})
            echo["done"] = time.monotonic()
            echo["slow_was_done"] = "done" in slow

        with anyio.fail_after(5):
            async with anyio.create_task_group() as tg:
                slow["started"] = time.monotonic()
                tg.start_soon(run_slow)
                await anyio.sleep(0.2)  # let slow reach the server first
                tg.start_soon(run_echo)

        assert only_text(echo["result"]) == "meanwhile"
        assert only_text(slow["result"]) == "waited 2000 ms"
        assert not echo["slow_was_done"], "echo was answered only after slow(2000) ended: the server blocked"
        echo_time = echo["done"] - echo["started"]
        assert echo_time < 1.0, f"echo took {echo_time:.3f} s while slow(2000) ran"
        assert slow["done"] - slow["started"] >= 1.95
        assert slow["done"] - echo["done"] > 0.5, "echo did not finish well before slow"


async def test_cancel_slow(mode: str, target: Target) -> None:
    """Cancelling an in-flight slow(5000) (the SDK sends notifications/cancelled when the
    calling task is cancelled): the server keeps answering, never sends a result for the
    cancelled id, and stops its progress.

    Over HTTP at 2026-07-28 there are no client notifications: the SDK cancels by closing
    the call's response stream, and no notifications/cancelled is POSTed. At 2025-11-25 it
    POSTs notifications/cancelled to the session (answered 202) and keeps reading the
    call's stream, on which nothing more may come."""
    async with connect(mode, target) as s:
        first_progress = anyio.Event()

        async def on_progress(progress: float, total: float | None, message: str | None) -> None:
            first_progress.set()

        async with anyio.create_task_group() as tg:

            async def run_slow() -> None:
                await s.client.call_tool("slow", {"ms": 5000}, progress_callback=on_progress)
                pytest.fail("slow(5000) returned although it was cancelled")

            tg.start_soon(run_slow)
            with anyio.move_on_after(3):
                await first_progress.wait()
            assert first_progress.is_set(), "no progress from slow(5000) within 3 s"
            tg.cancel_scope.cancel()  # the SDK now writes notifications/cancelled

        call_id = s.wire.tool_call_id("slow")
        if s.transport == "http" and s.modern:
            await anyio.sleep(0.1)  # nothing is expected: give a stray POST time to show
            assert s.wire.posts("notifications/cancelled") == [], "a notifications/cancelled POST at 2026-07-28"
            stream = s.wire.post_of(call_id)
            assert stream.content_type == "text/event-stream", stream.response_headers
            assert stream.closed_by_client, "the SDK did not close the cancelled call's response stream"
        else:
            cancels = [e.message["params"] for e in await s.wire.sent_soon("notifications/cancelled")]
            assert [c["requestId"] for c in cancels] == [call_id], cancels

        echo = await s.client.call_tool("echo", {"text": "after cancel"})
        assert only_text(echo) == "after cancel"
        [echo_response] = s.wire.responses_to(s.wire.tool_call_id("echo"))

        await anyio.sleep(0.5)  # ten progress periods: anything still running would show
        assert s.wire.responses_to(call_id) == [], "the server answered a cancelled request"
        late = [n.message for n in s.wire.progress_for(call_id) if n.t > echo_response.t + 0.1]
        assert not late, f"progress for the cancelled request after it was cancelled: {late}"
        if s.transport == "http" and not s.modern:
            assert [x.status for x in s.wire.posts("notifications/cancelled")] == [202]


# --------------------------------------------------------------------------- resources


def contract_fields(item: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: item[k] for k in keys if k in item}


async def test_list_resources(mode: str, target: Target) -> None:
    """resources/list: exactly demo://readme, named readme, text/plain."""
    async with connect(mode, target) as s:
        result = await s.client.list_resources()
        assert result.next_cursor is None
        listed = [contract_fields(dump(r), "uri", "name", "mimeType") for r in result.resources]
        assert listed == [{"uri": "demo://readme", "name": "readme", "mimeType": "text/plain"}]


async def test_read_readme(mode: str, target: Target) -> None:
    """Reading demo://readme gives one non-empty text content for that uri."""
    async with connect(mode, target) as s:
        result = await s.client.read_resource("demo://readme")
        contents = [dump(c) for c in result.contents]
        assert len(contents) == 1, contents
        [content] = contents
        assert content["uri"] == "demo://readme"
        assert content.get("mimeType", "text/plain") == "text/plain"
        assert isinstance(content.get("text"), str) and content["text"].strip(), content
        assert "blob" not in content


async def test_list_resource_templates(mode: str, target: Target) -> None:
    """resources/templates/list: exactly demo://items/{id}, named item, text/plain."""
    async with connect(mode, target) as s:
        result = await s.client.list_resource_templates()
        assert result.next_cursor is None
        listed = [contract_fields(dump(t), "uriTemplate", "name", "mimeType") for t in result.resource_templates]
        assert listed == [{"uriTemplate": "demo://items/{id}", "name": "item", "mimeType": "text/plain"}]


@pytest.mark.parametrize("item_id", ["42", "abc-9"])
async def test_read_item(mode: str, target: Target, item_id: str) -> None:
    """Reading demo://items/<id> gives exactly {uri, mimeType text/plain, text "Item <id>"}."""
    uri = f"demo://items/{item_id}"
    async with connect(mode, target) as s:
        result = await s.client.read_resource(uri)
        assert [dump(c) for c in result.contents] == [{"uri": uri, "mimeType": "text/plain", "text": f"Item {item_id}"}]


async def test_read_unknown_resource(mode: str, target: Target) -> None:
    """Reading any other URI is a JSON-RPC error with data {"uri": ...}: -32002 on the
    legacy revision, -32602 on 2026-07-28."""
    async with connect(mode, target) as s:
        expected_code = INVALID_PARAMS if s.client.protocol_version == MODERN_VERSION else RESOURCE_NOT_FOUND
        for uri in ["demo://nope", "demo://items/", "demo://items/1/2", "file:///etc/passwd"]:
            error = await rpc_error(s.client.read_resource(uri))
            assert error.code == expected_code, (uri, error.error)
            assert error.data == {"uri": uri}, (uri, error.error)


# --------------------------------------------------------------------------- prompts


async def test_list_prompts(mode: str, target: Target) -> None:
    """prompts/list: exactly greet, with one required argument "name"."""
    async with connect(mode, target) as s:
        result = await s.client.list_prompts()
        assert result.next_cursor is None
        prompts = [dump(p) for p in result.prompts]
        assert [p["name"] for p in prompts] == ["greet"]
        arguments = [contract_fields(a, "name", "required") for a in prompts[0].get("arguments", [])]
        assert arguments == [{"name": "name", "required": True}]


async def test_get_prompt(mode: str, target: Target) -> None:
    """greet with name "Ada": exactly one user message with the contract's text."""
    async with connect(mode, target) as s:
        result = await s.client.get_prompt("greet", {"name": "Ada"})
        messages = [dump(m) for m in result.messages]
        assert messages == [
            {"role": "user", "content": {"type": "text", "text": "Hello, Ada! Please greet Ada warmly."}}
        ]


async def test_get_prompt_errors(mode: str, target: Target) -> None:
    """greet without name, and an unknown prompt, are JSON-RPC errors -32602."""
    async with connect(mode, target) as s:
        for name, arguments in [("greet", {}), ("greet", None), ("no-such-prompt", {"name": "Ada"})]:
            error = await rpc_error(s.client.get_prompt(name, arguments))
            assert error.code == INVALID_PARAMS, (name, arguments, error.error)


# --------------------------------------------------------------------------- completion

GREET = PromptReference(type="ref/prompt", name="greet")
ITEMS = ResourceTemplateReference(type="ref/resource", uri="demo://items/{id}")
COMPLETIONS = [
    (GREET, "name", "A", ["Ada", "Alan"]),
    (GREET, "name", "", ["Ada", "Alan", "Grace", "Linus"]),
    (GREET, "name", "Gr", ["Grace"]),
    (GREET, "name", "Z", []),
    (ITEMS, "id", "", ["1", "2", "3"]),
    (ITEMS, "id", "2", ["2"]),
    (GREET, "other", "", []),
    (PromptReference(type="ref/prompt", name="no-such-prompt"), "name", "", []),
    (ResourceTemplateReference(type="ref/resource", uri="demo://readme"), "id", "", []),
]


async def test_completion(mode: str, target: Target) -> None:
    """completion/complete suggests, in order, the contract's values starting with the
    typed text (greet/name "A" -> Ada, Alan; items id "" -> 1, 2, 3), else nothing."""
    async with connect(mode, target) as s:
        for ref, argument, value, expected in COMPLETIONS:
            result = await s.client.complete(ref, {"name": argument, "value": value})
            assert result.completion.values == expected, (dump(ref), argument, value)


# --------------------------------------------------------------------------- legacy only


async def test_legacy_ping_and_set_level(target: Target) -> None:
    """On the legacy revision, ping answers an empty result and logging/setLevel is accepted."""
    async with connect("legacy", target) as s:
        await s.client.session.send_ping()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # logging is deprecated at 2026-07-28, not at 2025-11-25
            await s.client.session.set_logging_level("info")
        [ping] = s.wire.sent("ping")
        [pong] = s.wire.responses_to(ping.message["id"])
        assert pong.message.get("result") == {}, pong.message


# --------------------------------------------------------------------------- process


def wait_for_exit(server: RawServer) -> int:
    """Close the server's stdin; its exit status, which must come within a second."""
    server.close_stdin()
    started = time.monotonic()
    try:
        status = server.proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pytest.fail("the server was still running 5 s after its stdin closed")
    took = time.monotonic() - started
    assert took < 1.0, f"the server took {took:.2f} s to exit after its stdin closed"
    return status


@pytest.mark.stdio
def test_exit_on_stdin_close() -> None:
    """Started and left alone, the server prints how to connect (an MCP Inspector command
    line and a Claude Desktop "mcpServers" snippet) on stderr, writes nothing to stdout,
    and exits with status 0 within a second of its stdin closing (timed from the close,
    once the instructions are out, so a slow start is not held against it)."""
    server = RawServer()
    try:
        assert server.wait_for_stderr("inspector", "mcpServers", timeout=10), (
            f"stderr lacks the connect instructions: {server.stderr_text()!r}"
        )
        assert "mcpServers" in server.stderr_text()
        assert wait_for_exit(server) == 0
        assert server.remaining_stdout() == [], "the server wrote to stdout without being asked"
    finally:
        server.kill()


@pytest.mark.stdio
def test_exit_on_stdin_close_while_busy() -> None:
    """With slow(5000) still running, closing stdin still ends the server with status 0
    within a second."""
    server = RawServer()
    try:
        server.legacy_handshake()
        server.send({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "slow", "arguments": {"ms": 5000}}})
        time.sleep(0.2)
        assert wait_for_exit(server) == 0
        for line in server.remaining_stdout():
            json.loads(line)  # whatever it still wrote must be JSON-RPC
    finally:
        server.kill()


@pytest.mark.stdio
def test_raw_escape_decoding() -> None:
    """Escapes the SDK client never writes (\\uXXXX for ASCII, surrogate pairs, \\/) are
    decoded: echo of hand-written JSON returns the decoded text."""
    server = RawServer()
    try:
        server.legacy_handshake()
        raw_text = r'"A\u0042\/\ud83d\ude00\u00e9\u0000\r\b\f\"\\"'
        server.send(
            '{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"echo","arguments":{"text":'
            + raw_text
            + "}}}"
        )
        response = server.recv_response(7)
        assert response["result"]["content"] == [{"type": "text", "text": json.loads(raw_text)}], response
    finally:
        server.kill()
