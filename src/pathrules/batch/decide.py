"""Decide one batch item: parse it once, evaluate it, and format its output row.

This runs where the work is done (in a worker process when there are workers), so the parent only
moves text: it sends raw lines or cells and gets back finished output lines. Every item yields one
Result whatever goes wrong, and no error text ever carries a record's values.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import Any, Literal

from pathrules.batch.duties_summary import BehindDuty, behind_duties
from pathrules.batch.inputs import Item
from pathrules.batch.parse import RowError, item_data, person_named, person_of
from pathrules.batch.outputs import format_row
from pathrules.decision import Decision
from pathrules.errors import PathrulesError
from pathrules.evaluation.evaluate import EngineChoice, Evaluator
from pathrules.policy.loader import LoadedPolicy
from pathrules.record.loader import record_from_dict
from pathrules.record.model import Record

OutputFormat = Literal["csv", "jsonl"]


@dataclass(frozen=True)
class BatchSpec:
    """What every row is decided against; the policies are loaded once, by the parent."""

    policies: tuple[LoadedPolicy, ...]
    role: str
    as_of: _dt.date
    from_role: str | None = None
    policy_id: str | None = None
    engine: EngineChoice = "auto"


@dataclass(frozen=True, slots=True)
class Result:
    """One output row. ``text`` is the finished line; with ``keep`` the row, decision and record come
    back instead, for the audit store (which adds the row's audit id before it is formatted).
    ``duties`` holds the service duties behind (for ``--duties-summary``) when they were asked for:
    a few short tuples, so a worker never has to send a whole Decision for them."""

    index: int
    outcome: str
    text: str
    row: dict[str, Any] | None = None
    decision: Decision | None = None
    record: Record | None = None
    duties: tuple[BehindDuty, ...] = ()


def result_row(index: int, source: str, decision: Decision | None, error: str | None, person: str = "") -> dict[str, Any]:
    """One output row: the decision's essentials, or the error with where it came from."""
    if decision is None:
        return {"row": index + 1, "source": source, "person": person, "outcome": "error", "error": error}
    return {
        "row": index + 1,
        "source": source,
        "person": decision.person,
        "outcome": decision.outcome,
        "eligible_from": decision.eligible_from.isoformat() if decision.eligible_from else None,
        "eligible_until": decision.eligible_until.isoformat() if decision.eligible_until else None,
        "time_gaps_close_on": decision.time_gaps_close_on.isoformat() if decision.time_gaps_close_on else None,
        "unmet": [f"{r.id} ({r.status.replace('_', ' ')})" for r in decision.unmet()],
        "next_steps": decision.next_steps,
        "summary": decision.summary,
        "policy_version": decision.policy.version,
        "error": None,
    }


class Decider:
    """Holds one evaluator (and so one engine) for the life of a process."""

    def __init__(self, spec: BatchSpec, output: OutputFormat, keep: bool = False, duties: bool = False) -> None:
        self.spec, self.output, self.keep, self.duties = spec, output, keep, duties
        self.evaluator = Evaluator(list(spec.policies), engine=spec.engine)

    def decide(self, item: Item) -> Result:
        person = ""
        try:
            data = item_data(item)
            person = person_of(data)
            record = record_from_dict(data, item.source) if not isinstance(data, Record) else data
            spec = self.spec
            decision = self.evaluator.evaluate(record, spec.role, as_of=spec.as_of, from_role=spec.from_role, policy_id=spec.policy_id)
        except RowError as err:
            return self._finish(item, None, str(err), person_named(item), None)
        except PathrulesError as err:
            return self._finish(item, None, " ".join(str(err).split()), person, None)
        except RecursionError:
            return self._finish(item, None, "the record is nested too deeply", person, None)
        except Exception as err:  # noqa: BLE001 - one row never stops a batch; the type only, never values
            return self._finish(item, None, f"internal error while deciding this row ({type(err).__name__}); please report it", person, None)
        return self._finish(item, decision, None, decision.person, record)

    def _finish(self, item: Item, decision: Decision | None, error: str | None, person: str, record: Record | None) -> Result:
        row = result_row(item.index, item.source, decision, error, person)
        if self.keep:
            return Result(item.index, row["outcome"], "", row, decision, record)
        behind = behind_duties(decision) if self.duties and decision is not None else ()
        return Result(item.index, row["outcome"], format_row(row, self.output), duties=behind)


