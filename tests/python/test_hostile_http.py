"""Hostile input on Streamable HTTP, as raw bytes on TCP sockets: what a broken or
malicious client may send below the level of any HTTP client library. Each case checks
the exact answer (status, the headers that matter, the JSON-RPC error where there is
one) and then that a good request is served: on the same connection when the server
keeps it, on a new one when the server must close it (an HTTP/1.1 stream cannot be
resynchronised after a bad head: `Connection: close`, then the close).

test_http.py already checks, with an HTTP client: a legacy request without a session
(400), an unknown or deleted session (404), a foreign Host or Origin (403), a 2026-07-28
request without MCP-Protocol-Version (400, -32020) and an unknown method (404). This file
extends those with what a client library never sends: too many or too long headers,
oversized and mis-sized bodies, chunked bodies, slow senders, malformed session ids and
version headers, hostile bodies, pipelining, and a client pushing bytes behind a stream.

The limits are the core's (core/src/http/head.rs, `Limits::DEFAULT`; every demo's HTTP
driver uses them): 32 header lines, an 8 KiB head, a 1 MiB body.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest

from demo_harness import LEGACY_VERSION, MODERN_VERSION, REQUEST_TIMEOUT, HttpServer, SseParser, tree_rss_kib

pytestmark = pytest.mark.http

MAX_HEADERS = 32
MAX_HEAD = 8 * 1024
MAX_BODY = 1024 * 1024

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
INVALID_PARAMS = -32602
HEADER_MISMATCH = -32020
UNSUPPORTED_VERSION = -32022

# Known bugs of a binding (not of the core), by serverInfo.name: the case is marked xfail
# (strict, so a fix shows up) for that server only.
KNOWN_BUGS: dict[str, dict[str, str]] = {}


# --------------------------------------------------------------------------- raw HTTP


@dataclass
class Response:
    status: int
    reason: str
    headers: list[tuple[str, str]]  # names in lower case, in order
    body: bytes = b""
    events: list[Any] = field(default_factory=list)

    def header(self, name: str) -> str | None:
        return next((v for n, v in self.headers if n == name.lower()), None)

    def message(self) -> dict[str, Any]:
        """The JSON-RPC message of a JSON response or of a one-event stream."""
        content_type = (self.header("content-type") or "").split(";")[0].strip()
        if content_type == "text/event-stream":
            events = SseParser().feed(self.body)
            assert len(events) == 1, f"expected one event: {self.body!r}"
            return json.loads(events[0].data)
        assert content_type == "application/json", (self.status, self.headers, self.body[:300])
        return json.loads(self.body)


class Conn:
    """One TCP connection to the server, speaking raw HTTP/1.1."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        assert parts.hostname and parts.port
        self.authority = f"{parts.hostname}:{parts.port}"
        self.path = parts.path
        self.sock = socket.create_connection((parts.hostname, parts.port), timeout=REQUEST_TIMEOUT)
        self.buf = b""

    def close(self) -> None:
        self.sock.close()

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def _more(self, deadline: float) -> bool:
        self.sock.settimeout(max(0.001, deadline - time.monotonic()))
        try:
            chunk = self.sock.recv(1 << 16)
        except TimeoutError:
            pytest.fail(f"no complete response in time; got {self.buf[:300]!r}")
        except ConnectionResetError:
            chunk = b""
        self.buf += chunk
        return bool(chunk)

    def _take(self, n: int, deadline: float) -> bytes:
        while len(self.buf) < n:
            assert self._more(deadline), f"closed inside a response: {self.buf[:300]!r}"
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def _line(self, deadline: float) -> bytes:
        while b"\r\n" not in self.buf:
            assert self._more(deadline), f"closed inside a response: {self.buf[:300]!r}"
        out, self.buf = self.buf.split(b"\r\n", 1)
        return out

    def response(self, timeout: float = REQUEST_TIMEOUT) -> Response:
        """The next response, read whole (a chunked event stream to its last chunk)."""
        deadline = time.monotonic() + timeout
        while b"\r\n\r\n" not in self.buf:
            assert self._more(deadline), f"the connection closed without a response; got {self.buf[:300]!r}"
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        status_line, *lines = head.decode("latin-1").split("\r\n")
        version, status, reason = status_line.split(" ", 2)
        assert version == "HTTP/1.1", status_line
        headers = [(n.strip().lower(), v.strip()) for n, v in (ln.split(":", 1) for ln in lines)]
        response = Response(int(status), reason, headers)
        length = response.header("content-length")
        if length is not None:
            response.body = self._take(int(length), deadline)
        elif (response.header("transfer-encoding") or "").lower() == "chunked":
            while size := int(self._line(deadline), 16):
                response.body += self._take(size, deadline)
                assert self._take(2, deadline) == b"\r\n"
            assert self._line(deadline) == b""
        else:
            while self._more(deadline):
                pass
            response.body, self.buf = self.buf, b""
        return response

    def closes(self, timeout: float = 2.0) -> None:
        """The server closes the connection (after what was read), sending nothing more."""
        deadline = time.monotonic() + timeout
        while self._more(deadline):
            pass
        assert self.buf == b"", f"more bytes before the close: {self.buf[:300]!r}"

    def silent(self, seconds: float) -> None:
        """Nothing arrives for `seconds` (and the connection stays open)."""
        self.sock.settimeout(seconds)
        try:
            chunk = self.sock.recv(1 << 16)
        except TimeoutError:
            return
        pytest.fail(f"expected nothing yet, got {chunk[:300]!r}" if chunk else "the server closed the connection")


