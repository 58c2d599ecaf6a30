"""Scoped access and bearer-token authorization, end to end.

A small server (``SERVER_SOURCE``) runs in a subprocess, over Streamable HTTP with
``auth=BearerAuth(...)`` (a sync or an async verifier) or over stdio with
``principal=Grant(...)``. The official MCP Python SDK client (``mcp``, installed into the
test venv by run-tests.sh) shows what each caller sees; plain ``http.client`` requests
check the 401/403 answers, their challenges and the metadata document byte for byte.
"""

from __future__ import annotations

import http.client
import json
import os
import queue
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

import pytest

pytest.importorskip("picomcp._native", reason="the native module is not built")

from picomcp import BearerAuth, Context, Grant, InsufficientScope, Server  # noqa: E402

pytestmark = pytest.mark.timeout(90)

SERVER_SOURCE = r'''
import asyncio, os, sys
from picomcp import BearerAuth, Context, Grant, InsufficientScope, Server

server = Server("access", version="1.0.0", max_requests=int(os.environ.get("MAX_REQUESTS", "64")))


@server.tool
def whoami(ctx: Context) -> str:
    """Who is asking."""
    p = ctx.principal
    return "anonymous" if p is None else " ".join([p.name, *p.scopes])


@server.tool(scopes=["mcp:read"])
def read_notes() -> str:
    return "notes"


@server.tool(scopes=["mcp:admin"])
def purge() -> str:
    return "purged"


@server.tool
async def slow(ms: int, ctx: Context) -> str:
    await asyncio.sleep(ms / 1000)
    return f"slept {ms} for {ctx.principal.name if ctx.principal else 'anonymous'}"


@server.resource("demo://public", mime_type="text/plain")
def public() -> str:
    return "for everyone"


@server.resource("demo://secret", mime_type="text/plain", scopes=["mcp:admin"])
def secret() -> str:
    return "for admins"


@server.resource("demo://vault/{item}", mime_type="text/plain", scopes=["mcp:admin"])
def vault(item: str) -> str:
    return f"vault {item}"


@server.prompt
def hello() -> str:
    return "Say hello."


@server.prompt(scopes=["mcp:admin"])
def audit() -> str:
    return "Audit everything."


GRANTS = {"alice-token": Grant("alice", ["mcp:read", "mcp:admin"]), "bob-token": Grant("bob", ["mcp:read"])}


def decide(token):
    print(f"verify {token}", file=sys.stderr, flush=True)
    if token == "boom":
        raise RuntimeError("the token service is down")
    if token == "weak":
        raise InsufficientScope("mcp:admin")
    return GRANTS.get(token)


def verify_sync(token):
    return decide(token)


async def verify_async(token):
    await asyncio.sleep(0.01)
    return decide(token)


mode = sys.argv[1]
if mode == "stdio":
    server.run(principal=Grant(sys.argv[2], sys.argv[3:]) if len(sys.argv) > 2 else None)
else:
    auth = BearerAuth(
        verify_async if mode == "http-async" else verify_sync,
        authorization_servers=["https://auth.example"],
        scopes_supported=["mcp:read", "mcp:admin"],
        cache_seconds=60,
    )
    server.run(transport="http", port=0, auth=auth)
'''

BOUND = re.compile(r"serving MCP \(Streamable HTTP\) at http://127\.0\.0\.1:(\d+)/mcp")
INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
}


