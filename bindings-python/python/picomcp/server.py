"""``Server``: register tools, resources, prompts and completions with decorators, then
``run()``.

::

    from picomcp import Context, Server

    server = Server("demo", version="1.0.0")

    @server.tool
    def add(a: float, b: float) -> dict:
        '''Add two numbers.'''
        return {"sum": a + b}

    @server.resource("demo://items/{id}", mime_type="text/plain")
    def item(id: str) -> str:
        return f"Item {id}"

    server.run()            # stdio; server.run(transport="http", port=8000) for HTTP

Every decorator returns the function unchanged, so it can still be called (and tested)
directly. Registration checks everything it can at once (schemas, template variables,
duplicate names) and raises ``TypeError``/``ValueError`` at decoration, not when a client
calls. Nothing can be registered once the server started serving (``RuntimeError``).
"""

from __future__ import annotations

import functools
import inspect
import re
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Tuple, TypeVar, Union

from .auth import Grant, scope_list
from .convert import Binder
from .schema import EMPTY, Signature, apply_metadata, params_schema, return_schema, strip_annotated

if TYPE_CHECKING:
    from .auth import BearerAuth
    from .connection import Connection

__all__ = ["Server", "Tool", "Resource", "Prompt"]

F = TypeVar("F", bound=Callable[..., Any])

_TEMPLATE_PART = re.compile(r"\{([^{}]*)\}")
_VARIABLE = re.compile(r"\+?([A-Za-z0-9_]+)")


def template_variables(uri: str) -> List[str]:
    """The variable names of a URI template (``{name}`` and ``{+name}``, the forms the
    core matches). ValueError for other expressions.

    >>> template_variables("files://{+path}/v{version}")
    ['path', 'version']
    """
    names = []
    for expr in _TEMPLATE_PART.findall(uri):
        match = _VARIABLE.fullmatch(expr)
        if not match:
            raise ValueError(
                f"URI template {uri!r}: {{{expr}}} is not supported (use {{name}} or {{+name}}, "
                "names of letters, digits and _)"
            )
        names.append(match.group(1))
    if uri.count("{") != len(names) or uri.count("}") != len(names):
        raise ValueError(f"URI template {uri!r} has unbalanced braces")
    return names


def is_async_callable(fn: Any) -> bool:
    """Whether calling ``fn`` gives a coroutine (``async def``, also through
    ``functools.partial`` or an ``async def __call__``)."""
    while isinstance(fn, functools.partial):
        fn = fn.func
    return inspect.iscoroutinefunction(fn) or inspect.iscoroutinefunction(getattr(type(fn), "__call__", None))


class _Handler:
    __slots__ = ("fn", "is_async", "binder", "scopes")

    def __init__(self, fn: Callable[..., Any], binder: Binder, scopes: Any = ()) -> None:
        self.fn = fn
        self.is_async = is_async_callable(fn)
        self.binder = binder
        #: The scopes a caller must hold to see it (empty: everyone sees it).
        self.scopes: Tuple[str, ...] = scope_list(scopes)

    @property
    def context_parameter(self) -> Optional[str]:
        """The parameter that receives the :class:`~picomcp.Context`, if any."""
        return self.binder.context


class Tool(_Handler):
    """A registered tool, as clients see it (``Server.tools``)."""

    __slots__ = ("name", "title", "description", "input_schema", "output_schema", "annotations")

    def __init__(self, fn: Callable[..., Any], binder: Binder, name: str, title: Optional[str],
                 description: Optional[str], input_schema: Dict[str, Any], output_schema: Optional[Dict[str, Any]],
                 annotations: Optional[Dict[str, Any]], *, scopes: Any = ()) -> None:
        super().__init__(fn, binder, scopes)
        self.name, self.title, self.description = name, title, description
        self.input_schema, self.output_schema, self.annotations = input_schema, output_schema, annotations

    def __repr__(self) -> str:
        return f"<Tool {self.name!r}>"


