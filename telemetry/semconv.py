"""Every name the telemetry package emits, in one place.

Dashboards, alerts and log queries are written against these strings, so they are fixed
module constants (the convention of the OpenTelemetry contrib instrumentations), never built
at run time. Metric names keep the ``toolhive_vmcp_script_*`` prefix of the ToolHive vMCP
script feature whose dashboards they feed.
"""

from __future__ import annotations

#: The name of the meter and of the tracer (OpenTelemetry's "instrumentation scope").
INSTRUMENTATION_NAME = "starlite.telemetry"

# ---- metrics ----------------------------------------------------------------------------------

#: Counter, one per execution, attribute ``status``.
EXECUTIONS = "toolhive_vmcp_script_executions"
#: Histogram of the wall time of an execution, in seconds.
DURATION = "toolhive_vmcp_script_duration"
#: Histogram of the number of inner tool calls an execution made.
TOOL_CALLS = "toolhive_vmcp_script_tool_calls"
#: Counter, incremented by the number of tasks each ``parallel()`` call starts. ("goroutines"
#: is the name the Go implementation gave these metrics; here they are threads or tasks.)
PARALLEL_TASKS = "toolhive_vmcp_script_parallel_goroutines"

#: Bucket boundaries of :data:`DURATION` (seconds): 10 ms up to 5 minutes.
DURATION_BUCKETS: tuple[float, ...] = (
    0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0,
)
#: Bucket boundaries of :data:`TOOL_CALLS` (a count: small integers are the common case).
TOOL_CALL_BUCKETS: tuple[float, ...] = (0, 1, 2, 3, 5, 10, 20, 50, 100)

#: The statuses an execution ends with (the ``status`` attribute and log field).
STATUSES = ("success", "error", "timeout", "step_limit")

# ---- spans ------------------------------------------------------------------------------------

#: The span covering one execution of a tool script.
SCRIPT_SPAN = "execute_tool_script"
#: The operation of an inner tool call (``gen_ai.operation.name``); its span is
#: ``execute_tool {tool}`` as the GenAI semantic conventions name tool executions.
TOOL_OPERATION = "execute_tool"

ATTR_STATUS = "script.status"
ATTR_HASH = "script.hash"
ATTR_TOOL_COUNT = "script.tool_count"
ATTR_PARALLEL_USED = "script.parallel_used"
ATTR_PARALLEL_TASKS = "script.parallel_tasks"
ATTR_STEP_COUNT = "script.step_count"
ATTR_SESSION_ID = "mcp.session.id"
ATTR_OPERATION = "gen_ai.operation.name"
ATTR_TOOL_NAME = "gen_ai.tool.name"
ATTR_TOOL_CALL_ID = "gen_ai.tool.call.id"
#: The tool's name under its pre-GenAI-conventions key, kept for existing queries.
ATTR_TOOL_NAME_LEGACY = "tool_name"
ATTR_ERROR_TYPE = "error.type"

# ---- logs -------------------------------------------------------------------------------------

MSG_STARTED = "script execution started"
MSG_COMPLETED = "script execution completed"
MSG_FAILED = "script execution failed"
