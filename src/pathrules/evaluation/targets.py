"""Compile one evaluation target (a role at entry or in post, or a progression) into a Program.

A target's requirements become *slots*, each with a short engine key; the Program holds the named
conditions per slot. Programs are named after the policy digest so that durable-rules' global,
permanent ruleset names are reused for the same policy text and never redefined.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from pathrules.decision import Stage
from pathrules.engine.program import Check, Program
from pathrules.errors import EvaluationError
from pathrules.kinds import kind_of
from pathrules.kinds.base import LABELS
from pathrules.policy.loader import LoadedPolicy
from pathrules.policy.requirements import Requirement

Mode = Literal["entry", "continuation", "progression"]


@dataclass(frozen=True)
class Slot:
    key: str
    stage: Stage
    activity: str | None
    requirement: Requirement


@dataclass(frozen=True)
class CompiledTarget:
    """A role or progression of one policy, compiled: its requirement slots and the engine program."""

    role: str
    mode: Mode
    from_role: str | None
    slots: tuple[Slot, ...]
    program: Program


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", text)


def compile_target(loaded: LoadedPolicy, role: str, mode: Mode, from_role: str | None = None) -> CompiledTarget:
    policy = loaded.policy
    if role not in policy.roles:
        raise EvaluationError(f"policy `{policy.policy}` has no role `{role}`; roles: {', '.join(policy.roles)}")
    spec = policy.roles[role]
    planned: list[tuple[Stage, str | None, Requirement]] = []
    if mode == "progression":
        assert from_role is not None
        progression = policy.progression(from_role, role)
        if progression is None:
            known = ", ".join(p.id for p in policy.progressions) or "none"
            raise EvaluationError(f"policy `{policy.policy}` has no progression from `{from_role}` to `{role}`; progressions: {known}")
        planned += [("progression", None, r) for r in policy.expand(progression.requires)]
        planned += [("entry", None, r) for r in policy.expand(spec.requires)]
    elif mode == "continuation":
        planned += [("ongoing", None, r) for r in policy.expand(spec.ongoing)]
        planned += [("entry", None, r) for r in policy.expand(spec.requires) if r.due_after_start is not None or kind_of(r).owed_in_post(r)]
    else:
        planned += [("entry", None, r) for r in policy.expand(spec.requires)]
    for activity_id, gated in spec.activities.items():
        planned += [("activity", activity_id, r) for r in policy.expand(gated.requires)]

    slots: list[Slot] = []
    checks: list[Check] = []
    for index, (stage, activity, requirement) in enumerate(planned):
        key = f"r{index}"
        slots.append(Slot(key, stage, activity, requirement))
        conditions = kind_of(requirement).conditions(requirement, policy)
        checks.append(Check(key, tuple((label, conditions[label]) for label in LABELS if label in conditions)))
    target_name = f"{mode}_{from_role}_{role}" if from_role else f"{mode}_{role}"
    name = _safe(f"pathrules_{loaded.digest.split(':')[-1][:20]}_{target_name}")
    return CompiledTarget(role, mode, from_role, tuple(slots), Program(name, tuple(checks)))
