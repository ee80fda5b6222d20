"""Evaluate a record against a policy as of a date and assemble a Decision that explains itself."""

from __future__ import annotations

import datetime as _dt
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pathrules._version import __version__
from pathrules.decision import (
    ActivityResult,
    Condition,
    Decision,
    EngineRef,
    Outcome,
    PolicyRef,
    RequirementResult,
    Status,
    Target,
    worse,
)
from pathrules.engine.program import Engine, PythonEngine
from pathrules.errors import EvaluationError, PathrulesError
from pathrules.evaluation.duties import DutyPrograms, evaluate_duties
from pathrules.evaluation.targets import CompiledTarget, Mode, Slot, compile_target
from pathrules.kinds import kind_for
from pathrules.kinds.base import LABELS, Context, Derived, long_date
from pathrules.policy.loader import LoadedPolicy
from pathrules.record.loader import RecordInput, load_record, record_digest
from pathrules.record.model import Record

EngineChoice = Literal["auto", "durable", "python"]
ONE_DAY = _dt.timedelta(days=1)
_STATUS_OUTCOME: dict[Status, Outcome] = {
    "met": "eligible",
    "owed": "conditional",
    "pending": "pending",
    "not_met": "not_yet",
    "review": "review",
    "blocked": "ineligible",
}


def make_engine(choice: EngineChoice | Engine = "auto") -> Engine:
    """durable-rules where it imports (the production engine), else the Python oracle for ``auto``."""
    if not isinstance(choice, str):
        return choice
    from pathrules.engine import durable_engine

    if choice == "python" or (choice == "auto" and not durable_engine.available()):
        return PythonEngine()
    return durable_engine.DurableEngine()


@dataclass(frozen=True)
class Failed:
    """One input of a batch that could not be evaluated, with why."""

    index: int
    error: PathrulesError


class Evaluator:
    """Evaluates records against loaded policies; safe to share between threads."""

    def __init__(
        self,
        policies: LoadedPolicy | Sequence[LoadedPolicy],
        engine: EngineChoice | Engine = "auto",
        *,
        enforce_dates: bool = True,
    ) -> None:
        """``enforce_dates=False`` evaluates on the newest version whatever its dates (for tests and diffs)."""
        self.policies: list[LoadedPolicy] = [policies] if isinstance(policies, LoadedPolicy) else list(policies)
        if not self.policies:
            raise EvaluationError("no policies loaded")
        self.engine = make_engine(engine)
        self._targets: dict[tuple[str, str, Mode, str | None], CompiledTarget] = {}
        self._lock = threading.Lock()
        self.enforce_dates = enforce_dates
        self._duties = DutyPrograms()

    # ---- choosing the policy version and the target ---------------------------------------------

    def policy_ids(self) -> list[str]:
        return sorted({p.id for p in self.policies})

    def policy_for(self, as_of: _dt.date, policy_id: str | None = None) -> LoadedPolicy:
        """The version in force on ``as_of``: the latest whose effective dates cover it."""
        ids = self.policy_ids()
        if policy_id is None:
            if len(ids) > 1:
                raise EvaluationError(f"several policies are loaded ({', '.join(ids)}); say which one")
            policy_id = ids[0]
        versions = [p for p in self.policies if p.id == policy_id]
        if not versions:
            raise EvaluationError(f"no policy `{policy_id}` is loaded; loaded: {', '.join(ids)}")
        if not self.enforce_dates:
            return max(versions, key=lambda p: (p.policy.effective_from, p.version))
        in_force = [p for p in versions if p.policy.in_force(as_of)]
        if not in_force:
            first = min(p.policy.effective_from for p in versions)
            hint = f"its earliest version starts on {first}" if as_of < first else "every version has ended by then"
            raise EvaluationError(f"no version of policy `{policy_id}` is in force on {as_of}; {hint}")
        return max(in_force, key=lambda p: (p.policy.effective_from, p.version))

    def _target(self, loaded: LoadedPolicy, role: str, mode: Mode, from_role: str | None) -> CompiledTarget:
        key = (loaded.digest, role, mode, from_role)
        with self._lock:
            target = self._targets.get(key)
            if target is None:
                target = compile_target(loaded, role, mode, from_role)
                self._targets[key] = target
        return target

    # ---- evaluation --------------------------------------------------------------------------

    def evaluate(
        self,
        record: RecordInput,
        role: str,
        *,
        as_of: _dt.date | None = None,
        from_role: str | None = None,
        policy_id: str | None = None,
    ) -> Decision:
        """Decide whether the person can start in ``role`` (or progress to it from ``from_role``)."""
        person = load_record(record)
        day = as_of or _dt.date.today()
        loaded = self.policy_for(day, policy_id)
        spell = _current_spell(person, role, day, loaded.id)
        mode: Mode = "progression" if from_role else ("continuation" if spell else "entry")
        target = self._target(loaded, role, mode, from_role)
        if spell is not None:
            start = spell
        else:
            start = max(day, person.proposed_start) if person.proposed_start else day
        ctx = Context(person, loaded.policy, day, start)
        derived = {slot.key: kind_for(slot.requirement.kind).derive(slot.requirement, ctx) for slot in target.slots}
        fired = self.engine.run(target.program, {key: d.facts for key, d in derived.items()})
        results = {slot.key: _result(slot, derived[slot.key], fired[slot.key], ctx) for slot in target.slots}
        decision = _assemble(loaded, target, person, ctx, results, self.engine)
        owes = evaluate_duties(self._duties, self.engine, loaded, role, ctx, in_post=spell is not None)
        return decision.model_copy(update={"service_owes": owes}) if owes else decision

    def evaluate_many(
        self,
        records: Iterable[RecordInput],
        role: str,
        *,
        as_of: _dt.date | None = None,
        from_role: str | None = None,
        policy_id: str | None = None,
    ) -> Iterator[Decision | Failed]:
        """One result per input, in order: a Decision or a Failed naming what was wrong."""
        for index, record in enumerate(records):
            try:
                yield self.evaluate(record, role, as_of=as_of, from_role=from_role, policy_id=policy_id)
            except PathrulesError as err:
                yield Failed(index, err)


