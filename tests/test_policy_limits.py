"""Policies that are too big or say one thing twice fail at validation, located (issue 15: D3, D4/D5, D8, D25).

Each test here failed before its fix: the policy either hung, hit the recursion limit, validated and
then failed at `check`, or was silently accepted.
"""

from __future__ import annotations

import io
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

import pathrules
from conftest import EXAMPLES
from pathrules.cli.main import run
from pathrules.errors import DIAGNOSTIC_CODES
from pathrules.policy.loader import load_policy_text

HEAD = 'policy: p\norganisation: O\nversion: "1"\neffective_from: 2026-01-01\n'


@pytest.fixture(autouse=True)
def no_hang() -> Iterator[None]:
    """A hang is the defect: fail after a minute instead of waiting for ever."""

    def give_up(signum: int, frame: object) -> None:
        raise TimeoutError("took more than a minute: the old exponential expansion is back")

    previous = signal.signal(signal.SIGALRM, give_up)
    signal.alarm(60)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def _problems(text: str) -> list[pathrules.Problem]:
    with pytest.raises(pathrules.PolicyError) as caught:
        load_policy_text(text, "p.yaml")
    assert all(p.code in DIAGNOSTIC_CODES for p in caught.value.problems)
    return caught.value.problems


def _line_of(text: str, needle: str, occurrence: int = 1) -> int:
    lines = [n for n, line in enumerate(text.splitlines(), 1) if needle in line]
    return lines[occurrence - 1]


def doubling_groups(levels: int) -> str:
    text = HEAD + "groups:\n  g0:\n    - {id: a, kind: identity}\n"
    for level in range(1, levels):
        text += f"  g{level}:\n    - {{group: g{level - 1}}}\n    - {{group: g{level - 1}}}\n"
    return text + f"roles:\n  r:\n    title: R\n    requires:\n      - {{group: g{levels - 1}}}\n"


def chain_of_groups(length: int) -> str:
    text = HEAD + "groups:\n  g0:\n    - {id: a, kind: identity}\n"
    for index in range(1, length):
        text += f"  g{index}:\n    - {{group: g{index - 1}}}\n"
    return text + f"roles:\n  r:\n    title: R\n    requires:\n      - {{group: g{length - 1}}}\n"


def _cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return run(list(argv), out, err), out.getvalue(), err.getvalue()


# ---- D3: groups expand once, bounded, without recursion ------------------------------------------


def test_groups_each_used_twice_26_levels_deep_are_refused_quickly_and_located() -> None:
    text = doubling_groups(26)
    problems = _problems(text)
    assert any(p.code == "duplicate-group-use" for p in problems)
    too_big = [p for p in problems if p.code == "too-complex"]
    assert too_big and too_big[0].line is not None
    assert "400" in too_big[0].message


@pytest.mark.parametrize("command", ["validate", "lint", "roles", "handbook"])
def test_no_command_hangs_on_a_doubling_group_policy(tmp_path: Path, command: str) -> None:
    policy = tmp_path / "doubling.yaml"
    policy.write_text(doubling_groups(26))
    code, out, err = _cli(command, str(policy))
    assert code == 1
    assert "too-complex" in out + err and "Traceback" not in out + err


def test_a_chain_of_1500_groups_loads_without_hitting_the_recursion_limit(tmp_path: Path) -> None:
    loaded = load_policy_text(chain_of_groups(1500), "chain.yaml")
    assert [r.id for r in loaded.policy.expand(loaded.policy.roles["r"].requires)] == ["a"]
    policy = tmp_path / "chain.yaml"
    policy.write_text(chain_of_groups(1500))
    for command in ("validate", "lint", "handbook"):
        code, out, err = _cli(command, str(policy))
        assert code in (0, 1) and "internal error" not in out + err, command


def test_a_cycle_in_a_long_chain_is_reported_not_a_recursion_error() -> None:
    text = chain_of_groups(1500).replace("  g0:\n    - {id: a, kind: identity}\n", "  g0:\n    - {group: g1499}\n")
    assert any(p.code == "group-cycle" for p in _problems(text))


# ---- D4/D5: nothing said twice ---------------------------------------------------------------------


def test_the_same_group_used_twice_in_a_role_is_a_located_error() -> None:
    text = HEAD + (
        "groups:\n  checks:\n    - {id: id-check, kind: identity}\n"
        "roles:\n  r:\n    title: R\n    requires:\n      - {group: checks}\n      - {id: adult, kind: age, at_least: 18}\n"
        "      - {group: checks}\n"
    )
    problem = next(p for p in _problems(text) if p.code == "duplicate-group-use")
    assert problem.line == _line_of(text, "{group: checks}", 2)
    assert problem.path == "roles.r.requires[2].group"
    assert "`checks`" in problem.message and "role `r`" in problem.message


def test_a_group_reached_twice_through_other_groups_is_a_located_error() -> None:
    text = HEAD + (
        "groups:\n  base:\n    - {id: id-check, kind: identity}\n  left:\n    - {group: base}\n  right:\n    - {group: base}\n"
        "roles:\n  r:\n    title: R\n    requires:\n      - {group: left}\n      - {group: right}\n"
    )
    problem = next(p for p in _problems(text) if p.code == "duplicate-group-use")
    assert problem.line == _line_of(text, "{group: right}")


