"""Hostile input on stdio: the bytes a broken or malicious client may write, one case at a
time. Each case checks the exact answer (the JSON-RPC error code, message and id, or the
result) and then that a good request on the same session still gets its answer; at the
end of the session the server must exit with status 0 when its stdin closes, having
written nothing more.

What test_robustness.py already checks is not repeated here: a line past the input
buffer (PICOMCP_MAX_LINE bytes), broken JSON, and cancelling a flood of slow calls past
the in-flight capacity. This file extends those: a 10 MB line, more kinds of bad UTF-8,
and a flood of hundreds of calls past the capacity. Other cases: nesting depth, lone
surrogates, NUL bytes, batches per revision, duplicate ids in flight, responses nobody
asked for, notifications with ids, ids of every JSON type, huge numbers, thousands of
unknown members, end of input mid-line, and a client that stops reading.

Answers the core defines (every demo and the firmware run the same core):

- an unreadable message (parse error, bad id, not an object) gets its error without an
  `id` member (MCP's error response makes `id` optional; `"id": null` is never sent);
- objects and arrays may nest 64 deep (`Config::max_depth`); deeper is a parse error;
- a call's id and progress token may take 96 bytes together (`SLOT_TEXT`); pings and
  lists, which hold no slot, echo any id.

The limits come from the environment, as in test_robustness.py: PICOMCP_MAX_LINE (the
over-long line; the server reads less than that) and PICOMCP_INFLIGHT (the in-flight
capacity). A case that needs a long line read whole keeps it under half of
PICOMCP_MAX_LINE (the host demos read 1 MiB, the firmware 2 KiB) and is skipped where
it does not fit.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from demo_harness import LEGACY_VERSION, MODERN_VERSION, REQUEST_TIMEOUT, server_command, tree_rss_kib
from test_robustness import (
    CAPACITY,
    INTERNAL_ERROR,
    INVALID_REQUEST,
    LONG_LINE,
    PARSE_ERROR,
    Server,
    is_response,
    line,
    short,
    tool_call,
)
from test_robustness import request as rpc

# Raw stdin/stdout: a property of the stdio server process.
pytestmark = pytest.mark.stdio

METHOD_NOT_FOUND = -32601
# The core's nesting limit (Config::new().max_depth; no demo changes it).
MAX_DEPTH = 64
# Bytes of id and progress token text a call may carry (core/src/protocol/inflight.rs).
SLOT_TEXT = 96
# Lines shorter than this are read whole by the server under test (see the module doc).
ROOMY = LONG_LINE // 2
# The contract: the server exits with status 0 within a second of its stdin closing.
EXIT_BOUND = 1.0
# A limit as small as the firmware's: no room, or no point, for the largest inputs.
SMALL_SERVER = LONG_LINE < (1 << 20)

# Known bugs of a binding (not of the core), by serverInfo.name, reported rather than
# fixed: the case is marked xfail (strict, so a fix shows up) for that server only.
KNOWN_BUGS: dict[str, dict[str, str]] = {}


def roomy(length: int, what: str) -> None:
    """Skip unless a line of `length` bytes is read whole by the server under test."""
    if length >= ROOMY:
        pytest.skip(
            f"{what} is a {length}-byte line; PICOMCP_MAX_LINE={LONG_LINE} says the server reads "
            f"less than {LONG_LINE} bytes, and this suite only counts on lines under {ROOMY}"
        )


def known_bug(request: pytest.FixtureRequest, name: str, case: str) -> None:
    """Mark this test xfail when the server under test has a known bug for `case`."""
    reason = KNOWN_BUGS.get(name, {}).get(case)
    if reason:
        request.node.add_marker(pytest.mark.xfail(reason=f"known bug of {name}: {reason}", strict=True))


# --------------------------------------------------------------------------- the session


class Peer(Server):
    """A Server (test_robustness.py) that also hands out the raw lines, for the cases that
    compare bytes (ids echoed byte for byte, escapes)."""

    def __init__(self) -> None:
        super().__init__()
        self.name = ""
        self.canaries = 0

    def recv_raw(self, timeout: float = REQUEST_TIMEOUT) -> tuple[bytes, dict[str, Any]]:
        try:
            raw = self._stdout.get(timeout=max(0.0, timeout))
        except Exception:
            pytest.fail(f"no line from the server within {timeout:.1f} s; stderr: {self.stderr_text()[-2000:]!r}")
        assert raw, f"the server closed stdout; stderr: {self.stderr_text()[-2000:]!r}"
        assert raw.endswith(b"\n"), f"a line without its newline: {raw[:300]!r}"
        return raw, self._parse(raw)

    def handshake(self, version: str = LEGACY_VERSION) -> dict[str, Any]:
        self.send_bytes(
            line(
                rpc(
                    0,
                    "initialize",
                    {
                        "protocolVersion": version,
                        "capabilities": {},
                        "clientInfo": {"name": "picomcp-hostile-test", "version": "0"},
                    },
                )
            )
            + line({"jsonrpc": "2.0", "method": "notifications/initialized"})
        )
        _, answer = self.recv_raw()
        assert answer.get("id") == 0 and answer["result"]["protocolVersion"] == version, short(answer)
        self.name = answer["result"]["serverInfo"]["name"]
        return answer

    def exchange(
        self, *frames: bytes, timeout: float = REQUEST_TIMEOUT, expect: int = 0
    ) -> list[tuple[bytes, dict[str, Any]]]:
        """Write `frames` (a newline after each) and then an echo call, in one write; return
        what the server wrote besides the echo's answer, raw and parsed, after checking
        that answer: the server still serves. That is what came before the echo's answer,
        and after it until `expect` messages were seen: a server that runs calls on a
        worker pool (the Python demo) may answer the echo first."""
        self.canaries += 1
        text = f"still serving {self.canaries}"
        canary = f"canary-{self.canaries}"
        self.send_bytes(b"".join(f + b"\n" for f in frames) + line(tool_call(canary, "echo", {"text": text})))
        seen = []
        deadline = time.monotonic() + timeout
        while True:
            raw, message = self.recv_raw(deadline - time.monotonic())
            if is_response(message) and message.get("id") == canary:
                assert message.get("result", {}).get("content") == [{"type": "text", "text": text}], (
                    f"the good request after the hostile input was not answered right: {short(message)}"
                )
                while len(seen) < expect:
                    seen.append(self.recv_raw(deadline - time.monotonic()))
                return seen
            seen.append((raw, message))

    def quiet(self, seconds: float) -> list[tuple[bytes, dict[str, Any]]]:
        """Whatever the server writes within `seconds` (it should be nothing)."""
        seen = []
        until = time.monotonic() + seconds
        while (left := until - time.monotonic()) > 0:
            try:
                raw = self._stdout.get(timeout=left)
            except Exception:
                break
            assert raw, f"the server closed stdout; stderr: {self.stderr_text()[-2000:]!r}"
            seen.append((raw, self._parse(raw)))
        return seen

    def finish_clean(self) -> None:
        """Close stdin: exit status 0 within the bound, nothing more written."""
        self.close_stdin()
        started = time.monotonic()
        try:
            status = self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pytest.fail("the server was still running 10 s after its stdin closed")
        took = time.monotonic() - started
        rest = self.remaining_stdout()
        assert status == 0, f"exit status {status}; stderr: {self.stderr_text()[-2000:]!r}"
        assert rest == [], f"the server wrote more after the last answer: {rest[:3]!r}"
        # Half a second of slack on a busy machine; test_eof_mid_frame holds the bound.
        assert took < EXIT_BOUND + 0.5, f"the server took {took:.2f} s to exit after stdin closed"


def start_peer(version: str = LEGACY_VERSION) -> Peer:
    peer = Peer()
    try:
        peer.handshake(version)
    except BaseException:
        peer.kill()
        raise
    return peer


@pytest.fixture(scope="module")
def peer() -> Iterator[Peer]:
    """One legacy (2025-11-25) session for the cases that leave nothing behind: each case
    proves the session still serves, so one process serves them all (fast)."""
    p = start_peer()
    try:
        yield p
        p.finish_clean()
    finally:
        p.kill()
        if stderr := p.stderr_text():
            print(f"--- server stderr ---\n{stderr[-4000:]}")


@pytest.fixture
def fresh() -> Iterator[Peer]:
    """A session of its own, for the cases that end it or need it alone."""
    p = start_peer()
    try:
        yield p
    finally:
        p.kill()
        if stderr := p.stderr_text():
            print(f"--- server stderr ---\n{stderr[-4000:]}")


def error_of(message: dict[str, Any], code: int, text: str | None = None, request_id: Any = ...) -> dict[str, Any]:
    """`message` is the JSON-RPC error `code` (with message `text`, if given); with the
    id `request_id`, or without an id member when it is left out."""
    assert "error" in message and "result" not in message, f"expected error {code}: {short(message)}"
    error = message["error"]
    assert error.get("code") == code, f"expected error {code}: {short(message)}"
    assert isinstance(error.get("message"), str) and error["message"], short(message)
    if text is not None:
        assert error["message"] == text, f"expected the message {text!r}: {short(message)}"
    if request_id is ...:
        assert "id" not in message, f"an error for an unreadable message has no id member: {short(message)}"
    else:
        assert "id" in message and message["id"] == request_id, f"expected id {request_id!r}: {short(message)}"
    return error


def one(seen: list[tuple[bytes, dict[str, Any]]]) -> dict[str, Any]:
    assert len(seen) == 1, f"expected exactly one reply, got {len(seen)}: {short([m for _, m in seen])}"
    return seen[0][1]


def echo_line(text_json: bytes, request_id: bytes = b"1") -> bytes:
    """A tools/call echo whose `text` argument is `text_json`, a JSON value written by hand."""
    return (
        b'{"jsonrpc":"2.0","id":' + request_id + b',"method":"tools/call","params":{"name":"echo","arguments":{"text":'
        + text_json
        + b"}}}"
    )


ECHO_PREFIX = len(echo_line(b"", b"1")) - len(b"}}}")  # where the text value starts


def echoed(message: dict[str, Any]) -> str:
    content = message.get("result", {}).get("content")
    assert isinstance(content, list) and len(content) == 1 and content[0].get("type") == "text", short(message)
    assert not message["result"].get("isError"), short(message)
    return content[0]["text"]


# --------------------------------------------------------------------------- long lines


def test_ten_megabyte_line(peer: Peer) -> None:
    """A 10 MB well-formed echo request (ten times the host demos' 1 MiB buffer): one
    -32600 without an id (data.limit, when given, under the line's length), then the
    session serves. Extends test_robustness.py's line of PICOMCP_MAX_LINE bytes."""
    if SMALL_SERVER:
        pytest.skip(
            f"PICOMCP_MAX_LINE={LONG_LINE}: a small server (the firmware under QEMU, fed through an "
            "emulated UART) would take minutes for 10 MB; test_robustness.py covers its over-long line"
        )
    size = 10 * 1000 * 1000
    long_line = echo_line(b'"' + b"x" * (size - ECHO_PREFIX - 5) + b'"')
    assert len(long_line) == size
    started = time.monotonic()
    seen = peer.exchange(long_line)
    took = time.monotonic() - started
    error = error_of(one(seen), INVALID_REQUEST)
    limit = error.get("data", {}).get("limit")
    if limit is not None:
        assert isinstance(limit, int) and 0 < limit < size, f"data.limit {limit} for a {size}-byte line"
    print(f"10 MB line refused and the next request answered in {took * 1000:.0f} ms")


# --------------------------------------------------------------------------- nesting


def nested(depth: int, open_: bytes = b"[", close: bytes = b"]") -> bytes:
    return open_ * depth + close * depth


def test_hundred_thousand_deep_array(peer: Peer) -> None:
    """A line of 100 000 `[` (nothing else): -32700 'nesting too deep' at the first
    bracket past the limit, without an id; it is not taken for a batch."""
    frame = b"[" * 100_000
    roomy(len(frame), "100 000 open brackets")
    error_of(one(peer.exchange(frame)), PARSE_ERROR, f"Parse error: nesting too deep at byte {MAX_DEPTH}")


@pytest.mark.parametrize("kind", ["arrays", "objects"])
def test_hundred_thousand_deep_argument(peer: Peer, kind: str) -> None:
    """A tool argument nested 100 000 deep (arrays, or objects `{"a":{"a":...}}`), closed
    properly: -32700 'nesting too deep' at the bracket past the limit, without an id."""
    depth = 100_000
    if kind == "arrays":
        value, step = nested(depth), 1
    else:
        value, step = b'{"a":' * depth + b"1" + b"}" * depth, len(b'{"a":')
    frame = echo_line(value)
    roomy(len(frame), f"an argument {depth} deep")
    # The message, its params and its arguments are 3 levels: the value's 62nd is the 65th.
    at = ECHO_PREFIX + (MAX_DEPTH - 3) * step
    error_of(one(peer.exchange(frame)), PARSE_ERROR, f"Parse error: nesting too deep at byte {at}")


def test_nesting_at_the_limit(peer: Peer) -> None:
    """The boundary: an extra argument nested to exactly 64 levels in all is accepted
    (echo answers), one level more is -32700 'nesting too deep'."""
    def frame(depth: int) -> bytes:
        return (
            b'{"jsonrpc":"2.0","id":"deep","method":"tools/call","params":{"name":"echo","arguments":'
            b'{"text":"deep enough","pad":' + nested(depth - 3) + b"}}}"
        )

    [(_, answer)] = peer.exchange(frame(MAX_DEPTH), expect=1)
    assert answer.get("id") == "deep" and echoed(answer) == "deep enough", short(answer)
    too_deep = frame(MAX_DEPTH + 1)
    error_of(
        one(peer.exchange(too_deep)),
        PARSE_ERROR,
        f"Parse error: nesting too deep at byte {too_deep.index(b'[') + MAX_DEPTH - 3}",
    )


# --------------------------------------------------------------------------- UTF-8, surrogates, NUL

BAD_UTF8 = {
    "lone continuation byte": b"\x80",
    "0xff": b"ab\xff",
    "overlong slash": b"\xc0\xaf",
    "overlong NUL": b"\xc0\x80",
    "UTF-8-encoded surrogate": b"\xed\xa0\x80",
    "past U+10FFFF": b"\xf4\x90\x80\x80",
    "five-byte form": b"\xf8\x88\x80\x80\x80",
    "truncated at the closing quote": b"\xe2\x82",
    "truncated before ASCII": b"\xf0\x9f\x98x",
}


@pytest.mark.parametrize("bad", list(BAD_UTF8.values()), ids=list(BAD_UTF8))
def test_invalid_utf8_in_an_argument(peer: Peer, bad: bytes) -> None:
    """Invalid UTF-8 inside a JSON string (an echo argument): -32700 'invalid UTF-8' at
    the first byte of the bad sequence, without an id, however the sequence is broken.
    (test_robustness.py checks one case, 0xff 0xfe, for the code alone.)"""
    frame = echo_line(b'"' + bad + b'"')
    at = ECHO_PREFIX + 1 + next(i for i, b in enumerate(bad) if b >= 0x80)
    error_of(one(peer.exchange(frame)), PARSE_ERROR, f"Parse error: invalid UTF-8 at byte {at}")


@pytest.mark.parametrize(
    "frame",
    [
        b'{"jsonrpc":"2.0","id":1,"method":"ping","params":{"k\xff":1}}',
        b'{"jsonrpc":"2.0","id":1,"method":"pi\xc3ng"}',
        b'{"jsonrpc":"2.0","id":"\xe0\x80\x80","method":"ping"}',
    ],
    ids=["in a key", "in the method", "in a string id"],
)
def test_invalid_utf8_elsewhere(peer: Peer, frame: bytes) -> None:
    """Invalid UTF-8 in a member name, the method or a string id: -32700 without an id
    (the id is not read out of a message that does not parse)."""
    at = next(i for i, b in enumerate(frame) if b >= 0x80)
    error_of(one(peer.exchange(frame)), PARSE_ERROR, f"Parse error: invalid UTF-8 at byte {at}")


@pytest.mark.parametrize(
    "text",
    ["\U0010ffff", "\U0001f600 and \u00e9 and \u20ac", "\x7f\u0080\u07ff\u0800\uffff\U00010000", "\ufeffBOM"],
    ids=["U+10FFFF", "emoji", "boundaries", "BOM"],
)
def test_valid_utf8_round_trips(peer: Peer, text: str) -> None:
    """The control group: valid multi-byte UTF-8, up to U+10FFFF, sent raw, is echoed as
    the same characters."""
    frame = echo_line(json.dumps(text, ensure_ascii=False).encode())
    [(_, answer)] = peer.exchange(frame, expect=1)
    assert echoed(answer) == text, short(answer)


LONE_SURROGATES = {
    "high alone": rb'"\ud800"',
    "low alone": rb'"\udfff"',
    "high at the end": rb'"abc\udbff"',
    "high then ASCII": rb'"\ud800A"',
    "high then high": rb'"\ud800\ud800"',
    "high then a non-surrogate escape": rb'"\ud800\u0041"',
    "reversed pair": rb'"\ude00\ud83d"',
    "upper-case hex": rb'"\uD800"',
}


@pytest.mark.parametrize("value", list(LONE_SURROGATES.values()), ids=list(LONE_SURROGATES))
def test_lone_surrogate_in_an_argument(peer: Peer, value: bytes) -> None:
    """A `\\u` escape of a UTF-16 surrogate without its partner, in a tool argument: the
    core refuses the whole message (the text could not be turned into UTF-8) with -32700
    'lone UTF-16 surrogate' at the first escape of the string, without an id."""
    frame = echo_line(value)
    at = ECHO_PREFIX + value.index(b"\\")  # the escape
    error_of(one(peer.exchange(frame)), PARSE_ERROR, f"Parse error: lone UTF-16 surrogate in \\u escape at byte {at}")


@pytest.mark.parametrize(
    "frame",
    [
        rb'{"jsonrpc":"2.0","id":"\udc00","method":"ping"}',
        rb'{"jsonrpc":"2.0","id":1,"method":"ping\ud800"}',
        rb'{"jsonrpc":"2.0","id":1,"method":"ping","params":{"\ud800":1}}',
    ],
    ids=["in the id", "in the method", "in a key"],
)
def test_lone_surrogate_elsewhere(peer: Peer, frame: bytes) -> None:
    """A lone surrogate in the id, the method or a member name: -32700 without an id."""
    error = error_of(one(peer.exchange(frame)), PARSE_ERROR)
    assert error["message"].startswith("Parse error: lone UTF-16 surrogate in \\u escape at byte "), error


@pytest.mark.parametrize("pair", [rb"\ud83d\ude00", rb"\uD83D\uDE00", rb"\udbff\udfff"], ids=["lower", "upper", "max"])
def test_surrogate_pair_round_trips(peer: Peer, pair: bytes) -> None:
    """The control group: a proper surrogate pair is one character, echoed as such."""
    [(_, answer)] = peer.exchange(echo_line(b'"x' + pair + b'y"'), expect=1)
    assert echoed(answer) == "x" + json.loads(b'"' + pair + b'"') + "y", short(answer)


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (b"\x00", "Parse error: unexpected character at byte 0"),
        (b"\x00" * 64, "Parse error: unexpected character at byte 0"),
        (b'{"jsonrpc":"2.0",\x00"id":1,"method":"ping"}', "Parse error: unexpected character at byte 17"),
        (b'{"jsonrpc":"2.0","id":1,"method":"ping"}\x00', "Parse error: trailing characters after the value at byte 40"),
        (echo_line(b'"a\x00b"'), f"Parse error: control character in string at byte {ECHO_PREFIX + 2}"),
    ],
    ids=["a lone NUL", "NULs only", "between members", "after the message", "inside a string"],
)
def test_raw_nul_byte(peer: Peer, frame: bytes, message: str) -> None:
    """A raw 0x00 byte in a line: -32700 without an id (inside a string it is an
    unescaped control character), and the line after it is read normally."""
    error_of(one(peer.exchange(frame)), PARSE_ERROR, message)


