"""Criminal-record checks (DBS, PVG, Garda vetting).

A disclosure is not an automatic bar: unless the policy says ``on_disclosure: bar`` it leads to a
recorded review by named managers, and a recorded acceptance clears it. A check that is applied for
(form received, documents verified) is a different fact from a certificate that has come back.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from pydantic import Field

from pathrules.decision import Evidence, Status
from pathrules.engine.ir import Cmp, Condition, all_of, any_of
from pathrules.kinds.base import Context, Derived, Kind, RequirementBase, flag, long_date, names, register
from pathrules.policy.fields import DurationField

if TYPE_CHECKING:
    from pathrules.policy.model import Policy
    from pathrules.record.model import VettingCheck

Level = Literal["basic", "standard", "enhanced", "enhanced_barred"]
LEVEL_ORDER: dict[str, int] = {"basic": 1, "standard": 2, "enhanced": 3, "enhanced_barred": 4}
Scheme = Literal["dbs", "pvg", "garda"]
REVIEW_NONE, REVIEW_ACCEPTED, REVIEW_REFUSED = 0, 1, 2
LEVEL_NAMES = {"basic": "basic", "standard": "standard", "enhanced": "enhanced", "enhanced_barred": "enhanced (with barred list)"}
SCHEME_NAMES = {"dbs": "DBS check", "pvg": "PVG (Disclosure Scotland) check", "garda": "Garda vetting"}


def _returned(check: VettingCheck, as_of: _dt.date) -> bool:
    """The certificate has come back (issue date and disclosure known) by ``as_of``."""
    return check.issued_on is not None and check.issued_on <= as_of and check.disclosure is not None


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


@dataclass(frozen=True)
class VettingDetail:
    best: VettingCheck | None
    stale: bool
    applied: bool
    lower: list[str]


@register
class VettingKind(Kind[Vetting, VettingDetail]):
    model = Vetting
    facts = {"current": "integer", "disclosure": "integer", "review": "integer", "applied": "integer"}
    threshold_fields = ("reuse_if_issued_within",)

    def implies(self, a: Vetting, b: Vetting) -> bool:
        stronger_status = a.status == "returned" or b.status == "applied"
        return a.scheme == b.scheme and LEVEL_ORDER[a.level] >= LEVEL_ORDER[b.level] and stronger_status and a.reuse_if_issued_within == b.reuse_if_issued_within

    def blanket_ban(self, req: Vetting) -> str | None:
        return "on_disclosure" if req.on_disclosure == "bar" else None

    def conditions(self, req: Vetting, policy: Policy) -> dict[str, Condition]:
        current = Cmp("current", "==", 1)
        clear = all_of(current, any_of(Cmp("disclosure", "==", 0), Cmp("review", "==", REVIEW_ACCEPTED)))
        met = any_of(clear, Cmp("applied", "==", 1)) if req.status == "applied" else clear
        labels: dict[str, Condition] = {"met": met}
        disclosed = all_of(current, Cmp("disclosure", "==", 1))
        if req.on_disclosure == "bar":
            labels["blocked"] = disclosed
        else:
            labels["blocked"] = all_of(disclosed, Cmp("review", "==", REVIEW_REFUSED))
            labels["review"] = all_of(disclosed, Cmp("review", "==", REVIEW_NONE))
        if req.status == "returned":
            labels["pending"] = Cmp("applied", "==", 1)
        return labels

    def derive(self, req: Vetting, ctx: Context) -> Derived[VettingDetail]:
        as_of, start = ctx.as_of, ctx.start
        fitting = [c for c in ctx.record.vetting if c.scheme == req.scheme and LEVEL_ORDER[c.level] >= LEVEL_ORDER[req.level]]
        window = req.reuse_if_issued_within
        certificates = [c for c in fitting if _returned(c, as_of)]
        usable = [c for c in certificates if window is None or window.elapsed(c.issued_on, start) < window.amount]  # type: ignore[arg-type]
        best = max(usable, key=lambda c: c.issued_on) if usable else None  # type: ignore[arg-type, return-value]
        applied = [
            c
            for c in fitting
            if c.applied_on is not None and c.applied_on <= as_of and c.documents_verified and not _returned(c, as_of)
        ]
        review = REVIEW_NONE
        if best is not None and best.review is not None and best.review.decided_on <= as_of:
            review = REVIEW_ACCEPTED if best.review.decision == "accepted" else REVIEW_REFUSED
        evidence = []
        if best is not None:
            evidence.append(
                Evidence(
                    label=f"{req.scheme.upper()} certificate ({best.level.replace('_', ' ')})",
                    value=f"issued {best.issued_on}",
                    threshold=f"{req.level.replace('_', ' ')} or higher" + (f", issued within {window} before the start date" if window else ""),
                    source="vetting",
                )
            )
        elif certificates:
            oldest = max(certificates, key=lambda c: c.issued_on)  # type: ignore[arg-type, return-value]
            evidence.append(
                Evidence(label=f"{req.scheme.upper()} certificate", value=f"issued {oldest.issued_on}", threshold=f"issued within {window} before {start}", source="vetting")
            )
        if applied:
            evidence.append(Evidence(label="check applied for", value=f"applied {applied[0].applied_on}, documents verified", source="vetting"))
        if not evidence:
            evidence.append(Evidence(label=f"{req.scheme.upper()} check", value="none recorded", threshold=req.level.replace("_", " "), source="vetting"))
        lapses = None
        if best is not None and window is not None and not applied:
            lapses = window.after(best.issued_on)  # type: ignore[arg-type]
        return Derived(
            facts={
                "current": flag(best is not None),
                "disclosure": flag(bool(best and best.disclosure)),
                "review": review,
                "applied": flag(bool(applied)),
            },
            evidence=evidence,
            lapses_on=lapses,
            detail=VettingDetail(
                best=best,
                stale=bool(certificates) and best is None,
                applied=bool(applied),
                lower=sorted({c.level for c in ctx.record.vetting if c.scheme == req.scheme and c not in fitting}),
            ),
        )

    def describe(self, req: Vetting, policy: Policy) -> str:
        level = LEVEL_NAMES[req.level]
        text = f"{'an' if level[0] in 'aeiou' else 'a'} {level} {SCHEME_NAMES[req.scheme]}, "
        text += "applied for with documents verified" if req.status == "applied" else "with the certificate back"
        if req.reuse_if_issued_within:
            text += f" (a certificate at this level issued within {req.reuse_if_issued_within} before starting may be reused)"
        text += "; a disclosure " + ("means the role cannot start" if req.on_disclosure == "bar" else "leads to a risk assessment by managers, not an automatic refusal")
        return text

    def explain(self, req: Vetting, d: Derived[VettingDetail], status: Status, ctx: Context) -> tuple[str, str | None]:
        level = LEVEL_NAMES[req.level]
        what = f"{'an' if level[0] in 'aeiou' else 'a'} {level} {SCHEME_NAMES[req.scheme]}"
        needed = "applied for, with documents verified" if req.status == "applied" else "that has come back"
        asked = f"The role needs {what} {needed}."
        if status == "met":
            if d.detail.best is not None:
                return f"{asked} A certificate at the right level is on record.", None
            return f"{asked} The application is in, with documents verified.", None
        if status == "blocked":
            if req.on_disclosure == "bar":
                return f"{asked} This policy does not accept a disclosure for this role.", "Ask whether another role fits."
            return f"{asked} The recorded risk assessment did not accept the disclosure for this role.", "Ask the service to talk through the decision and other roles."
        if status == "review":
            return (
                f"{asked} The certificate has a disclosure, which means a risk assessment by the named managers, not an automatic refusal.",
                "A manager records a risk assessment; the decision is then checked again.",
            )
        if status == "pending":
            return f"{asked} The check has been applied for and is waiting to come back.", "Nothing to do but wait for the certificate; chase it if it takes long."
        if d.detail.stale:
            window = req.reuse_if_issued_within
            return (
                f"{asked} The certificate on record was issued more than {window} before the start date, so it cannot be reused.",
                "Complete a new check application and bring identity documents to be verified.",
            )
        if d.detail.lower:
            levels = ", ".join(level.replace("_", " ") for level in d.detail.lower)
            return (
                f"{asked} The check on record is at a lower level ({levels}).",
                f"Apply for a check at the {LEVEL_NAMES[req.level]} level; the service can help with the form.",
            )
        if d.detail.applied is False and req.status == "applied":
            return f"{asked} No application is recorded yet.", "Complete the check application form and bring identity documents to be verified."
        return f"{asked} No check is recorded yet.", "Complete the check application form and bring identity documents to be verified."


__all__ = ["LEVEL_ORDER", "Level", "Scheme", "Vetting", "VettingKind", "long_date", "names"]
