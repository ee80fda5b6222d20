"""Reading records: strict dates and numbers, one rule for duplicate keys, and located errors for
every malformed input (never a traceback, never exit 3), whether a record comes as YAML, JSON,
a JSONL line or a CSV header."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import strategies
from conftest import POLICIES
from example_counts import examples
from pathrules.batch.inputs import read_rows
from pathrules.cli.main import run
from pathrules.errors import InputError, RecordError
from pathrules.record.loader import load_record, load_record_json, load_record_text, record_from_dict
from pathrules.record.model import Completion

THORNBURY = str(POLICIES / "thesis-appendix-organisation.yaml")


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return run(list(argv), out, err), out.getvalue(), err.getvalue()


def check_file(path: Path) -> tuple[int, str]:
    code, _, err = cli("check", str(path), "--policy", THORNBURY, "--role", "volunteer", "--as-of", "2026-11-23")
    return code, err


def problems_of(text: str) -> list[str]:
    with pytest.raises(RecordError) as caught:
        load_record_text(text, "r.yaml")
    return [str(p) for p in caught.value.problems]


# ---- D16: dates are ISO dates, nothing else ------------------------------------------------------


@pytest.mark.parametrize("value", ["0", "86400", '"86400"', '"0"', "1.5", "true", '"2026-1-5"', '"20260105"'])
def test_a_last_use_that_is_not_an_iso_date_is_a_located_error_not_1970(value: str) -> None:
    found = problems_of(f"person: x\nsubstance_use:\n  - {{substance: alcohol, last_use: {value}}}\n")
    assert len(found) == 1 and found[0].startswith("r.yaml:3:")
    assert "substance_use[0].last_use" in found[0] and "expected a date like 2026-01-31" in found[0]


@pytest.mark.parametrize("value", ["2000-01-01T00:00:00+05:00", "2000-01-01T00:00:00Z", "2000-01-01 00:00:00", '"2000-01-01T00:00:00"'])
def test_a_datetime_is_not_a_date(value: str) -> None:
    found = problems_of(f"person: x\ndate_of_birth: {value}\n")
    assert len(found) == 1 and found[0].startswith("r.yaml:2:16:") and "date_of_birth" in found[0]


def test_dates_in_plain_data_are_strict_too() -> None:
    for value in (0, 86400, "86400", "2026-01-05T00:00:00"):
        with pytest.raises(RecordError, match="proposed_start"):
            record_from_dict({"person": "x", "proposed_start": value})
    assert str(record_from_dict({"person": "x", "proposed_start": "2026-01-05"}).proposed_start) == "2026-01-05"


def test_supervision_dates_are_strict() -> None:
    found = problems_of("person: x\nsupervision: [2026-01-05, 0]\n")
    assert len(found) == 1 and "supervision[1]" in found[0]


# ---- D1/D2: impossible values and bytes -------------------------------------------------------


def test_an_impossible_calendar_date_is_located(tmp_path: Path) -> None:
    source = tmp_path / "r.yaml"
    source.write_text("person: x\ndate_of_birth: 2026-02-30\n")
    code, err = check_file(source)
    assert code == 1 and err.startswith(f"{source}:2:16: error[") and "date_of_birth" in err and "Traceback" not in err


def test_an_impossible_date_in_a_string_is_located() -> None:
    with pytest.raises(RecordError, match="date_of_birth"):
        record_from_dict({"person": "x", "date_of_birth": "2026-02-30"})


def test_a_4301_digit_integer_is_located(tmp_path: Path) -> None:
    source = tmp_path / "r.yaml"
    source.write_text("person: x\nattributes:\n  score: " + "1" * 4301 + "\n")
    code, err = check_file(source)
    assert code == 1 and err.startswith(f"{source}:3:10: error[") and "1111" not in err


@pytest.mark.parametrize("byte", ["\x00", "\x01", "\x1b", "\x7f"])
def test_a_control_byte_is_located(tmp_path: Path, byte: str) -> None:
    source = tmp_path / "r.yaml"
    source.write_text(f"person: x\nnotes: ab{byte}c\n")
    code, err = check_file(source)
    assert code == 1 and err.startswith(f"{source}:2:10: error[control-character]")


def test_a_binary_or_non_utf8_file_is_located(tmp_path: Path) -> None:
    source = tmp_path / "r.yaml"
    source.write_bytes(b"person: x\nnotes: caf\xe9\n")
    code, err = check_file(source)
    assert code == 1 and err.startswith(f"{source}:2:") and "UTF-8" in err


def test_a_lone_surrogate_is_located() -> None:
    found = problems_of('person: x\nnotes: "a\\ud800"\n')
    assert len(found) == 1 and found[0].startswith("r.yaml:2:8:") and "notes" in found[0]
    with pytest.raises(RecordError, match="notes"):
        record_from_dict({"person": "x", "notes": "a\ud800"})


def test_json_nested_100000_deep_is_refused_not_a_crash(tmp_path: Path) -> None:
    source = tmp_path / "r.json"
    source.write_text("[" * 100_000 + "]" * 100_000)
    code, err = check_file(source)
    assert code == 1 and "too-deep" in err
    with pytest.raises(RecordError, match="too-deep"):
        load_record_json('{"person": "x", "notes": ' + "[" * 100_000 + "]" * 100_000 + "}", "r.jsonl", line=7)


# ---- D19: bounded reads, regular files only --------------------------------------------------


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_check_dev_zero_is_refused_without_reading_it() -> None:
    code, _, err = cli("check", "/dev/zero", "--policy", THORNBURY, "--role", "volunteer")
    assert code == 1 and err.startswith("/dev/zero: error[not-a-file]")


def test_a_folder_is_not_a_record(tmp_path: Path) -> None:
    code, err = check_file(tmp_path)
    assert code == 1 and "error[not-a-file]" in err


def test_a_file_over_the_size_limit_is_refused_before_parsing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pathrules import yamlsource

    source = tmp_path / "r.yaml"
    source.write_text("person: x\nnotes: " + "a" * 200 + "\n")
    monkeypatch.setattr(yamlsource, "MAX_BYTES", 100)
    with pytest.raises(RecordError, match="too-large"):
        load_record(source)


# ---- D7 (input side): numbers are finite and in range -----------------------------------------


@pytest.mark.parametrize("value", [".inf", "-.inf", ".nan", "1.0e+16", "-9007199254740993", "9007199254740993"])
def test_an_attribute_number_out_of_range_is_located(value: str) -> None:
    found = problems_of(f"person: x\nattributes:\n  score: {value}\n")
    assert len(found) == 1 and found[0].startswith("r.yaml:3:10:") and "attributes.score" in found[0]


@pytest.mark.parametrize("value", [float("inf"), float("nan"), 1e16, 10**16, "inf", "nan"])
def test_numbers_in_plain_data_are_finite_and_in_range(value: object) -> None:
    if isinstance(value, str):  # text stays text: "inf" is a word, not a number
        assert record_from_dict({"person": "x", "attributes": {"a": value}}).attributes["a"] == value
        return
    with pytest.raises(RecordError, match="attributes.a"):
        record_from_dict({"person": "x", "attributes": {"a": value}})


def test_exponent_numbers_in_range_are_read_as_numbers_in_json(tmp_path: Path) -> None:
    source = tmp_path / "r.json"
    source.write_text('{"person": "x", "attributes": {"a": 1e-05, "b": 1E-05, "c": 2.5e3, "d": "1e-05"}}')
    assert load_record(source).attributes == {"a": 1e-05, "b": 1e-05, "c": 2500.0, "d": "1e-05"}
    assert load_record_json(source.read_text(), "r.jsonl").attributes == {"a": 1e-05, "b": 1e-05, "c": 2500.0, "d": "1e-05"}


def test_yaml_reads_numbers_as_pyyaml_writes_them() -> None:
    # PyYAML's safe_dump writes the text "1e-05" unquoted (YAML 1.1 has no float without a dot), so
    # YAML keeps it text; `1.0e-05` is the YAML number
    record = load_record_text("person: x\nattributes: {a: 1.0e-05, b: 1e-05, c: 2.5E+3}\n")
    assert record.attributes == {"a": 1e-05, "b": "1e-05", "c": 2500.0}


def test_yaml_1_1_number_forms_are_not_numbers() -> None:
    # sexagesimal, octal with a leading zero, underscores and binary are YAML 1.1 only
    record = load_record_text("person: x\nattributes: {a: 1:20, b: 0o17, c: 1_000, d: 0b11, e: 017}\n")
    assert record.attributes == {"a": "1:20", "b": "0o17", "c": "1_000", "d": "0b11", "e": 17}


# ---- D18: duplicate keys refused everywhere --------------------------------------------------


def test_duplicate_keys_in_a_jsonl_line_are_refused_like_in_yaml(tmp_path: Path) -> None:
    source = tmp_path / "people.jsonl"
    source.write_text('{"person": "a"}\n{"person": "b", "notes": "x", "person": "c"}\n')
    rows = list(read_rows(source))
    assert rows[0].error is None
    assert rows[1].data is None and rows[1].error is not None
    assert rows[1].error.startswith("people.jsonl:2:") and "duplicate-key" in rows[1].error and "person" in rows[1].error


def test_duplicate_keys_in_nested_json_are_refused() -> None:
    with pytest.raises(RecordError, match=r"r.jsonl:3: error\[duplicate-key\].*seen_by"):
        load_record_json('{"person": "a", "identity": {"seen_by": "x", "seen_in_person_on": "2026-01-01", "seen_by": "y"}}', "r.jsonl", line=3)


def test_duplicate_keys_in_a_json_file_are_refused(tmp_path: Path) -> None:
    source = tmp_path / "r.json"
    source.write_text('{"person": "a",\n "person": "b"}')
    code, err = check_file(source)
    assert code == 1 and err.startswith(f"{source}:2:2: error[duplicate-key]")


def test_duplicate_csv_header_columns_are_refused(tmp_path: Path) -> None:
    source = tmp_path / "people.csv"
    source.write_text("person,last_use_alcohol,last_use_alcohol\nx,2020-01-01,2026-01-01\n")
    with pytest.raises(InputError) as caught:
        list(read_rows(source))
    [problem] = caught.value.problems
    assert (problem.code, problem.line, problem.column) == ("duplicate-column", 1, 3)


def test_jsonl_numbers_and_constants_are_checked() -> None:
    for text in ('{"person": "a", "attributes": {"x": NaN}}', '{"person": "a", "attributes": {"x": 1e16}}', '{"person": "a", "attributes": {"x": 1e400}}', '{"person": "a", "attributes": {"x": ' + "9" * 5000 + "}}"):
        with pytest.raises(RecordError) as caught:
            load_record_json(text, "r.jsonl", line=4)
        assert str(caught.value).startswith("r.jsonl:4:")
    assert load_record_json('{"person": "a", "attributes": {"x": 1E-05}}', "r.jsonl", line=1).attributes["x"] == 1e-05


def test_jsonl_surrogates_and_controls_are_refused() -> None:
    for escaped in ("\\ud800", "\\u0000", "\\u001b"):
        with pytest.raises(RecordError, match="notes"):
            load_record_json(json.dumps({"person": "a"})[:-1] + f', "notes": "a{escaped}"}}', "r.jsonl", line=1)


@pytest.mark.parametrize("cell", ["20260105", "2026-W02-1", "2026-005", " 2026-01-05T00:00"])
def test_csv_date_cells_are_iso_dates_only(tmp_path: Path, cell: str) -> None:
    source = tmp_path / "people.csv"
    source.write_text(f"person,last_use_alcohol\nx,{cell}\n")
    [row] = read_rows(source)
    assert row.data is None and row.error == "column `last_use_alcohol`: expected a date like 2026-01-31"


def test_a_records_digest_is_kept_per_record_but_never_carried_into_a_changed_copy() -> None:
    import pathrules

    data = {"person": "p1", "training": [{"id": "a", "completed_on": "2026-01-01"}]}
    record = pathrules.load_record(dict(data))
    assert record.digest == record.digest == pathrules.load_record(dict(data)).digest
    changed = record.model_copy(update={"person": "p2"})
    assert changed.digest == pathrules.load_record({**data, "person": "p2"}).digest != record.digest
    assert record == pathrules.load_record(dict(data))  # the cached digest is not part of equality


def _canonical_by_definition(record: Any) -> str:
    """A record's canonical JSON as docs/audit.md defines it, written without pydantic's JSON writer:
    sorted keys, no spaces, no empty optional fields, dates as ``date.isoformat()``."""
    return json.dumps(record.model_dump(exclude_none=True), sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=dt.date.isoformat)


@settings(max_examples=examples(100), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), st.lists(st.dates(), max_size=3))
def test_a_records_canonical_json_is_its_definition_for_any_record_and_any_date(data: st.DataObject, days: list[dt.date]) -> None:
    import pathrules

    policy = pathrules.load_policy(POLICIES / "thesis-appendix-organisation.yaml").policy
    record = data.draw(strategies.records(policy))
    record = record.model_copy(update={"training": [*record.training, *(Completion(id=f"m{i}", completed_on=day) for i, day in enumerate(days))]})
    assert record.canonical_json() == _canonical_by_definition(record)
    assert record.digest == "sha256:" + hashlib.sha256(_canonical_by_definition(record).encode("utf-8")).hexdigest()


@pytest.mark.parametrize(("day", "why"), [("0000-01-01", "there is no year 0"), ("2026-13-01", "there is no month 13"), ("2026-02-30", "that month has no such day")])
def test_an_impossible_date_says_which_part_is_impossible(day: str, why: str) -> None:
    with pytest.raises(RecordError, match=why):
        load_record_text(f"person: x\ndate_of_birth: '{day}'\n", "r.yaml")


@pytest.mark.parametrize(("line", "column"), [('{"person": "a", "attributes": {"x": 1e999}}', 37), ('{"person": "a", "attributes": {"y": NaN}}', 37), ('{"person": "a", "n": ' + "9" * 5000 + "}", 22)])
def test_a_number_json_refuses_is_placed_at_its_column(line: str, column: int) -> None:
    with pytest.raises(RecordError) as caught:
        load_record_json(line, "people.jsonl", line=4)
    (problem,) = caught.value.problems
    assert (problem.line, problem.column) == (4, column) and "9" * 50 not in problem.message
