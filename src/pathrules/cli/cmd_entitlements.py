"""`pathrules entitlements`: what a day's work in a role entitles the person to, each line with its reason."""

from __future__ import annotations

import argparse
import datetime as _dt
import json
from typing import Any, TextIO

from pathrules.cli.output import hours, parse_date


def register(sub: "argparse._SubParsersAction[Any]") -> None:
    command = sub.add_parser("entitlements", help="what a day's work in a role entitles the person to (expenses, pay)")
    command.add_argument("record", metavar="RECORD", help="the person's record (YAML or JSON)")
    command.add_argument("--policy", required=True, metavar="PATH", help="a policy file, or a folder with its versions")
    command.add_argument("--role", required=True)
    command.add_argument("--hours", required=True, type=hours, metavar="HOURS", help="hours worked that day, e.g. 3.5")
    command.add_argument("--day", type=parse_date, metavar="DATE", help="the day worked (default: today)")
    command.add_argument("--activity", metavar="ID", help="what the day was spent on, where an entitlement depends on it")
    command.add_argument("--policy-id", metavar="ID", help="which policy, when the folder holds several")
    command.add_argument("--json", action="store_true", help="the lines as JSON (amounts as exact text)")
    command.set_defaults(handler=run_entitlements)


def run_entitlements(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from pathrules.entitlements.evaluate import money
    from pathrules.evaluation.evaluate import Evaluator
    from pathrules.policy.loader import load_policies

    evaluator = Evaluator(load_policies(args.policy), engine="python")  # entitlements are arithmetic on dates and hours
    day: _dt.date = args.day or _dt.date.today()
    lines = evaluator.entitlements(args.record, args.role, day=day, hours=args.hours, activity=args.activity, policy_id=args.policy_id)
    if args.json:
        stdout.write(json.dumps([line.model_dump(mode="json") for line in lines], indent=2, ensure_ascii=False) + "\n")
        return 0
    if not lines:
        stdout.write(f"The policy lists no entitlements for `{args.role}`.\n")
        return 0
    stdout.write(f"Entitlements for {args.hours} hours on {day.isoformat()}:\n")
    for line in lines:
        amount = money(line.up_to, line.currency) if line.up_to is not None and line.currency else "no figure"
        mark = "[yes]" if line.applies else "[no] "
        stdout.write(f"  {mark} {line.title}: {('up to ' + amount) if line.applies and line.up_to is not None else ('no figure' if line.applies else '-')} — {line.reason}\n")
    return 0
