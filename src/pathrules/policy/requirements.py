"""The closed vocabulary of requirement kinds, as data.

Each class here is what a policy author writes; what a kind *does* (derive facts from a record, the
conditions the engine checks, how it explains itself) lives in ``pathrules.kinds``, one module per
kind, so adding a kind touches one model here and one module there.
"""

from __future__ import annotations

import datetime as _dt
from typing import Annotated, Any, Literal, Union

from pydantic import Discriminator, Field, Tag, model_validator

from pathrules.policy.fields import DurationField, Slug, Strict

Level = Literal["basic", "standard", "enhanced", "enhanced_barred"]
LEVEL_ORDER: dict[str, int] = {"basic": 1, "standard": 2, "enhanced": 3, "enhanced_barred": 4}
Scheme = Literal["dbs", "pvg", "garda"]
TreatmentStatus = Literal["never", "in_treatment", "completed"]
TREATMENT_ORDER: dict[str, int] = {"never": 0, "in_treatment": 1, "completed": 2}


class RequirementBase(Strict):
    """Fields every requirement has."""

    id: Slug = Field(description="A short id, unique within the role, used in decisions and tests.")
    because: str | None = Field(default=None, description="Why the requirement exists, in plain language for candidates.")
    due_after_start: DurationField | None = Field(
        default=None,
        description="The person may start without this; it is then owed within this time after the start date.",
    )
    discretionary: bool = Field(
        default=False,
        description='The policy says "usually": someone may agree an exception; until they do, the date the rule is met is given.',
    )
    decided_by: Slug | None = Field(
        default=None,
        description="For a discretionary requirement: the role that may agree an exception, e.g. service-manager.",
    )


class Abstinence(RequirementBase):
    """Time since the last use of any substance in scope."""

    kind: Literal["abstinence"]
    substances: list[Slug] = Field(min_length=1, description='Substances in scope, e.g. illicit-drugs, alcohol; "any" means every substance.')
    at_least: DurationField
    prescribed_medication: Literal["allowed", "counts_as_use"] = Field(
        default="allowed",
        description="Whether being on prescribed medication (e.g. opioid substitution) counts as use.",
    )


class Treatment(RequirementBase):
    """Where the person is with treatment."""

    kind: Literal["treatment"]
    allowed: list[TreatmentStatus] = Field(min_length=1, description="Treatment statuses that meet the requirement.")
    completed_at_least: DurationField | None = Field(default=None, description="Time since discharge, when completed.")
    completed_with: list[str] | None = Field(default=None, description="Treatment must have been with one of these services.")


class Vetting(RequirementBase):
    """A criminal-record check at a level, with what a disclosure leads to."""

    kind: Literal["vetting"]
    scheme: Scheme
    level: Level
    status: Literal["applied", "returned"] = Field(
        default="returned",
        description="applied: form received and documents verified is enough; returned: the certificate is needed.",
    )
    on_disclosure: Literal["review", "bar"] = Field(default="review", description="What a disclosure on the certificate leads to.")
    reuse_if_issued_within: DurationField | None = Field(
        default=None, description="A certificate at the level issued within this time before the start date may be reused."
    )


class Qualification(RequirementBase):
    """Accredited qualifications from the catalogue."""

    kind: Literal["qualification"]
    one_of: list[Slug] | None = None
    all_of: list[Slug] | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Qualification:
        if (self.one_of is None) == (self.all_of is None):
            raise ValueError("give exactly one of `one_of` or `all_of`")
        if not (self.one_of or self.all_of):
            raise ValueError("list at least one qualification")
        return self

    @property
    def ids(self) -> list[str]:
        return list(self.one_of or self.all_of or [])

    @property
    def needed(self) -> int:
        return 1 if self.one_of is not None else len(self.ids)


class Training(RequirementBase):
    """Training modules, all needed; expiry comes from the catalogue unless given here."""

    kind: Literal["training"]
    modules: list[Slug] = Field(min_length=1)
    completed_within: DurationField | None = Field(default=None, description="Overrides the catalogue's validity period.")


class Competency(RequirementBase):
    """Competencies signed off at a level by someone in a named role."""

    kind: Literal["competency"]
    competencies: list[Slug] = Field(min_length=1)
    level: int = Field(default=1, ge=1, le=10)
    signed_off_by: list[Slug] | None = Field(default=None, description="Roles that may sign off; any of them.")


class References(RequirementBase):
    """References received (and approved, unless said otherwise)."""

    kind: Literal["references"]
    at_least: int = Field(ge=1, le=10)
    approved: bool = True


class Approvals(RequirementBase):
    """An item (a declaration, a risk assessment) approved by every named approver role."""

    kind: Literal["approvals"]
    item: Slug
    approvers: list[Slug] = Field(min_length=1)


class Identity(RequirementBase):
    """Proof of identity seen in person."""

    kind: Literal["identity"]
    seen_in_person: Literal[True] = True


