"""PR006 missing-because: a requirement without a `because` text."""

from __future__ import annotations

from collections.abc import Iterator

from pathrules.authoring.lint.registry import LintRule
from pathrules.policy.checks import requirement_lists
from pathrules.policy.model import Policy
from pathrules.policy.requirements import GroupRef
from pathrules.yamlsource import PathKey


def check(policy: Policy) -> Iterator[tuple[PathKey, str]]:
    for base, items in requirement_lists(policy):
        for index, item in enumerate(items):
            if not isinstance(item, GroupRef) and not item.because:
                yield base + (index,), f"`{item.id}` has no `because` text"


RULE = LintRule("PR006", "missing-because", "info", "candidates read the `because` text; a rule without a reason reads as arbitrary", check)
