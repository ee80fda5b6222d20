"""Generated malformed batches: whatever the rows hold, one output row per input row, in order, exit 0 or 1.

Example counts are modest for CI; for a release check run with more, e.g.
``PATHRULES_FUZZ_EXAMPLES=2000 .venv/bin/python -m pytest tests/test_batch_fuzz.py``.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pathrules
from conftest import EXAMPLES, POLICIES
from example_counts import examples
from pathrules.batch.csv_format import COLUMNS
from pathrules.cli.main import run
from pathrules.cli.output import visible

THORNBURY = str(POLICIES / "thesis-appendix-organisation.yaml")
EXAMPLES_FOR_FUZZ = int(os.environ.get("PATHRULES_FUZZ_EXAMPLES", examples(25)))
FUZZ = settings(max_examples=EXAMPLES_FOR_FUZZ, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
GOOD = json.loads(pathrules.load_record(EXAMPLES / "amira.yaml").model_dump_json(exclude_none=True))

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3),
    max_leaves=10,
)


@st.composite
def jsonl_line(draw: st.DrawFn) -> bytes:
    """A good record, a record with one field spoiled, any JSON, or any bytes: never a newline inside."""
    kind = draw(st.sampled_from(["good", "spoiled", "json", "bytes", "text"]))
    if kind == "good":
        return json.dumps(GOOD).encode()
    if kind == "spoiled":
        record = dict(GOOD)
        record[draw(st.sampled_from(sorted(GOOD) + ["attributes", "unknown"]))] = draw(json_values)
        return json.dumps(record, allow_nan=True).encode()
    if kind == "json":
        return json.dumps(draw(json_values), allow_nan=True).encode()
    if kind == "text":
        return draw(st.text(max_size=60)).encode("utf-8", "surrogatepass").replace(b"\n", b" ")
    return draw(st.binary(max_size=60)).replace(b"\n", b" ")


def _batch(source: Path, out: Path, role: str = "volunteer") -> tuple[int, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    code = run(["batch", str(source), "--policy", THORNBURY, "--role", role, "--as-of", "2026-11-23", "--out", str(out), "--jobs", "1"], stdout, stderr)
    return code, stderr.getvalue()


@FUZZ
@given(st.lists(jsonl_line(), min_size=1, max_size=8))
def test_any_jsonl_gives_one_row_per_line_in_order(lines: list[bytes]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        source, out = Path(tmp) / "in.jsonl", Path(tmp) / "out.jsonl"
        source.write_bytes(b"\n".join(lines) + b"\n")
        code, err = _batch(source, out)
        assert code in (0, 1), err
        rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        assert [r["row"] for r in rows] == list(range(1, len(lines) + 1))
        assert all(r["error"] for r in rows if r["outcome"] == "error")
        assert "Traceback" not in err


cells = st.one_of(st.just(""), st.text(max_size=30), st.sampled_from(["2026-01-01", "31/01/2026", "x=2026-01-01", "a:²:b=2026-01-01", "yes", "=1+1", "1e999", "9" * 30]))


@FUZZ
@given(st.lists(st.lists(cells, min_size=1, max_size=6), min_size=1, max_size=6), st.lists(st.sampled_from(list(COLUMNS)), min_size=5, max_size=5, unique=True))
def test_any_csv_gives_one_row_per_record_in_order(records: list[list[str]], extra: list[str]) -> None:
    header = ["person", *[c for c in extra if c != "person"]]
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")  # quotes cells holding \r or \n
    writer.writerow(header)
    for cells_ in records:
        writer.writerow(cells_)
    with tempfile.TemporaryDirectory() as tmp:
        source, out = Path(tmp) / "in.csv", Path(tmp) / "out.csv"
        source.write_bytes(text.getvalue().encode("utf-8", "surrogatepass"))
        code, err = _batch(source, out, "peer-mentor")
        assert code in (0, 1), err
        with out.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        assert [int(r["row"]) for r in rows] == list(range(1, len(records) + 1))
        assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for r in rows for cell in r.values())


@FUZZ
@given(st.text())
def test_visible_text_has_no_control_characters_and_keeps_json_equal(text: str) -> None:
    shown = visible(text)
    assert not any((ord(c) < 0x20 and c not in "\n\t") or 0x7F <= ord(c) <= 0x9F or c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069" for c in shown)
    encoded = json.dumps(text, ensure_ascii=False)
    assert json.loads(visible(encoded)) == text