def raw_request(
    conn: Conn,
    body: bytes = b"",
    headers: list[tuple[str, str]] | None = None,
    method: str = "POST",
    path: str | None = None,
    version: str = "HTTP/1.1",
    host: bool = True,
    length: bool = True,
) -> bytes:
    lines = [f"{method} {conn.path if path is None else path} {version}"]
    if host:
        lines.append(f"Host: {conn.authority}")
    lines += [f"{n}: {v}" for n, v in headers or []]
    if length:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


META = {"io.modelcontextprotocol/protocolVersion": MODERN_VERSION, "io.modelcontextprotocol/clientCapabilities": {}}


def modern(request_id: Any, method: str, params: dict[str, Any] | None = None, **meta: Any) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": request_id, "method": method, "params": {**(params or {}), "_meta": {**META, **meta}}}


def modern_headers(message: dict[str, Any], **extra: str) -> list[tuple[str, str]]:
    headers = {
        "Content-Type": "application/json",
        "Accept": "application/json, text/event-stream",
        "MCP-Protocol-Version": MODERN_VERSION,
        "Mcp-Method": message["method"],
    }
    if message["method"] == "tools/call":
        headers["Mcp-Name"] = message["params"]["name"]
    headers.update(extra)
    return [(n, v) for n, v in headers.items() if v is not None]


def echo_request(conn: Conn, request_id: Any, text: str, **extra: str) -> bytes:
    message = modern(request_id, "tools/call", {"name": "echo", "arguments": {"text": text}})
    return raw_request(conn, json.dumps(message).encode(), modern_headers(message, **extra))


_served = 0


def serves(conn: Conn) -> None:
    """A good 2026-07-28 echo call on `conn` is answered 200 with its text."""
    global _served
    _served += 1
    text = f"still serving {_served}"
    conn.send(echo_request(conn, f"good-{_served}", text))
    response = conn.response()
    assert response.status == 200, (response.status, response.body[:300])
    message = response.message()
    assert message.get("id") == f"good-{_served}", message
    assert message["result"]["content"] == [{"type": "text", "text": text}], message


def refused_and_closed(conn: Conn, status: int, url: str) -> Response:
    """`conn` gets `status` with `Connection: close` and is closed; a new connection serves."""
    response = conn.response()
    assert response.status == status, (response.status, response.reason, response.body[:300])
    assert (response.header("connection") or "").lower() == "close", response.headers
    conn.closes()
    conn.close()
    other = Conn(url)
    try:
        serves(other)
    finally:
        other.close()
    return response


def error_body(response: Response, status: int, code: int, request_id: Any = ..., text: str | None = None) -> dict[str, Any]:
    """`response` is `status` with the JSON-RPC error `code` (for `request_id`; without an
    id member when left out)."""
    assert response.status == status, (response.status, response.body[:300])
    message = response.message()
    assert "result" not in message and message["error"]["code"] == code, message
    if request_id is ...:
        assert "id" not in message, message
    else:
        assert message.get("id") == request_id, message
    if text is not None:
        assert message["error"]["message"] == text, message
    return message


@pytest.fixture(scope="module")
def url(http_server: HttpServer) -> str:
    return http_server.url


@pytest.fixture
def conn(url: str) -> Iterator[Conn]:
    c = Conn(url)
    try:
        yield c
    finally:
        c.close()


@pytest.fixture(scope="module")
def server_name(url: str) -> str:
    """serverInfo.name, from server/discover."""
    c = Conn(url)
    try:
        message = modern(1, "server/discover")
        c.send(raw_request(c, json.dumps(message).encode(), modern_headers(message)))
        return c.response().message()["result"]["_meta"]["io.modelcontextprotocol/serverInfo"]["name"]
    finally:
        c.close()


def known_bug(request: pytest.FixtureRequest, name: str, case: str) -> None:
    reason = KNOWN_BUGS.get(name, {}).get(case)
    if reason:
        request.node.add_marker(pytest.mark.xfail(reason=f"known bug of {name}: {reason}", strict=True))


# --------------------------------------------------------------------------- heads


