"""pytest setup for the demo-server client tests (see demo_harness.py for the plumbing)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest

from demo_harness import missing_server_message, server_command


def pytest_configure(config: pytest.Config) -> None:
    message = missing_server_message()
    if message is not None:
        pytest.exit(message, returncode=2)


def pytest_report_header(config: pytest.Config) -> str:
    return f"demo server command: {server_command()}"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(params=["auto", "legacy"])
def mode(request: pytest.FixtureRequest) -> str:
    """The SDK client's connect mode: "auto" must end on 2026-07-28, "legacy" on 2025-11-25."""
    return request.param


@pytest.fixture
def server_stderr(tmp_path: Path) -> Iterator[IO[str]]:
    """A file for the server's stderr; its content is printed (shown by pytest on failure)."""
    path = tmp_path / "server-stderr.txt"
    with path.open("w+", encoding="utf-8", errors="replace") as f:
        yield f
    text = path.read_text(encoding="utf-8", errors="replace")
    if text:
        print(f"--- server stderr ---\n{text}")