def test_escaped_nul_and_controls_round_trip(peer: Peer) -> None:
    """`\\u0000` and every other control character, escaped in an argument, are echoed
    back exactly: the same characters, written as escapes (no raw control byte on
    stdout, which would break the line framing)."""
    text = "a\x00b" + "".join(chr(c) for c in range(1, 0x20)) + "\x00end"
    [(raw, answer)] = peer.exchange(echo_line(json.dumps(text).encode()), expect=1)
    assert echoed(answer) == text, short(answer)
    assert not any(b < 0x20 for b in raw[:-1]), f"a raw control byte in the answer: {raw!r}"
    assert rb"\u0000" in raw, raw


# --------------------------------------------------------------------------- batches


def batch(*messages: dict[str, Any]) -> bytes:
    return json.dumps(list(messages), separators=(",", ":")).encode()


@pytest.mark.parametrize("version", ["2024-11-05", "2025-06-18", LEGACY_VERSION])
def test_batch_refused_outside_2025_03_26(version: str) -> None:
    """A JSON-RPC batch in a session of any revision but 2025-03-26: one -32600 without an
    id for the whole array (none of its requests runs), and the session serves."""
    p = start_peer(version)
    try:
        frame = batch(rpc(1, "ping"), tool_call(2, "echo", {"text": "in a batch"}))
        error_of(
            one(p.exchange(frame)),
            INVALID_REQUEST,
            "Invalid request: JSON-RPC batches are not supported in this protocol revision",
        )
        p.finish_clean()
    finally:
        p.kill()


