"""The person's side of the language: lived experience, assessments, agreements, age ranges, checks
across the UK and Ireland. Bad input gets located errors; each threshold is exercised on both engines
with records that satisfy it, fail it and sit on its boundary, against expectations computed here
from the inputs (plain date arithmetic), not by the code under test."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import pathrules
from conftest import DURABLE, POLICIES
from example_counts import examples
from pathrules.cli.main import run
from pathrules.errors import PolicyError, RecordError
from pathrules.policy.loader import load_policy_text
from pathrules.record.loader import record_from_dict

BOUNDARY = settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow])
DAY = dt.timedelta(days=1)
AROUND = st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2028, 12, 31))
NEAR = st.sampled_from([-2, -1, 0, 1, 2])  # days either side of a threshold's date


def _policy(requirement: dict[str, Any], jurisdiction: Any = "england-wales") -> pathrules.LoadedPolicy:
    doc = {
        "policy": "p",
        "organisation": "O",
        "version": "1",
        "effective_from": dt.date(2020, 1, 1),
        "jurisdiction": jurisdiction,
        "roles": {"mentor": {"title": "Mentor", "requires": [{"id": "r", "because": "b"} | requirement]}},
    }
    return load_policy_text(yaml.safe_dump(doc, sort_keys=False))


def _status(policy: pathrules.LoadedPolicy, record: dict[str, Any], as_of: dt.date) -> str:
    """The requirement's status on the oracle, checked against durable-rules when it is installed."""
    oracle = pathrules.Evaluator(policy, engine="python").evaluate(record, "mentor", as_of=as_of)
    if DURABLE:
        durable = pathrules.Evaluator(policy, engine="durable").evaluate(record, "mentor", as_of=as_of)
        assert durable.comparable() == oracle.comparable()
    (result,) = oracle.requirements
    return result.status


def _problems(text: str) -> list[pathrules.Problem]:
    with pytest.raises(PolicyError) as caught:
        load_policy_text(text, "p.yaml")
    return caught.value.problems


HEAD = "policy: p\norganisation: O\nversion: '1'\neffective_from: 2026-01-01\n"


# ---- located errors -----------------------------------------------------------------------------


def test_an_agreement_with_no_due_date_is_a_located_error_naming_the_field() -> None:
    with pytest.raises(RecordError) as caught:
        record_from_dict({"person": "x", "agreements": [{"agreement": "alcohol-free", "agreed_with": "service-manager", "agreed_on": "2026-11-10"}]})
    (problem,) = caught.value.problems
    assert (problem.code, problem.path) == ("missing-field", "agreements[0].due_on")


def test_an_agreement_due_before_it_was_made_is_refused_without_echoing_dates() -> None:
    with pytest.raises(RecordError) as caught:
        record_from_dict({"person": "x", "agreements": [{"agreement": "a", "agreed_with": "m", "agreed_on": "2026-11-10", "due_on": "2026-11-09"}]})
    (problem,) = caught.value.problems
    assert problem.path == "agreements[0].due_on" and "on or after `agreed_on`" in problem.message
    assert "2026-11-09" not in str(problem)


def test_an_upside_down_age_range_is_located_at_at_most() -> None:
    text = HEAD + "roles:\n  tier-2:\n    title: Tier 2\n    requires:\n      - id: age\n        kind: age\n        at_least: 30\n        at_most: 25\n"
    (problem,) = _problems(text)
    assert (problem.line, problem.path) == (12, "roles.tier-2.requires[0].at_most")
    assert "upside down" in problem.message


def test_an_age_with_no_bound_is_refused() -> None:
    text = HEAD + "roles:\n  r:\n    title: R\n    requires:\n      - {id: age, kind: age}\n"
    assert "give `at_least`, `at_most` or both" in _problems(text)[0].message


def test_a_scheme_outside_the_policy_jurisdiction_is_a_located_error_with_the_fitting_scheme() -> None:
    text = HEAD + "jurisdiction: england-wales\nroles:\n  r:\n    title: R\n    requires:\n      - id: check\n        kind: vetting\n        scheme: pvg\n        level: standard\n"
    (problem,) = _problems(text)
    assert problem.code == "scheme-jurisdiction" and problem.path == "roles.r.requires[0].scheme" and problem.line == 12
    assert "Scotland" in problem.message and "`dbs`" in (problem.help or "")


