"""PR009 named-provider-bar: treatment must have been completed with one named provider."""

from __future__ import annotations

from collections.abc import Iterator

from pathrules.authoring.lint.registry import LintRule
from pathrules.kinds.recovery import Treatment
from pathrules.policy.checks import requirement_lists
from pathrules.policy.model import Policy
from pathrules.yamlsource import PathKey


def check(policy: Policy) -> Iterator[tuple[PathKey, str]]:
    for base, items in requirement_lists(policy):
        for index, item in enumerate(items):
            if isinstance(item, Treatment) and item.completed_with:
                yield base + (index, "completed_with"), f"`{item.id}`: anyone treated elsewhere can never meet this, whatever they do"


RULE = LintRule(
    "PR009",
    "named-provider-bar",
    "warning",
    "treatment completed with one named provider is a permanent bar for everyone treated elsewhere; say what the role needs (lived experience, time since discharge) instead",
    check,
)
