"""Check a person (by form or uploaded record), the decision page, its letter and timeline, spreadsheets."""

from __future__ import annotations

import datetime as _dt
from typing import Any

from fastapi import APIRouter, Depends, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from pathrules.batch.csv_format import CellError, row_to_record, template
from pathrules.decision import Decision
from pathrules.errors import EvaluationError, InputError, Problem, RecordError
from pathrules.evaluation.render import render_text
from pathrules.kinds.base import long_date
from pathrules.policy.fields import parse_date
from pathrules.record.loader import load_record_text, record_from_dict
from pathrules.record.model import Record
from pathrules.web.accounts import Account
from pathrules.web.deps import CSRF, page_role, services
from pathrules.web.form_fields import columns_for, form_fields
from pathrules.web.jobs import read_upload, safe_filename
from pathrules.web.library import person_text
from pathrules.web.problems import WebError, erased, forbidden, human_size, not_found
from pathrules.web.timeline import timeline_svg
from pathrules.web.views import render
from pathrules.yamlsource import load_text

router = APIRouter()
COORDINATOR = page_role("coordinator")


def _as_of(text: str, source: str) -> tuple[_dt.date | None, list[Problem]]:
    """The form's day, read as records and policies read dates (not `20261123`, not a date-time)."""
    try:
        return parse_date(text.strip()), []
    except ValueError as err:
        return None, [Problem("wrong-type", str(err), source, path="as_of")]


def _form_page(request: Request, policy_id: str, role_id: str, *, values: dict[str, str] | None = None, problems: list[Problem] | None = None, status: int = 200) -> Response:
    library = services(request).library
    policy, role = library.role(policy_id, role_id)
    progressions = [p.from_ for p in policy.progressions if p.to == role_id]
    return render(
        request, "check_form.html", status=status, policy=policy, role=role, role_id=role_id, fields=form_fields(policy, role_id),
        progressions=progressions, values=values or {}, problems=problems or [], today=_dt.date.today().isoformat(),
    )  # fmt: skip


@router.get("/check", response_class=HTMLResponse)
def choose(request: Request, account: Account = Depends(COORDINATOR)) -> Response:
    library = services(request).library
    return render(request, "check_choose.html", policies=[library.current(p) for p in library.policy_ids()])


@router.get("/check/{policy_id}/{role_id}", response_class=HTMLResponse)
def check_form(request: Request, policy_id: str, role_id: str, account: Account = Depends(COORDINATOR)) -> Response:
    return _form_page(request, policy_id, role_id)


def _decide_and_show(request: Request, account: Account, record: Record, policy_id: str, role_id: str, as_of: _dt.date, from_role: str) -> Response:
    stored, _ = services(request).library.decide(record, policy_id, role_id, as_of=as_of, from_role=from_role or None, by=account.name)
    return RedirectResponse(f"/decisions/{stored}", status_code=303)


