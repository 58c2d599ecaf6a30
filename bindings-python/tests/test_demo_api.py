"""How handlers run, through the real package: sync handlers in a worker thread, async
handlers concurrently on the loop, cancellation, exceptions, ToolError and argument
validation. Each behaviour is checked two ways:

- over stdio: a tiny server (``SERVER_SOURCE``) in a subprocess, driven with raw JSON
  lines, the way a client sees it;
- sans-IO: the same server driven through ``server.connection()`` in this process.
"""

from __future__ import annotations

import asyncio
import json
import os
import queue
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from picomcp import Cancelled, Context, Server, ToolCall, ToolError

LEGACY = "2025-11-25"

# The server under test. Markers go to the directory named by PICOMCP_TEST_MARKS, so the
# tests can see what a handler did (ran, where, was cancelled) besides what it answered.
SERVER_SOURCE = textwrap.dedent(
    '''
    import asyncio, os, threading, time
    from pathlib import Path
    from picomcp import Context, Server, ToolError

    MARKS = Path(os.environ["PICOMCP_TEST_MARKS"])
    server = Server("api-test", version="0.0.1")

    def mark(name: str, text: str = "") -> None:
        (MARKS / name).write_text(text)

    @server.tool
    def sync_where() -> str:
        """The thread a plain function runs in."""
        return f"{threading.get_ident()} {threading.current_thread() is threading.main_thread()}"

    @server.tool
    async def async_where() -> str:
        """The thread an async function runs in."""
        return f"{threading.get_ident()} {threading.current_thread() is threading.main_thread()}"

    @server.tool
    async def nap(ms: int) -> str:
        await asyncio.sleep(ms / 1000)
        return f"napped {ms}"

    @server.tool
    def sync_nap(ms: int) -> str:
        time.sleep(ms / 1000)
        return f"sync napped {ms}"

    @server.tool
    async def wait_cancel(ctx: Context) -> str:
        """Waits until cancelled, reporting progress once it started."""
        await ctx.report_progress(1, 2)
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            mark("wait_cancel", "CancelledError")
            raise
        return "not cancelled"

    @server.tool
    def sync_wait_cancel(ctx: Context) -> str:
        """A plain function cannot be interrupted: it polls ctx.cancelled."""
        ctx.report_progress(1, 2)
        deadline = time.monotonic() + 30
        while not ctx.cancelled and time.monotonic() < deadline:
            time.sleep(0.01)
        mark("sync_wait_cancel", f"cancelled={ctx.cancelled}")
        return "finished"

    @server.tool
    def boom() -> str:
        raise ValueError("kaboom 42")

    @server.tool
    async def async_boom() -> str:
        raise RuntimeError("async kaboom")

    @server.tool
    def refuse() -> str:
        raise ToolError("refused on purpose")

    @server.tool
    def typed(n: int, s: str) -> str:
        mark("typed_ran")
        return f"{n} {s}"

    @server.tool
    async def progress(ctx: Context) -> str:
        await ctx.report_progress(1, 4)
        await ctx.report_progress(4, 4)
        return "done"

    if __name__ == "__main__":
        server.run()
    '''
)


# --------------------------------------------------------------------------- stdio client


