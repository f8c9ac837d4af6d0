"""The script metrics on a Prometheus endpoint, and one scrape of it.

    python -m pip install -e ".[prometheus]"
    python examples/prometheus_metrics.py

The OpenTelemetry ``PrometheusMetricReader`` turns the meter provider's metrics into a
``prometheus_client`` collector; ``prometheus_client.start_http_server`` serves them on
``http://127.0.0.1:<port>/metrics`` (port 0: any free port). The example runs a few tool
scripts (successful, failing, one over its step limit), fetches the endpoint once with urllib,
as Prometheus would, prints the ``toolhive_vmcp_script_*`` lines and stops the server.

Names as Prometheus shows them: counters get ``_total``; the unit ``s`` of the duration
histogram becomes the ``_seconds`` suffix, and histograms expand into ``_bucket`` (one line per
``le`` boundary), ``_count`` and ``_sum``. The curly-brace units of the counts (``{call}``) are
annotations and are dropped.
"""

from __future__ import annotations

import os
import sys
import urllib.request
from typing import Any

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

PREFIX = "toolhive_vmcp_script_"


def print_scrape(body: str) -> None:
    """Print the script metrics of a scrape: every line except the ``_bucket`` ones, of which
    only the first series (one line per ``le`` boundary) is shown."""
    shown_series = None
    omitted = 0
    for line in body.splitlines():
        bare = line.removeprefix("# HELP ").removeprefix("# TYPE ")
        if not bare.startswith(PREFIX):
            continue
        name, _, rest = line.partition("{")
        if name.endswith("_bucket"):
            labels = rest.rpartition("}")[0]
            series = (name, labels.partition(",")[2])  # the labels after le="..."
            if shown_series is None:
                shown_series = series
            if series != shown_series:
                omitted += 1
                continue
        print(f"  {line}")
    if omitted:
        print(f"  ... and {omitted} more _bucket lines (one per le boundary of each series)")


def main() -> int:
    try:
        from opentelemetry.exporter.prometheus import PrometheusMetricReader
        from prometheus_client import CollectorRegistry, start_http_server
    except ImportError:
        print("This example needs the optional Prometheus exporter, which is not installed.\n"
              "Install it with:  python -m pip install -e \".[prometheus]\"\n"
              "(the extra installs opentelemetry-exporter-prometheus and prometheus_client)")
        return 0

    from opentelemetry.sdk.metrics import MeterProvider

    from starlite.engine import Engine, Tool
    from telemetry import ScriptTelemetry

    # A registry of our own rather than prometheus_client's global one (older exporter
    # versions have no ``registry`` parameter and always use the global registry).
    registry = CollectorRegistry()
    try:
        reader = PrometheusMetricReader(registry=registry)  # type: ignore[call-arg]
    except TypeError:
        from prometheus_client import REGISTRY

        registry = REGISTRY
        reader = PrometheusMetricReader()
    meter_provider = MeterProvider(metric_readers=[reader])

    served: Any = start_http_server(0, addr="127.0.0.1", registry=registry)
    if not isinstance(served, tuple):  # prometheus_client < 0.17 returns nothing
        print("prometheus_client is too old to report its port; upgrade it (>= 0.17)")
        meter_provider.shutdown()
        return 0
    server, thread = served
    url = f"http://127.0.0.1:{server.server_port}/metrics"

    tools = [
        Tool("lookup", "Look a key up.", lambda key: {"key": key, "value": len(key)}),
    ]
    scripts = [
        "return lookup(key = 'a')",
        "fns = [lambda: lookup(key = k) for k in ['x', 'y', 'z']]\nreturn parallel(fns)",
        "return {}['missing']",                     # error
        "n = 0\nfor i in range(10000):\n    n += i\nreturn n",   # step_limit (below)
    ]
    try:
        observer = ScriptTelemetry(meter_provider=meter_provider)  # spans: the global no-op
        with Engine(tools, step_limit=1000, observers=[observer]) as engine:
            for script in scripts:
                result = engine.execute(script)
                print(f"executed: status={result.status:<10} tool_calls={result.tool_calls}")

        print(f"\nGET {url}")
        with urllib.request.urlopen(url, timeout=5) as response:
            body = response.read().decode("utf-8")
        print_scrape(body)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        meter_provider.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
