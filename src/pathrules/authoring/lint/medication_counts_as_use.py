"""PR010 medication-counts-as-use: prescribed medication (e.g. opioid substitution) counted as use."""

from __future__ import annotations

from collections.abc import Iterator

from pathrules.authoring.lint.registry import LintRule
from pathrules.kinds.recovery import Abstinence
from pathrules.policy.checks import requirement_lists
from pathrules.policy.model import Policy
from pathrules.yamlsource import PathKey


def check(policy: Policy) -> Iterator[tuple[PathKey, str]]:
    for base, items in requirement_lists(policy):
        for index, item in enumerate(items):
            if isinstance(item, Abstinence) and item.prescribed_medication == "counts_as_use":
                yield base + (index, "prescribed_medication"), f"`{item.id}`: the clock never starts for anyone on prescribed medication, such as opioid substitution"


RULE = LintRule(
    "PR010",
    "medication-counts-as-use",
    "warning",
    "counting prescribed medication as use bars people in treatment and pushes them to stop it (an overdose risk); use `prescribed_medication: allowed`",
    check,
)
