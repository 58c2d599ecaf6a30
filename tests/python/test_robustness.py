"""Raw-protocol robustness of a demo server: what matters on a device with small buffers.

The server (PICOMCP_DEMO_CMD, as for the rest of the suite) is driven as a bare process
with hand-written JSON lines after the legacy handshake (initialize +
notifications/initialized), and every line it writes to stdout must be a JSON object.

- An over-long line gets exactly one `-32600` error without an id, and the next request
  is answered.
- Broken JSON gets `-32700` without an id, and the next request is answered.
- A flood of slow calls past the in-flight capacity: the extra ones get `-32603` with
  `data.capacity`, `tools/list` is answered at once, cancelling frees every slot, and
  nothing more is sent for the cancelled calls.

The server's limits come from the environment, so the same tests run against the host
demo and against the firmware under QEMU:

  PICOMCP_MAX_LINE  length in bytes of the over-long line the test sends; it must exceed
                    the server's input buffer (default 2 MiB: the host demo reads 1 MiB)
  PICOMCP_INFLIGHT  the server's in-flight capacity (default 64, the host demo's)
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import pytest

from demo_harness import REQUEST_TIMEOUT, RawServer

# Raw stdin/stdout robustness: a property of the stdio server process.
pytestmark = pytest.mark.stdio


def _env_int(name: str, default: int, minimum: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise pytest.UsageError(f"{name} must be an integer, not {raw!r}") from None
    if value < minimum:
        raise pytest.UsageError(f"{name} must be at least {minimum}, not {value}")
    return value


LONG_LINE = _env_int("PICOMCP_MAX_LINE", 2 * 1024 * 1024, 128)
CAPACITY = _env_int("PICOMCP_INFLIGHT", 64, 1)

INVALID_REQUEST = -32600
PARSE_ERROR = -32700
INTERNAL_ERROR = -32603

# slow(ms) in the flood: long enough that "answered at once" is unmistakable even in QEMU.
FLOOD_MS = 2000
# The contract's progress period for slow: a call still running shows within one period.
PROGRESS_PERIOD = 0.05
# How long to watch for traffic about cancelled calls: six progress periods.
QUIET_WINDOW = 6 * PROGRESS_PERIOD
# Bound on the exit after stdin closes (qemu-run.sh allows the firmware 5 s).
EXIT_TIMEOUT = 10.0


class Server(RawServer):
    """A RawServer that insists every stdout line is a JSON object and logs them in order."""

    def __init__(self) -> None:
        super().__init__()
        self.log: list[dict[str, Any]] = []

    def _parse(self, line: bytes) -> dict[str, Any]:
        try:
            message = json.loads(line)
        except ValueError:
            pytest.fail(f"the server wrote a line that is not JSON: {line[:300]!r}")
        assert isinstance(message, dict), f"the server wrote a JSON line that is not an object: {line[:300]!r}"
        self.log.append(message)
        return message

    def recv(self, timeout: float = REQUEST_TIMEOUT) -> dict[str, Any]:
        try:
            line = self._stdout.get(timeout=max(0.0, timeout))
        except queue.Empty:
            pytest.fail(f"no line from the server within {timeout:.1f} s; stderr: {self.stderr_text()[-2000:]!r}")
        assert line, f"the server closed stdout; stderr: {self.stderr_text()[-2000:]!r}"
        return self._parse(line)

    def drain(self, seconds: float) -> None:
        """Read (and check) whatever the server writes during the next `seconds`."""
        until = time.monotonic() + seconds
        while (left := until - time.monotonic()) > 0:
            try:
                line = self._stdout.get(timeout=left)
            except queue.Empty:
                return
            assert line, f"the server closed stdout; stderr: {self.stderr_text()[-2000:]!r}"
            self._parse(line)

    def send_bytes(self, data: bytes) -> None:
        """Write bytes exactly as given, all at once."""
        assert self.proc.stdin is not None
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def finish(self) -> list[dict[str, Any]]:
        """Close stdin; the server must exit with status 0. Returns what it still wrote."""
        self.close_stdin()
        try:
            status = self.proc.wait(timeout=EXIT_TIMEOUT)
        except subprocess.TimeoutExpired:
            pytest.fail(f"the server was still running {EXIT_TIMEOUT:.0f} s after its stdin closed")
        rest = [self._parse(line) for line in self.remaining_stdout()]
        assert status == 0, f"the server exited with status {status}; stderr: {self.stderr_text()[-2000:]!r}"
        return rest


@pytest.fixture
def server() -> Iterator[Server]:
    s = Server()
    try:
        s.legacy_handshake()
        yield s
    finally:
        s.kill()
        stderr = s.stderr_text()
        if stderr:
            print(f"--- server stderr ---\n{stderr[-4000:]}")


def short(value: Any) -> str:
    """`value` as JSON for a failure message, cut to a readable length."""
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 400 else text[:300] + f"... ({len(text)} characters)"


def line(message: dict[str, Any]) -> bytes:
    return json.dumps(message, separators=(",", ":")).encode() + b"\n"


def request(request_id: Any, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    message: dict[str, Any] = {"jsonrpc": "2.0", "id": request_id, "method": method}
    if params is not None:
        message["params"] = params
    return message


def tool_call(request_id: Any, name: str, arguments: dict[str, Any], progress_token: Any = None) -> dict[str, Any]:
    params: dict[str, Any] = {"name": name, "arguments": arguments}
    if progress_token is not None:
        params["_meta"] = {"progressToken": progress_token}
    return request(request_id, "tools/call", params)


def is_response(message: dict[str, Any]) -> bool:
    return "method" not in message and ("result" in message or "error" in message)


def responses_to(log: list[dict[str, Any]], request_id: Any) -> list[dict[str, Any]]:
    return [m for m in log if is_response(m) and "id" in m and m["id"] == request_id]


def until_response(server: Server, request_id: Any, timeout: float = REQUEST_TIMEOUT) -> list[dict[str, Any]]:
    """Everything the server writes up to and including the response to `request_id`."""
    deadline = time.monotonic() + timeout
    seen = []
    while True:
        message = server.recv(deadline - time.monotonic())
        seen.append(message)
        if is_response(message) and message.get("id") == request_id:
            return seen


def check_answered(response: dict[str, Any]) -> None:
    """A ping's answer: a result object (`{}` by the spec), not an error."""
    assert isinstance(response.get("result"), dict), f"the request after the bad line was not answered: {short(response)}"


