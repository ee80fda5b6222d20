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
from pathrules.kinds.base import KINDS, Context, RequirementBase, kind_name, kind_of
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
    assert all(kind_of(kind_name(m)).model is m for m in models)


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


_ENTRY = st.tuples(st.sampled_from(["first-aid", "safeguarding", "naloxone", "boundaries"]), st.integers(-400, 30))


@settings(max_examples=examples(200), deadline=None)
@given(
    st.one_of(st.lists(_ENTRY, max_size=10), st.lists(_ENTRY, min_size=64, max_size=150)),  # both sides of the switch to C
    st.integers(-30, 30),
)
def test_the_latest_completion_of_each_module_is_found_in_any_order_and_any_length(entries: list[tuple[str, int]], shift: int) -> None:
    """Short lists are indexed in a Python loop, long ones (a record may hold thousands) in C; both give
    each module's latest completion on or before the day, however the entries are ordered or repeated."""
    from pathrules.kinds.base import latest_per_id
    from pathrules.record.model import Completion

    as_of = AS_OF + dt.timedelta(days=shift)
    completions = [Completion(id=module, completed_on=AS_OF + dt.timedelta(days=days)) for module, days in entries]
    expected: dict[str, dt.date] = {}
    for c in completions:
        if c.completed_on <= as_of:
            expected[c.id] = max(expected.get(c.id, c.completed_on), c.completed_on)
    assert latest_per_id(completions, as_of) == expected


@settings(max_examples=examples(200), deadline=None)
@given(
    st.one_of(st.lists(_ENTRY, max_size=10), st.lists(_ENTRY, min_size=64, max_size=150)),
    st.integers(-30, 30),
)
def test_the_as_of_view_of_a_long_list_keeps_its_entries_days_and_latest_completions_right(entries: list[tuple[str, int]], shift: int) -> None:
    """The as-of view keeps a long list with each entry's day beside it, so that the latest completion
    per module need not read them again: what it keeps, the days beside them, and the latest
    completions read from them are those of the entries dated on or before the day, in their order."""
    from pathrules.kinds.base import latest_per_id
    from pathrules.record.as_of import as_it_stood
    from pathrules.record.dated import Dated
    from pathrules.record.model import Completion

    as_of = AS_OF + dt.timedelta(days=shift)
    completions = [Completion(id=module, completed_on=AS_OF + dt.timedelta(days=days)) for module, days in entries]
    record = pathrules.Record(person="p1", training=completions)
    view = as_it_stood(record, as_of)
    kept = [c for c in completions if c.completed_on <= as_of]
    assert view.training == kept
    assert [c is k for c, k in zip(view.training, kept)] == [True] * len(kept)
    assert isinstance(view.training, Dated) == (len(completions) >= 64)  # long lists carry their days
    if isinstance(view.training, Dated):
        assert view.training.days == [c.completed_on for c in kept]
    assert latest_per_id(view.training, as_of) == latest_per_id(completions, as_of)
    assert record.training == completions  # the record itself is untouched
