"""JSON Schema from Python type hints and docstrings.

What each annotation becomes:

=============================================  ===========================================
annotation                                     schema
=============================================  ===========================================
``str`` / ``int`` / ``float`` / ``bool``       ``{"type": "string" | "integer" | ...}``
``None``                                       ``{"type": "null"}``
``Any``, no annotation                         ``{}`` (anything)
``list[T]``, ``List[T]``, ``Sequence[T]``      ``{"type": "array", "items": T}``
``tuple[T, ...]`` / ``tuple[A, B]``            array of ``T`` / ``prefixItems`` A, B
``set[T]``, ``frozenset[T]``                   array with ``uniqueItems``
``dict[str, T]``, ``Mapping[str, T]``          ``{"type": "object", "additionalProperties": T}``
``Optional[T]``, ``T | None``, ``Union``       ``{"anyOf": [...]}``
``Literal["a", "b"]``                          ``{"type": "string", "enum": ["a", "b"]}``
an ``Enum``                                    ``enum`` of its values
a ``TypedDict``                                object; required keys from ``total`` /
                                               ``Required`` / ``NotRequired``
a dataclass                                    object; fields without a default required
a pydantic ``BaseModel`` (if installed)        ``Model.model_json_schema()``
``Annotated[T, "text"]``                       ``T`` with ``description`` "text"
``Annotated[T, Field(...)]`` (pydantic),       ``T`` with the description, default and
``Annotated[T, annotated_types.Ge(0)]``        bounds (``minimum``, ``maxLength``, ...)
``Annotated[T, {"minimum": 0}]``               ``T`` with those keywords merged in
``NewType("Id", str)``                         the schema of ``str``
=============================================  ===========================================

A parameter with a default is optional and its schema carries ``"default"``. Parameter
descriptions come from ``Annotated`` text or from the docstring's parameter section
(Google ``Args:``, NumPy ``Parameters`` / ``----------`` or reST ``:param x:``); the
tool's description is the docstring text before its first section. Nested classes are
written inline; a class that contains itself goes to ``$defs`` and is referred to with
``{"$ref": "#/$defs/Name"}`` (pydantic's ``$defs`` are kept the same way).

A parameter annotated ``Context`` is not part of the schema (picomcp passes it).
"""

from __future__ import annotations

import collections.abc
import dataclasses
import enum
import inspect
import json
import re
import types
import typing
from typing import Any, Callable, Dict, List, NamedTuple, Optional, Tuple

from .context import Context

__all__ = [
    "Docstring",
    "parse_docstring",
    "type_schema",
    "input_schema",
    "output_schema",
]

EMPTY = inspect.Parameter.empty
_NoneType: Any = type(None)
_UnionType = getattr(types, "UnionType", None)  # `X | Y` on 3.10+

_ARRAYS = (list, collections.abc.Sequence, collections.abc.MutableSequence, collections.abc.Iterable,
           collections.abc.Collection)
_SETS = (set, frozenset, collections.abc.Set, collections.abc.MutableSet)
_MAPPINGS = (dict, collections.abc.Mapping, collections.abc.MutableMapping)
_SCALARS = {str: "string", int: "integer", float: "number", bool: "boolean"}


# --------------------------------------------------------------------------- type helpers


def is_union(tp: Any) -> bool:
    origin = typing.get_origin(tp)
    return origin is typing.Union or (_UnionType is not None and origin is _UnionType)


def is_literal(tp: Any) -> bool:
    origin = typing.get_origin(tp)
    return origin is typing.Literal or getattr(origin, "_name", None) == "Literal"


def is_annotated(tp: Any) -> bool:
    return hasattr(tp, "__metadata__") and hasattr(tp, "__origin__")


def strip_annotated(tp: Any) -> Tuple[Any, tuple]:
    """``(T, metadata)`` for ``Annotated[T, *metadata]``; ``(tp, ())`` otherwise."""
    meta: tuple = ()
    while is_annotated(tp):
        meta = meta + tuple(tp.__metadata__)
        tp = tp.__origin__
    return tp, meta


