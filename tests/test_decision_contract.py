"""The decision JSON contract holds while evaluation is optimised.

tests/fixtures/decisions/snapshot.json.gz holds the decisions of every shipped example x policy x role
(and progression), as main decided them before the evaluator was made lazy (written by
tests/fixtures/decisions/snapshot.py from main's code; main's two engines wrote the same file). Every
decision today, on every engine, must serialise to exactly that JSON, key order included (less
``engine``, which names who decided), and render to exactly that text.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import pytest

import pathrules

from conftest import AS_OF, ENGINE_NAMES, EXAMPLES, ROOT

sys.path.insert(0, str(ROOT / "tests" / "fixtures" / "decisions"))
from snapshot import cases, key_of, load, stored  # noqa: E402

SNAPSHOT = load()


@pytest.fixture(scope="module")
def evaluators() -> dict[tuple[str, str], pathrules.Evaluator]:
    policies = pathrules.load_policies(ROOT / "policies")
    return {(p.id, engine): pathrules.Evaluator(p, engine=engine) for p in policies for engine in ENGINE_NAMES}  # type: ignore[arg-type]


def test_the_snapshot_covers_every_shipped_policy_example_and_target() -> None:
    assert sorted(SNAPSHOT) == sorted(key_of(*case) for case in cases())
    assert len(SNAPSHOT) > 200
    outcomes = {entry["json"]["outcome"] for entry in SNAPSHOT.values()}
    assert {"eligible", "not_yet", "conditional", "review", "ineligible"} <= outcomes, outcomes


@pytest.mark.parametrize("engine", ENGINE_NAMES)
def test_every_shipped_decision_serialises_to_exactly_the_snapshot_json_and_text(engine: str, evaluators: dict[tuple[str, str], pathrules.Evaluator]) -> None:
    differ: list[str] = []
    for policy_id, example, role, from_role in cases():
        key = key_of(policy_id, example, role, from_role)
        decision = evaluators[policy_id, engine].evaluate(EXAMPLES / f"{example}.yaml", role, as_of=AS_OF, from_role=from_role)
        assert decision.engine.name == {"python": "python", "durable": "durable-rules"}[engine], key
        now, before = stored(decision), SNAPSHOT[key]
        if json.dumps(now["json"]) != json.dumps(before["json"]):
            differ.append(f"{key}: JSON at {_first_difference(before['json'], now['json'])}")
        if now["text"] != before["text"]:
            differ.append(f"{key}: text")
    assert not differ, f"{len(differ)} differ from the snapshot, e.g. {differ[:5]}"


def _first_difference(before: Any, now: Any, where: str = "") -> str | None:
    """Where two JSON values first differ (for a readable failure)."""
    if isinstance(before, dict) and isinstance(now, dict):
        if list(before) != list(now):
            return f"{where}: keys {list(before)} became {list(now)}"
        for k in before:
            found = _first_difference(before[k], now[k], f"{where}.{k}")
            if found:
                return found
        return None
    if isinstance(before, list) and isinstance(now, list) and len(before) == len(now):
        for i, (a, b) in enumerate(zip(before, now)):
            found = _first_difference(a, b, f"{where}[{i}]")
            if found:
                return found
        return None
    return None if before == now and type(before) is type(now) else f"{where}: {before!r} became {now!r}"


def test_a_changed_decision_is_noticed() -> None:
    """The comparison is not vacuous: one changed word, or two keys swapped, is a difference."""
    entry = next(iter(SNAPSHOT.values()))["json"]
    changed = json.loads(json.dumps(entry))
    changed["summary"] += "!"
    assert _first_difference(entry, changed) == f".summary: {entry['summary']!r} became {changed['summary']!r}"
    swapped = dict(reversed(list(entry.items())))
    assert json.dumps(swapped) != json.dumps(entry) and _first_difference(entry, swapped) is not None


def test_a_command_imports_only_its_own_subsystem() -> None:
    """`pathrules check` loads evaluation, not audit, batch or authoring (import time is most of its wall time)."""
    import subprocess

    code = "import sys; from pathrules.cli.main import build_parser; build_parser(['check']); print(' '.join(sorted(sys.modules)))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert "pathrules.cli.cmd_check" in loaded
    assert not [m for m in loaded if m.startswith(("pathrules.audit", "pathrules.batch", "pathrules.authoring", "pathrules.cli.cmd_audit"))]


@pytest.mark.parametrize("engine", ENGINE_NAMES)
def test_decisions_built_without_validation_are_valid_decisions(engine: str, evaluators: dict[tuple[str, str], pathrules.Evaluator]) -> None:
    """Decisions are assembled from already-checked parts without pydantic validation (model_construct);
    every shipped one must still validate as a Decision and read back the same."""
    for policy_id, example, role, from_role in cases():
        decision = evaluators[policy_id, engine].evaluate(EXAMPLES / f"{example}.yaml", role, as_of=AS_OF, from_role=from_role)
        again = pathrules.Decision.model_validate_json(pathrules.to_json(decision))
        assert again.to_json_data() == decision.to_json_data()
        assert pathrules.render_text(again) == pathrules.render_text(decision)


def test_every_registered_command_is_listed_with_its_module() -> None:
    """The CLI imports a command's module by name, so the table must list every command a module adds."""
    import argparse

    from pathrules.cli import commands
    from pathrules.cli.main import build_parser

    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    assert set(sub.choices) == {c for names in commands.MODULES.values() for c in names}
    for module, names in commands.MODULES.items():
        for name in names:
            only = next(a for a in build_parser([name])._actions if isinstance(a, argparse._SubParsersAction))
            assert name in only.choices, (module, name)
