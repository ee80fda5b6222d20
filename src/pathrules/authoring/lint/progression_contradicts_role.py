"""PR004 progression-contradicts-role: a progression and its target role set one gate differently."""

from __future__ import annotations

from collections.abc import Iterator

from pathrules.authoring.lint.registry import LintRule
from pathrules.authoring.lint.support import with_paths
from pathrules.kinds.base import kind_of
from pathrules.policy.model import Policy
from pathrules.yamlsource import PathKey


def check(policy: Policy) -> Iterator[tuple[PathKey, str]]:
    for index, progression in enumerate(policy.progressions):
        if progression.to not in policy.roles:
            continue
        target = {gate[0]: (r, gate[1]) for r in policy.expand(policy.roles[progression.to].requires) if (gate := kind_of(r).gate(r)) is not None}
        for path, requirement in with_paths(policy, ("progressions", index, "requires"), progression.requires):
            gate = kind_of(requirement).gate(requirement)
            if gate is None or gate[0] not in target:
                continue
            other, threshold = target[gate[0]]
            if threshold != gate[1]:
                yield path, f"`{requirement.id}` and `{progression.to}`'s `{other.id}` set the same gate to different thresholds"


RULE = LintRule(
    "PR004",
    "progression-contradicts-role",
    "warning",
    "when a progression and its target role set the same gate differently, one silently overrides the other",
    check,
)