def padded(conn: Conn, count: int) -> bytes:
    """A good echo request with exactly `count` header lines in all (Host included)."""
    base = echo_request(conn, "padded", "padded")
    head, body = base.split(b"\r\n\r\n", 1)
    lines = head.split(b"\r\n")
    have = len(lines) - 1  # the request line is not a header
    pad = [f"X-Pad-{i}: {i}".encode() for i in range(count - have)]
    return b"\r\n".join(lines + pad) + b"\r\n\r\n" + body


def test_header_count_at_the_limit(conn: Conn) -> None:
    """32 header lines in all: served, and the connection serves on."""
    conn.send(padded(conn, MAX_HEADERS))
    response = conn.response()
    assert response.status == 200 and response.message()["id"] == "padded", (response.status, response.body)
    serves(conn)


def test_too_many_headers(conn: Conn, url: str) -> None:
    """33 header lines: 431 with Connection: close, then the close."""
    conn.send(padded(conn, MAX_HEADERS + 1))
    refused_and_closed(conn, 431, url)


def test_head_at_the_byte_limit(conn: Conn) -> None:
    """A head of exactly 8 KiB (blank line included): served; the connection serves on."""
    base = echo_request(conn, "big-head", "big head")
    head, body = base.split(b"\r\n\r\n", 1)
    filler = MAX_HEAD - len(head) - len(b"\r\nX-Pad: ") - 4
    request = head + b"\r\nX-Pad: " + b"p" * filler + b"\r\n\r\n" + body
    assert request.index(b"\r\n\r\n") + 4 == MAX_HEAD
    conn.send(request)
    response = conn.response()
    assert response.status == 200 and response.message()["id"] == "big-head", (response.status, response.body)
    serves(conn)


def test_one_header_too_long(conn: Conn, url: str) -> None:
    """One 9000-byte header: 431 with Connection: close, then the close."""
    conn.send(echo_request(conn, 1, "x", **{"X-Long": "l" * 9000}))
    refused_and_closed(conn, 431, url)


