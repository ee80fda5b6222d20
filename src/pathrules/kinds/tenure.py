"""Kinds about time: time in a role, supervision in a trailing window, age."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from pydantic import Field, model_validator

from pathrules.decision import Evidence, Status
from pathrules.durations import add, elapsed
from pathrules.engine.ir import Cmp, Condition, FactValue, all_of
from pathrules.errors import Problem
from pathrules.kinds.base import Context, Derived, Gate, Kind, NoDetail, RequirementBase, days, flag, long_date, register
from pathrules.located_errors import suggestion
from pathrules.policy.fields import DurationField, Slug

if TYPE_CHECKING:
    from pathrules.policy.model import Policy
    from pathrules.record.model import RoleSpell
    from pathrules.yamlsource import Located, PathKey

ONE_DAY = _dt.timedelta(days=1)


class TimeInRole(RequirementBase):
    """Time in a role (the most recent spell)."""

    kind: Literal["time_in_role"]
    role: Slug
    at_least: DurationField | None = None
    at_most: DurationField | None = None

    @model_validator(mode="after")
    def _some_bound(self) -> TimeInRole:
        if self.at_least is None and self.at_most is None:
            raise ValueError("give `at_least`, `at_most` or both")
        return self


class Supervision(RequirementBase):
    """Supervision sessions attended in a trailing window."""

    kind: Literal["supervision"]
    at_least: int = Field(ge=1, le=100)
    within: DurationField


class Age(RequirementBase):
    """Minimum age in whole years."""

    kind: Literal["age"]
    at_least: int = Field(ge=0, le=120)


@dataclass(frozen=True)
class TimeInRoleDetail:
    spell: RoleSpell | None


@dataclass(frozen=True)
class SupervisionDetail:
    count: int


@register
class TimeInRoleKind(Kind[TimeInRole, TimeInRoleDetail]):
    """The most recent spell in the role counts (people step back and return; a new spell starts anew)."""

    model = TimeInRole
    facts = {"held": "integer", "elapsed_min": "integer", "elapsed_max": "integer"}
    threshold_fields = ("at_least", "at_most")

    def check_references(self, req: TimeInRole, policy: Policy, located: Located, path: PathKey) -> list[Problem]:
        if req.role in policy.roles:
            return []
        return [located.problem("unknown-role", f"no role named `{req.role}`", path + ("role",), help=suggestion(req.role, list(policy.roles)))]

    def gate(self, req: TimeInRole) -> Gate:
        return ("time_in_role", req.role), (req.at_least and days(req.at_least), req.at_most and days(req.at_most))

    def conditions(self, req: TimeInRole, policy: Policy) -> dict[str, Condition]:
        parts: list[Condition] = [Cmp("held", "==", 1)]
        labels: dict[str, Condition] = {}
        if req.at_least is not None:
            parts.append(Cmp("elapsed_min", ">=", req.at_least.amount))
        if req.at_most is not None:
            parts.append(Cmp("elapsed_max", "<", req.at_most.amount))
            labels["blocked"] = all_of(Cmp("held", "==", 1), Cmp("elapsed_max", ">=", req.at_most.amount))
        labels["met"] = all_of(*parts)
        return labels

    def derive(self, req: TimeInRole, ctx: Context) -> Derived[TimeInRoleDetail]:
        spells = [s for s in ctx.record.roles_held if s.is_for(req.role, ctx.policy.policy) and s.started_on <= ctx.as_of]
        spell = max(spells, key=lambda s: s.started_on) if spells else None
        facts: dict[str, FactValue] = {"held": flag(spell is not None), "elapsed_min": 0, "elapsed_max": 0}
        met_on = lapses = None
        end = ctx.as_of
        if spell is not None:
            ongoing = spell.ended_on is None or spell.ended_on > ctx.as_of
            end = ctx.as_of if ongoing else spell.ended_on  # type: ignore[assignment]
            if req.at_least is not None:
                facts["elapsed_min"] = req.at_least.elapsed(spell.started_on, end)
                due = req.at_least.after(spell.started_on)
                if ongoing and due > ctx.as_of:
                    met_on = due
            if req.at_most is not None:
                # "at most N" holds while end <= start + N, i.e. while elapsed(start, end - 1 day) < N
                facts["elapsed_max"] = req.at_most.elapsed(spell.started_on, end - ONE_DAY)
                if ongoing:
                    lapses = req.at_most.after(spell.started_on) + ONE_DAY
        bounds = " and ".join(b for b in (f"at least {req.at_least}" if req.at_least else "", f"at most {req.at_most}" if req.at_most else "") if b)
        return Derived(
            facts=facts,
            evidence=[
                Evidence(
                    label=f"time as {req.role.replace('-', ' ')}",
                    value=f"since {spell.started_on}" + (f" until {spell.ended_on}" if spell and spell.ended_on else "") if spell else "never held",
                    threshold=bounds,
                    source="roles_held",
                )
            ],
            met_on=met_on,
            lapses_on=lapses,
            detail=TimeInRoleDetail(spell=spell),
        )

    def describe(self, req: TimeInRole, policy: Policy) -> str:
        role = policy.roles[req.role].title if req.role in policy.roles else req.role
        bounds = [f"at least {req.at_least}" if req.at_least else "", f"at most {req.at_most}" if req.at_most else ""]
        return f"{' and '.join(b for b in bounds if b)} as {role}"

    def explain(self, req: TimeInRole, d: Derived[TimeInRoleDetail], status: Status, ctx: Context) -> tuple[str, str | None]:
        role = req.role.replace("-", " ")
        if d.detail.spell is None:
            return f"This needs time as {role}, and the record shows none.", f"Start as {role} first."
        if status == "met":
            return f"Time as {role} is within what the policy asks.", None
        if status == "blocked":
            return f"Time as {role} has gone past the {req.at_most} the policy allows.", "Talk with the service about the next step after this placement."
        return (
            f"This needs at least {req.at_least} as {role}.",
            f"This is met from {long_date(d.met_on)} if the role continues." if d.met_on else f"A new spell as {role} would be needed.",
        )


@register
class SupervisionKind(Kind[Supervision, SupervisionDetail]):
    model = Supervision
    facts = {"count": "integer"}
    threshold_fields = ("at_least", "within")

    def conditions(self, req: Supervision, policy: Policy) -> dict[str, Condition]:
        return {"met": Cmp("count", ">=", req.at_least)}

    def derive(self, req: Supervision, ctx: Context) -> Derived[SupervisionDetail]:
        sessions = sorted((d for d in ctx.record.supervision if d <= ctx.as_of and req.within.elapsed(d, ctx.as_of) < req.within.amount), reverse=True)
        lapses = req.within.after(sessions[req.at_least - 1]) if len(sessions) >= req.at_least else None
        return Derived(
            facts={"count": len(sessions)},
            evidence=[Evidence(label=f"supervision sessions in the last {req.within}", value=len(sessions), threshold=f"at least {req.at_least}", source="supervision")],
            lapses_on=lapses,
            detail=SupervisionDetail(count=len(sessions)),
        )

    def behind_since(self, req: Supervision, derived: Derived[SupervisionDetail], ctx: Context) -> _dt.date | None:
        """The day the window ran past the last session that would have been enough (or the start of the spell)."""
        sessions = sorted((d for d in ctx.record.supervision if d <= ctx.as_of), reverse=True)
        if len(sessions) >= req.at_least:
            return req.within.after(sessions[req.at_least - 1])
        return req.within.after(ctx.start) if ctx.start <= ctx.as_of else None

    def describe(self, req: Supervision, policy: Policy) -> str:
        return f"at least {req.at_least} supervision session{'s' if req.at_least != 1 else ''} {req.within.every()}"

    def explain(self, req: Supervision, d: Derived[SupervisionDetail], status: Status, ctx: Context) -> tuple[str, str | None]:
        asked = f"The role asks for at least {req.at_least} supervision session{'s' if req.at_least != 1 else ''} {req.within.every()}."
        if status == "met":
            return f"{asked} {d.detail.count} in the last {req.within}.", None
        return f"{asked} {d.detail.count} in the last {req.within}.", "Book a supervision session with your supervisor."


@register
class AgeKind(Kind[Age, NoDetail]):
    model = Age
    facts = {"known": "integer", "years": "integer"}
    threshold_fields = ("at_least",)

    def gate(self, req: Age) -> Gate:
        return ("age",), req.at_least

    def conditions(self, req: Age, policy: Policy) -> dict[str, Condition]:
        return {"met": all_of(Cmp("known", "==", 1), Cmp("years", ">=", req.at_least))}

    def derive(self, req: Age, ctx: Context) -> Derived[NoDetail]:
        born = ctx.record.date_of_birth
        years = 0
        met_on = None
        if born is not None:
            years = elapsed(born, ctx.as_of, "years")
            birthday = add(born, req.at_least, "years")
            met_on = birthday if birthday > ctx.as_of else None
        return Derived(
            facts={"known": flag(born is not None), "years": years},
            detail=NoDetail(),
            evidence=[Evidence(label="age", value=years if born else "date of birth not recorded", threshold=f"at least {req.at_least}", source="date_of_birth")],
            met_on=met_on,
        )

    def describe(self, req: Age, policy: Policy) -> str:
        return f"aged {req.at_least} or over"

    def explain(self, req: Age, d: Derived[NoDetail], status: Status, ctx: Context) -> tuple[str, str | None]:
        if d.facts["known"] == 0:
            return f"The role is open from age {req.at_least}; the date of birth is not recorded.", "Record the date of birth."
        if status == "met":
            return f"The role is open from age {req.at_least}; this is met.", None
        return f"The role is open from age {req.at_least}.", f"This is met from {long_date(d.met_on)}." if d.met_on else None
