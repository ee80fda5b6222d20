"""Nothing said twice: requirement ids, group uses and progressions (issue 15, D4/D5).

A requirement listed twice is explained twice and counted twice; a second progression with the same
`from` and `to` was silently ignored. Each repetition is reported at the second occurrence, naming
the line of the first.
"""

from __future__ import annotations

from collections.abc import Iterator

from pathrules.errors import Problem
from pathrules.policy.groups import MAX_EXPANDED, Expansion, PathKey, dependency_order, uses
from pathrules.policy.model import Policy
from pathrules.policy.requirements import RequirementItem
from pathrules.yamlsource import Located

Scope = tuple[str, list[tuple[PathKey, list[RequirementItem]]]]


def scopes(policy: Policy) -> Iterator[Scope]:
    """The lists that are evaluated together, named as an author would name them."""
    for role_id, role in policy.roles.items():
        yield f"role `{role_id}`", [(("roles", role_id, "requires"), role.requires), (("roles", role_id, "ongoing"), role.ongoing)]
        for activity_id, activity in role.activities.items():
            yield f"activity `{activity_id}`", [(("roles", role_id, "activities", activity_id, "requires"), activity.requires)]
    for index, progression in enumerate(policy.progressions):
        lists: list[tuple[PathKey, list[RequirementItem]]] = [(("progressions", index, "requires"), progression.requires)]
        if progression.to in policy.roles:
            lists.append((("roles", progression.to, "requires"), policy.roles[progression.to].requires))
        yield f"progression `{progression.id}`", lists


def check_repetition(policy: Policy, located: Located, expansion: Expansion) -> list[Problem]:
    return _duplicate_ids(policy, located, expansion) + _duplicate_group_uses(policy, located) + _duplicate_progressions(policy, located)


def _duplicate_ids(policy: Policy, located: Located, expansion: Expansion) -> list[Problem]:
    problems: list[Problem] = []
    reported: set[PathKey] = set()
    for scope_name, lists in scopes(policy):
        seen: dict[str, PathKey] = {}
        for base, items in lists:
            if expansion.size(items) > MAX_EXPANDED:
                continue  # reported as too-complex
            for path, requirement in expansion.expand(base, items):
                first = seen.setdefault(requirement.id, path)
                if first != path and path not in reported:
                    reported.add(path)
                    line, _ = located.position(first + ("id",))
                    problems.append(
                        located.problem(
                            "duplicate-id",
                            f"requirement id `{requirement.id}` is used twice in {scope_name} (first on line {line})",
                            path + ("id",),
                            help="give each requirement its own id",
                        )
                    )
    return problems


def _duplicate_group_uses(policy: Policy, located: Located) -> list[Problem]:
    """A group reached twice in one scope, directly or through other groups, lists its requirements twice.

    One depth-first walk per scope in document order, never entering a group twice: the edge that
    finds a group already visited is the second use. Linear in the number of group uses."""
    problems: list[Problem] = []
    _, cycles = dependency_order(policy.groups)
    cyclic = {name for cycle in cycles for name in cycle}
    reported: set[PathKey] = set()
    for scope_name, lists in scopes(policy):
        first: dict[str, tuple[PathKey, PathKey]] = {}  # group -> (where it was first used, from which listed item)
        for base, items in lists:
            for index, root_group in uses(items):
                root: PathKey = base + (index, "group")
                todo: list[tuple[PathKey, str]] = [(root, root_group)]
                while todo:
                    path, group = todo.pop()
                    if group not in policy.groups or group in cyclic:
                        continue  # reported as unknown-group or group-cycle
                    if group not in first:
                        first[group] = (path, root)
                        todo.extend([(("groups", group, i, "group"), used) for i, used in uses(policy.groups[group])][::-1])
                        continue
                    # twice through one listed group: the group itself repeats; else this listed item does
                    where = path if first[group][1] == root else root
                    if where not in reported:
                        reported.add(where)
                        line, _ = located.position(first[group][0])
                        problems.append(
                            located.problem(
                                "duplicate-group-use",
                                f"group `{group}` is used twice in {scope_name} (first on line {line}), so its requirements would be listed twice",
                                where,
                                help="use each group once in a role, activity or progression",
                            )
                        )
    return problems


def _duplicate_progressions(policy: Policy, located: Located) -> list[Problem]:
    problems: list[Problem] = []
    first: dict[tuple[str, str], int] = {}
    for index, progression in enumerate(policy.progressions):
        key = (progression.from_, progression.to)
        if key in first:
            line, _ = located.position(("progressions", first[key]))
            problems.append(
                located.problem(
                    "duplicate-progression",
                    f"progression `{progression.id}` is defined twice (first on line {line}); the second would be ignored",
                    ("progressions", index),
                    help="merge the two into one progression",
                )
            )
        else:
            first[key] = index
    return problems
