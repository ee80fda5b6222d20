"""A candidate's record: the evidence a decision is made from.

Records hold special-category data (health: substance use, treatment; criminal-offence data: vetting
outcomes), so validation errors never echo the values (``hide_input_in_errors``), and nothing here is
logged. Every fact carries its own date so that a decision can be made "as of" any day and replayed.
Dates are strict ISO dates and numbers finite and in range (see pathrules.policy.fields).
"""

# No `from __future__ import annotations` in this module of models: pydantic would evaluate every
# annotation from its text at class creation, which costs `pathrules check` time (docs/engine.md, start-up).

import datetime as _dt
import hashlib
import json
from functools import cached_property
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from pathrules.policy.fields import PlainValue, Slug, StrictDate, new_list
from pathrules.record.vocabulary import ExperienceOf
from pathrules.policy.requirements import Level, Scheme, TreatmentStatus


class RecordPart(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True, defer_build=True)


class SubstanceUse(RecordPart):
    """The last known use of a substance (a relapse is simply a later date)."""

    substance: Slug
    last_use: StrictDate
    note: str | None = None


class PrescribedMedication(RecordPart):
    medication: str
    started_on: StrictDate
    ended_on: StrictDate | None = None


class TreatmentEpisode(RecordPart):
    status: TreatmentStatus
    provider: str | None = None
    discharged_on: StrictDate | None = None


class DisclosureReview(RecordPart):
    """The recorded risk assessment after a disclosure: who decided, when and why."""

    decision: Literal["accepted", "refused"]
    by: str
    decided_on: StrictDate
    reason: str | None = None


class VettingCheck(RecordPart):
    scheme: Scheme
    level: Level
    organisation: str | None = Field(
        default=None,
        description="The policy id of the organisation that applied for this check; empty means a certificate brought from elsewhere.",
    )
    applied_on: StrictDate | None = None
    documents_verified: bool = False
    issued_on: StrictDate | None = Field(default=None, description="The certificate's issue date; set once the check has come back.")
    disclosure: bool | None = Field(default=None, description="Whether the certificate discloses anything; set once it has come back.")
    review: DisclosureReview | None = None


class Completion(RecordPart):
    id: Slug
    completed_on: StrictDate


class CompetencySignOff(RecordPart):
    id: Slug
    level: int = Field(ge=1, le=10)
    signed_off_by: Slug
    signed_off_on: StrictDate


class StageSignOff(RecordPart):
    """A stage of a staged role signed off: which role and stage, by whom (their role), on what day."""

    role: Slug
    stage: Slug
    signed_off_by: Slug
    signed_off_on: StrictDate
    name: str | None = None


class Reference(RecordPart):
    referee: str | None = None
    requested_on: StrictDate | None = None
    received_on: StrictDate | None = None
    approved_on: StrictDate | None = None


class Approval(RecordPart):
    item: Slug
    approver: Slug = Field(description="The approver's role, e.g. service-manager.")
    name: str | None = None
    approved_on: StrictDate


class IdentityCheck(RecordPart):
    seen_in_person_on: StrictDate
    seen_by: str | None = None


class RoleSpell(RecordPart):
    role: Slug
    organisation: str | None = Field(default=None, description="The policy id of the organisation; empty means any organisation.")
    started_on: StrictDate
    ended_on: StrictDate | None = None

    def is_for(self, role: str, policy_id: str) -> bool:
        """Role ids are per organisation: a spell counts only for its own organisation's policy."""
        return self.role == role and (self.organisation is None or self.organisation == policy_id)

    def ongoing_on(self, day: _dt.date) -> bool:
        return self.started_on <= day and (self.ended_on is None or self.ended_on > day)


class LivedExperience(RecordPart):
    """Lived experience as recorded with the person: a criterion for some roles, not only a risk.

    ``had: false`` records that the person does not have this experience, so a role that needs it is
    closed rather than waiting for the record to be completed.
    """

    of: ExperienceOf
    had: bool = True
    structured_treatment: bool | None = Field(default=None, description="Whether it needed some form of structured treatment; empty when not yet asked.")
    last_on: StrictDate | None = Field(default=None, description="When it was last part of the person's life (for how recent); empty when not recorded.")
    recorded_on: StrictDate = Field(description="When this was recorded: before that day the record did not know it.")


class Assessment(RecordPart):
    """A recorded judgement (e.g. "stable and free from problematic use"): what, by whom, when, the outcome."""

    assessment: Slug = Field(description="What was assessed, as the policy names it.")
    by: Slug = Field(description="The assessor's role, e.g. service-manager.")
    name: str | None = None
    assessed_on: StrictDate
    outcome: Literal["met", "not_met"]
    note: str | None = None


