"""Properties over every shipped policy and generated records (hypothesis)."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
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


def _agree_on_generated(data: st.DataObject, focus: str | None, seen: Counter[str], by_feature: dict[str, Counter[str]]) -> None:
    """One generated policy (centred on ``focus``, a kind, if given) and a record aimed at its thresholds:
    durable-rules and the oracle decide alike for every target; what occurred is counted."""
    document = data.draw(policy_documents(focus))
    loaded = pathrules.load_policy_text(yaml.safe_dump(json_compatible(document), sort_keys=False), "generated.yaml")
    as_of = BASE + dt.timedelta(days=data.draw(st.integers(-3, 3)))
    record = data.draw(boundary_records(loaded.policy, as_of, focus))
    placement = data.draw(st.none() | st.sampled_from(["north", "harbour-lane/south"]))
    oracle = pathrules.Evaluator(loaded, engine="python", enforce_dates=False)
    durable = pathrules.Evaluator(loaded, engine="durable", enforce_dates=False)
    for role, from_role in _targets(loaded):
        expected = oracle.evaluate(record, role, as_of=as_of, from_role=from_role, placement=placement)
        assert durable.evaluate(record, role, as_of=as_of, from_role=from_role, placement=placement).comparable() == expected.comparable()
        seen["outcome " + expected.outcome] += 1
        seen.update("status " + r.status for r in expected.requirements)
        features = _features(document, role, from_role)
        for result in [*expected.requirements, *(r for a in expected.activities for r in a.requirements)]:
            for feature in features.get((result.id, result.stage == "activity"), (result.kind,)):
                by_feature[feature][result.status] += 1
                by_feature[feature]["missed"] += result.status != "met"


def _report(request: pytest.FixtureRequest, title: str, counts: dict[str, Counter[str]]) -> None:
    report = request.config.pluginmanager.get_plugin("terminalreporter")
    if report is not None:
        report.write_line(f"\n{title}")
        for name, found in sorted(counts.items()):
            report.write_line(f"  {name}: " + ", ".join(f"{k}={v}" for k, v in sorted(found.items())))


@needs_durable
def test_both_engines_agree_on_generated_policies_at_their_thresholds(request: pytest.FixtureRequest) -> None:
    """Generated policies, records on, just inside and just outside each threshold: every status and
    every outcome occurs, and durable-rules and the oracle give the same decision every time."""
    seen: Counter[str] = Counter()
    by_feature: dict[str, Counter[str]] = defaultdict(Counter)

    @settings(max_examples=examples(150), deadline=None, derandomize=examples(1) == 1, suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def agree(data: st.DataObject) -> None:
        _agree_on_generated(data, None, seen, by_feature)

    agree()
    _report(request, "generated-policy agreement, decisions by outcome and requirements by status, then by kind:", {"all": seen} | by_feature)
    assert {"outcome " + o for o in OUTCOMES} <= set(seen), seen
    assert {"status " + s for s in STATUSES} <= set(seen), seen


@needs_durable
@pytest.mark.parametrize("focus", ["lived_experience", "assessment", "agreement", "placement_bar", "age", "vetting", "time_in_role", "lapse"])
def test_both_engines_agree_at_the_thresholds_of_each_kind(request: pytest.FixtureRequest, focus: str) -> None:
    """Policies centred on one kind (every role has one) and records aimed at its thresholds: the kind is
    met, and missed in every way it can be (each option that changes how it is judged too), and the
    engines agree throughout -- not mostly "nothing fired"."""
    seen: Counter[str] = Counter()
    by_feature: dict[str, Counter[str]] = defaultdict(Counter)

    # vetting has the rarest threshold here, a check under the accessni scheme met: 3 times in 60
    # examples run alone, never in 60 after tests/test_decision_contract.py (which examples are drawn
    # changes with what ran before in the process: the same derandomized test drew other policies).
    # At 150 it was reached 14 and 29 times in those two orders.
    @settings(max_examples=examples(150 if focus == "vetting" else 60), deadline=None, derandomize=examples(1) == 1, suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def agree(data: st.DataObject) -> None:
        _agree_on_generated(data, focus, seen, by_feature)

    agree()
    ours = {feature: found for feature, found in by_feature.items() if feature.split()[0] == focus}
    _report(request, f"generated-policy agreement centred on {focus}, requirements by status:", ours)
    wanted = {feature: statuses for feature, statuses in FEATURE_STATUSES.items() if feature.split()[0] == focus}
    missing = {feature: sorted(statuses - set(by_feature[feature])) for feature, statuses in wanted.items() if not statuses <= set(by_feature[feature])}
    assert not missing, f"thresholds the generated records never reached: {missing}"


# What each kind (and each feature a policy can switch on) must reach in the generated-policy property:
# a threshold met and missed in the ways the kind can miss it ("missed": any status but met), so that
# agreement is checked where it matters.
FEATURE_STATUSES: dict[str, set[str]] = {
    "lived_experience": {"met", "blocked"},
    "assessment": {"met", "not_met"},
    "agreement": {"met", "owed", "missed"},
    "placement_bar": {"met", "not_met", "blocked"},
    "age at_most": {"met", "blocked"},
    "vetting": {"met", "pending", "review", "blocked"},
    "vetting dbs": {"met"},
    "vetting pvg": {"met"},
    "vetting accessni": {"met"},
    "vetting reuse window": {"met", "missed"},
    "vetting reuse_before start": {"missed"},
    "vetting reuse_before joining": {"missed"},
    "vetting new_application_at_start": {"owed"},
    "time_in_role spells latest": {"met", "missed"},
    "time_in_role spells all": {"met", "missed"},
    "time_in_role breaks_up_to": {"met", "missed"},
    "lapse": {"met", "pending", "review", "not_met"},
    "lapse way back": {"met", "not_met"},
}


def _features(document: dict[str, Any], role: str, from_role: str | None) -> dict[tuple[str, bool], tuple[str, ...]]:
    """(requirement id, judged for an activity) -> the features of that requirement, read from the generated
    policy's plain data: its kind, and the options that change how its threshold is judged."""
    items = [*document["roles"][role]["requires"], *document["roles"][role].get("ongoing", [])]
    items += [r for p in document.get("progressions", []) if p["to"] == role and p["from"] == from_role for r in p["requires"]]
    features: dict[tuple[str, bool], tuple[str, ...]] = {}
    for item in items:
        kind, tags = item["kind"], [item["kind"]]
        if kind == "age" and "at_most" in item:
            tags.append("age at_most")
        elif kind == "vetting":
            tags.append(f"vetting {item['scheme']}")
            if "reuse_if_issued_within" in item:
                tags += ["vetting reuse window", f"vetting reuse_before {item.get('reuse_before', 'start')}"]
                if item.get("on_reuse") == "new_application_at_start":
                    tags.append("vetting new_application_at_start")
        elif kind == "time_in_role":
            tags.append(f"time_in_role spells {item.get('spells', 'latest')}")
            if "breaks_up_to" in item:
                tags.append("time_in_role breaks_up_to")
        features[(item["id"], False)] = tuple(tags)
        if kind == "lapse":
            features[(item["id"], True)] = ("lapse way back",)
    return features


@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: p.id)
@PROPERTY_SETTINGS
@given(data=st.data())
def test_an_extra_qualification_training_or_approval_never_makes_a_decision_worse(policy: pathrules.LoadedPolicy, data: st.DataObject) -> None:
    record = data.draw(records(policy.policy))
    oracle, _ = EVALUATORS[policy.id]
    catalogue = sorted(policy.policy.catalogue)
    extra = data.draw(st.sampled_from(["qualification", "training", "approval"] if catalogue else ["approval"]))  # no catalogue: nothing to complete
    day = data.draw(st.integers(0, 400).map(lambda d: AS_OF - dt.timedelta(days=d)))
    if extra == "approval":
        added = record.model_copy(update={"approvals": [*record.approvals, Approval(item=data.draw(st.sampled_from(["declaration-and-risk-assessment", "case-management-access"])), approver=data.draw(st.sampled_from(["service-manager", "operations-manager", "volunteer-services"])), approved_on=day)]})
    else:
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
