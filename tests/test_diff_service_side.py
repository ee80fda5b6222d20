"""`pathrules diff` shows every change an author can make to a role, including the service's side:
what the service owes, entitlements, decision deadlines, stages and notes. Before, a changed
expenses cap or a dropped supervision duty passed as "no changes"."""

from __future__ import annotations

from pathrules.authoring.diff import policy_changes
from pathrules.policy.loader import load_policy_text
from conftest import inline_policy

BASE = inline_policy("diff-service", """roles:
  mentor:
    title: Mentor
    requires:
      - {id: dbs, kind: vetting, scheme: dbs, level: enhanced, status: returned}
    owes:
      - {id: supervision, kind: supervision, at_least: 1, within: 1 month}
    entitlements:
      - {id: travel, title: travel expenses, up_to: "15.00", currency: GBP}
    notes:
      - Mentors are paired with a keyworker.
""")


def _changes(old: str, new: str) -> list[str]:
    return [str(c) for c in policy_changes(load_policy_text(old).policy, load_policy_text(new).policy)]


def test_identical_policies_have_no_changes() -> None:
    assert _changes(BASE, BASE) == []


def test_a_changed_entitlement_cap_is_listed_with_old_and_new_amounts() -> None:
    changes = _changes(BASE, BASE.replace('up_to: "15.00"', 'up_to: "12.00"'))
    assert len(changes) == 1 and "travel" in changes[0] and "15.00" in changes[0] and "12.00" in changes[0]


def test_a_dropped_service_duty_is_listed_as_removed() -> None:
    changes = _changes(BASE, BASE.replace("    owes:\n      - {id: supervision, kind: supervision, at_least: 1, within: 1 month}\n", ""))
    assert any("supervision" in c and "removed" in c and "owes" in c for c in changes), changes


def test_a_changed_note_is_listed() -> None:
    changes = _changes(BASE, BASE.replace("paired with a keyworker", "paired with a supervisor"))
    assert changes and any("note" in c for c in changes), changes
