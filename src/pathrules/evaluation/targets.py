"""Compile one evaluation target (a role at entry or in post, or a progression) into a Program.

A target's requirements become *slots*, each with a short engine key; the Program holds the named
conditions per slot, over the facts each kind declares. Programs are named after a digest of the exact
target (policy digest, mode, from-role, role), so that durable-rules' global ruleset names are reused
for the same policy text and target, and two targets never share one (``peer-mentor`` and
``peer_mentor`` once did).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

from pathrules.decision import PolicyRef, Stage, Target
from pathrules.durations import Duration
from pathrules.engine.program import Check, Program
from pathrules.errors import EvaluationError
from pathrules.kinds import kind_of
from pathrules.kinds.base import LABELS, Context, Derived
from pathrules.kinds.lapse import LapseHandling
from pathrules.policy.loader import LoadedPolicy
from pathrules.policy.requirements import Requirement
from pathrules.policy.source import cited

Mode = Literal["entry", "continuation", "progression"]


@dataclass(frozen=True)
class Slot:
    key: str
    stage: Stage
    activity: str | None
    requirement: Requirement
    asked: str = ""  # what the requirement asks (its kind's ``describe``), worked out once per target
    cited: str | None = None  # where the rule comes from, for staff (``cited(requirement.source)``), once per target

    @cached_property
    def derive(self) -> Callable[[Any, Context], Derived[Any]]:
        """The requirement's kind's ``derive``, looked up once per target."""
        return kind_of(self.requirement).derive

    @cached_property
    def fixed(self) -> tuple[str, str, Stage, str | None, str | None, Duration | None, str | None]:
        """What every result of this slot says whatever the record: its id, kind, stage, why, source,
        how long after the start it may be owed, and who may agree an exception to a discretionary
        requirement (a manager, unless the policy names one; None: nobody)."""
        r = self.requirement
        return r.id, r.kind, self.stage, r.because, self.cited, r.due_after_start, (r.decided_by or "manager") if r.discretionary else None


@dataclass(frozen=True)
class CompiledTarget:
    """A role or progression of one policy, compiled: its requirement slots and the engine program."""

    role: str
    mode: Mode
    from_role: str | None
    slots: tuple[Slot, ...]
    program: Program
    decision_target: Target  # the decision's ``target``, the same for every decision on this target
    policy_ref: PolicyRef  # which policy decides, the same for every decision on this target
    activity_cited: dict[str, str | None]  # each activity's citation, for staff

    @cached_property
    def main_keys(self) -> tuple[str, ...]:
        """The slots of the role itself (not of one of its activities), in order."""
        return tuple(slot.key for slot in self.slots if slot.activity is None)

    @cached_property
    def derivations(self) -> tuple[tuple[str, Callable[[Any, Context], Derived[Any]], Requirement], ...]:
        """Each slot's key, its kind's ``derive`` and its requirement, in order: what every evaluation
        calls, unpacked once per target."""
        return tuple((slot.key, slot.derive, slot.requirement) for slot in self.slots)

    @cached_property
    def activity_keys(self) -> dict[str, tuple[str, ...]]:
        """Each activity's slots, in order."""
        keys: dict[str, list[str]] = {}
        for slot in self.slots:
            if slot.activity is not None:
                keys.setdefault(slot.activity, []).append(slot.key)
        return {activity: tuple(found) for activity, found in keys.items()}


def program_name(digest: str, mode: Mode, from_role: str | None, role: str) -> str:
    """An injective name for a target: a digest of its exact parts (durable-rules names must be plain)."""
    exact = json.dumps([digest, mode, from_role, role], ensure_ascii=True)
    return "pathrules_" + hashlib.sha256(exact.encode("ascii")).hexdigest()


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
        ongoing = policy.expand(spec.ongoing)
        planned += [("ongoing", None, r) for r in ongoing]
        # a lapse in post pauses the activities its rule names: each gets the rule's "way back" as a requirement
        planned += [("activity", a, r.pausing(a)) for r in ongoing if isinstance(r, LapseHandling) for a in r.pauses if a in spec.activities]
        planned += [("entry", None, r) for r in policy.expand(spec.requires) if r.due_after_start is not None or kind_of(r).owed_in_post(r)]
    else:
        planned += [("entry", None, r) for r in policy.expand(spec.requires)]
    for activity_id, gated in spec.activities.items():
        planned += [("activity", activity_id, r) for r in policy.expand(gated.requires)]

    slots: list[Slot] = []
    checks: list[Check] = []
    for index, (stage, activity, requirement) in enumerate(planned):
        key = f"r{index}"
        kind = kind_of(requirement)
        slots.append(Slot(key, stage, activity, requirement, kind.describe(requirement, policy), cited(requirement.source)))
        conditions = kind.conditions(requirement, policy)
        labelled = tuple((label, conditions[label]) for label in LABELS if label in conditions)
        checks.append(Check(key, labelled, tuple(kind.fact_types(requirement, policy).items())))
    name = program_name(loaded.digest, mode, from_role, role)
    decision_target = Target.assembled({"role": role, "title": spec.title, "from_role": from_role})
    policy_ref = PolicyRef.assembled({"id": policy.policy, "version": policy.version, "digest": loaded.digest, "organisation": policy.organisation})
    activity_cited = {activity_id: cited(activity.source) for activity_id, activity in spec.activities.items()}
    return CompiledTarget(role, mode, from_role, tuple(slots), Program(name, tuple(checks)), decision_target, policy_ref, activity_cited)