def check_error_without_id(message: dict[str, Any], code: int) -> None:
    assert "error" in message and "result" not in message, f"expected error {code}, got {short(message)}"
    assert message["error"].get("code") == code, f"expected error {code}, got {short(message)}"
    assert isinstance(message["error"].get("message"), str) and message["error"]["message"], short(message)
    assert "id" not in message, f"an error for an unreadable message must have no id member: {short(message)}"


# --------------------------------------------------------------------------- over-long line


def test_over_long_line(server: Server) -> None:
    """A well-formed echo request longer than the input buffer (PICOMCP_MAX_LINE bytes),
    followed at once by a ping: exactly one -32600 without an id for the long line, then
    the ping's answer, and nothing else (before or after)."""
    head = b'{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"'
    tail = b'"}}}'
    long_line = head + b"x" * (LONG_LINE - len(head) - len(tail)) + tail
    assert len(long_line) == LONG_LINE
    json.loads(long_line)  # only its length is wrong

    started = time.monotonic()
    server.send_bytes(long_line + b"\n" + line(request(2, "ping")))
    seen = until_response(server, 2)  # send_bytes returned: the server has read nearly all of it
    took = time.monotonic() - started

    *before, answer = seen
    check_answered(answer)
    assert len(before) == 1, f"expected exactly one reply to the over-long line, got {short(before)}"
    [error] = before
    check_error_without_id(error, INVALID_REQUEST)
    limit = error["error"].get("data", {}).get("limit")
    if limit is not None:
        assert isinstance(limit, int) and 0 < limit < LONG_LINE, f"data.limit {limit} for a {LONG_LINE}-byte line"
    assert server.finish() == [], "the server wrote more after the ping's answer"
    print(f"{LONG_LINE}-byte line rejected and the next request answered in {took * 1000:.0f} ms")


# --------------------------------------------------------------------------- broken JSON

BROKEN = {
    "unquoted value": b'{"jsonrpc":"2.0","id":3,"method":tools/list}',
    "truncated object": b'{"jsonrpc":"2.0","id":3,"method":"ping"',
    "trailing garbage": b'{"jsonrpc":"2.0","id":3,"method":"ping"}}',
    "invalid UTF-8": b'{"jsonrpc":"2.0","id":3,"method":"ping","params":{"x":"\xff\xfe"}}',
    "not JSON": b"hello, server",
}


@pytest.mark.parametrize("bad", list(BROKEN.values()), ids=list(BROKEN))
def test_broken_json(server: Server, bad: bytes) -> None:
    """A line that is not JSON gets -32700 without an id (even when it names one), and the
    request after it is answered."""
    server.send_bytes(bad + b"\n" + line(request(4, "ping")))
    *before, answer = until_response(server, 4)
    check_answered(answer)
    assert len(before) == 1, f"expected exactly one reply to the broken line, got {short(before)}"
    check_error_without_id(before[0], PARSE_ERROR)
    assert server.finish() == [], "the server wrote more after the ping's answer"


# --------------------------------------------------------------------------- in-flight capacity