class StdioServer:
    """The test server as a subprocess; JSON lines in, JSON lines out (read by a thread)."""

    def __init__(self, script: Path, marks: Path, preamble: str = "") -> None:
        env = dict(os.environ, PICOMCP_TEST_MARKS=str(marks))
        command = [sys.executable, str(script)] if not preamble else [sys.executable, "-c", preamble + "\n" + script.read_text()]
        self.proc = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        self.lines: queue.Queue[dict[str, Any] | str] = queue.Queue()
        self.seen: list[dict[str, Any]] = []
        self._next_id = 100
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            try:
                self.lines.put(json.loads(raw))
            except ValueError:
                self.lines.put(f"not JSON on stdout: {raw!r}")
        self.lines.put("EOF")

    def send(self, message: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(message).encode() + b"\n")
        self.proc.stdin.flush()

    def request(self, method: str, params: dict[str, Any] | None = None, id: Any = None) -> Any:
        if id is None:
            self._next_id += 1
            id = self._next_id
        message: dict[str, Any] = {"jsonrpc": "2.0", "id": id, "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)
        return id

    def call(self, tool: str, arguments: dict[str, Any] | None = None, id: Any = None, progress_token: Any = None) -> Any:
        params: dict[str, Any] = {"name": tool, "arguments": arguments or {}}
        if progress_token is not None:
            params["_meta"] = {"progressToken": progress_token}
        return self.request("tools/call", params, id)

    def next(self, timeout: float) -> dict[str, Any] | None:
        try:
            item = self.lines.get(timeout=timeout)
        except queue.Empty:
            return None
        if isinstance(item, str):
            raise AssertionError(f"{item}; stderr: {self.stderr()}")
        self.seen.append(item)
        return item

    def response(self, id: Any, timeout: float = 5.0) -> dict[str, Any]:
        """The response to request `id` (messages before it are kept in `seen`)."""
        for m in self.seen:
            if "method" not in m and m.get("id") == id:
                return m
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            m = self.next(left)
            if m is not None and "method" not in m and m.get("id") == id:
                return m
        raise AssertionError(f"no response to id {id!r} within {timeout} s; seen {self.seen}; stderr: {self.stderr()}")

    def drain(self, seconds: float) -> list[dict[str, Any]]:
        """Everything the server writes within `seconds`."""
        got = []
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            m = self.next(left)
            if m is not None:
                got.append(m)
        return got

    def initialize(self) -> dict[str, Any]:
        id = self.request(
            "initialize",
            {"protocolVersion": LEGACY, "capabilities": {}, "clientInfo": {"name": "picomcp-api-test", "version": "0"}},
        )
        response = self.response(id)
        self.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        return response

    def stderr(self) -> str:
        if self.proc.poll() is None:
            return "(still running)"
        assert self.proc.stderr is not None
        return self.proc.stderr.read().decode(errors="replace")

    def close(self) -> int:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        try:
            return self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("the server did not exit within 5 s of its stdin closing") from None


def text_of(response: dict[str, Any]) -> str:
    """The single text block of a tool result."""
    assert "result" in response, response
    content = response["result"]["content"]
    assert len(content) == 1 and content[0]["type"] == "text", content
    return content[0]["text"]


@pytest.fixture
def marks(tmp_path: Path) -> Path:
    path = tmp_path / "marks"
    path.mkdir()
    return path


@pytest.fixture
def script(tmp_path: Path) -> Path:
    path = tmp_path / "api_server.py"
    path.write_text(SERVER_SOURCE)
    return path


@pytest.fixture
def stdio(script: Path, marks: Path) -> Iterator[StdioServer]:
    server = StdioServer(script, marks)
    try:
        server.initialize()
        yield server
    finally:
        if server.proc.poll() is None:
            status = server.close()
            assert status == 0, f"exit status {status}; stderr: {server.stderr()}"


def wait_for(path: Path, timeout: float = 3.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        # A marker is created, then written: wait for its text, not just the file.
        text = path.read_text() if path.exists() else ""
        if text:
            return text
        time.sleep(0.01)
    raise AssertionError(f"{path.name} was not written within {timeout} s")


# --------------------------------------------------------------------------- stdio tests


def test_stdio_sync_handler_runs_in_a_worker_thread(stdio: StdioServer) -> None:
    sync_ident, sync_main = text_of(stdio.response(stdio.call("sync_where"))).split()
    async_ident, async_main = text_of(stdio.response(stdio.call("async_where"))).split()
    assert async_main == "True", "async handlers run on the loop, which run() keeps on the main thread"
    assert sync_main == "False", "a plain function must not run on the loop's thread"
    assert sync_ident != async_ident


def test_stdio_async_handlers_run_concurrently(stdio: StdioServer) -> None:
    started = time.monotonic()
    first, second = stdio.call("nap", {"ms": 600}), stdio.call("nap", {"ms": 600})
    assert text_of(stdio.response(first)) == "napped 600"
    assert text_of(stdio.response(second)) == "napped 600"
    elapsed = time.monotonic() - started
    assert 0.55 <= elapsed < 1.1, f"two 600 ms naps took {elapsed:.3f} s: not concurrent"


def test_stdio_sync_handlers_do_not_block_the_loop(stdio: StdioServer) -> None:
    started = time.monotonic()
    sleeper = stdio.call("sync_nap", {"ms": 800})
    time.sleep(0.1)
    quick = stdio.call("nap", {"ms": 0})
    assert text_of(stdio.response(quick)) == "napped 0"
    quick_done = time.monotonic() - started
    assert text_of(stdio.response(sleeper)) == "sync napped 800"
    assert quick_done < 0.6, f"an async call waited {quick_done:.3f} s behind a sleeping plain function"
    ping = stdio.request("ping")
    assert stdio.response(ping)["result"] == {}


def test_stdio_two_sync_handlers_overlap(stdio: StdioServer) -> None:
    started = time.monotonic()
    ids = [stdio.call("sync_nap", {"ms": 500}) for _ in range(2)]
    for id in ids:
        assert text_of(stdio.response(id)) == "sync napped 500"
    elapsed = time.monotonic() - started
    assert elapsed < 0.95, f"two 500 ms plain functions took {elapsed:.3f} s: they ran one after the other"


def test_stdio_cancellation_cancels_the_task(stdio: StdioServer, marks: Path) -> None:
    id = stdio.call("wait_cancel", id="w-1", progress_token="tok")
    # Wait until the handler runs (its progress), then cancel.
    deadline = time.monotonic() + 5
    while not any(m.get("method") == "notifications/progress" for m in stdio.seen):
        assert time.monotonic() < deadline, f"no progress from wait_cancel: {stdio.seen}"
        stdio.next(0.1)
    stdio.send({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": id, "reason": "test"}})
    assert wait_for(marks / "wait_cancel") == "CancelledError"
    # The server goes on answering, and sends nothing more for the cancelled request.
    ping = stdio.request("ping")
    assert stdio.response(ping)["result"] == {}
    later = stdio.drain(0.3)
    about = [m for m in stdio.seen if m.get("id") == id or m.get("params", {}).get("progressToken") == "tok"]
    assert all(m.get("method") == "notifications/progress" for m in about), f"a message for the cancelled call: {about}"
    assert not [m for m in later if m.get("params", {}).get("progressToken") == "tok"], later


def test_stdio_cancellation_of_a_plain_function(stdio: StdioServer, marks: Path) -> None:
    id = stdio.call("sync_wait_cancel", progress_token="stok")
    deadline = time.monotonic() + 5
    while not any(m.get("method") == "notifications/progress" for m in stdio.seen):
        assert time.monotonic() < deadline, f"no progress from sync_wait_cancel: {stdio.seen}"
        stdio.next(0.1)
    stdio.send({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": id}})
    assert wait_for(marks / "sync_wait_cancel") == "cancelled=True"
    ping = stdio.request("ping")
    assert stdio.response(ping)["result"] == {}
    stdio.drain(0.3)
    assert not [m for m in stdio.seen if "method" not in m and m.get("id") == id], "a result for a cancelled call"


def test_stdio_exception_becomes_a_tool_error(stdio: StdioServer) -> None:
    for tool, message in (("boom", "kaboom 42"), ("async_boom", "async kaboom")):
        response = stdio.response(stdio.call(tool))
        assert response["result"].get("isError") is True, response
        assert message in text_of(response), response
    # The server is fine afterwards.
    assert text_of(stdio.response(stdio.call("nap", {"ms": 0}))) == "napped 0"


def test_stdio_tool_error(stdio: StdioServer) -> None:
    response = stdio.response(stdio.call("refuse"))
    assert response["result"].get("isError") is True, response
    assert text_of(response) == "refused on purpose"


@pytest.mark.parametrize(
    ("arguments", "field"),
    [({"n": "x", "s": "y"}, "n"), ({"n": 1}, "s"), ({"n": 1.5, "s": "y"}, "n"), ({"n": 1, "s": 2}, "s")],
)
def test_stdio_arguments_are_validated_before_the_handler(
    stdio: StdioServer, marks: Path, arguments: dict[str, Any], field: str
) -> None:
    response = stdio.response(stdio.call("typed", arguments))
    assert "result" in response, f"a schema mismatch is a tool error, not a JSON-RPC error: {response}"
    assert response["result"].get("isError") is True, response
    text = text_of(response)
    assert f"'{field}'" in text or f'"{field}"' in text or f"`{field}`" in text or f"/{field}" in text, text
    assert not (marks / "typed_ran").exists(), "the handler ran with arguments that do not fit its schema"
    assert text_of(stdio.response(stdio.call("typed", {"n": 3, "s": "ok"}))) == "3 ok"


def test_stdio_unknown_tool_is_invalid_params(stdio: StdioServer) -> None:
    response = stdio.response(stdio.call("no-such-tool"))
    assert response.get("error", {}).get("code") == -32602, response


def test_stdio_progress(stdio: StdioServer) -> None:
    id = stdio.call("progress", progress_token=7)
    assert text_of(stdio.response(id)) == "done"
    notes = [m["params"] for m in stdio.seen if m.get("method") == "notifications/progress"]
    assert [(n["progressToken"], n["progress"], n.get("total")) for n in notes] == [(7, 1, 4), (7, 4, 4)]


def test_stdio_exits_when_stdin_closes(script: Path, marks: Path) -> None:
    server = StdioServer(script, marks)
    server.initialize()
    started = time.monotonic()
    assert server.close() == 0
    assert time.monotonic() - started < 1.5


def test_works_without_pydantic(script: Path, marks: Path) -> None:
    """pydantic is optional: with it unimportable, the package imports and serves."""
    server = StdioServer(script, marks, preamble="import sys; sys.modules['pydantic'] = None")
    try:
        server.initialize()
        assert text_of(server.response(server.call("typed", {"n": 1, "s": "a"}))) == "1 a"
    finally:
        assert server.close() == 0, server.stderr()


# --------------------------------------------------------------------------- sans-IO


def sansio_server() -> Any:
    """A small server for the Connection tests; `ran` records the tools that ran."""
    server = Server("sansio-test", version="0.0.2")
    server.ran = []  # type: ignore[attr-defined]

    @server.tool
    def add(a: int, b: int) -> int:
        server.ran.append("add")  # type: ignore[attr-defined]
        return a + b

    @server.tool
    async def nap(ms: int) -> str:
        await asyncio.sleep(ms / 1000)
        return f"napped {ms}"

    @server.tool
    async def wait_cancel(ctx: Context) -> str:
        await ctx.report_progress(1, 2)
        await asyncio.sleep(30)
        return "not cancelled"

    @server.tool
    def boom() -> str:
        raise ValueError("kaboom 42")

    @server.tool
    def refuse() -> str:
        raise ToolError("refused on purpose")

    return server


class Session:
    """A Connection with JSON in and out."""

    def __init__(self) -> None:
        self.server = sansio_server()
        self.conn = self.server.connection()
        self._id = 0

    def send(self, message: dict[str, Any]) -> None:
        data = json.dumps(message).encode() + b"\n"
        # Split anywhere: the framing is the core's.
        self.conn.receive_data(data[:7])
        self.conn.receive_data(data[7:])

    def request(self, method: str, params: dict[str, Any] | None = None) -> int:
        self._id += 1
        message: dict[str, Any] = {"jsonrpc": "2.0", "id": self._id, "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)
        return self._id

    def call(self, tool: str, arguments: dict[str, Any] | None = None, progress_token: Any = None) -> int:
        params: dict[str, Any] = {"name": tool, "arguments": arguments or {}}
        if progress_token is not None:
            params["_meta"] = {"progressToken": progress_token}
        return self.request("tools/call", params)

    def output(self) -> list[dict[str, Any]]:
        data = self.conn.data_to_send()
        assert data == b"" or data.endswith(b"\n"), data
        return [json.loads(line) for line in data.splitlines()]

    def events(self) -> list[Any]:
        got = []
        while (event := self.conn.next_event()) is not None:
            got.append(event)
        return got

    def initialize(self) -> None:
        id = self.request(
            "initialize",
            {"protocolVersion": LEGACY, "capabilities": {}, "clientInfo": {"name": "sansio", "version": "0"}},
        )
        [response] = self.output()
        assert response["id"] == id and response["result"]["serverInfo"] == {"name": "sansio-test", "version": "0.0.2"}
        self.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        assert self.events() == [] and self.output() == []


@pytest.fixture
def session() -> Session:
    s = Session()
    s.initialize()
    return s


def test_sansio_core_answers_without_events(session: Session) -> None:
    id = session.request("tools/list")
    assert session.events() == []
    [response] = session.output()
    assert response["id"] == id
    assert [t["name"] for t in response["result"]["tools"]] == ["add", "nap", "wait_cancel", "boom", "refuse"]


def test_sansio_sync_call(session: Session) -> None:
    id = session.call("add", {"a": 2, "b": 3})
    [event] = session.events()
    assert isinstance(event, ToolCall) and event.name == "add" and event.arguments == {"a": 2, "b": 3}
    assert not event.is_async and not event.wants_context
    assert session.output() == [], "nothing is sent before the answer"
    assert session.conn.in_flight == 1
    assert session.conn.send_result(event, event.call()) is True
    [response] = session.output()
    assert response["id"] == id and response["result"]["content"] == [{"type": "text", "text": "5"}]
    assert session.conn.in_flight == 0
    # A second answer for the same call is refused, and nothing is sent.
    assert session.conn.send_result(event, 6) is False
    assert session.output() == []


def test_sansio_async_calls_run_concurrently(session: Session) -> None:
    ids = [session.call("nap", {"ms": 300}) for _ in range(3)]
    events = session.events()
    assert len(events) == 3 and all(e.is_async for e in events)

    async def run_all() -> float:
        started = time.monotonic()
        values = await asyncio.gather(*(e.call() for e in events))
        for event, value in zip(events, values):
            session.conn.send_result(event, value)
        return time.monotonic() - started

    elapsed = asyncio.run(run_all())
    assert elapsed < 0.6, f"three 300 ms naps took {elapsed:.3f} s"
    responses = session.output()
    assert sorted(r["id"] for r in responses) == ids
    assert all(r["result"]["content"] == [{"type": "text", "text": "napped 300"}] for r in responses)


def test_sansio_cancellation(session: Session) -> None:
    id = session.call("wait_cancel", progress_token="p")
    [event] = session.events()
    assert event.wants_context
    ctx = session.conn.context(event)

    async def scenario() -> None:
        task = asyncio.ensure_future(event.call(ctx))
        await asyncio.sleep(0.05)  # the handler reported progress and sleeps
        [note] = session.output()
        assert note["method"] == "notifications/progress" and note["params"]["progressToken"] == "p"
        session.send({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": id}})
        [cancelled] = session.events()
        assert isinstance(cancelled, Cancelled) and cancelled.ticket == event.ticket
        assert ctx.cancelled
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(scenario())
    # Whatever comes late for a cancelled call is dropped.
    assert ctx.report_progress(2, 2) is not None
    assert session.conn.send_result(event, "late") is False
    assert session.output() == []
    ping = session.request("ping")
    assert session.output() == [{"jsonrpc": "2.0", "id": ping, "result": {}}]


@pytest.mark.parametrize(("tool", "text"), [("boom", "kaboom 42"), ("refuse", "refused on purpose")])
def test_sansio_errors_become_tool_errors(session: Session, tool: str, text: str) -> None:
    id = session.call(tool)
    [event] = session.events()
    with pytest.raises(Exception) as raised:
        event.call()
    assert session.conn.send_error(event, raised.value) is True
    [response] = session.output()
    assert response["id"] == id and response["result"]["isError"] is True
    [block] = response["result"]["content"]
    assert text in block["text"]
    if tool == "refuse":
        assert block["text"] == text, "a ToolError's message is the text, as is"


@pytest.mark.parametrize(("arguments", "field"), [({"a": "x", "b": 1}, "a"), ({"a": 1}, "b"), ({"a": 1, "b": 0.5}, "b")])
def test_sansio_arguments_validated_by_the_core(session: Session, arguments: dict[str, Any], field: str) -> None:
    id = session.call("add", arguments)
    assert session.events() == [], "a call whose arguments do not fit the schema must not reach Python"
    [response] = session.output()
    assert response["id"] == id and response["result"]["isError"] is True, response
    [block] = response["result"]["content"]
    assert f"`{field}`" in block["text"] or f"'{field}'" in block["text"], block
    assert session.server.ran == []


def test_sansio_unknown_tool(session: Session) -> None:
    id = session.call("nope")
    assert session.events() == []
    [response] = session.output()
    assert response["id"] == id and response["error"]["code"] == -32602


def test_stdio_a_burst_past_max_requests_gets_one_answer_per_call(stdio: StdioServer) -> None:
    # Five times max_requests (64): reading pauses while slots are busy; calls read past
    # the limit get the core's -32603 with data.capacity. Every call gets exactly one
    # answer, nothing hangs, and the server serves on.
    ids = [stdio.call("sync_where") for _ in range(320)]
    for id in ids:
        response = stdio.response(id, timeout=10.0)
        if "error" in response:
            assert response["error"]["code"] == -32603 and response["error"]["data"] == {"capacity": 64}, response
        else:
            assert response["result"].get("isError") is not True, response
    assert sum(1 for m in stdio.seen if "method" not in m and m.get("id") in set(ids)) == len(ids)
    later = stdio.call("sync_where")
    assert "result" in stdio.response(later, timeout=5.0)