def strip_qualifiers(tp: Any) -> Any:
    """``T`` for ``Required[T]``, ``NotRequired[T]``, ``ReadOnly[T]``, ``NewType`` of ``T``."""
    while True:
        origin = typing.get_origin(tp)
        name = getattr(origin, "_name", None) or getattr(tp, "_name", None)
        if origin is not None and name in ("Required", "NotRequired", "ReadOnly"):
            tp = typing.get_args(tp)[0]
        elif hasattr(tp, "__supertype__"):
            tp = tp.__supertype__
        else:
            return tp


def is_typeddict(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, dict) and hasattr(tp, "__total__") and hasattr(tp, "__annotations__")


def is_dataclass_type(tp: Any) -> bool:
    return isinstance(tp, type) and dataclasses.is_dataclass(tp)


def is_pydantic_model(tp: Any) -> bool:
    return isinstance(tp, type) and hasattr(tp, "model_json_schema") and hasattr(tp, "model_validate")


def is_context(tp: Any) -> bool:
    """Whether an annotation asks for the :class:`Context` (``Context``, a subclass,
    ``Optional[Context]``, ``Annotated[Context, ...]``)."""
    tp, _ = strip_annotated(tp)
    if isinstance(tp, str):
        return tp in ("Context", "picomcp.Context", "Optional[Context]", "Context | None")
    if is_union(tp):
        members = [m for m in typing.get_args(tp) if m is not _NoneType]
        return bool(members) and all(is_context(m) for m in members)
    return isinstance(tp, type) and issubclass(tp, Context)


def _is_field_info(obj: Any) -> bool:
    return type(obj).__name__ == "FieldInfo" and type(obj).__module__.startswith("pydantic")


def _pydantic_undefined(value: Any) -> bool:
    return type(value).__name__ in ("PydanticUndefinedType", "UndefinedType")


def _class_doc(cls: type) -> Optional[str]:
    """A class's own docstring (not the one dataclasses or TypedDict make up)."""
    doc = cls.__dict__.get("__doc__")
    if not doc or (dataclasses.is_dataclass(cls) and doc.startswith(cls.__name__ + "(")):
        return None
    return doc


def jsonable(value: Any) -> Any:
    """``value`` as plain JSON data (raises TypeError/ValueError when it has none)."""
    from .content import dumps

    return json.loads(dumps(value))


# --------------------------------------------------------------------------- docstrings


class Docstring(NamedTuple):
    """A docstring split into the text before its sections and its parameter descriptions."""

    summary: Optional[str]
    params: Dict[str, str]


_PARAM_SECTIONS = {
    "args", "arguments", "parameters", "params", "keyword args", "keyword arguments", "kwargs",
    "other parameters", "attributes",
}
_OTHER_SECTIONS = {
    "returns", "return", "yields", "yield", "raises", "raise", "examples", "example", "notes", "note",
    "see also", "warnings", "warning", "warns", "todo", "references", "methods",
}
_GOOGLE_HEADER = re.compile(r"^([A-Za-z][A-Za-z ]*?)\s*:\s*$")
_GOOGLE_ENTRY = re.compile(r"^\*{0,2}(\w+)\s*(?:\([^)]*\))?\s*:\s*(.*)$")
_NUMPY_ENTRY = re.compile(r"^(\*{0,2}\w+(?:\s*,\s*\*{0,2}\w+)*)\s*(?::.*)?$")
_REST_FIELD = re.compile(r"^:(?:param|parameter|arg|argument|key|keyword)\s+(?:[^:]*\s)?\*{0,2}(\w+)\s*:\s*(.*)$")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _numpy_header_at(lines: List[str], i: int) -> bool:
    if i + 1 >= len(lines) or not lines[i].strip() or _indent(lines[i]):
        return False
    underline = lines[i + 1].strip()
    return len(underline) >= 3 and set(underline) == {"-"}


