"""Lapse and return while in post: a lapse pauses what the policy names, asks for support, and is not an exit."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pathrules
from conftest import DURABLE, ENGINES, needs_durable
from example_counts import examples

D = dt.date
RULE = "{id: after-a-lapse, kind: lapse, pauses: [one-to-one], support: three_way_meeting, support_within: 2 weeks, step_back_to: volunteer, resume_after: 4 weeks%s}"


def _policy(extra: str = "", rule: str = RULE) -> pathrules.LoadedPolicy:
    return pathrules.load_policy_text(
        "policy: lapses\norganisation: Test\nversion: '1'\neffective_from: 2020-01-01\nroles:\n"
        "  volunteer:\n    title: Volunteer\n"
        "  peer-worker:\n    title: Peer worker\n    ongoing:\n"
        f"      - {rule % extra if '%s' in rule else rule}\n"
        "    activities:\n      one-to-one:\n        requires:\n          - {id: trained, kind: identity}\n"
    )


LAPSED = D(2026, 3, 2)


def _person(held: str | None = None, lapsed: dt.date = LAPSED) -> dict[str, object]:
    lapse: dict[str, object] = {"lapsed_on": lapsed.isoformat()}
    if held:
        lapse["support_held_on"] = held
    return {"person": "p", "identity": {"seen_in_person_on": "2025-01-01"}, "roles_held": [{"role": "peer-worker", "started_on": "2025-06-01"}], "lapses": [lapse]}


@pytest.mark.parametrize("engine", ENGINES)
def test_a_lapse_is_not_an_exit_it_pauses_and_asks_for_a_meeting(engine: str) -> None:
    decision = pathrules.Evaluator(_policy(), engine=engine).evaluate(_person(), "peer-worker", as_of=LAPSED + dt.timedelta(days=14))
    assert decision.stage == "continuation" and decision.outcome == "pending"
    rule = decision.requirements[0]
    assert rule.status == "pending" and "not an exit" in rule.reason and "16 March 2026" in rule.reason
    assert "step back to Volunteer" in rule.reason
    assert [a.allowed for a in decision.activities] == [False]


@pytest.mark.parametrize("engine", ENGINES)
def test_the_meeting_is_late_the_day_after_it_was_due(engine: str) -> None:
    decision = pathrules.Evaluator(_policy(), engine=engine).evaluate(_person(), "peer-worker", as_of=LAPSED + dt.timedelta(days=15))
    assert decision.requirements[0].status == "not_met" and decision.outcome != "ineligible"


@pytest.mark.parametrize("engine", ENGINES)
def test_the_way_back_is_the_meeting_and_four_weeks_without_a_further_lapse(engine: str) -> None:
    evaluator = pathrules.Evaluator(_policy(), engine=engine)
    person = _person(held="2026-03-09")
    before = evaluator.evaluate(person, "peer-worker", as_of=D(2026, 3, 29))
    on = evaluator.evaluate(person, "peer-worker", as_of=D(2026, 3, 30))
    assert before.requirements[0].status == "met" and before.activities[0].allowed is False
    assert before.outcome == "conditional"
    assert on.activities[0].allowed is True and on.outcome == "eligible"


@pytest.mark.parametrize("engine", ENGINES)
def test_a_reviewed_role_is_reviewed_until_the_way_back_is_complete(engine: str) -> None:
    evaluator = pathrules.Evaluator(_policy(", review_role: true"), engine=engine)
    person = _person(held="2026-03-09")
    assert evaluator.evaluate(person, "peer-worker", as_of=D(2026, 3, 29)).outcome == "review"
    assert evaluator.evaluate(person, "peer-worker", as_of=D(2026, 3, 30)).outcome == "eligible"


def test_a_lapse_before_this_spell_or_after_the_day_does_not_count() -> None:
    evaluator = pathrules.Evaluator(_policy(), engine="python")
    assert evaluator.evaluate(_person(lapsed=D(2025, 1, 1)), "peer-worker", as_of=D(2026, 3, 3)).outcome == "eligible"
    assert evaluator.evaluate(_person(), "peer-worker", as_of=LAPSED - dt.timedelta(days=1)).outcome == "eligible"


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("{id: l, kind: lapse, pauses: [one-to-one]}", "need a way back"),
        ("{id: l, kind: lapse, support_within: 2 weeks}", "`support_within` says when"),
        ("{id: l, kind: lapse, pauses: [home-visits], resume_after: 1 week}", "`home-visits` is not a gated activity"),
        ("{id: l, kind: lapse, support: check_in, step_back_to: mentor}", "no role named `mentor`"),
        ("{id: l, kind: lapse, support: chat}", "support"),
    ],
)
def test_bad_lapse_rules_are_located_errors(rule: str, expected: str) -> None:
    with pytest.raises(pathrules.PolicyError) as caught:
        _policy(rule=rule)
    assert str(caught.value).startswith("<input>:11:")  # the rule's line
    assert expected in str(caught.value)


# ---- both engines agree on records before, on and after each boundary -------------------------

RULES = ["", ", review_role: true"]
EVALUATORS = {r: (pathrules.Evaluator(_policy(r), engine="python"), pathrules.Evaluator(_policy(r), engine="durable" if DURABLE else "python")) for r in RULES}


@needs_durable
@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rule=st.sampled_from(RULES), held=st.none() | st.sampled_from(["2026-03-02", "2026-03-16", "2026-03-17"]), shift=st.sampled_from([-1, 0, 1, 13, 14, 15, 27, 28, 29, 60]))
def test_both_engines_agree_on_lapses(rule: str, held: str | None, shift: int) -> None:
    day = LAPSED + dt.timedelta(days=shift)
    oracle, durable = EVALUATORS[rule]
    assert oracle.evaluate(_person(held), "peer-worker", as_of=day).comparable() == durable.evaluate(_person(held), "peer-worker", as_of=day).comparable()


def test_the_boundary_cases_reach_every_status_a_lapse_rule_can_have() -> None:
    seen = set()
    for rule in RULES:
        for held in (None, "2026-03-09"):
            for shift in (0, 14, 15, 27, 28):
                seen.add(EVALUATORS[rule][0].evaluate(_person(held), "peer-worker", as_of=LAPSED + dt.timedelta(days=shift)).requirements[0].status)
    assert seen == {"met", "pending", "not_met", "review"}


def test_the_example_person_in_post_with_a_lapse() -> None:
    from conftest import example

    evaluator = pathrules.Evaluator(_policy(), engine="python")
    paused = evaluator.evaluate(example("ravi"), "peer-worker", as_of=D(2026, 11, 23))
    assert paused.outcome == "conditional" and paused.activities[0].allowed is False
    assert paused.activities[0].requirements[0].met_on == D(2026, 11, 30)  # four weeks after 2 November
    assert evaluator.evaluate(example("ravi"), "peer-worker", as_of=D(2026, 11, 30)).outcome == "eligible"
