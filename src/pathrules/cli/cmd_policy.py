"""`pathrules validate` and `pathrules schema`: for policy authors and their editors."""

from __future__ import annotations

import argparse
import json
from typing import Any, TextIO

from pathrules.cli.diagnostics import write_diagnostics
from pathrules.errors import Diagnostic, PolicyError
from pathrules.policy.loader import LoadedPolicy, duplicate_versions, load_policy, policy_files
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
    problems: list[Diagnostic] = []
    loaded: list[LoadedPolicy] = []
    for path in args.paths:
        files = policy_files(path)
        if not files:
            problems.append(Diagnostic("no-policies", "no .yaml policy files here", str(path)))
        for file in files:
            try:
                loaded.append(load_policy(file))
            except PolicyError as err:
                problems.extend(err.problems)
    problems += duplicate_versions(loaded)
    if args.verbose:
        for policy in loaded:
            stdout.write(f"{policy.file}: ok ({policy.id} {policy.version}, {policy.digest[:19]})\n")
    write_diagnostics(problems, stdout, stderr, as_json=args.json)
    return 1 if problems else 0


def run_schema(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    schema = {"policy": policy_schema, "record": record_schema, "tests": tests_schema}[args.which]()
    stdout.write(json.dumps(schema, indent=2, sort_keys=True) + "\n")
    return 0