class Resource(_Handler):
    """A registered resource or resource template (``Server.resources``)."""

    __slots__ = ("uri", "name", "title", "description", "mime_type", "variables")

    def __init__(self, fn: Callable[..., Any], binder: Binder, uri: str, name: str, title: Optional[str],
                 description: Optional[str], mime_type: Optional[str], variables: List[str], *,
                 scopes: Any = ()) -> None:
        super().__init__(fn, binder, scopes)
        self.uri, self.name, self.title, self.description = uri, name, title, description
        self.mime_type, self.variables = mime_type, variables

    @property
    def is_template(self) -> bool:
        """True for a URI template (``demo://items/{id}``)."""
        return bool(self.variables)

    def __repr__(self) -> str:
        return f"<Resource {self.uri!r}>"


class Prompt(_Handler):
    """A registered prompt (``Server.prompts``); ``arguments`` are
    ``(name, description, required)``."""

    __slots__ = ("name", "title", "description", "arguments")

    def __init__(self, fn: Callable[..., Any], binder: Binder, name: str, title: Optional[str],
                 description: Optional[str], arguments: List[Tuple[str, Optional[str], bool]], *,
                 scopes: Any = ()) -> None:
        super().__init__(fn, binder, scopes)
        self.name, self.title, self.description, self.arguments = name, title, description, arguments

    def __repr__(self) -> str:
        return f"<Prompt {self.name!r}>"


def _annotations(value: Any) -> Optional[Dict[str, Any]]:
    if value is None:
        return None
    if isinstance(value, dict):
        return dict(value)
    if hasattr(value, "model_dump"):  # mcp.types.ToolAnnotations
        return value.model_dump(exclude_none=True, by_alias=True)
    raise TypeError(f"annotations is a dict such as {{'readOnlyHint': True}}, not {type(value).__name__}")


def _name_of(fn: Callable[..., Any]) -> str:
    name = getattr(fn, "__name__", None)
    if not name or name == "<lambda>":
        raise TypeError(f"{fn!r} has no usable __name__: pass name=...")
    return name


