"""Decide every row of a batch, in order, on both cores where it helps.

Workers are separate processes (spawned, so no engine state is shared); each loads the policies
itself and keeps its own durable-rules host. ``imap`` keeps the input order, and every row yields a
result, a decision or an error, so the output has exactly one row per input row.
"""

from __future__ import annotations

import datetime as _dt
import multiprocessing
import os
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from pathrules.batch.inputs import InputRow
from pathrules.decision import Decision
from pathrules.errors import PathrulesError
from pathrules.evaluation.evaluate import EngineChoice, Evaluator
from pathrules.policy.loader import load_policies
from pathrules.record.loader import record_from_dict

PARALLEL_FROM = 200  # below this, starting workers costs more than it saves


@dataclass(frozen=True)
class BatchSpec:
    policy_paths: tuple[str, ...]
    role: str
    as_of: _dt.date
    from_role: str | None = None
    policy_id: str | None = None
    engine: EngineChoice = "auto"


@dataclass
class Summary:
    counts: Counter[str] = field(default_factory=Counter)

    def add(self, row: dict[str, Any]) -> None:
        self.counts[row["outcome"]] += 1

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def result_row(row: InputRow, decision: Decision | None, error: str | None) -> dict[str, Any]:
    """One output row: the decision's essentials, or the error with where it came from."""
    if decision is None:
        return {"row": row.index + 1, "source": row.source, "person": (row.data or {}).get("person", "") if isinstance(row.data, dict) else "", "outcome": "error", "error": error}
    return {
        "row": row.index + 1,
        "source": row.source,
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


_worker: Evaluator | None = None
_spec: BatchSpec | None = None


def _init(spec: BatchSpec) -> None:
    global _worker, _spec
    _spec = spec
    _worker = Evaluator(load_policies(*spec.policy_paths), engine=spec.engine)


def _decide(row: InputRow) -> tuple[dict[str, Any], Decision | None]:
    assert _worker is not None and _spec is not None
    if row.error is not None or row.data is None:
        return result_row(row, None, row.error or "no data"), None
    try:
        record = record_from_dict(row.data, row.source)
        decision = _worker.evaluate(record, _spec.role, as_of=_spec.as_of, from_role=_spec.from_role, policy_id=_spec.policy_id)
    except PathrulesError as err:
        return result_row(row, None, " ".join(str(err).split())), None
    return result_row(row, decision, None), decision


def run_batch(
    rows: Sequence[InputRow],
    spec: BatchSpec,
    *,
    jobs: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    keep_decisions: bool = False,
) -> Iterator[tuple[dict[str, Any], Decision | None]]:
    """(output row, decision or None) for every input row, in input order."""
    workers = jobs or min(2, os.cpu_count() or 1)
    total = len(rows)
    if workers <= 1 or total < PARALLEL_FROM:
        _init(spec)
        for done, row in enumerate(rows, 1):
            yield _decide(row)
            if progress:
                progress(done, total)
        return
    context = multiprocessing.get_context("spawn")
    with context.Pool(workers, initializer=_init, initargs=(spec,)) as pool:
        for done, (out, decision) in enumerate(pool.imap(_decide, rows, chunksize=32), 1):
            yield out, (decision if keep_decisions else None)
            if progress:
                progress(done, total)
