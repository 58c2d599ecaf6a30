"""The stdio benchmark's row for the official MCP Python SDK (`mcp`, pinned by
tests/python/requirements.txt): one tool, `echo(text: str)`, returning one text block
equal to `text`, written the way the SDK documents it (`MCPServer`, formerly `FastMCP`;
a plain function, which the SDK runs in a worker thread, like picomcp's row).

    python bench/python/sdk_echo.py        serves MCP on stdin/stdout
"""

from mcp.server.mcpserver import MCPServer

server = MCPServer("python-sdk-echo", version="1.0.0")


@server.tool()
def echo(text: str) -> str:
    """Echo the text back."""
    return text


if __name__ == "__main__":
    server.run()
