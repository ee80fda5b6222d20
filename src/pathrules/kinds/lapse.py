"""Lapse and return while in post: what a lapse means for someone already in the role.

A lapse is not an automatic exit. The policy says which activities pause, whether a support
conversation (a check-in with the keyworker or counsellor, or a three-way meeting) is due and within
how long, whether the role is reviewed, whether a step back to another role is offered, and the way
back: the support conversation held and, where the policy says so, a time with no further lapse.
The Dublin guide's tools (§4.3 l.839 check-in; §4.2 l.816–819 three-way meeting) give no time
figure: any `support_within` or `resume_after` is the organisation's own choice.

One requirement, two uses: in the role's ``ongoing`` list it judges the role (met while the response
is on track; ``pending`` while the support conversation is due; ``review`` when the role is reviewed);
for each activity it pauses, ``compile_target`` adds a copy marked with that activity, which is met
only once the way back is complete.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from pydantic import Field, PrivateAttr, model_validator

from pathrules.decision import Evidence, Status
from pathrules.engine.ir import Cmp, Condition, all_of
from pathrules.errors import Problem
from pathrules.kinds.base import Context, Derived, Kind, RequirementBase, flag, long_date, names, register
from pathrules.located_errors import suggestion
from pathrules.policy.fields import DurationField, Slug

if TYPE_CHECKING:
    from pathrules.policy.model import Policy
    from pathrules.record.model import Lapse
    from pathrules.yamlsource import Located, PathKey

Support = Literal["check_in", "three_way_meeting"]
_SUPPORT_WORDS: dict[str, str] = {"check_in": "a check-in with their keyworker or counsellor", "three_way_meeting": "a three-way meeting with their support worker"}
_SUPPORT_FOR_YOU: dict[str, str] = {"check_in": "a check-in with your keyworker or counsellor", "three_way_meeting": "a three-way meeting with your support worker and the service"}


class LapseHandling(RequirementBase):
    """What a lapse in post means: pauses, a support conversation, a review, a step back, the way back."""

    kind: Literal["lapse"]
    pauses: list[Slug] = Field(default_factory=list, description="Activities of this role that pause after a lapse until the way back is complete.")
    support: Support | None = Field(default=None, description="The support conversation due after a lapse: `check_in` or `three_way_meeting`.")
    support_within: DurationField | None = Field(default=None, description="How soon after the lapse the support conversation is due (the organisation's choice).")
    review_role: bool = Field(default=False, description="A manager reviews the role after a lapse (not an exit) until the way back is complete.")
    step_back_to: Slug | None = Field(default=None, description="A role offered as a step back while the person returns.")
    resume_after: DurationField | None = Field(default=None, description="No further lapse for this long (and the support conversation held) before paused activities resume.")
    _activity: str | None = PrivateAttr(default=None)  # set on the copies compile_target makes for paused activities

    @model_validator(mode="after")
    def _has_a_way_back(self) -> LapseHandling:
        if self.support_within is not None and self.support is None:
            raise ValueError("`support_within` says when the support conversation is due: give `support: check_in` or `support: three_way_meeting`")
        if (self.pauses or self.review_role) and self.support is None and self.resume_after is None:
            raise ValueError("paused activities and a review need a way back: give `resume_after`, `support` or both")
        return self

    def pausing(self, activity: str) -> LapseHandling:
        """A copy that judges one paused activity (met only once the way back is complete)."""
        copy = self.model_copy()
        copy._activity = activity
        return copy

    @property
    def activity(self) -> str | None:
        return self._activity


@dataclass(frozen=True)
class LapseDetail:
    lapse: Lapse | None
    support_due: _dt.date | None
    support_held: bool
    resume_on: _dt.date | None
    open: bool


@register
class LapseKind(Kind[LapseHandling, LapseDetail]):
    waiting_for = "a meeting after a lapse"
    model = LapseHandling
    facts = {"open": "integer", "support_owed": "integer", "support_late": "integer"}
    threshold_fields = ("support_within", "resume_after")

    def check_references(self, req: LapseHandling, policy: Policy, located: Located, path: PathKey) -> list[Problem]:
        problems: list[Problem] = []
        owner = policy.roles.get(str(path[1])) if len(path) > 1 and path[0] == "roles" else None
        known = set(owner.activities) if owner is not None else {a for role in policy.roles.values() for a in role.activities}
        for index, activity in enumerate(req.pauses):
            if activity not in known:
                problems.append(
                    located.problem(
                        "unknown-activity",
                        f"`{activity}` is not a gated activity of this role",
                        path + ("pauses", index),
                        help=suggestion(activity, sorted(known)) or "pause only activities listed under the role's `activities:`",
                    )
                )
        if req.step_back_to is not None and req.step_back_to not in policy.roles:
            problems.append(located.problem("unknown-role", f"no role named `{req.step_back_to}`", path + ("step_back_to",), help=suggestion(req.step_back_to, list(policy.roles))))
        return problems

    def conditions(self, req: LapseHandling, policy: Policy) -> dict[str, Condition]:
        if req.activity is not None:
            return {"met": Cmp("open", "==", 0)}
        labels: dict[str, Condition] = {}
        if req.review_role:
            labels["met"] = all_of(Cmp("open", "==", 0), Cmp("support_owed", "==", 0))
            labels["review"] = Cmp("open", "==", 1)
        else:
            labels["met"] = Cmp("support_owed", "==", 0)
        labels["pending"] = all_of(Cmp("support_owed", "==", 1), Cmp("support_late", "==", 0))
        return labels

    def derive(self, req: LapseHandling, ctx: Context) -> Derived[LapseDetail]:
        in_spell = [item for item in ctx.record.lapses if ctx.start <= item.lapsed_on <= ctx.as_of]
        latest = max(in_spell, key=lambda item: item.lapsed_on) if in_spell else None
        due = held = resume_on = None
        support_held = support_owed = support_late = is_open = False
        if latest is not None:
            held = latest.support_held_on if latest.support_held_on is not None and latest.lapsed_on <= latest.support_held_on <= ctx.as_of else None
            support_held = held is not None
            support_owed = req.support is not None and not support_held
            due = req.support_within.after(latest.lapsed_on) if req.support_within is not None and req.support is not None else None
            support_late = support_owed and due is not None and ctx.as_of > due
            resume_on = req.resume_after.after(latest.lapsed_on) if req.resume_after is not None else latest.lapsed_on
            is_open = support_owed or ctx.as_of < resume_on
        evidence = [
            Evidence.of(
                label="lapse in this spell",
                value=(f"on {latest.lapsed_on}" + (f"; support held on {held}" if held else "; no support conversation recorded")) if latest else "none recorded",
                threshold=self._way_back(req),
                source="lapses",
            )
        ]
        met_on = resume_on if req.activity is not None and is_open and not support_owed and resume_on is not None else None
        return Derived(
            facts={"open": flag(is_open), "support_owed": flag(support_owed), "support_late": flag(support_late)},
            detail=LapseDetail(lapse=latest, support_due=due, support_held=support_held, resume_on=resume_on, open=is_open),
            evidence=evidence,
            met_on=met_on,
        )

    @staticmethod
    def _way_back(req: LapseHandling) -> str:
        parts = []
        if req.support:
            parts.append(_SUPPORT_WORDS[req.support] + " held")
        if req.resume_after:
            parts.append(f"{req.resume_after} with no further lapse")
        return " and ".join(parts) or "none needed"

    def describe(self, req: LapseHandling, policy: Policy) -> str:
        if req.activity is not None:
            return f"after a lapse, the way back: {self._way_back(req)}"
        parts = ["after a lapse in post the role continues (a lapse is not an exit)"]
        if req.pauses:
            parts.append(f"paused: {names([a.replace('-', ' ') for a in req.pauses])}")
        if req.support:
            parts.append(_SUPPORT_WORDS[req.support] + (f" within {req.support_within}" if req.support_within else ""))
        if req.review_role:
            parts.append("a manager reviews the role")
        if req.step_back_to:
            title = policy.roles[req.step_back_to].title if req.step_back_to in policy.roles else req.step_back_to
            parts.append(f"a step back to {title} is offered")
        if req.pauses or req.review_role:
            parts.append(f"the way back: {self._way_back(req)}")
        return "; ".join(parts)

    def explain(self, req: LapseHandling, d: Derived[LapseDetail], status: Status, ctx: Context) -> tuple[str, str | None]:
        detail = d.detail
        if detail.lapse is None:
            return "No lapse is recorded in this spell in the role.", None
        when = long_date(detail.lapse.lapsed_on)
        support = _SUPPORT_WORDS[req.support] if req.support else ""
        back = f"from {long_date(detail.resume_on)}" if detail.resume_on and detail.resume_on > ctx.as_of else "now"
        if req.activity is not None:
            if status == "met":
                return f"Resumed after the lapse on {when}.", None
            if detail.support_held or not req.support:
                return f"Paused after the lapse on {when}; it resumes {back} if there is no further lapse.", None
            return f"Paused after the lapse on {when} until {support} has been held" + (f" and {req.resume_after} have passed." if req.resume_after else "."), None
        step_back = ""
        if req.step_back_to:
            title = ctx.policy.roles[req.step_back_to].title if req.step_back_to in ctx.policy.roles else req.step_back_to
            step_back = f" A step back to {title} is offered in the meantime."
        lead = f"There was a lapse on {when}; the role continues (a lapse is not an exit)."
        if not detail.open:
            return f"There was a lapse on {when}; the way back is complete.", None
        if status == "pending":
            due = f" by {long_date(detail.support_due)}" if detail.support_due else ""
            return f"{lead} {support[0].upper()}{support[1:]} is due{due}.{step_back}", f"Arrange {support}{due}."
        if status == "review":
            extra = f" {support[0].upper()}{support[1:]} is still to be held." if d.facts["support_owed"] else ""
            return f"{lead} A manager reviews the role until the way back is complete.{extra}{step_back}", "A manager reviews the role with the person and records the outcome."
        if status == "not_met":
            due = f" by {long_date(detail.support_due)}" if detail.support_due else ""
            return f"{lead} {support[0].upper()}{support[1:]} was due{due} and is not recorded.{step_back}", f"Hold {support} as soon as possible."
        paused = f" Paused until the way back is complete: {names([a.replace('-', ' ') for a in req.pauses])}." if req.pauses else ""
        return f"{lead}{paused}{step_back}", None

    def for_person(self, req: LapseHandling, d: Derived[LapseDetail], status: Status, ctx: Context) -> str | None:
        """Said to the person: the role goes on, what is paused, what support comes and when, and the day
        things start again; no rule names, no "in post", nothing that reads as a verdict on them."""
        detail = d.detail
        if detail.lapse is None:
            return None
        when = long_date(detail.lapse.lapsed_on)
        support = _SUPPORT_FOR_YOU[req.support] if req.support else ""
        owed = bool(d.facts["support_owed"])
        if req.activity is not None:
            if not owed and detail.resume_on is not None and detail.resume_on > ctx.as_of:
                return f"this is paused after your lapse on {when}, and can start again on {long_date(detail.resume_on)} if there is no further lapse."
            after = f" and {req.resume_after} have passed with no further lapse" if req.resume_after else ""
            return f"this is paused after your lapse on {when}, until you have had {support}{after}." if owed else f"this is paused after your lapse on {when} for now."
        lead = f"After your lapse on {when} you keep your role: a lapse does not end it."
        paused = f" For now, {names([a.replace('-', ' ') for a in req.pauses])} {'is' if len(req.pauses) == 1 else 'are'} paused." if req.pauses else ""
        step_back = ""
        if req.step_back_to:
            title = ctx.policy.roles[req.step_back_to].title if req.step_back_to in ctx.policy.roles else req.step_back_to
            step_back = f" If it would help, you can step back to {title} for a while."
        due = f" by {long_date(detail.support_due)}" if detail.support_due else ""
        if status == "pending":
            return f"{lead}{paused} {support[:1].upper()}{support[1:]} is due{due}; your contact at the service will arrange it with you.{step_back}"
        if status == "not_met" and owed:
            return f"{lead}{paused} {support[:1].upper()}{support[1:]} was due{due} and has not happened yet; please ask your contact at the service to arrange it soon.{step_back}"
        if status == "review":
            still = f" {support[:1].upper()}{support[1:]} is still to come." if owed else ""
            return f"{lead}{paused} A manager will talk it through with you and record what happens next.{still}{step_back}"
        return f"{lead}{paused}{step_back}"
