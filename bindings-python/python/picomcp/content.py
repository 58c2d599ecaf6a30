"""What handlers return, turned into MCP content.

Tool results (:func:`tool_result`):

==========================================  =============================================
returned value                              result
==========================================  =============================================
``str``                                     one text block
``dict``, a dataclass, a ``TypedDict``,     ``structuredContent`` plus one text block
a pydantic model                            holding the same JSON (compact)
``Image(...)`` / ``Audio(...)``             an image / audio block (base64 by the core)
``bytes``                                   an image or audio block when the bytes are a
                                            PNG, JPEG, GIF, WebP, WAV, MP3, OGG or FLAC
                                            file (sniffed from their first bytes);
                                            otherwise an embedded resource blob,
                                            ``uri`` :data:`BLOB_URI`, ``mimeType``
                                            ``application/octet-stream``
``ResourceLink(...)``                       a ``resource_link`` block
``EmbeddedResource(...)``                   an embedded ``resource`` block
an ``mcp.types`` content block              that block, as it is
``list`` / ``tuple``                        one or more blocks per item, in order
                                            (dicts in a list become text blocks of JSON)
``None``                                    no content
numbers, booleans, anything else            one text block of its JSON
==========================================  =============================================

A tool with an ``outputSchema`` must return an object (structured content).
"""

from __future__ import annotations

import base64
import dataclasses
import datetime
import decimal
import enum
import json
import mimetypes
import os
import uuid
from pathlib import PurePath
from typing import Any, Iterable, List, Optional, Tuple, Union

__all__ = [
    "BLOB_URI",
    "Image",
    "Audio",
    "ResourceLink",
    "EmbeddedResource",
    "Message",
    "UserMessage",
    "AssistantMessage",
    "PromptResult",
    "dumps",
    "sniff",
    "to_block",
    "tool_result",
    "resource_contents",
    "prompt_messages",
    "completion_values",
]

#: The ``uri`` of the embedded resource that raw ``bytes`` of no known media type become.
BLOB_URI = "picomcp://blob"

Block = tuple
PathLike = Union[str, os.PathLike]

# --------------------------------------------------------------------------- JSON


def _default(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}
    if isinstance(obj, enum.Enum):
        return obj.value
    if hasattr(obj, "model_dump") and not isinstance(obj, type):
        return obj.model_dump(mode="json")
    if isinstance(obj, (set, frozenset)):
        return list(obj)
    if isinstance(obj, (datetime.datetime, datetime.date, datetime.time)):
        return obj.isoformat()
    if isinstance(obj, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(obj)).decode("ascii")
    if isinstance(obj, (decimal.Decimal, uuid.UUID, PurePath)):
        return str(obj)
    raise TypeError(f"a {type(obj).__name__} cannot be written as JSON")


def dumps(value: Any) -> str:
    """Compact JSON for ``value``; dataclasses, enums, pydantic models, sets, dates,
    ``Decimal``, ``UUID`` and paths included (bytes as base64). ValueError for NaN or
    infinities (JSON has none), TypeError for other objects.

    >>> dumps({"sum": 3.5, "tags": ("a", "b")})
    '{"sum":3.5,"tags":["a","b"]}'
    """
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False, default=_default)


# --------------------------------------------------------------------------- media

_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"OggS", "audio/ogg"),
    (b"fLaC", "audio/flac"),
    (b"ID3", "audio/mpeg"),
)


def sniff(data: bytes) -> Optional[str]:
    """The media type of an image or audio file from its first bytes, or None.

    >>> sniff(b"\\x89PNG\\r\\n\\x1a\\n...")
    'image/png'
    """
    head = bytes(data[:16])
    for magic, mime in _SIGNATURES:
        if head.startswith(magic):
            return mime
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0 and head[1] & 0x06:
        return "audio/mpeg"  # an MPEG audio frame header
    return None


class _Media:
    __slots__ = ("data", "mime_type")
    _prefix = ""
    _fallback = ""

    def __init__(
        self,
        data: Optional[bytes] = None,
        mime_type: Optional[str] = None,
        *,
        path: Optional[PathLike] = None,
        format: Optional[str] = None,
    ) -> None:
        if (data is None) == (path is None):
            raise ValueError(f"{type(self).__name__} takes either data or path")
        if path is not None:
            with open(path, "rb") as f:
                data = f.read()
        assert data is not None
        self.data = bytes(data)
        if mime_type is None and format is not None:
            fmt = format.lower().lstrip(".")
            mime_type = f"{self._prefix}/{'jpeg' if fmt == 'jpg' else 'mpeg' if fmt == 'mp3' else fmt}"
        if mime_type is None and path is not None:
            guessed = mimetypes.guess_type(os.fspath(path))[0]
            if guessed and guessed.startswith(self._prefix + "/"):
                mime_type = guessed
        if mime_type is None:
            sniffed = sniff(self.data)
            mime_type = sniffed if sniffed and sniffed.startswith(self._prefix + "/") else self._fallback
        self.mime_type: str = mime_type

    def __repr__(self) -> str:
        return f"{type(self).__name__}(<{len(self.data)} bytes>, {self.mime_type!r})"

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and (self.data, self.mime_type) == (other.data, other.mime_type)  # type: ignore[attr-defined]

    __hash__ = None  # type: ignore[assignment]


