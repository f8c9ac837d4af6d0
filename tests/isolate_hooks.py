"""Worker-side builtins for tests of ``Engine(isolation="process")`` (tests/test_isolate.py).

They run inside the worker process, where tools never run (tools are proxied to the host), to
stand for what a hostile script could do if a charge were missing or an operation held the
worker: grow without steps, kill the process, stop it, spin outside the interpreter. An
engine gets them with ``engine._worker_globals = "tests.isolate_hooks:HOOKS"``.
"""

from __future__ import annotations

import os
import signal
import time
from typing import Any

from starlite import Builtin

_KEEP: list[bytes] = []


def _hog(th: Any, mb: int) -> int:
    """Allocate ``mb`` MiB in 16 MiB blocks, kept alive, and charge nothing (``bytes(n)``
    maps fresh zero pages, so the address space grows without touching memory)."""
    for _ in range(mb // 16):
        _KEEP.append(bytes(16 << 20))
    return len(_KEEP)


def _crash(th: Any, status: int) -> None:
    os._exit(status)


def _abort(th: Any) -> None:
    """Die of SIGABRT, as CPython does when an allocation fails where it cannot raise."""
    os.abort()


def _freeze(th: Any) -> None:
    """Stop the whole worker process (as a stuck C call would: nothing in it runs)."""
    os.kill(os.getpid(), signal.SIGSTOP)


def _spin(th: Any, seconds: float) -> None:
    """Busy-loop outside the interpreter: no steps, deaf to cancellation."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


def _nap(th: Any, seconds: float) -> None:
    time.sleep(seconds)


def _vm_size(th: Any) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


HOOKS = {
    "hog": Builtin("hog", _hog),
    "crash": Builtin("crash", _crash),
    "abort": Builtin("abort", _abort),
    "freeze": Builtin("freeze", _freeze),
    "spin": Builtin("spin", _spin),
    "nap": Builtin("nap", _nap),
    "vm_size": Builtin("vm_size", _vm_size),
    "pid": Builtin("pid", lambda th: os.getpid()),
}
