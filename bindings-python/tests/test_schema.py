"""JSON Schema generation from type hints and docstrings (picomcp.schema): every supported
annotation, descriptions, defaults, Optional, output schemas. Pure Python: no native
module needed."""

import dataclasses
import enum
import sys
from typing import Any, Dict, FrozenSet, List, Literal, Mapping, Optional, Sequence, Set, Tuple, Union

import pytest

from picomcp import Context
from picomcp.schema import input_schema, output_schema, parse_docstring, type_schema

from typing import Annotated, TypedDict

try:
    import pydantic
except ImportError:
    pydantic = None  # type: ignore[assignment]

needs_pydantic = pytest.mark.skipif(pydantic is None, reason="pydantic is not installed")


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 2


class Point(TypedDict):
    x: float
    y: float


class Partial(TypedDict, total=False):
    label: str
    weight: int


@dataclasses.dataclass
class Item:
    """An item in stock.

    Attributes:
        name: What it is called.
        count: How many there are.
    """

    name: str
    count: int = 0
    tags: List[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class Tree:
    value: int
    children: "List[Tree]"


class Sum(TypedDict):
    sum: float


def props(fn: Any) -> Dict[str, Any]:
    return input_schema(fn)["properties"]


# --------------------------------------------------------------------------- scalars


@pytest.mark.parametrize(
    ("annotation", "schema"),
    [
        (str, {"type": "string"}),
        (int, {"type": "integer"}),
        (float, {"type": "number"}),
        (bool, {"type": "boolean"}),
        (type(None), {"type": "null"}),
        (None, {"type": "null"}),
        (Any, {}),
    ],
)
def test_scalars(annotation: Any, schema: Dict[str, Any]) -> None:
    assert type_schema(annotation) == schema


def test_no_annotation_accepts_anything() -> None:
    def f(x):  # type: ignore[no-untyped-def]
        return x

    assert input_schema(f) == {"type": "object", "properties": {"x": {}}, "required": ["x"]}


# --------------------------------------------------------------------------- containers


@pytest.mark.parametrize(
    ("annotation", "schema"),
    [
        (list, {"type": "array"}),
        (List[int], {"type": "array", "items": {"type": "integer"}}),
        (list[int], {"type": "array", "items": {"type": "integer"}}),
        (Sequence[str], {"type": "array", "items": {"type": "string"}}),
        (List[List[float]], {"type": "array", "items": {"type": "array", "items": {"type": "number"}}}),
        (Tuple[int, ...], {"type": "array", "items": {"type": "integer"}}),
        (
            Tuple[int, str],
            {"type": "array", "prefixItems": [{"type": "integer"}, {"type": "string"}], "minItems": 2, "maxItems": 2},
        ),
        (Set[str], {"type": "array", "items": {"type": "string"}, "uniqueItems": True}),
        (FrozenSet[int], {"type": "array", "items": {"type": "integer"}, "uniqueItems": True}),
        (dict, {"type": "object"}),
        (Dict[str, int], {"type": "object", "additionalProperties": {"type": "integer"}}),
        (dict[str, float], {"type": "object", "additionalProperties": {"type": "number"}}),
        (Mapping[str, str], {"type": "object", "additionalProperties": {"type": "string"}}),
        (Dict[str, Any], {"type": "object"}),
    ],
)
def test_containers(annotation: Any, schema: Dict[str, Any]) -> None:
    assert type_schema(annotation) == schema


def test_dict_keys_must_be_strings() -> None:
    def f(x: Dict[int, str]) -> None: ...

    with pytest.raises(TypeError, match="keys are strings"):
        input_schema(f)


# --------------------------------------------------------------------------- unions, literals, enums


def test_optional() -> None:
    assert type_schema(Optional[int]) == {"anyOf": [{"type": "integer"}, {"type": "null"}]}


@pytest.mark.skipif(sys.version_info < (3, 10), reason="X | None needs Python 3.10")
def test_pep604_union() -> None:
    annotation = eval("int | None")
    assert type_schema(annotation) == {"anyOf": [{"type": "integer"}, {"type": "null"}]}
    annotation = eval("str | list[int]")
    assert type_schema(annotation) == {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "integer"}}]}


def test_union() -> None:
    assert type_schema(Union[int, str]) == {"anyOf": [{"type": "integer"}, {"type": "string"}]}


def test_literal() -> None:
    assert type_schema(Literal["a", "b"]) == {"type": "string", "enum": ["a", "b"]}
    assert type_schema(Literal[1, 2]) == {"type": "integer", "enum": [1, 2]}
    assert type_schema(Literal["a", 1]) == {"enum": ["a", 1]}


