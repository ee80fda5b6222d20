"""Helpers more than one lint rule needs: requirements with their paths, and implication."""

from __future__ import annotations

from pathrules.kinds.base import kind_of
from pathrules.policy.model import Policy
from pathrules.policy.requirements import Requirement, RequirementItem
from pathrules.yamlsource import PathKey


def with_paths(policy: Policy, base: PathKey, items: list[RequirementItem]) -> list[tuple[PathKey, Requirement]]:
    """A list's requirements, groups expanded (once each, see ``policy.groups``), with where each is written."""
    return policy.expansion().expand(base, items)


def implies(a: Requirement, b: Requirement) -> bool:
    """Whether meeting ``a`` always meets ``b`` (only for the cases worth telling an author)."""
    if type(a) is not type(b) or a is b:
        return False
    if a.due_after_start != b.due_after_start or a.discretionary != b.discretionary:
        return False
    return kind_of(a).implies(a, b)
