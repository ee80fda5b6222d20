"""The durable-rules fence: sessions, threads, compiled form, refusal of what it cannot do."""

from __future__ import annotations

import io
import itertools
import json
import os
import threading
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pathrules
from conftest import AS_OF, DURABLE, EXAMPLES, POLICIES, example, needs_durable
from example_counts import examples
from pathrules.cli.main import run
from pathrules.engine.durable_engine import MAX_RULES, DurableEngine, chunks, compile_condition, ruleset_definition
from pathrules.engine.ir import FALSE, TRUE, All, Any_, Cmp, Condition, FactType, Not, compile_holds, holds
from pathrules.engine.program import Check, Program, PythonEngine
from pathrules.errors import EngineError
from strategies import form_programs

_NAMES = itertools.count(1)
FORM_SETTINGS = settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _answer(engine: Any, types: dict[str, FactType], condition: Condition, facts: dict[str, Any]) -> tuple[str, bool | None]:
    """("met", True/False) from one engine, or ("refused", None) when the program or facts cannot be taken."""
    try:
        program = Program(f"pathrules_form_{next(_NAMES)}", (Check("r0", (("met", condition),), tuple(sorted(types.items()))),))
        return "answer", "met" in engine.run(program, {"r0": facts})["r0"]
    except EngineError:
        return "refused", None


@needs_durable
@FORM_SETTINGS
@given(form_programs())
def test_both_engines_give_every_condition_the_same_meaning_or_both_refuse_it(case: tuple[dict[str, FactType], Condition, dict[str, Any]]) -> None:
    types, condition, facts = case
    assert _answer(PythonEngine(), types, condition, facts) == _answer(DurableEngine(), types, condition, facts)


@pytest.mark.parametrize("engine", ["python", pytest.param("durable", marks=needs_durable)])
def test_a_comparison_on_a_missing_fact_is_false_even_under_not(engine: str) -> None:
    run_with = PythonEngine() if engine == "python" else DurableEngine()
    types: dict[str, FactType] = {"a": "integer", "s": "text"}
    assert _answer(run_with, types, Not(Cmp("a", "<=", 1)), {}) == ("answer", False)
    assert _answer(run_with, types, Not(Cmp("s", "==", "x")), {}) == ("answer", False)
    assert _answer(run_with, types, Not(Not(Cmp("a", "<=", 1))), {"a": 1}) == ("answer", True)
    assert _answer(run_with, types, Not(Any_((Cmp("a", ">", 5),))), {"a": 1}) == ("answer", True)


@pytest.mark.parametrize("engine", ["python", pytest.param("durable", marks=needs_durable)])
def test_conditions_and_facts_across_types_are_refused_before_either_engine(engine: str) -> None:
    run_with = PythonEngine() if engine == "python" else DurableEngine()
    types: dict[str, FactType] = {"a": "integer", "n": "number", "s": "text"}
    assert _answer(run_with, types, Cmp("a", "!=", "x"), {"a": 0}) == ("refused", None)  # number compared with text
    assert _answer(run_with, types, Cmp("s", "<", "x"), {"s": "a"}) == ("refused", None)  # text has no order
    assert _answer(run_with, types, Cmp("z", "==", 1), {}) == ("refused", None)  # undeclared fact
    assert _answer(run_with, types, Cmp("a", "==", True), {"a": 1}) == ("refused", None)  # booleans are 0/1
    assert _answer(run_with, types, Cmp("a", "==", 1), {"a": "1"}) == ("refused", None)  # fact of another type
    assert _answer(run_with, types, Cmp("n", "<", 2), {"n": 1.5}) == ("answer", True)
    assert _answer(run_with, types, Cmp("a", "==", 1.0), {"a": 1}) == ("answer", True)


