# The public API of picomcp, by hand (checked against the module by mypy.stubtest).
import os
from typing import (
    Any,
    Awaitable,
    Callable,
    Dict,
    Generator,
    Iterable,
    List,
    Literal,
    Optional,
    Tuple,
    TypeVar,
    Union,
    overload,
)

__version__: str

_F = TypeVar("_F", bound=Callable[..., Any])
_PathLike = Union[str, os.PathLike[str]]
_Block = tuple

# --------------------------------------------------------------------------- errors

class ToolError(Exception): ...

class ArgumentError(ValueError):
    field: str
    reason: str
    def __init__(self, field: str, reason: str) -> None: ...

# --------------------------------------------------------------------------- access

class Grant:
    def __init__(self, name: str, scopes: Iterable[str] = ()) -> None: ...
    @property
    def name(self) -> str: ...
    @property
    def scopes(self) -> Tuple[str, ...]: ...
    def __contains__(self, scope: object) -> bool: ...
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

class InsufficientScope(Exception):
    scope: str
    def __init__(self, scope: str) -> None: ...

class BearerAuth:
    verify: Callable[[Optional[str]], Union[Optional[Grant], Awaitable[Optional[Grant]]]]
    resource: Optional[str]
    authorization_servers: Tuple[str, ...]
    scopes_supported: Tuple[str, ...]
    cache_seconds: float
    def __init__(
        self,
        verify: Callable[[Optional[str]], Union[Optional[Grant], Awaitable[Optional[Grant]]]],
        *,
        resource: Optional[str] = None,
        authorization_servers: Iterable[str] = (),
        scopes_supported: Iterable[str] = (),
        cache_seconds: float = 60.0,
    ) -> None: ...

# --------------------------------------------------------------------------- context

class _Sent:
    def __await__(self) -> Generator[Any, None, None]: ...

class Context:
    def __init__(
        self, ticket: int, emit: Callable[[Callable[[Any], Any]], None], principal: Optional[Grant] = None
    ) -> None: ...
    @property
    def ticket(self) -> int: ...
    @property
    def principal(self) -> Optional[Grant]: ...
    @property
    def cancelled(self) -> bool: ...
    def report_progress(
        self, progress: float, total: Optional[float] = None, message: Optional[str] = None
    ) -> _Sent: ...
    def log(self, level: str, data: Any, *, logger_name: Optional[str] = None) -> _Sent: ...
    def debug(self, data: Any, *, logger_name: Optional[str] = None) -> _Sent: ...
    def info(self, data: Any, *, logger_name: Optional[str] = None) -> _Sent: ...
    def warning(self, data: Any, *, logger_name: Optional[str] = None) -> _Sent: ...
    def error(self, data: Any, *, logger_name: Optional[str] = None) -> _Sent: ...

# --------------------------------------------------------------------------- content

class _Media:
    data: bytes
    mime_type: str
    def __init__(
        self,
        data: Optional[bytes] = None,
        mime_type: Optional[str] = None,
        *,
        path: Optional[_PathLike] = None,
        format: Optional[str] = None,
    ) -> None: ...

class Image(_Media): ...
class Audio(_Media): ...

class ResourceLink:
    uri: str
    name: str
    title: Optional[str]
    description: Optional[str]
    mime_type: Optional[str]
    def __init__(
        self,
        uri: str,
        name: str,
        *,
        title: Optional[str] = None,
        description: Optional[str] = None,
        mime_type: Optional[str] = None,
    ) -> None: ...

class EmbeddedResource:
    uri: str
    text: Optional[str]
    blob: Optional[bytes]
    mime_type: Optional[str]
    def __init__(
        self, uri: str, *, text: Optional[str] = None, blob: Optional[bytes] = None, mime_type: Optional[str] = None
    ) -> None: ...

class Message:
    role: str
    content: Any
    def __init__(self, role: str, content: Any) -> None: ...

class UserMessage(Message):
    def __init__(self, content: Any) -> None: ...

class AssistantMessage(Message):
    def __init__(self, content: Any) -> None: ...

class PromptResult:
    messages: Any
    description: Optional[str]
    def __init__(self, messages: Any, description: Optional[str] = None) -> None: ...

# --------------------------------------------------------------------------- registrations

class _Handler:
    fn: Callable[..., Any]
    is_async: bool
    binder: Any
    scopes: Tuple[str, ...]
    def __init__(self, fn: Callable[..., Any], binder: Any, scopes: Any = ()) -> None: ...
    @property
    def context_parameter(self) -> Optional[str]: ...

class Tool(_Handler):
    name: str
    title: Optional[str]
    description: Optional[str]
    input_schema: Dict[str, Any]
    output_schema: Optional[Dict[str, Any]]
    annotations: Optional[Dict[str, Any]]
    def __init__(
        self,
        fn: Callable[..., Any],
        binder: Any,
        name: str,
        title: Optional[str],
        description: Optional[str],
        input_schema: Dict[str, Any],
        output_schema: Optional[Dict[str, Any]],
        annotations: Optional[Dict[str, Any]],
        *,
        scopes: Any = (),
    ) -> None: ...

class Resource(_Handler):
    uri: str
    name: str
    title: Optional[str]
    description: Optional[str]
    mime_type: Optional[str]
    variables: List[str]
    def __init__(
        self,
        fn: Callable[..., Any],
        binder: Any,
        uri: str,
        name: str,
        title: Optional[str],
        description: Optional[str],
        mime_type: Optional[str],
        variables: List[str],
        *,
        scopes: Any = (),
    ) -> None: ...
    @property
    def is_template(self) -> bool: ...

