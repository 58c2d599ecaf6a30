"""Plumbing shared by the demo-server client tests.

- `server_command()`: the demo server to test, from `PICOMCP_DEMO_CMD` (shell words)
  or `<repo>/target/release/picomcp-demo`.
- `selected_transports()`: the transports the client tests run on, from
  `PICOMCP_TRANSPORT` (`stdio`, `http` or `both`).
- `HttpServer`: the demo server on Streamable HTTP: `PICOMCP_DEMO_URL` (a server someone
  else started), or the server command plus `PICOMCP_DEMO_HTTP_ARGS` (default
  `--http 127.0.0.1:{port}`, `{port}` a free port) started and stopped by the tests.
- `connect(mode, target)`: an `mcp.Client` over stdio or Streamable HTTP whose traffic is
  recorded in a `Wire`, so tests can check what really crossed the pipe or the socket
  (ids, progress tokens, cancellations, late answers), that stdout carried nothing but
  JSON-RPC, and that HTTP bodies and event streams carried nothing else either.
- `RawServer`: the server as a bare subprocess, for the process-level tests.
"""

from __future__ import annotations

import json
import os
import queue
import re
import shlex
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

import anyio
import httpx2
from mcp import Client, StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.message import SessionMessage

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SERVER = REPO_ROOT / "target" / "release" / "picomcp-demo"
BUILD_COMMAND = "cargo build --release -p picomcp-demo"

MODERN_VERSION = "2026-07-28"
LEGACY_VERSION = "2025-11-25"

# Per-request bound: no request of the tests should come near it.
REQUEST_TIMEOUT = 10.0


TRANSPORTS = ("stdio", "http")
DEFAULT_HTTP_ARGS = "--http 127.0.0.1:{port}"
# Bound on a started HTTP server's readiness (listening, and its URL on stderr).
HTTP_START_TIMEOUT = 10.0


def demo_url() -> str | None:
    """`PICOMCP_DEMO_URL`: the MCP endpoint of an HTTP server someone else started."""
    return os.environ.get("PICOMCP_DEMO_URL", "").strip() or None


def selected_transports() -> list[str]:
    """The transports of the client tests, from `PICOMCP_TRANSPORT`: `stdio`, `http` or
    `both`. Unset, it is `both`, except for a `PICOMCP_DEMO_CMD` server without a
    `PICOMCP_DEMO_URL`: such a server (the firmware under QEMU, say) need not serve HTTP,
    so it is tested on stdio unless `PICOMCP_TRANSPORT` asks for more."""
    raw = os.environ.get("PICOMCP_TRANSPORT", "").strip().lower()
    if not raw:
        if os.environ.get("PICOMCP_DEMO_CMD", "").strip() and demo_url() is None:
            return ["stdio"]
        return list(TRANSPORTS)
    if raw == "both":
        return list(TRANSPORTS)
    if raw in TRANSPORTS:
        return [raw]
    raise ValueError(f"PICOMCP_TRANSPORT must be stdio, http or both, not {raw!r}")


def server_command() -> list[str]:
    """The demo server command line: `PICOMCP_DEMO_CMD` split as shell words, or the Rust demo."""
    raw = os.environ.get("PICOMCP_DEMO_CMD", "").strip()
    if raw:
        return shlex.split(raw)
    return [str(DEFAULT_SERVER)]


def missing_server_message() -> str | None:
    """Why the tests cannot run (no server to start), or None when they can."""
    try:
        transports = selected_transports()
    except ValueError as error:
        return str(error)
    if transports == ["http"] and demo_url() is not None:
        return None
    if os.environ.get("PICOMCP_DEMO_CMD", "").strip():
        command = server_command()
        if shutil.which(command[0]) is None:
            return f"PICOMCP_DEMO_CMD names {command[0]!r}, which is not an executable file or on PATH"
        return None
    if DEFAULT_SERVER.is_file() and os.access(DEFAULT_SERVER, os.X_OK):
        return None
    return (
        f"the demo server {DEFAULT_SERVER} does not exist; build it first with\n"
        f"    {BUILD_COMMAND}\n"
        "or set PICOMCP_DEMO_CMD to the command of another demo server."
    )


# --------------------------------------------------------------------------- wire tap


@dataclass
class WireEvent:
    """One item that crossed the stdio pipe or the HTTP connection, as the client saw it."""

    t: float  # time.monotonic() when it crossed
    direction: Literal["out", "in"]
    message: dict[str, Any] | None  # the JSON-RPC message (None for a stream error)
    error: Exception | None = None  # something the server wrote that is not a JSON-RPC message


