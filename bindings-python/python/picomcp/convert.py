"""Arguments, from JSON to the Python values parameters ask for.

The core has already checked a tool's arguments against its ``inputSchema`` before the
handler is called, so this only converts: ``float`` parameters get floats (JSON ``1``
arrives as ``int``), ``int`` parameters get ints (JSON ``1e2`` or ``100.0`` is an integer to
the schema, and arrives as ``float``), enums get members, dataclasses, ``TypedDict``\\ s and
pydantic models are built from objects, tuples and sets from arrays. Converters are
compiled once per handler at registration; parameters that need nothing (``str``,
``bool``, ``list[str]``, ...) are passed through untouched.

Resource template variables and prompt arguments arrive as strings; :func:`from_string`
turns them into ``int``, ``float``, ``bool``, enums and literals where the signature asks.
"""

from __future__ import annotations

import dataclasses
import enum
import typing
from typing import Any, Callable, Dict, List, Optional

from .errors import ArgumentError
from .schema import (
    EMPTY,
    Signature,
    is_dataclass_type,
    is_literal,
    is_pydantic_model,
    is_typeddict,
    is_union,
    strip_annotated,
    strip_qualifiers,
)
from .schema import _ARRAYS, _MAPPINGS, _SETS  # noqa: F401 - shared tables

__all__ = ["Converter", "converter", "from_string", "Binder"]

# convert(value, path) -> value; raises ArgumentError naming `path`.
Converter = Callable[[Any, str], Any]


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object" if isinstance(value, dict) else type(value).__name__


def fits(tp: Any, value: Any) -> bool:
    """Whether JSON ``value`` has the shape annotation ``tp`` asks for (used to pick a
    member of a Union)."""
    tp = strip_qualifiers(strip_annotated(tp)[0])
    if tp is EMPTY or tp is Any or tp is object:
        return True
    if tp is None or tp is type(None):
        return value is None
    if is_union(tp):
        return any(fits(m, value) for m in typing.get_args(tp))
    if is_literal(tp):
        raws = [a.value if isinstance(a, enum.Enum) else a for a in typing.get_args(tp)]
        return any(raw == value and type(raw) is type(value) for raw in raws)
    kind = _kind(value)
    if tp is bool:
        return kind == "boolean"
    if tp is int:
        return kind == "integer" or (kind == "number" and float(value).is_integer())
    if tp is float:
        return kind in ("integer", "number")
    if tp is str:
        return kind == "string"
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return any(m.value == value for m in tp)
    origin = typing.get_origin(tp) or tp
    if origin in _ARRAYS or origin in _SETS or origin is tuple:
        return kind == "array"
    if origin in _MAPPINGS or is_typeddict(tp) or is_dataclass_type(tp) or is_pydantic_model(tp):
        return kind == "object"
    return True


def _float(value: Any, path: str) -> Any:
    return float(value) if type(value) is int else value


def _int(value: Any, path: str) -> Any:
    return int(value) if type(value) is float and value.is_integer() else value


def converter(tp: Any) -> Optional[Converter]:
    """A function converting JSON data of annotation ``tp`` to Python, or None when the
    JSON value is already right."""
    tp = strip_qualifiers(strip_annotated(tp)[0])
    if tp is float:
        return _float
    if tp is int:
        return _int
    if is_union(tp):
        members = list(typing.get_args(tp))
        convs = [converter(m) for m in members]
        if all(c is None for c in convs):
            return None

        def union(value: Any, path: str) -> Any:
            for member, conv in zip(members, convs):
                if fits(member, value):
                    return conv(value, path) if conv else value
            return value

        return union
    if is_literal(tp):
        by_value = {a.value: a for a in typing.get_args(tp) if isinstance(a, enum.Enum)}
        if not by_value:
            return None
        return lambda value, path: by_value.get(value, value)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        enum_type = tp

        def to_enum(value: Any, path: str) -> Any:
            try:
                return enum_type(value)
            except ValueError:
                choices = ", ".join(repr(m.value) for m in enum_type)
                raise ArgumentError(path, f"{value!r} is not one of {choices}") from None

        return to_enum
    if is_pydantic_model(tp):
        return _pydantic(tp)
    if is_typeddict(tp):
        return _typeddict(tp)
    if is_dataclass_type(tp):
        return _dataclass(tp)
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            item = converter(args[0])
            return lambda value, path: tuple(_items(value, path, item))
        convs = [converter(a) for a in args]
        return lambda value, path: tuple(
            c(v, f"{path}[{i}]") if c else v for i, (v, c) in enumerate(zip(value, convs))
        )
    if tp is tuple:
        return lambda value, path: tuple(value)
    if origin in _SETS or tp in _SETS:
        make = frozenset if (origin or tp) is frozenset else set
        item = converter(args[0]) if args else None
        return lambda value, path: make(_items(value, path, item))
    if origin in _ARRAYS and args:
        item = converter(args[0])
        if item is None:
            return None
        return lambda value, path: _items(value, path, item)
    if origin in _MAPPINGS and len(args) == 2:
        item = converter(args[1])
        if item is None:
            return None
        return lambda value, path: {k: item(v, f"{path}.{k}") for k, v in value.items()}
    return None


