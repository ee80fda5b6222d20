"""The one-line summary of a decision, in the words of its stage.

Someone applying *starts*; someone already in post *continues* (or has something to put right, or is
reviewed) and is never told about starting; a progression *moves* to the new role. An ``ineligible``
summary says what this policy does not offer rather than reading as a ban on the person.
"""

from __future__ import annotations

import datetime as _dt

from pathrules.decision import ActivityResult, RequirementResult
from pathrules.kinds.base import long_date
from pathrules.vocabulary import DecisionStage, Outcome


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _conditions(main: list[RequirementResult], activities: list[ActivityResult], stage: DecisionStage) -> str:
    owed = [r for r in main if r.status == "owed"]
    held_back = [a for a in activities if not a.allowed]
    parts = []
    if owed:
        after = "after starting" if stage == "entry" else ("after moving" if stage == "progression" else "by its due date")
        parts.append(f"{_count(len(owed), 'thing', 'things')} to complete {after}")
    if held_back:
        parts.append(f"{_count(len(held_back), 'activity', 'activities')} not yet allowed")
    return " and ".join(parts)


def summary(
    outcome: Outcome,
    stage: DecisionStage,
    title: str,
    main: list[RequirementResult],
    activities: list[ActivityResult],
    eligible_from: _dt.date | None,
    from_title: str | None = None,
) -> str:
    """What the decision means, in one sentence, for this stage."""
    open_items = [r for r in main if r.status not in ("met", "owed")]
    things = _count(len(open_items), "requirement", "requirements")
    blocked = _count(len([r for r in main if r.status == "blocked"]), "requirement", "requirements")
    when = f"; if nothing else changes, from {long_date(eligible_from)}" if eligible_from and outcome == "not_yet" else ""
    if stage == "continuation" and when:
        when = f"; if nothing else changes, all in place from {long_date(eligible_from)}"  # type: ignore[arg-type]
    deciders = sorted({r.decided_by.replace("-", " ") for r in main if r.decided_by})
    change = "an earlier start" if stage == "entry" else "an exception"
    exception = f" The {' or the '.join(deciders)} may agree {change}." if deciders else ""
    none_here = f"{blocked} cannot be met here"
    move = f"from {from_title} to {title}" if from_title else f"to {title}"
    if stage == "continuation":
        return {
            "eligible": f"Continues as {title}: everything the role asks while in post is in place.",
            "conditional": f"Continues as {title}, with {_conditions(main, activities, stage)}.",
            "pending": f"Continues as {title}; waiting on an outside process (a check or a reference).",
            "review": f"A manager needs to review part of continuing as {title}.",
            "not_yet": f"Continuing as {title}: {things} to put right with the service{when}.{exception}",
            "ineligible": f"This policy does not offer continuing as {title} past this point ({none_here}); talk with the service about the next step and other roles.",
        }[outcome]
    if stage == "progression":
        return {
            "eligible": f"Can move {move}: every requirement is met.",
            "conditional": f"Can move {move}, with {_conditions(main, activities, stage)}.",
            "pending": f"Waiting on an outside process before moving {move} (a check or a reference).",
            "review": f"A manager needs to review part of this move {move}.",
            "not_yet": f"Not yet ready to move {move}: {things} still to meet{when}.{exception}",
            "ineligible": f"This policy does not offer the move {move} on this record ({none_here}); other roles may fit.",
        }[outcome]
    return {
        "eligible": f"Can start as {title}: every requirement is met.",
        "conditional": f"Can start as {title}, with {_conditions(main, activities, stage)}.",
        "pending": f"Waiting on an outside process before starting as {title} (a check or a reference).",
        "review": f"A manager needs to review part of this application for {title} before a decision.",
        "not_yet": f"Not yet able to start as {title}: {things} still to meet{when}.{exception}",
        "ineligible": f"This policy does not offer {title} on this record ({none_here}); other roles or services may fit.",
    }[outcome]
