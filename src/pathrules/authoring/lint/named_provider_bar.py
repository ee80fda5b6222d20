"""PR009 named-provider-bar: treatment must have been completed with one named provider (``Kind.named_provider_bar``)."""

from __future__ import annotations

from collections.abc import Iterator

from pathrules.authoring.lint.registry import LintRule
from pathrules.kinds.base import kind_of
from pathrules.policy.checks import requirement_lists
from pathrules.policy.model import Policy
from pathrules.policy.requirements import GroupRef
from pathrules.yamlsource import PathKey


def check(policy: Policy) -> Iterator[tuple[PathKey, str]]:
    for base, items in requirement_lists(policy):
        for index, item in enumerate(items):
            if isinstance(item, GroupRef):
                continue
            field = kind_of(item).named_provider_bar(item)
            if field is not None:
                yield base + (index, field), f"`{item.id}`: anyone treated elsewhere can never meet this, whatever they do"


RULE = LintRule(
    "PR009",
    "named-provider-bar",
    "warning",
    "treatment completed with one named provider is a permanent bar for everyone treated elsewhere; say what the role needs (lived experience, time since discharge) instead",
    check,
)