def test_head_that_never_ends(conn: Conn, url: str) -> None:
    """Header lines that never reach the blank line: refused with 431 once the head is
    past 8 KiB, without waiting for its end."""
    conn.send(f"POST {conn.path} HTTP/1.1\r\nHost: {conn.authority}\r\n".encode())
    conn.send(b"".join(f"X-Line-{i}: {'v' * 60}\r\n".encode() for i in range(MAX_HEAD // 70 + 2)))
    refused_and_closed(conn, 431, url)


@pytest.mark.parametrize(
    ("first_line", "status"),
    [
        ("GARBAGE", 400),
        ("POST  /mcp HTTP/1.1", 400),
        ("POST /mcp HTTP/1.x", 400),
        ("PRI * HTTP/2.0", 505),
        ("POST /mcp HTTP/1.2", 505),
        ("POST /mcp HTTP/3", 505),
    ],
    ids=["garbage", "double space", "bad version", "http2 preface", "http 1.2", "http 3"],
)
def test_bad_request_line(conn: Conn, url: str, first_line: str, status: int) -> None:
    """A request line that is not HTTP/1.x: 400, or 505 for another HTTP version; then
    the close."""
    conn.send(f"{first_line}\r\nHost: {conn.authority}\r\n\r\n".encode())
    refused_and_closed(conn, status, url)


def test_bad_header_syntax(conn: Conn, url: str) -> None:
    """A header line without a colon, or a control byte in a value: 400, then the close."""
    conn.send(f"POST {conn.path} HTTP/1.1\r\nHost: {conn.authority}\r\nno colon here\r\n\r\n".encode())
    refused_and_closed(conn, 400, url)
    other = Conn(url)
    try:
        other.send(echo_request(other, 1, "x", **{"X-Ctl": "a\x01b"}))
        refused_and_closed(other, 400, url)
    finally:
        other.close()


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("PUT", None, 405), ("post", None, 405), ("HEAD", None, 405), ("POST", "/other", 404), ("POST", "/mcp/../mcp", 404)],
    ids=["PUT", "lower-case post", "HEAD", "other path", "dot segments"],
)
def test_method_or_path_refused_connection_kept(conn: Conn, method: str, path: str | None, status: int) -> None:
    """An unknown method (methods are case-sensitive) or another path: 405 (with Allow) or
    404, and the connection serves on."""
    message = modern(1, "tools/list")
    conn.send(raw_request(conn, json.dumps(message).encode(), modern_headers(message), method=method, path=path))
    response = conn.response()
    assert response.status == status, (response.status, response.body[:300])
    if status == 405:
        assert response.header("allow") == "GET, POST, DELETE", response.headers
    assert response.header("connection") is None, response.headers
    serves(conn)


def test_query_string_is_the_same_endpoint(conn: Conn) -> None:
    """`/mcp?x=1` is the endpoint (the query is not part of the path)."""
    message = modern("q", "tools/call", {"name": "echo", "arguments": {"text": "query"}})
    conn.send(raw_request(conn, json.dumps(message).encode(), modern_headers(message), path=conn.path + "?x=1&y"))
    assert conn.response().message()["result"]["content"] == [{"type": "text", "text": "query"}]


# --------------------------------------------------------------------------- bodies


def test_body_over_the_limit(conn: Conn, url: str) -> None:
    """Content-Length 1 MiB + 1: 413 on the head alone (the body is never sent), then the
    close."""
    conn.send(f"POST {conn.path} HTTP/1.1\r\nHost: {conn.authority}\r\nContent-Length: {MAX_BODY + 1}\r\n\r\n".encode())
    refused_and_closed(conn, 413, url)


def test_absurd_content_length(conn: Conn, url: str) -> None:
    """A Content-Length of 10^30 (past any integer): 413, then the close."""
    conn.send(f"POST {conn.path} HTTP/1.1\r\nHost: {conn.authority}\r\nContent-Length: {10**30}\r\n\r\n".encode())
    refused_and_closed(conn, 413, url)


def test_body_at_the_limit(conn: Conn) -> None:
    """A body of exactly 1 MiB (an echo call padded with spaces): served."""
    message = modern("mib", "tools/call", {"name": "echo", "arguments": {"text": "a whole MiB"}})
    body = json.dumps(message).encode()
    body += b" " * (MAX_BODY - len(body))
    conn.send(raw_request(conn, body, modern_headers(message)))
    response = conn.response()
    assert response.status == 200 and response.message()["result"]["content"][0]["text"] == "a whole MiB"
    serves(conn)


@pytest.mark.parametrize(
    "values",
    [["abc"], ["-1"], ["+5"], ["1e3"], ["0x10"], ["5, 5"], [""], ["5", "6"], ["5", "5"]],
    ids=["non-numeric", "negative", "plus sign", "exponent", "hex", "list", "empty", "two values", "twice the same"],
)
def test_bad_content_length(conn: Conn, url: str, values: list[str]) -> None:
    """A Content-Length that is not one plain decimal number, or given twice (even with
    the same value): 400, then the close (the body's end is unknown)."""
    head = f"POST {conn.path} HTTP/1.1\r\nHost: {conn.authority}\r\nContent-Type: application/json\r\n"
    head += "".join(f"Content-Length: {v}\r\n" for v in values)
    conn.send(head.encode() + b"\r\n{}")
    refused_and_closed(conn, 400, url)


def test_content_length_shorter_than_the_body(conn: Conn, url: str) -> None:
    """Content-Length 10 bytes short: the server reads that many (a truncated JSON text:
    -32700 without an id, status 200 as for any 2026-07-28 parse error), and the 10 bytes
    left over are the start of the next request, which is no HTTP: 400, then the close."""
    message = modern(1, "tools/list")
    body = json.dumps(message).encode()
    request = raw_request(conn, body, modern_headers(message), length=False)
    request = request.replace(b"\r\n\r\n", f"\r\nContent-Length: {len(body) - 10}\r\n\r\n".encode(), 1)
    conn.send(request)
    error_body(conn.response(), 200, PARSE_ERROR)
    refused_and_closed(conn, 400, url)


def test_content_length_longer_than_the_body(conn: Conn) -> None:
    """Content-Length 10 bytes long: the server waits for them (no answer meanwhile);
    once they come (spaces), the request is answered and the connection serves on."""
    message = modern("late", "tools/call", {"name": "echo", "arguments": {"text": "waited for the body"}})
    body = json.dumps(message).encode()
    request = raw_request(conn, body, modern_headers(message), length=False)
    conn.send(request.replace(b"\r\n\r\n", f"\r\nContent-Length: {len(body) + 10}\r\n\r\n".encode(), 1))
    conn.silent(0.5)
    conn.send(b" " * 10)
    assert conn.response().message()["result"]["content"][0]["text"] == "waited for the body"
    serves(conn)


@pytest.mark.parametrize(
    "encoding",
    ["chunked", "gzip, chunked", "identity", "Chunked"],
    ids=["chunked", "gzip-chunked", "identity", "capitalised"],
)
def test_transfer_encoding_refused(conn: Conn, url: str, encoding: str) -> None:
    """Request bodies with a Transfer-Encoding (chunked is not supported): 411 Length
    Required, then the close (the body's framing is not understood)."""
    message = modern(1, "tools/list")
    body = json.dumps(message).encode()
    chunked = f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n"
    conn.send(raw_request(conn, chunked, modern_headers(message, **{"Transfer-Encoding": encoding}), length=False))
    refused_and_closed(conn, 411, url)


def test_transfer_encoding_with_content_length(conn: Conn, url: str) -> None:
    """Transfer-Encoding and Content-Length together (the request-smuggling shape): 411,
    then the close."""
    message = modern(1, "tools/list")
    body = json.dumps(message).encode()
    conn.send(raw_request(conn, body, modern_headers(message, **{"Transfer-Encoding": "chunked"})))
    refused_and_closed(conn, 411, url)


_BAD_UTF8 = b'{"jsonrpc":"2.0","id":1,"method":"tools/list","x":"\xff"}'
_SURROGATE = rb'{"jsonrpc":"2.0","id":1,"method":"tools/list","x":"\ud800"}'
_NUL = b'{"jsonrpc":"2.0","id":1,\x00"method":"tools/list"}'
_DEEP = b'{"jsonrpc":"2.0","id":1,"method":"tools/list","x":' + b"[" * 100_000 + b"]" * 100_000 + b"}"
HOSTILE_BODIES = {
    "empty": (b"", "Parse error: unexpected end of input at byte 0"),
    "not JSON": (b"hello", "Parse error: unexpected character at byte 0"),
    "invalid UTF-8": (_BAD_UTF8, "Parse error: invalid UTF-8 at byte %d" % _BAD_UTF8.index(0xFF)),
    "lone surrogate": (_SURROGATE, "Parse error: lone UTF-16 surrogate in \\u escape at byte %d" % _SURROGATE.index(0x5C)),
    "raw NUL": (_NUL, f"Parse error: unexpected character at byte {_NUL.index(0)}"),
    # The message is one level, the array's 64th level is the 65th.
    "100 000 deep": (_DEEP, f"Parse error: nesting too deep at byte {_DEEP.index(b'[') + 63}"),
}


@pytest.mark.parametrize("case", list(HOSTILE_BODIES.values()), ids=list(HOSTILE_BODIES))
def test_hostile_body(conn: Conn, case: tuple[bytes, str]) -> None:
    """A 2026-07-28 POST whose body does not parse: the JSON-RPC parse error (-32700,
    without an id, the same message as on stdio) in a 200 JSON response; the connection
    serves on."""
    body, text = case
    message = modern(1, "tools/list")
    conn.send(raw_request(conn, body, modern_headers(message)))
    error_body(conn.response(), 200, PARSE_ERROR, text=text)
    serves(conn)


@pytest.mark.parametrize(
    "body",
    [b'[{"jsonrpc":"2.0","id":1,"method":"tools/list"}]', b"  \r\n[]", b"[" * 100_000],
    ids=["one-element batch", "empty batch", "100 000 brackets"],
)
def test_batch_body(conn: Conn, body: bytes) -> None:
    """A body that is a JSON array (a batch, even an empty or unparseable one): 400 with
    -32600 without an id; the connection serves on."""
    message = modern(1, "tools/list")
    conn.send(raw_request(conn, body, modern_headers(message)))
    error_body(
        conn.response(),
        400,
        INVALID_REQUEST,
        text="Invalid request: JSON-RPC batches are not supported over HTTP; send one message per request",
    )
    serves(conn)


def test_pipelined_flood(conn: Conn) -> None:
    """200 echo calls in one write on one connection: 200 answers, in order."""
    conn.send(b"".join(echo_request(conn, i, f"pipelined {i}") for i in range(200)))
    for i in range(200):
        message = conn.response().message()
        assert message["id"] == i and message["result"]["content"][0]["text"] == f"pipelined {i}", message
    serves(conn)


# --------------------------------------------------------------------------- Host and Origin


@pytest.mark.parametrize(
    ("name", "value", "status"),
    [
        ("Host", "", 403),
        ("Host", "localhost:99999999", 403),
        ("Host", "127.0.0.1.evil.example", 403),
        ("Host", "127.0.0.1@evil.example", 403),
        ("Host", "LOCALHOST:1", 200),
        ("Host", "[::1]:8080", 200),
        ("Origin", "http://localhost.evil.example", 403),
        ("Origin", "http://127.0.0.1@evil.example", 403),
        ("Origin", "http://localhost:3000/page", 403),
        ("Origin", "file://", 403),
        ("Origin", "localhost", 403),
        ("Origin", "HTTP://LOCALHOST:1", 200),
        ("Origin", "https://[::1]", 200),
    ],
    ids=[
        "empty host",
        "port too long",
        "suffix",
        "userinfo host",
        "upper-case localhost",
        "ipv6 loopback",
        "origin suffix",
        "origin userinfo",
        "origin with path",
        "file origin",
        "origin without scheme",
        "upper-case origin",
        "ipv6 origin",
    ],
)
def test_host_and_origin(conn: Conn, name: str, value: str, status: int) -> None:
    """Hosts and origins an attacker may try (suffixes, userinfo, paths, odd forms): 403,
    the loopback names in any case or port: served. The connection serves on either way.
    (test_http.py checks a foreign host and origin, and `null`.)"""
    message = modern("ho", "tools/call", {"name": "echo", "arguments": {"text": "host"}})
    headers = modern_headers(message)
    if name == "Origin":
        headers.append(("Origin", value))
        request = raw_request(conn, json.dumps(message).encode(), headers)
    else:
        request = raw_request(conn, json.dumps(message).encode(), [("Host", value), *headers], host=False)
    conn.send(request)
    response = conn.response()
    assert response.status == status, (name, value, response.status, response.body[:300])
    if status == 200:
        assert response.message()["result"]["content"][0]["text"] == "host"
    serves(conn)


def test_missing_host(conn: Conn) -> None:
    """HTTP/1.1 without Host: 400 (RFC 9112), and the connection serves on."""
    message = modern(1, "tools/list")
    conn.send(raw_request(conn, json.dumps(message).encode(), modern_headers(message), host=False))
    response = conn.response()
    assert response.status == 400, (response.status, response.body[:300])
    serves(conn)


def test_two_hosts(conn: Conn, url: str) -> None:
    """Two Host headers: 400, then the close."""
    message = modern(1, "tools/list")
    conn.send(raw_request(conn, json.dumps(message).encode(), [("Host", conn.authority), *modern_headers(message)]))
    refused_and_closed(conn, 400, url)


def test_http10_without_host(conn: Conn) -> None:
    """HTTP/1.0 may leave Host out: served, with Connection: close, and closed."""
    message = modern("old", "tools/call", {"name": "echo", "arguments": {"text": "1.0"}})
    conn.send(raw_request(conn, json.dumps(message).encode(), modern_headers(message), version="HTTP/1.0", host=False))
    response = conn.response()
    assert response.status == 200 and response.message()["result"]["content"][0]["text"] == "1.0"
    assert (response.header("connection") or "").lower() == "close", response.headers
    conn.closes()


# --------------------------------------------------------------------------- legacy sessions


def legacy_headers(session: str | None, version: str | None = LEGACY_VERSION) -> list[tuple[str, str]]:
    headers = [("Content-Type", "application/json"), ("Accept", "application/json, text/event-stream")]
    if session is not None:
        headers.append(("Mcp-Session-Id", session))
    if version is not None:
        headers.append(("MCP-Protocol-Version", version))
    return headers


def open_session(conn: Conn) -> str:
    init = {
        "jsonrpc": "2.0",
        "id": 0,
        "method": "initialize",
        "params": {"protocolVersion": LEGACY_VERSION, "capabilities": {}, "clientInfo": {"name": "raw", "version": "0"}},
    }
    conn.send(raw_request(conn, json.dumps(init).encode(), legacy_headers(None, None)))
    response = conn.response()
    session = response.header("mcp-session-id")
    assert response.status == 200 and session, (response.status, response.headers)
    note = json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}).encode()
    conn.send(raw_request(conn, note, legacy_headers(session)))
    assert conn.response().status == 202
    return session


