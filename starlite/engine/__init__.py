"""The tool-script engine: run short Starlark scripts (typically written by an LLM agent) that
call host tools, with a shared step budget, timeouts, parallel fan-out and observer events.

Quick tour::

    from starlite.engine import Engine, Tool

    def list_issues(repo: str, state: str = "open") -> list[dict]:
        ...

    engine = Engine([Tool("list-issues", "List a repository's issues.", list_issues)])
    result = engine.execute('''
    issues = list_issues(repo="acme/app")
    return [i["title"] for i in issues]
    ''')
    result.status, result.value, result.logs, result.steps, result.tool_calls

``engine.tool_description()`` is the text to publish for the script-running tool. See
:class:`Engine` for the rules of the script language and :mod:`starlite.engine.engine` for how
runs, timeouts and tools are put together; :mod:`starlite.engine.parallel` for ``parallel()``
and :mod:`starlite.engine.budget` for the step budget shared by parallel branches;
:mod:`starlite.engine.isolate` and :mod:`starlite.engine.worker` for
``Engine(isolation="process")``, which runs each script in a worker process under memory
and CPU limits.
"""

from __future__ import annotations

from .engine import SCRIPT_OPTIONS, Engine, status_of
from .result import STATUSES, ExecutionResult
from .tools import Tool, sanitize_name

__all__ = [
    "SCRIPT_OPTIONS",
    "STATUSES",
    "Engine",
    "ExecutionResult",
    "Tool",
    "sanitize_name",
    "status_of",
]
