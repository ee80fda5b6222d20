"""Criminal-record checks (DBS, PVG, AccessNI, Garda vetting), and when a certificate may be reused.

A disclosure is not an automatic bar: unless the policy says ``on_disclosure: bar`` it leads to a
recorded review by named managers, and a recorded acceptance clears it. A check that is applied for
(form received, documents verified) is a different fact from a certificate that has come back.

Each scheme belongs to one jurisdiction, and the policy's jurisdiction decides which apply. A reuse
window counts back from the start date, or (``reuse_before: joining``) from the day the person joined
the organisation: then the organisation's own check counts whatever its age, so moves between roles
inside keep it, and only a certificate brought from elsewhere needs the window. ``on_reuse:
new_application_at_start`` makes a new application *owed* at the start for someone who starts on a
certificate from elsewhere (thesis appendix 3: "they will be asked to complete a new DBS form at the
start of their placement") -- a date, not a one-day window.
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Literal, NamedTuple

from pydantic import Field, ValidationInfo, field_validator

from pathrules.decision import Evidence, Status
from pathrules.engine.ir import Cmp, Condition, all_of, any_of
from pathrules.errors import Problem
from pathrules.kinds.base import Context, Derived, Kind, RequirementBase, flag, long_date, names, register
from pathrules.policy.fields import DurationField

if TYPE_CHECKING:
    from pathrules.policy.model import Policy
    from pathrules.record.model import VettingCheck
    from pathrules.yamlsource import Located, PathKey

Level = Literal["basic", "standard", "enhanced", "enhanced_barred"]
LEVEL_ORDER: dict[str, int] = {"basic": 1, "standard": 2, "enhanced": 3, "enhanced_barred": 4}
Scheme = Literal["dbs", "pvg", "accessni", "garda"]
REVIEW_NONE, REVIEW_ACCEPTED, REVIEW_REFUSED = 0, 1, 2
LEVEL_NAMES = {"basic": "basic", "standard": "standard", "enhanced": "enhanced", "enhanced_barred": "enhanced (with barred list)"}
SCHEME_NAMES = {"dbs": "DBS check", "pvg": "PVG (Disclosure Scotland) check", "accessni": "AccessNI check", "garda": "Garda vetting"}
SCHEME_JURISDICTION = {"dbs": "england-wales", "pvg": "scotland", "accessni": "northern-ireland", "garda": "ireland"}
JURISDICTION_NAMES = {"england-wales": "England and Wales", "scotland": "Scotland", "northern-ireland": "Northern Ireland", "ireland": "Ireland", "other": "other"}


def _joined(ctx: Context) -> _dt.date:
    """The day the person joined the organisation: their first spell with it, else the start date."""
    firsts = [s.started_on for s in ctx.record.roles_held if s.organisation in (None, ctx.policy.policy) and s.started_on <= ctx.as_of]
    return min([*firsts, ctx.start])


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
        default=None, description="A certificate at the level issued within this time before the start date (or joining) may be reused."
    )
    reuse_before: Literal["start", "joining"] = Field(
        default="start",
        description="What the reuse window counts back from: the role's start date, or the day the person joined the organisation (the organisation's own check then counts whatever its age).",
    )
    on_reuse: Literal["nothing_more", "new_application_at_start"] = Field(
        default="nothing_more", description="new_application_at_start: someone who starts on a certificate from elsewhere owes a new application at the start."
    )

    @field_validator("reuse_before", "on_reuse")
    @classmethod
    def _needs_window(cls, value: str, info: ValidationInfo) -> str:
        if value not in ("start", "nothing_more") and info.data.get("reuse_if_issued_within") is None:
            raise ValueError(f"`{info.field_name}: {value}` needs `reuse_if_issued_within` (the reuse window)")
        return value


class VettingDetail(NamedTuple):  # a tuple: made on every evaluation, and cheaper to make than a frozen dataclass
    best: VettingCheck | None
    stale: bool
    applied: bool
    joined: _dt.date
    reused: bool  # the certificate in use came from elsewhere
    owes: bool  # a new application is owed (or overdue) after starting on a reused certificate


_CHECKS, _JOINED, _BOTH = frozenset({"vetting"}), frozenset({"roles_held"}), frozenset({"vetting", "roles_held"})


def _sources(joining: bool, about_checks: bool) -> frozenset[str]:
    """Where ``derive``'s evidence comes from: the checks (said when nothing else is), and the day the
    person joined when reuse counts from it."""
    if not joining:
        return _CHECKS
    return _BOTH if about_checks else _JOINED


@register
class VettingKind(Kind[Vetting, VettingDetail]):
    waiting_for = "a criminal-record check"
    model = Vetting
    facts = {"current": "integer", "disclosure": "integer", "review": "integer", "applied": "integer", "owes": "integer", "days_to_start": "integer"}
    threshold_fields = ("reuse_if_issued_within",)

    def owed_in_post(self, req: Vetting) -> bool:
        return req.on_reuse != "nothing_more"

    def check_references(self, req: Vetting, policy: Policy, located: Located, path: PathKey) -> list[Problem]:
        home = SCHEME_JURISDICTION[req.scheme]
        if home in policy.jurisdictions:
            return []
        fitting = [s for s, j in SCHEME_JURISDICTION.items() if j in policy.jurisdictions]
        where = names([JURISDICTION_NAMES[j] for j in policy.jurisdictions])
        return [
            located.problem(
                "scheme-jurisdiction",
                f"`{req.scheme}` is the scheme for {JURISDICTION_NAMES[home]}, outside this policy's jurisdiction ({where})",
                path + ("scheme",),
                help=(f"use {names(['`' + s + '`' for s in fitting], 'or')}, or " if fitting else "") + f"add `{home}` to `jurisdiction:`",
            )
        ]

    def implies(self, a: Vetting, b: Vetting) -> bool:
        stronger_status = a.status == "returned" or b.status == "applied"
        same_reuse = (a.reuse_if_issued_within, a.reuse_before) == (b.reuse_if_issued_within, b.reuse_before) and (a.on_reuse == b.on_reuse or b.on_reuse == "nothing_more")
        return a.scheme == b.scheme and LEVEL_ORDER[a.level] >= LEVEL_ORDER[b.level] and stronger_status and same_reuse

    def blanket_ban(self, req: Vetting) -> str | None:
        return "on_disclosure" if req.on_disclosure == "bar" else None

    def conditions(self, req: Vetting, policy: Policy) -> dict[str, Condition]:
        current = Cmp("current", "==", 1)
        clear = all_of(current, any_of(Cmp("disclosure", "==", 0), Cmp("review", "==", REVIEW_ACCEPTED)))
        labels: dict[str, Condition] = {}
        if req.on_reuse == "new_application_at_start":
            labels["owed"] = all_of(clear, Cmp("owes", "==", 1), Cmp("days_to_start", ">=", 0))
            clear = all_of(clear, Cmp("owes", "==", 0))
        labels["met"] = any_of(clear, Cmp("applied", "==", 1)) if req.status == "applied" else clear
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
        joined = _joined(ctx)
        anchor = joined if req.reuse_before == "joining" else start
        anchor_words = "before joining the organisation" if req.reuse_before == "joining" else "before the start date"

        def own(check: VettingCheck) -> bool:
            return check.organisation == ctx.policy.policy

        certificates = [c for c in fitting if _returned(c, as_of)]
        usable = [
            c
            for c in certificates
            if window is None or (req.reuse_before == "joining" and own(c)) or window.elapsed(c.issued_on, anchor) < window.amount  # type: ignore[arg-type]
        ]
        best = max(usable, key=lambda c: (own(c), c.issued_on)) if usable else None
        reused = best is not None and window is not None and not own(best) and best.issued_on < joined  # type: ignore[operator]
        renewed = reused and any(
            c is not best and c.applied_on is not None and best.issued_on < c.applied_on <= as_of for c in ctx.record.vetting if c.scheme == req.scheme  # type: ignore[union-attr, operator]
        )
        owes = req.on_reuse == "new_application_at_start" and reused and not renewed
        days_to_start = (start - as_of).days
        applied = [
            c
            for c in fitting
            if c.applied_on is not None and c.applied_on <= as_of and c.documents_verified and not _returned(c, as_of)
        ]
        review = REVIEW_NONE
        if best is not None and best.review is not None and best.review.decided_on <= as_of:
            review = REVIEW_ACCEPTED if best.review.decision == "accepted" else REVIEW_REFUSED
        def evidence() -> list[Evidence]:  # written when the decision is read
            found: list[Evidence] = []
            if best is not None:
                found.append(
                    Evidence.of(
                        label=f"{req.scheme.upper()} certificate ({best.level.replace('_', ' ')})",
                        value=f"issued {best.issued_on}",
                        threshold=f"{req.level.replace('_', ' ')} or higher" + (f", issued within {window} {anchor_words}" if window else "") + (" (or the organisation's own check)" if req.reuse_before == "joining" else ""),
                        source="vetting",
                    )
                )
            elif certificates:
                oldest = max(certificates, key=lambda c: c.issued_on)  # type: ignore[arg-type, return-value]
                found.append(
                    Evidence.of(label=f"{req.scheme.upper()} certificate", value=f"issued {oldest.issued_on}", threshold=f"issued within {window} before {anchor}", source="vetting")
                )
            if req.reuse_before == "joining":
                found.append(Evidence.of(label="joined the organisation", value=joined.isoformat(), source="roles_held"))
            if req.on_reuse == "new_application_at_start" and reused:
                found.append(Evidence.of(label="new application after reuse", value="recorded" if renewed else "not recorded", threshold=f"at the start ({start})", source="vetting"))
            if applied:
                found.append(Evidence.of(label="check applied for", value=f"applied {applied[0].applied_on}, documents verified", source="vetting"))
            if not found:
                found.append(Evidence.of(label=f"{req.scheme.upper()} check", value="none recorded", threshold=req.level.replace("_", " "), source="vetting"))
            return found

        lapses = None
        if best is not None and window is not None and not applied and anchor >= as_of and not (req.reuse_before == "joining" and own(best)):
            lapses = window.after(best.issued_on)  # type: ignore[arg-type]
        return Derived(
            facts={
                "current": flag(best is not None),
                "disclosure": flag(bool(best and best.disclosure)),
                "review": review,
                "applied": flag(bool(applied)),
                "owes": flag(owes),
                "days_to_start": days_to_start,
            },
            evidence=evidence,
            lapses_on=lapses,
            detail=VettingDetail(
                best=best,
                stale=bool(certificates) and best is None,
                applied=bool(applied),
                joined=joined,
                reused=reused,
                owes=owes,
            ),
            due_on=start if owes and days_to_start >= 0 else None,
            sources=_sources(req.reuse_before == "joining", best is not None or bool(certificates) or (req.on_reuse == "new_application_at_start" and reused) or bool(applied)),
        )

    def form_columns(self, req: Vetting) -> list[str]:
        return [f"check_{part}" for part in ("scheme", "level", "applied_on", "documents_verified", "issued_on", "disclosure", "review", "review_by", "review_on")]

    def describe(self, req: Vetting, policy: Policy) -> str:
        level = LEVEL_NAMES[req.level]
        text = f"{'an' if level[0] in 'aeiou' else 'a'} {level} {SCHEME_NAMES[req.scheme]}, "
        text += "applied for with documents verified" if req.status == "applied" else "with the certificate back"
        if req.reuse_if_issued_within:
            before = "joining the organisation" if req.reuse_before == "joining" else "starting"
            text += f" (a certificate at this level issued within {req.reuse_if_issued_within} before {before} may be reused"
            text += "; the organisation's own check carries over between its roles" if req.reuse_before == "joining" else ""
            text += "; a new application is then owed when the placement begins)" if req.on_reuse == "new_application_at_start" else ")"
        text += "; a disclosure " + ("means the role cannot start" if req.on_disclosure == "bar" else "leads to a risk assessment by managers, not an automatic refusal")
        return text

    def explain(self, req: Vetting, d: Derived[VettingDetail], status: Status, ctx: Context) -> tuple[str, str | None]:
        level = LEVEL_NAMES[req.level]
        what = f"{'an' if level[0] in 'aeiou' else 'a'} {level} {SCHEME_NAMES[req.scheme]}"
        needed = "applied for, with documents verified" if req.status == "applied" else "that has come back"
        asked = f"The role needs {what} {needed}."
        if d.detail.owes:
            since = f"a certificate from elsewhere, issued {long_date(d.detail.best.issued_on)}" if d.detail.best and d.detail.best.issued_on else "a certificate from elsewhere"  # noqa: E501
            if ctx.start >= ctx.as_of:
                return f"{asked} Starting on {since} is allowed; a new application is asked for at the start.", "Complete a new check application at the start of the placement."
            return f"{asked} A new application was due when the placement began ({long_date(ctx.start)}) on {since}; none is recorded.", "Complete a new check application now."
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
                f"{asked} The certificate on record was issued more than {window} {'before joining the organisation' if req.reuse_before == 'joining' else 'before the start date'}, so it cannot be reused.",
                "Complete a new check application and bring identity documents to be verified.",
            )
        lower = sorted({c.level for c in ctx.record.vetting if c.scheme == req.scheme and LEVEL_ORDER[c.level] < LEVEL_ORDER[req.level]})
        if lower:
            levels = ", ".join(level.replace("_", " ") for level in lower)
            return (
                f"{asked} The check on record is at a lower level ({levels}).",
                f"Apply for a check at the {LEVEL_NAMES[req.level]} level; the service can help with the form.",
            )
        if d.detail.applied is False and req.status == "applied":
            return f"{asked} No application is recorded yet.", "Complete the check application form and bring identity documents to be verified."
        return f"{asked} No check is recorded yet.", "Complete the check application form and bring identity documents to be verified."


__all__ = ["LEVEL_ORDER", "SCHEME_JURISDICTION", "Level", "Scheme", "Vetting", "VettingKind", "long_date", "names"]
