"""`pathrules diff OLD NEW [--records ...]`: what changed, requirement by requirement, and for whom.

Every list an author writes under a role is compared: requirements, activities, `never`, what the
service owes, entitlements, decision deadlines, stages and notes.

Both policies are evaluated on the same records and the same day, whatever their effective dates, so
the comparison shows the effect of the text alone.
"""

from __future__ import annotations

import datetime as _dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel

from pathrules.batch.inputs import read_rows
from pathrules.errors import PathrulesError
from pathrules.evaluation.evaluate import EngineChoice, Evaluator
from pathrules.policy.loader import LoadedPolicy
from pathrules.policy.model import Policy
from pathrules.policy.source import Note, note_text
from pathrules.record.loader import load_record, record_from_dict
from pathrules.record.model import Record


@dataclass(frozen=True)
class Change:
    where: str  # e.g. "peer-mentor (before starting)"
    requirement: str
    kind: str  # added | removed | changed
    details: tuple[str, ...] = ()

    def __str__(self) -> str:
        text = f"{self.where}: `{self.requirement}` {self.kind}"
        return text + ("".join(f"\n      {d}" for d in self.details))


@dataclass
class PersonChange:
    person: str
    target: str
    before: str
    after: str
    statuses: list[str] = field(default_factory=list)


@dataclass
class DiffReport:
    changes: list[Change]
    people: list[PersonChange] = field(default_factory=list)
    evaluated: int = 0

    def outcome_counts(self) -> Counter[tuple[str, str]]:
        return Counter((p.before, p.after) for p in self.people if p.before != p.after)


def _dumped(items: Iterable[BaseModel]) -> dict[str, dict[str, Any]]:
    """Each item (a requirement, duty, entitlement, deadline or stage) by id, as the author wrote it."""
    return {getattr(item, "id"): item.model_dump(mode="json", by_alias=True, exclude_none=True) for item in items}


def _notes(notes: list[str | Note]) -> dict[str, dict[str, Any]]:
    """Notes have no id: each is keyed by its text, so an edited note reads as one removed and one added."""
    return {f"note: {note_text(n)}": ({"text": n} if isinstance(n, str) else n.model_dump(mode="json", exclude_none=True)) for n in notes}


def _requirement_sets(policy: Policy) -> dict[str, dict[str, dict[str, Any]]]:
    sets: dict[str, dict[str, dict[str, Any]]] = {}
    for role_id, role in policy.roles.items():
        sets[f"{role_id} (before starting)"] = _dumped(policy.expand(role.requires))
        sets[f"{role_id} (in the role)"] = _dumped(policy.expand(role.ongoing))
        sets[f"{role_id} (what the service owes)"] = _dumped(policy.expand(role.owes))
        sets[f"{role_id} (entitlements)"] = _dumped(role.entitlements)
        sets[f"{role_id} (decision deadlines)"] = _dumped(role.decisions)
        sets[f"{role_id} (stages)"] = _dumped(role.stages)
        sets[f"{role_id} (notes)"] = _notes(role.notes)
        for activity_id, activity in role.activities.items():
            sets[f"{role_id} / {activity_id}"] = _dumped(policy.expand(activity.requires))
        sets[f"{role_id} (never)"] = {n: {"never": True} for n in role.never}
    for progression in policy.progressions:
        sets[f"{progression.id}"] = _dumped(policy.expand(progression.requires))
    return sets


def policy_changes(old: Policy, new: Policy) -> list[Change]:
    before, after = _requirement_sets(old), _requirement_sets(new)
    changes: list[Change] = []
    for role in sorted(set(old.roles) - set(new.roles)):
        changes.append(Change(role, role, "removed", ("the whole role",)))
    for role in sorted(set(new.roles) - set(old.roles)):
        changes.append(Change(role, role, "added", ("the whole role",)))
    for where in [w for w in after if w in before] + [w for w in after if w not in before]:
        old_items, new_items = before.get(where, {}), after[where]
        for rid in new_items:
            if rid not in old_items:
                changes.append(Change(where, rid, "added"))
            elif old_items[rid] != new_items[rid]:
                details = tuple(
                    f"{key}: {old_items[rid].get(key, '(none)')} -> {new_items[rid].get(key, '(none)')}"
                    for key in sorted(set(old_items[rid]) | set(new_items[rid]))
                    if old_items[rid].get(key) != new_items[rid].get(key)
                )
                changes.append(Change(where, rid, "changed", details))
        for rid in old_items:
            if rid not in new_items:
                changes.append(Change(where, rid, "removed"))
    for where in before:
        if where not in after and not any(where.startswith(r + " ") for r in set(old.roles) - set(new.roles)):
            for rid in before[where]:
                changes.append(Change(where, rid, "removed"))
    return changes


def load_people(source: str | Path) -> list[Record]:
    """Records from a record file, a .jsonl or .csv batch file, or a folder; bad rows are refused."""
    target = Path(source)
    if target.is_file() and target.suffix.lower() in (".yaml", ".yml", ".json"):
        return [load_record(target)]
    records = []
    for row in read_rows(target):
        if row.error or row.data is None:
            error = row.error or "no data"
            located = Path(error.split(":", 1)[0]).name == Path(row.source.split(":", 1)[0]).name  # a record file's error names it already
            raise PathrulesError(error if located else f"{row.source}: {error}")
        records.append(record_from_dict(row.data, row.source))
    return records


def diff(old: LoadedPolicy, new: LoadedPolicy, records: list[Record] | None = None, as_of: _dt.date | None = None, engine: EngineChoice = "auto") -> DiffReport:
    report = DiffReport(policy_changes(old.policy, new.policy))
    if not records:
        return report
    day = as_of or _dt.date.today()
    before, after = Evaluator(old, engine=engine, enforce_dates=False), Evaluator(new, engine=engine, enforce_dates=False)
    targets: list[tuple[str, str | None]] = [(r, None) for r in old.policy.roles if r in new.policy.roles]
    targets += [(p.to, p.from_) for p in old.policy.progressions if new.policy.progression(p.from_, p.to)]
    for record in records:
        for role, from_role in targets:
            a = before.evaluate(record, role, as_of=day, from_role=from_role)
            b = after.evaluate(record, role, as_of=day, from_role=from_role)
            report.evaluated += 1
            old_status = {r.id: r.status for r in a.requirements}
            new_status = {r.id: r.status for r in b.requirements}
            moved = [f"{rid}: {old_status.get(rid, '(none)')} -> {new_status.get(rid, '(none)')}" for rid in sorted(set(old_status) | set(new_status)) if old_status.get(rid) != new_status.get(rid)]
            if moved or a.outcome != b.outcome:
                label = f"{from_role} -> {role}" if from_role else role
                report.people.append(PersonChange(record.person, label, a.outcome, b.outcome, moved))
    return report
