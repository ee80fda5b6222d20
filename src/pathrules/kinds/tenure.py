"""Kinds about time: time in a role, supervision in a trailing window, age."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from pathrules.decision import Evidence, Status
from pathrules.durations import Duration, add, elapsed
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


SpellRule = Literal["latest", "all"]


class TimeInRole(RequirementBase):
    """Time in a role: the most recent spell, or every spell added up (the policy says how breaks count)."""

    kind: Literal["time_in_role"]
    role: Slug
    at_least: DurationField | None = None
    at_most: DurationField | None = None
    spells: SpellRule = Field(
        default="latest",
        description="`latest`: only the most recent spell counts (a return starts anew); `all`: time in every spell adds up, breaks not counted.",
    )
    breaks_up_to: DurationField | None = Field(
        default=None,
        description="With `spells: all`: a break longer than this starts the count anew; without it, every earlier spell counts.",
    )

    @model_validator(mode="after")
    def _some_bound(self) -> TimeInRole:
        if self.at_least is None and self.at_most is None:
            raise ValueError("give `at_least`, `at_most` or both")
        if self.breaks_up_to is not None and self.spells != "all":
            raise ValueError("`breaks_up_to` says which breaks time in the role survives: it needs `spells: all`")
        return self


class Supervision(RequirementBase):
    """Supervision sessions attended in a trailing window."""

    kind: Literal["supervision"]
    at_least: int = Field(ge=1, le=100)
    within: DurationField


class Age(RequirementBase):
    """Age in whole years on the start date: a minimum, a maximum, or a range (both inclusive)."""

    kind: Literal["age"]
    at_least: int | None = Field(default=None, ge=0, le=120, description="The youngest age, in whole years on the start date.")
    at_most: int | None = Field(default=None, ge=0, le=120, description="The oldest age, in whole years on the start date (up to the day before the next birthday).")

    @field_validator("at_most")
    @classmethod
    def _range_the_right_way_up(cls, value: int | None, info: ValidationInfo) -> int | None:
        low = info.data.get("at_least")
        if value is not None and isinstance(low, int) and value < low:
            raise ValueError(f"expected `at_most` at or above `at_least` ({low}): the age range is upside down")
        return value

    @model_validator(mode="after")
    def _some_bound(self) -> Age:
        if self.at_least is None and self.at_most is None:
            raise ValueError("give `at_least`, `at_most` or both")
        return self


@dataclass(frozen=True)
class TimeInRoleDetail:
    spell: RoleSpell | None
    counted: int = 1  # how many spells the time was added up from


@dataclass(frozen=True)
class Served:
    """Time served in a role as one stretch: ``start`` is the latest spell's end less the days served."""

    start: _dt.date
    end: _dt.date
    ongoing: bool
    counted: int


def served(spells: list[RoleSpell], as_of: _dt.date, rule: SpellRule, breaks_up_to: Duration | None) -> Served | None:
    """Days in the role up to ``as_of``: the latest spell, or every spell joined (overlaps once, breaks left out).

    Adding spells up as days and counting back from the latest end keeps one spell exactly as before,
    and lets months and years be counted on the calendar from an equivalent start."""
    started = sorted((s for s in spells if s.started_on <= as_of), key=lambda s: s.started_on)
    if not started:
        return None
    stretches: list[list[_dt.date]] = []
    ongoing = any(s.ongoing_on(as_of) for s in started)
    for spell in started:
        end = as_of if spell.ongoing_on(as_of) or spell.ended_on is None else spell.ended_on
        if stretches and spell.started_on <= stretches[-1][1]:
            stretches[-1][1] = max(stretches[-1][1], end)  # overlapping or back-to-back spells are one stretch
        else:
            stretches.append([spell.started_on, end])
    if rule == "latest":
        latest = max(started, key=lambda s: s.started_on)
        end = as_of if latest.ongoing_on(as_of) else latest.ended_on or as_of
        return Served(latest.started_on, end, latest.ongoing_on(as_of), 1)
    kept = [stretches[-1]]
    for earlier in reversed(stretches[:-1]):
        if breaks_up_to is not None and kept[0][0] > breaks_up_to.after(earlier[1]):
            break  # a break longer than the policy allows: earlier time no longer counts
        kept.insert(0, earlier)
    total = sum(((end - start) for start, end in kept), _dt.timedelta(0))
    last_end = kept[-1][1]
    return Served(last_end - total, last_end, ongoing, len(kept))


@dataclass(frozen=True)
class SupervisionDetail:
    count: int


