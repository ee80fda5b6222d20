"""pathrules runs durable-rules' actions itself (issue 14): the same rules fire as under the stock host,
and a failure mid-way is an engine error that leaves nothing behind."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

import pathrules
from conftest import AS_OF, example, needs_durable
from example_counts import examples
from pathrules.engine import durable_engine
from pathrules.engine.durable_engine import DurableEngine, _fire, _rule_fired, ruleset_definition
from pathrules.engine.ir import Condition, FactType
from pathrules.engine.program import Check, Program
from pathrules.errors import EngineError
from strategies import form_conditions, form_programs

_NAMES = itertools.count(1)
_SIDS = itertools.count(1)


def _program(types: dict[str, FactType], conditions: list[Condition]) -> Program:
    """Checks sharing one set of facts, several labels each, so one fact fires several rules."""
    declared = tuple(sorted(types.items()))
    checks = tuple(
        Check(f"r{i}", tuple((label, condition) for label, condition in zip(("met", "pending", "blocked"), conditions[i:] + conditions[:i])), declared)
        for i in range(len(conditions))
    )
    return Program(f"pathrules_actions_{next(_NAMES)}", checks)


def _stock_firings(program: Program, documents: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """The rules fired when durable-rules' own host runs the actions (its callbacks note each one)."""
    fired: list[tuple[str, str]] = []
    host = durable_engine._quiet_host()
    name = "stock_" + program.name
    host.register_rulesets({name: ruleset_definition(program, lambda key, label: lambda _c: fired.append((key, label)))})
    sid = str(next(_SIDS))
    try:
        host.assert_facts(name, [{**d, "sid": sid} for d in documents])
    finally:
        host.delete_state(name, sid)
        host.forget(name)
    return fired


def _own_firings(program: Program, documents: list[dict[str, Any]]) -> list[tuple[str, str]]:
    handle, known = DurableEngine()._ensure(program)[1:]
    sid = "own" + str(next(_SIDS))
    try:
        return _fire(handle, [{**d, "sid": sid} for d in documents], known)
    finally:
        durable_engine._native.delete_state(handle, sid)


@needs_durable
@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data())
def test_pathrules_fires_the_rules_the_stock_host_fires_in_the_same_order(data: st.DataObject) -> None:
    types, first, facts = data.draw(form_programs())
    conditions = [first, *data.draw(st.lists(form_conditions(types), max_size=3))]  # over the same facts, so several fire
    try:
        program = _program(types, conditions)
        documents = DurableEngine().documents(program, {check.key: facts for check in program.checks})
        ruleset_definition(program, lambda key, label: lambda _c: None)
    except EngineError:
        assume(False)  # refused before durable-rules sees it, on either path
    own = _own_firings(program, documents)
    event(f"{len(own)} rules fired")
    assert own == _stock_firings(program, documents)


@given(st.text(max_size=30), st.dictionaries(st.text(max_size=5), st.integers() | st.text(max_size=10), max_size=4))
def test_the_rule_an_action_is_for_is_read_whatever_its_name_holds(name: str, fact: dict[str, Any]) -> None:
    message = json.dumps({name: {"sid": "1", **fact}}, ensure_ascii=False)
    assert _rule_fired(message, {name: ("r0", "met")}) == ("r0", "met")


def test_a_rule_whose_name_needs_escaping_is_never_taken_for_another() -> None:
    """Read from the text, `c0_a\\"b` would end at the escaped quote and look like `c0_a\\`."""
    known = {'c0_a\\': ("r0", "met"), 'c0_a"b': ("r1", "met")}
    assert _rule_fired(json.dumps({'c0_a"b': {"sid": "1"}}), known) == ("r1", "met")
    assert _rule_fired(json.dumps({"c0_a\\": {"sid": "1"}}), known) == ("r0", "met")


def test_an_action_for_a_rule_pathrules_did_not_register_is_an_engine_error() -> None:
    with pytest.raises(EngineError, match="did not register"):
        _rule_fired('{"c0_other":{"sid":"1"}}', {"c0_met": ("r0", "met")})
    with pytest.raises(EngineError, match="did not register"):
        _rule_fired("[]", {"c0_met": ("r0", "met")})


class _FailingOnce:
    """durable-rules' native module, with one call failing the first time it is made."""

    def __init__(self, native: Any, failing: str) -> None:
        self._native, self._failing, self.abandoned, self.deleted = native, failing, 0, 0

    def __getattr__(self, name: str) -> Any:
        call = getattr(self._native, name)
        if name == self._failing:
            def fail(*args: Any) -> Any:
                self._failing = ""
                raise RuntimeError("native call failed")

            return fail
        if name in ("abandon_action", "delete_state"):
            def counted(*args: Any) -> Any:
                if name == "abandon_action":
                    self.abandoned += 1
                else:
                    self.deleted += 1
                return call(*args)

            return counted
        return call


@needs_durable
@pytest.mark.parametrize("failing", ["update_state", "complete_and_start_action"])
def test_a_native_failure_mid_evaluation_is_an_engine_error_and_the_next_evaluation_is_whole(
    monkeypatch: pytest.MonkeyPatch, thornbury: pathrules.LoadedPolicy, failing: str
) -> None:
    evaluator = pathrules.Evaluator(thornbury, engine="durable")
    record = example("amira")
    expected = evaluator.evaluate(record, "peer-mentor", as_of=AS_OF).to_json_data()
    native = _FailingOnce(durable_engine._native, failing)
    monkeypatch.setattr(durable_engine, "_native", native)
    with pytest.raises(EngineError, match="durable-rules failed on .*native call failed"):
        evaluator.evaluate(record, "peer-mentor", as_of=AS_OF)
    assert native.abandoned == 1  # the action started is handed back, as the stock host does
    assert native.deleted == 1  # and the session is deleted
    again = evaluator.evaluate(record, "peer-mentor", as_of=AS_OF).to_json_data()
    assert {k: v for k, v in again.items() if k != "evaluated_at"} == {k: v for k, v in expected.items() if k != "evaluated_at"}