class TimeInRole(RequirementBase):
    """Time in a role (the most recent spell)."""

    kind: Literal["time_in_role"]
    role: Slug
    at_least: DurationField | None = None
    at_most: DurationField | None = None

    @model_validator(mode="after")
    def _some_bound(self) -> TimeInRole:
        if self.at_least is None and self.at_most is None:
            raise ValueError("give `at_least`, `at_most` or both")
        return self


class Supervision(RequirementBase):
    """Supervision sessions attended in a trailing window."""

    kind: Literal["supervision"]
    at_least: int = Field(ge=1, le=100)
    within: DurationField


class Age(RequirementBase):
    """Minimum age in whole years."""

    kind: Literal["age"]
    at_least: int = Field(ge=0, le=120)


# ---- the small safe expression form ------------------------------------------------------------

Scalar = Union[bool, int, float, str, _dt.date]


class Compare(Strict):
    """One comparison of a declared record attribute with a constant."""

    attribute: Slug
    equals: Scalar | None = None
    not_equals: Scalar | None = None
    at_least: int | float | _dt.date | None = None
    at_most: int | float | _dt.date | None = None
    more_than: int | float | _dt.date | None = None
    less_than: int | float | _dt.date | None = None

    @model_validator(mode="after")
    def _one_operator(self) -> Compare:
        given = [name for name in OPERATORS if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of {', '.join('`' + o + '`' for o in OPERATORS)}")
        return self

    @property
    def operator(self) -> str:
        return next(name for name in OPERATORS if getattr(self, name) is not None)

    @property
    def value(self) -> Any:
        return getattr(self, self.operator)


OPERATORS = ("equals", "not_equals", "at_least", "at_most", "more_than", "less_than")


class AllOf(Strict):
    all: list[Expression]


class AnyOf(Strict):
    any: list[Expression] = Field(min_length=1)


class NotOf(Strict):
    not_: Expression = Field(alias="not")
    model_config = Strict.model_config | {"populate_by_name": True}


def _expression_tag(value: Any) -> str | None:
    if isinstance(value, dict):
        for tag in ("all", "any", "not", "attribute"):
            if tag in value:
                return tag
        return None
    if isinstance(value, AllOf):
        return "all"
    if isinstance(value, AnyOf):
        return "any"
    if isinstance(value, NotOf):
        return "not"
    return "attribute" if isinstance(value, Compare) else None


Expression = Annotated[
    Union[
        Annotated[AllOf, Tag("all")],
        Annotated[AnyOf, Tag("any")],
        Annotated[NotOf, Tag("not")],
        Annotated[Compare, Tag("attribute")],
    ],
    Discriminator(_expression_tag, custom_error_type="expression", custom_error_message="expected `attribute`, `all`, `any` or `not`"),
]


class ExpressionRequirement(RequirementBase):
    """Anything the kinds do not cover, written as comparisons of declared record attributes."""

    kind: Literal["expression"]
    expression: Expression


# ---- requirement items: a requirement or a reference to a named group ---------------------------


class GroupRef(Strict):
    """Use every requirement of a named group here."""

    group: Slug


Requirement = Union[
    Abstinence,
    Treatment,
    Vetting,
    Qualification,
    Training,
    Competency,
    References,
    Approvals,
    Identity,
    TimeInRole,
    Supervision,
    Age,
    ExpressionRequirement,
]
REQUIREMENT_CLASSES: dict[str, type[RequirementBase]] = {
    "abstinence": Abstinence,
    "treatment": Treatment,
    "vetting": Vetting,
    "qualification": Qualification,
    "training": Training,
    "competency": Competency,
    "references": References,
    "approvals": Approvals,
    "identity": Identity,
    "time_in_role": TimeInRole,
    "supervision": Supervision,
    "age": Age,
    "expression": ExpressionRequirement,
}


def _item_tag(value: Any) -> str | None:
    if isinstance(value, dict):
        if "group" in value and "kind" not in value:
            return "group"
        kind = value.get("kind")
        return kind if isinstance(kind, str) else None
    if isinstance(value, GroupRef):
        return "group"
    return getattr(value, "kind", None)


RequirementItem = Annotated[
    Union[
        Annotated[GroupRef, Tag("group")],
        Annotated[Abstinence, Tag("abstinence")],
        Annotated[Treatment, Tag("treatment")],
        Annotated[Vetting, Tag("vetting")],
        Annotated[Qualification, Tag("qualification")],
        Annotated[Training, Tag("training")],
        Annotated[Competency, Tag("competency")],
        Annotated[References, Tag("references")],
        Annotated[Approvals, Tag("approvals")],
        Annotated[Identity, Tag("identity")],
        Annotated[TimeInRole, Tag("time_in_role")],
        Annotated[Supervision, Tag("supervision")],
        Annotated[Age, Tag("age")],
        Annotated[ExpressionRequirement, Tag("expression")],
    ],
    Discriminator(_item_tag),
]