def _join(parts: List[str]) -> str:
    return " ".join(p.strip() for p in parts if p.strip())


def _google_params(block: List[str], out: Dict[str, str]) -> None:
    lines = [line for line in block if line.strip()]
    if not lines:
        return
    base = _indent(lines[0])
    name, parts = None, []  # type: Optional[str], List[str]
    for line in lines:
        match = _GOOGLE_ENTRY.match(line.strip()) if _indent(line) <= base else None
        if match:
            if name:
                out[name] = _join(parts)
            name, parts = match.group(1), [match.group(2)]
        elif name:
            parts.append(line)
    if name:
        out[name] = _join(parts)


def _numpy_params(block: List[str], out: Dict[str, str]) -> None:
    names, parts = [], []  # type: List[str], List[str]

    def flush() -> None:
        for n in names:
            out[n] = _join(parts)

    for line in block:
        if not line.strip():
            continue
        match = _NUMPY_ENTRY.match(line) if not _indent(line) else None
        if match:
            flush()
            names = [n.strip().lstrip("*") for n in match.group(1).split(",")]
            parts = []
        elif names:
            parts.append(line)
    flush()


def parse_docstring(doc: Optional[str]) -> Docstring:
    """Split a docstring (Google, NumPy or reST style) into its summary and parameter
    descriptions.

    >>> parse_docstring('''Add two numbers.
    ...
    ... Args:
    ...     a: The first.
    ...     b (float): The second,
    ...         on two lines.
    ... ''')
    Docstring(summary='Add two numbers.', params={'a': 'The first.', 'b': 'The second, on two lines.'})
    """
    if not doc:
        return Docstring(None, {})
    lines = inspect.cleandoc(doc).splitlines()
    summary: List[str] = []
    params: Dict[str, str] = {}
    in_summary = True
    i, n = 0, len(lines)
    while i < n:
        line = lines[i]
        stripped = line.strip()
        if _numpy_header_at(lines, i):
            name = stripped.lower()
            in_summary = False
            i += 2
            block = []
            while i < n and not _numpy_header_at(lines, i):
                block.append(lines[i])
                i += 1
            if name in _PARAM_SECTIONS:
                _numpy_params(block, params)
            continue
        header = _GOOGLE_HEADER.match(line)
        if header and header.group(1).lower() in _PARAM_SECTIONS | _OTHER_SECTIONS:
            in_summary = False
            i += 1
            block = []
            while i < n and (not lines[i].strip() or _indent(lines[i])):
                block.append(lines[i])
                i += 1
            if header.group(1).lower() in _PARAM_SECTIONS:
                _google_params(block, params)
            continue
        if stripped.startswith(":") and not _indent(line):
            in_summary = False
            field = _REST_FIELD.match(stripped)
            i += 1
            parts = [field.group(2)] if field else []
            while i < n and lines[i].strip() and _indent(lines[i]):
                parts.append(lines[i])
                i += 1
            if field:
                params[field.group(1)] = _join(parts)
            continue
        if in_summary:
            summary.append(line)
        i += 1
    text = "\n".join(summary).strip()
    return Docstring(text or None, params)


# --------------------------------------------------------------------------- type -> schema


def _json_type(values: List[Any]) -> Optional[str]:
    kinds = set()
    for v in values:
        if v is None:
            kinds.add("null")
        elif isinstance(v, bool):
            kinds.add("boolean")
        elif isinstance(v, int):
            kinds.add("integer")
        elif isinstance(v, float):
            kinds.add("number")
        elif isinstance(v, str):
            kinds.add("string")
        else:
            return None
    return kinds.pop() if len(kinds) == 1 else None


_BOUNDS = (("gt", "exclusiveMinimum"), ("ge", "minimum"), ("lt", "exclusiveMaximum"), ("le", "maximum"),
           ("multiple_of", "multipleOf"))
