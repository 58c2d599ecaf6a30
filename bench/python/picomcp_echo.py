"""The stdio benchmark's row for picomcp's Python binding: one tool, `echo(text: str)`,
returning one text block equal to `text`, as a plain (sync) function, which picomcp
runs in a worker thread. The same server as sdk_echo.py, written with picomcp.

    python bench/python/picomcp_echo.py    serves MCP on stdin/stdout
"""

from picomcp import Server

# Room for every call of the Python table's pipelined run (it writes 2,000 calls without
# waiting, and every call stays in flight until its worker thread answers). Past
# max_requests (64 by default) a call gets -32603 with data.capacity, as in every picomcp
# server; the core's request table is scanned per request, so it is sized for the load.
server = Server("picomcp-python-echo", version="1.0.0", max_requests=2048)


@server.tool
def echo(text: str) -> str:
    """Echo the text back."""
    return text


if __name__ == "__main__":
    server.run()
