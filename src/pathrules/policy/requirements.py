"""The tagged union of requirement kinds, built from the kinds registry.

Each kind's model (what a policy author writes) lives in its own module in ``pathrules.kinds``, with
everything else particular to it; this module only joins them: ``Requirement`` is any registered
model, ``RequirementItem`` a requirement or a reference to a named group, told apart by ``kind``.
Because the union is built from the registry, a requirement that parses always has a kind.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Union

from pydantic import Discriminator, Tag
from typing_extensions import TypeAliasType

import pathrules.kinds  # noqa: F401  (registers every kind)
from pathrules.kinds.base import RequirementBase, kind_name, models
from pathrules.kinds.recovery import TREATMENT_ORDER, TreatmentStatus
from pathrules.kinds.vetting import LEVEL_ORDER, Level, Scheme
from pathrules.policy.fields import Slug, Strict


class GroupRef(Strict):
    """Use every requirement of a named group here."""

    group: Slug


def _item_tag(value: Any) -> str | None:
    if isinstance(value, dict):
        if "group" in value and "kind" not in value:
            return "group"
        kind = value.get("kind")
        return kind if isinstance(kind, str) else None
    if isinstance(value, GroupRef):
        return "group"
    return getattr(value, "kind", None)


def _tagged_union() -> Any:
    tagged = [Annotated[GroupRef, Tag("group")]] + [Annotated[model, Tag(kind_name(model))] for model in models()]
    return Annotated[Union[tuple(tagged)], Discriminator(_item_tag)]


if TYPE_CHECKING:
    Requirement = RequirementBase
    RequirementItem = Union[GroupRef, RequirementBase]
    RequirementItemField = RequirementItem
else:
    Requirement = Union[models()]
    RequirementItem = _tagged_union()
    # What the policy models' fields are annotated with: the same union under a name, so pydantic
    # builds its schema once and refers to it from every list of requirements (a role's requires,
    # ongoing and owes, activities, groups, progressions) instead of building it again for each, a
    # share of every policy load (docs/engine.md, start-up). Validation, errors and their locations
    # are the same; the JSON Schema writes it inline, as before (policy.schema.inline_aliases).
    RequirementItemField = TypeAliasType("RequirementItem", RequirementItem)

__all__ = [
    "LEVEL_ORDER",
    "TREATMENT_ORDER",
    "GroupRef",
    "Level",
    "Requirement",
    "RequirementBase",
    "RequirementItem",
    "RequirementItemField",
    "Scheme",
    "TreatmentStatus",
]