class Server:
    """An MCP server: what it offers (tools, resources, prompts, completions) and how to
    serve it (:meth:`run`, or :meth:`connection` for your own I/O).

    ``name`` and ``version`` are the ``serverInfo`` clients see; ``instructions`` tells
    a model how to use the server; ``max_requests`` bounds the calls in flight at once
    (past it, a stdio call is refused by the core with an error; an HTTP request waits
    until an answer frees a slot).
    """

    def __init__(self, name: str, version: str = "0.0.0", instructions: Optional[str] = None, *,
                 max_requests: int = 64) -> None:
        if not isinstance(name, str) or not name:
            raise ValueError("a server needs a non-empty name")
        if not isinstance(max_requests, int) or max_requests < 1:
            raise ValueError("max_requests is a positive integer")
        self._name, self._version, self._instructions = name, version, instructions
        self._max_requests = max_requests
        self._tools: List[Tool] = []
        self._resources: List[Resource] = []
        self._prompts: List[Prompt] = []
        self._completion: Optional[Callable[..., Any]] = None
        self._started = False

    # ------------------------------------------------------------------ properties

    @property
    def name(self) -> str:
        return self._name

    @property
    def version(self) -> str:
        return self._version

    @property
    def instructions(self) -> Optional[str]:
        return self._instructions

    @property
    def max_requests(self) -> int:
        return self._max_requests

    @property
    def tools(self) -> Tuple[Tool, ...]:
        """The registered tools, in registration (and ``tools/list``) order."""
        return tuple(self._tools)

    @property
    def resources(self) -> Tuple[Resource, ...]:
        """The registered resources and resource templates, in registration order."""
        return tuple(self._resources)

    @property
    def prompts(self) -> Tuple[Prompt, ...]:
        """The registered prompts, in registration order."""
        return tuple(self._prompts)

    @property
    def completion_handler(self) -> Optional[Callable[..., Any]]:
        """The function registered with :meth:`completion`, if any."""
        return self._completion

    def _check_open(self, what: str) -> None:
        if self._started:
            raise RuntimeError(f"cannot register {what}: the server already started serving")

    # ------------------------------------------------------------------ tools

    def tool(self, fn: Union[Callable[..., Any], str, None] = None, *, name: Optional[str] = None,
             title: Optional[str] = None, description: Optional[str] = None, annotations: Any = None,
             structured_output: Optional[bool] = None, scopes: Optional[List[str]] = None) -> Any:
        """Register a tool: ``@server.tool``, ``@server.tool("name")`` or
        ``@server.tool(name=..., title=..., description=..., annotations=...)``.

        The ``inputSchema`` comes from the parameters' annotations (see
        :mod:`picomcp.schema`), the description from the docstring (its text before the
        ``Args:`` section; parameter descriptions from that section). A return annotation
        describing an object (``dict[str, T]``, a ``TypedDict``, a dataclass, a pydantic
        model) gives an ``outputSchema``; ``structured_output=False`` turns that off.
        ``annotations`` are the MCP tool hints (``readOnlyHint``, ``destructiveHint``,
        ``idempotentHint``, ``openWorldHint``). ``scopes=["mcp:admin"]`` shows the tool only
        to callers holding every one of them (see :mod:`picomcp.auth`); to others it does
        not exist. Returns the function unchanged.
        """
        if isinstance(fn, str):
            if name is not None:
                raise TypeError("tool(): the name is given twice")
            fn, name = None, fn
        needed = scope_list(scopes)

        def decorate(f: F) -> F:
            self._add_tool(f, name, title, description, annotations, structured_output, needed)
            return f

        return decorate(fn) if fn is not None else decorate  # type: ignore[arg-type]

    def _add_tool(self, fn: Callable[..., Any], name: Optional[str], title: Optional[str],
                  description: Optional[str], annotations: Any, structured_output: Optional[bool],
                  scopes: Any = None) -> None:
        if not callable(fn):
            raise TypeError(f"@server.tool decorates a function, not {type(fn).__name__}")
        tool_name = name or _name_of(fn)
        self._check_open(f"tool {tool_name!r}")
        if any(t.name == tool_name for t in self._tools):
            raise ValueError(f"a tool named {tool_name!r} is already registered")
        sig = Signature(fn, f"tool {tool_name!r}")
        schema = params_schema(sig)
        output = None if structured_output is False else return_schema(sig.returns, sig.what)
        if structured_output and output is None:
            raise TypeError(f"tool {tool_name!r}: structured_output=True needs a return annotation that describes "
                            "an object (dict[str, T], a TypedDict, a dataclass or a pydantic model)")
        tool = Tool(fn, Binder(sig), tool_name, title, description or sig.doc.summary, schema, output,
                    _annotations(annotations), scopes=scope_list(scopes))
        self._tools.append(tool)

    # ------------------------------------------------------------------ resources

    def resource(self, uri: str, *, name: Optional[str] = None, title: Optional[str] = None,
                 description: Optional[str] = None, mime_type: Optional[str] = None,
                 scopes: Optional[List[str]] = None) -> Callable[[F], F]:
        """Register a resource (``@server.resource("demo://readme")``) or, when the URI has
        ``{variables}``, a resource template (``@server.resource("demo://items/{id}")``).

        A template's variables must be parameters of the function, and every parameter
        without a default must be a variable: TypeError at decoration otherwise. Variables
        arrive as strings and are converted for ``int``, ``float``, ``bool``, ``Enum`` and
        ``Literal`` parameters (a value that does not convert reads as "not found").

        The function returns ``str`` (text), ``bytes`` (a blob) or anything JSON-able
        (``application/json`` text); raising ``LookupError`` (``KeyError``, ...) or
        ``FileNotFoundError`` answers "resource not found". The name defaults to the
        function's name, the description to its docstring. ``scopes=[...]`` shows it only to
        callers holding all of them (to others, reading it is "resource not found").
        Returns the function unchanged.
        """
        if not isinstance(uri, str) or not uri:
            if callable(uri):
                raise TypeError("@server.resource needs the URI: @server.resource('scheme://path')")
            raise TypeError("a resource URI is a non-empty string")
        variables = template_variables(uri)
        needed = scope_list(scopes)

        def decorate(fn: F) -> F:
            self._add_resource(fn, uri, variables, name, title, description, mime_type, needed)
            return fn

        return decorate

    def _add_resource(self, fn: Callable[..., Any], uri: str, variables: List[str], name: Optional[str],
                      title: Optional[str], description: Optional[str], mime_type: Optional[str],
                      scopes: Tuple[str, ...] = ()) -> None:
        if not callable(fn):
            raise TypeError(f"@server.resource decorates a function, not {type(fn).__name__}")
        self._check_open(f"resource {uri!r}")
        if any(r.uri == uri for r in self._resources):
            raise ValueError(f"a resource {uri!r} is already registered")
        sig = Signature(fn, f"resource {uri!r}")
        params = [p.name for p in sig.params]
        required = [p.name for p in sig.params if p.default is EMPTY]
        missing = [v for v in variables if v not in params]
        unfilled = [p for p in required if p not in variables]
        if missing or unfilled:
            problems = []
            if missing:
                problems.append(f"template variables {missing} are not parameters of {_name_of(fn)}()")
            if unfilled:
                what = "template variables" if variables else "URI variables (a URI without {...} is a plain resource)"
                problems.append(f"parameters {unfilled} have no default and are not {what}")
            raise TypeError(f"resource {uri!r}: " + "; ".join(problems))
        resource = Resource(fn, Binder(sig, strings=True), uri, name or _name_of(fn), title,
                            description or sig.doc.summary, mime_type, variables, scopes=scopes)
        self._resources.append(resource)

    # ------------------------------------------------------------------ prompts

    def prompt(self, fn: Union[Callable[..., Any], str, None] = None, *, name: Optional[str] = None,
               title: Optional[str] = None, description: Optional[str] = None,
               scopes: Optional[List[str]] = None) -> Any:
        """Register a prompt: ``@server.prompt``, ``@server.prompt("name")`` or
        ``@server.prompt(name=..., title=..., description=...)``.

        Its arguments are the function's parameters (required when they have no
        default), described by ``Annotated[str, "..."]`` or the docstring. Values arrive
        as strings (converted for ``int``, ``float``, ``bool``, ``Enum``, ``Literal``). The
        function returns a string (one user message), a :class:`~picomcp.Message` or a
        list of them. ``scopes=[...]`` shows it only to callers holding all of them.
        Returns the function unchanged.
        """
        if isinstance(fn, str):
            if name is not None:
                raise TypeError("prompt(): the name is given twice")
            fn, name = None, fn
        needed = scope_list(scopes)

        def decorate(f: F) -> F:
            self._add_prompt(f, name, title, description, needed)
            return f

        return decorate(fn) if fn is not None else decorate  # type: ignore[arg-type]

    def _add_prompt(self, fn: Callable[..., Any], name: Optional[str], title: Optional[str],
                    description: Optional[str], scopes: Any = None) -> None:
        if not callable(fn):
            raise TypeError(f"@server.prompt decorates a function, not {type(fn).__name__}")
        prompt_name = name or _name_of(fn)
        self._check_open(f"prompt {prompt_name!r}")
        if any(p.name == prompt_name for p in self._prompts):
            raise ValueError(f"a prompt named {prompt_name!r} is already registered")
        sig = Signature(fn, f"prompt {prompt_name!r}")
        arguments = []
        for p in sig.params:
            text = apply_metadata({}, strip_annotated(p.annotation)[1]).schema.get("description")
            arguments.append((p.name, text or sig.doc.params.get(p.name), p.default is EMPTY))
        prompt = Prompt(fn, Binder(sig, strings=True), prompt_name, title, description or sig.doc.summary, arguments,
                        scopes=scope_list(scopes))
        self._prompts.append(prompt)

    # ------------------------------------------------------------------ completion

    def completion(self, fn: Optional[Callable[..., Any]] = None) -> Any:
        """Register the completion handler (``@server.completion`` or
        ``@server.completion()``), called as
        ``fn(ref_type, name_or_uri, argument, value, context)``: ``ref_type`` is
        ``"prompt"`` or ``"resource"``, ``name_or_uri`` the prompt name or the resource
        template, ``argument`` the argument's name, ``value`` what the user typed so far,
        ``context`` the other arguments already given (``dict[str, str]``). It returns the
        suggestions (a list of strings; at most 100 are sent). Returns the function
        unchanged.
        """

        def decorate(f: F) -> F:
            if not callable(f):
                raise TypeError(f"@server.completion decorates a function, not {type(f).__name__}")
            self._check_open("a completion handler")
            if self._completion is not None:
                raise ValueError("a completion handler is already registered")
            self._completion = f
            return f

        return decorate(fn) if fn is not None else decorate

    # ------------------------------------------------------------------ serving

    def run(self, transport: str = "stdio", host: str = "127.0.0.1", port: int = 8000, *,
            principal: Optional[Grant] = None, auth: Optional["BearerAuth"] = None) -> None:
        """Serve until the client goes away: ``transport="stdio"`` (newline-delimited
        JSON-RPC on stdin/stdout; returns within a second of stdin closing) or
        ``transport="http"`` (Streamable HTTP at ``http://host:port/mcp``, until
        interrupted). Runs its own asyncio loop: ``async def`` handlers run on it as tasks,
        plain functions in worker threads.

        ``principal`` (stdio only) names the peer, a :class:`~picomcp.Grant`: it sees what
        its scopes reach (default: anonymous, which sees only what needs no scopes).
        ``auth`` (HTTP only), a :class:`~picomcp.BearerAuth`, requires a bearer token on
        every request (see :mod:`picomcp.auth`)."""
        from .runtime import serve

        serve(self, transport, host, port, principal=principal, auth=auth)

    async def run_async(self, transport: str = "stdio", host: str = "127.0.0.1", port: int = 8000, *,
                        principal: Optional[Grant] = None, auth: Optional["BearerAuth"] = None) -> None:
        """:meth:`run` on the running asyncio loop (for programs that own their loop)."""
        from .runtime import serve_async

        await serve_async(self, transport, host, port, principal=principal, auth=auth)

    def connection(self, *, principal: Optional[Grant] = None) -> "Connection":
        """A sans-IO connection for your own I/O (see :mod:`picomcp.connection`), its peer
        ``principal`` (default: anonymous)."""
        from .connection import Connection

        return Connection(self, principal=principal)

    def _native_server(self) -> Tuple[Any, Dict[int, Tool], Dict[Tuple[str, int], Resource], Dict[int, Prompt]]:
        """A native server with everything registered; registration closes."""
        from . import _native
        from .content import dumps

        self._started = True
        native = _native.Server(self._name, self._version, self._instructions, max_requests=self._max_requests)
        tools: Dict[int, Tool] = {}
        for tool in self._tools:
            index = native.add_tool(
                tool.name, tool.description, dumps(tool.input_schema), title=tool.title,
                output_schema=None if tool.output_schema is None else dumps(tool.output_schema),
                annotations=tool.annotations, scopes=list(tool.scopes),
            )
            tools[index] = tool
        resources: Dict[Tuple[str, int], Resource] = {}
        for res in self._resources:
            if res.is_template:
                index = native.add_template(res.uri, res.name, title=res.title, description=res.description,
                                            mime_type=res.mime_type, scopes=list(res.scopes))
                resources["template", index] = res
            else:
                index = native.add_resource(res.uri, res.name, title=res.title, description=res.description,
                                            mime_type=res.mime_type, scopes=list(res.scopes))
                resources["resource", index] = res
        prompts: Dict[int, Prompt] = {}
        for prompt in self._prompts:
            index = native.add_prompt(prompt.name, title=prompt.title, description=prompt.description,
                                      arguments=prompt.arguments, scopes=list(prompt.scopes))
            prompts[index] = prompt
        if self._completion is not None:
            native.enable_completions()
        return native, tools, resources, prompts

    def __repr__(self) -> str:
        return f"<Server {self._name!r} {self._version}: {len(self._tools)} tools, {len(self._resources)} resources, " \
               f"{len(self._prompts)} prompts>"

