"""The audit pages, for auditors: list, show, verify the chain, replay, record an override."""

from __future__ import annotations

import sqlite3
from typing import get_args

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from pathrules.audit.replay import replay
from pathrules.audit.store import AuditError
from pathrules.audit.verify import verify
from pathrules.decision import OUTCOME_ORDER, Outcome
from pathrules.errors import ErasedError, PathrulesError, Problem
from pathrules.evaluation.render import render_text
from pathrules.web.accounts import Account
from pathrules.web.deps import CSRF, page_role, services
from pathrules.web.problems import WebError
from pathrules.web.views import render

router = APIRouter()
AUDITOR = page_role("auditor")
LIST_LIMIT = 500


@router.get("/audit", response_class=HTMLResponse)
def audit_list(request: Request, account: Account = Depends(AUDITOR)) -> Response:
    with services(request).library.store() as store:
        count, _ = store.head()
        events = list(store.events())[-LIST_LIMIT:][::-1]
    return render(request, "audit_list.html", events=events, count=count, shown=len(events))


def _show(request: Request, event_id: str, problems: list[Problem] | None = None, status: int = 200) -> Response:
    with services(request).library.store() as store:
        event = store.get(event_id)
        overrides = store.overrides_of(event.id)
    decision = event.decision()
    return render(
        request, "audit_show.html", status=status, event=event, decision=decision, overrides=overrides, outcomes=list(OUTCOME_ORDER),
        staff_text=render_text(decision) if decision else "", problems=problems or [],
    )  # fmt: skip


@router.get("/audit/{event_id}", response_class=HTMLResponse)
def audit_show(request: Request, event_id: str, account: Account = Depends(AUDITOR)) -> Response:
    return _show(request, event_id)


@router.post("/audit/verify", response_class=HTMLResponse, dependencies=[CSRF])
def audit_verify(request: Request, account: Account = Depends(AUDITOR)) -> Response:
    with services(request).library.store() as store:
        try:
            findings = verify(store)
            count, head = store.head()
        except sqlite3.DatabaseError as err:
            raise WebError(500, "The audit database is damaged", f"it cannot be verified ({type(err).__name__})", "audit-damaged") from None
    return render(request, "audit_verify.html", findings=[str(f) for f in findings], count=count, head=head, status=200 if not findings else 409)


@router.post("/audit/{event_id}/replay", response_class=HTMLResponse, dependencies=[CSRF])
def audit_replay(request: Request, event_id: str, account: Account = Depends(AUDITOR)) -> Response:
    with services(request).library.store() as store:
        try:
            result = replay(store, event_id, engine="auto")
        except ErasedError:
            raise  # gone, not a conflict: answered 410 by library.store
        except AuditError as err:
            raise WebError(409, "Cannot replay", str(err), "cannot-replay") from None
    return render(request, "audit_replay.html", result=result)


@router.post("/audit/{event_id}/override", dependencies=[CSRF])
def audit_override(request: Request, event_id: str, outcome: str = Form(""), reason: str = Form(""), account: Account = Depends(AUDITOR)) -> Response:
    problems = []
    if outcome not in get_args(Outcome):
        problems.append(Problem("invalid-value", f"expected one of {', '.join(OUTCOME_ORDER)}", "form", path="outcome"))
    if not reason.strip():
        problems.append(Problem("missing-field", "say why (the reason is kept with the override)", "form", path="reason"))
    if problems:
        return _show(request, event_id, problems, status=422)
    library = services(request).library
    try:
        stored = library.override(event_id, outcome, account.name, reason.strip())  # type: ignore[arg-type]  # erased: 410 (library.store)
    except PathrulesError as err:
        raise WebError(422, "Cannot override", str(err), "cannot-override") from None
    with library.store() as store:
        original = store.get(stored).meta["links"]
    return RedirectResponse(f"/audit/{original}", status_code=303)