def test_enum() -> None:
    assert type_schema(Color) == {"type": "string", "enum": ["red", "green"]}
    assert type_schema(Level) == {"type": "integer", "enum": [1, 2]}


# --------------------------------------------------------------------------- classes


def test_typeddict() -> None:
    assert type_schema(Point) == {
        "type": "object",
        "properties": {"x": {"type": "number"}, "y": {"type": "number"}},
        "required": ["x", "y"],
    }


def test_typeddict_not_total() -> None:
    assert type_schema(Partial) == {
        "type": "object",
        "properties": {"label": {"type": "string"}, "weight": {"type": "integer"}},
        "required": [],
    }


def test_dataclass_with_defaults_and_attribute_docs() -> None:
    assert type_schema(Item) == {
        "type": "object",
        "properties": {
            "name": {"type": "string", "description": "What it is called."},
            "count": {"type": "integer", "description": "How many there are.", "default": 0},
            "tags": {"type": "array", "items": {"type": "string"}},
        },
        "required": ["name"],
        "description": "An item in stock.",
    }


def test_recursive_dataclass_uses_defs() -> None:
    schema = type_schema(Tree)
    assert schema["type"] == "object"
    assert schema["properties"]["children"] == {"type": "array", "items": {"$ref": "#/$defs/Tree"}}
    assert schema["$defs"]["Tree"]["properties"]["value"] == {"type": "integer"}


def test_nested_classes_are_inline() -> None:
    def f(items: List[Item], where: Point) -> None: ...

    schema = input_schema(f)
    assert "$defs" not in schema
    assert schema["properties"]["where"]["properties"]["x"] == {"type": "number"}
    assert schema["properties"]["items"]["items"]["required"] == ["name"]


def test_unsupported_annotation_is_a_type_error_naming_the_parameter() -> None:
    class Opaque:
        pass

    def f(thing: Opaque) -> None: ...

    with pytest.raises(TypeError, match="'thing'"):
        input_schema(f)


# --------------------------------------------------------------------------- Annotated


def test_annotated_description() -> None:
    def f(text: Annotated[str, "The text"]) -> None: ...

    assert props(f) == {"text": {"type": "string", "description": "The text"}}


def test_annotated_keywords_dict() -> None:
    def f(ms: Annotated[int, "How long", {"minimum": 0, "maximum": 600000}]) -> None: ...

    assert props(f) == {"ms": {"type": "integer", "description": "How long", "minimum": 0, "maximum": 600000}}


def test_annotated_types_bounds() -> None:
    annotated_types = pytest.importorskip("annotated_types")

    def f(
        n: Annotated[int, annotated_types.Ge(0), annotated_types.Lt(10)],
        s: Annotated[str, annotated_types.MaxLen(5)],
        xs: Annotated[List[int], annotated_types.MinLen(1)],
    ) -> None: ...

    assert props(f) == {
        "n": {"type": "integer", "minimum": 0, "exclusiveMaximum": 10},
        "s": {"type": "string", "maxLength": 5},
        "xs": {"type": "array", "items": {"type": "integer"}, "minItems": 1},
    }


@needs_pydantic
def test_annotated_pydantic_field() -> None:
    from pydantic import Field

    def f(
        n: Annotated[int, Field(description="A count", ge=1)],
        name: Annotated[str, Field(description="Who")] = "you",
        size: int = Field(3, le=10, description="How big"),
    ) -> None: ...

    schema = input_schema(f)
    assert schema["properties"] == {
        "n": {"type": "integer", "description": "A count", "minimum": 1},
        "name": {"type": "string", "description": "Who", "default": "you"},
        "size": {"type": "integer", "description": "How big", "maximum": 10, "default": 3},
    }
    assert schema["required"] == ["n"]


# --------------------------------------------------------------------------- pydantic models


@needs_pydantic
def test_pydantic_model_parameter_keeps_defs() -> None:
    class Inner(pydantic.BaseModel):
        v: int

    class Outer(pydantic.BaseModel):
        inner: Inner
        note: Optional[str] = None

    def f(data: Outer) -> None: ...

    schema = input_schema(f)
    outer = schema["properties"]["data"]
    assert outer["type"] == "object"
    assert outer["properties"]["inner"] == {"$ref": "#/$defs/Inner"}
    assert schema["$defs"]["Inner"]["properties"]["v"]["type"] == "integer"


@needs_pydantic
def test_pydantic_model_output_schema() -> None:
    class Result(pydantic.BaseModel):
        total: float

    def f() -> Result: ...

    schema = output_schema(f)
    assert schema is not None and schema["type"] == "object"
    assert schema["properties"]["total"]["type"] == "number"
    assert schema["required"] == ["total"]


# --------------------------------------------------------------------------- functions


