"""``Context``: what a handler can do about the call it is serving.

A handler asks for it by annotation, under any parameter name::

    @server.tool
    async def slow(ms: int, ctx: Context) -> str:
        await ctx.report_progress(0, ms)
        ...

The methods that talk to the client (``report_progress``, ``log`` and its helpers) send at
once and return an already-finished awaitable, so ``await ctx.info("...")`` works in
``async def`` handlers (as in the official SDK) and a plain ``ctx.info("...")`` works in
plain functions, which run in a worker thread (the message is handed to the loop's
thread, where the core lives).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Generator, Optional

if TYPE_CHECKING:
    from .auth import Grant

__all__ = ["Context", "LOG_LEVELS"]

#: The MCP (syslog) log levels, least severe first.
LOG_LEVELS = ("debug", "info", "notice", "warning", "error", "critical", "alert", "emergency")

# Runs a function of the native server on the thread that owns it (then flushes output).
Emit = Callable[[Callable[[Any], Any]], None]


class _Sent:
    """An awaitable that is already done (the message went out when the method was called)."""

    __slots__ = ()

    def __await__(self) -> Generator[Any, None, None]:
        return
        yield  # pragma: no cover - makes this a generator

    def __repr__(self) -> str:
        return "<sent>"


_SENT = _Sent()


class Context:
    """The call a handler is serving: who asked (``principal``), progress, logging and
    cancellation.

    Created by picomcp, one per call; handlers receive it through a parameter annotated
    ``Context`` (or ``Optional[Context]``).
    """

    __slots__ = ("_ticket", "_emit", "_cancelled", "_principal")

    def __init__(self, ticket: int, emit: Emit, principal: Optional["Grant"] = None) -> None:
        self._ticket = ticket
        self._emit = emit
        self._cancelled = False
        self._principal = principal

    @property
    def ticket(self) -> int:
        """The core's id of this call (unique among the calls in flight)."""
        return self._ticket

    @property
    def principal(self) -> Optional["Grant"]:
        """The caller: the :class:`~picomcp.Grant` a :class:`~picomcp.BearerAuth`
        verifier returned for its token (HTTP) or the ``principal`` the server runs as
        (stdio); None for an anonymous caller."""
        return self._principal

    @property
    def cancelled(self) -> bool:
        """True once the client cancelled this call (or the connection went away).

        An ``async def`` handler is also cancelled (its task gets ``CancelledError``);
        a plain function cannot be interrupted, so a long one polls this flag. Nothing is
        sent for a cancelled call, whatever the handler returns.
        """
        return self._cancelled

    def _cancel(self) -> None:
        self._cancelled = True

    def report_progress(
        self, progress: float, total: Optional[float] = None, message: Optional[str] = None
    ) -> _Sent:
        """Send ``notifications/progress`` for this call (only when the client asked for
        progress with a ``progressToken``; otherwise nothing is sent). ``progress`` should
        increase from one report to the next."""
        if not self._cancelled:
            ticket = self._ticket
            self._emit(lambda native: native.progress(ticket, progress, total, message))
        return _SENT

    def log(self, level: str, data: Any, *, logger_name: Optional[str] = None) -> _Sent:
        """Send a ``notifications/message`` log entry tied to this call: ``level`` is one of
        :data:`LOG_LEVELS`, ``data`` any JSON-serializable value (usually a string). Entries
        below the level the client set with ``logging/setLevel`` are not sent."""
        if level not in LOG_LEVELS:
            raise ValueError(f"unknown log level {level!r} (one of {', '.join(LOG_LEVELS)})")
        if not self._cancelled:
            from .content import dumps

            ticket, text = self._ticket, dumps(data)
            self._emit(lambda native: native.log(ticket, level, text, logger_name))
        return _SENT

    def debug(self, data: Any, *, logger_name: Optional[str] = None) -> _Sent:
        """``log("debug", data)``."""
        return self.log("debug", data, logger_name=logger_name)

    def info(self, data: Any, *, logger_name: Optional[str] = None) -> _Sent:
        """``log("info", data)``."""
        return self.log("info", data, logger_name=logger_name)

    def warning(self, data: Any, *, logger_name: Optional[str] = None) -> _Sent:
        """``log("warning", data)``."""
        return self.log("warning", data, logger_name=logger_name)

    def error(self, data: Any, *, logger_name: Optional[str] = None) -> _Sent:
        """``log("error", data)``."""
        return self.log("error", data, logger_name=logger_name)

    def __repr__(self) -> str:
        state = " cancelled" if self._cancelled else ""
        who = f" principal={self._principal.name!r}" if self._principal is not None else ""
        return f"<Context ticket={self._ticket}{who}{state}>"