_LENGTHS = {"string": ("minLength", "maxLength"), "array": ("minItems", "maxItems"),
            "object": ("minProperties", "maxProperties")}


class _Meta(NamedTuple):
    schema: Dict[str, Any]
    default: Any  # EMPTY when the metadata gives none


def apply_metadata(schema: Dict[str, Any], metadata: tuple) -> _Meta:
    """Fold ``Annotated`` metadata into a copy of ``schema``; a pydantic ``Field``'s default
    comes back separately."""
    out = dict(schema)
    default: Any = EMPTY
    for m in metadata:
        if isinstance(m, str):
            out["description"] = m
        elif isinstance(m, dict):
            out.update(m)
        elif _is_field_info(m):
            if getattr(m, "title", None):
                out["title"] = m.title
            if getattr(m, "description", None):
                out["description"] = m.description
            if getattr(m, "examples", None):
                out["examples"] = list(m.examples)
            extra = getattr(m, "json_schema_extra", None)
            if isinstance(extra, dict):
                out.update(extra)
            value = getattr(m, "default", EMPTY)
            if value is not Ellipsis and not _pydantic_undefined(value):
                default = value
            out = apply_metadata(out, tuple(getattr(m, "metadata", ()))).schema
        elif type(m).__module__.split(".")[0] in ("annotated_types", "pydantic", "pydantic_core"):
            for attr, key in _BOUNDS:
                value = getattr(m, attr, None)
                if value is not None:
                    out[key] = value
            low, high = _LENGTHS.get(out.get("type", ""), ("minLength", "maxLength"))
            if getattr(m, "min_length", None) is not None:
                out[low] = m.min_length
            if getattr(m, "max_length", None) is not None:
                out[high] = m.max_length
            if getattr(m, "pattern", None) is not None:
                out["pattern"] = m.pattern
    return _Meta(out, default)


