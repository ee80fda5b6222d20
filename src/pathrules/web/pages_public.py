"""Sign in and out, the start page, policies and each role's handbook page."""

from __future__ import annotations

import math
from pathlib import Path

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from pathrules.authoring.policy_tests import Report, load_test_file, run_file
from pathrules.describe import describe_policy, role_sections, section_sources
from pathrules.errors import PathrulesError
from pathrules.web.accounts import Account
from pathrules.web.deps import CSRF, page_role, services, session
from pathrules.web.sessions import COOKIE
from pathrules.web.views import render

router = APIRouter()
ANY = page_role(None)


def _safe_next(target: str) -> str:
    """Only a local path: never redirect a person off this site after signing in."""
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else "/"


def set_session_cookie(request: Request, response: Response, session_id: str) -> None:
    response.set_cookie(COOKIE, session_id, httponly=True, samesite="strict", secure=services(request).settings.https, path="/")


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/") -> Response:
    current = session(request) or services(request).sessions.new()
    request.state.session = current
    response = render(request, "login.html", next=_safe_next(next), failed=False)
    set_session_cookie(request, response, current.id)
    return response


@router.post("/login", response_class=HTMLResponse, dependencies=[CSRF])
def login(request: Request, username: str = Form(""), password: str = Form(""), next: str = Form("/")) -> Response:
    svc = services(request)
    client = request.client.host if request.client else "unknown"
    attempt = svc.throttle.begin(username, client)
    if not attempt.allowed:  # too many failures for this name or from this client: refused without checking the password
        request.state.session = session(request)
        refused = render(request, "login.html", status=429, next=_safe_next(next), failed=False, wait_minutes=math.ceil(attempt.retry_after / 60))
        refused.headers["Retry-After"] = str(attempt.retry_after)
        return refused
    account = svc.accounts.authenticate(username, password)
    if account is None:
        attempt.failed()
        request.state.session = session(request)
        return render(request, "login.html", status=401, next=_safe_next(next), failed=True)
    attempt.succeeded()
    old = session(request)
    if old is not None:
        svc.sessions.end(old.id)
    fresh = svc.sessions.new(account.name)  # a new id on sign-in: no session fixation
    response = RedirectResponse(_safe_next(next), status_code=303)
    set_session_cookie(request, response, fresh.id)
    return response


@router.post("/logout", dependencies=[CSRF])
def logout(request: Request) -> Response:
    current = session(request)
    if current is not None:
        services(request).sessions.end(current.id)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


@router.get("/", response_class=HTMLResponse)
def home(request: Request, account: Account = Depends(ANY)) -> Response:
    return render(request, "home.html")


@router.get("/policies", response_class=HTMLResponse)
def policies(request: Request, account: Account = Depends(ANY)) -> Response:
    library = services(request).library
    return render(request, "policies.html", policies=[{"loaded": library.current(p)} for p in library.policy_ids()])


@router.get("/policies/{policy_id}/roles/{role_id}", response_class=HTMLResponse)
def handbook(request: Request, policy_id: str, role_id: str, account: Account = Depends(ANY)) -> Response:
    policy, _ = services(request).library.role(policy_id, role_id)
    data = describe_policy(policy)
    role = next(r for r in data["roles"] if r["id"] == role_id)
    return render(request, "role.html", data=data, role=role, sections=role_sections(role), sources=section_sources(role))


@router.get("/policies/{policy_id}/source", response_class=HTMLResponse)
def source(request: Request, policy_id: str, account: Account = Depends(page_role("policy-author"))) -> Response:
    return render(request, "policy_source.html", loaded=services(request).library.current(policy_id))


@router.get("/policies/{policy_id}/tests", response_class=HTMLResponse)
def tests(request: Request, policy_id: str, account: Account = Depends(page_role("policy-author"))) -> Response:
    library = services(request).library
    files_of_policy = {Path(p.file).resolve() for p in library.versions(policy_id)}
    if not files_of_policy:
        library.current(policy_id)  # raises unknown-policy
    folder = Path(library.settings.policies)
    folder = folder if folder.is_dir() else folder.parent
    report, files = Report(), []
    for test_file in sorted((folder / "tests").glob("*.tests.yaml")):
        try:
            spec, _ = load_test_file(test_file)
        except PathrulesError:
            continue
        if (test_file.parent / spec.policy).resolve() in files_of_policy:
            files.append(test_file.name)
            run_file(test_file, report, engine="python")
    return render(request, "policy_tests.html", policy_id=policy_id, files=files, report=report if files else None)
