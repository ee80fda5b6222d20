"""The organisation's side of a decision, added after the person's side is assembled and never changing it:
what the service owes (duties and overdue decision deadlines), what is waiting on it, and the stage reached."""

from __future__ import annotations

from pathrules.decision import Decision
from pathrules.engine.program import Engine
from pathrules.evaluation.deadlines import evaluate_deadlines
from pathrules.evaluation.duties import DutyPrograms, evaluate_duties
from pathrules.evaluation.stages import stage_progress
from pathrules.kinds.base import Context
from pathrules.policy.loader import LoadedPolicy


def with_service_side(decision: Decision, programs: DutyPrograms, engine: Engine, loaded: LoadedPolicy, role: str, ctx: Context, in_post: bool) -> Decision:
    owes = evaluate_duties(programs, engine, loaded, role, ctx, in_post=in_post)
    waiting, overdue = evaluate_deadlines(loaded, role, ctx, decision, in_post=in_post)
    stage = stage_progress(loaded.policy, role, ctx)
    if not (owes or waiting or stage):
        return decision
    return decision.model_copy(update={"service_owes": owes + overdue, "waiting_on_service": waiting, "role_stage": stage})
