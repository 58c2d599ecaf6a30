"""The stdio benchmark's row for picomcp's Python binding: one tool, `echo(text: str)`,
returning one text block equal to `text`, as a plain (sync) function, which picomcp
runs in a worker thread. The same server as sdk_echo.py, written with picomcp.

    python bench/python/picomcp_echo.py    serves MCP on stdin/stdout
"""

from picomcp import Server

server = Server("picomcp-python-echo", version="1.0.0")


@server.tool
def echo(text: str) -> str:
    """Echo the text back."""
    return text


if __name__ == "__main__":
    server.run()
