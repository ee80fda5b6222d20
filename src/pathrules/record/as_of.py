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
import itertools
import operator
from collections.abc import Callable
from typing import Any

from pathrules.record.dated import LONG, Dated, dated_within
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


_DATED: dict[str, Callable[[Any], _dt.date]] = {  # lists of events kept when dated by the day
    "substance_use": operator.attrgetter("last_use"),
    "qualifications": operator.attrgetter("completed_on"),
    "training": operator.attrgetter("completed_on"),
    "competencies": operator.attrgetter("signed_off_on"),
    "stage_sign_offs": operator.attrgetter("signed_off_on"),
    "approvals": operator.attrgetter("approved_on"),
    "supervision": lambda day: day,
}
_INDEXED = frozenset({"training", "qualifications"})  # lists whose days a reader takes from the view (kinds.base.latest_per_id)
_SEEN_AS_OF: dict[str, Callable[[Any, _dt.date], Any]] = {  # lists of facts shown as they were on the day (None: not yet)
    "prescribed_medication": _medication,
    "vetting": _vetting,
    "references": _reference,
    "roles_held": _spell,
}


def as_it_stood(record: Record, day: _dt.date) -> Record:
    """``record`` with only what had happened by the end of ``day``; the record itself when nothing in it
    happened later and no training or qualification list is long, as is usual (a long one is kept as
    ``Dated``, with its entries' days)."""
    held = record.__dict__
    update: dict[str, Any] = {}
    for name, dated in _DATED.items():
        items = held[name]
        if len(items) >= LONG and name in _INDEXED:
            update[name] = dated_within(items, dated, day)
        elif items and max(map(dated, items)) > day:
            update[name] = list(itertools.compress(items, map(day.__ge__, map(dated, items))))
    for name, seen_on in _SEEN_AS_OF.items():
        items = held[name]
        if items:
            seen = list(map(seen_on, items, itertools.repeat(day)))
            if any(map(operator.is_not, items, seen)):  # in C: most entries are shown as they are
                update[name] = _kept(seen)
    treatment = _treatment(record.treatment, day)
    if treatment is not record.treatment:
        update["treatment"] = treatment
    if record.identity is not None and record.identity.seen_in_person_on > day:
        update["identity"] = None
    return record.model_copy(update=update) if update else record