@pytest.mark.parametrize("engine", ["python", pytest.param("durable", marks=needs_durable)])
@pytest.mark.parametrize("number", [1e-05, 1e16, float("inf"), float("-inf"), float("nan"), 2**53, -(2**63), 10**400])
def test_numbers_durable_rules_cannot_take_are_refused_before_it_sees_them(engine: str, number: float) -> None:
    run_with = PythonEngine() if engine == "python" else DurableEngine()
    types: dict[str, FactType] = {"n": "number"}
    assert _answer(run_with, types, Cmp("n", "<", 1), {"n": number}) == ("refused", None)  # a segfault (exit 139) before the fence
    assert _answer(run_with, types, Cmp("n", "<", number), {"n": 0}) == ("refused", None)


@needs_durable
def test_long_texts_that_differ_only_at_the_end_are_different() -> None:
    types: dict[str, FactType] = {"s": "text"}
    same_start = ("x" * 70_000 + "a", "x" * 70_000 + "b")  # durable-rules alone compares these equal
    assert _answer(DurableEngine(), types, Cmp("s", "==", same_start[0]), {"s": same_start[1]}) == ("answer", False)


def test_conditions_compile_to_durable_rules_data_with_not_pushed_down() -> None:
    condition = All((Cmp("recorded", "==", 1), Not(Any_((Cmp("elapsed", "<", 3), Cmp("flag", "==", 0))))))
    assert compile_condition(condition) == {"$and": [{"f_recorded": 1}, {"$and": [{"$gte": {"f_elapsed": 3}}, {"$neq": {"f_flag": 0}}]}]}
    assert compile_condition(TRUE) == {}
    assert compile_condition(FALSE) is None


@needs_durable
def test_all_of_none_holds_and_any_of_none_does_not_in_both_engines() -> None:
    program = Program("pathrules_test_empty_lists", (Check("r0", (("met", TRUE), ("pending", FALSE)), ()),))
    fired = DurableEngine().run(program, {"r0": {}})
    assert fired == {"r0": frozenset({"met"})}
    assert holds(TRUE, {}) and not holds(FALSE, {})


@needs_durable
def test_five_thousand_evaluations_leave_no_live_sessions(thornbury: pathrules.LoadedPolicy) -> None:
    evaluator = pathrules.Evaluator(thornbury, engine="durable")
    record = example("amira")
    for _ in range(5000):  # past durable-rules' 1,024 live sessions per ruleset if any were kept
        decision = evaluator.evaluate(record, "peer-mentor", as_of=AS_OF)
    assert decision.outcome == "conditional"
    program = evaluator._target(thornbury, "peer-mentor", "entry", None).program
    ruleset = DurableEngine._host.get_ruleset(program.name)
    for sid in range(1, 50):
        with pytest.raises(Exception):  # noqa: B017 - durable raises a bare error for a session that is gone
            ruleset.get_state(str(next(DurableEngine._sessions) - sid))


@needs_durable
def test_threads_sharing_one_evaluator_get_their_own_answers(policies: dict) -> None:
    evaluators = {pid: pathrules.Evaluator(p, engine="durable") for pid, p in policies.items()}
    oracle = {pid: pathrules.Evaluator(p, engine="python") for pid, p in policies.items()}
    people = [pathrules.load_record(f) for f in sorted(EXAMPLES.glob("*.yaml"))]
    jobs = [(pid, person, role) for pid, p in policies.items() for person in people for role in p.policy.roles]
    expected = {i: oracle[pid].evaluate(person, role, as_of=AS_OF).comparable() for i, (pid, person, role) in enumerate(jobs)}
    results: dict[int, dict] = {}  # type: ignore[type-arg]
    errors: list[BaseException] = []

    def work(offset: int) -> None:
        try:
            for _ in range(3):
                for i in range(offset, len(jobs), 4):
                    pid, person, role = jobs[i]
                    results[i] = evaluators[pid].evaluate(person, role, as_of=AS_OF).comparable()
                    assert results[i] == expected[i]
        except BaseException as err:  # noqa: BLE001 - reported below
            errors.append(err)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert results == expected


def test_a_policy_too_large_for_durable_rules_is_refused_clearly() -> None:
    checks = tuple(Check(f"r{i}", (("met", Cmp("x", ">=", i)),), (("x", "integer"),)) for i in range(MAX_RULES + 1))
    with pytest.raises(EngineError, match="hangs past about 500"):
        ruleset_definition(Program("too_big", checks), lambda key, label: (lambda c: None))


