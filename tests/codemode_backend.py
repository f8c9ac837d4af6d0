"""A small backend MCP server for the codemode tests, written with the mcp SDK (stdio).

    python tests/codemode_backend.py main      add, lookup, echo, slow, fail, traceparent
    python tests/codemode_backend.py fragile   echo, crash (crash ends the process mid-call)
    python tests/codemode_backend.py fragile --http PORT     the same on http://127.0.0.1:PORT/mcp

It imports nothing from this repository, like any third-party MCP server.
"""

from __future__ import annotations

import os
import sys

import anyio
from mcp.server import MCPServer
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError


def main_server() -> MCPServer:
    srv = MCPServer("codemode-test-main")

    @srv.tool()
    def add(a: int, b: int) -> int:
        """Add two integers."""
        return a + b

    @srv.tool()
    def lookup(key: str) -> dict:  # type: ignore[type-arg]
        """Look a key up; the answer is JSON text (no structured content)."""
        return {"key": key, "length": len(key), "upper": key.upper()}

    @srv.tool()
    def echo(text: str) -> str:
        """Return the text."""
        return text

    @srv.tool(name="get-self")
    def get_self(self: str, limit: int = 2) -> str:  # noqa: N805 - a parameter named self
        """A kebab-case tool name and a parameter named self."""
        return self * limit

    @srv.tool()
    async def slow(seconds: float) -> str:
        """Sleep, then say so."""
        await anyio.sleep(seconds)
        return f"slept {seconds}"

    @srv.tool()
    def fail(message: str) -> str:
        """Always fails with the message (an isError result)."""
        raise ToolError(message)

    @srv.tool()
    def traceparent(ctx: Context) -> str:
        """The W3C traceparent the request carried in _meta ('' without one)."""
        meta = ctx.request_context.meta or {}
        return str(meta.get("traceparent", ""))

    return srv


def fragile_server() -> MCPServer:
    srv = MCPServer("codemode-test-fragile")

    @srv.tool()
    def echo(text: str) -> str:
        """Return the text (fragile's own)."""
        return f"fragile: {text}"

    @srv.tool()
    def crash() -> str:
        """Exit the process at once, without answering."""
        sys.stdout.flush()
        os._exit(3)

    return srv


if __name__ == "__main__":
    flavor = sys.argv[1] if len(sys.argv) > 1 else "main"
    server = fragile_server() if flavor == "fragile" else main_server()
    if "--http" in sys.argv:  # streamable HTTP on http://127.0.0.1:PORT/mcp
        port = int(sys.argv[sys.argv.index("--http") + 1])
        server.run("streamable-http", host="127.0.0.1", port=port)
    else:
        server.run()
