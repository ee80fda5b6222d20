"""Issue 12's points about the Howard League and SHARPS policies that a YAML policy test cannot see:
where a rule is written (a role that no longer exists, a jurisdiction, a duty rather than a requirement),
not what a decision says. Each test is named after the point it pins."""

from __future__ import annotations

import pathrules
from conftest import POLICIES
from pathrules.policy.checks import requirement_lists
from pathrules.policy.requirements import GroupRef


def _policy(name: str) -> pathrules.Policy:
    return pathrules.load_policy(POLICIES / name).policy


def _kinds(policy: pathrules.Policy) -> set[str]:
    return {item.kind for _, items in requirement_lists(policy) for item in items if not isinstance(item, GroupRef)}


def test_service_a_has_no_paid_peer_worker_role_a_sector_remark_not_its_rule() -> None:
    policy = _policy("howard-league-service-a.yaml")
    assert "paid-peer-worker" not in policy.roles
    assert all(p.to != "paid-peer-worker" for p in policy.progressions)


def test_service_a_mentor_has_no_time_in_role_cap_the_24_weeks_are_the_mentees() -> None:
    policy = _policy("howard-league-service-a.yaml")
    for role in policy.roles.values():
        assert all(r.kind != "time_in_role" for r in policy.expand(role.requires) + policy.expand(role.ongoing))


def test_service_b_has_no_controlled_drinking_clause_it_was_the_theses_organisations() -> None:
    policy = _policy("howard-league-service-b.yaml")
    assert "agreement" not in _kinds(policy)
    assert all("alcohol" not in getattr(r, "substances", []) for _, items in requirement_lists(policy) for r in items)


def test_sharps_ran_in_england_and_scotland_not_other() -> None:
    assert set(_policy("sharps-harm-reduction.yaml").jurisdictions) == {"england-wales", "scotland"}


def test_sharps_caseload_supervision_and_exit_plan_are_the_services_duties_not_the_workers() -> None:
    policy = _policy("sharps-harm-reduction.yaml")
    for role in policy.roles.values():
        person_side = policy.expand(role.requires) + policy.expand(role.ongoing)
        assert not {r.kind for r in person_side} & {"supervision", "exit_plan"}
        assert all("caseload" not in r.id for r in person_side)
    duties = {d.id for role in policy.roles.values() for d in policy.expand(role.owes)}
    assert {"caseload-cap", "regular-supervision", "exit-plan"} <= duties


def test_sharps_medical_advice_is_an_activity_gated_by_training_not_a_permanent_bar() -> None:
    policy = _policy("sharps-harm-reduction.yaml")
    for role in policy.roles.values():
        assert "medical-advice" not in role.never
    gated = [role.activities["medical-advice"] for role in policy.roles.values() if "medical-advice" in role.activities]
    assert gated and all(any(r.kind == "training" for r in policy.expand(a.requires)) for a in gated)


def test_sharps_does_not_make_the_dublin_guides_optional_advice_compulsory() -> None:
    policy = _policy("sharps-harm-reduction.yaml")
    ids = {item.id for _, items in requirement_lists(policy) for item in items if not isinstance(item, GroupRef)}
    duties = {d.id for role in policy.roles.values() for d in policy.expand(role.owes)}
    assert not {i for i in ids | duties if "support-plan" in i or "keyworker" in i}


def test_lived_experience_gating_one_activity_does_not_say_the_role_does_not_fit() -> None:
    """Gunnar can mentor at Service B; only the detox house waits for someone who has been through it."""
    import datetime as _dt

    from conftest import example

    evaluator = pathrules.Evaluator(pathrules.load_policy(POLICIES / "howard-league-service-b.yaml"), engine="python")
    decision = evaluator.evaluate(example("gunnar"), "peer-mentor", as_of=_dt.date(2026, 11, 27))
    house = next(a for a in decision.activities if a.id == "detox-house")
    assert decision.outcome in ("eligible", "conditional") and not house.allowed
    assert "role does not fit" not in house.reason
