"""A decision as plain text for a person, or as JSON for a program.

The text is read by people in recovery: it says what is needed and how to get there, and never
labels the person. Colour and symbols are for terminals only; piped output is plain.
"""

from __future__ import annotations

import json
from typing import Any

from pathrules.decision import Decision, RequirementResult
from pathrules.evaluation.render_duties import duty_lines
from pathrules.kinds.base import long_date

HEADINGS = {
    "eligible": "Can start",
    "conditional": "Can start, with conditions",
    "pending": "Waiting on an outside process",
    "not_yet": "Not yet",
    "review": "Needs a manager's review",
    "ineligible": "Not possible under this policy",
}
_PLAIN = {"met": "[met]", "owed": "[owed]", "pending": "[waiting]", "not_met": "[to do]", "review": "[review]", "blocked": "[not possible]"}
_SYMBOLS = {"met": "✓", "owed": "◷", "pending": "…", "not_met": "✗", "review": "?", "blocked": "■"}
_COLOURS = {"met": "32", "owed": "33", "pending": "36", "not_met": "31", "review": "35", "blocked": "31"}
_OUTCOME_COLOURS = {"eligible": "32", "conditional": "33", "pending": "36", "not_yet": "31", "review": "35", "ineligible": "31"}


def _paint(text: str, code: str, color: bool) -> str:
    return f"\033[{code}m{text}\033[0m" if color else text


def _marker(status: str, color: bool) -> str:
    if not color:
        return _PLAIN[status]
    return _paint(_SYMBOLS[status], _COLOURS[status], True)


def _requirement_lines(result: RequirementResult, color: bool) -> list[str]:
    lines = [f"  {_marker(result.status, color)} {result.id}: {result.reason}"]
    if result.because and result.status != "met":
        lines.append(f"      why: {result.because}")
    if result.next_step and result.status != "met":
        lines.append(f"      next: {result.next_step}")
    if result.valid_until:
        lines.append(f"      holds until: {long_date(result.valid_until)}")
    return lines


def render_text(decision: Decision, *, color: bool = False) -> str:
    """The decision for a person to read: outcome first, then each requirement, next steps, dates."""
    heading = HEADINGS[decision.outcome]
    who = f"{decision.person} — {decision.target.title}"
    if decision.target.from_role:
        who += f" (from {decision.target.from_role})"
    lines = [
        _paint(f"{heading}: {who}", _OUTCOME_COLOURS[decision.outcome] + ";1", color),
        decision.summary,
        "",
        f"As of {long_date(decision.as_of)}, policy {decision.policy.id} version {decision.policy.version} ({decision.policy.organisation}).",
    ]
    if decision.eligible_from and decision.outcome == "not_yet":
        lines.append(f"Eligible from: {long_date(decision.eligible_from)}, if nothing else changes.")
    elif decision.time_gaps_close_on:
        lines.append(f"Time-based requirements are all met from {long_date(decision.time_gaps_close_on)}.")
    if decision.eligible_until:
        lines.append(f"Start by: {long_date(decision.eligible_until)} (after that, something on record goes out of date).")
    lines += ["", "Requirements:"]
    for result in decision.requirements:
        lines += _requirement_lines(result, color)
    if decision.conditions:
        lines += ["", "Owed after starting:"]
        lines += [f"  - {c.requirement}: {c.what} (due {long_date(c.due)})" for c in decision.conditions]
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
    lines += duty_lines(decision)
    return "\n".join(lines) + "\n"


def to_json_data(decision: Decision) -> dict[str, Any]:
    return decision.to_json_data()


def to_json(decision: Decision, *, indent: int | None = 2) -> str:
    return json.dumps(decision.to_json_data(), indent=indent, ensure_ascii=False)
