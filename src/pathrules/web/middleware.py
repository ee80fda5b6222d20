"""ASGI middleware: security headers, a request size limit, a last answer for anything a route did not
handle, and a request log with nothing from a record.

The log line is method, route pattern (never the path as sent, nor its query string), status and
time: never a field of a record or a form. A request that matches no route is logged as
``(no route)``: its path is whatever the client wrote, and may hold line breaks or terminal codes.
An error that escapes a route is answered here (500, with the security headers) and logged by its
type alone: its message or traceback could quote a record.
"""

from __future__ import annotations

import logging
import time
from html import escape

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pathrules.web.problems import WebError, human_size, problem_body

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

    def __init__(self, app: ASGIApp, max_body: int, https: bool, shown_limit: int | None = None) -> None:
        self.app = app
        self.max_body = max_body
        self.shown_limit = shown_limit or max_body  # the limit as configured (a body holds a little more than the file)
        self.headers = [*SECURITY_HEADERS, *([(b"strict-transport-security", b"max-age=31536000")] if https else [])]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = {"code": 0}
        if scope["method"] == "HEAD":  # answered as GET without the body (HTTP requires HEAD wherever GET is)
            scope = {**scope, "method": "GET", "pathrules.asked": "HEAD"}
            send = _without_body(send)
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
                    raise TooLarge(self.shown_limit)
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
        except Exception as err:  # noqa: BLE001 - the last answer: logged by type, never re-raised to the server's own logging
            log.error("internal error on %s %s: %s", scope.get("method"), _route(scope), type(err).__name__)
            if status["code"] == 0:
                detail = "something went wrong on the server; it has been logged (without any record data)"
                await self._answer(scope, send, status, 500, "Internal error", detail, "internal", "Try again; if it happens again, tell whoever runs this server.")
            else:
                status["code"] = 500  # the answer had begun: the log says how it ended
        finally:
            self._log(scope, status["code"], started)

    async def _too_large(self, scope: Scope, send: Send, status: dict[str, int]) -> None:
        """413 before the body is read."""
        detail = f"the request is larger than the limit of {human_size(self.shown_limit)}"
        await self._answer(scope, send, status, 413, "Upload too large", detail, "upload-too-large", "Split the file and upload the parts.")

    async def _answer(self, scope: Scope, send: Send, status: dict[str, int], code: int, title: str, detail: str, kind: str, advice: str) -> None:
        """An answer made here, outside the routes: problem details for the API, a short page for people."""
        if str(scope.get("path", "")).startswith("/v1/"):
            body, media = problem_body(code, title, detail, kind), b"application/problem+json"
        else:
            page = f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title><link rel="stylesheet" href="/static/app.css"></head><body><main><h1>{escape(title)}</h1><p>{escape(detail)}. {escape(advice)}</p><p><a href="/">Back to the start page</a></p></main></body></html>'
            body, media = page.encode("utf-8"), b"text/html; charset=utf-8"
        status["code"] = code
        await send({"type": "http.response.start", "status": code, "headers": [(b"content-type", media), *self.headers]})
        await send({"type": "http.response.body", "body": body})

    def _log(self, scope: Scope, code: int, started: float) -> None:
        method = scope.get("pathrules.asked") or scope.get("method")
        log.info("%s %s %s %.1fms", method, _route(scope), code, (time.perf_counter() - started) * 1000)


def _without_body(send: Send) -> Send:
    """``send`` for a HEAD request: the status and headers of the GET answer (Content-Length included), no body."""

    async def headers_only(message: Message) -> None:
        if message["type"] == "http.response.body":
            if message.get("more_body", False):
                return
            message = {"type": "http.response.body", "body": b"", "more_body": False}
        await send(message)

    return headers_only


def _route(scope: Scope) -> str:
    """The route's pattern (``/decisions/{decision_id}``), or the mount a file was served from
    (``/static``), never the path as the client wrote it."""
    path = getattr(scope.get("route"), "path", None)
    if isinstance(path, str):
        return path
    mounted = scope.get("root_path")
    if "endpoint" in scope and isinstance(mounted, str) and mounted:  # set by the mount that matched
        return mounted
    return "(no route)"