class Image(_Media):
    """An image for a tool result or a prompt message: ``Image(data, "image/png")``,
    ``Image(path="chart.png")`` or ``Image(data, format="jpeg")``. Without a media type it
    is guessed from the path, then from the bytes, then ``image/png``."""

    __slots__ = ()
    _prefix = "image"
    _fallback = "image/png"


class Audio(_Media):
    """Audio for a tool result or a prompt message: ``Audio(data, "audio/wav")``,
    ``Audio(path="note.mp3")``. Without a media type it is guessed from the path, then
    from the bytes, then ``audio/wav``."""

    __slots__ = ()
    _prefix = "audio"
    _fallback = "audio/wav"


class ResourceLink:
    """A link to a resource, as a ``resource_link`` content block."""

    __slots__ = ("uri", "name", "title", "description", "mime_type")

    def __init__(
        self,
        uri: str,
        name: str,
        *,
        title: Optional[str] = None,
        description: Optional[str] = None,
        mime_type: Optional[str] = None,
    ) -> None:
        self.uri, self.name, self.title = uri, name, title
        self.description, self.mime_type = description, mime_type

    def __repr__(self) -> str:
        return f"ResourceLink({self.uri!r}, {self.name!r})"


class EmbeddedResource:
    """A resource's contents carried in a result: ``text`` or ``blob`` (bytes), one of
    them. In a tool result or a prompt message it is a ``resource`` block; returned (or in
    a list returned) by a resource handler, it is one of the read's contents."""

    __slots__ = ("uri", "text", "blob", "mime_type")

    def __init__(
        self, uri: str, *, text: Optional[str] = None, blob: Optional[bytes] = None, mime_type: Optional[str] = None
    ) -> None:
        if (text is None) == (blob is None):
            raise ValueError("EmbeddedResource takes either text or blob")
        self.uri, self.text, self.mime_type = uri, text, mime_type
        self.blob = None if blob is None else bytes(blob)

    def __repr__(self) -> str:
        return f"EmbeddedResource({self.uri!r}, {'text' if self.blob is None else 'blob'})"


class Message:
    """A prompt message: ``role`` ``"user"`` or ``"assistant"``, ``content`` a string or a
    content object (``Image``, ``Audio``, ``ResourceLink``, ``EmbeddedResource``)."""

    __slots__ = ("role", "content")

    def __init__(self, role: str, content: Any) -> None:
        if role not in ("user", "assistant"):
            raise ValueError(f"a message's role is 'user' or 'assistant', not {role!r}")
        self.role, self.content = role, content

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.role!r}, {self.content!r})"


class UserMessage(Message):
    """``Message("user", content)``."""

    __slots__ = ()

    def __init__(self, content: Any) -> None:
        super().__init__("user", content)


class AssistantMessage(Message):
    """``Message("assistant", content)``."""

    __slots__ = ()

    def __init__(self, content: Any) -> None:
        super().__init__("assistant", content)


# --------------------------------------------------------------------------- mapping


def _is_mcp_object(value: Any) -> bool:
    return type(value).__module__.split(".")[0] == "mcp" and hasattr(value, "model_dump_json")


def is_structured(value: Any) -> bool:
    """Whether a returned value is structured content (an object)."""
    if isinstance(value, dict):
        return True
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return True
    return hasattr(value, "model_dump") and not isinstance(value, type) and not _is_mcp_object(value)


def to_block(item: Any) -> Block:
    """One content block (the native tuple form) for one item."""
    if isinstance(item, str):
        return ("text", item)
    if isinstance(item, (Image, Audio)):
        return ("image" if isinstance(item, Image) else "audio", item.data, item.mime_type)
    if isinstance(item, (bytes, bytearray, memoryview)):
        data = bytes(item)
        mime = sniff(data)
        if mime is None:
            return ("resource_blob", BLOB_URI, "application/octet-stream", data)
        return ("image" if mime.startswith("image/") else "audio", data, mime)
    if isinstance(item, ResourceLink):
        return ("resource_link", item.uri, item.name, item.title, item.description, item.mime_type)
    if isinstance(item, EmbeddedResource):
        if item.blob is not None:
            return ("resource_blob", item.uri, item.mime_type, item.blob)
        return ("resource_text", item.uri, item.mime_type, item.text)
    if _is_mcp_object(item):
        return ("json", item.model_dump_json(by_alias=True, exclude_none=True))
    return ("text", dumps(item))


