"""The native core of picomcp (private): a thin pyo3 skin over the Rust core's sans-IO API.

Everything protocol-shaped happens in the core: framing, JSON-RPC, both protocol eras,
argument checking against each tool's inputSchema, listings, errors, the JSON of every
answer. Python gives descriptors, receives calls as events, and answers by ticket with
plain values (the core writes the JSON). One ``Server`` is used from one thread (the
asyncio loop's); methods never call back into Python.
"""

from collections.abc import Iterable
from typing import Literal, Optional, final

from typing_extensions import Self

__all__ = ["Block", "Contents", "Event", "Server"]

# A content block for a tool result or a prompt message, as plain tuples:
#   ("text", text)
#   ("image", data: bytes, mime_type)          base64 is done by the core
#   ("audio", data: bytes, mime_type)
#   ("resource_link", uri, name, title | None, description | None, mime_type | None)
#   ("resource_text", uri, mime_type | None, text)      an embedded resource
#   ("resource_blob", uri, mime_type | None, data: bytes)
#   ("json", json_text)                          a whole block as JSON text (checked)
# (At run time Block, Contents and Event are `tuple` itself.)
Block = tuple
# Resource contents for a read: ("text", uri, mime_type | None, text) or
# ("blob", uri, mime_type | None, data: bytes).
Contents = tuple

# Events, from Server.events(), as tuples (first item the kind). A call's last item is
# its caller's principal id (0: anonymous; Server.grant names the others):
#   ("tool", ticket: int, index: int, arguments_json: str, principal: int)
#       a tools/call of tool `index` (registration order); the arguments already passed
#       the tool's inputSchema
#   ("read", ticket: int, target: Literal["resource", "template"], index: int, uri: str,
#       variables: dict[str, str], principal: int)
#   ("prompt", ticket: int, index: int, arguments: dict[str, str], principal: int)
#   ("complete", ticket: int, ref: Literal["prompt", "resource"], name_or_uri: str,
#       argument: str, value: str, context: dict[str, str], principal: int)
#   ("authorize", token: str | None) an HTTP request carries a bearer token (None: no
#       Authorization header) not decided yet (set_auth is on): answer with authorized();
#       its requests wait until then
#   ("cancelled", ticket: int)       the client cancelled that call (or its HTTP connection
#       closed): its ticket is void
Event = tuple

