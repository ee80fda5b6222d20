"""The Python engine remembers a check's labels per combination of whole-number facts
(src/pathrules/engine/remembered.py): what it remembers must never change an answer or let through
facts it would refuse, and it must stay bounded."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from example_counts import examples
from pathrules.engine.ir import Cmp, fact_problems, holds
from pathrules.engine.program import Check, Program, PythonEngine
from pathrules.engine.remembered import LIMIT
from pathrules.errors import EngineError
from strategies import FORM_FACTS, form_conditions, form_values, typed_values


def _expected(check: Check, facts: dict[str, Any]) -> frozenset[str] | None:
    """What running every condition on these facts gives, or None when the facts are refused."""
    if fact_problems(facts, check.types):
        return None
    return frozenset(label for label, condition in check.conditions if holds(condition, facts))


def _answer(program: Program, facts: dict[str, Any]) -> frozenset[str] | None:
    try:
        return PythonEngine().run(program, {"r0": facts})["r0"]
    except EngineError:
        return None


@st.composite
def _checks_and_facts(draw: st.DrawFn) -> tuple[Check, list[dict[str, Any]]]:
    """A check whose conditions are well typed, and a run of facts for it: mostly whole numbers that repeat
    (so answers are looked up), sometimes a boolean, a float, a text, a number past 2**53 - 1, a missing
    or an undeclared fact."""
    types: dict[str, Any] = {name: draw(st.sampled_from(["integer", "integer", "number", "text"])) for name in FORM_FACTS}
    labels = ("met", "pending", "review")
    conditions = []
    for label in labels[: draw(st.integers(1, 3))]:
        condition = draw(form_conditions(types))
        try:
            Program("pathrules_test_remembered_probe", (Check("r0", ((label, condition),), tuple(sorted(types.items()))),))
        except EngineError:
            continue  # an ill-typed condition is refused when the program is built, before any facts
        conditions.append((label, condition))
    check = Check("r0", tuple(conditions), tuple(sorted(types.items())))
    runs = []
    for _ in range(draw(st.integers(1, 12))):
        facts: dict[str, Any] = {}
        for name in FORM_FACTS:
            if draw(st.integers(0, 12)) == 0:
                continue  # missing
            odd = draw(st.integers(0, 15)) == 0
            facts[name] = draw(form_values() if odd else (st.integers(-2, 2) if types[name] != "text" else typed_values("text")))
        if draw(st.integers(0, 15)) == 0:
            facts["undeclared"] = 1
        runs.append(facts)
    return check, runs


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(_checks_and_facts(), st.integers(1, 3))
def test_remembered_answers_are_the_answers_running_the_conditions_gives(case: tuple[Check, list[dict[str, Any]]], passes: int) -> None:
    """Whatever came before (answers kept, facts refused), each run answers or refuses as running
    every condition on its own facts does."""
    check, runs = case
    program = Program("pathrules_test_remembered", (check,))
    for _ in range(passes):
        for facts in runs:
            assert _answer(program, facts) == _expected(check, facts), facts


def test_a_boolean_or_a_float_never_takes_the_answer_kept_for_its_whole_number() -> None:
    """``True == 1`` and ``1.0 == 1`` share a dictionary key; a boolean is still refused after 1 is
    remembered, and 1 still answers after a boolean was refused."""
    check = Check("r0", (("met", Cmp("a", "==", 1)),), (("a", "integer"),))
    program = Program("pathrules_test_remembered_bool", (check,))
    assert _answer(program, {"a": True}) is None
    assert _answer(program, {"a": 1}) == frozenset({"met"})
    assert _answer(program, {"a": True}) is None
    assert _answer(program, {"a": 2**53}) is None
    numbers = Program("pathrules_test_remembered_float", (Check("r0", (("met", Cmp("n", "<", 1)),), (("n", "number"),)),))
    assert _answer(numbers, {"n": 0}) == frozenset({"met"})
    assert _answer(numbers, {"n": 0.5}) == frozenset({"met"})
    assert _answer(numbers, {"n": 1}) == frozenset()
    assert _answer(numbers, {"n": 0.99}) == frozenset({"met"})  # not the answer kept for 0 or 1


def test_a_check_keeps_at_most_its_limit_of_answers_and_still_answers_past_it() -> None:
    check = Check("r0", (("met", Cmp("x", ">=", 100)), ("pending", Cmp("x", "==", LIMIT + 7))), (("x", "integer"),))
    program = Program("pathrules_test_remembered_limit", (check,))
    for x in range(LIMIT + 50):
        assert _answer(program, {"x": x}) == frozenset({"met"} if x >= 100 else set()) | ({"pending"} if x == LIMIT + 7 else set())
    assert len(check.remembered.known) == LIMIT
    assert _answer(program, {"x": LIMIT + 7}) == frozenset({"met", "pending"})  # past the limit: worked out, not kept
    assert len(check.remembered.known) == LIMIT


def test_answers_are_kept_only_when_every_check_s_facts_are_whole_numbers() -> None:
    """A program whose second check is given a float or a text works everything out and keeps nothing, so
    no answer is kept from facts that were not checked."""
    first = Check("r0", (("met", Cmp("a", ">", 0)),), (("a", "integer"),))
    second = Check("r1", (("met", Cmp("n", ">", 0)),), (("n", "number"),))
    program = Program("pathrules_test_remembered_mixed", (first, second))
    assert PythonEngine().run(program, {"r0": {"a": 1}, "r1": {"n": 0.5}}) == {"r0": frozenset({"met"}), "r1": frozenset({"met"})}
    assert len(first.remembered.known) == 0
    with pytest.raises(EngineError, match="`r1`"):
        PythonEngine().run(program, {"r0": {"a": 2}, "r1": {"n": True}})
    assert len(first.remembered.known) == 0
    assert PythonEngine().run(program, {"r0": {"a": 3}, "r1": {"n": 4}}) == {"r0": frozenset({"met"}), "r1": frozenset({"met"})}
    assert len(first.remembered.known) == len(second.remembered.known) == 1


@pytest.mark.parametrize("value", [None, [1], {"x": 1}, (1, [2]), 1.5, "1"])
def test_facts_of_another_shape_are_refused_as_before_without_running_a_condition(value: object) -> None:
    """A kind that hands over a value no condition may see (nothing, a list, a dict, a float where an
    integer is declared) gets the engine's own error, never a TypeError from a condition or the memo."""
    check = Check("r0", (("met", Cmp("a", ">", 0)),), (("a", "integer"),))
    program = Program("pathrules_test_remembered_shapes", (check,))
    with pytest.raises(EngineError, match="`r0`"):
        PythonEngine().run(program, {"r0": {"a": value}})  # type: ignore[dict-item]
    assert len(check.remembered.known) == 0


def test_a_mapping_that_answers_for_missing_keys_is_looked_up_only_with_exactly_its_declared_facts() -> None:
    """A Counter reads a missing fact as 0 where a condition reads it as missing: facts with an
    undeclared name in place of a declared one are refused, and nothing wrong is kept for later."""
    from collections import Counter

    check = Check("r0", (("met", Cmp("b", "!=", 0)), ("pending", Cmp("b", "==", 0))), (("a", "integer"), ("b", "integer")))
    program = Program("pathrules_test_remembered_counter", (check,))
    with pytest.raises(EngineError, match="`x`"):
        PythonEngine().run(program, {"r0": Counter({"a": 1, "x": 2})})
    assert PythonEngine().run(program, {"r0": {"a": 1, "b": 0}}) == {"r0": frozenset({"pending"})}
    assert PythonEngine().run(program, {"r0": Counter({"a": 1, "b": 0})}) == {"r0": frozenset({"pending"})}