def test_batch_refused_without_a_session() -> None:
    """Before any initialize (and so for 2026-07-28 requests, which have no session), a
    batch of modern requests is refused as a whole: -32600 without an id."""
    p = Peer()
    try:
        meta = {
            "io.modelcontextprotocol/protocolVersion": MODERN_VERSION,
            "io.modelcontextprotocol/clientCapabilities": {},
        }
        frame = batch(rpc(1, "tools/list", {"_meta": meta}))
        p.send_bytes(frame + b"\n" + line(rpc(2, "tools/list", {"_meta": meta})))
        _, first = p.recv_raw()
        error_of(first, INVALID_REQUEST, "Invalid request: JSON-RPC batches are not supported in this protocol revision")
        _, second = p.recv_raw()
        assert second.get("id") == 2 and "tools" in second.get("result", {}), short(second)
        p.finish_clean()
    finally:
        p.kill()


def test_batches_in_2025_03_26() -> None:
    """2025-03-26 had batches: each element is handled as if it came alone, and answered
    on a line of its own, in order. A bad element gets its own error, the others their
    answers; an array element is not a message; notifications and responses get nothing;
    an empty batch is one -32600; a slow call in a batch does not hold up the elements
    after it; a duplicate id inside a batch is refused like any other."""
    p = start_peer("2025-03-26")
    try:
        seen = p.exchange(
            batch(
                rpc(1, "ping"),
                {"jsonrpc": "2.0", "method": "notifications/whatever"},
                tool_call(2, "echo", {"text": "in a batch"}),
                {"jsonrpc": "2.0", "id": 99, "result": {}},
            )
        )
        assert [m for _, m in seen] == [
            {"jsonrpc": "2.0", "id": 1, "result": {}},
            {"jsonrpc": "2.0", "id": 2, "result": {"content": [{"type": "text", "text": "in a batch"}]}},
        ], short([m for _, m in seen])

        seen = p.exchange(b'[42,[{"jsonrpc":"2.0","id":3,"method":"ping"}],{"jsonrpc":"2.0","id":4,"method":"no/such"}]')
        assert len(seen) == 3, short([m for _, m in seen])
        error_of(seen[0][1], INVALID_REQUEST, "Invalid request: a message must be a JSON object")
        error_of(seen[1][1], INVALID_REQUEST, "Invalid request: a message must be a JSON object")
        error_of(seen[2][1], METHOD_NOT_FOUND, "Method not found: no/such", request_id=4)

        error_of(one(p.exchange(b"[]")), INVALID_REQUEST, "Invalid request: empty batch")
        assert p.exchange(batch({"jsonrpc": "2.0", "method": "notifications/a"}, {"jsonrpc": "2.0", "id": 7, "result": {}})) == []

        # A slow call and a duplicate of it in one batch, then a ping: the duplicate is
        # refused, the ping answered at once, the slow call later.
        seen = p.exchange(
            batch(tool_call(5, "slow", {"ms": 300}), tool_call(5, "slow", {"ms": 1}), rpc(6, "ping"))
        )
        assert len(seen) == 2, short([m for _, m in seen])
        error_of(seen[0][1], INVALID_REQUEST, "Invalid request: this id is already used by a request in flight", 5)
        assert seen[1][1] == {"jsonrpc": "2.0", "id": 6, "result": {}}, short(seen[1][1])
        _, late = p.recv_raw()
        assert late.get("id") == 5 and echoed(late) == "waited 300 ms", short(late)

        # A big batch (where the line fits): every element answered, in order.
        big = batch(*(rpc(1000 + i, "ping") for i in range(1000)))
        if len(big) < ROOMY:
            seen = p.exchange(big)
            assert [m.get("id") for _, m in seen] == [1000 + i for i in range(1000)]
            assert all(m.get("result") == {} for _, m in seen)
        p.finish_clean()
    finally:
        p.kill()


