"""Time in a role across spells: the policy says whether earlier spells count and which breaks they survive."""

from __future__ import annotations

import datetime as dt

import pytest

import pathrules
from conftest import ENGINES

D = dt.date


def _policy(rule: str, at_least: str = "6 months") -> pathrules.LoadedPolicy:
    return pathrules.load_policy_text(
        "policy: spells\norganisation: Test\nversion: '1'\neffective_from: 2020-01-01\n"
        "roles:\n  mentor:\n    title: Mentor\n  volunteer:\n    title: Volunteer\n    requires:\n"
        f"      - {{id: months, kind: time_in_role, role: mentor, at_least: {at_least}{rule}}}\n"
    )


def _record(*spells: tuple[dt.date, dt.date | None]) -> dict[str, object]:
    return {"person": "p", "roles_held": [{"role": "mentor", "started_on": s, "ended_on": e} for s, e in spells]}


# two spells of 4 and 3 months with a 2-month break between them
TWO_SPELLS = _record((D(2025, 1, 1), D(2025, 5, 1)), (D(2025, 7, 1), None))
AS_OF = D(2025, 9, 15)  # 4 months + 2.5 months = 6.5 months across both spells; 2.5 months in the latest


@pytest.mark.parametrize("engine", ENGINES)
def test_by_default_only_the_latest_spell_counts(engine: str) -> None:
    decision = pathrules.Evaluator(_policy(""), engine=engine).evaluate(TWO_SPELLS, "volunteer", as_of=AS_OF)
    assert decision.outcome == "not_yet"
    assert decision.requirements[0].met_on == D(2026, 1, 1)


@pytest.mark.parametrize("engine", ENGINES)
def test_all_spells_add_up_and_the_break_is_not_counted(engine: str) -> None:
    evaluator = pathrules.Evaluator(_policy(", spells: all", at_least="180 days"), engine=engine)
    first_met = D(2025, 8, 30)  # 120 days (1 January to 1 May) + 60 days from 1 July
    before = evaluator.evaluate(TWO_SPELLS, "volunteer", as_of=first_met - dt.timedelta(days=1))
    on = evaluator.evaluate(TWO_SPELLS, "volunteer", as_of=first_met)
    assert before.outcome == "not_yet"
    assert on.outcome == "eligible"
    assert "2 spells" in str(on.requirements[0].evidence[0].value)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_break_longer_than_the_policy_allows_starts_the_count_anew(engine: str) -> None:
    short = pathrules.Evaluator(_policy(", spells: all, breaks_up_to: 2 months"), engine=engine)
    shorter = pathrules.Evaluator(_policy(", spells: all, breaks_up_to: 59 days"), engine=engine)
    late = D(2025, 11, 1)  # 4 months + 4 months across spells; 4 months in the latest
    assert short.evaluate(TWO_SPELLS, "volunteer", as_of=late).outcome == "eligible"  # the 61-day break is exactly 2 months
    assert shorter.evaluate(TWO_SPELLS, "volunteer", as_of=late).outcome == "not_yet"


def test_overlapping_spells_count_once() -> None:
    evaluator = pathrules.Evaluator(_policy(", spells: all"), engine="python")
    overlapping = _record((D(2025, 1, 1), D(2025, 5, 1)), (D(2025, 3, 1), D(2025, 6, 1)))
    decision = evaluator.evaluate(overlapping, "volunteer", as_of=D(2025, 8, 1))
    assert decision.outcome == "not_yet"  # January to June is five months, not seven


def test_breaks_up_to_needs_spells_all_and_says_where() -> None:
    with pytest.raises(pathrules.PolicyError) as caught:
        _policy(", breaks_up_to: 2 months")
    text = str(caught.value)
    assert text.startswith("<input>:11:")  # the requirement's line
    assert "roles.volunteer.requires[0]" in text and "`breaks_up_to`" in text and "`spells: all`" in text
