"""One error shape: RFC 9457 problem details, carrying the library's located Problems.

API clients (paths under /v1/) get ``application/problem+json``; people get the same content as an
HTML page. A problem never contains a value from a record (the library's Problems do not either).
"""

from __future__ import annotations

import json
from typing import Any

from pathrules.errors import Problem

TYPE_BASE = "https://pathrules.invalid/problems/"  # stable identifiers, documented in docs/api-http.md


class WebError(Exception):
    """An answer other than success, with its HTTP status, a short title and the located problems."""

    def __init__(self, status: int, title: str, detail: str, code: str, problems: list[Problem] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.title = title
        self.detail = detail
        self.code = code
        self.problems = problems or []

    def to_dict(self, instance: str | None = None) -> dict[str, Any]:
        return problem_dict(self.status, self.title, self.detail, self.code, self.problems, instance)


def problem_dict(status: int, title: str, detail: str, code: str, problems: list[Problem] | None = None, instance: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"type": TYPE_BASE + code, "title": title, "status": status, "detail": detail, "code": code}
    if instance:
        data["instance"] = instance
    data["problems"] = [p.to_dict() for p in problems or []]
    return data


def human_size(size: int) -> str:
    """`2 MB`, `1.5 MB`, `5 KB`: a limit as a person reads it."""
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f}".removesuffix(".0") + " MB"
    return f"{max(1, round(size / 1_000))} KB"


def problem_body(status: int, title: str, detail: str, code: str) -> bytes:
    return json.dumps(problem_dict(status, title, detail, code)).encode("utf-8")


def from_input_error(problems: list[Problem], what: str) -> WebError:
    count = len(problems)
    return WebError(422, f"The {what} does not load", f"{count} problem{'s' if count != 1 else ''} in the {what}", "invalid-" + what.split()[-1], problems)


def unauthenticated() -> WebError:
    return WebError(401, "Sign in first", "this needs a signed-in account or an API token", "unauthenticated")


def forbidden(role: str) -> WebError:
    return WebError(403, "Not allowed for your account", f"this needs the `{role}` role", "forbidden")


def not_found(what: str) -> WebError:
    return WebError(404, "Not found", what, "not-found")


def erased(what: str = "") -> WebError:
    """A stored decision whose contents were erased: gone, not unknown (``what`` says what it cannot be)."""
    return WebError(410, "Erased", "the contents of this decision were erased" + (f"; it cannot be {what}" if what else ""), "erased")
