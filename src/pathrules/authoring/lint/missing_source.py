"""PR012 missing-source: a rule with no `source` in a policy whose other rules cite theirs.

Once a policy cites its sources, a reader takes every rule in it as sourced; one without a `source`
may be the organisation's own invention, and an organisation copying the policy cannot tell. A
policy that cites nothing is not checked (the rule would flag every line of it).
"""

from __future__ import annotations

from collections.abc import Iterator

from pathrules.authoring.lint.registry import LintRule
from pathrules.policy.checks import requirement_lists
from pathrules.policy.model import Policy
from pathrules.policy.requirements import GroupRef
from pathrules.policy.source import Note, Source
from pathrules.yamlsource import PathKey

_ASK = "(a study and section, or `study: organisation-choice` with a note)"


def cited_places(policy: Policy) -> Iterator[tuple[PathKey, str, Source | None]]:
    """Every place a policy author states a rule, with what to call it and its `source` (None: not cited)."""
    for base, items in requirement_lists(policy):
        for index, item in enumerate(items):
            if not isinstance(item, GroupRef):  # a group's requirements cite their own sources
                yield base + (index,), f"`{item.id}`", item.source
    for role_id, role in policy.roles.items():
        yield ("roles", role_id), f"the role `{role_id}`", role.source
        for activity_id, activity in role.activities.items():
            yield ("roles", role_id, "activities", activity_id), f"the activity `{activity_id}`", activity.source
        for index, note in enumerate(role.notes):
            yield ("roles", role_id, "notes", index), "the note", note.source if isinstance(note, Note) else None
        for index, entitlement in enumerate(role.entitlements):
            yield ("roles", role_id, "entitlements", index), f"the entitlement `{entitlement.id}`", entitlement.source
        for index, stage in enumerate(role.stages):
            yield ("roles", role_id, "stages", index), f"the stage `{stage.id}`", stage.source
        for index, deadline in enumerate(role.decisions):
            yield ("roles", role_id, "decisions", index), f"the decision deadline `{deadline.id}`", deadline.source
    for index, progression in enumerate(policy.progressions):
        yield ("progressions", index), f"the progression `{progression.id}`", progression.source


def check(policy: Policy) -> Iterator[tuple[PathKey, str]]:
    places = list(cited_places(policy))
    if not any(source is not None for _, _, source in places):
        return
    for path, what, source in places:
        if source is None:
            yield path, f"{what} does not say where it comes from {_ASK}"


RULE = LintRule(
    "PR012",
    "missing-source",
    "warning",
    "in a policy that cites its sources, a rule without one reads as sourced when it may be the organisation's own choice",
    check,
)
