"""Checks across a whole policy that a schema cannot express: references, cycles, duplicate ids.

Each check yields Problems at the place the author must edit, so all are reported in one pass.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pathrules.errors import Problem
from pathrules.kinds.base import kind_of
from pathrules.located_errors import suggestion
from pathrules.policy.groups import dependency_order
from pathrules.policy.limits import check_durations, check_engine_limits, check_group_sizes
from pathrules.policy.model import Policy
from pathrules.policy.repetition import check_repetition
from pathrules.policy.requirements import GroupRef, RequirementItem
from pathrules.yamlsource import Located, PathKey


def requirement_lists(policy: Policy) -> Iterator[tuple[PathKey, list[RequirementItem]]]:
    """Every list of requirement items in the policy, with its path."""
    for name, items in policy.groups.items():
        yield ("groups", name), items
    for role_id, role in policy.roles.items():
        yield ("roles", role_id, "requires"), role.requires
        yield ("roles", role_id, "ongoing"), role.ongoing
        yield ("roles", role_id, "owes"), role.owes
        for activity_id, activity in role.activities.items():
            yield ("roles", role_id, "activities", activity_id, "requires"), activity.requires
    for index, progression in enumerate(policy.progressions):
        yield ("progressions", index, "requires"), progression.requires


def check_policy(policy: Policy, located: Located) -> list[Problem]:
    """Every cross-field problem of a policy, in one pass; the engine's limits once all else holds."""
    lists = list(requirement_lists(policy))
    expansion = policy.expansion()
    problems: list[Problem] = []
    problems += _check_dates(policy, located)
    problems += _check_groups(policy, located)
    problems += check_group_sizes(policy, located, lists, expansion)
    problems += check_repetition(policy, located, expansion)
    problems += _check_references(policy, located)
    problems += _check_activities(policy, located)
    problems += check_durations(policy, located)
    if not problems:
        problems += check_engine_limits(policy, located, [(b, i) for b, i in lists if b[0] != "groups"], expansion)
    return sorted(problems, key=lambda p: (p.line or 0, p.column or 0))


def _check_dates(policy: Policy, located: Located) -> list[Problem]:
    if policy.effective_until is not None and policy.effective_until < policy.effective_from:
        return [located.problem("dates", "`effective_until` is before `effective_from`", ("effective_until",))]
    return []


def _check_groups(policy: Policy, located: Located) -> list[Problem]:
    problems: list[Problem] = []
    names = list(policy.groups)
    for path, items in requirement_lists(policy):
        for index, item in enumerate(items):
            if isinstance(item, GroupRef) and item.group not in policy.groups:
                problems.append(
                    located.problem(
                        "unknown-group",
                        f"no group named `{item.group}`",
                        path + (index, "group"),
                        help=suggestion(item.group, names) or (f"groups defined: {', '.join(names)}" if names else "define it under `groups:`"),
                    )
                )
    reported: set[frozenset[str]] = set()
    _, cycles = dependency_order(policy.groups)
    for cycle in cycles:
        key = frozenset(cycle)
        if key not in reported:
            reported.add(key)
            shown = cycle if len(cycle) <= 8 else cycle[:4] + ["..."] + cycle[-3:]
            problems.append(
                located.problem("group-cycle", f"groups use each other in a cycle: {' -> '.join(shown)}", ("groups", cycle[0]), key=True)
            )
    return problems


def _check_references(policy: Policy, located: Located) -> list[Problem]:
    problems: list[Problem] = []
    roles = list(policy.roles)
    for base, items in requirement_lists(policy):
        for index, item in enumerate(items):
            if not isinstance(item, GroupRef):
                problems += kind_of(item).check_references(item, policy, located, base + (index,))
    for index, progression in enumerate(policy.progressions):
        for key, role in (("from", progression.from_), ("to", progression.to)):
            if role not in policy.roles:
                problems.append(
                    located.problem("unknown-role", f"no role named `{role}`", ("progressions", index, key), help=suggestion(role, roles))
                )
    return problems


def _check_activities(policy: Policy, located: Located) -> list[Problem]:
    problems: list[Problem] = []
    for role_id, role in policy.roles.items():
        for index, never in enumerate(role.never):
            if never in role.activities:
                problems.append(
                    located.problem(
                        "activity-conflict",
                        f"`{never}` is both a gated activity and one the role may never do",
                        ("roles", role_id, "never", index),
                    )
                )
    return problems
