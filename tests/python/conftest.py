"""pytest setup for the demo-server client tests (see demo_harness.py for the plumbing).

The client tests take a `target` fixture: once per transport of `PICOMCP_TRANSPORT`
(`stdio`, `http` or `both`). Tests marked `stdio` are about the stdio process itself and
run only when stdio is selected; tests marked `http` are raw HTTP checks and run only
when http is selected. One HTTP server serves the whole run.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from demo_harness import HttpServer, Target, demo_url, missing_server_message, selected_transports, server_command


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "stdio: a test of the stdio server process itself (stdio only)")
    config.addinivalue_line("markers", "http: a raw Streamable HTTP check (http only)")
    message = missing_server_message()
    if message is not None:
        pytest.exit(message, returncode=2)


def pytest_report_header(config: pytest.Config) -> list[str]:
    transports = selected_transports()
    lines = [f"demo server command: {server_command()}", f"transports: {', '.join(transports)}"]
    if "http" in transports and demo_url() is not None:
        lines.append(f"HTTP server: PICOMCP_DEMO_URL={demo_url()}")
    return lines


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    transports = selected_transports()
    for item in items:
        for only in ("stdio", "http"):
            if item.get_closest_marker(only) is not None and only not in transports:
                item.add_marker(pytest.mark.skip(reason=f"{only} only; PICOMCP_TRANSPORT selects {', '.join(transports)}"))


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(params=["auto", "legacy"])
def mode(request: pytest.FixtureRequest) -> str:
    """The SDK client's connect mode: "auto" must end on 2026-07-28, "legacy" on 2025-11-25."""
    return request.param


def _transports() -> list[str]:
    try:
        return selected_transports()
    except ValueError:
        return ["stdio"]  # pytest_configure stops the run with the reason


@pytest.fixture(params=_transports())
def transport(request: pytest.FixtureRequest) -> str:
    """The transport the SDK client connects over: "stdio" or "http"."""
    return request.param


@pytest.fixture(scope="session")
def http_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HttpServer]:
    """The demo server on Streamable HTTP for the whole run: PICOMCP_DEMO_URL, or one
    started here (and stopped at the end)."""
    try:
        server = HttpServer.from_environment(tmp_path_factory.mktemp("http-server"))
    except RuntimeError as error:
        problem = str(error)
    else:
        problem = None
    if problem is not None:
        pytest.fail(problem, pytrace=False)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def target(transport: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Target]:
    """Where connect() finds the server. stdio: a new server per session, its stderr in a
    file; http: the shared HTTP server. The server's stderr of the test is printed (shown
    by pytest on failure)."""
    if transport == "stdio":
        path = tmp_path / "server-stderr.txt"
        with path.open("w+", encoding="utf-8", errors="replace") as f:
            yield Target("stdio", errlog=f)
        text = path.read_text(encoding="utf-8", errors="replace")
    else:
        server: HttpServer = request.getfixturevalue("http_server")
        if (problem := server.exit_problem()) is not None:
            pytest.fail(problem, pytrace=False)
        start = server.stderr_size()
        yield Target("http", url=server.url)
        text = server.stderr_text(start)
        if (problem := server.exit_problem()) is not None:
            pytest.fail(problem, pytrace=False)
    if text:
        print(f"--- server stderr ---\n{text}")