# --------------------------------------------------------------------------- ids


def test_duplicate_id_in_flight(peer: Peer) -> None:
    """Two slow calls with the same id, written together: the second is refused at once
    with -32600 'this id is already used by a request in flight' carrying that id (it
    never runs: no progress for its token); the first runs to its one result. Once it
    is answered, the id can be used again. The id 7 and the id "7" are different ids."""
    first = tool_call("dup", "slow", {"ms": 300}, progress_token="first")
    second = tool_call("dup", "slow", {"ms": 100}, progress_token="second")
    seen = [
        (raw, m) for raw, m in peer.exchange(line(first)[:-1], line(second)[:-1])
        if not (m.get("method") == "notifications/progress" and m["params"].get("progressToken") == "first")
    ]
    error_of(one(seen), INVALID_REQUEST, "Invalid request: this id is already used by a request in flight", "dup")
    deadline = time.monotonic() + REQUEST_TIMEOUT
    while True:
        _, message = peer.recv_raw(deadline - time.monotonic())
        if message.get("method") == "notifications/progress":
            assert message["params"]["progressToken"] == "first", f"progress for the refused call: {short(message)}"
            continue
        assert message.get("id") == "dup" and echoed(message) == "waited 300 ms", short(message)
        break
    [(_, again)] = peer.exchange(line(tool_call("dup", "echo", {"text": "reused"}))[:-1], expect=1)
    assert again.get("id") == "dup" and echoed(again) == "reused", short(again)

    seen = peer.exchange(line(tool_call(7, "slow", {"ms": 50}))[:-1], line(tool_call("7", "slow", {"ms": 50}))[:-1])
    assert seen == [], f"7 and \"7\" are different ids: {short([m for _, m in seen])}"
    answers = [peer.recv_raw()[1], peer.recv_raw()[1]]
    assert sorted(json.dumps(m["id"]) for m in answers) == ['"7"', "7"], short(answers)
    assert all(echoed(m) == "waited 50 ms" for m in answers), short(answers)