@needs_durable
def test_reloading_the_same_policy_reuses_its_ruleset(thornbury: pathrules.LoadedPolicy) -> None:
    again = pathrules.load_policy(POLICIES / "thesis-appendix-organisation.yaml")
    first = pathrules.Evaluator(thornbury, engine="durable").evaluate(example("esther"), "volunteer", as_of=AS_OF)
    second = pathrules.Evaluator(again, engine="durable").evaluate(example("esther"), "volunteer", as_of=AS_OF)
    assert first == second


def test_check_json_has_the_documented_keys() -> None:
    out, err = io.StringIO(), io.StringIO()
    code = run(["check", str(EXAMPLES / "amira.yaml"), "--policy", str(POLICIES / "thesis-appendix-organisation.yaml"), "--role", "peer-mentor", "--as-of", "2026-11-23", "--json"], out, err)
    data = json.loads(out.getvalue())
    assert code == 0
    assert {"outcome", "eligible_from", "eligible_until", "requirements", "activities", "next_steps", "policy", "as_of"} <= set(data)
    assert {"id", "kind", "status", "reason", "evidence"} <= set(data["requirements"][0])
    assert {"id", "version", "digest"} <= set(data["policy"])
    assert data["outcome"] == "conditional"


@pytest.mark.parametrize(("person", "policy", "role", "outcome", "exit_code"), [
    ("amira", "thesis-appendix-organisation", "peer-mentor", "conditional", 20),
    ("ben", "howard-league-service-a", "peer-mentor", "not_yet", 22),
    ("chloe", "howard-league-service-a", "peer-mentor", "review", 23),
    ("dev", "thesis-appendix-organisation", "volunteer", "not_yet", 22),
    ("esther", "thesis-appendix-organisation", "volunteer", "conditional", 20),
    ("esther", "thesis-appendix-organisation", "volunteer-counsellor", "pending", 21),
    ("farid", "thesis-appendix-organisation", "peer-mentor", "conditional", 20),
    ("grace", "sharps-harm-reduction", "peer-navigator", "eligible", 0),  # the caseload over the cap is the service's
    ("hana", "sharps-harm-reduction", "peer-navigator", "not_yet", 22),
    ("ivan", "howard-league-service-b", "peer-mentor", "eligible", 0),
    ("nadia", "thesis-appendix-organisation", "peer-mentor", "conditional", 20),
    ("owen", "thesis-appendix-organisation", "peer-mentor", "ineligible", 24),
    ("jo", "howard-league-service-b", "peer-mentor", "not_yet", 22),
    ("kofi", "howard-league-service-a", "peer-mentor", "eligible", 0),  # in post: no time limit on mentors
    ("mo", "howard-league-service-a", "peer-mentor", "ineligible", 24),
])
def test_check_gives_each_example_its_outcome_and_exit_code(person: str, policy: str, role: str, outcome: str, exit_code: int) -> None:
    out, err = io.StringIO(), io.StringIO()
    code = run(["check", str(EXAMPLES / f"{person}.yaml"), "--policy", str(POLICIES / f"{policy}.yaml"), "--role", role, "--as-of", "2026-11-23", "--exit-code"], out, err)
    assert code == exit_code, err.getvalue()
    text = out.getvalue()
    assert "\x1b[" not in text  # not a terminal: no colour codes
    from pathrules.vocabulary import heading

    stage = "continuation" if person in ("farid", "grace", "kofi") else "entry"  # all three already in post
    assert text.startswith(heading(outcome, stage))  # type: ignore[arg-type]


