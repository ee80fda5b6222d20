"""What the service owes a person in post: a role's ``owes`` list, checked on the same engine as requirements.

Duties are ordinary requirements of any kind (supervision, an expression over a caseload, an exit plan),
compiled into a program of their own so that they can never reach the person's outcome: the decision
reports them in ``service_owes``, addressed to the service, with the day it fell behind where the
record shows it. They are checked only while the person holds the role (``continuation``): before the
start there is nothing owed yet.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pathrules.decision import DutyResult
from pathrules.describe import describe_requirement
from pathrules.fork_safety import ForkSafeLock
from pathrules.engine.program import Check, Engine, Program
from pathrules.kinds import kind_of
from pathrules.kinds.base import LABELS, Context, Derived
from pathrules.policy.loader import LoadedPolicy
from pathrules.policy.source import cited
from pathrules.policy.requirements import Requirement


def _program_name(digest: str, role: str) -> str:
    """Distinct from every target program name: a digest of a differently shaped list."""
    exact = json.dumps([digest, "owes", role], ensure_ascii=True)
    return "pathrules_owes_" + hashlib.sha256(exact.encode("ascii")).hexdigest()[:40]


class DutyPrograms:
    """Compiled duty programs per (policy digest, role); safe to share between threads."""

    def __init__(self) -> None:
        self._compiled: dict[tuple[str, str], tuple[tuple[Requirement, ...], Program]] = {}
        self._lock = ForkSafeLock()  # a fork while another thread compiles must not hang the child

    def get(self, loaded: LoadedPolicy, role: str) -> tuple[tuple[Requirement, ...], Program]:
        key = (loaded.digest, role)
        with self._lock:
            found = self._compiled.get(key)
            if found is None:
                found = _compile(loaded, role)
                self._compiled[key] = found
        return found


def _compile(loaded: LoadedPolicy, role: str) -> tuple[tuple[Requirement, ...], Program]:
    policy = loaded.policy
    duties = tuple(policy.expand(policy.roles[role].owes))
    checks: list[Check] = []
    for index, duty in enumerate(duties):
        kind = kind_of(duty)
        conditions = kind.conditions(duty, policy)
        labelled = tuple((label, conditions[label]) for label in LABELS if label in conditions)
        checks.append(Check(f"d{index}", labelled, tuple(kind.fact_types(duty, policy).items())))
    return duties, Program(_program_name(loaded.digest, role), tuple(checks))


def evaluate_duties(programs: DutyPrograms, engine: Engine, loaded: LoadedPolicy, role: str, ctx: Context, in_post: bool) -> list[DutyResult]:
    """Each duty's status as of ``ctx.as_of``; nothing when the person is not in post."""
    if not in_post or not loaded.policy.roles[role].owes:
        return []
    duties, program = programs.get(loaded, role)
    derived = {f"d{i}": kind_of(duty).derive(duty, ctx) for i, duty in enumerate(duties)}
    fired = engine.run(program, {key: d.facts for key, d in derived.items()})
    return [_result(duty, derived[f"d{i}"], fired[f"d{i}"], ctx) for i, duty in enumerate(duties)]


def _result(duty: Requirement, derived: Derived[Any], fired: frozenset[str], ctx: Context) -> DutyResult:
    kind = kind_of(duty)
    met = "met" in fired and "blocked" not in fired
    reason, next_step = kind.explain(duty, derived, "met" if met else "not_met", ctx)
    if not met:
        reason = kind.explain_behind(duty, derived, describe_requirement(duty, ctx.policy)) or reason
    since = None if met else kind.behind_since(duty, derived, ctx)
    if since is not None and since > ctx.as_of:
        since = None
    return DutyResult(
        id=duty.id,
        kind=duty.kind,
        status="met" if met else "behind",
        duty=describe_requirement(duty, ctx.policy),
        reason=reason,
        since=since,
        next_step=None if met else (_for_service(next_step) or "The service puts this in place and records it."),
        because=duty.because,
        evidence=derived.evidence,
        source=cited(duty.source),
    )


def _for_service(step: str | None) -> str | None:
    """Kinds write next steps for the person; a duty's next step is the service's to take."""
    if step is None or step.startswith("Talk with the service"):
        return None
    if step.startswith("Book a supervision session"):
        return "The service arranges a supervision session."
    return step