class _Builder:
    """Builds schemas, collecting ``$defs`` for recursive classes and pydantic models."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.defs: Dict[str, Any] = {}
        self._active: List[type] = []
        self._recursive: set = set()
        self._names: Dict[type, str] = {}

    def _def_name(self, cls: type) -> str:
        if cls not in self._names:
            name, k = cls.__name__, 1
            while name in self._names.values() or (name in self.defs and cls not in self._names):
                k += 1
                name = f"{cls.__name__}{k}"
            self._names[cls] = name
        return self._names[cls]

    def with_defs(self, schema: Dict[str, Any]) -> Dict[str, Any]:
        if not self.defs:
            return schema
        return {**schema, "$defs": {**schema.get("$defs", {}), **self.defs}}

    def schema(self, tp: Any, root: bool = False) -> Dict[str, Any]:
        if tp is EMPTY or tp is Any or tp is object:
            return {}
        if is_annotated(tp):
            inner, meta = strip_annotated(tp)
            return apply_metadata(self.schema(inner, root), meta).schema
        tp = strip_qualifiers(tp)
        if tp is None or tp is _NoneType:
            return {"type": "null"}
        if isinstance(tp, (str, typing.ForwardRef)):
            raise TypeError(f"{self.where}: cannot resolve the annotation {tp!r}")
        origin, args = typing.get_origin(tp), typing.get_args(tp)
        if is_union(tp):
            return {"anyOf": [self.schema(a) for a in args]}
        if is_literal(tp):
            values = [a.value if isinstance(a, enum.Enum) else a for a in args]
            kind = _json_type(values)
            return {"type": kind, "enum": values} if kind else {"enum": values}
        if origin is not None:
            return self._generic(tp, origin, args)
        if tp in _SCALARS:
            return {"type": _SCALARS[tp]}
        if tp in _ARRAYS or tp is tuple:
            return {"type": "array"}
        if tp in _SETS:
            return {"type": "array", "uniqueItems": True}
        if tp in _MAPPINGS:
            return {"type": "object"}
        if isinstance(tp, type) and issubclass(tp, enum.Enum):
            values = [m.value for m in tp]
            kind = _json_type(values)
            return {"type": kind, "enum": values} if kind else {"enum": values}
        if is_pydantic_model(tp):
            return self._pydantic(tp, root)
        if is_typeddict(tp):
            return self._class(tp, root, self._typeddict)
        if is_dataclass_type(tp):
            return self._class(tp, root, self._dataclass)
        if isinstance(tp, typing.TypeVar):
            bound = getattr(tp, "__bound__", None)
            return self.schema(bound) if bound is not None else {}
        raise TypeError(f"{self.where}: picomcp cannot describe {tp!r} in JSON Schema")

    def _generic(self, tp: Any, origin: Any, args: tuple) -> Dict[str, Any]:
        if origin in _ARRAYS:
            return {"type": "array", "items": self.schema(args[0])} if args else {"type": "array"}
        if origin in _SETS:
            out: Dict[str, Any] = {"type": "array"}
            if args:
                out["items"] = self.schema(args[0])
            out["uniqueItems"] = True
            return out
        if origin is tuple:
            if not args or args == ((),):
                return {"type": "array", "maxItems": 0}
            if len(args) == 2 and args[1] is Ellipsis:
                return {"type": "array", "items": self.schema(args[0])}
            return {"type": "array", "prefixItems": [self.schema(a) for a in args],
                    "minItems": len(args), "maxItems": len(args)}
        if origin in _MAPPINGS:
            if args:
                key = strip_qualifiers(strip_annotated(args[0])[0])
                if key not in (str, Any) and not (isinstance(key, type) and issubclass(key, str)):
                    raise TypeError(f"{self.where}: JSON object keys are strings, not {key!r}")
                value = self.schema(args[1])
                if value:
                    return {"type": "object", "additionalProperties": value}
            return {"type": "object"}
        raise TypeError(f"{self.where}: picomcp cannot describe {tp!r} in JSON Schema")

    def _class(self, cls: type, root: bool, build: Callable[[type], Dict[str, Any]]) -> Dict[str, Any]:
        if cls in self._active:
            self._recursive.add(cls)
            return {"$ref": f"#/$defs/{self._def_name(cls)}"}
        self._active.append(cls)
        try:
            schema = build(cls)
        finally:
            self._active.pop()
        if cls in self._recursive:
            self.defs[self._def_name(cls)] = schema
            if not root:
                return {"$ref": f"#/$defs/{self._def_name(cls)}"}
        return schema

    def _object(self, cls: type, fields: List[Tuple[str, Any, Any, bool]]) -> Dict[str, Any]:
        """An object schema from (name, annotation, default, required) tuples."""
        doc = parse_docstring(_class_doc(cls))
        properties: Dict[str, Any] = {}
        required: List[str] = []
        for name, annotation, default, needed in fields:
            prop = self.schema(annotation)
            if "description" not in prop and name in doc.params:
                prop = {**prop, "description": doc.params[name]}
            if default is not EMPTY:
                try:
                    prop = {**prop, "default": jsonable(default)}
                except (TypeError, ValueError):
                    pass
            properties[name] = prop
            if needed:
                required.append(name)
        out: Dict[str, Any] = {"type": "object", "properties": properties, "required": required}
        if doc.summary:
            out["description"] = doc.summary
        return out

    def _hints(self, cls: type) -> Dict[str, Any]:
        try:
            return typing.get_type_hints(cls, include_extras=True)
        except Exception as exc:  # an unresolvable forward reference
            raise TypeError(f"{self.where}: cannot resolve the annotations of {cls.__name__}: {exc}") from None

    def _typeddict(self, cls: type) -> Dict[str, Any]:
        hints = self._hints(cls)
        required_keys = getattr(cls, "__required_keys__", None)
        if required_keys is None:
            required_keys = set(hints) if cls.__total__ else set()  # type: ignore[attr-defined]
        return self._object(cls, [(k, t, EMPTY, k in required_keys) for k, t in hints.items()])

    def _dataclass(self, cls: type) -> Dict[str, Any]:
        hints = self._hints(cls)
        fields = []
        for f in dataclasses.fields(cls):
            if not f.init:
                continue
            default = f.default if f.default is not dataclasses.MISSING else EMPTY
            needed = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING  # type: ignore[misc]
            fields.append((f.name, hints.get(f.name, f.type), default, needed))
        return self._object(cls, fields)

    def _pydantic(self, cls: type, root: bool) -> Dict[str, Any]:
        schema = dict(cls.model_json_schema(ref_template="#/$defs/{model}"))  # type: ignore[attr-defined]
        for name, sub in schema.pop("$defs", {}).items():
            self.defs.setdefault(name, sub)
        ref = schema.get("$ref", "")
        if root and set(schema) == {"$ref"} and ref.startswith("#/$defs/") and ref[8:] in self.defs:
            return dict(self.defs[ref[8:]])  # a recursive model: its body, at the top
        return schema


def type_schema(tp: Any) -> Dict[str, Any]:
    """The JSON Schema of one annotation (with ``$defs`` at its top when it needs them).

    >>> type_schema(typing.Optional[int])
    {'anyOf': [{'type': 'integer'}, {'type': 'null'}]}
    """
    builder = _Builder("annotation")
    return builder.with_defs(builder.schema(tp, root=True))


# --------------------------------------------------------------------------- functions


class Param(NamedTuple):
    """One parameter a client passes (the ``Context`` one excluded)."""

    name: str
    annotation: Any
    default: Any  # EMPTY when the parameter is required
    kind: Any


class Signature:
    """What picomcp reads from a handler: its parameters (resolved annotations, defaults
    including pydantic ``Field`` ones), the ``Context`` parameter, the return annotation
    and the docstring. TypeError for ``*args``, ``**kwargs``, positional-only parameters
    or annotations that cannot be resolved."""

    def __init__(self, fn: Callable[..., Any], what: str) -> None:
        self.what = what
        try:
            sig = inspect.signature(fn)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"{what}: cannot read the signature of {fn!r}: {exc}") from None
        hints = _resolve_hints(fn, sig, what)
        self.doc = parse_docstring(inspect.getdoc(fn))
        self.context: Optional[str] = None
        self.params: List[Param] = []
        for p in sig.parameters.values():
            annotation = hints.get(p.name, EMPTY)
            if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
                raise TypeError(f"{what}: parameter {p.name!r}: *args and **kwargs cannot be described in a schema")
            if annotation is not EMPTY and is_context(annotation):
                if self.context is not None:
                    raise TypeError(f"{what}: two Context parameters ({self.context!r}, {p.name!r})")
                self.context = p.name
                continue
            if p.kind is p.POSITIONAL_ONLY:
                raise TypeError(f"{what}: parameter {p.name!r} is positional-only; arguments are passed by name")
            default = p.default
            if _is_field_info(default):  # def f(x: int = Field(3, description=...))
                field = default
                default = apply_metadata({}, (field,)).default
                annotation = typing.Annotated[annotation if annotation is not EMPTY else Any, field]
            elif annotation is not EMPTY and is_annotated(annotation) and default is EMPTY:
                default = apply_metadata({}, strip_annotated(annotation)[1]).default
            self.params.append(Param(p.name, annotation, default, p.kind))
        self.returns = hints.get("return", EMPTY)


def _resolve_hints(fn: Callable[..., Any], sig: inspect.Signature, what: str) -> Dict[str, Any]:
    try:
        hints = dict(typing.get_type_hints(fn, include_extras=True))
    except Exception:
        hints = {}
    for p in sig.parameters.values():
        if p.name not in hints and p.annotation is not EMPTY:
            hints[p.name] = _evaluate(fn, p.annotation, f"{what}: parameter {p.name!r}")
    if "return" not in hints and sig.return_annotation is not EMPTY:
        try:
            hints["return"] = _evaluate(fn, sig.return_annotation, f"{what}: return annotation")
        except TypeError:
            hints["return"] = EMPTY  # an unresolvable return type only loses the outputSchema
    return hints


def _evaluate(fn: Callable[..., Any], annotation: Any, where: str) -> Any:
    if not isinstance(annotation, str):
        return annotation
    namespace = dict(getattr(inspect.unwrap(fn), "__globals__", {}))
    try:
        return eval(annotation, namespace)  # noqa: S307 - the annotation is the user's own code
    except Exception as exc:
        hint = " (on Python 3.9 write Optional[X] / Union[X, Y] instead of X | Y)" if "|" in annotation else ""
        raise TypeError(f"{where}: cannot resolve the annotation {annotation!r}: {exc}{hint}") from None


def params_schema(sig: Signature, descriptions: Optional[Dict[str, str]] = None) -> Dict[str, Any]:
    """The object schema of a handler's parameters."""
    builder = _Builder(sig.what)
    properties: Dict[str, Any] = {}
    required: List[str] = []
    docs = sig.doc.params if descriptions is None else descriptions
    for p in sig.params:
        builder.where = f"{sig.what}: parameter {p.name!r}"
        prop = builder.schema(p.annotation)
        if "description" not in prop and p.name in docs:
            prop = {**prop, "description": docs[p.name]}
        if p.default is EMPTY:
            required.append(p.name)
        else:
            try:
                prop = {**prop, "default": jsonable(p.default)}
            except (TypeError, ValueError):
                pass
        properties[p.name] = prop
    return builder.with_defs({"type": "object", "properties": properties, "required": required})