@router.post("/check/{policy_id}/{role_id}", dependencies=[CSRF])
async def check_submit(request: Request, policy_id: str, role_id: str, account: Account = Depends(COORDINATOR)) -> Response:
    library = services(request).library
    policy, _ = library.role(policy_id, role_id)
    form = await request.form()
    values = {k: str(v) for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    as_of, problems = _as_of(values.get("as_of", ""), "form")
    row = {c: values[c] for c in columns_for(policy, role_id) if values.get(c, "").strip()}
    data: dict[str, Any] | None = None
    try:
        data = row_to_record(row)
    except CellError as err:
        problems.append(Problem("wrong-type", f"expected {err.expected}", "form", path=err.column))
    record: Record | None = None
    if data is not None:
        try:
            record = record_from_dict(data, "form")
        except RecordError as err:
            problems += err.problems
    if problems or record is None or as_of is None:
        return _form_page(request, policy_id, role_id, values=values, problems=problems, status=422)
    try:
        return await run_in_threadpool(_decide_and_show, request, account, record, policy_id, role_id, as_of, values.get("from_role", ""))
    except WebError as err:
        if err.code != "invalid-record":
            raise
        found = [Problem(p.code, p.message, "form", path=p.path.split(".", 1)[0]) for p in err.problems]  # at the form's field (`attributes`)
        return _form_page(request, policy_id, role_id, values=values, problems=found, status=422)


@router.post("/check/{policy_id}/{role_id}/upload", dependencies=[CSRF])
async def check_upload(request: Request, policy_id: str, role_id: str, record: UploadFile, as_of: str = Form(""), from_role: str = Form(""), account: Account = Depends(COORDINATOR)) -> Response:
    services(request).library.role(policy_id, role_id)
    name = safe_filename(record.filename).removesuffix(".csv") if record.filename else "record"
    day, problems = _as_of(as_of, "form")
    raw = await record.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        problems.append(Problem("encoding", f"the file is not UTF-8 text (at byte {err.start})", name))
        text = None
    loaded: Record | None = None
    if text is not None:
        try:
            loaded = load_record_text(text, name)
        except RecordError as err:
            problems += err.problems
    if problems or loaded is None or day is None or text is None:
        return _form_page(request, policy_id, role_id, problems=problems, status=422)
    try:
        return await run_in_threadpool(_decide_and_show, request, account, loaded, policy_id, role_id, day, from_role)
    except WebError as err:
        if err.code != "invalid-record":
            raise
        located, _ = load_text(text, name)  # placed at their line in the file as uploaded
        return _form_page(request, policy_id, role_id, problems=err.problems if located is None else located.placed(err.problems), status=422)


# ---- the decision page ---------------------------------------------------------------------------


def _stored_decision(request: Request, decision_id: str, account: Account) -> tuple[str, Decision, dict[str, Any]]:
    """A stored decision the account may see: its own (coordinator) or any (auditor). Another
    coordinator's decision is answered exactly as one that does not exist, so ids cannot be probed."""
    if not account.has("auditor") and not account.has("coordinator"):
        raise forbidden("coordinator")
    unknown = not_found("there is no such decision" + ("" if account.has("auditor") else " of yours") + " (check the address)")
    try:
        with services(request).library.store() as store:
            event = store.get(decision_id)
    except WebError as err:
        if err.status == 404:
            raise unknown from None
        raise
    if event.meta["kind"] != "decision" or not (account.has("auditor") or event.meta["by"] == account.name):
        raise unknown
    decision = event.decision()
    if decision is None:
        raise erased()
    return event.id, decision, event.meta


VIEWER = page_role(None)


@router.get("/decisions/{decision_id}", response_class=HTMLResponse)
def decision_page(request: Request, decision_id: str, account: Account = Depends(VIEWER)) -> Response:
    full_id, decision, meta = _stored_decision(request, decision_id, account)
    staff_text = render_text(decision)
    heading = staff_text.split("\n", 1)[0].split(":", 1)[0]  # the library's words for the outcome, e.g. "Not yet"
    return render(request, "decision.html", decision_id=full_id, decision=decision, by=meta["by"], heading=heading, svg=timeline_svg(decision), staff_text=staff_text)


@router.get("/decisions/{decision_id}/letter", response_class=HTMLResponse)
def letter(request: Request, decision_id: str, account: Account = Depends(VIEWER)) -> Response:
    full_id, decision, _ = _stored_decision(request, decision_id, account)
    return render(request, "letter.html", decision_id=full_id, decision=decision, letter_text=person_text(decision), today_long=long_date(_dt.date.today()))


@router.get("/decisions/{decision_id}/timeline.svg")
def timeline(request: Request, decision_id: str, account: Account = Depends(VIEWER)) -> Response:
    _, decision, _ = _stored_decision(request, decision_id, account)
    return Response(timeline_svg(decision), media_type="image/svg+xml")


# ---- spreadsheets --------------------------------------------------------------------------------


def _batch_page(request: Request, problems: list[Problem] | None = None, status: int = 200) -> Response:
    svc = services(request)
    library = svc.library
    return render(
        request, "batch_new.html", status=status, problems=problems or [], policies=[library.current(p) for p in library.policy_ids()],
        today=_dt.date.today().isoformat(), max_size=human_size(svc.settings.max_upload_bytes), max_rows=svc.settings.max_batch_rows,
    )  # fmt: skip


@router.get("/batch", response_class=HTMLResponse)
def batch_form(request: Request, account: Account = Depends(COORDINATOR)) -> Response:
    return _batch_page(request)


@router.get("/batch/template.csv")
def batch_template(request: Request, account: Account = Depends(COORDINATOR)) -> Response:
    return Response(template(), media_type="text/csv", headers={"content-disposition": 'attachment; filename="pathrules-template.csv"'})


@router.post("/batch", dependencies=[CSRF])
async def batch_upload(request: Request, file: UploadFile, target: str = Form(""), as_of: str = Form(""), account: Account = Depends(COORDINATOR)) -> Response:
    svc = services(request)
    policy_id, _, role_id = target.partition("/")
    svc.library.role(policy_id, role_id)
    filename = safe_filename(file.filename)
    day, problems = _as_of(as_of, "form")
    raw = await file.read()
    if len(raw) > svc.settings.max_upload_bytes:
        raise WebError(413, "Upload too large", f"the file is larger than the limit of {human_size(svc.settings.max_upload_bytes)}", "upload-too-large")
    try:
        rows = read_upload(raw, filename)
    except InputError as err:
        problems += err.problems
        rows = []
    if not problems and len(rows) > svc.settings.max_batch_rows:
        problems.append(Problem("too-large", f"the file has {len(rows):,} rows; the limit is {svc.settings.max_batch_rows:,} per upload", filename, help="split the file and upload the parts"))
    if not problems and not rows:
        problems.append(Problem("empty", "the file has a header but no rows", filename))
    if day is not None and not problems:
        try:
            svc.library.evaluator.policy_for(day, policy_id)  # refused now, not row by row once the job runs
        except EvaluationError as err:
            problems.append(Problem("cannot-decide", str(err), "form", path="as_of"))
    if problems or day is None:
        return _batch_page(request, problems, status=413 if any(p.code == "too-large" for p in problems) else 422)
    job = svc.jobs.start(rows, owner=account.name, filename=filename, policy=policy_id, role=role_id, as_of=day, from_role=None)
    return RedirectResponse(f"/batch/{job.id}", status_code=303)


def _job(request: Request, job_id: str, account: Account) -> Any:
    job = services(request).jobs.get(job_id)
    if job is None or job.owner != account.name:
        raise not_found(f"no spreadsheet `{job_id}` of yours on this server (results are kept in memory until it restarts)")
    return job


@router.get("/batch/{job_id}", response_class=HTMLResponse)
def batch_progress(request: Request, job_id: str, account: Account = Depends(COORDINATOR)) -> Response:
    return render(request, "batch_job.html", job=_job(request, job_id, account))


@router.get("/batch/{job_id}/decisions.csv")
def batch_download(request: Request, job_id: str, account: Account = Depends(COORDINATOR)) -> Response:
    job = _job(request, job_id, account)
    if not job.finished:
        raise WebError(409, "Not finished", f"{job.done} of {job.total} rows decided so far", "not-finished")
    name = job.filename.removesuffix(".csv") + "-decisions.csv"
    return Response(job.csv_bytes(), media_type="text/csv", headers={"content-disposition": f'attachment; filename="{name}"'})
