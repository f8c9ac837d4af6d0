"""The text an MCP-style server publishes as the description of its ``execute_tool_script``
tool: what the language is, which tools exist under which names, and the limits. It is
written for the reader that matters, an LLM agent deciding how to write a script."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .engine import Engine


def _indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + line if line else line for line in text.splitlines())


def describe(engine: Engine) -> str:
    opts = engine.options
    lines = [
        "Run a script that calls the tools below and returns one combined result, instead of "
        "calling the tools one by one.",
        "",
        "Language: Starlark, a small deterministic dialect of Python. Available: variables, "
        "def, lambda, if/elif/else, for loops, list/dict comprehensions, slicing, the str, "
        "list and dict methods, and the builtins (len, range, sorted, min, max, str, int, "
        "float, dict, list, enumerate, zip, any, all, ...). There is no sum(): add in a "
        "loop.",
        "Not available: import/load, classes, try/except, with, yield, global/nonlocal"
        + ("" if opts.while_ else ", while loops")
        + ("" if opts.recursion else ", recursion")
        + ". Errors cannot be caught: a failing tool call ends the script.",
        "Top-level `return <value>` ends the script; the value (JSON-like: None, bool, int, "
        "float, string, list, dict) is the result. Without `return` the result is None. "
        "print(...) lines are returned as logs.",
        "Entries of the `data` argument are available as global variables.",
        "",
        "Tools (call with keyword arguments only; they take and return JSON-like values):",
    ]
    if not engine.tools:
        lines.append("  (none)")
    for tool in engine.tools:
        head = f"  {tool.signature()}"
        if tool.identifier != tool.name:
            head += f"    [tool {tool.name!r}]"
        lines.append(head)
        if tool.description:
            lines.append(_indent(tool.description.strip(), "      "))
        for p in tool.params:
            if p.description:
                lines.append(f"      {p.name}: {p.description}")
    extra = [m for m in ("json", "math", "struct") if m in engine._globals]
    lines += [
        "",
        "Also predeclared:",
        '  call_tool("real-name", **kwargs): call any tool by its real (unsanitised) name.',
        f"  parallel([f, g, ...]): run zero-argument functions concurrently (at most "
        f"{engine.parallel_max} at a time) and return their results as a list, in order. "
        "If one fails, parallel fails. Make each function with a def or a lambda with a "
        "default argument, so that each captures its own loop value: "
        "`parallel([lambda n=n: get_item(id=n) for n in ids])`.",
    ]
    if extra:
        lines.append(f"  modules: {', '.join(extra)}")
    lines += [
        "",
        (
            f"Limits: {engine.step_limit} steps in total, parallel branches included (a step "
            "is about one evaluated statement or expression); "
            if engine.step_limit is not None
            else "Limits: "
        ) +
        f"{engine.timeout:g} s for the whole script; {engine.tool_call_timeout:g} s per "
        "tool call.",
        "The response has status (success, error, timeout or step_limit), value, logs, "
        "error, and counters.",
        "",
        "Example (with hypothetical tools get_user and list_orders):",
        "  users = parallel([lambda u=u: get_user(id=u) for u in data_ids])",
        "  total = 0",
        "  for u in users:",
        '      orders = list_orders(user=u["id"], limit=10)',
        "      total += len(orders)",
        '  print("users:", len(users))',
        '  return {"users": [u["name"] for u in users], "orders": total}',
    ]
    return "\n".join(lines)
