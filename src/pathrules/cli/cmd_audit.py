"""`pathrules audit ...`: verify, anchor, show, list, replay, override and erase stored decisions.

Every action opens an existing store only (a missing file, or one that is not a pathrules audit
store, is exit 1 and is left as it was); only `check --audit` and `batch --audit` create a store.
"""

from __future__ import annotations

import argparse
import functools
import json
import sqlite3
from collections.abc import Callable
from typing import Any, TextIO

from pathrules.audit import anchor as anchors
from pathrules.audit.replay import replay
from pathrules.audit.store import AuditStore, Event, printable
from pathrules.audit.verify import verify
from pathrules.cli.output import parse_date, seconds
from pathrules.decision import OUTCOME_ORDER
from pathrules.evaluation.render import render_text


def register(sub: "argparse._SubParsersAction[Any]") -> None:
    audit = sub.add_parser("audit", help="the audit trail: verify, anchor, show, list, replay, override, erase")
    commands = audit.add_subparsers(dest="audit_command", metavar="ACTION", parser_class=type(audit))
    audit.set_defaults(handler=lambda a, o, e: (audit.print_help(o), 2)[1])

    v = commands.add_parser("verify", help="check the hash chain, contents and policy texts; exit 1 naming each bad row")
    v.add_argument("db")
    v.add_argument("--anchor", metavar="FILE", help="also prove the store still extends every anchor recorded in FILE")
    v.set_defaults(handler=run_verify)

    a = commands.add_parser("anchor", help="print the store's event count and head hash, to keep elsewhere")
    a.add_argument("db")
    a.add_argument("--append", metavar="FILE", help="also append the anchor line to FILE (keep it where the store's writers cannot write)")
    a.set_defaults(handler=run_anchor)

    s = commands.add_parser("show", help="one stored decision, with any overrides")
    s.add_argument("db")
    s.add_argument("id")
    s.add_argument("--json", action="store_true")
    s.set_defaults(handler=run_show)

    ls = commands.add_parser("list", help="stored events, oldest first")
    ls.add_argument("db")
    ls.add_argument("--person", metavar="ID")
    ls.add_argument("--since", type=parse_date, metavar="DATE")
    ls.set_defaults(handler=run_list)

    r = commands.add_parser("replay", help="re-evaluate on the stored policy, record and date; exit 1 if it differs")
    r.add_argument("db")
    r.add_argument("id")
    r.add_argument("--engine", choices=["auto", "durable", "python"], default="auto")
    r.set_defaults(handler=run_replay)

    o = commands.add_parser("override", help="record a manager's decision against a stored one (the original stays)")
    o.add_argument("db")
    o.add_argument("id")
    o.add_argument("--outcome", required=True, choices=list(OUTCOME_ORDER))
    o.add_argument("--by", required=True, metavar="NAME")
    o.add_argument("--reason", required=True, metavar="TEXT")
    o.set_defaults(handler=run_override)

    x = commands.add_parser("erase", help="erase a person's stored records and decisions (the chain still verifies)")
    x.add_argument("db")
    x.add_argument("--person", required=True, metavar="ID")
    x.add_argument("--wait", type=seconds, default=10.0, metavar="SECONDS", help="how long to wait for other readers before giving up (default 10)")
    x.set_defaults(handler=run_erase)


Handler = Callable[[argparse.Namespace, TextIO, TextIO], int]


