"""Arguments from JSON to Python values (picomcp.convert): floats, enums, dataclasses,
TypedDicts, pydantic models, tuples and sets; strings for template variables and prompt
arguments; errors that name the field. Pure Python."""

import dataclasses
import enum
from typing import Any, Dict, List, Literal, Optional, Set, Tuple, TypedDict, Union

import pytest

from picomcp import ArgumentError, Context, Server
from picomcp.convert import converter, from_string


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


@dataclasses.dataclass
class Point:
    x: float
    y: float

    def __post_init__(self) -> None:
        if self.x < 0:
            raise ValueError("x must not be negative")


class Box(TypedDict):
    corner: Point
    color: Color


def bind(fn: Any, arguments: Dict[str, Any], context: Any = None) -> Dict[str, Any]:
    server = Server("t")
    server.tool(fn)
    return server.tools[0].binder.bind(arguments, context)


def test_plain_values_pass_through() -> None:
    assert converter(str) is None and converter(bool) is None and converter(List[str]) is None

    def f(a: str, b: int, c: List[str], d: Dict[str, int]) -> None: ...

    args = {"a": "x", "b": 1, "c": ["y"], "d": {"k": 2}}
    assert bind(f, args) == args


def test_int_gets_an_int() -> None:
    # JSON 1e2 and 100.0 are integers to the schema, and Python reads them as floats.
    def f(a: int, b: List[int], c: Optional[int] = None) -> None: ...

    out = bind(f, {"a": 100.0, "b": [1e2, 3], "c": 2.0})
    assert out == {"a": 100, "b": [100, 3], "c": 2}
    assert [type(v) for v in (out["a"], *out["b"], out["c"])] == [int, int, int, int]
    assert bind(f, {"a": 1.5, "b": []}) == {"a": 1.5, "b": []}  # not integral: the schema said no


def test_float_gets_a_float() -> None:
    def f(a: float, b: List[float], c: Optional[float] = None) -> None: ...

    out = bind(f, {"a": 1, "b": [1, 2.5], "c": 3})
    assert out == {"a": 1.0, "b": [1.0, 2.5], "c": 3.0}
    assert type(out["a"]) is float and type(out["b"][0]) is float and type(out["c"]) is float


def test_enum_and_literal() -> None:
    def f(color: Color, mode: Literal["a", "b"]) -> None: ...

    assert bind(f, {"color": "blue", "mode": "a"}) == {"color": Color.BLUE, "mode": "a"}


def test_dataclass_and_typeddict_are_built() -> None:
    def f(p: Point, box: Box, points: List[Point]) -> None: ...

    out = bind(f, {"p": {"x": 1, "y": 2}, "box": {"corner": {"x": 0, "y": 0}, "color": "red"}, "points": [{"x": 3, "y": 4}]})
    assert out["p"] == Point(1.0, 2.0)
    assert out["box"] == {"corner": Point(0.0, 0.0), "color": Color.RED}
    assert out["points"] == [Point(3.0, 4.0)]


def test_tuple_and_set() -> None:
    def f(pair: Tuple[int, str], many: Tuple[float, ...], tags: Set[str]) -> None: ...

    out = bind(f, {"pair": [1, "a"], "many": [1, 2], "tags": ["x", "x"]})
    assert out == {"pair": (1, "a"), "many": (1.0, 2.0), "tags": {"x"}}


def test_union_picks_the_member_that_fits() -> None:
    def f(v: Union[Point, List[Point], None]) -> None: ...

    assert bind(f, {"v": {"x": 1, "y": 1}}) == {"v": Point(1.0, 1.0)}
    assert bind(f, {"v": [{"x": 1, "y": 1}]}) == {"v": [Point(1.0, 1.0)]}
    assert bind(f, {"v": None}) == {"v": None}


def test_errors_name_the_field() -> None:
    def f(p: Point, boxes: List[Box]) -> None: ...

    with pytest.raises(ArgumentError) as info:
        bind(f, {"p": {"x": -1, "y": 0}, "boxes": []})
    assert info.value.field == "p" and "'p'" in str(info.value) and "negative" in str(info.value)
    with pytest.raises(ArgumentError) as info:
        bind(f, {"p": {"x": 1, "y": 0}, "boxes": [{"corner": {"x": 0, "y": 0}, "color": "green"}]})
    assert info.value.field == "boxes[0].color"
    assert isinstance(info.value, ValueError)


def test_pydantic_model_is_validated() -> None:
    pydantic = pytest.importorskip("pydantic")

    class Person(pydantic.BaseModel):
        name: str
        age: int

    def f(who: Person) -> None: ...

    assert bind(f, {"who": {"name": "Ada", "age": 36}})["who"] == Person(name="Ada", age=36)
    with pytest.raises(ArgumentError) as info:
        bind(f, {"who": {"name": "Ada", "age": "old"}})
    assert info.value.field == "who.age"


def test_unknown_arguments_are_dropped_and_defaults_kept() -> None:
    def f(a: int, b: int = 2) -> None: ...

    assert bind(f, {"a": 1, "zzz": 3}) == {"a": 1}


def test_context_is_injected() -> None:
    def f(a: int, ctx: Context) -> None: ...

    marker = object()
    assert bind(f, {"a": 1}, marker) == {"a": 1, "ctx": marker}


# --------------------------------------------------------------------------- strings


def test_from_string() -> None:
    assert from_string(str, "x") is None
    to_int = from_string(int, "x")
    assert to_int is not None and to_int("42", "id") == 42
    with pytest.raises(ArgumentError, match="'id'"):
        to_int("abc", "id")
    to_bool = from_string(bool, "x")
    assert to_bool is not None and to_bool("true", "f") is True and to_bool("0", "f") is False
    to_color = from_string(Color, "x")
    assert to_color is not None and to_color("red", "c") is Color.RED
    with pytest.raises(ArgumentError):
        to_color("green", "c")
    to_opt = from_string(Optional[float], "x")
    assert to_opt is not None and to_opt("1.5", "v") == 1.5
    with pytest.raises(TypeError):
        from_string(List[int], "x")


def test_template_variables_are_converted() -> None:
    server = Server("t")

    @server.resource("demo://items/{id}")
    def item(id: int) -> str:
        return str(id)

    assert server.resources[0].binder.bind({"id": "7"}) == {"id": 7}
