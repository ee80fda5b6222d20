"""The summary of a `pending` decision names what it is waiting for, not a guess.

A person in post after a lapse, waiting on the meeting the service arranges, was told they were waiting on
"a check or a reference": wrong, and it sends them chasing the wrong thing.
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Any

from pathrules import Evaluator, load_policy, load_record
from pathrules.policy.loader import load_policy_text
from conftest import inline_policy

ROOT = Path(__file__).resolve().parents[1]
AS_OF = _dt.date(2026, 11, 27)


def test_a_lapse_meeting_owed_is_named_in_the_summary() -> None:
    evaluator = Evaluator(load_policy(ROOT / "policies" / "dublin-doing-peer-work.yaml"), engine="python")
    decision = evaluator.evaluate(load_record(ROOT / "examples" / "aoife.yaml"), "peer-worker", as_of=AS_OF)
    assert decision.outcome == "pending"
    assert "a meeting after a lapse" in decision.summary
    assert "check or a reference" not in decision.summary


POLICY = inline_policy("pending-words", """roles:
  mentor:
    title: Mentor
    requires:
      - {id: dbs, kind: vetting, scheme: dbs, level: enhanced, status: returned}
      - {id: references, kind: references, at_least: 1, approved: true}
""")


def _mentor(record: dict[str, Any]) -> str:
    decision = Evaluator(load_policy_text(POLICY), engine="python").evaluate(record, "mentor", as_of=AS_OF)
    assert decision.outcome == "pending"
    return decision.summary


def test_a_check_applied_for_and_a_reference_requested_are_each_named() -> None:
    applied = [{"scheme": "dbs", "level": "enhanced", "applied_on": "2026-11-01", "documents_verified": True}]
    returned = [{"scheme": "dbs", "level": "enhanced", "applied_on": "2026-10-01", "documents_verified": True, "issued_on": "2026-11-01", "disclosure": False}]
    approved = [{"requested_on": "2026-10-01", "received_on": "2026-10-20", "approved_on": "2026-11-03"}]
    requested = [{"requested_on": "2026-11-20"}]
    check_only = _mentor({"person": "c", "vetting": applied, "references": approved})
    reference_only = _mentor({"person": "c", "vetting": returned, "references": requested})
    both = _mentor({"person": "c", "vetting": applied, "references": requested})
    assert "a criminal-record check" in check_only and "reference" not in check_only
    assert "a reference" in reference_only and "check" not in reference_only
    assert "a criminal-record check" in both and "a reference" in both