VALID_IDS = {
    "string": b'"abc"',
    "empty string": b'""',
    "escapes": rb'"a\"b\\c\u00e9\n"',
    "surrogate pair": rb'"\ud83d\ude00"',
    "raw UTF-8": '"\u00e9\u20ac\U0001f600"'.encode(),
    "integer": b"42",
    "zero": b"0",
    "minus zero": b"-0",
    "negative": b"-7",
    "past 2^64": b"123456789012345678901234567890",
    "negative past 2^64": b"-123456789012345678901234567890",
    "long string": b'"' + b"i" * 10_000 + b'"',
}

INVALID_IDS = {
    "float": b"1.5",
    "integral float": b"1.0",
    "exponent": b"1e3",
    "huge exponent": b"1e400",
    "negative fraction": b"-1.5e-3",
    "null": b"null",
    "true": b"true",
    "false": b"false",
    "object": b'{"a":1}',
    "empty object": b"{}",
    "array": b"[1]",
    "empty array": b"[]",
}


@pytest.mark.parametrize("raw_id", list(VALID_IDS.values()), ids=list(VALID_IDS))
def test_valid_id_echoed_byte_for_byte(peer: Peer, raw_id: bytes) -> None:
    """A string or integer id is echoed in the answer exactly as written (escapes,
    digits past 2^64 and `-0` kept). A ping holds no slot, so any length is echoed."""
    roomy(len(raw_id) + 64, "the ping with a long id")
    frame = b'{"jsonrpc":"2.0","id":' + raw_id + b',"method":"ping"}'
    [(raw, answer)] = peer.exchange(frame, expect=1)
    assert raw == b'{"jsonrpc":"2.0","id":' + raw_id + b',"result":{}}\n', raw[:300]
    assert answer["id"] == json.loads(raw_id)


@pytest.mark.parametrize("raw_id", [b'"abc"', b"-7", b"123456789012345678901234567890"], ids=["string", "negative", "huge"])
def test_valid_id_on_a_call(peer: Peer, raw_id: bytes) -> None:
    """The same for a tool call, which holds a slot while it runs."""
    [(raw, answer)] = peer.exchange(echo_line(b'"id"', raw_id), expect=1)
    assert raw.startswith(b'{"jsonrpc":"2.0","id":' + raw_id + b',"result":'), raw[:300]
    assert echoed(answer) == "id"


def test_call_id_longer_than_a_slot(peer: Peer) -> None:
    """A call whose id (with its progress token) is longer than a slot keeps (96 bytes):
    -32600 'the id and progressToken are too long for the server', with the id echoed
    in full; the same call with a 96-byte id runs."""
    too_long = b'"' + b"L" * (SLOT_TEXT - 1) + b'"'  # 97 bytes with its quotes
    error_of(
        one(peer.exchange(echo_line(b'"x"', too_long))),
        INVALID_REQUEST,
        "Invalid request: the id and progressToken are too long for the server",
        json.loads(too_long),
    )
    fits = b'"' + b"F" * (SLOT_TEXT - 2) + b'"'
    [(_, answer)] = peer.exchange(echo_line(b'"x"', fits), expect=1)
    assert answer["id"] == json.loads(fits) and echoed(answer) == "x", short(answer)


@pytest.mark.parametrize("raw_id", list(INVALID_IDS.values()), ids=list(INVALID_IDS))
def test_invalid_id(peer: Peer, raw_id: bytes) -> None:
    """An id that is neither a string nor an integer (JSON-RPC and MCP allow only those):
    -32600 'id must be a string or an integer', without an id member (the core never
    writes `"id": null`), whether the message is a ping or a tool call (which must not
    run)."""
    for frame in (
        b'{"jsonrpc":"2.0","id":' + raw_id + b',"method":"ping"}',
        echo_line(b'"must not run"', raw_id),
    ):
        error_of(one(peer.exchange(frame)), INVALID_REQUEST, "Invalid request: id must be a string or an integer")


# --------------------------------------------------------------------------- envelopes


def test_responses_nobody_asked_for(peer: Peer) -> None:
    """Responses to requests the server never sent (it sent none): results and errors,
    with integer, string, null and huge ids, are dropped without a word; the session
    serves."""
    seen = peer.exchange(
        b'{"jsonrpc":"2.0","id":99,"result":{}}',
        b'{"jsonrpc":"2.0","id":1,"result":{"content":[]}}',
        b'{"jsonrpc":"2.0","id":"x","result":null}',
        b'{"jsonrpc":"2.0","id":99,"error":{"code":-32601,"message":"no"}}',
        b'{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}}',
        b'{"jsonrpc":"2.0","id":123456789012345678901234567890,"result":{}}',
        b'{"jsonrpc":"2.0","id":0,"error":"not even an object"}',
    )
    assert seen == [], f"answers to responses: {short([m for _, m in seen])}"


