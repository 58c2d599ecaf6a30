"""Scoped tools and bearer tokens with picomcp's Python binding.

    pip install ./bindings-python
    python examples/python/auth.py                      # Streamable HTTP on 127.0.0.1:8000
    python examples/python/auth.py --stdio alice        # stdio, the peer is "alice"

Over HTTP every request needs ``Authorization: Bearer <token>``: ``reader-token`` sees
``whoami`` and ``notes``, ``admin-token`` also sees ``purge``; any other token gets
``401``, and the metadata document is at
``http://127.0.0.1:8000/.well-known/oauth-protected-resource/mcp``. A real server checks
tokens against its authorization server (a JWT signature, token introspection) in
``verify``.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Optional

from picomcp import BearerAuth, Context, Grant, Server

server = Server("picomcp-auth-example", version="1.0.0")

TOKENS = {
    "reader-token": Grant("reader", ["notes:read"]),
    "admin-token": Grant("admin", ["notes:read", "notes:admin"]),
}


@server.tool
def whoami(ctx: Context) -> str:
    """Say who is calling."""
    return "anonymous" if ctx.principal is None else f"{ctx.principal.name} ({' '.join(ctx.principal.scopes)})"


@server.tool(scopes=["notes:read"])
def notes() -> str:
    """Read the notes."""
    return "Buy milk."


@server.tool(scopes=["notes:admin"])
def purge() -> str:
    """Delete every note."""
    return "All notes deleted."


async def verify(token: Optional[str]) -> Optional[Grant]:
    """A Grant lets the request in as that caller; None is 401. (An async verifier may
    await an introspection endpoint; a plain function runs in a worker thread.)"""
    await asyncio.sleep(0)
    return TOKENS.get(token or "")


def main(argv: list) -> int:
    if argv[:1] == ["--stdio"]:
        name = argv[1] if len(argv) > 1 else "alice"
        server.run(principal=Grant(name, ["notes:read"]))
        return 0
    server.run(
        transport="http",
        port=8000,
        auth=BearerAuth(
            verify,
            authorization_servers=["https://auth.example.com"],
            scopes_supported=["notes:read", "notes:admin"],
            cache_seconds=60,
        ),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
