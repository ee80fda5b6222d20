"""PR005 unused-catalogue-entry: a catalogue entry no requirement uses."""

from __future__ import annotations

from collections.abc import Iterator

from pathrules.authoring.lint.registry import LintRule
from pathrules.kinds.base import kind_of
from pathrules.policy.checks import requirement_lists
from pathrules.policy.model import Policy
from pathrules.policy.requirements import GroupRef
from pathrules.yamlsource import PathKey


def check(policy: Policy) -> Iterator[tuple[PathKey, str]]:
    used: set[str] = set()
    for _, items in requirement_lists(policy):
        for item in items:
            refs = None if isinstance(item, GroupRef) else kind_of(item).catalogue_refs(item)
            if refs is not None:
                used.update(refs[2])
    for entry in policy.catalogue:
        if entry not in used:
            yield ("catalogue", entry), f"catalogue entry `{entry}` is not used by any requirement"


RULE = LintRule("PR005", "unused-catalogue-entry", "warning", "a catalogue entry no requirement uses is probably a leftover or a typo", check)
