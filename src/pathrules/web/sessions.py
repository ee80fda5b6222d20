"""Server-side sessions: the cookie holds only a random id; the account and CSRF token stay in memory.

A restart signs everyone out, which is acceptable for a small service and keeps nothing on disk.
Signing in issues a new id (no session fixation); each session has its own CSRF token.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field

from pathrules.fork_safety import ForkSafeLock

COOKIE = "pathrules_session"


@dataclass
class Session:
    id: str
    account: str | None = None
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    last_seen: float = field(default_factory=time.monotonic)


class SessionStore:
    def __init__(self, idle_seconds: float) -> None:
        self.idle_seconds = idle_seconds
        self._sessions: dict[str, Session] = {}
        self._lock = ForkSafeLock()

    def get(self, session_id: str | None) -> Session | None:
        if not session_id:
            return None
        now = time.monotonic()
        with self._lock:
            session = self._sessions.get(session_id)
            if session is None:
                return None
            if now - session.last_seen > self.idle_seconds:
                del self._sessions[session_id]
                return None
            session.last_seen = now
            return session

    def new(self, account: str | None = None) -> Session:
        session = Session(secrets.token_urlsafe(32), account)
        with self._lock:
            self._expire()
            self._sessions[session.id] = session
        return session

    def end(self, session_id: str) -> None:
        with self._lock:
            self._sessions.pop(session_id, None)

    def _expire(self) -> None:
        now = time.monotonic()
        for key in [k for k, s in self._sessions.items() if now - s.last_seen > self.idle_seconds]:
            del self._sessions[key]
