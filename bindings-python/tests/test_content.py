"""Return values to MCP content (picomcp.content). Pure Python: no native module."""

import dataclasses
import enum
import json
from typing import Any, Dict, List, TypedDict

import pytest

from picomcp import AssistantMessage, Audio, EmbeddedResource, Image, Message, ResourceLink, UserMessage
from picomcp.content import BLOB_URI, completion_values, dumps, prompt_messages, resource_contents, sniff, tool_result

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 8
WAV = b"RIFF\0\0\0\0WAVEfmt "


class Color(enum.Enum):
    RED = "red"


@dataclasses.dataclass
class Point:
    x: float
    y: float
    color: Color = Color.RED


class Sum(TypedDict):
    sum: float


def test_str_is_one_text_block() -> None:
    assert tool_result("hello") == ([("text", "hello")], None)


def test_none_is_no_content() -> None:
    assert tool_result(None) == ([], None)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"sum": 3.5}, {"sum": 3.5}),
        (Sum(sum=1.0), {"sum": 1.0}),
        (Point(1, 2), {"x": 1, "y": 2, "color": "red"}),
        ({"nested": [Point(0, 0)], "tags": {"a"}}, {"nested": [{"x": 0, "y": 0, "color": "red"}], "tags": ["a"]}),
    ],
)
def test_objects_are_structured_content_plus_json_text(value: Any, expected: Dict[str, Any]) -> None:
    blocks, structured = tool_result(value)
    assert structured is not None and json.loads(structured) == expected
    assert blocks == [("text", structured)]
    assert " " not in structured  # compact


def test_pydantic_model_is_structured() -> None:
    pydantic = pytest.importorskip("pydantic")

    class M(pydantic.BaseModel):
        a: int

    blocks, structured = tool_result(M(a=1))
    assert structured == '{"a":1}' and blocks == [("text", '{"a":1}')]


def test_list_is_several_blocks() -> None:
    blocks, structured = tool_result(["a", Image(PNG), {"k": 1}, 7, None])
    assert structured is None
    assert blocks == [("text", "a"), ("image", PNG, "image/png"), ("text", '{"k":1}'), ("text", "7")]


def test_numbers_and_booleans_are_json_text() -> None:
    assert tool_result(42) == ([("text", "42")], None)
    assert tool_result(True) == ([("text", "true")], None)


def test_image_and_audio_helpers() -> None:
    assert tool_result(Image(b"...", "image/gif")) == ([("image", b"...", "image/gif")], None)
    assert tool_result(Image(b"...", format="jpg")) == ([("image", b"...", "image/jpeg")], None)
    assert tool_result(Audio(WAV)) == ([("audio", WAV, "audio/wav")], None)
    assert Image(b"unknown").mime_type == "image/png"


def test_image_from_path(tmp_path: Any) -> None:
    path = tmp_path / "pic.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0")
    image = Image(path=path)
    assert image.mime_type == "image/jpeg" and image.data == b"\xff\xd8\xff\xe0"
    with pytest.raises(ValueError):
        Image()
    with pytest.raises(ValueError):
        Image(b"x", path=path)


def test_raw_bytes_are_sniffed_or_a_blob() -> None:
    assert tool_result(PNG) == ([("image", PNG, "image/png")], None)
    assert tool_result(WAV) == ([("audio", WAV, "audio/wav")], None)
    assert tool_result(b"\x00\x01") == ([("resource_blob", BLOB_URI, "application/octet-stream", b"\x00\x01")], None)


def test_sniff() -> None:
    assert sniff(b"GIF89a...") == "image/gif"
    assert sniff(b"RIFF\0\0\0\0WEBPVP8 ") == "image/webp"
    assert sniff(b"ID3\x03") == "audio/mpeg"
    assert sniff(b"OggS") == "audio/ogg"
    assert sniff(b"hello") is None


def test_resource_link_and_embedded_resource_blocks() -> None:
    link = ResourceLink("demo://x", "x", title="X", mime_type="text/plain")
    text = EmbeddedResource("demo://t", text="hi", mime_type="text/plain")
    blob = EmbeddedResource("demo://b", blob=b"\x01")
    blocks, _ = tool_result([link, text, blob])
    assert blocks == [
        ("resource_link", "demo://x", "x", "X", None, "text/plain"),
        ("resource_text", "demo://t", "text/plain", "hi"),
        ("resource_blob", "demo://b", None, b"\x01"),
    ]
    with pytest.raises(ValueError):
        EmbeddedResource("demo://none")


def test_output_schema_needs_an_object() -> None:
    assert tool_result({"sum": 1}, structured=True)[1] == '{"sum":1}'
    with pytest.raises(TypeError, match="outputSchema"):
        tool_result("not an object", structured=True)


def test_dumps_refuses_nan_and_unknown_objects() -> None:
    with pytest.raises(ValueError):
        dumps(float("nan"))
    with pytest.raises(TypeError):
        dumps(object())


# --------------------------------------------------------------------------- resources


def test_resource_contents() -> None:
    assert resource_contents("Item 1", "demo://items/1", "text/plain") == [
        ("text", "demo://items/1", "text/plain", "Item 1")
    ]
    assert resource_contents(b"\x00", "demo://b") == [("blob", "demo://b", None, b"\x00")]
    assert resource_contents(PNG, "demo://p") == [("blob", "demo://p", "image/png", PNG)]
    assert resource_contents({"a": 1}, "demo://j") == [("text", "demo://j", "application/json", '{"a":1}')]
    several = [EmbeddedResource("demo://1", text="one"), EmbeddedResource("demo://2", blob=b"2")]
    assert resource_contents(several, "demo://x") == [("text", "demo://1", None, "one"), ("blob", "demo://2", None, b"2")]


# --------------------------------------------------------------------------- prompts


def test_prompt_messages() -> None:
    assert prompt_messages("Hello") == [("user", ("text", "Hello"))]
    assert prompt_messages([UserMessage("Q"), AssistantMessage("A")]) == [
        ("user", ("text", "Q")),
        ("assistant", ("text", "A")),
    ]
    assert prompt_messages({"role": "assistant", "content": {"type": "text", "text": "x"}}) == [
        ("assistant", ("text", "x"))
    ]
    assert prompt_messages(Message("user", Image(PNG))) == [("user", ("image", PNG, "image/png"))]
    with pytest.raises(ValueError):
        Message("system", "no such role")
    with pytest.raises(TypeError):
        prompt_messages(42)


# --------------------------------------------------------------------------- completions


def test_completion_values() -> None:
    assert completion_values(["a", "b"]) == (["a", "b"], None, False)
    assert completion_values(None) == ([], None, False)
    many: List[str] = [str(i) for i in range(150)]
    values, total, has_more = completion_values(many)
    assert len(values) == 100 and total == 150 and has_more
    with pytest.raises(TypeError):
        completion_values("abc")
