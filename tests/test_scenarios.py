"""Worked scenarios from the source studies, with exact dates."""

from __future__ import annotations

import datetime as dt

import pytest

import pathrules
from conftest import AS_OF, ENGINES, example

D = dt.date


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _req(decision: pathrules.Decision, rid: str) -> pathrules.RequirementResult:
    return next(r for r in decision.requirements if r.id == rid)


def test_last_use_on_31_january_and_a_3_month_rule_is_met_on_30_april(policies: dict, engine: str) -> None:
    service_a = pathrules.Evaluator(policies["harbour-lane-service-a"], engine=engine)  # type: ignore[arg-type]
    record = example("kofi").model_copy(update={"substance_use": [pathrules.record.model.SubstanceUse(substance="illicit-drugs", last_use=D(2026, 1, 31))]})
    before = service_a.evaluate(record, "peer-mentor", as_of=D(2026, 4, 29))
    on_the_day = service_a.evaluate(record, "peer-mentor", as_of=D(2026, 4, 30))
    assert _req(before, "free-from-illicit-drugs").status == "not_met"
    assert _req(before, "free-from-illicit-drugs").met_on == D(2026, 4, 30)
    assert _req(on_the_day, "free-from-illicit-drugs").status == "met"


def test_a_lapse_restarts_the_clock_and_gives_the_date(policies: dict, engine: str) -> None:
    decision = pathrules.Evaluator(policies["harbour-lane-service-a"], engine=engine).evaluate(example("ben"), "peer-mentor", as_of=AS_OF)  # type: ignore[arg-type]
    assert decision.outcome == "not_yet"
    assert decision.eligible_from == D(2026, 12, 30)
    assert [r.id for r in decision.unmet()] == ["free-from-illicit-drugs"]
    assert "methadone" not in decision.summary  # medication is allowed at Service A and not mentioned


def test_a_disclosure_leads_to_review_not_refusal(policies: dict, engine: str) -> None:
    decision = pathrules.Evaluator(policies["harbour-lane-service-a"], engine=engine).evaluate(example("chloe"), "peer-mentor", as_of=AS_OF)  # type: ignore[arg-type]
    assert decision.outcome == "review"
    assert _req(decision, "enhanced-dbs").status == "review"
    assert "not an automatic refusal" in _req(decision, "enhanced-dbs").reason


def test_an_accepted_risk_assessment_clears_the_disclosure(policies: dict, engine: str) -> None:
    decision = pathrules.Evaluator(policies["harbour-lane-service-a"], engine=engine).evaluate(example("kofi"), "paid-peer-worker", as_of=AS_OF)  # type: ignore[arg-type]
    assert decision.outcome == "eligible"
    assert _req(decision, "enhanced-dbs").status == "met"


def test_a_refused_risk_assessment_makes_the_role_ineligible(policies: dict, engine: str) -> None:
    kofi = example("kofi")
    check = kofi.vetting[0]
    refused = check.model_copy(update={"review": check.review.model_copy(update={"decision": "refused"})})  # type: ignore[union-attr]
    decision = pathrules.Evaluator(policies["harbour-lane-service-a"], engine=engine).evaluate(  # type: ignore[arg-type]
        kofi.model_copy(update={"vetting": [refused]}), "paid-peer-worker", as_of=AS_OF
    )
    assert decision.outcome == "ineligible"


@pytest.mark.parametrize(("issued", "status"), [(D(2026, 6, 23), "met"), (D(2026, 4, 23), "not_met")])
def test_a_certificate_5_months_old_is_reused_and_7_months_old_is_not(thornbury: pathrules.LoadedPolicy, engine: str, issued: dt.date, status: str) -> None:
    dev = example("dev")
    check = dev.vetting[0].model_copy(update={"issued_on": issued, "applied_on": issued - dt.timedelta(days=20)})
    decision = pathrules.Evaluator(thornbury, engine=engine).evaluate(dev.model_copy(update={"vetting": [check]}), "volunteer", as_of=AS_OF)  # type: ignore[arg-type]
    assert _req(decision, "dbs-form").status == status


def test_a_reused_certificate_sets_the_last_day_to_start(thornbury: pathrules.LoadedPolicy, engine: str) -> None:
    decision = pathrules.Evaluator(thornbury, engine=engine).evaluate(example("esther"), "volunteer", as_of=AS_OF)  # type: ignore[arg-type]
    # issued 20 June 2026; reusable while under 6 months old at the start date: until 19 December 2026
    assert _req(decision, "dbs-form").valid_until == D(2026, 12, 19)
    assert decision.eligible_until == D(2026, 12, 19)


def test_the_second_reference_is_owed_a_month_after_starting(thornbury: pathrules.LoadedPolicy, engine: str) -> None:
    decision = pathrules.Evaluator(thornbury, engine=engine).evaluate(example("esther"), "volunteer", as_of=AS_OF)  # type: ignore[arg-type]
    assert decision.outcome == "conditional"
    assert decision.start_date == D(2026, 12, 1)
    assert [(c.requirement, c.due) for c in decision.conditions] == [("second-reference", D(2027, 1, 1))]
    late = pathrules.Evaluator(thornbury, engine=engine).evaluate(  # type: ignore[arg-type]
        example("esther").model_copy(update={"roles_held": [pathrules.record.model.RoleSpell(role="volunteer", started_on=D(2026, 10, 1))]}),
        "volunteer",
        as_of=AS_OF,
    )
    assert late.stage == "continuation"
    assert _req(late, "second-reference").status == "not_met"
    assert _req(late, "second-reference").due == D(2026, 11, 1)


