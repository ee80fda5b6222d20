"""Checks across a whole policy that a schema cannot express: references, cycles, duplicate ids.

Each check yields Problems at the place the author must edit, so all are reported in one pass.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pathrules.errors import Problem
from pathrules.kinds.base import kind_of
from pathrules.located_errors import suggestion
from pathrules.policy.model import Policy
from pathrules.policy.requirements import GroupRef, RequirementItem
from pathrules.yamlsource import Located, PathKey


def requirement_lists(policy: Policy) -> Iterator[tuple[PathKey, list[RequirementItem]]]:
    """Every list of requirement items in the policy, with its path."""
    for name, items in policy.groups.items():
        yield ("groups", name), items
    for role_id, role in policy.roles.items():
        yield ("roles", role_id, "requires"), role.requires
        yield ("roles", role_id, "ongoing"), role.ongoing
        for activity_id, activity in role.activities.items():
            yield ("roles", role_id, "activities", activity_id, "requires"), activity.requires
    for index, progression in enumerate(policy.progressions):
        yield ("progressions", index, "requires"), progression.requires


def check_policy(policy: Policy, located: Located) -> list[Problem]:
    problems: list[Problem] = []
    problems += _check_dates(policy, located)
    problems += _check_groups(policy, located)
    if not problems:
        problems += _check_duplicate_ids(policy, located)
    problems += _check_references(policy, located)
    problems += _check_activities(policy, located)
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
    # cycles: depth-first search over group -> groups it uses
    edges = {name: [i.group for i in items if isinstance(i, GroupRef) and i.group in policy.groups] for name, items in policy.groups.items()}
    state: dict[str, int] = {}
    reported: set[frozenset[str]] = set()

    def visit(name: str, trail: list[str]) -> None:
        state[name] = 1
        for target in edges[name]:
            if state.get(target) == 1:
                cycle = trail[trail.index(target) :] + [target]
                key = frozenset(cycle)
                if key not in reported:
                    reported.add(key)
                    problems.append(
                        located.problem(
                            "group-cycle",
                            f"groups use each other in a cycle: {' -> '.join(cycle)}",
                            ("groups", target),
                            key=True,
                        )
                    )
            elif state.get(target) is None:
                visit(target, trail + [target])
        state[name] = 2

    for name in names:
        if name not in state:
            visit(name, [name])
    return problems


def _expanded_with_paths(policy: Policy, path: PathKey, items: list[RequirementItem]) -> Iterator[tuple[PathKey, Any]]:
    for index, item in enumerate(items):
        if isinstance(item, GroupRef):
            yield from _expanded_with_paths(policy, ("groups", item.group), policy.groups[item.group])
        else:
            yield path + (index,), item


def _check_duplicate_ids(policy: Policy, located: Located) -> list[Problem]:
    problems: list[Problem] = []
    scopes: list[tuple[str, list[tuple[PathKey, list[RequirementItem]]]]] = []
    for role_id, role in policy.roles.items():
        scopes.append((f"role `{role_id}`", [(("roles", role_id, "requires"), role.requires), (("roles", role_id, "ongoing"), role.ongoing)]))
        for activity_id, activity in role.activities.items():
            scopes.append((f"activity `{activity_id}`", [(("roles", role_id, "activities", activity_id, "requires"), activity.requires)]))
    for index, progression in enumerate(policy.progressions):
        scope: list[tuple[PathKey, list[RequirementItem]]] = [(("progressions", index, "requires"), progression.requires)]
        if progression.to in policy.roles:
            scope.append((("roles", progression.to, "requires"), policy.roles[progression.to].requires))
        scopes.append((f"progression `{progression.id}`", scope))
    seen_problem: set[PathKey] = set()
    for scope_name, lists in scopes:
        seen: dict[str, PathKey] = {}
        for base, items in lists:
            for path, requirement in _expanded_with_paths(policy, base, items):
                first = seen.get(requirement.id)
                if first is not None and first != path and path not in seen_problem:
                    seen_problem.add(path)
                    line, _ = located.position(first + ("id",))
                    problems.append(
                        located.problem(
                            "duplicate-id",
                            f"requirement id `{requirement.id}` is used twice in {scope_name} (first on line {line})",
                            path + ("id",),
                            help="give each requirement its own id",
                        )
                    )
                seen.setdefault(requirement.id, path)
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
