"""Placement bars: where a person may not be placed, for a time or for good, while other placements stay open.

The thesis organisations did not place former service users "in a service or team where they were once
service users" (Soondar 2023, §5.1, l.1140). A decision is for a placement (a team, or ``service/team``),
so a bar that no action can lift makes the person ``ineligible`` for that placement only; without a
placement the bar is listed for staff to keep in mind and does not hold the decision back.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from pydantic import Field, model_validator

from pathrules.decision import Evidence, Status
from pathrules.engine.ir import Cmp, Condition
from pathrules.errors import EvaluationError
from pathrules.kinds.base import Context, Derived, Kind, RequirementBase, flag, long_date, names, register
from pathrules.policy.fields import SLUG_PATTERN, DurationField, Slug

if TYPE_CHECKING:
    from pathrules.policy.model import Policy
    from pathrules.record.model import ServiceUse

_PART = SLUG_PATTERN.strip("^$")
_PLACEMENT = re.compile(rf"(?:(?P<service>{_PART})/)?(?P<team>{_PART})")


@dataclass(frozen=True)
class Placement:
    """Where a decision places the person: a team, optionally with its service (``service/team``)."""

    team: str
    service: str | None = None

    @classmethod
    def parse(cls, text: str) -> Placement:
        match = _PLACEMENT.fullmatch(text) if len(text) <= 161 else None
        if match is None:
            raise EvaluationError(f"placement `{text[:80]}`: expected a team id such as `north-team`, or `service/team`")
        return cls(team=match.group("team"), service=match.group("service"))

    def __str__(self) -> str:
        return f"{self.service}/{self.team}" if self.service else self.team

    def within(self, use: ServiceUse, level: Literal["team", "service"]) -> bool:
        """Whether this placement is where ``use`` happened (its team, or anywhere in its service)."""
        same_team = use.team is not None and use.team == self.team and (self.service is None or self.service == use.service)
        if level == "team" and use.team is not None:
            return same_team
        # the service as a whole (or a use recorded without its team): any placement known to be in that service
        return same_team or self.service == use.service or self.team == use.service


class PlacementBar(RequirementBase):
    """Placements the role may not be in: where the person used services (``former``) or named teams."""

    kind: Literal["placement_bar"]
    former: Literal["team", "service"] | None = Field(
        default=None,
        description="Bar placements where the person was a service user: in the same `team`, or anywhere in the same `service`.",
    )
    teams: list[Slug] | None = Field(default=None, min_length=1, description="Teams or services this role is never placed in.")
    lasts: DurationField | None = Field(
        default=None,
        description="With `former`: how long after the person stopped using the service the bar lasts; omit for a bar for good.",
    )

    @model_validator(mode="after")
    def _names_a_place(self) -> PlacementBar:
        if self.former is None and self.teams is None:
            raise ValueError("a placement bar must name what it bars: `former: team`, `former: service` or `teams: [...]`")
        if self.lasts is not None and self.former is None:
            raise ValueError("`lasts` counts from the end of the person's service use: it needs `former`")
        return self


@dataclass(frozen=True)
class BarDetail:
    placement: Placement | None
    matched: tuple[ServiceUse, ...]
    named: bool
    free_on: _dt.date | None


def _uses_by(ctx: Context) -> list[ServiceUse]:
    """Service use that had begun by the day (as of evaluation: later entries do not exist yet)."""
    return [u for u in ctx.record.services_used if u.started_on is None or u.started_on <= ctx.as_of]


def _still_using(use: ServiceUse, day: _dt.date) -> bool:
    return use.until is None or use.until > day


def _place(use: ServiceUse) -> str:
    return f"{use.service}/{use.team}" if use.team else use.service


@register
class PlacementBarKind(Kind[PlacementBar, BarDetail]):
    model = PlacementBar
    facts = {"barred_for_good": "integer", "barred_now": "integer"}
    threshold_fields = ("lasts",)

    def conditions(self, req: PlacementBar, policy: Policy) -> dict[str, Condition]:
        return {"blocked": Cmp("barred_for_good", "==", 1), "met": Cmp("barred_now", "==", 0)}

    def derive(self, req: PlacementBar, ctx: Context) -> Derived[BarDetail]:
        placement = Placement.parse(ctx.placement) if ctx.placement else None
        uses = _uses_by(ctx) if req.former else []
        named = placement is not None and bool(req.teams) and bool({placement.team, placement.service} & set(req.teams or []))
        matched = tuple(u for u in uses if placement is not None and req.former is not None and placement.within(u, req.former))
        for_good = named or (bool(matched) and req.lasts is None)
        free_on: _dt.date | None = None
        barred_now = for_good
        if matched and req.lasts is not None and not for_good:
            if any(_still_using(u, ctx.as_of) for u in matched):
                barred_now = True  # still a service user there: the bar has not started to run out
            else:
                free_on = max(req.lasts.after(u.until) for u in matched if u.until is not None)
                barred_now = ctx.as_of < free_on
        evidence = [
            Evidence.of(
                label="services used",
                value=", ".join(f"{_place(u)} until {u.until}" if u.until else f"{_place(u)} (still using)" for u in uses) or "none recorded",
                threshold=f"no placement in a {req.former} where they were a service user" + (f" for {req.lasts} after" if req.lasts else ""),
                source="services_used",
            )
        ] if req.former else []
        evidence.append(Evidence.of(label="placement", value=str(placement) if placement else "not named", threshold=None, source=None))
        return Derived(
            facts={"barred_for_good": flag(for_good), "barred_now": flag(barred_now)},
            detail=BarDetail(placement=placement, matched=matched, named=named, free_on=free_on),
            evidence=evidence,
            met_on=free_on if barred_now else None,
        )

    def describe(self, req: PlacementBar, policy: Policy) -> str:
        parts = []
        if req.former:
            parts.append(f"not placed in a {req.former} where they were a service user" + (f", for {req.lasts} after they stopped using it" if req.lasts else ""))
        if req.teams:
            parts.append(f"never placed in {names(req.teams, 'or')}")
        return "; ".join(parts)

    def explain(self, req: PlacementBar, d: Derived[BarDetail], status: Status, ctx: Context) -> tuple[str, str | None]:
        where = str(d.detail.placement) if d.detail.placement else ""
        if d.detail.placement is None:
            barred = [_place(u) for u in _uses_by(ctx)] if req.former else []
            barred += list(req.teams or [])
            if not barred:
                return f"The role is {self.describe(req, ctx.policy)}; nothing in the record bars a placement.", None
            return f"The role is {self.describe(req, ctx.policy)}: whichever placement is chosen, not {names(barred, 'or')}.", None
        if status == "met":
            return f"A placement in {where} is open: the role is {self.describe(req, ctx.policy)}.", None
        other = "Other placements stay open; choose another team."
        if status == "blocked":
            why = "this policy never places the role there" if d.detail.named else "they were a service user there"
            return f"A placement in {where} is not possible under this policy: {why}.", other
        if d.detail.free_on is not None:
            return f"A placement in {where} is barred until {long_date(d.detail.free_on)}: they were a service user there.", other
        return f"A placement in {where} is barred while they use services there, and for {req.lasts} after.", other