def _current_spell(record: Record, role: str, as_of: _dt.date, policy_id: str) -> _dt.date | None:
    """Start of the person's spell in ``role`` with this organisation that is ongoing on ``as_of``, if any."""
    starts = [s.started_on for s in record.roles_held if s.is_for(role, policy_id) and s.ongoing_on(as_of)]
    return max(starts) if starts else None


def _status(slot: Slot, fired: frozenset[str], ctx: Context) -> tuple[Status, _dt.date | None]:
    requirement = slot.requirement
    status: Status = next((label for label in LABELS if label in fired), "not_met")
    due = None
    if status in ("not_met", "pending") and requirement.due_after_start is not None:
        due = requirement.due_after_start.after(ctx.start)
        status = "owed" if ctx.as_of <= due else "not_met"  # past its due date, waiting is no longer enough
    if status == "not_met" and requirement.discretionary:
        status = "review"
    return status, due


def _result(slot: Slot, derived: Derived[Any], fired: frozenset[str], ctx: Context) -> RequirementResult:
    requirement = slot.requirement
    status, due = _status(slot, fired, ctx)
    kind = kind_for(requirement.kind)
    explain_as: Status = "not_met" if status == "owed" else status
    if status == "review" and "review" not in fired:
        explain_as = "not_met"  # discretionary: explain the gap, then say who decides
    reason, next_step = kind.explain(requirement, derived, explain_as, ctx)
    if status == "owed" and due is not None:
        reason += f" You can start without it; it is due by {long_date(due)}."
    elif due is not None and status == "not_met":
        reason += f" It was due by {long_date(due)}."
    if status == "review" and requirement.discretionary and "review" not in fired:
        reason += " The policy leaves room for discretion here, so a manager decides and records why."
        next_step = "A manager reviews this and records the decision and the reason."
    met_on = derived.met_on if status in ("not_met", "review") else None
    valid_until = derived.lapses_on - ONE_DAY if status == "met" and derived.lapses_on else None
    return RequirementResult(
        id=requirement.id,
        kind=requirement.kind,
        stage=slot.stage,
        status=status,
        reason=reason,
        evidence=derived.evidence,
        next_step=next_step,
        because=requirement.because,
        met_on=met_on,
        valid_until=valid_until,
        due=due if status in ("owed", "not_met") else None,
    )


