"""Kinds about learning: qualifications, training modules, competencies signed off."""

from __future__ import annotations

import datetime as _dt

from pathrules.decision import Evidence, Status
from pathrules.durations import Duration
from pathrules.engine.ir import Cmp, Condition
from pathrules.kinds.base import Context, Derived, expiry, long_date, names, register, still_valid
from pathrules.policy.model import Policy
from pathrules.policy.requirements import Competency, Qualification, Training
from pathrules.record.model import Completion


def _title(policy: Policy, item: str) -> str:
    entry = policy.catalogue.get(item)
    return entry.title if entry else item


def _completions(
    ids: list[str], records: list[Completion], ctx: Context, validity: dict[str, Duration | None]
) -> tuple[dict[str, _dt.date], dict[str, _dt.date], list[Evidence]]:
    """Latest completion per id as of the day: (valid ones, expired ones), with evidence."""
    valid: dict[str, _dt.date] = {}
    expired: dict[str, _dt.date] = {}
    evidence: list[Evidence] = []
    for item in ids:
        dates = [c.completed_on for c in records if c.id == item and c.completed_on <= ctx.as_of]
        latest = max(dates) if dates else None
        period = validity.get(item)
        if latest is not None and still_valid(latest, ctx.as_of, period):
            valid[item] = latest
        elif latest is not None:
            expired[item] = latest
        evidence.append(
            Evidence(
                label=_title(ctx.policy, item),
                value=(f"completed {latest}" + (" (expired)" if item in expired else "")) if latest else "not recorded",
                threshold=f"valid for {period}" if period else "completed",
                source=item,
            )
        )
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


@register("qualification")
class QualificationKind:
    def conditions(self, req: Qualification, policy: Policy) -> dict[str, Condition]:
        return {"met": Cmp("held", ">=", req.needed)}

    def derive(self, req: Qualification, ctx: Context) -> Derived:
        validity = {i: ctx.policy.catalogue[i].valid_for if i in ctx.policy.catalogue else None for i in req.ids}
        valid, expired, evidence = _completions(req.ids, list(ctx.record.qualifications), ctx, validity)
        return Derived(
            facts={"held": len(valid)},
            evidence=evidence,
            lapses_on=_lapse(valid, validity, req.one_of is not None),
            detail={"missing": [i for i in req.ids if i not in valid], "expired": expired},
        )

    def describe(self, req: Qualification, policy: Policy) -> str:
        titles = [_title(policy, i) for i in req.ids]
        return ("one of: " + names(titles, "or")) if req.one_of is not None and len(titles) > 1 else names(titles)

    def explain(self, req: Qualification, d: Derived, status: Status, ctx: Context) -> tuple[str, str | None]:
        titles = [_title(ctx.policy, i) for i in req.ids]
        asked = f"The role asks for {'one of: ' if req.one_of is not None and len(titles) > 1 else ''}{names(titles)}."
        if status == "met":
            return f"{asked} This is on record.", None
        todo = d.detail["missing"] if req.one_of is None else req.ids[:1]
        return f"{asked} Not on record yet.", f"Complete {names([_title(ctx.policy, i) for i in todo])}" + (" (or another listed)" if req.one_of and len(req.ids) > 1 else "") + "."


@register("training")
class TrainingKind:
    def conditions(self, req: Training, policy: Policy) -> dict[str, Condition]:
        return {"met": Cmp("held", ">=", len(req.modules))}

    def derive(self, req: Training, ctx: Context) -> Derived:
        validity = {m: req.completed_within or (ctx.policy.catalogue[m].valid_for if m in ctx.policy.catalogue else None) for m in req.modules}
        valid, expired, evidence = _completions(req.modules, list(ctx.record.training), ctx, validity)
        return Derived(
            facts={"held": len(valid)},
            evidence=evidence,
            lapses_on=_lapse(valid, validity, False),
            detail={"missing": [m for m in req.modules if m not in valid], "expired": expired},
        )

    def describe(self, req: Training, policy: Policy) -> str:
        parts = []
        for module in req.modules:
            period = req.completed_within or (policy.catalogue[module].valid_for if module in policy.catalogue else None)
            parts.append(_title(policy, module) + (f" (renewed every {period})" if period else ""))
        return "training: " + names(parts)

    def explain(self, req: Training, d: Derived, status: Status, ctx: Context) -> tuple[str, str | None]:
        count = len(req.modules)
        asked = f"The role asks for {count} training module{'s' if count != 1 else ''} to be complete and in date."
        if status == "met":
            return f"{asked} All are on record.", None
        gap = _missing_text(ctx.policy, d.detail["missing"], d.detail["expired"])
        return f"{asked} {gap[:1].upper() + gap[1:]}.", "Book the modules listed; each counts from the day it is completed."


@register("competency")
class CompetencyKind:
    def conditions(self, req: Competency, policy: Policy) -> dict[str, Condition]:
        return {"met": Cmp("held", ">=", len(req.competencies))}

    def derive(self, req: Competency, ctx: Context) -> Derived:
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
            Evidence(
                label=_title(ctx.policy, c),
                value=f"signed off {held[c]}" if c in held else "not signed off",
                threshold=f"level {req.level}" + (f", by {names(req.signed_off_by)}" if req.signed_off_by else ""),
                source="competencies",
            )
            for c in req.competencies
        ]
        return Derived(facts={"held": len(held)}, evidence=evidence, detail={"missing": [c for c in req.competencies if c not in held]})

    def describe(self, req: Competency, policy: Policy) -> str:
        who = f" by {names([s.replace('-', ' ') for s in req.signed_off_by], 'or')}" if req.signed_off_by else ""
        return f"competencies signed off at level {req.level}{who}: " + names([_title(policy, c) for c in req.competencies])

    def explain(self, req: Competency, d: Derived, status: Status, ctx: Context) -> tuple[str, str | None]:
        asked = f"The role asks for competencies signed off at level {req.level}" + (f" by {names(req.signed_off_by)}" if req.signed_off_by else "") + "."
        if status == "met":
            return f"{asked} All are signed off.", None
        missing = names([_title(ctx.policy, c) for c in d.detail["missing"]])
        return f"{asked} Still to be signed off: {missing}.", "Agree in supervision how to show these competencies, then ask for sign-off."


__all__ = ["QualificationKind", "TrainingKind", "CompetencyKind", "long_date"]
