"""The "what the service owes" section of a decision's text: addressed to the service, never to the person.

Kept apart from ``render`` so that the person's part of the text and the service's part each have one home.
"""

from __future__ import annotations

from pathrules.decision import Decision
from pathrules.kinds.base import long_date

_MARKS = {"met": "[in place]", "behind": "[service behind]"}


def duty_lines(decision: Decision) -> list[str]:
    """Lines for ``decision.service_owes`` (none when the role lists no duties or the person is not in post)."""
    if not decision.service_owes:
        return []
    lines = ["", "What the service owes (for the service to act on; this never changes the outcome above):"]
    for duty in decision.service_owes:
        lines.append(f"  {_MARKS[duty.status]} {duty.id}: {duty.duty}.")
        if duty.status == "behind":
            since = f" since {long_date(duty.since)}" if duty.since else ""
            lines.append(f"      behind{since}: {duty.reason}")
            if duty.next_step:
                lines.append(f"      the service: {duty.next_step}")
    return lines


def person_duty_lines(decision: Decision) -> list[str]:
    """For the person's letter: only what the service is behind on, in plain words, and that it is not theirs to fix."""
    behind = [d for d in decision.service_owes if d.status == "behind"]
    if not behind:
        return []
    lines = ["", "What the service owes you (the service's to put right; it does not change anything above):"]
    for duty in behind:
        since = f", since {long_date(duty.since)}" if duty.since else ""
        lines.append(f"  - {duty.because or duty.duty[:1].upper() + duty.duty[1:] + '.'} This is not in place yet{since}.")
    return lines
