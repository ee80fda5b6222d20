"""Kinds about recovery: time free from substances, and treatment status."""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Literal, NamedTuple

from pydantic import Field

from pathrules.decision import Evidence, Status
from pathrules.durations import Duration
from pathrules.engine.ir import Cmp, Condition, all_of, any_of
from pathrules.kinds.base import Context, Derived, Gate, Kind, RequirementBase, days, flag, long_date, names, register
from pathrules.policy.fields import DurationField, Slug

if TYPE_CHECKING:
    from pathrules.policy.model import Policy

ANY = "any"
TreatmentStatus = Literal["never", "in_treatment", "completed"]
TREATMENT_ORDER: dict[str, int] = {"never": 0, "in_treatment": 1, "completed": 2}


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
    completed_with: list[str] | None = Field(default=None, description="A completed treatment must have been with one of these services.")
    treated_with: list[str] | None = Field(
        default=None,
        min_length=1,
        description="Treatment, in progress or completed, must be with one of these services (e.g. mentors who went through this service's own rehabilitation).",
    )


class AbstinenceDetail(NamedTuple):  # a tuple: made on every evaluation, and cheaper to make than a frozen dataclass
    missing: list[str]
    last: _dt.date | None
    on_medication: bool
    elapsed: int


@register
class AbstinenceKind(Kind[Abstinence, AbstinenceDetail]):
    """Met when every substance in scope is accounted for and the last use is long enough ago."""

    model = Abstinence
    facts = {"recorded": "integer", "has_use": "integer", "elapsed": "integer"}
    threshold_fields = ("at_least",)

    def implies(self, a: Abstinence, b: Abstinence) -> bool:
        scope = ANY in a.substances or set(b.substances) <= set(a.substances)
        return scope and days(a.at_least) >= days(b.at_least) and a.prescribed_medication == b.prescribed_medication

    def named_ids(self, req: Abstinence) -> dict[str, str]:
        return {s: s.replace("-", " ") for s in req.substances}

    def gate(self, req: Abstinence) -> Gate:
        return ("abstinence", tuple(sorted(req.substances))), days(req.at_least)

    def unusual_thresholds(self, req: Abstinence) -> list[str]:
        if days(req.at_least) > days(Duration(5, "years")):
            return [f"`{req.id}` asks for {req.at_least} free from use; the studies report 30 days to 3 years"]
        return []

    def conditions(self, req: Abstinence, policy: Policy) -> dict[str, Condition]:
        long_enough = any_of(Cmp("has_use", "==", 0), Cmp("elapsed", ">=", req.at_least.amount))
        return {"met": all_of(Cmp("recorded", "==", 1), long_enough)}

    def derive(self, req: Abstinence, ctx: Context) -> Derived[AbstinenceDetail]:
        record, as_of = ctx.record, ctx.as_of
        in_scope = set(req.substances)
        uses = [u for u in record.substance_use if u.last_use <= as_of and (ANY in in_scope or u.substance in in_scope)]
        dates = [u.last_use for u in uses]
        on_medication = False
        if req.prescribed_medication == "counts_as_use":
            for med in record.prescribed_medication:
                if med.started_on > as_of:
                    continue
                if med.ended_on is None or med.ended_on > as_of:
                    on_medication = True
                    dates.append(as_of)
                else:
                    dates.append(med.ended_on)
        covered = {u.substance for u in record.substance_use} | set(record.substances_never_used)
        missing = sorted(s for s in in_scope if s != ANY and s not in covered)
        if ANY in in_scope and not record.substance_use and ANY not in record.substances_never_used:
            missing.append("any substance")
        last = max(dates) if dates else None
        elapsed = req.at_least.elapsed(last, as_of) if last else 0
        def evidence() -> list[Evidence]:  # written when the decision is read
            found = [
                Evidence.of(
                    label=f"last use ({names(sorted(in_scope))})",
                    value=last.isoformat() if last else "none recorded",
                    threshold=f"at least {req.at_least} ago",
                    source="substance_use",
                )
            ]
            if on_medication:
                found.append(Evidence.of(label="on prescribed medication", value=True, threshold="counts as use in this policy", source="prescribed_medication"))
            return found

        met_on = req.at_least.after(last) if last and not on_medication and not missing else None
        return Derived(
            facts={"recorded": flag(not missing), "has_use": flag(last is not None), "elapsed": elapsed},
            evidence=evidence,
            met_on=met_on if met_on and met_on > as_of else None,
            detail=AbstinenceDetail(missing=missing, last=last, on_medication=on_medication, elapsed=elapsed),
        )

    def counts_medication_as_use(self, req: Abstinence) -> str | None:
        return "prescribed_medication" if req.prescribed_medication == "counts_as_use" else None

    def alcohol_abstinence(self, req: Abstinence) -> str | None:
        return "substances" if {"alcohol", "any"} & set(req.substances) else None

    def form_columns(self, req: Abstinence) -> list[str]:
        scope = set(req.substances)
        columns = []
        if scope & {"any", "illicit-drugs"} or not scope <= {"alcohol"}:
            columns.append("last_use_illicit_drugs")
        if scope & {"any", "alcohol"}:
            columns.append("last_use_alcohol")
        columns.append("never_used")
        if req.prescribed_medication == "counts_as_use":
            columns += ["prescribed_medication_since", "prescribed_medication_ended"]
        return columns

    def describe(self, req: Abstinence, policy: Policy) -> str:
        scope = names(sorted(s.replace("-", " ") for s in req.substances))
        medication = "prescribed medication counts as use" if req.prescribed_medication == "counts_as_use" else "prescribed medication is not counted as use"
        return f"at least {req.at_least} free from {scope} ({medication})"

    def explain(self, req: Abstinence, d: Derived[AbstinenceDetail], status: Status, ctx: Context) -> tuple[str, str | None]:
        scope = names(sorted(s.replace("-", " ") for s in req.substances))
        asked = f"The role asks for {req.at_least} free from {scope}."
        if d.detail.missing:
            return (
                f"{asked} The record does not yet say when {names(d.detail.missing)} was last used.",
                "Record the date of last use (or that it was never used) for each substance in scope.",
            )
        last = d.detail.last
        if status == "met":
            if last is None:
                return f"{asked} No use is recorded.", None
            return f"{asked} Free since {long_date(last)}; met since {long_date(req.at_least.after(last))}.", None
        if d.detail.on_medication:
            # prescribed medication (e.g. opioid substitution) is treatment: never nudge anyone off it
            return (
                f"{asked} This policy counts prescribed medication as use.",
                "Keep to the treatment plan agreed with your prescriber; ask the service about roles that do not count prescribed medication.",
            )
        since = f" Free since {long_date(last)}." if last else ""
        return (
            f"{asked}{since}" + (f" Met from {long_date(d.met_on)} if nothing changes." if d.met_on else ""),
            f"This is met from {long_date(d.met_on)} if nothing changes." if d.met_on else None,
        )