class Agreement(RecordPart):
    """An agreement made with one person: what, with whom (a role), on what date, due when.

    The due date is agreed with the person and lives here, never in the policy.
    """

    agreement: Slug = Field(description="What was agreed, as the policy names it, e.g. alcohol-free.")
    agreed_with: Slug = Field(description="The role of the member of staff it was agreed with.")
    name: str | None = None
    agreed_on: StrictDate
    due_on: StrictDate = Field(description="The mutually agreed date by which it is to be met.")
    fulfilled_on: StrictDate | None = Field(default=None, description="The day it was recorded as met.")
    note: str | None = None

    @field_validator("due_on", "fulfilled_on")
    @classmethod
    def _not_before_agreed(cls, value: _dt.date | None, info: ValidationInfo) -> _dt.date | None:
        agreed = info.data.get("agreed_on")
        if value is not None and isinstance(agreed, _dt.date) and value < agreed:
            raise ValueError(f"expected a date on or after `agreed_on` ({info.field_name} cannot come before the agreement)")
        return value


class ServiceUse(RecordPart):
    """Where the person used services, so that a placement there can be barred (thesis §5.1, l.1140)."""

    service: Slug
    team: Slug | None = Field(default=None, description="The team within the service, where known.")
    started_on: StrictDate | None = Field(default=None, description="When they began using it (entries dated after the decision's day are left out).")
    until: StrictDate | None = Field(default=None, description="The last day as a service user there; empty means still using it.")


class Lapse(RecordPart):
    """A lapse while in a role, as the service recorded it, with the support conversation that followed."""

    lapsed_on: StrictDate
    support_held_on: StrictDate | None = Field(default=None, description="When the check-in or three-way meeting was held.")
    note: str | None = None


AttributeValue = PlainValue  # finite numbers in range, ISO dates, text kept as text


class Record(RecordPart):
    """Everything pathrules may use about one person."""

    person: str = Field(min_length=1, max_length=120, description="A stable id for the person (not their name).")
    date_of_birth: StrictDate | None = None
    proposed_start: StrictDate | None = None
    substance_use: list[SubstanceUse] = Field(default_factory=new_list)
    substances_never_used: list[Slug] = Field(default_factory=new_list)
    prescribed_medication: list[PrescribedMedication] = Field(default_factory=new_list)
    treatment: TreatmentEpisode | None = None
    vetting: list[VettingCheck] = Field(default_factory=new_list)
    qualifications: list[Completion] = Field(default_factory=new_list)
    training: list[Completion] = Field(default_factory=new_list)
    competencies: list[CompetencySignOff] = Field(default_factory=new_list)
    stage_sign_offs: list[StageSignOff] = Field(default_factory=new_list, description="Stages of staged roles signed off.")
    references: list[Reference] = Field(default_factory=new_list)
    approvals: list[Approval] = Field(default_factory=new_list)
    identity: IdentityCheck | None = None
    roles_held: list[RoleSpell] = Field(default_factory=new_list)
    supervision: list[StrictDate] = Field(default_factory=new_list, description="Dates of supervision sessions attended.")
    lived_experience: list[LivedExperience] = Field(default_factory=new_list)
    assessments: list[Assessment] = Field(default_factory=new_list)
    agreements: list[Agreement] = Field(default_factory=new_list)
    lapses: list[Lapse] = Field(default_factory=new_list, description="Lapses while in a role (a lapse is not an exit; see the `lapse` kind).")
    services_used: list[ServiceUse] = Field(default_factory=new_list, description="Where the person was a service user (for placement bars).")
    attributes: dict[Slug, AttributeValue] = Field(default_factory=dict)
    notes: str | None = None

    def canonical_json(self) -> str:
        """The record as canonical JSON (sorted keys, no spaces, no empty optional fields): what is hashed and stored."""
        data = self.model_dump(mode="json", exclude_none=True)  # a tree of fresh dicts and lists: no cycle to look for
        return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, check_circular=False)

    @cached_property
    def digest(self) -> str:
        """``sha256:`` and the hash of ``canonical_json()``, computed once per record object.

        A record is immutable, and dumping one with 1,000 training entries costs milliseconds, far more
        than deciding on it; every decision on the same record object reuses the digest. (pydantic
        leaves a cached property out of equality, hashing and dumps.)"""
        return "sha256:" + hashlib.sha256(self.canonical_json().encode("utf-8")).hexdigest()

    def model_copy(self, *, update: dict[str, Any] | None = None, deep: bool = False) -> "Record":  # type: ignore[override]
        """A copy, without the cached digest (an update changes what it would be)."""
        copy = super().model_copy(update=update, deep=deep)
        copy.__dict__.pop("digest", None)
        return copy
