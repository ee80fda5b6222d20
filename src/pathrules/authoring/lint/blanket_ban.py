"""PR008 blanket-ban: any disclosure bars the person, whatever the offence (``Kind.blanket_ban``)."""

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
            field = kind_of(item).blanket_ban(item)
            if field is not None:
                yield base + (index, field), f"`{item.id}`: any disclosure bars the person, whatever the offence"


RULE = LintRule(
    "PR008",
    "blanket-ban",
    "warning",
    "a disclosure leading straight to a bar for every offence is a blanket ban, which UK guidance on recruiting people with convictions advises against; use `on_disclosure: review`",
    check,
)
