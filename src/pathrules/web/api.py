"""The HTTP API under /v1/: decide one, decide a batch, list policies and roles, fetch an audit entry.

Request bodies are parsed by the library's position-keeping parser, so a bad field is reported at
its line and column in the body, with the same Problem shape as the CLI. The OpenAPI schema is made
from these models and the library's own ``Decision`` (see ``openapi_schema`` in app.py).
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from pathrules.decision import Decision, Outcome
from pathrules.errors import Problem
from pathrules.located_errors import problems_from
from pathrules.policy.fields import StrictDate
from pathrules.record.model import Record
from pathrules.web.accounts import Account
from pathrules.web.deps import api_role, services
from pathrules.web.problems import WebError, from_input_error
from pathrules.web.problems import not_found as _not_found
from pathrules.yamlsource import Located, load_text

router = APIRouter(prefix="/v1", tags=["v1"])
BODY = "request body"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)


class DecideRequest(_Strict):
    policy: str = Field(description="The policy id (see GET /v1/policies).")
    role: str
    from_role: str | None = Field(default=None, description="For a progression: the role the person holds now.")
    as_of: StrictDate | None = Field(default=None, description="The day to decide for (YYYY-MM-DD); default today.")
    record: Record


class BatchRequest(_Strict):
    policy: str
    role: str
    from_role: str | None = None
    as_of: StrictDate | None = None
    records: list[Record] = Field(description="One result per record, in order; a record that does not load gets its problems instead.")


class _BatchEnvelope(_Strict):
    policy: str
    role: str
    from_role: str | None = None
    as_of: StrictDate | None = None
    records: list[Any]


class Decided(BaseModel):
    id: str = Field(description="The decision's id in the audit trail.")
    decision: Decision


class ProblemModel(BaseModel):
    code: str
    message: str
    file: str
    line: int | None
    column: int | None
    path: str
    help: str | None


class BatchItem(BaseModel):
    index: int
    id: str | None = None
    outcome: Outcome | None = None
    decision: Decision | None = None
    problems: list[ProblemModel] = Field(default_factory=list)


class BatchResponse(BaseModel):
    results: list[BatchItem]


class RoleSummary(BaseModel):
    id: str
    title: str


class PolicySummary(BaseModel):
    id: str
    organisation: str
    version: str
    digest: str
    effective_from: _dt.date
    roles: list[RoleSummary]


class AuditEntry(BaseModel):
    event: dict[str, Any]
    decision: Decision | None
    overrides: list[dict[str, Any]]


class ProblemDetails(BaseModel):
    """RFC 9457 problem details, with the located problems the CLI prints."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    instance: str | None = None
    problems: list[ProblemModel]


ERRORS: dict[int | str, dict[str, Any]] = {
    s: {"model": ProblemDetails, "content": {"application/problem+json": {}}} for s in (401, 403, 404, 413, 422)
}


async def _located_body(request: Request) -> Located:
    raw = await request.body()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise from_input_error([Problem("encoding", f"the body is not UTF-8 (at byte {err.start})", BODY)], "request body") from None
    located, problems = load_text(text, BODY)
    if located is None:
        raise from_input_error(problems, "request body")
    return located


def _validate(model: type[_Strict], located: Located) -> Any:
    if not isinstance(located.data, dict):
        raise from_input_error([located.problem("not-a-mapping", "expected a JSON object", ())], "request body")
    try:
        return model.model_validate(located.data)
    except ValidationError as err:
        raise from_input_error(problems_from(err, located, model, show_input=False), "request body") from None


def _body(model: type[BaseModel]) -> dict[str, Any]:
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}}}}


@router.get("/policies", response_model=list[PolicySummary], responses=ERRORS)
def list_policies(request: Request, account: Account = Depends(api_role(None))) -> list[PolicySummary]:
    library = services(request).library
    out = []
    for policy_id in library.policy_ids():
        loaded = library.current(policy_id)
        roles = [RoleSummary(id=r, title=role.title) for r, role in loaded.policy.roles.items()]
        out.append(PolicySummary(id=loaded.id, organisation=loaded.policy.organisation, version=loaded.version, digest=loaded.digest, effective_from=loaded.policy.effective_from, roles=roles))
    return out


