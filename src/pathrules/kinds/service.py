"""Kinds that describe what the service owes rather than what the person must do: an exit plan.

An exit plan is owed before a fixed-term role ends: agreed no later than ``agreed_before_end`` before
the end of the term that started with the person's current spell in the role. The record says when the
plan was agreed in a date attribute the policy declares (``agreed_on``), so the duty is checked as of
any day and the decision can say since when the service has been behind.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from pydantic import Field

from pathrules.decision import Evidence, Status
from pathrules.engine.ir import Cmp, Condition, FactValue, any_of
from pathrules.errors import Problem
from pathrules.kinds.base import Context, Derived, Kind, RequirementBase, flag, long_date, register
from pathrules.located_errors import suggestion
from pathrules.record.attributes import attribute_date
from pathrules.policy.fields import DurationField, Slug

if TYPE_CHECKING:
    from pathrules.policy.model import Policy
    from pathrules.yamlsource import Located, PathKey

ONE_DAY = _dt.timedelta(days=1)


class ExitPlan(RequirementBase):
    """An exit plan agreed a set time before a fixed-term role ends (a service duty)."""

    kind: Literal["exit_plan"]
    role: Slug = Field(description="The fixed-term role; its term runs from the start of the person's current spell.")
    term: DurationField = Field(description="The fixed term, e.g. `18 months`.")
    agreed_before_end: DurationField = Field(description="How long before the term ends the plan must be agreed.")
    agreed_on: Slug = Field(description="A `date` attribute of the record: the day the exit plan was agreed.")


@dataclass(frozen=True)
class ExitPlanDetail:
    started: _dt.date | None
    ends: _dt.date | None
    due: _dt.date | None
    agreed: _dt.date | None


def _subtract(duration: DurationField, end: _dt.date) -> _dt.date:
    """The latest day from which ``duration`` reaches ``end`` (durations count forward, so search back)."""
    day = end
    while duration.after(day) > end:
        day -= ONE_DAY
    return day


@register
class ExitPlanKind(Kind[ExitPlan, ExitPlanDetail]):
    model = ExitPlan
    facts = {"held": "integer", "agreed": "integer", "due_passed": "integer"}
    threshold_fields = ("term", "agreed_before_end")

    def check_references(self, req: ExitPlan, policy: Policy, located: Located, path: PathKey) -> list[Problem]:
        problems: list[Problem] = []
        if req.role not in policy.roles:
            problems.append(located.problem("unknown-role", f"no role named `{req.role}`", path + ("role",), help=suggestion(req.role, list(policy.roles))))
        declared = policy.attributes.get(req.agreed_on)
        if declared is None:
            problems.append(
                located.problem(
                    "unknown-attribute",
                    f"attribute `{req.agreed_on}` is not declared",
                    path + ("agreed_on",),
                    help=suggestion(req.agreed_on, list(policy.attributes)) or "declare it under `attributes:` with `type: date`",
                )
            )
        elif declared.type != "date":
            problems.append(located.problem("attribute-type", f"`{req.agreed_on}` is declared as {declared.type}; an exit plan needs a date", path + ("agreed_on",)))
        return problems

    def conditions(self, req: ExitPlan, policy: Policy) -> dict[str, Condition]:
        # owed only once the person holds the role; met while agreed, or while the due day is still ahead
        return {"met": any_of(Cmp("held", "==", 0), Cmp("agreed", "==", 1), Cmp("due_passed", "==", 0))}

    def derive(self, req: ExitPlan, ctx: Context) -> Derived[ExitPlanDetail]:
        spells = [s for s in ctx.record.roles_held if s.is_for(req.role, ctx.policy.policy) and s.ongoing_on(ctx.as_of)]
        spell = max(spells, key=lambda s: s.started_on) if spells else None
        agreed = attribute_date(ctx.record.attributes.get(req.agreed_on))  # a value that is not a date was refused as bad input
        if agreed is not None and agreed > ctx.as_of:
            agreed = None  # as of the day asked, not yet agreed
        started = spell.started_on if spell else None
        ends = req.term.after(started) if started else None
        due = _subtract(req.agreed_before_end, ends) if ends else None
        facts: dict[str, FactValue] = {
            "held": flag(spell is not None),
            "agreed": flag(agreed is not None),
            "due_passed": flag(due is not None and ctx.as_of > due),
        }
        evidence = [
            Evidence.of(label="exit plan agreed on", value=str(agreed) if agreed else "not recorded", threshold=f"at least {req.agreed_before_end} before the {req.term} term ends", source=f"attributes.{req.agreed_on}"),
        ]
        if ends is not None:
            evidence.append(Evidence.of(label="fixed term ends", value=str(ends), source="roles_held"))
        return Derived(facts=facts, evidence=evidence, detail=ExitPlanDetail(started=started, ends=ends, due=due, agreed=agreed))

    def behind_since(self, req: ExitPlan, derived: Derived[ExitPlanDetail], ctx: Context) -> _dt.date | None:
        due = derived.detail.due
        return due + ONE_DAY if due is not None else None

    def describe(self, req: ExitPlan, policy: Policy) -> str:
        return f"an exit plan agreed at least {req.agreed_before_end} before the {req.term} fixed term ends"

    def explain(self, req: ExitPlan, d: Derived[ExitPlanDetail], status: Status, ctx: Context) -> tuple[str, str | None]:
        detail = d.detail
        if detail.ends is None or detail.due is None:
            return "An exit plan is owed once the person is in the fixed-term role.", None
        when = f"The {req.term} term ends on {long_date(detail.ends)}; the exit plan is due by {long_date(detail.due)}."
        if detail.agreed is not None:
            return f"{when} It was agreed on {long_date(detail.agreed)}.", None
        if status == "met":
            return f"{when} Not agreed yet; there is still time.", None
        return f"{when} No exit plan is recorded.", "The service agrees an exit plan with the person and records the date."
