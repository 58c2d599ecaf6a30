"""The sans-IO escape hatch: serve MCP over your own I/O and your own loop.

``server.run()`` covers stdio and HTTP with asyncio. For anything else (trio, a socket
you own, a test) take a :class:`Connection`, in the style of h11: bytes in, events out,
answers in, bytes out. No threads, no loop, no I/O happen inside::

    conn = server.connection()
    conn.receive_data(line)                  # bytes from the client (any split)
    while (event := conn.next_event()) is not None:
        if isinstance(event, Cancelled):
            ...                              # stop working on event.ticket
            continue
        try:
            result = event.call()            # the registered handler, arguments converted
            if event.is_async:
                result = await result
        except Exception as exc:
            conn.send_error(event, exc)      # an isError result / a JSON-RPC error
        else:
            conn.send_result(event, result)  # content mapping as run() does it
    transport.write(conn.data_to_send())    # whole newline-terminated messages

Requests the core answers itself (``initialize``, listings, ``ping``, bad input) produce
no event: their answers are simply in :meth:`Connection.data_to_send` after
:meth:`Connection.receive_data`. A Connection is one stdio-style session (newline-delimited
JSON-RPC); use it from one thread. Each call to ``server.connection()`` is a new,
independent session; after the first one, nothing more can be registered on the server.
"""

from __future__ import annotations

import json
from collections import deque
from typing import TYPE_CHECKING, Any, Callable, Deque, Dict, Optional, Union

from .auth import Grant
from .content import completion_values, prompt_result, resource_contents, tool_result
from .context import Context, Emit
from .errors import ArgumentError, ToolError

if TYPE_CHECKING:
    from .server import Prompt, Resource, Server, Tool

__all__ = ["Connection", "Event", "ToolCall", "ResourceRead", "PromptGet", "Completion", "Cancelled"]

# JSON-RPC error codes used for failed reads, prompts and completions.
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603


class Event:
    """Something the client asked for that needs your code; answer it by ``ticket``."""

    __slots__ = ("ticket", "_conn")

    def __init__(self, conn: "Connection", ticket: int) -> None:
        self._conn = conn
        self.ticket = ticket

    def __repr__(self) -> str:
        return f"<{type(self).__name__} ticket={self.ticket}>"


class _HandlerEvent(Event):
    __slots__ = ("principal",)

    #: The caller (a :class:`~picomcp.Grant`), or None for an anonymous one.
    principal: Optional[Grant]

    @property
    def handler(self) -> Callable[..., Any]:
        """The registered function that serves this event."""
        raise NotImplementedError

    @property
    def is_async(self) -> bool:
        """Whether :meth:`call` returns a coroutine (the handler is ``async def``)."""
        raise NotImplementedError

    @property
    def wants_context(self) -> bool:
        """Whether the handler takes a :class:`Context` parameter."""
        raise NotImplementedError

    def call(self, context: Optional[Context] = None) -> Any:
        """Call the handler with the converted arguments (and ``context``, or a fresh
        :class:`Context` of this connection, if it takes one). Returns what it returns (a
        coroutine for ``async def``); raises what it raises, or
        :class:`~picomcp.ArgumentError` for an argument that does not convert."""
        raise NotImplementedError


class ToolCall(_HandlerEvent):
    """A ``tools/call``. ``arguments`` have already passed the tool's ``inputSchema``."""

    __slots__ = ("tool", "arguments_json", "_arguments")

    def __init__(self, conn: "Connection", ticket: int, tool: "Tool", arguments_json: str, *,
                 principal: Optional[Grant] = None) -> None:
        super().__init__(conn, ticket)
        self.principal = principal
        self.tool = tool
        self.arguments_json = arguments_json
        self._arguments: Optional[Dict[str, Any]] = None

    @property
    def name(self) -> str:
        return self.tool.name

    @property
    def arguments(self) -> Dict[str, Any]:
        """The arguments as JSON data (not yet converted)."""
        if self._arguments is None:
            self._arguments = json.loads(self.arguments_json) if self.arguments_json else {}
        return self._arguments

    @property
    def handler(self) -> Callable[..., Any]:
        return self.tool.fn

    @property
    def is_async(self) -> bool:
        return self.tool.is_async

    @property
    def wants_context(self) -> bool:
        return self.tool.binder.context is not None

    def call(self, context: Optional[Context] = None) -> Any:
        binder = self.tool.binder
        if binder.context is not None and context is None:
            context = self._conn.context(self)
        return self.tool.fn(**binder.bind(self.arguments, context))

    def __repr__(self) -> str:
        return f"<ToolCall {self.name!r} ticket={self.ticket}>"


