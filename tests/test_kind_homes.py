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
ASK_THE_KIND = [
    "authoring/lint/never_met.py", "authoring/lint/unusual_threshold.py", "authoring/lint/blanket_ban.py",
    "authoring/lint/named_provider_bar.py", "authoring/lint/medication_counts_as_use.py", "authoring/lint/abstinence_in_harm_reduction.py",
    "evaluation/evaluate.py", "evaluation/duties.py", "describe.py", "web/form_fields.py",
]  # fmt: skip


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


def test_there_is_one_way_to_look_up_a_kind() -> None:
    """``kind_of`` answers for a parsed requirement and for a kind's name (data not parsed yet) alike;
    a second lookup by name could drift from the registry the policy union is built from."""
    import pathrules.kinds
    import pathrules.kinds.base

    policy = load_policy_text(POLICY)
    age = policy.policy.roles["mentor"].requires[0]
    assert kind_of("age") is kind_of(age)
    assert {kind_of(kind_name).model for kind_name in (kind.name for kind in KINDS.values())} == set(KINDS)
    with pytest.raises(KeyError):
        kind_of("no-such-kind")
    for module in (pathrules.kinds, pathrules.kinds.base):
        assert not hasattr(module, "kind_for") and not hasattr(module, "KIND_NAMES"), module.__name__
    for path in SRC.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "kind_for(" not in text and "KIND_NAMES" not in text, path


@pytest.mark.parametrize("module", ["web/form_fields.py", "evaluation/duties.py", "authoring/lint/named_provider_bar.py", "authoring/lint/medication_counts_as_use.py", "authoring/lint/abstinence_in_harm_reduction.py"])
def test_the_module_keeps_no_table_of_kinds(module: str) -> None:
    """No kind's name as a literal (a table keyed by kind is edited for every new kind), and no import of a kind's module."""
    tree = ast.parse((SRC / module).read_text(encoding="utf-8"))
    names = {kind.name for kind in KINDS.values()}
    literals = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert literals & names == set()
    assert {m for m in imported if m.startswith("pathrules.kinds.") and m != "pathrules.kinds.base"} == set()


HARM_REDUCTION = """policy: p
organisation: O
version: "1"
effective_from: 2026-01-01
roles:
  navigator:
    title: Harm reduction navigator
    requires:
      - {id: dry, kind: abstinence, substances: [alcohol], at_least: 3 months, prescribed_medication: counts_as_use}
      - {id: ours, kind: treatment, allowed: [completed], completed_with: [harbour-lane]}
"""


def test_each_kind_answers_the_issue_9_lint_questions() -> None:
    policy = load_policy_text(HARM_REDUCTION)
    dry, ours = policy.policy.roles["navigator"].requires
    assert kind_of(dry).counts_medication_as_use(dry) == "prescribed_medication" and kind_of(ours).counts_medication_as_use(ours) is None
    assert kind_of(ours).named_provider_bar(ours) == "completed_with" and kind_of(dry).named_provider_bar(dry) is None
    assert kind_of(dry).alcohol_abstinence(dry) == "substances" and kind_of(ours).alcohol_abstinence(ours) is None
    assert kind_of(dry).form_columns(dry) == ["last_use_alcohol", "never_used", "prescribed_medication_since", "prescribed_medication_ended"]