@dataclass
class SseEvent:
    """One server-sent event of an HTTP response, as it came off the socket."""

    t: float
    event: str | None
    id: str | None
    data_lines: list[str]  # the value of each `data:` line, in order

    @property
    def data(self) -> str:
        return "\n".join(self.data_lines)


@dataclass
class HttpExchange:
    """One HTTP request the client made, and the response as far as it was read."""

    t: float  # when the request left
    method: str
    request_headers: dict[str, str]  # names in lower case
    request_body: bytes
    status: int | None = None
    response_headers: dict[str, str] = field(default_factory=dict)  # names in lower case
    body: bytes = b""  # the response body as read (an event stream's raw bytes too)
    events: list[SseEvent] = field(default_factory=list)  # an event stream's events
    messages: list[dict[str, Any]] = field(default_factory=list)  # JSON-RPC messages in the response
    ended: bool = False  # the server ended the response body
    closed_by_client: bool = False  # the client closed the response before its end

    @property
    def content_type(self) -> str:
        return self.response_headers.get("content-type", "").split(";")[0].strip().lower()

    def sent_message(self) -> dict[str, Any] | None:
        """The JSON-RPC message the request carried (a POST's body), if any."""
        try:
            value = json.loads(self.request_body) if self.request_body else None
        except ValueError:
            return None
        return value if isinstance(value, dict) else None


@dataclass
class Wire:
    """Everything sent to and received from the server during one session.

    Over stdio the messages are recorded where the SDK's stdio transport hands them over
    (one line each); over HTTP they are recorded from the bytes on the socket (POST
    bodies, JSON response bodies and event-stream `data:`), below everything the SDK's
    HTTP transport does to them, and `http` keeps each HTTP exchange.
    """

    events: list[WireEvent] = field(default_factory=list)
    http: list[HttpExchange] = field(default_factory=list)

    def record(self, direction: Literal["out", "in"], item: SessionMessage | Exception) -> None:
        if isinstance(item, SessionMessage):
            message = item.message.model_dump(mode="json", by_alias=True, exclude_unset=True)
            self.events.append(WireEvent(time.monotonic(), direction, message))
        else:
            self.events.append(WireEvent(time.monotonic(), direction, None, item))

    def record_json(self, direction: Literal["out", "in"], text: bytes | str) -> list[dict[str, Any]]:
        """Record the JSON-RPC message (or batch) `text`; anything else is a stream error.
        Returns the messages recorded."""
        now = time.monotonic()
        try:
            value = json.loads(text)
        except ValueError as error:
            self.events.append(WireEvent(now, direction, None, ValueError(f"not JSON ({error}): {text[:300]!r}")))
            return []
        recorded = []
        for message in value if isinstance(value, list) and value else [value]:
            if isinstance(message, dict) and message.get("jsonrpc") == "2.0":
                self.events.append(WireEvent(now, direction, message))
                recorded.append(message)
            else:
                self.events.append(WireEvent(now, direction, None, ValueError(f"not a JSON-RPC message: {message!r}")))
        return recorded

    def sent(self, method: str | None = None) -> list[WireEvent]:
        """Messages the client wrote, optionally only those of one method."""
        return [
            e
            for e in self.events
            if e.direction == "out" and e.message is not None and (method is None or e.message.get("method") == method)
        ]

    async def sent_soon(self, method: str, timeout: float = 2.0) -> list[WireEvent]:
        """`sent(method)` once it is not empty, or after `timeout` seconds. Over HTTP a
        notification reaches the wire a moment after the SDK call that sends it returns."""
        with anyio.move_on_after(timeout):
            while not self.sent(method):
                await anyio.sleep(0.01)
        return self.sent(method)

    def received(self, method: str | None = None) -> list[WireEvent]:
        """Messages the server wrote, optionally only notifications/requests of one method."""
        return [
            e
            for e in self.events
            if e.direction == "in" and e.message is not None and (method is None or e.message.get("method") == method)
        ]

    def requests_sent(self) -> list[dict[str, Any]]:
        """Requests (messages with an id and a method) the client wrote, in order."""
        return [e.message for e in self.sent() if "id" in e.message and "method" in e.message]

    def tool_call_id(self, tool: str) -> Any:
        """The JSON-RPC id of the (single) tools/call request for `tool`."""
        ids = [e.message["id"] for e in self.sent("tools/call") if e.message["params"]["name"] == tool]
        assert len(ids) == 1, f"expected one tools/call for {tool!r} on the wire, saw {len(ids)}"
        return ids[0]

    def responses_to(self, request_id: Any) -> list[WireEvent]:
        """Responses (results or errors) the server wrote for `request_id`."""
        return [
            e
            for e in self.received()
            if "method" not in e.message and e.message.get("id") == request_id
        ]

    def progress_for(self, token: Any) -> list[WireEvent]:
        """notifications/progress the server wrote for `token`, in arrival order."""
        return [e for e in self.received("notifications/progress") if e.message["params"].get("progressToken") == token]

    def stream_errors(self) -> list[Exception]:
        """What the server wrote that is not a JSON-RPC message: stdout lines the SDK could
        not parse, or HTTP response bodies and event-stream data that are not JSON-RPC."""
        return [e.error for e in self.events if e.error is not None]

    async def http_settled(self, timeout: float = 2.0) -> list[HttpExchange]:
        """`http` once every exchange has its response status (a notification's POST is
        answered a moment after the SDK call that sends it returns)."""
        with anyio.move_on_after(timeout):
            while any(x.status is None for x in self.http):
                await anyio.sleep(0.01)
        return self.http

    def posts(self, method: str | None = None) -> list[HttpExchange]:
        """HTTP POSTs, optionally only those whose body is a message of `method`."""
        return [
            x
            for x in self.http
            if x.method == "POST" and (method is None or (x.sent_message() or {}).get("method") == method)
        ]

    def post_of(self, request_id: Any) -> HttpExchange:
        """The (single) HTTP POST that carried the request `request_id`."""
        found = [
            x
            for x in self.posts()
            if (m := x.sent_message()) is not None and "method" in m and m.get("id") == request_id
        ]
        assert len(found) == 1, f"expected one POST for request id {request_id!r}, saw {len(found)}"
        return found[0]


