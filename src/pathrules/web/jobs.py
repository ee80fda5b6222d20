"""Spreadsheet uploads decided in the background, one output row per input row, with progress.

The upload is read with the batch reader (`pathrules batch`'s), so a bad row becomes an output row
carrying its row number and problem; nothing is dropped. Every decision is stored in the audit chain
with the account that uploaded. Results stay in memory only (never written to disk on the server)
and are written as CSV by the batch writer when downloaded.
"""

from __future__ import annotations

import datetime as _dt
import re
import tempfile
import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pathrules.fork_safety import ForkSafeLock
from pathrules.batch.decide import result_row
from pathrules.batch.inputs import InputRow, read_rows
from pathrules.batch.outputs import csv_header, format_row
from pathrules.errors import InputError, PathrulesError
from pathrules.record.loader import record_from_dict
from pathrules.web.library import Library

KEEP_JOBS = 50


@dataclass
class Job:
    id: str
    owner: str
    filename: str
    policy: str
    role: str
    as_of: _dt.date
    from_role: str | None
    total: int
    done: int = 0
    results: list[dict[str, Any]] = field(default_factory=list)
    finished: bool = False
    failure: str | None = None

    @property
    def bad_rows(self) -> list[dict[str, Any]]:
        return [r for r in self.results if r["outcome"] == "error"]

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for row in self.results:
            counts[row["outcome"]] = counts.get(row["outcome"], 0) + 1
        return counts

    def csv_bytes(self) -> bytes:
        """The batch's CSV, formatted as `pathrules batch` formats it (formula-like cells made inert)."""
        return (csv_header() + "".join(format_row(row, "csv") for row in self.results)).encode("utf-8")


def safe_filename(name: str | None) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", Path(name or "upload.csv").name)[:80].strip(".-") or "upload.csv"
    return stem if stem.lower().endswith(".csv") else stem + ".csv"


def read_upload(data: bytes, filename: str) -> list[InputRow]:
    """Rows of an uploaded CSV (via a private temporary file, deleted at once); InputError on a bad
    header. Problems and rows name the file as uploaded, never the temporary folder on the server."""
    with tempfile.TemporaryDirectory(prefix="pathrules-web-") as folder:
        path = Path(folder) / filename
        path.write_bytes(data)
        hidden = str(path)
        try:
            rows = list(read_rows(path))
        except InputError as err:
            raise InputError([replace(p, file=p.file.replace(hidden, filename)) for p in err.problems]) from None
        return [replace(row, source=row.source.replace(hidden, filename), error=row.error and row.error.replace(hidden, filename)) for row in rows]


def _error_row(row: InputRow, error: str) -> dict[str, Any]:
    return result_row(row.index, row.source, None, error, row.person)


class Jobs:
    def __init__(self, library: Library) -> None:
        self.library = library
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = ForkSafeLock()

    def start(self, rows: list[InputRow], *, owner: str, filename: str, policy: str, role: str, as_of: _dt.date, from_role: str | None) -> Job:
        job = Job(uuid.uuid4().hex, owner, filename, policy, role, as_of, from_role, len(rows))
        with self._lock:
            self._jobs[job.id] = job
            while len(self._jobs) > KEEP_JOBS:
                self._jobs.popitem(last=False)
        threading.Thread(target=self._run, args=(job, rows), name=f"batch-{job.id[:8]}", daemon=True).start()
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def _run(self, job: Job, rows: list[InputRow]) -> None:
        evaluator = self.library.evaluator
        try:
            loaded = evaluator.policy_for(job.as_of, job.policy)
            for row in rows:
                job.results.append(self._decide(row, job, evaluator, loaded))
                job.done += 1
        except Exception as err:  # noqa: BLE001 - reported on the page; rows not reached become error rows
            job.failure = f"the batch stopped: {type(err).__name__}"
            for row in rows[len(job.results) :]:
                job.results.append(_error_row(row, "not decided: the batch stopped before this row"))
                job.done += 1
        finally:
            job.finished = True

    def _decide(self, row: InputRow, job: Job, evaluator: Any, loaded: Any) -> dict[str, Any]:
        if row.error is not None or row.data is None:
            return _error_row(row, row.error or "no data")
        try:
            record = record_from_dict(row.data, row.source)
            decision = evaluator.evaluate(record, job.role, as_of=job.as_of, from_role=job.from_role, policy_id=job.policy)
        except PathrulesError as err:
            return _error_row(row, " ".join(str(err).split()))
        out = result_row(row.index, row.source, decision, None)
        out["audit_id"] = self.library.append(decision, loaded, record, job.owner)
        return out
