"""`pathrules batch` and `pathrules csv-template`: many people at once, no row ever lost."""

from __future__ import annotations

import argparse
import datetime as _dt
from typing import Any, TextIO

from pathrules.audit.store import AuditStore
from pathrules.batch.csv_format import COLUMNS, template
from pathrules.batch.inputs import read_rows
from pathrules.batch.outputs import ResultWriter
from pathrules.batch.runner import BatchSpec, Summary, run_batch
from pathrules.cli.output import parse_date
from pathrules.decision import OUTCOME_ORDER
from pathrules.policy.loader import load_policies
from pathrules.record.loader import record_from_dict


def register(sub: "argparse._SubParsersAction[Any]") -> None:
    batch = sub.add_parser("batch", help="decide for every row of a JSONL or CSV file, or every record in a folder")
    batch.add_argument("input", metavar="INPUT", help=".jsonl, .csv (see `pathrules csv-template`), or a folder of .yaml/.json records")
    batch.add_argument("--policy", required=True, metavar="PATH")
    batch.add_argument("--role", required=True)
    batch.add_argument("--from-role", metavar="ROLE")
    batch.add_argument("--out", required=True, metavar="OUTPUT", help="results: .csv or .jsonl, one row per input row, in order")
    batch.add_argument("--as-of", type=parse_date, metavar="DATE")
    batch.add_argument("--policy-id", metavar="ID")
    batch.add_argument("--engine", choices=["auto", "durable", "python"], default="auto")
    batch.add_argument("--jobs", type=int, metavar="N", help="worker processes (default: up to 2, the cores here)")
    batch.add_argument("--no-progress", action="store_true")
    batch.add_argument("--audit", metavar="DB", help="also store every decision in this audit database")
    batch.add_argument("--by", metavar="NAME", help="who ran the batch (stored with --audit)")
    batch.set_defaults(handler=run_batch_command)

    tmpl = sub.add_parser("csv-template", help="print the CSV header (and an example row) that `batch` reads")
    tmpl.add_argument("--columns", action="store_true", help="list the columns with what each holds")
    tmpl.set_defaults(handler=run_template)


class _Progress:
    """A one-line bar on stderr when it is a terminal; nothing when piped."""

    def __init__(self, stream: TextIO, enabled: bool) -> None:
        self.stream = stream
        self.enabled = enabled and bool(getattr(stream, "isatty", lambda: False)())
        self.last = -1

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total == 0:
            return
        percent = done * 100 // total
        if percent == self.last and done != total:
            return
        self.last = percent
        filled = percent // 4
        self.stream.write(f"\r[{'#' * filled}{'.' * (25 - filled)}] {done:,}/{total:,}")
        if done == total:
            self.stream.write("\n")
        self.stream.flush()


def run_batch_command(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    loaded = load_policies(args.policy)  # refuse a broken policy before reading any row
    rows = read_rows(args.input)
    spec = BatchSpec((args.policy,), args.role, args.as_of or _dt.date.today(), args.from_role, args.policy_id, args.engine)
    summary = Summary()
    progress = _Progress(stderr, not args.no_progress)
    store = AuditStore(args.audit) if args.audit else None
    policies = {p.digest: p for p in loaded}
    try:
        with ResultWriter(args.out) as writer:
            for out, decision in run_batch(rows, spec, jobs=args.jobs, progress=progress, keep_decisions=store is not None):
                if store is not None and decision is not None:
                    data = rows[out["row"] - 1].data or {}
                    out["audit_id"] = store.append(decision, policies[decision.policy.digest], record_from_dict(data), requested_by=args.by)
                writer.write(out)
                summary.add(out)
    finally:
        if store is not None:
            store.close()
    stdout.write(f"{summary.total:,} rows in, {summary.total:,} rows out ({args.out})\n")
    for outcome in (*OUTCOME_ORDER, "error"):
        if summary.counts[outcome]:
            stdout.write(f"  {outcome:<12} {summary.counts[outcome]:>7,}\n")
    return 1 if summary.counts["error"] else 0


def run_template(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    if args.columns:
        width = max(len(c) for c in COLUMNS)
        for column, meaning in COLUMNS.items():
            stdout.write(f"{column:<{width}}  {meaning}\n")
    else:
        stdout.write(template())
    return 0