# --------------------------------------------------------------------------- stdio tap


class _TapRead:
    """Read side of the transport that records each item before the session sees it."""

    def __init__(self, inner: Any, wire: Wire) -> None:
        self._inner = inner
        self._wire = wire

    async def receive(self) -> SessionMessage | Exception:
        item = await self._inner.receive()
        self._wire.record("in", item)
        return item

    def __aiter__(self) -> _TapRead:
        return self

    async def __anext__(self) -> SessionMessage | Exception:
        try:
            return await self.receive()
        except anyio.EndOfStream:
            raise StopAsyncIteration from None

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def __aenter__(self) -> _TapRead:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


class _TapWrite:
    """Write side of the transport that records each message the session sends."""

    def __init__(self, inner: Any, wire: Wire) -> None:
        self._inner = inner
        self._wire = wire

    async def send(self, item: SessionMessage) -> None:
        self._wire.record("out", item)
        await self._inner.send(item)

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def __aenter__(self) -> _TapWrite:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


@asynccontextmanager
async def _tapped_stdio(params: StdioServerParameters, errlog: IO[str], wire: Wire) -> AsyncIterator[Any]:
    """The SDK's own stdio transport, with both directions recorded in `wire`."""
    async with stdio_client(params, errlog=errlog) as (read_stream, write_stream):
        yield _TapRead(read_stream, wire), _TapWrite(write_stream, wire)


# --------------------------------------------------------------------------- HTTP tap


class SseParser:
    """Incremental text/event-stream parser (the WHATWG rules: CR, LF or CRLF line ends,
    `:` comments, one optional space after the colon)."""

    def __init__(self) -> None:
        self._buffer = b""
        self._data: list[str] = []
        self._event: str | None = None
        self._id: str | None = None
        self._fields = False

    def feed(self, chunk: bytes) -> list[SseEvent]:
        self._buffer += chunk
        events = []
        while True:
            ends = [i for i in (self._buffer.find(b"\n"), self._buffer.find(b"\r")) if i >= 0]
            if not ends:
                return events
            end = min(ends)
            if self._buffer[end : end + 1] == b"\r":
                if end + 1 == len(self._buffer):
                    return events  # a CR that may be the first half of CRLF
                width = 2 if self._buffer[end + 1 : end + 2] == b"\n" else 1
            else:
                width = 1
            line = self._buffer[:end].decode("utf-8", "replace")
            self._buffer = self._buffer[end + width :]
            if line == "":
                if self._fields:
                    events.append(SseEvent(time.monotonic(), self._event, self._id, self._data))
                self._data, self._event, self._fields = [], None, False
                continue
            if line.startswith(":"):
                continue
            name, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            self._fields = True
            if name == "data":
                self._data.append(value)
            elif name == "event":
                self._event = value
            elif name == "id":
                self._id = value


