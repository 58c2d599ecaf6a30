"""Raw Streamable HTTP checks of a demo server: the transport rules the SDK client never
breaks, written by hand with httpx2 (the HTTP client the MCP SDK itself uses).

Both eras share one URL: a legacy (2025-11-25) session starts with `initialize`, is
named by the `Mcp-Session-Id` the server answers with, and ends with `DELETE`; a
2026-07-28 request stands alone, with `_meta` in its params and the
`MCP-Protocol-Version` / `Mcp-Method` / `Mcp-Name` headers repeating the body.

- A legacy request without `Mcp-Session-Id` that is not `initialize`: 400.
- An unknown session id: 404 (POST, GET and DELETE); a deleted session: 200, then 404.
- A `Host` or `Origin` that is not the server's own (DNS rebinding): 403.
- A 2026-07-28 request without `MCP-Protocol-Version`: 400 with JSON-RPC error -32020.
- An unknown method at 2026-07-28: 404 with JSON-RPC error -32601.
- slow(200) with a progress token: a `text/event-stream` answer, every event one
  `data:` line, the progress notifications before the result, and the stream ends with it.

The server is the run's HTTP server (see conftest.py): PICOMCP_DEMO_URL, or the demo
command started with `--http 127.0.0.1:{port}`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest

from demo_harness import LEGACY_VERSION, MODERN_VERSION, REQUEST_TIMEOUT, HttpServer, SseEvent, SseParser

pytestmark = pytest.mark.http

INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
HEADER_MISMATCH = -32020

# A session id the server cannot have made (its ids are 32 hex digits).
UNKNOWN_SESSION = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def http(http_server: HttpServer) -> Iterator[httpx2.Client]:
    with httpx2.Client(timeout=REQUEST_TIMEOUT, trust_env=False) as client:
        yield client


@pytest.fixture
def url(http_server: HttpServer) -> str:
    return http_server.url


BASE_HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


def modern(request_id: Any, method: str, params: dict[str, Any] | None = None, **meta: Any) -> dict[str, Any]:
    """A 2026-07-28 request: its `_meta` names the version and the client's capabilities."""
    params = dict(params or {})
    params["_meta"] = {
        "io.modelcontextprotocol/protocolVersion": MODERN_VERSION,
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": {"name": "picomcp-raw-http-test", "version": "0"},
        **meta,
    }
    return {"jsonrpc": "2.0", "id": request_id, "method": method, "params": params}


def modern_headers(message: dict[str, Any], **extra: str) -> dict[str, str]:
    """The headers of a 2026-07-28 POST: the version, Mcp-Method and, for a tool call, Mcp-Name."""
    headers = {**BASE_HEADERS, "MCP-Protocol-Version": MODERN_VERSION, "Mcp-Method": message["method"]}
    if message["method"] == "tools/call":
        headers["Mcp-Name"] = message["params"]["name"]
    return {**headers, **extra}


