"""Backends: the MCP servers behind the gateway, reached through the SDK's client.

Each :class:`Backend` owns one ``mcp.Client`` (over stdio or streamable HTTP) in a task of its
own, because an SDK client must be entered and left in the same task: :meth:`Backend.run`
connects, lists the tools, reports ready, and then holds the connection until
:meth:`Backend.stop`. Calls are made from any task of the same event loop.

A backend that cannot start (command not found, exits during the handshake, no answer within
``connect_timeout``) fails the gateway's start-up with a message naming it. A backend whose
connection closes later (its process died) makes the call in flight fail at once with a
:class:`BackendError`, and every later call to it too: it is never waited for.

:func:`result_value` turns a ``CallToolResult`` into the plain value a script sees: its
structured content when there is some; otherwise its content blocks (text blocks holding a
JSON object or array are decoded, other text stays a string; one block is the value itself,
several are a list; image, audio and resource blocks are dicts in their MCP JSON form).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any

import anyio
import httpx2
import mcp_types as types
from loguru import logger
from mcp import Client, MCPError, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

from .config import BackendSpec

#: How long a backend's tool listing may page on (a guard against a paginator that never ends).
MAX_LIST_PAGES = 100


class BackendError(Exception):
    """A backend could not be reached: it failed to start, or its connection closed."""


class ToolError(Exception):
    """A backend tool answered with ``isError``; the message is the tool's own text."""


def error_text(e: BaseException) -> str:
    """One line naming what went wrong, exception groups (anyio's) flattened to their leaves."""
    leaves: list[BaseException] = []

    def walk(x: BaseException) -> None:
        inner = getattr(x, "exceptions", None)
        if isinstance(inner, tuple | list) and inner:
            for y in inner:
                walk(y)
        else:
            leaves.append(x)

    walk(e)
    parts = []
    for leaf in leaves:
        if isinstance(leaf, MCPError) and leaf.error.code == types.CONNECTION_CLOSED:
            parts.append("the connection closed (the server exited or is not an MCP server)")
        elif isinstance(leaf, TimeoutError):
            parts.append("no answer in time")
        else:
            msg = str(leaf)
            parts.append(f"{type(leaf).__name__}: {msg}" if msg else type(leaf).__name__)
    return "; ".join(dict.fromkeys(parts))


def _block_value(block: Any) -> Any:
    if isinstance(block, types.TextContent):
        text = block.text
        if text.lstrip()[:1] in ("{", "["):
            try:
                return json.loads(text)
            except ValueError:
                pass
        return text
    if hasattr(block, "model_dump"):
        return block.model_dump(by_alias=True, mode="json", exclude_none=True)
    return block


def result_value(result: types.CallToolResult) -> Any:
    """The value of a successful tool result (see the module's docstring)."""
    if result.structured_content is not None:
        return result.structured_content
    values = [_block_value(b) for b in result.content]
    if not values:
        return None
    return values[0] if len(values) == 1 else values


def result_text(result: types.CallToolResult) -> str:
    """The text of a result's content blocks (what an ``isError`` result says)."""
    texts = [b.text for b in result.content if isinstance(b, types.TextContent)]
    if texts:
        return "\n".join(texts)
    if result.structured_content is not None:
        return json.dumps(result.structured_content, default=str)
    return "the tool reported an error without a message"


@dataclass(frozen=True)
class RemoteTool:
    """A backend's tool as the gateway publishes it: ``name`` is the gateway's name for it
    (the backend's own, or prefixed with the backend's name where names clash)."""

    name: str
    backend: Backend
    tool: types.Tool

    async def call(self, arguments: Mapping[str, Any] | None) -> types.CallToolResult:
        return await self.backend.call(self.tool.name, arguments)

    async def call_value(self, /, **arguments: Any) -> Any:
        """The function behind the script's tool: the value, or ToolError for ``isError``."""
        result = await self.call(arguments)
        if result.is_error:
            raise ToolError(result_text(result))
        return result_value(result)


class Backend:
    """One backend MCP server and the gateway's client connection to it."""

    def __init__(self, spec: BackendSpec, call_timeout: float) -> None:
        self.spec = spec
        self.name = spec.name
        self.call_timeout = call_timeout
        self.tools: list[types.Tool] = []
        self.client: Client | None = None
        #: Why the backend cannot be called any more (None while it is fine).
        self.gone: str | None = None
        self._stop: anyio.Event | None = None

    def _transport(self, stack: AsyncExitStack) -> Any:
        s = self.spec
        if s.url is None:
            return StdioServerParameters(
                command=s.command or "", args=list(s.args), env=dict(s.env) or None, cwd=s.cwd
            )
        if not s.headers:
            return s.url
        http = httpx2.AsyncClient(headers=dict(s.headers), timeout=httpx2.Timeout(30.0, read=300.0))
        stack.push_async_callback(http.aclose)
        return streamable_http_client(s.url, http_client=http)

    async def run(self, *, task_status: anyio.abc.TaskStatus[None] = anyio.TASK_STATUS_IGNORED
                  ) -> None:
        """Connect, list the tools, report ready, and hold the connection until :meth:`stop`.

        Failures before ready propagate (the gateway reports them); later ones are recorded
        in :attr:`gone`, never raised into the gateway's task group."""
        self._stop = anyio.Event()
        ready = False
        try:
            async with AsyncExitStack() as stack:
                client = await stack.enter_async_context(
                    Client(self._transport(stack), read_timeout_seconds=self.call_timeout)
                )
                self.tools = await self._list_tools(client)
                self.client = client
                ready = True
                task_status.started()
                await self._stop.wait()
        except anyio.get_cancelled_exc_class():
            raise
        except Exception as e:
            if not ready:
                raise
            self.gone = self.gone or f"its connection failed: {error_text(e)}"
            logger.warning("backend {backend} failed: {error}", backend=self.name, error=self.gone)
        finally:
            self.client = None
            if self.gone is None:
                self.gone = "the gateway is shutting down"

    @staticmethod
    async def _list_tools(client: Client) -> list[types.Tool]:
        tools: list[types.Tool] = []
        cursor: str | None = None
        for _ in range(MAX_LIST_PAGES):
            page = await client.list_tools(cursor=cursor)
            tools.extend(page.tools)
            cursor = page.next_cursor
            if not cursor:
                break
        return tools

    def stop(self) -> None:
        if self._stop is not None:
            self._stop.set()

    async def call(self, tool: str, arguments: Mapping[str, Any] | None) -> types.CallToolResult:
        """Call ``tool`` on this backend; BackendError when the backend is not reachable."""
        client = self.client
        if client is None or self.gone is not None:
            why = self.gone or "not started"
            raise BackendError(f"backend {self.name} is not available: {why}")
        try:
            # The engine stops waiting after tool_call_timeout with a message naming the
            # tool; the SDK's own timeout, a little later, is the backstop that also cancels
            # the request at the backend (and bounds passed-through calls).
            return await client.call_tool(
                tool, dict(arguments or {}), read_timeout_seconds=self.call_timeout + 1.0
            )
        except MCPError as e:
            if e.error.code != types.CONNECTION_CLOSED:
                raise
            self.gone = "its connection closed (the server process exited?)"
            logger.warning("backend {backend}: {error}", backend=self.name, error=self.gone)
            raise BackendError(
                f"backend {self.name} closed the connection during the call to {tool} "
                "(the server process exited?)"
            ) from None