@pytest.fixture(scope="module")
def script(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("access") / "access_server.py"
    path.write_text(SERVER_SOURCE)
    return path


class HttpServer:
    """The test server over HTTP in a subprocess; its stderr is collected."""

    def __init__(self, script: Path, mode: str, env: Optional[Dict[str, str]] = None) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(script), mode],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env={**os.environ, **(env or {})},
        )
        self.lines: "queue.Queue[str]" = queue.Queue()
        self.stderr: List[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        deadline = time.monotonic() + 20
        while True:
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                self.close()
                raise AssertionError(f"the server did not start: {''.join(self.stderr)}") from None
            match = BOUND.search(line)
            if match:
                self.port = int(match.group(1))
                break
        self.url = f"http://127.0.0.1:{self.port}/mcp"
        self.metadata_url = f"http://127.0.0.1:{self.port}/.well-known/oauth-protected-resource/mcp"

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for raw in self.proc.stderr:
            line = raw.decode("utf-8", "replace")
            self.stderr.append(line)
            self.lines.put(line)

    def log(self) -> str:
        return "".join(self.stderr)

    def request(self, method: str, path: str, body: Any = None, token: Optional[str] = None) -> Tuple[int, Dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        headers = {"Accept": "application/json, text/event-stream"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        try:
            conn.request(method, path, body=None if body is None else json.dumps(body).encode(), headers=headers)
            response = conn.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            conn.close()

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait(timeout=10)


@pytest.fixture(scope="module")
def server(script: Path) -> Iterator[HttpServer]:
    """HTTP with an async verifier."""
    s = HttpServer(script, "http-async")
    yield s
    s.close()


@pytest.fixture(scope="module")
def sync_server(script: Path) -> Iterator[HttpServer]:
    """HTTP with a plain-function verifier."""
    s = HttpServer(script, "http-sync")
    yield s
    s.close()


# --------------------------------------------------------------------------- plain HTTP


def test_no_token_is_401_with_the_challenge(server: HttpServer) -> None:
    status, headers, body = server.request("POST", "/mcp", INIT)
    assert status == 401, body
    assert headers["www-authenticate"] == f'Bearer resource_metadata="{server.metadata_url}"'
    assert json.loads(body)["error"] == "invalid_request"


@pytest.mark.parametrize("fixture", ["server", "sync_server"])
def test_a_wrong_token_is_401_invalid_token(fixture: str, request: pytest.FixtureRequest) -> None:
    s: HttpServer = request.getfixturevalue(fixture)
    status, headers, body = s.request("POST", "/mcp", INIT, token="not-a-token")
    assert status == 401, body
    assert headers["www-authenticate"] == f'Bearer error="invalid_token", resource_metadata="{s.metadata_url}"'
    assert json.loads(body)["error"] == "invalid_token"


@pytest.mark.parametrize("fixture", ["server", "sync_server"])
def test_an_under_scoped_token_is_403_insufficient_scope(fixture: str, request: pytest.FixtureRequest) -> None:
    s: HttpServer = request.getfixturevalue(fixture)
    status, headers, body = s.request("POST", "/mcp", INIT, token="weak")
    assert status == 403, body
    assert headers["www-authenticate"] == (
        f'Bearer error="insufficient_scope", scope="mcp:admin", resource_metadata="{s.metadata_url}"'
    )
    assert json.loads(body)["error"] == "insufficient_scope"


def test_the_metadata_document(server: HttpServer) -> None:
    status, headers, body = server.request("GET", "/.well-known/oauth-protected-resource/mcp")
    assert status == 200, body
    assert headers["content-type"].startswith("application/json")
    assert json.loads(body) == {
        "resource": server.url,
        "authorization_servers": ["https://auth.example"],
        "scopes_supported": ["mcp:read", "mcp:admin"],
        "bearer_methods_supported": ["header"],
    }


@pytest.mark.parametrize("fixture", ["server", "sync_server"])
def test_a_good_token_gets_in_and_is_checked_once(fixture: str, request: pytest.FixtureRequest) -> None:
    s: HttpServer = request.getfixturevalue(fixture)
    for _ in range(3):
        status, _, body = s.request("POST", "/mcp", INIT, token="bob-token")
        assert status == 200, body
        assert json.loads(body)["result"]["serverInfo"]["name"] == "access"
    assert s.log().count("verify bob-token\n") == 1, s.log()


@pytest.mark.parametrize("fixture", ["server", "sync_server"])
def test_a_verifier_that_raises_is_401_and_serving_goes_on(fixture: str, request: pytest.FixtureRequest) -> None:
    s: HttpServer = request.getfixturevalue(fixture)
    status, headers, _ = s.request("POST", "/mcp", INIT, token="boom")
    assert status == 401
    assert headers["www-authenticate"].startswith('Bearer error="invalid_token"')
    assert "the bearer-token verifier failed" in s.log() and "the token service is down" in s.log()
    assert s.proc.poll() is None
    status, _, body = s.request("POST", "/mcp", INIT, token="alice-token")
    assert status == 200, body


# --------------------------------------------------------------------------- the SDK client


def sdk() -> Any:
    return pytest.importorskip("mcp", reason="the official MCP Python SDK is not installed")


def with_client(url: str, token: str, body: Callable[[Any], Any]) -> Any:
    """Run ``await body(client)`` with an SDK client sending ``Authorization: Bearer token``."""
    mcp = sdk()
    import anyio
    import httpx2
    from mcp.client.streamable_http import streamable_http_client

    async def main() -> Any:
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx2.AsyncClient(headers=headers, timeout=30.0, trust_env=False) as http:
            async with mcp.Client(streamable_http_client(url, http_client=http), read_timeout_seconds=30) as client:
                return await body(client)

    return anyio.run(main)


async def rpc_error(request: Any) -> Any:
    from mcp import MCPError

    try:
        result = await request
    except MCPError as error:
        return error
    pytest.fail(f"expected a JSON-RPC error, got {result!r}")


def error_shape(error: Any, name: str) -> Tuple[int, str, str]:
    """An error with the name it is about replaced, to compare two errors."""
    return error.code, error.message.replace(name, "NAME"), json.dumps(error.data).replace(name, "NAME")


def texts(result: Any) -> List[str]:
    return [block.text for block in result.contents] if hasattr(result, "contents") else \
        [block.text for block in result.content]


def test_two_principals_see_different_lists(server: HttpServer) -> None:
    async def lists(client: Any) -> Dict[str, Any]:
        return {
            "tools": [t.name for t in (await client.list_tools()).tools],
            "resources": [str(r.uri) for r in (await client.list_resources()).resources],
            "templates": [t.uri_template for t in (await client.list_resource_templates()).resource_templates],
            "prompts": [p.name for p in (await client.list_prompts()).prompts],
            "whoami": texts(await client.call_tool("whoami", {})),
        }

    alice = with_client(server.url, "alice-token", lists)
    bob = with_client(server.url, "bob-token", lists)
    assert alice == {
        "tools": ["whoami", "read_notes", "purge", "slow"],
        "resources": ["demo://public", "demo://secret"],
        "templates": ["demo://vault/{item}"],
        "prompts": ["hello", "audit"],
        "whoami": ["alice mcp:read mcp:admin"],
    }
    assert bob == {
        "tools": ["whoami", "read_notes", "slow"],
        "resources": ["demo://public"],
        "templates": [],
        "prompts": ["hello"],
        "whoami": ["bob mcp:read"],
    }


def test_hidden_things_are_indistinguishable_from_unregistered_ones(server: HttpServer) -> None:
    async def probe(client: Any) -> Dict[str, Any]:
        return {
            "tool": error_shape(await rpc_error(client.call_tool("purge", {})), "purge"),
            "no_tool": error_shape(await rpc_error(client.call_tool("never_registered", {})), "never_registered"),
            "resource": error_shape(await rpc_error(client.read_resource("demo://secret")), "demo://secret"),
            "template": error_shape(await rpc_error(client.read_resource("demo://vault/x")), "demo://vault/x"),
            "no_resource": error_shape(await rpc_error(client.read_resource("demo://nope")), "demo://nope"),
            "prompt": error_shape(await rpc_error(client.get_prompt("audit", {})), "audit"),
            "no_prompt": error_shape(await rpc_error(client.get_prompt("nothing_here", {})), "nothing_here"),
            "visible": texts(await client.call_tool("read_notes", {})),
        }

    bob = with_client(server.url, "bob-token", probe)
    assert bob["tool"] == bob["no_tool"]
    assert bob["tool"][0] == -32602
    assert bob["resource"] == bob["no_resource"] == bob["template"]
    assert bob["prompt"] == bob["no_prompt"]
    assert bob["visible"] == ["notes"]

    async def admin(client: Any) -> List[str]:
        return [
            *texts(await client.call_tool("purge", {})),
            *texts(await client.read_resource("demo://secret")),
            *texts(await client.read_resource("demo://vault/x")),
        ]

    assert with_client(server.url, "alice-token", admin) == ["purged", "for admins", "vault x"]


def test_requests_past_max_requests_wait_for_a_slot(script: Path) -> None:
    """max_requests=2 and 10 concurrent slow calls: every one is answered (held until
    a slot frees, not refused with -32603)."""
    s = HttpServer(script, "http-sync", env={"MAX_REQUESTS": "2"})
    try:
        import anyio

        async def burst(client: Any) -> Tuple[List[str], float]:
            results: List[str] = []

            async def one() -> None:
                results.extend(texts(await client.call_tool("slow", {"ms": 300})))

            start = time.monotonic()
            async with anyio.create_task_group() as group:
                for _ in range(10):
                    group.start_soon(one)
            return results, time.monotonic() - start

        results, elapsed = with_client(s.url, "alice-token", burst)
        assert results == ["slept 300 for alice"] * 10
        assert elapsed >= 1.0, elapsed  # two at a time: at least five rounds of 300 ms
        assert s.proc.poll() is None
    finally:
        s.close()


# --------------------------------------------------------------------------- stdio


def stdio_view(script: Path, *principal: str) -> Dict[str, Any]:
    mcp = sdk()
    import anyio

    async def main() -> Dict[str, Any]:
        params = mcp.StdioServerParameters(command=sys.executable, args=[str(script), "stdio", *principal],
                                           env=dict(os.environ))
        with open(os.devnull, "w") as errlog:
            async with mcp.Client(mcp.stdio_client(params, errlog=errlog), read_timeout_seconds=30) as client:
                tools = [t.name for t in (await client.list_tools()).tools]
                who = texts(await client.call_tool("whoami", {}))
                purge = await client.call_tool("purge", {}) if "purge" in tools else \
                    error_shape(await rpc_error(client.call_tool("purge", {})), "purge")
                return {"tools": tools, "whoami": who, "purge": purge if isinstance(purge, tuple) else texts(purge)}

    return anyio.run(main)


def test_a_stdio_principal_sees_its_scoped_tools(script: Path) -> None:
    assert stdio_view(script, "alice", "mcp:read", "mcp:admin") == {
        "tools": ["whoami", "read_notes", "purge", "slow"],
        "whoami": ["alice mcp:read mcp:admin"],
        "purge": ["purged"],
    }


def test_an_anonymous_stdio_peer_does_not(script: Path) -> None:
    view = stdio_view(script)
    assert view["tools"] == ["whoami", "slow"]
    assert view["whoami"] == ["anonymous"]
    assert view["purge"][0] == -32602 and "NAME" in view["purge"][1]


# --------------------------------------------------------------------------- the Python API


def test_api_checks() -> None:
    server = Server("checks")
    with pytest.raises(TypeError, match="list of strings"):
        server.tool(scopes="mcp:admin")(lambda: None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="non-empty"):

        @server.tool(scopes=[""])
        def empty() -> str:
            return ""

    @server.tool(scopes=("a", "b"))
    def scoped() -> str:
        return ""

    assert server.tools[-1].scopes == ("a", "b")
    assert Grant("x", ["a"]) == Grant("x", ("a",)) and hash(Grant("x", ["a"])) == hash(Grant("x", ("a",)))
    assert InsufficientScope("a b").scope == "a b"
    with pytest.raises(ValueError):
        BearerAuth(lambda t: None, cache_seconds=-1)
    with pytest.raises(TypeError):
        BearerAuth("not callable")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="transport='http'"):
        server.run(auth=BearerAuth(lambda t: None))
    with pytest.raises(ValueError, match="stdio peer"):
        server.run(transport="http", principal=Grant("x"))


def test_sansio_connection_principal() -> None:
    server = Server("sansio")

    @server.tool(scopes=["admin"])
    def who(ctx: Context) -> str:
        assert ctx.principal is not None
        return ctx.principal.name

    def session(principal: Optional[Grant]) -> List[Dict[str, Any]]:
        conn = server.connection(principal=principal)
        lines = [INIT, {"jsonrpc": "2.0", "method": "notifications/initialized"},
                 {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "who", "arguments": {}}}]
        conn.receive_data(b"".join(json.dumps(m).encode() + b"\n" for m in lines))
        while (event := conn.next_event()) is not None:
            assert event.principal == principal  # type: ignore[union-attr]
            conn.send_result(event, event.call())  # type: ignore[union-attr]
        return [json.loads(line) for line in conn.data_to_send().splitlines()]

    assert session(Grant("root", ["admin"]))[-1]["result"]["content"] == [{"type": "text", "text": "root"}]
    assert session(None)[-1]["error"]["code"] == -32602


def test_the_auth_example_registers_scoped_tools() -> None:
    import importlib.util

    path = Path(__file__).resolve().parents[2] / "examples" / "python" / "auth.py"
    spec = importlib.util.spec_from_file_location("picomcp_auth_example", path)
    assert spec is not None and spec.loader is not None
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    assert {t.name: t.scopes for t in example.server.tools} == {
        "whoami": (), "notes": ("notes:read",), "purge": ("notes:admin",),
    }
    import asyncio

    assert asyncio.run(example.verify("admin-token")) == Grant("admin", ["notes:read", "notes:admin"])
    assert asyncio.run(example.verify(None)) is None
