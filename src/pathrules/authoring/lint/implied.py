"""PR002 implied: a requirement implied by another in the same list."""

from __future__ import annotations

from collections.abc import Iterator

from pathrules.authoring.lint.registry import LintRule
from pathrules.authoring.lint.support import implies, with_paths
from pathrules.policy.checks import requirement_lists
from pathrules.policy.model import Policy
from pathrules.yamlsource import PathKey


def check(policy: Policy) -> Iterator[tuple[PathKey, str]]:
    for base, items in requirement_lists(policy):
        if base[0] == "groups":
            continue
        listed = with_paths(policy, base, items)
        for i, (path, b) in enumerate(listed):
            for j, (_, a) in enumerate(listed):
                equivalent_and_later = implies(b, a) and j > i  # of two equal ones, report the second
                if i != j and implies(a, b) and not equivalent_and_later:
                    yield path, f"`{b.id}` is implied by `{a.id}` in the same list"
                    break


RULE = LintRule("PR002", "implied", "warning", "a requirement implied by another adds nothing but a second line to explain", check)
