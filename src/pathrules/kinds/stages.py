"""The ``stage_reached`` kind: a gate on the person's stage in a staged role (see pathrules.policy.stages)."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from pydantic import Field

from pathrules.decision import Evidence, Status
from pathrules.engine.ir import Cmp, Condition
from pathrules.errors import Problem
from pathrules.kinds.base import Context, Derived, Kind, RequirementBase, long_date, register
from pathrules.located_errors import suggestion
from pathrules.policy.fields import Slug

if TYPE_CHECKING:
    from pathrules.policy.model import Policy
    from pathrules.record.model import Record
    from pathrules.yamlsource import Located, PathKey


class StageReached(RequirementBase):
    """The person has reached at least this stage of a staged role (a sign-off in the record)."""

    kind: Literal["stage_reached"]
    role: Slug
    stage: Slug = Field(description="A stage id of that role; any later stage counts too.")


@dataclass(frozen=True)
class StageDetail:
    reached: str | None
    on: _dt.date | None


def reached_stage(record: Record, policy: Policy, role: str) -> tuple[int, str | None, _dt.date | None, str | None]:
    """(index + 1 of the last stage signed off, its id, the day, who) — 0 and None when none is."""
    stages = policy.roles[role].stages if role in policy.roles else []
    best: tuple[int, str | None, _dt.date | None, str | None] = (0, None, None, None)
    for index, stage in enumerate(stages, 1):
        signs = [s for s in record.stage_sign_offs if s.role == role and s.stage == stage.id and s.signed_off_by in stage.signed_off_by]
        if signs:
            first = min(signs, key=lambda s: s.signed_off_on)
            best = (index, stage.id, first.signed_off_on, first.signed_off_by)
    return best


@register
class StageReachedKind(Kind[StageReached, StageDetail]):
    model = StageReached
    facts = {"reached": "integer"}

    def check_references(self, req: StageReached, policy: Policy, located: Located, path: PathKey) -> list[Problem]:
        if req.role not in policy.roles:
            return [located.problem("unknown-role", f"no role named `{req.role}`", path + ("role",), help=suggestion(req.role, list(policy.roles)))]
        ids = [s.id for s in policy.roles[req.role].stages]
        if req.stage not in ids:
            return [located.problem("unknown-stage", f"role `{req.role}` has no stage `{req.stage}`", path + ("stage",), help=suggestion(req.stage, ids) or "add it under the role's `stages:`")]
        return []

    def _index(self, req: StageReached, policy: Policy) -> int:
        return [s.id for s in policy.roles[req.role].stages].index(req.stage) + 1

    def conditions(self, req: StageReached, policy: Policy) -> dict[str, Condition]:
        return {"met": Cmp("reached", ">=", self._index(req, policy))}

    def derive(self, req: StageReached, ctx: Context) -> Derived[StageDetail]:
        index, stage, on, _ = reached_stage(ctx.record, ctx.policy, req.role)
        return Derived(
            facts={"reached": index},
            evidence=[Evidence.of(label=f"stage reached as {req.role.replace('-', ' ')}", value=stage or "none signed off", threshold=f"at least {req.stage}", source="stage_sign_offs")],
            detail=StageDetail(reached=stage, on=on),
        )

    def describe(self, req: StageReached, policy: Policy) -> str:
        stages = {s.id: s.title for s in policy.roles[req.role].stages} if req.role in policy.roles else {}
        return f"{stages.get(req.stage, req.stage)} reached (signed off)"

    def explain(self, req: StageReached, d: Derived[StageDetail], status: Status, ctx: Context) -> tuple[str, str | None]:
        title = self.describe(req, ctx.policy)
        if status == "met":
            return f"This needs {title}; {d.detail.reached} was signed off on {long_date(d.detail.on)}." if d.detail.on else f"This needs {title}.", None
        now = f"the record shows {d.detail.reached} so far" if d.detail.reached else "no stage is signed off yet"
        return f"This needs {title}; {now}.", "Agree the next stage with your supervisor, who signs it off."