def legacy_echo(conn: Conn, session: str, request_id: Any, text: str, **kw: Any) -> bytes:
    message = {"jsonrpc": "2.0", "id": request_id, "method": "tools/call", "params": {"name": "echo", "arguments": {"text": text}}}
    return raw_request(conn, json.dumps(message).encode(), kw.pop("headers", None) or legacy_headers(session), **kw)


@pytest.fixture
def session(conn: Conn) -> Iterator[str]:
    s = open_session(conn)
    yield s
    try:
        conn.send(raw_request(conn, b"", legacy_headers(s), method="DELETE"))
        conn.response()
    except Exception:  # noqa: BLE001 - the case may have closed the connection
        pass


@pytest.mark.parametrize(
    "bad",
    ["long", "not hex", "upper case", "empty", "one digit off", "obs-text", "with spaces"],
)
def test_malformed_session_id(conn: Conn, session: str, bad: str) -> None:
    """A session id that is not the one the server made, however it is malformed (1000
    characters, not hex, the right one in upper case, empty, one digit off, bytes past
    ASCII, inner spaces): 404 (with -32600 'Session not found' for the request's id),
    and the same connection then serves the real session."""
    value = {
        "long": "a" * 1000,
        "not hex": "zz" * 16,
        "upper case": session.upper() if session.upper() != session else session + "X",
        "empty": "",
        "one digit off": session[:-1] + ("0" if session[-1] != "0" else "1"),
        "obs-text": session[:-2] + "\xe9\xff",
        "with spaces": session[:16] + " " + session[16:],
    }[bad]
    conn.send(legacy_echo(conn, session, 3, "nope", headers=legacy_headers(value)))
    error_body(conn.response(), 404, INVALID_REQUEST, 3, "Session not found")
    conn.send(legacy_echo(conn, session, 4, "the real session"))
    assert conn.response().message()["result"]["content"][0]["text"] == "the real session"


