"""The stdio benchmark's row for picomcp's Python binding: one tool, `echo(text: str)`,
returning one text block equal to `text`, as a plain (sync) function, which picomcp
runs in a worker thread. The same server as sdk_echo.py, written with picomcp.

    python bench/python/picomcp_echo.py    serves MCP on stdin/stdout
"""

from picomcp import Server

# Room for every call of the benchmark's pipelined run (it writes 20,000 calls without
# waiting, and every call stays in flight until its worker thread answers). With the
# default of 64, calls past the limit get -32603 with data.capacity, as in every picomcp
# server.
server = Server("picomcp-python-echo", version="1.0.0", max_requests=32768)


@server.tool
def echo(text: str) -> str:
    """Echo the text back."""
    return text


if __name__ == "__main__":
    server.run()
