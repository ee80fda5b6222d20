"""`pathrules pathways` and `pathrules roles`: where a person could go, and what each role needs."""

from __future__ import annotations

import argparse
import datetime as _dt
import json
from typing import Any, TextIO

from pathrules.cli.output import parse_date, use_color
from pathrules.describe import describe_policy, roles_text
from pathrules.kinds.base import long_date
from pathrules.pathways import pathways
from pathrules.policy.loader import load_policies, load_policy
from pathrules.errors import RecordError
from pathrules.record.loader import load_record, located_in
from pathrules.vocabulary import OUTCOMES, heading

_COLOURS = {outcome: words.colour for outcome, words in OUTCOMES.items()}


def register(sub: "argparse._SubParsersAction[Any]") -> None:
    ways = sub.add_parser("pathways", help="every role and progression open to one person, nearest first")
    ways.add_argument("record", metavar="RECORD")
    ways.add_argument("--policies", required=True, metavar="DIR", help="a folder of policies (or one file)")
    ways.add_argument("--as-of", type=parse_date, metavar="DATE")
    ways.add_argument("--engine", choices=["auto", "durable", "python"], default="auto")
    ways.add_argument("--json", action="store_true")
    ways.add_argument("--no-color", action="store_true")
    ways.set_defaults(handler=run_pathways)

    roles = sub.add_parser("roles", help="the roles of a policy, what each needs, and the progressions")
    roles.add_argument("policy", metavar="POLICY")
    roles.add_argument("--json", action="store_true")
    roles.set_defaults(handler=run_roles)


def run_pathways(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    as_of: _dt.date = args.as_of or _dt.date.today()
    record = load_record(args.record)
    try:
        found = pathways(record, load_policies(args.policies), as_of, engine=args.engine)
    except RecordError as err:  # found against a policy (an attribute of another type): placed in the file
        raise RecordError(located_in(args.record, err.problems)) from None
    if args.json:
        rows = [
            {
                "organisation": p.organisation,
                "policy": p.policy,
                "role": p.role,
                "title": p.title,
                "from_role": p.from_role,
                "in_post": p.in_post,
                "outcome": p.decision.outcome,
                "eligible_from": p.decision.eligible_from.isoformat() if p.decision.eligible_from else None,
                "time_gaps_close_on": p.decision.time_gaps_close_on.isoformat() if p.decision.time_gaps_close_on else None,
                "in_the_way": p.blockers,
            }
            for p in found
        ]
        stdout.write(json.dumps({"person": record.person, "as_of": as_of.isoformat(), "pathways": rows}, indent=2, ensure_ascii=False) + "\n")
        return 0
    color = use_color(stdout, args.no_color)
    stdout.write(f"Pathways for {record.person} as of {long_date(as_of)}, nearest first:\n\n")
    for p in found:
        said = heading(p.decision.outcome, p.decision.stage)
        label = f"\033[{_COLOURS[p.decision.outcome]}m{said}\033[0m" if color else said
        what = f"{p.title} at {p.organisation}"
        if p.from_role:
            what += f" (moving on from {p.from_role.replace('-', ' ')})"
        if p.in_post:
            what += " (in post now)"
        when = ""
        if p.decision.outcome == "not_yet" and p.decision.eligible_from:
            when = f" — from {long_date(p.decision.eligible_from)}"
        stdout.write(f"- {label}: {what}{when}\n")
        for blocker in p.blockers:
            stdout.write(f"    · {blocker}\n")
    return 0


def run_roles(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    policy = load_policy(args.policy).policy
    if args.json:
        stdout.write(json.dumps(describe_policy(policy), indent=2, ensure_ascii=False) + "\n")
    else:
        stdout.write(roles_text(policy))
    return 0
