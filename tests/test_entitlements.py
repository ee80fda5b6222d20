"""Entitlements: exact money (Decimal), conditions on the day, caps, a reason per line; words where no figure."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pathrules
from pathrules.cli.main import run
from pathrules.entitlements import EntitlementLine
from pathrules.errors import EvaluationError, PolicyError
from pathrules.policy.loader import load_policy_text

from conftest import AS_OF, EXAMPLES, POLICIES
from example_counts import examples

THESIS = POLICIES / "thesis-appendix-organisation.yaml"
FARID = EXAMPLES / "farid.yaml"


def _lines(hours: str) -> dict[str, EntitlementLine]:
    evaluator = pathrules.Evaluator(pathrules.load_policy(THESIS), engine="python")
    return {line.id: line for line in evaluator.entitlements(FARID, "peer-mentor", day=AS_OF, hours=hours)}


def test_travel_up_to_15_pounds_and_lunch_up_to_4_pounds_from_four_hours_exactly() -> None:
    four = _lines("4")
    assert four["travel"].applies and four["travel"].up_to == Decimal("15.00") and four["travel"].currency == "GBP"
    assert four["lunch"].applies and four["lunch"].up_to == Decimal("4.00")
    short = _lines("3.99")
    assert not short["lunch"].applies and "at least 4 hours" in short["lunch"].reason and "3.99 hours" in short["lunch"].reason


@settings(max_examples=examples(30))
@given(st.decimals(min_value=0, max_value=24, places=2))
def test_lunch_applies_exactly_from_four_hours(hours: Decimal) -> None:
    assert _lines(str(hours))["lunch"].applies == (hours >= 4)


def test_money_is_exact_text_in_json_never_a_float() -> None:
    data = _lines("5")["lunch"].model_dump(mode="json")
    assert data["up_to"] == "4.00" and isinstance(data["up_to"], str)


def test_no_entitlement_on_a_day_the_person_is_not_in_the_role() -> None:
    evaluator = pathrules.Evaluator(pathrules.load_policy(THESIS), engine="python")
    lines = evaluator.entitlements({"person": "x"}, "peer-mentor", day=AS_OF, hours="5")
    assert not any(line.applies for line in lines) and "does not show x in this role" in lines[0].reason


def test_hours_as_a_float_or_out_of_range_are_refused() -> None:
    evaluator = pathrules.Evaluator(pathrules.load_policy(THESIS), engine="python")
    for bad in (3.5, "-1", "25", "NaN", "lots"):
        with pytest.raises(EvaluationError):
            evaluator.entitlements(FARID, "peer-mentor", day=AS_OF, hours=bad)  # type: ignore[arg-type]


LIVING_WAGE = """
policy: paid
organisation: A test organisation (Dublin guide advice)
version: "1"
effective_from: 2026-01-01
jurisdiction: ireland
roles:
  peer-worker:
    title: Peer worker (paid)
    entitlements:
      - {id: wage, title: pay, text: At least the living wage}
"""


def test_the_living_wage_is_words_with_no_figure() -> None:
    evaluator = pathrules.Evaluator(load_policy_text(LIVING_WAGE), engine="python")
    record = {"person": "p", "roles_held": [{"role": "peer-worker", "started_on": "2026-02-01"}]}
    (line,) = evaluator.entitlements(record, "peer-worker", day=AS_OF, hours="7")
    assert line.applies and line.up_to is None and line.reason == "At least the living wage (the source gives no figure)."


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("{id: wage, title: pay, up_to: 15.00, currency: GBP}", "up_to"),  # a YAML float: money is text
        ("{id: wage, title: pay, up_to: '15.00'}", "`up_to` and `currency` go together"),
        ("{id: wage, title: pay}", "give `up_to` with a `currency`"),
    ],
)
def test_money_must_be_text_with_a_currency_with_located_errors(entry: str, message: str) -> None:
    with pytest.raises(PolicyError) as caught:
        load_policy_text(LIVING_WAGE.replace("{id: wage, title: pay, text: At least the living wage}", entry), "e.yaml")
    assert message in str(caught.value) and "e.yaml:11" in str(caught.value)


def test_the_cli_prints_each_line_with_its_reason_and_json_keeps_amounts_exact() -> None:
    out, err = io.StringIO(), io.StringIO()
    code = run(["entitlements", str(FARID), "--policy", str(THESIS), "--role", "peer-mentor", "--hours", "3.5", "--day", "2026-11-23"], out, err)
    assert code == 0, err.getvalue()
    assert "[yes] travel expenses: up to £15.00" in out.getvalue()
    assert "[no]  lunch expenses: - — Only on a day of at least 4 hours; this day has 3.5 hours." in out.getvalue()
    out = io.StringIO()
    assert run(["entitlements", str(FARID), "--policy", str(THESIS), "--role", "peer-mentor", "--hours", "4", "--day", "2026-11-23", "--json"], out, err) == 0
    assert [(d["id"], d["up_to"], d["applies"]) for d in json.loads(out.getvalue())] == [("travel", "15.00", True), ("lunch", "4.00", True)]
    assert run(["entitlements", str(FARID), "--policy", str(THESIS), "--role", "peer-mentor", "--hours", "lots"], io.StringIO(), err) == 2  # a usage error, like every other bad option value


def test_the_mutation_check_nudges_entitlement_money_and_hours() -> None:
    from pathrules.authoring.mutation import _nudged, thresholds
    from pathrules.policy.loader import canonical_data
    from pathrules.policy.schema import json_compatible

    paths = list(thresholds(json_compatible(canonical_data(pathrules.load_policy(THESIS).policy))))
    assert ("roles", "peer-mentor", "entitlements", 1, "min_hours") in paths
    assert ("roles", "peer-mentor", "entitlements", 0, "up_to") in paths
    assert (_nudged("15.00", 1), _nudged("4.00", -1), _nudged("4", 1)) == ("16.00", "3.00", "5")
