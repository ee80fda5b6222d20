"""PR011 abstinence-in-harm-reduction: total alcohol abstinence in a role that calls itself harm reduction."""

from __future__ import annotations

from collections.abc import Iterator

from pathrules.authoring.lint.registry import LintRule
from pathrules.kinds.recovery import Abstinence
from pathrules.policy.model import Policy
from pathrules.yamlsource import PathKey


def check(policy: Policy) -> Iterator[tuple[PathKey, str]]:
    for role_id, role in policy.roles.items():
        words = f"{role.title} {role.description or ''}".lower()
        if "harm reduction" not in words and "harm-reduction" not in words:
            continue
        for part in ("requires", "ongoing"):
            for index, item in enumerate(getattr(role, part)):
                if isinstance(item, Abstinence) and ({"alcohol", "any"} & set(item.substances)):
                    yield ("roles", role_id, part, index, "substances"), f"`{item.id}`: total abstinence from alcohol in a harm-reduction role"


RULE = LintRule(
    "PR011",
    "abstinence-in-harm-reduction",
    "warning",
    "harm-reduction roles ask for stability, not abstinence; total alcohol abstinence there is a bar the role's own approach does not call for",
    check,
)
