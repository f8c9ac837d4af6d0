"""A tool script fanning out over fake tools with latency.

Run it with ``python examples/tool_script.py``. Three fake tools stand in for a remote API
(each call sleeps, one is a coroutine); the script looks up a few users in parallel, then
their orders, and returns a summary. Sequentially the calls would take about 1.2 s; with
``parallel`` the run takes about 0.3 s. The script prints the result and the counters, then
shows the description a server would publish for its ``execute_tool_script`` tool.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from starlite.engine import Engine, Tool

USERS = {1: "ada", 2: "grace", 3: "barbara", 4: "edsger"}


def get_user(id: int) -> dict[str, Any]:  # noqa: A002 - the tool's parameter name
    time.sleep(0.1)  # network latency
    return {"id": id, "name": USERS[id]}


async def list_orders(user: int, limit: int = 10) -> list[dict[str, Any]]:
    await asyncio.sleep(0.1)  # an async client
    return [{"order": user * 100 + k, "total": 10.0 * k} for k in range(user)][:limit]


def send_report(to: str, body: str) -> str:
    time.sleep(0.05)
    return f"sent {len(body)} characters to {to}"


TOOLS = [
    Tool("get-user", "Look a user up by id.", get_user),
    Tool(
        "list-orders",
        "A user's most recent orders.",
        list_orders,
        input_schema={
            "type": "object",
            "required": ["user"],
            "properties": {
                "user": {"type": "integer", "description": "the user's id"},
                "limit": {"type": "integer", "description": "at most this many orders"},
            },
        },
    ),
    Tool("send-report", "Send a text report by mail.", send_report),
]

SCRIPT = """
def summary(uid):
    user = get_user(id=uid)
    orders = list_orders(user=uid, limit=5)
    spent = 0
    for o in orders:
        spent += o["total"]
    return {"name": user["name"], "orders": len(orders), "spent": spent}

rows = parallel([lambda uid=uid: summary(uid) for uid in user_ids])
top = sorted(rows, key=lambda r: -r["spent"])[0]
print("top customer:", top["name"])
status = call_tool("send-report", to="sales@example.com", body=json.encode(rows))
return {"rows": rows, "top": top["name"], "report": status}
"""


def main() -> None:
    with Engine(TOOLS, step_limit=10_000, timeout=10.0, parallel_max=4) as engine:
        t = time.perf_counter()
        result = engine.execute(SCRIPT, data={"user_ids": [1, 2, 3, 4]}, session_id="demo")
        elapsed = time.perf_counter() - t
        print("status:", result.status)
        if result.error:
            print("error:", result.error)
        print("value:", json.dumps(result.value, indent=2))
        print("logs:", result.logs)
        print(
            f"steps={result.steps} tool_calls={result.tool_calls} "
            f"parallel_used={result.parallel_used} parallel_tasks={result.parallel_tasks} "
            f"duration={result.duration:.3f}s (wall {elapsed:.3f}s) "
            f"script_hash={result.script_hash[:12]}..."
        )
        print()
        print("--- the description a server publishes for execute_tool_script ---")
        print(engine.tool_description())


if __name__ == "__main__":
    main()