def _guarded(handler: Handler) -> Handler:
    """A store that SQLite cannot read (damaged, locked too long) is exit 1 with a message, not a traceback."""

    @functools.wraps(handler)
    def run(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
        try:
            return handler(args, stdout, stderr)
        except sqlite3.DatabaseError as err:
            stderr.write(f"{args.db}: the audit store cannot be read ({err}); it may be damaged or locked by another process\n")
            return 1

    return run


def _line(event: Event) -> str:
    m = {k: printable(v) if isinstance(v, str) else v for k, v in event.meta.items()}
    if m["kind"] == "decision":
        return f"{m['id']}  {m['evaluated_at'][:19]}  decision  {m['outcome']:<11} {m['role']} ({m['policy_id']} {m['policy_version']}) as of {m['as_of']}"
    if m["kind"] == "override":
        return f"{m['id']}  {m['evaluated_at'][:19]}  override  {m['outcome']:<11} of {m['links']} by {m['by']}"
    return f"{m['id']}  {m['evaluated_at'][:19]}  erasure   {len((m['links'] or '').split(','))} event(s)"


@_guarded
def run_verify(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    recorded = anchors.read(args.anchor) if args.anchor else []
    with AuditStore(args.db, create=False) as store:
        findings = [str(f) for f in verify(store)]
        if not findings:
            findings = anchors.check(store, recorded)
            count, head = store.head()
            own = sum(1 for a in recorded if a.anchor.store_id == store.store_id)
    if findings:
        for finding in findings:
            stderr.write(f"{args.db}: {printable(str(finding))}\n")
        return 1
    extends = f"; extends {own} anchor(s) in {args.anchor}" if args.anchor else ""
    stdout.write(f"{args.db}: {count} events verified; head {head}{extends}\n")
    return 0


@_guarded
def run_anchor(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    with AuditStore(args.db, create=False) as store:
        findings = verify(store)
        if findings:
            for finding in findings:
                stderr.write(f"{args.db}: {printable(str(finding))}\n")
            stderr.write(f"{args.db}: not anchored: the store does not verify\n")
            return 1
        anchor = anchors.current(store)
    if args.append:
        anchors.append(anchor, args.append)
    stdout.write(anchor.line() + "\n")
    return 0


@_guarded
def run_show(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    with AuditStore(args.db, create=False) as store:
        event = store.get(args.id)
        overrides = store.overrides_of(event.id)
        if args.json:
            data = {"event": event.meta, "contents": event.payload, "overrides": [{"event": o.meta, "contents": o.payload} for o in overrides]}
            stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=_not_text) + "\n")
            return 0
        stdout.write(_line(event) + "\n")
        m = {k: printable(v) if isinstance(v, str) else v for k, v in event.meta.items()}
        stdout.write(f"policy digest {m['policy_digest']}; record digest {m['record_digest']}; engine {m['engine']} {m['engine_version']}; pathrules {m['pathrules_version']}\n")
        decision = event.decision()
        stdout.write("\n" + (render_text(decision) if decision else "(contents erased)\n"))
        for override in overrides:
            reason = printable(str((override.payload or {}).get("reason", "(erased)")))
            stdout.write(f"\nOverride {override.id}: {override.meta['outcome']} by {printable(str(override.meta['by']))} on {override.meta['evaluated_at'][:10]}: {reason}\n")
    return 0


@_guarded
def run_list(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    with AuditStore(args.db, create=False) as store:
        for event in store.events(person=args.person, since=args.since):
            stdout.write(_line(event) + "\n")
    return 0


@_guarded
def run_replay(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    with AuditStore(args.db, create=False) as store:
        result = replay(store, args.id, engine=args.engine)
    if result.identical:
        stdout.write(f"{result.event_id}: identical ({result.replayed.outcome})\n")
        for note in result.differences:
            stdout.write(f"  {note}\n")
        return 0
    stdout.write(f"{result.event_id}: differs\n")
    for difference in result.differences:
        stdout.write(f"  {difference}\n")
    return 1


@_guarded
def run_override(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    with AuditStore(args.db, create=False) as store:
        stored = store.override(args.id, args.outcome, args.by, args.reason)
    stdout.write(f"override stored as {stored}\n")
    return 0


@_guarded
def run_erase(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    with AuditStore(args.db, create=False) as store:
        result = store.erase(args.person, wait=args.wait)
    if result.event is None:
        stdout.write(f"nothing left to erase: the person's {result.events} event(s) were already erased, and the file holds none of their contents\n")
        return 0
    stdout.write(
        f"erased the stored records, decisions and override reasons of 1 person: {result.contents_erased} content item(s) "
        f"from {result.events} event(s), and rewrote the file so no copy remains; the events' dates, outcomes and hashes "
        f"remain (erasure event {result.event})\n"
    )
    return 0


def _not_text(value: object) -> str:
    """How `show --json` prints a value that is not JSON (only found in a store altered outside pathrules)."""
    return f"<{len(value)} bytes of binary data>" if isinstance(value, bytes) else f"<{type(value).__name__}>"
