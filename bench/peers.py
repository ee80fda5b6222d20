"""The other engines, each deciding the same statuses from the same facts (bench/thesis.py).

* zen-engine (GoRules JDM): one expression node, one expression per requirement; with and without trace;
* rule-engine: one rule per requirement and label, tried in pathrules' precedence (blocked, met, review,
  pending), not met when none matches;
* bare durable-rules: the same conditions as durable-rules rulesets, a fresh session per evaluation and
  a catch-all rule (the guards any durable-rules integration needs), either one fact per record or one
  fact per requirement.

Each returns ``(statuses, outcome)`` so that bench/run.py can check that every contender agrees with
pathrules on every record before timing it. These engines are optional: ``pip install -e '.[bench]'``.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from typing import Any

import pathrules

from thesis import ACTIVITIES, MAIN, REQUIREMENTS, derive, outcome

Contender = Callable[[pathrules.Record], tuple[dict[str, str], str]]

# The conditions per requirement and label, in one tiny language each peer can take: a list of
# alternatives (any), each a list of (fact, op, value) comparisons (all).
Cond = list[list[tuple[str, str, int]]]


def _vetting(applied_is_enough: bool) -> dict[str, Cond]:
    clear: Cond = [[("current", "==", 1), ("disclosure", "==", 0)], [("current", "==", 1), ("review", "==", 1)]]
    labels: dict[str, Cond] = {
        "blocked": [[("current", "==", 1), ("disclosure", "==", 1), ("review", "==", 2)]],
        "met": clear + ([[("applied", "==", 1)]] if applied_is_enough else []),
        "review": [[("current", "==", 1), ("disclosure", "==", 1), ("review", "==", 0)]],
    }
    if not applied_is_enough:
        labels["pending"] = [[("applied", "==", 1)]]
    return labels


RULES: dict[str, tuple[dict[str, Cond], str]] = {  # requirement -> (labels, status when none holds)
    "free-from-use": ({"met": [[("recorded", "==", 1), ("has_use", "==", 0)], [("recorded", "==", 1), ("elapsed", ">=", 3)]]}, "not_met"),
    "may-be-in-treatment": ({"met": [[("recorded", "==", 1)]]}, "not_met"),
    "peer-mentoring-training": ({"met": [[("held", ">=", 1)]]}, "not_met"),
    "level-2-award": ({"met": [[("held", ">=", 1)]]}, "not_met"),
    "dbs-form": (_vetting(True), "not_met"),
    "declaration-and-risk-assessment": ({"met": [[("approved", ">=", 3)]]}, "not_met"),
    "identity": ({"met": [[("seen", "==", 1)]]}, "not_met"),
    "mandatory-elearning": ({"met": [[("held", ">=", 5)]]}, "not_met"),
    "dbs-returned": (_vetting(False), "not_met"),
    "smart-training": ({"met": [[("held", ">=", 1)]]}, "not_met"),
}
PRECEDENCE = ("blocked", "met", "review", "pending")
assert set(RULES) == set(REQUIREMENTS)


def _key(requirement: str) -> str:
    return requirement.replace("-", "_")


def _text(cond: Cond, prefix: str = "") -> str:
    return " or ".join("(" + " and ".join(f"{prefix}{fact} {op} {value}" for fact, op, value in alt) + ")" for alt in cond)


# ---- zen-engine --------------------------------------------------------------------------------


def zen_contender(trace: bool = False) -> Contender:
    import zen

    expressions = []
    for requirement, (labels, otherwise) in RULES.items():
        value = f"'{otherwise}'"
        for label in reversed(PRECEDENCE):  # nested ternaries: the first label that holds wins
            if label in labels:
                value = f"({_text(labels[label], _key(requirement) + '.')}) ? '{label}' : {value}"
        expressions.append({"id": requirement, "key": requirement, "value": value})
    jdm = {
        "nodes": [
            {"id": "in", "type": "inputNode", "name": "facts", "position": {"x": 0, "y": 0}},
            {"id": "statuses", "type": "expressionNode", "name": "statuses", "position": {"x": 1, "y": 0}, "content": {"expressions": expressions}},
            {"id": "out", "type": "outputNode", "name": "statuses", "position": {"x": 2, "y": 0}},
        ],
        "edges": [{"id": "e1", "sourceId": "in", "targetId": "statuses", "type": "edge"}, {"id": "e2", "sourceId": "statuses", "targetId": "out", "type": "edge"}],
    }
    decision = zen.ZenEngine().create_decision(zen.ZenDecisionContent(json.dumps(jdm)))
    options = {"trace": True} if trace else None

    def run(record: pathrules.Record) -> tuple[dict[str, str], str]:
        facts = {_key(r): f for r, f in derive(record).items()}
        status: dict[str, str] = decision.evaluate(facts, options)["result"]
        return status, outcome(status)

    return run


# ---- rule-engine -------------------------------------------------------------------------------


def rule_engine_contender() -> Contender:
    import rule_engine

    compiled = {
        requirement: ([(label, rule_engine.Rule(_text(labels[label]))) for label in PRECEDENCE if label in labels], otherwise)
        for requirement, (labels, otherwise) in RULES.items()
    }

    def run(record: pathrules.Record) -> tuple[dict[str, str], str]:
        facts = derive(record)
        status = {}
        for requirement, (rules, otherwise) in compiled.items():
            thing = facts[requirement]
            status[requirement] = next((label for label, rule in rules if rule.matches(thing)), otherwise)
        return status, outcome(status)

    return run


# ---- bare durable-rules ------------------------------------------------------------------------

_OPS = {"==": None, ">=": "$gte", ">": "$gt", "<=": "$lte", "<": "$lt", "!=": "$neq"}


def _durable_cond(cond: Cond, prefix: str) -> dict[str, Any]:
    def cmp(fact: str, op: str, value: int) -> dict[str, Any]:
        name = prefix + fact
        return {name: value} if _OPS[op] is None else {_OPS[op]: {name: value}}

    alternatives = [{"$and": [cmp(*c) for c in alt]} if len(alt) > 1 else cmp(*alt[0]) for alt in cond]
    return alternatives[0] if len(alternatives) == 1 else {"$or": alternatives}


_rulesets = itertools.count(1)


def durable_contender(per_requirement: bool, own_loop: bool = False) -> Contender:
    """Bare durable-rules on the stock host; with ``own_loop``, on pathrules' action loop instead
    (``durable_engine._fire``: the same native calls without the stock host's per-action JSON), so
    that pathrules' durable engine can also be compared with bare durable-rules driven the same way."""
    from durable import engine

    from pathrules.engine import durable_engine

    class Quiet(engine.Host):  # type: ignore[misc]
        def _run(self) -> None:
            return None

    fired: list[tuple[str, str]] = []
    act = lambda requirement, label: (lambda c: fired.append((requirement, label)))  # noqa: E731
    rules: dict[str, Any] = {}
    _rule_labels: dict[str, tuple[str, str]] = {"seen": ("", "seen")}
    for index, (requirement, (conditions, _)) in enumerate(RULES.items()):
        for label, cond in conditions.items():
            if per_requirement:
                body = {"$and": [{"q": requirement}, _durable_cond(cond, "")]}
            else:
                body = _durable_cond(cond, _key(requirement) + "_")
            rules[f"r{index}_{label}"] = {"all": [{"m": body}], "run": act(requirement, label)}
            _rule_labels[f"r{index}_{label}"] = (requirement, label)
    rules["seen"] = {"all": [{"m": {"$ex": {"q": 1}}}], "run": act("", "seen")}
    name = f"bench_bare_{next(_rulesets)}"
    host = Quiet()
    labels = {rule: (requirement, label) for rule, (requirement, label) in _rule_labels.items() if rule in rules}
    host.register_rulesets({name: rules})
    handle = host.get_ruleset(name)._handle
    sessions = itertools.count(1)

    def run(record: pathrules.Record) -> tuple[dict[str, str], str]:
        facts = derive(record)
        sid = str(next(sessions))
        if per_requirement:
            documents = [{"sid": sid, "q": requirement, **values} for requirement, values in facts.items()]
        else:
            documents = [{"sid": sid, "q": "record", **{f"{_key(r)}_{k}": v for r, values in facts.items() for k, v in values.items()}}]
        fired.clear()
        try:
            if own_loop:
                fired.extend(durable_engine._fire(handle, documents, labels))
            else:
                host.assert_facts(name, documents)
        finally:
            host.delete_state(name, sid)
        held: dict[str, set[str]] = {r: set() for r in RULES}
        for requirement, label in fired:
            if requirement:
                held[requirement].add(label)
        status = {r: next((label for label in PRECEDENCE if label in held[r]), RULES[r][1]) for r in RULES}
        return status, outcome(status)

    return run


__all__ = ["ACTIVITIES", "MAIN", "durable_contender", "rule_engine_contender", "zen_contender"]
