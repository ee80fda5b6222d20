"""Slowing password guessing: failed sign-ins are counted per account name and per client, and once
either reaches its limit, sign-in for that name (or from that client) is refused for a while.

A sliding window: a failure counts for ``window`` seconds. While refused, the password is not even
checked (so guessing goes no faster, and the server does no hashing work for it). A successful sign-in
clears the name's count. Counts are in memory, per server process: a restart forgets them. The client
is the connection's address; the server binds loopback and trusts no forwarded-for header.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable

from pathrules.fork_safety import ForkSafeLock

_MAX_KEYS = 10_000  # past this many names and clients, forget those whose failures have all expired


class LoginThrottle:
    def __init__(self, max_failures: int, max_client_failures: int, window_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = {"name": max_failures, "client": max_client_failures}
        self.window = window_seconds
        self.clock = clock
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._lock = ForkSafeLock()

    @staticmethod
    def _keys(name: str, client: str) -> list[tuple[str, str]]:
        return [("name", name.strip().casefold()), ("client", client)]

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        times = self._failures.get(key, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def retry_after(self, name: str, client: str) -> int:
        """Seconds until a sign-in for ``name`` from ``client`` may be tried again; 0: it may be now."""
        now = self.clock()
        wait = 0.0
        with self._lock:
            for key in self._keys(name, client):
                times = self._recent(key, now)
                limit = self.limits[key[0]]
                if len(times) >= limit:
                    wait = max(wait, times[len(times) - limit] + self.window - now)
        return math.ceil(wait)

    def failed(self, name: str, client: str) -> None:
        now = self.clock()
        with self._lock:
            if len(self._failures) > _MAX_KEYS:
                self._failures = {k: t for k, t in self._failures.items() if self._recent(k, now)}
            for key in self._keys(name, client):
                self._failures[key] = self._recent(key, now)
                self._failures[key].append(now)

    def succeeded(self, name: str) -> None:
        with self._lock:
            self._failures.pop(self._keys(name, "")[0], None)
