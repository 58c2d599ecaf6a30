"""The decorators of picomcp.Server: bare and called forms, the function returned unchanged,
names, titles, descriptions, template variables checked against the signature. Pure
Python: registration needs no native module."""

import asyncio
from typing import Annotated, Optional

import pytest

from picomcp import Context, Server


def test_bare_tool_returns_the_function_unchanged() -> None:
    server = Server("t")

    def add(a: float, b: float) -> float:
        """Add two numbers."""
        return a + b

    assert server.tool(add) is add
    assert add(1, 2) == 3
    (tool,) = server.tools
    assert (tool.name, tool.title, tool.description, tool.annotations) == ("add", None, "Add two numbers.", None)
    assert tool.fn is add and not tool.is_async


def test_called_tool_forms() -> None:
    server = Server("t")

    @server.tool()
    def a() -> str:
        return "a"

    @server.tool("renamed")
    def b() -> str:
        return "b"

    @server.tool(name="c2", title="C", description="Explicit.", annotations={"readOnlyHint": True})
    async def c() -> str:
        """Docstring loses to description=."""
        return "c"

    assert a() == "a" and b() == "b" and asyncio.run(c()) == "c"
    assert [t.name for t in server.tools] == ["a", "renamed", "c2"]
    tool = server.tools[2]
    assert (tool.title, tool.description, tool.annotations, tool.is_async) == ("C", "Explicit.", {"readOnlyHint": True}, True)


def test_tool_name_twice_and_duplicates() -> None:
    server = Server("t")
    with pytest.raises(TypeError):
        server.tool("x", name="y")

    @server.tool
    def same() -> None: ...

    with pytest.raises(ValueError, match="already registered"):
        server.tool(name="same")(lambda: None)


def test_context_parameter_is_found() -> None:
    server = Server("t")

    @server.tool
    async def slow(ms: int, ctx: Context) -> str:
        return ""

    @server.tool
    def maybe(ctx: Optional[Context] = None) -> str:
        return ""

    assert [t.context_parameter for t in server.tools] == ["ctx", "ctx"]
    assert server.tools[0].input_schema["properties"] == {"ms": {"type": "integer"}}


def test_structured_output_switch() -> None:
    server = Server("t")

    @server.tool(structured_output=False)
    def stats() -> dict:
        return {}

    assert server.tools[0].output_schema is None
    with pytest.raises(TypeError, match="structured_output"):

        @server.tool(structured_output=True)
        def text() -> str:
            return ""


def test_lambda_needs_a_name() -> None:
    server = Server("t")
    with pytest.raises(TypeError, match="name"):
        server.tool(lambda: None)
    server.tool(name="ok")(lambda: None)
    assert server.tools[0].name == "ok"


# --------------------------------------------------------------------------- resources


def test_static_resource() -> None:
    server = Server("t")

    @server.resource("demo://readme", mime_type="text/plain")
    def readme() -> str:
        """The readme."""
        return "hi"

    assert readme() == "hi"
    (res,) = server.resources
    assert (res.uri, res.name, res.mime_type, res.description, res.is_template) == (
        "demo://readme",
        "readme",
        "text/plain",
        "The readme.",
        False,
    )


def test_template_variables_match_parameters() -> None:
    server = Server("t")

    @server.resource("demo://items/{id}", name="item")
    def item(id: str) -> str:
        return f"Item {id}"

    @server.resource("files://{+path}")
    def file(path: str, ctx: Context, encoding: str = "utf-8") -> str:
        return path

    assert item("1") == "Item 1"
    assert [(r.name, r.variables, r.is_template) for r in server.resources] == [
        ("item", ["id"], True),
        ("file", ["path"], True),
    ]


@pytest.mark.parametrize(
    ("uri", "message"),
    [
        ("demo://items/{id}", "not parameters"),  # the function has no `id`
        ("demo://items/{key}", "no default"),  # `name` is not filled by the URI
    ],
)
def test_template_mismatch_is_a_type_error(uri: str, message: str) -> None:
    server = Server("t")

    def f(key: str, name: str) -> str:
        return ""

    if uri.endswith("{id}"):

        def f(key: str = "") -> str:  # type: ignore[misc]
            return ""

    with pytest.raises(TypeError, match=message):
        server.resource(uri)(f)
    assert server.resources == ()


def test_static_resource_with_a_required_parameter_is_a_type_error() -> None:
    server = Server("t")
    with pytest.raises(TypeError, match="no default"):

        @server.resource("demo://x")
        def x(id: str) -> str:
            return id


def test_bad_templates_and_bare_resource() -> None:
    server = Server("t")
    with pytest.raises(ValueError, match="not supported"):
        server.resource("demo://{?query}")
    with pytest.raises(ValueError, match="unbalanced"):
        server.resource("demo://{id")
    with pytest.raises(TypeError, match="needs the URI"):

        @server.resource  # type: ignore[arg-type]
        def nope() -> str:
            return ""


# --------------------------------------------------------------------------- prompts and completion


def test_prompt_forms_and_arguments() -> None:
    server = Server("t")

    @server.prompt
    def greet(name: Annotated[str, "Who to greet"], style: str = "warm") -> str:
        """A greeting.

        Args:
            style: How.
        """
        return f"Hello, {name}!"

    @server.prompt(name="other", title="Other", description="Given.")
    def other() -> str:
        return ""

    assert greet("Ada") == "Hello, Ada!"
    first, second = server.prompts
    assert (first.name, first.description, first.arguments) == (
        "greet",
        "A greeting.",
        [("name", "Who to greet", True), ("style", "How.", False)],
    )
    assert (second.name, second.title, second.description, second.arguments) == ("other", "Other", "Given.", [])


def test_prompt_argument_types_must_fit_strings() -> None:
    server = Server("t")

    @server.prompt
    def ok(n: int, flag: bool = False) -> str:
        return ""

    with pytest.raises(TypeError, match="string cannot carry"):

        @server.prompt
        def bad(items: list) -> str:
            return ""


def test_completion_forms() -> None:
    server = Server("t")

    def complete(ref_type: str, name_or_uri: str, argument: str, value: str, context: dict) -> list:
        return []

    assert server.completion(complete) is complete
    assert server.completion_handler is complete
    with pytest.raises(ValueError, match="already"):
        server.completion()(complete)


def test_server_arguments() -> None:
    server = Server("demo", version="1.2.3", instructions="Use it.", max_requests=8)
    assert (server.name, server.version, server.instructions, server.max_requests) == ("demo", "1.2.3", "Use it.", 8)
    assert Server("d").version == "0.0.0"
    with pytest.raises(ValueError):
        Server("")
    with pytest.raises(ValueError):
        Server("d", max_requests=0)


def test_unknown_transport() -> None:
    with pytest.raises(ValueError, match="transport"):
        Server("t").run(transport="carrier-pigeon")