def tool_result(value: Any, structured: bool = False) -> Tuple[List[Block], Optional[str]]:
    """``(blocks, structured_json)`` for what a tool returned. ``structured=True`` when the
    tool has an ``outputSchema``: then anything but an object is a TypeError.

    >>> tool_result("hi")
    ([('text', 'hi')], None)
    >>> tool_result({"sum": 3})
    ([('text', '{"sum":3}')], '{"sum":3}')
    """
    if is_structured(value):
        text = dumps(value)
        return [("text", text)], text
    if structured:
        raise TypeError(
            "the tool has an outputSchema, so it must return an object (a dict, TypedDict, dataclass or "
            f"pydantic model), not {type(value).__name__}"
        )
    if value is None:
        return [], None
    if isinstance(value, (list, tuple)):
        return [to_block(item) for item in value if item is not None], None
    return [to_block(value)], None


def resource_contents(value: Any, uri: str, mime_type: Optional[str] = None) -> List[tuple]:
    """The contents of a resource read, from what its handler returned: ``str`` is text,
    ``bytes`` (or ``Image``/``Audio``) a blob, ``EmbeddedResource`` (or a list of them) its
    own contents, anything else JSON text (``application/json`` unless the resource says).

    >>> resource_contents("Item 7", "demo://items/7", "text/plain")
    [('text', 'demo://items/7', 'text/plain', 'Item 7')]
    """
    if isinstance(value, str):
        return [("text", uri, mime_type, value)]
    if isinstance(value, (bytes, bytearray, memoryview)):
        data = bytes(value)
        return [("blob", uri, mime_type or sniff(data), data)]
    if isinstance(value, (Image, Audio)):
        return [("blob", uri, mime_type or value.mime_type, value.data)]
    if isinstance(value, EmbeddedResource):
        return [_embedded(value)]
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, EmbeddedResource) for v in value):
        return [_embedded(v) for v in value]
    return [("text", uri, mime_type or "application/json", dumps(value))]


def _embedded(item: EmbeddedResource) -> tuple:
    if item.blob is not None:
        return ("blob", item.uri, item.mime_type, item.blob)
    return ("text", item.uri, item.mime_type, item.text)


def _message_block(content: Any) -> Block:
    if isinstance(content, dict):
        if content.get("type") == "text" and isinstance(content.get("text"), str):
            return ("text", content["text"])
        return ("json", dumps(content))
    return to_block(content)


class PromptResult:
    """What a prompt returns when its result has a ``description`` besides the messages
    (``messages``: anything a prompt may return). An ``mcp.types.GetPromptResult`` works
    the same way."""

    __slots__ = ("messages", "description")

    def __init__(self, messages: Any, description: Optional[str] = None) -> None:
        self.messages, self.description = messages, description

    def __repr__(self) -> str:
        return f"PromptResult({self.messages!r}, description={self.description!r})"


def prompt_result(value: Any) -> Tuple[List[Tuple[str, Block]], Optional[str]]:
    """``(messages, description)`` for what a prompt returned: a :class:`PromptResult` (or
    anything with ``messages`` and ``description``), or messages alone.

    >>> prompt_result(PromptResult("Hi", description="A greeting"))
    ([('user', ('text', 'Hi'))], 'A greeting')
    """
    if hasattr(value, "messages") and hasattr(value, "description"):
        description = value.description
        if description is not None and not isinstance(description, str):
            raise TypeError("a prompt result's description is a string")
        return prompt_messages(value.messages), description
    return prompt_messages(value), None


def prompt_messages(value: Any) -> List[Tuple[str, Block]]:
    """``[(role, block)]`` for what a prompt returned: a string (one user message), a
    :class:`Message`, a ``{"role": ..., "content": ...}`` dict, an ``mcp.types``
    ``PromptMessage``, or a list of those.

    >>> prompt_messages("Hello")
    [('user', ('text', 'Hello'))]
    """
    if isinstance(value, (list, tuple)):
        out: List[Tuple[str, Block]] = []
        for item in value:
            out.extend(prompt_messages(item))
        return out
    if isinstance(value, str):
        return [("user", ("text", value))]
    if isinstance(value, Message):
        return [(value.role, _message_block(value.content))]
    if isinstance(value, dict) and "role" in value and "content" in value:
        return [(Message(value["role"], None).role, _message_block(value["content"]))]
    if hasattr(value, "role") and hasattr(value, "content"):
        return [(Message(value.role, None).role, _message_block(value.content))]
    raise TypeError(f"a prompt returns a string, a Message or a list of them, not {type(value).__name__}")


def completion_values(value: Optional[Iterable[Any]]) -> Tuple[List[str], Optional[int], bool]:
    """``(values, total, has_more)`` for what a completion handler returned (an iterable
    of strings, or None). MCP sends at most 100 values; the rest are counted in
    ``total``."""
    if value is None:
        return [], None, False
    if isinstance(value, str):
        raise TypeError("a completion handler returns a list of strings, not one string")
    values = [str(v) for v in value]
    if len(values) > 100:
        return values[:100], len(values), True
    return values, None, False

