"""PR003 weak-activity-gate: an activity gated on nothing beyond what the role needs to start."""

from __future__ import annotations

from collections.abc import Iterator

from pathrules.authoring.lint.registry import LintRule
from pathrules.authoring.lint.support import implies
from pathrules.policy.model import Policy
from pathrules.yamlsource import PathKey


def check(policy: Policy) -> Iterator[tuple[PathKey, str]]:
    for role_id, role in policy.roles.items():
        entry = policy.expand(role.requires)
        for activity_id, activity in role.activities.items():
            needs = policy.expand(activity.requires)
            if needs and all(any(implies(e, n) or e == n for e in entry) for n in needs):
                yield ("roles", role_id, "activities", activity_id), f"`{activity_id}` needs nothing beyond what `{role_id}` already needs to start"


RULE = LintRule("PR003", "weak-activity-gate", "warning", "an activity gated on no more than the role itself needs is not gated at all", check)