def test_a_bad_record_is_a_located_error_without_its_values(tmp_path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.yaml"
    bad.write_text("person: x\nsubstance_use:\n  - {substance: alcohol, last_use: last tuesday}\n")
    out, err = io.StringIO(), io.StringIO()
    code = run(["check", str(bad), "--policy", str(POLICIES / "howard-league-service-b.yaml"), "--role", "peer-mentor"], out, err)
    assert code == 1
    assert "bad.yaml:3:" in err.getvalue() and "substance_use[0].last_use" in err.getvalue()
    assert "last tuesday" not in err.getvalue()
    assert "Traceback" not in err.getvalue()


def test_unknown_role_and_no_policy_in_force_are_clear_errors(thornbury: pathrules.LoadedPolicy) -> None:
    evaluator = pathrules.Evaluator(thornbury)
    with pytest.raises(pathrules.EvaluationError, match="no role `mentor`"):
        evaluator.evaluate(example("amira"), "mentor", as_of=AS_OF)
    with pytest.raises(pathrules.EvaluationError, match="earliest version starts on 2026-01-01"):
        evaluator.evaluate(example("amira"), "peer-mentor", as_of=AS_OF.replace(year=2025))


def test_the_version_in_force_on_the_as_of_date_is_used(thornbury: pathrules.LoadedPolicy) -> None:
    text = (POLICIES / "thesis-appendix-organisation.yaml").read_text()
    newer = pathrules.load_policy_text(text.replace('version: "2026.1"', 'version: "2027.1"').replace("effective_from: 2026-01-01", "effective_from: 2027-01-01").replace("at_least: 3 months\n        discretionary: true\n        because: >", "at_least: 6 months\n        discretionary: true\n        because: >", 1))
    evaluator = pathrules.Evaluator([thornbury, newer])
    assert evaluator.evaluate(example("amira"), "peer-mentor", as_of=AS_OF).policy.version == "2026.1"
    assert evaluator.evaluate(example("amira"), "peer-mentor", as_of=AS_OF.replace(year=2027)).policy.version == "2027.1"


def test_the_public_api_is_what_the_readme_shows() -> None:
    assert pathrules.__all__ == sorted(pathrules.__all__)
    for name in ("load_policy", "load_policies", "load_record", "Evaluator", "evaluate", "render_text", "to_json", "Decision"):
        assert name in pathrules.__all__


LOOKALIKE_POLICY = """\
policy: lookalikes
organisation: Test
version: "1"
effective_from: 2026-01-01
roles:
  peer-mentor: {title: Peer Mentor (hyphen), requires: [{id: adult, kind: age, at_least: 18}]}
  peer_mentor: {title: Peer Mentor (underscore), requires: [{id: older, kind: age, at_least: 30}]}
  a: {title: A}
  b-c: {title: B-C}
  a-b: {title: A-B}
  c: {title: C}
progressions:
  - {from: a, to: b-c, requires: [{id: adult, kind: age, at_least: 18}]}
  - {from: a-b, to: c, requires: [{id: older, kind: age, at_least: 30}]}
"""


@needs_durable
def test_targets_whose_names_differ_only_by_punctuation_get_their_own_rulesets() -> None:
    policy = pathrules.load_policy_text(LOOKALIKE_POLICY, "lookalikes.yaml")
    person = {"person": "p", "date_of_birth": "2001-01-01"}  # 25 on the day
    durable, oracle = pathrules.Evaluator(policy, engine="durable"), pathrules.Evaluator(policy, engine="python")
    for role, from_role, outcome in [("peer-mentor", None, "eligible"), ("peer_mentor", None, "not_yet"), ("b-c", "a", "eligible"), ("c", "a-b", "not_yet")]:
        decision = durable.evaluate(person, role, as_of=AS_OF, from_role=from_role)
        assert decision.outcome == outcome, (role, from_role)
        assert decision.comparable() == oracle.evaluate(person, role, as_of=AS_OF, from_role=from_role).comparable()


@needs_durable
def test_a_ruleset_name_taken_by_another_program_is_refused() -> None:
    types = (("x", "integer"),)
    first = Program("pathrules_test_taken", (Check("r0", (("met", Cmp("x", ">=", 1)),), types),))
    other = Program("pathrules_test_taken", (Check("r0", (("met", Cmp("x", ">=", 2)),), types),))
    assert DurableEngine().run(first, {"r0": {"x": 1}}) == {"r0": frozenset({"met"})}
    with pytest.raises(EngineError, match="registered for another target"):
        DurableEngine().run(other, {"r0": {"x": 1}})


RATIO_POLICY = """\
policy: ratios
organisation: Test
version: "1"
effective_from: 2026-01-01
attributes:
  ratio: {type: number, title: the ratio}
roles:
  helper:
    title: Helper
    requires:
      - id: small-ratio
        kind: expression
        expression: {attribute: ratio, at_most: RATIO}
"""


def _cli(tmp_path: Any, *argv: str) -> Any:
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "pathrules.cli.main", *argv], capture_output=True, text=True, cwd=tmp_path, timeout=120)


