"""`eligible_from` is a promise ("if nothing else changes, from ..."): it must not name a day on which a date
agreed with the person has already passed. Found by the property test
`test_eligible_from_is_the_first_day_the_evaluation_says_eligible` on the thesis policy: a controlled
drinker's agreed alcohol-free date fell before their time-based gap closed, and on the promised day the
decision was a manager's review."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pathrules
from pathrules.policy.loader import load_policy_text
from conftest import inline_policy

POLICY = inline_policy("agreed-date", """roles:
  mentor:
    title: Mentor
    requires:
      - {id: free-from-drugs, kind: abstinence, substances: [illicit-drugs], at_least: 6 months}
      - id: alcohol-free-by-agreed-date
        kind: agreement
        agreement: alcohol-free
        title: to be alcohol-free
        agreed_with: [service-manager]
        when_due_passes: review
""")
AS_OF = dt.date(2026, 11, 27)


def _record(due_on: str) -> dict[str, Any]:
    return {
        "person": "p",
        "substance_use": [{"substance": "illicit-drugs", "last_use": "2026-09-01"}],
        "agreements": [{"agreement": "alcohol-free", "agreed_with": "service-manager", "agreed_on": "2026-11-01", "due_on": due_on}],
    }


def _decide(record: dict[str, Any], day: dt.date) -> pathrules.Decision:
    return pathrules.Evaluator(load_policy_text(POLICY), engine="python").evaluate(record, "mentor", as_of=day)


def test_no_eligible_from_when_an_agreed_date_passes_before_the_gap_closes() -> None:
    decision = _decide(_record("2027-01-15"), AS_OF)
    assert decision.outcome == "not_yet" and decision.time_gaps_close_on == dt.date(2027, 3, 1)
    assert decision.eligible_from is None
    assert _decide(_record("2027-01-15"), dt.date(2027, 3, 1)).outcome == "review"  # what the promise would have hidden


def test_eligible_from_stands_when_the_agreed_date_is_on_or_after_it() -> None:
    for due in ("2027-03-01", "2027-06-30"):
        decision = _decide(_record(due), AS_OF)
        assert decision.eligible_from == dt.date(2027, 3, 1)
        assert _decide(_record(due), decision.eligible_from).outcome in ("eligible", "conditional")
