"""Batch results as CSV or JSONL lines, written so the output is either complete or visibly partial.

Rows go to ``OUTPUT.partial`` next to the output, in whole rows, and the file is renamed to OUTPUT
only when every row is in it. If the batch stops early (interrupted, disk full, workers lost), the
``.partial`` file stays: a valid CSV/JSONL of the first rows, in order, never a cut-off last row.

CSV cells that a spreadsheet would run as a formula (starting with = + - @, a tab or a carriage
return) are written with a leading apostrophe, as OWASP recommends for CSV injection; so is a cell
that starts with an apostrophe itself, so that a reader dropping one leading apostrophe from every
cell that has one always gets the value back.
"""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path
from typing import Any, Literal

from pathrules.errors import InputError, Problem

CSV_COLUMNS = ["row", "source", "person", "outcome", "eligible_from", "eligible_until", "time_gaps_close_on", "unmet", "next_steps", "summary", "policy_version", "audit_id", "error"]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ESCAPED_STARTS = (*FORMULA_STARTS, "'")  # and the escape itself, so that unescaping is exact
PARTIAL_SUFFIX = ".partial"
_LINE_BREAKS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})  # one JSONL row, one line for every reader


def output_format(path: str | Path) -> Literal["csv", "jsonl"]:
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    raise InputError([Problem("output-format", "the output must end in .csv or .jsonl", str(path))])


def inert_cell(value: str) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula."""
    return "'" + value if value.startswith(ESCAPED_STARTS) else value


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


def csv_header() -> str:
    return ",".join(CSV_COLUMNS) + "\r\n"


def format_row(row: dict[str, Any], fmt: Literal["csv", "jsonl"]) -> str:
    """One finished output line (with its newline)."""
    if fmt == "jsonl":
        return json.dumps(row, ensure_ascii=False).translate(_LINE_BREAKS) + "\n"
    flat = {k: _cell(v) for k, v in row.items()}
    if isinstance(row.get("next_steps"), list):
        flat["next_steps"] = " | ".join(row["next_steps"])
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")  # RFC 4180; it also makes csv quote a cell holding \r
    writer.writerow([inert_cell(flat.get(c, "")) for c in CSV_COLUMNS])
    return buffer.getvalue()


class OutputError(Exception):
    """The output could not be written; ``rows`` whole rows are safely in the partial file."""

    def __init__(self, path: Path, reason: str, rows: int) -> None:
        super().__init__(reason)
        self.path, self.reason, self.rows = path, reason, rows


class ResultWriter:
    """Whole rows to ``OUTPUT.partial``; ``finish`` renames it to OUTPUT, ``abandon`` leaves it partial."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.format = output_format(self.path)
        self.partial = self.path.with_name(self.path.name + PARTIAL_SUFFIX)
        self.rows = 0
        self._pending: list[str] = []
        self._pending_rows = 0
        self._good = 0  # bytes of whole rows on disk
        try:
            self._fd = os.open(self.partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0), 0o666)
        except OSError as err:
            raise InputError([Problem("unwritable", f"cannot write the output here: {err.strerror or type(err).__name__}", str(self.partial))]) from None
        if self.format == "csv":
            self._pending.append(csv_header())
        self.commit()

    def write(self, text: str) -> None:
        self._pending.append(text)
        self._pending_rows += 1

    def commit(self) -> None:
        """Put the rows written so far on disk; on failure cut the file back to its last whole row."""
        if not self._pending:
            return
        data = "".join(self._pending).encode("utf-8", "backslashreplace")
        view = memoryview(data)
        try:
            while view:
                written = os.write(self._fd, view)
                view = view[written:]
        except OSError as err:
            try:
                os.ftruncate(self._fd, self._good)
            except OSError:
                pass
            raise OutputError(self.partial, err.strerror or type(err).__name__, self.rows) from None
        self._good += len(data)
        self.rows += self._pending_rows
        self._pending, self._pending_rows = [], 0

    def finish(self) -> None:
        """Every row is in: make the output appear, complete, under its own name."""
        self.commit()
        try:
            os.fsync(self._fd)
        except OSError:
            pass
        os.close(self._fd)
        self._fd = -1
        try:
            os.replace(self.partial, self.path)
        except OSError as err:
            raise OutputError(self.partial, err.strerror or type(err).__name__, self.rows) from None

    def abandon(self) -> None:
        """Stop early: keep the whole rows written so far in the ``.partial`` file."""
        if self._fd < 0:
            return
        try:
            self.commit()
        except OutputError:
            pass
        os.close(self._fd)
        self._fd = -1