@pytest.mark.parametrize(
    ("jurisdiction", "scheme"),
    [("england-wales", "dbs"), ("scotland", "pvg"), ("northern-ireland", "accessni"), ("ireland", "garda"), (["england-wales", "scotland"], "pvg")],
)
def test_each_scheme_is_accepted_in_its_own_jurisdiction(jurisdiction: Any, scheme: str) -> None:
    assert _policy({"kind": "vetting", "scheme": scheme, "level": "basic"}, jurisdiction).policy.jurisdictions


@pytest.mark.parametrize("scheme", ["dbs", "pvg", "accessni", "garda"])
def test_jurisdiction_other_accepts_no_scheme(scheme: str) -> None:
    with pytest.raises(PolicyError) as caught:
        _policy({"kind": "vetting", "scheme": scheme, "level": "basic"}, "other")
    assert caught.value.problems[0].code == "scheme-jurisdiction"


def test_reuse_terms_without_a_reuse_window_are_refused_at_the_field() -> None:
    text = HEAD + "roles:\n  r:\n    title: R\n    requires:\n      - {id: c, kind: vetting, scheme: dbs, level: basic, on_reuse: new_application_at_start}\n"
    (problem,) = _problems(text)
    assert problem.path == "roles.r.requires[0].on_reuse" and "reuse_if_issued_within" in problem.message


def test_lived_experience_needs_exactly_one_of_one_of_and_all_of() -> None:
    text = HEAD + "roles:\n  r:\n    title: R\n    requires:\n      - {id: le, kind: lived_experience, one_of: [offending], all_of: [exclusion]}\n"
    assert "exactly one of `one_of` or `all_of`" in _problems(text)[0].message


def test_an_unknown_kind_of_lived_experience_is_refused() -> None:
    text = HEAD + "roles:\n  r:\n    title: R\n    requires:\n      - {id: le, kind: lived_experience, one_of: [gambling]}\n"
    assert _problems(text)[0].path == "roles.r.requires[0].one_of[0]"


# ---- lived experience ---------------------------------------------------------------------------


@BOUNDARY
@given(
    as_of=AROUND,
    window=st.integers(1, 400),
    near=NEAR,
    had=st.sampled_from([True, False, None]),
    treated=st.sampled_from([True, False, None]),
    dated=st.booleans(),
    needs_treatment=st.booleans(),
)
def test_lived_experience_within_a_window_on_both_engines(
    as_of: dt.date, window: int, near: int, had: bool | None, treated: bool | None, dated: bool, needs_treatment: bool
) -> None:
    policy = _policy({"kind": "lived_experience", "one_of": ["offending"], "structured_treatment": needs_treatment, "within": f"{window} days"})
    last_on = as_of - dt.timedelta(days=window) + dt.timedelta(days=near)
    record: dict[str, Any] = {"person": "x"}
    if had is not None:
        entry: dict[str, Any] = {"of": "offending", "had": had, "recorded_on": as_of - 10 * DAY}
        if treated is not None:
            entry["structured_treatment"] = treated
        if dated:
            entry["last_on"] = last_on
        record["lived_experience"] = [entry]
    recent = (as_of - last_on).days < window  # the start date is the day of the decision here
    if had is None:
        expected = "not_met"
    elif had is False or (needs_treatment and treated is False) or (dated and not recent):
        expected = "blocked"
    elif (needs_treatment and treated is None) or not dated:
        expected = "not_met"
    else:
        expected = "met"
    assert _status(policy, record, as_of) == expected


