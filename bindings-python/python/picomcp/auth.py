"""Who a caller is, what it may see, and bearer tokens over HTTP.

A tool, resource, template or prompt registered with ``scopes=[...]`` is seen only by a
caller holding every one of those scopes; to anyone else it is absent from lists and
unknown to calls, reads, prompts and completions, exactly as if it had never been
registered. A caller is a :class:`Grant` (a name and its scopes), or ``None``
(anonymous: sees only what needs no scopes).

- stdio: the peer is whoever started the process; name it with
  ``server.run(principal=Grant("alice", ["admin"]))``.
- Streamable HTTP: ``server.run(transport="http", auth=BearerAuth(verify, ...))`` asks
  ``verify`` about every bearer token (once per token, then cached for
  ``cache_seconds``) and answers ``401``/``403`` itself::

      def verify(token: str | None) -> Grant | None:
          if token == "s3cret":
              return Grant("alice", ["mcp:read", "mcp:admin"])
          return None                                     # 401 invalid_token

      server.run(transport="http", port=8000, auth=BearerAuth(
          verify, resource="https://mcp.example.com/mcp",
          authorization_servers=["https://auth.example.com"]))

Handlers see their caller as ``ctx.principal`` (a :class:`Grant`, or None).
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Iterable, Optional, Tuple, Union

__all__ = ["Grant", "BearerAuth", "InsufficientScope", "scope_list"]


def scope_list(scopes: Any, what: str = "scopes") -> Tuple[str, ...]:
    """``scopes`` as a tuple of non-empty strings (TypeError/ValueError otherwise).

    >>> scope_list(["mcp:read", "mcp:admin"])
    ('mcp:read', 'mcp:admin')
    """
    if scopes is None:
        return ()
    if isinstance(scopes, (str, bytes)):
        raise TypeError(f"{what} is a list of strings, not a single {type(scopes).__name__}: [{scopes!r}]")
    try:
        items = tuple(scopes)
    except TypeError:
        raise TypeError(f"{what} is a list of strings, not {type(scopes).__name__}") from None
    for scope in items:
        if not isinstance(scope, str):
            raise TypeError(f"{what}: {scope!r} is not a string")
        if not scope:
            raise ValueError(f"{what}: a scope is a non-empty string")
    return items


class Grant:
    """A caller: its ``name`` (a user, a client id: whatever you go by) and the
    ``scopes`` it holds. Equal grants are the same caller.

    >>> g = Grant("alice", ["mcp:read"])
    >>> g.name, g.scopes, "mcp:read" in g
    ('alice', ('mcp:read',), True)
    """

    __slots__ = ("_name", "_scopes")

    def __init__(self, name: str, scopes: Iterable[str] = ()) -> None:
        if not isinstance(name, str):
            raise TypeError(f"a grant's name is a str, not {type(name).__name__}")
        self._name = name
        self._scopes = scope_list(scopes)

    @property
    def name(self) -> str:
        """Who the caller is."""
        return self._name

    @property
    def scopes(self) -> Tuple[str, ...]:
        """The scopes it holds."""
        return self._scopes

    def __contains__(self, scope: object) -> bool:
        return scope in self._scopes

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Grant):
            return NotImplemented
        return self._name == other._name and self._scopes == other._scopes

    def __hash__(self) -> int:
        return hash((self._name, self._scopes))

    def __repr__(self) -> str:
        return f"Grant({self._name!r}, {list(self._scopes)!r})"


class InsufficientScope(Exception):
    """Raise it in a :class:`BearerAuth` verifier: the token is good but lacks ``scope``
    (space-separated scopes the client may ask for); the request gets ``403`` with
    ``WWW-Authenticate: Bearer error="insufficient_scope", scope="..."``.

    >>> InsufficientScope("mcp:admin").scope
    'mcp:admin'
    """

    def __init__(self, scope: str) -> None:
        if not isinstance(scope, str) or not scope.strip():
            raise ValueError("InsufficientScope names the missing scopes (space-separated)")
        super().__init__(scope)
        self.scope = scope


Verifier = Callable[[Optional[str]], Union[Optional[Grant], Awaitable[Optional[Grant]]]]


class BearerAuth:
    """Bearer-token authorization for Streamable HTTP, as an OAuth 2.1 resource server.

    ``verify(token)`` gets the request's bearer token (``None`` when there is no
    ``Authorization: Bearer`` header); it may be a plain function (run in a worker
    thread, so it may block) or ``async def``. It returns a :class:`Grant` to let the
    request in as that caller, or ``None`` for ``401``; it raises
    :class:`InsufficientScope` for ``403``. Any other exception is a ``401`` (and a
    logged warning); the server goes on. Requests wait while their token is checked;
    each decision is kept ``cache_seconds`` (0: ask for every request).

    ``resource`` (the endpoint's URL; default ``http://<Host>/mcp``),
    ``authorization_servers`` and ``scopes_supported`` are published as the protected
    resource metadata (RFC 9728) at ``/.well-known/oauth-protected-resource/mcp``, which
    every ``401``/``403`` challenge names.
    """

    __slots__ = ("verify", "resource", "authorization_servers", "scopes_supported", "cache_seconds")

    def __init__(self, verify: Verifier, *, resource: Optional[str] = None,
                 authorization_servers: Iterable[str] = (), scopes_supported: Iterable[str] = (),
                 cache_seconds: float = 60.0) -> None:
        if not callable(verify):
            raise TypeError(f"BearerAuth needs a verify function, not {type(verify).__name__}")
        if resource is not None and (not isinstance(resource, str) or not resource):
            raise ValueError("resource is the endpoint's URL (a non-empty string) or None")
        if isinstance(cache_seconds, bool) or not isinstance(cache_seconds, (int, float)) \
                or not (0 <= cache_seconds < float("inf")):
            raise ValueError("cache_seconds is a finite number of seconds, 0 or more")
        self.verify = verify
        self.resource = resource
        self.authorization_servers = scope_list(authorization_servers, "authorization_servers")
        self.scopes_supported = scope_list(scopes_supported, "scopes_supported")
        self.cache_seconds = float(cache_seconds)

    def __repr__(self) -> str:
        return f"<BearerAuth {getattr(self.verify, '__name__', self.verify)!r} resource={self.resource!r}>"
