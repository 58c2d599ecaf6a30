"""picomcp: MCP servers in Python on an allocation-free Rust engine.

::

    from picomcp import Context, Server

    server = Server("demo", version="1.0.0")

    @server.tool
    def echo(text: str) -> str:
        '''Return the text unchanged.'''
        return text

    server.run()

See :class:`Server` for the decorators, :mod:`picomcp.schema` for what type hints become,
:mod:`picomcp.content` for what return values become, :class:`Context` for progress,
logging, cancellation and the caller, :mod:`picomcp.auth` for scopes and bearer tokens,
and :mod:`picomcp.connection` for serving over your own I/O.
"""

from __future__ import annotations

from .auth import BearerAuth, Grant, InsufficientScope
from .connection import Cancelled, Completion, Connection, Event, PromptGet, ResourceRead, ToolCall
from .content import AssistantMessage, Audio, EmbeddedResource, Image, Message, PromptResult, ResourceLink, UserMessage
from .context import Context
from .errors import ArgumentError, ToolError
from .server import Prompt, Resource, Server, Tool


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("picomcp")
    except PackageNotFoundError:  # running from a source tree
        return "0.0.0"


__version__: str = _version()

__all__ = [
    "__version__",
    "Server",
    "Context",
    "Grant",
    "BearerAuth",
    "InsufficientScope",
    "ToolError",
    "ArgumentError",
    "Image",
    "Audio",
    "ResourceLink",
    "EmbeddedResource",
    "Message",
    "UserMessage",
    "AssistantMessage",
    "PromptResult",
    "Tool",
    "Resource",
    "Prompt",
    "Connection",
    "ToolCall",
    "ResourceRead",
    "PromptGet",
    "Completion",
    "Event",
    "Cancelled",
]