class _RecordingStream(httpx2.AsyncByteStream):
    """A response body that records what it carries as it is read."""

    def __init__(self, inner: httpx2.AsyncByteStream, exchange: HttpExchange, wire: Wire) -> None:
        self._inner = inner
        self._exchange = exchange
        self._wire = wire
        self._sse = SseParser() if exchange.content_type == "text/event-stream" else None

    async def __aiter__(self) -> AsyncIterator[bytes]:
        x = self._exchange
        async for chunk in self._inner:
            x.body += chunk
            if self._sse is not None:
                for event in self._sse.feed(chunk):
                    x.events.append(event)
                    if event.data:  # an event without data (a priming event) carries no message
                        x.messages.extend(self._wire.record_json("in", event.data))
            yield chunk
        x.ended = True
        if x.content_type == "application/json" and x.body:
            x.messages.extend(self._wire.record_json("in", x.body))

    async def aclose(self) -> None:
        if not self._exchange.ended:
            self._exchange.closed_by_client = True
        await self._inner.aclose()


class _RecordingTransport(httpx2.AsyncBaseTransport):
    """httpx2's own transport, with every request and response recorded in a `Wire`."""

    def __init__(self, wire: Wire) -> None:
        self._inner = httpx2.AsyncHTTPTransport()
        self._wire = wire

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        body = await request.aread()
        exchange = HttpExchange(
            time.monotonic(), request.method, {k.lower(): v for k, v in request.headers.items()}, body
        )
        self._wire.http.append(exchange)
        if body:
            self._wire.record_json("out", body)
        response = await self._inner.handle_async_request(request)
        exchange.status = response.status_code
        exchange.response_headers = {k.lower(): v for k, v in response.headers.items()}
        assert isinstance(response.stream, httpx2.AsyncByteStream)
        return httpx2.Response(
            status_code=response.status_code,
            headers=response.headers,
            stream=_RecordingStream(response.stream, exchange, self._wire),
            extensions=response.extensions,
        )

    async def __aenter__(self) -> _RecordingTransport:
        await self._inner.__aenter__()
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        await self._inner.__aexit__(*exc_info)

    async def aclose(self) -> None:
        await self._inner.aclose()


@asynccontextmanager
async def _tapped_http(url: str, wire: Wire) -> AsyncIterator[Any]:
    """The SDK's own Streamable HTTP transport on an httpx2 client that records the wire."""
    # The SDK's default timeouts (create_mcp_http_client), but a short connect timeout:
    # the server is local. A legacy session's GET stream may stay idle for a whole test.
    # No proxies from the environment: they would bypass the recording transport.
    timeout = httpx2.Timeout(30.0, connect=REQUEST_TIMEOUT, read=300.0)
    async with httpx2.AsyncClient(transport=_RecordingTransport(wire), timeout=timeout, trust_env=False) as http:
        async with streamable_http_client(url, http_client=http) as streams:
            yield streams


# --------------------------------------------------------------------------- connect


@dataclass
class Target:
    """Where `connect` finds the server: a new stdio process (its stderr to `errlog`), or
    the HTTP server at `url`."""

    transport: Literal["stdio", "http"]
    errlog: IO[str] | None = None
    url: str | None = None


@dataclass
class DemoSession:
    """A connected SDK client and the record of its traffic."""

    client: Client
    wire: Wire
    transport: Literal["stdio", "http"]

    @property
    def modern(self) -> bool:
        return self.client.protocol_version == MODERN_VERSION