def test_two_progressions_with_the_same_from_and_to_are_a_located_error() -> None:
    text = HEAD + (
        "roles:\n  a:\n    title: A\n  b:\n    title: B\n"
        "progressions:\n  - {from: a, to: b}\n  - {from: a, to: b, requires: [{id: adult, kind: age, at_least: 18}]}\n"
    )
    problem = next(p for p in _problems(text) if p.code == "duplicate-progression")
    assert problem.line == _line_of(text, "- {from: a, to: b", 2)
    assert "a->b" in problem.message


@pytest.mark.parametrize("names", [("a.yaml", "b.yaml"), ("b.yaml", "a.yaml")])
def test_two_files_with_the_same_policy_id_and_version_are_refused_whatever_their_names(tmp_path: Path, names: tuple[str, str]) -> None:
    first = HEAD + "roles:\n  r:\n    title: R\n    requires: [{id: adult, kind: age, at_least: 18}]\n"
    second = HEAD + "roles:\n  r:\n    title: R\n    requires: [{id: adult, kind: age, at_least: 21}]\n"
    (tmp_path / names[0]).write_text(first)
    (tmp_path / names[1]).write_text(second)
    with pytest.raises(pathrules.PolicyError) as caught:
        pathrules.load_policies(tmp_path)
    problem = next(p for p in caught.value.problems if p.code == "duplicate-policy")
    assert problem.file.endswith("b.yaml") and problem.line == 3  # the later file, at its `version:`
    assert "a.yaml" in problem.message
    code, _, err = _cli("validate", str(tmp_path))
    assert code == 1 and "duplicate-policy" in err


# ---- D8: what the engine cannot evaluate fails at validation -------------------------------------


def test_a_role_with_420_requirements_fails_at_validation_not_at_check() -> None:
    text = HEAD + "roles:\n  r:\n    title: R\n    requires:\n" + "".join(f"      - {{id: a{i}, kind: age, at_least: 18}}\n" for i in range(420))
    problem = next(p for p in _problems(text) if p.code == "too-complex")
    assert problem.path.startswith("roles.r") and problem.line is not None


def _wide_expression(attributes: int) -> str:
    text = HEAD + "attributes:\n" + "".join(f"  x{i}: {{type: integer, title: X}}\n" for i in range(attributes))
    text += "roles:\n  r:\n    title: R\n    requires:\n      - id: e\n        kind: expression\n        expression:\n          all:\n"
    return text + "".join(f"            - {{attribute: x{i}, at_least: 1}}\n" for i in range(attributes))


def test_an_expression_over_100_attributes_fails_at_validation() -> None:
    text = _wide_expression(120)
    problem = next(p for p in _problems(text) if p.code == "too-complex")
    assert problem.path == "roles.r.requires[0]" and problem.line == _line_of(text, "- id: e")
    load_policy_text(_wide_expression(20), "fine.yaml")


def _disjuncts(pairs: int) -> str:
    text = HEAD + "attributes:\n  x: {type: integer, title: X}\n  y: {type: integer, title: Y}\n"
    text += "roles:\n  r:\n    title: R\n    requires:\n      - id: e\n        kind: expression\n        expression:\n          all:\n"
    return text + "".join(f"            - any: [{{attribute: x, at_least: {i}}}, {{attribute: y, at_most: {i}}}]\n" for i in range(pairs))


def test_an_expression_of_2_to_the_13_disjuncts_fails_at_validation() -> None:
    problem = next(p for p in _problems(_disjuncts(13)) if p.code == "too-complex")
    assert problem.path == "roles.r.requires[0]"
    load_policy_text(_disjuncts(3), "fine.yaml")


def test_a_policy_at_the_limits_still_evaluates_on_the_default_engine(tmp_path: Path) -> None:
    policy = tmp_path / "wide.yaml"
    policy.write_text(_wide_expression(20))
    code, out, err = _cli("check", "--policy", str(policy), "--role", "r", "--as-of", "2026-11-23", str(EXAMPLES / "amira.yaml"))
    assert code == 0 and "engine error" not in out + err


# ---- D25: durations are bounded ------------------------------------------------------------------


@pytest.mark.parametrize("duration", ["9999 years", "101 years", "1300 months", "5300 weeks"])
def test_a_duration_past_a_hundred_years_is_a_located_error(duration: str) -> None:
    text = HEAD + f"roles:\n  a:\n    title: A\n  r:\n    title: R\n    requires:\n      - {{id: t, kind: time_in_role, role: a, at_most: {duration}}}\n"
    problem = next(p for p in _problems(text) if p.code == "out-of-range")
    assert problem.path == "roles.r.requires[0].at_most" and problem.line == _line_of(text, "at_most")
    assert "100 years" in problem.message


def test_a_hundred_years_is_still_allowed() -> None:
    text = HEAD + "roles:\n  a:\n    title: A\n  r:\n    title: R\n    requires:\n      - {id: t, kind: time_in_role, role: a, at_most: 100 years}\n"
    load_policy_text(text, "ok.yaml")