class Prompt(_Handler):
    name: str
    title: Optional[str]
    description: Optional[str]
    arguments: List[Tuple[str, Optional[str], bool]]
    def __init__(
        self,
        fn: Callable[..., Any],
        binder: Any,
        name: str,
        title: Optional[str],
        description: Optional[str],
        arguments: List[Tuple[str, Optional[str], bool]],
        *,
        scopes: Any = (),
    ) -> None: ...

# --------------------------------------------------------------------------- server

class Server:
    def __init__(
        self, name: str, version: str = "0.0.0", instructions: Optional[str] = None, *, max_requests: int = 64
    ) -> None: ...
    @property
    def name(self) -> str: ...
    @property
    def version(self) -> str: ...
    @property
    def instructions(self) -> Optional[str]: ...
    @property
    def max_requests(self) -> int: ...
    @property
    def tools(self) -> Tuple[Tool, ...]: ...
    @property
    def resources(self) -> Tuple[Resource, ...]: ...
    @property
    def prompts(self) -> Tuple[Prompt, ...]: ...
    @property
    def completion_handler(self) -> Optional[Callable[..., Any]]: ...
    @overload
    def tool(self, fn: _F) -> _F: ...
    @overload
    def tool(
        self,
        fn: Optional[str] = None,
        *,
        name: Optional[str] = None,
        title: Optional[str] = None,
        description: Optional[str] = None,
        annotations: Optional[Dict[str, Any]] = None,
        structured_output: Optional[bool] = None,
        scopes: Optional[List[str]] = None,
    ) -> Callable[[_F], _F]: ...
    def resource(
        self,
        uri: str,
        *,
        name: Optional[str] = None,
        title: Optional[str] = None,
        description: Optional[str] = None,
        mime_type: Optional[str] = None,
        scopes: Optional[List[str]] = None,
    ) -> Callable[[_F], _F]: ...
    @overload
    def prompt(self, fn: _F) -> _F: ...
    @overload
    def prompt(
        self,
        fn: Optional[str] = None,
        *,
        name: Optional[str] = None,
        title: Optional[str] = None,
        description: Optional[str] = None,
        scopes: Optional[List[str]] = None,
    ) -> Callable[[_F], _F]: ...
    @overload
    def completion(self, fn: _F) -> _F: ...
    @overload
    def completion(self, fn: None = None) -> Callable[[_F], _F]: ...
    def run(self, transport: Literal["stdio", "http", "streamable-http"] = "stdio", host: str = "127.0.0.1",
            port: int = 8000, *, principal: Optional[Grant] = None, auth: Optional[BearerAuth] = None) -> None: ...
    async def run_async(self, transport: Literal["stdio", "http", "streamable-http"] = "stdio",
                        host: str = "127.0.0.1", port: int = 8000, *, principal: Optional[Grant] = None,
                        auth: Optional[BearerAuth] = None) -> None: ...
    def connection(self, *, principal: Optional[Grant] = None) -> Connection: ...

# --------------------------------------------------------------------------- sans-IO

class Event:
    ticket: int
    def __init__(self, conn: Connection, ticket: int) -> None: ...

class _HandlerEvent(Event):
    principal: Optional[Grant]
    @property
    def handler(self) -> Callable[..., Any]: ...
    @property
    def is_async(self) -> bool: ...
    @property
    def wants_context(self) -> bool: ...
    def call(self, context: Optional[Context] = None) -> Any: ...

class ToolCall(_HandlerEvent):
    tool: Tool
    arguments_json: str
    def __init__(
        self, conn: Connection, ticket: int, tool: Tool, arguments_json: str, *, principal: Optional[Grant] = None
    ) -> None: ...
    @property
    def name(self) -> str: ...
    @property
    def arguments(self) -> Dict[str, Any]: ...

class ResourceRead(_HandlerEvent):
    resource: Resource
    uri: str
    variables: Dict[str, str]
    def __init__(
        self,
        conn: Connection,
        ticket: int,
        resource: Resource,
        uri: str,
        variables: Dict[str, str],
        *,
        principal: Optional[Grant] = None,
    ) -> None: ...

class PromptGet(_HandlerEvent):
    prompt: Prompt
    arguments: Dict[str, str]
    def __init__(
        self, conn: Connection, ticket: int, prompt: Prompt, arguments: Dict[str, str], *,
        principal: Optional[Grant] = None,
    ) -> None: ...
    @property
    def name(self) -> str: ...

class Completion(_HandlerEvent):
    ref_type: str
    name_or_uri: str
    argument: str
    value: str
    context_arguments: Dict[str, str]
    def __init__(
        self,
        conn: Connection,
        ticket: int,
        fn: Callable[..., Any],
        ref_type: str,
        name_or_uri: str,
        argument: str,
        value: str,
        context_arguments: Dict[str, str],
        *,
        principal: Optional[Grant] = None,
    ) -> None: ...

class Cancelled(Event): ...

class Connection:
    def __init__(
        self,
        server: Server,
        emit: Optional[Callable[[Callable[[Any], Any]], None]] = None,
        *,
        principal: Optional[Grant] = None,
    ) -> None: ...
    def receive_data(self, data: bytes) -> None: ...
    def data_to_send(self) -> bytes: ...
    def next_event(self) -> Union[ToolCall, ResourceRead, PromptGet, Completion, Cancelled, None]: ...
    def context(self, event: Event) -> Context: ...
    @property
    def in_flight(self) -> int: ...
    def send_result(self, event: Event, value: Any) -> bool: ...
    def send_error(self, event: Event, error: Union[BaseException, str]) -> bool: ...

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
