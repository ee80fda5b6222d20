"""A decision as text for one of two audiences, or as JSON for a program.

* ``staff`` (the default): every requirement with its id, reason, the policy's ``because``, next
  steps and dates; ids are allowed, this is the working view.
* ``person``: the plain letter to the person the decision is about (``Decision.letter``): what they
  can do now, what is still needed and by when, the date they can start if nothing else changes, who
  may agree an exception and how to ask. No ids, no jargon, no blame (docs/decision-text.md).

Words for outcomes and statuses come from ``pathrules.vocabulary``. Colour and symbols are for
terminals only; piped output is plain.
"""

from __future__ import annotations

import json
from typing import Literal

from pathrules.decision import Decision, Letter, Owed, RequirementResult
from pathrules.evaluation.render_duties import duty_lines, person_duty_lines, stage_lines
from pathrules.kinds.base import long_date
from pathrules.vocabulary import OUTCOMES, STATUSES, Status, heading

Audience = Literal["staff", "person"]


def _paint(text: str, code: str, color: bool) -> str:
    return f"\033[{code}m{text}\033[0m" if color else text


def _marker(status: Status, color: bool) -> str:
    words = STATUSES[status]
    return _paint(words.symbol, words.colour, True) if color else words.marker


def _requirement_lines(result: RequirementResult, color: bool, *, in_post: bool = False) -> list[str]:
    lines = [f"  {_marker(result.status, color)} {result.id}: {result.reason}"]
    # an entry rule's `because` explains why it comes before starting: beside someone in post it misleads
    if result.because and result.status != "met" and not (in_post and result.stage == "entry"):
        lines.append(f"      why: {result.because.strip()}")
    if result.next_step and result.status != "met":
        lines.append(f"      next: {result.next_step}")
    if result.decided_by:
        lines.append(f"      exception: the {result.decided_by.replace('-', ' ')} may agree one (record it as an override, with who and why)")
    if result.valid_until:
        lines.append(f"      holds until: {long_date(result.valid_until)}")
    return lines


def _owed_line(owed: Owed) -> str:
    line = f"  - {owed.requirement}: {owed.what} (due {long_date(owed.due)})"
    if owed.in_hand:
        line += f"; in hand: {owed.in_hand}"
    if not owed.can_be_met_in_time and owed.earliest is not None:
        line += f"; cannot be met by {long_date(owed.due)}: time alone meets it on {long_date(owed.earliest)}"
    return line


def _dates(decision: Decision) -> list[str]:
    lines = []
    if decision.eligible_from and decision.outcome == "not_yet":
        lines.append(f"Eligible from: {long_date(decision.eligible_from)}, if nothing else changes.")
    elif decision.time_gaps_close_on:
        lines.append(f"Time-based requirements are all met from {long_date(decision.time_gaps_close_on)}.")
    if decision.eligible_until:
        if decision.stage == "entry":
            lines.append(f"Start by: {long_date(decision.eligible_until)} (after that, something on record goes out of date).")
        else:
            lines.append(f"Holds until: {long_date(decision.eligible_until)} (after that, something on record goes out of date).")
    return lines


def _staff_text(decision: Decision, color: bool) -> str:
    who = f"{decision.person} — {decision.target.title}"
    if decision.target.from_role:
        who += f" (from {decision.target.from_role})"
    lines = [
        _paint(f"{heading(decision.outcome, decision.stage)}: {who}", OUTCOMES[decision.outcome].colour + ";1", color),
        decision.summary,
        "",
        f"As of {long_date(decision.as_of)}, policy {decision.policy.id} version {decision.policy.version} ({decision.policy.organisation}).",
        *_dates(decision),
        "",
        "Requirements:",
    ]
    for result in decision.requirements:
        lines += _requirement_lines(result, color, in_post=decision.stage == "continuation")
    if decision.conditions:
        lines += ["", "Owed after starting:" if decision.stage == "entry" else "Owed:"]
        lines += [_owed_line(c) for c in decision.conditions]
    if decision.activities:
        lines += ["", "Activities:"]
        for activity in decision.activities:
            mark = _marker("met" if activity.allowed else "not_met", color)
            lines.append(f"  {mark} {activity.title or activity.id}: {activity.reason}")
    if decision.never:
        lines += ["", "Never part of this role: " + ", ".join(n.replace("-", " ") for n in decision.never) + "."]
    if decision.next_steps:
        lines += ["", "Next steps:"]
        lines += [f"  {i}. {step}" for i, step in enumerate(decision.next_steps, 1)]
    lines += stage_lines(decision)
    lines += duty_lines(decision)
    return "\n".join(lines) + "\n"


def _letter_text(letter: Letter, color: bool) -> str:
    lines = [_paint(letter.heading, "1", color), letter.summary]
    if letter.can_do_now:
        lines += ["", "What you can do now:", *(f"  - {item}" for item in letter.can_do_now)]
    if letter.still_needed:
        lines += ["", "What is still needed:", *(f"  - {item}" for item in letter.still_needed)]
    if letter.when:
        lines += ["", letter.when]
    if letter.exceptions or letter.how_to_ask:
        lines += ["", "Who decides:", *(f"  {item}" for item in letter.exceptions)]
        if letter.how_to_ask:
            lines.append(f"  {letter.how_to_ask}")
    if letter.other_roles:
        lines += ["", letter.other_roles]
    return "\n".join(lines) + "\n"


def render_text(decision: Decision, *, color: bool = False, audience: Audience = "staff") -> str:
    """The decision as text: the staff view (default) or the plain letter to the person."""
    if audience == "person":
        if decision.letter is None:
            raise ValueError("this decision has no letter (it was made by an older pathrules); evaluate it again")
        owed = stage_lines(decision, person=True) + person_duty_lines(decision)
        return _letter_text(decision.letter, color) + ("\n".join(owed) + "\n" if owed else "")
    return _staff_text(decision, color)


def to_json(decision: Decision, *, indent: int | None = 2) -> str:
    return json.dumps(decision.to_json_data(), indent=indent, ensure_ascii=False)
