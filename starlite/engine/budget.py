"""One step budget shared by every thread of a script run (the script and its ``parallel()``
branches).

Each :class:`starlite.Thread` of the run carries a :class:`Lease` as ``thread._budget``. The
thread's step counter treats ``lease.lease_end`` like a step limit: crossing it takes the
counter's slow path, which calls :meth:`Lease.extend`. That takes more steps from the shared
:class:`StepBudget` under its lock — or fails, and the thread raises ``StepLimitExceeded``.
Steps are granted before they are used, and a thread's ``steps`` never exceeds its lease, so::

    sum of all threads' steps  <=  steps granted  <=  limit

holds at every moment, with no per-step locking: a thread takes the lock once per lease.

Lease sizes: the script's own thread takes everything that is left (while it runs, no branch
does: ``parallel()`` blocks it and first gives its unused lease back). A branch takes what it
needs plus a chunk of up to :data:`CHUNK` steps, and less near the end (an eighth of what is
left), so that steps leased but never used by one branch rarely make another branch fail
early. A finished branch gives its unused lease back.
"""

from __future__ import annotations

import threading
from typing import Any

#: The largest extra lease a parallel branch takes beyond what it needs right now.
CHUNK = 256


class StepBudget:
    """``limit`` steps to share; ``granted`` is how many are leased (used or not) so far."""

    __slots__ = ("limit", "granted", "_lock")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.granted = 0
        self._lock = threading.Lock()

    def take(self, need: int, greedy: bool) -> int:
        """Grant at least ``need`` steps (0 if fewer are left): all that is left when
        ``greedy``, else ``need`` plus a chunk."""
        with self._lock:
            left = self.limit - self.granted
            if left < need:
                return 0
            if greedy:
                n = left
            else:
                n = need + min(CHUNK, (left - need) // 8)
            self.granted += n
            return n

    def give_back(self, n: int) -> None:
        if n > 0:
            with self._lock:
                self.granted -= n

    @property
    def left(self) -> int:
        return self.limit - self.granted


class Lease:
    """The steps one thread may use: up to ``lease_end`` on its counter (``thread._budget``)."""

    __slots__ = ("budget", "lease_end", "greedy")

    def __init__(self, budget: StepBudget, start: int = 0, greedy: bool = False) -> None:
        self.budget = budget
        self.lease_end = start
        self.greedy = greedy

    def extend(self, thread: Any) -> bool:
        """Called by the thread's slow path when ``thread.steps`` passed ``lease_end``: lease
        more (True) or report the budget exhausted (False -> ``StepLimitExceeded``)."""
        need = thread.steps - self.lease_end
        if need <= 0:
            return True
        got = self.budget.take(need, self.greedy)
        if got == 0:
            return False
        self.lease_end += got
        return True

    def release(self, thread: Any) -> None:
        """Give the unused part of the lease back (the thread is done, or about to wait)."""
        unused = self.lease_end - thread.steps
        if unused > 0:
            self.budget.give_back(unused)
            self.lease_end = thread.steps
        thread._rebound()

    def absorb(self, thread: Any, steps: int) -> None:
        """Add ``steps`` that child branches used (and were granted) to ``thread``'s count:
        they were leased already, so the lease moves along with the counter."""
        thread.steps += steps
        self.lease_end += steps
        thread._rebound()
