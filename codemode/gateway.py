"""The gateway: an MCP server (the SDK's low-level ``Server``) whose tools are
``execute_tool_script`` and, unless ``code_mode_only``, the backends' tools passed through.

Request flow of ``execute_tool_script``: the arguments are checked (``script`` a string,
``data`` an object or absent, nothing else), the script's size is checked against
``max_script_bytes`` *before* anything parses it, and the script runs with
:meth:`starlite.engine.Engine.aexecute` on the server's event loop. The interpreter runs in a
worker thread; each backend tool the script calls is a coroutine awaited on this loop through
the backend's SDK client, so the server keeps answering other requests meanwhile. The answer is
the :class:`~starlite.engine.ExecutionResult` as JSON (text and structured content), plus the
``session_id`` it ran under, with ``isError`` for every status but ``success``.

Trace context: the engine makes each inner tool call's span current while the call runs (when
``telemetry.ScriptTelemetry`` is among the observers), and the SDK's client writes the current
W3C trace context into the ``_meta`` of every request it sends, so a backend's own spans join
the script's trace.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager
from typing import Any

import anyio
import mcp_types as types
from loguru import logger
from mcp import MCPError
from mcp.server import Server, ServerRequestContext

from starlite import Observer
from starlite.engine import Engine, ExecutionResult, Tool

from .backends import Backend, BackendError, RemoteTool, error_text
from .config import Config
from .naming import SCRIPT_TOOL, assign_names

#: The input schema of ``execute_tool_script``.
SCRIPT_INPUT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "script": {
            "type": "string",
            "description": "The Starlark script to run. A top-level `return` gives the result.",
        },
        "data": {
            "type": "object",
            "description": "Optional values, each available to the script as a global variable.",
        },
    },
    "required": ["script"],
    "additionalProperties": False,
}

#: The HTTP header of the MCP session (streamable HTTP, handshake-era protocol).
SESSION_HEADER = "mcp-session-id"


class StartupError(RuntimeError):
    """One or more backends could not be started; the message names each and why."""


def _error_result(message: str) -> types.CallToolResult:
    return types.CallToolResult(content=[types.TextContent(type="text", text=message)],
                                is_error=True)


def session_id_of(ctx: ServerRequestContext[Any, Any]) -> str | None:
    """The MCP session id of a request: the streamable-HTTP ``Mcp-Session-Id`` header. None
    on stdio, where the process is the session, and on the stateless 2026 protocol."""
    headers = getattr(ctx.request, "headers", None)
    if headers is None:
        return None
    sid = headers.get(SESSION_HEADER)
    return str(sid) if sid else None


def check_arguments(arguments: Mapping[str, Any] | None) -> tuple[str, dict[str, Any] | None]:
    """``(script, data)`` from ``execute_tool_script``'s arguments, or ValueError saying what
    is wrong with them."""
    args = dict(arguments or {})
    extra = sorted(set(args) - {"script", "data"})
    if extra:
        raise ValueError(f"unexpected argument {extra[0]!r} (arguments: script, data)")
    if "script" not in args:
        raise ValueError("missing required argument 'script' (a string holding the script)")
    script = args["script"]
    if not isinstance(script, str):
        raise ValueError(f"argument 'script' must be a string, not {_json_type(script)}")
    data = args.get("data")
    if data is not None and not isinstance(data, dict):
        raise ValueError(f"argument 'data' must be an object, not {_json_type(data)}")
    return script, data


def _json_type(v: Any) -> str:
    if isinstance(v, bool):
        return "a boolean"
    if isinstance(v, int | float):
        return "a number"
    if isinstance(v, str):
        return "a string"
    if isinstance(v, list):
        return "an array"
    if isinstance(v, dict):
        return "an object"
    return "null" if v is None else type(v).__name__


def _schema_shape(schema: Any, depth: int = 0) -> str:
    """A short rendering of a JSON schema: ``{result: integer}``, ``array of string``."""
    if not isinstance(schema, Mapping):
        return "any"
    props = schema.get("properties")
    if isinstance(props, Mapping) and props and depth < 2:
        inner = ", ".join(f"{k}: {_schema_shape(v, depth + 1)}" for k, v in props.items())
        return "{" + inner + "}"
    t = schema.get("type")
    if t == "array" and depth < 2:
        return f"array of {_schema_shape(schema.get('items'), depth + 1)}"
    if isinstance(t, list):
        return " | ".join(str(x) for x in t)
    return str(t) if t else "any"


def describe_tool(tool: types.Tool) -> str:
    """The tool's description for scripts, with the shape of its result when the backend
    declares an output schema (scripts see structured content as it is, e.g. ``{"result": 3}``
    for a tool whose SDK wraps a plain return value)."""
    text = (tool.description or "").strip()
    if tool.output_schema:
        text += f"\nReturns: {_schema_shape(tool.output_schema)}"
    return text.strip()


def json_value(v: Any) -> Any:
    """A script's return value as JSON data: tuples and sets become arrays (a set's items
    sorted when they can be), dict keys strings, bytes text (UTF-8, invalid bytes replaced),
    NaN and infinities null, and anything else JSON has no form for (a function, a range)
    its string form."""
    if v is None or isinstance(v, bool | int | str):
        return v
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, list | tuple):
        return [json_value(x) for x in v]
    if isinstance(v, set | frozenset):
        items = [json_value(x) for x in v]
        try:
            return sorted(items)
        except TypeError:
            return items
    if isinstance(v, dict):
        return {k if isinstance(k, str) else json.dumps(json_value(k)): json_value(x)
                for k, x in v.items()}
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    return str(v)


def execution_payload(result: ExecutionResult, session_id: str | None) -> dict[str, Any]:
    """The JSON object ``execute_tool_script`` answers with."""
    payload = result.to_dict()
    payload["session_id"] = session_id
    payload["value"] = json_value(payload["value"])
    return payload


class Gateway:
    """The code-mode MCP server over a set of backends.

    ``observers``: starlite observers attached to every run (e.g. ``telemetry.ScriptTelemetry``
    with the providers to record to). Use :meth:`running` to start the backends; then
    :attr:`server` is ready to be served on any transport (or handed to ``mcp.Client`` in
    process)::

        gateway = Gateway(config, observers=[ScriptTelemetry(meter_provider, tracer_provider)])
        async with gateway.running():
            await serve_stdio(gateway)
    """

    def __init__(self, config: Config, observers: Iterable[Observer] = (),
                 name: str = "starlite-codemode", version: str = "") -> None:
        self.config = config
        self.observers = tuple(observers)
        lim = config.limits
        self.backends = [Backend(spec, lim.tool_call_timeout) for spec in config.backends]
        self.tools: dict[str, RemoteTool] = {}
        self.engine: Engine = self._engine([])
        self.server: Server[Any] = Server(
            name,
            version=version,
            instructions="Call execute_tool_script with a Starlark script that calls the tools "
            "listed in its description; it returns one combined result.",
            on_list_tools=self._on_list_tools,
            on_call_tool=self._on_call_tool,
        )

    def _engine(self, tools: list[RemoteTool]) -> Engine:
        lim = self.config.limits
        return Engine(
            [Tool(t.name, describe_tool(t.tool), t.call_value, t.tool.input_schema)
             for t in tools],
            step_limit=lim.step_limit,
            timeout=lim.timeout,
            tool_call_timeout=lim.tool_call_timeout,
            parallel_max=lim.parallel_max,
            observers=self.observers,
        )

    # ---- lifecycle ---------------------------------------------------------------------------

    @asynccontextmanager
    async def running(self) -> AsyncIterator[Gateway]:
        """Start every backend (concurrently), publish their tools, and stop them on exit.

        Raises :class:`StartupError` naming every backend that did not start within
        ``connect_timeout``."""
        failures: list[str] = []
        timeout = self.config.limits.connect_timeout
        async with anyio.create_task_group() as tg:

            async def start(b: Backend) -> None:
                try:
                    with anyio.fail_after(timeout):
                        await tg.start(b.run)
                except TimeoutError:
                    failures.append(f"backend {b.spec.describe()} did not start within "
                                    f"{timeout:g} s (connect_timeout)")
                except Exception as e:
                    failures.append(f"backend {b.spec.describe()} failed to start: "
                                    f"{error_text(e)}")

            async with anyio.create_task_group() as starters:
                for b in self.backends:
                    starters.start_soon(start, b)
            if not failures:
                remote = assign_names(self.backends)
                self.tools = {t.name: t for t in remote}
                self.engine = self._engine(remote)
                for b in self.backends:
                    logger.info("backend {backend}: {n} tools", backend=b.spec.describe(),
                                n=len(b.tools))
                try:
                    yield self
                finally:
                    for b in self.backends:
                        b.stop()
                    self.engine.close()
            else:
                tg.cancel_scope.cancel()
        if failures:
            raise StartupError("\n".join(failures))

    # ---- MCP handlers ------------------------------------------------------------------------

    def list_tools(self) -> list[types.Tool]:
        """What ``tools/list`` answers."""
        tools = [types.Tool(name=SCRIPT_TOOL, description=self.engine.tool_description(),
                            input_schema=SCRIPT_INPUT_SCHEMA)]
        if not self.config.code_mode_only:
            tools += [t.tool.model_copy(update={"name": t.name}) for t in self.tools.values()]
        return tools

    async def _on_list_tools(self, ctx: ServerRequestContext[Any, Any],
                             params: types.PaginatedRequestParams | None) -> types.ListToolsResult:
        return types.ListToolsResult(tools=self.list_tools())

    async def _on_call_tool(self, ctx: ServerRequestContext[Any, Any],
                            params: types.CallToolRequestParams) -> types.CallToolResult:
        if params.name == SCRIPT_TOOL:
            return await self.execute(params.arguments, session_id_of(ctx))
        remote = None if self.config.code_mode_only else self.tools.get(params.name)
        if remote is None:
            return _error_result(f"unknown tool {params.name!r}")
        try:
            return await remote.call(params.arguments)
        except BackendError as e:
            return _error_result(str(e))
        except MCPError as e:
            return _error_result(f"backend {remote.backend.name}: {e.error.message}")
        except Exception as e:  # e.g. an HTTP backend's network error: still a tool result
            return _error_result(f"backend {remote.backend.name}: {error_text(e)}")

    async def execute(self, arguments: Mapping[str, Any] | None,
                      session_id: str | None = None) -> types.CallToolResult:
        """Run ``execute_tool_script`` with these arguments."""
        try:
            script, data = check_arguments(arguments)
        except ValueError as e:
            return _error_result(f"{SCRIPT_TOOL}: {e}")
        size = len(script.encode("utf-8", "surrogatepass"))
        limit = self.config.limits.max_script_bytes
        if size > limit:
            result = ExecutionResult(
                status="error",
                error=f"the script is {size} bytes long, over the limit of {limit} bytes "
                "(max_script_bytes); it was not run",
                script_hash=hashlib.sha256(script.encode("utf-8", "surrogatepass")).hexdigest(),
            )
        else:
            result = await self.engine.aexecute(script, data, session_id=session_id)
        payload = execution_payload(result, session_id)
        return types.CallToolResult(
            content=[types.TextContent(type="text", text=json.dumps(payload, allow_nan=False))],
            structured_content=payload,
            is_error=not result.ok,
        )
