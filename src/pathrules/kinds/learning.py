"""Kinds about learning: qualifications, training modules, competencies signed off."""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Literal, NamedTuple

from pydantic import Field, model_validator

from pathrules.decision import Evidence, Status
from pathrules.durations import Duration
from pathrules.engine.ir import Cmp, Condition
from pathrules.kinds.base import Context, Derived, EvidenceLater, Kind, PerRequirement, RequirementBase, expiry, long_date, names, register, still_valid
from pathrules.policy.fields import DurationField, Slug

if TYPE_CHECKING:
    from pathrules.policy.model import Policy


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


class CompletionDetail(NamedTuple):  # a tuple: made on every evaluation, and cheaper to make than a frozen dataclass
    """What is still to complete, and what was completed but has expired (with when)."""

    missing: list[str]
    expired: dict[str, _dt.date]


class CompetencyDetail(NamedTuple):  # a tuple: made on every evaluation, and cheaper to make than a frozen dataclass
    missing: list[str]


def _title(policy: Policy, item: str) -> str:
    entry = policy.catalogue.get(item)
    return entry.title if entry else item


def _completions(
    ids: list[str], part: Literal["training", "qualifications"], ctx: Context, validity: dict[str, Duration | None]
) -> tuple[dict[str, _dt.date], dict[str, _dt.date], EvidenceLater]:
    """Latest completion per id as of the day: (valid ones, expired ones), and how to write the evidence."""
    valid: dict[str, _dt.date] = {}
    expired: dict[str, _dt.date] = {}
    done = ctx.latest_completions(part)
    as_of = ctx.as_of
    for item in ids:
        latest = done.get(item)
        if latest is not None:
            period = validity.get(item)
            if still_valid(latest, as_of, period):
                valid[item] = latest
            else:
                expired[item] = latest

    def evidence() -> list[Evidence]:  # written when the decision is read
        found: list[Evidence] = []
        for item in ids:
            latest = done.get(item)
            period = validity.get(item)
            found.append(
                Evidence.of(
                    label=_title(ctx.policy, item),
                    value=(f"completed {latest}" + (" (expired)" if item in expired else "")) if latest else "not recorded",
                    threshold=f"valid for {period}" if period else "completed",
                    source=item,
                )
            )
        return found

    return valid, expired, evidence


def _lapse(valid: dict[str, _dt.date], validity: dict[str, Duration | None], any_one: bool) -> _dt.date | None:
    ends = [e for item, day in valid.items() if (e := expiry(day, validity.get(item))) is not None]
    if not ends or (any_one and len(ends) < len(valid)):
        return None
    return max(ends) if any_one else min(ends)


def _missing_text(policy: Policy, missing: list[str], expired: dict[str, _dt.date]) -> str:
    parts = []
    todo = [i for i in missing if i not in expired]
    if todo:
        parts.append("still to complete: " + names([_title(policy, i) for i in todo]))
    if expired:
        parts.append("to renew: " + names([_title(policy, i) for i in expired]))
    return "; ".join(parts)


_qualification_validity: PerRequirement[Qualification, dict[str, Duration | None]] = PerRequirement(
    lambda req, policy: {i: policy.catalogue[i].valid_for if i in policy.catalogue else None for i in req.ids}
)
_training_validity: PerRequirement[Training, dict[str, Duration | None]] = PerRequirement(
    lambda req, policy: {m: req.completed_within or (policy.catalogue[m].valid_for if m in policy.catalogue else None) for m in req.modules}
)


@register
class QualificationKind(Kind[Qualification, CompletionDetail]):
    model = Qualification
    facts = {"held": "integer"}

    def catalogue_refs(self, req: Qualification) -> tuple[str, str, list[str]]:
        return ("one_of" if req.one_of is not None else "all_of"), "qualification", req.ids

    def implies(self, a: Qualification, b: Qualification) -> bool:
        if a.all_of is not None:
            return set(b.ids) <= set(a.all_of) if b.all_of is not None else bool(set(b.ids) & set(a.all_of))
        return False

    def conditions(self, req: Qualification, policy: Policy) -> dict[str, Condition]:
        return {"met": Cmp("held", ">=", req.needed)}

    def derive(self, req: Qualification, ctx: Context) -> Derived[CompletionDetail]:
        validity = _qualification_validity(req, ctx.policy)
        valid, expired, evidence = _completions(req.ids, "qualifications", ctx, validity)
        return Derived(
            facts={"held": len(valid)},
            evidence=evidence,
            sources=frozenset(req.ids),  # one piece of evidence per id, from that id
            lapses_on=_lapse(valid, validity, req.one_of is not None),
            detail=CompletionDetail(missing=[i for i in req.ids if i not in valid], expired=expired),
        )

    def form_columns(self, req: Qualification) -> list[str]:
        return ["qualifications"]

    def describe(self, req: Qualification, policy: Policy) -> str:
        titles = [_title(policy, i) for i in req.ids]
        return ("one of: " + names(titles, "or")) if req.one_of is not None and len(titles) > 1 else names(titles)

    def explain(self, req: Qualification, d: Derived[CompletionDetail], status: Status, ctx: Context) -> tuple[str, str | None]:
        titles = [_title(ctx.policy, i) for i in req.ids]
        asked = f"The role asks for {'one of: ' if req.one_of is not None and len(titles) > 1 else ''}{names(titles)}."
        if status == "met":
            return f"{asked} This is on record.", None
        todo = d.detail.missing if req.one_of is None else req.ids[:1]
        return f"{asked} Not on record yet.", f"Complete {names([_title(ctx.policy, i) for i in todo])}" + (" (or another listed)" if req.one_of and len(req.ids) > 1 else "") + "."


