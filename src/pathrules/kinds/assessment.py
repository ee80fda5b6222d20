"""Assessments: a judgement recorded by a named role, not a count of days.

"Free from *problematic* drug and alcohol use" (thesis appendix 3) or "stable on prescribed
medication" cannot be read off dates of last use: someone judges it. The record holds assessments
(what, by whom -- a role --, on what date, the outcome); the policy names what must be assessed, by
which roles, and how long an assessment stays valid. The latest assessment by a named role counts:
a later "not met" replaces an earlier "met".
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from pydantic import Field

from pathrules.decision import Evidence, Status
from pathrules.engine.ir import Cmp, Condition, all_of
from pathrules.kinds.base import Context, Derived, Gate, Kind, RequirementBase, days, long_date, names, register
from pathrules.policy.fields import DurationField, Slug

if TYPE_CHECKING:
    from pathrules.policy.model import Policy
    from pathrules.record.model import Assessment


class AssessmentRequirement(RequirementBase):
    """A recorded assessment of ``assessment`` by one of the ``by`` roles, with a positive outcome."""

    kind: Literal["assessment"]
    assessment: Slug = Field(description="What is assessed; records name it the same way.")
    title: str = Field(min_length=1, description='What is assessed, in words: "stable in recovery and free from problematic drug and alcohol use".')
    by: list[Slug] = Field(min_length=1, description="The roles whose assessment counts (any of them).")
    valid_for: DurationField | None = Field(default=None, description="How long an assessment stays valid; none means until a later one replaces it.")


@dataclass(frozen=True)
class AssessmentDetail:
    latest: Assessment | None
    expired: bool
    others: tuple[str, ...]  # roles that assessed but are not named by the policy


def _by(req: AssessmentRequirement) -> str:
    return names([r.replace("-", " ") for r in req.by], "or")


@register
class AssessmentKind(Kind[AssessmentRequirement, AssessmentDetail]):
    model = AssessmentRequirement
    facts = {"assessed": "integer", "positive": "integer", "age": "integer"}
    threshold_fields = ("valid_for",)

    def named_ids(self, req: AssessmentRequirement) -> dict[str, str]:
        return {r: r.replace("-", " ") for r in req.by}  # the assessment's own id never reaches the text

    def gate(self, req: AssessmentRequirement) -> Gate:
        return ("assessment", req.assessment), (frozenset(req.by), req.valid_for and days(req.valid_for))

    def implies(self, a: AssessmentRequirement, b: AssessmentRequirement) -> bool:
        shorter = b.valid_for is None or (a.valid_for is not None and days(a.valid_for) <= days(b.valid_for))
        return a.assessment == b.assessment and set(a.by) <= set(b.by) and shorter

    def conditions(self, req: AssessmentRequirement, policy: Policy) -> dict[str, Condition]:
        parts: list[Condition] = [Cmp("assessed", "==", 1), Cmp("positive", "==", 1)]
        if req.valid_for is not None:
            parts.append(Cmp("age", "<", req.valid_for.amount))
        return {"met": all_of(*parts)}

    def derive(self, req: AssessmentRequirement, ctx: Context) -> Derived[AssessmentDetail]:
        mine = [a for a in ctx.record.assessments if a.assessment == req.assessment and a.assessed_on <= ctx.as_of]
        counted = [a for a in mine if a.by in req.by]
        latest = max(counted, key=lambda a: a.assessed_on) if counted else None
        age = req.valid_for.elapsed(latest.assessed_on, ctx.as_of) if (latest and req.valid_for) else 0
        expired = latest is not None and req.valid_for is not None and age >= req.valid_for.amount
        lapses: _dt.date | None = None
        if latest is not None and req.valid_for is not None and latest.outcome == "met" and not expired:
            lapses = req.valid_for.after(latest.assessed_on)
        others = tuple(sorted({a.by for a in mine if a.by not in req.by}))
        threshold = f"by {_by(req)}" + (f", within the last {req.valid_for}" if req.valid_for else "")
        if latest is None:
            value = "none recorded" + (f" (assessed by {names([o.replace('-', ' ') for o in others])}, not a role named for this)" if others else "")
        else:
            value = f"{latest.outcome.replace('_', ' ')}, {latest.assessed_on} by {latest.by.replace('-', ' ')}" + (" (expired)" if expired else "")
        return Derived(
            facts={"assessed": 1 if latest else 0, "positive": 1 if latest and latest.outcome == "met" else 0, "age": age},
            detail=AssessmentDetail(latest, expired, others),
            evidence=[Evidence.of(label=req.title, value=value, threshold=threshold, source=f"assessments.{req.assessment}")],
            lapses_on=lapses,
        )

    def describe(self, req: AssessmentRequirement, policy: Policy) -> str:
        text = f"{req.title}, as assessed by {_by(req)}"
        if req.valid_for:
            text += f" (an assessment is valid for {req.valid_for})"
        return text

    def explain(self, req: AssessmentRequirement, d: Derived[AssessmentDetail], status: Status, ctx: Context) -> tuple[str, str | None]:
        asked = f"The role asks that the person is {req.title}, as assessed by {_by(req)}."
        latest = d.detail.latest
        if status == "met" and latest is not None:
            return f"{asked} The assessment on {long_date(latest.assessed_on)} found this.", None
        if latest is None:
            return f"{asked} No such assessment is recorded.", f"Arrange an assessment with {_by(req)}."
        if d.detail.expired:
            return f"{asked} The last assessment ({long_date(latest.assessed_on)}) is older than {req.valid_for}.", f"Arrange a new assessment with {_by(req)}."
        return (
            f"{asked} The latest assessment ({long_date(latest.assessed_on)}) did not find this for now.",
            f"Talk with {latest.by.replace('-', ' ')} about support and when to be assessed again.",
        )


__all__ = ["AssessmentDetail", "AssessmentKind", "AssessmentRequirement"]
