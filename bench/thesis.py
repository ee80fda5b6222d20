"""The benchmark's workload: the thesis policy's peer-mentor role (bench/thesis-policy.yaml) over generated records.

Every contender gets the same facts (``derive``: plain Python over the record, the least any
integration must do), decides each requirement's status from them, and the outcome follows from the
statuses (``outcome``). ``hand_written`` is the baseline: derivations and decisions as plain code.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pathrules
from pathrules.durations import elapsed

AS_OF = dt.date(2026, 11, 23)
ROLE = "peer-mentor"
ELEARNING = (
    "elearning-data-protection",
    "elearning-health-and-safety",
    "elearning-equality-diversity",
    "elearning-safeguarding",
    "elearning-infection-control",
)
APPROVERS = ("service-manager", "operations-manager", "volunteer-services")
# requirement ids in the decision's order (entry requirements, then each activity's)
MAIN = ("free-from-use", "may-be-in-treatment", "peer-mentoring-training", "level-2-award", "dbs-form", "declaration-and-risk-assessment", "identity", "mandatory-elearning")
ACTIVITIES = {"one-to-one-unsupervised": ("dbs-returned",), "lead-smart-groups": ("smart-training",)}
REQUIREMENTS = MAIN + tuple(r for reqs in ACTIVITIES.values() for r in reqs)
_OUTCOME = {"met": "eligible", "owed": "conditional", "pending": "pending", "not_met": "not_yet", "review": "review", "blocked": "ineligible"}
_ORDER = ("eligible", "conditional", "pending", "review", "not_yet", "ineligible")
LEVELS = {"basic": 1, "standard": 2, "enhanced": 3, "enhanced_barred": 4}


def record_data(rng: random.Random, index: int, extra_training: int = 0) -> dict[str, Any]:
    """One person's record: most things usually there, each sometimes missing, late or in the future."""
    day = lambda span: AS_OF - dt.timedelta(days=rng.randint(-5, span))  # noqa: E731 - a few in the future
    data: dict[str, Any] = {"person": f"p{index}", "date_of_birth": dt.date(rng.randint(1960, 2006), rng.randint(1, 12), rng.randint(1, 28))}
    if rng.random() < 0.3:
        data["proposed_start"] = AS_OF + dt.timedelta(days=rng.randint(0, 60))
    uses = [{"substance": "illicit-drugs", "last_use": day(400)}]
    if rng.random() < 0.9:
        uses.append({"substance": "alcohol", "last_use": day(300)})
    elif rng.random() < 0.5:
        data["substances_never_used"] = ["alcohol"]
    data["substance_use"] = uses
    if rng.random() < 0.9:
        status = rng.choice(["never", "in_treatment", "completed"])
        data["treatment"] = {"status": status, **({"discharged_on": day(300)} if status == "completed" else {})}
    training = [{"id": m, "completed_on": day(200)} for m in ("peer-mentoring-training", *ELEARNING, "smart-training") if rng.random() < 0.96]
    training += [{"id": f"other-module-{i}", "completed_on": day(900)} for i in range(extra_training)]
    data["training"] = training
    if rng.random() < 0.8:
        data["qualifications"] = [{"id": "level-2-award-peer-mentoring", "completed_on": day(200)}]
    vetting: dict[str, Any] = {"scheme": "dbs", "level": rng.choice(["standard", "enhanced", "enhanced", "enhanced_barred"]), "applied_on": day(120), "documents_verified": rng.random() < 0.9}
    if rng.random() < 0.5:
        vetting["issued_on"] = vetting["applied_on"] + dt.timedelta(days=rng.randint(5, 60))
        vetting["disclosure"] = rng.random() < 0.15
        if vetting["disclosure"] and rng.random() < 0.6:
            vetting["review"] = {"decision": rng.choice(["accepted", "accepted", "refused"]), "by": "manager", "decided_on": vetting["issued_on"] + dt.timedelta(days=5)}
    data["vetting"] = [vetting] if rng.random() < 0.9 else []
    data["approvals"] = [{"item": "declaration-and-risk-assessment", "approver": who, "approved_on": day(90)} for who in APPROVERS if rng.random() < 0.96]
    if rng.random() < 0.9:
        data["identity"] = {"seen_in_person_on": day(90)}
    return data


def make_records(count: int, seed: int = 14, extra_training: int = 0) -> list[pathrules.Record]:
    rng = random.Random(seed)
    return [pathrules.load_record(record_data(rng, i, extra_training)) for i in range(count)]


# ---- the facts every contender decides on ------------------------------------------------------


def _held(record: pathrules.Record, modules: tuple[str, ...]) -> int:
    done = {t.id for t in record.training if t.completed_on <= AS_OF}
    return sum(1 for m in modules if m in done)


