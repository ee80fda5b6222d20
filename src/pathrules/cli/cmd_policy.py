"""`pathrules validate` and `pathrules schema`: for policy authors and their editors."""

from __future__ import annotations

import argparse
import json
from typing import Any, TextIO

from pathrules.errors import PolicyError
from pathrules.policy.loader import load_policy, policy_files
from pathrules.policy.schema import policy_schema, record_schema, tests_schema


def register(sub: "argparse._SubParsersAction[Any]") -> None:
    validate = sub.add_parser("validate", help="check policy files; prints nothing and exits 0 when all are valid")
    validate.add_argument("paths", nargs="+", metavar="PATH", help="policy files or folders of them")
    validate.add_argument("--json", action="store_true", help="problems as JSON (file, line, column, path, code)")
    validate.add_argument("--verbose", "-v", action="store_true", help="name each valid file too")
    validate.set_defaults(handler=run_validate)

    schema = sub.add_parser("schema", help="print the JSON Schema of policies or records")
    schema.add_argument("which", choices=["policy", "record", "tests"])
    schema.set_defaults(handler=run_schema)


def run_validate(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    problems = []
    for path in args.paths:
        files = policy_files(path)
        if not files:
            problems.append({"file": path, "line": None, "column": None, "path": "", "code": "no-policies", "message": "no .yaml policy files here", "help": None})
        for file in files:
            try:
                loaded = load_policy(file)
                if args.verbose:
                    stdout.write(f"{file}: ok ({loaded.id} {loaded.version}, {loaded.digest[:19]})\n")
            except PolicyError as err:
                problems.extend(p.to_dict() for p in err.problems)
                if not args.json:
                    stderr.write(str(err) + "\n")
    if args.json:
        stdout.write(json.dumps({"valid": not problems, "problems": problems}, indent=2) + "\n")
    elif problems and any(p["code"] == "no-policies" for p in problems):
        for p in problems:
            if p["code"] == "no-policies":
                stderr.write(f"{p['file']}: error[no-policies]: {p['message']}\n")
    return 1 if problems else 0


def run_schema(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    schema = {"policy": policy_schema, "record": record_schema, "tests": tests_schema}[args.which]()
    stdout.write(json.dumps(schema, indent=2, sort_keys=True) + "\n")
    return 0
