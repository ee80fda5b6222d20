"""Placement bars: a decision is for a placement, and a bar holds back that placement only (thesis §5.1, l.1140)."""

from __future__ import annotations

import datetime as dt

import pytest

import pathrules
from conftest import ENGINES

D = dt.date
HEAD = "policy: placements\norganisation: Test\nversion: '1'\neffective_from: 2020-01-01\nroles:\n  volunteer:\n    title: Volunteer\n    requires:\n"


def _policy(bar: str) -> pathrules.LoadedPolicy:
    return pathrules.load_policy_text(HEAD + f"      - {{id: not-former-team, kind: placement_bar, {bar}}}\n")


FORMER = {"person": "p", "services_used": [{"service": "harbour", "team": "north", "until": "2025-03-31"}]}
STILL_USING = {"person": "p", "services_used": [{"service": "harbour", "team": "north"}]}


@pytest.mark.parametrize("engine", ENGINES)
def test_a_bar_for_good_makes_that_placement_ineligible_and_leaves_others_open(engine: str) -> None:
    evaluator = pathrules.Evaluator(_policy("former: team"), engine=engine)
    there = evaluator.evaluate(FORMER, "volunteer", as_of=D(2026, 1, 1), placement="harbour/north")
    elsewhere = evaluator.evaluate(FORMER, "volunteer", as_of=D(2026, 1, 1), placement="harbour/south")
    anywhere = evaluator.evaluate(FORMER, "volunteer", as_of=D(2026, 1, 1))
    assert there.outcome == "ineligible" and there.target.placement == "harbour/north"
    assert "Other placements stay open" in (there.requirements[0].next_step or "")
    assert elsewhere.outcome == "eligible"
    assert anywhere.outcome == "eligible" and "harbour/north" in anywhere.requirements[0].reason  # staff are told where not to place


@pytest.mark.parametrize("engine", ENGINES)
def test_a_service_bar_covers_every_team_of_that_service(engine: str) -> None:
    evaluator = pathrules.Evaluator(_policy("former: service"), engine=engine)
    assert evaluator.evaluate(FORMER, "volunteer", as_of=D(2026, 1, 1), placement="harbour/south").outcome == "ineligible"
    assert evaluator.evaluate(FORMER, "volunteer", as_of=D(2026, 1, 1), placement="north").outcome == "ineligible"
    assert evaluator.evaluate(FORMER, "volunteer", as_of=D(2026, 1, 1), placement="quayside/north").outcome == "eligible"


@pytest.mark.parametrize("engine", ENGINES)
def test_a_timed_bar_runs_from_the_end_of_service_use_and_ends_on_the_day(engine: str) -> None:
    evaluator = pathrules.Evaluator(_policy("former: team, lasts: 1 year"), engine=engine)
    before = evaluator.evaluate(FORMER, "volunteer", as_of=D(2026, 3, 30), placement="north")
    on = evaluator.evaluate(FORMER, "volunteer", as_of=D(2026, 3, 31), placement="north")
    assert before.outcome == "not_yet" and before.eligible_from == D(2026, 3, 31)
    assert on.outcome == "eligible"
    still = evaluator.evaluate(STILL_USING, "volunteer", as_of=D(2030, 1, 1), placement="north")
    assert still.outcome == "not_yet" and still.eligible_from is None


def test_service_use_recorded_after_the_day_does_not_bar_as_of_that_day() -> None:
    evaluator = pathrules.Evaluator(_policy("former: team"), engine="python")
    later = {"person": "p", "services_used": [{"service": "harbour", "team": "north", "started_on": "2026-06-01"}]}
    assert evaluator.evaluate(later, "volunteer", as_of=D(2026, 1, 1), placement="north").outcome == "eligible"
    assert evaluator.evaluate(later, "volunteer", as_of=D(2026, 6, 1), placement="north").outcome == "ineligible"


