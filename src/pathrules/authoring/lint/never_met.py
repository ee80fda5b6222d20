"""PR001 never-met: a requirement no one can meet (each kind says when, ``Kind.unmeetable``)."""

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
                for reason in kind_of(item).unmeetable(item, base):
                    yield base + (index,), reason


RULE = LintRule("PR001", "never-met", "error", "a requirement no one can meet blocks everyone, usually by mistake", check)