def test_defaults_are_optional_and_recorded() -> None:
    def f(a: int, b: str = "x", c: Optional[int] = None, color: Color = Color.GREEN) -> None: ...

    schema = input_schema(f)
    assert schema["required"] == ["a"]
    assert schema["properties"]["b"] == {"type": "string", "default": "x"}
    assert schema["properties"]["c"] == {"anyOf": [{"type": "integer"}, {"type": "null"}], "default": None}
    assert schema["properties"]["color"]["default"] == "green"


def test_optional_without_default_is_required() -> None:
    def f(a: Optional[int]) -> None: ...

    assert input_schema(f)["required"] == ["a"]


def test_no_parameters() -> None:
    def f() -> str: ...

    assert input_schema(f) == {"type": "object", "properties": {}, "required": []}


def test_context_parameter_is_skipped() -> None:
    def f(a: int, ctx: Context) -> None: ...

    def g(ctx: Optional[Context] = None) -> None: ...

    assert input_schema(f) == {"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]}
    assert input_schema(g) == {"type": "object", "properties": {}, "required": []}


def test_var_arguments_are_refused() -> None:
    def f(*args: int) -> None: ...

    def g(**kwargs: int) -> None: ...

    for fn in (f, g):
        with pytest.raises(TypeError):
            input_schema(fn)


def test_string_annotations_resolve() -> None:
    namespace: Dict[str, Any] = {}
    exec(
        "from __future__ import annotations\n"
        "from typing import List, Optional\n"
        "def f(a: List[int], b: Optional[str] = None) -> dict: ...\n",
        namespace,
    )
    schema = input_schema(namespace["f"])
    assert schema["properties"]["a"] == {"type": "array", "items": {"type": "integer"}}
    assert output_schema(namespace["f"]) == {"type": "object"}


# --------------------------------------------------------------------------- docstrings


def test_google_docstring() -> None:
    def f(a: int, b: str) -> None:
        """Do a thing.

        More about it.

        Args:
            a: The first,
                on two lines.
            b (str): The second.

        Returns:
            Nothing.
        """

    schema = input_schema(f)
    assert schema["properties"]["a"]["description"] == "The first, on two lines."
    assert schema["properties"]["b"]["description"] == "The second."
    assert parse_docstring(f.__doc__).summary == "Do a thing.\n\nMore about it."


def test_numpy_docstring() -> None:
    doc = """Do a thing.

    Parameters
    ----------
    a : int
        The first.
    b, c : str
        Both of these.

    Returns
    -------
    None
    """
    parsed = parse_docstring(doc)
    assert parsed.summary == "Do a thing."
    assert parsed.params == {"a": "The first.", "b": "Both of these.", "c": "Both of these."}


def test_rest_docstring() -> None:
    doc = """Do a thing.

    :param a: The first.
    :param str b: The second,
        continued.
    :returns: nothing
    """
    parsed = parse_docstring(doc)
    assert parsed.summary == "Do a thing."
    assert parsed.params == {"a": "The first.", "b": "The second, continued."}


def test_annotated_description_wins_over_docstring() -> None:
    def f(a: Annotated[int, "From Annotated"]) -> None:
        """Args:
        a: From the docstring.
        """

    assert props(f)["a"]["description"] == "From Annotated"


def test_no_docstring() -> None:
    assert parse_docstring(None) == (None, {})
    assert parse_docstring("") == (None, {})


# --------------------------------------------------------------------------- output schemas


def test_output_schema_typeddict_is_exact() -> None:
    def add(a: float, b: float) -> Sum: ...

    assert output_schema(add) == {"type": "object", "properties": {"sum": {"type": "number"}}, "required": ["sum"]}


def test_output_schema_dict_of_values() -> None:
    def f() -> Dict[str, int]: ...

    assert output_schema(f) == {"type": "object", "additionalProperties": {"type": "integer"}}


def test_output_schema_dataclass() -> None:
    def f() -> Item: ...

    schema = output_schema(f)
    assert schema is not None and schema["required"] == ["name"]


def test_output_schema_recursive() -> None:
    def f() -> Tree: ...

    schema = output_schema(f)
    assert schema is not None and schema["type"] == "object" and "Tree" in schema["$defs"]


@pytest.mark.parametrize("annotation", [str, int, List[int], Optional[Point], type(None), Any])
def test_no_output_schema_for_non_objects(annotation: Any) -> None:
    def f() -> None: ...

    f.__annotations__["return"] = annotation
    assert output_schema(f) is None


def test_no_output_schema_without_annotation() -> None:
    def f():  # type: ignore[no-untyped-def]
        return 1

    assert output_schema(f) is None


def test_content_return_types_give_no_output_schema() -> None:
    from picomcp import Image

    def f() -> Image: ...

    assert output_schema(f) is None

