"""The record as it stood on a day: the one place where "as of" is enforced.

A decision "as of" a date may use only what had happened by that date, so that audit replay and
`pathrules diff` see the past as it was. Rather than each requirement kind remembering to skip later
events (and one forgetting), the evaluator hands every kind this view: events dated after the day
are gone, and facts that changed after it are shown as they were (a discharge not yet happened is
still treatment; a certificate not yet issued is an application; a spell that ends later is ongoing).

Undated facts (date of birth, a proposed start, declared attributes, substances never used) are
kept: they are not events.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from pathrules.record.model import (
    PrescribedMedication,
    Record,
    Reference,
    RoleSpell,
    TreatmentEpisode,
    VettingCheck,
)


def _by(day: _dt.date, value: _dt.date | None) -> _dt.date | None:
    """The date if it had happened by ``day``, else nothing."""
    return value if value is not None and value <= day else None


def _medication(item: PrescribedMedication, day: _dt.date) -> PrescribedMedication | None:
    if item.started_on > day:
        return None
    return item if _by(day, item.ended_on) == item.ended_on else item.model_copy(update={"ended_on": None})


def _treatment(episode: TreatmentEpisode | None, day: _dt.date) -> TreatmentEpisode | None:
    if episode is None or episode.discharged_on is None or episode.discharged_on <= day:
        return episode
    # discharged later: on this day the person was still in treatment
    status = "in_treatment" if episode.status == "completed" else episode.status
    return episode.model_copy(update={"status": status, "discharged_on": None})


def _vetting(check: VettingCheck, day: _dt.date) -> VettingCheck | None:
    if check.applied_on is None and check.issued_on is None:
        return check  # an undated entry: nothing to hide
    applied = _by(day, check.applied_on)
    issued = _by(day, check.issued_on)
    if applied == check.applied_on and issued == check.issued_on and (check.review is None or check.review.decided_on <= day):
        return check  # everything about it had happened by then: shown as it is
    if applied is None and issued is None:
        return None  # nothing about this check had happened yet
    review = check.review if issued is not None and check.review is not None and check.review.decided_on <= day else None
    return check.model_copy(
        update={
            "applied_on": applied,
            "documents_verified": check.documents_verified if applied is not None or issued is not None else False,
            "issued_on": issued,
            "disclosure": check.disclosure if issued is not None else None,
            "review": review,
        }
    )


def _reference(ref: Reference, day: _dt.date) -> Reference | None:
    dates = (ref.requested_on, ref.received_on, ref.approved_on)
    if any(d is not None for d in dates) and all(d is None or d > day for d in dates):
        return None  # every step of this reference came later
    if all(d is None or d <= day for d in dates):
        return ref  # every step had happened by then
    return ref.model_copy(
        update={"requested_on": _by(day, ref.requested_on), "received_on": _by(day, ref.received_on), "approved_on": _by(day, ref.approved_on)}
    )


def _spell(spell: RoleSpell, day: _dt.date) -> RoleSpell | None:
    if spell.started_on > day:
        return None
    return spell if _by(day, spell.ended_on) == spell.ended_on else spell.model_copy(update={"ended_on": None})


def _kept(items: list[object | None]) -> list[object]:
    return [item for item in items if item is not None]


def as_it_stood(record: Record, day: _dt.date) -> Record:
    """``record`` with only what had happened by the end of ``day``; the record itself (and its cached
    digest) when nothing in it happened later, as is usual."""
    update: dict[str, Any] = {
            "substance_use": [u for u in record.substance_use if u.last_use <= day],
            "prescribed_medication": _kept([_medication(m, day) for m in record.prescribed_medication]),
            "treatment": _treatment(record.treatment, day),
            "vetting": _kept([_vetting(c, day) for c in record.vetting]),
            "qualifications": [c for c in record.qualifications if c.completed_on <= day],
            "training": [c for c in record.training if c.completed_on <= day],
            "competencies": [c for c in record.competencies if c.signed_off_on <= day],
            "stage_sign_offs": [s for s in record.stage_sign_offs if s.signed_off_on <= day],
            "references": _kept([_reference(r, day) for r in record.references]),
            "approvals": [a for a in record.approvals if a.approved_on <= day],
            "identity": record.identity if record.identity is not None and record.identity.seen_in_person_on <= day else None,
            "roles_held": _kept([_spell(s, day) for s in record.roles_held]),
            "supervision": [d for d in record.supervision if d <= day],
        }
    held = record.__dict__
    if all(_same(held[name], value) for name, value in update.items()):
        return record
    return record.model_copy(update=update)


def _same(before: object, after: object) -> bool:
    """Whether the as-of view left a field as it was (the same items, not copies)."""
    if isinstance(before, list) and isinstance(after, list):
        return len(before) == len(after) and all(a is b for a, b in zip(before, after))
    return before is after
