"""Decision deadlines at entry: what is waiting on the service, since when, and whether it is overdue.

The clock of a deadline starts on a dated event in the record as it stood on the day asked:
``checks_in`` is the latest date among the pre-start checks (vetting, references, approvals, identity)
once every entry requirement of those kinds is met; ``{returned: scheme}`` is the issue date of the
newest certificate of that scheme. The decision is recorded as an approval of ``recorded_as`` by the
deciding role (or the second-opinion role). Deadlines are dates, not engine conditions: they never
change the person's outcome; an overdue one is reported as a service duty that has fallen behind.
"""

from __future__ import annotations

import datetime as _dt
from typing import Literal

from pathrules.decision import Decision, DutyResult, ServiceWait
from pathrules.kinds.base import Context, long_date
from pathrules.policy.deadlines import CheckReturned, DecisionDeadline
from pathrules.policy.loader import LoadedPolicy

CHECK_KINDS = frozenset({"vetting", "references", "approvals", "identity"})
ONE_DAY = _dt.timedelta(days=1)
WaitStatus = Literal["waiting", "overdue", "decided"]


def evaluate_deadlines(loaded: LoadedPolicy, role: str, ctx: Context, decision: Decision, in_post: bool) -> tuple[list[ServiceWait], list[DutyResult]]:
    """(what is waiting on the service, the overdue ones as duties); nothing once the person is in post."""
    deadlines = loaded.policy.roles[role].decisions
    if in_post or not deadlines:
        return [], []
    waits: list[ServiceWait] = []
    overdue: list[DutyResult] = []
    for deadline in deadlines:
        start = _clock_start(deadline, ctx, decision)
        if start is None:
            continue
        due = deadline.within.after(start)
        deciders = {deadline.decided_by} | ({deadline.second_opinion} if deadline.second_opinion else set())
        made = sorted(a.approved_on for a in ctx.record.approvals if a.item == deadline.recorded_as and a.approver in deciders and a.approved_on <= ctx.as_of)
        status: WaitStatus = "decided" if made else ("overdue" if ctx.as_of > due else "waiting")
        wait = ServiceWait(
            id=deadline.id,
            what=deadline.title,
            decided_by=deadline.decided_by,
            second_opinion=deadline.second_opinion,
            status=status,
            since=start,
            due=due,
            decided_on=made[0] if made else None,
        )
        waits.append(wait)
        if status == "overdue":
            overdue.append(_as_duty(deadline, wait))
    return waits, overdue


def _as_duty(deadline: DecisionDeadline, wait: ServiceWait) -> DutyResult:
    who = deadline.decided_by.replace("-", " ")
    return DutyResult(
        id=deadline.id,
        kind="decision_deadline",
        status="behind",
        duty=f"the {who} decides {deadline.title} within {deadline.within}",
        reason=f"Waiting since {long_date(wait.since)}; the decision was due by {long_date(wait.due)} and is not recorded.",
        since=wait.due + ONE_DAY,
        next_step=f"The {who} decides and records it (approval `{deadline.recorded_as}`).",
        because=deadline.because,
    )


def _clock_start(deadline: DecisionDeadline, ctx: Context, decision: Decision) -> _dt.date | None:
    record = ctx.record
    if isinstance(deadline.after, CheckReturned):
        issued = [v.issued_on for v in record.vetting if v.scheme == deadline.after.returned and v.issued_on is not None]
        return max(issued) if issued else None
    checks = [r for r in decision.requirements if r.kind in CHECK_KINDS and r.stage == "entry"]
    if not checks or any(r.status != "met" for r in checks):
        return None
    dates: list[_dt.date] = []
    for check in record.vetting:
        dates += [d for d in (check.applied_on, check.issued_on) if d is not None]
    for reference in record.references:
        dates += [d for d in (reference.received_on, reference.approved_on) if d is not None]
    dates += [a.approved_on for a in record.approvals if a.item != deadline.recorded_as]
    if record.identity is not None:
        dates.append(record.identity.seen_in_person_on)
    return max(dates) if dates else None
