"""A growing pool of daemon worker threads.

The engine runs every script in a worker thread (so that the caller can stop waiting at the
deadline even while a tool is blocked) and every ``parallel()`` helper in another one. Both
kinds of work may block for as long as a tool does, and a run abandoned at its timeout leaves
its worker blocked until the tool returns, so the pool must never make a job wait for a busy
worker: :meth:`WorkerPool.submit` hands the job to an idle worker if there is one and starts a
new thread otherwise. Idle workers exit after ``idle_timeout`` seconds.

Why not :class:`concurrent.futures.ThreadPoolExecutor`: its ``max_workers`` bound can be
exhausted by blocked tools (a deadlock for nested ``parallel()``), and its threads are joined
at interpreter exit, so a tool blocked forever would hang the process on exit. These workers
are daemon threads.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any

Job = Callable[[], Any]


class WorkerPool:
    """Runs submitted zero-argument callables on daemon threads; never queues behind a busy
    worker. Exceptions a job raises are swallowed (jobs report their own outcome)."""

    def __init__(self, name: str, idle_timeout: float = 30.0) -> None:
        self._name = name
        self._idle_timeout = idle_timeout
        self._jobs: queue.SimpleQueue[Job] = queue.SimpleQueue()
        self._lock = threading.Lock()
        # Workers waiting for a job minus the jobs already queued for them: a submit that
        # finds it positive reserves one of them, otherwise it starts a thread.
        self._idle = 0
        self._count = 0

    def submit(self, job: Job) -> None:
        with self._lock:
            if self._idle > 0:
                self._idle -= 1
                spawn = False
            else:
                self._count += 1
                spawn = True
                n = self._count
        self._jobs.put(job)
        if spawn:
            t = threading.Thread(target=self._work, name=f"{self._name}-{n}", daemon=True)
            t.start()

    def _work(self) -> None:
        jobs = self._jobs
        while True:
            try:
                job = jobs.get(timeout=self._idle_timeout)
            except queue.Empty:
                with self._lock:
                    # Exit only if some other waiting worker is left for every queued job.
                    if self._idle > 0:
                        self._idle -= 1
                        self._count -= 1
                        return
                continue
            try:
                job()
            except BaseException:  # noqa: BLE001, S110 - a job reports its own failures
                pass
            job = None  # type: ignore[assignment]  # drop references while idle
            with self._lock:
                self._idle += 1


#: The pool every engine shares (script runners and ``parallel()`` helpers).
POOL = WorkerPool("starlite-engine")