@asynccontextmanager
async def connect(mode: str, target: Target, **client_options: Any) -> AsyncIterator[DemoSession]:
    """Connect the SDK client to the demo server: over stdio (a new server process) or
    over Streamable HTTP (`target.url`).

    `mode` is the SDK's connect mode: "auto" (probe `server/discover`, fall back to
    `initialize`) or "legacy" (`initialize` handshake only). On a clean exit it also
    checks that everything the server wrote was a JSON-RPC message (every stdout line; every
    JSON body and event-stream event), and over HTTP the statuses (`check_http_statuses`)
    and that a legacy session's `DELETE` (the SDK ends its session on close) got 200.
    """
    wire = Wire()
    if target.transport == "stdio":
        assert target.errlog is not None
        command = server_command()
        params = StdioServerParameters(command=command[0], args=command[1:], env=dict(os.environ))
        transport: Any = _tapped_stdio(params, target.errlog, wire)
    else:
        assert target.url is not None
        transport = _tapped_http(target.url, wire)
    client = Client(
        transport,
        mode=mode,
        read_timeout_seconds=REQUEST_TIMEOUT,
        **client_options,
    )
    try:
        async with client:
            yield DemoSession(client, wire, target.transport)
    except BaseExceptionGroup as group:
        # The SDK's task groups wrap a failing test's assertion; report it bare.
        leaves = _leaf_exceptions(group)
        if len(leaves) == 1:
            raise leaves[0] from None
        raise
    errors = wire.stream_errors()
    where = "to stdout" if target.transport == "stdio" else "in HTTP responses"
    assert not errors, f"the server wrote non-JSON-RPC messages {where}: {errors!r}"
    if target.transport == "http":
        check_http_statuses(wire)
        session_ids = {x.response_headers["mcp-session-id"] for x in wire.posts("initialize") if "mcp-session-id" in x.response_headers}
        deletes = [x for x in wire.http if x.method == "DELETE"]
        if session_ids:
            assert [(x.request_headers.get("mcp-session-id"), x.status) for x in deletes] == [
                (session_ids.pop(), 200)
            ], "ending the legacy session with DELETE"
        else:
            assert not deletes


def check_http_statuses(wire: Wire) -> None:
    """The Streamable HTTP answers the client got: 202 for every notification it POSTed
    that the server answered, and 200 with a JSON body or an event stream for every
    request answered with a result."""
    for x in wire.posts():
        message = x.sent_message()
        if message is None or x.status is None:
            continue
        if "method" in message and "id" not in message:
            assert x.status == 202, f"{message['method']} notification answered {x.status}, not 202"
        elif any("result" in m for m in x.messages):
            assert x.status == 200, f"{message.get('method')} answered with a result at status {x.status}"
            assert x.content_type in ("application/json", "text/event-stream"), x.response_headers


def _leaf_exceptions(group: BaseExceptionGroup) -> list[BaseException]:
    """The exceptions inside a (nested) group, cancellations left out."""
    leaves: list[BaseException] = []
    for exc in group.exceptions:
        if isinstance(exc, BaseExceptionGroup):
            leaves.extend(_leaf_exceptions(exc))
        elif not isinstance(exc, anyio.get_cancelled_exc_class()):
            leaves.append(exc)
    return leaves


# --------------------------------------------------------------------------- raw process


class RawServer:
    """The demo server as a plain subprocess: newline-delimited JSON on stdin/stdout."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            server_command(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self._stdout: queue.Queue[bytes] = queue.Queue()
        self._stderr: list[bytes] = []
        self._stderr_grew = threading.Condition()
        threading.Thread(target=self._pump_stdout, daemon=True).start()
        threading.Thread(target=self._pump_stderr, daemon=True).start()

    def _pump_stdout(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._stdout.put(line)
        self._stdout.put(b"")  # EOF marker

    def _pump_stderr(self) -> None:
        assert self.proc.stderr is not None
        while chunk := self.proc.stderr.read1(4096):
            with self._stderr_grew:
                self._stderr.append(chunk)
                self._stderr_grew.notify_all()
        with self._stderr_grew:
            self._stderr.append(b"")  # EOF marker
            self._stderr_grew.notify_all()

    def stderr_text(self) -> str:
        with self._stderr_grew:
            return b"".join(self._stderr).decode("utf-8", "replace")

    def wait_for_stderr(self, *needles: str, timeout: float) -> bool:
        """Wait until stderr contains every needle (case-insensitive), or EOF/timeout."""
        deadline = time.monotonic() + timeout
        with self._stderr_grew:
            while True:
                text = b"".join(self._stderr).decode("utf-8", "replace").lower()
                if all(n.lower() in text for n in needles):
                    return True
                remaining = deadline - time.monotonic()
                if (self._stderr and self._stderr[-1] == b"") or remaining <= 0:
                    return False
                self._stderr_grew.wait(remaining)

    def send(self, message: dict[str, Any] | str) -> None:
        """Write one message (a dict, or a JSON text sent byte for byte) and a newline."""
        assert self.proc.stdin is not None
        line = message if isinstance(message, str) else json.dumps(message)
        self.proc.stdin.write(line.encode("utf-8") + b"\n")
        self.proc.stdin.flush()

    def recv(self, timeout: float = REQUEST_TIMEOUT) -> dict[str, Any]:
        """The next stdout line, parsed as JSON."""
        line = self._stdout.get(timeout=timeout)
        assert line, "the server closed stdout"
        return json.loads(line)

    def recv_response(self, request_id: Any, timeout: float = REQUEST_TIMEOUT) -> dict[str, Any]:
        """Skip notifications until the response for `request_id`."""
        deadline = time.monotonic() + timeout
        while True:
            message = self.recv(max(0.0, deadline - time.monotonic()))
            if message.get("id") == request_id and "method" not in message:
                return message

    def remaining_stdout(self) -> list[bytes]:
        """Lines still queued from stdout (call after the process has exited)."""
        lines = []
        while True:
            try:
                line = self._stdout.get(timeout=1.0)
            except queue.Empty:
                break
            if not line:
                break
            lines.append(line)
        return lines

    def close_stdin(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def legacy_handshake(self) -> dict[str, Any]:
        """initialize + notifications/initialized at the newest handshake version."""
        self.send(
            {
                "jsonrpc": "2.0",
                "id": 0,
                "method": "initialize",
                "params": {
                    "protocolVersion": LEGACY_VERSION,
                    "capabilities": {},
                    "clientInfo": {"name": "picomcp-raw-test", "version": "0"},
                },
            }
        )
        response = self.recv_response(0)
        self.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        return response


def tree_rss_kib(pid: int) -> int:
    """VmRSS of `pid` and all its descendants (a wrapper script and its interpreter)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status") as f:
                found = re.search(r"^VmRSS:\s+(\d+) kB", f.read(), re.M)
            total += int(found.group(1)) if found else 0
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo.extend(int(c) for c in f.read().split())
        except OSError:
            continue
    return total


