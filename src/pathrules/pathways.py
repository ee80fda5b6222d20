"""Where could this person go? Every role and progression across a folder of policies, nearest first."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

from pathrules.decision import Decision
from pathrules.errors import EvaluationError
from pathrules.evaluation.evaluate import EngineChoice, Evaluator
from pathrules.policy.loader import LoadedPolicy
from pathrules.record.model import Record
from pathrules.vocabulary import OUTCOMES

_GROUP = {outcome: words.pathway_group for outcome, words in OUTCOMES.items()}


@dataclass(frozen=True)
class Pathway:
    organisation: str
    policy: str
    role: str
    title: str
    from_role: str | None
    in_post: bool
    decision: Decision

    @property
    def blockers(self) -> list[str]:
        """The one or two things that stand in the way, in the person's terms."""
        open_items = [r for r in self.decision.requirements if r.status not in ("met", "owed")]
        return [(r.next_step or r.reason) for r in open_items[:2]]


def sort_key(pathway: Pathway) -> tuple[int, _dt.date, int, str]:
    decision = pathway.decision
    group = _GROUP[decision.outcome]
    if decision.outcome == "not_yet" and decision.eligible_from is None:
        group = 4
    when = decision.eligible_from or decision.time_gaps_close_on or _dt.date.max
    return (group, when, len(decision.unmet()), pathway.title)


def pathways(record: Record, policies: list[LoadedPolicy], as_of: _dt.date, engine: EngineChoice = "auto") -> list[Pathway]:
    """Every role (and every progression from a role the person holds or held) in every policy in force."""
    found: list[Pathway] = []
    by_id: dict[str, list[LoadedPolicy]] = {}
    for loaded in policies:
        by_id.setdefault(loaded.id, []).append(loaded)
    for policy_id, versions in sorted(by_id.items()):
        evaluator = Evaluator(versions, engine=engine)
        try:
            loaded = evaluator.policy_for(as_of, policy_id)
        except EvaluationError:
            continue  # no version in force on that day: nothing to offer there
        policy = loaded.policy
        held = {s.role for s in record.roles_held if s.started_on <= as_of and s.is_for(s.role, policy_id)}
        current = {s.role for s in record.roles_held if s.ongoing_on(as_of) and s.is_for(s.role, policy_id)}
        moves = [p for p in policy.progressions if p.from_ in held]
        reached_by_move = {p.to for p in moves}
        for role_id, role in policy.roles.items():
            if role_id in reached_by_move:
                continue  # shown below as the move from a role held, which includes this role's own needs
            decision = evaluator.evaluate(record, role_id, as_of=as_of, policy_id=policy_id)
            found.append(Pathway(policy.organisation, policy_id, role_id, role.title, None, role_id in current, decision))
        for progression in moves:
            decision = evaluator.evaluate(record, progression.to, as_of=as_of, from_role=progression.from_, policy_id=policy_id)
            found.append(Pathway(policy.organisation, policy_id, progression.to, policy.roles[progression.to].title, progression.from_, False, decision))
    return sorted(found, key=sort_key)