def test_flood_past_capacity(server: Server) -> None:
    """CAPACITY + 3 slow(2000) calls and a tools/list, written without waiting:

    - the first CAPACITY are accepted and run (progress for each), the 3 extra get -32603
      with data.capacity == CAPACITY, and tools/list is answered at once;
    - after notifications/cancelled for every slow call, nothing more (no progress, no
      result) is sent for them, an echo call succeeds, and all CAPACITY slots are free
      again: CAPACITY short slow calls all succeed;
    - over the whole session every request gets at most one answer.
    """
    total = CAPACITY + 3
    slow_ids = list(range(1, total + 1))
    accepted, extra = slow_ids[:CAPACITY], slow_ids[CAPACITY:]

    started = time.monotonic()
    flood = b"".join(line(tool_call(i, "slow", {"ms": FLOOD_MS}, progress_token=i)) for i in slow_ids)
    server.send_bytes(flood + line(request("list", "tools/list")))

    before_list = until_response(server, "list")
    listed_after = time.monotonic() - started
    tools = before_list[-1].get("result", {}).get("tools")
    assert isinstance(tools, list) and "slow" in [t.get("name") for t in tools], short(before_list[-1])
    assert listed_after < FLOOD_MS / 2000, (
        f"tools/list took {listed_after:.2f} s with slow calls in flight: it must not wait for a slot"
    )
    early = [m for m in before_list if is_response(m) and m.get("id") in accepted]
    assert not early, (
        f"answers to slow calls within the capacity ({CAPACITY}, PICOMCP_INFLIGHT) before tools/list: {short(early)}"
    )

    # The extra calls were refused at once, before tools/list was read.
    refused = {m["id"]: m for m in before_list if is_response(m) and m.get("id") in extra}
    assert sorted(refused) == extra, (
        f"expected -32603 for ids {extra} (capacity {CAPACITY}) before the tools/list answer; "
        f"got answers for {sorted(refused)}"
    )
    for message in refused.values():
        assert "error" in message, f"a call past the capacity was accepted: {short(message)}"
        assert message["error"].get("code") == INTERNAL_ERROR, short(message)
        assert message["error"].get("data", {}).get("capacity") == CAPACITY, (
            f"data.capacity should be {CAPACITY} (PICOMCP_INFLIGHT): {short(message)}"
        )

    # Every accepted call is running: each reports progress within a few periods.
    def progressed() -> set[Any]:
        return {
            m["params"].get("progressToken")
            for m in server.log
            if m.get("method") == "notifications/progress" and isinstance(m.get("params"), dict)
        }

    deadline = time.monotonic() + REQUEST_TIMEOUT
    while not set(accepted) <= progressed():
        message = server.recv(deadline - time.monotonic())
        assert not (is_response(message) and message.get("id") in slow_ids), (
            f"an answer for a slow call that should still be running: {short(message)}"
        )
    assert not set(extra) & progressed(), "progress for a refused call"

    # Cancel every slow call (the refused ones too: a cancel for a finished id is ignored),
    # then echo, all in one write.
    cancels = b"".join(
        line({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": i, "reason": "test"}})
        for i in slow_ids
    )
    server.send_bytes(cancels + line(tool_call("echo", "echo", {"text": "after cancel"})))
    until_response(server, "echo")
    echo_at = len(server.log)
    echo_answer = server.log[-1]
    assert echo_answer.get("result", {}).get("content") == [{"type": "text", "text": "after cancel"}], short(echo_answer)

    # Cancelling freed every slot: CAPACITY new short calls all run.
    refill = [1000 + i for i in range(CAPACITY)]
    server.send_bytes(b"".join(line(tool_call(i, "slow", {"ms": 50})) for i in refill))
    quiet_until = time.monotonic() + QUIET_WINDOW
    deadline = time.monotonic() + REQUEST_TIMEOUT
    while not all(responses_to(server.log, i) for i in refill):
        server.recv(deadline - time.monotonic())
    server.drain(quiet_until - time.monotonic())
    server.finish()

    after_cancel = [
        m
        for m in server.log[echo_at:]
        if (is_response(m) and m.get("id") in slow_ids)
        or (m.get("method") == "notifications/progress" and m.get("params", {}).get("progressToken") in slow_ids)
    ]
    assert not after_cancel, f"the server kept sending for cancelled calls: {short(after_cancel[:5])}"

    for i in refill:
        answers = responses_to(server.log, i)
        assert len(answers) == 1, f"id {i} got {len(answers)} answers: {short(answers)}"
        [answer] = answers
        assert "error" not in answer, f"slot still taken after the cancellations: {short(answer)}"
        assert answer["result"].get("content") == [{"type": "text", "text": "waited 50 ms"}], short(answer)

    sent_ids = [0, *slow_ids, "list", "echo", *refill]
    stray = [m for m in server.log if is_response(m) and ("id" not in m or m["id"] not in sent_ids)]
    assert not stray, f"answers to no request of ours (a notification answered?): {short(stray[:5])}"
    for i in accepted:
        assert responses_to(server.log, i) == [], f"a cancelled call was answered: {short(responses_to(server.log, i))}"
    for request_id in [*extra, "list", "echo", *refill]:
        answers = responses_to(server.log, request_id)
        assert len(answers) == 1, f"id {request_id!r} got {len(answers)} answers: {short(answers)}"
    print(f"tools/list answered {listed_after * 1000:.0f} ms after the flood of {total} slow calls")
