"""The app factory: `create_app(settings)` wires the library, accounts, sessions, routes and guards."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic.json_schema import models_json_schema
from starlette.exceptions import HTTPException as StarletteHTTPException

from pathrules._version import __version__
from pathrules.errors import Problem
from pathrules.web import api, pages_audit, pages_check, pages_public
from pathrules.web.accounts import Accounts
from pathrules.web.deps import Services, SignInNeeded
from pathrules.web.deps import session as current_session
from pathrules.web.jobs import Jobs
from pathrules.web.library import Library
from pathrules.web.middleware import SecurityMiddleware
from pathrules.web.problems import WebError
from pathrules.web.sessions import SessionStore
from pathrules.web.settings import Settings
from pathrules.web.throttle import LoginThrottle
from pathrules.web.views import STATIC, render


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/v1/")


def _error_response(request: Request, error: WebError) -> Response:
    if _wants_json(request):
        return JSONResponse(error.to_dict(request.url.path), status_code=error.status, media_type="application/problem+json")
    if getattr(request.state, "session", None) is None:
        request.state.session = current_session(request)
    return render(request, "error.html", status=error.status, error=error)


def _validation_problems(errors: Any) -> list[Problem]:
    """FastAPI's own parameter errors, without the input values it would echo."""
    problems = []
    for detail in errors:
        loc = [str(p) for p in detail.get("loc", ())]
        problems.append(Problem(str(detail.get("type", "invalid")).replace("_", "-"), str(detail.get("msg", "invalid")).lower(), "request", path=".".join(loc)))
    return problems


def openapi_schema(app: FastAPI) -> dict[str, Any]:
    """The generated schema plus the request models the /v1/ routes parse themselves."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(title="pathrules HTTP API", version=__version__, description="Decisions from pathrules policies. See docs/api-http.md.", routes=app.routes)
    _, defs = models_json_schema([(api.DecideRequest, "validation"), (api.BatchRequest, "validation")], ref_template="#/components/schemas/{model}")
    schema.setdefault("components", {}).setdefault("schemas", {}).update(defs.get("$defs", {}))
    schema["components"]["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer", "description": "a token from `pathrules users token NAME`"}}
    schema["security"] = [{"bearer": []}]
    app.openapi_schema = schema
    return schema


def create_app(settings: Settings) -> FastAPI:
    """Load the policies (refusing a broken one), and build the app. Nothing listens until served."""
    library = Library(settings)
    throttle = LoginThrottle(settings.login_max_failures, settings.login_max_client_failures, settings.login_lockout_minutes * 60)
    services = Services(settings, library, Accounts(settings.users), SessionStore(settings.session_idle_minutes * 60), Jobs(library), throttle)
    app = FastAPI(title="pathrules", version=__version__, docs_url=None, redoc_url=None, openapi_url="/v1/openapi.json")
    app.state.services = services
    app.include_router(pages_public.router, include_in_schema=False)
    app.include_router(pages_check.router, include_in_schema=False)
    app.include_router(pages_audit.router, include_in_schema=False)
    app.include_router(api.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.openapi = lambda: openapi_schema(app)  # type: ignore[method-assign]

    @app.exception_handler(WebError)
    async def on_web_error(request: Request, error: WebError) -> Response:
        return _error_response(request, error)

    @app.exception_handler(SignInNeeded)
    async def on_sign_in(request: Request, error: SignInNeeded) -> Response:
        target = request.url.path if request.method == "GET" else "/"
        return RedirectResponse("/login?next=" + quote(target, safe="/"), status_code=303)

    @app.exception_handler(RequestValidationError)
    async def on_invalid(request: Request, error: RequestValidationError) -> Response:
        problems = _validation_problems(error.errors())
        return _error_response(request, WebError(422, "The request is not valid", f"{len(problems)} problem(s) in the request", "invalid-request", problems))

    @app.exception_handler(StarletteHTTPException)
    async def on_http(request: Request, error: StarletteHTTPException) -> Response:
        titles = {404: "Not found", 405: "Method not allowed"}
        response = _error_response(request, WebError(error.status_code, titles.get(error.status_code, "Error"), str(error.detail), "not-found" if error.status_code == 404 else f"http-{error.status_code}"))
        for name, value in (error.headers or {}).items():  # e.g. a 405's Allow: the methods the route takes
            if name.lower() == "allow" and "GET" in value.split(", ") and "HEAD" not in value:
                value += ", HEAD"  # every GET route answers HEAD (SecurityMiddleware)
            response.headers[name] = value
        return response

    app.add_middleware(SecurityMiddleware, max_body=settings.max_upload_bytes + 64_000, https=settings.https, shown_limit=settings.max_upload_bytes)  # answers what escapes a route, too
    return app
