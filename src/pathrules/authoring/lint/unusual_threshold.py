"""PR007 unusual-threshold: a threshold far from what the source studies report."""

from __future__ import annotations

from collections.abc import Iterator

from pathrules.authoring.lint.registry import LintRule
from pathrules.durations import Duration
from pathrules.kinds.base import days
from pathrules.kinds.recovery import Abstinence
from pathrules.kinds.tenure import Age, Supervision, TimeInRole
from pathrules.policy.checks import requirement_lists
from pathrules.policy.model import Policy
from pathrules.yamlsource import PathKey


def check(policy: Policy) -> Iterator[tuple[PathKey, str]]:
    for base, items in requirement_lists(policy):
        for index, item in enumerate(items):
            path = base + (index,)
            if isinstance(item, Abstinence) and days(item.at_least) > days(Duration(5, "years")):
                yield path, f"`{item.id}` asks for {item.at_least} free from use; the studies report 30 days to 3 years"
            if isinstance(item, Age) and item.at_least is not None and not 16 <= item.at_least <= 25:
                yield path, f"`{item.id}` sets a minimum age of {item.at_least}"
            if isinstance(item, Supervision) and days(item.within) > days(Duration(6, "months")):
                yield path, f"`{item.id}` counts supervision over {item.within}; the studies describe monthly or more often"
            if isinstance(item, TimeInRole) and item.at_least and days(item.at_least) > days(Duration(5, "years")):
                yield path, f"`{item.id}` asks for {item.at_least} in a role"


RULE = LintRule("PR007", "unusual-threshold", "warning", "a threshold far from what the source studies report deserves a second look", check)
