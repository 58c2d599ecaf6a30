"""picomcp-python-demo: the demo MCP server of docs/demo-contract.md, written with
picomcp's Python binding, on stdin/stdout, or with ``--http HOST:PORT`` on Streamable
HTTP at ``http://HOST:PORT/mcp``.

    pip install ./bindings-python
    python examples/python/demo.py                         # stdio
    python examples/python/demo.py --http 127.0.0.1:8000   # Streamable HTTP

It tells you on stderr how to connect the MCP Inspector or Claude Desktop. It serves the
same tools, resources, prompt and completions as the Rust demo (``picomcp-demo``) and the
C demo, so the same client tests check all of them.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import sys
from typing import Annotated, TypedDict

import picomcp
from picomcp import Context, PromptResult, Server, ToolError

NAME = "picomcp-python-demo"

server = Server(
    NAME,
    version=picomcp.__version__,
    instructions="A demo server: echo, add, fail and slow tools, a readme, items by id, and a greeting prompt.",
)

READ_ONLY_IDEMPOTENT = {"readOnlyHint": True, "idempotentHint": True, "openWorldHint": False}
READ_ONLY = {"readOnlyHint": True, "openWorldHint": False}

# How often `slow` reports progress, in milliseconds.
PROGRESS_EVERY_MS = 50

README = (
    "picomcp demo server.\n\nTools: echo(text), add(a, b), fail(), slow(ms).\n"
    "Resources: demo://readme (this text) and demo://items/{id}.\nPrompt: greet(name).\n"
)


# --------------------------------------------------------------------------- tools


@server.tool(title="Echo", annotations=READ_ONLY_IDEMPOTENT)
def echo(text: Annotated[str, "The text to echo"]) -> str:
    """Returns its text unchanged, as one text block."""
    return text


class Sum(TypedDict):
    sum: float


@server.tool(title="Add two numbers", annotations=READ_ONLY_IDEMPOTENT)
def add(a: Annotated[float, "First addend"], b: Annotated[float, "Second addend"]) -> Sum:
    """Adds two numbers; the sum comes as structured content {"sum": a + b}."""
    total = a + b
    if not math.isfinite(total):
        raise ToolError("the sum is too large to represent")
    return {"sum": total}


@server.tool(title="Always fails", annotations=READ_ONLY)
def fail() -> str:
    """Always returns a tool error (isError), to show what one looks like."""
    raise ToolError("fail always fails: it exists to show what a tool error looks like")


@server.tool(title="Wait a while", annotations=READ_ONLY)
async def slow(
    ms: Annotated[int, {"minimum": 0, "maximum": 600000, "description": "How long to wait, in milliseconds"}],
    ctx: Context,
) -> str:
    """Waits the given number of milliseconds without blocking the server, reporting progress every 50 ms."""
    # A cancelled call is a cancelled task: the sleep raises CancelledError and nothing
    # more is sent for it (no progress, no result).
    loop = asyncio.get_running_loop()
    start = loop.time()

    async def until(at_ms: int) -> None:
        await asyncio.sleep(max(0.0, start + at_ms / 1000 - loop.time()))

    waited = PROGRESS_EVERY_MS
    while waited < ms:
        await until(waited)
        await ctx.report_progress(waited, ms)
        waited += PROGRESS_EVERY_MS
    await until(ms)
    await ctx.report_progress(ms, ms)
    return f"waited {ms} ms"


# --------------------------------------------------------------------------- resources


@server.resource("demo://readme", name="readme", mime_type="text/plain", description="What this demo server is")
def readme() -> str:
    return README


@server.resource("demo://items/{id}", name="item", mime_type="text/plain", description="An item, by id")
def item(id: str) -> str:
    return f"Item {id}"


# --------------------------------------------------------------------------- prompt and completion


@server.prompt(title="Greet", description="A greeting for someone")
def greet(name: Annotated[str, "Who to greet"]) -> PromptResult:
    return PromptResult(f"Hello, {name}! Please greet {name} warmly.", description="A greeting")


CANDIDATES = {
    ("prompt", "greet", "name"): ["Ada", "Alan", "Grace", "Linus"],
    ("resource", "demo://items/{id}", "id"): ["1", "2", "3"],
}


@server.completion
def complete(ref_type: str, name_or_uri: str, argument: str, value: str, context: dict[str, str]) -> list[str]:
    candidates = CANDIDATES.get((ref_type, name_or_uri, argument), [])
    return [c for c in candidates if c.startswith(value)]


# --------------------------------------------------------------------------- main


def banner() -> None:
    """Tell a human on stderr how to connect a client (stdout carries only MCP)."""
    python = sys.executable or "python3"
    script = os.path.abspath(__file__)
    config = {"mcpServers": {NAME: {"command": python, "args": [script]}}}
    print(
        f"{NAME} {picomcp.__version__}: an MCP server on stdin/stdout (protocol revisions 2024-11-05 to 2026-07-28).\n"
        "Connect a client:\n"
        f"  MCP Inspector:  npx @modelcontextprotocol/inspector {python} {script}\n"
        "  Claude Desktop: add to claude_desktop_config.json\n"
        f"    {json.dumps(config)}",
        file=sys.stderr,
        flush=True,
    )


USAGE = (
    f"usage: {NAME} [--http HOST:PORT | --version]\n"
    "  serves MCP on stdin/stdout, or with --http on Streamable HTTP at http://HOST:PORT/mcp\n"
    "  (see docs/demo-contract.md)"
)


def main(argv: list[str]) -> int:
    if argv in (["--version"], ["-V"]):
        print(f"{NAME} {picomcp.__version__}")
        return 0
    if not argv:
        banner()
        server.run()
        return 0
    if len(argv) == 2 and argv[0] == "--http":
        host, sep, port_text = argv[1].rpartition(":")
        if not sep or not host or not port_text.isdigit() or not 0 < int(port_text) < 65536:
            print(f"{NAME}: --http wants HOST:PORT with a port 1-65535, not {argv[1]}", file=sys.stderr)
            return 2
        host = host[1:-1] if host.startswith("[") and host.endswith("]") else host
        shown = f"[{host}]" if ":" in host else host
        url = f"http://{shown}:{port_text}/mcp"
        print(
            f"{NAME} {picomcp.__version__}: an MCP server on Streamable HTTP at {url} "
            "(protocol revisions 2024-11-05 to 2026-07-28).\n"
            "Connect a client:\n"
            f'  MCP Inspector:  npx @modelcontextprotocol/inspector, then transport "Streamable HTTP", URL {url}',
            file=sys.stderr,
            flush=True,
        )
        server.run(transport="http", host=host, port=int(port_text))
        return 0
    print(USAGE, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
