"""Fuzzing the command line with malformed input (issue 15): generated broken policies, records (YAML,
JSON, JSONL) and CSV rows go through `validate`, `check` and `batch`, driven in-process.

Whatever the input, the promises of docs/cli.md hold: exit 0 or 1 (never 3, never a traceback), every
error line of an exit 1 says where (file:line[:column], or the batch row), and a batch writes exactly
one output row per input row, in order.

Profiles: `ci` (the default) keeps the suite to a minute or two on two shared cores; `release` runs
many more examples and the default engine as well as the Python one:

    HYPOTHESIS_PROFILE=release bash scripts/test tests/test_fuzz.py
"""

from __future__ import annotations

import copy
import csv
import io
import json
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import EXAMPLES
from example_counts import examples
from pathrules.batch.csv_format import COLUMNS
from pathrules.cli.main import run

PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
FUZZ = settings(max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
ENGINES = ["python", "auto"] if PROFILE == "release" else ["python"]
AS_OF = "2026-11-23"

# A small policy that still has every kind of value a policy holds: dates, durations, ids, numbers in
# an expression, booleans, lists and nested mappings.
POLICY: dict[str, Any] = {
    "policy": "fuzz",
    "organisation": "Fuzz Services",
    "version": "1",
    "effective_from": "2026-01-01",
    "catalogue": {"induction": {"title": "Induction", "type": "training", "valid_for": "1 year"}},
    "attributes": {"caseload": {"type": "number", "title": "Caseload"}, "plan": {"type": "boolean", "title": "Plan"}},
    "groups": {"checks": [{"id": "identity", "kind": "identity"}]},
    "roles": {
        "volunteer": {
            "title": "Volunteer",
            "requires": [
                {"group": "checks"},
                {"id": "free", "kind": "abstinence", "substances": ["alcohol"], "at_least": "3 months", "discretionary": True},
                {"id": "induction", "kind": "training", "modules": ["induction"]},
                {"id": "age", "kind": "age", "at_least": 18},
                {"id": "caseload", "kind": "expression", "expression": {"all": [{"attribute": "caseload", "at_most": 15.5}, {"attribute": "plan", "equals": True}]}},
            ],
            "ongoing": [{"id": "supervision", "kind": "supervision", "at_least": 1, "within": "1 month"}],
        },
        "mentor": {"title": "Mentor", "requires": [{"id": "dbs", "kind": "vetting", "scheme": "dbs", "level": "enhanced", "status": "returned"}]},
    },
    "progressions": [{"from": "volunteer", "to": "mentor", "requires": [{"id": "months", "kind": "time_in_role", "role": "volunteer", "at_least": "3 months"}]}],
}
RECORD: dict[str, Any] = {
    "person": "fuzz-1",
    "date_of_birth": "1990-02-03",
    "proposed_start": "2026-12-01",
    "substance_use": [{"substance": "alcohol", "last_use": "2025-06-30"}],
    "vetting": [{"scheme": "dbs", "level": "enhanced", "applied_on": "2026-10-20", "documents_verified": True, "issued_on": "2026-11-01", "disclosure": False}],
    "training": [{"id": "induction", "completed_on": "2026-10-01"}],
    "identity": {"seen_in_person_on": "2026-10-20"},
    "roles_held": [{"role": "volunteer", "started_on": "2026-01-05"}],
    "supervision": ["2026-11-01"],
    "attributes": {"caseload": 3, "plan": True},
}

# The classes of issue 15: numbers as dates, datetimes, impossible dates, huge and non-finite numbers,
# exponent forms, sexagesimal and non-ASCII durations, control bytes, surrogates, odd shapes.
NASTY_VALUES: list[Any] = [
    0, 86400, "86400", -1, 10**30, 1e16, float("inf"), float("-inf"), float("nan"), 1e-05, 0.1, 2**53,
    "2026-02-30", "2026-13-01", "2026-01-05T10:00:00+01:00", "2026-01-05 00:00:00", "20260105",
    "1:20", "1:20 months", "३ months", "３ months", "3 months\n", "9999 years", "0 days", "3.5 months",
    "1e-05", "1E-05", ".inf", "nan", "", " ", "\x00", "a\x1bb", "\x7f", "\x85", "\u2028", "\ufeff", "\ud800", "x" * 300,
    None, True, False, [], {}, [[[[]]]], {"a": {"b": [1]}}, "peer-mentor", "peer_mentor", "=cmd|' /C calc'!A0",
]
NASTY_TEXT: list[str] = [
    "\x00", "\x01", "\x1b[31m", "\xff", "\ud800", "\t", "\r", ": ", "- ", "{", "[", "]", "}", '"', "'", "&a ", "*a ", "!!python/object:os.system ",
    "<<: ", "? ", "%YAML 1.1\n", "---\n", "...\n", "#", "1e400", "9" * 4301, "\\ud800", "\\u0000", ",", "NaN", "Infinity",
]
NASTY_CELLS: list[str] = [
    "", " ", "0", "86400", "2026-02-30", "20260105", "2026-W02-1", "1E-05", "1e16", "inf", "nan", "-inf", "³", "३", "²:2:x=2026-01-01",
    "x=2026-01-01", "a:b=2026-01-01", "x=", "=", ";", ";;", "..", "r=2026-01-01..2025-01-01", "yes", "maybe", "\x00", "\x1b[2J",
    "\ud800", "=1+1", "@SUM(A1)", "x" * 5000, "9" * 4301, "caseload=1e-05;plan=true", "caseload=nan", "caseload=1E+400",
]
# Cells that once stopped a whole batch (issue 15, D9): each must fail its own row, naming the column,
# and leave the next row evaluated. (A Unicode digit such as '³' passes str.isdigit() but not int().)
CSV_CELLS_THAT_STOPPED_A_BATCH = [
    pytest.param([["person", "competencies"], ["a", "x:\u00b3:y=2026-01-01"], ["b", ""]], "competencies", id="D9-unicode-digit-in-competency-level"),
    pytest.param([["person"], ["x" * 140_000], ["b"]], "person", id="D9-cell-over-131072-characters"),
]

LOCATED = re.compile(r"^(?P<where>.+?):(?P<line>\d+)(?::(?P<column>\d+))?: error\[(?P<code>[a-z0-9-]+)\]")
WHOLE_FILE = re.compile(r"^(?P<where>.+?): error\[(?P<code>too-large|not-a-file|unreadable|input-format)\]")


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return run(list(argv), out, err), out.getvalue(), err.getvalue()


@contextmanager
def workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="pathrules-fuzz-") as name:
        yield Path(name)


