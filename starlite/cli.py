"""The ``starlite`` command (also ``python -m starlite``).

``starlite run FILE [--max-steps N] [--timeout S] [--trace OUT.jsonl] [--option NAME,...]``
    Run a Starlark file. What the script prints goes to stdout. Exit status 0 on success; 1 if
    the script fails, after printing its traceback (or, for a syntax or resolve error, the
    ``file:line:col: message`` lines) to stderr; 2 for a usage error or an unreadable file.
    ``--option`` turns on dialect features: ``while``, ``recursion``, ``top_level_control``,
    ``global_reassign``, ``top_level_return``, or ``noset`` to remove ``set``.

    ``--isolate`` runs the file in a worker process (``Engine(isolation="process")``) whose
    address space is limited to ``--memory-limit`` (default 1G); what it prints is written
    when it ends.

``starlite trace TRACE.jsonl [--top N] [--flame OUT.folded] [--svg OUT.svg]``
    Summarise a trace written by ``--trace`` (or by ``TraceRecorder`` / ``FlightRecorder``):
    outcome and steps, steps and calls by function, the hottest lines with their source text,
    and for a failed run where it failed and the events just before. ``--flame`` writes the
    folded stacks that flamegraph.pl, inferno and speedscope read; ``--svg`` draws a flame
    graph itself.

``main(argv)`` returns the exit status and never lets a Python exception out.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from collections.abc import Sequence
from typing import Any

USAGE_ERROR = 2


class _UsageError(Exception):
    """Bad arguments or an unreadable input file: exit status 2."""


def _options(specs: Sequence[str] | None) -> Any:
    """Build ``starlite.Options`` from ``--option`` values like ``while,recursion``."""
    from .options import Options

    names = {f.name.rstrip("_"): f.name for f in dataclasses.fields(Options)}
    values: dict[str, bool] = {}
    for spec in specs or ():
        for raw in spec.split(","):
            word = raw.strip().lower().replace("-", "_")
            if not word:
                continue
            on = True
            if word not in names and word.startswith("no"):
                word, on = word[2:].lstrip("_"), False
            if word not in names:
                raise _UsageError(
                    f"unknown option {raw.strip()!r} (known: {', '.join(sorted(names))}; "
                    "prefix with 'no' to turn one off)")
            values[names[word]] = on
    return Options(**values)


def _nonneg_int(text: str) -> int:
    try:
        n = int(text.replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if n < 0:
        raise argparse.ArgumentTypeError(f"must not be negative: {text}")
    return n


def _positive_float(text: str) -> float:
    try:
        x = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not x > 0 or x == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds: {text}")
    return x


_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}


def _bytes(text: str) -> int:
    """``--memory-limit``: bytes, or a number with a K, M, G or T suffix (powers of 1024)."""
    t = text.strip().upper().removesuffix("B").replace("_", "")
    unit = t[-1:] if t[-1:] in _UNITS else ""
    try:
        n = float(t[: len(t) - len(unit)]) * _UNITS[unit]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a memory size: {text!r}") from None
    if not 0 < n < float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive memory size: {text}")
    return int(n)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="starlite",
        description="Run Starlark scripts and read their execution traces.",
    )
    from . import __version__

    p.add_argument("--version", action="version", version=f"starlite {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)

    r = sub.add_parser("run", help="run a Starlark file",
                       description="Run a Starlark file; its print() output goes to stdout.")
    r.add_argument("file", metavar="FILE", help="the Starlark file to run")
    r.add_argument("--max-steps", type=_nonneg_int, metavar="N",
                   help="fail with 'too many steps' after N steps")
    r.add_argument("--timeout", type=_positive_float, metavar="S",
                   help="fail after S seconds of wall time")
    r.add_argument("--trace", metavar="OUT.jsonl",
                   help="record every event, one JSON line each (read it with 'starlite trace')")
    r.add_argument("--option", action="append", metavar="NAME,...",
                   help="dialect features: while, recursion, top_level_control, "
                        "global_reassign, top_level_return, noset (repeatable)")
    r.add_argument("--isolate", action="store_true",
                   help="run in a separate worker process with a memory limit")
    r.add_argument("--memory-limit", type=_bytes, metavar="BYTES", default=None,
                   help="with --isolate: the worker's address space, e.g. 512M or 2G "
                        "(default 1G)")
    r.set_defaults(func=_cmd_run)

    t = sub.add_parser("trace", help="summarise a trace file",
                       description="Summarise a JSON-lines trace: where the steps went, and "
                                   "where and how a failed run failed.")
    t.add_argument("trace", metavar="TRACE.jsonl", help="a trace written by 'starlite run "
                                                        "--trace' or a recorder")
    t.add_argument("--top", type=_nonneg_int, default=10, metavar="N",
                   help="rows per table (default 10)")
    t.add_argument("--flame", metavar="OUT.folded",
                   help="write folded stacks (flamegraph.pl / inferno / speedscope input)")
    t.add_argument("--svg", metavar="OUT.svg", help="write a flame graph as SVG")
    t.set_defaults(func=_cmd_trace)
    return p


def _err(msg: str) -> None:
    sys.stderr.write(msg.rstrip("\n") + "\n")


def _cmd_run(args: argparse.Namespace) -> int:
    import starlite

    options = _options(args.option)
    try:
        with open(args.file, encoding="utf-8") as fh:
            source = fh.read()
    except (OSError, UnicodeDecodeError) as e:
        raise _UsageError(f"cannot read {args.file}: {_why(e)}") from None

    observers: list[starlite.Observer] = []
    recorder = None
    if args.trace:
        try:
            recorder = starlite.TraceRecorder(args.trace)
        except OSError as e:
            raise _UsageError(f"cannot write trace {args.trace}: {_why(e)}") from None
        observers.append(recorder)
    if args.isolate:
        try:
            return _run_isolated(args, source, options, observers)
        finally:
            if recorder is not None:
                recorder.close()
    if args.memory_limit is not None:
        raise _UsageError("--memory-limit needs --isolate")
    thread = starlite.Thread(max_steps=args.max_steps, timeout=args.timeout,
                             options=options, observers=observers)
    try:
        starlite.exec_file(thread, args.file, source=source)
    except (starlite.SyntaxError, starlite.ResolveError) as e:
        _flush_stdout()
        _err(str(e))
        return 1
    except starlite.EvalError as e:
        _flush_stdout()
        _err(e.backtrace())
        return 1
    except starlite.StarlarkError as e:
        _flush_stdout()
        _err(f"Error: {e}")
        return 1
    finally:
        if recorder is not None:
            recorder.close()
    _flush_stdout()
    return 0


def _run_isolated(args: argparse.Namespace, source: str, options: Any,
                  observers: list[Any]) -> int:
    """``starlite run --isolate``: the file runs in an engine worker process."""
    import starlite
    from starlite.engine import Engine
    from starlite.engine.engine import DEFAULT_MEMORY_LIMIT

    if args.max_steps == 0:
        raise _UsageError("--max-steps must be positive with --isolate")
    failure: list[BaseException] = []

    class OnError(starlite.Observer):
        def on_error(self, event: Any) -> None:
            failure.append(event.error)

    limit = args.memory_limit if args.memory_limit is not None else DEFAULT_MEMORY_LIMIT
    with Engine(step_limit=args.max_steps, timeout=args.timeout or float("inf"),
                observers=[*observers, OnError()], options=options, isolation="process",
                memory_limit=limit, workers=1) as engine:
        engine._filename = args.file
        result = engine.execute(source)
    for line in result.logs:
        sys.stdout.write(line + "\n")
    _flush_stdout()
    if result.ok:
        return 0
    err = failure[0] if failure else None
    if isinstance(err, starlite.EvalError) and err.call_stack:
        _err(err.backtrace())
    else:
        _err(result.error or "Error")
    return 1


def _cmd_trace(args: argparse.Namespace) -> int:
    from .observe.flame import flame_svg, fold, folded_lines
    from .observe.summary import TraceFormatError, load_trace, summarize

    try:
        trace = load_trace(args.trace)
    except (OSError, TraceFormatError) as e:
        raise _UsageError(f"cannot read trace {args.trace}: {_why(e)}") from None
    sys.stdout.write(summarize(trace, top=args.top))
    if args.flame or args.svg:
        stacks = fold(trace.events)
        try:
            if args.flame:
                with open(args.flame, "w", encoding="utf-8") as fh:
                    for line in folded_lines(stacks):
                        fh.write(line + "\n")
                sys.stdout.write(f"\nfolded stacks written to {args.flame}\n")
            if args.svg:
                with open(args.svg, "w", encoding="utf-8") as fh:
                    fh.write(flame_svg(stacks, title=f"starlite: {args.trace}"))
                sys.stdout.write(f"flame graph written to {args.svg}\n")
        except OSError as e:
            _err(f"starlite trace: cannot write: {_why(e)}")
            return 1
    _flush_stdout()
    return 0


def _why(e: BaseException) -> str:
    if isinstance(e, OSError) and e.strerror:
        return e.strerror
    return str(e)


def _flush_stdout() -> None:
    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        pass


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line ``argv`` (default ``sys.argv[1:]``); returns the exit status."""
    parser = _parser()
    try:
        args = parser.parse_args(list(argv) if argv is not None else None)
    except SystemExit as e:  # argparse exits 2 on a usage error, 0 after --help / --version
        return e.code if isinstance(e.code, int) else USAGE_ERROR
    try:
        return int(args.func(args))
    except _UsageError as e:
        _err(f"starlite {args.command}: {e}")
        return USAGE_ERROR
    except KeyboardInterrupt:
        _err("starlite: interrupted")
        return 130
    except BrokenPipeError:
        # stdout closed early (`starlite trace t.jsonl | head`): stop quietly, and point
        # stdout at devnull so the interpreter's final flush does not complain either
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass
        return 1
    except Exception as e:  # a bug in starlite: report it, never show a Python traceback
        _err(f"starlite: internal error: {type(e).__name__}: {e}")
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
