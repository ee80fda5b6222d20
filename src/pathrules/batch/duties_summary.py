"""A per-service summary of duties the service is behind on, across a batch: how many people, oldest first.

For a manager: where the service is behind (supervision overdue, caseloads over the cap, exit plans
late, decisions waiting past their deadline). It holds person ids and dates only, never a record's
sensitive values, and is written as JSON beside the batch output (`pathrules batch --duties-summary`).
"""

from __future__ import annotations

import datetime as _dt
import json
from dataclasses import dataclass, field
from pathlib import Path

from pathrules.decision import Decision


@dataclass
class _Duty:
    what: str
    people: list[tuple[_dt.date | None, str]] = field(default_factory=list)


@dataclass
class DutiesSummary:
    """Collects the ``behind`` duties of each decision as a batch runs."""

    duties: dict[tuple[str, str], _Duty] = field(default_factory=dict)  # (policy id, duty id) -> who and since when
    people: int = 0

    def add(self, decision: Decision) -> None:
        self.people += 1
        for duty in decision.service_owes:
            if duty.status == "behind":
                entry = self.duties.setdefault((decision.policy.id, duty.id), _Duty(duty.duty))
                entry.people.append((duty.since, decision.person))

    def to_data(self, role: str, as_of: _dt.date) -> dict[str, object]:
        rows = []
        for (policy_id, duty_id), entry in self.duties.items():
            ordered = sorted(entry.people, key=lambda p: (p[0] is None, p[0] or _dt.date.max, p[1]))
            oldest = ordered[0][0]
            rows.append(
                {
                    "policy": policy_id,
                    "duty": duty_id,
                    "what": entry.what,
                    "people_behind": len(ordered),
                    "oldest_since": oldest.isoformat() if oldest else None,
                    "people": [{"person": person, "since": since.isoformat() if since else None} for since, person in ordered],
                }
            )
        rows.sort(key=lambda r: (r["oldest_since"] is None, r["oldest_since"] or "", r["policy"], r["duty"]))
        return {"role": role, "as_of": as_of.isoformat(), "people_decided": self.people, "duties_behind": rows}

    def write(self, path: str | Path, role: str, as_of: _dt.date) -> None:
        Path(path).write_text(json.dumps(self.to_data(role, as_of), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
