"""PR007 unusual-threshold: a threshold far from what the source studies report (``Kind.unusual_thresholds``)."""

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
            if not isinstance(item, GroupRef):
                for message in kind_of(item).unusual_thresholds(item):
                    yield base + (index,), message


RULE = LintRule("PR007", "unusual-threshold", "warning", "a threshold far from what the source studies report deserves a second look", check)