@BOUNDARY
@given(wanted=st.lists(st.sampled_from(["exclusion", "offending", "homelessness"]), min_size=1, max_size=3, unique=True), every=st.booleans(), data=st.data())
def test_one_of_and_all_of_lived_experience_on_both_engines(wanted: list[str], every: bool, data: st.DataObject) -> None:
    policy = _policy({"kind": "lived_experience", ("all_of" if every else "one_of"): wanted})
    said = {kind: data.draw(st.sampled_from([True, False, None]), label=kind) for kind in wanted}
    record = {"person": "x", "lived_experience": [{"of": k, "had": v, "recorded_on": dt.date(2026, 1, 1)} for k, v in said.items() if v is not None]}
    values = list(said.values())
    if every:
        expected = "blocked" if False in values else ("met" if all(v is True for v in values) else "not_met")
    else:
        expected = "met" if True in values else ("blocked" if all(v is False for v in values) else "not_met")
    assert _status(policy, record, dt.date(2026, 11, 23)) == expected


# ---- assessments --------------------------------------------------------------------------------


@BOUNDARY
@given(as_of=AROUND, valid=st.integers(1, 400), near=NEAR, outcome=st.sampled_from(["met", "not_met"]), by=st.sampled_from(["service-manager", "keyworker"]))
def test_an_assessment_valid_for_a_time_on_both_engines(as_of: dt.date, valid: int, near: int, outcome: str, by: str) -> None:
    policy = _policy({"kind": "assessment", "assessment": "stable", "title": "stable", "by": ["service-manager"], "valid_for": f"{valid} days"})
    assessed_on = as_of - dt.timedelta(days=valid) + dt.timedelta(days=near)
    record = {"person": "x", "assessments": [{"assessment": "stable", "by": by, "assessed_on": assessed_on, "outcome": outcome}]}
    in_date = assessed_on <= as_of and (as_of - assessed_on).days < valid
    expected = "met" if by == "service-manager" and outcome == "met" and in_date else "not_met"
    assert _status(policy, record, as_of) == expected


def test_an_assessment_s_validity_gives_the_day_the_decision_stops_holding() -> None:
    policy = _policy({"kind": "assessment", "assessment": "stable", "title": "stable", "by": ["service-manager"], "valid_for": "6 months"})
    record = {"person": "x", "assessments": [{"assessment": "stable", "by": "service-manager", "assessed_on": dt.date(2026, 8, 31), "outcome": "met"}]}
    decision = pathrules.Evaluator(policy, engine="python").evaluate(record, "mentor", as_of=dt.date(2026, 11, 23))
    assert decision.eligible_until == dt.date(2027, 2, 27)  # 31 August + 6 months = 28 February, the first day it no longer holds


# ---- agreements ---------------------------------------------------------------------------------


@BOUNDARY
@given(
    as_of=AROUND,
    due_in=st.integers(-3, 3),
    fulfilled=st.sampled_from([None, -1, 0, 1]),
    required=st.booleans(),
    then=st.sampled_from(["review", "pause"]),
    made=st.sampled_from(["service-manager", "keyworker", None]),
)
def test_an_agreement_on_both_engines(as_of: dt.date, due_in: int, fulfilled: int | None, required: bool, then: str, made: str | None) -> None:
    policy = _policy({"kind": "agreement", "agreement": "alcohol-free", "title": "to be alcohol-free", "agreed_with": ["service-manager"], "required": required, "when_due_passes": then})
    due = as_of + dt.timedelta(days=due_in)
    agreed = due - 30 * DAY
    record: dict[str, Any] = {"person": "x"}
    if made is not None:
        entry: dict[str, Any] = {"agreement": "alcohol-free", "agreed_with": made, "agreed_on": agreed, "due_on": due}
        if fulfilled is not None:
            entry["fulfilled_on"] = as_of + dt.timedelta(days=fulfilled)
        record["agreements"] = [entry]
    counted = made == "service-manager"
    if not counted:
        expected = "not_met" if required else "met"
    elif fulfilled is not None and fulfilled <= 0:
        expected = "met"
    elif due >= as_of:
        expected = "owed"
    else:
        expected = "review" if then == "review" else "not_met"
    assert _status(policy, record, as_of) == expected


def test_an_owed_agreement_carries_the_date_from_the_record() -> None:
    policy = _policy({"kind": "agreement", "agreement": "alcohol-free", "title": "to be alcohol-free", "agreed_with": ["service-manager"], "when_due_passes": "review"})
    record = {"person": "x", "agreements": [{"agreement": "alcohol-free", "agreed_with": "service-manager", "agreed_on": dt.date(2026, 11, 10), "due_on": dt.date(2027, 3, 1)}]}
    decision = pathrules.Evaluator(policy, engine="python").evaluate(record, "mentor", as_of=dt.date(2026, 11, 23))
    assert decision.outcome == "conditional"
    assert [(c.requirement, c.due) for c in decision.conditions] == [("r", dt.date(2027, 3, 1))]