@pytest.mark.parametrize("cell", ["1.0e-05", "1.0E-05", "1.0e+16", ".inf", ".nan", "1e400"])
def test_a_number_durable_rules_cannot_parse_in_a_record_is_an_answer_not_a_crash(tmp_path: Any, cell: str) -> None:
    (tmp_path / "policy.yaml").write_text(RATIO_POLICY.replace("RATIO", "0.5"))
    (tmp_path / "person.yaml").write_text(f"person: p\nattributes: {{ratio: {cell}}}\n")
    done = _cli(tmp_path, "check", "person.yaml", "--policy", "policy.yaml", "--role", "helper", "--as-of", "2026-11-23", "--engine", "durable" if DURABLE else "python", "--json")
    assert done.returncode in (0, 1), done.stderr  # never 3, never a signal (durable-rules segfaulted: -11)
    if done.returncode == 0:
        assert json.loads(done.stdout)["outcome"] == "not_yet"  # not a number pathrules can compare: unmet, never guessed


@pytest.mark.parametrize("constant", ["1.0e-05", "1.0e+16", ".inf", "-.inf", ".nan"])
def test_a_number_no_engine_can_compare_in_a_policy_is_a_located_error(tmp_path: Any, constant: str) -> None:
    (tmp_path / "policy.yaml").write_text(RATIO_POLICY.replace("RATIO", constant))
    done = _cli(tmp_path, "validate", "policy.yaml")
    assert done.returncode == 1, done.stderr
    assert "policy.yaml:13:" in done.stderr and "at_most" in done.stderr


def _resident_megabytes() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


