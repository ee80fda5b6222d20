"""Properties over every shipped policy and generated records (hypothesis)."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import pathrules
from conftest import AS_OF, DURABLE, ROOT, needs_durable, shipped_policies
from example_counts import examples
from pathrules.decision import rank
from pathrules.record.model import Approval, Completion
from pathrules.policy.schema import json_compatible
from strategies import BASE, boundary_records, policy_documents, records

POLICIES = shipped_policies()
EVALUATORS = {p.id: (pathrules.Evaluator(p, engine="python"), pathrules.Evaluator(p, engine="durable" if DURABLE else "python")) for p in POLICIES}
PROPERTY_SETTINGS = settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


STATUSES = ("met", "owed", "pending", "review", "blocked", "not_met")
OUTCOMES = ("eligible", "conditional", "pending", "not_yet", "review", "ineligible")


def _targets(policy: pathrules.LoadedPolicy) -> list[tuple[str, str | None]]:
    return [(role, None) for role in policy.policy.roles] + [(p.to, p.from_) for p in policy.policy.progressions]


@needs_durable
@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: p.id)
@PROPERTY_SETTINGS
@given(data=st.data())
def test_durable_rules_and_the_python_oracle_agree(policy: pathrules.LoadedPolicy, data: st.DataObject) -> None:
    record = data.draw(records(policy.policy))
    as_of = data.draw(st.integers(-200, 200).map(lambda d: AS_OF + dt.timedelta(days=d)))
    placement = data.draw(st.none() | st.sampled_from(["north", "harbour-lane/south"]))
    oracle, durable = EVALUATORS[policy.id]
    for role, from_role in _targets(policy):
        a = oracle.evaluate(record, role, as_of=as_of, from_role=from_role, placement=placement)
        b = durable.evaluate(record, role, as_of=as_of, from_role=from_role, placement=placement)
        assert a.comparable() == b.comparable()
        assert b.engine.name == "durable-rules"


@needs_durable
def test_both_engines_agree_on_generated_policies_at_their_thresholds(request: pytest.FixtureRequest) -> None:
    """Generated policies, records on, just inside and just outside each threshold: every status and
    every outcome occurs, and durable-rules and the oracle give the same decision every time."""
    seen: Counter[str] = Counter()

    @settings(max_examples=examples(150), deadline=None, derandomize=examples(1) == 1, suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def agree(data: st.DataObject) -> None:
        document = data.draw(policy_documents())
        loaded = pathrules.load_policy_text(yaml.safe_dump(json_compatible(document), sort_keys=False), "generated.yaml")
        as_of = BASE + dt.timedelta(days=data.draw(st.integers(-3, 3)))
        record = data.draw(boundary_records(loaded.policy, as_of))
        placement = data.draw(st.none() | st.sampled_from(["north", "harbour-lane/south"]))
        oracle = pathrules.Evaluator(loaded, engine="python", enforce_dates=False)
        durable = pathrules.Evaluator(loaded, engine="durable", enforce_dates=False)
        for role, from_role in _targets(loaded):
            expected = oracle.evaluate(record, role, as_of=as_of, from_role=from_role, placement=placement)
            assert durable.evaluate(record, role, as_of=as_of, from_role=from_role, placement=placement).comparable() == expected.comparable()
            seen["outcome " + expected.outcome] += 1
            seen.update("status " + r.status for r in expected.requirements)

    agree()
    report = request.config.pluginmanager.get_plugin("terminalreporter")
    if report is not None:
        report.write_line("\ngenerated-policy agreement, decisions by outcome and requirements by status: " + ", ".join(f"{k}={v}" for k, v in sorted(seen.items())))
    assert {"outcome " + o for o in OUTCOMES} <= set(seen), seen
    assert {"status " + s for s in STATUSES} <= set(seen), seen


@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: p.id)
@PROPERTY_SETTINGS
@given(data=st.data())
def test_an_extra_qualification_training_or_approval_never_makes_a_decision_worse(policy: pathrules.LoadedPolicy, data: st.DataObject) -> None:
    record = data.draw(records(policy.policy))
    oracle, _ = EVALUATORS[policy.id]
    catalogue = sorted(policy.policy.catalogue)
    extra = data.draw(st.sampled_from(["qualification", "training", "approval"]))
    day = data.draw(st.integers(0, 400).map(lambda d: AS_OF - dt.timedelta(days=d)))
    if extra == "approval":
        added = record.model_copy(update={"approvals": [*record.approvals, Approval(item=data.draw(st.sampled_from(["declaration-and-risk-assessment", "case-management-access"])), approver=data.draw(st.sampled_from(["service-manager", "operations-manager", "volunteer-services"])), approved_on=day)]})
    else:
        assume(catalogue)
        field = "qualifications" if extra == "qualification" else "training"
        added = record.model_copy(update={field: [*getattr(record, field), Completion(id=data.draw(st.sampled_from(catalogue)), completed_on=day)]})
    for role, from_role in _targets(policy):
        before = oracle.evaluate(record, role, as_of=AS_OF, from_role=from_role)
        after = oracle.evaluate(added, role, as_of=AS_OF, from_role=from_role)
        assert rank(after.outcome) <= rank(before.outcome), (role, before.outcome, after.outcome)


EXAMPLE_RECORDS = [pathrules.load_record(f) for f in sorted((ROOT / "examples").glob("*.yaml"))]


def _shifted(record: pathrules.Record, days: int) -> pathrules.Record:
    """The same person with every time-gap date (last use, birth, role start, discharge) moved by ``days``."""
    move = dt.timedelta(days=days)
    update: dict[str, object] = {
        "substance_use": [u.model_copy(update={"last_use": u.last_use + move}) for u in record.substance_use],
        "roles_held": [r.model_copy(update={"started_on": r.started_on + move}) for r in record.roles_held],
    }
    if record.date_of_birth:
        update["date_of_birth"] = record.date_of_birth + move
    if record.treatment and record.treatment.discharged_on:
        update["treatment"] = record.treatment.model_copy(update={"discharged_on": record.treatment.discharged_on + move})
    return record.model_copy(update=update)


@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: p.id)
@PROPERTY_SETTINGS
@given(person=st.sampled_from(EXAMPLE_RECORDS), days=st.integers(-30, 400))
def test_eligible_from_is_the_first_day_the_evaluation_says_eligible(policy: pathrules.LoadedPolicy, person: pathrules.Record, days: int) -> None:
    record = _shifted(person, days)
    oracle, _ = EVALUATORS[policy.id]
    for role, from_role in _targets(policy):
        decision = oracle.evaluate(record, role, as_of=AS_OF, from_role=from_role)
        if decision.outcome != "not_yet" or decision.eligible_from is None:
            continue
        then = oracle.evaluate(record, role, as_of=decision.eligible_from, from_role=from_role)
        day_before = oracle.evaluate(record, role, as_of=decision.eligible_from - dt.timedelta(days=1), from_role=from_role)
        assert then.outcome in ("eligible", "conditional"), (role, then.summary)
        assert day_before.outcome not in ("eligible", "conditional")
        # waiting never makes a purely time-based gap worse before then
        middle = AS_OF + (decision.eligible_from - AS_OF) / 2
        assert rank(oracle.evaluate(record, role, as_of=middle, from_role=from_role).outcome) <= rank(decision.outcome)


def test_the_examples_include_time_only_gaps_so_the_property_above_bites() -> None:
    found = []
    for policy in POLICIES:
        oracle, _ = EVALUATORS[policy.id]
        for person in EXAMPLE_RECORDS:
            for role, from_role in _targets(policy):
                if oracle.evaluate(person, role, as_of=AS_OF, from_role=from_role).eligible_from not in (None, AS_OF):
                    found.append((person.person, role))
    assert ("ben-o", "peer-mentor") in found and ("jo-w", "peer-mentor") in found