@register
class TimeInRoleKind(Kind[TimeInRole, TimeInRoleDetail]):
    """The most recent spell counts unless the policy says time adds up across spells (people step back and return)."""

    model = TimeInRole
    facts = {"held": "integer", "elapsed_min": "integer", "elapsed_max": "integer"}
    threshold_fields = ("at_least", "at_most", "breaks_up_to")

    def check_references(self, req: TimeInRole, policy: Policy, located: Located, path: PathKey) -> list[Problem]:
        if req.role in policy.roles:
            return []
        return [located.problem("unknown-role", f"no role named `{req.role}`", path + ("role",), help=suggestion(req.role, list(policy.roles)))]

    def gate(self, req: TimeInRole) -> Gate:
        return ("time_in_role", req.role, req.spells, req.breaks_up_to and days(req.breaks_up_to)), (req.at_least and days(req.at_least), req.at_most and days(req.at_most))

    def unmeetable(self, req: TimeInRole, listed_in: PathKey) -> list[str]:
        reasons = []
        if req.at_least and req.at_most and days(req.at_least) > days(req.at_most):
            reasons.append(f"`{req.id}` asks for at least {req.at_least} but at most {req.at_most} in the role")
        if len(listed_in) == 3 and listed_in[0] == "roles" and listed_in[2] == "requires" and req.role == listed_in[1] and req.at_least:
            reasons.append(f"`{req.id}` asks for time in `{req.role}` before starting `{req.role}`: only people returning can meet it")
        return reasons

    def unusual_thresholds(self, req: TimeInRole) -> list[str]:
        if req.at_least and days(req.at_least) > days(Duration(5, "years")):
            return [f"`{req.id}` asks for {req.at_least} in a role"]
        return []

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
        time = served(spells, ctx.as_of, req.spells, req.breaks_up_to)
        facts: dict[str, FactValue] = {"held": flag(time is not None), "elapsed_min": 0, "elapsed_max": 0}
        met_on = lapses = None
        if time is not None:
            if req.at_least is not None:
                facts["elapsed_min"] = req.at_least.elapsed(time.start, time.end)
                due = req.at_least.after(time.start)
                if time.ongoing and due > ctx.as_of:
                    met_on = due
            if req.at_most is not None:
                # "at most N" holds while end <= start + N, i.e. while elapsed(start, end - 1 day) < N
                facts["elapsed_max"] = req.at_most.elapsed(time.start, time.end - ONE_DAY)
                if time.ongoing:
                    lapses = req.at_most.after(time.start) + ONE_DAY
        bounds = " and ".join(b for b in (f"at least {req.at_least}" if req.at_least else "", f"at most {req.at_most}" if req.at_most else "") if b)
        value = "never held"
        if spell is not None and time is not None:
            value = f"since {spell.started_on}" + (f" until {spell.ended_on}" if spell.ended_on else "")
            if time.counted > 1:
                value = f"{(time.end - time.start).days} days over {time.counted} spells, the latest " + value
        return Derived(
            facts=facts,
            evidence=[Evidence.of(label=f"time as {req.role.replace('-', ' ')}", value=value, threshold=bounds, source="roles_held")],
            met_on=met_on,
            lapses_on=lapses,
            detail=TimeInRoleDetail(spell=spell, counted=time.counted if time else 0),
        )

    def form_columns(self, req: TimeInRole) -> list[str]:
        return ["roles_held"]

    def describe(self, req: TimeInRole, policy: Policy) -> str:
        role = policy.roles[req.role].title if req.role in policy.roles else req.role
        bounds = [f"at least {req.at_least}" if req.at_least else "", f"at most {req.at_most}" if req.at_most else ""]
        counted = ""
        if req.spells == "all":
            counted = " (every spell counts" + (f" unless a break is longer than {req.breaks_up_to})" if req.breaks_up_to else ")")
        return f"{' and '.join(b for b in bounds if b)} as {role}{counted}"

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

    def unusual_thresholds(self, req: Supervision) -> list[str]:
        if days(req.within) > days(Duration(6, "months")):
            return [f"`{req.id}` counts supervision over {req.within}; the studies describe monthly or more often"]
        return []

    def conditions(self, req: Supervision, policy: Policy) -> dict[str, Condition]:
        return {"met": Cmp("count", ">=", req.at_least)}

    def derive(self, req: Supervision, ctx: Context) -> Derived[SupervisionDetail]:
        sessions = sorted((d for d in ctx.record.supervision if d <= ctx.as_of and req.within.elapsed(d, ctx.as_of) < req.within.amount), reverse=True)
        lapses = req.within.after(sessions[req.at_least - 1]) if len(sessions) >= req.at_least else None
        return Derived(
            facts={"count": len(sessions)},
            evidence=[Evidence.of(label=f"supervision sessions in the last {req.within}", value=len(sessions), threshold=f"at least {req.at_least}", source="supervision")],
            lapses_on=lapses,
            detail=SupervisionDetail(count=len(sessions)),
        )

    def behind_since(self, req: Supervision, derived: Derived[SupervisionDetail], ctx: Context) -> _dt.date | None:
        """The day the window ran past the last session that would have been enough (or the start of the spell)."""
        sessions = sorted((d for d in ctx.record.supervision if d <= ctx.as_of), reverse=True)
        if len(sessions) >= req.at_least:
            return req.within.after(sessions[req.at_least - 1])
        return req.within.after(ctx.start) if ctx.start <= ctx.as_of else None

    def form_columns(self, req: Supervision) -> list[str]:
        return ["supervision"]

    def describe(self, req: Supervision, policy: Policy) -> str:
        return f"at least {req.at_least} supervision session{'s' if req.at_least != 1 else ''} {req.within.every()}"

    def explain(self, req: Supervision, d: Derived[SupervisionDetail], status: Status, ctx: Context) -> tuple[str, str | None]:
        asked = f"The role asks for at least {req.at_least} supervision session{'s' if req.at_least != 1 else ''} {req.within.every()}."
        if status == "met":
            return f"{asked} {d.detail.count} in the last {req.within}.", None
        return f"{asked} {d.detail.count} in the last {req.within}.", "Book a supervision session with your supervisor."


