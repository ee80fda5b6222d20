"""`pathrules batch` and `pathrules csv-template`: many people at once, no row ever lost.

Exit codes (docs/batch.md): 0 every row decided; 1 some rows were bad input (all rows written), or
the batch was refused before it began (nothing written); 4 the batch stopped part-way (the output is
left as OUTPUT.partial); 130 / 143 interrupted by SIGINT / SIGTERM (likewise).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as _dt
import os
import signal
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from pathrules.batch.csv_format import COLUMNS, template
from pathrules.batch.inputs import Item, count_items, read_items
from pathrules.batch.outputs import OutputError, ResultWriter, format_row, output_format
from pathrules.batch.runner import BatchInterrupted, BatchSpec, BatchStopped, run_batch
from pathrules.cli.output import MAX_JOBS, parse_date, trusted, worker_count
from pathrules.batch.duties_summary import DutiesSummary
from pathrules.decision import OUTCOME_ORDER
from pathrules.errors import InputError, PathrulesError, Problem
from pathrules.policy.loader import load_policies

if TYPE_CHECKING:
    from pathrules.audit.store import AuditStore

EXIT_PARTIAL = 4
COMMIT_ROWS, COMMIT_SECONDS = 64, 0.5


def register(sub: "argparse._SubParsersAction[Any]") -> None:
    batch = sub.add_parser("batch", help="decide for every row of a JSONL or CSV file, or every record in a folder")
    batch.add_argument("input", metavar="INPUT", help=".jsonl, .csv (see `pathrules csv-template`), or a folder of .yaml/.json records")
    batch.add_argument("--policy", required=True, metavar="PATH")
    batch.add_argument("--role", required=True)
    batch.add_argument("--from-role", metavar="ROLE")
    batch.add_argument("--out", required=True, metavar="OUTPUT", help="results: .csv or .jsonl, one row per input row, in order (OUTPUT.partial until complete)")
    batch.add_argument("--as-of", type=parse_date, metavar="DATE")
    batch.add_argument("--policy-id", metavar="ID")
    batch.add_argument("--engine", choices=["auto", "durable", "python"], default="auto")
    batch.add_argument("--jobs", type=worker_count, metavar="N", help=f"worker processes, 1 to {MAX_JOBS} (default: up to 2, the cores here)")
    batch.add_argument("--no-progress", action="store_true")
    batch.add_argument("--audit", metavar="DB", help="also store every decision in this audit database")
    batch.add_argument("--by", metavar="NAME", help="who ran the batch (stored with --audit)")
    batch.add_argument("--duties-summary", metavar="FILE", help="also write, as JSON, the service duties behind: how many people each, oldest first")
    batch.set_defaults(handler=run_batch_command)

    tmpl = sub.add_parser("csv-template", help="print the CSV header (and an example row) that `batch` reads")
    tmpl.add_argument("--columns", action="store_true", help="list the columns with what each holds")
    tmpl.set_defaults(handler=run_template)


class _Progress:
    """A one-line bar on stderr when it is a terminal; nothing when piped. Only our own text reaches it."""

    def __init__(self, stream: TextIO, enabled: bool) -> None:
        self.stream = trusted(stream)
        self.enabled = enabled and bool(getattr(stream, "isatty", lambda: False)())
        self.last = -1
        self.shown = 0.0

    def __call__(self, done: int, total: int | None) -> None:
        if not self.enabled:
            return
        if total:
            percent = done * 100 // total
            if percent == self.last and done != total:
                return
            self.last = percent
            filled = percent // 4
            self.stream.write(f"\r[{'#' * filled}{'.' * (25 - filled)}] {done:,}/{total:,}")
            if done == total:
                self.stream.write("\n")
        else:
            now = time.monotonic()
            if now - self.shown < 0.2:
                return
            self.shown = now
            self.stream.write(f"\r{done:,} rows")
        self.stream.flush()

    def end(self) -> None:
        if self.enabled and self.last != 100:
            self.stream.write("\n")
            self.stream.flush()


class _StopSignals:
    """SIGINT/SIGTERM set a flag (the batch stops at the next row and keeps what it has)."""

    def __init__(self) -> None:
        self.signal: int | None = None
        self._previous: dict[int, Any] = {}

    def __call__(self) -> bool:
        return self.signal is not None

    def __enter__(self) -> _StopSignals:
        if threading.current_thread() is threading.main_thread():
            for number in (signal.SIGINT, signal.SIGTERM):
                self._previous[number] = signal.signal(number, self._caught)
        return self

    def _caught(self, number: int, _frame: Any) -> None:
        self.signal = number

    def __exit__(self, *exc: object) -> None:
        for number, handler in self._previous.items():
            signal.signal(number, handler)


def _same_file(a: Path, b: Path) -> bool:
    with contextlib.suppress(OSError):
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    return a.resolve() == b.resolve()


def _refuse_overwriting(args: argparse.Namespace) -> None:
    """--out must never be the input, the policy or the audit store (D21): refused by resolved path and inode."""
    out = Path(args.out)
    written = [("--out", out), ("--out", out.with_name(out.name + ".partial"))]
    if args.duties_summary:
        written.append(("--duties-summary", Path(args.duties_summary)))
    for option, target in written:
        if target.is_dir():
            raise InputError([Problem("not-a-file", f"{option} is a folder; give a file name to write", str(target))])
    guarded = {"the input": Path(args.input), "the policy": Path(args.policy)}
    if args.audit:
        guarded["the audit store"] = Path(args.audit)
    for name, path in guarded.items():
        if path.is_dir():
            continue
        for target in (out, out.with_name(out.name + ".partial")):
            if _same_file(target, path):
                raise InputError([Problem("same-file", f"--out is the same file as {name}; refusing to overwrite it", str(args.out))])


def _open_audit(path: str) -> AuditStore:
    from pathrules.audit.store import AuditStore

    try:
        store = AuditStore(path)
    except (sqlite3.Error, OSError) as err:
        raise InputError([Problem("audit-store", f"cannot open the audit store: {err}", path)]) from None
    try:  # a store that cannot take a write is refused now, not after the first decision
        store.raw().execute("BEGIN IMMEDIATE")
        store.raw().execute("ROLLBACK")
    except sqlite3.Error as err:
        store.close()
        raise InputError([Problem("audit-store", f"the audit store cannot be written: {err}", path)]) from None
    return store


def _first_checked(items: Iterator[Item]) -> Iterator[Item]:
    """Start the reader now, so a bad CSV header is refused before anything is written."""
    try:
        first = next(items)
    except StopIteration:
        return iter(())
    return _chain(first, items)


def _chain(first: Item, rest: Iterator[Item]) -> Iterator[Item]:
    yield first
    yield from rest


def run_batch_command(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    fmt = output_format(args.out)
    _refuse_overwriting(args)
    loaded = load_policies(args.policy)  # once, here: workers get these, never re-read the files
    items = _first_checked(read_items(args.input))
    spec = BatchSpec(tuple(loaded), args.role, args.as_of or _dt.date.today(), args.from_role, args.policy_id, args.engine)
    progress = _Progress(stderr, not args.no_progress)
    total = count_items(args.input) if progress.enabled else None
    store = _open_audit(args.audit) if args.audit else None
    policies = {p.digest: p for p in loaded}
    counts: Counter[str] = Counter()
    duties = DutiesSummary() if args.duties_summary else None
    writer = ResultWriter(args.out)
    try:
        with _StopSignals() as stop:
            try:
                last_commit, done = time.monotonic(), 0
                for result in run_batch(items, spec, output=fmt, jobs=args.jobs, keep=store is not None, duties=duties is not None, stop=stop):
                    text = result.text
                    if duties is not None and result.outcome != "error":
                        if result.decision is not None:
                            duties.add(result.decision)
                        else:
                            duties.add_behind(result.duties)
                    if store is not None and result.row is not None:
                        if result.decision is not None and result.record is not None:
                            result.row["audit_id"] = store.append(result.decision, policies[result.decision.policy.digest], result.record, requested_by=args.by)
                        text = format_row(result.row, fmt)
                    writer.write(text)
                    counts[result.outcome] += 1
                    done += 1
                    progress(done, total)
                    if done % COMMIT_ROWS == 0 or time.monotonic() - last_commit > COMMIT_SECONDS:
                        writer.commit()
                        last_commit = time.monotonic()
                    if stop():
                        raise BatchInterrupted()
                writer.finish()
            except BatchInterrupted:
                writer.abandon()
                progress.end()
                name = signal.Signals(stop.signal or signal.SIGINT).name
                stderr.write(f"pathrules: interrupted ({name}) after {writer.rows:,} rows; the rows decided so far are in {writer.partial} (partial)\n")
                return 128 + (stop.signal or signal.SIGINT)
    except OutputError as err:
        writer.abandon()
        progress.end()
        stderr.write(f"pathrules: error: could not write {err.path}: {err.reason}; the first {err.rows:,} rows are in it (partial), {args.out} was not written\n")
        return EXIT_PARTIAL
    except (BatchStopped, sqlite3.Error, PathrulesError) as err:
        writer.abandon()
        progress.end()
        what = "the audit store failed" if isinstance(err, sqlite3.Error) or type(err).__name__ == "AuditError" else str(err)
        stderr.write(f"pathrules: error: the batch stopped: {' '.join(what.split())}\n")
        stderr.write(f"pathrules: the first {writer.rows:,} rows are in {writer.partial} (partial); {args.out} was not written\n")
        return EXIT_PARTIAL
    except BaseException:
        writer.abandon()
        stderr.write(f"pathrules: the first {writer.rows:,} rows are in {writer.partial} (partial)\n")
        raise
    finally:
        if store is not None:
            store.close()
    if duties is not None:
        duties.write(args.duties_summary, args.role, spec.as_of)
    total_rows = sum(counts.values())
    stdout.write(f"{total_rows:,} rows in, {total_rows:,} rows out ({args.out})\n")
    for outcome in (*OUTCOME_ORDER, "error"):
        if counts[outcome]:
            stdout.write(f"  {outcome:<12} {counts[outcome]:>7,}\n")
    return 1 if counts["error"] else 0


def run_template(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    if args.columns:
        width = max(len(c) for c in COLUMNS)
        for column, meaning in COLUMNS.items():
            stdout.write(f"{column:<{width}}  {meaning}\n")
    else:
        stdout.write(template())
    return 0

