"""Plumbing shared by the demo-server client tests.

- `server_command()`: the demo server to test, from `PICOMCP_DEMO_CMD` (shell words)
  or `<repo>/target/release/picomcp-demo`.
- `connect(mode, errlog)`: an `mcp.Client` over stdio whose traffic is recorded in a
  `Wire`, so tests can check what really crossed the pipe (ids, progress tokens,
  cancellations, late answers) and that stdout carried nothing but JSON-RPC.
- `RawServer`: the server as a bare subprocess, for the process-level tests.
"""

from __future__ import annotations

import json
import os
import queue
import shlex
import shutil
import subprocess
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

import anyio
from mcp import Client, StdioServerParameters, stdio_client
from mcp.shared.message import SessionMessage

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SERVER = REPO_ROOT / "target" / "release" / "picomcp-demo"
BUILD_COMMAND = "cargo build --release -p picomcp-demo"

MODERN_VERSION = "2026-07-28"
LEGACY_VERSION = "2025-11-25"

# Per-request bound: no request of the tests should come near it.
REQUEST_TIMEOUT = 10.0


def server_command() -> list[str]:
    """The demo server command line: `PICOMCP_DEMO_CMD` split as shell words, or the Rust demo."""
    raw = os.environ.get("PICOMCP_DEMO_CMD", "").strip()
    if raw:
        return shlex.split(raw)
    return [str(DEFAULT_SERVER)]


def missing_server_message() -> str | None:
    """Why the tests cannot run (no server to start), or None when they can."""
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
    """One item that crossed the stdio pipe, as the SDK client saw it."""

    t: float  # time.monotonic() when it crossed
    direction: Literal["out", "in"]
    message: dict[str, Any] | None  # the JSON-RPC message (None for a stream error)
    error: Exception | None = None  # a stdout line the SDK could not parse as JSON-RPC


@dataclass
class Wire:
    """Everything sent to and received from the server during one session."""

    events: list[WireEvent] = field(default_factory=list)

    def record(self, direction: Literal["out", "in"], item: SessionMessage | Exception) -> None:
        if isinstance(item, SessionMessage):
            message = item.message.model_dump(mode="json", by_alias=True, exclude_unset=True)
            self.events.append(WireEvent(time.monotonic(), direction, message))
        else:
            self.events.append(WireEvent(time.monotonic(), direction, None, item))

    def sent(self, method: str | None = None) -> list[WireEvent]:
        """Messages the client wrote, optionally only those of one method."""
        return [
            e
            for e in self.events
            if e.direction == "out" and e.message is not None and (method is None or e.message.get("method") == method)
        ]

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
        """stdout lines the SDK could not parse as JSON-RPC messages."""
        return [e.error for e in self.events if e.error is not None]


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


@dataclass
class DemoSession:
    """A connected SDK client and the record of its traffic."""

    client: Client
    wire: Wire


@asynccontextmanager
async def connect(mode: str, errlog: IO[str], **client_options: Any) -> AsyncIterator[DemoSession]:
    """Start the demo server and connect the SDK client to it over stdio.

    `mode` is the SDK's connect mode: "auto" (probe `server/discover`, fall back to
    `initialize`) or "legacy" (`initialize` handshake only). On a clean exit it also
    checks that every line the server wrote to stdout was a JSON-RPC message.
    """
    command = server_command()
    params = StdioServerParameters(command=command[0], args=command[1:], env=dict(os.environ))
    wire = Wire()
    client = Client(
        _tapped_stdio(params, errlog, wire),
        mode=mode,
        read_timeout_seconds=REQUEST_TIMEOUT,
        **client_options,
    )
    try:
        async with client:
            yield DemoSession(client, wire)
    except BaseExceptionGroup as group:
        # The SDK's task groups wrap a failing test's assertion; report it bare.
        leaves = _leaf_exceptions(group)
        if len(leaves) == 1:
            raise leaves[0] from None
        raise
    errors = wire.stream_errors()
    assert not errors, f"the server wrote non-JSON-RPC lines to stdout: {errors!r}"


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