class ResourceRead(_HandlerEvent):
    """A ``resources/read`` of a registered resource or of a URI matching a template
    (``variables`` holds the template's values, as strings)."""

    __slots__ = ("resource", "uri", "variables")

    def __init__(self, conn: "Connection", ticket: int, resource: "Resource", uri: str,
                 variables: Dict[str, str], *, principal: Optional[Grant] = None) -> None:
        super().__init__(conn, ticket)
        self.principal = principal
        self.resource, self.uri, self.variables = resource, uri, variables

    @property
    def handler(self) -> Callable[..., Any]:
        return self.resource.fn

    @property
    def is_async(self) -> bool:
        return self.resource.is_async

    @property
    def wants_context(self) -> bool:
        return self.resource.binder.context is not None

    def call(self, context: Optional[Context] = None) -> Any:
        binder = self.resource.binder
        if binder.context is not None and context is None:
            context = self._conn.context(self)
        return self.resource.fn(**binder.bind(self.variables, context))

    def __repr__(self) -> str:
        return f"<ResourceRead {self.uri!r} ticket={self.ticket}>"


class PromptGet(_HandlerEvent):
    """A ``prompts/get``; required arguments are present (the core checked)."""

    __slots__ = ("prompt", "arguments")

    def __init__(self, conn: "Connection", ticket: int, prompt: "Prompt", arguments: Dict[str, str], *,
                 principal: Optional[Grant] = None) -> None:
        super().__init__(conn, ticket)
        self.principal = principal
        self.prompt, self.arguments = prompt, arguments

    @property
    def name(self) -> str:
        return self.prompt.name

    @property
    def handler(self) -> Callable[..., Any]:
        return self.prompt.fn

    @property
    def is_async(self) -> bool:
        return self.prompt.is_async

    @property
    def wants_context(self) -> bool:
        return self.prompt.binder.context is not None

    def call(self, context: Optional[Context] = None) -> Any:
        binder = self.prompt.binder
        if binder.context is not None and context is None:
            context = self._conn.context(self)
        return self.prompt.fn(**binder.bind(self.arguments, context))

    def __repr__(self) -> str:
        return f"<PromptGet {self.name!r} ticket={self.ticket}>"


class Completion(_HandlerEvent):
    """A ``completion/complete`` for a prompt argument or a template variable."""

    __slots__ = ("ref_type", "name_or_uri", "argument", "value", "context_arguments", "_fn")

    def __init__(self, conn: "Connection", ticket: int, fn: Callable[..., Any], ref_type: str, name_or_uri: str,
                 argument: str, value: str, context_arguments: Dict[str, str], *,
                 principal: Optional[Grant] = None) -> None:
        super().__init__(conn, ticket)
        self.principal = principal
        self._fn = fn
        self.ref_type, self.name_or_uri, self.argument = ref_type, name_or_uri, argument
        self.value, self.context_arguments = value, context_arguments

    @property
    def handler(self) -> Callable[..., Any]:
        return self._fn

    @property
    def is_async(self) -> bool:
        from .server import is_async_callable

        return is_async_callable(self._fn)

    @property
    def wants_context(self) -> bool:
        return False

    def call(self, context: Optional[Context] = None) -> Any:
        return self._fn(self.ref_type, self.name_or_uri, self.argument, self.value, self.context_arguments)

    def __repr__(self) -> str:
        return f"<Completion {self.ref_type} {self.name_or_uri!r} {self.argument!r} ticket={self.ticket}>"


class Cancelled(Event):
    """The client cancelled the call ``ticket`` (or its connection closed): stop working
    on it; anything sent for it now is dropped."""

    __slots__ = ()


AnyEvent = Union[ToolCall, ResourceRead, PromptGet, Completion, Cancelled]


def error_text(error: Union[BaseException, str]) -> str:
    """The message a client sees for a failed call."""
    if isinstance(error, str):
        return error
    if isinstance(error, (ToolError, ArgumentError)):
        return str(error) or type(error).__name__
    text = str(error)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