@register
class TrainingKind(Kind[Training, CompletionDetail]):
    model = Training
    facts = {"held": "integer"}
    threshold_fields = ("completed_within",)

    def catalogue_refs(self, req: Training) -> tuple[str, str, list[str]]:
        return "modules", "training", req.modules

    def implies(self, a: Training, b: Training) -> bool:
        return set(b.modules) <= set(a.modules) and a.completed_within == b.completed_within

    def conditions(self, req: Training, policy: Policy) -> dict[str, Condition]:
        return {"met": Cmp("held", ">=", len(req.modules))}

    def derive(self, req: Training, ctx: Context) -> Derived[CompletionDetail]:
        validity = _training_validity(req, ctx.policy)
        valid, expired, evidence = _completions(req.modules, "training", ctx, validity)
        return Derived(
            facts={"held": len(valid)},
            evidence=evidence,
            sources=frozenset(req.modules),  # one piece of evidence per module, from that module
            lapses_on=_lapse(valid, validity, False),
            detail=CompletionDetail(missing=[m for m in req.modules if m not in valid], expired=expired),
        )

    def form_columns(self, req: Training) -> list[str]:
        return ["training"]

    def describe(self, req: Training, policy: Policy) -> str:
        parts = []
        for module in req.modules:
            period = req.completed_within or (policy.catalogue[module].valid_for if module in policy.catalogue else None)
            parts.append(_title(policy, module) + (f" (renewed every {period})" if period else ""))
        return "training: " + names(parts)

    def explain(self, req: Training, d: Derived[CompletionDetail], status: Status, ctx: Context) -> tuple[str, str | None]:
        count = len(req.modules)
        asked = f"The role asks for {count} training module{'s' if count != 1 else ''} to be complete and in date."
        if status == "met":
            return f"{asked} All are on record.", None
        gap = _missing_text(ctx.policy, d.detail.missing, d.detail.expired)
        return f"{asked} {gap[:1].upper() + gap[1:]}.", "Book the modules listed; each counts from the day it is completed."


@register
class CompetencyKind(Kind[Competency, CompetencyDetail]):
    model = Competency
    facts = {"held": "integer"}
    threshold_fields = ("level",)

    def catalogue_refs(self, req: Competency) -> tuple[str, str, list[str]]:
        return "competencies", "competency", req.competencies

    def implies(self, a: Competency, b: Competency) -> bool:
        signers = a.signed_off_by is None or b.signed_off_by is None or set(a.signed_off_by) <= set(b.signed_off_by)
        return set(b.competencies) <= set(a.competencies) and a.level >= b.level and signers

    def conditions(self, req: Competency, policy: Policy) -> dict[str, Condition]:
        return {"met": Cmp("held", ">=", len(req.competencies))}

    def derive(self, req: Competency, ctx: Context) -> Derived[CompetencyDetail]:
        held: dict[str, _dt.date] = {}
        for sign_off in ctx.record.competencies:
            if (
                sign_off.id in req.competencies
                and sign_off.signed_off_on <= ctx.as_of
                and sign_off.level >= req.level
                and (req.signed_off_by is None or sign_off.signed_off_by in req.signed_off_by)
            ):
                held[sign_off.id] = max(held.get(sign_off.id, sign_off.signed_off_on), sign_off.signed_off_on)
        evidence = [
            Evidence.of(
                label=_title(ctx.policy, c),
                value=f"signed off {held[c]}" if c in held else "not signed off",
                threshold=f"level {req.level}" + (f", by {names(req.signed_off_by)}" if req.signed_off_by else ""),
                source="competencies",
            )
            for c in req.competencies
        ]
        return Derived(facts={"held": len(held)}, evidence=evidence, detail=CompetencyDetail(missing=[c for c in req.competencies if c not in held]))

    def named_ids(self, req: Competency) -> dict[str, str]:
        return {s: s.replace("-", " ") for s in req.signed_off_by or []}

    def form_columns(self, req: Competency) -> list[str]:
        return ["competencies"]

    def describe(self, req: Competency, policy: Policy) -> str:
        who = f" by {names([s.replace('-', ' ') for s in req.signed_off_by], 'or')}" if req.signed_off_by else ""
        return f"competencies signed off at level {req.level}{who}: " + names([_title(policy, c) for c in req.competencies])

    def explain(self, req: Competency, d: Derived[CompetencyDetail], status: Status, ctx: Context) -> tuple[str, str | None]:
        asked = f"The role asks for competencies signed off at level {req.level}" + (f" by {names(req.signed_off_by)}" if req.signed_off_by else "") + "."
        if status == "met":
            return f"{asked} All are signed off.", None
        missing = names([_title(ctx.policy, c) for c in d.detail.missing])
        return f"{asked} Still to be signed off: {missing}.", "Agree in supervision how to show these competencies, then ask for sign-off."


__all__ = ["Competency", "CompetencyKind", "Qualification", "QualificationKind", "Training", "TrainingKind", "long_date"]