def test_an_agreement_is_followed_up_for_someone_already_in_the_role() -> None:
    policy = _policy({"kind": "agreement", "agreement": "alcohol-free", "title": "to be alcohol-free", "agreed_with": ["service-manager"], "when_due_passes": "pause"})
    record = {
        "person": "x",
        "roles_held": [{"role": "mentor", "organisation": "p", "started_on": dt.date(2026, 12, 1)}],
        "agreements": [{"agreement": "alcohol-free", "agreed_with": "service-manager", "agreed_on": dt.date(2026, 11, 10), "due_on": dt.date(2027, 3, 1)}],
    }
    decision = pathrules.Evaluator(policy, engine="python").evaluate(record, "mentor", as_of=dt.date(2027, 3, 2))
    assert decision.stage == "continuation" and decision.outcome == "not_yet"
    assert "pauses until it is" in decision.requirements[0].reason


# ---- ages as ranges -----------------------------------------------------------------------------


def _years(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


@BOUNDARY
@given(as_of=AROUND, low=st.integers(16, 25), span=st.integers(0, 10), age=st.integers(14, 38), near=NEAR)
def test_an_age_range_on_both_engines(as_of: dt.date, low: int, span: int, age: int, near: int) -> None:
    high = low + span
    policy = _policy({"kind": "age", "at_least": low, "at_most": high})
    born = as_of.replace(year=as_of.year - age) + dt.timedelta(days=near) if (as_of.month, as_of.day) != (2, 29) else dt.date(as_of.year - age, 3, 1)
    assume((born.month, born.day) != (2, 29))  # 29 February birthdays have their own test below
    years = _years(born, as_of)
    expected = "met" if low <= years <= high else ("blocked" if years > high else "not_met")
    assert _status(policy, {"person": "x", "date_of_birth": born}, as_of) == expected


def test_someone_born_on_29_february_has_their_birthday_on_28_february_in_other_years() -> None:
    policy = _policy({"kind": "age", "at_most": 25})
    record = {"person": "x", "date_of_birth": dt.date(2000, 2, 29)}
    assert _status(policy, record, dt.date(2026, 2, 27)) == "met"  # still 25
    assert _status(policy, record, dt.date(2026, 2, 28)) == "blocked"  # 26 from 28 February


def test_the_age_is_the_age_on_the_proposed_start_date() -> None:
    policy = _policy({"kind": "age", "at_least": 18, "at_most": 25})
    young = {"person": "x", "date_of_birth": dt.date(2008, 12, 1), "proposed_start": dt.date(2026, 12, 1)}
    old = {"person": "y", "date_of_birth": dt.date(2000, 12, 1), "proposed_start": dt.date(2026, 12, 1)}
    assert _status(policy, young, dt.date(2026, 11, 23)) == "met"  # 17 today, 18 on the start date
    assert _status(policy, old, dt.date(2026, 11, 23)) == "blocked"  # 25 today, 26 on the start date


def test_someone_in_the_role_does_not_age_out_of_it() -> None:
    policy = _policy({"kind": "age", "at_least": 25, "at_most": 30})
    record = {"person": "x", "date_of_birth": dt.date(1996, 6, 1), "roles_held": [{"role": "mentor", "organisation": "p", "started_on": dt.date(2026, 1, 5)}]}
    decision = pathrules.Evaluator(policy, engine="python").evaluate(record, "mentor", as_of=dt.date(2027, 7, 1))  # 31 now, 29 at the start
    assert decision.stage == "continuation" and decision.outcome == "eligible"


def test_an_upper_age_gives_the_last_day_the_role_is_open() -> None:
    policy = _policy({"kind": "age", "at_least": 25, "at_most": 30})
    decision = pathrules.Evaluator(policy, engine="python").evaluate({"person": "x", "date_of_birth": dt.date(1996, 6, 1)}, "mentor", as_of=dt.date(2026, 11, 23))
    assert decision.outcome == "eligible" and decision.eligible_until == dt.date(2027, 5, 31)  # the day before turning 31


# ---- checks: reuse before joining, and a new application owed at the start ----------------------


@BOUNDARY
@given(joined=AROUND, window=st.integers(10, 300), near=NEAR, days_in=st.integers(0, 3), renewed=st.booleans(), own=st.booleans())
def test_reuse_before_joining_and_a_new_application_at_start_on_both_engines(joined: dt.date, window: int, near: int, days_in: int, renewed: bool, own: bool) -> None:
    policy = _policy(
        {"kind": "vetting", "scheme": "dbs", "level": "enhanced", "reuse_if_issued_within": f"{window} days", "reuse_before": "joining", "on_reuse": "new_application_at_start"}
    )
    as_of = joined + dt.timedelta(days=days_in)
    issued = joined - dt.timedelta(days=window) + dt.timedelta(days=near)
    checks: list[dict[str, Any]] = [{"scheme": "dbs", "level": "enhanced", "issued_on": issued, "disclosure": False} | ({"organisation": "p"} if own else {})]
    if renewed:
        checks.append({"scheme": "dbs", "level": "enhanced", "organisation": "p", "applied_on": joined})
    record = {"person": "x", "vetting": checks, "roles_held": [{"role": "mentor", "organisation": "p", "started_on": joined}]}
    usable = own or (joined - issued).days < window
    from_elsewhere = usable and not own and issued < joined
    if not usable:
        expected = "not_met"
    elif from_elsewhere and not renewed:
        expected = "owed" if as_of <= joined else "not_met"
    else:
        expected = "met"
    assert _status(policy, record, as_of) == expected


def test_moving_between_roles_keeps_the_organisation_s_own_check() -> None:
    thesis = pathrules.load_policy(POLICIES / "thesis-appendix-organisation.yaml")
    record = {
        "person": "x",
        "roles_held": [{"role": "peer-mentor", "organisation": "thornbury-recovery", "started_on": dt.date(2025, 1, 6)}],
        "vetting": [{"scheme": "dbs", "level": "enhanced", "organisation": "thornbury-recovery", "applied_on": dt.date(2025, 1, 6), "documents_verified": True, "issued_on": dt.date(2025, 2, 1), "disclosure": False}],
    }
    decision = pathrules.Evaluator(thesis, engine="python").evaluate(record, "volunteer", as_of=dt.date(2026, 11, 23), from_role="peer-mentor")
    assert next(r for r in decision.requirements if r.id == "dbs-form").status == "met"  # 21 months old, the organisation's own


# ---- how the new kinds read ---------------------------------------------------------------------


def test_pathrules_roles_describes_the_new_kinds_in_plain_language() -> None:
    out, err = io.StringIO(), io.StringIO()
    assert run(["roles", str(POLICIES / "thesis-appendix-organisation.yaml")], out, err) == 0
    text = out.getvalue()
    assert "lived experience of their own alcohol or drug use that needed some form of structured treatment" in text
    assert "stable in recovery and free from problematic drug and alcohol use, as assessed by service manager, operations manager or volunteer services" in text
    assert "where one is made, an agreement to be alcohol-free by a date agreed with service manager" in text
    assert "issued within 6 months before joining the organisation may be reused" in text and "a new application is then owed when the placement begins" in text


def test_a_decision_explains_an_owed_new_form_and_an_agreed_date_to_staff() -> None:
    thesis = pathrules.load_policy(POLICIES / "thesis-appendix-organisation.yaml")
    decision = pathrules.Evaluator(thesis, engine="python").evaluate(pathrules.load_record(POLICIES.parent / "examples" / "nadia.yaml"), "peer-mentor", as_of=dt.date(2026, 11, 23))
    reasons = {r.id: r.reason for r in decision.requirements}
    assert "The agreed date is 1 March 2027" in reasons["alcohol-free-by-agreed-date"]
    assert "a certificate from elsewhere, issued 1 July 2026" in reasons["dbs-form"] and "due by 1 December 2026" in reasons["dbs-form"]
