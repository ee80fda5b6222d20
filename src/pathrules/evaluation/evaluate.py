"""Evaluate a record against a policy as of a date and assemble a Decision that explains itself."""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pathrules._version import __version__
from pathrules.decision import (
    ActivityResult,
    Decision,
    EngineRef,
    Outcome,
    Owed,
    RequirementResult,
    Status,
    Target,
    fields_now,
)
from pathrules.engine.program import Engine, PythonEngine
from pathrules.errors import EvaluationError, PathrulesError, RecordError
from pathrules.entitlements.evaluate import EntitlementLine, entitlements_for
from pathrules.evaluation.duties import DutyPrograms
from pathrules.evaluation.letter import Plain, letter_for, sentence_for
from pathrules.evaluation.summaries import summary
from pathrules.evaluation.service_side import with_service_side
from pathrules.evaluation.targets import CompiledTarget, Mode, Slot, compile_target
from pathrules.fork_safety import ForkSafeLock
from pathrules.kinds import kind_of
from pathrules.kinds.base import LABELS, Context, Derived, long_date
from pathrules.kinds.placement import Placement
from pathrules.policy.loader import LoadedPolicy
from pathrules.policy.model import Activity
from pathrules.record.as_of import as_it_stood
from pathrules.record.attributes import attribute_problems
from pathrules.record.loader import RecordInput, load_record, record_digest
from pathrules.record.model import Record
from pathrules.vocabulary import STATUSES, worst

EngineChoice = Literal["auto", "durable", "python"]
ONE_DAY = _dt.timedelta(days=1)
REFUSED: frozenset[Status] = frozenset({"not_met", "review", "blocked"})


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
        self._lock = ForkSafeLock()  # a fork while another thread compiles must not hang the child
        self.enforce_dates = enforce_dates
        self._duties = DutyPrograms()

    # ---- choosing the policy version and the target ---------------------------------------------

    def policy_ids(self) -> list[str]:
        return sorted({p.id for p in self.policies})

    def policy_for(self, as_of: _dt.date, policy_id: str | None = None) -> LoadedPolicy:
        """The version in force on ``as_of``: the latest whose effective dates cover it."""
        if len(self.policies) == 1:  # the usual case, decided without building the lists below
            only = self.policies[0]
            if (policy_id is None or policy_id == only.id) and (not self.enforce_dates or only.policy.in_force(as_of)):
                return only
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
        target = self._targets.get(key)  # compiled already, as for every evaluation after the first: no lock
        if target is None:
            with self._lock:  # compiled once, even when several threads ask at once
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
        placement: str | None = None,
    ) -> Decision:
        """Decide whether the person can start in ``role`` (or progress to it from ``from_role``).

        ``placement`` (a team, or ``service/team``) decides for that placement: a placement bar then
        applies to it alone, and other placements stay open."""
        given = load_record(record)
        day = as_of or _dt.date.today()
        person = as_it_stood(given, day)  # the one place "as of" is enforced: no kind sees a later event
        loaded = self.policy_for(day, policy_id)
        if given.attributes and loaded.policy.attributes:
            mistyped = attribute_problems(given.attributes, loaded.policy.attributes)
            if mistyped:  # bad input, never read as "not recorded"
                raise RecordError(mistyped)
        spell = _current_spell(person, role, day, loaded.id)
        mode: Mode = "progression" if from_role else ("continuation" if spell else "entry")
        target = self._target(loaded, role, mode, from_role)
        if spell is not None:
            start = spell
        else:
            start = max(day, person.proposed_start) if person.proposed_start else day
        if placement is not None:
            Placement.parse(placement)  # a bad placement is bad input even where no bar looks at it
        ctx = Context(person, loaded.policy, day, start, placement)
        words = Plain(loaded.policy, person)
        derived = {key: derive(requirement, ctx) for key, derive, requirement in target.derivations}
        fired = self.engine.run(target.program, {key: d.facts for key, d in derived.items()})
        results = {slot.key: _result(slot, derived[slot.key], fired[slot.key], ctx, mode, words) for slot in target.slots}
        decision = _assemble(loaded, target, given, ctx, results, derived, self.engine, words)
        decision = with_service_side(decision, self._duties, self.engine, loaded, role, ctx, in_post=spell is not None)
        if placement is None:
            return decision
        update: dict[str, Any] = {"target": decision.target.model_copy(update={"placement": placement})}
        blocked = [r for r in decision.requirements if r.status == "blocked"]
        if blocked and all(r.kind == "placement_bar" for r in blocked):
            update["summary"] = f"Not in this placement: {decision.target.title} in {placement} is barred under this policy; other placements stay open."
        return decision.model_copy(update=update)

    def entitlements(
        self,
        record: RecordInput,
        role: str,
        *,
        day: _dt.date | None = None,
        hours: Decimal | str | int = 0,
        activity: str | None = None,
        policy_id: str | None = None,
    ) -> list[EntitlementLine]:
        """What a day of ``hours`` in ``role`` entitles the person to, each line with its reason (see docs/policy-language.md)."""
        on = day or _dt.date.today()
        loaded = self.policy_for(on, policy_id)
        if role not in loaded.policy.roles:
            raise EvaluationError(f"policy `{loaded.id}` has no role `{role}`; roles: {', '.join(loaded.policy.roles)}")
        if isinstance(hours, float):
            raise EvaluationError("give hours as text or Decimal (e.g. '3.5'), not a float")
        try:
            worked = Decimal(hours)
        except ArithmeticError:
            raise EvaluationError(f"hours must be a number, e.g. 3.5; got `{hours}`") from None
        if not worked.is_finite() or worked < 0 or worked > 24:
            raise EvaluationError("hours must be between 0 and 24")
        return entitlements_for(loaded.policy, as_it_stood(load_record(record), on), role, on, worked, activity)

    def evaluate_many(
        self,
        records: Iterable[RecordInput],
        role: str,
        *,
        as_of: _dt.date | None = None,
        from_role: str | None = None,
        policy_id: str | None = None,
        placement: str | None = None,
    ) -> Iterator[Decision | Failed]:
        """One result per input, in order: a Decision or a Failed naming what was wrong."""
        for index, record in enumerate(records):
            try:
                yield self.evaluate(record, role, as_of=as_of, from_role=from_role, policy_id=policy_id, placement=placement)
            except PathrulesError as err:
                yield Failed(index, err)


