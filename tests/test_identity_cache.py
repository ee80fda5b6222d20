"""What pathrules works out once per policy, requirement or program is worked out once per object,
never shared between objects that are merely equal, and never handed to a later object that happens
to get a freed object's id (pathrules.identity_cache)."""

from __future__ import annotations

import gc

from hypothesis import given, settings
from hypothesis import strategies as st

import pathrules
from conftest import shipped_policies
from example_counts import examples
from pathrules.evaluation.letter import Plain
from pathrules.identity_cache import ByIdentity


class Thing:
    def __init__(self, value: int) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Thing) and other.value == self.value

    __hash__ = None  # type: ignore[assignment]  # like a pydantic model: compared by value, not hashable


@settings(max_examples=examples(200), deadline=None)
@given(calls=st.lists(st.tuples(st.integers(0, 5), st.integers(0, 2)), max_size=40), size=st.integers(1, 8))
def test_each_combination_of_objects_is_worked_out_once_while_kept_and_never_mixed_with_an_equal_one(calls: list[tuple[int, int]], size: int) -> None:
    firsts = [Thing(0) for _ in range(6)]  # equal values, distinct objects
    seconds = [Thing(i) for i in range(3)]
    worked_out: list[tuple[int, int]] = []

    def compute(first: Thing, second: Thing) -> tuple[int, int]:
        worked_out.append((id(first), id(second)))
        return id(first), id(second)

    cache: ByIdentity[Thing, Thing, tuple[int, int]] = ByIdentity(compute, size=size)
    for a, b in calls:
        assert cache(firsts[a], seconds[b]) == (id(firsts[a]), id(seconds[b]))  # its own value, never an equal object's
        assert len(cache) <= size
    if len({*calls}) <= size:  # everything fitted: each combination was worked out once
        assert sorted(worked_out) == sorted({(id(firsts[a]), id(seconds[b])) for a, b in calls})


def test_an_object_held_by_the_cache_keeps_its_id_so_no_later_object_can_be_mistaken_for_it() -> None:
    cache: ByIdentity[Thing, int] = ByIdentity(lambda thing: thing.value)
    for value in range(50):
        assert cache(Thing(value)) == value  # each new object gets its own value even where ids are reused
        gc.collect()


def test_the_person_s_words_follow_the_policy_object_they_are_asked_for() -> None:
    """Two loaded policies that differ only in a role's title: each letter uses its own policy's title."""
    loaded = shipped_policies()[0]
    role_id, role = next(iter(loaded.policy.roles.items()))
    renamed = loaded.policy.model_copy(update={"roles": {**loaded.policy.roles, role_id: role.model_copy(update={"title": "Renamed role"})}})
    record = pathrules.Record(person="p1")
    assert Plain(loaded.policy, record)(f"about {role_id}") == f"about {role.title}"
    assert Plain(renamed, record)(f"about {role_id}") == "about Renamed role"
    assert Plain(loaded.policy, record)(f"about {role_id}") == f"about {role.title}"