def _items(value: Any, path: str, item: Optional[Converter]) -> List[Any]:
    if item is None:
        return list(value)
    return [item(v, f"{path}[{i}]") for i, v in enumerate(value)]


def _typeddict(cls: type) -> Optional[Converter]:
    hints = typing.get_type_hints(cls, include_extras=True)
    convs = {k: c for k, c in ((k, converter(t)) for k, t in hints.items()) if c is not None}
    if not convs:
        return None

    def to_typeddict(value: Any, path: str) -> Any:
        return {k: (convs[k](v, f"{path}.{k}") if k in convs else v) for k, v in value.items()}

    return to_typeddict


def _dataclass(cls: type) -> Converter:
    hints = typing.get_type_hints(cls, include_extras=True)
    fields = [f for f in dataclasses.fields(cls) if f.init]
    convs = {f.name: converter(hints.get(f.name, f.type)) for f in fields}

    def to_dataclass(value: Any, path: str) -> Any:
        kwargs = {}
        for name, conv in convs.items():
            if name in value:
                kwargs[name] = conv(value[name], f"{path}.{name}") if conv else value[name]
        try:
            return cls(**kwargs)
        except Exception as exc:  # __post_init__ checks, a missing field
            raise ArgumentError(path, str(exc) or type(exc).__name__) from None

    return to_dataclass


def _pydantic(cls: Any) -> Converter:
    def to_model(value: Any, path: str) -> Any:
        try:
            return cls.model_validate(value)
        except ValueError as exc:  # pydantic.ValidationError is a ValueError
            errors = getattr(exc, "errors", None)
            if callable(errors):
                first = errors()[0]
                where = ".".join([path] + [str(part) for part in first.get("loc", ())])
                raise ArgumentError(where, first.get("msg", str(exc))) from None
            raise ArgumentError(path, str(exc)) from None

    return to_model


# --------------------------------------------------------------------------- strings

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


def from_string(tp: Any, where: str) -> Optional[Converter]:
    """A converter for a value that arrives as a string (a URI template variable, a prompt
    argument), or None when ``str`` is what the parameter wants. TypeError at
    registration for annotations a string cannot carry."""
    tp = strip_qualifiers(strip_annotated(tp)[0])
    if tp is EMPTY or tp is Any or tp is str or tp is object:
        return None
    if is_union(tp):
        members = [m for m in typing.get_args(tp) if m is not type(None)]
        if len(members) == 1:
            return from_string(members[0], where)
        if all(strip_annotated(m)[0] is str for m in members):
            return None
        raise TypeError(f"{where}: a string cannot carry {tp!r}")
    if tp is int:
        return _parse(int, "an integer")
    if tp is float:
        return _parse(float, "a number")
    if tp is bool:

        def to_bool(value: str, path: str) -> bool:
            low = value.strip().lower()
            if low in _TRUE or low in _FALSE:
                return low in _TRUE
            raise ArgumentError(path, f"{value!r} is not true or false")

        return to_bool
    if is_literal(tp) or (isinstance(tp, type) and issubclass(tp, enum.Enum)):
        choices = list(typing.get_args(tp)) if is_literal(tp) else list(tp)  # type: ignore[arg-type]
        table: Dict[str, Any] = {}
        for choice in choices:
            raw = choice.value if isinstance(choice, enum.Enum) else choice
            table.setdefault(str(raw).lower() if isinstance(raw, bool) else str(raw), choice)

        def to_choice(value: str, path: str) -> Any:
            if value in table:
                return table[value]
            raise ArgumentError(path, f"{value!r} is not one of {', '.join(table)}")

        return to_choice
    raise TypeError(f"{where}: a string cannot carry {tp!r} (use str, int, float, bool, an Enum or a Literal)")


def _parse(kind: Callable[[str], Any], what: str) -> Converter:
    def parse(value: str, path: str) -> Any:
        try:
            return kind(value)
        except ValueError:
            raise ArgumentError(path, f"{value!r} is not {what}") from None

    return parse


# --------------------------------------------------------------------------- binding


class Binder:
    """Turns the arguments of a call into the keyword arguments of its handler.

    Compiled once per handler. ``strings=True`` for resources and prompts (values arrive
    as strings). Unknown argument names are dropped; missing ones take the handler's
    defaults.
    """

    __slots__ = ("names", "convs", "context")

    def __init__(self, sig: Signature, strings: bool = False) -> None:
        self.context = sig.context
        self.names = [p.name for p in sig.params]
        if strings:
            self.convs = {p.name: from_string(p.annotation, f"{sig.what}: parameter {p.name!r}") for p in sig.params}
        else:
            self.convs = {p.name: converter(p.annotation) for p in sig.params}
        self.convs = {k: c for k, c in self.convs.items() if c is not None}

    def bind(self, arguments: Dict[str, Any], context: Any = None) -> Dict[str, Any]:
        convs = self.convs
        kwargs: Dict[str, Any] = {}
        for name in self.names:
            if name in arguments:
                value = arguments[name]
                conv = convs.get(name)
                kwargs[name] = conv(value, name) if conv is not None else value
        if self.context is not None:
            kwargs[self.context] = context
        return kwargs
