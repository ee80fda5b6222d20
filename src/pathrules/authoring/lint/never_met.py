"""PR001 never-met: a requirement no one can meet."""

from __future__ import annotations

from collections.abc import Iterator

from pathrules.authoring.lint.registry import LintRule
from pathrules.kinds.base import days
from pathrules.kinds.tenure import Age, TimeInRole
from pathrules.policy.checks import requirement_lists
from pathrules.policy.model import Policy
from pathrules.yamlsource import PathKey


def check(policy: Policy) -> Iterator[tuple[PathKey, str]]:
    for base, items in requirement_lists(policy):
        for index, item in enumerate(items):
            path = base + (index,)
            if isinstance(item, TimeInRole) and item.at_least and item.at_most and days(item.at_least) > days(item.at_most):
                yield path, f"`{item.id}` asks for at least {item.at_least} but at most {item.at_most} in the role"
            if isinstance(item, TimeInRole) and len(base) == 3 and base[0] == "roles" and base[2] == "requires" and item.role == base[1] and item.at_least:
                yield path, f"`{item.id}` asks for time in `{item.role}` before starting `{item.role}`: only people returning can meet it"
            if isinstance(item, Age) and item.at_least is not None and item.at_least >= 100:
                yield path, f"`{item.id}` asks for an age of {item.at_least}"


RULE = LintRule("PR001", "never-met", "error", "a requirement no one can meet blocks everyone, usually by mistake", check)
