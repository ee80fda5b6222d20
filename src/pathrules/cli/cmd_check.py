"""`pathrules check`: one person, one role (or progression), one day."""

from __future__ import annotations

import argparse
import datetime as _dt
from typing import Any, TextIO

from pathrules.cli.output import parse_date, use_color
from pathrules.evaluation.evaluate import Evaluator
from pathrules.evaluation.render import render_text, to_json
from pathrules.policy.loader import load_policies


def register(sub: "argparse._SubParsersAction[Any]") -> None:
    check = sub.add_parser("check", help="decide for one person: outcome, reasons, next steps, dates")
    check.add_argument("record", metavar="RECORD", help="the person's record (YAML or JSON)")
    check.add_argument("--policy", required=True, metavar="PATH", help="a policy file, or a folder with its versions")
    check.add_argument("--role", required=True, help="the role to check")
    check.add_argument("--from-role", metavar="ROLE", help="check the progression from this role to --role")
    check.add_argument("--placement", metavar="TEAM", help="decide for this placement (a team, or service/team): placement bars apply to it alone")
    check.add_argument("--as-of", type=parse_date, metavar="DATE", help="the day to decide for (default: today)")
    check.add_argument("--policy-id", metavar="ID", help="which policy, when the folder holds several")
    check.add_argument("--engine", choices=["auto", "durable", "python"], default="auto")
    check.add_argument("--json", action="store_true", help="the decision as JSON (the person's letter is its `letter` field)")
    check.add_argument(
        "--for",
        dest="audience",
        choices=["staff", "person"],
        default="staff",
        help="staff: the detailed view with ids (default); person: a plain letter to the person, no ids or jargon",
    )
    check.add_argument("--no-color", action="store_true", help="no colour or symbols, even on a terminal")
    check.add_argument("--exit-code", action="store_true", help="exit by outcome: 0 eligible, 20 conditional, 21 pending, 22 not_yet, 23 review, 24 ineligible")
    check.add_argument("--audit", metavar="DB", help="also store the decision in this audit database")
    check.add_argument("--by", metavar="NAME", help="who asked (stored with --audit)")
    check.set_defaults(handler=run_check)


def run_check(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from pathrules.vocabulary import OUTCOMES
    from pathrules.errors import RecordError
    from pathrules.record.loader import load_record, located_in

    policies = load_policies(args.policy)
    record = load_record(args.record)
    evaluator = Evaluator(policies, engine=args.engine)
    as_of: _dt.date = args.as_of or _dt.date.today()
    try:
        decision = evaluator.evaluate(record, args.role, as_of=as_of, from_role=args.from_role, policy_id=args.policy_id, placement=args.placement)
    except RecordError as err:  # found against the policy (an attribute of another type): placed in the file
        raise RecordError(located_in(args.record, err.problems)) from None
    if args.audit:
        from pathrules.audit.store import AuditStore

        with AuditStore(args.audit) as store:
            stored = store.append(decision, policies, record, requested_by=args.by)  # the decision names its version
        stderr.write(f"stored as decision {stored} in {args.audit}\n")
    if args.json:
        stdout.write(to_json(decision) + "\n")
    else:
        stdout.write(render_text(decision, color=use_color(stdout, args.no_color), audience=args.audience))
    return OUTCOMES[decision.outcome].exit_code if args.exit_code else 0
