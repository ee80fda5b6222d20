"""The policy model: an organisation's roles, their gates and the progressions between them."""

# No `from __future__ import annotations` in this module of models: pydantic would evaluate every
# annotation from its text at class creation, which costs `pathrules check` time (docs/engine.md, start-up).

import datetime as _dt
from typing import Annotated, Literal

from pydantic import Field

from pathrules.entitlements.model import Entitlement
from pathrules.policy.deadlines import DecisionDeadline
from pathrules.policy.fields import DurationField, Slug, Strict, StrictDate, new_list
from pathrules.policy.groups import Expansion
from pathrules.identity_cache import ByIdentity
from pathrules.policy.stages import RoleStage
from pathrules.policy.requirements import Requirement, RequirementItem, RequirementItemField
from pathrules.policy.source import Note, Source

Jurisdiction = Literal["england-wales", "scotland", "northern-ireland", "ireland", "other"]


class CatalogueEntry(Strict):
    """A qualification, training module or competency the policy names."""

    title: str
    type: Literal["qualification", "training", "competency"]
    valid_for: DurationField | None = Field(default=None, description="How long a completion stays valid; none means it never expires.")
    description: str | None = None


class AttributeDeclaration(Strict):
    """A record attribute that expressions may use, with its type so that only typed facts reach the engine."""

    type: Literal["integer", "number", "boolean", "text", "date"]
    title: str
    description: str | None = None


class Activity(Strict):
    """Something a role may do only once extra requirements hold."""

    title: str | None = None
    because: str | None = None
    source: Source | None = Field(default=None, description="Where the activity's gate comes from; shown to staff, never to the person.")
    requires: list[RequirementItemField] = Field(min_length=1)


class Role(Strict):
    title: str
    description: str | None = None
    requires: list[RequirementItemField] = Field(default_factory=new_list, description="What must hold before starting.")
    ongoing: list[RequirementItemField] = Field(default_factory=new_list, description="What must stay true while in the role.")
    activities: dict[Slug, Activity] = Field(default_factory=dict, description="Activities that need more than the role itself.")
    never: list[Slug] = Field(default_factory=new_list, description="Activities the role may never do.")
    notes: list[str | Note] = Field(
        default_factory=new_list, description="Facts about the role that are not gates (hours, length, pay), as text or `{text, source}`."
    )
    owes: list[RequirementItemField] = Field(
        default_factory=new_list,
        description="What the service owes a person in the role (supervision, a caseload cap, an exit plan): "
        "checked while they are in post, reported to the service, never holding the person back.",
    )
    entitlements: list[Entitlement] = Field(
        default_factory=new_list,
        description="What a day's work entitles the person to (expenses, pay), with conditions and caps.",
    )
    stages: list[RoleStage] = Field(
        default_factory=new_list,
        description="Stages of a staged role, in order; each signed off in the record (`stage_sign_offs`).",
    )
    decisions: list[DecisionDeadline] = Field(
        default_factory=new_list,
        description="Decisions the service owes a candidate before the start: within how long, and who decides.",
    )
    source: Source | None = Field(default=None, description="Where the role comes from; shown to staff, never to the person.")


class Progression(Strict):
    """Moving from one role to another; the target role's entry requirements apply as well."""

    from_: Slug = Field(alias="from")
    to: Slug
    because: str | None = None
    source: Source | None = Field(default=None, description="Where the progression comes from; shown to staff, never to the person.")
    requires: list[RequirementItemField] = Field(default_factory=new_list)

    model_config = Strict.model_config | {"populate_by_name": True}

    @property
    def id(self) -> str:
        return f"{self.from_}->{self.to}"


class Policy(Strict):
    """One version of one organisation's policy."""

    policy: Slug = Field(description="The policy's id; versions of one policy share it.")
    organisation: str
    version: str = Field(min_length=1)
    effective_from: StrictDate
    effective_until: StrictDate | None = Field(default=None, description="The last day this version is in force.")
    jurisdiction: Jurisdiction | Annotated[list[Jurisdiction], Field(min_length=1)] = Field(
        default="england-wales",
        description="Where the organisation works (one, or a list for several); it decides which criminal-record schemes apply.",
    )
    source: str | None = Field(default=None, description="Where the rules come from (a written policy, a study).")
    description: str | None = None
    catalogue: dict[Slug, CatalogueEntry] = Field(default_factory=dict)
    attributes: dict[Slug, AttributeDeclaration] = Field(default_factory=dict)
    groups: dict[Slug, list[RequirementItemField]] = Field(default_factory=dict)
    roles: dict[Slug, Role] = Field(min_length=1)
    progressions: list[Progression] = Field(default_factory=new_list)

    # ---- helpers used by evaluation and tools --------------------------------------------------

    def expand(self, items: list[RequirementItem]) -> list[Requirement]:
        """Requirements with group references replaced by the groups' requirements (in order).

        Each group is expanded once per policy object and without recursion (see ``policy.groups``)."""
        return [requirement for _, requirement in self.expansion().expand((), items)]

    def expansion(self) -> Expansion:
        """Every group expanded once per policy object (a policy is immutable), for callers that
        expand many lists of one policy: evaluation expands the role's activities and duties each time."""
        return _expansion(self)

    def progression(self, from_role: str, to_role: str) -> Progression | None:
        for candidate in self.progressions:
            if candidate.from_ == from_role and candidate.to == to_role:
                return candidate
        return None

    @property
    def jurisdictions(self) -> list[Jurisdiction]:
        return [self.jurisdiction] if isinstance(self.jurisdiction, str) else list(self.jurisdiction)

    def in_force(self, on: _dt.date) -> bool:
        return self.effective_from <= on and (self.effective_until is None or on <= self.effective_until)


_expansion: ByIdentity[Policy, Expansion] = ByIdentity(lambda policy: Expansion(policy.groups))
