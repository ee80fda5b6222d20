"""ASGI middleware: security headers, a request size limit, and a request log with nothing from a record.

The log line is method, route path (no query string), status and time: ids and role names at most,
never a field of a record or a form.
"""

from __future__ import annotations

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pathrules.web.problems import WebError, human_size

log = logging.getLogger("pathrules.web")

SECURITY_HEADERS: list[tuple[bytes, bytes]] = [
    (b"content-security-policy", b"default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cache-control", b"no-store"),
]


class TooLarge(WebError):
    """Raised while reading a body without (or with a false) Content-Length; answered as 413."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, "Upload too large", f"the request is larger than the limit of {human_size(limit)}", "upload-too-large")


class SecurityMiddleware:
    """Adds the security headers to every response, refuses bodies over the limit, logs each request."""

    def __init__(self, app: ASGIApp, max_body: int, https: bool) -> None:
        self.app = app
        self.max_body = max_body
        self.headers = [*SECURITY_HEADERS, *([(b"strict-transport-security", b"max-age=31536000")] if https else [])]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = {"code": 0}
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body:
            await self._too_large(scope, send, status)
            self._log(scope, status["code"], started)
            return
        received = {"bytes": 0}

        async def counting_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                received["bytes"] += len(message.get("body", b""))
                if received["bytes"] > self.max_body:
                    raise TooLarge(self.max_body)
            return message

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                names = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []), *[(k, v) for k, v in self.headers if k not in names]]
            await send(message)

        try:
            await self.app(scope, counting_receive, send_with_headers)
        except TooLarge:
            if status["code"] == 0:
                await self._too_large(scope, send, status)
        finally:
            self._log(scope, status["code"], started)

    async def _too_large(self, scope: Scope, send: Send, status: dict[str, int]) -> None:
        """413 before the body is read: problem details for the API, a short page for people."""
        from html import escape

        from pathrules.web.problems import problem_body

        detail = f"the request is larger than the limit of {human_size(self.max_body)}"
        if str(scope.get("path", "")).startswith("/v1/"):
            body, kind = problem_body(413, "Upload too large", detail, "upload-too-large"), b"application/problem+json"
        else:
            page = f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Upload too large</title><link rel="stylesheet" href="/static/app.css"></head><body><main><h1>Upload too large</h1><p>{escape(detail)}; split the file and upload the parts.</p><p><a href="/">Back to the start page</a></p></main></body></html>'
            body, kind = page.encode("utf-8"), b"text/html; charset=utf-8"
        status["code"] = 413
        await send({"type": "http.response.start", "status": 413, "headers": [(b"content-type", kind), *self.headers]})
        await send({"type": "http.response.body", "body": body})

    def _log(self, scope: Scope, code: int, started: float) -> None:
        route = scope.get("route")
        path = getattr(route, "path", None) or scope.get("path", "")
        log.info("%s %s %s %.1fms", scope.get("method"), path, code, (time.perf_counter() - started) * 1000)
