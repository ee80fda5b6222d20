"""What is particular to a kind lives in its module: lint rules and evaluation ask the kind (issue 13).

A rule that names a kind's model class with ``isinstance`` has to be edited for every new kind, and
one that forgets it silently stops checking; looking a kind up by its name string instead of by the
parsed model's class can miss a kind that is registered under another name. These tests keep that
knowledge in ``pathrules.kinds``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import pathrules
from pathrules.kinds.base import KINDS, kind_of
from pathrules.policy.checks import requirement_lists
from pathrules.policy.loader import load_policy_text

SRC = Path(pathrules.__file__).parent
MODEL_NAMES = {model.__name__ for model in KINDS}
ASK_THE_KIND = ["authoring/lint/never_met.py", "authoring/lint/unusual_threshold.py", "authoring/lint/blanket_ban.py", "evaluation/evaluate.py", "describe.py"]


def _names_kind_models(tree: ast.AST) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "isinstance":
            found |= {n.id for n in ast.walk(node.args[1]) if isinstance(n, ast.Name) and n.id in MODEL_NAMES}
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "kind_for":
            found.add("kind_for")
    return found


@pytest.mark.parametrize("module", ASK_THE_KIND)
def test_the_module_asks_the_kind_instead_of_naming_it(module: str) -> None:
    assert _names_kind_models(ast.parse((SRC / module).read_text(encoding="utf-8"))) == set()


POLICY = """policy: p
organisation: O
version: "1"
effective_from: 2026-01-01
roles:
  mentor:
    title: Mentor
    requires:
      - {id: old, kind: age, at_least: 101}
      - {id: back, kind: time_in_role, role: mentor, at_least: 6 years}
      - {id: dbs, kind: vetting, scheme: dbs, level: enhanced, on_disclosure: bar}
"""


def test_each_kind_answers_the_lint_questions_about_its_own_thresholds() -> None:
    policy = load_policy_text(POLICY)
    base, items = next((b, i) for b, i in requirement_lists(policy.policy) if b == ("roles", "mentor", "requires"))
    age, back, dbs = items
    assert kind_of(age).unmeetable(age, base) and kind_of(age).unusual_thresholds(age)
    assert kind_of(back).unmeetable(back, base) and kind_of(back).unusual_thresholds(back)
    assert kind_of(dbs).blanket_ban(dbs) == "on_disclosure"
    assert kind_of(age).blanket_ban(age) is None and kind_of(dbs).unmeetable(dbs, base) == []