def assert_clean_exit(code: int, err: str) -> None:
    """Exit 0 or 1 only: no internal error (3), no traceback, no usage error from generated files."""
    assert code in (0, 1), f"exit {code}: {err[-2000:]}"
    assert "Traceback" not in err and "internal error" not in err, err[-2000:]


def assert_located(err: str, file: Path) -> None:
    """Every error line names ``file`` and a line (or is a whole-file refusal such as too-large)."""
    lines = [line for line in err.splitlines() if line.strip() and not line.startswith("    ")]
    assert lines, "exit 1 without an error message"
    for line in lines:
        match = LOCATED.match(line) or WHOLE_FILE.match(line)
        assert match is not None, f"not located: {line!r}"
        assert match.group("where") == str(file), line


# ---- generated mutations --------------------------------------------------------------------


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, prefix + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, prefix + (index,))
    return found


@st.composite
def mutated(draw: st.DrawFn, base: dict[str, Any], max_changes: int = 3) -> dict[str, Any]:
    """``base`` with a few values replaced by nasty ones, keys dropped or renamed, or items doubled."""
    data = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, max_changes))):
        paths = _paths(data)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = data
        for part in path[:-1]:
            parent = parent[part]
        last = path[-1]
        action = draw(st.sampled_from(["replace", "replace", "replace", "drop", "rename", "double", "nest"]))
        if action == "replace":
            # a copy: a later change in this draw (nest, double, drop) must not alter the shared nasty list or dict
            parent[last] = copy.deepcopy(draw(st.sampled_from(NASTY_VALUES) | st.text(max_size=8) | st.integers() | st.floats()))
        elif action == "drop":
            del parent[last]
        elif action == "rename" and isinstance(parent, dict):
            parent[draw(st.sampled_from(["", "x", "at_lest", "kind", "group", "person", "1", "peer_mentor"]))] = parent.pop(last)
        elif action == "double" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[last]))
        elif action == "nest":
            parent[last] = {"a": parent[last]} if draw(st.booleans()) else [parent[last]]
    return data


@st.composite
def text_mutated(draw: st.DrawFn, text: str) -> bytes:
    """``text`` with a snippet inserted, a line doubled (duplicate keys), a cut, or a bad byte."""
    action = draw(st.sampled_from(["insert", "double-line", "truncate", "bad-byte", "none"]))
    lines = text.splitlines(keepends=True)
    if action == "insert":
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(NASTY_TEXT) | st.text(max_size=6)) + text[at:]
    elif action == "double-line" and lines:
        at = draw(st.integers(0, len(lines) - 1))
        text = "".join(lines[: at + 1] + lines[at:])
    elif action == "truncate":
        text = text[: draw(st.integers(0, len(text)))]
    data = text.encode("utf-8", errors="surrogatepass")
    if action == "bad-byte" and data:
        at = draw(st.integers(0, len(data) - 1))
        data = data[:at] + draw(st.sampled_from([b"\xff", b"\xc3", b"\x00", b"\xed\xa0\x80"])) + data[at + 1 :]
    return data