class TreatmentDetail(NamedTuple):  # a tuple: made on every evaluation, and cheaper to make than a frozen dataclass
    status: str | None
    discharged: _dt.date | None


@register
class TreatmentKind(Kind[Treatment, TreatmentDetail]):
    """Met when the treatment status is one the policy allows (and long enough since discharge)."""

    model = Treatment
    facts = {"recorded": "integer", "status": "integer", "elapsed": "integer", "provider_ok": "integer", "treated_here": "integer"}
    threshold_fields = ("completed_at_least",)

    def conditions(self, req: Treatment, policy: Policy) -> dict[str, Condition]:
        allowed = any_of(*(Cmp("status", "==", TREATMENT_ORDER[s]) for s in req.allowed))
        parts: list[Condition] = [Cmp("recorded", "==", 1), allowed]
        if req.completed_at_least is not None:
            parts.append(any_of(Cmp("status", "!=", TREATMENT_ORDER["completed"]), Cmp("elapsed", ">=", req.completed_at_least.amount)))
        labels: dict[str, Condition] = {}
        if req.completed_with is not None:
            parts.append(any_of(Cmp("status", "!=", TREATMENT_ORDER["completed"]), Cmp("provider_ok", "==", 1)))
            labels["blocked"] = all_of(Cmp("status", "==", TREATMENT_ORDER["completed"]), Cmp("provider_ok", "==", 0))
        if req.treated_with is not None:
            # someone never treated has no provider to ask about; anyone treated must have been treated here.
            # A completed episode elsewhere cannot become one here (blocked); someone in treatment elsewhere can
            # still move their treatment (not met)
            parts.append(any_of(Cmp("status", "==", TREATMENT_ORDER["never"]), Cmp("treated_here", "==", 1)))
            elsewhere = all_of(Cmp("status", "==", TREATMENT_ORDER["completed"]), Cmp("treated_here", "==", 0))
            labels["blocked"] = any_of(labels["blocked"], elsewhere) if "blocked" in labels else elsewhere
        labels["met"] = all_of(*parts)
        return labels

    def derive(self, req: Treatment, ctx: Context) -> Derived[TreatmentDetail]:
        episode = ctx.record.treatment
        status = episode.status if episode else None
        # a discharge date means something only for a completed episode (the record may carry one regardless)
        discharged = episode.discharged_on if status == "completed" and episode and episode.discharged_on and episode.discharged_on <= ctx.as_of else None
        if status == "completed" and episode and episode.discharged_on and episode.discharged_on > ctx.as_of:
            status = "in_treatment"  # as of this day, not yet discharged
        unit_amount = req.completed_at_least
        elapsed = unit_amount.elapsed(discharged, ctx.as_of) if (unit_amount and discharged) else 0
        if status == "completed" and unit_amount and not discharged:
            elapsed = -1
        provider_ok = bool(req.completed_with and episode and episode.provider in req.completed_with)
        treated_here = bool(req.treated_with and episode and episode.provider in req.treated_with)
        met_on = None
        if status == "completed" and unit_amount and discharged:
            candidate = unit_amount.after(discharged)
            met_on = candidate if candidate > ctx.as_of else None

        def evidence() -> list[Evidence]:  # written when the decision is read
            threshold = "one of: " + ", ".join(s.replace("_", " ") for s in req.allowed)
            if unit_amount:
                threshold += f"; if completed, at least {unit_amount} since discharge"
            return [
                Evidence.of(label="treatment status", value=(status or "not recorded").replace("_", " "), threshold=threshold, source="treatment"),
                *([Evidence.of(label="discharged on", value=discharged.isoformat(), source="treatment.discharged_on")] if discharged else []),
            ]

        return Derived(
            facts={
                "recorded": flag(status is not None),
                "status": TREATMENT_ORDER[status] if status else -1,
                "elapsed": elapsed,
                "provider_ok": flag(provider_ok),
                "treated_here": flag(treated_here),
            },
            evidence=evidence,
            met_on=met_on,
            detail=TreatmentDetail(status=status, discharged=discharged),
        )

    def named_ids(self, req: Treatment) -> dict[str, str]:
        return {p: p.replace("-", " ").title() for p in [*(req.completed_with or []), *(req.treated_with or [])]}

    def named_provider_bar(self, req: Treatment) -> str | None:
        return "completed_with" if req.completed_with else ("treated_with" if req.treated_with else None)

    def form_columns(self, req: Treatment) -> list[str]:
        columns = ["treatment_status"]
        if req.completed_with or req.treated_with:
            columns.append("treatment_provider")
        if req.completed_at_least is not None or "completed" in req.allowed:
            columns.append("treatment_discharged_on")
        return columns

    def describe(self, req: Treatment, policy: Policy) -> str:
        text = "treatment status: " + names([s.replace("_", " ") for s in req.allowed], "or")
        if req.completed_at_least:
            text += f"; if completed, at least {req.completed_at_least} since discharge"
        if req.completed_with:
            text += f"; treatment completed with {names(req.completed_with, 'or')}"
        if req.treated_with:
            text += f"; treatment, in progress or completed, with {names(req.treated_with, 'or')}"
        return text

    def explain(self, req: Treatment, d: Derived[TreatmentDetail], status: Status, ctx: Context) -> tuple[str, str | None]:
        allowed = names([s.replace("_", " ") for s in req.allowed], "or")
        current = d.detail.status
        if current is None:
            return "The record does not say where the person is with treatment.", "Record the treatment status (never, in treatment or completed)."
        if status == "met":
            return f"Treatment status is {current.replace('_', ' ')}, which the role accepts.", None
        if status == "blocked":
            where = names(req.completed_with or req.treated_with or [], "or")
            return (
                f"This role asks for treatment with {where}; this policy offers no other way to meet it.",
                "Ask the service about its other roles, which do not ask for this.",
            )
        if req.treated_with and current in req.allowed and current != "never" and not d.facts["treated_here"]:
            where = names(req.treated_with, "or")
            return (
                f"This role asks for treatment with {where}; the record shows treatment with another service.",
                f"Talk with the service about whether treatment with {where} is open to you.",
            )
        if current not in req.allowed:
            return (
                f"The role asks for treatment status {allowed}; the record says {current.replace('_', ' ')}.",
                "Talk with your keyworker about completing treatment; this can be checked again afterwards.",
            )
        if d.detail.discharged is None:
            return "Treatment is completed but the discharge date is not recorded.", "Record the date of discharge."
        return (
            f"The role asks for {req.completed_at_least} since discharge.",
            f"This is met from {long_date(d.met_on)} if nothing changes." if d.met_on else None,
        )