@pytest.mark.parametrize(
    ("frame", "request_id", "code", "message"),
    [
        (b'{"jsonrpc":"2.0","result":{}}', ..., INVALID_REQUEST, "neither a request, a notification nor a response"),
        (b'{"jsonrpc":"2.0","id":7,"result":{},"error":{}}', 7, INVALID_REQUEST, "neither a request, a notification nor a response"),
        (b'{"jsonrpc":"2.0","id":8}', 8, INVALID_REQUEST, "neither a request, a notification nor a response"),
        (b'{"jsonrpc":"2.0","id":9,"params":{}}', 9, INVALID_REQUEST, "neither a request, a notification nor a response"),
        (b'{"jsonrpc":"2.0","id":10,"method":null}', 10, INVALID_REQUEST, "method must be a string"),
        (b'{"id":11,"method":"ping"}', 11, INVALID_REQUEST, 'jsonrpc must be "2.0"'),
        (b'{"jsonrpc":2.0,"id":12,"method":"ping"}', 12, INVALID_REQUEST, 'jsonrpc must be "2.0"'),
    ],
    ids=["result without id", "result and error", "id alone", "params without method", "method null", "no jsonrpc", "jsonrpc number"],
)
def test_not_a_message(peer: Peer, frame: bytes, request_id: Any, code: int, message: str) -> None:
    """A request without a method, a response with both result and error or without an
    id, a bad jsonrpc member: -32600, with the id when one could be read."""
    error_of(one(peer.exchange(frame)), code, f"Invalid request: {message}", request_id)


def test_notification_methods_with_an_id(peer: Peer) -> None:
    """A notification method sent with an id is a request, and answered as one: -32601
    with its id. In particular notifications/cancelled with an id cancels nothing: the
    slow call it names still answers."""
    seen = peer.exchange(
        line(tool_call("victim", "slow", {"ms": 200}))[:-1],
        b'{"jsonrpc":"2.0","id":12,"method":"notifications/initialized"}',
        b'{"jsonrpc":"2.0","id":13,"method":"notifications/cancelled","params":{"requestId":"victim"}}',
    )
    assert len(seen) == 2, short([m for _, m in seen])
    error_of(seen[0][1], METHOD_NOT_FOUND, "Method not found: notifications/initialized", 12)
    error_of(seen[1][1], METHOD_NOT_FOUND, "Method not found: notifications/cancelled", 13)
    _, late = peer.recv_raw()
    assert late.get("id") == "victim" and echoed(late) == "waited 200 ms", short(late)


def test_requests_without_an_id_are_notifications(peer: Peer) -> None:
    """A request method without an id is a notification: never answered (not even with
    an error), and a tool call sent that way does not run."""
    seen = peer.exchange(
        b'{"jsonrpc":"2.0","method":"ping"}',
        b'{"jsonrpc":"2.0","method":"tools/call","params":{"name":"echo","arguments":{"text":"no"}}}',
        b'{"jsonrpc":"2.0","method":"tools/call","params":{"name":"slow","arguments":{"ms":10},"_meta":{"progressToken":"n"}}}',
        b'{"jsonrpc":"2.0","method":"no/such/method","params":[1,2]}',
    )
    seen += peer.quiet(0.15)  # a slow(10) that did run would have reported by now
    assert seen == [], f"answers to notifications: {short([m for _, m in seen])}"


# --------------------------------------------------------------------------- numbers


def add_line(a: bytes, b: bytes, request_id: bytes = b'"add"') -> bytes:
    return (
        b'{"jsonrpc":"2.0","id":' + request_id + b',"method":"tools/call","params":{"name":"add","arguments":{"a":'
        + a + b',"b":' + b + b"}}}"
    )


@pytest.mark.parametrize(
    ("a", "b", "total"),
    [
        (b"123456789012345678901234567890", b"1", 123456789012345678901234567890.0 + 1.0),
        (b"-123456789012345678901234567890", b"123456789012345678901234567890", 0.0),
        (b"1e-400", b"2", 2.0),
        (b"0." + b"0" * 1000 + b"1", b"1", 1.0),
        (b"1.7976931348623157e308", b"0", 1.7976931348623157e308),
        (b"9007199254740993", b"0", 9007199254740992.0),
    ],
    ids=["past 2^64", "cancelling", "underflow", "1000 zeros", "max double", "2^53+1"],
)
def test_add_huge_numbers(peer: Peer, a: bytes, b: bytes, total: float) -> None:
    """Numbers past 64-bit integers and doubles are still numbers: add sums them as
    doubles (structuredContent.sum, compared as a double; formatting may differ)."""
    [(_, answer)] = peer.exchange(add_line(a, b), expect=1)
    result = answer.get("result", {})
    assert not result.get("isError"), short(answer)
    assert float(result["structuredContent"]["sum"]) == total, short(answer)
    assert float(json.loads(result["content"][0]["text"])["sum"]) == total, short(answer)


@pytest.mark.parametrize(
    ("a", "b"),
    [(b"1e400", b"1"), (b"-1e400", b"1e400"), (b"1" + b"0" * 400, b"0"), (b"1.7976931348623157e308", b"1e308")],
    ids=["1e400", "inf minus inf", "400 digits", "overflowing sum"],
)
def test_add_overflow(peer: Peer, a: bytes, b: bytes) -> None:
    """A number beyond the largest double (1e400, 400 digits) or a sum that overflows: the
    demo's tool error (isError, 'the sum is too large to represent'), not a crash, not
    `Infinity` or `NaN` in the JSON."""
    [(raw, answer)] = peer.exchange(add_line(a, b), expect=1)
    result = answer.get("result", {})
    assert result.get("isError") is True, short(answer)
    # The Rust, C and Node demos say 'the sum is too large to represent'; the Python
    # binding cannot make a float of a 400-digit integer and says why.
    [block] = result["content"]
    assert block["type"] == "text" and "too large" in block["text"], short(answer)
    assert b"Infinity" not in raw and b"NaN" not in raw, raw


@pytest.mark.parametrize(
    ("ms", "text"),
    [
        (b"1e400", "Invalid arguments for tool slow: `ms` must be an integer, not a number"),
        (b"123456789012345678901234567890", "Invalid arguments for tool slow: `ms` must be <= 600000"),
        (b"-1e400", "Invalid arguments for tool slow: `ms` must be an integer, not a number"),
        (b"0.5", "Invalid arguments for tool slow: `ms` must be an integer, not a number"),
    ],
    ids=["1e400", "past 2^64", "-1e400", "fraction"],
)
def test_slow_with_impossible_ms(peer: Peer, ms: bytes, text: str) -> None:
    """slow's `ms` (an integer, 0 to 600000) given 1e400 or 30 digits: a tool error naming
    `ms` (the contract), checked by the core against the inputSchema."""
    frame = b'{"jsonrpc":"2.0","id":"ms","method":"tools/call","params":{"name":"slow","arguments":{"ms":' + ms + b"}}}"
    [(_, answer)] = peer.exchange(frame, expect=1)
    assert answer.get("result") == {"content": [{"type": "text", "text": text}], "isError": True}, short(answer)