def as_yaml(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def as_json(data: Any, *, ascii_only: bool = True) -> str:
    return json.dumps(data, ensure_ascii=ascii_only)  # Infinity and NaN on purpose


# ---- validate --------------------------------------------------------------------------------


def test_the_fuzz_policy_and_record_are_valid() -> None:
    """The bases the mutations start from are valid, so every failure below is the mutation's."""
    with workdir() as tmp:
        policy = tmp / "policy.yaml"
        policy.write_text(as_yaml(POLICY))
        record = tmp / "record.yaml"
        record.write_text(as_yaml(RECORD))
        assert cli("validate", str(policy)) == (0, "", "")
        code, out, err = cli("check", str(record), "--policy", str(policy), "--role", "volunteer", "--as-of", AS_OF, "--engine", "python")
        assert (code, err) == (0, "") and "Volunteer" in out


@FUZZ
@given(mutated(POLICY), st.sampled_from(["yaml", "json"]))
def test_validate_a_malformed_policy_exits_0_or_1_with_located_errors(policy: dict[str, Any], form: str) -> None:
    with workdir() as tmp:
        file = tmp / f"policy.{form}"
        file.write_text(as_yaml(policy) if form == "yaml" else as_json(policy), encoding="utf-8", errors="surrogatepass")
        code, _, err = cli("validate", str(file))
        assert_clean_exit(code, err)
        if code == 1:
            assert_located(err, file)


@FUZZ
@given(text_mutated(as_yaml(POLICY)))
@example(b"policy: fuzz\nversion: 1:20\neffective_from: 2026-02-30\n")
@example(as_yaml(POLICY).replace("3 months", "\u0969 months").encode())
@example(b"\x00" * 64)
def test_validate_a_corrupted_policy_file_exits_0_or_1_with_located_errors(data: bytes) -> None:
    with workdir() as tmp:
        file = tmp / "policy.yaml"
        file.write_bytes(data)
        code, _, err = cli("validate", str(file))
        assert_clean_exit(code, err)
        if code == 1:
            assert_located(err, file)


# ---- check -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def policy_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    file = tmp_path_factory.mktemp("fuzz-policy") / "policy.yaml"
    file.write_text(as_yaml(POLICY))
    return file


@pytest.mark.parametrize("engine", ENGINES)
@FUZZ
@given(record=mutated(RECORD), form=st.sampled_from(["yaml", "json"]), role=st.sampled_from([("volunteer",), ("mentor", "--from-role", "volunteer")]))
@example(record={**RECORD, "substance_use": [{"substance": "alcohol", "last_use": 0}]}, form="yaml", role=("volunteer",))
@example(record={**RECORD, "attributes": {"caseload": 1e-05, "plan": True}}, form="json", role=("volunteer",))
@example(record={**RECORD, "attributes": {"caseload": float("nan"), "plan": True}}, form="json", role=("volunteer",))
def test_check_a_malformed_record_exits_0_or_1_with_located_errors(policy_file: Path, engine: str, record: dict[str, Any], form: str, role: tuple[str, ...]) -> None:
    with workdir() as tmp:
        file = tmp / f"record.{form}"
        file.write_text(as_yaml(record) if form == "yaml" else as_json(record), encoding="utf-8", errors="surrogatepass")
        code, _, err = cli("check", str(file), "--policy", str(policy_file), "--role", *role, "--as-of", AS_OF, "--engine", engine)
        assert_clean_exit(code, err)
        if code == 1:
            assert_located(err, file)


@FUZZ
@given(text_mutated(as_yaml(RECORD)), st.sampled_from(["yaml", "json"]))
@example((EXAMPLES / "amira.yaml").read_bytes().replace(b"2025-02-14", b"2026-02-30"), "yaml")
@example(b'{"person": "a", "notes": "\\ud800"}', "json")
@example(b"[" * 100_000 + b"]" * 100_000, "json")
def test_check_a_corrupted_record_file_exits_0_or_1_with_located_errors(policy_file: Path, data: bytes, form: str) -> None:
    with workdir() as tmp:
        file = tmp / f"record.{form}"
        file.write_bytes(data)
        code, _, err = cli("check", str(file), "--policy", str(policy_file), "--role", "volunteer", "--as-of", AS_OF, "--engine", "python")
        assert_clean_exit(code, err)
        if code == 1:
            assert_located(err, file)


# ---- batch -----------------------------------------------------------------------------------


def run_batch(policy_file: Path, source: Path, out: Path, engine: str = "python") -> tuple[int, list[dict[str, Any]], str]:
    code, _, err = cli("batch", str(source), "--policy", str(policy_file), "--role", "volunteer", "--out", str(out), "--as-of", AS_OF, "--engine", engine, "--no-progress", "--jobs", "1")
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()] if out.exists() else []
    return code, rows, err


