"""Dependencies that carry who is asking and what they may do; every route declares the role it needs.

Pages are signed in by session cookie (and POSTs carry the session's CSRF token); the /v1/ API is
signed in by `Authorization: Bearer <token>` only, so a browser's cookies can never act on it.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import Depends, Form, Request

from pathrules.web.accounts import Account, Accounts
from pathrules.web.jobs import Jobs
from pathrules.web.library import Library
from pathrules.web.problems import WebError, forbidden, unauthenticated
from pathrules.web.sessions import COOKIE, Session, SessionStore
from pathrules.web.settings import Settings


class SignInNeeded(Exception):
    """A page asked for without a session: the handler redirects to the sign-in page."""


@dataclass(frozen=True)
class Services:
    settings: Settings
    library: Library
    accounts: Accounts
    sessions: SessionStore
    jobs: Jobs


def services(request: Request) -> Services:
    found: Services = request.app.state.services
    return found


def session(request: Request) -> Session | None:
    return services(request).sessions.get(request.cookies.get(COOKIE))


def page_account(request: Request) -> Account:
    current = session(request)
    account = services(request).accounts.get(current.account) if current and current.account else None
    if account is None:
        raise SignInNeeded()
    request.state.session = current
    request.state.account = account
    return account


def api_account(request: Request) -> Account:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    account = services(request).accounts.by_token(token.strip()) if scheme.lower() == "bearer" else None
    if account is None:
        raise unauthenticated()
    return account


def page_role(role: str | None) -> Callable[[Request], Account]:
    """A signed-in account with ``role`` (any signed-in account when None)."""

    def check(request: Request) -> Account:
        account = page_account(request)
        if role is not None and not account.has(role):
            raise forbidden(role)
        return account

    return check


def page_any_role(*roles: str) -> Callable[[Request], Account]:
    def check(request: Request) -> Account:
        account = page_account(request)
        if not any(account.has(r) for r in roles):
            raise forbidden(" or ".join(roles))
        return account

    return check


def api_role(role: str | None) -> Callable[[Request], Account]:
    def check(request: Request) -> Account:
        account = api_account(request)
        if role is not None and not account.has(role):
            raise forbidden(role)
        return account

    return check


async def _csrf(request: Request, csrf_token: str = Form("")) -> None:
    current = session(request)
    if current is None or not csrf_token or not secrets.compare_digest(current.csrf, csrf_token):
        raise WebError(403, "Form expired or not from this site", "the form's CSRF token is missing or wrong; reload the page and try again", "csrf")


csrf: Callable[..., Awaitable[None]] = _csrf
CSRF = Depends(_csrf)