def legacy(request_id: Any, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    message: dict[str, Any] = {"jsonrpc": "2.0", "id": request_id, "method": method}
    if params is not None:
        message["params"] = params
    return message


def open_session(http: httpx2.Client, url: str) -> str:
    """initialize + notifications/initialized at 2025-11-25; the session id."""
    init = legacy(
        0,
        "initialize",
        {
            "protocolVersion": LEGACY_VERSION,
            "capabilities": {},
            "clientInfo": {"name": "picomcp-raw-http-test", "version": "0"},
        },
    )
    response = http.post(url, json=init, headers=BASE_HEADERS)
    assert response.status_code == 200, (response.status_code, response.text)
    session = response.headers.get("mcp-session-id")
    assert session, f"initialize answered without an Mcp-Session-Id: {dict(response.headers)}"
    assert body_of(response)["result"]["protocolVersion"] == LEGACY_VERSION
    headers = {**BASE_HEADERS, "Mcp-Session-Id": session, "MCP-Protocol-Version": LEGACY_VERSION}
    initialized = http.post(url, json={"jsonrpc": "2.0", "method": "notifications/initialized"}, headers=headers)
    assert initialized.status_code == 202, (initialized.status_code, initialized.text)
    return session


def session_headers(session: str) -> dict[str, str]:
    return {**BASE_HEADERS, "Mcp-Session-Id": session, "MCP-Protocol-Version": LEGACY_VERSION}


def body_of(response: httpx2.Response) -> dict[str, Any]:
    """The JSON-RPC message of a JSON response (or of a one-message event stream)."""
    content_type = response.headers.get("content-type", "")
    if content_type.startswith("text/event-stream"):
        events = SseParser().feed(response.content)
        assert len(events) == 1, f"expected one event: {response.text!r}"
        return json.loads(events[0].data)
    assert content_type.startswith("application/json"), (response.status_code, content_type, response.text)
    return json.loads(response.content)


def check_error(response: httpx2.Response, status: int, code: int, request_id: Any) -> None:
    """`response` is HTTP `status` carrying the JSON-RPC error `code` for `request_id`."""
    assert response.status_code == status, (response.status_code, response.text)
    message = body_of(response)
    assert message.get("jsonrpc") == "2.0" and "result" not in message, message
    assert message.get("id") == request_id, message
    assert message["error"]["code"] == code, message
    assert isinstance(message["error"].get("message"), str), message


def check_no_result(response: httpx2.Response) -> None:
    """A JSON body, if any, is not a result (an error status may come with a JSON-RPC error)."""
    if response.content and response.headers.get("content-type", "").startswith("application/json"):
        message = json.loads(response.content)
        assert "result" not in message, message


# --------------------------------------------------------------------------- legacy sessions


@pytest.mark.parametrize("version_header", [None, LEGACY_VERSION], ids=["no-version-header", "legacy-version-header"])
def test_legacy_request_without_session(http: httpx2.Client, url: str, version_header: str | None) -> None:
    """A legacy request (no `_meta`) that is not initialize, without Mcp-Session-Id: 400."""
    headers = dict(BASE_HEADERS)
    if version_header is not None:
        headers["MCP-Protocol-Version"] = version_header
    response = http.post(url, json=legacy(1, "tools/list"), headers=headers)
    assert response.status_code == 400, (response.status_code, response.text)
    check_no_result(response)


@pytest.mark.parametrize("method", ["POST", "GET", "DELETE"])
def test_unknown_session(http: httpx2.Client, url: str, method: str) -> None:
    """Any request naming a session the server does not have: 404."""
    headers = session_headers(UNKNOWN_SESSION)
    if method == "POST":
        response = http.post(url, json=legacy(1, "tools/list"), headers=headers)
    elif method == "GET":
        response = http.get(url, headers={**headers, "Accept": "text/event-stream"})
    else:
        response = http.delete(url, headers=headers)
    assert response.status_code == 404, (response.status_code, response.text)
    check_no_result(response)


def test_delete_session(http: httpx2.Client, url: str) -> None:
    """A session answers until DELETE (200); after it, the id is unknown (404) to POST and
    to a second DELETE."""
    session = open_session(http, url)
    before = http.post(url, json=legacy(1, "tools/list"), headers=session_headers(session))
    assert before.status_code == 200, (before.status_code, before.text)
    assert [t["name"] for t in body_of(before)["result"]["tools"]] == ["echo", "add", "fail", "slow"]

    deleted = http.delete(url, headers=session_headers(session))
    assert deleted.status_code == 200, (deleted.status_code, deleted.text)

    after = http.post(url, json=legacy(2, "tools/list"), headers=session_headers(session))
    assert after.status_code == 404, (after.status_code, after.text)
    check_no_result(after)
    again = http.delete(url, headers=session_headers(session))
    assert again.status_code == 404, (again.status_code, again.text)


# --------------------------------------------------------------------------- 2026-07-28


def test_modern_request(http: httpx2.Client, url: str) -> None:
    """The baseline of the checks below: a well-formed 2026-07-28 request is answered 200,
    without a session."""
    message = modern(1, "tools/list")
    response = http.post(url, json=message, headers=modern_headers(message))
    assert response.status_code == 200, (response.status_code, response.text)
    assert "mcp-session-id" not in response.headers
    body = body_of(response)
    assert body["id"] == 1 and [t["name"] for t in body["result"]["tools"]] == ["echo", "add", "fail", "slow"]


@pytest.mark.parametrize(
    "header",
    [
        ("Host", "evil.example.com"),
        ("Host", "evil.example.com:80"),
        ("Origin", "http://evil.example.com"),
        ("Origin", "null"),
    ],
    ids=["host", "host-port", "origin", "origin-null"],
)
def test_foreign_host_or_origin(http: httpx2.Client, url: str, header: tuple[str, str]) -> None:
    """DNS-rebinding protection: a Host or Origin that is not the server's own: 403."""
    name, value = header
    message = modern(1, "tools/list")
    response = http.post(url, json=message, headers=modern_headers(message, **{name: value}))
    assert response.status_code == 403, (name, value, response.status_code, response.text)
    check_no_result(response)


def test_own_origin_allowed(http: httpx2.Client, url: str) -> None:
    """The server's own origin (a browser page it served) is allowed."""
    origin = url.removesuffix("/mcp")
    message = modern(1, "tools/list")
    response = http.post(url, json=message, headers=modern_headers(message, Origin=origin))
    assert response.status_code == 200, (origin, response.status_code, response.text)


def test_missing_protocol_version_header(http: httpx2.Client, url: str) -> None:
    """A 2026-07-28 request (its `_meta` says so) without MCP-Protocol-Version: 400 with
    the header-mismatch error -32020."""
    message = modern(7, "tools/list")
    headers = modern_headers(message)
    del headers["MCP-Protocol-Version"]
    check_error(http.post(url, json=message, headers=headers), 400, HEADER_MISMATCH, 7)


def test_unknown_method(http: httpx2.Client, url: str) -> None:
    """An unknown method at 2026-07-28: 404 with the JSON-RPC error -32601."""
    message = modern("m-1", "no/such/method")
    check_error(http.post(url, json=message, headers=modern_headers(message)), 404, METHOD_NOT_FOUND, "m-1")


# --------------------------------------------------------------------------- event streams


def read_event_stream(response: httpx2.Response, timeout: float) -> list[SseEvent]:
    """Every event of a streamed response, until the server ends it."""
    parser = SseParser()
    events: list[SseEvent] = []
    deadline = time.monotonic() + timeout
    for chunk in response.iter_raw():
        events.extend(parser.feed(chunk))
        assert time.monotonic() < deadline, f"the event stream did not end within {timeout} s: {events}"
    return events


@pytest.mark.parametrize("era", ["modern", "legacy"])
def test_slow_progress_event_stream(http: httpx2.Client, url: str, era: str) -> None:
    """slow(200) with a progress token is answered as text/event-stream: each event is one
    `data:` line holding one JSON-RPC message; the progress notifications (strictly
    increasing, total 200, the last 200) come before the result, and the stream ends
    with the result."""
    arguments = {"name": "slow", "arguments": {"ms": 200}}
    if era == "modern":
        message = modern(5, "tools/call", arguments, progressToken="tok-1")
        headers = modern_headers(message)
    else:
        session = open_session(http, url)
        message = legacy(5, "tools/call", {**arguments, "_meta": {"progressToken": "tok-1"}})
        headers = session_headers(session)
    try:
        with http.stream("POST", url, json=message, headers=headers) as response:
            assert response.status_code == 200, (response.status_code, response.read())
            content_type = response.headers.get("content-type", "")
            assert content_type.split(";")[0].strip() == "text/event-stream", content_type
            events = read_event_stream(response, timeout=5)
    finally:
        if era == "legacy":
            http.delete(url, headers=headers)

    assert events, "an empty event stream"
    for event in events:
        assert len(event.data_lines) == 1, f"an event with {len(event.data_lines)} data: lines: {event}"
    messages = [json.loads(event.data) for event in events]
    *notes, result = messages
    assert result == {"jsonrpc": "2.0", "id": 5, "result": result.get("result")}, result
    assert result["result"]["content"] == [{"type": "text", "text": "waited 200 ms"}], result
    assert notes, "no notifications/progress before the result"
    for note in notes:
        assert note.get("method") == "notifications/progress", f"only progress may come before the result: {note}"
        assert note["params"]["progressToken"] == "tok-1" and note["params"]["total"] == 200, note
    values = [note["params"]["progress"] for note in notes]
    assert all(b > a for a, b in zip(values, values[1:])), f"progress not strictly increasing: {values}"
    assert values[-1] == 200 and values[0] > 0, values