class Connection:
    """One MCP session over bytes you move yourself (see the module's docstring).

    ``principal`` names the peer (a :class:`~picomcp.Grant`): it sees the tools,
    resources and prompts its scopes reach; None (the default) is anonymous, which sees
    only those registered without scopes. Events carry it as ``event.principal``.
    """

    def __init__(self, server: "Server", emit: Optional[Emit] = None, *, principal: Optional[Grant] = None) -> None:
        if principal is not None and not isinstance(principal, Grant):
            raise TypeError(f"principal is a picomcp.Grant or None, not {type(principal).__name__}")
        self._native, self._tools, self._resources, self._prompts = server._native_server()
        self._completion = server.completion_handler
        self._events: Deque[tuple] = deque()
        self._contexts: Dict[int, Context] = {}
        self._emit: Emit = emit if emit is not None else (lambda fn: fn(self._native))
        self._grants: Dict[int, Optional[Grant]] = {0: None}
        # Called with each bearer token the core wants decided (HTTP with auth only).
        self._authorize: Optional[Callable[[Optional[str]], None]] = None
        if principal is not None:
            self._native.set_principal((principal.name, list(principal.scopes)))

    # ------------------------------------------------------------------ bytes

    def receive_data(self, data: bytes) -> None:
        """Bytes from the client, split anywhere. Complete messages are handled at once:
        answers the core gives itself are queued for :meth:`data_to_send`, calls become
        events for :meth:`next_event`. ``b""`` says the input ended (as in h11): a last
        message without its newline is handled then."""
        if data:
            self._native.receive(data)
        else:
            self._native.finish()

    def data_to_send(self) -> bytes:
        """Everything queued for the client (whole newline-terminated messages); empty
        when there is nothing."""
        return self._native.take_output()

    # ------------------------------------------------------------------ events

    def next_event(self) -> Optional[AnyEvent]:
        """The next event (:class:`ToolCall`, :class:`ResourceRead`, :class:`PromptGet`,
        :class:`Completion`, :class:`Cancelled`), or None when there is none for now."""
        while True:
            if not self._events:
                self._events.extend(self._native.events())
                if not self._events:
                    return None
            raw = self._events.popleft()
            if raw[0] != "authorize":
                return self._wrap(raw)
            if self._authorize is not None:
                self._authorize(raw[1])
            else:  # nobody to ask: refused
                self._native.authorized(raw[1])

    def _grant(self, principal: int) -> Optional[Grant]:
        """The caller behind a native principal id (ids are stable: cached)."""
        try:
            return self._grants[principal]
        except KeyError:
            raw = self._native.grant(principal)
            grant = None if raw is None else Grant(raw[0], raw[1])
            self._grants[principal] = grant
            return grant

    def _wrap(self, raw: tuple) -> AnyEvent:
        kind, ticket = raw[0], raw[1]
        if kind == "tool":
            return ToolCall(self, ticket, self._tools[raw[2]], raw[3], principal=self._grant(raw[4]))
        if kind == "read":
            return ResourceRead(self, ticket, self._resources[raw[2], raw[3]], raw[4], raw[5],
                                principal=self._grant(raw[6]))
        if kind == "prompt":
            return PromptGet(self, ticket, self._prompts[raw[2]], raw[3], principal=self._grant(raw[4]))
        if kind == "complete":
            assert self._completion is not None
            return Completion(self, ticket, self._completion, raw[2], raw[3], raw[4], raw[5], raw[6],
                              principal=self._grant(raw[7]))
        if kind == "cancelled":
            ctx = self._contexts.pop(ticket, None)
            if ctx is not None:
                ctx._cancel()
            return Cancelled(self, ticket)
        raise ValueError(f"unknown native event {raw!r}")

    def context(self, event: Event) -> Context:
        """The :class:`Context` of an event's call (one per ticket): progress and logs
        go into this connection's output; ``cancelled`` turns True on a
        :class:`Cancelled` event for the ticket."""
        ctx = self._contexts.get(event.ticket)
        if ctx is None:
            principal = event.principal if isinstance(event, _HandlerEvent) else None
            ctx = self._contexts[event.ticket] = Context(event.ticket, self._emit, principal)
        return ctx

    @property
    def in_flight(self) -> int:
        """Calls the client is waiting for (events not yet answered)."""
        return self._native.in_flight()

    # ------------------------------------------------------------------ answers

    def send_result(self, event: Event, value: Any) -> bool:
        """Answer an event with what its handler returned, mapped as ``run()`` maps it
        (see :mod:`picomcp.content`). A value that cannot be mapped is answered as an
        error. False when the call is no longer live (cancelled, already answered):
        nothing was sent."""
        self._contexts.pop(event.ticket, None)
        native, ticket = self._native, event.ticket
        try:
            if isinstance(event, ToolCall):
                blocks, structured = tool_result(value, event.tool.output_schema is not None)
                return native.answer_tool(ticket, blocks, structured, False)
            if isinstance(event, ResourceRead):
                contents = resource_contents(value, event.uri, event.resource.mime_type)
                return native.answer_read(ticket, contents)
            if isinstance(event, PromptGet):
                messages, description = prompt_result(value)
                return native.answer_prompt(ticket, messages, description)
            if isinstance(event, Completion):
                values, total, has_more = completion_values(value)
                return native.answer_completion(ticket, values, total, has_more)
        except (TypeError, ValueError) as exc:
            return self.send_error(event, f"{_what(event)} returned a value picomcp cannot send: {exc}")
        raise TypeError(f"cannot answer {event!r}")

    def send_error(self, event: Event, error: Union[BaseException, str]) -> bool:
        """Answer an event with a failure: a tool gets a result with ``isError: true`` and
        the message; a read of a resource that raised ``LookupError`` or
        ``FileNotFoundError`` gets "resource not found"; other failures get a JSON-RPC error
        (invalid params for an argument that does not convert, internal error otherwise).
        False when the call is no longer live."""
        self._contexts.pop(event.ticket, None)
        native, ticket, text = self._native, event.ticket, error_text(error)
        if isinstance(event, ToolCall):
            return native.answer_tool(ticket, [("text", text)], None, True)
        if isinstance(event, ResourceRead) and isinstance(error, (LookupError, FileNotFoundError, ArgumentError)):
            return native.answer_not_found(ticket)
        code = INVALID_PARAMS if isinstance(error, ArgumentError) else INTERNAL_ERROR
        return native.answer_error(ticket, code, text)


def _what(event: Event) -> str:
    if isinstance(event, ToolCall):
        return f"tool {event.name!r}"
    if isinstance(event, ResourceRead):
        return f"resource {event.uri!r}"
    if isinstance(event, PromptGet):
        return f"prompt {event.name!r}"
    return "the completion handler"