def _vetting(record: pathrules.Record, start: dt.date, reuse_months: int | None) -> dict[str, int]:
    fitting = [c for c in record.vetting if c.scheme == "dbs" and LEVELS[c.level] >= LEVELS["enhanced"]]
    returned = lambda c: c.issued_on is not None and c.issued_on <= AS_OF and c.disclosure is not None  # noqa: E731
    usable = [c for c in fitting if returned(c) and (reuse_months is None or elapsed(c.issued_on, start, "months") < reuse_months)]  # type: ignore[arg-type]
    best = max(usable, key=lambda c: c.issued_on) if usable else None  # type: ignore[arg-type, return-value]
    applied = any(c.applied_on is not None and c.applied_on <= AS_OF and c.documents_verified and not returned(c) for c in fitting)
    review = 0
    if best is not None and best.review is not None and best.review.decided_on <= AS_OF:
        review = 1 if best.review.decision == "accepted" else 2
    return {"current": int(best is not None), "disclosure": int(bool(best and best.disclosure)), "review": review, "applied": int(applied)}


def derive(record: pathrules.Record) -> dict[str, dict[str, int]]:
    """Each requirement's facts, by requirement id (what pathrules' kinds derive, less the explanations)."""
    start = max(AS_OF, record.proposed_start) if record.proposed_start else AS_OF
    covered = {u.substance for u in record.substance_use if u.last_use <= AS_OF} | set(record.substances_never_used)  # as it stood on the day
    dates = [u.last_use for u in record.substance_use if u.last_use <= AS_OF and u.substance in ("illicit-drugs", "alcohol")]
    last = max(dates) if dates else None
    treatment = record.treatment
    approved = {a.approver for a in record.approvals if a.item == "declaration-and-risk-assessment" and a.approved_on <= AS_OF}
    return {
        "free-from-use": {
            "recorded": int("illicit-drugs" in covered and "alcohol" in covered),
            "has_use": int(last is not None),
            "elapsed": elapsed(last, AS_OF, "months") if last else 0,
        },
        "may-be-in-treatment": {"recorded": int(treatment is not None)},
        "peer-mentoring-training": {"held": _held(record, ("peer-mentoring-training",))},
        "level-2-award": {"held": int(any(q.id == "level-2-award-peer-mentoring" and q.completed_on <= AS_OF for q in record.qualifications))},
        "dbs-form": _vetting(record, start, 6),
        "declaration-and-risk-assessment": {"approved": len(approved & set(APPROVERS))},
        "identity": {"seen": int(record.identity is not None and record.identity.seen_in_person_on <= AS_OF)},
        "mandatory-elearning": {"held": _held(record, ELEARNING)},
        "dbs-returned": _vetting(record, start, None),
        "smart-training": {"held": _held(record, ("smart-training",))},
    }


def _vetting_status(f: dict[str, int], applied_is_enough: bool) -> str:
    disclosed = f["current"] == 1 and f["disclosure"] == 1
    if disclosed and f["review"] == 2:
        return "blocked"
    if (f["current"] == 1 and (f["disclosure"] == 0 or f["review"] == 1)) or (applied_is_enough and f["applied"] == 1):
        return "met"
    if disclosed and f["review"] == 0:
        return "review"
    if not applied_is_enough and f["applied"] == 1:
        return "pending"
    return "not_met"


def statuses(facts: dict[str, dict[str, int]]) -> dict[str, str]:
    """The hand-written decisions: each requirement's status from its facts."""
    free = facts["free-from-use"]
    met = lambda ok: "met" if ok else "not_met"  # noqa: E731
    return {
        "free-from-use": "met" if free["recorded"] == 1 and (free["has_use"] == 0 or free["elapsed"] >= 3) else "not_met",  # discretionary: not met, with who may agree an exception
        "may-be-in-treatment": met(facts["may-be-in-treatment"]["recorded"] == 1),
        "peer-mentoring-training": met(facts["peer-mentoring-training"]["held"] >= 1),
        "level-2-award": met(facts["level-2-award"]["held"] >= 1),
        "dbs-form": _vetting_status(facts["dbs-form"], True),
        "declaration-and-risk-assessment": met(facts["declaration-and-risk-assessment"]["approved"] >= 3),
        "identity": met(facts["identity"]["seen"] == 1),
        "mandatory-elearning": met(facts["mandatory-elearning"]["held"] >= 5),
        "dbs-returned": _vetting_status(facts["dbs-returned"], False),
        "smart-training": met(facts["smart-training"]["held"] >= 1),
    }


def outcome(status: dict[str, str]) -> str:
    """The worst outcome of the entry requirements; eligible becomes conditional when an activity waits."""
    worst = max((_OUTCOME[status[r]] for r in MAIN), key=_ORDER.index)
    if worst == "eligible" and any(status[r] != "met" for reqs in ACTIVITIES.values() for r in reqs):
        return "conditional"
    return worst


def hand_written(record: pathrules.Record) -> tuple[dict[str, str], str]:
    status = statuses(derive(record))
    return status, outcome(status)


def of_decision(decision: pathrules.Decision) -> tuple[dict[str, str], str]:
    """A pathrules Decision in the same shape: every requirement's status, and the outcome."""
    status = {r.id: r.status for r in decision.requirements}
    status.update({r.id: r.status for a in decision.activities for r in a.requirements})
    return status, decision.outcome