def input_schema(fn: Callable[..., Any]) -> Dict[str, Any]:
    """The ``inputSchema`` of a tool written as ``fn``.

    >>> def add(a: float, b: float = 1.0) -> float:
    ...     '''Add.
    ...
    ...     Args:
    ...         a: The first number.
    ...     '''
    >>> input_schema(add)  # doctest: +NORMALIZE_WHITESPACE
    {'type': 'object', 'properties': {'a': {'type': 'number', 'description': 'The first number.'},
     'b': {'type': 'number', 'default': 1.0}}, 'required': ['a']}
    """
    return params_schema(Signature(fn, getattr(fn, "__name__", "tool")))


def return_schema(annotation: Any, where: str) -> Optional[Dict[str, Any]]:
    """The ``outputSchema`` for a return annotation: only when it describes an object
    (``dict[str, T]``, a ``TypedDict``, a dataclass, a pydantic model), else None."""
    if annotation is EMPTY or annotation is None:
        return None
    base = strip_qualifiers(strip_annotated(annotation)[0])
    if isinstance(base, type) and base.__module__.split(".")[0] in ("mcp", "picomcp"):
        return None  # content blocks (mcp.types, picomcp.Image) are content, not data
    builder = _Builder(where)
    try:
        schema = builder.schema(annotation, root=True)
    except TypeError:
        return None
    if schema.get("type") != "object":
        return None
    return builder.with_defs(schema)


def output_schema(fn: Callable[..., Any]) -> Optional[Dict[str, Any]]:
    """The ``outputSchema`` of a tool written as ``fn``, from its return annotation.

    >>> def stats() -> typing.Dict[str, int]: ...
    >>> output_schema(stats)
    {'type': 'object', 'additionalProperties': {'type': 'integer'}}
    >>> def name() -> str: ...
    >>> output_schema(name) is None
    True
    """
    sig = Signature(fn, getattr(fn, "__name__", "tool"))
    return return_schema(sig.returns, sig.what)