def assert_one_row_per_input_row(rows: list[dict[str, Any]], expected: int) -> None:
    assert [row["row"] for row in rows] == list(range(1, expected + 1))
    for row in rows:
        if row["outcome"] == "error":
            assert row["error"] and row["source"], row


jsonl_line = mutated(RECORD).map(as_json) | text_mutated(as_json(RECORD)).map(lambda b: b.decode("utf-8", errors="replace"))


@pytest.mark.parametrize("engine", ENGINES)
@FUZZ
@given(lines=st.lists(jsonl_line, min_size=1, max_size=6))
@example(lines=['{"person": "a", "person": "b"}', '{"person": "c", "attributes": {"caseload": NaN}}', '{"person": "d", "attributes": {"caseload": 1E-05}}'])
@example(lines=['{"person": "a", "notes": "\\ud800"}', "[" * 100_000 + "]" * 100_000, '{"n": ' + "9" * 4301 + "}"])
def test_batch_of_malformed_jsonl_keeps_one_row_per_line_in_order(policy_file: Path, engine: str, lines: list[str]) -> None:
    lines = [re.sub(r"[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]", " ", line) for line in lines]  # one record per line
    with workdir() as tmp:
        source = tmp / "people.jsonl"
        source.write_text("\n".join(lines) + "\n", encoding="utf-8", errors="surrogatepass")
        code, rows, err = run_batch(policy_file, source, tmp / "out.jsonl", engine)
        assert_clean_exit(code, err)
        assert_one_row_per_input_row(rows, len(lines))
        for index, row in enumerate(rows):
            assert row["source"] == f"people.jsonl:{index + 1}"


CELL = st.sampled_from(NASTY_CELLS) | st.text(max_size=12)
CSV_COLUMNS = sorted(set(COLUMNS) - {"person"})


@st.composite
def csv_table(draw: st.DrawFn) -> list[list[str]]:
    """A header (person and some known columns) and rows of nasty or random cells."""
    header = ["person"] + draw(st.lists(st.sampled_from(CSV_COLUMNS), max_size=6, unique=True))
    width = len(header)
    rows = draw(st.lists(st.lists(CELL, min_size=1, max_size=width), min_size=1, max_size=5))
    return [header] + rows


def assert_csv_batch_keeps_every_row(policy_file: Path, table: list[list[str]]) -> None:
    with workdir() as tmp:
        source = tmp / "people.csv"
        with source.open("w", encoding="utf-8", errors="surrogatepass", newline="") as handle:
            csv.writer(handle).writerows(table)
        with source.open(encoding="utf-8", errors="replace", newline="") as handle:
            expected = sum(1 for _ in csv.reader(handle)) - 1
        code, rows, err = run_batch(policy_file, source, tmp / "out.jsonl")
        assert_clean_exit(code, err)
        assert_one_row_per_input_row(rows, expected)


@FUZZ
@given(csv_table())
@example([["person", "attributes", "competencies"], ["a", "caseload=1E-05;plan=true", ""], ["b", "caseload=inf", "x:3:y=2026-02-30"], ["c", "", ""]])
@example([["person", "last_use_alcohol"], ["\ud800", "2026-02-30"], ["x" * 5000, "1e16"]])
def test_batch_of_malformed_csv_keeps_one_row_per_row_in_order(policy_file: Path, table: list[list[str]]) -> None:
    assert_csv_batch_keeps_every_row(policy_file, table)


@pytest.mark.parametrize(("table", "column"), CSV_CELLS_THAT_STOPPED_A_BATCH)
def test_one_bad_csv_cell_fails_only_its_own_row(policy_file: Path, table: list[list[str]], column: str) -> None:
    with workdir() as tmp:
        source = tmp / "people.csv"
        with source.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows(table)
        code, rows, err = run_batch(policy_file, source, tmp / "out.jsonl")
    assert_clean_exit(code, err)
    assert_one_row_per_input_row(rows, 2)
    assert rows[0]["outcome"] == "error" and f"`{column}`" in rows[0]["error"]
    assert rows[1]["outcome"] != "error"


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(["yaml", "json"]), text_mutated(as_yaml(RECORD))), min_size=1, max_size=4))
@example([("yaml", b"person: a\nnotes: caf\xe9\n"), ("json", b'{"person": "b"}')])
def test_batch_of_a_folder_of_corrupted_records_keeps_one_row_per_file(policy_file: Path, files: list[tuple[str, bytes]]) -> None:
    with workdir() as tmp:
        folder = tmp / "people"
        folder.mkdir()
        for index, (suffix, data) in enumerate(files):
            (folder / f"{index:02d}.{suffix}").write_bytes(data)
        code, rows, err = run_batch(policy_file, folder, tmp / "out.jsonl")
        assert_clean_exit(code, err)
        assert_one_row_per_input_row(rows, len(files))
