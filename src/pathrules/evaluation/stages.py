"""Where a person is in a staged role: the last stage signed off, what it unlocks, what the next needs."""

from __future__ import annotations

from pathrules.decision import StageProgress
from pathrules.kinds.base import Context, names
from pathrules.kinds.stages import StageReached, reached_stage
from pathrules.policy.model import Policy


def unlocked_by(policy: Policy, role: str) -> dict[str, list[str]]:
    """Stage id -> the activities of ``role`` gated on reaching it (a ``stage_reached`` requirement)."""
    found: dict[str, list[str]] = {s.id: [] for s in policy.roles[role].stages}
    for activity_id, activity in policy.roles[role].activities.items():
        for requirement in policy.expand(activity.requires):
            if isinstance(requirement, StageReached) and requirement.role == role and requirement.stage in found:
                found[requirement.stage].append(activity_id)
    return found


def stage_progress(policy: Policy, role: str, ctx: Context) -> StageProgress | None:
    stages = policy.roles[role].stages
    if not stages:
        return None
    index, current, on, by = reached_stage(ctx.record, policy, role)
    unlocks = unlocked_by(policy, role)
    unlocked = [a for stage in stages[:index] for a in unlocks[stage.id]]
    following = stages[index] if index < len(stages) else None
    needs = None
    if following is not None:
        who = names([r.replace("-", " ") for r in following.signed_off_by], "or")
        opens = f"; it unlocks {names([a.replace('-', ' ') for a in unlocks[following.id]])}" if unlocks[following.id] else ""
        needs = f"{following.title} signed off by the {who}{opens}."
    return StageProgress(
        current=current,
        title=stages[index - 1].title if index else None,
        signed_off_by=by,
        signed_off_on=on,
        next=following.id if following else None,
        next_title=following.title if following else None,
        next_needs=needs,
        unlocked=unlocked,
    )
