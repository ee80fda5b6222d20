"""A record's attributes are held to the types the policy declares for them: a mistyped value is bad
input, named at its field with what was expected, never read as "not recorded" (a review of the CLI
found `exit-plan-agreed-on: 2026-02-30` decided as "no exit plan is recorded")."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import pathrules
from conftest import EXAMPLES, POLICIES
from example_counts import examples
from pathrules.cli.main import run
from pathrules.errors import RecordError

SHARPS = POLICIES / "sharps-harm-reduction.yaml"
AS_OF = "2027-02-01"
DAY = dt.date(2027, 2, 1)


def _grace(**attributes: Any) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((EXAMPLES / "grace.yaml").read_text())
    data["attributes"] = {**data["attributes"], **attributes}
    return data


def _cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return run(list(argv), out, err), out.getvalue(), err.getvalue()


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("exit-plan-agreed-on", "2026-02-30", "a date like 2026-01-31"),
        ("exit-plan-agreed-on", "yesterday", "a date like 2026-01-31"),
        ("exit-plan-agreed-on", "2026-09-15T10:00:00", "a date like 2026-01-31"),
        ("exit-plan-agreed-on", 5, "a date like 2026-01-31"),
        ("caseload", "abc", "a whole number"),
        ("caseload", 16.5, "a whole number"),
        ("caseload", True, "a whole number"),
    ],
)
def test_a_mistyped_attribute_is_refused_at_its_field(tmp_path: Path, name: str, value: Any, expected: str) -> None:
    record = tmp_path / "grace.yaml"
    record.write_text(yaml.safe_dump(_grace(**{name: value}), sort_keys=False))
    code, out, err = _cli("check", str(record), "--policy", str(SHARPS), "--role", "peer-navigator", "--as-of", AS_OF)
    assert code == 1 and out == ""
    line = next(n for n, text in enumerate(record.read_text().splitlines(), 1) if text.strip().startswith(f"{name}:"))
    assert f"{record}:{line}:" in err and f"attributes.{name}" in err and expected in err
    assert str(value) not in err.replace(str(record), "")  # the value itself is not echoed (records hold sensitive text)
    with pytest.raises(RecordError, match=f"attributes.{name}"):
        pathrules.Evaluator(pathrules.load_policy(SHARPS)).evaluate(pathrules.load_record(_grace(**{name: value})), "peer-navigator", as_of=DAY)


def test_a_batch_row_with_a_mistyped_attribute_is_an_error_row_naming_it(tmp_path: Path) -> None:
    rows = [_grace(), _grace(caseload="lots"), _grace()]
    source = tmp_path / "people.jsonl"
    source.write_text("\n".join(json.dumps(r, default=str) for r in rows) + "\n")
    out = tmp_path / "out.jsonl"
    code, _, _ = _cli("batch", str(source), "--policy", str(SHARPS), "--role", "peer-navigator", "--as-of", AS_OF, "--out", str(out))
    decided = [json.loads(line) for line in out.read_text().splitlines()]
    assert code == 1 and [r["outcome"] == "error" for r in decided] == [False, True, False]
    assert "attributes.caseload" in decided[1]["error"] and "a whole number" in decided[1]["error"] and "lots" not in decided[1]["error"]
    assert decided[1]["person"] == "grace-t"


@settings(max_examples=examples(100), deadline=None)
@given(caseload=st.integers(0, 10**6), agreed=st.dates())
def test_well_typed_attributes_are_decided(caseload: int, agreed: Any) -> None:
    decision = pathrules.Evaluator(pathrules.load_policy(SHARPS)).evaluate(
        pathrules.load_record(_grace(caseload=caseload, **{"exit-plan-agreed-on": agreed.isoformat()})), "peer-navigator", as_of=DAY
    )
    assert decision.outcome


def test_attributes_the_policy_does_not_declare_are_left_alone() -> None:
    """A record may carry attributes another policy declares."""
    decision = pathrules.Evaluator(pathrules.load_policy(SHARPS)).evaluate(pathrules.load_record(_grace(**{"shoe-size": "large"})), "peer-navigator", as_of=DAY)
    assert decision.outcome


def test_pathways_place_a_mistyped_attribute_at_its_line(tmp_path: Path) -> None:
    record = tmp_path / "grace.yaml"
    record.write_text(yaml.safe_dump(_grace(caseload="lots"), sort_keys=False))
    code, out, err = _cli("pathways", str(record), "--policies", str(POLICIES), "--as-of", AS_OF)
    line = next(n for n, text in enumerate(record.read_text().splitlines(), 1) if text.strip().startswith("caseload:"))
    assert code == 1 and out == "" and f"{record}:{line}:" in err and "attributes.caseload" in err and "lots" not in err