def _assemble(
    loaded: LoadedPolicy,
    target: CompiledTarget,
    record: Record,
    ctx: Context,
    results: dict[str, RequirementResult],
    engine: Engine,
) -> Decision:
    from pathrules.engine.durable_engine import DURABLE_VERSION

    policy = loaded.policy
    role = policy.roles[target.role]
    main = [results[s.key] for s in target.slots if s.activity is None]
    activities: list[ActivityResult] = []
    for activity_id, activity in role.activities.items():
        own = [results[s.key] for s in target.slots if s.activity == activity_id]
        blocking = [r for r in own if r.status != "met"]
        reason = "Allowed." if not blocking else "Not yet. " + blocking[0].reason
        activities.append(ActivityResult(id=activity_id, title=activity.title, allowed=not blocking, reason=reason, requirements=own))

    outcome: Outcome = "eligible"
    for result in main:
        outcome = worse(outcome, _STATUS_OUTCOME[result.status])
    if outcome == "eligible" and any(not a.allowed for a in activities):
        outcome = "conditional"

    time_dates = [r.met_on for r in main if r.met_on is not None and r.status == "not_met"]
    gaps_close = max(time_dates) if time_dates else None
    valid_until = [r.valid_until for r in main if r.valid_until is not None]
    eligible_until = min(valid_until) if valid_until else None
    eligible_from: _dt.date | None = None
    if outcome in ("eligible", "conditional"):
        eligible_from = ctx.as_of
    elif outcome == "not_yet" and all(r.status in ("met", "owed") or (r.status == "not_met" and r.met_on) for r in main):
        if gaps_close is not None and (eligible_until is None or eligible_until >= gaps_close):
            eligible_from = gaps_close

    conditions = [
        Condition(requirement=r.id, due=r.due, what=r.next_step or r.reason) for r in main if r.status == "owed" and r.due is not None
    ]
    order = {"blocked": 0, "review": 1, "not_met": 2, "pending": 3, "owed": 4, "met": 5}
    next_steps: list[str] = []
    for result in sorted(main, key=lambda r: order[r.status]):
        if result.status != "met" and result.next_step and result.next_step not in next_steps:
            next_steps.append(result.next_step)
    title = role.title
    decision_target = Target(role=target.role, title=title, from_role=target.from_role)
    stage = "progression" if target.mode == "progression" else target.mode
    return Decision(
        outcome=outcome,
        summary=_summary(outcome, title, main, activities, eligible_from, gaps_close, ctx),
        person=record.person,
        target=decision_target,
        stage=stage,
        as_of=ctx.as_of,
        start_date=ctx.start,
        eligible_from=eligible_from,
        time_gaps_close_on=gaps_close if outcome != "eligible" else None,
        eligible_until=eligible_until,
        requirements=main,
        conditions=conditions,
        activities=activities,
        never=list(role.never),
        next_steps=next_steps,
        policy=PolicyRef(id=policy.policy, version=policy.version, digest=loaded.digest, organisation=policy.organisation),
        record_digest=record_digest(record),
        engine=EngineRef(name=engine.name, version=engine.version if engine.name != "python" else f"python (durable-rules {DURABLE_VERSION})", pathrules=__version__),
    )


def _summary(
    outcome: Outcome,
    title: str,
    main: list[RequirementResult],
    activities: list[ActivityResult],
    eligible_from: _dt.date | None,
    gaps_close: _dt.date | None,
    ctx: Context,
) -> str:
    open_items = [r for r in main if r.status not in ("met", "owed")]
    count = len(open_items)
    things = f"{count} requirement{'s' if count != 1 else ''}"
    if outcome == "eligible":
        return f"Can start as {title}: every requirement is met."
    if outcome == "conditional":
        owed = [r for r in main if r.status == "owed"]
        held_back = [a for a in activities if not a.allowed]
        parts = []
        if owed:
            parts.append(f"{len(owed)} thing{'s' if len(owed) != 1 else ''} to complete after starting")
        if held_back:
            parts.append(f"{len(held_back)} activit{'ies' if len(held_back) != 1 else 'y'} not yet allowed")
        return f"Can start as {title}, with {' and '.join(parts)}."
    if outcome == "not_yet":
        when = f"; if nothing else changes, from {long_date(eligible_from)}" if eligible_from else ""
        return f"Not yet able to start as {title}: {things} still to meet{when}."
    if outcome == "pending":
        return f"Waiting on an outside process before starting as {title} (a check or a reference)."
    if outcome == "review":
        return f"A manager needs to review part of this application for {title} before a decision."
    return f"This policy does not allow starting as {title}; the reasons are below, and other roles may fit."
