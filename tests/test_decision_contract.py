"""The decision JSON contract holds while evaluation is optimised.

tests/fixtures/decisions/snapshot.json holds the decisions of every shipped example x policy x role
(and progression), written by tests/fixtures/decisions/snapshot.py from main before evaluation was
made lazy. Today's decisions must keep every field that existed then, and the same outcome, statuses,
dates and digests. (Exact wording: ``snapshot.py --diff``, because other work changes it on purpose.)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

import pathrules

from conftest import AS_OF, ENGINE_NAMES, EXAMPLES, ROOT

SNAPSHOT = json.loads((ROOT / "tests" / "fixtures" / "decisions" / "snapshot.json").read_text(encoding="utf-8"))
sys.path.insert(0, str(ROOT / "tests" / "fixtures" / "decisions"))
from snapshot import cases  # noqa: E402

DECIDED = ("outcome", "stage", "as_of", "start_date", "eligible_from", "time_gaps_close_on", "eligible_until", "never", "policy", "target", "record_digest")
PER_REQUIREMENT = ("id", "kind", "stage", "status", "met_on", "valid_until", "due")


def _keys_kept(before: Any, now: Any, where: str) -> None:
    """Every field that existed is still there, with a value of the same JSON type."""
    if isinstance(before, dict):
        assert isinstance(now, dict), where
        for key, value in before.items():
            assert key in now, f"{where}.{key} is gone"
            _keys_kept(value, now[key], f"{where}.{key}")
    elif isinstance(before, list) and before and isinstance(before[0], dict):
        assert isinstance(now, list) and len(now) == len(before), where
        for i, (a, b) in enumerate(zip(before, now)):
            _keys_kept(a, b, f"{where}[{i}]")
    elif before is not None and now is not None:
        assert type(before) is type(now) or {type(before), type(now)} <= {int, float}, f"{where}: {type(before).__name__} became {type(now).__name__}"


def _requirements(data: dict[str, Any]) -> list[dict[str, Any]]:
    found = [{k: r.get(k) for k in PER_REQUIREMENT} for r in data["requirements"]]
    for activity in data["activities"]:
        found += [{"activity": activity["id"], "allowed": activity["allowed"], **{k: r.get(k) for k in PER_REQUIREMENT}} for r in activity["requirements"]]
    return found


@pytest.fixture(scope="module")
def evaluators() -> dict[tuple[str, str], pathrules.Evaluator]:
    policies = pathrules.load_policies(ROOT / "policies")
    return {(p.id, engine): pathrules.Evaluator(p, engine=engine) for p in policies for engine in ENGINE_NAMES}  # type: ignore[arg-type]


@pytest.mark.parametrize("engine", ENGINE_NAMES)
def test_every_shipped_decision_keeps_its_fields_outcome_statuses_dates_and_digests(engine: str, evaluators: dict[tuple[str, str], pathrules.Evaluator]) -> None:
    assert len(SNAPSHOT) == len(cases()) > 100
    for policy_id, example, role, from_role in cases():
        key = f"{policy_id} {example} {role}" + (f" from {from_role}" if from_role else "")
        decision = evaluators[policy_id, engine].evaluate(EXAMPLES / f"{example}.yaml", role, as_of=AS_OF, from_role=from_role)
        now, before = json.loads(pathrules.to_json(decision)), SNAPSHOT[key]["json"]
        _keys_kept(before, now, key)
        assert {k: now[k] for k in DECIDED} == {k: before[k] for k in DECIDED}, key
        assert _requirements(now) == _requirements(before), key


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