def test_two_session_headers(conn: Conn, session: str) -> None:
    """Mcp-Session-Id twice: the first counts (a real id first: served; a bogus one
    first: 404)."""
    headers = legacy_headers(session) + [("Mcp-Session-Id", "0" * 32)]
    conn.send(legacy_echo(conn, session, 5, "first counts", headers=headers))
    assert conn.response().message()["result"]["content"][0]["text"] == "first counts"
    headers = legacy_headers("0" * 32) + [("Mcp-Session-Id", session)]
    conn.send(legacy_echo(conn, session, 6, "x", headers=headers))
    error_body(conn.response(), 404, INVALID_REQUEST, 6, "Session not found")


@pytest.mark.parametrize("version", [MODERN_VERSION, "1999-01-01", "2025-11-25x", "garbage \xe9"])
def test_session_with_a_foreign_version_header(conn: Conn, session: str, version: str) -> None:
    """A request of a legacy session whose MCP-Protocol-Version names no legacy revision:
    400 with -32600 for its id; the session serves on."""
    conn.send(legacy_echo(conn, session, 7, "x", headers=legacy_headers(session, version)))
    error_body(conn.response(), 400, INVALID_REQUEST, 7, "Bad Request: unsupported MCP-Protocol-Version header")
    conn.send(legacy_echo(conn, session, 8, "after"))
    assert conn.response().message()["result"]["content"][0]["text"] == "after"