def test_a_mentor_may_start_before_the_check_returns_but_not_work_one_to_one(thornbury: pathrules.LoadedPolicy, engine: str) -> None:
    decision = pathrules.Evaluator(thornbury, engine=engine).evaluate(example("amira"), "peer-mentor", as_of=AS_OF)  # type: ignore[arg-type]
    assert decision.outcome == "conditional"
    activities = {a.id: a.allowed for a in decision.activities}
    assert activities == {"one-to-one-unsupervised": False, "lead-smart-groups": False}
    assert "hold-caseload" in decision.never and "escort-service-users" in decision.never
    families = pathrules.Evaluator(thornbury, engine=engine).evaluate(example("amira"), "peer-mentor-families-residential", as_of=AS_OF)  # type: ignore[arg-type]
    assert families.outcome == "not_yet"
    assert _req(families, "dbs-returned").status == "not_met"  # applied at enhanced; this role needs the barred list
    assert "lower level (enhanced)" in _req(families, "dbs-returned").reason


def test_usually_three_months_is_not_yet_with_the_date_and_a_manager_may_agree_an_exception(thornbury: pathrules.LoadedPolicy, engine: str) -> None:
    amira = example("amira")
    recent = amira.model_copy(update={"substance_use": [pathrules.record.model.SubstanceUse(substance="illicit-drugs", last_use=D(2026, 10, 1))], "substances_never_used": ["alcohol"]})
    decision = pathrules.Evaluator(thornbury, engine=engine).evaluate(recent, "peer-mentor", as_of=AS_OF)  # type: ignore[arg-type]
    assert decision.outcome == "not_yet"  # issue 9: discretion no longer hides the date
    result = _req(decision, "free-from-use")
    assert result.status == "not_met" and result.met_on == D(2027, 1, 1) and result.decided_by == "service-manager"


def test_progression_from_mentor_to_volunteer_counts_time_in_role(thornbury: pathrules.LoadedPolicy, engine: str) -> None:
    evaluator = pathrules.Evaluator(thornbury, engine=engine)  # type: ignore[arg-type]
    decision = evaluator.evaluate(example("farid"), "volunteer", from_role="peer-mentor", as_of=AS_OF)
    assert decision.stage == "progression"
    assert _req(decision, "placement-served").status == "met"
    early = evaluator.evaluate(example("farid"), "volunteer", from_role="peer-mentor", as_of=D(2026, 8, 15))
    assert _req(early, "placement-served").met_on == D(2026, 9, 1)


def test_harm_reduction_roles_ask_no_abstinence(policies: dict, engine: str) -> None:
    decision = pathrules.Evaluator(policies["sharps-peer-navigators"], engine=engine).evaluate(example("hana"), "peer-navigator", as_of=AS_OF)  # type: ignore[arg-type]
    assert {r.kind for r in decision.requirements} == {"training"}
    assert decision.outcome == "not_yet"
    assert decision.service_owes == []  # the support plan is the service's duty, owed once in post


def test_a_caseload_over_15_is_flagged_to_the_service_not_the_navigator(policies: dict, engine: str) -> None:
    decision = pathrules.Evaluator(policies["sharps-peer-navigators"], engine=engine).evaluate(example("grace"), "peer-navigator", as_of=AS_OF)  # type: ignore[arg-type]
    assert decision.stage == "continuation"
    assert decision.unmet() == [] and decision.outcome == "eligible"
    assert [d.id for d in decision.service_owes if d.status == "behind"] == ["caseload-cap"]
    assert _req(decision, "fixed-term").valid_until == D(2027, 4, 1)


def test_age_gives_the_birthday_as_eligible_from(policies: dict, engine: str) -> None:
    decision = pathrules.Evaluator(policies["eastside-service-b"], engine=engine).evaluate(example("jo"), "peer-mentor", as_of=AS_OF)  # type: ignore[arg-type]
    assert decision.outcome == "not_yet" and decision.eligible_from == D(2027, 2, 1)


def test_controlled_drinking_is_a_condition_owed_by_the_date_agreed_with_the_person(thornbury: pathrules.LoadedPolicy, engine: str) -> None:
    decision = pathrules.Evaluator(thornbury, engine=engine).evaluate(example("nadia"), "peer-mentor", as_of=AS_OF)  # type: ignore[arg-type]
    assert decision.outcome == "conditional"
    due = {c.requirement: c.due for c in decision.conditions}
    assert due == {"alcohol-free-by-agreed-date": D(2027, 3, 1), "dbs-form": D(2026, 12, 1)}  # from her record; her start date


def test_the_same_evidence_can_differ_between_organisations(policies: dict, engine: str) -> None:
    mo = example("mo")
    assert pathrules.Evaluator(policies["harbour-lane-service-a"], engine=engine).evaluate(mo, "peer-mentor", as_of=AS_OF).outcome == "ineligible"  # type: ignore[arg-type]
    assert pathrules.Evaluator(policies["eastside-service-b"], engine=engine).evaluate(mo, "peer-mentor", as_of=AS_OF).outcome != "ineligible"  # type: ignore[arg-type]


def test_evidence_after_the_as_of_date_is_not_used(thornbury: pathrules.LoadedPolicy, engine: str) -> None:
    decision = pathrules.Evaluator(thornbury, engine=engine).evaluate(example("amira"), "peer-mentor", as_of=D(2026, 9, 1))  # type: ignore[arg-type]
    assert _req(decision, "level-2-award").status == "not_met"
    assert _req(decision, "dbs-form").status == "not_met"
