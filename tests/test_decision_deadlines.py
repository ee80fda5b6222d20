"""Decision deadlines: what is waiting on the service, since when, who decides; overdue is a service duty."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

import pathrules
from pathrules.errors import PolicyError
from pathrules.evaluation.render import render_text
from pathrules.policy.loader import load_policy_text
from pathrules.describe import roles_text

# No source gives a decision deadline (thesis §6.4, l.1889 only shows a delay at Organisation D):
# the figures here are a test organisation's own.
POLICY = """
policy: deadlines
organisation: A test organisation
version: "1"
effective_from: 2026-01-01
roles:
  mentor:
    title: Mentor
    requires:
      - {id: dbs, kind: vetting, scheme: dbs, level: enhanced, status: returned}
      - {id: references, kind: references, at_least: 1, approved: true}
    decisions:
      - id: start-decision
        title: whether the mentor can start
        after: checks_in
        within: 10 days
        decided_by: service-manager
        second_opinion: team-meeting
        recorded_as: start-decision
      - id: dbs-decision
        title: what the certificate means for the role
        after: {returned: dbs}
        within: 5 days
        decided_by: volunteer-services
        recorded_as: dbs-decision
"""


def _record(**extra: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "person": "c",
        "vetting": [{"scheme": "dbs", "level": "enhanced", "applied_on": "2026-04-01", "documents_verified": True, "issued_on": "2026-05-01", "disclosure": False}],
        "references": [{"requested_on": "2026-04-01", "received_on": "2026-04-20", "approved_on": "2026-05-03"}],
    }
    record.update(extra)
    return record


def _decide(record: dict[str, Any], day: dt.date) -> pathrules.Decision:
    return pathrules.Evaluator(load_policy_text(POLICY), engine="python").evaluate(record, "mentor", as_of=day)


def test_the_clock_starts_when_the_last_check_is_in_and_is_overdue_the_day_after_the_deadline() -> None:
    on_time = _decide(_record(), dt.date(2026, 5, 13))
    late = _decide(_record(), dt.date(2026, 5, 14))
    waits = {w.id: w for w in on_time.waiting_on_service}
    assert waits["start-decision"].since == dt.date(2026, 5, 3) and waits["start-decision"].due == dt.date(2026, 5, 13)
    assert waits["start-decision"].status == "waiting" and waits["start-decision"].second_opinion == "team-meeting"
    assert {w.id: w.status for w in late.waiting_on_service}["start-decision"] == "overdue"
    duty = {d.id: d for d in late.service_owes}["start-decision"]
    assert duty.status == "behind" and duty.since == dt.date(2026, 5, 14) and duty.kind == "decision_deadline"
    assert on_time.outcome == late.outcome  # the service's delay never changes the person's outcome


def test_a_dbs_decision_is_due_within_its_days_of_the_certificate_coming_back() -> None:
    decision = _decide(_record(), dt.date(2026, 5, 7))
    wait = {w.id: w for w in decision.waiting_on_service}["dbs-decision"]
    assert (wait.since, wait.due, wait.status) == (dt.date(2026, 5, 1), dt.date(2026, 5, 6), "overdue")


def test_a_decision_recorded_by_the_deciding_role_or_the_second_opinion_stops_the_clock() -> None:
    decided = _decide(_record(approvals=[{"item": "start-decision", "approver": "team-meeting", "approved_on": "2026-05-20"}]), dt.date(2026, 6, 1))
    wait = {w.id: w for w in decided.waiting_on_service}["start-decision"]
    assert wait.status == "decided" and wait.decided_on == dt.date(2026, 5, 20)
    assert "start-decision" not in {d.id for d in decided.service_owes}


def test_nothing_waits_on_the_service_while_a_check_is_outstanding() -> None:
    decision = _decide(_record(references=[]), dt.date(2026, 6, 1))
    assert "start-decision" not in {w.id for w in decision.waiting_on_service}


def test_the_texts_say_who_decides_and_by_when() -> None:
    decision = _decide(_record(), dt.date(2026, 5, 14))
    staff = render_text(decision)
    assert "Waiting on the service:" in staff and "the service manager decides whether the mentor can start" in staff
    assert "OVERDUE" in staff and "team meeting for a second opinion" in staff
    letter = render_text(decision, audience="person")
    assert "The service manager is to decide whether the mentor can start by 13 May 2026" in letter
    assert "start-decision" not in letter
    assert "within 10 days of every pre-start check being in" in roles_text(load_policy_text(POLICY).policy)


def test_a_deadline_without_a_clock_start_is_a_located_error() -> None:
    broken = POLICY.replace("after: checks_in", "after: sometime")
    with pytest.raises(PolicyError) as caught:
        load_policy_text(broken, "d.yaml")
    assert "d.yaml:15" in str(caught.value) and "after" in str(caught.value)