# --------------------------------------------------------------------------- HTTP server


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


class HttpServer:
    """The demo server on Streamable HTTP at `url`: `PICOMCP_DEMO_URL`, or a process started
    by `start` (the server command plus `PICOMCP_DEMO_HTTP_ARGS`, default
    `--http 127.0.0.1:{port}`) with its stderr in a file."""

    def __init__(self, url: str, proc: subprocess.Popen[bytes] | None = None, log: Path | None = None) -> None:
        self.url = url
        self.proc = proc
        self.log = log

    @classmethod
    def from_environment(cls, log_dir: Path) -> HttpServer:
        url = demo_url()
        return cls(url) if url is not None else cls.start(log_dir)

    @classmethod
    def start(cls, log_dir: Path, attempts: int = 3) -> HttpServer:
        """Start the server on a free port; wait until it accepts connections and has
        printed its URL on stderr. A port taken meanwhile by someone else is retried."""
        template = shlex.split(os.environ.get("PICOMCP_DEMO_HTTP_ARGS", "").strip() or DEFAULT_HTTP_ARGS)
        problem = ""
        for attempt in range(attempts):
            port = free_port()
            command = server_command() + [word.replace("{port}", str(port)) for word in template]
            log = log_dir / f"http-server-{attempt}.stderr.txt"
            with log.open("wb") as stderr:
                proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=stderr, stderr=stderr)
            server = cls(f"http://127.0.0.1:{port}/mcp", proc, log)
            deadline = time.monotonic() + HTTP_START_TIMEOUT
            while proc.poll() is None and time.monotonic() < deadline:
                printed = re.search(rf"http://[^\s/]+:{port}/mcp\b", server.stderr_text())
                if printed and _accepts(port):
                    server.url = printed.group(0)
                    return server
                time.sleep(0.02)
            if proc.poll() is None:
                server.stop()
                raise RuntimeError(
                    f"{shlex.join(command)} did not print its URL (…:{port}/mcp) on stderr and accept "
                    f"connections within {HTTP_START_TIMEOUT:.0f} s; stderr:\n{server.stderr_text()}"
                )
            problem = f"{shlex.join(command)} exited with status {proc.returncode}; stderr:\n{server.stderr_text()}"
        raise RuntimeError(problem)

    def stderr_text(self, start: int = 0) -> str:
        """The server's stderr (and stdout) from byte `start` on; empty for a server we did not start."""
        if self.log is None:
            return ""
        with self.log.open("rb") as f:
            f.seek(start)
            return f.read().decode("utf-8", "replace")

    def stderr_size(self) -> int:
        return self.log.stat().st_size if self.log is not None else 0

    def exit_problem(self) -> str | None:
        """Why the server we started is no longer serving (it exited), or None."""
        if self.proc is None or self.proc.poll() is None:
            return None
        return f"the HTTP demo server exited with status {self.proc.returncode}; stderr:\n{self.stderr_text()}"

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