@register
class AgeKind(Kind[Age, NoDetail]):
    """Age on the start date (the proposed start, or today if later; in post, the spell's start), so
    nobody ages out of a role they hold. Birthdays on 29 February fall on 28 February in other years."""

    model = Age
    facts = {"known": "integer", "years": "integer"}
    threshold_fields = ("at_least", "at_most")

    def gate(self, req: Age) -> Gate:
        return ("age",), (req.at_least, req.at_most)

    def unmeetable(self, req: Age, listed_in: PathKey) -> list[str]:
        return [f"`{req.id}` asks for an age of {req.at_least}"] if req.at_least is not None and req.at_least >= 100 else []

    def unusual_thresholds(self, req: Age) -> list[str]:
        return [] if req.at_least is None or 16 <= req.at_least <= 25 else [f"`{req.id}` sets a minimum age of {req.at_least}"]

    def conditions(self, req: Age, policy: Policy) -> dict[str, Condition]:
        known = Cmp("known", "==", 1)
        parts: list[Condition] = [known]
        labels: dict[str, Condition] = {}
        if req.at_least is not None:
            parts.append(Cmp("years", ">=", req.at_least))
        if req.at_most is not None:
            parts.append(Cmp("years", "<=", req.at_most))
            labels["blocked"] = all_of(known, Cmp("years", ">", req.at_most))
        labels["met"] = all_of(*parts)
        return labels

    def derive(self, req: Age, ctx: Context) -> Derived[NoDetail]:
        born = ctx.record.date_of_birth
        years = 0
        met_on = lapses = None
        if born is not None:
            years = elapsed(born, ctx.start, "years")
            if req.at_least is not None:
                birthday = add(born, req.at_least, "years")
                met_on = birthday if birthday > ctx.start else None
            if req.at_most is not None and ctx.start >= ctx.as_of:
                too_old = add(born, req.at_most + 1, "years")
                lapses = too_old if too_old > ctx.start else None
        return Derived(
            facts={"known": flag(born is not None), "years": years},
            detail=NoDetail(),
            evidence=[Evidence.of(label="age on the start date", value=years if born else "date of birth not recorded", threshold=_range(req), source="date_of_birth")],
            met_on=met_on,
            lapses_on=lapses,
        )

    def form_columns(self, req: Age) -> list[str]:
        return ["date_of_birth"]

    def describe(self, req: Age, policy: Policy) -> str:
        return f"aged {_range(req)} on the start date"

    def explain(self, req: Age, d: Derived[NoDetail], status: Status, ctx: Context) -> tuple[str, str | None]:
        asked = f"The role is open to people aged {_range(req)} on the start date"
        if d.facts["known"] == 0:
            return f"{asked}; the date of birth is not recorded.", "Record the date of birth."
        if status == "met":
            return f"{asked}; this is met.", None
        if status == "blocked":
            return f"{asked}; on the start date the person is {d.facts['years']}.", "Ask the service which roles are open at this age."
        return f"{asked}.", f"This is met from {long_date(d.met_on)}." if d.met_on else None


def _range(req: Age) -> str:
    if req.at_least is not None and req.at_most is not None:
        return f"{req.at_least} to {req.at_most}"
    return f"{req.at_least} or over" if req.at_least is not None else f"{req.at_most} or under"
