"""The README's Python quick start runs as written (its `server.run()` swapped for a
sans-IO connection that lists the tools)."""

import json
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"
META = {"io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {}}


def quick_start() -> str:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Using picomcp from Python") :]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_the_quick_start_serves_its_tools() -> None:
    pytest.importorskip("picomcp._native")
    code = quick_start()
    assert "server.run()" in code
    scope: dict = {}
    exec(compile(code.replace("server.run()", "pass"), "README quick start", "exec"), scope)
    conn = scope["server"].connection()
    request = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {"_meta": META}}
    conn.receive_data(json.dumps(request).encode() + b"\n")
    (reply,) = [json.loads(line) for line in conn.data_to_send().splitlines()]
    assert [t["name"] for t in reply["result"]["tools"]] == ["add", "slow"]
    assert scope["add"](1, 2) == {"sum": 3}  # the decorator returned the function unchanged