@final
class Server:
    # ValueError for an empty name, max_requests outside 1..65536, max_line below 64.
    # max_line bounds a stdio line and an HTTP request body (bytes).
    def __new__(
        cls,
        name: str,
        version: str,
        instructions: Optional[str] = None,
        *,
        max_requests: int = 64,
        page_size: int = 0,
        max_line: int = 1048576,
    ) -> Self: ...

    # Registration (before serving starts, i.e. the first receive() or http_open();
    # afterwards RuntimeError). ValueError for a schema that is not a JSON object schema,
    # an empty name, a malformed URI template; KeyError-free: a duplicate name is
    # ValueError too. Each returns the index events use. `scopes`: a caller sees the
    # descriptor only if it holds all of them (to others it does not exist).
    def add_tool(
        self,
        name: str,
        description: Optional[str],
        input_schema: str,
        *,
        title: Optional[str] = None,
        output_schema: Optional[str] = None,
        annotations: Optional[dict] = None,  # readOnlyHint, destructiveHint, idempotentHint, openWorldHint (bool), title (str)
        scopes: list[str] = ...,
    ) -> int: ...
    def add_resource(
        self, uri: str, name: str, *, title: Optional[str] = None, description: Optional[str] = None,
        mime_type: Optional[str] = None, scopes: list[str] = ...,
    ) -> int: ...
    def add_template(
        self, uri_template: str, name: str, *, title: Optional[str] = None, description: Optional[str] = None,
        mime_type: Optional[str] = None, scopes: list[str] = ...,
    ) -> int: ...
    def add_prompt(
        self, name: str, *, title: Optional[str] = None, description: Optional[str] = None,
        arguments: Optional[Iterable[tuple[str, Optional[str], bool]]] = None,  # (name, description, required)
        scopes: list[str] = ...,
    ) -> int: ...
    def enable_completions(self) -> None: ...
    # A server serves stdio or HTTP, whichever is used first (the other's methods then
    # raise RuntimeError).

    # The stdio (newline-delimited) sans-IO loop.
    def receive(self, data: bytes) -> None:
        """Feed input bytes (any split); every complete message is handled now: answers the
        core gives itself go to the output, calls become events. Never raises for bad input
        (the client gets JSON-RPC errors; a line longer than max_line gets an error reply
        and is skipped)."""
    def finish(self) -> None:
        """The input ended: a last line without its newline is handled now."""
    def events(self) -> list[Event]:
        """Take the events produced since the last call, in order."""
    def take_output(self) -> bytes:
        """Take every byte queued for the client (whole newline-terminated messages)."""

    # Answers, by ticket. Each is written at once (through the core, to stdio output or to
    # the call's HTTP response or event stream). A stale ticket (answered, cancelled)
    # returns False and sends nothing; otherwise True. ValueError for malformed blocks or
    # invalid JSON text (checked before anything is written: the call stays in flight);
    # RuntimeError for a ticket of another kind of request (a read ticket to answer_tool).
    # Lists may be any iterable.
    def answer_tool(
        self, ticket: int, blocks: Iterable[Block], structured_json: Optional[str] = None, is_error: bool = False,
    ) -> bool: ...
    def answer_read(self, ticket: int, contents: Iterable[Contents]) -> bool: ...
    def answer_not_found(self, ticket: int) -> bool: ...
    def answer_prompt(
        self,
        ticket: int,
        messages: Iterable[tuple[Literal["user", "assistant"], Block]],
        description: Optional[str] = None,
    ) -> bool: ...
    def answer_completion(
        self, ticket: int, values: list[str], total: Optional[int] = None, has_more: bool = False,
    ) -> bool: ...
    def answer_error(self, ticket: int, code: int, message: str) -> bool: ...

    # Notifications about a call in flight (sent only where the client asked for them:
    # True when sent). progress: only with a progressToken and increasing values;
    # ValueError for NaN/infinity. log: ticket None logs to the stdio/legacy session;
    # level is an MCP level name ("debug" ... "emergency", else ValueError); data_json any
    # JSON text (else ValueError).
    def progress(self, ticket: int, progress: float, total: Optional[float] = None, message: Optional[str] = None) -> bool: ...
    def log(self, ticket: Optional[int], level: str, data_json: str, logger: Optional[str] = None) -> bool: ...
    def wants_progress(self, ticket: int) -> bool: ...
    def is_live(self, ticket: int) -> bool: ...
    def in_flight(self) -> int: ...

    # Callers and their scopes. A grant is (name, scopes).
    def set_principal(self, grant: Optional[tuple[str, list[str]]]) -> None:
        """Name the stdio peer (None: anonymous, which sees only descriptors without scopes)."""
    def grant(self, principal: int) -> Optional[tuple[str, list[str]]]:
        """The caller an event's principal id names (None: anonymous)."""
    def set_auth(
        self, *, resource: Optional[str] = None, authorization_servers: list[str] = ...,
        scopes_supported: list[str] = ..., cache_seconds: float = 60.0,
    ) -> None:
        """Require a bearer token on every HTTP request: each new token is an
        ("authorize", token) event; the metadata document (RFC 9728) is served at
        /.well-known/oauth-protected-resource/mcp. ValueError for a negative or infinite
        cache_seconds, or an empty string."""
    def authorized(
        self, token: Optional[str], grant: Optional[tuple[str, list[str]]] = None, *,
        insufficient_scope: Optional[str] = None,
    ) -> None:
        """The decision about `token`: a grant lets it in as that caller; otherwise
        insufficient_scope (space-separated scopes) answers 403, neither 401. Decisions are
        kept cache_seconds. The requests waiting for it are handled now. RuntimeError when
        no request waits for this token; ValueError for both, or a malformed scope."""

    # Streamable HTTP, sans-IO per TCP connection (the asyncio server owns the sockets).
    # Path /mcp, Host/Origin limited to loopback names (localhost, 127.0.0.1, [::1]).
    def http_open(self) -> int:
        """A new connection id."""
    def http_receive(self, conn: int, data: bytes) -> None:
        """Bytes read from `conn` (requests may be split or pipelined): complete requests
        are handled (calls become events). RuntimeError for an unknown or closed conn."""
    def http_wants_input(self, conn: int) -> bool:
        """Whether to read more from `conn`: False while it holds a whole request beyond
        the one being answered (stop reading it until this says True again)."""
    def http_take(self, conn: int) -> tuple[bytes, bool]:
        """(bytes to write to `conn`, whether to close it after writing them); an unknown
        conn gives (b"", True). After closing a socket, call http_closed."""
    def http_closed(self, conn: int) -> None:
        """The peer closed `conn`: its streams end, calls on them are cancelled (events)."""
    def http_pending(self) -> list[int]:
        """Connections with output waiting, or waiting to be closed (after answers given
        outside http_receive), in increasing order."""