def _current_spell(record: Record, role: str, as_of: _dt.date, policy_id: str) -> _dt.date | None:
    """Start of the person's spell in ``role`` with this organisation that is ongoing on ``as_of``, if any."""
    starts = [s.started_on for s in record.roles_held if s.is_for(role, policy_id) and s.ongoing_on(as_of)]
    return max(starts) if starts else None


_DECIDED_NOW = frozenset({"id", "kind", "stage", "status", "because", "met_on", "valid_until", "due", "decided_by", "source"})


def _result(slot: Slot, derived: Derived[Any], fired: frozenset[str], ctx: Context, mode: Mode, words: Plain) -> RequirementResult:
    """The requirement's status and dates now; its reason, next step and sentence for the person when first read."""
    requirement_id, kind, stage, because, source, after_start, decided_by = slot.fixed
    status: Status = "not_met"
    for label in LABELS:  # the first label that fired, in precedence
        if label in fired:
            status = label
            break
    due = derived.due_on if status == "owed" else None  # a kind's own due date, from the record
    if after_start is not None and (status == "not_met" or status == "pending"):
        due = after_start.after(ctx.start)
        status = "owed" if ctx.as_of <= due else "not_met"  # past its due date, waiting is no longer enough
    fields: dict[str, Any] = {
        "id": requirement_id,
        "kind": kind,
        "stage": stage,
        "status": status,
        "because": because,
        "met_on": derived.met_on if status in ("not_met", "review", "owed") else None,
        "valid_until": derived.lapses_on - ONE_DAY if status == "met" and derived.lapses_on else None,
        "due": due if status in ("owed", "not_met") else None,
        "decided_by": decided_by if status == "not_met" else None,
        "source": source,
    }
    return RequirementResult.deferred(fields, lambda made: _explained(made, slot, derived, fired, ctx, mode, words), _DECIDED_NOW)


