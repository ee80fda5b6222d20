"""The kinds registry: every requirement model has exactly one kind, and each kind keeps its promises."""

from __future__ import annotations

import datetime as dt
import typing

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pathrules
from conftest import AS_OF, shipped_policies
from example_counts import examples
from pathrules.engine.ir import FactType, FactValue, facts_used
from pathrules.kinds.base import KIND_NAMES, KINDS, Context, RequirementBase, kind_name, kind_of
from pathrules.policy.requirements import RequirementItem
from strategies import records

POLICIES = shipped_policies()


def _all_models(cls: type[RequirementBase]) -> set[type[RequirementBase]]:
    found: set[type[RequirementBase]] = set()
    for sub in cls.__subclasses__():
        found |= {sub} | _all_models(sub)
    return found


def test_every_requirement_model_has_a_kind_and_every_kind_a_model() -> None:
    models = {m for m in _all_models(RequirementBase) if "kind" in m.model_fields}
    assert models == set(KINDS)
    assert all(kind.model is model for model, kind in KINDS.items())
    assert {kind_name(m) for m in models} == set(KIND_NAMES)


def test_the_policy_union_is_built_from_the_registry() -> None:
    union = typing.get_args(RequirementItem)[0]
    members = {typing.get_args(member)[0] for member in typing.get_args(union)}
    assert members - set(KINDS) == {pathrules.policy.requirements.GroupRef}
    assert set(KINDS) <= members


def _conforms(value: FactValue, declared: FactType) -> bool:
    if isinstance(value, bool):
        return False
    if declared == "integer":
        return isinstance(value, int)
    if declared == "number":
        return isinstance(value, (int, float))
    return isinstance(value, str)


@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: p.id)
@settings(max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_derived_facts_are_exactly_the_declared_ones_with_their_types(policy: pathrules.LoadedPolicy, data: st.DataObject) -> None:
    record = data.draw(records(policy.policy))
    as_of = data.draw(st.integers(-200, 200).map(lambda d: AS_OF + dt.timedelta(days=d)))
    ctx = Context(record, policy.policy, as_of, as_of)
    for role in policy.policy.roles.values():
        for requirement in policy.policy.expand(role.requires + role.ongoing):
            kind = kind_of(requirement)
            declared = kind.fact_types(requirement, policy.policy)
            derived = kind.derive(requirement, ctx)
            assert set(derived.facts) == set(declared)
            assert all(_conforms(derived.facts[name], declared[name]) for name in declared), derived.facts
            used = {f for c in kind.conditions(requirement, policy.policy).values() for f in facts_used(c)}
            assert used <= set(declared)
