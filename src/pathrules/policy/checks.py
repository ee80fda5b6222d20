"""Checks across a whole policy that a schema cannot express: references, cycles, duplicate ids.

Each check yields Problems at the place the author must edit, so all are reported in one pass.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterator
from typing import Any

from pathrules.errors import Problem
from pathrules.located_errors import suggestion
from pathrules.policy.groups import dependency_order
from pathrules.policy.limits import check_durations, check_engine_limits, check_group_sizes
from pathrules.policy.model import Policy
from pathrules.policy.repetition import check_repetition
from pathrules.policy.requirements import (
    AllOf,
    AnyOf,
    Compare,
    Competency,
    ExpressionRequirement,
    GroupRef,
    NotOf,
    Qualification,
    RequirementItem,
    TimeInRole,
    Training,
)
from pathrules.yamlsource import Located, PathKey

_ATTRIBUTE_TYPES: dict[str, tuple[type, ...]] = {
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "text": (str,),
    "date": (_dt.date,),
}


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
    catalogue = list(policy.catalogue)
    roles = list(policy.roles)

    def catalogue_ref(ids: list[str], path: PathKey, expected_type: str) -> None:
        for index, item in enumerate(ids):
            entry = policy.catalogue.get(item)
            if entry is None:
                problems.append(
                    located.problem(
                        "unknown-catalogue-id",
                        f"`{item}` is not in the catalogue",
                        path + (index,),
                        help=suggestion(item, catalogue) or "add it under `catalogue:` with a title and type",
                    )
                )
            elif entry.type != expected_type:
                problems.append(located.problem("catalogue-type", f"`{item}` is a {entry.type} in the catalogue, not a {expected_type}", path + (index,)))

    for base, items in requirement_lists(policy):
        for index, item in enumerate(items):
            path = base + (index,)
            if isinstance(item, Qualification):
                catalogue_ref(item.ids, path + ("one_of" if item.one_of is not None else "all_of",), "qualification")
            elif isinstance(item, Training):
                catalogue_ref(item.modules, path + ("modules",), "training")
            elif isinstance(item, Competency):
                catalogue_ref(item.competencies, path + ("competencies",), "competency")
            elif isinstance(item, TimeInRole) and item.role not in policy.roles:
                problems.append(
                    located.problem("unknown-role", f"no role named `{item.role}`", path + ("role",), help=suggestion(item.role, roles))
                )
            elif isinstance(item, ExpressionRequirement):
                problems += _check_expression(policy, located, item.expression, path + ("expression",))
    for index, progression in enumerate(policy.progressions):
        for key, role in (("from", progression.from_), ("to", progression.to)):
            if role not in policy.roles:
                problems.append(
                    located.problem("unknown-role", f"no role named `{role}`", ("progressions", index, key), help=suggestion(role, roles))
                )
    return problems


def _check_expression(policy: Policy, located: Located, expression: Any, path: PathKey) -> list[Problem]:
    if isinstance(expression, AllOf):
        return [p for i, e in enumerate(expression.all) for p in _check_expression(policy, located, e, path + ("all", i))]
    if isinstance(expression, AnyOf):
        return [p for i, e in enumerate(expression.any) for p in _check_expression(policy, located, e, path + ("any", i))]
    if isinstance(expression, NotOf):
        return _check_expression(policy, located, expression.not_, path + ("not",))
    assert isinstance(expression, Compare)
    declared = policy.attributes.get(expression.attribute)
    if declared is None:
        return [
            located.problem(
                "unknown-attribute",
                f"attribute `{expression.attribute}` is not declared",
                path + ("attribute",),
                help=suggestion(expression.attribute, list(policy.attributes)) or "declare it under `attributes:` with its type",
            )
        ]
    value = expression.value
    allowed = _ATTRIBUTE_TYPES[declared.type]
    ok = isinstance(value, allowed) and not (declared.type != "boolean" and isinstance(value, bool))
    if declared.type == "date" and isinstance(value, _dt.datetime):
        ok = False
    if not ok:
        return [
            located.problem(
                "attribute-type",
                f"`{expression.attribute}` is declared as {declared.type}, but is compared with `{value}`",
                path + (expression.operator,),
            )
        ]
    if declared.type in ("boolean", "text") and expression.operator not in ("equals", "not_equals"):
        return [located.problem("attribute-type", f"{declared.type} attributes can only use `equals` or `not_equals`", path + (expression.operator,))]
    return []


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
