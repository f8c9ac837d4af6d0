"""Serving the gateway's MCP server: over stdio, or over streamable HTTP with uvicorn."""

from __future__ import annotations

from contextlib import AsyncExitStack

import anyio
import uvicorn
from loguru import logger
from mcp.server.stdio import stdio_server

from .gateway import Gateway
from .stdio import pipe_stdio

#: The path of the MCP endpoint on the HTTP server.
HTTP_PATH = "/mcp"


async def serve_stdio(gateway: Gateway) -> None:
    """Serve one client on this process's stdin/stdout until it closes stdin (through
    :func:`~codemode.stdio.pipe_stdio` where they are pipes, as an MCP client starts us)."""
    server = gateway.server
    async with AsyncExitStack() as stack:
        try:
            pipes = await stack.enter_async_context(pipe_stdio())
        except ValueError:  # not pipes (a terminal, a file): the SDK's thread-backed transport
            transport = stdio_server()
        else:
            transport = stdio_server(*pipes)  # type: ignore[arg-type]
        read, write = await stack.enter_async_context(transport)
        await server.run(read, write, server.create_initialization_options())


def parse_address(text: str) -> tuple[str, int]:
    """``HOST:PORT`` (``[::1]:PORT`` for IPv6; port 0 picks a free port)."""
    host, sep, port = text.rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or int(port) > 65535:
        raise ValueError(f"{text!r}: want HOST:PORT, e.g. 127.0.0.1:8080")
    return host, int(port)


async def serve_http(gateway: Gateway, host: str, port: int) -> None:
    """Serve streamable HTTP on ``http://HOST:PORT/mcp`` until interrupted (SIGINT/SIGTERM).

    Once listening it logs ``serving MCP on http://HOST:PORT/mcp`` with the real port."""
    app = gateway.server.streamable_http_app(streamable_http_path=HTTP_PATH, host=host)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)

    async def announce() -> None:
        while not server.started:
            if server.should_exit:
                return
            await anyio.sleep(0.01)
        bound = port
        for s in server.servers:
            for sock in s.sockets or ():
                bound = sock.getsockname()[1]
        shown = f"[{host}]" if ":" in host else host
        logger.info("serving MCP on http://{host}:{port}{path}", host=shown, port=bound,
                    path=HTTP_PATH)

    async with anyio.create_task_group() as tg:
        tg.start_soon(announce)
        await server.serve()
        tg.cancel_scope.cancel()
