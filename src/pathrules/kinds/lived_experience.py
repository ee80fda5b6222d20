"""Lived experience as a criterion: of what, whether it needed structured treatment, how recent.

Peer roles rest on lived experience, so it is a qualification here, not only a risk: the thesis
organisations' mentors must have had alcohol or drug use "that required some form of structured
treatment" (thesis §5.1), MAC-UK's tier-2 mentors lived experience of exclusion and offending. A
record that says the person does not have the experience closes the role (``blocked``: other roles
may fit); a record that does not say yet leaves it unmet until it is recorded.

Each category in scope gets its own typed facts, so the engine (not Python) compares the recency
threshold: ``c<i>_had`` and ``c<i>_treated`` are 1 yes / 0 no / -1 not recorded, ``c<i>_dated``
says whether the last date is known, and ``c<i>_since`` is the whole units of ``within`` from that
date to the start date.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from pydantic import Field, model_validator

from pathrules.decision import Evidence, Status
from pathrules.engine.ir import Cmp, Condition, FactType, FactValue, all_of, any_of
from pathrules.kinds.base import Context, Derived, Gate, Kind, RequirementBase, days, names, register
from pathrules.policy.fields import DurationField
from pathrules.record.vocabulary import EXPERIENCE_NAMES, ExperienceOf

if TYPE_CHECKING:
    from pathrules.policy.model import Policy
    from pathrules.record.model import LivedExperience

UNKNOWN, NO, YES = -1, 0, 1


class LivedExperienceRequirement(RequirementBase):
    """Lived experience of one (``one_of``) or every (``all_of``) listed kind."""

    kind: Literal["lived_experience"]
    one_of: list[ExperienceOf] | None = Field(default=None, min_length=1, description="Any one of these is enough.")
    all_of: list[ExperienceOf] | None = Field(default=None, min_length=1, description="Every one of these is needed.")
    structured_treatment: bool = Field(default=False, description="true: the experience must have needed some form of structured treatment.")
    within: DurationField | None = Field(
        default=None, description="How recent: the experience was last part of the person's life within this time before the start date."
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> LivedExperienceRequirement:
        if (self.one_of is None) == (self.all_of is None):
            raise ValueError("give exactly one of `one_of` or `all_of`")
        return self

    @property
    def ids(self) -> list[ExperienceOf]:
        return list(dict.fromkeys(self.one_of or self.all_of or []))


@dataclass(frozen=True)
class ExperienceDetail:
    fits: tuple[str, ...]
    lacks: tuple[str, ...]
    unknown: tuple[str, ...]


def _what(req: LivedExperienceRequirement) -> str:
    titles = [EXPERIENCE_NAMES[c] for c in req.ids]
    text = "lived experience of " + names(titles, "or" if req.one_of is not None else "and")
    if req.structured_treatment:
        text += " that needed some form of structured treatment"
    if req.within is not None:
        text += f", within {req.within} before starting"
    return text


def _latest(entries: list[LivedExperience]) -> LivedExperience | None:
    """What the record said last: a later recording replaces an earlier one."""
    return max(entries, key=lambda e: e.recorded_on) if entries else None


@register
class LivedExperienceKind(Kind[LivedExperienceRequirement, ExperienceDetail]):
    model = LivedExperienceRequirement
    threshold_fields = ("within",)

    def fact_types(self, req: LivedExperienceRequirement, policy: Policy) -> Mapping[str, FactType]:
        types: dict[str, FactType] = {}
        for i in range(len(req.ids)):
            types |= {f"c{i}_had": "integer", f"c{i}_treated": "integer", f"c{i}_dated": "integer", f"c{i}_since": "integer"}
        return types

    def named_ids(self, req: LivedExperienceRequirement) -> dict[str, str]:
        return {c: EXPERIENCE_NAMES[c] for c in req.ids}

    def gate(self, req: LivedExperienceRequirement) -> Gate:
        return ("lived_experience", frozenset(req.ids), req.one_of is not None), (req.structured_treatment, req.within and days(req.within))

    def implies(self, a: LivedExperienceRequirement, b: LivedExperienceRequirement) -> bool:
        if a.all_of is None:
            return False
        covers = set(b.ids) <= set(a.all_of) if b.all_of is not None else bool(set(b.ids) & set(a.all_of))
        recent = b.within is None or (a.within is not None and days(a.within) <= days(b.within))
        return covers and (a.structured_treatment or not b.structured_treatment) and recent

    def _fits(self, req: LivedExperienceRequirement, i: int) -> Condition:
        parts: list[Condition] = [Cmp(f"c{i}_had", "==", YES)]
        if req.structured_treatment:
            parts.append(Cmp(f"c{i}_treated", "==", YES))
        if req.within is not None:
            parts += [Cmp(f"c{i}_dated", "==", 1), Cmp(f"c{i}_since", "<", req.within.amount)]
        return all_of(*parts)

    def _lacks(self, req: LivedExperienceRequirement, i: int) -> Condition:
        parts: list[Condition] = [Cmp(f"c{i}_had", "==", NO)]
        if req.structured_treatment:
            parts.append(Cmp(f"c{i}_treated", "==", NO))
        if req.within is not None:
            parts.append(all_of(Cmp(f"c{i}_dated", "==", 1), Cmp(f"c{i}_since", ">=", req.within.amount)))
        return any_of(*parts)

    def conditions(self, req: LivedExperienceRequirement, policy: Policy) -> dict[str, Condition]:
        fits = [self._fits(req, i) for i in range(len(req.ids))]
        lacks = [self._lacks(req, i) for i in range(len(req.ids))]
        if req.all_of is not None:
            return {"met": all_of(*fits), "blocked": any_of(*lacks)}
        return {"met": any_of(*fits), "blocked": all_of(*lacks)}

    def derive(self, req: LivedExperienceRequirement, ctx: Context) -> Derived[ExperienceDetail]:
        facts: dict[str, FactValue] = {}
        evidence: list[Evidence] = []
        fits: list[str] = []
        lacks: list[str] = []
        unknown: list[str] = []
        for i, category in enumerate(req.ids):
            entry = _latest([e for e in ctx.record.lived_experience if e.of == category and e.recorded_on <= ctx.as_of])
            had = UNKNOWN if entry is None else (YES if entry.had else NO)
            treated = UNKNOWN if entry is None or entry.structured_treatment is None else (YES if entry.structured_treatment else NO)
            dated = entry is not None and entry.last_on is not None
            since = req.within.elapsed(entry.last_on, ctx.start) if (req.within is not None and entry is not None and entry.last_on is not None) else 0
            facts |= {f"c{i}_had": had, f"c{i}_treated": treated, f"c{i}_dated": 1 if dated else 0, f"c{i}_since": since}
            if had == NO or (req.structured_treatment and treated == NO) or (req.within is not None and dated and since >= req.within.amount):
                lacks.append(category)
            elif had == YES and (not req.structured_treatment or treated == YES) and (req.within is None or dated):
                fits.append(category)
            else:
                unknown.append(category)
            if entry is None:
                value = "not recorded"
            elif not entry.had:
                value = "none"
            else:
                value = "yes"
                if req.structured_treatment:
                    value += {YES: ", needed structured treatment", NO: ", did not need structured treatment", UNKNOWN: ", treatment not recorded"}[treated]
                if req.within is not None:
                    value += f", last {entry.last_on}" if entry.last_on else ", last date not recorded"
            threshold = "needed structured treatment" if req.structured_treatment else "recorded"
            if req.within is not None:
                threshold += f", within {req.within} before the start date"
            evidence.append(Evidence.of(label=f"lived experience of {EXPERIENCE_NAMES[category]}", value=value, threshold=threshold, source="lived_experience"))
        return Derived(facts=facts, detail=ExperienceDetail(tuple(fits), tuple(lacks), tuple(unknown)), evidence=evidence)

    def describe(self, req: LivedExperienceRequirement, policy: Policy) -> str:
        return _what(req)

    def explain(self, req: LivedExperienceRequirement, d: Derived[ExperienceDetail], status: Status, ctx: Context) -> tuple[str, str | None]:
        asked = f"The role asks for {_what(req)}."
        if status == "met":
            return f"{asked} This is on record.", None
        if status == "blocked":
            return (
                f"{asked} The record says otherwise, and time will not change that, so this is not open on this record; other roles and activities may be (not every one asks for this).",
                "Ask the service which roles fit your experience.",
            )
        missing = names([EXPERIENCE_NAMES[c] for c in d.detail.unknown], "and")
        return f"{asked} The record does not say yet ({missing}).", "Record the person's lived experience with them, as far as they wish to share it."


__all__ = ["ExperienceDetail", "LivedExperienceKind", "LivedExperienceRequirement"]
