"""One diagnostic shape, one pass, a closed set of codes (issue 13, section 3)."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

import pathrules
from conftest import ROOT
from pathrules.cli.main import run
from pathrules.errors import DIAGNOSTIC_CODES, Diagnostic
from pathrules.policy.loader import load_policy_text

FIXTURES = Path(__file__).parent / "fixtures" / "diagnostics"
HEAD = 'policy: p\norganisation: O\nversion: "1"\neffective_from: 2026-01-01\n'


def _cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return run(list(argv), out, err), out.getvalue(), err.getvalue()


def _problems(text: str) -> list[Diagnostic]:
    with pytest.raises(pathrules.PolicyError) as caught:
        load_policy_text(text, "p.yaml")
    return caught.value.problems


def _line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def test_a_duplicate_key_a_schema_error_and_an_unknown_catalogue_id_are_reported_at_once() -> None:
    fixture = FIXTURES / "three-at-once.yaml"
    text = fixture.read_text()
    code, out, _ = _cli("validate", "--json", str(fixture))
    report = json.loads(out)
    assert code == 1 and report["valid"] is False
    found = {p["code"]: p for p in report["problems"]}
    assert found["duplicate-key"]["line"] == _line_of(text, "title: Mentor again")
    assert found["unknown-field"]["line"] == _line_of(text, "at_lest") and found["unknown-field"]["path"] == "roles.mentor.requires[0].at_lest"
    assert found["unknown-catalogue-id"]["line"] == _line_of(text, "level-2-awrd")
    assert all(p["code"] in DIAGNOSTIC_CODES and p["severity"] == "error" and p["column"] for p in report["problems"])


def test_an_unknown_group_does_not_hide_a_duplicate_id() -> None:
    text = HEAD + "roles:\n  r:\n    title: R\n    requires:\n      - {group: nope}\n      - {id: a, kind: identity}\n      - {id: a, kind: age, at_least: 18}\n"
    assert {"unknown-group", "duplicate-id"} <= {p.code for p in _problems(text)}


def test_a_schema_error_does_not_hide_a_group_cycle_or_an_unknown_role() -> None:
    text = HEAD + (
        "groups:\n  a:\n    - {group: b}\n  b:\n    - {group: a}\n"
        "roles:\n  r:\n    title: R\n    colour: red\n    requires:\n      - {id: t, kind: time_in_role, role: volunter, at_least: 1 month}\n"
    )
    assert {"unknown-field", "group-cycle", "unknown-role"} <= {p.code for p in _problems(text)}


def test_when_the_frame_itself_is_broken_only_the_schema_errors_are_reported() -> None:
    text = 'policy: p\norganisation: O\nversion: "1"\neffective_from: 2026-01-01\n'
    problems = _problems(text)
    assert [p.code for p in problems] == ["missing-field"] and problems[0].path == "roles"


@pytest.mark.parametrize(
    ("item", "code", "words"),
    [
        ("{id: a, kind: age, at_least: 200}", "out-of-range", "at most 120"),
        ("{id: a, kind: references, at_least: 0}", "out-of-range", "at least 1"),
        ("{id: a, kind: abstinence, substances: [], at_least: 3 days}", "out-of-range", "at least 1 item"),
        ("{id: a, kind: age, at_least: 1.5}", "wrong-type", "whole number"),
        ("{id: a, kind: age, at_least: 18, discretionary: maybe}", "wrong-type", "true or false"),
        ("{id: a, kind: competency, competencies: [c], level: 11}", "out-of-range", "at most 10"),
        ("{id: Bad Id, kind: identity}", "invalid-id", "short id"),
        ("{id: a, kind: vetting, scheme: dbs, level: super}", "invalid-value", "expected one of"),
    ],
)
def test_pydantic_errors_become_codes_from_the_documented_set(item: str, code: str, words: str) -> None:
    text = HEAD + f"roles:\n  r:\n    title: R\n    requires:\n      - {item}\n"
    problem = _problems(text)[0]
    assert problem.code == code and words in problem.message
    assert problem.line == 9


def test_a_tagged_field_is_reported_where_it_is_written() -> None:
    text = HEAD + "attributes:\n  x: {type: integer, title: X}\nroles:\n  r:\n    title: R\n    requires:\n      - {id: e, kind: expression, expression: 5}\n      - {id: f, kind: expression, expression: {all: [{attribute: x, at_lest: 1}]}}\n"
    paths = {p.path for p in _problems(text)}
    assert paths == {"roles.r.requires[0].expression", "roles.r.requires[1].expression.all[0].at_lest"}


def test_an_unknown_fields_help_lists_only_the_fields_of_that_kind() -> None:
    text = HEAD + "roles:\n  r:\n    title: R\n    requires:\n      - {id: a, kind: age, at_least: 18, zzzzzz: 1}\n"
    problem = _problems(text)[0]
    assert problem.code == "unknown-field"
    assert problem.help == "expected one of: id, because, due_after_start, discretionary, decided_by, kind, at_least, at_most"


def test_diagnostics_come_best_first_shallow_before_deep() -> None:
    text = HEAD.replace("organisation: O\n", "") + "roles:\n  r:\n    title: R\n    requires:\n      - {id: a, kind: age, at_least: 200}\n"
    assert [p.code for p in _problems(text)] == ["missing-field", "out-of-range"]


def test_a_diagnostic_knows_where_it_ends() -> None:
    text = HEAD + "roles:\n  r:\n    title: R\n    requires:\n      - {id: a, kind: age, at_least: 200}\n"
    problem = _problems(text)[0]
    assert (problem.line, problem.end_line) == (9, 9)
    assert problem.end_column is not None and problem.column is not None
    assert text.splitlines()[8][problem.column - 1 : problem.end_column - 1] == "200"


def test_problem_is_the_diagnostic_type_and_old_calls_still_build_one() -> None:
    problem = pathrules.Problem("unreadable", "no such file", "x.yaml", 3, 4, "a.b", "check the path")
    assert isinstance(problem, Diagnostic) and problem.severity == "error"
    assert str(problem) == "x.yaml:3:4: error[unreadable]: a.b: no such file\n    help: check the path"
    assert set(problem.to_dict()) == {"code", "severity", "message", "file", "line", "column", "end_line", "end_column", "path", "help"}


def test_record_loading_reports_the_same_diagnostic_type() -> None:
    with pytest.raises(pathrules.RecordError) as caught:
        pathrules.load_record_text("person: x\nsubstance_use: 5\n", "r.yaml")
    assert all(isinstance(p, Diagnostic) and p.line for p in caught.value.problems)


_CODE_LITERAL = re.compile(r"(?:Problem|Diagnostic|\.problem|_Refused)\(\s*\"([a-z0-9-]+)\"")
_REWRITE_CODE = re.compile(r"\(\s*\"([a-z][a-z0-9-]+)\",\s*(?:f?\"|_DATE)")


def test_every_code_written_in_the_source_is_in_the_closed_set() -> None:
    written: set[str] = set()
    for file in (ROOT / "src" / "pathrules").rglob("*.py"):
        text = file.read_text()
        written |= set(_CODE_LITERAL.findall(text))
        if file.name == "located_errors.py":
            written |= {c for c in _REWRITE_CODE.findall(text) if "-" in c}
    assert written, "the pattern found nothing: the test would pass vacuously"
    assert written <= set(DIAGNOSTIC_CODES), sorted(written - set(DIAGNOSTIC_CODES))


def test_the_documented_codes_are_exactly_the_closed_set() -> None:
    text = (ROOT / "docs" / "policy-language.md").read_text()
    section = text[text.index("<!-- codes -->") : text.index("<!-- /codes -->")]
    assert set(re.findall(r"^\| `([a-z0-9-]+)` \|", section, re.M)) == set(DIAGNOSTIC_CODES)


def test_all_is_exactly_the_documented_public_surface() -> None:
    text = (ROOT / "docs" / "api.md").read_text()
    listed = re.findall(r"`([A-Za-z_]+)`", text[text.index("<!-- public -->") : text.index("<!-- /public -->")])
    assert sorted(listed) == sorted(pathrules.__all__) and len(listed) == len(set(listed))
    for name in pathrules.__all__:
        assert getattr(pathrules, name) is not None


def test_every_error_class_is_public_and_named_where_a_reader_looks() -> None:
    readme = (ROOT / "README.md").read_text()
    errors = [name for name in pathrules.__all__ if name.endswith("Error")]
    assert "AuditError" in errors and issubclass(pathrules.AuditError, pathrules.PathrulesError)
    for name in errors:
        assert f"`{name}`" in readme or f"pathrules.{name}`" in readme, name


def test_the_audit_anchor_commands_and_every_exit_code_are_in_the_overviews() -> None:
    readme, cli_doc = (ROOT / "README.md").read_text(), (ROOT / "docs" / "cli.md").read_text()
    for text in (readme, cli_doc):
        assert "pathrules audit anchor" in text and "--anchor" in text
    exit_line = readme[readme.index("Exit codes:") :].split("\n\n")[0]
    assert all(f"{code} " in exit_line for code in range(5))
