"""The "what the service owes" section of a decision's text: addressed to the service, never to the person.

Kept apart from ``render`` so that the person's part of the text and the service's part each have one home.
"""

from __future__ import annotations

from pathrules.decision import Decision
from pathrules.kinds.base import long_date

_MARKS = {"met": "[in place]", "behind": "[service behind]"}


def _who(role: str) -> str:
    return "the " + role.replace("-", " ")


def waiting_lines(decision: Decision) -> list[str]:
    """Decisions the service owes a candidate: who decides, since when, by when."""
    lines: list[str] = []
    for wait in decision.waiting_on_service:
        if wait.status == "decided" and wait.decided_on:
            state = f"decided on {long_date(wait.decided_on)}"
        else:
            state = f"waiting since {long_date(wait.since)}, due by {long_date(wait.due)}" + (" — OVERDUE" if wait.status == "overdue" else "")
        second = f" (a refusal goes to {_who(wait.second_opinion)} for a second opinion)" if wait.second_opinion else ""
        lines.append(f"  - {wait.id}: {_who(wait.decided_by)} decides {wait.what}{second}: {state}.")
    return ["", "Waiting on the service:", *lines] if lines else []


def duty_lines(decision: Decision) -> list[str]:
    """Lines for ``decision.service_owes`` (none when the role lists no duties or the person is not in post)."""
    if not decision.service_owes:
        return waiting_lines(decision)
    lines = [*waiting_lines(decision), "", "What the service owes (for the service to act on; this never changes the outcome above):"]
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
    lines: list[str] = []
    for wait in decision.waiting_on_service:
        if wait.status != "decided":
            late = " It is overdue: the delay is the service's, not yours." if wait.status == "overdue" else ""
            lines.append(f"  - {_who(wait.decided_by).capitalize()} is to decide {wait.what} by {long_date(wait.due)}.{late}")
    lines = ["", "Waiting on the service (nothing for you to do):", *lines] if lines else []
    behind = [d for d in decision.service_owes if d.status == "behind" and d.kind != "decision_deadline"]
    if not behind:
        return lines
    lines += ["", "What the service owes you (the service's to put right; it does not change anything above):"]
    for duty in behind:
        since = f", since {long_date(duty.since)}" if duty.since else ""
        lines.append(f"  - {duty.because or duty.duty[:1].upper() + duty.duty[1:] + '.'} This is not in place yet{since}.")
    return lines


def stage_lines(decision: Decision, person: bool = False) -> list[str]:
    """The stage reached in a staged role and what the next stage needs."""
    stage = decision.role_stage
    if stage is None:
        return []
    if stage.current and stage.signed_off_on:
        at = f"{stage.title}, signed off by the {(stage.signed_off_by or '').replace('-', ' ')} on {long_date(stage.signed_off_on)}"
    else:
        at = "no stage signed off yet"
    lines = ["", f"{'Your stage' if person else 'Stage'}: {at}."]
    if stage.unlocked:
        lines.append("  Unlocked so far: " + ", ".join(a.replace("-", " ") for a in stage.unlocked) + ".")
    lines.append(f"  Next: {stage.next_needs}" if stage.next_needs else "  This is the last stage.")
    return lines
