"""What the engine can evaluate is checked when the policy loads, not when a decision is asked for.

durable-rules has hard limits (docs/engine.md, /work/shared/design.md): about 500 rules in a ruleset
(pathrules allows ``MAX_RULES``), 255 properties per fact (pathrules allows ``MAX_FACT_PROPERTIES``),
and it expands every condition into a disjunction of conjunctions, failing with error 113 at 2^13
of them. Durations past a century overflow the calendar arithmetic. A policy past any of these used
to validate and then fail at every `check`; here each becomes a located ``too-complex`` or
``out-of-range`` error at validation (issue 15: D3, D8, D25).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from pathrules.durations import Duration
from pathrules.engine.ir import All, Cmp, Condition, Not, facts_used, push_not
from pathrules.errors import EngineError, Problem
from pathrules.policy.groups import MAX_EXPANDED, Expansion, PathKey, dependency_order
from pathrules.policy.model import Policy
from pathrules.policy.requirements import GroupRef, RequirementItem
from pathrules.yamlsource import Located

MAX_DISJUNCTS = 1024
"""Conjunctions one condition may expand to; durable-rules refused 8,192 and took 4,096 (measured)."""

MAX_DURATION_DAYS = {"days": 36_525, "weeks": 5_218, "months": 1_200, "years": 100}
"""Every duration in a policy is at most a hundred years, in whatever unit it is written."""


def check_group_sizes(policy: Policy, located: Located, lists: list[tuple[PathKey, list[RequirementItem]]], expansion: Expansion) -> list[Problem]:
    """Groups and lists that expand past ``MAX_EXPANDED``, each reported where it first grows too big."""
    problems: list[Problem] = []
    order, _ = dependency_order(policy.groups)
    oversized = {name for name in order if expansion.sizes.get(name, 0) > MAX_EXPANDED}
    help_text = f"a role, activity or progression may have at most {MAX_EXPANDED} requirements once groups are expanded; use each group once"
    for name in sorted(oversized, key=order.index):
        if not any(isinstance(i, GroupRef) and i.group in oversized for i in policy.groups[name]):
            problems.append(located.problem("too-complex", f"group `{name}` expands to more than {MAX_EXPANDED} requirements", ("groups", name), key=True, help=help_text))
    for base, items in lists:
        if base[0] == "groups" or expansion.size(items) <= MAX_EXPANDED:
            continue
        if not any(isinstance(i, GroupRef) and i.group in oversized for i in items):
            problems.append(located.problem("too-complex", f"this list expands to more than {MAX_EXPANDED} requirements", base, help=help_text))
    return problems


def check_durations(policy: Policy, located: Located) -> list[Problem]:
    """Every duration anywhere in the policy within a hundred years."""
    problems: list[Problem] = []
    for path, duration in _durations(policy, ()):
        if duration.amount > MAX_DURATION_DAYS[duration.unit]:
            problems.append(
                located.problem(
                    "out-of-range",
                    f"`{duration}` is longer than 100 years",
                    path,
                    help=f"write at most {MAX_DURATION_DAYS[duration.unit]} {duration.unit}",
                )
            )
    return problems


def _durations(value: Any, path: PathKey) -> Iterator[tuple[PathKey, Duration]]:
    if isinstance(value, Duration):
        yield path, value
    elif isinstance(value, BaseModel):
        for name, info in type(value).model_fields.items():
            yield from _durations(getattr(value, name), path + (info.alias or name,))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _durations(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _durations(item, path + (index,))


def disjuncts(condition: Condition, cap: int = MAX_DISJUNCTS) -> int:
    """How many conjunctions a condition (with `not` pushed down) expands to, saturating past ``cap``."""
    if isinstance(condition, Cmp):
        return 1
    assert not isinstance(condition, Not)
    sizes = [disjuncts(item, cap) for item in condition.items]
    total = 1
    if isinstance(condition, All):
        for size in sizes:
            total = min(total * size, cap + 1)
        return total
    return min(sum(sizes), cap + 1)


def check_engine_limits(policy: Policy, located: Located, lists: list[tuple[PathKey, list[RequirementItem]]], expansion: Expansion) -> list[Problem]:
    """Compile every target as evaluation would and hold it to durable-rules' limits."""
    from pathrules.engine.durable_engine import MAX_FACT_PROPERTIES, ruleset_definition
    from pathrules.evaluation.targets import Mode, compile_target
    from pathrules.policy.loader import LoadedPolicy

    paths: dict[int, PathKey] = {}
    for base, items in lists:
        for path, requirement in expansion.expand(base, items):
            paths.setdefault(id(requirement), path)
    loaded = LoadedPolicy(policy, located.file, "sha256:" + "0" * 64)
    targets: list[tuple[PathKey, str, Mode, str | None]] = []
    for role_id in policy.roles:
        targets += [(("roles", role_id), role_id, "entry", None), (("roles", role_id), role_id, "continuation", None)]
    for index, progression in enumerate(policy.progressions):
        targets.append((("progressions", index), progression.to, "progression", progression.from_))
    problems: list[Problem] = []
    reported: set[PathKey] = set()
    for where, role, mode, from_role in targets:
        target = compile_target(loaded, role, mode, from_role)
        for slot, check in zip(target.slots, target.program.checks):
            path = paths.get(id(slot.requirement), where)
            if path in reported:
                continue
            facts = {f for _, condition in check.conditions for f in facts_used(condition)}
            widest = max((disjuncts(push_not(c)) for _, c in check.conditions), default=0)
            if len(facts) > MAX_FACT_PROPERTIES:
                reported.add(path)
                problems.append(located.problem("too-complex", f"`{slot.requirement.id}` uses {len(facts)} facts; the engine takes at most {MAX_FACT_PROPERTIES} (about {MAX_FACT_PROPERTIES // 2} attributes)", path, help="split it into several requirements"))
            elif widest > MAX_DISJUNCTS:
                reported.add(path)
                problems.append(located.problem("too-complex", f"`{slot.requirement.id}` expands to more than {MAX_DISJUNCTS} alternatives", path, help="split it into several requirements, or use fewer `any:` inside `all:`"))
        try:
            ruleset_definition(target.program, lambda key, label: lambda closure: None)
        except EngineError:
            if where not in reported:
                reported.add(where)
                name = f"progression `{from_role}->{role}`" if mode == "progression" else f"role `{role}`"
                problems.append(located.problem("too-complex", f"{name} has too many requirements for the engine", where, key=where[0] == "roles", help="split the role's requirements into fewer, or into another role"))
    return problems