@needs_durable
@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="resident memory is read from /proc")
def test_compiled_rulesets_are_bounded_and_their_memory_released(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(DurableEngine, "max_rulesets", 4)
    types = (("x", "integer"),)

    def program(n: int) -> Program:  # about half a megabyte inside durable-rules each
        return Program(f"pathrules_test_bound_{n}", tuple(Check(f"r{k}", (("met", All((Cmp("x", ">=", k), Cmp("x", "!=", n)))),), types) for k in range(30)))

    engine = DurableEngine()
    for n in range(20):
        engine.run(program(n), {f"r{k}": {"x": 3} for k in range(30)})
    settled = _resident_megabytes()
    for n in range(20, 220):  # kept, these would take about 100 MB
        assert engine.run(program(n), {f"r{k}": {"x": 3} for k in range(30)})["r3"] == frozenset({"met"})
    assert _resident_megabytes() - settled < 25
    assert len(DurableEngine._registered) == 4


@FORM_SETTINGS
@given(form_programs())
def test_compiled_conditions_mean_what_the_oracle_means(case: tuple[dict[str, FactType], Condition, dict[str, Any]]) -> None:
    """The Python engine runs conditions compiled once per target; they must mean what ``holds`` means."""
    _, condition, facts = case
    assert compile_holds(condition)(facts) == holds(condition, facts)


@needs_durable
def test_requirements_share_engine_facts_up_to_the_property_limit_and_still_agree() -> None:
    """durable-rules gets one fact per chunk of requirements; chunks split where a fact would grow too wide."""
    wide = tuple((f"x{j}", "integer") for j in range(90))
    checks = tuple(Check(f"r{i}", (("met", Cmp("x0", ">=", i)), ("pending", Cmp("x89", "==", 1))), wide) for i in range(5))  # type: ignore[misc]
    program = Program("pathrules_test_chunks", checks)
    assert chunks(program) == ((0, 1), (2, 3), (4,))
    facts = {f"r{i}": {f"x{j}": (i + j) % 3 for j in range(90)} for i in range(5)}
    assert DurableEngine().run(program, facts) == PythonEngine().run(program, facts)
    assert DurableEngine().run(program, facts) != {check.key: frozenset() for check in checks}


@needs_durable
def test_a_fact_never_carries_more_rules_than_durable_rules_can_match() -> None:
    """Past 64 rules matching one fact durable-rules fails (error 303): chunks stay below it."""
    checks = tuple(Check(f"r{i}", (("met", Cmp("x", ">=", 0)), ("pending", Cmp("x", "==", 1))), (("x", "integer"),)) for i in range(60))
    program = Program("pathrules_test_many_rules", checks)
    assert all(sum(len(checks[i].conditions) for i in chunk) < 64 for chunk in chunks(program))
    facts = {f"r{i}": {"x": 1} for i in range(60)}
    assert DurableEngine().run(program, facts) == PythonEngine().run(program, facts) == {f"r{i}": frozenset({"met", "pending"}) for i in range(60)}


_FACT_VALUES = st.one_of(
    st.integers(min_value=-(2**60), max_value=2**60),
    st.integers(min_value=-5, max_value=5),
    st.booleans(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=3),
)


@settings(max_examples=examples(300), deadline=None)
@given(
    declared=st.dictionaries(st.sampled_from(["a", "b", "c", "d"]), st.sampled_from(["integer", "number", "text"]), max_size=4),
    facts=st.dictionaries(st.sampled_from(["a", "b", "c", "d", "e"]), _FACT_VALUES, max_size=5),
)
def test_facts_reach_an_engine_only_when_every_one_is_declared_and_fits_its_type(declared: dict[str, str], facts: dict[str, object]) -> None:
    """The fast path for whole numbers refuses exactly what the fact-by-fact check refuses: undeclared
    facts, booleans, numbers past 2**53 - 1, text where a number is declared, and so on."""
    from pathrules.engine.ir import fact_problems
    from pathrules.engine.program import checked_facts

    program = Program("pathrules_test_facts", (Check("r0", (), tuple(declared.items())),))  # type: ignore[arg-type]
    problems = fact_problems(facts, declared)  # type: ignore[arg-type]
    if problems:
        with pytest.raises(EngineError):
            checked_facts(program, {"r0": facts})  # type: ignore[dict-item]
    else:
        assert checked_facts(program, {"r0": facts}) == {"r0": facts}  # type: ignore[dict-item]


@settings(max_examples=examples(300), deadline=None)
@given(
    checks=st.lists(
        st.tuples(
            st.dictionaries(st.sampled_from(["a", "b", "c"]), st.sampled_from(["integer", "number", "text"]), max_size=3),
            st.none() | st.dictionaries(st.sampled_from(["a", "b", "c", "d"]), _FACT_VALUES, max_size=4),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_a_program_s_facts_are_refused_at_the_first_check_whose_facts_are_missing_or_do_not_fit(
    checks: list[tuple[dict[str, str], dict[str, object] | None]],
) -> None:
    """All of a program's facts are checked at once when every value is a declared whole number; when
    one is not, the error names the first requirement (in the program's order) whose facts are absent
    or do not fit, as checking them one by one does."""
    from pathrules.engine.ir import fact_problems
    from pathrules.engine.program import checked_facts

    program = Program("pathrules_test_checks", tuple(Check(f"r{i}", (), tuple(declared.items())) for i, (declared, _) in enumerate(checks)))  # type: ignore[arg-type]
    facts = {f"r{i}": given for i, (_, given) in enumerate(checks) if given is not None}
    first_wrong = next((f"r{i}" for i, (declared, given) in enumerate(checks) if given is None or fact_problems(given, declared)), None)  # type: ignore[arg-type]
    if first_wrong is None:
        assert checked_facts(program, facts) == facts  # type: ignore[arg-type]
    else:
        with pytest.raises(EngineError, match=f"`{first_wrong}`"):
            checked_facts(program, facts)  # type: ignore[arg-type]