def _explained(made: RequirementResult, slot: Slot, derived: Derived[Any], fired: frozenset[str], ctx: Context, mode: Mode, words: Plain) -> dict[str, Any]:
    """A requirement result's words: why, what to do next, and one sentence for the person."""
    requirement = slot.requirement
    status, due, decided_by = made.status, made.due, made.decided_by
    kind = kind_of(requirement)
    explain_as: Status = status
    if status == "owed":
        explain_as = "pending" if "pending" in fired else "not_met"  # owed is not missing: explain what is in hand
    reason, next_step = kind.explain(requirement, derived, explain_as, ctx)
    if status == "owed" and due is not None:
        reason += f" {'You can start without it; it' if mode == 'entry' else 'It'} is due by {long_date(due)}."
    elif due is not None and status == "not_met":
        reason += f" It was due by {long_date(due)}."
    if decided_by is not None:
        who = decided_by.replace("-", " ")
        change = "an earlier start" if mode == "entry" else "an exception"
        reason += f" The policy leaves room for discretion here: the {who} may agree {change} and records why."
    said: dict[str, Any] = {"reason": reason, "evidence": derived.evidence, "next_step": next_step, "for_person": None}
    if status == "met":  # nothing to say to the person about a requirement that is met
        return said
    own = kind.for_person(requirement, derived, status, ctx)
    if own:
        said["for_person"] = words(own)
        return said
    draft = RequirementResult.assembled({**fields_now(made), **said})  # every field: no reordering for a draft
    said["for_person"] = sentence_for(draft, slot.asked, words, mode)
    return said


Judged = tuple[RequirementResult, Derived[Any]]  # a requirement's result, with what it was judged on


def _refused_evidence(own: Judged, refused: Mapping[str, list[Judged]]) -> RequirementResult | None:
    """A role requirement of the same kind, resting on the same evidence, that the role does not accept
    (``refused``: the role's refused requirements by kind)."""
    result, derived = own
    candidates = refused.get(result.kind)
    if not candidates:  # the usual case, without writing any evidence
        return None
    sources = derived.sources
    for other, judged_on in candidates:
        if sources & judged_on.sources:
            return other
    return None


def _refused(judged: Judged, refused: RequirementResult) -> RequirementResult:
    """A result not met, because the role refuses the evidence it rests on; its words are ``refused``'s
    (and its evidence its own, from what it was judged on: the result it replaces is never read)."""
    result, derived = judged
    fields = {name: value for name, value in fields_now(result).items() if name not in ("reason", "evidence", "next_step", "for_person")}
    fields.update({"status": "not_met", "valid_until": None})

    def later(_made: RequirementResult) -> dict[str, Any]:
        return {
            "reason": f"The role does not accept the evidence this rests on ({refused.id}): {refused.reason}",
            "evidence": derived.evidence,
            "next_step": refused.next_step,
            "for_person": refused.for_person,
        }

    return RequirementResult.deferred(fields, later)


def _activity(activity_id: str, activity: Activity, cited_as: str | None, own: list[Judged], refused_by_kind: Mapping[str, list[Judged]]) -> ActivityResult:
    """Evidence that the role refuses never unlocks one of its activities."""
    checked: list[RequirementResult] = []
    for judged in own:
        result = judged[0]
        refused = _refused_evidence(judged, refused_by_kind) if refused_by_kind and result.status == "met" else None
        checked.append(result if refused is None else _refused(judged, refused))
    blocking = [r for r in checked if r.status != "met"]
    fields = {"id": activity_id, "title": activity.title, "allowed": not blocking, "requirements": checked, "source": cited_as}
    return ActivityResult.deferred(fields, lambda _made: {"reason": "Allowed." if not blocking else "Not yet. " + blocking[0].reason})