def test_get_and_delete_with_bad_sessions(conn: Conn, session: str) -> None:
    """GET with the session but without accepting an event stream: 406; DELETE without a
    session: 400; with a bogus one: 404. The session serves on."""
    conn.send(raw_request(conn, b"", [("Mcp-Session-Id", session), ("Accept", "application/json")], method="GET", length=False))
    assert conn.response().status == 406
    conn.send(raw_request(conn, b"", [], method="DELETE", length=False))
    assert conn.response().status == 400
    conn.send(raw_request(conn, b"", [("Mcp-Session-Id", "f" * 32)], method="DELETE", length=False))
    assert conn.response().status == 404
    conn.send(legacy_echo(conn, session, 9, "alive"))
    assert conn.response().message()["result"]["content"][0]["text"] == "alive"


# --------------------------------------------------------------------------- version headers


def test_version_header_without_meta(conn: Conn) -> None:
    """No session, no `_meta`, and an MCP-Protocol-Version naming no legacy revision: a
    2026-07-28 request missing its `_meta`: 400 with -32602 for its id."""
    message = {"jsonrpc": "2.0", "id": 11, "method": "tools/list"}
    conn.send(raw_request(conn, json.dumps(message).encode(), modern_headers(message, **{"MCP-Protocol-Version": "1999-01-01"})))
    error_body(conn.response(), 400, INVALID_PARAMS, 11)
    serves(conn)


@pytest.mark.parametrize("header", ["2099-01-01", "2025-11-25", "2026-07-28 ", "x" * 4000])
def test_version_header_differs_from_meta(conn: Conn, header: str) -> None:
    """`_meta` says 2026-07-28, the header something else (a future or legacy revision,
    4000 bytes of junk; trailing spaces are HTTP's and are trimmed): 400 with -32020
    for its id, except the trimmed one, which is served."""
    message = modern(12, "tools/list")
    conn.send(raw_request(conn, json.dumps(message).encode(), modern_headers(message, **{"MCP-Protocol-Version": header})))
    response = conn.response()
    if header.strip() == MODERN_VERSION:
        assert response.status == 200 and "tools" in response.message()["result"], response.body[:300]
    else:
        error_body(response, 400, HEADER_MISMATCH, 12)
    serves(conn)


def test_unsupported_version_in_both(conn: Conn) -> None:
    """`_meta` and the header agree on a revision the server does not speak: 400 with
    -32022, and data naming the supported and the requested versions."""
    message = modern(13, "tools/list")
    message["params"]["_meta"]["io.modelcontextprotocol/protocolVersion"] = "2099-01-01"
    conn.send(raw_request(conn, json.dumps(message).encode(), modern_headers(message, **{"MCP-Protocol-Version": "2099-01-01"})))
    body = error_body(conn.response(), 400, UNSUPPORTED_VERSION, 13)
    assert body["error"]["data"] == {"supported": [MODERN_VERSION], "requested": "2099-01-01"}, body
    serves(conn)


