"""Workers never change a batch's answer: `--jobs 2` writes the very bytes `--jobs 1` writes.

Workers parse, decide and format rows in other processes and the parent puts their lines back in
order (issue 14). Whatever the rows hold (good people, bad cells, rows that are not UTF-8, too many
cells, line breaks and formulas in cells), the output file and the duties summary must not depend on
how many workers there were or how the rows were cut into chunks.

The property runs the real pool on few rows by lowering the row count at which workers start and the
chunk size; the parametrised tests run it as shipped (a few hundred rows, default chunks).
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import json
import tempfile
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ENGINES, POLICIES
from example_counts import examples
from pathrules.batch import pool, runner
from pathrules.batch.csv_format import COLUMNS, EXAMPLE_ROW
from pathrules.cli.main import run

THORNBURY = str(POLICIES / "thesis-appendix-organisation.yaml")
SHARPS = str(POLICIES / "sharps-harm-reduction.yaml")
HEADER = list(COLUMNS)

DATES = ["2026-10-01", "2025-02-14", "2026-12-01", "1990-05-05", "31/12/2026", "2026-02-30", ""]
CELL_VALUES: dict[str, list[str]] = {
    "person": ["amira-k", "=HYPERLINK(\"x\")", "-1", "line\r\nbreak", "bidi\u202eid", "\x1b[31mred", ""],
    "treatment_status": ["never", "in_treatment", "completed", "sometimes", ""],
    "check_level": ["enhanced", "basic", "extreme", ""],
    "check_documents_verified": ["yes", "no", "maybe"],
    "qualifications": ["level-2-award-peer-mentoring=2026-09-30", "level-2-award-peer-mentoring=30.09.2026", ""],
    "training": ["peer-mentoring-training=2026-08-15;elearning-data-protection=2026-10-01", "smart-training=2026-01-01", "x="],
    "supervision": ["2026-10-01;2026-11-01", "2026-11-20", "soon"],
    "attributes": ["caseload=12", "n=" + "9" * 30, "flag=true"],
}
DATE_COLUMNS = [c for c in ("date_of_birth", "proposed_start", "last_use_illicit_drugs", "last_use_alcohol", "check_applied_on", "identity_seen_on")]


@st.composite
def csv_line(draw: st.DrawFn) -> bytes:
    """One data row as bytes: the example person with a few cells changed, or a row that is bad whole."""
    kind = draw(st.sampled_from(["person", "person", "person", "empty", "too-many-cells", "not-utf8"]))
    if kind == "empty":
        return b",,,\r\n"
    row = dict(EXAMPLE_ROW)
    for column in draw(st.lists(st.sampled_from(sorted(CELL_VALUES) + DATE_COLUMNS), max_size=4)):
        row[column] = draw(st.sampled_from(CELL_VALUES.get(column, DATES)))
    cells = [row.get(c, "") for c in HEADER]
    if kind == "too-many-cells":
        cells.append("extra")
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerow(cells)
    line = text.getvalue().encode("utf-8")
    return line.replace(b"amira", b"am\xffira", 1) if kind == "not-utf8" else line


def batch_bytes(source: Path, out: Path, jobs: int, *extra: str, policy: str = THORNBURY, role: str = "peer-mentor") -> tuple[int, bytes]:
    stdout, stderr = io.StringIO(), io.StringIO()
    argv = ["batch", str(source), "--policy", policy, "--role", role, "--as-of", "2026-11-23", "--out", str(out), "--jobs", str(jobs), "--no-progress", *extra]
    code = run(argv, stdout, stderr)
    assert code in (0, 1), stderr.getvalue()
    return code, out.read_bytes()


@settings(max_examples=examples(5), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(csv_line(), min_size=1, max_size=40), st.sampled_from(["csv", "jsonl"]), st.integers(min_value=1, max_value=7), st.sampled_from(["python", "durable"]))
def test_two_jobs_write_the_same_bytes_as_one_for_any_rows(lines: list[bytes], fmt: str, chunk: int, engine: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "people.csv"
        source.write_bytes(",".join(HEADER).encode() + b"\r\n" + b"".join(lines))
        code_one, one = batch_bytes(source, Path(tmp) / f"one.{fmt}", 1, "--engine", engine)
        with mock.patch.object(runner, "PARALLEL_FROM", 1), mock.patch.object(pool, "CHUNK", chunk):
            code_two, two = batch_bytes(source, Path(tmp) / f"two.{fmt}", 2, "--engine", engine)
    assert (code_two, two) == (code_one, one)
    written = one.decode("utf-8").splitlines() if fmt == "jsonl" else list(csv.reader(io.StringIO(one.decode("utf-8"), newline="")))[1:]
    assert len(written) == len(lines)  # one output row per input row


def _mixed_csv(path: Path, rows: int) -> None:
    """The example person under many ids, with a bad row every so often (three kinds)."""
    lines = [",".join(HEADER).encode() + b"\r\n"]
    for number in range(rows):
        row = dict(EXAMPLE_ROW, person=f"p{number}")
        if number % 37 == 5:
            row["proposed_start"] = "31/12/2026"
        cells = [row.get(c, "") for c in HEADER]
        text = io.StringIO()
        csv.writer(text, lineterminator="\r\n").writerow(cells + (["extra"] if number % 53 == 7 else []))
        line = text.getvalue().encode()
        lines.append(line.replace(b"p", b"p\xfe", 1) if number % 71 == 3 else line)
    path.write_bytes(b"".join(lines))


@pytest.mark.parametrize("start", ["fork", "spawn"])
@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_a_batch_large_enough_for_workers_is_the_same_with_one_job_or_two(tmp_path: Path, engine: str, fmt: str, start: str) -> None:
    """Workers are forked where that is safe and spawned elsewhere: either way, the same bytes."""
    rows = runner.PARALLEL_FROM + 150
    source = tmp_path / "people.csv"
    _mixed_csv(source, rows)
    code_one, one = batch_bytes(source, tmp_path / f"one.{fmt}", 1, "--engine", engine)
    with mock.patch.object(pool, "START_METHOD", start):
        code_two, two = batch_bytes(source, tmp_path / f"two.{fmt}", 2, "--engine", engine)
    assert code_one == code_two == 1  # the bad rows are error rows
    assert two == one
    assert one.count(b"\n") == rows + (fmt == "csv")


def test_the_duties_summary_is_the_same_with_one_job_or_two(tmp_path: Path) -> None:
    """Workers send back only what the summary needs; the summary must not notice."""
    people = []
    for number in range(runner.PARALLEL_FROM + 50):
        people.append(
            {
                "person": f"n{number}",
                "date_of_birth": "1990-01-01",
                "roles_held": [{"role": "peer-navigator", "organisation": "sharps-peer-navigators", "started_on": "2026-01-01"}],
                "supervision": [(_dt.date(2026, 6, 1) + _dt.timedelta(days=number % 170)).isoformat()],
                "attributes": {"caseload": 10 + number % 9, "personal-support-plan": True, "line-manager-is-keyworker": False},
            }
        )
    source = tmp_path / "people.jsonl"
    source.write_text("".join(json.dumps(p) + "\n" for p in people) + '{"person": "bad", "nonsense": 1}\n')
    summaries = []
    for jobs in (1, 2):
        summary = tmp_path / f"duties-{jobs}.json"
        _, written = batch_bytes(source, tmp_path / f"out-{jobs}.csv", jobs, "--duties-summary", str(summary), policy=SHARPS, role="peer-navigator")
        summaries.append((written, summary.read_bytes()))
    assert summaries[0] == summaries[1]
    data = json.loads(summaries[0][1])
    assert data["people_decided"] == len(people)
    assert sum(d["people_behind"] for d in data["duties_behind"]) > 0  # the summary has something to agree on


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_asking_for_a_duties_summary_still_writes_every_row(tmp_path: Path, fmt: str) -> None:
    """Regression: with --duties-summary (and no --audit) the output rows were written empty."""
    source = tmp_path / "people.jsonl"
    source.write_text(json.dumps({"person": "n1", "date_of_birth": "1990-01-01"}) + "\n" + '{"person": "bad", "nonsense": 1}\n')
    out = tmp_path / f"out.{fmt}"
    batch_bytes(source, out, 1, "--duties-summary", str(tmp_path / "duties.json"), policy=SHARPS, role="peer-navigator")
    text = out.read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text, newline=""))) if fmt == "csv" else [json.loads(line) for line in text.splitlines()]
    assert [(r["person"], r["outcome"] == "error") for r in rows] == [("n1", False), ("bad", True)]