def test_named_teams_are_barred_for_good() -> None:
    evaluator = pathrules.Evaluator(_policy("teams: [detox-house]"), engine="python")
    assert evaluator.evaluate({"person": "p"}, "volunteer", as_of=D(2026, 1, 1), placement="detox-house").outcome == "ineligible"
    assert evaluator.evaluate({"person": "p"}, "volunteer", as_of=D(2026, 1, 1), placement="north").outcome == "eligible"


@pytest.mark.parametrize(
    ("bar", "expected"),
    [
        ("lasts: 1 year", "must name what it bars"),
        ("teams: []", "teams"),
        ("teams: [x], lasts: 1 year", "`lasts` counts from the end"),
        ("former: room", "former"),
    ],
)
def test_a_bar_naming_no_team_is_a_located_error(bar: str, expected: str) -> None:
    with pytest.raises(pathrules.PolicyError) as caught:
        _policy(bar)
    assert str(caught.value).startswith("<input>:9:")
    assert expected in str(caught.value)


def test_a_malformed_placement_is_bad_input_not_a_crash() -> None:
    evaluator = pathrules.Evaluator(_policy("former: team"), engine="python")
    with pytest.raises(pathrules.EvaluationError, match="expected a team id"):
        evaluator.evaluate(FORMER, "volunteer", as_of=D(2026, 1, 1), placement="North Team")


# ---- both engines agree, on generated records that satisfy, fail and sit on the boundary ---------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from conftest import DURABLE, needs_durable  # noqa: E402
from strategies import PLACES  # noqa: E402
from example_counts import examples

BARS = ["former: team", "former: service", "former: team, lasts: 6 months", "former: service, lasts: 2 years", "teams: [north]"]
EVALUATORS = {bar: (pathrules.Evaluator(_policy(bar), engine="python"), pathrules.Evaluator(_policy(bar), engine="durable" if DURABLE else "python")) for bar in BARS}
UNTIL = D(2025, 3, 31)


@st.composite
def near_the_boundary(draw: st.DrawFn) -> tuple[dict[str, object], dt.date]:
    """A service use and a day: before, on or after the day a 6-month or 2-year bar runs out (or still using)."""
    use: dict[str, object] = {"service": draw(st.sampled_from(PLACES)), "team": draw(st.none() | st.sampled_from(PLACES))}
    if draw(st.integers(0, 4)):
        use["until"] = UNTIL.isoformat()
    if draw(st.booleans()):
        use["started_on"] = draw(st.dates(D(2024, 1, 1), D(2027, 1, 1))).isoformat()
    free = draw(st.sampled_from([pathrules.Duration.parse("6 months"), pathrules.Duration.parse("2 years")])).after(UNTIL)
    day = free + dt.timedelta(days=draw(st.sampled_from([-1, 0, 1, -400, 400])))
    return {"person": "p", "services_used": [use]}, day


@needs_durable
@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=near_the_boundary(), bar=st.sampled_from(BARS), placement=st.none() | st.sampled_from(["north", "south", "harbour-lane/north", "harbour-lane/south", "quayside/north"]))
def test_both_engines_agree_on_placement_bars(case: tuple[dict[str, object], dt.date], bar: str, placement: str | None) -> None:
    record, day = case
    oracle, durable = EVALUATORS[bar]
    a = oracle.evaluate(record, "volunteer", as_of=day, placement=placement)
    b = durable.evaluate(record, "volunteer", as_of=day, placement=placement)
    assert a.comparable() == b.comparable()


def test_the_generated_cases_reach_every_status_a_bar_can_have() -> None:
    seen = set()
    for bar in BARS:
        for shift in (-1, 0):
            for use in ({"service": "harbour-lane", "team": "north", "until": UNTIL.isoformat()}, {"service": "harbour-lane", "team": "north"}):
                day = pathrules.Duration.parse("6 months").after(UNTIL) + dt.timedelta(days=shift)
                decision = EVALUATORS[bar][0].evaluate({"person": "p", "services_used": [use]}, "volunteer", as_of=day, placement="north")
                seen.add(decision.requirements[0].status)
    assert seen == {"met", "not_met", "blocked"}
