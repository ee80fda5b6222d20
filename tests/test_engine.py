"""The durable-rules fence: sessions, threads, compiled form, refusal of what it cannot do."""

from __future__ import annotations

import io
import json
import threading

import pytest

import pathrules
from conftest import AS_OF, EXAMPLES, POLICIES, example, needs_durable
from pathrules.cli.main import run
from pathrules.engine.durable_engine import MAX_RULES, DurableEngine, compile_condition, ruleset_definition
from pathrules.engine.ir import FALSE, TRUE, All, Any_, Cmp, Not, holds
from pathrules.engine.program import Check, Program
from pathrules.errors import EngineError


def test_conditions_compile_to_durable_rules_data_with_not_pushed_down() -> None:
    condition = All((Cmp("recorded", "==", 1), Not(Any_((Cmp("elapsed", "<", 3), Cmp("flag", "==", 0))))))
    assert compile_condition(condition) == {"$and": [{"f_recorded": 1}, {"$and": [{"$gte": {"f_elapsed": 3}}, {"$neq": {"f_flag": 0}}]}]}
    assert compile_condition(TRUE) == {}
    assert compile_condition(FALSE) is None


@needs_durable
def test_all_of_none_holds_and_any_of_none_does_not_in_both_engines() -> None:
    program = Program("pathrules_test_empty_lists", (Check("r0", (("met", TRUE), ("pending", FALSE))),))
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
    checks = tuple(Check(f"r{i}", (("met", Cmp("x", ">=", i)),)) for i in range(MAX_RULES + 1))
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
    ("farid", "thesis-appendix-organisation", "peer-mentor", "eligible", 0),
    ("grace", "sharps-harm-reduction", "peer-navigator", "not_yet", 22),
    ("hana", "sharps-harm-reduction", "peer-navigator", "not_yet", 22),
    ("ivan", "howard-league-service-b", "peer-mentor", "eligible", 0),
    ("nadia", "thesis-appendix-organisation", "peer-mentor", "conditional", 20),
    ("owen", "thesis-appendix-organisation", "peer-mentor", "ineligible", 24),
    ("jo", "howard-league-service-b", "peer-mentor", "not_yet", 22),
    ("kofi", "howard-league-service-a", "paid-peer-worker", "eligible", 0),
    ("mo", "howard-league-service-a", "peer-mentor", "ineligible", 24),
])
def test_check_gives_each_example_its_outcome_and_exit_code(person: str, policy: str, role: str, outcome: str, exit_code: int) -> None:
    out, err = io.StringIO(), io.StringIO()
    code = run(["check", str(EXAMPLES / f"{person}.yaml"), "--policy", str(POLICIES / f"{policy}.yaml"), "--role", role, "--as-of", "2026-11-23", "--exit-code"], out, err)
    assert code == exit_code, err.getvalue()
    text = out.getvalue()
    assert "\x1b[" not in text  # not a terminal: no colour codes
    from pathrules.evaluation.render import HEADINGS

    assert text.startswith(HEADINGS[outcome])


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
