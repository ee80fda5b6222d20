"""Per-person agreements: what was agreed, with whom, on what date, due when.

All four organisations in the thesis let mentors still drinking at a controlled level start on
condition they are alcohol-free "by a mutually agreed period in time" (thesis §5.1). The date is
agreed with each person, so it lives in the record, never in the policy; the policy says which
agreement a role accepts, with which roles it may be made, whether the role needs one at all, and
what happens when the due date passes unmet (a manager reviews whether the person continues, or the
role pauses until it is met).

Facts: ``recorded`` (an agreement made with a named role, on or before the day), ``fulfilled``
(recorded as met on or before the day) and ``days_left`` (from the day to the due date; negative
once it has passed). Before the due date the requirement is *owed*, with the record's date as due.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from pydantic import Field

from pathrules.decision import Evidence, Status
from pathrules.engine.ir import Cmp, Condition, all_of, any_of
from pathrules.kinds.base import Context, Derived, Gate, Kind, RequirementBase, long_date, names, register
from pathrules.policy.fields import Slug

if TYPE_CHECKING:
    from pathrules.policy.model import Policy
    from pathrules.record.model import Agreement


class AgreementRequirement(RequirementBase):
    """An agreement the role accepts: met once fulfilled, owed until the agreed date, then reviewed or paused."""

    kind: Literal["agreement"]
    agreement: Slug = Field(description="What is agreed; records name it the same way, e.g. alcohol-free.")
    title: str = Field(min_length=1, description='What is agreed, in words: "to be alcohol-free".')
    agreed_with: list[Slug] = Field(min_length=1, description="The roles an agreement may be made with (any of them).")
    required: bool = Field(
        default=False,
        description="true: the role needs such an agreement (or its fulfilment) on record; false: only an agreement that was made is followed up.",
    )
    when_due_passes: Literal["review", "pause"] = Field(
        description="review: a manager reviews whether the person continues; pause: the role pauses until the agreement is met."
    )


@dataclass(frozen=True)
class AgreementDetail:
    current: Agreement | None
    others: tuple[str, ...]  # roles agreements were made with that the policy does not name


def _with(req: AgreementRequirement) -> str:
    return names([r.replace("-", " ") for r in req.agreed_with], "or")


@register
class AgreementKind(Kind[AgreementRequirement, AgreementDetail]):
    model = AgreementRequirement
    facts = {"recorded": "integer", "fulfilled": "integer", "days_left": "integer"}

    def owed_in_post(self, req: AgreementRequirement) -> bool:
        return True  # the agreed date usually falls after the start: it is followed up in post

    def named_ids(self, req: AgreementRequirement) -> dict[str, str]:
        return {r: r.replace("-", " ") for r in req.agreed_with}  # the agreement's own id never reaches the text

    def gate(self, req: AgreementRequirement) -> Gate:
        return ("agreement", req.agreement), (frozenset(req.agreed_with), req.required, req.when_due_passes)

    def conditions(self, req: AgreementRequirement, policy: Policy) -> dict[str, Condition]:
        open_ = all_of(Cmp("recorded", "==", 1), Cmp("fulfilled", "==", 0))
        met = Cmp("fulfilled", "==", 1) if req.required else any_of(Cmp("fulfilled", "==", 1), Cmp("recorded", "==", 0))
        labels: dict[str, Condition] = {"met": met, "owed": all_of(open_, Cmp("days_left", ">=", 0))}
        if req.when_due_passes == "review":
            labels["review"] = all_of(open_, Cmp("days_left", "<", 0))
        return labels

    def derive(self, req: AgreementRequirement, ctx: Context) -> Derived[AgreementDetail]:
        made = [a for a in ctx.record.agreements if a.agreement == req.agreement and a.agreed_on <= ctx.as_of]
        counted = [a for a in made if a.agreed_with in req.agreed_with]
        current = max(counted, key=lambda a: a.agreed_on) if counted else None
        fulfilled = current is not None and current.fulfilled_on is not None and current.fulfilled_on <= ctx.as_of
        days_left = (current.due_on - ctx.as_of).days if current else 0
        others = tuple(sorted({a.agreed_with for a in made if a.agreed_with not in req.agreed_with}))
        if current is None:
            value = "none recorded" + (f" (made with {names([o.replace('-', ' ') for o in others])}, not a role named for this)" if others else "")
        elif fulfilled:
            value = f"met on {current.fulfilled_on}"
        else:
            value = f"agreed {current.agreed_on} with {current.agreed_with.replace('-', ' ')}, due {current.due_on}"
        return Derived(
            facts={"recorded": 1 if current else 0, "fulfilled": 1 if fulfilled else 0, "days_left": days_left},
            detail=AgreementDetail(current, others),
            evidence=[Evidence.of(label=f"agreement: {req.title}", value=value, threshold=f"agreed with {_with(req)}; the date is agreed with the person", source=f"agreements.{req.agreement}")],
            due_on=current.due_on if current is not None and not fulfilled and days_left >= 0 else None,
        )

    def describe(self, req: AgreementRequirement, policy: Policy) -> str:
        then = "a manager reviews whether the person continues" if req.when_due_passes == "review" else "the role pauses until it is met"
        lead = "an agreement" if req.required else "where one is made, an agreement"
        return f"{lead} {req.title} by a date agreed with {_with(req)}; if that date passes unmet, {then}"

    def explain(self, req: AgreementRequirement, d: Derived[AgreementDetail], status: Status, ctx: Context) -> tuple[str, str | None]:
        current = d.detail.current
        asked = f"The role {'needs' if req.required else 'accepts'} an agreement {req.title} by a date agreed with {_with(req)}."
        if current is None:
            if status == "met":
                return f"{asked} No such agreement has been made, and none is needed.", None
            return f"{asked} No agreement is recorded.", f"Agree a date with {_with(req)} and record it."
        due = long_date(current.due_on)
        if status == "met":
            return f"{asked} It was met on {long_date(current.fulfilled_on or ctx.as_of)}.", None
        if current.due_on >= ctx.as_of:
            return f"{asked} The agreed date is {due}.", f"Record it as met by {due}, or agree a new date with {current.agreed_with.replace('-', ' ')}."
        if req.when_due_passes == "review":
            return (
                f"{asked} The agreed date, {due}, has passed without it being met, so a manager reviews whether the role continues.",
                "A manager reviews this with the person and records the decision; a new date may be agreed.",
            )
        return (
            f"{asked} The agreed date, {due}, has passed without it being met, so the role pauses until it is.",
            "Record the agreement as met, or agree a new date, to resume.",
        )


__all__ = ["AgreementDetail", "AgreementKind", "AgreementRequirement"]
