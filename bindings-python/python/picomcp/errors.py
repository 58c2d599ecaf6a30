"""The exceptions picomcp raises or understands."""

from __future__ import annotations

__all__ = ["ArgumentError", "ToolError"]


class ToolError(Exception):
    """Raise it in a tool to answer with a tool error (``isError: true``) whose text is
    exactly the message; any other exception does the same with ``str(exception)``.

    >>> str(ToolError("the disk is full"))
    'the disk is full'
    """


class ArgumentError(ValueError):
    """An argument could not be turned into the Python value its parameter asks for.

    ``field`` names the argument (with a path into it, such as ``point.x`` or
    ``items[2]``); the message names it too.

    >>> str(ArgumentError("point.x", "expected a number"))
    "invalid argument 'point.x': expected a number"
    """

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"invalid argument '{field}': {reason}")
        self.field = field
        self.reason = reason