def test_integer_written_with_an_exponent(peer: Peer, request: pytest.FixtureRequest) -> None:
    """JSON Schema counts 1e2 and 100.0 as integers, so slow accepts them as 100: the
    result says `waited 100 ms`, the integer, as the contract words it."""
    known_bug(request, peer.name, "integral float")
    for ms in (b"1e2", b"100.0"):
        frame = b'{"jsonrpc":"2.0","id":"ms","method":"tools/call","params":{"name":"slow","arguments":{"ms":' + ms + b"}}}"
        seen = peer.exchange(frame)
        # Accepted, the call ends after the canary; refused, its tool error comes first.
        answer = seen[0][1] if seen else peer.recv_raw()[1]
        assert echoed(answer) == "waited 100 ms", f"slow(ms={ms.decode()}): {short(answer)}"


# --------------------------------------------------------------------------- many members

N_KEYS = 10_000


@pytest.mark.parametrize("where", ["message", "params", "_meta", "arguments"])
def test_ten_thousand_unknown_members(peer: Peer, where: str) -> None:
    """10 000 unknown members in the message, its params, params._meta or the tool
    arguments (which the echo schema does not close): ignored, and echo answers."""
    filler = ",".join(f'"k{i}":{i}' for i in range(N_KEYS)).encode()
    meta = b'"_meta":{' + filler + b"}," if where == "_meta" else b""
    frame = (
        b'{"jsonrpc":"2.0",' + (filler + b"," if where == "message" else b"") + b'"id":"many","method":"tools/call",'
        b'"params":{' + (filler + b"," if where == "params" else b"") + meta + b'"name":"echo","arguments":{'
        + (filler + b"," if where == "arguments" else b"") + b'"text":"found"}}}'
    )
    roomy(len(frame), f"{N_KEYS} members")
    json.loads(frame)
    started = time.monotonic()
    [(_, answer)] = peer.exchange(frame, expect=1)
    assert answer.get("id") == "many" and echoed(answer) == "found", short(answer)
    print(f"{N_KEYS} unknown members in {where}: answered in {(time.monotonic() - started) * 1000:.0f} ms")


@pytest.mark.parametrize(
    ("params", "text"),
    [
        (rb'{"n\u0061me":"echo","arguments":{"text":"escaped key"}}', "escaped key"),
        (rb'{"name":"echo","\u0061rguments":{"text":"escaped arguments"}}', "escaped arguments"),
        (rb'{"name":"echo","arguments":{"t\u0065xt":"escaped argument name"}}', "escaped argument name"),
    ],
    ids=["name", "arguments", "argument name"],
)
def test_member_names_with_escapes(peer: Peer, params: bytes, text: str) -> None:
    """A member name written with escapes is the same name (`"n\\u0061me"` is `"name"`,
    as any JSON parser reads it): the call runs as if it were written plainly."""
    frame = b'{"jsonrpc":"2.0","id":"esc","method":"tools/call","params":' + params + b"}"
    [(_, answer)] = peer.exchange(frame, expect=1)
    assert answer.get("id") == "esc" and echoed(answer) == text, short(answer)


def test_envelope_member_names_with_escapes(peer: Peer) -> None:
    """Escaped names in the envelope: `"\\u0069d"` is the id, `"m\\u0065thod"` the method,
    so the request is answered (and not taken for a notification)."""
    [(raw, answer)] = peer.exchange(rb'{"jsonrpc":"2.0","\u0069d":"e1","m\u0065thod":"ping"}', expect=1)
    assert raw == b'{"jsonrpc":"2.0","id":"e1","result":{}}\n', raw


def test_duplicate_names_first_wins_whatever_the_spelling(peer: Peer) -> None:
    """A name given twice counts at its first occurrence, however either is spelled: with
    `"n\\u0061me":"fail"` first and `"name":"echo"` second, the tool is `fail`. (The
    HTTP header checks read the body the same way: see test_hostile_http.py.)"""
    frame = (
        rb'{"jsonrpc":"2.0","id":"dup-name","method":"tools/call","params":'
        rb'{"n\u0061me":"fail","name":"echo","arguments":{"text":"smuggled"}}}'
    )
    [(_, answer)] = peer.exchange(frame, expect=1)
    result = answer.get("result", {})
    assert result.get("isError") is True and "smuggled" not in json.dumps(result), short(answer)


# --------------------------------------------------------------------------- flood


def test_flood_hundreds_past_capacity(fresh: Peer) -> None:
    """CAPACITY + 200 slow(1000) calls with pings between them, in one write: every
    request gets exactly one answer: the pings theirs, the first CAPACITY calls their
    results, every other call its result or -32603 with data.capacity (PICOMCP_INFLIGHT);
    calls past the capacity are refused (a server that reads its input slowly, the
    firmware through its UART, may see early calls end and take a few more). Then the
    session serves. (test_robustness.py floods 3 past the capacity and checks
    cancellation.)"""
    total = CAPACITY + 200
    frames = []
    for i in range(total):
        frames.append(line(tool_call(i, "slow", {"ms": 1000}))[:-1])
        if i % 50 == 0:
            frames.append(line(rpc(f"ping-{i}", "ping"))[:-1])
    fresh.send_bytes(b"".join(f + b"\n" for f in frames))
    answers: dict[Any, list[dict[str, Any]]] = {}
    deadline = time.monotonic() + REQUEST_TIMEOUT
    while sum(len(v) for v in answers.values()) < len(frames):
        _, message = fresh.recv_raw(deadline - time.monotonic())
        assert is_response(message), short(message)
        answers.setdefault(message["id"], []).append(message)
    assert all(len(v) == 1 for v in answers.values()), "a request answered twice"
    assert all(answers[f"ping-{i}"][0].get("result") == {} for i in range(0, total, 50))
    refused = 0
    for i in range(total):
        [answer] = answers[i]
        if "result" in answer or i < CAPACITY:
            assert echoed(answer) == "waited 1000 ms", f"call {i}: {short(answer)}"
        else:
            error = error_of(answer, INTERNAL_ERROR, None, i)
            assert error.get("data", {}).get("capacity") == CAPACITY, short(answer)
            refused += 1
    assert refused > 0, f"no call of {total} was refused: the capacity is not {CAPACITY} (PICOMCP_INFLIGHT)"
    assert fresh.exchange() == []
    fresh.finish_clean()


