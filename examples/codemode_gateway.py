"""The codemode gateway end to end: a backend MCP server, the gateway, and an agent's client.

    python -m pip install -e ".[mcp]"
    python examples/codemode_gateway.py

Three parts, all in this file:

* a backend MCP server (written with the mcp SDK's ``MCPServer``): an inventory with the tools
  ``list_products`` and ``stock``; this file runs as that server when started with
  ``--backend-server``;
* the gateway, ``python -m codemode`` (the ``starlite-codemode`` command), configured by a TOML
  file this example writes to a temporary directory: it starts the backend over stdio, lists
  its tools, and publishes ``execute_tool_script``;
* the agent's side: the SDK's ``Client`` starts the gateway as its own stdio server, lists the
  tools, and sends one script that looks every product's stock up in ``parallel()`` and
  returns what needs reordering, in one round trip instead of one per product.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve()
ROOT = HERE.parent.parent

PRODUCTS = {"p-1": ("keyboard", 3), "p-2": ("mouse", 41), "p-3": ("monitor", 0),
            "p-4": ("cable", 120)}

SCRIPT = """
products = list_products()["result"]
levels = parallel([lambda p=p: stock(product_id=p["id"]) for p in products])
low = [p["name"] for p, s in zip(products, levels) if s["result"] < data_threshold]
print("checked", len(products), "products")
return {"reorder": low}
"""


def backend_server() -> None:
    from mcp.server import MCPServer

    srv = MCPServer("inventory")

    @srv.tool()
    def list_products() -> list[dict[str, str]]:
        """All products, with their ids and names."""
        return [{"id": pid, "name": name} for pid, (name, _) in PRODUCTS.items()]

    @srv.tool()
    def stock(product_id: str) -> int:
        """How many of a product are in stock."""
        return PRODUCTS[product_id][1]

    srv.run()  # stdio


def config_file(directory: str) -> str:
    path = os.path.join(directory, "codemode.toml")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(
            "[limits]\n"
            "step_limit = 10000\n"
            "timeout = 30\n"
            "\n"
            "[backends.inventory]\n"
            f"command = {json.dumps(sys.executable)}\n"
            f"args = [{json.dumps(str(HERE))}, \"--backend-server\"]\n"
        )
    return path


async def agent(config: str) -> None:
    from mcp import Client, StdioServerParameters

    gateway = StdioServerParameters(
        command=sys.executable,
        args=["-m", "codemode", "--config", config, "--code-mode-only"],
        cwd=str(ROOT),
        env={"PYTHONPATH": str(ROOT)},  # this checkout's codemode, installed or not
    )
    async with Client(gateway) as client:
        tools = (await client.list_tools()).tools
        print("gateway tools:", [t.name for t in tools])
        result = await client.call_tool(
            "execute_tool_script", {"script": SCRIPT, "data": {"data_threshold": 5}})
        out = result.structured_content or {}
        print("status:", out.get("status"), "| tool calls:", out.get("tool_calls"),
              "| parallel tasks:", out.get("parallel_tasks"))
        print("logs:", out.get("logs"))
        print("value:", json.dumps(out.get("value")))


def main() -> int:
    if "--backend-server" in sys.argv:
        backend_server()
        return 0
    try:
        import anyio
        import mcp  # noqa: F401
    except ImportError:
        print("This example needs the mcp SDK: python -m pip install -e \".[mcp]\"")
        return 0
    with tempfile.TemporaryDirectory() as d:
        anyio.run(agent, config_file(d))
    return 0


if __name__ == "__main__":
    sys.exit(main())
