"""Slowing password guessing: failed sign-ins are counted per account name and per client, and once
either reaches its limit, sign-in for that name (or from that client) is refused for a while.

A sliding window: a failure counts for ``window`` seconds. While refused, the password is not even
checked (so guessing goes no faster, and the server does no hashing work for it). Each attempt is
counted as a failure when it begins, in the same step that checks the limits, so guesses sent in
parallel cannot all pass the check before any of them is counted; one that succeeds takes its count
back and clears the name's. Counts are in memory, per server process: a restart forgets them. The
client is the connection's address: the server binds loopback and trusts no forwarded-for header.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from pathrules.fork_safety import ForkSafeLock

_MAX_KEYS = 10_000  # past this many names and clients, forget those whose failures have all expired

Key = tuple[str, str]


@dataclass(frozen=True)
class Attempt:
    """One sign-in attempt: refused (``retry_after`` seconds to wait), or allowed and counted as a
    failure until ``succeeded`` says otherwise."""

    throttle: LoginThrottle | None
    keys: tuple[Key, ...]
    at: float
    retry_after: int = 0

    @property
    def allowed(self) -> bool:
        return self.retry_after == 0

    def failed(self) -> None:
        """The password was wrong: the attempt stays counted."""

    def succeeded(self) -> None:
        """The password was right: the attempt is not a failure, and the name's failures are cleared."""
        if self.throttle is not None:
            self.throttle.forgive(self)


class LoginThrottle:
    def __init__(self, max_failures: int, max_client_failures: int, window_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = {"name": max_failures, "client": max_client_failures}
        self.window = window_seconds
        self.clock = clock
        self._failures: dict[Key, deque[float]] = {}
        self._lock = ForkSafeLock()

    @staticmethod
    def _keys(name: str, client: str) -> tuple[Key, ...]:
        return (("name", name.strip().casefold()), ("client", client))

    def _recent(self, key: Key, now: float) -> deque[float]:
        times = self._failures.get(key, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def begin(self, name: str, client: str) -> Attempt:
        """Check the limits for ``name`` from ``client`` and, if allowed, count the attempt, in one step."""
        keys = self._keys(name, client)
        with self._lock:
            now = self.clock()  # read under the lock, so each key's times stay in order
            wait = 0.0
            for key in keys:
                times = self._recent(key, now)
                limit = self.limits[key[0]]
                if len(times) >= limit:
                    wait = max(wait, times[len(times) - limit] + self.window - now)
            if wait > 0:
                return Attempt(None, keys, now, max(1, math.ceil(wait)))
            if len(self._failures) > _MAX_KEYS:
                self._failures = {k: t for k, t in self._failures.items() if self._recent(k, now)}
            for key in keys:
                self._failures[key] = self._recent(key, now)
                self._failures[key].append(now)
        return Attempt(self, keys, now)

    def forgive(self, attempt: Attempt) -> None:
        """Take back an attempt that succeeded, and clear its name's failures."""
        with self._lock:
            name_key, client_key = attempt.keys
            self._failures.pop(name_key, None)
            times = self._failures.get(client_key)
            if times is not None and attempt.at in times:
                times.remove(attempt.at)
