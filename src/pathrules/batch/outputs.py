"""Write batch results as CSV or JSONL (by the output file's extension), a row at a time."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from pathrules.errors import InputError, Problem

CSV_COLUMNS = ["row", "source", "person", "outcome", "eligible_from", "eligible_until", "time_gaps_close_on", "unmet", "next_steps", "summary", "policy_version", "audit_id", "error"]


class ResultWriter:
    """Writes and flushes each row as it comes, so an interrupted batch keeps what it decided."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        suffix = self.path.suffix.lower()
        if suffix not in (".csv", ".jsonl", ".ndjson"):
            raise InputError([Problem("output-format", "the output must end in .csv or .jsonl", str(path))])
        self.format = "csv" if suffix == ".csv" else "jsonl"
        self._handle: IO[str] = self.path.open("w", encoding="utf-8", newline="")
        self._csv = csv.DictWriter(self._handle, fieldnames=CSV_COLUMNS, lineterminator="\n") if self.format == "csv" else None
        if self._csv:
            self._csv.writeheader()

    def write(self, row: dict[str, Any]) -> None:
        if self._csv is not None:
            flat = {k: ("; ".join(v) if isinstance(v, list) else ("" if v is None else v)) for k, v in row.items()}
            if isinstance(row.get("next_steps"), list):
                flat["next_steps"] = " | ".join(row["next_steps"])
            self._csv.writerow({c: flat.get(c, "") for c in CSV_COLUMNS})
        else:
            self._handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        self._handle.flush()

    def close(self) -> None:
        self._handle.close()

    def __enter__(self) -> ResultWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        self.close()
