"""The words for outcomes and statuses, in one place: their order, labels, headings, markers, colours.

Every table keyed by an outcome or a status (text headings, plain markers, terminal symbols and
colours, exit codes, what a requirement status means for the outcome, which gaps come first in next
steps) reads from here, so that two tables can never disagree.

Headings depend on the stage: someone already in post is never told about "starting" (they
continue, put something right, or are reviewed), and a progression speaks of moving to the new role.
Nothing here reads as a blanket ban: an ``ineligible`` decision says what this policy does not offer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Outcome = Literal["eligible", "conditional", "pending", "not_yet", "review", "ineligible"]
Status = Literal["met", "owed", "pending", "not_met", "review", "blocked"]
DecisionStage = Literal["entry", "continuation", "progression"]


@dataclass(frozen=True)
class OutcomeWords:
    """How one outcome is ranked, coloured, signalled to a shell, and headed at each stage."""

    colour: str
    exit_code: int
    pathway_group: int
    entry: str
    continuation: str
    progression: str


@dataclass(frozen=True)
class StatusWords:
    """How one requirement status reads, what it means for the outcome, and how urgent it is."""

    word: str
    marker: str
    symbol: str
    colour: str
    outcome: Outcome
    attention: int  # 0 first: the order of next steps


# Worst last: the order is the precedence (see docs/decisions.md).
OUTCOMES: dict[Outcome, OutcomeWords] = {
    "eligible": OutcomeWords("32", 0, 0, "Can start", "Can continue in the role", "Can move to the new role"),
    "conditional": OutcomeWords("33", 20, 0, "Can start, with conditions", "Can continue, with conditions", "Can move, with conditions"),
    "pending": OutcomeWords("36", 21, 1, "Waiting on an outside process", "Continuing; waiting on an outside process", "Waiting on an outside process"),
    "review": OutcomeWords("35", 23, 2, "Needs a manager's review", "Needs a manager's review", "Needs a manager's review"),
    "not_yet": OutcomeWords("31", 22, 3, "Not yet", "Something to put right", "Not yet ready to move"),
    "ineligible": OutcomeWords("90", 24, 5, "Not offered under this policy", "Not offered under this policy", "This move is not offered under this policy"),
}
OUTCOME_ORDER: tuple[Outcome, ...] = tuple(OUTCOMES)
_RANKS: dict[Outcome, int] = {outcome: index for index, outcome in enumerate(OUTCOME_ORDER)}

STATUSES: dict[Status, StatusWords] = {
    "met": StatusWords("met", "[met]", "✓", "32", "eligible", 5),
    "owed": StatusWords("owed", "[owed]", "◷", "33", "conditional", 4),
    "pending": StatusWords("waiting", "[waiting]", "…", "36", "pending", 3),
    "not_met": StatusWords("to do", "[to do]", "✗", "31", "not_yet", 2),
    "review": StatusWords("review", "[review]", "?", "35", "review", 1),
    "blocked": StatusWords("not offered", "[not offered]", "■", "90", "ineligible", 0),
}
STATUS_ORDER: tuple[Status, ...] = tuple(STATUSES)


def heading(outcome: Outcome, stage: DecisionStage) -> str:
    """The first words of a decision: what it means at this stage."""
    words = OUTCOMES[outcome]
    return {"entry": words.entry, "continuation": words.continuation, "progression": words.progression}[stage]


def rank(outcome: Outcome) -> int:
    """0 for eligible up to 5 for ineligible."""
    return _RANKS[outcome]


def worse(a: Outcome, b: Outcome) -> Outcome:
    return a if _RANKS[a] >= _RANKS[b] else b


def worst(statuses: Iterable[Status]) -> Outcome:
    """The outcome requirements with these statuses point to together (``eligible`` for none)."""
    found: Outcome = "eligible"
    top = 0
    for status in statuses:
        outcome = STATUSES[status].outcome
        if _RANKS[outcome] > top:
            found, top = outcome, _RANKS[outcome]
    return found