def test_escaped_name_cannot_smuggle_a_tool(conn: Conn) -> None:
    """The Mcp-Name header must agree with the tool the server runs, however the body
    spells its members: with `"n\\u0061me":"fail"` before `"name":"echo"` the body names
    `fail` (the first occurrence, decoded), so `Mcp-Name: fail` runs fail, and
    `Mcp-Name: echo` is a -32020 mismatch. (Before the fix the header check read the
    escaped name and the dispatcher skipped it: `Mcp-Name: fail` ran echo.)"""
    params = (
        rb'{"n\u0061me":"fail","name":"echo","arguments":{"text":"smuggled"},"_meta":'
        + json.dumps(META).encode()
        + b"}"
    )
    body = b'{"jsonrpc":"2.0","id":"smuggle","method":"tools/call","params":' + params + b"}"
    base = [("Content-Type", "application/json"), ("Accept", "application/json, text/event-stream"),
            ("MCP-Protocol-Version", MODERN_VERSION), ("Mcp-Method", "tools/call")]
    conn.send(raw_request(conn, body, base + [("Mcp-Name", "fail")]))
    response = conn.response()
    assert response.status == 200, (response.status, response.body[:300])
    result = response.message()["result"]
    assert result.get("isError") is True and "smuggled" not in json.dumps(result), result
    conn.send(raw_request(conn, body, base + [("Mcp-Name", "echo")]))
    error_body(conn.response(), 400, HEADER_MISMATCH, "smuggle")
    serves(conn)


# --------------------------------------------------------------------------- slow and idle clients


def test_slowloris_does_not_block_others(url: str) -> None:
    """One connection sends its request head a byte every 100 ms, another its body a byte
    every 100 ms, and 50 more connect and send nothing: meanwhile other clients are
    served at once (each answer within 1 s). The slow ones are kept without harm: once
    their bytes are all there, they are answered too."""
    slow_head, slow_body = Conn(url), Conn(url)
    idle = [Conn(url) for _ in range(50)]
    try:
        head_request = echo_request(slow_head, "slow-head", "slow head")
        body_request = echo_request(slow_body, "slow-body", "slow body")
        head_end = body_request.index(b"\r\n\r\n") + 4
        slow_body.send(body_request[:head_end])
        stop = threading.Event()
        sent = {"head": 0, "body": 0}

        def trickle() -> None:
            while not stop.is_set() and sent["head"] < 20:
                slow_head.send(head_request[sent["head"] : sent["head"] + 1])
                slow_body.send(body_request[head_end + sent["body"] : head_end + sent["body"] + 1])
                sent["head"] += 1
                sent["body"] += 1
                time.sleep(0.1)

        thread = threading.Thread(target=trickle, daemon=True)
        thread.start()
        took = []
        other = Conn(url)
        try:
            while thread.is_alive():
                started = time.monotonic()
                serves(other)
                took.append(time.monotonic() - started)
                time.sleep(0.1)
        finally:
            stop.set()
            thread.join()
            other.close()
        assert took and max(took) < 1.0, f"answers while slow clients trickled took {took}"
        slow_head.send(head_request[sent["head"] :])
        slow_body.send(body_request[head_end + sent["body"] :])
        for c, text in ((slow_head, "slow head"), (slow_body, "slow body")):
            assert c.response().message()["result"]["content"][0]["text"] == text
    finally:
        for c in [slow_head, slow_body, *idle]:
            c.close()


# --------------------------------------------------------------------------- pushing bytes behind a stream


def test_bytes_pushed_behind_an_open_stream(
    url: str, http_server: HttpServer, server_name: str, request: pytest.FixtureRequest
) -> None:
    """A slow call answered on an event stream; on the same connection the client pushes
    up to 64 MiB more while the stream is open. HTTP/1.1 answers a connection's requests
    in order, so the server holds at most one more request (1 MiB + 8 KiB) for it and
    then stops reading: the client's writes stall (it gets less than 32 MiB in), the
    server's memory grows by less than 24 MiB. Other clients are served meanwhile, and
    after the client leaves (its call dropped)."""
    known_bug(request, server_name, "pushed behind a stream")
    pid = http_server.proc.pid if http_server.proc is not None else None
    pusher = Conn(url)
    try:
        message = modern("held", "tools/call", {"name": "slow", "arguments": {"ms": 5000}}, progressToken="held")
        pusher.send(raw_request(pusher, json.dumps(message).encode(), modern_headers(message)))
        while b"notifications/progress" not in pusher.buf:  # the stream is open
            pusher._more(time.monotonic() + REQUEST_TIMEOUT)
        before = tree_rss_kib(pid) if pid else 0
        pusher.sock.setblocking(False)
        junk = b"x" * (64 << 10)
        pushed, last = 0, time.monotonic()
        while pushed < 64 << 20 and time.monotonic() - last < 0.5:
            try:
                pushed += pusher.sock.send(junk)
                last = time.monotonic()
            except BlockingIOError:
                time.sleep(0.005)
        grown = ((tree_rss_kib(pid) - before) >> 10) if pid else 0
        other = Conn(url)
        try:
            serves(other)
        finally:
            other.close()
        assert pushed < 32 << 20, f"the server took {pushed >> 20} MiB behind an open stream"
        assert grown < 24, f"the server's memory grew by {grown} MiB"
    finally:
        pusher.close()
    other = Conn(url)
    try:
        serves(other)
    finally:
        other.close()
