"""Staged roles: a role's stages in order, each signed off by a named role, each unlocking activities.

A stage is reached when the record holds a sign-off of it (``stage_sign_offs``) by one of the stage's
``signed_off_by`` roles; the person is at the last stage reached, in policy order. What a stage unlocks
is written as a ``stage_reached`` requirement in an activity's ``requires`` (so the engines evaluate
it like any other condition); ``pathrules roles`` lists each stage's activities from those.
"""

# No `from __future__ import annotations` in this module of models: pydantic would evaluate every
# annotation from its text at class creation, which costs `pathrules check` time (docs/engine.md, start-up).

from pydantic import Field

from pathrules.policy.source import Source
from pathrules.policy.fields import Slug, Strict


class RoleStage(Strict):
    id: Slug
    title: str
    signed_off_by: list[Slug] = Field(min_length=1, description="Roles that may sign the stage off, e.g. supervisor.")
    description: str | None = Field(default=None, description="What the stage involves, where the source says.")
    source: Source | None = Field(default=None, description="Where this comes from; shown to staff, never to the person.")