@router.post("/decisions", response_model=Decided, responses=ERRORS, openapi_extra=_body(DecideRequest), status_code=201)
async def decide(request: Request, account: Account = Depends(api_role("coordinator"))) -> Decided:
    located = await _located_body(request)
    body: DecideRequest = _validate(DecideRequest, located)
    library = services(request).library
    try:
        stored, decision = await run_in_threadpool(
            library.decide, body.record, body.policy, body.role, as_of=body.as_of or _dt.date.today(), from_role=body.from_role, by=account.name
        )
    except WebError as err:
        raise _placed(err, located, ("record",)) from None
    return Decided(id=stored, decision=decision)


def _placed(err: WebError, located: Located, prefix: tuple[str | int, ...]) -> WebError:
    """``err`` with its problems (found against the policy, after the record loaded) at their place in the body."""
    if not err.problems:
        return err
    return WebError(err.status, err.title, err.detail, err.code, located.placed(err.problems, prefix))


@router.post("/decisions/batch", response_model=BatchResponse, responses=ERRORS, openapi_extra=_body(BatchRequest))
async def decide_batch(request: Request, account: Account = Depends(api_role("coordinator"))) -> BatchResponse:
    located = await _located_body(request)
    envelope: _BatchEnvelope = _validate(_BatchEnvelope, located)
    svc = services(request)
    if len(envelope.records) > svc.settings.max_api_batch:
        raise WebError(413, "Too many records", f"{len(envelope.records)} records; the limit is {svc.settings.max_api_batch} per request", "too-many-records")
    svc.library.role(envelope.policy, envelope.role)
    return await run_in_threadpool(_decide_batch, svc, located, envelope, account.name)


def _decide_batch(svc: Any, located: Located, envelope: _BatchEnvelope, by: str) -> BatchResponse:
    results = []
    for index, data in enumerate(envelope.records):
        prefix = ("records", index)
        sub = Located(data, BODY, {k[2:]: v for k, v in located.values.items() if k[:2] == prefix}, {k[2:]: v for k, v in located.keys.items() if k[:2] == prefix})
        try:
            record = Record.model_validate(data)
        except ValidationError as err:
            problems = [_prefixed(p, index) for p in problems_from(err, sub, Record, show_input=False)]
            results.append(BatchItem(index=index, problems=[ProblemModel(**p.to_dict()) for p in problems]))
            continue
        try:
            stored, decision = svc.library.decide(record, envelope.policy, envelope.role, as_of=envelope.as_of or _dt.date.today(), from_role=envelope.from_role, by=by)
        except WebError as err:
            found = _placed(err, located, ("records", index)).problems or [Problem(err.code, err.detail, BODY, path=f"records[{index}]")]
            results.append(BatchItem(index=index, problems=[ProblemModel(**problem.to_dict()) for problem in found]))
            continue
        results.append(BatchItem(index=index, id=stored, outcome=decision.outcome, decision=decision))
    return BatchResponse(results=results)


def _prefixed(problem: Problem, index: int) -> Problem:
    path = f"records[{index}]" + (("." + problem.path) if problem.path and not problem.path.startswith("[") else problem.path)
    return Problem(problem.code, problem.message, problem.file, problem.line, problem.column, path, problem.help)


@router.get("/audit/{event_id}", response_model=AuditEntry, responses=ERRORS)
def audit_entry(request: Request, event_id: str, account: Account = Depends(api_role("auditor"))) -> AuditEntry:
    with services(request).library.store() as store:
        event = store.get(event_id)
        overrides = [{"event": o.meta, "reason": (o.payload or {}).get("reason")} for o in store.overrides_of(event.id)]
    if event.meta is None:
        raise _not_found(event_id)
    return AuditEntry(event=event.meta, decision=event.decision(), overrides=overrides)