# --------------------------------------------------------------------------- end of input


def test_eof_mid_frame(fresh: Peer) -> None:
    """stdin closes in the middle of a line: the server exits with status 0 within a
    second, and stdout holds only whole JSON lines: nothing at all, or one -32700 for the
    truncated frame (the core's drivers answer a last unterminated frame), without an id."""
    fresh.send_bytes(b'{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"echo","argu')
    fresh.close_stdin()
    started = time.monotonic()
    try:
        status = fresh.proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pytest.fail("the server was still running 10 s after its stdin closed")
    took = time.monotonic() - started
    rest = fresh.remaining_stdout()
    assert all(r.endswith(b"\n") for r in rest), f"half-written output: {rest!r}"
    messages = [fresh._parse(r) for r in rest]
    assert len(messages) <= 1, short(messages)
    for message in messages:
        error = error_of(message, PARSE_ERROR)
        assert error["message"].startswith("Parse error: unexpected end of input"), short(message)
    assert status == 0, f"exit status {status}; stderr: {fresh.stderr_text()[-2000:]!r}"
    assert took < EXIT_BOUND, f"exit took {took:.2f} s"


def test_eof_after_a_message_without_newline(fresh: Peer, request: pytest.FixtureRequest) -> None:
    """A complete message whose newline never comes (stdin closes right after it) is
    still a message: it is answered, then the server exits with status 0."""
    known_bug(request, fresh.name, "last line")
    fresh.send_bytes(b'{"jsonrpc":"2.0","id":"last","method":"ping"}')
    fresh.close_stdin()
    status = fresh.proc.wait(timeout=10)
    rest = fresh.remaining_stdout()
    assert status == 0
    assert rest == [b'{"jsonrpc":"2.0","id":"last","result":{}}\n'], rest


# --------------------------------------------------------------------------- a client that does not read


class Unread:
    """The server as a bare process whose stdout is read only when the test says so."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            server_command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.out = self.proc.stdout.fileno()
        self.buffer = b""
        self.written = 0

    def write(self, data: bytes) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(data)
        self.proc.stdin.flush()
        self.written += len(data)

    def lines(self, n: int, timeout: float) -> list[bytes]:
        """The next `n` lines of stdout."""
        got: list[bytes] = []
        deadline = time.monotonic() + timeout
        while len(got) < n:
            while b"\n" in self.buffer and len(got) < n:
                one_line, self.buffer = self.buffer.split(b"\n", 1)
                got.append(one_line)
            if len(got) == n:
                break
            left = deadline - time.monotonic()
            assert left > 0, f"{len(got)} of {n} lines within {timeout} s"
            ready, _, _ = select.select([self.out], [], [], left)
            if ready:
                chunk = os.read(self.out, 1 << 20)
                assert chunk, f"stdout closed after {len(got)} of {n} lines"
                self.buffer += chunk
        return got

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def test_client_that_stops_reading(request: pytest.FixtureRequest) -> None:
    """A client writes 64 MiB of echo calls (32 KiB each) and reads nothing for 2.5 s.
    The server must push back (stop reading once its output is stuck) rather than buffer:
    its memory (VmRSS of its process tree) grows by less than 24 MiB. Then the client
    reads, and every answer arrives, once and intact: no deadlock, nothing lost."""
    if SMALL_SERVER:
        pytest.skip(
            f"PICOMCP_MAX_LINE={LONG_LINE}: a small server's memory is static (the firmware has no heap; "
            "its emulator's RSS says nothing about it), and 64 MiB through an emulated UART takes minutes"
        )
    # 32 KiB: the C demo's answers are at most 64 KiB (its result_bytes).
    size, count = 32 << 10, 2048
    text = "z" * size
    server = Unread()
    try:
        server.write(line(rpc(0, "initialize", {"protocolVersion": LEGACY_VERSION, "capabilities": {},
                                                      "clientInfo": {"name": "unread", "version": "0"}})))
        server.write(line({"jsonrpc": "2.0", "method": "notifications/initialized"}))
        [init] = server.lines(1, REQUEST_TIMEOUT)
        name = json.loads(init)["result"]["serverInfo"]["name"]
        known_bug(request, name, "stops reading")
        # Warm up with a few calls of the same size, each read at once: the steady state.
        for i in range(8):
            server.write(line(tool_call(f"w{i}", "echo", {"text": text})))
            server.lines(1, REQUEST_TIMEOUT)
        time.sleep(0.2)
        baseline = tree_rss_kib(server.proc.pid)

        calls = [line(tool_call(i, "echo", {"text": text})) for i in range(count)]
        total = sum(map(len, calls))
        failure: list[BaseException] = []
        server.written = 0

        def writer() -> None:
            try:
                for call in calls:
                    server.write(call)
            except BaseException as e:  # noqa: BLE001 - reported by the test
                failure.append(e)

        thread = threading.Thread(target=writer, daemon=True)
        thread.start()
        peak = baseline
        stall_until = time.monotonic() + 2.5
        while time.monotonic() < stall_until:
            peak = max(peak, tree_rss_kib(server.proc.pid))
            time.sleep(0.05)
        taken = server.written
        grown = (peak - baseline) >> 10
        assert grown < 24, (
            f"{name}: memory grew by {grown} MiB ({baseline >> 10} -> {peak >> 10} MiB) while the client did "
            f"not read; it took {taken >> 10} KiB of the {total >> 20} MiB of input meanwhile (no backpressure)"
        )
        started = time.monotonic()
        answers = server.lines(count, 60)
        thread.join(10)
        assert not failure, failure
        # JSON-RPC answers may come in any order (a server with a worker pool finishes
        # calls out of order): each id once, each answer intact.
        ids = []
        for raw in answers:
            message = json.loads(raw)
            ids.append(message.get("id"))
            assert message["result"]["content"] == [{"type": "text", "text": text}], f"answer {ids[-1]!r} damaged"
        assert sorted(ids) == list(range(count)), f"{name}: ids missing or answered twice"
        print(
            f"grew {grown} MiB while stuck (it took {taken >> 10} KiB of the {total >> 20} MiB written); "
            f"{count} answers read in {time.monotonic() - started:.1f} s"
        )
        assert server.proc.stdin is not None
        server.proc.stdin.close()
        assert server.proc.wait(timeout=10) == 0
    finally:
        server.kill()
