"""Locks that a forked child can use (issue 15, D24).

``os.fork`` copies a lock in whatever state it is in: if another thread held it at that moment (an
evaluator compiling a target, the engine mid-call), the child waits on it for ever, because the
thread that would release it does not exist in the child. Every lock pathrules holds is a
``ForkSafeLock``: a weak registry of them is walked after a fork, in the child, and each gets a fresh,
unheld lock. What the lock guarded is a cache that the child rebuilds on demand.
"""

from __future__ import annotations

import os
import threading
import weakref
from types import TracebackType


class ForkSafeLock:
    """A ``threading.Lock`` (or ``RLock``) that is fresh and unheld in a forked child."""

    __slots__ = ("_reentrant", "_lock", "__weakref__")

    def __init__(self, *, reentrant: bool = False) -> None:
        self._reentrant = reentrant
        self._lock = self._new()
        _LIVE.add(self)

    def _new(self) -> threading.Lock | threading.RLock:
        return threading.RLock() if self._reentrant else threading.Lock()

    def _renew(self) -> None:
        self._lock = self._new()

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        return self._lock.acquire(blocking, timeout)

    def release(self) -> None:
        self._lock.release()

    def __enter__(self) -> bool:
        return self._lock.acquire()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        self._lock.release()


_LIVE: weakref.WeakSet[ForkSafeLock] = weakref.WeakSet()


def _renew_all_in_child() -> None:
    for lock in list(_LIVE):
        lock._renew()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_renew_all_in_child)