def _assemble(
    loaded: LoadedPolicy,
    target: CompiledTarget,
    record: Record,
    ctx: Context,
    results: dict[str, RequirementResult],
    derived: dict[str, Derived[Any]],
    engine: Engine,
    words: Plain,
) -> Decision:
    """The outcome and its dates now; the summary, what is owed, next steps, the letter and the record's
    digest when first read."""
    policy = loaded.policy
    role = policy.roles[target.role]
    main = [results[key] for key in target.main_keys]
    refused_by_kind: dict[str, list[Judged]] = {}
    for key, result in zip(target.main_keys, main):
        if result.status in REFUSED:
            refused_by_kind.setdefault(result.kind, []).append((result, derived[key]))
    activities = [
        _activity(activity_id, activity, target.activity_cited.get(activity_id), [(results[key], derived[key]) for key in target.activity_keys.get(activity_id, ())], refused_by_kind)
        for activity_id, activity in role.activities.items()
    ]

    outcome = worst([r.status for r in main])
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
        # an owed date that will not move (one agreed with the person, or any while in post) must still be
        # ahead on the day promised; a due-after-start date moves with a start that has not happened yet
        fixed_dues = [
            results[s.key].due
            for s in target.slots
            if s.activity is None and results[s.key].status == "owed" and (s.requirement.due_after_start is None or target.mode == "continuation")
        ]
        if gaps_close is not None and (eligible_until is None or eligible_until >= gaps_close) and all(d is None or d >= gaps_close for d in fixed_dues):
            eligible_from = gaps_close

    fields: dict[str, Any] = dict(
        outcome=outcome,
        person=record.person,
        target=target.decision_target,
        stage=target.mode,
        as_of=ctx.as_of,
        start_date=ctx.start,
        eligible_from=eligible_from,
        time_gaps_close_on=gaps_close if outcome != "eligible" else None,
        eligible_until=eligible_until,
        requirements=main,
        activities=activities,
        never=list(role.never),
        policy=target.policy_ref,
        engine=_engine_ref(engine),
    )
    return Decision.deferred(fields, lambda made: _explained_decision(made, loaded, target, record, words))


def _explained_decision(made: Decision, loaded: LoadedPolicy, target: CompiledTarget, record: Record, words: Plain) -> dict[str, Any]:
    """A decision's words: its summary, what is owed, the next steps, the letter; and the record's digest."""
    policy = loaded.policy
    main: list[RequirementResult] = made.requirements
    conditions = [_owed(r) for r in main if r.status == "owed" and r.due is not None]
    next_steps: list[str] = []
    for result in sorted(main, key=lambda r: STATUSES[r.status].attention):
        if result.status != "met" and result.next_step and result.next_step not in next_steps:
            next_steps.append(result.next_step)
    from_title = policy.roles[target.from_role].title if target.from_role and target.from_role in policy.roles else None
    title = made.target.title
    said = summary(made.outcome, made.stage, title, main, made.activities, made.eligible_from, from_title)
    found: dict[str, Any] = {"summary": said, "conditions": conditions, "next_steps": next_steps, "record_digest": record_digest(record)}
    draft = Decision.assembled({**fields_now(made), **found, "letter": None})  # every field: no reordering for a draft
    found["letter"] = letter_for(draft, policy, words)
    return found


_ENGINE_REFS: dict[tuple[str, str], EngineRef] = {}


def _engine_ref(engine: Engine) -> EngineRef:
    """Who decided: the same few values for every decision, so built once each."""
    key = (engine.name, engine.version)
    ref = _ENGINE_REFS.get(key)
    if ref is None:
        from pathrules.engine.durable_engine import DURABLE_VERSION

        version = engine.version if engine.name != "python" else f"python (durable-rules {DURABLE_VERSION})"
        ref = _ENGINE_REFS[key] = EngineRef(name=engine.name, version=version, pathrules=__version__)
    return ref


def _owed(result: RequirementResult) -> Owed:
    """What is owed, by when, what is in hand, and whether time still allows it by the due date."""
    assert result.due is not None
    in_hand = "; ".join(f"{e.label}: {e.value}" for e in result.evidence if e.value not in (None, "", 0, "none recorded", "not recorded"))
    late = result.met_on is not None and result.met_on > result.due
    return Owed.assembled(
        {
            "requirement": result.id,
            "due": result.due,
            "what": result.next_step or result.reason,
            "in_hand": in_hand or None,
            "earliest": result.met_on,
            "can_be_met_in_time": not late,
        }
    )
